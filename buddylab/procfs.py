"""Parsers of a real machine's /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo.

Kernel: the printers in mm/vmstat.c (frag_show_print, pagetypeinfo_show*,
zoneinfo_show_print); layouts of v4.18 and of 6.x are both read.

Each parser returns plain frozen dataclasses that keep every line, so
`parsed.text()` (and `str(parsed)`) gives back the input byte for byte, and
offers accessors for the numbers a notebook wants (free counts, watermarks,
pagesets, per-node stats).  Text that is not in the kernel's layout raises
`ProcParseError` naming the line number and the line; no other exception
escapes a parser.  The check is strict on purpose: every line is printed back
from the parsed values and compared with the input, so anything that parses
round-trips.

Every parser is linear in its input: the lines are cut with str methods, and
the few regular expressions left have no two quantifiers that can take the
same characters (each one is checked on 200 KB pathological lines in
tests/test_procfs.py).  Error messages show at most the first
`SHOWN_CHARS` characters of a long line.

`read_proc()` reads the files of the running machine (or of a copied tree)
with `read_text()`: regular files only (a FIFO or /dev/zero is refused, never
waited on), at most `PROC_MAX_BYTES` (8 MiB) each.

>>> bi = parse_buddyinfo("Node 0, zone      DMA      1      0      2 \\n")
>>> bi.zones[0].nr_free
(1, 0, 2)
>>> str(bi) == "Node 0, zone      DMA      1      0      2 \\n"
True
>>> parse_buddyinfo("Node 0, zone DMA 1 0 2\\n")
Traceback (most recent call last):
...
buddylab.errors.ProcParseError: line 1: 'Node 0, zone DMA 1 0 2': not in the kernel's layout, expected 'Node 0, zone      DMA      1      0      2 '
"""

import errno
import os
import re
import stat
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple

from . import procfmt
from .errors import BadParameterError, ProcParseError

# ---------------------------------------------------------------------------
# Lines and numbers

_INT = r"-?\d{1,20}"            # a C long; 20 digits bound int() and stay canonical

# The regular expressions of this module are all used with fullmatch() and
# stay linear: between two quantifiers there is always a character neither of
# them can take ("\S+," then " zone": a run of non-spaces ends at exactly one
# place), or a literal that fixes where the first one stops ("( *)protection:").


def _lines(text):
    """Split /proc text into lines; every line, the last too, must end in "\\n"."""
    if not isinstance(text, str):
        raise ProcParseError("line 1: expected str, got %s" % type(text).__name__)
    if text == "":
        raise ProcParseError("line 1: '': empty text")
    lines = text.split("\n")
    if lines[-1] != "":
        raise ProcParseError("line %d: %s: no newline at the end"
                             % (len(lines), _shown(lines[-1])))
    return lines[:-1]


SHOWN_CHARS = 100               # a longer line is cut in error messages


def _shown(line):
    """repr() of `line`, cut to SHOWN_CHARS characters for a message."""
    if len(line) <= SHOWN_CHARS:
        return repr(line)
    return "%r... (%d characters)" % (line[:SHOWN_CHARS], len(line))


def _error(lineno, line, why):
    return ProcParseError("line %d: %s: %s" % (lineno, _shown(line), why))


def _int(token, lineno, line):
    """A decimal int as the kernel prints it (no sign but '-', no leading zero)."""
    if not re.fullmatch(_INT, token, re.ASCII):
        raise _error(lineno, line, "%s is not a number" % _shown(token))
    value = int(token)
    if str(value) != token:
        raise _error(lineno, line, "%s is not printed as the kernel prints it" % _shown(token))
    return value


def _ints(tokens, lineno, line):
    return tuple(_int(token, lineno, line) for token in tokens)


def _same(lineno, line, printed):
    """The round-trip check: `printed` (from the parsed values) must equal `line`."""
    if printed != line:
        raise _error(lineno, line, "not in the kernel's layout, expected %s" % _shown(printed))


