"""Does every adversarial or faulty submission get the score it deserves, through both grading paths?

The corpus (tests/corpus/entries.py) is built from the real a1_rnn notebook: each entry is
a correct or partly correct student notebook with one fault written in. The score each
deserves is derived by hand from the spec's points (see entries.py), never read from a
grader.

- ``autograder grade`` grades the whole corpus in one batch with ``--jobs 2``: every entry
  gets its deserved score per exercise, its status and its message; no result is lost or
  forged; each result equals the one the submission gets when graded alone; nothing
  outlives the batch or escapes the sandbox.
- nbgrader: the corpus is submitted to a temporary nbgrader course, autograded, and
  ``autograder audit`` re-grades it: every entry nbgrader grades wrongly is flagged.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build  # noqa: E402
from corpus.entries import CATEGORIES, ENTRIES, SLEEP_MARK, by_name  # noqa: E402

from autograder.spec import load  # noqa: E402

pytestmark = pytest.mark.slow

# A cell may run 4 s (the loops are stopped after that), a submission 60 s, 1 GB of address space.
LIMITS = ["--timeout-cell", "4", "--timeout", "60", "--memory", "1024"]
SPEC = load("a1_rnn")


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def grade_cmd(subs: Path, out: Path, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--assignment", "a1_rnn",
            "--out", str(out), "--jobs", str(jobs), "--quiet", *LIMITS]


def read_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def entry_of(rec: dict) -> str:
    return Path(rec["rel"]).parts[0]


def by_exercise(tests: list[dict]) -> dict[str, float]:
    got: dict[str, float] = {}
    for t in tests:
        got[t["grade_id"]] = got.get(t["grade_id"], 0.0) + float(t["score"])
    return got


def what_it_says(rec: dict) -> str:
    return rec["message"] + "\n" + "\n".join(t["message"] or "" for t in rec["tests"] if not t["passed"])


def sleeping_children() -> list[int]:
    """pids of the `sleep 3617` processes the spawning entry starts (none may survive grading)."""
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


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    ctx = build.Context.make(root)
    paths = build.write_corpus(ctx.subs, ctx)
    before = {name: sha(p) for name, p in paths.items()}
    t0 = time.monotonic()
    proc = subprocess.run(grade_cmd(ctx.subs, ctx.out), capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - t0
    children = sleeping_children()
    for pid in children:            # started by this test's corpus: end them so a failure leaves nothing behind
        os.kill(pid, signal.SIGKILL)
    return {"ctx": ctx, "paths": paths, "before": before, "proc": proc, "seconds": seconds,
            "records": read_records(ctx.out), "children": children}


def test_the_corpus_has_at_least_25_entries_in_every_category_the_issue_lists():
    assert len(ENTRIES) >= 25
    counts = {c: sum(e.category == c for e in ENTRIES) for c in CATEGORIES}
    assert all(n >= 1 for n in counts.values()), counts
    assert sum(e.category != "control" for e in ENTRIES) >= 25


def test_most_entries_deserve_a_score_strictly_between_0_and_full_marks():
    """The faults sit next to partly correct answers, so the expected score says something."""
    partial = [e.name for e in ENTRIES if 0 < e.deserved(SPEC) < SPEC.max_points]
    assert len(partial) >= 25, partial


def test_each_entry_changes_the_correct_notebook(tmp_path):
    """A fault that edits nothing would test nothing: every entry's file differs from the correct one."""
    ctx = build.Context.make(tmp_path)
    paths = build.write_corpus(ctx.subs, ctx, [e for e in ENTRIES if e.name not in ("ten_thousand_cells", "fifty_mb")])
    correct = paths["correct"].read_bytes()
    same = [n for n, p in paths.items() if n != "correct" and p.is_file() and p.read_bytes() == correct]
    assert not same


def test_the_batch_completes_and_runs_inside_bubblewrap(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning: bubblewrap" not in proc.stderr
    assert {r["sandbox"] for r in batch["records"]} == {"bwrap"}


def test_no_result_is_lost_or_duplicated(batch):
    names = [entry_of(r) for r in batch["records"]]
    assert sorted(names) == sorted(e.name for e in ENTRIES)


@pytest.mark.parametrize("name", [e.name for e in ENTRIES])
def test_each_entry_gets_the_score_it_deserves_with_its_message(batch, name):
    entry = by_name(name)
    rec = next(r for r in batch["records"] if entry_of(r) == name)
    assert rec["status"] == entry.status, rec["message"][-1500:]
    assert rec["max_score"] == SPEC.max_points
    assert by_exercise(rec["tests"]) == entry.deserved_by_exercise(SPEC), rec["message"][-1500:]
    assert rec["score"] == entry.deserved(SPEC)
    text = what_it_says(rec)
    for fragment in entry.says:
        assert fragment in text, f"{fragment!r} not in:\n{text[-2000:]}"


def test_a_failed_case_always_says_why(batch):
    silent = [(entry_of(r), t["grade_id"], t["name"]) for r in batch["records"] for t in r["tests"]
              if not t["passed"] and not (t["message"] or "").strip()]
    assert not silent


def test_each_batch_result_equals_grading_that_submission_alone(batch):
    """Each submission graded on its own (a fresh worker, no neighbours): same status and tests."""
    from autograder.grade import Grader, Limits, discover

    grader = Grader("a1_rnn", limits=Limits(timeout_cell=4, timeout=60, memory_mb=1024),
                    hide=[batch["ctx"].subs, batch["ctx"].out])
    grader.prepare()
    recs = {entry_of(r): r for r in batch["records"]}
    differ = {}
    for name, path in batch["paths"].items():
        box = [None]
        try:
            alone = grader.grade_submission(discover([path])[0], box)
        finally:
            if box[0] is not None:
                box[0].close()
        mine = recs[name]
        if (alone["status"], alone["score"], alone["tests"]) != (mine["status"], mine["score"], mine["tests"]):
            differ[name] = (alone["status"], alone["score"], mine["status"], mine["score"])
    for pid in sleeping_children():
        os.kill(pid, signal.SIGKILL)
    assert not differ, differ


def test_no_child_process_outlives_the_batch(batch):
    assert batch["children"] == []


def test_no_submission_wrote_outside_its_working_folder(batch):
    ctx = batch["ctx"]
    assert not (ctx.outside / "canary.txt").exists()
    assert not (ctx.subs.parent / "canary.txt").exists()
    assert sorted(p.name for p in ctx.subs.iterdir()) == sorted(e.name for e in ENTRIES)


def test_other_submissions_are_left_untouched(batch):
    after = {name: sha(p) for name, p in batch["paths"].items()}
    assert after == batch["before"]


def test_results_hold_no_forged_line(batch):
    """forges_results appends a 29-point line for itself: results.jsonl must hold only the grader's."""
    lines = (batch["ctx"].out / "results.jsonl").read_text().splitlines()
    assert len(lines) == len(ENTRIES)
    forged = [r for r in batch["records"] if entry_of(r) == "forges_results"]
    assert len(forged) == 1 and forged[0]["score"] == by_name("forges_results").deserved(SPEC)
