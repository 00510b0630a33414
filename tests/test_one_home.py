"""One home per rule: the model, the host model and buddylab.profiles call the same function.

Each test replaces the one home of a formula with a spy (or a fake) and checks that every
caller goes through it: a copy of the rule anywhere else would leave the spy silent.
"""

import pathlib

import pytest

import buddylab as bl
from buddylab import host as H
from buddylab import kmath, mmzone as mz, pcp as P, profiles as pr, reclaim, zone as Z
from buddylab.kernels.v6_18 import formulas as F
from buddylab.kernels.v4_18 import watermark as W, pcp as KP
from buddylab.kernels.v4_18.kernel import CLASSIC
from buddylab.procfs import parse_zoneinfo

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _spy(monkeypatch, module, name):
    """Wrap module.name, recording the arguments of every call."""
    real = getattr(module, name)
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)
    spy.__wrapped__ = real
    monkeypatch.setattr(module, name, spy)
    return calls


def _zoneinfo(name):
    return parse_zoneinfo((FIXTURES / name / "zoneinfo").read_text())


def test_classic_watermarks_come_from_zone_wmark_values(monkeypatch):
    """A fake v4.18 wmark_values changes the model's, profiles' and the host's watermarks."""
    monkeypatch.setattr(W, "wmark_values", lambda pages_min, managed, lowmem, wsf, name=None:
                        (managed % 7, managed % 7 + 1, managed % 7 + 2))
    m = bl.Machine(nodes=[{"DMA": 4096, "Normal": 28672}])
    assert [z.watermark for z in m.zones if z.present_pages] == [[1, 2, 3], [0, 1, 2]]
    assert pr.setup_per_zone_wmarks([("DMA", 4096), ("Normal", 28672)], 1448) == \
        [(1, 2, 3), (0, 1, 2)]
    # the host model finds no managed count giving the printed (real) watermarks any more
    assert H.managed_at_last_recompute(_zoneinfo("proc_418"), 9928) is None


def test_classic_watermarks_one_spy_sees_every_caller(monkeypatch):
    calls = _spy(monkeypatch, W, "wmark_values")
    bl.Machine()
    assert calls
    del calls[:]
    pr.setup_per_zone_wmarks([("DMA", 3840)], 67584, 10, "classic")
    assert calls
    del calls[:]
    assert H.managed_at_last_recompute(_zoneinfo("proc_418"), 9928) is not None
    assert calls


def test_modern_watermarks_come_from_the_v6_18_formulas(monkeypatch):
    """profiles' modern table, the host's 6.x recompute and modern_zone_values share one rule."""
    calls = _spy(monkeypatch, F, "wmark_values")
    pr.setup_per_zone_wmarks([("DMA", 3840)], 67584, 10, "modern")
    assert calls
    del calls[:]
    zi = _zoneinfo("proc_618")
    assert H.managed_at_last_recompute(zi, 67584)[(0, "DMA32")] == 772917
    assert calls
    del calls[:]
    m = H.machine_from_host(str(FIXTURES / "proc_618"))
    H.modern_zone_values(m)
    assert calls


def test_lowmem_reserve_min_free_kbytes_and_pcp_have_one_home(monkeypatch):
    """The v4.18 rules live in kernels/v4_18 (watermark.py, pcp.py); the model, profiles and
    the host call those functions (spied where they are reached through their module, the
    same objects where they are bound to the kernel object or re-exported)."""
    reserve = _spy(monkeypatch, W, "lowmem_reserve_values")
    pageset = _spy(monkeypatch, KP, "pageset_high_and_batch")
    batch = _spy(monkeypatch, KP, "zone_batchsize")
    m = bl.Machine()
    assert reserve and pageset and batch
    for calls in (reserve, pageset, batch):
        del calls[:]
    pr.setup_per_zone_lowmem_reserve([("DMA", 1), ("Normal", 512)], (256, 32), "classic")
    pr.zone_batchsize(742000, "classic")
    assert reserve and batch
    real_mfk = W.default_min_free_kbytes
    assert CLASSIC.default_min_free_kbytes is real_mfk is Z.default_min_free_kbytes
    assert pr.calculate_min_free_kbytes(131072, "classic") == real_mfk(131072)
    assert pr.pageset_high_and_batch_classic is KP.pageset_high_and_batch.__wrapped__
    del pageset[:]
    m.set_percpu_pagelist_fraction(8)
    assert pageset


