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


def test_directional_derivatives_are_the_gradient_projected_on_each_direction():
    """f(x) = sum(a * x**3) has gradient 3 a x**2 (by hand), so along a unit v the derivative is
    sum(3 a x**2 v); the directions are unit vectors and the same for the same shape."""
    from autograder.numgrad import eval_directional_derivatives, random_directions

    rng = np.random.default_rng(3)
    a, x = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    dirs = random_directions(x.shape, 3)
    assert dirs.shape == (3, 4, 5)
    np.testing.assert_allclose(np.sqrt((dirs ** 2).sum(axis=(1, 2))), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(dirs, random_directions((4, 5), 3))
    got = eval_directional_derivatives(lambda z: np.sum(a * z ** 3), x.copy(), dirs)
    want = [np.sum(3 * a * x ** 2 * v) for v in dirs]
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)


def test_one_wrong_entry_of_a_gradient_shows_along_random_directions():
    """A gradient wrong in a single entry of 64 (a sign) is far from the directional derivatives;
    the right one agrees to about 1e-10, far below the 1e-5 the grader calls consistent."""
    from autograder.numgrad import eval_directional_derivatives, random_directions, rel_error

    rng = np.random.default_rng(4)
    W, x = rng.standard_normal((8, 8)), rng.standard_normal((5, 8))
    f = lambda W_: np.sum(np.tanh(x @ W_))          # noqa: E731
    grad = x.T @ (1 - np.tanh(x @ W) ** 2)          # d/dW sum(tanh(x W)) by the chain rule
    dirs = random_directions(W.shape, 3)
    num = eval_directional_derivatives(f, W.copy(), dirs)
    assert rel_error(np.tensordot(dirs, grad, axes=2), num) < 1e-8
    wrong = grad.copy()
    wrong[2, 5] *= -1
    assert rel_error(np.tensordot(dirs, wrong, axes=2), num) > 1e-3
