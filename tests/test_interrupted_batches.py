"""Does a batch of 500 submissions, killed twice mid-run and resumed, give every result exactly once?

The 500 submissions are the real a1_rnn notebook as students hand it in: the correct one,
the blank release and each seeded mistake of ``samples/a1_rnn.py``, in turn, each with a
line naming its student (so every file, and every id, differs). ``autograder grade --jobs
2`` is SIGKILLed with its whole process group twice (after about 100 and 300 results),
then run to the end.

The reference is an uninterrupted run of each distinct notebook: a submission's result
depends only on its content (test_corpus checks that a batch result equals the result
of grading alone), so grading the 7 distinct contents once gives what an uninterrupted
run of the 500 gives, in a fraction of the time (the full uninterrupted run of 500 is
what ``benchmarks/reliability.py`` times).
"""
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
from nbformat.v4 import new_markdown_cell

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus import build  # noqa: E402
from samples import load_mistakes, make_submission  # noqa: E402

pytestmark = pytest.mark.slow

N = 500
KILL_AFTER = (100, 300)
LIMITS = ["--timeout-cell", "10", "--timeout", "60", "--memory", "1024"]


def variants() -> dict[str, nbformat.NotebookNode]:
    """The distinct honest notebooks: correct, blank, one per seeded mistake."""
    source = build.source_notebook("a1_rnn")
    out = {"correct": build.student_copy(source), "blank": build.blank_copy(source)}
    for m in load_mistakes("a1_rnn"):
        out[m.name] = build.student_copy(make_submission(source, m))
    return out


def student_notebook(nb, k: int):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = new_markdown_cell(f"Submitted by student {k:03d}")
    cell.id = "student-line"
    nb.cells.insert(1, cell)
    return nb


def grade_cmd(subs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(subs), "--assignment", "a1_rnn",
            "--out", str(out), "--jobs", "2", "--quiet", *LIMITS]


def lines(out: Path) -> list[dict]:
    path = out / "results.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def comparable(rec: dict) -> tuple:
    return rec["score"], rec["max_score"], rec["status"], json.dumps(rec["tests"], sort_keys=True)


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def run_until(subs: Path, out: Path, stop_at: int | None) -> dict:
    """Run the grader; SIGKILL its process group once results.jsonl has ``stop_at`` lines."""
    proc = subprocess.Popen(grade_cmd(subs, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    workers: set[int] = set()
    try:
        if stop_at is None:
            _, err = proc.communicate(timeout=1200)
            assert proc.returncode == 0, err.decode()[-2000:]
            return {"workers": []}
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and proc.poll() is None:
            workers.update(children_of(proc.pid))
            path = out / "results.jsonl"
            if path.exists() and path.read_bytes().count(b"\n") >= stop_at:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the grader finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    return {"workers": sorted(workers)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupted")
    kinds = variants()
    names = list(kinds)
    subs = root / "subs"
    subs.mkdir()
    kind_of = {}
    for k in range(N):
        name = names[k % len(names)]
        nbformat.write(student_notebook(kinds[name], k), subs / f"student{k:03d}.ipynb")
        kind_of[f"student{k:03d}.ipynb"] = name
    # The reference: each distinct notebook graded without interruption.
    ref_subs = root / "reference"
    ref_subs.mkdir()
    for name, nb in kinds.items():
        nbformat.write(student_notebook(nb, 0), ref_subs / f"{name}.ipynb")
    subprocess.run(grade_cmd(ref_subs, root / "reference-out"), check=True, capture_output=True, timeout=600)
    reference = {Path(r["rel"]).stem: comparable(r) for r in lines(root / "reference-out")}

    out = root / "out"
    t0 = time.monotonic()
    runs, snapshots = [], []
    for stop_at in (*KILL_AFTER, None):
        runs.append(run_until(subs, out, stop_at))
        snapshots.append(lines(out))
    seconds = time.monotonic() - t0
    print(f"\n{N} submissions, killed twice and resumed: {seconds:.1f} s")
    return {"kind_of": kind_of, "reference": reference, "runs": runs, "snapshots": snapshots,
            "final": snapshots[-1], "seconds": seconds, "out": out}


def test_the_kills_landed_mid_batch(batch):
    first, second, final = (len(s) for s in batch["snapshots"])
    assert KILL_AFTER[0] <= first < KILL_AFTER[1] <= second < N == final


def test_every_submission_has_exactly_one_result(batch):
    rels = [r["rel"] for r in batch["final"]]
    assert len(rels) == N
    assert sorted(rels) == sorted(batch["kind_of"])


def test_results_written_before_a_kill_are_kept_as_they_were(batch):
    """Resuming never regrades nor rewrites what was already in results.jsonl."""
    final = batch["final"]
    for snap in batch["snapshots"][:-1]:
        assert final[: len(snap)] == snap


def test_each_result_matches_the_uninterrupted_grading_of_its_notebook(batch):
    wrong = {r["rel"]: r["score"] for r in batch["final"]
             if comparable(r) != batch["reference"][batch["kind_of"][r["rel"]]]}
    assert not wrong


def test_the_reference_scores_are_those_the_mistakes_deserve(batch):
    """Independent of the grader: full marks, zero, and each mistake's expected scores."""
    from autograder.spec import load

    spec = load("a1_rnn")
    ref = batch["reference"]
    assert ref["correct"][0] == spec.max_points
    assert ref["blank"][0] == 0
    for m in load_mistakes("a1_rnn"):
        assert ref[m.name][0] == sum(m.expected_scores(spec).values()), m.name


def test_killed_workers_do_not_outlive_their_grader(batch):
    time.sleep(1)
    survivors = [pid for run in batch["runs"] for pid in run["workers"] if alive(pid)]
    assert not survivors


def test_per_submission_files_exist_for_every_result(batch):
    from autograder.submissions import slug

    missing = [r["id"] for r in batch["final"] if not (batch["out"] / slug(r["id"]) / "results.json").exists()]
    assert not missing
    csv_rows = (batch["out"] / "gradebook.csv").read_text().strip().splitlines()
    assert len(csv_rows) == N + 1
