"""Does each known mistake get its HINT, and does a correct implementation get none?

The wrong implementations are written here, independently of solutions/variants.py;
the correct ones are PyTorch's cells (RNN, LSTM) or, for the course's GRU convention
(which PyTorch does not implement), written out here from the equations in
docs/design.md.
"""
import numpy as np
import pytest
import torch

from autograder import checks
from autograder.spec import Case, Exercise, HiddenCases
from checks_helpers import all_hints, hint_text, one_exercise_assignment, sigmoid


def _step_inputs(rng, N, D, H, k):
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, k * H)) * 0.5, Wh=rng.standard_normal((H, k * H)) * 0.5,
                b=rng.standard_normal(k * H) * 0.5)


def _lstm_inputs(rng, N, D, H):
    d = _step_inputs(rng, N, D, H, 4)
    d["prev_c"] = rng.standard_normal((N, H))
    return d


def _seq_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H) * 0.5)


def _spec_exercise(grade_id):
    """The exercise of that grade id in the course's specs: its reference and its known mistakes."""
    from autograder import build_data, spec

    return next(ex for aid in build_data.spec_ids() for ex in spec.load(aid).exercises if ex.grade_id == grade_id)


MAKERS = {
    "rnn_step_forward": lambda rng, D, H: _step_inputs(rng, 2, D, H, 1),
    "rnn_forward": lambda rng, D, H: _seq_inputs(rng, 2, 3, D, H),
    "lstm_step_forward": lambda rng, D, H: _lstm_inputs(rng, 2, D, H),
    "gru_step_forward": lambda rng, D, H: _step_inputs(rng, 2, D, H, 3),
}
FAMILIES = {gid: dict(reference=ex.reference, outputs=ex.outputs, make=MAKERS[gid], variants=ex.variants,
                      hints=ex.hints)
            for gid, ex in ((gid, _spec_exercise(gid)) for gid in MAKERS)}


def _exercise(family, D, H, *, hidden=False):
    f = FAMILIES[family]
    rng = np.random.default_rng(11)
    return Exercise(grade_id=family, target=family, kind="function", reference=f["reference"],
                    outputs=f["outputs"], public=(Case(f"D={D}, H={H}", f["make"](rng, D, H)),),
                    hidden=HiddenCases(n=1, seed=5, make_inputs=lambda r: f["make"](r, D, H)) if hidden else None,
                    variants=f["variants"], hints=f["hints"])


def _grade(family, fn, D, H, *, hidden=False):
    ex = _exercise(family, D, H, hidden=hidden)
    return checks.grade_exercise(one_exercise_assignment(ex), family, {family: fn}, hidden=hidden)


# -- correct implementations ------------------------------------------------------------

def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def torch_rnn_step(x, prev_h, Wx, Wh, b):
    cell = torch.nn.RNNCell(Wx.shape[0], Wh.shape[0]).double()
    with torch.no_grad():
        cell.weight_ih.copy_(_t(Wx.T)), cell.weight_hh.copy_(_t(Wh.T))
        cell.bias_ih.copy_(_t(b)), cell.bias_hh.zero_()
        return cell(_t(x), _t(prev_h)).numpy(), None


