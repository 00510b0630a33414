"""The kernel objects: the seam of buddylab/kernels/base.py, filled by the classic kernel."""
import pytest

import buddylab as bl
from buddylab.errors import LayoutError
from buddylab.kernels.base import SEAM, Kernel
from buddylab.kernels.select import get_kernel, KERNELS
from buddylab.kernels.v4_18.kernel import CLASSIC


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
    assert KERNELS == {"classic": CLASSIC}
    assert repr(CLASSIC) == "<kernel classic (v4.18)>"


def test_modern_is_not_running_yet():
    with pytest.raises(LayoutError, match="buddylab.profiles"):
        get_kernel("modern")
    with pytest.raises(LayoutError, match="only the classic"):
        bl.Machine(kernel="modern")


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
