"""Grades of a result folder for an LMS: a Canvas gradebook CSV, PrairieLearn external-grader results.

``autograder export OUT_DIR --format canvas|prairielearn`` reads the records of a folder
written by ``autograder grade --out OUT_DIR`` (``batch.current_records``: one per student)
and writes what the platform imports. Gradescope's ``results.json`` is written while
grading (``report.gradescope``) and is not made here.

The score sent is the student's final score (``final_score``): the raw score minus the late
penalty of the course configuration (``--config``, default ./autograder.toml, as for
``autograder grade``), which is the gradebook's ``final_score`` column.

Canvas (``canvas.csv``)
    The layout of Canvas's own gradebook export, which is what its gradebook import reads
    (instructure/canvas-lms ``GradebookExporter`` writes it, ``GradebookImporter`` parses it):
    a header ``Student, ID, SIS User ID, SIS Login ID, Section`` then one column per
    assignment headed ``Assignment Name (assignment_id)``; a ``Points Possible`` row; one row
    per student. Canvas finds the student of a row by ``ID`` (its user id), else ``SIS User
    ID``, else ``SIS Login ID``, else the name; it finds the assignment of a column by the id
    in parentheses, else by its exact name, else it creates a new assignment. Columns it
    computes itself (``Current Score``, ``Final Grade``...) are read-only and ignored on
    import, so only the one assignment column is written.

    With ``--roster`` (the CSV the instructor exported from that course's Canvas gradebook)
    every student of the roster gets a row, with the roster's own ID, SIS ids and section,
    so Canvas matches each row by its user id. Our student id (nbgrader's student id, the
    file or repository name) is matched to a roster row by ``SIS Login ID``, ``SIS User ID``
    or ``ID`` (``--match`` picks one), ignoring case and surrounding spaces. An id that
    matches two roster rows, or two ids that match one row, is refused: a grade must not go
    to a guessed student. Graded students not on the roster are listed on stderr (and are
    not in the file). A roster student without a submission gets an empty cell (``0`` with
    ``--missing-zero``) -- but a grade Canvas already holds for them (the roster's cell) is
    written back unchanged: an empty cell would clear it on import. The Points Possible row
    repeats the roster's value (Canvas reads that row as the assignment's points; without a
    roster it is this assignment's maximum, the points of a new assignment); a difference
    from this assignment's maximum is reported, and the scores are not rescaled.

    Without a roster, our student id goes in ``SIS Login ID`` (and ``Student``), so Canvas can
    match only students whose login id it is.

PrairieLearn (``prairielearn/<student>/results.json``)
    The ``/grade/results/results.json`` an external grader writes (PrairieLearn's
    docs/externalGrading.md): ``gradable``, ``score`` in [0, 1], ``message``, ``output`` and
    ``tests`` with ``name``, ``description``, ``points``, ``max_points``, ``message`` and
    ``output``. ``"gradable": false`` means "invalid, not gradable": no points awarded or
    lost, the attempt not counted. It is used where the submission could not be graded
    through no fault of its code: a malformed notebook (not a readable notebook: the format
    error PrairieLearn's own Python grader reports for a syntax error, listed in
    ``format_errors``) and a failure of the grader itself (PrairieLearn's grader reports its
    own internal errors as not gradable too). A submission whose code crashed or ran out of
    time is gradable: its working answers earned their points and the rest failed, as a
    student exception fails the tests in PrairieLearn's Python grader. The student's printed
    output is not included: PrairieLearn shows ``output`` to the student, and code run on the
    hidden cases could print their inputs (Gradescope's results keep it hidden).
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.batch import student_of

FORMATS = ("canvas", "prairielearn")

# Canvas's gradebook export/import layout (instructure/canvas-lms GradebookExporter, GradebookImporter).
CANVAS_INFO = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"       # the first cell of the row, as Canvas's export writes it
TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z")  # Assignment.title_and_id: "Name (12345)"
# Columns Canvas computes and ignores on import (with "Unposted " before, or a group name).
NON_ASSIGNMENT = re.compile("Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade"
                            "|Override Score|Override Grade|Override Status")
RESERVED = {"Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID", "Section",
            "Integration ID", "Root Account"}
_NOTICE_ROW = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.I)   # rows Canvas skips on import

MATCH_KEYS = {"login": "SIS Login ID", "sis": "SIS User ID", "id": "ID"}   # --match -> roster column

PL_MAX_BYTES = 1_000_000          # PrairieLearn: "this file should be limited to 1 MB"
PL_TEST_OUTPUT_CHARS = 8_000      # a case's feedback past this is cut (the mismatch comes first)
# The sentence autograder.grade records when the grader itself failed on a submission.
GRADER_FAILED = "the grader failed on this submission"


class ExportError(ValueError):
    """The export cannot be made as asked: the message says what was expected and what was found."""


# -- the score sent -----------------------------------------------------------------------

def final_score(record: dict, config=None) -> float:
    """The score an LMS receives: the raw score minus the late penalty, as the gradebook's
    ``final_score`` column has it. Every score exported goes through here.

    With a course configuration (``autograder.late.load_config``) it is
    ``autograder.late.final_score(record, config)``; without one, the record's own
    ``final_score`` when it has one, else its raw ``score``.
    """
    if config is not None:
        from autograder.late import final_score as after_penalty

        return float(after_penalty(record, config))
    value = record.get("final_score")
    return float(record["score"] if value is None else value)


def course_config(path: str | None):
    """The course configuration the gradebook used (``--config``, default ./autograder.toml), or
    None where this checkout has no ``autograder.late`` (then no penalty is known)."""
    try:
        from autograder import late
    except ImportError:
        if path:
            raise ExportError(f"--config {path}: this autograder has no late penalties (autograder.late)") from None
        return None
    try:
        return late.load_config(path)
    except ValueError as exc:
        raise ExportError(str(exc)) from None


@dataclass
class Graded:
    """The records of a result folder, one per student, and what was noticed reading them."""

    assignment: str
    max_score: float
    by_student: dict[str, dict]
    notes: list[str] = field(default_factory=list)


def load(out_dir: str | Path) -> Graded:
    """The records of ``out_dir`` (``batch.current_records``), keyed by student."""
    out = Path(out_dir)
    if not (out / "results.jsonl").is_file():
        raise ExportError(f"{out} holds no results.jsonl: expected a folder written by "
                          f"`autograder grade ... --out {out}`")
    from autograder.batch import current_records

    records = current_records(out)
    if not records:
        raise ExportError(f"{out}/results.jsonl holds no graded submission")
    assignments = sorted({str(r.get("assignment")) for r in records})
    if len(assignments) != 1:
        raise ExportError(f"{out} mixes assignments {', '.join(assignments)}: export one assignment's folder at a time")
    tops = sorted({float(r["max_score"]) for r in records})
    if len(tops) != 1:
        raise ExportError(f"{out}: the submissions are out of different totals ({', '.join(f'{t:g}' for t in tops)}); "
                          f"they were not graded the same way: grade them again into a new folder")
    graded = Graded(assignments[0], tops[0], {})
    for rec in records:
        sid = student_of(rec)
        if sid in graded.by_student:
            graded.notes.append(f"{sid} has more than one submission here; exported the last graded "
                                f"({rec['id']}), not {graded.by_student[sid]['id']}")
        graded.by_student[sid] = rec
    return graded


def fmt_score(x: float) -> str:
    """A score as Canvas reads it: a plain decimal with a point, float noise removed (0.1+0.2 -> 0.3)."""
    text = f"{x:.10g}"
    return "0" if text == "-0" else text


# -- Canvas -------------------------------------------------------------------------------

@dataclass
class Roster:
    """A Canvas gradebook export: its header, its student rows (column -> cell) and its
    Points Possible row."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    points: dict[str, str]

    def assignment_columns(self) -> list[str]:
        """The header cells that are assignments with a Canvas id (``Name (12345)``)."""
        return [h for h in self.header
                if h not in RESERVED and not NON_ASSIGNMENT.search(h) and TITLE_AND_ID.match(h)]


