"""Does the in-notebook Grader give per-case partial credit that nbgrader can read?"""
import numpy as np
import pytest

from autograder.notebook import CheckReport, Grader, self_check
from autograder.spec import Assignment, Case, Exercise
from checks_helpers import rnn_step_exercise


def correct(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh + b), None


def right_only_for_two_rows(x, prev_h, Wx, Wh, b):
    """Right on the N=2 case, wrong on the N=3 case: one of two points."""
    out = np.tanh(x @ Wx + prev_h @ Wh + b)
    return (out if x.shape[0] == 2 else out + 1.0), None


def _assignment():
    ex = rnn_step_exercise(hidden_n=2)
    value = Exercise(grade_id="hidden_size", target="H", kind="choice", reference="_nb_refs:H",
                     public=(Case("H", points=2.0),))
    return Assignment(id="test_nb", title="t", exercises=(ex, value))


@pytest.fixture
def grader(monkeypatch):
    import sys
    import types

    refs = types.ModuleType("_nb_refs")
    refs.H = 4
    monkeypatch.setitem(sys.modules, "_nb_refs", refs)
    return Grader(_assignment())


def test_partial_credit_is_per_case_and_score_returns_the_points(grader, capsys):
    report = grader.check("rnn_step_forward", {"rnn_step_forward": right_only_for_two_rows})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "FAIL  rnn_step_forward (public cases): 1 / 2 points"
    assert out[1] == "  Mismatch on case [N=3, D=4, H=4] (0 / 1 point):"
    assert out[2].startswith("    Not equal to tolerance")
    assert "  PASS: [N=2, D=3, H=4]." in out
    assert grader.score("rnn_step_forward") == 1.0 and isinstance(grader.score("rnn_step_forward"), float)
    assert repr(grader.score("rnn_step_forward")) == "1.0"
    assert [r.passed for r in report] == [True, False] and isinstance(report, CheckReport)


def test_the_report_repr_is_never_a_bare_number(grader):
    report = grader.check("rnn_step_forward", {"rnn_step_forward": correct}, quiet=True)
    with pytest.raises(ValueError):
        float(repr(report))
    assert "2 of 2 points" in repr(report)


def test_rerunning_a_check_replaces_its_earlier_result(grader):
    grader.check("rnn_step_forward", {"rnn_step_forward": right_only_for_two_rows}, quiet=True)
    assert grader.score("rnn_step_forward") == 1.0
    grader.check("rnn_step_forward", {"rnn_step_forward": correct}, quiet=True)
    assert grader.score("rnn_step_forward") == 2.0
    grader.check("rnn_step_forward", {"rnn_step_forward": right_only_for_two_rows}, quiet=True)
    assert grader.score("rnn_step_forward") == 1.0


def test_hidden_checks_add_their_points_to_the_grade_id(grader):
    grader.check("rnn_step_forward", {"rnn_step_forward": correct}, quiet=True)
    grader.check("rnn_step_forward", {"rnn_step_forward": correct}, hidden=True, quiet=True)
    assert grader.score("rnn_step_forward") == 4.0
    grader.check("rnn_step_forward", {"rnn_step_forward": lambda **k: (np.zeros((4, 3)), None)},
                 hidden=True, quiet=True)
    assert grader.score("rnn_step_forward") == 2.0


def test_a_missing_target_prints_one_line_and_scores_zero(grader, capsys):
    report = grader.check("rnn_step_forward", {})
    assert capsys.readouterr().out == ("FAIL  rnn_step_forward (public cases): 0 / 2 points\n"
                                       "  rnn_step_forward is not defined: run the cell where you write it\n")
    assert grader.score("rnn_step_forward") == 0.0 and report.max_score == 2.0


def test_report_sums_the_checks_and_the_public_total(grader, capsys):
    grader.check("rnn_step_forward", {"rnn_step_forward": right_only_for_two_rows}, quiet=True)
    grader.check("hidden_size", {"H": " 4 "}, quiet=True)
    text = grader.report()
    assert "FAIL   rnn_step_forward (public): 1 / 2 points, 1 case failed" in text
    assert "PASS   hidden_size (public): 2 / 2 points" in text
    assert text.splitlines()[-1] == "Total over public points: 3 / 4"


def test_an_unknown_grade_id_is_a_clear_error(grader):
    with pytest.raises(KeyError, match="expected one of: rnn_step_forward, hidden_size"):
        grader.score("rnn_step")


def test_self_check_runs_every_public_case(grader):
    results = self_check(grader.assignment, {"rnn_step_forward": correct, "H": 5})
    assert [(r.grade_id, r.passed) for r in results] == [("rnn_step_forward", True), ("rnn_step_forward", True),
                                                         ("hidden_size", False)]
    assert all(not r.hidden for r in results)


def test_hidden_cases_need_the_reference_and_say_they_run_at_grading_time(grader, monkeypatch, capsys):
    import autograder.checks as checks

    def unavailable(*a, **k):
        raise checks.ReferenceUnavailable("hidden cases run at grading time")

    monkeypatch.setattr(checks, "compute_expected", unavailable)
    grader.check("rnn_step_forward", {"rnn_step_forward": correct}, hidden=True)
    assert capsys.readouterr().out.startswith("LATER  rnn_step_forward (hidden cases)\n  hidden cases run at grading time")
    assert grader.score("rnn_step_forward") == 0.0


@pytest.mark.slow
def test_in_a_real_kernel_the_test_cell_value_is_the_score_and_check_is_not_a_number():
    """nbgrader reads a test cell's execute_result text/plain as the partial-credit score."""
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    tests_dir = str(Path(__file__).resolve().parent)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {tests_dir!r})\n"
                                  "from checks_helpers import rnn_step_exercise, one_exercise_assignment\n"
                                  "from autograder.notebook import Grader\n"
                                  "grader = Grader(one_exercise_assignment(rnn_step_exercise(hidden_n=2)))"),
        nbformat.v4.new_code_cell("import numpy as np\n"
                                  "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
                                  "    out = np.tanh(x @ Wx + prev_h @ Wh + b)\n"
                                  "    return (out if x.shape[0] == 2 else out + 1), None"),
        nbformat.v4.new_code_cell('grader.check("rnn_step_forward", globals())\ngrader.score("rnn_step_forward")'),
        nbformat.v4.new_code_cell('grader.check("rnn_step_forward", globals())'),
    ]
    NotebookClient(nb, timeout=300, startup_timeout=300, kernel_name="python3").execute()
    test_cell, check_only = nb.cells[2], nb.cells[3]
    stdout = "".join(o.get("text", "") for o in test_cell.outputs if o.output_type == "stream")
    assert stdout == "", "check() displays its feedback, it does not print it"
    (shown,) = [o for o in test_cell.outputs if o.output_type == "display_data"]
    assert shown.data["text/plain"].startswith("FAIL  rnn_step_forward (public cases): 1 / 2 points")
    assert "<details" in shown.data["text/html"] and ">FAIL</span>" in shown.data["text/html"]
    (value,) = [o for o in test_cell.outputs if o.output_type == "execute_result"]
    assert float(value.data["text/plain"]) == 1.0
    assert "1 / 2 points here; 2 more points in hidden cases at grading" in value.data["text/html"]
    (value,) = [o for o in check_only.outputs if o.output_type == "execute_result"]
    with pytest.raises(ValueError):
        float(value.data["text/plain"])
