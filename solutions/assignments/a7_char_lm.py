"""Reference side of assignment a7_char_lm: adapters with the exercises' signatures, the
training recipe the notebook prescribes, and the known wrong versions (``VARIANTS``).

The layers, the LSTM over a chunk and the scorer are ``solutions.char_lm``'s, named by
``autograder/specs/a7_char_lm.py`` as they are. Here:

- ``clip_by_global_norm(dW_embed, dWx, dWh, db, dW_out, db_out, max_norm)``: the six
  gradients of the model as arguments (``solutions.clipping`` takes a list);
- ``stream_losses(x, y, T, W_embed, Wx, Wh, b, W_out, b_out)``: the LSTM language model's
  mean loss of each chunk of a stream, from a zero state carried from chunk to chunk;
- ``train_char_lm(cell, seed, steps)``: the notebook's recipe (``solutions.char_lm.train``)
  returning the weights as a tuple, what the graded run returns.

A mistake reaches every level built on it: a loss not averaged over the tokens shows in
``temporal_softmax_loss`` and in ``stream_losses``; an LSTM that ignores the carried cell
state shows in ``lstm_forward``, in ``lstm_backward`` (the gradients of that forward) and
in ``stream_losses``. Each such variant is written once here per level.
"""
import numpy as np

from .. import char_lm as C
from ..char_lm import init_params  # noqa: F401  (the trainer's; tests nudge it where it is defined)
from ..clipping import clip_by_global_norm as _clip
from ..lstm import lstm_step_backward

__all__ = ["clip_by_global_norm", "stream_losses", "train_char_lm", "answer_uniform", "answer_cells",
           "WEIGHTS", "VARIANTS"]

WEIGHTS = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")


def clip_by_global_norm(dW_embed, dWx, dWh, db, dW_out, db_out, max_norm):
    """The six gradients scaled together to a global norm of at most max_norm, and the
    global norm before clipping: (dW_embed, dWx, dWh, db, dW_out, db_out, total_norm)."""
    clipped, total = _clip([dW_embed, dWx, dWh, db, dW_out, db_out], max_norm)
    return (*clipped, total)


def _params(W_embed, Wx, Wh, b, W_out, b_out):
    return dict(W_embed=W_embed, Wx=Wx, Wh=Wh, b=b, W_out=W_out, b_out=b_out)


def stream_losses(x, y, T, W_embed, Wx, Wh, b, W_out, b_out):
    """The mean loss of each chunk of T steps of an LSTM language model over streams x, y
    (N, L), from h = c = 0, the state carried from chunk to chunk.

    Returns (losses of shape (K,), h_last (N, H), c_last (N, H)).
    """
    H = Wh.shape[0]
    state = C.zero_state("lstm", x.shape[0], H)
    losses, (h, c) = C.stream_losses("lstm", _params(W_embed, Wx, Wh, b, W_out, b_out), x, y, T, state)
    return losses, h, c


def train_char_lm(cell, seed, steps=C.RECIPE["steps"]):
    """The notebook's recipe (``solutions.char_lm.train``); returns the weights in WEIGHTS order."""
    model, _ = C.train(cell, seed, steps=steps)
    return tuple(model.params[k] for k in WEIGHTS)


def answer_uniform():
    """The perplexity of a model that gives every one of the V = 96 characters probability
    1/96: exp(-log(1/96)) = 96."""
    return 96


def answer_cells():
    """After the recipe's 200 steps (seed 0) the three cells are within 1.5 of each other in
    validation perplexity, all between 7 and 10 (tests/test_assignment_a7_char_lm.py
    measures it): choice "b"."""
    return "b"


# -- known wrong versions ---------------------------------------------------------------------

def _embedding_backward_overwritten(dout, idx, W):
    dW = np.zeros_like(W, dtype=np.float64)
    dW[idx] += dout                     # buffered: a repeated index keeps one gradient, not their sum
    return (dW,)


def _nll(scores, y):
    N, T, V = scores.shape
    log_p = C._log_softmax(scores.reshape(N * T, V))
    rows = np.arange(N * T)
    p = np.exp(log_p)
    p[rows, np.asarray(y).reshape(-1)] -= 1
    return -log_p[rows, np.asarray(y).reshape(-1)].reshape(N, T), p.reshape(N, T, V)


def _loss_with(divide_by):
    """The masked loss divided by ``divide_by(mask)`` instead of the number of unmasked tokens."""
    def loss(scores, y, mask):
        nll, dp = _nll(scores, y)
        den = divide_by(np.asarray(mask, dtype=np.float64), scores)
        return float((mask * nll).sum() / den), dp * (mask / den)[..., None]
    return loss


def _loss_mask_ignored(scores, y, mask):
    return C.temporal_softmax_loss(scores, y, np.ones(np.shape(mask)))


_LOSS = {
    "loss_summed_not_averaged": _loss_with(lambda mask, scores: 1.0),
    "loss_averaged_over_batch": _loss_with(lambda mask, scores: float(scores.shape[0])),
    "mask_ignored": _loss_mask_ignored,
}


