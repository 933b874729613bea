"""a7_char_lm: a character-level language model on real text (Python's own standard library).

The layers (embedding, masked temporal softmax loss, the LSTM over a chunk with its state
carried in and out, its full backward, global-norm clipping, the stream of chunks with the
state carried, the temperature softmax of sampling) are ``function`` and ``gradient``
exercises with public inputs drawn here from fixed seeds (expected values in
autograder/data/a7_char_lm.json) and hidden cases of other shapes. The training run is a
``metric`` exercise: the student's ``train_char_lm("lstm", seed)`` returns its weights and
``solutions.char_lm.score_perplexity`` measures their perplexity on a held-out slice of the
corpus's test part, drawn from the case's seed (the training seed of the hidden case, and so
its slice, is hidden). The threshold leaves a margin over the reference's own runs
(tests/test_assignment_a7_char_lm.py measures them).

Softmax without the max shift gives NaN or inf on the large-logit cases; the engine rejects
a non-finite answer with a message that names the overflow of exp, and the case's name says
what to subtract.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_WEIGHTS = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")


def _size(rng, lo, hi):
    return int(rng.integers(lo, hi))


def _embed_inputs(rng, N, T, V, E):
    idx = rng.integers(0, V, size=(N, T))
    idx[0, :2] = idx[-1, -1]                            # a repeated index: its gradients must add up
    return dict(idx=idx, W=rng.standard_normal((V, E)))


def _embed_backward_inputs(rng, N, T, V, E):
    d = _embed_inputs(rng, N, T, V, E)
    return dict(dout=rng.standard_normal((N, T, E)), **d)


def _loss_inputs(rng, N, T, V, masked=True, scale=2.0):
    mask = (rng.random((N, T)) > 0.35).astype(float) if masked else np.ones((N, T))
    mask[0, 0] = 1.0
    return dict(scores=rng.standard_normal((N, T, V)) * scale, y=rng.integers(0, V, size=(N, T)), mask=mask)


def _large_logits(rng, N, T, V):
    d = _loss_inputs(rng, N, T, V)
    d["scores"] = d["scores"] * 20 + 1000.0              # logits near 1000: exp overflows without the shift
    return d


def _lstm_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)) * 0.5,
                c0=rng.standard_normal((N, H)), Wx=rng.standard_normal((D, 4 * H)) * 0.5,
                Wh=rng.standard_normal((H, 4 * H)) * 0.5, b=rng.standard_normal(4 * H) * 0.5)


def _lstm_backward_inputs(rng, N, T, D, H):
    return dict(dh=rng.standard_normal((N, T, H)), dc_last=rng.standard_normal((N, H)), **_lstm_inputs(rng, N, T, D, H))


def _clip_inputs(rng, V, E, H, ratio):
    d = dict(dW_embed=rng.standard_normal((V, E)), dWx=rng.standard_normal((E, 4 * H)) * 2,
             dWh=rng.standard_normal((H, 4 * H)) * 0.3, db=rng.standard_normal(4 * H) * 0.1,
             dW_out=rng.standard_normal((H, V)), db_out=rng.standard_normal(V) * 0.5)
    total = float(np.sqrt(sum(np.sum(v * v) for v in d.values())))
    d["max_norm"] = round(total * ratio, 3)
    return d


def _stream_inputs(rng, N, L, T, V, E, H):
    ids = rng.integers(0, V, size=(N, L + 1))
    return dict(x=ids[:, :-1], y=ids[:, 1:], T=int(T), W_embed=rng.standard_normal((V, E)),
                Wx=rng.standard_normal((E, 4 * H)) * 0.5, Wh=rng.standard_normal((H, 4 * H)) * 0.5,
                b=rng.standard_normal(4 * H) * 0.5, W_out=rng.standard_normal((H, V)), b_out=rng.standard_normal(V) * 0.1)


def _temperature_inputs(rng, N, V, temperature, scale=3.0):
    return dict(scores=rng.standard_normal((N, V)) * scale, temperature=float(temperature))


def _hidden_perplexity(rng):
    return dict(cell="lstm", seed=_size(rng, 100, 1000))         # another training seed and held-out slice


_rng = np.random.default_rng(20261127)

_LOSS_HINTS = {
    "loss_summed_not_averaged": ("HINT: your loss matches the sum over the unmasked tokens: the course's loss is their "
                                 "mean, so divide the sum (and dscores) by the number of unmasked tokens, mask.sum()."),
    "loss_averaged_over_batch": ("HINT: your loss matches the sum divided by the batch size N: average over the "
                                 "tokens instead, dividing by the number of unmasked tokens, mask.sum()."),
    "mask_ignored": ("HINT: your loss matches the mean over all N*T tokens, the mask ignored: multiply each token's "
                     "loss (and its row of dscores) by mask and divide by mask.sum()."),
}
_C0_HINT = ("HINT: your output matches an LSTM that starts from c = 0 instead of the given c0: the cell state "
            "carried from the previous chunk is the first step's prev_c.")

ASSIGNMENT = Assignment(
    id="a7_char_lm",
    title="Assignment 7: a character-level language model",
    exercises=(
        Exercise(
            grade_id="embedding_forward",
            target="embedding_forward",
            kind="function",
            reference="solutions.char_lm:embedding_forward",
            outputs=("out",),
            public=(Case("N=2, T=3, V=5, E=4", _embed_inputs(_rng, 2, 3, 5, 4)),),
            hidden=HiddenCases(n=1, seed=7101, make_inputs=lambda r: _embed_inputs(
                r, _size(r, 3, 5), _size(r, 4, 7), _size(r, 6, 9), _size(r, 3, 6))),
            description="the embedding: one row of W per character",
        ),
        Exercise(
            grade_id="embedding_backward",
            target="embedding_backward",
            kind="gradient",
            reference="solutions.char_lm:embedding_backward",
            forward="embedding_forward",
            outputs=("dW",),
            public=(Case("N=2, T=4, V=5, E=3, a repeated character", _embed_backward_inputs(_rng, 2, 4, 5, 3)),),
            hidden=HiddenCases(n=1, seed=7102, make_inputs=lambda r: _embed_backward_inputs(
                r, _size(r, 3, 5), _size(r, 4, 7), _size(r, 4, 7), _size(r, 2, 5))),
            variants=("embedding_grad_overwritten",),
            hints={"embedding_grad_overwritten": (
                "HINT: your dW matches dW[idx] += dout, which keeps one gradient per repeated character: numpy's "
                "fancy-index += does not add up repeated indices; np.add.at does.")},
            description="the gradient of the embedding, repeated characters added up",
        ),
        Exercise(
            grade_id="temporal_softmax_loss",
            target="temporal_softmax_loss",
            kind="function",
            reference="solutions.char_lm:temporal_softmax_loss",
            outputs=("loss", "dscores"),
            public=(
                Case("N=2, T=3, V=4, some tokens masked", _loss_inputs(_rng, 2, 3, 4)),
                Case("N=3, T=2, V=5, every token counts", _loss_inputs(_rng, 3, 2, 5, masked=False)),
                Case("logits near 1000 (subtract each row's max before exp)", _large_logits(_rng, 2, 3, 4)),
            ),
            hidden=HiddenCases(n=2, seed=7103, make_inputs=lambda r: _loss_inputs(
                r, _size(r, 3, 5), _size(r, 4, 7), _size(r, 6, 9))),
            variants=tuple(_LOSS_HINTS),
            hints=_LOSS_HINTS,
            non_finite_hint=("HINT: NaN or inf where the logits are large means exp overflowed: subtract each "
                             "row's max from the scores before exp (softmax is unchanged by the shift, and the "
                             "largest exponent becomes exp(0) = 1)."),
            description="the mean cross-entropy over the unmasked tokens and its gradient",
        ),
        Exercise(
            grade_id="lstm_forward",
            target="lstm_forward",
            kind="function",
            reference="solutions.char_lm:lstm_forward",
            outputs=("h", "c_last"),
            public=(
                Case("N=2, T=3, D=4, H=3", _lstm_inputs(_rng, 2, 3, 4, 3)),
                Case("N=1, T=5, D=2, H=2", _lstm_inputs(_rng, 1, 5, 2, 2)),
            ),
            hidden=HiddenCases(n=1, seed=7104, make_inputs=lambda r: _lstm_inputs(
                r, _size(r, 3, 5), _size(r, 6, 9), _size(r, 3, 6), _size(r, 4, 7))),
            variants=("initial_cell_state_ignored",),
            hints={"initial_cell_state_ignored": _C0_HINT},
            description="the LSTM over a chunk from a carried state (h0, c0)",
        ),
        Exercise(
            grade_id="lstm_backward",
            target="lstm_backward",
            kind="gradient",
            reference="solutions.char_lm:lstm_backward",
            forward="lstm_forward",
            outputs=("dx", "dh0", "dc0", "dWx", "dWh", "db"),
            public=(
                Case("N=2, T=3, D=3, H=2", _lstm_backward_inputs(_rng, 2, 3, 3, 2)),
                Case("N=1, T=4, D=2, H=3", _lstm_backward_inputs(_rng, 1, 4, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=7105, make_inputs=lambda r: _lstm_backward_inputs(
                r, _size(r, 2, 4), _size(r, 4, 6), _size(r, 3, 5), _size(r, 3, 5))),
            variants=("initial_cell_state_ignored", "recurrent_gradient_dropped", "cell_gradient_not_carried",
                      "dc_last_ignored"),
            hints={
                "initial_cell_state_ignored": _C0_HINT,
                "recurrent_gradient_dropped": (
                    "HINT: your gradients match a backward that passes only dh[:, t] into step t: add the gradient "
                    "that step t+1 sent back into h_t, lstm_step_backward(dh[:, t] + dprev_h, ...)."),
                "cell_gradient_not_carried": (
                    "HINT: your gradients match a backward that gives each step dnext_c = 0: pass the dprev_c that "
                    "step t+1 returned on to step t."),
                "dc_last_ignored": ("HINT: your gradients match a backward that leaves out dc_last: it is the "
                                    "last step's dnext_c."),
            },
            rtol=1e-5,
            atol=1e-7,
            description="backpropagation through a whole chunk of the LSTM",
        ),
        Exercise(
            grade_id="clip_by_global_norm",
            target="clip_by_global_norm",
            kind="function",
            reference="solutions.assignments.a7_char_lm:clip_by_global_norm",
            outputs=("dW_embed", "dWx", "dWh", "db", "dW_out", "db_out", "total_norm"),
            public=(
                Case("V=5, E=3, H=2, clipped", _clip_inputs(_rng, 5, 3, 2, 0.4)),
                Case("V=4, E=2, H=2, under the norm", _clip_inputs(_rng, 4, 2, 2, 1.5)),
            ),
            hidden=HiddenCases(n=1, seed=7106, make_inputs=lambda r: _clip_inputs(
                r, _size(r, 6, 9), _size(r, 3, 5), _size(r, 3, 5), 0.3)),
            variants=("clipped_per_tensor", "clipped_by_value"),
            hints={
                "clipped_per_tensor": ("HINT: your gradients match each array clipped to max_norm on its own: "
                                       "the global norm is sqrt(sum of all squared entries of all six arrays), "
                                       "and one factor max_norm / total_norm scales them all."),
                "clipped_by_value": ("HINT: your gradients match np.clip(g, -max_norm, max_norm), clipping each "
                                     "entry; clip by the global norm: scale all arrays by max_norm / total_norm."),
            },
            description="clipping the six gradients together by their global norm",
        ),
        Exercise(
            grade_id="stream_losses",
            target="stream_losses",
            kind="function",
            uses=("embedding_forward", "temporal_softmax_loss", "lstm_forward"),
            reference="solutions.assignments.a7_char_lm:stream_losses",
            outputs=("losses", "h_last", "c_last"),
            public=(Case("N=2, L=10 in chunks of T=4, V=6, E=3, H=3",
                         _stream_inputs(_rng, 2, 10, 4, 6, 3, 3), points=2.0),),
            hidden=HiddenCases(n=1, seed=7107, make_inputs=lambda r: _stream_inputs(
                r, _size(r, 3, 5), _size(r, 11, 16), _size(r, 3, 5), _size(r, 5, 8), _size(r, 2, 4), _size(r, 3, 5))),
            variants=("state_not_carried", "initial_cell_state_ignored", "loss_summed_not_averaged",
                      "loss_averaged_over_batch"),
            hints={
                "state_not_carried": ("HINT: your losses match every chunk started from h = c = 0: chunk k+1 "
                                      "continues chunk k in every row, so it starts from the state chunk k ended in."),
                "initial_cell_state_ignored": _C0_HINT,
                "loss_summed_not_averaged": _LOSS_HINTS["loss_summed_not_averaged"],
                "loss_averaged_over_batch": _LOSS_HINTS["loss_averaged_over_batch"],
            },
            description="the loss of each chunk of a stream, the state carried from chunk to chunk",
        ),
        Exercise(
            grade_id="perplexity_lstm",
            target="train_char_lm",
            kind="metric",
            reference="solutions.char_lm:score_perplexity",
            outputs=_WEIGHTS,
            public=(Case("LSTM, seed 1", dict(cell="lstm", seed=1), points=2.0),),
            hidden=HiddenCases(n=1, seed=7109, make_inputs=_hidden_perplexity, points=2.0),
            threshold=14.0,
            higher_is_better=False,
            timeout=60.0,
            description="the trained LSTM's perplexity on held-out text",
        ),
        Exercise(
            grade_id="quick_check_uniform",
            target="answer_uniform",
            kind="choice",
            reference="solutions.assignments.a7_char_lm:answer_uniform",
            outputs=("answer_uniform",),
            public=(Case("the perplexity of the uniform model"),),
            description="quick check: the perplexity of a model that knows nothing",
        ),
        Exercise(
            grade_id="temperature_softmax",
            target="temperature_softmax",
            kind="function",
            reference="solutions.char_lm:temperature_softmax",
            outputs=("p",),
            public=(
                Case("N=2, V=5, temperature 0.5", _temperature_inputs(_rng, 2, 5, 0.5)),
                Case("temperature 0.005: scores / temperature overflow exp (subtract the max)",
                     _temperature_inputs(_rng, 2, 4, 0.005, scale=4.0)),
            ),
            hidden=HiddenCases(n=1, seed=7108, make_inputs=lambda r: _temperature_inputs(
                r, _size(r, 3, 5), _size(r, 6, 9), 2.0)),
            variants=("temperature_after_softmax", "temperature_multiplied", "temperature_ignored"),
            hints={
                "temperature_after_softmax": ("HINT: your p matches softmax(softmax(scores) / temperature): the "
                                              "temperature divides the scores (the logits) before the softmax."),
                "temperature_multiplied": ("HINT: your p matches softmax(scores * temperature): divide by the "
                                           "temperature, so that a small temperature sharpens the distribution."),
                "temperature_ignored": ("HINT: your p matches softmax(scores), the temperature without effect: "
                                        "divide the scores by it before the softmax (dividing p afterwards and "
                                        "normalising again changes nothing)."),
            },
            non_finite_hint=("HINT: NaN or inf at a small temperature means exp overflowed: scores / temperature "
                             "reach the thousands, so subtract each row's max before exp (the softmax is "
                             "unchanged by the shift)."),
            description="the distribution that sampling draws from at a temperature",
        ),
        Exercise(
            grade_id="quick_check_cells",
            target="answer_cells",
            kind="choice",
            reference="solutions.assignments.a7_char_lm:answer_cells",
            outputs=("answer_cells",),
            public=(Case("RNN, GRU and LSTM after 200 steps"),),
            description="quick check: the three cells compared by held-out perplexity",
        ),
    ),
)
