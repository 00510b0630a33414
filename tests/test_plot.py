"""Tests of buddylab/plot: the figures, checked on their artists.

Expected values are worked by hand from the kernel's rules on the 64-page
teaching machine (one DMA zone, orders 0..4, 8-page pageblocks): boot frees
the pfns in ascending order as four order-4 blocks, each put at the HEAD of
free_list[Movable], so the list reads 48, 32, 16, 0 and pfn 48 is taken first.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt                      # noqa: E402
from matplotlib.colors import to_rgba               # noqa: E402

import buddylab as bl                                # noqa: E402
from buddylab import plot as bp                      # noqa: E402
from buddylab.mmzone import (MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, MIGRATE_TYPES)  # noqa: E402

U, M = MIGRATE_UNMOVABLE, MIGRATE_MOVABLE
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tiny():
    return bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                      min_free_kbytes=0)


def gids(ax, prefix):
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith(prefix))


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ---------------------------------------------------------------- palette
def test_palette_one_colour_and_hatch_per_migratetype():
    """Six distinct colours and six distinct hatches, one per MIGRATE_* index."""
    assert len(set(bp.MIGRATETYPE_COLORS)) == MIGRATE_TYPES
    assert len(set(bp.MIGRATETYPE_HATCHES)) == MIGRATE_TYPES
    labels = [h.get_label() for h in bp.legend_handles()]
    assert labels[:MIGRATE_TYPES] == list(bl.mmzone.MIGRATETYPE_NAMES)
    assert labels[MIGRATE_TYPES:] == ["allocated (hatch = its migrate type)", "on a pcp list",
                                      "reserved", "hole"]



# Colour-vision simulation, written here so the palette is checked against an outside model:
# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of colour
# vision deficiency", severity 1.0 matrices, applied to linear sRGB.
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
MIN_DELTA_E = 10.0      # CIE76 distance below which two flat patches start to look alike
MIN_DELTA_L = 7.0       # grayscale: CIELAB lightness apart


def linear_rgb(hexcolour):
    r, g, b, _ = to_rgba(hexcolour)
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]


def cielab(lin):
    """Linear sRGB -> CIELAB (D65 white), clipping what a simulation pushes out of gamut."""
    r, g, b = [min(1.0, max(0.0, c)) for c in lin]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def seen_as(hexcolour, vision):
    lin = linear_rgb(hexcolour)
    if vision != "normal":
        lin = [sum(m * c for m, c in zip(row, lin)) for row in MACHADO_2009[vision]]
    return cielab(lin)


def delta_e(a, b):
    return sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5


def test_cielab_of_known_colours():
    """White is L* 100, black L* 0, sRGB pure red is about (53.2, 80.1, 67.2) (CIE tables)."""
    assert seen_as("#FFFFFF", "normal")[0] == pytest.approx(100, abs=0.1)
    assert seen_as("#000000", "normal")[0] == pytest.approx(0, abs=0.1)
    assert seen_as("#FF0000", "normal") == pytest.approx((53.2, 80.1, 67.2), abs=0.5)
    # a deuteranope sees red and green alike: far apart normally, close when simulated
    assert delta_e(seen_as("#FF0000", "normal"), seen_as("#00A000", "normal")) > 80
    assert delta_e(seen_as("#D02000", "deuteranopia"),
                   seen_as("#909000", "deuteranopia")) < MIN_DELTA_E


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia", "tritanopia"])
def test_palette_migratetypes_apart_under_colour_vision_deficiency(vision):
    """Every pair of migrate-type colours, and the pcp colour against each, stays MIN_DELTA_E
    apart when seen with that deficiency (the pcp list is where the suite used orange twice)."""
    cols = list(bp.MIGRATETYPE_COLORS) + [bp.STATE_COLORS["pcp"]]
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            d = delta_e(seen_as(a, vision), seen_as(b, vision))
            assert d >= MIN_DELTA_E, (vision, a, b, round(d, 1))


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia", "tritanopia"])
def test_palette_zones_and_verdicts_never_look_like_a_migratetype(vision):
    """Zone colours, and the ok/fail colours of a watermark check, stay MIN_DELTA_E from every
    migrate type and the pcp colour and from each other (the DMA zone was orange beside the
    vermillion Unmovable, and "fail" was the Unmovable colour itself)."""
    from buddylab.plot.palette import ZONE_COLORS, OK_COLOR, FAIL_COLOR
    taken = list(bp.MIGRATETYPE_COLORS) + [bp.STATE_COLORS["pcp"]]
    own = list(ZONE_COLORS.values()) + [OK_COLOR, FAIL_COLOR]
    for i, a in enumerate(own):
        for b in taken + own[i + 1:]:
            d = delta_e(seen_as(a, vision), seen_as(b, vision))
            assert d >= MIN_DELTA_E, (vision, a, b, round(d, 1))


def test_palette_migratetypes_apart_in_grayscale():
    """Printed in gray, the six migrate types (and the pcp colour) differ in lightness."""
    cols = list(bp.MIGRATETYPE_COLORS) + [bp.STATE_COLORS["pcp"]]
    ls = sorted(seen_as(c, "normal")[0] for c in cols)
    assert min(b - a for a, b in zip(ls, ls[1:])) >= MIN_DELTA_L, [round(x) for x in ls]

# -------------------------------------------------------------- free_area
def test_free_area_fresh_tiny_machine_blocks():
    """A fresh 64-page zone has nr_free = 4 at order 4, all on the Movable list."""
    ax = bp.plot_free_area(tiny().zone_snapshot(0, "DMA"))
    assert len(ax.containers) == MIGRATE_TYPES
    for mt, cont in enumerate(ax.containers):
        assert len(cont) == 5                       # one bar per order 0..4
        heights = [float(b.get_height()) for b in cont]
        assert heights == ([0, 0, 0, 0, 4.0] if mt == M else [0.0] * 5)
        assert cont[0].get_facecolor() == to_rgba(bp.MIGRATETYPE_COLORS[mt])
        assert cont[0].get_hatch() == bp.MIGRATETYPE_HATCHES[mt]
    assert legend_labels(ax) == ["Movable"]
    assert ax.get_ylabel() == "free blocks (nr_free)"
    assert "order" in ax.get_xlabel() and "nr_free" in ax.get_title()
    assert ax.get_xticklabels()[4].get_text() == "4\n64 KiB"


def test_free_area_pages_unit_and_pair():
    """In pages, order 4 holds 4 x 16 = 64 pages; the pair draws blocks then pages."""
    a, b = bp.plot_free_area_pair(tiny().zone_snapshot(0, "DMA"), seed=5)
    assert float(a.containers[M][4].get_height()) == 4
    assert float(b.containers[M][4].get_height()) == 64
    assert b.get_ylabel().startswith("free pages")
    assert any(t.get_text() == "seed=5" for t in b.texts)
    assert bp.order_size_label(10) == "10\n4 MiB"


def test_free_area_counts_stacked_by_type_after_fallback():
    """GFP_KERNEL order 1 claims block 48: Unmovable gets one block each of orders 1, 2, 3."""
    m = tiny()
    m.alloc_pages(bl.GFP_KERNEL, 1)
    ax = bp.plot_free_area(m.zone_snapshot(0, "DMA"))
    assert [float(b.get_height()) for b in ax.containers[U]] == [0, 1, 1, 1, 0]
    assert [float(b.get_height()) for b in ax.containers[M]] == [0, 0, 0, 0, 3]
    assert [float(b.get_y()) for b in ax.containers[M]] == [0, 1, 1, 1, 0]   # stacked on U
    assert legend_labels(ax) == ["Unmovable", "Movable"]


# ----------------------------------------------------------------- memmap
def test_memory_map_fresh_tiny_machine():
    """Four order-4 Movable boxes, eight Movable pageblock bands, one strip, no aggregation."""
    ax = bp.plot_memory_map(tiny().zone_snapshot(0, "DMA"))
    assert gids(ax, "free") == ["free 0 4 1", "free 16 4 1", "free 32 4 1", "free 48 4 1"]
    for p in ax.patches:
        if p.get_gid().startswith("free"):
            assert p.get_facecolor() == to_rgba(bp.MIGRATETYPE_COLORS[M])
            assert p.get_hatch() == bp.MIGRATETYPE_HATCHES[M]
            assert p.get_width() == 16
    assert len(gids(ax, "pageblock")) == 8
    bounds = [c for c in ax.collections if c.get_gid() == "pageblock boundaries"]
    assert len(bounds) == 1 and len(bounds[0].get_segments()) == 8
    assert "pfns 0-63" in ax.get_title() and "cell" not in ax.get_title()
    assert legend_labels(ax) == ["Movable"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert sorted(t.get_text() for t in ax.texts if t.get_gid().startswith("label")) == \
        ["o4 pfn 0", "o4 pfn 16", "o4 pfn 32", "o4 pfn 48"]


def test_memory_map_after_split_and_fallback():
    """Order-1 GFP_KERNEL: 48 allocated, 50/52/56 free Unmovable, pageblocks 48 and 56 claimed."""
    m = tiny()
    m.alloc_pages(bl.GFP_KERNEL, 1)
    ax = bp.plot_memory_map(m.zone_snapshot(0, "DMA"))
    assert gids(ax, "free") == ["free 0 4 1", "free 16 4 1", "free 32 4 1",
                                "free 50 1 0", "free 52 2 0", "free 56 3 0"]
    (alloc,) = [p for p in ax.patches if p.get_gid().startswith("allocated")]
    assert alloc.get_gid() == "allocated 48 1 0"
    assert alloc.get_width() == 2
    assert alloc.get_hatch() == bp.MIGRATETYPE_HATCHES[U]
    assert alloc.get_edgecolor() == to_rgba(bp.MIGRATETYPE_COLORS[U])
    assert alloc.get_facecolor() == to_rgba(bp.STATE_COLORS["allocated"])
    bands = {g: p for g, p in ((p.get_gid(), p) for p in ax.patches) if g.startswith("pageblock")}
    assert set(bands) == {"pageblock %d %d" % (pfn, U if pfn >= 48 else M)
                          for pfn in range(0, 64, 8)}
    assert bands["pageblock 56 0"].get_facecolor() == to_rgba(bp.MIGRATETYPE_COLORS[U])
    assert legend_labels(ax) == ["Unmovable", "Movable", "allocated (hatch = its migrate type)"]


def test_memmap_text_after_split():
    """One char per page: U head letters, '.' tails, '#' allocated, '|' at pageblocks."""
    m = tiny()
    m.alloc_pages(bl.GFP_KERNEL, 1)
    assert bp.memmap_text(m.zone_snapshot(0, "DMA"), width=32) == (
        " 0 M.......|........|M.......|........\n"
        "32 M.......|........|##U.U...|U.......")
    assert bp.memmap_text(m.zone_snapshot(0, "DMA"), width=16, pageblocks=False,
                          pfns=False).splitlines()[3] == "##U.U...U......."


def test_memory_map_marks_pcp_pages():
    """One order-0 GFP_KERNEL alloc refills batch = 7 pages and takes one: 6 stay on the pcp."""
    m = bl.Machine(cpus_per_node=1)                 # Normal: 28672 pages, batch 7, high 42
    page = m.alloc_page(bl.GFP_KERNEL)
    z = m.zone_snapshot(0, "Normal")
    assert bp.memmap_text(z, width=1024).count("p") == 6
    ax = bp.plot_memory_map(z, width=1024, max_rows=28)
    pcp = [p for p in ax.patches if p.get_gid().startswith("pcp")]
    assert len(pcp) == 6
    assert all(p.get_facecolor() == to_rgba(bp.STATE_COLORS["pcp"]) for p in pcp)
    assert gids(ax, "allocated") == ["allocated %d 0 0" % page.pfn]
    assert "on a pcp list" in legend_labels(ax)


def test_memory_map_aggregates_a_real_zone():
    """28672 pfns in 64-wide rows, at most 48 rows: 2^4 pages a cell, said in the title."""
    ax = bp.plot_memory_map(bl.Machine().zone_snapshot(0, "Normal"))
    assert "1 cell = 16 pages" in ax.get_title()
    assert len(ax.images) == 1
    assert len(gids(ax, "free")) == 28             # 28 order-10 blocks, still one box each
    assert ax.get_ylim() == (28, 0)
    k, base, rows, cells = bp.memmap_cells(bl.Machine().zone_snapshot(0, "Normal"),
                                           width=64, max_rows=448)
    assert (k, base, rows) == (0, 4096, 448)


def band_boxes(ax):
    """The aggregated pageblock band: [(row, x, width, colour)] of its one PolyCollection."""
    (coll,) = [c for c in ax.collections if c.get_gid() == "pageblock bands"]
    out = []
    for path, colour in zip(coll.get_paths(), coll.get_facecolors()):
        xs, ys = path.vertices[:, 0], path.vertices[:, 1]
        out.append((int(ys.min()), float(xs.min()), float(xs.max() - xs.min()), tuple(colour)))
    return sorted(out)


def test_memory_map_cells_of_whole_pageblocks_one_band_collection():
    """4096 pages in 4 rows of 16 cells: 1 cell = 64 pages = 8 pageblocks of 8, so the band is
    one collection, a Movable box per row after boot, and no patch per pageblock."""
    m = bl.Machine(nodes=[{"DMA": 4096}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    ax = bp.plot_memory_map(m.zone_snapshot(0, "DMA"), width=16, max_rows=4)
    assert "1 cell = 64 pages" in ax.get_title()
    assert gids(ax, "pageblock") == [] and gids(ax, "free") == []   # order-4 blocks < 1 cell
    movable = to_rgba(bp.MIGRATETYPE_COLORS[M])
    assert band_boxes(ax) == [(r, 0.0, 16.0, movable) for r in range(4)]
    assert legend_labels(ax) == ["Movable"]


def test_memory_map_band_shows_each_cells_dominant_pageblock_type():
    """Cell 0: 3 Unmovable + 5 Movable pageblocks -> Movable; cell 1: 5 Unmovable -> Unmovable;
    cell 2: 4 Reclaimable + 4 Unmovable, a tie -> the lower index, Unmovable; the rest Movable:
    row 0 is the runs M (1 cell), U (2 cells), M (13 cells)."""
    import dataclasses
    from buddylab.mmzone import MIGRATE_RECLAIMABLE as R
    m = bl.Machine(nodes=[{"DMA": 4096}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    z = m.zone_snapshot(0, "DMA")
    types = [U] * 3 + [M] * 5 + [U] * 5 + [M] * 3 + [R] * 4 + [U] * 4
    types += [M] * (512 - len(types))
    z = dataclasses.replace(z, pageblock_mt=tuple((8 * i, t) for i, t in enumerate(types)))
    ax = bp.plot_memory_map(z, width=16, max_rows=4)
    colour = {t: to_rgba(bp.MIGRATETYPE_COLORS[t]) for t in (U, M)}
    assert [b for b in band_boxes(ax) if b[0] == 0] == [
        (0, 0.0, 1.0, colour[M]), (0, 1.0, 2.0, colour[U]), (0, 3.0, 13.0, colour[M])]
    assert legend_labels(ax) == ["Unmovable", "Movable"]      # Reclaimable dominates no cell


def test_memory_map_many_free_blocks_outlined_by_one_collection():
    """8192 pages, 16 rows of 64 cells of 8 pages: the 512 free order-4 blocks (2 cells each)
    are more than MAX_BOX_PATCHES, so they are one PolyCollection of 512 boxes, not patches."""
    m = bl.Machine(nodes=[{"DMA": 8192}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    ax = bp.plot_memory_map(m.zone_snapshot(0, "DMA"), width=64, max_rows=16)
    assert "1 cell = 8 pages" in ax.get_title()
    assert 512 > bp.memmap.MAX_BOX_PATCHES and gids(ax, "free") == []
    (boxes,) = [c for c in ax.collections if c.get_gid() == "free blocks"]
    widths = {float(np.ptp(p.vertices[:, 0])) for p in boxes.get_paths()}
    assert len(boxes.get_paths()) == 512 and widths == {2.0}
    assert len(band_boxes(ax)) == 16                              # one Movable run per row


def test_memory_map_reserved_and_holes():
    """A zone with 8 reserved pages at its start and a 16-page hole at its end shows both."""
    m = bl.Machine(nodes=[{"DMA": {"spanned": 64, "present": 48, "managed": 40}}],
                   cpus_per_node=1, max_order=5, pageblock_order=3, min_free_kbytes=0)
    z = m.zone_snapshot(0, "DMA")
    ax = bp.plot_memory_map(z)
    assert gids(ax, "reserved") == ["reserved"]
    assert gids(ax, "hole") == ["hole"]
    text = bp.memmap_text(z, width=64, pageblocks=False, pfns=False)
    assert text.startswith("r" * 8) and text.endswith(" " * 16)


# ------------------------------------------------------------- split/merge
def test_split_merge_expand_panels():
    """Order-0 movable alloc from an order-4 block: rmqueue + 4 splits = 5 panels."""
    m = tiny()
    t = m.start_trace()
    m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)
    m.stop_trace()
    axes = bp.plot_split_merge(t)
    assert len(axes) == 5
    assert gids(axes[-1], "") == sorted(
        ["split 48 4", "split 48 3", "split 48 2", "split 48 1", "allocated 48 0",
         "free 56 3", "free 52 2", "free 50 1", "free 49 0"])
    assert gids(axes[0], "") == ["taken 48 4"]
    free = [p for p in axes[-1].patches if p.get_gid().startswith("free")]
    assert all(p.get_facecolor() == to_rgba(bp.MIGRATETYPE_COLORS[M]) for p in free)
    assert "expand()" in axes[0].figure._suptitle.get_text()
    assert "56 = 48 ^ (1 << 3)" in " ".join(t.get_text() for t in axes[1].texts)


def test_split_merge_free_panels_and_single_axes():
    """Freeing pfn 48 merges with 49, 50, 52, 56 and places order 4: 5 panels; one Axes = last."""
    m = tiny()
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)
    t = m.start_trace()
    m.free_pages(page, 0)                 # high = 0 on this tiny zone: drained at once
    m.stop_trace()
    assert [k for k, _ in bp.split_merge_groups(t)] == ["free"]
    axes = bp.plot_split_merge(t)
    assert len(axes) == 5
    assert "placed 48 4" in gids(axes[-1], "placed")
    assert gids(axes[-1], "buddy") == ["buddy 49 0", "buddy 50 1", "buddy 52 2", "buddy 56 3"]
    fig, ax = plt.subplots()
    assert bp.plot_split_merge(t, ax=ax) == [ax]
    assert gids(ax, "placed") == ["placed 48 4"]


# ---------------------------------------------------------------- fallback
def test_fallback_claim_changes_pageblock():
    """GFP_KERNEL on the fresh machine raids Movable order 4 and claims pageblocks 48 and 56."""
    m = tiny()
    before = m.zone_snapshot(0, "DMA")
    t = m.start_trace()
    m.alloc_pages(bl.GFP_KERNEL, 0)
    m.stop_trace()
    a, b = bp.plot_fallback(t, before, m.zone_snapshot(0, "DMA"))
    (raided,) = [p for p in a.patches if p.get_gid() == "raided"]
    assert (raided.get_x(), raided.get_y()) == (4, 2)   # order 4, row 2 = Movable (fallback 2)
    assert any(t.get_text() == "claim pfn 48" for t in a.texts)
    (changed,) = [p for p in b.patches if p.get_gid() == "changed"]
    assert changed.get_facecolor() == to_rgba(bp.MIGRATETYPE_COLORS[U])
    assert "Movable -> Unmovable" in b.get_title() and "claimed" in b.get_title()
    assert len([p for p in b.patches if p.get_gid().startswith("pageblock before")]) == 8


# --------------------------------------------------------------------- pcp
def test_pcp_timeline_refills_and_drains():
    """50 allocs then 50 frees with batch 7, high 42: 8 refills, 3 drains, 35 pages left."""
    m = bl.Machine(cpus_per_node=1)
    t = m.start_trace()
    pages = [m.alloc_page(bl.GFP_KERNEL) for _ in range(50)]
    for p in pages:
        m.free_page(p)
    m.stop_trace()
    tl = bp.pcp_timeline(t)
    assert len(tl["refills"]) == 8 and all(n == 7 for _, n in tl["refills"])
    assert [n for _, n in tl["drains"]] == [7, 7, 7]
    assert tl["count"][:3] == [0, 7, 6]
    assert tl["count"][-1] == 35 and tl["lists"][U][-1] == 35
    assert all(sum(tl["lists"][mt][i] for mt in range(3)) == c for i, c in enumerate(tl["count"]))
    ax = bp.plot_pcp_timeline(t, snap=m.zone_snapshot(0, "Normal"), seed=1)
    labels = legend_labels(ax)
    assert labels[:4] == ["count", "Unmovable list", "Movable list", "Reclaimable list"]
    assert "high = 42" in labels and "batch = 7" in labels
    assert "refill (rmqueue_bulk)" in labels and "drain (free_pcppages_bulk)" in labels
    assert ax.get_lines()[1].get_color() == bp.MIGRATETYPE_COLORS[U]
    assert "8 refills, 3 drains" in ax.get_title()


# ---------------------------------------------------------------- zonelist
def test_zonelists_two_nodes():
    """Each node walks its own zone first, then the other node's."""
    m = bl.Machine(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=1, max_order=5,
                   pageblock_order=3, min_free_kbytes=0)
    ax = bp.plot_zonelists(m)
    assert [p.get_gid() for p in ax.patches] == [
        "zoneref 0 0 0 DMA", "zoneref 0 1 1 Normal", "zoneref 1 0 1 Normal", "zoneref 1 1 0 DMA"]
    hatched = [p.get_gid() for p in ax.patches if p.get_hatch()]
    assert hatched == ["zoneref 0 1 1 Normal", "zoneref 1 1 0 DMA"]
    ax2 = bp.plot_zonelists({0: [(0, "Normal"), (0, "DMA")]})
    assert len(ax2.patches) == 2


