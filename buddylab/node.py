"""pglist_data and zonelists: which zones a request may use, in which order.

Kernel: struct pglist_data, struct zonelist (include/linux/mmzone.h);
build_zonelists(), find_next_best_node(), build_zonerefs_node(),
build_thisnode_zonelists(), __build_all_zonelists() in mm/page_alloc.c (v4.18,
CONFIG_NUMA).
"""

from . import mmzone as mz


class PglistData:
    """One node: its zones in zone order, its CPUs and its two zonelists.

    ``node_zonelists[ZONELIST_FALLBACK]`` and ``[ZONELIST_NOFALLBACK]`` are lists
    of zones (the `_zonerefs`, terminator omitted); `zonerefs()` adds the
    `{NULL, 0}` terminator as the kernel stores it.
    """

    def __init__(self, node_id, zones, cpus):
        self.node_id = node_id
        self.node_zones = zones
        self.cpus = tuple(cpus)
        self.node_zonelists = [[], []]
        self.node_order = ()       # the nodes of the FALLBACK zonelist (build_all_zonelists())
        self.node_start_pfn = zones[0].zone_start_pfn
        self.node_spanned_pages = sum(z.spanned_pages for z in zones)
        self.node_present_pages = sum(z.present_pages for z in zones)
        # kswapd's fields (mm/vmscan.c, v4.18): the largest order and zone index asked of it
        # since it last ran (MAX_NR_ZONES: none), and its runs in a row that reclaimed nothing
        self.kswapd_order = 0
        self.kswapd_classzone_idx = mz.MAX_NR_ZONES
        self.kswapd_failures = 0

    def first_cpu(self):
        """The node's first CPU, where its kswapd and kcompactd run (CPU 0 on a node without
        CPUs: cpumask_of_node() is empty and the kthread may run anywhere)."""
        return self.cpus[0] if self.cpus else 0

    def node_unreclaimable(self):
        """kswapd gave up on the node: kswapd_failures >= MAX_RECLAIM_RETRIES.

        Kernel: zoneinfo_show_print() in mm/vmstat.c, prepare_kswapd_sleep() and
        wakeup_kswapd() in mm/vmscan.c (v4.18).
        """
        return self.kswapd_failures >= mz.MAX_RECLAIM_RETRIES

    @property
    def nr_zones(self):
        """1 + the index of the highest populated zone."""
        n = 0
        for z in self.node_zones:
            if z.populated():
                n = z.idx + 1
        return n

    def has_memory(self):
        """node_state(N_MEMORY)."""
        return self.node_present_pages > 0

    def zonerefs(self, which=mz.ZONELIST_FALLBACK):
        """_zonerefs as (zone, zone_idx) pairs, with the (None, 0) terminator."""
        return [(z, z.idx) for z in self.node_zonelists[which]] + [(None, 0)]


def build_zonerefs_node(pgdat, zone_ok=None):
    """build_zonerefs_node(): the node's zones that pass the kernel's test, highest first.

    `zone_ok` is the kernel's test (``kernel.zonerefs_zone_ok``: managed_zone() in v4.18);
    None means managed_zone().
    """
    if zone_ok is None:
        return [z for z in reversed(pgdat.node_zones) if z.managed()]
    return [z for z in reversed(pgdat.node_zones) if zone_ok(z)]


def find_next_best_node(node, used, nodes, distance, node_load, nr_online_nodes,
                        nodes_with_cpus=frozenset(), accumulate=False):
    """find_next_best_node(): the nearest unused node with memory, or -1.

    Kernel: find_next_best_node() in mm/page_alloc.c (v4.18).  The local node
    comes first.  Otherwise val = distance, +1 for nodes below `node` ("prefer
    the next node"), +PENALTY_FOR_NODE_WITH_CPUS for nodes whose cpumask is
    not empty (`nodes_with_cpus`), then val * (MAX_NODE_LOAD * MAX_NUMNODES)
    + node_load[n]; the smallest val wins (the first one on ties).
    MAX_NODE_LOAD is nr_online_nodes.  At boot on x86_64 every node's
    cpumask is still empty (see build_all_zonelists()).  With `accumulate`
    (v6.18, whose node_load[] only grows by one) the multiplier is MAX_NUMNODES
    alone: find_next_best_node() in mm/page_alloc.c, v6.18.
    """
    if node not in used:
        used.add(node)
        return node
    min_val = None
    best_node = -1
    for n, pgdat in enumerate(nodes):
        if not pgdat.has_memory() or n in used:
            continue
        val = distance[node][n]
        val += int(n < node)
        if n in nodes_with_cpus:
            val += mz.PENALTY_FOR_NODE_WITH_CPUS
        val *= mz.MAX_NUMNODES if accumulate else nr_online_nodes * mz.MAX_NUMNODES
        val += node_load[n]
        if min_val is None or val < min_val:
            min_val = val
            best_node = n
    if best_node >= 0:
        used.add(best_node)
    return best_node


def build_all_zonelists(nodes, distance, nodes_with_cpus=frozenset(), zone_ok=None,
                        accumulate=False):
    """__build_all_zonelists(): every node's FALLBACK and NOFALLBACK zonelist.

    Kernel: __build_all_zonelists() and build_zonelists() in mm/page_alloc.c
    (v4.18).  node_load[] is zeroed once for all nodes and shared between
    them; the first node of each new distance group gets node_load = load,
    where load starts at nr_online_nodes and drops by one per node placed
    (assigned, not added).  `nodes_with_cpus` are the nodes whose cpumask
    (cpumask_of_node()) is not empty when the lists are built: none at boot
    on x86_64 (start_kernel() builds them before numa_add_cpu() runs), every
    node with CPUs on a later rebuild (memory hotplug, online_pages()).
    `zone_ok` is the kernel's test of a zone (see build_zonerefs_node()).  With `accumulate`
    (``kernel.node_load_accumulates``) the first node of each new distance group gets
    node_load += 1 instead: build_zonelists() in mm/page_alloc.c, v6.18 (since v5.16).
    Returns the node orders, for teaching.
    """
    nr_online_nodes = len(nodes)
    node_load = [0] * len(nodes)
    orders = []
    for pgdat in nodes:
        local_node = pgdat.node_id
        load = nr_online_nodes
        prev_node = local_node
        used = set()
        node_order = []
        while True:
            node = find_next_best_node(local_node, used, nodes, distance, node_load,
                                       nr_online_nodes, nodes_with_cpus, accumulate)
            if node < 0:
                break
            if distance[local_node][node] != distance[local_node][prev_node]:
                node_load[node] = node_load[node] + 1 if accumulate else load
            node_order.append(node)
            prev_node = node
            load -= 1
        fallback = []
        for node in node_order:
            fallback.extend(build_zonerefs_node(nodes[node], zone_ok))
        pgdat.node_zonelists[mz.ZONELIST_FALLBACK] = fallback
        pgdat.node_zonelists[mz.ZONELIST_NOFALLBACK] = build_zonerefs_node(pgdat, zone_ok)
        pgdat.node_order = tuple(node_order)
        orders.append(tuple(node_order))
    return orders


def first_zones_zonelist(zonelist, highest_zoneidx):
    """first_zones_zonelist(): index of the first zoneref with zone_idx <= highest.

    Returns len(zonelist) (the terminator) when none qualifies.
    """
    for i, z in enumerate(zonelist):
        if z.idx <= highest_zoneidx:
            return i
    return len(zonelist)
