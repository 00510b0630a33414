"""Chapter 06's exercises: fragmentation indexes, the OOM killer, compaction, grouping by mobility.

Kernel: __fragmentation_index() and unusable_free_index() in mm/vmstat.c; oom_badness() and
select_bad_process() in mm/oom_kill.c; compact_zone(), isolate_migratepages(),
isolate_freepages(), migrate_pages() in mm/compaction.c and mm/migrate.c;
__rmqueue_fallback() in mm/page_alloc.c (v4.18).
"""

from ..machine import Machine
from .. import vmstat, oom
from ..owners import KERNEL, ANON
from .core import Exercise, Int, Choice, TupleOf, ListOf, Seq, and_list, draw

# 06.1: the two indexes by hand.
SETUP_01 = {"nr_free": (6, 3, 2, 0, 1, 0), "max_order": 6, "extfrag_orders": (3, 5)}


def _solve_01(s):
    nr_free = s["nr_free"]
    return ([vmstat.unusable_free_index(o, nr_free) for o in range(s["max_order"])]
            + [vmstat.fragmentation_index(o, nr_free, s["max_order"]) for o in s["extfrag_orders"]])


def _where_01(i, s):
    if i < s["max_order"]:
        return "the unusable index of order %d" % i
    return "the extfrag index of order %d" % s["extfrag_orders"][i - s["max_order"]]


def _why_01(i, answer, s):
    if i < s["max_order"]:
        return ("unusable_free_index(): 1000 when no page is free, else (free_pages - "
                "free_blocks_suitable << order) * 1000 / free_pages, where free_blocks_suitable "
                "counts the blocks of this order or more in units of this order "
                "(fill_contig_page_info()); integer division.")
    return ("__fragmentation_index(): 0 when no block is free, -1000 when a suitable block exists "
            "(the request would succeed), else 1000 - (1000 + free_pages * 1000 / requested) / "
            "free_blocks_total, requested = 1 << order; integer divisions.")


def _question_01(s):
    return ("A zone of a machine with MAX_ORDER %d has nr_free = [%s]. Give the unusable free "
            "space index of orders 0 to %d, then the extfrag index of orders %s, all x1000 as the "
            "kernel computes them (integer division), as a list of %d ints."
            % (s["max_order"], ", ".join("%d" % n for n in s["nr_free"]), s["max_order"] - 1,
               and_list(s["extfrag_orders"]), s["max_order"] + len(s["extfrag_orders"])))


def _vary_01(rng):
    """Six nr_free counts (0..7, not all 0) and two extfrag orders of 1..5, ascending."""
    nr_free = (0,)
    while not any(nr_free):
        nr_free = tuple(int(rng.random() * 8) for _ in range(SETUP_01["max_order"]))
    s = {"nr_free": nr_free, "max_order": SETUP_01["max_order"],
         "extfrag_orders": tuple(sorted(draw(rng, range(1, 6), 2)))}
    return s, _question_01(s)


EX_01 = Exercise(
    "06.1", "the indexes by hand", _question_01(SETUP_01),
    SETUP_01, _solve_01, ListOf(Int(), 8), where=_where_01, why=_why_01, vary=_vary_01,
    hints=["First the totals: free pages (sum of nr_free[k] << k) and free blocks (sum of nr_free).",
           "For order k, the pages in blocks of order k or more are usable; the rest are not.",
           "The extfrag index is -1000 whenever a block of the order or larger is free."])

# 06.2: oom_badness() of four tasks and the victim.
SETUP_02 = {"totalpages": 4096,
            "tasks": [("kworker", 900, 0, True), ("db", 1500, -500, False), ("web", 700, 0, False),
                      ("batch", 300, 200, False)]}


def _solve_02(s):
    m = Machine(nodes=[{"Normal": s["totalpages"]}], cpus_per_node=1)
    tasks = []
    for name, rss, adj, kthread in s["tasks"]:
        t = m.owner(name, kthread=kthread, oom_score_adj=adj)
        t.nr_resident = rss          # pretend rss: the score only reads it
        tasks.append(t)
    victim, _ = oom.select_bad_process(m, s["totalpages"])
    return [oom.oom_badness(t, s["totalpages"]) for t in tasks] + [victim.name]


