"""Modern (v6.18) GFP bits, ALLOC_* flags and gfp_to_alloc_flags(), with hand-written values.

The 6.18 values were read off the live 6.18.44 kernel's mm_page_alloc print table and
include/linux/gfp_types.h (v6.18); the expected numbers are written out below, never read from
the code under test.  Assumed names: see tests/modern_helpers.py (kernel_name()).
"""
import re

import pytest

from modern_helpers import require_modern

require_modern()

from modern_helpers import M, R, U, alloc, gfp, kernel_name, real  # noqa: E402

BITS_618 = [
    ("__GFP_DMA", 0x1), ("__GFP_HIGHMEM", 0x2), ("__GFP_DMA32", 0x4), ("__GFP_MOVABLE", 0x8),
    ("__GFP_RECLAIMABLE", 0x10), ("__GFP_HIGH", 0x20), ("__GFP_IO", 0x40), ("__GFP_FS", 0x80),
    ("__GFP_ZERO", 0x100), ("__GFP_DIRECT_RECLAIM", 0x400), ("__GFP_KSWAPD_RECLAIM", 0x800),
    ("__GFP_WRITE", 0x1000), ("__GFP_NOWARN", 0x2000), ("__GFP_RETRY_MAYFAIL", 0x4000),
    ("__GFP_NOFAIL", 0x8000), ("__GFP_NORETRY", 0x10000), ("__GFP_MEMALLOC", 0x20000),
    ("__GFP_COMP", 0x40000), ("__GFP_NOMEMALLOC", 0x80000), ("__GFP_HARDWALL", 0x100000),
    ("__GFP_THISNODE", 0x200000), ("__GFP_ACCOUNT", 0x400000),
]


@pytest.mark.parametrize("name, value", BITS_618)
def test_gfp_bit_values(name, value):
    """include/linux/gfp_types.h (v6.18): ___GFP_<X> = BIT(___GFP_<X>_BIT), bit 9 unused."""
    assert kernel_name(name) == value


def test_gfp_composites():
    """GFP_KERNEL 0xcc0, GFP_ATOMIC 0x820, GFP_NOWAIT 0x2800, GFP_HIGHUSER_MOVABLE 0x100cca ..."""
    # include/linux/gfp_types.h (v6.18): GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM
    # (0x20 | 0x800); GFP_KERNEL = __GFP_RECLAIM (0xc00) | __GFP_IO | __GFP_FS; GFP_NOWAIT =
    # __GFP_KSWAPD_RECLAIM | __GFP_NOWARN; GFP_USER = GFP_KERNEL | __GFP_HARDWALL (0x100000);
    # GFP_HIGHUSER_MOVABLE = GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE;
    # GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN)
    # & ~__GFP_RECLAIM = 0x1c2cca & ~0xc00 = 0x1c20ca; GFP_TRANSHUGE = + __GFP_DIRECT_RECLAIM.
    expected = {"GFP_ATOMIC": 0x820, "GFP_KERNEL": 0xcc0, "GFP_KERNEL_ACCOUNT": 0x400cc0,
                "GFP_NOWAIT": 0x2800, "GFP_NOIO": 0xc00, "GFP_NOFS": 0xc40,
                "GFP_USER": 0x100cc0, "GFP_HIGHUSER": 0x100cc2,
                "GFP_HIGHUSER_MOVABLE": 0x100cca, "GFP_TRANSHUGE_LIGHT": 0x1c20ca,
                "GFP_TRANSHUGE": 0x1c24ca, "__GFP_RECLAIM": 0xc00}
    assert {k: kernel_name(k) for k in expected} == expected


def test_gfp_atomic_bit_is_gone():
    """__GFP_ATOMIC was removed in 6.3; 0x80000 is __GFP_NOMEMALLOC in 6.18."""
    # include/linux/gfp_types.h (v6.18).
    with pytest.raises(BaseException):
        kernel_name("__GFP_ATOMIC")
    assert kernel_name("__GFP_NOMEMALLOC") == 0x80000


def test_alloc_flag_values():
    """mm/internal.h (v6.18): ALLOC_* bits, ALLOC_RESERVES = 0x238."""
    expected = {"ALLOC_WMARK_MIN": 0, "ALLOC_WMARK_LOW": 1, "ALLOC_WMARK_HIGH": 2,
                "ALLOC_NO_WATERMARKS": 0x4, "ALLOC_OOM": 0x8, "ALLOC_NON_BLOCK": 0x10,
                "ALLOC_MIN_RESERVE": 0x20, "ALLOC_CPUSET": 0x40, "ALLOC_CMA": 0x80,
                "ALLOC_NOFRAGMENT": 0x100, "ALLOC_HIGHATOMIC": 0x200, "ALLOC_KSWAPD": 0x800}
    assert {k: kernel_name(k) for k in expected} == expected
    # ALLOC_RESERVES = NON_BLOCK | MIN_RESERVE | HIGHATOMIC | OOM = 0x10 | 0x20 | 0x200 | 0x8
    assert kernel_name("ALLOC_RESERVES") == 0x238


