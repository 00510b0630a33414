"""mem_map: per-pfn state in compact arrays, and the kernel's intrusive lists.

Kernel: struct page (include/linux/mm_types.h), include/linux/list.h,
include/linux/pageblock-flags.h.

One array per struct page field the buddy allocator uses, indexed by pfn:
``buddy`` (PageBuddy, set on the head page of a free block only), ``private``
(the order of that free block), ``refcount``, ``index`` (the "pcp
migratetype" that set_pcppage_migratetype() stores), ``lru`` (PageLRU: the
model's user pages) and ``state`` (which of free / pcp / allocated / reserved /
hole the page is in, for check() and for clear errors on bad frees).

Lists are ``list_head``s threaded through two arrays ``next``/``prev``: slot
``pfn`` is page pfn's ``lru`` link, slot ``nr_pfns + h`` is list head ``h``.
list_add() inserts right after the head, list_add_tail() right before it, so
the head/tail semantics are the kernel's, in O(1).

>>> mm = MemMap(8, nr_heads=1, pageblock_order=2)
>>> mm.list_add(3, 0); mm.list_add(5, 0); mm.list_add_tail(7, 0)
>>> list(mm.iter_list(0))
[5, 3, 7]
>>> mm.first(0), mm.last(0)
(5, 7)
"""

from array import array
from bisect import bisect_right

# page states (not a kernel field: the kernel derives this from flags and refcount)
HOLE = 0          # no struct page backing (a hole in the zone, or outside every zone)
RESERVED = 1      # PageReserved: present but never given to the buddy allocator
FREE = 2          # inside a free buddy block (the head alone has PageBuddy)
PCP = 3           # on a per-cpu list
ALLOCATED = 4     # inside an allocated block
STATE_NAMES = ("hole", "reserved", "free", "on a pcp list", "allocated")
NO_ZONE = -1      # zone_id of a pfn in no zone


class MemMap:
    """Per-pfn arrays for `nr_pfns` pages plus `nr_heads` list heads."""

    def __init__(self, nr_pfns, nr_heads, pageblock_order):
        self.nr_pfns = nr_pfns
        self.nr_heads = nr_heads
        self.pageblock_order = pageblock_order
        n = nr_pfns + nr_heads
        self.buddy = bytearray(nr_pfns)
        self.private = bytearray(nr_pfns)
        self.refcount = array("i", bytes(4 * nr_pfns))
        self.index = bytearray(nr_pfns)
        self.lru = bytearray(nr_pfns)
        self.state = bytearray(nr_pfns)
        self.onlist = array("i", [-1]) * nr_pfns
        # page_zone(): the machine-wide index of the pfn's zone (struct page keeps it in its
        # flags, page_zonenum() + page_to_nid()); NO_ZONE outside every zone
        self.zone_id = array("h", [NO_ZONE]) * nr_pfns
        self.next = array("i", range(n))       # every node links to itself: on no list
        self.prev = array("i", self.next)      # the same values: a copy, not a second range
        self.list_len = array("i", bytes(4 * nr_heads))
        self._head_bases = [0] if nr_heads else []   # first head id of each reservation
        self._head_owners = [None] if nr_heads else []
        nr_blocks = (nr_pfns >> pageblock_order) + 1
        self.pageblock = bytearray(nr_blocks)      # migratetype per pageblock

    # --- list heads: the one home of their ids --------------------------------
    def reserve_heads(self, n, owner):
        """Append `n` empty list heads owned by `owner`; returns the first head's id.

        A zone reserves its free_area lists, a pageset its pcp lists, in the order the
        machine builds them, so the ids are the same on every boot of a layout.

        >>> mm = MemMap(4, nr_heads=0, pageblock_order=1)
        >>> mm.reserve_heads(3, "zone"), mm.reserve_heads(2, "pcp"), mm.head_owner(4)
        (0, 3, 'pcp')
        """
        base = self.nr_heads
        slot = self.nr_pfns + base
        self.next.extend(range(slot, slot + n))
        self.prev.extend(range(slot, slot + n))
        self.list_len.extend(array("i", bytes(4 * n)))
        self.nr_heads += n
        self._head_bases.append(base)
        self._head_owners.append(owner)
        return base

    def head_owner(self, head):
        """The object that reserved list head `head` (a Zone, a PerCpuPages)."""
        return self._head_owners[bisect_right(self._head_bases, head) - 1]

    # --- include/linux/list.h ----------------------------------------------
    def list_add(self, pfn, head):
        """list_add(): insert at the head of list `head`."""
        h = self.nr_pfns + head
        nxt = self.next[h]
        self.next[pfn] = nxt
        self.prev[pfn] = h
        self.prev[nxt] = pfn
        self.next[h] = pfn
        self.onlist[pfn] = head
        self.list_len[head] += 1

    def list_add_tail(self, pfn, head):
        """list_add_tail(): insert at the tail of list `head`."""
        h = self.nr_pfns + head
        prv = self.prev[h]
        self.next[pfn] = h
        self.prev[pfn] = prv
        self.next[prv] = pfn
        self.prev[h] = pfn
        self.onlist[pfn] = head
        self.list_len[head] += 1

    def list_del(self, pfn):
        """list_del(): unlink pfn from whatever list holds it."""
        nxt = self.next[pfn]
        prv = self.prev[pfn]
        self.next[prv] = nxt
        self.prev[nxt] = prv
        self.next[pfn] = pfn
        self.prev[pfn] = pfn
        self.list_len[self.onlist[pfn]] -= 1
        self.onlist[pfn] = -1

    def list_move(self, pfn, head):
        """list_move(): unlink, then add at the head of `head`."""
        self.list_del(pfn)
        self.list_add(pfn, head)

    def first(self, head):
        """list_first_entry_or_null(): the head entry's pfn, or -1."""
        h = self.nr_pfns + head
        nxt = self.next[h]
        return -1 if nxt == h else nxt

    def last(self, head):
        """list_last_entry(): the tail entry's pfn, or -1."""
        h = self.nr_pfns + head
        prv = self.prev[h]
        return -1 if prv == h else prv

    def list_empty(self, head):
        """list_empty(): no entry on list `head`."""
        return self.list_len[head] == 0

    def iter_list(self, head):
        """Walk list `head` from head to tail (list_for_each_entry)."""
        h = self.nr_pfns + head
        p = self.next[h]
        nxt = self.next
        while p != h:
            yield p
            p = nxt[p]

    # --- pageblock-flags.h --------------------------------------------------
    def get_pageblock_migratetype(self, pfn):
        """get_pfnblock_migratetype(): the type bits of pfn's pageblock."""
        return self.pageblock[pfn >> self.pageblock_order]

    def set_pageblock_bits(self, pfn, mt):
        """set_pfnblock_flags_mask() for the migratetype bits (no policy)."""
        self.pageblock[pfn >> self.pageblock_order] = mt
