"""Tests of buddylab/procfs.py: parsing /proc files of 4.18 and 6.x, byte-exact round trips.

Fixtures: tests/fixtures/proc_618 was copied with cat from this project's
6.18 machine; tests/fixtures/proc_418 was written by hand from the v4.18
format strings (one node, DMA/DMA32/Normal/Movable, 2 CPUs, six migrate types).
"""

import pathlib
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from buddylab.errors import BuddyLabError, ProcParseError
from buddylab.procfs import (Pageset, parse_buddyinfo, parse_pagetypeinfo, parse_sysctl,
                             parse_zoneinfo, read_proc)

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
PARSERS = {"buddyinfo": parse_buddyinfo, "pagetypeinfo": parse_pagetypeinfo,
           "zoneinfo": parse_zoneinfo}
CASES = [(version, name) for version in ("proc_418", "proc_618") for name in PARSERS]


def fixture(version, name):
    return (FIXTURES / version / name).read_text()


# ---------------------------------------------------------------------------
# Round trips and values

@pytest.mark.parametrize("version,name", CASES)
def test_fixture_round_trips_byte_for_byte(version, name):
    """text() and str() of a parsed fixture give back the file exactly."""
    text = fixture(version, name)
    parsed = PARSERS[name](text)
    assert parsed.text() == text
    assert str(parsed) == text


def test_buddyinfo_418_values():
    """buddyinfo: nr_free per order of each populated zone."""
    bi = parse_buddyinfo(fixture("proc_418", "buddyinfo"))
    assert [(z.nid, z.name) for z in bi.zones] == [(0, "DMA"), (0, "DMA32"), (0, "Normal")]
    assert bi.zone(0, "Normal").nr_free == (1253, 862, 461, 287, 130, 61, 27, 11, 4, 2, 590)


def test_pagetypeinfo_418_values():
    """pagetypeinfo 4.18: six migrate types, free rows and pageblock counts."""
    pt = parse_pagetypeinfo(fixture("proc_418", "pagetypeinfo"))
    node = pt.nodes[0]
    assert (node.pageblock_order, node.pages_per_block, node.orders) == (9, 512, tuple(range(11)))
    assert node.block_types == ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA",
                                "Isolate")
    assert pt.free_count(0, "Normal", "Reclaimable", 0) == 95
    assert pt.block_counts(0, "DMA32") == {"Unmovable": 2, "Movable": 1526, "Reclaimable": 0,
                                           "HighAtomic": 0, "CMA": 0, "Isolate": 0}
    assert node.mixed is None


def test_pagetypeinfo_free_rows_sum_to_buddyinfo():
    """Per order, the migrate-type rows of a zone add up to its buddyinfo count."""
    # (the 6.18 copies were taken one after the other on a live machine, so only
    # the hand-written 4.18 pair is consistent)
    pt = parse_pagetypeinfo(fixture("proc_418", "pagetypeinfo"))
    bi = parse_buddyinfo(fixture("proc_418", "buddyinfo"))
    for zone in bi.zones:
        rows = [r for r in pt.nodes[0].free if (r.nid, r.name) == (zone.nid, zone.name)]
        assert tuple(map(sum, zip(*(r.counts for r in rows)))) == zone.nr_free


