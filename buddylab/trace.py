"""Trace events named after the kernel's kmem tracepoints, plus teaching events.

Kernel: include/trace/events/kmem.h (mm_page_alloc, mm_page_free,
mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag).

Tracing is off by default; the model tests ``machine.trace is not None`` before
building any event, so an untraced machine pays one attribute test per hook.
A `Trace` also records the top-level calls made on the machine (``ops``), so
`replay(trace)` can run the same calls on a fresh machine built with the same
arguments and compare the events.

Kernel events (fields as in kmem.h, 4.18 prints pfn in decimal):

=========================== ===================================================
mm_page_alloc               pfn (-1 if NULL), order, gfp_flags, migratetype
mm_page_free                pfn, order
mm_page_alloc_zone_locked   pfn (-1 if NULL), order, migratetype, percpu_refill
mm_page_pcpu_drain          pfn, order, migratetype
mm_page_alloc_extfrag       pfn, alloc_order, fallback_order, alloc_migratetype,
                            fallback_migratetype, change_ownership
=========================== ===================================================

Teaching events (every one carries ``nid`` and ``zone``):

=================== ===========================================================
rmqueue             pfn, order, migratetype: a block unlinked from a list head
split               pfn, order (of the block split), buddy_pfn, buddy_order,
                    migratetype: expand() put the upper half at a list head
merge               pfn, buddy_pfn, order (of the halves), merged_pfn
place               pfn, order, migratetype, position ("head" or "tail")
pcp_refill          cpu, migratetype, pfns (tail-appended), count (after)
pcp_alloc           cpu, pfn, migratetype, count (after)
pcp_free            cpu, pfn, migratetype, count (after)
pcp_drain           cpu, nr_pages, count (after), reason
zonelist_step       order, mark (watermark name), mark_pages, classzone_idx,
                    free_pages, lowmem_reserve, alloc_flags (decoded text), ok
fallback            pfn, order, start_migratetype, fallback_migratetype,
                    whole_block, claimed, pageblock_pfn, nr_pageblocks,
                    old_pageblock_mt, new_pageblock_mt, moved_pages (free pages
                    now on the requester's lists), movable_pages
highatomic_reserve  pageblock_pfn, nr_reserved_highatomic
highatomic_unreserve pageblock_pfn, migratetype, nr_reserved_highatomic
slowpath            step, alloc_flags, detail
kswapd_wake, kswapd_sleep, reclaim_batch, direct_reclaim
                    kswapd and direct reclaim (buddylab.reclaim)
direct_compact, compaction_suitable, compact_scanner (migrate_pfn, free_pfn),
migrate_page (old_pfn -> new_pfn), compact_end, kcompactd_wake
                    compaction (buddylab.compaction)
oom_victim, oom_no_victim, oom_skip
                    the OOM killer (buddylab.oom)
=================== ===========================================================
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

KERNEL_EVENTS = ("mm_page_alloc", "mm_page_free", "mm_page_alloc_zone_locked",
                 "mm_page_pcpu_drain", "mm_page_alloc_extfrag")
TEACHING_EVENTS = ("rmqueue", "split", "merge", "place", "pcp_refill", "pcp_alloc", "pcp_free",
                   "pcp_drain", "zonelist_step", "fallback", "highatomic_reserve",
                   "highatomic_unreserve", "slowpath", "kswapd_wake", "kswapd_sleep",
                   "reclaim_batch", "direct_reclaim", "direct_compact", "compaction_suitable",
                   "compact_scanner", "migrate_page", "compact_end", "kcompactd_wake",
                   "oom_victim", "oom_no_victim", "oom_skip")
EVENT_NAMES = KERNEL_EVENTS + TEACHING_EVENTS

# The calls a machine records, and so the only ones replay() runs: Machine methods, then
# owner and handle operations, named by the owner's oid and the handle's hid.
MACHINE_OPS = ("alloc_pages", "alloc_pages_node", "free_pages", "get_page", "drain_pages_zone",
               "drain_pages", "drain_all_pages", "set_min_free_kbytes",
               "set_watermark_scale_factor", "set_lowmem_reserve_ratio",
               "set_percpu_pagelist_fraction", "start_isolate_page_range",
               "undo_isolate_page_range", "compact_memory", "owner")
OWNER_OPS = {"owner.alloc": "alloc", "owner.free": "free", "owner.exit": "exit"}
HANDLE_OPS = {"handle.touch": "touch", "handle.clean": "clean"}


def check_kinds(kinds):
    """start_trace()'s `kinds`: None (every event) or a collection of known event names."""
    from .errors import TraceError
    if kinds is None:
        return None
    if isinstance(kinds, (str, bytes)) or not isinstance(kinds, (list, tuple, set, frozenset)):
        raise TraceError("kinds must be None or a list of event names (e.g. [\"mm_page_alloc\"]), "
                         "got %r" % (kinds,))
    unknown = [k for k in kinds if k not in EVENT_NAMES]
    if unknown:
        raise TraceError("unknown event names %r (the events are listed in buddylab.trace: "
                         "EVENT_NAMES)" % (unknown,))
    return set(kinds)


