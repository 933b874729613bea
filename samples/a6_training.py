"""Seeded mistakes of a6_training, each a typical slip in one solution cell.

The training exercises are graded on what the trained weights achieve, so a slip in the
loss or the optimizer also costs the training runs that use it.
"""
from samples import Mistake

_RECALL = {"recall_lstm": 0, "recall_gru": 0, "recall_rnn_short": 0}

MISTAKES = [
    Mistake(
        name="ce_onehot_not_subtracted",
        cell_id="loss-solution",
        old="    dscores[np.arange(N), y] -= 1                          # p - onehot(y)\n",
        new="",
        # the gradient no longer points at the true class: no recall run learns; forecasting uses MSE
        expect={"softmax_cross_entropy": "subtract 1 at each row's true class"},
        scores=_RECALL,
    ),
    Mistake(
        name="adam_gradient_ascent",
        cell_id="adam-solution",
        old="w = w - lr * m_hat",
        new="w = w + lr * m_hat",
        # every training run climbs the loss instead of descending it
        expect={"adam_update": "moves w up the gradient"},
        scores={**_RECALL, "forecast": 0},
    ),
    Mistake(
        name="forecast_gradient_sign",
        cell_id="forecast-solution",
        old="dpred = 2 * (pred - y) / pred.size",
        new="dpred = 2 * (y - pred) / pred.size",
        scores={"forecast": 0},
    ),
    Mistake(
        name="rnn_long_quick_check_wrong",
        cell_id="rnn-long-solution",
        old='answer_rnn_long = "b"',
        new='answer_rnn_long = "a"',
        scores={"quick_check_rnn_long": 0},
    ),
]
