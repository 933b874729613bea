"""A batch: each student's submission under the given paths graded once, results written as they finish.

``grade_batch(grader, paths, out)`` discovers one submission per student
(``autograder.submissions``), grades those whose result in ``OUT`` is missing or out of date,
on ``grader.jobs`` slots (each with its own worker; workers boot while the expected values
are computed), appends each record as soon as it is graded (flushed and fsynced), and then
writes ``junit.xml`` and ``gradebook.csv``.

``ResultStore`` is that folder:

- ``results.jsonl``: one record per student, the grade. While a batch runs, records are
  appended; at its end (and at the start of the next one) the store is compacted: each
  student's last record stays, the ones it replaced move to ``history.jsonl``.
- A result is up to date when it is of the same file (the submission id holds a hash of its
  bytes), submitted at the same time (nbgrader's timestamp.txt) and was graded against the same spec, public data, reference and grader version
  (``spec.graded_against``). A resubmission, or a change to any of those, is graded again;
  ``force`` regrades everything found, ``only`` regrades the students named.
- A half-written last line (the grader was killed) is dropped and that submission graded
  again; a compaction cut short leaves the old file whole (it is replaced atomically), and a
  record already in the history is not added twice. Each submission is graded exactly once.

``merge(out, folders)`` gathers the result folders of several graders (the shards of a class
graded on several machines) into one.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from autograder import report
from autograder.submissions import discover, slug

RESULTS, HISTORY = "results.jsonl", "history.jsonl"


def student_of(record: dict) -> str:
    """The student a record is the grade of: its ``student``, else (a record written before
    students were read) the file name its submission id starts with (``alice.ipynb@3f2a...``
    is alice's, as a flat folder of submissions names them)."""
    if record.get("student"):
        return str(record["student"])
    path = str(record.get("rel") or record["id"].rsplit("@", 1)[0])
    return Path(path).stem or record["id"]


def grade_batch(grader, paths, out: str | Path, *, force: bool = False, only=(), config=None) -> list[dict]:
    """Grade every student's submission whose result in ``OUT`` is missing or out of date (all
    of them with ``force``; the students in ``only``, and only them, when given); return the
    gradebook's records."""
    out = Path(out)
    store = ResultStore(out)
    subs = discover(paths, grader.assignment_id)
    if only:
        wanted = set(only)
        missing = sorted(wanted - {s.student for s in subs})
        if missing:
            found = ", ".join(sorted(s.student for s in subs)[:20]) or "none"
            raise ValueError(f"no submission of {', '.join(missing)} under {', '.join(map(str, paths))} "
                             f"(students found: {found})")
        subs = [s for s in subs if s.student in wanted]
    against = grader.graded_against
    todo = [s for s in subs if force or only or not store.up_to_date(s, against)]
    grader.graded_now = len(todo)
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
                              f"{sub.student}  {rec['score']:g}/{rec['max_score']:g}  {rec['status']}",
                              file=grader.progress, flush=True)
        finally:
            if box[0] is not None:
                box[0].close()

    if todo:
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
    store.compact()
    records = finish(out, grader.assignment, config)
    stale = [student_of(r) for r in records if r.get("graded_against") != against]
    if stale and grader.progress is not None:
        print(f"note: {len(stale)} result(s) in {out} were graded against another spec, data or reference "
              f"({', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''}); run again without --only to "
              "regrade them", file=grader.progress)
    return records


def finish(out: Path, assignment=None, config=None) -> list[dict]:
    """Write ``junit.xml`` and ``gradebook.csv`` of ``OUT`` from its current records."""
    records = current_records(out)
    report.write_junit(records, Path(out) / "junit.xml")
    report.write_gradebook(records, Path(out) / "gradebook.csv", assignment, config)
    return records


def current_records(out: str | Path) -> list[dict]:
    """The records of ``OUT`` that make the gradebook: each student's latest, by student."""
    return ResultStore(out, repair=False).current()


