"""GfpMaskBuilder: tick __GFP_ bits and see what the v4.18 allocator makes of the mask.

Kernel: include/linux/gfp.h (v4.18: the bits, their groups, gfp_zone(),
gfpflags_to_migratetype()) and mm/page_alloc.c (prepare_alloc_pages(),
gfp_to_alloc_flags(), the __GFP_ATOMIC sanity check of __alloc_pages_slowpath()).

The widget is thin: `decode_gfp(mask)` is a pure function that returns the
lines the label shows, so a notebook can print the same table statically and
tests can check it without a browser.

>>> print(format_decoded(decode_gfp(0x6000c0)))
mask          0x6000c0
decoded       GFP_KERNEL
equals        GFP_KERNEL
zone          ZONE_NORMAL (gfp_zone = 2)
migratetype   MIGRATE_UNMOVABLE (0)
zonelist      ZONELIST_FALLBACK
may block     yes (__GFP_DIRECT_RECLAIM)
fast path     ALLOC_WMARK_LOW
slow path     ALLOC_WMARK_MIN|ALLOC_CPUSET
"""

import html

from buddylab import gfp as G
from buddylab import mmzone as mz
from buddylab.errors import BadGfpError

__all__ = ["GFP_GROUPS", "GFP_BIT_DOC", "decode_gfp", "format_decoded", "GfpMaskBuilder"]

# The groups of include/linux/gfp.h (v4.18), in the order of its comments.
# __GFP_MOVABLE is listed with the zone modifiers (it is one of the four zone bits)
# although gfp.h also describes it as the main mobility hint.
GFP_GROUPS = (
    ("zone modifiers", ("__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE")),
    ("mobility and placement", ("__GFP_RECLAIMABLE", "__GFP_WRITE", "__GFP_HARDWALL",
                                "__GFP_THISNODE", "__GFP_ACCOUNT")),
    ("watermark modifiers", ("__GFP_ATOMIC", "__GFP_HIGH", "__GFP_MEMALLOC",
                             "__GFP_NOMEMALLOC")),
    ("reclaim modifiers", ("__GFP_IO", "__GFP_FS", "__GFP_DIRECT_RECLAIM",
                           "__GFP_KSWAPD_RECLAIM", "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL",
                           "__GFP_NORETRY")),
    ("action modifiers", ("__GFP_NOWARN", "__GFP_COMP", "__GFP_ZERO")),
)

# What each bit asks for, after the comments of include/linux/gfp.h (v4.18), x86_64.
GFP_BIT_DOC = {
    "__GFP_DMA": "highest zone ZONE_DMA (the first 16 MiB)",
    "__GFP_HIGHMEM": "may use ZONE_HIGHMEM (x86_64 has none: ZONE_NORMAL)",
    "__GFP_DMA32": "highest zone ZONE_DMA32 (below 4 GiB)",
    "__GFP_MOVABLE": "migratable or reclaimable; with __GFP_HIGHMEM may use ZONE_MOVABLE",
    "__GFP_RECLAIMABLE": "slab page that shrinkers can free (MIGRATE_RECLAIMABLE)",
    "__GFP_WRITE": "the caller will dirty the page: spread over the nodes' dirty limits",
    "__GFP_HARDWALL": "enforce the cpuset memory policy",
    "__GFP_THISNODE": "this node only, no fallback (ZONELIST_NOFALLBACK)",
    "__GFP_ACCOUNT": "charge the page to the kmem cgroup",
    "__GFP_ATOMIC": "cannot sleep and is high priority (ALLOC_HARDER)",
    "__GFP_HIGH": "high priority: may use half of the min reserve (ALLOC_HIGH)",
    "__GFP_MEMALLOC": "may use all memory, ignoring watermarks (ALLOC_NO_WATERMARKS)",
    "__GFP_NOMEMALLOC": "never touch the emergency reserves (beats __GFP_MEMALLOC)",
    "__GFP_IO": "may start physical I/O",
    "__GFP_FS": "may call into the filesystem",
    "__GFP_DIRECT_RECLAIM": "may enter direct reclaim: the caller may sleep",
    "__GFP_KSWAPD_RECLAIM": "wake kswapd when a zone is below its low watermark",
    "__GFP_RETRY_MAYFAIL": "retry hard, but fail rather than call the OOM killer",
    "__GFP_NOFAIL": "must not fail: retry forever",
    "__GFP_NORETRY": "one light attempt at reclaim and compaction, then fail",
    "__GFP_NOWARN": "no 'page allocation failure' report",
    "__GFP_COMP": "set up compound page metadata",
    "__GFP_ZERO": "return zeroed pages",
}

