"""Both profiles selectable everywhere (issue 10 §2): experiments, problems, the command line."""

import pytest

import buddylab as bl
import buddylab.experiments as E
from buddylab.__main__ import main
from buddylab.errors import BadParameterError

# include/linux/gfp_types.h (v6.18), by hand: GFP_HIGHUSER_MOVABLE 0x100cca, __GFP_COMP
# 0x40000, __GFP_THISNODE 0x200000, __GFP_RETRY_MAYFAIL 0x4000, __GFP_NOWARN 0x2000.
HUGE_GFP_618 = 0x100cca | 0x40000 | 0x200000 | 0x4000 | 0x2000      # = 0x346cca
CHURN_GFP_618 = 0x100cca | 0x2000


def test_experiment_masks_follow_the_running_kernel():
    classic = E.make_machine(256, 3, 5)
    modern = E.make_machine(256, 3, 5, kernel="modern")
    assert E.huge_gfp(classic) == E.HUGE_GFP
    assert E.huge_gfp(modern) == HUGE_GFP_618 == 0x346cca
    assert E.churn_gfp(modern) == CHURN_GFP_618


@pytest.mark.parametrize("name", sorted(E.EXPERIMENTS))
def test_every_experiment_runs_on_the_modern_profile(name):
    r = E.run(name, seed=0, size="tiny", progress=False, kernel="modern", steps=300,
              **({"runs": 1} if name in ("antifrag", "tail") else {}))
    assert r["params"]["kernel"] == "modern"
    head = r["report"].splitlines()
    assert head[0] == "experiment %s --seed 0 --size tiny --kernel modern" % name
    # size tiny: max_order 8 orders, so MAX_PAGE_ORDER (inclusive) is 7
    assert "pageblock_order 6, MAX_PAGE_ORDER 7;" in head[1]


def test_classic_experiment_header_is_unchanged():
    r = E.run("compaction", seed=0, size="tiny", progress=False, steps=10)
    assert r["report"].splitlines()[:2] == [
        "experiment compaction --seed 0 --size tiny",
        "  machine: 4096 pages (one Normal zone), pageblock_order 6, MAX_ORDER 8; workload "
        "steps 10"]


def test_experiment_unknown_kernel_is_a_bad_parameter():
    with pytest.raises(BadParameterError, match="unknown kernel 'v5' .*classic, modern"):
        E.run("tail", kernel="v5")


def test_experiment_kernel_from_the_shell(capsys):
    assert main(["experiment", "compaction", "--size", "tiny", "--steps", "50",
                 "--no-progress", "--kernel", "modern"]) == 0
    assert capsys.readouterr().out.startswith(
        "experiment compaction --seed 0 --size tiny --kernel modern\n")
    with pytest.raises(SystemExit) as e:
        main(["experiment", "tail", "--kernel", "v5"])
    assert e.value.code == 2
    assert "invalid choice: 'v5'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ problems
def test_split_on_the_modern_kernel_worked_by_hand():
    """64 pages, orders 0..3, pageblocks of 4: boot frees the order-3 blocks at the TAIL in
    ascending order (mm/page_alloc.c, __free_pages_core() -> FPI_TO_TAIL, v6.18), so the
    list is [0, 8, ..., 56] and the first order-0 request gets pfn 0 (expand() leaves 4, 2, 1
    at the heads).  Order 1 also goes through the pcp lists (pcp_allowed_order(): order <=
    PAGE_ALLOC_COSTLY_ORDER); batch 1, so rmqueue_bulk() takes one order-1 block, the head 2
    (nr_pcp_alloc() returns batch when batch is 1, mm/page_alloc.c, v6.18).  Freeing pfn 0
    puts it on the order-0 pcp list (count 1 < high), so it never reaches the buddy lists."""
    p = bl.problem("split", ops="+0,+1,-0", kernel="modern")
    assert p.text(solved=True).splitlines() == [
        'python -m buddylab problem split --pages 64 --max-order 4 --pageblock-order 2 '
        '-A "+0m,+1m,-0" --kernel modern -c',
        "machine: v6.18 kernel, one Normal zone of 64 pages, orders 0..3, pageblocks of 4 "
        "pages, 1 CPU, min_free_kbytes 0, pcp lists for orders 0..3, batch 1, high_min 4, "
        "high_max 8",
        "at boot: free_area[3] Movable [0, 8, 16, 24, 32, 40, 48, 56]",
        "op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 0",
        "op 2: a1 = alloc_pages(GFP_HIGHUSER_MOVABLE, 1) -> pfn 2",
        "op 3: __free_pages(a0, 0)",
        "free lists at the end (head -> tail):",
        "  free_area[0] Movable [1]",
        "  free_area[2] Movable [4]",
        "  free_area[3] Movable [8, 16, 24, 32, 40, 48, 56]"]
    assert p.check(p.answers()).correct
    # the rebuilt instance is the same, kernel included
    assert bl.problem(p.kind, seed=p.seed, **p.params) == p and p.params["kernel"] == "modern"


