"""The memory map of a zone: every pfn, free blocks as boxes, pageblocks marked.

Kernel: mem_map[] (one struct page per pfn), PageBuddy + page_private (the
order) on the head page of each free block, the pageblock bitmap
(include/linux/pageblock-flags.h).

The zone's pfns are drawn as rows of `width` cells, top to bottom.  Each
row is aligned to a multiple of its length in pfns, so buddies sit side by
side.  When the zone has more pfns than ``width * max_rows`` cells, one cell
stands for 2^k pages and shows the state most of them are in (the title
says "1 cell = 2^k pages"); free blocks at least one cell long are still
outlined, and when a cell holds one or more whole pageblocks the band above it
shows their dominant migrate type.  What a pixel cannot show is aggregated,
so the figure costs about the same at 64 pages and at 64 GiB: a few artists,
not one matplotlib patch per block or pageblock.

`memmap_text` is the same picture as text, one character per page, for
notebook cells whose output is checked.
"""

import numpy as np

from ..mmzone import MIGRATE_TYPES, MIGRATETYPE_NAMES
from .palette import (MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES, MIGRATETYPE_LETTERS,
                      STATE_COLORS, legend_handles)
from ._util import new_axes, seed_note, zone_title

# cell categories: 0..5 free on free_list[mt], then these
CAT_ALLOCATED = MIGRATE_TYPES
CAT_PCP = MIGRATE_TYPES + 1
CAT_RESERVED = MIGRATE_TYPES + 2
CAT_HOLE = MIGRATE_TYPES + 3
CAT_OUTSIDE = MIGRATE_TYPES + 4
CAT_NAMES = tuple("free %s" % n for n in MIGRATETYPE_NAMES) + (
    "allocated", "on a pcp list", "reserved", "hole", "outside the zone")
CAT_COLORS = MIGRATETYPE_COLORS + (STATE_COLORS["allocated"], STATE_COLORS["pcp"],
                                   STATE_COLORS["reserved"], STATE_COLORS["hole"],
                                   STATE_COLORS["outside"])

# band and cell extents inside one row of height 1
BAND = (0.04, 0.20)
CELL = (0.24, 0.96)
# More free-block outlines than this on an aggregated map: drawn as ONE PolyCollection (the
# same boxes; add_patch costs about a millisecond a patch, a thousand patches a second).
MAX_BOX_PATCHES = 256


def _page_categories(snap, base, n):
    """Category of every pfn in [base, base + n) (numpy array of int8)."""
    cat = np.full(n, CAT_OUTSIDE, dtype=np.int8)
    alloc_mt = np.full(n, -1, dtype=np.int8)
    s, e = snap.start_pfn - base, snap.end_pfn - base
    cat[s:e] = CAT_RESERVED          # managed pages are all overwritten below
    for hs, he in snap.holes:
        cat[hs - base:he - base] = CAT_HOLE
    for pfn, order, mt in snap.free_blocks():
        cat[pfn - base:pfn - base + (1 << order)] = mt
    for pfn, order, mt in snap.allocated:
        cat[pfn - base:pfn - base + (1 << order)] = CAT_ALLOCATED
        alloc_mt[pfn - base:pfn - base + (1 << order)] = mt
    for p in snap.pcp:
        for lst in p.lists:
            for pfn in lst:
                cat[pfn - base] = CAT_PCP
    return cat, alloc_mt


