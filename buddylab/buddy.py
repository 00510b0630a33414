"""Compat name: the v4.18 buddy lists live in buddylab/kernels/v4_18/buddy.py.

This facade keeps ``bl.buddy.expand``, ``bl.buddy.fallbacks`` ... working for the chapters and
the problems; no model code imports it.
"""

from .kernels.v4_18.buddy import *  # noqa: F401,F403
