"""The layouts of /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo and the extfrag files.

Kernel: the seq_printf() format strings of mm/vmstat.c: frag_show_print(),
pagetypeinfo_showfree_print(), pagetypeinfo_showblockcount_print(),
pagetypeinfo_show(), zoneinfo_show_print(), extfrag_show_print(),
unusable_show_print() (v4.18 and v6.18).

Each layout is written here once.  buddylab.vmstat prints the model's state
with it; buddylab.procfs prints parsed text back with it (its round-trip check
compares that print with the input line).  Where the two kernels differ the
difference is data: a `ZoneinfoLayout` per kernel (`ZONEINFO_V4_18`,
`ZONEINFO_V6_18`) lists the lines its zoneinfo_show_print() prints, and 6.x's
">" of a capped free count is an argument of `free_row()` (4.18 never passes
it).  Python's ``%`` ignores C's length modifier, so the kernel's ``%lu`` and
``%ld`` are kept as they are in the kernel source.

>>> buddyinfo_line(0, "DMA", (1, 0, 2))
'Node 0, zone      DMA      1      0      2 \\n'
>>> index_text(808), index_text(-1000)
('0.808 ', '-1.000 ')
"""

from dataclasses import dataclass

__all__ = ["ZONE_LINE_FMT", "BUDDYINFO_COUNT_FMT", "FRAG_INDEX_FMT", "zone_line",
           "buddyinfo_line", "index_text", "frag_index_line",
           "PAGEBLOCK_ORDER_FMT", "PAGES_PER_BLOCK_FMT", "FREE_HEADER", "BLOCKS_HEADER",
           "MIXED_HEADER", "FREE_ROW_FMT", "FREE_COUNT_FMT", "BLOCK_ROW_FMT", "BLOCK_COUNT_FMT",
           "ORDER_FMT", "free_header_line", "pagetypeinfo_header", "free_row", "names_line",
           "block_row", "ZONEINFO_HEADER_FMT", "ZONEINFO_STAT_FMT", "ZONEINFO_HEADINGS",
           "protection_text", "ZoneinfoLine", "ZoneinfoLayout", "ZONEINFO_V4_18",
           "ZONEINFO_V6_18", "ZONEINFO_LAYOUTS"]

# ---------------------------------------------------------------------------
# /proc/buddyinfo and the debugfs extfrag files: one line per populated zone

ZONE_LINE_FMT = "Node %d, zone %8s "            # frag_show_print(), extfrag_show_print(), ...
BUDDYINFO_COUNT_FMT = "%6lu "                   # frag_show_print(): nr_free per order
FRAG_INDEX_FMT = "%d.%03d "                     # extfrag_show_print(), unusable_show_print()


def zone_line(nid, name, cells):
    """"Node %d, zone %8s " then the already formatted `cells`, then "\\n"."""
    return ZONE_LINE_FMT % (nid, name) + "".join(cells) + "\n"


def buddyinfo_line(nid, name, nr_free):
    """One line of /proc/buddyinfo (frag_show_print()): it ends in a space."""
    return zone_line(nid, name, (BUDDYINFO_COUNT_FMT % n for n in nr_free))


def _c_div(a, b):
    """C integer division: truncates toward zero (Python's // floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def index_text(index):
    """`"%d.%03d "` of index / 1000 and index % 1000, with C's truncation.

    >>> index_text(0), index_text(1000)
    ('0.000 ', '1.000 ')
    """
    q = _c_div(index, 1000)
    return FRAG_INDEX_FMT % (q, index - q * 1000)


def frag_index_line(nid, name, indexes):
    """One line of extfrag_index or unusable_index: an index x1000 per order."""
    return zone_line(nid, name, (index_text(i) for i in indexes))


# ---------------------------------------------------------------------------
# /proc/pagetypeinfo

PAGEBLOCK_ORDER_FMT = "Page block order: %d\n"          # pagetypeinfo_show()
PAGES_PER_BLOCK_FMT = "Pages per block:  %lu\n"
FREE_HEADER = "Free pages count per migrate type at order"
BLOCKS_HEADER = "Number of blocks type "
MIXED_HEADER = "Number of mixed blocks "                # page_owner only
ORDER_FMT = "%6d "
FREE_ROW_FMT = "Node %4d, zone %8s, type %12s "         # pagetypeinfo_showfree_print()
FREE_COUNT_FMT = "%s%6lu "          # 6.x: ">" when the list walk stopped at 100000 entries
BLOCK_ROW_FMT = "Node %d, zone %8s "                    # pagetypeinfo_showblockcount_print()
BLOCK_COUNT_FMT = "%12lu "
NAME_FMT = "%12s "


def free_header_line(orders):
    """"%-43s " of FREE_HEADER, then "%6d " per order (no newline)."""
    return "%-43s " % FREE_HEADER + "".join(ORDER_FMT % order for order in orders)


def pagetypeinfo_header(pageblock_order, pages_per_block, orders):
    """The four lines pagetypeinfo_show() prints before a node's free counts."""
    return (PAGEBLOCK_ORDER_FMT % pageblock_order + PAGES_PER_BLOCK_FMT % pages_per_block
            + "\n" + free_header_line(orders) + "\n")


def free_row(nid, name, migratetype_name, counts, overflow=None):
    """A free-count row: list entries per order of one (zone, migrate type), with "\\n".

    `overflow[order]` True prints 6.x's ">" before that count.
    """
    overflow = overflow or (False,) * len(counts)
    return (FREE_ROW_FMT % (nid, name, migratetype_name)
            + "".join(FREE_COUNT_FMT % (">" if over else "", n)
                      for n, over in zip(counts, overflow)) + "\n")


