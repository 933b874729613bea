"""Do the numpy RNN, LSTM and GRU cells agree with PyTorch and with numerical gradients?

Two independent oracles:
- PyTorch in float64 (nn.RNNCell, nn.LSTMCell, nn.GRUCell, nn.RNN, nn.LSTM, nn.GRU, and a
  few lines of torch autograd for the course's GRU convention, which torch does not have),
  forward values and autograd gradients of loss = sum(h * upstream), max abs error 1e-10;
- centred-difference numerical gradients (autograder.numgrad), relative error 1e-7.
Weights are random numpy arrays copied into torch with the documented mapping
W_ih = Wx.T, W_hh = Wh.T, b = b_ih + b_hh.
"""
import numpy as np
import pytest

from autograder.numgrad import eval_numerical_gradient, rel_error
from solutions import (gru_backward, gru_forward, gru_step_backward, gru_step_forward, gru_step_forward_pytorch,
                       lstm_backward, lstm_coupled_step_forward, lstm_forward, lstm_peephole_step_forward,
                       lstm_step_backward, lstm_step_forward, rnn_backward, rnn_forward, rnn_step_backward,
                       rnn_step_forward)

N, T, D, H = 3, 5, 4, 6       # small, with all four sizes different so a transposed weight fails
TOL_TORCH = 1e-10
TOL_NUMGRAD = 1e-7
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def make_params(rng, cell, sequence, dtype=np.float64):
    """Random inputs (x, h0[, c0], Wx, Wh, b) for a cell, as a dict in argument order."""
    k = GATES[cell]
    p = {"x": rng.normal(size=(N, T, D) if sequence else (N, D)),
         "h": rng.normal(scale=0.8, size=(N, H))}
    if cell == "lstm" and not sequence:
        p["c"] = rng.normal(size=(N, H))
    p["Wx"] = rng.normal(scale=0.5, size=(D, k * H))
    p["Wh"] = rng.normal(scale=0.5, size=(H, k * H))
    p["b"] = rng.normal(scale=0.5, size=(k * H,))
    return {name: a.astype(dtype) for name, a in p.items()}


# ---------------------------------------------------------------- PyTorch oracle

def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the reference oracle; install the 'test' extra")


def _load(torch, module, Wx, Wh, b_ih, b_hh, suffix=""):
    """Copy numpy weights into a torch RNN module: W_ih = Wx.T, W_hh = Wh.T."""
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(Wx.T))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(Wh.T))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(b_ih))
        getattr(module, "bias_hh" + suffix).copy_(torch.from_numpy(b_hh))


def _split_bias(rng, b):
    """b = b_ih + b_hh with a random split, so the test sees that torch adds both."""
    b_ih = rng.normal(size=b.shape)
    return b_ih, b - b_ih


