"""buddylab against the naive reference model (tests/reference.py), step by step.

A hypothesis RuleBasedStateMachine boots the same small machine in both models and runs the same
random operations on them: allocations with assorted GFP masks, orders and CPUs, frees of random
live allocations (order 0 through the calling CPU's pcp list), pcp drains, and writes of the
percpu_pagelist_fraction and min_free_kbytes sysctls.  After every step buddylab's check() must
pass and the two models must agree on the returned pfn, every free list (head -> tail), nr_free,
NR_FREE_PAGES, every pcp list (with count, high and batch), every pageblock's migratetype,
the highatomic reserve, the watermarks and the live allocations.

Besides single operations there are bulk steps (allocate until failure, free every k-th live
allocation) so that short sequences still reach low-memory and fragmented states: watermark
failures, fallbacks that claim or only steal from half-used pageblocks, highatomic reservations
in the slow path.

Not compared: an allocation that may enter direct reclaim (__GFP_DIRECT_RECLAIM) and that the
reference fails.  From there the kernel runs direct reclaim, compaction, the retry loop (which
unreserves highatomic blocks after MAX_RECLAIM_RETRIES) and the OOM killer
(mm/page_alloc.c, __alloc_pages_slowpath(), v4.18),
which this naive reference does not model; such a request is skipped for both models.  Requests
that cannot reclaim (GFP_ATOMIC, GFP_NOWAIT, plain GFP_DMA) are compared up to their failure.

Run size (SETTINGS): by default a quick run of 500 sequences (derandomized; max_examples, plus
the few hypothesis adds), 15 steps each, about 15-40 s on the 2-core build machine (the same rules
and machines as the long run, fewer sequences; coverage --branch: 500 reach every line and
branch of buddylab/ that 600 reach, 400 do not).  ``BUDDYLAB_LONG_FUZZ=1`` runs the long search
instead: 6,000 sequences (about 3-4 minutes), before a release or after a change to the
allocation path.  A second search at the end of the file (owners, pins, isolation, CMA;
about 3-7 s) has no reference to compare with; the same variable lengthens it.
"""

import os
import warnings

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import buddylab as bl
import reference as R
import strategies as S

ZONES = ("DMA", "Normal")
DIRECT_RECLAIM = R.__GFP_DIRECT_RECLAIM
# BUDDYLAB_LONG_FUZZ=1: the long run of both searches (README, "Running the tests")
LONG = bool(os.environ.get("BUDDYLAB_LONG_FUZZ"))
SETTINGS = settings(max_examples=6000 if LONG else 500, stateful_step_count=15, derandomize=True,
                    deadline=None, database=None, suppress_health_check=list(HealthCheck))


def zone_state(m, name):
    """The same fields as Reference.zone_state(), read from a buddylab ZoneSnapshot."""
    z = m.zone_snapshot(0, name)
    return dict(
        free_lists=z.free_lists,
        nr_free=z.nr_free,
        nr_free_pages=z.nr_free_pages,
        managed_pages=z.managed_pages,
        pcp=tuple((p.cpu, p.count, p.high, p.batch, p.lists) for p in z.pcp),
        pageblock_mt=z.pageblock_mt,
        nr_reserved_highatomic=z.nr_reserved_highatomic,
        watermark=z.watermark,
        lowmem_reserve=z.lowmem_reserve,
        allocated=z.allocated,
    )


def assert_same_state(m, ref):
    ref.self_check()
    for name in ZONES:
        got, want = zone_state(m, name), ref.zone_state(name)
        for key in want:
            assert got[key] == want[key], "zone %s: %s differs\n buddylab:  %r\n reference: %r" % (
                name, key, got[key], want[key])


