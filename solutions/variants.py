"""Known wrong implementations, used to name a student's likely mistake (a HINT line).

``VARIANTS[reference][variant]`` has the signature and returns of the reference
``reference`` ("solutions.rnn:rnn_step_forward"), with one mistake. Caches are None:
only the compared outputs matter. A variant may raise on shapes where its mistake is
impossible (weights swapped needs D == H); the grader then skips it for that case.
The sentence shown to the student is ``autograder.hints.HINTS[variant]``.

A mistake in a cell reaches every exercise built on it: a wrong gate reading shows in
the gates, the step, the sequence (the wrong step unrolled, ``_unroll``) and the step
backward, whose grader calls the student's own forward. There the known wrong version
is ``backward_of(step)``: the gradients a backward consistent with the wrong forward
returns. Each family below is written once as a table of steps and derived per level.

Habits of other courses and libraries are known mistakes too, named by their source:
CS231n packs the LSTM's blocks i, f, o, g; TensorFlow's LSTMCell and BasicLSTMCell pack
i, j (= g), f, o and add forget_bias = 1.0; Keras and PyTorch pack i, f, g, o like this
course. The GRU of this course is Chung et al. (2014)'s; Cho et al. (2014), d2l.ai and
Keras with reset_after=False exchange z and 1 - z; PyTorch and Keras's default also
apply the reset after the recurrent product; Keras packs the blocks z, r, h.

Assignment-specific references (``solutions/assignments/<assignment>.py``) keep their own
wrong versions next to them in a module-level ``VARIANTS`` of the same form; they are
merged in at the end of this module.
"""
import numpy as np

from .activations import sigmoid
from .architectures import Cell, bidirectional_forward, masked_forward, stacked_forward
from .gru import gru_state_update, gru_step_forward
from .lstm import lstm_state_update, lstm_step_forward
from .params import GATES, param_count_formula
from .rnn import output_forward, rnn_forward, rnn_step_forward

__all__ = ["VARIANTS", "backward_of", "RNN_STEP", "LSTM_GATES", "LSTM_STEP", "GRU_STEP"]


# -- the backward a student writes for a wrong forward -----------------------------------

def backward_of(forward, step=1e-3):
    """The known wrong backward that goes with a wrong forward: a backward consistent with it.

    ``forward(**inputs)`` returns ``(out_1, ..., out_k, cache)``. The returned function
    takes the gradient exercise's case inputs as keywords: the upstream gradients
    (names starting with ``d``, one per output, in order) and the forward's inputs; it
    returns the gradients of ``sum_k sum(out_k * dout_k)`` with respect to each float
    array input of the forward, in the order of its arguments (the course's backward
    returns them in that order: dx, dprev_h, ..., db).

    The derivatives are five-point centred differences, (-L(w+2h) + 8L(w+h) - 8L(w-h)
    + L(w-2h)) / 12h, exact to O(h^4): with h = 1e-3 in float64 they agree with an
    analytic backward to a relative error near 1e-10 (tests/test_checks_hints.py checks
    this against the reference backward), far inside the gradient exercises' rtol 1e-5.
    """
    def backward(**inputs):
        douts = [np.asarray(v, dtype=np.float64) for k, v in inputs.items() if k.startswith("d")]
        args = {k: (np.array(v, dtype=np.float64) if isinstance(v, np.ndarray) else v)
                for k, v in inputs.items() if not k.startswith("d")}

        def loss():
            outs = forward(**args)[:len(douts)]
            return sum(float(np.sum(np.asarray(o) * d)) for o, d in zip(outs, douts))

        grads = []
        for name, w in args.items():
            if not (isinstance(w, np.ndarray) and w.dtype.kind == "f"):
                continue
            grad = np.zeros_like(w)
            for ix in np.ndindex(w.shape):
                old = w[ix]
                values = []
                for shift in (2, 1, -1, -2):
                    w[ix] = old + shift * step
                    values.append(loss())
                w[ix] = old
                grad[ix] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * step)
            grads.append(grad)
        return tuple(grads)
    return backward


def _backward_without_bias(forward):
    """The backward of a forward that leaves the bias out, from a student who still writes
    db = da.sum(axis=0): the gradients of ``forward`` run with b - b (zero), taken at b."""
    def backward(**inputs):
        b = np.array(inputs["b"], dtype=np.float64)
        return backward_of(lambda **args: forward(**{**args, "b": args["b"] - b}))(**inputs)
    return backward


