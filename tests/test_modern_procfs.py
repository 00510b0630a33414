"""Modern (v6.18) /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo and kmem tracepoint text.

Layouts from mm/vmstat.c and include/trace/events/kmem.h (v6.18), checked against the live
6.18.44 kernel's files.  Assumed names: see tests/modern_helpers.py (a machine without CMA prints
five migrate-type columns; the model has the Device zone of the live config).
"""
import re

from modern_helpers import require_modern

require_modern()

from modern_helpers import alloc, machine, needs, real, zone_block  # noqa: E402

# the trace-text tests also need the 6.18 buddy and pcp code and the 6.18 EVENTS table
TRACE_PARTS = ("test_modern_boot", "test_modern_buddy", "test_modern_gfp", "test_modern_pcp")

MOV = "GFP_HIGHUSER_MOVABLE"
TYPES = ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate")


def _subsequence(lines, wanted):
    """True if `wanted` appear in `lines` in this order (other lines may lie between)."""
    it = iter(lines)
    return all(any(line == w for line in it) for w in wanted)


def test_buddyinfo_has_eleven_orders():
    """frag_show_print(): "Node %d, zone %8s " then "%6lu " for orders 0..MAX_PAGE_ORDER."""
    # mm/vmstat.c, frag_show_print(), v6.18: only populated zones; trailing space, newline.
    m = real(4096)
    assert m.buddyinfo() == "Node 0, zone   Normal " + "%6d " * 11 % ((0,) * 10 + (4,)) + "\n"


def test_pagetypeinfo_layout_without_cma():
    """pagetypeinfo_showfree() and pagetypeinfo_showblockcount() with five migrate types."""
    # mm/vmstat.c, pagetypeinfo_show(), pagetypeinfo_showfree_print(),
    # pagetypeinfo_showblockcount_print(), v6.18; live 6.18.44 (CONFIG_CMA off): Unmovable
    # Movable Reclaimable HighAtomic Isolate.  real(4096) after boot: Movable o10 = 4, 8 blocks.
    m = real(4096)
    want = "Page block order: 9\nPages per block:  512\n\n"
    want += "%-43s " % "Free pages count per migrate type at order"
    want += "".join("%6d " % o for o in range(11)) + "\n"
    for mt, name in enumerate(TYPES):
        counts = [0] * 11
        if mt == 1:
            counts[10] = 4
        want += "Node %4d, zone %8s, type %12s " % (0, "Normal", name)
        want += "".join("%6d " % c for c in counts) + "\n"
    want += "\n%-23s" % "Number of blocks type "
    want += "".join("%12s " % name for name in TYPES) + "\n"
    want += "Node %d, zone %8s " % (0, "Normal") + "".join("%12d " % n for n in (0, 8, 0, 0, 0))
    want += "\n"
    assert m.pagetypeinfo() == want


def test_zoneinfo_zone_lines_in_618_order():
    """zoneinfo_show_print(): pages free, boost, min, low, high, promo, spanned ... start_pfn."""
    # mm/vmstat.c, zoneinfo_show_print(), v6.18.  real(4096, wsf 10): mfk 0, step 4096 * 10 //
    # 10000 = 4 -> (0, 4, 8, 12); batch 1, high_min max(4, 4) = 4, high_max 4096 // 8 = 512.
    m = real(4096, watermark_scale_factor=10)
    block = zone_block(m.zoneinfo(), "Normal")
    assert block[0] == "Node 0, zone   Normal"
    assert _subsequence(block, [
        "  pages free     4096",
        "        boost    0",
        "        min      0",
        "        low      4",
        "        high     8",
        "        promo    12",
        "        spanned  4096",
        "        present  4096",
        "        managed  4096",
        "        cma      0",
        "        protection: (0, 0, 0, 0, 0)",
        "      nr_free_pages 4096",
        "  pagesets",
        "    cpu: 0",
        "              count:    0",
        "              high:     0",
        "              batch:    1",
        "              high_min: 4",
        "              high_max: 512",
        "  node_unreclaimable:  0",
        "  start_pfn:           0",
    ])
    assert any(re.fullmatch(r"  vm stats threshold: \d+", line) for line in block)


