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


def deep_state(m, skip=()):
    """Everything a machine holds, as plain comparable data (for "the model is unchanged").

    `skip` names attributes of `m` itself to leave out (``("_history",)`` for a call that is
    valid, returns NULL and so is rightly recorded).

    Walks the machine's object graph from `m`: every array and bytearray (as bytes), every
    dict (in insertion order, so list and LRU order count), list, tuple, set, and the fields
    of every object (``__dict__`` and ``__slots__``) - zones, pcp sets, nodes, the owners'
    registry with its owners and handles, the history and the trace.  An object met again is
    written as a back-reference by visit number, so identity (which handle sits where) is
    compared as well as value.
    """
    import array
    seen = {}

    def walk(x):
        if x is None or isinstance(x, (bool, int, float, str, bytes)):
            return x
        if isinstance(x, (bytearray, array.array)):
            return (type(x).__name__, bytes(x))
        if id(x) in seen:
            return ("ref", seen[id(x)])
        if isinstance(x, type) or callable(x) and not hasattr(x, "__dict__"):
            return ("callable", getattr(x, "__qualname__", repr(x)))
        seen[id(x)] = len(seen)
        keep.append(x)                      # ids stay unique while the walk runs
        if isinstance(x, dict):
            return ("dict", tuple((walk(k), walk(v)) for k, v in x.items()))
        if isinstance(x, (list, tuple)):
            return (type(x).__name__, tuple(walk(v) for v in x))
        if isinstance(x, (set, frozenset)):
            return ("set", tuple(sorted((walk(v) for v in x), key=repr)))
        fields = []
        for cls in type(x).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(x, slot):
                    fields.append((slot, walk(getattr(x, slot))))
        if hasattr(x, "__dict__"):
            fields.extend((k, walk(v)) for k, v in vars(x).items())
        return (type(x).__name__, tuple(fields))

    keep = []
    seen[id(m)] = 0
    keep.append(m)
    return (type(m).__name__, tuple((k, walk(v)) for k, v in vars(m).items() if k not in skip))


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


# -------------------------------------------------------------- readable at the size Lab shows
LAB_WIDTH_PX = 968      # JupyterLab scales a wider inline image down to the output area's width
MIN_DISPLAYED_PT = 8.0


def displayed_font_sizes(fig, dpi=100):
    """(displayed pt, text) of every visible, non-empty text of `fig` once saved with
    bbox_inches="tight" at `dpi` and shown in Lab: fontsize * shown width / drawn width."""
    from matplotlib.text import Text
    fig.set_dpi(dpi)
    if not hasattr(fig.canvas, "get_renderer"):      # a widget's bare Figure: draw it with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    drawn_px = fig.get_tightbbox(renderer).width * dpi
    scale = min(1.0, LAB_WIDTH_PX / drawn_px)
    return [(t.get_fontsize() * scale, t.get_text()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_window_extent(renderer).width > 0]


def small_texts(fig, name):
    """The texts of `fig` shown under MIN_DISPLAYED_PT in Lab, as (name, pt, text)."""
    return [(name, round(float(pt), 2), text[:30]) for pt, text in displayed_font_sizes(fig)
            if pt < MIN_DISPLAYED_PT - 0.01]
