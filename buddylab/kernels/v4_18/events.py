"""The classic kernel's trace events, declared once: name, fields, printk, explanation.

Kernel: include/trace/events/kmem.h (v4.18: mm_page_alloc, mm_page_free,
mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag; 4.18 prints pfn in
decimal) and the lab's teaching events, each named after the v4.18 function that fires it.
``buddylab.trace`` prints and explains every event through this table (``Event.spec``), the
stepper outlines the block ``spec.block`` names; the events shared code emits (compaction,
reclaim, OOM) are ``buddylab.kernels.base.COMMON_EVENTS``.
"""

from ..base import EventSpec, COMMON_EVENTS, events_table
from ...mmzone import MIGRATETYPE_NAMES, pageblock_order
from .gfp import gfp_str, gfp_t


def _mt(mt):
    return MIGRATETYPE_NAMES[mt] if 0 <= mt < len(MIGRATETYPE_NAMES) else str(mt)


# ----------------------------------------------------------- the kmem tracepoints (4.18)
def _alloc_printk(f):
    return ("mm_page_alloc: pfn=%d order=%d migratetype=%d gfp_flags=%s"
            % (f["pfn"] if f["pfn"] >= 0 else 0, f["order"], f["migratetype"],
               gfp_str(f["gfp_flags"])))


def _alloc_explain(f):
    if f["pfn"] < 0:
        return "__alloc_pages_nodemask(): order-%d allocation failed (NULL)" % f["order"]
    return "__alloc_pages_nodemask(): order-%d allocation returns pfn %d" % (f["order"], f["pfn"])


def _extfrag_printk(f):
    pbo = f.get("pageblock_order", pageblock_order)
    return ("mm_page_alloc_extfrag: pfn=%d alloc_order=%d fallback_order=%d "
            "pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d "
            "fragmenting=%d change_ownership=%d"
            % (f["pfn"], f["alloc_order"], f["fallback_order"], pbo,
               f["alloc_migratetype"], f["fallback_migratetype"],
               int(f["fallback_order"] < pbo), int(f["change_ownership"])))


def _fallback_explain(f):
    how = "claims" if f["claimed"] else "steals from"
    nr = f.get("nr_pageblocks", 1)
    blocks = ("pageblock %d" % f["pageblock_pfn"] if nr == 1
              else "%d pageblocks from %d" % (nr, f["pageblock_pfn"]))
    if f["old_pageblock_mt"] == f["new_pageblock_mt"]:
        typed = "keeps type %s" % _mt(f["old_pageblock_mt"])
    else:
        typed = "%s -> %s" % (_mt(f["old_pageblock_mt"]), _mt(f["new_pageblock_mt"]))
    return ("__rmqueue_fallback(): %s request %s free_list[%s] order %d (pfn %d); "
            "%s %s; %d free pages now on %s lists"
            % (_mt(f["start_migratetype"]), how, _mt(f["fallback_migratetype"]),
               f["order"], f["pfn"], blocks, typed, f["moved_pages"],
               _mt(f["start_migratetype"])))


KERNEL_SPECS = (
    EventSpec("mm_page_alloc", ("pfn", "order", "gfp_flags", "migratetype"), _alloc_explain,
              _alloc_printk, tracepoint=True, block=("pfn", "order"),
              doc="pfn (-1 if NULL), order, gfp_flags, migratetype",
              convert={"gfp_flags": gfp_t}),
    EventSpec("mm_page_free", ("pfn", "order"),
              lambda f: "__free_pages(): order-%d block at pfn %d freed" % (f["order"], f["pfn"]),
              lambda f: "mm_page_free: pfn=%d order=%d" % (f["pfn"], f["order"]),
              tracepoint=True, block=("pfn", "order"), doc="pfn, order"),
    EventSpec("mm_page_alloc_zone_locked", ("pfn", "order", "migratetype", "percpu_refill"), None,
              lambda f: "mm_page_alloc_zone_locked: pfn=%d order=%u migratetype=%d "
                        "percpu_refill=%d" % (max(f["pfn"], 0), f["order"], f["migratetype"],
                                              f["percpu_refill"]),
              tracepoint=True, doc="pfn (-1 if NULL), order, migratetype, percpu_refill"),
    EventSpec("mm_page_pcpu_drain", ("pfn", "order", "migratetype"), None,
              lambda f: "mm_page_pcpu_drain: pfn=%d order=%d migratetype=%d"
                        % (f["pfn"], f["order"], f["migratetype"]),
              tracepoint=True, block=("pfn", None), doc="pfn, order, migratetype"),
    EventSpec("mm_page_alloc_extfrag", ("pfn", "alloc_order", "fallback_order",
                                        "alloc_migratetype", "fallback_migratetype",
                                        "pageblock_order", "change_ownership"), None,
              _extfrag_printk, tracepoint=True,
              doc="pfn, alloc_order, fallback_order, alloc_migratetype, fallback_migratetype, "
                  "change_ownership"),
)

