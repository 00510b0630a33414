"""Reading a host's /proc (and /sys) into the arguments of a Machine.

Kernel: what zoneinfo_show_print() (mm/vmstat.c) prints and the sysctls of
kernel/sysctl.c / mm/page_alloc.c that shape the allocator; see ``buddylab.host`` for the
whole story and the bounds.  This module sits below ``machine``: it reads and checks, and
:func:`build_machine` builds the machine with the class it is handed (``Machine.from_host``
and ``host.machine_from_host`` both come here), so nothing here imports the Machine.
"""

import os
from typing import NamedTuple

from . import mmzone as mz
from .errors import BuddyLabError, LayoutError, ProcParseError
from .procfs import SYSCTL_INTS, SYSCTL_TUPLES, parse_zoneinfo, read_proc, read_text

DEFAULT_RATIO = {"DMA": 256, "DMA32": 256, "Normal": 32, "Movable": 0}   # v4.18, x86_64
RATIO_ZONES = ("DMA", "DMA32", "Normal", "Movable")         # the model's MAX_NR_ZONES entries
HOST_MAX_PFN = mz.MAX_MODEL_PFNS    # the model's bounds (one home: mmzone.py)
NR_CPUS = mz.NR_CPUS
MAX_DISTANCE = mz.MAX_DISTANCE


class HostInfo(NamedTuple):
    """What machine_from_host() read and decided, kept on the Machine as ``m.host``."""
    root: str
    layout: str                 # "4.x" (no promo/high_min lines) or "6.x"
    zoneinfo: object            # the parsed procfs.Zoneinfo
    sysctls: dict               # every sys/vm value read
    nodes: list                 # the layout passed to Machine(nodes=...)
    cpus_per_node: tuple
    managed: dict               # (nid, zone) -> managed pages the model was built with
    notes: tuple                # what was ignored or assumed, in sentences


class CompareRow(NamedTuple):
    """One line of compare_with_host(): zone = (nid, name)."""
    zone: tuple
    field: str
    host: object
    model: object
    equal: bool


# ------------------------------------------------------------------ reading
def _zoneinfo_of(zoneinfo_or_text):
    if isinstance(zoneinfo_or_text, str):
        return parse_zoneinfo(zoneinfo_or_text)
    return zoneinfo_or_text


def _layout_of(zi):
    for z in zi.zones:
        if z.promo is not None or any(p.high_min is not None for p in z.pagesets):
            return "6.x"
    return "4.x"


def _node_ids(zi):
    return list(dict.fromkeys(z.nid for z in zi.zones))


def _sysfs_nodes(sysfs, nids):
    """CPU count and distance row of each node from a sysfs tree, or (None, None).

    Kernel: node_read_cpulist() ("%*pbl" of the node's cpumask) and
    node_read_distance() (one node_distance() per online node) in
    drivers/base/node.c, v4.18.  A tree without the node files gives
    (None, None); files that are there but malformed raise ProcParseError
    naming the file and line.
    """
    base = os.path.join(sysfs, "devices", "system", "node")
    cpus, dist = [], []
    for nid in nids:
        paths = [os.path.join(base, "node%d" % nid, name) for name in ("cpulist", "distance")]
        texts = [read_text(path, missing_ok=True) for path in paths]
        if None in texts:
            return None, None
        cpus.append(_parse_cpulist(texts[0], paths[0]))
        dist.append(_parse_distance(texts[1], paths[1]))
        if len(dist[-1]) != len(nids):
            raise ProcParseError("%s: line 1: %d distances for the %d nodes of zoneinfo"
                                 % (paths[1], len(dist[-1]), len(nids)))
    if sum(cpus) > NR_CPUS:
        raise LayoutError("%s: the nodes' cpulists hold %d CPUs, more than NR_CPUS = %d"
                          % (base, sum(cpus), NR_CPUS))
    return cpus, dist


def _one_line(text, path):
    if not text.endswith("\n") or "\n" in text[:-1]:
        raise ProcParseError("%s: line 1: %r: a sysfs file has one line ending in a newline"
                             % (path, text[:100]))
    return text[:-1]


def _sysfs_int(token, path, line, low, high):
    if len(token) > len(str(high)) or not (token.isdigit() and token.isascii()) \
            or str(int(token)) != token or not low <= int(token) <= high:
        raise ProcParseError("%s: line 1: %r: %r is not a number in %d..%d"
                             % (path, line[:100], token[:30], low, high))
    return int(token)