def _backwards(forwards, correct_forward):
    out = {name: backward_of(fn) for name, fn in forwards.items()}
    out["bias_missing"] = _backward_without_bias(correct_forward)
    return out


# -- RNN step --------------------------------------------------------------------------

def _rnn_sigmoid(x, prev_h, Wx, Wh, b):
    return sigmoid(x @ Wx + prev_h @ Wh + b), None       # sigmoid where tanh belongs


def _rnn_concat_reversed(x, prev_h, Wx, Wh, b):
    hx = np.concatenate([prev_h, x], axis=1)             # Coursera's [a_prev, x] against the stack [Wx; Wh]
    return np.tanh(hx @ np.vstack([Wx, Wh]) + b), None


def _rnn_weights_transposed(x, prev_h, Wx, Wh, b):
    if Wx.shape[0] != Wx.shape[1]:
        raise ValueError("x @ Wx.T needs D == H")
    return np.tanh(x @ Wx.T + prev_h @ Wh.T + b), None   # PyTorch's W_ih (H, D), W_hh (H, H): x W_ih^T


RNN_STEP = {
    "tanh_sigmoid_swapped": _rnn_sigmoid,
    "weights_swapped": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wh, Wx, b),
    "recurrent_weights_transposed": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wx, Wh.T, b),
    "pytorch_weights_transposed": _rnn_weights_transposed,
    "concat_order_reversed": _rnn_concat_reversed,
    "bias_missing": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wx, Wh, np.zeros_like(b)),
}


# -- LSTM: the gates, the state update, the step ----------------------------------------

def _lstm_gates(x, prev_h, Wx, Wh, b, order="ifgo", forget_bias=0.0, cand=np.tanh):
    """(i, f, g, o) with the blocks of a = x Wx + h Wh + b read in ``order`` (the course's is
    i, f, g, o), ``forget_bias`` added to the forget gate's input, ``cand`` on g."""
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    if a.shape[1] != 4 * H:
        raise ValueError(f"a has {a.shape[1]} columns, not 4H = {4 * H}")
    block = {gate: a[:, k * H:(k + 1) * H] for k, gate in enumerate(order)}
    return sigmoid(block["i"]), sigmoid(block["f"] + forget_bias), cand(block["g"]), sigmoid(block["o"])


def _gates_with(**reading):
    return lambda x, prev_h, Wx, Wh, b: _lstm_gates(x, prev_h, Wx, Wh, b, **reading)


#: the same wrong readings of the gate blocks at the level of lstm_gates
LSTM_GATES = {
    "cs231n_block_order": _gates_with(order="ifog"),                  # CS231n: i, f, o, g
    "tensorflow_lstm_cell": _gates_with(order="igfo", forget_bias=1.0),   # tf LSTMCell: i, j, f, o; f + 1
    "tensorflow_block_order": _gates_with(order="igfo"),
    "forget_bias_added": _gates_with(forget_bias=1.0),
    "tanh_sigmoid_swapped": _gates_with(cand=sigmoid),
    "weights_swapped": lambda x, prev_h, Wx, Wh, b: _lstm_gates(x, prev_h, Wh, Wx, b),
    "bias_missing": lambda x, prev_h, Wx, Wh, b: _lstm_gates(x, prev_h, Wx, Wh, np.zeros_like(b)),
}

#: wrong state updates (prev_c, f, i, g, o) -> (next_c, next_h)
LSTM_UPDATE = {
    "forget_gate_missing": lambda prev_c, f, i, g, o: (prev_c + i * g, o * np.tanh(prev_c + i * g)),
    "hidden_without_tanh": lambda prev_c, f, i, g, o: (f * prev_c + i * g, o * (f * prev_c + i * g)),
    "forget_gate_on_candidate": lambda prev_c, f, i, g, o: lstm_state_update(prev_c, f=i, i=f, g=g, o=o),
}


def _lstm_step(gates=_gates_with(), update=lstm_state_update, c_from_h=False):
    def step(x, prev_h, prev_c, Wx, Wh, b):
        i, f, g, o = gates(x, prev_h, Wx, Wh, b)
        next_c, next_h = update(prev_h if c_from_h else prev_c, f, i, g, o)
        return next_h, next_c, None
    return step


LSTM_STEP = {
    **{name: _lstm_step(gates=gates) for name, gates in LSTM_GATES.items()},
    **{name: _lstm_step(update=update) for name, update in LSTM_UPDATE.items()},
    "prev_h_for_prev_c": _lstm_step(c_from_h=True),
}