def test_zonelist_walk_and_watermarks():
    """GFP_DMA may only use DMA: one step; the default machine has two populated zones."""
    m = bl.Machine()
    t = m.start_trace(kinds=["zonelist_step"])
    m.alloc_pages(bl.GFP_DMA, 0)
    m.stop_trace()
    ax = bp.plot_zonelist_walk(t)
    assert [p.get_gid() for p in ax.patches] == ["step 0 ok"]
    assert [l.get_text() for l in ax.get_yticklabels()] == ["node 0 DMA"]
    ax = bp.plot_watermarks(m.snapshot(), order=3)
    assert gids(ax, "free") == ["free 0 DMA", "free 0 Normal"]
    assert gids(ax, "usable") == ["usable 0 DMA", "usable 0 Normal"]
    # DMA keeps lowmem_reserve[Normal] = 112 pages above its high watermark
    (res,) = [p for p in ax.patches if p.get_gid() == "reserve 0 DMA"]
    assert res.get_height() == 112
    assert len([l for l in ax.get_lines()]) == 6           # min, low, high per zone


# ------------------------------------------------------------ conventions
def test_given_axes_are_used_and_returned():
    """ax=... is drawn on and returned, no new figure is made."""
    fig, ax = plt.subplots()
    n = len(plt.get_fignums())
    z = tiny().zone_snapshot(0, "DMA")
    assert bp.plot_memory_map(z, ax=ax) is ax
    assert bp.plot_free_area(z, ax=ax) is ax
    assert len(plt.get_fignums()) == n