@pytest.mark.parametrize("spec, order, expected", [
    # MIN(0) | MIN_RESERVE(0x20) | KSWAPD(0x800) | NON_BLOCK(0x10); CPUSET dropped (MIN_RESERVE)
    ("GFP_ATOMIC", 0, 0x830),
    ("GFP_ATOMIC", 2, 0xa30),                          # + HIGHATOMIC (order > 0, MIN_RESERVE)
    ("GFP_ATOMIC|__GFP_NOMEMALLOC", 2, 0x820),         # no NON_BLOCK, no HIGHATOMIC
    ("GFP_KERNEL", 0, 0x840),                          # CPUSET | KSWAPD
    ("GFP_KERNEL|__GFP_HIGH", 3, 0x860),               # direct reclaim keeps CPUSET
    ("GFP_NOWAIT", 0, 0x850),                          # CPUSET | KSWAPD | NON_BLOCK, no reserve
    ("GFP_NOWAIT", 4, 0x850),                          # no __GFP_HIGH -> no HIGHATOMIC
    (0, 0, 0x50),                                      # CPUSET | NON_BLOCK
])
def test_gfp_to_alloc_flags(spec, order, expected):
    """gfp_to_alloc_flags(): the slow path's flags from the mask and the order."""
    # mm/page_alloc.c, gfp_to_alloc_flags(), v6.18 (no CMA range, vm.defrag_mode 0, not an
    # RT task): alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET | (gfp & (__GFP_HIGH |
    # __GFP_KSWAPD_RECLAIM)); without __GFP_DIRECT_RECLAIM: NON_BLOCK unless __GFP_NOMEMALLOC,
    # HIGHATOMIC if order > 0 and MIN_RESERVE, and MIN_RESERVE drops CPUSET.
    assert kernel_name("gfp_to_alloc_flags")(gfp(spec), order) == expected


@pytest.mark.parametrize("spec, mt", [("GFP_KERNEL", U), ("GFP_HIGHUSER_MOVABLE", M),
                                      ("GFP_KERNEL|__GFP_RECLAIMABLE", R)])
def test_gfp_migratetype_in_the_trace(spec, mt):
    """gfp_migratetype(): (gfp & (__GFP_RECLAIMABLE | __GFP_MOVABLE)) >> 3, in mm_page_alloc."""
    # include/linux/gfp.h, gfp_migratetype(); include/trace/events/kmem.h, mm_page_alloc, v6.18.
    m = real(4096)
    t = m.start_trace(["mm_page_alloc"])
    alloc(m, spec, 4)
    m.stop_trace()
    (e,) = t.of("mm_page_alloc")
    assert (e["migratetype"], e["gfp_flags"], e["order"]) == (mt, gfp(spec), 4)


@pytest.mark.parametrize("spec, text", [
    ("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP", "GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP"),
    # seen in the shipped 6.18 trace: bit order after the composite (__GFP_HIGHMEM before
    # __GFP_MOVABLE, __GFP_COMP before __GFP_HARDWALL)
    ("GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_HARDWALL",
     "GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_HARDWALL"),
    ("GFP_NOWAIT", "GFP_NOWAIT"),
    ("GFP_HIGHUSER_MOVABLE|__GFP_COMP", "GFP_HIGHUSER_MOVABLE|__GFP_COMP"),
    ("GFP_TRANSHUGE", "GFP_TRANSHUGE"),
    ("__GFP_IO|__GFP_KSWAPD_RECLAIM", "__GFP_IO|__GFP_KSWAPD_RECLAIM"),
    (0, "none"),
])
def test_show_gfp_flags_names(spec, text):
    """mm_page_alloc prints gfp_flags with the 6.18 show_gfp_flags() table, composites first."""
    # include/trace/events/mmflags.h, __def_gfpflag_names (v6.18): GFP_TRANSHUGE ... GFP_NOWAIT,
    # GFP_DMA, GFP_DMA32, __GFP_RECLAIM, then single bits in bit order; 0 prints "none".
    m = real(4096)
    t = m.start_trace(["mm_page_alloc"])
    alloc(m, spec, 4)
    m.stop_trace()
    line = str(t.of("mm_page_alloc")[0])
    assert re.search(r" gfp_flags=(\S+)$", line).group(1) == text
