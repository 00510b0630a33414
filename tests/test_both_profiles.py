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
