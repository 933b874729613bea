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


def gru_cho_update(x, prev_h, Wx, Wh, b):
    """Cho et al. (2014) and d2l.ai: z keeps the old state; the reset before the product."""
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
    ("gru_step_forward", gru_cho_update, "gru_cho_convention", (3, 4)),
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


# -- a known mistake reaches every exercise built on it ---------------------------------
#
# A student's mistake in a cell shows in every exercise that runs the cell: the step, the
# sequence, the classifiers and architectures around it, and the step backward, whose
# grader calls the student's own forward (a backward consistent with a wrong forward
# returns the gradients of that forward). The students below are written here the way
# someone with that habit writes them (a CS231n LSTM packs i, f, o, g in the forward and in
# the backward). The code around the cell (rnn_forward, many_to_one_forward, run_rnn, ...)
# is the source notebook's, run with the student's cell in place.

def _notebook(assignment_id, *cell_ids):
    from samples import source_notebook

    nb = source_notebook(assignment_id)
    namespace = {"np": np}
    for cell_id in cell_ids:
        (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
        exec(compile(cell.source, f"{assignment_id}:{cell_id}", "exec"), namespace)
    return namespace


_RNN_LAYOUTS = {    # pre-activation a, and (dx, dprev_h, dWx, dWh) from da
    None: (lambda x, h, Wx, Wh: x @ Wx + h @ Wh,
           lambda da, x, h, Wx, Wh: (da @ Wx.T, da @ Wh.T, x.T @ da, h.T @ da)),
    "weights_swapped": (lambda x, h, Wx, Wh: x @ Wh + h @ Wx,
                        lambda da, x, h, Wx, Wh: (da @ Wh.T, da @ Wx.T, h.T @ da, x.T @ da)),
    "recurrent_weights_transposed": (lambda x, h, Wx, Wh: x @ Wx + h @ Wh.T,
                                     lambda da, x, h, Wx, Wh: (da @ Wx.T, da @ Wh, x.T @ da, da.T @ h)),
    "pytorch_weights_transposed": (lambda x, h, Wx, Wh: x @ Wx.T + h @ Wh.T,       # W_ih of shape (H, D)
                                   lambda da, x, h, Wx, Wh: (da @ Wx, da @ Wh, da.T @ x, da.T @ h)),
}


def _concat_reversed_backward(da, x, h, Wx, Wh):
    W, H = np.vstack([Wx, Wh]), h.shape[1]
    dhx, dW = da @ W.T, np.hstack([h, x]).T @ da
    return dhx[:, H:], dhx[:, :H], dW[:Wx.shape[0]], dW[Wx.shape[0]:]


_RNN_LAYOUTS["concat_order_reversed"] = (lambda x, h, Wx, Wh: np.hstack([h, x]) @ np.vstack([Wx, Wh]),
                                         _concat_reversed_backward)     # Coursera's [a_prev, x]


def rnn_student(mistake=None):
    """rnn_step_forward and a backward consistent with it (db = da.sum(axis=0) even without b)."""
    pre, back = _RNN_LAYOUTS.get(mistake, _RNN_LAYOUTS[None])
    gate = mistake == "tanh_sigmoid_swapped"

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        a = pre(x, prev_h, Wx, Wh) + (0 if mistake == "bias_missing" else b)
        next_h = sigmoid(a) if gate else np.tanh(a)
        return next_h, (x, prev_h, Wx, Wh, next_h)

    def rnn_step_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        da = dnext_h * (next_h * (1 - next_h) if gate else 1 - next_h ** 2)
        return (*back(da, x, prev_h, Wx, Wh), da.sum(axis=0))

    return {"rnn_step_forward": rnn_step_forward, "rnn_step_backward": rnn_step_backward}


_LSTM_ORDERS = {"cs231n_block_order": "ifog", "tensorflow_lstm_cell": "igfo", "tensorflow_block_order": "igfo"}


def lstm_student(mistake=None):
    """lstm_gates, lstm_state_update, the step calling them, and a full step backward consistent
    with them, with the blocks packed (forward and backward) in the student's order."""
    order = _LSTM_ORDERS.get(mistake, "ifgo")
    forget_bias = 1.0 if mistake in ("tensorflow_lstm_cell", "forget_bias_added") else 0.0
    sigmoid_g = mistake == "tanh_sigmoid_swapped"
    swapped = mistake == "weights_swapped"

    def lstm_gates(x, prev_h, Wx, Wh, b):
        if swapped:
            Wx, Wh = Wh, Wx
        a = x @ Wx + prev_h @ Wh + (0 if mistake == "bias_missing" else b)
        blocks = dict(zip(order, np.split(a, 4, axis=1)))
        g = sigmoid(blocks["g"]) if sigmoid_g else np.tanh(blocks["g"])
        return sigmoid(blocks["i"]), sigmoid(blocks["f"] + forget_bias), g, sigmoid(blocks["o"])

    def lstm_state_update(prev_c, f, i, g, o):
        if mistake == "forget_gate_missing":
            next_c = prev_c + i * g
        elif mistake == "forget_gate_on_candidate":
            next_c = i * prev_c + f * g
        else:
            next_c = f * prev_c + i * g
        return next_c, o * (next_c if mistake == "hidden_without_tanh" else np.tanh(next_c))

    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        i, f, g, o = lstm_gates(x, prev_h, Wx, Wh, b)
        old_c = prev_h if mistake == "prev_h_for_prev_c" else prev_c
        next_c, next_h = lstm_state_update(old_c, f, i, g, o)
        return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c)

    def lstm_step_backward(dnext_h, dnext_c, cache):
        x, prev_h, prev_c, Wx, Wh, i, f, g, o, c = cache
        old_c = prev_h if mistake == "prev_h_for_prev_c" else prev_c
        if mistake == "hidden_without_tanh":
            do, dc = dnext_h * c, dnext_c + dnext_h * o
        else:
            t = np.tanh(c)
            do, dc = dnext_h * t, dnext_c + dnext_h * o * (1 - t ** 2)
        if mistake == "forget_gate_missing":
            di, df, dg, dold = dc * g, 0 * dc, dc * i, dc
        elif mistake == "forget_gate_on_candidate":
            di, df, dg, dold = dc * old_c, dc * g, dc * f, dc * i
        else:
            di, df, dg, dold = dc * g, dc * old_c, dc * i, dc * f
        da_of = {"i": di * i * (1 - i), "f": df * f * (1 - f), "o": do * o * (1 - o),
                 "g": dg * (g * (1 - g) if sigmoid_g else 1 - g ** 2)}
        da = np.concatenate([da_of[k] for k in order], axis=1)
        A, B = (Wh, Wx) if swapped else (Wx, Wh)             # a = x A + prev_h B + b
        dx, dprev_h, dA, dB = da @ A.T, da @ B.T, x.T @ da, prev_h.T @ da
        dWx, dWh = (dB, dA) if swapped else (dA, dB)
        if mistake == "prev_h_for_prev_c":
            dprev_h, dprev_c = dprev_h + dold, 0 * dold
        else:
            dprev_c = dold
        return dx, dprev_h, dprev_c, dWx, dWh, da.sum(axis=0)

    return {"lstm_gates": lstm_gates, "lstm_state_update": lstm_state_update,
            "lstm_step_forward": lstm_step_forward, "lstm_step_backward": lstm_step_backward}


