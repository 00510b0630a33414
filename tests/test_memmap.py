"""Tests of buddylab/memmap.py: the per-pfn arrays and the intrusive lists threaded through
them (include/linux/list.h semantics), at the sizes where their representation changes."""

from array import array

import pytest

from buddylab.memmap import MemMap, ONLIST_SHORT_MAX, _self_links


@pytest.mark.parametrize("n", [0, 1, 65535, 65536, 65537, 3 * 65536 + 5])
def test_self_links_is_the_identity(n):
    """Slot i of next/prev holds i (each node on no list), also across 2^16-slot blocks."""
    links = _self_links(n)
    assert links.typecode == "i" and len(links) == n
    assert links == array("i", range(n))


def test_fresh_memmap_every_page_on_no_list():
    """A fresh map: next[pfn] == prev[pfn] == pfn, onlist -1, heads empty, refcount 0."""
    mm = MemMap(70000, nr_heads=2, pageblock_order=9)
    for pfn in (0, 65535, 65536, 69999):
        assert mm.next[pfn] == mm.prev[pfn] == pfn
        assert mm.onlist[pfn] == -1 and mm.refcount[pfn] == 0
    assert mm.list_empty(0) and mm.first(1) == -1 and mm.last(1) == -1


def test_onlist_is_16_bit_until_a_head_id_needs_more():
    """Head ids up to 32767 fit the 16-bit onlist; reserving head 32768 widens it to 32 bits,
    keeping every page's list and the lists' order."""
    mm = MemMap(16, nr_heads=0, pageblock_order=2)
    assert mm.onlist.typecode == "h" and mm.onlist.itemsize == 2
    first = mm.reserve_heads(ONLIST_SHORT_MAX + 1, "zone")        # ids 0 .. 32767
    assert mm.onlist.typecode == "h"
    mm.list_add(3, first + ONLIST_SHORT_MAX)
    mm.list_add_tail(5, first + ONLIST_SHORT_MAX)
    big = mm.reserve_heads(1, "pcp")                               # id 32768
    assert big == ONLIST_SHORT_MAX + 1 == 32768
    assert mm.onlist.typecode == "i" and mm.onlist[3] == 32767 and mm.onlist[7] == -1
    mm.list_add(7, big)
    assert mm.onlist[7] == 32768 and list(mm.iter_list(big)) == [7]
    assert list(mm.iter_list(32767)) == [3, 5]
    mm.list_del(3)
    assert mm.onlist[3] == -1 and list(mm.iter_list(32767)) == [5]
    assert mm.head_owner(big) == "pcp" and mm.head_owner(0) == "zone"