def _parse_cpulist(text, path):
    """The number of CPUs of a cpulist ("0-3,8,10-11\\n"; "\\n" for none), each < NR_CPUS.

    >>> _parse_cpulist("0-3,8,10-11\\n", "cpulist")
    7
    """
    line = _one_line(text, path)
    count, last = 0, -1
    for part in line.split(",") if line else ():
        lo, dash, hi = part.partition("-")
        lo = _sysfs_int(lo, path, line, 0, NR_CPUS - 1)
        hi = _sysfs_int(hi, path, line, 0, NR_CPUS - 1) if dash else lo
        if not last < lo <= hi:
            raise ProcParseError("%s: line 1: %r: %r is not an ascending range after cpu %d"
                                 % (path, line[:100], part[:30], last))
        count += hi - lo + 1
        last = hi
    return count


def _parse_distance(text, path):
    """A node's distance row ("10 20\\n"), each in 0..MAX_DISTANCE."""
    line = _one_line(text, path)
    if len(line) > 4 * mz.MAX_NUMNODES:
        raise ProcParseError("%s: line 1: %r...: longer than a row of %d distances"
                             % (path, line[:100], mz.MAX_NUMNODES))
    return [_sysfs_int(token, path, line, 0, MAX_DISTANCE) for token in line.split(" ")]


def host_layout(zi, managed=None, max_pfn=None, zone_names=mz.ZONE_NAMES):
    """The `nodes=` layout of a parsed zoneinfo, and the notes it needed.

    `managed` overrides the managed pages of some zones ({(nid, name): pages}).
    Zones the model does not know (`zone_names`, the kernel's ZONE_NAMES: v4.18 has no
    Device; HighMem in neither) are left out with a note.  `max_pfn` (default
    HOST_MAX_PFN) is the last pfn a zone may end at.
    """
    max_pfn = HOST_MAX_PFN if max_pfn is None else max_pfn
    _check_host(zi)
    managed = managed or {}
    notes = []
    nodes = []
    next_pfn = 0
    for nid in _node_ids(zi):
        node = {}
        for z in zi.zones:
            if z.nid != nid:
                continue
            if z.name not in zone_names:
                if z.present or z.managed:
                    notes.append("node %d zone %s (%d present pages) is not modelled and left out"
                                 % (nid, z.name, z.present))
                else:
                    notes.append("node %d zone %s is empty and not modelled: left out"
                                 % (nid, z.name))
                continue
            if not z.spanned:
                continue
            _check_pfns(zi, z, max_pfn)
            spec = dict(spanned=z.spanned, present=z.present,
                        managed=managed.get((nid, z.name), z.managed))
            start = z.start_pfn
            if start is not None and start >= next_pfn:
                spec["start_pfn"] = start
            elif start is not None:
                notes.append("node %d zone %s starts at pfn %d, inside the zone before it: "
                             "the model places it at pfn %d" % (nid, z.name, start, next_pfn))
                start = next_pfn
            else:
                start = next_pfn
            if not 0 <= spec["managed"] <= spec["present"] <= spec["spanned"]:
                key = "managed" if not 0 <= spec["managed"] <= spec["present"] else "present"
                raise LayoutError("line %d: node %d zone %s: need 0 <= managed <= present <= "
                                  "spanned, got %d, %d, %d"
                                  % (zi.lineno(nid, z.name, key), nid, z.name, spec["managed"],
                                     spec["present"], spec["spanned"]))
            next_pfn = start + z.spanned
            if next_pfn > max_pfn:
                raise LayoutError("line %d: node %d zone %s: pfns %d..%d end beyond pfn %d (%s)"
                                  % (zi.lineno(nid, z.name), nid, z.name, start, next_pfn - 1,
                                     max_pfn, _PFN_BOUND))
            node[z.name] = spec
        nodes.append(node)
    return nodes, notes


_PFN_BOUND = "HOST_MAX_PFN: the model holds at most 64 GiB of 4 KiB pages"


def _check_pfns(zi, z, max_pfn):
    """spanned and start_pfn of zone `z` each in 0..max_pfn (HOST_MAX_PFN)."""
    for key, section, value in (("spanned", "watermark", z.spanned),
                                ("start_pfn:", "tail", z.start_pfn)):
        if value is not None and not 0 <= value <= max_pfn:
            raise LayoutError("line %d: node %d zone %s: %s %d is outside 0..%d (%s)"
                              % (zi.lineno(z.nid, z.name, key, section), z.nid, z.name,
                                 key.rstrip(":"), value, max_pfn, _PFN_BOUND))


