"""What every exercise kind shares: the ``Kind`` interface and the helpers of its three steps.

A kind has three steps (see ``autograder.checks`` for where each runs):

- ``evaluate(exercise, case, namespace, shapes=...)``: student side, next to student code:
  call the student's answer and return plain data (float64 arrays, numbers, short
  strings), or raise ``AnswerError`` with the student's message;
- ``expected(exercise, case)``: instructor side: the reference's plain data for a case;
- ``score(exercise, case, evaluated, expected, variants)``: in the grader: a ``CaseResult``.

``variant_output(exercise, fn, case)`` turns a known wrong implementation's output into
the same plain data (for HINTs). Class attributes say what the rest of the engine needs
to know: ``stores_expected`` (public expected values go into the data), ``needs_sympy``
(the worker imports sympy before student code runs, so that it can be restored),
``diagnoses`` (``evaluate`` also takes ``diagnose=False``: skip what only words the
feedback and never decides the verdict).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from autograder.answers import AnswerError, split_outputs, to_array
from autograder.compare import compare as _compare_arrays
from autograder.results import CaseResult
from autograder.spec import Case, Exercise, resolve

NOT_DEFINED = "{name} is not defined: run the cell where you write it"

# bound at import time: evaluate runs next to student code (see autograder.answers)
_type, _dict_get, _str, _float, _len = type, dict.get, str, float, len
_ndarray, _np_array, _float64, _np_sum = np.ndarray, np.array, np.float64, np.sum
_MISSING = object()


class ReferenceUnavailable(RuntimeError):
    """The reference (``solutions``) is needed but not importable (student side)."""


class Kind:
    """One kind of exercise. Subclasses set ``name`` and override the steps that differ."""

    name = ""
    stores_expected = True
    needs_sympy = False
    diagnoses = False

    def answer_names(self, exercise: Exercise) -> tuple[str, ...]:
        """The names the student defines for this exercise."""
        return (exercise.target,)

    def evaluate(self, exercise: Exercise, case: Case, namespace, *, shapes=None) -> dict:
        raise NotImplementedError

    def expected(self, exercise: Exercise, case: Case) -> dict:
        return plain(reference_value(reference(exercise.reference), case), exercise.outputs)

    def variant_output(self, exercise: Exercise, fn, case: Case) -> dict:
        return plain(reference_value(fn, case), exercise.outputs)

    def score(self, exercise: Exercise, case: Case, evaluated: Mapping, expected: Mapping,
              variants: Mapping) -> CaseResult:
        raise NotImplementedError


# -- student side -----------------------------------------------------------------------

def lookup(namespace, name: str):
    value = _dict_get(namespace, name, _MISSING) if _type(namespace) is dict else namespace.get(name, _MISSING)
    if value is _MISSING:
        raise AnswerError(NOT_DEFINED.format(name=name))
    return value


def convert(raw: Mapping[str, Any], *, shapes, hidden: bool, prefix: str = "") -> dict:
    out = {}
    for name, value in raw.items():
        arr, dtype = to_array(value, what=prefix + name, shape=(shapes or {}).get(name), hidden=hidden)
        out[name] = arr
        if dtype != "float64":
            out[f"dtype:{name}"] = dtype
    return out


# -- reference side ---------------------------------------------------------------------

def reference(dotted: str):
    try:
        return resolve(dotted)
    except ImportError as exc:
        raise ReferenceUnavailable(
            f"hidden cases run at grading time: the reference {dotted.partition(':')[0]!r} is not "
            f"available here ({exc})") from None


def plain(ret, outputs) -> dict:
    raw = split_outputs(ret, outputs, name="reference")
    return {k: np.array(v, dtype=np.float64) for k, v in raw.items()}


def copies(inputs: Mapping[str, Any]) -> dict:
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


def reference_value(obj, case: Case):
    """The reference's answer for a case: a function is called on copies of the inputs; a
    value (a number, a sympy expression) is the answer itself."""
    import sympy

    if callable(obj) and not isinstance(obj, sympy.Basic):
        return obj(**copies(case.inputs))
    return obj


# -- scoring ----------------------------------------------------------------------------

def result(exercise, case, passed, message, hint=None) -> CaseResult:
    pts = float(case.points)
    return CaseResult(name=case.name, passed=bool(passed), score=pts if passed else 0.0, max_score=pts,
                      message=message, hidden=case.hidden, hint=hint, grade_id=exercise.grade_id)


def missing_output(exercise, case, evaluated, names):
    missing = [k for k in names if k not in evaluated]
    if missing:
        return result(exercise, case, False, f"no value for {', '.join(missing)} came back from {exercise.target}")
    return None


def failed_outputs(exercise, case, evaluated, expected, names) -> list[tuple[str, str]]:
    """(name, message) of every compared output that is not within the exercise's tolerance."""
    failed = []
    for k in names:
        ok, msg = _compare_arrays(evaluated[k], expected[k], rtol=exercise.rtol, atol=exercise.atol, name=k,
                                  hidden=case.hidden, dtype=str(evaluated.get(f"dtype:{k}", "float64")))
        if not ok:
            failed.append((k, msg))
    return failed