class _Reader:
    """A cursor over numbered lines, for the grammar of a multi-section file."""

    def __init__(self, text):
        self.lines = _lines(text)
        self.i = 0

    def more(self):
        return self.i < len(self.lines)

    def peek(self):
        return self.lines[self.i] if self.more() else None

    def take(self, what):
        if not self.more():
            last = self.lines[-1] if self.lines else ""
            raise _error(len(self.lines), last, "text ends where %s was expected" % what)
        self.i += 1
        return self.i, self.lines[self.i - 1]


# ---------------------------------------------------------------------------
# /proc/buddyinfo

BUDDYINFO_RE = re.compile(r"Node (\S+), zone +(\S+) (.*)", re.ASCII)


@dataclass(frozen=True)
class BuddyinfoZone:
    """One line of /proc/buddyinfo: nr_free of each order of one zone."""
    nid: int
    name: str
    nr_free: Tuple[int, ...]

    def text(self):
        return procfmt.buddyinfo_line(self.nid, self.name, self.nr_free)


class _ZoneFile:
    """What /proc/buddyinfo and /proc/zoneinfo share: a file that is its zones' texts in file
    order (`self.zones`, each with nid, name and text())."""

    def text(self):
        return "".join(zone.text() for zone in self.zones)

    def __str__(self):
        return self.text()

    def zone(self, nid, name):
        """The zone `name` of node `nid` (KeyError if absent)."""
        for zone in self.zones:
            if (zone.nid, zone.name) == (nid, name):
                return zone
        raise KeyError((nid, name))


@dataclass(frozen=True)
class Buddyinfo(_ZoneFile):
    """/proc/buddyinfo: one `BuddyinfoZone` per populated zone, in file order."""
    zones: Tuple[BuddyinfoZone, ...]


def parse_buddyinfo(text):
    """Parse /proc/buddyinfo (frag_show_print(); the same layout in 4.18 and 6.x).

    Kernel: frag_show_print() in mm/vmstat.c.

    >>> bi = parse_buddyinfo("Node 0, zone   Normal    160    349 \\n")
    >>> bi.zone(0, "Normal").nr_free
    (160, 349)
    """
    zones, seen = [], set()
    for lineno, line in enumerate(_lines(text), 1):
        match = BUDDYINFO_RE.fullmatch(line)
        if not match:
            raise _error(lineno, line, "not a buddyinfo line")
        zone = BuddyinfoZone(_int(match[1], lineno, line), match[2],
                             _ints(match[3].split(), lineno, line))
        _same(lineno, line, zone.text()[:-1])
        if zones and len(zone.nr_free) != len(zones[0].nr_free):
            raise _error(lineno, line, "%d orders, the first line has %d"
                         % (len(zone.nr_free), len(zones[0].nr_free)))
        if (zone.nid, zone.name) in seen:
            raise _error(lineno, line, "zone listed twice")
        seen.add((zone.nid, zone.name))
        zones.append(zone)
    return Buddyinfo(tuple(zones))


# ---------------------------------------------------------------------------
# /proc/pagetypeinfo

FREE_HEADER = procfmt.FREE_HEADER
BLOCKS_HEADER = procfmt.BLOCKS_HEADER
MIXED_HEADER = procfmt.MIXED_HEADER
FREE_ROW_RE = re.compile(r"Node +(\S+), zone +(\S+), type +(\S+) (.*)", re.ASCII)
BLOCK_ROW_RE = re.compile(r"Node (\S+), zone +(\S+) (.*)", re.ASCII)


@dataclass(frozen=True)
class FreeCountRow:
    """A row of the free-list table: list entries per order of one (zone, type).

    `overflow[order]` is True where 6.x printed ">" because it stopped counting
    at 100000 entries.
    """
    nid: int
    name: str
    migratetype: str
    counts: Tuple[int, ...]
    overflow: Tuple[bool, ...]

    def text(self):
        return procfmt.free_row(self.nid, self.name, self.migratetype, self.counts,
                                self.overflow)


@dataclass(frozen=True)
class BlockCountRow:
    """A row of the pageblock table: pageblocks per migrate type of one zone."""
    nid: int
    name: str
    counts: Tuple[int, ...]

    def text(self):
        return procfmt.block_row(self.nid, self.name, self.counts)


