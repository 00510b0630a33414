"""Fragmentation experiments: seeded, deterministic, runnable from Python and the shell.

Not a kernel file: experiments in the spirit of Mel Gorman's anti-fragmentation
measurements (2.6.24, "grouping pages by mobility": the migrate types and
__rmqueue_fallback() of mm/page_alloc.c).

    >>> r = run("compaction", seed=0, size="tiny", progress=False)
    >>> r["name"], r["params"]["seed"]
    ('compaction', 0)

``run(name, seed=0, size="default", progress=None, **overrides)`` returns plain
data (dicts, lists, ints) with a printable ``"report"`` that starts by echoing
the parameters (STYLE §7-8).  `overrides` replace the size's parameters
(nr_pages, pageblock_order, max_order, steps) or set an experiment's own
(fragtime's samples, tail's runs); an unknown name, size or parameter, a
negative step count, raises BadParameterError before anything runs.  Shell: ``python -m buddylab experiment NAME --seed
N [--size tiny|default|large]``.

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

from .kernels.v4_18 import gfp as G     # HUGE_GFP: the experiments run classic machines
from .errors import BadParameterError
from .machine import Machine
from .owners import ANON, FILE, KERNEL, SLAB
from .progress import make_progress
from .fragindex import fragmentation_index, unusable_free_index

HUGE_GFP = (G.GFP_HIGHUSER_MOVABLE | G.__GFP_COMP | G.__GFP_THISNODE | G.__GFP_RETRY_MAYFAIL
            | G.__GFP_NOWARN)

SIZES = {
    "tiny": dict(nr_pages=4096, pageblock_order=6, max_order=8, steps=15000),
    "default": dict(nr_pages=16384, pageblock_order=7, max_order=9, steps=60000),
    "large": dict(nr_pages=65536, pageblock_order=9, max_order=11, steps=240000),
}


def make_machine(nr_pages, pageblock_order, max_order, **opts):
    """One node, one Normal zone, one CPU."""
    return Machine(nodes=[{"Normal": nr_pages}], cpus_per_node=1, max_order=max_order,
                   pageblock_order=pageblock_order, **opts)


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
    while m.alloc_pages(HUGE_GFP, m.pageblock_order) is not None:
        n += 1
    return n


def _count(what, value, minimum):
    """`value` if it is an int >= minimum; BadParameterError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadParameterError("%s must be an int >= %d, got %r" % (what, minimum, value))
    return value


