"""``make bench``: how fast the model runs, beside the targets of issue #11.

``python -m buddylab.bench`` prints a table (``--json``: the same rows as JSON, for comparing
runs); ``--size tiny`` runs every row once on small machines, only to show that it works (the
test suite does that; speed is never asserted in a test).  Every workload is seeded, so the
operations are the same in every run and only the timings vary; each figure is the median of
several runs.  Everything goes through the public API (``Machine``, ``start_trace``,
``check``, the /proc printers, ``buddylab.plot``, ``buddylab.widgets``): the benchmark adds
no hook to the model.

Rows (the issue's numbering):

1. order-0 alloc/free through the pcp lists: 64 ``alloc_pages(GFP_KERNEL, 0, cpu=0)`` then
   64 ``free_pages(..., 0, cpu=0)`` on a 1 GiB one-zone machine, ops/s;
2. a mixed workload: orders 0-5, random frees, three migrate types, two CPUs, ops/s;
3. fallback-heavy: unmovable requests of pageblock order and above (never freed) on a freshly
   booted 4 GiB machine whose pageblocks are all MOVABLE: about three in four are served by
   ``__rmqueue_fallback()``, ops/s;
4. 1, 16 and 64 GiB models: boot time and peak memory (one subprocess per boot, so peaks do
   not mix); ``check()``, the /proc texts and a memory-map figure on the 64 GiB model;
5. widget redraw: one stepper step and one explorer allocation, at 64 pages and 16 GiB;
6. tracing on against off, on workload 2 (a ratio of times: untraced and traced runs in pairs,
   in turns which one first; the row is the median of the pairs' ratios);
7. workload 2 on the naive reference model of the tests (``tests/reference.py``), as a ratio;
8. the replay of a real trace: ``buddylab.tracereplay.replay_trace_dir()`` of the shipped
   trace ``buddylab/data/traces/file-256m`` (Linux 6.18, dd writes then rm deletes a 256 MiB
   file), events/s over the whole call (reading the trace, booting the model from the trace's
   /proc snapshot, replaying).

``--kernel classic|modern|both`` (default both) picks the profiles measured: rows 1-6 and 8 are
measured for each (the modern rows' keys end in ``_modern``); row 7 only for classic, the
profile the naive reference models.  ``--rows 4,5`` measures only those rows.
"""
import argparse
import importlib.util
import json
import os
import pathlib
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import warnings

import buddylab as bl
from buddylab.kernels.select import get_kernel

REPO = pathlib.Path(__file__).resolve().parent.parent
GIB = 1 << 18                     # pages of 4 KiB in one GiB
KERNEL_CHOICES = ("classic", "modern")
#: what a profile's row keys and names carry (the classic rows keep the keys of the first bench)
KEY_SUFFIX = {"classic": "", "modern": "_modern"}
REFERENCE_VERSION = "v4.18"       # the kernel tests/reference.py models

#: per size: how much work each row does and how many runs its median is taken over
SIZES = {
    "full": dict(repeats=5, order0_rounds=400, mixed_ops=20_000, ref_ops=20_000,
                 fallback_ops=1000, fallback_gib=4, boot_gib=(1, 16, 64), boot_repeats=3,
                 widget_big_gib=16, widget_repeats=5),
    "tiny": dict(repeats=1, order0_rounds=4, mixed_ops=200, ref_ops=200,
                 fallback_ops=40, fallback_gib=1 / 4, boot_gib=(1 / 64, 1 / 32, 1 / 16),
                 boot_repeats=1, widget_big_gib=1 / 64, widget_repeats=1),
}
MIXED_MASKS = (bl.GFP_KERNEL, bl.GFP_HIGHUSER_MOVABLE, bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE)


# ------------------------------------------------------------------ machines and workloads
def one_zone_machine(gib=1, cpus=1, kernel="classic"):
    """The issue's 1 GiB one-zone machine: a single Normal zone."""
    return bl.Machine(nodes=[{"Normal": int(gib * GIB)}], cpus_per_node=cpus, kernel=kernel)


def mixed_machine(kernel="classic"):
    """1 GiB, DMA (16 MiB) then Normal, two CPUs: workloads 2, 6 and 7."""
    return bl.Machine(nodes=[{"DMA": 4096, "Normal": GIB - 4096}], cpus_per_node=2,
                      kernel=kernel)