@dataclass(frozen=True)
class Event:
    """One trace event: a tracepoint or teaching-event name and its fields."""
    name: str
    fields: Tuple[Tuple[str, Any], ...]

    def __getitem__(self, key):
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def as_dict(self):
        return dict(self.fields)

    def __str__(self):
        return format_event(self)


def _mtname(mt):
    from .mmzone import MIGRATETYPE_NAMES
    return MIGRATETYPE_NAMES[mt] if 0 <= mt < len(MIGRATETYPE_NAMES) else str(mt)


def format_event(ev):
    """The event as a line of text: kernel events in the 4.18 printk layout."""
    f = ev.as_dict()
    n = ev.name
    if n == "mm_page_alloc":
        from .gfp import gfp_str
        return ("mm_page_alloc: pfn=%d order=%d migratetype=%d gfp_flags=%s"
                % (f["pfn"] if f["pfn"] >= 0 else 0, f["order"], f["migratetype"],
                   gfp_str(f["gfp_flags"])))
    if n == "mm_page_free":
        return "mm_page_free: pfn=%d order=%d" % (f["pfn"], f["order"])
    if n == "mm_page_alloc_zone_locked":
        return ("mm_page_alloc_zone_locked: pfn=%d order=%u migratetype=%d percpu_refill=%d"
                % (max(f["pfn"], 0), f["order"], f["migratetype"], f["percpu_refill"]))
    if n == "mm_page_pcpu_drain":
        return ("mm_page_pcpu_drain: pfn=%d order=%d migratetype=%d"
                % (f["pfn"], f["order"], f["migratetype"]))
    if n == "mm_page_alloc_extfrag":
        from .mmzone import pageblock_order as _pbo
        pbo = f.get("pageblock_order", _pbo)
        return ("mm_page_alloc_extfrag: pfn=%d alloc_order=%d fallback_order=%d "
                "pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d "
                "fragmenting=%d change_ownership=%d"
                % (f["pfn"], f["alloc_order"], f["fallback_order"], pbo,
                   f["alloc_migratetype"], f["fallback_migratetype"],
                   int(f["fallback_order"] < pbo), int(f["change_ownership"])))
    return n + ": " + " ".join("%s=%s" % (k, v) for k, v in ev.fields)


