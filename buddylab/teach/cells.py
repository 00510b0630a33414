"""nbgrader's cell conventions, on plain strings and dicts (no nbformat needed).

Kernel: none (teaching support).

A source assignment marks what a student must not see with nbgrader's
markers, and says what each cell is in nbgrader's cell metadata
(``metadata.nbgrader``: ``grade``, ``grade_id``, ``locked``, ``points``,
``schema_version`` 3, ``solution``, ``task``).  The functions here read and
rewrite those markers the way nbgrader's ClearSolutions and ClearHiddenTests
preprocessors do, so the same notebook works with nbgrader and with
``python -m buddylab.teach``.

>>> src = "x = 1\\n### BEGIN SOLUTION\\nanswer1 = {'pfn': 56}\\n### END SOLUTION\\n"
>>> print(clear_solution(src, "code"))
x = 1
answer1 = None  # YOUR ANSWER HERE
>>> solution_text(src)
"answer1 = {'pfn': 56}"
>>> print(clear_hidden_tests("print(1)\\n### BEGIN HIDDEN TESTS\\nassert secret\\n### END HIDDEN TESTS"))
print(1)
"""

import re

__all__ = ["BEGIN_SOLUTION", "END_SOLUTION", "BEGIN_HIDDEN", "END_HIDDEN", "MARKERS",
           "nbgrader_meta", "grade_id", "is_solution", "is_grade", "is_locked", "points",
           "clear_solution", "clear_hidden_tests", "solution_text", "replace_solution",
           "code_stub", "MARKDOWN_STUB", "MarkerError"]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
MARKDOWN_STUB = "YOUR ANSWER HERE"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's default code stub


class MarkerError(ValueError):
    """A cell whose BEGIN/END markers do not pair up."""


def nbgrader_meta(cell):
    """The cell's ``metadata.nbgrader`` dict ({} when it has none)."""
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def grade_id(cell):
    """The cell's nbgrader ``grade_id``, or None."""
    return nbgrader_meta(cell).get("grade_id")


def is_solution(cell):
    """An answer cell: the student writes here."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_grade(cell):
    """A cell that earns points (a test cell, or a manually graded answer)."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_locked(cell):
    """A cell the student must leave as released (every cell that is not an answer)."""
    return bool(nbgrader_meta(cell)) and not is_solution(cell)


def points(cell):
    """The points a graded cell is worth (0 for any other cell)."""
    return float(nbgrader_meta(cell).get("points", 0)) if is_grade(cell) else 0.0


def _regions(source, begin, end):
    """[(first line, last line)] of each begin..end region, markers included."""
    lines = source.split("\n")
    regions, start = [], None
    for i, line in enumerate(lines):
        text = line.strip()
        if text == begin:
            if start is not None:
                raise MarkerError("%r inside another %r" % (begin, begin))
            start = i
        elif text == end:
            if start is None:
                raise MarkerError("%r without %r" % (end, begin))
            regions.append((start, i))
            start = None
    if start is not None:
        raise MarkerError("%r without %r" % (begin, end))
    return lines, regions


def _replace_regions(source, begin, end, make_stub):
    lines, regions = _regions(source, begin, end)
    out, pos = [], 0
    for first, last in regions:
        out.extend(lines[pos:first])
        indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
        stub = make_stub(lines[first + 1:last])
        out.extend(indent + s for s in stub.split("\n") if stub)
        pos = last + 1
    out.extend(lines[pos:])
    return "\n".join(out).rstrip("\n")


def code_stub(solution_lines):
    """The stub that replaces a solution: ``NAME = None`` when the solution's first line
    assigns an answer variable (so the student's checks can run and say "not answered"),
    nbgrader's NotImplementedError stub otherwise."""
    m = re.match(r"\s*([A-Za-z_]\w*)\s*=", solution_lines[0]) if solution_lines else None
    return "%s = None  # YOUR ANSWER HERE" % m.group(1) if m else CODE_STUB


def clear_solution(source, cell_type):
    """A student's copy of a solution cell: each solution region replaced by a stub; a
    markdown answer with no markers becomes nbgrader's "YOUR ANSWER HERE"."""
    if cell_type == "markdown":
        if BEGIN_SOLUTION not in source:
            return MARKDOWN_STUB
        return _replace_regions(source, BEGIN_SOLUTION, END_SOLUTION, lambda _: MARKDOWN_STUB)
    return _replace_regions(source, BEGIN_SOLUTION, END_SOLUTION, code_stub)


def clear_hidden_tests(source):
    """A test cell without its hidden part (markers included)."""
    return _replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, lambda _: "")


def solution_text(source):
    """The text between the solution markers (all regions, joined), or the whole source."""
    lines, regions = _regions(source, BEGIN_SOLUTION, END_SOLUTION)
    if not regions:
        return source.strip()
    return "\n".join("\n".join(lines[a + 1:b]) for a, b in regions).strip()


def replace_solution(source, new_text):
    """The source with its (single) solution region's body replaced by `new_text`."""
    return _replace_regions(source, BEGIN_SOLUTION, END_SOLUTION,
                            lambda _: "\n".join([BEGIN_SOLUTION, new_text, END_SOLUTION]))
