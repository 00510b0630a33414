"""Grade submitted notebooks: restore the checks, run each in a fresh kernel, score, report.

Kernel: none (teaching support).

Submissions sit in ``DIR/STUDENT/NAME.ipynb``.  For each one the grader

1. rebuilds the notebook from the source assignment, matched by nbgrader
   ``grade_id`` (never by position): every locked cell (parameters, problem,
   visible and hidden checks) comes from the source, the parameters cell gets
   the seed recomputed from the course secret and the student id (never the
   one in the submission), and only the student's answer cells and extra
   cells are kept.  A locked cell that was edited or removed, an edited seed,
   or an answer cell that touches the seed, the answers or the reveal log is
   reported;
2. appends a probe that writes ``buddylab.reveal.revealed()`` to a file whose
   name the student's cells cannot know (read back after the run, so it works
   even after a cell was interrupted);
3. runs it with nbclient in a fresh kernel of this interpreter within a time
   limit (`kernel.run_cells`);
4. scores each graded cell as nbgrader does (nbgrader/utils.py,
   determine_grade()): an error or stderr output scores 0, a numeric result
   scores that many points (partial credit, capped at the cell's points),
   anything else scores full points; a cell that never ran scores 0.
   Free-text answers (graded markdown cells) are left to the teacher.

A notebook that is missing, unreadable, crashes, loops or was tampered with is
graded as far as it can be and reported; nothing a student submits stops the
grader.
"""

import csv
import json
import re
import secrets
import tempfile
from pathlib import Path

from . import cells as C
from .kernel import run_cells
from .release import (CLASS_ID, PARAMETERS_ID, _nbformat, load_assignments,
                      default_source_dir, student_version)
from .seeds import TeachError, variant_seed

__all__ = ["grade", "grade_notebook", "NotebookGrade", "restore"]

PROBE = ("import json as _bl_json, buddylab.reveal as _bl_reveal\n"
         "with open(%r, 'w') as _bl_f:\n"
         "    _bl_json.dump(list(_bl_reveal.revealed()), _bl_f)")
# What an answer cell has no business doing (reported, not punished: a teacher decides).
SUSPECT = [(re.compile(r"\bSEED\s*=(?!=)|\bSTUDENT\s*=(?!=)"), "assigns SEED or STUDENT"),
           (re.compile(r"\.answers\s*\("), "calls .answers()"),
           (re.compile(r"\breveal\b"), "uses reveal"),
           (re.compile(r"\.solution\s*\("), "calls .solution()"),
           (re.compile(r"\b(bl|buddylab)(\.\w+)+\s*=(?!=)|\bsetattr\s*\(|\bcheck\s*=(?!=)"),
            "patches buddylab (the checks run in the student's process)"),
           # p._worked().key holds the answers and records no reveal
           (re.compile(r"\._\w+"), "uses a private name (the key can be read there unrecorded)"),
           # a loop over candidate values, kept by the score, finds the key field by field
           (re.compile(r"\.check\s*\("), "calls .check() (a search over the self-check?)")]


class NotebookGrade:
    """One student's grade on one assignment."""

    __slots__ = ("assignment", "scores", "max_points", "manual", "reveals", "notes", "feedback")

    def __init__(self, assignment):
        self.assignment = assignment
        self.scores = {}       # grade_id -> points earned (autograded cells)
        self.max_points = {}   # grade_id -> points possible
        self.manual = {}       # grade_id -> the student's free-text answer
        self.reveals = None    # tuple of revealed names, None if the probe did not run
        self.notes = []        # problems found: tampering, crash, time limit, missing
        self.feedback = []     # (grade_id, text) the checks printed

    @property
    def total(self):
        return sum(self.scores.values())