def _config(name, seed, size, overrides):
    """The parameters of a run: the size's, with `overrides`, checked; and the echoed params.

    >>> _config("tail", 0, "tiny", {"steps": -5})
    Traceback (most recent call last):
    ...
    buddylab.errors.BadParameterError: steps must be an int >= 0, got -5
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise BadParameterError("seed must be an int, got %r" % (seed,))
    if not isinstance(size, str) or size not in SIZES:
        raise BadParameterError("unknown size %r (choose from %s)" % (size, ", ".join(SIZES)))
    unknown = sorted(set(overrides) - set(SIZES[size]))
    if unknown:
        raise BadParameterError("experiment %s takes no parameter %s (it takes %s)"
                                % (name, ", ".join(unknown), ", ".join(SIZES[size])))
    cfg = dict(SIZES[size], **overrides)
    _count("steps", cfg["steps"], 0)
    return cfg, dict(name=name, seed=seed, size=size, **cfg)


def _header(p):
    return ("experiment %s --seed %d --size %s\n  machine: %d pages (one Normal zone), "
            "pageblock_order %d, MAX_ORDER %d; workload steps %d\n"
            % (p["name"], p["seed"], p["size"], p["nr_pages"], p["pageblock_order"],
               p["max_order"], p["steps"]))


def _run_workload(m, seed, steps, bar, sample_every=0, sampler=None):
    w = Workload(m, seed)
    for i in range(steps):
        w.step()
        if sample_every and i % sample_every == 0 and sampler is not None:
            sampler(i)
        bar.update(1)
    return w


# ------------------------------------------------------------------ antifrag
def antifrag(seed=0, size="default", progress=None, **overrides):
    """Grouping by mobility on vs off; huge pages allocatable without and with compaction."""
    cfg, p = _config("antifrag", seed, size, overrides)
    arms = [(g, c) for g in (False, True) for c in (False, True)]
    bar = make_progress(progress, cfg["steps"] * len(arms), "antifrag")
    rows = []
    for disabled, compaction in arms:
        m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"],
                         page_group_by_mobility_disabled=disabled, compaction=compaction)
        w = _run_workload(m, seed, cfg["steps"], bar)
        w.finish()
        zone = m.zone(0, "Normal")
        mixed = mixed_pageblocks(m, zone)
        kernel_pages = sum(1 << h.order for h in w.kernel_handles)
        n = alloc_huge_pages(m)
        managed = zone.managed_pages
        rows.append(dict(grouping=not disabled, compaction=compaction, huge_pages=n,
                         percent=round(100.0 * (n << m.pageblock_order) / managed, 1),
                         mixed_pageblocks=mixed, kernel_pages=kernel_pages,
                         pageblocks=managed >> m.pageblock_order,
                         compact_stats=dict(m.compact_stats)))
    bar.close()
    lines = [_header(p),
             "  after the workload every task exits; then pageblock-order (%d-page) blocks are "
             "allocated until one fails" % (1 << cfg["pageblock_order"]),
             "",
             "  %-9s %-10s %10s %9s %16s %12s" % ("grouping", "compaction", "huge pages",
                                                  "% memory", "mixed pageblocks",
                                                  "pages moved")]
    for r in rows:
        lines.append("  %-9s %-10s %10d %8.1f%% %16d %12d"
                     % ("on" if r["grouping"] else "off", "on" if r["compaction"] else "off",
                        r["huge_pages"], r["percent"], r["mixed_pageblocks"],
                        r["compact_stats"].get("nr_migrated", 0)))
    lines += ["", "  Mel Gorman (2.6.24, ppc64): 1% of memory as huge pages without grouping, "
              "40% with it."]
    return dict(name="antifrag", params=p, rows=rows, report="\n".join(lines) + "\n")


# ------------------------------------------------------------------ fragtime
def fragtime(seed=0, size="default", progress=None, samples=24, **overrides):
    """Unusable free space index and extfrag index per order while the workload runs."""
    cfg, p = _config("fragtime", seed, size, overrides)
    p["samples"] = _count("samples", samples, 1)
    m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"])
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
def tail(seed=0, size="default", progress=None, runs=3, **overrides):
    """The tail-placement heuristic of __free_one_page(), on vs off: same workloads.

    `runs` workloads (seeds seed, seed+1, ...) of half the usual length, each
    with the heuristic on and off (compaction off, so only the order of the
    free lists differs).  Counts merges, fallbacks (mm_page_alloc_extfrag),
    the mean unusable free space index at pageblock_order - 2, and the huge
    pages allocatable at the end; averages over the runs.
    """
    cfg, p = _config("tail", seed, size, overrides)
    p["runs"] = _count("runs", runs, 1)
    steps = cfg["steps"] // 2
    bar = make_progress(progress, steps * 2 * runs, "tail")
    rows = []
    for on in (True, False):
        tot = dict(merges=0, fallbacks=0, unusable=0, huge_pages=0, tail_placed=0)
        for k in range(runs):
            m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"],
                             tail_placement=on, compaction=False)
            zone = m.zone(0, "Normal")
            hi = m.pageblock_order - 2
            acc = []
            tr = m.start_trace(kinds={"merge", "mm_page_alloc_extfrag", "place"})
            w = _run_workload(m, seed + k, steps, bar, 50,
                              lambda step, zone=zone, acc=acc, hi=hi:
                              acc.append(unusable_free_index(hi, tuple(zone.nr_free))))
            m.stop_trace()
            w.finish()
            tot["merges"] += len(tr.of("merge"))
            tot["fallbacks"] += len(tr.of("mm_page_alloc_extfrag"))
            tot["tail_placed"] += sum(1 for e in tr.of("place") if e["position"] == "tail")
            tot["unusable"] += sum(acc) // max(1, len(acc))
            tot["huge_pages"] += alloc_huge_pages(m)
        rows.append(dict(tail_placement=on, order=hi,
                         **{k: round(v / runs, 1) for k, v in tot.items()}))
    bar.close()
    lines = [_header(p), "  %d runs of %d steps each, seeds %d..%d; means per run"
             % (runs, steps, seed, seed + runs - 1),
             "  %-15s %11s %8s %10s %22s %11s" % (
                 "tail placement", "tail-placed", "merges", "fallbacks",
                 "unusable idx, order %d" % rows[0]["order"], "huge pages")]
    for r in rows:
        lines.append("  %-15s %11.1f %8.1f %10.1f %22.1f %11.1f"
                     % ("on" if r["tail_placement"] else "off", r["tail_placed"], r["merges"],
                        r["fallbacks"], r["unusable"], r["huge_pages"]))
    lines.append("  (compaction off in both, so only the order of the free lists differs)")
    return dict(name="tail", params=p, rows=rows, report="\n".join(lines) + "\n")


# ---------------------------------------------------------------- compaction
def compaction(seed=0, size="default", progress=None, **overrides):
    """/proc/sys/vm/compact_memory after the workload: free lists before and after, cost."""
    cfg, p = _config("compaction", seed, size, overrides)
    m = make_machine(cfg["nr_pages"], cfg["pageblock_order"], cfg["max_order"],
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


def run(name, seed=0, size="default", progress=None, **overrides):
    """Run experiment `name`; returns its data with a printable "report"."""
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise BadParameterError("unknown experiment %r (choose from %s)"
                                % (name, ", ".join(EXPERIMENTS)))
    return EXPERIMENTS[name](seed=seed, size=size, progress=progress, **overrides)


__all__ = ["run", "EXPERIMENTS", "SIZES", "Workload", "HUGE_GFP", "mixed_pageblocks",
           "alloc_huge_pages", "antifrag", "fragtime", "tail", "compaction"]
