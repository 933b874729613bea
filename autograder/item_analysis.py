"""What the class as a whole got wrong: ``autograder report OUT_DIR``.

``autograder grade ... --out OUT_DIR`` leaves one record per student in
``OUT_DIR/results.jsonl`` (read with ``batch.current_records``). This module counts over
those records and writes two files into ``OUT_DIR``:

``report.html``  for the instructor, self-contained (no external CSS, scripts, fonts or
                 images; the figures are base64 PNGs drawn with matplotlib's Agg backend):
                 the class's numbers at a glance, the score histogram, a bar chart of each
                 exercise's pass rate, a table of the exercises, then per exercise its
                 most frequent HINTs, its root causes and its cases' pass rates.
``report.csv``   the same facts as one tidy table, one fact per row (below).

What is counted (N = number of students, every record of the folder):

* A record whose status is not ``graded`` (timeout, error, malformed) is listed by name
  and still counted with the score it has (a malformed notebook: 0 on every case), so
  the class's numbers are the gradebook's.
* An exercise's **pass rate** is the fraction of students with full points on it: every
  case of it scored here passed (points earned by error carried forward count; the
  ``carried`` rows say how many got them that way). Its **mean points** are the mean over
  students of the points earned on it, out of ``max_points``.
* A case's pass rate is the fraction of students who passed that case.
* A **HINT** (a known wrong version the student's answer matched) counts once per student
  per exercise, however many of the exercise's cases showed it: the count is how many
  students made that mistake. Only cases that did not earn their points count: a case
  passed by error carried forward repeats the HINT of the earlier, wrong function, and
  that HINT is counted there.
* A **root cause** (``cause``: an earlier function of the student's is wrong) counts once
  per student per exercise too, by its first clause (``"The mismatch comes from your
  lstm_gates"``); the rest of the sentence repeats that function's HINT.
* Cases graded later by the instructor's scorer (``unscored``) have no pass rate.
* The histogram bins are ``[low, high)`` of a "nice" width (1, 2, 2.5 or 5 times a power
  of ten, at least 1 point, at most ``MAX_BINS`` bins); the last bin is closed and holds
  full marks. When the records' maximum scores differ, scores are in percent of each
  record's maximum.

``report.csv`` columns: ``section, exercise, case, item, low, high, count, rate,
mean_points, max_points, note``; a column a section does not use is empty. Rates are
fractions in [0, 1], rounded to 4 decimals.

============  ===========================================================================
section       one row per ...
============  ===========================================================================
summary       fact about the class: ``item`` = ``students`` (count), ``mean_score`` and
              ``median_score`` (mean_points of max_points), ``full_marks`` (count, rate)
status        record status (``item``): how many students have it (count, rate)
not_graded    student (``item``) whose status is not ``graded``: the status in ``case``,
              the score in mean_points / max_points, the first line of its message in note
histogram     bin: ``low``, ``high``, ``count`` (students), rate; ``item`` is its label
exercise      exercise: count = students with full points, rate = pass rate, mean_points,
              max_points; note = the exercise's description from the spec when known
carried       exercise: count = students whose full points came (partly) by error
              carried forward
case          case of an exercise (``case``; ``item`` = ``public`` or ``hidden``): count =
              students who passed it, rate, mean_points, max_points; unscored cases have
              an empty count and note ``scored later``
hint          HINT (``item``, the full line as the grader wrote it) of an exercise: count =
              students who made that mistake, rate (of all students); every HINT, most
              frequent first (the HTML shows the ``--top`` ones)
no_hint       exercise: count = students who missed points on it and got no HINT there
cause         root cause (``item``, its first clause) of an exercise: count = students
============  ===========================================================================
"""
from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import math
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.batch import current_records, student_of
from autograder.report import STATUSES

EXIT_OK, EXIT_FAILED = 0, 2
DEFAULT_TOP = 5
MAX_BINS = 20
CSV_COLUMNS = ("section", "exercise", "case", "item", "low", "high", "count", "rate", "mean_points",
               "max_points", "note")
HINT_PREFIX = "HINT: "

# rate -> colour, the verdict colours of autograder.results (white text reads on each)
GOOD, FAIR, POOR = "#1e7b34", "#8a5a00", "#c0262d"


