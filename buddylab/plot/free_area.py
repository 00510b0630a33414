"""free_area[order]: how many free blocks of each order, stacked by migrate type.

Kernel: struct free_area in include/linux/mmzone.h; the /proc/buddyinfo
(frag_show_print) and /proc/pagetypeinfo (pagetypeinfo_showfree_print) views
in mm/vmstat.c.

/proc/buddyinfo counts BLOCKS: "4" in the order-10 column is 4 x 1024 pages.
`unit="pages"` multiplies each column by 2^order, which is what the free
memory actually is; drawing the two side by side (`plot_free_area_pair`) is the
quickest way to see it.  Pages on per-cpu lists are free too but are in no
free_area: the figure says how many.
"""

from ..mmzone import MIGRATE_TYPES, MIGRATETYPE_NAMES
from .palette import MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES
from ._util import new_axes, new_axes_row, seed_note, size_str, zone_title


def order_size_label(order):
    """The size of an order-`order` block of 4 KiB pages, as a tick label.

    >>> order_size_label(0), order_size_label(10)
    ('0\\n4 KiB', '10\\n4 MiB')
    """
    return "%d\n%s" % (order, size_str(1 << order))


def free_area_rows(snap_zone):
    """The data of `plot_free_area` as a table: one row per (order, migrate type) with a
    non-empty list, as (order, type name, blocks on free_list[type], nr_free[order], pfns
    head -> tail).  ``nr_free`` is repeated on each row of its order.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> free_area_rows(m.zone_snapshot(0, "DMA"))
    [(4, 'Movable', 4, 4, (48, 32, 16, 0))]
    """
    return [(o, MIGRATETYPE_NAMES[mt], len(snap_zone.free_lists[o][mt]), snap_zone.nr_free[o],
             tuple(snap_zone.free_lists[o][mt]))
            for o in range(snap_zone.max_order) for mt in range(MIGRATE_TYPES)
            if snap_zone.free_lists[o][mt]]


def free_area_text(snap_zone, max_pfns=8):
    """`free_area_rows` printed as the kernel's structure reads: one line per order with
    ``free_area[o].nr_free`` and each non-empty ``free_list[type]`` (head first).

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> print(free_area_text(m.zone_snapshot(0, "DMA")))
    free_area[0].nr_free = 0
    free_area[1].nr_free = 0
    free_area[2].nr_free = 0
    free_area[3].nr_free = 0
    free_area[4].nr_free = 4   free_list[Movable]: 48 32 16 0
    """
    lists = {}
    for o, name, _, _, pfns in free_area_rows(snap_zone):
        shown = " ".join(str(p) for p in pfns[:max_pfns]) + (" ..." if len(pfns) > max_pfns
                                                             else "")
        lists.setdefault(o, []).append("free_list[%s]: %s" % (name, shown))
    return "\n".join(("free_area[%d].nr_free = %d   %s" % (o, snap_zone.nr_free[o],
                                                         "; ".join(lists[o]))).rstrip()
                     if o in lists else "free_area[%d].nr_free = %d" % (o, snap_zone.nr_free[o])
                     for o in range(snap_zone.max_order))


def plot_free_area(snap_zone, ax=None, unit="blocks", seed=None, title=None):
    """Bar chart of one zone's free_area: nr_free per order, stacked by migrate type.

    `snap_zone` is a ZoneSnapshot (``m.zone_snapshot(nid, name)``).  With
    ``unit="blocks"`` a bar is the number of free blocks of that order (what
    /proc/buddyinfo prints); with ``unit="pages"`` it is blocks x 2^order.
    ``ax.containers[mt]`` is the BarContainer of migrate type ``mt`` (one bar
    per order, every type present even when empty); the legend lists the
    types that have free blocks.  Returns the Axes.

    Example: a fresh 64-page zone with max_order=5 holds four free order-4
    blocks, all Movable; in pages that is one bar of 64.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> ax = plot_free_area(m.zone_snapshot(0, "DMA"), unit="pages")
    >>> [float(b.get_height()) for b in ax.containers[bl.MIGRATE_MOVABLE]]
    [0.0, 0.0, 0.0, 0.0, 64.0]
    """
    if unit not in ("blocks", "pages"):
        raise ValueError("unit must be 'blocks' or 'pages', got %r" % (unit,))
    ax = new_axes(ax, (7, 3.6))
    orders = list(range(snap_zone.max_order))
    bottom = [0.0] * len(orders)
    present = []
    for mt in range(MIGRATE_TYPES):
        heights = [float(snap_zone.free_count(mt, o) * ((1 << o) if unit == "pages" else 1))
                   for o in orders]
        ax.bar(orders, heights, bottom=bottom, width=0.8, color=MIGRATETYPE_COLORS[mt],
               hatch=MIGRATETYPE_HATCHES[mt], edgecolor="black", linewidth=0.5,
               label=MIGRATETYPE_NAMES[mt])
        bottom = [b + h for b, h in zip(bottom, heights)]
        if any(heights):
            present.append(mt)
    ax.set_xticks(orders)
    ax.set_xticklabels([order_size_label(o) for o in orders], fontsize=8)
    ax.set_xlabel("order (block size = 2^order pages of 4 KiB)")
    if unit == "blocks":
        ax.set_ylabel("free blocks (nr_free)")
    else:
        ax.set_ylabel("free pages (nr_free x 2^order)")
    ax.set_title(title or "free_area of %s: nr_free per order, in %s" % (zone_title(snap_zone),
                                                                       unit))
    nr_blocks = sum(snap_zone.nr_free)
    nr_pages = sum(n << o for o, n in enumerate(snap_zone.nr_free))
    ax.text(0.01, 0.98, "%d blocks = %d pages free\n+ %d pages on pcp lists (not in nr_free)"
            % (nr_blocks, nr_pages, snap_zone.pcp_pages()), transform=ax.transAxes,
            ha="left", va="top", fontsize=8, gid="totals")
    top = max(bottom) if bottom else 0
    ax.set_ylim(0, max(1.0, top * 1.35))
    if unit == "blocks" and top <= 20:
        from matplotlib.ticker import MaxNLocator
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [ax.containers[mt] for mt in present]
    if handles:
        ax.legend(handles=handles, labels=[MIGRATETYPE_NAMES[mt] for mt in present],
                  title="free_list[migratetype]", fontsize=8, title_fontsize=8, loc="upper right")
    seed_note(ax, seed)
    return ax


def plot_free_area_pair(snap_zone, axes=None, seed=None):
    """`plot_free_area` twice, side by side: blocks (as buddyinfo) and pages.

    Returns the two Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> a_blocks, a_pages = plot_free_area_pair(m.zone_snapshot(0, "DMA"))
    >>> a_blocks.get_ylabel()
    'free blocks (nr_free)'
    """
    a, b = new_axes_row(axes, 2, (8.8, 3.8))
    plot_free_area(snap_zone, ax=a, unit="blocks",
                   title="%s: free blocks per order (/proc/buddyinfo)" % zone_title(snap_zone))
    plot_free_area(snap_zone, ax=b, unit="pages", seed=seed,
                   title="%s: free pages per order (blocks x 2^order)" % zone_title(snap_zone))
    a.figure.tight_layout()
    return [a, b]
