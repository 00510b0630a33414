"""Per-CPU pages with sliders for batch and high: refills and drains over a workload.

Kernel: struct per_cpu_pages, rmqueue_bulk(), free_pcppages_bulk(),
pageset_set_high_and_batch() (mm/page_alloc.c, v4.18).
"""

import random

import ipywidgets as W

from ._base import FigureWidget


def pcp_workload(nr_ops=120, seed=0, p_alloc=(0.7, 0.3)):
    """A seeded list of ("alloc",) / ("free", i) steps for order-0 pages on one CPU.

    The first half allocates with probability p_alloc[0], the second half
    with p_alloc[1] (so the list fills, then empties); ("free", i) frees the
    i-th page still held.

    >>> pcp_workload(5, seed=1)
    [('alloc',), ('alloc',), ('free', 1), ('alloc',), ('free', 0)]
    """
    rng = random.Random(seed)
    ops, held = [], 0
    for i in range(nr_ops):
        p = p_alloc[0] if i < nr_ops // 2 else p_alloc[1]
        if held and rng.random() >= p:
            ops.append(("free", int(rng.random() * held)))
            held -= 1
        else:
            ops.append(("alloc",))
            held += 1
    return ops


class PcpExplorer(FigureWidget):
    """Batch and high sliders over a fixed workload; the pcp timeline redrawn.

    Each change builds a FRESH machine (``machine_factory()``, default the
    realistic ``Machine(cpus_per_node=1)``), then, as a documented teaching
    override, writes the slider values into ``zone.pageset[cpu].batch`` and
    ``.high`` of the chosen zone (the kernel sets them only through
    zone_batchsize() or percpu_pagelist_fraction; on a v6.18 machine also ``high_min`` and
    ``high_max`` := high, which pins the auto-tuning of nr_pcp_high()/nr_pcp_alloc(),
    mm/page_alloc.c, v6.18, to the slider's value), runs `workload` (from
    `pcp_workload`) with GFP_KERNEL order-0 allocations and frees on that
    CPU, and draws `plot_pcp_timeline`.  ``.label`` counts refills and
    drains; ``.trace`` holds the run's events.

    >>> w = PcpExplorer(seed=0)
    >>> w.batch.value, w.high.value
    (7, 42)
    >>> w.batch.value = 31; w.label.value.startswith("batch 31, high 42:")
    True
    """

    def __init__(self, machine_factory=None, zone=(0, "Normal"), cpu=0, workload=None,
                 nr_ops=120, seed=0, batch=None, high=None):
        from ..machine import Machine
        self.machine_factory = machine_factory or (lambda: Machine(cpus_per_node=1))
        self.zone = tuple(zone)
        self.cpu = cpu
        self.seed = seed
        self.workload = workload if workload is not None else pcp_workload(nr_ops, seed)
        m = self.machine_factory()
        p = next(q for q in m.zone_snapshot(*self.zone).pcp if q.cpu == cpu)
        self.batch = W.IntSlider(value=batch or p.batch, min=1, max=64, description="batch",
                                 continuous_update=False)
        self.high = W.IntSlider(value=high if high is not None else p.high, min=0, max=256,
                                description="high", continuous_update=False)
        self.label = W.Label()
        self._new_figure((9.6, 4))
        self.ax = self.fig.subplots()
        self.batch.observe(lambda _: self.run(), names="value")
        self.high.observe(lambda _: self.run(), names="value")
        self.box = W.VBox([W.HBox([self.batch, self.high]), self.label, self.out])
        self.run()

    def run(self):
        """Replay the workload on a fresh machine with the sliders' batch/high, then draw."""
        from ..plot import plot_pcp_timeline, pcp_timeline
        m = self.machine_factory()
        pcp = m.zone(*self.zone).pageset[self.cpu]       # teaching override, see the docstring
        pcp.batch, pcp.high = self.batch.value, self.high.value
        if hasattr(pcp, "high_min"):                     # v6.18: no auto-tuning past the slider
            pcp.high_min = pcp.high_max = self.high.value
        gfp_kernel = m.kernel.gfp.GFP_KERNEL             # the running kernel's bit values
        self.machine = m
        t = m.start_trace(kinds=["pcp_refill", "pcp_alloc", "pcp_free", "pcp_drain",
                                 "mm_page_pcpu_drain"])
        held = []
        for op in self.workload:
            if op[0] == "alloc":
                page = m.alloc_page(gfp_kernel, cpu=self.cpu)
                if page is not None:
                    held.append(page)
            elif held:
                m.free_page(held.pop(op[1] % len(held)), cpu=self.cpu)
        self.trace = m.stop_trace()
        tl = pcp_timeline(self.trace, self.cpu, self.zone)
        self.label.value = "batch %d, high %d: %d refills, %d drains, %d pcp events" % (
            self.batch.value, self.high.value, len(tl["refills"]), len(tl["drains"]),
            len(tl["events"]))
        self.ax.clear()
        plot_pcp_timeline(self.trace, cpu=self.cpu, zone=self.zone, ax=self.ax,
                          high=self.high.value, batch=self.batch.value, seed=self.seed)
        self.fig.tight_layout()
        self._show()
