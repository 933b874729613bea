"""Are answers that are not real numeric arrays rejected with a clear message, and 0 points?

Each student function below returns one bad thing; the message must say what was
expected and what was got.
"""
import dataclasses

import numpy as np
import pytest

from autograder import checks
from autograder.answers import AnswerError, to_array
from autograder.spec import Case, Exercise
from checks_helpers import CS231N_CELL, one_exercise_assignment, rnn_step_exercise


def _grade(fn, exercise=None):
    ex = exercise or rnn_step_exercise(public=(Case("N=2, D=3, H=4", _inputs()),))
    return checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, {ex.target: fn})


def _inputs():
    rng = np.random.default_rng(0)
    return dict(x=rng.standard_normal((2, 3)), prev_h=rng.standard_normal((2, 4)),
                Wx=rng.standard_normal((3, 4)), Wh=rng.standard_normal((4, 4)), b=rng.standard_normal(4))


def _torch_like_correct(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh + b), None


class Spy:
    """Records any call to the dunder methods a careless grader would use."""
    calls = []

    def __eq__(self, other):
        Spy.calls.append("__eq__")
        return True

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        Spy.calls.append("__array__")
        return np.zeros((2, 4))

    def __float__(self):
        Spy.calls.append("__float__")
        return 0.0

    def __len__(self):
        Spy.calls.append("__len__")
        return 2


class SubArray(np.ndarray):
    pass


class SubFloat(float):
    pass


def _nan(*a, **k):
    out = np.zeros((2, 4))
    out[0, 2] = np.nan
    return out, None


def _inf(*a, **k):
    out = np.zeros((2, 4))
    out[1, 1] = -np.inf
    return out, None


BAD = {
    "nan": (_nan, ["NaN", "finite", "(0, 2)"]),
    "inf": (_inf, ["inf", "finite", "(1, 1)"]),
    "ragged list": (lambda **k: ([[1.0, 2.0], [3.0]], None), ["shape (2, 4)", "got list"]),
    "list shaped like the answer": (lambda **k: (np.zeros((2, 4)).tolist(), None),
                                    ["expected a numpy array of shape (2, 4), got list"]),
    "object array": (lambda **k: (np.zeros((2, 4)).astype(object), None), ["shape (2, 4)", "dtype object"]),
    "custom __eq__": (lambda **k: (Spy(), None), ["shape (2, 4)", "got Spy"]),
    "ndarray subclass": (lambda **k: (np.zeros((2, 4)).view(SubArray), None), ["SubArray", "subclass"]),
    "complex": (lambda **k: (np.zeros((2, 4), dtype=complex), None), ["complex128"]),
    "bool array": (lambda **k: (np.zeros((2, 4), dtype=bool), None), ["bool"]),
    "None": (lambda **k: (None, None), ["shape (2, 4)", "got None"]),
    "string": (lambda **k: ("0.5", None), ["got str"]),
}


@pytest.mark.parametrize("what", list(BAD))
def test_bad_answers_score_zero_and_say_what_was_expected_and_got(what):
    fn, words = BAD[what]
    Spy.calls.clear()
    (r,) = _grade(fn)
    assert not r.passed and r.score == 0.0 and r.max_score == 1.0
    for w in words:
        assert w in r.message, (w, r.message)
    assert Spy.calls == []                            # no __eq__/__array__/__float__/__len__ used


def test_custom_array_protocol_objects_are_refused_without_calling_array():
    class FakeArray:
        def __array__(self, dtype=None, copy=None):
            raise AssertionError("__array__ must not be called")

    with pytest.raises(AnswerError, match="expected a numpy array of shape \\(2, 4\\), got FakeArray"):
        to_array(FakeArray(), what="next_h", shape=(2, 4))


def test_float_subclass_and_bool_are_not_numbers():
    with pytest.raises(AnswerError, match="subclass of float"):
        to_array(SubFloat(1.0), what="v", shape=())
    with pytest.raises(AnswerError, match="got bool"):
        to_array(True, what="v", shape=())


def test_plain_numbers_and_numpy_scalars_are_accepted_as_float64():
    for v in (3, 2.5, np.float32(2.5), np.int64(3)):
        arr, _ = to_array(v, what="v")
        assert arr.dtype == np.float64 and arr.shape == ()


def test_a_correct_float32_answer_passes_and_a_wrong_one_mentions_float32():
    (r,) = _grade(lambda **k: (_torch_like_correct(**k)[0].astype(np.float32), None))
    assert r.passed, r.message
    (r,) = _grade(lambda **k: ((_torch_like_correct(**k)[0] + 0.1).astype(np.float32), None))
    assert not r.passed and "float32" in r.message


def test_float16_is_upcast_and_then_fails_the_float64_tolerance_with_its_dtype_named():
    """float16 keeps ~3 significant digits: far outside rtol=1e-6."""
    (r,) = _grade(lambda **k: (_torch_like_correct(**k)[0].astype(np.float16), None))
    assert not r.passed and "float16" in r.message


