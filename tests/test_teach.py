"""buddylab/teach: source assignments, per-student release, grading in fresh kernels.

The grading tests execute notebooks (about 2-4 s each): one full round trip (two students,
every assignment, through the command line) and one run of four broken submissions of one
assignment; everything else works on files only.
"""
import csv
import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

from buddylab.teach import cells as C  # noqa: E402
from buddylab.teach import assignments, discussion  # noqa: E402
from buddylab.teach.release import (load_assignments, release, solve_in_process, _literal,  # noqa: E402
                                    default_source_dir)
from buddylab.teach.grade import grade  # noqa: E402
from buddylab.teach.seeds import variant_seed, read_roster, TeachError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-course-secret"
ROSTER = ["alice", "bob"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A release with solutions for a two-student roster, and what the key holds."""
    out = tmp_path_factory.mktemp("course")
    release(out, SECRET, roster=ROSTER, with_solutions=True)
    sources = load_assignments(default_source_dir())
    solved = {(s, name): solve_in_process(nb, variant_seed(SECRET, s, name), s)
              for s in ROSTER for name, nb in sources}
    return out, sources, solved


def run_cli(*args, env_secret=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    if env_secret:
        env["BUDDYLAB_COURSE_SECRET"] = env_secret
    return subprocess.run([sys.executable, "-m", "buddylab.teach", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


# ---------------------------------------------------------------- files only

def test_import_buddylab_loads_no_notebook_machinery():
    """import buddylab imports neither buddylab.teach nor nbformat/nbclient."""
    code = ("import sys, buddylab; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('nbformat', 'nbclient', 'jupyter_client') or m.startswith('buddylab.teach')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_variant_seed_is_the_hmac_of_secret_student_and_assignment():
    """The seed is HMAC-SHA256(secret, student NUL assignment) cut to 31 bits; it changes with
    each of the three inputs."""
    d = hmac.new(b"k", b"alice\0a01", hashlib.sha256).digest()
    assert variant_seed("k", "alice", "a01") == int.from_bytes(d[:4], "big") & 0x7FFFFFFF
    seeds = {variant_seed(k, s, a) for k in ("k", "k2") for s in ("alice", "bob")
             for a in ("a01", "a02")}
    assert len(seeds) == 8
    with pytest.raises(TeachError):
        variant_seed("", "alice", "a01")


def test_roster_rejects_bad_ids_and_duplicates(tmp_path):
    """A roster line that is not an id, or a repeated id, is named with its line number."""
    f = tmp_path / "r.txt"
    f.write_text("alice\n# comment\n\nbob\n")
    assert read_roster(f) == ["alice", "bob"]
    f.write_text("alice\nal ice\n")
    with pytest.raises(TeachError, match="line 2"):
        read_roster(f)
    f.write_text("alice\nalice\n")
    with pytest.raises(TeachError, match="twice"):
        read_roster(f)


def test_markers_are_replaced_as_nbgrader_does():
    """Solutions become stubs, hidden tests vanish, an unpaired marker is an error."""
    src = "x = 1\n### BEGIN SOLUTION\nanswer3 = {'a': 1}\n### END SOLUTION\ny = 2"
    assert C.clear_solution(src, "code") == "x = 1\nanswer3 = None  # YOUR ANSWER HERE\ny = 2"
    assert C.clear_solution("### BEGIN SOLUTION\nf()\n### END SOLUTION", "code") == \
        "# YOUR CODE HERE\nraise NotImplementedError()"
    assert C.clear_solution("model answer", "markdown") == "YOUR ANSWER HERE"
    assert C.clear_hidden_tests("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc") == "a\nc"
    with pytest.raises(C.MarkerError):
        C.clear_hidden_tests("### BEGIN HIDDEN TESTS\nb")
    with pytest.raises(C.MarkerError):
        C.clear_solution("### END SOLUTION", "code")


def test_source_assignments_are_what_the_spec_builds(tmp_path):
    """notebooks/assignments/a*.ipynb are exactly python -m buddylab.teach.assignments' output
    (built with the problem kinds they use: a kind added to buddylab.problems later is taken up
    by rerunning the builder, not by this test failing)."""
    import re
    from buddylab import problems
    used = set(re.findall(r"bl\.problem\('(\w+)'", "".join(
        p.read_text() for p in default_source_dir().glob("a*.ipynb"))))
    assert used <= set(problems.KINDS)
    written = assignments.build_all(tmp_path, kinds=used)
    assert [p.name for p in written] == sorted(p.name for p in default_source_dir().glob("a*.ipynb"))
    for p in written:
        assert p.read_text() == (default_source_dir() / p.name).read_text(), p.name


def test_source_assignments_carry_nbgrader_metadata():
    """One per chapter 01-06; every cell has nbgrader metadata (schema 3), grade ids are unique,
    each graded question has an answer cell, a visible check and a hidden test with points,
    and markers sit only where nbgrader looks for them."""
    sources = load_assignments(default_source_dir())
    assert [name[:3] for name, _ in sources] == ["a01", "a02", "a03", "a04", "a05", "a06"]
    for name, nb in sources:
        ids = [C.grade_id(c) for c in nb.cells]
        assert None not in ids and len(ids) == len(set(ids)), name
        for cell in nb.cells:
            meta = C.nbgrader_meta(cell)
            assert set(meta) >= {"grade", "grade_id", "locked", "schema_version", "solution", "task"}
            assert meta["schema_version"] == 3
            assert meta["locked"] == (not meta["solution"])
            if meta["grade"]:
                assert meta["points"] > 0
            has_hidden = C.BEGIN_HIDDEN in cell.source
            assert has_hidden == (meta["grade"] and cell.cell_type == "code"), (name, meta)
            assert (C.BEGIN_SOLUTION in cell.source) == meta["solution"], (name, meta)
        questions = sorted({i.split("_")[0] for i in ids if i[0] == "q" and i[1].isdigit()})
        assert questions, name
        for q in questions:
            assert {q + "_problem", q + "_answer", q + "_check", q + "_test"} <= set(ids)


def test_discussion_questions_of_chapters_01_to_04_all_have_model_answers():
    """25 questions in chapters 01-04 (6 + 6 + 6 + 7), each paired with a model answer."""
    chapters = {c: items for c, _, items in discussion.discussion()}
    assert [len(chapters[c]) for c in ("01", "02", "03", "04")] == [6, 6, 6, 7]
    for c in ("01", "02", "03", "04"):
        for n, question, answer in chapters[c]:
            assert question.strip() and len(answer) > 40, (c, n)


def test_two_students_get_different_variants(course):
    """Every assignment prints a different problem for alice and for bob."""
    _, sources, solved = course
    for name, nb in sources:
        a, b = solved[("alice", name)]["printed"], solved[("bob", name)]["printed"]
        assert a["q1_problem"] != b["q1_problem"], name
        assert solved[("alice", name)] != solved[("bob", name)], name


def test_released_files_hold_no_solution(course):
    """No released file holds a marker, the solution code, a model answer, any key value in
    answer position, the course secret, or metadata beyond nbgrader's."""
    out, sources, solved = course
    files = sorted((out / "release").rglob("*"))
    files = [f for f in files if f.is_file()]
    assert len(files) == len(ROSTER) * len(sources)
    forbidden = list(C.MARKERS) + [SECRET, "BEGIN", "END SOLUTION"]
    for _, nb in sources:
        for cell in nb.cells:
            if C.is_solution(cell):
                body = C.solution_text(cell.source)
                forbidden += [line.strip() for line in body.splitlines() if len(line.strip()) > 25]
                forbidden.append(body.strip())
            elif C.BEGIN_HIDDEN in cell.source:
                forbidden += [ln.strip() for ln in cell.source.split(C.BEGIN_HIDDEN)[1].splitlines()
                              if ln.strip() and ln.strip() != C.END_HIDDEN]
    for f in files:
        student, name = f.parent.name, f.stem
        text = f.read_text()
        for s in forbidden:
            assert s not in text, (f, s)
        for gid, answers in solved[(student, name)].items():
            if gid == "printed":
                continue
            for var, value in answers.items():
                assert _literal(value) not in text, (f, var)
                for key, v in value.items():
                    assert "%r: %r" % (key, v) not in text and '"%s": %s' % (key, json.dumps(v)) \
                        not in text, (f, key)
        nb = nbformat.reads(text, as_version=4)
        assert set(nb.metadata) <= {"kernelspec", "language_info", "buddylab"}
        for cell in nb.cells:
            assert set(cell.metadata) <= {"nbgrader", "tags", "editable", "deletable"}
            assert cell.metadata.get("deletable") is False
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
            if C.is_solution(cell):
                src = next(c for c in dict(sources)[name].cells
                           if C.grade_id(c) == C.grade_id(cell))
                assert cell.source == C.clear_solution(src.source, src.cell_type), f
                assert "YOUR ANSWER HERE" in cell.source


def test_answer_key_holds_every_answer_and_discussion(course):
    """The key holds each student's literal answers and all the chapters' model answers."""
    out, sources, solved = course
    key = (out / "instructor" / "answer_key.md").read_text()
    for (student, name), per in solved.items():
        for gid, answers in per.items():
            if gid != "printed":
                for value in answers.values():
                    assert _literal(value) in key
    for chapter, _, items in discussion.discussion():
        for n, question, answer in items:
            assert answer.replace("\n", "\n   ") in key, (chapter, n)


def test_cli_bad_arguments_give_one_line_and_status_2(tmp_path):
    """Missing secret, unreadable roster, missing folder, unknown option: one line, status 2."""
    roster = tmp_path / "roster.txt"
    roster.write_text("alice\nalice\n")
    cases = [
        (["release", "--out", tmp_path / "o"], None, "no course secret"),
        (["release", "--out", tmp_path / "o", "--roster", tmp_path / "nope"], "s", "cannot read"),
        (["release", "--out", tmp_path / "o", "--roster", roster], "s", "twice"),
        (["grade", tmp_path / "missing", "--out", tmp_path / "g.csv"], "s", "not a folder"),
        (["grade", tmp_path, "--out", tmp_path / "g.csv", "--timeout", "0"], "s", "--timeout"),
        (["release", "--out", tmp_path / "o", "--bogus"], "s", "unrecognized"),
    ]
    for args, secret, words in cases:
        res = run_cli(*args, env_secret=secret)
        assert res.returncode == 2, (args, res.stderr)
        assert res.stderr.count("\n") == 1 and words in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr


# ---------------------------------------------------------------- notebooks run

#: bob hands in these two untouched notebooks (the first and the last) and not the others:
#: every assignment still runs in a real kernel, alice's solved ones
BOB_HANDS_IN = ("a01_free_lists", "a06_fragmentation")


def test_round_trip_two_students(course, tmp_path):
    """Through the command line: release with a roster, then grade alice's solved variants
    (full marks on every question), bob's two untouched notebooks (zero on every question)
    and his missing ones (zero, "not submitted")."""
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    roster = tmp_path / "roster.txt"
    roster.write_text("alice\nbob\n")
    out = tmp_path / "course"
    res = run_cli("release", "--out", out, "--roster", roster, "--with-solutions",
                  "--secret-file", secret_file)
    assert res.returncode == 0, res.stderr
    assert SECRET not in "".join(p.read_text() for p in (out / "release").rglob("*.ipynb"))
    sub = tmp_path / "submitted"
    (sub / "alice").mkdir(parents=True)
    for p in (out / "instructor" / "alice").glob("*.ipynb"):
        (sub / "alice" / p.name).write_text(p.read_text())
    (sub / "bob").mkdir()
    for name in BOB_HANDS_IN:
        p = out / "release" / "bob" / (name + ".ipynb")
        (sub / "bob" / p.name).write_text(p.read_text())
    res = run_cli("grade", sub, "--out", tmp_path / "grades.csv", "--secret-file", secret_file)
    assert res.returncode == 0, res.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert set(rows) == {"alice", "bob"}
    _, sources, _ = course
    graded = [(name, C.grade_id(c), C.points(c)) for name, nb in sources for c in nb.cells
              if C.is_grade(c) and c.cell_type == "code"]
    manual = [(name, C.grade_id(c)) for name, nb in sources for c in nb.cells
              if C.is_grade(c) and c.cell_type == "markdown"]
    assert graded and manual
    for name, gid, points in graded:
        assert float(rows["alice"]["%s:%s" % (name, gid)]) == points
        assert float(rows["bob"]["%s:%s" % (name, gid)]) == 0
    for name, gid in manual:
        assert rows["alice"]["%s:%s" % (name, gid)] == "manual"
    total = sum(p for _, _, p in graded)
    assert float(rows["alice"]["total"]) == float(rows["alice"]["max"]) == total
    assert float(rows["bob"]["total"]) == 0
    assert rows["alice"]["reveal_used"] == rows["bob"]["reveal_used"] == "no"
    assert rows["alice"]["notes"] == ""
    assert rows["bob"]["notes"] == "; ".join("%s: not submitted" % name for name, _ in sources
                                             if name not in BOB_HANDS_IN)
    for s in ("alice", "bob"):
        assert (tmp_path / "feedback" / (s + ".md")).read_text().startswith("# Feedback for " + s)


def _released(out, student, name="a01_free_lists"):
    return nbformat.read(str(out / "release" / student / (name + ".ipynb")), as_version=4)


def _cell(nb, gid):
    return next(c for c in nb.cells if C.grade_id(c) == gid)


def test_broken_submissions_are_graded_as_far_as_they_go(course, tmp_path):
    """A cell that raises, a kernel that dies, a loop past the time limit and a tampered notebook
    (check removed, hidden test cell rewritten, seed edited) are each reported; what ran
    before is graded, restored cells are graded as released; the grader itself carries on."""
    out, sources, solved = course
    name = "a01_free_lists"
    source = dict(sources)[name]
    points = {C.grade_id(c): C.points(c) for c in source.cells if C.is_grade(c)}
    students = {"raise": "alice", "die": "bob", "loop": "alice", "tamper": "bob"}
    roster_secret = {}
    sub = tmp_path / "submitted"
    for who, like in students.items():
        # each broken student is graded as its own id: re-release that id's variant
        nb_dir = tmp_path / "rel"
        release(nb_dir, SECRET, roster=[who], source_dir=None)
        nb = _released(nb_dir, who)
        seed = variant_seed(SECRET, who, name)
        key = solve_in_process(source, seed, who)
        q1 = "answer1 = %s" % _literal(key["q1_answer"]["answer1"])
        _cell(nb, "q1_answer").source = q1
        if who == "raise":
            _cell(nb, "q1_answer").source = "answer1 = p1.answers()  # a reveal"
            _cell(nb, "q2_answer").source = "answer2 = 1 / 0"
        elif who == "die":
            _cell(nb, "q2_answer").source = "import os\nos._exit(1)"
        elif who == "loop":
            _cell(nb, "q2_answer").source = "while True:\n    pass"
        else:
            nb.cells.remove(_cell(nb, "q1_check"))
            _cell(nb, "q2_test").source = "3"
            _cell(nb, "parameters").source = "STUDENT = 'tamper'\nSEED = 5"
            fake = solve_in_process(source, 5, who)
            _cell(nb, "q2_answer").source = "answer2 = %s" % _literal(fake["q2_answer"]["answer2"])
        roster_secret[who] = seed
        (sub / who).mkdir(parents=True)
        nbformat.write(nb, str(sub / who / (name + ".ipynb")))
    results = grade(sub, tmp_path / "grades.csv", SECRET, time_limit=8)
    by = {s: {g.assignment: g for g in gs} for s, gs in results.items()}
    for who in students:
        g = by[who][name]
        assert g.scores["q1_test"] == points["q1_test"], (who, g.notes)
        assert g.scores["q2_test"] < points["q2_test"], (who, g.notes)
        assert any(n == "not submitted" for n in by[who]["a02_alloc_free"].notes)
    notes = {who: " | ".join(by[who][name].notes) for who in students}
    assert "answer q2_answer raised ZeroDivisionError" in notes["raise"]
    assert "calls .answers()" in notes["raise"] and by["raise"][name].reveals
    assert "kernel died" in notes["die"] and by["die"][name].reveals is None
    assert "time limit of 8s" in notes["loop"] and by["loop"][name].reveals == ()
    assert "q1_check was removed" in notes["tamper"]
    assert "q2_test was edited" in notes["tamper"]
    assert "the seed (parameters cell) was edited" in notes["tamper"]
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert rows["raise"]["reveal_used"] == "yes" and rows["loop"]["reveal_used"] == "no"
    assert rows["die"]["reveal_used"] == "unknown"


def test_readme_teaching_commands_parse():
    """Every `python -m buddylab.teach` command of the README's teaching section is accepted by
    the command line as written (the section's round trip itself is test_round_trip_two_students)."""
    import shlex
    from buddylab.teach.__main__ import _parser
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Teaching with buddylab", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("buddylab.teach", 1)[1] for line in section.splitlines()
                if line.startswith(".venv/bin/python -m buddylab.teach ")]
    assert [c.split()[0] for c in commands] == ["release", "grade"]
    for c in commands:
        args = _parser().parse_args(shlex.split(c.replace("$C", "/tmp/course")))
        assert args.secret_file == "/tmp/course/secret"


