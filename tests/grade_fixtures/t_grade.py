"""A small assignment spec for the grading-engine tests (loaded with --spec / AUTOGRADER_SPECS_PATH).

Two exercises on the reference's stable API: ``sigmoid`` (2 public + 2 hidden cases, 1
point each) and ``rnn_step_forward`` (1 public case worth 2, 1 hidden case worth 2).
Total 8 points.

The reference is written out here (a spec loaded from a file is the module
``autograder_spec_<id>``), so these tests do not depend on ``solutions``: sigmoid is
1 / (1 + exp(-z)), the RNN step is tanh(x Wx + prev_h Wh + b) (docs/design.md).
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases


def _z(seed, shape):
    return {"z": np.random.default_rng(seed).standard_normal(shape) * 2.0}


def _step(seed, N=2, D=3, H=4):
    rng = np.random.default_rng(seed)
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H) * 0.5)


def ref_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, None


ASSIGNMENT = Assignment(
    id="t_grade",
    title="grading-engine test assignment",
    exercises=(
        Exercise(
            grade_id="sigmoid", target="sigmoid", kind="function",
            reference="autograder_spec_t_grade:ref_sigmoid", outputs=("out",),
            public=(Case("z (3,)", _z(1, (3,))), Case("z (2, 5)", _z(2, (2, 5)))),
            hidden=HiddenCases(n=2, seed=11, make_inputs=lambda rng: {"z": rng.standard_normal((4, 3)) * 3.0}),
        ),
        Exercise(
            grade_id="rnn_step", target="rnn_step_forward", kind="function",
            reference="autograder_spec_t_grade:ref_rnn_step_forward", outputs=("next_h",),
            public=(Case("N=2, D=3, H=4", _step(3), points=2.0),),
            hidden=HiddenCases(n=1, seed=12, points=2.0,
                               make_inputs=lambda rng: _step(int(rng.integers(1 << 30)), N=3, D=2, H=5)),
        ),
    ),
)
