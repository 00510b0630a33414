"""Self-checked exercises: replay a student's answer against the model.

Kernel: none (teaching support).

An `Exercise` holds a question and a function that computes the true answer
from a fresh model.  `check(answer)` compares the student's answer with it
item by item and reports the FIRST difference only ("step 4: expected ...,
you wrote ..."), never the whole answer, so a student can correct one step at a
time.  An unanswered exercise (None or Ellipsis) says so and passes nothing.

>>> ex = Exercise("e1", "pfns of four order-0 GFP_KERNEL allocations?",
...               lambda: [56, 57, 58, 59], describe=lambda x: "pfn %d" % x)
>>> ex.check([56, 57, 59, 58])
'e1: step 3: expected pfn 58, you wrote pfn 59.'
>>> ex.check([56, 57, 58, 59])
'e1: correct (4 steps).'
>>> ex.check(None)
'e1: not answered yet.'
"""

__all__ = ["Exercise", "first_difference"]


def first_difference(expected, answer, describe=repr):
    """The first position where two sequences differ, as a sentence, or None."""
    expected = list(expected)
    answer = list(answer)
    for i, (e, a) in enumerate(zip(expected, answer), 1):
        if e != a:
            return "step %d: expected %s, you wrote %s." % (i, describe(e), describe(a))
    if len(answer) < len(expected):
        return ("step %d: your answer stops after %d steps; there are more."
                % (len(answer) + 1, len(answer)))
    if len(answer) > len(expected):
        return ("step %d: your answer has more steps than the model takes (%d)."
                % (len(expected) + 1, len(expected)))
    return None


class Exercise:
    """A question whose answer the model computes; check() reports the first difference."""

    def __init__(self, name, question, solve, describe=repr, scalar=False):
        self.name = name
        self.question = question
        self._solve = solve
        self.describe = describe
        self.scalar = scalar

    def __repr__(self):
        return "Exercise %s: %s" % (self.name, self.question)

    def check(self, answer):
        """Compare `answer` with the model; return (and print nothing) a one-line verdict."""
        if answer is None or answer is Ellipsis:
            return "%s: not answered yet." % self.name
        truth = self._solve()
        if self.scalar:
            if answer == truth:
                return "%s: correct." % self.name
            return "%s: not quite: %s is not what the model computes." % (
                self.name, self.describe(answer))
        diff = first_difference(truth, answer, self.describe)
        if diff is None:
            return "%s: correct (%d steps)." % (self.name, len(list(truth)))
        return "%s: %s" % (self.name, diff)

    def solution(self):
        """The model's answer (for teachers; the student copy does not call it)."""
        return self._solve()
