"""Figures of the buddy allocator (matplotlib).

Every function reads a snapshot (`Machine.snapshot()`, `Machine.zone_snapshot()`)
or a list of trace events, never the model's private state; takes ``ax=None``
(then it makes its own figure) and returns the Axes it drew on (an array of
Axes for small multiples); never calls ``plt.show()`` and never changes
rcParams.  Colours and hatches come from `buddylab.plot.palette`.

Every figure's data is one call away as a table (rows of plain values):

====================== ==============================================================
figure                 its data
====================== ==============================================================
plot_free_area(_pair)  free_area_rows(snap_zone) (free_area_text: the same, printed)
plot_memory_map        memmap_cells(snap_zone, width) (memmap_text: one char a page)
plot_split_merge       split_merge_groups(events)
plot_fallback          fallback_rows(events, snap_before), fallback_pageblock_rows(events,
                       snap_before, snap_after)
plot_pcp_timeline      pcp_timeline(events)
plot_zonelists         zonelist_rows(m, gfp_mask)
plot_zonelist_walk     zonelist_walks(events)
plot_watermarks        watermark_rows(snap, order, classzone_idx)
plot_gfp_decisions     gfp_decision_rows(names)
plot_antifrag          antifrag_rows(result) (result = experiments.run("antifrag"))
plot_tail              tail_rows(result) (result = experiments.run("tail"))
plot_memory_map_pair   memmap_cells of each snapshot; polluted_pageblocks(snap_zone)
====================== ==============================================================

Every figure `python -m buddylab.plot.figures` writes is checked to show no text under
8 pt once JupyterLab scales it to its ~968 px output width (tests/test_plot.py).

>>> import buddylab as bl, buddylab.plot as bp
>>> m = bl.Machine(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
...                min_free_kbytes=0)
>>> print(bp.memmap_text(m.zone_snapshot(0, "DMA"), width=32))
 0 M.......|........|M.......|........
32 M.......|........|M.......|........
"""

from .palette import (MIGRATETYPE_COLORS, MIGRATETYPE_HATCHES, MIGRATETYPE_LETTERS,
                      STATE_COLORS, legend_handles)
from .free_area import (plot_free_area, plot_free_area_pair, order_size_label, free_area_rows,
                        free_area_text)
from .memmap import plot_memory_map, memmap_text, memmap_cells
from .splitmerge import plot_split_merge, split_merge_groups
from .fallback import plot_fallback, fallback_rows, fallback_pageblock_rows
from .pcp import plot_pcp_timeline, pcp_timeline
from .gfpmap import plot_gfp_decisions, gfp_decision_rows
from .zonelist import (plot_zonelists, plot_zonelist_walk, plot_watermarks, zonelist_walks,
                       watermark_rows, zonelist_rows)
from .experiments import plot_antifrag, antifrag_rows, plot_tail, tail_rows
from .kernels import plot_memory_map_pair, polluted_pageblocks, fragment_zone, PAIR_ZONE

__all__ = ["MIGRATETYPE_COLORS", "MIGRATETYPE_HATCHES", "MIGRATETYPE_LETTERS", "STATE_COLORS",
           "legend_handles", "plot_free_area", "free_area_rows", "free_area_text", "plot_free_area_pair", "order_size_label",
           "plot_memory_map", "memmap_text", "memmap_cells", "plot_split_merge",
           "split_merge_groups", "plot_fallback", "plot_pcp_timeline", "pcp_timeline",
           "plot_gfp_decisions", "gfp_decision_rows", "plot_zonelists", "plot_zonelist_walk", "plot_watermarks", "zonelist_walks",
           "watermark_rows", "plot_antifrag", "antifrag_rows", "plot_tail", "tail_rows",
           "fallback_rows", "fallback_pageblock_rows", "zonelist_rows", "plot_memory_map_pair",
           "polluted_pageblocks", "fragment_zone", "PAIR_ZONE"]