def test_import_buddylab_without_matplotlib_or_ipywidgets():
    """The model imports and runs with matplotlib and ipywidgets unavailable."""
    code = ("import sys; sys.modules['matplotlib'] = None; sys.modules['ipywidgets'] = None\n"
            "import buddylab as bl\n"
            "m = bl.Machine(); p = m.alloc_pages(bl.GFP_KERNEL, 2); m.free_pages(p, 2); m.check()\n"
            "print(sorted(k for k in sys.modules if k.startswith(('matplotlib.', 'ipywidgets.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_import_plot_does_not_touch_rcparams():
    """Importing buddylab.plot and buddylab.widgets leaves every rcParam as it was."""
    code = ("import matplotlib; matplotlib.use('Agg'); before = dict(matplotlib.rcParams)\n"
            "import buddylab.plot, buddylab.widgets\n"
            "print(before == dict(matplotlib.rcParams))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


# One build of every suite figure serves four tests (it is the costliest step of `make test`):
# a fresh `python -m buddylab.plot.figures` run that also measures each figure's smallest text
# as Lab shows it, just before the figure is saved, and keeps what each experiment it runs
# returned (chapter 06's antifrag and tail runs, which tests/test_experiments.py would
# otherwise run a second time for their claims).
_FIGURES_RUN = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
from buddylab import experiments
from buddylab.plot import figures
from helpers import displayed_font_sizes
build_all, smallest, runs = figures.build_all, {}, {}
def build_and_measure():
    out = build_all()
    for name, fig in out:
        sizes = displayed_font_sizes(fig)
        smallest[name] = [round(min(sizes)[0], 2), min(sizes)[1][:30]] if sizes else None
    return out
experiment_run = experiments.run
def run_and_keep(name, **params):
    result = experiment_run(name, **params)
    runs[name] = dict(params, result=result)
    return result
figures.build_all, experiments.run = build_and_measure, run_and_keep
figures.main(["--out", sys.argv[1]])
print(json.dumps(dict(smallest=smallest, runs=runs)))
"""


@pytest.fixture(scope="module")
def figures_run(tmp_path_factory):
    """(output folder, {figure name: [smallest displayed pt, its text]}, {experiment name:
    its parameters and result}) of one fresh run."""
    out = tmp_path_factory.mktemp("figures")
    run = subprocess.run([sys.executable, "-c", _FIGURES_RUN, str(out), os.path.join(ROOT, "tests")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    kept = json.loads(run.stdout.splitlines()[-1])
    return out, kept["smallest"], kept["runs"]


def test_figures_are_byte_identical_run_to_run(figures_run):
    """A fresh `python -m buddylab.plot.figures` gives, byte for byte, the PNGs of an earlier
    run: the committed figures/ (so they are also up to date with the code)."""
    out, _, _ = figures_run
    made = {str(f.relative_to(out)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(out.rglob("*.png"))}
    figures = Path(ROOT) / "figures"
    committed = {str(f.relative_to(figures)): hashlib.sha256(f.read_bytes()).hexdigest()
                 for f in sorted(figures.rglob("*.png"))}
    assert len(made) >= 20
    stale = sorted(name for name in made.keys() | committed.keys()
                   if made.get(name) != committed.get(name))
    assert not stale, "figures/ differs from a fresh run (make figures): %s" % stale
    # a thumbnail per figure, small enough for the README's chapter map
    from PIL import Image
    for name in made:
        if not name.startswith("thumbs/"):
            with Image.open(out / "thumbs" / name) as im:
                assert im.size[0] <= 320 and im.size[1] <= 150, (name, im.size)


# -------------------------------------------------------------- readable at the size Lab shows
from helpers import LAB_WIDTH_PX, MIN_DISPLAYED_PT, displayed_font_sizes      # noqa: E402


def test_displayed_font_size_measure():
    """A 20-inch figure (2000 px) is halved in Lab: 12 pt text shows as about 5.8 pt."""
    fig = plt.figure(figsize=(20, 2))
    fig.text(0.0, 0.5, "x" * 10, fontsize=12)
    fig.text(0.99, 0.5, "y", fontsize=12)
    sizes = displayed_font_sizes(fig)
    assert all(s == pytest.approx(12 * LAB_WIDTH_PX / 2000, rel=0.05) for s, _ in sizes)


def test_every_suite_figure_readable_in_lab(figures_run):
    """Every figure `make figures` writes shows no text under 8 pt at Lab's width."""
    _, smallest, _ = figures_run
    assert smallest and all(smallest.values()), smallest
    small = [(name, pt, text) for name, (pt, text) in smallest.items() if pt < MIN_DISPLAYED_PT]
    assert not small, small


def test_realistic_memory_map_labels_do_not_overlap():
    """The scaled map of a busy Normal zone (the figure of chapter 01): no two block labels
    overlap once drawn, and every label is at least 8 pt."""
    from buddylab.plot.figures import random_workload
    big = bl.Machine()
    random_workload(big, seed=3, nr_ops=400, max_order=4)
    ax = bp.plot_memory_map(big.zone_snapshot(0, "Normal"), width=128)     # as chapter 01
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts
             if (t.get_gid() or "").startswith("label")]
    assert boxes
    assert all(t.get_fontsize() >= 8 for t in ax.texts)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)


