"""Interactive explorers (ipywidgets 8) over the figures of buddylab.plot.

Each widget is controls plus a pure function that draws step i of a
precomputed trace, so stepping back costs nothing.  State is kept on the
widget object (``.fig``, ``.label``, ``.machine``, ``.step`` ...) so that
tests, and curious students, can look at it.  Display one with
``display(w)`` or by leaving it as the last expression of a cell (``w.box``
is the ipywidgets container).
"""

from .stepper import TraceStepper, trace_player
from .explorer import AllocFreeExplorer, FreeAreaExplorer, draw_free_area_state, GFP_CHOICES
from .pcp_explorer import PcpExplorer, pcp_workload
from .problem import ProblemWidget
from .kernel_pair import KernelPairExplorer, kernel_pair, pcp_text, type_mask

__all__ = ["TraceStepper", "trace_player", "AllocFreeExplorer", "FreeAreaExplorer",
           "draw_free_area_state", "GFP_CHOICES", "PcpExplorer",
           "pcp_workload", "ProblemWidget", "KernelPairExplorer", "kernel_pair",
           "pcp_text", "type_mask"]
