"""python -m buddylab experiment NAME --seed N [--size tiny|default|large] [--no-progress]
   python -m buddylab problem [--seed N] [-n OPS] [-A "+2,+0u,-0"] [-c]

`experiment` runs one of buddylab.experiments and prints its report (parameters
first); `problem` prints a predict-then-reveal exercise (buddylab.problems).
"""

import argparse
import sys


def main(argv=None):
    from . import experiments
    ap = argparse.ArgumentParser(prog="python -m buddylab")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("experiment", help="run a fragmentation experiment")
    ex.add_argument("name", choices=sorted(experiments.EXPERIMENTS))
    ex.add_argument("--seed", "-s", type=int, default=0)
    ex.add_argument("--size", choices=sorted(experiments.SIZES), default="default")
    ex.add_argument("--steps", type=int, default=None, help="workload length (overrides --size)")
    ex.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    pr = sub.add_parser("problem", help="a predict-then-reveal allocate/free problem")
    pr.add_argument("--seed", "-s", type=int, default=0)
    pr.add_argument("-n", type=int, default=8, help="number of random operations")
    pr.add_argument("-A", dest="ops", default=None, help='operations, e.g. "+2,+0u,-0"')
    pr.add_argument("-c", action="store_true", help="show the answers")
    pr.add_argument("--pages", type=int, default=64)
    pr.add_argument("--max-order", type=int, default=4)
    pr.add_argument("--pageblock-order", type=int, default=2)
    args = ap.parse_args(argv)
    if args.cmd == "problem":
        from .problems import problem
        sys.stdout.write(problem(seed=args.seed, ops=args.ops, nr_ops=args.n, pages=args.pages,
                                 max_order=args.max_order,
                                 pageblock_order=args.pageblock_order, solve=args.c) + "\n")
        return 0
    over = {} if args.steps is None else {"steps": args.steps}
    res = experiments.run(args.name, seed=args.seed, size=args.size,
                          progress=False if args.no_progress else None, **over)
    sys.stdout.write(res["report"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
