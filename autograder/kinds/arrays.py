"""``function`` and ``value`` exercises: an answer that is one or more arrays.

function: call ``target(**inputs)`` and compare the returned ``outputs``;
value:    compare the variable ``target`` itself (e.g. the worked example's numbers).
A failed case gets the HINT of the first known wrong variant the answer matches.
"""
from __future__ import annotations

import numpy as np

from autograder.answers import call_student, split_outputs, to_array
from autograder.hints import hint_for, matching_variant
from autograder.kinds.base import (Kind, _len, convert, failed_outputs, lookup, missing_output, plain,
                                   reference, reference_value, result)


def score_arrays(exercise, case, evaluated, expected, variants):
    names = [k for k in exercise.outputs if k in expected]
    bad = missing_output(exercise, case, evaluated, names)
    if bad:
        return bad
    messages = [msg for _, msg in failed_outputs(exercise, case, evaluated, expected, names)]
    if not messages:
        return result(exercise, case, True, "")
    answer = {k: evaluated[k] for k in names}
    variant = matching_variant(answer, expected, variants, rtol=exercise.rtol, atol=exercise.atol,
                               order=exercise.variants)
    return result(exercise, case, False, "\n".join(messages),
                  hint_for(variant, exercise) if variant else None)


class FunctionKind(Kind):
    name = "function"

    def evaluate(self, exercise, case, namespace, *, shapes=None):
        fn = lookup(namespace, exercise.target)
        ret = call_student(fn, case.inputs, name=exercise.target, hidden=case.hidden, exercise=exercise)
        return convert(split_outputs(ret, exercise.outputs, name=exercise.target), shapes=shapes, hidden=case.hidden)

    def score(self, exercise, case, evaluated, expected, variants):
        return score_arrays(exercise, case, evaluated, expected, variants)


class ValueKind(Kind):
    name = "value"

    def evaluate(self, exercise, case, namespace, *, shapes=None):
        target, hidden = exercise.target, case.hidden
        value = lookup(namespace, target)
        if _len(exercise.outputs) == 1:
            name = exercise.outputs[0]
            arr, dtype = to_array(value, what=target, shape=(shapes or {}).get(name), hidden=hidden)
            return {name: arr} if dtype == "float64" else {name: arr, f"dtype:{name}": dtype}
        return convert(split_outputs(value, exercise.outputs, name=target), shapes=shapes, hidden=hidden,
                       prefix=f"{target}: ")

    def expected(self, exercise, case):
        value = reference_value(reference(exercise.reference), case)
        if len(exercise.outputs) == 1:
            return {exercise.outputs[0]: np.array(value, dtype=np.float64)}
        return plain(value, exercise.outputs)

    def score(self, exercise, case, evaluated, expected, variants):
        return score_arrays(exercise, case, evaluated, expected, variants)
