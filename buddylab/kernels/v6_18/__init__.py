"""Today's kernel, Linux v6.18 ("modern"): not running yet, formulas only.

``Machine(kernel="modern")`` raises LayoutError; what 6.18 computes differently is in
``formulas.py`` here (re-exported by ``buddylab.profiles``) until this package holds the running profile (its modules will carry
the same names as ``../v4_18/``).  This file imports nothing.
"""
