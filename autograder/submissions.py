"""Which submissions a batch grades: notebook files found under the paths given, with ids.

A submission's id is ``<path relative to the common folder of the arguments>@<first 12
hex digits of the sha256 of its bytes>``: the same file gets the same id on every run
(so a batch resumes), and an edited file gets a new one (so it is graded again). A
missing path, a folder without notebooks and a non-notebook file are kept as submissions
that cannot be read: they become ``malformed`` results, not errors of the grader.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from autograder import notebook_io

@dataclass
class Submission:
    path: Path
    rel: str
    id: str
    data: bytes | None = None
    problem: str | None = None     # why it is malformed, when known before parsing


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def discover(paths: list[str | Path]) -> list[Submission]:
    """Submissions from files and folders (folders: every ``*.ipynb`` below, recursively).

    A missing path, a folder without notebooks and a non-notebook file are kept: they
    become ``malformed`` results, not errors of the grader.
    """
    found: list[Path] = []
    anchors: list[Path] = []
    for arg in paths:
        p = Path(arg).absolute()
        anchors.append(p if p.is_dir() else p.parent)
        if p.is_dir():
            inner = sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
            found.extend(inner if inner else [p])
        else:
            found.append(p)
    root = Path(os.path.commonpath([str(a) for a in anchors])) if anchors else Path.cwd()
    subs, seen = [], set()
    for p in found:
        rel = os.path.relpath(p, root) if p != root else p.name
        problem, data = None, None
        try:
            data = notebook_io.read_bytes(p)
            digest = _sha(data)
        except notebook_io.Malformed as exc:
            problem = str(exc)
            digest = "missing" if not p.exists() else ("directory" if p.is_dir() else "unreadable")
        sid = f"{rel}@{digest}"
        if sid in seen:
            continue
        seen.add(sid)
        subs.append(Submission(p, rel, sid, data, problem))
    return subs


def slug(submission_id: str) -> str:
    """A folder name for a submission id."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "__", submission_id).strip("_") or "submission"
