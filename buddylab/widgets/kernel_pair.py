"""The same requests on two kernel profiles, side by side (chapter 07).

Kernel: alloc_pages() / __free_pages() (mm/page_alloc.c) and refresh_cpu_vm_stats()
(mm/vmstat.c) of each machine's own profile (v4.18 classic, v6.18 modern), through the
model's public API only.  Nothing here knows a kernel rule: each machine applies its own.
"""

import html

import ipywidgets as W

from ..exercises.ch02 import HAND   # the hand-sized machine: 64 pages, orders 0..3, pageblocks of 4
from ..plot.free_area import free_area_text
from ._base import FigureWidget

#: migrate type -> how to build a mask of that type from one profile's GFP bits
#: (the bits differ between v4.18 and v6.18, so never share a mask between machines)
TYPE_MASKS = {
    "Unmovable": lambda g: g.GFP_KERNEL,
    "Movable": lambda g: g.GFP_HIGHUSER_MOVABLE,
    "Reclaimable": lambda g: g.GFP_KERNEL | g.__GFP_RECLAIMABLE,
}



def type_mask(machine, mt_name):
    """The GFP mask of migrate type `mt_name` in `machine`'s own profile.

    >>> import buddylab as bl
    >>> c, m = (bl.Machine(kernel=k, **HAND) for k in ("classic", "modern"))
    >>> type_mask(c, "Movable") == c.kernel.gfp.GFP_HIGHUSER_MOVABLE
    True
    >>> type_mask(m, "Movable") == m.kernel.gfp.GFP_HIGHUSER_MOVABLE
    True
    """
    return TYPE_MASKS[mt_name](machine.kernel.gfp)


def kernel_pair(**kw):
    """(classic machine, modern machine) built from one argument list (default: `HAND`)."""
    from ..machine import Machine
    args = dict(HAND) if not kw else kw
    return Machine(kernel="classic", **args), Machine(kernel="modern", **args)


def pcp_text(machine, cpu=0, zone=(0, "Normal")):
    """One CPU's pcp lists in one zone: count, high, batch (and high_min/high_max where the
    profile has them), then every non-empty list as ``list[pindex] order o Type: pfns``
    (head first).

    >>> import buddylab as bl
    >>> c, m = kernel_pair()
    >>> _ = m.alloc_pages(type_mask(m, "Movable"), 1, cpu=0)
    >>> print(pcp_text(m))                      # doctest: +ELLIPSIS
    cpu 0: count ... high ... batch ... (high_min ..., high_max ...)
    ...
    """
    p = machine.zone_snapshot(*zone).pcp[cpu]
    k = machine.kernel
    head = "cpu %d: count %d, high %d, batch %d" % (p.cpu, p.count, p.high, p.batch)
    if p.high_max:
        head += " (high_min %d, high_max %d)" % (p.high_min, p.high_max)
    lines = [head]
    for pindex, pfns in enumerate(p.lists):
        if pfns:
            if k.NR_PCP_LISTS == 3:            # v4.18: one list per pcp migratetype
                kind = k.MIGRATETYPE_NAMES[pindex]
            elif pindex < 12:                  # v6.18 order_to_pindex(): 3 * order + mt
                kind = k.MIGRATETYPE_NAMES[pindex % 3]
            else:                              # v6.18: the two THP lists
                kind = "Movable" if pindex == 13 else "non-Movable"
            lines.append("  list[%d] order %d %s: %s" % (
                pindex, k.pindex_to_order(pindex), kind,
                " ".join(str(x) for x in pfns[:12]) + (" ..." if len(pfns) > 12 else "")))
    if len(lines) == 1:
        lines.append("  (every list empty)")
    return "\n".join(lines)


