"""Tests of buddylab/widgets without a browser: set values, click, read figures and labels.

Outside a kernel ipywidgets uses a dummy comm: setting ``.value`` runs the
observers at once and ``Button.click()`` runs the handlers.
Expected values are worked by hand on the 64-page teaching machine (four
order-4 Movable blocks; the head of free_list[Movable] is pfn 48).
"""

import os

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pytest.importorskip("ipywidgets")

import buddylab as bl                                      # noqa: E402
from buddylab.widgets import (TraceStepper, trace_player, AllocFreeExplorer, FreeAreaExplorer,  # noqa: E402
                              PcpExplorer, GFP_CHOICES)


def tiny():
    return bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
                      min_free_kbytes=0)


def gids(ax, prefix):
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith(prefix))


def stepper():
    m = tiny()
    t = m.start_trace()
    p = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 2)
    m.free_pages(p, 2)
    m.stop_trace()
    return TraceStepper(t, kinds=["rmqueue", "split", "merge", "place"])


def test_stepper_steps_through_split_then_merge():
    """rmqueue, 2 splits, 2 merges, place: 6 steps; next/prev/slider move and relabel."""
    w = stepper()
    assert [e.name for e in w.events] == ["rmqueue", "split", "split", "merge", "merge", "place"]
    assert w.op_of_event == [0, 0, 0, 1, 1, 1]
    assert (w.slider.min, w.slider.max, w.play.max) == (0, 5, 5)
    assert w.label.value == ("__rmqueue_smallest(): order-4 block at pfn 48 taken from the head "
                             "of free_list[Movable]")
    w.prev.click()
    assert w.step == 0                                   # clamped at the first event
    w.next.click()
    assert w.step == 1
    assert w.label.value == ("expand(): order-4 block at pfn 48 split; upper half pfn 56 -> head "
                             "of free_list[Movable] order 3")
    # after call 1 the zone holds the allocation at 48 and free 52 (o2), 56 (o3)
    assert gids(w.ax_map, "allocated") == ["allocated 48 2 1"]
    assert gids(w.ax_map, "free") == ["free 0 4 1", "free 16 4 1", "free 32 4 1",
                                      "free 52 2 1", "free 56 3 1"]
    (hl,) = [p for p in w.ax_map.patches if p.get_gid() == "highlight"]
    assert (hl.get_x(), hl.get_width()) == (56, 8)        # the upper half of the split
    w.slider.value = 5
    assert w.label.value == ("__free_one_page(): order-4 block at pfn 48 -> head of "
                             "free_list[Movable]")
    assert gids(w.ax_map, "allocated") == []
    assert gids(w.ax_map, "free") == ["free 0 4 1", "free 16 4 1", "free 32 4 1", "free 48 4 1"]
    assert "event 6/6" in w.ax_map.get_title()
    w.next.click()
    assert w.step == 5                                   # clamped at the last event
    w.play.value = 3
    assert w.slider.value == 3 and w.events[w.step].name == "merge"


def test_stepper_snapshots_and_free_area_panel():
    """A snapshot before and after each call; the free_area panel follows the step."""
    w = stepper()
    assert len(w.snapshots) == 3
    w.slider.value = 2                                   # after the allocation
    assert [float(b.get_height()) for b in w.ax_free.containers[bl.MIGRATE_MOVABLE]] == \
        [0, 0, 1, 1, 3]
    assert trace_player(w.trace).events[0].name != "zonelist_step"


def test_explorer_allocate_and_free():
    """Order 2 movable: pfn 48 after two splits; freeing it merges twice back to order 4."""
    w = AllocFreeExplorer(tiny())
    assert [label for label, _ in GFP_CHOICES][0] == "GFP_KERNEL"
    w.order.value = 2
    w.gfp.label = "GFP_HIGHUSER_MOVABLE"
    w.allocate.click()
    assert w.label.value == ("alloc_pages(GFP_HIGHUSER_MOVABLE, order=2) -> pfn 48; expand() "
                             "split 2 times")
    assert gids(w.ax_map, "allocated") == ["allocated 48 2 1"]
    assert gids(w.ax_tree, "allocated") == ["allocated 48 2"]
    assert w.held.options == (("pfn 48, order 2", 0),)
    w.free.click()
    assert w.label.value == ("__free_pages(pfn 48, order=2): merged 2 times, order-4 block at "
                             "pfn 48 -> head of free_list[Movable]")
    assert gids(w.ax_map, "allocated") == []
    assert gids(w.ax_tree, "placed") == ["placed 48 4"]
    assert w.allocations == []
    w.free.click()
    assert w.label.value == "nothing to free"
    w.machine.check()


