"""Reference answers of assignment a4_gru that are not a function of solutions.gru as is.

Each function is named by a spec of ``autograder/specs/a4_gru.py`` as its reference;
every number is computed from the reference implementation, nothing typed in.
``VARIANTS`` holds the known wrong versions of these references (and of PyTorch's GRU
step), merged into ``solutions.variants.VARIANTS``.

Sizes: N batch, D input features, H hidden units.
"""
import numpy as np

from ..activations import sigmoid
from ..gru import gru_state_update, gru_step_forward_pytorch
from ..params import param_count
from ..worked_examples import gru_full_step_example, gru_reset_gate_example

__all__ = ["gru_candidate", "RESET_EXAMPLE", "reset_example", "full_example", "keras_gru_params",
           "answer_conventions", "VARIANTS"]

#: the notes' reset-gate example: h_{t-1} = 0.7, x = 0.3, r = 0.2, W = [0.5, 0.5] on [r*h, x], b = 0.1
RESET_EXAMPLE = dict(x=np.array([[0.3]]), prev_h=np.array([[0.7]]), r=np.array([[0.2]]),
                     Wx_n=np.array([[0.5]]), Wh_n=np.array([[0.5]]), b_n=np.array([0.1]))


def gru_candidate(x, prev_h, r, Wx_n, Wh_n, b_n):
    """The GRU's candidate state n = tanh(x Wx_n + (r * prev_h) Wh_n + b_n).

    Inputs:
    - x: input of shape (N, D)
    - prev_h: previous hidden state of shape (N, H)
    - r: reset gate of shape (N, H), values in (0, 1)
    - Wx_n: of shape (D, H); Wh_n: of shape (H, H); b_n: of shape (H,)

    Returns:
    - h_tilde: of shape (N, H)
    """
    return np.tanh(x @ Wx_n + (r * prev_h) @ Wh_n + b_n)   # reset first, then the product


def reset_example():
    """The reset-gate example's candidate, tanh(0.5 * 0.2 * 0.7 + 0.5 * 0.3 + 0.1), a float.

    Computed with ``gru_candidate`` and cross-checked with the worked-example record.
    """
    value = float(gru_candidate(**RESET_EXAMPLE)[0, 0])
    record = gru_reset_gate_example().computed["h_tilde"]
    if not np.isclose(value, record, rtol=1e-12):
        raise AssertionError(f"reset example: gru_candidate gives {value}, worked_examples {record}")
    return value


def full_example():
    """The full-step example's h_t (h_{t-1} = 0.8, z = 0.3, r = 0.5, x = 0.4), a float.

    ``gru_full_step_example`` feeds it through the reference ``gru_step_forward``.
    """
    return float(gru_full_step_example().computed["h_t (gru_step_forward)"])


def keras_gru_params():
    """Parameters of Keras's GRU(64) on 5 input features (reset_after=True, its default)."""
    return param_count("gru", 5, 64, convention="keras")


def answer_conventions():
    """Why the course's GRU and PyTorch's give different numbers on the same weights: "b"."""
    return "b"


# -- known wrong versions ---------------------------------------------------------------

def _candidate_reset_after(x, prev_h, r, Wx_n, Wh_n, b_n):
    return np.tanh(x @ Wx_n + r * (prev_h @ Wh_n) + b_n)


def _candidate_without_reset(x, prev_h, r, Wx_n, Wh_n, b_n):
    return np.tanh(x @ Wx_n + prev_h @ Wh_n + b_n)


def _candidate_sigmoid(x, prev_h, r, Wx_n, Wh_n, b_n):
    return sigmoid(x @ Wx_n + (r * prev_h) @ Wh_n + b_n)


def _pytorch_parts(x, prev_h, Wx, Wh, bx, bh, reset_after=True):
    H = prev_h.shape[1]
    gx, gh = x @ Wx + bx, prev_h @ Wh + bh
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
    if reset_after:
        n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    else:
        n = np.tanh(gx[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + bh[2 * H:])
    return z, n


def _pytorch_course_update(x, prev_h, Wx, Wh, bx, bh):
    z, n = _pytorch_parts(x, prev_h, Wx, Wh, bx, bh)
    return (1 - z) * prev_h + z * n                      # the course's update, not PyTorch's


def _pytorch_reset_before(x, prev_h, Wx, Wh, bx, bh):
    z, n = _pytorch_parts(x, prev_h, Wx, Wh, bx, bh, reset_after=False)
    return (1 - z) * n + z * prev_h


def _pytorch_one_bias(x, prev_h, Wx, Wh, bx, bh):
    return gru_step_forward_pytorch(x, prev_h, Wx, Wh, bx, np.zeros_like(bh))


VARIANTS = {
    "solutions.gru:gru_state_update": {
        "gru_cho_convention": lambda prev_h, z, h_tilde: gru_state_update(prev_h, 1 - z, h_tilde),
    },
    "solutions.assignments.a4_gru:gru_candidate": {
        "gru_reset_after_product": _candidate_reset_after,
        "reset_gate_missing": _candidate_without_reset,
        "tanh_sigmoid_swapped": _candidate_sigmoid,
    },
    "solutions.gru:gru_step_forward_pytorch": {
        "gru_course_convention": _pytorch_course_update,
        "pytorch_reset_before_product": _pytorch_reset_before,
        "pytorch_recurrent_bias_missing": _pytorch_one_bias,
    },
}
