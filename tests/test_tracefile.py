"""buddylab/tracefile.py: ftrace text and perf script output of the kmem page events.

The lines below are written by hand in the layouts of include/trace/events/kmem.h's
TP_printk() (v6.18: ``pfn=0x%lx``; v4.18: ``pfn=%lu``) behind ftrace's and perf script's
prefixes; every expected number is worked by hand (hex -> decimal in the comments).
"""
import gzip

import pytest

from buddylab.errors import BuddyLabError, TraceFileError
from buddylab.tracefile import (KMEM_EVENTS, gfp_names, gfp_value, parse_trace_lines,
                                read_trace)
from buddylab.tracereplay import FILE_256M

# ftrace, 6.18, irq-flags column on (the shipped trace's layout)
FTRACE_618 = """\
# tracer: nop
#
# entries-in-buffer/entries-written: 5/5   #P:2
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
            bash-21271   [000] .....  1826.772255: mm_page_alloc: page=00000000766f3c7b pfn=0x182c10 order=0 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP
              dd-21342   [001] d..1.  1826.775541: mm_page_alloc_zone_locked: page=000000005d9807e0 pfn=0x11ee00 order=8 migratetype=1 percpu_refill=0

          <idle>-0       [001] d.s4.  1827.084025: mm_page_pcpu_drain: page=00000000ba18d4f4 pfn=0x18f070 order=2 migratetype=0
            bash-21271   [000] ...2.  1826.772451: mm_page_free: page=000000006aaf8d82 pfn=0x12abf2 order=0
     kworker/0:2-99      [000] d..1.  1826.900000: mm_page_alloc_extfrag: page=0000000012345678 pfn=0x100200 alloc_order=0 fallback_order=9 pageblock_order=9 alloc_migratetype=2 fallback_migratetype=1 fragmenting=0 change_ownership=1
"""

# ftrace, 4.18 (pfn in decimal), without the irq-flags column (tracefs option irq-info off)
FTRACE_418 = """\
     Web Content-4242  [003]   512.000100: mm_page_alloc: page=ffffea0004b0b040 pfn=1229889 order=1 migratetype=2 gfp_flags=GFP_ATOMIC|__GFP_COMP
              sh-7     [000]   512.000200: mm_page_alloc: page=(null) pfn=0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE
"""

# perf script's default fields: comm tid [cpu] time: system:event: trace
PERF_618 = """\
              dd 21342 [001]  1826.775541: kmem:mm_page_alloc: page=0xffffea00047b8000 pfn=0x11ee00 order=8 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_WRITE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP
         swapper     0 [000]  1826.800000: kmem:mm_page_free: page=0xffffea0006000000 pfn=0x180000 order=3
              dd 21342 [001]  1826.800001: kmem:mm_page_alloc: page=0x0 pfn=0x0 order=10 migratetype=1 gfp_flags=GFP_NOWAIT
"""


def test_ftrace_618_fields_as_ints():
    """Every kmem event of a 6.18 ftrace text becomes cpu, timestamp and int fields."""
    t = parse_trace_lines(FTRACE_618.splitlines(), source="t")
    assert [e.name for e in t.events] == ["mm_page_alloc", "mm_page_alloc_zone_locked",
                                          "mm_page_pcpu_drain", "mm_page_free",
                                          "mm_page_alloc_extfrag"]
    a, zl, dr, fr, ex = t.events
    assert (a.cpu, a.timestamp, a.line) == (0, 1826.772255, 7)
    assert a.fields["pfn"] == 1584144                      # 0x182c10
    assert (a["order"], a["migratetype"]) == (0, 0)
    assert a.gfp_text == "GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP"
    # gfp_types.h, v6.18: GFP_KERNEL_ACCOUNT 0x400cc0, __GFP_ZERO 0x100, __GFP_COMP 0x40000
    assert a["gfp_flags"] == 0x400cc0 | 0x100 | 0x40000
    assert (zl.cpu, zl["pfn"], zl["order"], zl["percpu_refill"]) == (1, 0x11ee00, 8, 0)
    assert (dr["pfn"], dr["order"], dr["migratetype"]) == (1634416, 2, 0)   # 0x18f070
    assert (fr["pfn"], fr["order"]) == (1223666, 0)                       # 0x12abf2
    assert ex.fields == dict(pfn=1049088, alloc_order=0, fallback_order=9, pageblock_order=9,
                             alloc_migratetype=2, fallback_migratetype=1, fragmenting=0,
                             change_ownership=1)
    assert t.skipped == 7 and t.lost == 0          # six header lines and one blank line
    assert t.formats == ("ftrace", "6.x")


