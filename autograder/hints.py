"""HINT lines: one sentence per known wrong implementation, in the student's terms.

The sentences here are shared: each names a variant that two or more exercises use. A
sentence that belongs to one exercise stands beside it in its spec (``Exercise.hints``).

The wrong implementations themselves live in ``solutions/variants.py`` (instructor
side); their outputs on public cases are data in ``autograder/data``. When a student's
output matches a variant's output (and not the reference's), the case's feedback ends
with the variant's HINT.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from autograder.compare import allclose

HINTS: dict[str, str] = {
    # activations
    "tanh_sigmoid_swapped": "HINT: your output matches the one computed with tanh and sigmoid swapped "
                            "(sigmoid where tanh belongs, or tanh where a gate needs sigmoid).",
    # weights and their layout
    "weights_swapped": "HINT: your output matches x @ Wh + prev_h @ Wx: the input weights Wx and the "
                       "recurrent weights Wh are swapped.",
    "recurrent_weights_transposed": "HINT: your output matches prev_h @ Wh.T: the recurrent weights are "
                                    "transposed (the course multiplies row vectors: prev_h @ Wh).",
    "concat_order_reversed": "HINT: your output matches [prev_h, x] (Coursera's [a_prev, x]) against the "
                             "stacked weights [Wx; Wh]: the concatenation [x, h] is reversed relative to them.",
    "pytorch_weights_transposed": "HINT: your output matches x @ Wx.T + prev_h @ Wh.T, PyTorch's layout (W_ih of "
                                  "shape (H, D)); here Wx is (D, H) and Wh (H, H): x @ Wx + prev_h @ Wh.",
    "bias_missing": "HINT: your output matches the one computed without the bias (b, or by for the output "
                    "layer): add the bias term.",
    # GRU: other sources' conventions (this course's is Chung et al. (2014)'s, blocks r, z, n)
    "gru_cho_convention": "HINT: your output matches h_t = z*h_{t-1} + (1-z)*n, as in Cho et al. (2014), d2l.ai "
                          "and Keras (reset_after=False); this course writes h_t = (1-z)*h_{t-1} + z*n.",
    "gru_pytorch_convention": "HINT: your output matches PyTorch's GRU (and Keras's default), h_t = z*h_{t-1} + "
                              "(1-z)*n with the reset after the product, r*(h Wh_n); this course writes h_t = "
                              "(1-z)*h_{t-1} + z*n and resets first, (r*h) Wh_n.",
    "gru_reset_after_product": "HINT: your output matches n = tanh(x Wx_n + r*(h Wh_n) + b_n), the reset after the "
                               "product as in PyTorch and Keras; this course resets first: (r*h) Wh_n.",
    "reset_gate_missing": "HINT: your output matches the candidate computed without the reset gate: multiply "
                          "the old state by r before the recurrent product, (r*h) Wh_n.",
    "gru_keras_block_order": "HINT: your output matches the GRU blocks read in Keras's order z, r, h; this course, "
                             "like PyTorch, packs them r, z, n: r is the first H columns, z the next H.",
    "gru_keras_convention": "HINT: your output matches Keras's GRU: blocks z, r, h, h_t = z*h_{t-1} + (1-z)*n and "
                            "the reset after the product; this course packs r, z, n, writes h_t = (1-z)*h_{t-1} "
                            "+ z*n and resets first, (r*h) Wh_n.",
    # layer counts
    "dense_bias_missing": "HINT: your counts match Dense layers without their bias: Dense(n_out) on n_in inputs "
                          "has n_in*n_out + n_out parameters.",
    "rnn_two_biases": "HINT: your recurrent layer's count has two bias vectors (PyTorch's b_ih and b_hh); "
                      "Keras's SimpleRNN has one: h*(d + h + 1).",
    # LSTM: other sources' layouts (this course packs i, f, g, o, like PyTorch and Keras)
    "cs231n_block_order": "HINT: your output matches the LSTM blocks read in the order i, f, o, g (CS231n's "
                          "packing); this course, like PyTorch and Keras, packs them i, f, g, o: g is a[:, 2H:3H].",
    "tensorflow_lstm_cell": "HINT: your output matches TensorFlow's LSTMCell, blocks i, j (=g), f, o and "
                            "forget_bias=1.0 added to f; this course packs i, f, g, o and adds no forget bias.",
    "tensorflow_block_order": "HINT: your output matches the LSTM blocks read in TensorFlow's order i, j (=g), f, "
                              "o; this course, like PyTorch and Keras, packs them i, f, g, o.",
    "forget_bias_added": "HINT: your output matches f = sigmoid(a_f + 1), TensorFlow's forget_bias=1.0; this "
                         "course adds no constant to the forget gate: f = sigmoid(a_f).",
    # LSTM: slips
    "forget_gate_on_candidate": "HINT: your output matches c_t = i*c_{t-1} + f*g: the forget gate multiplies the "
                                "candidate g (and the input gate the old cell); it should be f*c_{t-1} + i*g.",
    "prev_h_for_prev_c": "HINT: your output matches the cell update with h_{t-1} used where C_{t-1} belongs: "
                         "the forget gate multiplies the previous cell state prev_c.",
    # sequences
    "states_shifted_by_one": "HINT: your hidden states are shifted by one step (h0 included, the last state "
                             "dropped): h[:, t] must be the state after reading x[:, t].",
    # parameter-count formulas
    "one_gate_block": "HINT: your formula counts one block of weights; this cell has one block per gate "
                      "(and per candidate): multiply by their number.",
    "two_biases": "HINT: your formula counts two bias vectors per block (PyTorch's b_ih and b_hh); the "
                  "textbook cell asked for here has one.",
    "formula_bias_missing": "HINT: your formula leaves out the biases: each block also has h bias terms.",
    # activation derivatives, the output layer
    "dtanh_not_squared": "HINT: your dtanh matches 1 - tanh(z); the derivative of tanh is 1 - tanh(z)**2.",
    "softmax_wrong_axis": "HINT: your probabilities are normalised over the wrong axis: the softmax runs over "
                          "the classes, the last axis (axis=-1, keepdims=True).",
    # the LSTM cell
    "forget_gate_missing": "HINT: your output matches an LSTM without the forget gate, c_t = c_{t-1} + i*g: "
                           "multiply the previous cell state by f.",
    "hidden_without_tanh": "HINT: your output matches h_t = o * c_t: the cell state is squashed first, h_t = o * "
                           "tanh(c_t).",
    # the RNN step backward and BPTT
    "rnn_tanh_derivative_missing": "HINT: your gradients match a backward pass that leaves out tanh': the gradient "
                                   "on a_t = x_t Wx + h_{t-1} Wh + b is the gradient on h_t times (1 - h_t**2), "
                                   "e.g. da = dnext_h * (1 - next_h**2).",
    "dWh_transposed": "HINT: your dWh matches the transpose of the expected one (da.T @ prev_h): from "
                      "a = ... + prev_h @ Wh, dWh = prev_h.T @ da.",
}


def hint_for(variant: str, exercise=None) -> str:
    """The HINT line of a variant: the exercise's own sentence (``Exercise.hints``), else the
    shared one here, else a generic line naming the variant."""
    own = getattr(exercise, "hints", None) or {}
    if variant in own:
        return own[variant]
    return HINTS.get(variant, f"HINT: your output matches a known mistake ({variant.replace('_', ' ')}).")


def matching_variant(answer: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray],
                     variants: Mapping[str, Mapping[str, np.ndarray]], *, rtol: float, atol: float,
                     order=()) -> str | None:
    """The first variant (in ``order``, then the rest) whose outputs all match ``answer``.

    A variant that gives the expected output on this case (e.g. weights swapped when
    they are equal) cannot tell anything and is skipped. Keys of ``answer`` absent from
    a variant are ignored; a variant must share at least one key.
    """
    names = [v for v in order if v in variants] + [v for v in variants if v not in order]
    for name in names:
        out = variants[name]
        keys = [k for k in out if k in answer]
        if not keys:
            continue
        if all(k in expected and allclose(np.asarray(out[k]), np.asarray(expected[k]), rtol, atol)
               for k in keys):
            continue
        if all(allclose(np.asarray(answer[k]), np.asarray(out[k]), rtol, atol) for k in keys):
            return name
    return None
