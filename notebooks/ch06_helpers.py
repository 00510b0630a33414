"""Helpers of chapter 06 (the buddy system's problems): small machines, compaction frames and a stepper.

Kernel: compact_zone(), isolate_migratepages() and isolate_freepages() in mm/compaction.c (v4.18).
A compaction run is one call on the model (``m.compact_memory()``), so the state between two of
its steps is rebuilt here from the trace: a page-state array taken before the run, replayed with
the run's ``migrate_page`` events, and cut at every ``compact_scanner`` event.  Each frame holds
the two scanners' positions and the state of every page at that moment.
`plot_compaction_frames` draws all frames as one small-multiples figure (one row per step);
`CompactionStepper` steps through the same frames with a slider.
"""

import random
import warnings

import numpy as np

import buddylab as bl
from buddylab.owners import ANON, FILE, KERNEL, LRU_KINDS
from buddylab.plot.palette import MIGRATETYPE_COLORS
from buddylab.mmzone import MIGRATE_MOVABLE, MIGRATE_UNMOVABLE

# page states in a compaction frame
FREE, PINNED, MOVABLE, MOVED = 0, 1, 2, 3
STATE_NAMES = ("free", "in use, cannot move (kernel page)", "in use, movable",
               "moved here by compaction")
# Moved pages: a lighter blue than Movable's (#00457A, about 55 % of it over white), a movable
# page, now in its new place; it is at least 18 CIE76 units from the three other colours of
# these figures under protanopia, deuteranopia and tritanopia (the simulation of
# tests/test_plot.py).  The scanners are black: the migrate scanner solid, the free scanner
# dashed (orange would be the Unmovable colour of the pinned pages).
STATE_COLORS = ("#FFFFFF", MIGRATETYPE_COLORS[MIGRATE_UNMOVABLE], MIGRATETYPE_COLORS[MIGRATE_MOVABLE],
                "#6F95B5")
SCANNER_STYLE = {"migrate": dict(color="black", linestyle="-"),
                 "free": dict(color="black", linestyle="--")}