def _lstm_forward_c0_ignored(x, h0, c0, Wx, Wh, b):
    return C.lstm_forward(x, h0, np.zeros_like(c0), Wx, Wh, b)


def _lstm_backward_c0_ignored(dh, dc_last, x, h0, c0, Wx, Wh, b):
    _, _, cache = C.lstm_forward(x, h0, np.zeros_like(c0), Wx, Wh, b)
    return C.lstm_backward(dh, dc_last, cache)                 # dc0: the gradient on the zeros it used


def _lstm_backward_with(carry_h=True, carry_c=True, use_dc_last=True):
    """The backward loop with the gradient into h_{t-1} (carry_h) or c_{t-1} (carry_c) not
    passed on to the earlier step, or the upstream dc_last left out."""
    def backward(dh, dc_last, x, h0, c0, Wx, Wh, b):
        _, _, caches = C.lstm_forward(x, h0, c0, Wx, Wh, b)
        T = len(caches)
        zeros = np.zeros_like(h0)
        dprev_h, dprev_c = zeros, (dc_last if use_dc_last else zeros)
        dxs, dWx, dWh, db = [None] * T, 0.0, 0.0, 0.0
        for t in reversed(range(T)):
            dx_t, dh_prev, dc_prev, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dprev_h, dprev_c, caches[t])
            dxs[t] = dx_t
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
            dprev_h = dh_prev if carry_h or t == 0 else zeros
            dprev_c = dc_prev if carry_c or t == 0 else zeros
        return np.stack(dxs, axis=1), dprev_h, dprev_c, dWx, dWh, db
    return backward


def _clip_per_tensor(dW_embed, dWx, dWh, db, dW_out, db_out, max_norm):
    grads = [dW_embed, dWx, dWh, db, dW_out, db_out]
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    out = [g * min(1.0, max_norm / np.sqrt(np.sum(g * g))) if np.sum(g * g) > 0 else g for g in grads]
    return (*out, total)


def _clip_by_value(dW_embed, dWx, dWh, db, dW_out, db_out, max_norm):
    grads = [dW_embed, dWx, dWh, db, dW_out, db_out]
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    return (*(np.clip(g, -max_norm, max_norm) for g in grads), total)


def _stream_with(restart_h=False, restart_c=False, loss_scale=None):
    """stream_losses with the state (h, c, or both) restarted from zeros at every chunk, or
    each chunk's loss scaled by ``loss_scale(N, T_k)`` (a loss not averaged over the tokens)."""
    def stream(x, y, T, W_embed, Wx, Wh, b, W_out, b_out):
        p = _params(W_embed, Wx, Wh, b, W_out, b_out)
        N, H = x.shape[0], Wh.shape[0]
        h, c = np.zeros((N, H)), np.zeros((N, H))
        losses = []
        for k in range(0, x.shape[1], T):
            xk, yk = x[:, k:k + T], y[:, k:k + T]
            if restart_h:
                h = np.zeros((N, H))
            if restart_c:
                c = np.zeros((N, H))
            loss, (h, c) = C._forward_loss("lstm", p, xk, yk, (h, c))
            losses.append(loss * (loss_scale(N, xk.shape[1]) if loss_scale else 1.0))
        return np.array(losses), h, c
    return stream


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


VARIANTS = {
    "solutions.char_lm:embedding_backward": {
        "embedding_grad_overwritten": _embedding_backward_overwritten,
    },
    "solutions.char_lm:temporal_softmax_loss": _LOSS,
    "solutions.char_lm:lstm_forward": {
        "initial_cell_state_ignored": _lstm_forward_c0_ignored,
    },
    "solutions.char_lm:lstm_backward": {
        "initial_cell_state_ignored": _lstm_backward_c0_ignored,
        "recurrent_gradient_dropped": _lstm_backward_with(carry_h=False),
        "cell_gradient_not_carried": _lstm_backward_with(carry_c=False),
        "dc_last_ignored": _lstm_backward_with(use_dc_last=False),
    },
    "solutions.assignments.a7_char_lm:clip_by_global_norm": {
        "clipped_per_tensor": _clip_per_tensor,
        "clipped_by_value": _clip_by_value,
    },
    "solutions.assignments.a7_char_lm:stream_losses": {
        "state_not_carried": _stream_with(restart_h=True, restart_c=True),
        "initial_cell_state_ignored": _stream_with(restart_c=True),
        "loss_summed_not_averaged": _stream_with(loss_scale=lambda N, T: N * T),
        "loss_averaged_over_batch": _stream_with(loss_scale=lambda N, T: T),
    },
    "solutions.char_lm:temperature_softmax": {
        "temperature_after_softmax": lambda scores, temperature: _softmax(_softmax(scores) / temperature),
        "temperature_multiplied": lambda scores, temperature: _softmax(scores * temperature),
        "temperature_ignored": lambda scores, temperature: _softmax(scores),
    },
}