def test_ftrace_418_decimal_pfn_and_null_page():
    """4.18 prints pfn in decimal; page=(null) with pfn 0 is a failed allocation (pfn -1)."""
    t = parse_trace_lines(FTRACE_418.splitlines())
    a, failed = t.events
    assert (a.cpu, a["pfn"], a["order"], a["migratetype"]) == (3, 1229889, 1, 2)
    assert failed["pfn"] == -1 and failed["order"] == 9
    # include/linux/gfp.h, v4.18: GFP_ATOMIC = __GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM
    assert set(a.gfp_names) == {"__GFP_HIGH", "__GFP_ATOMIC", "__GFP_KSWAPD_RECLAIM",
                                "__GFP_COMP"}
    # ... in v4.18's bits: __GFP_HIGH 0x20, __GFP_ATOMIC 0x80000, __GFP_KSWAPD_RECLAIM 0x400000,
    # __GFP_COMP 0x4000 (include/linux/gfp.h, v4.18)
    assert a["gfp_flags"] == 0x20 | 0x80000 | 0x400000 | 0x4000
    assert t.formats == ("ftrace", "4.x")


def test_perf_script_lines():
    """perf script's 'comm tid [cpu] time: kmem:event:' lines read like ftrace's."""
    t = parse_trace_lines(PERF_618.splitlines())
    a, f, failed = t.events
    assert (a.cpu, a.timestamp, a["pfn"], a["order"]) == (1, 1826.775541, 1175040, 8)
    # GFP_HIGHUSER_MOVABLE 0x100cca | WRITE 0x1000 | NOWARN 0x2000 | NORETRY 0x10000 | COMP
    assert a["gfp_flags"] == 0x100cca | 0x1000 | 0x2000 | 0x10000 | 0x40000
    assert (f.cpu, f["pfn"], f["order"]) == (0, 0x180000, 3)
    assert failed["pfn"] == -1
    assert t.formats == ("perf", "6.x")


def test_gfp_names_expand_by_the_printing_kernel():
    """GFP_NOWAIT is KSWAPD_RECLAIM|NOWARN in 6.18, KSWAPD_RECLAIM alone in 4.18."""
    # include/linux/gfp_types.h v6.18 / include/linux/gfp.h v4.18, GFP_NOWAIT
    assert set(gfp_names("GFP_NOWAIT")) == {"__GFP_KSWAPD_RECLAIM", "__GFP_NOWARN"}
    assert gfp_names("GFP_NOWAIT", printed_by="4.x") == ("__GFP_KSWAPD_RECLAIM",)
    assert gfp_value(gfp_names("GFP_NOWAIT")) == 0x2800
    assert gfp_value(gfp_names("GFP_TRANSHUGE")) == 0x1c24ca
    assert gfp_names("none") == ()
    assert gfp_value(gfp_names("GFP_KERNEL|0x200")) == 0xcc0 | 0x200
    # include/linux/gfp.h, v4.18: GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP |
    # __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM; without the reclaim bits
    # GFP_HIGHUSER_MOVABLE is IO 0x40|FS 0x80|HARDWALL 0x20000|HIGHMEM 0x2|MOVABLE 0x8 =
    # 0x200ca, and COMP 0x4000|NOMEMALLOC 0x10000|NOWARN 0x200 make 0x342ca
    assert gfp_value(gfp_names("GFP_TRANSHUGE_LIGHT", "4.x"), "4.x") == 0x342ca


def test_gfp_names_come_from_the_printing_kernels_gfp_module():
    """The reader has no GFP table of its own: a name the printing kernel lacks is refused.

    __GFP_ATOMIC exists in v4.18 (include/linux/gfp.h) and was removed in 6.3, so a 6.x line
    cannot print it; __GFP_SKIP_KASAN (include/linux/gfp_types.h, v6.18, KASAN_HW_TAGS only)
    is a known name without a bit in the model's configuration: names kept, mask None.
    """
    from buddylab.kernels.v4_18 import gfp as g418
    assert gfp_names("__GFP_ATOMIC", "4.x") == ("__GFP_ATOMIC",)
    assert gfp_value(("__GFP_ATOMIC",), "4.x") == int(g418.__GFP_ATOMIC) == 0x80000
    with pytest.raises(ValueError, match="unknown GFP flag '__GFP_ATOMIC'"):
        gfp_names("GFP_KERNEL|__GFP_ATOMIC")
    assert gfp_names("__GFP_SKIP_KASAN|__GFP_COMP") == ("__GFP_SKIP_KASAN", "__GFP_COMP")
    assert gfp_value(gfp_names("__GFP_SKIP_KASAN|__GFP_COMP")) is None