def test_an_exception_in_the_students_function_becomes_the_message():
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        a = x @ Wx
        raise ValueError("my own error message")  # the line the message must show

    (r,) = _grade(rnn_step_forward)
    assert not r.passed and r.score == 0
    assert "rnn_step_forward raised ValueError: my own error message" in r.message
    assert 'raise ValueError("my own error message")' in r.message
    assert "in rnn_step_forward, line" in r.message


def test_numpy_errors_point_at_the_students_line_not_inside_numpy():
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        return np.dot(x, Wh), None  # shapes (2, 3) and (4, 4) do not align

    (r,) = _grade(rnn_step_forward)
    assert "raised ValueError" in r.message and "np.dot(x, Wh)" in r.message


def test_hidden_cases_leave_the_exception_text_out():
    ex = rnn_step_exercise(hidden_n=1, public=())

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        raise ValueError(f"secret {x[0, 0]}")

    (r,) = checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, {"rnn_step_forward": rnn_step_forward},
                                 hidden=True)
    shown = f"secret {ex.hidden.cases()[0].inputs['x'][0, 0]}"
    assert r.hidden and not r.passed and "ValueError" in r.message
    assert shown not in r.message and str(ex.hidden.cases()[0].inputs['x'][0, 0])[:6] not in r.message


def test_missing_outputs_in_a_tuple_are_named():
    ex = Exercise(grade_id="lstm_step_forward", target="lstm_step_forward", kind="function",
                  reference="solutions.lstm:lstm_step_forward", outputs=("next_h", "next_c"),
                  public=(Case("c", dict(x=np.ones((1, 2)), prev_h=np.ones((1, 1)), prev_c=np.ones((1, 1)),
                                         Wx=np.ones((2, 4)), Wh=np.ones((1, 4)), b=np.ones(4))),))
    (r,) = _grade(lambda **k: (np.ones((1, 1)),), ex)
    assert "(next_h, next_c, ...)" in r.message and "tuple of 1" in r.message


def test_a_monkeypatched_numpy_does_not_fool_the_nan_check(monkeypatch):
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        monkeypatch.setattr(np, "isnan", lambda a: np.zeros(np.shape(a), dtype=bool))
        monkeypatch.setattr(np, "isfinite", lambda a: np.ones(np.shape(a), dtype=bool))
        monkeypatch.setattr(np, "asarray", lambda a, *args, **kw: np.zeros((2, 4)))
        out = np.zeros((2, 4))
        out[0, 0] = np.nan
        return out, None

    (r,) = _grade(rnn_step_forward)
    assert not r.passed and "NaN" in r.message


def test_the_student_cannot_change_the_case_inputs():
    ex = rnn_step_exercise(public=(Case("N=2, D=3, H=4", _inputs()),))
    before = {k: v.copy() for k, v in ex.public[0].inputs.items()}

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        Wx[...] = 0.0
        return np.tanh(x @ Wx + prev_h @ Wh + b), None

    checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, {"rnn_step_forward": rnn_step_forward})
    for k, v in before.items():
        np.testing.assert_array_equal(ex.public[0].inputs[k], v)


def test_evaluate_still_rejects_when_the_student_rebinds_builtins(monkeypatch):
    """evaluate runs next to student code; it uses references bound at import time.
    (score runs in the grader's own process, so it is called after the builtins are back.)"""
    import builtins

    ex = rnn_step_exercise(public=(Case("N=2, D=3, H=4", _inputs()),))

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        monkeypatch.setattr(builtins, "isinstance", lambda *a: True)
        monkeypatch.setattr(builtins, "len", lambda *a: 0)
        monkeypatch.setattr(builtins, "callable", lambda *a: True)
        return [[0.0] * 4] * 2, None

    with pytest.raises(AnswerError) as err:
        checks.evaluate(ex, ex.public[0], {"rnn_step_forward": rnn_step_forward})
    monkeypatch.undo()
    assert "expected a numpy array, got list" in str(err.value)


# -- what a student reads when their code raises: the exercise, the function, the line -----

def _compiled_like_ipython(source: str, number: int) -> dict:
    """The names a notebook cell defines, compiled the way IPython's kernel does it (its
    CachingCompiler registers the cell's lines in linecache under a file name of its own)."""
    from IPython.core.compilerop import CachingCompiler

    compiler = CachingCompiler()
    ns = {"np": np}
    exec(compiler(source, compiler.cache(source, number), "exec"), ns)
    return ns


def _backward_exercise():
    inputs = dict(_inputs(), dnext_h=np.random.default_rng(1).standard_normal((2, 4)))
    return Exercise(grade_id="rnn_step_backward", target="rnn_step_backward", kind="gradient",
                    reference="solutions.rnn:rnn_step_backward", forward="rnn_step_forward",
                    outputs=("dx", "dprev_h", "dWx", "dWh", "db"), public=(Case("N=2, D=3, H=4", inputs),),
                    description="the backward pass of one RNN step")