class AllocatorComparison(RuleBasedStateMachine):

    def __init__(self):
        super().__init__()
        self.m = None
        self.ref = None
        self.live = []                 # [(pfn, order)] in allocation order
        self.log = []                  # the operations, for the failure message

    def history(self):
        out = []
        for fmt, args in self.log:
            args = args if isinstance(args, tuple) else (args,)
            if fmt.startswith("alloc_pages"):
                args = (bl.gfp_t(args[0]),) + args[1:]
            out.append(fmt % args)
        return "\n".join(out)

    @initialize(cfg=S.machine_configs())
    def boot(self, cfg):
        self.cfg = cfg
        self.log.append(("boot %r", (cfg,)))
        self.m = bl.Machine(**cfg.machine_kwargs())
        self.ref = R.Reference(**cfg.reference_kwargs())
        assert self.m.page_group_by_mobility_disabled == self.ref.page_group_by_mobility_disabled
        assert self.m.min_free_kbytes == self.ref.min_free_kbytes

    def _alloc(self, gfp, order, cpu):
        want = self.ref.alloc_pages(gfp, order, cpu)
        if want is None and gfp & DIRECT_RECLAIM:
            # The kernel would now go on to direct reclaim, compaction, the retry loop
            # (which unreserves the highatomic reserve after MAX_RECLAIM_RETRIES) and the OOM
            # killer (mm/page_alloc.c, __alloc_pages_slowpath(), v4.18), outside this
            # reference.  Not compared.
            self.log.append(("alloc_pages(%s, order=%d, cpu=%d): reference None, not compared "
                             "(needs reclaim)", (gfp, order, cpu)))
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bl.AllocationWarning)
            page = self.m.alloc_pages(gfp, order=order, cpu=cpu)
        got = None if page is None else page.pfn
        self.log.append(("alloc_pages(%s, order=%d, cpu=%d) -> %r (reference %r)",
                         (gfp, order, cpu, got, want)))
        assert got == want, self.history()
        if got is not None:
            self.live.append((got, order))
        return got

    def _order(self, order):
        return order % self.cfg.max_order

    def _cpu(self, cpu):
        return cpu % self.cfg.nr_cpus

    @rule(op=S.alloc_ops)
    def alloc(self, op):
        gfp, order, cpu = op
        self._alloc(gfp, self._order(order), self._cpu(cpu))

    @rule(op=S.alloc_ops, n=st.integers(2, 48))
    def alloc_many(self, op, n):
        gfp, order, cpu = op
        for _ in range(n):
            if self._alloc(gfp, self._order(order), self._cpu(cpu)) is None:
                break

    @rule(op=S.alloc_ops)
    def fill(self, op):
        """Allocate with one mask until the allocator says no: memory pressure, watermarks."""
        gfp, order, cpu = op
        for _ in range(4096):
            if self._alloc(gfp, self._order(order), self._cpu(cpu)) is None:
                break

    @precondition(lambda self: self.live)
    @rule(k=st.integers(2, 5), start=st.integers(0, 4), cpu=S.cpus)
    def free_every_kth(self, k, start, cpu):
        """Free every k-th live allocation: holes everywhere, i.e. fragmentation."""
        cpu = self._cpu(cpu)
        victims = self.live[start::k]
        self.live = [x for i, x in enumerate(self.live) if i < start or (i - start) % k]
        for pfn, order in victims:
            self.log.append(("__free_pages(%d, order=%d, cpu=%d)", (pfn, order, cpu)))
            self.m.free_pages(bl.Page(pfn), order=order, cpu=cpu)
            self.ref.free_pages(pfn, order, cpu)

    @precondition(lambda self: self.live)
    @rule(i=st.integers(0, 10 ** 6), cpu=S.cpus)
    def free(self, i, cpu):
        pfn, order = self.live.pop(i % len(self.live))
        cpu = self._cpu(cpu)
        self.log.append(("__free_pages(%d, order=%d, cpu=%d)", (pfn, order, cpu)))
        getattr(self.m, "__free_pages")(bl.Page(pfn), order, cpu)
        self.ref.free_pages(pfn, order, cpu)

    @precondition(lambda self: self.live)
    @rule(seed=st.integers(0, 10 ** 6), n=st.integers(2, 40), cpu=S.cpus)
    def free_many(self, seed, n, cpu):
        cpu = self._cpu(cpu)
        for k in range(min(n, len(self.live))):
            pfn, order = self.live.pop((seed * (k + 7)) % len(self.live))
            self.log.append(("__free_pages(%d, order=%d, cpu=%d)", (pfn, order, cpu)))
            self.m.free_pages(bl.Page(pfn), order=order, cpu=cpu)
            self.ref.free_pages(pfn, order, cpu)

    @rule(cpu=S.cpus)
    def drain_pages(self, cpu):
        cpu = self._cpu(cpu)
        self.log.append(("drain_pages(%d)", cpu))
        self.m.drain_pages(cpu)
        self.ref.drain_pages(cpu)

    @rule(cpu=S.cpus, zone=st.sampled_from(ZONES))
    def drain_pages_zone(self, cpu, zone):
        cpu = self._cpu(cpu)
        self.log.append(("drain_pages_zone(%d, 0, %r)", (cpu, zone)))
        self.m.drain_pages_zone(cpu, 0, zone)
        self.ref.drain_pages_zone(cpu, zone)

    @rule()
    def drain_all_pages(self):
        self.log.append(("drain_all_pages()", ()))
        self.m.drain_all_pages()
        self.ref.drain_all_pages()

    @rule(value=S.fractions)
    def set_percpu_pagelist_fraction(self, value):
        self.log.append(("set_percpu_pagelist_fraction(%d)", value))
        self.m.set_percpu_pagelist_fraction(value)
        self.ref.set_percpu_pagelist_fraction(value)

    @rule(value=S.min_free_values)
    def set_min_free_kbytes(self, value):
        self.log.append(("set_min_free_kbytes(%d)", value))
        self.m.set_min_free_kbytes(value)
        self.ref.set_min_free_kbytes(value)

    @invariant()
    def same_state(self):
        if self.m is None:
            return
        self.m.check()
        try:
            assert_same_state(self.m, self.ref)
        except AssertionError as e:
            raise AssertionError("%s\nafter:\n%s" % (e, self.history())) from None