def test_explorer_reports_failure_and_frees_the_selected_block():
    """Four order-4 blocks exist: the fifth order-4 request returns NULL."""
    w = AllocFreeExplorer(tiny())
    w.order.value = 4
    w.gfp.label = "GFP_HIGHUSER_MOVABLE"
    for _ in range(4):
        w.allocate.click()
    assert [p.pfn for p, _ in w.allocations] == [48, 32, 16, 0]
    with pytest.warns(bl.AllocationWarning):
        w.allocate.click()
    assert "NULL" in w.label.value
    w.held.value = 1                                      # pfn 32
    w.free.click()
    assert w.label.value.startswith("__free_pages(pfn 32, order=4): merged 0 times")
    assert gids(w.ax_map, "free") == ["free 32 4 1"]


def test_free_area_explorer_lists_follow_alloc_and_free():
    """Fresh: four order-4 Movable blocks, list head 48 (boot frees ascending to the head).
    GFP_HIGHUSER_MOVABLE order 1 takes 48 from the head and expand() puts the upper halves
    56 (o3), 52 (o2), 50 (o1) on free_list[Movable] (mm/page_alloc.c, __rmqueue_smallest()
    and expand(), v4.18); freeing merges back to one order-4 block at 48, at the list's head
    (__free_one_page(), v4.18)."""
    w = FreeAreaExplorer(tiny())
    assert "free_area[4].nr_free = 4   free_list[Movable]: 48 32 16 0" in w.lists.value
    assert [float(b.get_height()) for b in w.ax_free.containers[bl.MIGRATE_MOVABLE]] == [0, 0, 0, 0, 4]
    w.order.value = 1
    w.gfp.label = "GFP_HIGHUSER_MOVABLE"
    w.allocate.click()
    lines = w.lists.value.replace("<pre>", "").replace("</pre>", "").splitlines()
    assert lines == ["free_area[0].nr_free = 0",
                     "free_area[1].nr_free = 1   free_list[Movable]: 50",
                     "free_area[2].nr_free = 1   free_list[Movable]: 52",
                     "free_area[3].nr_free = 1   free_list[Movable]: 56",
                     "free_area[4].nr_free = 3   free_list[Movable]: 32 16 0"]
    assert [float(b.get_height()) for b in w.ax_free.containers[bl.MIGRATE_MOVABLE]] == [0, 1, 1, 1, 3]
    assert gids(w.ax_map, "allocated") == ["allocated 48 1 1"]
    w.free.click()
    assert "free_area[4].nr_free = 4   free_list[Movable]: 48 32 16 0" in w.lists.value
    w.machine.check()


def test_free_area_playground_shows_buddyinfo():
    """Without the map: one Axes, and /proc/buddyinfo above the lists (4 blocks of order 4,
    then 3 after an order-4 allocation)."""
    w = FreeAreaExplorer(tiny(), show_map=False)
    assert w.ax_map is None and len(w.fig.axes) == 1
    assert "Node 0, zone      DMA      0      0      0      0      4" in w.lists.value
    w.order.value = 4
    w.allocate.click()
    assert "Node 0, zone      DMA      0      0      0      0      3" in w.lists.value


def test_pcp_explorer_sliders_change_refills_and_drains():
    """10 allocs then 10 frees: batch 7/high 42 -> 2 refills, 0 drains; high 10 -> 1 drain."""
    work = [("alloc",)] * 10 + [("free", 0)] * 10
    w = PcpExplorer(workload=work)
    assert (w.batch.value, w.high.value) == (7, 42)
    assert w.label.value == "batch 7, high 42: 2 refills, 0 drains, 22 pcp events"
    w.high.value = 10          # frees raise the count 4 -> 10: drain 7 -> 3, then 4 more -> 7
    assert w.label.value == "batch 7, high 10: 2 refills, 1 drains, 23 pcp events"
    w.batch.value = 1          # every alloc refills 1; the 10th free reaches high: drain 1
    assert w.label.value == "batch 1, high 10: 10 refills, 1 drains, 31 pcp events"
    labels = [t.get_text() for t in w.ax.get_legend().get_texts()]
    assert "high = 10" in labels and "batch = 1" in labels
    assert "10 refills, 1 drains" in w.ax.get_title()


