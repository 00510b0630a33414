"""Fragmentation experiments: seeded, deterministic, runnable from Python and the shell.

Not a kernel file: experiments in the spirit of Mel Gorman's anti-fragmentation
measurements (2.6.24, "grouping pages by mobility": the migrate types and
__rmqueue_fallback() of mm/page_alloc.c).

    >>> r = run("compaction", seed=0, size="tiny", progress=False)
    >>> r["name"], r["params"]["seed"]
    ('compaction', 0)

``run(name, seed=0, size="default", progress=None, kernel="classic", **overrides)`` runs
on the classic (v4.18) or the modern (v6.18) profile and returns plain
data (dicts, lists, ints) with a printable ``"report"`` that starts by echoing
the parameters (STYLE §7-8).  `overrides` replace the size's parameters
(nr_pages, pageblock_order, max_order, steps) or set an experiment's own
(fragtime's samples, antifrag's and tail's runs, tail's order); an unknown name, size or parameter, a
negative step count, raises BadParameterError before anything runs.  Shell: ``python -m buddylab experiment NAME --seed
N [--size tiny|default|large] [--kernel classic|modern]``.  Every experiment runs on both
profiles: the workload asks for memory by kind (the owner's GFP mask under the running
kernel's bit values) and the huge-page and churn masks are built from the running kernel's
GFP bits (`huge_gfp`, `churn_gfp`).

The workload (`Workload`): short-lived tasks start and exit; each maps
anonymous memory, reads files (page cache) and needs a few kernel pages (page
tables, stacks: freed at exit); a kernel thread keeps long-lived slab and
kernel allocations, some freed again.  Memory fills, kswapd and direct
reclaim drop old page cache.  At the end every task exits: what is left is
page cache (movable, reclaimable) and the kernel's pages (pinned).  Then
"huge pages" of pageblock order are allocated as hugetlbfs does
(GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_THISNODE | __GFP_RETRY_MAYFAIL |
__GFP_NOWARN) until one fails.  Scaled down, said aloud: a machine of
16384 pages with pageblock_order 7 (MAX_ORDER 9), so "huge page" means a
128-page pageblock; orders, watermarks and fallback rules scale with it.
"""

import random

from .kernels.v4_18 import gfp as G     # HUGE_GFP, CHURN_GFP: the classic profile's values
from .errors import BadParameterError
from .kernels.select import KERNELS as PROFILES
from .machine import Machine
from .owners import ANON, FILE, KERNEL, SLAB
from .progress import make_progress
from .fragindex import fragmentation_index, unusable_free_index
from .mmzone import MAX_NR_ZONES
from .reclaim import shrink_node

HUGE_GFP = (G.GFP_HIGHUSER_MOVABLE | G.__GFP_COMP | G.__GFP_THISNODE | G.__GFP_RETRY_MAYFAIL
            | G.__GFP_NOWARN)

SIZES = {
    "tiny": dict(nr_pages=4096, pageblock_order=6, max_order=8, steps=15000),
    "default": dict(nr_pages=16384, pageblock_order=7, max_order=9, steps=60000),
    "large": dict(nr_pages=65536, pageblock_order=9, max_order=11, steps=240000),
}


#: the profiles an experiment runs on (every one: see the module docstring)
KERNELS = tuple(PROFILES)


def make_machine(nr_pages, pageblock_order, max_order, kernel="classic", **opts):
    """One node, one Normal zone, one CPU, of `kernel`'s profile."""
    return Machine(nodes=[{"Normal": nr_pages}], cpus_per_node=1, max_order=max_order,
                   pageblock_order=pageblock_order, kernel=kernel, **opts)


def _mask(m, *names):
    """The OR of the __GFP_*/GFP_* `names` under `m`'s kernel's bit values."""
    value = 0
    for name in names:
        value |= getattr(m.kernel.gfp, name)
    return value