def test_restore_takes_locked_cells_from_the_source_and_names_what_changed(course):
    """restore() (no kernel): hidden tests come back, the seed is the recomputed one, the
    student's answers and own cells are kept, and edits, removals, a patched buddylab and a
    rebound SEED are each named."""
    from buddylab.teach.grade import restore
    out, sources, _ = course
    name = "a02_alloc_free"
    source = dict(sources)[name]
    nb = _released(out, "alice", name)
    _cell(nb, "q1_answer").source = "answer1 = {}\nSEED = 3"
    nb.cells.remove(_cell(nb, "q2_test"))
    _cell(nb, "q3_check").source = "print('all right')"
    nb.cells.insert(3, nbformat.v4.new_code_cell("bl.problems.Problem.check = lambda s, a: 1"))
    seed = variant_seed(SECRET, "alice", name)
    run, notes = restore(source, nb, name, "alice", seed)
    text = " | ".join(notes)
    assert "answer q1_answer assigns SEED or STUDENT" in text
    assert "cell q2_test was removed" in text and "cell q3_check was edited" in text
    assert "an added cell patches buddylab" in text
    assert "seed" not in text.replace("assigns SEED", "")  # the parameters were left alone
    ids = [C.grade_id(c) for c in run.cells]
    assert ids.index("q2_test") == ids.index("q2_check") + 1  # back in its place
    assert C.BEGIN_HIDDEN in _cell(run, "q2_test").source
    assert "SEED = %d" % seed in _cell(run, "parameters").source
    assert _cell(run, "q1_answer").source == "answer1 = {}\nSEED = 3"
    assert _cell(run, "q3_check").source == _cell(source, "q3_check").source


