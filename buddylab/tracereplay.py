"""A real kernel's kmem trace replayed on a model of the traced machine, counts side by side.

Kernel: the request stream of __alloc_pages() / __free_pages() (mm/page_alloc.c) as the
tracepoints of include/trace/events/kmem.h saw it, and what those requests made the pcp and
buddy code do: rmqueue_bulk() refilling a per-CPU list (mm_page_alloc_zone_locked with
percpu_refill=1), an allocation served straight from the buddy lists (percpu_refill=0),
free_pcppages_bulk() handing pages back (mm_page_pcpu_drain), and a fallback to another
migrate type (mm_page_alloc_extfrag).

A trace directory holds ``trace`` or ``trace.gz`` (ftrace text or perf script output, read
by buddylab.tracefile) and ``proc/`` (zoneinfo, buddyinfo, pagetypeinfo, ``sys/vm/*``, read
just before tracing started).  `replay_trace_dir()` builds ``Machine.from_host(DIR/proc,
kernel)`` and feeds it only the requests: each successful mm_page_alloc is alloc_pages() of
that order, on that CPU, with the GFP mask's names mapped onto the bits of the kernel the model
runs (``machine.kernel.gfp``); each mm_page_free frees the block the model handed out for that
kernel pfn.  Everything else the kernel printed is only counted, per CPU and zone, beside the
model's own events of the same names.  Nothing is fitted: what the snapshot cannot tell is an
assumption listed in the result (``assumptions``), and what the replay had to leave out is
listed in ``notes``.

Simplifications, said aloud: the trace's CPUs are the model's in zoneinfo's pageset order
(`model_cpus()`; on a NUMA host the model splits them over nodes by sysfs, not by this map);
the model's CPU of a refill or drain is the CPU of the request that caused it, the kernel's
the CPU that printed the event (a remote drain_all_pages() is printed by the CPU running
it).  Failed kernel allocations (pfn printed 0, page NULL) are not replayed: they handed
back no page to free later.
"""

import bisect
import os
from typing import Any, Dict, List, NamedTuple, Tuple

from .errors import BadParameterError, TraceFileError
from .machine import Machine, Page
from .mmzone import MIGRATE_PCPTYPES
from .procfs import parse_zoneinfo, read_text
from .tracefile import read_trace

#: the counts set side by side, in the order they are printed
COUNT_KEYS = ("refill_events", "refill_pages", "direct_buddy", "drain_events", "drain_pages",
              "extfrag")
#: the model's events the replay counts (kmem.h names, both profiles)
COUNTED_EVENTS = ("mm_page_alloc_zone_locked", "mm_page_pcpu_drain", "mm_page_alloc_extfrag")
TRACE_NAMES = ("trace", "trace.gz")
#: how the model's pcp lists start (replay_trace_dir(pcp_start=...)); see start_pcps()
PCP_STARTS = ("empty", "snapshot")
#: zoneinfo read just after tracing stopped, if the directory has it (compared in the notes)
ZONEINFO_AFTER = "zoneinfo.after"
TRACE_CHUNK = 50_000       # model events kept before the replay starts a fresh Trace
#: the traces shipped with the package (each DIR laid out as replay_trace_dir() reads it)
TRACES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "traces")
#: Linux 6.18, 2 CPUs: dd writes a 256 MiB file, rm deletes it (see TRACES/README.md)
FILE_256M = os.path.join(TRACES, "file-256m")


def new_counts():
    return dict.fromkeys(COUNT_KEYS, 0)


def tally(counts, name, order, percpu_refill=0):
    """Add one event to `counts` (a COUNT_KEYS dict): the one home of what each count means.

    Kernel: mm_page_alloc_zone_locked fires once per block taken under the zone lock, with
    percpu_refill=1 when the block goes to a pcp list (rmqueue_bulk(), or in 6.18 a pcp-order
    page taken by rmqueue_buddy() after a failed pcp trylock) and 0 for a block handed straight
    to the caller; mm_page_pcpu_drain once per block free_pcppages_bulk() returns to the buddy
    lists; mm_page_alloc_extfrag once per fallback (include/trace/events/kmem.h and
    mm/page_alloc.c, v4.18 and v6.18).  In v6.18 mm_page_alloc_zone_locked fires in
    __rmqueue_smallest() alone: a block handed out by __rmqueue_steal(), or by
    try_to_claim_block() claiming a whole free block of pageblock_order or more, fires only
    mm_page_alloc_extfrag, so refills count the blocks taken from the buddy lists without
    those (on both sides alike: the model fires the kernel's tracepoints where it does).

    >>> c = new_counts(); tally(c, "mm_page_alloc_zone_locked", 0, 1)
    >>> tally(c, "mm_page_pcpu_drain", 3); (c["refill_pages"], c["drain_pages"])
    (1, 8)
    """
    if name == "mm_page_alloc_zone_locked":
        if percpu_refill:
            counts["refill_events"] += 1
            counts["refill_pages"] += 1 << order
        else:
            counts["direct_buddy"] += 1
    elif name == "mm_page_pcpu_drain":
        counts["drain_events"] += 1
        counts["drain_pages"] += 1 << order
    elif name == "mm_page_alloc_extfrag":
        counts["extfrag"] += 1