def huge_gfp(m):
    """hugetlbfs's mask (HUGE_GFP) under `m`'s kernel: GFP_HIGHUSER_MOVABLE | __GFP_COMP |
    __GFP_THISNODE | __GFP_RETRY_MAYFAIL | __GFP_NOWARN (the bits differ between v4.18 and
    v6.18, include/linux/gfp.h and gfp_types.h)."""
    return _mask(m, "GFP_HIGHUSER_MOVABLE", "__GFP_COMP", "__GFP_THISNODE",
                 "__GFP_RETRY_MAYFAIL", "__GFP_NOWARN")


def churn_gfp(m):
    """The churn's mask (CHURN_GFP) under `m`'s kernel: GFP_HIGHUSER_MOVABLE | __GFP_NOWARN."""
    return _mask(m, "GFP_HIGHUSER_MOVABLE", "__GFP_NOWARN")


class Workload:
    """The mixed workload (see the module docstring); every draw comes from rng.random()."""

    def __init__(self, m, seed, max_tasks=6):
        self.m, self.rng = m, random.Random(seed)
        self.max_tasks = max_tasks
        self.kthread = m.owner("kthread", kthread=True)
        self.kernel_handles = []
        self.tasks = []
        self.life = {}                 # task (Owner) -> steps left to live
        self.anon = {}                 # task (Owner) -> its anonymous pages' handles
        self.nr_tasks = 0
        managed = sum(z.managed_pages for z in m.zones)
        self.anon_budget = managed // (2 * max_tasks)     # per task, so tasks fit together

    def _spawn(self):
        self.nr_tasks += 1
        t = self.m.owner("task%d" % self.nr_tasks)
        self.life[t] = 200 + int(self.rng.random() * 2000)
        self.anon[t] = []
        self.tasks.append(t)

    def step(self):
        r = self.rng.random
        if len(self.tasks) < self.max_tasks and r() < 0.05:
            self._spawn()
        x = r()
        if x < 0.06:                                  # the kernel thread: slab and kernel pages
            kind = SLAB if r() < 0.6 else KERNEL
            order = 0 if r() < 0.8 else 1 + int(r() * 3)
            h = self.kthread.alloc(kind, order)
            if h is not None:
                self.kernel_handles.append(h)
        elif x < 0.10 and self.kernel_handles:        # ... and frees some of them
            h = self.kernel_handles.pop(int(r() * len(self.kernel_handles)))
            self.kthread.free(h)
        elif self.tasks:
            t = self.tasks[int(r() * len(self.tasks))]
            y = r()
            if t.killed:
                pass
            elif y < 0.45 and len(self.anon[t]) < self.anon_budget:
                h = t.alloc(ANON)
                if h is not None:
                    self.anon[t].append(h)
            elif y < 0.55 and self.anon[t]:
                t.free(self.anon[t].pop(int(r() * len(self.anon[t]))))
            elif y < 0.58:
                t.alloc(KERNEL)                       # a page table: freed at exit
            else:
                t.alloc(FILE)                         # read(): page cache
        for t in list(self.tasks):
            self.life[t] -= 1
            if self.life[t] <= 0 or t.killed:
                if not t.killed:
                    t.exit()
                self.tasks.remove(t)
                del self.life[t], self.anon[t]

    def finish(self):
        """Every task exits; page cache and the kernel thread's pages stay."""
        for t in self.tasks:
            if not t.killed:
                t.exit()
        self.tasks = []


MOBILITY = {KERNEL: "unmovable", SLAB: "reclaimable", FILE: "movable", ANON: "movable"}


def mixed_pageblocks(m, zone):
    """Pageblocks holding pages of more than one mobility (unmovable, reclaimable, movable).

    Mobility comes from the owner's kind (what the page is), not from the
    migrate type it was allocated with: with grouping disabled every request
    has the UNMOVABLE type, yet page cache stays movable.
    """
    nr = m.pageblock_nr_pages
    by_pfn = m.owners.by_pfn if m.owners is not None else {}
    kinds = {}
    for pfn, (order, mt) in m.allocated.items():
        if zone.zone_start_pfn <= pfn < zone.zone_end_pfn:
            h = by_pfn.get(pfn)
            mob = MOBILITY[h.kind] if h is not None else mt
            kinds.setdefault(pfn & ~(nr - 1), set()).add(mob)
    return sum(1 for s in kinds.values() if len(s) > 1)


