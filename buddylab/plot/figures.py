"""Regenerate the suite's figures into figures/: ``python -m buddylab.plot.figures``.

`make figures` runs this.  Every figure comes from a small seeded scenario
on a tiny machine (64 pages, max_order 5, pageblock_order 3) or from the
default realistic machine, and is written as PNG without the metadata that
changes between runs (Software, dates), so a rerun is byte-identical with
the same matplotlib version; a thumbnail of each goes into figures/thumbs/
(the README's chapter map).  Uses the Agg backend (it is a script).
"""

import argparse
import os
import random

TINY = dict(nodes=[{"DMA": 64}], cpus_per_node=1, max_order=5, pageblock_order=3,
            min_free_kbytes=0)
SAVE = dict(dpi=100, metadata={"Software": None})
THUMB_BOX = (320, 150)          # px: a thumbnail fits this box (figures/thumbs/)


def tiny_machine(**kw):
    """The hand-sized machine of the chapters: one 64-page DMA zone, orders 0..4."""
    import buddylab as bl
    args = dict(TINY)
    args.update(kw)
    return bl.Machine(**args)


def random_workload(m, seed=0, nr_ops=24, max_order=2, gfp_masks=None):
    """Seeded random allocs and frees on m; returns the allocations still held."""
    import buddylab as bl
    rng = random.Random(seed)
    masks = gfp_masks or [bl.GFP_KERNEL, bl.GFP_HIGHUSER_MOVABLE, bl.GFP_USER]
    held = []
    for _ in range(nr_ops):
        if held and rng.random() < 0.4:
            page, order = held.pop(int(rng.random() * len(held)))
            m.free_pages(page, order)
        else:
            order = int(rng.random() * (max_order + 1))
            mask = masks[int(rng.random() * len(masks))]
            page = m.alloc_pages(mask, order)
            if page is not None:
                held.append((page, order))
    return held


def build_all():
    """Every figure as (file name, Figure), built with pyplot (the caller closes them)."""
    import buddylab as bl
    from . import (plot_free_area_pair, plot_memory_map, plot_split_merge, plot_fallback,
                   plot_pcp_timeline, plot_zonelists, plot_zonelist_walk, plot_watermarks,
                   plot_gfp_decisions, plot_antifrag, plot_tail, plot_memory_map_pair,
                   fragment_zone, PAIR_ZONE)
    from .. import experiments
    out = []
    seed = 3
    m = tiny_machine()
    random_workload(m, seed=seed)
    z = m.zone_snapshot(0, "DMA")
    out.append(("free_area_tiny.png", plot_free_area_pair(z, seed=seed)[0].figure))
    out.append(("memmap_tiny.png", plot_memory_map(z, seed=seed).figure))

    big = bl.Machine()
    random_workload(big, seed=seed, nr_ops=400, max_order=4)
    out.append(("memmap_realistic.png", plot_memory_map(big.zone_snapshot(0, "Normal"),
                                                        seed=seed).figure))
    out.append(("free_area_realistic.png",
                plot_free_area_pair(big.zone_snapshot(0, "Normal"), seed=seed)[0].figure))

    m = tiny_machine()
    t = m.start_trace()
    page = m.alloc_pages(bl.GFP_HIGHUSER_MOVABLE, 0)
    m.stop_trace()
    out.append(("split_tiny.png", plot_split_merge(t)[0].figure))
    t = m.start_trace()
    m.free_pages(page, 0)
    m.drain_all_pages()
    m.stop_trace()
    out.append(("merge_tiny.png", plot_split_merge(t)[0].figure))

    m = tiny_machine()
    before = m.zone_snapshot(0, "DMA")
    t = m.start_trace()
    m.alloc_pages(bl.GFP_KERNEL, 1)
    m.stop_trace()
    out.append(("fallback_tiny.png",
                plot_fallback(t, before, m.zone_snapshot(0, "DMA"))[0].figure))

    pm = bl.Machine(cpus_per_node=1)          # Normal: high 42, batch 7
    snap0 = pm.zone_snapshot(0, "Normal")
    t = pm.start_trace(kinds=["pcp_refill", "pcp_alloc", "pcp_free", "pcp_drain",
                              "mm_page_pcpu_drain"])
    rng = random.Random(seed)
    held = []
    for i in range(160):
        if held and rng.random() < (0.3 if i < 80 else 0.7):
            pm.free_page(held.pop(int(rng.random() * len(held))))
        else:
            held.append(pm.alloc_page(bl.GFP_KERNEL))
    pm.stop_trace()
    out.append(("pcp_timeline.png", plot_pcp_timeline(
        t, snap=pm.zone_snapshot(0, "Normal"), snap_before=snap0, seed=seed).figure))

    nm = bl.Machine(nodes=[{"DMA": 4096, "Normal": 28672}, {"Normal": 32768}], cpus_per_node=1)
    out.append(("zonelists.png", plot_zonelists(nm).figure))
    t = nm.start_trace(kinds=["zonelist_step"])
    nm.alloc_pages(bl.GFP_DMA, 0)
    nm.stop_trace()
    out.append(("zonelist_walk.png", plot_zonelist_walk(t).figure))
    out.append(("watermarks.png", plot_watermarks(nm.snapshot(), order=3).figure))
    out.append(("gfp_decisions.png", plot_gfp_decisions().figure))
    # chapter 06's two experiments as the chapter runs them (tiny, seeds 0..2; ~7 s)
    out.append(("antifrag_tiny.png", plot_antifrag(
        experiments.run("antifrag", seed=0, size="tiny", progress=False)).figure))
    out.append(("tail_tiny.png", plot_tail(
        experiments.run("tail", seed=0, size="tiny", progress=False)).figure))
    # chapter 07: the fallback scenario on both kernel profiles (60 % free, 16 Unmovable pages)
    pair = [fragment_zone(bl.Machine(kernel=k, **PAIR_ZONE), share=0.6)
            for k in ("classic", "modern")]
    for x in pair:
        for _ in range(16):
            x.alloc_pages(x.kernel.gfp.GFP_KERNEL, 0, cpu=0)
    out.append(("kernels_pair.png", plot_memory_map_pair(
        [x.zone_snapshot(0, "Normal") for x in pair],
        ["%s (%s)" % (x.kernel.name, x.kernel.version) for x in pair])[0].figure))
    return out


def main(argv=None):
    """Write every figure into `--out` (default: figures/ next to the package)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(root, "figures"))
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    thumbs = os.path.join(args.out, "thumbs")
    os.makedirs(thumbs, exist_ok=True)
    with plt.rc_context({"svg.hashsalt": "buddylab", "path.simplify": True}):
        for name, fig in build_all():
            path = os.path.join(args.out, name)
            fig.savefig(path, bbox_inches="tight", **SAVE)
            save_thumbnail(path, os.path.join(thumbs, name))
            plt.close(fig)
            print(path)


def save_thumbnail(png, path, box=THUMB_BOX):
    """The saved figure `png` (a file path) scaled down to fit `box` (width, height in px),
    aspect kept, with Pillow's Lanczos filter (Pillow comes with matplotlib): the README's
    chapter map shows these beside each chapter, each linking to the full figure.  Scaling
    the PNG already written costs a fraction of drawing the figure again."""
    from PIL import Image
    with Image.open(png) as im:
        scale = min(box[0] / im.width, box[1] / im.height, 1.0)
        size = (max(1, int(im.width * scale)), max(1, int(im.height * scale)))
        im.convert("RGBA").resize(size, Image.LANCZOS).save(path, format="png")


if __name__ == "__main__":
    main()