class ReplayResult(NamedTuple):
    """What replay_trace_dir() found: totals, per (node, zone, cpu), assumptions and notes."""
    directory: str
    kernel_name: str               # the model's profile, e.g. "classic (v4.18)"
    kernel: Dict[str, int]         # the traced kernel's totals, COUNT_KEYS
    model: Dict[str, int]          # the model's totals, COUNT_KEYS
    per_pcp: List[Dict[str, Any]]  # {"node", "zone", "cpu", "kernel": {...}, "model": {...}}
    assumptions: Tuple[str, ...]   # what the snapshot cannot tell, taken as said
    notes: Tuple[str, ...]         # what was read, skipped or left out
    pcp_end: Tuple[Dict[str, Any], ...] = ()   # {"node", "zone", "cpu", "count", "high"}:
    #                                the model's pcps of the printed pagesets after the replay

    def as_json(self):
        """The ``--json`` object: exactly kernel, model and per_pcp."""
        return {"kernel": dict(self.kernel), "model": dict(self.model),
                "per_pcp": [dict(r, kernel=dict(r["kernel"]), model=dict(r["model"]))
                            for r in self.per_pcp]}

    def table(self):
        """The counts as a text table, kernel beside model, then assumptions and notes."""
        w = max(len(k) for k in COUNT_KEYS)
        head = "%-22s %-6s" % ("", "") + "".join(" %*s" % (w, k) for k in COUNT_KEYS)
        lines = ["replay of %s on the %s model" % (self.directory, self.kernel_name), head]

        def rows(label, kern, model):
            out = ["%-22s %-6s" % (label, "kernel") + "".join(" %*d" % (w, kern[k])
                                                             for k in COUNT_KEYS),
                   "%-22s %-6s" % ("", "model") + "".join(" %*d" % (w, model[k])
                                                         for k in COUNT_KEYS),
                   "%-22s %-6s" % ("", "diff") + "".join(" %*s" % (w, _diff(kern[k], model[k]))
                                                        for k in COUNT_KEYS)]
            return out

        lines += rows("all CPUs and zones", self.kernel, self.model)
        for r in self.per_pcp:
            lines += rows("node %d %s cpu %d" % (r["node"], r["zone"], r["cpu"]),
                          r["kernel"], r["model"])
        lines.append("assumptions (what the snapshot cannot tell):")
        lines += ["  - " + a for a in self.assumptions]
        lines.append("notes:")
        lines += ["  - " + n for n in self.notes]
        return "\n".join(lines) + "\n"


def _diff(kern, model):
    if kern == 0:
        return "=" if model == 0 else "+%d" % model
    return "%+.1f%%" % (100.0 * (model - kern) / kern)


def find_trace(directory):
    """The trace file of a trace directory: ``trace``, else ``trace.gz``."""
    for name in TRACE_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    raise TraceFileError("%s: no trace file (expected one of %s, laid out like the package's "
                         "buddylab/data/traces/file-256m/)" % (directory, ", ".join(TRACE_NAMES)))


class _ZoneSpans:
    """pfn -> (nid, zone name) by the spans /proc/zoneinfo prints (zone_start_pfn, spanned)."""

    def __init__(self, zoneinfo):
        spans = sorted((z.start_pfn, z.start_pfn + z.spanned, z.nid, z.name)
                       for z in zoneinfo.zones if z.spanned and z.start_pfn is not None)
        self.starts = [s[0] for s in spans]
        self.spans = spans

    def __call__(self, pfn):
        i = bisect.bisect_right(self.starts, pfn) - 1
        if i >= 0 and pfn < self.spans[i][1]:
            return self.spans[i][2], self.spans[i][3]
        return None