_names_line = procfmt.names_line


@dataclass(frozen=True)
class PagetypeinfoNode:
    """What pagetypeinfo_show() prints for one node with memory."""
    pageblock_order: int
    pages_per_block: int
    orders: Tuple[int, ...]
    free: Tuple[FreeCountRow, ...]
    block_types: Tuple[str, ...]
    blocks: Tuple[BlockCountRow, ...]
    mixed_types: Optional[Tuple[str, ...]] = None     # page_owner only
    mixed: Optional[Tuple[BlockCountRow, ...]] = None

    def text(self):
        out = [procfmt.pagetypeinfo_header(self.pageblock_order, self.pages_per_block,
                                           self.orders)]
        out += [row.text() for row in self.free]
        out += ["\n", _names_line(BLOCKS_HEADER, self.block_types) + "\n"]
        out += [row.text() for row in self.blocks]
        if self.mixed_types is not None:
            out += ["\n", _names_line(MIXED_HEADER, self.mixed_types) + "\n"]
            out += [row.text() for row in self.mixed]
        return "".join(out)


@dataclass(frozen=True)
class Pagetypeinfo:
    """/proc/pagetypeinfo: one `PagetypeinfoNode` per node with memory."""
    nodes: Tuple[PagetypeinfoNode, ...]

    def text(self):
        return "".join(node.text() for node in self.nodes)

    __str__ = text

    def free_count(self, nid, name, migratetype, order):
        """Entries on free_list[migratetype] of `order` in zone (nid, name)."""
        for node in self.nodes:
            for row in node.free:
                if (row.nid, row.name, row.migratetype) == (nid, name, migratetype):
                    return row.counts[order]
        raise KeyError((nid, name, migratetype))

    def block_counts(self, nid, name):
        """{migratetype name: pageblocks} of zone (nid, name)."""
        for node in self.nodes:
            for row in node.blocks:
                if (row.nid, row.name) == (nid, name):
                    return dict(zip(node.block_types, row.counts))
        raise KeyError((nid, name))


def _parse_names_line(reader, title):
    lineno, line = reader.take(repr(title))
    if not line.startswith(title):
        raise _error(lineno, line, "expected the %r header" % title)
    names = tuple(line[len(title):].split())
    _same(lineno, line, _names_line(title, names))
    return names


def _parse_block_rows(reader, names):
    rows = []
    while reader.more() and reader.peek().startswith("Node "):
        lineno, line = reader.take("a block count row")
        match = BLOCK_ROW_RE.fullmatch(line)
        if not match:
            raise _error(lineno, line, "not a block count row")
        row = BlockCountRow(_int(match[1], lineno, line), match[2],
                            _ints(match[3].split(), lineno, line))
        _same(lineno, line, row.text()[:-1])
        if len(row.counts) != len(names):
            raise _error(lineno, line, "%d counts for %d migrate types"
                         % (len(row.counts), len(names)))
        rows.append(row)
    return tuple(rows)


def _parse_free_row(lineno, line, orders):
    match = FREE_ROW_RE.fullmatch(line)
    if not match:
        raise _error(lineno, line, "not a free count row")
    cells = match[4].split()
    row = FreeCountRow(_int(match[1], lineno, line), match[2], match[3],
                       _ints([cell.lstrip(">") for cell in cells], lineno, line),
                       tuple(cell.startswith(">") for cell in cells))
    _same(lineno, line, row.text()[:-1])
    if len(row.counts) != len(orders):
        raise _error(lineno, line, "%d counts for %d orders" % (len(row.counts), len(orders)))
    return row


