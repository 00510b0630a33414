"""The kernel objects: the seam of buddylab/kernels/base.py, filled by the classic kernel."""
import pytest

import buddylab as bl
from buddylab.errors import LayoutError
from buddylab.kernels.base import SEAM, Kernel
from buddylab.kernels.select import get_kernel, KERNELS
from buddylab.kernels.v4_18.kernel import CLASSIC
from buddylab.kernels.v6_18.kernel import MODERN


def test_classic_fills_every_attribute_of_the_seam():
    assert CLASSIC.unfilled() == []


def test_the_base_leaves_everything_unfilled():
    # a check of the check: a kernel that sets nothing is reported on every attribute
    assert Kernel().unfilled() == [name for name, _, _ in SEAM]
    with pytest.raises(NotImplementedError, match="rmqueue"):
        Kernel().rmqueue(None, 0, 0)


def test_get_kernel():
    assert get_kernel("classic") is CLASSIC
    assert get_kernel("v4.18") is CLASSIC
    assert get_kernel(CLASSIC) is CLASSIC
    assert get_kernel("modern") is MODERN and get_kernel("v6.18") is MODERN
    assert KERNELS == {"classic": CLASSIC, "modern": MODERN}
    assert repr(CLASSIC) == "<kernel classic (v4.18)>"
    assert repr(MODERN) == "<kernel modern (v6.18)>"


def test_an_unknown_kernel_is_refused_with_the_names_that_exist():
    with pytest.raises(LayoutError, match="'classic' \\(v4.18\\), 'modern' \\(v6.18\\)"):
        get_kernel("v5.10")
    with pytest.raises(LayoutError, match="kernels modelled"):
        bl.Machine(kernel="2018")


def test_modern_constants_are_v6_18s():
    # include/linux/mmzone.h (v6.18): MAX_PAGE_ORDER 10 inclusive, NR_PAGE_ORDERS 11,
    # NR_PCP_LISTS = 3 * (3 + 1) + NR_PCP_THP 2 = 14, enum zone_watermarks gains WMARK_PROMO,
    # enum zone_type gains ZONE_DEVICE (CONFIG_ZONE_DEVICE)
    assert (MODERN.MAX_ORDER, MODERN.NR_PAGE_ORDERS, MODERN.order_limit_inclusive) == (10, 11, True)
    assert MODERN.NR_PCP_LISTS == 14
    assert MODERN.WMARK_NAMES == ("min", "low", "high", "promo") and MODERN.NR_WMARK == 4
    assert MODERN.ZONE_NAMES[-1] == "Device" and len(MODERN.ZONE_NAMES) == 5
    assert MODERN.pcp_fraction_sysctl == "percpu_pagelist_high_fraction"


def test_each_kernel_refuses_the_other_kernels_pcp_sysctl():
    with pytest.raises(LayoutError, match="no percpu_pagelist_fraction sysctl"):
        bl.Machine(nodes=[{"Normal": 4096}], kernel="modern", percpu_pagelist_fraction=8)
    with pytest.raises(LayoutError, match="no percpu_pagelist_high_fraction sysctl"):
        bl.Machine(nodes=[{"Normal": 4096}], percpu_pagelist_high_fraction=8)


def test_a_machine_holds_its_kernel_object():
    m = bl.Machine(nodes=[{"Normal": 4096}], cpus_per_node=1)
    assert m.kernel is CLASSIC
    assert m._args["kernel"] == "classic"        # what replay() passes on: the name


def test_classic_constants_are_v4_18s():
    # include/linux/mmzone.h (v4.18): MAX_ORDER 11 exclusive, MIGRATE_PCPTYPES 3 lists,
    # enum zone_watermarks {WMARK_MIN, WMARK_LOW, WMARK_HIGH}
    assert (CLASSIC.MAX_ORDER, CLASSIC.NR_PAGE_ORDERS, CLASSIC.order_limit_inclusive) == (11, 11, False)
    assert CLASSIC.NR_PCP_LISTS == 3
    assert CLASSIC.WMARK_NAMES == ("min", "low", "high") and CLASSIC.NR_WMARK == 3
    # mm/page_alloc.c init_per_zone_wmark_min() (v4.18): clamp to [128, 65536]
    assert CLASSIC.min_free_kbytes_max == 65536
    assert CLASSIC.default_min_free_kbytes(10 ** 9) == 65536
