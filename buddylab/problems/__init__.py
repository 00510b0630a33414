"""Seeded problems: the model computes every answer, check() never tells it.

Kernel: none (teaching support, in the manner of OSTEP's simulators).

``bl.problem(kind, seed=N, **params)`` returns a problem: ``.text()`` (the
command that reproduces it, the machine, then the question with ``?`` where
answers go), ``.fields()`` (what to answer, in what shape), ``.check(answers)``
(a CheckResult: ``.score``, ``.correct``, ``.feedback``), ``.hint()`` (the
next rule that applies), and, recorded as reveals (buddylab.reveal),
``.answers()``, ``.explain()`` and ``.text(solved=True)``.  The kinds are in
`KINDS`; the same from the shell: ``python -m buddylab problem KIND --seed N``.

>>> p = problem("split", seed=3)
>>> p.fields()[0]
('pfn_op1', 'int pfn or None (NULL)')
>>> r = p.check({})
>>> r.score, r.correct
(0.0, False)
>>> problem("split", seed=3).check(p.answers()).correct
True
"""

from ..errors import BuddyLabError
from ._base import Problem, CheckResult, parse_answer_text
from ._ops import parse_ops, fmt_ops
from .split import SplitProblem
from .merge import MergeProblem
from .fallback import FallbackProblem
from .pcp import PcpProblem
from .zonelist import ZonelistProblem
from .watermark import WatermarkProblem
from .interface import InterfaceProblem
from .drill import DrillProblem

__all__ = ["problem", "KINDS", "CLASSES", "Problem", "CheckResult", "parse_ops", "fmt_ops",
           "parse_answer_text"]

#: kind name -> its class, in the order the chapters meet them
CLASSES = {c.kind: c for c in (SplitProblem, MergeProblem, FallbackProblem, PcpProblem,
                                        ZonelistProblem, WatermarkProblem,
                                        InterfaceProblem, DrillProblem)}

#: kind name -> one-line description
KINDS = {k: c.description for k, c in CLASSES.items()}


def problem(kind="split", seed=0, **params):
    """One instance of `kind` (see KINDS), seeded; params as the kind's PARAMS name them.

    Bad input (an unknown kind, a parameter out of range, a malformed -A list)
    raises BuddyLabError with one line naming it.  ``p.kind``, ``p.seed`` and
    ``p.params`` rebuild the same instance: ``problem(p.kind, seed=p.seed, **p.params)``.
    The first release's ``problem(seed, ops=..., solve=True)`` (text returned)
    still works for split.
    """
    if isinstance(kind, int) and not isinstance(kind, bool):       # problem(5): the old form
        kind, seed = "split", kind
    if not isinstance(kind, str) or kind not in CLASSES:
        raise BuddyLabError("unknown problem kind %r: the kinds are %s"
                            % (kind, ", ".join(CLASSES)))
    solve = params.pop("solve", None)
    if kind == "split" and "kinds" in params:                       # the old name of types
        params["types"] = params.pop("kinds")
    p = CLASSES[kind](seed, **params)
    if solve is not None:       # the first release's problem(..., solve=...) returned the text
        return p.text(solved=bool(solve))
    return p