TestAllocatorComparison = AllocatorComparison.TestCase
TestAllocatorComparison.settings = SETTINGS


# ------------------------------------------------------------------ fixed scenarios
# Small hand-picked cases that the random search reaches only rarely; each compares the two
# models after every operation.

def run_script(cfg_kwargs, ops):
    cfg = S.MachineConfig(**cfg_kwargs)
    m = bl.Machine(**cfg.machine_kwargs())
    ref = R.Reference(**cfg.reference_kwargs())
    assert_same_state(m, ref)
    live = []
    for op in ops:
        if op[0] == "alloc":
            _, gfp, order, cpu = op
            want = ref.alloc_pages(gfp, order, cpu)
            assert want is not None or not gfp & DIRECT_RECLAIM, "script needs reclaim"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", bl.AllocationWarning)
                page = m.alloc_pages(gfp, order=order, cpu=cpu)
            assert (None if page is None else page.pfn) == want, op
            if want is not None:
                live.append((want, order))
        elif op[0] == "free":
            _, k, cpu = op                        # free the k-th live allocation
            pfn, order = live.pop(k % len(live))
            m.free_pages(bl.Page(pfn), order=order, cpu=cpu)
            ref.free_pages(pfn, order, cpu)
        elif op[0] == "drain":
            m.drain_all_pages()
            ref.drain_all_pages()
        m.check()
        assert_same_state(m, ref)
    return m, ref


BASE = dict(dma=256, normal=512, nr_cpus=1, max_order=5, pageblock_order=3, min_free_kbytes=0,
            watermark_scale_factor=10, lowmem_reserve_ratio=(256, 256, 32, 0),
            percpu_pagelist_fraction=0)


def test_fresh_boot_matches_on_ragged_zone_boundary():
    # DMA ends at pfn 100: the pageblock 96..103 straddles DMA and Normal
    run_script(dict(BASE, dma=100, normal=300), [])


def test_unmovable_steal_then_free_back():
    ops = [("alloc", R.GFP_KERNEL, 0, 0) for _ in range(20)]
    ops += [("free", 3 * k, 0) for k in range(20)]
    ops.append(("drain",))
    m, ref = run_script(BASE, ops)
    assert ref.total == 768


def test_pcp_with_fraction_and_two_cpus():
    cfg = dict(BASE, nr_cpus=2, percpu_pagelist_fraction=8)
    ops = []
    for k in range(30):
        ops.append(("alloc", R.GFP_HIGHUSER_MOVABLE if k % 3 else R.GFP_KERNEL, 0, k % 2))
    run_script(cfg, ops)


