"""LSTM: one step, a whole sequence, the gate-level state update, and two variants.

    a_t = x_t Wx + h_{t-1} Wh + b                 split in blocks i, f, g, o (PyTorch's order)
    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g                     (* is the elementwise product)
    h_t = o * tanh(c_t)

i, f, o are the input, forget and output gates, g the candidate cell values.
Sizes: N batch, T time steps, D input features, H hidden units; x_t (N, D),
h_t and c_t (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,).
"""
import numpy as np

from ._validate import check, check_steps
from .activations import _sigmoid_, sigmoid

__all__ = ["lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
           "lstm_state_update", "lstm_peephole_step_forward", "lstm_coupled_step_forward"]


def _check_step(fn, x, prev_h, prev_c, Wx, Wh, b, k=4):
    s = {}
    check(fn, "x", x, ("N", "D"), s)
    check(fn, "prev_h", prev_h, ("N", "H"), s)
    check(fn, "prev_c", prev_c, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", (k, "H")), s)
    check(fn, "Wh", Wh, ("H", (k, "H")), s)
    check(fn, "b", b, ((k, "H"),), s)


def lstm_state_update(prev_c, f, i, g, o):
    """The LSTM's state update from given gate values (scalars or arrays of one shape).

    Example (by hand): prev_c = 1.0, f = 0.4, i = 0.6, g = 0.5, o = 0.7 gives
    next_c = 0.4 * 1.0 + 0.6 * 0.5 = 0.7 and next_h = 0.7 * tanh(0.7) = 0.4231 (4 d.p.).

    Inputs:
    - prev_c: previous cell state c_{t-1}
    - f, i, g, o: forget gate, input gate, candidate values, output gate

    Returns a tuple of:
    - next_c: f * prev_c + i * g
    - next_h: o * tanh(next_c)
    """
    try:
        np.broadcast(prev_c, f, i, g, o)
    except ValueError:
        got = ", ".join(f"{n} {np.shape(v)}" for n, v in zip(("prev_c", "f", "i", "g", "o"), (prev_c, f, i, g, o)))
        raise ValueError(f"lstm_state_update: prev_c, f, i, g, o must have the same shape; got {got}") from None
    next_c = f * prev_c + i * g                          # forget part of the old state, write new
    next_h = o * np.tanh(next_c)                         # expose part of the squashed state
    return next_c, next_h


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    Inputs:
    - x: input of shape (N, D)
    - prev_h: previous hidden state of shape (N, H)
    - prev_c: previous cell state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 4H), blocks i, f, g, o
    - Wh: hidden-to-hidden weights of shape (H, 4H)
    - b: bias of shape (4H,)

    Returns a tuple of:
    - next_h: next hidden state of shape (N, H)
    - next_c: next cell state of shape (N, H)
    - cache: values needed by lstm_step_backward
    """
    _check_step("lstm_step_forward", x, prev_h, prev_c, Wx, Wh, b)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b                         # (N, 4H) pre-activations
    i = sigmoid(a[:, :H])                                # input gate
    f = sigmoid(a[:, H:2 * H])                           # forget gate
    g = np.tanh(a[:, 2 * H:3 * H])                       # candidate values
    o = sigmoid(a[:, 3 * H:])                            # output gate
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dnext_h: upstream gradient on next_h, of shape (N, H)
    - dnext_c: upstream gradient on next_c, of shape (N, H)
    - cache: from lstm_step_forward

    Returns a tuple of:
    - dx: of shape (N, D)
    - dprev_h: of shape (N, H)
    - dprev_c: of shape (N, H)
    - dWx: of shape (D, 4H)
    - dWh: of shape (H, 4H)
    - db: of shape (4H,)
    """
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    s = {}
    fn = "lstm_step_backward"
    check(fn, "next_h (from cache)", tanh_c, ("N", "H"), s)
    check(fn, "dnext_h", dnext_h, ("N", "H"), s)
    check(fn, "dnext_c", dnext_c, ("N", "H"), s)
    do = dnext_h * tanh_c                                # h = o * tanh(c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)   # through tanh(c), plus the direct path
    da = np.concatenate([
        dc * g * i * (1 - i),                            # c = ... + i * g, i = sigmoid(a_i)
        dc * prev_c * f * (1 - f),                       # c = f * c_prev + ..., f = sigmoid(a_f)
        dc * i * (1 - g * g),                            # g = tanh(a_g)
        do * o * (1 - o),                                # o = sigmoid(a_o)
    ], axis=1)                                           # (N, 4H)
    dprev_c = dc * f
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def _ifog(H):
    """Column order i, f, o, g: the three sigmoid gates side by side, so one call activates
    them. Swapping the g and o blocks is its own inverse: it also maps back."""
    return np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]


