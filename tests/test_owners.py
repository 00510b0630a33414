"""Owners, pins and replay (issue 9): no pfn is ever held twice, a pinned page stays put, owner
operations replay as themselves, and nothing grows without bound."""
import warnings

import pytest

import buddylab as bl
from buddylab import reclaim as R
from buddylab.owners import ANON, FILE, KERNEL, SLAB, RESIDENT, SWAPPED, EVICTED


def quiet_machine(**kw):
    kw.setdefault("cpus_per_node", 1)
    return bl.Machine(nodes=[{"Normal": 1024}], max_order=6, pageblock_order=4, **kw)


# ------------------------------------------------------------------------------- pins
def test_a_pinned_page_is_never_reclaimed():
    """mm/vmscan.c, __remove_mapping(), v4.18: page_ref_freeze(page, 2) fails while someone
    else holds a reference, so shrink_page_list() keeps the page (cannot_free)."""
    m = quiet_machine(swap_pages=1024)
    t = m.owner("t")
    anon = [t.alloc(ANON) for _ in range(10)]
    cache = [t.alloc(FILE) for _ in range(10)]
    pinned = (anon[3], cache[5])
    for h in pinned:
        m.get_page(bl.Page(h.pfn))
    assert R.shrink_node(m, 0, bl.ZONE_NORMAL, 1000, 0, "test") == 18
    assert [h.state for h in pinned] == [RESIDENT, RESIDENT]
    assert all(h.state in (SWAPPED, EVICTED) for h in anon + cache if h not in pinned)
    m.check()
    for h in pinned:                                  # the pin dropped: reclaimable again
        m.free_pages(bl.Page(h.pfn), 0)
    assert R.shrink_node(m, 0, bl.ZONE_NORMAL, 1000, 0, "test") == 2
    m.check()


MOVABLE_AT = (1, 3, 4, 6, 9, 10, 13, 20, 25, 29, 30)


def compacted(pin):
    """32 pages, a task's pages at MOVABLE_AT, compact_memory(): where pfn 1's page ends up."""
    m = bl.Machine(nodes=[{"Normal": 32}], cpus_per_node=1, max_order=4, pageblock_order=3,
                   min_free_kbytes=0, page_group_by_mobility_disabled=False)
    task = m.owner("task")
    handles = [task.alloc(ANON) for _ in range(32)]
    first = next(h for h in handles if h.pfn == 1)
    for h in handles:
        if h.pfn not in MOVABLE_AT:
            task.free(h)
    m.drain_all_pages()
    if pin:
        m.get_page(bl.Page(1))
    nr = m.compact_memory()["nr_migrated"]
    m.check()
    return first.pfn, nr


def test_compaction_never_migrates_a_pinned_page():
    """mm/compaction.c, isolate_migratepages_block(), v4.18: an anonymous page with
    page_count() > page_mapcount() is pinned and not isolated; mm/migrate.c,
    migrate_page_move_mapping(), v4.18, refuses any page with an unexpected refcount."""
    pfn, nr = compacted(pin=False)
    assert pfn != 1 and nr == 5             # unpinned, the page at pfn 1 is migrated
    pfn, nr = compacted(pin=True)
    assert pfn == 1                         # pinned, it stays (another page moves instead)


def test_owner_free_of_a_pinned_page_leaves_it_allocated_until_the_pin_goes():
    m = quiet_machine()
    t = m.owner("t")
    h = t.alloc(ANON)
    pfn = h.pfn
    m.get_page(bl.Page(pfn))
    t.free(h)
    assert pfn in m.allocated and pfn not in m.owners.by_pfn and h not in t.handles
    m.check()
    m.free_pages(bl.Page(pfn), 0)           # put_page() of the pin frees it
    assert pfn not in m.allocated
    m.check()


def test_exit_with_a_pinned_page():
    m = quiet_machine()
    t = m.owner("t")
    hs = [t.alloc(ANON), t.alloc(KERNEL)]
    pfns = [h.pfn for h in hs]
    m.get_page(bl.Page(pfns[0]))
    t.exit()
    assert pfns[0] in m.allocated and pfns[1] not in m.allocated
    m.check()


def test_no_page_handed_out_twice_after_a_refused_free():
    """The fuzzed sequence of issue 9: free_pages() of an owned page, reclaim, allocate again
    gave one pfn to two holders; the free is refused and every pfn has one holder."""
    m = quiet_machine(swap_pages=4096)
    t = m.owner("t")
    hs = [t.alloc(ANON) for _ in range(200)]
    with pytest.raises(bl.BadFreeError):
        m.free_pages(bl.Page(hs[0].pfn), 0)
    k = m.owner("k", kthread=True)           # never an OOM victim
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        while k.alloc(KERNEL) is not None:
            pass
    m.check()
    resident = [h.pfn for h in hs if h.state == RESIDENT]
    assert len(resident) == len(set(resident))


