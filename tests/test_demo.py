"""Does the README's first command (the instructor pipeline) produce a correct gradebook?

The expected scores do not come from the grader: full marks is the spec's total, the
blank release must earn nothing, and each seeded mistake must lose points.
"""
from __future__ import annotations

import pytest

from autograder import demo
from autograder.spec import load

pytestmark = pytest.mark.slow


def test_demo_builds_the_release_grades_the_samples_and_prints_the_gradebook(tmp_path, capsys):
    code = demo.run(out=tmp_path, jobs=2, ids=["a1_rnn"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (tmp_path / "course" / "release" / "a1_rnn" / "a1_rnn.ipynb").exists()
    book = demo.read_gradebook(tmp_path / "graded" / "a1_rnn" / "gradebook.csv")
    total = load("a1_rnn").max_points
    assert set(book) == set(demo.STUDENTS)
    assert {r["status"] for r in book.values()} == {"graded"}
    assert float(book["reference"]["score"]) == total
    assert float(book["blank"]["score"]) == 0
    for student in ("student_a", "student_b"):
        assert 0 < float(book[student]["score"]) < total
    # student_b hands in 26 hours after the due time: two started days at 10 % of the
    # assignment's points each, 20 % of the total, taken from the raw score
    raw = float(book["student_b"]["score"])
    assert book["student_b"]["late_days"] == "2" and book["reference"]["late_days"] == "0"
    assert float(book["student_b"]["penalty"]) == pytest.approx(min(raw, 0.2 * total))
    assert float(book["student_b"]["final_score"]) == pytest.approx(raw - min(raw, 0.2 * total))
    # the printed table has one row per student with score/max
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line.split() and line.split()[0] in demo.STUDENTS}
    assert rows["reference"] == f"{total:g}/{total:g}"
    assert rows["blank"] == f"0/{total:g}"
    assert rows["student_b"] == f"{float(book['student_b']['final_score']):g}/{total:g}"
    assert "gradebook.csv" in out and "results.json" in out


def test_the_table_marks_a_crash_apart_from_an_honest_zero():
    books = {"a1_rnn": {"reference": {"score": "3", "max_score": "3", "status": "graded"},
                        "blank": {"score": "0", "max_score": "3", "status": "error"}}}
    table = demo.format_table(["a1_rnn"], books)
    lines = {l.split()[0]: l for l in table.splitlines()[2:]}
    assert "3/3" in lines["reference"] and "(error)" in lines["blank"]
    assert lines["student_a"].split()[1] == "-"
