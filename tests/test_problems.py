"""buddylab/problems.py: predict-then-reveal problems and their command line."""
import subprocess
import sys

import pytest

import buddylab as bl
from buddylab.problems import problem, parse_ops


def test_answers_hidden_then_revealed():
    """Without -c every answer is '?'; with -c the pfns worked by hand appear."""
    q = problem(ops="+0,+1,+0u")
    assert q.count("-> ?") == 3 and "pfn" not in q.split("\n", 3)[3]
    a = problem(ops="+0,+1,+0u", solve=True)
    # movable 56 (60 o2, 58 o1, 57 o0 left), movable order 1 -> 58, then GFP_KERNEL steals
    # the largest MOVABLE block (order 3 at 48) and takes its first page
    assert "-> pfn 56" in a and "-> pfn 58" in a and "a2 = alloc_pages(GFP_KERNEL, 0) -> pfn 48" in a


def test_seeded_problems_are_reproducible_and_echo_their_ops():
    """The same seed gives the same text; the first line reruns it."""
    assert problem(seed=5) == problem(seed=5)
    first = problem(seed=5, solve=True).splitlines()[0]
    ops = first.split('-A "')[1].split('"')[0]
    assert problem(ops=ops, solve=True) == problem(seed=5, solve=True)


def test_bad_operations():
    """Unknown operations and frees of unknown allocations name the problem."""
    with pytest.raises(bl.BuddyLabError, match="bad operation"):
        parse_ops("+x")
    with pytest.raises(bl.BuddyLabError, match="never allocated"):
        problem(ops="-3")


def test_command_line():
    """python -m buddylab problem -A ... -c prints the solved problem."""
    out = subprocess.run([sys.executable, "-m", "buddylab", "problem", "-A", "+0,+1,-0", "-c"],
                         capture_output=True, text=True, check=True).stdout
    assert "free_area[1] Movable [56]" in out and "free_area[2] Movable [60]" in out