def test_zoneinfo_418_values():
    """zoneinfo 4.18: watermarks, sizes, protection, pagesets, per-node stats."""
    zi = parse_zoneinfo(fixture("proc_418", "zoneinfo"))
    assert [z.name for z in zi.zones] == ["DMA", "DMA32", "Normal", "Movable"]
    dma32 = zi.zone(0, "DMA32")
    assert (dma32.pages_free, dma32.min, dma32.low, dma32.high) == (760745, 1234, 1999, 2764)
    assert (dma32.spanned, dma32.present, dma32.managed) == (1044480, 782304, 765816)
    assert (dma32.boost, dma32.promo, dma32.cma) == (None, None, None)
    assert dma32.protection == (0, 0, 3009, 3009)
    assert dma32.start_pfn == 4096 and dma32.node_unreclaimable == 0
    assert dma32.pagesets == [Pageset(0, 31, 186, 31, None, None, 24),
                              Pageset(1, 0, 186, 31, None, None, 24)]
    assert dma32.stats["nr_free_pages"] == 760745 and dma32.stats["numa_hit"] == 28519
    assert dma32.node_stats == {}
    stats = zi.node_stats(0)
    assert len(stats) == 28 and stats["nr_mapped"] == 27514 and stats[""] == 0
    movable = zi.zone(0, "Movable")
    assert not movable.populated and movable.pagesets == [] and movable.start_pfn is None
    assert movable.stats == {}


def test_zoneinfo_618_values():
    """zoneinfo 6.18: boost, promo, cma, high_min/high_max and the Device zone are read."""
    zi = parse_zoneinfo(fixture("proc_618", "zoneinfo"))
    assert [z.name for z in zi.zones] == ["DMA", "DMA32", "Normal", "Movable", "Device"]
    dma = zi.zone(0, "DMA")
    assert (dma.spanned, dma.present, dma.managed, dma.start_pfn) == (4095, 3998, 3840, 1)
    assert dma.protection == (0, 3019, 3659, 3659, 3659)
    assert dma.boost == 0 and dma.cma == 0 and dma.promo is not None
    assert dma.min <= dma.low <= dma.high <= dma.promo
    assert [(p.cpu, p.batch, p.high_min, p.high_max) for p in dma.pagesets] == \
        [(0, 1, 42, 240), (1, 1, 42, 240)]
    assert "nr_free_pages_blocks" in dma.stats
    assert "nr_kernel_misc_reclaimable" in zi.node_stats(0)
    assert zi.zone(0, "Normal").start_pfn == 1048576
    assert not zi.zone(0, "Device").populated


def test_zoneinfo_pages_free_matches_buddyinfo_in_418_fixture():
    """In the hand-written 4.18 fixture, pages free = sum of nr_free << order."""
    zi = parse_zoneinfo(fixture("proc_418", "zoneinfo"))
    for zone in parse_buddyinfo(fixture("proc_418", "buddyinfo")).zones:
        pages = sum(n << order for order, n in enumerate(zone.nr_free))
        assert zi.zone(zone.nid, zone.name).pages_free == pages


def test_pagetypeinfo_overflow_cells_and_mixed_blocks():
    """6.x ">100000" cells and the page_owner "mixed blocks" section round-trip."""
    text = fixture("proc_618", "pagetypeinfo")
    text = re.sub(r"(zone   Normal, type      Movable +\d+) +\d+ ", r"\1 >100000 ", text)
    names = "   Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
    text += ("\nNumber of mixed blocks " + names
             + "Node 0, zone   Normal            2            5            0            0            0 \n")
    pt = parse_pagetypeinfo(text)
    assert pt.text() == text
    row = [r for r in pt.nodes[0].free if r.overflow[1]][0]
    assert row.counts[1] == 100000
    assert pt.nodes[0].mixed[0].counts == (2, 5, 0, 0, 0)


def test_pagetypeinfo_two_nodes():
    """The header repeats for each node with memory."""
    one = fixture("proc_418", "pagetypeinfo")
    two = one + one.replace("Node    0,", "Node    1,").replace("Node 0,", "Node 1,")
    pt = parse_pagetypeinfo(two)
    assert len(pt.nodes) == 2 and pt.text() == two
    assert pt.block_counts(1, "Normal")["Reclaimable"] == 44


# ---------------------------------------------------------------------------
# read_proc