def test_every_figure_names_its_data_helper():
    """Each plot_* of buddylab.plot has a row in the package docstring's table naming at least
    one helper of buddylab.plot that returns its data as a table (rows of plain values)."""
    import re
    table = bp.__doc__.split("====\n", 2)[2]
    rows = {}
    name = None
    for line in table.splitlines():
        m = re.match(r"(plot_\w+)(?:\(_pair\))?\s+(.*)", line)
        if m:
            name = m.group(1)
            rows[name] = m.group(2)
        elif name and line.startswith(" " * 10):
            rows[name] += " " + line.strip()
    plots = [n for n in bp.__all__ if n.startswith("plot_") and n != "plot_free_area_pair"]
    for p in plots:
        assert p in rows, "%s has no row in buddylab.plot's table" % p
        helpers = [h for h in re.findall(r"(\w+)\(", rows[p]) if h in bp.__all__]
        assert helpers and all(callable(getattr(bp, h)) for h in helpers), (p, rows[p])


def test_fallback_and_zonelist_tables():
    """The data of plot_fallback and plot_zonelists, worked by hand: on the 64-page machine an
    Unmovable order-0 request finds its own list and Reclaimable empty and claims the head
    order-4 Movable block (__rmqueue_fallback() searches from the largest order;
    mm/page_alloc.c, v4.18), pfns 48-63, the head of free_list[Movable]; an order-4 block
    spans two 8-page pageblocks and steal_suitable_fallback() retypes both
    (change_pageblock_range() when the order is >= pageblock_order)."""
    m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    before = m.zone_snapshot(0, "DMA")
    t = m.start_trace()
    m.alloc_pages(bl.GFP_KERNEL, 0)
    m.stop_trace()
    rows = bp.fallback_rows(t, before)
    assert [r[:2] for r in rows[::5]] == [("Unmovable", "own"), ("Reclaimable", "fallback 1"),
                                          ("Movable", "fallback 2")]
    assert [r for r in rows if r[3] or r[4]] == [("Movable", "fallback 2", 4, 4, "claim")]
    changed = [r for r in bp.fallback_pageblock_rows(t, before, m.zone_snapshot(0, "DMA"))
               if r[1] != r[2]]
    assert changed == [(48, "Movable", "Unmovable"), (56, "Movable", "Unmovable")]
    two = bl.Machine(nodes=[{"DMA": 64}, {"Normal": 64}], cpus_per_node=1, max_order=5,
                     pageblock_order=3, min_free_kbytes=0)
    assert bp.zonelist_rows(two) == [(0, 0, 0, "DMA"), (0, 1, 1, "Normal"),
                                     (1, 0, 1, "Normal"), (1, 1, 0, "DMA")]


