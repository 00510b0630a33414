"""Tests of buddylab/vmstat.py: the mm/vmstat.c texts of v4.18 and the fragmentation indices.

The golden texts below are written by hand from the v4.18 format strings
(frag_show_print, pagetypeinfo_show*, zoneinfo_show_print, extfrag_show_print,
unusable_show_print), trailing spaces included; they are not produced by the
code under test.
"""

import pytest

import buddylab as bl

from buddylab import vmstat
from buddylab.mmzone import (MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE,
                             MIGRATE_TYPES)
from buddylab.procfs import parse_buddyinfo, parse_pagetypeinfo, parse_zoneinfo
from buddylab.snapshot import MachineSnapshot, PcpSnapshot, ZoneSnapshot

U, M, R = MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE


# ---------------------------------------------------------------------------
# A small synthetic machine: 2 nodes, 2 CPUs, 11 orders, 512-page pageblocks.
#   node 0: DMA [1, 4096), DMA32 empty, Normal [4096, 69632), Movable empty
#   node 1: DMA, DMA32 empty, Normal [8448, 8800) (not pageblock aligned), Movable empty

def free_lists(blocks):
    """free_lists[order][mt] from {(order, mt): pfns}."""
    return tuple(tuple(tuple(blocks.get((order, mt), ())) for mt in range(MIGRATE_TYPES))
                 for order in range(11))


def pcp(cpu, count, high, batch):
    return PcpSnapshot(cpu, count, high, batch, (tuple(range(count)), (), ()))


def zone(nid, name, zone_idx, start_pfn=0, spanned=0, present=0, managed=0,
         blocks=None, pageblock_mt=(), pcps=(), watermark=(0, 0, 0),
         lowmem_reserve=(0, 0, 0, 0), holes=()):
    lists = free_lists(blocks or {})
    nr_free = tuple(sum(len(pfns) for pfns in per_mt) for per_mt in lists)
    return ZoneSnapshot(
        nid=nid, name=name, zone_idx=zone_idx, start_pfn=start_pfn,
        spanned_pages=spanned, present_pages=present, managed_pages=managed,
        max_order=11, pageblock_order=9, nr_free=nr_free, free_lists=lists,
        allocated=(), pageblock_mt=tuple(pageblock_mt), pcp=tuple(pcps),
        watermark=watermark, lowmem_reserve=lowmem_reserve,
        nr_free_pages=sum(len(pfns) << order for order, per_mt in enumerate(lists)
                          for pfns in per_mt),
        nr_free_cma_pages=0, nr_reserved_highatomic=0, nr_isolate_pageblock=0,
        holes=holes)


def small_machine():
    dma = zone(0, "DMA", 0, 1, 4095, 3998, 3977,
               blocks={(0, U): (17,), (2, M): (20,), (10, M): (1024, 2048, 3072)},
               pageblock_mt=[(0, U)] + [(pfn, M) for pfn in range(512, 4096, 512)],
               pcps=(pcp(0, 0, 0, 1), pcp(1, 0, 0, 1)),
               watermark=(7, 8, 10), lowmem_reserve=(0, 15, 250, 250))
    normal_blocks = [(pfn, U) for pfn in (4096, 4608, 5120)] + [(5632, R)]
    normal_blocks += [(pfn, M) for pfn in range(6144, 69632, 512)]
    normal0 = zone(0, "Normal", 2, 4096, 65536, 65536, 64000,
                   blocks={(0, U): (4100, 4101), (0, M): (5000,), (1, R): (6002,),
                           (3, M): (8200,), (9, M): (9216,), (10, M): (10240, 11264)},
                   pageblock_mt=normal_blocks,
                   pcps=(pcp(1, 0, 42, 7), pcp(0, 5, 42, 7)),
                   watermark=(64, 80, 96))
    normal1 = zone(1, "Normal", 2, 8448, 352, 352, 352,
                   blocks={(0, U): (8450,), (4, M): (8464,)},
                   pageblock_mt=[(8192, U), (8704, M)],
                   pcps=(pcp(0, 1, 6, 1), pcp(1, 2, 6, 1)),
                   watermark=(4, 5, 6))
    zones = (dma,
             zone(0, "DMA32", 1, lowmem_reserve=(0, 0, 250, 250)),
             normal0,
             zone(0, "Movable", 3),
             zone(1, "DMA", 0, lowmem_reserve=(0, 0, 11, 11)),
             zone(1, "DMA32", 1, lowmem_reserve=(0, 0, 11, 11)),
             normal1,
             zone(1, "Movable", 3))
    return MachineSnapshot(zones=zones, nr_cpus=2, node_cpus=((0,), (1,)),
                           min_free_kbytes=1024, watermark_scale_factor=10,
                           lowmem_reserve_ratio=(256, 256, 32, 0),
                           percpu_pagelist_fraction=0,
                           page_group_by_mobility_disabled=False,
                           max_order=11, pageblock_order=9)


