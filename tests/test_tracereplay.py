"""buddylab/tracereplay.py and ``python -m buddylab replay``: a kernel trace replayed on a model.

The hand-made trace directories reuse the shipped snapshot's proc/ (Linux 6.18, 2 CPUs; Normal
managed 753664 pages, low watermark 10401) with a few hand-written lines; the model's counts
are worked from v4.18's or v6.18's rules, the kernel's by reading the lines.  On the shipped
trace the kernel's counts are grep counts (``zcat trace.gz | grep``); the model's are checked
as properties or against a count-level recomputation from v6.18's formulas written here.
"""
import json
import shutil
import subprocess
import sys

import pytest

from buddylab.errors import BadParameterError, TraceFileError
from buddylab.kernels.v4_18 import gfp as G418
from buddylab.machine import Machine
from buddylab.procfs import parse_zoneinfo
from buddylab.tracefile import read_trace
from buddylab.tracereplay import (FILE_256M, gfp_mask_for, model_cpus, new_counts,
                                  replay_trace_dir, starts_table, tally)
from buddylab.kernels.select import get_kernel

KEYS = ["refill_events", "refill_pages", "direct_buddy", "drain_events", "drain_pages",
        "extfrag"]
# The shipped trace's kernel counts, by grep: 1953 zone_locked lines with percpu_refill=1,
# 256 with 0; 2057 pcpu_drain lines of orders 0 (1834), 1 (27) and 2 (196), so
# 1834 + 2 * 27 + 4 * 196 = 2672 pages; no extfrag line.
SHIPPED_KERNEL = dict(refill_events=1953, refill_pages=1953, direct_buddy=256,
                      drain_events=2057, drain_pages=2672, extfrag=0)
# Normal's pcp bounds on the traced machine (zone_highsize(), mm/page_alloc.c, v6.18):
# high_min = low watermark / CPUs on the node = 10401 // 2 = 5200, batch 63 (zoneinfo).
NORMAL_HIGH_MIN, NORMAL_BATCH = 5200, 63

P = "  a-1 [%03d] ..... %s: "
HAND_TRACE = [
    P % (0, "10.000001") + "mm_page_free: page=1 pfn=0x150000 order=0",
    P % (0, "10.000002") + "mm_page_alloc: page=2 pfn=0x120000 order=0 migratetype=1 "
                           "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
    P % (0, "10.000003") + "mm_page_alloc_zone_locked: page=2 pfn=0x120000 order=0 "
                           "migratetype=1 percpu_refill=1",
    P % (1, "10.000004") + "mm_page_alloc: page=3 pfn=0x4000 order=3 migratetype=0 "
                           "gfp_flags=GFP_KERNEL",
    P % (1, "10.000005") + "mm_page_alloc_zone_locked: page=3 pfn=0x4000 order=3 "
                           "migratetype=0 percpu_refill=1",
    P % (1, "10.000006") + "mm_page_free: page=3 pfn=0x4000 order=3",
    P % (0, "10.000007") + "mm_page_free: page=2 pfn=0x120000 order=0",
    P % (0, "10.000008") + "mm_page_pcpu_drain: page=2 pfn=0x120000 order=0 migratetype=1",
]


def trace_dir(tmp_path, lines):
    d = tmp_path / "t"
    shutil.copytree(FILE_256M + "/proc", d / "proc")
    (d / "trace").write_text("\n".join(lines) + "\n")
    return d


def counts(**kw):
    c = new_counts()
    c.update(kw)
    return c


def test_tally_meaning_of_each_count():
    """percpu_refill splits zone_locked into refills and direct buddy; pages are 2^order."""
    c = new_counts()
    for args in [("mm_page_alloc_zone_locked", 2, 1), ("mm_page_alloc_zone_locked", 8, 0),
                 ("mm_page_pcpu_drain", 1), ("mm_page_pcpu_drain", 0),
                 ("mm_page_alloc_extfrag", 0), ("mm_page_alloc", 5)]:
        tally(c, *args)
    assert c == counts(refill_events=1, refill_pages=4, direct_buddy=1, drain_events=2,
                       drain_pages=3, extfrag=1)


def test_gfp_names_map_to_the_running_kernels_bits():
    """A 6.18 mask's names become v4.18 bits by name; bits 4.18 lacks are reported."""
    classic = get_kernel("classic")
    mask, dropped = gfp_mask_for(classic, ("__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM",
                                           "__GFP_IO", "__GFP_FS", "__GFP_ZEROTAGS"))
    assert mask == 0x6000c0          # GFP_KERNEL in v4.18 (include/linux/gfp.h, v4.18)
    assert mask == G418.GFP_KERNEL and dropped == ("__GFP_ZEROTAGS",)


