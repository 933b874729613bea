"""Exercises that call the student's own earlier functions: root causes and error carried forward.

A student's ``lstm_step_forward`` calls their ``lstm_gates``; when the gates are wrong the
step is wrong too, though the step's own code may be right. ``Exercise.uses`` names the
earlier exercises whose functions an exercise's target (or, for a backward, its forward)
calls. When such a dependency fails its own cases:

- where the reference is available (grading), each failed case is evaluated again with
  the failing dependencies replaced by stand-ins that return the correct outputs
  (``lend``). A case that then passes earns its points by error carried forward, as an
  exam marker gives them; a case that still fails is wrong in its own code. Either way
  the feedback says which (``CaseResult.cause``).
- without the reference (the student's self-check) the feedback names the failing
  dependency when the target called it (``traced``).

A stand-in never holds reference code: it binds its arguments to the dependency's input
names and asks a ``call(grade_id, inputs)`` function for the outputs. In the grader's own
process that function calls the reference (``reference_outputs``); in an isolated
grading child it is a round trip to the grader, which computes them there
(``autograder.worker``). Only the compared outputs come back; a cache the reference
returns after them is ``None``. Only ``function`` exercises whose inputs are all arrays
can be lent (``lendable``); a failing backward the target calls is named only.
"""
from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Callable, Iterable, Mapping, NamedTuple

import numpy as np

from autograder.results import CaseResult
from autograder.spec import Assignment, Exercise

__all__ = ["Failing", "dependencies", "failing_dependencies", "failing_hints", "lendable", "can_lend", "lend", "reference_outputs", "replaced", "traced",
           "settle", "cause_unconfirmed"]

# bound at import time: stand-ins run next to student code
_np_array, _float64, _tuple, _len, _type, _dict = np.array, np.float64, tuple, len, type, dict
_TypeError, _ValueError, _zip = TypeError, ValueError, zip


def lendable(dep: Exercise) -> bool:
    """Whether a correct stand-in can replace the student's ``dep.target``: a ``function``
    exercise whose inputs are arrays. (A backward takes the student's own cache, which no
    reference can read: a failing one is named, not replaced.)"""
    return dep.kind == "function" and bool(dep.public) and all(
        isinstance(v, np.ndarray) for v in dep.public[0].inputs.values())


def can_lend(dep: Exercise) -> bool:
    """``lendable``, and its reference is importable in this process (not on a student's
    machine, which has no ``solutions``)."""
    from autograder.kinds.base import ReferenceUnavailable, reference

    if not lendable(dep):
        return False
    try:
        reference(dep.reference)
    except ReferenceUnavailable:
        return False
    return True


def failing_dependencies(assignment: Assignment, exercise: Exercise, failing: Mapping[str, "Failing"]) -> list:
    """The exercises ``exercise`` uses (``dependencies``) that are in ``failing``."""
    return [d for d in dependencies(assignment, exercise) if d.grade_id in failing]


def dependencies(assignment: Assignment, exercise: Exercise) -> tuple[Exercise, ...]:
    """The exercises ``exercise`` uses, directly or through them, in the assignment's order."""
    wanted, todo = set(), list(exercise.uses)
    while todo:
        gid = todo.pop()
        if gid not in wanted:
            wanted.add(gid)
            todo.extend(assignment.exercise(gid).uses)
    return tuple(ex for ex in assignment.exercises if ex.grade_id in wanted)


class Failing(NamedTuple):
    """An exercise that failed with the student's own functions: its first HINT, and whether
    some case failed in its own code (a root cause) rather than only by carried-forward error."""

    hint: str | None
    root: bool


def failing_hints(results: Iterable[CaseResult]) -> dict[str, Failing]:
    """Grade id -> ``Failing``, for each exercise with a scored case that failed with the
    student's own functions (including cases whose points were then carried forward)."""
    out: dict[str, Failing] = {}
    for r in results:
        if r.unscored or (r.passed and not r.carried):
            continue
        old = out.get(r.grade_id, Failing(None, False))
        out[r.grade_id] = Failing(old.hint or r.hint, old.root or not r.carried)
    return out


# -- student side: stand-ins and tracing ----------------------------------------------

