"""Seeded mistakes of a7_char_lm, each a typical slip in one solution cell.

A slip in a layer that ``stream_losses`` calls (the loss, the LSTM's forward) reaches it:
its HINT shows there too, and at grading its points are carried forward (it is right with
a correct stand-in). The training run is graded on the trained weights' held-out
perplexity; the slips below that reach training leave it under the threshold (Adam's step
does not depend on the gradient's scale, and the other slips cost little at 200 steps):
tests/test_assignment_a7_char_lm.py grades every one of them, hidden seed included.

Softmax without the max shift overflows on the large-logit cases: its NaN or inf cannot be
matched value for value like a known wrong version, so the spec's ``non_finite_hint`` names
it there, and the other cases keep their points.
"""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="embedding_grad_overwritten",
        cell_id="embedding-backward-solution",
        old="np.add.at(dW, idx, dout)",
        new="dW[idx] += dout",
        expect={"embedding_backward": "fancy-index += does not add up repeated indices"},
    ),
    Mistake(
        name="loss_averaged_over_batch",
        cell_id="temporal-softmax-loss-solution",
        old="count = m.sum()                                        # the tokens that count",
        new="count = N                                              # the rows",
        # stream_losses calls the loss: the same HINT there, and right with a correct loss
        expect={"temporal_softmax_loss": "divided by the batch size N",
                "stream_losses": "divided by the batch size N"},
        carried=("stream_losses",),
    ),
    Mistake(
        name="mask_ignored",
        cell_id="temporal-softmax-loss-solution",
        old="np.asarray(mask, dtype=float).reshape(N * T)",
        new="np.ones(N * T)",
        # right where every token counts (the second public case); stream_losses uses a mask of ones
        expect={"temporal_softmax_loss": "the mask ignored"},
        passing={"temporal_softmax_loss": ("N=3, T=2, V=5, every token counts",)},
    ),
    Mistake(
        name="lstm_c0_ignored",
        cell_id="lstm-forward-solution",
        old="h, c, hs, caches = h0, c0, [], []",
        new="h, c, hs, caches = h0, np.zeros_like(c0), [], []",
        # the backward is checked through this forward (its HINT: the gradients of that forward);
        # stream_losses calls it and is right with a correct one (carried forward at grading)
        expect={"lstm_forward": "starts from c = 0 instead of the given c0",
                "lstm_backward": "starts from c = 0 instead of the given c0",
                "stream_losses": "starts from c = 0 instead of the given c0"},
        carried=("stream_losses",),
    ),
    Mistake(
        name="lstm_backward_recurrent_gradient_dropped",
        cell_id="lstm-backward-solution",
        old="lstm_step_backward(dh[:, t] + dprev_h, dprev_c, caches[t])",
        new="lstm_step_backward(dh[:, t], dprev_c, caches[t])",
        expect={"lstm_backward": "passes only dh[:, t] into step t"},
    ),
    Mistake(
        name="lstm_backward_dc_last_ignored",
        cell_id="lstm-backward-solution",
        old="dprev_h, dprev_c = np.zeros_like(dh[:, 0]), dc_last",
        new="dprev_h, dprev_c = np.zeros_like(dh[:, 0]), np.zeros_like(dc_last)",
        # training passes dc_last = 0: it is not affected
        expect={"lstm_backward": "leaves out dc_last"},
    ),
    Mistake(
        name="clipped_per_tensor",
        cell_id="clip-by-global-norm-solution",
        old="grads = [g * scale for g in grads]",
        new="grads = [g * min(1.0, max_norm / np.sqrt(np.sum(g * g))) for g in grads]",
        # under the norm every array is under it too: that case still passes
        expect={"clip_by_global_norm": "each array clipped to max_norm on its own"},
        passing={"clip_by_global_norm": ("V=4, E=2, H=2, under the norm",)},
    ),
    Mistake(
        name="state_not_carried",
        cell_id="stream-losses-solution",
        old="        xk, yk = x[:, k:k + T], y[:, k:k + T]\n",
        new="        xk, yk = x[:, k:k + T], y[:, k:k + T]\n        h, c = np.zeros((N, H)), np.zeros((N, H))\n",
        expect={"stream_losses": "every chunk started from h = c = 0"},
    ),
    Mistake(
        name="temperature_after_softmax",
        cell_id="temperature-softmax-solution",
        old="    z = scores / temperature\n    z = z - z.max(axis=-1, keepdims=True)\n",
        new="    z = scores - scores.max(axis=-1, keepdims=True)\n    z = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)\n"
            "    z = z / temperature\n",
        expect={"temperature_softmax": "the temperature divides the scores (the logits) before the softmax"},
    ),
    Mistake(
        name="loss_without_max_shift",
        cell_id="temporal-softmax-loss-solution",
        old="z = s - s.max(axis=1, keepdims=True)                   # exp of at most 0: no overflow",
        new="z = s",
        # exp(1000) overflows on the large-logit case only; the others, stream_losses and the
        # training run see small logits
        expect={"temporal_softmax_loss": "subtract each row's max from the scores before exp"},
        passing={"temporal_softmax_loss": ("N=2, T=3, V=4, some tokens masked", "N=3, T=2, V=5, every token counts",
                                           "hidden 1", "hidden 2")},
    ),
    Mistake(
        name="temperature_without_max_shift",
        cell_id="temperature-softmax-solution",
        old="    z = z - z.max(axis=-1, keepdims=True)\n",
        new="",
        expect={"temperature_softmax": "scores / temperature reach the thousands"},
        passing={"temperature_softmax": ("N=2, V=5, temperature 0.5", "hidden 1")},
    ),
]
