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
``"numerical:<output>"``; for ``formula`` exercises the keys of ``autograder.formula``;
for ``choice`` exercises ``"answer"`` (str, or a 0-d float64 array) and, on the expected
side, ``"choices"`` (str, one accepted answer per line) or ``"numbers"`` (float64 array).

Gradient exercises: the case inputs whose names start with ``d`` are the upstream
gradients (``dnext_h``, ``dnext_c``, ``dh``), in the order the backward takes them; the
rest are the forward's inputs. The forward returns ``(out_1, ..., out_k, cache)`` with
one output per upstream gradient; the backward is called as ``target(*upstream, cache)``
and returns the gradients named by ``outputs`` (``("dx", "dprev_h", "dWx", ...)``). The
numerical gradient of ``sum_k sum(out_k * dout_k)`` is taken with respect to the input
named after each output without its ``d`` (``dWh`` -> ``Wh``). The reference forward is
the attribute named ``exercise.forward`` in the reference's module. A known wrong backward
(``solutions.variants`` under the backward's reference) takes the case inputs as keywords
(upstream gradients and forward inputs) and returns the gradients; a failed case gets its
HINT when the student's gradients all match it, or when the ones the student got wrong do
(the note on the student's own forward stays in the message).
"""
from __future__ import annotations

import contextlib
import signal
import threading
import unicodedata
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograder import casedata, formula as _formula
from autograder.answers import AnswerError, call_student, describe, split_outputs, to_array
from autograder.compare import compare as _compare_arrays
from autograder.hints import hint_for, matching_variant
from autograder.results import CaseResult
from autograder.spec import Assignment, Case, Exercise, resolve

__all__ = ["AnswerError", "ReferenceUnavailable", "CaseTimeout", "DEFAULT_TIMEOUT", "evaluate", "expected",
           "variant_outputs", "score", "grade_case", "grade_exercise", "exercise_timeout", "load_data",
           "GRAD_CONSISTENT"]

DATA_DIR = casedata.DATA_DIR
encode_value, decode_value = casedata.encode_value, casedata.decode_value
DEFAULT_TIMEOUT = 60.0          # seconds for all cases of one exercise, unless Exercise.timeout says more
GRAD_CONSISTENT = 1e-5          # rel error below which a backward agrees with numerical gradients
NOT_DEFINED = "{name} is not defined: run the cell where you write it"

# bound at import time: evaluate runs next to student code (see autograder.answers)
_type, _dict_get, _str, _float, _len = type, dict.get, str, float, len
_ndarray, _np_array, _float64, _np_sum = np.ndarray, np.array, np.float64, np.sum
_MISSING = object()


class ReferenceUnavailable(RuntimeError):
    """The reference (``solutions``) is needed but not importable (student side)."""


class CaseTimeout(BaseException):
    """Raised by ``time_limit``; a BaseException so that ``except Exception`` in student code
    cannot swallow it."""


def exercise_timeout(exercise: Exercise) -> float:
    """Seconds allowed for evaluating all cases of the exercise."""
    return _float(exercise.timeout) if exercise.timeout is not None else DEFAULT_TIMEOUT


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


# -- evaluate (student side) ------------------------------------------------------------

def _lookup(namespace, name: str):
    value = _dict_get(namespace, name, _MISSING) if _type(namespace) is dict else namespace.get(name, _MISSING)
    if value is _MISSING:
        raise AnswerError(NOT_DEFINED.format(name=name))
    return value


def _convert(raw: Mapping[str, Any], *, shapes, hidden: bool, prefix: str = "") -> dict:
    out = {}
    for name, value in raw.items():
        arr, dtype = to_array(value, what=prefix + name, shape=(shapes or {}).get(name), hidden=hidden)
        out[name] = arr
        if dtype != "float64":
            out[f"dtype:{name}"] = dtype
    return out


def evaluate(exercise: Exercise, case: Case, namespace: Mapping[str, Any], *,
             shapes: Mapping[str, tuple] | None = None) -> dict:
    """Run the student's target on the case; return plain data (see the module docstring).

    shapes: expected shapes by output name, only to word rejection messages (optional).
    Raises AnswerError with the student-facing message.
    """
    kind, target, hidden = exercise.kind, exercise.target, case.hidden
    if kind in ("function", "metric"):
        fn = _lookup(namespace, target)
        ret = call_student(fn, case.inputs, name=target, hidden=hidden)
        return _convert(split_outputs(ret, exercise.outputs, name=target), shapes=shapes, hidden=hidden)
    if kind == "value":
        value = _lookup(namespace, target)
        if _len(exercise.outputs) == 1:
            name = exercise.outputs[0]
            arr, dtype = to_array(value, what=target, shape=(shapes or {}).get(name), hidden=hidden)
            return {name: arr} if dtype == "float64" else {name: arr, f"dtype:{name}": dtype}
        return _convert(split_outputs(value, exercise.outputs, name=target), shapes=shapes, hidden=hidden,
                        prefix=f"{target}: ")
    if kind == "formula":
        return _formula.encode(_lookup(namespace, target), exercise.symbols, name=target, hidden=hidden)
    if kind == "choice":
        return {"answer": _encode_choice(_lookup(namespace, target), what=target)}
    if kind == "gradient":
        return _evaluate_gradient(exercise, case, namespace, shapes=shapes)
    raise ValueError(f"exercise {exercise.grade_id!r}: unknown kind {kind!r}; expected one of "
                     "function, value, formula, gradient, choice, metric")


def _split_gradient_inputs(inputs: Mapping[str, Any]):
    upstream = [k for k in inputs if k.startswith("d")]
    forward_inputs = {k: v for k, v in inputs.items() if not k.startswith("d")}
    return upstream, forward_inputs


def _forward_outputs(ret, k: int, *, name: str):
    if _type(ret) is not tuple or _len(ret) < k + 1:
        got = f"a tuple of {_len(ret)}" if _type(ret) is tuple else describe(ret)
        raise AnswerError(f"{name} should return {k} output(s) and then a cache, got {got}")
    return ret[:k], ret[k]


def _evaluate_gradient(exercise: Exercise, case: Case, namespace, *, shapes) -> dict:
    from autograder.numgrad import eval_numerical_gradient

    if not exercise.forward:
        raise ValueError(f"gradient exercise {exercise.grade_id!r} needs forward= (the forward's name)")
    hidden = case.hidden
    forward = _lookup(namespace, exercise.forward)
    backward = _lookup(namespace, exercise.target)
    upstream, fwd_inputs = _split_gradient_inputs(case.inputs)
    douts = [to_array(case.inputs[k], what=k)[0] for k in upstream]
    ret = call_student(forward, fwd_inputs, name=exercise.forward, hidden=hidden)
    _, cache = _forward_outputs(ret, _len(upstream), name=exercise.forward)
    grads = call_student(backward, {}, name=exercise.target, hidden=hidden, args=[*douts, cache])
    out = _convert(split_outputs(grads, exercise.outputs, name=exercise.target), shapes=shapes, hidden=hidden)

    def loss(name, x):
        args = dict(fwd_inputs)
        args[name] = x
        outs, _ = _forward_outputs(call_student(forward, args, name=exercise.forward, hidden=hidden),
                                   _len(upstream), name=exercise.forward)
        total = 0.0
        for o, d, k in zip(outs, douts, upstream):
            arr, _ = to_array(o, what=f"{exercise.forward} output", hidden=hidden)
            if arr.shape != d.shape:
                raise AnswerError(f"{exercise.forward}: its output has shape {arr.shape} but {k} has shape "
                                  f"{d.shape}; they must match")
            total += _float(_np_sum(arr * d))
        return total

    for g in exercise.outputs:
        name = g[1:]
        if name in fwd_inputs and _type(fwd_inputs[name]) is _ndarray:
            x = _np_array(fwd_inputs[name], dtype=_float64, copy=True)
            out[f"numerical:{g}"] = eval_numerical_gradient(lambda xp, name=name: loss(name, xp), x)
    return out


def _normalise_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = " ".join(s.split())
    s = s.strip().rstrip(".").strip()
    while _len(s) >= 2 and (s[0], s[-1]) in (("(", ")"), ("'", "'"), ('"', '"'), ("[", "]")):
        s = s[1:-1].strip()
    return s


def _encode_choice(value, *, what: str):
    t = _type(value)
    if t is _str:
        return _normalise_text(value)
    if t is bool or t is np.bool_:
        return "true" if value else "false"
    arr, _ = to_array(value, what=what, shape=())
    if arr.size != 1:
        raise AnswerError(f"{what}: expected a short answer (a string or one number), got {describe(value)}")
    return _np_array(arr.reshape(()), dtype=_float64)


# -- reference side ---------------------------------------------------------------------

def _reference(dotted: str):
    try:
        return resolve(dotted)
    except ImportError as exc:
        raise ReferenceUnavailable(
            f"hidden cases run at grading time: the reference {dotted.partition(':')[0]!r} is not "
            f"available here ({exc})") from None


def _plain(ret, outputs) -> dict:
    raw = split_outputs(ret, outputs, name="reference")
    return {k: np.array(v, dtype=np.float64) for k, v in raw.items()}


def _copies(inputs: Mapping[str, Any]) -> dict:
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


def _reference_value(exercise: Exercise, obj, case: Case):
    import sympy

    if callable(obj) and not isinstance(obj, sympy.Basic):
        return obj(**_copies(case.inputs))
    return obj


def _encode_expected_choice(value) -> dict:
    alts = list(value) if isinstance(value, (tuple, list, set, frozenset)) else [value]
    if all(isinstance(a, str) or isinstance(a, (bool, np.bool_)) for a in alts):
        return {"choices": "\n".join(sorted({_encode_choice(a, what="reference") for a in alts}))}
    return {"numbers": np.array([float(a) for a in alts], dtype=np.float64)}


def compute_expected(exercise: Exercise, case: Case) -> dict:
    """Expected plain data computed from the reference (instructor side)."""
    kind = exercise.kind
    if kind == "metric":
        return {}
    ref = _reference(exercise.reference)
    if kind == "gradient":
        module = exercise.reference.partition(":")[0]
        ref_forward = _reference(f"{module}:{exercise.forward}")
        upstream, fwd_inputs = _split_gradient_inputs(case.inputs)
        ret = ref_forward(**_copies(fwd_inputs))
        cache = ret[_len(upstream)]
        return _plain(ref(*[np.array(case.inputs[k], dtype=np.float64) for k in upstream], cache),
                      exercise.outputs)
    value = _reference_value(exercise, ref, case)
    if kind == "function":
        return _plain(value, exercise.outputs)
    if kind == "value":
        if _len(exercise.outputs) == 1:
            return {exercise.outputs[0]: np.array(value, dtype=np.float64)}
        return _plain(value, exercise.outputs)
    if kind == "formula":
        return _formula.encode_expr(value, exercise.symbols, what="reference")
    if kind == "choice":
        return _encode_expected_choice(value)
    raise ValueError(f"exercise {exercise.grade_id!r}: unknown kind {kind!r}")


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
    out = {}
    for name in exercise.variants:
        if name not in table:
            raise KeyError(f"exercise {exercise.grade_id!r}: no variant {name!r} of {exercise.reference!r}; "
                           f"expected one of: {', '.join(table)}")
        try:
            value = _reference_value(exercise, table[name], case)
            if exercise.kind == "formula":
                out[name] = _formula.encode_expr(value, exercise.symbols, what=name)
            else:
                out[name] = _plain(value, exercise.outputs)
        except (ValueError, TypeError, IndexError, KeyError):
            continue
    return out


# -- public-case data -------------------------------------------------------------------

def load_data(assignment_id: str, data_dir: Path | None = None) -> dict | None:
    """The parsed ``autograder/data/<assignment_id>.json`` (None if there is none)."""
    return casedata.load(assignment_id, data_dir or DATA_DIR)


def _data_entry(exercise: Exercise, case: Case, assignment_id: str | None):
    if case.hidden or assignment_id is None or exercise.kind == "metric":
        return None
    data = load_data(assignment_id)
    if data is None:
        return None
    entry = casedata.entry(data, exercise.grade_id, case.name)
    if entry is None:
        return None
    stored = {k: casedata.decode_input(v) for k, v in entry.get("inputs", {}).items()}
    why = casedata.input_difference(case.inputs, stored)
    if why is not None:
        raise casedata.StaleData(f"autograder/data/{assignment_id}.json does not fit {exercise.grade_id!r} "
                                 f"[{case.name}]: {why}. " + casedata.fix_hint(assignment_id))
    return entry


def expected(exercise: Exercise, case: Case, *, assignment_id: str | None = None) -> dict:
    """Expected plain data: public cases from the data file of ``assignment_id`` when it has
    them, otherwise (and for hidden cases) computed from the reference.

    Raises ReferenceUnavailable when the reference is needed but absent.
    """
    entry = _data_entry(exercise, case, assignment_id)
    if entry is not None:
        return {k: decode_value(v) for k, v in entry["expected"].items()}
    if assignment_id is not None and not case.hidden and exercise.kind != "metric":
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

def _result(exercise, case, passed, message, hint=None) -> CaseResult:
    pts = float(case.points)
    return CaseResult(name=case.name, passed=bool(passed), score=pts if passed else 0.0, max_score=pts,
                      message=message, hidden=case.hidden, hint=hint, grade_id=exercise.grade_id)


def score(exercise: Exercise, case: Case, evaluated, expected: Mapping, variants: Mapping) -> CaseResult:
    """Compare evaluated plain data (or an AnswerError message) with the expected data."""
    if isinstance(evaluated, str):
        return _result(exercise, case, False, evaluated)
    kind = exercise.kind
    if kind in ("function", "value"):
        return _score_arrays(exercise, case, evaluated, expected, variants)
    if kind == "gradient":
        return _score_gradient(exercise, case, evaluated, expected, variants)
    if kind == "formula":
        return _score_formula(exercise, case, evaluated, expected, variants)
    if kind == "choice":
        return _score_choice(exercise, case, evaluated, expected)
    if kind == "metric":
        return _score_metric(exercise, case, evaluated)
    raise ValueError(f"exercise {exercise.grade_id!r}: unknown kind {kind!r}")


def _missing_output(exercise, case, evaluated, names):
    missing = [k for k in names if k not in evaluated]
    if missing:
        return _result(exercise, case, False, f"no value for {', '.join(missing)} came back from {exercise.target}")
    return None


def _failed_outputs(exercise, case, evaluated, expected, names) -> list[tuple[str, str]]:
    """(name, message) of every compared output that is not within the exercise's tolerance."""
    failed = []
    for k in names:
        ok, msg = _compare_arrays(evaluated[k], expected[k], rtol=exercise.rtol, atol=exercise.atol, name=k,
                                  hidden=case.hidden, dtype=str(evaluated.get(f"dtype:{k}", "float64")))
        if not ok:
            failed.append((k, msg))
    return failed


def _score_arrays(exercise, case, evaluated, expected, variants) -> CaseResult:
    names = [k for k in exercise.outputs if k in expected]
    bad = _missing_output(exercise, case, evaluated, names)
    if bad:
        return bad
    messages = [msg for _, msg in _failed_outputs(exercise, case, evaluated, expected, names)]
    if not messages:
        return _result(exercise, case, True, "")
    answer = {k: evaluated[k] for k in names}
    variant = matching_variant(answer, expected, variants, rtol=exercise.rtol, atol=exercise.atol,
                               order=exercise.variants)
    return _result(exercise, case, False, "\n".join(messages), hint_for(variant) if variant else None)


def _gradient_variant(exercise, evaluated, expected, variants, names, failed) -> str | None:
    """The known wrong backward the student's gradients match: first one that matches every
    compared gradient, else one that matches every gradient the student got wrong (a variant
    without all of those gradients cannot be judged and is left out)."""
    if not variants or not failed:
        return None
    tol = dict(rtol=exercise.rtol, atol=exercise.atol, order=exercise.variants)
    variant = matching_variant({k: evaluated[k] for k in names}, expected, variants, **tol)
    if variant is None:
        wrong = [k for k, _ in failed]
        variant = matching_variant({k: evaluated[k] for k in wrong}, expected,
                                   {v: outs for v, outs in variants.items() if all(k in outs for k in wrong)},
                                   **tol)
    return variant


def _score_gradient(exercise, case, evaluated, expected, variants=None) -> CaseResult:
    from autograder.numgrad import rel_error

    names = [k for k in exercise.outputs if k in expected]
    bad = _missing_output(exercise, case, evaluated, names)
    if bad:
        return bad
    failed = _failed_outputs(exercise, case, evaluated, expected, names)
    # is the backward consistent with the student's own forward?
    errors = {}
    for k in names:
        num = evaluated.get(f"numerical:{k}")
        if isinstance(num, np.ndarray) and num.shape == np.shape(evaluated[k]):
            errors[k] = rel_error(evaluated[k], num)
        elif isinstance(num, np.ndarray):
            errors[k] = float("inf")
    worst = max(errors, key=errors.get) if errors else None
    consistent = worst is not None and errors[worst] < GRAD_CONSISTENT
    if worst is None:
        note = ""
    elif consistent:
        note = ("Your backward matches numerical gradients of your forward, so the forward is what differs."
                if failed else "")
    else:
        value = "" if case.hidden else f": rel error {errors[worst]:.1e}"
        note = (f"Your backward disagrees with your own forward{value} on {worst} "
                f"(numerical gradients of sum(out * dout) through your {exercise.forward}).")
    if not failed:
        return _result(exercise, case, True, note)
    shown = failed[0][1]
    others = [k for k, _ in failed[1:]]
    if others:
        shown += f"\nAlso wrong: {', '.join(others)}."
    variant = _gradient_variant(exercise, evaluated, expected, variants, names, failed)
    return _result(exercise, case, False, shown + ("\n" + note if note else ""),
                   hint_for(variant) if variant else None)


def _score_formula(exercise, case, evaluated, expected, variants) -> CaseResult:
    symbols = exercise.symbols
    try:
        ok, msg = _formula.compare(evaluated, expected, symbols, hidden=case.hidden)
    except (ValueError, TypeError, KeyError) as exc:
        return _result(exercise, case, False, f"your formula could not be read: {exc}")
    if ok:
        return _result(exercise, case, True, "")
    hint = None
    for name in [v for v in exercise.variants if v in variants] + [v for v in variants if v not in exercise.variants]:
        try:
            if not _formula.same(variants[name], expected, symbols) and _formula.same(evaluated, variants[name], symbols):
                hint = hint_for(name)
                break
        except (ValueError, TypeError, KeyError):
            continue
    return _result(exercise, case, False, msg, hint)


def _score_choice(exercise, case, evaluated, expected) -> CaseResult:
    answer = evaluated.get("answer")
    if "numbers" in expected:
        if isinstance(answer, str):
            try:
                answer = float(answer)
            except ValueError:
                return _result(exercise, case, False, f"expected a number, got the text {answer!r}")
        value = float(np.asarray(answer, dtype=np.float64).reshape(()))
        nums = np.asarray(expected["numbers"], dtype=np.float64).ravel()
        ok = bool(np.any(np.abs(value - nums) <= exercise.atol + exercise.rtol * np.abs(nums)))
        msg = "" if ok else (f"Your answer {value:g} is not the expected value (tolerance rtol={exercise.rtol:g}, "
                             f"atol={exercise.atol:g})." if not case.hidden else "Your answer is not the expected value.")
        return _result(exercise, case, ok, msg)
    choices = str(expected.get("choices", "")).split("\n")
    if not isinstance(answer, str):
        answer = _normalise_text(f"{float(np.asarray(answer).reshape(())):g}")
    ok = answer in choices
    msg = "" if ok else (f"Your answer {answer!r} (compared ignoring case and spacing) is not the expected one."
                         if not case.hidden else "Your answer is not the expected one.")
    return _result(exercise, case, ok, msg)


def _score_metric(exercise, case, evaluated) -> CaseResult:
    if exercise.threshold is None:
        raise ValueError(f"metric exercise {exercise.grade_id!r} needs threshold=")
    try:
        scorer = _reference(exercise.reference)
    except ReferenceUnavailable:
        # A student's own environment: the run finished, the held-out metric is the instructor's.
        return CaseResult(name=case.name, passed=False, score=0.0, max_score=float(case.points),
                          message=f"your {exercise.target} ran and returned its result; the held-out metric "
                                  "is measured when your instructor grades (its scorer is not in the student kit)",
                          hidden=case.hidden, grade_id=exercise.grade_id, unscored=True)
    outputs = {k: evaluated[k] for k in exercise.outputs if k in evaluated}
    try:
        value = float(scorer(outputs, _copies(case.inputs)))
    except (ValueError, TypeError, IndexError, KeyError, FloatingPointError) as exc:
        # the scorer refuses what came back (e.g. weights of the wrong shape)
        return _result(exercise, case, False, f"your {exercise.target} result could not be scored: "
                       f"{type(exc).__name__}: {exc}" if not case.hidden else
                       f"your {exercise.target} result could not be scored ({type(exc).__name__})")
    if not np.isfinite(value):
        return _result(exercise, case, False, f"the metric of your {exercise.target} result is not finite")
    ok = value >= exercise.threshold if exercise.higher_is_better else value <= exercise.threshold
    word = "reached" if ok else "did not reach"
    cmp = ">=" if exercise.higher_is_better else "<="
    if case.hidden:
        msg = f"The metric {word} the threshold ({cmp} {exercise.threshold:g})."
    else:
        msg = f"The metric is {value:.4g}; it {word} the threshold ({cmp} {exercise.threshold:g})."
    return _result(exercise, case, ok, "" if ok else msg)


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


def grade_exercise(assignment: Assignment, grade_id: str, namespace, *, hidden: bool = False) -> list[CaseResult]:
    """Grade the public (or hidden) cases of one exercise in this process.

    All cases share the exercise's time limit (``exercise_timeout``); a case still
    running at the limit, and the ones after it, score 0 with a message saying so.
    Raises ReferenceUnavailable when hidden (or undocumented public) cases need
    ``solutions``.
    """
    exercise = assignment.exercise(grade_id)
    cases = exercise.cases(hidden=hidden)
    results: list[CaseResult] = []
    limit = exercise_timeout(exercise)
    try:
        with time_limit(limit, what=f"the cases of {exercise.target}"):
            for case in cases:
                results.append(grade_case(exercise, case, namespace, assignment_id=assignment.id))
    except CaseTimeout as exc:
        for case in cases[len(results):]:
            results.append(_result(exercise, case, False, f"{exc} (all cases of this exercise together); "
                                   "look for an endless loop or a much too slow computation"))
    return results