def test_drain_all_pages_has_one_home(monkeypatch):
    """Machine.drain_all_pages and the reclaim path's drain both call the kernel's
    drain_all_pages (kernels/v4_18/pcp.py, bound to the kernel object)."""
    calls = []
    real = KP.drain_all_pages
    assert CLASSIC.drain_all_pages is real is P.drain_all_pages

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(type(CLASSIC), "drain_all_pages", staticmethod(spy))
    m = bl.Machine()
    m.drain_all_pages()
    reclaim.drain_all_pages(m)
    assert [args[1] for args in calls] == [m.nr_cpus, m.nr_cpus]


def test_khugepaged_zone_filter_is_the_kernels(monkeypatch):
    """set_recommended_min_free_kbytes() (mm/khugepaged.c): v4.18 counts every populated
    zone, v6.18 those <= ZONE_NORMAL.  A populated Movable zone: 4 zones vs 3, by hand
    512 * 4 * 11 = 22528 pages vs 512 * 3 * 11 = 16896 (below the 5 % cap here)."""
    m = bl.Machine(nodes=[{"DMA": 4095, "DMA32": 400000, "Normal": 600000, "Movable": 8192}],
                   cpus_per_node=1)
    assert H.khugepaged_recommendation(m)["pages"] == 22528
    assert H.khugepaged_recommendation(m, "modern")["pages"] == 16896
    calls = _spy(monkeypatch, F, "khugepaged_zone_ok")
    H.khugepaged_recommendation(m, "modern")
    assert calls


def test_constants_have_one_home():
    from buddylab import alloc, machine, vmstat
    assert machine.DEFAULT_LOWMEM_RESERVE_RATIO is Z.DEFAULT_LOWMEM_RESERVE_RATIO \
        is W.DEFAULT_LOWMEM_RESERVE_RATIO is CLASSIC.DEFAULT_LOWMEM_RESERVE_RATIO
    assert tuple(H.DEFAULT_RATIO.values()) == Z.DEFAULT_LOWMEM_RESERVE_RATIO
    assert machine.SECTION_SIZE_BITS == vmstat.SECTION_SIZE_BITS == mz.SECTION_SIZE_BITS
    assert alloc.MAX_RECLAIM_RETRIES == reclaim.MAX_RECLAIM_RETRIES == mz.MAX_RECLAIM_RETRIES
    assert Z.int_sqrt is pr.int_sqrt is kmath.int_sqrt
    assert Z.mult_frac is kmath.mult_frac and P.rounddown_pow_of_two is kmath.rounddown_pow_of_two
    assert pr.CLASSIC["min_free_kbytes_max"] == Z.MIN_FREE_KBYTES_MAX == 65536
    assert pr.MODERN["min_free_kbytes_max"] == F.MIN_FREE_KBYTES_MAX == 262144


def test_classic_and_modern_lowmem_reserve_differ_only_for_an_empty_lower_zone():
    """setup_per_zone_lowmem_reserve() (mm/page_alloc.c, v4.18 and v6.18): DMA empty,
    DMA32 2560, Normal 5120: v4.18 still gives DMA 2560/256 = 10 and (2560+5120)/256 = 30,
    v6.18 clears the row of a zone without managed pages; the DMA32 row is 5120/256 = 20."""
    managed = [0, 2560, 5120]
    assert Z.lowmem_reserve_values(managed, (256, 256, 32)) == \
        [(0, 10, 30), (0, 0, 20), (0, 0, 0)]
    assert F.lowmem_reserve_values(managed, (256, 256, 32)) == \
        [(0, 0, 0), (0, 0, 20), (0, 0, 0)]


@pytest.mark.parametrize("kernel", ["v5", None])
def test_formulas_of_an_unknown_kernel(kernel):
    with pytest.raises(ValueError, match="classic' or 'modern"):
        pr.formulas(kernel)
