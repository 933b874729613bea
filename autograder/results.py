"""The record of one graded case, and sums over a list of them.

Every way of grading (the in-kernel ``notebook.Grader``, ``autograder grade``, the self-check)
produces a list of ``CaseResult``; Gradescope ``tests[]``, JUnit test cases and the CSV
gradebook are built from these, so a result holds plain data only.
"""
from __future__ import annotations

import html
import re
import textwrap
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
               is measured by the instructor's scorer): no points, shown as LATER
               (⏳ in ``line()``).
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
        """What a case's record shows below its verdict (Gradescope, JUnit): the root cause,
        then the HINT, then the message."""
        parts = [p for p in (self.cause and f"Root cause: {self.cause}", self.hint, self.message) if p]
        return "\n".join(parts)

    def line(self) -> str:
        """One line, the verdict as a word: ``PASS rnn_step_forward [N=2, D=3, H=4]: 1/1``."""
        if self.unscored:
            return f"LATER {self.grade_id} [{self.name}]: scored when your instructor grades ({fmt_points(self.max_score)})"
        mark = "PASS" if self.passed else "FAIL"
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


def scored(results: Iterable[CaseResult]) -> list[CaseResult]:
    """The results that were scored here (not waiting for the instructor's scorer)."""
    return [r for r in results if not r.unscored]


# -- feedback on one exercise, for a student to read in five seconds ---------------------
#
# One ``grader.check`` call shows, in this order: the verdict word and the points; the
# root cause (an earlier function of the student's that is wrong); the HINT; one
# representative mismatch (the first failed case's message, its worst elements and full
# arrays folded away); the other cases, one line each or "same mistake on n more cases".
# The same parts are written as plain text (no line wider than WIDTH) and as HTML (the
# verdict in colour, the details in a folded <details>).

WIDTH = 100

# verdict word -> colour of its badge in HTML (white text on it, in light and dark themes)
VERDICT_COLOURS = {"PASS": "#1e7b34", "FAIL": "#c0262d", "LATER": "#8a5a00"}

# message lines that belong in the folded details: numpy-style evidence after the summary
_DETAIL = re.compile(r"^(Worst elements|Max absolute difference|Max relative difference| \[[0-9, ]*\]: "
                     r"| ACTUAL: | DESIRED: )")
_CRITERION = re.compile(r"^Not equal to tolerance")


def verdict(results: Iterable[CaseResult]) -> str:
    """PASS (every scored case passed), FAIL (one did not) or LATER (nothing scorable here)."""
    results = list(results)
    scorable = scored(results)
    if not scorable:
        return "LATER"
    return "PASS" if all(r.passed for r in scorable) else "FAIL"


def split_message(message: str) -> tuple[list[str], list[str]]:
    """(summary lines, detail lines) of a case's message.

    The details are the numpy-style evidence (worst elements, largest differences, the
    ACTUAL and DESIRED arrays with their continuation lines); each group of them is
    headed by the criterion line it belongs to, so that "(g)" or "(o)" stays readable
    when folded. Everything else (criteria, mismatch counts, shapes, notes) is summary.
    """
    summary: list[str] = []
    details: list[str] = []
    criterion, headed, in_array = "", False, False
    for line in message.splitlines():
        if _CRITERION.match(line):
            criterion, headed = line, False
        # an array's continuation lines are indented under its first bracket
        in_array = in_array and line.startswith("  ") and not _DETAIL.match(line)
        if not (_DETAIL.match(line) or in_array):
            summary.append(line)
            continue
        if criterion and not headed:
            details.append(criterion)
            headed = True
        details.append(line)
        in_array = in_array or line.startswith((" ACTUAL: ", " DESIRED: "))
    return summary, details


def wrap(text: str, indent: str = "", width: int = WIDTH) -> list[str]:
    """Lines of ``text`` prefixed by ``indent``, each at most ``width`` wide.

    Long lines break at spaces; a continuation keeps the line's own leading spaces plus
    two more. Words longer than the width (none expected) are cut.
    """
    out: list[str] = []
    for line in text.splitlines() or [""]:
        lead = indent + " " * (len(line) - len(line.lstrip(" ")))
        if len(indent) + len(line) <= width:
            out.append(indent + line)
            continue
        out.extend(textwrap.wrap(line.strip(), width=width, initial_indent=lead, subsequent_indent=lead + "  ",
                                 break_on_hyphens=False))
    return out