def _norm(text: str) -> str:
    return str(text or "").strip().casefold()


def read_roster(path: str | Path) -> Roster:
    """Read a CSV exported from Canvas's gradebook (comma or semicolon separated, with or without
    a byte-order mark), skipping its Points Possible and Muted / Manual Posting rows as Canvas does."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ExportError(f"cannot read the roster {path}: {exc}") from None
    except UnicodeDecodeError:
        raise ExportError(f"the roster {path} is not UTF-8 text: expected the CSV Canvas's gradebook exports") from None
    first = text.splitlines()[0] if text.strip() else ""
    header: list[str] = []
    delimiter = ","
    for sep in (",", ";"):
        row = next(csv.reader([first], delimiter=sep), [])
        # Canvas's test of a header row: Student, ID, ... or LastName, FirstName, ID, ...
        if (len(row) > 3 and "Student" in row[0] and "ID" in row[1]) or \
                (len(row) > 4 and "LastName" in row[0] and "FirstName" in row[1] and "ID" in row[2]):
            header, delimiter = [h.strip() for h in row], sep
            break
    if not header:
        raise ExportError(f"the roster {path} does not look like a Canvas gradebook export: its first row should "
                          f"start with Student, ID, (SIS User ID,) SIS Login ID, Section; it starts {first[:120]!r}")
    rows, points = [], {}
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        if "Points Possible" in cells[0]:
            points = {h: c.strip() for h, c in zip(header, cells)}
        elif all(_NOTICE_ROW.match(c) for c in cells):
            continue
        else:
            row = {h: c.strip() for h, c in zip(header, cells)}
            if "Student" not in row:          # the LastName, FirstName export
                row["Student"] = ", ".join(p for p in (row.get("LastName", ""), row.get("FirstName", "")) if p)
            rows.append(row)
    return Roster(path, header, rows, points)


def match_students(students, roster: Roster, match: str = "any") -> tuple[dict[str, int], list[str]]:
    """Our student ids -> the index of their roster row, and the ids on no row.

    ``match``: ``login`` (SIS Login ID), ``sis`` (SIS User ID), ``id`` (Canvas's ID) or ``any``
    of the three. Case and surrounding spaces are ignored. An id on two rows, or two ids on
    one row, is an ``ExportError`` naming them.
    """
    if match != "any" and match not in MATCH_KEYS:
        raise ExportError(f"--match must be one of any, {', '.join(MATCH_KEYS)}; got {match!r}")
    columns = list(MATCH_KEYS.values()) if match == "any" else [MATCH_KEYS[match]]
    columns = [c for c in columns if c in roster.header]
    if not columns:
        raise ExportError(f"the roster {roster.path} has no {MATCH_KEYS[match]} column to match by (--match {match})")
    index: dict[str, list[tuple[int, str]]] = {}
    for i, row in enumerate(roster.rows):
        for col in columns:
            key = _norm(row.get(col))
            if key:
                index.setdefault(key, []).append((i, col))
    found, unknown, taken = {}, [], {}
    problems = []
    for sid in sorted(students):
        hits = index.get(_norm(sid), [])
        rows = sorted({i for i, _ in hits})
        if not rows:
            unknown.append(sid)
            continue
        if len(rows) > 1:
            where = "; ".join(f"{roster.rows[i].get('Student', '?')} (ID {roster.rows[i].get('ID', '?')}) by "
                              f"{' and '.join(c for j, c in hits if j == i)}" for i in rows)
            problems.append(f"{sid!r} matches {len(rows)} roster rows: {where}")
            continue
        found[sid] = rows[0]
        taken.setdefault(rows[0], []).append(sid)
    for i, sids in taken.items():
        if len(sids) > 1:
            problems.append(f"{' and '.join(repr(s) for s in sids)} all match the roster row of "
                            f"{roster.rows[i].get('Student', '?')} (ID {roster.rows[i].get('ID', '?')})")
    if problems:
        hint = (" Pass --match login, sis or id to match by one column only." if match == "any" and len(columns) > 1
                else " Fix the student ids (or the roster) so that each names one Canvas student.")
        raise ExportError("ambiguous roster match, nothing written:\n  " + "\n  ".join(problems) + "\n" + hint.strip())
    return found, unknown


def choose_column(roster: Roster | None, assignment: str, column: str | None) -> str:
    """The header of the assignment's Canvas column.

    Given: used as it is (a bare number is the Canvas assignment id of a roster column).
    Not given: the roster's one assignment column whose name contains the assignment id
    (case and punctuation aside: ``a1_rnn`` finds ``A1 RNN (12345)``); without a roster, the
    assignment id itself (Canvas then uses the assignment of exactly that name, or creates one).
    """
    squash = lambda s: re.sub(r"[^0-9a-z]", "", s.casefold())  # noqa: E731
    if column is not None:
        column = column.strip()
        if not column:
            raise ExportError("--column is empty: expected the Canvas column header, e.g. \"A1 RNN (12345)\"")
        if column in RESERVED or NON_ASSIGNMENT.search(column):
            raise ExportError(f"--column {column!r} is a column Canvas computes or identifies students by, not an "
                              f"assignment; expected an assignment column, e.g. \"A1 RNN (12345)\"")
        if roster is None or column in roster.header:
            return column
        if column.isdigit():
            hits = [h for h in roster.assignment_columns() if TITLE_AND_ID.match(h).group(2) == column]
            if len(hits) == 1:
                return hits[0]
            raise ExportError(f"the roster {roster.path} has no assignment with Canvas id {column}; its assignment "
                              f"columns: {', '.join(roster.assignment_columns()) or 'none'}")
        if TITLE_AND_ID.match(column):
            raise ExportError(f"--column {column!r} is not a column of the roster {roster.path}: that Canvas "
                              f"assignment id is not in this course's export; its assignment columns: "
                              f"{', '.join(roster.assignment_columns()) or 'none'}")
        return column      # a name without an id: Canvas matches it by exact name or creates that assignment
    if roster is None:
        return assignment
    hits = [h for h in roster.assignment_columns() if squash(assignment) in squash(TITLE_AND_ID.match(h).group(1))]
    if len(hits) == 1:
        return hits[0]
    listed = ", ".join(repr(h) for h in (hits or roster.assignment_columns())) or "none"
    what = f"{len(hits)} columns of the roster name" if hits else "no column of the roster names"
    raise ExportError(f"{what} the assignment {assignment} ({listed}): pass --column \"<Canvas column>\", "
                      f"e.g. --column {(hits or roster.assignment_columns() or ['A1 RNN (12345)'])[0]!r}")


@dataclass
class CanvasTable:
    """The rows of ``canvas.csv`` and what the instructor must be told about them."""

    header: list[str]
    rows: list[list[str]]
    unknown: list[str] = field(default_factory=list)     # graded, not on the roster: not in the file
    kept: list[str] = field(default_factory=list)        # no submission; their Canvas grade written back
    notes: list[str] = field(default_factory=list)


def canvas_table(graded: Graded, roster: Roster | None = None, column: str | None = None,
                 missing_zero: bool = False, match: str = "any", config=None) -> CanvasTable:
    """The Canvas import of ``graded``; see the module docstring."""
    column = choose_column(roster, graded.assignment, column)
    header = [*CANVAS_INFO, column]
    score = {sid: fmt_score(final_score(rec, config)) for sid, rec in graded.by_student.items()}
    if roster is None:
        table = CanvasTable(header, [[POINTS_POSSIBLE, "", "", "", "", fmt_score(graded.max_score)]])
        table.rows += [[sid, "", "", sid, "", score[sid]] for sid in sorted(score)]
        table.notes.append("no --roster: the student ids are in SIS Login ID; Canvas matches only the students whose "
                           "login id they are (pass --roster with Canvas's gradebook export to match by Canvas's ids)")
        if not TITLE_AND_ID.match(column):
            table.notes.append(f"column {column!r} has no Canvas assignment id: Canvas uses the assignment named "
                               f"exactly so, or creates it")
        return table
    found, unknown = match_students(score, roster, match)
    row_of = {i: sid for sid, i in found.items()}
    canvas_points = roster.points.get(column, "")
    table = CanvasTable(header, [[POINTS_POSSIBLE, "", "", "", "", canvas_points or fmt_score(graded.max_score)]],
                        unknown=unknown)
    if canvas_points:
        try:
            canvas_max = float(canvas_points.replace(",", "."))
        except ValueError:
            canvas_max = None
        if canvas_max is not None and not math.isclose(canvas_max, graded.max_score, rel_tol=1e-9, abs_tol=1e-9):
            table.notes.append(f"Canvas's {column!r} is out of {canvas_points} points, this assignment out of "
                               f"{fmt_score(graded.max_score)}: the scores are points of this assignment, not rescaled")
    for i, row in enumerate(roster.rows):
        if i in row_of:
            cell = score[row_of[i]]
        else:
            existing = row.get(column, "")
            if existing:
                cell = existing
                table.kept.append(row.get("Student") or row.get("ID", "?"))
            else:
                cell = "0" if missing_zero else ""
        table.rows.append([row.get(h, "") for h in CANVAS_INFO] + [cell])
    if column not in roster.header:
        table.notes.append(f"column {column!r} is not in the roster: Canvas uses the assignment named exactly so, "
                           f"or creates it")
    return table


def write_canvas(table: CanvasTable, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(table.header)
        w.writerows(table.rows)
    return path


# -- PrairieLearn -------------------------------------------------------------------------

def _grader_failed(record: dict) -> bool:
    return record.get("status") == "error" and GRADER_FAILED in (record.get("message") or "")


def prairielearn_result(record: dict, config=None, max_test_output: int = PL_TEST_OUTPUT_CHARS) -> dict:
    """The external-grader ``results.json`` of one record; see the module docstring."""
    from autograder.results import CaseResult
    from autograder.report import test_name

    status = record.get("status", "graded")
    top = float(record["max_score"])
    raw, final = float(record["score"]), final_score(record, config)
    gradable = not (status == "malformed" or _grader_failed(record))
    head = [f"status: {status}"]
    if not gradable:
        head.append("This submission could not be graded and does not count as an attempt.")
    if record.get("message"):
        head.append(str(record["message"]))
    if gradable and not math.isclose(final, raw, abs_tol=1e-9):
        head.append(f"late penalty: {fmt_score(raw)} points earned, {fmt_score(final)} after the penalty")
    tests, lines = [], []
    for t in record.get("tests", []):
        case = CaseResult.from_dict(t)
        verdict = "LATER" if case.unscored else "PASS" if case.passed else "FAIL"
        feedback = case.feedback()
        if len(feedback) > max_test_output:
            feedback = feedback[:max_test_output] + "\n[... cut]"
        tests.append({
            "name": test_name(t),
            "description": f"{case.grade_id}, {'hidden' if case.hidden else 'public'} case",
            "points": float(case.score),
            "max_points": float(case.max_score),
            "message": verdict + (" (points by error carried forward)" if case.carried else ""),
            "output": feedback,
        })
        lines.append(case.line())
    result = {
        "gradable": gradable,
        # PrairieLearn: a score in [0.0, 1.0]; the fraction of the points, after any late penalty.
        "score": 0.0 if not gradable or top <= 0 else min(1.0, max(0.0, final / top)),
        "message": "\n".join(head),
        "output": "\n".join(lines),
        "tests": tests,
    }
    if not gradable:
        # Nothing was graded: no per-case verdicts (each would only repeat the reason).
        result.update(output="", tests=[], format_errors=[str(record.get("message") or status)])
    if len(json.dumps(result).encode()) > PL_MAX_BYTES and max_test_output > 200:
        return prairielearn_result(record, config, max_test_output // 4)
    return result


def write_prairielearn(graded: Graded, folder: str | Path, config=None) -> list[Path]:
    """``folder/<student>/results.json`` for every student."""
    from autograder.submissions import slug

    folder = Path(folder)
    made = []
    for sid, rec in sorted(graded.by_student.items()):
        path = folder / slug(sid) / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(prairielearn_result(rec, config), indent=1) + "\n", encoding="utf-8")
        made.append(path)
    return made


# -- command line -------------------------------------------------------------------------

def register(sub) -> None:
    """Add ``autograder export`` to argparse's subparsers ``sub``."""
    p = sub.add_parser("export", help="write the grades of a result folder for Canvas or PrairieLearn",
                       description="Write the grades of OUT_DIR (made by `autograder grade --out OUT_DIR`) in an "
                                   "LMS's import format. The score is the final score (after any late penalty).")
    p.add_argument("out_dir", metavar="OUT_DIR", help="the folder `autograder grade --out` wrote")
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="canvas: a gradebook CSV for Canvas's Import; prairielearn: "
                        "<student>/results.json as PrairieLearn's external grader writes it")
    p.add_argument("-o", "--output", default=None, metavar="PATH",
                   help="where to write (default: OUT_DIR/canvas.csv, or the folder OUT_DIR/prairielearn)")
    p.add_argument("--config", default=None, metavar="FILE",
                   help="course configuration with due dates and the late penalty, as given to `autograder grade` "
                        "(default: ./autograder.toml when it exists; see autograder/late.py)")
    p.add_argument("--roster", default=None, metavar="CANVAS_EXPORT.csv",
                   help="canvas: the CSV exported from the course's Canvas gradebook; every student on it gets a "
                        "row, matched to our student ids by SIS Login ID, SIS User ID or ID")
    p.add_argument("--column", default=None, metavar='"NAME (ID)"',
                   help="canvas: the Canvas assignment column, e.g. \"A1 RNN (12345)\", or just its id 12345 "
                        "(default: the roster's one column naming the assignment id; without a roster, the "
                        "assignment id)")
    p.add_argument("--match", default="any", choices=("any", *MATCH_KEYS),
                   help="canvas: match our student ids to the roster by SIS Login ID (login), SIS User ID (sis), "
                        "Canvas's ID (id) or any of them (default any; an id matching two rows is refused)")
    p.add_argument("--missing-zero", action="store_true",
                   help="canvas: give roster students without a submission 0 instead of an empty cell "
                        "(a grade Canvas already has for them is kept)")
    p.set_defaults(func=cmd_export)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def cmd_export(args) -> int:
    """0: written; 2: the export could not be made (message on stderr)."""
    err = sys.stderr
    try:
        if args.format != "canvas":
            given = [opt for opt, on in (("--roster", args.roster), ("--column", args.column),
                                         ("--missing-zero", args.missing_zero), ("--match", args.match != "any")) if on]
            if given:
                raise ExportError(f"{', '.join(given)} only apply to --format canvas")
        graded = load(args.out_dir)
        config = course_config(getattr(args, "config", None))
        for note in graded.notes:
            print(f"autograder export: {note}", file=err)
        out = Path(args.out_dir)
        if args.format == "canvas":
            roster = read_roster(args.roster) if args.roster else None
            table = canvas_table(graded, roster, args.column, args.missing_zero, args.match, config)
            path = write_canvas(table, args.output or out / "canvas.csv")
            for note in table.notes:
                print(f"autograder export: {note}", file=err)
            if table.kept:
                print(f"autograder export: {_count(table.kept, 'roster student')} without a submission here but with "
                      f"a grade in Canvas: written back unchanged: {', '.join(table.kept)}", file=err)
            if table.unknown:
                keys = "SIS Login ID, SIS User ID or ID" if args.match == "any" else MATCH_KEYS[args.match]
                print(f"autograder export: {_count(table.unknown, 'graded student')} not on the roster (matched by "
                      f"{keys}) and NOT in {path}: {', '.join(table.unknown)}", file=err)
            graded_rows = len(graded.by_student) - len(table.unknown)
            print(f"wrote {path}: column {table.header[-1]!r}, {graded_rows} graded students"
                  + (f" of {len(table.rows) - 1} on the roster" if roster else ""))
        else:
            made = write_prairielearn(graded, args.output or out / "prairielearn", config)
            folder = Path(args.output or out / "prairielearn")
            ungradable = sum(1 for p in made if not json.loads(p.read_text(encoding="utf-8"))["gradable"])
            print(f"wrote {len(made)} PrairieLearn results to {folder}/<student>/results.json"
                  + (f" ({ungradable} not gradable)" if ungradable else ""))
        return 0
    except (ExportError, OSError) as exc:
        print(f"autograder export: {exc}", file=err)
        return 2