def explain(ev):
    """One sentence in kernel words saying what the event did."""
    f = ev.as_dict()
    n = ev.name
    if n == "split":
        return ("expand(): order-%d block at pfn %d split; upper half pfn %d -> head of "
                "free_list[%s] order %d" % (f["order"], f["pfn"], f["buddy_pfn"],
                                            _mtname(f["migratetype"]), f["buddy_order"]))
    if n == "merge":
        return ("__free_one_page(): pfn %d and its buddy %d (= %d ^ (1 << %d)) merge into "
                "order-%d block at pfn %d" % (f["pfn"], f["buddy_pfn"], f["pfn"], f["order"],
                                              f["order"] + 1, f["merged_pfn"]))
    if n == "place":
        return ("__free_one_page(): order-%d block at pfn %d -> %s of free_list[%s]"
                % (f["order"], f["pfn"], f["position"], _mtname(f["migratetype"])))
    if n == "rmqueue":
        return ("__rmqueue_smallest(): order-%d block at pfn %d taken from the head of "
                "free_list[%s]" % (f["order"], f["pfn"], _mtname(f["migratetype"])))
    if n == "pcp_refill":
        return ("rmqueue_bulk(): cpu %d refills pcp list[%s] with %d pages at the tail "
                "(count %d)" % (f["cpu"], _mtname(f["migratetype"]), len(f["pfns"]), f["count"]))
    if n == "pcp_alloc":
        return ("rmqueue_pcplist(): cpu %d takes pfn %d from the head of pcp list[%s] "
                "(count %d)" % (f["cpu"], f["pfn"], _mtname(f["migratetype"]), f["count"]))
    if n == "pcp_free":
        return ("free_unref_page(): cpu %d puts pfn %d at the head of pcp list[%s] "
                "(count %d)" % (f["cpu"], f["pfn"], _mtname(f["migratetype"]), f["count"]))
    if n == "pcp_drain":
        return ("free_pcppages_bulk(): cpu %d returns %d pages to the buddy lists (%s; "
                "count %d)" % (f["cpu"], f["nr_pages"], f["reason"], f["count"]))
    if n == "zonelist_step":
        return ("get_page_from_freelist(): zone %s of node %d, order %d: free %d vs %s %d + "
                "lowmem_reserve %d -> %s" % (f["zone"], f["nid"], f["order"], f["free_pages"],
                                             f["mark"], f["mark_pages"], f["lowmem_reserve"],
                                             "ok" if f["ok"] else "fail"))
    if n == "fallback":
        how = "claims" if f["claimed"] else "steals from"
        nr = f.get("nr_pageblocks", 1)
        blocks = ("pageblock %d" % f["pageblock_pfn"] if nr == 1
                  else "%d pageblocks from %d" % (nr, f["pageblock_pfn"]))
        if f["old_pageblock_mt"] == f["new_pageblock_mt"]:
            typed = "keeps type %s" % _mtname(f["old_pageblock_mt"])
        else:
            typed = "%s -> %s" % (_mtname(f["old_pageblock_mt"]), _mtname(f["new_pageblock_mt"]))
        return ("__rmqueue_fallback(): %s request %s free_list[%s] order %d (pfn %d); "
                "%s %s; %d free pages now on %s lists"
                % (_mtname(f["start_migratetype"]), how, _mtname(f["fallback_migratetype"]),
                   f["order"], f["pfn"], blocks, typed, f["moved_pages"],
                   _mtname(f["start_migratetype"])))
    if n == "slowpath":
        detail = (": " + f["detail"]) if f.get("detail") else ""
        return "__alloc_pages_slowpath(): %s with %s%s" % (f["step"], f["alloc_flags"], detail)
    if n == "kswapd_wake":
        return ("wakeup_kswapd(): node %d woken for order %d (zone %s free %d, low %d): "
                "kswapd reclaims until the high watermark %d"
                % (f["nid"], f["order"], f["zone"], f["free_pages"], f["low"], f["high"]))
    if n == "kswapd_sleep":
        return ("kswapd(): node %d reclaimed %d pages and goes back to sleep (%s)"
                % (f["nid"], f["nr_reclaimed"], "balanced" if f["balanced"] else "not balanced"))
    if n == "reclaim_batch":
        return ("shrink_node(): %s reclaims %d pages on node %d (first pfn %s)"
                % (f["who"], f["nr_reclaimed"], f["nid"], f["pfns"][0] if f["pfns"] else "-"))
    if n == "direct_reclaim":
        return ("__perform_reclaim(): direct reclaim for order %d freed %d pages"
                % (f["order"], f["progress"]))
    if n == "direct_compact":
        return ("__alloc_pages_direct_compact(): order-%d compaction at priority %s"
                % (f["order"], f["priority"]))
    if n == "compaction_suitable":
        if f["fragindex"] is not None:
            why = "fragmentation index %d" % f["fragindex"]
        elif f["result"] == "skipped":
            why = "free pages below the watermark plus compact_gap()"
        elif f["result"] == "success":
            why = "the zone already passes the watermark at this order"
        else:
            why = "order %d is not costly: the extfrag index is not consulted" % f["order"]
        return ("compaction_suitable(): zone %s order %d -> %s (%s)"
                % (f["zone"], f["order"], f["result"], why))
    if n == "compact_scanner":
        return ("compact_zone(): %s; migrate scanner at pfn %d, free scanner at pfn %d, "
                "%d pages migrated so far" % (f["step"], f["migrate_pfn"], f["free_pfn"],
                                              f["nr_migrated"]))
    if n == "migrate_page":
        return ("migrate_pages(): %s page of %s moves from pfn %d to pfn %d"
                % (f["kind"], f["owner"], f["old_pfn"], f["new_pfn"]))
    if n == "compact_end":
        return ("compact_zone(): zone %s order %d %s ends %s: %d migrated, %d scanned by the "
                "migrate scanner, %d by the free scanner"
                % (f["zone"], f["order"], f["mode"], f["result"], f["nr_migrated"],
                   f["migrate_scanned"], f["free_scanned"]))
    if n == "kcompactd_wake":
        return "wakeup_kcompactd(): node %d compacts for order %d" % (f["nid"], f["order"])
    if n == "oom_victim":
        return ("out_of_memory(): kills %s (oom_badness %d, rss %d pages)"
                % (f["victim"], f["points"], f["rss"]))
    if n == "oom_no_victim":
        return "out_of_memory(): no killable task: %s" % f["what"]
    if n == "oom_skip":
        return "out_of_memory(): %s" % f["reason"]
    if n == "highatomic_reserve":
        return ("reserve_highatomic_pageblock(): pageblock %d becomes HighAtomic (%d pages "
                "reserved)" % (f["pageblock_pfn"], f["nr_reserved_highatomic"]))
    if n == "highatomic_unreserve":
        return ("unreserve_highatomic_pageblock(): pageblock %d goes back to %s (%d pages "
                "reserved)" % (f["pageblock_pfn"], _mtname(f["migratetype"]),
                               f["nr_reserved_highatomic"]))
    if n == "mm_page_alloc":
        if f["pfn"] < 0:
            return "__alloc_pages_nodemask(): order-%d allocation failed (NULL)" % f["order"]
        return "__alloc_pages_nodemask(): order-%d allocation returns pfn %d" % (f["order"], f["pfn"])
    if n == "mm_page_free":
        return "__free_pages(): order-%d block at pfn %d freed" % (f["order"], f["pfn"])
    return format_event(ev)


