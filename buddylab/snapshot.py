"""Read-only snapshots of a zone, the only view plots, widgets and /proc text use.

Kernel: none (a snapshot is what /proc/zoneinfo, /proc/pagetypeinfo and a
memory-map dump together would show at one instant).

A snapshot is plain, immutable data: taking one never changes the model, and
holding one never sees later changes.  `Machine.snapshot()` returns a
`MachineSnapshot`; `Machine.zone_snapshot(nid, zone_name)` one `ZoneSnapshot`.
"""

from dataclasses import dataclass, field
from typing import Tuple, Dict

from . import mmzone as mz


@dataclass(frozen=True)
class PcpSnapshot:
    """One CPU's per_cpu_pages in one zone (struct per_cpu_pages)."""
    cpu: int
    count: int
    high: int
    batch: int
    lists: Tuple[Tuple[int, ...], ...]     # lists[pindex]: pfns head -> tail (v4.18: pindex = mt)
    high_min: int = 0                      # v6.18's auto-tuning fields (0 in v4.18)
    high_max: int = 0
    alloc_factor: int = 0
    free_count: int = 0
    flags: int = 0


@dataclass(frozen=True)
class ZoneSnapshot:
    """One struct zone at one instant.

    Fields use the kernel's names; pfn ranges are [start_pfn, end_pfn).
    `free_lists[order][mt]` lists the head pfns of free blocks, head -> tail,
    exactly as the kernel's list walk would meet them.
    `allocated` holds (pfn, order, migratetype) for every allocation head in the
    zone, ascending pfn; `pageblock_mt` the migratetype of every pageblock that
    the zone touches, as (pageblock_start_pfn, mt) in ascending pfn.
    `reserved` lists the pfn ranges (start, end) in the zone that were never
    given to the buddy allocator (present - managed) and `holes` those that are
    not present.  `vm_stat` and `node_stat` hold the counters the model
    keeps beyond the free pages (the owners' LRU, dirty and slab pages); a
    counter not listed is 0.
    """
    nid: int
    name: str
    zone_idx: int
    start_pfn: int
    spanned_pages: int
    present_pages: int
    managed_pages: int
    max_order: int
    pageblock_order: int
    nr_free: Tuple[int, ...]                                  # per order, blocks
    free_lists: Tuple[Tuple[Tuple[int, ...], ...], ...]      # [order][mt] -> pfns
    allocated: Tuple[Tuple[int, int, int], ...]               # (pfn, order, mt)
    pageblock_mt: Tuple[Tuple[int, int], ...]                 # (pfn, mt)
    pcp: Tuple[PcpSnapshot, ...]
    watermark: Tuple[int, ...]                                # min, low, high (v6.18: promo)
    lowmem_reserve: Tuple[int, ...]
    nr_free_pages: int                                        # vm_stat NR_FREE_PAGES
    nr_free_cma_pages: int
    nr_reserved_highatomic: int
    nr_isolate_pageblock: int
    reserved: Tuple[Tuple[int, int], ...] = ()
    holes: Tuple[Tuple[int, int], ...] = ()
    vm_stat: Tuple[Tuple[str, int], ...] = ()                # zone_stat_item name -> pages
    node_stat: Tuple[Tuple[str, int], ...] = ()              # this zone's share of node items
    watermark_boost: int = 0                                  # v6.18 zone->watermark_boost
    cma_pages: int = 0                                        # zone->cma_pages (CMA areas)

    @property
    def end_pfn(self):
        return self.start_pfn + self.spanned_pages

    @property
    def populated(self):
        return self.present_pages > 0

    def free_blocks(self):
        """Every free buddy block as (pfn, order, mt), ascending pfn."""
        out = []
        for order, per_mt in enumerate(self.free_lists):
            for mt, pfns in enumerate(per_mt):
                out.extend((pfn, order, mt) for pfn in pfns)
        return sorted(out)

    def free_count(self, mt, order):
        """Blocks on free_list[mt] of `order` (a /proc/pagetypeinfo cell)."""
        return len(self.free_lists[order][mt])

    def pcp_pages(self):
        """Pages on all pcp lists of this zone (free, but not in nr_free)."""
        return sum(p.count for p in self.pcp)


