"""Grade the corpus through both paths and judge each outcome (used by tests/test_corpus.py and
benchmarks/reliability.py).

- ``grade_batch(root)``: the whole corpus in one ``autograder grade --jobs 2`` batch.
- ``grade_through_nbgrader(root)``: the corpus submitted to a temporary nbgrader course,
  ``nbgrader autograde``, then ``autograder audit``.

Each returns one ``Outcome`` per entry: graded right (the score it deserves, per exercise),
flagged (the audit lists it), or lost (no result at all).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import build
from corpus.entries import ENTRIES, SLEEP_MARK, Entry

# A cell may run 4 s (the endless loops are stopped after that), a submission 60 s, 1 GB.
LIMITS = ["--timeout-cell", "4", "--timeout", "60", "--memory", "1024"]
# nbgrader: the course's 300 s per cell would make each endless loop cost 5 minutes.
NBGRADER_CELL_TIMEOUT = 10
# nbgrader runs student code unconfined; the kernels' address space is capped (a kernel spec
# of the temporary course) so a memory hog cannot hurt the machine the tests share. Only the
# kernels: nbgrader's own process keeps threads and arenas of every kernel it started, and a
# cap on it makes a long run fail halfway for reasons of the harness, not of nbgrader.
NBGRADER_KERNEL_MEMORY = 6 << 30


@dataclass
class Outcome:
    entry: Entry
    deserved: float
    got: float | None                 # the score this path records (None: no result)
    right: bool                       # the score it deserves, exercise by exercise
    flagged: bool = False             # nbgrader path: listed by the audit
    status: str | None = None
    says: str = ""

    @property
    def lost(self) -> bool:
        return self.got is None and not self.flagged


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def by_exercise(tests) -> dict[str, float]:
    got: dict[str, float] = {}
    for t in tests:
        got[t["grade_id"]] = got.get(t["grade_id"], 0.0) + float(t["score"])
    return got


def entry_of(rec: dict) -> str:
    return Path(rec["rel"]).parts[0]


def what_it_says(rec: dict) -> str:
    return rec["message"] + "\n" + "\n".join(t["message"] or "" for t in rec["tests"] if not t["passed"])


def sleeping_children() -> list[int]:
    """pids of the `sleep 3617` processes that spawns_50_children starts."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv[:2] == [b"sleep", SLEEP_MARK.encode()]:
                pids.append(int(entry))
    return pids


def end_sleeping_children() -> list[int]:
    pids = sleeping_children()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return pids


def grade_cmd(subs: Path, out: Path, assignment: str, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--assignment", assignment,
            "--out", str(out), "--jobs", str(jobs), "--quiet", *LIMITS]


def grade_batch(root: Path, entries=ENTRIES) -> dict:
    """Build the corpus and grade it: one ``autograder grade --jobs 2`` batch per assignment,
    in ``root/<assignment>/subs`` with results in ``root/<assignment>/out``."""
    from autograder.spec import load

    runs, records, outcomes, before, children = {}, [], {}, {}, []
    for aid in dict.fromkeys(e.assignment for e in entries):
        spec = load(aid)
        mine = [e for e in entries if e.assignment == aid]
        ctx = build.Context.make(Path(root) / aid)
        paths = build.write_corpus(ctx.subs, ctx, mine)
        before.update({name: sha(p) for name, p in paths.items()})
        t0 = time.monotonic()
        proc = subprocess.run(grade_cmd(ctx.subs, ctx.out, aid), capture_output=True, text=True, timeout=1800)
        seconds = time.monotonic() - t0
        children += end_sleeping_children()
        results = ctx.out / "results.jsonl"
        recs = [json.loads(x) for x in results.read_text().splitlines()] if results.exists() else []
        records += recs
        runs[aid] = {"ctx": ctx, "paths": paths, "proc": proc, "seconds": seconds, "records": recs}
        for e in mine:
            rec = next((r for r in recs if entry_of(r) == e.name), None)
            if rec is None:
                outcomes[e.name] = Outcome(e, e.deserved(spec), None, False)
                continue
            says = what_it_says(rec)
            right = (by_exercise(rec["tests"]) == e.deserved_by_exercise(spec) and rec["status"] == e.status
                     and all(s in says for s in e.says))
            outcomes[e.name] = Outcome(e, e.deserved(spec), rec["score"], right, status=rec["status"], says=says)
    paths = {n: p for run in runs.values() for n, p in run["paths"].items()}
    return {"runs": runs, "paths": paths, "records": records, "outcomes": outcomes, "before": before,
            "children": children, "seconds": sum(r["seconds"] for r in runs.values())}


# Submissions that stop a whole ``nbgrader autograde`` run, so that every later student (in
# sorted order) goes ungraded: a folder named like the notebook (an error nbgrader does not
# catch per student), a duplicated test cell (SchemaTooOldError, which nbgrader re-raises).
# They run after the others, on their own.
NBGRADER_ALONE = ("directory", "duplicated_test_cell")


