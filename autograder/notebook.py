"""The in-notebook side of grading: the ``Grader`` used by test cells, and the self-check.

In an assignment notebook::

    from autograder.notebook import Grader
    grader = Grader("a1_rnn")                            # read-only setup cell

    # a test cell (nbgrader grade_id == exercise grade_id, points == exercise.max_points)
    grader.check("my_exercise", globals())               # PASS/FAIL, points, HINT, a mismatch
    ### BEGIN HIDDEN TESTS
    grader.check("my_exercise", globals(), hidden=True)
    ### END HIDDEN TESTS
    grader.score("my_exercise")                          # the cell's value: points so far

nbgrader reads a test cell's ``execute_result`` text as its partial-credit score, so
only ``score()`` returns a number (a ``Score``: its text is the bare number, its HTML a
sentence); ``check()`` returns a ``CheckReport`` whose repr is a sentence. ``check()``
displays its feedback as HTML (JupyterLab, nbgrader's feedback HTML) with a plain-text
fallback (a terminal, ``print``); see ``autograder.results.ExerciseFeedback``.
"""
from __future__ import annotations

import html
from typing import Any, Mapping

from autograder import spec as _spec
from autograder.checks import NOT_DEFINED, ReferenceUnavailable, grade_exercise
from autograder.dependencies import failing_hints
from autograder.kinds import kind_of
from autograder.results import (CaseResult, ExerciseFeedback, fmt_points, max_total, points_phrase, scored, total,
                                verdict)

__all__ = ["Grader", "CheckReport", "Score", "self_check"]


class CheckReport(list):
    """The CaseResults of one ``check()`` call. Its repr is a one-line summary, never a
    bare number (nbgrader would read a number as the cell's score)."""

    def __init__(self, grade_id: str, results, *, hidden: bool = False, note: str = "", later: bool = False):
        super().__init__(results)
        self.grade_id = grade_id
        self.hidden = hidden
        self.note = note
        self.later = later          # nothing was checked: the note says when it will be

    @property
    def score(self) -> float:
        return total(self)

    @property
    def max_score(self) -> float:
        return max_total(self)

    def feedback(self) -> ExerciseFeedback:
        which = "hidden" if self.hidden else "public"
        feedback = ExerciseFeedback.of(self, f"{self.grade_id} ({which} cases)", note=self.note)
        if self.later:
            feedback.verdict = "LATER"
        return feedback

    def text(self) -> str:
        """The feedback as plain text (no line wider than 100 characters)."""
        return self.feedback().text()

    def html(self) -> str:
        """The feedback as HTML: the verdict in colour, the full arrays folded away."""
        return self.feedback().html()

    def show(self) -> None:
        """Display the feedback: HTML with a plain-text fallback in IPython, else print it."""
        shell = _ipython()
        if shell is None:
            print(self.text())
        else:
            from IPython.display import display

            display({"text/plain": self.text(), "text/html": self.html()}, raw=True)

    def __repr__(self) -> str:
        which = "hidden" if self.hidden else "public"
        if self.note and not len(self):
            return f"<{self.grade_id}, {which} cases: {self.note}>"
        failed = sum(1 for r in self if not r.passed and not r.unscored)
        return (f"<{self.grade_id}, {which} cases: {fmt_points(self.score)} of {fmt_points(self.max_score)} "
                f"points, {failed} of {len(self)} failed>")

    __str__ = text