def points_phrase(x: float) -> str:
    """2.0 -> '2 points', 1.0 -> '1 point'."""
    return f"{fmt_points(x)} point{'' if x == 1 else 's'}"


def _cases_phrase(results: list[CaseResult]) -> str:
    names = ", ".join(f"[{r.name}]" for r in results)
    return f"{len(results)} more case{'s' if len(results) != 1 else ''}: {names}"


def _mistake(r: CaseResult) -> tuple:
    """What makes two failed cases "the same mistake": the same cause or HINT."""
    return (r.cause, r.hint)


@dataclass
class ExerciseFeedback:
    """The parts of one exercise's feedback, in reading order (each may be empty).

    verdict:   PASS, FAIL or LATER.
    title:     what was checked, e.g. ``"lstm_gates (public cases)"``.
    points:    e.g. ``"0 / 2 points"``, with the points earned by error carried forward.
    cause:     the root cause of the first failed (or carried) case.
    hint:      its HINT line.
    note:      a sentence instead of the case-by-case feedback (a missing answer).
    case:      the case whose message is shown, e.g. ``"[N=2, D=3, H=4] (0 / 1 point)"``.
    summary:   the lines of its message a student reads first.
    details:   the rest of its message (worst elements, full arrays): folded away.
    others:    one line per group of the other cases.
    """

    verdict: str
    title: str
    points: str
    cause: str = ""
    hint: str = ""
    note: str = ""
    case: str = ""
    summary: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    others: tuple[str, ...] = ()

    @classmethod
    def of(cls, results: Iterable[CaseResult], title: str, *, note: str = "") -> "ExerciseFeedback":
        """The feedback on ``results``, the cases of one check of one exercise."""
        results = list(results)
        verdict_ = verdict(results)
        scorable = scored(results)
        later = [r for r in results if r.unscored]
        points = f"{fmt_points(total(scorable))} / {points_phrase(max_total(scorable))}" if scorable else ""
        carried = [r for r in scorable if r.carried and r.passed]
        if carried:
            points += f" ({points_phrase(total(carried))} by error carried forward)"
        if later:
            points += ("; " if points else "") + f"{points_phrase(max_total(later))} scored when your instructor grades"
        failed = [r for r in scorable if not r.passed]
        first = failed[0] if failed else (carried[0] if carried else None)
        if note or first is None:
            others = []
            if later and not note:
                others.append(f"LATER: {', '.join(f'[{r.name}]' for r in later)}"
                              f"{' - ' + later[0].message if later[0].message else ''}")
            cause = (first.cause or "") if first is not None else ""
            return cls(verdict_, title, points, cause=cause, note=note, others=tuple(others))
        summary, details = split_message(first.message) if not first.passed else ([], [])
        rest = [r for r in failed if r is not first]
        others: list[str] = []
        same = [r for r in rest if any(_mistake(first)) and _mistake(r) == _mistake(first)]
        same_message = [r for r in rest if r not in same and r.message == first.message]
        if same:
            others.append(f"Same mistake on {_cases_phrase(same)}.")
        if same_message:
            others.append(f"Same message on {_cases_phrase(same_message)}.")
        for r in rest:
            if r in same or r in same_message:
                continue
            why = r.cause or r.hint or (r.message.splitlines() or [""])[0]
            others.append(f"FAIL [{r.name}] ({fmt_points(r.score)} / {fmt_points(r.max_score)}): {why}")
        passed = [r for r in scorable if r.passed]
        if passed and failed:
            others.append(f"PASS: {', '.join(f'[{r.name}]' for r in passed)}.")
        if carried and len(carried) < len(scorable):
            others.append(f"By error carried forward: {', '.join(f'[{r.name}]' for r in carried)}.")
        if later:
            others.append(f"LATER: {', '.join(f'[{r.name}]' for r in later)}.")
        shown = f"[{first.name}] ({fmt_points(first.score)} / {points_phrase(first.max_score)})"
        # a cause sentence may already carry the HINT of the failing earlier function
        hint = first.hint if first.hint and first.hint not in (first.cause or "") else ""
        return cls(verdict_, title, points, cause=first.cause or "", hint=hint,
                   case=shown if summary or details else "", summary=tuple(summary), details=tuple(details),
                   others=tuple(others))

    def text(self, width: int = WIDTH) -> str:
        """Plain text, no line wider than ``width``; the details last, indented below the rest."""
        head = f"{self.verdict}  {self.title}" + (f": {self.points}" if self.points else "")
        lines = wrap(head, width=width)
        for part in (self.cause and f"Root cause: {self.cause}", self.hint, self.note):
            if part:
                lines += wrap(part, "  ", width)
        if self.case:
            lines += wrap(f"Mismatch on case {self.case}:", "  ", width)
            lines += [ln for s in self.summary for ln in wrap(s, "    ", width)]
        for other in self.others:
            lines += wrap(other, "  ", width)
        if self.details:
            # last, indented: what the HTML folds away
            lines += wrap(f"In full, case {self.case}:", "  ", width)
            lines += [ln for s in self.details for ln in wrap(s, "      ", width)]
        return "\n".join(lines)

    def html(self) -> str:
        """HTML: a coloured verdict badge, then the same parts, the details in a folded
        ``<details>``. Inline styles only (JupyterLab keeps them; nbconvert copies them);
        preformatted text wraps, so the output never scrolls sideways."""
        esc = html.escape
        colour = VERDICT_COLOURS.get(self.verdict, "#555555")
        pre = ("margin: 0.2em 0 0.2em 1.5em; padding: 0; white-space: pre-wrap; overflow-wrap: anywhere; "
               "background: none; border: none; font-size: 0.95em; line-height: 1.35")
        parts = [f'<div class="autograder-feedback autograder-{self.verdict.lower()}" style="border-left: 5px solid '
                 f'{colour}; padding: 0.2em 0 0.2em 0.6em; margin: 0.2em 0; max-width: 100%; line-height: 1.45">',
                 f'<div><span class="autograder-verdict" style="background: {colour}; color: #ffffff; '
                 f'font-weight: bold; padding: 0 0.45em; border-radius: 3px">{esc(self.verdict)}</span> '
                 f'<b>{esc(self.title)}</b>{": " + esc(self.points) if self.points else ""}</div>']
        if self.cause:
            parts.append(f'<div class="autograder-cause"><b>Root cause:</b> {esc(self.cause)}</div>')
        if self.hint:
            label, _, rest = self.hint.partition(": ") if self.hint.startswith("HINT: ") else ("", "", self.hint)
            parts.append(f'<div class="autograder-hint">{f"<b>{esc(label)}:</b> " if label else ""}{esc(rest)}</div>')
        if self.note:
            parts.append(f'<div class="autograder-note">{esc(self.note)}</div>')
        if self.case:
            parts.append(f'<div class="autograder-mismatch">Mismatch on case {esc(self.case)}:</div>')
            if self.summary:
                parts.append(f'<pre style="{pre}">{esc(chr(10).join(self.summary))}</pre>')
            if self.details:
                parts.append(f'<details style="margin-left: 1.5em"><summary style="cursor: pointer; display: list-item">worst elements '
                             f'and the full arrays</summary><pre style="{pre}">{esc(chr(10).join(self.details))}'
                             f'</pre></details>')
        for other in self.others:
            parts.append(f'<div class="autograder-other">{esc(other)}</div>')
        parts.append("</div>")
        return "\n".join(parts)