def test_an_answer_reading_a_private_name_or_probing_the_check_is_named(course):
    """p._worked().key holds the answers and records no reveal (buddylab/problems/_base.py), and
    a loop over check() finds a field by its score: an answer cell that reaches for a private
    name or calls check() is named for a person to look at."""
    from buddylab.teach.grade import restore
    out, sources, _ = course
    name = "a02_alloc_free"
    nb = _released(out, "alice", name)
    _cell(nb, "q1_answer").source = "answer1 = dict(p1._worked().key)"
    _cell(nb, "q2_answer").source = "answer2 = {'pfn': 3}"
    _cell(nb, "q3_answer").source = ("answer3 = {}\nfor v in range(64):\n"
                                     "    if p3.check({'pfn': v}).score > 0: answer3['pfn'] = v")
    run, notes = restore(dict(sources)[name], nb, name, "alice",
                         variant_seed(SECRET, "alice", name))
    text = " | ".join(notes)
    assert "answer q1_answer uses a private name" in text
    assert "answer q3_answer calls .check()" in text
    assert "q2_answer" not in text


def test_quiet_asyncio_keeps_abandoned_task_tracebacks_off_stderr(caplog):
    """A task that fails and is never awaited (nbclient's output poller after a time limit)
    is logged by asyncio when collected; inside quiet_asyncio() it is not, outside it is."""
    import asyncio
    import gc
    import logging
    from buddylab.teach.kernel import quiet_asyncio

    def abandon():
        # In a thread of its own: another test's session fixture (Playwright's sync API in
        # tests/e2e) may keep an event loop running in this one.
        import threading

        def run():
            async def fails():
                raise RuntimeError("abandoned")
            loop = asyncio.new_event_loop()
            task = loop.create_task(fails())
            loop.run_until_complete(asyncio.sleep(0.01))
            loop.close()
            del task
            gc.collect()
        t = threading.Thread(target=run)
        t.start()
        t.join()

    caplog.set_level(logging.ERROR, logger="asyncio")
    with quiet_asyncio():
        abandon()
    assert not [r for r in caplog.records if r.name == "asyncio"]
    abandon()  # the control: without it asyncio does log the task
    assert [r for r in caplog.records if r.name == "asyncio"]