def _parse_pagetypeinfo_node(reader):
    lineno, line = reader.take("'Page block order: '")
    match = re.fullmatch(r"Page block order: (%s)" % _INT, line, re.ASCII)
    if not match:
        raise _error(lineno, line, "expected 'Page block order: %d'")
    pageblock_order = _int(match[1], lineno, line)
    lineno, line = reader.take("'Pages per block:  '")
    match = re.fullmatch(r"Pages per block:  (%s)" % _INT, line, re.ASCII)
    if not match:
        raise _error(lineno, line, "expected 'Pages per block:  %lu'")
    pages_per_block = _int(match[1], lineno, line)
    lineno, line = reader.take("an empty line")
    if line:
        raise _error(lineno, line, "expected an empty line")
    lineno, line = reader.take("the free pages header")
    if not line.startswith(FREE_HEADER):
        raise _error(lineno, line, "expected %r" % FREE_HEADER)
    orders = _ints(line[len(FREE_HEADER):].split(), lineno, line)
    _same(lineno, line, procfmt.free_header_line(orders))
    if orders != tuple(range(len(orders))):
        raise _error(lineno, line, "orders are not 0, 1, 2, ...")
    free = []
    while reader.more() and reader.peek().startswith("Node "):
        free.append(_parse_free_row(*reader.take("a free count row"), orders))
    lineno, line = reader.take("an empty line")
    if line:
        raise _error(lineno, line, "expected an empty line or a free count row")
    block_types = _parse_names_line(reader, BLOCKS_HEADER)
    blocks = _parse_block_rows(reader, block_types)
    mixed_types = mixed = None
    if reader.more() and reader.peek() == "":
        reader.take("an empty line")
        mixed_types = _parse_names_line(reader, MIXED_HEADER)
        mixed = _parse_block_rows(reader, mixed_types)
    return PagetypeinfoNode(pageblock_order, pages_per_block, orders, tuple(free),
                            block_types, blocks, mixed_types, mixed)


def parse_pagetypeinfo(text):
    """Parse /proc/pagetypeinfo (4.18 and 6.x; root-only to read since 2019).

    Kernel: pagetypeinfo_show() and the pagetypeinfo_show*_print() functions
    in mm/vmstat.c.  The header repeats for every node with memory; the
    columns follow migratetype_names[] of the kernel that wrote the file
    (5 types without CMA, 6 with).
    """
    reader = _Reader(text)
    nodes = []
    while reader.more():
        nodes.append(_parse_pagetypeinfo_node(reader))
    return Pagetypeinfo(tuple(nodes))


# ---------------------------------------------------------------------------
# /proc/zoneinfo

ZONEINFO_HEADER_RE = re.compile(r"Node (\d+), zone +(\S+)", re.ASCII)
ZONEINFO_PROTECTION_RE = re.compile(r"( *)(protection:)( +)\((.*)\)", re.ASCII)
ZONEINFO_HEADINGS = procfmt.ZONEINFO_HEADINGS
# the watermark lines every kernel's layout prints ("pages free" is checked on its own)
ZONEINFO_REQUIRED = tuple(
    line.label for line in procfmt.ZONEINFO_LAYOUTS[0].watermark[1:]
    if all(line.label in {other.label for other in layout.watermark}
           for layout in procfmt.ZONEINFO_LAYOUTS))


@dataclass(frozen=True)
class ZoneinfoLine:
    """One line of a zone in /proc/zoneinfo, kept with its spacing.

    `value` is an int ("        min      68"), a tuple (the protection line)
    or None (a heading: "  per-node stats", "  pagesets").
    """
    indent: int
    key: str
    value: object = None
    gap: int = 1

    def text(self):
        if self.value is None:
            return " " * self.indent + self.key
        if isinstance(self.value, tuple):
            value = procfmt.protection_text(self.value)
        else:
            value = str(self.value)
        return " " * self.indent + self.key + " " * self.gap + value


# label -> Pageset field, over the pageset lines of every kernel's layout ("cpu:" starts one)
_PAGESET_FIELDS = {line.label: line.field for layout in procfmt.ZONEINFO_LAYOUTS
                   for line in layout.pageset if line.field != "cpu"}


class Pageset(NamedTuple):
    """One CPU's pageset line group; high_min/high_max only on 6.7+ kernels."""
    cpu: int
    count: int
    high: int
    batch: int
    high_min: Optional[int] = None
    high_max: Optional[int] = None
    stat_threshold: Optional[int] = None


