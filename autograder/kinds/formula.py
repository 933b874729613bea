"""``formula`` exercises: a sympy expression (or a Python function) of the exercise's symbols.

Answers cross the process boundary as the coefficient and exponent data of
``autograder.formula``, never as text that is evaluated. A wrong formula gets a
counterexample; one that equals a known wrong formula gets its HINT.
"""
from __future__ import annotations

from autograder import formula as _formula
from autograder.hints import hint_for
from autograder.kinds.base import Kind, lookup, reference, reference_value, result


class FormulaKind(Kind):
    name = "formula"
    needs_sympy = True

    def evaluate(self, exercise, case, namespace, *, shapes=None):
        return _formula.encode(lookup(namespace, exercise.target), exercise.symbols, name=exercise.target,
                               hidden=case.hidden, exercise=exercise)

    def expected(self, exercise, case):
        value = reference_value(reference(exercise.reference), case)
        return _formula.encode_expr(value, exercise.symbols, what="reference")

    def variant_output(self, exercise, fn, case):
        return _formula.encode_expr(reference_value(fn, case), exercise.symbols, what="variant")

    def score(self, exercise, case, evaluated, expected, variants):
        symbols = exercise.symbols
        try:
            ok, msg = _formula.compare(evaluated, expected, symbols, hidden=case.hidden)
        except (ValueError, TypeError, KeyError) as exc:
            return result(exercise, case, False, f"your formula could not be read: {exc}")
        if ok:
            return result(exercise, case, True, "")
        hint = None
        ordered = [v for v in exercise.variants if v in variants] + [v for v in variants if v not in exercise.variants]
        for name in ordered:
            try:
                if not _formula.same(variants[name], expected, symbols) and _formula.same(evaluated, variants[name],
                                                                                          symbols):
                    hint = hint_for(name, exercise)
                    break
            except (ValueError, TypeError, KeyError):
                continue
        return result(exercise, case, False, msg, hint)
