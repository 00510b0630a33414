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

Run size: 2,000 sequences per run (derandomized; max_examples, plus the few hypothesis adds),
15 steps each, about 35-55 s on the 2-core build machine; see SETTINGS.
"""

import warnings

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import buddylab as bl
import reference as R
import strategies as S

ZONES = ("DMA", "Normal")
DIRECT_RECLAIM = R.__GFP_DIRECT_RECLAIM
SETTINGS = settings(max_examples=2000, stateful_step_count=15, derandomize=True, deadline=None,
                    database=None, suppress_health_check=list(HealthCheck))


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
