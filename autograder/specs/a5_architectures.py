"""a5_architectures: bidirectional, stacked and masked RNNs, and the forecasting model's counts.

Every exercise runs the vanilla tanh RNN cell (the student's rnn_step_forward from a1,
pasted into the notebook). Public inputs are drawn here from fixed seeds; expected values
are in autograder/data/a5_architectures.json (generated from solutions). Hidden cases use
other shapes.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_W = 0.5  # weight scale: keeps tanh out of saturation, so wrong variants stay distinguishable


def _rnn_weights(rng, D, H, suffix=""):
    return {f"Wx{suffix}": rng.standard_normal((D, H)) * _W, f"Wh{suffix}": rng.standard_normal((H, H)) * _W,
            f"b{suffix}": rng.standard_normal(H) * _W}


def _bidir_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), **_rnn_weights(rng, D, H, "_f"), **_rnn_weights(rng, D, H, "_b"))


def _stacked_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), **_rnn_weights(rng, D, H, "1"), **_rnn_weights(rng, H, H, "2"))


def _masked_inputs(rng, N, T, D, H, lengths=None):
    if lengths is None:
        lengths = rng.integers(1, T + 1, size=N)
        lengths[0] = T                                    # one full-length sequence,
        lengths[-1] = int(rng.integers(1, T))             # and one with padding
    return dict(x=rng.standard_normal((N, T, D)), lengths=np.asarray(lengths, dtype=np.int64),
                **_rnn_weights(rng, D, H))


def _size(rng, lo, hi):
    return int(rng.integers(lo, hi))


def _hidden_bidir(rng):
    return _bidir_inputs(rng, _size(rng, 3, 5), _size(rng, 5, 8), _size(rng, 4, 6), _size(rng, 5, 7))


def _hidden_stacked(rng):
    return _stacked_inputs(rng, _size(rng, 3, 5), _size(rng, 5, 8), _size(rng, 4, 6), _size(rng, 5, 7))


def _hidden_masked(rng):
    return _masked_inputs(rng, _size(rng, 4, 7), _size(rng, 6, 9), _size(rng, 4, 6), _size(rng, 5, 7))


_rng = np.random.default_rng(20261125)

# the known mistakes of the student's rnn_step_forward (a1), which every architecture here runs
# (swapped or transposed weights need D == H, which no public case here has: left out)
_STEP_VARIANTS = ("tanh_sigmoid_swapped", "recurrent_weights_transposed", "concat_order_reversed", "bias_missing")

ASSIGNMENT = Assignment(
    id="a5_architectures",
    title="Assignment 5: architectures (bidirectional, stacked, masked) and the forecasting model",
    exercises=(
        Exercise(
            grade_id="bidirectional_rnn_forward",
            target="bidirectional_rnn_forward",
            kind="function",
            reference="solutions.assignments.a5_architectures:bidirectional_rnn_forward",
            outputs=("out", "h_n"),
            public=(
                Case("N=2, T=4, D=3, H=2", _bidir_inputs(_rng, 2, 4, 3, 2)),
                Case("N=1, T=3, D=2, H=3", _bidir_inputs(_rng, 1, 3, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=5101, make_inputs=_hidden_bidir),
            variants=("backward_final_at_last_step", "backward_states_not_reordered", "directions_swapped",
                      "backward_not_reversed") + _STEP_VARIANTS,
            hints={
                "backward_final_at_last_step": ("HINT: your h_n[1] matches out[:, -1, H:], the backward state after"
                                                " its first step; the backward direction ends at t = 0: out[:, 0, "
                                                "H:]."),
                "backward_states_not_reordered": ("HINT: your backward states are in reading order (last step "
                                                  "first); put them back in time order so that out[:, t] holds both"
                                                  " directions' states of step t."),
                "directions_swapped": ("HINT: your output matches [backward, forward]: concatenate the forward "
                                       "states first, then the backward ones (and h_n in the same order)."),
                "backward_not_reversed": ("HINT: your backward direction reads the sequence forward: it must read x"
                                          " from t = T-1 down to t = 0."),
            },
            description="a bidirectional RNN: both directions, concatenated",
        ),
        Exercise(
            grade_id="quick_check_backward_final",
            target="answer_backward_final",
            kind="choice",
            reference="solutions.assignments.a5_architectures:answer_backward_final",
            outputs=("answer_backward_final",),
            public=(Case("where the backward direction's summary is"),),
            description="quick check: the backward direction's final state",
        ),
        Exercise(
            grade_id="stacked_rnn_forward",
            target="stacked_rnn_forward",
            kind="function",
            reference="solutions.assignments.a5_architectures:stacked_rnn_forward",
            outputs=("out", "h_n"),
            public=(
                Case("N=2, T=3, D=4, H=3", _stacked_inputs(_rng, 2, 3, 4, 3)),
                Case("N=3, T=2, D=2, H=4", _stacked_inputs(_rng, 3, 2, 2, 4)),
            ),
            hidden=HiddenCases(n=2, seed=5102, make_inputs=_hidden_stacked),
            variants=("stack_first_layer_output", "stack_layer2_starts_from_layer1") + _STEP_VARIANTS,
            hints={
                "stack_first_layer_output": ("HINT: your out matches the first layer's states: return the states of"
                                             " the last layer, which reads the first layer's states as its input."),
                "stack_layer2_starts_from_layer1": ("HINT: your second layer starts from the first layer's final "
                                                    "state; each layer starts from its own initial state (zeros "
                                                    "here)."),
            },
            description="two stacked RNN layers",
        ),
        Exercise(
            grade_id="masked_rnn_forward",
            target="masked_rnn_forward",
            kind="function",
            reference="solutions.assignments.a5_architectures:masked_rnn_forward",
            outputs=("h", "h_final"),
            public=(
                Case("N=3, T=4, D=2, H=3, lengths=[4, 2, 1]", _masked_inputs(_rng, 3, 4, 2, 3, [4, 2, 1])),
                Case("N=2, T=5, D=3, H=2, lengths=[3, 5]", _masked_inputs(_rng, 2, 5, 3, 2, [3, 5])),
            ),
            hidden=HiddenCases(n=2, seed=5103, make_inputs=_hidden_masked),
            variants=("padding_not_masked", "final_from_last_padded_step", "padding_keeps_state") + _STEP_VARIANTS,
            hints={
                "padding_not_masked": ("HINT: your output matches running the RNN over the padding too: at a "
                                       "padding step (t >= lengths[n]) the state must stay as it was."),
                "final_from_last_padded_step": ("HINT: your h_final matches h[:, -1], which is padding for shorter "
                                                "sequences; take each sequence's state at t = lengths[n] - 1."),
                "padding_keeps_state": ("HINT: your h carries the last real state into the padding steps; the "
                                        "outputs at padding steps are 0 (only h_final keeps the state)."),
            },
            description="a padded batch of variable-length sequences, masked",
        ),
        Exercise(
            grade_id="forecast_counts_last",
            target="forecast_counts_last",
            kind="value",
            reference="solutions.assignments.a5_architectures:forecast_counts_last",
            outputs=("forecast_counts_last",),
            public=(Case("SimpleRNN(64) -> Dense(12), return_sequences=False", points=2.0),),
            variants=("dense_bias_missing", "rnn_two_biases"),
            description="parameter counts of the forecasting model on the last state",
        ),
        Exercise(
            grade_id="forecast_counts_all",
            target="forecast_counts_all",
            kind="value",
            reference="solutions.assignments.a5_architectures:forecast_counts_all",
            outputs=("forecast_counts_all",),
            public=(Case("SimpleRNN(64, return_sequences=True) -> Flatten -> Dense(128) -> Dense(12)", points=2.0),),
            variants=("dense_bias_missing", "rnn_two_biases"),
            description="parameter counts of the forecasting model on all states",
        ),
        Exercise(
            grade_id="quick_check_forecast_shapes",
            target="answer_forecast_shapes",
            kind="choice",
            reference="solutions.assignments.a5_architectures:answer_forecast_shapes",
            outputs=("answer_forecast_shapes",),
            public=(Case("the recurrent layer's output shape with return_sequences=True"),),
            description="quick check: return_sequences=True",
        ),
    ),
)
