"""Can a student read the feedback on one exercise in five seconds, as text and as HTML?

The verdict word and the points first, then the root cause, the HINT and one mismatch;
the other cases in a line each; the full arrays folded away; no line wider than 100.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from autograder.compare import compare
from autograder.notebook import Grader, Score
from autograder.results import CaseResult, ExerciseFeedback, split_message, verdict
from checks_helpers import one_exercise_assignment, rnn_step_exercise

GATES_HINT = ("HINT: your gates match the blocks read in the order i, f, o, g; this course (and PyTorch) packs "
              "them i, f, g, o: g is a[:, 2H:3H] and o is a[:, 3H:4H].")
CAUSE = "your lstm_gates fails its own cases, and lstm_step_forward calls it: fix lstm_gates first."


def mismatch_message(n: int, h: int, seed: int) -> str:
    """A real two-output message of compare(), as an exercise with outputs g and o words it."""
    rng = np.random.default_rng(seed)
    parts = [compare(rng.normal(size=(n, h)), rng.normal(size=(n, h)), rtol=1e-6, atol=1e-8, name=name)[1]
             for name in ("g", "o")]
    return "\n".join(parts)


def failed(name, message, *, hint=GATES_HINT, cause=None, points=1.0):
    return CaseResult(name=name, passed=False, score=0.0, max_score=points, message=message, hidden=False,
                      hint=hint, grade_id="lstm_gates", cause=cause)


def passed(name, points=1.0, *, carried=False, cause=None):
    return CaseResult(name=name, passed=True, score=points, max_score=points, message="", hidden=False,
                      grade_id="lstm_gates", carried=carried, cause=cause)


def wrong_gate_order(n_cases: int = 4) -> list[CaseResult]:
    return [failed(f"N={k + 2}, D=3, H=4", mismatch_message(k + 2, 4, k)) for k in range(n_cases)]


class Html(HTMLParser):
    """Text inside and outside <details> (its <summary> counts as outside: it stays visible)."""

    def __init__(self):
        super().__init__()
        self.depth, self.in_summary, self.folded, self.visible = 0, False, [], []

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "details"
        self.in_summary = self.in_summary or tag == "summary"

    def handle_endtag(self, tag):
        self.depth -= tag == "details"
        self.in_summary = self.in_summary and tag != "summary"

    def handle_data(self, data):
        (self.folded if self.depth and not self.in_summary else self.visible).append(data)


def parsed(html: str) -> Html:
    p = Html()
    p.feed(html)
    return p


# -- plain text ---------------------------------------------------------------------------
def test_the_verdict_then_the_cause_the_hint_and_one_mismatch_come_first():
    results = [failed(r.name, r.message, cause=CAUSE) for r in wrong_gate_order()]
    lines = ExerciseFeedback.of(results, "lstm_gates (public cases)").text().splitlines()
    assert lines[0] == "FAIL  lstm_gates (public cases): 0 / 4 points"
    at = {key: next(k for k, ln in enumerate(lines) if ln.lstrip().startswith(key))
          for key in ("Root cause:", "HINT:", "Mismatch on case [N=2, D=3, H=4]", "Not equal to tolerance",
                      "Same mistake on 3 more cases", "ACTUAL:")}
    assert list(at.values()) == sorted(at.values()), at
    assert at["HINT:"] < 5, "the HINT is on the first screen, not after the numbers"


def test_no_plain_text_line_is_wider_than_100_characters():
    long_hint = "HINT: " + " ".join(["your gradient matches the one computed without the forget gate"] * 4) + "."
    wide = compare(np.arange(400.0).reshape(8, 50) / 7, np.zeros((8, 50)), rtol=1e-6, atol=1e-8,
                   name="a_long_output_name")[1]
    results = [failed("N=8, D=50, H=50, a case with a long name", wide, hint=long_hint, cause=CAUSE * 2),
               failed("N=2", "Not equal to tolerance " + "x" * 150, hint=None)]
    text = ExerciseFeedback.of(results, "lstm_step_backward (public cases)").text()
    too_wide = [ln for ln in text.splitlines() if len(ln) > 100]
    assert not too_wide, too_wide
    # wrapping keeps every word: nothing of the hint is lost
    assert " ".join(text.split()).count("without the forget gate") == 4


def test_a_wrapped_line_breaks_at_a_space():
    results = [failed("N=2", "", hint="HINT: " + "word " * 40)]
    lines = ExerciseFeedback.of(results, "x (public cases)").text().splitlines()
    hint_lines = [ln for ln in lines if "word" in ln]
    assert len(hint_lines) >= 2 and all(ln.rstrip().endswith("word") or ln.endswith("word") for ln in hint_lines)


def test_the_arrays_come_last_indented_below_the_summary():
    text = ExerciseFeedback.of(wrong_gate_order(2), "lstm_gates (public cases)").text()
    summary, details = text.split("In full, case")
    assert "Mismatched elements" in summary and "ACTUAL" not in summary and "Worst elements" not in summary
    assert "ACTUAL" in details and "DESIRED" in details
    for ln in details.splitlines()[1:]:
        assert ln.startswith("      "), ln


def test_verdicts_are_words_not_emoji():
    for results, word in [([passed("a"), passed("b")], "PASS"), (wrong_gate_order(1) + [passed("b")], "FAIL"),
                          ([CaseResult("m", False, 0.0, 2.0, "scored later", False, unscored=True)], "LATER")]:
        text = ExerciseFeedback.of(results, "x (public cases)").text()
        assert text.startswith(word + "  ") and verdict(results) == word
        assert not re.search("[\u2705\u274c\u23f3]", text), text


def test_other_cases_with_another_mistake_get_a_line_each():
    results = wrong_gate_order(2) + [failed("N=9", "Not equal to tolerance rtol=1e-06 (g)", hint="HINT: other."),
                                     failed("N=10", "a shape mismatch", hint=None), passed("N=1")]
    text = ExerciseFeedback.of(results, "lstm_gates (public cases)").text()
    assert "Same mistake on 1 more case: [N=3, D=3, H=4]." in text
    assert "FAIL [N=9] (0 / 1): HINT: other." in text
    assert "FAIL [N=10] (0 / 1): a shape mismatch" in text
    assert "PASS: [N=1]." in text


def test_points_by_error_carried_forward_say_so_with_their_cause():
    results = [passed("N=2", 2.0, carried=True, cause=CAUSE), passed("N=3", 1.0)]
    text = ExerciseFeedback.of(results, "lstm_step_forward (public cases)").text()
    lines = text.splitlines()
    assert lines[0] == "PASS  lstm_step_forward (public cases): 3 / 3 points (2 points by error carried forward)"
    assert " ".join(ln.strip() for ln in lines[1:3]) == f"Root cause: {CAUSE}"
    assert "  By error carried forward: [N=2]." in lines


def test_a_hint_already_in_the_cause_is_not_repeated():
    cause = f"The mismatch comes from your lstm_gates, which fails its own checks. {GATES_HINT}"
    results = [CaseResult("N=2", True, 1.0, 1.0, "", False, hint=GATES_HINT, grade_id="lstm_step_forward",
                          cause=cause, carried=True)]
    text = ExerciseFeedback.of(results, "lstm_step_forward (public cases)").text()
    assert " ".join(text.split()).count("HINT:") == 1, text


# -- HTML ---------------------------------------------------------------------------------
def test_html_folds_the_arrays_and_keeps_verdict_hint_and_summary_visible():
    html = ExerciseFeedback.of(wrong_gate_order(), "lstm_gates (public cases)").html()
    page = parsed(html)
    visible, folded = "".join(page.visible), "".join(page.folded)
    assert html.count("<details") == 1 and "<details open" not in html
    assert "ACTUAL" in folded and "DESIRED" in folded and "Worst elements" in folded
    assert "ACTUAL" not in visible and "DESIRED" not in visible
    for words in ("FAIL", "0 / 4 points", "HINT:", "order i, f, o, g", "Mismatched elements",
                  "Same mistake on 3 more cases"):
        assert words in visible, words
    assert visible.index("FAIL") < visible.index("HINT:") < visible.index("Mismatched elements")


def test_html_colours_the_verdict_and_escapes_the_message():
    results = [failed("N=2", "expected <class 'tuple'>, got <ndarray>", hint="HINT: a < b & c.")]
    html = ExerciseFeedback.of(results, "x (public cases)").html()
    assert re.search(r'background: #c0262d[^>]*>FAIL</span>', html)
    assert "&lt;class &#x27;tuple&#x27;&gt;" in html and "a &lt; b &amp; c." in html
    assert "white-space: pre-wrap" in html, "preformatted text wraps instead of scrolling sideways"
    passing = ExerciseFeedback.of([passed("N=2")], "x (public cases)").html()
    assert re.search(r'background: #1e7b34[^>]*>PASS</span>', passing)


def test_split_message_moves_only_the_evidence_to_the_details():
    summary, details = split_message(mismatch_message(3, 4, 0) + "\nAlso wrong: o.")
    assert summary[0].startswith("Not equal to tolerance") and summary[-1] == "Also wrong: o."
    assert details[0] == summary[0], "each folded group is headed by its criterion"
    assert any(ln.startswith(" ACTUAL: ") for ln in details)
    assert not any(ln.startswith((" ACTUAL", " DESIRED", "Worst")) for ln in summary)


# -- the score ----------------------------------------------------------------------------
def test_the_score_is_a_bare_number_for_nbgrader_and_a_sentence_in_html():
    grader = Grader(one_exercise_assignment(rnn_step_exercise(hidden_n=3)))

    def wrong_for_three_rows(x, prev_h, Wx, Wh, b):
        out = np.tanh(x @ Wx + prev_h @ Wh + b)
        return (out if x.shape[0] == 2 else out + 1.0), None

    grader.check("rnn_step_forward", {"rnn_step_forward": wrong_for_three_rows}, quiet=True)
    score = grader.score("rnn_step_forward")
    assert isinstance(score, Score) and float(repr(score)) == 1.0 and str(score) == "1.0"
    assert score.sentence == "1 / 2 points here; 3 more points in hidden cases at grading"
    assert "Score: 1 / 2 points here; 3 more points in hidden cases at grading" in score._repr_html_()


def test_the_score_sentence_counts_points_carried_forward_and_hidden_cases_run():
    grader = Grader(one_exercise_assignment(rnn_step_exercise(hidden_n=2)))
    right = {"rnn_step_forward": lambda x, prev_h, Wx, Wh, b: (np.tanh(x @ Wx + prev_h @ Wh + b), None)}
    grader.check("rnn_step_forward", right, quiet=True)
    grader.check("rnn_step_forward", right, hidden=True, quiet=True)
    assert grader.score("rnn_step_forward").sentence == "4 / 4 points (public and hidden cases)"
    grader._results[("rnn_step_forward", False)][0].carried = True
    assert grader.score("rnn_step_forward").sentence == ("4 / 4 points (public and hidden cases); "
                                                         "1 point by error carried forward")


@pytest.mark.parametrize("value", [0.0, 2.5, 4.0])
def test_the_score_text_is_what_nbgrader_reads(value):
    from nbgrader.utils import get_partial_grade

    shown = {"data": {"text/plain": repr(Score(value, "a sentence")), "text/html": Score(value)._repr_html_()}}
    assert get_partial_grade(shown, 4.0) == value


def test_the_notes_of_a_self_check_are_wrapped_to_100_columns_below_their_indent():
    """The notes block of ``autograder check`` (what a cell raised) is indented by four spaces:
    a 99-character note line would be 103 wide printed there, so it must be broken."""
    from autograder.results import check_text

    note = ("cell 23 still holds the placeholder `raise NotImplementedError()` (line 2): write your answer"
            " there")
    assert len(note) > 96
    text = check_text({"status": "graded", "message": note + "\n  (the exercise of this cell: q)",
                       "tests": []}, "a3_lstm.ipynb")
    lines = text.splitlines()
    assert lines[0] == "notes:" and all(len(ln) <= 100 for ln in lines), text
    assert lines[1].startswith("    cell 23 still holds") and lines[2].startswith("      ")
    assert " ".join(ln.strip() for ln in lines[1:3]) == note
