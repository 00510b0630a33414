"""Hypothesis strategies: small machines and allocator operations.

The masks are built from tests/reference.py's own GFP values (include/linux/gfp.h, v4.18), not from
buddylab's, so a wrong bit value in buddylab shows up as a behaviour difference.
"""

from dataclasses import dataclass

from hypothesis import strategies as st

import reference as R


@dataclass(frozen=True)
class MachineConfig:
    dma: int
    normal: int
    nr_cpus: int
    max_order: int
    pageblock_order: int
    min_free_kbytes: object          # None = the kernel's int_sqrt default
    watermark_scale_factor: int
    lowmem_reserve_ratio: tuple
    percpu_pagelist_fraction: int

    def machine_kwargs(self):
        zones = {"DMA": self.dma}
        if self.normal:
            zones["Normal"] = self.normal
        return dict(nodes=[zones], cpus_per_node=self.nr_cpus, max_order=self.max_order,
                    pageblock_order=self.pageblock_order, min_free_kbytes=self.min_free_kbytes,
                    watermark_scale_factor=self.watermark_scale_factor,
                    lowmem_reserve_ratio=self.lowmem_reserve_ratio,
                    percpu_pagelist_fraction=self.percpu_pagelist_fraction)

    def reference_kwargs(self):
        return dict(dma_pages=self.dma, normal_pages=self.normal, nr_cpus=self.nr_cpus,
                    max_order=self.max_order, pageblock_order=self.pageblock_order,
                    min_free_kbytes=self.min_free_kbytes,
                    watermark_scale_factor=self.watermark_scale_factor,
                    lowmem_reserve_ratio=self.lowmem_reserve_ratio,
                    percpu_pagelist_fraction=self.percpu_pagelist_fraction)


@st.composite
def machine_configs(draw):
    max_order = draw(st.integers(4, 6))
    pageblock_order = draw(st.integers(2, max_order - 1))
    # DMA 64..512 pages, sometimes a multiple of a MAX_ORDER block, sometimes ragged
    dma = draw(st.one_of(st.sampled_from([64, 128, 256, 512]), st.integers(64, 512)))
    normal = draw(st.one_of(st.just(0), st.sampled_from([256, 512, 1024]),
                            st.integers(1, 1024)))
    return MachineConfig(
        dma=dma, normal=normal,
        nr_cpus=draw(st.integers(1, 2)),
        max_order=max_order, pageblock_order=pageblock_order,
        min_free_kbytes=draw(st.sampled_from([0, 0, 0, 8, 16, 64, 256, None])),
        watermark_scale_factor=draw(st.sampled_from([10, 10, 100, 1000])),
        lowmem_reserve_ratio=draw(st.sampled_from([(256, 256, 32, 0), (256, 256, 32, 0), (4, 4, 4, 0),
                                                   (0, 0, 0, 0)])),
        percpu_pagelist_fraction=draw(st.sampled_from([0, 0, 8, 8, 16, 64])),
    )


# ---------------------------------------------------------------------------- GFP masks
BASES = {
    "GFP_KERNEL": R.GFP_KERNEL,
    "GFP_ATOMIC": R.GFP_ATOMIC,
    "GFP_NOWAIT": R.GFP_NOWAIT,
    "GFP_NOIO": R.GFP_NOIO,
    "GFP_USER": R.GFP_USER,
}
ZONE_MODS = [0, 0, 0, R.__GFP_DMA, R.__GFP_DMA32, R.__GFP_HIGHMEM]
MOBILITY = [0, 0, R.__GFP_MOVABLE, R.__GFP_RECLAIMABLE]
EXTRAS = [0, 0, 0, R.__GFP_NOWARN, R.__GFP_HIGH, R.__GFP_NOMEMALLOC, R.__GFP_THISNODE,
          R.__GFP_ZERO | R.__GFP_COMP, R.__GFP_NORETRY, R.__GFP_RETRY_MAYFAIL]


@st.composite
def gfp_masks(draw):
    """A valid mask: never GFP_ZONE_BAD, never MOVABLE|RECLAIMABLE, never __GFP_NOFAIL."""
    kind = draw(st.integers(0, 9))
    if kind <= 2:
        gfp = R.GFP_HIGHUSER_MOVABLE                           # zone Movable, MOVABLE
    elif kind == 3:
        gfp = R.GFP_DMA | draw(st.sampled_from([0, R.GFP_KERNEL, R.GFP_ATOMIC]))
    else:
        gfp = draw(st.sampled_from(sorted(BASES.values())))
        gfp |= draw(st.sampled_from(ZONE_MODS)) | draw(st.sampled_from(MOBILITY))
    gfp |= draw(st.sampled_from(EXTRAS))
    R.gfp_zone(gfp)                                             # asserts the mask is valid
    assert not (gfp & R.__GFP_MOVABLE and gfp & R.__GFP_RECLAIMABLE)
    return gfp


orders = st.one_of(st.just(0), st.just(0), st.integers(0, 5))   # reduced modulo max_order
cpus = st.integers(0, 1)                                           # reduced modulo nr_cpus
alloc_ops = st.tuples(gfp_masks(), orders, cpus)
fractions = st.sampled_from([0, 8, 9, 12, 16, 32, 100])
min_free_values = st.sampled_from([0, 4, 16, 64, 128, 512])