_MT_NAMES = ("MIGRATE_UNMOVABLE", "MIGRATE_MOVABLE", "MIGRATE_RECLAIMABLE",
             "MIGRATE_HIGHATOMIC", "MIGRATE_CMA", "MIGRATE_ISOLATE")


def _composite_equal(mask):
    names = [name for name, value in G.COMPOSITES.items() if int(value) == int(mask)]
    return " = ".join(names) if names else "no composite"


def decode_gfp(mask):
    """The (field, value) lines the builder shows for one mask.

    Kernel: gfp_zone(), gfpflags_to_migratetype(), gfp_zonelist(),
    gfpflags_allow_blocking() (include/linux/gfp.h); the fast path's
    ALLOC_WMARK_LOW (+ ALLOC_CMA for movable requests, prepare_alloc_pages())
    and the slow path's gfp_to_alloc_flags() (mm/page_alloc.c, v4.18).
    The model has no cpusets, so ALLOC_CPUSET never appears in the fast path.

    >>> dict(decode_gfp(0x3))["zone"]
    'GFP_ZONE_BAD (zone bits 0x3 = GFP_DMA|__GFP_HIGHMEM)'
    """
    mask = G.gfp_t(int(mask) & G._GFP_BITS_MASK)
    m = int(mask)
    lines = [("mask", "%#x" % m), ("decoded", G.gfp_str(mask)), ("equals", _composite_equal(m))]
    try:
        zone = G.gfp_zone(mask)
        lines.append(("zone", "ZONE_%s (gfp_zone = %d)" % (mz.ZONE_NAMES[zone].upper(), zone)))
    except BadGfpError:
        bits = m & G.GFP_ZONEMASK
        lines.append(("zone", "GFP_ZONE_BAD (zone bits %#x = %s)" % (bits, G.gfp_str(bits))))
    try:
        mt = G.gfpflags_to_migratetype(mask)
        lines.append(("migratetype", "%s (%d)" % (_MT_NAMES[mt], mt)))
    except BadGfpError:
        # the kernel only warns (VM_WARN_ON) and goes on with (0x18 >> 3) = 3
        mt = (m & G.GFP_MOVABLE_MASK) >> G.GFP_MOVABLE_SHIFT
        lines.append(("migratetype", "bad: __GFP_MOVABLE|__GFP_RECLAIMABLE (VM_WARN_ON; "
                                     "the kernel would use %d = %s)" % (mt, _MT_NAMES[mt])))
    lines.append(("zonelist", "ZONELIST_NOFALLBACK (__GFP_THISNODE)" if m & G.GFP_BITS["__GFP_THISNODE"]
                  else "ZONELIST_FALLBACK"))
    blocking = G.gfpflags_allow_blocking(mask)
    lines.append(("may block", "yes (__GFP_DIRECT_RECLAIM)" if blocking
                  else "no (no __GFP_DIRECT_RECLAIM)"))
    fast = mz.ALLOC_WMARK_LOW | (mz.ALLOC_CMA if mt == mz.MIGRATE_MOVABLE else 0)
    lines.append(("fast path", mz.alloc_flags_str(fast)))
    slow_mask = mask
    atomic, direct = G.GFP_BITS["__GFP_ATOMIC"], G.GFP_BITS["__GFP_DIRECT_RECLAIM"]
    if m & atomic and m & direct:
        slow_mask = G.gfp_t(m & ~int(atomic))
    slow = G.gfp_to_alloc_flags(slow_mask, mt)
    lines.append(("slow path", mz.alloc_flags_str(slow)))
    if slow_mask != mask:
        lines.append(("note", "WARN_ON_ONCE: __GFP_ATOMIC with __GFP_DIRECT_RECLAIM; "
                              "the slow path clears __GFP_ATOMIC"))
    if slow & mz.ALLOC_HARDER:
        lines.append(("note", "ALLOC_HARDER: order > 0 tries the HIGHATOMIC lists first, and a "
                              "slow-path success of order > 0 reserves a highatomic pageblock"))
    if G.gfp_pfmemalloc_flags(mask):
        lines.append(("note", "__GFP_MEMALLOC: the retry loop uses ALLOC_NO_WATERMARKS"))
    return lines


