"""Compat name: the GFP flags of Linux v4.18 live in buddylab/kernels/v4_18/gfp.py.

This facade keeps ``buddylab.gfp`` (``bl.gfp.GFP_ZONE_TABLE``, ``from buddylab.gfp import
*``) working for the chapters, the problems and the widgets; no model code imports it.
"""

from .kernels.v4_18.gfp import *  # noqa: F401,F403
from .kernels.v4_18.gfp import __all__, _GFP_BITS_MASK  # noqa: F401
