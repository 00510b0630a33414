"""buddylab/problems: seeded problems, their checks, hints and reveals."""
import re

import pytest

import buddylab as bl
from buddylab import reveal
from buddylab.problems import problem, parse_ops, KINDS


def test_split_answers_worked_by_hand():
    """+0, +1, +0u on the 64-page zone: pfns 56, 58, then GFP_KERNEL falls back to 48."""
    # mm/page_alloc.c, __rmqueue_smallest() + expand(), v4.18: 56 (o3) is split, the lower
    # half kept each time: 56 is returned, 60 (o2), 58 (o1), 57 (o0) go on the lists.
    # The order-1 request takes the head of free_list[Movable][1]: 58.  GFP_KERNEL has no
    # Unmovable block: __rmqueue_fallback() takes the LARGEST Movable block (o3, head 48).
    p = problem("split", ops="+0,+1,+0u")
    assert p.text().count("-> ?") == 3
    a = p.answers()
    assert (a["pfn_op1"], a["pfn_op2"], a["pfn_op3"]) == (56, 58, 48)
    assert "a2 = alloc_pages(GFP_KERNEL, 0) -> pfn 48" in p.text(solved=True)


def test_answers_score_one_and_empty_scores_zero():
    """The key fed back scores 1.0; an empty answer scores 0 with one line per field."""
    p = problem("split", seed=7)
    r = p.check(p.answers())
    assert r.correct and r.score == 1.0 and r.feedback == []
    r = p.check({})
    assert r.score == 0.0 and not r.correct and len(r.feedback) == len(p.fields())


def test_wrong_shape_is_one_line_and_scores_zero():
    """A str for a pfn, an int for a list, a non-dict: one line naming the shape wanted."""
    p = problem("split", ops="+0,+1")
    a = p.answers()
    a["pfn_op1"] = "fifty-six"
    a["free_area[0] Movable"] = 57
    r = p.check(a)
    assert r.score == pytest.approx((len(a) - 2) / len(a))
    assert "pfn_op1: wanted int pfn or None (NULL), got a str" in r.feedback
    assert "free_area[0] Movable: wanted list of pfns, head first, got an int" in r.feedback
    assert all("\n" not in f for f in r.feedback)
    r = p.check([56, 58])
    assert r.score == 0 and "wanted a dict" in r.feedback[0]


def test_feedback_says_where_and_why_never_the_value():
    """op 2 answered 59 (expected 58): the line names op 2, the rule and no 58."""
    p = problem("split", ops="+0,+1")
    a = p.answers()
    a["pfn_op2"] = 59
    r = p.check(a)
    (line,) = r.feedback
    assert line.startswith("pfn_op2: pfn 59 is not a multiple of 2")
    assert "expand()" in line and "58" not in line
    a["pfn_op2"] = 60                     # free, aligned, inside the order-2 block 60
    (line,) = p.check(a).feedback
    assert "58" not in line and "head of the smallest non-empty list" in line


def test_problem_object_does_not_hold_the_key():
    """repr, str and vars of a problem and of a CheckResult show no expected pfn."""
    p = problem("split", ops="+2,+3")       # pfns 48 and 56 (by hand as above); neither in text
    text = p.text()
    r = p.check({"pfn_op1": 0})
    assert str(p) == text
    for shown in (repr(p), str(p), repr(vars(p)), repr(r), str(r)):
        shown = shown.replace(text, "")
        assert "48" not in shown and "56" not in shown


def test_reveals_are_recorded():
    """answers(), explain() and text(solved=True) are reveals; text() and check() are not."""
    reveal.clear()
    p = problem("split", seed=2)
    p.text(), p.check({}), p.hint(), p.fields()
    assert reveal.revealed() == ()
    p.answers(), p.explain(), p.text(solved=True)
    assert reveal.revealed() == (p.command(),) * 3
    reveal.clear()


def test_hints_step_through_rules():
    """hint() gives the next hint, hint(i) the i-th; past the end it points at explain()."""
    p = problem("split", seed=2)
    h1, h2 = p.hint(), p.hint()
    assert h1.startswith("hint 1 of") and "__rmqueue_smallest()" in h1
    assert h2.startswith("hint 2 of") and "expand()" in h2 and p.hint(0) == h1
    assert "no more hints" in p.hint(99)