def largest_free_order(zone):
    return max((o for o, n in enumerate(zone.nr_free) if n), default=-1)


def alloc_huge_pages(m):
    """Allocate pageblock-order blocks as hugetlbfs would, until one fails; how many."""
    n = 0
    gfp = huge_gfp(m)
    while m.alloc_pages(gfp, m.pageblock_order) is not None:
        n += 1
    return n


def _count(what, value, minimum):
    """`value` if it is an int >= minimum; BadParameterError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadParameterError("%s must be an int >= %d, got %r" % (what, minimum, value))
    return value


def _config(name, seed, size, overrides, kernel="classic"):
    """The parameters of a run: the size's, with `overrides`, checked; and the echoed params.

    >>> _config("tail", 0, "tiny", {"steps": -5})
    Traceback (most recent call last):
    ...
    buddylab.errors.BadParameterError: steps must be an int >= 0, got -5
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise BadParameterError("seed must be an int, got %r" % (seed,))
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise BadParameterError("unknown kernel %r (choose from %s)"
                                % (kernel, ", ".join(KERNELS)))
    if not isinstance(size, str) or size not in SIZES:
        raise BadParameterError("unknown size %r (choose from %s)" % (size, ", ".join(SIZES)))
    unknown = sorted(set(overrides) - set(SIZES[size]))
    if unknown:
        raise BadParameterError("experiment %s takes no parameter %s (it takes %s)"
                                % (name, ", ".join(unknown), ", ".join(SIZES[size])))
    cfg = dict(SIZES[size], **overrides)
    _count("steps", cfg["steps"], 0)
    return dict(cfg, kernel=kernel), dict(name=name, seed=seed, size=size, kernel=kernel, **cfg)


def _header(p):
    """The command and the machine; the orders in the profile's own terms (v4.18: exclusive
    MAX_ORDER; v6.18: inclusive MAX_PAGE_ORDER = max_order - 1, include/linux/mmzone.h)."""
    cmd = "" if p["kernel"] == KERNELS[0] else " --kernel %s" % p["kernel"]
    orders = ("MAX_PAGE_ORDER %d" % (p["max_order"] - 1)
              if PROFILES[p["kernel"]].order_limit_inclusive else "MAX_ORDER %d" % p["max_order"])
    return ("experiment %s --seed %d --size %s%s\n  machine: %d pages (one Normal zone), "
            "pageblock_order %d, %s; workload steps %d\n"
            % (p["name"], p["seed"], p["size"], cmd, p["nr_pages"], p["pageblock_order"],
               orders, p["steps"]))


def _run_workload(m, seed, steps, bar, sample_every=0, sampler=None):
    w = Workload(m, seed)
    for i in range(steps):
        w.step()
        if sample_every and i % sample_every == 0 and sampler is not None:
            sampler(i)
        bar.update(1)
    return w


# ------------------------------------------------------------------ antifrag
def spread(values):
    """Mean, min and max of a run's numbers: the spread between seeds, printed beside the mean.

    >>> spread([1, 2, 6])
    {'mean': 3.0, 'min': 1, 'max': 6}
    """
    values = list(values)
    return dict(mean=round(sum(values) / len(values), 1), min=min(values), max=max(values))


def drop_caches(m):
    """``echo 3 > /proc/sys/vm/drop_caches``: drop every clean page-cache and slab page.

    Kernel: drop_caches_sysctl_handler() in fs/drop_caches.c (v4.18):
    drop_pagecache_sb() and drop_slab().  The model's one LRU holds both, so
    it is shrink_node() with no limit and no swap; anonymous and dirty pages
    stay.  Returns the number of pages dropped.
    """
    n = sum(shrink_node(m, pgdat.node_id, MAX_NR_ZONES - 1, m.nr_pfns, 0, "drop_caches",
                        may_swap=False) for pgdat in m.nodes)
    m.drain_all_pages()
    return n