def test_hand_trace_on_classic(tmp_path):
    """The hand trace: model counts from v4.18's pcp and fallback rules, kernel's as printed.

    mm/page_alloc.c, v4.18: zone_batchsize() for 753664 managed pages: 753664/1024 pages is
    over 512 KiB, so 128; /4 = 32; rounddown_pow_of_two(32 + 16) - 1 = 31, and
    pageset_set_high_and_batch() makes high 6 * 31 = 186.  rmqueue_pcplist() on an empty list
    calls rmqueue_bulk(31), one __rmqueue() and one mm_page_alloc_zone_locked (percpu_refill =
    order == 0) per page; the free puts the page back (count 31 < 186: no drain).  The order-3
    GFP_KERNEL request goes straight to __rmqueue() (percpu_refill 0); on a fresh boot every
    pageblock is MOVABLE (memmap_init_zone()), so __rmqueue_fallback() steals for it: one
    mm_page_alloc_extfrag.  GFP_KERNEL and GFP_HIGHUSER_MOVABLE both start at Normal.
    """
    r = replay_trace_dir(trace_dir(tmp_path, HAND_TRACE), kernel="classic")
    assert r.kernel == counts(refill_events=2, refill_pages=9, drain_events=1, drain_pages=1)
    assert r.model == counts(refill_events=31, refill_pages=31, direct_buddy=1, extfrag=1)
    rows = [(x["node"], x["zone"], x["cpu"], x["kernel"], x["model"]) for x in r.per_pcp]
    assert rows == [
        (0, "DMA32", 1, counts(refill_events=1, refill_pages=8), counts()),     # pfn 0x4000
        (0, "Normal", 0, counts(refill_events=1, refill_pages=1, drain_events=1,
                                drain_pages=1), counts(refill_events=31, refill_pages=31)),
        (0, "Normal", 1, counts(), counts(direct_buddy=1, extfrag=1)),
    ]
    notes = "\n".join(r.notes)
    assert "replayed 2 allocations and 2 frees; 1 frees of pages allocated before" in notes
    assert "printed by a 6.x kernel and the model runs v4.18" in notes
    text = r.table()
    assert "every pcp list starts empty in the model" in text
    assert "cpu 1 Normal 40785 pages (high 47104" in text      # the snapshot's zoneinfo
    assert "no periodic pcp decay" in text


def test_cpu_beyond_the_snapshot(tmp_path):
    """A trace CPU the snapshot has no pageset for is an error naming the line."""
    lines = HAND_TRACE[:1] + [P % (2, "11.0") + "mm_page_free: page=1 pfn=0x1 order=0"]
    with pytest.raises(TraceFileError,
                       match=r"trace line 2: cpu 2 is not among the online CPUs .* \(0, 1\)"):
        replay_trace_dir(trace_dir(tmp_path, lines), kernel="classic")


def test_cpu_ids_with_a_hole(tmp_path):
    """Online CPUs 0 and 3: kernel CPU 3 is the model's CPU 1, reported under its own id."""
    d = trace_dir(tmp_path, [line.replace("[001]", "[003]") for line in HAND_TRACE])
    zoneinfo = (d / "proc" / "zoneinfo").read_text()
    (d / "proc" / "zoneinfo").write_text(zoneinfo.replace("    cpu: 1\n", "    cpu: 3\n"))
    assert model_cpus(parse_zoneinfo((d / "proc" / "zoneinfo").read_text())) == {0: 0, 3: 1}
    r = replay_trace_dir(d, kernel="classic")
    assert [(x["zone"], x["cpu"]) for x in r.per_pcp] == [("DMA32", 3), ("Normal", 0),
                                                          ("Normal", 3)]
    assert r.per_pcp[2]["model"] == counts(direct_buddy=1, extfrag=1)


def test_no_trace_file(tmp_path):
    """A directory without trace or trace.gz is refused by name."""
    with pytest.raises(TraceFileError, match="no trace file"):
        replay_trace_dir(tmp_path, kernel="classic")