# -- GRU: the update, the candidate, the step -------------------------------------------

def _gru_step(order="rzn", z_exchanged=False, reset_after=False, cand=np.tanh, reset=True):
    """A GRU step with the blocks of Wx, Wh, b read in ``order`` (the course's: r, z, n),
    z and 1 - z exchanged in the update, the reset gate after the recurrent product."""
    def step(x, prev_h, Wx, Wh, b):
        H = prev_h.shape[1]
        if Wx.shape[1] != 3 * H or Wh.shape != (H, 3 * H):
            raise ValueError("the weights must have 3H columns")
        cols = {gate: slice(k * H, (k + 1) * H) for k, gate in enumerate(order)}
        xa = x @ Wx + b
        r = sigmoid(xa[:, cols["r"]] + prev_h @ Wh[:, cols["r"]]) if reset else 1.0
        z = sigmoid(xa[:, cols["z"]] + prev_h @ Wh[:, cols["z"]])
        if reset_after:
            n = cand(xa[:, cols["n"]] + r * (prev_h @ Wh[:, cols["n"]]))   # r * (h Wh_n)
        else:
            n = cand(xa[:, cols["n"]] + (r * prev_h) @ Wh[:, cols["n"]])   # (r * h) Wh_n
        keep = z if z_exchanged else 1 - z                  # the share of the old state
        return keep * prev_h + (1 - keep) * n, None
    return step


GRU_STEP = {
    "tanh_sigmoid_swapped": _gru_step(cand=sigmoid),
    "weights_swapped": lambda x, prev_h, Wx, Wh, b: gru_step_forward(x, prev_h, Wh, Wx, b),
    "bias_missing": lambda x, prev_h, Wx, Wh, b: gru_step_forward(x, prev_h, Wx, Wh, np.zeros_like(b)),
    "gru_cho_convention": _gru_step(z_exchanged=True),                      # Cho et al., d2l, Keras reset_after=False
    "gru_pytorch_convention": _gru_step(z_exchanged=True, reset_after=True),   # PyTorch, Keras's default
    "gru_reset_after_product": _gru_step(reset_after=True),                 # a mix of the two
    "gru_keras_block_order": _gru_step(order="zrn"),
    "gru_keras_convention": _gru_step(order="zrn", z_exchanged=True, reset_after=True),
    "reset_gate_missing": _gru_step(reset=False),
}


# -- whole sequences: a wrong step unrolled, or the right states shifted by one --------

def _unroll(step):
    """h of shape (N, T, H) from a step (x_t, prev_h, Wx, Wh, b) -> (next_h, ...)."""
    def forward(x, h0, Wx, Wh, b):
        hs, h = [], h0
        for t in range(x.shape[1]):
            h = step(x[:, t], h, Wx, Wh, b)[0]
            hs.append(h)
        return np.stack(hs, axis=1), None
    return forward


def _unroll_lstm(step):
    def forward(x, h0, Wx, Wh, b):
        hs, h, c = [], h0, np.zeros_like(h0)             # c0 = 0, as lstm_forward
        for t in range(x.shape[1]):
            h, c, _ = step(x[:, t], h, c, Wx, Wh, b)
            hs.append(h)
        return np.stack(hs, axis=1), None
    return forward


def _shifted(forward):
    """States h0, h_1, ..., h_{T-1} instead of h_1, ..., h_T."""
    def shifted(x, h0, Wx, Wh, b):
        h = forward(x, h0, Wx, Wh, b)[0]
        return np.concatenate([h0[:, None], h[:, :-1]], axis=1), None
    return shifted


def _sequence(step_variants, unroll, correct_forward):
    out = {name: unroll(step) for name, step in step_variants.items()}
    out["states_shifted_by_one"] = _shifted(correct_forward)
    return out


def _gru_forward_ref(x, h0, Wx, Wh, b):
    from .gru import gru_forward
    return gru_forward(x, h0, Wx, Wh, b)


def _lstm_forward_ref(x, h0, Wx, Wh, b):
    from .lstm import lstm_forward
    return lstm_forward(x, h0, Wx, Wh, b)


RNN_SEQUENCE = _sequence(RNN_STEP, _unroll, rnn_forward)


# -- the student's RNN inside a1's classifiers and a5's architectures: each reference of
#    solutions/assignments with the wrong sequence (a1) or the wrong step (a5) in its place

