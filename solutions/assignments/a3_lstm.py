"""Reference answers of assignment a3_lstm that solutions.lstm does not name directly,
and the known wrong versions of the a3 references (merged into solutions.variants).
The mistakes of the gates and the state update, which reach the step, the sequence and
the step backward, are written once in solutions/variants.py with the LSTM step's.

Each function is named by ``autograder/specs/a3_lstm.py`` as a reference.
"""
import numpy as np

from ..activations import sigmoid
from ..lstm import (lstm_peephole_step_forward, lstm_state_update, lstm_step_backward,
                   lstm_step_forward)

__all__ = ["lstm_gates", "lecture_examples", "answer_highway", "answer_matrices", "VARIANTS"]


def lstm_gates(x, prev_h, Wx, Wh, b):
    """The four gate activations of one LSTM step, blocks i, f, g, o of a = x Wx + h Wh + b.

    Returns a tuple (i, f, g, o), each of shape (N, H).
    """
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])


#: the notes' six LSTM state-update examples as (prev_c, f, i, g, o); where the notes give
#: no output gate, o = 1 (h_t is then tanh(C_t)); where it gives C_t itself, f = 1, i = 0.
LECTURE_EXAMPLES = np.array([
    [0.9, 0.4, 0.5, 0.3, 1.0],     # partial retention: C_t = 0.4*0.9 + 0.5*0.3
    [1.2, 0.4, 0.0, 0.0, 1.0],     # forget only: C_t = 0.4*1.2
    [0.9, 0.5, 0.3, 0.6, 1.0],     # adding memory: C_t = 0.5*0.9 + 0.3*0.6
    [0.8, 1.0, 0.0, 0.0, 0.5],     # output gate: C_t = 0.8 given, h_t = 0.5*tanh(0.8)
    [1.0, 0.4, 0.6, 0.5, 0.7],     # full step
    [1.1, 1.0, 0.0, 0.0, 0.5],     # short vs long memory: C_t = 1.1 given, h_t = 0.5*tanh(1.1)
])


def lecture_examples():
    """(C_t, h_t) of the six examples, an array of shape (6, 2)."""
    prev_c, f, i, g, o = LECTURE_EXAMPLES.T
    return np.stack(lstm_state_update(prev_c, f, i, g, o), axis=1)


def answer_highway():
    """dC_t/dC_{t-1} = f_t elementwise (choice "a")."""
    return "a"


def answer_matrices():
    """Eight weight matrices: an input and a recurrent one per block (choice "b")."""
    return "b"


# -- known wrong versions -----------------------------------------------------------------

def _backward_dprev_c_without_f(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    _, _, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    dx, dprev_h, dprev_c, dWx, dWh, db = lstm_step_backward(dnext_h, dnext_c, cache)
    f = cache[6]
    return dx, dprev_h, dprev_c / f, dWx, dWh, db                      # dc instead of dc * f


def _backward_no_tanh_derivative(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b):
    _, _, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    *_, o, tanh_c = cache
    # dc = dnext_c + dnext_h * o (the factor 1 - tanh(c)^2 left out): the same as the
    # reference with an upstream dnext_c that makes up the difference
    extra = dnext_h * o * tanh_c * tanh_c
    return lstm_step_backward(dnext_h, dnext_c + extra, cache)


def _peephole_o_on_prev_c(x, prev_h, prev_c, Wx, Wh, b, p_i, p_f, p_o):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i = sigmoid(a[:, :H] + p_i * prev_c)
    f = sigmoid(a[:, H:2 * H] + p_f * prev_c)
    next_c = f * prev_c + i * np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:] + p_o * prev_c)                          # peeks at c_{t-1}, not c_t
    return o * np.tanh(next_c), next_c


def _coupled_reversed(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    f, g, o = sigmoid(a[:, :H]), np.tanh(a[:, H:2 * H]), sigmoid(a[:, 2 * H:])
    next_c = (1 - f) * prev_c + f * g                                  # f and 1 - f exchanged
    return o * np.tanh(next_c), next_c


VARIANTS = {
    "solutions.lstm:lstm_step_backward": {
        "dprev_c_without_forget_gate": _backward_dprev_c_without_f,
        "tanh_derivative_missing": _backward_no_tanh_derivative,
    },
    "solutions.lstm:lstm_peephole_step_forward": {
        "output_peephole_on_prev_c": _peephole_o_on_prev_c,
    },
    "solutions.lstm:lstm_coupled_step_forward": {
        "coupled_gates_reversed": _coupled_reversed,
    },
}
