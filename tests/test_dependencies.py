"""Root causes and error carried forward (autograder.dependencies).

The student code here is written in the tests, the way students write it: a correct
LSTM, and the same LSTM whose only mistake is CS231n's gate packing (i, f, o, g) in
lstm_gates; a correct RNN, and one whose step uses sigmoid. What each exercise is worth
comes from the spec, and a correct student's points are the yardstick: error carried
forward must give the dependent exercises exactly those points, and nothing for the
function that is actually wrong.
"""
from __future__ import annotations

import importlib.abc
import sys
import textwrap

import nbformat
import numpy as np
import pytest

from autograder import dependencies, spec
from autograder.checks import grade_exercise
from autograder.grade import IsolatedGrader
from autograder.notebook import Grader, self_check

LSTM = textwrap.dedent('''
    import numpy as np

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def lstm_gates(x, prev_h, Wx, Wh, b):
        H = prev_h.shape[1]
        a = x @ Wx + prev_h @ Wh + b
        return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])

    def lstm_state_update(prev_c, f, i, g, o):
        c = f * prev_c + i * g
        return c, o * np.tanh(c)

    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        i, f, g, o = lstm_gates(x, prev_h, Wx, Wh, b)
        next_c, next_h = lstm_state_update(prev_c, f, i, g, o)
        return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c)

    def lstm_forward(x, h0, Wx, Wh, b):
        h, c, hs = h0, np.zeros_like(h0), []
        for t in range(x.shape[1]):
            h, c, _ = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
            hs.append(h)
        return np.stack(hs, axis=1), None

    def lstm_step_backward(dnext_h, dnext_c, cache):
        x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c = cache
        tc = np.tanh(next_c)
        dc = dnext_c + dnext_h * o * (1 - tc ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dc * i * (1 - g ** 2),
                             dnext_h * tc * o * (1 - o)], axis=1)
        return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)
''')

# CS231n packs the blocks i, f, o, g: the candidate g is read from the last block
LSTM_CS231N_GATES = LSTM.replace(
    "return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])",
    "return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 3*H:]), sigmoid(a[:, 2*H:3*H])")

RNN = textwrap.dedent('''
    import numpy as np

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
        return next_h, (x, prev_h, Wx, Wh, next_h)

    def rnn_forward(x, h0, Wx, Wh, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h, _ = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
            hs.append(h)
        return np.stack(hs, axis=1), None
''')
# sigmoid where tanh belongs, in the step only
RNN_SIGMOID_STEP = RNN.replace("next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
                               "next_h = 1 / (1 + np.exp(-(x @ Wx + prev_h @ Wh + b)))")
# the same sequence function written without calling the step: a mistake of its own (states shifted)
RNN_OWN_SEQUENCE_MISTAKE = RNN_SIGMOID_STEP.replace("hs.append(h)", "hs.insert(0, h0) if t == 0 else hs.append(h)")

LSTM_CHAIN = ("lstm_step_forward", "lstm_forward", "lstm_step_backward")


def namespace(source: str) -> dict:
    ns = {"__name__": "__main__"}
    exec(compile(source, "<cell 1>", "exec"), ns)
    return ns


def points(assignment, source: str, gids, *, hidden: bool) -> dict:
    """Grade id -> (points, results) over public and (when ``hidden``) hidden cases, graded in
    the notebook's order the way the test cells do."""
    grader, ns = Grader(assignment), namespace(source)
    for ex in assignment.exercises:
        grader.check(ex.grade_id, ns, quiet=True)
        if hidden:
            grader.check(ex.grade_id, ns, hidden=True, quiet=True)
    return {g: (grader.score(g), grader.results(g)) for g in gids}


class _NoSolutions(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "solutions":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None


@pytest.fixture
def student_machine(monkeypatch):
    """The student's machine: the reference cannot be imported."""
    for name in [m for m in sys.modules if m.split(".")[0] == "solutions"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoSolutions(), *sys.meta_path])