def test_zoneinfo_prints_every_zone_and_stops_empty_ones_after_protection():
    """Every zone (DMA .. Device) is printed; an empty one ends after its protection line."""
    # mm/vmstat.c, zoneinfo_show_print(): "if (!populated_zone(zone)) { seq_putc(m, '\n');
    # return; }", v6.18; the live kernel's empty Movable block, line for line.
    m = real(4096)
    text = m.zoneinfo()
    heads = [line.split("zone")[1].strip() for line in text.splitlines()
             if line.startswith("Node ")]
    assert heads == ["DMA", "DMA32", "Normal", "Movable", "Device"]
    assert zone_block(text, "Movable") == [
        "Node 0, zone  Movable", "  pages free     0", "        boost    0",
        "        min      32", "        low      32", "        high     32", "        promo    32",
        "        spanned  0", "        present  0", "        managed  0", "        cma      0",
        "        protection: (0, 0, 0, 0, 0)"]


def test_zoneinfo_per_cpu_blocks():
    """Each CPU prints count/high/batch/high_min/high_max and its own vm stats threshold line."""
    # mm/vmstat.c, zoneinfo_show_print() (the threshold is printed inside the per-cpu loop),
    # v6.18.  16384 pages, 2 CPUs, mfk 1024: batch 3, high_min 320 // 2 = 160, high_max 1024.
    m = machine({"Normal": 16384}, cpus=2, min_free_kbytes=1024)
    block = zone_block(m.zoneinfo(), "Normal")
    start = block.index("  pagesets")
    cpu_lines = [line for line in block[start:] if not line.startswith("  vm stats")]
    assert cpu_lines[1:13] == [
        "    cpu: 0", "              count:    0", "              high:     0",
        "              batch:    3", "              high_min: 160", "              high_max: 1024",
        "    cpu: 1", "              count:    0", "              high:     0",
        "              batch:    3", "              high_min: 160", "              high_max: 1024"]
    assert sum(line.startswith("  vm stats threshold:") for line in block) == 2


@needs(*TRACE_PARTS)
def test_trace_alloc_and_zone_locked_print_hex_pfns():
    """mm_page_alloc and mm_page_alloc_zone_locked print pfn=0x%lx; order 10 is no pcp refill."""
    # include/trace/events/kmem.h (v6.18): mm_page_alloc "pfn=0x%lx order=%d migratetype=%d
    # gfp_flags=%s"; mm_page_alloc_zone_locked "... percpu_refill=%d" with percpu_refill =
    # pcp_allowed_order(order) && migratetype < MIGRATE_PCPTYPES.  Second o10 block: 1024 = 0x400.
    m = real(4096)
    alloc(m, MOV, 10)
    t = m.start_trace(["mm_page_alloc", "mm_page_alloc_zone_locked", "mm_page_free"])
    alloc(m, MOV, 10)
    m.free_pages(1024, 10)
    m.stop_trace()
    lines = [str(e) for e in t]
    assert re.fullmatch(r"mm_page_alloc_zone_locked: (page=\S+ )?pfn=0x400 order=10 "
                        r"migratetype=1 percpu_refill=0", lines[0])
    assert re.fullmatch(r"mm_page_alloc: (page=\S+ )?pfn=0x400 order=10 migratetype=1 "
                        r"gfp_flags=GFP_HIGHUSER_MOVABLE", lines[1])
    assert re.fullmatch(r"mm_page_free: (page=\S+ )?pfn=0x400 order=10", lines[2])


@needs(*TRACE_PARTS)
def test_trace_pcp_refill_sets_percpu_refill():
    """An order-0 pcp refill fires zone_locked with percpu_refill=1 before mm_page_alloc."""
    # mm/page_alloc.c, rmqueue_bulk() -> __rmqueue_smallest() -> trace, v6.18.  Fresh real(4096):
    # nr_pcp_alloc() = 1 page -> pfn 0.
    m = real(4096)
    t = m.start_trace(["mm_page_alloc", "mm_page_alloc_zone_locked"])
    alloc(m, MOV)
    m.stop_trace()
    assert [(e.name, e["pfn"]) for e in t] == [("mm_page_alloc_zone_locked", 0),
                                              ("mm_page_alloc", 0)]
    assert t[0]["percpu_refill"] == 1
    assert re.search(r"pfn=0x0 order=0 migratetype=1 percpu_refill=1$", str(t[0]))


