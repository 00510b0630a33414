"""buddylab/tracereplay.py and ``python -m buddylab replay``: a kernel trace replayed on a model.

The hand-made trace directories reuse the shipped snapshot's proc/ (Linux 6.18, 2 CPUs; Normal
managed 753664 pages) with a few hand-written lines; the model's counts are worked from
v4.18's rules, the kernel's by reading the lines.
"""
import json
import shutil
import subprocess
import sys

import pytest

from buddylab.errors import TraceFileError
from buddylab.kernels.v4_18 import gfp as G418
from buddylab.procfs import parse_zoneinfo
from buddylab.tracereplay import (FILE_256M, gfp_mask_for, model_cpus, new_counts,
                                  replay_trace_dir, tally)
from buddylab.kernels.select import get_kernel
from modern_helpers import _modern_refusal

KEYS = ["refill_events", "refill_pages", "direct_buddy", "drain_events", "drain_pages",
        "extfrag"]
MODERN_REFUSAL = _modern_refusal()
needs_modern = pytest.mark.skipif(MODERN_REFUSAL is not None,
                                  reason="Machine(kernel='modern') raises: %s" % MODERN_REFUSAL)

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

    Kernel side (zcat trace.gz | grep): 1953 zone_locked with percpu_refill=1, 256 with 0;
    2057 pcpu_drain lines of orders 0 (1834), 1 (27) and 2 (196): 1834 + 54 + 784 = 2672
    pages.  Model side, v4.18 (mm/page_alloc.c rmqueue()): the trace's only order > 0
    allocations are its 256 order-8 ones, each one __rmqueue() with percpu_refill 0; pcp
    lists hold order 0 only, so refills and drains are one page each.
    """
    r = replay_trace_dir(FILE_256M, kernel="classic")
    assert r.kernel == counts(refill_events=1953, refill_pages=1953, direct_buddy=256,
                              drain_events=2057, drain_pages=2672)
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


@pytest.mark.skipif(MODERN_REFUSAL is None, reason="the modern profile runs")
def test_cli_default_modern_refused_while_it_does_not_run():
    """The default --kernel is modern; while it raises, replay says why and exits 2."""
    res = run(FILE_256M)
    assert res.returncode == 2 and "kernel='modern'" in res.stderr
    assert res.stderr.count("\n") == 1


@needs_modern
def test_shipped_trace_on_modern():
    """On the modern profile the replay runs and sets the same kernel counts beside it."""
    res = run(FILE_256M, "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["kernel"] == counts(refill_events=1953, refill_pages=1953, direct_buddy=256,
                                   drain_events=2057, drain_pages=2672)
    assert list(out["model"]) == KEYS