class NoResults(ValueError):
    """The folder holds no graded records to count."""


# -- counting ------------------------------------------------------------------------------

@dataclass
class CaseStats:
    """One case of one exercise over the class."""

    name: str
    hidden: bool
    max_points: float
    students: int = 0          # students whose record has this case
    passed: int = 0
    points: float = 0.0        # summed over students
    unscored: bool = False

    @property
    def rate(self) -> float | None:
        return None if self.unscored or not self.students else self.passed / self.students

    @property
    def mean_points(self) -> float | None:
        return None if self.unscored or not self.students else self.points / self.students


@dataclass
class ExerciseStats:
    """One exercise over the class; see the module docstring for what each count means."""

    grade_id: str
    description: str = ""
    max_points: float = 0.0
    students: int = 0
    full: int = 0
    carried: int = 0
    points: float = 0.0
    missed_without_hint: int = 0
    hints: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    cases: dict = field(default_factory=dict)          # case name -> CaseStats, in first-seen order

    @property
    def rate(self) -> float | None:
        return self.full / self.students if self.students and self.max_points else None

    @property
    def mean_points(self) -> float | None:
        return self.points / self.students if self.students else None


@dataclass
class Student:
    name: str
    status: str
    score: float
    max_score: float
    message: str


@dataclass
class Analysis:
    """Everything the report shows, counted from one result folder's records."""

    folder: str
    title: str
    students: list                  # Student, in the records' order
    exercises: list                 # ExerciseStats, in the spec's (else the records') order
    bins: list                      # (low, high, count)
    score_unit: str                 # "points" or "percent"
    max_score: float                # of the histogram's axis

    @property
    def n(self) -> int:
        return len(self.students)

    @property
    def statuses(self) -> Counter:
        return Counter(s.status for s in self.students)

    @property
    def not_graded(self) -> list:
        return [s for s in self.students if s.status != "graded"]

    @property
    def mean_score(self) -> float:
        return statistics.fmean(s.score for s in self.students)

    @property
    def median_score(self) -> float:
        return statistics.median(s.score for s in self.students)

    @property
    def full_marks(self) -> int:
        return sum(1 for s in self.students if s.max_score > 0 and s.score >= s.max_score)

    @property
    def common_max(self) -> float | None:
        """The maximum score when every record has the same one."""
        maxes = {s.max_score for s in self.students}
        return maxes.pop() if len(maxes) == 1 else None


def cause_summary(cause: str) -> str:
    """The first clause of a root-cause sentence: ``"The mismatch comes from your
    lstm_gates, which fails its own checks: ..."`` -> ``"The mismatch comes from your
    lstm_gates"``. The rest names the fix and repeats the earlier function's HINT."""
    first = cause.split(": ", 1)[0].split(", which ", 1)[0].strip().rstrip(".")
    return first if len(first) <= 200 else first[:199] + "…"


