"""zone->nr_free_highatomic of v6.18 is a counter, and the watermark check reads it.

mm/page_alloc.c, account_freepages() and __zone_watermark_unusable_free(), v6.18: the counter
moves with every page that joins or leaves a MIGRATE_HIGHATOMIC free list, and the watermark
check reads it (READ_ONCE(z->nr_free_highatomic)) instead of counting the lists.  The model
keeps the counter (buddy.account_freepages()) and its watermark check reads it, so here a
random walk that reserves and unreserves highatomic pageblocks holds the counter to the
free lists themselves (the pages on free_area[o].free_list[MIGRATE_HIGHATOMIC], 2^o each)
after every step.
"""
import random
import warnings

import pytest

import buddylab as bl
from modern_helpers import require_modern

from buddylab import mmzone as mz

require_modern()


def on_highatomic_lists(z):
    mm = z.mm
    return sum(mm.list_len[z.free_list(o, mz.MIGRATE_HIGHATOMIC)] << o
               for o in range(z.max_order))


@pytest.mark.parametrize("seed", range(3))
def test_counter_follows_the_highatomic_lists(seed):
    rnd = random.Random(seed)
    # GFP_ATOMIC (6.18 bits 0x820: __GFP_HIGH|__GFP_KSWAPD_RECLAIM) of order > 0 reserves a
    # highatomic pageblock once the fast path fails (gfp_to_alloc_flags(): ALLOC_HIGHATOMIC;
    # get_page_from_freelist(): reserve_highatomic_pageblock()); GFP_NOWAIT (0x2800) fills
    # around it.  Neither blocks, so no should_reclaim_retry() unreserves the blocks again.
    masks = (0x820, 0x2800)
    m = bl.Machine(nodes=[{"Normal": 1024}], kernel="modern", cpus_per_node=2, max_order=6,
                   pageblock_order=3, min_free_kbytes=256)
    held, seen = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bl.AllocationWarning)
        for step in range(500):          # fill (and reserve) first, then free half the time
            if held and step >= 250 and rnd.random() < 0.5:
                page, order = held.pop(rnd.randrange(len(held)))
                m.free_pages(page, order, cpu=rnd.randrange(2))
            else:
                order = rnd.choice((0, 1, 2, 3))
                page = m.alloc_pages(rnd.choice(masks), order, cpu=rnd.randrange(2))
                if page is not None:
                    held.append((page, order))
            for z in m.zones:
                free_ha = on_highatomic_lists(z)
                assert z.nr_free_highatomic == free_ha
                seen = max(seen, free_ha)
    assert seen > 0          # the walk did put free pages on the highatomic lists