# ---------------------------------------------------------------------------
# Golden texts, by hand

BUDDYINFO = (
    "Node 0, zone      DMA      1      0      1      0      0      0      0      0      0      0      3 \n"
    "Node 0, zone   Normal      3      1      0      1      0      0      0      0      0      1      2 \n"
    "Node 1, zone   Normal      1      0      0      0      1      0      0      0      0      0      0 \n"
)

PAGETYPEINFO_HEADER = (
    "Page block order: 9\n"
    "Pages per block:  512\n"
    "\n"
    "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
)
ZEROS = "      0      0      0      0      0      0      0      0      0      0      0 \n"
BLOCKS_HEADER = ("\n"
                 "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n")
PAGETYPEINFO = (
    PAGETYPEINFO_HEADER
    + "Node    0, zone      DMA, type    Unmovable      1      0      0      0      0      0      0      0      0      0      0 \n"
    + "Node    0, zone      DMA, type      Movable      0      0      1      0      0      0      0      0      0      0      3 \n"
    + "Node    0, zone      DMA, type  Reclaimable" + ZEROS
    + "Node    0, zone      DMA, type   HighAtomic" + ZEROS
    + "Node    0, zone      DMA, type          CMA" + ZEROS
    + "Node    0, zone      DMA, type      Isolate" + ZEROS
    + "Node    0, zone   Normal, type    Unmovable      2      0      0      0      0      0      0      0      0      0      0 \n"
    + "Node    0, zone   Normal, type      Movable      1      0      0      1      0      0      0      0      0      1      2 \n"
    + "Node    0, zone   Normal, type  Reclaimable      0      1      0      0      0      0      0      0      0      0      0 \n"
    + "Node    0, zone   Normal, type   HighAtomic" + ZEROS
    + "Node    0, zone   Normal, type          CMA" + ZEROS
    + "Node    0, zone   Normal, type      Isolate" + ZEROS
    + BLOCKS_HEADER
    + "Node 0, zone      DMA            1            7            0            0            0            0 \n"
    + "Node 0, zone   Normal            3          124            1            0            0            0 \n"
    + PAGETYPEINFO_HEADER
    + "Node    1, zone   Normal, type    Unmovable      1      0      0      0      0      0      0      0      0      0      0 \n"
    + "Node    1, zone   Normal, type      Movable      0      0      0      0      1      0      0      0      0      0      0 \n"
    + "Node    1, zone   Normal, type  Reclaimable" + ZEROS
    + "Node    1, zone   Normal, type   HighAtomic" + ZEROS
    + "Node    1, zone   Normal, type          CMA" + ZEROS
    + "Node    1, zone   Normal, type      Isolate" + ZEROS
    + BLOCKS_HEADER
    + "Node 1, zone   Normal            1            0            0            0            0            0 \n"
)

PER_NODE_STATS = """\
  per-node stats
      nr_inactive_anon 0
      nr_active_anon 0
      nr_inactive_file 0
      nr_active_file 0
      nr_unevictable 0
      nr_slab_reclaimable 0
      nr_slab_unreclaimable 0
      nr_isolated_anon 0
      nr_isolated_file 0
      workingset_refault 0
      workingset_activate 0
      workingset_nodereclaim 0
      nr_anon_pages 0
      nr_mapped    0
      nr_file_pages 0
      nr_dirty     0
      nr_writeback 0
      nr_writeback_temp 0
      nr_shmem     0
      nr_shmem_hugepages 0
      nr_shmem_pmdmapped 0
      nr_anon_transparent_hugepages 0
      nr_unstable  0
      nr_vmscan_write 0
      nr_vmscan_immediate_reclaim 0
      nr_dirtied   0
      nr_written   0
                   0
"""

