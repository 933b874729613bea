"""The optimiser the training references share: one Adam step (``adam_update``).

a6's reference (its graded ``adam_update``) and the char-level language model
(``char_lm``) train with it.
"""
import numpy as np

__all__ = ["adam_update"]


def adam_update(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (Kingma and Ba, 2015) with bias correction; t counts from 1.

    Returns a tuple of:
    - w: the updated weights (a new array)
    - m, v: the updated first and second moment estimates
    """
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
