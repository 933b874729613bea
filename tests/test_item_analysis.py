"""Does ``autograder report`` tell the instructor what the class as a whole got wrong?

A class of seven is graded for real (a3_lstm, the isolated grader, hidden cases included):

    reference    the source notebook                      32 / 32
    blank        the release (nbgrader's ClearSolutions)   0 / 32, no HINT anywhere
    params       seeded mistake lstm_params_without_bias  31 / 32  (lstm_params, 1 point, lost)
    coupled_a    seeded mistake lstm_coupled_reversed     29 / 32  (lstm_coupled, 3 points, lost)
    coupled_b    the same mistake, another student        29 / 32
    forget       seeded mistake lstm_no_forget_gate       27 / 32  (lstm_state_update, 5 points, lost;
                 lstm_step_forward, lstm_forward and lstm_step_backward call it and keep
                 their points by error carried forward, their cause naming lstm_state_update)
    garbage      not JSON: status malformed                0 / 32

The points come from the spec (a3_lstm: 4 + 5 + 5 + 5 + 4 + 1 + 3 + 3 + 1 + 1 = 32) and what
each mistake loses from ``samples/a3_lstm.py``. Hence, by hand, with N = 7:

* histogram (width 2: the smallest of 1, 2, 2.5, 5, ... cutting 32 points into at most 20
  bins; the last bin [30, 32] closed): [0, 2) 2 (blank, garbage), [26, 28) 1 (27),
  [28, 30) 2 (29, 29), [30, 32] 2 (31, 32), the other 12 bins 0; mean 148 / 7.
* pass rate (full points) per exercise: everyone but blank and garbage, less who lost it:
  lstm_state_update 4/7 (forget), lstm_params 4/7 (params), lstm_coupled 3/7 (coupled_a/b),
  every other exercise 5/7, lstm_step_forward, lstm_forward and lstm_step_backward with
  1 student by error carried forward. Mean points: lstm_coupled 3 * 3 / 7 = 9/7,
  lstm_state_update 4 * 5 / 7 = 20/7, lstm_params 4/7.
* per case: each of lstm_coupled's 3 cases 3/7; lstm_state_update's "the lecture's six
  examples" (2 points) 4/7.
* HINTs, once per student: lstm_coupled's "f multiplies the old cell" 2 (not 6: it shows on
  all 3 cases of both students), lstm_params' "leaves out the biases" 1, lstm_state_update's
  "without the forget gate" 1; lstm_step_forward none (its cases passed by carried credit:
  the HINT is lstm_state_update's, counted there). Root cause "your lstm_state_update": 1
  on each of the three exercises that call it. Missed points with no HINT: blank and
  garbage, 2 on every exercise.
* statuses: 6 graded, 1 malformed (garbage, listed, counted as 0).
"""
from __future__ import annotations

import argparse
import base64
import copy
import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from autograder import item_analysis

N = 7
MAX = 32.0


def parser():
    """``autograder`` with only the report subcommand, as cli.py registers it."""
    p = argparse.ArgumentParser(prog="autograder")
    item_analysis.register(p.add_subparsers(dest="command", required=True))
    return p


def report(*argv) -> int:
    args = parser().parse_args(["report", *map(str, argv)])
    return args.func(args)


