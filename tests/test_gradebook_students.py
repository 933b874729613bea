"""Does ``autograder grade`` keep a gradebook of students, not files, through a real term?

A class of three on the test assignment t_grade (tests/grade_fixtures/t_grade.py: sigmoid 4
points, rnn_step 4, 8 in all): alice and carol honest and right (8), bob right on sigmoid and
wrong on rnn_step (4). They are graded, bob resubmits a right notebook, the spec changes,
the instructor forces a regrade and regrades one student, and a late penalty applies.
Expected scores come from the spec's points, penalties from the rule in autograder/late.py.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_fixtures import faults  # noqa: E402

from autograder import batch, late  # noqa: E402
from autograder.submissions import NoSubmissions, discover  # noqa: E402

LIMITS = ["--timeout-cell", "10", "--timeout", "60", "--memory", "1024"]


def grade(args, out, *, spec=faults.SPEC, cwd=None, extra=()):
    cmd = [sys.executable, "-m", "autograder", "grade", *map(str, args), "--assignment", "t_grade",
           "--spec", str(spec), "--out", str(out), "--jobs", "2", "--quiet", *LIMITS, *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd, env=dict(os.environ))


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def submit(submitted: Path, student: str, code: str, when: str | None = None) -> Path:
    """nbgrader's layout: submitted/<student>/t_grade/t_grade.ipynb and its timestamp.txt."""
    folder = submitted / student / "t_grade"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(faults.with_tests(code), folder / "t_grade.ipynb")
    if when:
        (folder / "timestamp.txt").write_text(when + "\n")
    return folder


@pytest.fixture
def term(tmp_path):
    submitted = tmp_path / "submitted"
    submit(submitted, "alice", faults.GOOD, "2026-10-01 20:00:00.000000 UTC")
    submit(submitted, "bob", faults.WRONG_RNN, "2026-10-02 12:00:00.000000 UTC")
    submit(submitted, "carol", faults.GOOD)
    return tmp_path, submitted


def test_discovery_reads_nbgrader_layout_and_flat_folders_one_notebook_per_student(tmp_path):
    nbgrader = tmp_path / "submitted"
    submit(nbgrader, "alice", faults.GOOD, "2026-10-01 20:00:00.000000 UTC")
    (nbgrader / "bob" / "t_grade").mkdir(parents=True)                    # collected, but no notebook
    other = nbgrader / "alice" / "a1_rnn"                                  # another assignment's work
    other.mkdir()
    nbformat.write(faults.with_tests(faults.GOOD), other / "a1_rnn.ipynb")
    subs = {s.student: s for s in discover([nbgrader], "t_grade")}
    assert sorted(subs) == ["alice", "bob"]
    assert subs["alice"].submitted_at == "2026-10-01T20:00:00+00:00"
    assert subs["bob"].problem and "no notebook" in subs["bob"].problem

    flat = tmp_path / "flat"
    flat.mkdir()
    for name in ("dave", "erin"):
        nbformat.write(faults.with_tests(faults.GOOD), flat / f"{name}.ipynb")
    assert sorted(s.student for s in discover([flat], "t_grade")) == ["dave", "erin"]


def test_a_student_with_two_notebooks_is_graded_once_on_the_one_named_after_the_assignment(tmp_path):
    folder = submit(tmp_path / "submitted", "alice", faults.GOOD)
    nbformat.write(faults.with_tests(faults.WRONG_RNN), folder / "scratch.ipynb")
    (only,) = discover([tmp_path / "submitted"], "t_grade")
    assert only.path.name == "t_grade.ipynb" and only.others == ["alice/t_grade/scratch.ipynb"]


def test_an_empty_folder_is_no_notebooks_found_with_exit_code_2(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoSubmissions, match="no notebooks found"):
        discover([tmp_path / "empty"], "t_grade")
    proc = grade([tmp_path / "empty"], tmp_path / "out")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no notebooks found" in proc.stderr and "submitted/<student>/t_grade/" in proc.stderr
    assert not (tmp_path / "out" / "gradebook.csv").exists()