def gfp_mask_for(kernel, names):
    """A GFP mask in `kernel`'s bits from single-bit names; (mask, names it has no bit for).

    The names are the kernel's own (``__GFP_IO``), so a mask printed by 6.18 keeps its
    meaning on the classic model although the bit values were renumbered.
    """
    mask, dropped = 0, []
    table = getattr(kernel.gfp, "GFP_BITS", {})
    for n in names:
        bit = table.get(n, getattr(kernel.gfp, n, None)) if n.startswith("__GFP_") else None
        if bit is None:
            dropped.append(n)
        else:
            mask |= int(bit)
    return mask, tuple(dropped)


def _pagesets(m, zi, cpu_of):
    """(zoneinfo zone, its pageset line, the model's per_cpu_pages) for every printed pageset."""
    nids = list(dict.fromkeys(z.nid for z in zi.zones))     # read_host() renumbers them 0..
    for z in zi.zones:
        model_zone = [mz for mz in m.zones if (mz.nid, mz.name) == (nids.index(z.nid), z.name)]
        for p in z.pagesets:
            if model_zone and cpu_of[p.cpu] in model_zone[0].pageset:
                yield z, p, model_zone[0], model_zone[0].pageset[cpu_of[p.cpu]]


def start_pcps(m, zi, cpu_of, pcp_start):
    """Give the model's pcp lists their start state; the assumption it makes, as text.

    ``"empty"``: the lists as Machine.from_host() leaves them, empty, with high as the
    kernel's formulas set it.  ``"snapshot"``: each CPU's ``high`` and ``count`` as the
    snapshot's zoneinfo printed them (read, not fitted); the ``count`` pages are order-0
    blocks split evenly over the MIGRATE_PCPTYPES order-0 lists (UNMOVABLE, MOVABLE,
    RECLAIMABLE, the remainder to the first), taken from the model's buddy lists by the
    kernel's own refill (``kernel.pcp_list_refill``, rmqueue_bulk()).  zoneinfo never says
    which lists held them: the even split favours none.  Only on the kernel family that
    printed the snapshot (a 6.x high is an auto-tuned value the v4.18 model has no place
    for): the caller checks.
    """
    if pcp_start not in PCP_STARTS:
        raise BadParameterError("pcp_start=%r: expected one of %s"
                                % (pcp_start, ", ".join(PCP_STARTS)))
    held = ["cpu %d %s %d pages (high %d; the model's high starts at %s)"
            % (p.cpu, z.name, p.count, p.high, _start_high(pcp))
            for z, p, _, pcp in _pagesets(m, zi, cpu_of) if p.count]
    if pcp_start == "empty":
        return ("every pcp list starts empty in the model; the kernel's held %s: their orders, "
                "migrate types and pfns are not in the snapshot"
                % (", ".join(held) if held else "nothing"))
    short = []
    for z, p, zone, pcp in _pagesets(m, zi, cpu_of):
        pcp.high = p.high
        for i in range(MIGRATE_PCPTYPES):
            want = p.count // MIGRATE_PCPTYPES + (i < p.count % MIGRATE_PCPTYPES)
            got = m.kernel.pcp_list_refill(zone, pcp, i, want) if want else 0
            if got < want:
                short.append("cpu %d %s type %d: %d of %d" % (p.cpu, z.name, i, got, want))
    return ("each CPU's pcp starts with the snapshot's high and count (read, not fitted): %s; "
            "the count is order-0 pages split evenly over the UNMOVABLE, MOVABLE and "
            "RECLAIMABLE lists, taken from the model's buddy lists (zoneinfo never says "
            "which lists held them, nor at which orders)%s"
            % (", ".join(held) if held else "nothing held",
               "; the buddy lists ran short: " + ", ".join(short) if short else ""))


def _start_high(pcp):
    """The model's pcp high before the replay, as text (v6.18 clamps a boot high of 0 into
    [high_min, high_max] at first use: nr_pcp_alloc(), nr_pcp_high())."""
    high_min = getattr(pcp, "high_min", None)
    if high_min is not None and pcp.high < high_min:
        return "%d, clamped to high_min %d at first use" % (pcp.high, high_min)
    return "%d" % pcp.high


