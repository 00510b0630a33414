"""Tests of buddylab/host.py: a model of a machine built from a /proc-like directory.

Only fixture directories are used (never the live /proc): tests/fixtures/proc_618 was
copied from this project's 6.18 machine, tests/fixtures/proc_418 written from the v4.18
format strings.  Neither needs pagetypeinfo: a copy without it must work the same.
"""

import pathlib
import re
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


# ---------------------------------------------------------------------------
# kernel="modern" (issue 10, section 3): three real 6.18 captures, every derived number.
MODERN_FIXTURES = ["proc_618", "proc_618_live", "proc_618_file256m"]


@pytest.fixture(scope="module", params=MODERN_FIXTURES)
def modern(request):
    return bl.Machine.from_host(FIXTURES / request.param, kernel="modern")


def test_modern_host_reproduces_every_derived_value(modern):
    """Every zone (Device too): min, low, high, promo, protection; each CPU's pcp bounds."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
    # zone_set_pageset_high_and_batch(), v6.18; mm/vmstat.c, zoneinfo_show_print(), v6.18.
    rows = H.compare_host(modern)
    # 5 zones x (4 watermarks + protection) + 3 populated zones x 2 CPUs x 3 pcp fields
    assert len(rows) == 5 * 5 + 3 * 2 * 3
    bad = [r for r in rows if not r.equal]
    assert not bad, H.format_comparison(bad)
    assert {r.zone[1] for r in rows} == {"DMA", "DMA32", "Normal", "Movable", "Device"}


def test_modern_host_live_capture_by_hand():
    """proc_618_live, worked from the kernel's formulas (not from the model)."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(), v6.18: pages_min = 67584 >> 2 = 16896;
    # lowmem_pages = 3840 + 772798 + 1966080 = 2742718 (Movable and Device left out);
    # DMA32 tmp = 16896 * 772798 // 2742718 = 4760; step = max(4760 >> 2 = 1190,
    # 772798 * 10 // 10000 = 772) = 1190 -> low 5950, high 7140, promo 8330.
    # zone_highsize(), v6.18: high_min = max(5950 // 2 CPUs, 63 << 2) = 2975;
    # high_max = max(772798 // 8 // 2, 252) = 48299.
    # setup_per_zone_lowmem_reserve(), v6.18: DMA (0, 772798 // 256 = 3018,
    # (772798 + 1966080) // 256 = 10698, then Movable and Device add 0).
    m = bl.Machine.from_host(FIXTURES / "proc_618_live", kernel="modern")
    z = m.zone(0, "DMA32")
    assert z.watermark == [4760, 5950, 7140, 8330]
    assert [(p.batch, p.high_min, p.high_max) for _, p in sorted(z.pageset.items())] == \
        [(63, 2975, 48299)] * 2
    assert tuple(m.zone(0, "DMA").lowmem_reserve) == (0, 3018, 10698, 10698, 10698)
    # Movable empty: clamp(0 // 1024, SWAP_CLUSTER_MAX, 128) = 32, step 0
    assert m.zone(0, "Movable").watermark == [32, 32, 32, 32]
    assert m.zone(0, "Device").watermark == [0, 0, 0, 0]


def test_modern_host_reads_the_618_sysctls():
    """5-entry lowmem_reserve_ratio, percpu_pagelist_high_fraction, Device modelled."""
    m = bl.Machine.from_host(FIXTURES / "proc_618", kernel="modern")
    assert m.kernel.name == "modern"
    assert m.lowmem_reserve_ratio == (256, 256, 32, 0, 0)
    assert m.percpu_pagelist_fraction == 0 and m.min_free_kbytes == 67584
    assert not any("Device" in note or "sysctl" in note for note in m.host.notes), m.host.notes