def test_a_resubmission_is_regraded_and_the_earlier_grade_kept_in_the_history(term):
    root, submitted = term
    out = root / "graded"
    first = grade([submitted], out)
    assert first.returncode == 0, first.stderr[-2000:]
    book = gradebook(out)
    assert {s: float(r["score"]) for s, r in book.items()} == {"alice": 8, "bob": 4, "carol": 8}

    submit(submitted, "bob", faults.GOOD, "2026-10-03 09:00:00.000000 UTC")      # bob fixes rnn_step
    again = grade([submitted], out)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "graded 1 submission(s) now; 3 students" in again.stdout
    book = gradebook(out)
    assert len(book) == 3 and float(book["bob"]["score"]) == 8 and book["bob"]["submitted_at"].startswith("2026-10-03")
    assert [r["student"] for r in lines(out / "results.jsonl")].count("bob") == 1
    (old,) = lines(out / "history.jsonl")
    assert old["student"] == "bob" and old["score"] == 4

    unchanged = grade([submitted], out)
    assert "graded 0 submission(s) now" in unchanged.stdout and len(lines(out / "history.jsonl")) == 1


def test_a_spec_change_invalidates_every_result_graded_against_the_old_one(term):
    root, submitted = term
    out = root / "graded"
    assert grade([submitted], out).returncode == 0
    assert {r["graded_against"]["spec"] for r in lines(out / "results.jsonl")} != {None}
    # the instructor gives rnn_step's public case 3 points instead of 2: 9 in all
    changed = root / "spec" / "t_grade.py"
    changed.parent.mkdir()
    changed.write_text(faults.SPEC.read_text().replace('Case("N=2, D=3, H=4", _step(3), points=2.0)',
                                                       'Case("N=2, D=3, H=4", _step(3), points=3.0)'))
    assert changed.read_text() != faults.SPEC.read_text()
    proc = grade([submitted], out, spec=changed)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "graded 3 submission(s) now" in proc.stdout
    book = gradebook(out)
    assert {s: (float(r["score"]), float(r["max_score"])) for s, r in book.items()} == {
        "alice": (9, 9), "bob": (4, 9), "carol": (9, 9)}
    assert sorted(r["student"] for r in lines(out / "history.jsonl")) == ["alice", "bob", "carol"]


def test_force_regrades_everyone_and_only_regrades_one_student(term):
    root, submitted = term
    out = root / "graded"
    assert grade([submitted], out).returncode == 0
    forced = grade([submitted], out, extra=["--force"])
    assert "graded 3 submission(s) now; 3 students" in forced.stdout
    one = grade([submitted], out, extra=["--only", "carol"])
    assert "graded 1 submission(s) now; 3 students" in one.stdout
    assert sorted(r["student"] for r in lines(out / "history.jsonl")) == ["alice", "bob", "carol", "carol"]
    nobody = grade([submitted], out, extra=["--only", "zed"])
    assert nobody.returncode == 2 and "no submission of zed" in nobody.stderr and "alice" in nobody.stderr


