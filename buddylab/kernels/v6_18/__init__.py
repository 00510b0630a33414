"""Today's kernel, Linux v6.18 ("modern"), beside v4.18's ``../v4_18/``.

``kernel.py`` binds the seam (``MODERN``); ``mmzone.py`` and ``gfp.py`` hold v6.18's
constants and GFP bits, ``formulas.py`` its watermark, min_free_kbytes and pcp formulas.
This file imports nothing.
"""
