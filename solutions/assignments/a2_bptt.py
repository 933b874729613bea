"""Reference answers of assignment a2_bptt (backpropagation through time), and the known
wrong versions of these references (merged into solutions.variants).

Each function is named by ``autograder/specs/a2_bptt.py`` as a reference.
"""
import numpy as np
import sympy as sp

from ..clipping import clip_by_global_norm as _clip
from ..rnn import rnn_backward, rnn_forward

__all__ = ["numerical_dWh", "clip_by_global_norm", "grad_norms_through_time", "rnn_backward_truncated",
           "dtanh_through_tanh", "answer_radius", "VARIANTS"]

Y = sp.Symbol("y")      # y = tanh(z)


def numerical_dWh(x, h0, Wx, Wh, b, dh, step=1e-5):
    """Centred-difference gradient of sum(rnn_forward(...) * dh) with respect to Wh:
    each entry moved by +-step, (f(Wh + step) - f(Wh - step)) / (2 step)."""
    W = np.array(Wh, dtype=np.float64, copy=True)
    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + step
        plus = np.sum(rnn_forward(x, h0, Wx, W, b)[0] * dh)
        W[idx] = old - step
        minus = np.sum(rnn_forward(x, h0, Wx, W, b)[0] * dh)
        W[idx] = old
        grad[idx] = (plus - minus) / (2 * step)
    return grad


def clip_by_global_norm(dWx, dWh, db, max_norm):
    """(dWx, dWh, db) scaled together to a global norm of at most max_norm, and the norm before."""
    (cx, ch, cb), total = _clip([dWx, dWh, db], max_norm)
    return cx, ch, cb, total


def _step_jacobians(x, h0, Wx, Wh, b):
    """J_t = dh_t / dh_{t-1} = diag(1 - h_t^2) Wh^T for t = 1..T, one sequence (N = 1)."""
    if x.shape[0] != 1 or h0.shape[0] != 1:
        raise ValueError(f"grad_norms_through_time: expected one sequence, x of shape (1, T, D) and h0 of "
                         f"shape (1, H); got x {x.shape} and h0 {h0.shape}")
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    return [(1 - h[0, t] ** 2)[:, None] * Wh.T for t in range(x.shape[1])]


def grad_norms_through_time(x, h0, Wx, Wh, b):
    """norms[k] = spectral norm of dh_T / dh_{T-1-k}, for k = 0..T-1 (distance T - t = k + 1).

    Row-vector RNN: h_t = tanh(x_t Wx + h_{t-1} Wh + b), so dh_t/dh_{t-1} = diag(1 - h_t^2) Wh^T
    and dh_T/dh_t is the product of those Jacobians from step T down to step t + 1.
    """
    J = _step_jacobians(x, h0, Wx, Wh, b)
    T = len(J)
    prod = np.eye(Wh.shape[0])
    norms = np.empty(T)
    for k in range(T):
        prod = prod @ J[T - 1 - k]                      # dh_T/dh_{T-1-k} = J_T J_{T-1} ... J_{T-k}
        norms[k] = np.linalg.norm(prod, 2)
    return norms


def rnn_backward_truncated(x, h0, Wx, Wh, b, dh, K):
    """Parameter gradients of BPTT truncated to K steps: the loss at step t reaches back through
    steps t, t-1, ..., t-K+1 only (K >= T gives full BPTT).

    Returns a tuple (dWx, dWh, db).
    """
    if int(K) != K or K < 1:
        raise ValueError(f"rnn_backward_truncated: K must be a positive integer; got {K!r}")
    K = int(K)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    N, T, _ = x.shape
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)       # h_{t-1} for every t
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in range(T):
        g = dh[:, t]                                                # gradient on h_t from the loss at t
        for s in range(t, max(t - K, -1), -1):                      # steps t, t-1, ..., t-K+1
            da = g * (1 - h[:, s] ** 2)
            dWx += x[:, s].T @ da
            dWh += h_prev[:, s].T @ da
            db += da.sum(axis=0)
            g = da @ Wh.T                                           # on to h_{s-1}
    return dWx, dWh, db


def dtanh_through_tanh():
    """d tanh(z)/dz written with y = tanh(z): 1 - y**2."""
    z = sp.Symbol("z")
    return sp.diff(sp.tanh(z), z).subs(sp.tanh(z), Y)


def answer_radius():
    """Below 1 the norms shrink geometrically, above 1 they grow (choice "b")."""
    return "b"


# -- known wrong versions -----------------------------------------------------------------

def _numerical_not_halved(x, h0, Wx, Wh, b, dh):
    return 2 * numerical_dWh(x, h0, Wx, Wh, b, dh)                 # (f(x+h) - f(x-h)) / h


def _clip_each(dWx, dWh, db, max_norm):
    out = []
    for g in (dWx, dWh, db):
        n = np.linalg.norm(g)
        out.append(g * (max_norm / n) if n > max_norm else g.copy())
    total = float(np.sqrt(sum(np.sum(g * g) for g in (dWx, dWh, db))))
    return (*out, total)


def _clip_by_value(dWx, dWh, db, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in (dWx, dWh, db))))
    return (*(np.clip(g, -max_norm, max_norm) for g in (dWx, dWh, db)), total)


def _clip_always(dWx, dWh, db, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in (dWx, dWh, db))))
    return (*(g * (max_norm / total) for g in (dWx, dWh, db)), total)