def _source_text(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def restore(source_nb, submitted_nb, assignment, student, seed):
    """The notebook to run: source cells where locked, the student's where answers.
    Returns (notebook, notes)."""
    released = student_version(source_nb, assignment, student, seed)
    expected = {C.grade_id(c): c for c in released.cells if C.grade_id(c)}
    notes, seen, cells = [], set(), []
    sub_cells = list(getattr(submitted_nb, "cells", []))
    source_by_id = {C.grade_id(c): c for c in source_nb.cells if C.grade_id(c)}
    order = [C.grade_id(c) for c in source_nb.cells if C.grade_id(c)]

    def source_cell(gid):
        """The cell as the grader runs it: the source's, with this student's parameters; an
        answer cell comes back as the stub."""
        cell = _copy_cell(source_by_id[gid])
        if gid == PARAMETERS_ID or C.is_solution(cell):
            cell.source = expected[gid].source
        return cell

    for sub in sub_cells:
        gid = C.grade_id(sub)
        if gid is None or gid not in source_by_id:
            if gid is not None:
                notes.append("cell %s is not in the assignment (run as the student's own cell)"
                             % gid)
            if sub.get("cell_type") == "code":
                _suspect(sub, "an added cell", notes)
            cells.append(_copy_cell(sub))
            continue
        if gid in seen:
            notes.append("cell %s appears twice: the second copy was dropped" % gid)
            continue
        seen.add(gid)
        src_cell = source_by_id[gid]
        if C.is_solution(src_cell):
            kept = _copy_cell(sub)
            kept.metadata["nbgrader"] = dict(C.nbgrader_meta(src_cell))
            if kept.cell_type != src_cell.cell_type:
                notes.append("answer %s changed cell type: restored as released" % gid)
                kept = source_cell(gid)
            elif kept.cell_type == "code":
                _suspect(kept, "answer %s" % gid, notes)
            cells.append(kept)
            continue
        as_released = {expected[gid].source.strip(), source_cell(gid).source.strip()}
        if _source_text(sub).strip() not in as_released:  # student's or instructor's copy
            what = "the seed (parameters cell)" if gid == PARAMETERS_ID else "cell %s" % gid
            notes.append("%s was edited: restored from the assignment" % what)
        cells.append(source_cell(gid))
    # cells removed from the submission go back after the cell that precedes them in the source
    for k, gid in enumerate(order):
        if gid in seen:
            continue
        notes.append("cell %s was removed: restored from the assignment" % gid)
        pos = 0
        for prev in reversed(order[:k]):
            hits = [j for j, c in enumerate(cells) if C.grade_id(c) == prev]
            if hits:
                pos = hits[0] + 1
                break
        cells.insert(pos, source_cell(gid))
        seen.add(gid)
    nb = _copy_nb(source_nb)
    nb.cells = cells
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, notes


def _suspect(cell, where, notes):
    text = _source_text(cell)
    for rx, what in SUSPECT:
        if rx.search(text):
            notes.append("%s %s" % (where, what))


def _copy_cell(cell):
    nbformat = _nbformat()
    return nbformat.from_dict(json.loads(json.dumps(cell)))


def _copy_nb(nb):
    nbformat = _nbformat()
    out = nbformat.v4.new_notebook()
    out.metadata = nbformat.from_dict(json.loads(json.dumps(nb.metadata)))
    return out


def _cell_score(cell, max_points):
    """nbgrader's rule (nbgrader/utils.py, determine_grade()) for an executed code test cell."""
    for out in cell.get("outputs", []):
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr"):
            return 0.0
        if out.output_type == "execute_result":
            try:
                value = float(out.get("data", {}).get("text/plain", ""))
            except ValueError:
                return max_points
            return min(max(value, 0.0), max_points)
    return max_points


def _printed(cell):
    text = "".join(o.text for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout")
    errors = ["%s: %s" % (o.ename, o.evalue) for o in cell.get("outputs", [])
              if o.output_type == "error"]
    return "\n".join(t for t in [text.strip()] + errors if t)


def grade_notebook(source_nb, path, assignment, student, seed, time_limit=60):
    """Grade one submitted notebook (which may be missing or broken)."""
    nbformat = _nbformat()
    g = NotebookGrade(assignment)
    graded = [c for c in source_nb.cells if C.is_grade(c)]
    for c in graded:
        if c.cell_type == "code":
            g.max_points[C.grade_id(c)] = C.points(c)
            g.scores[C.grade_id(c)] = 0.0
    path = Path(path)
    if not path.exists():
        g.notes.append("not submitted")
        g.reveals = ()  # nothing ran, nothing was revealed
        return g
    try:
        submitted = nbformat.read(str(path), as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable file is reported, never raised
        g.notes.append("unreadable notebook (%s): graded as empty" % type(e).__name__)
        submitted = nbformat.v4.new_notebook()
    nb, notes = restore(source_nb, submitted, assignment, student, seed)
    g.notes += notes
    with tempfile.TemporaryDirectory(prefix="buddylab-grade-") as work:
        log_path = Path(work) / (".reveal-%s.json" % secrets.token_hex(8))
        nb.cells.append(nbformat.v4.new_code_cell(PROBE % str(log_path)))
        try:
            status = run_cells(nb, work, time_limit)
        except Exception as e:  # noqa: BLE001 - a kernel that will not start
            g.notes.append("could not run the notebook: %s: %s" % (type(e).__name__, e))
            return g
        try:
            g.reveals = tuple(json.loads(log_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            g.notes.append("could not read the reveal log")
    if status.state == "timeout":
        g.notes.append("time limit of %ds reached in cell %d (%s): later cells not run"
                       % (time_limit, status.cell, C.grade_id(nb.cells[status.cell]) or "own cell"))
    elif status.state == "dead kernel":
        g.notes.append("the kernel died in cell %d (%s): later cells not run"
                       % (status.cell, C.grade_id(nb.cells[status.cell]) or "own cell"))
    ran = set(status.ran)
    for i, cell in enumerate(nb.cells):
        gid = C.grade_id(cell)
        if cell.cell_type == "code" and C.is_solution(cell):
            err = [o for o in cell.outputs if o.output_type == "error"]
            if err:
                g.notes.append("answer %s raised %s" % (gid, err[0].ename))
        if not C.is_grade(cell):
            continue
        if cell.cell_type == "markdown":
            g.manual[gid] = _source_text(cell).strip()
            continue
        if gid not in g.max_points:
            continue
        g.scores[gid] = _cell_score(cell, g.max_points[gid]) if i in ran else 0.0
        text = _printed(cell) if i in ran else "not run"
        g.feedback.append((gid, text))
    return g


def _students(folder):
    folder = Path(folder)
    if not folder.is_dir():
        raise TeachError("%s is not a folder of submissions (DIR/STUDENT/*.ipynb)" % folder)
    out = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not out:
        raise TeachError("%s holds no student folder (DIR/STUDENT/*.ipynb)" % folder)
    return out


def feedback_text(student, grades):
    out = ["# Feedback for %s" % student, ""]
    for g in grades:
        possible = sum(g.max_points.values())
        out += ["## %s: %g of %g points" % (g.assignment, g.total, possible), ""]
        for gid, text in g.feedback:
            out.append("- %s: %g/%g. %s" % (gid, g.scores[gid], g.max_points[gid],
                                            " ".join(text.split()) or "(no output)"))
        for gid in g.manual:
            out.append("- %s: graded by hand" % gid)
        if g.reveals:
            out.append("- answers revealed in the notebook: %s" % ", ".join(g.reveals))
        for note in g.notes:
            out.append("- note: %s" % note)
        out.append("")
    return "\n".join(out)


def grade(submissions, out_csv, secret, source_dir=None, time_limit=60, feedback_dir=None,
          shared_variant=False, log=None):
    """Grade every ``SUBMISSIONS/STUDENT/*.ipynb``; write the CSV and one feedback file per
    student (``FEEDBACK_DIR/STUDENT.md``, next to the CSV by default).
    Returns {student: [NotebookGrade]}."""
    _nbformat(run=True)
    assignments = load_assignments(source_dir or default_source_dir())
    students = _students(submissions)
    out_csv = Path(out_csv)
    feedback_dir = Path(feedback_dir) if feedback_dir else out_csv.parent / "feedback"
    columns = [(name, C.grade_id(c)) for name, nb in assignments for c in nb.cells
               if C.is_grade(c)]
    results = {}
    for folder in students:
        student = folder.name
        grades = []
        for name, nb in assignments:
            seed = variant_seed(secret, CLASS_ID if shared_variant else student, name)
            vid = CLASS_ID if shared_variant else student
            g = grade_notebook(nb, folder / (name + ".ipynb"), name, vid, seed, time_limit)
            grades.append(g)
            if log:
                log("%s %s: %g/%g%s" % (student, name, g.total, sum(g.max_points.values()),
                                        "; " + "; ".join(g.notes) if g.notes else ""))
        results[student] = grades
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    feedback_dir.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student"] + ["%s:%s" % col for col in columns]
                   + ["total", "max", "reveal_used", "notes"])
        for student, grades in results.items():
            by_name = {g.assignment: g for g in grades}
            row = [student]
            for name, gid in columns:
                g = by_name[name]
                row.append("%g" % g.scores[gid] if gid in g.scores else "manual")
            reveal_cells = [g.reveals for g in grades]
            used = ("unknown" if any(r is None for r in reveal_cells)
                    and not any(reveal_cells) else "yes" if any(reveal_cells) else "no")
            row += ["%g" % sum(g.total for g in grades),
                    "%g" % sum(sum(g.max_points.values()) for g in grades), used,
                    "; ".join("%s: %s" % (g.assignment, n) for g in grades for n in g.notes)]
            w.writerow(row)
            (feedback_dir / (student + ".md")).write_text(feedback_text(student, grades),
                                                            encoding="utf-8")
    return results
