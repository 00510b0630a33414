"""Zonelists, one request's walk along its zonelist, and the watermarks it checks.

Kernel: build_zonelists() (mm/page_alloc.c), get_page_from_freelist() and
zone_watermark_ok() / __zone_watermark_ok(), setup_per_zone_wmarks(),
setup_per_zone_lowmem_reserve() (v4.18).

A request walks its node's zonelist from the first entry; in each zone it
asks whether free pages minus the order's own pages stay above the
watermark plus lowmem_reserve[classzone_idx] (the protection a lower zone
keeps against requests that could have used a higher zone).
"""

from ..mmzone import ZONE_NAMES
from ..kernels.v6_18.mmzone import WMARK_NAMES as _WMARK_NAMES_618

# min, low, high (v4.18) and promo (v6.18): a snapshot carries as many marks as its kernel
_WMARK_STYLES = dict(zip(_WMARK_NAMES_618, (":", "--", "-", "-.")))
from .palette import OK_COLOR, FAIL_COLOR, ZONE_COLORS, NEUTRAL_LIGHT, NEUTRAL_DARK
from ._util import new_axes, seed_note


def _zonelists(source, gfp_mask):
    """({nid: [(nid, zone name), ...]}, what they are) from a Machine or a dict."""
    if isinstance(source, dict):
        return dict(source), "given zonelists"
    from ..gfp import GFP_KERNEL
    mask = GFP_KERNEL if gfp_mask is None else gfp_mask
    return ({nid: source.zonelist(nid, mask) for nid in range(source.nr_nodes)},
            "gfp_mask %s" % (mask,))


def zonelist_rows(source, gfp_mask=None):
    """`plot_zonelists` as a table: (node whose zonelist it is, position in the walk, zone's
    node, zone name), in walk order.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> zonelist_rows(m)
    [(0, 0, 0, 'DMA'), (0, 1, 1, 'Normal'), (1, 0, 1, 'Normal'), (1, 1, 0, 'DMA')]
    """
    zonelists, _ = _zonelists(source, gfp_mask)
    return [(nid, i, znid, zname) for nid in sorted(zonelists)
            for i, (znid, zname) in enumerate(zonelists[nid])]


