"""pytest setup for the doctests of buddylab.plot: a file backend, figures closed after each."""

import pytest

try:
    import matplotlib
except ImportError:         # pragma: no cover - the model's own tests run without matplotlib
    matplotlib = None
else:
    matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if matplotlib is not None:
        import matplotlib.pyplot as plt
        plt.close("all")