def _points_in_process(nb):
    """Run a notebook's code cells here, in order; {grade_id: points} of its graded cells,
    scored as nbgrader does (the value of a final expression is partial credit)."""
    import ast
    import contextlib
    import io
    ns, got = {}, {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(tree, "cell", "exec"), ns)
            value = eval(compile(ast.Expression(last.value), "cell", "eval"), ns) if last else None
        if C.is_grade(cell):
            got[C.grade_id(cell)] = float(value)
    return got


def test_every_variant_solved_scores_full_and_untouched_scores_zero(course):
    """For both students and every assignment (in this process, no kernel): the instructor's
    solved variant earns every point of every graded cell; the student's untouched copy, with
    the hidden tests restored, earns none."""
    from buddylab.teach.grade import restore
    from buddylab import reveal
    out, sources, _ = course
    before = reveal.revealed()
    for student in ROSTER:
        for name, source in sources:
            full = {C.grade_id(c): C.points(c) for c in source.cells
                    if C.is_grade(c) and c.cell_type == "code"}
            solved = nbformat.read(str(out / "instructor" / student / (name + ".ipynb")), 4)
            assert _points_in_process(solved) == full, (student, name)
            seed = variant_seed(SECRET, student, name)
            untouched, notes = restore(source, _released(out, student, name), name, student, seed)
            assert notes == []
            assert _points_in_process(untouched) == {gid: 0.0 for gid in full}, (student, name)
    assert reveal.revealed() == before  # literal answers: no solved variant calls answers()
