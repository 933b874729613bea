"""Vanilla (Elman) RNN with a tanh nonlinearity: one step, a whole sequence, an output layer.

    a_t = x_t Wx + h_{t-1} Wh + b
    h_t = tanh(a_t)

Sizes: N batch, T time steps, D input features, H hidden units, V output classes.
Batch-first row vectors: x_t (N, D), h_t (N, H), sequences x (N, T, D), h (N, T, H).
Forward functions return ``(out, cache)``; backward functions take ``(dout, cache)``
and return one gradient per array input, in the order of the forward's arguments.
"""
import numpy as np

from ._validate import check, check_steps
from .activations import softmax

__all__ = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "output_forward"]


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a tanh RNN.

    Inputs:
    - x: input of shape (N, D)
    - prev_h: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)

    Returns a tuple of:
    - next_h: next hidden state of shape (N, H)
    - cache: values needed by rnn_step_backward
    """
    s = {}
    fn = "rnn_step_forward"
    check(fn, "x", x, ("N", "D"), s)
    check(fn, "prev_h", prev_h, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", "H"), s)
    check(fn, "Wh", Wh, ("H", "H"), s)
    check(fn, "b", b, ("H",), s)
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)          # a = x Wx + h Wh + b; h = tanh(a)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """Backward pass of one RNN step.

    Inputs:
    - dnext_h: upstream gradient on next_h, of shape (N, H)
    - cache: from rnn_step_forward

    Returns a tuple of:
    - dx: of shape (N, D)
    - dprev_h: of shape (N, H)
    - dWx: of shape (D, H)
    - dWh: of shape (H, H)
    - db: of shape (H,)
    """
    x, prev_h, Wx, Wh, next_h = cache
    s = {}
    check("rnn_step_backward", "next_h (from cache)", next_h, ("N", "H"), s)
    check("rnn_step_backward", "dnext_h", dnext_h, ("N", "H"), s)
    da = dnext_h * (1 - next_h * next_h)                 # backprop through tanh: 1 - tanh^2
    dx = da @ Wx.T                                       # a = x Wx + ...
    dprev_h = da @ Wh.T                                  # a = ... + h Wh
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, Wx, Wh, b):
    """Run a tanh RNN over a whole sequence (rnn_step_forward at every step).

    The input projection x_t Wx + b is computed for all steps in one matmul; the loop
    does only the recurrence h_{t-1} Wh.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: of shape (D, H)
    - Wh: of shape (H, H)
    - b: of shape (H,)

    Returns a tuple of:
    - h: hidden states of all steps, of shape (N, T, H)
    - cache: values needed by rnn_backward
    """
    s = {}
    fn = "rnn_forward"
    check(fn, "x", x, ("N", "T", "D"), s)
    check(fn, "h0", h0, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", "H"), s)
    check(fn, "Wh", Wh, ("H", "H"), s)
    check(fn, "b", b, ("H",), s)
    check_steps(fn, x)
    N, T, D = x.shape
    H = h0.shape[1]
    dtype = np.result_type(x, h0, Wx, Wh, b)             # float32 in, float32 out
    xa = (x.reshape(N * T, D) @ Wx).reshape(N, T, H).astype(dtype, copy=False)   # x_t Wx, all t
    xa += b
    h = np.empty((N, T, H), dtype)
    prev_h = h0
    for t in range(T):
        a = prev_h @ Wh                                  # the recurrence: h_{t-1} Wh
        a += xa[:, t]
        prev_h = np.tanh(a, out=h[:, t])                 # h_t = tanh(a_t)
    return h, (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    """Backward pass of rnn_forward (backpropagation through time).

    Inputs:
    - dh: upstream gradients on every hidden state, of shape (N, T, H)
    - cache: from rnn_forward

    Returns a tuple of:
    - dx: of shape (N, T, D)
    - dh0: of shape (N, H)
    - dWx: of shape (D, H)
    - dWh: of shape (H, H)
    - db: of shape (H,)
    """
    x, h0, Wx, Wh, h = cache
    s = {}
    check("rnn_backward", "h (from cache)", h, ("N", "T", "H"), s)
    check("rnn_backward", "dh", dh, ("N", "T", "H"), s)
    N, T, D = x.shape
    H = h0.shape[1]
    da = np.empty((N, T, H), dtype=np.result_type(dh, h))   # gradient on a_t, every t
    dprev_h = np.zeros_like(h0, dtype=da.dtype)
    for t in reversed(range(T)):
        ht = h[:, t]
        dnext_h = dh[:, t] + dprev_h                     # from the output at t and from step t+1
        da_t = np.multiply(dnext_h, 1 - ht * ht, out=da[:, t])   # backprop through tanh
        dprev_h = da_t @ Wh.T                            # into h_{t-1}
    # the parameter and input gradients of all steps in one matmul each
    da2 = da.reshape(N * T, H)
    dx = (da2 @ Wx.T).reshape(N, T, D)
    dWx = x.reshape(N * T, D).T @ da2
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)   # h_{t-1} for t = 0..T-1
    dWh = h_prev.reshape(N * T, H).T @ da2
    db = da2.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def output_forward(h, Wy, by):
    """Affine output layer and softmax, for one step or a whole sequence.

    Inputs:
    - h: hidden states of shape (N, H) or (N, T, H)
    - Wy: hidden-to-output weights of shape (H, V)
    - by: output bias of shape (V,)

    Returns a tuple of:
    - scores: h Wy + by, of shape (N, V) or (N, T, V)
    - probs: softmax of the scores over the last axis, same shape as scores
    """
    fn = "output_forward"
    if getattr(h, "ndim", None) not in (2, 3):
        got = f"shape {tuple(h.shape)}" if hasattr(h, "shape") else type(h).__name__
        raise ValueError(f"{fn}: h must be an array of shape (N, H) or (N, T, H); got {got}")
    s = {}
    check(fn, "h", h, ("N", "H") if h.ndim == 2 else ("N", "T", "H"), s)
    check(fn, "Wy", Wy, ("H", "V"), s)
    check(fn, "by", by, ("V",), s)
    scores = h @ Wy + by
    return scores, softmax(scores)
