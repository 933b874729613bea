"""Is a student's backward checked against the reference and against their own forward?

The forward/backward pairs are written here from the chain rule:
h' = tanh(a), a = x Wx + h Wh + b, da = dh' (1 - h'^2), dx = da Wx^T, dh = da Wh^T,
dWx = x^T da, dWh = h^T da, db = sum_n da.
"""
import numpy as np
import pytest
import torch

from autograder import checks
from autograder.spec import Case, Exercise, HiddenCases, load
from checks_helpers import hint_text, one_exercise_assignment, sigmoid


def _inputs(rng, N=2, D=3, H=4):
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H) * 0.5, dnext_h=rng.standard_normal((N, H)))


EX = Exercise(grade_id="rnn_step_backward", target="rnn_step_backward", kind="gradient",
              reference="solutions.rnn:rnn_step_backward", forward="rnn_step_forward",
              outputs=("dx", "dprev_h", "dWx", "dWh", "db"),
              public=(Case("N=2, D=3, H=4", _inputs(np.random.default_rng(1))),),
              hidden=HiddenCases(n=1, seed=2, make_inputs=lambda r: _inputs(r, 3, 2, 5)))


def forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _grade(fwd, bwd, *, hidden=False):
    ns = {"rnn_step_forward": fwd, "rnn_step_backward": bwd}
    return checks.grade_exercise(one_exercise_assignment(EX), EX.grade_id, ns, hidden=hidden)


def test_the_hand_backward_agrees_with_torch_autograd():
    """The oracle for this file's correct pair: torch's autograd on the same step."""
    inp = EX.public[0].inputs
    t = {k: torch.tensor(v, requires_grad=True) for k, v in inp.items() if k != "dnext_h"}
    out = torch.tanh(t["x"] @ t["Wx"] + t["prev_h"] @ t["Wh"] + t["b"])
    (out * torch.tensor(inp["dnext_h"])).sum().backward()
    _, cache = forward(**{k: v for k, v in inp.items() if k != "dnext_h"})
    for name, g in zip(("x", "prev_h", "Wx", "Wh", "b"), backward(inp["dnext_h"], cache)):
        np.testing.assert_allclose(g, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)


def test_a_correct_backward_passes_public_and_hidden_cases():
    for hidden in (False, True):
        (r,) = _grade(forward, backward, hidden=hidden)
        assert r.passed and r.score == 1.0 and r.message == "", r.message


def test_a_wrong_dWh_fails_and_is_said_to_disagree_with_numerical_gradients():
    def bad_backward(dnext_h, cache):
        dx, dprev_h, dWx, dWh, db = backward(dnext_h, cache)
        return dx, dprev_h, dWx, dWh.T, db            # a transposed dWh

    (r,) = _grade(forward, bad_backward)
    assert not r.passed and r.score == 0
    assert "(dWh)" in r.message.splitlines()[0]
    assert "disagrees with your own forward" in r.message and "on dWh" in r.message
    assert "rel error" in r.message


def test_a_consistent_but_wrong_pair_is_told_that_the_forward_differs():
    """A sigmoid RNN with its own correct backward: sigmoid' = s (1 - s)."""
    def sig_forward(x, prev_h, Wx, Wh, b):
        s = sigmoid(x @ Wx + prev_h @ Wh + b)
        return s, (x, prev_h, Wx, Wh, s)

    def sig_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, s = cache
        da = dnext_h * s * (1 - s)
        return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)

    (r,) = _grade(sig_forward, sig_backward)
    assert not r.passed
    assert "matches numerical gradients of your forward, so the forward is what differs" in r.message


def test_hidden_gradient_messages_name_the_gradient_but_no_numbers():
    def bad_backward(dnext_h, cache):
        dx, dprev_h, dWx, dWh, db = backward(dnext_h, cache)
        return dx, dprev_h, dWx, 2 * dWh, db

    (r,) = _grade(forward, bad_backward, hidden=True)
    assert not r.passed and "on dWh" in r.message and "rel error" not in r.message and "ACTUAL" not in r.message


def test_a_backward_that_returns_too_few_gradients_is_told_how_many():
    (r,) = _grade(forward, lambda dnext_h, cache: backward(dnext_h, cache)[:3])
    assert not r.passed and "dx, dprev_h, dWx, dWh, db" in r.message and "tuple of 3" in r.message