def nice_width(span: float, max_bins: int = MAX_BINS) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten (at least 1 when ``span`` is at
    least 1) that cuts ``span`` into at most ``max_bins`` bins."""
    if span <= 0:
        return 1.0
    target = span / max_bins
    power = 10.0 ** math.floor(math.log10(target))
    for step in (1, 2, 2.5, 5, 10):
        width = step * power
        if width >= target * (1 - 1e-12):
            break
    return max(width, 1.0) if span >= 1 else width


def histogram(values: list[float], top: float, max_bins: int = MAX_BINS) -> list[tuple[float, float, int]]:
    """(low, high, count) of ``values`` in [0, top]: bins [low, high), the last closed."""
    width = nice_width(top, max_bins)
    n_bins = max(1, math.ceil(top / width - 1e-9))
    edges = [min(i * width, top) for i in range(n_bins)] + [top]
    counts = [0] * n_bins
    for v in values:
        i = int(math.floor(v / width + 1e-9)) if width else 0
        counts[min(max(i, 0), n_bins - 1)] += 1
    return [(edges[i], edges[i + 1], counts[i]) for i in range(n_bins)]


def _spec(assignment_id: str):
    """The assignment's spec, for exercise order, descriptions and title; None when it
    cannot be loaded here (the counts come from the records alone)."""
    try:
        from autograder.spec import load

        return load(assignment_id, stored_inputs=False)
    except Exception:  # noqa: BLE001  (the report does without: titles are a bonus)
        return None


def analyse(records: list[dict], folder: str = "") -> Analysis:
    """Count over ``records`` (one per student); see the module docstring."""
    if not records:
        raise NoResults(f"no records to count in {folder or 'the records given'}")
    assignments = list(dict.fromkeys(str(r.get("assignment", "")) for r in records))
    spec = _spec(assignments[0]) if len(assignments) == 1 else None
    exercises: dict[str, ExerciseStats] = {}
    if spec is not None:
        for ex in spec.exercises:
            exercises[ex.grade_id] = ExerciseStats(ex.grade_id, description=ex.description)
    students = []
    for rec in records:
        students.append(Student(student_of(rec), str(rec.get("status", "")), float(rec.get("score", 0.0)),
                                float(rec.get("max_score", 0.0)), str(rec.get("message") or "")))
        per: dict[str, list[dict]] = {}
        for t in rec.get("tests", []):
            per.setdefault(t.get("grade_id", ""), []).append(t)
        for gid, tests in per.items():
            ex = exercises.setdefault(gid, ExerciseStats(gid))
            _count_exercise(ex, tests)
    for ex in exercises.values():
        ex.max_points = float(sum(c.max_points for c in ex.cases.values() if not c.unscored))
    exercises = {g: e for g, e in exercises.items() if e.students}      # in the spec, never graded here
    common = {s.max_score for s in students}
    if len(common) == 1:
        top, unit, values = common.pop(), "points", [s.score for s in students]
    else:
        top, unit = 100.0, "percent"
        values = [100.0 * s.score / s.max_score if s.max_score else 0.0 for s in students]
    title = spec.title if spec is not None else ", ".join(a for a in assignments if a) or "results"
    return Analysis(folder=folder, title=title, students=students, exercises=list(exercises.values()),
                    bins=histogram(values, top), score_unit=unit, max_score=top)


def _count_exercise(ex: ExerciseStats, tests: list[dict]) -> None:
    """Add one student's cases of one exercise to ``ex``."""
    ex.students += 1
    scored = [t for t in tests if not t.get("unscored")]
    for t in tests:
        name = str(t.get("name", ""))
        case = ex.cases.get(name)
        if case is None:
            case = ex.cases[name] = CaseStats(name, bool(t.get("hidden")), float(t.get("max_score", 0.0)),
                                              unscored=bool(t.get("unscored")))
        case.students += 1
        case.passed += bool(t.get("passed")) and not t.get("unscored")
        case.points += float(t.get("score", 0.0))
    ex.points += sum(float(t.get("score", 0.0)) for t in scored)
    if scored and all(t.get("passed") for t in scored):
        ex.full += 1
        ex.carried += any(t.get("carried") for t in scored)
    missed = [t for t in scored if not t.get("passed")]
    hints = {t["hint"] for t in missed if t.get("hint")}
    ex.hints.update(hints)
    if missed and not hints:
        ex.missed_without_hint += 1
    ex.causes.update({cause_summary(t["cause"]) for t in scored if t.get("cause")})


# -- reading a result folder -----------------------------------------------------------------

def load_records(out: str | Path) -> list[dict]:
    """The current records of ``OUT/results.jsonl``; NoResults naming the folder when it has
    none (checked before ``current_records``, which would create the folder)."""
    out = Path(out)
    path = out / "results.jsonl"
    if not out.is_dir():
        raise NoResults(f"{out} is not a folder of grading results: expected the --out folder of "
                        f"`autograder grade`, holding results.jsonl")
    if not path.is_file():
        raise NoResults(f"no results.jsonl in {out}: expected the --out folder of `autograder grade` "
                        f"(grade the submissions first)")
    records = current_records(out)
    if not records:
        raise NoResults(f"{path} holds no graded submissions (expected one JSON record per line); "
                        f"grade the submissions into {out} first")
    return records


# -- the CSV ------------------------------------------------------------------------------------

