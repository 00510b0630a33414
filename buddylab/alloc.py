"""Compat name: v4.18's mm/page_alloc.c entry points live in buddylab/kernels/v4_18/page_alloc.py.

This facade keeps ``bl.alloc.alloc_pages_slowpath``, ``alloc.prepare_alloc_pages``,
``alloc.AllocContext``, ``alloc.AllocationWarning`` ... working for the chapters and the
problems; no model code imports it.
"""

from .kernels.v4_18.page_alloc import *  # noqa: F401,F403