def merge(out: str | Path, folders, *, config=None) -> list[dict]:
    """Gather the result folders ``folders`` (e.g. the shards of one class) into ``OUT``: each
    student's latest record (by the time it was graded) becomes the grade there, the others
    history; per-submission folders are copied. All must be of one assignment."""
    out = Path(out)
    incoming = []
    for folder in folders:
        folder = Path(folder)
        if not (folder / RESULTS).is_file():
            raise ValueError(f"{folder} is not a result folder of autograder grade (no {RESULTS} in it)")
        for rec in current_records(folder):
            incoming.append((rec.get("graded_at", ""), folder, rec))
    assignments = {rec["assignment"] for _, _, rec in incoming}
    store = ResultStore(out)
    assignments |= {rec["assignment"] for rec in store.current()}
    if len(assignments) > 1:
        raise ValueError(f"cannot merge results of several assignments into one gradebook: {', '.join(sorted(assignments))}")
    have = {(r["id"], r.get("graded_at")) for r in store.load()}
    for _, folder, rec in sorted(incoming, key=lambda x: x[0]):
        if (rec["id"], rec.get("graded_at")) in have:
            continue
        src, dst = folder / slug(rec["id"]), out / slug(rec["id"])
        if src.is_dir() and src.resolve() != dst.resolve():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        store.append(rec)
        have.add((rec["id"], rec.get("graded_at")))
    store.compact()
    assignment = None
    if assignments:
        from autograder.spec import load_assignment

        try:
            assignment = load_assignment(next(iter(assignments)))
        except (KeyError, ValueError):     # a spec of another course: the exercises come from the records
            assignment = None
    return finish(out, assignment, config)


class ResultStore:
    """``OUT/results.jsonl``, ``OUT/history.jsonl`` and the per-submission folders; see the module docstring."""

    def __init__(self, out: Path, *, repair: bool = True):
        self.out = Path(out)
        if repair:
            self.out.mkdir(parents=True, exist_ok=True)
        self.path = self.out / RESULTS
        self.history = self.out / HISTORY
        self._lock = threading.Lock()
        records = self.load(repair=repair)
        self._latest = {}
        for rec in records:
            self._latest[student_of(rec)] = rec

    @staticmethod
    def _read(path: Path, repair: bool = False) -> list[dict]:
        if not path.exists():
            return []
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if repair and end != len(data):
            # A line cut short by a kill: drop it, that submission is graded again.
            with open(path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        records = []
        for line in data[:end].splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and "id" in rec:
                records.append(rec)
        return records

    def load(self, repair: bool = False) -> list[dict]:
        """Every record of ``results.jsonl``, in the order written."""
        return self._read(self.path, repair)

    def current(self) -> list[dict]:
        """Each student's last record, in the order the students were first graded."""
        latest = {}
        for rec in self.load():
            latest[student_of(rec)] = rec
        return list(latest.values())

    def up_to_date(self, sub, against: dict) -> bool:
        """Whether the student's grade here is of this submission (same bytes, same submission
        time) graded against ``against``."""
        rec = self._latest.get(sub.student)
        return (rec is not None and rec["id"] == sub.id and rec.get("submitted_at") == sub.submitted_at
                and rec.get("graded_against") == against)

    def write(self, record: dict) -> None:
        """Save one graded record: its per-submission folder, then its line."""
        record.setdefault("graded_at", datetime.now(timezone.utc).isoformat(timespec="microseconds"))
        folder = self.out / slug(record["id"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(report.gradescope(record), indent=1), encoding="utf-8")
        (folder / "output.txt").write_text(record.pop("full_output", record.get("output", "")), encoding="utf-8")
        self.append(record)

    def append(self, record: dict) -> None:
        line = (json.dumps(record) + "\n").encode()
        with self._lock:
            _append(self.path, line)
            self._latest[student_of(record)] = record

    def compact(self) -> None:
        """Move every record that is not its student's last from results.jsonl to history.jsonl."""
        with self._lock:
            records = self.load(repair=True)
            last = {}
            for i, rec in enumerate(records):
                last[student_of(rec)] = i
            keep = set(last.values())
            old = [rec for i, rec in enumerate(records) if i not in keep]
            if not old:
                return
            seen = {(r["id"], r.get("graded_at")) for r in self._read(self.history, repair=True)}
            fresh = [r for r in old if (r["id"], r.get("graded_at")) not in seen]
            if fresh:
                _append(self.history, b"".join((json.dumps(r) + "\n").encode() for r in fresh))
            tmp = self.path.with_name(RESULTS + ".tmp")
            with open(tmp, "wb") as f:
                f.write(b"".join((json.dumps(rec) + "\n").encode() for i, rec in enumerate(records) if i in keep))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)


def _append(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)