def test_split_hints_name_the_modern_rules():
    p = bl.problem("split", ops="+0u", kernel="modern")
    hints = [p.hint() for _ in range(5)]
    assert any("orders 0..3 pass through the per-cpu lists" in h for h in hints)
    assert any("FPI_TO_TAIL" in h for h in hints)
    assert any("__rmqueue_claim()" in h and "__rmqueue_steal()" in h for h in hints)
    assert not any("__rmqueue_fallback" in h for h in hints)
    classic = bl.problem("split", ops="+0u")
    assert any("__rmqueue_fallback" in classic.hint() for _ in range(5))


def test_node_load_rule_of_each_kernel_worked_by_hand():
    """Four nodes, distances below; node 3's order differs between the kernels.
    v4.18 (mm/page_alloc.c, build_zonelists() and find_next_best_node(), v4.18): the first
    node of a new distance group gets node_load = load (4 falling by one per node placed),
    val = (distance + (n < local)) * 4 * 64 + node_load.  Node 0 (order 0, 1, 2, 3) sets
    node_load [0, 3, 0, 1]; node 1 (order 1, 3, 2, 0) sets 3 = 3, 2 = 2 -> [0, 3, 2, 3];
    node 2 (order 2, 3, 0, 1) sets 3 = 3, 0 = 2 -> [2, 3, 2, 3]; node 3: 1 and 2 are both
    20 + 1 away, node_load 3 against 2, so 2 first: 3, 2, 1, 0.
    v6.18 (mm/page_alloc.c, build_zonelists(): node_load[node] += 1 and
    find_next_best_node(): val *= MAX_NUMNODES, v6.18): node 0 -> [0, 1, 0, 1]; node 1 ->
    [0, 1, 1, 2]; node 2 -> [1, 1, 1, 3]; node 3: 1 and 2 tie at 21 * 64 + 1, the lower id
    wins: 3, 1, 2, 0."""
    dist = [[10, 21, 21, 30], [21, 10, 21, 20], [21, 21, 10, 20], [30, 20, 20, 10]]
    nodes = [{"DMA": 16, "Normal": 64}] + [{"Normal": 64}] * 3
    orders = {k: bl.Machine(nodes=nodes, cpus_per_node=1, max_order=4, pageblock_order=2,
                            distance=dist, min_free_kbytes=0, kernel=k).node_orders
              for k in ("classic", "modern")}
    assert orders["classic"] == [(0, 1, 2, 3), (1, 3, 2, 0), (2, 3, 0, 1), (3, 2, 1, 0)]
    assert orders["modern"] == [(0, 1, 2, 3), (1, 3, 2, 0), (2, 3, 0, 1), (3, 1, 2, 0)]


