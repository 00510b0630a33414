"""Reading a real kernel's kmem trace: ftrace text (plain or gzip) and ``perf script`` output.

Kernel: the TP_printk() formats of include/trace/events/kmem.h for the five page-allocator
tracepoints, in both layouts the lab's kernels print:

======================  ================================================================
event                   fields after ``page=%p`` (v6.18 prints ``pfn=0x%lx``, v4.18 ``pfn=%lu``)
======================  ================================================================
mm_page_alloc           pfn order migratetype gfp_flags
mm_page_free            pfn order
mm_page_alloc_zone_locked  pfn order migratetype percpu_refill
mm_page_pcpu_drain      pfn order migratetype
mm_page_alloc_extfrag   pfn alloc_order fallback_order pageblock_order alloc_migratetype
                        fallback_migratetype fragmenting change_ownership
======================  ================================================================

A line is ``TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: k=v ...`` in ftrace's ``trace`` file
(the irq-flags column is optional: tracefs option ``irq-info``), ``TASK PID [CPU] TIMESTAMP:
kmem:EVENT: k=v ...`` in ``perf script``.  Every value becomes an int (``pfn`` read as hex
when printed ``0x``, else decimal); the hashed ``page=`` pointer is dropped, except that a NULL
one (a failed allocation, printed with pfn 0) makes ``pfn`` -1 as in the model's events.
``gfp_flags`` is kept as printed (``gfp_text``), as single-bit names (``gfp_names``: each
composite the kernel printed, ``GFP_KERNEL`` say, expanded into the ``__GFP_*`` bits of its
definition in the kernel that printed it) and as that kernel's mask (``fields["gfp_flags"]``;
None when a name has no bit in the model's configuration).  The printing kernel is told by
the pfn layout (6.x or 4.x) and its definitions are its gfp module, reached through
``kernels.select.TRACE_PRINTERS``: this reader keeps no GFP table of its own.  A replay maps
the names, never the bits, onto the bits of the kernel it runs (``buddylab.tracereplay``).

Comment lines (``#``, ftrace's header), blank lines and events of other tracepoints are
skipped (counted in ``skipped``); ftrace's ``CPU:N [LOST M EVENTS]`` lines are added up in
``lost``.  Any other line raises TraceFileError naming the file, the line number and what
is wrong.  Lines are cut with str methods, linear in their length.

>>> t = parse_trace_lines(["# tracer: nop",
...     "   dd-21342   [001] d..1.  1826.775541: mm_page_alloc_zone_locked: "
...     "page=000000005d9807e0 pfn=0x11ee00 order=8 migratetype=1 percpu_refill=0"])
>>> e = t.events[0]
>>> e.cpu, e.name, e.fields["pfn"], e.fields["percpu_refill"]
(1, 'mm_page_alloc_zone_locked', 1175040, 0)
>>> parse_trace_lines(["   dd-1 [000] 1.5: mm_page_free: page=x pfn=12"], source="t.txt")
Traceback (most recent call last):
...
buddylab.errors.TraceFileError: t.txt line 1: mm_page_free has fields pfn, expected pfn, ...
"""

import gzip
import os
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from .errors import TraceFileError
from .kernels.select import TRACE_PRINTERS

#: the fields each event prints after ``page=%p``, in the kernel's order (kmem.h, both versions)
KMEM_FIELDS = {
    "mm_page_alloc": ("pfn", "order", "migratetype", "gfp_flags"),
    "mm_page_free": ("pfn", "order"),
    "mm_page_alloc_zone_locked": ("pfn", "order", "migratetype", "percpu_refill"),
    "mm_page_pcpu_drain": ("pfn", "order", "migratetype"),
    "mm_page_alloc_extfrag": ("pfn", "alloc_order", "fallback_order", "pageblock_order",
                              "alloc_migratetype", "fallback_migratetype", "fragmenting",
                              "change_ownership"),
}
KMEM_EVENTS = tuple(KMEM_FIELDS)

# How %p prints NULL: "(null)" in ftrace, hashed pointers are never all zeros.
_NULL_POINTERS = ("(null)", "(nil)", "0", "0x0", "0000000000000000", "00000000")
SHOWN_CHARS = 160              # an error message shows at most this much of a line

# ------------------------------------------------------------------------ GFP names
# The GFP bits and composites of the kernel that printed the trace have one home, its gfp
# module (buddylab/kernels/v6_18/gfp.py, v4_18/gfp.py), reached through its kernel object.
def _printer_gfp(printed_by):
    return TRACE_PRINTERS[printed_by].gfp