def _same_family(m, kt):
    """Whether the trace was printed by the kernel family the model runs (6.x on v6.18)."""
    printed = [f for f in kt.formats if f in ("4.x", "6.x")]
    return not printed or m.kernel.version[1:2] == printed[0][0]


def _start_assumptions(m, kernel, pcp_assumption):
    out = ["the model boots with every managed page free in the buddy lists, in the order its "
           "boot frees them; the snapshot's buddyinfo/pagetypeinfo give only how many blocks "
           "of each order and type were free, not where, and nothing of the pages in use",
           pcp_assumption]
    if m.kernel.pcp_high_decays:
        out.append("each CPU's vmstat worker (decay_pcp_high) runs at every whole second of the "
                   "trace clock; where it really fell is not in the trace")
    else:
        out.append("no periodic pcp decay: %s has none (its vmstat worker drains only remote "
                   "nodes' pcps)" % kernel)
    return out


def replay_trace_dir(directory, kernel="modern", pcp_start="empty"):
    """Replay DIR's trace on Machine.from_host(DIR/proc, kernel); a ReplayResult.

    `pcp_start` is how the model's pcp lists start (PCP_STARTS, start_pcps()): "empty", or
    "snapshot" (zoneinfo's high and count, on the kernel family that printed the trace).
    Raises what from_host raises (ProcParseError for a bad snapshot), TraceFileError for a
    bad trace or one that names a CPU the snapshot does not have, BadParameterError for an
    unknown pcp_start or "snapshot" on another kernel family than the trace's.
    """
    directory = os.fspath(directory)
    path = find_trace(directory)
    kt = read_trace(path)
    proc = os.path.join(directory, "proc")
    m = Machine.from_host(root=proc, kernel=kernel)
    zi = m.host.zoneinfo
    cpu_of = model_cpus(zi)
    for e in kt.events:
        if e.cpu not in cpu_of:
            raise TraceFileError("%s line %d: cpu %d is not among the online CPUs of the "
                                 "snapshot %s (%s)" % (path, e.line, e.cpu, proc,
                                                       ", ".join(map(str, cpu_of))))
    kname = "%s (%s)" % (m.kernel.name, m.kernel.version)
    if pcp_start == "snapshot" and not _same_family(m, kt):
        raise BadParameterError("pcp_start='snapshot' copies the snapshot's pcp high and count, "
                                "which only the kernel family that printed it (%s) has; the "
                                "model runs %s" % (", ".join(f for f in kt.formats if "." in f),
                                                   m.kernel.version))
    pcp_assumption = start_pcps(m, zi, cpu_of, pcp_start)
    model = _ModelSide(m, cpu_of)
    for e in kt.events:
        model.tick(e.timestamp)
        if e.name == "mm_page_alloc":
            model.alloc(e)
        elif e.name == "mm_page_free":
            model.free(e)
    m.stop_trace()
    kern_cells = _kernel_cells(kt, _ZoneSpans(zi))
    pcp_end = tuple({"node": z.nid, "zone": z.name, "cpu": p.cpu, "count": pcp.count,
                     "high": pcp.high} for z, p, _, pcp in _pagesets(m, zi, cpu_of))
    return ReplayResult(directory, kname, _total(kern_cells), _total(model.cells),
                        _per_pcp(kern_cells, model.cells, zi),
                        tuple(_start_assumptions(m, kname, pcp_assumption)),
                        tuple(_notes(m, kt, model) + _after_notes(proc, pcp_end)), pcp_end)


def _after_notes(proc, pcp_end):
    """The model's pcp count and high after the replay beside zoneinfo.after's, if read."""
    path = os.path.join(proc, ZONEINFO_AFTER)
    if not os.path.isfile(path):
        return []
    after = {(z.nid, z.name, p.cpu): p for z in parse_zoneinfo(read_text(path)).zones
             for p in z.pagesets}
    out = []
    for r in pcp_end:
        p = after.get((r["node"], r["zone"], r["cpu"]))
        if p is not None and (p.count or r["count"]):
            out.append("after the trace, cpu %d %s: kernel count %d high %d (%s), model count "
                       "%d high %d" % (r["cpu"], r["zone"], p.count, p.high, ZONEINFO_AFTER,
                                       r["count"], r["high"]))
    return out