def test_zonelist_on_the_modern_kernel_worked_by_hand():
    """zonelist --nodes 4 --seed 0: GFP_USER on node 3, distances in the text.
    v6.18 (mm/page_alloc.c, build_zonelists(), find_next_best_node(), v6.18; node_load[]
    += 1 for the first node of each new distance group, shared by all nodes' builds):
    node 0 builds 0, 1 (20, load[1] = 1), 2 (21, load[2] = 1), 3; node 1 builds 1, then 0
    (20 + 1) and 3 (21) tie with load 0, so 0 (load[0] = 1), 3 (load[3] = 1), 2 (load[2] = 2);
    node 2 builds 2, 3 (load[3] = 2), 0 (22 < 41, load[0] = 2), 1 (load[1] = 2); node 3:
    2 (20 + 1), then 0 and 1 tie at 22 with load 2 each, so 0, then 1.  gfp_zone(GFP_USER)
    is ZONE_NORMAL (no zone modifier, include/linux/gfp.h, v6.18).  v4.18 puts node 1 before
    node 0 here (its node_load[] is assigned 1 for node 1 and 2 for node 0 by node 2's build)."""
    p = bl.problem("zonelist", seed=0, nodes=4, kernel="modern")
    text = p.text()
    assert "  node 3: 21 21 20 10" in text and "alloc_pages(GFP_USER, 0) on the CPU of node 3" in text
    good = {"highest_zone": "Normal",
            "walk": ["3:Normal", "2:Normal", "0:Normal", "0:DMA", "1:Normal"]}
    assert p.check(good).correct
    classic = bl.problem("zonelist", seed=0, nodes=4)
    assert classic.text() == text.replace(" --kernel modern", "")
    assert classic.check({"highest_zone": "Normal", "walk": [
        "3:Normal", "2:Normal", "1:Normal", "0:Normal", "0:DMA"]}).correct
    w = p._worked()
    assert "grows by one" in w.rules["walk"] and any("one more each time" in h for h in w.hints)
    assert "grows by one" not in classic._worked().rules["walk"]


def test_interface_on_the_modern_kernel_worked_by_hand():
    """interface --seed 10: __get_free_pages(GFP_HIGHUSER_MOVABLE, 0) on CPU 1.  v6.18 clears
    __GFP_HIGHMEM (get_free_pages_noprof(), mm/page_alloc.c, v6.18): __GFP_MOVABLE alone is
    ZONE_NORMAL in GFP_ZONE_TABLE (gfp_zone(), include/linux/gfp.h, v6.18) and Movable
    (gfp_migratetype()); CPU 1 is node 1's, whose Normal zone is all free: an address on node
    1, zone Normal.  v4.18 stops at VM_BUG_ON(gfp_mask & __GFP_HIGHMEM) (__get_free_pages(),
    mm/page_alloc.c, v4.18): an error."""
    p = bl.problem("interface", seed=10, kernel="modern")
    assert "call on CPU 1: __get_free_pages(GFP_HIGHUSER_MOVABLE, 0)" in p.text()
    assert "MAX_PAGE_ORDER 4 (orders 0..4)" in p.text()
    assert p.check({"returns": "address", "node": "1", "zone": "Normal",
                    "migratetype": "Movable"}).correct
    classic = bl.problem("interface", seed=10)
    assert "MAX_ORDER 5 (orders 0..4)" in classic.text()
    assert classic.check({"returns": "error", "node": "none", "zone": "none",
                          "migratetype": "none"}).correct
    w = p._worked()
    assert "clear __GFP_HIGHMEM" in w.rules["returns"] and "VM_BUG_ON" not in w.rules["returns"]
    assert "MAX_PAGE_ORDER" in w.rules["returns"] and w.rules["migratetype"].startswith(
        "gfp_migratetype()")


