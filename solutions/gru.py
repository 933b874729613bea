"""The GRU in the course's convention (the notes', Chung et al. 2014's) and PyTorch's GRU cell.

Course convention, the one the notes write (also Chung et al., 2014, and Colah's blog),
blocks r, z, n of Wx (D, 3H), Wh (H, 3H), b (3H,):
    r = sigmoid(x_t Wx_r + h_{t-1} Wh_r + b_r)            reset gate
    z = sigmoid(x_t Wx_z + h_{t-1} Wh_z + b_z)            update gate
    n = tanh(x_t Wx_n + (r * h_{t-1}) Wh_n + b_n)         candidate state
    h_t = (1 - z) * h_{t-1} + z * n

Cho et al. (2014), who introduced the GRU, and Keras's GRU with reset_after=False let z
keep the old state, h_t = z * h_{t-1} + (1 - z) * n, with the same candidate: the same
cell with the z block of Wx, Wh, b negated.

PyTorch's nn.GRUCell (and Keras's default, reset_after=True) lets z keep the old state as
Cho et al. do, has two biases, and applies the reset gate after the matmul (the first
arXiv version of Cho et al.'s paper did; the published one resets first):
n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n)), h_t = (1 - z) * n + z * h_{t-1}.
It and the course's cell are different functions: no renaming of weights maps one onto
the other for every input.

Sizes: N batch, T time steps, D input features, H hidden units.
"""
import numpy as np

from ._validate import check, check_steps
from .activations import _sigmoid_, sigmoid

__all__ = ["gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward",
           "gru_state_update", "gru_step_forward_pytorch"]