ZONE_STATS = """\
      nr_zone_inactive_anon 0
      nr_zone_active_anon 0
      nr_zone_inactive_file 0
      nr_zone_active_file 0
      nr_zone_unevictable 0
      nr_zone_write_pending 0
      nr_mlock     0
      nr_page_table_pages 0
      nr_kernel_stack 0
      nr_bounce    0
      nr_zspages   0
      nr_free_cma  0
      numa_hit     0
      numa_miss    0
      numa_foreign 0
      numa_interleave 0
      numa_local   0
      numa_other   0
"""

EMPTY_ZONE = """\
  pages free     0
        min      0
        low      0
        high     0
        spanned  0
        present  0
        managed  0
        protection: ({})
"""

ZONEINFO = (
    "Node 0, zone      DMA\n"
    + PER_NODE_STATS
    + "  pages free     3077\n"
      "        min      7\n"
      "        low      8\n"
      "        high     10\n"
      "        spanned  4095\n"
      "        present  3998\n"
      "        managed  3977\n"
      "        protection: (0, 15, 250, 250)\n"
      "      nr_free_pages 3077\n"
    + ZONE_STATS
    + "  pagesets\n"
      "    cpu: 0\n"
      "              count: 0\n"
      "              high:  0\n"
      "              batch: 1\n"
      "  vm stats threshold: 4\n"
      "    cpu: 1\n"
      "              count: 0\n"
      "              high:  0\n"
      "              batch: 1\n"
      "  vm stats threshold: 4\n"
      "  node_unreclaimable:  0\n"
      "  start_pfn:           1\n"
    + "Node 0, zone    DMA32\n" + EMPTY_ZONE.format("0, 0, 250, 250")
    + "Node 0, zone   Normal\n"
      "  pages free     2573\n"
      "        min      64\n"
      "        low      80\n"
      "        high     96\n"
      "        spanned  65536\n"
      "        present  65536\n"
      "        managed  64000\n"
      "        protection: (0, 0, 0, 0)\n"
      "      nr_free_pages 2573\n"
    + ZONE_STATS
    + "  pagesets\n"
      "    cpu: 0\n"
      "              count: 5\n"
      "              high:  42\n"
      "              batch: 7\n"
      "  vm stats threshold: 8\n"
      "    cpu: 1\n"
      "              count: 0\n"
      "              high:  42\n"
      "              batch: 7\n"
      "  vm stats threshold: 8\n"
      "  node_unreclaimable:  0\n"
      "  start_pfn:           4096\n"
    + "Node 0, zone  Movable\n" + EMPTY_ZONE.format("0, 0, 0, 0")
    + "Node 1, zone      DMA\n" + EMPTY_ZONE.format("0, 0, 11, 11")
    + "Node 1, zone    DMA32\n" + EMPTY_ZONE.format("0, 0, 11, 11")
    + "Node 1, zone   Normal\n"
    + PER_NODE_STATS
    + "  pages free     17\n"
      "        min      4\n"
      "        low      5\n"
      "        high     6\n"
      "        spanned  352\n"
      "        present  352\n"
      "        managed  352\n"
      "        protection: (0, 0, 0, 0)\n"
      "      nr_free_pages 17\n"
    + ZONE_STATS
    + "  pagesets\n"
      "    cpu: 0\n"
      "              count: 1\n"
      "              high:  6\n"
      "              batch: 1\n"
      "  vm stats threshold: 4\n"
      "    cpu: 1\n"
      "              count: 2\n"
      "              high:  6\n"
      "              batch: 1\n"
      "  vm stats threshold: 4\n"
      "  node_unreclaimable:  0\n"
      "  start_pfn:           8448\n"
    + "Node 1, zone  Movable\n" + EMPTY_ZONE.format("0, 0, 0, 0")
)