def test_seeded_problems_are_reproducible_and_echo_their_command():
    """The same seed gives the same text; the first line is the command, which reruns it."""
    assert problem("split", seed=5).text() == problem("split", seed=5).text()
    assert problem("split", seed=5) == problem("split", seed=5) != problem("split", seed=6)
    first = problem("split", seed=5).text().splitlines()[0]
    assert first == ("python -m buddylab problem split --seed 5 --pages 64 --max-order 4 "
                     "--pageblock-order 2 -n 8")
    assert problem(5).text() == problem("split", seed=5).text()          # the old call


def test_bad_parameters_name_the_problem():
    """Unknown kinds, parameters out of range, bad -A lists: one BuddyLabError line each."""
    for kwargs, msg in [(dict(kind="nope"), "unknown problem kind"),
                        (dict(pages=0), "--pages must be between"),
                        (dict(max_order=1), "--max-order must be between"),
                        (dict(pageblock_order=9), "--pageblock-order must be at most"),
                        (dict(pages=62), "multiple of the pageblock size"),
                        (dict(nr_ops=-5), "-n must be between"),
                        (dict(ops="+x"), "bad operation"),
                        (dict(ops="+9"), "orders here are 0..3"),
                        (dict(types="mx"), "--types"),
                        (dict(colour=3), "takes no parameter colour")]:
        kind = kwargs.pop("kind", "split")
        with pytest.raises(bl.BuddyLabError, match=re.escape(msg)):
            problem(kind, **kwargs)
    with pytest.raises(bl.BuddyLabError, match="never allocated"):
        problem("split", ops="-3")
    with pytest.raises(bl.BuddyLabError, match="not held"):
        problem("split", ops="+0,-0,-0")
    with pytest.raises(bl.BuddyLabError, match="bad operation"):
        parse_ops("+x")


def test_every_kind_is_listed():
    """KINDS names each kind with a one-line description."""
    assert "split" in KINDS and all(isinstance(d, str) and "\n" not in d for d in KINDS.values())


def test_kind_seed_params_rebuild_the_instance():
    """problem(p.kind, seed=p.seed, **p.params) is the same problem, for every kind."""
    for kind in KINDS:
        p = problem(kind, seed=11)
        q = problem(p.kind, seed=p.seed, **p.params)
        assert q == p and q.text() == p.text()


def test_first_release_call_still_answers():
    """problem(ops=..., solve=True) returns the solved text, as the first release did."""
    text = problem(ops="+0,+1", solve=True)
    assert isinstance(text, str) and "-> pfn 58" in text
    reveal.clear()


def test_numpy_integers_are_ints():
    """A notebook's numpy integers answer an int field; a numpy bool does not."""
    np = pytest.importorskip("numpy")
    p = problem("split", ops="+0,+1")
    a = p.answers()
    a["pfn_op1"] = np.int64(a["pfn_op1"])
    assert p.check(a).correct
    a["pfn_op1"] = np.bool_(True)
    assert p.check(a).feedback == ["pfn_op1: wanted int pfn or None (NULL), got a bool"]
    reveal.clear()


def test_zonelist_rule_names_the_penalty_for_nodes_below():
    """zonelist --seed 8 asks about node 1 with distances [20, 10, 20]: node 2 comes before
    node 0, though both are 20 away, and the rule and hints say why."""
    # mm/page_alloc.c, find_next_best_node(), v4.18: val = node_distance(node, n) +
    # (n < node), times MAX_NODE_LOAD * MAX_NUMNODES (3 * 64 = 192), + node_load[n].  Node 0's
    # build (first, mm/page_alloc.c, build_zonelists()) set node_load[1] = 2 (first of the
    # distance-20 group) and node_load[2] = 1 (first of the distance-40 group).  For node 1:
    # node 0: 21 * 192 + 0 = 4032; node 2: 20 * 192 + 1 = 3841, so 2 comes first.
    p = problem("zonelist", seed=8)
    assert "node 1: 20 10 20" in p.text() and "on the CPU of node 1" in p.text()
    assert "node 1's node order (find_next_best_node()): [1, 2, 0]" in p.explain()
    reveal.clear()
    w = p._worked()
    assert "numbered below the local node counting one more" in w.rules["walk"]
    assert any("numbered below the local node counts one more" in h for h in w.hints)