def test_modern_host_takes_over_a_printed_boost(tmp_path):
    """A zone read while boosted prints min..promo + boost: the model takes the boost over."""
    # include/linux/mmzone.h, wmark_pages(): _watermark[i] + watermark_boost, v6.18;
    # mm/vmstat.c, zoneinfo_show_print() prints min_wmark_pages() .. promo_wmark_pages().
    root = copy_fixture(tmp_path, "proc_618_live")
    text = (root / "zoneinfo").read_text()
    head, normal = text.split("Node 0, zone   Normal", 1)
    for old, new in (("boost    0", "boost    512"), ("min      12111", "min      12623"),
                     ("low      15138", "low      15650"), ("high     18165", "high     18677"),
                     ("promo    21192", "promo    21704")):
        normal = normal.replace(old, new, 1)
    (root / "zoneinfo").write_text(head + "Node 0, zone   Normal" + normal)
    m = bl.Machine.from_host(root, kernel="modern")
    assert m.zone(0, "Normal").watermark_boost == 512
    assert m.zone(0, "Normal").watermark == [12111, 15138, 18165, 21192]      # unboosted
    assert all(r.equal for r in H.compare_host(m))
    assert any("boosted by 512" in note for note in m.host.notes)


def test_modern_host_drift_names_the_managed_change(tmp_path, capsys):
    """Normal's managed count moved after the last recompute: the comparison says so."""
    # mm/page_alloc.c, adjust_managed_page_count(): managed_pages changes, no recompute.
    # Live managed 1966080 + 40: tmp = 16896 * 1966120 // 2742758 = 12111 still, but the
    # pcp high_max = 1966120 // 8 // 2 = 122882 != the printed 122880.
    root = copy_fixture(tmp_path, "proc_618_live")
    text = (root / "zoneinfo").read_text()
    (root / "zoneinfo").write_text(text.replace("managed  1966080", "managed  1966120"))
    rows = H.live_comparison(root, kernel="modern")
    out = capsys.readouterr().out
    bad = {(r.zone[1], r.field) for r in rows if not r.equal}
    assert ("Normal", "cpu0 high_max") in bad
    # the printed high_max 122880 bounds the managed pages of the last recompute:
    # 122880 * 8 * 2 = 1966080 .. 1966095
    assert ("zone Normal: high_max 122880 was computed from 1966080..1966095 managed pages"
            in out)
    assert "memory hotplug" in out


def test_modern_live_comparison_prints_zero_differences(capsys):
    """The chapter's call on a fixture: a table, "no differences", and the drift note."""
    rows = H.live_comparison(FIXTURES / "proc_618_file256m")
    out = capsys.readouterr().out
    assert len(rows) == 43 and "no differences" in out
    assert "0 Device       promo          0" in out
    assert "managed pages changed since the last recompute" in out


def test_from_host_refuses_an_unknown_kernel():
    with pytest.raises(LayoutError, match="kernel='v5.4'"):
        bl.Machine.from_host(FIXTURES / "proc_618", kernel="v5.4")


# ---------------------------------------------------------------------------
# Bad trees (issue 9, "Found by fuzzing": from_host).  Every error is a BuddyLabError naming
# the file and the line, raised before any Machine is built.

import os                                                            # noqa: E402

from buddylab import procfs as P                                     # noqa: E402
from buddylab import vmstat                                          # noqa: E402
from buddylab.errors import BuddyLabError                            # noqa: E402
from helpers import guarded                                          # noqa: E402


def small_tree(tmp_path, nodes=({"DMA": 4096, "Normal": 12288},), sysfs=None):
    """A /proc tree with the zoneinfo the model prints for a small machine (2 CPUs a node)."""
    root = tmp_path / "proc"
    (root / "sys" / "vm").mkdir(parents=True)
    m = bl.Machine(nodes=list(nodes), cpus_per_node=2)
    (root / "zoneinfo").write_text(vmstat.zoneinfo(m.snapshot()))
    for nid, (cpulist, distance) in enumerate(sysfs or ()):
        node = tmp_path / "sys" / "devices" / "system" / "node" / ("node%d" % nid)
        node.mkdir(parents=True)
        (node / "cpulist").write_text(cpulist)
        (node / "distance").write_text(distance)
    return root


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return text.split("\n").index(old.rstrip("\n").split("\n")[0]) + 1   # line of `old`


@pytest.fixture
def no_machine(monkeypatch):
    """Machine() must not be called: the error comes before anything is built."""
    import buddylab.machine

    class Refused:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a Machine was built")
    monkeypatch.setattr(buddylab.machine, "Machine", Refused)


