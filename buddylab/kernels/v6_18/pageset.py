"""v6.18's pageset setup: batch, high_min and high_max of every CPU's pcp of a zone.

Kernel: zone_set_pageset_high_and_batch(), __zone_set_pageset_high_and_batch(),
pageset_update(), zone_pcp_update(), setup_zone_pageset() in mm/page_alloc.c (v6.18).
The numbers come from buddylab/kernels/v6_18/formulas.py (zone_batchsize(),
zone_highsize(), zone_set_pageset_high_and_batch()); this module writes them into the
model's PerCpuPages.

pageset_update() writes batch, high_min and high_max only: pcp->high keeps its value
(0 on a CPU that never used the list: the boot pageset's BOOT_PAGESET_HIGH) and is
clamped into [high_min, high_max] the next time nr_pcp_alloc() or nr_pcp_high() runs.

Simplification, said aloud: the kernel caches the last values in zone->pageset_high_min,
pageset_high_max and pageset_batch and skips the update when nothing changed; writing
the same three numbers again changes nothing, so the model always writes.  The kernel's
setup_per_zone_wmarks() calls zone_pcp_update() for every zone, and for an unpopulated
zone that writes the shared boot pageset, which holds no pages and is never printed;
the model updates populated zones only.
"""

from . import formulas as _f


def zone_pageset_values(zone, fraction, cpu_online=0):
    """(batch, high_min, high_max) of `zone` now, from its managed pages and low watermark.

    Kernel: zone_set_pageset_high_and_batch() in mm/page_alloc.c (v6.18); `fraction` is
    percpu_pagelist_high_fraction, cpumask_of_node() is read from ``zone.vm``.
    """
    vm = zone.vm
    node_cpus = vm.node_cpus[zone.nid] if zone.nid < len(vm.node_cpus) else ()
    nr_online = sum(len(cpus) for cpus in vm.node_cpus) or len(zone.pageset)
    return _f.zone_set_pageset_high_and_batch(
        zone.managed_pages, zone.low_wmark_pages(), len(node_cpus),
        fraction, cpu_online, nr_online)


def pageset_update(pcp, high_min, high_max, batch):
    """pageset_update(): the three bounds of one CPU's pcp (pcp->high is not touched)."""
    pcp.batch = batch
    pcp.high_min = high_min
    pcp.high_max = high_max


def zone_pcp_update(zone, cpu_online=0):
    """zone_pcp_update() -> zone_set_pageset_high_and_batch(): every CPU's pcp of the zone.

    Kernel: zone_pcp_update() and __zone_set_pageset_high_and_batch() in
    mm/page_alloc.c (v6.18): the same (batch, high_min, high_max) on every possible CPU.
    Called by setup_per_zone_wmarks() (boot, min_free_kbytes and watermark_scale_factor
    writes, khugepaged) for populated zones.
    """
    if not zone.populated():
        return
    batch, high_min, high_max = zone_pageset_values(zone, zone.vm.percpu_pagelist_fraction,
                                                    cpu_online)
    for cpu in sorted(zone.pageset):
        pageset_update(zone.pageset[cpu], high_min, high_max, batch)


def pageset_set_high_and_batch(zone, pcp, fraction):
    """The seam's pageset_set_high_and_batch(z, p, fraction) for v6.18: one CPU's bounds.

    Kernel: setup_zone_pageset() -> zone_set_pageset_high_and_batch(zone, 0) at boot and
    percpu_pagelist_high_fraction_sysctl_handler() on a write (mm/page_alloc.c, v6.18).
    `fraction` is the sysctl's value.
    """
    batch, high_min, high_max = zone_pageset_values(zone, fraction)
    pageset_update(pcp, high_min, high_max, batch)