def test_the_student_code_of_these_tests_is_what_it_claims():
    a3 = spec.load("a3_lstm")
    right = points(a3, LSTM, ("lstm_gates", *LSTM_CHAIN), hidden=True)
    assert all(right[g][0] == a3.exercise(g).max_points for g in right)
    wrong = points(a3, LSTM_CS231N_GATES, ("lstm_gates",), hidden=True)
    assert wrong["lstm_gates"][0] == 0


def test_a_wrong_lstm_gates_costs_its_own_points_only_at_grading():
    """With the reference at hand (nbgrader's kernel), lstm_step_forward, lstm_forward and
    lstm_step_backward earn every point a correct student earns, each case marked carried
    and naming lstm_gates as the cause with the gate-order HINT; lstm_gates earns 0."""
    a3 = spec.load("a3_lstm")
    got = points(a3, LSTM_CS231N_GATES, ("lstm_gates", *LSTM_CHAIN), hidden=True)
    assert got["lstm_gates"][0] == 0
    for gid in LSTM_CHAIN:
        score, results = got[gid]
        assert score == a3.exercise(gid).max_points, gid
        assert all(r.carried and r.passed for r in results), gid
        for r in results:
            assert "your lstm_gates" in r.cause and "carried forward" in r.cause
            assert "i, f, o, g" in r.cause             # the gates' own HINT travels with the cause
            assert "lstm_step_forward, which" not in r.cause   # itself carried: not named a root cause


def test_a_correct_student_has_nothing_carried():
    a3 = spec.load("a3_lstm")
    for gid, (_, results) in points(a3, LSTM, LSTM_CHAIN, hidden=True).items():
        assert not any(r.carried or r.cause for r in results), gid


def test_a_wrong_step_and_a_correct_sequence_function_at_grading():
    """a1: the step uses sigmoid; rnn_forward loops over the student's step correctly. At
    grading rnn_forward gets its points, carried, with the step's HINT; the step gets 0."""
    a1 = spec.load("a1_rnn")
    got = points(a1, RNN_SIGMOID_STEP, ("rnn_step_forward", "rnn_forward"), hidden=True)
    assert got["rnn_step_forward"][0] == 0
    step_hints = {r.hint for r in got["rnn_step_forward"][1] if r.hint}
    assert step_hints, "the sigmoid step should have a HINT of its own"
    score, results = got["rnn_forward"]
    assert score == a1.exercise("rnn_forward").max_points
    assert all(r.carried for r in results)
    assert all("your rnn_step_forward" in r.cause and any(h in r.cause for h in step_hints) for r in results)


def test_a_sequence_function_wrong_in_its_own_code_gets_nothing_carried():
    a1 = spec.load("a1_rnn")
    score, results = points(a1, RNN_OWN_SEQUENCE_MISTAKE, ("rnn_forward",), hidden=True)["rnn_forward"]
    assert score == 0
    assert all(not r.passed and "the mistake is in rnn_forward itself" in r.cause for r in results)


def test_the_self_check_names_the_step_and_carries_nothing(student_machine):
    """Without the reference no stand-in can be lent: no points come by carrying, but the
    feedback names the failing function the student's code called."""
    a1 = spec.load("a1_rnn")
    results = [r for r in self_check(a1, namespace(RNN_SIGMOID_STEP)) if r.grade_id == "rnn_forward"]
    assert results and not any(r.passed or r.carried for r in results)
    assert all("calls your rnn_step_forward" in r.cause and "fix rnn_step_forward first" in r.cause
               for r in results)


def test_the_self_check_does_not_blame_a_function_that_was_not_called(student_machine):
    a1 = spec.load("a1_rnn")
    source = RNN_SIGMOID_STEP + textwrap.dedent('''
        def rnn_forward(x, h0, Wx, Wh, b):          # its own loop, and its own mistake
            h, hs = h0, []
            for t in range(x.shape[1]):
                h = np.tanh(x[:, t] @ Wx + h @ Wh)
                hs.append(h)
            return np.stack(hs, axis=1), None
    ''')
    results = [r for r in self_check(a1, namespace(source)) if r.grade_id == "rnn_forward"]
    assert results and not any(r.passed for r in results)
    assert not any(r.cause for r in results)


