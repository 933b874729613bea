"""Compare an answer with the expected array and word the difference like numpy.

The layout follows ``numpy.testing.assert_allclose`` (written here, not copied, and
never matched against numpy's own text in tests):

    Not equal to tolerance rtol=1e-06, atol=1e-08 (next_h)
    Mismatched elements: 3 / 8 (37.5%)
    Worst elements (index: actual vs desired):
     [0, 1]: 0.52 vs 0.61
    Max absolute difference: 0.09
    Max relative difference: 0.15
     ACTUAL: [[...]]
     DESIRED: [[...]]

A shape mismatch replaces everything after the first line; a dtype other than float64
adds a line saying the answer was converted. Hidden cases show no values: the
criterion, the mismatch count (or "shape mismatch") and nothing else.

Criterion (numpy's): |actual - desired| <= atol + rtol * |desired|, elementwise.
"""
from __future__ import annotations

import numpy as np

from autograder.answers import fmt_shape

N_WORST = 3


def _num(v: float) -> str:
    return f"{float(v):.8g}"


def _short(a: np.ndarray, prefix: str) -> str:
    """``prefix`` then the array cut short, continuation lines aligned under its first bracket."""
    text = np.array2string(a, precision=6, threshold=20, edgeitems=2, separator=", ", max_line_width=88)
    pad = " " * len(prefix)
    return prefix + "\n".join([text.splitlines()[0]] + [(pad + ln).rstrip() for ln in text.splitlines()[1:]])


def mismatch(actual: np.ndarray, desired: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Boolean mask of the elements outside the tolerance (same shapes assumed)."""
    return np.abs(actual - desired) > atol + rtol * np.abs(desired)


def allclose(actual: np.ndarray, desired: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and every element within the tolerance."""
    return actual.shape == desired.shape and not mismatch(actual, desired, rtol, atol).any()


def compare(actual: np.ndarray, desired: np.ndarray, *, rtol: float, atol: float, name: str = "",
            hidden: bool = False, dtype: str = "float64") -> tuple[bool, str]:
    """(passed, message). ``dtype``: the answer's original dtype, mentioned on failure.

    The message is empty when passed.
    """
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    label = f" ({name})" if name else ""
    lines = [f"Not equal to tolerance rtol={rtol:g}, atol={atol:g}{label}"]
    if actual.shape != desired.shape:
        if hidden:
            lines.append("(shape mismatch: your array has the wrong shape)")
        else:
            lines.append(f"(shapes {fmt_shape(actual.shape)}, {fmt_shape(desired.shape)} mismatch: "
                         f"yours is {fmt_shape(actual.shape)}, expected {fmt_shape(desired.shape)})")
        return False, "\n".join(lines)
    bad = mismatch(actual, desired, rtol, atol)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return True, ""
    if dtype != "float64":
        lines.append(f"(dtype: yours is {dtype}; it was converted to float64 for the comparison)")
    n = bad.size
    lines.append(f"Mismatched elements: {n_bad} / {n} ({100.0 * n_bad / n:.3g}%)")
    if hidden:
        return False, "\n".join(lines)
    absdiff = np.abs(actual - desired)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        reldiff = absdiff / np.abs(desired)
    flat_bad = np.flatnonzero(bad.ravel())
    worst = flat_bad[np.argsort(-absdiff.ravel()[flat_bad], kind="stable")][:N_WORST]
    lines.append("Worst elements (index: actual vs desired):")
    for k in worst:
        idx = np.unravel_index(k, actual.shape)
        where = "[" + ", ".join(str(int(i)) for i in idx) + "]"
        lines.append(f" {where}: {_num(actual.ravel()[k])} vs {_num(desired.ravel()[k])}")
    lines.append(f"Max absolute difference: {_num(absdiff[bad].max())}")
    rel_bad = reldiff[bad]
    rel_max = rel_bad.max() if rel_bad.size else 0.0
    lines.append(f"Max relative difference: {'inf' if np.isinf(rel_max) else _num(rel_max)}")
    lines.append(_short(actual, " ACTUAL: "))
    lines.append(_short(desired, " DESIRED: "))
    return False, "\n".join(lines)