def test_a_cache_of_6_items_unpacked_into_5_names_shows_the_line_the_count_and_the_names():
    """A CS231n forward keeps b in its cache; the backward's line expects the course's 5 items."""
    ex = _backward_exercise()
    ns = _compiled_like_ipython(CS231N_CELL, 7)
    (r,) = checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, ns)
    assert not r.passed
    assert "in rnn_step_backward, line 9" in r.message
    assert "    x, prev_h, Wx, Wh, next_h = cache\n" in r.message
    assert "your cache has 6 items" in r.message
    assert "expects 5: (x, prev_h, Wx, Wh, next_h)" in r.message
    assert "rnn_step_backward (the backward pass of one RNN step) raised ValueError" in r.message
    assert max(len(line) for line in r.message.splitlines()) <= 100


def test_unpacking_what_a_call_returned_into_too_few_names_is_explained():
    source = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h, cache = helper(x, prev_h, Wx, Wh, b)
    return next_h, cache


def helper(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, x, prev_h
'''
    (r,) = _grade(_compiled_like_ipython(source, 3)["rnn_step_forward"])
    assert "    next_h, cache = helper(x, prev_h, Wx, Wh, b)" in r.message
    assert "what helper(...) returned: it has more than 2 items" in r.message
    assert "expects 2: (next_h, cache)" in r.message


def test_an_exception_in_a_helper_names_the_exercise_the_helper_and_its_line():
    source = '''
def affine(x, W, b):
    return x @ W + b


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return np.tanh(affine(x, Wx, b) + affine(prev_h, Wx, 0.0)), None
'''
    ex = dataclasses.replace(rnn_step_exercise(public=(Case("N=2, D=3, H=4", _inputs()),)),
                             description="one step of the tanh RNN")
    (r,) = _grade(_compiled_like_ipython(source, 4)["rnn_step_forward"], ex)
    first, *rest = r.message.splitlines()
    assert first.startswith("rnn_step_forward (one step of the tanh RNN) raised ValueError")
    at = rest.index("  in affine, line 3:")          # after numpy's message, however it is worded
    assert rest[at + 1] == "    return x @ W + b"


def test_the_released_placeholder_says_which_function_is_not_implemented_yet():
    source = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    # YOUR CODE HERE
    raise NotImplementedError()
'''
    ns = _compiled_like_ipython(source, 5)
    ex = _backward_exercise()
    ns["rnn_step_backward"] = lambda dnext_h, cache: cache
    (r,) = checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, ns)
    assert r.message.splitlines()[0].startswith("rnn_step_forward is not implemented yet")
    assert "    raise NotImplementedError()" in r.message
    assert "(while checking rnn_step_backward (the backward pass of one RNN step))" in r.message


def test_no_line_of_a_message_is_wider_than_100_characters():
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        raise ValueError("a long explanation " * 20)

    (r,) = _grade(rnn_step_forward)
    assert max(len(line) for line in r.message.splitlines()) <= 100
    assert "a long explanation" in r.message


def test_unpacking_a_cache_that_is_none_says_so():
    source = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh + b), None


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    return x, prev_h, Wx, Wh, next_h
'''
    ex = _backward_exercise()
    (r,) = checks.grade_exercise(one_exercise_assignment(ex), ex.grade_id, _compiled_like_ipython(source, 6))
    assert "the cache your rnn_step_forward returned, but it is None, not a tuple" in r.message
    assert "expects 5: (x, prev_h, Wx, Wh, next_h)" in r.message


def test_a_given_line_that_reads_a_name_the_student_did_not_define_says_which():
    """a1's given line ``cache = (x, prev_h, Wx, Wh, next_h)`` after a solution that says h."""
    source = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return h, cache
'''
    (r,) = _grade(_compiled_like_ipython(source, 8)["rnn_step_forward"])
    assert "  in rnn_step_forward, line 4:\n    cache = (x, prev_h, Wx, Wh, next_h)\n" in r.message
    assert "This line uses next_h, which is not defined when it runs" in r.message


def test_warnings_of_a_students_call_stay_off_stderr(capfd):
    """nbgrader zeroes a test cell that wrote anything to stderr (nbgrader.utils.determine_grade),
    so numpy's overflow warning from a student's exp must not escape the call, where Python
    would print it to stderr; the call's value is unchanged (exp(1000) is inf), and the same
    overflow outside the call is still warned of."""
    import warnings

    from autograder.answers import call_student

    def overflowing(z):
        return np.exp(z)

    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        out = call_student(overflowing, {"z": np.array([1000.0, 0.0])}, name="overflowing")
        assert np.isinf(out[0]) and out[1] == 1.0
        assert escaped == []
        overflowing(np.array([1000.0]))
        assert [str(w.message) for w in escaped] == ["overflow encountered in exp"]
    assert capfd.readouterr().err == ""
