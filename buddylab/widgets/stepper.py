"""Step through any trace: the memory map and free lists at each event.

Kernel: whatever the trace recorded; each event is explained in kernel words
by `buddylab.trace.explain`.

How the state at step i is found: the trace's recorded calls (``trace.ops``)
are replayed ONE BY ONE on a fresh machine built from ``trace.machine_args``
(what `buddylab.replay` does in one go), with a snapshot of the zone taken
before and after each call and the events of each call kept apart.  Event i
belongs to call j; the figure shows the zone after call j with the block the
event names outlined.  (A snapshot inside a call does not exist: the model
changes state only between calls.)
"""

import ipywidgets as W

from ..machine import Machine
from ..trace import explain
from ..replay import run_op
from ._base import FigureWidget, add_step_controls, clear_axes

def _highlight(ev):
    """(pfn, order) of the block the event names (its spec's ``block``), or None."""
    block = ev.spec.block if ev.spec is not None else None
    if block is None:
        return None
    pfn_field, order_field = block
    pfn = ev.get(pfn_field)
    if pfn is None or pfn < 0:
        return None
    return (pfn, ev[order_field] if order_field else 0)


class TraceStepper(FigureWidget):
    """Slider, previous/next buttons and a Play over the events of a trace.

    ``TraceStepper(trace)`` with `trace` from ``m.start_trace(); ...;
    m.stop_trace()``.  `zone` = (nid, name) picks the zone drawn (default:
    the zone of the first event that names one); `kinds` keeps only events
    with these names (default: all but zonelist_step and slowpath, the events
    whose spec says ``step=False``).  Shows
    the memory map and the free_area of that zone after the call the event
    belongs to, and ``.label`` holds ``explain(event)``.

    State: ``.events`` (the events stepped over), ``.op_of_event``,
    ``.snapshots`` (``snapshots[j]`` before call j, ``snapshots[j+1]`` after),
    ``.step`` (the current index), ``.slider``, ``.prev``, ``.next``,
    ``.play``, ``.fig``, ``.ax_map``, ``.ax_free``.

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, 2); m.free_pages(p, 2)
    >>> w = TraceStepper(m.stop_trace(), kinds=["rmqueue", "split", "merge", "place"])
    >>> w.label.value
    '__rmqueue_smallest(): order-4 block at pfn 48 taken from the head of free_list[Unmovable]'
    >>> w.next.click(); w.label.value
    'expand(): order-4 block at pfn 48 split; upper half pfn 56 -> head of free_list[Unmovable] order 3'
    """

    def __init__(self, trace, zone=None, kinds=None, width=64, max_rows=24):
        self.trace = trace
        self.width = width
        self.max_rows = max_rows
        m = Machine(**trace.machine_args)
        self.events, self.op_of_event, self.ops = [], [], list(trace.ops)
        first_zone = None
        machine_snaps = [m.snapshot()]
        for j, (name, kwargs) in enumerate(self.ops):
            sub = m.start_trace(kinds=trace.kinds)
            run_op(m, (name, kwargs), "op %d" % j)
            m.stop_trace()
            machine_snaps.append(m.snapshot())
            for ev in sub.events:
                if (kinds is not None and ev.name not in kinds) or \
                        (kinds is None and ev.spec is not None and not ev.spec.step):
                    continue
                self.events.append(ev)
                self.op_of_event.append(j)
                if first_zone is None and ev.get("zone") is not None:
                    first_zone = (ev["nid"], ev["zone"])
        if zone is None:
            zone = first_zone or next(((z.nid, z.name) for z in m.zones if z.present_pages),
                                      (0, "Normal"))
        self.zone = tuple(zone)
        self.snapshots = [ms.zone(*self.zone) for ms in machine_snaps]
        self.machine = m
        n = max(1, len(self.events))
        self.step = 0
        add_step_controls(self, n, description="event", interval=800)
        self._new_figure((9.6, 6.5))
        self.ax_map, self.ax_free = self.fig.subplots(2, 1, height_ratios=(1.4, 1))
        self.box = W.VBox([self.controls, self.label, self.out])
        self.draw(0)

    def draw(self, i):
        """Draw step i: the zone after the call event i belongs to, the event outlined."""
        from ..plot import plot_memory_map, plot_free_area
        self.step = i
        clear_axes(self.ax_map)
        clear_axes(self.ax_free)
        if not self.events:
            self.label.value = "(no events in this trace)"
            snap, hl, title = self.snapshots[-1], None, None
        else:
            ev = self.events[i]
            j = self.op_of_event[i]
            snap = self.snapshots[j + 1]
            name, kwargs = self.ops[j]
            args = ", ".join("%s=%s" % (k, v) for k, v in kwargs.items())
            self.label.value = explain(ev)
            hl = _highlight(ev) if ev.get("zone", self.zone[1]) == self.zone[1] else None
            title = "event %d/%d (%s), after call %d: %s(%s)" % (
                i + 1, len(self.events), ev.name, j + 1, name, args)
        plot_memory_map(snap, ax=self.ax_map, width=self.width, max_rows=self.max_rows,
                        highlight=hl, title=title)
        plot_free_area(snap, ax=self.ax_free)
        self._fit_layout()
        self._show()


def trace_player(trace, **kwargs):
    """A TraceStepper over `trace`, ready to display (same keyword arguments).

    >>> import buddylab as bl
    >>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
    ...                pageblock_order=3, min_free_kbytes=0)
    >>> t = m.start_trace(); p = m.alloc_pages(bl.GFP_KERNEL, 0)
    >>> len(trace_player(m.stop_trace()).events) > 0
    True
    """
    return TraceStepper(trace, **kwargs)