def test_small_tree_builds_the_machine_it_came_from(tmp_path):
    """The tree small_tree() writes gives back the machine's zones (a check of the helper)."""
    m = H.machine_from_host(small_tree(tmp_path))
    assert [(z.name, z.zone_start_pfn, z.spanned_pages) for z in m.zones if z.spanned_pages] \
        == [("DMA", 0, 4096), ("Normal", 4096, 12288)]
    assert m.nr_cpus == 2


@pytest.mark.parametrize("root", [None, 5, 1.5, b"/proc", object(), "/proc\0x", ["/proc"]])
def test_root_must_be_a_str_path(root):
    """root None, an int, bytes, a NUL byte: LayoutError, not TypeError or ValueError."""
    with pytest.raises(LayoutError, match="root must be a directory path"):
        H.machine_from_host(root)
    with pytest.raises(LayoutError, match="root must be a directory path"):
        bl.Machine.from_host(root)


def test_sysfs_must_be_a_str_path(tmp_path):
    """sysfs is checked as root is (on a NUMA zoneinfo, where it is read)."""
    root = small_tree(tmp_path, nodes=({"Normal": 8192}, {"Normal": 8192}))
    with pytest.raises(LayoutError, match="sysfs must be a directory path"):
        H.machine_from_host(root, sysfs=7)


def test_zoneinfo_fifo_is_refused_not_waited_on(tmp_path, no_machine):
    """A FIFO as zoneinfo: ProcParseError at once (opened O_NONBLOCK, fstat'ed, never read)."""
    root = tmp_path / "proc"
    root.mkdir()
    os.mkfifo(root / "zoneinfo")
    out = guarded(H.machine_from_host, root)
    assert isinstance(out.get("error"), ProcParseError), out
    assert str(out["error"]) == ("%s: not a regular file (a FIFO): /proc text is read only "
                                 "from regular files" % (root / "zoneinfo"))


