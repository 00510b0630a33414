"""buddylab/zone.py: watermarks, lowmem_reserve and the watermark check, worked by hand."""
import pytest

import buddylab as bl
from buddylab.zone import default_min_free_kbytes, mult_frac
from helpers import tiny, quiet_alloc


def test_min_free_kbytes_default_rule():
    """int_sqrt(lowmem_kbytes * 16), clamped to 128..65536."""
    assert default_min_free_kbytes(131072) == 1448          # sqrt(2097152) = 1448.15
    assert default_min_free_kbytes(256) == 128              # a 64-page machine: 64 -> 128
    assert default_min_free_kbytes(64 * 1024 * 1024) == 32768       # 64 GiB: sqrt(2^30)
    assert default_min_free_kbytes(1 << 40) == 65536
    assert bl.Machine().min_free_kbytes == 1448


def test_watermarks_of_the_design_machine():
    """pages_min 362 shared by managed pages; step = max(min/4, managed*10/10000)."""
    m = bl.Machine()
    # DMA: 362*4096/32768 = 45; step max(11, 4) = 11.  Normal: 316; step max(79, 28) = 79
    assert m.zone(0, "DMA").watermark == [45, 56, 67]
    assert m.zone(0, "Normal").watermark == [316, 395, 474]
    assert m.zone(0, "DMA32").watermark == [0, 0, 0]


def test_watermark_scale_factor_and_min_free_kbytes_sysctls():
    """wsf 1000 (10%): step = managed/10 when larger than min/4; min_free_kbytes 0 -> min 0."""
    m = bl.Machine()
    m.set_watermark_scale_factor(1000)
    assert m.zone(0, "Normal").watermark == [316, 316 + 2867, 316 + 2 * 2867]
    m.set_min_free_kbytes(0)
    assert m.zone(0, "Normal").watermark == [0, 2867, 5734]
    assert mult_frac(28672, 1000, 10000) == 2867


def test_lowmem_reserve():
    """protection of DMA against Normal requests = managed(DMA32 + Normal) / 256."""
    m = bl.Machine(nodes=[{"DMA": 4096, "DMA32": 8192, "Normal": 16384}])
    assert m.zone(0, "DMA").lowmem_reserve == [0, 8192 // 256, (8192 + 16384) // 256,
                                                (8192 + 16384) // 256]
    assert m.zone(0, "DMA32").lowmem_reserve == [0, 0, 16384 // 256, 16384 // 256]
    assert m.zone(0, "Normal").lowmem_reserve == [0, 0, 0, 0]
    m.set_lowmem_reserve_ratio((0, 128, 32, 0))
    assert m.zone(0, "DMA").lowmem_reserve == [0, 0, 0, 0]
    assert m.zone(0, "DMA32").lowmem_reserve == [0, 0, 128, 128]


def test_fast_path_low_then_slow_path_min():
    """free 10 with low 10 fails the fast path (<=); the slow path's min 8 lets it through."""
    m = tiny(min_free_kbytes=32)        # pages_min 8; step max(2, 0) = 2 -> 8 / 10 / 12
    assert m.zone(0, "Normal").watermark == [8, 10, 12]
    held = [m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0) for _ in range(53)]   # free 64 -> 11
    assert all(held) and m.zone(0, "Normal").NR_FREE_PAGES == 11
    t = m.start_trace(kinds={"zonelist_step"})
    assert m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0) is not None             # 11 > 10: fast path
    assert m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0) is not None             # 10: slow path
    m.stop_trace()
    assert [(e["mark"], e["free_pages"], e["ok"]) for e in t] == \
        [("low", 11, True), ("low", 10, False), ("min", 10, True)]


def test_atomic_reserves():
    """GFP_ATOMIC: min 8 -> 8 - 4 = 4 (ALLOC_HIGH) -> 4 - 1 = 3 (ALLOC_HARDER)."""
    m = tiny(min_free_kbytes=32)
    for _ in range(56):
        m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)                 # free 8
    assert quiet_alloc(m, bl.GFP_KERNEL | bl.__GFP_MOVABLE, 0) is None    # 8 <= 8
    assert quiet_alloc(m, bl.GFP_NOWAIT | bl.__GFP_MOVABLE, 0) is None
    got = [quiet_alloc(m, bl.GFP_ATOMIC | bl.__GFP_MOVABLE, 0) for _ in range(5)]
    # free 8, 7, 6, 5, 4 pass (> 3); at free 3 it fails
    assert [g is not None for g in got] == [True, True, True, True, True]
    assert quiet_alloc(m, bl.GFP_ATOMIC | bl.__GFP_MOVABLE, 0) is None
    assert m.zone(0, "Normal").NR_FREE_PAGES == 3


