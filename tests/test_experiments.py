"""Experiments: deterministic from a seed, and the anti-fragmentation direction (experiments.py)."""

import buddylab.experiments as E
from buddylab.__main__ import main


def test_deterministic_same_seed():
    """Two runs with the same seed give the same data."""
    a = E.run("compaction", seed=3, size="tiny", progress=False, steps=4000)
    b = E.run("compaction", seed=3, size="tiny", progress=False, steps=4000)
    assert a == b and a["report"].startswith("experiment compaction --seed 3 --size tiny")


def test_antifrag_grouping_helps():
    """With grouping by mobility (and compaction) far more memory is allocatable as huge pages."""
    r = E.run("antifrag", seed=0, size="tiny", progress=False)
    rows = {(x["grouping"], x["compaction"]): x for x in r["rows"]}
    assert rows[True, True]["percent"] > 4 * max(1.0, rows[False, True]["percent"])
    assert rows[True, True]["percent"] > 40
    assert rows[False, False]["mixed_pageblocks"] > rows[True, False]["mixed_pageblocks"]
    assert r == E.run("antifrag", seed=0, size="tiny", progress=False)


def test_progress_hooks_and_cli(capsys):
    """A callable or a widget-like object receives progress; the CLI prints the report."""
    seen = []
    E.run("fragtime", seed=1, size="tiny", progress=lambda d, t: seen.append((d, t)), steps=500)
    assert seen[-1] == (500, 500)

    class Bar:
        value = 0
        max = 0
    bar = Bar()
    E.run("fragtime", seed=1, size="tiny", progress=bar, steps=300)
    assert bar.value == bar.max == 300
    assert main(["experiment", "tail", "--seed", "2", "--size", "tiny", "--steps", "800",
                 "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("experiment tail --seed 2 --size tiny")