def gru_student(mistake=None):
    """gru_state_update, gru_candidate and a step with the same habits (a4's step is written
    out in full, not from the two cells)."""
    order = "zrn" if mistake in ("gru_keras_block_order", "gru_keras_convention") else "rzn"
    z_keeps = mistake in ("gru_cho_convention", "gru_pytorch_convention", "gru_keras_convention")
    reset_after = mistake in ("gru_pytorch_convention", "gru_reset_after_product", "gru_keras_convention")
    act = sigmoid if mistake == "tanh_sigmoid_swapped" else np.tanh

    def gru_state_update(prev_h, z, h_tilde):
        keep = z if z_keeps else 1 - z
        return keep * prev_h + (1 - keep) * h_tilde

    def gru_candidate(x, prev_h, r, Wx_n, Wh_n, b_n):
        r = 1.0 if mistake == "reset_gate_missing" else r
        if reset_after:
            return act(x @ Wx_n + r * (prev_h @ Wh_n) + b_n)
        return act(x @ Wx_n + (r * prev_h) @ Wh_n + b_n)

    def gru_step_forward(x, prev_h, Wx, Wh, b):
        if mistake == "weights_swapped":
            Wx, Wh = Wh, Wx
        b = 0 * b if mistake == "bias_missing" else b
        H = prev_h.shape[1]
        col = {k: slice(j * H, (j + 1) * H) for j, k in enumerate(order)}
        r = sigmoid(x @ Wx[:, col["r"]] + prev_h @ Wh[:, col["r"]] + b[col["r"]])
        z = sigmoid(x @ Wx[:, col["z"]] + prev_h @ Wh[:, col["z"]] + b[col["z"]])
        n = gru_candidate(x, prev_h, r, Wx[:, col["n"]], Wh[:, col["n"]], b[col["n"]])
        return gru_state_update(prev_h, z, n), None

    return {"gru_state_update": gru_state_update, "gru_candidate": gru_candidate,
            "gru_step_forward": gru_step_forward}


