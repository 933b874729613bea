"""Is a student's backward checked against the reference and against their own forward?

The forward/backward pairs are written here from the chain rule:
h' = tanh(a), a = x Wx + h Wh + b, da = dh' (1 - h'^2), dx = da Wx^T, dh = da Wh^T,
dWx = x^T da, dWh = h^T da, db = sum_n da.
"""
import numpy as np
import torch

from autograder import checks
from autograder.spec import Case, Exercise, HiddenCases
from checks_helpers import one_exercise_assignment, sigmoid


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