def _check_host(zi):
    """Nodes and CPUs within the model's bounds (MAX_NUMNODES, NR_CPUS)."""
    nids = _node_ids(zi)
    if len(nids) > mz.MAX_NUMNODES:
        extra = next(z for z in zi.zones if z.nid == nids[mz.MAX_NUMNODES])
        raise LayoutError("line %d: node %d is node number %d: MAX_NUMNODES is %d"
                          % (zi.lineno(extra.nid, extra.name), extra.nid,
                             mz.MAX_NUMNODES + 1, mz.MAX_NUMNODES))
    for z in zi.zones:
        if len(z.pagesets) > NR_CPUS:
            raise LayoutError("line %d: node %d zone %s has %d pagesets (one per CPU): more "
                              "than NR_CPUS = %d" % (zi.lineno(z.nid, z.name), z.nid, z.name,
                                                     len(z.pagesets), NR_CPUS))


def _read_sysctls(root):
    return read_proc(root, SYSCTL_INTS + SYSCTL_TUPLES)


def _ratio(sysctls, zi, notes, zone_names=RATIO_ZONES, default=None):
    """lowmem_reserve_ratio entries of the model's zones (`zone_names`: v4.18's DMA, DMA32,
    Normal, Movable; v6.18 adds Device), missing ones from `default` (v4.18's table)."""
    default = dict(zip(zone_names, default)) if default is not None else DEFAULT_RATIO
    ratio = sysctls.get("lowmem_reserve_ratio")
    names = [z.name for z in zi.zones if z.nid == zi.zones[0].nid]
    if ratio is None:
        notes.append("no sys/vm/lowmem_reserve_ratio: the defaults %s are used"
                     % " ".join(str(default[n]) for n in zone_names))
        return tuple(default[n] for n in zone_names)
    if len(ratio) != len(names):
        notes.append("lowmem_reserve_ratio has %d entries for %d zones"
                     % (len(ratio), len(names)))
    by_name = dict(zip(names, ratio))
    if len(ratio) > len(zone_names):
        notes.append("lowmem_reserve_ratio %s: the model takes %s (it has no ZONE_DEVICE)"
                     % (" ".join(map(str, ratio)), ", ".join(zone_names)))
    return tuple(by_name.get(n, default[n]) for n in zone_names)


#: the note for a pcp sysctl of the other kernel, by its name
OTHER_PCP_SYSCTL = {
    "percpu_pagelist_high_fraction": "percpu_pagelist_high_fraction = %d is a modern sysctl "
                                     "(pcp high_min/high_max); the classic pcp rule ignores it",
    "percpu_pagelist_fraction": "percpu_pagelist_fraction = %d is a classic sysctl (v4.18's "
                                "pcp high = managed / fraction); the modern pcp rule ignores it",
}


def _version(text):
    """(major, minor) of "v6.18"."""
    major, minor = text.lstrip("v").split(".")[:2]
    return int(major), int(minor)


def _path(path, what):
    """`path` as a str: a str or an os.PathLike giving a str (LayoutError otherwise)."""
    if isinstance(path, (str, os.PathLike)):
        path = os.fspath(path)
        if isinstance(path, str) and "\0" not in path:
            return path
    raise LayoutError("%s must be a directory path (str or pathlib.Path), got %r"
                      % (what, path if isinstance(path, (bytes, type(None))) else type(path)))


