"""Choice, value and metric exercises, and the per-exercise time limit."""
import sys
import dataclasses
import time
import types

import numpy as np
import pytest

from autograder import checks
from autograder.spec import Case, Exercise, HiddenCases
from checks_helpers import one_exercise_assignment, rnn_step_exercise


@pytest.fixture
def refs(monkeypatch):
    mod = types.ModuleType("_kinds_refs")
    mod.letter = lambda: "b"
    mod.learning_rate = 0.01
    mod.yes_answers = ("yes", "True")
    mod.table = lambda: np.array([[1.0, 2.0], [3.0, 4.0]])

    def mse_score(outputs, inputs):
        """Mean squared error of w on (X, y): lower is better."""
        w = outputs["w"]
        return float(np.mean((inputs["X"] @ w - inputs["y"]) ** 2))

    mod.mse_score = mse_score
    monkeypatch.setitem(sys.modules, "_kinds_refs", mod)
    return mod


def _grade(ex, ns, hidden=False):
    return checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, ns, hidden=hidden)


def _choice(ref, **kw):
    return Exercise(grade_id="q", target="answer", kind="choice", reference=f"_kinds_refs:{ref}",
                    public=(Case("question"),), **kw)


@pytest.mark.parametrize("answer", ["b", "B", " (b) ", "b.", "'b'"])
def test_choice_answers_are_normalised_for_case_spacing_and_brackets(refs, answer):
    (r,) = _grade(_choice("letter"), {"answer": answer})
    assert r.passed, r.message


def test_a_wrong_choice_does_not_reveal_the_expected_answer(refs):
    (r,) = _grade(_choice("letter"), {"answer": "c"})
    assert not r.passed and "'c'" in r.message and "'b'" not in r.message


def test_numeric_short_answers_use_the_tolerance(refs):
    ex = _choice("learning_rate", rtol=1e-2)
    assert _grade(ex, {"answer": 0.01005})[0].passed
    assert _grade(ex, {"answer": "0.01"})[0].passed
    assert not _grade(ex, {"answer": 0.02})[0].passed
    assert "expected a number" in _grade(ex, {"answer": "small"})[0].message


def test_several_accepted_answers_and_booleans(refs):
    ex = _choice("yes_answers")
    assert _grade(ex, {"answer": True})[0].passed and _grade(ex, {"answer": "YES"})[0].passed
    assert not _grade(ex, {"answer": "no"})[0].passed


def test_a_question_still_answered_none_says_what_to_set_it_to(refs):
    """The released notebook's given line is ``answer_highway = None``."""
    ex = dataclasses.replace(_choice("letter"), target="answer_highway")
    (r,) = _grade(ex, {"answer_highway": None})
    assert not r.passed and r.message == 'answer_highway is still None: set it to "a", "b" or "c"'
    (r,) = _grade(_choice("learning_rate"), {"answer": None})
    assert not r.passed and r.message == "answer is still None: set it to a number"
    (r,) = _grade(_choice("yes_answers"), {"answer": None}, hidden=False)
    assert "yes" not in r.message.lower()


def test_a_list_is_not_a_short_answer(refs):
    (r,) = _grade(_choice("letter"), {"answer": ["b"]})
    assert not r.passed and "got list" in r.message


def test_value_exercises_compare_the_variable_and_name_it(refs):
    ex = Exercise(grade_id="table", target="table", kind="value", reference="_kinds_refs:table",
                  outputs=("table",), public=(Case("the table"),))
    assert _grade(ex, {"table": np.array([[1.0, 2.0], [3.0, 4.0]])})[0].passed
    (r,) = _grade(ex, {"table": [[1.0, 2.0], [3.0, 4.0]]})
    assert r.message == "table: expected a numpy array of shape (2, 2), got list"


def _regression(rng):
    X = rng.standard_normal((20, 3))
    return dict(X=X, y=X @ np.array([1.0, -2.0, 0.5]))


def _metric_exercise():
    return Exercise(grade_id="fit", target="fit", kind="metric", reference="_kinds_refs:mse_score",
                    outputs=("w",), public=(Case("20 points", _regression(np.random.default_rng(0))),),
                    hidden=HiddenCases(n=1, seed=1, make_inputs=_regression),
                    threshold=1e-3, higher_is_better=False, timeout=30)


def test_a_metric_passes_when_it_reaches_the_threshold(refs):
    fit = lambda X, y: np.linalg.lstsq(X, y, rcond=None)[0]       # exact fit: mse ~ 1e-30
    assert all(r.passed for r in _grade(_metric_exercise(), {"fit": fit}))
    assert all(r.passed for r in _grade(_metric_exercise(), {"fit": fit}, hidden=True))


