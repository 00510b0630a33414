"""Tests of buddylab/host.py: a model of a machine built from a /proc-like directory.

Only fixture directories are used (never the live /proc): tests/fixtures/proc_618 was
copied from this project's 6.18 machine, tests/fixtures/proc_418 written from the v4.18
format strings.  Neither needs pagetypeinfo: a copy without it must work the same.
"""

import pathlib
import shutil

import pytest

import buddylab as bl
from buddylab import host as H
from buddylab.errors import LayoutError, ProcParseError
from buddylab.procfs import parse_zoneinfo

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def m618():
    return bl.Machine.from_host(FIXTURES / "proc_618")


@pytest.fixture(scope="module")
def m418():
    return bl.Machine.from_host(FIXTURES / "proc_418")


def copy_fixture(tmp_path, version, drop=()):
    dst = tmp_path / version
    shutil.copytree(FIXTURES / version, dst)
    for name in drop:
        (dst / name).unlink()
    return dst


def test_618_layout_and_sysctls(m618):
    """Zones, sizes, start_pfn, CPUs and sysctls come from the fixture."""
    z = m618.zone(0, "DMA32")
    assert (z.zone_start_pfn, z.spanned_pages, z.present_pages, z.managed_pages) == \
        (4096, 1044480, 782336, 772917)
    assert m618.zone(0, "DMA").zone_start_pfn == 1
    assert m618.zone(0, "Normal").managed_pages == 163840
    assert m618.nr_nodes == 1 and m618.nr_cpus == 2
    assert m618.min_free_kbytes == 67584 and m618.watermark_scale_factor == 10
    assert m618.lowmem_reserve_ratio == (256, 256, 32, 0)
    assert m618.percpu_pagelist_fraction == 0
    assert m618.host.layout == "6.x"
    assert m618.host.sysctls["percpu_pagelist_high_fraction"] == 0
    assert any("Device" in note for note in m618.host.notes)
    assert any("percpu_pagelist_high_fraction" in note for note in m618.host.notes)


def test_reserved_pages_are_present_minus_managed(m618):
    """present - managed pages are reserved (at the zone start), spanned - present a hole."""
    z = m618.zone(0, "DMA")
    assert z.spec["reserved"] == [(1, 1 + 3998 - 3840)]
    assert z.spec["holes"] == [(1 + 3998, 1 + 4095)]


@pytest.mark.parametrize("version", ["proc_618", "proc_418"])
def test_every_populated_zone_matches(version, m618, m418):
    """min, low, high and protection of every populated zone equal the kernel's."""
    m = m618 if version == "proc_618" else m418
    rows = H.compare_with_host(m, m.host.zoneinfo)
    assert len(rows) == 3 * 4                      # DMA, DMA32, Normal x 4 fields
    bad = [r for r in rows if not r.equal]
    assert not bad, H.format_comparison(bad)
    assert ("protection" in {r.field for r in rows})


def test_empty_movable_differs_only_in_modern(m618, m418):
    """An empty Movable zone: 6.18 prints 32/32/32, the classic model 0/0/0; 4.18 prints 0."""
    rows = H.compare_with_host(m618, m618.host.zoneinfo, populated_only=False)
    bad = {(r.zone, r.field) for r in rows if not r.equal}
    assert bad == {((0, "Movable"), f) for f in ("min", "low", "high")}
    rows = H.compare_with_host(m418, m418.host.zoneinfo, populated_only=False)
    assert all(r.equal for r in rows)


def test_modern_rules_reproduce_the_618_fixture(m618):
    """profiles' modern rules give every zone's promo, batch, high_min, high_max, empty Movable."""
    rows = H.compare_modern_with_host(m618, m618.host.zoneinfo)
    assert {r.field for r in rows} >= {"promo", "batch", "high_min", "high_max"}
    bad = [r for r in rows if not r.equal]
    assert not bad, H.format_comparison(bad)
    values = H.modern_zone_values(m618)
    assert values[(0, "DMA32")]["batch"] == 63
    assert m618.zone(0, "DMA32").pageset[0].batch == 31         # the classic rule


def test_khugepaged_67584(m618, m418):
    """512 pages x 3 zones x 11 blocks x 4 kB = 67584, the 6.18 host's value; 4.18 had THP off."""
    rec = H.khugepaged_recommendation(m618)
    assert (rec["nr_zones"], rec["two_blocks"], rec["pcptypes_blocks"]) == (3, 3072, 13824)
    assert rec["pages"] == 512 * 3 * 11 == 16896
    assert H.khugepaged_min_free_kbytes(m618) == 67584 == m618.host.sysctls["min_free_kbytes"]
    assert H.khugepaged_min_free_kbytes(m418) == 67584 != m418.min_free_kbytes
    assert "khugepaged" in H.explain_min_free_kbytes(m618, kernel="modern").split(":")[1]
    assert "square-root" in H.explain_min_free_kbytes(m418).split(":")[1]


def test_khugepaged_five_percent_cap():
    """On a small machine the recommendation is capped at 5 % of managed - high."""
    m = bl.Machine(nodes=[{"DMA": 4095, "Normal": 60000}], cpus_per_node=1)
    rec = H.khugepaged_recommendation(m)
    assert rec["pages"] == rec["five_percent_cap"] == H.nr_free_buffer_pages(m) // 20 < 512 * 2 * 11


def test_418_sqrt_rule(m418):
    """The 4.18 fixture's 9928 kB is int_sqrt(lowmem_kbytes * 16) of its managed pages."""
    assert bl.profiles.calculate_min_free_kbytes(
        4 * sum(z.managed_pages for z in m418.zones), "classic") == 9928


