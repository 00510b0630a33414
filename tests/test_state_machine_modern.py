"""The modern (v6.18) profile against its naive reference (tests/reference_modern.py).

A hypothesis RuleBasedStateMachine boots the same small machine in both (one Normal zone, 1-2
CPUs, min_free_kbytes 0, percpu_pagelist_high_fraction set: the scope reference_modern.py
states) and runs the same random operations: allocations of orders 0..MAX_PAGE_ORDER with
GFP_KERNEL, GFP_HIGHUSER_MOVABLE and GFP_KERNEL|__GFP_RECLAIMABLE on either CPU, frees of
random live allocations (orders 0..3 through the freeing CPU's pcp lists), bulk steps, and
drain_all_pages().  After every step buddylab's check() passes and both agree on the returned
pfn, every free list (head -> tail), NR_FREE_PAGES, every pcp list (with count, high, batch,
high_min, high_max, alloc_factor, free_count), every pageblock's migratetype and the live
allocations.  When the reference says the fast path fails (the kernel would enter
__alloc_pages_slowpath(), outside the reference), the sequence stops being compared.

Run size: a quick derandomized default (a few seconds); BUDDYLAB_LONG_MODERN=1 runs fifty
times as many sequences (see the README, "Running the tests").
"""

import os
import warnings

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import buddylab as bl
import reference_modern as R