def test_a_metric_below_the_threshold_fails_and_hidden_cases_hide_the_value(refs):
    """w = 0 gives mse = mean(y^2), far above 1e-3."""
    fit = lambda X, y: np.zeros(3)
    (r,) = _grade(_metric_exercise(), {"fit": fit})
    want = np.mean(_metric_exercise().public[0].inputs["y"] ** 2)
    assert not r.passed and f"{want:.4g}" in r.message and "<= 0.001" in r.message
    (r,) = _grade(_metric_exercise(), {"fit": fit}, hidden=True)
    assert not r.passed and "did not reach" in r.message and not any(ch.isdigit() for ch in
                                                                    r.message.replace("0.001", ""))


def test_a_metric_result_the_scorer_cannot_use_scores_zero(refs):
    (r,) = _grade(_metric_exercise(), {"fit": lambda X, y: np.zeros(7)})
    assert not r.passed and "could not be scored" in r.message


def test_a_metric_whose_scorer_is_not_installed_is_unscored_not_failed():
    """A student's environment has no solutions: the run is done, the metric waits (⏳, no points)."""
    ex = dataclasses.replace(_metric_exercise(), reference="no_such_module_here:mse_score")
    fit = lambda X, y: np.linalg.lstsq(X, y, rcond=None)[0]
    (r,) = _grade(ex, {"fit": fit})
    assert r.unscored and not r.passed and r.score == 0 and r.max_score == 1.0
    assert "when your instructor grades" in r.message and r.line().startswith("LATER")
    (r,) = _grade(ex, {"fit": lambda X, y: 1 / 0})           # a run that fails still fails here
    assert not r.unscored and not r.passed and "ZeroDivisionError" in r.message


def test_an_endless_loop_is_stopped_at_the_exercise_timeout():
    ex = rnn_step_exercise(timeout=0.5)

    def rnn_step_forward(**kw):
        while True:
            try:
                time.sleep(10)
            except Exception:                         # a student's catch-all does not swallow the limit
                pass

    t0 = time.monotonic()
    results = _grade(ex, {"rnn_step_forward": rnn_step_forward})
    assert time.monotonic() - t0 < 5
    assert [r.passed for r in results] == [False, False]
    assert all("longer than 0.5 s" in r.message for r in results)


def test_the_default_timeout_applies_without_one_in_the_spec():
    assert checks.exercise_timeout(rnn_step_exercise()) == checks.DEFAULT_TIMEOUT
    assert checks.exercise_timeout(rnn_step_exercise(timeout=120)) == 120.0


def test_a_new_kind_is_one_class(monkeypatch):
    """An exercise kind no spec uses yet: an even integer. One class with the three steps,
    registered under its name, and the engine grades it: expected from the reference, the
    answer evaluated, scored, with a wrong answer failing and a missing one named."""
    from autograder import kinds
    from autograder.kinds.base import Kind, lookup, result

    class EvenKind(Kind):
        name = "even"

        def evaluate(self, exercise, case, namespace, *, shapes=None):
            return {"value": float(lookup(namespace, exercise.target))}

        def expected(self, exercise, case):
            return {}

        def score(self, exercise, case, evaluated, expected, variants):
            ok = evaluated["value"] % 2 == 0
            return result(exercise, case, ok, "" if ok else f"{evaluated['value']:g} is odd")

    monkeypatch.setitem(kinds.KINDS, "even", EvenKind())
    ex = Exercise(grade_id="even", target="n", kind="even", reference="unused:unused",
                  public=(Case("n is even", points=2.0),))
    assignment = one_exercise_assignment(ex)
    (r,) = checks.grade_exercise(assignment, "even", {"n": 4})
    assert r.passed and r.score == 2.0
    (r,) = checks.grade_exercise(assignment, "even", {"n": 3})
    assert not r.passed and r.message == "3 is odd"
    (r,) = checks.grade_exercise(assignment, "even", {})
    assert not r.passed and "n is not defined" in r.message


def test_an_unknown_kind_is_refused_with_the_known_ones():
    ex = Exercise(grade_id="x", target="x", kind="nonsense", reference="unused:unused", public=(Case("c"),))
    with pytest.raises(ValueError, match="unknown kind 'nonsense'; expected one of function, value, gradient"):
        checks.evaluate(ex, ex.public[0], {"x": 1})
