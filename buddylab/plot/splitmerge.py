"""The steps of one expand() or one __free_one_page(), as small multiples.

Kernel: expand() and __free_one_page() in mm/page_alloc.c, __find_buddy_pfn()
in mm/internal.h.

A block tree, one level per order: an allocation starts at the top with the
block __rmqueue_smallest() took ("rmqueue") and each "split" adds a level, the
low half kept and the upper half (``buddy = pfn ^ (1 << order)``) put at the
head of free_list[mt]; a free starts at the bottom with the freed block and
each "merge" adds a level above, the block joined with its buddy, until
"place" puts the result at the head or the tail of its list.  Panel i shows
the tree after step i, so the last panel alone is the whole story.
"""

from .palette import MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES, STATE_COLORS, legend_handles
from ._util import new_axes_row, seed_note, mtname

FREED_COLOR = "#FFFFFF"          # the block being freed / merged (not yet on a list)


def split_merge_groups(events):
    """The expand() and __free_one_page() runs in a list of events, in order.

    Each group is ("expand", [rmqueue, split, ...]) or ("free", [merge, ...,
    place]); the events come from ``m.start_trace(); ...; m.stop_trace()``.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, order=2); m.free_pages(p, order=2)
    >>> [(kind, [e.name for e in evs]) for kind, evs in split_merge_groups(m.stop_trace())]
    [('expand', ['rmqueue', 'split', 'split']), ('free', ['merge', 'merge', 'place'])]
    """
    groups = []
    cur = None
    for ev in events:
        n = ev.name
        if n == "rmqueue":
            cur = ("expand", [ev])
            groups.append(cur)
        elif n == "split" and cur is not None and cur[0] == "expand":
            cur[1].append(ev)
        elif n == "merge":
            if cur is None or cur[0] != "free" or cur[1][-1].name == "place":
                cur = ("free", [])
                groups.append(cur)
            cur[1].append(ev)
        elif n == "place":
            if cur is None or cur[0] != "free" or cur[1][-1].name == "place":
                cur = ("free", [])
                groups.append(cur)
            cur[1].append(ev)
        elif n in ("mm_page_alloc_zone_locked", "pcp_refill", "mm_page_alloc", "mm_page_free",
                   "pcp_free", "pcp_alloc", "mm_page_pcpu_drain", "pcp_drain", "fallback",
                   "mm_page_alloc_extfrag", "zonelist_step"):
            cur = None
    return groups