def test_problem_widget_check_hint_seed_reveal():
    """Boxes per field; Check scores the typed answers; hints step; New seed; Reveal records."""
    from buddylab import reveal
    from buddylab.widgets import ProblemWidget
    reveal.clear()
    w = ProblemWidget("split", ops="+0,+1")           # pfns 56 and 58 (test_problems, by hand)
    assert list(w.boxes) == [k for k, _ in w.problem.fields()]
    assert w.boxes["pfn_op1"].placeholder == "int pfn or None (NULL)"
    assert "-&gt; ?" in w.question.value and "pfn " not in w.question.value
    w.boxes["pfn_op1"].value = "56"
    w.boxes["pfn_op2"].value = "fifty-eight"
    w.check.click()
    assert w.result.nr_right == 1
    assert "pfn_op2: wanted int pfn or None (NULL), got a str" in w.feedback.value
    for key, value in w.problem.answers().items():
        w.boxes[key].value = repr(value)
    reveal.clear()
    w.check.click()
    assert w.result.correct and "correct." in w.feedback.value
    w.next_hint.click()
    assert "hint 1 of" in w.feedback.value
    w.next_hint.click()
    assert "hint 2 of" in w.feedback.value
    assert reveal.revealed() == ()
    w.reveal.click()
    assert reveal.revealed() and "pfn 58" in w.feedback.value


def test_problem_widget_new_seed_loads_a_fresh_problem():
    """New seed moves to seed + 1, with empty boxes and no feedback."""
    from buddylab.widgets import ProblemWidget
    w = ProblemWidget("split", seed=3)
    w.boxes["pfn_op1"].value = "1"
    w.check.click()
    w.new_seed.click()
    assert w.seed.value == 4 and w.problem.seed == 4 and w.feedback.value == ""
    assert all(b.value == "" for b in w.boxes.values())
    assert "<pre" in w.question.value and ">python -m buddylab problem split --seed 4 " in w.question.value
    # JupyterLab styles output <pre> with word-break: break-all; the question must wrap at spaces
    assert "word-break: normal" in w.question.value


def test_problem_widget_any_kind_and_comma_lists():
    """A zonelist problem: a list typed without brackets is read as a list."""
    from buddylab.widgets import ProblemWidget
    from buddylab import reveal
    w = ProblemWidget("zonelist", seed=1)
    key = w.problem.answers()
    reveal.clear()
    w.boxes["highest_zone"].value = key["highest_zone"]
    w.boxes["walk"].value = ", ".join(key["walk"])
    w.check.click()
    assert w.result.correct
    w.boxes["walk"].value = "0:Normal"
    w.check.click()
    assert "walk: " in w.feedback.value and not w.result.correct