# ------------------------------------------------------------------- teaching events
TEACHING_SPECS = (
    EventSpec("rmqueue", ("nid", "zone", "pfn", "order", "migratetype"),
              lambda f: "__rmqueue_smallest(): order-%d block at pfn %d taken from the head of "
                        "free_list[%s]" % (f["order"], f["pfn"], _mt(f["migratetype"])),
              block=("pfn", "order")),
    EventSpec("split", ("nid", "zone", "pfn", "order", "buddy_pfn", "buddy_order", "migratetype"),
              lambda f: "expand(): order-%d block at pfn %d split; upper half pfn %d -> head of "
                        "free_list[%s] order %d" % (f["order"], f["pfn"], f["buddy_pfn"],
                                                    _mt(f["migratetype"]), f["buddy_order"]),
              block=("buddy_pfn", "buddy_order")),
    EventSpec("merge", ("nid", "zone", "pfn", "buddy_pfn", "order", "merged_pfn"),
              lambda f: "__free_one_page(): pfn %d and its buddy %d (= %d ^ (1 << %d)) merge "
                        "into order-%d block at pfn %d"
                        % (f["pfn"], f["buddy_pfn"], f["pfn"], f["order"], f["order"] + 1,
                           f["merged_pfn"]),
              block=("pfn", "order")),
    EventSpec("place", ("nid", "zone", "pfn", "order", "migratetype", "position"),
              lambda f: "__free_one_page(): order-%d block at pfn %d -> %s of free_list[%s]"
                        % (f["order"], f["pfn"], f["position"], _mt(f["migratetype"])),
              block=("pfn", "order")),
    EventSpec("pcp_refill", ("nid", "zone", "cpu", "migratetype", "pfns", "count"),
              lambda f: "rmqueue_bulk(): cpu %d refills pcp list[%s] with %d pages at the tail "
                        "(count %d)" % (f["cpu"], _mt(f["migratetype"]), len(f["pfns"]),
                                        f["count"])),
    EventSpec("pcp_alloc", ("nid", "zone", "cpu", "pfn", "migratetype", "count"),
              lambda f: "rmqueue_pcplist(): cpu %d takes pfn %d from the head of pcp list[%s] "
                        "(count %d)" % (f["cpu"], f["pfn"], _mt(f["migratetype"]), f["count"]),
              block=("pfn", None)),
    EventSpec("pcp_free", ("nid", "zone", "cpu", "pfn", "migratetype", "count"),
              lambda f: "free_unref_page(): cpu %d puts pfn %d at the head of pcp list[%s] "
                        "(count %d)" % (f["cpu"], f["pfn"], _mt(f["migratetype"]), f["count"]),
              block=("pfn", None)),
    EventSpec("pcp_drain", ("nid", "zone", "cpu", "nr_pages", "count", "reason"),
              lambda f: "free_pcppages_bulk(): cpu %d returns %d pages to the buddy lists (%s; "
                        "count %d)" % (f["cpu"], f["nr_pages"], f["reason"], f["count"])),
    EventSpec("zonelist_step", ("nid", "zone", "order", "mark", "mark_pages", "classzone_idx",
                                "free_pages", "lowmem_reserve", "alloc_flags", "ok"),
              lambda f: "get_page_from_freelist(): zone %s of node %d, order %d: free %d vs %s "
                        "%d + lowmem_reserve %d -> %s"
                        % (f["zone"], f["nid"], f["order"], f["free_pages"], f["mark"],
                           f["mark_pages"], f["lowmem_reserve"], "ok" if f["ok"] else "fail"),
              step=False),
    EventSpec("fallback", ("nid", "zone", "pfn", "order", "start_migratetype",
                           "fallback_migratetype", "whole_block", "claimed", "pageblock_pfn",
                           "old_pageblock_mt", "new_pageblock_mt", "moved_pages",
                           "nr_pageblocks", "movable_pages"),
              _fallback_explain, block=("pfn", "order")),
    EventSpec("highatomic_reserve", ("nid", "zone", "pageblock_pfn", "nr_reserved_highatomic"),
              lambda f: "reserve_highatomic_pageblock(): pageblock %d becomes HighAtomic (%d "
                        "pages reserved)" % (f["pageblock_pfn"], f["nr_reserved_highatomic"])),
    EventSpec("highatomic_unreserve", ("nid", "zone", "pageblock_pfn", "migratetype",
                                       "nr_reserved_highatomic"),
              lambda f: "unreserve_highatomic_pageblock(): pageblock %d goes back to %s (%d "
                        "pages reserved)" % (f["pageblock_pfn"], _mt(f["migratetype"]),
                                             f["nr_reserved_highatomic"])),
    EventSpec("slowpath", ("step", "alloc_flags", "detail"),
              lambda f: "__alloc_pages_slowpath(): %s with %s%s"
                        % (f["step"], f["alloc_flags"],
                           (": " + f["detail"]) if f.get("detail") else ""),
              step=False),
)

#: {name: EventSpec}: what Machine.start_trace() hands its Trace
EVENTS = events_table(KERNEL_SPECS + TEACHING_SPECS + COMMON_EVENTS)

# the names, in the order buddylab.trace has always listed them (compat: trace.KERNEL_EVENTS)
KERNEL_EVENTS = tuple(s.name for s in KERNEL_SPECS)
TEACHING_EVENTS = ("rmqueue", "split", "merge", "place", "pcp_refill", "pcp_alloc", "pcp_free",
                   "pcp_drain", "zonelist_step", "fallback", "highatomic_reserve",
                   "highatomic_unreserve", "slowpath", "kswapd_wake", "kswapd_sleep",
                   "reclaim_batch", "direct_reclaim", "direct_compact", "compaction_suitable",
                   "compact_scanner", "migrate_page", "compact_end", "kcompactd_wake",
                   "oom_victim", "oom_no_victim", "oom_skip")
EVENT_NAMES = KERNEL_EVENTS + TEACHING_EVENTS
