"""The source assignments of notebooks/assignments/, written from one spec.

Kernel: none (teaching support).

    python -m buddylab.teach.assignments        # rewrite notebooks/assignments/a*.ipynb

Each chapter 01-06 has one assignment: graded questions built on
`buddylab.problems` (the student's variant of each problem comes from the
``SEED`` of the parameters cell, which release rewrites per student) and one
free-text question taken from the chapter's discussion questions, graded by
hand, with its model answer (`buddylab.teach.discussion`) as the solution.

Every question's cells carry nbgrader metadata (schema_version 3):

===============  =========================================  ==============
grade_id         cell                                        nbgrader role
===============  =========================================  ==============
``parameters``   ``STUDENT`` and ``SEED``                     read-only
``setup``        ``import buddylab as bl``                    read-only
``qN_text``      the question (markdown)                      read-only
``qN_problem``   ``pN = bl.problem(...)``, its text, fields   read-only
``qN_answer``    ``answerN = ...`` between solution markers  solution
``qN_check``     ``print(pN.check(answerN))``: self-check     read-only
``qN_test``      hidden: the problem rebuilt from SEED,       autograded
                 checked, ``score × points`` as the result
``dN_text``      the discussion question (markdown)           read-only
``dN_answer``    the model answer between solution markers   manually graded
===============  =========================================  ==============

The hidden test ends with ``result.score * points``, which nbgrader reads as
partial credit (a numeric result), as ``buddylab.teach grade`` does.
A kind that `buddylab.problems` does not offer yet is replaced by the next
choice of the question (the builder says so).
"""

import sys
from pathlib import Path

__all__ = ["Graded", "Discussion", "Assignment", "ASSIGNMENTS", "build", "build_all"]

SCHEMA = 3


class Graded:
    """A question on a problem kind: choices [(kind, params, prompt)], the first the package
    offers is used."""

    def __init__(self, title, choices, points):
        self.title, self.choices, self.points = title, choices, points


class Discussion:
    """A free-text question: chapter NN's discussion question n, graded by hand."""

    def __init__(self, chapter, number, points):
        self.chapter, self.number, self.points = chapter, number, points


class Assignment:
    def __init__(self, name, chapter, title, questions):
        self.name, self.chapter, self.title, self.questions = name, chapter, title, questions


def split(prompt="Which pfn does each allocation get, and what do the free lists hold after?",
          **params):
    return ("split", params, prompt)


