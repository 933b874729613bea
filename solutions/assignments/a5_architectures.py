"""Reference answers of assignment a5_architectures, as functions of plain arrays.

The assignment works with the vanilla RNN cell (the student's own ``rnn_step_forward``
from a1), so each reference here fixes ``cell="rnn"`` in ``solutions.architectures`` and
takes the weights as separate arrays instead of params dicts. Parameter counts come
from ``solutions.params``. ``VARIANTS`` holds the known wrong versions, merged into
``solutions.variants.VARIANTS``.

Sizes: N batch, T time steps, D input features, H hidden units.
"""
import numpy as np

from ..architectures import bidirectional_forward, masked_forward, sequence_forward, stacked_forward
from ..params import forecasting_model_counts, param_count

__all__ = ["bidirectional_rnn_forward", "stacked_rnn_forward", "masked_rnn_forward",
           "forecast_counts_last", "forecast_counts_all", "answer_backward_final",
           "answer_forecast_shapes", "VARIANTS"]


def _p(Wx, Wh, b):
    return {"Wx": Wx, "Wh": Wh, "b": b}


def bidirectional_rnn_forward(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
    """A bidirectional tanh RNN from zero initial states.

    Inputs:
    - x: of shape (N, T, D)
    - Wx_f, Wh_f, b_f: forward direction, of shapes (D, H), (H, H), (H,)
    - Wx_b, Wh_b, b_b: backward direction, same shapes

    Returns a tuple of:
    - out: of shape (N, T, 2H), [forward, backward] at every step
    - h_n: of shape (2, N, H), the forward state at t = T-1 and the backward state at t = 0
    """
    return bidirectional_forward("rnn", x, _p(Wx_f, Wh_f, b_f), _p(Wx_b, Wh_b, b_b))


def stacked_rnn_forward(x, Wx1, Wh1, b1, Wx2, Wh2, b2):
    """Two stacked tanh RNN layers from zero initial states; layer 2 reads layer 1's states.

    Returns a tuple of:
    - out: layer 2's states, of shape (N, T, H)
    - h_n: of shape (2, N, H), the final state of layer 1, then of layer 2
    """
    return stacked_forward("rnn", x, [_p(Wx1, Wh1, b1), _p(Wx2, Wh2, b2)])


def masked_rnn_forward(x, lengths, Wx, Wh, b):
    """A tanh RNN over a right-padded batch, from zero initial states.

    Returns a tuple of:
    - h: of shape (N, T, H), the state at real steps and 0 at padding steps
    - h_final: of shape (N, H), each sequence's state at t = lengths[n] - 1
    """
    return masked_forward("rnn", x, lengths, _p(Wx, Wh, b))


def _counts(**kw):
    return np.array([n for _, _, n in forecasting_model_counts("rnn", **kw)], dtype=float)


def forecast_counts_last():
    """[SimpleRNN(64), Dense(12), total] parameters of the notes' model with return_sequences=False."""
    return _counts(return_sequences=False)


def forecast_counts_all():
    """[SimpleRNN(64), Flatten, Dense(128), Dense(12), total] with return_sequences=True."""
    return _counts(return_sequences=True)


def answer_backward_final():
    """The backward direction's summary of the whole sequence is out[:, 0, H:] (choice "b")."""
    return "b"


def answer_forecast_shapes():
    """SimpleRNN(64, return_sequences=True) on (batch, 24, 5) gives (batch, 24, 64) (choice "c")."""
    return "c"


# -- known wrong versions ---------------------------------------------------------------

def _bidir_final_last_step(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
    out, h_n = bidirectional_rnn_forward(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b)
    H = h_n.shape[-1]
    return out, np.stack([h_n[0], out[:, -1, H:]])          # backward state after one step


def _bidir_not_reordered(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
    out, h_n = bidirectional_rnn_forward(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b)
    H = h_n.shape[-1]
    return np.concatenate([out[..., :H], out[:, ::-1, H:]], axis=-1), h_n   # backward left in reading order


def _bidir_swapped(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
    out, h_n = bidirectional_rnn_forward(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b)
    H = h_n.shape[-1]
    return np.concatenate([out[..., H:], out[..., :H]], axis=-1), h_n[::-1]


def _bidir_not_reversed(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b):
    out_f, h_f, _ = sequence_forward("rnn", x, None, _p(Wx_f, Wh_f, b_f))
    out_b, h_b, _ = sequence_forward("rnn", x, None, _p(Wx_b, Wh_b, b_b))  # reads forward too
    return np.concatenate([out_f, out_b], axis=-1), np.stack([h_f, h_b])


def _stack_first_layer(x, Wx1, Wh1, b1, Wx2, Wh2, b2):
    out1, h1, _ = sequence_forward("rnn", x, None, _p(Wx1, Wh1, b1))
    _, h_n = stacked_rnn_forward(x, Wx1, Wh1, b1, Wx2, Wh2, b2)
    return out1, h_n


def _stack_layer2_from_layer1_final(x, Wx1, Wh1, b1, Wx2, Wh2, b2):
    out1, h1, _ = sequence_forward("rnn", x, None, _p(Wx1, Wh1, b1))
    out2, h2, _ = sequence_forward("rnn", out1, h1, _p(Wx2, Wh2, b2))   # starts from layer 1's final state
    return out2, np.stack([h1, h2])


def _masked_not_masked(x, lengths, Wx, Wh, b):
    h, h_last, _ = sequence_forward("rnn", x, None, _p(Wx, Wh, b))
    return h, h_last                                        # padding steps read like real ones


def _masked_final_from_last_output(x, lengths, Wx, Wh, b):
    h, _ = masked_rnn_forward(x, lengths, Wx, Wh, b)
    return h, h[:, -1]                                      # 0 for every sequence shorter than T


def _masked_padding_keeps_state(x, lengths, Wx, Wh, b):
    h, h_final = masked_rnn_forward(x, lengths, Wx, Wh, b)
    T = x.shape[1]
    pad = np.arange(T)[None, :] >= np.asarray(lengths)[:, None]     # (N, T)
    return np.where(pad[..., None], h_final[:, None, :], h), h_final


def _counts_dense_bias_missing(return_sequences):
    counts = [n - (shape[0] if name.startswith("dense") else 0)
              for name, shape, n in forecasting_model_counts("rnn", return_sequences=return_sequences)[:-1]]
    return np.array(counts + [sum(counts)], dtype=float)


def _counts_rnn_two_biases(return_sequences):
    counts = _counts(return_sequences=return_sequences)
    extra = param_count("rnn", 5, 64, convention="pytorch") - param_count("rnn", 5, 64, convention="keras")
    counts[0] += extra
    counts[-1] += extra
    return counts


VARIANTS = {
    "solutions.assignments.a5_architectures:bidirectional_rnn_forward": {
        "backward_final_at_last_step": _bidir_final_last_step,
        "backward_states_not_reordered": _bidir_not_reordered,
        "directions_swapped": _bidir_swapped,
        "backward_not_reversed": _bidir_not_reversed,
    },
    "solutions.assignments.a5_architectures:stacked_rnn_forward": {
        "stack_first_layer_output": _stack_first_layer,
        "stack_layer2_starts_from_layer1": _stack_layer2_from_layer1_final,
    },
    "solutions.assignments.a5_architectures:masked_rnn_forward": {
        "padding_not_masked": _masked_not_masked,
        "final_from_last_padded_step": _masked_final_from_last_output,
        "padding_keeps_state": _masked_padding_keeps_state,
    },
    "solutions.assignments.a5_architectures:forecast_counts_last": {
        "dense_bias_missing": lambda: _counts_dense_bias_missing(False),
        "rnn_two_biases": lambda: _counts_rnn_two_biases(False),
    },
    "solutions.assignments.a5_architectures:forecast_counts_all": {
        "dense_bias_missing": lambda: _counts_dense_bias_missing(True),
        "rnn_two_biases": lambda: _counts_rnn_two_biases(True),
    },
}
