"""This very machine: a model built from /proc, and held against it.

Kernel: what zoneinfo_show_print() (mm/vmstat.c) prints, the sysctls of
kernel/sysctl.c / mm/page_alloc.c that shape the allocator (min_free_kbytes,
watermark_scale_factor, lowmem_reserve_ratio, percpu_pagelist_fraction or
percpu_pagelist_high_fraction), and set_recommended_min_free_kbytes() in
mm/khugepaged.c.

`machine_from_host(root)` reads a directory laid out like /proc (the live
/proc, or a copied fixture): nodes and zones with spanned/present/managed and
start_pfn from zoneinfo, the online CPUs from the zoneinfo pagesets, the
sysctls from ``sys/vm``.  pagetypeinfo (root-only) and buddyinfo are never
opened.  Files are read with procfs.read_text(): regular files only, at most
8 MiB each.  `compare_with_host(machine, zoneinfo)` lists, for every
populated zone, min/low/high/protection of the host next to the model's.

Bounds, said aloud: the model holds at most `HOST_MAX_PFN` = MAX_MODEL_PFNS = 2**24 pfns
(64 GiB of 4 KiB pages; it keeps about 21 bytes per pfn, so ~350 MB),
`NR_CPUS` = 8192 CPUs (x86_64's largest CONFIG_NR_CPUS, arch/x86/Kconfig,
v4.18) and MAX_NUMNODES = 64 nodes.  A host beyond them, or one whose files
are malformed, raises LayoutError or ProcParseError naming the file and the
line, before any Machine is built.

With ``kernel="modern"`` the machine runs the v6.18 rules (buddylab/kernels/v6_18):
every zone including the empty Movable and Device zones, promo, the 5-entry
protection, each CPU's pcp batch/high_min/high_max; `compare_host(machine)` lists
every value the kernel derives and `live_comparison()` prints it for this machine,
with DRIFT: where a live value can differ from the model.

Simplifications, said aloud: the classic model knows the zones DMA, DMA32, Normal
and Movable (ZONE_DEVICE is left out, with a note; the modern one has it); holes are the
``spanned - present`` pages at the end of a zone and the ``present -
managed`` reserved pages sit at its start (a real machine has them
scattered; watermarks and protection only see the counts); CPUs are
split over nodes by sysfs's cpulist when a ``sys`` tree sits next to
`root`, evenly otherwise.

>>> m = machine_from_host(SNAPSHOT_418)          # the 4.18 machine shipped in buddylab/data
>>> [z.watermark for z in m.zones if z.present_pages]
[[6, 9, 12], [1234, 1999, 2764], [1241, 2011, 2781]]
"""

import os

from . import mmzone as mz
from . import profiles
from . import machine as _machine
from .errors import LayoutError, ProcParseError
from .kernels.select import get_kernel
from .procfs import parse_zoneinfo, read_text
from .hostread import (DEFAULT_RATIO, RATIO_ZONES, HOST_MAX_PFN, NR_CPUS, MAX_DISTANCE,  # noqa: F401
                       HostInfo, CompareRow, host_layout, read_host, build_machine,
                       _zoneinfo_of, _layout_of, _node_ids, _path)

__all__ = ["machine_from_host", "compare_with_host", "compare_host", "live_comparison",
           "drift_notes", "DRIFT", "PCP_DERIVED", "format_comparison", "HostInfo",
           "CompareRow", "khugepaged_min_free_kbytes", "khugepaged_recommendation",
           "nr_free_buffer_pages", "managed_at_last_recompute", "modern_zone_values",
           "compare_modern_with_host", "explain_min_free_kbytes", "host_layout", "proc_root",
           "LIVE_PROC", "SNAPSHOT", "SNAPSHOT_418"]

# The live /proc, and the copy shipped with the package for machines without one (macOS,
# Windows, some JupyterHubs): `cat` of /proc/{zoneinfo,buddyinfo,pagetypeinfo} and the
# allocator's /proc/sys/vm files of this project's 6.18 machine (one node, 2 CPUs).
# SNAPSHOT_418: the 4.18 machine the chapters compare against (6 GiB, written from the v4.18
# formulas; the same files as tests/fixtures/proc_418), shipped so they run from an installed
# package.
LIVE_PROC = "/proc"
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SNAPSHOT = os.path.join(DATA_DIR, "proc_618")
SNAPSHOT_418 = os.path.join(DATA_DIR, "proc_418")