def _num(x: float | None) -> str:
    return "" if x is None else f"{round(float(x), 4):g}"


def csv_rows(a: Analysis) -> list[dict]:
    """The rows of ``report.csv`` (see the module docstring), as dicts of strings."""
    rows: list[dict] = []

    def row(section, **kw):
        rows.append({c: "" for c in CSV_COLUMNS} | {"section": section} | {k: str(v) for k, v in kw.items()})

    n = a.n
    common = a.common_max
    row("summary", item="students", count=n)
    row("summary", item="mean_score", mean_points=_num(a.mean_score), max_points=_num(common))
    row("summary", item="median_score", mean_points=_num(a.median_score), max_points=_num(common))
    row("summary", item="full_marks", count=a.full_marks, rate=_num(a.full_marks / n))
    for status, count in sorted(a.statuses.items(), key=lambda kv: _status_order(kv[0])):
        row("status", item=status, count=count, rate=_num(count / n))
    for s in a.not_graded:
        row("not_graded", item=s.name, case=s.status, mean_points=_num(s.score), max_points=_num(s.max_score),
            note=_first_line(s.message))
    for low, high, count in a.bins:
        row("histogram", item=_bin_label(low, high, high == a.bins[-1][1]), low=_num(low), high=_num(high),
            count=count, rate=_num(count / n), note=a.score_unit)
    for ex in a.exercises:
        row("exercise", exercise=ex.grade_id, count=ex.full, rate=_num(ex.rate), mean_points=_num(ex.mean_points),
            max_points=_num(ex.max_points), note=ex.description)
    for ex in a.exercises:
        row("carried", exercise=ex.grade_id, count=ex.carried, rate=_num(ex.carried / n))
    for ex in a.exercises:
        for c in ex.cases.values():
            row("case", exercise=ex.grade_id, case=c.name, item="hidden" if c.hidden else "public",
                count="" if c.unscored else c.passed, rate=_num(c.rate), mean_points=_num(c.mean_points),
                max_points=_num(c.max_points), note="scored later" if c.unscored else "")
    for ex in a.exercises:
        for hint, count in _ranked(ex.hints):
            row("hint", exercise=ex.grade_id, item=hint, count=count, rate=_num(count / n))
    for ex in a.exercises:
        row("no_hint", exercise=ex.grade_id, count=ex.missed_without_hint, rate=_num(ex.missed_without_hint / n))
    for ex in a.exercises:
        for cause, count in _ranked(ex.causes):
            row("cause", exercise=ex.grade_id, item=cause, count=count, rate=_num(count / n))
    return rows


