"""The plot functions and widgets on a modern (v6.18) machine: four watermarks, claim/steal.

Worked by hand on the 64-page teaching machine with the modern kernel (MAX_PAGE_ORDER 4,
pageblock_order 3): boot frees the four order-4 blocks with FPI_TO_TAIL in ascending pfn
order, so free_list[4][Movable] = [0, 16, 32, 48] (mm/page_alloc.c, __free_pages_core() and
__free_one_page(), v6.18).  A GFP_KERNEL (Unmovable) order-0 request finds no Unmovable page;
__rmqueue_claim() looks from the largest order down and try_to_claim_block() claims the
order-4 block at the head, pfn 0, whole: its two pageblocks 0 and 8 become Unmovable
(mm/page_alloc.c, __rmqueue_claim(), try_to_claim_block(), v6.18).
"""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import buddylab as bl                                      # noqa: E402
import buddylab.plot as bp                                 # noqa: E402


def tiny(**kw):
    return bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                      min_free_kbytes=0, kernel="modern", **kw)


def claim_trace():
    m = tiny()
    before = m.zone_snapshot(0, "DMA")
    t = m.start_trace()
    m.alloc_pages(m.kernel.gfp.GFP_KERNEL, 0)
    t = m.stop_trace()
    return m, t, before, m.zone_snapshot(0, "DMA")


def test_fallback_rows_read_a_v618_claim():
    m, t, before, after = claim_trace()
    assert [r for r in bp.fallback_rows(t, before) if r[3] or r[4]] == [
        ("Movable", "fallback 2", 4, 4, "claim")]
    assert bp.fallback_pageblock_rows(t, before, after) == [
        (0, "Movable", "Unmovable"), (8, "Movable", "Unmovable"), (16, "Movable", "Movable"),
        (24, "Movable", "Movable"), (32, "Movable", "Movable"), (40, "Movable", "Movable"),
        (48, "Movable", "Movable"), (56, "Movable", "Movable")]
    a, b = bp.plot_fallback(t, before, after)
    assert a.get_title().startswith("__rmqueue_claim(): a Unmovable request raids "
                                    "free_list[Movable] order 4")
    assert "claimed, 16 free + 0 alike pages" in b.get_title()
    matplotlib.pyplot.close("all")


def test_plot_fallback_reads_a_v618_steal():
    """Every page Movable and allocated but pfn 20 (order 0, free): a GFP_KERNEL order-0
    request tries to claim pageblock 16 (Unmovable may always try: should_try_claim_block()),
    but 1 free + 0 alike pages is not half of the 8-page block, so try_to_claim_block() gives
    up and __rmqueue_steal() takes pfn 20; the pageblock stays Movable (mm/page_alloc.c,
    should_try_claim_block(), try_to_claim_block(), __rmqueue_steal(), v6.18)."""
    m = tiny()
    g = m.kernel.gfp
    held = [m.alloc_pages(g.GFP_HIGHUSER_MOVABLE, 0) for _ in range(64)]
    m.free_pages(held[20], 0)
    m.drain_all_pages()
    before = m.zone_snapshot(0, "DMA")
    t = m.start_trace()
    assert m.alloc_pages(g.GFP_KERNEL, 0).pfn == 20
    t = m.stop_trace()
    rows = bp.fallback_rows(t, before)
    assert [r for r in rows if r[4]] == [("Movable", "fallback 2", 0, 1, "steal")]
    assert bp.fallback_pageblock_rows(t, before, m.zone_snapshot(0, "DMA"))[2] == (
        16, "Movable", "Movable")
    a, b = bp.plot_fallback(t, before, m.zone_snapshot(0, "DMA"))
    assert a.get_title().startswith("__rmqueue_steal(): a Unmovable request raids "
                                    "free_list[Movable] order 0")
    assert "searched from the request's order" in a.get_xlabel()
    assert b.get_title().startswith("pageblock 16: type unchanged (Movable)")
    matplotlib.pyplot.close("all")


def test_watermark_rows_and_plot_carry_the_promo_mark():
    """v6.18 has four watermarks (min, low, high, promo; include/linux/mmzone.h, enum
    zone_watermarks, v6.18): the row holds all four, then lowmem_reserve and the usable pages.
    min_free_kbytes 0: every mark is 0."""
    m = tiny()
    assert bp.watermark_rows(m.snapshot(), order=4) == [(0, "DMA", 64, 0, 0, 0, 0, 0, 64)]
    ax = bp.plot_watermarks(m.snapshot())
    labels = [ln.get_label() for ln in ax.get_lines() if ln.get_label().startswith("watermark")]
    assert labels == ["watermark min", "watermark low", "watermark high", "watermark promo"]
    matplotlib.pyplot.close("all")


def test_classic_watermark_rows_keep_three_marks():
    m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                   min_free_kbytes=0)
    assert bp.watermark_rows(m.snapshot(), order=4) == [(0, "DMA", 64, 0, 0, 0, 0, 64)]


def test_every_snapshot_figure_draws_a_modern_machine():
    m, t, before, after = claim_trace()
    z = m.zone_snapshot(0, "DMA")
    assert len(z.pcp[0].lists) == 14          # NR_PCP_LISTS, include/linux/mmzone.h, v6.18
    assert "free_area[4].nr_free = 3   free_list[Movable]: 16 32 48" in bp.free_area_text(z)
    bp.plot_free_area(z)
    bp.plot_free_area_pair(z)
    bp.plot_memory_map(z)
    g = m.kernel.gfp
    t2 = m.start_trace()
    m.free_pages(m.alloc_pages(g.GFP_HIGHUSER_MOVABLE, 2), 2)
    bp.plot_split_merge(m.stop_trace())
    bp.plot_pcp_timeline(t)
    bp.plot_zonelists(m, gfp_mask=m.kernel.gfp.GFP_KERNEL)
    bp.plot_zonelist_walk(t)
    matplotlib.pyplot.close("all")


def test_pcp_explorer_pins_high_on_a_modern_machine():
    """With high_min = high_max = high the v6.18 pcp list does not auto-tune (mm/page_alloc.c,
    nr_pcp_high(), v6.18: high_min == high_max returns high_max; nr_pcp_alloc() scales batch
    only while high_min != high_max).  10 allocations with batch 7: 2 refills, count 4.  The
    10 frees raise count 5, 6, ...; at count 10 (free 6, free_count 6) nr_pcp_free() returns
    clamp(free_count, batch, high - batch) = min(max(6, 7), 3) = 3 pages (mm/page_alloc.c,
    nr_pcp_free(), v6.18): count 7; free 9 reaches 10 again, 3 more: 2 drains (classic drains
    batch 7 once)."""
    pytest.importorskip("ipywidgets")
    from buddylab.widgets import PcpExplorer
    work = [("alloc",)] * 10 + [("free", 0)] * 10
    w = PcpExplorer(machine_factory=lambda: bl.Machine(cpus_per_node=1, kernel="modern"),
                    workload=work, batch=7, high=10)
    pcp = w.machine.zone(0, "Normal").pageset[0]
    assert (pcp.high_min, pcp.high_max) == (10, 10)
    assert w.label.value.startswith("batch 7, high 10: 2 refills, 2 drains")
    matplotlib.pyplot.close("all")
