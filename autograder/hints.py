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
    "concat_order_reversed": "HINT: your output matches [prev_h, x] stacked against [Wx; Wh]: the order of "
                             "the concatenation [x, h] is reversed relative to the stacked weights.",
    "bias_missing": "HINT: your output matches the one computed without the bias (b, or by for the output "
                    "layer): add the bias term.",
    # GRU
    "gru_pytorch_convention": "HINT: your output matches h_t = z*h_{t-1} + (1-z)*n (PyTorch's convention): "
                              "this course asks for h_t = (1-z)*h_{t-1} + z*n, so z and 1-z are exchanged.",
    "gru_reset_after_product": "HINT: your output matches n = tanh(x Wx_n + r*(h Wh_n) + b_n): the reset gate is "
                               "applied after the recurrent product; here it multiplies h before it: (r*h) Wh_n.",
    # layer counts
    "dense_bias_missing": "HINT: your counts match Dense layers without their bias: Dense(n_out) on n_in inputs "
                          "has n_in*n_out + n_out parameters.",
    "rnn_two_biases": "HINT: your recurrent layer's count has two bias vectors (PyTorch's b_ih and b_hh); "
                      "Keras's SimpleRNN has one: h*(d + h + 1).",
    # LSTM
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
