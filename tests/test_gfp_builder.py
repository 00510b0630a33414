"""buddylab/widgets/gfp_builder.py: ticking bits and picking composites updates the label.

Expected values are worked by hand from include/linux/gfp.h (v4.18) and
gfp_to_alloc_flags() in mm/page_alloc.c (v4.18), not copied from the widget's
output: the ___GFP_* values below are the 4.18 #defines, the composites are
ORed from their definitions, and the alloc_flags from mm/internal.h
(WMARK_MIN 0, WMARK_LOW 1, HARDER 0x10, HIGH 0x20, CPUSET 0x40, CMA 0x80).
"""
import html

import pytest

pytest.importorskip("ipywidgets")

from buddylab.widgets.gfp_builder import GfpMaskBuilder, decode_gfp, format_decoded, GFP_GROUPS  # noqa: E402

# ___GFP_* of include/linux/gfp.h, v4.18 (without CONFIG_LOCKDEP)
BITS_4_18 = {
    "__GFP_DMA": 0x01, "__GFP_HIGHMEM": 0x02, "__GFP_DMA32": 0x04, "__GFP_MOVABLE": 0x08,
    "__GFP_RECLAIMABLE": 0x10, "__GFP_HIGH": 0x20, "__GFP_IO": 0x40, "__GFP_FS": 0x80,
    "__GFP_WRITE": 0x100, "__GFP_NOWARN": 0x200, "__GFP_RETRY_MAYFAIL": 0x400,
    "__GFP_NOFAIL": 0x800, "__GFP_NORETRY": 0x1000, "__GFP_MEMALLOC": 0x2000,
    "__GFP_COMP": 0x4000, "__GFP_ZERO": 0x8000, "__GFP_NOMEMALLOC": 0x10000,
    "__GFP_HARDWALL": 0x20000, "__GFP_THISNODE": 0x40000, "__GFP_ATOMIC": 0x80000,
    "__GFP_ACCOUNT": 0x100000, "__GFP_DIRECT_RECLAIM": 0x200000,
    "__GFP_KSWAPD_RECLAIM": 0x400000,
}


def label_lines(b):
    """The label's text as {field: value} (the 'note' lines collected in a list)."""
    value = b.label.value
    assert value.startswith("<pre>") and value.endswith("</pre>")
    out = {"note": []}
    for line in html.unescape(value[len("<pre>"):-len("</pre>")]).splitlines():
        key, value = line[:13].strip(), line[14:]
        if key == "note":
            out["note"].append(value)
        else:
            out[key] = value
    return out


def tick(b, *names):
    for name in names:
        b.checkboxes[name].value = True


def test_every_bit_has_a_checkbox_in_one_group():
    """23 checkboxes, one per __GFP_ bit of 4.18, each in exactly one group."""
    b = GfpMaskBuilder()
    assert set(b.checkboxes) == set(BITS_4_18)
    grouped = [n for _, names in GFP_GROUPS for n in names]
    assert sorted(grouped) == sorted(BITS_4_18)
    assert [g for g, _ in GFP_GROUPS] == ["zone modifiers", "mobility and placement",
                                          "watermark modifiers", "reclaim modifiers",
                                          "action modifiers"]


@pytest.mark.parametrize("name,value", sorted(BITS_4_18.items()))
def test_one_checkbox_sets_its_4_18_bit(name, value):
    """Ticking one box gives a mask of exactly that bit, shown in hex."""
    b = GfpMaskBuilder()
    tick(b, name)
    assert int(b.mask) == value
    assert label_lines(b)["mask"] == hex(value)


def test_empty_mask():
    """No flags: gfp_zone(0) is ZONE_NORMAL, UNMOVABLE, cannot block, slow path MIN|CPUSET."""
    lines = label_lines(GfpMaskBuilder())
    assert lines["mask"] == "0x0"
    assert lines["decoded"] == "none"
    assert lines["equals"] == "no composite"
    assert lines["zone"] == "ZONE_NORMAL (gfp_zone = 2)"
    assert lines["migratetype"] == "MIGRATE_UNMOVABLE (0)"
    assert lines["may block"].startswith("no")
    assert lines["fast path"] == "ALLOC_WMARK_LOW"
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_CPUSET"


