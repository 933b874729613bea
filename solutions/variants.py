"""Known wrong implementations, used to name a student's likely mistake (a HINT line).

``VARIANTS[reference][variant]`` has the signature and returns of the reference
``reference`` ("solutions.rnn:rnn_step_forward"), with one mistake. Caches are None:
only the compared outputs matter. A variant may raise on shapes where its mistake is
impossible (weights swapped needs D == H); the grader then skips it for that case.
The sentence shown to the student is ``autograder.hints.HINTS[variant]``.

Assignment-specific references (``solutions/assignments/<assignment>.py``) keep their own
wrong versions next to them in a module-level ``VARIANTS`` of the same form; they are
merged in at the end of this module.
"""
import numpy as np

from .activations import sigmoid
from .gru import gru_state_update, gru_step_forward
from .lstm import lstm_state_update, lstm_step_forward
from .params import GATES, param_count_formula
from .rnn import rnn_forward, rnn_step_forward

__all__ = ["VARIANTS"]


# -- RNN step --------------------------------------------------------------------------

def _rnn_sigmoid(x, prev_h, Wx, Wh, b):
    return sigmoid(x @ Wx + prev_h @ Wh + b), None       # sigmoid where tanh belongs


def _rnn_concat_reversed(x, prev_h, Wx, Wh, b):
    hx = np.concatenate([prev_h, x], axis=1)             # [h, x] against the stack [Wx; Wh]
    return np.tanh(hx @ np.vstack([Wx, Wh]) + b), None


RNN_STEP = {
    "tanh_sigmoid_swapped": _rnn_sigmoid,
    "weights_swapped": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wh, Wx, b),
    "recurrent_weights_transposed": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wx, Wh.T, b),
    "concat_order_reversed": _rnn_concat_reversed,
    "bias_missing": lambda x, prev_h, Wx, Wh, b: rnn_step_forward(x, prev_h, Wx, Wh, np.zeros_like(b)),
}


# -- LSTM step -------------------------------------------------------------------------

def _lstm_gates(x, prev_h, Wx, Wh, b, cand=np.tanh):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), cand(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])


def _lstm_sigmoid_candidate(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, b, cand=sigmoid)   # g with sigmoid
    next_c, next_h = lstm_state_update(prev_c, f, i, g, o)
    return next_h, next_c, None


def _lstm_forget_on_candidate(x, prev_h, prev_c, Wx, Wh, b):
    i, f, g, o = _lstm_gates(x, prev_h, Wx, Wh, b)
    next_c, next_h = lstm_state_update(prev_c, f=i, i=f, g=g, o=o)  # c = i*c_prev + f*g
    return next_h, next_c, None


LSTM_STEP = {
    "tanh_sigmoid_swapped": _lstm_sigmoid_candidate,
    "weights_swapped": lambda x, prev_h, prev_c, Wx, Wh, b: lstm_step_forward(x, prev_h, prev_c, Wh, Wx, b),
    "bias_missing": lambda x, prev_h, prev_c, Wx, Wh, b: lstm_step_forward(x, prev_h, prev_c, Wx, Wh,
                                                                           np.zeros_like(b)),
    "forget_gate_on_candidate": _lstm_forget_on_candidate,
    "prev_h_for_prev_c": lambda x, prev_h, prev_c, Wx, Wh, b: lstm_step_forward(x, prev_h, prev_h, Wx, Wh, b),
}


# -- GRU step --------------------------------------------------------------------------

def _gru_parts(x, prev_h, Wx, Wh, b, reset_after=False, cand=np.tanh):
    H = prev_h.shape[1]
    xa = x @ Wx + b
    r = sigmoid(xa[:, :H] + prev_h @ Wh[:, :H])
    z = sigmoid(xa[:, H:2 * H] + prev_h @ Wh[:, H:2 * H])
    if reset_after:
        n = cand(xa[:, 2 * H:] + r * (prev_h @ Wh[:, 2 * H:]))   # reset after the product
    else:
        n = cand(xa[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:])
    return z, n


def _gru_pytorch_convention(x, prev_h, Wx, Wh, b):
    z, n = _gru_parts(x, prev_h, Wx, Wh, b)
    return gru_state_update(prev_h, 1 - z, n), None      # z*h + (1-z)*n


def _gru_reset_after(x, prev_h, Wx, Wh, b):
    z, n = _gru_parts(x, prev_h, Wx, Wh, b, reset_after=True)
    return gru_state_update(prev_h, z, n), None


def _gru_sigmoid_candidate(x, prev_h, Wx, Wh, b):
    z, n = _gru_parts(x, prev_h, Wx, Wh, b, cand=sigmoid)
    return gru_state_update(prev_h, z, n), None


GRU_STEP = {
    "tanh_sigmoid_swapped": _gru_sigmoid_candidate,
    "weights_swapped": lambda x, prev_h, Wx, Wh, b: gru_step_forward(x, prev_h, Wh, Wx, b),
    "bias_missing": lambda x, prev_h, Wx, Wh, b: gru_step_forward(x, prev_h, Wx, Wh, np.zeros_like(b)),
    "gru_pytorch_convention": _gru_pytorch_convention,
    "gru_reset_after_product": _gru_reset_after,
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
    "solutions.rnn:rnn_forward": _sequence(RNN_STEP, _unroll, rnn_forward),
    "solutions.lstm:lstm_step_forward": LSTM_STEP,
    "solutions.lstm:lstm_forward": _sequence(LSTM_STEP, _unroll_lstm, _lstm_forward_ref),
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