@dataclass
class Trace:
    """A recording: the events in order and the top-level calls that made them."""
    events: List[Event] = field(default_factory=list)
    ops: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    machine_args: Dict[str, Any] = field(default_factory=dict)
    kinds: Any = None        # None = every event; else a set of names to keep
    prefix: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)

    def emit(self, name, **fields):
        if self.kinds is None or name in self.kinds:
            self.events.append(Event(name, tuple(fields.items())))

    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, i):
        return self.events[i]

    def of(self, *names):
        """The events with one of these names, in order."""
        return [e for e in self.events if e.name in names]

    def text(self):
        """Every event, one per line, as format_event() prints it."""
        return "".join(format_event(e) + "\n" for e in self.events)


def run_op(m, op, where="op"):
    """Run one recorded call (name, kwargs) on machine `m`, as it was made.

    Only the public operations a machine records (MACHINE_OPS, OWNER_OPS,
    HANDLE_OPS) are run; anything else, or arguments that do not fit the
    operation, is a TraceError naming the op, before the machine is touched.
    """
    import inspect
    from .errors import TraceError
    try:
        name, kwargs = op
    except (TypeError, ValueError):
        raise TraceError("%s is not a (name, kwargs) pair: %r" % (where, op)) from None
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise TraceError("%s %r: its arguments are not a dict of keyword arguments: %r"
                         % (where, name, kwargs))
    kwargs = dict(kwargs)
    if name in MACHINE_OPS:
        fn = getattr(m, name)
    elif name in OWNER_OPS or name in HANDLE_OPS:
        table, key = (OWNER_OPS, "owner") if name in OWNER_OPS else (HANDLE_OPS, "handle")
        reg = m.owners
        live = {}
        for k in (key, "handle") if key == "owner" and "handle" in kwargs else (key,):
            objs = None if reg is None else (reg.by_oid if k == "owner" else reg.by_hid)
            ident = kwargs.pop(k, None)
            if objs is None or isinstance(ident, bool) or not isinstance(ident, int) \
                    or ident not in objs:
                raise TraceError("%s %r: no live %s with id %r on this machine"
                                 % (where, name, k, ident))
            live[k] = objs[ident]
        fn = getattr(live.pop(key), table[name])
        kwargs.update(live)                     # owner.free's handle, as the Handle
    else:
        raise TraceError("%s %r is not a recorded public operation (those are %s)"
                         % (where, name, ", ".join(MACHINE_OPS + tuple(OWNER_OPS)
                                                   + tuple(HANDLE_OPS))))
    try:
        inspect.signature(fn).bind(**kwargs)
    except TypeError as e:
        raise TraceError("%s %r: arguments %r do not fit: %s" % (where, name, kwargs, e)) from None
    return fn(**kwargs)