def test_zoneinfo_dev_zero_is_refused(tmp_path, no_machine):
    """zoneinfo -> /dev/zero (endless bytes): refused as a character device, nothing read."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    root = tmp_path / "proc"
    root.mkdir()
    os.symlink("/dev/zero", root / "zoneinfo")
    out = guarded(H.machine_from_host, root)
    assert isinstance(out.get("error"), ProcParseError)
    assert "zoneinfo: not a regular file (a character device)" in str(out["error"])


def test_zoneinfo_longer_than_the_cap_is_refused(tmp_path, monkeypatch, no_machine):
    """A zoneinfo longer than PROC_MAX_BYTES raises ProcParseError naming it."""
    root = small_tree(tmp_path)
    size = (root / "zoneinfo").stat().st_size
    monkeypatch.setattr(P, "PROC_MAX_BYTES", size - 1)
    with pytest.raises(ProcParseError, match=r"zoneinfo: longer than %d bytes" % (size - 1)):
        H.machine_from_host(root)


@pytest.mark.parametrize("old,new,what", [
    ("        spanned  12288\n", "        spanned  %d\n" % (H.HOST_MAX_PFN + 1), "spanned"),
    ("        spanned  12288\n", "        spanned  %d\n" % 10**19, "spanned"),
    ("  start_pfn:           4096\n", "  start_pfn:           %d\n" % (H.HOST_MAX_PFN + 1),
     "start_pfn"),
    ("  start_pfn:           4096\n", "  start_pfn:           %d\n" % (H.HOST_MAX_PFN - 12287),
     "end beyond pfn"),
])
def test_huge_spanned_or_start_pfn_is_refused(tmp_path, no_machine, old, new, what):
    """A zone reaching past HOST_MAX_PFN (2**24, MAX_MODEL_PFNS) is refused, naming the file and line."""
    root = small_tree(tmp_path)
    lineno = edit(root / "zoneinfo", old, new)
    with pytest.raises(LayoutError) as e:
        H.machine_from_host(root)
    msg = str(e.value)
    assert msg.startswith(str(root / "zoneinfo") + ": line ")
    assert what in msg and "HOST_MAX_PFN" in msg
    if what != "end beyond pfn":
        assert msg.startswith("%s: line %d: node 0 zone Normal" % (root / "zoneinfo", lineno))


def test_host_max_pfn_is_the_last_end_allowed(tmp_path, monkeypatch):
    """A zone ending exactly at HOST_MAX_PFN is built; one page more is refused."""
    root = small_tree(tmp_path)                      # Normal ends at pfn 16384
    monkeypatch.setattr(H, "HOST_MAX_PFN", 16384)
    assert H.machine_from_host(root).zone(0, "Normal").zone_end_pfn == 16384
    monkeypatch.setattr(H, "HOST_MAX_PFN", 16383)
    with pytest.raises(LayoutError, match="pfns 4096..16383 end beyond pfn 16383"):
        H.machine_from_host(root)


def test_negative_managed_names_its_line(tmp_path, no_machine):
    """managed -1: LayoutError naming the managed line (0 <= managed <= present <= spanned)."""
    root = small_tree(tmp_path)
    lineno = edit(root / "zoneinfo", "        managed  12288\n", "        managed  -1\n")
    with pytest.raises(LayoutError, match=r"zoneinfo: line %d: node 0 zone Normal: need 0 <= "
                                          r"managed" % lineno):
        H.machine_from_host(root)


SYSFS_TWO = [("0\n", "10 20\n"), ("1\n", "20 10\n")]


def test_numa_tree_with_sysfs(tmp_path):
    """Two nodes, one CPU each from the cpulists, distances from sysfs (the good case)."""
    root = small_tree(tmp_path, nodes=({"Normal": 8192}, {"Normal": 8192}), sysfs=SYSFS_TWO)
    m = H.machine_from_host(root)
    assert m.host.cpus_per_node == (1, 1) and m.distance == [[10, 20], [20, 10]]


@pytest.mark.parametrize("node,name,text,why", [
    (0, "cpulist", "0-99999\n", "'99999' is not a number in 0..8191"),
    (0, "cpulist", "3-1\n", "not an ascending range"),
    (1, "cpulist", "0,0\n", "not an ascending range after cpu 0"),
    (1, "cpulist", "1", "one line ending in a newline"),
    (0, "distance", "10 20 30\n", "3 distances for the 2 nodes"),
    (1, "distance", "20 1000\n", "'1000' is not a number in 0..255"),
    (1, "distance", "20 " + "9" * 5000 + "\n", "longer than a row of 64 distances"),
    (1, "distance", "20 " + "9" * 30 + "\n", "is not a number in 0..255"),
])
def test_malformed_sysfs_is_named(tmp_path, no_machine, node, name, text, why):
    """A cpulist of 0-99999 (100,000 CPUs), bad ranges or distances: ProcParseError, file named."""
    sysfs = [list(row) for row in SYSFS_TWO]
    sysfs[node][("cpulist", "distance").index(name)] = text
    root = small_tree(tmp_path, nodes=({"Normal": 8192}, {"Normal": 8192}), sysfs=sysfs)
    with pytest.raises(ProcParseError) as e:
        H.machine_from_host(root)
    path = tmp_path / "sys" / "devices" / "system" / "node" / ("node%d" % node) / name
    assert str(e.value).startswith("%s: line 1: " % path) and why in str(e.value)


def test_more_cpus_than_nr_cpus_are_refused(tmp_path, no_machine):
    """Two cpulists of 8192 CPUs each: more than NR_CPUS = 8192 (arch/x86/Kconfig, v4.18)."""
    root = small_tree(tmp_path, nodes=({"Normal": 8192}, {"Normal": 8192}),
                      sysfs=[("0-8191\n", "10 20\n"), ("0-8191\n", "20 10\n")])
    with pytest.raises(LayoutError, match="hold 16384 CPUs, more than NR_CPUS = 8192"):
        H.machine_from_host(root)


def test_more_pagesets_than_nr_cpus_are_refused(tmp_path, no_machine):
    """A zone with NR_CPUS + 1 pagesets (one per online CPU) is refused, naming its header line."""
    root = small_tree(tmp_path)
    text = (root / "zoneinfo").read_text()
    one = ("    cpu: %d\n              count: 0\n              high:  0\n"
           "              batch: 1\n  vm stats threshold: 0\n")
    start = text.index("    cpu: 0\n", text.index("zone   Normal"))
    end = text.index("  node_unreclaimable:", start)
    (root / "zoneinfo").write_text(text[:start] + "".join(one % c for c in range(H.NR_CPUS + 1))
                                   + text[end:])
    lineno = text[:text.index("zone   Normal")].count("\n") + 1
    with pytest.raises(LayoutError, match=r"zoneinfo: line %d: node 0 zone Normal has 8193 "
                                          r"pagesets" % lineno):
        H.machine_from_host(root)


def test_more_nodes_than_max_numnodes_are_refused(tmp_path, no_machine):
    """65 nodes in zoneinfo: MAX_NUMNODES is 64; the 65th node's header line is named."""
    root = small_tree(tmp_path)
    empty = ("Node %d, zone   Normal\n  pages free     0\n        min      0\n"
             "        low      0\n        high     0\n        spanned  0\n"
             "        present  0\n        managed  0\n        protection: (0, 0, 0, 0)\n")
    text = (root / "zoneinfo").read_text()
    (root / "zoneinfo").write_text(text + "".join(empty % nid for nid in range(1, 65)))
    lineno = text.count("\n") + 63 * 9 + 1
    with pytest.raises(LayoutError, match=r"zoneinfo: line %d: node 64 is node number 65: "
                                          r"MAX_NUMNODES is 64" % lineno):
        H.machine_from_host(root)


