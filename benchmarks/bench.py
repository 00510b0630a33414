"""make bench: how fast the model runs (never asserted in unit tests).

Measures boot time of a real-sized machine and the rate of order-0 and
order-3 allocate/free pairs, with tracing off and on.  Seeded, so the
operations are the same every run; only the timings vary.
"""
import random
import sys
import time
import warnings

import buddylab as bl


def timed(label, fn, n=1):
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    rate = "" if n == 1 else "  (%.0f ops/s)" % (n / dt)
    print("%-48s %8.3f s%s" % (label, dt, rate))
    return dt


def churn(m, n, seed=0, orders=(0, 0, 0, 1, 2, 3)):
    rng = random.Random(seed)
    live = []
    masks = (bl.GFP_KERNEL, bl.GFP_HIGHUSER_MOVABLE, bl.GFP_KERNEL | bl.__GFP_RECLAIMABLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n):
            if live and rng.random() < 0.45:
                p, o, cpu = live.pop(int(rng.random() * len(live)))
                m.free_pages(p, o, cpu=cpu)
            else:
                o = orders[int(rng.random() * len(orders))]
                cpu = int(rng.random() * m.nr_cpus)
                p = m.alloc_pages(masks[int(rng.random() * 3)], o, cpu=cpu)
                if p is not None:
                    live.append((p, o, cpu))


def main():
    print("buddylab", bl.__version__, "python", sys.version.split()[0])
    holder = {}
    timed("boot 4 GiB machine (1,048,576 pages, 2 nodes)",
          lambda: holder.update(m=bl.Machine(nodes=[{"DMA": 4096, "DMA32": 520192},
                                                     {"Normal": 524288}], cpus_per_node=2)))
    m = holder["m"]
    n = 100_000
    timed("100k mixed alloc/free ops, tracing off", lambda: churn(m, n), n)
    m2 = bl.Machine(nodes=[{"DMA": 4096, "Normal": 258048}], cpus_per_node=2)
    m2.start_trace()
    timed("100k mixed alloc/free ops, tracing on", lambda: churn(m2, n), n)
    print("events recorded:", len(m2.stop_trace()))
    timed("check() on the 1 GiB machine", m2.check)
    timed("snapshot() on the 1 GiB machine", m2.snapshot)


if __name__ == "__main__":
    main()