def test_code_that_never_calls_the_failing_function_is_not_told_about_it():
    """rnn_forward written with its own loop (and its own mistake: no bias) next to a sigmoid
    step: graded with a correct step it is still wrong, and since it never called the step
    the feedback says nothing about the step."""
    a1 = spec.load("a1_rnn")
    source = RNN_SIGMOID_STEP + textwrap.dedent('''
        def rnn_forward(x, h0, Wx, Wh, b):
            h, hs = h0, []
            for t in range(x.shape[1]):
                h = np.tanh(x[:, t] @ Wx + h @ Wh)
                hs.append(h)
            return np.stack(hs, axis=1), None
    ''')
    score, results = points(a1, source, ("rnn_forward",), hidden=True)["rnn_forward"]
    assert score == 0 and results
    assert not any(r.cause for r in results)


def test_a_lent_function_binds_arguments_like_the_students_own():
    a3 = spec.load("a3_lstm")
    dep = a3.exercise("lstm_gates")
    seen = {}

    def call(gid, arrays):
        seen.update(gid=gid, names=tuple(arrays))
        return dependencies.reference_outputs(dep, arrays)

    stand_in = dependencies.lend(dep, call)
    inputs = dict(a3.exercise("lstm_gates").public[0].inputs)
    by_position = stand_in(*inputs.values())
    by_keyword = stand_in(**{k: inputs[k] for k in reversed(list(inputs))})
    assert seen == {"gid": "lstm_gates", "names": tuple(inputs)}
    for a, b in zip(by_position, by_keyword):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match=r"lstm_gates\(x, prev_h, Wx, Wh, b\) is missing b"):
        stand_in(*list(inputs.values())[:4])
    with pytest.raises(TypeError, match="unexpected argument 'W'"):
        stand_in(*inputs.values(), W=1)


def test_a_lent_step_returns_its_outputs_and_no_reference_cache():
    a3 = spec.load("a3_lstm")
    dep = a3.exercise("lstm_step_forward")
    stand_in = dependencies.lend(dep, lambda gid, arrays: dependencies.reference_outputs(dep, arrays))
    next_h, next_c, cache = stand_in(**dep.public[0].inputs)
    assert cache is None
    ref = namespace(LSTM)["lstm_step_forward"](**dep.public[0].inputs)
    np.testing.assert_allclose(next_h, ref[0], rtol=1e-12)
    np.testing.assert_allclose(next_c, ref[1], rtol=1e-12)


def test_uses_must_name_earlier_functions():
    a3 = spec.load("a3_lstm", stored_inputs=False)
    ex = list(a3.exercises)
    from dataclasses import replace
    with pytest.raises(ValueError, match="not an earlier exercise"):
        spec.Assignment("x", "x", (replace(ex[0], uses=("lstm_forward",)), *ex[1:]))
    quick = next(e for e in ex if e.kind == "choice")
    with pytest.raises(ValueError, match="a choice exercise"):
        spec.Assignment("x", "x", (quick, replace(ex[0], uses=(quick.grade_id,))))


A2_STEP_BACKWARD_WITHOUT_TANH = RNN.replace("return np.stack(hs, axis=1), None", "return np.stack(hs, axis=1), caches")\
    .replace("h, hs = h0, []", "h, hs, caches = h0, [], []")\
    .replace("h, _ = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)",
             "h, c = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)\n        caches.append(c)") + textwrap.dedent('''

    def rnn_step_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        da = dnext_h                                   # tanh' left out
        return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)

    def rnn_backward(dh, cache):
        N, T, H = dh.shape
        dx = np.zeros((N, T, cache[0][0].shape[1]))
        dprev = np.zeros((N, H))
        dWx, dWh, db = np.zeros_like(cache[0][2]), np.zeros_like(cache[0][3]), np.zeros(H)
        for t in reversed(range(T)):
            dxt, dprev, dwx, dwh, dbt = rnn_step_backward(dh[:, t] + dprev, cache[t])
            dx[:, t] = dxt
            dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
        return dx, dprev, dWx, dWh, db
''')