def test_read_proc_fixture_418():
    """read_proc reads a copied tree: three files and the 4.18 sysctls."""
    d = read_proc(FIXTURES / "proc_418")
    assert d["min_free_kbytes"] == 9928 and d["watermark_scale_factor"] == 10
    assert d["lowmem_reserve_ratio"] == (256, 256, 32, 0)
    assert d["percpu_pagelist_fraction"] == 0 and "percpu_pagelist_high_fraction" not in d
    assert d["zoneinfo"].text() == fixture("proc_418", "zoneinfo")


def test_read_proc_fixture_618():
    """read_proc on the 6.18 copy: percpu_pagelist_high_fraction and tab-separated ratios."""
    d = read_proc(FIXTURES / "proc_618")
    assert d["lowmem_reserve_ratio"] == (256, 256, 32, 0, 0)
    assert d["percpu_pagelist_high_fraction"] == 0 and "percpu_pagelist_fraction" not in d
    assert d["watermark_boost_factor"] == 15000
    assert set(PARSERS) <= set(d)


def test_read_proc_missing_and_unreadable_files_are_left_out(tmp_path):
    """Missing files, or a path that cannot be read, give absent keys, not errors."""
    assert read_proc(tmp_path) == {}
    (tmp_path / "buddyinfo").write_text(fixture("proc_618", "buddyinfo"))
    (tmp_path / "pagetypeinfo").mkdir()             # reading it fails with an OSError
    d = read_proc(tmp_path)
    assert set(d) == {"buddyinfo"}


def test_read_proc_names_the_file_of_a_parse_error(tmp_path):
    """A malformed file raises ProcParseError naming its path."""
    (tmp_path / "sys" / "vm").mkdir(parents=True)
    (tmp_path / "sys" / "vm" / "min_free_kbytes").write_text("67584\t1\n")
    with pytest.raises(ProcParseError, match=r"min_free_kbytes: line 1"):
        read_proc(tmp_path)


def test_read_proc_live_machine():
    """read_proc on this machine's /proc works (pagetypeinfo only if readable)."""
    if not pathlib.Path("/proc/zoneinfo").exists():
        pytest.skip("no /proc")
    d = read_proc()
    assert "zoneinfo" in d and "buddyinfo" in d and "min_free_kbytes" in d


def test_parse_sysctl_errors_are_proc_parse_errors():
    """A sysctl that is not numbers raises ProcParseError."""
    assert parse_sysctl("67584\n") == (67584,)
    for bad in ("", "12", "abc\n", "1 2\n", "1\n2\n"):
        with pytest.raises(ProcParseError):
            parse_sysctl(bad)


# ---------------------------------------------------------------------------
# Errors

def test_error_names_line_number_and_line():
    """The message of ProcParseError gives the line number and the line."""
    text = fixture("proc_418", "zoneinfo").replace("        low      1999", "        low      19x9")
    with pytest.raises(ProcParseError, match=r"line 74: '        low      19x9'"):
        parse_zoneinfo(text)
    assert issubclass(ProcParseError, BuddyLabError) and issubclass(ProcParseError, ValueError)


@pytest.mark.parametrize("text", [
    "Node 0, zone      DMA      1      0 \n" + "Node 0, zone    DMA32      1 \n",       # widths
    "Node 0, zone      DMA      1      0 ",                                           # no \n
    "Node 0, zone      DMA      1      0\n",                                          # no trailing space
    "Node 0, zone      DMA      1    007 \n",                                         # leading zero
    "Node 0, zone      DMA      1 " + "9" * 30 + " \n",                               # too long
    "Node 0, zone      DMA      1      \u0661 \n",                                    # Arabic digit
    "",
])
def test_bad_buddyinfo_raises(text):
    """Malformed buddyinfo raises ProcParseError."""
    with pytest.raises(ProcParseError):
        parse_buddyinfo(text)


