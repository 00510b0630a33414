"""Self-checked exercises: say where and why the kernel disagrees, never what it computes.

Kernel: none (teaching support).

An `Exercise` holds a question, the setup it is asked on (plain data, printed in the
question), a solver that computes the key from that setup AT CHECK TIME (nothing is
cached), the shape an answer must have, a "where" label and a "why" text for every step,
and hints in order.  ``check(answer)`` returns a `Verdict`: its text names the first step
that differs and the kernel rule at stake there, never the value the kernel computes; it
has ``.score`` (the share of steps right, 0..1) and ``.correct`` for a grader.
``hint()`` gives the next hint; only ``reveal()`` gives the answer, and it records that
it did in `buddylab.reveal`.

>>> ex = Exercise("demo", "split an order-1 block",
...               "Which pfns do two order-0 requests get from a block at pfn 8?",
...               setup={"order": 1, "head_pfn": 8},
...               solve=lambda s: [s["head_pfn"], s["head_pfn"] + 1],
...               shape=ListOf(Int("pfn"), 2),
...               where=lambda i, s: "request %d" % (i + 1),
...               why=["expand() keeps the low half for the caller.",
...                    "the upper half went to the head of free_list[order 0]."],
...               hints=["Which half does expand() keep?"])
>>> print(ex.check(...))
demo: not answered yet (replace ... by your answer and run the check again).
>>> print(ex.check([9, 8]))
demo: request 1: you wrote pfn 9; expand() keeps the low half for the caller. (0 of 2 steps right)
>>> print(ex.check("8, 9"))
demo: wanted a list of 2 pfns (ints), e.g. [n, n]; you gave a str.
>>> v = ex.check([8, 9]); print(v); v.score, v.correct
demo: correct (2 of 2 steps).
(1.0, True)
>>> print(ex.hint())
demo, hint 1 of 1: Which half does expand() keep?
"""

import html
import numbers
import textwrap

from .. import reveal as _reveal

__all__ = ["Exercise", "Verdict", "Note", "ShapeError", "Int", "Hex", "Choice", "Optional", "TupleOf",
           "Scalar", "ListOf", "Seq", "block_misfit", "and_list", "draw"]


# --------------------------------------------------------------------------------------
# Shapes: what an answer must look like, and a one-line message when it does not.

class ShapeError(Exception):
    """An answer of the wrong shape; the message is one line for the student."""


def _type_name(value):
    """'a str', 'an int': the type of what the student gave, with its article."""
    name = type(value).__name__
    return ("an " if name[0] in "aeiou" else "a ") + name


class Int:
    """An int (a bool is not one); `what` names it for the student ("pfn 58"; with
    after=True a unit: "58 pages")."""

    def __init__(self, what="int", after=False):
        self.what = what
        self.after = after

    def describe(self, plural=False):
        if self.what == "int":
            return "ints" if plural else "an int"
        if self.after:
            return "ints (%s)" % self.what if plural else "an int (%s)" % self.what
        return "%ss (ints)" % self.what if plural else "a %s (an int)" % self.what

    def example(self):
        return "n"

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ShapeError(_type_name(value))
        return int(value)

    def render(self, value):
        if self.what == "int":
            return "%d" % value
        return "%d %s" % (value, self.what) if self.after else "%s %d" % (self.what, value)


class Hex(Int):
    """An int shown in hex (a GFP mask)."""

    def render(self, value):
        return "%#x" % value


class Choice:
    """One of a few strings; case and surrounding blanks do not matter."""

    def __init__(self, options, what="name"):
        self.options = tuple(options)
        self.what = what

    def describe(self, plural=False):
        return "%ss (%s)" % (self.what, ", ".join(repr(o) for o in self.options)) if plural \
            else "one of %s" % ", ".join(repr(o) for o in self.options)

    def example(self):
        return repr(self.options[0])

    def parse(self, value):
        if not isinstance(value, str):
            raise ShapeError(_type_name(value))
        for option in self.options:
            if value.strip().lower() == option.lower():
                return option
        raise ShapeError("%r, which is not %s" % (value, self.describe()))

    def render(self, value):
        return repr(value)


class Optional:
    """None, or an answer of `shape`."""

    def __init__(self, shape):
        self.shape = shape

    def describe(self, plural=False):
        return "%s or None" % self.shape.describe(plural)

    def example(self):
        return self.shape.example()

    def parse(self, value):
        return None if value is None else self.shape.parse(value)

    def render(self, value):
        return "None" if value is None else self.shape.render(value)