# Worked by hand in the comments of the index tests below.
EXTFRAG_INDEX = (
    "Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n"
    "Node 0, zone   Normal -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n"
    "Node 1, zone   Normal -1.000 -1.000 -1.000 -1.000 -1.000 0.235 0.368 0.434 0.467 0.484 0.492 \n"
)
UNUSABLE_INDEX = (
    "Node 0, zone      DMA 0.000 0.000 0.000 0.001 0.001 0.001 0.001 0.001 0.001 0.001 0.001 \n"
    "Node 0, zone   Normal 0.000 0.001 0.001 0.001 0.005 0.005 0.005 0.005 0.005 0.005 0.204 \n"
    "Node 1, zone   Normal 0.000 0.058 0.058 0.058 0.058 1.000 1.000 1.000 1.000 1.000 1.000 \n"
)


# ---------------------------------------------------------------------------
# Fragmentation metrics, worked by hand

def test_fill_contig_page_info_counts_pages_blocks_and_suitable_blocks():
    """fill_contig_page_info sums pages and blocks; a large block counts as several suitable ones."""
    nr_free = (3, 1, 0, 1, 0, 0, 0, 0, 0, 1, 2)       # 3 + 2 + 8 + 512 + 2048 pages
    assert vmstat.fill_contig_page_info(nr_free, 0) == (2573, 8, 2573)
    assert vmstat.fill_contig_page_info(nr_free, 9) == (2573, 8, 1 + 2 * 2)
    assert vmstat.fill_contig_page_info(nr_free, 10) == (2573, 8, 2)


def test_fragmentation_index_worked_by_hand():
    """__fragmentation_index: 1000 - (1000 + free*1000/requested) / blocks, integer divisions."""
    nr_free = (1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0)       # 17 pages in 2 blocks
    assert [vmstat.fragmentation_index(o, nr_free) for o in range(5)] == [-1000] * 5
    # order 5: 17000 // 32 = 531; (1000 + 531) // 2 = 765; 1000 - 765 = 235
    assert vmstat.fragmentation_index(5, nr_free) == 235
    # order 10: 17000 // 1024 = 16; 1016 // 2 = 508; 1000 - 508 = 492
    assert vmstat.fragmentation_index(10, nr_free) == 492


def test_fragmentation_index_special_cases():
    """No free block gives 0, an order out of range gives 0 (the kernel's WARN path)."""
    assert vmstat.fragmentation_index(3, (0,) * 11) == 0
    assert vmstat.fragmentation_index(11, (1,) * 11) == 0
    assert vmstat.fragmentation_index(-1, (1,) * 11) == 0
    # one free page, order 4: 1000 // 16 = 62; 1000 - (1000 + 62) // 1 = -62 (the kernel
    # can go negative too; debugfs would print it as "0.-62")
    assert vmstat.fragmentation_index(4, (1, 0, 0, 0, 0), max_order=5) == -62
    assert vmstat._index_text(-62) == "0.-62 "
    assert vmstat.fragmentation_index(5, (1,) * 11, max_order=5) == 0


def test_fragmentation_index_near_1000_when_free_memory_is_scattered():
    """Many single pages and no big block: failure is due to fragmentation, index near 1000."""
    # 1000 order-0 pages, order 9: 1000000 // 512 = 1953; 2953 // 1000 = 2; 998
    assert vmstat.fragmentation_index(9, (1000,) + (0,) * 10) == 998


def test_unusable_free_index_worked_by_hand():
    """unusable_free_index = (free - suitable << order) * 1000 / free; 1000 when nothing is free."""
    nr_free = (1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0)       # 17 pages
    # orders 1-4: the order-4 block serves, the single page does not: 1000 // 17 = 58
    assert [vmstat.unusable_free_index(o, nr_free) for o in range(7)] == \
        [0, 58, 58, 58, 58, 1000, 1000]
    assert vmstat.unusable_free_index(0, (0,) * 11) == 1000