def test_zoneinfo_structure_errors():
    """Missing watermarks, duplicate keys, pageset lines without a cpu are errors."""
    text = fixture("proc_418", "zoneinfo")
    lines = text.splitlines(keepends=True)
    for broken in (
            "".join(l for l in lines if l != "        min      6\n"),
            text.replace("  pages free     3974\n", "  pages free     3974\n" * 2),
            text.replace("    cpu: 0\n", "", 1),
            text.replace("  pagesets\n", "", 1),
            "  pages free     0\n" + text,
            text.replace("        protection: (0, 2991, 6001, 6001)", "        protection: ()")):
        with pytest.raises(ProcParseError):
            parse_zoneinfo(broken)


def test_non_string_input_raises_proc_parse_error():
    """Bytes are not text: ProcParseError, not TypeError."""
    with pytest.raises(ProcParseError):
        parse_buddyinfo(b"Node 0, zone      DMA      1 \n")


# ---------------------------------------------------------------------------
# Property tests: mutated text parses and round-trips, or raises ProcParseError

def _mutate(data, text):
    lines = text.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["delete", "duplicate", "letters", "truncate", "char",
                                      "swap"]))
    if kind in ("delete", "duplicate", "swap"):
        i = data.draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if kind == "letters":
        numbers = list(re.finditer(r"\d+", text))
        if not numbers:
            return text
        m = data.draw(st.sampled_from(numbers))
        letters = data.draw(st.text("abcxyzO", min_size=1, max_size=4))
        return text[:m.start()] + letters + text[m.end():]
    if kind == "truncate":
        return text[:data.draw(st.integers(0, len(text)))]
    i = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from([" ", "\n", "\t", ">", "-", "0", "9", "(", ",", ":"]))
    return text[:i] + char + text[i + 1:]


def _exercise(parsed):
    """Every accessor of a parsed zoneinfo works on whatever parsed."""
    for zone in getattr(parsed, "zones", ()):
        if hasattr(zone, "pagesets"):
            (zone.pages_free, zone.boost, zone.min, zone.low, zone.high, zone.promo,
             zone.spanned, zone.present, zone.managed, zone.cma, zone.protection,
             zone.start_pfn, zone.node_unreclaimable, zone.populated, zone.pagesets,
             zone.stats, zone.node_stats, parsed.node_stats(zone.nid))


def _parses_or_raises(parse, text):
    try:
        parsed = parse(text)
    except ProcParseError:
        return
    assert parsed.text() == text
    _exercise(parsed)


@pytest.mark.parametrize("version,name", CASES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_text_parses_and_round_trips_or_raises(version, name, data):
    """Deleting, duplicating, swapping lines, letters for numbers, truncation: never another error."""
    text = fixture(version, name)
    for _ in range(data.draw(st.integers(1, 3))):
        text = _mutate(data, text) or "\n"
    _parses_or_raises(PARSERS[name], text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="Node 0,zDMA:pfre()\n 123456789>-", max_size=200))
@pytest.mark.parametrize("name", list(PARSERS))
def test_random_text_never_raises_anything_else(name, text):
    """Arbitrary text: a round-tripping parse or ProcParseError."""
    _parses_or_raises(PARSERS[name], text)


# ---------------------------------------------------------------------------
# Linear parsers (issue 9, "A parser that hangs")

from buddylab import procfs as P                                    # noqa: E402
from helpers import guarded                                         # noqa: E402

BIG = 100_000          # 200 KB lines: a cubic parser takes ~10**6 times its 19 s at 2 KB

ZONE_HEADER = "Node 0, zone      DMA\n"


def test_value_line_split_agrees_with_the_regex_it_replaced():
    """_split_value_line() cuts every short line as ( *)(.*?)( +)(-?\\d{1,20}) did."""
    old = re.compile(r"( *)(.*?)( +)(-?\d{1,20})", re.ASCII)

    @settings(max_examples=600, deadline=None)
    @given(st.text(alphabet=" ab:-0123\t", max_size=24))
    def check(line):
        match = old.fullmatch(line)
        want = None if match is None else (len(match[1]), match[2], len(match[3]), match[4])
        assert P._split_value_line(line) == want
    check()
    assert P._split_value_line("  vm stats threshold: 24") == (2, "vm stats threshold:", 1, "24")


