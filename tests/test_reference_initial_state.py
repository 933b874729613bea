"""Learned initial states (solutions.initial_state) against PyTorch's autograd.

A learned state is one (H,) parameter broadcast over the batch; its gradient must be
what torch's autograd gives for an nn.Parameter expanded to (N, H): the gradient at
step 0 summed over the batch. The LSTM case runs torch's nn.LSTM from (h0, c0); the GRU
case (the course's cell, Chung et al.'s form, which torch does not have) writes the
notes' equations out in torch and lets autograd differentiate them.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these tests")

from solutions.gru import gru_backward, gru_forward  # noqa: E402
from solutions.initial_state import (learned_initial_state, learned_state_grad,  # noqa: E402
                                     lstm_backward_to_state, lstm_forward_from_state)
from solutions.lstm import lstm_backward, lstm_forward  # noqa: E402

TOL = 1e-10


def test_the_gradient_of_a_shared_vector_is_the_batch_sum():
    """By hand: L = sum_n w_n . s with rows S0[n] = s, so dL/dS0[n] = w_n and dL/ds = sum_n w_n."""
    w = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 0.5]])
    np.testing.assert_array_equal(learned_state_grad(w), [4.5, -1.5])
    np.testing.assert_array_equal(learned_initial_state(np.array([1.0, 2.0]), 3), [[1.0, 2.0]] * 3)


def test_lstm_learned_h0_and_c0_gradients_are_torchs():
    torch.manual_seed(0)
    N, T, D, H = 3, 6, 2, 4
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    s_h = torch.nn.Parameter(torch.randn(H, dtype=torch.float64))
    s_c = torch.nn.Parameter(torch.randn(H, dtype=torch.float64))
    x = torch.randn(N, T, D, dtype=torch.float64)
    G = torch.randn(N, T, H, dtype=torch.float64)                # loss = sum(out * G)
    out, _ = lstm(x, (s_h.expand(N, H)[None], s_c.expand(N, H)[None]))
    (out * G).sum().backward()

    Wx, Wh = lstm.weight_ih_l0.detach().numpy().T, lstm.weight_hh_l0.detach().numpy().T
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
    h0 = learned_initial_state(s_h.detach().numpy(), N)
    c0 = learned_initial_state(s_c.detach().numpy(), N)
    h, _, caches = lstm_forward_from_state(x.numpy(), h0, c0, Wx, Wh, b)
    np.testing.assert_allclose(h, out.detach().numpy(), rtol=TOL, atol=TOL)
    _, dh0, dc0, dWx, _, _ = lstm_backward_to_state(G.numpy(), caches)
    np.testing.assert_allclose(learned_state_grad(dh0), s_h.grad.numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(learned_state_grad(dc0), s_c.grad.numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dWx, lstm.weight_ih_l0.grad.numpy().T, rtol=TOL, atol=TOL)


def test_lstm_from_a_zero_cell_state_matches_the_sequence_reference():
    """With c0 = 0 the step-by-step run and its backward agree with lstm_forward / lstm_backward."""
    rng = np.random.default_rng(1)
    N, T, D, H = 2, 5, 3, 4
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    dh = rng.normal(size=(N, T, H))
    h, _, caches = lstm_forward_from_state(x, h0, np.zeros((N, H)), Wx, Wh, b)
    h_ref, cache = lstm_forward(x, h0, Wx, Wh, b)
    np.testing.assert_allclose(h, h_ref, rtol=1e-12, atol=1e-12)
    mine, ref = lstm_backward_to_state(dh, caches), lstm_backward(dh, cache)
    for a, r in zip(mine[:2] + mine[3:], ref):
        np.testing.assert_allclose(a, r, rtol=1e-10, atol=1e-12)


def _notes_gru_torch(x, h, Wx, Wh, b):
    """The course's GRU (r, z, n; h_t = (1 - z) h_{t-1} + z n) written out in torch."""
    H = h.shape[1]
    hs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ Wx + b
        r = torch.sigmoid(a[:, :H] + h @ Wh[:, :H])
        z = torch.sigmoid(a[:, H:2 * H] + h @ Wh[:, H:2 * H])
        n = torch.tanh(a[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:])
        h = (1 - z) * h + z * n
        hs.append(h)
    return torch.stack(hs, dim=1)


def test_gru_learned_h0_gradient_is_the_batch_sum_of_gru_backwards_dh0():
    rng = np.random.default_rng(2)
    N, T, D, H = 4, 5, 3, 3
    x, s = rng.normal(size=(N, T, D)), rng.normal(size=H)
    Wx, Wh, b = rng.normal(scale=0.6, size=(D, 3 * H)), rng.normal(scale=0.6, size=(H, 3 * H)), rng.normal(size=3 * H)
    G = rng.normal(size=(N, T, H))
    s_t = torch.tensor(s, requires_grad=True)
    T_ = lambda a: torch.from_numpy(a)
    (_notes_gru_torch(T_(x), s_t.expand(N, H), T_(Wx), T_(Wh), T_(b)) * T_(G)).sum().backward()
    _, cache = gru_forward(x, learned_initial_state(s, N), Wx, Wh, b)
    dh0 = gru_backward(G, cache)[1]
    np.testing.assert_allclose(learned_state_grad(dh0), s_t.grad.numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("call, message", [
    (lambda: learned_initial_state(np.zeros((2, 3)), 4), r"s must be a 1-D array of shape \(H,\)"),
    (lambda: learned_initial_state(np.zeros(3), 0), "N must be a positive int"),
    (lambda: learned_state_grad(np.zeros(3)), r"d_state0 must be a 2-D array of shape \(N, H\)"),
])
def test_bad_shapes_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
