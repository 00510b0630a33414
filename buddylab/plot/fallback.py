"""Migrate-type fallback: which list was raided, claim or steal, which pageblock changed.

Kernel: __rmqueue_fallback(), find_suitable_fallback(), can_steal_fallback(),
steal_suitable_fallback() and the fallbacks[][] table in mm/page_alloc.c
(v4.18); the mm_page_alloc_extfrag tracepoint.

__rmqueue_fallback() searches from the LARGEST order down, so that it takes
a whole pageblock if it can.  If it may (whole_block), it "claims": the free
pages of the pageblock move to the requesting type's list and, when at least
half of the block is free or compatible, the pageblock's type changes.
Otherwise it only "steals" the one block it needs.
"""

from ..buddy import fallbacks
from ..mmzone import MIGRATE_PCPTYPES, MIGRATETYPE_NAMES
from .palette import MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES, legend_handles
from ._util import new_axes_row, seed_note, mtname


def plot_fallback(events, snap_before=None, snap_after=None, ax=None, which=0, seed=None):
    """Two panels about one fallback: the raided free_area cell, and the pageblocks.

    `events` holds a "fallback" event (the `which`-th is used), e.g. from
    ``t = m.start_trace(); m.alloc_pages(...); m.stop_trace()``.
    `snap_before`/`snap_after` are ZoneSnapshots of the zone taken before and
    after (optional).  Left panel: free_list[mt] x order, the searched lists
    in fallbacks[] order, the cell raided marked with "claim" or "steal" (gid
    ``"raided"``), cells holding free blocks before the call shaded.  Right
    panel: the pageblock types before and after (one box per pageblock,
    coloured by type; the pageblock that changed outlined thick, gid
    ``"changed"``); without snapshots, only the one pageblock of the event.
    `ax` is None or two Axes.  The data: `fallback_rows` (left panel) and
    `fallback_pageblock_rows` (right panel).  Returns the two Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> before = m.zone_snapshot(0, "DMA")
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, 0); t = m.stop_trace()
    >>> a, b = plot_fallback(t, before, m.zone_snapshot(0, "DMA"))
    >>> [p.get_gid() for p in a.patches if p.get_gid() == "raided"]
    ['raided']
    """
    fb, alloc_order = _fallback_event(events, which, snap_before)
    a, b = new_axes_row(ax, 2, (8.4, 4))
    _draw_raid(a, fb, snap_before, alloc_order)
    _draw_pageblocks(b, fb, snap_before, snap_after)
    seed_note(b, seed)
    return [a, b]


def _fallback_event(events, which, snap=None):
    """The `which`-th fallback and the order of the request it served (None when no
    mm_page_alloc_extfrag event follows it).

    v4.18 fires one "fallback" event (__rmqueue_fallback()); v6.18 fires "claim" (from
    __rmqueue_claim(): try_to_claim_block()) and "steal" (__rmqueue_steal()), mm/page_alloc.c,
    v6.18.  A claim that claimed nothing is followed by the steal or another claim that served
    the request, so only claims that claimed and steals count; each is read as the classic
    event's fields (`_as_fallback`)."""
    fbs = [_as_fallback(e, snap) for e in events if e.name in ("fallback", "steal")
           or (e.name == "claim" and e["claimed"])]
    if not fbs:
        raise ValueError("no 'fallback' event (v6.18: 'claim' or 'steal') in these events")
    if not 0 <= which < len(fbs):
        raise ValueError("which=%d: only %d fallback events" % (which, len(fbs)))
    fb, ev = fbs[which]
    evs = list(events)
    i = next(j for j, e in enumerate(evs) if e is ev)
    extfrag = next((e for e in evs[i:] if e.name == "mm_page_alloc_extfrag"), None)
    return fb, (extfrag["alloc_order"] if extfrag is not None else None)


