"""Experiments: deterministic from a seed, and the anti-fragmentation direction (experiments.py)."""

import pytest

import buddylab.experiments as E
from buddylab.errors import BadParameterError
from buddylab.__main__ import main


def test_deterministic_same_seed():
    """Two runs with the same seed give the same data."""
    a = E.run("compaction", seed=3, size="tiny", progress=False, steps=4000)
    b = E.run("compaction", seed=3, size="tiny", progress=False, steps=4000)
    assert a == b and a["report"].startswith("experiment compaction --seed 3 --size tiny")


def test_antifrag_runs_are_deterministic():
    """The same seed gives the same rows (on a short run: the rule does not depend on the
    length).  The grouping claim itself is checked on chapter 06's full run, which the figures
    run makes anyway (tests/test_plot.py, test_antifrag_grouping_helps)."""
    short = dict(seed=0, size="tiny", progress=False, steps=3000)
    assert E.run("antifrag", **short) == E.run("antifrag", **short)


def test_spread():
    """Mean, min and max of a run's numbers (worked by hand)."""
    assert E.spread([4, 0, 5]) == dict(mean=3.0, min=0, max=5)


@pytest.mark.parametrize("order", [0])
def test_tail_placement_keeps_higher_orders_free(order):
    """Under churn with no pcp in the way (tiny: pcp high 0), tail placement keeps more free
    memory in blocks two orders up, for every seed (order 1, chapter 06's run: checked on the
    figures run, tests/test_plot.py).
    Kernel: __free_one_page() in mm/page_alloc.c, v4.18 (a block that could not merge goes to
    the list tail when the buddy of its next-larger block is free; __rmqueue_smallest()
    takes from the head)."""
    r = E.run("tail", seed=0, size="tiny", progress=False, order=order)
    on, off = r["rows"]
    assert on["tail_placement"] and not off["tail_placement"]
    key = "ge%d" % (order + 2)
    assert on[key]["min"] > 1.5 * off[key]["max"]
    assert on["tail_placed"]["min"] > 0 and off["tail_placed"]["max"] == 0


def test_tail_order_must_be_below_pageblock_order():
    with pytest.raises(BadParameterError, match="order must be below pageblock_order 6, got 6"):
        E.run("tail", size="tiny", progress=False, order=6)


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


# ---------------------------------------------------------------------------
# Bad parameters (issue 9, "Found by fuzzing"): BadParameterError before anything runs

import pytest                                                        # noqa: E402

from buddylab.errors import BadParameterError, BuddyLabError         # noqa: E402


@pytest.mark.parametrize("name", ["bogus", "", None, 5, ["antifrag"], "Antifrag"])
def test_unknown_experiment(name):
    """run("bogus"), and names that are not even strings, raise BadParameterError, choices named."""
    with pytest.raises(BadParameterError,
                       match=r"unknown experiment .* \(choose from antifrag, fragtime, tail, "
                             r"compaction\)"):
        E.run(name, progress=False)


@pytest.mark.parametrize("name", sorted(E.EXPERIMENTS))
@pytest.mark.parametrize("kwargs,match", [
    (dict(steps=-5), "steps must be an int >= 0, got -5"),
    (dict(steps=1.5), "steps must be an int >= 0, got 1.5"),
    (dict(steps=True), "steps must be an int >= 0, got True"),
    (dict(size="huge"), "unknown size 'huge'"),
    (dict(size=["tiny"]), "unknown size"),
    (dict(seed="x"), "seed must be an int"),
    (dict(stepz=100), "takes no parameter stepz"),
    (dict(progress=5), "progress must be None, a bool"),
])
def test_bad_parameters_raise_before_anything_runs(name, kwargs, match):
    """Negative or non-int steps, unknown size, seed or parameter: BadParameterError, nothing run."""
    calls = []
    kwargs.setdefault("progress", lambda done, total: calls.append(done))
    kwargs.setdefault("size", "tiny")
    with pytest.raises(BadParameterError, match=match):
        E.run(name, **kwargs)
    assert calls == []
    assert issubclass(BadParameterError, BuddyLabError)


@pytest.mark.parametrize("name,kwargs,match", [
    ("fragtime", dict(samples=0), "samples must be an int >= 1, got 0"),
    ("tail", dict(runs=0), "runs must be an int >= 1, got 0"),
    ("tail", dict(runs=-2), "runs must be an int >= 1, got -2"),
    ("antifrag", dict(samples=4), "experiment antifrag takes no parameter samples"),
])
def test_bad_experiment_parameters(name, kwargs, match):
    """fragtime's samples and tail's runs are >= 1; another experiment's parameter is refused."""
    with pytest.raises(BadParameterError, match=match):
        E.run(name, size="tiny", progress=False, **kwargs)


def test_zero_steps_runs():
    """steps=0 is allowed: the machine as booted, sampled once."""
    r = E.run("fragtime", seed=0, size="tiny", progress=False, steps=0)
    assert r["params"]["steps"] == 0 and [s["step"] for s in r["samples"]] == [0]