def test_other_events_and_lost_lines():
    """Another tracepoint is skipped; ftrace's [LOST N EVENTS] lines are added up."""
    t = parse_trace_lines([
        "  dd-1 [000] ..... 1.000001: kmalloc: call_site=foo ptr=x bytes_req=8 bytes_alloc=8",
        "CPU:1 [LOST 17 EVENTS]",
        "CPU:0 [LOST 3 EVENTS]",
        "  dd-1 [000] ..... 1.000002: mm_page_free: page=1 pfn=0x10 order=0"])
    assert len(t.events) == 1 and t.skipped == 1 and t.lost == 20


def test_gzip_by_magic_bytes(tmp_path):
    """A gzip file is read whatever its name; a plain file too."""
    gz, plain = tmp_path / "trace", tmp_path / "trace.txt"
    gz.write_bytes(gzip.compress(FTRACE_618.encode()))
    plain.write_text(FTRACE_618)
    assert read_trace(gz).events == read_trace(plain).events
    assert [e.name for e in read_trace(gz).events][0] == "mm_page_alloc"


GOOD = "  dd-1 [000] ..... 1.5: "


@pytest.mark.parametrize("body, why", [
    ("mm_page_free: page=x pfn=0x12", "mm_page_free has fields pfn, expected pfn, order"),
    ("mm_page_free: page=x pfn=0x12 order=zero", "order=zero is not an integer"),
    ("mm_page_free: page=x pfn=0xZZ order=0", "pfn=0xZZ is not a hex number"),
    ("mm_page_free: page=x pfn=0x12 order=0 extra", "'extra' is not a key=value field"),
    ("mm_page_alloc: page=x pfn=0x12 order=0 migratetype=1 gfp_flags=GFP_BOGUS",
     "unknown GFP flag 'GFP_BOGUS'"),
    ("mm_page_pcpu_drain: page=x order=0 pfn=0x1 migratetype=1",
     "has fields order, pfn, migratetype, expected pfn, order, migratetype"),
])
def test_malformed_line_names_file_line_and_fault(body, why):
    """A malformed kmem line is a TraceFileError naming the file, line number and fault."""
    lines = ["# header", "", GOOD + "mm_page_free: page=x pfn=0x10 order=0", GOOD + body]
    with pytest.raises(TraceFileError) as e:
        parse_trace_lines(lines, source="my.trace")
    assert str(e.value).startswith("my.trace line 4: ")
    assert why in str(e.value)
    assert isinstance(e.value, BuddyLabError)


@pytest.mark.parametrize("line", ["garbage", "dd-1 [000] mm_page_free: pfn=0x1 order=0",
                                  "CPU:1 [LOST many EVENTS]"])
def test_not_a_trace_line(line):
    """A line that is no trace line at all is refused with its line number."""
    with pytest.raises(TraceFileError, match=r"^t line 2: "):
        parse_trace_lines(["# ok", line], source="t")


def test_unreadable_files(tmp_path):
    """A missing file, binary bytes or a truncated gzip are TraceFileErrors naming the file."""
    with pytest.raises(TraceFileError, match="nope.gz: cannot read"):
        read_trace(tmp_path / "nope.gz")
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TraceFileError, match="bin: not a text trace"):
        read_trace(binary)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(FTRACE_618.encode() * 50)[:300])
    with pytest.raises(TraceFileError, match="cut.gz"):
        read_trace(cut)


def test_shipped_trace_counts_match_its_readme():
    """The shipped 6.18 trace holds what its README counts by grep (not by this code).

    Counted with ``zcat trace.gz | grep -c 'EVENT:'`` (and ``grep -c percpu_refill=1``).
    """
    t = read_trace(FILE_256M + "/trace.gz")
    assert t.counts() == {"mm_page_alloc": 2366, "mm_page_free": 2313,
                          "mm_page_alloc_zone_locked": 2209, "mm_page_pcpu_drain": 2057,
                          "mm_page_alloc_extfrag": 0}
    refill = [e["percpu_refill"] for e in t.of("mm_page_alloc_zone_locked")]
    assert (refill.count(1), refill.count(0)) == (1953, 256)
    assert t.lost == 0 and t.skipped == 0 and set(KMEM_EVENTS) == set(t.counts())
