"""Tests of buddylab/profiles.py: the classic and modern formulas side by side.

The modern numbers are held against tests/fixtures/proc_618/zoneinfo (copied from a
6.18 machine): batch, high_min and high_max of every populated zone, the watermarks with
promo, and the empty Movable zone at 32.
"""

import pathlib

import pytest

from buddylab import profiles as pr
from buddylab.procfs import parse_zoneinfo

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
WORKED = [("DMA", 3840), ("DMA32", 742000), ("Normal", 3200000), ("Movable", 0), ("Device", 0)]


@pytest.fixture(scope="module")
def zi618():
    return parse_zoneinfo((FIXTURES / "proc_618" / "zoneinfo").read_text())


def test_profiles_have_the_same_keys():
    """CLASSIC and MODERN describe the same things, so they can be tabulated side by side."""
    assert set(pr.CLASSIC) == set(pr.MODERN)
    assert pr.profile("classic") is pr.CLASSIC and pr.profile("modern") is pr.MODERN
    with pytest.raises(ValueError):
        pr.profile("v5")


def test_max_order_names_mean_the_same_orders():
    """MAX_ORDER = 11 exclusive and MAX_PAGE_ORDER = 10 inclusive both allow orders 0..10."""
    assert pr.CLASSIC["MAX_ORDER"] == 11 and pr.MODERN["MAX_PAGE_ORDER"] == 10
    assert list(pr.valid_orders("classic")) == list(pr.valid_orders("modern")) == list(range(11))


@pytest.mark.parametrize("managed,classic,modern", [
    (3840, 0, 0), (50000, 15, 15), (163840, 31, 31), (176127, 31, 31), (176128, 31, 63),
    (772917, 31, 63), (3200000, 31, 63)])
def test_zone_batchsize_caps(managed, classic, modern):
    """The classic batch stops at 31 (512 KiB), the modern one at 63 (1 MiB)."""
    assert pr.zone_batchsize(managed, "classic") == classic
    assert pr.zone_batchsize(managed, "modern") == modern


def test_classic_pageset_values():
    """high = 6 * batch; the percpu_pagelist_fraction rule caps batch at 96."""
    assert pr.pageset_high_and_batch_classic(742000) == (31, 186)
    assert pr.pageset_high_and_batch_classic(3840) == (1, 0)
    assert pr.pageset_high_and_batch_classic(742000, 8) == (96, 92750)
    assert pr.pageset_high_and_batch_classic(800, 8) == (25, 100)


def test_worked_example_watermarks_modern_and_classic():
    """__setup_per_zone_wmarks() (mm/page_alloc.c, v4.18 and v6.18) by hand: the same
    min/low/high in both, promo and an empty Movable's 32 only in the modern one."""
    modern = pr.setup_per_zone_wmarks(WORKED, 67584, 10, "modern")
    assert modern == [(16, 20, 24, 28), (3177, 3971, 4765, 5559),
                      (13702, 17127, 20552, 23977), (32, 32, 32, 32), (0, 0, 0, 0)]
    classic = pr.setup_per_zone_wmarks(WORKED[:4], 67584, 10, "classic")
    assert classic == [w[:3] for w in modern[:3]] + [(0, 0, 0)]


def test_worked_example_protection():
    """Protection rows of the worked example; the last zone's row is all 0."""
    rows = pr.setup_per_zone_lowmem_reserve(WORKED, (256, 256, 32, 0, 0), "modern")
    assert rows == [(0, 2898, 15398, 15398, 15398), (0, 0, 12500, 12500, 12500),
                    (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)]


def test_empty_lower_zone_protection_differs():
    """Classic computes a reserve for an empty lower zone, modern clears it."""
    zones = [("DMA", 0), ("DMA32", 2560), ("Normal", 0), ("Movable", 0)]
    assert pr.setup_per_zone_lowmem_reserve(zones, (256, 256, 32), "classic")[0] == (0, 10, 10, 10)
    assert pr.setup_per_zone_lowmem_reserve(zones, (256, 256, 32), "modern")[0] == (0, 0, 0, 0)


def test_min_free_kbytes_clamp():
    """The square-root default is clamped at 65536 kB (classic) or 262144 kB (modern)."""
    assert pr.calculate_min_free_kbytes(15783360, "modern") == 15891
    assert pr.calculate_min_free_kbytes(100, "classic") == 128
    big = 1 << 34          # 16 TiB of lowmem
    assert pr.calculate_min_free_kbytes(big, "classic") == 65536
    assert pr.calculate_min_free_kbytes(big, "modern") == 262144


def test_618_fixture_watermarks_and_promo(zi618):
    """With the fixture's managed pages and min_free_kbytes, every zone's four marks match."""
    zones = [(z.name, z.managed) for z in zi618.zones]
    for z, w in zip(zi618.zones, pr.setup_per_zone_wmarks(zones, 67584, 10, "modern")):
        assert (z.min, z.low, z.high, z.promo) == w, z.name
    assert zi618.zone(0, "Movable").min == 32


def test_618_fixture_protection(zi618):
    """The modern lowmem_reserve rule gives the fixture's protection tuples."""
    zones = [(z.name, z.managed) for z in zi618.zones]
    rows = pr.setup_per_zone_lowmem_reserve(zones, (256, 256, 32, 0, 0), "modern")
    assert [z.protection for z in zi618.zones] == rows


def test_618_fixture_pcp_batch_high_min_high_max(zi618):
    """batch, high_min and high_max of every CPU of every populated zone (2 CPUs on node 0)."""
    checked = 0
    for z in zi618.zones:
        if not z.populated:
            continue
        want = pr.zone_set_pageset_high_and_batch(z.managed, z.low, len(z.pagesets))
        for p in z.pagesets:
            assert (p.batch, p.high_min, p.high_max) == want, (z.name, p.cpu)
            assert p.high <= p.high_max
            checked += 1
    assert checked == 6


def test_high_fraction_sets_both_limits():
    """percpu_pagelist_high_fraction makes high_min = high_max (no auto-tuning)."""
    assert pr.zone_set_pageset_high_and_batch(772917, 17353, 2, 8) == (63, 48307, 48307)
    assert pr.zone_highsize(1000, 40, 1, 0, nr_online_cpus=4) == 10         # memoryless node: all online CPUs