def memmap_cells(snap_zone, width=64, max_rows=48):
    """The grid plot_memory_map draws: (k, base_pfn, nr_rows, cells).

    One cell stands for 2^k pages, k the smallest that fits the zone into
    ``width * max_rows`` cells; row r starts at pfn ``base_pfn + r * width
    * 2^k``; ``cells`` is a (nr_rows, width) array of the dominant category of
    each cell (0..5 free on that migrate type's list, 6 allocated, 7 on a pcp
    list, 8 reserved, 9 hole, 10 outside the zone).

    >>> import buddylab as bl
    >>> m = bl.Machine()                       # Normal: 28672 pages from pfn 4096
    >>> k, base, rows, cells = memmap_cells(m.zone_snapshot(0, "Normal"))
    >>> k, base, rows, int(cells[0, 0])
    (4, 4096, 28, 1)
    """
    if width < 1 or max_rows < 1:
        raise ValueError("width and max_rows must be >= 1")
    span = max(snap_zone.spanned_pages, 1)
    k = 0
    while True:
        row = width << k
        base = snap_zone.start_pfn - snap_zone.start_pfn % row
        nrows = -(-(snap_zone.end_pfn - base) // row) or 1
        if nrows <= max_rows or (1 << k) >= span:
            break
        k += 1
    n = nrows * row
    cat, _ = _page_categories(snap_zone, base, n)
    if k == 0:
        return 0, base, nrows, cat.reshape(nrows, width)
    per = cat.reshape(nrows * width, 1 << k)
    counts = np.stack([(per == c).sum(axis=1) for c in range(CAT_OUTSIDE + 1)], axis=1)
    counts[:, CAT_OUTSIDE] = np.where(counts[:, :CAT_OUTSIDE].sum(axis=1) == 0, 1, 0)
    return k, base, nrows, counts.argmax(axis=1).reshape(nrows, width)


def _segments(c0, c1, width):
    """Rectangles (x, row, w, nrows) covering cells [c0, c1) of a grid `width` wide."""
    out = []
    r0, x0 = divmod(c0, width)
    r1, x1 = divmod(c1, width)
    if r0 == r1:
        return [(x0, r0, x1 - x0, 1)]
    if x0:
        out.append((x0, r0, width - x0, 1))
        r0 += 1
    if r1 > r0:
        out.append((0, r0, width, r1 - r0))
    if x1:
        out.append((0, r1, x1, 1))
    return out


def plot_memory_map(snap_zone, ax=None, width=64, max_rows=48, highlight=None, seed=None,
                    title=None, legend=True):
    """Draw a zone's pfns as wrapped rows: free blocks, allocations, pcp pages, pageblocks.

    Each free block is ONE box (gid ``"free <pfn> <order> <mt>"``) filled with
    its migrate type's colour and hatch and labelled with its order ("o3"),
    and its pfn when there is room; each allocation is one light-grey box
    hatched and edged in its migrate type's colour (gid ``"allocated <pfn>
    <order> <mt>"``); a page on a pcp list is a violet cell (gid ``"pcp
    <pfn> <list mt>"``); reserved ranges are grey and holes white and
    cross-hatched.  Above every row a thin band shows each pageblock's
    migrate type (gid ``"pageblock <pfn> <mt>"``) and black ticks mark
    pageblock boundaries (one LineCollection, gid ``"pageblock boundaries"``).
    A box that would cross a row end is drawn as one box per row (never
    the case for aligned blocks when `width` is a power of two).

    More pfns than ``width * max_rows``: each cell is 2^k pages coloured by its
    dominant state (an image), free blocks of at least one cell are still
    outlined (labelled only where a label fits, so labels never overlap), and the
    title says "1 cell = 2^k pages".  `highlight` =
    (pfn, order) outlines one block in black (the stepper uses it).
    Returns the Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> ax = plot_memory_map(m.zone_snapshot(0, "DMA"))
    >>> sorted(p.get_gid() for p in ax.patches if p.get_gid().startswith("free"))
    ['free 0 4 1', 'free 16 4 1', 'free 32 4 1', 'free 48 4 1']
    """
    k, base, nrows, cells = memmap_cells(snap_zone, width, max_rows)
    cell_pages = 1 << k
    if ax is None:
        ax = new_axes(None, (10, min(9.0, 1.6 + 0.32 * nrows)))
    from matplotlib.patches import Rectangle
    from matplotlib.collections import LineCollection

    def cell_of(pfn):
        return (pfn - base) >> k

    def add_box(c0, c1, gid, **kw):
        boxes = []
        for x, r, w, h in _segments(c0, c1, width):
            y0 = r + CELL[0]
            rect = Rectangle((x, y0), w, h - 1 + CELL[1] - CELL[0], gid=gid, **kw)
            ax.add_patch(rect)
            boxes.append(rect)
        return boxes

    present_mt, states = set(), set()
    if k > 0:
        rgb = np.array([_rgb(CAT_COLORS[c]) for c in range(CAT_OUTSIDE + 1)])
        img = np.ones((nrows * 4, width, 3))
        # each row: 1/4 band gap (white), 3/4 cells; drawn exactly at CELL extents below
        for r in range(nrows):
            img[4 * r + 1:4 * r + 4] = rgb[cells[r]]
        ax.imshow(img, extent=(0, width, nrows, 0), aspect="auto", interpolation="nearest",
                  zorder=0)
        for c in np.unique(cells):
            if c < MIGRATE_TYPES:
                present_mt.add(int(c))
            elif c in (CAT_ALLOCATED, CAT_PCP, CAT_RESERVED, CAT_HOLE):
                states.add({CAT_ALLOCATED: "allocated", CAT_PCP: "pcp",
                            CAT_RESERVED: "reserved", CAT_HOLE: "hole"}[int(c)])
        big = [(pfn, order, mt) for pfn, order, mt in snap_zone.free_blocks() if order >= k]
        outline = dict(facecolor="none", edgecolor="black", linewidth=0.4)
        if len(big) > MAX_BOX_PATCHES:
            from matplotlib.collections import PolyCollection
            verts = [_rect_verts(x, r + CELL[0], w, h - 1 + CELL[1] - CELL[0])
                     for pfn, order, _ in big
                     for x, r, w, h in _segments(cell_of(pfn), cell_of(pfn) + (1 << (order - k)),
                                                 width)]
            ax.add_collection(PolyCollection(verts, gid="free blocks", **outline),
                              autolim=False)
        cell_px = _cell_px(ax, width)
        for pfn, order, mt in big:
            c0 = cell_of(pfn)
            if len(big) <= MAX_BOX_PATCHES:
                add_box(c0, c0 + (1 << (order - k)), "free %d %d %d" % (pfn, order, mt),
                        **outline)
            _label(ax, c0, 1 << (order - k), width, pfn, order, optional=True, cell_px=cell_px)
    else:
        for hs, he in snap_zone.holes:
            add_box(cell_of(hs), cell_of(he), "hole", facecolor=STATE_COLORS["hole"],
                    hatch="xx", edgecolor="#999999", linewidth=0.3)
            states.add("hole")
        for rs, re_ in snap_zone.reserved:
            if re_ > rs:
                add_box(cell_of(rs), cell_of(re_), "reserved", facecolor=STATE_COLORS["reserved"],
                        edgecolor="black", linewidth=0.3)
                states.add("reserved")
        for pfn, order, mt in snap_zone.free_blocks():
            c0 = cell_of(pfn)
            add_box(c0, c0 + (1 << order), "free %d %d %d" % (pfn, order, mt),
                    facecolor=MIGRATETYPE_COLORS[mt], hatch=MIGRATETYPE_HATCHES[mt],
                    edgecolor="black", linewidth=0.6)
            _label(ax, c0, 1 << order, width, pfn, order, cell_px=_cell_px(ax, width))
            present_mt.add(mt)
        for pfn, order, mt in snap_zone.allocated:
            c0 = cell_of(pfn)
            add_box(c0, c0 + (1 << order), "allocated %d %d %d" % (pfn, order, mt),
                    facecolor=STATE_COLORS["allocated"], hatch=MIGRATETYPE_HATCHES[mt],
                    edgecolor=MIGRATETYPE_COLORS[mt], linewidth=0.8)
            states.add("allocated")
            present_mt.add(mt)
        for p in snap_zone.pcp:
            for lmt, lst in enumerate(p.lists):
                for pfn in lst:
                    c0 = cell_of(pfn)
                    add_box(c0, c0 + 1, "pcp %d %d" % (pfn, lmt), facecolor=STATE_COLORS["pcp"],
                            edgecolor="black", linewidth=0.4)
                    states.add("pcp")
    # pageblock bands and boundaries
    pb_pages = 1 << snap_zone.pageblock_order
    pb_cells = pb_pages >> k
    ticks = []
    if pb_cells <= 1:
        # a cell holds one or more whole pageblocks: the band shows their dominant type
        present_mt.update(_aggregated_bands(ax, snap_zone, base, k, nrows, width))
    for pfn, mt in (snap_zone.pageblock_mt if pb_cells > 1 else ()):
        if pfn < base:
            continue
        c0 = cell_of(pfn)
        r, x = divmod(c0, width)
        w = min(pb_cells, width - x) if pb_cells < width else width
        for rr in range(r, r + max(1, pb_cells // width)):
            ax.add_patch(Rectangle((x, rr + BAND[0]), w, BAND[1] - BAND[0],
                                   facecolor=MIGRATETYPE_COLORS[mt], edgecolor="none",
                                   gid="pageblock %d %d" % (pfn, mt)))
            ticks.append([(x, rr), (x, rr + 1)])
        present_mt.add(mt)
    if ticks:
        ax.add_collection(LineCollection(ticks, colors="black", linewidths=0.8,
                                         gid="pageblock boundaries"))
    if highlight is not None:
        hpfn, horder = highlight
        c0 = cell_of(hpfn)
        add_box(c0, c0 + max(1, (1 << horder) >> k), "highlight", facecolor="none",
                edgecolor="black", linewidth=2.5)
    ax.set_xlim(0, width)
    ax.set_ylim(nrows, 0)
    step = max(1, width // 8)
    ax.set_xticks(range(0, width + 1, step))
    ax.set_xticklabels([str(x * cell_pages) for x in range(0, width + 1, step)], fontsize=8)
    ax.set_xlabel("pfn offset in the row (pages; one row = %d pages)" % (width * cell_pages))
    ystep = max(1, -(-nrows // 16))
    ax.set_yticks([r + 0.6 for r in range(0, nrows, ystep)])
    ax.set_yticklabels([str(base + r * width * cell_pages) for r in range(0, nrows, ystep)],
                       fontsize=8)
    ax.set_ylabel("first pfn of the row")
    t = title or "Memory map of %s: pfns %d-%d" % (zone_title(snap_zone), snap_zone.start_pfn,
                                                   snap_zone.end_pfn - 1)
    if k:
        t += " (1 cell = %d pages, dominant state)" % cell_pages
    ax.set_title(t, fontsize=10)
    if legend:
        mts = sorted(present_mt)
        handles = legend_handles(mts, [s for s in ("allocated", "pcp", "reserved", "hole")
                                       if s in states])
        from matplotlib.transforms import ScaledTranslation
        below = ax.transAxes + ScaledTranslation(0, -0.45, ax.figure.dpi_scale_trans)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0),
                  bbox_transform=below, ncol=min(5, len(handles)), fontsize=8, frameon=False,
                  title="free block (box: order, pfn) / page state; band = pageblock type",
                  title_fontsize=8)
    seed_note(ax, seed)
    return ax


def _rgb(hexcolor):
    h = hexcolor.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _rect_verts(x, y, w, h):
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def _aggregated_bands(ax, snap_zone, base, k, nrows, width):
    """The pageblock band of a map whose cells (2^k pages) hold whole pageblocks: each cell's
    band is the migrate type most of its pageblocks have (ties: the lower MIGRATE_* index),
    equal neighbours in a row drawn as one box, all in ONE PolyCollection (gid "pageblock
    bands").  Returns the migrate types shown."""
    from matplotlib.collections import PolyCollection
    ncells = nrows * width
    pb = np.array(snap_zone.pageblock_mt, dtype=np.int64).reshape(-1, 2)
    pb = pb[pb[:, 0] >= base]
    counts = np.bincount(((pb[:, 0] - base) >> k) * MIGRATE_TYPES + pb[:, 1],
                         minlength=ncells * MIGRATE_TYPES).reshape(ncells, MIGRATE_TYPES)
    dom = np.where(counts.any(axis=1), counts.argmax(axis=1), -1)
    # runs of one type inside a row: a new run starts at a row start or where the type changes
    starts = np.flatnonzero((np.arange(ncells) % width == 0) |
                            np.concatenate(([True], dom[1:] != dom[:-1])))
    ends = np.append(starts[1:], ncells)
    verts, colors = [], []
    for s, e in zip(starts.tolist(), ends.tolist()):
        mt = int(dom[s])
        if mt >= 0:
            r, x = divmod(s, width)
            verts.append(_rect_verts(x, r + BAND[0], e - s, BAND[1] - BAND[0]))
            colors.append(MIGRATETYPE_COLORS[mt])
    ax.add_collection(PolyCollection(verts, facecolors=colors, edgecolors="none", linewidths=0,
                                     gid="pageblock bands"), autolim=False)
    return {int(mt) for mt in np.unique(dom) if mt >= 0}


def _cell_px(ax, width):
    """The width of one cell on screen, in pixels."""
    fig = ax.figure
    return ax.get_position().width * fig.get_figwidth() * fig.dpi / width


def _label(ax, c0, ncells, width, pfn, order, optional=False, cell_px=None):
    """Label a free block with the longest of "o3 pfn 56", "o3", "3" that fits its width
    (8 pt characters about 0.6 em wide); none fits: the shortest, or nothing if `optional`.
    `cell_px` is `_cell_px(ax, width)`."""
    r, x = divmod(c0, width)
    w = min(ncells, width)
    rows = max(1, ncells // width)
    dpi = ax.figure.dpi
    if optional and (len("o%d" % order) + 1) * 0.6 * 8 / 72 * dpi > w * cell_px:
        return                              # not even the short label fits: the common case
    fits = [t for t in ("o%d pfn %d" % (order, pfn), "o%d" % order)
            if (len(t) + 1) * 0.6 * 8 / 72 * dpi <= w * cell_px]
    if not fits and optional:
        return
    text = fits[0] if fits else "%d" % order
    ax.text(x + w / 2, r + rows / 2 + (CELL[0] + CELL[1] - 1) / 2, text, ha="center",
            va="center", fontsize=8, color="black", gid="label %d" % pfn,
            # a white ground on every label, order 0 too, so the hatching never hides it
            bbox=dict(boxstyle="square,pad=0.05", facecolor="white", edgecolor="none",
                      alpha=0.85), clip_on=True)


def memmap_text(snap_zone, width=64, pageblocks=True, pfns=True):
    """A zone's memory map as text: one character per page, `width` pages a line.

    Characters: the HEAD page of a free block is its migrate type's letter
    (U Unmovable, M Movable, R Reclaimable, H HighAtomic, C CMA, I Isolate),
    the rest of the block '.'; an allocated page '#'; a page on a pcp list
    'p'; reserved 'r'; a hole ' '.  With `pageblocks`, '|' is written before
    every page that starts a pageblock (except at the start of a line); with
    `pfns`, each line begins with the pfn of its first page, right-aligned.
    Lines start at the zone's first pfn.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> p = m.alloc_pages(bl.GFP_KERNEL, order=1)
    >>> print(memmap_text(m.zone_snapshot(0, "DMA"), width=32))
     0 M.......|........|M.......|........
    32 M.......|........|##U.U...|U.......
    """
    s, e = snap_zone.start_pfn, snap_zone.end_pfn
    chars = ["r"] * (e - s)
    for hs, he in snap_zone.holes:
        chars[hs - s:he - s] = [" "] * (he - hs)
    for pfn, order, mt in snap_zone.free_blocks():
        chars[pfn - s:pfn - s + (1 << order)] = [MIGRATETYPE_LETTERS[mt]] + ["."] * ((1 << order) - 1)
    for pfn, order, _ in snap_zone.allocated:
        chars[pfn - s:pfn - s + (1 << order)] = ["#"] * (1 << order)
    for p in snap_zone.pcp:
        for lst in p.lists:
            for pfn in lst:
                chars[pfn - s] = "p"
    pb = 1 << snap_zone.pageblock_order
    digits = len(str(max(e - 1, 0)))
    lines = []
    for ls in range(s, e, width):
        out = []
        for pfn in range(ls, min(e, ls + width)):
            if pageblocks and pfn != ls and pfn % pb == 0:
                out.append("|")
            out.append(chars[pfn - s])
        lines.append(("%*d " % (digits, ls) if pfns else "") + "".join(out))
    return "\n".join(lines)
