"""Modern (v6.18) zone setup: watermarks with promo, lowmem_reserve, min_free_kbytes, pcp retuning.

Assumed names: see tests/modern_helpers.py (ZoneSnapshot.watermark = (min, low, high, promo),
lowmem_reserve with 5 entries, MachineSnapshot.min_free_kbytes, the kernel's
calculate_min_free_kbytes(lowmem_kbytes)).  Skipped while Machine(kernel="modern") raises.
"""
import pytest

from modern_helpers import require_modern

require_modern()

import buddylab as bl  # noqa: E402
from modern_helpers import kernel_name, machine, pcp, zone_block, zs  # noqa: E402


def test_watermarks_with_promo():
    """16384 pages, mfk 1024: min 256, step max(64, 16) = 64 -> (256, 320, 384, 448)."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(), v6.18: pages_min = 1024 >> 2 = 256;
    # tmp = 256 * 16384 // 16384 = 256; step = max(tmp >> 2, mult_frac(16384, 10, 10000)) =
    # max(64, 16) = 64; low = min + step, high = low + step, promo = high + step.
    m = machine({"Normal": 16384}, min_free_kbytes=1024)
    assert tuple(zs(m).watermark) == (256, 320, 384, 448)


def test_watermarks_split_by_managed_pages():
    """DMA32 4096 + Normal 12288, mfk 1024: DMA32 (64, 80, 96, 112), Normal (192, 240, 288, 336)."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(), v6.18: lowmem = 16384; DMA32 tmp = 256 * 4096
    # // 16384 = 64, step max(16, 4) = 16; Normal tmp = 192, step max(48, 12) = 48.
    m = machine([{"DMA32": 4096, "Normal": 12288}], min_free_kbytes=1024)
    assert tuple(zs(m, "DMA32").watermark) == (64, 80, 96, 112)
    assert tuple(zs(m).watermark) == (192, 240, 288, 336)


def test_lowmem_reserve_with_five_zones():
    """DMA32 protects (0, 0, 48, 48, 48); an empty DMA and Normal protect nothing."""
    # mm/page_alloc.c, setup_per_zone_lowmem_reserve(), v6.18: ratio (256, 256, 32, 0, 0);
    # DMA32: j = Normal acc 12288 // 256 = 48, Movable and Device add 0 -> 48, 48;
    # Normal: ratio 32, acc 0 -> 0; DMA: managed 0 -> cleared (classic computed 16, 64, 64).
    m = machine([{"DMA32": 4096, "Normal": 12288}], min_free_kbytes=1024)
    assert tuple(zs(m, "DMA32").lowmem_reserve) == (0, 0, 48, 48, 48)
    assert tuple(zs(m).lowmem_reserve) == (0, 0, 0, 0, 0)
    assert tuple(zs(m, "DMA").lowmem_reserve) == (0, 0, 0, 0, 0)
    assert "        protection: (0, 0, 48, 48, 48)" in zone_block(m.zoneinfo(), "DMA32")


