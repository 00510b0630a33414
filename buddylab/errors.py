"""The exceptions buddylab raises for programming errors.

Kernel: none.  Where the kernel would hit a VM_BUG_ON, a "Bad page state"
report or corrupt its lists (double free, wrong order, bad GFP combination),
the model raises one of these instead, before it changes anything, so the
machine is left exactly as it was.  An allocation that merely cannot be
satisfied is not an error: it returns None, as the kernel returns NULL.
"""


class BuddyLabError(ValueError):
    """Base class of every error buddylab raises on bad input."""


class BadOrderError(BuddyLabError):
    """An order that is not an int, or is negative."""


class BadGfpError(BuddyLabError):
    """A GFP mask the kernel rejects (GFP_ZONE_BAD, __GFP_DMA|__GFP_HIGHMEM, ...)."""


class BadFreeError(BuddyLabError):
    """A free the kernel would report as "Bad page state": double free, wrong order,
    a pfn that is not the head of an allocation."""


class UnknownCpuError(BuddyLabError):
    """A cpu number the machine does not have."""


class UnknownNodeError(BuddyLabError):
    """A node id the machine does not have."""


class LayoutError(BuddyLabError):
    """A machine layout that cannot be built (zone name, size, distances, CMA range)."""


class BusyError(BuddyLabError):
    """-EBUSY: a pageblock cannot be isolated (unmovable pages in it, or already isolated)."""


class OwnerError(BuddyLabError):
    """An owner or handle used in a way its task could not: an unknown kind, a task that
    exited or was OOM-killed, a name or oom_score_adj out of range."""


class TraceError(BuddyLabError):
    """A trace that cannot be replayed: an op that is not a public operation, malformed
    arguments, or calls made before tracing that the machine no longer keeps."""


class InvariantError(AssertionError):
    """check() found a broken invariant (a bug in the model, never bad input)."""


class BadParameterError(BuddyLabError):
    """A parameter outside the values a function takes (an unknown experiment or
    /proc file name, a negative step count)."""


class ProcParseError(BuddyLabError):
    """Malformed /proc text; the message names the line."""


class AllocationWarning(UserWarning):
    """The kernel's WARN_ON_ONCE / warn_alloc() messages ("page allocation failure")."""


class TraceFileError(BuddyLabError):
    """A real kernel's trace file (ftrace text or perf script output) that cannot be read:
    the message names the file, the line number and what is wrong with the line."""
