"""buddylab/node.py: zonelists, find_next_best_node and node_load, worked by hand."""
import buddylab as bl


def four_nodes():
    dist = [[10 if i == j else 20 for j in range(4)] for i in range(4)]
    return bl.Machine(nodes=[{"DMA": 1024, "Normal": 1024}, {"Normal": 1024},
                             {"Normal": 1024}, {"Normal": 1024}],
                      cpus_per_node=1, distance=dist, max_order=8, pageblock_order=5)


def test_node_load_round_robin():
    """Equal distances: node_load rotates the second node (0:1230? no: 0123, 1230, 2301, 3012)."""
    m = four_nodes()
    assert [list(o) for o in m.node_orders] == [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2]]


def test_zonelist_fallback_and_thisnode():
    """FALLBACK: local zones highest first, then other nodes; NOFALLBACK: local only."""
    m = four_nodes()
    assert m.zonelist(0, bl.GFP_KERNEL) == [(0, "Normal"), (0, "DMA"), (1, "Normal"),
                                            (2, "Normal"), (3, "Normal")]
    assert m.zonelist(1, bl.GFP_KERNEL) == [(1, "Normal"), (2, "Normal"), (3, "Normal"),
                                            (0, "Normal"), (0, "DMA")]
    assert m.zonelist(1, bl.GFP_KERNEL | bl.__GFP_THISNODE) == [(1, "Normal")]


def test_distance_groups_and_prefer_next_node():
    """A nearer node wins; among equals, nodes above the local one win (+1 below)."""
    dist = [[10, 20, 30, 20], [20, 10, 20, 30], [30, 20, 10, 20], [20, 30, 20, 10]]
    m = bl.Machine(nodes=[{"Normal": 512}] * 4, cpus_per_node=0 if False else 1, distance=dist,
                   max_order=6, pageblock_order=3)
    # node 0: 1 and 3 at 20 (1 wins: first, equal val), then 3, then 2 at 30
    # node 2: 1 (21+... n<2 -> +1) vs 3 (no +1): 3 wins; node_load from earlier nodes matters:
    orders = [list(o) for o in m.node_orders]
    assert orders[0] == [0, 1, 3, 2]
    assert orders[0][0] == 0 and orders[1][0] == 1
    assert sorted(orders[2]) == [0, 1, 2, 3] and orders[2][-1] == 0


def test_memoryless_zone_skipped_in_zonelist():
    """build_zonerefs_node() lists managed zones only."""
    m = bl.Machine(nodes=[{"DMA": 64, "DMA32": 0, "Normal": 64}], max_order=4, pageblock_order=2)
    assert m.zonelist(0, bl.GFP_KERNEL) == [(0, "Normal"), (0, "DMA")]


def test_boot_zonelists_without_the_cpu_penalty_rebuild_with_it():
    """At boot no node has CPUs in its cpumask yet, so PENALTY_FOR_NODE_WITH_CPUS adds nothing;
    a later rebuild (memory hotplug's build_all_zonelists()) sees the CPUs.

    mm/page_alloc.c, find_next_best_node(), v4.18: ``tmp = cpumask_of_node(n); if
    (!cpumask_empty(tmp)) val += PENALTY_FOR_NODE_WITH_CPUS;``.  init/main.c, start_kernel(),
    v4.18 calls build_all_zonelists(NULL) long before x86's numa_add_cpu() (arch/x86/mm/numa.c,
    from identify_cpu() for the boot CPU in check_bugs() and for the others in smp_init()) puts
    a CPU in its node's mask; mm/memory_hotplug.c, online_pages(), v4.18 rebuilds them.
    By hand, 3 nodes at distance 20, node 2 without CPUs, MAX_NODE_LOAD = 3:
    boot, node 0: 1 and 2 both 20*192 -> 1 (first); node_load[1] = 2.  node 1: 0 is
    (20+1)*192, 2 is 20*192 -> 2, node_load[2] = 2, then 0.  node 2: 0 (21*192 + 0) beats 1
    (21*192 + 2) -> 0, then 1.  Rebuild, node 0: 1 is (20+1)*192, 2 is 20*192 -> 2 first.
    """
    m = bl.Machine(nodes=[{"Normal": 4096}] * 3, cpus_per_node=(1, 1, 0), min_free_kbytes=0)
    assert m.node_orders == [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
    assert m.zonelist(0, bl.GFP_KERNEL) == [(0, "Normal"), (1, "Normal"), (2, "Normal")]
    m.build_all_zonelists()
    assert m.node_orders == [(0, 2, 1), (1, 2, 0), (2, 0, 1)]
    assert m.zonelist(0, bl.GFP_KERNEL) == [(0, "Normal"), (2, "Normal"), (1, "Normal")]
    m.check()