ASSIGNMENTS = [
    Assignment("a01_free_lists", "01", "Free page organisation", [
        Graded("Reading /proc/buddyinfo", [
            ("drill", {"topic": "buddyinfo"}, "What a /proc/buddyinfo line counts: blocks, "
                                                 "not pages."),
            split(nr_ops=4)], 2),
        Graded("Reading /proc/pagetypeinfo", [
            ("drill", {"topic": "pagetypeinfo"}, "Free pages by free-list type against "
                                                    "pageblocks by owner."),
            split(nr_ops=4)], 2),
        Graded("Split a block", [split("Four operations on the hand-sized machine: which pfn "
                                       "does each allocation get, and what do the free lists "
                                       "hold after?", nr_ops=4)], 3),
        Discussion("01", 4, 2),
    ]),
    Assignment("a02_alloc_free", "02", "Allocation and freeing", [
        Graded("Allocate and free", [split("Allocations and frees of Movable and Unmovable "
                                           "pages: every pfn, and the free lists at the end.",
                                           nr_ops=8, types="mu")], 3),
        Graded("Merge", [
            ("merge", {}, "What does a free coalesce into, and does it go to the head or the tail?"),
            split(nr_ops=10)], 3),
        Graded("Fallback", [
            ("fallback", {}, "Which list is raided, steal or claim, and does the pageblock change "
                             "type?"),
            split(nr_ops=8, types="mur")], 3),
        Discussion("02", 3, 2),
    ]),
    Assignment("a03_pcp", "03", "Per-CPU pages", [
        Graded("Refill and drain", [
            ("pcp", {}, "When does a pcp refill or drain happen, and which pages leave?"),
            split(nr_ops=6)], 3),
        Graded("Free but not in buddyinfo", [
            ("drill", {"topic": "pcp"}, "Pages on the pcp lists are free, yet /proc/buddyinfo "
                                        "does not show them."),
            split(nr_ops=4)], 2),
        Discussion("03", 4, 2),
    ]),
    Assignment("a04_zones", "04", "Nodes and zones", [
        Graded("Zonelist", [
            ("zonelist", {}, "The walk order for a node and a GFP mask on a NUMA machine."),
            split(nr_ops=4)], 3),
        Graded("Watermark", [
            ("watermark", {}, "Does this request pass in this zone, against which mark and "
                              "protection?"),
            split(nr_ops=4)], 3),
        Discussion("04", 6, 2),
    ]),
    Assignment("a05_interface", "05", "The allocation interface", [
        Graded("What does this call return?", [
            ("interface", {}, "What the call returns, from which zone and migrate type, or why "
                              "it fails."),
            split(nr_ops=4)], 3),
        Graded("Is it a buddy request?", [
            ("drill", {"topic": "malloc"}, "Which requests reach the buddy allocator, and of "
                                           "which order."),
            split(nr_ops=4)], 2),
        Discussion("05", 3, 2),
    ]),
    Assignment("a06_fragmentation", "06", "The buddy system's problems", [
        Graded("Fallback and fragmentation", [
            ("fallback", {}, "Which list is raided, steal or claim, and does the pageblock change "
                             "type?"),
            split(nr_ops=10, types="mu")], 3),
        Graded("Misconceptions", [
            ("drill", {"topic": "fragmented"}, "Plenty of free memory does not make an order-k "
                                               "request succeed."),
            split(nr_ops=4)], 2),
        Discussion("06", 6, 2),
    ]),
]