def test_a_missing_forward_is_named():
    (r,) = checks.grade_exercise(one_exercise_assignment(EX), EX.grade_id, {"rnn_step_backward": backward})
    assert r.message == "rnn_step_forward is not defined: run the cell where you write it"


# -- HINT lines for known wrong backwards (a3's lstm_step_backward names two) -------------
#
# An LSTM step and its backward written here from the chain rule, with a = x Wx + h Wh + b
# split into blocks i, f, g, o (i, f, o sigmoid, g tanh), c' = f c + i g, h' = o tanh(c'):
#   dc = dnext_c + dnext_h * o * (1 - tanh(c')^2),  do = dnext_h * tanh(c'),
#   di = dc * g, df = dc * c, dg = dc * i,          dprev_c = dc * f,
#   da = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)], then as for the RNN above.
# The wrong backwards below are slips a student makes in that derivation.

A3 = load("a3_lstm")
LSTM_ID = "lstm_step_backward"


def lstm_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, np.tanh(next_c))


def _lstm_grads(dnext_h, cache, dc, dprev_c):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tc = cache
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dc * i * (1 - g ** 2),
                         dnext_h * tc * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_backward(dnext_h, dnext_c, cache):
    *_, f, g, o, tc = cache
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    return _lstm_grads(dnext_h, cache, dc, dc * f)


def lstm_backward_dprev_c_without_f(dnext_h, dnext_c, cache):
    *_, o, tc = cache
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    return _lstm_grads(dnext_h, cache, dc, dc)                 # dprev_c = dc: f forgotten


def lstm_backward_without_dtanh(dnext_h, dnext_c, cache):
    *_, f, g, o, tc = cache
    dc = dnext_c + dnext_h * o                                 # tanh'(c') left out everywhere
    return _lstm_grads(dnext_h, cache, dc, dc * f)


def lstm_backward_without_dtanh_in_dprev_c(dnext_h, dnext_c, cache):
    *_, f, g, o, tc = cache
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    return _lstm_grads(dnext_h, cache, dc, (dnext_c + dnext_h * o) * f)   # only dprev_c misses tanh'


def _grade_lstm(bwd, *, hidden=False, fwd=lstm_forward):
    ns = {"lstm_step_forward": fwd, "lstm_step_backward": bwd}
    return checks.grade_exercise(A3, LSTM_ID, ns, hidden=hidden)


def test_the_hand_lstm_backward_agrees_with_torch_autograd():
    """The oracle for the LSTM pair: torch's autograd on the same step, with both upstream gradients."""
    inp = A3.exercise(LSTM_ID).public[0].inputs
    t = {k: torch.tensor(v, requires_grad=True) for k, v in inp.items() if not k.startswith("d")}
    H = inp["prev_h"].shape[1]
    a = t["x"] @ t["Wx"] + t["prev_h"] @ t["Wh"] + t["b"]
    i, f, g, o = (torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H]), torch.tanh(a[:, 2 * H:3 * H]),
                  torch.sigmoid(a[:, 3 * H:]))
    c = f * t["prev_c"] + i * g
    h = o * torch.tanh(c)
    ((h * torch.tensor(inp["dnext_h"])).sum() + (c * torch.tensor(inp["dnext_c"])).sum()).backward()
    _, _, cache = lstm_forward(**{k: v for k, v in inp.items() if not k.startswith("d")})
    got = lstm_backward(inp["dnext_h"], inp["dnext_c"], cache)
    for name, grad in zip(("x", "prev_h", "prev_c", "Wx", "Wh", "b"), got):
        np.testing.assert_allclose(grad, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)


def test_the_correct_lstm_backward_passes_without_a_hint_on_public_and_hidden_cases():
    for hidden in (False, True):
        results = _grade_lstm(lstm_backward, hidden=hidden)
        assert results and all(r.passed and r.hint is None and r.message == "" for r in results), results


def _assert_hint_and_own_forward_note(results, variant, hidden):
    """Both cases fail with 0 points and the variant's HINT, keep the note on the student's
    own forward, and (hidden cases) show no numbers."""
    assert len(results) == 2
    for r in results:
        assert not r.passed and r.score == 0 and r.hint == hint_text(variant), (r.message, r.hint)
        assert "Your backward disagrees with your own forward" in r.message
        assert r.hint in r.feedback()
        if hidden:
            assert "rel error" not in r.message and "ACTUAL" not in r.message