def proc_root(*names, root=None):
    """The directory to read /proc files from, printing which: `root` (default: the live
    /proc) when every one of `names` (default: zoneinfo) is readable there, else the snapshot
    shipped with buddylab.

    Chapters call it before every /proc read, so each of them runs top to bottom on a
    machine without /proc and says it shows the snapshot.  pagetypeinfo is root-only
    (0400) since 2019 and falls back on its own when asked for alone.

    >>> root = proc_root("buddyinfo", root="/no/such/dir")     # doctest: +ELLIPSIS
    /no/such/dir/buddyinfo is not readable here: showing the snapshot shipped with buddylab ...
    >>> root == SNAPSHOT
    True
    """
    root = LIVE_PROC if root is None else _path(root, "root")
    for name in names or ("zoneinfo",):
        path = os.path.join(root, name)
        if not (os.path.isfile(path) and os.access(path, os.R_OK)):
            print("%s is not readable here: showing the snapshot shipped with buddylab "
                  "(%s, a 6.18 machine with one node and 2 CPUs), not this machine"
                  % (path, SNAPSHOT))
            return SNAPSHOT
    print("reading %s: this machine" % root)
    return root


# the kernel whose formulas made the numbers of a zoneinfo of each layout
LAYOUT_KERNEL = {"4.x": "classic", "6.x": "modern"}



def machine_from_host(root="/proc", kernel="classic", managed="live", sysfs=None):
    """A Machine with this host's nodes, zones, CPUs and allocator sysctls.

    Kernel: the inputs of __setup_per_zone_wmarks(),
    setup_per_zone_lowmem_reserve() and the pageset setup, read back from
    /proc/zoneinfo and /proc/sys/vm.  With them the model prints the live
    kernel's min/low/high and protection for every populated zone.

    `managed` is "live" (the managed pages zoneinfo prints now) or
    "recompute" (the managed pages the kernel used at its last watermark
    recompute, recovered from the printed watermarks by
    managed_at_last_recompute(): adjust_managed_page_count() in mm/page_alloc.c,
    v4.18, changes managed_pages without recomputing the watermarks).  `sysfs`
    (default: ``sys`` beside `root`, i.e. /sys for /proc) gives the CPUs and
    distances of a NUMA machine.  The Machine gets a ``host`` attribute
    (HostInfo) with what was read and every assumption made.
    """
    return build_machine(_machine.Machine,
                         read_host(root, get_kernel(kernel), managed, sysfs,
                                   max_pfn=HOST_MAX_PFN, recompute=managed_at_last_recompute))


# ---------------------------------------------------------------- comparing
def _host_zone_order(zi, nid):
    return [z.name for z in zi.zones if z.nid == nid]