def format_decoded(lines):
    """The lines of decode_gfp() as aligned text, one field per line."""
    return "\n".join("%-13s %s" % (k, v) for k, v in lines)


def _widgets():
    import ipywidgets
    return ipywidgets


class GfpMaskBuilder:
    """Checkboxes for every __GFP_ bit, a composite to start from, and the decoded mask.

    State for tests and notebooks: ``.mask`` (a gfp_t), ``.checkboxes`` (bit
    name -> Checkbox), ``.dropdown``, ``.label`` (an HTML widget holding the
    text of ``format_decoded(decode_gfp(mask))``) and ``.text`` (that text).
    Picking a composite in the dropdown sets the boxes to its bits and puts
    the dropdown back on its prompt, so the same composite can be picked again.
    """

    PROMPT = "start from ..."

    def __init__(self, mask=0):
        W = _widgets()
        self._busy = False
        self.mask = G.gfp_t(0)
        self.text = ""
        self.checkboxes = {}
        columns = []
        for title, names in GFP_GROUPS:
            boxes = []
            for name in names:
                cb = W.Checkbox(value=False, description="%s (%#x)" % (name, G.GFP_BITS[name]),
                                indent=False, tooltip=GFP_BIT_DOC[name],
                                # as wide as its label, so "(0x200000)" is never cut off
                                layout=W.Layout(width="auto"))
                cb.observe(self._on_box, names="value")
                self.checkboxes[name] = cb
                boxes.append(cb)
            columns.append(W.VBox([W.HTML("<b>%s</b>" % title)] + boxes))
        options = [(self.PROMPT, ""), ("0 (no flags)", "0")]
        options += [(name, name) for name in G.COMPOSITES]
        self.dropdown = W.Dropdown(options=options, value="", description="composite")
        self.dropdown.observe(self._on_dropdown, names="value")
        self.label = W.HTML()
        wrap = W.Layout(flex_flow="row wrap", grid_gap="0 16px")
        self.widget = W.VBox([self.dropdown, W.HBox(columns[:3], layout=wrap),
                              W.HBox(columns[3:], layout=wrap), self.label])
        self.set_mask(mask)

    # ------------------------------------------------------------ state
    def set_mask(self, mask):
        """Tick exactly the bits of `mask` (an int, a gfp_t or 'GFP_KERNEL|__GFP_ZERO')."""
        mask = G.parse_gfp(mask) if isinstance(mask, str) else G.gfp_t(int(mask))
        if int(mask) & ~G._GFP_BITS_MASK:
            raise BadGfpError("not a GFP mask of v4.18: %#x" % int(mask))
        self._busy = True
        try:
            for name, cb in self.checkboxes.items():
                cb.value = bool(int(mask) & int(G.GFP_BITS[name]))
        finally:
            self._busy = False
        self._update()

    def _update(self):
        m = 0
        for name, cb in self.checkboxes.items():
            if cb.value:
                m |= int(G.GFP_BITS[name])
        self.mask = G.gfp_t(m)
        self.text = format_decoded(decode_gfp(self.mask))
        self.label.value = "<pre>%s</pre>" % html.escape(self.text)

    def _on_box(self, change):
        if not self._busy:
            self._update()

    def _on_dropdown(self, change):
        name = change["new"]
        if not name:
            return
        self.set_mask(0 if name == "0" else G.COMPOSITES[name])
        self.dropdown.value = ""

    # ---------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return "GfpMaskBuilder(mask=%s)" % G.gfp_str(self.mask)
