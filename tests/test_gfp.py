"""buddylab/gfp.py: v4.18 bit values, composites, GFP_ZONE_TABLE, migrate types, printing."""
import pytest

import buddylab as bl


def test_bit_values_4_18():
    """The 4.18 renumbering: WRITE 0x100, DIRECT_RECLAIM 0x200000, KSWAPD_RECLAIM 0x400000."""
    assert bl.__GFP_WRITE == 0x100
    assert bl.__GFP_DIRECT_RECLAIM == 0x200000
    assert bl.__GFP_KSWAPD_RECLAIM == 0x400000
    assert bl.__GFP_ZERO == 0x8000 and bl.__GFP_ATOMIC == 0x80000 and bl.__GFP_THISNODE == 0x40000


def test_composites_hex():
    """Composites computed from their definitions (gfp.h v4.18)."""
    assert hex(bl.GFP_KERNEL) == "0x6000c0"
    assert hex(bl.GFP_ATOMIC) == "0x480020"
    assert hex(bl.GFP_NOWAIT) == "0x400000"
    assert hex(bl.GFP_NOIO) == "0x600000"
    assert hex(bl.GFP_NOFS) == "0x600040"
    assert hex(bl.GFP_USER) == "0x6200c0"
    assert hex(bl.GFP_HIGHUSER) == "0x6200c2"
    assert hex(bl.GFP_HIGHUSER_MOVABLE) == "0x6200ca"
    assert hex(bl.GFP_TRANSHUGE_LIGHT) == "0x342ca"
    assert hex(bl.GFP_TRANSHUGE) == "0x2342ca"
    assert bl.GFP_DMA == 1 and bl.GFP_DMA32 == 4


def test_repr_decodes_composites_first():
    """show_gfp_flags(): the first matching composite, then single bits."""
    assert repr(bl.GFP_KERNEL) == "GFP_KERNEL"
    assert repr(bl.GFP_KERNEL | bl.__GFP_ZERO | bl.__GFP_NOWARN) == "GFP_KERNEL|__GFP_NOWARN|__GFP_ZERO"
    assert repr(bl.GFP_ATOMIC | bl.__GFP_DMA) == "GFP_ATOMIC|GFP_DMA"
    assert repr(bl.GFP_TRANSHUGE) == "GFP_TRANSHUGE"
    assert bl.gfp_str(0) == "none"
    assert bl.parse_gfp("GFP_KERNEL|__GFP_ZERO") == bl.GFP_KERNEL | bl.__GFP_ZERO


@pytest.mark.parametrize("mask,zone", [
    (0, bl.ZONE_NORMAL), (bl.__GFP_DMA, bl.ZONE_DMA), (bl.__GFP_HIGHMEM, bl.ZONE_NORMAL),
    (bl.__GFP_DMA32, bl.ZONE_DMA32), (bl.__GFP_MOVABLE, bl.ZONE_NORMAL),
    (bl.__GFP_MOVABLE | bl.__GFP_DMA, bl.ZONE_DMA),
    (bl.__GFP_MOVABLE | bl.__GFP_HIGHMEM, bl.ZONE_MOVABLE),
    (bl.__GFP_MOVABLE | bl.__GFP_DMA32, bl.ZONE_DMA32)])
def test_gfp_zone_table(mask, zone):
    """GFP_ZONE_TABLE on x86_64 without HIGHMEM."""
    assert bl.gfp_zone(mask) == zone


@pytest.mark.parametrize("bits", [0x3, 0x5, 0x6, 0x7, 0xb, 0xd, 0xe, 0xf])
def test_gfp_zone_bad(bits):
    """GFP_ZONE_BAD combinations raise BadGfpError naming GFP_ZONE_BAD."""
    with pytest.raises(bl.BadGfpError, match="GFP_ZONE_BAD"):
        bl.gfp_zone(bl.GFP_KERNEL | bits)


def test_migratetype():
    """(gfp & (RECLAIMABLE|MOVABLE)) >> 3; UNMOVABLE when grouping is disabled."""
    assert bl.gfpflags_to_migratetype(bl.GFP_KERNEL) == bl.MIGRATE_UNMOVABLE
    assert bl.gfpflags_to_migratetype(bl.GFP_HIGHUSER_MOVABLE) == bl.MIGRATE_MOVABLE
    assert bl.gfpflags_to_migratetype(bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE) == bl.MIGRATE_RECLAIMABLE
    assert bl.gfpflags_to_migratetype(bl.GFP_HIGHUSER_MOVABLE, True) == bl.MIGRATE_UNMOVABLE
    with pytest.raises(bl.BadGfpError):
        bl.gfpflags_to_migratetype(bl.__GFP_MOVABLE | bl.__GFP_RECLAIMABLE)


def test_gfp_to_alloc_flags():
    """Slow-path flags: ALLOC_HIGH from __GFP_HIGH, ALLOC_HARDER for __GFP_ATOMIC, no CPUSET."""
    f = bl.gfp.gfp_to_alloc_flags(bl.GFP_ATOMIC, bl.MIGRATE_UNMOVABLE)
    assert f == bl.ALLOC_WMARK_MIN | bl.ALLOC_HIGH | bl.ALLOC_HARDER
    f = bl.gfp.gfp_to_alloc_flags(bl.GFP_ATOMIC | bl.__GFP_NOMEMALLOC, bl.MIGRATE_UNMOVABLE)
    assert f == bl.ALLOC_WMARK_MIN | bl.ALLOC_HIGH
    f = bl.gfp.gfp_to_alloc_flags(bl.GFP_HIGHUSER_MOVABLE, bl.MIGRATE_MOVABLE)
    assert f == bl.ALLOC_WMARK_MIN | bl.ALLOC_CPUSET | bl.ALLOC_CMA


def test_gfp_to_alloc_flags_is_not_printed_with_gfp_names():
    # mm/page_alloc.c, gfp_to_alloc_flags(), v4.18: returns unsigned int alloc_flags
    # (ALLOC_* bits of mm/internal.h); ALLOC_HIGH shares __GFP_HIGH's value 0x20 but
    # the result is not a gfp_t, so it must not decode as __GFP_HIGH|__GFP_RECLAIMABLE.
    flags = bl.gfp.gfp_to_alloc_flags(bl.GFP_ATOMIC, 0)
    assert "__GFP" not in repr(flags)
    assert bl.mmzone.alloc_flags_str(flags) == "ALLOC_WMARK_MIN|ALLOC_HARDER|ALLOC_HIGH"