@pytest.mark.parametrize("hidden", [False, True], ids=["public", "hidden"])
@pytest.mark.parametrize("bwd, variant", [
    (lstm_backward_dprev_c_without_f, "dprev_c_without_forget_gate"),
    (lstm_backward_without_dtanh, "tanh_derivative_missing"),
], ids=["dprev_c without f", "tanh' missing"])
def test_a_known_wrong_backward_gets_its_hint_and_keeps_the_note_on_the_own_forward(bwd, variant, hidden):
    results = _grade_lstm(bwd, hidden=hidden)
    _assert_hint_and_own_forward_note(results, variant, hidden)


def test_a_backward_whose_wrong_gradients_match_a_variant_gets_its_hint():
    """Only dprev_c misses tanh'(c'): dx, dh, dW, db are right (unlike the variant's), dprev_c is the variant's."""
    for r in _grade_lstm(lstm_backward_without_dtanh_in_dprev_c):
        assert not r.passed and "(dprev_c)" in r.message.splitlines()[0] and "Also wrong" not in r.message
        assert r.hint == hint_text("tanh_derivative_missing")


def test_a_wrong_backward_unlike_any_variant_gets_no_hint():
    def doubled_db(dnext_h, dnext_c, cache):
        *grads, db = lstm_backward(dnext_h, dnext_c, cache)
        return (*grads, 2 * db)

    def two_slips(dnext_h, dnext_c, cache):
        *grads, db = lstm_backward_dprev_c_without_f(dnext_h, dnext_c, cache)
        return (*grads, 2 * db)                    # dprev_c matches a variant, db matches none

    for bwd in (doubled_db, two_slips):
        for hidden in (False, True):
            for r in _grade_lstm(bwd, hidden=hidden):
                said_wrong = r.message.splitlines()[0].endswith("(db)") or "Also wrong: db." in r.message
                assert not r.passed and r.hint is None and said_wrong, (bwd.__name__, r.message, r.hint)


def test_a_consistent_pair_with_the_wrong_forward_is_named_by_the_forwards_mistake():
    """h' = o * c' (tanh left out of the forward) with its own correct backward:
    dc = dnext_c + dnext_h * o, do = dnext_h * c'. The backward is right for its forward, so
    the feedback says the forward differs and names the forward's mistake (the same HINT the
    step gets), not a mistake of the backward."""
    def fwd(x, prev_h, prev_c, Wx, Wh, b):
        next_h, next_c, cache = lstm_forward(x, prev_h, prev_c, Wx, Wh, b)
        *rest, tc = cache
        return cache[8] * next_c, next_c, (*rest, next_c)

    def bwd(dnext_h, dnext_c, cache):
        *_, f, g, o, c = cache
        return _lstm_grads(dnext_h, cache, dnext_c + dnext_h * o, (dnext_c + dnext_h * o) * f)

    from autograder.hints import hint_for

    for r in _grade_lstm(bwd, fwd=fwd):
        assert not r.passed and r.hint == hint_for("hidden_without_tanh", A3.exercise(LSTM_ID))
        assert "matches numerical gradients of your forward, so the forward is what differs" in r.message


# -- HINT lines for known wrong RNN backwards (a2_bptt names them) --------------------------
#
# BPTT written here as a loop of the step backward above: h_t = tanh(x_t Wx + h_{t-1} Wh + b),
# the gradient on h_t is dh[:, t] (its own loss) plus what step t+1 passes back; the weights
# are shared, so their gradients are summed over the steps; dh0 is what step 0 passes back.
# The wrong backwards below are slips a student makes in the step or in the loop.

A2 = load("a2_bptt")