def compare_with_host(machine, zoneinfo, populated_only=True, pcp_fields=()):
    """Rows (zone, field, host, model, equal) for the watermarks and protection.

    Kernel: the values of /proc/zoneinfo that __setup_per_zone_wmarks() and
    setup_per_zone_lowmem_reserve() write.  Every populated zone the model
    knows is compared (all zones with ``populated_only=False``; an empty
    Movable zone then differs on a 6.x host: 32 there, 0 in the classic
    model).  The watermarks are the machine's kernel's (min, low, high; the
    modern kernel adds promo where the host prints it), each as
    wmark_pages() prints it (boost included).  The protection tuple is
    compared entry by entry for the zones the model knows (a 6.x host prints
    a fifth, Device, entry, which only the modern kernel has).  `pcp_fields`
    (e.g. ("batch", "high_min", "high_max")) adds one row per CPU and field,
    field "cpu<N> <name>", the host's N-th pageset against the model's N-th CPU.

    >>> m = machine_from_host(SNAPSHOT)         # the 6.18 machine shipped in buddylab/data
    >>> all(row.equal for row in compare_with_host(m, m.host.zoneinfo))
    True
    """
    zi = _zoneinfo_of(zoneinfo)
    names = machine.kernel.ZONE_NAMES
    rows = []
    for hz in zi.zones:
        if hz.name not in names or hz.nid >= machine.nr_nodes:
            continue
        if populated_only and not hz.populated:
            continue
        z = machine.zone(hz.nid, hz.name)
        for i, field in enumerate(machine.kernel.WMARK_NAMES):
            host = getattr(hz, field, None)
            if host is None:                    # a 4.x host prints no promo line
                continue
            model = z.wmark_pages(i)
            rows.append(CompareRow((hz.nid, hz.name), field, host, model, host == model))
        order = _host_zone_order(zi, hz.nid)
        keep = [(i, name) for i, name in enumerate(order) if name in names]
        host = tuple(hz.protection[i] for i, _ in keep if i < len(hz.protection))
        model = tuple(z.lowmem_reserve[names.index(name)] for i, name in keep
                      if i < len(hz.protection))
        rows.append(CompareRow((hz.nid, hz.name), "protection", host, model, host == model))
        cpus = sorted(z.pageset)
        for hp, cpu in zip(hz.pagesets if z.populated() else (), cpus):
            for field in pcp_fields:
                host, model = getattr(hp, field), getattr(z.pageset[cpu], field)
                rows.append(CompareRow((hz.nid, hz.name), "cpu%d %s" % (hp.cpu, field),
                                       host, model, host == model))
    return rows


def format_comparison(rows, field_width=10):
    """The rows of a comparison as a fixed-width text table."""
    fmt = "%-14s %-" + str(field_width) + "s %-24s %-24s %s"
    out = [fmt % ("zone", "field", "host", "model", "equal")]
    for r in rows:
        zone = "%d %s" % r.zone
        out.append(fmt % (zone, r.field, r.host, r.model, "yes" if r.equal else "NO"))
    return "\n".join(out)


#: the pcp values each kernel derives from the zone (the rest of a pageset line is live
#: state: count, and v6.18's auto-tuned high)
PCP_DERIVED = {"v4.18": ("batch", "high"), "v6.18": ("batch", "high_min", "high_max")}

DRIFT = (
    "Where a live value can drift from the model, although the rules are the kernel's:\n"
    "- managed pages changed since the last recompute: pages handed to or taken from the "
    "buddy allocator after it (freed init memory, a balloon or virtio-mem driver, CMA "
    "activation) change zoneinfo's managed count through adjust_managed_page_count(), which "
    "recomputes nothing; the watermarks, protection and pcp high_min/high_max are recomputed "
    "only at boot, when khugepaged starts, on a write to min_free_kbytes, "
    "watermark_scale_factor, lowmem_reserve_ratio or percpu_pagelist_high_fraction, and on "
    "memory hotplug;\n"
    "- memory hotplug: online_pages()/offline_pages() (mm/memory_hotplug.c) recompute the "
    "watermarks (setup_per_zone_wmarks(), which changes every zone's share of "
    "min_free_kbytes) and the zone's pcp values (zone_pcp_update()); a read taken between "
    "two hotplug events shows one state, the model the other;\n"
    "- a CPU going online or offline re-splits high_min/high_max (zone_pcp_update(zone, 1) "
    "and (zone, 0) in page_alloc_cpu_online()/page_alloc_cpu_dead());\n"
    "- a boosted zone (boost > 0) prints min/low/high/promo raised by its boost until "
    "kswapd's balance_pgdat() takes the boost back; the model takes over the boost the host "
    "printed, so the next read may show another.")


def compare_host(machine, populated_only=False):
    """compare_with_host() of a machine built by machine_from_host(), every value its kernel
    derives: all zones, the watermarks, protection and each CPU's PCP_DERIVED fields."""
    fields = PCP_DERIVED.get(machine.kernel.version, ())
    if machine.host.layout == "6.x" and "high_min" not in fields:
        fields = ("batch",) if "batch" in fields else ()   # a 6.x host's high is auto-tuned
    return compare_with_host(machine, machine.host.zoneinfo, populated_only, fields)