def _namespace(assignment_id, mistake):
    if assignment_id == "a1_rnn":
        ns = _notebook("a1_rnn", "helpers", "output-forward-solution", "rnn-forward-solution",
                       "many-to-one-solution", "many-to-many-solution")
    elif assignment_id == "a2_bptt":
        ns = _notebook("a2_bptt", "rnn-forward-solution", "rnn-backward-solution")
    elif assignment_id == "a5_architectures":
        ns = _notebook("a5_architectures", "run-rnn", "bidirectional-solution", "stacked-solution",
                       "masked-solution")
    elif assignment_id == "a3_lstm":
        ns = _notebook("a3_lstm", "lstm-forward-solution")
    else:
        ns = {}
    student = {"a3_lstm": lstm_student, "a4_gru": gru_student}.get(assignment_id, rnn_student)(mistake)
    ns.update(student)
    ns["sigmoid"] = sigmoid
    return ns


_RNN_LEVELS = [("a1_rnn", "rnn_step_forward"), ("a1_rnn", "rnn_forward"), ("a1_rnn", "many_to_one"),
               ("a1_rnn", "many_to_many"), ("a2_bptt", "rnn_step_backward"), ("a2_bptt", "rnn_backward"),
               ("a5_architectures", "bidirectional_rnn_forward"), ("a5_architectures", "stacked_rnn_forward"),
               ("a5_architectures", "masked_rnn_forward")]
_LSTM_ABOVE = [("a3_lstm", "lstm_step_forward"), ("a3_lstm", "lstm_forward"), ("a3_lstm", "lstm_step_backward")]
_LSTM_GATES = [("a3_lstm", "lstm_gates")] + _LSTM_ABOVE
_LSTM_UPDATE = [("a3_lstm", "lstm_state_update")] + _LSTM_ABOVE

#: mistake -> the exercises it reaches, where every case must fail with its HINT
REACHES = {
    **{m: _RNN_LEVELS for m in ("tanh_sigmoid_swapped@rnn", "recurrent_weights_transposed",
                                "concat_order_reversed", "bias_missing@rnn")},
    **{m: _LSTM_GATES for m in ("cs231n_block_order", "tensorflow_lstm_cell", "tensorflow_block_order",
                                "forget_bias_added", "tanh_sigmoid_swapped@lstm", "bias_missing@lstm")},
    **{m: _LSTM_UPDATE for m in ("forget_gate_missing", "hidden_without_tanh", "forget_gate_on_candidate")},
    "prev_h_for_prev_c": _LSTM_ABOVE,
    "gru_cho_convention": [("a4_gru", "gru_state_update"), ("a4_gru", "gru_step_forward")],
    **{m: [("a4_gru", "gru_candidate"), ("a4_gru", "gru_step_forward")]
       for m in ("gru_reset_after_product", "reset_gate_missing", "tanh_sigmoid_swapped@gru")},
    **{m: [("a4_gru", "gru_step_forward")]
       for m in ("gru_pytorch_convention", "gru_keras_block_order", "gru_keras_convention", "bias_missing@gru")},
}
#: mistakes that need D == H (x @ Wh): the HINT on every case where D == H, none elsewhere
#: (listed where a public case has D == H: a variant must show on a public case)
SQUARE_ONLY = {
    "weights_swapped@rnn": _RNN_LEVELS[:2], "pytorch_weights_transposed": _RNN_LEVELS[:2],
    "weights_swapped@lstm": _LSTM_GATES[:2], "weights_swapped@gru": [("a4_gru", "gru_step_forward")],
}


def _pairs(table):
    return [pytest.param(m.partition("@")[0], aid, gid, id=f"{m}-{gid}") for m, levels in table.items()
            for aid, gid in levels]


def _grade_level(assignment_id, grade_id, mistake):
    from autograder import spec

    assignment = spec.load(assignment_id)
    ns = _namespace(assignment_id, mistake)
    return [r for hidden in (False, True) for r in checks.grade_exercise(assignment, grade_id, ns, hidden=hidden)]


