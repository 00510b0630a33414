"""zonelist: the zones an allocation walks, for a node and a GFP mask on a NUMA machine.

Kernel: gfp_zone(), build_all_zonelists(), build_zonelists(),
find_next_best_node(), build_zonerefs_node(), prepare_alloc_pages() and
for_each_zone_zonelist_nodemask() (mm/page_alloc.c, include/linux/gfp.h,
include/linux/mmzone.h, v4.18 and v6.18); the model builds and walks them.  The masks take
the running kernel's bit values (m.kernel.gfp), and the text names its node_load rule:
v4.18 assigns a falling load to the first node of each distance group, v6.18 adds one
(build_zonelists() in mm/page_alloc.c, v6.18).

>>> from buddylab.problems import problem
>>> p = problem("zonelist", seed=0)
>>> p.fields()[0]
('highest_zone', 'one of: DMA, DMA32, Normal, Movable')
>>> p.check({"highest_zone": "Normal", "walk": ["0:DMA"]}).score < 1
True
"""

from .. import mmzone as mz
from ._base import Problem, Param, Worked, choice, zone_list
from ._ops import named_mask

__all__ = ["ZonelistProblem"]

#: the masks asked about, by name; their values come from the running kernel (named_mask())
MASKS = ("GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_DMA32", "GFP_DMA", "GFP_USER",
         "GFP_KERNEL|__GFP_THISNODE", "GFP_HIGHUSER_MOVABLE|__GFP_THISNODE")
DISTANCES = (20, 20, 21, 30, 40)

ZONE_RULE = ("gfp_zone(): the zone modifiers (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM, "
             "__GFP_MOVABLE) "
             "pick the highest zone through GFP_ZONE_TABLE; none gives ZONE_NORMAL, and "
             "__GFP_MOVABLE with __GFP_HIGHMEM (GFP_HIGHUSER_MOVABLE) allows ZONE_MOVABLE")
WALK_RULE = ("build_zonelists(): nodes in find_next_best_node() order (the local node, then the "
             "smallest distance, a node numbered below the local node counting one more; equal "
             "values broken by node_load, then the lower id), each node's populated zones "
             "from the highest down (build_zonerefs_node()); __GFP_THISNODE takes the NOFALLBACK "
             "list (the local node only); the walk skips zones above the highest allowed")
# v6.18: node_load[node] += 1 (build_zonelists(), mm/page_alloc.c, v6.18; since v5.16)
WALK_RULES = {
    "classic": WALK_RULE,
    "modern": ("build_zonelists(): nodes in find_next_best_node() order (the local node, then "
               "the smallest distance, a node numbered below the local node counting one more; "
               "equal values broken by node_load, which grows by one for the first node of each "
               "new distance group in every node's list built so far, then the lower id), each "
               "node's populated zones from the highest down (build_zonerefs_node()); "
               "__GFP_THISNODE takes the NOFALLBACK list (the local node only); the walk skips "
               "zones above the highest allowed"),
}
HINT_LOAD = {
    "classic": ("among equal values node_load (set for the first node of each new distance "
                "group) and then the lower node id decide."),
    "modern": ("among equal values node_load (one more each time a node comes first in a new "
               "distance group, counted over the lists built before, node 0's first) and then "
               "the lower node id decide."),
}


class ZonelistProblem(Problem):
    """A NUMA machine, a node and a GFP mask: which zones does the allocator try, in order?"""

    kind = "zonelist"
    description = "the zones an allocation walks, in order, for a node and a GFP mask (NUMA)"
    PARAMS = (Param("nodes", 3, 2, 6, flag="--nodes", help="number of NUMA nodes"),)

    def layout(self, rng):
        """Zones per node, symmetric distances, the node and mask asked about."""
        n = self.params["nodes"]
        nodes = []
        for nid in range(n):
            zones = {}
            if nid == 0:
                zones["DMA"] = 16
                if rng.random() < 0.7:
                    zones["DMA32"] = 32
            if nid == 0 or rng.random() < 0.85:
                zones["Normal"] = 64
            if nid > 0 and rng.random() < 0.35:
                zones["Movable"] = 32
            nodes.append(zones)
        dist = [[mz.LOCAL_DISTANCE] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                dist[i][j] = dist[j][i] = DISTANCES[int(rng.random() * len(DISTANCES))]
        nid = int(rng.random() * n)
        name = MASKS[int(rng.random() * len(MASKS))]
        return nodes, dist, nid, name

    def _work(self):
        from ..machine import Machine
        nodes, dist, nid, name = self.layout(self.rng())
        m = Machine(nodes=nodes, cpus_per_node=1, max_order=4, pageblock_order=2,
                    distance=dist, min_free_kbytes=0, kernel=self.kernel)
        mask = named_mask(m, name)
        thisnode = mask & named_mask(m, "__GFP_THISNODE")
        ac, _ = m.kernel.prepare_alloc_pages(m, mask, nid)
        walk = ["%d:%s" % (z.nid, z.name) for z in ac.zones()]
        w = Worked()
        w.lines.append("machine: %d nodes, one CPU each" % len(nodes))
        for i, zones in enumerate(nodes):
            w.lines.append("  node %d: %s" % (i, ", ".join(
                "%s %d pages" % (z, zones[z]) for z in mz.ZONE_NAMES if z in zones)))
        w.lines.append("node distances (/sys/devices/system/node/nodeN/distance):")
        w.lines += ["  node %d: %s" % (i, " ".join("%d" % d for d in row))
                    for i, row in enumerate(dist)]
        w.lines.append("request: alloc_pages(%s, 0) on the CPU of node %d" % (name, nid))
        w.lines.append(["  highest zone it may use (gfp_zone()): ",
                        w.ask("highest_zone", choice(*mz.ZONE_NAMES),
                              mz.ZONE_NAMES[ac.high_zoneidx], ZONE_RULE)])
        w.lines.append(["  zones get_page_from_freelist() may try, in order: ",
                        w.ask("walk", zone_list(), walk, WALK_RULES[self.kernel])])
        w.steps = ["gfp_zone(%s) = %d (ZONE_%s)" % (name, ac.high_zoneidx,
                                                    mz.ZONE_NAMES[ac.high_zoneidx].upper()),
                   "node %d's node order (find_next_best_node()): %s"
                   % (nid, list(m.nodes[nid].node_order)),
                   "its %s zonelist: %s" % ("NOFALLBACK" if thisnode else "FALLBACK",
                                            ["%d:%s" % z for z in m.zonelist(nid, mask)]),
                   "without the zones above ZONE_%s: %s" % (
                       mz.ZONE_NAMES[ac.high_zoneidx].upper(), walk)]
        w.hints = [ZONE_RULE + ".",
                   "__GFP_THISNODE selects the NOFALLBACK zonelist: only node %d's own zones."
                   % nid if thisnode else
                   "Without __GFP_THISNODE the FALLBACK zonelist holds every node's zones.",
                   "find_next_best_node(): the local node first, then the nearest, where a node "
                   "numbered below the local node counts one more than its distance (\"prefer "
                   "the next node\"); " + HINT_LOAD[self.kernel],
                   "build_zonerefs_node(): within a node, populated zones from the highest index "
                   "down (Movable, Normal, DMA32, DMA); the walk drops zones above gfp_zone()."]
        return w
