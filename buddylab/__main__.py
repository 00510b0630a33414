"""python -m buddylab experiment NAME --seed N [--size tiny|default|large] [--no-progress]
                                 [--kernel classic|modern]
   python -m buddylab problem [KIND] [--seed N] [-n OPS] [-A "+2,+0u,-0"] [-c] [--explain]
                               [--kernel classic|modern]
   python -m buddylab replay DIR [--kernel classic|modern] [--pcp-start empty|snapshot] [--json]

`experiment` runs one of buddylab.experiments and prints its report (parameters
first); `problem` prints a predict-then-reveal problem of one of the kinds of
buddylab.problems (split when no kind is named); `replay` replays a real kernel's
kmem trace (DIR/trace or DIR/trace.gz, with DIR/proc read just before it) on a
model of that machine and sets the model's pcp refills, direct buddy allocations,
drains and fallbacks beside the kernel's (buddylab.tracereplay).  Bad arguments
print one line and exit with status 2.
"""

import argparse
import json
import sys

from .errors import BuddyLabError


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr and exit status 2."""

    def error(self, message):
        sys.stderr.write("%s: error: %s (see --help)\n" % (self.prog, message))
        sys.exit(2)


def _problem_parser(sub):
    from .problems import CLASSES
    from .problems._ops import OPS_HELP
    kinds = "\n".join("  %-10s %s" % (k, c.description) for k, c in CLASSES.items())
    pr = sub.add_parser(
        "problem", help="a seeded predict-then-reveal problem (kinds: %s)" % ", ".join(CLASSES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Print a problem with '?' where the answers go; -c fills them in.\n\n"
                    "kinds:\n" + kinds + "\n\n" + OPS_HELP + ".\nExample: python -m buddylab "
                    "problem split -A \"+2,+0u,-0\" -c")
    pr.add_argument("kind", nargs="?", default="split", metavar="KIND",
                    help="one of: %s (default split)" % ", ".join(CLASSES))
    pr.add_argument("--seed", "-s", type=int, default=0)
    pr.add_argument("-c", action="store_true", help="show the answers (recorded as a reveal)")
    pr.add_argument("--explain", action="store_true",
                    help="explain the answers step by step in kernel words (a reveal)")
    seen = {}
    for c in CLASSES.values():
        for p in c.PARAMS:
            if p.flag in seen:
                continue
            seen[p.flag] = p.name
            kinds = [k for k, c2 in CLASSES.items() if any(q.flag == p.flag for q in c2.PARAMS)]
            kw = dict(dest="p_" + p.name, default=argparse.SUPPRESS,
                      help="%s [%s]" % (p.help, ", ".join(kinds)),
                      metavar="OPS" if p.name == "ops" else p.name.upper())
            if p.kind is int:
                kw["type"] = int
            pr.add_argument(p.flag, **kw)
    return pr


def _problem(args):
    from .problems import problem, CLASSES
    if args.kind not in CLASSES:
        raise BuddyLabError("unknown problem kind %r: the kinds are %s"
                            % (args.kind, ", ".join(CLASSES)))
    params = {k[2:]: v for k, v in vars(args).items() if k.startswith("p_")}
    takes = {p.name: p.flag for p in CLASSES[args.kind].PARAMS}
    for name in params:
        if name not in takes:
            flag = [p.flag for c in CLASSES.values() for p in c.PARAMS if p.name == name][0]
            raise BuddyLabError("problem %s takes no %s option (it takes: %s)"
                                % (args.kind, flag, " ".join(takes.values()) or "none"))
    if args.seed < 0:
        raise BuddyLabError("--seed must be >= 0, got %d" % args.seed)
    p = problem(args.kind, seed=args.seed, **params)
    out = p.text(solved=args.c)
    if args.explain:
        out += "\n\nwhy, step by step:\n" + p.explain()
    sys.stdout.write(out + "\n")
    return 0


def _experiment(args):
    from . import experiments
    if args.steps is not None and args.steps < 1:
        raise BuddyLabError("--steps must be at least 1, got %d" % args.steps)
    if args.seed < 0:
        raise BuddyLabError("--seed must be >= 0, got %d" % args.seed)
    over = {} if args.steps is None else {"steps": args.steps}
    res = experiments.run(args.name, seed=args.seed, size=args.size,
                          progress=False if args.no_progress else None, kernel=args.kernel,
                          **over)
    sys.stdout.write(res["report"])
    return 0


def _replay_parser(sub):
    rp = sub.add_parser(
        "replay", help="replay a real kernel's kmem trace on a model of the traced machine",
        description="Build a model from DIR/proc, feed it the allocations and frees of "
                    "DIR/trace (or trace.gz), and print the model's pcp refills, direct buddy "
                    "allocations, drains and fallbacks beside the kernel's, per CPU and zone. "
                    "The trace shipped with buddylab: %s" % _shipped_trace())
    rp.add_argument("dir", metavar="DIR", help="a trace directory: trace or trace.gz, and proc/")
    rp.add_argument("--kernel", choices=("classic", "modern"), default="modern",
                    help="the model's profile (default modern, the 6.18 kernel traces come "
                         "from)")
    rp.add_argument("--pcp-start", choices=("empty", "snapshot"), default="empty",
                    help="the model's pcp lists start empty (default), or with the snapshot's "
                         "high and count as zoneinfo printed them (the count split evenly over "
                         "the order-0 lists: an assumption, printed)")
    rp.add_argument("--json", action="store_true",
                    help='print {"kernel": {...}, "model": {...}, "per_pcp": [...]}; the '
                         "assumptions and notes go to stderr")
    return rp


def _shipped_trace():
    from .tracereplay import FILE_256M
    return FILE_256M


def _replay(args):
    from .tracereplay import replay_trace_dir
    res = replay_trace_dir(args.dir, kernel=args.kernel, pcp_start=args.pcp_start)
    if args.json:
        sys.stdout.write(json.dumps(res.as_json(), indent=1) + "\n")
        sys.stderr.write("".join("assumption: %s\n" % a for a in res.assumptions)
                         + "".join("note: %s\n" % n for n in res.notes))
    else:
        sys.stdout.write(res.table())
    return 0


def main(argv=None):
    """Run the command line; returns the exit status (2 for bad arguments)."""
    from . import experiments
    ap = _Parser(prog="python -m buddylab")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    ex = sub.add_parser("experiment", help="run a fragmentation experiment")
    ex.add_argument("name", choices=sorted(experiments.EXPERIMENTS))
    ex.add_argument("--seed", "-s", type=int, default=0)
    ex.add_argument("--size", choices=sorted(experiments.SIZES), default="default")
    ex.add_argument("--steps", type=int, default=None, help="workload length (overrides --size)")
    ex.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    ex.add_argument("--kernel", choices=experiments.KERNELS, default="classic",
                    help="the model's profile: classic (v4.18, the default) or modern (v6.18)")
    _problem_parser(sub)
    _replay_parser(sub)
    args = ap.parse_args(argv)
    run = {"problem": _problem, "experiment": _experiment, "replay": _replay}[args.cmd]
    try:
        return run(args)
    except BuddyLabError as e:
        sys.stderr.write("python -m buddylab %s: error: %s\n" % (args.cmd, e))
        return 2


if __name__ == "__main__":
    sys.exit(main())