def write_csv(a: Analysis, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        w.writerows(csv_rows(a))
    os.replace(tmp, path)


def _ranked(counter: Counter) -> list[tuple[str, int]]:
    """Most frequent first; ties in alphabetical order, so the report is the same every run."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _status_order(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


def _first_line(text: str, width: int = 200) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= width else line[:width - 1] + "…"


def _fmt(x: float) -> str:
    return f"{x:g}" if x == round(x, 2) else f"{x:.2f}"


def _bin_label(low: float, high: float, last: bool) -> str:
    return f"[{_fmt(low)}, {_fmt(high)}]" if last else f"[{_fmt(low)}, {_fmt(high)})"


# -- figures ----------------------------------------------------------------------------------

def _colour(rate: float | None) -> str:
    if rate is None:
        return "#777777"
    return GOOD if rate >= 0.8 else FAIR if rate >= 0.5 else POOR


def _png(fig) -> str:
    """The figure as a data: URI (base64 PNG), closed afterwards."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def histogram_figure(a: Analysis) -> str:
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6.2, 3.4))
    lows = [b[0] for b in a.bins]
    widths = [b[1] - b[0] for b in a.bins]
    counts = [b[2] for b in a.bins]
    ax.bar(lows, counts, width=widths, align="edge", color="#3b6ea8", edgecolor="white", linewidth=1)
    for low, width, count in zip(lows, widths, counts):
        if count:
            ax.annotate(str(count), (low + width / 2, count), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=9)
    mean = (statistics.fmean(100.0 * s.score / s.max_score if s.max_score else 0.0 for s in a.students)
            if a.score_unit == "percent" else a.mean_score)
    ax.axvline(mean, color="#c0262d", linestyle="--", linewidth=1.2, label=f"mean {_fmt(mean)}")
    ax.set_xlim(0, a.max_score or 1)
    ax.set_ylim(0, max(counts + [1]) * 1.18)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    unit = f"points out of {_fmt(a.max_score)}" if a.score_unit == "points" else "percent of the maximum"
    ax.set_xlabel(f"score ({unit})")
    ax.set_ylabel("students")
    ax.set_title(f"Scores of {a.n} student{'s' if a.n != 1 else ''}", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def pass_rate_figure(a: Analysis) -> str:
    plt = _pyplot()

    exs = a.exercises
    fig, ax = plt.subplots(figsize=(6.2, max(2.2, 0.34 * len(exs) + 1.0)))
    ys = list(range(len(exs)))
    rates = [100.0 * (e.rate or 0.0) for e in exs]
    ax.barh(ys, rates, color=[_colour(e.rate) for e in exs], height=0.7)
    for y, e, r in zip(ys, exs, rates):
        ax.annotate(f"{e.full}/{e.students}", (r, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8.5)
    ax.set_yticks(ys, [e.grade_id for e in exs], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("students with full points (%)")
    ax.set_title("Pass rate per exercise", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


# -- the HTML -----------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #1d1d1f; background: #f6f7f9; line-height: 1.45; }
main { max-width: 1240px; margin: 0 auto; padding: 1.2em 1.5em 3em; }
h1 { font-size: 1.6em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; border-bottom: 1px solid #d8dbe0; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 0 0 0.4em; }
.sub { color: #555; margin: 0 0 1em; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 0.8em 0; }
.card { background: #fff; border: 1px solid #d8dbe0; border-radius: 6px; padding: 0.5em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.45em; }
.card span { color: #555; font-size: 0.9em; }
.alert { background: #fff4e5; border: 1px solid #e5b567; border-radius: 6px; padding: 0.6em 1em; margin: 0.8em 0; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
.figures figure { flex: 1 1 520px; margin: 0; background: #fff; border: 1px solid #d8dbe0; border-radius: 6px;
                  padding: 0.5em; }
.figures img { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85em; padding: 0.2em 0.5em 0; }
table { border-collapse: collapse; width: 100%; background: #fff; table-layout: auto; }
th, td { border: 1px solid #d8dbe0; padding: 0.3em 0.55em; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
td.name { width: 24%; }
td.word { white-space: nowrap; }
th { background: #eef0f3; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.rate { display: inline-block; min-width: 3.2em; text-align: center; color: #fff; border-radius: 3px;
        padding: 0 0.3em; font-weight: 600; }
.exercise { background: #fff; border: 1px solid #d8dbe0; border-radius: 6px; padding: 0.7em 1em; margin: 0.8em 0; }
.exercise p { margin: 0.3em 0; }
.exercise ul { margin: 0.2em 0 0.5em; padding-left: 1.3em; }
.cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2em; align-items: start; }
.cols table { font-size: 0.92em; }
.exercise li { margin: 0.15em 0; }
.count { font-weight: 600; white-space: nowrap; }
.muted { color: #666; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.95em; }
"""


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.0f}%"


def _rate_badge(rate: float | None) -> str:
    return f'<span class="rate" style="background: {_colour(rate)}">{_pct(rate)}</span>'


def _students(k: int) -> str:
    return f"{k} student{'s' if k != 1 else ''}"


def render_html(a: Analysis, top: int = DEFAULT_TOP, generated: str | None = None) -> str:
    esc = html.escape
    n = a.n
    generated = generated or time.strftime("%Y-%m-%d %H:%M")
    common = a.common_max
    out_of = f" / {_fmt(common)}" if common is not None else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Item analysis: {esc(a.title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>Item analysis: {esc(a.title)}</h1>",
        f'<p class="sub">{_students(n)}, from <code>{esc(a.folder)}</code>; written {esc(generated)}. '
        "Pass rate: the share of students with full points (points by error carried forward included).</p>",
        '<div class="cards">',
        f'<div class="card"><b>{n}</b><span>students</span></div>',
        f'<div class="card"><b>{_fmt(a.mean_score)}{out_of}</b><span>mean score</span></div>',
        f'<div class="card"><b>{_fmt(a.median_score)}{out_of}</b><span>median score</span></div>',
        f'<div class="card"><b>{a.full_marks}</b><span>full marks</span></div>',
        f'<div class="card"><b>{len(a.not_graded)}</b><span>not graded normally</span></div>',
        "</div>",
    ]
    if a.not_graded:
        by_status = Counter(s.status for s in a.not_graded)
        what = ", ".join(f"{k} {s}" for s, k in sorted(by_status.items(), key=lambda kv: _status_order(kv[0])))
        parts.append(f'<div class="alert"><b>{_students(len(a.not_graded))} not graded normally</b> ({esc(what)}). '
                     "They are counted below with the scores they have; check them before publishing grades.")
        parts.append('<table><thead><tr><th>student</th><th>status</th><th class="num">score</th>'
                     "<th>message</th></tr></thead><tbody>")
        for s in a.not_graded:
            parts.append(f'<tr><td>{esc(s.name)}</td><td class="word">{esc(s.status)}</td>'
                         f'<td class="num">{_fmt(s.score)} / {_fmt(s.max_score)}</td>'
                         f"<td>{esc(_first_line(s.message))}</td></tr>")
        parts.append("</tbody></table></div>")
    parts += [
        '<div class="figures">',
        f'<figure><img src="{histogram_figure(a)}" alt="Histogram of the {n} students\' scores"></figure>',
        f'<figure><img src="{pass_rate_figure(a)}" alt="Pass rate of each exercise">'
        '<figcaption class="muted">Bars and badges: green 80% or more, amber 50% to 80%, red below 50%.'
        "</figcaption></figure>",
        "</div>",
        "<h2>Exercises</h2>",
        '<table><thead><tr><th>exercise</th><th class="num">full points</th><th class="num">pass rate</th>'
        '<th class="num">mean points</th><th>most frequent HINT</th></tr></thead><tbody>',
    ]
    for ex in a.exercises:
        ranked = _ranked(ex.hints)
        causes = _ranked(ex.causes)
        if ranked:
            first = f'<span class="count">{ranked[0][1]}×</span> {esc(_hint_text(ranked[0][0]))}'
        elif causes:      # no mistake of its own: say where the mistakes that reach it are
            first = (f'<span class="muted">no HINT; root cause</span> <span class="count">{causes[0][1]}×</span> '
                     f"{esc(causes[0][0])}")
        else:
            first = '<span class="muted">none</span>'
        carried = f' <span class="muted">({ex.carried} carried)</span>' if ex.carried else ""
        desc = f'<br><span class="muted">{esc(ex.description)}</span>' if ex.description else ""
        parts.append(f'<tr><td class="name"><a href="#ex-{esc(ex.grade_id)}"><code>{esc(ex.grade_id)}</code></a>{desc}</td>'
                     f'<td class="num">{ex.full} / {ex.students}{carried}</td>'
                     f'<td class="num">{_rate_badge(ex.rate)}</td>'
                     f'<td class="num">{_fmt(ex.mean_points or 0.0)} / {_fmt(ex.max_points)}</td>'
                     f"<td>{first}</td></tr>")
    parts.append("</tbody></table>")
    parts.append("<h2>What the class got wrong, exercise by exercise</h2>")
    for ex in a.exercises:
        parts.append(_exercise_html(ex, top))
    parts.append('<p class="muted">The same counts, machine-readable: <code>report.csv</code> in this folder.</p>')
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _hint_text(hint: str) -> str:
    return hint[len(HINT_PREFIX):] if hint.startswith(HINT_PREFIX) else hint


def _counted_list(ranked, text=lambda item: item) -> str:
    """A list of (item, how many students) as HTML, each item shown through ``text``."""
    rows = "".join(f'<li><span class="count">{_students(count)}</span>: {html.escape(text(item))}</li>'
                   for item, count in ranked)
    return f"<ul>{rows}</ul>"


def _exercise_html(ex: ExerciseStats, top: int) -> str:
    """One exercise: its HINTs and root causes on the left, its cases' pass rates on the right."""
    esc = html.escape
    missed = ex.students - ex.full
    left = []
    ranked = _ranked(ex.hints)
    if ranked:
        left.append("<p><b>Known mistakes (HINTs)</b>, students who made each:</p>")
        left.append(_counted_list(ranked[:top], _hint_text))
        if len(ranked) > top:
            more = len(ranked) - top
            left.append(f'<p class="muted">{more} more HINT{"s" if more != 1 else ""} in report.csv.</p>')
    if ex.missed_without_hint:
        left.append(f"<p>{_students(ex.missed_without_hint)} missed points with no known mistake matched "
                    "(unanswered, crashed, or a mistake without a HINT).</p>")
    elif not missed:
        left.append('<p class="muted">Everyone got full points.</p>')
    causes = _ranked(ex.causes)
    if causes:
        left.append("<p><b>Root causes</b> (an earlier function of the student's is wrong):</p>")
        left.append(_counted_list(causes[:top]))
    if ex.carried:
        left.append(f'<p class="muted">{_students(ex.carried)} got full points here by error carried forward.</p>')
    right = ['<table><thead><tr><th>case</th><th>kind</th><th class="num">passed</th>'
             '<th class="num">pass rate</th><th class="num">points</th></tr></thead><tbody>']
    for c in ex.cases.values():
        passed = "scored later" if c.unscored else f"{c.passed} / {c.students}"
        right.append(f"<tr><td>{esc(c.name)}</td><td>{'hidden' if c.hidden else 'public'}</td>"
                     f'<td class="num">{passed}</td><td class="num">{_rate_badge(c.rate)}</td>'
                     f'<td class="num">{_fmt(c.max_points)}</td></tr>')
    right.append("</tbody></table>")
    return "\n".join([
        f'<section class="exercise" id="ex-{esc(ex.grade_id)}">',
        f"<h3><code>{esc(ex.grade_id)}</code> {_rate_badge(ex.rate)} "
        f'<span class="muted">{ex.full} of {ex.students} with full points, mean {_fmt(ex.mean_points or 0.0)} '
        f"of {_fmt(ex.max_points)} points</span></h3>",
        '<div class="cols"><div>', *left, "</div><div>", *right, "</div></div></section>"])


def write_html(a: Analysis, path: Path, top: int = DEFAULT_TOP) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_html(a, top), encoding="utf-8")
    os.replace(tmp, path)


# -- the command ----------------------------------------------------------------------------------

def run(out: str | Path, top: int = DEFAULT_TOP) -> Analysis:
    """Write ``report.html`` and ``report.csv`` into ``out`` from its results; return the counts."""
    out = Path(out)
    a = analyse(load_records(out), folder=str(out))
    write_csv(a, out / "report.csv")
    write_html(a, out / "report.html", top)
    return a


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of HINTs, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def register(sub) -> None:
    """Add ``report`` to the subparsers of ``autograder``."""
    p = sub.add_parser("report", help="item analysis of a graded class: report.html and report.csv in OUT_DIR "
                                      "(score histogram, pass rates, most frequent HINTs)",
                       description="Count over OUT_DIR/results.jsonl (the --out folder of `autograder grade`) "
                                   "what the class as a whole got right and wrong; write report.html "
                                   "(self-contained) and report.csv into OUT_DIR.")
    p.add_argument("out_dir", metavar="OUT_DIR", help="the --out folder of `autograder grade`, holding results.jsonl")
    p.add_argument("--top", type=_positive, default=DEFAULT_TOP, metavar="N",
                   help=f"HINTs and root causes shown per exercise in report.html (default {DEFAULT_TOP}; "
                        "report.csv has them all)")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    try:
        a = run(args.out_dir, top=args.top)
    except NoResults as exc:
        print(f"autograder report: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"autograder report: cannot write the report into {args.out_dir}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    out = Path(args.out_dir)
    not_graded = f"; {len(a.not_graded)} not graded normally" if a.not_graded else ""
    print(f"{_students(a.n)}, {len(a.exercises)} exercises{not_graded}: wrote {out / 'report.html'} and "
          f"{out / 'report.csv'}")
    return EXIT_OK
