"""The frame every kind of problem shares: fields, shapes, check(), hints and reveals.

Kernel: none (teaching support, in the manner of OSTEP's simulators).

A kind subclasses `Problem` and writes one method, ``_work()``, that builds
the machine from the seed and parameters, runs it, and returns a `Worked`: the
text with `Slot`s where the answers go, the key, a rule per field (value-free,
in the kernel's words), hints and the explanation.  Nothing of it is kept on
the problem: `check()` calls ``_work()`` again, so the key lives only for
the duration of one call and nothing a student prints holds it.
"""

import ast
import numbers
import random
import warnings

from .. import reveal
from ..errors import BuddyLabError

__all__ = ["Problem", "CheckResult", "Worked", "Slot", "ShownIfAny", "Param", "Field", "ShapeError",
           "pfn_or_null", "pfn_list", "choice", "yes_no", "count", "zone_list"]


class ShapeError(Exception):
    """An answer of the wrong shape (caught by check(): one line, score 0 for the field)."""


class Field:
    """What to answer for one key: a shape in words, a normaliser and a printer.

    ``normalize(value)`` returns the canonical form or raises ShapeError;
    ``fmt(value)`` prints a canonical value in the text.
    """

    def __init__(self, shape, normalize, fmt=str):
        self.shape = shape
        self.normalize = normalize
        self.fmt = fmt