def _sequence(value):
    if isinstance(value, (str, bytes, dict, set)) or not hasattr(value, "__len__"):
        raise ShapeError(_type_name(value))
    return list(value)


class TupleOf:
    """A fixed-length tuple (a list is accepted too), one shape per field."""

    def __init__(self, *fields, names=None):
        self.fields = fields
        self.names = names

    def describe(self, plural=False):
        inner = "(%s)" % ", ".join(self.names) if self.names else "a tuple of %d" % len(self.fields)
        return "%s tuples %s" % ("" if plural else "", inner) if plural else inner

    def example(self):
        return "(%s)" % ", ".join(f.example() for f in self.fields)

    def parse(self, value):
        items = _sequence(value)
        if len(items) != len(self.fields):
            raise ShapeError("a tuple of %d" % len(items))
        return tuple(f.parse(v) for f, v in zip(self.fields, items))

    def render(self, value):
        return "(%s)" % ", ".join(f.render(v) if isinstance(f, Choice) else repr(v)
                                  for f, v in zip(self.fields, value))


# --------------------------------------------------------------------------------------
# Answer layouts: how an answer splits into the steps check() compares.

class _Layout:
    def steps(self, value):
        """The list of step values of a parsed answer."""
        raise NotImplementedError


class Scalar(_Layout):
    """One value, one step."""

    def __init__(self, item):
        self.item = item

    def describe(self):
        return self.item.describe()

    def parse(self, value):
        try:
            return [self.item.parse(value)]
        except ShapeError as err:
            raise ShapeError("wanted %s; you gave %s." % (self.describe(), err)) from None

    def render(self, i, value):
        return self.item.render(value)

    def item_at(self, i):
        """The shape of step i."""
        return self.item


class ListOf(_Layout):
    """A list (or tuple) of `n` items of one shape; n=None: any length (the length counts)."""

    def __init__(self, item, n=None):
        self.item = item
        self.n = n

    def describe(self):
        if self.n is None:
            return "a list of %s, e.g. [%s, ...]" % (self.item.describe(True), self.item.example())
        return "a list of %d %s, e.g. [%s]" % (
            self.n, self.item.describe(True),
            ", ".join([self.item.example()] * min(self.n, 3)) + (", ..." if self.n > 3 else ""))

    def parse(self, value):
        try:
            items = _sequence(value)
        except ShapeError as err:
            raise ShapeError("wanted %s; you gave %s." % (self.describe(), err)) from None
        if self.n is not None and len(items) != self.n:
            raise ShapeError("wanted %s; your list has %d item%s."
                             % (self.describe(), len(items), "" if len(items) == 1 else "s"))
        out = []
        for i, v in enumerate(items, 1):
            try:
                out.append(self.item.parse(v))
            except ShapeError as err:
                raise ShapeError("wanted %s; item %d is %s." % (self.describe(), i, err)) from None
        return out

    def render(self, i, value):
        return self.item.render(value)

    def item_at(self, i):
        """The shape of step i."""
        return self.item


class Seq(_Layout):
    """A list of a fixed number of items, each of its own shape (e.g. four ints and a name)."""

    def __init__(self, *items, text):
        self.items = items
        self.text = text

    def describe(self):
        return self.text

    def parse(self, value):
        try:
            items = _sequence(value)
        except ShapeError as err:
            raise ShapeError("wanted %s; you gave %s." % (self.describe(), err)) from None
        if len(items) != len(self.items):
            raise ShapeError("wanted %s; your list has %d items." % (self.describe(), len(items)))
        out = []
        for i, (shape, v) in enumerate(zip(self.items, items), 1):
            try:
                out.append(shape.parse(v))
            except ShapeError as err:
                raise ShapeError("wanted %s; item %d is %s." % (self.describe(), i, err)) from None
        return out

    def render(self, i, value):
        return self.items[i].render(value)

    def item_at(self, i):
        """The shape of step i."""
        return self.items[i]


def _first_field(shape, given, key):
    """', low': the name of the first field of a named tuple step that differs (a place,
    never a value); '' when the step is not such a tuple.  A step that may be None gets no
    field name: naming one would tell that the key is not None."""
    if not (isinstance(shape, TupleOf) and shape.names and isinstance(given, tuple)
            and isinstance(key, tuple) and len(given) == len(key)):
        return ""
    return next((", " + name for name, g, k in zip(shape.names, given, key) if g != k), "")


