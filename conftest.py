"""Repo-wide pytest setup: no behaviour changes beyond these four.

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

# 3. Matplotlib (when installed) draws to files, and every test and doctest closes its figures.
#    Only this pytest process is affected: notebook kernels under nbval keep their inline backend.
try:
    import matplotlib
except ImportError:  # the model's own tests run without matplotlib
    matplotlib = None
else:
    matplotlib.use("Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if matplotlib is not None and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# 4. The slowest test files are collected first.  `make test` runs pytest-xdist with --dist
#    loadfile: each of the two workers takes the next file in collection order, so a long
#    file collected late would run alone at the end while the other core idles.  Within a
#    file the order is unchanged (a stable sort); a file missing here keeps its place.
RUN_FIRST = ("tests/e2e/test_chapters.py", "tests/test_state_machine.py", "tests/test_teach.py",
             "tests/test_plot.py", "tests/test_problem_kinds.py", "tests/test_experiments.py",
             "tests/test_exercises.py", "tests/test_bench.py", "tests/test_build_html.py",
             "tests/test_proc_root.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(RUN_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(RUN_FIRST)))