def _is_int(x):
    """An integer that is not a bool (numpy integers count: a notebook may hold them)."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _nullish(x):
    return x is None or (isinstance(x, str) and x.strip().upper() in ("NULL", "NONE"))


def _pfn_or_null(x):
    if _nullish(x):
        return None
    if _is_int(x) and x >= 0:
        return int(x)
    raise ShapeError


def pfn_or_null():
    """An int pfn, or None for a request that returns NULL."""
    return Field("int pfn or None (NULL)", _pfn_or_null,
                 lambda v: "NULL" if v is None else "pfn %d" % v)


def _pfns(x):
    if isinstance(x, (list, tuple)) and all(_is_int(p) and p >= 0 for p in x):
        return tuple(int(p) for p in x)
    raise ShapeError


def pfn_list(what="list of pfns, head first"):
    """A list of ints (pfns, in a stated order)."""
    return Field(what, _pfns, lambda v: str(list(v)))


def choice(*options):
    """One word out of a fixed set (case does not matter)."""
    canon = {o.lower(): o for o in options}

    def norm(x):
        if isinstance(x, str) and x.strip().lower() in canon:
            return canon[x.strip().lower()]
        raise ShapeError
    return Field("one of: " + ", ".join(options), norm)


def _yes_no(x):
    if isinstance(x, bool):
        return x
    if isinstance(x, str) and x.strip().lower() in ("yes", "no", "true", "false"):
        return x.strip().lower() in ("yes", "true")
    raise ShapeError


def yes_no():
    """True or False ("yes"/"no" also do)."""
    return Field("True or False", _yes_no, lambda v: "yes" if v else "no")


def count(unit):
    """An int >= 0 counting `unit`."""
    def norm(x):
        if _is_int(x) and x >= 0:
            return int(x)
        raise ShapeError
    return Field("int (%s)" % unit, norm)


def _zone_ref(x):
    from ..mmzone import ZONE_NAMES
    names = {n.lower(): n for n in ZONE_NAMES}
    if isinstance(x, str) and ":" in x:
        nid, _, name = x.partition(":")
        if nid.strip().isdigit() and name.strip().lower() in names:
            return "%d:%s" % (int(nid), names[name.strip().lower()])
    if isinstance(x, (tuple, list)) and len(x) == 2 and _is_int(x[0]) and isinstance(x[1], str) \
            and x[1].lower() in names:
        return "%d:%s" % (int(x[0]), names[x[1].lower()])
    raise ShapeError


def _zones(x):
    if isinstance(x, (list, tuple)):
        return tuple(_zone_ref(z) for z in x)
    raise ShapeError


def zone_list():
    """Zones in an order, each "NID:Zone" (or a (nid, "Zone") pair)."""
    return Field('list of "node:Zone" in walk order, e.g. ["0:Normal", "0:DMA32"]', _zones,
                 lambda v: "[" + ", ".join(v) + "]")


class Slot:
    """Where an answer goes in the text: '?' unsolved, the value when solved."""
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key


class ShownIfAny(list):
    """A line whose one Slot holds a list: printed solved only when that list is not empty."""


class Worked:
    """One solved instance (made by a kind's _work(), never stored on the problem).

    lines:  list of lines, each a str or a list of str and Slot parts
    fields: dict key -> Field, in the order the text asks them
    key:    dict key -> canonical expected value
    rules:  dict key -> the rule at stake for that field (no value of the key in it)
    advice: optional dict key -> function(answer) -> str or None: what is wrong with this
            particular answer, in the kernel's words (about the ANSWER, never the key)
    hints:  list of str (rules, stepwise, no values of the key)
    steps:  list of str (the full explanation; it reveals)
    """

    def __init__(self):
        self.lines, self.fields, self.key, self.rules, self.advice = [], {}, {}, {}, {}
        self.hints, self.steps = [], []

    def ask(self, key, field, value, rule, advice=None):
        """Declare one answer; returns the Slot to put in a line."""
        if key in self.fields:
            raise AssertionError("duplicate field %r" % key)
        self.fields[key] = field
        self.key[key] = field.normalize(value)
        self.rules[key] = rule
        if advice is not None:
            self.advice[key] = advice
        return Slot(key)

    def render(self, solved):
        out = []
        for line in self.lines:
            if isinstance(line, str):
                out.append(line)
                continue
            if solved and isinstance(line, ShownIfAny) and not any(
                    self.key[p.key] for p in line if isinstance(p, Slot)):
                continue
            out.append("".join(p if isinstance(p, str) else
                               (self.fields[p.key].fmt(self.key[p.key]) if solved else "?")
                               for p in line))
        return "\n".join(out)


class CheckResult:
    """The verdict on one answer: score (fraction of fields right), correct, feedback lines.

    It holds only the student's side (what was wrong, where and why), never
    the expected values.
    """

    __slots__ = ("name", "score", "correct", "feedback", "nr_fields", "nr_right")

    def __init__(self, name, nr_fields, nr_right, feedback):
        self.name = name
        self.nr_fields = nr_fields
        self.nr_right = nr_right
        self.score = nr_right / nr_fields if nr_fields else 0.0
        self.correct = nr_fields > 0 and nr_right == nr_fields
        self.feedback = list(feedback)

    def as_dict(self):
        """name, score, correct, nr_right, nr_fields and feedback as a dict (for a grader)."""
        return {k: getattr(self, k) for k in ("name", "score", "correct", "nr_right", "nr_fields",
                                              "feedback")}

    def __repr__(self):
        return "CheckResult(score=%.2f, correct=%s, %d of %d fields right)" % (
            self.score, self.correct, self.nr_right, self.nr_fields)

    def __str__(self):
        head = "%s: %d of %d right (score %.2f)%s" % (
            self.name, self.nr_right, self.nr_fields, self.score,
            ": correct." if self.correct else "")
        return "\n".join([head] + ["  " + f for f in self.feedback])


def _type_name(x):
    return {str: "a str", int: "an int", bool: "a bool", float: "a float", list: "a list",
            tuple: "a tuple", dict: "a dict", type(None): "None"}.get(
                type(x), "a " + type(x).__name__)


def parse_answer_text(text, listy=False):
    """Text typed in a box -> a Python value: a literal if it parses, else the stripped str.

    With ``listy`` (the field wants a list) bare comma-separated items make a list.

    >>> parse_answer_text("56"), parse_answer_text("[1, 2]"), parse_answer_text(" steal ")
    (56, [1, 2], 'steal')
    >>> parse_answer_text(""), parse_answer_text("NULL")
    (Ellipsis, 'NULL')
    >>> parse_answer_text("0:Normal, 1:Normal", listy=True), parse_answer_text("[]", listy=True)
    (['0:Normal', '1:Normal'], [])
    """
    text = str(text).strip()
    if not text:
        return Ellipsis
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        value = text
    if listy and not isinstance(value, (list, tuple)):
        value = [parse_answer_text(x) for x in text.strip("[]").split(",") if x.strip()]
    return list(value) if listy and isinstance(value, tuple) else value


class Param:
    """One parameter of a kind: default, bounds, the command-line flag, a help line."""

    def __init__(self, name, default, lo=None, hi=None, flag=None, help="", kind=int,
                 echo_default=True, drawn=False):
        self.name, self.default, self.lo, self.hi = name, default, lo, hi
        self.flag = flag or "--" + name.replace("_", "-")
        self.help = help
        self.kind = kind
        self.echo_default = echo_default     # False: the command leaves the default out
        self.drawn = drawn                   # True: shapes the random draw (an -A list replaces it)

    def check(self, value):
        if value is None and self.default is None:
            return None
        if self.kind is int:
            if not _is_int(value):
                raise BuddyLabError("%s must be an int, got %r" % (self.flag, value))
            if (self.lo is not None and value < self.lo) \
                    or (self.hi is not None and value > self.hi):
                raise BuddyLabError("%s must be between %d and %d, got %d"
                                    % (self.flag, self.lo, self.hi, value))
        elif not isinstance(value, str):
            raise BuddyLabError("%s must be a str, got %r" % (self.flag, value))
        return value


#: ``--kernel``: every kind takes it (appended to each kind's PARAMS by Problem); the command
#: leaves the default out, so a classic problem's command line is as before
KERNEL_PARAM = Param("kernel", "classic", flag="--kernel", kind=str, echo_default=False,
                     help="the kernel profile: classic (v4.18, the default) or modern (v6.18)")


class Problem:
    """One seeded instance of a kind.  Subclasses set `kind`, `description`,
    `PARAMS` (a tuple of Param) and write `_validate()` (cross-parameter checks)
    and `_work()`.

    Every kind takes ``kernel`` (KERNEL_PARAM, "classic" or "modern"): the machine runs that
    profile and the text names its rules.  A kind whose question is about one kernel's rule
    lists the profiles it runs on in `KERNELS` and says why in `KERNEL_WHY`; asking it for
    another refuses with that line."""

    kind = None
    description = ""
    PARAMS = ()
    OPS_HELP = None          # the -A syntax, for kinds that take an operation list
    KERNELS = ("classic", "modern")
    KERNEL_WHY = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if KERNEL_PARAM not in cls.PARAMS:
            cls.PARAMS = tuple(cls.PARAMS) + (KERNEL_PARAM,)

    def __init__(self, seed=0, **params):
        if not _is_int(seed) or seed < 0:
            raise BuddyLabError("seed must be an int >= 0, got %r" % (seed,))
        names = [p.name for p in self.PARAMS]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise BuddyLabError("problem %s takes no parameter %s (it takes: %s)"
                                % (self.kind, ", ".join(unknown), ", ".join(names) or "none"))
        values = {}
        for p in self.PARAMS:
            values[p.name] = p.check(params.get(p.name, p.default))
        self.seed = seed
        self.params = values
        self._check_kernel(values["kernel"])
        self._validate()
        self._next_hint = 0

    def _check_kernel(self, kernel):
        """A profile buddylab models and this kind runs on, else one line naming why."""
        from ..kernels.select import KERNELS
        if kernel not in KERNELS:
            raise BuddyLabError("--kernel must be one of %s, got %r" % (", ".join(KERNELS), kernel))
        if kernel not in self.KERNELS:
            raise BuddyLabError("problem %s runs on the %s kernel only: %s"
                                % (self.kind, " or ".join(self.KERNELS), self.KERNEL_WHY))

    @property
    def kernel(self):
        """The profile's name: "classic" (v4.18) or "modern" (v6.18)."""
        return self.params["kernel"]

    def _validate(self):
        """Cross-parameter checks (BuddyLabError); the base has none."""

    def __repr__(self):
        return "<%s problem, seed %d, %s>" % (self.kind, self.seed, ", ".join(
            "%s=%r" % kv for kv in self.params.items()))

    def __str__(self):
        """print(p) shows the question (text(), which holds no answer)."""
        return self.text()

    def __eq__(self, other):
        return (isinstance(other, Problem) and (self.kind, self.seed, self.params)
                == (other.kind, other.seed, other.params))

    def __hash__(self):
        return hash((self.kind, self.seed, tuple(sorted(self.params.items()))))

    # ---------------------------------------------------------------- building
    def rng(self):
        """The problem's own random.Random(seed); draw only with rng.random() (STYLE §7)."""
        return random.Random(self.seed)

    def command(self):
        """The command line that reproduces this instance (every parameter that shapes it)."""
        parts = ["python -m buddylab problem", self.kind]
        if self.uses_seed():
            parts.append("--seed %d" % self.seed)
        for p in self.PARAMS:
            v = self.params[p.name]
            if v is None or (p.drawn and not self.uses_seed()) \
                    or (v == p.default and not p.echo_default):
                continue
            if p.name == "ops":
                from ._ops import parse_ops, fmt_ops
                parts.append('%s "%s"' % (p.flag, fmt_ops(parse_ops(v))))
            elif isinstance(v, str):
                parts.append("%s %s" % (p.flag, v) if v.replace("_", "").isalnum()
                             else '%s "%s"' % (p.flag, v))
            else:
                parts.append("%s %d" % (p.flag, v))
        return " ".join(parts)

    def uses_seed(self):
        """False when the parameters alone fix the instance (an -A list)."""
        return self.params.get("ops") is None

    def _worked(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._work()

    def _work(self):                    # pragma: no cover - every kind writes it
        raise NotImplementedError

    # ------------------------------------------------------------------ asking
    def text(self, solved=False):
        """The problem: the command, the machine, the question with '?' where answers go.

        ``solved=True`` fills them in, which reveals the answer and is recorded.
        """
        w = self._worked()
        body = w.render(solved)
        if solved:
            reveal.record(self.command())
            return self.command() + " -c\n" + body
        return self.command() + "\n" + body

    def fields(self):
        """[(key, shape)]: what to answer, in the order the text asks it."""
        return [(k, f.shape) for k, f in self._worked().fields.items()]

    def answers(self):
        """The key, {key: value}.  Calling it is a reveal, and is recorded."""
        reveal.record(self.command())
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self._worked().key.items()}

    def explain(self):
        """The reason, step by step in the kernel's words (a reveal, recorded)."""
        reveal.record(self.command())
        return "\n".join(self._worked().steps)

    def hint(self, i=None):
        """The next hint (or the i-th, from 0): which rule applies, never the value."""
        hints = self._worked().hints
        if i is None:
            i = self._next_hint
            self._next_hint += 1
        if not _is_int(i) or i < 0:
            raise BuddyLabError("hint number must be an int >= 0, got %r" % (i,))
        if i >= len(hints):
            return ("no more hints (there are %d); p.explain() shows the whole reasoning, "
                    "and is recorded as a reveal" % len(hints))
        return "hint %d of %d: %s" % (i + 1, len(hints), hints[i])

    # ---------------------------------------------------------------- checking
    def check(self, answers):
        """Score `answers` (a dict key -> value) against the model, recomputed now.

        Each wrong or missing field gets one feedback line: where, and the
        rule at stake, never the expected value.  A value of the wrong shape
        gets one line saying the shape wanted.
        """
        return self._check_worked(self._worked(), answers)

    def _check_worked(self, w, answers):
        """check() against an already computed Worked (the tests' seed sweeps use it)."""
        name = "problem %s --seed %d" % (self.kind, self.seed) if self.uses_seed() \
            else "problem %s" % self.kind
        if not isinstance(answers, dict):
            return CheckResult(name, len(w.fields), 0,
                               ["answers: wanted a dict {key: value} with the keys of "
                                "p.fields(), got %s" % _type_name(answers)])
        feedback, right = [], 0
        for key, field in w.fields.items():
            if key not in answers or answers[key] is Ellipsis:
                feedback.append("%s: not answered (wanted %s)" % (key, field.shape))
                continue
            given = answers[key]
            try:
                got = field.normalize(given)
            except ShapeError:
                feedback.append("%s: wanted %s, got %s" % (key, field.shape, _type_name(given)))
                continue
            want = w.key[key]
            if got == want:
                right += 1
                continue
            parts = [_where(got, want), w.advice[key](got) if key in w.advice else None]
            parts = [s for s in parts if s] or ["not what the kernel computes"]
            feedback.append("%s: %s; %s" % (key, "; ".join(parts), w.rules[key]))
        extra_keys = sorted(str(k) for k in answers if k not in w.fields)
        if extra_keys:
            feedback.append("unknown keys (ignored): %s; p.fields() lists the keys"
                            % ", ".join(extra_keys))
        return CheckResult(name, len(w.fields), right, feedback)


def _where(got, want):
    """Where a list answer first differs (a position, never the expected entry)."""
    if not isinstance(want, tuple) or not isinstance(got, tuple):
        return ""
    for i, (g, e) in enumerate(zip(got, want)):
        if g != e:
            return "entry %d (counting from 1) is not what the kernel has there" % (i + 1)
    if len(got) < len(want):
        return "your list stops after %d entr%s; the kernel's has more" % (
            len(got), "y" if len(got) == 1 else "ies")
    return "your list has more entries than the kernel's"