def _tree_steps(kind, evs):
    """For each step, the list of boxes (pfn, order, role, mt, note) on the tree so far."""
    steps = []
    boxes = []
    if kind == "expand":
        r = evs[0]
        boxes.append([r["pfn"], r["order"], "taken", r["migratetype"],
                      "taken from head of\nfree_list[%s]" % mtname(r["migratetype"])])
        steps.append(("__rmqueue_smallest(): order-%d block at pfn %d from the head of "
                      "free_list[%s]" % (r["order"], r["pfn"], mtname(r["migratetype"])),
                      [list(b) for b in boxes]))
        for s in evs[1:]:
            lo, bo = s["pfn"], s["buddy_order"]
            for b in boxes:
                if b[2] == "kept":
                    b[2] = "split"
            boxes[0][2] = "split" if boxes[0][2] == "taken" else boxes[0][2]
            boxes.append([lo, bo, "kept", s["migratetype"], ""])
            boxes.append([s["buddy_pfn"], bo, "free", s["migratetype"],
                          "%d = %d ^ (1 << %d)\n-> head of [%s] o%d"
                          % (s["buddy_pfn"], lo, bo, mtname(s["migratetype"]), bo)])
            steps.append(("expand(): split order %d at pfn %d; buddy %d ^ (1 << %d) = %d"
                          % (s["order"], lo, lo, bo, s["buddy_pfn"]), [list(b) for b in boxes]))
        last = steps[-1][1]
        for b in last:
            if b[2] in ("kept", "taken"):
                b[2] = "allocated"
                b[4] = "%d: returned\n(order %d)" % (b[0], b[1])
    else:
        merges = [e for e in evs if e.name == "merge"]
        place = evs[-1] if evs[-1].name == "place" else None
        pmt = place["migratetype"] if place is not None else 1
        if merges:
            f0 = merges[0]
            boxes.append([f0["pfn"], f0["order"], "freed", pmt, "%d: freed" % f0["pfn"]])
        for mg in merges:
            boxes.append([mg["buddy_pfn"], mg["order"], "buddy", pmt,
                          "%d = %d ^ (1 << %d)\nfree buddy, unlinked"
                          % (mg["buddy_pfn"], mg["pfn"], mg["order"])])
            boxes.append([mg["merged_pfn"], mg["order"] + 1, "freed", pmt,
                          ""])
            steps.append(("__free_one_page(): %d + buddy %d = %d ^ (1 << %d) -> order %d at %d"
                          % (mg["pfn"], mg["buddy_pfn"], mg["pfn"], mg["order"],
                             mg["order"] + 1, mg["merged_pfn"]), [list(b) for b in boxes]))
        if place is not None:
            if not boxes:
                boxes.append([place["pfn"], place["order"], "freed", pmt, ""])
            top = boxes[-1]
            top[2] = "placed"
            top[4] = "%d o%d -> %s\nof free_list[%s]" % (
                place["pfn"], place["order"], place["position"], mtname(pmt))
            steps.append(("__free_one_page(): order-%d block at pfn %d -> %s of free_list[%s]"
                          % (place["order"], place["pfn"], place["position"], mtname(pmt)),
                          [list(b) for b in boxes]))
    return steps