def plot_zonelists(source, ax=None, gfp_mask=None, seed=None):
    """Every node's zonelist as a row of boxes in walk order, with arrows.

    `source` is a Machine (its ``m.zonelist(nid, gfp_mask)`` is read for
    every node; `gfp_mask` defaults to GFP_KERNEL) or a dict ``{nid: [(nid,
    zone name), ...]}`` of zonelists already taken.  A box (gid ``"zoneref
    <row nid> <i> <nid> <zone>"``) is coloured by zone type; boxes of another
    node than the row's are hatched.  The data: `zonelist_rows(source, gfp_mask)`.
    Returns the Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> ax = plot_zonelists(m)
    >>> [p.get_gid() for p in ax.patches]
    ['zoneref 0 0 0 DMA', 'zoneref 0 1 1 Normal', 'zoneref 1 0 1 Normal', 'zoneref 1 1 0 DMA']
    """
    from matplotlib.patches import Rectangle, Patch
    zonelists, what = _zonelists(source, gfp_mask)
    nids = sorted(zonelists)
    longest = max([len(zonelists[n]) for n in nids] + [1])
    ax = new_axes(ax, (min(14, 2 + 1.8 * longest), 1 + 0.8 * len(nids)))
    kinds = set()
    for r, nid in enumerate(nids):
        for i, (znid, zname) in enumerate(zonelists[nid]):
            kinds.add(zname)
            ax.add_patch(Rectangle((i * 1.5, r + 0.15), 1.1, 0.7, facecolor=ZONE_COLORS.get(
                zname, "#999999"), hatch="" if znid == nid else "//", edgecolor="black",
                linewidth=0.8, gid="zoneref %d %d %d %s" % (nid, i, znid, zname)))
            ax.text(i * 1.5 + 0.55, r + 0.5, "node %d\n%s" % (znid, zname), ha="center",
                    va="center", fontsize=8, bbox=dict(boxstyle="square,pad=0.1",
                                                      facecolor="white", edgecolor="none",
                                                      alpha=0.8))
            if i:
                ax.annotate("", xy=(i * 1.5, r + 0.5), xytext=(i * 1.5 - 0.4, r + 0.5),
                            arrowprops=dict(arrowstyle="->"))
    ax.set_xlim(-0.2, longest * 1.5)
    ax.set_ylim(len(nids), 0)
    ax.set_yticks([r + 0.5 for r in range(len(nids))])
    ax.set_yticklabels(["node %d's zonelist" % n for n in nids], fontsize=8)
    ax.set_xticks([i * 1.5 + 0.55 for i in range(longest)])
    ax.set_xticklabels([str(i) for i in range(longest)], fontsize=8)
    ax.set_xlabel("position in the walk (_zonerefs[i])")
    ax.set_title("Zonelists (%s): walked left to right, highest zone of the nearest node first"
                 % what, fontsize=10)
    handles = [Patch(facecolor=ZONE_COLORS.get(z, "#999999"), edgecolor="black", label=z)
               for z in ZONE_NAMES if z in kinds]
    handles.append(Patch(facecolor="white", hatch="//", edgecolor="black",
                         label="zone of another node"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    seed_note(ax, seed)
    return ax


def zonelist_walks(events):
    """The runs of consecutive "zonelist_step" events (one walk each), in order."""
    walks, cur = [], None
    for ev in events:
        if ev.name == "zonelist_step":
            if cur is None:
                cur = []
                walks.append(cur)
            cur.append(ev)
        else:
            cur = None
    return walks


def plot_zonelist_walk(events, ax=None, which=0, seed=None):
    """One get_page_from_freelist() walk: per zone, free pages against the watermark.

    `events` holds "zonelist_step" events; the `which`-th run of consecutive
    steps is drawn.  One horizontal bar per zone visited, top to bottom in
    walk order (gid ``"step <i> ok"`` or ``"step <i> fail"``), coloured
    white when the zone passed and grey, hatched, when it failed; a black tick
    marks watermark + lowmem_reserve.  Returns the Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, 0); t = m.stop_trace()
    >>> [b.get_gid() for b in plot_zonelist_walk(t).patches]
    ['step 0 ok']
    """
    walks = zonelist_walks(events)
    if not walks:
        raise ValueError("no zonelist_step events in these events")
    if not 0 <= which < len(walks):
        raise ValueError("which=%d: only %d zonelist walks" % (which, len(walks)))
    steps = walks[which]
    ax = new_axes(ax, (8, 1.4 + 0.6 * len(steps)))
    for i, st in enumerate(steps):
        need = st["mark_pages"] + st["lowmem_reserve"]
        ax.barh(i, st["free_pages"], height=0.6, color=OK_COLOR if st["ok"] else FAIL_COLOR,
                hatch="" if st["ok"] else "xx", edgecolor="black", linewidth=0.5,
                gid="step %d %s" % (i, "ok" if st["ok"] else "fail"))
        ax.plot([need, need], [i - 0.4, i + 0.4], color="black", linewidth=2)
        ax.text(max(st["free_pages"], need), i, "  %s: free %d vs %s %d + reserve %d"
                % ("ok" if st["ok"] else "fail", st["free_pages"], st["mark"], st["mark_pages"],
                   st["lowmem_reserve"]), va="center", fontsize=8)
    ax.set_yticks(range(len(steps)))
    ax.set_yticklabels(["node %d %s" % (s["nid"], s["zone"]) for s in steps], fontsize=8)
    ax.set_ylim(len(steps) - 0.5, -0.5)
    xmax = max(max(s["free_pages"], s["mark_pages"] + s["lowmem_reserve"]) for s in steps)
    ax.set_xlim(0, max(1, xmax) * 1.9)
    ax.set_xlabel("pages")
    ax.set_title("get_page_from_freelist(): order-%d request, classzone_idx %d, walk in "
                 "zonelist order" % (steps[0]["order"], steps[0]["classzone_idx"]), fontsize=10)
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    ax.legend(handles=[Patch(facecolor=OK_COLOR, edgecolor="black", label="free pages: ok"),
                       Patch(facecolor=FAIL_COLOR, hatch="xx", edgecolor="black",
                             label="free pages: fail"),
                       Line2D([], [], color="black", linewidth=2,
                              label="watermark + lowmem_reserve")],
              fontsize=8, loc="lower right")
    seed_note(ax, seed)
    return ax


def watermark_rows(snap, order=0, classzone_idx=None):
    """The data of `plot_watermarks` as a table: one row per populated zone,
    (nid, zone, NR_FREE_PAGES, min, low, high[, promo on v6.18], lowmem_reserve[classzone_idx],
    free pages in
    blocks of order >= `order`).  `classzone_idx` defaults to the highest populated zone.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> watermark_rows(m.snapshot(), order=4)
    [(0, 'DMA', 64, 0, 0, 0, 0, 64)]
    """
    zones = [z for z in getattr(snap, "zones", (snap,)) if z.managed_pages > 0]
    if classzone_idx is None:
        classzone_idx = max([z.zone_idx for z in zones] + [0])
    return [(z.nid, z.name, z.nr_free_pages) + tuple(z.watermark)
            + (z.lowmem_reserve[classzone_idx] if classzone_idx < len(z.lowmem_reserve) else 0,
               sum(n << o for o, n in enumerate(z.nr_free) if o >= order))
            for z in zones]


def plot_watermarks(snap, ax=None, order=0, classzone_idx=None, seed=None):
    """Per populated zone: free pages against min/low/high and lowmem_reserve protection.

    `snap` is a MachineSnapshot (every populated zone is drawn) or one
    ZoneSnapshot.  A zone gets a bar of its free pages (NR_FREE_PAGES, gid
    ``"free <nid> <zone>"``), horizontal ticks at min, low and high (and promo on a v6.18
    snapshot), and a
    hatched box from high to high + lowmem_reserve[classzone_idx] (the pages
    it keeps from a request whose highest usable zone is classzone_idx;
    default: the highest populated zone).  For order > 0 a thinner bar shows
    the free pages in blocks of that order or larger.  Returns the Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine()
    >>> ax = plot_watermarks(m.snapshot())
    >>> [p.get_gid() for p in ax.patches if p.get_gid().startswith("free")]
    ['free 0 DMA', 'free 0 Normal']
    """
    from matplotlib.patches import Rectangle
    zones = [z for z in getattr(snap, "zones", (snap,)) if z.managed_pages > 0]
    if classzone_idx is None:
        classzone_idx = max([z.zone_idx for z in zones] + [0])
    ax = new_axes(ax, (max(5, 1.8 * len(zones) + 2), 4))
    rows = watermark_rows(snap, order, classzone_idx)
    for i, (z, row) in enumerate(zip(zones, rows)):
        res, usable = row[-2], row[-1]
        ax.add_patch(Rectangle((i - 0.3, 0), 0.6, z.nr_free_pages, facecolor=NEUTRAL_LIGHT,
                               edgecolor="black", linewidth=0.5,
                               gid="free %d %s" % (z.nid, z.name)))
        if order > 0:
            ax.add_patch(Rectangle((i - 0.1, 0), 0.2, usable, facecolor=NEUTRAL_DARK,
                                   edgecolor="black", linewidth=0.5,
                                   gid="usable %d %s" % (z.nid, z.name)))
        for name, v in zip(_WMARK_NAMES_618, z.watermark):
            ax.plot([i - 0.4, i + 0.4], [v, v], color="black", linestyle=_WMARK_STYLES[name],
                    linewidth=1.5, label="watermark %s" % name if i == 0 else None)
        if res:
            ax.add_patch(Rectangle((i - 0.4, z.watermark[2]), 0.8, res, facecolor="none",
                                   hatch="//", edgecolor="black", linewidth=0.8,
                                   gid="reserve %d %s" % (z.nid, z.name)))
        ax.text(i, z.nr_free_pages, "%d" % z.nr_free_pages, ha="center", va="bottom",
                fontsize=8)
    from matplotlib.patches import Patch
    handles, labels = ax.get_legend_handles_labels()
    handles = [Patch(facecolor=NEUTRAL_LIGHT, edgecolor="black", label="free pages")] + handles
    if order > 0:
        handles.append(Patch(facecolor=NEUTRAL_DARK, edgecolor="black",
                             label="free in blocks of order >= %d" % order))
    handles.append(Patch(facecolor="none", hatch="//", edgecolor="black",
                         label="lowmem_reserve[%s] above high" % ZONE_NAMES[classzone_idx]))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xticks(range(len(zones)))
    ax.set_xticklabels(["node %d\n%s" % (z.nid, z.name) for z in zones], fontsize=8)
    ax.set_xlim(-0.6, len(zones) - 0.4)
    top = max([1] + [max(r[2], max(z.watermark) + r[-2]) for z, r in zip(zones, rows)])
    ax.set_ylim(0, top * 1.15)
    ax.set_yscale("symlog", linthresh=max(1, min([z.watermark[0] for z in zones if
                                                  z.watermark[0]] or [10])))
    ax.set_ylabel("pages (symlog scale)")
    ax.set_xlabel("zone")
    ax.set_title("Watermarks per zone (order-%d view, classzone %s)"
                 % (order, ZONE_NAMES[classzone_idx]), fontsize=10)
    seed_note(ax, seed)
    return ax
