"""Activations and their derivatives with respect to the input.

All functions work elementwise on scalars or arrays of any shape and keep the
input's floating dtype (float32 stays float32). ``softmax`` normalises along one axis.

    sigmoid(z) = 1 / (1 + exp(-z))        dsigmoid(z) = sigmoid(z) * (1 - sigmoid(z))
    tanh(z)                               dtanh(z)    = 1 - tanh(z)**2
    relu(z)    = max(z, 0)                drelu(z)    = 1 if z > 0 else 0
    softmax(z)_k = exp(z_k) / sum_j exp(z_j)

Convention: relu has no derivative at 0; ``drelu(0)`` returns 0, the subgradient
PyTorch's autograd also uses.
"""
import numpy as np

__all__ = ["sigmoid", "tanh", "relu", "softmax", "dsigmoid", "dtanh", "drelu"]


def _float(z):
    """z as a floating array (no copy if it already is one)."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z):
    """Logistic sigmoid, numerically stable: exp is only taken of -|z| <= 0.

    For z >= 0: 1 / (1 + e) and for z < 0: e / (1 + e), with e = exp(-|z|) in (0, 1],
    so nothing overflows for any finite z and the limits are exact (sigmoid(1e3) == 1.0,
    sigmoid(-1e3) == 0.0).

    Inputs:
    - z: scalar or array of any shape.

    Returns:
    - array of the same shape as z, values in [0, 1].
    """
    z = _float(z)
    e = np.exp(-np.abs(z))                    # in (0, 1]: cannot overflow
    r = 1 / (1 + e)                           # sigmoid(|z|)
    return np.where(z >= 0, r, e * r)         # sigmoid(-|z|) = e / (1 + e)


def tanh(z):
    """Hyperbolic tangent (numpy's, already stable). Same shape as z."""
    return np.tanh(_float(z))


def relu(z):
    """Rectified linear unit max(z, 0). Same shape as z."""
    z = _float(z)
    return np.maximum(z, 0)


def softmax(z, axis=-1):
    """Softmax along ``axis``, stable: the maximum is subtracted before exp.

    Inputs:
    - z: array of any shape, e.g. scores of shape (N, V) or (N, T, V).
    - axis: the axis that is normalised (default: the last one).

    Returns:
    - array of the same shape as z; the entries along ``axis`` are positive and sum to 1.
    """
    z = _float(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))   # largest exponent is exp(0) = 1
    return e / np.sum(e, axis=axis, keepdims=True)


def dsigmoid(z):
    """d sigmoid(z) / dz = sigmoid(z) * (1 - sigmoid(z)). Same shape as z.

    Computed as sigmoid(z) * sigmoid(-z) (the same number, since 1 - sigmoid(z) =
    sigmoid(-z)), which avoids the cancellation in 1 - sigmoid(z) for large z.
    """
    z = _float(z)
    return sigmoid(z) * sigmoid(-z)


def dtanh(z):
    """d tanh(z) / dz = 1 - tanh(z)**2. Same shape as z."""
    t = np.tanh(_float(z))
    return 1 - t * t


def drelu(z):
    """d relu(z) / dz: 1 where z > 0, else 0 (including z == 0, by convention)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def _sigmoid_(z):
    """In place: z <- sigmoid(z) = (1 + tanh(z / 2)) / 2, for the sequence loops.

    The identity needs no exp, so it cannot overflow, and it allocates nothing. It keeps
    absolute (not relative) accuracy far in the negative tail, which is all a gate needs.
    """
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z