def test_empty_movable_zone_gets_32_pages():
    """An empty ZONE_MOVABLE: min = clamp(0 / 1024, 32, 128) = 32 and step 0 -> 32/32/32/32."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(): "if (is_highmem(zone) || zone_idx(zone) ==
    # ZONE_MOVABLE) min_pages = clamp(managed / 1024, SWAP_CLUSTER_MAX, 128)", v6.18.  The live
    # 6.18.44 kernel prints these four 32s for its empty Movable zone.
    m = machine({"Normal": 16384}, min_free_kbytes=1024)
    assert tuple(zs(m, "Movable").watermark) == (32, 32, 32, 32)
    assert tuple(zs(m, "Device").watermark) == (0, 0, 0, 0)


def test_populated_movable_is_not_lowmem():
    """Normal 4096 + Movable 4096, mfk 1024: Normal gets all of pages_min; Movable min 32."""
    # mm/page_alloc.c, __setup_per_zone_wmarks(): lowmem_pages skips highmem and ZONE_MOVABLE,
    # v6.18.  lowmem = 4096: Normal tmp = 256, step max(64, 4) = 64 -> (256, 320, 384, 448);
    # Movable tmp = 256 * 4096 // 4096 = 256 but min = clamp(4, 32, 128) = 32, step 64 ->
    # (32, 96, 160, 224).  Normal protection[Movable] = 4096 // 32 = 128.
    m = machine([{"Normal": 4096, "Movable": 4096}], min_free_kbytes=1024)
    assert tuple(zs(m).watermark) == (256, 320, 384, 448)
    assert tuple(zs(m, "Movable").watermark) == (32, 96, 160, 224)
    assert tuple(zs(m).lowmem_reserve) == (0, 0, 0, 128, 128)


def test_watermark_scale_factor_up_to_3000():
    """wsf 3000 (the 6.18 maximum): step = max(64, 16384 * 3000 // 10000 = 4915) = 4915."""
    # mm/page_alloc.c, __setup_per_zone_wmarks() and the sysctl table (extra2 = 3000), v6.18.
    m = machine({"Normal": 16384}, min_free_kbytes=1024, watermark_scale_factor=3000)
    assert tuple(zs(m).watermark) == (256, 5171, 10086, 15001)
    with pytest.raises(bl.BuddyLabError):
        machine({"Normal": 16384}, min_free_kbytes=1024, watermark_scale_factor=3001)


def test_set_min_free_kbytes_retunes_the_pcp():
    """Writing min_free_kbytes 2048 gives (512, 640, 768, 896) and high_min = low = 640."""
    # mm/page_alloc.c, min_free_kbytes_sysctl_handler() -> setup_per_zone_wmarks() ->
    # zone_pcp_update(zone, 0): high_min = max(640 // 1, 3 << 2), v6.18.
    # pages_min 512, step max(128, 16) = 128.  Before: low 320 -> high_min 320.
    m = machine({"Normal": 16384}, min_free_kbytes=1024)
    assert pcp(m).high_min == 320
    m.set_min_free_kbytes(2048)
    assert tuple(zs(m).watermark) == (512, 640, 768, 896)
    assert (pcp(m).high_min, pcp(m).high_max) == (640, 2048)


def test_default_min_free_kbytes_takes_the_khugepaged_recommendation():
    """16384 pages: int_sqrt(65536 * 16) = 1024, then khugepaged raises it to 3200 kB."""
    # mm/page_alloc.c, calculate_min_free_kbytes(); mm/khugepaged.c,
    # set_recommended_min_free_kbytes(), v6.18 (THP enabled, as on the live kernel: madvise):
    # 1 populated zone <= Normal: 512 * 1 * 2 + 512 * 1 * 3 * 3 = 5632 pages, capped at
    # nr_free_buffer_pages() / 20 = (16384 - high 384) // 20 = 800 -> 3200 kB > 1024.
    # Watermarks from 3200: pages_min 800, step max(200, 16) = 200 -> (800, 1000, 1200, 1400).
    m = machine({"Normal": 16384}, min_free_kbytes=None)
    assert m.snapshot().min_free_kbytes == 3200
    assert tuple(zs(m).watermark) == (800, 1000, 1200, 1400)


@pytest.mark.parametrize("lowmem_kbytes, expected", [
    (100, 128),                    # int_sqrt(1600) = 40 -> clamp to 128
    (1 << 20, 4096),               # 1 GiB: int_sqrt(16 Mi) = 4096
    (1 << 32, 262144),             # 4 TiB: int_sqrt(2**36) = 2**18 = 262144 (classic: 65536)
    (1 << 34, 262144),             # 16 TiB: int_sqrt(2**38) = 524288 -> capped at 262144
])
def test_min_free_kbytes_bound(lowmem_kbytes, expected):
    """calculate_min_free_kbytes(): clamp(int_sqrt(lowmem_kbytes * 16), 128, 262144)."""
    # mm/page_alloc.c, calculate_min_free_kbytes(), v6.18 (the 4.18 bound was 65536).
    assert kernel_name("calculate_min_free_kbytes")(lowmem_kbytes) == expected
