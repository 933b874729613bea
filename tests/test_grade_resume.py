"""Is every submission graded exactly once, even when the grader is killed mid-batch?"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_fixtures import faults  # noqa: E402

pytestmark = pytest.mark.slow

N = 12


def make_batch(folder: Path) -> Path:
    """N honest submissions; every third one wrong on rnn_step, each sleeping a little."""
    subs = folder / "subs"
    subs.mkdir(parents=True)
    for k in range(N):
        code = faults.WRONG_RNN if k % 3 == 0 else faults.GOOD
        nb = faults.with_tests(code, f"import time\ntime.sleep(0.3)\nstudent = {k}")
        nbformat.write(nb, subs / f"student{k:02d}.ipynb")
    return subs


def grade_cmd(subs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--assignment", "t_grade",
            "--spec", str(faults.SPEC), "--out", str(out), "--jobs", "2", "--timeout-cell", "5",
            "--timeout", "30", "--memory", "512"]


def lines(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]


def comparable(rec: dict) -> tuple:
    return (rec["id"], rec["score"], rec["max_score"], rec["status"],
            json.dumps(rec["tests"], sort_keys=True))


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    subs = make_batch(folder)
    out = folder / "uninterrupted"
    subprocess.run(grade_cmd(subs, out), check=True, capture_output=True, timeout=300)
    return subs, out, {r["id"]: comparable(r) for r in lines(out)}


def test_a_killed_batch_resumes_and_grades_each_submission_exactly_once(reference_run, tmp_path):
    subs, _, reference = reference_run
    assert len(reference) == N
    out = tmp_path / "killed"
    proc = subprocess.Popen(grade_cmd(subs, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            path = out / "results.jsonl"
            if path.exists() and path.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)      # the grader's whole process group, mid-batch
    finally:
        proc.wait(timeout=30)
    first = lines(out)
    assert 3 <= len(first) < N, "the kill should land mid-batch"
    subprocess.run(grade_cmd(subs, out), check=True, capture_output=True, timeout=300)
    final = lines(out)
    ids = [r["id"] for r in final]
    assert sorted(ids) == sorted(reference)                 # each exactly once
    assert {r["id"]: comparable(r) for r in final} == reference
    assert [r["id"] for r in final[:len(first)]] == [r["id"] for r in first]   # nothing regraded


def test_rerunning_a_finished_batch_grades_nothing(reference_run):
    subs, out, reference = reference_run
    before = (out / "results.jsonl").read_bytes()
    proc = subprocess.run(grade_cmd(subs, out), check=True, capture_output=True, text=True, timeout=300)
    assert (out / "results.jsonl").read_bytes() == before
    assert f"graded 0 submission(s) now; {N} students" in proc.stdout
    assert "[" not in proc.stderr                           # no progress line: nothing graded


def test_a_half_written_last_line_is_dropped_and_that_submission_regraded(reference_run, tmp_path):
    subs, done, reference = reference_run
    out = tmp_path / "cut"
    out.mkdir()
    data = (done / "results.jsonl").read_bytes().splitlines(keepends=True)
    cut_id = json.loads(data[-1])["id"]
    (out / "results.jsonl").write_bytes(b"".join(data[:-1]) + data[-1][: len(data[-1]) // 2])
    proc = subprocess.run(grade_cmd(subs, out), check=True, capture_output=True, text=True, timeout=300)
    final = lines(out)
    assert sorted(r["id"] for r in final) == sorted(reference)
    assert final[-1]["id"] == cut_id
    assert "[1/1]" in proc.stderr                           # only that one was graded again
