"""The record of answers a learner asked to see, which a grader reads.

Kernel: none (teaching support).

An exercise's ``reveal()`` and a problem's answer key are the only ways a
student sees an answer; each call is recorded here, in the running Python
process, so that a notebook graded in a fresh kernel shows that it was used
(the grader re-runs the student's cells, the reveal happens again, and the
grader reads `revealed()` at the end).

>>> log = RevealLog()
>>> log.record("ch02 exercise 1")
>>> log.revealed()
('ch02 exercise 1',)
>>> log.clear(); log.revealed()
()
"""

__all__ = ["RevealLog", "LOG", "record", "revealed", "clear"]


class RevealLog:
    """An append-only list of what was revealed (names of exercises or problems), in order."""

    __slots__ = ("_names",)

    def __init__(self):
        self._names = []

    def record(self, name):
        """Note that the answer to `name` was shown."""
        self._names.append(str(name))

    def revealed(self):
        """Every name recorded so far, in the order they were revealed (duplicates kept)."""
        return tuple(self._names)

    def clear(self):
        """Forget every record (a grader calls this before it runs a notebook)."""
        self._names.clear()


#: The process-wide log that exercises, problems and the grader share.
LOG = RevealLog()
record = LOG.record
revealed = LOG.revealed
clear = LOG.clear