# ------------------------------------------------------- check() and the owners' registry
def test_check_catches_a_pfn_held_twice():
    m = quiet_machine()
    t = m.owner("t")
    a, b = t.alloc(ANON), t.alloc(ANON)
    m.check()
    b.pfn = a.pfn                           # the stale registry of issue 9
    with pytest.raises(bl.InvariantError, match="held twice"):
        m.check()


@pytest.mark.parametrize("corrupt, words", [
    (lambda m, h: m.owners.lru[0].pop(h), "LRU"),
    (lambda m, h: m.owners.nr_lru_anon.__setitem__(0, 7), "counters"),
    (lambda m, h: m.owners.by_pfn.pop(h.pfn), "held twice"),
    (lambda m, h: setattr(h, "order", 1), "not an allocation of order"),
])
def test_check_catches_a_stale_registry(corrupt, words):
    m = quiet_machine()
    t = m.owner("t")
    h = t.alloc(ANON)
    m.check()
    corrupt(m, h)
    with pytest.raises(bl.InvariantError, match=words):
        m.check()


def test_clean_updates_the_write_pending_count():
    """A dirty page made clean leaves NR_ZONE_WRITE_PENDING, and freeing it later does not
    subtract it again (check() recounts the counters from the handles)."""
    m = quiet_machine()
    t = m.owner("t")
    h = t.alloc(FILE, dirty=True)
    assert sum(m.owners.nr_write_pending) == 1
    h.clean()
    assert sum(m.owners.nr_write_pending) == 0
    t.free(h)
    assert sum(m.owners.nr_write_pending) == 0
    m.check()


# -------------------------------------------------------------------------------- replay
def owner_workload(m):
    reader, hog = m.owner("reader"), m.owner("hog")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        for i in range(300):
            reader.alloc(FILE, dirty=i % 7 == 0)
        t = m.start_trace()
        live = []
        for i in range(900):
            h = hog.alloc(ANON if i % 3 else KERNEL)
            if h is not None:
                live.append(h)
            if i % 5 == 0 and live:
                hog.free(live.pop(0))
            if i % 50 == 0 and live:
                live[-1].touch()
        slab = m.owner("slab")
        slab.alloc(SLAB)
        slab.exit()
        m.stop_trace()
    return t


def test_owner_operations_replay_as_owner_operations():
    """A reclaim workload replays event for event: owner allocations are not replayed as
    plain alloc_pages() (whose pages nobody could reclaim)."""
    m = quiet_machine(swap_pages=64)
    t = owner_workload(m)
    names = {name for name, _ in t.ops}
    assert {"owner.alloc", "owner.free", "handle.touch", "owner", "owner.exit"} <= names
    assert "alloc_pages" not in names
    assert t.of("reclaim_batch")                       # reclaim did run
    again = bl.replay(t)
    assert again.events == t.events
    assert len(again.of("mm_page_alloc")) == len(t.of("mm_page_alloc"))


# ------------------------------------------------------------------------------- growth
def test_exited_tasks_and_freed_handles_are_dropped():
    m = quiet_machine()
    a, b = m.owner("a"), m.owner("b")
    hs = [a.alloc(ANON) for _ in range(5)]
    for h in hs:
        a.free(h)
    assert a.handles == {} and m.owners.by_hid == {}
    a.exit()
    assert m.owners.tasks == [b] and a.oid not in m.owners.by_oid
    cached = b.alloc(FILE)
    b.exit()
    assert m.owners.tasks == [] and m.owners.by_oid == {b.oid: b}   # its page cache stays
    b.free(cached)
    assert m.owners.by_oid == {} and m.owners.by_hid == {}
    m.check()


def test_history_is_bounded():
    """Past history_limit the record of calls since boot is dropped; a trace started later
    replays only onto a machine given to replay()."""
    m = quiet_machine(history_limit=3)
    for _ in range(3):
        m.alloc_pages(bl.GFP_KERNEL, 0)
    assert len(m._history) == 3
    m.drain_all_pages()
    assert m._history is None
    t = m.start_trace()
    m.alloc_pages(bl.GFP_KERNEL, 1)
    m.stop_trace()
    assert t.prefix is None and len(t.ops) == 1
    with pytest.raises(bl.TraceError, match="history_limit"):
        bl.replay(t)
    twin = quiet_machine(history_limit=3)
    for _ in range(3):
        twin.alloc_pages(bl.GFP_KERNEL, 0)
    twin.drain_all_pages()
    assert bl.replay(t, twin).events == t.events


def test_history_limit_none_keeps_everything_and_zero_keeps_nothing():
    m = quiet_machine(history_limit=None)
    for _ in range(50):
        m.alloc_pages(bl.GFP_KERNEL, 0)
    assert len(m._history) == 50
    m0 = quiet_machine(history_limit=0)
    m0.alloc_pages(bl.GFP_KERNEL, 0)
    assert m0._history is None