# JupyterLab's output CSS lets <pre> lines break anywhere (word-break: break-all): wrap at
# spaces only, so that no word of a question or a verdict is cut in two.  QUESTION_WIDTH is
# where ask() wraps a question in plain text (a terminal, or an output area of ~100 columns).
PRE_WRAP = '<pre style="white-space: pre-wrap; word-break: normal; overflow-wrap: normal">%s</pre>'
QUESTION_WIDTH = 88


class Note(str):
    """A line for the student (a hint): a str that a notebook shows as text, not as a quoted
    Python string, wrapped at spaces."""

    __slots__ = ()

    def __repr__(self):
        return str.__str__(self)

    def _repr_html_(self):
        return PRE_WRAP % html.escape(self)


# --------------------------------------------------------------------------------------

class Verdict:
    """The result of one check: str() is the feedback; .score (0..1) and .correct for a grader.

    It holds what the student wrote and where it differs, never the key.
    """

    __slots__ = ("name", "answered", "well_formed", "correct", "score", "where", "message")

    def __init__(self, name, message, *, answered=True, well_formed=True, correct=False,
                 score=0.0, where=None):
        self.name = name
        self.message = message
        self.answered = answered
        self.well_formed = well_formed
        self.correct = correct
        self.score = score
        self.where = where

    def __str__(self):
        return self.message

    __repr__ = __str__

    def _repr_html_(self):
        """In a notebook: the same text, wrapped at spaces (never mid-word)."""
        return PRE_WRAP % html.escape(self.message)

    def __bool__(self):
        return self.correct


class Exercise:
    """A question on a fixed setup; check() says where and why, hint() nudges, reveal() tells.

    `solve(setup)` computes the key; it is called at check time and its result is never
    stored.  `where(i, setup)` names step i ("request 2 (order 0)"); `why` is one text for
    every step, a list with one text per step, or `why(i, answer, setup)` returning the rule
    at stake when step i is wrong.  It is given the student's parsed answer (steps before i
    agree with the kernel, so it may use them), never the key.
    """

    def __init__(self, name, title, question, setup, solve, shape, where=None, why="",
                 hints=(), show=None, vary=None):
        self.name = name
        self.seed = None          # None: the chapter's own setup; an int: a seeded variant
        self._vary = vary         # vary(rng) -> (setup, question), for variant()
        self.title = title
        self.question = question
        self.setup = setup
        self._solve = solve
        self.shape = shape if isinstance(shape, _Layout) else Scalar(shape)
        self._where = where
        self._why = why
        self.hints = tuple(hints)
        self._show = show
        self._hints_given = 0

    def __repr__(self):
        return "<Exercise %s: %s>" % (self.name, self.title)

    @property
    def varies(self):
        """True when `variant()` can draw other setups of this exercise from a seed."""
        return self._vary is not None

    def variant(self, seed):
        """The same exercise on a setup drawn from `seed` (a per-student variant).

        The rules, hints and answer shape stay; the setup and the question change, and the
        key is recomputed from the new setup at check time like the chapter's.  The name
        carries the seed ("02.1 seed 7"), so feedback and reveals say which variant it was.
        """
        import copy
        import random
        from ..errors import BuddyLabError
        if not self.varies:
            raise BuddyLabError("exercise %s has no seeded variants (its setup is fixed)"
                                % self.name)
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise BuddyLabError("seed must be an int >= 0, got %r" % (seed,))
        ex = copy.copy(self)
        ex.setup, ex.question = self._vary(random.Random(int(seed)))
        ex.seed = int(seed)
        ex.name = "%s seed %d" % (self.name, seed)
        ex._hints_given = 0
        return ex

    def ask(self):
        """Print the question (and the state it is asked on, where the chapter shows one)."""
        print(textwrap.fill("Exercise %s: %s" % (self.name, self.question), QUESTION_WIDTH,
                            break_long_words=False, break_on_hyphens=False))
        if self._show is not None:
            self._show(self.setup)

    def where(self, i):
        """The name of step i (0-based) for the student: "request 2 (order 0)"."""
        if self._where is None:
            return "the answer" if isinstance(self.shape, Scalar) else "step %d" % (i + 1)
        if callable(self._where):
            return self._where(i, self.setup)
        return self._where[i]

    def why(self, i, answer):
        """The kernel rule at stake when step i of the parsed `answer` is wrong (never the key)."""
        if callable(self._why):
            return self._why(i, answer, self.setup)
        if isinstance(self._why, str):
            return self._why
        return self._why[min(i, len(self._why) - 1)]

    def _key(self):
        return self.shape.parse(self._solve(self.setup))

    def check(self, answer):
        """Compare `answer` with the model; a `Verdict` whose str is one line of feedback."""
        if answer is None or answer is Ellipsis:
            return Verdict(self.name, "%s: not answered yet (replace ... by your answer and run "
                           "the check again)." % self.name, answered=False)
        try:
            given = self.shape.parse(answer)
        except ShapeError as err:
            return Verdict(self.name, "%s: %s" % (self.name, err), well_formed=False)
        key = self._key()
        n = max(len(key), 1)
        right = sum(1 for g, k in zip(given, key) if g == k)
        score = right / n
        if given == key:
            return Verdict(self.name, "%s: correct (%d of %d step%s)."
                           % (self.name, len(key), len(key), "" if len(key) == 1 else "s"),
                           correct=True, score=1.0)
        for i, (g, k) in enumerate(zip(given, key)):
            if g != k:
                where = self.where(i) + _first_field(self.shape.item_at(i), g, k)
                text = "%s: %s: you wrote %s; %s" % (self.name, where, self.shape.render(i, g),
                                                     self.why(i, given))
                if not isinstance(self.shape, Scalar):
                    text += " (%d of %d steps right)" % (right, len(key))
                return Verdict(self.name, text, score=score, where=where)
        # Only a list of free length gets here: one list is a prefix of the other.
        if len(given) < len(key):
            where = self.where(len(given))
            text = ("%s: %s: your list stops here, but the kernel has not finished; %s"
                    % (self.name, where, self.why(len(given), given)))
        else:
            where = self.where(len(key))
            text = ("%s: %s: the kernel stops before this step; %s"
                    % (self.name, where, self.why(len(key), given)))
        return Verdict(self.name, text, score=right / max(len(key), len(given)), where=where)

    def hint(self):
        """The next hint, one at a time; none of them holds a value of the answer."""
        if self._hints_given >= len(self.hints):
            return Note("%s: no more hints (%d given). If you are stuck, ex.reveal() shows the "
                        "answer, and the notebook records that you used it."
                        % (self.name, len(self.hints)))
        self._hints_given += 1
        return Note("%s, hint %d of %d: %s" % (self.name, self._hints_given, len(self.hints),
                                               self.hints[self._hints_given - 1]))

    def reveal(self):
        """The answer (a last resort): recorded in buddylab.reveal, so a grader sees it was used."""
        _reveal.record(self.name)
        key = self._key()
        return key[0] if isinstance(self.shape, Scalar) else key