def antifrag(seed=0, size="default", progress=None, kernel="classic", runs=3, **overrides):
    """Grouping by mobility on vs off, compaction on vs off: huge pages at the end, per seed.

    `runs` workloads (seeds seed, seed+1, ...) for each of the four arms.
    After the workload every task exits; pageblock-order blocks are then
    allocated until one fails ("as left": page cache still in memory), then
    ``drop_caches`` drops page cache and slab and the allocation goes on
    ("after drop_caches", counted together with the first ones).  Rows give
    the mean over the runs and the min..max between seeds.
    """
    cfg, p = _config("antifrag", seed, size, overrides, kernel)
    p["runs"] = _count("runs", runs, 1)
    arms = [(g, c) for g in (False, True) for c in (False, True)]
    bar = make_progress(progress, cfg["steps"] * len(arms) * runs, "antifrag")
    rows = []
    for disabled, compaction in arms:
        per = dict(huge_pages=[], after_drop=[], mixed_pageblocks=[], kernel_pages=[],
                   nr_migrated=[])
        for k in range(runs):
            m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"], cfg["kernel"],
                             page_group_by_mobility_disabled=disabled, compaction=compaction)
            w = _run_workload(m, seed + k, cfg["steps"], bar)
            w.finish()
            zone = m.zone(0, "Normal")
            per["mixed_pageblocks"].append(mixed_pageblocks(m, zone))
            per["kernel_pages"].append(sum(1 << h.order for h in w.kernel_handles))
            n = alloc_huge_pages(m)
            per["huge_pages"].append(n)
            drop_caches(m)
            per["after_drop"].append(n + alloc_huge_pages(m))
            per["nr_migrated"].append(m.compact_stats.get("nr_migrated", 0))
        managed = m.zone(0, "Normal").managed_pages
        pct = [round(100.0 * (n << m.pageblock_order) / managed, 1) for n in per["after_drop"]]
        pct_left = [round(100.0 * (n << m.pageblock_order) / managed, 1)
                    for n in per["huge_pages"]]
        rows.append(dict(grouping=not disabled, compaction=compaction,
                         pageblocks=managed >> m.pageblock_order,
                         percent=spread(pct_left), percent_after_drop=spread(pct),
                         **{key: spread(v) for key, v in per.items()}))
    bar.close()

    def col(d, fmt="%.1f"):
        return (fmt + " (%s..%s)") % (d["mean"], d["min"], d["max"])
    lines = [_header(p),
             "  %d runs per arm, seeds %d..%d: mean (min..max between seeds)"
             % (runs, seed, seed + runs - 1),
             "  after the workload every task exits; then pageblock-order (%d-page) blocks are "
             "allocated until one fails," % (1 << cfg["pageblock_order"]),
             "  as left (page cache still there), then after drop_caches (page cache and slab "
             "dropped)",
             "",
             "  %-8s %-10s %-22s %-22s %-18s %s" % ("grouping", "compaction",
                                                  "% memory as left", "after drop_caches",
                                                  "mixed pageblocks", "pages moved")]
    for r in rows:
        lines.append("  %-8s %-10s %-22s %-22s %-18s %s"
                     % ("on" if r["grouping"] else "off", "on" if r["compaction"] else "off",
                        col(r["percent"]), col(r["percent_after_drop"]),
                        col(r["mixed_pageblocks"]), col(r["nr_migrated"])))
    lines += ["", "  Mel Gorman (2.6.24, ppc64): 1% of memory as huge pages without grouping, "
              "40% with it."]
    return dict(name="antifrag", params=p, rows=rows, report="\n".join(lines) + "\n")