def test_shipped_trace_on_classic():
    """End to end on the shipped 6.18 trace: the kernel's grep counts, the model's own rules.

    Kernel side: SHIPPED_KERNEL (grep).  Model side, v4.18 (mm/page_alloc.c rmqueue()): the
    trace's only order > 0 allocations are its 256 order-8 ones, each one __rmqueue() with
    percpu_refill 0; pcp lists hold order 0 only, so refills and drains are one page each.
    """
    r = replay_trace_dir(FILE_256M, kernel="classic")
    assert r.kernel == SHIPPED_KERNEL
    assert r.model["direct_buddy"] == 256
    assert r.model["refill_pages"] == r.model["refill_events"] > 0
    assert r.model["drain_pages"] == r.model["drain_events"]
    for side in ("kernel", "model"):
        assert {k: sum(x[side][k] for x in r.per_pcp) for k in KEYS} == getattr(r, side)


def run(*argv):
    return subprocess.run([sys.executable, "-m", "buddylab", "replay", *argv],
                          capture_output=True, text=True)


def test_cli_json_keys():
    """--json prints exactly kernel, model and per_pcp with the six counts; notes on stderr."""
    res = run(FILE_256M, "--kernel", "classic", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert list(out) == ["kernel", "model", "per_pcp"]
    assert list(out["kernel"]) == KEYS and list(out["model"]) == KEYS
    assert all(list(r["kernel"]) == KEYS and list(r["model"]) == KEYS for r in out["per_pcp"])
    assert out["kernel"]["refill_events"] == 1953
    assert "assumption: every pcp list starts empty" in res.stderr


def test_cli_table():
    """Without --json: the table with its assumptions."""
    res = run(FILE_256M, "--kernel", "classic")
    assert res.returncode == 0
    assert "all CPUs and zones" in res.stdout and "assumptions" in res.stdout


@pytest.mark.parametrize("argv, message", [
    (["/no/such/dir", "--kernel", "classic"], "no trace file"),
    ([FILE_256M, "--kernel", "v5"], "invalid choice"),
    ([], "the following arguments are required: DIR"),
])
def test_cli_bad_arguments_exit_2(argv, message):
    """Bad arguments: one line on stderr, exit status 2."""
    res = run(*argv)
    assert res.returncode == 2 and message in res.stderr
    assert res.stderr.count("\n") == 1 and res.stdout == ""


def test_shipped_trace_on_modern_cli_default():
    """The default --kernel is modern: the replay runs and sets the grep counts beside it."""
    res = run(FILE_256M, "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["kernel"] == SHIPPED_KERNEL
    assert list(out["model"]) == KEYS
    assert "decay_pcp_high" in res.stderr


def _pcp_order_requests(t):
    """{(cpu, migratetype): order-0 allocations}, and whether any pcp-order allocation is
    above order 0 (the shipped trace's mm_page_alloc lines are of orders 0 and 8 only)."""
    out, high_order = {}, False
    for e in t.of("mm_page_alloc"):
        if e["order"] == 0:
            key = (e.cpu, e["migratetype"])
            out[key] = out.get(key, 0) + 1
        elif e["order"] <= 3:
            high_order = True
    return out, high_order


def test_shipped_trace_on_modern_empty_start():
    """v6.18 model, lists empty: the order-8 folios go to the buddy, nothing drains.

    mm/page_alloc.c, pcp_allowed_order() and rmqueue(), v6.18: order 8 is above
    PAGE_ALLOC_COSTLY_ORDER (3) and is not HPAGE_PMD_ORDER (9), so each of the 256 order-8
    allocations is one rmqueue_buddy() block (percpu_refill 0).  The trace's pcp-order
    requests are all order 0, so a refill block is one page.  free_frozen_page_commit()
    drains only when count reaches nr_pcp_high(), at least high_min (5200) while the zone is
    above its high watermark; lists that start empty on a trace whose pcp-order frees come
    to 1665 pages on CPU 0 and 395 on CPU 1 never get there, so no drain (and the vmstat
    worker's decay_pcp_high() never brings high below high_min, so it drains nothing).
    """
    r = replay_trace_dir(FILE_256M, kernel="modern")
    assert r.kernel == SHIPPED_KERNEL
    assert r.model["direct_buddy"] == 256
    assert r.model["refill_pages"] == r.model["refill_events"] > 0
    assert r.model["drain_events"] == r.model["drain_pages"] == 0
    normal = [p for p in r.pcp_end if p["zone"] == "Normal"]
    assert [p["cpu"] for p in normal] == [0, 1]
    assert all(p["count"] < NORMAL_HIGH_MIN <= p["high"] for p in normal)
    text = r.table()
    assert "the model's high starts at 0, clamped to high_min 5200 at first use" in text
    assert "after the trace, cpu 0 Normal: kernel count 13776 high 14335" in text


def _count_level_drains(t, cpu, count, high, high_min=NORMAL_HIGH_MIN, batch=NORMAL_BATCH):
    """Pages one CPU's Normal pcp drains, recomputed here from v6.18's formulas alone.

    Valid only while no refill happens on that CPU (every request served from the lists),
    the zone stays above its high watermark, and no high-order free run occurs.  Kernel,
    mm/page_alloc.c, v6.18: rmqueue_pcplist() halves free_count; free_frozen_page_commit()
    adds the block and grows free_count up to batch << 5; nr_pcp_high() raises high to
    free_count + batch when count >= high; nr_pcp_free() frees clamp(free_count, batch,
    high - batch); decay_pcp_high() (mm/vmstat.c refresh_cpu_vm_stats(), each whole second
    of the trace clock as the replay assumes) sets high = max(count - (batch << 5), high -
    high / 8, high_min) and frees count - high.  Frees of pages not allocated in the trace
    are skipped, as the replay skips them.  Returns (pages drained, count, high) at the end.
    """
    free_count, drained, live, tick = 0, 0, {}, None
    for e in t.events:
        tick = int(e.timestamp) + 1 if tick is None else tick
        while e.timestamp >= tick:
            if high > high_min:
                high = max(count - (batch << 5), high - (high >> 3), high_min)
            if count > high:
                drained, count = drained + count - high, high
            tick += 1
        if e.name == "mm_page_alloc" and e["pfn"] >= 0:
            live[e["pfn"]] = e["order"]
            if e.cpu == cpu and e["order"] <= 3:
                free_count >>= 1
                count -= 1 << e["order"]
        elif e.name == "mm_page_free":
            order = live.pop(e["pfn"], None)
            if order is None or e.cpu != cpu or order > 3:
                continue
            count += 1 << order
            if free_count < batch << 5:
                free_count += 1 << order
            if count >= high:
                high = max(high, free_count + batch)
                n = min(max(free_count, batch), high - batch)
                drained, count = drained + n, count - n
    return drained, count, high


def test_shipped_trace_on_modern_snapshot_start():
    """v6.18 model, lists started from zoneinfo's high and count: no refill, CPU 0's drains.

    zoneinfo (the snapshot): Normal cpu 0 count 15035 high 16382, cpu 1 count 40785 high
    47104.  Split evenly over the three order-0 lists: at least 15035 // 3 = 5011 and
    40785 // 3 = 13595 pages a list, more than any (cpu, type) asks for in the trace (grep:
    at most 1579, cpu 1 RECLAIMABLE), so __rmqueue_pcplist() never refills: 0 refills.
    The drains are recomputed here from the formulas (_count_level_drains).  decay_pcp_high()
    (mm/page_alloc.c, v6.18) at 1827 s lowers high by an eighth: 16382 - 2047 = 14335 and
    47104 - 5888 = 41216, which is what the kernel's zoneinfo.after prints.
    """
    t = read_trace(FILE_256M + "/trace.gz")
    asks, high_order = _pcp_order_requests(t)
    assert not high_order and max(asks.values()) == asks[(1, 2)] == 1579 < 13595
    assert max(n for (cpu, _), n in asks.items() if cpu == 0) < 5011
    r = replay_trace_dir(FILE_256M, kernel="modern", pcp_start="snapshot")
    assert r.kernel == SHIPPED_KERNEL
    assert r.model["refill_events"] == r.model["refill_pages"] == 0
    assert r.model["direct_buddy"] == 256
    cpu0 = [x["model"] for x in r.per_pcp if (x["zone"], x["cpu"]) == ("Normal", 0)][0]
    cpu1 = [x["model"] for x in r.per_pcp if (x["zone"], x["cpu"]) == ("Normal", 1)][0]
    drained0, count0, high0 = _count_level_drains(t, 0, 15035, 16382)
    drained1, count1, high1 = _count_level_drains(t, 1, 40785, 47104)
    assert cpu0["drain_pages"] == cpu0["drain_events"] == drained0 > 0
    assert cpu1["drain_pages"] == drained1
    end = {p["cpu"]: (p["count"], p["high"]) for p in r.pcp_end if p["zone"] == "Normal"}
    assert end == {0: (count0, high0), 1: (count1, high1)}
    assert (high0, high1) == (16382 - (16382 >> 3), 47104 - (47104 >> 3)) == (14335, 41216)
    assert "kernel count 13776 high 14335 (zoneinfo.after), model count %d high 14335" \
        % count0 in "\n".join(r.notes)
    assert "split evenly over the UNMOVABLE, MOVABLE and RECLAIMABLE lists" in r.table()


def test_hand_trace_on_modern(tmp_path):
    """The hand trace on v6.18: refills by nr_pcp_alloc(), an order-3 pcp list, one claim.

    mm/page_alloc.c, v6.18.  CPU 0's order-0 MOVABLE request: nr_pcp_alloc() clamps high 0
    to high_min 5200, raises it by batch (5263), max_nr_alloc = max(5263 - 0 - 63, 63), so
    batch 63 << alloc_factor 0 = 63 blocks: 63 refill events, 63 pages.  CPU 1's order-3
    GFP_KERNEL request is a pcp order (pcp_allowed_order()): nr_pcp_alloc() gives
    max(63 >> 3, 2) = 7 blocks, 56 pages.  On a fresh boot every pageblock is MOVABLE, so
    the first UNMOVABLE block comes from __rmqueue_claim(): try_to_claim_block() re-types a
    free order-10 block (>= pageblock_order) and expand()s it itself, so that block fires
    mm_page_alloc_extfrag but no mm_page_alloc_zone_locked (in v6.18 that tracepoint is in
    __rmqueue_smallest() alone); the mode goes back to RMQUEUE_NORMAL and the other 6 blocks
    come from __rmqueue_smallest(): 6 refill events, 48 pages.  Both frees go back to the
    pcp lists (count 63 and 56, far below high): no drain.  No whole second passes: no decay.
    """
    r = replay_trace_dir(trace_dir(tmp_path, HAND_TRACE), kernel="modern")
    assert r.kernel == counts(refill_events=2, refill_pages=9, drain_events=1, drain_pages=1)
    assert r.model == counts(refill_events=63 + 6, refill_pages=63 + 48, extfrag=1)
    rows = [(x["zone"], x["cpu"], x["model"]) for x in r.per_pcp]
    assert rows == [("DMA32", 1, counts()),
                    ("Normal", 0, counts(refill_events=63, refill_pages=63)),
                    ("Normal", 1, counts(refill_events=6, refill_pages=48, extfrag=1))]
    end = {(p["zone"], p["cpu"]): p["count"] for p in r.pcp_end}
    assert end[("Normal", 0)] == 63 and end[("Normal", 1)] == 56    # 7 blocks of 8 pages


def test_snapshot_start_only_on_the_traces_kernel_family(tmp_path):
    """pcp_start='snapshot' on the v4.18 model of a 6.x trace, or an unknown start: refused."""
    d = trace_dir(tmp_path, HAND_TRACE)
    with pytest.raises(BadParameterError, match="only the kernel family that printed it "
                                                r"\(6.x\) has; the model runs v4.18"):
        replay_trace_dir(d, kernel="classic", pcp_start="snapshot")
    with pytest.raises(BadParameterError, match="pcp_start='full': expected one of empty, "
                                                "snapshot"):
        replay_trace_dir(d, kernel="modern", pcp_start="full")


@pytest.mark.parametrize("kernel", ["classic", "modern"])
def test_pcp_list_refill_seam(kernel):
    """kernel.pcp_list_refill(): rmqueue_bulk() onto one list's tail, count raised.

    mm/page_alloc.c rmqueue_bulk() (v4.18, v6.18): one __rmqueue() per block, each placed at
    the list's tail; the caller adds the blocks to pcp->count.  Splitting one free block
    hands out ascending consecutive pfns (expand() keeps the low half).
    """
    m = Machine(kernel=kernel)
    zone = [z for z in m.zones if z.populated()][-1]
    pcp = zone.pageset[0]
    free = zone.NR_FREE_PAGES
    assert m.kernel.pcp_list_refill(zone, pcp, 1, 10) == 10
    pfns = list(zone.mm.iter_list(pcp.list_head(m.kernel.order_to_pindex(1, 0))))
    assert pcp.count == len(pfns) == 10 and zone.NR_FREE_PAGES == free - 10
    assert pfns == list(range(pfns[0], pfns[0] + 10))


def test_starts_table_for_the_chapter():
    """starts_table(): the kernel's grep totals, then one model row per start it can run.

    On the classic model of a 6.x trace the snapshot start is refused (its high is 6.x's
    auto-tuned value), so only the empty start is printed.
    """
    lines = starts_table(kernel="classic").splitlines()
    assert lines[0].split() == KEYS
    assert lines[1].split() == ["kernel"] + [str(SHIPPED_KERNEL[k]) for k in KEYS]
    assert [ln.split(",")[0] for ln in lines[2::2]] == ["model"]
    assert lines[2].startswith("model, empty")
