"""VmGlobals: the allocator's file-scope switches that every zone of a machine reads.

Kernel: mm/page_alloc.c (v4.18) keeps them as globals: ``page_group_by_mobility_disabled``
(set by build_all_zonelists()), and the tracepoint static keys of
include/trace/events/kmem.h (whether a trace is recording), the pcp fraction sysctl and cpumask_of_node().  ``tail_placement`` is the lab's
switch for __free_one_page()'s "buddy of the parent is free: go to the tail" heuristic.

A Machine owns one VmGlobals and hands it to each Zone it builds (``zone.vm``), so the buddy
and per-cpu code read the switches from the zone they work on, never from the machine.
"""


class VmGlobals:
    """The switches one machine's allocator reads (one object per Machine).

    >>> vm = VmGlobals()
    >>> vm.trace is None, vm.tail_placement, vm.page_group_by_mobility_disabled
    (True, True, False)
    """

    __slots__ = ("trace", "tail_placement", "page_group_by_mobility_disabled", "node_cpus",
                 "percpu_pagelist_fraction")

    def __init__(self, tail_placement=True):
        self.trace = None                              # a buddylab.trace.Trace while recording
        self.tail_placement = tail_placement
        self.page_group_by_mobility_disabled = False   # decided at boot by the machine
        # cpumask_of_node(nid) for every node (the topology map, node_to_cpumask_map[]):
        # v6.18's zone_highsize() splits a zone's pcp high among its node's CPUs
        self.node_cpus = ()
        # the pcp sysctl: v4.18 percpu_pagelist_fraction, v6.18 percpu_pagelist_high_fraction
        self.percpu_pagelist_fraction = 0