def cases_by_exercise(rec: dict) -> dict[str, list]:
    """The cases of a grading record as CaseResults, by exercise, in order."""
    by_exercise: dict[str, list] = {}
    for t in rec.get("tests", []):
        r = CaseResult.from_dict(t)
        by_exercise.setdefault(r.grade_id, []).append(r)
    return by_exercise


def public_totals(rec: dict) -> tuple[float, float, float]:
    """(points earned, points possible, points scored only at grading) of a self-check record."""
    results = [CaseResult.from_dict(t) for t in rec.get("tests", [])]
    checked = scored(results)
    return (sum(r.score for r in checked), sum(r.max_score for r in checked),
            sum(r.max_score for r in results if r.unscored))


def check_text(rec: dict, notebook: str) -> str:
    """What ``autograder check`` prints for the record ``rec`` of ``notebook``: each exercise's
    feedback, the notes, and the public total."""
    if rec["status"] == "malformed":
        return f"FAIL  {notebook} cannot be graded: {rec['message']}"
    lines = [ExerciseFeedback.of(cases, f"{gid} (public cases)").text() for gid, cases in cases_by_exercise(rec).items()]
    if rec.get("message"):
        lines += ["notes:", *wrap(rec["message"], "    ")]
    got, possible, waiting = public_totals(rec)
    later = f"; {fmt_points(waiting)} more points are scored then too (LATER)" if waiting else ""
    lines.append(f"public total: {fmt_points(got)}/{fmt_points(possible)} (hidden cases run at grading time{later})")
    return "\n".join(lines)
