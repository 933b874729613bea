"""a4_gru through nbgrader (shared checks of nbgrader_harness) and its own facts."""
import math

import numpy as np
import pytest
import sympy as sp
import torch

from nbgrader_harness import NbgraderAssignmentChecks

from autograder.spec import load


@pytest.mark.slow
class TestA4GruThroughNbgrader(NbgraderAssignmentChecks):
    assignment_id = "a4_gru"


def test_reset_example_is_tanh_of_the_hand_sum():
    """0.5 * (0.2 * 0.7) + 0.5 * 0.3 + 0.1 = 0.32, and tanh(0.32) = 0.30951 (the notes print 0.309)."""
    from solutions.assignments.a4_gru import reset_example

    assert reset_example() == pytest.approx(math.tanh(0.5 * 0.2 * 0.7 + 0.5 * 0.3 + 0.1), rel=1e-12)
    assert round(reset_example(), 3) == 0.310


def test_full_example_is_the_hand_computed_step():
    """h~ = tanh(0.5 * (0.5 * 0.8) + 0.5 * 0.4) = tanh(0.4); h_t = 0.7 * 0.8 + 0.3 * h~ = 0.674."""
    from solutions.assignments.a4_gru import full_example

    expected = 0.7 * 0.8 + 0.3 * math.tanh(0.4)
    assert full_example() == pytest.approx(expected, rel=1e-12)
    assert round(full_example(), 3) == 0.674


def test_candidate_reference_matches_a_torch_computation():
    from solutions.assignments.a4_gru import gru_candidate

    rng = np.random.default_rng(3)
    N, D, H = 3, 4, 5
    x, h, r = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.uniform(size=(N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
    t = {k: torch.tensor(v) for k, v in dict(x=x, h=h, r=r, Wx=Wx, Wh=Wh, b=b).items()}
    expected = torch.tanh(t["x"] @ t["Wx"] + (t["r"] * t["h"]) @ t["Wh"] + t["b"]).numpy()
    np.testing.assert_allclose(gru_candidate(x, h, r, Wx, Wh, b), expected, rtol=1e-12)


def test_keras_count_is_three_blocks_with_two_bias_vectors():
    """Keras GRU(64), reset_after=True, 5 features: 3 * (5*64 + 64*64 + 2*64) = 13632 (counted by hand)."""
    from solutions.assignments.a4_gru import keras_gru_params

    assert keras_gru_params() == 3 * (5 * 64 + 64 * 64 + 2 * 64) == 13632


def test_pytorch_gru_parameter_count_matches_torch():
    """The PyTorch formula of the spec's reference equals what nn.GRU allocates."""
    from solutions.params import param_count_formula

    d, h = sp.symbols("d h", positive=True, integer=True)
    for D, H in [(5, 64), (3, 7)]:
        n = sum(p.numel() for p in torch.nn.GRU(D, H).parameters())
        assert param_count_formula("gru", "pytorch").subs({d: D, h: H}) == n


def test_the_two_conventions_really_differ_so_the_quick_check_answer_holds():
    """Same weights (b = bx, bh = 0): the course's and PyTorch's GRU steps give different states."""
    from solutions.gru import gru_step_forward, gru_step_forward_pytorch
    from solutions.assignments.a4_gru import answer_conventions

    rng = np.random.default_rng(0)
    x, h = rng.standard_normal((2, 3)), np.tanh(rng.standard_normal((2, 4)))
    Wx, Wh, b = rng.standard_normal((3, 12)), rng.standard_normal((4, 12)), rng.standard_normal(12)
    course = gru_step_forward(x, h, Wx, Wh, b)[0]
    pytorch = gru_step_forward_pytorch(x, h, Wx, Wh, b, np.zeros(12))
    assert np.abs(course - pytorch).max() > 1e-2
    assert answer_conventions() == "b"


def test_hidden_cases_use_other_shapes_than_the_public_ones():
    spec = load("a4_gru")
    for ex in spec.exercises:
        public = {tuple(np.shape(v) for v in c.inputs.values()) for c in ex.public}
        for case in ex.cases(hidden=True):
            assert tuple(np.shape(v) for v in case.inputs.values()) not in public, (ex.grade_id, case.name)
