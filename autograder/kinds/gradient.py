"""``gradient`` exercises: a backward pass, checked against the reference and against the
student's own forward.

The case inputs whose names start with ``d`` are the upstream gradients (``dnext_h``,
``dnext_c``, ``dh``), in the order the backward takes them; the rest are the forward's
inputs. The forward returns ``(out_1, ..., out_k, cache)`` with one output per upstream
gradient; the backward is called as ``target(*upstream, cache)`` and returns the gradients
named by ``outputs`` (``("dx", "dprev_h", "dWx", ...)``). The numerical derivatives of
``sum_k sum(out_k * dout_k)`` through the student's own forward are taken along
``NUM_DIRECTIONS`` fixed random directions of the input named after each output without
its ``d`` (``dWh`` -> ``Wh``): two forward calls per direction rather than two per entry,
and enough to tell a backward that disagrees with its own forward (the note in the
message; the verdict comes from the reference). The reference forward is the attribute named
``exercise.forward`` in the reference's module. A known wrong backward takes the case
inputs as keywords (upstream gradients and forward inputs) and returns the gradients; a
failed case gets its HINT when the student's gradients all match it, or when the ones the
student got wrong do (the note on the student's own forward stays in the message).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from autograder.answers import AnswerError, call_student, describe, split_outputs, to_array
from autograder.hints import hint_for, matching_variant
from autograder.kinds.base import (Kind, _float, _float64, _len, _ndarray, _np_array, _np_sum, _type, convert,
                                   copies, failed_outputs, lookup, missing_output, plain, reference, result)

GRAD_CONSISTENT = 1e-5          # rel error below which a backward agrees with numerical gradients
NUM_DIRECTIONS = 3              # random directions the student's forward is differentiated along


def _split_inputs(inputs: Mapping[str, Any]):
    upstream = [k for k in inputs if k.startswith("d")]
    forward_inputs = {k: v for k, v in inputs.items() if not k.startswith("d")}
    return upstream, forward_inputs


def _forward_outputs(ret, k: int, *, name: str):
    if _type(ret) is not tuple or _len(ret) < k + 1:
        got = f"a tuple of {_len(ret)}" if _type(ret) is tuple else describe(ret)
        raise AnswerError(f"{name} should return {k} output(s) and then a cache, got {got}")
    return ret[:k], ret[k]


def _variant(exercise, evaluated, expected, variants, names, failed) -> str | None:
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


def _own_forward_note(exercise, case, evaluated, names, failed) -> str:
    """Whether the backward agrees with numerical derivatives of the student's own forward.

    The child differentiated the forward along fixed random directions of each input
    (``numerical:<grad>``, one number per direction); the student's gradient, projected on
    the same directions here, must give the same numbers."""
    from autograder.numgrad import random_directions, rel_error

    errors = {}
    for k in names:
        num = evaluated.get(f"numerical:{k}")
        if not isinstance(num, np.ndarray):
            continue
        grad, shape = evaluated[k], np.shape(case.inputs.get(k[1:]))
        if isinstance(grad, np.ndarray) and grad.shape == shape and num.shape == (NUM_DIRECTIONS,):
            projected = np.tensordot(random_directions(shape, NUM_DIRECTIONS), grad, axes=len(shape))
            errors[k] = rel_error(projected, num)
        else:
            errors[k] = float("inf")
    if not errors:
        return ""
    worst = max(errors, key=errors.get)
    if errors[worst] < GRAD_CONSISTENT:
        return ("Your backward matches numerical gradients of your forward, so the forward is what differs."
                if failed else "")
    value = "" if case.hidden else f": rel error {errors[worst]:.1e}"
    return (f"Your backward disagrees with your own forward{value} on {worst} "
            f"(numerical derivatives of sum(out * dout) through your {exercise.forward}, "
            f"along {NUM_DIRECTIONS} random directions).")


class GradientKind(Kind):
    name = "gradient"
    diagnoses = True                # the numerical gradients of the student's own forward

    def answer_names(self, exercise):
        return (exercise.target,) + ((exercise.forward,) if exercise.forward else ())

    def evaluate(self, exercise, case, namespace, *, shapes=None, diagnose=True):
        from autograder.numgrad import eval_directional_derivatives, random_directions

        if not exercise.forward:
            raise ValueError(f"gradient exercise {exercise.grade_id!r} needs forward= (the forward's name)")
        hidden = case.hidden
        forward = lookup(namespace, exercise.forward)
        backward = lookup(namespace, exercise.target)
        upstream, fwd_inputs = _split_inputs(case.inputs)
        douts = [to_array(case.inputs[k], what=k)[0] for k in upstream]
        ret = call_student(forward, fwd_inputs, name=exercise.forward, hidden=hidden, exercise=exercise)
        _, cache = _forward_outputs(ret, _len(upstream), name=exercise.forward)
        grads = call_student(backward, {}, name=exercise.target, hidden=hidden, args=[*douts, cache],
                             exercise=exercise)
        out = convert(split_outputs(grads, exercise.outputs, name=exercise.target), shapes=shapes, hidden=hidden)

        def loss(name, x):
            args = dict(fwd_inputs)
            args[name] = x
            outs, _ = _forward_outputs(call_student(forward, args, name=exercise.forward, hidden=hidden,
                                                    exercise=exercise),
                                       _len(upstream), name=exercise.forward)
            total = 0.0
            for o, d, k in zip(outs, douts, upstream):
                arr, _ = to_array(o, what=f"{exercise.forward} output", hidden=hidden)
                if arr.shape != d.shape:
                    raise AnswerError(f"{exercise.forward}: its output has shape {arr.shape} but {k} has shape "
                                      f"{d.shape}; they must match")
                total += _float(_np_sum(arr * d))
            return total

        if not diagnose:             # the verdict does not depend on them: only the note does
            return out
        for g in exercise.outputs:
            name = g[1:]
            if name in fwd_inputs and _type(fwd_inputs[name]) is _ndarray:
                x = _np_array(fwd_inputs[name], dtype=_float64, copy=True)
                if x.size:
                    out[f"numerical:{g}"] = eval_directional_derivatives(
                        lambda xp, name=name: loss(name, xp), x, random_directions(x.shape, NUM_DIRECTIONS))
        return out

    def expected(self, exercise, case):
        ref = reference(exercise.reference)
        module = exercise.reference.partition(":")[0]
        ref_forward = reference(f"{module}:{exercise.forward}")
        upstream, fwd_inputs = _split_inputs(case.inputs)
        ret = ref_forward(**copies(fwd_inputs))
        cache = ret[len(upstream)]
        return plain(ref(*[np.array(case.inputs[k], dtype=np.float64) for k in upstream], cache), exercise.outputs)

    def score(self, exercise, case, evaluated, expected, variants):
        names = [k for k in exercise.outputs if k in expected]
        bad = missing_output(exercise, case, evaluated, names)
        if bad:
            return bad
        failed = failed_outputs(exercise, case, evaluated, expected, names)
        note = _own_forward_note(exercise, case, evaluated, names, failed)
        if not failed:
            return result(exercise, case, True, note)
        shown = failed[0][1]
        others = [k for k, _ in failed[1:]]
        if others:
            shown += f"\nAlso wrong: {', '.join(others)}."
        variant = _variant(exercise, evaluated, expected, variants or {}, names, failed)
        return result(exercise, case, False, shown + ("\n" + note if note else ""),
                      hint_for(variant, exercise) if variant else None)
