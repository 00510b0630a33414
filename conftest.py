"""Repo-wide pytest setup: no behaviour changes beyond these two.

1. The repo root is importable, so ``pytest`` works from any directory and without an
   installed package (``make venv`` installs it editable anyway).
2. Hypothesis runs the "ci" profile: derandomized (the same examples every run), no deadline
   (never fails on timing), no example database. ``HYPOTHESIS_PROFILE=default pytest`` gets the
   random search back when hunting for new failures.
"""

import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

try:
    from hypothesis import settings
except ImportError:  # the model and its tests are usable without hypothesis
    pass
else:
    settings.register_profile("ci", derandomize=True, deadline=None, database=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