def rows(out: Path) -> list[dict]:
    with open(out / "report.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def pick(table, section, **match) -> list[dict]:
    return [r for r in table if r["section"] == section and all(r[k] == v for k, v in match.items())]


def one(table, section, **match) -> dict:
    found = pick(table, section, **match)
    assert len(found) == 1, (section, match, found)
    return found[0]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class above, graded into a result folder, and the report written there."""
    from nbgrader.preprocessors import ClearSolutions

    from autograder.grade import IsolatedGrader
    from samples import load_mistakes, make_submission, source_notebook

    root = tmp_path_factory.mktemp("item_analysis")
    subs, out = root / "submitted", root / "graded"
    subs.mkdir()
    source = source_notebook("a3_lstm")
    mistakes = {m.name: m for m in load_mistakes("a3_lstm")}
    blank, _ = ClearSolutions(enforce_metadata=True).preprocess(copy.deepcopy(source), {})
    made = {"reference": source, "blank": blank,
            "params": make_submission(source, mistakes["lstm_params_without_bias"]),
            "coupled_a": make_submission(source, mistakes["lstm_coupled_reversed"]),
            "coupled_b": make_submission(source, mistakes["lstm_coupled_reversed"]),
            "forget": make_submission(source, mistakes["lstm_no_forget_gate"])}
    for name, nb in made.items():
        nbformat.write(nb, subs / f"{name}.ipynb")
    (subs / "garbage.ipynb").write_text("{this is not a notebook", encoding="utf-8")
    IsolatedGrader("a3_lstm", jobs=2, hide=[out, subs]).grade_paths([subs], out)
    return out


@pytest.fixture(scope="module")
def reported(graded):
    assert report(graded) == 0
    return graded


@pytest.mark.slow
def test_the_class_was_graded_as_the_samples_promise(graded):
    """The premise of the hand derivation: each student's score."""
    from autograder.batch import current_records

    scores = {Path(r["rel"]).stem: (r["status"], r["score"]) for r in current_records(graded)}
    assert scores == {"reference": ("graded", 32.0), "blank": ("graded", 0.0), "params": ("graded", 31.0),
                      "coupled_a": ("graded", 29.0), "coupled_b": ("graded", 29.0), "forget": ("graded", 27.0),
                      "garbage": ("malformed", 0.0)}


@pytest.mark.slow
def test_the_csv_holds_the_histogram_and_the_class_summary(reported):
    table = rows(reported)
    assert list(table[0]) == list(item_analysis.CSV_COLUMNS)
    assert one(table, "summary", item="students")["count"] == str(N)
    mean = one(table, "summary", item="mean_score")
    assert float(mean["mean_points"]) == pytest.approx(148 / 7, abs=1e-4) and float(mean["max_points"]) == MAX
    assert one(table, "summary", item="full_marks")["count"] == "1"
    bins = pick(table, "histogram")
    assert [(float(b["low"]), float(b["high"])) for b in bins] == [(2.0 * i, 2.0 * i + 2) for i in range(16)]
    counts = {float(b["low"]): int(b["count"]) for b in bins}
    assert {k: v for k, v in counts.items() if v} == {0.0: 2, 26.0: 1, 28.0: 2, 30.0: 2}
    assert sum(counts.values()) == N
    assert bins[-1]["item"] == "[30, 32]" and bins[0]["item"] == "[0, 2)"


@pytest.mark.slow
def test_the_csv_holds_each_exercises_pass_rate_and_mean_points(reported):
    table = rows(reported)
    full = {"lstm_gates": 5, "lstm_state_update": 4, "lstm_step_forward": 5, "lstm_forward": 5,
            "lstm_step_backward": 5, "lstm_params": 4, "lstm_peephole": 5, "lstm_coupled": 3,
            "quick_check_highway": 5, "quick_check_matrices": 5}
    exercises = pick(table, "exercise")
    assert [r["exercise"] for r in exercises] == list(full)      # the spec's order
    for r in exercises:
        assert int(r["count"]) == full[r["exercise"]], r
        assert float(r["rate"]) == pytest.approx(full[r["exercise"]] / N, abs=1e-4), r
    means = {r["exercise"]: (float(r["mean_points"]), float(r["max_points"])) for r in exercises}
    assert means["lstm_coupled"] == (pytest.approx(9 / 7, abs=1e-4), 3.0)
    assert means["lstm_state_update"] == (pytest.approx(20 / 7, abs=1e-4), 5.0)
    assert means["lstm_params"] == (pytest.approx(4 / 7, abs=1e-4), 1.0)
    carried = {r["exercise"]: int(r["count"]) for r in pick(table, "carried") if r["count"] != "0"}
    assert carried == {"lstm_step_forward": 1, "lstm_forward": 1, "lstm_step_backward": 1}


@pytest.mark.slow
def test_the_csv_holds_each_cases_pass_rate(reported):
    table = rows(reported)
    coupled = pick(table, "case", exercise="lstm_coupled")
    assert [(r["item"], r["count"]) for r in coupled] == [("public", "3"), ("hidden", "3"), ("hidden", "3")]
    assert all(float(r["rate"]) == pytest.approx(3 / 7, abs=1e-4) for r in coupled)
    six = one(table, "case", exercise="lstm_state_update", case="the lecture's six examples")
    assert six["count"] == "4" and float(six["max_points"]) == 2.0
    assert len(pick(table, "case")) == 31           # 4 + 4 + 5 + 5 + 4 + 1 + 3 + 3 + 1 + 1


@pytest.mark.slow
def test_a_hint_counts_once_per_student_who_made_the_mistake(reported):
    from samples import load_mistakes

    expect = {m.name: m.expect for m in load_mistakes("a3_lstm")}
    table = rows(reported)
    hints = {(r["exercise"], r["item"]): int(r["count"]) for r in pick(table, "hint")}
    assert len(hints) == 3, hints
    for gid, mistake, count in [("lstm_coupled", "lstm_coupled_reversed", 2),
                                ("lstm_params", "lstm_params_without_bias", 1),
                                ("lstm_state_update", "lstm_no_forget_gate", 1)]:
        [(text, got)] = [(h, c) for (g, h), c in hints.items() if g == gid]
        assert expect[mistake][gid] in text and text.startswith("HINT: ")
        assert got == count, (gid, text)
    causes = {(r["exercise"], r["item"]): int(r["count"]) for r in pick(table, "cause")}
    assert causes == {(g, "The mismatch comes from your lstm_state_update"): 1
                      for g in ("lstm_step_forward", "lstm_forward", "lstm_step_backward")}
    assert {r["exercise"]: r["count"] for r in pick(table, "no_hint")} == {r["exercise"]: "2" for r in
                                                                            pick(table, "exercise")}


@pytest.mark.slow
def test_a_submission_not_graded_is_listed_and_counted(reported):
    table = rows(reported)
    assert {r["item"]: r["count"] for r in pick(table, "status")} == {"graded": "6", "malformed": "1"}
    [row] = pick(table, "not_graded")
    assert row["item"].startswith("garbage") and row["case"] == "malformed"
    assert float(row["mean_points"]) == 0.0 and "JSON" in row["note"]
    page = (reported / "report.html").read_text(encoding="utf-8")
    assert "1 student not graded normally" in page and "garbage" in page


@pytest.mark.slow
def test_the_html_is_self_contained_and_says_the_same(reported):
    page = (reported / "report.html").read_text(encoding="utf-8")
    for external in ('src="http', "src='http", "<link", "<script", "@import", "url(http", 'href="http'):
        assert external not in page.lower(), external
    figures = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(figures) == 2
    assert all(base64.b64decode(f)[:8] == b"\x89PNG\r\n\x1a\n" for f in figures)
    # the HINT without its prefix, under the number of students who made it
    assert "<b>HINT" not in page
    assert re.search(r"2 students</span>: your output matches c_t = \(1-f\)\*c_\{t-1\} \+ f\*g: f multiplies", page)
    assert "Item analysis: Assignment 3: the LSTM" in page


@pytest.mark.slow
@pytest.mark.browser
def test_the_report_reads_well_in_chromium_offline(reported, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    chromium = "/usr/bin/chromium"
    assert Path(chromium).exists(), f"Debian's chromium is expected at {chromium} (apt-get install chromium)"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            requested = []
            page.on("request", lambda r: requested.append(r.url))
            page.goto((reported / "report.html").as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=str(tmp_path / "report.png"))
            page.screenshot(path=str(tmp_path / "report_full.png"), full_page=True)
            print(f"screenshots: {tmp_path / 'report.png'}, {tmp_path / 'report_full.png'}")
            facts = page.evaluate("""() => ({
                scrollWidth: document.documentElement.scrollWidth,
                images: [...document.images].map(i => [i.naturalWidth, i.getBoundingClientRect().top,
                                                       i.getBoundingClientRect().width]),
                h1: document.querySelector('h1').textContent,
                tables: [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right),
            })""")
        finally:
            browser.close()
    assert not [u for u in requested if not u.startswith(("file:", "data:"))], requested
    assert facts["h1"] == "Item analysis: Assignment 3: the LSTM"
    assert facts["scrollWidth"] <= 1400, "the page scrolls sideways"
    assert max(facts["tables"]) <= 1400
    # both figures drew, side by side on the first screen, each at a readable width
    assert len(facts["images"]) == 2
    for natural, top, width in facts["images"]:
        assert natural > 0 and top < 900 and width >= 500, facts["images"]


# -- without a grader: bad folders, and records written by hand ----------------------------

def test_a_missing_folder_is_a_clear_error_and_is_not_created(tmp_path, capsys):
    missing = tmp_path / "graded" / "a3_lstm"
    assert report(missing) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "autograder grade" in err
    assert not missing.exists()


@pytest.mark.parametrize("content", ["", "\n", '{"id": "half a recor'])
def test_an_empty_results_file_is_a_clear_error(tmp_path, capsys, content):
    (tmp_path / "results.jsonl").write_text(content, encoding="utf-8")
    assert report(tmp_path) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "no graded submissions" in err
    assert not (tmp_path / "report.html").exists()


def test_top_must_be_a_positive_number():
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["report", "out", "--top", "0"])
    assert exc.value.code == 2


def case(gid, name, passed, points=1.0, hint=None, **kw):
    return dict({"grade_id": gid, "name": name, "passed": passed, "score": points if passed else 0.0,
                 "max_score": points, "message": "", "hint": hint, "cause": None, "carried": False,
                 "hidden": False, "unscored": False}, **kw)


def record(student, status, tests, score=None):
    return {"id": f"{student}.ipynb@0", "student": student, "assignment": "t_hand", "status": status,
            "score": sum(t["score"] for t in tests) if score is None else score, "max_score": 4.0,
            "message": f"{status}: cell 3 ran too long" if status != "graded" else "", "tests": tests}


def test_hand_records_counts_timeouts_and_errors_with_their_scores_and_leaves_later_cases_unrated(tmp_path):
    """Four students of a 4-point assignment t_hand (no spec: the records alone):
    ``sum`` has cases a (1 point) and b (2 points), ``fit`` one case scored later (1 point).

        ann    graded   a, b pass              3 points
        bob    graded   a, b fail, HINT X on both (counted once), HINT Y on b: 0 points
        cy     timeout  a passes, b fails with HINT X: 1 point
        dee    error    nothing passes, no HINT: 0 points

    sum: full points 1 of 4 (ann); mean (3 + 0 + 1 + 0) / 4 = 1; HINT X 2 students (bob,
    cy), Y 1; missed with no HINT 1 (dee). Case a 2 / 4, case b 1 / 4. fit: no pass rate.
    Histogram of 4 points, width 1: [0, 1) 2, [1, 2) 1, [3, 4] 1.
    """
    x, y = "HINT: mistake X", "HINT: mistake Y"
    later = dict(unscored=True)
    recs = [
        record("ann", "graded", [case("sum", "a", True), case("sum", "b", True, 2.0), case("fit", "f", False, **later)]),
        record("bob", "graded", [case("sum", "a", False, hint=x), case("sum", "b", False, 2.0, hint=x),
                                 case("sum", "b2", False, 0.0, hint=y), case("fit", "f", False, **later)]),
        record("cy", "timeout", [case("sum", "a", True), case("sum", "b", False, 2.0, hint=x)]),
        record("dee", "error", [case("sum", "a", False), case("sum", "b", False, 2.0)]),
    ]
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    assert report(tmp_path, "--top", "1") == 0
    table = rows(tmp_path)
    assert {r["item"]: r["case"] for r in pick(table, "not_graded")} == {"cy": "timeout", "dee": "error"}
    ex = one(table, "exercise", exercise="sum")
    assert (ex["count"], float(ex["mean_points"]), float(ex["max_points"])) == ("1", 1.0, 3.0)
    assert {r["item"]: r["count"] for r in pick(table, "hint", exercise="sum")} == {x: "2", y: "1"}
    assert one(table, "no_hint", exercise="sum")["count"] == "1"
    assert [(r["case"], r["count"]) for r in pick(table, "case", exercise="sum")] == [("a", "2"), ("b", "1"),
                                                                                       ("b2", "0")]
    fit = one(table, "exercise", exercise="fit")
    assert (fit["count"], fit["rate"]) == ("0", "")
    assert one(table, "case", exercise="fit")["note"] == "scored later"
    bins = {r["item"]: r["count"] for r in pick(table, "histogram")}
    assert bins == {"[0, 1)": "2", "[1, 2)": "1", "[2, 3)": "0", "[3, 4]": "1"}
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "2 students</span>: mistake X" in page and "mistake Y" not in page.split("<h2>What the class")[1]
    assert "1 more HINT in report.csv" in page
    assert "2 students not graded normally" in page and "1 timeout, 1 error" in page


@pytest.mark.parametrize("span, width", [(32, 2), (100, 5), (4, 1), (1, 1), (45, 2.5), (0.5, 0.025)])
def test_bins_have_a_nice_width(span, width):
    assert item_analysis.nice_width(span) == pytest.approx(width)
