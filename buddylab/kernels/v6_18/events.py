"""The modern kernel's trace events, declared once: name, fields, printk, explanation.

Kernel: include/trace/events/kmem.h (v6.18): mm_page_alloc, mm_page_free,
mm_page_alloc_zone_locked (with percpu_refill), mm_page_pcpu_drain, mm_page_alloc_extfrag;
6.18 prints ``page=%p pfn=0x%lx`` (the pfn in hex); the model prints the line after the
event name without the hashed ``page=%p`` pointer (it has no struct page address).  A NULL
page prints pfn=0x0.  The teaching events are named after the v6.18 function that fires
them; those worded as in v4.18 are v4.18's declarations (unchanged since v4.18), and the
events shared code emits are ``buddylab.kernels.base.COMMON_EVENTS``.
"""

from ..base import EventSpec, COMMON_EVENTS, events_table
from ...mmzone import MIGRATETYPE_NAMES
from ..v4_18.events import TEACHING_SPECS as _V418_TEACHING
from .gfp import gfp_str, gfp_t


def _mt(mt):
    return MIGRATETYPE_NAMES[mt] if 0 <= mt < len(MIGRATETYPE_NAMES) else str(mt)


def _pfn(pfn):
    """__entry->pfn != -1UL ? __entry->pfn : 0, printed 0x%lx."""
    return "0x%x" % (pfn if pfn >= 0 else 0)


# ----------------------------------------------------------- the kmem tracepoints (6.18)
def _alloc_printk(f):
    return ("mm_page_alloc: pfn=%s order=%d migratetype=%d gfp_flags=%s"
            % (_pfn(f["pfn"]), f["order"], f["migratetype"], gfp_str(f["gfp_flags"])))


def _alloc_explain(f):
    if f["pfn"] < 0:
        return "__alloc_frozen_pages_noprof(): order-%d allocation failed (NULL)" % f["order"]
    return ("__alloc_frozen_pages_noprof(): order-%d allocation returns pfn %d"
            % (f["order"], f["pfn"]))


def _extfrag_printk(f):
    pbo = f["pageblock_order"]
    return ("mm_page_alloc_extfrag: pfn=%s alloc_order=%d fallback_order=%d "
            "pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d "
            "fragmenting=%d change_ownership=%d"
            % (_pfn(f["pfn"]), f["alloc_order"], f["fallback_order"], pbo,
               f["alloc_migratetype"], f["fallback_migratetype"],
               int(f["fallback_order"] < pbo), int(f["change_ownership"])))


def _extfrag_explain(f):
    how = ("claimed its pageblock" if f["change_ownership"]
           else "stole it (the pageblock keeps type %s)" % _mt(f["fallback_migratetype"]))
    return ("__rmqueue_claim()/__rmqueue_steal(): %s order-%d request took pfn %d from an "
            "order-%d block of free_list[%s] and %s"
            % (_mt(f["alloc_migratetype"]), f["alloc_order"], f["pfn"], f["fallback_order"],
               _mt(f["fallback_migratetype"]), how))


KERNEL_SPECS = (
    EventSpec("mm_page_alloc", ("pfn", "order", "gfp_flags", "migratetype"), _alloc_explain,
              _alloc_printk, tracepoint=True, block=("pfn", "order"),
              doc="pfn (-1 if NULL), order, gfp_flags, migratetype",
              convert={"gfp_flags": gfp_t}),
    EventSpec("mm_page_free", ("pfn", "order"),
              lambda f: "free_pages_prepare(): order-%d block at pfn %d freed"
                        % (f["order"], f["pfn"]),
              lambda f: "mm_page_free: pfn=%s order=%d" % (_pfn(f["pfn"]), f["order"]),
              tracepoint=True, block=("pfn", "order"), doc="pfn, order"),
    EventSpec("mm_page_alloc_zone_locked", ("pfn", "order", "migratetype", "percpu_refill"),
              lambda f: "__rmqueue_smallest(): order-%d page at pfn %d taken from free_list[%s]%s"
                        % (f["order"], f["pfn"], _mt(f["migratetype"]),
                           " for a pcp refill" if f["percpu_refill"] else ""),
              lambda f: "mm_page_alloc_zone_locked: pfn=%s order=%u migratetype=%d "
                        "percpu_refill=%d" % (_pfn(f["pfn"]), f["order"], f["migratetype"],
                                              f["percpu_refill"]),
              tracepoint=True, block=("pfn", "order"),
              doc="pfn, order, migratetype, percpu_refill (pcp_allowed_order && mt < PCPTYPES)"),
    EventSpec("mm_page_pcpu_drain", ("pfn", "order", "migratetype"), None,
              lambda f: "mm_page_pcpu_drain: pfn=%s order=%d migratetype=%d"
                        % (_pfn(f["pfn"]), f["order"], f["migratetype"]),
              tracepoint=True, block=("pfn", "order"), doc="pfn, order, migratetype"),
    EventSpec("mm_page_alloc_extfrag", ("pfn", "alloc_order", "fallback_order",
                                        "alloc_migratetype", "fallback_migratetype",
                                        "pageblock_order", "change_ownership"),
              _extfrag_explain, _extfrag_printk, tracepoint=True, block=("pfn", "alloc_order"),
              doc="pfn, alloc_order, fallback_order, alloc_migratetype, fallback_migratetype, "
                  "change_ownership"),
)