def read_host(root="/proc", kernel=None, managed="live", sysfs=None, max_pfn=None,
              recompute=None):
    """Read and check a host tree: (the Machine's keyword arguments, what HostInfo keeps).

    The reading half of host.machine_from_host() (see there for `managed` and `sysfs`);
    `kernel` is the kernel object the machine will run (kernels.select.get_kernel()):
    its zones, lowmem_reserve_ratio table and pcp sysctl decide what is read;
    `max_pfn` bounds the pfns (default HOST_MAX_PFN) and `recompute(zi, min_free_kbytes,
    watermark_scale_factor)` finds the managed pages of the last watermark recompute
    (``host.managed_at_last_recompute``) when `managed` is "recompute".  Raises before
    anything is built.
    """
    if managed not in ("live", "recompute"):
        raise LayoutError("managed must be 'live' or 'recompute', got %r" % (managed,))
    if kernel is None or not hasattr(kernel, "ZONE_NAMES"):
        raise LayoutError("read_host() needs a kernel object (kernels.select.get_kernel()), "
                          "got %r" % (kernel,))
    root = _path(root, "root")
    text_path = os.path.join(root, "zoneinfo")
    text = read_text(text_path, missing_ok=True)
    if text is None:
        raise LayoutError("cannot read %s: missing or unreadable (is %s a /proc directory?)"
                          % (text_path, root))
    try:
        zi = parse_zoneinfo(text)
    except ProcParseError as e:
        raise ProcParseError("%s: %s" % (text_path, e)) from None
    try:
        _check_host(zi)
    except LayoutError as e:
        raise LayoutError("%s: %s" % (text_path, e)) from None
    sysctls = _read_sysctls(root)
    notes = []
    layout = _layout_of(zi)
    override = {}
    mfk = sysctls.get("min_free_kbytes")
    wsf = sysctls.get("watermark_scale_factor", 10)
    if managed == "recompute":
        if mfk is None:
            raise LayoutError("managed='recompute' needs %s"
                              % os.path.join(root, "sys", "vm", "min_free_kbytes"))
        if recompute is None:
            raise LayoutError("managed='recompute' is host.machine_from_host()'s option")
        found = recompute(zi, mfk, wsf)
        if found is None:
            raise LayoutError("%s: no managed pages within reach reproduce the printed "
                              "min/low/high (managed='recompute')" % text_path)
        override = {k: v for k, v in found.items()
                    if v != zi.zone(*k).managed}
        for (nid, name), v in sorted(override.items()):
            notes.append("node %d zone %s: built with managed %d (the last watermark recompute) "
                         "instead of the live %d" % (nid, name, v, zi.zone(nid, name).managed))
    try:
        nodes, layout_notes = host_layout(zi, override, max_pfn, kernel.ZONE_NAMES)
    except LayoutError as e:
        raise LayoutError("%s: %s" % (text_path, e)) from None
    notes += layout_notes
    nids = _node_ids(zi)
    if nids != list(range(len(nids))):
        notes.append("node ids %s are renumbered 0..%d" % (nids, len(nids) - 1))
    # CPUs: every online CPU has a pageset in every populated zone
    cpus = []
    for z in zi.zones:
        if z.pagesets:
            cpus = [p.cpu for p in z.pagesets]
            break
    nr_cpus = max(1, len(cpus))
    distance = None
    if len(nids) == 1:
        cpus_per_node = (nr_cpus,)
    else:
        sysfs = _path(sysfs, "sysfs") if sysfs is not None else os.path.join(
            os.path.dirname(os.path.abspath(root)), "sys")
        counts, dist = _sysfs_nodes(sysfs, nids)
        if counts is None:
            base, extra = divmod(nr_cpus, len(nids))
            counts = [base + (i < extra) for i in range(len(nids))]
            notes.append("no sysfs node tree at %s: %d CPUs split evenly over %d nodes, "
                         "distances 10/20" % (sysfs, nr_cpus, len(nids)))
        else:
            distance = dist
        cpus_per_node = tuple(counts)
    if mfk is None:
        notes.append("no sys/vm/min_free_kbytes: the model's boot default is used")
    ratio = _ratio(sysctls, zi, notes, kernel.ZONE_NAMES, kernel.DEFAULT_LOWMEM_RESERVE_RATIO)
    sysctl = kernel.pcp_fraction_sysctl          # this kernel's pcp sysctl
    fraction = sysctls.get(sysctl, 0)
    for other, note in OTHER_PCP_SYSCTL.items():
        if other != sysctl and other in sysctls:
            notes.append(note % sysctls[other])
    if sysctls.get("watermark_boost_factor") and _version(kernel.version) < (5, 0):
        notes.append("watermark_boost_factor = %d: watermark boosting (5.0+) is not modelled"
                     % sysctls["watermark_boost_factor"])
    kwargs = dict(nodes=nodes, cpus_per_node=cpus_per_node, kernel=kernel.name,
                  distance=distance, min_free_kbytes=mfk, watermark_scale_factor=wsf,
                  lowmem_reserve_ratio=ratio, **{sysctl: fraction})
    info = dict(root=root, layout=layout, zoneinfo=zi, sysctls=dict(sysctls), nodes=nodes,
                cpus_per_node=cpus_per_node, notes=tuple(notes))
    return kwargs, info


def build_machine(machine_class, reading):
    """The machine of a read_host() reading, built with `machine_class`; ``m.host`` set.

    A Machine refusing the layout raises the same error, prefixed with the host's root.
    """
    kwargs, info = reading
    try:
        m = machine_class(**kwargs)
    except BuddyLabError as e:
        raise type(e)("the host at %s: %s" % (info["root"], e)) from None
    used = {(z.nid, z.name): z.managed_pages for z in m.zones if z.spanned_pages}
    if _version(m.kernel.version) >= (5, 0):
        # zone->watermark_boost as zoneinfo printed it (boost_watermark(), 5.0+): state at
        # the moment of the read, which the printed min/low/high/promo include
        notes = list(info["notes"])
        for hz in info["zoneinfo"].zones:
            if hz.boost and hz.nid < m.nr_nodes and hz.name in m.kernel.ZONE_NAMES:
                m.zone(hz.nid, hz.name).watermark_boost = hz.boost
                notes.append("node %d zone %s was boosted by %d pages when read: the model "
                             "takes the boost over" % (hz.nid, hz.name, hz.boost))
        info = dict(info, notes=tuple(notes))
    m.host = HostInfo(managed=used, **info)
    return m
