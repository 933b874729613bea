"""Exercise kinds as types: one class per kind, each with its evaluate, expected and score steps.

    function  FunctionKind   (arrays.py)    call target(**inputs), compare the outputs
    value     ValueKind      (arrays.py)    compare the variable target itself
    gradient  GradientKind   (gradient.py)  a backward, against the reference and the own forward
    formula   FormulaKind    (formula.py)   a sympy expression of the exercise's symbols
    choice    ChoiceKind     (choice.py)    a letter, a short text or one number
    metric    MetricKind     (metric.py)    a run measured by the instructor's scorer

A spec names the kind with its string (``Exercise(kind="gradient")``); ``kind_of`` gives
the object. A new kind is one new class, registered in ``KINDS``.
"""
from autograder.kinds.arrays import FunctionKind, ValueKind
from autograder.kinds.base import Kind, ReferenceUnavailable
from autograder.kinds.choice import ChoiceKind
from autograder.kinds.formula import FormulaKind
from autograder.kinds.gradient import GRAD_CONSISTENT, GradientKind
from autograder.kinds.metric import MetricKind

KINDS: dict[str, Kind] = {k.name: k() for k in (FunctionKind, ValueKind, GradientKind, FormulaKind, ChoiceKind,
                                                 MetricKind)}

__all__ = ["KINDS", "Kind", "ReferenceUnavailable", "GRAD_CONSISTENT", "kind_of"]


def kind_of(exercise) -> Kind:
    """The kind object of an exercise; a clear error for a kind no class implements."""
    try:
        return KINDS[exercise.kind]
    except KeyError:
        raise ValueError(f"exercise {exercise.grade_id!r}: unknown kind {exercise.kind!r}; expected one of "
                         f"{', '.join(KINDS)}") from None