def test_works_without_pagetypeinfo_and_buddyinfo(tmp_path):
    """pagetypeinfo is root-only: a directory without it (and without buddyinfo) works."""
    root = copy_fixture(tmp_path, "proc_418", drop=("pagetypeinfo", "buddyinfo"))
    m = H.machine_from_host(root)
    assert all(r.equal for r in H.compare_with_host(m, m.host.zoneinfo))


def test_percpu_pagelist_fraction_applied_in_classic(tmp_path):
    """4.18's percpu_pagelist_fraction is applied with the classic rule."""
    root = copy_fixture(tmp_path, "proc_418")
    (root / "sys" / "vm" / "percpu_pagelist_fraction").write_text("8\n")
    m = H.machine_from_host(root)
    assert m.percpu_pagelist_fraction == 8
    assert m.zone(0, "DMA32").pageset[0].high == 765816 // 8


def test_missing_sysctls_fall_back(tmp_path):
    """Without sys/vm the model uses its defaults and says so."""
    root = copy_fixture(tmp_path, "proc_418")
    shutil.rmtree(root / "sys")
    m = H.machine_from_host(root)
    assert m.lowmem_reserve_ratio == (256, 256, 32, 0)
    assert any("min_free_kbytes" in n for n in m.host.notes)


def test_managed_drift_is_recovered(tmp_path):
    """Live managed a few pages off the last recompute: 'recompute' finds counts that match.

    mm/page_alloc.c, adjust_managed_page_count(), v4.18: pages that leave or join the buddy
    allocator after the last
    __setup_per_zone_wmarks() (a balloon, freed init memory) change managed without a
    recompute.  Sixteen fewer DMA32 pages move DMA32's min from 1234 to 1233 in a model built
    from the live count.
    """
    root = copy_fixture(tmp_path, "proc_418")
    text = (root / "zoneinfo").read_text()
    assert "        managed  765816\n" in text
    (root / "zoneinfo").write_text(text.replace("        managed  765816\n",
                                                "        managed  765800\n"))
    live = H.machine_from_host(root)
    bad = [r for r in H.compare_with_host(live, live.host.zoneinfo) if not r.equal]
    assert [(r.zone, r.field, r.host, r.model) for r in bad] == [
        ((0, "DMA32"), "min", 1234, 1233), ((0, "DMA32"), "low", 1999, 1998),
        ((0, "DMA32"), "high", 2764, 2763)]
    found = H.managed_at_last_recompute(live.host.zoneinfo, 9928, 10)
    assert found is not None
    assert 765800 < found[(0, "DMA32")] <= 765816
    fixed = H.machine_from_host(root, managed="recompute")
    assert all(r.equal for r in H.compare_with_host(fixed, fixed.host.zoneinfo))
    assert any("last watermark recompute" in n for n in fixed.host.notes)


def test_no_drift_keeps_live_counts():
    """On the unchanged fixture the recovered counts are the live ones."""
    zi = parse_zoneinfo((FIXTURES / "proc_618" / "zoneinfo").read_text())
    assert H.managed_at_last_recompute(zi, 67584, 10) == {
        (0, "DMA"): 3840, (0, "DMA32"): 772917, (0, "Normal"): 163840}


@pytest.mark.parametrize("name,old,new", [
    ("zoneinfo", "        min      68\n", "        min      sixty-eight\n"),
    ("zoneinfo", "        managed  3840\n", ""),
    ("sys/vm/min_free_kbytes", "67584\n", "67584 kB\n"),
    ("sys/vm/lowmem_reserve_ratio", "256\t256\t32\t0\t0\n", "256,256,32\n"),
])
def test_bad_text_raises_procparseerror(tmp_path, name, old, new):
    """Malformed zoneinfo or sysctl text gives ProcParseError naming the file and line."""
    root = copy_fixture(tmp_path, "proc_618")
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ProcParseError) as e:
        H.machine_from_host(root)
    assert name.split("/")[-1] in str(e.value) and "line" in str(e.value)


def test_missing_zoneinfo_is_a_layout_error(tmp_path):
    """A directory without zoneinfo is not a /proc."""
    with pytest.raises(LayoutError):
        H.machine_from_host(tmp_path)


def test_bad_managed_mode():
    """managed is 'live' or 'recompute'."""
    with pytest.raises(LayoutError):
        H.machine_from_host(FIXTURES / "proc_418", managed="boot")


def test_numa_without_sysfs_splits_cpus(tmp_path):
    """A two-node zoneinfo without a sysfs tree: CPUs split evenly, default distances."""
    zi = (FIXTURES / "proc_418" / "zoneinfo").read_text()
    node1 = ("Node 1, zone   Normal\n  pages free     0\n        min      0\n"
             "        low      0\n        high     0\n        spanned  0\n"
             "        present  0\n        managed  0\n        protection: (0, 0, 0, 0)\n")
    root = copy_fixture(tmp_path, "proc_418")
    (root / "zoneinfo").write_text(zi + node1)
    m = H.machine_from_host(root)
    assert m.nr_nodes == 2 and m.host.cpus_per_node == (1, 1)
    assert any("split evenly" in n for n in m.host.notes)


def test_modern_kernel_is_not_modelled():
    """kernel='modern' is refused: the model runs the classic allocator (see buddylab.profiles)."""
    with pytest.raises(LayoutError, match="profiles"):
        bl.Machine.from_host(FIXTURES / "proc_418", kernel="modern")
