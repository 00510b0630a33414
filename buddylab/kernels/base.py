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
    # zones (include/linux/mmzone.h enum zone_type)
    ("ZONE_NAMES", "const", "enum zone_type's names, in order (MAX_NR_ZONES entries)"),
    ("EMPTY_ZONES", "const", "zones that never hold buddy pages (v6.18: Device)"),
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
    ("lowmem_kbytes", "func", "nr_free_buffer_pages() in kB at boot, from a zonelist"),
    ("setup_per_zone_wmarks", "func", "__setup_per_zone_wmarks()"),
    ("set_recommended_min_free_kbytes", "func",
     "mm/khugepaged.c set_recommended_min_free_kbytes() at khugepaged's start"),
    ("setup_per_zone_lowmem_reserve", "func", "setup_per_zone_lowmem_reserve()"),
    ("zone_batchsize", "func", "zone_batchsize()"),
    ("pageset_set_high_and_batch", "func", "pageset_set_high_and_batch()"),
    ("zonerefs_zone_ok", "func", "build_zonerefs_node()'s test of a zone"),
    ("get_free_pages_clears_highmem", "const",
     "__get_free_pages(): clears __GFP_HIGHMEM (True) or VM_BUG_ON (False)"),
    ("node_load_accumulates", "const", "build_zonelists(): node_load[] += 1 (True) or = load"),
    # the buddy lists (mm/page_alloc.c)
    ("find_buddy_pfn", "func", "__find_buddy_pfn()"),
    ("rmqueue_smallest", "func", "__rmqueue_smallest()"),
    ("expand", "func", "expand()"),
    ("rmqueue", "func", "__rmqueue()"),
    ("free_one_page", "func", "free_one_page() -> __free_one_page()"),
    ("rmv_page_order", "func", "rmv_page_order()"),
    ("set_pageblock_migratetype", "func", "set_pageblock_migratetype()"),
    ("move_freepages_block", "func", "move_freepages_block()"),
    ("find_suitable_fallback", "func", "find_suitable_fallback(): the fallback type (>= 0), "
                                       "or < 0 when there is none"),
    ("reserve_highatomic_pageblock", "func", "reserve_highatomic_pageblock()"),
    ("unreserve_highatomic_pageblock", "func", "unreserve_highatomic_pageblock()"),
    # per-cpu lists (mm/page_alloc.c)
    ("rmqueue_pcplist", "func", "rmqueue_pcplist()"),
    ("free_unref_page", "func", "free_unref_page()"),
    ("free_pcppages_bulk", "func", "free_pcppages_bulk()"),
    ("drain_pages_zone", "func", "drain_pages_zone()"),
    ("drain_all_pages", "func", "drain_all_pages()"),
    ("order_to_pindex", "func", "order_to_pindex(): the pcp list of (migratetype, order)"),
    ("pindex_to_order", "func", "pindex_to_order(): the order of a pcp list's blocks"),
    ("pcp_list_refill", "func", "rmqueue_bulk() of order-0 blocks onto one pcp list, pcp->count "
                                "raised as its caller (rmqueue_pcplist()) raises it"),
    ("pcp_high_decays", "const", "the vmstat worker decays pcp->high (decay_pcp_high(), v6.7+)"),
    ("refresh_cpu_vm_stats", "func", "refresh_cpu_vm_stats() (mm/vmstat.c): the vmstat "
                                     "worker's pass over one CPU's pcp lists"),
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
    ("memblock_free_pages", "func", "boot: one memblock run to the buddy lists (4.18 "
                                    "__free_pages_boot_core(), 6.18 __free_pages_core())"),
    # page isolation (mm/page_isolation.c, mm/page_alloc.c)
    ("has_unmovable_pages", "func", "has_unmovable_pages()"),
    ("set_migratetype_isolate", "func", "set_migratetype_isolate()"),
    ("unset_migratetype_isolate", "func", "unset_migratetype_isolate()"),
    # /proc layouts (mm/vmstat.c)
    ("buddyinfo", "func", "frag_show(): /proc/buddyinfo"),
    ("pagetypeinfo", "func", "pagetypeinfo_show(): /proc/pagetypeinfo"),
    ("zoneinfo", "func", "zoneinfo_show(): /proc/zoneinfo"),
    ("extfrag_index", "func", "extfrag_show(): debugfs extfrag/extfrag_index"),
    ("unusable_index", "func", "unusable_show(): debugfs extfrag/unusable_index"),
    # trace events (include/trace/events/kmem.h and the teaching events)
    ("EVENTS", "const", "{name: EventSpec}: every event this kernel's code emits"),
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


# ------------------------------------------------------------------------------- events
class EventSpec:
    """One trace event, declared once: its fields, how it prints, what it means.

    ``fields`` are exactly the keywords every ``trace.emit(name, ...)`` passes (in order);
    ``printk(f)`` is the tracepoint's TP_printk line (None: ``name: k=v ...``);
    ``explain(f)`` is one sentence in kernel words (None: the printk line); ``tracepoint``
    marks an include/trace/events/kmem.h event; ``block`` = (pfn field, order field or
    None) names the block a stepper outlines; ``step`` False: a stepper skips the event by
    default; ``doc`` is the line of the table in trace.py's docstring; ``convert`` maps a
    field to what its recorded value is made into when the Event is read (mm_page_alloc
    records gfp_flags as the plain int the allocation path carries; the Event holds the
    kernel's gfp_t, which prints as show_gfp_flags() does).
    """

    __slots__ = ("name", "fields", "printk", "explain", "tracepoint", "block", "step", "doc",
                 "convert")

    def __init__(self, name, fields, explain=None, printk=None, tracepoint=False, block=None,
                 step=True, doc="", convert=None):
        self.name, self.fields, self.explain, self.printk = name, tuple(fields), explain, printk
        self.tracepoint, self.block, self.step, self.doc = tracepoint, block, step, doc
        self.convert = convert or {}

    def __repr__(self):
        return "EventSpec(%r)" % self.name

    def event_fields(self, recorded):
        """The (name, value) pairs an Event holds, from the dict emit() recorded (``convert``
        applied)."""
        convert = self.convert
        if not convert:
            return tuple(recorded.items())
        return tuple((k, convert[k](v) if k in convert else v) for k, v in recorded.items())

    def format(self, ev):
        """The event as a line of text (the tracepoint's printk layout for a tracepoint)."""
        if self.printk is not None:
            return self.printk(ev.as_dict())
        return generic_line(ev)

    def explain_text(self, ev):
        """One sentence in kernel words saying what the event did."""
        if self.explain is not None:
            return self.explain(ev.as_dict())
        return self.format(ev)


