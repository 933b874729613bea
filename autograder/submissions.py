"""Which submissions a batch grades: one notebook per student, found under the paths given.

Two layouts are read, and single files:

    submitted/<student>/<assignment>/<name>.ipynb   nbgrader's (``nbgrader collect``, ``zip_collect``),
                                                     with its ``timestamp.txt`` beside the notebook
    <folder>/<student>.ipynb                         a flat folder of files named after the student

A notebook directly in a folder that was given belongs to the student its file name names
(unless it is ``<assignment>.ipynb`` in a folder named after the assignment: one student's
folder of nbgrader's layout); a notebook deeper in a folder named after the assignment, or a
file given by itself there, belongs to the student named by the folder above; any other
notebook below a given folder belongs to the first folder of its path below that folder
(``alice/work/a1.ipynb`` is alice's). Notebooks in the folder of
another known assignment are not this assignment's submissions and are left out.

Each student has one submission: with several notebooks, the one named ``<assignment>.ipynb``,
else the one submitted last (``timestamp.txt``, else the file's time); the others are listed
in ``Submission.others``.

A submission's id is ``<path relative to the common folder of the arguments>@<first 12 hex
digits of the sha256 of its bytes>``: the same file gets the same id on every run (so a
batch resumes), and an edited file gets a new one (so it is graded again). A missing path, a
student's folder without a notebook and a non-notebook file are kept as submissions that
cannot be read: they become ``malformed`` results, not errors of the grader. Nothing found
at all is ``NoSubmissions``: the grader was pointed at the wrong place.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder import notebook_io

TIMESTAMP_FILE = "timestamp.txt"       # what nbgrader collect writes beside a submission
SKIP_PARTS = (".ipynb_checkpoints", "__pycache__", ".git")


class NoSubmissions(ValueError):
    """The paths given hold no notebook at all."""


@dataclass
class Submission:
    path: Path
    rel: str
    id: str
    data: bytes | None = None
    problem: str | None = None     # why it is malformed, when known before parsing
    student: str = ""
    submitted_at: str | None = None          # ISO 8601, UTC, from nbgrader's timestamp.txt
    others: list[str] = field(default_factory=list)   # this student's notebooks not graded


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def read_timestamp(folder: Path) -> str | None:
    """nbgrader's ``timestamp.txt`` in ``folder`` as ISO 8601 UTC, or None when there is none.

    nbgrader writes ``2026-11-20 14:03:11.123456 UTC`` (its ``timestamp_format`` and time
    zone: a name, or a numeric offset such as ``-0500``); ISO 8601 is read too. Parsed with
    dateutil as nbgrader's ``parse_utc`` does (importing nbgrader itself takes seconds). A
    file that cannot be read as a time raises ValueError naming it.
    """
    path = folder / TIMESTAMP_FILE
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    from dateutil import parser, tz

    try:
        parts = text.split(" ")
        if len(parts) == 3:              # nbgrader: date, time, zone
            zone = parts[2]
            zone = tz.tzoffset(None, _offset_seconds(zone)) if zone.lstrip("+-").isdigit() else tz.gettz(zone)
            if zone is None:
                raise ValueError(f"unknown time zone {parts[2]!r}")
            when = parser.parse(" ".join(parts[:2])).replace(tzinfo=zone)
        else:
            when = parser.isoparse(text)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{path}: expected a time such as '2026-11-20 14:03:11.123456 UTC' "
                         f"(nbgrader's timestamp.txt), got {text[:80]!r}") from exc
    if when.tzinfo is None:              # nbgrader's own times without a zone are UTC
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat()


def _offset_seconds(zone: str) -> int:
    """``-0500`` -> -18000 (nbgrader writes numeric zones as ±HHMM)."""
    sign = -1 if zone.startswith("-") else 1
    digits = zone.lstrip("+-").rjust(4, "0")
    return sign * (int(digits[:-2]) * 3600 + int(digits[-2:]) * 60)


def _known_assignments() -> set[str]:
    try:
        from autograder.spec import assignment_ids
    except ImportError:
        return set()
    return set(assignment_ids())


def _student_of(p: Path, given: Path | None, assignment: str | None) -> str:
    nbgrader = bool(assignment) and p.parent.name == assignment and p.parent.parent != p.parent
    if given is not None and p.parent == given:
        # a flat folder (which may be named after the assignment), or one student's folder
        # of nbgrader's layout given by itself
        return p.parent.parent.name if nbgrader and p.name == f"{assignment}.ipynb" else p.stem
    if nbgrader:
        return p.parent.parent.name
    if given is None:
        return p.stem
    return p.relative_to(given).parts[0]


def discover(paths: list[str | Path], assignment: str | None = None) -> list[Submission]:
    """One submission per student from files and folders (see the module docstring).

    ``assignment`` (an id) recognises nbgrader's layout and leaves out the folders of other
    assignments; without it every notebook file is its own student's.
    """
    # (a path read as a notebook, or a student's folder without one; the folder it was found in)
    found: list[tuple[Path, Path | None, bool]] = []
    anchors: list[Path] = []
    others = _known_assignments() - {assignment} if assignment else set()
    for arg in paths:
        p = Path(arg).absolute()
        anchors.append(p if p.is_dir() else p.parent)
        if not p.is_dir() or p.suffix == ".ipynb":          # a folder named like a notebook is a bad notebook
            found.append((p, None, False))
            continue
        inner = sorted(q for q in p.rglob("*.ipynb")
                       if not any(s in q.relative_to(p).parts for s in SKIP_PARTS)
                       and not (q.parent.name in others and q.parent != p))
        # nbgrader's layout: a student's assignment folder without a notebook is that student's
        # malformed submission
        empty = []
        if assignment:
            empty = sorted(d for d in p.rglob(assignment) if d.is_dir() and not any(d.glob("*.ipynb"))
                           and not any(s in d.relative_to(p).parts for s in SKIP_PARTS))
        found.extend((q, p, False) for q in inner)
        found.extend((d, p, True) for d in empty)
        if not inner and not empty:                          # kept, as a malformed submission
            found.append((p, None, False))
    if not any(empty or (q.exists() and (q.is_file() or q.suffix == ".ipynb")) for q, _, empty in found):
        where = ", ".join(str(a) for a in paths) or "no paths"
        layout = (f"submitted/<student>/{assignment}/{assignment}.ipynb or <student>.ipynb" if assignment
                  else "*.ipynb files")
        raise NoSubmissions(f"no notebooks found in {where} (expected {layout})")
    root = Path(os.path.commonpath([str(a) for a in anchors])) if anchors else Path.cwd()

    per_student: dict[str, list[Submission]] = {}
    for p, given, empty in found:
        rel = os.path.relpath(p, root) if p != root else p.name
        problem, data, when = None, None, None
        if empty:
            problem = f"no notebook in the student's folder {rel}"
            digest = "empty"
        else:
            try:
                data = notebook_io.read_bytes(p)
                digest = _sha(data)
            except notebook_io.Malformed as exc:
                problem = str(exc)
                digest = "missing" if not p.exists() else ("directory" if p.is_dir() else "unreadable")
        student = _student_of(p, given, assignment)
        try:
            when = read_timestamp(p if empty else p.parent) if assignment and (
                p.parent.name == assignment or (empty and p.name == assignment)) else None
        except ValueError as exc:
            problem = problem or str(exc)
        sub = Submission(p, rel, f"{rel}@{digest}", data, problem, student, when)
        per_student.setdefault(student, []).append(sub)

    subs = []
    for student, mine in per_student.items():
        chosen = _latest(mine, assignment)
        chosen.others = [s.rel for s in mine if s is not chosen]
        subs.append(chosen)
    return sorted(subs, key=lambda s: s.rel)


def _latest(mine: list[Submission], assignment: str | None) -> Submission:
    """A student's submission among several notebooks: the one named after the assignment,
    else the last submitted (timestamp.txt, else the file's modification time), else the
    first by path."""
    if len(mine) == 1:
        return mine[0]
    named = [s for s in mine if assignment and s.path.name == f"{assignment}.ipynb" and s.data is not None]
    if len(named) == 1:
        return named[0]
    pool = named or [s for s in mine if s.data is not None] or mine

    def when(s: Submission) -> tuple:
        if s.submitted_at:
            return (1, s.submitted_at, s.rel)
        try:
            return (0, datetime.fromtimestamp(s.path.stat().st_mtime, timezone.utc).isoformat(), s.rel)
        except OSError:
            return (0, "", s.rel)
    return max(pool, key=when)


def slug(submission_id: str) -> str:
    """A folder name for a submission id."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "__", submission_id).strip("_") or "submission"