# ------------------------------------------------------------------ fragtime
def fragtime(seed=0, size="default", progress=None, kernel="classic", samples=24, **overrides):
    """Unusable free space index and extfrag index per order while the workload runs."""
    cfg, p = _config("fragtime", seed, size, overrides, kernel)
    p["samples"] = _count("samples", samples, 1)
    m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"], cfg["kernel"])
    zone = m.zone(0, "Normal")
    out = []

    def sampler(step):
        nr_free = tuple(zone.nr_free)
        out.append(dict(step=step, free_pages=zone.NR_FREE_PAGES,
                        largest_free_order=largest_free_order(zone),
                        mixed_pageblocks=mixed_pageblocks(m, zone),
                        unusable=[unusable_free_index(o, nr_free) for o in range(m.max_order)],
                        extfrag=[fragmentation_index(o, nr_free, m.max_order)
                                 for o in range(m.max_order)]))

    bar = make_progress(progress, cfg["steps"], "fragtime")
    _run_workload(m, seed, cfg["steps"], bar, max(1, cfg["steps"] // samples), sampler)
    sampler(cfg["steps"])
    bar.close()
    po = m.pageblock_order
    lines = [_header(p), "  %6s %6s %8s %6s  %s" % ("step", "free", "largest", "mixed",
                                                     "unusable index by order 0..%d (x1000)"
                                                     % (m.max_order - 1))]
    for s in out:
        lines.append("  %6d %6d %8d %6d  %s" % (s["step"], s["free_pages"],
                                                s["largest_free_order"], s["mixed_pageblocks"],
                                                " ".join("%4d" % u for u in s["unusable"])))
    lines.append("  extfrag index at order %d at the end: %d" % (po, out[-1]["extfrag"][po]))
    return dict(name="fragtime", params=p, samples=out, report="\n".join(lines) + "\n")


# ---------------------------------------------------------------------- tail
CHURN_GFP = G.GFP_HIGHUSER_MOVABLE | G.__GFP_NOWARN
CHURN_FILL = 0.75          # the share of the first fill kept allocated while churning


def churn(m, seed, steps, order, bar, sample_every, sampler):
    """Fill the zone with order-`order` movable blocks, free at random down to
    CHURN_FILL of them, then churn: each step frees a random block or allocates
    one, drawn back towards that level (a random walk around it, +-1/64 of
    memory).  The first quarter of the steps is warm-up: no samples.
    """
    rng = random.Random(seed)
    held = []
    gfp = churn_gfp(m)
    while True:
        page = m.alloc_pages(gfp, order)
        if page is None:
            break
        held.append(page)
    base = int(len(held) * CHURN_FILL)
    wobble = max(8, (m.nr_pfns >> order) // 64)
    for i in range(steps):
        if not held or rng.random() < 0.5 + (base - len(held)) / (2.0 * wobble):
            page = m.alloc_pages(gfp, order)
            if page is not None:
                held.append(page)
        else:
            m.free_pages(held.pop(int(rng.random() * len(held))), order)
        if i >= steps // 4 and i % sample_every == 0:
            sampler(i)
        bar.update(1)


def tail(seed=0, size="default", progress=None, kernel="classic", runs=3, order=1, **overrides):
    """The tail-placement heuristic of __free_one_page(), on vs off: same churn, same seeds.

    `runs` seeds (seed, seed+1, ...), each with the heuristic on and off
    (compaction off; unowned pages, so no reclaim: only the order of the free
    lists differs).  The workload is `churn()` of order-`order` blocks; order
    1 by default, since order-0 frees pass through the per-CPU lists first
    (at size "default" an order-0 churn shows almost no difference; at
    "tiny" the pcp lists are empty, high 0).  Measured every 50 steps after the
    warm-up: the free pages in blocks of order >= k, for k = order+1 ..
    order+4 (at most pageblock_order); rows give
    the mean over the run, then the mean (min..max) over the seeds.
    """
    cfg, p = _config("tail", seed, size, overrides, kernel)
    p["runs"] = _count("runs", runs, 1)
    p["order"] = _count("order", order, 0)
    if order >= cfg["pageblock_order"]:
        raise BadParameterError("order must be below pageblock_order %d, got %d"
                                % (cfg["pageblock_order"], order))
    steps = cfg["steps"]
    bar = make_progress(progress, steps * 2 * runs, "tail")
    orders = list(range(order + 1, min(order + 5, cfg["pageblock_order"] + 1)))
    rows = []
    for on in (True, False):
        per = dict(tail_placed=[], merges=[], **{"ge%d" % k: [] for k in orders})
        for k in range(runs):
            m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"], cfg["kernel"],
                             tail_placement=on, compaction=False)
            zone = m.zone(0, "Normal")
            acc = []
            tr = m.start_trace(kinds={"merge", "place"})
            churn(m, seed + k, steps, order, bar, 50,
                  lambda step, zone=zone, acc=acc: acc.append(
                      [sum(n << o for o, n in enumerate(zone.nr_free) if o >= j)
                       for j in orders]))
            m.stop_trace()
            per["merges"].append(len(tr.of("merge")))
            per["tail_placed"].append(sum(1 for e in tr.of("place") if e["position"] == "tail"))
            for i, j in enumerate(orders):
                per["ge%d" % j].append(round(sum(a[i] for a in acc) / max(1, len(acc))))
        rows.append(dict(tail_placement=on, **{key: spread(v) for key, v in per.items()}))
    bar.close()
    lines = [_header(p),
             "  churn of order-%d movable blocks around %d%% of memory; %d seeds (%d..%d) per "
             "arm: mean (min..max)" % (order, round(100 * CHURN_FILL), runs, seed,
                                       seed + runs - 1),
             "  free pages in blocks of order >= k, mean over the run after the warm-up:",
             "  %-15s %s" % ("tail placement", "".join("%20s" % ("order >= %d" % k)
                                                       for k in orders))]
    for r in rows:
        lines.append("  %-15s %s" % ("on" if r["tail_placement"] else "off", "".join(
            "%20s" % ("%.0f (%d..%d)" % (d["mean"], d["min"], d["max"]))
            for d in (r["ge%d" % k] for k in orders))))
    lines.append("  blocks placed at the tail per run: %.0f (on), %.0f (off); merges per run: "
                 "%.0f (on), %.0f (off)" % (rows[0]["tail_placed"]["mean"],
                                            rows[1]["tail_placed"]["mean"],
                                            rows[0]["merges"]["mean"], rows[1]["merges"]["mean"]))
    lines.append("  (compaction off, no reclaim: only the order of the free lists differs)")
    return dict(name="tail", params=p, orders=orders, rows=rows,
                report="\n".join(lines) + "\n")


# ---------------------------------------------------------------- compaction
def compaction(seed=0, size="default", progress=None, kernel="classic", **overrides):
    """/proc/sys/vm/compact_memory after the workload: free lists before and after, cost."""
    cfg, p = _config("compaction", seed, size, overrides, kernel)
    m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"], cfg["kernel"],
                     compaction=False)
    bar = make_progress(progress, cfg["steps"], "compaction")
    w = _run_workload(m, seed, cfg["steps"], bar)
    w.finish()
    bar.close()
    m.compaction = True
    zone = m.zone(0, "Normal")
    before = list(zone.nr_free)
    cost = m.compact_memory()
    m.drain_all_pages()
    after = list(zone.nr_free)
    lines = [_header(p),
             "  free blocks per order 0..%d (buddyinfo of zone Normal)" % (m.max_order - 1),
             "  before: " + " ".join("%5d" % n for n in before),
             "  after:  " + " ".join("%5d" % n for n in after),
             "  pages moved %d; scanned by the migrate scanner %d, by the free scanner %d"
             % (cost["nr_migrated"], cost["migrate_scanned"], cost["free_scanned"])]
    return dict(name="compaction", params=p, before=before, after=after, **cost,
                report="\n".join(lines) + "\n")


EXPERIMENTS = {"antifrag": antifrag, "fragtime": fragtime, "tail": tail, "compaction": compaction}


def run(name, seed=0, size="default", progress=None, kernel="classic", **overrides):
    """Run experiment `name` on `kernel`'s profile ("classic" v4.18 or "modern" v6.18);
    returns its data with a printable "report"."""
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise BadParameterError("unknown experiment %r (choose from %s)"
                                % (name, ", ".join(EXPERIMENTS)))
    return EXPERIMENTS[name](seed=seed, size=size, progress=progress, kernel=kernel,
                             **overrides)


__all__ = ["run", "EXPERIMENTS", "SIZES", "KERNELS", "Workload", "HUGE_GFP", "huge_gfp",
           "churn_gfp", "mixed_pageblocks",
           "alloc_huge_pages", "antifrag", "fragtime", "tail", "compaction"]
