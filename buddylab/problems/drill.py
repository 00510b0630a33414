"""drill: short seeded questions on what learners (and tools) most often get wrong.

Kernel: frag_show() and pagetypeinfo_show() in mm/vmstat.c, the free lists
and pcp lists of mm/page_alloc.c (v4.18), gfpflags_to_migratetype(); the
model computes every answer.

Topics (``--topic``, or drawn from the seed):

=============  ==============================================================
buddyinfo      /proc/buddyinfo counts free BLOCKS per order, not pages
order          an order-k block is 2^k pages: order 10 is 4 MiB with 4 KiB pages
fragmented     plenty of free memory does not make an order-k request succeed
pcp            pages on the pcp lists are free but not in buddyinfo
pagetypeinfo   its free counts are free-list types, not pageblock ownership
malloc         a 100 KB malloc() is not a buddy request (pages come at first touch)
=============  ==============================================================

On v6.18 (the modern profile) every topic runs with v6.18's rules (mm/page_alloc.c,
v6.18): MAX_PAGE_ORDER is inclusive (alloc_pages_noprof()); the pcp topic's lists are
auto-tuned (percpu_pagelist_high_fraction 0) and hold orders 0..3 (__free_frozen_pages());
pagetypeinfo is built on the fallback kind's v6.18 claim and steal.

>>> from buddylab.problems import problem
>>> p = problem("drill", seed=0, topic="order")
>>> [k for k, _ in p.fields()]
['pages', 'KiB', 'valid']
"""

import math

from .. import mmzone as mz
from ..errors import BuddyLabError
from ._base import Problem, Param, Worked, count, yes_no, choice
from ._ops import teaching_machine, OpRun, named_mask, pcp_list_lines

__all__ = ["DrillProblem", "TOPICS"]

NOWAIT = "GFP_NOWAIT|__GFP_NOWARN"
TOPICS = ("buddyinfo", "order", "fragmented", "pcp", "pagetypeinfo", "malloc")

#: the pcp topic's sysctl: v4.18 percpu_pagelist_fraction 16 (high 8, batch 2); v6.18
#: percpu_pagelist_high_fraction 0, the default (high auto-tuned)
PCP_FRACTION = {"classic": 16, "modern": 0}
BUDDYINFO_RULE = ("frag_show(): column k of /proc/buddyinfo is nr_free of order k, a count of free "
                  "BLOCKS of 2^k pages each; pages = sum of count * 2^k")
ORDER_RULE = ("an order-k block is two to the power k contiguous pages of PAGE_SIZE bytes; "
              "alloc_pages() takes orders 0..MAX_ORDER-1 (MAX_ORDER is exclusive in v4.18)")
# v6.18: MAX_PAGE_ORDER, inclusive (include/linux/mmzone.h, alloc_pages_noprof(), v6.18)
ORDER_RULES = {
    "classic": ORDER_RULE,
    "modern": ("an order-k block is two to the power k contiguous pages of PAGE_SIZE bytes; "
               "alloc_pages() takes orders 0..MAX_PAGE_ORDER (inclusive: it replaced the older, "
               "exclusive MAX_ORDER)"),
}
#: the order drill's limit, as each kernel writes it: (name, test, largest valid order)
ORDER_LIMIT = {"classic": ("MAX_ORDER", "<", mz.MAX_ORDER - 1),
               "modern": ("MAX_PAGE_ORDER", "<=", mz.MAX_ORDER - 1)}
VERSION = {"classic": "v4.18", "modern": "v6.18"}
FRAG_RULE = ("__rmqueue_smallest() needs ONE free block of order >= k on a list the request may "
             "use; the number of free pages does not matter when they are scattered in smaller "
             "blocks (GFP_NOWAIT may neither reclaim nor compact)")
PCP_RULE = ("free_unref_page() puts an order-0 page on this CPU's pcp list: it is free but not on "
            "a buddy free list, so neither buddyinfo nor NR_FREE_PAGES ('pages free' in "
            "zoneinfo) counts it until free_pcppages_bulk() drains it")