def test_order_check_subtracts_2_to_the_order_minus_1():
    """order 1 at free 12 vs low 10: 12 - 1 = 11 > 10 passes; at free 11: 10 <= 10 fails."""
    m = tiny(min_free_kbytes=32)
    for _ in range(52):
        m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)                 # free 12: 12 60-63 left? yes
    t = m.start_trace(kinds={"zonelist_step"})
    assert m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1) is not None          # free 12 -> 10
    m.stop_trace()
    assert (t[0]["mark"], t[0]["ok"]) == ("low", True)
    m2 = tiny(min_free_kbytes=32)
    for _ in range(53):
        m2.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)                # free 11
    t = m2.start_trace(kinds={"zonelist_step"})
    m2.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 1)
    m2.stop_trace()
    assert (t[0]["mark"], t[0]["ok"]) == ("low", False)


def test_lowmem_reserve_protects_dma_from_normal_requests():
    """A Normal request may use DMA only above min + lowmem_reserve[Normal]."""
    m = bl.Machine(nodes=[{"DMA": 64, "Normal": 256}], cpus_per_node=1, max_order=5,
                   pageblock_order=3, min_free_kbytes=0, lowmem_reserve_ratio=(8, 256, 32, 0))
    assert m.zone(0, "DMA").lowmem_reserve[2] == 256 // 8
    t = m.start_trace(kinds={"zonelist_step"})
    pages = [quiet_alloc(m, bl.GFP_HIGHUSER_MOVABLE, 4) for _ in range(20)]
    m.stop_trace()
    # Normal gives 16 blocks of 16; DMA (64 free, reserve 32): order 4 needs 64-15 > 32 -> one
    # block (free 48: 33 > 32 ok), the next (free 48-15 = 33 > 32) ok too, then 32-15=17 fails.
    normal = [p for p in pages if p is not None and p.pfn >= 64]
    dma = [p for p in pages if p is not None and p.pfn < 64]
    assert len(normal) == 16 and len(dma) == 2


def test_lowmem_reserve_ratio_has_four_entries_the_last_for_movable():
    """v4.18's table has MAX_NR_ZONES entries: DMA, DMA32, Normal, Movable = 256 256 32 0.

    mm/page_alloc.c, sysctl_lowmem_reserve_ratio[MAX_NR_ZONES], v4.18 (x86_64, no HIGHMEM):
    ``[ZONE_DMA] = 256, [ZONE_DMA32] = 256, [ZONE_NORMAL] = 32, [ZONE_MOVABLE] = 0``.
    setup_per_zone_lowmem_reserve(), v4.18: only idx < j is read (the Movable entry protects no
    lower zone), and an entry < 1 there is stored back as 0 (``sysctl_lowmem_reserve_ratio[idx]
    = 0``), so the Movable entry keeps what was written.  By hand, DMA 4096, DMA32 8192, Normal
    16384, Movable 4096: DMA's protection against a Movable request = (8192 + 16384 + 4096) /
    256 = 112; DMA32's = (16384 + 4096) / 256 = 80; Normal's = 4096 / 32 = 128.
    """
    m = bl.Machine(nodes=[{"DMA": 4096, "DMA32": 8192, "Normal": 16384, "Movable": 4096}])
    assert m.lowmem_reserve_ratio == (256, 256, 32, 0)
    assert m.snapshot().lowmem_reserve_ratio == (256, 256, 32, 0)
    assert [m.zone(0, n).lowmem_reserve[3] for n in ("DMA", "DMA32", "Normal", "Movable")] == \
        [112, 80, 128, 0]
    m.set_lowmem_reserve_ratio((256, 256, -1, 7))
    assert m.lowmem_reserve_ratio == (256, 256, 0, 7)
    assert m.zone(0, "Normal").lowmem_reserve[3] == 0
    for bad in ((256, 256, 32), (256, 256, 32, 0, 0)):
        with pytest.raises(bl.LayoutError, match="lowmem_reserve_ratio"):
            m.set_lowmem_reserve_ratio(bad)
    assert m.lowmem_reserve_ratio == (256, 256, 0, 7)
