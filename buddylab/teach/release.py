"""Release: a student version of each source assignment, per student; solved variants and a key.

Kernel: none (teaching support).

A source assignment (``notebooks/assignments/a*.ipynb``) is an nbgrader
source notebook: its parameters cell (grade_id ``parameters``) holds
``STUDENT`` and ``SEED``; answer cells hold the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION``; test cells hold hidden checks
between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``.

- `student_version()` is what a student receives: the parameters cell
  rewritten with the student's id and seed, solutions replaced by stubs,
  hidden tests removed, outputs cleared, metadata cut to nbgrader's.
- `solved_version()` is the instructor's copy of the same variant: the
  solution code run in this process and written back as literal answers.
- `answer_key()` is a markdown key: each question's answer for each student,
  the model answers of the free-text questions, and the model answers of the
  chapters' discussion questions (`buddylab.teach.discussion`).

nbformat is imported only when a notebook is read or written.
"""

import ast
import contextlib
import copy
import io
import os
import pprint
from pathlib import Path

from .. import reveal
from . import cells as C
from .seeds import TeachError, variant_seed

__all__ = ["PARAMETERS_ID", "CLASS_ID", "default_source_dir", "load_assignments",
           "parameters_source", "student_version", "solved_version", "solve_in_process",
           "release", "answer_key", "write_notebook"]

PARAMETERS_ID = "parameters"
CLASS_ID = "class"  # the student id of a release without a roster (one shared variant)
KEEP_NB_METADATA = ("kernelspec", "language_info")


def default_source_dir():
    """notebooks/assignments of the repository this package sits in."""
    return Path(__file__).resolve().parents[2] / "notebooks" / "assignments"


def _nbformat(run=False):
    """nbformat (and, with `run`, a check that nbclient is there), or a TeachError."""
    try:
        import nbformat
        if run:
            import nbclient  # noqa: F401
    except ImportError:
        raise TeachError("the teach commands need nbformat and nbclient: "
                         "pip install -e '.[teach]'") from None
    return nbformat


def load_assignments(source_dir):
    """[(name, notebook)] of every ``a*.ipynb`` in `source_dir`, by name."""
    nbformat = _nbformat()
    folder = Path(source_dir)
    paths = sorted(folder.glob("a*.ipynb"))
    if not paths:
        raise TeachError("no source assignments (a*.ipynb) in %s" % folder)
    out = []
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        if not any(C.grade_id(c) == PARAMETERS_ID for c in nb.cells):
            raise TeachError("%s has no parameters cell (grade_id %r)" % (path, PARAMETERS_ID))
        out.append((path.stem, nb))
    return out


def parameters_source(student, seed):
    """The parameters cell of one variant."""
    return ("# Your variant: `python -m buddylab.teach release` wrote these values.\n"
            "# Do not edit this cell: the grader recomputes them.\n"
            "STUDENT = %r\nSEED = %d" % (str(student), seed))


def _clear_outputs(cell):
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("nbgrader", "tags")}
    cell.pop("attachments", None)


def _variant(nb, assignment, student, seed):
    out = copy.deepcopy(nb)
    out.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NB_METADATA}
    out.metadata["buddylab"] = {"assignment": assignment, "student": str(student)}
    for cell in out.cells:
        _clear_outputs(cell)
        if C.grade_id(cell) == PARAMETERS_ID:
            cell.source = parameters_source(student, seed)
    return out


def student_version(nb, assignment, student, seed):
    """What `student` receives: stubs for solutions, no hidden tests, no outputs."""
    out = _variant(nb, assignment, student, seed)
    for cell in out.cells:
        if C.is_solution(cell):
            cell.source = C.clear_solution(cell.source, cell.cell_type)
            cell.metadata["deletable"] = False  # as nbgrader's LockCells does
        else:
            if cell.cell_type == "code":
                cell.source = C.clear_hidden_tests(cell.source)
            if C.is_locked(cell):
                cell.metadata["editable"] = cell.metadata["deletable"] = False
        for key in ("checksum", "cell_type"):  # nbgrader's bookkeeping, rebuilt by nbgrader
            cell.metadata.get("nbgrader", {}).pop(key, None)
    return out


def _literal(value):
    """`value` as Python source that evaluates back to it, or None."""
    text = pprint.pformat(value, width=88, sort_dicts=False)
    try:
        if ast.literal_eval(text) == value:
            return text
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    return None


