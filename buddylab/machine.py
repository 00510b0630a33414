"""Machine: nodes, zones, CPUs and the whole allocator, booted as the kernel boots.

Kernel: the boot sequence of start_kernel() (v4.18): memmap_init_zone(),
build_all_zonelists(), free_all_bootmem(), setup_per_cpu_pageset(),
init_per_zone_wmark_min(), cma_init_reserved_areas(); and the public
allocation interface of include/linux/gfp.h.

Layout: pfns start at 0, node after node, and inside a node zone after zone
in zone order (DMA, DMA32, Normal, Movable).  A zone is given as a number of
pages, or as a dict with ``spanned`` (or ``pages``), ``present``, ``managed``
and ``start_pfn``.  Simplifications, said aloud: the ``spanned - present``
missing pages are a hole at the END of the zone's span and the ``present -
managed`` reserved pages sit at its START (unless ``holes``/``reserved`` list
pfn ranges: disjoint (start, end) pairs inside the zone covering exactly those
page counts, a reserved range never inside a hole); boot memory is freed zone by zone (the kernel walks memblock
ranges, which is the same when zone boundaries are MAX_ORDER-aligned, as
they are on real machines); vm_total_pages (which decides
page_group_by_mobility_disabled) is the sum of managed pages.
"""

import functools
import operator
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from . import mmzone as mz
from .kernels.v4_18 import gfp as G      # noqa: F401  (the doctests' GFP names)
from .errors import (BadOrderError, BadGfpError, BadFreeError, UnknownCpuError,
                     UnknownNodeError, LayoutError, BusyError, InvariantError, BuddyLabError,
                     TraceError, BadParameterError)
from .memmap import MemMap, HOLE, RESERVED, FREE, PCP, STATE_NAMES, NO_ZONE
from .vmglobals import VmGlobals
from .layout import parse_layout, parse_cpus, parse_distance
from . import boot
from .checks import _is_int, _as_tuple, check_order as _check_order
from .node import build_all_zonelists
from .trace import Trace, OpList, check_kinds
from .owners import Owners, check_owner_args
from .check import check_machine
from .snapshot import take_snapshot, zone_snapshot
from .kernels.select import get_kernel
from .compaction import EXTFRAG_THRESHOLD, compact_nodes
from .hostread import read_host, build_machine

# x86_64 direct map base of v4.18 (__PAGE_OFFSET_BASE_L4, no KASLR)
PAGE_OFFSET = 0xffff880000000000
# the default machine runs the classic kernel: its sysctl_lowmem_reserve_ratio[] (compat name)
from .kernels.v4_18.kernel import DEFAULT_LOWMEM_RESERVE_RATIO  # noqa: E402

# Size bounds, checked before anything is built: their one home is mmzone.py.
MAX_MODEL_PFNS = mz.MAX_MODEL_PFNS
NR_CPUS = mz.NR_CPUS
# include/linux/mmzone.h (v4.18): "#if (MAX_ORDER - 1 + PAGE_SHIFT) > SECTION_SIZE_BITS
# #error Allocator MAX_ORDER exceeds SECTION_SIZE"; SECTION_SIZE_BITS is 27 on x86_64
# (arch/x86/include/asm/sparsemem.h), so MAX_ORDER <= 27 - 12 + 1 = 16.
SECTION_SIZE_BITS = mz.SECTION_SIZE_BITS
MAX_ORDER_LIMIT = SECTION_SIZE_BITS - mz.PAGE_SHIFT + 1
INT_MAX = (1 << 31) - 1
# what start/undo_isolate_page_range() take as migratetype (the type the blocks go back to)
ISOLATION_MIGRATETYPES = (mz.MIGRATE_UNMOVABLE, mz.MIGRATE_MOVABLE, mz.MIGRATE_RECLAIMABLE,
                          mz.MIGRATE_CMA)             # an int sysctl (proc_dointvec_minmax)
DEFAULT_HISTORY_LIMIT = 100_000     # recorded calls kept for replay (~35 MB; see Machine)
@dataclass(frozen=True)
class Page:
    """A struct page, named by its pfn (what alloc_pages() returns).

    The pfn must be an int (anything with __index__, not a bool); whether it
    lies inside a machine is checked by the machine that is handed the page.
    """
    pfn: int

    def __post_init__(self):
        if isinstance(self.pfn, bool) or not hasattr(type(self.pfn), "__index__"):
            raise BadFreeError("not a page: a Page is named by an int pfn, got %r" % (self.pfn,))
        object.__setattr__(self, "pfn", operator.index(self.pfn))

    def __repr__(self):
        return "Page(pfn=%d)" % self.pfn


def _model_page(pfn):
    """The Page of a pfn the model itself produced (an int inside the machine): the checks of
    Page.__post_init__ have nothing to refuse there, so the hot path skips them."""
    page = object.__new__(Page)
    object.__setattr__(page, "pfn", pfn)
    return page


def _gfp_bit(k, name):
    """A __GFP_* bit of kernel `k` by name (a class body would mangle ``k.gfp.__GFP_X``)."""
    return getattr(k.gfp, name)


@functools.lru_cache(maxsize=4096)
def _checked_gfp(kgfp, gfp_mask):
    """`gfp_mask` (an int) as the gfp_t of kernel gfp module `kgfp`, or BadGfpError: bits
    outside __GFP_BITS_MASK, a zone combination gfp_zone() rejects (GFP_ZONE_BAD), both
    mobility bits (gfpflags_to_migratetype()'s VM_WARN_ON).

    A pure function of the mask, so each distinct mask is checked once and then found by its
    plain int (a refused mask raises again every time: exceptions are not cached).
    """
    if gfp_mask < 0 or gfp_mask & ~kgfp._GFP_BITS_MASK:
        raise BadGfpError("not a GFP mask: %r" % (gfp_mask,))
    checked = kgfp.gfp_t(gfp_mask)
    kgfp.gfp_zone(checked)
    kgfp.gfpflags_to_migratetype(checked)
    return checked


