"""From a GFP mask to the zone and the free lists it may use: gfp_zone() and
gfpflags_to_migratetype() for each composite, as a figure and as a table.

Kernel: gfp_zone() and gfpflags_to_migratetype() in include/linux/gfp.h (v4.18):
the zone modifiers (mask & GFP_ZONEMASK) index GFP_ZONE_TABLE for the highest
zone the request may use; the mobility bits ((mask & GFP_MOVABLE_MASK) >>
GFP_MOVABLE_SHIFT) give the migrate type, i.e. which free_list[] is searched
first.  Both rules live in buddylab.gfp; this module only draws them.
"""

from .. import gfp as G
from ..mmzone import ZONE_NAMES
from .palette import MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES, ZONE_COLORS
from ._util import new_axes, mtname


def gfp_decision_rows(names=None):
    """One row per composite: (name, mask, zone bits, gfp_zone() name, mobility bits,
    migrate type name).  `names` are keys of buddylab.gfp.COMPOSITES (default: all).

    GFP_HIGHUSER_MOVABLE is 0x6200ca: zone bits __GFP_HIGHMEM|__GFP_MOVABLE = 0xa (index
    10 of GFP_ZONE_TABLE: ZONE_MOVABLE), mobility bits __GFP_MOVABLE = 0x8 (>> 3 = Movable).

    >>> gfp_decision_rows(["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE"])[1]
    ('GFP_HIGHUSER_MOVABLE', 6422730, 10, 'Movable', 8, 'Movable')
    """
    rows = []
    for name in names or list(G.COMPOSITES):
        mask = int(G.COMPOSITES[name])
        rows.append((name, mask, mask & int(G.GFP_ZONEMASK), ZONE_NAMES[G.gfp_zone(mask)],
                     mask & int(G.GFP_MOVABLE_MASK), mtname(G.gfpflags_to_migratetype(mask))))
    return rows


def plot_gfp_decisions(names=None, ax=None):
    """Each composite's two decisions side by side: the highest zone (gfp_zone(), box in
    the zone's colour) and the migrate type (gfpflags_to_migratetype(), box in the type's
    colour and hatch), each with the bits it was read from.  The data is
    `gfp_decision_rows(names)`.  Returns the Axes.

    >>> ax = plot_gfp_decisions(["GFP_KERNEL", "GFP_DMA"])
    >>> sorted(p.get_gid() for p in ax.patches)
    ['mt GFP_DMA Unmovable', 'mt GFP_KERNEL Unmovable', 'zone GFP_DMA DMA', 'zone GFP_KERNEL Normal']
    """
    from matplotlib.patches import Rectangle
    from ..mmzone import MIGRATETYPE_NAMES
    rows = gfp_decision_rows(names)
    ax = new_axes(ax, (8.6, 0.8 + 0.36 * len(rows)))
    for i, (name, mask, zbits, zone, mbits, mt) in enumerate(rows):
        ax.text(-0.05, i, "%s (%#x)" % (name, mask), ha="right", va="center", fontsize=9)
        ax.add_patch(Rectangle((0.05, i - 0.4), 1.9, 0.8, facecolor=ZONE_COLORS.get(zone, "#999999"),
                               edgecolor="black", linewidth=0.5, gid="zone %s %s" % (name, zone)))
        ax.text(1.0, i, "%s  (zone bits %#x)" % (zone, zbits), ha="center", va="center",
                fontsize=9, bbox=dict(boxstyle="square,pad=0.1", facecolor="white",
                                      edgecolor="none", alpha=0.85))
        k = MIGRATETYPE_NAMES.index(mt)
        ax.add_patch(Rectangle((2.05, i - 0.4), 1.9, 0.8, facecolor=MIGRATETYPE_COLORS[k],
                               hatch=MIGRATETYPE_HATCHES[k], edgecolor="black", linewidth=0.5,
                               gid="mt %s %s" % (name, mt)))
        ax.text(3.0, i, "%s  (mobility bits %#x)" % (mt, mbits), ha="center", va="center",
                fontsize=9, bbox=dict(boxstyle="square,pad=0.1", facecolor="white",
                                      edgecolor="none", alpha=0.85))
    ax.set_xlim(0, 4)
    ax.set_ylim(len(rows) - 0.5, -1.0)
    ax.text(1.0, -0.75, "gfp_zone(): highest zone", ha="center", va="center", fontsize=10,
            fontweight="bold")
    ax.text(3.0, -0.75, "gfpflags_to_migratetype(): free_list[]", ha="center", va="center",
            fontsize=10, fontweight="bold")
    ax.set_axis_off()
    ax.figure.tight_layout()
    return ax