def _leaf(torch, a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _max_err(numpy_value, torch_value):
    return float(np.max(np.abs(numpy_value - torch_value.detach().numpy())))


def _torch_grads(module, suffix=""):
    """(dWx, dWh, db) from a torch module's .grad, mapped back to the course layout."""
    dWx = getattr(module, "weight_ih" + suffix).grad.numpy().T
    dWh = getattr(module, "weight_hh" + suffix).grad.numpy().T
    db = getattr(module, "bias_ih" + suffix).grad.numpy()       # d loss/d b_ih = d loss/d b
    return dWx, dWh, db


def test_rnn_step_matches_torch_rnncell_forward_and_backward(rng):
    torch = _torch()
    p = make_params(rng, "rnn", sequence=False)
    dnext_h = rng.normal(size=(N, H))
    next_h, cache = rnn_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    grads = rnn_step_backward(dnext_h, cache)

    cell = torch.nn.RNNCell(D, H, nonlinearity="tanh").double()
    _load(torch, cell, p["Wx"], p["Wh"], *_split_bias(rng, p["b"]))
    x, h = _leaf(torch, p["x"]), _leaf(torch, p["h"])
    out = cell(x, h)
    (out * torch.from_numpy(dnext_h)).sum().backward()

    assert _max_err(next_h, out) <= TOL_TORCH
    expected = (x.grad.numpy(), h.grad.numpy(), *_torch_grads(cell))
    for name, got, want in zip(("dx", "dprev_h", "dWx", "dWh", "db"), grads, expected):
        assert np.max(np.abs(got - want)) <= TOL_TORCH, name


def test_rnn_sequence_matches_torch_rnn_forward_and_backward(rng):
    torch = _torch()
    p = make_params(rng, "rnn", sequence=True)
    dh = rng.normal(size=(N, T, H))
    h, cache = rnn_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    grads = rnn_backward(dh, cache)

    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    _load(torch, rnn, p["Wx"], p["Wh"], *_split_bias(rng, p["b"]), suffix="_l0")
    x, h0 = _leaf(torch, p["x"]), _leaf(torch, p["h"])
    out, _ = rnn(x, h0[None])
    (out * torch.from_numpy(dh)).sum().backward()

    assert h.shape == (N, T, H)
    assert _max_err(h, out) <= TOL_TORCH
    expected = (x.grad.numpy(), h0.grad.numpy(), *_torch_grads(rnn, "_l0"))
    for name, got, want in zip(("dx", "dh0", "dWx", "dWh", "db"), grads, expected):
        assert got.shape == want.shape, name
        assert np.max(np.abs(got - want)) <= TOL_TORCH, name


def test_lstm_step_matches_torch_lstmcell_forward_and_backward(rng):
    torch = _torch()
    p = make_params(rng, "lstm", sequence=False)
    dnext_h, dnext_c = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    next_h, next_c, cache = lstm_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"])
    grads = lstm_step_backward(dnext_h, dnext_c, cache)

    cell = torch.nn.LSTMCell(D, H).double()
    _load(torch, cell, p["Wx"], p["Wh"], *_split_bias(rng, p["b"]))
    x, h, c = _leaf(torch, p["x"]), _leaf(torch, p["h"]), _leaf(torch, p["c"])
    out_h, out_c = cell(x, (h, c))
    ((out_h * torch.from_numpy(dnext_h)).sum() + (out_c * torch.from_numpy(dnext_c)).sum()).backward()

    assert _max_err(next_h, out_h) <= TOL_TORCH
    assert _max_err(next_c, out_c) <= TOL_TORCH
    expected = (x.grad.numpy(), h.grad.numpy(), c.grad.numpy(), *_torch_grads(cell))
    for name, got, want in zip(("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"), grads, expected):
        assert np.max(np.abs(got - want)) <= TOL_TORCH, name


def test_lstm_sequence_matches_torch_lstm_forward_and_backward(rng):
    torch = _torch()
    p = make_params(rng, "lstm", sequence=True)
    dh = rng.normal(size=(N, T, H))
    h, cache = lstm_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    grads = lstm_backward(dh, cache)

    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    _load(torch, lstm, p["Wx"], p["Wh"], *_split_bias(rng, p["b"]), suffix="_l0")
    x, h0 = _leaf(torch, p["x"]), _leaf(torch, p["h"])
    out, _ = lstm(x, (h0[None], torch.zeros(1, N, H, dtype=torch.float64)))   # c0 = 0
    (out * torch.from_numpy(dh)).sum().backward()

    assert h.shape == (N, T, H)
    assert _max_err(h, out) <= TOL_TORCH
    expected = (x.grad.numpy(), h0.grad.numpy(), *_torch_grads(lstm, "_l0"))
    for name, got, want in zip(("dx", "dh0", "dWx", "dWh", "db"), grads, expected):
        assert got.shape == want.shape, name
        assert np.max(np.abs(got - want)) <= TOL_TORCH, name


def test_pytorch_convention_gru_step_matches_torch_grucell(rng):
    torch = _torch()
    p = make_params(rng, "gru", sequence=False)
    bx, bh = _split_bias(rng, p["b"])
    next_h = gru_step_forward_pytorch(p["x"], p["h"], p["Wx"], p["Wh"], bx, bh)

    cell = torch.nn.GRUCell(D, H).double()
    _load(torch, cell, p["Wx"], p["Wh"], bx, bh)
    with torch.no_grad():
        out = cell(torch.from_numpy(p["x"]), torch.from_numpy(p["h"]))
    assert _max_err(next_h, out) <= TOL_TORCH


def test_pytorch_convention_gru_steps_reproduce_torch_gru_sequence(rng):
    """Looping gru_step_forward_pytorch over t gives nn.GRU's outputs (single layer, batch first)."""
    torch = _torch()
    p = make_params(rng, "gru", sequence=True)
    bx, bh = _split_bias(rng, p["b"])
    h, hs = p["h"], []
    for t in range(T):
        h = gru_step_forward_pytorch(p["x"][:, t], h, p["Wx"], p["Wh"], bx, bh)
        hs.append(h)

    gru = torch.nn.GRU(D, H, batch_first=True).double()
    _load(torch, gru, p["Wx"], p["Wh"], bx, bh, suffix="_l0")
    with torch.no_grad():
        out, _ = gru(torch.from_numpy(p["x"]), torch.from_numpy(p["h"])[None])
    assert _max_err(np.stack(hs, axis=1), out) <= TOL_TORCH


def _torch_course_gru(torch, x, h, Wx, Wh, b):
    """The course's GRU equations (the notes', Chung et al. 2014's) in torch (autograd gives the gradients).

    r = σ(x Wx_r + h Wh_r + b_r), z = σ(x Wx_z + h Wh_z + b_z),
    n = tanh(x Wx_n + (r ⊙ h) Wh_n + b_n), h' = (1 - z) ⊙ h + z ⊙ n.
    """
    r = torch.sigmoid(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
    z = torch.sigmoid(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
    n = torch.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
    return (1 - z) * h + z * n


def test_course_gru_step_matches_torch_autograd_of_the_same_equations(rng):
    torch = _torch()
    p = make_params(rng, "gru", sequence=False)
    dnext_h = rng.normal(size=(N, H))
    next_h, cache = gru_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    grads = gru_step_backward(dnext_h, cache)

    leaves = [_leaf(torch, p[k]) for k in ("x", "h", "Wx", "Wh", "b")]
    out = _torch_course_gru(torch, *leaves)
    (out * torch.from_numpy(dnext_h)).sum().backward()

    assert _max_err(next_h, out) <= TOL_TORCH
    for name, got, leaf in zip(("dx", "dprev_h", "dWx", "dWh", "db"), grads, leaves):
        assert np.max(np.abs(got - leaf.grad.numpy())) <= TOL_TORCH, name


def test_course_gru_sequence_matches_torch_autograd_of_the_same_equations(rng):
    torch = _torch()
    p = make_params(rng, "gru", sequence=True)
    dh = rng.normal(size=(N, T, H))
    h, cache = gru_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    grads = gru_backward(dh, cache)

    x, h0, Wx, Wh, b = leaves = [_leaf(torch, p[k]) for k in ("x", "h", "Wx", "Wh", "b")]
    ht, outs = h0, []
    for t in range(T):
        ht = _torch_course_gru(torch, x[:, t], ht, Wx, Wh, b)
        outs.append(ht)
    out = torch.stack(outs, dim=1)
    (out * torch.from_numpy(dh)).sum().backward()

    assert h.shape == (N, T, H)
    assert _max_err(h, out) <= TOL_TORCH
    for name, got, leaf in zip(("dx", "dh0", "dWx", "dWh", "db"), grads, leaves):
        assert got.shape == leaf.shape, name
        assert np.max(np.abs(got - leaf.grad.numpy())) <= TOL_TORCH, name


def test_course_gru_is_not_torch_gru_convention(rng):
    """The two GRU conventions are different functions (the notes must not mix them)."""
    p = make_params(rng, "gru", sequence=False)
    course, _ = gru_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    torch_style = gru_step_forward_pytorch(p["x"], p["h"], p["Wx"], p["Wh"], p["b"], np.zeros(3 * H))
    assert np.max(np.abs(course - torch_style)) > 1e-2


def test_peephole_lstm_matches_torch_equations_and_reduces_to_lstm_without_peepholes(rng):
    torch = _torch()
    p = make_params(rng, "lstm", sequence=False)
    p_i, p_f, p_o = (rng.normal(size=H) for _ in range(3))
    next_h, next_c = lstm_peephole_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"], p_i, p_f, p_o)

    # Gers & Schmidhuber's equations, written independently in torch
    x, h, c, Wx, Wh, b = (torch.from_numpy(p[k]) for k in ("x", "h", "c", "Wx", "Wh", "b"))
    ai, af, ag, ao = (x @ Wx + h @ Wh + b).split(H, dim=1)
    i = torch.sigmoid(ai + torch.from_numpy(p_i) * c)
    f = torch.sigmoid(af + torch.from_numpy(p_f) * c)
    c_new = f * c + i * torch.tanh(ag)
    o = torch.sigmoid(ao + torch.from_numpy(p_o) * c_new)
    assert _max_err(next_c, c_new) <= TOL_TORCH
    assert _max_err(next_h, o * torch.tanh(c_new)) <= TOL_TORCH

    zero = np.zeros(H)
    h0, c0 = lstm_peephole_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"], zero, zero, zero)
    h1, c1, _ = lstm_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"])
    assert np.max(np.abs(h0 - h1)) <= 1e-15 and np.max(np.abs(c0 - c1)) <= 1e-15


def test_coupled_lstm_equals_lstm_whose_input_gate_weights_are_minus_the_forget_gate_weights(rng):
    """sigmoid(-a) = 1 - sigmoid(a), so i = 1 - f when the i block is the negated f block."""
    p = make_params(rng, "lstm", sequence=False)
    # coupled parameters: blocks f, g, o
    Wx3, Wh3, b3 = (np.concatenate([w[..., H:2 * H], w[..., 2 * H:3 * H], w[..., 3 * H:]], axis=-1)
                    for w in (p["Wx"], p["Wh"], p["b"]))
    next_h, next_c = lstm_coupled_step_forward(p["x"], p["h"], p["c"], Wx3, Wh3, b3)
    # the same cell as a standard LSTM: i block = -(f block)
    Wx4, Wh4, b4 = (np.concatenate([-w[..., :H], w], axis=-1) for w in (Wx3, Wh3, b3))
    want_h, want_c, _ = lstm_step_forward(p["x"], p["h"], p["c"], Wx4, Wh4, b4)
    assert np.max(np.abs(next_c - want_c)) <= 1e-14
    assert np.max(np.abs(next_h - want_h)) <= 1e-14


# ---------------------------------------------------------------- numerical gradients

def _rnn_step(p, up):
    return lambda: rnn_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[0], \
        lambda: rnn_step_backward(up[0], rnn_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[1])


def _lstm_step(p, up):
    def forward():
        return lstm_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"])[:2]

    def backward():
        return lstm_step_backward(up[0], up[1], lstm_step_forward(p["x"], p["h"], p["c"], p["Wx"], p["Wh"], p["b"])[2])
    return forward, backward


def _sequence(forward_fn, backward_fn):
    def make(p, up):
        return (lambda: forward_fn(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[0],
                lambda: backward_fn(up[0], forward_fn(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[1]))
    return make


def _gru_step(p, up):
    return lambda: gru_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[0], \
        lambda: gru_step_backward(up[0], gru_step_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])[1])


NUMGRAD_CASES = {
    # name: (cell, sequence, builder, number of upstream gradients)
    "rnn_step_backward": ("rnn", False, _rnn_step, 1),
    "rnn_backward": ("rnn", True, _sequence(rnn_forward, rnn_backward), 1),
    "lstm_step_backward": ("lstm", False, _lstm_step, 2),
    "lstm_backward": ("lstm", True, _sequence(lstm_forward, lstm_backward), 1),
    "gru_step_backward": ("gru", False, _gru_step, 1),
    "gru_backward": ("gru", True, _sequence(gru_forward, gru_backward), 1),
}


@pytest.mark.parametrize("name", list(NUMGRAD_CASES))
def test_backward_agrees_with_numerical_gradients(name, rng):
    """Every gradient of every backward matches centred differences of
    loss = sum(out * upstream) to a relative error of 1e-7 (float64, h = 1e-5).

    The relative error is taken over each whole gradient array,
    ||analytic - numeric|| / (||analytic|| + ||numeric||). The centred difference itself
    carries an absolute error near eps * |loss| / h ~ 1e-10, so CS231n's elementwise
    rel_error can exceed 1e-7 on an entry that is merely small (1e-4) without any bug;
    each entry is held to an absolute error of 1e-8 instead (a wrong term in a backward
    gives errors of 1e-3 or more)."""
    cell, sequence, build, n_up = NUMGRAD_CASES[name]
    p = make_params(rng, cell, sequence)
    shape = (N, T, H) if sequence else (N, H)
    up = [rng.normal(size=shape) for _ in range(n_up)]
    forward, backward = build(p, up)

    def loss(_):
        outs = forward()
        outs = outs if isinstance(outs, tuple) else (outs,)
        return sum(np.sum(o * u) for o, u in zip(outs, up))

    analytic = backward()
    assert len(analytic) == len(p)
    for (arg, a), grad in zip(p.items(), analytic):
        assert grad.shape == a.shape, arg
        numeric = eval_numerical_gradient(loss, a)        # perturbs p[arg] in place
        err = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
        assert err <= TOL_NUMGRAD, (arg, err, rel_error(grad, numeric))
        assert np.max(np.abs(grad - numeric)) <= 1e-8, arg


# ---------------------------------------------------------------- dtype

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_float32_inputs_stay_float32_through_forward_and_backward(cell, rng):
    forward, backward = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward),
                         "gru": (gru_forward, gru_backward)}[cell]
    p32 = make_params(rng, cell, sequence=True, dtype=np.float32)
    dh = rng.normal(size=(N, T, H)).astype(np.float32)
    h32, cache = forward(*p32.values())
    grads32 = backward(dh, cache)
    assert h32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads32)
    # and agree with the float64 computation to float32 precision
    h64, cache64 = forward(*(a.astype(np.float64) for a in p32.values()))
    assert np.max(np.abs(h32 - h64)) <= 1e-5
    for g32, g64 in zip(grads32, backward(dh.astype(np.float64), cache64)):
        assert np.max(np.abs(g32 - g64)) <= 1e-4 * max(1.0, np.max(np.abs(g64)))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sequence_forward_equals_the_step_function_applied_at_every_step(cell, rng):
    p = make_params(rng, cell, sequence=True)
    forward, step = {"rnn": (rnn_forward, rnn_step_forward), "lstm": (lstm_forward, lstm_step_forward),
                     "gru": (gru_forward, gru_step_forward)}[cell]
    h_seq, _ = forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    h, c = p["h"], np.zeros((N, H))
    for t in range(T):
        if cell == "lstm":
            h, c, _ = step(p["x"][:, t], h, c, p["Wx"], p["Wh"], p["b"])
        else:
            h, _ = step(p["x"][:, t], h, p["Wx"], p["Wh"], p["b"])
        assert np.max(np.abs(h_seq[:, t] - h)) <= 1e-13, t
