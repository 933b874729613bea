"""The ``autograder`` command: grade, merge, check, gradescope, audit, demo, student-kit, sync, and the
commands that modules register (report, export, github-workflow, github-collect).

Exit codes: 0 when the command did its job (whatever the scores), 1 when ``audit`` found
scores that differ from nbgrader's, 2 when the grader itself could not (bad arguments,
unknown assignment, no notebooks found, output folder not writable).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_DIFFERENT, EXIT_FAILED = 0, 1, 2


def _add_limits(p: argparse.ArgumentParser) -> None:
    from autograder.grade import Limits

    d = Limits()
    p.add_argument("--timeout-cell", type=float, default=d.timeout_cell, metavar="S",
                   help=f"seconds one cell may run (default {d.timeout_cell:g})")
    p.add_argument("--timeout", type=float, default=d.timeout, metavar="S",
                   help=f"seconds for a whole submission, plus each exercise's own timeout (default {d.timeout:g})")
    p.add_argument("--memory", type=int, default=d.memory_mb, metavar="MB",
                   help=f"address-space cap of a submission's process (default {d.memory_mb})")
    p.add_argument("--output-bytes", type=int, default=d.output_bytes, metavar="B",
                   help=f"bytes of printed output kept per submission (default {d.output_bytes})")
    # A spec file outside autograder/specs (tests); AUTOGRADER_SPECS_PATH does the same.
    p.add_argument("--spec", default=None, help=argparse.SUPPRESS)


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, metavar="FILE",
                   help="course configuration with due dates and the late penalty "
                        "(default: ./autograder.toml when it exists; see autograder/late.py)")


def _limits(args):
    from autograder.grade import Limits

    for name in ("timeout_cell", "timeout", "memory", "output_bytes"):
        if getattr(args, name) <= 0:
            raise SystemExit(f"autograder: --{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    return Limits(timeout_cell=args.timeout_cell, timeout=args.timeout, memory_mb=args.memory,
                  output_bytes=args.output_bytes)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade RNN course notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade submissions, each in its own isolated process",
                       description="Grade each student's submission in its own sandboxed process. Reads nbgrader's "
                                   "submitted/<student>/<assignment>/ layout and flat folders of <student>.ipynb. "
                                   "Re-running into the same --out grades only what is new or out of date "
                                   "(a resubmission, a changed spec, data or reference); earlier results move "
                                   "to history.jsonl.")
    g.add_argument("submissions", nargs="+", help="notebook files or folders (searched for *.ipynb), "
                                                  "e.g. submitted/")
    g.add_argument("--assignment", required=True, help="assignment id, e.g. a1_rnn")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time (default 1)")
    g.add_argument("--out", default="graded", help="output folder (default ./graded); re-running resumes")
    g.add_argument("--force", action="store_true", help="regrade every submission found, even up-to-date ones")
    g.add_argument("--only", action="append", default=[], metavar="STUDENT",
                   help="regrade this student only (repeatable); the others' results stay as they are")
    _add_config(g)
    g.add_argument("--quiet", action="store_true", help="no progress lines")
    # JSON {"cell_ids": [...], "grade_ids": [...]}: test cells when the source notebook is not here.
    g.add_argument("--test-cells", default=None, help=argparse.SUPPRESS)
    _add_limits(g)

    m = sub.add_parser("merge", help="gather result folders (e.g. shards graded on several machines) into one",
                       description="Merge the result folders of `autograder grade` for one assignment into OUT: "
                                   "each student's latest result is the grade, the others go to history.jsonl; "
                                   "then write OUT's gradebook.csv and junit.xml.")
    m.add_argument("out", metavar="OUT", help="the result folder to write (created if missing)")
    m.add_argument("folders", nargs="+", metavar="FOLDER", help="result folders of autograder grade to merge in")
    _add_config(m)

    c = sub.add_parser("check", help="self-check a notebook on the public cases (students)")
    c.add_argument("notebook", help="the assignment notebook to check, e.g. a1_rnn.ipynb")
    c.add_argument("--assignment", default=None, help="default: the notebook's metadata, else its file name")
    _add_limits(c)

    z = sub.add_parser("gradescope", help="build a Gradescope autograder zip")
    z.add_argument("assignment", help="assignment id, e.g. a1_rnn")
    z.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="where to write the zip")

    a = sub.add_parser("audit", help="re-grade nbgrader's submitted/ and list score differences",
                       description="Re-grade COURSE_DIR/submitted/<student>/<assignment>/ in isolation and compare "
                                   "with nbgrader's gradebook.db. Exit code 0: every score agrees; 1: some differ "
                                   "(listed); 2: the audit could not run.")
    a.add_argument("course_dir", help="the nbgrader course folder (holds submitted/ and gradebook.db)")
    a.add_argument("--assignment", required=True, help="assignment id, e.g. a1_rnn")
    a.add_argument("--jobs", type=int, default=1, help="submissions re-graded at the same time (default 1)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--out", default=None, help="where the re-grading results go (default: a temporary folder)")
    _add_limits(a)

    d = sub.add_parser("demo", help="build the release, grade the bundled sample submissions, print the gradebook")
    d.add_argument("--out", default=None, help="working folder (default: build/demo in the repository)")
    d.add_argument("--jobs", type=int, default=2, help="submissions graded at the same time (default 2)")
    d.add_argument("--assignment", action="append", default=None, metavar="ID",
                   help="only this assignment (repeatable; default: all)")
    y = sub.add_parser("sync", help="bring the notebooks' test cells, points, headings and totals, and the "
                                    "public data, in line with the specs")
    y.add_argument("ids", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all)")
    y.add_argument("--check", action="store_true", help="write nothing; list what is out of date and exit 1 if any")

    from autograder import export, github, item_analysis

    item_analysis.register(sub)
    export.register(sub)
    github.register(sub)

    k = sub.add_parser("student-kit", help="build what students install: the self-check wheel (without "
                                           "solutions), the released notebooks and the lectures")
    k.add_argument("--out", required=True, metavar="DIR", help="folder to write the kit into")
    return parser


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax``, an optional format checker.

    nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is installed (the
    ``format-nongpl`` extra that Jupyter pulls in) for the "iri" and "iri-reference" formats.
    That module compiles about 35 Lark grammars at import: 1.4-2 s on every command, more than
    the rest of a self-check's start-up. No notebook schema uses those formats, so a command
    marks the module absent (``sys.modules[name] = None`` makes its import raise ImportError,
    which jsonschema expects of an optional checker). Only this process is affected, and
    only when jsonschema has not been imported yet.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _skip_slow_optional_imports()
    # A Windows console or pipe in a legacy code page cannot print ✅: print "?" rather than fail.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "func", None) is not None:
            return args.func(args)
        return {"grade": cmd_grade, "merge": cmd_merge, "check": cmd_check, "gradescope": cmd_gradescope,
                "audit": cmd_audit, "demo": cmd_demo, "student-kit": cmd_kit, "sync": cmd_sync}[args.command](args)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("autograder", "solutions", "samples", "nbgrader"):
            raise
        print(f"autograder: `{args.command}` is an instructor command and needs the course repository "
              f"({exc.name} is not installed here); students use `autograder check NOTEBOOK`", file=sys.stderr)
        return EXIT_FAILED
    except KeyError as exc:          # unknown assignment / exercise
        print(f"autograder: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_FAILED
    except (ValueError, OSError, RuntimeError) as exc:
        # RuntimeError: e.g. checks.ReferenceUnavailable (no expected values without solutions)
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _grader(args, *, hidden: bool, progress=None, assignment: str | None = None, hide=()):
    from autograder import notebook_io
    from autograder.grade import IsolatedGrader

    markers = None
    if getattr(args, "test_cells", None):
        markers = notebook_io.TestCellMarkers.from_dict(json.loads(Path(args.test_cells).read_text(encoding="utf-8")))
    grader = IsolatedGrader(assignment or args.assignment, spec_path=args.spec, limits=_limits(args),
                    jobs=getattr(args, "jobs", 1), hidden=hidden, progress=progress, hide=hide,
                    markers=markers)
    if grader.isolation_warning:
        print(grader.isolation_warning, file=sys.stderr)
    return grader


def cmd_grade(args) -> int:
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        print(f"autograder: cannot write the output folder {out}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.jobs < 1:
        print(f"autograder: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return EXIT_FAILED
    from autograder.sandbox import submission_folders

    from autograder import late
    from autograder.submissions import discover

    _limits(args)                                     # refuse bad limits before looking for notebooks
    config = late.load_config(args.config)
    discover(args.submissions, args.assignment)       # nothing to grade: say so before starting workers
    hide = [out, *submission_folders(args.submissions)]
    grader = _grader(args, hidden=True, progress=None if args.quiet else sys.stderr, hide=hide)
    # computes every expected value first
    records = grader.grade_paths(args.submissions, out, force=args.force, only=args.only, config=config)
    counts = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"graded {grader.graded_now} submission(s) now; {len(records)} students in {out} ({summary or 'none'}): "
          "gradebook.csv, results.jsonl, junit.xml")
    return EXIT_OK


def cmd_merge(args) -> int:
    from autograder import batch, late

    records = batch.merge(args.out, args.folders, config=late.load_config(args.config))
    print(f"{len(records)} students in {args.out}: results.jsonl, history.jsonl, junit.xml, gradebook.csv")
    return EXIT_OK


def cmd_check(args) -> int:
    from autograder import notebook_io
    from autograder.results import check_text

    assignment = args.assignment or notebook_io.assignment_of(args.notebook)
    hide = [Path(args.notebook).absolute().parent]
    grader = _grader(args, hidden=False, assignment=assignment, hide=hide)
    print(check_text(grader.grade_file(args.notebook), args.notebook))
    return EXIT_OK


def cmd_gradescope(args) -> int:
    from autograder import gradescope

    path = gradescope.build_zip(args.assignment, args.output)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_audit(args) -> int:
    from autograder import audit

    report = audit.audit(args.course_dir, args.assignment, limits=_limits(args), jobs=args.jobs,
                         out=args.out, spec_path=args.spec)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(audit.format_report(report))
    return EXIT_DIFFERENT if report["differences"] else EXIT_OK


def cmd_sync(args) -> int:
    from autograder import sync

    return sync.run(args.ids, check=args.check)


def cmd_kit(args) -> int:
    from autograder import kit

    made = kit.build(args.out)
    out = Path(args.out)
    print(f"wrote the student kit to {out} ({len(made['files'])} files, {made['bytes'] / 1e6:.1f} MB):")
    for path in made["files"]:
        print(f"  {path.relative_to(out)}  ({path.stat().st_size / 1e3:.0f} kB)")
    return EXIT_OK


def cmd_demo(args) -> int:
    from autograder import demo

    return demo.run(out=args.out, jobs=args.jobs, ids=args.assignment)


if __name__ == "__main__":
    raise SystemExit(main())