def _where_02(i, s):
    return "oom_badness(%s)" % s["tasks"][i][0] if i < len(s["tasks"]) else "the victim"


def _why_02(i, answer, s):
    if i < len(s["tasks"]):
        return ("oom_badness() (v4.18): 0 for a kernel thread (oom_unkillable_task()) or "
                "oom_score_adj -1000; else points = rss + swap entries + page tables, plus "
                "oom_score_adj * (totalpages / 1000) (integer division first), and at least 1.")
    return "select_bad_process() kills the task with the highest oom_badness() score."


def _question_02(s):
    tasks = [("a kernel thread %s (rss %d)" if kthread else "%s (rss %d") % (name, rss)
             + ("" if kthread else ", oom_score_adj %+d)" % adj if adj else ")")
             for name, rss, adj, kthread in s["tasks"]]
    return ("A machine has totalpages = %d and four tasks: %s. Give the oom_badness() score of "
            "each, in that order, then the name of the victim: a list of four ints and a string."
            % (s["totalpages"], ", ".join(tasks)))


def _vary_02(rng):
    """The same four tasks with other rss and oom_score_adj (-500..500, in hundreds); drawn
    again until one killable task scores highest alone (no tie for the victim)."""
    totalpages = SETUP_02["totalpages"]
    while True:
        tasks = [(name, 100 * (1 + int(rng.random() * 20)),
                  0 if kthread else 100 * (int(rng.random() * 11) - 5), kthread)
                 for name, _, _, kthread in SETUP_02["tasks"]]
        scores = sorted(max(1, rss + adj * (totalpages // 1000))
                        for _, rss, adj, kthread in tasks if not kthread)
        if scores[-1] != scores[-2]:
            s = {"totalpages": totalpages, "tasks": tasks}
            return s, _question_02(s)


EX_02 = Exercise(
    "06.2", "who the OOM killer picks", _question_02(SETUP_02),
    SETUP_02, _solve_02,
    Seq(Int("score"), Int("score"), Int("score"), Int("score"),
        Choice([t[0] for t in SETUP_02["tasks"]], what="task"),
        text="a list of four scores (ints) and a task name, e.g. [n, n, n, n, 'name']"),
    where=_where_02, why=_why_02, vary=_vary_02,
    hints=["A kernel thread is never a candidate.",
           "totalpages / 1000 is computed first, as an integer: one unit of oom_score_adj is "
           "worth that many pages.",
           "A negative result is not kept: the score is at least 1 for a killable task."])

# 06.3: the first compaction round.
SETUP_03 = {"pages": 32, "pageblock_order": 3, "movable": (1, 3, 4, 6, 9, 10, 13, 20, 25, 29, 30)}


def _machine_03(s):
    m = Machine(nodes=[{"Normal": s["pages"]}], cpus_per_node=1, max_order=4,
                pageblock_order=s["pageblock_order"], min_free_kbytes=0,
                page_group_by_mobility_disabled=False)
    task = m.owner("task")
    for h in [task.alloc(ANON) for _ in range(s["pages"])]:
        if h.pfn not in s["movable"]:
            task.free(h)
    m.drain_all_pages()
    return m


def _solve_03(s):
    m = _machine_03(s)
    trace = m.start_trace(kinds=["compact_scanner", "migrate_page"])
    m.compact_memory()
    m.stop_trace()
    moves = []
    for e in trace.events:
        if e.name == "migrate_page":
            moves.append((e["old_pfn"], e["new_pfn"]))
        elif e["step"] == "migrate_pages":
            return moves
        else:
            moves = []
    return moves


def _why_03(i, answer, s):
    pages = set(s["movable"])
    if i < len(answer) and answer[i][0] not in pages:
        return ("pfn %d holds no movable page: the migrate scanner only isolates pages on the "
                "LRU (isolate_migratepages_block())." % answer[i][0])
    return ("isolate_migratepages() takes the movable pages of the first pageblock that has any; "
            "isolate_freepages() scans pageblocks from the top down, each from its start upward, "
            "until it has as many targets; migrate_pages() moves the most recently isolated page "
            "first, and compaction_alloc() hands out the target isolated last first.")


EX_03 = Exercise(
    "06.3", "the first compaction round",
    "A 32-page zone (pageblocks of 8 pages, all Movable; no watermarks) holds movable pages at "
    "pfns 1, 3, 4, 6, 9, 10, 13, 20, 25, 29 and 30; the rest is free. /proc/sys/vm/compact_memory "
    "runs. Give the moves of the first round as (old_pfn, new_pfn) pairs, in the order they happen.",
    SETUP_03, _solve_03,
    ListOf(TupleOf(Int("pfn"), Int("pfn"), names=("old_pfn", "new_pfn"))),
    where=lambda i, s: "move %d" % (i + 1), why=_why_03,
    hints=["How many movable pages does the first pageblock hold? That many moves, no more.",
           "The free scanner starts in the last pageblock and takes free pages from that block's "
           "start upward; a free buddy block counts as its pages in ascending order.",
           "Both lists are used from their most recent end: the last page isolated moves first, "
           "to the last target isolated."])

# 06.4: grouping by mobility, with a kernel page every 5th allocation.
SETUP_04 = {"every": 5, "allocations": 120}


def mobility_demo(disabled, every=8, allocations=120):
    """Chapter 06's mobility demo: a task's 120 pages with a kernel page every `every`-th, on a
    128-page zone; returns the machine after the task exits (and the fallback trace)."""
    m = Machine(nodes=[{"Normal": 128}], cpus_per_node=1, max_order=6, pageblock_order=3,
                min_free_kbytes=0, page_group_by_mobility_disabled=disabled)
    task, kthread = m.owner("task"), m.owner("kthread", kthread=True)
    trace = m.start_trace(kinds=["fallback"])
    for i in range(allocations):
        if i % every == every // 2:
            kthread.alloc(KERNEL)
        else:
            task.alloc(ANON)
    m.stop_trace()
    task.exit()
    m.drain_all_pages()
    return m, trace


def _solve_04(s):
    out = []
    for disabled in (False, True):
        m, _ = mobility_demo(disabled, every=s["every"], allocations=s["allocations"])
        z = m.zone(0, "Normal")
        out.append(sum(z.nr_free[o] << o for o in range(m.pageblock_order, m.max_order)))
    return out


EX_04 = Exercise(
    "06.4", "how much grouping saves",
    "Run mobility_demo() of the section on migrate types in your head with a kernel page every "
    "5th allocation (every=5: 24 kernel pages among the 120) instead of every 8th. After the task "
    "exits, how many pages are free in blocks of pageblock order or more, with grouping on and "
    "with grouping off? Answer [on, off].",
    SETUP_04, _solve_04, ListOf(Int("pages", after=True), 2),
    where=lambda i, s: "grouping %s" % ("on", "off")[i],
    why=("with grouping on, kernel pages fall back into as few pageblocks as they can: a fallback "
         "claims a whole pageblock for Unmovable (steal_suitable_fallback()), and the next kernel "
         "pages come from that block; with grouping off (page_group_by_mobility_disabled) every "
         "request takes the next page in line, so kernel pages end up wherever the task's did. "
         "A pageblock-sized free block needs all its pages free."),
    hints=["With grouping off, where do the 24 kernel pages land among the first 120 pfns "
           "handed out?",
           "A pageblock here is 8 pages; count the pageblocks that hold no kernel page once the "
           "task exits.",
           "With grouping on, how many 8-page pageblocks do 24 kernel pages need at least?"])

EXERCISES = [EX_01, EX_02, EX_03, EX_04]