LONG = bool(os.environ.get("BUDDYLAB_LONG_MODERN"))
SETTINGS = settings(max_examples=5000 if LONG else 80, stateful_step_count=40,
                    derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
MASKS = sorted(R.GFP_MASKS)


@st.composite
def configs(draw):
    max_order = draw(st.integers(4, 6))
    pageblock_order = draw(st.integers(2, max_order - 1))
    big = 1 << (max_order - 1)
    nr_pb = 1 << pageblock_order
    pages = big * draw(st.integers(2, 8)) + draw(st.sampled_from([0, 0, nr_pb, 3]))
    pages = max(pages, nr_pb * 6)         # grouping by mobility stays on (both MIGRATE_TYPES)
    return dict(pages=min(pages, 999), nr_cpus=draw(st.integers(1, 2)), max_order=max_order,
                pageblock_order=pageblock_order, fraction=draw(st.sampled_from([8, 8, 16, 100])))


def model_state(m):
    z = m.zone_snapshot(0, "Normal")
    for per in z.free_lists:
        assert not any(per[R.PCPTYPES:]), "a free list of a type past RECLAIMABLE: %r" % (per,)
    return dict(
        free_lists=tuple(tuple(per[:R.PCPTYPES]) for per in z.free_lists),
        nr_free_pages=z.nr_free_pages,
        pageblock_mt=z.pageblock_mt,
        pcp=tuple((p.count, p.high, p.batch, p.high_min, p.high_max, p.alloc_factor,
                   p.free_count, p.lists) for p in z.pcp),
        allocated=tuple((pfn, order) for pfn, order, _ in z.allocated),
    )


class ModernComparison(RuleBasedStateMachine):

    def __init__(self):
        super().__init__()
        self.m = self.ref = None
        self.live = []
        self.log = []
        self.stopped = False

    @initialize(cfg=configs())
    def boot(self, cfg):
        self.cfg = cfg
        self.log.append("boot %r" % (cfg,))
        self.m = bl.Machine(nodes=[{"Normal": cfg["pages"]}], cpus_per_node=cfg["nr_cpus"],
                            max_order=cfg["max_order"], pageblock_order=cfg["pageblock_order"],
                            min_free_kbytes=0, kernel="modern",
                            percpu_pagelist_high_fraction=cfg["fraction"])
        self.ref = R.ReferenceModern(**cfg)

    def _alloc(self, name, order, cpu):
        if self.stopped:
            return None
        want = self.ref.alloc_pages(R.GFP_MASKS[name], order, cpu)
        if want is R.FAILED:
            self.log.append("alloc_pages(%s, %d, cpu %d): fast path fails, not compared further"
                            % (name, order, cpu))
            self.stopped = True
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the 6.18 bit values, written by hand in reference_modern.py
            page = self.m.alloc_pages(R.GFP_MASKS[name], order=order, cpu=cpu)
        got = None if page is None else page.pfn
        self.log.append("alloc_pages(%s, %d, cpu %d) -> %r (reference %r)"
                        % (name, order, cpu, got, want))
        assert got == want, "\n".join(self.log)
        self.live.append((got, order))
        return got

    @rule(name=st.sampled_from(MASKS), order=st.integers(0, 6), cpu=st.integers(0, 1),
          n=st.sampled_from([1, 1, 4, 16]))
    def alloc(self, name, order, cpu, n):
        for _ in range(n):
            if self._alloc(name, order % self.cfg["max_order"], cpu % self.cfg["nr_cpus"]) \
                    is None:
                break

    @precondition(lambda self: self.live and not self.stopped)
    @rule(i=st.integers(0, 10 ** 6), cpu=st.integers(0, 1), n=st.sampled_from([1, 1, 3, 12]))
    def free(self, i, cpu, n):
        cpu %= self.cfg["nr_cpus"]
        for k in range(min(n, len(self.live))):
            pfn, order = self.live.pop((i * (k + 7)) % len(self.live))
            self.log.append("free_pages(%d, order %d, cpu %d)" % (pfn, order, cpu))
            self.m.free_pages(bl.Page(pfn), order=order, cpu=cpu)
            self.ref.free_pages(pfn, order, cpu)

    @precondition(lambda self: not self.stopped)
    @rule()
    def drain(self):
        self.log.append("drain_all_pages()")
        self.m.drain_all_pages()
        self.ref.drain_all_pages()

    @invariant()
    def same_state(self):
        if self.m is None or self.stopped:
            return
        self.m.check()
        got, want = model_state(self.m), self.ref.state()
        for key in want:
            assert got[key] == want[key], "%s differs\n buddylab:  %r\n reference: %r\nafter:\n%s" % (
                key, got[key], want[key], "\n".join(self.log))


TestModernComparison = ModernComparison.TestCase
TestModernComparison.settings = SETTINGS


# ------------------------------------------------------------ seeded long sequences
# The state machine above shrinks a failure to a short history; these seeded runs go deeper
# (300 steps each, to the fast path's first failure), which is where claims of whole
# pageblocks, merges that re-type a buddy's pageblock and pcp drains of every order pile up.
# About 2 s for the default 120 seeds; BUDDYLAB_LONG_MODERN=1 runs 5000.

def _random_config(rng):
    max_order = rng.randint(4, 6)
    pageblock_order = rng.randint(2, max_order - 1)
    big = 1 << (max_order - 1)
    pages = big * rng.randint(2, 8) + rng.choice([0, 0, 1 << pageblock_order, 3])
    return dict(pages=min(999, max(pages, 6 << pageblock_order)), nr_cpus=rng.randint(1, 2),
                max_order=max_order, pageblock_order=pageblock_order,
                fraction=rng.choice([8, 16, 100]))


def run_seed(seed, steps=300):
    """One seeded sequence on both; returns the number of steps compared."""
    import random
    rng = random.Random(seed)
    cfg = _random_config(rng)
    m = bl.Machine(nodes=[{"Normal": cfg["pages"]}], cpus_per_node=cfg["nr_cpus"],
                   max_order=cfg["max_order"], pageblock_order=cfg["pageblock_order"],
                   min_free_kbytes=0, kernel="modern",
                   percpu_pagelist_high_fraction=cfg["fraction"])
    ref = R.ReferenceModern(**cfg)
    live, log = [], ["seed %d: %r" % (seed, cfg)]
    # a per-seed mix of request types: even, mostly movable (steals of small movable
    # requests), mostly unmovable/reclaimable (claims)
    names = [MASKS, MASKS + ["GFP_HIGHUSER_MOVABLE"] * 6,
             MASKS + ["GFP_KERNEL", "GFP_KERNEL|__GFP_RECLAIMABLE"] * 3][seed % 3]
    orders = [0, 0, 0, 1, 1, 2, 3, 4, 5] if seed % 3 != 1 else [0, 0, 0, 0, 0, 1]
    for step in range(steps):
        cpu = rng.randrange(cfg["nr_cpus"])
        x = rng.random()
        if x < 0.55 or not live:
            name = names[rng.randrange(len(names))]
            order = min(orders[rng.randrange(len(orders))], cfg["max_order"] - 1)
            want = ref.alloc_pages(R.GFP_MASKS[name], order, cpu)
            if want is R.FAILED:
                return step
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                page = m.alloc_pages(R.GFP_MASKS[name], order=order, cpu=cpu)
            log.append("alloc_pages(%s, %d, cpu %d) -> %r (reference %r)"
                       % (name, order, cpu, page, want))
            assert page is not None and page.pfn == want, "\n".join(log)
            live.append((want, order))
        elif x < 0.97:
            pfn, order = live.pop(rng.randrange(len(live)))
            log.append("free_pages(%d, order %d, cpu %d)" % (pfn, order, cpu))
            m.free_pages(bl.Page(pfn), order=order, cpu=cpu)
            ref.free_pages(pfn, order, cpu)
        else:
            log.append("drain_all_pages()")
            m.drain_all_pages()
            ref.drain_all_pages()
        got, want = model_state(m), ref.state()
        for key in want:
            assert got[key] == want[key], "%s differs\n buddylab:  %r\n reference: %r\n%s" % (
                key, got[key], want[key], "\n".join(log))
    return steps


def test_seeded_sequences_match_the_reference():
    compared = sum(run_seed(seed) for seed in range(5000 if LONG else 120))
    assert compared > 8000           # the runs are long enough to reach fragmented states
