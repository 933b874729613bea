"""Grade one case: evaluate (where the student's code runs) and score (in the grader).

- ``evaluate(exercise, case, namespace)`` calls the student's target and returns plain
  data: ``dict[str, float64 ndarray | str]``. It must work without ``solutions`` and
  next to code that monkeypatched numpy or builtins (see ``autograder.answers``).
  Anything that cannot be graded raises ``AnswerError`` with the student's message.
- ``expected(exercise, case)`` and ``variant_outputs(exercise, case)`` give the
  reference's and the known wrong variants' outputs in the same plain form: public
  cases from ``autograder/data/<assignment_id>.json``, hidden ones (and public ones when
  no data is given) from ``solutions`` (instructor side; else ``ReferenceUnavailable``).
- ``score(exercise, case, evaluated, expected, variants)`` compares, looks for a
  matching variant (HINT) and returns a ``CaseResult``. ``evaluated`` is the dict from
  ``evaluate`` or the message of its ``AnswerError``.

Keys of the plain data: the exercise's ``outputs`` (``"next_h"``); ``"dtype:<output>"``
(str) when the student's array was not float64; for ``gradient`` exercises also
``"numerical:<output>"`` (the forward's derivatives along the gradient kind's random
directions, one number each); for ``formula`` exercises the keys of ``autograder.formula``;
for ``choice`` exercises ``"answer"`` (str, or a 0-d float64 array) or ``"unanswered"``
(the answer is still None) and, on the expected side, ``"choices"`` (str, one accepted
answer per line) or ``"numbers"`` (float64 array).

What each kind of exercise does in each step is its class in ``autograder.kinds``; this
module is the one entry point: it looks the kind up, reads the public data, and bounds
the time all cases of an exercise may take.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder import casedata, dependencies
from autograder.answers import NON_FINITE, AnswerError
from autograder.kinds import GRAD_CONSISTENT, ReferenceUnavailable, kind_of
from autograder.kinds.base import NOT_DEFINED, result
from autograder.results import CaseResult
from autograder.spec import Assignment, Case, Exercise

__all__ = ["AnswerError", "ReferenceUnavailable", "CaseTimeout", "DEFAULT_TIMEOUT", "evaluate", "expected",
           "variant_outputs", "score", "grade_case", "grade_exercise", "exercise_timeout", "load_data",
           "GRAD_CONSISTENT"]

DATA_DIR = casedata.DATA_DIR
encode_value, decode_value = casedata.encode_value, casedata.decode_value
DEFAULT_TIMEOUT = 60.0          # seconds for all cases of one exercise, unless Exercise.timeout says more


class CaseTimeout(BaseException):
    """Raised by ``time_limit``; a BaseException so that ``except Exception`` in student code
    cannot swallow it."""


def exercise_timeout(exercise: Exercise) -> float:
    """Seconds allowed for evaluating all cases of the exercise."""
    return float(exercise.timeout) if exercise.timeout is not None else DEFAULT_TIMEOUT


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str = "the cases"):
    """Raise CaseTimeout in the main thread after ``seconds`` (no limit elsewhere)."""
    if (seconds is None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def on_alarm(signum, frame):
        raise CaseTimeout(f"stopped: {what} took longer than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- evaluate (student side) and the reference (instructor side) --------------------------

def evaluate(exercise: Exercise, case: Case, namespace: Mapping[str, Any], *,
             shapes: Mapping[str, tuple] | None = None, diagnose: bool = True) -> dict:
    """Run the student's answer on the case; return plain data (see the module docstring).

    shapes: expected shapes by output name, only to word rejection messages (optional).
    diagnose: also gather what only words the feedback and never decides the verdict (a
    gradient exercise's numerical gradients of the student's own forward); False where only
    the verdict is wanted (a case evaluated again with correct stand-ins).
    Raises AnswerError with the student-facing message.
    """
    kind = kind_of(exercise)
    if kind.diagnoses:
        return kind.evaluate(exercise, case, namespace, shapes=shapes, diagnose=diagnose)
    return kind.evaluate(exercise, case, namespace, shapes=shapes)


def compute_expected(exercise: Exercise, case: Case) -> dict:
    """Expected plain data computed from the reference (instructor side)."""
    return kind_of(exercise).expected(exercise, case)


def compute_variants(exercise: Exercise, case: Case) -> dict:
    """Outputs of the exercise's known wrong variants (instructor side).

    A variant that raises on this case (its mistake is impossible for these shapes)
    is left out.
    """
    if not exercise.variants:
        return {}
    try:
        from solutions.variants import VARIANTS
    except ImportError as exc:
        raise ReferenceUnavailable(f"hidden cases run at grading time: solutions.variants is not available ({exc})") from None
    table = VARIANTS.get(exercise.reference)
    if table is None:
        raise KeyError(f"exercise {exercise.grade_id!r}: solutions.variants has no variants for "
                       f"{exercise.reference!r}; known: {', '.join(sorted(VARIANTS))}")
    kind, out = kind_of(exercise), {}
    for name in exercise.variants:
        if name not in table:
            raise KeyError(f"exercise {exercise.grade_id!r}: no variant {name!r} of {exercise.reference!r}; "
                           f"expected one of: {', '.join(table)}")
        try:
            out[name] = kind.variant_output(exercise, table[name], case)
        except (ValueError, TypeError, IndexError, KeyError):
            continue
    return out


# -- public-case data -------------------------------------------------------------------

def load_data(assignment_id: str, data_dir: Path | None = None) -> dict | None:
    """The parsed ``autograder/data/<assignment_id>.json`` (None if there is none)."""
    return casedata.load(assignment_id, data_dir or DATA_DIR)


def _data_entry(exercise: Exercise, case: Case, assignment_id: str | None):
    if case.hidden or assignment_id is None or not kind_of(exercise).stores_expected:
        return None
    data = load_data(assignment_id)
    if data is None:
        return None
    entry = casedata.entry(data, exercise.grade_id, case.name)
    if entry is None:
        return None
    casedata.stored_inputs(entry, case, assignment_id, exercise.grade_id)     # StaleData if the case changed
    return entry


def expected(exercise: Exercise, case: Case, *, assignment_id: str | None = None) -> dict:
    """Expected plain data: public cases from the data file of ``assignment_id`` when it has
    them, otherwise (and for hidden cases) computed from the reference.

    Raises ReferenceUnavailable when the reference is needed but absent.
    """
    entry = _data_entry(exercise, case, assignment_id)
    if entry is not None:
        return {k: decode_value(v) for k, v in entry["expected"].items()}
    if assignment_id is not None and not case.hidden and kind_of(exercise).stores_expected:
        try:
            return compute_expected(exercise, case)
        except ReferenceUnavailable:
            raise ReferenceUnavailable(
                f"no expected values for {exercise.grade_id!r} [{case.name}] in autograder/data/"
                f"{assignment_id}.json, and the reference is not available here") from None
    return compute_expected(exercise, case)


def variant_outputs(exercise: Exercise, case: Case, *, assignment_id: str | None = None) -> dict:
    """Variant name -> plain outputs (public: data; hidden: ``solutions.variants``)."""
    entry = _data_entry(exercise, case, assignment_id)
    if entry is not None:
        return {name: {k: decode_value(v) for k, v in outs.items()}
                for name, outs in entry.get("variants", {}).items()}
    return compute_variants(exercise, case)


# -- score (grader side) ----------------------------------------------------------------

def score(exercise: Exercise, case: Case, evaluated, expected: Mapping, variants: Mapping) -> CaseResult:
    """Compare evaluated plain data (or an AnswerError message) with the expected data."""
    if isinstance(evaluated, str):
        hint = exercise.non_finite_hint if exercise.non_finite_hint and NON_FINITE in evaluated else None
        return result(exercise, case, False, evaluated, hint)
    return kind_of(exercise).score(exercise, case, evaluated, expected, variants)


# -- in-process convenience -------------------------------------------------------------

def _shapes(exercise: Exercise, exp: Mapping) -> dict:
    return {k: tuple(np.shape(v)) for k, v in exp.items() if isinstance(v, np.ndarray) and k in exercise.outputs}


def grade_case(exercise: Exercise, case: Case, namespace, *, assignment_id: str | None = None) -> CaseResult:
    """expected, evaluate, variants, score: one case, in this process."""
    exp = expected(exercise, case, assignment_id=assignment_id)
    try:
        evaluated = evaluate(exercise, case, namespace, shapes=None if case.hidden else _shapes(exercise, exp))
    except AnswerError as err:
        evaluated = str(err)
    variants = {} if isinstance(evaluated, str) else variant_outputs(exercise, case, assignment_id=assignment_id)
    return score(exercise, case, evaluated, exp, variants)


def grade_exercise(assignment: Assignment, grade_id: str, namespace, *, hidden: bool = False,
                   failing: Mapping[str, "dependencies.Failing"] | None = None) -> list[CaseResult]:
    """Grade the public (or hidden) cases of one exercise in this process.

    All cases share the exercise's time limit (``exercise_timeout``); a case still
    running at the limit, and the ones after it, score 0 with a message saying so.
    Raises ReferenceUnavailable when hidden (or undocumented public) cases need
    ``solutions``.

    failing: grade id -> ``dependencies.Failing``, for the exercises that failed so far.
    When this exercise uses one of them (``Exercise.uses``), a failed case is evaluated
    again with correct stand-ins for those functions where the reference is here (error
    carried forward), else the feedback names the ones the student's code called
    (``autograder.dependencies``).
    """
    exercise = assignment.exercise(grade_id)
    cases = exercise.cases(hidden=hidden)
    deps = dependencies.failing_dependencies(assignment, exercise, failing or {})
    results: list[CaseResult] = []
    limit = exercise_timeout(exercise)
    try:
        with time_limit(limit, what=f"the cases of {exercise.target}"):
            for case in cases:
                if not deps:
                    results.append(grade_case(exercise, case, namespace, assignment_id=assignment.id))
                    continue
                results.append(_grade_with_dependencies(assignment, exercise, case, namespace, deps, failing))
    except CaseTimeout as exc:
        for case in cases[len(results):]:
            results.append(result(exercise, case, False, f"{exc} (all cases of this exercise together); "
                                   "look for an endless loop or a much too slow computation"))
    return results


def _grade_with_dependencies(assignment, exercise, case, namespace, deps, failing) -> CaseResult:
    """One case of an exercise whose failing dependencies are ``deps`` (see grade_exercise)."""
    called: set = set()
    tracers = {d.target: dependencies.traced(namespace[d.target], d.target, called)
               for d in deps if callable(namespace.get(d.target))}
    with dependencies.replaced(namespace, tracers):
        own = grade_case(exercise, case, namespace, assignment_id=assignment.id)
    if own.passed or own.unscored:
        return own
    lent = [d for d in deps if dependencies.can_lend(d)]
    again = None
    if lent:
        def call(gid, inputs):
            return dependencies.reference_outputs(assignment.exercise(gid), inputs)

        with dependencies.replaced(namespace, {d.target: dependencies.lend(d, call) for d in lent}):
            again = grade_case(exercise, case, namespace, assignment_id=assignment.id)
    return dependencies.settle(exercise, own, again, lent, [d for d in deps if d.target in called], failing)
