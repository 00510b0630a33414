"""buddylab: the Linux buddy page-frame allocator (v4.18, "classic"), made visible.

The model is pure Python and depends on the standard library only;
``buddylab.plot`` (matplotlib) and ``buddylab.widgets`` (ipywidgets) sit on top.

>>> import buddylab as bl
>>> m = bl.Machine(nodes=[{"DMA": 4096, "Normal": 28672}], cpus_per_node=2)
>>> page = m.alloc_pages(bl.GFP_KERNEL, order=2, cpu=0)
>>> m.free_pages(page, order=2, cpu=0)
"""

from . import mmzone, gfp
from .mmzone import *  # noqa: F401,F403  (constants: MAX_ORDER, MIGRATE_*, ZONE_*, ALLOC_*)
from .gfp import *  # noqa: F401,F403    (__GFP_* bits, GFP_* composites, gfp_zone, ...)
from .errors import (BuddyLabError, BadOrderError, BadGfpError, BadFreeError,
                     UnknownCpuError, UnknownNodeError, LayoutError, BusyError,
                     InvariantError, ProcParseError, OwnerError, TraceError)
from .machine import Machine, Page, PAGE_OFFSET
from .alloc import AllocationWarning
from .buddy import find_buddy_pfn, fallbacks
from .pcp import zone_batchsize
from .trace import Trace, Event, explain, format_event
from .replay import replay
from .snapshot import ZoneSnapshot, MachineSnapshot, PcpSnapshot
from .owners import Owner, Owners, Handle, KIND_GFP
from . import owners, reclaim, compaction, oom, experiments
from . import profiles, host
from . import problems, reveal
from .problems import problem
from . import exercises
from .host import machine_from_host, compare_with_host
from . import tracefile, tracereplay          # a real kernel's trace read, and replayed
from .errors import TraceFileError

__version__ = "0.1.0"

__all__ = (
    [n for n in dir(mmzone) if n.isupper() or n.startswith("pageblock_")]
    + list(gfp.__all__)
    + ["BuddyLabError", "BadOrderError", "BadGfpError", "BadFreeError", "UnknownCpuError",
       "UnknownNodeError", "LayoutError", "BusyError", "InvariantError", "ProcParseError",
       "OwnerError", "TraceError",
       "Machine", "Page", "PAGE_OFFSET", "AllocationWarning", "find_buddy_pfn", "fallbacks",
       "zone_batchsize", "Trace", "Event", "replay", "explain", "format_event",
       "ZoneSnapshot", "MachineSnapshot", "PcpSnapshot",
       "Owner", "Owners", "Handle", "KIND_GFP", "owners", "reclaim", "compaction", "oom",
       "experiments", "mmzone", "gfp",
       "profiles", "host", "machine_from_host", "compare_with_host",
       "problems", "problem", "reveal", "exercises"]
    + ["tracefile", "tracereplay", "TraceFileError"]
)
