"""python -m buddylab.teach release --out DIR [--roster FILE] [--with-solutions]
   python -m buddylab.teach grade DIR --out grades.csv

Both take the course secret from --secret-file FILE or the environment variable
BUDDYLAB_COURSE_SECRET.  Bad arguments print one line and exit with status 2.
"""

import argparse
import sys

from .seeds import SECRET_ENV, TeachError, read_roster, read_secret

EPILOG = """\
The course secret seeds every student's variant (HMAC of the secret, the student id and the
assignment); it is never written into a released file. Keep it: grading recomputes each
student's seed from it.

release writes OUT/release/STUDENT/*.ipynb (hand these out) and, with --with-solutions,
OUT/instructor/STUDENT/*.ipynb (solved variants) and OUT/instructor/answer_key.md.
Without --roster there is one shared variant, OUT/release/class/; grade it with --shared-variant.

grade reads DIR/STUDENT/NAME.ipynb (NAME as released), writes the CSV and FEEDBACK/STUDENT.md.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(2)


def _parser():
    ap = _Parser(prog="python -m buddylab.teach", epilog=EPILOG,
                 formatter_class=argparse.RawDescriptionHelpFormatter,
                 description="Release per-student assignments and grade them.")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    def common(p):
        p.add_argument("--secret-file", metavar="F",
                       help="file whose first line is the course secret (default: $%s)" % SECRET_ENV)
        p.add_argument("--source", metavar="DIR",
                       help="source assignments (default: notebooks/assignments of this repo)")

    rel = sub.add_parser("release", help="write student versions (and solutions)",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rel.add_argument("--out", required=True, metavar="DIR", help="output folder")
    rel.add_argument("--roster", metavar="FILE", help="student ids, one a line")
    rel.add_argument("--with-solutions", action="store_true",
                     help="also write the instructor's solved variants and the answer key")
    common(rel)
    gr = sub.add_parser("grade", help="grade DIR/STUDENT/*.ipynb into a CSV",
                        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    gr.add_argument("submissions", metavar="DIR", help="folder of DIR/STUDENT/*.ipynb")
    gr.add_argument("--out", required=True, metavar="CSV", help="the grades file to write")
    gr.add_argument("--feedback", metavar="DIR", help="feedback folder (default: next to CSV)")
    gr.add_argument("--timeout", type=int, default=120, metavar="S",
                    help="time limit per notebook in seconds (default 120)")
    gr.add_argument("--shared-variant", action="store_true",
                    help="grade everyone against the shared variant of a release without roster")
    common(gr)
    return ap


def main(argv=None):
    ap = _parser()
    args = ap.parse_args(argv)
    try:
        secret = read_secret(args.secret_file)
        if args.cmd == "release":
            from .release import release
            roster = read_roster(args.roster) if args.roster else None
            files = release(args.out, secret, roster=roster, source_dir=args.source,
                            with_solutions=args.with_solutions)
            print("wrote %d files under %s" % (len(files), args.out))
            return 0
        if args.timeout <= 0:
            raise TeachError("--timeout must be a positive number of seconds")
        from .grade import grade
        results = grade(args.submissions, args.out, secret, source_dir=args.source,
                        time_limit=args.timeout, feedback_dir=args.feedback,
                        shared_variant=args.shared_variant,
                        log=lambda line: print(line, file=sys.stderr))
        print("graded %d students into %s" % (len(results), args.out))
        return 0
    except (TeachError, OSError) as e:
        sys.stderr.write("python -m buddylab.teach %s: error: %s\n" % (args.cmd, e))
        return 2


if __name__ == "__main__":
    sys.exit(main())

