"""HINT lines: one sentence per known wrong implementation, in the student's terms.

The sentences here are shared by the exercises that name the variant; a sentence that
belongs to one exercise only can stand beside it in its spec (``Exercise.hints``).

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
    "reset_gate_missing": "HINT: your output matches the candidate computed without the reset gate: "
                          "multiply the old state by r before the recurrent product, (r*h) Wh_n.",
    "gru_course_convention": "HINT: your output matches h_t = (1-z)*h_{t-1} + z*n (the course's update): PyTorch "
                             "lets z keep the old state, h_t = (1-z)*n + z*h_{t-1}.",
    "pytorch_reset_before_product": "HINT: your output matches n = tanh(x Wx_n + bx_n + (r*h) Wh_n + bh_n): PyTorch "
                                    "applies the reset gate after the product, r*(h Wh_n + bh_n).",
    "pytorch_recurrent_bias_missing": "HINT: your output matches the one computed without bh: PyTorch adds the "
                                      "recurrent bias bh to h Wh (and the reset gate scales its n block).",
    # a5_architectures: bidirectional, stacked, masked, the forecasting model's counts
    "backward_final_at_last_step": "HINT: your h_n[1] matches out[:, -1, H:], the backward state after its first "
                                   "step; the backward direction ends at t = 0: out[:, 0, H:].",
    "backward_states_not_reordered": "HINT: your backward states are in reading order (last step first); put them "
                                     "back in time order so that out[:, t] holds both directions' states of step t.",
    "directions_swapped": "HINT: your output matches [backward, forward]: concatenate the forward states first, "
                          "then the backward ones (and h_n in the same order).",
    "backward_not_reversed": "HINT: your backward direction reads the sequence forward: it must read x from "
                             "t = T-1 down to t = 0.",
    "stack_first_layer_output": "HINT: your out matches the first layer's states: return the states of the last "
                                "layer, which reads the first layer's states as its input.",
    "stack_layer2_starts_from_layer1": "HINT: your second layer starts from the first layer's final state; each "
                                       "layer starts from its own initial state (zeros here).",
    "padding_not_masked": "HINT: your output matches running the RNN over the padding too: at a padding step "
                          "(t >= lengths[n]) the state must stay as it was.",
    "final_from_last_padded_step": "HINT: your h_final matches h[:, -1], which is padding for shorter sequences; "
                                   "take each sequence's state at t = lengths[n] - 1.",
    "padding_keeps_state": "HINT: your h carries the last real state into the padding steps; the outputs at "
                           "padding steps are 0 (only h_final keeps the state).",
    "dense_bias_missing": "HINT: your counts match Dense layers without their bias: Dense(n_out) on n_in inputs "
                          "has n_in*n_out + n_out parameters.",
    "rnn_two_biases": "HINT: your recurrent layer's count has two bias vectors (PyTorch's b_ih and b_hh); "
                      "Keras's SimpleRNN has one: h*(d + h + 1).",
    # a6_training: the loss and the optimizer
    "ce_grad_not_averaged": "HINT: your dscores match p - onehot(y) without the division by N: the loss is a mean "
                            "over the batch, so its gradient is divided by N too.",
    "ce_summed_over_batch": "HINT: your loss and dscores match the sum over the batch; the course uses the mean: "
                            "divide both by N.",
    "ce_onehot_not_subtracted": "HINT: your dscores match softmax(scores) / N: subtract 1 at each row's true class "
                                "y[n] before dividing by N.",
    "adam_no_bias_correction": "HINT: your update matches Adam without bias correction: divide m by (1 - beta1**t) "
                               "and v by (1 - beta2**t) before the step.",
    "adam_sqrt_missing": "HINT: your update divides by v_hat instead of its square root: the step is "
                         "lr * m_hat / (sqrt(v_hat) + eps).",
    "adam_gradient_ascent": "HINT: your update moves w up the gradient: Adam subtracts lr * m_hat / (sqrt(v_hat) + eps).",
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
    # a1_rnn: activation derivatives, output layer, many-to-one
    "dtanh_not_squared": "HINT: your dtanh matches 1 - tanh(z); the derivative of tanh is 1 - tanh(z)**2.",
    "dtanh_from_input": "HINT: your dtanh matches 1 - z**2: the formula 1 - tanh(z)**2 squares tanh(z), not z.",
    "dsigmoid_missing_factor": "HINT: your dsigmoid matches 1 - sigmoid(z); the derivative is "
                               "sigmoid(z) * (1 - sigmoid(z)).",
    "softmax_wrong_axis": "HINT: your probabilities are normalised over the wrong axis: the softmax runs over "
                          "the classes, the last axis (axis=-1, keepdims=True).",
    "softmax_missing": "HINT: your probs equal the scores: apply the softmax to the scores.",
    "first_hidden_state": "HINT: your output matches the prediction from the first hidden state h[:, 0]; "
                          "many-to-one classifies the last one, h[:, -1].",
    "mean_of_hidden_states": "HINT: your output matches the prediction from the mean of the hidden states over "
                             "time; many-to-one classifies only the last one, h[:, -1].",
    # a3_lstm: gates, state update, backward, variants
    "cs231n_block_order": "HINT: your gates match the blocks read in the order i, f, o, g; this course (and "
                          "PyTorch) packs them i, f, g, o: g is a[:, 2H:3H] and o is a[:, 3H:4H].",
    "forget_gate_missing": "HINT: your output matches an LSTM without the forget gate, c_t = c_{t-1} + i*g: "
                           "multiply the previous cell state by f.",
    "hidden_without_tanh": "HINT: your h_t matches o * c_t: the cell state is squashed first, h_t = o * tanh(c_t).",
    "dprev_c_without_forget_gate": "HINT: your dprev_c matches dc without the forget gate: c_t = f*c_{t-1} + i*g, "
                                   "so dprev_c = dc * f.",
    "tanh_derivative_missing": "HINT: your gradients match a backward pass that leaves out tanh'(c_t): the path "
                               "from h_t to c_t carries dnext_h * o * (1 - tanh(c_t)**2).",
    "output_peephole_on_prev_c": "HINT: your output matches an output gate that looks at c_{t-1}; its peephole "
                                 "looks at the new cell state c_t (computed first).",
    "coupled_gates_reversed": "HINT: your output matches c_t = (1-f)*c_{t-1} + f*g: f multiplies the old cell "
                              "state, 1 - f the candidate.",
    # a2_bptt: numerical gradients, clipping, gradient norms, truncation, sympy
    "centred_difference_not_halved": "HINT: your gradient is twice the expected one: the centred difference "
                                     "divides by 2*eps, (f(w+eps) - f(w-eps)) / (2*eps).",
    "clip_each_separately": "HINT: your output matches clipping each array by its own norm; clip by the global "
                            "norm of all arrays together, with one common factor.",
    "clip_by_value": "HINT: your output matches np.clip of each entry to [-max_norm, max_norm]; clipping by "
                     "global norm rescales all arrays by max_norm / total_norm instead.",
    "clip_always": "HINT: your output matches rescaling even when the global norm is already below max_norm; "
                   "leave the gradients unchanged then.",
    "jacobian_without_tanh_derivative": "HINT: your norms match powers of Wh.T alone: each step's Jacobian also "
                                        "has the factor diag(1 - h_t**2) from tanh.",
    "norms_shifted_by_one": "HINT: your norms are shifted by one: norms[0] is for T - t = 1, the norm of "
                            "dh_T/dh_{T-1}, not of the identity dh_T/dh_T.",
    "truncated_in_chunks": "HINT: your gradients match BPTT inside chunks of K steps; here the loss at every "
                           "step t reaches back K steps, t, t-1, ..., t-K+1.",
    "truncation_one_step_longer": "HINT: your gradients match a truncation to K + 1 steps: the loss at step t "
                                  "reaches back through steps t, ..., t-K+1, that is K steps.",
    "sigmoid_derivative_form": "HINT: your expression is y*(1 - y), the sigmoid's derivative written through its "
                               "value; for y = tanh(z) it is 1 - y**2.",
    # a2_bptt: the RNN step backward and BPTT
    "rnn_tanh_derivative_missing": "HINT: your gradients match a backward pass that leaves out tanh': the gradient "
                                   "on a_t = x_t Wx + h_{t-1} Wh + b is the gradient on h_t times (1 - h_t**2), "
                                   "e.g. da = dnext_h * (1 - next_h**2).",
    "dWh_transposed": "HINT: your dWh matches the transpose of the expected one (da.T @ prev_h): from "
                      "a = ... + prev_h @ Wh, dWh = prev_h.T @ da.",
    "gradient_not_carried_back": "HINT: your gradients match BPTT that does not carry the gradient back through "
                                 "time: at step t, pass dh[:, t] plus the dprev_h coming back from step t+1.",
    "upstream_only_last_step": "HINT: your gradients match a backward that uses only dh[:, -1] (as for many-to-one): "
                               "every state h_t has its own upstream gradient, so add dh[:, t] at each step t.",
    "weight_gradients_not_summed": "HINT: your dWx, dWh, db match those of step 0 alone: the weights are shared by all "
                                   "steps, so add up the gradients of every step.",
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
