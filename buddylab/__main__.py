"""python -m buddylab experiment NAME --seed N [--size tiny|default|large] [--no-progress]

Runs one of buddylab.experiments and prints its report (parameters first).
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
    args = ap.parse_args(argv)
    over = {} if args.steps is None else {"steps": args.steps}
    res = experiments.run(args.name, seed=args.seed, size=args.size,
                          progress=False if args.no_progress else None, **over)
    sys.stdout.write(res["report"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
