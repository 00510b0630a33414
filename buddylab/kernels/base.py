"""The seam between the shared model and a kernel version: class :class:`Kernel`.

A kernel version is one object, an instance of a subclass of :class:`Kernel` (``CLASSIC`` in
``buddylab/kernels/v4_18/kernel.py``).  It is stateless, a namespace shared by every machine
that runs it: all mutable state stays on ``Machine``, ``Zone``, ``PglistData``,
``PerCpuPages`` and ``MemMap``.  Shared code never asks which kernel it runs (no
``if kernel == ...``); it calls ``machine.kernel.<attribute>``.  Inside a version's package
functions call their siblings directly.

:data:`SEAM` lists every attribute once, with the kernel file it comes from; the base
class holds ``None`` for a constant and a method raising ``NotImplementedError`` for a
function, and ``tests/test_kernels.py`` checks that every running kernel fills each one.
"""

#: (attribute, "const" or "func", where the kernel has it): the seam, documented once.
SEAM = (
    # identity
    ("name", "const", "the profile's name: Machine(kernel=name)"),
    ("version", "const", "the Linux version modelled"),
    ("aliases", "const", "other names get_kernel() accepts"),
    # orders (include/linux/mmzone.h)
    ("NR_PAGE_ORDERS", "const", "free_area[] entries (MAX_ORDER in 4.18, NR_PAGE_ORDERS in 6.x)"),
    ("MAX_ORDER", "const", "the order bound under its version's name and meaning"),
    ("order_limit_inclusive", "const", "True when the bound names the largest order"),
    ("pageblock_order", "const", "pageblock_order (HUGETLB_PAGE_ORDER on x86_64)"),
    ("PAGE_ALLOC_COSTLY_ORDER", "const", "include/linux/mmzone.h"),
    # migrate types (include/linux/mmzone.h, mm/page_alloc.c fallbacks[])
    ("MIGRATE_TYPES", "const", "enum migratetype"),
    ("MIGRATETYPE_NAMES", "const", "migratetype_names[] (mm/page_alloc.c)"),
    ("fallbacks", "const", "fallbacks[MIGRATE_TYPES] (mm/page_alloc.c)"),
    # per-cpu lists (include/linux/mmzone.h, mm/page_alloc.c)
    ("NR_PCP_LISTS", "const", "lists of a per_cpu_pages"),
    ("MIN_PERCPU_PAGELIST_FRACTION", "const", "the pcp fraction sysctl's minimum"),
    ("pcp_fraction_sysctl", "const", "that sysctl's name"),
    # watermarks (include/linux/mmzone.h enum zone_watermarks)
    ("NR_WMARK", "const", "watermarks per zone"),
    ("WMARK_NAMES", "const", "their names, in enum order"),
    # flag encodings
    ("gfp", "const", "the module of GFP bits and helpers (include/linux/gfp.h)"),
    ("alloc_flags", "const", "the module of ALLOC_* values and alloc_flags_str (mm/internal.h)"),
    ("kind_gfp", "const", "the GFP mask of each owner kind"),
    # sysctl ranges and defaults (kernel/sysctl.c, mm/page_alloc.c)
    ("watermark_scale_factor_max", "const", "vm.watermark_scale_factor's maximum"),
    ("min_free_kbytes_max", "const", "the clamp of the boot min_free_kbytes"),
    ("DEFAULT_LOWMEM_RESERVE_RATIO", "const", "sysctl_lowmem_reserve_ratio[] at boot"),
    # formulas (mm/page_alloc.c)
    ("default_min_free_kbytes", "func", "init_per_zone_wmark_min()'s rule, from lowmem kbytes"),
    ("setup_per_zone_wmarks", "func", "__setup_per_zone_wmarks()"),
    ("setup_per_zone_lowmem_reserve", "func", "setup_per_zone_lowmem_reserve()"),
    ("zone_batchsize", "func", "zone_batchsize()"),
    ("pageset_set_high_and_batch", "func", "pageset_set_high_and_batch()"),
    ("zonerefs_zone_ok", "func", "build_zonerefs_node()'s test of a zone"),
    # the buddy lists (mm/page_alloc.c)
    ("find_buddy_pfn", "func", "__find_buddy_pfn()"),
    ("rmqueue_smallest", "func", "__rmqueue_smallest()"),
    ("expand", "func", "expand()"),
    ("rmqueue", "func", "__rmqueue()"),
    ("free_one_page", "func", "free_one_page() -> __free_one_page()"),
    ("rmv_page_order", "func", "rmv_page_order()"),
    ("set_pageblock_migratetype", "func", "set_pageblock_migratetype()"),
    ("move_freepages_block", "func", "move_freepages_block()"),
    ("find_suitable_fallback", "func", "find_suitable_fallback()"),
    ("reserve_highatomic_pageblock", "func", "reserve_highatomic_pageblock()"),
    ("unreserve_highatomic_pageblock", "func", "unreserve_highatomic_pageblock()"),
    # per-cpu lists (mm/page_alloc.c)
    ("rmqueue_pcplist", "func", "rmqueue_pcplist()"),
    ("free_unref_page", "func", "free_unref_page()"),
    ("free_pcppages_bulk", "func", "free_pcppages_bulk()"),
    ("drain_pages_zone", "func", "drain_pages_zone()"),
    ("drain_all_pages", "func", "drain_all_pages()"),
    # watermark checks (mm/page_alloc.c)
    ("zone_watermark_ok_full", "func", "__zone_watermark_ok()"),
    ("zone_watermark_ok", "func", "zone_watermark_ok()"),
    ("zone_watermark_fast", "func", "zone_watermark_fast()"),
    # the allocator's entry points (mm/page_alloc.c)
    ("prepare_alloc_pages", "func", "prepare_alloc_pages()"),
    ("get_page_from_freelist", "func", "get_page_from_freelist()"),
    ("alloc_pages_nodemask", "func", "__alloc_pages_nodemask()"),
    ("alloc_pages_slowpath", "func", "__alloc_pages_slowpath()"),
    ("should_reclaim_retry", "func", "should_reclaim_retry()"),
    ("prep_new_page", "func", "prep_new_page()"),
    ("free_pages_core", "func", "__free_pages() for one page run"),
    ("free_pages_ok", "func", "__free_pages_ok()"),
    # /proc layouts (mm/vmstat.c)
    ("buddyinfo", "func", "frag_show(): /proc/buddyinfo"),
    ("pagetypeinfo", "func", "pagetypeinfo_show(): /proc/pagetypeinfo"),
    ("zoneinfo", "func", "zoneinfo_show(): /proc/zoneinfo"),
    ("extfrag_index", "func", "extfrag_show(): debugfs extfrag/extfrag_index"),
    ("unusable_index", "func", "unusable_show(): debugfs extfrag/unusable_index"),
)

SEAM_NAMES = tuple(name for name, _, _ in SEAM)


def _unfilled(name, where):
    def missing(*args, **kwargs):
        raise NotImplementedError("this kernel does not define %s (%s)" % (name, where))
    missing.__name__ = name
    missing.unfilled = True
    return staticmethod(missing)


class Kernel:
    """One kernel version: its constants, formulas, layouts and the functions that differ.

    Subclasses set every name of :data:`SEAM`; functions are bound as ``staticmethod``s
    (a kernel object is a namespace, never ``self``-ful state).
    """

    for _name, _kind, _where in SEAM:
        locals()[_name] = None if _kind == "const" else _unfilled(_name, _where)
    del _name, _kind, _where

    def __repr__(self):
        return "<kernel %s (%s)>" % (self.name, self.version)

    def unfilled(self):
        """The seam's names this kernel leaves at the base's placeholder."""
        out = []
        for name, kind, _ in SEAM:
            v = getattr(self, name)
            if v is None if kind == "const" else getattr(v, "unfilled", False):
                out.append(name)
        return out