def _as_fallback(e, snap):
    """(fields, event): a v6.18 "claim"/"steal" event's fields under the v4.18 "fallback"
    names the panels read ("func" names the kernel function; moved/movable pages are None
    where v6.18 counts free and alike pages instead).  A steal names no pageblock: it is the
    stolen block's, from `snap`'s pageblock_order (without a snapshot, the block's own pfn)."""
    if e.name == "fallback":
        return dict(e.fields, func="__rmqueue_fallback()", searched="down"), e
    f = dict(e.fields, whole_block=False, moved_pages=None, movable_pages=None,
             old_pageblock_mt=e["fallback_migratetype"])
    if e.name == "claim":
        f.update(func="__rmqueue_claim()", searched="down",
                 new_pageblock_mt=e["start_migratetype"])
    else:
        pb_order = snap.pageblock_order if snap is not None else 0
        f.update(func="__rmqueue_steal()", searched="up", claimed=False,
                 pageblock_pfn=e["pfn"] >> pb_order << pb_order, nr_pageblocks=1,
                 new_pageblock_mt=e["fallback_migratetype"])
    return f, e


def _searched(fb, snap):
    """The free lists __rmqueue_fallback() looked at (own type, then fallbacks[] in order) and
    the number of orders shown."""
    start = fb["start_migratetype"]
    max_order = snap.max_order if snap is not None else max(fb["order"] + 1, 11)
    return [start] + list(fallbacks.get(start, ())), max_order


def fallback_rows(events, snap_before=None, which=0):
    """The left panel of `plot_fallback` as a table: one row per searched free list and order,
    (free_list type, "own" or "fallback i", order, free blocks before the call (None without
    `snap_before`), "claim" or "steal" on the raided cell, else "").

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> before = m.zone_snapshot(0, "DMA")
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, 0); t = m.stop_trace()
    >>> [r for r in fallback_rows(t, before) if r[3] or r[4]]
    [('Movable', 'fallback 2', 4, 4, 'claim')]
    """
    fb, _ = _fallback_event(events, which, snap_before)
    lists, max_order = _searched(fb, snap_before)
    how = "claim" if fb["claimed"] else "steal"
    return [(MIGRATETYPE_NAMES[mt], "own" if i == 0 else "fallback %d" % i, o,
             snap_before.free_count(mt, o) if snap_before is not None else None,
             how if (mt, o) == (fb["fallback_migratetype"], fb["order"]) else "")
            for i, mt in enumerate(lists) for o in range(max_order)]


def fallback_pageblock_rows(events, snap_before=None, snap_after=None, which=0):
    """The right panel of `plot_fallback` as a table: (pageblock's first pfn, type before,
    type after); only the event's pageblock without both snapshots."""
    fb, _ = _fallback_event(events, which, snap_before)
    before, after = _pageblock_pairs(fb, snap_before, snap_after)
    after = dict(after)
    return [(p, MIGRATETYPE_NAMES[mt], MIGRATETYPE_NAMES[after[p]]) for p, mt in before
            if p in after]


def _pageblock_pairs(fb, before, after):
    """((pfn, type) before, (pfn, type) after): from the snapshots, else the event's block."""
    if before is not None and after is not None:
        return before.pageblock_mt, after.pageblock_mt
    pb = fb["pageblock_pfn"]
    return ((pb, fb["old_pageblock_mt"]),), ((pb, fb["new_pageblock_mt"]),)