def torch_rnn_forward(x, h0, Wx, Wh, b):
    rnn = torch.nn.RNN(Wx.shape[0], Wh.shape[0], batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(_t(Wx.T)), rnn.weight_hh_l0.copy_(_t(Wh.T))
        rnn.bias_ih_l0.copy_(_t(b)), rnn.bias_hh_l0.zero_()
        out, _ = rnn(_t(x), _t(h0)[None])
        return out.numpy(), None


def torch_lstm_step(x, prev_h, prev_c, Wx, Wh, b):
    cell = torch.nn.LSTMCell(Wx.shape[0], Wh.shape[0]).double()
    with torch.no_grad():
        cell.weight_ih.copy_(_t(Wx.T)), cell.weight_hh.copy_(_t(Wh.T))
        cell.bias_ih.copy_(_t(b)), cell.bias_hh.zero_()
        h, c = cell(_t(x), (_t(prev_h), _t(prev_c)))
        return h.numpy(), c.numpy(), None


def course_gru_step(x, prev_h, Wx, Wh, b):
    """r, z = sigmoid(x Wx + h Wh + b) (blocks 0, 1); n = tanh(x Wx_n + (r*h) Wh_n + b_n);
    h' = (1 - z) h + z n."""
    H = prev_h.shape[1]
    r = sigmoid(x @ Wx[:, :H] + prev_h @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + prev_h @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + b[2 * H:])
    return (1 - z) * prev_h + z * n, None


CORRECT = {"rnn_step_forward": torch_rnn_step, "rnn_forward": torch_rnn_forward,
           "lstm_step_forward": torch_lstm_step, "gru_step_forward": course_gru_step}


@pytest.mark.parametrize("family", list(CORRECT))
@pytest.mark.parametrize("hidden", [False, True])
def test_a_correct_implementation_gets_full_points_and_no_hint(family, hidden):
    for D, H in ((3, 4), (4, 4)):
        results = _grade(family, CORRECT[family], D, H, hidden=hidden)
        assert results and all(r.passed and r.hint is None and r.score == r.max_score for r in results), results


# -- wrong implementations --------------------------------------------------------------

def rnn_sigmoid(x, prev_h, Wx, Wh, b):
    return sigmoid(x @ Wx + prev_h @ Wh + b), None


def rnn_weights_swapped(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wh + prev_h @ Wx + b), None


def rnn_wh_transposed(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh.T + b), None


def rnn_concat_reversed(x, prev_h, Wx, Wh, b):
    return np.tanh(np.hstack([prev_h, x]) @ np.vstack([Wx, Wh]) + b), None


def rnn_no_bias(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh), None


def rnn_forward_shifted(x, h0, Wx, Wh, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        hs.append(h)                                   # stores h_{t-1}, not h_t
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    return np.stack(hs, axis=1), None


def rnn_forward_sigmoid(x, h0, Wx, Wh, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = sigmoid(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs, axis=1), None


def _lstm_gates(x, prev_h, Wx, Wh, b, g_act=np.tanh):
    a = x @ Wx + prev_h @ Wh + b
    i, f, g, o = np.split(a, 4, axis=1)
    return sigmoid(i), sigmoid(f), g_act(g), sigmoid(o)


def lstm_forget_on_candidate(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, b)
    c = i * prev_c + f * g
    return o * np.tanh(c), c, None


def lstm_h_for_c(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, b)
    c = f * prev_h + i * g
    return o * np.tanh(c), c, None


def lstm_sigmoid_candidate(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, b, g_act=sigmoid)
    c = f * prev_c + i * g
    return o * np.tanh(c), c, None


def lstm_no_bias(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, 0 * b)
    c = f * prev_c + i * g
    return o * np.tanh(c), c, None


def gru_pytorch_convention(x, prev_h, Wx, Wh, b):
    H = prev_h.shape[1]
    r = sigmoid(x @ Wx[:, :H] + prev_h @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + prev_h @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + b[2 * H:])
    return z * prev_h + (1 - z) * n, None


def gru_reset_after(x, prev_h, Wx, Wh, b):
    H = prev_h.shape[1]
    r = sigmoid(x @ Wx[:, :H] + prev_h @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + prev_h @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + r * (prev_h @ Wh[:, 2 * H:]) + b[2 * H:])
    return (1 - z) * prev_h + z * n, None


WRONG = [
    ("rnn_step_forward", rnn_sigmoid, "tanh_sigmoid_swapped", (3, 4)),
    ("rnn_step_forward", rnn_weights_swapped, "weights_swapped", (4, 4)),
    ("rnn_step_forward", rnn_wh_transposed, "recurrent_weights_transposed", (3, 4)),
    ("rnn_step_forward", rnn_concat_reversed, "concat_order_reversed", (3, 4)),
    ("rnn_step_forward", rnn_no_bias, "bias_missing", (3, 4)),
    ("rnn_forward", rnn_forward_shifted, "states_shifted_by_one", (3, 4)),
    ("rnn_forward", rnn_forward_sigmoid, "tanh_sigmoid_swapped", (3, 4)),
    ("lstm_step_forward", lstm_forget_on_candidate, "forget_gate_on_candidate", (3, 4)),
    ("lstm_step_forward", lstm_h_for_c, "prev_h_for_prev_c", (3, 4)),
    ("lstm_step_forward", lstm_sigmoid_candidate, "tanh_sigmoid_swapped", (3, 4)),
    ("lstm_step_forward", lstm_no_bias, "bias_missing", (3, 4)),
    ("gru_step_forward", gru_pytorch_convention, "gru_pytorch_convention", (3, 4)),
    ("gru_step_forward", gru_reset_after, "gru_reset_after_product", (3, 4)),
]


@pytest.mark.parametrize("family, fn, variant, DH", WRONG, ids=[f"{w[0]}-{w[2]}" for w in WRONG])
def test_a_known_mistake_fails_with_its_hint(family, fn, variant, DH):
    (r,) = _grade(family, fn, *DH)
    assert not r.passed and r.score == 0
    assert r.hint == hint_text(variant)
    assert r.message.startswith("Not equal to tolerance")


@pytest.mark.parametrize("family, fn, variant, DH", WRONG[:3], ids=[w[2] for w in WRONG[:3]])
def test_hidden_cases_give_the_hint_but_no_values(family, fn, variant, DH):
    (r,) = _grade(family, fn, *DH, hidden=True)
    assert r.hidden and not r.passed and r.hint == hint_text(variant)
    assert "ACTUAL" not in r.message and "Worst" not in r.message and "Max absolute" not in r.message


def test_an_unrelated_wrong_answer_gets_no_hint():
    (r,) = _grade("rnn_step_forward", lambda **k: (np.zeros((2, 4)), None), 3, 4)
    assert not r.passed and r.hint is None


def test_every_hint_is_one_sentence_starting_with_HINT():
    for name, text in all_hints().items():
        assert text.startswith("HINT: ") and "\n" not in text, name