def lend(dep: Exercise, call: Callable) -> Callable:
    """A function with the student's ``dep.target`` name that returns correct outputs."""
    names = _tuple(dep.public[0].inputs)
    gid, target, n_out = dep.grade_id, dep.target, _len(dep.outputs)
    signature = f"{target}({', '.join(names)})"

    def correct(*args, **kwargs):
        if _len(args) > _len(names):
            raise _TypeError(f"{signature} takes {_len(names)} arguments, got {_len(args)}")
        bound = _dict(_zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise _TypeError(f"{signature} got an unexpected argument {k!r}")
            if k in bound:
                raise _TypeError(f"{signature} got two values for {k!r}")
            bound[k] = v
        missing = [k for k in names if k not in bound]
        if missing:
            raise _TypeError(f"{signature} is missing {', '.join(missing)}")
        try:
            arrays = {k: _np_array(bound[k], dtype=_float64) for k in names}
        except (_TypeError, _ValueError) as exc:
            raise _TypeError(f"{signature}: every argument must be an array of numbers ({exc})") from None
        outs, arity = call(gid, arrays)
        if arity == 0:
            return outs[0]
        return _tuple(outs) + (None,) * (arity - n_out)

    correct.__name__ = correct.__qualname__ = target
    return correct


def traced(fn: Callable, name: str, called: set) -> Callable:
    """``fn`` that records ``name`` in ``called`` when it is called."""
    def wrapper(*args, **kwargs):
        called.add(name)
        return fn(*args, **kwargs)

    wrapper.__name__ = wrapper.__qualname__ = getattr(fn, "__name__", name)
    return wrapper


@contextlib.contextmanager
def replaced(namespace, functions: Mapping[str, Callable]):
    """Put ``functions`` into the namespace by name for the duration; restore what was there."""
    missing = object()
    saved = {k: namespace.get(k, missing) for k in functions}
    try:
        for k, fn in functions.items():
            namespace[k] = fn
        yield
    finally:
        for k, old in saved.items():
            if old is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = old


# -- grader side ----------------------------------------------------------------------

def reference_outputs(dep: Exercise, inputs: Mapping[str, np.ndarray]) -> tuple[list[np.ndarray], int]:
    """The reference's compared outputs of ``dep`` on ``inputs``, and how many values it returns
    (0: one bare value). Raises ValueError with a short message when the reference rejects
    the inputs (shapes that do not fit)."""
    from autograder.answers import split_outputs
    from autograder.kinds.base import copies, reference

    fn = reference(dep.reference)
    try:
        ret = fn(**copies(inputs))
    except (ValueError, TypeError, IndexError, KeyError, AssertionError) as exc:
        raise ValueError(f"a correct {dep.target} cannot run on these arguments: {type(exc).__name__}: "
                         f"{str(exc)[:300]}") from None
    raw = split_outputs(ret, dep.outputs, name=dep.target)
    arity = len(ret) if type(ret) is tuple else 0
    return [np.array(raw[k], dtype=np.float64) for k in dep.outputs], arity


def _names(deps) -> str:
    names = [d.target for d in deps]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _roots(deps, failing: Mapping[str, Failing]):
    """The dependencies that are wrong in their own code (all of them when none is known to be)."""
    return [d for d in deps if failing.get(d.grade_id, Failing(None, True)).root] or list(deps)


def _their_hint(deps, failing: Mapping[str, Failing]) -> str:
    found = [failing[d.grade_id].hint for d in deps if d.grade_id in failing and failing[d.grade_id].hint]
    return (" " + found[0]) if found else ""


def _fail(deps) -> str:
    return "fails its own checks" if len(deps) == 1 else "fail their own checks"


def carried(exercise: Exercise, own: CaseResult, deps, failing: Mapping[str, Failing]) -> CaseResult:
    """``own`` (failed with the student's functions) turned into a pass by error carried forward."""
    roots = _roots(deps, failing)
    cause = (f"The mismatch comes from your {_names(roots)}, which {_fail(roots)}: with correct "
             f"{_names(deps)} in place of yours, your {exercise.target} is right, so its points are "
             f"carried forward.{_their_hint(roots, failing)}")
    # the mismatch itself is shown where it starts, in the dependency's own feedback
    return replace(own, passed=True, score=own.max_score, message="", cause=cause, carried=True)


def cause_in_own_code(exercise: Exercise, own: CaseResult, deps, failing: Mapping[str, Failing]) -> CaseResult:
    """``own`` still fails with correct dependencies: the mistake is in the exercise's own code."""
    cause = (f"Your {exercise.target} is wrong even with correct {_names(deps)} in place of yours: "
             f"the mistake is in {exercise.target} itself.")
    return replace(own, cause=cause)


def cause_unconfirmed(exercise: Exercise, own: CaseResult, deps, failing: Mapping[str, Failing]) -> CaseResult:
    """Self-check: the target called failing dependencies; say so, without a verdict on them."""
    roots = _roots(deps, failing)
    cause = (f"Your {exercise.target} calls your {_names(roots)}, which {_fail(roots)}: fix "
             f"{_names(roots)} first; this mismatch may come from there.{_their_hint(roots, failing)}")
    return replace(own, cause=cause)


def settle(exercise: Exercise, own: CaseResult, again: CaseResult | None, lent, called,
           failing: Mapping[str, Failing]) -> CaseResult:
    """The result of a failed case of an exercise with failing dependencies: ``own`` with the
    student's functions; ``again`` with correct stand-ins for ``lent`` (None when nothing was
    lent, or it could not run); ``called``: the failing dependencies the student's code was
    seen to call (named when nothing decided the case)."""
    if own.passed or own.unscored:
        return own
    if lent and again is not None:
        if again.passed:
            return carried(exercise, own, lent, failing)
        used = [d for d in lent if d.grade_id in {c.grade_id for c in called}]
        # code that never calls them is wrong on its own: nothing to say about them
        return cause_in_own_code(exercise, own, used, failing) if used else own
    return cause_unconfirmed(exercise, own, called, failing) if called else own