def test_ch04_free_slider_window_holds_the_verdict_flip():
    """Chapter 04's free-pages slider spans 0..3 x (high + largest lowmem_reserve), so the
    zone_watermark_ok() verdict (mm/page_alloc.c, __zone_watermark_ok(), v4.18: free >
    mark + lowmem_reserve[classzone]) flips inside it, a few pages a pixel, not ~1000."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "notebooks"))
    import ch04_helpers as h
    m = bl.Machine(nodes=[{"DMA": 4096, "DMA32": 28672}, {"Normal": 32768}], cpus_per_node=1)
    for z in m.zones:
        if not z.managed_pages:
            continue
        top = h.slider_top(z)
        assert top == min(z.managed_pages, 3 * (z.watermark[2] + max(z.lowmem_reserve)))
        assert top <= 1200 < z.managed_pages            # ~400 px slider: <= 3 pages a pixel
        gfp = bl.GFP_DMA if z.name == "DMA" else bl.GFP_KERNEL
        verdict = {f: [r[5] for r in h.walk(m, z.nid, gfp, 0, free={(z.nid, z.name): f})
                       if r[:2] == (z.nid, z.name)] for f in (0, top)}
        assert verdict == {0: [False], top: [True]}, (z.name, verdict)


def test_widget_figures_readable_in_lab():
    """Every figure a widget draws shows no text under 8 pt at Lab's output width, as first
    drawn and after a step (the same rule as the suite's figures, tests/test_plot.py)."""
    from helpers import small_texts
    stp = stepper()
    figures = [("TraceStepper", stp.fig)]
    stp.slider.value = 2
    figures.append(("TraceStepper step 2", stp.fig))
    alloc = AllocFreeExplorer(tiny())
    alloc.allocate.click()
    figures += [("AllocFreeExplorer", alloc.fig), ("FreeAreaExplorer", FreeAreaExplorer(tiny()).fig),
                ("FreeAreaExplorer without map", FreeAreaExplorer(tiny(), show_map=False).fig),
                ("PcpExplorer", PcpExplorer(workload=[("alloc",)] * 10 + [("free", 0)] * 10).fig)]
    small = [s for name, fig in figures for s in small_texts(fig, name)]
    assert not small, small


def test_kernel_pair_explorer_first_pfns_and_lists():
    """The same Movable order-0 request on the fresh 64-page pair: classic pfn 56, modern pfn 0.
    Boot freed the eight order-3 blocks in ascending pfn order: v4.18 to the list head
    (mm/page_alloc.c, __free_pages_boot_core() -> __free_pages(), v4.18), so 56 is the head;
    v6.18 with FPI_TO_TAIL (mm/page_alloc.c, __free_pages_core(), v6.18), so 0 is the head.
    expand() keeps the low page and puts 60, 58, 57 (classic) and 4, 2, 1 (modern) back."""
    from buddylab.widgets import KernelPairExplorer
    w = KernelPairExplorer()
    before = [len(ax.patches) for ax in w.axes]
    w.mt.value = "Movable"
    w.order.value = 0
    w.allocate.click()
    assert w.label.value == "alloc_pages(Movable, order=0): classic -> pfn 56, modern -> pfn 0"
    text = w.text.value
    assert "free_list[Movable]: 48 40 32 24 16 8 0" in text           # classic order 3
    assert "free_list[Movable]: 8 16 24 32 40 48 56" in text           # modern order 3
    assert [len(ax.patches) for ax in w.axes] != before                # the maps were redrawn
    assert [ax.get_title() for ax in w.axes] == ["classic (v4.18)", "modern (v6.18)"]


def test_kernel_pair_explorer_free_tick_and_nothing_to_free():
    """free frees the oldest held allocation on each machine; with nothing held it says so
    and changes nothing; the vmstat tick runs refresh_cpu_vm_stats() on both."""
    from buddylab.widgets import KernelPairExplorer
    w = KernelPairExplorer()
    w.free.click()
    assert w.label.value == "nothing to free"
    w.mt.value = "Unmovable"
    w.order.value = 1
    w.allocate.click()
    w.allocate.click()
    w.free.click()
    assert w.label.value.startswith("__free_pages(order=1): classic pfn ")
    assert [len(h) for h in w.held] == [1, 1]
    w.tick.click()
    assert w.label.value == "refresh_cpu_vm_stats(0) on both"


def test_kernel_pair_explorer_builds_masks_per_profile():
    """Each machine gets the mask from its own GFP bits (v4.18 and v6.18 bits differ)."""
    from buddylab.widgets import kernel_pair, type_mask
    c, m = kernel_pair()
    assert type_mask(c, "Reclaimable") == c.kernel.gfp.GFP_KERNEL | c.kernel.gfp.__GFP_RECLAIMABLE
    assert type_mask(m, "Reclaimable") == m.kernel.gfp.GFP_KERNEL | m.kernel.gfp.__GFP_RECLAIMABLE


def test_kernel_pair_explorer_figure_readable_in_lab():
    from helpers import small_texts
    from buddylab.widgets import KernelPairExplorer
    w = KernelPairExplorer()
    w.allocate.click()
    small = small_texts(w.fig, "KernelPairExplorer")
    assert not small, small


def _frames(make, moves):
    """The pixels (Agg, RGBA) of the widget's figure after each move."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    w = make()
    canvas = FigureCanvasAgg(w.fig)
    out = []
    for move in moves:
        move(w)
        canvas.draw()
        out.append(bytes(canvas.buffer_rgba()))
    return out


def test_redraws_show_what_cleared_axes_and_a_fresh_layout_show(monkeypatch):
    """A redraw removes the artists but keeps the ticks and, for texts around the Axes it has
    laid out before, that layout: each new frame has the pixels ax.clear() and tight_layout()
    give (stepper, explorer), and a state drawn again is the same picture as the first time
    (tight_layout() itself, started from another layout, may move a margin by a pixel)."""
    from buddylab.widgets import _base, explorer, stepper as stepper_mod

    def goto(i):
        return lambda w: setattr(w.slider, "value", i)

    def alloc(order, gfp):
        def move(w):
            w.order.value, w.gfp.label = order, gfp
            w.allocate.click()
        return move
    cases = [(stepper, [goto(5)]),
             (lambda: AllocFreeExplorer(tiny()),
              [alloc(1, "GFP_KERNEL"), lambda w: w.free.click(), alloc(1, "GFP_KERNEL")])]
    fast = [_frames(make, moves) for make, moves in cases]
    monkeypatch.setattr(stepper_mod, "clear_axes", lambda ax: ax.clear())
    monkeypatch.setattr(explorer, "clear_axes", lambda ax: ax.clear())
    monkeypatch.setattr(_base.FigureWidget, "_fit_layout", lambda self: self.fig.tight_layout())
    slow = [_frames(make, moves) for make, moves in cases]
    (step_fast, ex_fast), (step_slow, ex_slow) = fast, slow
    assert step_fast == step_slow
    assert ex_fast[:2] == ex_slow[:2]
    assert ex_fast[2] == ex_fast[0]          # the same allocation again: the same picture
