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
the head/tail semantics are the kernel's, in O(1).  ``onlist[pfn]`` is the id
of the list head the page is on (-1: none): not a kernel field, the kernel
finds the list from the page's flags and zone.

Each array is typed to its range, so a 64 GiB machine (16 M pfns) fits in
about 350 MB: 21 bytes a pfn (next and prev 4 each, refcount 4, zone_id 2,
onlist 2 while there are at most 32,767 list heads, and 4 from then on; five
one-byte fields).

>>> mm = MemMap(8, nr_heads=1, pageblock_order=2)
>>> mm.list_add(3, 0); mm.list_add(5, 0); mm.list_add_tail(7, 0)
>>> list(mm.iter_list(0))
[5, 3, 7]
>>> mm.first(0), mm.last(0)
(5, 7)
"""

import sys
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
ONLIST_SHORT_MAX = (1 << 15) - 1   # the largest head id a 16-bit `onlist` holds


def _self_links(n):
    """``array("i", range(n))``: slot i holds i, every list node linked to itself.

    Built 2^16 slots at a time from the bytes of one block, not from n Python ints (7x
    faster: most of a large machine's MemMap): block b is block 0 with b * 2^16 added to
    every slot, which is ONE big-integer addition over the block's bytes (no slot
    overflows into the next: every value is below 2^31).

    >>> _self_links(5) == array("i", range(5))
    True
    """
    block = 1 << 16
    out = array("i", [0]) * n
    raw = memoryview(out).cast("B")
    size = out.itemsize
    first = int.from_bytes(array("i", range(block)).tobytes(), sys.byteorder)
    step = int.from_bytes(array("i", [block]).tobytes() * block, sys.byteorder)
    for b in range(-(-n // block)):
        lo, hi = b * block * size, min(n, (b + 1) * block) * size
        raw[lo:hi] = (first + b * step).to_bytes(block * size, sys.byteorder)[:hi - lo]
    return out


class MemMap:
    """Per-pfn arrays for `nr_pfns` pages plus `nr_heads` list heads."""

    def __init__(self, nr_pfns, nr_heads, pageblock_order):
        self.nr_pfns = nr_pfns
        self.nr_heads = nr_heads
        self.pageblock_order = pageblock_order
        n = nr_pfns + nr_heads
        self.buddy = bytearray(nr_pfns)
        self.private = bytearray(nr_pfns)
        # array([x]) * n: one allocation of the final size, no n-long temporary
        self.refcount = array("i", [0]) * nr_pfns
        self.index = bytearray(nr_pfns)
        self.lru = bytearray(nr_pfns)
        self.state = bytearray(nr_pfns)
        self.onlist = array("h" if nr_heads <= ONLIST_SHORT_MAX + 1 else "i", [-1]) * nr_pfns
        # page_zone(): the machine-wide index of the pfn's zone (struct page keeps it in its
        # flags, page_zonenum() + page_to_nid()); NO_ZONE outside every zone
        self.zone_id = array("h", [NO_ZONE]) * nr_pfns
        self.next = _self_links(n)             # every node links to itself: on no list
        self.prev = array("i", self.next)      # the same values: a copy
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

        `onlist` holds head ids in 16 bits until a head id passes 32,767; then it is
        replaced by a 32-bit copy (during boot: nothing keeps the old array).
        """
        base = self.nr_heads
        if base + n - 1 > ONLIST_SHORT_MAX and self.onlist.typecode == "h":
            self.onlist = array("i", self.onlist)      # head ids past 16 bits: widen, once
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
        next_, prev = self.next, self.prev
        h = self.nr_pfns + head
        nxt = next_[h]
        next_[pfn] = nxt
        prev[pfn] = h
        prev[nxt] = pfn
        next_[h] = pfn
        self.onlist[pfn] = head
        self.list_len[head] += 1

    def list_add_tail(self, pfn, head):
        """list_add_tail(): insert at the tail of list `head`."""
        next_, prev = self.next, self.prev
        h = self.nr_pfns + head
        prv = prev[h]
        next_[pfn] = h
        prev[pfn] = prv
        next_[prv] = pfn
        prev[h] = pfn
        self.onlist[pfn] = head
        self.list_len[head] += 1

    def list_del(self, pfn):
        """list_del(): unlink pfn from whatever list holds it."""
        next_, prev, onlist = self.next, self.prev, self.onlist
        nxt = next_[pfn]
        prv = prev[pfn]
        next_[prv] = nxt
        prev[nxt] = prv
        next_[pfn] = pfn
        prev[pfn] = pfn
        self.list_len[onlist[pfn]] -= 1
        onlist[pfn] = -1

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