def generic_line(ev):
    """``name: k=v k=v``, the fields in the order they were emitted."""
    return ev.name + ": " + " ".join("%s=%s" % (k, v) for k, v in ev.fields)


def events_table(specs):
    """{name: EventSpec}, refusing a name declared twice."""
    table = {}
    for spec in specs:
        if spec.name in table:
            raise ValueError("event %r declared twice" % spec.name)
        table[spec.name] = spec
    return table


#: the events shared code emits (compaction, reclaim, the OOM killer), worded alike in both
#: kernels; each kernel's table adds its own (the buddy lists, the pcp lists, the fast and
#: slow paths, the kmem tracepoints).
def _suitable_why(f):
    """Why compaction_suitable() decided as it did, in words (never "fragmentation index None")."""
    if f["fragindex"] is not None:
        return "fragmentation index %d" % f["fragindex"]
    if f["result"] == "skipped":
        return "free pages below the watermark plus compact_gap()"
    if f["result"] == "success":
        return "the zone already passes the watermark at this order"
    return "order %d is not costly: the extfrag index is not consulted" % f["order"]


COMMON_EVENTS = (
    EventSpec("kswapd_wake", ("nid", "zone", "order", "classzone_idx", "free_pages", "low", "high"),
              lambda f: "wakeup_kswapd(): node %d woken for order %d (zone %s free %d, low %d): "
                        "kswapd reclaims until the high watermark %d"
                        % (f["nid"], f["order"], f["zone"], f["free_pages"], f["low"], f["high"])),
    EventSpec("kswapd_sleep", ("nid", "order", "nr_reclaimed", "balanced"),
              lambda f: "kswapd(): node %d reclaimed %d pages and goes back to sleep (%s)"
                        % (f["nid"], f["nr_reclaimed"],
                           "balanced" if f["balanced"] else "not balanced")),
    EventSpec("reclaim_batch", ("nid", "who", "nr_reclaimed", "pfns"),
              lambda f: "shrink_node(): %s reclaims %d pages on node %d (first pfn %s)"
                        % (f["who"], f["nr_reclaimed"], f["nid"],
                           f["pfns"][0] if f["pfns"] else "-")),
    EventSpec("direct_reclaim", ("order", "progress"),
              lambda f: "__perform_reclaim(): direct reclaim for order %d freed %d pages"
                        % (f["order"], f["progress"])),
    EventSpec("direct_compact", ("order", "priority"),
              lambda f: "__alloc_pages_direct_compact(): order-%d compaction at priority %s"
                        % (f["order"], f["priority"])),
    EventSpec("compaction_suitable", ("nid", "zone", "order", "result", "fragindex"),
              lambda f: "compaction_suitable(): zone %s order %d -> %s (%s)"
                        % (f["zone"], f["order"], f["result"], _suitable_why(f))),
    EventSpec("compact_scanner", ("nid", "zone", "step", "migrate_pfn", "free_pfn",
                                  "nr_migratepages", "nr_freepages", "nr_migrated"),
              lambda f: "compact_zone(): %s; migrate scanner at pfn %d, free scanner at pfn %d, "
                        "%d pages migrated so far" % (f["step"], f["migrate_pfn"], f["free_pfn"],
                                                      f["nr_migrated"])),
    EventSpec("migrate_page", ("nid", "zone", "old_pfn", "new_pfn", "kind", "owner"),
              lambda f: "migrate_pages(): %s page of %s moves from pfn %d to pfn %d"
                        % (f["kind"], f["owner"], f["old_pfn"], f["new_pfn"])),
    EventSpec("compact_end", ("nid", "zone", "order", "mode", "result", "nr_migrated",
                              "migrate_scanned", "free_scanned"),
              lambda f: "compact_zone(): zone %s order %d %s ends %s: %d migrated, %d scanned by "
                        "the migrate scanner, %d by the free scanner"
                        % (f["zone"], f["order"], f["mode"], f["result"], f["nr_migrated"],
                           f["migrate_scanned"], f["free_scanned"])),
    EventSpec("kcompactd_wake", ("nid", "order", "classzone_idx"),
              lambda f: "wakeup_kcompactd(): node %d compacts for order %d"
                        % (f["nid"], f["order"])),
    EventSpec("oom_victim", ("victim", "points", "rss", "anon_pages", "swapents"),
              lambda f: "out_of_memory(): kills %s (oom_badness %d, rss %d pages)"
                        % (f["victim"], f["points"], f["rss"])),
    EventSpec("oom_no_victim", ("order", "what"),
              lambda f: "out_of_memory(): no killable task: %s" % f["what"]),
    EventSpec("oom_skip", ("reason",), lambda f: "out_of_memory(): %s" % f["reason"]),
)
