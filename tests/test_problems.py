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
