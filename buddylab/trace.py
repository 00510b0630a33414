"""Trace events named after the kernel's kmem tracepoints, plus teaching events.

Kernel: include/trace/events/kmem.h (mm_page_alloc, mm_page_free,
mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag).

Tracing is off by default; the model tests ``machine.trace is not None`` before
building any event, so an untraced machine pays one attribute test per hook.
A `Trace` also records the top-level calls made on the machine (``ops``), so
`buddylab.replay.replay(trace)` can run the same calls on a fresh machine built with the same
arguments and compare the events.

Every event is declared once, per kernel, with its fields, its printk layout and its
explanation: ``buddylab/kernels/v4_18/events.py`` (the kmem tracepoints, 4.18 printing pfn in
decimal, and the teaching events named after the function that fires them), plus
``buddylab.kernels.base.COMMON_EVENTS`` (compaction, reclaim, the OOM killer).  A Trace is
handed its machine's table (``machine.kernel.EVENTS``); each Event carries its spec, and
format_event(), explain() and the stepper read it.  ``KERNEL_EVENTS``, ``TEACHING_EVENTS``
and ``EVENT_NAMES`` list the classic names.

What tracing costs: ``emit()`` keeps each event's name and the keyword dict it was given
(nothing formatted, no Event built); ``trace.events`` (an `EventList`) makes the `Event`
when the event is first read.  ``trace.ops`` (an `OpList`) holds the very record the
machine's history keeps for each call, and makes its kwargs dict when it is read.  A dict
of ints and strings is never tracked by CPython's cyclic garbage collector (mm_page_alloc
records its gfp_flags as the plain int; the Event makes the gfp_t, see EventSpec.convert),
so a long trace adds nothing for later collections to walk (an Event, once read, is
tracked).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from .errors import TraceError
from .kernels.base import generic_line
# compat names (notebook 00, problems): the classic table's names, never used here
from .kernels.v4_18.events import KERNEL_EVENTS, TEACHING_EVENTS, EVENT_NAMES  # noqa: F401

def check_kinds(kinds, schema):
    """start_trace()'s `kinds`: None (every event) or a collection of names in `schema`."""
    if kinds is None:
        return None
    if isinstance(kinds, (str, bytes)) or not isinstance(kinds, (list, tuple, set, frozenset)):
        raise TraceError("kinds must be None or a list of event names (e.g. [\"mm_page_alloc\"]), "
                         "got %r" % (kinds,))
    unknown = [k for k in kinds if k not in schema]
    if unknown:
        raise TraceError("unknown event names %r (the events are listed in buddylab.trace: "
                         "EVENT_NAMES)" % (unknown,))
    return set(kinds)


@dataclass(frozen=True)
class Event:
    """One trace event: a tracepoint or teaching-event name and its fields."""
    name: str
    fields: Tuple[Tuple[str, Any], ...]
    spec: Any = field(default=None, compare=False, repr=False)   # its EventSpec

    def __getitem__(self, key):
        for k, v in self.fields:
            if k == key:
                return v
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def as_dict(self):
        return dict(self.fields)

    def __str__(self):
        return format_event(self)


def format_event(ev):
    """The event as a line of text: a tracepoint in its kernel's printk layout."""
    return ev.spec.format(ev) if ev.spec is not None else generic_line(ev)


def explain(ev):
    """One sentence in kernel words saying what the event did."""
    return ev.spec.explain_text(ev) if ev.spec is not None else generic_line(ev)


# the argument names of the calls the machine records as a plain tuple of values (every
# allocation and free: no dict per call); recorded_call() makes the (name, kwargs) of one
RECORDED_ARGS = {"alloc_pages": ("gfp_mask", "order", "cpu"),
                 "alloc_pages_node": ("nid", "gfp_mask", "order", "cpu"),
                 "free_pages": ("page_or_addr", "order", "cpu")}