@dataclass(frozen=True)
class ZoneinfoZone:
    """One zone of /proc/zoneinfo: its header and every following line, in order.

    The sections are read from the lines: per-node stats (indent 6, before
    "pages free"), watermarks and sizes (indent 8), zone and NUMA stats
    (indent 6 after "pages free"), pagesets, and the indent-2 tail.
    """
    nid: int
    name: str
    lines: Tuple[ZoneinfoLine, ...]

    def text(self):
        return (procfmt.ZONEINFO_HEADER_FMT % (self.nid, self.name) + "\n"
                + "".join(line.text() + "\n" for line in self.lines))

    def _sectioned(self):
        """Yield (section, line): node, zone, watermark, pageset, tail."""
        section = "node"
        for line in self.lines:
            if line.indent == 2 and line.key == "pages free":
                section = "zone"
            elif line.value is None and line.key == "pagesets":
                section = "pagesets"
            elif section == "pagesets" and line.indent == 2 \
                    and line.key != "vm stats threshold:":
                section = "tail"
            if section == "zone" and line.indent == 8:
                yield "watermark", line
            elif section == "pagesets" and line.value is not None:
                yield "pageset", line
            else:
                yield section, line

    def _values(self, wanted):
        return {line.key: line.value for section, line in self._sectioned()
                if section == wanted and line.value is not None}

    def _watermark(self, key):
        return self._values("watermark").get(key)

    @property
    def node_stats(self):
        """{name: value} of the per-node stats ({} outside a node's first populated zone)."""
        return self._values("node")

    @property
    def stats(self):
        """{name: value} of the zone and NUMA stats ({} for an empty zone)."""
        return {key: value for key, value in self._values("zone").items()
                if key != "pages free"}

    @property
    def pages_free(self):
        return self._values("zone")["pages free"]

    boost = property(lambda self: self._watermark("boost"), doc="watermark_boost (6.x)")
    min = property(lambda self: self._watermark("min"))
    low = property(lambda self: self._watermark("low"))
    high = property(lambda self: self._watermark("high"))
    promo = property(lambda self: self._watermark("promo"), doc="promo watermark (6.x)")
    spanned = property(lambda self: self._watermark("spanned"))
    present = property(lambda self: self._watermark("present"))
    managed = property(lambda self: self._watermark("managed"))
    cma = property(lambda self: self._watermark("cma"), doc="CMA pages (6.x)")
    protection = property(lambda self: self._watermark("protection:"),
                          doc="lowmem_reserve[] as a tuple")
    start_pfn = property(lambda self: self._values("tail").get("start_pfn:"),
                         doc="zone_start_pfn (None for an empty zone)")
    node_unreclaimable = property(lambda self: self._values("tail").get("node_unreclaimable:"))

    @property
    def populated(self):
        return self.present > 0

    @property
    def pagesets(self):
        """[Pageset(cpu, count, high, batch, high_min, high_max, stat_threshold)]."""
        out, fields = [], None
        for section, line in self._sectioned():
            if section != "pageset":
                continue
            if line.key == "cpu:" and line.indent == 4:
                fields = {"cpu": line.value}
                out.append(fields)
            else:
                name = _PAGESET_FIELDS.get(line.key)
                if name:
                    fields[name] = line.value
        return [Pageset(**fields) for fields in out]


@dataclass(frozen=True)
class Zoneinfo(_ZoneFile):
    """/proc/zoneinfo: every zone of every node, in file order."""
    zones: Tuple[ZoneinfoZone, ...]

    def lineno(self, nid, name, key=None, section="watermark"):
        """The line number (from 1) of zone (nid, name)'s header, or of its line `key`.

        `section` is where `key` is looked for: "watermark" (min ... managed,
        protection:), "tail" (start_pfn:, node_unreclaimable:), "node" or
        "zone".  KeyError if the zone or the line is absent.
        """
        number = 1
        for zone in self.zones:
            if (zone.nid, zone.name) == (nid, name):
                if key is None:
                    return number
                for offset, (where, line) in enumerate(zone._sectioned(), 1):
                    if (where, line.key) == (section, key):
                        return number + offset
                raise KeyError(key)
            number += 1 + len(zone.lines)
        raise KeyError((nid, name))

    def node_stats(self, nid):
        """{name: value} of node `nid`'s per-node stats ({} if none printed)."""
        for zone in self.zones:
            if zone.nid == nid and zone.node_stats:
                return zone.node_stats
        return {}


