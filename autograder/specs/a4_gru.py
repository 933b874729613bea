"""a4_gru: the GRU's state update, candidate and step, PyTorch's convention, parameter counts.

Public inputs are drawn here from fixed seeds; expected values are in
autograder/data/a4_gru.json (generated from solutions). Hidden cases use other shapes.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_W = 0.5  # weight scale: keeps tanh and sigmoid out of saturation, so wrong variants stay distinguishable


def _update_inputs(rng, N, H):
    return dict(prev_h=np.tanh(rng.standard_normal((N, H))), z=rng.uniform(0.05, 0.95, size=(N, H)),
                h_tilde=np.tanh(rng.standard_normal((N, H))))


def _candidate_inputs(rng, N, D, H):
    return dict(x=rng.standard_normal((N, D)), prev_h=np.tanh(rng.standard_normal((N, H))),
                r=rng.uniform(0.05, 0.95, size=(N, H)), Wx_n=rng.standard_normal((D, H)) * _W,
                Wh_n=rng.standard_normal((H, H)) * _W, b_n=rng.standard_normal(H) * _W)


def _step_inputs(rng, N, D, H):
    return dict(x=rng.standard_normal((N, D)), prev_h=np.tanh(rng.standard_normal((N, H))),
                Wx=rng.standard_normal((D, 3 * H)) * _W, Wh=rng.standard_normal((H, 3 * H)) * _W,
                b=rng.standard_normal(3 * H) * _W)


def _pytorch_inputs(rng, N, D, H):
    d = _step_inputs(rng, N, D, H)
    d["bx"] = d.pop("b")
    d["bh"] = rng.standard_normal(3 * H) * _W
    return d


def _size(rng, lo, hi):
    return int(rng.integers(lo, hi))


def _hidden_update(rng):
    return _update_inputs(rng, _size(rng, 3, 6), _size(rng, 4, 7))


def _hidden_candidate(rng):
    return _candidate_inputs(rng, _size(rng, 4, 6), _size(rng, 5, 8), _size(rng, 5, 8))


def _hidden_step(rng):
    return _step_inputs(rng, _size(rng, 4, 7), _size(rng, 5, 9), _size(rng, 5, 8))


def _hidden_pytorch(rng):
    return _pytorch_inputs(rng, _size(rng, 4, 7), _size(rng, 5, 9), _size(rng, 5, 8))


_rng = np.random.default_rng(20261124)

# other sources' GRUs first (Cho et al. and d2l.ai, PyTorch, Keras), then the slips
_GRU_STEP_VARIANTS = ("gru_cho_convention", "gru_pytorch_convention", "gru_reset_after_product",
                      "gru_keras_block_order", "gru_keras_convention", "tanh_sigmoid_swapped",
                      "weights_swapped", "bias_missing", "reset_gate_missing")

ASSIGNMENT = Assignment(
    id="a4_gru",
    title="Assignment 4: the GRU",
    exercises=(
        Exercise(
            grade_id="gru_state_update",
            target="gru_state_update",
            kind="function",
            reference="solutions.gru:gru_state_update",
            outputs=("next_h",),
            public=(
                Case("the lecture's example: prev_h=0.9, z=0.4, h_tilde=0.2",
                     dict(prev_h=np.array([[0.9]]), z=np.array([[0.4]]), h_tilde=np.array([[0.2]]))),
                Case("N=2, H=3", _update_inputs(_rng, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=4101, make_inputs=_hidden_update),
            variants=("gru_cho_convention",),
            description="the update h_t = (1 - z) h_{t-1} + z h~",
        ),
        Exercise(
            grade_id="gru_candidate",
            target="gru_candidate",
            kind="function",
            reference="solutions.assignments.a4_gru:gru_candidate",
            outputs=("h_tilde",),
            public=(
                Case("N=2, D=3, H=4", _candidate_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=2, H=3", _candidate_inputs(_rng, 3, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=4102, make_inputs=_hidden_candidate),
            variants=("gru_reset_after_product", "reset_gate_missing", "tanh_sigmoid_swapped"),
            description="the candidate state with the reset gate",
        ),
        Exercise(
            grade_id="reset_example",
            target="reset_example",
            kind="value",
            reference="solutions.assignments.a4_gru:reset_example",
            outputs=("reset_example",),
            public=(Case("the reset-gate example (h=0.7, x=0.3, r=0.2)"),),
            description="the lecture's reset-gate example, computed",
        ),
        Exercise(
            grade_id="full_example",
            target="full_example",
            kind="value",
            reference="solutions.assignments.a4_gru:full_example",
            outputs=("full_example",),
            public=(Case("the full-step example (h=0.8, z=0.3, r=0.5, x=0.4)"),),
            description="the lecture's full GRU step, computed",
        ),
        Exercise(
            grade_id="gru_step_forward",
            target="gru_step_forward",
            kind="function",
            reference="solutions.gru:gru_step_forward",
            outputs=("next_h",),
            public=(
                Case("N=2, D=3, H=4", _step_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=4, H=4", _step_inputs(_rng, 3, 4, 4)),
            ),
            hidden=HiddenCases(n=3, seed=4103, make_inputs=_hidden_step),
            variants=_GRU_STEP_VARIANTS,
            description="one GRU step in the course's convention",
        ),
        Exercise(
            grade_id="gru_step_forward_pytorch",
            target="gru_step_forward_pytorch",
            kind="function",
            reference="solutions.gru:gru_step_forward_pytorch",
            outputs=("next_h",),
            public=(
                Case("N=2, D=3, H=4", _pytorch_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=2, H=2", _pytorch_inputs(_rng, 3, 2, 2)),
            ),
            hidden=HiddenCases(n=2, seed=4104, make_inputs=_hidden_pytorch),
            variants=("gru_course_convention", "pytorch_reset_before_product", "pytorch_recurrent_bias_missing"),
            hints={
                "gru_course_convention": ("HINT: your output matches h_t = (1-z)*h_{t-1} + z*n (the course's "
                                          "update): PyTorch lets z keep the old state, h_t = (1-z)*n + z*h_{t-1}."),
                "pytorch_reset_before_product": ("HINT: your output matches n = tanh(x Wx_n + bx_n + (r*h) Wh_n + "
                                                 "bh_n), the reset of Cho et al. and d2l.ai: PyTorch applies the "
                                                 "reset gate after the product, r*(h Wh_n + bh_n)."),
                "pytorch_recurrent_bias_missing": ("HINT: your output matches the one computed without bh: PyTorch "
                                                   "adds the recurrent bias bh to h Wh (and the reset gate scales "
                                                   "its n block)."),
            },
            description="one GRU step in PyTorch's convention",
        ),
        Exercise(
            grade_id="quick_check_conventions",
            target="answer_conventions",
            kind="choice",
            reference="solutions.assignments.a4_gru:answer_conventions",
            outputs=("answer_conventions",),
            public=(Case("why the two conventions give different numbers"),),
            description="quick check: the two GRU conventions",
        ),
        Exercise(
            grade_id="gru_params_textbook",
            target="gru_params_textbook",
            kind="formula",
            reference="solutions.params:param_count_formula",
            outputs=("gru_params_textbook",),
            public=(Case("GRU parameters, textbook (one bias per block)", dict(cell="gru", convention="textbook")),),
            variants=("formula_bias_missing", "one_gate_block", "two_biases"),
            description="the GRU's parameter count as a formula in d and h (textbook)",
        ),
        Exercise(
            grade_id="gru_params_pytorch",
            target="gru_params_pytorch",
            kind="formula",
            reference="solutions.params:param_count_formula",
            outputs=("gru_params_pytorch",),
            public=(Case("GRU parameters, PyTorch (b_ih and b_hh)", dict(cell="gru", convention="pytorch")),),
            variants=("formula_bias_missing", "one_gate_block"),
            description="the GRU's parameter count as a formula in d and h (PyTorch)",
        ),
        Exercise(
            grade_id="keras_gru_params",
            target="keras_gru_params",
            kind="value",
            reference="solutions.assignments.a4_gru:keras_gru_params",
            outputs=("keras_gru_params",),
            public=(Case("Keras GRU(64) on 5 input features"),),
            description="the parameter count Keras prints for GRU(64) on 5 features",
        ),
    ),
)
