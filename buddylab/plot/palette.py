"""One colour and one hatch per migrate type, for every figure of the suite.

Kernel: enum migratetype in include/linux/mmzone.h (indices are the
buddylab.mmzone MIGRATE_* values).

Colours start from the Okabe–Ito hues, with their lightness spread (CIELAB
L* 29..94, at least 7.9 apart) so that the six types stay apart under
protanopia, deuteranopia and tritanopia (simulated, Machado et al. 2009) and
in grayscale; each type also has its own hatch.  tests/test_plot.py checks
the distances.  Page states that are not "free on a buddy list" have colours
of their own (`STATE_COLORS`): the per-CPU-list colour is a violet no
migrate type uses (tested the same way); so do zones (`ZONE_COLORS`, earth
tones) and the pass/fail of a watermark check (`OK_COLOR`, `FAIL_COLOR`).

>>> from buddylab.mmzone import MIGRATE_MOVABLE
>>> MIGRATETYPE_COLORS[MIGRATE_MOVABLE], MIGRATETYPE_HATCHES[MIGRATE_MOVABLE]
('#00457A', '..')
>>> [h.get_label() for h in legend_handles(migratetypes=[0, 1], states=["allocated"])]
['Unmovable', 'Movable', 'allocated (hatch = its migrate type)']
"""

from ..mmzone import MIGRATETYPE_NAMES, MIGRATE_TYPES

#                    Unmovable   Movable    Reclaimable HighAtomic  CMA        Isolate
MIGRATETYPE_COLORS = ("#D55E00", "#00457A", "#00785A", "#E69FCC", "#FFF34F", "#96D2F5")
MIGRATETYPE_HATCHES = ("xx", "..", "//", "\\\\", "oo", "--")
# one letter per type: memmap_text() writes it on the head page of a free block
MIGRATETYPE_LETTERS = ("U", "M", "R", "H", "C", "I")

STATE_COLORS = {
    "allocated": "#DDDDDD",     # light grey, hatched with the allocation's migrate type
    "pcp": "#B08FD8",           # violet: on a per-cpu list (free, but not in nr_free)
    "reserved": "#7F7F7F",      # PageReserved: never given to the buddy allocator
    "hole": "#FFFFFF",          # no struct page (outside the zone's present pages)
    "outside": "#FFFFFF",       # a grid cell beyond the zone's span
}
STATE_LABELS = {
    "allocated": "allocated (hatch = its migrate type)",
    "pcp": "on a pcp list",
    "reserved": "reserved",
    "hole": "hole",
}
STATE_HATCHES = {"allocated": "", "pcp": "", "reserved": "", "hole": "xx"}

# Colours that are not page states (zonelist, watermark and GFP figures).  Neither reuses a
# migrate type's colour: a zone is not a free list, and the GFP figure shows both side by
# side.  Zones are earth tones, lightness apart (L* 30, 52, 74, 83: DMA darkest); a watermark
# check passes white and fails grey with the "xx" hatch.  tests/test_plot.py checks that
# each stays MIN_DELTA_E from every migrate type, the pcp colour and each other, under
# the simulated colour-vision deficiencies.
OK_COLOR = "#FFFFFF"
FAIL_COLOR = "#909090"
ZONE_COLORS = {"DMA": "#604020", "DMA32": "#8C7A4A", "Normal": "#C8B48C", "Movable": "#F0CA78"}
# Two greys for counts that belong to no migrate type or zone (the watermark figure's free and
# usable pages, the experiments' bars).
NEUTRAL_LIGHT = "#BBBBBB"
NEUTRAL_DARK = "#505050"

assert len(MIGRATETYPE_COLORS) == len(MIGRATETYPE_HATCHES) == MIGRATE_TYPES


def legend_handles(migratetypes=range(MIGRATE_TYPES), states=("allocated", "pcp", "reserved",
                                                                "hole")):
    """Legend patches: one per migrate type (colour + hatch), then one per page state.

    Pass them to ``ax.legend(handles=...)``.  `migratetypes` are MIGRATE_*
    indices, `states` keys of `STATE_COLORS` ("allocated", "pcp", "reserved",
    "hole").

    >>> len(legend_handles())
    10
    """
    from matplotlib.patches import Patch
    out = [Patch(facecolor=MIGRATETYPE_COLORS[mt], hatch=MIGRATETYPE_HATCHES[mt],
                 edgecolor="black", linewidth=0.5, label=MIGRATETYPE_NAMES[mt])
           for mt in migratetypes]
    for s in states:
        out.append(Patch(facecolor=STATE_COLORS[s], hatch=STATE_HATCHES[s], edgecolor="black",
                         linewidth=0.5, label=STATE_LABELS[s]))
    return out