def test_calculate_normal_threshold_matches_the_kernel_table():
    """calculate_normal_threshold: rows of the table in mm/vmstat.c."""
    gib = 1 << 18                                      # pages per GiB
    assert vmstat.calculate_normal_threshold(gib - 1, 1) == 8        # 0.9-1 GB, 1 cpu
    assert vmstat.calculate_normal_threshold(3 * gib, 2) == 24       # 2-4 GB, 2 cpus
    assert vmstat.calculate_normal_threshold(100 << 8, 2) == 4       # <128M
    assert vmstat.calculate_normal_threshold(12 * gib, 4) == 48      # 8-16 GB, 4 cpus
    assert vmstat.calculate_normal_threshold(20 * gib, 1024) == 125  # capped


def test_index_text_truncates_like_c():
    """"%d.%03d" of index/1000 and index%1000 prints -1000 as -1.000."""
    assert vmstat._index_text(-1000) == "-1.000 "
    assert vmstat._index_text(1000) == "1.000 "
    assert vmstat._index_text(58) == "0.058 "


# ---------------------------------------------------------------------------
# The texts

def test_buddyinfo_golden():
    """buddyinfo prints populated zones only, "%6lu " per order, a trailing space."""
    assert vmstat.buddyinfo(small_machine()) == BUDDYINFO


def test_pagetypeinfo_golden():
    """pagetypeinfo repeats its header per node; blocks are counted stepping from zone_start_pfn."""
    assert vmstat.pagetypeinfo(small_machine()) == PAGETYPEINFO


def test_zoneinfo_golden():
    """zoneinfo prints every zone, per-node stats in each node's first populated zone."""
    assert vmstat.zoneinfo(small_machine()) == ZONEINFO


def test_zoneinfo_line_layout_details():
    """The hidden node stat prints as 19 spaces and the value; short names pad to 12."""
    lines = vmstat.zoneinfo(small_machine()).split("\n")
    assert " " * 19 + "0" in lines
    assert "      nr_mapped    0" in lines
    assert "              high:  42" in lines
    assert not any(line.endswith(" ") for line in lines)


def test_extfrag_index_golden():
    """extfrag_index: -1.000 where a block is free, else the worked index."""
    assert vmstat.extfrag_index(small_machine()) == EXTFRAG_INDEX


def test_unusable_index_golden():
    """unusable_index: the share of free memory too small for each order."""
    # DMA: 3077 free pages; from order 3 only the 3 order-10 blocks serve:
    # (3077 - 3072) * 1000 // 3077 = 1.  Node 0 Normal order 10: 525000 // 2573 = 204.
    assert vmstat.unusable_index(small_machine()) == UNUSABLE_INDEX


def test_pageblock_counts_step_from_unaligned_zone_start():
    """A zone [8448, 8800) visits only pfn 8448: the Movable block at 8704 is not counted."""
    normal1 = small_machine().zone(1, "Normal")
    assert vmstat.pageblock_counts(normal1, 9) == (1, 0, 0, 0, 0, 0)


def test_pageblock_counts_skip_sections_without_memory():
    """A 128 MiB section that is all hole has no struct pages and is not counted."""
    big = zone(0, "Normal", 2, 0, 3 << 15, 2 << 15, 2 << 15,
               pageblock_mt=[(pfn, M) for pfn in range(0, 3 << 15, 512)],
               holes=((1 << 15, 2 << 15),))
    assert vmstat.pageblock_counts(big, 9) == (0, 128, 0, 0, 0, 0)
    part = zone(0, "Normal", 2, 0, 3 << 15, 2 << 15, 2 << 15,
                pageblock_mt=[(pfn, M) for pfn in range(0, 3 << 15, 512)],
                holes=((1 << 15, (2 << 15) - 512),))
    assert vmstat.pageblock_counts(part, 9) == (0, 192, 0, 0, 0, 0)