def test_atomic_highorder_in_slow_path_reserves_a_block():
    # min_free_kbytes big enough that the LOW-watermark fast path fails first
    cfg = dict(BASE, dma=128, normal=0, min_free_kbytes=256)
    ops = [("alloc", R.GFP_NOWAIT, 3, 0) for _ in range(10)]      # the last two fail
    ops += [("alloc", R.GFP_ATOMIC, 1, 0) for _ in range(6)]
    m, ref = run_script(cfg, ops)
    # max_managed = 128/100 + 8 = 9: the first block (8) is below it, so a second is reserved
    assert ref.dma.nr_reserved_highatomic == 16


def test_merge_likely_compares_the_parent_with_its_buddy_across_a_zone_boundary():
    """Tail heuristic of __free_one_page() when the zone boundary is not aligned.

    mm/page_alloc.c, __free_one_page(), v4.18: parent = buddy_pfn & pfn;
    higher_buddy = parent ^ (1 << (order+1));
    "if higher_buddy is a free buddy of order+1" -> TAIL; the kernel spells it
    page_is_buddy(higher_page, higher_buddy, order + 1), and page_is_buddy() asks that *those
    two* pages be in the same zone.  DMA = pfns 0..69, Normal = 70..325, MAX_ORDER 4:
    pfn 70 is allocated (from the order-1 block 70-71) and freed; it merges back to order 1 at 70
    (its order-1 buddy 68 is in DMA: no merge).  parent = 68 (DMA), higher_buddy = 64, a free
    order-2 block in DMA: same zone, so the kernel puts 70 at the TAIL, behind 324.
    """
    cfg = S.MachineConfig(**dict(BASE, dma=70, normal=256, max_order=4, pageblock_order=2))
    m = bl.Machine(**cfg.machine_kwargs())
    assert m.zone_snapshot(0, "Normal").free_lists[1][bl.MIGRATE_MOVABLE] == (70, 324)
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, order=0, cpu=0)
    assert page.pfn == 70
    m.free_pages(page, order=0, cpu=0)
    m.check()
    assert m.zone_snapshot(0, "Normal").free_lists[1][bl.MIGRATE_MOVABLE] == (324, 70)


# ------------------------------------------------------- owners, pins, isolation and CMA
# A second random search, without the reference model (which stops where reclaim starts):
# tasks and kernel threads allocate every kind of page through handles (so reclaim,
# compaction and the OOM killer run), pages are pinned with get_page() and unpinned, plain
# allocations come and go, MAX_ORDER-aligned ranges are isolated and given back, CMA areas
# serve movable requests.  After every step check() passes and no pfn is held twice: the
# owners' resident handles and the plain allocations are disjoint, and every allocated block
# has a holder (a handle, a plain allocation or a pin).  The invariants are kernel-neutral, so
# the search runs on both profiles (TestOwnersPinsIsolation: classic v4.18;
# TestOwnersPinsIsolationModern: modern v6.18).  Run size: OWNER_SETTINGS (classic, about
# 7 s) and half as many examples on modern; BUDDYLAB_LONG_FUZZ=1 runs 6000 on each.

from buddylab.owners import KINDS, RESIDENT                        # noqa: E402

OWNER_SETTINGS = settings(max_examples=6000 if LONG else 300, stateful_step_count=20,
                          derandomize=True, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))