def gfp_names(text, printed_by="6.x"):
    """The single-bit names of a printed gfp_flags, composites expanded; unknown hex kept.

    `printed_by` is "6.x" or "4.x": a composite is expanded into the ``__GFP_*`` bits of its
    definition in that kernel's gfp module (kernels.select.TRACE_PRINTERS), in bit order.
    Raises ValueError for a part that is neither a name that kernel prints nor a hex number.

    >>> gfp_names("GFP_NOWAIT")
    ('__GFP_KSWAPD_RECLAIM', '__GFP_NOWARN')
    >>> gfp_names("GFP_NOWAIT", printed_by="4.x")
    ('__GFP_KSWAPD_RECLAIM',)
    >>> gfp_names("__GFP_COMP|0x200")
    ('__GFP_COMP', '0x200')
    """
    if text == "none":
        return ()
    gfp = _printer_gfp(printed_by)
    composites = dict(gfp.COMPOSITES, __GFP_RECLAIM=gfp.__GFP_RECLAIM)
    names = []
    for part in text.split("|"):
        if part in composites:
            mask = int(composites[part])
            names.extend(n for n, bit in gfp.GFP_BITS.items() if int(bit) & mask)
        elif part in gfp.GFP_BITS or part in gfp.CONFIG_GFP_NAMES:
            names.append(part)
        elif part[:2] == "0x" and _is_hex(part[2:]):
            names.append(part)
        else:
            raise ValueError("unknown GFP flag %r" % part)
    return tuple(dict.fromkeys(names))


def gfp_value(names, printed_by="6.x"):
    """The mask of single-bit names in the bits of the kernel that printed them (hex parts as
    they are), or None if a name has no bit in the model's configuration of that kernel.

    >>> hex(gfp_value(gfp_names("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP")))
    '0x440dc0'
    >>> hex(gfp_value(gfp_names("GFP_KERNEL", "4.x"), "4.x"))
    '0x6000c0'
    """
    bits = _printer_gfp(printed_by).GFP_BITS
    mask = 0
    for n in names:
        if n[:2] == "0x":
            mask |= int(n, 16)
        elif n in bits:
            mask |= int(bits[n])
        else:
            return None
    return mask


# ------------------------------------------------------------------------- records
class KmemEvent(NamedTuple):
    """One kmem tracepoint hit read from a trace file."""
    line: int                      # 1-based line number in the file
    cpu: int
    timestamp: float               # seconds, as printed
    name: str                      # one of KMEM_EVENTS
    fields: Dict[str, Any]         # KMEM_FIELDS[name] -> int (gfp_flags: see gfp_value())
    gfp_text: Optional[str] = None          # mm_page_alloc: gfp_flags as printed
    gfp_names: Tuple[str, ...] = ()         # mm_page_alloc: its single-bit names

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.fields[key]
        return tuple.__getitem__(self, key)


class KernelTrace(NamedTuple):
    """A parsed trace: its events in file order and what was left out."""
    source: str
    events: List[KmemEvent]
    skipped: int                   # comment, blank and other-event lines
    lost: int                      # events ftrace reported lost ([LOST N EVENTS])
    formats: Tuple[str, ...]       # "ftrace" and/or "perf"; "4.x" and/or "6.x" pfn printing

    def of(self, *names):
        """The events with one of these names, in order."""
        return [e for e in self.events if e.name in names]

    def counts(self):
        """{event name: number of events}, every kmem event listed."""
        out = dict.fromkeys(KMEM_EVENTS, 0)
        for e in self.events:
            out[e.name] += 1
        return out


def _is_hex(s):
    return s != "" and all(c in "0123456789abcdefABCDEF" for c in s)


def _is_int(s):
    return s.isdigit() or (s[:1] == "-" and s[1:].isdigit())


def _timestamp(tok):
    """'1826.775541:' -> 1826.775541, else None."""
    if not tok.endswith(":"):
        return None
    whole, dot, frac = tok[:-1].partition(".")
    if whole.isdigit() and (not dot or frac.isdigit()):
        return float(tok[:-1])
    return None


def _split_prefix(toks):
    """(cpu, timestamp, event token, body tokens) of a line's tokens, or None.

    The task name may hold spaces and brackets, so the first ``[N]`` that is followed by a
    timestamp (after an optional irq-flags column) and an event name is the CPU.
    """
    for i in range(1, len(toks) - 2):
        t = toks[i]
        if not (t[:1] == "[" and t[-1:] == "]" and t[1:-1].isdigit()):
            continue
        j = i + 1
        if _timestamp(toks[j]) is None:
            j += 1                       # the irq-flags column ("d..1.")
        if j + 1 < len(toks) and _timestamp(toks[j]) is not None and toks[j + 1].endswith(":"):
            return int(t[1:-1]), _timestamp(toks[j]), toks[j + 1][:-1], toks[j + 2:]
    return None


def _short(line):
    return line if len(line) <= SHOWN_CHARS else line[:SHOWN_CHARS] + "..."