def sized_machine(gib, kernel="classic"):
    """A one-node x86-64 layout of `gib` GiB: DMA 16 MiB, DMA32 up to 4 GiB, Normal above."""
    pages = int(gib * GIB)
    dma = min(4096, pages // 4)
    dma32 = min(4 * GIB, pages) - dma
    zones = {"DMA": dma, "DMA32": dma32}
    if pages > 4 * GIB:
        zones["Normal"] = pages - 4 * GIB
    return bl.Machine(nodes=[zones], cpus_per_node=2, kernel=kernel)


def order0_loop(m, rounds):
    """Workload 1: `rounds` times 64 order-0 allocations then 64 frees on CPU 0; ops done."""
    alloc, free, gfp = m.alloc_pages, m.free_pages, bl.GFP_KERNEL
    for _ in range(rounds):
        pages = [alloc(gfp, 0, cpu=0) for _ in range(64)]
        for p in pages:
            free(p, 0, cpu=0)
    return rounds * 128


def mixed_workload(alloc, free, n, nr_cpus=2, seed=0, masks=MIXED_MASKS):
    """Workload 2: `n` calls, 45% frees of a random live block, else an allocation of order
    0-5, one of three migrate types, on a random CPU.  `alloc(gfp, order, cpu)` and
    `free(page, order, cpu)` are the model's calls, so the naive reference runs it too."""
    rng = random.Random(seed)
    live = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            if live and rng.random() < 0.45:
                p, o, cpu = live.pop(int(rng.random() * len(live)))
                free(p, o, cpu)
            else:
                o = int(rng.random() * 6)
                cpu = int(rng.random() * nr_cpus)
                p = alloc(masks[int(rng.random() * len(masks))], o, cpu)
                if p is not None:
                    live.append((p, o, cpu))
    return n


def fallback_workload(m, n, seed=0):
    """Workload 3: `n` GFP_KERNEL requests, each of order pageblock_order or MAX_ORDER - 1 at
    random, never freed, on a machine whose pageblocks are all MOVABLE after boot: the
    unmovable free lists are empty whenever no half-block is left over, so about three
    requests in four go to __rmqueue_fallback(), which claims whole MOVABLE pageblocks
    (steal_suitable_fallback(); mm/page_alloc.c, v4.18)."""
    rng = random.Random(seed)
    orders = (m.pageblock_order, m.max_order - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            m.alloc_pages(bl.GFP_KERNEL, orders[int(rng.random() * 2)], cpu=0)
    return n


def machine_ops(m):
    return (lambda g, o, c: m.alloc_pages(g, o, cpu=c),
            lambda p, o, c: m.free_pages(p, o, cpu=c))


def rate(setup, run, repeats):
    """Median ops/s of `repeats` runs of run(setup()) (setup untimed); also the samples."""
    samples = []
    for _ in range(repeats):
        state = setup()
        t0 = time.perf_counter()
        n = run(state)
        samples.append(n / (time.perf_counter() - t0))
    return statistics.median(samples), samples


def paired_rates(setup_a, setup_b, run, repeats):
    """rate() of two setups taken in pairs, a then b, then b then a, and so on: a load that
    comes and goes during the runs falls on both alike, and each follows the other as often
    (what the run before leaves in the heap).  Returns (median ops/s of a, its samples,
    median of b, its samples, the median of the ratios a / b of each pair)."""
    a, b = [], []
    for i in range(repeats):
        if i % 2:
            b.append(rate(setup_b, run, 1)[0])
            a.append(rate(setup_a, run, 1)[0])
        else:
            a.append(rate(setup_a, run, 1)[0])
            b.append(rate(setup_b, run, 1)[0])
    return (statistics.median(a), a, statistics.median(b), b,
            statistics.median(x / y for x, y in zip(a, b)))


def seconds(fn, repeats, setup=lambda: None):
    """Median wall time of `repeats` calls of fn(setup()) (setup untimed); also the samples."""
    samples = []
    for _ in range(repeats):
        state = setup()
        t0 = time.perf_counter()
        fn(state)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


# ------------------------------------------------------------------ rows
def row(key, name, value, unit, target=None, op=">=", target_text=None, note="", samples=(),
        status=None):
    """One table row; `op` says whether the target is a floor (>=) or a ceiling (<=); `status`
    replaces "met / missed by X%" for a row that could not be measured."""
    missed = None
    if status is not None:
        pass
    elif value is None or target is None:
        status = "n/a" if value is None else "no target"
    elif (value >= target) if op == ">=" else (value <= target):
        status, missed = "met", 0.0
    else:
        missed = 100.0 * ((target - value) / target if op == ">=" else (value - target) / target)
        status = "missed by %.0f%%" % missed
    if target_text is None:
        target_text = "" if target is None else "%s %s" % (op, _fmt(target))
    return dict(key=key, name=name, value=value, unit=unit, target=target, op=op,
                target_text=target_text, status=status, missed_by_pct=missed, note=note,
                samples=list(samples))


def _fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3g" % v


def bench_order0(cfg):
    k = cfg["kernel"]
    v, s = rate(lambda: one_zone_machine(1, kernel=k),
                lambda m: order0_loop(m, cfg["order0_rounds"]), cfg["repeats"])
    return [row("order0_pcp", "1. order-0 alloc+free via pcp (1 GiB, 1 zone)", v, "ops/s",
                500_000, target_text=">= 500,000 (stretch 1,000,000)", samples=s)]


def bench_mixed(cfg):
    n = cfg["mixed_ops"]

    def run(m):
        return mixed_workload(*machine_ops(m), n)

    def traced():
        m = mixed_machine(cfg["kernel"])
        m.start_trace()
        return m
    # untraced and traced runs in pairs; row 6 is the median of the pairs' ratios
    v, s, v_on, s_on, ratio = paired_rates(lambda: mixed_machine(cfg["kernel"]), traced, run,
                                           cfg["repeats"])
    rows = [row("mixed", "2. mixed: orders 0-5, 3 types, 2 CPUs", v, "ops/s", 200_000,
                samples=s),
            row("tracing_ratio", "6. tracing on / off, workload 2 (time)", ratio, "x", 2.0,
                op="<=", note="on: %s ops/s; the median of %d paired runs' ratios"
                % (_fmt(v_on), len(s_on)), samples=s_on)]
    ref = load_reference()
    if get_kernel(cfg["kernel"]).version != REFERENCE_VERSION:
        rows.append(row("reference_ratio", "7. workload 2, buddylab / naive reference (speed)",
                        None, "x", status="n/a: the naive reference models v4.18 only"))
    elif ref is None:
        rows.append(row("reference_ratio", "7. workload 2, buddylab / naive reference (speed)",
                        None, "x", status="n/a: tests/reference.py not found"))
    else:
        nref = cfg["ref_ops"]

        def run_ref(r):
            return mixed_workload(lambda g, o, c: r.alloc_pages(int(g), o, cpu=c),
                                  lambda p, o, c: r.free_pages(p, o, cpu=c), nref)
        v_ref, s_ref = rate(lambda: ref.Reference(4096, GIB - 4096, nr_cpus=2), run_ref,
                            cfg["repeats"])
        rows.append(row("reference_ratio", "7. workload 2, buddylab / naive reference (speed)",
                        v / v_ref, "x", note="reference: %s ops/s" % _fmt(v_ref),
                        samples=s_ref))
    return rows


def bench_fallback(cfg):
    n = cfg["fallback_ops"]
    gib = cfg["fallback_gib"]
    v, s = rate(lambda: one_zone_machine(gib, kernel=cfg["kernel"]),
                lambda m: fallback_workload(m, n), cfg["repeats"])
    return [row("fallback", "3. fallback-heavy: unmovable into movable blocks", v, "ops/s",
                100_000, samples=s,
                note="%d order-9/10 GFP_KERNEL requests on a fresh %s one-zone machine, "
                     "~3 in 4 take __rmqueue_fallback()" % (n, _size_name(gib)))]


def load_reference():
    """tests/reference.py imported by path (it is not part of the package), or None."""
    path = REPO / "tests" / "reference.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("buddylab_bench_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _maxrss_mb():
    """This process's peak resident set, MB: VmHWM of /proc/self/status where Linux has it
    (ru_maxrss can carry the forking parent's peak across exec), else ru_maxrss (KiB)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_boot(gib, extras, kernel="classic"):
    """Run in a fresh process: boot `gib` GiB; with `extras`, then time check(), the /proc
    texts and a memory-map figure.  Prints one JSON line."""
    base = _maxrss_mb()
    t0 = time.perf_counter()
    m = sized_machine(gib, kernel)
    out = dict(boot_s=time.perf_counter() - t0, peak_mb=_maxrss_mb(), base_mb=base)
    if extras:
        t0 = time.perf_counter()
        m.check()
        out["check_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for text in (m.buddyinfo, m.pagetypeinfo, m.zoneinfo):
            text()
        out["proc_s"] = time.perf_counter() - t0
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from buddylab.plot import plot_memory_map
        except ImportError:
            out["memmap_s"] = None
        else:
            t0 = time.perf_counter()
            zone = max(m.snapshot().zones, key=lambda z: z.managed_pages)
            ax = plot_memory_map(zone)
            ax.figure.savefig(os.devnull, format="png")
            out["memmap_s"] = time.perf_counter() - t0
            plt.close("all")
    print(json.dumps(out))


def _run_child(gib, extras, kernel):
    cmd = [sys.executable, "-m", "buddylab.bench", "--_child-boot", repr(gib),
           "--kernel", kernel]
    if extras:
        cmd.append("--_child-extras")
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=str(REPO))
    return json.loads(res.stdout.strip().splitlines()[-1])


def _size_name(gib):
    return "%g GiB" % gib if gib >= 1 else "%g MiB" % (gib * 1024)


def bench_models(cfg):
    rows = []
    big = cfg["boot_gib"][-1]
    boot_targets = {16: 0.5, 64: 2.0}            # the targets, for those sizes only
    extras_runs = []
    for which, gib in zip(("small", "mid", "big"), cfg["boot_gib"]):
        runs = [_run_child(gib, gib == big, cfg["kernel"])
                for _ in range(cfg["boot_repeats"])]
        if gib == big:
            extras_runs = runs
        boot = [r["boot_s"] for r in runs]
        peak = [r["peak_mb"] for r in runs]
        label = _size_name(gib)
        rows.append(row("boot_" + which,
                        "4. boot %s model" % label, statistics.median(boot), "s",
                        boot_targets.get(gib), op="<=", samples=boot))
        rows.append(row("peak_" + which,
                        "4. peak memory, %s model" % label, statistics.median(peak), "MB",
                        400.0 if gib == 64 else None, op="<=",
                        note="" if gib != big else
                        "the process's peak RSS, %.0f MB of it before boot (Python, "
                        "buddylab imported)" % runs[0]["base_mb"],
                        samples=peak))
    label = _size_name(big)
    for key, what, target in (("check_s", "check()", 2.0 if big == 64 else None),
                              ("proc_s", "/proc texts", None),
                              ("memmap_s", "memory-map figure", None)):
        vals = [r[key] for r in extras_runs]
        if any(v is None for v in vals):
            rows.append(row("big_" + key[:-2], "4. %s on %s" % (what, label), None, "s",
                            status="n/a: matplotlib does not import"))
        else:
            rows.append(row("big_" + key[:-2], "4. %s on %s" % (what, label),
                            statistics.median(vals), "s", target, op="<=",
                            note="buddyinfo, pagetypeinfo, zoneinfo" if key == "proc_s"
                            else "", samples=vals))
    return rows


def bench_widgets(cfg):
    big = cfg["widget_big_gib"]
    big_target = 0.3 if big == 16 else None       # the target is for 16 GiB
    names = [("widget_step_small", "5. stepper step, 64 pages", 0.1),
             ("widget_alloc_small", "5. explorer allocation, 64 pages", 0.1),
             ("widget_step_big", "5. stepper step, %s" % _size_name(big), big_target),
             ("widget_alloc_big", "5. explorer allocation, %s" % _size_name(big), big_target)]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from buddylab.widgets import TraceStepper, AllocFreeExplorer
    except ImportError as e:
        return [row(k, n, None, "s", status="skipped: %s" % e) for k, n, _ in names]

    def tiny():
        return bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5,
                          pageblock_order=3, min_free_kbytes=0, kernel=cfg["kernel"])

    def stepper(m):
        t = m.start_trace()
        p = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 2)
        m.free_pages(p, 2)
        m.stop_trace()
        return TraceStepper(t, kinds=["rmqueue", "split", "merge", "place"])

    def step(w):
        # forward one event, or back one at the end: one redraw either way
        (w.next if w.step < len(w.events) - 1 else w.prev).click()

    def explorer_alloc(w):
        w.allocate.click()

    def explorer_setup(w):
        def setup():
            if w.allocations:
                w.free.click()
            return w
        return setup

    rows = []
    reps = cfg["widget_repeats"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for (k1, n1, t1), (k2, n2, t2), make in (
                (names[0], names[1], tiny),
                (names[2], names[3], lambda: sized_machine(cfg["widget_big_gib"],
                                                           cfg["kernel"]))):
            w = stepper(make())
            v, s = seconds(lambda _: step(w), reps)
            rows.append(row(k1, n1, v, "s", t1, op="<=", samples=s))
            m = make()
            # draw the zone GFP_KERNEL allocates from (the largest), not the default first one
            zone = max(m.snapshot().zones, key=lambda z: z.managed_pages)
            ex = AllocFreeExplorer(m, zone=(zone.nid, zone.name))
            v, s = seconds(explorer_alloc, reps, explorer_setup(ex))
            rows.append(row(k2, n2, v, "s", t2, op="<=", samples=s))
            plt.close("all")
    return rows


def bench_replay(cfg):
    from . import tracereplay as TR
    from .tracefile import read_trace
    n = len(read_trace(TR.find_trace(TR.FILE_256M)).events)
    v, s = seconds(lambda _: TR.replay_trace_dir(TR.FILE_256M, kernel=cfg["kernel"]),
                   cfg["repeats"])
    return [row("replay", "8. replay of a real trace (file-256m)", n / v, "events/s",
                note="%s events; the whole replay_trace_dir() call: read the trace, boot "
                     "from its /proc snapshot, replay (%.2f s)" % (_fmt(n), v),
                samples=[n / x for x in s])]


# ------------------------------------------------------------------ machine description
def describe():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=str(REPO),
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = None
    return dict(cpu=cpu, cores=os.cpu_count(), python=platform.python_version(),
                buddylab=bl.__version__, commit=commit, loadavg=load,
                date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))


#: each measuring function and the rows (the issue's numbers) it prints
PARTS = ((bench_order0, "1"), (bench_mixed, "267"), (bench_fallback, "3"), (bench_models, "4"),
         (bench_widgets, "5"), (bench_replay, "8"))
ALL_ROWS = "12345678"


def run_all(size="full", kernels=KERNEL_CHOICES, rows=ALL_ROWS):
    """Every row, in the issue's order, for each profile in `kernels` (classic first): a dict
    with the machine description and the rows.  A modern row's key ends in ``_modern`` and its
    name says ``[modern]``.  `rows` (e.g. "45") keeps only those rows of the issue's list
    (rows 2, 6 and 7 are measured together: asking for one runs all three)."""
    found = []
    for k in kernels:
        cfg = dict(SIZES[size], kernel=k)
        for part, numbers in PARTS:
            if not set(numbers) & set(rows):
                continue
            for r in part(cfg):
                if r["name"].split(".", 1)[0] not in rows:
                    continue
                if KEY_SUFFIX[k]:
                    r.update(key=r["key"] + KEY_SUFFIX[k], name="%s [%s]" % (r["name"], k))
                found.append(r)
    order = "1 2 3 4 5 6 7 8".split()
    found.sort(key=lambda r: order.index(r["name"].split(".", 1)[0]))
    return dict(machine=describe(), size=size, repeats=SIZES[size]["repeats"],
                kernels=list(kernels), rows=found)


def format_table(result):
    m = result["machine"]
    lines = ["buddylab %s (commit %s), Python %s" % (m["buddylab"], m["commit"] or "n/a",
                                                      m["python"]),
             "%s, %s cores, load %s, %s; size %s, each figure the median of the runs"
             % (m["cpu"], m["cores"], m["loadavg"], m["date"], result["size"]),
             ""]
    head = ("benchmark", "measured", "unit", "target", "status")
    table = [head] + [(r["name"], _fmt(r["value"]) if r["value"] is not None else "-", r["unit"],
                       r["target_text"] or "-", r["status"]) for r in result["rows"]]
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    for t in table:
        lines.append("  ".join(c.ljust(w) if i != 1 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(t, widths))).rstrip())
    notes = [(r["name"], r["note"]) for r in result["rows"] if r["note"]]
    if notes:
        lines.append("")
        lines.extend("note, %s: %s" % n for n in notes)
    return "\n".join(lines)


def _row_numbers(text):
    """--rows: "4,5" or "45" -> "45"; a number outside 1-8 is an error naming it."""
    digits = text.replace(",", "").replace(" ", "")
    bad = sorted(set(digits) - set(ALL_ROWS))
    if not digits or bad:
        raise argparse.ArgumentTypeError("rows are numbers 1-8 (e.g. 4,5), got %r" % (text,))
    return digits


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m buddylab.bench",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--save", metavar="FILE", help="also write the JSON results to FILE")
    ap.add_argument("--size", choices=sorted(SIZES), default="full",
                    help="full (make bench) or tiny (one quick run of every row, for tests)")
    ap.add_argument("--kernel", choices=KERNEL_CHOICES + ("both",), default="both",
                    help="the profile(s) measured (default both)")
    ap.add_argument("--rows", default=ALL_ROWS, type=_row_numbers,
                    help="only these rows of the issue's list, e.g. 45 or 4,5 (default: all)")
    ap.add_argument("--_child-boot", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--_child-extras", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child_boot is not None:
        child_boot(args._child_boot, args._child_extras, args.kernel)
        return 0
    result = run_all(args.size, KERNEL_CHOICES if args.kernel == "both" else (args.kernel,),
                     args.rows)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