def drift_notes(machine, rows):
    """Sentences on the differing rows: which zones the last-recompute search explains."""
    bad = [r for r in rows if not r.equal]
    if not bad:
        return ["no differences"]
    out = ["%d of %d values differ" % (len(bad), len(rows))]
    found = managed_at_last_recompute(machine.host.zoneinfo, machine.min_free_kbytes,
                                      machine.watermark_scale_factor)
    for (nid, name), then in sorted((found or {}).items()):
        now = machine.host.zoneinfo.zone(nid, name).managed
        if then != now:
            out.append("node %d zone %s: its watermarks were computed when it managed %d pages; "
                       "it manages %d now (managed changed since the last recompute: "
                       "machine_from_host(..., managed='recompute') rebuilds with %d)"
                       % (nid, name, then, now, then))
    if found is None:
        out.append("no managed counts within reach reproduce the printed watermarks: a "
                   "sysctl, CPU or hotplug event since the last recompute (see below)")
    out += _high_max_notes(machine, bad)
    return out


def _high_max_notes(machine, bad):
    """A differing high_max dates the managed count: zone_highsize() (mm/page_alloc.c, v6.18)
    gives managed / 8 / CPUs of the node (above 4 batches), so the printed value bounds the
    managed pages of the last zone_pcp_update()."""
    out, seen = [], set()
    for r in bad:
        if not r.field.endswith(" high_max") or r.zone in seen:
            continue
        seen.add(r.zone)
        nid, name = r.zone
        ncpu = len(machine.nodes[nid].cpus) or machine.nr_cpus
        lo = r.host * 8 * ncpu
        now = machine.zone(nid, name).managed_pages
        if not lo <= now < lo + 8 * ncpu:
            out.append("node %d zone %s: high_max %d was computed from %d..%d managed pages "
                       "(managed / 8 / %d CPUs); it manages %d now: managed changed since "
                       "the last recompute" % (nid, name, r.host, lo, lo + 8 * ncpu - 1,
                                               ncpu, now))
    return out


def live_comparison(root=None, kernel="modern"):
    """Build the model of this machine, compare every derived value, print it; the rows.

    Reads `root` (default: the live /proc, or the snapshot shipped with buddylab where
    /proc cannot be read: proc_root()), builds machine_from_host(root, kernel), prints
    the comparison table of compare_host(), a verdict, and where a live value can drift
    (DRIFT).  The chapters call it on the student's machine.
    """
    root = proc_root() if root is None else _path(root, "root")
    m = machine_from_host(root, kernel=kernel)
    rows = compare_host(m)
    print("kernel %s (%s) against %s: %s zoneinfo, %d node(s), CPUs per node %s, "
          "min_free_kbytes %s" % (m.kernel.name, m.kernel.version, root, m.host.layout,
                                  m.nr_nodes, m.host.cpus_per_node, m.min_free_kbytes))
    print(format_comparison(rows, field_width=14))
    print("\n".join(drift_notes(m, rows)))
    print(DRIFT)
    return rows


def modern_zone_values(machine, percpu_pagelist_high_fraction=0):
    """What a 6.18 kernel would print for the machine's zones, from buddylab.profiles.

    Returns {(nid, name): dict(min, low, high, promo, protection, batch,
    high_min, high_max)}; pcp values only for populated zones.  Zones as the
    model has them (no Device zone): the protection tuples have 4 entries.
    """
    zones = [(z.name, z.managed_pages) for z in machine.zones]
    wm = profiles.setup_per_zone_wmarks(zones, machine.min_free_kbytes,
                                        machine.watermark_scale_factor, "modern")
    out = {}
    for z, w in zip(machine.zones, wm):
        out[(z.nid, z.name)] = dict(zip(("min", "low", "high", "promo"), w))
    for node in machine.nodes:
        prot = profiles.setup_per_zone_lowmem_reserve(
            [(z.name, z.managed_pages) for z in node.node_zones],
            machine.lowmem_reserve_ratio, "modern")
        ncpu = len(node.cpus)
        for z, p in zip(node.node_zones, prot):
            v = out[(z.nid, z.name)]
            v["protection"] = p
            if z.populated():
                v["batch"], v["high_min"], v["high_max"] = \
                    profiles.zone_set_pageset_high_and_batch(
                        z.managed_pages, v["low"], ncpu, percpu_pagelist_high_fraction)
    return out


