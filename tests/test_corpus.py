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

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build, paths  # noqa: E402
from corpus.entries import ASSIGNMENTS, CATEGORIES, ENTRIES, by_name  # noqa: E402
from corpus.paths import by_exercise, entry_of, sleeping_children, what_it_says  # noqa: E402

from autograder.spec import load  # noqa: E402

pytestmark = pytest.mark.slow

SPECS = {aid: load(aid) for aid in ASSIGNMENTS}
SPEC = SPECS["a1_rnn"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return paths.grade_batch(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def through_nbgrader(tmp_path_factory):
    return paths.grade_through_nbgrader(tmp_path_factory.mktemp("nbgrader_corpus"))


def test_the_corpus_has_at_least_25_entries_in_every_category_the_issue_lists():
    assert len(ENTRIES) >= 25
    counts = {c: sum(e.category == c for e in ENTRIES) for c in CATEGORIES}
    assert all(n >= 1 for n in counts.values()), counts
    assert sum(e.category != "control" for e in ENTRIES) >= 25


def test_most_entries_deserve_a_score_strictly_between_0_and_full_marks():
    """The faults sit next to partly correct answers, so the expected score says something."""
    partial = [e.name for e in ENTRIES if 0 < e.deserved(SPECS[e.assignment]) < SPECS[e.assignment].max_points]
    assert len(partial) >= 25, partial


def test_each_entry_changes_the_correct_notebook(tmp_path):
    """A fault that edits nothing would test nothing: every entry's file differs from the correct one."""
    ctx = build.Context.make(tmp_path)
    written = build.write_corpus(ctx.subs, ctx, [e for e in ENTRIES if e.name not in ("ten_thousand_cells", "fifty_mb")])
    correct = {"a1_rnn": written["correct"].read_bytes(), "a4_gru": written["a4_correct"].read_bytes()}
    same = [n for n, p in written.items() if n not in ("correct", "a4_correct") and p.is_file()
            and p.read_bytes() == correct[by_name(n).assignment]]
    assert not same


def test_the_batch_completes_and_runs_inside_bubblewrap(batch):
    for run in batch["runs"].values():
        assert run["proc"].returncode == 0, run["proc"].stderr[-3000:]
        assert "warning: bubblewrap" not in run["proc"].stderr
    assert {r["sandbox"] for r in batch["records"]} == {"bwrap"}


def test_no_result_is_lost_or_duplicated(batch):
    names = [entry_of(r) for r in batch["records"]]
    assert sorted(names) == sorted(e.name for e in ENTRIES)


@pytest.mark.parametrize("name", [e.name for e in ENTRIES])
def test_each_entry_gets_the_score_it_deserves_with_its_message(batch, name):
    entry = by_name(name)
    spec = SPECS[entry.assignment]
    rec = next(r for r in batch["records"] if entry_of(r) == name)
    assert rec["status"] == entry.status, rec["message"][-1500:]
    assert rec["max_score"] == spec.max_points
    assert by_exercise(rec["tests"]) == entry.deserved_by_exercise(spec), rec["message"][-1500:]
    assert rec["score"] == entry.deserved(spec)
    text = what_it_says(rec)
    for fragment in entry.says:
        assert fragment in text, f"{fragment!r} not in:\n{text[-2000:]}"


def test_a_failed_case_always_says_why(batch):
    silent = [(entry_of(r), t["grade_id"], t["name"]) for r in batch["records"] for t in r["tests"]
              if not t["passed"] and not (t["message"] or "").strip()]
    assert not silent


def test_each_batch_result_equals_grading_that_submission_alone(batch):
    """Each submission graded on its own (a fresh worker, no neighbours): same status and tests."""
    from autograder.grade import IsolatedGrader, Limits
    from autograder.submissions import discover

    graders = {}
    for aid, run in batch["runs"].items():
        graders[aid] = IsolatedGrader(aid, limits=Limits(timeout_cell=4, timeout=60, memory_mb=1024),
                              hide=[run["ctx"].subs, run["ctx"].out])
        graders[aid].prepare()
    recs = {entry_of(r): r for r in batch["records"]}
    differ = {}
    for name, path in batch["paths"].items():
        grader = graders[by_name(name).assignment]
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
    for aid, run in batch["runs"].items():
        ctx = run["ctx"]
        assert not (ctx.outside / "canary.txt").exists()
        assert not (ctx.subs.parent / "canary.txt").exists()
        assert sorted(p.name for p in ctx.subs.iterdir()) == sorted(e.name for e in ENTRIES if e.assignment == aid)


def test_other_submissions_are_left_untouched(batch):
    after = {name: paths.sha(p) for name, p in batch["paths"].items()}
    assert after == batch["before"]


def test_results_hold_no_forged_line(batch):
    """forges_results appends a 29-point line for itself: results.jsonl must hold only the grader's."""
    lines = (batch["runs"]["a1_rnn"]["ctx"].out / "results.jsonl").read_text().splitlines()
    assert len(lines) == sum(e.assignment == "a1_rnn" for e in ENTRIES)
    forged = [r for r in batch["records"] if entry_of(r) == "forges_results"]
    assert len(forged) == 1 and forged[0]["score"] == by_name("forges_results").deserved(SPEC)


# --- through nbgrader ---------------------------------------------------------------------------
def test_the_audit_regrades_every_submitted_notebook_in_bubblewrap(through_nbgrader):
    for aid, run in through_nbgrader["runs"].items():
        audit, report = run["audit"], run["report"]
        # 1: the audit ran and found scores that differ (the corpus fools nbgrader on purpose)
        assert audit.returncode == (1 if report["differences"] else 0), audit.stderr[-3000:]
        assert report["sandbox"] == "bwrap"
        files = [e for e in ENTRIES if e.assignment == aid and e.name != "directory"]
        assert report["submissions"] == len(files), report


@pytest.mark.parametrize("name", [e.name for e in ENTRIES])
def test_through_nbgrader_each_entry_is_graded_right_or_flagged_with_the_right_score(through_nbgrader, name):
    """nbgrader's gradebook has the deserved score on every exercise, or the audit lists the
    submission and its own re-grade is the deserved score."""
    o = through_nbgrader["outcomes"][name]
    assert o.right or o.flagged, (f"nbgrader gave {o.got}, deserved {o.deserved}, and the audit did not flag it\n"
                                  f"{o.says}")
    if o.flagged:
        assert o.audit_right, f"flagged, but the audit's re-grade is not {o.deserved}: {o.says}"


def test_through_nbgrader_no_result_is_lost(through_nbgrader):
    lost = [n for n, o in through_nbgrader["outcomes"].items() if o.lost]
    assert not lost


def test_submissions_that_fool_nbgrader_are_flagged(through_nbgrader):
    """The audit has teeth: importing solutions or reading the source notebook works in
    nbgrader's unconfined kernel (full marks), a patched sympy swaps two formula scores;
    each of them is flagged."""
    outcomes = through_nbgrader["outcomes"]
    for name in ("imports_solutions", "reads_source_notebook", "a4_imports_solutions"):
        o = outcomes[name]
        assert o.got == SPECS[o.entry.assignment].max_points and not o.right and o.flagged, (name, o.got, o.flagged)
    o = outcomes["a4_patches_sympy_poly"]
    assert not o.right and o.flagged, (o.got, o.says)