def _draw_raid(ax, fb, snap, alloc_order):
    from matplotlib.patches import Rectangle
    order = fb["order"]
    rows, max_order = _searched(fb, snap)
    for r, mt in enumerate(rows):
        for o in range(max_order):
            n = snap.free_count(mt, o) if snap is not None else 0
            ax.add_patch(Rectangle((o, r), 0.95, 0.9, facecolor=MIGRATETYPE_COLORS[mt]
                                   if n else "white", alpha=0.55 if n else 1.0,
                                   hatch=MIGRATETYPE_HATCHES[mt] if n else "",
                                   edgecolor="#999999", linewidth=0.5,
                                   gid="cell %d %d" % (mt, o)))
            if n:
                ax.text(o + 0.47, r + 0.45, str(n), ha="center", va="center", fontsize=8)
    r = rows.index(fb["fallback_migratetype"]) if fb["fallback_migratetype"] in rows else None
    if r is not None:
        how = "claim" if fb["claimed"] else "steal"
        ax.add_patch(Rectangle((order, r), 0.95, 0.9, facecolor="none", edgecolor="black",
                               linewidth=2.5, gid="raided"))
        ax.text(order + 0.47, -0.1, "%s pfn %d" % (how, fb["pfn"]), ha="center", va="bottom",
                fontsize=8, fontweight="bold", gid="how")
    ax.set_xlim(-0.1, max_order)
    ax.set_ylim(len(rows) + 0.1, -0.9)
    ax.set_xticks([o + 0.47 for o in range(max_order)])
    ax.set_xticklabels([str(o) for o in range(max_order)], fontsize=8)
    ax.set_yticks([r + 0.45 for r in range(len(rows))])
    ax.set_yticklabels(["free_list[%s]%s" % (mtname(mt), " (own)" if i == 0 else
                                             " (fallback %d)" % i)
                        for i, mt in enumerate(rows)], fontsize=8)
    req = "?" if alloc_order is None else alloc_order
    ax.set_xlabel("order (searched from %d down to the request's order %s)" % (max_order - 1, req)
                  if fb["searched"] == "down" else
                  "order (searched from the request's order %s up to %d)" % (req, max_order - 1))
    ax.set_title("%s: a %s request raids free_list[%s] order %d\n"
                 "(numbers: free blocks before the call)"
                 % (fb["func"], mtname(fb["start_migratetype"]),
                    mtname(fb["fallback_migratetype"]), order), fontsize=9)
    ax.legend(handles=legend_handles(rows, ()), fontsize=8, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), title="free_list", title_fontsize=8)


def _draw_pageblocks(ax, fb, before, after):
    from matplotlib.patches import Rectangle
    pb = fb["pageblock_pfn"]
    rows = list(zip(("before", "after"), _pageblock_pairs(fb, before, after)))
    pbs = [p for p, _ in rows[0][1]]
    index = {p: i for i, p in enumerate(pbs)}
    mts = set()
    for r, (name, pairs) in enumerate(rows):
        for p, mt in pairs:
            x = index.get(p)
            if x is None:
                continue
            mts.add(mt)
            changed = r == 1 and p == pb
            ax.add_patch(Rectangle((x, r), 0.95, 0.8, facecolor=MIGRATETYPE_COLORS[mt],
                                   hatch=MIGRATETYPE_HATCHES[mt],
                                   edgecolor="black", linewidth=2.5 if changed else 0.5,
                                   gid="changed" if changed else "pageblock %s %d %d"
                                   % (name, p, mt)))
    ax.set_xlim(-0.1, len(pbs))
    ax.set_ylim(2, -0.2)
    ax.set_yticks([0.4, 1.4])
    ax.set_yticklabels(["before", "after"])
    step = max(1, len(pbs) // 16)
    ax.set_xticks([i + 0.47 for i in range(0, len(pbs), step)])
    ax.set_xticklabels([str(pbs[i]) for i in range(0, len(pbs), step)], fontsize=8,
                       rotation=90 if len(pbs) > 8 else 0)
    ax.set_xlabel("pageblock (first pfn)")
    verdict = ("type %s -> %s" % (mtname(fb["old_pageblock_mt"]), mtname(fb["new_pageblock_mt"]))
               if fb["old_pageblock_mt"] != fb["new_pageblock_mt"] else "type unchanged (%s)"
               % mtname(fb["old_pageblock_mt"]))
    if fb["moved_pages"] is not None:          # v4.18: move_freepages_block()'s counts
        counts = ", %d free pages moved, %d movable pages counted" % (fb["moved_pages"],
                                                                       fb["movable_pages"])
    elif fb["claimed"]:                        # v6.18: try_to_claim_block()'s counts
        counts = ", %d free + %d alike pages" % (fb["free_pages"], fb["alike_pages"])
    else:
        counts = ""
    ax.set_title("pageblock %d: %s\n%s%s"
                 % (pb, verdict, "claimed" if fb["claimed"] else "stolen (one block)", counts),
                 fontsize=9)
    ax.legend(handles=legend_handles(sorted(mts), ()), fontsize=8, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), title="pageblock type", title_fontsize=8)