def _split_value_line(line):
    """(indent, key, gap, number) of "<indent><key><gap><number>", or None.

    The number is the text after the last space, the gap the run of spaces
    before it, the indent the leading spaces, the key what lies between
    (spaces inside it are kept: "pages free", "vm stats threshold:").  A line
    of spaces and a number has an empty key and a gap of one space.  Cut with
    str methods, so linear in the line: the regular expression
    ``( *)(.*?)( +)(number)`` it replaces had three quantifiers that can all
    take spaces and was cubic on a long line of spaces.

    >>> _split_value_line("  pages free     3974")
    (2, 'pages free', 5, '3974')
    >>> _split_value_line("                   0")
    (18, '', 1, '0')
    >>> _split_value_line("  pages free") is None
    True
    """
    head, space, number = line.rpartition(" ")
    if not space or not re.fullmatch(_INT, number, re.ASCII):
        return None
    body = head.rstrip(" ")
    key = body.lstrip(" ")
    if not key:
        return len(line) - len(number) - 1, "", 1, number
    return len(body) - len(key), key, len(line) - len(number) - len(body), number


def _zoneinfo_line(lineno, line):
    match = ZONEINFO_PROTECTION_RE.fullmatch(line)
    if match:
        value = _ints(match[4].split(", "), lineno, line)
        parsed = ZoneinfoLine(len(match[1]), match[2], value, len(match[3]))
    elif line.strip() in ZONEINFO_HEADINGS:
        parsed = ZoneinfoLine(len(line) - len(line.lstrip(" ")), line.strip())
    else:
        split = _split_value_line(line)
        if split is None:
            raise _error(lineno, line, "not a zoneinfo line")
        indent, key, gap, number = split
        if key == "" and indent > 6:
            # "      %-12s %lu" of an empty name (4.14-4.19's hidden
            # nr_indirectly_reclaimable): 19 spaces, then the value.
            indent, gap = 6, gap + indent - 6
        parsed = ZoneinfoLine(indent, key, _int(number, lineno, line), gap)
    _same(lineno, line, parsed.text())
    return parsed


class _ZoneChecker:
    """The grammar of one zone's lines, checked as they come."""

    def __init__(self, lineno, line):
        self.header = (lineno, line)
        self.section = "start"
        self.seen = {}              # (section, cpu, key) -> lineno
        self.cpu = None
        self.pageset_keys = set()

    def _fail(self, lineno, line, why):
        raise _error(lineno, line, why)

    def add(self, lineno, line, parsed):
        key, indent = parsed.key, parsed.indent
        if parsed.value is None:                        # a heading
            wanted = {"per-node stats": "start", "pagesets": "zone"}[key]
            if self.section != wanted or indent != 2:
                self._fail(lineno, line, "heading %r out of place" % key)
            self.section = "node" if key == "per-node stats" else "pagesets"
            return
        if key == "pages free":
            if self.section not in ("start", "node") or indent != 2:
                self._fail(lineno, line, "'pages free' out of place")
            self.section = "zone"
        elif self.section == "node":
            if indent != 6:
                self._fail(lineno, line, "expected a per-node stat line (indent 6)")
        elif self.section == "start":
            self._fail(lineno, line, "expected 'per-node stats' or 'pages free'")
        elif self.section == "pagesets":
            if key == "cpu:" and indent == 4:
                self._end_pageset(lineno, line)
                self.cpu = parsed.value
                self.pageset_keys = set()
                key = ("cpu", parsed.value)
            elif self.cpu is None:
                self._fail(lineno, line, "expected '    cpu: '")
            elif indent == 14 or key == "vm stats threshold:":
                self.pageset_keys.add(key)
            elif indent == 2:
                self._end_pageset(lineno, line)
                self.section = "tail"
            else:
                self._fail(lineno, line, "not a pageset line")
        elif self.section == "tail" and indent != 2:
            self._fail(lineno, line, "expected an indent-2 line after the pagesets")
        owner = self.cpu if self.section == "pagesets" else None
        if (self.section, owner, key) in self.seen:
            self._fail(lineno, line, "%r appears twice" % (key,))
        self.seen[(self.section, owner, key)] = lineno

    def _end_pageset(self, lineno, line):
        if self.cpu is not None:
            missing = {"count:", "high:", "batch:"} - self.pageset_keys
            if missing:
                self._fail(lineno, line, "the pageset of cpu %d has no %s"
                           % (self.cpu, ", ".join(sorted(missing))))

    def finish(self, zone):
        lineno, line = self.header
        if self.section == "pagesets":
            self._end_pageset(lineno, line)
        if self.section in ("start", "node"):
            self._fail(lineno, line, "this zone has no 'pages free' line")
        values = zone._values("watermark")
        missing = [key for key in ZONEINFO_REQUIRED + ("protection:",) if key not in values]
        if missing:
            self._fail(lineno, line, "this zone has no %s line" % ", ".join(missing))


