"""Helpers of chapter 04 (node and zone selection): a dry-run zonelist walk and its widget.

Kernel: get_page_from_freelist() and zone_watermark_fast() in mm/page_alloc.c (v4.18).
`walk()` asks every zone of a request's zonelist the fast path's question (is the zone above
its low watermark plus the protection it keeps against this request's class?) without
allocating anything, so a student can change the free pages of a zone and see the verdict
flip.  A real allocation traced with "zonelist_step" events stops at the first zone that
passes; `walk()` answers for every zone.
"""

import buddylab as bl
from buddylab import mmzone as mz
from buddylab.zone import zone_watermark_ok_full
from buddylab.plot.palette import OK_COLOR, FAIL_COLOR

GFP_CHOICES = {
    "GFP_KERNEL": bl.GFP_KERNEL,
    "GFP_KERNEL | __GFP_THISNODE": bl.GFP_KERNEL | bl.__GFP_THISNODE,
    "GFP_DMA32": bl.GFP_DMA32,
    "GFP_DMA": bl.GFP_DMA,
    "GFP_HIGHUSER_MOVABLE": bl.GFP_HIGHUSER_MOVABLE,
}


def walk(m, nid, gfp_mask, order=0, free=None, wmark=mz.WMARK_LOW):
    """Rows (nid, zone, free, mark, reserve, ok) from the preferred zoneref on.

    `free` maps (nid, zone name) to a pretend NR_FREE_PAGES.  Zones above the request's
    highest zone (gfp_zone) are not visited, as for_each_zone_zonelist_nodemask skips them.
    """
    free = free or {}
    high_zoneidx = bl.gfp_zone(gfp_mask)
    which = mz.ZONELIST_NOFALLBACK if gfp_mask & bl.__GFP_THISNODE else mz.ZONELIST_FALLBACK
    zones = [z for z in m.nodes[nid].node_zonelists[which] if z.idx <= high_zoneidx]
    if not zones:
        return []
    classzone_idx = zones[0].idx          # ac_classzone_idx(): the preferred zoneref's zone
    rows = []
    for z in zones:
        nr_free = free.get((z.nid, z.name), z.NR_FREE_PAGES)
        mark = z.watermark[wmark]
        reserve = z.lowmem_reserve[classzone_idx]
        ok = (order == 0 and nr_free > mark + reserve) or \
            zone_watermark_ok_full(z, order, mark, classzone_idx, wmark, nr_free)
        rows.append((z.nid, z.name, nr_free, mark, reserve, bool(ok)))
    return rows


def print_walk(rows):
    """The rows of walk() as a table, and where the request would be served."""
    print("%-14s %10s %8s %10s  %s" % ("zone", "free", "low", "reserve", "verdict"))
    for nid, name, nr_free, mark, reserve, ok in rows:
        print("%-14s %10d %8d %10d  %s" % ("node %d %s" % (nid, name), nr_free, mark, reserve,
                                           "ok" if ok else "fail"))
    served = next((r for r in rows if r[5]), None)
    print("-> served by node %d %s" % served[:2] if served else
          "-> no zone passes: the slow path begins (kswapd, min watermark, reclaim)")


def zone_table(m, populated_only=True):
    """One line per zone: node, name, start_pfn, spanned, present, managed, reserved."""
    print("%-5s %-8s %10s %10s %10s %10s %9s" % ("node", "zone", "start_pfn", "spanned",
                                                "present", "managed", "reserved"))
    for z in m.zones:
        if populated_only and not z.present_pages:
            continue
        print("%-5d %-8s %10d %10d %10d %10d %9d" % (
            z.nid, z.name, z.zone_start_pfn, z.spanned_pages, z.present_pages,
            z.managed_pages, z.present_pages - z.managed_pages))


def slider_top(z):
    """The free-pages slider's end for zone z: three times its largest threshold (high
    watermark + largest lowmem_reserve), at least 64 pages and at most managed_pages, so
    a pixel of the slider is a few pages near the watermarks, not a thousand."""
    return min(z.managed_pages, max(64, 3 * (z.watermark[mz.WMARK_HIGH] + max(z.lowmem_reserve))))


def walk_widget(m):
    """Pick a node, a GFP mask, an order and the free pages of one zone; see the walk."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    zones = [(z.nid, z.name) for z in m.zones if z.managed_pages]
    nid = w.Dropdown(options=list(range(m.nr_nodes)), description="node")
    gfp = w.Dropdown(options=list(GFP_CHOICES), description="gfp_mask")
    order = w.IntSlider(value=0, min=0, max=m.max_order - 1, description="order")
    zone = w.Dropdown(options=[("node %d %s" % k, k) for k in zones], description="zone")
    pages = w.IntSlider(min=0, max=slider_top(m.zone(*zones[0])), description="its free",
                        continuous_update=False, layout=w.Layout(width="480px"))
    pages.value = min(m.zone(*zones[0]).NR_FREE_PAGES, pages.max)

    def sync_zone(change):
        z = m.zone(*zone.value)
        pages.max = slider_top(z)
        pages.value = min(z.NR_FREE_PAGES, pages.max)

    zone.observe(sync_zone, "value")

    def show(nid, gfp, order, zone, pages):
        rows = walk(m, nid, GFP_CHOICES[gfp], order, free={zone: pages})
        real = m.zone(*zone).NR_FREE_PAGES
        print("slider: 0..%d pages of node %d %s (around its watermarks; it really has %d free)"
              % (slider_top(m.zone(*zone)), zone[0], zone[1], real))
        print("node %d's zonelist for %s:" % (nid, gfp), m.zonelist(nid, GFP_CHOICES[gfp]))
        print_walk(rows)
        if rows:
            fig, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(rows)))
            for i, (znid, name, nr_free, mark, reserve, ok) in enumerate(rows):
                ax.barh(i, nr_free, color=OK_COLOR if ok else FAIL_COLOR,
                        hatch="" if ok else "xx", edgecolor="black", linewidth=0.5)
                ax.plot([mark + reserve] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
            ax.set_yticks(range(len(rows)))
            ax.set_yticklabels(["node %d %s" % r[:2] for r in rows])
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xscale("symlog", linthresh=100)
            ax.set_xlabel("free pages (bar) vs low + reserve (black tick)")
            fig.tight_layout()          # the zone names and the x label stay inside the image
            plt.show()

    out = w.interactive_output(show, dict(nid=nid, gfp=gfp, order=order, zone=zone,
                                          pages=pages))
    return w.VBox([w.HBox([nid, gfp, order]), w.HBox([zone, pages]), out])