def quietly(f, *args, **kwargs):
    """Call f and return (result, the AllocationWarning messages it raised), printing nothing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bl.AllocationWarning)
        result = f(*args, **kwargs)
    return result, [str(w.message) for w in caught if issubclass(w.category, bl.AllocationWarning)]


def fragmented_machine(seed=2, nr_pages=256, keep=0.45, nr_kernel=0):
    """A one-zone machine whose memory a task filled with movable pages and then freed at random.

    The task `task` maps anonymous memory and reads files (order-0 pages) until 232 of the 256
    pages are in use; then each page is freed with probability 1 - `keep`.  With `nr_kernel` > 0
    a kernel thread also holds that many unmovable pages, allocated along the way.
    Returns (machine, task).  Every draw comes from random.Random(seed).
    """
    m = bl.Machine(nodes=[{"Normal": nr_pages}], cpus_per_node=1, max_order=6, pageblock_order=4,
                   min_free_kbytes=0)
    rng = random.Random(seed)
    task = m.owner("task")
    kthread = m.owner("kthread", kthread=True)
    handles = []
    every = (nr_pages - 24) // nr_kernel if nr_kernel else 0
    for i in range(nr_pages - 24):
        if every and i % every == every // 2:
            kthread.alloc(KERNEL)
        else:
            handles.append(task.alloc(ANON if rng.random() < 0.9 else FILE))
    for h in handles:
        if rng.random() >= keep:
            task.free(h)
    m.drain_all_pages()
    return m, task


def page_states(m, nid=0, zone="Normal"):
    """The state of every pfn of a zone (FREE, PINNED, MOVABLE), as compaction sees it."""
    z = m.zone(nid, zone)
    st = np.full(z.spanned_pages, FREE, dtype=np.int8)
    reg = m.owners
    for pfn, (order, _mt) in m.allocated.items():
        if not z.zone_start_pfn <= pfn < z.zone_end_pfn:
            continue
        h = reg.by_pfn.get(pfn) if reg is not None else None
        movable = h is not None and h.order == 0 and h.kind in LRU_KINDS
        st[pfn - z.zone_start_pfn:pfn - z.zone_start_pfn + (1 << order)] = \
            MOVABLE if movable else PINNED
    return st


def compaction_frames(states, events, base_pfn=0):
    """One frame per compact_scanner event: dict(event, step, migrate_pfn, free_pfn,
    nr_migrated, states, moves), `states` replayed with the migrate_page events seen so far
    and `moves` the (old_pfn, new_pfn) pairs of the step that ends at this frame."""
    st = states.copy()
    frames, moves = [], []
    for ev in events:
        if ev.name == "migrate_page":
            st[ev["old_pfn"] - base_pfn] = FREE
            st[ev["new_pfn"] - base_pfn] = MOVED
            moves.append((ev["old_pfn"], ev["new_pfn"]))
        elif ev.name == "compact_scanner":
            frames.append(dict(event=ev, step=ev["step"], migrate_pfn=ev["migrate_pfn"],
                               free_pfn=ev["free_pfn"], nr_migrated=ev["nr_migrated"],
                               nr_migratepages=ev["nr_migratepages"], states=st.copy(),
                               moves=tuple(moves)))
            moves = []
    return frames


def describe_frame(frame, pageblock_nr_pages):
    """One sentence in kernel words about the step that ends at this frame."""
    step, mp, fp = frame["step"], frame["migrate_pfn"], frame["free_pfn"]
    if step == "start":
        return ("compact_zone(): migrate scanner at pfn %d (zone start), free scanner at pfn %d "
                "(the last pageblock)" % (mp, fp))
    if step == "isolate_migratepages":
        return ("isolate_migratepages(): the migrate scanner stops at pfn %d with %d movable pages "
                "isolated" % (mp, frame["nr_migratepages"]))
    if step == "migrate_pages":
        moves = frame["moves"]
        shown = ", ".join("%d->%d" % mv for mv in moves[:4]) + (" ..." if len(moves) > 4 else "")
        return ("migrate_pages(): %d pages moved (%s); isolate_freepages() left the free scanner "
                "at pfn %d; %d moved so far" % (len(moves), shown, fp, frame["nr_migrated"]))
    return ("compact_finished(): the scanners met (free scanner's pageblock %d <= migrate "
            "scanner's pageblock %d); %d pages moved"
            % (fp // pageblock_nr_pages, mp // pageblock_nr_pages, frame["nr_migrated"]))


def _cmap():
    from matplotlib.colors import ListedColormap
    return ListedColormap(STATE_COLORS)


def _legend(ax, **kw):
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    handles = [Patch(facecolor=c, edgecolor="black", linewidth=0.5, label=n)
               for c, n in zip(STATE_COLORS, STATE_NAMES)]
    handles += [Line2D([], [], marker=">", label="migrate scanner (solid outline)",
                       **SCANNER_STYLE["migrate"]),
                Line2D([], [], marker="<", label="free scanner (dashed outline)",
                       **SCANNER_STYLE["free"])]
    ax.legend(handles=handles, **kw)


def plot_compaction_frames(frames, pageblock_nr_pages, ax=None, title=None):
    """All frames as small multiples: one row per step, pfns left to right, scanners marked.

    Row i shows every page after step i; ``>`` is the migrate scanner (it climbs from the zone
    start), ``<`` the free scanner (it descends from the last pageblock).  Returns the Axes.
    """
    import matplotlib.pyplot as plt
    n = len(frames)
    npfn = len(frames[0]["states"])
    if ax is None:
        _, ax = plt.subplots(figsize=(7.4, 1.2 + 0.32 * n))    # <= 968 px with its legend
    img = np.array([f["states"] for f in frames])
    ax.imshow(img, cmap=_cmap(), vmin=0, vmax=len(STATE_COLORS) - 1, aspect="auto",
              interpolation="nearest", extent=(0, npfn, n, 0))
    for i, f in enumerate(frames):
        ax.plot([f["migrate_pfn"]], [i + 0.5], marker=">", color="black", markersize=7)
        ax.plot([f["free_pfn"]], [i + 0.5], marker="<", color="black", markersize=7)
    for x in range(0, npfn + 1, pageblock_nr_pages):
        ax.axvline(x, color="black", linewidth=0.6)
    for y in range(n + 1):
        ax.axhline(y, color="white", linewidth=1.5)
    ax.set_yticks([i + 0.5 for i in range(n)])
    ax.set_yticklabels(["%d %s" % (i, f["step"]) for i, f in enumerate(frames)], fontsize=8)
    ax.set_xticks(range(0, npfn + 1, pageblock_nr_pages))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("pfn (black lines: pageblock boundaries, %d pages each)" % pageblock_nr_pages)
    ax.set_title(title or "compact_zone(), step by step: one row per scanner step")
    _legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return ax


class CompactionStepper:
    """Slider, previous/next buttons and a Play over compaction frames (see compaction_frames).

    The page grid shows the zone in rows of `width` pfns after the chosen step, with the
    migrate scanner's pfn outlined solid and the free scanner's dashed; ``.label`` holds
    describe_frame().  State: ``.frames``, ``.step``, ``.slider``, ``.fig``, ``.ax``.
    """

    def __init__(self, frames, pageblock_nr_pages, width=64):
        import ipywidgets as W
        from buddylab.widgets._base import FigureWidget, add_step_controls

        self.frames, self.pb, self.width = frames, pageblock_nr_pages, width
        self._fw = FigureWidget()
        self._fw._new_figure((9.6, 3.2))
        self.fig, self.out = self._fw.fig, self._fw.out
        self.ax = self.fig.subplots()
        n = len(frames)
        add_step_controls(self, n, description="step", interval=900)
        self.box = W.VBox([self.controls, self.label, self.out])
        self.draw(0)


    def draw(self, i):
        from matplotlib.patches import Rectangle
        self.step = i
        f = self.frames[i]
        ax = self.ax
        ax.clear()
        st = f["states"]
        rows = -(-len(st) // self.width)
        grid = np.full(rows * self.width, FREE, dtype=np.int8)
        grid[:len(st)] = st
        ax.imshow(grid.reshape(rows, self.width), cmap=_cmap(), vmin=0,
                  vmax=len(STATE_COLORS) - 1, aspect="auto", interpolation="nearest",
                  extent=(0, self.width, rows, 0))
        for x in range(0, self.width + 1, self.pb):
            ax.axvline(x, color="black", linewidth=0.6)
        for y in range(rows + 1):
            ax.axhline(y, color="white", linewidth=2)
        for pfn, style in ((f["migrate_pfn"], SCANNER_STYLE["migrate"]),
                           (f["free_pfn"], SCANNER_STYLE["free"])):
            r, c = divmod(min(pfn, len(st) - 1), self.width)
            ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor=style["color"],
                                   linestyle=style["linestyle"], linewidth=2.5))
        ax.set_yticks([r + 0.5 for r in range(rows)])
        ax.set_yticklabels([str(r * self.width) for r in range(rows)], fontsize=8)
        ax.set_ylabel("first pfn of the row")
        ax.set_title("step %d/%d: %s (migrate scanner %d, free scanner %d)"
                     % (i, len(self.frames) - 1, f["step"], f["migrate_pfn"], f["free_pfn"]),
                     fontsize=9)
        _legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        self.fig.tight_layout()
        self.label.value = describe_frame(f, self.pb)
        self._fw._show()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
