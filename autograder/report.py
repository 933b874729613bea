"""Platform outputs built from grading records: Gradescope results.json, JUnit XML, CSV gradebook.

A record is one line of ``OUT/results.jsonl`` (see ``autograder.grade``): ``id``,
``assignment``, ``status``, ``score``, ``max_score``, ``message``, ``execution_time``,
``output`` and ``tests`` (``CaseResult.to_dict()`` of every case).
"""
from __future__ import annotations

import csv
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.results import CaseResult

STATUSES = ("graded", "timeout", "error", "malformed")


def test_name(test: dict) -> str:
    return f"{test.get('grade_id', '')} [{test['name']}]"


def test_output(test: dict) -> str:
    return CaseResult.from_dict(test).feedback()


def gradescope(record: dict) -> dict:
    """The Gradescope ``results.json`` of one submission.

    Hidden cases are ``after_published`` (students see them once grades are published),
    public ones ``visible``.
    """
    head = [f"status: {record['status']}"]
    if record.get("message"):
        head.append(record["message"])
    return {
        "score": float(record["score"]),
        "execution_time": float(record.get("execution_time", 0.0)),
        "output": "\n".join(head),
        "stdout_visibility": "hidden",
        "tests": [{
            "name": test_name(t),
            "score": float(t["score"]),
            "max_score": float(t["max_score"]),
            "status": "passed" if t["passed"] else "failed",
            "output": test_output(t),
            "visibility": "after_published" if t.get("hidden") else "visible",
        } for t in record.get("tests", [])],
    }


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def junit_xml(records: list[dict]) -> str:
    """One ``testsuite`` per submission, one ``testcase`` per case."""
    suites = ET.Element("testsuites")
    for rec in records:
        tests = rec.get("tests", [])
        failures = sum(1 for t in tests if not t["passed"])
        suite = ET.SubElement(suites, "testsuite", name=rec["id"], tests=str(len(tests)),
                              failures=str(failures), errors="1" if rec["status"] in ("error", "malformed") else "0",
                              time=f"{float(rec.get('execution_time', 0.0)):.3f}")
        props = ET.SubElement(suite, "properties")
        for key in ("assignment", "status", "score", "max_score"):
            ET.SubElement(props, "property", name=key, value=str(rec.get(key, "")))
        if rec["status"] != "graded":
            err = ET.SubElement(suite, "system-err")
            err.text = f"{rec['status']}: {rec.get('message', '')}"
        for t in tests:
            case = ET.SubElement(suite, "testcase", classname=f"{rec['assignment']}.{t.get('grade_id', '')}",
                                 name=t["name"])
            if not t["passed"]:
                fail = ET.SubElement(case, "failure", message=(t.get("message") or "failed").splitlines()[0][:200])
                fail.text = test_output(t)
    return ET.tostring(suites, encoding="unicode")


def write_junit(records: list[dict], path: str | Path) -> None:
    _atomic_write(Path(path), '<?xml version="1.0" encoding="UTF-8"?>\n' + junit_xml(records) + "\n")


def write_gradebook(records: list[dict], path: str | Path, assignment=None, config=None) -> None:
    """One row per student: who, the raw score, the late penalty and the final score, the
    status, then one column per exercise, the message, the submission time and its id.

    ``status`` keeps ``error``, ``timeout`` and ``malformed`` apart from an honest ``graded``
    0, so a crash never reads as a plain zero. ``late_days`` is empty where lateness cannot
    be told (no due date in the course configuration, or no submission time; ``autograder.late``).
    """
    from autograder import late

    config = config if config is not None else late.CourseConfig()
    if assignment is not None:
        exercises = [e.grade_id for e in assignment.exercises]
    else:
        exercises = list(dict.fromkeys(t.get("grade_id", "") for r in records for t in r.get("tests", [])))
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "assignment", "score", "late_days", "penalty", "final_score", "max_score", "status",
                    *exercises, "message", "submitted_at", "id"])
        for r in sorted(records, key=lambda r: (r.get("student") or r["id"])):
            per = {e: 0.0 for e in exercises}
            for t in r.get("tests", []):
                per[t.get("grade_id", "")] = per.get(t.get("grade_id", ""), 0.0) + float(t["score"])
            first = (r.get("message") or "").splitlines()[0][:200] if r.get("message") else ""
            lateness = late.assess(r, config)
            w.writerow([r.get("student") or r["id"], r["assignment"], f"{float(r['score']):g}",
                        "" if lateness.days is None else lateness.days, f"{lateness.penalty:g}",
                        f"{lateness.final:g}", f"{float(r['max_score']):g}", r["status"],
                        *(f"{per[e]:g}" for e in exercises), first, r.get("submitted_at") or "", r["id"]])
    os.replace(tmp, path)
