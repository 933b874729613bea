"""Small specs and independent implementations shared by tests/test_checks_*.py.

Nothing here imports solutions/variants: the wrong implementations the tests use are
written in the tests themselves. The HINT sentences (what a student reads) are looked up
where they are written, by ``all_hints``.
"""
import numpy as np

from autograder.spec import Assignment, Case, Exercise, HiddenCases


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_step_inputs(rng, N=2, D=3, H=4):
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)) * 0.5,
                Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H) * 0.5)


def rnn_step_exercise(*, hidden_n=0, variants=(), timeout=None, public=None):
    rng = np.random.default_rng(7)
    return Exercise(
        grade_id="rnn_step_forward", target="rnn_step_forward", kind="function",
        reference="solutions.rnn:rnn_step_forward", outputs=("next_h",),
        public=public if public is not None else (Case("N=2, D=3, H=4", rnn_step_inputs(rng, 2, 3, 4)),
                                                  Case("N=3, D=4, H=4", rnn_step_inputs(rng, 3, 4, 4))),
        hidden=HiddenCases(n=hidden_n, seed=3, make_inputs=lambda r: rnn_step_inputs(r, 4, 5, 3))
        if hidden_n else None,
        variants=variants, timeout=timeout)


def one_exercise_assignment(exercise, assignment_id="test_checks"):
    return Assignment(id=assignment_id, title="test", exercises=(exercise,))


def all_hints() -> dict[str, str]:
    """Every HINT sentence by variant name, wherever it is written: shared ones in
    autograder.hints, an exercise's own ones beside it in its spec (Exercise.hints)."""
    from autograder import build_data, spec
    from autograder.hints import HINTS

    out = dict(HINTS)
    for aid in build_data.spec_ids():
        for ex in spec.load(aid).exercises:
            out.update(ex.hints)
    return out


def hint_text(variant: str) -> str:
    return all_hints()[variant]


# CS231n's RNN step: its cache has 6 items (b too); the course's backward unpacks 5
CS231N_CELL = '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, b, next_h)
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)
'''
