"""Gradient clipping: ``clip_by_global_norm`` rescales a set of gradients together.

(The numerical-gradient tools the grader uses are ``autograder.numgrad``; the reference
depends on numpy only.)
"""
import numpy as np

__all__ = ["clip_by_global_norm"]


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by one factor so that their global norm is at most max_norm.

    total_norm = sqrt(sum over all arrays of the sum of their squared entries). If
    total_norm > max_norm every array is multiplied by max_norm / total_norm, so the
    direction of the whole update is kept; otherwise they are returned unchanged.

    Example (by hand): grads [array([3., 4.])] have total_norm sqrt(9 + 16) = 5; with
    max_norm = 1 they become [array([0.6, 0.8])], of norm 1.

    Inputs:
    - grads: list (or tuple) of arrays, or dict name -> array, of any shapes.
    - max_norm: positive number.

    Returns a tuple of:
    - clipped: new arrays in a container of the same kind (list or dict); the inputs are
      not modified.
    - total_norm: the global norm before clipping, a float.
    """
    if isinstance(grads, dict):
        names, arrays = list(grads), list(grads.values())
    elif isinstance(grads, (list, tuple)):
        names, arrays = None, list(grads)
    else:
        raise TypeError(f"clip_by_global_norm: grads must be a list or dict of arrays; got {type(grads).__name__}")
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"clip_by_global_norm: max_norm must be a positive number; got {max_norm}")
    arrays = [np.asarray(g) for g in arrays]
    total_norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)))
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    # keep each array's float dtype (a float32 gradient stays float32)
    clipped = [g * (g.dtype.type(scale) if np.issubdtype(g.dtype, np.floating) else scale) for g in arrays]
    return (dict(zip(names, clipped)) if names is not None else clipped), total_norm