def names_line(title, names):
    """"%-23s" of a table title, then "%12s " per migrate type name (no newline)."""
    return "%-23s" % title + "".join(NAME_FMT % name for name in names)


def block_row(nid, name, counts):
    """A pageblock-count row of one zone, with "\\n"."""
    return BLOCK_ROW_FMT % (nid, name) + "".join(BLOCK_COUNT_FMT % n for n in counts) + "\n"


# ---------------------------------------------------------------------------
# /proc/zoneinfo

ZONEINFO_HEADER_FMT = "Node %d, zone %8s"
ZONEINFO_STAT_FMT = "\n      %-12s %lu"              # node, zone and NUMA stat lines
ZONEINFO_NODE_HEADING = "\n  per-node stats"
ZONEINFO_PAGESETS_HEADING = "\n  pagesets"
ZONEINFO_HEADINGS = tuple(h.strip() for h in (ZONEINFO_NODE_HEADING, ZONEINFO_PAGESETS_HEADING))
PROTECTION_FMT = "\n        protection: %s"


def protection_text(lowmem_reserve):
    """"(%ld" then ", %ld" for the rest of lowmem_reserve[], then ")".

    >>> protection_text((0, 3019, 3659))
    '(0, 3019, 3659)'
    """
    return "(" + ", ".join("%ld" % v for v in lowmem_reserve) + ")"


@dataclass(frozen=True)
class ZoneinfoLine:
    """One "\\n"-led line of zoneinfo_show_print(): the value `field` printed with `fmt`."""
    field: str
    fmt: str

    @property
    def label(self):
        """The text before the number, as a parser sees it ("count:", "pages free")."""
        return self.fmt.split("%")[0].strip()


def _lines(*pairs):
    return tuple(ZoneinfoLine(field, fmt) for field, fmt in pairs)


@dataclass(frozen=True)
class ZoneinfoLayout:
    """Which lines one kernel's zoneinfo_show_print() prints for a zone, as data.

    `watermark` runs from "pages free" to "managed" (or "cma"), before the
    protection line; `pageset` is printed for every CPU, `tail` once after
    the pagesets.  The stat lines all use ZONEINFO_STAT_FMT; which stats a
    kernel has is the caller's table (vmstat_text[]).
    """
    version: str
    watermark: tuple
    pageset: tuple
    tail: tuple

    def zone_text(self, nid, name, values, protection, node_stats=None, zone_stats=None,
                  pagesets=(), tail=None):
        """The text of one zone.

        `values` maps the watermark fields to numbers; `node_stats` and
        `zone_stats` are (name, value) pairs (node stats only in the node's
        first populated zone; `zone_stats` None for an empty zone, which
        stops after its protection line); `pagesets` maps each CPU's pageset
        fields; `tail` maps the tail fields.
        """
        out = [ZONEINFO_HEADER_FMT % (nid, name)]
        if node_stats is not None:
            out.append(ZONEINFO_NODE_HEADING)
            out.extend(ZONEINFO_STAT_FMT % item for item in node_stats)
        out.extend(line.fmt % values[line.field] for line in self.watermark)
        out.append(PROTECTION_FMT % protection_text(protection))
        if zone_stats is None:
            out.append("\n")
            return "".join(out)
        out.extend(ZONEINFO_STAT_FMT % item for item in zone_stats)
        out.append(ZONEINFO_PAGESETS_HEADING)
        for pcp in pagesets:
            out.extend(line.fmt % pcp[line.field] for line in self.pageset)
        out.extend(line.fmt % tail[line.field] for line in self.tail)
        out.append("\n")
        return "".join(out)


# The lines both kernels print, as the kernel's format strings
_FREE = ("free", "\n  pages free     %lu")
_MIN_LOW_HIGH = (("min", "\n        min      %lu"),
                 ("low", "\n        low      %lu"),
                 ("high", "\n        high     %lu"))
_SIZES = (("spanned", "\n        spanned  %lu"),
          ("present", "\n        present  %lu"),
          ("managed", "\n        managed  %lu"))
_CPU = ("cpu", "\n    cpu: %i")
_THRESHOLD = ("stat_threshold", "\n  vm stats threshold: %d")     # CONFIG_SMP, per CPU
_TAIL = _lines(("node_unreclaimable", "\n  node_unreclaimable:  %u"),
               ("start_pfn", "\n  start_pfn:           %lu"))

# zoneinfo_show_print() of v4.18 (mm/vmstat.c)
ZONEINFO_V4_18 = ZoneinfoLayout(
    "v4.18",
    watermark=_lines(_FREE, *_MIN_LOW_HIGH, *_SIZES),
    pageset=_lines(_CPU,
                   ("count", "\n              count: %i"),
                   ("high", "\n              high:  %i"),
                   ("batch", "\n              batch: %i"),
                   _THRESHOLD),
    tail=_TAIL)

# zoneinfo_show_print() of v6.18 (mm/vmstat.c): boost, promo and cma lines; high_min and
# high_max per CPU, and the per-CPU labels padded to one column
ZONEINFO_V6_18 = ZoneinfoLayout(
    "v6.18",
    watermark=_lines(_FREE, ("boost", "\n        boost    %lu"), *_MIN_LOW_HIGH,
                     ("promo", "\n        promo    %lu"), *_SIZES,
                     ("cma", "\n        cma      %lu")),
    pageset=_lines(_CPU,
                   ("count", "\n              count:    %i"),
                   ("high", "\n              high:     %i"),
                   ("batch", "\n              batch:    %i"),
                   ("high_min", "\n              high_min: %i"),
                   ("high_max", "\n              high_max: %i"),
                   _THRESHOLD),
    tail=_TAIL)

ZONEINFO_LAYOUTS = (ZONEINFO_V4_18, ZONEINFO_V6_18)
