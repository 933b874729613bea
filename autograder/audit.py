"""``autograder audit``: re-grade nbgrader's submissions in isolation and list score differences.

nbgrader runs the test cells in the student's own kernel, where a submission can edit
them, monkeypatch the checks or crash the kernel. The audit re-grades
``COURSE_DIR/submitted/<student>/<assignment>/*.ipynb`` with ``autograder grade`` and
compares, per student and per exercise (nbgrader grade id = spec grade id), with the
scores in ``COURSE_DIR/gradebook.db`` (read with ``nbgrader.api.Gradebook``). ``autograder
audit`` exits 1 when any score differs, so a script or CI job can stop on it.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

TOLERANCE = 1e-6


def nbgrader_scores(course_dir: Path, assignment_id: str) -> dict:
    """(student, notebook) -> {"score": float, "exercises": {grade_id: float}} from gradebook.db."""
    # nbgrader runs the `alembic` script of its environment: make sure it is on PATH.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.api import Gradebook, MissingEntry

    db = Path(course_dir) / "gradebook.db"
    if not db.exists():
        return {}
    scores = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            assignment = gb.find_assignment(assignment_id)
        except MissingEntry:
            return {}
        for sub in assignment.submissions:
            for nb in sub.notebooks:
                scores[(sub.student.id, nb.name)] = {
                    "score": float(nb.score),
                    "max_score": float(nb.max_score),
                    "exercises": {g.name: float(g.score) for g in nb.grades},
                }
    return scores


def audit(course_dir, assignment_id: str, *, limits=None, jobs: int = 1, out=None, spec_path=None) -> dict:
    """Re-grade and compare; a JSON-able report (see ``format_report``)."""
    from autograder.grade import IsolatedGrader

    course_dir = Path(course_dir)
    submitted = course_dir / "submitted"
    paths = sorted(p for p in submitted.glob(f"*/{assignment_id}/*.ipynb") if p.is_file())
    theirs = nbgrader_scores(course_dir, assignment_id)
    grader = IsolatedGrader(assignment_id, spec_path=spec_path, limits=limits, jobs=jobs,
                    hide=[course_dir])
    with tempfile.TemporaryDirectory() as tmp:
        records = grader.grade_paths(paths, Path(out) if out else Path(tmp) / "graded") if paths else []
    differences, rows = [], []
    for rec in records:
        path = Path(rec["path"])
        student, notebook = rec.get("student") or path.parent.parent.name, path.stem
        ours_ex: dict[str, float] = {}
        for t in rec["tests"]:
            ours_ex[t["grade_id"]] = ours_ex.get(t["grade_id"], 0.0) + float(t["score"])
        nb = theirs.get((student, notebook))
        row = {"student": student, "notebook": notebook, "status": rec["status"], "ours": rec["score"],
               "nbgrader": nb["score"] if nb else None, "max_score": rec["max_score"], "exercises": {}}
        differs = nb is None or abs(nb["score"] - rec["score"]) > TOLERANCE
        for gid in sorted(set(ours_ex) | set(nb["exercises"] if nb else {})):
            a = ours_ex.get(gid)
            b = nb["exercises"].get(gid) if nb else None
            if a is None or b is None or abs(a - b) > TOLERANCE:
                row["exercises"][gid] = {"ours": a, "nbgrader": b}
                differs = True
        rows.append(row)
        if differs:
            differences.append(row)
    return {"assignment": assignment_id, "course_dir": str(course_dir), "submissions": len(records),
            "sandbox": grader.box.kind, "differences": differences}


def format_report(report: dict) -> str:
    lines = [f"audit of {report['assignment']} in {report['course_dir']}: {report['submissions']} submissions "
             f"re-graded ({report['sandbox']}), {len(report['differences'])} differ from nbgrader"]
    for d in report["differences"]:
        theirs = "none" if d["nbgrader"] is None else f"{d['nbgrader']:g}"
        lines.append(f"  {d['student']}/{d['notebook']}: ours {d['ours']:g} ({d['status']}), nbgrader {theirs}")
        for gid, pair in d["exercises"].items():
            a = "-" if pair["ours"] is None else f"{pair['ours']:g}"
            b = "-" if pair["nbgrader"] is None else f"{pair['nbgrader']:g}"
            lines.append(f"      {gid}: ours {a}, nbgrader {b}")
    return "\n".join(lines)
