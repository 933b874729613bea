"""a1_rnn through nbgrader (shared checks of nbgrader_harness) and its own facts."""
import numpy as np
import pytest
import torch

from nbgrader_harness import NbgraderAssignmentChecks

from autograder.spec import load


@pytest.mark.slow
class TestA1RnnThroughNbgrader(NbgraderAssignmentChecks):
    assignment_id = "a1_rnn"


def test_worked_example_reference_matches_a_hand_recurrence():
    """h_t = tanh(2 x_t + 0.5 h_{t-1} + 0.1) from h_0 = 0, written out with math.tanh.

    The slides' 0.634 and 0.839 for h_2, h_3 carry an arithmetic slip (they use
    0.5 * 0.291 + 0.4 + 0.1 = 0.748 where the sum is 0.6457); the reference must not.
    """
    import math

    from solutions.assignments.a1_rnn import worked_example_h

    h, hs = 0.0, []
    for x in (0.1, 0.2, 0.3):
        h = math.tanh(2.0 * x + 0.5 * h + 0.1)
        hs.append(h)
    np.testing.assert_allclose(worked_example_h(), hs, rtol=1e-12)
    assert round(hs[0], 3) == 0.291


def test_activations_at_2_match_torch():
    """Rows z = 2, -2; columns tanh, sigmoid, relu; the notes' 0.964, 0.881/0.119, 2.0/0."""
    from solutions.assignments.a1_rnn import activations_at_2

    z = torch.tensor([2.0, -2.0], dtype=torch.float64)
    expected = torch.stack([torch.tanh(z), torch.sigmoid(z), torch.relu(z)], dim=1).numpy()
    np.testing.assert_allclose(activations_at_2(), expected, rtol=1e-12)
    np.testing.assert_allclose(np.round(activations_at_2(), 3), [[0.964, 0.881, 2.0], [-0.964, 0.119, 0.0]])


def test_activation_derivatives_reference_matches_torch_autograd():
    from solutions.assignments.a1_rnn import activation_derivatives

    z = np.random.default_rng(0).uniform(-3, 3, size=(4, 5))
    got = activation_derivatives(z)
    for fn, g in zip((torch.tanh, torch.sigmoid, torch.relu), got):
        zt = torch.tensor(z, requires_grad=True)
        fn(zt).sum().backward()
        np.testing.assert_allclose(g, zt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_many_to_one_and_many_to_many_references_match_torch_rnn():
    """nn.RNN (tanh) with weight_ih = Wx.T, weight_hh = Wh.T, bias_ih = b, bias_hh = 0, then Linear + softmax."""
    from solutions.assignments.a1_rnn import many_to_many_forward, many_to_one_forward

    rng = np.random.default_rng(1)
    N, T, D, H, V = 3, 5, 4, 6, 3
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)) * 0.5, rng.standard_normal(H)
    Wy, by = rng.standard_normal((H, V)), rng.standard_normal(V)
    rnn = torch.nn.RNN(D, H, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(Wx.T))
        rnn.weight_hh_l0.copy_(torch.tensor(Wh.T))
        rnn.bias_ih_l0.copy_(torch.tensor(b))
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(torch.tensor(x), torch.tensor(h0)[None])
        probs = torch.softmax(out @ torch.tensor(Wy) + torch.tensor(by), dim=-1).numpy()
    np.testing.assert_allclose(many_to_many_forward(x, h0, Wx, Wh, b, Wy, by), probs, rtol=1e-10)
    np.testing.assert_allclose(many_to_one_forward(x, h0, Wx, Wh, b, Wy, by), probs[:, -1], rtol=1e-10)


def test_hidden_cases_use_other_shapes_than_the_public_ones():
    spec = load("a1_rnn")
    for ex in spec.exercises:
        public = {tuple(np.shape(v) for v in c.inputs.values()) for c in ex.public}
        for case in ex.cases(hidden=True):
            assert tuple(np.shape(v) for v in case.inputs.values()) not in public, (ex.grade_id, case.name)
