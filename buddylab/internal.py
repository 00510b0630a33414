"""mm/internal.h: the structures the allocator's functions hand each other.

Kernel: struct alloc_context (mm/internal.h, v4.18), and the locals of
__alloc_pages_slowpath() that it passes by pointer to should_reclaim_retry() and
should_compact_retry() (mm/page_alloc.c, v4.18).  Both are the same in 4.18 and 6.18.
"""

from .node import first_zones_zonelist


class AllocContext:
    """struct alloc_context: zonelist, high_zoneidx, migratetype, preferred_zoneref.

    The preferred zoneref is two plain attributes, as the kernel's zoneref carries both:
    ``preferred``, its index into ``zonelist`` (len(zonelist): the terminator), and
    ``preferred_zone``, its ->zone (None for the terminator).  set_preferred_zoneref()
    sets them together; reading either is an attribute read, no call.
    """

    __slots__ = ("zonelist", "high_zoneidx", "migratetype", "preferred", "preferred_zone")

    def __init__(self, zonelist, high_zoneidx, migratetype):
        self.zonelist = zonelist
        self.high_zoneidx = high_zoneidx
        self.migratetype = migratetype
        self.set_preferred_zoneref(first_zones_zonelist(zonelist, high_zoneidx))

    def set_preferred_zoneref(self, i):
        """ac->preferred_zoneref = the zoneref at index i (first_zones_zonelist()'s answer)."""
        self.preferred = i
        self.preferred_zone = self.zonelist[i] if i < len(self.zonelist) else None

    def classzone_idx(self):
        """ac_classzone_idx(): the zone index of the preferred zoneref (0 for the terminator)."""
        z = self.preferred_zone
        return z.idx if z is not None else 0

    def zones(self, start=None):
        """for_each_zone_zonelist_nodemask(): zones with idx <= high_zoneidx."""
        first = first_zones_zonelist(self.zonelist, self.high_zoneidx) if start is None else start
        for z in self.zonelist[first:]:
            if z.idx <= self.high_zoneidx:
                yield z


class SlowpathState:
    """The slow path's retry counters: __alloc_pages_slowpath()'s locals passed by pointer.

    ``no_progress_loops`` (should_reclaim_retry()), ``compaction_retries`` and
    ``compact_priority`` (should_compact_retry()), as in mm/page_alloc.c (v4.18).

    >>> st = SlowpathState(compact_priority=2); st.no_progress_loops += 1
    >>> st
    SlowpathState(no_progress_loops=1, compaction_retries=0, compact_priority=2)
    """

    __slots__ = ("no_progress_loops", "compaction_retries", "compact_priority")

    def __init__(self, compact_priority, no_progress_loops=0, compaction_retries=0):
        self.no_progress_loops = no_progress_loops
        self.compaction_retries = compaction_retries
        self.compact_priority = compact_priority

    def __repr__(self):
        return "SlowpathState(no_progress_loops=%d, compaction_retries=%d, compact_priority=%d)" \
            % (self.no_progress_loops, self.compaction_retries, self.compact_priority)