# ------------------------------------------------------ the modern kernel (v6.18)
def test_fallback_on_the_modern_kernel_claims_a_whole_pageblock():
    """v6.18, +0u on a fresh 64-page zone (pageblocks of 8): GFP_KERNEL (Unmovable) finds no
    block of its own; __rmqueue_claim() looks from MAX_PAGE_ORDER (3) down, fallbacks[Unmovable]
    is Reclaimable (none) then Movable, whose head is 0 (boot freed to the TAIL, FPI_TO_TAIL).
    try_to_claim_block() takes a block of pageblock_order whole: pageblock 0 becomes Unmovable,
    expand() keeps the lower half, so the order-0 pcp refill gets pfn 0 (mm/page_alloc.c,
    __rmqueue_claim(), try_to_claim_block(), v6.18).  v4.18's head is 56 (boot pushed heads)."""
    p = problem("fallback", ops="+0u", kernel="modern")
    assert "  free_area[3] Movable [0, 8, 16, 24, 32, 40, 48, 56]" in p.text()
    assert p.check({"pfn": 0, "refused": [], "fallback_type": "Movable", "fallback_order": 3,
                    "steal_or_claim": "claim", "retyped": [0]}).correct
    assert problem("fallback", ops="+0u").answers()["pfn"] == 56


def test_fallback_on_the_modern_kernel_refused_claim_then_steal():
    """v6.18: seven +3 take pageblocks 0..48 (one block each through the order-3 pcp list),
    +1 gets 56 (60 and 58 left), +2 gets 60: pageblock 56 holds 56-57 and 60-63 movable in use
    and the free order-1 block 58.  +0u: no Unmovable block; no block of pageblock_order
    (ALLOC_NOFRAGMENT's first walk finds none); __rmqueue_claim() then tries 58 (order 1,
    Movable): free 2 + alike 8 - (2 + 6) = 0 < 4 (half a pageblock): refused, nothing moves.
    __rmqueue_steal() takes the smallest block, 58 (order 0 has none), and expand() puts 59 on
    the Movable list; the pageblock stays Movable.  The pcp refill's first block, 58, is
    returned (mm/page_alloc.c, try_to_claim_block(), __rmqueue_steal(), v6.18)."""
    p = problem("fallback", ops="+3,+3,+3,+3,+3,+3,+3,+1,+2,+0u", kernel="modern")
    text = p.text()
    assert "  pfn  56: MM..MMMM  Movable" in text and "  free_area[1] Movable [58]" in text
    want = {"pfn": 58, "refused": [58], "fallback_type": "Movable", "fallback_order": 1,
            "steal_or_claim": "steal", "retyped": []}
    assert p.check(want).correct
    r = p.check(dict(want, steal_or_claim="claim", refused=[]))
    assert r.score == pytest.approx(4 / 6)
    assert any(f.startswith("refused: ") and "refused claim moves nothing" in f
               for f in r.feedback)
    assert not any(re.search(r"\b58\b", f) for f in r.feedback)
    w = p._worked()
    assert "__rmqueue_fallback" not in " ".join(w.hints + list(w.rules.values()))
    assert any("__rmqueue_steal()" in h for h in w.hints)


def test_pcp_on_the_modern_kernel_worked_by_hand():
    """v6.18, 64 pages: batch 1, high_min 4 (batch << 2), high_max 64 / 8 = 8.  nr_pcp_alloc()
    (mm/page_alloc.c, v6.18): op 1 high 0 -> 4 -> 5, 1 << 0 = 1 page, alloc_factor 1: [0];
    op 2 high 7, 1 << 1 = 2 pages (at most 7 - 0 - 1): [1, 2], alloc_factor 2; op 4 high 8,
    4 pages: [3, 4, 5, 6], alloc_factor 3; op 8 high 8, 8 > 8 - 0 - 1 = 7 pages, so 7 and
    alloc_factor stays: [7 .. 13], 7 taken, count 6.  Frees: pfn 0 -> count 7, free_count 1;
    pfn 1 -> count 8 >= high 8 (free_count + batch = 3 does not raise it): nr_pcp_free() =
    clamp(2, 1, 7) = 2 pages from the TAIL of the order-0 Movable list: 13, 12."""
    p = problem("pcp", ops="+0,+0,+0,+0,+0,+0,+0,+0,-0,-1", pages=64, kernel="modern")
    assert "batch 1, high_min 4, high_max 8" in p.text()
    a = p.answers()
    assert [a["pfn_op%d" % i] for i in range(1, 9)] == list(range(8))
    assert (a["refill_op1"], a["refill_op2"], a["refill_op3"], a["refill_op4"]) == \
        ([0], [1, 2], [], [3, 4, 5, 6])
    assert a["refill_op8"] == list(range(7, 14))
    assert (a["drain_op9"], a["drain_op10"]) == ([], [13, 12])
    w = p._worked()
    assert "nr_pcp_alloc()" in w.rules["refill_op1"] and "free_pcppages_bulk()" in \
        w.rules["drain_op9"]
    reveal.clear()


