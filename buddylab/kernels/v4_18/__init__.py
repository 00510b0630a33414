"""The classic kernel, Linux v4.18: the profile the lab runs (``Machine(kernel="classic")``).

``kernel.py`` binds the seam (``buddylab.kernels.base.Kernel``) to this version's constants
and functions: ``CLASSIC``.  This file imports nothing.
"""