@dataclass(frozen=True)
class MachineSnapshot:
    """Every zone of every node, in pfn order, plus machine-wide settings."""
    zones: Tuple[ZoneSnapshot, ...]
    nr_cpus: int
    node_cpus: Tuple[Tuple[int, ...], ...]
    min_free_kbytes: int
    watermark_scale_factor: int
    lowmem_reserve_ratio: Tuple[int, ...]
    percpu_pagelist_fraction: int
    page_group_by_mobility_disabled: bool
    max_order: int
    pageblock_order: int
    extra: Dict[str, object] = field(default_factory=dict)
    node_unreclaimable: Tuple[bool, ...] = ()                # per node; () = all 0

    def zone(self, nid, name):
        for z in self.zones:
            if z.nid == nid and z.name == name:
                return z
        raise KeyError((nid, name))


# ------------------------------------------------------------- the builders
def take_snapshot(m):
    """Machine.snapshot(): every zone's free lists, allocations, pcps and settings."""
    return MachineSnapshot(
        zones=tuple(zone_snapshot(m, z) for z in m.zones),
        nr_cpus=m.nr_cpus, node_cpus=tuple(m.node_cpus),
        min_free_kbytes=m.min_free_kbytes,
        watermark_scale_factor=m.watermark_scale_factor,
        lowmem_reserve_ratio=m.lowmem_reserve_ratio,
        percpu_pagelist_fraction=m.percpu_pagelist_fraction,
        page_group_by_mobility_disabled=m.page_group_by_mobility_disabled,
        max_order=m.max_order, pageblock_order=m.pageblock_order,
        node_unreclaimable=tuple(pgdat.node_unreclaimable() for pgdat in m.nodes))


def zone_snapshot(m, z):
    """Machine.zone_snapshot(): the ZoneSnapshot of zone `z` of machine `m`."""
    mm = m.mm
    free_lists = tuple(tuple(tuple(mm.iter_list(z.free_list(o, mt)))
                             for mt in range(mz.MIGRATE_TYPES))
                       for o in range(m.max_order))
    s, e = z.zone_start_pfn, z.zone_end_pfn
    allocated = tuple(sorted((p, o, mt) for p, (o, mt) in m.allocated.items() if s <= p < e))
    nr = m.pageblock_nr_pages
    pb = tuple((p, mm.get_pageblock_migratetype(p))
               for p in range(s & ~(nr - 1), e, nr)) if e > s else ()
    pcps = tuple(PcpSnapshot(cpu=p.cpu, count=p.count, high=p.high, batch=p.batch,
                             lists=tuple(tuple(mm.iter_list(p.list_head(i)))
                                         for i in range(p.nr_lists)),
                             high_min=p.high_min, high_max=p.high_max,
                             alloc_factor=p.alloc_factor, free_count=p.free_count,
                             flags=p.flags)
                 for _, p in sorted(z.pageset.items()))
    zone_items, node_items = m.owners.vm_stat(z) if m.owners is not None else ({}, {})
    return ZoneSnapshot(
        nid=z.nid, name=z.name, zone_idx=z.idx, start_pfn=s, spanned_pages=z.spanned_pages,
        present_pages=z.present_pages, managed_pages=z.managed_pages,
        max_order=m.max_order, pageblock_order=m.pageblock_order,
        nr_free=tuple(z.nr_free), free_lists=free_lists, allocated=allocated,
        pageblock_mt=pb, pcp=pcps, watermark=tuple(z.watermark),
        lowmem_reserve=tuple(z.lowmem_reserve), nr_free_pages=z.NR_FREE_PAGES,
        nr_free_cma_pages=z.NR_FREE_CMA_PAGES, cma_pages=z.cma_pages,
        nr_reserved_highatomic=z.nr_reserved_highatomic,
        nr_isolate_pageblock=z.nr_isolate_pageblock,
        reserved=z.reserved, holes=z.holes,
        vm_stat=tuple(sorted(zone_items.items())), node_stat=tuple(sorted(node_items.items())),
        watermark_boost=z.watermark_boost)
