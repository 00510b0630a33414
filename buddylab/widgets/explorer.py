"""Allocate and free by hand, and watch the split or the merge.

Kernel: alloc_pages() / __free_pages() (mm/page_alloc.c), through the
model's public API only.
"""

import ipywidgets as W

from .. import gfp as G
from ..trace import explain
from ._base import FigureWidget

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
        self._new_figure((10, 6.5))
        self.ax_tree, self.ax_map = self.fig.subplots(2, 1, height_ratios=(1, 1.2))
        self.box = W.VBox([W.HBox([self.order, self.gfp, self.allocate]),
                           W.HBox([self.held, self.free]), self.label, self.out])
        self.draw()

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
        self.ax_tree.clear()
        self.ax_map.clear()
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
        self.fig.tight_layout()
        self._show()
