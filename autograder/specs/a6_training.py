"""a6_training: the loss, Adam, and training runs graded on held-out metrics.

The loss and the optimizer are ``function`` exercises (public inputs drawn here from
fixed seeds, expected values in autograder/data/a6_training.json). The training runs are
``metric`` exercises: the student's training function is called with a fixed seed where
the student code runs, returns its weights as plain arrays, and the reference scorer in
``solutions.assignments.a6_training`` measures them on held-out data (a seed the notebook never
uses) against ``threshold``. Every model is trained with its public seed and with a hidden
one, so weights tuned to the public seed do not earn the hidden case. A run takes under
half a second with the notebook's recipe; the timeouts (all cases of an exercise) leave
room for a slow machine and a slow but correct implementation.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_WEIGHTS = ("Wx", "Wh", "b", "Wy", "by")


def _ce_inputs(rng, N, V):
    return dict(scores=rng.standard_normal((N, V)) * 2.0, y=rng.integers(0, V, size=N))


def _adam_inputs(rng, shape, t):
    return dict(w=rng.standard_normal(shape), dw=rng.standard_normal(shape) * 0.1,
                m=rng.standard_normal(shape) * 0.01, v=rng.uniform(0.0, 0.01, size=shape), t=t, lr=0.01)


def _size(rng, lo, hi):
    return int(rng.integers(lo, hi))


def _hidden_ce(rng):
    return _ce_inputs(rng, _size(rng, 5, 9), _size(rng, 5, 8))


def _hidden_adam(rng):
    return _adam_inputs(rng, (_size(rng, 4, 7), _size(rng, 5, 8)), _size(rng, 2, 50))


LONG, SHORT = 16, 2      # the recall gaps: the vanilla RNN learns SHORT, only the gated cells LONG


def _hidden_lstm(rng):
    return dict(cell="lstm", T=LONG, seed=_size(rng, 100, 1000))    # another training seed


def _hidden_gru(rng):
    return dict(cell="gru", T=LONG, seed=_size(rng, 100, 1000))


def _hidden_rnn_short(rng):
    return dict(cell="rnn", T=SHORT, seed=_size(rng, 100, 1000))


def _hidden_forecast(rng):
    return dict(seed=_size(rng, 100, 1000))   # another training seed; the held-out years are the same


_rng = np.random.default_rng(20261126)

ASSIGNMENT = Assignment(
    id="a6_training",
    title="Assignment 6: training recurrent networks",
    exercises=(
        Exercise(
            grade_id="softmax_cross_entropy",
            target="softmax_cross_entropy",
            kind="function",
            reference="solutions.assignments.a6_training:softmax_cross_entropy",
            outputs=("loss", "dscores"),
            public=(
                Case("N=3, V=4", _ce_inputs(_rng, 3, 4)),
                Case("N=2, V=3", _ce_inputs(_rng, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=6101, make_inputs=_hidden_ce),
            variants=("ce_grad_not_averaged", "ce_summed_over_batch", "ce_onehot_not_subtracted"),
            hints={
                "ce_grad_not_averaged": ("HINT: your dscores match p - onehot(y) without the division by N: the "
                                         "loss is a mean over the batch, so its gradient is divided by N too."),
                "ce_summed_over_batch": ("HINT: your loss and dscores match the sum over the batch; the course uses"
                                         " the mean: divide both by N."),
                "ce_onehot_not_subtracted": ("HINT: your dscores match softmax(scores) / N: subtract 1 at each "
                                             "row's true class y[n] before dividing by N."),
            },
            description="mean softmax cross-entropy and its gradient",
        ),
        Exercise(
            grade_id="adam_update",
            target="adam_update",
            kind="function",
            reference="solutions.assignments.a6_training:adam_update",
            outputs=("w", "m", "v"),
            public=(
                Case("first step, w of shape (3,)", _adam_inputs(_rng, (3,), 1)),
                Case("step 10, w of shape (2, 3)", _adam_inputs(_rng, (2, 3), 10)),
            ),
            hidden=HiddenCases(n=2, seed=6102, make_inputs=_hidden_adam),
            variants=("adam_no_bias_correction", "adam_sqrt_missing", "adam_gradient_ascent"),
            hints={
                "adam_no_bias_correction": ("HINT: your update matches Adam without bias correction: divide m by (1"
                                            " - beta1**t) and v by (1 - beta2**t) before the step."),
                "adam_sqrt_missing": ("HINT: your update divides by v_hat instead of its square root: the step is "
                                      "lr * m_hat / (sqrt(v_hat) + eps)."),
                "adam_gradient_ascent": ("HINT: your update moves w up the gradient: Adam subtracts lr * m_hat / "
                                         "(sqrt(v_hat) + eps)."),
            },
            description="one Adam step with bias correction",
        ),
        Exercise(
            grade_id="recall_lstm",
            target="train_recall",
            kind="metric",
            reference="solutions.assignments.a6_training:score_recall",
            outputs=_WEIGHTS,
            public=(Case(f"LSTM, T={LONG}, seed 1", dict(cell="lstm", T=LONG, seed=1), points=1.5),),
            hidden=HiddenCases(n=1, seed=6105, make_inputs=_hidden_lstm, points=1.5),
            threshold=0.9,
            timeout=60.0,
            description=f"the LSTM learns to recall a symbol {LONG} steps back",
        ),
        Exercise(
            grade_id="recall_gru",
            target="train_recall",
            kind="metric",
            reference="solutions.assignments.a6_training:score_recall",
            outputs=_WEIGHTS,
            public=(Case(f"GRU, T={LONG}, seed 2", dict(cell="gru", T=LONG, seed=2), points=1.5),),
            hidden=HiddenCases(n=1, seed=6106, make_inputs=_hidden_gru, points=1.5),
            threshold=0.9,
            timeout=60.0,
            description=f"the GRU learns to recall a symbol {LONG} steps back",
        ),
        Exercise(
            grade_id="recall_rnn_short",
            target="train_recall",
            kind="metric",
            reference="solutions.assignments.a6_training:score_recall",
            outputs=_WEIGHTS,
            public=(Case(f"RNN, T={SHORT}, seed 3", dict(cell="rnn", T=SHORT, seed=3), points=1.0),),
            hidden=HiddenCases(n=1, seed=6103, make_inputs=_hidden_rnn_short, points=1.0),
            threshold=0.9,
            timeout=60.0,
            description="the vanilla RNN learns the recall task when the gap is short",
        ),
        Exercise(
            grade_id="quick_check_rnn_long",
            target="answer_rnn_long",
            kind="choice",
            reference="solutions.assignments.a6_training:answer_rnn_long",
            outputs=("answer_rnn_long",),
            public=(Case(f"what the vanilla RNN does at T = {LONG}"),),
            description="quick check: the vanilla RNN on the long gap",
        ),
        Exercise(
            grade_id="forecast",
            target="train_forecast",
            kind="metric",
            reference="solutions.assignments.a6_training:score_forecast",
            outputs=_WEIGHTS,
            public=(Case("GRU forecaster, seed 4", dict(seed=4), points=1.5),),
            hidden=HiddenCases(n=1, seed=6104, make_inputs=_hidden_forecast, points=1.5),
            threshold=0.15,       # under half the seasonal naive forecast's 0.341 (forecast_baselines)
            higher_is_better=False,
            timeout=60.0,
            description="a GRU forecasts 12 months of the Mauna Loa CO2 record",
        ),
    ),
)
