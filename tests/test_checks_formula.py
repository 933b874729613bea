"""Are parameter-count formulas compared by sympy, with a counterexample and a HINT?

Expected values are counted by hand in the docstrings: an LSTM (4 gate blocks) with
d inputs and h hidden units has 4 (d h + h h + h) = 4h(d + h + 1) parameters.
"""
import re
import sys
import types

import numpy as np
import pytest
import sympy as sp

from autograder import checks, formula
from autograder.answers import AnswerError
from autograder.spec import Case, Exercise
from checks_helpers import hint_text, one_exercise_assignment

LSTM = Exercise(grade_id="lstm_params", target="lstm_params", kind="formula",
                reference="solutions.params:param_count_formula",
                public=(Case("LSTM, one bias per block", {"cell": "lstm"}),),
                variants=("formula_bias_missing", "one_gate_block", "two_biases"))


def _grade(answer, ex=LSTM):
    return checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, {ex.target: answer})[0]


d, h = sp.symbols("d h")


@pytest.mark.parametrize("answer", [
    4 * h * (d + h + 1),
    4 * d * h + 4 * h ** 2 + 4 * h,
    sp.Symbol("h", positive=True, integer=True) * 4 * (sp.Symbol("d", positive=True) + sp.Symbol("h") + 1),
    lambda d, h: 4 * (d * h + h * h + h),
    lambda D, H: 4 * sum(1 for _ in range(H)) * (D + H + 1),     # integer-only code is fine
])
def test_a_correct_formula_passes(answer):
    r = _grade(answer)
    assert r.passed and r.score == 1.0 and r.hint is None, r.message


def test_the_missing_bias_formula_fails_with_a_counterexample_checked_by_hand():
    """4h(d + h) at d=1, h=1 is 4*1*2 = 8; the right count 4*1*(1 + 1 + 1) = 12."""
    r = _grade(4 * h * (d + h))
    assert not r.passed and r.score == 0
    m = re.search(r"at d=(\d+), h=(\d+) yours gives (\d+), the expected value is (\d+)", r.message)
    assert m, r.message
    dd, hh, yours, want = map(int, m.groups())
    assert yours == 4 * hh * (dd + hh) and want == 4 * hh * (dd + hh + 1)
    assert (dd, hh, yours, want) == (1, 1, 8, 12)
    assert "4*h*(d + h)" in r.message
    assert r.hint == hint_text("formula_bias_missing")


def test_a_python_function_answer_gets_the_counterexample_too():
    """h(d + h + 1) at d=1, h=1 is 3; the LSTM has 12."""
    r = _grade(lambda d, h: h * (d + h + 1))
    assert "at d=1, h=1 yours gives 3, the expected value is 12" in r.message
    assert r.hint == hint_text("one_gate_block")


def test_a_python_function_that_raises_names_the_exercise_and_its_line():
    from dataclasses import replace

    ns = {}
    exec(compile("def lstm_params(d, h):\n    return 4 * h * (d + hh + 1)\n", "<cell 5>", "exec"), ns)
    ex = replace(LSTM, description="the LSTM's parameter count")
    r = _grade(ns["lstm_params"], ex)
    assert not r.passed
    assert r.message.startswith("lstm_params (the LSTM's parameter count) raised NameError"), r.message
    assert "in lstm_params, line 2" in r.message


def test_two_biases_where_one_was_asked_gets_its_hint():
    """4h(d + h + 2) at d=1, h=1 is 16."""
    r = _grade(4 * h * (d + h + 2))
    assert "yours gives 16" in r.message and r.hint == hint_text("two_biases")


def test_an_expression_in_other_symbols_is_refused():
    r = _grade(4 * sp.Symbol("n") * (d + 1))
    assert not r.passed and "expected an expression in d and h" in r.message and "n" in r.message


@pytest.mark.parametrize("answer, got", [("4*h*(d+h+1)", "str"), (17920, "int"), (None, "None")])
def test_strings_and_numbers_are_not_formulas(answer, got):
    """A string is never sympified (that would evaluate student text in the grader)."""
    r = _grade(answer)
    assert not r.passed and "sympy expression" in r.message and got in r.message


def test_the_plain_data_has_no_sympy_object_and_no_expression_text():
    data = formula.encode(4 * h * (d + h + 1), ("d", "h"), name="f")
    assert set(data) == {"formula.monomials", "formula.coefficients"}
    assert isinstance(data["formula.monomials"], np.ndarray) and data["formula.monomials"].dtype == np.float64
    assert sorted(data["formula.coefficients"].split()) == ["4", "4", "4"]
    assert "d" not in data["formula.coefficients"]


def test_malicious_coefficient_text_is_not_evaluated():
    data = {"formula.monomials": np.zeros((1, 2)), "formula.coefficients": "__import__('os').getcwd()"}
    with pytest.raises(ValueError):
        formula.decode_poly(data, ("d", "h"))


def test_huge_exponents_are_refused_before_sympy_sees_them():
    data = {"formula.monomials": np.array([[10.0 ** 9, 0.0]]), "formula.coefficients": "1"}
    with pytest.raises(ValueError, match="degree"):
        formula.decode_poly(data, ("d", "h"))


# -- other symbols: the derivative of tanh expressed through z = tanh -----------------

@pytest.fixture
def tanh_exercise(monkeypatch):
    z = sp.Symbol("z")
    refs = types.ModuleType("_checks_formula_refs")
    refs.dtanh_z = lambda: 1 - z ** 2            # d tanh(a)/da = 1 - tanh(a)^2 = 1 - z^2
    monkeypatch.setitem(sys.modules, "_checks_formula_refs", refs)
    return Exercise(grade_id="dtanh_z", target="dtanh_z", kind="formula", reference="_checks_formula_refs:dtanh_z",
                    symbols=("z",), public=(Case("tanh' through z"),))


def test_a_non_polynomial_but_equal_expression_passes_on_the_grid(tanh_exercise):
    """(1 - z^4) / (1 + z^2) = (1 - z^2)(1 + z^2) / (1 + z^2) = 1 - z^2, a rational function."""
    z = sp.Symbol("z")
    answer = (1 - z ** 4) / (1 + z ** 2)
    assert formula.encode(answer, ("z",), name="a").keys() == {"formula.grid"}
    r = _grade(answer, tanh_exercise)
    assert r.passed, r.message
    assert _grade(lambda z: 1 - z * z, tanh_exercise).passed


def test_a_wrong_derivative_is_shown_at_a_grid_point(tanh_exercise):
    """1 - z at z = -0.1 is 1.1; 1 - z^2 is 0.99."""
    r = _grade(lambda z: 1 - z, tanh_exercise)
    assert not r.passed and "at z=-0.1 yours gives 1.1, the expected value is 0.99" in r.message


def test_hidden_formula_cases_show_no_counterexample(tanh_exercise):
    data = formula.encode(1 - sp.Symbol("z"), ("z",), name="a")
    ref = formula.encode(1 - sp.Symbol("z") ** 2, ("z",), name="r")
    ok, msg = formula.compare(data, ref, ("z",), hidden=True)
    assert not ok and "yours gives" not in msg and not re.search(r"\d", msg)


def test_a_function_that_is_not_finite_on_the_grid_is_refused():
    with pytest.raises(AnswerError, match="expected finite numbers"):
        formula.encode(lambda d, h: float("inf"), ("d", "h"), name="f")
