"""a1_rnn: activations, the RNN step and sequence forward, the worked example, outputs.

Public inputs are drawn here from fixed seeds; expected values are in
autograder/data/a1_rnn.json (generated from solutions). Hidden cases use other shapes.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_W = 0.5  # weight scale: keeps tanh out of saturation, so wrong variants stay distinguishable


def _rnn_step_inputs(rng, N, D, H):
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * _W, Wh=rng.standard_normal((H, H)) * _W,
                b=rng.standard_normal(H) * _W)


def _rnn_seq_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * _W, Wh=rng.standard_normal((H, H)) * _W,
                b=rng.standard_normal(H) * _W)


def _output_inputs(rng, shape, H, V):
    return dict(h=np.tanh(rng.standard_normal((*shape, H))), Wy=rng.standard_normal((H, V)),
                by=rng.standard_normal(V))


def _seq_model_inputs(rng, N, T, D, H, V):
    d = _rnn_seq_inputs(rng, N, T, D, H)
    d.update(Wy=rng.standard_normal((H, V)), by=rng.standard_normal(V))
    return d


def _hidden_z(rng):
    return dict(z=rng.uniform(-3, 3, size=(int(rng.integers(3, 6)), int(rng.integers(2, 5)))))


def _hidden_step(rng):
    return _rnn_step_inputs(rng, int(rng.integers(4, 7)), int(rng.integers(6, 9)), int(rng.integers(5, 8)))


def _hidden_seq(rng):
    return _rnn_seq_inputs(rng, int(rng.integers(2, 4)), int(rng.integers(6, 9)), int(rng.integers(4, 6)),
                           int(rng.integers(5, 8)))


def _hidden_output(rng):
    shape = (int(rng.integers(4, 7)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(4, 6)))
    return _output_inputs(rng, shape, int(rng.integers(5, 8)), int(rng.integers(4, 7)))


def _hidden_model(rng):
    return _seq_model_inputs(rng, int(rng.integers(2, 4)), int(rng.integers(6, 9)), int(rng.integers(4, 6)),
                             int(rng.integers(5, 8)), int(rng.integers(4, 6)))


_rng = np.random.default_rng(20261121)

# the known mistakes of the step; each reaches the sequence, and through it the classifiers
_STEP_VARIANTS = ("tanh_sigmoid_swapped", "weights_swapped", "recurrent_weights_transposed",
                  "pytorch_weights_transposed", "concat_order_reversed", "bias_missing")
_SEQUENCE_VARIANTS = _STEP_VARIANTS + ("states_shifted_by_one",)
# the classifiers' public cases have D != H, where swapped or transposed weights cannot compute
# (a known mistake must show on a public case): those two are left out there
_MODEL_VARIANTS = tuple(v for v in _SEQUENCE_VARIANTS if v not in ("weights_swapped", "pytorch_weights_transposed"))

ASSIGNMENT = Assignment(
    id="a1_rnn",
    title="Assignment 1: the vanilla RNN, forward",
    exercises=(
        Exercise(
            grade_id="activation_derivatives",
            target="activation_derivatives",
            kind="function",
            reference="solutions.assignments.a1_rnn:activation_derivatives",
            outputs=("dtanh", "dsigmoid", "drelu"),
            public=(
                Case("z = [-2, 2]", dict(z=np.array([-2.0, 2.0]))),
                Case("z of shape (2, 3)", dict(z=np.array([[-1.5, -0.3, 0.2], [0.7, 1.1, 2.5]]))),
            ),
            hidden=HiddenCases(n=2, seed=1101, make_inputs=_hidden_z),
            variants=("dtanh_not_squared", "dtanh_from_input", "dsigmoid_missing_factor"),
            hints={
                "dtanh_from_input": ("HINT: your dtanh matches 1 - z**2: the formula 1 - tanh(z)**2 squares "
                                     "tanh(z), not z."),
                "dsigmoid_missing_factor": ("HINT: your dsigmoid matches 1 - sigmoid(z); the derivative is "
                                            "sigmoid(z) * (1 - sigmoid(z))."),
            },
            description="the derivatives of tanh, sigmoid and ReLU",
        ),
        Exercise(
            grade_id="activations_at_2",
            target="activations_at_2",
            kind="value",
            reference="solutions.assignments.a1_rnn:activations_at_2",
            outputs=("activations_at_2",),
            public=(Case("tanh, sigmoid, relu at z = 2 and z = -2"),),
            description="tanh, sigmoid and ReLU at +2 and -2",
        ),
        Exercise(
            grade_id="rnn_step_forward",
            target="rnn_step_forward",
            kind="function",
            reference="solutions.rnn:rnn_step_forward",
            outputs=("next_h",),
            public=(
                Case("N=2, D=3, H=4", _rnn_step_inputs(_rng, 2, 3, 4)),
                # D = H, so swapped weights still compute and the self-check can name that mistake
                Case("N=3, D=4, H=4", _rnn_step_inputs(_rng, 3, 4, 4)),
            ),
            hidden=HiddenCases(n=3, seed=1102, make_inputs=_hidden_step),
            variants=_STEP_VARIANTS,
            description="one step of the tanh RNN",
        ),
        Exercise(
            grade_id="rnn_forward",
            target="rnn_forward",
            kind="function",
            uses=("rnn_step_forward",),
            reference="solutions.rnn:rnn_forward",
            outputs=("h",),
            public=(
                Case("N=2, T=3, D=4, H=5", _rnn_seq_inputs(_rng, 2, 3, 4, 5)),
                # D = H, so swapped weights still compute and the self-check can name that mistake
                Case("N=1, T=4, D=3, H=3", _rnn_seq_inputs(_rng, 1, 4, 3, 3)),
            ),
            hidden=HiddenCases(n=3, seed=1103, make_inputs=_hidden_seq),
            variants=_SEQUENCE_VARIANTS,
            description="the RNN over a whole sequence",
        ),
        Exercise(
            grade_id="worked_example",
            target="worked_h",
            kind="value",
            reference="solutions.assignments.a1_rnn:worked_example_h",
            outputs=("worked_h",),
            public=(Case("h_1, h_2, h_3 of the worked example", points=2.0),),
            description="the 1-D worked example on [0.1, 0.2, 0.3]",
        ),
        Exercise(
            grade_id="output_forward",
            target="output_forward",
            kind="function",
            reference="solutions.rnn:output_forward",
            outputs=("scores", "probs"),
            public=(
                Case("h of shape (N, H) = (3, 4), V=5", _output_inputs(_rng, (3,), 4, 5)),
                Case("h of shape (N, T, H) = (2, 3, 4), V=3", _output_inputs(_rng, (2, 3), 4, 3)),
            ),
            hidden=HiddenCases(n=2, seed=1104, make_inputs=_hidden_output),
            variants=("softmax_wrong_axis", "softmax_missing", "bias_missing"),
            hints={
                "softmax_missing": "HINT: your probs equal the scores: apply the softmax to the scores.",
            },
            description="the output layer and softmax",
        ),
        Exercise(
            grade_id="many_to_one",
            target="many_to_one_forward",
            kind="function",
            uses=("output_forward", "rnn_forward"),
            reference="solutions.assignments.a1_rnn:many_to_one_forward",
            outputs=("probs",),
            public=(Case("N=2, T=4, D=3, H=5, V=3", _seq_model_inputs(_rng, 2, 4, 3, 5, 3)),),
            hidden=HiddenCases(n=2, seed=1105, make_inputs=_hidden_model),
            variants=("first_hidden_state", "mean_of_hidden_states") + _MODEL_VARIANTS,
            hints={
                "first_hidden_state": ("HINT: your output matches the prediction from the first hidden state h[:, "
                                       "0]; many-to-one classifies the last one, h[:, -1]."),
                "mean_of_hidden_states": ("HINT: your output matches the prediction from the mean of the hidden "
                                          "states over time; many-to-one classifies only the last one, h[:, -1]."),
            },
            description="a many-to-one classifier: probabilities from the last hidden state",
        ),
        Exercise(
            grade_id="many_to_many",
            target="many_to_many_forward",
            kind="function",
            uses=("output_forward", "rnn_forward"),
            reference="solutions.assignments.a1_rnn:many_to_many_forward",
            outputs=("probs",),
            public=(Case("N=2, T=4, D=3, H=5, V=3", _seq_model_inputs(_rng, 2, 4, 3, 5, 3)),),
            hidden=HiddenCases(n=2, seed=1106, make_inputs=_hidden_model),
            variants=("softmax_wrong_axis",) + _MODEL_VARIANTS,
            description="a many-to-many tagger: probabilities at every step",
        ),
        Exercise(
            grade_id="quick_check_tanh",
            target="answer_tanh",
            kind="choice",
            reference="solutions.assignments.a1_rnn:answer_tanh",
            outputs=("answer_tanh",),
            public=(Case("why tanh for the hidden state"),),
            description="quick check: why tanh",
        ),
        Exercise(
            grade_id="quick_check_shapes",
            target="answer_shapes",
            kind="choice",
            reference="solutions.assignments.a1_rnn:answer_shapes",
            outputs=("answer_shapes",),
            public=(Case("output shapes of many-to-one and many-to-many"),),
            description="quick check: output shapes",
        ),
    ),
)