def test_empty_machine_node_prints_nothing_but_zoneinfo():
    """A node without memory: no buddyinfo/pagetypeinfo lines, but its zones in zoneinfo."""
    snap = small_machine()
    node1 = [z for z in snap.zones if z.nid == 1 and z.name != "Normal"]
    empty = MachineSnapshot(zones=tuple(node1), nr_cpus=2, node_cpus=((0,),),
                            min_free_kbytes=0, watermark_scale_factor=10,
                            lowmem_reserve_ratio=(), percpu_pagelist_fraction=0,
                            page_group_by_mobility_disabled=False,
                            max_order=11, pageblock_order=9)
    assert vmstat.buddyinfo(empty) == vmstat.pagetypeinfo(empty) == ""
    assert vmstat.zoneinfo(empty).count("Node 1, zone") == 3
    assert "per-node stats" not in vmstat.zoneinfo(empty)


# ---------------------------------------------------------------------------
# The texts against the parsers

def test_texts_parse_back_with_procfs():
    """procfs reads vmstat's texts back, values included."""
    snap = small_machine()
    assert parse_buddyinfo(vmstat.buddyinfo(snap)).zone(1, "Normal").nr_free[4] == 1
    pt = parse_pagetypeinfo(vmstat.pagetypeinfo(snap))
    assert pt.block_counts(0, "Normal")["Movable"] == 124
    zi = parse_zoneinfo(vmstat.zoneinfo(snap))
    assert zi.text() == vmstat.zoneinfo(snap)
    normal = zi.zone(0, "Normal")
    assert (normal.pages_free, normal.min, normal.low, normal.high) == (2573, 64, 80, 96)
    assert normal.pagesets[0][:4] == (0, 5, 42, 7)
    assert normal.pagesets[0].stat_threshold == 8
    assert zi.node_stats(1)[""] == 0 and len(zi.node_stats(1)) == 28


def test_stat_name_tables_have_the_418_lengths():
    """vmstat_text[] of v4.18: 13 zone, 6 NUMA and 28 node items (one hidden)."""
    assert len(vmstat.ZONE_STAT_ITEMS) == 13
    assert len(vmstat.NUMA_STAT_ITEMS) == 6
    assert len(vmstat.NODE_STAT_ITEMS) == 28 and vmstat.NODE_STAT_ITEMS[-1] == ""
    assert len(set(vmstat.ZONE_STAT_ITEMS + vmstat.NUMA_STAT_ITEMS
                   + vmstat.NODE_STAT_ITEMS)) == 47


@pytest.mark.parametrize("fixture", ["buddyinfo", "pagetypeinfo"])
def test_texts_match_the_hand_written_418_fixture(fixture):
    """A snapshot of the proc_418 fixture machine prints its buddyinfo and pagetypeinfo exactly."""
    import pathlib
    text = (pathlib.Path(__file__).parent / "fixtures" / "proc_418" / fixture).read_text()
    assert getattr(vmstat, fixture)(fixture_418_machine()) == text


def fixture_418_machine():
    """The machine of tests/fixtures/proc_418, from its pagetypeinfo rows."""
    pt = parse_pagetypeinfo((__import__("pathlib").Path(__file__).parent
                             / "fixtures" / "proc_418" / "pagetypeinfo").read_text())
    layout = {"DMA": (0, 1, 4095, 3998, 3977, ()),
              "DMA32": (1, 4096, 1044480, 782304, 765816, ((786432, 1048576),)),
              "Normal": (2, 1048576, 786432, 786432, 770520, ()),
              "Movable": (3, 0, 0, 0, 0, ())}
    blocks = {"DMA": [(0, U)] + [(p, M) for p in range(512, 4096, 512)],
              "DMA32": [(4096, U), (4608, U)] + [(p, M) for p in range(5120, 1048576, 512)],
              "Normal": [(p, U if i < 61 else M if i < 61 + 1431 else R)
                         for i, p in enumerate(range(1048576, 1835008, 512))]}
    zones = []
    for name, (idx, start, spanned, present, managed, holes) in layout.items():
        lists = {}
        for row in pt.nodes[0].free:
            if row.name == name:
                mt = vmstat.MIGRATETYPE_NAMES.index(row.migratetype)
                for order, n in enumerate(row.counts):
                    lists[(order, mt)] = tuple(range(n))
        zones.append(zone(0, name, idx, start, spanned, present, managed, blocks=lists,
                          pageblock_mt=blocks.get(name, ()), holes=holes))
    return MachineSnapshot(zones=tuple(zones), nr_cpus=2, node_cpus=((0, 1),),
                           min_free_kbytes=9928, watermark_scale_factor=10,
                           lowmem_reserve_ratio=(256, 256, 32, 0),
                           percpu_pagelist_fraction=0,
                           page_group_by_mobility_disabled=False,
                           max_order=11, pageblock_order=9)