def test_the_gradebook_shows_raw_score_late_penalty_and_final_score(term):
    """Due 2026-10-01 23:59 UTC, 10 % a started day, capped at 15 %, 30 minutes' grace.
    alice (20:00 on the 1st) is on time: 8 - 0 = 8. bob (12:00 on the 2nd, 12 h 1 min after
    the due time, 11 h 31 min after the grace) is 1 day late: 10 % of 8 = 0.8, 4 - 0.8 = 3.2.
    carol has no timestamp.txt: lateness unknown, no penalty, 8."""
    root, submitted = term
    (root / "autograder.toml").write_text(
        "[due]\nt_grade = 2026-10-01T23:59:00Z\n\n[late]\nper_day = 10\ncap = 15\ngrace_minutes = 30\n")
    out = root / "graded"
    proc = grade([submitted], out, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    book = gradebook(out)
    got = {s: (r["score"], r["late_days"], r["penalty"], r["final_score"]) for s, r in book.items()}
    assert got == {"alice": ("8", "0", "0", "8"), "bob": ("4", "1", "0.8", "3.2"), "carol": ("8", "", "0", "8")}

    # two more days: 3 days late would be 30 %, the cap keeps it at 15 % of 8 = 1.2
    submit(submitted, "bob", faults.WRONG_RNN, "2026-10-04 12:00:00.000000 UTC")
    assert grade([submitted], out, cwd=root).returncode == 0
    assert (gradebook(out)["bob"]["late_days"], gradebook(out)["bob"]["penalty"]) == ("3", "1.2")


@pytest.mark.parametrize("text, words", [
    ("[due]\nt_grade = 2026-10-01\n", "with its time zone"),
    ("[due]\nt_grade = 2026-10-01T23:59:00\n", "with its time zone"),
    ("[late]\nper_day = -1\n", "per_day must be a number between 0 and 100"),
    ("[late]\nper_dya = 10\n", "unknown [late] key"),
    ("[due\n", "not valid TOML"),
])
def test_a_course_configuration_that_says_the_wrong_thing_is_refused_with_what_was_expected(tmp_path, text, words):
    path = tmp_path / "autograder.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=words.replace("[", r"\[")):
        late.load_config(path)


def test_a_store_left_mid_compaction_is_made_whole_without_duplicating_the_history(tmp_path):
    """A kill after the history was appended and before results.jsonl was replaced leaves a
    student twice in results.jsonl and once in history.jsonl; the next compaction must leave
    one current record and one history record, with no record lost or doubled."""
    out = tmp_path / "out"
    out.mkdir()
    old = {"id": "bob.ipynb@1", "student": "bob", "graded_at": "2026-10-01T00:00:00+00:00", "score": 4.0}
    new = {"id": "bob.ipynb@2", "student": "bob", "graded_at": "2026-10-02T00:00:00+00:00", "score": 8.0}
    alice = {"id": "alice.ipynb@3", "student": "alice", "graded_at": "2026-10-01T00:00:00+00:00", "score": 8.0}
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (old, alice, new)))
    (out / "history.jsonl").write_text(json.dumps(old) + "\n")
    batch.ResultStore(out).compact()
    assert lines(out / "results.jsonl") == [alice, new]
    assert lines(out / "history.jsonl") == [old]
    assert [r["score"] for r in batch.current_records(out)] == [8.0, 8.0]


def test_merge_gathers_shards_into_one_gradebook(term):
    root, submitted = term
    shards = []
    for k, students in enumerate((["alice", "bob"], ["carol"])):
        folder = root / f"shard{k}"
        for s in students:
            shutil.copytree(submitted / s, folder / s)
        shards.append(root / f"graded-{k}")
        assert grade([folder], shards[-1]).returncode == 0
    proc = subprocess.run([sys.executable, "-m", "autograder", "merge", str(root / "graded"), *map(str, shards)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    book = gradebook(root / "graded")
    assert {s: float(r["score"]) for s, r in book.items()} == {"alice": 8, "bob": 4, "carol": 8}
    assert all((root / "graded" / batch.slug(r["id"]) / "results.json").is_file() for r in book.values())


@pytest.mark.parametrize("text", ["2026-10-01 20:00:00.000000 UTC", "2026-10-01 20:00:00.250000 EST",
                                  "2026-03-29 01:30:00.000000 Europe/Berlin",
                                  "2026-10-01 20:00:00.000000 America/New_York"])
def test_submission_times_are_read_as_nbgrader_reads_its_own_timestamp_txt(tmp_path, text):
    """The oracle is nbgrader's own parser (nbgrader.utils.parse_utc, naive UTC)."""
    from datetime import datetime

    from nbgrader.utils import parse_utc

    from autograder.submissions import read_timestamp

    (tmp_path / "timestamp.txt").write_text(text + "\n")
    ours = datetime.fromisoformat(read_timestamp(tmp_path))
    assert ours.utcoffset().total_seconds() == 0
    assert ours.replace(tzinfo=None) == parse_utc(text)


def test_a_numeric_zone_is_an_offset_in_hours_and_minutes(tmp_path):
    """20:00 at -0500 is 01:00 UTC the next day; 20:00 at +0130 is 18:30 UTC. (nbgrader's own
    parse_utc reads "-0500" as -500 seconds; nbgrader writes zone names, so this only matters
    for files written by other tools.)"""
    from autograder.submissions import read_timestamp

    for text, utc in (("2026-10-01 20:00:00.000000 -0500", "2026-10-02T01:00:00+00:00"),
                      ("2026-10-01 20:00:00.000000 +0130", "2026-10-01T18:30:00+00:00")):
        (tmp_path / "timestamp.txt").write_text(text)
        assert read_timestamp(tmp_path) == utc
