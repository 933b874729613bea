"""Reference answers of assignment a1_rnn that are not a function of solutions.rnn as is.

Each function is named by a spec of ``autograder/specs/a1_rnn.py`` as its reference;
everything is computed from the reference implementation, nothing typed in.
"""
import numpy as np

from ..activations import drelu, dsigmoid, dtanh, relu, sigmoid
from ..rnn import output_forward, rnn_forward

__all__ = ["activation_derivatives", "activations_at_2", "worked_example_h",
           "many_to_one_forward", "many_to_many_forward", "answer_tanh", "answer_shapes",
           "WORKED_EXAMPLE"]

#: the notes' 1-D example: inputs 0.1, 0.2, 0.3, W (input weight) = 2, U (recurrent) = 0.5, b = 0.1, h0 = 0
WORKED_EXAMPLE = dict(x=np.array([0.1, 0.2, 0.3]).reshape(1, 3, 1), h0=np.zeros((1, 1)),
                      Wx=np.array([[2.0]]), Wh=np.array([[0.5]]), b=np.array([0.1]))


def activation_derivatives(z):
    """(dtanh(z), dsigmoid(z), drelu(z)), each of the shape of z."""
    return dtanh(z), dsigmoid(z), drelu(z)


def activations_at_2():
    """Rows z = 2 and z = -2; columns tanh, sigmoid, relu: an array of shape (2, 3)."""
    z = np.array([2.0, -2.0])
    return np.stack([np.tanh(z), sigmoid(z), relu(z)], axis=1)


def worked_example_h():
    """h_1, h_2, h_3 of the worked example, of shape (3,)."""
    h, _ = rnn_forward(**WORKED_EXAMPLE)
    return h.ravel()


def many_to_one_forward(x, h0, Wx, Wh, b, Wy, by):
    """Class probabilities from the last hidden state only: of shape (N, V)."""
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    _, probs = output_forward(h[:, -1], Wy, by)
    return probs


def many_to_many_forward(x, h0, Wx, Wh, b, Wy, by):
    """Class probabilities at every step: of shape (N, T, V)."""
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    _, probs = output_forward(h, Wy, by)
    return probs


def answer_tanh():
    """tanh is bounded and zero-centred (choice "b" of the notebook's question)."""
    return "b"


def answer_shapes():
    """(N, V) and (N, T, V) for N=8, T=20, V=3 (choice "a")."""
    return "a"


# -- known wrong versions of the references above (merged into solutions.variants.VARIANTS) --

def _softmax_axis(scores, axis):
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _output_softmax_axis0(h, Wy, by):
    scores = h @ Wy + by
    return scores, _softmax_axis(scores, 0)             # normalised over the batch


def _many_to_one_first(x, h0, Wx, Wh, b, Wy, by):
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    return output_forward(h[:, 0], Wy, by)[1]           # h_1 instead of h_T


def _many_to_one_mean(x, h0, Wx, Wh, b, Wy, by):
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    return output_forward(h.mean(axis=1), Wy, by)[1]    # average over time


def _many_to_many_softmax_time(x, h0, Wx, Wh, b, Wy, by):
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    return _softmax_axis(h @ Wy + by, 1)                # normalised over time


VARIANTS = {
    "solutions.assignments.a1_rnn:activation_derivatives": {
        "dtanh_not_squared": lambda z: (1 - np.tanh(z), dsigmoid(z), drelu(z)),
        "dtanh_from_input": lambda z: (1 - np.asarray(z, dtype=float) ** 2, dsigmoid(z), drelu(z)),
        "dsigmoid_missing_factor": lambda z: (dtanh(z), 1 - sigmoid(z), drelu(z)),
    },
    "solutions.rnn:output_forward": {
        "softmax_wrong_axis": _output_softmax_axis0,
        "softmax_missing": lambda h, Wy, by: (h @ Wy + by, h @ Wy + by),
        "bias_missing": lambda h, Wy, by: output_forward(h, Wy, np.zeros_like(by)),
    },
    "solutions.assignments.a1_rnn:many_to_one_forward": {
        "first_hidden_state": _many_to_one_first,
        "mean_of_hidden_states": _many_to_one_mean,
    },
    "solutions.assignments.a1_rnn:many_to_many_forward": {
        "softmax_wrong_axis": _many_to_many_softmax_time,
    },
}
