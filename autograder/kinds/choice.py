"""``choice`` exercises: a multiple-choice letter, a short text or one number.

Text is compared after Unicode normalisation, case folding, collapsed spaces and a
trailing period or surrounding brackets and quotes removed; a number within the
exercise's tolerance of any accepted value passes. A question still answered ``None``
(the released notebook's given line) gets a message saying what to set it to.
"""
from __future__ import annotations

import unicodedata

import numpy as np

from autograder.answers import AnswerError, describe, to_array
from autograder.kinds.base import Kind, _float64, _len, _np_array, _str, _type, lookup, reference, reference_value, result


# the options of a lettered question: every quick check of the course offers "a", "b" and "c"
LETTERS = ("a", "b", "c")
UNANSWERED = "unanswered"          # evaluate's key for an answer that is still None


def normalise_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = " ".join(s.split())
    s = s.strip().rstrip(".").strip()
    while _len(s) >= 2 and (s[0], s[-1]) in (("(", ")"), ("'", "'"), ('"', '"'), ("[", "]")):
        s = s[1:-1].strip()
    return s


def encode_choice(value, *, what: str):
    t = _type(value)
    if t is _str:
        return normalise_text(value)
    if t is bool or t is np.bool_:
        return "true" if value else "false"
    arr, _ = to_array(value, what=what, shape=())
    if arr.size != 1:
        raise AnswerError(f"{what}: expected a short answer (a string or one number), got {describe(value)}")
    return _np_array(arr.reshape(()), dtype=_float64)


def options(expected) -> str:
    """What a student may set the answer to, in words, from the kind of the accepted
    answers (never naming them): 'a number', '"a", "b" or "c"', 'your answer as text'."""
    if "numbers" in expected:
        return "a number"
    accepted = [c for c in str(expected.get("choices", "")).split("\n") if c]
    if accepted and all(len(c) == 1 and "a" <= c <= "z" for c in accepted):
        last = max(LETTERS[-1], *accepted)
        letters = [f'"{chr(k)}"' for k in range(ord("a"), ord(last) + 1)]
        return ", ".join(letters[:-1]) + " or " + letters[-1]
    return "your answer as text (a string)"


class ChoiceKind(Kind):
    name = "choice"

    def evaluate(self, exercise, case, namespace, *, shapes=None):
        value = lookup(namespace, exercise.target)
        if value is None:
            return {UNANSWERED: "None"}
        return {"answer": encode_choice(value, what=exercise.target)}

    def expected(self, exercise, case):
        value = reference_value(reference(exercise.reference), case)
        alts = list(value) if isinstance(value, (tuple, list, set, frozenset)) else [value]
        if all(isinstance(a, str) or isinstance(a, (bool, np.bool_)) for a in alts):
            return {"choices": "\n".join(sorted({encode_choice(a, what="reference") for a in alts}))}
        return {"numbers": np.array([float(a) for a in alts], dtype=np.float64)}

    def score(self, exercise, case, evaluated, expected, variants):
        if UNANSWERED in evaluated:
            return result(exercise, case, False, f"{exercise.target} is still None: set it to "
                                                 f"{options(expected)}")
        answer = evaluated.get("answer")
        if "numbers" in expected:
            if isinstance(answer, str):
                try:
                    answer = float(answer)
                except ValueError:
                    return result(exercise, case, False, f"expected a number, got the text {answer!r}")
            value = float(np.asarray(answer, dtype=np.float64).reshape(()))
            nums = np.asarray(expected["numbers"], dtype=np.float64).ravel()
            ok = bool(np.any(np.abs(value - nums) <= exercise.atol + exercise.rtol * np.abs(nums)))
            msg = "" if ok else (f"Your answer {value:g} is not the expected value (tolerance rtol={exercise.rtol:g}, "
                                 f"atol={exercise.atol:g})." if not case.hidden else
                                 "Your answer is not the expected value.")
            return result(exercise, case, ok, msg)
        choices = str(expected.get("choices", "")).split("\n")
        if not isinstance(answer, str):
            answer = normalise_text(f"{float(np.asarray(answer).reshape(())):g}")
        ok = answer in choices
        msg = "" if ok else (f"Your answer {answer!r} (compared ignoring case and spacing) is not the expected one."
                             if not case.hidden else "Your answer is not the expected one.")
        return result(exercise, case, ok, msg)
