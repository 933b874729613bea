"""Quick-check questions in the lecture notebooks, graded on the spot.

A lecture defines a question in a cell, the student sets a variable and runs the check:

    from autograder.quickcheck import MultipleChoice
    q04_1 = MultipleChoice(
        "04_1", "Which gate decides how much of C_{t-1} is kept?",
        choices={"a": "input gate", "b": "forget gate", "c": "output gate"},
        key="<sha256 made with answer_key('04_1', 'b')>",
        feedback={"a": "The input gate scales what is written, not what is kept.", ...},
    )
    answer_04_1 = None          # the student replaces None with "a", "b" or "c"
    q04_1.check(answer_04_1)    # prints ✅ or ❌ with feedback

The answer key is never stored in plain text: a choice question stores the sha256 of
``"<question id>:<normalised answer>"`` (``answer_key``), a numeric question the sha256
of the answer rounded to ``decimals`` places (``numeric_key``). ``check`` accepts a
number that is within one unit of the last kept decimal place of the answer.

Nothing here imports ``solutions``: students run it.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["MultipleChoice", "Numeric", "Result", "answer_key", "numeric_key", "ask", "REGISTRY"]

#: every question built in this kernel, by id (tests and the notebook use it to list them)
REGISTRY: dict[str, "MultipleChoice | Numeric"] = {}

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise(answer: str) -> str:
    """Lower case, surrounding spaces and a trailing ')' or '.' removed: ' B) ' -> 'b'."""
    return answer.strip().lower().rstrip(").").strip()


def answer_key(question_id: str, answer: str) -> str:
    """The stored key of a choice answer: sha256 of ``"<question_id>:<normalised answer>"``."""
    return _sha(f"{question_id}:{_normalise(answer)}")


def _fmt(value: float, decimals: int) -> str:
    text = f"{round(float(value), decimals):.{decimals}f}"
    return "0." + "0" * decimals if text.strip("-0.") == "" else text  # -0.000 -> 0.000


def numeric_key(question_id: str, value: float, decimals: int) -> str:
    """The stored key of a numeric answer: sha256 of ``"<question_id>:<value to decimals places>"``."""
    return _sha(f"{question_id}:{_fmt(value, decimals)}")


@dataclass
class Result:
    """What one check gave. passed: None when no answer was given yet."""

    question_id: str
    passed: bool | None
    message: str

    def __bool__(self) -> bool:  # lets a test write ``assert q.check(x)``
        return bool(self.passed)


def _check_key(key: str, question_id: str) -> str:
    if not isinstance(key, str) or not _HEX64.match(key):
        raise ValueError(
            f"quick check {question_id!r}: key must be a 64-character sha256 hex digest "
            f"(made with answer_key/numeric_key), got {key!r}"
        )
    return key


def _report(result: Result, *, quiet: bool) -> Result:
    if not quiet:
        print(result.message)
    return result


@dataclass
class MultipleChoice:
    """A question with lettered choices; one of them is right.

    question_id: e.g. ``"04_1"`` (lecture 04, question 1); part of the hashed key.
    question:    the question text.
    choices:     letter -> choice text, e.g. ``{"a": "...", "b": "..."}``.
    key:         ``answer_key(question_id, correct_letter)``.
    feedback:    letter -> why that choice is right or wrong, shown after a check.
    """

    question_id: str
    question: str
    choices: Mapping[str, str]
    key: str
    feedback: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_key(self.key, self.question_id)
        self.choices = {_normalise(k): v for k, v in self.choices.items()}
        self.feedback = {_normalise(k): v for k, v in self.feedback.items()}
        if not any(answer_key(self.question_id, c) == self.key for c in self.choices):
            raise ValueError(f"quick check {self.question_id!r}: the key matches none of the choices {sorted(self.choices)}")
        REGISTRY[self.question_id] = self

    def text(self) -> str:
        lines = [f"Quick check {self.question_id}: {self.question}"]
        lines += [f"  {k}) {v}" for k, v in self.choices.items()]
        return "\n".join(lines)

    def show(self) -> None:
        """Print the question and its choices."""
        print(self.text())

    def check(self, answer, *, quiet: bool = False) -> Result:
        """Grade ``answer`` (a letter); print and return the Result."""
        letters = ", ".join(repr(k) for k in self.choices)
        if answer is None:
            return _report(Result(self.question_id, None,
                                  f"⏳ {self.question_id}: no answer yet. Set your answer variable to one of {letters}."), quiet=quiet)
        if not isinstance(answer, str):
            return _report(Result(self.question_id, False,
                                  f"❌ {self.question_id}: expected one of {letters} (a string), got {answer!r} "
                                  f"of type {type(answer).__name__}."), quiet=quiet)
        choice = _normalise(answer)
        if choice not in self.choices:
            return _report(Result(self.question_id, False,
                                  f"❌ {self.question_id}: expected one of {letters}, got {answer!r}."), quiet=quiet)
        why = self.feedback.get(choice, "")
        if answer_key(self.question_id, choice) == self.key:
            return _report(Result(self.question_id, True, f"✅ {self.question_id}: right. {why}".rstrip()), quiet=quiet)
        return _report(Result(self.question_id, False,
                              f"❌ {self.question_id}: not {choice}). {why}".rstrip() + " Try another choice."), quiet=quiet)


@dataclass
class Numeric:
    """A question whose answer is a number.

    key:      ``numeric_key(question_id, value, decimals)``.
    decimals: the answer is compared at this many decimal places; an answer within one
              unit of the last place (10**-decimals) passes. decimals=0 (a count) must
              round to the key exactly.
    hint:     shown with a wrong answer.
    mistakes: ``numeric_key`` of a typical wrong value -> what that mistake was.
    """

    question_id: str
    question: str
    key: str
    decimals: int = 3
    hint: str = ""
    mistakes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_key(self.key, self.question_id)
        for k in self.mistakes:
            _check_key(k, self.question_id)
        if not isinstance(self.decimals, int) or not 0 <= self.decimals <= 12:
            raise ValueError(f"quick check {self.question_id!r}: decimals must be an int in 0..12, got {self.decimals!r}")
        REGISTRY[self.question_id] = self

    def text(self) -> str:
        return f"Quick check {self.question_id}: {self.question} (give a number; {self.decimals} decimal places are compared)"

    def show(self) -> None:
        print(self.text())

    def _matches(self, value: float, key: str) -> bool:
        if self.decimals == 0:  # a count: exact
            return numeric_key(self.question_id, value, 0) == key
        unit = 10.0 ** -self.decimals
        return any(numeric_key(self.question_id, value + d * unit, self.decimals) == key for d in (0, -1, 1))

    def check(self, answer, *, quiet: bool = False) -> Result:
        """Grade ``answer`` (a number); print and return the Result."""
        if answer is None:
            return _report(Result(self.question_id, None,
                                  f"⏳ {self.question_id}: no answer yet. Set your answer variable to a number."), quiet=quiet)
        if hasattr(answer, "item") and getattr(answer, "size", 1) == 1:
            answer = answer.item()  # a numpy scalar or 1-element array
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
            return _report(Result(self.question_id, False,
                                  f"❌ {self.question_id}: expected a finite real number, got {answer!r} "
                                  f"of type {type(answer).__name__}."), quiet=quiet)
        value = float(answer)
        if self._matches(value, self.key):
            return _report(Result(self.question_id, True, f"✅ {self.question_id}: right, {_fmt(value, self.decimals)}."), quiet=quiet)
        for key, why in self.mistakes.items():
            if self._matches(value, key):
                return _report(Result(self.question_id, False,
                                      f"❌ {self.question_id}: {_fmt(value, self.decimals)} is not it. {why}"), quiet=quiet)
        return _report(Result(self.question_id, False,
                              f"❌ {self.question_id}: {_fmt(value, self.decimals)} is not it. {self.hint}".rstrip()), quiet=quiet)


def ask(question_id: str, answer, *, quiet: bool = False) -> Result:
    """Grade ``answer`` for a question defined earlier in this kernel, by its id: ``ask("04_1", 0.8)``."""
    if question_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none yet (run the question's cell first)"
        raise KeyError(f"no quick check {question_id!r} is defined in this session; defined: {known}")
    return REGISTRY[question_id].check(answer, quiet=quiet)