# ------------------------------------------------------------------- teaching events
def _claim_explain(f):
    if f["claimed"]:
        what = ("claims %s" % ("pageblock %d" % f["pageblock_pfn"] if f["nr_pageblocks"] == 1
                               else "%d pageblocks from %d" % (f["nr_pageblocks"],
                                                               f["pageblock_pfn"])))
    else:
        what = "leaves pageblock %d alone (nothing moves)" % f["pageblock_pfn"]
    return ("try_to_claim_block(): %s request, order-%d block at pfn %d on free_list[%s]: "
            "%d free + %d alike pages; %s"
            % (_mt(f["start_migratetype"]), f["order"], f["pfn"],
               _mt(f["fallback_migratetype"]), f["free_pages"], f["alike_pages"], what))


def _pcp_list(f):
    """pcp->lists[pindex] named by what it holds: order and migratetype."""
    return "order-%d %s" % (f["order"], _mt(f["migratetype"]))


MODERN_TEACHING_SPECS = (
    EventSpec("pcp_refill", ("nid", "zone", "cpu", "migratetype", "order", "pfns", "count"),
              lambda f: "rmqueue_bulk(): cpu %d refills its %s pcp list with %d block(s) at the "
                        "tail, %d pages (count %d)"
                        % (f["cpu"], _pcp_list(f), len(f["pfns"]),
                           len(f["pfns"]) << f["order"], f["count"])),
    EventSpec("pcp_alloc", ("nid", "zone", "cpu", "pfn", "order", "migratetype", "count"),
              lambda f: "rmqueue_pcplist(): cpu %d takes pfn %d from the head of its %s pcp "
                        "list (count %d)" % (f["cpu"], f["pfn"], _pcp_list(f), f["count"]),
              block=("pfn", "order")),
    EventSpec("pcp_free", ("nid", "zone", "cpu", "pfn", "order", "migratetype", "count"),
              lambda f: "free_frozen_page_commit(): cpu %d puts pfn %d at the head of its %s "
                        "pcp list (count %d)" % (f["cpu"], f["pfn"], _pcp_list(f), f["count"]),
              block=("pfn", "order")),
    EventSpec("claim", ("nid", "zone", "pfn", "order", "start_migratetype",
                        "fallback_migratetype", "pageblock_pfn", "nr_pageblocks", "free_pages",
                        "alike_pages", "claimed"),
              _claim_explain, block=("pfn", "order")),
    EventSpec("steal", ("nid", "zone", "pfn", "order", "start_migratetype",
                        "fallback_migratetype"),
              lambda f: "__rmqueue_steal(): %s request takes the order-%d block at pfn %d from "
                        "free_list[%s]; its pageblock keeps its type"
                        % (_mt(f["start_migratetype"]), f["order"], f["pfn"],
                           _mt(f["fallback_migratetype"])),
              block=("pfn", "order")),
)

# v4.18's teaching events that v6.18's code fires alike (unchanged since v4.18); its
# "fallback" (__rmqueue_fallback() of v4.18) is replaced by "claim" and "steal", its
# order-0 pcp events by the ones above, which name the block's order.
_SHARED_TEACHING = tuple(s for s in _V418_TEACHING
                         if s.name not in ("fallback", "pcp_refill", "pcp_alloc", "pcp_free"))

#: {name: EventSpec}: what Machine.start_trace() hands its Trace
EVENTS = events_table(KERNEL_SPECS + _SHARED_TEACHING + MODERN_TEACHING_SPECS + COMMON_EVENTS)