def test_dropdown_gfp_kernel():
    """GFP_KERNEL = __GFP_RECLAIM|__GFP_IO|__GFP_FS = 0x200000|0x400000|0x40|0x80."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_KERNEL"
    assert int(b.mask) == 0x6000C0
    ticked = {n for n, cb in b.checkboxes.items() if cb.value}
    assert ticked == {"__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_IO", "__GFP_FS"}
    lines = label_lines(b)
    assert lines["mask"] == "0x6000c0"
    assert lines["decoded"] == "GFP_KERNEL"
    assert lines["equals"] == "GFP_KERNEL"
    assert lines["zone"] == "ZONE_NORMAL (gfp_zone = 2)"
    assert lines["may block"].startswith("yes")
    assert lines["fast path"] == "ALLOC_WMARK_LOW"
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_CPUSET"
    assert lines["note"] == []
    assert b.dropdown.value == ""          # back on the prompt: the same pick works again
    b.checkboxes["__GFP_IO"].value = False
    b.dropdown.value = "GFP_KERNEL"
    assert int(b.mask) == 0x6000C0


def test_gfp_atomic_gets_harder_and_high_without_cpuset():
    """GFP_ATOMIC = HIGH|ATOMIC|KSWAPD = 0x480020: slow path MIN|HARDER|HIGH, no CPUSET."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_ATOMIC"
    lines = label_lines(b)
    assert lines["mask"] == "0x480020"
    assert lines["equals"] == "GFP_ATOMIC"
    assert lines["may block"].startswith("no")
    assert lines["fast path"] == "ALLOC_WMARK_LOW"          # no reserve flags in the fast path
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_HARDER|ALLOC_HIGH"
    assert any("highatomic" in n for n in lines["note"])


def test_nomemalloc_takes_harder_away():
    """__GFP_ATOMIC with __GFP_NOMEMALLOC: no ALLOC_HARDER, and ALLOC_CPUSET is still cleared."""
    b = GfpMaskBuilder("GFP_ATOMIC")
    tick(b, "__GFP_NOMEMALLOC")
    lines = label_lines(b)
    assert lines["mask"] == "0x490020"
    assert lines["decoded"] == "GFP_ATOMIC|__GFP_NOMEMALLOC"
    assert lines["equals"] == "no composite"
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_HIGH"


def test_atomic_with_direct_reclaim_is_cleared_in_the_slow_path():
    """__alloc_pages_slowpath() WARNs and clears __GFP_ATOMIC when the caller may reclaim."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_ATOMIC"
    tick(b, "__GFP_DIRECT_RECLAIM")
    lines = label_lines(b)
    assert lines["mask"] == "0x680020"
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_HIGH|ALLOC_CPUSET"
    assert any("clears __GFP_ATOMIC" in n for n in lines["note"])


def test_highuser_movable():
    """GFP_HIGHUSER_MOVABLE = GFP_USER|HIGHMEM|MOVABLE = 0x6200ca: zone bits 0xa -> ZONE_MOVABLE."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_HIGHUSER_MOVABLE"
    lines = label_lines(b)
    assert lines["mask"] == "0x6200ca"
    assert lines["equals"] == "GFP_HIGHUSER_MOVABLE"
    assert lines["zone"] == "ZONE_MOVABLE (gfp_zone = 3)"
    assert lines["migratetype"] == "MIGRATE_MOVABLE (1)"
    assert lines["fast path"] == "ALLOC_WMARK_LOW|ALLOC_CMA"
    assert lines["slow path"] == "ALLOC_WMARK_MIN|ALLOC_CPUSET|ALLOC_CMA"


