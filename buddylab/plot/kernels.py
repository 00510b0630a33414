"""Two kernel profiles side by side (chapter 07): one scenario, two memory maps.

Kernel: none (figures).  `fragment_zone` drives a machine through its public API only
(alloc_pages / free_pages / drain_all_pages), so each profile applies its own rules;
`polluted_pageblocks` and `plot_memory_map_pair` read snapshots only.

>>> import buddylab as bl
>>> c, m = (bl.Machine(kernel=k, **PAIR_ZONE) for k in ("classic", "modern"))
>>> [polluted_pageblocks(x.zone_snapshot(0, "Normal")) for x in (fragment_zone(c), fragment_zone(m))]
[0, 0]
"""

import random

#: the chapter's fallback zone: 1024 pages, pageblocks of 16 pages, orders 0..5, marks 0
PAIR_ZONE = dict(nodes=[{"Normal": 1024}], cpus_per_node=1, max_order=6, pageblock_order=4,
                 min_free_kbytes=0)


def fragment_zone(m, share=0.3, seed=7, zone=(0, "Normal")):
    """Fill the zone with Movable order-0 pages on CPU 0, free a seeded `share` of them (each
    page freed when its draw is below `share`), drain every pcp list; returns `m`."""
    g = m.kernel.gfp
    nr = m.zone_snapshot(*zone).managed_pages
    pages = [m.alloc_pages(g.GFP_HIGHUSER_MOVABLE, 0, cpu=0) for _ in range(nr)]
    rng = random.Random(seed)
    for p in pages:
        if p is not None and rng.random() < share:
            m.free_pages(p, 0, cpu=0)
    m.drain_all_pages()
    return m


def polluted_pageblocks(snap_zone):
    """How many pageblocks hold an allocation of another migrate type than their own."""
    nr = 1 << snap_zone.pageblock_order
    types = dict(snap_zone.pageblock_mt)
    return len({pb for pfn, order, mt in snap_zone.allocated
                for pb in range(pfn & ~(nr - 1), pfn + (1 << order), nr) if types[pb] != mt})


def plot_memory_map_pair(snaps, titles, axes=None, width=64, max_rows=32, figsize=(9.6, 4.6)):
    """`plot_memory_map` of each snapshot in a row, one shared legend (one colour per
    migrate type, from the palette) under them; returns the Axes."""
    from ._util import new_axes_row
    from .memmap import plot_memory_map
    from .palette import legend_handles
    axes = new_axes_row(axes, len(snaps), figsize)
    for ax, snap, title in zip(axes, snaps, titles):
        plot_memory_map(snap, ax=ax, width=width, max_rows=max_rows, legend=False, title=title)
    fig = axes[0].figure
    fig.legend(handles=legend_handles(), loc="lower center", ncol=4, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return axes
