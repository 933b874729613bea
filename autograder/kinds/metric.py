"""``metric`` exercises: a run (e.g. training) whose result the instructor's scorer measures.

The student's ``target(**inputs)`` runs where the student code runs and returns plain
arrays (e.g. trained weights); the reference is a scorer ``(outputs, inputs) -> float``
run in the grader's process (e.g. accuracy on held-out data); the case passes when the
metric reaches ``threshold``. Where the scorer is not installed (a student's own
environment) the case is ``unscored``: no points either way, scored at grading time.
"""
from __future__ import annotations

import numpy as np

from autograder.kinds.arrays import FunctionKind
from autograder.kinds.base import ReferenceUnavailable, copies, reference, result
from autograder.results import CaseResult


class MetricKind(FunctionKind):
    name = "metric"
    stores_expected = False           # nothing to store: the scorer runs at grading time

    def expected(self, exercise, case):
        return {}

    def score(self, exercise, case, evaluated, expected, variants):
        if exercise.threshold is None:
            raise ValueError(f"metric exercise {exercise.grade_id!r} needs threshold=")
        try:
            scorer = reference(exercise.reference)
        except ReferenceUnavailable:
            return CaseResult(name=case.name, passed=False, score=0.0, max_score=float(case.points),
                              message=f"your {exercise.target} ran and returned its result; the held-out metric "
                                      "is measured when your instructor grades (its scorer is not in the student kit)",
                              hidden=case.hidden, grade_id=exercise.grade_id, unscored=True)
        outputs = {k: evaluated[k] for k in exercise.outputs if k in evaluated}
        try:
            value = float(scorer(outputs, copies(case.inputs)))
        except (ValueError, TypeError, IndexError, KeyError, FloatingPointError) as exc:
            # the scorer refuses what came back (e.g. weights of the wrong shape)
            return result(exercise, case, False, f"your {exercise.target} result could not be scored: "
                          f"{type(exc).__name__}: {exc}" if not case.hidden else
                          f"your {exercise.target} result could not be scored ({type(exc).__name__})")
        if not np.isfinite(value):
            return result(exercise, case, False, f"the metric of your {exercise.target} result is not finite")
        ok = value >= exercise.threshold if exercise.higher_is_better else value <= exercise.threshold
        word = "reached" if ok else "did not reach"
        cmp = ">=" if exercise.higher_is_better else "<="
        if case.hidden:
            msg = f"The metric {word} the threshold ({cmp} {exercise.threshold:g})."
        else:
            msg = f"The metric is {value:.4g}; it {word} the threshold ({cmp} {exercise.threshold:g})."
        return result(exercise, case, ok, "" if ok else msg)