def _norms_without_tanh(x, h0, Wx, Wh, b):
    T = x.shape[1]
    return np.array([np.linalg.norm(np.linalg.matrix_power(Wh.T, k + 1), 2) for k in range(T)])


def _norms_shifted(x, h0, Wx, Wh, b):
    """Counted from dh_T/dh_T = I: 1, ||J_T||, ..., one step short."""
    n = grad_norms_through_time(x, h0, Wx, Wh, b)
    return np.concatenate([[1.0], n[:-1]])


def _truncated_chunks(x, h0, Wx, Wh, b, dh, K):
    """The other truncation: cut the sequence into chunks of K steps, backprop inside each."""
    K = int(K)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    T = x.shape[1]
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for start in range(0, T, K):
        stop = min(start + K, T)
        h_in = h0 if start == 0 else h[:, start - 1]
        cache = rnn_forward(x[:, start:stop], h_in, Wx, Wh, b)[1]
        _, _, gx, gh, gb = rnn_backward(dh[:, start:stop], cache)
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return dWx, dWh, db


# -- wrong backwards: called with the case inputs as keywords, the upstream gradient first
#    (dnext_h or dh) and then the forward's inputs; they return the backward's gradients.

def _step_grads(da, x, prev_h, Wx, Wh):
    """dx, dprev_h, dWx, dWh, db of one step from the gradient da on a = x Wx + prev_h Wh + b."""
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _step_no_tanh_derivative(dnext_h, x, prev_h, Wx, Wh, b):
    return _step_grads(dnext_h, x, prev_h, Wx, Wh)                  # da = dnext_h: tanh' left out


def _step_dWh_transposed(dnext_h, x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    dx, dprev_h, dWx, dWh, db = _step_grads(dnext_h * (1 - next_h ** 2), x, prev_h, Wx, Wh)
    return dx, dprev_h, dWx, dWh.T, db                              # da.T @ prev_h: same shape, (H, H)


def _bptt(dh, x, h0, Wx, Wh, b, *, dtanh=True, carry=True, every_step=True, sum_weights=True,
          dWh_transposed=False):
    """BPTT written as a loop of step backwards, with one slip switched on by a keyword.

    dtanh=False:        da_t = the gradient on h_t, without the factor 1 - h_t**2
    carry=False:        the gradient on h_t is dh[:, t] only; the one from step t+1 is dropped
                        (dh0 is then what step 0 passes back)
    every_step=False:   only dh[:, -1] enters, at the last step (as for many-to-one)
    sum_weights=False:  dWx, dWh, db are overwritten at each step, so step 0's are returned
    dWh_transposed:     every step's dWh is da.T @ h_{t-1} (rnn_step_backward's slip, reused)
    """
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    N, T, _ = x.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dprev_h = np.zeros_like(h0)
    for t in reversed(range(T)):
        upstream = dh[:, t] if every_step or t == T - 1 else np.zeros_like(h0)
        g = upstream + dprev_h if carry else upstream
        da = g * (1 - h[:, t] ** 2) if dtanh else g
        prev_h = h0 if t == 0 else h[:, t - 1]
        dx[:, t], dprev_h, gx, gh, gb = _step_grads(da, x[:, t], prev_h, Wx, Wh)
        if dWh_transposed:
            gh = gh.T
        if sum_weights:
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        else:
            dWx, dWh, db = gx, gh, gb
    return dx, dprev_h, dWx, dWh, db


def _bptt_with(**slip):
    return lambda dh, x, h0, Wx, Wh, b: _bptt(dh, x, h0, Wx, Wh, b, **slip)


VARIANTS = {
    "solutions.rnn:rnn_step_backward": {
        "rnn_tanh_derivative_missing": _step_no_tanh_derivative,
        "dWh_transposed": _step_dWh_transposed,
    },
    "solutions.rnn:rnn_backward": {
        "rnn_tanh_derivative_missing": _bptt_with(dtanh=False),
        "gradient_not_carried_back": _bptt_with(carry=False),
        "upstream_only_last_step": _bptt_with(every_step=False),
        "weight_gradients_not_summed": _bptt_with(sum_weights=False),
        "dWh_transposed": _bptt_with(dWh_transposed=True),
    },
    "solutions.assignments.a2_bptt:numerical_dWh": {
        "centred_difference_not_halved": _numerical_not_halved,
    },
    "solutions.assignments.a2_bptt:clip_by_global_norm": {
        "clip_each_separately": _clip_each,
        "clip_by_value": _clip_by_value,
        "clip_always": _clip_always,
    },
    "solutions.assignments.a2_bptt:grad_norms_through_time": {
        "jacobian_without_tanh_derivative": _norms_without_tanh,
        "norms_shifted_by_one": _norms_shifted,
    },
    "solutions.assignments.a2_bptt:rnn_backward_truncated": {
        "truncated_in_chunks": _truncated_chunks,
        "truncation_one_step_longer": lambda x, h0, Wx, Wh, b, dh, K: rnn_backward_truncated(x, h0, Wx, Wh, b, dh, K + 1),
    },
    "solutions.assignments.a2_bptt:dtanh_through_tanh": {
        "dtanh_not_squared": lambda: 1 - Y,
        "sigmoid_derivative_form": lambda: Y * (1 - Y),
    },
}
