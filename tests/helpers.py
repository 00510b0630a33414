"""Small machines whose every pfn can be traced by hand."""
import warnings

import buddylab as bl


def tiny(pages=64, cpus=1, max_order=4, pageblock_order=2, zone="Normal", **kw):
    """A one-zone machine; orders 0..max_order-1, watermarks 0 unless min_free_kbytes given."""
    kw.setdefault("min_free_kbytes", 0)
    return bl.Machine(nodes=[{zone: pages}], cpus_per_node=cpus, max_order=max_order,
                      pageblock_order=pageblock_order, **kw)


def lists(m, order, mt, nid=0, zone="Normal"):
    """free_area[order].free_list[mt] head -> tail."""
    return list(m.zone_snapshot(nid, zone).free_lists[order][mt])


def quiet_alloc(m, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        return m.alloc_pages(*a, **kw)


def guarded(fn, *args, **kwargs):
    """{"value": fn(...)} or {"error": exception}, run in a thread joined for at most 60 s.

    A guard against a hang (a blocked open of a FIFO), not a speed test: a call that never
    returns fails the test instead of stopping the suite.
    """
    import threading
    out = {}

    def run():
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as error:                               # noqa: B902 - handed back
            out["error"] = error
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "%s never returned" % getattr(fn, "__name__", fn)
    return out