def test_pagetypeinfo_and_buddyinfo_are_never_opened(tmp_path):
    """The build does not need them: a malformed pagetypeinfo and a FIFO buddyinfo are ignored."""
    root = small_tree(tmp_path)
    (root / "pagetypeinfo").write_text("Page block order: nine\n")
    os.mkfifo(root / "buddyinfo")
    out = guarded(H.machine_from_host, root)
    assert "value" in out, out
    assert "pagetypeinfo" not in out["value"].host.sysctls


def test_fifo_sysctl_is_refused(tmp_path, no_machine):
    """A sysctl file that is a FIFO is refused, naming it."""
    root = small_tree(tmp_path)
    os.mkfifo(root / "sys" / "vm" / "min_free_kbytes")
    out = guarded(H.machine_from_host, root)
    assert isinstance(out.get("error"), ProcParseError)
    assert "min_free_kbytes: not a regular file (a FIFO)" in str(out["error"])


def test_machine_errors_name_the_host(tmp_path):
    """A sysctl the Machine refuses (watermark_scale_factor 0) names the root and the sysctl."""
    root = small_tree(tmp_path)
    (root / "sys" / "vm" / "watermark_scale_factor").write_text("0\n")
    with pytest.raises(LayoutError, match=r"the host at %s: watermark_scale_factor must be"
                                          % re.escape(str(root))):
        H.machine_from_host(root)


# ---------------------------------------------------------------------------
# Fuzzing: seeded, bounded; only BuddyLabError escapes, and it names a file of the tree

FUZZ_NUMBERS = ("0", "1", "-1", "7", "4096", "100000", str(2**25 + 1), str(10**19),
                "9" * 20, "-" + "9" * 20)
FUZZ_SYSCTLS = {
    "min_free_kbytes": ("0\n", "-5\n", "67584\n", "%d\n" % 2**31, "%d\n" % 10**19, "x\n",
                        "1\t2\n", ""),
    "watermark_scale_factor": ("0\n", "1\n", "1000\n", "1001\n", "-1\n"),
    "lowmem_reserve_ratio": ("256\t256\t32\t0\n", "0\t0\t0\t0\n", "-1\t-1\t-1\n", "1\n",
                             "256\t" * 8 + "0\n", "%d\t1\t1\n" % 10**19),
    "percpu_pagelist_fraction": ("0\n", "7\n", "8\n", "-8\n", "%d\n" % 10**19),
    "watermark_boost_factor": ("0\n", "15000\n", "-1\n"),
}
FUZZ_CPULISTS = ("0\n", "0-1\n", "\n", "0-99999\n", "5-3\n", "0,0\n", "a\n", "0-\n", "0",
                 "00\n", "0-1,3,5-6\n")
FUZZ_DISTANCES = ("10 20\n", "20 10\n", "10\n", "0 0\n", "10 256\n", "x y\n", "10  20\n", "\n")


def _pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