def _is_square(assignment_id, grade_id, name):
    from autograder import spec

    ex = spec.load(assignment_id).exercise(grade_id)
    case = next(c for hidden in (False, True) for c in ex.cases(hidden=hidden) if c.name == name)
    if "x" not in case.inputs:                 # a cell function without weights (a state update)
        return False
    x = case.inputs["x"]
    return x.shape[-1] == case.inputs[next(k for k in case.inputs if k.startswith("Wh"))].shape[0]


_LISTS_SWAPPED = {("concat_order_reversed", aid, gid) for aid, gid in SQUARE_ONLY["weights_swapped@rnn"]}


@pytest.mark.parametrize("mistake, assignment_id, grade_id", _pairs(REACHES))
def test_a_mistake_gets_its_hint_at_every_exercise_it_reaches(mistake, assignment_id, grade_id):
    results = _grade_level(assignment_id, grade_id, mistake)
    assert len(results) >= 3
    for r in results:
        assert not r.passed and r.score == 0, (r.name, r.message)
        # with D == H, [prev_h, x] @ [Wx; Wh] is prev_h @ Wx + x @ Wh: the same function as swapped
        # weights, whose HINT comes first where the exercise lists it
        square = _is_square(assignment_id, grade_id, r.name)
        same_as = ("weights_swapped" if mistake == "concat_order_reversed" and square
                   and (mistake, assignment_id, grade_id) in _LISTS_SWAPPED else mistake)
        assert r.hint == hint_text(same_as), (r.name, r.hint, r.message)
        if grade_id.endswith("backward") and mistake != "bias_missing":
            # the student's backward is the gradient of the student's forward (a numerical check)
            assert "matches numerical gradients of your forward" in r.message, r.message


@pytest.mark.parametrize("mistake, assignment_id, grade_id", _pairs(SQUARE_ONLY))
def test_a_mistake_that_needs_square_weights_gets_its_hint_wherever_it_computes(mistake, assignment_id, grade_id):
    results = _grade_level(assignment_id, grade_id, mistake)
    square = [r for r in results if _is_square(assignment_id, grade_id, r.name)]
    assert all(r.hint in (None, hint_text(mistake)) for r in results), [r.hint for r in results]
    assert all(r.hint == hint_text(mistake) and not r.passed for r in square), [(r.name, r.hint) for r in square]


_ALL_LEVELS = sorted({lv for table in (REACHES, SQUARE_ONLY) for levels in table.values() for lv in levels})


@pytest.mark.parametrize("assignment_id, grade_id", _ALL_LEVELS, ids=[g for _, g in _ALL_LEVELS])
def test_the_same_students_without_the_mistake_pass_every_level_without_a_hint(assignment_id, grade_id):
    results = _grade_level(assignment_id, grade_id, None)
    assert results and all(r.passed and r.hint is None for r in results), [(r.name, r.message) for r in results]


@pytest.mark.parametrize("assignment_id, grade_id", _ALL_LEVELS, ids=[g for _, g in _ALL_LEVELS])
def test_the_spec_lists_every_mistake_that_reaches_an_exercise(assignment_id, grade_id):
    """A missing level fails here as well as above: the spec must name the variant there."""
    from autograder import spec

    ex = spec.load(assignment_id).exercise(grade_id)
    for table in (REACHES, SQUARE_ONLY):
        for m, levels in table.items():
            if (assignment_id, grade_id) in levels:
                assert m.partition("@")[0] in ex.variants, (m, grade_id)


@pytest.mark.parametrize("grade_id", ["rnn_step_backward", "rnn_backward", "lstm_step_backward"])
def test_the_backward_of_a_forward_is_exact_well_inside_the_exercise_tolerance(grade_id):
    """backward_of (the known wrong backward of a wrong forward) applied to the reference
    forward gives the reference's analytic backward, within a thousandth of rtol/atol."""
    from autograder import spec
    from autograder.kinds.base import reference
    from solutions.variants import backward_of

    aid = "a3_lstm" if grade_id.startswith("lstm") else "a2_bptt"
    ex = spec.load(aid).exercise(grade_id)
    module = ex.reference.partition(":")[0]
    forward = reference(f"{module}:{ex.forward}")
    for hidden in (False, True):
        for case in ex.cases(hidden=hidden):
            expected = checks.compute_expected(ex, case)
            got = backward_of(forward)(**case.inputs)
            for name, g in zip(ex.outputs, got):
                err = np.abs(g - expected[name]) / (ex.atol + ex.rtol * np.abs(expected[name]))
                assert err.max() < 1e-3, (case.name, name, err.max())