def _meta(gid, grade=False, solution=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": gid, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _kind(question, kinds, log):
    for kind, params, prompt in question.choices:
        if kind in kinds:
            if kind != question.choices[0][0] and log:
                log("%s: kind %r is not offered yet, using %r"
                    % (question.title, question.choices[0][0], kind))
            return kind, params, prompt
    raise ValueError("none of the kinds %s exists" % [c[0] for c in question.choices])


def _call(kind, params):
    args = "".join(", %s=%r" % kv for kv in params.items())
    return "bl.problem(%r, seed=SEED + %%d%s)" % (kind, args)


INTRO = """\
# Assignment {chapter}: {title}

Chapter [{chapter}](../{notebook}) is the reading for this assignment.
Your problems are your own variant: the parameters cell below holds your seed, so your numbers differ from your classmates'.

- Run every cell in order, and write your answers only in the cells marked `YOUR ANSWER HERE`: an answer is a dict with the keys the problem cell prints (its `fields()`), e.g. `answer1 = {{"pfn_op1": 56, ...}}`.
- The check cell under each answer says which fields are right and, for the others, where the kernel disagrees and which rule is at stake; it never tells the value. `p1.hint()` gives the next hint, for free.
- `p1.answers()`, `p1.explain()` and `p1.text(solved=True)` show the answer: each use is recorded, and the grader reports it.
- Do not edit or delete the other cells: the grader restores them from the assignment and reports the change, and it recomputes your seed.
- Discussion questions are graded by hand: answer in a few sentences, in the kernel's words.
- From the shell, `python -m buddylab problem KIND --seed N` gives endless practice problems of every kind.
"""


def build(spec, kinds=None, log=None, notebooks_dir=None):
    """The source notebook of one assignment (an nbformat NotebookNode)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    from .. import problems
    from .cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION
    from .discussion import discussion
    from .release import PARAMETERS_ID, parameters_source
    kinds = problems.KINDS if kinds is None else kinds
    chapters = {c: (t, {n: (q, a) for n, q, a in items})
                for c, t, items in discussion(notebooks_dir)}
    folder = Path(notebooks_dir) if notebooks_dir else Path(__file__).resolve().parents[2] / "notebooks"
    notebook = next(folder.glob(spec.chapter + "_*.ipynb")).name
    cells = []

    def add(cell, gid, **kw):
        cell.metadata.update(_meta(gid, **kw))
        cell.id = gid.replace("_", "-")
        cells.append(cell)

    add(new_markdown_cell(INTRO.format(chapter=spec.chapter, title=spec.title, notebook=notebook)),
        "intro")
    add(new_code_cell(parameters_source("instructor", 0)), PARAMETERS_ID)
    add(new_code_cell("import buddylab as bl"), "setup")
    n_graded = n_disc = 0
    for q in spec.questions:
        if isinstance(q, Discussion):
            n_disc += 1
            question, answer = chapters[q.chapter][1][q.number]
            gid = "d%d" % n_disc
            add(new_markdown_cell("## Discussion %d (%g points, graded by hand)\n\n"
                                  "Chapter %s, question %d:\n\n%s"
                                  % (n_disc, q.points, q.chapter, q.number, question)),
                gid + "_text")
            add(new_markdown_cell("**Your answer:**\n\n%s\n%s\n%s"
                                  % (BEGIN_SOLUTION, answer, END_SOLUTION)),
                gid + "_answer", grade=True, solution=True, locked=False, points=q.points)
            continue
        n_graded += 1
        n = n_graded
        kind, params, prompt = _kind(q, kinds, log)
        call = _call(kind, params) % n
        add(new_markdown_cell("## Question %d: %s (%g points)\n\n%s\n\n"
                              "Problem kind `%s`; the cell below prints your variant and the "
                              "keys of your answer, each with the shape wanted."
                              % (n, q.title, q.points, prompt, kind)), "q%d_text" % n)
        add(new_code_cell("p{n} = {call}\nprint(p{n}.text())\nprint()\nprint(\"answer{n} keys:\")\n"
                          "for key, shape in p{n}.fields():\n"
                          "    print(\"  %-22r %s\" % (key, shape))".format(n=n, call=call)),
            "q%d_problem" % n)
        add(new_code_cell("# answer{n} = {{key: value, ...}} with every key printed above; "
                          "p{n}.hint() helps.\n{b}\nanswer{n} = p{n}.answers()\n{e}"
                          .format(n=n, b=BEGIN_SOLUTION, e=END_SOLUTION)),
            "q%d_answer" % n, solution=True, locked=False)
        add(new_code_cell("# Self-check: where your answer and the kernel differ, never the value.\n"
                          "print(p{n}.check(answer{n}))".format(n=n)), "q%d_check" % n)
        add(new_code_cell("# Graded: the grader rebuilds your problem from SEED and checks answer{n}.\n"
                          "{b}\nresult{n} = {call}.check(answer{n})\nprint(result{n})\n"
                          "result{n}.score * {pts!r}\n{e}"
                          .format(n=n, call=call, pts=q.points, b=BEGIN_HIDDEN, e=END_HIDDEN)),
            "q%d_test" % n, grade=True, points=q.points)
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    nbformat.validate(nb)
    return nb


def build_all(out_dir=None, log=None, kinds=None):
    """Write every source assignment; returns the paths.  `kinds` limits the problem kinds
    used (default: every kind buddylab.problems offers)."""
    from .release import default_source_dir, write_notebook
    out_dir = Path(out_dir) if out_dir else default_source_dir()
    paths = []
    for spec in ASSIGNMENTS:
        path = out_dir / (spec.name + ".ipynb")
        write_notebook(build(spec, kinds=kinds, log=log), path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build_all(log=lambda s: print("note: " + s, file=sys.stderr)):
        print("wrote", p)
