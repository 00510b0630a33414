"""buddylab/procfmt.py: each /proc layout written once, for the printers and the re-printers.

The model's printers (buddylab.vmstat) and the parsers' re-printers (buddylab.procfs) both
go through procfmt: changing a format there changes both.  Each kernel's zoneinfo layout
is data (procfmt.ZONEINFO_V4_18, ZONEINFO_V6_18): printed from the values parsed out of a
real machine's /proc/zoneinfo it gives that file back byte for byte (zoneinfo_show_print(),
mm/vmstat.c, v4.18 and v6.18).
"""

import pathlib

import pytest

import buddylab as bl
from buddylab import procfmt, procfs, vmstat

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _fixture(version, name):
    return (FIXTURES / ("proc_" + version) / name).read_text()


def _layout_text(layout, zone, missing=None):
    """Print a parsed ZoneinfoZone again with `layout`, from its values only (`missing`
    for the lines the file has not)."""
    marks = zone._values("watermark")
    values = {line.field: marks.get(line.label, missing) for line in layout.watermark[1:]}
    values["free"] = zone.pages_free
    node_stats = list(zone.node_stats.items()) or None
    zone_stats = list(zone.stats.items()) if zone.populated else None
    tail = {"node_unreclaimable": zone.node_unreclaimable, "start_pfn": zone.start_pfn}
    pagesets = [{k: missing if v is None else v for k, v in p._asdict().items()}
                for p in zone.pagesets]
    return layout.zone_text(zone.nid, zone.name, values, zone.protection, node_stats,
                            zone_stats, pagesets, tail)


@pytest.mark.parametrize("version,layout", [("418", procfmt.ZONEINFO_V4_18),
                                            ("618", procfmt.ZONEINFO_V6_18)])
def test_each_kernels_zoneinfo_layout_prints_a_real_file_back(version, layout):
    """The 4.18 fixture printed with the v4.18 layout, the 6.18 one with the v6.18 layout."""
    text = _fixture(version, "zoneinfo")
    zi = procfs.parse_zoneinfo(text)
    assert "".join(_layout_text(layout, zone) for zone in zi.zones) == text


def test_the_two_zoneinfo_layouts_differ_where_the_kernels_do():
    """v6.18 adds boost, promo, cma (zone) and high_min, high_max (per CPU), and pads the
    pageset labels to one column ("count:    %i"; v4.18 "count: %i", "high:  %i")."""
    old, new = procfmt.ZONEINFO_V4_18, procfmt.ZONEINFO_V6_18
    assert [line.field for line in new.watermark if line not in old.watermark] == \
        ["boost", "promo", "cma"]
    assert [line.field for line in new.pageset if line not in old.pageset] == \
        ["count", "high", "batch", "high_min", "high_max"]
    zone = procfs.parse_zoneinfo(_fixture("418", "zoneinfo")).zones[1]
    as_618 = _layout_text(new, zone, missing=0)
    assert as_618 != zone.text()
    assert "\n        promo    0\n" in as_618 and "\n              count:    " in as_618
    assert vmstat.ZONEINFO_LAYOUT is old


def test_buddyinfo_printer_and_reprinter_share_one_format(monkeypatch):
    """A changed count format shows in the model's buddyinfo and in a parsed one's text."""
    m = bl.Machine()
    parsed = procfs.parse_buddyinfo(m.buddyinfo())
    monkeypatch.setattr(procfmt, "BUDDYINFO_COUNT_FMT", "%7lu ")
    assert m.buddyinfo() == parsed.text()
    assert m.buddyinfo().startswith("Node 0, zone      DMA       ")


def test_pagetypeinfo_and_zoneinfo_printers_and_reprinters_share_procfmt(monkeypatch):
    m = bl.Machine()
    ptype = procfs.parse_pagetypeinfo(m.pagetypeinfo())
    zinfo = procfs.parse_zoneinfo(m.zoneinfo())
    monkeypatch.setattr(procfmt, "BLOCK_COUNT_FMT", "%13lu ")
    monkeypatch.setattr(procfmt, "FREE_COUNT_FMT", "%s%7lu ")
    monkeypatch.setattr(procfmt, "ZONEINFO_HEADER_FMT", "Node %d, zone %9s")
    assert m.pagetypeinfo() == ptype.text()
    assert "Node    0, zone      DMA, type    Unmovable       0 " in m.pagetypeinfo()
    assert m.zoneinfo() == zinfo.text()
    assert m.zoneinfo().startswith("Node 0, zone       DMA\n")


def test_extfrag_lines_share_the_buddyinfo_zone_prefix(monkeypatch):
    m = bl.Machine()
    monkeypatch.setattr(procfmt, "ZONE_LINE_FMT", "N%d %s: ")
    assert m.extfrag_index().startswith("N0 DMA: ")
    assert m.unusable_index().startswith("N0 DMA: ")
    assert m.buddyinfo().startswith("N0 DMA: ")


def test_parser_vocabulary_comes_from_the_layouts():
    """procfs knows every pageset label of both layouts, and requires only the watermark
    lines both kernels print."""
    assert set(procfs._PAGESET_FIELDS.values()) == \
        {"count", "high", "batch", "high_min", "high_max", "stat_threshold"}
    assert procfs.ZONEINFO_REQUIRED == ("min", "low", "high", "spanned", "present", "managed")
