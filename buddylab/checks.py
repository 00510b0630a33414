"""Argument checks shared by every public entry point (ints, sequences, orders).

Kernel: none (the kernel trusts its callers); these give the clear BuddyLabError a
student's bad input deserves, before anything changes.
"""

from .errors import BadOrderError, LayoutError


def _is_int(v):
    """An int that is not a bool."""
    return isinstance(v, int) and not isinstance(v, bool)


def _as_tuple(values, what):
    """A sequence argument read once (an iterator is consumed here, before any check)."""
    if isinstance(values, (str, bytes)):
        raise LayoutError("%s needs a sequence of ints, got %r" % (what, values))
    try:
        return tuple(values)
    except TypeError:
        raise LayoutError("%s needs a sequence of ints, got %r" % (what, values)) from None


def check_order(order, what="order"):
    """An order: an int >= 0 (BadOrderError otherwise).

    >>> check_order(-1)
    Traceback (most recent call last):
    ...
    buddylab.errors.BadOrderError: order must be >= 0, got -1
    """
    if type(order) is int and order >= 0:                # the common case: one test
        return
    if isinstance(order, bool) or not isinstance(order, int):
        raise BadOrderError("%s must be an int, got %r" % (what, order))
    if order < 0:
        raise BadOrderError("%s must be >= 0, got %d" % (what, order))