# v6.18: __free_frozen_pages() -> free_frozen_page_commit(), orders 0..3 (mm/page_alloc.c, v6.18)
PCP_RULES = {
    "classic": PCP_RULE,
    "modern": ("__free_frozen_pages() puts a block of order 0..3 on this CPU's pcp list of its "
               "order and type (free_frozen_page_commit()): it is free but not on a buddy free "
               "list, so neither buddyinfo nor NR_FREE_PAGES ('pages free' in zoneinfo) counts "
               "it until free_pcppages_bulk() drains it (count >= high, auto-tuned between "
               "high_min and high_max)"),
}
PTI_RULE = ("pagetypeinfo_show(): the first table counts free blocks on each free_list[type] "
            "(where the free pages sit); 'Number of blocks type' counts pageblocks by their "
            "migratetype bits (who owns them); a fallback that steals without claiming moves "
            "free pages to another type's lists but leaves the pageblock's type")
# v6.18: try_to_claim_block() moves a claimed pageblock's free pages with its type,
# __rmqueue_steal() leaves a stolen block's remainders on its pageblock's own lists
# (mm/page_alloc.c, v6.18)
PTI_RULES = {
    "classic": PTI_RULE,
    "modern": ("pagetypeinfo_show(): the first table counts free blocks on each free_list[type] "
               "(where the free pages sit, pcp pages not included); 'Number of blocks type' "
               "counts pageblocks by their migratetype bits (who owns them), free or not; "
               "in v6.18 a claim moves a pageblock's free pages along with its type and a steal "
               "leaves a block's remainders on its own pageblock type's lists"),
}
MALLOC_RULE = ("glibc serves malloc() from the heap (brk) below M_MMAP_THRESHOLD (128 KiB) or a "
               "fresh mmap() above it; either way it only reserves address space: pages are "
               "allocated at first touch, by the page fault (do_anonymous_page())")
MALLOC_RULES = {
    "at_malloc": MALLOC_RULE + "; does the malloc() call itself touch a page of the buffer?",
    "order": "do_anonymous_page() allocates what one faulting page needs "
             "(alloc_zeroed_user_highpage_movable()); how many pages is that, as an order?",
    "pages": "each first write to a page faults that page in; count the PAGE_SIZE pages the bytes "
             "must cover at the least",
    "migratetype": "gfpflags_to_migratetype() of the fault's mask, GFP_HIGHUSER_MOVABLE",
}
#: v6.18 names it gfp_migratetype() (include/linux/gfp.h, v6.18)
MIGRATETYPE_RULES = {"classic": MALLOC_RULES["migratetype"],
                     "modern": "gfp_migratetype() of the fault's mask, GFP_HIGHUSER_MOVABLE"}