def _many_to_one_with(forward):
    def many_to_one(x, h0, Wx, Wh, b, Wy, by):
        h = forward(x, h0, Wx, Wh, b)[0]
        return output_forward(h[:, -1], Wy, by)[1]       # as a1_rnn.many_to_one_forward
    return many_to_one


def _many_to_many_with(forward):
    def many_to_many(x, h0, Wx, Wh, b, Wy, by):
        h = forward(x, h0, Wx, Wh, b)[0]
        return output_forward(h, Wy, by)[1]              # as a1_rnn.many_to_many_forward
    return many_to_many


def _rnn_cell(step):
    """The vanilla RNN cell of ``solutions.architectures`` with another step function."""
    return Cell("rnn", step, 1)


def _p(Wx, Wh, b):
    return {"Wx": Wx, "Wh": Wh, "b": b}


def _bidirectional_with(step):
    def bidirectional(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
        return bidirectional_forward(_rnn_cell(step), x, _p(Wx_f, Wh_f, b_f), _p(Wx_b, Wh_b, b_b))
    return bidirectional


def _stacked_with(step):
    def stacked(x, Wx1, Wh1, b1, Wx2, Wh2, b2):
        return stacked_forward(_rnn_cell(step), x, [_p(Wx1, Wh1, b1), _p(Wx2, Wh2, b2)])
    return stacked


def _masked_with(step):
    def masked(x, lengths, Wx, Wh, b):
        return masked_forward(_rnn_cell(step), x, lengths, _p(Wx, Wh, b))
    return masked


def _each(make, table):
    return {name: make(fn) for name, fn in table.items()}


# -- parameter-count formulas ----------------------------------------------------------

def _dh(expr):
    syms = {s.name: s for s in expr.free_symbols}
    return syms["d"], syms["h"]


def _formula_bias_missing(cell, convention="textbook"):
    d, h = _dh(param_count_formula(cell, convention))
    return GATES[cell] * h * (d + h)                     # weights only


def _formula_one_block(cell, convention="textbook"):
    return param_count_formula(cell, convention) / GATES[cell]   # one gate block


def _formula_two_biases(cell, convention="textbook"):
    return param_count_formula(cell, "pytorch")          # b_ih and b_hh


VARIANTS = {
    "solutions.rnn:rnn_step_forward": RNN_STEP,
    "solutions.rnn:rnn_forward": RNN_SEQUENCE,
    "solutions.rnn:rnn_step_backward": _backwards(RNN_STEP, rnn_step_forward),
    "solutions.rnn:rnn_backward": _backwards(RNN_SEQUENCE, rnn_forward),
    "solutions.assignments.a1_rnn:many_to_one_forward": _each(_many_to_one_with, RNN_SEQUENCE),
    "solutions.assignments.a1_rnn:many_to_many_forward": _each(_many_to_many_with, RNN_SEQUENCE),
    "solutions.assignments.a5_architectures:bidirectional_rnn_forward": _each(_bidirectional_with, RNN_STEP),
    "solutions.assignments.a5_architectures:stacked_rnn_forward": _each(_stacked_with, RNN_STEP),
    "solutions.assignments.a5_architectures:masked_rnn_forward": _each(_masked_with, RNN_STEP),
    "solutions.assignments.a3_lstm:lstm_gates": LSTM_GATES,
    "solutions.lstm:lstm_state_update": LSTM_UPDATE,
    "solutions.lstm:lstm_step_forward": LSTM_STEP,
    "solutions.lstm:lstm_forward": _sequence(LSTM_STEP, _unroll_lstm, _lstm_forward_ref),
    "solutions.lstm:lstm_step_backward": _backwards(LSTM_STEP, lstm_step_forward),
    "solutions.gru:gru_step_forward": GRU_STEP,
    "solutions.gru:gru_forward": _sequence(GRU_STEP, _unroll, _gru_forward_ref),
    "solutions.params:param_count_formula": {
        "formula_bias_missing": _formula_bias_missing,
        "one_gate_block": _formula_one_block,
        "two_biases": _formula_two_biases,
    },
}


# -- assignment-specific references: each solutions/assignments/<id>.py keeps the wrong
#    variants of its own references in a VARIANTS dict of the same form; merged here.

def _merge_assignment_variants():
    from solutions.assignments import MODULES

    for module in MODULES:
        for reference, table in getattr(module, "VARIANTS", {}).items():
            VARIANTS.setdefault(reference, {}).update(table)


_merge_assignment_variants()