def test_transhuge_light_and_transhuge():
    """GFP_TRANSHUGE_LIGHT drops __GFP_RECLAIM (0x342ca); GFP_TRANSHUGE adds DIRECT_RECLAIM back."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_TRANSHUGE_LIGHT"
    lines = label_lines(b)
    assert lines["mask"] == "0x342ca"
    assert lines["may block"].startswith("no")
    tick(b, "__GFP_DIRECT_RECLAIM")
    lines = label_lines(b)
    assert lines["mask"] == "0x2342ca"
    assert lines["equals"] == "GFP_TRANSHUGE"
    assert lines["may block"].startswith("yes")


def test_unticking_reaches_another_composite():
    """GFP_NOIO (__GFP_RECLAIM) without __GFP_DIRECT_RECLAIM is GFP_NOWAIT (0x400000)."""
    b = GfpMaskBuilder()
    b.dropdown.value = "GFP_NOIO"
    assert label_lines(b)["equals"] == "GFP_NOIO"
    b.checkboxes["__GFP_DIRECT_RECLAIM"].value = False
    lines = label_lines(b)
    assert lines["mask"] == "0x400000"
    assert lines["equals"] == "GFP_NOWAIT"


def test_zero_on_top_of_kernel():
    """GFP_KERNEL|__GFP_ZERO = 0x6080c0 is no composite; decoded composites first."""
    b = GfpMaskBuilder("GFP_KERNEL")
    tick(b, "__GFP_ZERO")
    lines = label_lines(b)
    assert lines["mask"] == "0x6080c0"
    assert lines["decoded"] == "GFP_KERNEL|__GFP_ZERO"
    assert lines["equals"] == "no composite"


# GFP_ZONE_TABLE of gfp.h on x86_64 (OPT_ZONE_HIGHMEM = ZONE_NORMAL); None = GFP_ZONE_BAD
ZONES = {0x0: "ZONE_NORMAL (gfp_zone = 2)", 0x1: "ZONE_DMA (gfp_zone = 0)",
         0x2: "ZONE_NORMAL (gfp_zone = 2)", 0x3: None, 0x4: "ZONE_DMA32 (gfp_zone = 1)",
         0x5: None, 0x6: None, 0x7: None, 0x8: "ZONE_NORMAL (gfp_zone = 2)",
         0x9: "ZONE_DMA (gfp_zone = 0)", 0xa: "ZONE_MOVABLE (gfp_zone = 3)", 0xb: None,
         0xc: "ZONE_DMA32 (gfp_zone = 1)", 0xd: None, 0xe: None, 0xf: None}


@pytest.mark.parametrize("bits", sorted(ZONES))
def test_zone_of_every_zone_bit_combination(bits):
    """The four zone boxes in all 16 combinations: the zone, or GFP_ZONE_BAD with the bits."""
    b = GfpMaskBuilder()
    for name, v in (("__GFP_DMA", 1), ("__GFP_HIGHMEM", 2), ("__GFP_DMA32", 4),
                    ("__GFP_MOVABLE", 8)):
        b.checkboxes[name].value = bool(bits & v)
    zone = label_lines(b)["zone"]
    if ZONES[bits] is None:
        assert zone.startswith("GFP_ZONE_BAD (zone bits %#x = " % bits)
    else:
        assert zone == ZONES[bits]


def test_dma_highmem_is_bad():
    """GFP_DMA|__GFP_HIGHMEM is index 0x3 of GFP_ZONE_TABLE: GFP_ZONE_BAD."""
    b = GfpMaskBuilder()
    tick(b, "__GFP_DMA", "__GFP_HIGHMEM")
    assert label_lines(b)["zone"] == "GFP_ZONE_BAD (zone bits 0x3 = GFP_DMA|__GFP_HIGHMEM)"


def test_movable_and_reclaimable_is_bad_migratetype():
    """Both mobility bits: (0x18 >> 3) = 3 = MIGRATE_HIGHATOMIC, which gfp.h VM_WARN_ONs."""
    b = GfpMaskBuilder()
    tick(b, "__GFP_MOVABLE", "__GFP_RECLAIMABLE")
    mt = label_lines(b)["migratetype"]
    assert mt.startswith("bad: __GFP_MOVABLE|__GFP_RECLAIMABLE")
    assert "3 = MIGRATE_HIGHATOMIC" in mt


def test_reclaimable_alone():
    """__GFP_RECLAIMABLE (0x10) >> 3 = 2 = MIGRATE_RECLAIMABLE."""
    b = GfpMaskBuilder("GFP_KERNEL")
    tick(b, "__GFP_RECLAIMABLE")
    assert label_lines(b)["migratetype"] == "MIGRATE_RECLAIMABLE (2)"


def test_thisnode_selects_nofallback():
    """gfp_zonelist(): __GFP_THISNODE picks ZONELIST_NOFALLBACK."""
    b = GfpMaskBuilder("GFP_KERNEL")
    assert label_lines(b)["zonelist"] == "ZONELIST_FALLBACK"
    tick(b, "__GFP_THISNODE")
    assert label_lines(b)["zonelist"] == "ZONELIST_NOFALLBACK (__GFP_THISNODE)"


def test_memalloc_note_unless_nomemalloc():
    """__gfp_pfmemalloc_flags(): __GFP_MEMALLOC gives ALLOC_NO_WATERMARKS unless NOMEMALLOC."""
    b = GfpMaskBuilder("GFP_KERNEL")
    tick(b, "__GFP_MEMALLOC")
    assert any("ALLOC_NO_WATERMARKS" in n for n in label_lines(b)["note"])
    tick(b, "__GFP_NOMEMALLOC")
    assert not any("ALLOC_NO_WATERMARKS" in n for n in label_lines(b)["note"])


def test_dropdown_zero_clears_every_box():
    """The '0 (no flags)' entry unticks everything."""
    b = GfpMaskBuilder("GFP_TRANSHUGE")
    b.dropdown.value = "0"
    assert int(b.mask) == 0
    assert not any(cb.value for cb in b.checkboxes.values())


def test_label_is_the_static_table():
    """The label shows exactly format_decoded(decode_gfp(mask)), the text a notebook prints."""
    b = GfpMaskBuilder("GFP_USER|__GFP_THISNODE")
    assert int(b.mask) == 0x6200C0 | 0x40000
    assert b.text == format_decoded(decode_gfp(0x6200C0 | 0x40000))
    assert html.unescape(b.label.value) == "<pre>%s</pre>" % b.text


def test_every_bit_is_explained_in_its_tooltip():
    """GFP_BIT_DOC has one line per bit, shown as the checkbox's tooltip."""
    from buddylab.widgets.gfp_builder import GFP_BIT_DOC
    b = GfpMaskBuilder()
    assert set(GFP_BIT_DOC) == set(BITS_4_18)
    for name, cb in b.checkboxes.items():
        assert cb.tooltip == GFP_BIT_DOC[name]
        assert cb.description == "%s (%#x)" % (name, BITS_4_18[name])