@pytest.mark.parametrize("line", [
    " " * BIG + "ab" + " " * BIG,                     # the cubic case of the old value regex
    " " * BIG + "ab" + " " * BIG + "1x",
    " " * BIG + "protection:" + " " * BIG + "(" + "1, " * BIG,
    "  " + "a " * BIG + "5",
    " " * (2 * BIG) + "5",                            # parses: an empty key (a 2 KB-style gap)
])
def test_zoneinfo_pathological_line_is_linear(line):
    """A 200 KB line of spaces around letters parses or raises ProcParseError (old: cubic)."""
    try:
        parse_zoneinfo(ZONE_HEADER + line + "\n")
    except ProcParseError as e:
        assert str(e).startswith("line 2: ") and len(str(e)) < 1000      # the line is cut
    else:
        raise AssertionError("a zone without watermarks parsed")


@pytest.mark.parametrize("name,text", [
    ("buddyinfo", "Node " + "0," * BIG + " zone " + " " * BIG + "x" + "\n"),
    ("buddyinfo", "Node 0, zone" + " " * BIG + "DMA" + " 1" * BIG + " \n"),
    ("pagetypeinfo", "Page block order: " + "9" * BIG + "\n"),
    ("pagetypeinfo", "Page block order: 9\nPages per block:  512\n\n"
     "Free pages count per migrate type at order       0 \n"
     "Node" + " " * BIG + "0, zone" + " " * BIG + "DMA, type" + " " * BIG + "x\n"),
    ("zoneinfo", "Node " + "1" * BIG + ", zone" + " " * BIG + "\n"),
])
def test_every_parser_is_linear_on_long_lines(name, text):
    """200 KB lines aimed at each regex's quantifiers end in ProcParseError (in linear time)."""
    with pytest.raises(ProcParseError):
        PARSERS[name](text)


def test_regexes_have_no_overlapping_quantifiers_on_long_input():
    """Every compiled pattern of procfs runs fullmatch on 200 KB of its own characters."""
    patterns = [v for v in vars(P).values() if isinstance(v, re.Pattern)]
    assert len(patterns) >= 5
    fillers = [" " * BIG, "a" * BIG, " a" * BIG, ", " * BIG, "0" * BIG, "( " * BIG]
    for pattern in patterns:
        for prefix in ("", "Node ", "Node 0, zone ", "Node 0, zone DMA, type ", "  protection: "):
            for filler in fillers:
                pattern.fullmatch(prefix + filler + " x")     # a result, not a hang


def test_many_zones_are_linear():
    """Duplicate-zone checks use a set: 40,000 buddyinfo lines parse (quadratic: ~10**9 steps)."""
    text = "".join("Node %d, zone   Normal      1 \n" % nid for nid in range(40_000))
    assert len(parse_buddyinfo(text).zones) == 40_000
    with pytest.raises(ProcParseError, match="line 40001: .*listed twice"):
        parse_buddyinfo(text + "Node 7, zone   Normal      1 \n")


def test_long_lines_are_cut_in_messages():
    """A message names the line number and shows the first SHOWN_CHARS characters only."""
    with pytest.raises(ProcParseError) as e:
        parse_buddyinfo("x" * BIG + "\n")
    assert str(e.value).startswith("line 1: 'xxx") and "(%d characters)" % BIG in str(e.value)
    assert len(str(e.value)) < 2 * P.SHOWN_CHARS + 100


# ---------------------------------------------------------------------------
# read_text: regular files only, bounded