def _ipython():
    """The running IPython shell (a notebook kernel or a terminal), or None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class Score(float):
    """Points earned on one exercise so far: a float, so that a test cell's value is its score.

    Its text (``repr``) is the bare number nbgrader reads as the cell's partial credit; its
    HTML, which JupyterLab and nbgrader's feedback page show instead, is a sentence:
    "2 / 4 points here; 3 more points in hidden cases at grading".
    """

    def __new__(cls, points: float, sentence: str = ""):
        score = super().__new__(cls, points)
        score.sentence = sentence or points_phrase(points)
        return score

    def __repr__(self) -> str:
        return float.__repr__(self)

    def _repr_html_(self) -> str:
        return f'<div class="autograder-score" style="font-weight: bold">Score: {html.escape(self.sentence)}</div>'


def _missing_names(exercise: _spec.Exercise, namespace: Mapping[str, Any]) -> list[str]:
    return [n for n in kind_of(exercise).answer_names(exercise) if n not in namespace]


class Grader:
    """The in-kernel grader: checks a notebook's answers, in the notebook's own kernel,
    against one assignment spec and keeps the points. (``autograder.grade.IsolatedGrader``
    runs whole notebooks in separate processes instead.)

    assignment: an assignment id (``"a1_rnn"``, loaded from ``autograder/specs``) or an
    ``Assignment``. Results are kept per (grade id, public/hidden); re-running a check
    replaces that grade id's earlier result.
    """

    def __init__(self, assignment: str | _spec.Assignment):
        self.assignment = _spec.load(assignment) if isinstance(assignment, str) else assignment
        self._results: dict[tuple[str, bool], list[CaseResult]] = {}

    def check(self, grade_id: str, namespace: Mapping[str, Any], *, hidden: bool = False,
              quiet: bool = False) -> CheckReport:
        """Grade the public (or hidden) cases of ``grade_id`` against ``namespace``
        (usually ``globals()``); show the feedback unless ``quiet``."""
        exercise = self.assignment.exercise(grade_id)
        missing = _missing_names(exercise, namespace)
        if missing:
            msg = NOT_DEFINED.format(name=missing[0])
            results = [CaseResult(name=c.name, passed=False, score=0.0, max_score=float(c.points), message=msg,
                                  hidden=c.hidden, grade_id=grade_id) for c in exercise.cases(hidden=hidden)]
            report = CheckReport(grade_id, results, hidden=hidden, note=msg)
        else:
            try:
                results = grade_exercise(self.assignment, grade_id, namespace, hidden=hidden,
                                         failing=failing_hints(self.results()))
            except ReferenceUnavailable as exc:
                report = CheckReport(grade_id, [], hidden=hidden, note=str(exc), later=True)
                if not quiet:
                    report.show()
                return report
            report = CheckReport(grade_id, results, hidden=hidden)
        self._results[(grade_id, hidden)] = list(report)
        if not quiet:
            report.show()
        return report

    def results(self, grade_id: str | None = None) -> list[CaseResult]:
        """All results so far (of one grade id), public before hidden."""
        out = []
        for (gid, hidden), res in sorted(self._results.items(), key=lambda kv: kv[0][1]):
            if grade_id is None or gid == grade_id:
                out.extend(res)
        return out

    def score(self, grade_id: str) -> Score:
        """Points earned so far on ``grade_id`` (public and hidden checks run so far): a
        number, shown as a sentence that says what they are out of and what is still to come."""
        exercise = self.assignment.exercise(grade_id)   # a clear error for an unknown grade id
        results = self.results(grade_id)
        earned = total(results)
        checked = scored(results)
        sentence = f"{fmt_points(earned)} / {points_phrase(max_total(checked))}"
        ran_hidden = (grade_id, True) in self._results
        if exercise.hidden_points and not ran_hidden:
            more = exercise.hidden_points
            sentence += f" here; {fmt_points(more)} more point{'' if more == 1 else 's'} in hidden cases at grading"
        elif exercise.hidden_points:
            sentence += " (public and hidden cases)"
        carried = total(r for r in checked if r.carried and r.passed)
        if carried:
            sentence += f"; {points_phrase(carried)} by error carried forward"
        later = max_total(r for r in results if r.unscored)
        if later:
            sentence += f"; {points_phrase(later)} scored when your instructor grades"
        return Score(earned, sentence)

    def report(self) -> str:
        """Print (and return) a summary of every check so far, and the total over public points."""
        lines = []
        for ex in self.assignment.exercises:
            for hidden in (False, True):
                res = self._results.get((ex.grade_id, hidden))
                if not res:                             # not run, or no cases of that kind
                    continue
                failed = sum(1 for r in res if not r.passed and not r.unscored)
                which = "hidden" if hidden else "public"
                lines.append(f"{verdict(res):5}  {ex.grade_id} ({which}): {fmt_points(total(res))} / "
                             f"{fmt_points(max_total(res))} points"
                             + (f", {failed} case{'s' if failed != 1 else ''} failed" if failed else ""))
        unchecked = [ex.grade_id for ex in self.assignment.exercises if (ex.grade_id, False) not in self._results]
        if unchecked:
            lines.append(f"not checked yet: {', '.join(unchecked)}")
        public = [r for (gid, hidden), res in self._results.items() if not hidden for r in res]
        possible = sum(ex.public_points for ex in self.assignment.exercises)
        lines.append(f"Total over public points: {fmt_points(total(public))} / {fmt_points(possible)}")
        text = "\n".join(lines)
        print(text)
        return text

    def __repr__(self) -> str:
        return f"<Grader for {self.assignment.id!r}: {len(self._results)} check(s) run>"


def self_check(assignment_id: str | _spec.Assignment, namespace: Mapping[str, Any]) -> list[CaseResult]:
    """Run all public cases of every exercise (no ``solutions`` needed). Nothing is printed.

    An exercise whose public cases cannot be scored here (a metric whose scorer is the
    instructor's) gets results with 0 points and a message saying so.
    """
    assignment = _spec.load(assignment_id) if isinstance(assignment_id, str) else assignment_id
    out: list[CaseResult] = []
    for ex in assignment.exercises:
        try:
            out.extend(grade_exercise(assignment, ex.grade_id, namespace, failing=failing_hints(out)))
        except ReferenceUnavailable as exc:
            out.extend(CaseResult(name=c.name, passed=False, score=0.0, max_score=float(c.points),
                                  message=f"not checked here: {exc}", hidden=False, grade_id=ex.grade_id,
                                  unscored=True)
                       for c in ex.public)
    return out
