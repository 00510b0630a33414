"""Figures of the fragmentation experiments (buddylab.experiments): means with min..max whiskers.

Each reads the dict `experiments.run()` returns, never a machine.  Neutral greys and
hatches, no migrate-type colour: the bars are runs of an experiment, not free lists.
"""

from ._util import new_axes
from .palette import NEUTRAL_DARK as DROP_COLOR     # after drop_caches / tail placement on
LEFT_HATCH = "//"           # as left (page cache still there)
OFF_HATCH = ".."            # tail placement off


def antifrag_rows(result):
    """One row per arm: (grouping, compaction, as-left mean, min, max, after-drop_caches mean,
    min, max), percentages of memory allocatable as pageblock-order blocks.

    >>> antifrag_rows({"rows": [dict(grouping=True, compaction=False,
    ...     percent=dict(mean=0.0, min=0.0, max=0.0),
    ...     percent_after_drop=dict(mean=80.2, min=78.1, max=82.8))]})
    [(True, False, 0.0, 0.0, 0.0, 80.2, 78.1, 82.8)]
    """
    return [(r["grouping"], r["compaction"])
            + tuple(r[k][s] for k in ("percent", "percent_after_drop")
                    for s in ("mean", "min", "max")) for r in result["rows"]]


def tail_rows(result):
    """One row per (tail placement, order k): (on, k, mean, min, max) of the free pages in
    blocks of order >= k, mean over the run.

    >>> tail_rows({"orders": [2], "rows": [dict(tail_placement=True,
    ...     ge2=dict(mean=784.0, min=766, max=803))]})
    [(True, 2, 784.0, 766, 803)]
    """
    return [(r["tail_placement"], k) + tuple(r["ge%d" % k][s] for s in ("mean", "min", "max"))
            for r in result["rows"] for k in result["orders"]]


def _bars(ax, x, stats, offset, **kw):
    """Bars of the means at x + offset with whiskers from min to max, labelled."""
    mean = [s[0] for s in stats]
    err = [[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]]
    bars = ax.bar([i + offset for i in x], mean, width=0.38, yerr=err, capsize=3,
                  edgecolor="black", **kw)
    return bars


def _seeds(result):
    p = result["params"]
    return "seeds %d..%d, size %s" % (p["seed"], p["seed"] + p["runs"] - 1, p["size"])


def plot_antifrag(result, ax=None):
    """Memory allocatable as huge pages per arm of ``run("antifrag")``: as left (hatched) and
    after drop_caches (grey); the data is `antifrag_rows(result)`.  Returns the Axes."""
    from matplotlib.patches import Patch
    rows = antifrag_rows(result)
    ax = new_axes(ax, (7.5, 3.8))
    x = range(len(rows))
    left = _bars(ax, x, [r[2:5] for r in rows], -0.19, color="white", hatch=LEFT_HATCH)
    drop = _bars(ax, x, [r[5:8] for r in rows], 0.19, color=DROP_COLOR)
    for bars in (left, drop):
        ax.bar_label(bars, fmt="%.0f%%", fontsize=8, padding=3)
    ax.set_xticks(list(x), ["grouping %s\ncompaction %s" % ("on" if r[0] else "off",
                                                             "on" if r[1] else "off")
                            for r in rows], fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("memory as huge pages (%)")
    ax.legend(handles=[Patch(facecolor="white", hatch=LEFT_HATCH, edgecolor="black",
                             label="as left (page cache still there)"),
                       Patch(facecolor=DROP_COLOR, edgecolor="black",
                             label="after drop_caches")], fontsize=8, loc="upper right")
    ax.set_title("antifrag, %s: mean, whiskers min..max" % _seeds(result), fontsize=9)
    return ax


def plot_tail(result, ax=None):
    """Free pages in blocks of order >= k with tail placement on (grey) and off (dotted), per
    k, for ``run("tail")``; the data is `tail_rows(result)`.  Returns the Axes."""
    rows = tail_rows(result)
    orders = result["orders"]
    ax = new_axes(ax, (7, 3.4))
    x = range(len(orders))
    for on, offset, style in ((True, -0.19, dict(color=DROP_COLOR)),
                              (False, 0.19, dict(color="white", hatch=OFF_HATCH))):
        bars = _bars(ax, x, [r[2:] for r in rows if r[0] == on], offset,
                     label="tail placement %s" % ("on" if on else "off"), **style)
        ax.bar_label(bars, fmt="%.0f", fontsize=8, padding=3)
    ax.set_xticks(list(x), ["order >= %d" % k for k in orders], fontsize=8)
    ax.set_ylabel("free pages in such blocks\n(mean over the run)")
    ax.margins(y=0.12)
    ax.legend(fontsize=8)
    ax.set_title("tail, order-%d churn, %s: mean, whiskers min..max"
                 % (result["params"]["order"], _seeds(result)), fontsize=9)
    return ax