def test_get_free_pages_highmem_per_kernel():
    """__get_dma_pages(__GFP_DMA | __GFP_HIGHMEM): v6.18 clears __GFP_HIGHMEM before gfp_zone()
    sees it (get_free_pages_noprof(), mm/page_alloc.c, v6.18): a page of ZONE_DMA; v4.18
    rejects it (GFP_ZONE_BAD) and leaves the machine as it was."""
    layout = [{"DMA": 64, "Normal": 256}]
    m = bl.Machine(nodes=layout, max_order=5, pageblock_order=2, kernel="modern")
    g = m.kernel.gfp
    addr = m.__get_dma_pages(g.__GFP_DMA | g.__GFP_HIGHMEM, 0)
    assert m.page_zone(m.virt_to_page(addr).pfn).name == "DMA"
    c = bl.Machine(nodes=layout, max_order=5, pageblock_order=2)
    before = c.snapshot()
    with pytest.raises(bl.BuddyLabError):
        c.__get_dma_pages(c.kernel.gfp.__GFP_DMA | c.kernel.gfp.__GFP_HIGHMEM, 0)
    assert c.snapshot() == before


def test_watermark_on_the_modern_kernel_worked_by_hand():
    """watermark --seed 1 on v6.18: alloc_pages(GFP_KERNEL, 2); the fast path holds
    ALLOC_WMARK_LOW (__alloc_frozen_pages_noprof(), mm/page_alloc.c, v6.18).  The protection
    is lowmem_reserve[ac->highest_zoneidx] = [ZONE_NORMAL] (get_page_from_freelist(),
    mm/page_alloc.c, v6.18): Normal 0, DMA 512 Normal pages / ratio 32 = 16.
    __zone_watermark_ok() (mm/page_alloc.c, v6.18), no free HIGHATOMIC or CMA pages:
    Normal 67 - (4 - 1) = 64 <= low 70 + 0 fails; DMA 28 - 3 = 25 > low 8 + 16 = 24, and its
    order-2 list holds two blocks: passes, so DMA serves in the fast path."""
    p = bl.problem("watermark", seed=1, kernel="modern")
    text = p.text()
    assert "request: alloc_pages(GFP_KERNEL, 2)" in text
    assert "zone DMA    free 28, nr_free per order [16, 2, 2, 0], min 7 low 8 high 9" in text
    assert "zone Normal free 67" in text and "min 56 low 70 high 84" in text
    assert "promo 98" in text                       # v6.18's fourth mark
    assert p.check({"mark": "low", "Normal protection": 0, "Normal passes": False,
                    "DMA protection": 16, "DMA passes": True, "served_from": "DMA",
                    "path": "fast"}).correct
    w = p._worked()
    assert "highest_zoneidx" in w.rules["DMA protection"]
    assert "classzone_idx" not in w.rules["DMA protection"]
    assert "zone_watermark_unusable_free()" in w.rules["DMA passes"]
    assert "ALLOC_MIN_RESERVE" in w.rules["path"] and "ALLOC_NON_BLOCK" in w.rules["path"]
    assert "__alloc_frozen_pages_noprof()" in w.rules["mark"]
    classic = bl.problem("watermark", seed=1)._worked()
    assert "classzone_idx" in classic.rules["DMA protection"]
    assert "ALLOC_MIN_RESERVE" not in classic.rules["path"]


def test_drill_on_the_modern_kernel_worked_by_hand():
    """drill --topic order on v6.18: alloc_pages() takes orders 0..MAX_PAGE_ORDER, inclusive,
    10 on x86_64 (include/linux/mmzone.h, alloc_pages_noprof() / __alloc_frozen_pages_noprof()
    `order > MAX_PAGE_ORDER` -> NULL, mm/page_alloc.c, v6.18).  Seed 2 draws order 11:
    2^11 = 2048 pages x 4 KiB = 8192 KiB, and 11 > 10: not valid.  Seed 0 draws order 10:
    1024 pages, 4096 KiB, valid (10 <= 10; v4.18 too: 10 < MAX_ORDER 11)."""
    p = bl.problem("drill", seed=2, kernel="modern", topic="order")
    assert "v6.18: PAGE_SIZE 4096 bytes, MAX_PAGE_ORDER 10; a block of order 11" in p.text()
    assert "(order <= MAX_PAGE_ORDER)" in p.text()
    assert p.check({"pages": 2048, "KiB": 8192, "valid": False}).correct
    p = bl.problem("drill", seed=0, kernel="modern", topic="order")
    assert p.check({"pages": 1024, "KiB": 4096, "valid": True}).correct
    assert "MAX_PAGE_ORDER (inclusive" in p._worked().rules["valid"]
    classic = bl.problem("drill", seed=0, topic="order")
    assert "v4.18: PAGE_SIZE 4096 bytes, MAX_ORDER 11; a block of order 10" in classic.text()
    assert classic.check({"pages": 1024, "KiB": 4096, "valid": True}).correct