def test_a_failing_backward_is_named_not_replaced():
    """A backward reads the student's own cache, so no correct one can stand in: rnn_backward
    keeps its 0 and its feedback names rnn_step_backward and that function's HINT."""
    a2 = spec.load("a2_bptt")
    got = points(a2, A2_STEP_BACKWARD_WITHOUT_TANH, ("rnn_step_backward", "rnn_backward"), hidden=True)
    assert got["rnn_step_backward"][0] == 0 and got["rnn_backward"][0] == 0
    step_hints = {r.hint for r in got["rnn_step_backward"][1] if r.hint}
    assert step_hints
    for r in got["rnn_backward"][1]:
        assert not r.carried and "calls your rnn_step_backward" in r.cause
        assert any(h in r.cause for h in step_hints)


def write_notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("fork", ["1", "0"], ids=["forking-worker", "plain-process"])
def test_isolated_grading_carries_the_error_forward_like_nbgrader(tmp_path, monkeypatch, fork):
    """``autograder grade`` gives the points the in-kernel grader gives, case by case; the
    child asks the grader for the correct gates (it cannot import the reference)."""
    monkeypatch.setenv("AUTOGRADER_FORK", fork)
    a3 = spec.load("a3_lstm")
    rec = IsolatedGrader("a3_lstm").grade_file(write_notebook(tmp_path / "s.ipynb", LSTM_CS231N_GATES))
    assert rec["status"] == "graded", rec["message"]
    in_kernel = points(a3, LSTM_CS231N_GATES, [e.grade_id for e in a3.exercises], hidden=True)
    by_exercise = {}
    for t in rec["tests"]:
        by_exercise[t["grade_id"]] = by_exercise.get(t["grade_id"], 0) + t["score"]
    assert by_exercise == {g: s for g, (s, _) in in_kernel.items()}
    chain = [t for t in rec["tests"] if t["grade_id"] in LSTM_CHAIN]
    assert chain and all(t["carried"] and "your lstm_gates" in t["cause"] for t in chain)


def test_the_grader_answers_only_well_formed_calls():
    from autograder import wire

    grader = IsolatedGrader("a3_lstm", use_sandbox=False)
    dep = grader.assignment.exercise("lstm_gates")
    inputs = dict(dep.public[0].inputs)

    def frame(values):
        specs, payload = [], []
        for k, v in values.items():
            specs.append({"name": k, "kind": "array", "shape": list(v.shape)})
            payload.append(np.ascontiguousarray(v, dtype="<f8").tobytes())
        return {"values": specs}, b"".join(payload)

    def reply(values):
        data = grader.answer_call("lstm_gates", *frame(values))
        header, payload = wire.FrameReader().feed(data)[0]
        return header, payload

    header, payload = reply(inputs)
    assert header["arity"] == 4 and [v["name"] for v in header["values"]] == list(dep.outputs)
    assert len(payload) == 8 * sum(int(np.prod(v["shape"])) for v in header["values"])
    header, _ = reply({k: v for k, v in inputs.items() if k != "b"})
    assert "takes the arrays x, prev_h, Wx, Wh, b" in header["error"]
    header, _ = reply(dict(inputs, x=np.zeros((1, 20_000))))
    assert "larger than" in header["error"]
    header, _ = reply(dict(inputs, Wx=np.zeros((7, 3))))
    assert "a correct lstm_gates cannot run on these arguments" in header["error"]


def test_autograder_check_on_a_students_machine_names_the_cause_and_carries_nothing(tmp_path):
    """``autograder check`` where ``solutions`` cannot be imported (the student kit): the
    isolated self-check lends nothing and names the failing function the code called."""
    import os
    import subprocess

    from test_cli import NO_SOLUTIONS

    nb = write_notebook(tmp_path / "a3_lstm.ipynb", LSTM_CS231N_GATES)
    proc = subprocess.run([sys.executable, "-c", NO_SOLUTIONS, "check", str(nb), "--assignment", "a3_lstm"],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "not available here" not in out and "by error carried forward" not in out, out
    for gid in LSTM_CHAIN:
        block = out[out.index(f"FAIL  {gid} (public cases)"):]
        assert " ".join(f"Root cause: Your {gid} calls your lstm_gates".split()) in " ".join(block.split())[:400]