def plot_split_merge(events, ax=None, which=0, seed=None, max_panels=6):
    """Small multiples of one expand() or one __free_one_page(), step by step.

    `events` is a list of trace events (a Trace works); `which` picks the
    n-th group found by `split_merge_groups` (0 = the first).  `ax` is None
    (a new 1 x n figure), a sequence of at least n Axes, or ONE Axes, which
    then gets only the last step (the complete tree).  Each panel is a tree
    with one level per order (x = pfn, y = order); boxes are coloured by
    their role: a free block on a list in its migrate type's colour and
    hatch, the block returned to the caller grey ("allocated"), a block
    being freed white.  Every box has gid ``"<role> <pfn> <order>"``.  At most
    `max_panels` panels are drawn (the first ones and the last).
    Returns the list of Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, order=2); t = m.stop_trace()
    >>> axes = plot_split_merge(t)
    >>> len(axes)                       # rmqueue of an order-4 block, then 2 splits
    3
    >>> sorted(p.get_gid() for p in axes[-1].patches)
    ['allocated 48 2', 'free 52 2', 'free 56 3', 'split 48 3', 'split 48 4']
    """
    groups = split_merge_groups(list(events))
    if not groups:
        raise ValueError("no rmqueue/split or merge/place events in these events")
    if not 0 <= which < len(groups):
        raise ValueError("which=%d: only %d expand/free groups in these events"
                         % (which, len(groups)))
    kind, evs = groups[which]
    steps = _tree_steps(kind, evs)
    if len(steps) > max_panels:
        steps = steps[:max_panels - 1] + steps[-1:]
    import numpy as np
    if ax is not None and not isinstance(ax, (list, tuple, np.ndarray)):
        axes = [ax]
        steps = steps[-1:]
    else:
        # at most 2 panels a row, so the figure stays under Lab's ~968 px and its text >= 8 pt
        ncols = min(2, len(steps))
        axes = new_axes_row(ax, len(steps), (max(4.0, 3.6 * ncols), 3.6 * -(-len(steps) // ncols)),
                            ncols=ncols)
    all_boxes = steps[-1][1]
    lo = min(b[0] for b in all_boxes)
    hi = max(b[0] + (1 << b[1]) for b in all_boxes)
    omin = min(b[1] for b in all_boxes)
    omax = max(b[1] for b in all_boxes)
    for i, (ax_i, (caption, boxes)) in enumerate(zip(axes, steps)):
        _draw_tree(ax_i, boxes, lo, hi, omin, omax)
        ax_i.set_title("step %d\n%s" % (i + 1 if len(axes) > 1 else len(steps), _wrap(caption)),
                       fontsize=8)
    head = "expand() of one allocation" if kind == "expand" else "__free_one_page() of one free"
    zone = evs[0].get("zone"), evs[0].get("nid")
    fig = axes[0].figure
    if ax is None:
        fig.tight_layout()
    fig.suptitle("%s (node %s, zone %s): the block tree, buddy = pfn ^ (1 << order)"
                 % (head, zone[1], zone[0]), fontsize=10, y=1.04 if ax is None else 0.99)
    mts = sorted({b[3] for b in all_boxes})
    states = ["allocated"] if kind == "expand" else []
    handles = legend_handles(mts, states)
    from matplotlib.patches import Patch
    if kind == "free":
        handles.append(Patch(facecolor=FREED_COLOR, edgecolor="black", label="being freed"))
    axes[-1].legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    title="free_list / role", title_fontsize=8)
    seed_note(axes[-1], seed)
    return axes


def _wrap(text, n=46):
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > n and cur:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    lines.append(cur)
    return "\n".join(lines)


def _draw_tree(ax, boxes, lo, hi, omin, omax):
    """Boxes at y = order; a note goes inside its box when wide enough, else beside the row."""
    from matplotlib.patches import Rectangle
    span = hi - lo
    rows = {}
    for pfn, order, role, mt, note in boxes:
        if role in ("free", "buddy", "placed"):
            kw = dict(facecolor=MIGRATETYPE_COLORS[mt], hatch=MIGRATETYPE_HATCHES[mt])
        elif role == "allocated":
            kw = dict(facecolor=STATE_COLORS["allocated"], hatch=MIGRATETYPE_HATCHES[mt])
        elif role == "freed":
            kw = dict(facecolor=FREED_COLOR)
        else:                                   # taken, split, kept: outline only
            kw = dict(facecolor="#F7F7F7")
        size = 1 << order
        ax.add_patch(Rectangle((pfn, order - 0.4), size, 0.8, edgecolor="black", linewidth=0.8,
                               gid="%s %d %d" % (role, pfn, order), **kw))
        if role in ("split", "taken", "freed") and not note and size >= 0.3 * (hi - lo):
            note = "pfn %d o%d" % (pfn, order)
        rows.setdefault(order, []).append((pfn, size, note))
    box = dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85)
    for order, items in rows.items():
        outside = []
        for pfn, size, note in items:
            if not note:
                continue
            if size >= 0.3 * span:
                ax.text(pfn + size / 2, order, note, ha="center", va="center", fontsize=8,
                        bbox=box)
            else:
                outside.append(note)
        if outside:
            left = min(p for p, _, _ in items) - lo
            right = hi - max(p + s for p, s, _ in items)
            text = "\n".join(outside)
            if right >= left:
                ax.text(hi - right + 0.01 * span, order, text, ha="left", va="center",
                        fontsize=8, bbox=box, clip_on=True)
            else:
                ax.text(lo + left - 0.01 * span, order, text, ha="right", va="center",
                        fontsize=8, bbox=box, clip_on=True)
    ax.set_xlim(lo, hi)
    ax.set_ylim(omin - 0.6, omax + 0.6)
    ax.set_yticks(range(omin, omax + 1))
    ax.set_ylabel("order")
    ax.set_xlabel("pfn (pages)")
    ticks = sorted({b[0] for b in boxes} | {hi})
    ax.set_xticks(ticks)
    ax.tick_params(axis="x", labelsize=8)
