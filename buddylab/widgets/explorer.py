"""Allocate and free by hand, and watch the split or the merge.

Kernel: alloc_pages() / __free_pages() (mm/page_alloc.c), through the
model's public API only.
"""

import ipywidgets as W

from .. import gfp as G
from ..trace import explain
from ._base import FigureWidget, clear_axes

# the GFP composites offered in the dropdown (label -> mask)
GFP_CHOICES = (
    ("GFP_KERNEL", G.GFP_KERNEL),
    ("GFP_USER", G.GFP_USER),
    ("GFP_HIGHUSER_MOVABLE", G.GFP_HIGHUSER_MOVABLE),
    ("GFP_KERNEL | __GFP_RECLAIMABLE", G.GFP_KERNEL | G.__GFP_RECLAIMABLE),
    ("GFP_ATOMIC", G.GFP_ATOMIC),
    ("GFP_NOWAIT", G.GFP_NOWAIT),
    ("GFP_DMA", G.GFP_DMA),
)


class AllocFreeExplorer(FigureWidget):
    """Pick an order and a GFP mask, press allocate or free, see what the buddy did.

    `machine` is a Machine (changed in place through alloc_pages/free_pages;
    default: the 64-page teaching machine).  Controls: ``.order`` (slider),
    ``.gfp`` (dropdown of `GFP_CHOICES`), ``.allocate`` and ``.free``
    buttons, ``.held`` (dropdown of this explorer's allocations; free frees
    the selected one).  After each press the figure shows the last
    operation's split or merge (`plot_split_merge`, last step) above the
    zone's memory map; ``.label`` says what happened and ``.last_trace``
    holds the operation's events.  ``.allocations`` lists (Page, order).

    >>> import buddylab as bl
    >>> w = AllocFreeExplorer()
    >>> w.order.value = 2; w.gfp.label = "GFP_HIGHUSER_MOVABLE"; w.allocate.click()
    >>> w.label.value
    'alloc_pages(GFP_HIGHUSER_MOVABLE, order=2) -> pfn 48; expand() split 2 times'
    >>> w.free.click(); w.label.value
    '__free_pages(pfn 48, order=2): merged 2 times, order-4 block at pfn 48 -> head of free_list[Movable]'
    """

    def __init__(self, machine=None, nid=None, zone=None, cpu=0, width=64, max_rows=24):
        if machine is None:
            from ..machine import Machine
            machine = Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
                              pageblock_order=3, min_free_kbytes=0)
        self.machine = machine
        self.cpu = cpu
        self.width, self.max_rows = width, max_rows
        if zone is None:
            snap = machine.snapshot()
            z = next((z for z in snap.zones if z.managed_pages and (nid is None or z.nid == nid)),
                     snap.zones[0])
            zone = (z.nid, z.name)
        self.zone = tuple(zone)
        self.allocations = []
        self.last_trace = None
        self.order = W.IntSlider(value=0, min=0, max=machine.max_order - 1, description="order")
        self.gfp = W.Dropdown(options=list(GFP_CHOICES), value=G.GFP_KERNEL,
                              description="gfp_mask")
        self.allocate = W.Button(description="allocate", button_style="primary")
        self.free = W.Button(description="free selected")
        self.held = W.Dropdown(options=[], description="held")
        self.label = W.Label(value="press allocate")
        self.allocate.on_click(lambda _: self.do_alloc())
        self.free.on_click(lambda _: self.do_free())
        self._layout()
        self.draw()

    def _layout(self):
        """The figure's Axes and ``.box``: the split/merge tree above the memory map."""
        self._new_figure((9.4, 6.5))
        self.ax_tree, self.ax_map = self.fig.subplots(2, 1, height_ratios=(1, 1.2))
        self.box = W.VBox([W.HBox([self.order, self.gfp, self.allocate]),
                           W.HBox([self.held, self.free]), self.label, self.out])

    def _refresh_held(self):
        self.held.options = [("pfn %d, order %d" % (p.pfn, o), i)
                             for i, (p, o) in enumerate(self.allocations)]
        if self.allocations:
            self.held.value = len(self.allocations) - 1

    def do_alloc(self):
        """alloc_pages(gfp, order) on the machine; the result goes to ``.allocations``."""
        m, order = self.machine, self.order.value
        name = self.gfp.label
        m.start_trace()
        page = m.alloc_pages(self.gfp.value, order, cpu=self.cpu)
        self.last_trace = m.stop_trace()
        if page is None:
            self.label.value = "alloc_pages(%s, order=%d) -> NULL (no block)" % (name, order)
        else:
            self.allocations.append((page, order))
            splits = len(self.last_trace.of("split"))
            src = "" if not self.last_trace.of("pcp_alloc") else " from the pcp list"
            self.label.value = "alloc_pages(%s, order=%d) -> pfn %d%s; expand() split %d times" % (
                name, order, page.pfn, src, splits)
            self._refresh_held()
        self.draw()
        return page

    def do_free(self):
        """__free_pages() of the allocation selected in ``.held``."""
        if not self.allocations:
            self.label.value = "nothing to free"
            return
        i = self.held.value if self.held.value is not None else len(self.allocations) - 1
        page, order = self.allocations.pop(i)
        m = self.machine
        m.start_trace()
        m.free_pages(page, order, cpu=self.cpu)
        self.last_trace = m.stop_trace()
        places = self.last_trace.of("place")
        merges = len(self.last_trace.of("merge"))
        if places:
            p = places[-1]
            self.label.value = ("__free_pages(pfn %d, order=%d): merged %d times, %s"
                                % (page.pfn, order, merges, explain(p).split(": ", 1)[1]))
        else:
            pf = self.last_trace.of("pcp_free")
            self.label.value = ("__free_pages(pfn %d, order=%d): %s" % (
                page.pfn, order, explain(pf[-1]) if pf else "freed"))
        self._refresh_held()
        self.draw()

    def draw(self):
        """Redraw: the last split/merge (if any) and the zone's memory map."""
        from ..plot import plot_memory_map, plot_split_merge, split_merge_groups
        clear_axes(self.ax_tree)
        clear_axes(self.ax_map)
        groups = split_merge_groups(self.last_trace) if self.last_trace is not None else []
        if groups:
            plot_split_merge(self.last_trace, ax=self.ax_tree, which=len(groups) - 1)
            self.fig.suptitle("")
        else:
            self.ax_tree.set_axis_off()
            self.ax_tree.text(0.5, 0.5, "no split or merge in the last operation"
                              if self.last_trace is not None else "press allocate",
                              ha="center", va="center", transform=self.ax_tree.transAxes)
        plot_memory_map(self.machine.zone_snapshot(*self.zone), ax=self.ax_map, width=self.width,
                        max_rows=self.max_rows)
        self._fit_layout()
        self._show()