# ------------------------------------------------ chapter 06's experiments, as the figures ran them
def _experiment(figures_run, name):
    """The figures run's `name` experiment: seed 0 at size tiny, as chapter 06 runs it."""
    run = figures_run[2][name]
    assert (run["seed"], run["size"]) == (0, "tiny")
    return run["result"]


def test_antifrag_grouping_helps(figures_run):
    """Grouping by mobility: once page cache is dropped, most pageblocks come back whole with
    grouping and few without, for every seed (min with grouping above max without).
    Kernel: __rmqueue_fallback() and set_pageblock_migratetype() in mm/page_alloc.c, v4.18
    (page_group_by_mobility_disabled makes every pageblock UNMOVABLE), drop_caches in
    fs/drop_caches.c.  (tests/test_experiments.py checks that a seed gives the same rows.)"""
    r = _experiment(figures_run, "antifrag")
    rows = {(x["grouping"], x["compaction"]): x for x in r["rows"]}
    on, off = rows[True, False]["percent_after_drop"], rows[False, False]["percent_after_drop"]
    assert on["min"] > 4 * max(1.0, off["max"]) and on["min"] > 40
    # with compaction, grouping wins even before the caches are dropped
    assert rows[True, True]["percent"]["min"] > 4 * max(1.0, rows[False, True]["percent"]["max"])
    assert rows[False, False]["mixed_pageblocks"]["min"] > rows[True, False]["mixed_pageblocks"]["max"]


def test_tail_placement_keeps_order_1_churn_two_orders_up(figures_run):
    """Order-1 churn (no pcp in the way: order 1 never uses them): tail placement keeps more
    free memory in blocks of order 3 and up, for every seed (order 0:
    tests/test_experiments.py).
    Kernel: __free_one_page() in mm/page_alloc.c, v4.18 (a block that could not merge goes to
    the list tail when the buddy of its next-larger block is free; __rmqueue_smallest()
    takes from the head)."""
    r = _experiment(figures_run, "tail")
    assert r["params"]["order"] == 1
    on, off = r["rows"]
    assert on["tail_placement"] and not off["tail_placement"]
    assert on["ge3"]["min"] > 1.5 * off["ge3"]["max"]
    assert on["tail_placed"]["min"] > 0 and off["tail_placed"]["max"] == 0
