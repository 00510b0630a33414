"""The build files agree with each other: pyproject.toml, environment.yml, Makefile, .ci/run,
nbval_sanitize.cfg. Standard library (and packaging, which pytest needs) only."""

import os
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent

# PyPI name -> conda-forge name, where they differ
CONDA_NAME = {"matplotlib": "matplotlib-base"}


def parse_environment_yml(text):
    """A tiny parser for our environment.yml layout: top-level ``key: value`` / ``key:`` lines,
    ``- item`` lists under them, and one nested ``- pip:`` list. Returns
    {"name": str, "channels": [...], "dependencies": [...], "pip": [...]}."""
    env = {"channels": [], "dependencies": [], "pip": []}
    section = None
    in_pip = False
    pip_lists = 0
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if indent == 0:
            key, _, value = stripped.partition(":")
            section, in_pip = key.strip(), False
            if value.strip():
                env[section] = value.strip()
            continue
        assert stripped.startswith("- "), f"unexpected line in environment.yml: {raw!r}"
        item = stripped[2:].strip()
        if section == "dependencies" and item == "pip:":
            in_pip, pip_indent = True, indent
            pip_lists += 1
            continue
        if in_pip and indent > pip_indent:
            env["pip"].append(item)
        else:
            in_pip = False
            env.setdefault(section, []).append(item)
    env["pip_lists"] = pip_lists
    return env


def conda_spec(spec):
    """'matplotlib-base>=3.7' -> ('matplotlib-base', '>=3.7'); 'python=3.11' -> ('python', '=3.11')."""
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    assert m, spec
    return m.group(1).lower(), m.group(2).replace(" ", "")


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def env():
    return parse_environment_yml((ROOT / "environment.yml").read_text())


def test_model_has_no_runtime_dependencies(pyproject):
    assert pyproject["project"].get("dependencies", []) == []
    assert {"buddylab", "buddylab.plot", "buddylab.widgets"} <= set(
        pyproject["tool"]["setuptools"]["packages"])


def test_pytest_addopts_has_no_nbval_flags(pyproject):
    ini = pyproject["tool"]["pytest"]["ini_options"]
    assert ini["testpaths"] == ["tests", "notebooks"]
    assert "nbval" not in str(ini.get("addopts", ""))


def test_environment_yml_matches_pyproject_extras(pyproject, env):
    extras = pyproject["project"]["optional-dependencies"]
    wanted = {}
    for req in extras["lab"] + extras["test"]:
        r = Requirement(req)
        name = CONDA_NAME.get(r.name.lower(), r.name.lower())
        wanted.setdefault(name, set()).add(str(r.specifier))
    for name, specs in wanted.items():
        assert len(specs) == 1, f"{name} has different bounds in the lab and test extras: {specs}"
    wanted = {name: specs.pop() for name, specs in wanted.items()}

    have = dict(conda_spec(d) for d in env["dependencies"])
    assert have.pop("python") == "=3.11"
    assert have.pop("pip") == ""
    # the same bounds in any order: ">=6.25,<7" and "<7,>=6.25" are one specifier set
    assert {name: SpecifierSet(spec) for name, spec in have.items()} == \
        {name: SpecifierSet(spec) for name, spec in wanted.items()}


def test_environment_yml_layout(env):
    assert env["channels"] == ["conda-forge", "nodefaults"]
    assert env["pip_lists"] == 1
    assert env["pip"] == ["-e ."]
    deps = env["dependencies"]
    assert deps[0] == "python=3.11"
    assert deps[-1] == "pip", "conda packages first, then pip, then the pip: list"


def test_ci_runs_make_test():
    ci = ROOT / ".ci" / "run"
    text = ci.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert re.search(r"^\s*(time\s+)?make test\b", text, re.MULTILINE)
    assert os.access(ci, os.X_OK), ".ci/run must be executable"


def _make_target(makefile, target):
    m = re.search(rf"^{target}:.*\n((?:\t.*\n|\n)*)", makefile, re.MULTILINE)
    assert m, f"no {target} target"
    return m.group(1)


def test_lab_binds_localhost_with_auth():
    makefile = (ROOT / "Makefile").read_text()
    recipe = _make_target(makefile, "lab")
    assert "--ip=127.0.0.1" in recipe
    for forbidden in ("0.0.0.0", "--ip=*", ".token=", ".password=", "disable_check_xsrf",
                      "allow_remote_access", "--IdentityProvider.token"):
        assert forbidden not in makefile, forbidden


@pytest.mark.parametrize("name", ["Makefile", ".ci/run", "pyproject.toml", "conftest.py"])
def test_mplbackend_never_set(name):
    # MPLBACKEND reaches the notebook kernels and removes figure output.
    text = (ROOT / name).read_text()
    assert not re.search(r"^[^#\n]*MPLBACKEND\s*[:?]?=", text, re.MULTILINE)
    assert not re.search(r"^[^#\n]*export\s+MPLBACKEND", text, re.MULTILINE)


def _sanitize_rules():
    text = (ROOT / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    # the exact pattern nbval uses (nbval/plugin.py: get_sanitize_patterns)
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)
    return pairs, text


def test_sanitize_cfg_is_well_formed():
    pairs, text = _sanitize_rules()
    assert len(pairs) == text.count("\nregex:") + text.startswith("regex:")
    assert len({rx for rx, _ in pairs}) == len(pairs), "nbval keys the rules by regex"
    for rx, rep in pairs:
        re.compile(rx)
        assert rx == rx.strip() and rep == rep.strip()


@pytest.mark.parametrize("before, after", [
    ("<buddylab.Machine object at 0x7f3a2b1c4d90>", "<buddylab.Machine object at 0x<ADDRESS>>"),
    ("took 12.3 s", "took <DURATION>"),
    ("took 45 ms and 1.2 µs", "took <DURATION> and <DURATION>"),
    ("CPU times: user 1.2 ms, sys: 0 ns, total: 1.2 ms\nWall time: 2.31 ms\n",
     "CPU times: <CPU-TIMES>\nWall time: <WALL-TIME>\n"),
    ("1.23 ms ± 4.5 µs per loop (mean ± std. dev. of 7 runs, 1,000 loops each)\n", "<TIMEIT>\n"),
    ("model_id 0123456789abcdef0123456789abcdef", "model_id <MODEL-ID>"),
    ('<img src="data:image/png;base64,iVBORw0KGgo+/=">', '<img src="data:image/png;base64,<PNG>">'),
    ("order 3 pages, 5 steps, GFP 0xcc0", "order 3 pages, 5 steps, GFP 0xcc0"),
])
def test_sanitize_rules(before, after):
    pairs, _ = _sanitize_rules()
    s = before
    for rx, rep in pairs:
        s = re.sub(rx, rep, s)
    assert s == after
    for rx, rep in pairs:  # idempotent: stored (already sanitized) outputs compare equal
        s = re.sub(rx, rep, s)
    assert s == after