def _autograde(course_root: Path, aid: str, env: dict, extra: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", "autograde", aid, *extra,
                           f"--Execute.timeout={NBGRADER_CELL_TIMEOUT}"],
                          cwd=course_root, capture_output=True, text=True, timeout=3600, env=env)


def _missing(course_root: Path, aid: str, student: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gb:
        try:
            gb.find_submission_notebook(aid, aid, student)
            return False
        except MissingEntry:
            return True


def capped_kernel_env(folder: Path) -> dict:
    """Environment whose ``python3`` kernel starts with RLIMIT_AS = NBGRADER_KERNEL_MEMORY."""
    spec_dir = Path(folder) / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    launch = (f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({NBGRADER_KERNEL_MEMORY}, "
              f"{NBGRADER_KERNEL_MEMORY})); sys.argv = ['ipykernel_launcher'] + sys.argv[1:]; "
              "runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)")
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", launch, "-f", "{connection_file}"],
        "display_name": "Python 3 (memory capped)", "language": "python"}))
    path = os.environ.get("PATH", "")
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{path}",
            "JUPYTER_PATH": os.pathsep.join([str(folder), os.environ.get("JUPYTER_PATH", "")]).rstrip(os.pathsep)}


def grade_through_nbgrader(root: Path, entries=ENTRIES, jobs: int = 2) -> dict:
    """Per assignment: submit its entries to a temporary course, ``nbgrader autograde``,
    ``autograder audit``; see the module docstring.

    The file-system entries aim at ``root/decoy`` (their Context), not at the course:
    nbgrader runs student code unconfined, so a submission really could rewrite the other
    students' files in ``submitted/`` before they are graded (docs/reliability.md).
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from nbgrader_harness import NbgraderCourse
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.spec import load

    root = Path(root)
    env = capped_kernel_env(root / "jupyter")
    runs, outcomes, children = {}, {}, []
    for aid in dict.fromkeys(e.assignment for e in entries):
        spec = load(aid)
        mine = [e for e in entries if e.assignment == aid]
        course = NbgraderCourse.create(root / aid / "course", aid)
        course.generate_assignment()
        ctx = build.Context.make(root / aid / "decoy")
        for name, path in build.write_corpus(root / aid / "staging", ctx, mine).items():
            target = course.submitted_path(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copy(path, target)
        t0 = time.monotonic()
        alone = [e.name for e in mine if e.name in NBGRADER_ALONE]
        autograde = [_autograde(course.root, aid, env, ["--force"] + (
            [f"--CourseDirectory.student_id_exclude={','.join(alone)}"] if alone else []))]
        # A submission nbgrader fails on gets one more run on its own (and so do the students an
        # aborted run never reached): nbgrader's result, not the harness's, decides.
        for name in [e.name for e in mine if e.name in alone or _missing(course.root, aid, e.name)]:
            autograde.append(_autograde(course.root, aid, env, ["--force", f"--student={name}"]))
        (root / aid / "autograde.log").write_text("\n\n".join(
            f"$ {' '.join(p.args[2:])}\nexit {p.returncode}\n{p.stdout}{p.stderr}" for p in autograde))
        nbgrader_seconds = time.monotonic() - t0
        children += end_sleeping_children()
        t0 = time.monotonic()
        audit = subprocess.run([sys.executable, "-m", "autograder", "audit", str(course.root), "--assignment", aid,
                                "--json", "--jobs", str(jobs), *LIMITS],
                               capture_output=True, text=True, timeout=1800)
        audit_seconds = time.monotonic() - t0
        end_sleeping_children()
        try:
            report = json.loads(audit.stdout)
        except ValueError:
            report = {"differences": [], "submissions": 0, "error": audit.stdout[-2000:] + audit.stderr[-3000:]}
        flagged = {d["student"]: d for d in report.get("differences", [])}
        with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
            for e in mine:
                try:
                    sub = gb.find_submission_notebook(aid, aid, e.name)
                    per = {g.name: float(g.score) for g in sub.grades}
                    got = float(sub.score)
                except MissingEntry:
                    per, got = None, None
                f = flagged.get(e.name)
                o = Outcome(e, e.deserved(spec), got, per is not None and per == e.deserved_by_exercise(spec),
                            flagged=f is not None, status=f.get("status") if f else None,
                            says=json.dumps(f) if f else "")
                o.audit_right = (f.get("ours") == e.deserved(spec)) if f is not None else None
                outcomes[e.name] = o
        runs[aid] = {"course": course, "autograde": autograde, "audit": audit, "report": report,
                     "nbgrader_seconds": nbgrader_seconds, "audit_seconds": audit_seconds}
    return {"runs": runs, "outcomes": outcomes, "children": children,
            "nbgrader_seconds": sum(r["nbgrader_seconds"] for r in runs.values()),
            "audit_seconds": sum(r["audit_seconds"] for r in runs.values())}
