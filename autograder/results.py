"""The record of one graded case, and sums over a list of them.

Every way of grading (the in-kernel ``notebook.Grader``, ``autograder grade``, the self-check)
produces a list of ``CaseResult``; Gradescope ``tests[]``, JUnit test cases and the CSV
gradebook are built from these, so a result holds plain data only.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable


@dataclass
class CaseResult:
    """One case of one exercise, graded.

    name:      the case's name, e.g. ``"N=2, D=3, H=4"`` or ``"hidden 2"``.
    passed:    whether the case earned its points.
    score:     points earned (0 or max_score: partial credit is per case).
    max_score: points the case is worth.
    message:   feedback for the student; empty when passed. For hidden cases it shows
               no values (no inputs, no expected numbers).
    hidden:    whether the case is a hidden (grading-time) case.
    hint:      the HINT line naming a likely mistake, or None.
    grade_id:  the exercise's nbgrader grade id.
    unscored:  the answer ran but cannot be scored here (a training run's held-out metric
               is measured by the instructor's scorer): no points, shown with ⏳.
    cause:     the root cause, when this case fails (or passed only by carried-forward credit)
               because an earlier function of the student's that this one calls is wrong: a
               sentence naming that function, shown before the message.
    carried:   the points were earned by error carried forward: the case failed with the
               student's own earlier function and passed with a correct one in its place.
    """

    name: str
    passed: bool
    score: float
    max_score: float
    message: str
    hidden: bool
    hint: str | None = None
    grade_id: str = ""
    unscored: bool = False
    cause: str | None = None
    carried: bool = False

    def to_dict(self) -> dict:
        """Plain JSON-able dict (the field names above)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CaseResult":
        return cls(**{k: d[k] for k in ("name", "passed", "score", "max_score", "message", "hidden")},
                   hint=d.get("hint"), grade_id=d.get("grade_id", ""), unscored=bool(d.get("unscored", False)),
                   cause=d.get("cause"), carried=bool(d.get("carried", False)))

    def feedback(self) -> str:
        """The message with the hint appended, as shown below a failed case."""
        parts = [p for p in (self.message, self.hint) if p]
        return "\n".join(parts)

    def line(self) -> str:
        """One line: ``✅ rnn_step_forward [N=2, D=3, H=4]: 1/1``."""
        if self.unscored:
            return f"⏳ {self.grade_id} [{self.name}]: scored when your instructor grades ({fmt_points(self.max_score)})"
        mark = "✅" if self.passed else "❌"
        return f"{mark} {self.grade_id} [{self.name}]: {fmt_points(self.score)}/{fmt_points(self.max_score)}"


def fmt_points(x: float) -> str:
    """2.0 -> '2', 1.5 -> '1.5'."""
    return f"{x:g}"


def total(results: Iterable[CaseResult]) -> float:
    """Points earned."""
    return float(sum(r.score for r in results))


def max_total(results: Iterable[CaseResult]) -> float:
    """Points possible."""
    return float(sum(r.max_score for r in results))


def by_exercise(results: Iterable[CaseResult]) -> dict[str, tuple[float, float]]:
    """grade_id -> (points earned, points possible), in first-seen order."""
    out: dict[str, tuple[float, float]] = {}
    for r in results:
        s, m = out.get(r.grade_id, (0.0, 0.0))
        out[r.grade_id] = (s + r.score, m + r.max_score)
    return out


def format_results(results: Iterable[CaseResult], *, indent: str = "    ") -> str:
    """Plain text: one line per case, the feedback indented below each failed case."""
    lines = []
    for r in results:
        lines.append(r.line())
        if not r.passed and r.feedback():
            lines.extend(indent + ln for ln in r.feedback().splitlines())
    return "\n".join(lines)


def scored(results: Iterable[CaseResult]) -> list[CaseResult]:
    """The results that were scored here (not waiting for the instructor's scorer)."""
    return [r for r in results if not r.unscored]