def compare_modern_with_host(machine, zoneinfo, percpu_pagelist_high_fraction=0):
    """Rows for what the modern rules predict against a 6.x zoneinfo.

    Every zone the model knows, populated or not: min, low, high, promo,
    protection and, per populated zone, the batch, high_min and high_max of
    the first CPU's pageset (the same on every CPU of the zone).
    """
    zi = _zoneinfo_of(zoneinfo)
    values = modern_zone_values(machine, percpu_pagelist_high_fraction)
    rows = []
    for hz in zi.zones:
        key = (hz.nid, hz.name)
        if key not in values:
            continue
        v = values[key]
        for field in ("min", "low", "high", "promo"):
            rows.append(CompareRow(key, field, getattr(hz, field), v[field],
                                   getattr(hz, field) == v[field]))
        order = _host_zone_order(zi, hz.nid)
        keep = [i for i, name in enumerate(order) if name in mz.ZONE_NAMES]
        host = tuple(hz.protection[i] for i in keep)
        model = tuple(v["protection"][mz.ZONE_NAMES.index(order[i])] for i in keep)
        rows.append(CompareRow(key, "protection", host, model, host == model))
        if hz.pagesets and "batch" in v:
            p = hz.pagesets[0]
            for field in ("batch", "high_min", "high_max"):
                rows.append(CompareRow(key, field, getattr(p, field), v[field],
                                       getattr(p, field) == v[field]))
    return rows


# ------------------------------------------------- managed at the last recompute
def managed_at_last_recompute(zoneinfo, min_free_kbytes, watermark_scale_factor=10,
                              max_delta=64):
    """The managed pages each zone had when the kernel last computed watermarks.

    Kernel: __setup_per_zone_wmarks() runs at boot, on a write to
    min_free_kbytes or watermark_scale_factor, on memory hotplug and when
    khugepaged raises min_free_kbytes.  Pages that reach the buddy allocator
    later (freed init memory, a balloon driver, CMA activation) change the
    live managed count without a recompute, so the live count can be a few
    pages off the one the watermarks were made from.

    Searches managed values within `max_delta` pages of the live ones whose
    watermarks (with the global lowmem sum they imply) give exactly the
    printed min/low/high of every populated zone; the candidate closest to
    the live counts wins.  Returns {(nid, name): managed} or None.

    >>> zi = parse_zoneinfo(open(os.path.join(SNAPSHOT, "zoneinfo")).read())
    >>> managed_at_last_recompute(zi, 67584)[(0, "DMA32")]
    772917
    """
    zi = _zoneinfo_of(zoneinfo)
    rules = profiles.formulas(LAYOUT_KERNEL[_layout_of(zi)])
    pages_min = min_free_kbytes >> (mz.PAGE_SHIFT - 10)
    zones = [z for z in zi.zones if z.populated and z.name in mz.ZONE_NAMES + ("HighMem",)]
    if not zones:
        return None
    counted = [i for i, z in enumerate(zones) if rules.counts_in_lowmem_pages(z.name)]
    live_lowmem = sum(zones[i].managed for i in counted)
    wsf = watermark_scale_factor
    order = list(range(len(zones)))         # the zone that failed last is tried first
    for d in range(0, max_delta * len(counted) + 1):
        for lowmem in ((live_lowmem,) if d == 0 else (live_lowmem - d, live_lowmem + d)):
            if lowmem <= 0:
                continue
            choice = [None] * len(zones)
            for k, i in enumerate(order):
                z = zones[i]
                want = (z.min, z.low, z.high)
                choice[i] = [mm for mm in range(max(0, z.managed - max_delta),
                                                z.managed + max_delta + 1)
                             if rules.wmark_values(pages_min, mm, lowmem, wsf,
                                                   z.name)[:3] == want]
                if not choice[i]:
                    order.insert(0, order.pop(k))
                    break
            else:
                pick = _pick_managed(zones, counted, choice, lowmem)
                if pick is not None:
                    return {(z.nid, z.name): v for z, v in zip(zones, pick)}
    return None