def _decode_gfp(text, printed_by, cache):
    """(names, the printing kernel's mask or None) of a printed gfp_flags, memoised in `cache`
    (a trace repeats a few masks thousands of times, and every event then shares one tuple)."""
    key = (text, printed_by)
    if key not in cache:
        names = gfp_names(text, printed_by)
        cache[key] = names, gfp_value(names, printed_by)
    return cache[key]


def _parse_line(line, gfp_cache):
    """(KmemEvent pieces, flavours) of one line; None to skip; raises ValueError (why)."""
    s = line.strip()
    if not s or s.startswith("#"):
        return None
    if s.startswith("CPU:") and "[LOST" in s:
        toks = s.split()
        k = toks.index("[LOST") if "[LOST" in toks else -1
        if k < 0 or k + 1 >= len(toks) or not toks[k + 1].isdigit():
            raise ValueError("a [LOST N EVENTS] line without a count")
        return ("lost", int(toks[k + 1]))
    toks = s.split()
    head = _split_prefix(toks)
    if head is None:
        raise ValueError("not a trace line (expected 'TASK-PID [CPU] TIMESTAMP: EVENT: "
                         "fields', ftrace or perf script)")
    cpu, ts, event, body = head
    system, _, name = event.rpartition(":")
    flavour = "perf" if system else "ftrace"      # perf script names the system: kmem:
    if system not in ("", "kmem") or name not in KMEM_FIELDS:
        return ("skip",)
    pairs = [tok.partition("=") for tok in body]
    if any(not eq or not k for k, eq, _ in pairs):
        bad = [tok for tok, (k, eq, _) in zip(body, pairs) if not eq or not k][0]
        raise ValueError("%s: %r is not a key=value field" % (name, bad))
    keys = [k for k, _, _ in pairs]
    want = KMEM_FIELDS[name]
    if keys[:1] == ["page"]:
        page = pairs[0][2]
        pairs, keys = pairs[1:], keys[1:]
    else:
        page = None
    if tuple(keys) != want:
        raise ValueError("%s has fields %s, expected %s"
                         % (name, ", ".join(keys), ", ".join(want)))
    values = {k: v for k, _, v in pairs}
    fields, gfp_text, names = {}, None, ()
    pfn_text = values["pfn"]
    printed_by = "6.x" if pfn_text[:2] == "0x" else "4.x"
    for k in want:
        v = values[k]
        if k == "gfp_flags":
            gfp_text = v
            try:
                names, fields[k] = _decode_gfp(v, printed_by, gfp_cache)
            except ValueError as e:
                raise ValueError("%s gfp_flags=%s: %s" % (name, v, e)) from None
        elif k == "pfn" and printed_by == "6.x":
            if not _is_hex(v[2:]):
                raise ValueError("%s: pfn=%s is not a hex number" % (name, v))
            fields[k] = int(v[2:], 16)
        elif _is_int(v):
            fields[k] = int(v)
        else:
            raise ValueError("%s: %s=%s is not an integer" % (name, k, v))
    if page is not None and page in _NULL_POINTERS and fields["pfn"] == 0:
        fields["pfn"] = -1                     # page NULL: a failed allocation
    return ("event", cpu, ts, name, fields, gfp_text, names, (flavour, printed_by))


def parse_trace_lines(lines, source="<lines>"):
    """A KernelTrace of these lines (str, no need for their newlines); `source` names them
    in error messages."""
    events, skipped, lost, formats, gfp_cache = [], 0, 0, {}, {}
    for no, line in enumerate(lines, 1):
        if not isinstance(line, str):
            raise TraceFileError("%s line %d: expected text, got %s"
                                 % (source, no, type(line).__name__))
        line = line.rstrip("\n")
        try:
            got = _parse_line(line, gfp_cache)
        except ValueError as e:
            raise TraceFileError("%s line %d: %s: %r" % (source, no, e, _short(line))) from None
        if got is None or got[0] == "skip":
            skipped += 1
        elif got[0] == "lost":
            lost += got[1]
        else:
            _, cpu, ts, name, fields, gfp_text, names, fmt = got
            formats.update(dict.fromkeys(fmt))
            events.append(KmemEvent(no, cpu, ts, name, fields, gfp_text, names))
    return KernelTrace(source, events, skipped, lost, tuple(formats))


def read_trace(path):
    """Read a trace file: ftrace's ``trace`` text or ``perf script`` output, gzip or plain.

    Gzip is recognised by its magic bytes, not the file name.  A missing or unreadable
    file, or bytes that are not UTF-8 text, raise TraceFileError naming the file.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(path, "rt", encoding="utf-8") as f:
            return parse_trace_lines(f, source=path)
    except EOFError:
        raise TraceFileError("%s: the gzip stream ends early (a truncated file)" % path) from None
    except OSError as e:
        raise TraceFileError("%s: cannot read the trace: %s" % (path, e.strerror or e)) from None
    except UnicodeDecodeError as e:
        raise TraceFileError("%s: not a text trace (%s)" % (path, e.reason)) from None