class KernelPairExplorer(FigureWidget):
    """Allocate, free and tick on a classic and a modern machine at once; two panels.

    ``.machines`` is (classic, modern) (default: the hand-sized pair of `HAND`).  Controls:
    ``.order`` (slider), ``.mt`` (dropdown of migrate types; each machine builds the mask
    from its own GFP bits), ``.allocate``, ``.free`` (frees the oldest allocation still held
    on each machine) and ``.tick`` (``refresh_cpu_vm_stats(cpu)`` on both: v6.18 decays the
    pcp ``high``).  The figure shows both zones' memory maps; ``.text`` (an HTML <pre>) shows
    each profile's last result, free lists and pcp lists; ``.label`` the last action.

    >>> w = KernelPairExplorer()
    >>> w.order.value = 0; w.mt.value = "Movable"; w.allocate.click()
    >>> w.label.value
    'alloc_pages(Movable, order=0): classic -> pfn 56, modern -> pfn 0'
    >>> w.free.click(); w.label.value
    '__free_pages(order=0): classic pfn 56, modern pfn 0'
    >>> w.tick.click(); w.label.value
    'refresh_cpu_vm_stats(0) on both'
    """

    def __init__(self, machines=None, zone=(0, "Normal"), cpu=0, width=16, max_rows=8):
        self.machines = tuple(machines) if machines is not None else kernel_pair()
        self.zone, self.cpu = tuple(zone), cpu
        self.width, self.max_rows = width, max_rows
        self.held = [[] for _ in self.machines]
        self.results = ["(nothing yet)"] * len(self.machines)
        max_order = min(m.max_order for m in self.machines)
        self.order = W.IntSlider(value=0, min=0, max=max_order - 1, description="order")
        self.mt = W.Dropdown(options=list(TYPE_MASKS), value="Movable", description="type")
        self.allocate = W.Button(description="allocate", button_style="primary")
        self.free = W.Button(description="free oldest")
        self.tick = W.Button(description="vmstat tick")
        self.label = W.Label(value="press allocate")
        self.text = W.HTML()
        self.allocate.on_click(lambda _: self.do_alloc())
        self.free.on_click(lambda _: self.do_free())
        self.tick.on_click(lambda _: self.do_tick())
        self._new_figure((9.4, 3.2))
        self.axes = self.fig.subplots(1, len(self.machines))
        self.box = W.VBox([W.HBox([self.order, self.mt]),
                           W.HBox([self.allocate, self.free, self.tick]),
                           self.label, self.out, self.text])
        self.draw()

    def do_alloc(self):
        """alloc_pages(mask of the chosen type, order) on every machine; the pages or None."""
        order, mt = self.order.value, self.mt.value
        pages = []
        for i, m in enumerate(self.machines):
            page = m.alloc_pages(type_mask(m, mt), order, cpu=self.cpu)
            pages.append(page)
            if page is not None:
                self.held[i].append((page, order))
            self.results[i] = ("alloc_pages(%s, order=%d) -> %s"
                               % (mt, order, "NULL" if page is None else "pfn %d" % page.pfn))
        self.label.value = "alloc_pages(%s, order=%d): %s" % (mt, order, ", ".join(
            "%s -> %s" % (m.kernel.name, "NULL" if p is None else "pfn %d" % p.pfn)
            for m, p in zip(self.machines, pages)))
        self.draw()
        return pages

    def do_free(self):
        """__free_pages() of the oldest allocation still held on each machine."""
        if not any(self.held):
            self.label.value = "nothing to free"
            return
        done = []
        for i, m in enumerate(self.machines):
            if self.held[i]:
                page, order = self.held[i].pop(0)
                m.free_pages(page, order, cpu=self.cpu)
                self.results[i] = "__free_pages(pfn %d, order=%d)" % (page.pfn, order)
                done.append((m.kernel.name, page.pfn, order))
        self.label.value = "__free_pages(order=%d): %s" % (done[0][2], ", ".join(
            "%s pfn %d" % (name, pfn) for name, pfn, _ in done))
        self.draw()

    def do_tick(self):
        """refresh_cpu_vm_stats(cpu) on every machine (the vmstat worker's periodic run)."""
        for i, m in enumerate(self.machines):
            m.refresh_cpu_vm_stats(self.cpu)
            self.results[i] = "refresh_cpu_vm_stats(%d)" % self.cpu
        self.label.value = "refresh_cpu_vm_stats(%d) on both" % self.cpu
        self.draw()

    def panel_text(self, i):
        """What panel i prints: the profile, its last result, free lists and pcp lists."""
        m = self.machines[i]
        return "%s (%s): %s\n%s\n%s" % (
            m.kernel.name, m.kernel.version, self.results[i],
            free_area_text(m.zone_snapshot(*self.zone)), pcp_text(m, self.cpu, self.zone))

    def draw(self):
        """Redraw both memory maps and reprint both panels' text."""
        from ..plot import plot_memory_map
        for ax, m in zip(self.axes, self.machines):
            ax.clear()
            plot_memory_map(m.zone_snapshot(*self.zone), ax=ax, width=self.width,
                            max_rows=self.max_rows, legend=False,
                            title="%s (%s)" % (m.kernel.name, m.kernel.version))
        self.fig.tight_layout()
        self._show()
        self.text.value = "<pre>%s</pre>" % html.escape(
            "\n\n".join(self.panel_text(i) for i in range(len(self.machines))))
