"""The chapter exercises of buddylab, by name, with self-checks that never tell the answer.

Kernel: none (teaching support).

Every exercise of chapters 00-07 is defined here (one module per chapter, ``ch00`` ...
``ch07``), not in the notebooks: a chapter fetches it by name and the student's cells
hold only ``answer = ...`` and the check.

- ``ALL``: every chapter exercise, a dict from name ("02.1": chapter 02, exercise 1) to
  `Exercise`, in chapter order.
- ``get(name)``: one of them; an unknown name raises `UnknownExerciseError` naming the
  known ones.
- ``Exercise.check(answer)`` -> `Verdict`: ``str(v)`` is one line of feedback (where the
  first difference is and which kernel rule is at stake, never the expected value);
  ``v.score`` (0..1, the share of steps right), ``v.correct``, ``v.answered``,
  ``v.well_formed``.  ``...`` (Ellipsis) or None is "not answered yet"; an answer of the
  wrong shape gets one line saying what shape is wanted.
- ``Exercise.hint()``: the next hint, in order; ``Exercise.reveal()``: the answer, recorded
  in `buddylab.reveal` so that a graded notebook shows it was used.
- ``Exercise.ask()`` prints the question (and the state it is asked on).
- ``get(name, seed=N)``: a seeded variant of the exercises in ``VARIED`` (another setup,
  the same rules), so that every student of a class can get their own numbers.

The key is recomputed by the model from the exercise's ``setup`` at every check; nothing
stores it.

>>> ex = get("02.1")
>>> print(ex.check(...))
02.1: not answered yet (replace ... by your answer and run the check again).
>>> print(ex.check(56))
02.1: wanted a list of 6 pfns (ints), e.g. [n, n, n, ...]; you gave an int.
>>> sorted(ALL)[:3]
['00.1', '01.1', '01.2']
"""

from ..errors import BuddyLabError
from .core import Exercise, Verdict
from . import ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07

__all__ = ["ALL", "VARIED", "get", "Exercise", "Verdict", "UnknownExerciseError"]


class UnknownExerciseError(BuddyLabError):
    """A name that is not a chapter exercise."""


ALL = {ex.name: ex for chapter in (ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07)
       for ex in chapter.EXERCISES}


def get(name, seed=None):
    """The chapter exercise called `name` ("02.1"); with `seed`, its seeded variant.

    ``get("02.1", seed=N)`` draws another setup of the same exercise from N (the
    exercises in `VARIED`), so each student of a class can get their own numbers; the
    check recomputes the key from that setup.  An exercise whose setup is fixed raises
    BuddyLabError when asked for a seed.
    """
    try:
        ex = ALL[str(name)]
    except KeyError:
        raise UnknownExerciseError("no exercise %r; there are %s" % (name, ", ".join(ALL))) from None
    return ex if seed is None else ex.variant(seed)


#: the names of the exercises that have seeded variants
VARIED = tuple(name for name, ex in ALL.items() if ex.varies)