def _fuzz_text(rng, text):
    """One mutation: a number replaced, a line deleted/duplicated/swapped, a character changed."""
    lines = text.splitlines(keepends=True)
    i, j, x = (int(rng.random() * len(lines)), int(rng.random() * len(lines)), rng.random())
    if x < 0.5:
        number = _pick(rng, list(re.finditer(r"-?\d+", text)))
        return text[:number.start()] + _pick(rng, FUZZ_NUMBERS) + text[number.end():]
    if x < 0.6:
        del lines[i]
    elif x < 0.7:
        lines.insert(i, lines[i])
    elif x < 0.8:
        lines[i], lines[j] = lines[j], lines[i]
    else:
        k = int(rng.random() * len(text))
        return text[:k] + _pick(rng, " \n-9(,:x\0\xff") + text[k + 1:]
    return "".join(lines)


def _fuzz_tree(rng, base, zoneinfo):
    """A /proc tree (and a sysfs beside it) with a few random defects."""
    root = base / "proc"
    (root / "sys" / "vm").mkdir(parents=True)
    for _ in range(int(rng.random() * 3)):
        zoneinfo = _fuzz_text(rng, zoneinfo)
    x = rng.random()
    if x < 0.03:
        os.mkfifo(root / "zoneinfo")
    elif x < 0.06:
        os.symlink("/dev/zero", root / "zoneinfo")
    else:
        (root / "zoneinfo").write_text(zoneinfo)
    for name, values in FUZZ_SYSCTLS.items():
        if rng.random() < 0.5:
            (root / "sys" / "vm" / name).write_text(_pick(rng, values))
    if rng.random() < 0.3:
        (root / "pagetypeinfo").write_text("garbage\n")
    for nid in (0, 1):
        node = base / "sys" / "devices" / "system" / "node" / ("node%d" % nid)
        node.mkdir(parents=True)
        good = ("%d\n" % nid, "10 20\n" if nid == 0 else "20 10\n")
        for name, bad, ok in zip(("cpulist", "distance"), (FUZZ_CPULISTS, FUZZ_DISTANCES), good):
            if rng.random() < 0.95:
                (node / name).write_text(_pick(rng, bad) if rng.random() < 0.3 else ok)
    return root


def test_fuzzed_trees_raise_only_buddylab_errors(tmp_path):
    """200 seeded malformed trees: a Machine that passes check(), or a BuddyLabError naming a file.

    Mutated zoneinfo (numbers out of range, lines lost or repeated), sysctls out of range,
    bad cpulists and distances, FIFOs and /dev/zero, garbage pagetypeinfo (never opened).
    """
    texts = [vmstat.zoneinfo(bl.Machine(nodes=nodes, cpus_per_node=2).snapshot())
             for nodes in ([{"DMA": 4096, "Normal": 12288}],
                           [{"DMA": 4096, "Normal": 8192}, {"Normal": 8192}])]
    rng = __import__("random").Random(9)
    outcomes = {"built": 0, "ProcParseError": 0, "LayoutError": 0}
    for case in range(200):
        base = tmp_path / str(case)
        root = _fuzz_tree(rng, base, _pick(rng, texts))
        managed = "recompute" if rng.random() < 0.2 else "live"
        out = guarded(H.machine_from_host, root, managed=managed)
        if "value" in out:
            out["value"].check()
            outcomes["built"] += 1
            continue
        error = out["error"]
        assert isinstance(error, BuddyLabError), (case, repr(error))
        assert str(base) in str(error), (case, str(error))
        outcomes[type(error).__name__] += 1
    assert min(outcomes.values()) >= 20, outcomes          # every outcome is exercised


def test_recompute_search_with_many_zones_completes():
    """managed_at_last_recompute() on 64 nodes of tiny zones and one impossible zone: None.

    Every tiny zone (1 managed page, watermarks 0) matches at every lowmem, the last never:
    the zone that failed is now tried first, so the search does not rescan all 190 zones at
    each of its ~24,000 lowmem values (it took minutes at 64 nodes).
    """
    zone = ("Node %d, zone %8s\n  pages free     0\n        min      %d\n        low      %d\n"
            "        high     %d\n        spanned  1000\n        present  1\n        managed  1\n"
            "        protection: (0, 0, 0, 0)\n")
    text = "".join(zone % (nid, name, 0, 0, 0) for nid in range(63)
                   for name in ("DMA", "DMA32", "Normal"))
    zi = parse_zoneinfo(text + zone % (63, "Normal", 999999, 999999, 999999))
    assert H.managed_at_last_recompute(zi, 100) is None
    assert H.managed_at_last_recompute(parse_zoneinfo(text), 100) is not None