def starts_table(directory=FILE_256M, kernel="modern"):
    """The kernel's totals beside the model's from each pcp start (PCP_STARTS), as text.

    For a chapter cell: ``print(tracereplay.starts_table())`` replays the shipped trace once
    per start (about a second each) and prints one row per side, with the model's difference
    to the kernel; "snapshot" is left out where the model runs another kernel family than
    the trace's.  The assumptions of each start are in replay_trace_dir(...).table().
    """
    w = max(len(k) for k in COUNT_KEYS)
    out = ["%-18s" % "" + "".join(" %*s" % (w, k) for k in COUNT_KEYS)]
    kern = None
    for start in PCP_STARTS:
        try:
            r = replay_trace_dir(directory, kernel=kernel, pcp_start=start)
        except BadParameterError:
            continue
        if kern is None:
            kern = r.kernel
            out.append("%-18s" % "kernel" + "".join(" %*d" % (w, kern[k]) for k in COUNT_KEYS))
        out.append("%-18s" % ("model, %s" % start)
                   + "".join(" %*d" % (w, r.model[k]) for k in COUNT_KEYS))
        out.append("%-18s" % "" + "".join(" %*s" % (w, _diff(kern[k], r.model[k]))
                                          for k in COUNT_KEYS))
    return "\n".join(out) + "\n"


def model_cpus(zoneinfo):
    """{kernel CPU id: model CPU}: the online CPUs, in the order zoneinfo's pagesets list them.

    Machine.from_host() gives the model one CPU per pageset (host.read_host()), numbered from
    0 in that order, so a machine whose online CPUs are 0, 2, 3 has model CPUs 0, 1, 2.
    """
    for z in zoneinfo.zones:
        if z.pagesets:
            return {p.cpu: i for i, p in enumerate(z.pagesets)}
    return {0: 0}


def _cell(cells, nid_zone, cpu):
    key = (nid_zone, cpu)
    if key not in cells:
        cells[key] = new_counts()
    return cells[key]


def _kernel_cells(kt, where):
    """The kernel's counts per ((nid, zone) or None, cpu), from the events it printed."""
    cells = {}
    for e in kt.events:
        if e.name in COUNTED_EVENTS:
            f = e.fields
            tally(_cell(cells, where(f["pfn"]) if f["pfn"] >= 0 else None, e.cpu), e.name,
                  f.get("order", f.get("alloc_order", 0)), f.get("percpu_refill", 0))
    return cells


class _ModelSide:
    """The model's half of a replay: the request stream fed to it, its events counted.

    Holds the map kernel head pfn -> (model head pfn, order) and what had to be left out.
    """

    def __init__(self, m, cpu_of):
        self.m, self.cpu_of = m, cpu_of
        self.trace = m.start_trace(kinds=list(COUNTED_EVENTS))
        self.cells = {}
        self.pfn_map = {}
        self.stats = dict(allocs=0, frees=0, failed=0, model_failed=0, unknown_frees=0,
                          order_mismatch=0, mt_mismatch=0, reused=0)
        self.dropped = {}                        # GFP name -> masks it was left out of
        self.decay = m.refresh_cpu_vm_stats if m.kernel.pcp_high_decays else None
        self.next_tick = None
        g = m.kernel.gfp
        self.migratetype_of = getattr(g, "gfpflags_to_migratetype", None) \
            or getattr(g, "gfp_migratetype", None)

    def _call(self, cpu, fn, *args):
        """fn(*args) on the model; its counted events are filed under `cpu`, the kernel's
        CPU id (as the kernel's own events are)."""
        events = self.trace.events
        n0 = len(events)
        out = fn(*args)
        for ev in events[n0:]:
            f = ev.as_dict()
            z = self.m.page_zone(f["pfn"]) if f["pfn"] >= 0 else None
            tally(_cell(self.cells, None if z is None else (z.nid, z.name), cpu), ev.name,
                  f["order"] if "order" in f else f["alloc_order"], f.get("percpu_refill", 0))
        if len(events) > TRACE_CHUNK:            # filed: a long replay keeps memory flat
            self.m.stop_trace()
            self.trace = self.m.start_trace(kinds=list(COUNTED_EVENTS))
        return out

    def tick(self, timestamp):
        """The assumed vmstat worker: every CPU at each whole second of the trace clock."""
        if self.decay is None:
            return
        if self.next_tick is None:
            self.next_tick = int(timestamp) + 1
        while timestamp >= self.next_tick:
            for kernel_cpu, cpu in self.cpu_of.items():
                self._call(kernel_cpu, self.decay, cpu)
            self.next_tick += 1

    def alloc(self, e):
        """alloc_pages() of a kernel mm_page_alloc, with its GFP names in the model's bits."""
        st = self.stats
        if e["pfn"] < 0:
            st["failed"] += 1
            return
        gfp, lost_bits = gfp_mask_for(self.m.kernel, e.gfp_names)
        for n in lost_bits:
            self.dropped[n] = self.dropped.get(n, 0) + 1
        if self.migratetype_of is not None and self.migratetype_of(gfp) != e["migratetype"]:
            st["mt_mismatch"] += 1
        page = self._call(e.cpu, self.m.alloc_pages, gfp, e["order"], self.cpu_of[e.cpu])
        st["allocs"] += 1
        if page is None:
            st["model_failed"] += 1
            self.pfn_map.pop(e["pfn"], None)
            return
        if e["pfn"] in self.pfn_map:
            st["reused"] += 1        # a free the trace did not show: the old block stays
        self.pfn_map[e["pfn"]] = (page.pfn, e["order"])

    def free(self, e):
        """free_pages() of the model's block for a kernel mm_page_free's pfn, if it has one."""
        got = self.pfn_map.pop(e["pfn"], None)
        if got is None:
            self.stats["unknown_frees"] += 1
            return
        model_pfn, order = got
        if order != e["order"]:
            self.stats["order_mismatch"] += 1
        self._call(e.cpu, self.m.free_pages, Page(model_pfn), order, self.cpu_of[e.cpu])
        self.stats["frees"] += 1


