"""A batch: every submission under the given paths graded once, results written as they finish.

``grade_batch(grader, paths, out)`` discovers the submissions (``autograder.submissions``),
skips those already in ``OUT/results.jsonl``, grades the rest on ``grader.jobs`` slots (each
with its own worker; workers boot while the expected values are computed), appends each
record as soon as it is graded (flushed and fsynced), and then writes ``junit.xml`` and
``gradebook.csv`` from all records. ``ResultStore`` is that folder: re-running with the
same ``OUT`` resumes, a half-written last line (the grader was killed) is dropped and
that submission graded again, so each submission is graded exactly once.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time
from pathlib import Path

from autograder import report
from autograder.submissions import discover, slug


def grade_batch(grader, paths, out: str | Path) -> list[dict]:
    """Grade every submission not yet in ``OUT/results.jsonl``; return all records."""
    out = Path(out)
    store = ResultStore(out)
    subs = discover(paths)
    todo = [s for s in subs if s.id not in store.done]
    total, done = len(todo), [0]
    started = time.monotonic()
    work: queue.Queue = queue.Queue()
    for s in todo:
        work.put(s)
    lock = threading.Lock()

    def slot(box):
        try:
            while True:
                try:
                    sub = work.get_nowait()
                except queue.Empty:
                    return
                rec = grader.grade_submission(sub, box)
                store.write(rec)
                with lock:
                    done[0] += 1
                    if grader.progress is not None:
                        rate = done[0] / max(time.monotonic() - started, 1e-9)
                        print(f"[{done[0]:>{len(str(total))}}/{total}] {rate:5.1f}/s  {grader.assignment_id}  "
                              f"{sub.rel}  {rec['score']:g}/{rec['max_score']:g}  {rec['status']}",
                              file=grader.progress, flush=True)
        finally:
            if box[0] is not None:
                box[0].close()

    # Workers boot (imports) while the expected values are computed here.
    n_slots = min(grader.jobs, total)
    boxes = [[grader.Worker(grader.box, grader.assignment_id, grader.spec_path).spawn()] for _ in range(n_slots)]
    try:
        grader.prepare()
    except BaseException:
        for b in boxes:
            b[0].kill()
        raise
    threads = [threading.Thread(target=slot, args=(b,), daemon=True) for b in boxes]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    records = store.load()
    report.write_junit(records, out / "junit.xml")
    report.write_gradebook(records, out / "gradebook.csv", grader.assignment)
    return records


def current_records(out: str | Path) -> list[dict]:
    """The records of ``OUT`` that make the gradebook: one per submission graded there."""
    return ResultStore(out).load()


class ResultStore:
    """``OUT/results.jsonl`` plus the per-submission folders; see the module docstring."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.path = self.out / "results.jsonl"
        self._lock = threading.Lock()
        self.done = {r["id"] for r in self.load(repair=True)}

    def load(self, repair: bool = False) -> list[dict]:
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if repair and end != len(data):
            # A line cut short by a kill: drop it, that submission is graded again.
            with open(self.path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        records, seen = [], set()
        for line in data[:end].splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and "id" in rec and rec["id"] not in seen:
                seen.add(rec["id"])
                records.append(rec)
        return records

    def write(self, record: dict) -> None:
        folder = self.out / slug(record["id"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(report.gradescope(record), indent=1), encoding="utf-8")
        (folder / "output.txt").write_text(record.pop("full_output", record.get("output", "")), encoding="utf-8")
        line = (json.dumps(record) + "\n").encode()
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            self.done.add(record["id"])
