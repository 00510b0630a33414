"""VmGlobals: the allocator's file-scope switches that every zone of a machine reads.

Kernel: mm/page_alloc.c (v4.18) keeps them as globals: ``page_group_by_mobility_disabled``
(set by build_all_zonelists()), the tracepoint static keys of
include/trace/events/kmem.h (whether a trace is recording), the pcp sysctl
(``percpu_pagelist_fraction`` in v4.18, ``percpu_pagelist_high_fraction`` in v6.18) and
the CPU topology ``cpumask_of_node()`` (v6.18's zone_highsize() shares a zone's pcp
limits among the CPUs of its node).  ``tail_placement`` is the lab's
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

    __slots__ = ("trace", "tail_placement", "page_group_by_mobility_disabled",
                 "watermark_boost_factor", "percpu_pagelist_fraction", "node_cpus")

    def __init__(self, tail_placement=True):
        self.trace = None                              # a buddylab.trace.Trace while recording
        self.tail_placement = tail_placement
        self.page_group_by_mobility_disabled = False   # decided at boot by the machine
        self.watermark_boost_factor = 15000            # v6.18 only: vm.watermark_boost_factor
        self.percpu_pagelist_fraction = 0   # the pcp sysctl under its kernel's name; 0 at boot
        self.node_cpus = ()                 # cpumask_of_node(nid): the CPUs of each node