class DrillProblem(Problem):
    """One misconception drill (see TOPICS)."""

    kind = "drill"
    description = "misconception drills: " + ", ".join(TOPICS)
    PARAMS = (Param("topic", None, flag="--topic", kind=str,
                    help="one of " + ", ".join(TOPICS) + " (default: drawn from the seed)"),)

    def _validate(self):
        if self.params["topic"] is not None and self.params["topic"] not in TOPICS:
            raise BuddyLabError("--topic must be one of %s, got %r"
                                % (", ".join(TOPICS), self.params["topic"]))

    def _work(self):
        rng = self.rng()
        topic = self.params["topic"] or TOPICS[int(rng.random() * len(TOPICS))]
        w = Worked()
        w.lines.append("drill: " + topic)
        getattr(self, "_" + topic)(rng, w)
        return w

    # ------------------------------------------------------------- the topics
    def _fragmented_machine(self, rng, pages=256, max_order=5):
        m = teaching_machine(pages, max_order, 2, kernel=self.kernel)
        movable = named_mask(m, "GFP_HIGHUSER_MOVABLE")
        held = []
        while m.zone(0, "Normal").NR_FREE_PAGES:
            held.append(m.alloc_pages(movable, 0))
        p_free = 0.3 + 0.5 * rng.random()
        for page in held:
            if rng.random() < p_free:
                m.free_pages(page, 0)
        return m

    def _buddyinfo(self, rng, w):
        m = self._fragmented_machine(rng, 128, 4 + int(rng.random() * 2))
        snap = m.zone_snapshot(0, "Normal")
        w.lines += ["$ cat /proc/buddyinfo", m.buddyinfo().rstrip("\n")]
        w.lines.append(["free pages in zone Normal: ",
                        w.ask("free_pages", count("pages"), snap.nr_free_pages, BUDDYINFO_RULE)])
        w.lines.append(["free blocks in zone Normal: ",
                        w.ask("free_blocks", count("blocks"), sum(snap.nr_free), BUDDYINFO_RULE)])
        w.steps = ["order %d: %d blocks x %d pages = %d" % (o, n, 1 << o, n << o)
                   for o, n in enumerate(snap.nr_free)]
        w.hints = [BUDDYINFO_RULE + "."]

    def _order(self, rng, w):
        order = int(rng.random() * (mz.MAX_ORDER + 1))
        limit, test, top = ORDER_LIMIT[self.kernel]
        rule = ORDER_RULES[self.kernel]
        w.lines.append("x86_64, %s: PAGE_SIZE %d bytes, %s %d; a block of order %d"
                       % (VERSION[self.kernel], mz.PAGE_SIZE, limit,
                          top + 1 if test == "<" else top, order))
        w.lines.append(["  is ", w.ask("pages", count("pages"), 1 << order, rule),
                        " pages, ", w.ask("KiB", count("KiB"), (mz.PAGE_SIZE << order) // 1024,
                                          rule), " KiB"])
        w.lines.append(["  can alloc_pages() be asked for it (order %s %s)? " % (test, limit),
                        w.ask("valid", yes_no(), order <= top, rule)])
        w.steps = ["2^%d = %d pages x %d bytes = %d KiB" % (order, 1 << order, mz.PAGE_SIZE,
                                                             (mz.PAGE_SIZE << order) // 1024)]
        w.hints = [rule + "."]

    def _fragmented(self, rng, w):
        m = self._fragmented_machine(rng)
        snap = m.zone_snapshot(0, "Normal")
        top = max([o for o, n in enumerate(snap.nr_free) if n] or [0])
        order = min(top + (1 if rng.random() < 0.5 else 0), m.max_order - 1)
        w.lines += ["machine: one Normal zone of 256 pages, %s, min_free_kbytes 0"
                    % ("%s %d" % (ORDER_LIMIT[self.kernel][0], m.max_order
                                  if ORDER_LIMIT[self.kernel][1] == "<" else m.max_order - 1)),
                    "$ cat /proc/buddyinfo", m.buddyinfo().rstrip("\n")]
        w.lines.append(["free pages: ", w.ask("free_pages", count("pages"), snap.nr_free_pages,
                                               BUDDYINFO_RULE)])
        page = m.alloc_pages(named_mask(m, NOWAIT), order)
        w.lines.append(["does alloc_pages(GFP_NOWAIT, %d) succeed? " % order,
                        w.ask("succeeds", yes_no(), page is not None, FRAG_RULE)])
        w.steps = ["largest free block: order %d; the request is order %d -> %s"
                   % (top, order, "succeeds" if page is not None else "NULL")]
        w.hints = [BUDDYINFO_RULE + ".", FRAG_RULE + "."]

    def _pcp(self, rng, w):
        m = teaching_machine(128, 4, 2, PCP_FRACTION[self.kernel], kernel=self.kernel)
        modern = m.kernel.pcp_high_decays                 # v6.18: high auto-tuned
        run = OpRun(m)
        run.random_ops(rng, 4 + int(rng.random() * 8), m.max_order, "m", 0.4, orders=1)
        live = run.live()
        if not live:
            run.run(("alloc", 0, "m"))
            live = run.live()
        idx = live[int(rng.random() * len(live))]
        pfn = run.made[idx][0]
        run.run(("free", idx))
        run.finish()
        snap = m.zone_snapshot(0, "Normal")
        pcp = snap.pcp[0]
        on_pcp = any(pfn in lst for lst in pcp.lists)
        rule = PCP_RULES[self.kernel]
        if modern:
            w.lines += ["machine: v6.18 kernel, one Normal zone of 128 pages, pcp batch %d, "
                        "high_min %d, high_max %d" % (pcp.batch, pcp.high_min, pcp.high_max)]
        else:
            w.lines += ["machine: one Normal zone of 128 pages, pcp high %d batch %d"
                        % (pcp.high, pcp.batch)]
        w.lines += run.given_lines()
        w.lines += ["$ cat /proc/buddyinfo", m.buddyinfo().rstrip("\n"),
                    "zoneinfo pagesets: cpu: 0 count: %d high: %d batch: %d%s"
                    % (pcp.count, pcp.high, pcp.batch, "" if not modern else
                       " high_min: %d high_max: %d" % (pcp.high_min, pcp.high_max))]
        w.lines.append(["is the page just freed (pfn %d) counted in buddyinfo? " % pfn,
                        w.ask("in_buddyinfo", yes_no(), not on_pcp, rule)])
        w.lines.append(["'pages free' in /proc/zoneinfo (NR_FREE_PAGES): ",
                        w.ask("nr_free_pages", count("pages"), snap.nr_free_pages, rule)])
        w.lines.append(["pages free in all (buddy + pcp): ",
                        w.ask("all_free", count("pages"), snap.nr_free_pages + snap.pcp_pages(),
                              rule)])
        w.steps = ["pcp lists: %s" % ("; ".join(pcp_list_lines(m, snap)) if modern
                                      else [list(x) for x in pcp.lists]),
                   "NR_FREE_PAGES %d + pcp %d" % (snap.nr_free_pages, snap.pcp_pages())]
        w.hints = [rule + ".", BUDDYINFO_RULE + "."]

    def _pagetypeinfo(self, rng, w):
        from .fallback import FallbackProblem
        run, _ = FallbackProblem(0, kernel=self.kernel)._attempt(rng, True)
        m = run.m
        run.finish()
        snap = m.zone_snapshot(0, "Normal")
        lists = {mt: sum(len(snap.free_lists[o][mt]) << o for o in range(snap.max_order))
                 for mt in range(mz.MIGRATE_PCPTYPES)}
        blocks = {mt: sum(1 for _, t in snap.pageblock_mt if t == mt)
                  for mt in range(mz.MIGRATE_PCPTYPES)}
        mt = int(rng.random() * 2) * 2          # Unmovable or Reclaimable
        name = mz.MIGRATETYPE_NAMES[mt]
        w.lines += ["$ cat /proc/pagetypeinfo", m.pagetypeinfo().rstrip("\n")]
        rule = PTI_RULES[self.kernel]
        w.lines.append(["free pages on free_list[%s]: " % name,
                        w.ask("free_pages_on_%s_lists" % name, count("pages"), lists[mt], rule)])
        w.lines.append(["pageblocks of type %s: " % name,
                        w.ask("%s_pageblocks" % name, count("pageblocks"), blocks[mt], rule)])
        w.lines.append(["free pages on free_list[Movable]: ",
                        w.ask("free_pages_on_Movable_lists", count("pages"), lists[1], rule)])
        w.steps = ["free pages per list type: %s" % {mz.MIGRATETYPE_NAMES[k]: v
                                                     for k, v in lists.items()},
                   "pageblocks per type: %s" % {mz.MIGRATETYPE_NAMES[k]: v
                                                for k, v in blocks.items()}]
        w.hints = [rule + ".", BUDDYINFO_RULE + "."]

    def _malloc(self, rng, w):
        kib = (4, 16, 64, 100, 100, 127, 128, 200, 1000)[int(rng.random() * 9)]
        pages = math.ceil(kib * 1024 / mz.PAGE_SIZE)
        from ..kernels.select import get_kernel
        g = get_kernel(self.kernel).gfp
        movable = mz.MIGRATETYPE_NAMES[g.gfpflags_to_migratetype(g.GFP_HIGHUSER_MOVABLE)]
        w.lines += ["a process calls p = malloc(%d * 1024) and then writes every byte of it "
                    "(x86_64, 4 KiB pages, transparent huge pages off; glibc's chunk header and "
                    "the page tables aside)" % kib]
        w.lines.append(["  buddy allocations for the buffer made inside the malloc() call: ",
                        w.ask("at_malloc", count("allocations"), 0, MALLOC_RULES["at_malloc"])])
        w.lines.append(["  order of each allocation when the pages are touched: ",
                        w.ask("order", count("order"), 0, MALLOC_RULES["order"])])
        w.lines.append(["  the fewest pages the writes can fault in: ",
                        w.ask("pages", count("pages"), pages, MALLOC_RULES["pages"])])
        w.lines.append(["  their migratetype: ", w.ask("migratetype", choice(
            "Unmovable", "Movable", "Reclaimable"), movable, MIGRATETYPE_RULES[self.kernel])])
        w.steps = ["malloc() reserves address space (brk or mmap) and writes only its chunk "
                   "header: no page of the buffer is allocated",
                   "each first write faults one order-0 GFP_HIGHUSER_MOVABLE page: "
                   "ceil(%d KiB / 4 KiB) = %d pages, migratetype %s" % (kib, pages, movable)]
        w.hints = [MALLOC_RULE + ".", MALLOC_RULES["order"], MALLOC_RULES["pages"]]
