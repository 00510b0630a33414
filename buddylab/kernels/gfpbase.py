"""What both kernels' GFP modules share: the gfp_t type and show_gfp_flags()'s rule.

Kernel: show_gfp_flags() / __print_flags() (include/trace/events/mmflags.h): names are tried
in a kernel's own order, a name prints when all its bits are set and those bits are then
cleared, and what is left prints as hex.  The names and their order differ between
versions, so each version's gfp module builds its own type with `make_gfp_type()`.
"""

from .. import mmzone
from ..errors import BadGfpError

# GFP_ZONE_TABLE as data (include/linux/gfp.h, the same in v4.18 and v6.18; the zone bits
# __GFP_DMA 0x1, __GFP_HIGHMEM 0x2, __GFP_DMA32 0x4, __GFP_MOVABLE 0x8 kept their values):
# index = gfp & GFP_ZONEMASK; None marks GFP_ZONE_BAD.  x86_64 without HIGHMEM:
# OPT_ZONE_HIGHMEM = ZONE_NORMAL.
GFP_ZONEMASK = 0xf
GFP_ZONE_TABLE = (
    mmzone.ZONE_NORMAL,     # 0x0
    mmzone.ZONE_DMA,        # 0x1 __GFP_DMA
    mmzone.ZONE_NORMAL,     # 0x2 __GFP_HIGHMEM
    None,                   # 0x3 DMA|HIGHMEM
    mmzone.ZONE_DMA32,      # 0x4 __GFP_DMA32
    None,                   # 0x5 DMA|DMA32
    None,                   # 0x6 HIGHMEM|DMA32
    None,                   # 0x7
    mmzone.ZONE_NORMAL,     # 0x8 __GFP_MOVABLE
    mmzone.ZONE_DMA,        # 0x9 MOVABLE|DMA
    mmzone.ZONE_MOVABLE,    # 0xa MOVABLE|HIGHMEM
    None,                   # 0xb
    mmzone.ZONE_DMA32,      # 0xc MOVABLE|DMA32
    None,                   # 0xd
    None,                   # 0xe
    None,                   # 0xf
)
GFP_ZONE_BAD = sum(1 << bit for bit, z in enumerate(GFP_ZONE_TABLE) if z is None)
# __GFP_MOVABLE | __GFP_RECLAIMABLE, shifted by 3 to a migrate type (both versions)
GFP_MOVABLE_MASK = 0x18
GFP_MOVABLE_SHIFT = 3


def zone_of(flags, to_str):
    """gfp_zone()'s rule: GFP_ZONE_TABLE[flags & GFP_ZONEMASK], BadGfpError on GFP_ZONE_BAD
    (a VM_BUG_ON in the kernel); ``to_str`` names the flags in the error."""
    bit = int(flags) & GFP_ZONEMASK
    if (GFP_ZONE_BAD >> bit) & 1:
        raise BadGfpError("GFP_ZONE_BAD: %s combines zone modifiers %s that gfp_zone() rejects"
                          % (to_str(flags), to_str(bit)))
    return GFP_ZONE_TABLE[bit]


def migratetype_of(flags, page_group_by_mobility_disabled, to_str):
    """gfpflags_to_migratetype() / gfp_migratetype()'s rule: (flags & GFP_MOVABLE_MASK) >> 3,
    UNMOVABLE with grouping by mobility disabled; both bits together (3, HIGHATOMIC) trip a
    VM_WARN_ON in the kernel and are refused here."""
    if (int(flags) & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK:
        raise BadGfpError("%s sets both __GFP_MOVABLE and __GFP_RECLAIMABLE" % to_str(flags))
    if page_group_by_mobility_disabled:
        return mmzone.MIGRATE_UNMOVABLE
    return (int(flags) & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT


def show_gfp_flags(gfp_mask, names):
    """The mask as the kmem tracepoints print it, with ``names`` ((name, mask) in order)."""
    flags = int(gfp_mask)
    if flags == 0:
        return "none"
    parts = []
    for name, mask in names:
        if mask and (flags & mask) == mask:
            parts.append(name)
            flags &= ~mask
    if flags:
        parts.append(hex(flags))
    return "|".join(parts)


def parse_gfp_names(text, named):
    """The int mask of 'GFP_KERNEL|__GFP_ZERO|0x200' given {name: mask} (show_gfp_flags'
    inverse)."""
    if isinstance(text, int):
        return int(text)
    mask = 0
    for part in str(text).replace(" ", "").split("|"):
        if part in named:
            mask |= int(named[part])
        elif part in ("none", "0", ""):
            continue
        else:
            try:
                mask |= int(part, 0)
            except ValueError:
                raise BadGfpError("unknown GFP flag %r" % part) from None
    return mask


def make_gfp_type(version, bits_mask, to_str):
    """A ``gfp_t`` class: an int that prints as ``to_str`` (a version's show_gfp_flags)."""

    class gfp_t(int):
        __doc__ = "A GFP mask of %s: an int that prints as show_gfp_flags() does." % version

        def __repr__(self):
            return to_str(self)

        __str__ = __repr__

        def __or__(self, other):
            return gfp_t(int(self) | int(other))

        __ror__ = __or__

        def __and__(self, other):
            return gfp_t(int(self) & int(other))

        __rand__ = __and__

        def __xor__(self, other):
            return gfp_t(int(self) ^ int(other))

        def __invert__(self):
            return gfp_t(~int(self) & bits_mask)

    return gfp_t