@needs(*TRACE_PARTS)
def test_trace_failed_allocation_prints_pfn_zero():
    """A failed allocation's mm_page_alloc has pfn -1, printed pfn=0x0."""
    # include/trace/events/kmem.h, mm_page_alloc: __entry->pfn = page ? page_to_pfn(page) : -1UL,
    # printed "__entry->pfn != -1UL ? __entry->pfn : 0", v6.18.
    m = real(4096)
    assert [alloc(m, MOV, 10) for _ in range(4)] == [0, 1024, 2048, 3072]
    t = m.start_trace(["mm_page_alloc"])
    assert alloc(m, "GFP_NOWAIT|__GFP_MOVABLE", 10) is None
    m.stop_trace()
    (e,) = t.of("mm_page_alloc")
    assert e["pfn"] == -1
    assert re.search(r"pfn=0x0 order=10 migratetype=1 gfp_flags=GFP_NOWAIT\|__GFP_MOVABLE$",
                     str(e))


@needs(*TRACE_PARTS)
def test_trace_extfrag_and_pcpu_drain_text():
    """extfrag prints pageblock_order=9 and fragmenting; pcpu_drain prints the block's type."""
    # include/trace/events/kmem.h (v6.18): mm_page_alloc_extfrag "pfn=0x%lx alloc_order=%d
    # fallback_order=%d pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d
    # fragmenting=%d change_ownership=%d", fragmenting = fallback_order < pageblock_order;
    # mm_page_pcpu_drain "pfn=0x%lx order=%d migratetype=%d".
    # GFP_KERNEL o0 claims o10 0 whole (test_modern_buddy); then a THP alloc/free: o9 M -> 1024
    # (1536 to o9), freed: count 512 >= high -> drained at once: pfn 0x400, order 9, Movable.
    m = real(4096)
    t = m.start_trace(["mm_page_alloc_extfrag", "mm_page_pcpu_drain"])
    alloc(m, "GFP_KERNEL")
    assert alloc(m, MOV, 9) == 1024
    m.free_pages(1024, 9)
    m.stop_trace()
    x, d = t.of("mm_page_alloc_extfrag")[0], t.of("mm_page_pcpu_drain")[0]
    assert re.search(r"pfn=0x0 alloc_order=0 fallback_order=10 pageblock_order=9 "
                     r"alloc_migratetype=0 fallback_migratetype=1 fragmenting=0 "
                     r"change_ownership=1$", str(x))
    assert re.search(r"pfn=0x400 order=9 migratetype=1$", str(d))


def test_model_prints_the_live_618_files_line_for_line():
    """A model of the live capture prints zoneinfo, pagetypeinfo and buddyinfo with the same
    lines as the kernel did (labels and order; the numbers are the model's own state)."""
    # mm/vmstat.c, zoneinfo_show_print(), pagetypeinfo_show(), frag_show_print(), v6.18;
    # tests/fixtures/proc_618_live holds the kernel's own output of this machine.
    import pathlib

    import buddylab as bl
    root = pathlib.Path(__file__).parent / "fixtures" / "proc_618_live"
    m = bl.Machine.from_host(root, kernel="modern")

    def shape(text):
        return [[re.sub(r"\d+", "#", tok) for tok in line.split()] for line in text.splitlines()]

    for name, mine in (("zoneinfo", m.zoneinfo()), ("pagetypeinfo", m.pagetypeinfo()),
                       ("buddyinfo", m.buddyinfo())):
        live = (root / name).read_text()
        assert shape(mine) == shape(live), name
    # the derived zoneinfo lines are equal value for value, not only in shape
    derived = re.compile(r" +(min|low|high|promo|protection:|batch:|high_min:|high_max:) ")
    assert [line for line in m.zoneinfo().splitlines() if derived.match(line)] == \
        [line for line in (root / "zoneinfo").read_text().splitlines() if derived.match(line)]