@st.composite
def owner_machines(draw, kernel="classic"):
    max_order = draw(st.integers(4, 6))
    pageblock_order = draw(st.integers(2, max_order - 1))
    big = 1 << (max_order - 1)                                   # MAX_ORDER_NR_PAGES
    normal = big * draw(st.integers(4, 16)) + draw(st.sampled_from([0, 0, 3, big // 2]))
    dma = draw(st.sampled_from([0, big * 2, big * 2 + 5]))
    nodes = {"DMA": dma, "Normal": normal} if dma else {"Normal": normal}
    cma = []
    if draw(st.booleans()):                                     # one aligned CMA area in Normal
        start = -(-dma // big) * big + big * draw(st.integers(0, 2))
        cma = [(start, big * draw(st.integers(1, 2)))]
    # the pcp sysctl under each kernel's name (v6.18: percpu_pagelist_high_fraction)
    fraction = "percpu_pagelist_fraction" if kernel == "classic" \
        else "percpu_pagelist_high_fraction"
    return dict(nodes=[nodes], cpus_per_node=draw(st.integers(1, 2)), max_order=max_order,
                pageblock_order=pageblock_order, cma=cma, kernel=kernel,
                min_free_kbytes=draw(st.sampled_from([0, 0, 16, 64])),
                swap_pages=draw(st.sampled_from([0, 16, 256])),
                **{fraction: draw(st.sampled_from([0, 8]))})


class OwnersPinsIsolation(RuleBasedStateMachine):
    KERNEL = "classic"

    def __init__(self):
        super().__init__()
        self.m = None
        self.plain = {}              # pfn -> order: allocations made with alloc_pages()
        self.pins = {}               # pfn -> pins taken with get_page() and not yet dropped
        self.isolated = []           # (start, end, migratetype) isolated by the test
        self.log = []

    @initialize(data=st.data())
    def boot(self, data):
        cfg = data.draw(owner_machines(self.KERNEL))
        self.log.append("Machine(**%r)" % (cfg,))
        try:
            self.m = bl.Machine(**cfg)
        except bl.LayoutError as e:       # a CMA area past the zone's end: refused, fine
            self.log.append("refused: %s" % e)
            self.m = bl.Machine(**dict(cfg, cma=[]))
        self.tasks = [self.m.owner("kthread", kthread=True)]

    def _quiet(self, fn, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bl.AllocationWarning)
            return fn(*args, **kwargs)

    def _live_tasks(self):
        return [t for t in self.tasks if not t.exited and not t.killed]

    def _handles(self):
        return [h for t in self.tasks for h in t.handles]

    @rule(adj=st.sampled_from([0, 0, 500, -500]))
    def new_task(self, adj):
        if len(self.tasks) < 5:
            self.log.append("owner(adj=%d)" % adj)
            self.tasks.append(self.m.owner("t%d" % len(self.tasks), oom_score_adj=adj))

    @rule(i=st.integers(0, 99), kind=st.sampled_from(KINDS), order=st.sampled_from([0, 0, 0, 1, 3]),
          n=st.sampled_from([1, 1, 8, 64]), cpu=st.integers(0, 1), dirty=st.booleans())
    def owner_alloc(self, i, kind, order, n, cpu, dirty):
        live = self._live_tasks()
        if not live:
            return
        t = live[i % len(live)]
        cpu %= self.m.nr_cpus
        self.log.append("%s.alloc(%s, order=%d, cpu=%d) x%d" % (t.name, kind, order, cpu, n))
        for _ in range(n):
            if t.killed or self._quiet(t.alloc, kind, order, cpu, dirty=dirty) is None:
                break

    @rule(i=st.integers(0, 10 ** 6), cpu=st.integers(0, 1))
    def owner_free(self, i, cpu):
        hs = self._handles()
        if hs:
            h = hs[i % len(hs)]
            self.log.append("%s.free(%r)" % (h.owner.name, h))
            h.owner.free(h, cpu % self.m.nr_cpus)

    @rule(i=st.integers(0, 99))
    def owner_exit(self, i):
        live = [t for t in self.tasks[1:] if not t.exited]
        if live:
            t = live[i % len(live)]
            self.log.append("%s.exit()" % t.name)
            t.exit()

    @rule(i=st.integers(0, 10 ** 6), clean=st.booleans())
    def touch_or_clean(self, i, clean):
        hs = self._handles()
        if hs:
            h = hs[i % len(hs)]
            (h.clean if clean else h.touch)()

    @rule(gfp=st.sampled_from(["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_ATOMIC",
                               "GFP_NOWAIT"]), order=st.sampled_from([0, 0, 2]))
    def plain_alloc(self, gfp, order):
        gfp = getattr(self.m.kernel.gfp, gfp)     # the running kernel's bit values
        page = self._quiet(self.m.alloc_pages, gfp, order)
        self.log.append("alloc_pages(%#x, %d) -> %r" % (int(gfp), order, page))
        if page is not None:
            self.plain[page.pfn] = order

    @rule(i=st.integers(0, 10 ** 6))
    def plain_free(self, i):
        if self.plain:
            pfn = sorted(self.plain)[i % len(self.plain)]
            self.log.append("free_pages(%d)" % pfn)
            self.m.free_pages(bl.Page(pfn), self.plain.pop(pfn))

    @rule(i=st.integers(0, 10 ** 6))
    def pin(self, i):
        heads = sorted(self.m.allocated)
        if heads:
            pfn = heads[i % len(heads)]
            self.log.append("get_page(%d)" % pfn)
            self.m.get_page(bl.Page(pfn))
            self.pins[pfn] = self.pins.get(pfn, 0) + 1

    @rule(i=st.integers(0, 10 ** 6))
    def unpin(self, i):
        if self.pins:
            pfn = sorted(self.pins)[i % len(self.pins)]
            self.log.append("put_page(%d)" % pfn)
            self.m.free_pages(bl.Page(pfn), self.m.allocated[pfn][0])
            self.pins[pfn] -= 1
            if not self.pins[pfn]:
                del self.pins[pfn]

    @rule(i=st.integers(0, 10 ** 6))
    def isolate(self, i):
        m = self.m
        big = 1 << (m.max_order - 1)
        starts = [a for a in range(0, m.nr_pfns - big + 1, big)
                  if len(set(m.zone_of_pfn[a:a + big])) == 1 and m.zone_of_pfn[a] >= 0]
        if not starts:
            return
        a = starts[i % len(starts)]
        mt = bl.MIGRATE_CMA if m.mm.get_pageblock_migratetype(a) == bl.MIGRATE_CMA \
            else bl.MIGRATE_MOVABLE
        before = m.snapshot()
        try:
            m.start_isolate_page_range(a, a + big, mt)
        except bl.BusyError as e:
            self.log.append("isolate(%d, %d): %s" % (a, a + big, e))
            assert m.snapshot() == before
            return
        self.log.append("isolate(%d, %d, %d)" % (a, a + big, mt))
        self.isolated.append((a, a + big, mt))

    @rule(i=st.integers(0, 99))
    def undo_isolate(self, i):
        if self.isolated:
            a, b, mt = self.isolated.pop(i % len(self.isolated))
            self.log.append("undo_isolate(%d, %d, %d)" % (a, b, mt))
            self.m.undo_isolate_page_range(a, b, mt)

    @rule()
    def compact(self):
        self.log.append("compact_memory()")
        self.m.compact_memory()

    @rule()
    def drain(self):
        self.m.drain_all_pages()

    @invariant()
    def one_holder_per_pfn(self):
        m = self.m
        if m is None:
            return
        try:
            m.check()
            held = bytearray(m.nr_pfns)
            holders = [(h.pfn, h.order) for h in self._handles() if h.state == RESIDENT]
            holders += list(self.plain.items())
            for pfn, order in holders:
                assert m.allocated.get(pfn, (None,))[0] == order, "pfn %d is not held" % pfn
                for p in range(pfn, pfn + (1 << order)):
                    assert not held[p], "pfn %d is held twice" % p
                    held[p] = 1
            for pfn in m.allocated:
                assert held[pfn] or pfn in self.pins, "allocation at %d has no holder" % pfn
        except AssertionError as e:
            raise AssertionError("%s\nafter:\n%s" % (e, "\n".join(self.log))) from None


TestOwnersPinsIsolation = OwnersPinsIsolation.TestCase
TestOwnersPinsIsolation.settings = OWNER_SETTINGS


class OwnersPinsIsolationModern(OwnersPinsIsolation):
    KERNEL = "modern"


TestOwnersPinsIsolationModern = OwnersPinsIsolationModern.TestCase
# half the classic run by default (make test's time budget); the same with BUDDYLAB_LONG_FUZZ
TestOwnersPinsIsolationModern.settings = settings(OWNER_SETTINGS,
                                                  max_examples=6000 if LONG else 150)