def and_list(items):
    """'a, b and c': items joined as a question lists them.

    >>> and_list(["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT"])
    'GFP_KERNEL, GFP_ATOMIC and GFP_NOWAIT'
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draw(rng, pool, n):
    """`n` distinct items of `pool` in the order drawn (rng.random() only, as problems do)."""
    pool, out = list(pool), []
    for _ in range(n):
        out.append(pool.pop(int(rng.random() * len(pool))))
    return out


def block_misfit(pfn, order, held=()):
    """Why an order-`order` block cannot start at `pfn`: misaligned, or inside a block still
    held (`held`: (label, pfn, order) of earlier allocations); None when neither is the case.

    >>> block_misfit(6, 2)
    'pfn 6 is not a multiple of 4: a block of order 2 starts at one (expand() only halves aligned blocks)'
    >>> block_misfit(9, 0, [("request 1", 8, 1)])
    'pfn 9 lies in the block at pfn 8 (order 1) that request 1 still holds'
    """
    if not 0 <= order < 64:
        return "there is no order %d: orders run from 0 to MAX_ORDER - 1" % order
    if pfn < 0:
        return "pfn %d is negative: pfns count page frames from 0" % pfn
    size = 1 << order
    if pfn % size:
        return ("pfn %d is not a multiple of %d: a block of order %d starts at one "
                "(expand() only halves aligned blocks)" % (pfn, size, order))
    for label, held_pfn, held_order in held:
        if held_pfn < pfn + size and pfn < held_pfn + (1 << held_order):
            if held_order == 0:
                return "pfn %d is the page that %s still holds" % (pfn, label)
            return ("pfn %d lies in the block at pfn %d (order %d) that %s still holds"
                    % (pfn, held_pfn, held_order, label))
    return None
