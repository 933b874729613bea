"""The instructor pipeline end to end, on bundled sample submissions (``autograder demo``).

1. Build the student release of every assignment with ``nbgrader generate_assignment``,
   in a copy of the course under ``build/demo/course`` (so the repository stays clean).
2. Make the sample submissions of each assignment in nbgrader's layout,
   ``submitted/<student>/<assignment>/<assignment>.ipynb`` with its ``timestamp.txt``:
     reference      the source notebook (every answer right),
     blank          the unmodified release (nothing answered),
     student_a/b    the source notebook with one seeded mistake each (``samples/<id>.py``);
   everyone hands in an hour before the due date, except student_b, who is 26 hours late
   with the first assignment. The due dates and the late rule are the course's
   ``autograder.toml`` (``autograder.late``), written beside the release.
3. Grade each assignment's submissions with the batch grader (isolated, two jobs), as
   ``autograder grade`` does.
4. Write each assignment's item analysis (``report.html``, ``autograder.item_analysis``) and
   print the gradebook: one row per student, one column per assignment, final scores after
   the late penalty.

Instructor side only: it needs ``assignments/``, ``samples/`` and ``nbgrader``.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
STUDENTS = ("reference", "blank", "student_a", "student_b")
FIRST_DUE = datetime(2026, 9, 18, 23, 59, tzinfo=timezone.utc)    # then one assignment a fortnight
LATE_RULE = {"per_day": 10, "cap": 50}
LATE_STUDENT, LATE_BY = "student_b", timedelta(hours=26)            # two started days on the first


def due_dates(ids: list[str]) -> dict[str, datetime]:
    return {aid: FIRST_DUE + timedelta(weeks=2 * k) for k, aid in enumerate(ids)}


def write_config(path: Path, ids: list[str]) -> Path:
    """The demo course's autograder.toml: a due date per assignment and the late rule."""
    lines = ["# Written by autograder demo: due dates and the late penalty (autograder/late.py).", "[due]"]
    lines += [f"{aid} = {when.isoformat().replace('+00:00', 'Z')}" for aid, when in due_dates(ids).items()]
    lines += ["", "[late]", *(f"{k} = {v}" for k, v in LATE_RULE.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assignment_ids() -> list[str]:
    """Assignments that have a source notebook, in course order (a1, a2, ...)."""
    return sorted(p.parent.name for p in (REPO / "assignments").glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def build_release(course: Path, ids: list[str]) -> dict[str, Path]:
    """Copy the course to ``course`` and run ``nbgrader generate_assignment`` for each id."""
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    for aid in ids:
        shutil.copytree(REPO / "assignments" / aid, course / "assignments" / aid,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    releases = {}
    for aid in ids:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", aid, "--force"],
                              cwd=course, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {aid} failed (exit {proc.returncode}):\n"
                               f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        releases[aid] = course / "release" / aid / f"{aid}.ipynb"
    return releases


def write_submissions(submitted: Path, aid: str, release: Path, due: datetime, ids: list[str]) -> dict[str, str]:
    """Write the four sample submissions of ``aid`` into nbgrader's layout under ``submitted``,
    each with the time nbgrader would have recorded; returns student -> what it is."""
    from samples import load_mistakes, make_submission, source_notebook

    source = source_notebook(aid)
    mistakes = load_mistakes(aid)
    made = {"reference": ("the source notebook", source),
            "blank": ("the unmodified release", nbformat.read(release, as_version=4))}
    for student, mistake in zip(("student_a", "student_b"), mistakes):
        made[student] = (f"seeded mistake {mistake.name}", make_submission(source, mistake))
    for student, (_, nb) in made.items():
        folder = submitted / student / aid
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{aid}.ipynb")
        late = student == LATE_STUDENT and aid == ids[0]
        when = due + LATE_BY if late else due - timedelta(hours=1)
        # nbgrader's timestamp.txt format: "%Y-%m-%d %H:%M:%S.%f %Z"
        (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n", encoding="utf-8")
    return {student: what for student, (what, _) in made.items()}


def read_gradebook(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def format_table(ids: list[str], books: dict[str, dict[str, dict]]) -> str:
    """Students as rows, assignments as columns, ``final/max`` in each cell (with the late
    penalty when there is one), then a total."""
    header = ["student", *ids, "total"]
    rows = []
    for student in STUDENTS:
        cells, got, possible = [], 0.0, 0.0
        for aid in ids:
            row = books.get(aid, {}).get(student)
            if row is None:
                cells.append("-")
                continue
            score, top = float(row.get("final_score", row["score"])), float(row["max_score"])
            got, possible = got + score, possible + top
            flag = "" if row["status"] == "graded" else f" ({row['status']})"
            if float(row.get("penalty") or 0):
                flag += f" ({row['late_days']} d late, -{float(row['penalty']):g})"
            cells.append(f"{score:g}/{top:g}{flag}")
        rows.append([student, *cells, f"{got:g}/{possible:g}"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def run(out: Path | None = None, jobs: int = 2, ids: list[str] | None = None) -> int:
    from autograder import item_analysis
    from autograder.grade import IsolatedGrader
    from autograder.sandbox import submission_folders

    out = Path(out) if out else REPO / "build" / "demo"
    ids = ids or assignment_ids()
    if not ids:
        print("autograder demo: no assignments found under assignments/", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    print(f"1/3 building the student release of {len(ids)} assignments with nbgrader ...", flush=True)
    releases = build_release(out / "course", ids)
    print(f"    release: {out / 'course' / 'release'}  ({time.perf_counter() - t0:.0f} s)")

    print("2/3 writing the sample submissions ...", flush=True)
    from autograder import late

    config_path = write_config(out / "course" / "autograder.toml", ids)
    config = late.load_config(config_path)
    submitted = out / "course" / "submitted"
    described = {}
    for aid in ids:
        described[aid] = write_submissions(submitted, aid, releases[aid], config.due[aid], ids)
    for aid in ids:
        mistakes = ", ".join(f"{s}: {described[aid][s].removeprefix('seeded mistake ')}"
                             for s in ("student_a", "student_b") if s in described[aid])
        print(f"    {aid:<18} reference, blank release, {mistakes}")
    print(f"    due dates and late rule: {config_path}; {LATE_STUDENT} hands in {ids[0]} "
          f"{LATE_BY.total_seconds() / 3600:g} hours late")

    print(f"3/3 grading with autograder grade --jobs {jobs} ...", flush=True)
    graded = out / "graded"
    if graded.exists():
        shutil.rmtree(graded)
    books = {}
    for aid in ids:
        grader = IsolatedGrader(aid, jobs=jobs, hidden=True, hide=[graded / aid, *submission_folders([submitted])])
        if aid == ids[0] and grader.isolation_warning:
            print(f"    {grader.isolation_warning}")
        grader.grade_paths([submitted], graded / aid, config=config)
        item_analysis.run(graded / aid)
        books[aid] = read_gradebook(graded / aid / "gradebook.csv")

    print()
    print("Gradebook (final points per assignment, after the late penalty; hidden cases included)")
    print(format_table(ids, books))
    print()
    print(f"Results: {graded}/<assignment>/ holds gradebook.csv, report.html (what the class got wrong), "
          f"junit.xml, results.jsonl and <submission>/results.json (Gradescope format).")
    print(f"Release for students: {out / 'course' / 'release'}")
    print(f"Done in {time.perf_counter() - t0:.0f} s.")
    return 0