def replay(trace, machine=None):
    """Run the calls recorded in `trace` on a fresh machine; return its Trace.

    The fresh machine is built with the same arguments as the traced one and
    first replays, untraced, the calls made before tracing started; with
    `machine` given, only the traced calls run on it.  Equal event lists show
    that the run was deterministic.  A trace whose prefix was not kept (the
    machine's history_limit), or that holds anything but recorded public
    operations, gives TraceError.
    """
    from .machine import Machine
    from .errors import TraceError
    import warnings
    if not isinstance(trace, Trace):
        raise TraceError("replay() takes a Trace, got %r" % (trace,))
    for what, ops in (("ops", trace.ops), ("prefix", trace.prefix)):
        if ops is not None and not isinstance(ops, (list, tuple)):
            raise TraceError("trace.%s must be a list of (name, kwargs), got %r" % (what, ops))
    if machine is None:
        if trace.prefix is None:
            raise TraceError("the calls made before this trace started were not kept (the "
                             "machine passed its history_limit): replay(trace, machine) onto a "
                             "machine in the same state instead")
        import inspect
        try:
            inspect.signature(Machine).bind(**trace.machine_args)
        except TypeError as e:
            raise TraceError("trace.machine_args %r are not Machine() arguments: %s"
                             % (trace.machine_args, e)) from None
        m = Machine(**trace.machine_args)
    else:
        m = machine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if machine is None:
            for i, op in enumerate(trace.prefix):   # the calls made before tracing started
                run_op(m, op, "prefix op %d" % i)
        new = m.start_trace(kinds=trace.kinds)
        try:
            for i, op in enumerate(trace.ops):
                run_op(m, op, "op %d" % i)
        finally:
            m.stop_trace()
    return new
