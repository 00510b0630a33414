"""Which kernel a name means: ``get_kernel("classic")`` is ``CLASSIC``.

Kernel: none; this is the lab's profile switch (``Machine(kernel=...)``).
"""

from ..errors import LayoutError
from .v4_18.kernel import CLASSIC
from .v6_18.kernel import MODERN

#: the running profiles, by name
KERNELS = {"classic": CLASSIC, "modern": MODERN}
#: the kernel whose definitions (GFP bits and composites) read a kmem trace, by how the trace
#: prints a pfn: ``pfn=0x%lx`` as v6.18 does ("6.x"), ``pfn=%lu`` as v4.18 does ("4.x")
#: (include/trace/events/kmem.h, v6.18 and v4.18); buddylab.tracefile reads it
TRACE_PRINTERS = {"6.x": MODERN, "4.x": CLASSIC}


def get_kernel(kernel):
    """The kernel object for a name (or an alias, or a kernel object itself).

    >>> get_kernel("classic")
    <kernel classic (v4.18)>
    >>> get_kernel("v4.18") is get_kernel("classic")
    True
    """
    if kernel in KERNELS.values():
        return kernel
    for k in KERNELS.values():
        if isinstance(kernel, str) and (kernel == k.name or kernel in k.aliases):
            return k
    raise LayoutError("kernel=%r: the kernels modelled are %s"
                      % (kernel, ", ".join("%r (%s)" % (k.name, k.version)
                                           for k in KERNELS.values())))