def draw_free_area_state(snap_zone, ax_free, ax_map=None, width=64, max_rows=24):
    """Draw one zone's free_area (free blocks per order, stacked by migrate type) on `ax_free`
    and, when `ax_map` is given, its memory map with the pageblock types; returns the text of
    `free_area_text` (nr_free and every free_list[type], head first).  Pure: reads only the
    snapshot."""
    from ..plot import plot_free_area, plot_memory_map, free_area_text
    clear_axes(ax_free)
    plot_free_area(snap_zone, ax=ax_free, unit="blocks",
                   title="free_area[order]: nr_free, stacked by free_list[migratetype]")
    if ax_map is not None:
        clear_axes(ax_map)
        plot_memory_map(snap_zone, ax=ax_map, width=width, max_rows=max_rows)
    return free_area_text(snap_zone)


class FreeAreaExplorer(AllocFreeExplorer):
    """Allocate and free by hand and watch ``free_area[order].free_list[type]``, ``nr_free``
    and the pageblocks change.

    Same controls as `AllocFreeExplorer` (``.order``, ``.gfp``, ``.allocate``, ``.free``,
    ``.held``, ``.label``); the figure shows the zone's free_area as bars (one per order,
    stacked by migrate type) above its memory map (band = pageblock type), and ``.lists``
    prints every ``free_area[o].nr_free`` and non-empty ``free_list[type]``, head first
    (`buddylab.plot.free_area_text`).  With ``show_map=False`` the memory map is left out and
    ``.lists`` shows /proc/buddyinfo too: the small playground of chapter 00.

    >>> w = FreeAreaExplorer()
    >>> w.gfp.label = "GFP_KERNEL"; w.allocate.click()
    >>> print(w.lists.value)        # fallback: Movable order-4 block at 48 split for Unmovable
    <pre>free_area[0].nr_free = 1   free_list[Unmovable]: 49
    free_area[1].nr_free = 1   free_list[Unmovable]: 50
    free_area[2].nr_free = 1   free_list[Unmovable]: 52
    free_area[3].nr_free = 1   free_list[Unmovable]: 56
    free_area[4].nr_free = 3   free_list[Movable]: 32 16 0</pre>
    """

    def __init__(self, machine=None, show_map=True, **kw):
        self.show_map = show_map
        super().__init__(machine, **kw)

    def _layout(self):
        self.lists = W.HTML()
        if self.show_map:
            self._new_figure((9.4, 6.0))
            self.ax_free, self.ax_map = self.fig.subplots(2, 1, height_ratios=(1, 1))
        else:
            self._new_figure((7, 3.4))
            self.ax_free, self.ax_map = self.fig.subplots(1, 1), None
        self.box = W.VBox([W.HBox([self.order, self.gfp, self.allocate]),
                           W.HBox([self.held, self.free]), self.label, self.lists, self.out])

    def draw(self):
        """Redraw the free_area bars (and memory map) and the text of the free lists."""
        import html
        snap = self.machine.zone_snapshot(*self.zone)
        text = draw_free_area_state(snap, self.ax_free, self.ax_map, self.width, self.max_rows)
        if not self.show_map:
            text = "/proc/buddyinfo:\n%s\n%s" % (self.machine.buddyinfo().rstrip(), text)
        self.lists.value = "<pre>%s</pre>" % html.escape(text)
        self._fit_layout()
        self._show()