def recorded_call(record):
    """A record of a call as replay() takes it, (name, kwargs): a (name, tuple of values) of a
    call RECORDED_ARGS lists is given the argument names; anything else is returned as is."""
    if type(record) is tuple and len(record) == 2 and type(record[1]) is tuple \
            and record[0] in RECORDED_ARGS:
        op, args = record
        return op, dict(zip(RECORDED_ARGS[op], args))
    return record


class _Recorded(Sequence):
    """A list of records kept as they were recorded, each made into what it stands for
    (`_item()`) when first read; the made item replaces the record, so every later read
    gives the same object.  Indexing, slicing (a list), iteration, ``len`` and ``==`` (with
    another such list, a list or a tuple) work as on a list."""

    __slots__ = ("_items",)

    def _item(self, i):
        raise NotImplementedError

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(len(self._items)))]
        return self._item(i)

    def __iter__(self):
        i = 0
        while i < len(self._items):       # as a list's iterator: sees items added meanwhile
            yield self._item(i)
            i += 1

    def __eq__(self, other):
        if not isinstance(other, (_Recorded, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self):
        return repr(list(self))


class EventList(_Recorded):
    """A trace's events in order: a sequence of `Event`, each made when it is first read.

    Kept as what `Trace.emit()` was given (it appends to both lists itself, a call less per
    event): the names in one list, the keyword dicts in another (a dict of ints and strings
    is never tracked by the garbage collector; a tuple holding it would be, until a
    collection sees it).  Reading an event replaces its dict by the `Event`.
    """

    __slots__ = ("_names", "_schema")

    def __init__(self, schema, events=()):
        self._items = list(events)
        self._names = [ev.name for ev in self._items]
        self._schema = schema

    def _item(self, i):
        ev = self._items[i]
        if type(ev) is dict:
            name = self._names[i]
            spec = self._schema.get(name)
            fields = tuple(ev.items()) if spec is None else spec.event_fields(ev)
            ev = self._items[i] = Event(name, fields, spec)
        return ev

    def append(self, ev):
        """Add an Event at the end."""
        self._names.append(ev.name)
        self._items.append(ev)


class OpList(_Recorded):
    """A trace's recorded calls in order, each read as (name, kwargs) (see recorded_call()).

    The machine appends the record its history keeps, the same tuple object (a call of
    RECORDED_ARGS: the name and a plain tuple of the argument values), so tracing makes no
    object of its own per call; the kwargs dict is made when the call is first read.
    """

    __slots__ = ()

    def __init__(self, ops=()):
        self._items = list(ops)

    def _item(self, i):
        op = self._items[i]
        if type(op) is tuple:
            op = self._items[i] = recorded_call(op)
        return op

    def append(self, record):
        """Add a call: (name, kwargs), or a record as the machine's history keeps it."""
        self._items.append(record)


@dataclass
class Trace:
    """A recording: the events in order and the top-level calls that made them."""
    events: Any = None       # an EventList (a list of Events given here becomes one)
    ops: Any = None          # an OpList of (name, kwargs) (a list given here becomes one)
    machine_args: Dict[str, Any] = field(default_factory=dict)
    kinds: Any = None        # None = every event; else a set of names to keep
    prefix: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)
    schema: Dict[str, Any] = field(default_factory=dict, repr=False)   # name -> EventSpec

    def __post_init__(self):
        if not isinstance(self.events, EventList):
            self.events = EventList(self.schema, self.events or ())
        if not isinstance(self.ops, OpList):
            self.ops = OpList(self.ops or ())

    def emit(self, name, /, **fields):
        """Record one event: its name and its fields as given (the Event is made when read).

        ``self`` and ``name`` are positional-only: CPython then matches no keyword against
        them (for a named parameter it compares every keyword's string with its name).
        """
        if self.kinds is None or name in self.kinds:
            events = self.events             # the EventList's two lists, appended in place
            events._names.append(name)
            events._items.append(fields)

    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, i):
        return self.events[i]

    def of(self, *names):
        """The events with one of these names, in order."""
        return [e for e in self.events if e.name in names]

    def text(self):
        """Every event, one per line, as format_event() prints it."""
        return "".join(format_event(e) + "\n" for e in self.events)
