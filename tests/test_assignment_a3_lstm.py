"""a3_lstm through nbgrader (shared checks of nbgrader_harness) and its own references."""
import math

import numpy as np
import pytest
import torch

from nbgrader_harness import NbgraderAssignmentChecks

from autograder.spec import load


@pytest.mark.slow
class TestA3LstmThroughNbgrader(NbgraderAssignmentChecks):
    assignment_id = "a3_lstm"


def test_lecture_examples_match_the_hand_formulas():
    """c = f c_prev + i g and h = o tanh(c), written with math.tanh; the slides' rounded values.

    Rows: 0.51 (h with o = 1), 0.48, 0.63, h = 0.332 from c = 0.8, c = 0.7 with h = 0.423,
    h = 0.400 from c = 1.1.
    """
    from solutions.assignments.a3_lstm import LECTURE_EXAMPLES, lecture_examples

    hand = [(f * pc + i * g, o * math.tanh(f * pc + i * g)) for pc, f, i, g, o in LECTURE_EXAMPLES]
    np.testing.assert_allclose(lecture_examples(), hand, rtol=1e-14)
    c, h = lecture_examples().T
    assert [round(v, 2) for v in c[:3]] == [0.51, 0.48, 0.63]
    assert round(h[3], 3) == 0.332 and round(c[4], 2) == 0.7 and round(h[4], 3) == 0.423 and round(h[5], 3) == 0.400


def test_the_specs_six_examples_are_the_references():
    from solutions.assignments.a3_lstm import LECTURE_EXAMPLES

    case = load("a3_lstm").exercise("lstm_state_update").public[0]
    got = np.stack([case.inputs[k] for k in ("prev_c", "f", "i", "g", "o")], axis=1)
    np.testing.assert_array_equal(got, LECTURE_EXAMPLES)


def test_lstm_gates_in_block_order_i_f_g_o_reproduce_torch_lstmcell():
    """torch.nn.LSTMCell with weight_ih = Wx.T, weight_hh = Wh.T, bias_ih = b, bias_hh = 0."""
    from solutions.lstm import lstm_state_update
    from solutions.assignments.a3_lstm import lstm_gates

    rng = np.random.default_rng(3)
    N, D, H = 3, 4, 5
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H)
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(Wx.T))
        cell.weight_hh.copy_(torch.tensor(Wh.T))
        cell.bias_ih.copy_(torch.tensor(b))
        cell.bias_hh.zero_()
        th, tc = cell(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
    i, f, g, o = lstm_gates(x, h, Wx, Wh, b)
    next_c, next_h = lstm_state_update(c, f, i, g, o)
    np.testing.assert_allclose(next_c, tc.numpy(), rtol=1e-12)
    np.testing.assert_allclose(next_h, th.numpy(), rtol=1e-12)


def test_backward_variants_differ_from_torch_autograd_only_where_they_claim():
    """dprev_c without f differs in dprev_c only; the reference matches torch autograd."""
    from solutions.lstm import lstm_step_backward, lstm_step_forward
    from solutions.variants import VARIANTS

    rng = np.random.default_rng(4)
    N, D, H = 2, 3, 4
    inputs = dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                  prev_c=rng.standard_normal((N, H)), Wx=rng.standard_normal((D, 4 * H)),
                  Wh=rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in inputs.items()}
    a = t["x"] @ t["Wx"] + t["prev_h"] @ t["Wh"] + t["b"]
    i, f, g, o = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H]), torch.tanh(a[:, 2 * H:3 * H]), torch.sigmoid(a[:, 3 * H:])
    c = f * t["prev_c"] + i * g
    h = o * torch.tanh(c)
    ((h * torch.tensor(dh)).sum() + (c * torch.tensor(dc)).sum()).backward()
    names = ("x", "prev_h", "prev_c", "Wx", "Wh", "b")
    _, _, cache = lstm_step_forward(**inputs)
    ref = lstm_step_backward(dh, dc, cache)
    for name, got in zip(names, ref):
        np.testing.assert_allclose(got, t[name].grad.numpy(), rtol=1e-10, atol=1e-12)
    wrong = VARIANTS["solutions.lstm:lstm_step_backward"]["dprev_c_without_forget_gate"](dh, dc, **inputs)
    differs = [n for n, w, r in zip(names, wrong, ref) if not np.allclose(w, r)]
    assert differs == ["prev_c"]