def test_read_text_refuses_a_fifo(tmp_path):
    """A FIFO is refused at once, not waited on (open with O_NONBLOCK, then fstat)."""
    import os
    fifo = tmp_path / "zoneinfo"
    os.mkfifo(fifo)
    out = guarded(P.read_text, str(fifo))
    assert isinstance(out.get("error"), ProcParseError)
    assert "zoneinfo: not a regular file (a FIFO)" in str(out["error"])
    out = guarded(read_proc, str(tmp_path))
    assert isinstance(out.get("error"), ProcParseError)


def test_read_text_refuses_a_character_device():
    """/dev/zero (endless zero bytes) is refused before any read."""
    if not pathlib.Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    out = guarded(P.read_text, "/dev/zero")
    assert isinstance(out.get("error"), ProcParseError)
    assert "a character device" in str(out["error"])


def test_read_text_size_cap(tmp_path, monkeypatch):
    """More than PROC_MAX_BYTES bytes raise ProcParseError naming the file; that many are read."""
    assert P.PROC_MAX_BYTES == 8 << 20
    monkeypatch.setattr(P, "PROC_MAX_BYTES", 300)
    monkeypatch.setattr(P, "READ_CHUNK", 7)
    path = tmp_path / "buddyinfo"
    path.write_text("x" * 300)
    assert P.read_text(str(path)) == "x" * 300
    path.write_text("x" * 301)
    with pytest.raises(ProcParseError, match=r"buddyinfo: longer than 300 bytes"):
        P.read_text(str(path))
    with pytest.raises(ProcParseError, match=r"buddyinfo: longer than 300 bytes"):
        read_proc(tmp_path)


def test_read_text_missing_file(tmp_path):
    """A missing file raises ProcParseError naming it, or gives None with missing_ok."""
    with pytest.raises(ProcParseError, match="nothing: cannot be read"):
        P.read_text(str(tmp_path / "nothing"))
    assert P.read_text(str(tmp_path / "nothing"), missing_ok=True) is None


def test_read_proc_names_opens_only_those_files(tmp_path):
    """read_proc(names=...) never opens another file: a FIFO pagetypeinfo beside is harmless."""
    import os
    (tmp_path / "buddyinfo").write_text(fixture("proc_418", "buddyinfo"))
    os.mkfifo(tmp_path / "pagetypeinfo")
    out = guarded(read_proc, tmp_path, ("buddyinfo",))
    assert set(out["value"]) == {"buddyinfo"}
    from buddylab.errors import BadParameterError
    with pytest.raises(BadParameterError, match="'vmstat'"):
        read_proc(tmp_path, ("vmstat",))


@pytest.mark.parametrize("size", [1_000, 10_000, 100_000])
def test_zoneinfo_spaces_around_letters_of_growing_size(size):
    """The issue's case at growing sizes (old: 19 s at 2 KB, 157 s at 4 KB): each one finishes."""
    with pytest.raises(ProcParseError, match="line 2: .*not a zoneinfo line"):
        parse_zoneinfo(ZONE_HEADER + " " * size + "ab" + " " * size + "\n")


def test_seeded_mutations_with_long_runs():
    """50 seeded mutations per fixture, most inserting 20,000-character runs: parse or ProcParseError.

    Complements the hypothesis tests above with long mutations: runs of spaces, digits,
    commas, a line repeated 2,000 times (the old value-line regex spent ~10 s on four of them).
    """
    import random
    rng = random.Random(18)
    runs = (" " * 20_000, "9" * 20_000, ", " * 10_000, "-" * 20_000, "a " * 10_000)
    for version, name in CASES:
        original = fixture(version, name)
        for _ in range(50):
            text = original
            i = int(rng.random() * len(text))
            x = rng.random()
            if x < 0.6:
                text = text[:i] + runs[int(rng.random() * len(runs))] + text[i:]
            elif x < 0.8:
                lines = text.splitlines(keepends=True)
                k = int(rng.random() * len(lines))
                text = "".join(lines[:k] + [lines[k]] * 2_000 + lines[k + 1:])
            else:
                text = text[:i] + text[i + 1:]
            _parses_or_raises(PARSERS[name], text)
