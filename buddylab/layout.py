"""The layout arguments of a Machine, checked before anything is built.

Kernel: what the firmware tables give a booting kernel (the e820 zones, the SRAT's CPUs and
nodes, the SLIT distances: arch/x86/mm/numa.c, drivers/acpi/numa.c, v4.18), as Machine()'s
`nodes`, `cpus_per_node` and `distance`.  Each function raises LayoutError naming the
problem, and returns plain data the boot (Machine._build) uses.
"""

from . import mmzone as mz
from .checks import _is_int
from .errors import LayoutError

MAX_MODEL_PFNS = mz.MAX_MODEL_PFNS
NR_CPUS = mz.NR_CPUS


def parse_ranges(ranges, where, what, start, end, total, total_name):
    """A zone's holes or reserved list: (start_pfn, end_pfn) int pairs inside the zone,
    disjoint, covering `total` pages in all; returned sorted."""
    if not isinstance(ranges, (list, tuple)):
        raise LayoutError("%s: %s must be a list of (start_pfn, end_pfn), got %r"
                          % (where, what, ranges))
    out = []
    for r in ranges:
        if not isinstance(r, (list, tuple)) or len(r) != 2 or not all(_is_int(v) for v in r) \
                or not start <= r[0] < r[1] <= end:
            raise LayoutError("%s: each of %s must be a (start_pfn, end_pfn) pair of ints with "
                              "%d <= start < end <= %d, got %r" % (where, what, start, end, r))
        out.append(tuple(r))
    out.sort()
    for (a, b), (c, d) in zip(out, out[1:]):
        if c < b:
            raise LayoutError("%s: %s %d-%d and %d-%d overlap" % (where, what, a, b, c, d))
    if sum(b - a for a, b in out) != total:
        raise LayoutError("%s: %s cover %d pages but %s is %d"
                          % (where, what, sum(b - a for a, b in out), total_name, total))
    return out


def parse_layout(nodes, zone_names=mz.ZONE_NAMES, empty_zones=()):
    """The `nodes=` argument of Machine(), checked: per node, per zone in zone order, a dict of
    idx, start, spanned, present, managed, holes and reserved (LayoutError otherwise).

    ``zone_names`` is the running kernel's enum zone_type (its ZONE_NAMES); a zone named in
    ``empty_zones`` (v6.18's Device: ZONE_DEVICE memory never reaches the buddy lists) must
    be left out or given 0 pages."""
    if isinstance(nodes, dict):
        nodes = [nodes]
    if not isinstance(nodes, (list, tuple)):
        raise LayoutError("nodes must be a list of dicts (zone name -> pages), got %r"
                          % (nodes,))
    nodes = list(nodes)
    if not nodes:
        raise LayoutError("a machine needs at least one node")
    if len(nodes) > mz.MAX_NUMNODES:
        raise LayoutError("%d nodes: MAX_NUMNODES is %d" % (len(nodes), mz.MAX_NUMNODES))
    specs = []
    next_pfn = 0
    for nid, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise LayoutError("node %d must be a dict of zone name -> pages, got %r"
                              % (nid, node))
        for name in node:
            if name not in zone_names:
                raise LayoutError("node %d: unknown zone name %r (zones are %s)"
                                  % (nid, name, ", ".join(zone_names)))
            if name in empty_zones and node[name] not in (0, {}):
                raise LayoutError("node %d zone %s: the model gives this zone no pages "
                                  "(ZONE_DEVICE memory is never on the buddy lists)"
                                  % (nid, name))
        zones = []
        for zidx, name in enumerate(zone_names):
            spec = node.get(name, 0)
            if isinstance(spec, dict):
                spec = dict(spec)
                if "spanned" in spec and "pages" in spec:
                    raise LayoutError("node %d zone %s: give spanned or pages (the same "
                                      "number), not both" % (nid, name))
                spanned = spec.pop("spanned", spec.pop("pages", 0))
                present = spec.pop("present", spanned)
                managed = spec.pop("managed", present)
                start = spec.pop("start_pfn", next_pfn)
                holes = spec.pop("holes", None)
                reserved = spec.pop("reserved", None)
                if spec:
                    raise LayoutError("node %d zone %s: unknown keys %s"
                                      % (nid, name, sorted(spec)))
            else:
                spanned = present = managed = spec
                start = next_pfn
                holes = reserved = None
            for label, v in (("pages", spanned), ("present", present), ("managed", managed),
                             ("start_pfn", start)):
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise LayoutError("node %d zone %s: %s must be an int >= 0, got %r"
                                      % (nid, name, label, v))
            if not managed <= present <= spanned:
                raise LayoutError("node %d zone %s: need managed <= present <= spanned, got "
                                  "%d, %d, %d" % (nid, name, managed, present, spanned))
            if start < next_pfn:
                raise LayoutError("node %d zone %s starts at pfn %d, inside the previous zone "
                                  "(which ends at %d)" % (nid, name, start, next_pfn))
            if start + spanned > MAX_MODEL_PFNS:
                raise LayoutError("node %d zone %s ends at pfn %d: the model holds at most "
                                  "MAX_MODEL_PFNS = %d pfns (64 GiB)"
                                  % (nid, name, start + spanned, MAX_MODEL_PFNS))
            where = "node %d zone %s" % (nid, name)
            if holes is None:
                holes = [(start + present, start + spanned)] if present < spanned else []
            holes = parse_ranges(holes, where, "holes", start, start + spanned,
                                  spanned - present, "spanned - present")
            if reserved is None:
                reserved = [(start, start + present - managed)] if managed < present else []
            reserved = parse_ranges(reserved, where, "reserved", start, start + spanned,
                                     present - managed, "present - managed")
            for rs, re_ in reserved:
                for hs, he in holes:
                    if rs < he and hs < re_:
                        raise LayoutError("%s: reserved range %d-%d overlaps hole %d-%d (a "
                                          "hole has no page to reserve)"
                                          % (where, rs, re_, hs, he))
            zones.append(dict(idx=zidx, start=start, spanned=spanned, present=present,
                              managed=managed, holes=holes, reserved=reserved))
            next_pfn = start + spanned
        specs.append(zones)
    if next_pfn == 0:
        raise LayoutError("a machine needs at least one page")
    return specs

