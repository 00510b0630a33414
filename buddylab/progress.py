"""Progress bars for long runs: a text bar on a terminal, or any widget a notebook passes.

Not a kernel concept.  ``make_progress(progress, total, desc)`` turns the
``progress=`` argument of an experiment into an object with ``update(n)`` and
``close()``:

* ``None``: a text bar on stderr when stderr is a terminal, else nothing;
* ``False``: nothing; ``True``: the text bar even when stderr is not a terminal;
* an object with ``value`` and ``max`` attributes (an ipywidgets
  ``IntProgress``, made by the notebook: buddylab never imports ipywidgets);
* a callable ``f(done, total)``.

>>> p = make_progress(lambda done, total: print(done, total), 4, "demo")
>>> p.update(2); p.update(2); p.close()
2 4
4 4
"""

import sys

from .errors import BadParameterError


class _Null:
    def update(self, n=1):
        pass

    def close(self):
        pass


class TextBar:
    """A one-line bar redrawn with a carriage return, at most every 1 % of the work."""

    def __init__(self, total, desc="", stream=None, width=30):
        self.total, self.desc, self.width = max(1, total), desc, width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._shown = -1

    def update(self, n=1):
        self.done = min(self.total, self.done + n)
        pct = self.done * 100 // self.total
        if pct != self._shown:
            self._shown = pct
            fill = self.done * self.width // self.total
            self.stream.write("\r%s [%s%s] %3d%%" % (self.desc, "#" * fill,
                                                    "." * (self.width - fill), pct))
            self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


class _Widget:
    """Drives a widget's value, touching it at most once per 1 % of the work
    (every update is a message to the browser)."""

    def __init__(self, widget, total, desc):
        self.w = widget
        self.w.max = total
        self.w.value = 0
        self.total = max(1, total)
        self.done = 0
        self._shown = 0
        if hasattr(self.w, "description"):
            self.w.description = desc[:20]

    def update(self, n=1):
        self.done = min(self.total, self.done + n)
        pct = self.done * 100 // self.total
        if pct != self._shown:
            self._shown = pct
            self.w.value = self.done

    def close(self):
        self.w.value = self.done


class _Callback:
    def __init__(self, fn, total):
        self.fn, self.total, self.done = fn, total, 0

    def update(self, n=1):
        self.done += n
        self.fn(self.done, self.total)

    def close(self):
        pass


def make_progress(progress, total, desc=""):
    """The progress object for an experiment's ``progress=`` argument (see the module docstring)."""
    if progress is False:
        return _Null()
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", lambda: False)
        return TextBar(total, desc) if isatty() else _Null()
    if progress is True:
        return TextBar(total, desc)
    if hasattr(progress, "value") and hasattr(progress, "max"):
        return _Widget(progress, total, desc)
    if callable(progress):
        return _Callback(progress, total)
    raise BadParameterError("progress must be None, a bool, a widget with value/max, or "
                            "f(done, total), got %r" % (progress,))
