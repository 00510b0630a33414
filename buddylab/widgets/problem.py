"""Practice widget: a seeded problem, an answer box per field, Check, Next hint, New seed, Reveal.

Kernel: none (teaching support over buddylab.problems).

The widget keeps the problem (``.problem``), never its key: Check calls
``problem.check()``, which recomputes the answer from the seed, and shows
the feedback (where and why, never the value).  Reveal is the one way to
see the answer; it is recorded (buddylab.reveal) like ``p.answers()``.
"""

import html

import ipywidgets as W

from ..exercises.core import PRE_WRAP as PRE     # wrap at spaces, never mid-word
from ._base import BoxWidget


class ProblemWidget(BoxWidget):
    """Practise one kind of problem.

    ``.question`` (HTML) shows ``problem.text()``; ``.boxes`` maps each field
    key to its Text box (the placeholder says the shape: type ``56``,
    ``NULL``, ``[48, 40]``, ``steal`` ...); ``.check``, ``.next_hint``,
    ``.new_seed`` and ``.reveal`` are the buttons; ``.feedback`` (HTML)
    shows the verdict, the hints or the revealed answer; ``.seed`` the seed.

    >>> w = ProblemWidget("split", seed=1)
    >>> w.boxes["pfn_op1"].value = "NULL"
    >>> w.check.click(); w.result.score < 1
    True
    """

    def __init__(self, kind="split", seed=0, **params):
        from ..problems import problem
        self.kind = kind
        self.params = params
        self.problem = problem(kind, seed=seed, **params)
        self.seed = W.BoundedIntText(value=seed, min=0, max=10 ** 9, description="seed",
                                     layout=W.Layout(width="180px"))
        self.question = W.HTML()
        self.feedback = W.HTML()
        self.result = None
        self.check = W.Button(description="Check", icon="check", button_style="primary")
        self.next_hint = W.Button(description="Next hint", icon="lightbulb-o")
        self.new_seed = W.Button(description="New seed", icon="random")
        self.reveal = W.Button(description="Reveal (recorded)", icon="eye",
                               button_style="warning")
        self.check.on_click(lambda _: self.do_check())
        self.next_hint.on_click(lambda _: self.do_hint())
        self.new_seed.on_click(lambda _: setattr(self.seed, "value", self.seed.value + 1))
        self.reveal.on_click(lambda _: self.do_reveal())
        self.seed.observe(lambda ch: self.load(ch["new"]), names="value")
        self.answer_box = W.VBox()
        self.box = W.VBox([self.question, self.answer_box,
                           W.HBox([self.check, self.next_hint, self.new_seed, self.reveal,
                                   self.seed]), self.feedback])
        self.load(seed)

    def load(self, seed):
        """Show the problem of this seed with empty answer boxes."""
        from ..problems import problem
        if seed != self.problem.seed:
            self.problem = problem(self.kind, seed=seed, **self.params)
        self.question.value = PRE % html.escape(self.problem.text())
        self.boxes = {}
        rows = []
        for key, shape in self.problem.fields():
            box = W.Text(placeholder=shape, layout=W.Layout(width="420px"))
            self.boxes[key] = box
            rows.append(W.HBox([W.Label(key, layout=W.Layout(width="220px")), box]))
        self.answer_box.children = rows
        self.feedback.value = ""
        self.result = None

    def answers(self):
        """The boxes as an answer dict (text parsed as Python literals; empty = unanswered)."""
        from ..problems import parse_answer_text
        return {k: parse_answer_text(b.value, listy=b.placeholder.startswith("list"))
                for k, b in self.boxes.items()}

    def do_check(self):
        """Check the boxes against the model; show the feedback."""
        self.result = self.problem.check(self.answers())
        self._say(str(self.result))

    def do_hint(self):
        """Show the next hint."""
        self._say(self.problem.hint())

    def do_reveal(self):
        """Show the solved text and the explanation (recorded as a reveal)."""
        self._say(self.problem.text(solved=True) + "\n\nwhy, step by step:\n"
                  + self.problem.explain())

    def _say(self, text):
        self.feedback.value = PRE % html.escape(text)
