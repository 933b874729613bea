"""Formula answers (a sympy expression or a Python function) as plain data, and compared.

Security: a sympy object never crosses from the student's process to the grader as a
string to be parsed (``sympify`` evaluates). ``encode`` runs where the student's code
runs and turns the answer into plain arrays:

- a polynomial sympy expression -> its monomials and rational coefficients:
  ``{"formula.monomials": float64 (M, k) of exponents, "formula.coefficients": str}``,
  the coefficients one string ``"4 3/2 -1"`` (parsed back one by one with
  ``fractions.Fraction``); arrays are float64 and text is a plain string because that
  is all the isolated grader carries between processes;
- anything else (a non-polynomial expression, a Python function) -> its values on a
  fixed grid: ``{"formula.grid": float64 (P,)}``.

The grid depends on the symbols only, so both sides agree: size symbols (d, h, n, t, g,
k, v in either case) take the integers 1..7; other symbols (e.g. ``z`` in "tanh'
expressed through z = tanh") take the points of ``REAL_GRID``, inside (-1, 1) (where a
tanh or a sigmoid lives) and away from 0 and +-1. ``compare`` runs in the grader: it rebuilds sympy expressions from the plain data
(no parsing), compares them exactly with sympy when both are polynomials, otherwise by
values on the grid, and names a small counterexample.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from autograder.answers import AnswerError, call_student, describe, to_number

SIZE_SYMBOLS = frozenset("dhntgkvDHNTGKVL")
INT_GRID = tuple(range(1, 8))
REAL_GRID = (Fraction(-9, 10), Fraction(-3, 5), Fraction(-7, 20), Fraction(-1, 10),
             Fraction(3, 20), Fraction(2, 5), Fraction(13, 20), Fraction(17, 20))
MAX_DEGREE = 40          # larger exponents are refused before sympy sees them (grader side)
MAX_TERMS = 2000
KEYS = ("formula.monomials", "formula.coefficients", "formula.grid")


def grid_points(symbols) -> list[tuple]:
    """The grid for these symbols, smallest points first (ints or Fractions)."""
    axes = [INT_GRID if s in SIZE_SYMBOLS else REAL_GRID for s in symbols]
    pts = list(itertools.product(*axes))
    pts.sort(key=lambda p: (sum(abs(v) for v in p), p))
    return pts


def _plain_symbols(symbols):
    import sympy

    return [sympy.Symbol(s) for s in symbols]


def _words(symbols) -> str:
    return " and ".join(symbols) if len(symbols) <= 2 else ", ".join(symbols)


def _fmt_point(symbols, point) -> str:
    return ", ".join(f"{s}={_fmt_value(v)}" for s, v in zip(symbols, point))


def _fmt_value(v) -> str:
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.10g}"
    return str(v)


# -- student side: answer -> plain data ------------------------------------------------

def encode_expr(expr, symbols, *, what: str = "your formula") -> dict[str, np.ndarray]:
    """A sympy expression in ``symbols`` -> plain data (see the module docstring)."""
    import sympy

    plain = _plain_symbols(symbols)
    by_name = dict(zip(symbols, plain))
    free = expr.free_symbols
    unknown = sorted(s.name for s in free if s.name not in by_name)
    if unknown:
        raise AnswerError(f"{what}: expected an expression in {_words(symbols)}, "
                          f"got one that also uses {', '.join(unknown)}")
    expr = expr.xreplace({s: by_name[s.name] for s in free})
    try:
        poly = sympy.Poly(expr, *plain)
        terms = poly.terms()
        if all(c.is_Rational for _, c in terms):
            mons = np.array([m for m, _ in terms], dtype=np.float64).reshape(len(terms), len(plain))
            coefs = " ".join(str(sympy.Rational(c)) for _, c in terms)
            return {"formula.monomials": mons, "formula.coefficients": coefs}
    except sympy.PolynomialError:
        pass
    values = []
    for point in grid_points(symbols):
        v = expr.xreplace({s: sympy.Rational(p.numerator, p.denominator) if isinstance(p, Fraction)
                           else sympy.Integer(p) for s, p in zip(plain, point)}).evalf()
        if not (v.is_real and v.is_finite):
            raise AnswerError(f"{what}: expected a real, finite value at {_fmt_point(symbols, point)}, got {v}")
        values.append(float(v))
    return {"formula.grid": np.array(values, dtype=np.float64)}


def encode_function(fn, symbols, *, name: str, hidden: bool = False, exercise=None) -> dict[str, np.ndarray]:
    """A Python function of the symbols (positional) -> its values on the grid (``exercise``: the
    one being checked, named when the function raises)."""
    values = []
    for point in grid_points(symbols):
        args = [int(p) if isinstance(p, int) else float(p) for p in point]
        out = call_student(fn, {}, name=name, hidden=hidden, args=args, exercise=exercise)
        values.append(_number(out, what=f"{name}({', '.join(_fmt_value(a) for a in args)})"))
    return {"formula.grid": np.array(values, dtype=np.float64)}


def _number(out, *, what: str) -> float:
    import sympy

    if type(out) in (sympy.Integer, sympy.Rational, sympy.Float) or (
            isinstance(out, sympy.Basic) and type(out).__module__.startswith("sympy.") and out.is_number):
        v = out.evalf()
        if not (v.is_real and v.is_finite):
            raise AnswerError(f"{what}: expected a real number, got {v}")
        return float(v)
    return to_number(out, what=what)


def encode(answer, symbols, *, name: str, hidden: bool = False, exercise=None) -> dict[str, np.ndarray]:
    """Dispatch: sympy expression or Python function -> plain data; anything else refused."""
    import sympy

    if isinstance(answer, sympy.Expr) and type(answer).__module__.startswith("sympy."):
        return encode_expr(answer, symbols, what=name)
    if isinstance(answer, sympy.Basic):
        raise AnswerError(f"{name}: expected a sympy expression in {_words(symbols)} or a Python function, "
                          f"got {type(answer).__name__} (a sympy object that is not an expression)")
    if callable(answer) and not isinstance(answer, type):
        return encode_function(answer, symbols, name=name, hidden=hidden, exercise=exercise)
    raise AnswerError(f"{name}: expected a sympy expression in {_words(symbols)} or a Python function "
                      f"of ({', '.join(symbols)}), got {describe(answer)}")


# -- grader side: plain data -> sympy, comparison ---------------------------------------

def decode_poly(data, symbols):
    """The sympy polynomial expression in plain data, or None for grid data.

    Builds the expression from integers and Fractions only (nothing is parsed by sympy).
    Raises ValueError on malformed data.
    """
    import sympy

    if "formula.monomials" not in data:
        return None
    mons = np.asarray(data["formula.monomials"], dtype=np.float64)
    coefs = str(data["formula.coefficients"]).split()
    k = len(symbols)
    if mons.ndim != 2 or mons.shape[1] != k or len(coefs) != mons.shape[0] or not np.all(mons == np.round(mons)):
        raise ValueError(f"formula data: expected integer exponents of shape (M, {k}) and M coefficients, "
                         f"got shape {mons.shape} and {len(coefs)} coefficients")
    if len(coefs) > MAX_TERMS or any(len(c) > 100 for c in coefs):
        raise ValueError(f"formula data: at most {MAX_TERMS} terms with short coefficients are graded")
    if mons.shape[0] > MAX_TERMS or (mons.size and (mons.min() < 0 or mons.max() > MAX_DEGREE)):
        raise ValueError(f"formula data: at most {MAX_TERMS} terms of degree <= {MAX_DEGREE} are graded")
    plain = _plain_symbols(symbols)
    expr = sympy.Integer(0)
    for mon, c in zip(mons.astype(np.int64).tolist(), coefs):
        fr = Fraction(str(c))
        term = sympy.Rational(fr.numerator, fr.denominator)
        for s, e in zip(plain, mon):
            term *= s ** int(e)
        expr += term
    return expr


def grid_values(data, symbols) -> np.ndarray:
    """Values on the grid: stored ones, or those of the decoded polynomial."""
    import sympy

    if "formula.grid" in data:
        v = np.asarray(data["formula.grid"], dtype=np.float64)
        if v.shape != (len(grid_points(symbols)),):
            raise ValueError(f"formula data: expected {len(grid_points(symbols))} grid values, got shape {v.shape}")
        return v
    expr = decode_poly(data, symbols)
    plain = _plain_symbols(symbols)
    return np.array([float(expr.xreplace({s: sympy.Rational(p.numerator, p.denominator) if isinstance(p, Fraction)
                                          else sympy.Integer(p) for s, p in zip(plain, point)}))
                     for point in grid_points(symbols)], dtype=np.float64)


def same(a, b, symbols, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """Do two encoded formulas agree (exactly for two polynomials, else on the grid)?"""
    import sympy

    pa, pb = decode_poly(a, symbols), decode_poly(b, symbols)
    if pa is not None and pb is not None:
        return sympy.expand(pa - pb) == 0
    va, vb = grid_values(a, symbols), grid_values(b, symbols)
    return bool(np.all(np.abs(va - vb) <= atol + rtol * np.abs(vb)))


def _counter_points(symbols):
    if all(s in SIZE_SYMBOLS for s in symbols):
        pts = list(itertools.product(range(1, 11), repeat=len(symbols)))
        pts.sort(key=lambda p: (sum(p), p))
        return pts
    return grid_points(symbols)


def compare(answer, reference, symbols, *, hidden: bool = False, rtol: float = 1e-9,
            atol: float = 1e-12) -> tuple[bool, str]:
    """(passed, message) for an encoded answer against an encoded reference.

    The message names a counterexample with both values (public cases only).
    """
    import sympy

    if same(answer, reference, symbols, rtol=rtol, atol=atol):
        return True, ""
    if hidden:
        return False, "Your formula differs from the expected one."
    pa, pr = decode_poly(answer, symbols), decode_poly(reference, symbols)
    shown = f" {sympy.factor(pa)}" if pa is not None else ""
    if pa is not None and pr is not None:
        plain = _plain_symbols(symbols)
        diff = sympy.expand(pa - pr)
        for point in _counter_points(symbols):
            sub = {s: sympy.Rational(p.numerator, p.denominator) if isinstance(p, Fraction) else sympy.Integer(p)
                   for s, p in zip(plain, point)}
            if diff.xreplace(sub) != 0:
                yours, want = pa.xreplace(sub), pr.xreplace(sub)
                return False, (f"Your formula{shown} differs from the expected one: at {_fmt_point(symbols, point)} "
                               f"yours gives {yours}, the expected value is {want}.")
    va, vr = grid_values(answer, symbols), grid_values(reference, symbols)
    bad = np.abs(va - vr) > atol + rtol * np.abs(vr)
    k = int(np.flatnonzero(bad)[0])
    point = grid_points(symbols)[k]
    return False, (f"Your formula{shown} differs from the expected one: at {_fmt_point(symbols, point)} "
                   f"yours gives {_fmt_value(float(va[k]))}, the expected value is {_fmt_value(float(vr[k]))}.")