class Machine:
    """A booted machine running the classic (v4.18) page allocator.

    >>> m = Machine(nodes=[{"DMA": 4096, "Normal": 28672}], cpus_per_node=2)
    >>> m.zonelist(0, G.GFP_KERNEL)
    [(0, 'Normal'), (0, 'DMA')]
    >>> page = m.alloc_pages(G.GFP_KERNEL, order=2, cpu=0)
    >>> page.pfn % 4
    0
    >>> m.free_pages(page, order=2, cpu=0); m.check()

    Teaching switches (issue 5), each a what-if the kernel has no sysctl for:
    ``page_group_by_mobility_disabled`` (None: the kernel's rule, vm_total_pages
    < pageblock_nr_pages * MIGRATE_TYPES; True/False forces it, as if every
    request had no mobility, or always had), ``tail_placement`` (False turns
    off __free_one_page()'s "buddy of the parent is free, go to the tail"
    heuristic), ``compaction`` (False: a kernel built without
    CONFIG_COMPACTION) and ``swap_pages`` (swap space: anonymous pages are
    reclaimable only while swap slots are left).

    ``history_limit`` bounds the record of calls kept since boot (what
    `replay()` runs before a trace's own calls): at most that many (default
    DEFAULT_HISTORY_LIMIT, about 350 bytes a call); beyond it the record is
    dropped and a later trace can be replayed only onto a machine you give
    (``replay(trace, machine)``).  0 keeps none, None keeps everything.

    Size bounds, refused up front with LayoutError: at most MAX_MODEL_PFNS
    pfns, NR_CPUS cpus, MAX_NUMNODES nodes and max_order <= MAX_ORDER_LIMIT.
    """

    def __init__(self, nodes=({"DMA": 4096, "Normal": 28672},), cpus_per_node=2,
                 kernel="classic", max_order=mz.MAX_ORDER, pageblock_order=mz.pageblock_order,
                 distance=None, min_free_kbytes=None, watermark_scale_factor=10,
                 lowmem_reserve_ratio=None,
                 percpu_pagelist_fraction=None, cma=(), debug=False,
                 page_group_by_mobility_disabled=None, tail_placement=True, compaction=True,
                 swap_pages=0, history_limit=DEFAULT_HISTORY_LIMIT,
                 percpu_pagelist_high_fraction=None):
        self.kernel = get_kernel(kernel)     # the version's constants and functions
        if lowmem_reserve_ratio is None:
            lowmem_reserve_ratio = self.kernel.DEFAULT_LOWMEM_RESERVE_RATIO
        percpu_pagelist_fraction = self._pcp_fraction_arg(percpu_pagelist_fraction,
                                                          percpu_pagelist_high_fraction)
        self._args = dict(nodes=nodes, cpus_per_node=cpus_per_node, kernel=kernel,
                          max_order=max_order, pageblock_order=pageblock_order,
                          distance=distance, min_free_kbytes=min_free_kbytes,
                          watermark_scale_factor=watermark_scale_factor,
                          lowmem_reserve_ratio=lowmem_reserve_ratio, cma=cma, debug=debug,
                          **{self.kernel.pcp_fraction_sysctl: percpu_pagelist_fraction})
        # issue 5 options (teaching switches; see the class docstring)
        for k, v in (("page_group_by_mobility_disabled", page_group_by_mobility_disabled),
                     ("tail_placement", tail_placement), ("compaction", compaction),
                     ("swap_pages", swap_pages), ("history_limit", history_limit)):
            if (k, v) not in (("page_group_by_mobility_disabled", None), ("tail_placement", True),
                              ("compaction", True), ("swap_pages", 0),
                              ("history_limit", DEFAULT_HISTORY_LIMIT)):
                self._args[k] = v
        if not any(page_group_by_mobility_disabled is v for v in (None, True, False)) \
                or not all(v is True or v is False for v in (tail_placement, compaction, debug)) \
                or not _is_int(swap_pages) or swap_pages < 0:
            raise LayoutError("page_group_by_mobility_disabled is None/True/False, tail_placement, "
                              "compaction and debug are bools, swap_pages an int >= 0")
        if history_limit is not None and (not _is_int(history_limit) or history_limit < 0):
            raise LayoutError("history_limit must be an int >= 0 or None, got %r" % (history_limit,))
        self.vm = VmGlobals(tail_placement)   # the switches every zone reads (zone.vm)
        self.compaction = compaction         # CONFIG_COMPACTION
        self.nr_swap_pages = swap_pages      # total swap space, in pages
        self.owners = None                   # buddylab.owners.Owners, made by owner()
        self.compact_stats = {}              # compaction's running totals (empty: none ran)
        self.extfrag_threshold = EXTFRAG_THRESHOLD   # vm.extfrag_threshold
        self.host = None                     # host.HostInfo when built from a host's /proc
        self._history = []                  # recorded calls since boot (for replay), or None
        self.history_limit = history_limit  # once past it, _history is dropped (None)
        self._unrecorded_depth = 0          # > 0 while a recorded op runs inner public calls
        self.debug = debug
        _check_order(max_order, "max_order")
        _check_order(pageblock_order, "pageblock_order")
        if max_order > MAX_ORDER_LIMIT:
            raise LayoutError("max_order %d is too large: x86_64 needs MAX_ORDER - 1 + PAGE_SHIFT "
                              "<= SECTION_SIZE_BITS (27), so max_order <= %d"
                              % (max_order, MAX_ORDER_LIMIT))
        if max_order < 1 or not 1 <= pageblock_order <= max_order - 1:
            raise LayoutError("need 1 <= pageblock_order <= max_order - 1, got pageblock_order=%d "
                              "max_order=%d" % (pageblock_order, max_order))
        self.max_order = max_order
        self.pageblock_order = pageblock_order
        self.pageblock_nr_pages = 1 << pageblock_order
        lowmem_reserve_ratio = _as_tuple(lowmem_reserve_ratio, "lowmem_reserve_ratio")
        self._validate_sysctls(watermark_scale_factor, lowmem_reserve_ratio,
                               percpu_pagelist_fraction, min_free_kbytes)
        self.watermark_scale_factor = watermark_scale_factor
        self.lowmem_reserve_ratio = tuple(lowmem_reserve_ratio)
        self.percpu_pagelist_fraction = 0   # the boot value; _build() writes the sysctl
        self.allocated = {}                 # head pfn -> (order, migratetype)
        specs = parse_layout(nodes, self.kernel.ZONE_NAMES, self.kernel.EMPTY_ZONES)
        self.nr_nodes = len(specs)
        self.node_cpus, self.cpu_to_node = parse_cpus(cpus_per_node, self.nr_nodes)
        self.nr_cpus = len(self.cpu_to_node)
        self.vm.node_cpus = tuple(tuple(cpus) for cpus in self.node_cpus)
        self.distance = parse_distance(distance, self.nr_nodes)
        self._build(specs, cma)

    # ------------------------------------------------- state owned by others
    @property
    def trace(self):
        """The Trace recording this machine's events (None when not tracing)."""
        return self.vm.trace

    @trace.setter
    def trace(self, value):
        self.vm.trace = value

    @property
    def percpu_pagelist_fraction(self):
        """The pcp sysctl (v4.18 percpu_pagelist_fraction, v6.18 percpu_pagelist_high_fraction),
        kept in ``vm`` where the pcp code of a zone reads it."""
        return self.vm.percpu_pagelist_fraction

    @percpu_pagelist_fraction.setter
    def percpu_pagelist_fraction(self, value):
        self.vm.percpu_pagelist_fraction = value

    @property
    def tail_placement(self):
        """__free_one_page()'s tail heuristic is on (a teaching switch, see the class doc)."""
        return self.vm.tail_placement

    @property
    def page_group_by_mobility_disabled(self):
        """The allocator's page_group_by_mobility_disabled (decided at boot)."""
        return self.vm.page_group_by_mobility_disabled

    @page_group_by_mobility_disabled.setter
    def page_group_by_mobility_disabled(self, value):
        self.vm.page_group_by_mobility_disabled = value

    @property
    def zone_of_pfn(self):
        """page_zone() as an index into ``zones`` for every pfn (NO_ZONE: none); read-only."""
        return self.mm.zone_id

    # ------------------------------------------------------------------ layout
    def _pcp_fraction_arg(self, fraction, high_fraction):
        """The pcp sysctl under the running kernel's name (v4.18 percpu_pagelist_fraction,
        v6.18 percpu_pagelist_high_fraction); the other name is refused."""
        name = self.kernel.pcp_fraction_sysctl
        given = {"percpu_pagelist_fraction": fraction,
                 "percpu_pagelist_high_fraction": high_fraction}
        for other, v in given.items():
            if other != name and v is not None:
                raise LayoutError("%s: the %s kernel has no %s sysctl; its pcp sysctl is %s"
                                  % (other, self.kernel.version, other, name))
        return given[name] or 0

    def _validate_sysctls(self, wsf, ratio, fraction, mfk):
        top = self.kernel.watermark_scale_factor_max
        if isinstance(wsf, bool) or not isinstance(wsf, int) or not 1 <= wsf <= top:
            raise LayoutError("watermark_scale_factor must be an int in 1..%d (the sysctl's "
                              "range), got %r" % (top, wsf))
        ratio = tuple(ratio)
        names = self.kernel.ZONE_NAMES
        if len(ratio) != len(names) or not all(isinstance(r, int) and not isinstance(r, bool)
                                               for r in ratio):
            raise LayoutError("lowmem_reserve_ratio needs %d ints (%s), got %r"
                              % (len(names), ", ".join(names), ratio))
        if isinstance(fraction, bool) or not isinstance(fraction, int) \
                or (fraction and fraction < self.kernel.MIN_PERCPU_PAGELIST_FRACTION):
            raise LayoutError("%s must be 0 or >= %d, got %r"
                              % (self.kernel.pcp_fraction_sysctl,
                                 self.kernel.MIN_PERCPU_PAGELIST_FRACTION, fraction))
        if mfk is not None and (isinstance(mfk, bool) or not isinstance(mfk, int) or mfk < 0):
            raise LayoutError("min_free_kbytes must be an int >= 0, got %r" % (mfk,))

    # -------------------------------------------------------------------- boot
    def _build(self, specs, cma):
        """Boot, in start_kernel()'s order (buddylab.boot has each step)."""
        k = self.kernel
        nr_pfns = max(z["start"] + z["spanned"] for node in specs for z in node)
        self.mm = mm = MemMap(nr_pfns, 0, self.pageblock_order)   # zones, pagesets add heads
        self.zones, self.nodes = boot.memmap_init(mm, self.vm, specs, self.node_cpus,
                                                  self.nr_cpus, self.max_order,
                                                  self.pageblock_order, k)
        # CMA areas are memblock-reserved at boot; check them now
        cma_blocks = boot.parse_cma(cma, mm, self.zones, self.max_order, self.pageblock_order)
        cma_set = set(cma_blocks)
        # build_all_zonelists(): managed_zone() uses the early managed estimate
        for z, zs in zip(self.zones, (zs for node in specs for zs in node)):
            z.managed_pages = zs["managed"]
        # no CPU is in its node's cpumask yet (x86_64): no PENALTY_FOR_NODE_WITH_CPUS
        self.node_orders = build_all_zonelists(self.nodes, self.distance,
                                               zone_ok=k.zonerefs_zone_ok,
                                               accumulate=k.node_load_accumulates)
        self._set_mobility_grouping(sum(z.managed_pages for z in self.zones))
        boot.free_all_bootmem(k, self.zones, cma_set, self.max_order)
        # setup_per_cpu_pageset(): real pagesets for populated zones
        for z in self.zones:
            if z.populated():
                for p in z.pageset.values():
                    k.pageset_set_high_and_batch(z, p, 0)
        # init_per_zone_wmark_min() (core_initcall)
        self.default_min_free_kbytes = k.default_min_free_kbytes(
            k.lowmem_kbytes(self.nodes[0].node_zonelists[mz.ZONELIST_FALLBACK]))
        self.min_free_kbytes = self.default_min_free_kbytes
        k.setup_per_zone_wmarks(self.zones, self.min_free_kbytes, self.watermark_scale_factor)
        for node in self.nodes:
            k.setup_per_zone_lowmem_reserve(node.node_zones, self.lowmem_reserve_ratio)
        # khugepaged starts (hugepage_init(), a later initcall): v6.18 raises min_free_kbytes
        self.min_free_kbytes = k.set_recommended_min_free_kbytes(
            self.zones, self.nodes[0].node_zonelists[mz.ZONELIST_FALLBACK],
            self.pageblock_nr_pages, self.min_free_kbytes, self.watermark_scale_factor)
        boot.cma_init_reserved_areas(k, self.zones, cma_blocks, self.pageblock_order)
        # sysctls written after boot
        if self._args["min_free_kbytes"] is not None:
            self.set_min_free_kbytes(self._args["min_free_kbytes"], _record=False)
        fraction = self._args[k.pcp_fraction_sysctl]
        if fraction:
            self._set_pcp_fraction(k.pcp_fraction_sysctl, fraction, _record=False)
        if self.debug:
            self.check()

    def _set_mobility_grouping(self, vm_total_pages):
        """build_all_zonelists()'s page_group_by_mobility_disabled rule (or the forced switch)."""
        self.page_group_by_mobility_disabled = (
            vm_total_pages < self.pageblock_nr_pages * mz.MIGRATE_TYPES)
        if self._args.get("page_group_by_mobility_disabled") is not None:
            self.page_group_by_mobility_disabled = self._args["page_group_by_mobility_disabled"]

    def build_all_zonelists(self):
        """Rebuild every zonelist, as memory hotplug does once the CPUs are up.

        Kernel: build_all_zonelists() in mm/page_alloc.c (v4.18), as called by
        online_pages() in mm/memory_hotplug.c when a zone gets its first pages.
        Unlike the boot build, every node with CPUs now has them in its
        cpumask, so find_next_best_node() adds PENALTY_FOR_NODE_WITH_CPUS to
        it.  vm_total_pages = nr_free_pagecache_pages(): the managed pages
        above the high watermark of every zone in the zonelist of the first
        CPU's node, which decides page_group_by_mobility_disabled again.  The
        model has no memory hotplug; this is the rebuild alone.
        """
        self._record("build_all_zonelists")
        with_cpus = frozenset(pgdat.node_id for pgdat in self.nodes if pgdat.cpus)
        self.node_orders = build_all_zonelists(self.nodes, self.distance, with_cpus,
                                               self.kernel.zonerefs_zone_ok,
                                               self.kernel.node_load_accumulates)
        local = self.nodes[self.cpu_to_node[0]].node_zonelists[mz.ZONELIST_FALLBACK]
        self._set_mobility_grouping(sum(max(0, z.managed_pages - z.high_wmark_pages())
                                        for z in local))
        self._after()

    # ---------------------------------------------------------------- helpers
    def _cpu(self, cpu):
        if type(cpu) is int and 0 <= cpu < self.nr_cpus:       # the common case: one test
            return cpu
        if isinstance(cpu, bool) or not isinstance(cpu, int) or not 0 <= cpu < self.nr_cpus:
            raise UnknownCpuError("unknown cpu %r: this machine has cpus 0..%d"
                                  % (cpu, self.nr_cpus - 1))
        return cpu

    def _nid(self, nid):
        if isinstance(nid, bool) or not isinstance(nid, int) or not 0 <= nid < self.nr_nodes:
            raise UnknownNodeError("unknown node %r: this machine has nodes 0..%d"
                                   % (nid, self.nr_nodes - 1))
        return nid

    def _gfp(self, gfp_mask):
        """The mask as this kernel's gfp_t, or BadGfpError (see _checked_gfp())."""
        if isinstance(gfp_mask, bool) or not isinstance(gfp_mask, int):
            raise BadGfpError("not a GFP mask: %r" % (gfp_mask,))
        return _checked_gfp(self.kernel.gfp, gfp_mask)

    def _record(self, _op, **kwargs):
        """Record one public call (after its arguments passed every check) for replay.

        Calls made from inside a recorded call (an owner's alloc_pages(), say)
        are not recorded: replaying the outer call makes them again.
        """
        self._record_args(_op, kwargs)

    def _record_args(self, op, args):
        """_record() with the arguments as one object: the keyword dict, or (the calls of
        trace.RECORDED_ARGS, on every allocation and free) the plain tuple of their values,
        which the history and the trace's ops keep as it is (one record object for both);
        the dict is made when the record is read (trace.recorded_call())."""
        if self._unrecorded_depth:
            return
        record = (op, args)
        history = self._history
        if history is not None:
            if self.history_limit is not None and len(history) >= self.history_limit:
                self._history = None         # past the bound: the prefix is lost for good
            else:
                history.append(record)
        trace = self.vm.trace
        if trace is not None:
            trace.ops.append(record)         # the same record: no object of the trace's own

    @contextmanager
    def _unrecorded(self):
        """Inner public calls of a recorded operation are not recorded again."""
        self._unrecorded_depth += 1
        try:
            yield
        finally:
            self._unrecorded_depth -= 1

    def _after(self):
        """The debug check after a public call (check(), with debug=True).  The allocation
        and free paths test ``self.debug`` before calling it: one test per call there."""
        if self.debug:
            self.check()

    def page_zone(self, pfn):
        """page_zone(): the zone a pfn belongs to (None outside every zone)."""
        if not 0 <= pfn < self.mm.nr_pfns:
            return None
        zi = self.mm.zone_id[pfn]
        return None if zi == NO_ZONE else self.zones[zi]

    def zone(self, nid, name):
        """The zone called `name` on node `nid`."""
        self._nid(nid)
        names = self.kernel.ZONE_NAMES
        if name not in names:
            raise LayoutError("unknown zone name %r (zones are %s)" % (name, ", ".join(names)))
        return self.nodes[nid].node_zones[names.index(name)]

    @property
    def nr_pfns(self):
        """The number of pfns the machine spans (all nodes, holes included)."""
        return self.mm.nr_pfns

    # -------------------------------------------------------------- allocation
    def alloc_pages(self, gfp_mask, order=0, cpu=0):
        """alloc_pages(): 2^order contiguous pages on the calling CPU's node, or None.

        Kernel: alloc_pages() -> alloc_pages_current() (default memory policy:
        the local node) -> __alloc_pages_nodemask() in mm/page_alloc.c.
        """
        return self._alloc(gfp_mask, order, cpu, None, "alloc_pages")

    def alloc_page(self, gfp_mask, cpu=0):
        """alloc_page(): alloc_pages(gfp_mask, 0)."""
        return self._alloc(gfp_mask, 0, cpu, None, "alloc_pages")

    def alloc_pages_node(self, nid, gfp_mask, order=0, cpu=0):
        """alloc_pages_node(): prefer node `nid` (-1, NUMA_NO_NODE: the CPU's node)."""
        return self._alloc(gfp_mask, order, cpu, nid, "alloc_pages_node")

    def _alloc(self, gfp_mask, order, cpu, nid, name):
        _check_order(order)
        self._cpu(cpu)
        if name == "alloc_pages" or (_is_int(nid) and nid == -1):   # NUMA_NO_NODE: CPU's node
            nid = self.cpu_to_node[cpu]
        else:
            self._nid(nid)
        gfp_mask = self._gfp(gfp_mask)
        if name == "alloc_pages_node":
            self._record_args(name, (nid, gfp_mask, order, cpu))
        else:
            self._record_args("alloc_pages", (gfp_mask, order, cpu))
        # the kernel path gets the plain int: each of its flag tests (gfp_mask & __GFP_X) is
        # then one int operation, not a call of gfp_t.__and__ building another gfp_t
        res = self.kernel.alloc_pages_nodemask(self, int(gfp_mask), order, nid, cpu)
        if self.debug:
            self._after()
        return _model_page(res[1]) if res else None

    def page_address(self, page):
        """page_address(): the page's address in the direct map."""
        pfn = self._pfn_of(page)
        return PAGE_OFFSET + (pfn << mz.PAGE_SHIFT)

    def virt_to_page(self, addr):
        """virt_to_page(): the page holding a direct-map address."""
        if isinstance(addr, bool) or not isinstance(addr, int) or addr < PAGE_OFFSET \
                or (addr - PAGE_OFFSET) >> mz.PAGE_SHIFT >= self.mm.nr_pfns:
            raise BadFreeError("%r is not a direct-map address of this machine "
                               "(virt_addr_valid() fails)" % (addr,))
        return Page((addr - PAGE_OFFSET) >> mz.PAGE_SHIFT)

    def _get_free_pages(self, gfp_mask, order=0, cpu=0):
        """__get_free_pages(): the page's direct-map address, 0 on failure.  __GFP_HIGHMEM is a
        VM_BUG_ON in v4.18; v6.18 clears it before anything reads the mask
        (get_free_pages_noprof(), mm/page_alloc.c, v6.18)."""
        highmem = _gfp_bit(self.kernel, "__GFP_HIGHMEM")
        if self.kernel.get_free_pages_clears_highmem and _is_int(gfp_mask):
            gfp_mask = int(gfp_mask) & ~int(highmem)
        gfp_mask = self._gfp(gfp_mask)
        if gfp_mask & highmem:
            raise BadGfpError("__get_free_pages() with __GFP_HIGHMEM: a highmem page has no "
                              "kernel address (VM_BUG_ON)")
        page = self.alloc_pages(gfp_mask, order, cpu)
        return 0 if page is None else self.page_address(page)

    def _gfp_or(self, gfp_mask, bits):
        """gfp_mask | bits, as a wrapper of __get_free_pages() passes it on: v4.18 checks the
        mask here already; v6.18 only after get_free_pages_noprof() cleared __GFP_HIGHMEM."""
        if self.kernel.get_free_pages_clears_highmem and _is_int(gfp_mask) and gfp_mask >= 0:
            return int(gfp_mask) | int(bits)
        return self._gfp(gfp_mask) | bits

    def _get_free_page(self, gfp_mask, cpu=0):
        return self._get_free_pages(gfp_mask, 0, cpu)

    def get_zeroed_page(self, gfp_mask, cpu=0):
        """get_zeroed_page(): __get_free_pages(gfp_mask | __GFP_ZERO, 0)."""
        return self._get_free_pages(self._gfp_or(gfp_mask, _gfp_bit(self.kernel, "__GFP_ZERO")),
                                    0, cpu)

    def _get_dma_pages(self, gfp_mask, order=0, cpu=0):
        return self._get_free_pages(self._gfp_or(gfp_mask, self.kernel.gfp.GFP_DMA), order, cpu)

    # -------------------------------------------------------------------- free
    def _pfn_of(self, page):
        if isinstance(page, Page):
            pfn = page.pfn
        elif isinstance(page, int) and not isinstance(page, bool):
            pfn = page
        else:
            raise BadFreeError("not a page: %r" % (page,))
        if not 0 <= pfn < self.mm.nr_pfns:
            raise BadFreeError("pfn %d is outside this machine (pfns 0..%d)"
                               % (pfn, self.mm.nr_pfns - 1))
        return pfn

    def _check_free(self, pfn, order):
        mm = self.mm
        st = mm.state[pfn]
        if st == FREE:
            raise BadFreeError("double free: pfn %d is already free (in a buddy free block)" % pfn)
        if st == PCP:
            head = pfn
            while mm.onlist[head] < 0:      # inside a high-order pcp block (v6.18)
                head -= 1
            cpu = mm.head_owner(mm.onlist[head]).cpu
            raise BadFreeError("double free: pfn %d is already free (on cpu %d's pcp list)"
                               % (pfn, cpu))
        if st in (HOLE, RESERVED):
            raise BadFreeError("pfn %d was never allocated (it is %s)" % (pfn, STATE_NAMES[st]))
        if pfn not in self.allocated:
            head = next(p for p in range(pfn, -1, -1) if p in self.allocated)
            raise BadFreeError("pfn %d is not the head of an allocation: it lies inside the "
                               "order-%d block allocated at pfn %d"
                               % (pfn, self.allocated[head][0], head))
        got = self.allocated[pfn][0]
        if order != got:
            raise BadFreeError("wrong order: pfn %d was allocated with order %d, freed with "
                               "order %d" % (pfn, got, order))
        if self.owners is not None and pfn in self.owners.by_pfn and mm.refcount[pfn] == 1:
            raise BadFreeError("pfn %d is held by %r: free it with its owner's free(handle); "
                               "dropping the owner's last reference here would leave the owners' "
                               "registry pointing at a free page" % (pfn, self.owners.by_pfn[pfn]))

    def _free_pages(self, page, order=0, cpu=0):
        """__free_pages(): drop a reference; at zero the block is freed.

        Kernel: __free_pages() in mm/page_alloc.c: order 0 goes to this CPU's
        pcp list (free_unref_page), larger orders straight to the buddy lists
        (__free_pages_ok).
        """
        _check_order(order)
        if order >= self.max_order:
            raise BadOrderError("order %d >= MAX_ORDER %d cannot have been allocated"
                                % (order, self.max_order))
        self._cpu(cpu)
        pfn = self._pfn_of(page)
        self._check_free(pfn, order)
        self._record_args("free_pages", (page if type(page) is Page else Page(pfn), order, cpu))
        self._put_page(pfn, order, cpu)
        if self.debug:
            self._after()

    def _put_page(self, pfn, order, cpu):
        """put_page() of an allocated block's head: drop a reference, free it at zero."""
        self.mm.refcount[pfn] -= 1
        if self.mm.refcount[pfn] == 0:
            self.kernel.free_pages_core(self, self.page_zone(pfn), pfn, order, cpu)

    def _free_page(self, page, cpu=0):
        return self._free_pages(page, 0, cpu)

    def free_pages(self, page_or_addr, order=0, cpu=0):
        """free_pages(): free a block given as a Page, a pfn or a direct-map address.

        Kernel: free_pages(addr, order) is ``if (addr) __free_pages(virt_to_page(addr),
        order)``; the model also takes the Page itself (the public contract).
        """
        if type(page_or_addr) is not Page:
            if isinstance(page_or_addr, int) and not isinstance(page_or_addr, bool) \
                    and page_or_addr >= PAGE_OFFSET:
                page_or_addr = self.virt_to_page(page_or_addr)
            elif page_or_addr == 0 and not isinstance(page_or_addr, Page):
                return
        return self._free_pages(page_or_addr, order, cpu)

    def free_page(self, page_or_addr, cpu=0):
        """free_page(): free_pages(addr, 0)."""
        return self.free_pages(page_or_addr, 0, cpu)

    def get_page(self, page):
        """get_page(): take one more reference on an allocated block's head page.

        A pinned page (refcount above what its owner holds) is never reclaimed
        and never migrated: the kernel's reclaim cannot freeze its refcount
        (__remove_mapping() in mm/vmscan.c, v4.18) and migration finds an
        unexpected refcount (migrate_page_move_mapping() in mm/migrate.c,
        v4.18, returns -EAGAIN).  Drop the pin with free_pages().
        """
        pfn = self._pfn_of(page)
        if pfn not in self.allocated:
            raise BadFreeError("get_page(): pfn %d is not the head of an allocation" % pfn)
        self._record("get_page", page=Page(pfn))
        self.mm.refcount[pfn] += 1

    # ------------------------------------------------------------- pcp drains
    def drain_pages_zone(self, cpu, nid, zone_name):
        """drain_pages_zone(): empty one CPU's pcp lists of one zone."""
        self._cpu(cpu)
        z = self.zone(nid, zone_name)
        self._record("drain_pages_zone", cpu=cpu, nid=nid, zone_name=zone_name)
        self.kernel.drain_pages_zone(z, z.pageset[cpu])
        self._after()

    def drain_pages(self, cpu):
        """drain_pages(): empty one CPU's pcp lists in every zone."""
        self._cpu(cpu)
        self._record("drain_pages", cpu=cpu)
        for z in self.zones:
            self.kernel.drain_pages_zone(z, z.pageset[cpu], reason="drain_pages")
        self._after()

    def drain_all_pages(self):
        """drain_all_pages(NULL): every CPU, every zone (CPU by CPU)."""
        self._record("drain_all_pages")
        self.kernel.drain_all_pages(self.zones, self.nr_cpus)
        self._after()

    def refresh_cpu_vm_stats(self, cpu=0):
        """One pass of the vmstat worker on `cpu` (vmstat_update(), every stat_interval).

        Kernel: refresh_cpu_vm_stats() in mm/vmstat.c.  v6.18: decay_pcp_high() on
        this CPU's pcp of every populated zone (high drops by an eighth, the pages
        above it go back to the buddy lists).  v4.18 has no decay; its only pcp work
        there, draining a remote node's pcp after three idle passes, is not modelled
        (refresh_cpu_vm_stats() in kernels/v4_18/pcp.py and kernels/v6_18/pcp.py says
        why).  The model runs the worker only when called.  Returns whether anything
        changed.
        """
        self._cpu(cpu)
        self._record("refresh_cpu_vm_stats", cpu=cpu)
        changed = self.kernel.refresh_cpu_vm_stats(self.zones, cpu)
        self._after()
        return changed

    # ----------------------------------------------------------------- sysctls
    def set_min_free_kbytes(self, value, _record=True):
        """Write /proc/sys/vm/min_free_kbytes: recompute every watermark (not lowmem_reserve)."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BuddyLabError("min_free_kbytes must be an int >= 0, got %r" % (value,))
        if _record:
            self._record("set_min_free_kbytes", value=value)
        self.min_free_kbytes = value
        self.kernel.setup_per_zone_wmarks(self.zones, value, self.watermark_scale_factor)

    def set_watermark_scale_factor(self, value):
        """Write /proc/sys/vm/watermark_scale_factor (1..1000; v6.18 1..3000): recompute
        watermarks."""
        self._validate_sysctls(value, self.lowmem_reserve_ratio, 0, None)
        self._record("set_watermark_scale_factor", value=value)
        self.watermark_scale_factor = value
        self.kernel.setup_per_zone_wmarks(self.zones, self.min_free_kbytes, value)

    def set_lowmem_reserve_ratio(self, ratio):
        """Write /proc/sys/vm/lowmem_reserve_ratio: recompute every zone's protection.

        Kernel: lowmem_reserve_ratio_sysctl_handler() and
        setup_per_zone_lowmem_reserve() in mm/page_alloc.c (v4.18).  The table
        has MAX_NR_ZONES entries (DMA, DMA32, Normal, Movable; default 256 256
        32 0); an entry < 1 that protects a lower zone (all but the last) is
        stored back as 0.  The model takes the whole table (the kernel also
        accepts a shorter write, which leaves the remaining entries as they
        were).
        """
        ratio = _as_tuple(ratio, "lowmem_reserve_ratio")      # validated before any change
        self._validate_sysctls(10, ratio, 0, None)
        ratio = tuple(r if r >= 1 or idx == len(ratio) - 1 else 0
                      for idx, r in enumerate(ratio))
        self._record("set_lowmem_reserve_ratio", ratio=ratio)
        self.lowmem_reserve_ratio = ratio
        for node in self.nodes:
            self.kernel.setup_per_zone_lowmem_reserve(node.node_zones, ratio)

    def set_percpu_pagelist_fraction(self, value):
        """Write /proc/sys/vm/percpu_pagelist_fraction (0, or >= 8): the classic kernel's.

        Kernel: percpu_pagelist_fraction_sysctl_handler() in mm/page_alloc.c
        (v4.18): writing the current value changes nothing ("No change?");
        otherwise every possible CPU of every populated zone gets high =
        managed / fraction and batch = max(1, high/4) capped at 96; 0 goes
        back to zone_batchsize(), of today's managed pages.  The sysctl was
        removed in 5.14: a modern machine refuses it (BadParameterError), and
        takes set_percpu_pagelist_high_fraction() instead.
        """
        self._set_pcp_fraction("percpu_pagelist_fraction", value)

    def set_percpu_pagelist_high_fraction(self, value):
        """Write /proc/sys/vm/percpu_pagelist_high_fraction (0, or >= 8): the modern kernel's.

        Kernel: percpu_pagelist_high_fraction_sysctl_handler() in mm/page_alloc.c
        (v6.18): writing the current value changes nothing ("No change?");
        otherwise zone_set_pageset_high_and_batch(zone, 0) on every populated
        zone: a fraction sets high_min = high_max = managed / fraction / (CPUs of
        the node), at least 4 batches, which turns pcp->high auto-tuning off; 0
        goes back to high_min from the low watermark and high_max from managed / 8.
        The batch is zone_batchsize() either way.  A classic machine (v4.18, whose
        sysctl is percpu_pagelist_fraction) refuses it (BadParameterError).
        """
        self._set_pcp_fraction("percpu_pagelist_high_fraction", value)

    def _set_pcp_fraction(self, name, value, _record=True):
        """The pcp sysctl write shared by both names; `name` must be the kernel's."""
        if name != self.kernel.pcp_fraction_sysctl:
            raise BadParameterError(
                "set_%s(): the %s kernel has no %s sysctl; write %s with set_%s()"
                % (name, self.kernel.version, name, self.kernel.pcp_fraction_sysctl,
                   self.kernel.pcp_fraction_sysctl))
        self._validate_sysctls(self.watermark_scale_factor, self.lowmem_reserve_ratio, value, None)
        if _record:
            self._record("set_" + name, value=value)
        if value == self.percpu_pagelist_fraction:
            return
        self.percpu_pagelist_fraction = value
        for z in self.zones:
            if z.populated():
                for p in z.pageset.values():
                    self.kernel.pageset_set_high_and_batch(z, p, value)

    # --------------------------------------------------------------- isolation
    def _isolation_blocks(self, start_pfn, end_pfn, migratetype):
        """The (zone, pfn) of each pageblock of an isolation range, after every check.

        Kernel: start_isolate_page_range() BUG_ONs on a range that is not
        pageblock-aligned; its callers pass more: alloc_contig_range() aligns
        the range to max(MAX_ORDER_NR_PAGES, pageblock_nr_pages)
        (pfn_max_align_down()/pfn_max_align_up() in mm/page_alloc.c, v4.18) and
        memory offlining works on whole sections inside one zone
        (test_pages_in_a_zone()).  So the model refuses a range boundary that a
        free block could straddle (not a multiple of MAX_ORDER_NR_PAGES and not
        a zone boundary), and a pageblock not inside one zone; either would
        leave free pages of an "isolated" block on the other lists
        (move_freepages_block() moves only the free blocks that start inside).
        """
        nr = self.pageblock_nr_pages
        for v in (start_pfn, end_pfn):
            if not _is_int(v):
                raise BuddyLabError("pfn range bounds must be ints, got %r" % (v,))
        if not _is_int(migratetype) or migratetype not in ISOLATION_MIGRATETYPES:
            raise BuddyLabError("migratetype must be one of %s, got %r"
                                % (", ".join("MIGRATE_%s" % mz.MIGRATETYPE_NAMES[t].upper()
                                             for t in ISOLATION_MIGRATETYPES), migratetype))
        if start_pfn % nr or end_pfn % nr or not 0 <= start_pfn < end_pfn <= self.mm.nr_pfns:
            raise BuddyLabError("isolation works on whole pageblocks: %d-%d must be aligned to %d "
                                "and inside memory" % (start_pfn, end_pfn, nr))
        align = 1 << (self.max_order - 1)
        edges = {e for z in self.zones for e in (z.zone_start_pfn, z.zone_end_pfn)}
        for v in (start_pfn, end_pfn):
            if v % align and v not in edges:
                raise BuddyLabError("isolation range %d-%d: %d is neither a multiple of "
                                    "MAX_ORDER_NR_PAGES (%d) nor a zone boundary; a free block "
                                    "could straddle it (alloc_contig_range() aligns the range "
                                    "first)" % (start_pfn, end_pfn, v, align))
        blocks = []
        for pfn in range(start_pfn, end_pfn, nr):
            zi = self.zone_of_pfn[pfn]
            if zi == NO_ZONE or self.zone_of_pfn[pfn:pfn + nr].count(zi) != nr:
                raise BuddyLabError("pageblock at pfn %d is not inside one zone: the kernel "
                                    "isolates only within a zone" % pfn)
            blocks.append((self.zones[zi], pfn))
        return blocks

    def start_isolate_page_range(self, start_pfn, end_pfn, migratetype=mz.MIGRATE_MOVABLE):
        """start_isolate_page_range(): mark pageblocks MIGRATE_ISOLATE.

        Kernel: start_isolate_page_range() / set_migratetype_isolate() in
        mm/page_isolation.c (v4.18).  Each block's free pages move to the
        ISOLATE lists and leave NR_FREE_PAGES; then every CPU's pcp lists of
        the zone are drained.  A block already isolated, or holding an
        unmovable page (reserved, or a hole), makes the whole call fail with
        BusyError (-EBUSY); the model checks every block before changing any
        (the kernel isolates block by block and undoes on failure: the same
        end state).  The range rules are _isolation_blocks()'s.  Two
        neighbouring isolated blocks may stay unmerged: a page drained from a
        pcp list into the first block cannot merge across the pageblock
        boundary with a not-yet-isolated neighbour (__free_one_page()).
        """
        blocks = self._isolation_blocks(start_pfn, end_pfn, migratetype)
        mm = self.mm
        for z, pfn in blocks:
            if mm.get_pageblock_migratetype(pfn) == mz.MIGRATE_ISOLATE:
                raise BusyError("pageblock at pfn %d is already isolated (-EBUSY)" % pfn)
            bad = self.kernel.has_unmovable_pages(z, pfn, migratetype)
            if bad is not None:
                raise BusyError("pageblock at pfn %d holds an unmovable page at pfn %d (-EBUSY)"
                                % (pfn, bad))
        self._record("start_isolate_page_range", start_pfn=start_pfn, end_pfn=end_pfn,
                     migratetype=migratetype)
        for z, pfn in blocks:
            self.kernel.set_migratetype_isolate(z, pfn, self.nr_cpus)
        self._after()

    def undo_isolate_page_range(self, start_pfn, end_pfn, migratetype=mz.MIGRATE_MOVABLE):
        """undo_isolate_page_range(): give isolated pageblocks back to `migratetype`.

        Kernel: unset_migratetype_isolate() in mm/page_isolation.c (v4.18).  A
        free block of pageblock order or more at the block's start is taken out
        and freed again so that it can merge; otherwise the free pages move
        back and count in NR_FREE_PAGES again.
        """
        blocks = self._isolation_blocks(start_pfn, end_pfn, migratetype)
        mm = self.mm
        self._record("undo_isolate_page_range", start_pfn=start_pfn, end_pfn=end_pfn,
                     migratetype=migratetype)
        for z, pfn in blocks:
            if mm.get_pageblock_migratetype(pfn) == mz.MIGRATE_ISOLATE:
                self.kernel.unset_migratetype_isolate(self, z, pfn, migratetype)
        self._after()

    # ------------------------------------------------- owners and compaction
    def owner(self, name, kthread=False, oom_score_adj=0):
        """A new modelled user (task or kernel thread) that allocates through handles.

        See buddylab.owners: its pages can be reclaimed, migrated by compaction
        and freed by the OOM killer.  The first call attaches the registry
        (``self.owners``); a machine without owners never pays for it.
        """
        check_owner_args(name, kthread, oom_score_adj)
        self._record("owner", name=name, kthread=kthread, oom_score_adj=oom_score_adj)
        if self.owners is None:
            self.owners = Owners(self)
        return self.owners.new_owner(name, kthread=kthread, oom_score_adj=oom_score_adj)

    def compact_memory(self):
        """Write 1 to /proc/sys/vm/compact_memory: compact every zone, whole zone.

        Kernel: sysctl_compaction_handler() -> compact_nodes() -> compact_node()
        in mm/compaction.c (order -1, MIGRATE_SYNC).  Returns a dict of counts.
        """
        if not self.compaction:
            raise BuddyLabError("/proc/sys/vm/compact_memory exists only with CONFIG_COMPACTION "
                                "(this machine has compaction=False)")
        self._record("compact_memory")
        res = compact_nodes(self)
        self._after()
        return res

    # ------------------------------------------------------------------ host
    @classmethod
    def from_host(cls, root="/proc", kernel="classic"):
        """A model of the machine whose /proc lies at `root` (see buddylab.host).

        Nodes, zones (spanned, present, managed), CPUs and the allocator
        sysctls are read from zoneinfo and sys/vm; ``m.host`` keeps what was read.
        ``kernel="modern"`` models a 6.x host with the v6.18 rules (every zone,
        Device included; promo; pcp high_min/high_max).
        """
        return build_machine(cls, read_host(root, kernel=get_kernel(kernel)))

    # ------------------------------------------------------------------ views
    def zonelist(self, nid, gfp_mask):
        """The _zonerefs of node nid's zonelist for gfp_mask, as (nid, zone name).

        FALLBACK, or NOFALLBACK for __GFP_THISNODE; walk order, terminator
        omitted, not filtered by the request's zone index.
        """
        self._nid(nid)
        if isinstance(gfp_mask, bool) or not isinstance(gfp_mask, int) or gfp_mask < 0 \
                or gfp_mask & ~self.kernel.gfp._GFP_BITS_MASK:
            raise BadGfpError("not a GFP mask: %r" % (gfp_mask,))
        which = (mz.ZONELIST_NOFALLBACK if gfp_mask & _gfp_bit(self.kernel, "__GFP_THISNODE")
                 else mz.ZONELIST_FALLBACK)
        return [(z.nid, z.name) for z in self.nodes[nid].node_zonelists[which]]

    def snapshot(self):
        """A MachineSnapshot: every zone's free lists, allocations, pcps and settings."""
        return take_snapshot(self)

    def zone_snapshot(self, nid, name):
        """One ZoneSnapshot (see buddylab.snapshot)."""
        return zone_snapshot(self, self.zone(nid, name))

    def buddyinfo(self):
        """The text of /proc/buddyinfo."""
        return self.kernel.buddyinfo(self.snapshot())

    def pagetypeinfo(self):
        """The text of /proc/pagetypeinfo (in the layout of the machine's kernel)."""
        return self.kernel.pagetypeinfo(self.snapshot())

    def zoneinfo(self):
        """The text of /proc/zoneinfo (in the layout of the machine's kernel)."""
        return self.kernel.zoneinfo(self.snapshot())

    def extfrag_index(self):
        """The text of debugfs extfrag/extfrag_index."""
        return self.kernel.extfrag_index(self.snapshot())

    def unusable_index(self):
        """The text of debugfs extfrag/unusable_index."""
        return self.kernel.unusable_index(self.snapshot())

    def nr_free_pages(self):
        """global NR_FREE_PAGES: the sum over zones (pcp pages not included)."""
        return sum(z.NR_FREE_PAGES for z in self.zones)

    # ------------------------------------------------------------------ trace
    def start_trace(self, kinds=None):
        """Start recording events (all, or only the names in `kinds`); returns the Trace.

        `kinds` is None or a list/tuple/set of event names (trace.EVENT_NAMES).
        The trace keeps the calls made since boot (``prefix``) so that
        replay() can rebuild the state it started from; past the machine's
        history_limit that record is gone and ``prefix`` is None.
        """
        kinds = check_kinds(kinds, self.kernel.EVENTS)
        self.trace = Trace(machine_args=dict(self._args), kinds=kinds, schema=self.kernel.EVENTS)
        self.trace.prefix = None if self._history is None else OpList(self._history)
        return self.trace

    def stop_trace(self):
        """Stop recording; returns the Trace."""
        t, self.trace = self.trace, None
        return t

    # ------------------------------------------------------------------ check
    def check(self):
        """Every invariant, or InvariantError naming the first one broken.

        Alignment and zone of every free block, PageBuddy only on heads,
        nr_free = list lengths, no pfn on two lists or in two roles,
        conservation (free + pcp + allocated = managed), NR_FREE_PAGES = the
        pages on non-isolate lists, pcp count = list lengths, every free block
        fully merged (unless isolation forbade it), pageblock counts.
        """
        check_machine(self)


# kernel spellings whose leading double underscore a class body would mangle
setattr(Machine, "__free_pages", Machine._free_pages)
setattr(Machine, "__free_page", Machine._free_page)
setattr(Machine, "__get_free_pages", Machine._get_free_pages)
setattr(Machine, "__get_free_page", Machine._get_free_page)
setattr(Machine, "__get_dma_pages", Machine._get_dma_pages)