def solve_in_process(nb, seed, student=CLASS_ID):
    """Run the variant's code cells here (solutions included, in order).

    Returns {grade_id: {name: value}} of the names each code answer cell assigns,
    and under the key ``"printed"`` {grade_id: text} of what each cell printed.
    Reveals recorded while solving (a solution may call ``.answers()``) are
    forgotten afterwards: this is the teacher's process, not a student's.
    """
    before = reveal.revealed()
    ns = {"__name__": "__main__"}
    found, printed = {}, {}
    cwd = os.getcwd()
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            gid = C.grade_id(cell)
            src = parameters_source(student, seed) if gid == PARAMETERS_ID else cell.source
            if C.is_solution(cell):
                src = C.solution_text(src)
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    exec(compile(src, "<cell %s>" % gid, "exec"), ns)  # noqa: S102 - our own notebooks
            except Exception as e:  # noqa: BLE001 - name the cell, whatever went wrong
                raise TeachError("cell %s failed while solving seed %d: %s: %s"
                                 % (gid, seed, type(e).__name__, e)) from None
            printed[gid] = buf.getvalue()
            if C.is_solution(cell):
                names = [t.id for node in ast.parse(src).body if isinstance(node, ast.Assign)
                         for t in node.targets if isinstance(t, ast.Name)]
                found[gid] = {n: ns[n] for n in names}
    finally:
        os.chdir(cwd)
        reveal.clear()
        for name in before:
            reveal.record(name)
    found["printed"] = printed
    return found


def solved_version(nb, assignment, student, seed, solved=None):
    """The instructor's copy of `student`'s variant: literal answers, hidden tests kept."""
    solved = solve_in_process(nb, seed, student) if solved is None else solved
    out = _variant(nb, assignment, student, seed)
    for cell in out.cells:
        gid = C.grade_id(cell)
        if cell.cell_type == "code" and C.is_solution(cell) and gid in solved:
            lines = []
            for name, value in solved[gid].items():
                text = _literal(value)
                if text is None:  # not a literal: keep the solution code as written
                    break
                lines.append("%s = %s" % (name, text))
            else:
                cell.source = C.replace_solution(cell.source, "\n".join(lines))
    return out


def write_notebook(nb, path):
    nbformat = _nbformat()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _question_title(nb, index):
    """The first heading line above cell `index` (the question's title)."""
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return cell.source.strip().splitlines()[0].lstrip("# ").strip()
    return ""


def _previous_code_id(nb, index):
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "code":
            return C.grade_id(cell)
    return None


def answer_key(assignments, variants, discussion=True):
    """The markdown key. `variants` is [(student, {assignment: (seed, solved)})]."""
    from .discussion import discussion_key
    out = ["# Answer key", "",
           "Generated by `python -m buddylab.teach release --with-solutions`.",
           "Keep it away from students: it holds every variant's answers.",
           "Each answer follows the first line its problem cell printed: the command that "
           "rebuilds that student's problem (add `-c` for the solved text, `--explain` for "
           "the reasoning).", ""]
    for name, nb in assignments:
        out += ["## %s" % name, ""]
        for i, cell in enumerate(nb.cells):
            if not C.is_solution(cell):
                continue
            gid = C.grade_id(cell)
            out += ["### %s: %s" % (gid, _question_title(nb, i)), ""]
            if cell.cell_type == "markdown":
                out += ["Graded by hand. Model answer:", "", C.solution_text(cell.source), ""]
                continue
            shown_by = _previous_code_id(nb, i)
            for student, per in variants:
                seed, solved = per[name]
                first = (solved["printed"].get(shown_by) or "").strip().split("\n")[0]
                out += ["%s (seed %d): `%s`" % (student, seed, first), "", "```python"]
                for var, value in solved.get(gid, {}).items():
                    out.append("%s = %s" % (var, _literal(value) or repr(value)))
                out += ["```", ""]
    if discussion:
        out += discussion_key()
    return "\n".join(out).rstrip() + "\n"


def release(out_dir, secret, roster=None, source_dir=None, with_solutions=False):
    """Write the student versions (and, on request, the instructor's copies and the key).

    Layout: ``OUT/release/STUDENT/NAME.ipynb`` for students (STUDENT is ``class`` without a
    roster: one shared variant); with solutions, ``OUT/instructor/STUDENT/NAME.ipynb`` and
    ``OUT/instructor/answer_key.md``.  Returns the list of files written.
    """
    assignments = load_assignments(source_dir or default_source_dir())
    students = list(roster) if roster else [CLASS_ID]
    out_dir = Path(out_dir)
    written, variants = [], []
    for student in students:
        per = {}
        for name, nb in assignments:
            seed = variant_seed(secret, student, name)
            path = out_dir / "release" / student / (name + ".ipynb")
            write_notebook(student_version(nb, name, student, seed), path)
            written.append(path)
            if with_solutions:
                solved = solve_in_process(nb, seed, student)
                per[name] = (seed, solved)
                path = out_dir / "instructor" / student / (name + ".ipynb")
                write_notebook(solved_version(nb, name, student, seed, solved), path)
                written.append(path)
        variants.append((student, per))
    if with_solutions:
        path = out_dir / "instructor" / "answer_key.md"
        path.write_text(answer_key(assignments, variants), encoding="utf-8")
        written.append(path)
    return written
