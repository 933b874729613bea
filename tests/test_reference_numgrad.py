"""Do the numerical-gradient tools students get (autograder.numgrad) compute what they claim?"""
import numpy as np
import pytest

from autograder.numgrad import eval_numerical_gradient, eval_numerical_gradient_array, rel_error


def test_numerical_gradient_of_sum_of_cubes_is_three_x_squared():
    """d/dx sum(x^3) = 3 x^2 (by hand); the centred difference is exact up to h^2 = 1e-10."""
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    grad = eval_numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=0, atol=1e-9)


def test_numerical_gradient_array_is_the_upstream_weighted_jacobian_product():
    """f(x) = x^2 elementwise, upstream df: d sum(f(x) * df)/dx = 2 x df (by hand)."""
    x = np.array([1.0, -2.0, 0.5])
    df = np.array([0.3, 1.0, -2.0])
    grad = eval_numerical_gradient_array(lambda v: v ** 2, x, df)
    np.testing.assert_allclose(grad, 2 * x * df, rtol=0, atol=1e-9)


def test_numerical_gradient_restores_x():
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    eval_numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    eval_numerical_gradient_array(np.sin, x, np.ones(3))
    np.testing.assert_array_equal(x, before)


def test_rel_error_hand_examples():
    """|1 - 1.1| / (1 + 1.1) = 0.1 / 2.1; equal arrays give 0; the 1e-8 floor keeps 0 vs 0 at 0."""
    assert rel_error(np.array([1.0, 2.0]), np.array([1.1, 2.0])) == pytest.approx(0.1 / 2.1, rel=1e-12)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([0.0]), np.array([1e-9])) == pytest.approx(1e-9 / 1e-8)


def test_shape_mismatches_are_reported():
    with pytest.raises(ValueError, match=r"rel_error: .* got \(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"f\(x\) has shape \(2,\) but df has shape \(3,\)"):
        eval_numerical_gradient_array(lambda v: v, np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="f must return a scalar"):
        eval_numerical_gradient(lambda v: v, np.zeros(2))