def parse_zoneinfo(text):
    """Parse /proc/zoneinfo of any version, 4.18 and 6.x included.

    Kernel: zoneinfo_show_print() in mm/vmstat.c.

    Every line of a zone is kept, in order, with its spacing, so lines a
    newer kernel adds (boost, promo, cma, high_min, nr_free_pages_blocks...)
    survive; accessors give the usual fields, None where a version lacks one.

    >>> zi = parse_zoneinfo("Node 0, zone  Movable\\n  pages free     0\\n"
    ...     "        min      0\\n        low      0\\n        high     0\\n"
    ...     "        spanned  0\\n        present  0\\n        managed  0\\n"
    ...     "        protection: (0, 0, 0, 0)\\n")
    >>> z = zi.zone(0, "Movable")
    >>> z.protection, z.populated, z.pagesets, z.boost
    ((0, 0, 0, 0), False, [], None)
    """
    zones, header, body, checker = [], None, [], None
    seen = set()

    def close():
        zone = ZoneinfoZone(header[0], header[1], tuple(body))
        checker.finish(zone)
        zones.append(zone)

    for lineno, line in enumerate(_lines(text), 1):
        match = ZONEINFO_HEADER_RE.fullmatch(line)
        if match:
            if checker is not None:
                close()
            header = (_int(match[1], lineno, line), match[2])
            _same(lineno, line, procfmt.ZONEINFO_HEADER_FMT % header)
            if header in seen:
                raise _error(lineno, line, "zone listed twice")
            seen.add(header)
            body, checker = [], _ZoneChecker(lineno, line)
            continue
        if checker is None:
            raise _error(lineno, line, "expected 'Node %d, zone %8s'")
        parsed = _zoneinfo_line(lineno, line)
        checker.add(lineno, line, parsed)
        body.append(parsed)
    close()
    return Zoneinfo(tuple(zones))


# ---------------------------------------------------------------------------
# Reading a machine

PROC_FILES = (("buddyinfo", parse_buddyinfo),
              ("pagetypeinfo", parse_pagetypeinfo),
              ("zoneinfo", parse_zoneinfo))
SYSCTL_INTS = ("min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor",
               "percpu_pagelist_fraction", "percpu_pagelist_high_fraction")
SYSCTL_TUPLES = ("lowmem_reserve_ratio",)


PROC_MAX_BYTES = 8 << 20        # 8 MiB: a zoneinfo with 8192 CPUs' pagesets in 3 zones is ~4 MiB
READ_CHUNK = 1 << 16


