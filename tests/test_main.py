"""buddylab/__main__.py: the command line, its problems and its one-line errors."""
import subprocess
import sys

import pytest

from buddylab.__main__ import main


def run(*argv):
    return subprocess.run([sys.executable, "-m", "buddylab", *argv], capture_output=True,
                          text=True)


def test_problem_solved_from_the_shell():
    """problem -A ... -c prints the solved split problem (pfns worked in test_problems)."""
    res = run("problem", "-A", "+0,+1,-0", "-c")
    assert res.returncode == 0
    assert "free_area[1] Movable [56]" in res.stdout and "free_area[2] Movable [60]" in res.stdout


def test_problem_without_kind_is_split(capsys):
    """The old form, problem --seed N, is the split kind."""
    assert main(["problem", "--seed", "4"]) == 0
    assert capsys.readouterr().out.startswith("python -m buddylab problem split --seed 4 ")


def test_help_lists_kinds_and_the_ops_syntax(capsys):
    """--help lists every kind and explains -A."""
    from buddylab.problems import KINDS
    with pytest.raises(SystemExit) as e:
        main(["problem", "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0 and all(k in out for k in KINDS)
    assert "+ORDER" in out and "-I frees allocation aI" in out


@pytest.mark.parametrize("argv", [
    ["problem", "--pages", "0"], ["problem", "--max-order", "1"],
    ["problem", "--pageblock-order", "9"], ["problem", "-A", "+x"], ["problem", "-A", "-0"],
    ["problem", "--pages", "10**12"], ["problem", "-n", "-5"], ["problem", "nope"],
    ["problem", "--seed", "-1"], ["experiment", "tail", "--steps", "-5"],
    ["experiment", "nope"], ["frobnicate"],
])
def test_bad_arguments_one_line_status_two(argv, capsys):
    """Each bad argument: exit status 2 and exactly one line on stderr, no traceback."""
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and "error:" in err


@pytest.mark.parametrize("ops", ["+" + "9" * 4000, "-" + "9" * 4000, "," * 3000,
                                 "+0," + "x" * 5000])
def test_a_huge_operation_list_gets_a_short_line(ops, capsys):
    """A 4000-digit order or index, or thousands of junk characters in -A: one line of at most
    a hundred-odd characters (what was typed is quoted cut short), status 2."""
    assert main(["problem", "-A", ops]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 160 and "..." in err, err


def test_bad_argument_in_a_subprocess():
    """The same through python -m: status 2, one line."""
    res = run("problem", "--pages", "10**12")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and res.stdout == ""


@pytest.mark.parametrize("kind", ["split", "merge", "fallback", "pcp", "zonelist", "watermark",
                                  "interface", "drill"])
def test_every_kind_from_the_shell(kind, capsys):
    """problem KIND --seed 2 prints the command first, '?' slots; -c --explain fills and explains."""
    from buddylab import reveal
    assert main(["problem", kind, "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("python -m buddylab problem %s --seed 2" % kind) and "?" in out
    assert main(["problem", kind, "--seed", "2", "-c", "--explain"]) == 0
    solved = capsys.readouterr().out
    assert solved.splitlines()[0] == out.splitlines()[0] + " -c"
    assert "why, step by step:" in solved
    reveal.clear()


def test_option_of_another_kind_is_one_line(capsys):
    """problem zonelist --pages 64: zonelist takes no --pages; one line, status 2."""
    assert main(["problem", "zonelist", "--pages", "64"]) == 2
    err = capsys.readouterr().err
    assert err == ("python -m buddylab problem: error: problem zonelist takes no --pages option "
                   "(it takes: --nodes --kernel)\n")
