"""a3_lstm: the gates, the state update on the lecture's examples, the LSTM step, sequence
and step backward, the parameter count, and the peephole and coupled-gate variants.

Public inputs are drawn here from fixed seeds; expected values are in
autograder/data/a3_lstm.json (generated from solutions). Hidden cases use other shapes.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_W = 0.5  # weight scale: keeps the gates away from saturation, so wrong variants stay distinguishable

# The lecture's six state-update examples, columns prev_c, f, i, g, o (o = 1 where the slide
# gives none; f = 1, i = 0 where the slide gives C_t itself). Inputs, not answers.
_SIX = np.array([
    [0.9, 0.4, 0.5, 0.3, 1.0],
    [1.2, 0.4, 0.0, 0.0, 1.0],
    [0.9, 0.5, 0.3, 0.6, 1.0],
    [0.8, 1.0, 0.0, 0.0, 0.5],
    [1.0, 0.4, 0.6, 0.5, 0.7],
    [1.1, 1.0, 0.0, 0.0, 0.5],
])


def _step_inputs(rng, N, D, H, k=4):
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                prev_c=rng.standard_normal((N, H)), Wx=rng.standard_normal((D, k * H)) * _W,
                Wh=rng.standard_normal((H, k * H)) * _W, b=rng.standard_normal(k * H) * _W)


def _gate_inputs(rng, N, D, H):
    d = _step_inputs(rng, N, D, H)
    del d["prev_c"]
    return d


def _update_inputs(rng, N, H):
    u = lambda: rng.uniform(0.05, 0.95, size=(N, H))       # noqa: E731  (gate values)
    return dict(prev_c=rng.standard_normal((N, H)), f=u(), i=u(), g=rng.uniform(-0.95, 0.95, size=(N, H)), o=u())


def _seq_inputs(rng, N, T, D, H):
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, 4 * H)) * _W, Wh=rng.standard_normal((H, 4 * H)) * _W,
                b=rng.standard_normal(4 * H) * _W)


def _backward_inputs(rng, N, D, H):
    d = dict(dnext_h=rng.standard_normal((N, H)), dnext_c=rng.standard_normal((N, H)))
    d.update(_step_inputs(rng, N, D, H))
    return d


def _peephole_inputs(rng, N, D, H):
    d = _step_inputs(rng, N, D, H)
    d.update(p_i=rng.standard_normal(H), p_f=rng.standard_normal(H), p_o=rng.standard_normal(H))
    return d


def _sizes(rng, *bounds):
    return [int(rng.integers(lo, hi)) for lo, hi in bounds]


_rng = np.random.default_rng(20261123)

# the known wrong readings of the gate blocks; each reaches the step, the sequence and the backward
_GATE_VARIANTS = ("cs231n_block_order", "tensorflow_lstm_cell", "tensorflow_block_order", "forget_bias_added",
                  "tanh_sigmoid_swapped", "weights_swapped", "bias_missing")
# the known wrong state updates; each reaches the step, the sequence and the backward
_UPDATE_VARIANTS = ("forget_gate_missing", "hidden_without_tanh", "forget_gate_on_candidate")
_STEP_VARIANTS = _GATE_VARIANTS + _UPDATE_VARIANTS + ("prev_h_for_prev_c",)
# swapped weights need D == H, which no public case of the sequence or the backward has (a known
# mistake must show on a public case): left out there
_ANY_SHAPE = tuple(v for v in _STEP_VARIANTS if v != "weights_swapped")

ASSIGNMENT = Assignment(
    id="a3_lstm",
    title="Assignment 3: the LSTM",
    exercises=(
        Exercise(
            grade_id="lstm_gates",
            target="lstm_gates",
            kind="function",
            reference="solutions.assignments.a3_lstm:lstm_gates",
            outputs=("i", "f", "g", "o"),
            public=(
                Case("N=2, D=3, H=4", _gate_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=2, H=2", _gate_inputs(_rng, 3, 2, 2)),
            ),
            hidden=HiddenCases(n=2, seed=3101, make_inputs=lambda r: _gate_inputs(r, *_sizes(r, (4, 7), (4, 7), (5, 8)))),
            variants=_GATE_VARIANTS,
            description="the four gates i, f, g, o of one step",
        ),
        Exercise(
            grade_id="lstm_state_update",
            target="lstm_state_update",
            kind="function",
            reference="solutions.lstm:lstm_state_update",
            outputs=("next_c", "next_h"),
            public=(
                Case("the lecture's six examples", dict(zip(("prev_c", "f", "i", "g", "o"), _SIX.T.copy())), points=2.0),
                Case("N=2, H=3", _update_inputs(_rng, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=3102, make_inputs=lambda r: _update_inputs(r, *_sizes(r, (3, 6), (4, 8)))),
            variants=_UPDATE_VARIANTS,
            description="c_t and h_t from the gate values",
        ),
        Exercise(
            grade_id="lstm_step_forward",
            target="lstm_step_forward",
            kind="function",
            uses=("lstm_gates", "lstm_state_update"),
            reference="solutions.lstm:lstm_step_forward",
            outputs=("next_h", "next_c"),
            public=(
                Case("N=2, D=3, H=4", _step_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=4, H=4", _step_inputs(_rng, 3, 4, 4)),
            ),
            hidden=HiddenCases(n=3, seed=3103, make_inputs=lambda r: _step_inputs(r, *_sizes(r, (4, 7), (5, 8), (5, 8)))),
            variants=_STEP_VARIANTS,
            description="one LSTM step",
        ),
        Exercise(
            grade_id="lstm_forward",
            target="lstm_forward",
            kind="function",
            uses=("lstm_step_forward",),
            reference="solutions.lstm:lstm_forward",
            outputs=("h",),
            public=(
                Case("N=2, T=3, D=4, H=5", _seq_inputs(_rng, 2, 3, 4, 5)),
                Case("N=1, T=5, D=2, H=3", _seq_inputs(_rng, 1, 5, 2, 3)),
            ),
            hidden=HiddenCases(n=3, seed=3104, make_inputs=lambda r: _seq_inputs(r, *_sizes(r, (2, 4), (6, 9), (3, 6), (6, 8)))),
            variants=_ANY_SHAPE + ("states_shifted_by_one",),
            description="the LSTM over a sequence, from h0 and c0 = 0",
        ),
        Exercise(
            grade_id="lstm_step_backward",
            target="lstm_step_backward",
            kind="gradient",
            uses=("lstm_gates", "lstm_state_update"),
            reference="solutions.lstm:lstm_step_backward",
            forward="lstm_step_forward",
            outputs=("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"),
            public=(
                Case("N=2, D=3, H=4", _backward_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=2, H=3", _backward_inputs(_rng, 3, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=3105, make_inputs=lambda r: _backward_inputs(r, *_sizes(r, (4, 6), (4, 7), (5, 7)))),
            variants=("dprev_c_without_forget_gate", "tanh_derivative_missing") + _ANY_SHAPE,
            hints={
                "dprev_c_without_forget_gate": ("HINT: your dprev_c matches dc without the forget gate: c_t = "
                                                "f*c_{t-1} + i*g, so dprev_c = dc * f."),
                "tanh_derivative_missing": ("HINT: your gradients match a backward pass that leaves out tanh'(c_t):"
                                            " the path from h_t to c_t carries dnext_h * o * (1 - tanh(c_t)**2)."),
            },
            rtol=1e-5,
            atol=1e-7,
            description="the backward pass of one LSTM step",
        ),
        Exercise(
            grade_id="lstm_params",
            target="lstm_params",
            kind="formula",
            reference="solutions.params:param_count_formula",
            outputs=("lstm_params",),
            public=(Case("LSTM parameters, one bias per block", dict(cell="lstm", convention="textbook")),),
            variants=("formula_bias_missing", "one_gate_block", "two_biases"),
            description="the LSTM's parameter count as a formula in d and h",
        ),
        Exercise(
            grade_id="lstm_peephole",
            target="lstm_peephole_step_forward",
            kind="function",
            reference="solutions.lstm:lstm_peephole_step_forward",
            outputs=("next_h", "next_c"),
            public=(Case("N=2, D=3, H=4", _peephole_inputs(_rng, 2, 3, 4)),),
            hidden=HiddenCases(n=2, seed=3106, make_inputs=lambda r: _peephole_inputs(r, *_sizes(r, (4, 7), (4, 7), (5, 8)))),
            variants=("output_peephole_on_prev_c",),
            hints={
                "output_peephole_on_prev_c": ("HINT: your output matches an output gate that looks at c_{t-1}; its "
                                              "peephole looks at the new cell state c_t (computed first)."),
            },
            description="one step of the peephole LSTM",
        ),
        Exercise(
            grade_id="lstm_coupled",
            target="lstm_coupled_step_forward",
            kind="function",
            reference="solutions.lstm:lstm_coupled_step_forward",
            outputs=("next_h", "next_c"),
            public=(Case("N=2, D=3, H=4", _step_inputs(_rng, 2, 3, 4, k=3)),),
            hidden=HiddenCases(n=2, seed=3107, make_inputs=lambda r: _step_inputs(r, *_sizes(r, (4, 7), (4, 7), (5, 8)), k=3)),
            variants=("coupled_gates_reversed",),
            hints={
                "coupled_gates_reversed": ("HINT: your output matches c_t = (1-f)*c_{t-1} + f*g: f multiplies the "
                                           "old cell state, 1 - f the candidate."),
            },
            description="one step of the LSTM with coupled input and forget gates",
        ),
        Exercise(
            grade_id="quick_check_highway",
            target="answer_highway",
            kind="choice",
            reference="solutions.assignments.a3_lstm:answer_highway",
            outputs=("answer_highway",),
            public=(Case("why gradients survive along the cell state"),),
            description="quick check: the cell state as a gradient highway",
        ),
        Exercise(
            grade_id="quick_check_matrices",
            target="answer_matrices",
            kind="choice",
            reference="solutions.assignments.a3_lstm:answer_matrices",
            outputs=("answer_matrices",),
            public=(Case("weight matrices of one LSTM cell"),),
            description="quick check: weight matrices when each block has its own input and recurrent matrix",
        ),
    ),
)
