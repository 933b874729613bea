"""Learned initial states: h0 (RNN, GRU) and the LSTM's (h0, c0) as trainable parameters.

Most models start every sequence from zeros. A *learned* initial state is a parameter
vector s of shape (H,), the same for every sequence: the batch starts from
S0 = broadcast(s) of shape (N, H) (``learned_initial_state``). Its gradient follows from
the chain rule: every row of S0 is s, so dL/ds = sum over n of dL/dS0[n], the gradient
that backpropagation through time delivers at step 0, summed over the batch
(``learned_state_grad``). For the GRU that is gru_backward's dh0; for the LSTM, c0's
gradient is the cell-state gradient that reaches step 0, which ``lstm_backward`` does not
return (its c0 is fixed at 0), so ``lstm_forward_from_state`` and
``lstm_backward_to_state`` run the LSTM from a given (h0, c0) and return both gradients,
step by step with lstm_step_forward and lstm_step_backward.

Sizes: N batch, T time steps, D input features, H hidden units.
"""
import numpy as np

from ._validate import check, check_steps
from .lstm import lstm_step_backward, lstm_step_forward

__all__ = ["learned_initial_state", "learned_state_grad", "lstm_forward_from_state",
           "lstm_backward_to_state"]


def learned_initial_state(s, N):
    """The batch's initial state from a learned vector s (H,): an (N, H) array, every row s."""
    check("learned_initial_state", "s", s, ("H",), {})
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise ValueError(f"learned_initial_state: N must be a positive int (the batch size); got {N!r}")
    return np.tile(s, (N, 1))


def learned_state_grad(d_state0):
    """Gradient of a learned initial state s from the gradient at step 0 (N, H): its sum over the batch (H,)."""
    check("learned_state_grad", "d_state0", d_state0, ("N", "H"), {})
    return d_state0.sum(axis=0)


def lstm_forward_from_state(x, h0, c0, Wx, Wh, b, *, fn="lstm_forward_from_state"):
    """An LSTM over a sequence from a given (h0, c0), with lstm_step_forward at every step.

    Inputs:
    - x: (N, T, D); h0, c0: (N, H); Wx (D, 4H), Wh (H, 4H), b (4H,), blocks i, f, g, o.
    - fn: the function name errors are reported under (a caller that exposes this one
      under its own name, like ``char_lm.lstm_forward``, passes that name).

    Returns a tuple of:
    - h: hidden states of all steps, (N, T, H)
    - c_T: the last cell state, (N, H)
    - caches: list of the T step caches, for lstm_backward_to_state
    """
    s = {}
    check(fn, "x", x, ("N", "T", "D"), s)
    check(fn, "h0", h0, ("N", "H"), s)
    check(fn, "c0", c0, ("N", "H"), s)
    check_steps(fn, x)
    h, c, caches = h0, c0, []
    hs = np.empty(x.shape[:2] + (h0.shape[1],))
    for t in range(x.shape[1]):
        h, c, cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        hs[:, t] = h
        caches.append(cache)
    return hs, c, caches


def lstm_backward_to_state(dh, caches, dc_T=None, *, fn="lstm_backward_to_state"):
    """Backward pass of lstm_forward_from_state, down to the initial state.

    Inputs:
    - dh: upstream gradients on every hidden state, (N, T, H)
    - caches: from lstm_forward_from_state
    - dc_T: upstream gradient on the last cell state (N, H), or None for none
    - fn: the function name errors are reported under

    Returns a tuple of:
    - dx: (N, T, D)
    - dh0, dc0: gradients on the initial hidden and cell state, (N, H) each
    - dWx, dWh, db: parameter gradients
    """
    s = {}
    check(fn, "dh", dh, ("N", "T", "H"), s)
    if len(caches) != dh.shape[1]:
        raise ValueError(f"{fn}: dh has T = {dh.shape[1]} steps but caches holds {len(caches)}")
    N, T, H = dh.shape
    dnext_h, dnext_c = np.zeros((N, H)), np.zeros((N, H)) if dc_T is None else dc_T
    if dc_T is not None:
        check(fn, "dc_T", dc_T, ("N", "H"), s)
    dxs, grads = [None] * T, None
    for t in reversed(range(T)):
        dx, dnext_h, dnext_c, dWx, dWh, db = lstm_step_backward(dh[:, t] + dnext_h, dnext_c, caches[t])
        dxs[t] = dx
        grads = (dWx, dWh, db) if grads is None else tuple(g + d for g, d in zip(grads, (dWx, dWh, db)))
    return (np.stack(dxs, axis=1), dnext_h, dnext_c) + grads