def parse_cpus(cpus_per_node, nr_nodes):
    """(node_cpus, cpu_to_node) of Machine()'s `cpus_per_node` (LayoutError if invalid)."""
    if _is_int(cpus_per_node):
        counts = [cpus_per_node] * nr_nodes
    elif isinstance(cpus_per_node, (list, tuple)):
        counts = list(cpus_per_node)
    else:
        counts = None
    if counts is None or len(counts) != nr_nodes \
            or any(not _is_int(c) or c < 0 for c in counts):
        raise LayoutError("cpus_per_node must be an int >= 0 or one per node, got %r"
                          % (cpus_per_node,))
    if sum(counts) == 0:
        raise LayoutError("a machine needs at least one CPU")
    if sum(counts) > NR_CPUS:
        raise LayoutError("%d CPUs: CONFIG_NR_CPUS is at most %d on x86_64"
                          % (sum(counts), NR_CPUS))
    node_cpus, cpu_to_node, cpu = [], [], 0
    for nid, c in enumerate(counts):
        node_cpus.append(tuple(range(cpu, cpu + c)))
        cpu_to_node.extend([nid] * c)
        cpu += c
    return node_cpus, cpu_to_node

def parse_distance(distance, n):
    """node_distance(): the SLIT table, checked as the kernel checks it.

    Kernel: numa_set_distance() in arch/x86/mm/numa.c (v4.18) ignores a table
    whose entries do not fit a u8 or whose local distance is not
    LOCAL_DISTANCE (10); slit_valid() in drivers/acpi/numa.c (v4.18) also
    wants every remote distance > LOCAL_DISTANCE.  The model refuses such a
    table instead of ignoring it.
    """
    if distance is None:
        return [[mz.LOCAL_DISTANCE if i == j else mz.REMOTE_DISTANCE for j in range(n)]
                for i in range(n)]
    if not isinstance(distance, (list, tuple)) \
            or not all(isinstance(r, (list, tuple)) for r in distance):
        raise LayoutError("distance must be a %d x %d matrix (a list of rows), got %r"
                          % (n, n, distance))
    rows = [list(r) for r in distance]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise LayoutError("distance matrix must be %d x %d (one row and column per node)"
                          % (n, n))
    for i, r in enumerate(rows):
        for j, d in enumerate(r):
            if not _is_int(d) or not 0 <= d <= mz.MAX_DISTANCE:
                raise LayoutError("distance[%d][%d] must be an int that fits a byte (0..255), "
                                  "got %r" % (i, j, d))
            if i == j and d != mz.LOCAL_DISTANCE:
                raise LayoutError("distance[%d][%d] is the local distance: it must be "
                                  "LOCAL_DISTANCE (10), got %d" % (i, j, d))
            if i != j and d <= mz.LOCAL_DISTANCE:
                raise LayoutError("distance[%d][%d] is a remote distance: it must be > "
                                  "LOCAL_DISTANCE (10), got %d" % (i, j, d))
    return rows
