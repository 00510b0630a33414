"""The OOM killer and the requests that never reach it (buddylab/oom.py, alloc.py)."""

import warnings

import pytest

import buddylab as bl
from buddylab.owners import ANON, KERNEL
from buddylab import oom


def filled(n_a=300):
    m = bl.Machine(nodes=[{"Normal": 2048}], cpus_per_node=1)
    a, b = m.owner("a"), m.owner("b")
    k = m.owner("kworker", kthread=True)
    for _ in range(n_a):
        a.alloc(ANON)
    for _ in range(100):
        k.alloc(KERNEL)
    return m, a, b, k


def test_oom_picks_largest_owner():
    """When b keeps allocating anon memory (no swap), b (largest rss) is killed, not a or kworker."""
    m, a, b, k = filled()
    t = m.start_trace(kinds={"oom_victim"})
    while not b.killed:
        assert b.alloc(ANON) is not None
    (ev,) = t.of("oom_victim")
    assert ev["victim"] == "b" and ev["rss"] > 300
    assert not a.killed and not k.killed and b.rss() == 0 and a.rss() == 300
    m.check()


def test_badness_kthread_and_adj():
    """Kernel threads and oom_score_adj -1000 are never victims."""
    m, a, b, k = filled()
    assert oom.oom_badness(k, 2048) == 0
    a.oom_score_adj = oom.OOM_SCORE_ADJ_MIN
    assert oom.oom_badness(a, 2048) == 0
    b.alloc(ANON)
    assert oom.select_bad_process(m, 2048)[0] is b


def fill_kernel(m, k):
    while m.zone(0, "Normal").NR_FREE_PAGES > 200:
        k.alloc(KERNEL)


def test_noretry_and_costly_do_not_oom():
    """__GFP_NORETRY, costly orders and __GFP_RETRY_MAYFAIL fail without killing."""
    m, a, b, k = filled()
    t = m.start_trace(kinds={"oom_victim"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NORETRY) is not None:
            pass
        assert m.alloc_pages(bl.GFP_KERNEL, order=4) is None
        assert m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_RETRY_MAYFAIL) is None
    assert not t.of("oom_victim") and not a.killed
    assert m.alloc_pages(bl.GFP_KERNEL) is not None      # now the OOM killer runs
    assert t.of("oom_victim")[0]["victim"] == "a"


def test_nofail_without_victim_uses_reserves():
    """__GFP_NOFAIL with nobody to kill still gets a page (ALLOC_NO_WATERMARKS)."""
    m = bl.Machine(nodes=[{"Normal": 2048}], cpus_per_node=1)
    k = m.owner("kworker", kthread=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while k.alloc(KERNEL, gfp_mask=bl.GFP_KERNEL | bl.__GFP_NORETRY) is not None:
            pass
        t = m.start_trace(kinds={"oom_no_victim"})
        assert m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NOFAIL) is not None
    assert t.of("oom_no_victim")
    m.check()


def dirty_cache_and_one_anon_task():
    """Five tasks holding only dirty page cache (10, 9, 8, 7, 6 pages), a sixth with 5 anonymous
    pages and no swap; kernel allocations fill the zone (min 8, low 10, high 12) down to min."""
    from helpers import tiny
    from buddylab.owners import FILE
    m = tiny(min_free_kbytes=32)
    tasks = [m.owner("t%d" % i) for i in range(1, 7)]
    for t, n in zip(tasks[:5], (10, 9, 8, 7, 6)):
        for _ in range(n):
            assert t.alloc(FILE, dirty=True) is not None
    for _ in range(5):
        assert tasks[5].alloc(ANON) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while m.alloc_pages(bl.GFP_KERNEL | bl.__GFP_NORETRY) is not None:
            pass
    assert m.zone(0, "Normal").NR_FREE_PAGES == 8
    return m, tasks


def test_slow_path_retries_as_long_as_the_oom_killer_makes_progress():
    """Six kills in badness order, then the GFP_KERNEL request succeeds (no loop limit).

    mm/page_alloc.c, __alloc_pages_slowpath(), v4.18: after __alloc_pages_may_oom()
    "Retry as long as the OOM killer is making progress": ``if (did_some_progress)
    { no_progress_loops = 0; goto retry; }`` -- no bound on the number of loops.
    mm/oom_kill.c, oom_badness(), v4.18: rss (file + anon pages) decides the order, so
    t1 (10) .. t5 (6) die first; their page cache stays (it belongs to the files) and is dirty, so
    reclaim frees nothing and each kill is followed by 16 retries and a failed force-unreserve
    (should_reclaim_retry(), v4.18); killing t6 frees its 5 anonymous pages: 8 + 5 > min 8.
    """
    m, tasks = dirty_cache_and_one_anon_task()
    t = m.start_trace(kinds={"oom_victim"})
    page = m.alloc_pages(bl.GFP_KERNEL)
    assert [e["victim"] for e in t.of("oom_victim")] == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert page is not None and all(task.killed for task in tasks)
    m.check()


def test_oom_progress_without_a_kill_gives_up():
    """GFP_NOFS: out_of_memory() claims progress without killing; the kernel would loop until
    memory appears (mm/oom_kill.c, out_of_memory(), v4.18: "The OOM killer does not compensate for
    IO-less reclaim"); the model gives up after alloc.OOM_NO_KILL_GIVE_UP such loops and kills
    nobody."""
    m, tasks = dirty_cache_and_one_anon_task()
    t = m.start_trace(kinds={"oom_victim", "oom_skip"})
    with pytest.warns(bl.AllocationWarning, match="page allocation failure"):
        assert m.alloc_pages(bl.GFP_NOFS) is None
    assert not t.of("oom_victim") and not any(task.killed for task in tasks)
    assert len(t.of("oom_skip")) == bl.alloc.OOM_NO_KILL_GIVE_UP
    m.check()