def test_drill_pcp_on_the_modern_kernel_worked_by_hand():
    """drill --topic pcp --seed 1 on v6.18: 128 pages, batch 1, high_min 4, high_max 16.
    nr_pcp_alloc() and free_frozen_page_commit() (mm/page_alloc.c, v6.18): op 1 refills
    1 << 0 = 1 page, pfn 0 (high 0 -> 4 -> 5, alloc_factor 1); op 2 frees it to the head
    (alloc_factor 0, count 1 < 5); op 3 takes it back; op 4 refills 1 page, pfn 1 (high 6,
    alloc_factor 1); op 5 refills 1 << 1 = 2 pages, 2 and 3 (high 8), takes 2; op 6 frees
    pfn 0 to the head: count 2 < high 8, no drain.  So pfn 0 is not in buddyinfo;
    NR_FREE_PAGES = 128 - 2 in use (1, 2) - 2 on the pcp list (0, 3) = 124; with the pcp
    pages 126."""
    p = bl.problem("drill", seed=1, kernel="modern", topic="pcp")
    assert "zoneinfo pagesets: cpu: 0 count: 2 high: 8 batch: 1 high_min: 4 high_max: 16" \
        in p.text()
    assert p.check({"in_buddyinfo": False, "nr_free_pages": 124, "all_free": 126}).correct
    assert "__free_frozen_pages()" in p._worked().rules["in_buddyinfo"]


def test_every_drill_topic_runs_on_the_modern_kernel():
    """Each drill topic builds on v6.18 and solves itself; the classic pcp topic still names
    v4.18's free_unref_page()."""
    from buddylab.problems.drill import TOPICS
    for topic in TOPICS:
        p = bl.problem("drill", seed=0, kernel="modern", topic=topic)
        assert p.check(p.answers()).correct
    assert "free_unref_page()" in bl.problem("drill", seed=0, topic="pcp")._worked().hints[0]


def test_every_kind_runs_on_both_kernels():
    """No kind is classic only any more: each builds on the modern kernel and names it."""
    from buddylab.problems import CLASSES
    for kind, cls in CLASSES.items():
        assert cls.KERNELS == ("classic", "modern"), kind
        p = bl.problem(kind, seed=0, kernel="modern")
        assert p.command().endswith("--kernel modern") and p.check(p.answers()).correct


def test_problem_unknown_kernel():
    with pytest.raises(bl.BuddyLabError, match="--kernel must be one of classic, modern, got 'v5'"):
        bl.problem("split", kernel="v5")


def test_problem_kernel_from_the_shell(capsys):
    assert main(["problem", "split", "-A", "+0", "--kernel", "modern", "-c"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith('-A "+0m" --kernel modern -c')
    assert out[3] == "op 1: a0 = alloc_pages(GFP_HIGHUSER_MOVABLE, 0) -> pfn 0"
    for kind in ("fallback", "pcp", "merge"):
        assert main(["problem", kind, "--kernel", "modern", "--seed", "3"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("python -m buddylab problem %s --seed 3 " % kind)
        assert out.splitlines()[0].endswith(" --kernel modern") and "v6.18 kernel" in out
        assert main(["problem", kind, "--kernel", "modern", "--seed", "3", "-c"]) == 0
        solved = capsys.readouterr().out
        assert solved.splitlines()[0].endswith(" --kernel modern -c") and "?" not in solved
