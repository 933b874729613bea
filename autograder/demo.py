"""The instructor pipeline end to end, on bundled sample submissions (``autograder demo``).

1. Build the student release of every assignment with ``nbgrader generate_assignment``,
   in a copy of the course under ``build/demo/course`` (so the repository stays clean).
2. Make the sample submissions of each assignment:
     reference      the source notebook (every answer right),
     blank          the unmodified release (nothing answered),
     student_a/b    the source notebook with one seeded mistake each (``samples/<id>.py``).
3. Grade each assignment's submissions with the batch grader (isolated, two jobs), as
   ``autograder grade`` does.
4. Print the gradebook: one row per student, one column per assignment.

Instructor side only: it needs ``assignments/``, ``samples/`` and ``nbgrader``.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
STUDENTS = ("reference", "blank", "student_a", "student_b")


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


def write_submissions(folder: Path, aid: str, release: Path) -> dict[str, str]:
    """Write the four sample submissions of ``aid``; returns student -> what it is."""
    from samples import load_mistakes, make_submission, source_notebook

    folder.mkdir(parents=True, exist_ok=True)
    source = source_notebook(aid)
    mistakes = load_mistakes(aid)
    made = {"reference": ("the source notebook", source),
            "blank": ("the unmodified release", nbformat.read(release, as_version=4))}
    for student, mistake in zip(("student_a", "student_b"), mistakes):
        made[student] = (f"seeded mistake {mistake.name}", make_submission(source, mistake))
    for student, (_, nb) in made.items():
        nbformat.write(nb, folder / f"{student}.ipynb")
    return {student: what for student, (what, _) in made.items()}


def read_gradebook(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return {Path(row["id"]).stem: row for row in csv.DictReader(f)}


def format_table(ids: list[str], books: dict[str, dict[str, dict]]) -> str:
    """Students as rows, assignments as columns, ``score/max`` in each cell, then a total."""
    header = ["student", *ids, "total"]
    rows = []
    for student in STUDENTS:
        cells, got, possible = [], 0.0, 0.0
        for aid in ids:
            row = books.get(aid, {}).get(student)
            if row is None:
                cells.append("-")
                continue
            score, top = float(row["score"]), float(row["max_score"])
            got, possible = got + score, possible + top
            flag = "" if row["status"] == "graded" else f" ({row['status']})"
            cells.append(f"{score:g}/{top:g}{flag}")
        rows.append([student, *cells, f"{got:g}/{possible:g}"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def run(out: Path | None = None, jobs: int = 2, ids: list[str] | None = None) -> int:
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
    described = {}
    for aid in ids:
        described[aid] = write_submissions(out / "submissions" / aid, aid, releases[aid])
    for aid in ids:
        mistakes = ", ".join(f"{s}: {described[aid][s].removeprefix('seeded mistake ')}"
                             for s in ("student_a", "student_b") if s in described[aid])
        print(f"    {aid:<18} reference, blank release, {mistakes}")

    print(f"3/3 grading with autograder grade --jobs {jobs} ...", flush=True)
    graded = out / "graded"
    if graded.exists():
        shutil.rmtree(graded)
    books = {}
    for aid in ids:
        folder = out / "submissions" / aid
        grader = IsolatedGrader(aid, jobs=jobs, hidden=True, hide=[graded / aid, *submission_folders([folder])])
        if aid == ids[0] and grader.isolation_warning:
            print(f"    {grader.isolation_warning}")
        grader.grade_paths([folder], graded / aid)
        books[aid] = read_gradebook(graded / aid / "gradebook.csv")

    print()
    print("Gradebook (points per assignment; hidden cases included)")
    print(format_table(ids, books))
    print()
    print(f"Results: {graded}/<assignment>/ holds gradebook.csv, junit.xml, results.jsonl "
          f"and <submission>/results.json (Gradescope format).")
    print(f"Release for students: {out / 'course' / 'release'}")
    print(f"Done in {time.perf_counter() - t0:.0f} s.")
    return 0
