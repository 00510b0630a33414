"""The OOM killer and the requests that never reach it (buddylab/oom.py, alloc.py)."""

import warnings

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
