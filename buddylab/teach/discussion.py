"""The chapters' discussion questions and their model answers, for the teacher's key.

Kernel: none (teaching support).

The questions live in the chapters (the markdown cell that starts with
``## Questions`` in ``notebooks/NN_*.ipynb``, a numbered list).  Their model
answers live in one of two places: a ``<details>`` block in that same cell
(chapters whose answers are shown to self-paced readers), or the teacher's file
``notebooks/assignments/discussion_answers.md`` (one ``## NN`` section per
chapter, the same numbering).  `discussion_key()` pairs them.

>>> numbered_items("Intro\\n\\n1. First?\\n   More.\\n2. Second?\\n")
{1: 'First?\\nMore.', 2: 'Second?'}
"""

import json
import re
from pathlib import Path

from .seeds import TeachError

__all__ = ["numbered_items", "chapter_questions", "teacher_answers", "discussion",
           "discussion_key", "ANSWERS_FILE"]

ROOT = Path(__file__).resolve().parents[2]
ANSWERS_FILE = ROOT / "notebooks" / "assignments" / "discussion_answers.md"
ITEM = re.compile(r"^(\d+)\.\s+(.*)$")


def numbered_items(text):
    """{n: text} of a markdown numbered list (continuation lines indented), other lines skipped."""
    items, current = {}, None
    for line in text.splitlines():
        m = ITEM.match(line)
        if m:
            current = int(m.group(1))
            items[current] = m.group(2).strip()
        elif current is not None and line.startswith("   ") and line.strip():
            items[current] += "\n" + line.strip()
        elif not line.strip():
            continue
        else:
            current = None
    return items


def _questions_cell(path):
    """The "## Questions" section of a chapter (up to the next level-2 heading), or None."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        m = re.search(r"^## Questions[^\n]*\n", src, flags=re.MULTILINE)
        if cell["cell_type"] == "markdown" and m:
            return src[m.start():].split("\n## ", 1)[0]
    return None


def chapter_questions(path):
    """({n: question}, {n: answer shown in the chapter}) of one chapter notebook."""
    src = _questions_cell(path)
    if src is None:
        return {}, {}
    body, _, details = src.partition("<details>")
    details = details.split("</summary>", 1)[-1].split("</details>", 1)[0]
    return numbered_items(body.split("\n", 1)[1]), numbered_items(details)


def teacher_answers(path=ANSWERS_FILE):
    """{"NN": {n: answer}} from the teacher's answers file."""
    text = Path(path).read_text(encoding="utf-8")
    out = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        chapter = section.split(None, 1)[0]
        out[chapter] = numbered_items(section.split("\n", 1)[1])
    return out


def discussion(notebooks=None, answers_file=ANSWERS_FILE):
    """[(chapter "NN", title, [(n, question, answer)])] for every chapter with questions.
    A question without a model answer is an error (the key must be complete)."""
    folder = Path(notebooks) if notebooks else ROOT / "notebooks"
    teacher = teacher_answers(answers_file)
    out = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        chapter = path.name[:2]
        questions, shown = chapter_questions(path)
        if not questions:
            continue
        answers = dict(shown)
        answers.update(teacher.get(chapter, {}))
        missing = sorted(set(questions) - set(answers))
        if missing:
            raise TeachError("chapter %s: no model answer for question(s) %s in %s"
                             % (chapter, ", ".join(map(str, missing)), answers_file))
        title = path.stem[3:].replace("_", " ")
        out.append((chapter, title, [(n, questions[n], answers[n]) for n in sorted(questions)]))
    return out


def discussion_key(notebooks=None, answers_file=ANSWERS_FILE):
    """The discussion part of the answer key, as markdown lines."""
    out = ["## Discussion questions of the chapters", ""]
    for chapter, title, items in discussion(notebooks, answers_file):
        out += ["### Chapter %s: %s" % (chapter, title), ""]
        for n, question, answer in items:
            out += ["%d. **%s**" % (n, question.replace("\n", " ")), "",
                    "   " + answer.replace("\n", "\n   "), ""]
    return out