def rnn_forward(x, h0, Wx, Wh, b):
    hs, caches, h = [], [], h0
    for t in range(x.shape[1]):
        h, cache = forward(x[:, t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def step_backward_without_dtanh(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h                                               # tanh' left out
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def step_backward_dWh_transposed(dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = backward(dnext_h, cache)
    return dx, dprev_h, dWx, dWh.T, db                         # da.T @ prev_h


def bptt(dh, caches, *, step=backward, carry=True, every_step=True, summed=True):
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    dWx = dWh = db = 0
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        upstream = dh[:, t] if every_step or t == T - 1 else 0
        dx[:, t], dprev_h, gx, gh, gb = step(upstream + dprev_h if carry else upstream, caches[t])
        dWx, dWh, db = (dWx + gx, dWh + gh, db + gb) if summed else (gx, gh, gb)
    return dx, dprev_h, dWx, dWh, db


def _bptt_with(**slip):
    return lambda dh, caches: bptt(dh, caches, **slip)


def _grade_a2(grade_id, bwd, *, hidden=False):
    fwd = forward if grade_id == "rnn_step_backward" else rnn_forward
    ns = {A2.exercise(grade_id).forward: fwd, A2.exercise(grade_id).target: bwd}
    return checks.grade_exercise(A2, grade_id, ns, hidden=hidden)


def test_the_hand_bptt_agrees_with_torch_autograd():
    """The oracle for the sequence pair: torch's autograd through the unrolled tanh RNN."""
    inp = A2.exercise("rnn_backward").public[0].inputs
    t = {k: torch.tensor(v, requires_grad=True) for k, v in inp.items() if k != "dh"}
    h, hs = t["h0"], []
    for s in range(inp["x"].shape[1]):
        h = torch.tanh(t["x"][:, s] @ t["Wx"] + h @ t["Wh"] + t["b"])
        hs.append(h)
    (torch.stack(hs, dim=1) * torch.tensor(inp["dh"])).sum().backward()
    _, caches = rnn_forward(**{k: v for k, v in inp.items() if k != "dh"})
    for name, grad in zip(("x", "h0", "Wx", "Wh", "b"), bptt(inp["dh"], caches)):
        np.testing.assert_allclose(grad, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("grade_id, bwd", [("rnn_step_backward", backward), ("rnn_backward", bptt)])
def test_the_correct_rnn_backwards_pass_without_a_hint_on_public_and_hidden_cases(grade_id, bwd):
    for hidden in (False, True):
        results = _grade_a2(grade_id, bwd, hidden=hidden)
        assert len(results) == 2 and all(r.passed and r.hint is None and r.message == "" for r in results), results


@pytest.mark.parametrize("hidden", [False, True], ids=["public", "hidden"])
@pytest.mark.parametrize("grade_id, bwd, variant", [
    ("rnn_step_backward", step_backward_without_dtanh, "rnn_tanh_derivative_missing"),
    ("rnn_step_backward", step_backward_dWh_transposed, "dWh_transposed"),
    ("rnn_backward", _bptt_with(step=step_backward_without_dtanh), "rnn_tanh_derivative_missing"),
    ("rnn_backward", _bptt_with(step=step_backward_dWh_transposed), "dWh_transposed"),
    ("rnn_backward", _bptt_with(carry=False), "gradient_not_carried_back"),
    ("rnn_backward", _bptt_with(every_step=False), "upstream_only_last_step"),
    ("rnn_backward", _bptt_with(summed=False), "weight_gradients_not_summed"),
], ids=["step: tanh' missing", "step: dWh transposed", "bptt: tanh' missing", "bptt: dWh transposed",
        "bptt: not carried back", "bptt: only dh[:, -1]", "bptt: step 0's weight gradients"])
def test_a_known_wrong_rnn_backward_gets_its_hint_and_keeps_the_note_on_the_own_forward(grade_id, bwd, variant,
                                                                                           hidden):
    results = _grade_a2(grade_id, bwd, hidden=hidden)
    _assert_hint_and_own_forward_note(results, variant, hidden)


def test_a_wrong_rnn_backward_unlike_any_variant_gets_no_hint():
    def dh0_dropped(dh, caches):
        dx, dh0, dWx, dWh, db = bptt(dh, caches)
        return dx, np.zeros_like(dh0), dWx, dWh, db

    def doubled_db(dnext_h, cache):
        *grads, db = backward(dnext_h, cache)
        return (*grads, 2 * db)

    for grade_id, bwd in (("rnn_backward", dh0_dropped), ("rnn_step_backward", doubled_db)):
        for hidden in (False, True):
            for r in _grade_a2(grade_id, bwd, hidden=hidden):
                assert not r.passed and r.hint is None, (grade_id, r.message, r.hint)