def _pick_managed(zones, counted, choice, lowmem):
    """One candidate per zone, nearest the live count, with the counted zones summing to lowmem."""
    if not sum(choice[i][0] for i in counted) <= lowmem <= sum(choice[i][-1] for i in counted):
        return None
    pick = [min(c, key=lambda v, z=z: (abs(v - z.managed), v)) for z, c in zip(zones, choice)]
    need = lowmem - sum(pick[i] for i in counted)
    for i in counted:
        if need == 0:
            break
        cands = [v for v in choice[i] if (v - pick[i]) * need > 0]
        if not cands:
            continue
        target = pick[i] + need
        best = min(cands, key=lambda v: abs(v - target))
        need -= best - pick[i]
        pick[i] = best
    return pick if need == 0 else None


# ----------------------------------------------------------- min_free_kbytes
def nr_free_buffer_pages(machine, nid=0):
    """nr_free_buffer_pages(): managed - high over the zones GFP_USER may use.

    Kernel: nr_free_zone_pages(gfp_zone(GFP_USER)) in mm/page_alloc.c: walks
    the local node's GFP_KERNEL zonelist (every node's zones up to Normal)
    and sums managed - high_wmark where managed > high.
    """
    return profiles.nr_free_buffer_pages(
        (z.idx, z.managed_pages, z.high_wmark_pages())
        for z in machine.nodes[nid].node_zonelists[mz.ZONELIST_FALLBACK])


def khugepaged_recommendation(machine, kernel="classic"):
    """The steps of set_recommended_min_free_kbytes(), as a dict.

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c.  Per
    populated zone: 2 free pageblocks "to assist fragmentation avoidance"
    plus MIGRATE_PCPTYPES^2 = 9 blocks so each of the 3 mobility types has a
    block to fall back to and one to spare: 11 blocks.  Capped at 5 % of
    nr_free_buffer_pages().  v4.18 counts every populated zone
    (for_each_populated_zone); later kernels skip zones above Normal
    (a populated Movable zone), so `kernel="modern"` does.  The two agree
    unless a Movable zone is populated.
    """
    zone_ok = profiles.formulas(kernel).khugepaged_zone_ok
    nr_zones = sum(1 for z in machine.zones if z.populated() and zone_ok(z.idx))
    return profiles.recommended_min_steps(machine.pageblock_nr_pages, nr_zones,
                                          nr_free_buffer_pages(machine))


def khugepaged_min_free_kbytes(machine, kernel="classic"):
    """The min_free_kbytes khugepaged recommends for this machine, in kB.

    Kernel: set_recommended_min_free_kbytes() in mm/khugepaged.c (both
    kernels): pageblock_nr_pages * nr_zones * (2 + 3 * 3), at most 5 % of
    lowmem; it replaces min_free_kbytes when larger.  On a one-node box with
    DMA, DMA32 and Normal populated: 512 * 3 * 11 = 16 896 pages = 67 584 kB,
    the familiar value.

    >>> from buddylab import Machine
    >>> m = Machine(nodes=[{"DMA": 4095, "DMA32": 200000, "Normal": 300000}], cpus_per_node=1)
    >>> khugepaged_min_free_kbytes(m)
    67584
    """
    return khugepaged_recommendation(machine, kernel)["kbytes"]


def explain_min_free_kbytes(machine, host_value=None, kernel="classic"):
    """One sentence: which rule gives the host's min_free_kbytes.

    The square-root default (int_sqrt(lowmem_kbytes * 16), clamped), the
    khugepaged recommendation, or a value someone wrote to the sysctl.
    """
    if host_value is None:
        host_value = machine.min_free_kbytes
    sqrt_rule = profiles.calculate_min_free_kbytes(machine.kernel.lowmem_kbytes(machine.zones), kernel)
    thp = khugepaged_min_free_kbytes(machine, kernel)
    if host_value == thp and thp > sqrt_rule:
        why = "khugepaged's recommendation (THP is on): it beats the square-root rule"
    elif host_value == sqrt_rule:
        why = "the square-root rule (THP off, or its recommendation is lower)"
    else:
        why = "neither rule: written by hand, or made with other managed counts at boot"
    return ("min_free_kbytes = %d kB: %s (square-root rule %d kB, khugepaged %d kB)"
            % (host_value, why, sqrt_rule, thp))