def _check_step(fn, x, prev_h, Wx, Wh, b, bname="b"):
    s = {}
    check(fn, "x", x, ("N", "D"), s)
    check(fn, "prev_h", prev_h, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", (3, "H")), s)
    check(fn, "Wh", Wh, ("H", (3, "H")), s)
    check(fn, bname, b, ((3, "H"),), s)


def gru_state_update(prev_h, z, h_tilde):
    """The GRU's state update: next_h = (1 - z) * prev_h + z * h_tilde (scalars or arrays).

    z = 0 keeps the old state, z = 1 replaces it with the candidate h_tilde.
    """
    try:
        np.broadcast(prev_h, z, h_tilde)
    except ValueError:
        got = ", ".join(f"{n} {np.shape(v)}" for n, v in zip(("prev_h", "z", "h_tilde"), (prev_h, z, h_tilde)))
        raise ValueError(f"gru_state_update: prev_h, z, h_tilde must have the same shape; got {got}") from None
    return (1 - z) * prev_h + z * h_tilde


def gru_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a GRU (course convention).

    Inputs:
    - x: input of shape (N, D)
    - prev_h: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 3H), blocks r, z, n
    - Wh: hidden-to-hidden weights of shape (H, 3H)
    - b: bias of shape (3H,)

    Returns a tuple of:
    - next_h: next hidden state of shape (N, H)
    - cache: values needed by gru_step_backward
    """
    _check_step("gru_step_forward", x, prev_h, Wx, Wh, b)
    H = prev_h.shape[1]
    xa = x @ Wx + b                                      # (N, 3H) input part of all blocks
    rz = sigmoid(xa[:, :2 * H] + prev_h @ Wh[:, :2 * H])  # reset and update gates
    r, z = rz[:, :H], rz[:, H:]
    rh = r * prev_h                                      # reset the old state
    n = np.tanh(xa[:, 2 * H:] + rh @ Wh[:, 2 * H:])      # candidate
    next_h = (1 - z) * prev_h + z * n
    return next_h, (x, prev_h, Wx, Wh, r, z, n, rh)


def gru_step_backward(dnext_h, cache):
    """Backward pass of one GRU step (course convention).

    Inputs:
    - dnext_h: upstream gradient on next_h, of shape (N, H)
    - cache: from gru_step_forward

    Returns a tuple of:
    - dx: of shape (N, D)
    - dprev_h: of shape (N, H)
    - dWx: of shape (D, 3H)
    - dWh: of shape (H, 3H)
    - db: of shape (3H,)
    """
    x, prev_h, Wx, Wh, r, z, n, rh = cache
    s = {}
    check("gru_step_backward", "next_h (from cache)", n, ("N", "H"), s)
    check("gru_step_backward", "dnext_h", dnext_h, ("N", "H"), s)
    H = prev_h.shape[1]
    da_n = dnext_h * z * (1 - n * n)                     # h = ... + z * n, n = tanh(a_n)
    drh = da_n @ Wh[:, 2 * H:].T                         # a_n = ... + (r * h) Wh_n
    da_r = drh * prev_h * r * (1 - r)                    # r = sigmoid(a_r)
    da_z = dnext_h * (n - prev_h) * z * (1 - z)          # h = h_prev + z * (n - h_prev)
    da = np.concatenate([da_r, da_z, da_n], axis=1)      # (N, 3H)
    dprev_h = dnext_h * (1 - z) + drh * r + da[:, :2 * H] @ Wh[:, :2 * H].T
    dx = da @ Wx.T
    dWx = x.T @ da
    dWh = np.concatenate([prev_h.T @ da[:, :2 * H], rh.T @ da_n], axis=1)
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def gru_forward(x, h0, Wx, Wh, b):
    """Run a GRU (course convention) over a whole sequence (gru_step_forward at every step).

    The input projection x_t Wx + b of all steps is one matmul. Internals are stored
    time-major (T, N, .); h is returned as an (N, T, H) view.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: of shape (D, 3H); Wh: of shape (H, 3H); b: of shape (3H,)

    Returns a tuple of:
    - h: hidden states of all steps, of shape (N, T, H)
    - cache: values needed by gru_backward
    """
    s = {}
    fn = "gru_forward"
    check(fn, "x", x, ("N", "T", "D"), s)
    check(fn, "h0", h0, ("N", "H"), s)
    check(fn, "Wx", Wx, ("D", (3, "H")), s)
    check(fn, "Wh", Wh, ("H", (3, "H")), s)
    check(fn, "b", b, ((3, "H"),), s)
    check_steps(fn, x)
    N, T, D = x.shape
    H = h0.shape[1]
    xt = x.transpose(1, 0, 2).reshape(T * N, D)
    gates = (xt @ Wx).reshape(T, N, 3 * H)               # x_t Wx for every t; becomes r, z, n
    dtype = np.result_type(x, h0, Wx, Wh, b)             # float32 in, float32 out
    gates = gates.astype(dtype, copy=False)
    gates += b
    Wh_rz, Wh_n = np.ascontiguousarray(Wh[:, :2 * H]), np.ascontiguousarray(Wh[:, 2 * H:])
    rh = np.empty((T, N, H), dtype)                      # r * h_{t-1}, kept for dWh
    h = np.empty((T, N, H), dtype)
    rec_rz, rec_n = np.empty((N, 2 * H), dtype), np.empty((N, H), dtype)   # matmul scratch
    prev_h = h0
    for t in range(T):
        a = gates[t]
        rz = a[:, :2 * H]
        rz += np.matmul(prev_h, Wh_rz, out=rec_rz)
        _sigmoid_(rz)                                    # r, z
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        np.multiply(r, prev_h, out=rh[t])                # reset the old state
        n += np.matmul(rh[t], Wh_n, out=rec_n)
        np.tanh(n, out=n)                                # candidate
        # h_t = (1 - z) * h_{t-1} + z * n = h_{t-1} + z * (n - h_{t-1})
        ht = np.subtract(n, prev_h, out=h[t])
        ht *= z
        ht += prev_h
        prev_h = ht
    return h.transpose(1, 0, 2), (xt, h0, Wx, Wh, gates, rh, h)


def gru_backward(dh, cache):
    """Backward pass of gru_forward (backpropagation through time).

    Inputs:
    - dh: upstream gradients on every hidden state, of shape (N, T, H)
    - cache: from gru_forward

    Returns a tuple of:
    - dx: of shape (N, T, D)
    - dh0: of shape (N, H)
    - dWx: of shape (D, 3H)
    - dWh: of shape (H, 3H)
    - db: of shape (3H,)
    """
    xt, h0, Wx, Wh, gates, rh, h = cache
    T, N, H = h.shape
    D = Wx.shape[0]
    s = {}
    check("gru_backward", "h (from cache)", h.transpose(1, 0, 2), ("N", "T", "H"), s)
    check("gru_backward", "dh", dh, ("N", "T", "H"), s)
    dtype = np.result_type(dh, h)
    Wh_rzT, Wh_nT = np.ascontiguousarray(Wh[:, :2 * H].T), np.ascontiguousarray(Wh[:, 2 * H:].T)
    da = np.empty((T, N, 3 * H), dtype)                  # gradients on the pre-activations
    dprev_h = np.zeros((N, H), dtype)
    dh_t, drh = np.empty((N, H), dtype), np.empty((N, H), dtype)
    local = np.empty((N, 3 * H), dtype)                  # derivatives of the activations
    for t in reversed(range(T)):
        a, da_t = gates[t], da[t]
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        prev_h = h[t - 1] if t > 0 else h0
        np.add(dh[:, t], dprev_h, out=dh_t)              # from the output at t and from step t+1
        # through the activations: sigmoid' = s * (1 - s) for r, z; tanh' = 1 - n^2
        np.subtract(1, a[:, :2 * H], out=local[:, :2 * H])
        local[:, :2 * H] *= a[:, :2 * H]
        np.multiply(n, n, out=local[:, 2 * H:])
        np.subtract(1, local[:, 2 * H:], out=local[:, 2 * H:])
        da_n = np.multiply(dh_t, z, out=da_t[:, 2 * H:])  # h = ... + z * n
        da_n *= local[:, 2 * H:]                         # n = tanh(a_n)
        np.matmul(da_n, Wh_nT, out=drh)                  # a_n = ... + (r * h_prev) Wh_n
        np.multiply(drh, prev_h, out=da_t[:, :H])        # r * h_prev
        da_z = np.subtract(n, prev_h, out=da_t[:, H:2 * H])   # h = h_prev + z * (n - h_prev)
        da_z *= dh_t
        da_t[:, :2 * H] *= local[:, :2 * H]              # r, z = sigmoid(a_r), sigmoid(a_z)
        # h_prev reaches h_t directly, through r * h_prev, and through a_r, a_z
        dprev_h = np.matmul(da_t[:, :2 * H], Wh_rzT, out=dprev_h)
        drh *= r
        dprev_h += drh
        np.subtract(1, z, out=local[:, :H])              # (scratch reuse) 1 - z
        local[:, :H] *= dh_t
        dprev_h += local[:, :H]
    # input and parameter gradients of all steps in one matmul each
    da2 = da.reshape(T * N, 3 * H)
    dx = (da2 @ Wx.T).reshape(T, N, D).transpose(1, 0, 2)
    dWx = xt.T @ da2
    dWh = np.empty_like(Wh, dtype=dtype)
    dWh[:, :2 * H] = h0.T @ da[0, :, :2 * H]
    dWh[:, :2 * H] += h[:-1].reshape((T - 1) * N, H).T @ da[1:, :, :2 * H].reshape((T - 1) * N, 2 * H)
    dWh[:, 2 * H:] = rh.reshape(T * N, H).T @ da2[:, 2 * H:]
    db = da2.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def gru_step_forward_pytorch(x, prev_h, Wx, Wh, bx, bh):
    """One step of PyTorch's nn.GRUCell, in the course's row-vector layout.

        r = sigmoid(x Wx_r + bx_r + h Wh_r + bh_r)
        z = sigmoid(x Wx_z + bx_z + h Wh_z + bh_z)
        n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n))
        h_t = (1 - z) * n + z * h_{t-1}
    With a GRUCell ``cell``: Wx = cell.weight_ih.T, Wh = cell.weight_hh.T,
    bx = cell.bias_ih, bh = cell.bias_hh (blocks r, z, n). The biases cannot be merged:
    bh_n sits inside the reset.

    Inputs:
    - x: of shape (N, D); prev_h: of shape (N, H)
    - Wx: of shape (D, 3H); Wh: of shape (H, 3H); bx, bh: of shape (3H,)

    Returns:
    - next_h: of shape (N, H)
    """
    fn = "gru_step_forward_pytorch"
    _check_step(fn, x, prev_h, Wx, Wh, bx, bname="bx")
    check(fn, "bh", bh, ((3, "H"),), {"H": (prev_h.shape[1], "prev_h", ("N", "H"), prev_h.shape)})
    H = prev_h.shape[1]
    gi = x @ Wx + bx                                     # (N, 3H)
    gh = prev_h @ Wh + bh                                # (N, 3H)
    rz = sigmoid(gi[:, :2 * H] + gh[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])       # reset applied after the matmul
    return (1 - z) * n + z * prev_h
