"""Both profiles selectable everywhere (issue 10 §2): experiments, problems, the command line."""

import pytest

import buddylab as bl
import buddylab.experiments as E
from buddylab.__main__ import main
from buddylab.errors import BadParameterError

# include/linux/gfp_types.h (v6.18), by hand: GFP_HIGHUSER_MOVABLE 0x100cca, __GFP_COMP
# 0x40000, __GFP_THISNODE 0x200000, __GFP_RETRY_MAYFAIL 0x4000, __GFP_NOWARN 0x2000.
HUGE_GFP_618 = 0x100cca | 0x40000 | 0x200000 | 0x4000 | 0x2000      # = 0x346cca
CHURN_GFP_618 = 0x100cca | 0x2000


def test_experiment_masks_follow_the_running_kernel():
    classic = E.make_machine(256, 3, 5)
    modern = E.make_machine(256, 3, 5, kernel="modern")
    assert E.huge_gfp(classic) == E.HUGE_GFP
    assert E.huge_gfp(modern) == HUGE_GFP_618 == 0x346cca
    assert E.churn_gfp(modern) == CHURN_GFP_618


@pytest.mark.parametrize("name", sorted(E.EXPERIMENTS))
def test_every_experiment_runs_on_the_modern_profile(name):
    r = E.run(name, seed=0, size="tiny", progress=False, kernel="modern", steps=300,
              **({"runs": 1} if name in ("antifrag", "tail") else {}))
    assert r["params"]["kernel"] == "modern"
    head = r["report"].splitlines()
    assert head[0] == "experiment %s --seed 0 --size tiny --kernel modern" % name
    # size tiny: max_order 8 orders, so MAX_PAGE_ORDER (inclusive) is 7
    assert "pageblock_order 6, MAX_PAGE_ORDER 7;" in head[1]


def test_classic_experiment_header_is_unchanged():
    r = E.run("compaction", seed=0, size="tiny", progress=False, steps=10)
    assert r["report"].splitlines()[:2] == [
        "experiment compaction --seed 0 --size tiny",
        "  machine: 4096 pages (one Normal zone), pageblock_order 6, MAX_ORDER 8; workload "
        "steps 10"]


def test_experiment_unknown_kernel_is_a_bad_parameter():
    with pytest.raises(BadParameterError, match="unknown kernel 'v5' .*classic, modern"):
        E.run("tail", kernel="v5")


def test_experiment_kernel_from_the_shell(capsys):
    assert main(["experiment", "compaction", "--size", "tiny", "--steps", "50",
                 "--no-progress", "--kernel", "modern"]) == 0
    assert capsys.readouterr().out.startswith(
        "experiment compaction --seed 0 --size tiny --kernel modern\n")
    with pytest.raises(SystemExit) as e:
        main(["experiment", "tail", "--kernel", "v5"])
    assert e.value.code == 2
    assert "invalid choice: 'v5'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ problems
def test_split_on_the_modern_kernel_worked_by_hand():
    """64 pages, orders 0..3, pageblocks of 4: boot frees the order-3 blocks at the TAIL in
    ascending order (mm/page_alloc.c, __free_pages_core() -> FPI_TO_TAIL, v6.18), so the
    list is [0, 8, ..., 56] and the first order-0 request gets pfn 0 (expand() leaves 4, 2, 1
    at the heads).  Order 1 also goes through the pcp lists (pcp_allowed_order(): order <=
    PAGE_ALLOC_COSTLY_ORDER); batch 1, so rmqueue_bulk() takes one order-1 block, the head 2
    (nr_pcp_alloc() returns batch when batch is 1, mm/page_alloc.c, v6.18).  Freeing pfn 0
    puts it on the order-0 pcp list (count 1 < high), so it never reaches the buddy lists."""
    p = bl.problem("split", ops="+0,+1,-0", kernel="modern")
    assert p.text(solved=True).splitlines() == [
        'python -m buddylab problem split --pages 64 --max-order 4 --pageblock-order 2 '
        '-A "+0m,+1m,-0" --kernel modern -c',
        "machine: v6.18 kernel, one Normal zone of 64 pages, orders 0..3, pageblocks of 4 "
        "pages, 1 CPU, min_free_kbytes 0, pcp lists for orders 0..3, batch 1, high_min 4, "
        "high_max 8",
        "at boot: free_area[3] Movable [0, 8, 16, 24, 32, 40, 48, 56]",
        "op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 0",
        "op 2: a1 = alloc_pages(GFP_HIGHUSER_MOVABLE, 1) -> pfn 2",
        "op 3: __free_pages(a0, 0)",
        "free lists at the end (head -> tail):",
        "  free_area[0] Movable [1]",
        "  free_area[2] Movable [4]",
        "  free_area[3] Movable [8, 16, 24, 32, 40, 48, 56]"]
    assert p.check(p.answers()).correct
    # the rebuilt instance is the same, kernel included
    assert bl.problem(p.kind, seed=p.seed, **p.params) == p and p.params["kernel"] == "modern"


def test_split_hints_name_the_modern_rules():
    p = bl.problem("split", ops="+0u", kernel="modern")
    hints = [p.hint() for _ in range(5)]
    assert any("orders 0..3 pass through the per-cpu lists" in h for h in hints)
    assert any("FPI_TO_TAIL" in h for h in hints)
    assert any("__rmqueue_claim()" in h and "__rmqueue_steal()" in h for h in hints)
    assert not any("__rmqueue_fallback" in h for h in hints)
    classic = bl.problem("split", ops="+0u")
    assert any("__rmqueue_fallback" in classic.hint() for _ in range(5))


@pytest.mark.parametrize("kind", ["merge", "fallback", "pcp", "watermark", "zonelist",
                                  "interface", "drill"])
def test_classic_only_kinds_refuse_modern_in_one_line(kind):
    with pytest.raises(bl.BuddyLabError) as e:
        bl.problem(kind, seed=0, kernel="modern")
    msg = str(e.value)
    assert msg.startswith("problem %s runs on the classic kernel only: " % kind)
    assert "\n" not in msg and len(msg) > 60
    bl.problem(kind, seed=0, kernel="classic")          # the classic one still builds


def test_problem_unknown_kernel():
    with pytest.raises(bl.BuddyLabError, match="--kernel must be one of classic, modern, got 'v5'"):
        bl.problem("split", kernel="v5")


def test_problem_kernel_from_the_shell(capsys):
    assert main(["problem", "split", "-A", "+0", "--kernel", "modern", "-c"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith('-A "+0m" --kernel modern -c')
    assert out[3] == "op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 0"
    assert main(["problem", "fallback", "--kernel", "modern"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m buddylab problem: error: problem fallback runs on the "
                          "classic kernel only: it asks about __rmqueue_fallback()")