def lstm_forward(x, h0, Wx, Wh, b):
    """Run an LSTM over a whole sequence, from h0 and c0 = 0 (lstm_step_forward at every step).

    Same maths as lstm_step_forward, arranged for speed: the input projection x_t Wx + b
    of all steps is one matmul, the loop does one matmul (h_{t-1} Wh) per step and writes
    into preallocated buffers; internally the gate columns are in the order i, f, o, g and
    everything is stored time-major (T, N, .) so each step reads contiguous memory.
    h is returned as an (N, T, H) view of the time-major buffer.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: of shape (D, 4H)
    - Wh: of shape (H, 4H)
    - b: of shape (4H,)

    Returns a tuple of:
    - h: hidden states of all steps, of shape (N, T, H)
    - cache: values needed by lstm_backward
    """
    s = {}
    fn = "lstm_forward"
    check(fn, "x", x, ("N", "T", "D"), s)
    check(fn, "h0", h0, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", (4, "H")), s)
    check(fn, "Wh", Wh, ("H", (4, "H")), s)
    check(fn, "b", b, ((4, "H"),), s)
    check_steps(fn, x)
    N, T, D = x.shape
    H = h0.shape[1]
    ifog = _ifog(H)
    Wx, Wh, b = Wx[:, ifog], Wh[:, ifog], b[ifog]        # small copies, gate order i, f, o, g
    xt = x.transpose(1, 0, 2).reshape(T * N, D)          # time-major rows
    gates = (xt @ Wx).reshape(T, N, 4 * H)               # x_t Wx for every t; becomes the gates
    dtype = np.result_type(x, h0, Wx, Wh, b)             # float32 in, float32 out
    gates = gates.astype(dtype, copy=False)
    gates += b
    c = np.empty((T, N, H), dtype)                       # cell states
    tanh_c = np.empty((T, N, H), dtype)
    h = np.empty((T, N, H), dtype)
    rec = np.empty((N, 4 * H), dtype)                    # scratch for h_{t-1} Wh
    ig = np.empty((N, H), dtype)                         # scratch for i * g
    prev_h, prev_c = h0, np.zeros((N, H), dtype)
    for t in range(T):
        a = gates[t]
        a += np.matmul(prev_h, Wh, out=rec)              # a_t = x_t Wx + b + h_{t-1} Wh
        _sigmoid_(a[:, :3 * H])                          # i, f, o
        np.tanh(a[:, 3 * H:], out=a[:, 3 * H:])          # g
        i, f, o, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        prev_c = np.multiply(f, prev_c, out=c[t])        # c_t = f * c_{t-1} + i * g
        prev_c += np.multiply(i, g, out=ig)
        np.tanh(prev_c, out=tanh_c[t])
        prev_h = np.multiply(o, tanh_c[t], out=h[t])     # h_t = o * tanh(c_t)
    return h.transpose(1, 0, 2), (xt, h0, Wx, Wh, gates, c, tanh_c, h)


def lstm_backward(dh, cache):
    """Backward pass of lstm_forward (backpropagation through time).

    Inputs:
    - dh: upstream gradients on every hidden state, of shape (N, T, H)
    - cache: from lstm_forward

    Returns a tuple of:
    - dx: of shape (N, T, D)
    - dh0: of shape (N, H)
    - dWx: of shape (D, 4H)
    - dWh: of shape (H, 4H)
    - db: of shape (4H,)
    """
    xt, h0, Wx, Wh, gates, c, tanh_c, h = cache          # gate columns in the order i, f, o, g
    T, N, H = h.shape
    D = Wx.shape[0]
    s = {}
    check("lstm_backward", "h (from cache)", h.transpose(1, 0, 2), ("N", "T", "H"), s)
    check("lstm_backward", "dh", dh, ("N", "T", "H"), s)
    dtype = np.result_type(dh, h)
    WhT = Wh.T
    da = np.empty((T, N, 4 * H), dtype)                  # gradients on a_t, every t
    dprev_h = np.zeros((N, H), dtype)
    dc = np.zeros((N, H), dtype)                         # carries dprev_c between steps
    dh_t, tmp = np.empty((N, H), dtype), np.empty((N, H), dtype)
    local = np.empty((N, 4 * H), dtype)                  # derivatives of the activations
    zeros = np.zeros((N, H), dtype)
    for t in reversed(range(T)):
        G, da_t, tc = gates[t], da[t], tanh_c[t]
        i, f, o, g = G[:, :H], G[:, H:2 * H], G[:, 2 * H:3 * H], G[:, 3 * H:]
        prev_c = c[t - 1] if t > 0 else zeros
        np.add(dh[:, t], dprev_h, out=dh_t)              # from the output at t and from step t+1
        # h = o * tanh(c): dc += dh * o * (1 - tanh(c)^2)
        np.multiply(tc, tc, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dh_t
        dc += tmp
        # gradients on the gate values: c = f * c_prev + i * g, h = o * tanh(c)
        np.multiply(dc, g, out=da_t[:, :H])              # di
        np.multiply(dc, prev_c, out=da_t[:, H:2 * H])    # df
        np.multiply(dh_t, tc, out=da_t[:, 2 * H:3 * H])  # do
        np.multiply(dc, i, out=da_t[:, 3 * H:])          # dg
        # through the activations: sigmoid' = s * (1 - s) for i, f, o; tanh' = 1 - g^2
        np.subtract(1, G[:, :3 * H], out=local[:, :3 * H])
        local[:, :3 * H] *= G[:, :3 * H]
        np.multiply(g, g, out=local[:, 3 * H:])
        np.subtract(1, local[:, 3 * H:], out=local[:, 3 * H:])
        da_t *= local
        dc *= f                                          # dprev_c
        dprev_h = np.matmul(da_t, WhT, out=dprev_h)      # a_t = ... + h_{t-1} Wh
    # input and parameter gradients of all steps in one matmul each
    da2 = da.reshape(T * N, 4 * H)
    dx = (da2 @ Wx.T).reshape(T, N, D).transpose(1, 0, 2)
    dWx = xt.T @ da2
    dWh = h0.T @ da[0]
    dWh += h[:-1].reshape((T - 1) * N, H).T @ da[1:].reshape((T - 1) * N, 4 * H)
    db = da2.sum(axis=0)
    ifog = _ifog(H)                                      # back to the order i, f, g, o
    return dx, dprev_h, dWx[:, ifog], dWh[:, ifog], db[ifog]


def lstm_peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, p_i, p_f, p_o):
    """One LSTM step with diagonal peephole connections (Gers & Schmidhuber, 2000).

    The gates also see the cell state: i and f the previous one, o the new one.
        i = sigmoid(a_i + p_i * c_{t-1})    f = sigmoid(a_f + p_f * c_{t-1})
        g = tanh(a_g)                       c_t = f * c_{t-1} + i * g
        o = sigmoid(a_o + p_o * c_t)        h_t = o * tanh(c_t)
    With p_i = p_f = p_o = 0 this is lstm_step_forward.

    Inputs: as lstm_step_forward, plus
    - p_i, p_f, p_o: peephole weights of shape (H,) each

    Returns a tuple of:
    - next_h: of shape (N, H)
    - next_c: of shape (N, H)
    """
    fn = "lstm_peephole_step_forward"
    _check_step(fn, x, prev_h, prev_c, Wx, Wh, b)
    s = {}
    check(fn, "prev_h", prev_h, ("N", "H"), s)
    for name, p in (("p_i", p_i), ("p_f", p_f), ("p_o", p_o)):
        check(fn, name, p, ("H",), s)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i = sigmoid(a[:, :H] + p_i * prev_c)
    f = sigmoid(a[:, H:2 * H] + p_f * prev_c)
    g = np.tanh(a[:, 2 * H:3 * H])
    next_c = f * prev_c + i * g
    o = sigmoid(a[:, 3 * H:] + p_o * next_c)             # the output gate peeks at the new state
    return o * np.tanh(next_c), next_c


def lstm_coupled_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One step of an LSTM with coupled input and forget gates (i = 1 - f).

        a_t = x_t Wx + h_{t-1} Wh + b, blocks f, g, o
        c_t = f * c_{t-1} + (1 - f) * g     h_t = o * tanh(c_t)

    Inputs:
    - x: of shape (N, D); prev_h, prev_c: of shape (N, H)
    - Wx: of shape (D, 3H); Wh: of shape (H, 3H); b: of shape (3H,), blocks f, g, o

    Returns a tuple of:
    - next_h: of shape (N, H)
    - next_c: of shape (N, H)
    """
    _check_step("lstm_coupled_step_forward", x, prev_h, prev_c, Wx, Wh, b, k=3)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    f = sigmoid(a[:, :H])
    g = np.tanh(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:])
    next_c = f * prev_c + (1 - f) * g                    # what is forgotten is replaced
    return o * np.tanh(next_c), next_c
