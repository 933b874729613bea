"""Numerical gradients by centred differences, and the relative error used to compare them.

Students get this module (it imports numpy only). The recipe is CS231n's: perturb one
entry of x by +-h, re-evaluate, and take (f(x + h) - f(x - h)) / 2h, which is accurate
to O(h^2). In float64 with h = 1e-5 a correct analytic gradient usually agrees to a
relative error of 1e-8 or less; 1e-2 or more means a bug.
"""
import numpy as np

__all__ = ["eval_numerical_gradient", "eval_numerical_gradient_array", "eval_directional_derivatives",
           "random_directions", "rel_error"]


def _check_x(fn, x):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"{x.dtype} array" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{fn}: x must be a float64 numpy array (it is perturbed in place, and "
                        f"centred differences with h=1e-5 need float64); got {got}")


def eval_numerical_gradient(f, x, verbose=False, h=1e-5):
    """Numerical gradient of a scalar function f at x.

    Inputs:
    - f: function of one argument returning a number; it must read x (which is
      perturbed in place, one entry at a time, and restored).
    - x: float64 array of any shape.
    - verbose: print every entry's gradient as it is computed.
    - h: step of the centred difference.

    Returns:
    - grad: array of the same shape as x, df/dx.
    """
    _check_x("eval_numerical_gradient", x)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)                                      # f(x + h)
        x[ix] = old - h
        fxmh = f(x)                                      # f(x - h)
        x[ix] = old                                      # restore
        if np.ndim(fxph) != 0:
            raise ValueError(f"eval_numerical_gradient: f must return a scalar; got shape {np.shape(fxph)}")
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) with respect to x, for an array-valued f.

    Inputs:
    - f: function of one argument returning an array of the same shape as df; it must
      read x (perturbed in place, one entry at a time, and restored).
    - x: float64 array of any shape.
    - df: upstream gradient, of the shape of f(x).
    - h: step of the centred difference.

    Returns:
    - grad: array of the same shape as x.
    """
    _check_x("eval_numerical_gradient_array", x)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64)           # a copy: f may return a view
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64)
        x[ix] = old
        if pos.shape != np.shape(df):
            raise ValueError(f"eval_numerical_gradient_array: f(x) has shape {pos.shape} but df has "
                             f"shape {np.shape(df)}; they must match")
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad


def random_directions(shape, k=3, seed=0):
    """k fixed random unit vectors of the given shape, as an array of shape (k, *shape).

    The same (shape, k, seed) always gives the same directions, so whoever holds the
    analytic gradient can project it on the directions another process differentiated along.
    """
    shape = tuple(int(n) for n in shape)
    v = np.random.default_rng(seed).standard_normal((k,) + shape)
    norms = np.sqrt(np.sum(v.reshape(k, -1) ** 2, axis=1))
    return v / np.maximum(norms, 1e-300).reshape((k,) + (1,) * len(shape))


def eval_directional_derivatives(f, x, directions, h=1e-5):
    """Centred differences of a scalar f at x along each direction: (f(x + h v) - f(x - h v)) / 2h.

    A correct gradient g agrees with them as np.tensordot(directions, g, axes=x.ndim) does;
    a wrong one almost surely does not along random directions. Two calls of f per direction
    instead of two per entry of x, at the same O(h^2) accuracy.

    Inputs:
    - f: function of one argument returning a number; x itself is not modified.
    - x: float64 array of any shape.
    - directions: array of shape (k, *x.shape).
    - h: step of the centred difference.

    Returns:
    - array of shape (k,).
    """
    _check_x("eval_directional_derivatives", x)
    directions = np.asarray(directions, dtype=np.float64)
    if directions.shape[1:] != x.shape:
        raise ValueError(f"eval_directional_derivatives: directions must have shape (k, *{x.shape}); "
                         f"got {directions.shape}")
    out = np.zeros(len(directions))
    for i, v in enumerate(directions):
        fxph, fxmh = f(x + h * v), f(x - h * v)
        if np.ndim(fxph) != 0:
            raise ValueError(f"eval_directional_derivatives: f must return a scalar; got shape {np.shape(fxph)}")
        out[i] = (fxph - fxmh) / (2 * h)
    return out


def rel_error(x, y):
    """Largest elementwise relative error max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: x and y must have the same shape; got {x.shape} and {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))
