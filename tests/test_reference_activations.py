"""Are the activations, their derivatives, the gate-level state updates and gradient
clipping right? Oracles: the math module, PyTorch, sympy derivations, hand examples."""
import math
import warnings

import numpy as np
import pytest
import sympy as sp

from solutions import (clip_by_global_norm, drelu, dsigmoid, dtanh, gru_state_update, lstm_state_update, relu,
                       sigmoid, softmax, tanh)
from solutions.activations import _sigmoid_

GRID = np.linspace(-12, 12, 97)        # includes 0 (index 48)


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the reference oracle; install the 'test' extra")


# ---------------------------------------------------------------- values

def test_sigmoid_matches_math_formula_on_moderate_inputs():
    for z in GRID:
        assert sigmoid(z) == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15, abs=0)


def test_sigmoid_tanh_relu_softmax_match_torch():
    torch = _torch()
    z = np.random.default_rng(0).normal(scale=20, size=(7, 11))
    tz = torch.from_numpy(z)
    np.testing.assert_allclose(sigmoid(z), torch.sigmoid(tz).numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(tanh(z), torch.tanh(tz).numpy(), rtol=1e-14, atol=0)
    np.testing.assert_array_equal(relu(z), torch.relu(tz).numpy())
    for axis in (0, 1, -1):
        np.testing.assert_allclose(softmax(z, axis=axis), torch.softmax(tz, dim=axis).numpy(), rtol=1e-12, atol=1e-300)


def test_sigmoid_has_no_overflow_warning_at_plus_minus_1e3_and_exact_limits():
    z = np.array([-1e3, -745.0, -1.0, 0.0, 1.0, 745.0, 1e3])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        s64 = sigmoid(z)
        s32 = sigmoid(z.astype(np.float32))
    assert s64[0] == 0.0 and s64[-1] == 1.0 and s64[3] == 0.5
    assert s32[0] == 0.0 and s32[-1] == 1.0 and s32.dtype == np.float32
    assert 0 < s64[1] < 1e-300                          # exp(-745) is still a (subnormal) positive number


def test_inplace_sigmoid_of_the_sequence_loops_agrees_with_sigmoid():
    z = np.concatenate([GRID, [-1e3, 1e3]])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        got = _sigmoid_(z.copy())
    np.testing.assert_allclose(got, sigmoid(z), rtol=0, atol=1e-15)


def test_softmax_rows_sum_to_one_and_survive_scores_of_1e3():
    z = np.array([[1000.0, 1000.0], [1000.0, -1000.0], [0.0, math.log(3.0)]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        p = softmax(z)
    # by hand: equal scores share equally; a gap of 2000 leaves exp(-2000) = 0; e^0 : e^ln3 = 1 : 3
    np.testing.assert_allclose(p, [[0.5, 0.5], [1.0, 0.0], [0.25, 0.75]], rtol=1e-15, atol=0)
    np.testing.assert_allclose(softmax(z + 1e3).sum(axis=-1), 1.0, rtol=1e-15)
    # shift invariance on random scores
    r = np.random.default_rng(1).normal(size=(4, 3, 5))
    np.testing.assert_allclose(softmax(r + 1e3, axis=1), softmax(r, axis=1), rtol=1e-13)
    np.testing.assert_allclose(softmax(r, axis=1).sum(axis=1), 1.0, rtol=1e-15)


def test_activations_keep_float32():
    z = np.linspace(-3, 3, 5, dtype=np.float32)
    for f in (sigmoid, tanh, relu, softmax, dsigmoid, dtanh, drelu):
        assert f(z).dtype == np.float32, f.__name__


# ---------------------------------------------------------------- derivatives via sympy

z_ = sp.Symbol("z", real=True)


def test_sympy_derives_dtanh_as_one_minus_tanh_squared_and_dtanh_matches_it():
    derived = sp.diff(sp.tanh(z_), z_)
    assert sp.simplify(derived - (1 - sp.tanh(z_) ** 2)) == 0
    np.testing.assert_allclose(dtanh(GRID), sp.lambdify(z_, derived, "numpy")(GRID), rtol=1e-12, atol=1e-300)


def test_sympy_derives_dsigmoid_as_sigma_times_one_minus_sigma_and_dsigmoid_matches_it():
    sig = 1 / (1 + sp.exp(-z_))
    derived = sp.diff(sig, z_)
    assert sp.simplify(derived - sig * (1 - sig)) == 0
    np.testing.assert_allclose(dsigmoid(GRID), sp.lambdify(z_, derived, "numpy")(GRID), rtol=1e-12, atol=0)


def test_sympy_derivative_of_relu_is_a_step_and_drelu_at_zero_is_zero():
    """relu as a Piecewise has derivative 1 for z > 0 and 0 otherwise (the 'otherwise'
    branch includes z = 0, the convention drelu documents and torch's autograd uses)."""
    derived = sp.diff(sp.Piecewise((z_, z_ > 0), (0, True)), z_)
    expected = np.array([float(derived.subs(z_, sp.Float(v))) for v in GRID])
    np.testing.assert_array_equal(drelu(GRID), expected)
    assert drelu(0.0) == 0.0 and drelu(1e-300) == 1.0 and drelu(-1e-300) == 0.0


def test_drelu_at_zero_agrees_with_torch_autograd():
    torch = _torch()
    z = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.relu(z).sum().backward()
    np.testing.assert_array_equal(drelu(z.detach().numpy()), z.grad.numpy())


# ---------------------------------------------------------------- gate-level state updates

def test_lstm_state_update_hand_example():
    """C_{t-1}=1.0, f=0.4, i=0.6, g=0.5, o=0.7:
    C_t = 0.4*1.0 + 0.6*0.5 = 0.4 + 0.3 = 0.7;  h_t = 0.7 * tanh(0.7) = 0.7 * 0.604368 = 0.4231 (4 d.p.)."""
    c, h = lstm_state_update(1.0, 0.4, 0.6, 0.5, 0.7)
    assert c == pytest.approx(0.7, abs=1e-15)
    assert round(float(h), 4) == 0.4231
    assert h == pytest.approx(0.7 * math.tanh(0.7), rel=1e-15)


def test_lstm_state_update_works_elementwise_on_arrays():
    prev_c = np.array([1.0, -2.0, 0.0])
    f, i, g, o = np.array([0.4, 1.0, 0.0]), np.array([0.6, 0.0, 1.0]), np.array([0.5, 3.0, -0.5]), 0.7
    c, h = lstm_state_update(prev_c, f, i, g, o)
    # by hand: [0.4 + 0.3, -2 + 0, 0 - 0.5]
    np.testing.assert_allclose(c, [0.7, -2.0, -0.5], rtol=1e-15)
    np.testing.assert_allclose(h, 0.7 * np.tanh([0.7, -2.0, -0.5]), rtol=1e-15)


def test_sympy_shows_cell_state_gradient_through_time_is_the_forget_gate():
    """For fixed gates, dC_t/dC_{t-1} = f_t: the LSTM's additive 'gradient highway'."""
    c_prev, f, i, g, o = sp.symbols("C_prev f i g o", real=True)
    c_t = f * c_prev + i * g                           # the state update, symbolically
    assert sp.diff(c_t, c_prev) == f
    # and the numpy update has that derivative numerically (it is linear in c_prev)
    vals = dict(f=0.37, i=0.6, g=-0.2, o=0.9)
    step = 1e-5
    num = (lstm_state_update(0.8 + step, **vals)[0] - lstm_state_update(0.8 - step, **vals)[0]) / (2 * step)
    assert num == pytest.approx(0.37, abs=1e-10)
    assert lstm_state_update(0.8, **vals)[0] == pytest.approx(float(c_t.subs({c_prev: 0.8, **{sp.Symbol(k, real=True): v for k, v in vals.items()}})), rel=1e-15)


def test_gru_state_update_hand_example():
    """prev_h = 1, z = 0.25, h_tilde = -1: (1 - 0.25)*1 + 0.25*(-1) = 0.75 - 0.25 = 0.5;
    z = 0 keeps the old state, z = 1 takes the candidate."""
    assert gru_state_update(1.0, 0.25, -1.0) == pytest.approx(0.5, abs=1e-15)
    np.testing.assert_array_equal(gru_state_update(np.array([2.0, 2.0]), np.array([0.0, 1.0]), np.array([5.0, 5.0])),
                                  [2.0, 5.0])


# ---------------------------------------------------------------- clipping

def test_clip_by_global_norm_hand_example():
    """grads [3, 4]: norm sqrt(9 + 16) = 5 > 1, scaled by 1/5 to [0.6, 0.8] (norm 1)."""
    clipped, norm = clip_by_global_norm([np.array([3.0, 4.0])], 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped[0], [0.6, 0.8], rtol=1e-15)


def test_clip_by_global_norm_uses_the_norm_over_all_arrays_and_keeps_containers():
    """{a: [3], b: [[4]]}: global norm 5 (not max(3, 4)); max_norm 2.5 halves both."""
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_by_global_norm(grads, 2.5)
    assert norm == 5.0 and list(clipped) == ["a", "b"]
    np.testing.assert_allclose(clipped["a"], [1.5])
    np.testing.assert_allclose(clipped["b"], [[2.0]])
    np.testing.assert_array_equal(grads["a"], [3.0])   # inputs untouched


def test_clip_by_global_norm_leaves_gradients_below_the_threshold_unchanged():
    grads = [np.array([0.3, -0.4]), np.array([[0.0]])]
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5, rel=1e-15)
    for c, g in zip(clipped, grads):
        np.testing.assert_array_equal(c, g)


def test_clip_by_global_norm_matches_torch_clip_grad_norm():
    """torch scales by max_norm / (total_norm + 1e-6), so the two agree to ~1e-6 relative."""
    torch = _torch()
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=s) for s in [(4, 3), (3,), (2, 2, 2)]]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    torch_norm = torch.nn.utils.clip_grad_norm_(params, max_norm=1.5)
    clipped, norm = clip_by_global_norm(grads, 1.5)
    assert norm == pytest.approx(float(torch_norm), rel=1e-14)
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-6)
    assert math.sqrt(sum(float(np.sum(c ** 2)) for c in clipped)) == pytest.approx(1.5, rel=1e-14)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_clip_by_global_norm_rejects_a_non_positive_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clip_by_global_norm([np.ones(2)], bad)
