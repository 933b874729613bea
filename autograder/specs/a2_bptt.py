"""a2_bptt: backpropagation through time for the tanh RNN, gradient checking, clipping,
vanishing and exploding gradients, truncated BPTT, and tanh' through sympy.

Public inputs are drawn here from fixed seeds; expected values are in
autograder/data/a2_bptt.json (generated from solutions). Hidden cases use other shapes.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases

_W = 0.5


def _params(rng, D, H, scale=_W):
    return dict(Wx=rng.standard_normal((D, H)) * scale, Wh=rng.standard_normal((H, H)) * scale,
                b=rng.standard_normal(H) * scale)


def _step_backward_inputs(rng, N, D, H):
    d = dict(dnext_h=rng.standard_normal((N, H)), x=rng.standard_normal((N, D)),
             prev_h=rng.standard_normal((N, H)) * 0.5)
    d.update(_params(rng, D, H))
    return d


def _backward_inputs(rng, N, T, D, H):
    d = dict(dh=rng.standard_normal((N, T, H)), x=rng.standard_normal((N, T, D)),
             h0=rng.standard_normal((N, H)) * 0.5)
    d.update(_params(rng, D, H))
    return d


def _seq_with_dh(rng, N, T, D, H):
    d = dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)) * 0.5)
    d.update(_params(rng, D, H))
    d["dh"] = rng.standard_normal((N, T, H))
    return d


def _clip_inputs(rng, D, H, max_norm):
    return dict(dWx=rng.standard_normal((D, H)), dWh=rng.standard_normal((H, H)),
                db=rng.standard_normal(H), max_norm=float(max_norm))


def _radius_inputs(rng, T, D, H, radius):
    """One sequence (N = 1) and a recurrent matrix radius * (orthogonal), small inputs."""
    q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    return dict(x=rng.standard_normal((1, T, D)) * 0.1, h0=np.zeros((1, H)),
                Wx=rng.standard_normal((D, H)) * 0.3, Wh=radius * q, b=np.zeros(H))


def _truncated_inputs(rng, N, T, D, H, K):
    d = _seq_with_dh(rng, N, T, D, H)
    d["K"] = int(K)
    return d


def _sizes(rng, *bounds):
    return [int(rng.integers(lo, hi)) for lo, hi in bounds]


def _hidden_clip(rng):
    D, H = _sizes(rng, (4, 7), (5, 8))
    d = _clip_inputs(rng, D, H, 1.0)
    total = float(np.sqrt(sum(np.sum(v ** 2) for k, v in d.items() if k != "max_norm")))
    d["max_norm"] = float(total * rng.choice([0.3, 2.0]))       # one clipped, one not, at random
    return d


_rng = np.random.default_rng(20261122)

# the known mistakes of a1's step, which the student writes again here: the backward is
# checked through that forward, and a backward consistent with a wrong forward gets its HINT
# (swapped or transposed weights need D == H, which no public case here has: left out)
_STEP_VARIANTS = ("tanh_sigmoid_swapped", "recurrent_weights_transposed", "concat_order_reversed", "bias_missing")

ASSIGNMENT = Assignment(
    id="a2_bptt",
    title="Assignment 2: backpropagation through time",
    exercises=(
        Exercise(
            grade_id="rnn_step_backward",
            target="rnn_step_backward",
            kind="gradient",
            reference="solutions.rnn:rnn_step_backward",
            forward="rnn_step_forward",
            outputs=("dx", "dprev_h", "dWx", "dWh", "db"),
            public=(
                Case("N=2, D=3, H=4", _step_backward_inputs(_rng, 2, 3, 4)),
                Case("N=3, D=2, H=3", _step_backward_inputs(_rng, 3, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=2101, make_inputs=lambda r: _step_backward_inputs(r, *_sizes(r, (4, 7), (4, 7), (5, 8)))),
            variants=("rnn_tanh_derivative_missing", "dWh_transposed") + _STEP_VARIANTS,
            rtol=1e-5,
            atol=1e-7,
            description="the backward pass of one RNN step",
        ),
        Exercise(
            grade_id="rnn_backward",
            target="rnn_backward",
            kind="gradient",
            uses=("rnn_step_backward",),
            reference="solutions.rnn:rnn_backward",
            forward="rnn_forward",
            outputs=("dx", "dh0", "dWx", "dWh", "db"),
            public=(
                Case("N=2, T=3, D=4, H=5", _backward_inputs(_rng, 2, 3, 4, 5)),
                Case("N=1, T=5, D=2, H=3", _backward_inputs(_rng, 1, 5, 2, 3)),
            ),
            hidden=HiddenCases(n=2, seed=2102, make_inputs=lambda r: _backward_inputs(r, *_sizes(r, (2, 4), (6, 9), (3, 6), (6, 8)))),
            variants=("rnn_tanh_derivative_missing", "gradient_not_carried_back", "upstream_only_last_step",
                      "weight_gradients_not_summed", "dWh_transposed") + _STEP_VARIANTS + ("states_shifted_by_one",),
            hints={
                "gradient_not_carried_back": ("HINT: your gradients match BPTT that does not carry the gradient "
                                              "back through time: at step t, pass dh[:, t] plus the dprev_h coming "
                                              "back from step t+1."),
                "upstream_only_last_step": ("HINT: your gradients match a backward that uses only dh[:, -1] (as for"
                                            " many-to-one): every state h_t has its own upstream gradient, so add "
                                            "dh[:, t] at each step t."),
                "weight_gradients_not_summed": ("HINT: your dWx, dWh, db match those of step 0 alone: the weights "
                                                "are shared by all steps, so add up the gradients of every step."),
            },
            rtol=1e-5,
            atol=1e-7,
            description="backpropagation through the whole sequence",
        ),
        Exercise(
            grade_id="numerical_dWh",
            target="numerical_dWh",
            kind="function",
            reference="solutions.assignments.a2_bptt:numerical_dWh",
            outputs=("dWh",),
            public=(Case("N=2, T=3, D=3, H=4", _seq_with_dh(_rng, 2, 3, 3, 4)),),
            hidden=HiddenCases(n=1, seed=2103, make_inputs=lambda r: _seq_with_dh(r, *_sizes(r, (3, 5), (4, 6), (4, 6), (5, 7)))),
            variants=("centred_difference_not_halved",),
            hints={
                "centred_difference_not_halved": ("HINT: your gradient is twice the expected one: the centred "
                                                  "difference divides by 2*eps, (f(w+eps) - f(w-eps)) / (2*eps)."),
            },
            rtol=1e-5,
            atol=1e-7,
            description="a numerical gradient by centred differences",
        ),
        Exercise(
            grade_id="clip_by_global_norm",
            target="clip_by_global_norm",
            kind="function",
            reference="solutions.assignments.a2_bptt:clip_by_global_norm",
            outputs=("dWx", "dWh", "db", "total_norm"),
            public=(
                Case("global norm above max_norm = 1", _clip_inputs(_rng, 3, 4, 1.0)),
                Case("global norm below max_norm = 100", _clip_inputs(_rng, 2, 3, 100.0)),
            ),
            hidden=HiddenCases(n=2, seed=2104, make_inputs=_hidden_clip),
            variants=("clip_each_separately", "clip_by_value", "clip_always"),
            hints={
                "clip_each_separately": ("HINT: your output matches clipping each array by its own norm; clip by "
                                         "the global norm of all arrays together, with one common factor."),
                "clip_by_value": ("HINT: your output matches np.clip of each entry to [-max_norm, max_norm]; "
                                  "clipping by global norm rescales all arrays by max_norm / total_norm instead."),
                "clip_always": ("HINT: your output matches rescaling even when the global norm is already below "
                                "max_norm; leave the gradients unchanged then."),
            },
            description="clipping gradients by their global norm",
        ),
        Exercise(
            grade_id="grad_norms_through_time",
            target="grad_norms_through_time",
            kind="function",
            reference="solutions.assignments.a2_bptt:grad_norms_through_time",
            outputs=("norms",),
            public=(
                Case("T=8, H=4, spectral radius 0.5", _radius_inputs(_rng, 8, 2, 4, 0.5)),
                Case("T=8, H=4, spectral radius 1.5", _radius_inputs(_rng, 8, 2, 4, 1.5)),
            ),
            hidden=HiddenCases(n=2, seed=2105, make_inputs=lambda r: _radius_inputs(
                r, *_sizes(r, (10, 14), (3, 5), (5, 7)), float(r.choice([0.7, 1.3])))),
            variants=("jacobian_without_tanh_derivative", "norms_shifted_by_one"),
            hints={
                "jacobian_without_tanh_derivative": ("HINT: your norms match powers of Wh.T alone: each step's "
                                                     "Jacobian also has the factor diag(1 - h_t**2) from tanh."),
                "norms_shifted_by_one": ("HINT: your norms are shifted by one: norms[0] is for T - t = 1, the norm "
                                         "of dh_T/dh_{T-1}, not of the identity dh_T/dh_T."),
            },
            description="the norm of dh_T/dh_t against T - t",
        ),
        Exercise(
            grade_id="quick_check_radius",
            target="answer_radius",
            kind="choice",
            reference="solutions.assignments.a2_bptt:answer_radius",
            outputs=("answer_radius",),
            public=(Case("what the spectral radius does to the norms"),),
            description="quick check: vanishing and exploding",
        ),
        Exercise(
            grade_id="rnn_backward_truncated",
            target="rnn_backward_truncated",
            kind="function",
            uses=("rnn_step_backward",),
            reference="solutions.assignments.a2_bptt:rnn_backward_truncated",
            outputs=("dWx", "dWh", "db"),
            public=(
                Case("N=2, T=6, D=3, H=4, K=2", _truncated_inputs(_rng, 2, 6, 3, 4, 2)),
                Case("N=1, T=5, D=2, H=3, K=3", _truncated_inputs(_rng, 1, 5, 2, 3, 3)),
            ),
            hidden=HiddenCases(n=2, seed=2106, make_inputs=lambda r: _truncated_inputs(
                r, *_sizes(r, (2, 4), (7, 10), (4, 6), (5, 7), (2, 5)))),
            variants=("truncated_in_chunks", "truncation_one_step_longer"),
            hints={
                "truncated_in_chunks": ("HINT: your gradients match BPTT inside chunks of K steps; here the loss at"
                                        " every step t reaches back K steps, t, t-1, ..., t-K+1."),
                "truncation_one_step_longer": ("HINT: your gradients match a truncation to K + 1 steps: the loss at"
                                               " step t reaches back through steps t, ..., t-K+1, that is K steps."),
            },
            description="BPTT truncated to K steps",
        ),
        Exercise(
            grade_id="dtanh_sympy",
            target="dtanh_in_y",
            kind="formula",
            reference="solutions.assignments.a2_bptt:dtanh_through_tanh",
            outputs=("dtanh_in_y",),
            public=(Case("d tanh(z)/dz with y = tanh(z)"),),
            variants=("dtanh_not_squared", "sigmoid_derivative_form"),
            hints={
                "sigmoid_derivative_form": ("HINT: your expression is y*(1 - y), the sigmoid's derivative written "
                                            "through its value; for y = tanh(z) it is 1 - y**2."),
            },
            symbols=("y",),
            description="the derivative of tanh, written through tanh itself (sympy)",
        ),
    ),
)