def _total(cells):
    out = new_counts()
    for c in cells.values():
        for k in COUNT_KEYS:
            out[k] += c[k]
    return out


def _per_pcp(kern_cells, model_cells, zi):
    order = {(z.nid, z.name): i for i, z in enumerate(zi.zones)}
    keys = sorted(set(kern_cells) | set(model_cells),
                  key=lambda k: (order.get(k[0], len(order)), k[1]))
    rows = []
    for nid_zone, cpu in keys:
        nid, zone = nid_zone if nid_zone is not None else (-1, "(no page)")
        rows.append({"node": nid, "zone": zone, "cpu": cpu,
                     "kernel": kern_cells.get((nid_zone, cpu), new_counts()),
                     "model": model_cells.get((nid_zone, cpu), new_counts())})
    return rows


def _notes(m, kt, model):
    stats, dropped, pfn_map = model.stats, model.dropped, model.pfn_map
    c = kt.counts()
    out = ["trace %s (%s): %s; %d other lines skipped"
           % (kt.source, ", ".join(kt.formats) or "empty",
              ", ".join("%d %s" % (n, k) for k, n in c.items()), kt.skipped)]
    printed = [f for f in kt.formats if f in ("4.x", "6.x")]
    if not _same_family(m, kt):
        out.append("the trace was printed by a %s kernel and the model runs %s: the counts "
                   "show what %s does with the same requests" % (printed[0], m.kernel.version,
                                                               m.kernel.version))
    if kt.lost:
        out.append("ftrace lost %d events (its buffer overflowed): the kernel's counts are short"
                   % kt.lost)
    out.append("replayed %d allocations and %d frees; %d frees of pages allocated before the "
               "trace started were skipped; %d blocks the trace never freed stay allocated"
               % (stats["allocs"], stats["frees"], stats["unknown_frees"], len(pfn_map)))
    if stats["failed"]:
        out.append("%d allocations the kernel failed were not replayed" % stats["failed"])
    if stats["model_failed"]:
        out.append("%d allocations the kernel served failed in the model"
                   % stats["model_failed"])
    if stats["reused"]:
        out.append("%d kernel pfns were allocated again without a free in the trace"
                   % stats["reused"])
    if stats["order_mismatch"]:
        out.append("%d frees named another order than their allocation (freed at the "
                   "allocation's order)" % stats["order_mismatch"])
    if stats["mt_mismatch"]:
        out.append("%d allocations printed a migrate type the model's gfp rule does not give "
                   "their mask" % stats["mt_mismatch"])
    for n, k in sorted(dropped.items()):
        out.append("GFP flag %s has no bit in %s: left out of %d masks"
                   % (n, m.kernel.version, k))
    out += ["snapshot: " + n for n in m.host.notes]
    return out