def test_zoneinfo_node_unreclaimable_after_kswapd_gives_up():
    """node_unreclaimable prints 1 once kswapd failed MAX_RECLAIM_RETRIES (16) times.

    mm/vmstat.c, zoneinfo_show_print(), v4.18: ``"\\n  node_unreclaimable:  %u",
    pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES``; mm/vmscan.c, balance_pgdat(), v4.18:
    ``if (!sc.nr_reclaimed) pgdat->kswapd_failures++``.  Only dirty page cache is left, so every
    kswapd run reclaims nothing.
    """
    from buddylab import reclaim
    from buddylab.owners import FILE
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    cat = m.owner("cat")
    assert "node_unreclaimable:  0" in m.zoneinfo()
    while m.zone(0, "Normal").NR_FREE_PAGES > m.zone(0, "Normal").low_wmark_pages():
        assert cat.alloc(FILE, dirty=True) is not None
    for n in range(1, 17):
        reclaim.wakeup_kswapd(m, m.zone(0, "Normal"), bl.GFP_KERNEL, 0, 2)
        if m.nodes[0].kswapd_failures >= 16:
            break
        assert "node_unreclaimable:  0" in m.zoneinfo()
    assert m.nodes[0].kswapd_failures == 16
    assert "node_unreclaimable:  1" in m.zoneinfo()


def test_zoneinfo_counts_the_owners_pages():
    """The LRU, dirty and slab counters zoneinfo prints come from the owners' pages.

    mm/vmstat.c, zoneinfo_show_print(), v4.18 prints zone_page_state() for each zone item and,
    in the node's first populated zone, node_page_state() for each node item.  Where 4.18 puts a
    new page: page cache on the inactive file LRU (mm/filemap.c, add_to_page_cache_lru() ->
    lru_cache_add()), anonymous memory on the active anon LRU (mm/memory.c,
    do_anonymous_page() -> lru_cache_add_active_or_unevictable()); a dirty page counts in
    NR_FILE_DIRTY and NR_ZONE_WRITE_PENDING; a reclaimable slab page in NR_SLAB_RECLAIMABLE.
    By hand: 3 file pages (1 dirty), 2 anonymous pages and 4 slab pages in node 0's Normal zone.
    """
    from buddylab.owners import FILE, ANON, SLAB
    m = bl.Machine(nodes=[{"DMA": 4096, "Normal": 28672}], cpus_per_node=1)
    u = m.owner("u")
    for kind, n in ((FILE, 2), (ANON, 2), (SLAB, 4)):
        for _ in range(n):
            assert u.alloc(kind).pfn >= 4096
    assert u.alloc(FILE, dirty=True).pfn >= 4096
    stats = {}
    for line in m.zoneinfo().split("Node 0, zone   Normal")[1].split("\n"):
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("nr_"):
            stats[parts[0]] = int(parts[1])
    per_node = {}
    for line in m.zoneinfo().split("Node 0, zone   Normal")[0].split("\n"):
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("nr_"):
            per_node[parts[0]] = int(parts[1])
    assert (stats["nr_zone_inactive_file"], stats["nr_zone_active_file"]) == (3, 0)
    assert (stats["nr_zone_inactive_anon"], stats["nr_zone_active_anon"]) == (0, 2)
    assert stats["nr_zone_write_pending"] == 1
    assert (per_node["nr_inactive_file"], per_node["nr_active_anon"]) == (3, 2)
    assert (per_node["nr_slab_reclaimable"], per_node["nr_dirty"]) == (4, 1)
    assert (per_node["nr_file_pages"], per_node["nr_anon_pages"]) == (3, 2)
    assert per_node["nr_mapped"] == 0