def test_pcp_fraction_per_kernel():
    """--fraction: v4.18 percpu_pagelist_fraction 16 by default (8..4096); v6.18
    percpu_pagelist_high_fraction 0 by default (auto-tuned) or 8..4096, which fixes
    high_min = high_max = managed / fraction (zone_highsize(), mm/page_alloc.c, v6.18):
    128 / 16 = 8; a modern -A may ask orders 0..3."""
    assert problem("pcp", seed=1).params["fraction"] == 16
    assert problem("pcp", seed=1, kernel="modern").params["fraction"] == 0
    p = problem("pcp", ops="+1,+3u,-0", fraction=16, kernel="modern")
    assert "high_min 8, high_max 8" in p.text() and "--fraction 16" in p.command()
    for kwargs, msg in [(dict(fraction=0), "--fraction must be between 8 and 4096, got 0"),
                        (dict(fraction=4, kernel="modern"),
                         "--fraction must be 0 or between 8 and 4096, got 4"),
                        (dict(ops="+1"), "every allocation of -A is order 0"),
                        (dict(ops="+4", max_order=5, kernel="modern"), "order 0..3")]:
        with pytest.raises(bl.BuddyLabError, match=re.escape(msg)):
            problem("pcp", **kwargs)


def test_merge_on_the_modern_kernel_retypes_the_buddy():
    """v6.18, 256 pages, MAX_PAGE_ORDER 6, pageblocks of 32: +5u claims the order-6 block 0
    whole (pageblocks 0 and 32 Unmovable, 32 left free); three +6 take 64, 128, 192; +5
    (Movable, nothing of its own) claims 32 back (pageblock 32 Movable).  Freeing a0 (order 5,
    above PAGE_ALLOC_COSTLY_ORDER: straight to the buddy) finds 32 in use.  Freeing a4 (32,
    Movable): buddy 32 ^ 32 = 0 is free at order 5 = pageblock_order in an Unmovable
    pageblock; both types mergeable, so they merge and pageblock 0 becomes Movable; order 6 is
    MAX_PAGE_ORDER: stop; buddy_merge_likely() is false at order >= MAX_PAGE_ORDER - 1: head
    (mm/page_alloc.c, __free_one_page(), v6.18)."""
    p = problem("merge", ops="+5u,+6,+6,+6,+5,-0,-4", kernel="modern")
    assert "pageblocks now: 0 Unmovable, 32 Movable, 64 Movable" in p.text()
    assert p.check({"buddies": [0], "pfn": 0, "order": 6, "position": "head",
                    "retyped": [0]}).correct
    r = p.check({"buddies": [0], "pfn": 0, "order": 6, "position": "head", "retyped": []})
    (line,) = r.feedback
    assert line == ("retyped: your list stops after 0 entries; the kernel's has more; "
                    + p._worked().rules["retyped"])
    assert "migratetype_is_mergeable()" in p._worked().rules["buddies"]


def test_merge_on_the_modern_kernel_refuses_pcp_frees():
    """v6.18 keeps frees of orders 0..3 on the pcp lists (pcp_allowed_order()): a merge
    question needs a larger order; the classic sizes are too small, and the default sizes
    follow the kernel (256 pages, orders 0..6, pageblocks of 32)."""
    for kwargs, msg in [(dict(ops="+1,-0"), "goes to a pcp list"),
                        (dict(max_order=4), "needs --max-order 5 or more")]:
        with pytest.raises(bl.BuddyLabError, match=re.escape(msg)):
            problem("merge", kernel="modern", **kwargs)
    p = problem("merge", seed=4, kernel="modern")
    assert p.command().startswith("python -m buddylab problem merge --seed 4 --pages 256 "
                                  "--max-order 7 --pageblock-order 5")
    assert problem("merge", seed=4).params["pages"] == 64


def test_problem_widget_on_the_modern_kernel():
    """ProblemWidget(kind, seed, kernel="modern") shows the v6.18 question and checks it."""
    pytest.importorskip("ipywidgets")
    from buddylab.widgets.problem import ProblemWidget
    for kind in ("fallback", "pcp", "merge"):
        w = ProblemWidget(kind, seed=2, kernel="modern")
        assert "v6.18 kernel" in w.question.value
        w.do_check()
        assert w.result.score == 0
        w.new_seed.click()
        assert w.problem.kernel == "modern" and w.problem.seed == 3
