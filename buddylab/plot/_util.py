"""Helpers shared by the plot modules (not public)."""

from ..mmzone import PAGE_SIZE, MIGRATETYPE_NAMES


def new_axes(ax, figsize):
    """`ax` itself, or the Axes of a new pyplot figure of `figsize`."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=figsize)
    return ax


def new_axes_row(axes, n, figsize, ncols=None):
    """A list of n Axes: those given (at least n), or a new pyplot figure of n panels,
    `ncols` a row (default: all in one row; the unused cells of the grid are removed)."""
    import numpy as np
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) < n:
            raise ValueError("need %d Axes, got %d" % (n, len(axes)))
        return axes[:n]
    import matplotlib.pyplot as plt
    ncols = min(n, ncols or n)
    nrows = -(-n // ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    cells = list(grid.ravel())
    for extra in cells[n:]:
        fig.delaxes(extra)
    return cells[:n]


def seed_note(ax, seed):
    """Write ``seed=N`` in the lower right corner of the Axes, when a seed is given."""
    if seed is not None:
        ax.text(0.995, 0.005, "seed=%s" % (seed,), transform=ax.transAxes, ha="right",
                va="bottom", fontsize=8, color="#555555", gid="seed")


def size_str(nr_pages):
    """4 KiB pages as a size: 1 -> '4 KiB', 1024 -> '4 MiB'."""
    b = nr_pages * PAGE_SIZE
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        b /= 1024
        if b < 1024 or unit == "TiB":
            return ("%d %s" % (b, unit)) if b == int(b) else ("%.1f %s" % (b, unit))


def mtname(mt):
    return MIGRATETYPE_NAMES[mt] if 0 <= mt < len(MIGRATETYPE_NAMES) else str(mt)


def zone_title(snap):
    return "node %d, zone %s" % (snap.nid, snap.name)