def read_text(path, missing_ok=False):
    """The text of the /proc file `path`, read safely.

    Only a regular file is read (the files of /proc and /proc/sys are
    regular files of size 0): a FIFO, a device (/dev/zero) or a socket
    raises ProcParseError at once, without waiting for a writer.  More than
    `PROC_MAX_BYTES` bytes raise ProcParseError too.  Bytes that
    are not ASCII become U+FFFD (and then fail to parse, naming the line).
    A file that cannot be opened or read (a directory) raises ProcParseError,
    or gives None with `missing_ok`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return _unreadable(path, error, missing_ok)
    except (TypeError, ValueError):         # not a path, or a NUL byte in it
        raise ProcParseError("%r: not a file path" % (path,)) from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        if stat.S_ISDIR(kind):          # read() would fail with EISDIR: unreadable
            return _unreadable(path, IsADirectoryError(errno.EISDIR, "Is a directory"),
                               missing_ok)
        raise ProcParseError("%s: not a regular file (%s): /proc text is read only "
                             "from regular files" % (path, _file_kind(kind)))
    chunks, size = [], 0
    try:
        # small reads: a /proc/sys handler allocates the whole count (-ENOMEM
        # past KMALLOC_MAX_SIZE, fs/proc/proc_sysctl.c, proc_sys_call_handler())
        while size <= PROC_MAX_BYTES:
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return _unreadable(path, error, missing_ok)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > PROC_MAX_BYTES:
        raise ProcParseError("%s: longer than %d bytes (PROC_MAX_BYTES, 8 MiB): not a /proc "
                             "file of a machine the model can hold" % (path, PROC_MAX_BYTES))
    return data.decode("ascii", errors="replace")


def _unreadable(path, error, missing_ok):
    if missing_ok:
        return None
    raise ProcParseError("%s: cannot be read: %s" % (path, error.strerror))


def _file_kind(mode):
    for test, name in ((stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "mode %o" % mode


def parse_sysctl(text):
    """Parse the numbers of a /proc/sys file (proc_dointvec: tab-separated, "\\n").

    >>> parse_sysctl("256\\t256\\t32\\t0\\t0\\n")
    (256, 256, 32, 0, 0)
    """
    lines = _lines(text)
    if len(lines) != 1:
        raise _error(2, lines[1], "a sysctl has one line")
    return _ints(lines[0].split("\t"), 1, lines[0])


def read_proc(root="/proc", names=None):
    """Parse the allocator's files of a running machine (or a copy of them).

    Returns a dict with "buddyinfo", "pagetypeinfo" and "zoneinfo" (parsed),
    the ints "min_free_kbytes", "watermark_scale_factor" and whichever of
    "percpu_pagelist_fraction" (<= 5.13) / "percpu_pagelist_high_fraction"
    (5.14+) / "watermark_boost_factor" (5.0+) exist, and the tuple
    "lowmem_reserve_ratio".  `names` (default: all of these) picks the files
    to read; no other file is opened.  A file that is missing or cannot be
    opened (pagetypeinfo is root-only since 2019) is left out; a malformed
    one, one that is not a regular file or is longer than `PROC_MAX_BYTES`
    raises ProcParseError naming its path.
    """
    root = os.fspath(root)
    out = {}
    files = [(name, os.path.join(root, name), parse) for name, parse in PROC_FILES]
    files += [(name, os.path.join(root, "sys", "vm", name), parse_sysctl)
              for name in SYSCTL_INTS + SYSCTL_TUPLES]
    if names is not None:
        unknown = set(names) - {name for name, _, _ in files}
        if unknown:
            raise BadParameterError("read_proc: no /proc file named %s"
                                    % ", ".join(sorted(map(repr, unknown))))
        files = [f for f in files if f[0] in names]
    for name, path, parse in files:
        text = read_text(path, missing_ok=True)
        if text is None:
            continue
        try:
            out[name] = parse(text)
            if name in SYSCTL_INTS:
                if len(out[name]) != 1:
                    raise _error(1, text.rstrip("\n"), "one number expected")
                out[name] = out[name][0]
        except ProcParseError as error:
            raise ProcParseError("%s: %s" % (path, error)) from None
    return out
