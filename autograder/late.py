"""Late work: due dates and the penalty rule of a course, in one file, ``autograder.toml``.

    # autograder.toml, in the folder you run `autograder` from (or --config PATH)
    [due]                                  # one date-time per assignment, with its time zone
    a1_rnn = 2026-10-02T23:59:00-05:00
    a2_bptt = 2026-10-16T23:59:00-05:00

    [late]
    per_day = 10         # percent of the assignment's points lost per day late (default 10)
    cap = 50             # at most this percent in all (default 100)
    grace_minutes = 15   # submissions this close after the due time are on time (default 0)

A submission's time is nbgrader's ``timestamp.txt`` (``autograder.submissions``). Each
started day after the due time (plus grace) counts: 1 minute late is 1 day, 24 h 1 min is
2. The penalty is ``min(days * per_day, cap)`` percent of the assignment's maximum points,
never more than the raw score, so the final score is never negative. A submission without
a time, or an assignment without a due date, has no penalty; the gradebook says which.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

CONFIG_FILE = "autograder.toml"


@dataclass(frozen=True)
class CourseConfig:
    due: dict = field(default_factory=dict)         # assignment id -> aware datetime
    per_day: float = 10.0
    cap: float = 100.0
    grace: timedelta = timedelta(0)
    path: str | None = None


@dataclass(frozen=True)
class Late:
    """A record's lateness: ``days`` None when it cannot be told (no due date or no time)."""

    days: int | None
    penalty: float
    final: float
    why: str = ""


def _number(table: dict, key: str, default: float, where: str, top: float | None = None) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (top is not None and value > top):
        limit = f"between 0 and {top:g}" if top is not None else "0 or more"
        raise ValueError(f"{where}: [late] {key} must be a number {limit}, got {value!r}")
    return float(value)


def load_config(path: str | Path | None = None) -> CourseConfig:
    """The course configuration at ``path``; without a path, ``./autograder.toml`` when it
    exists, else no due dates (no penalties). A file that does not say what is expected
    raises ValueError naming the file and the entry."""
    if path is None:
        if not Path(CONFIG_FILE).is_file():
            return CourseConfig()
        path = CONFIG_FILE
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"course configuration {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"due", "late"}
    if unknown:
        raise ValueError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected [due] and [late]")
    due = {}
    for aid, when in (data.get("due") or {}).items():
        if isinstance(when, datetime) and when.tzinfo is not None:
            due[aid] = when
        else:
            shown = when.isoformat() if isinstance(when, (date, datetime)) else repr(when)
            raise ValueError(f"{path}: [due] {aid} must be a date-time with its time zone, e.g. "
                             f"2026-10-02T23:59:00-05:00 or 2026-10-02T23:59:00Z; got {shown}")
    late = data.get("late") or {}
    unknown = set(late) - {"per_day", "cap", "grace_minutes"}
    if unknown:
        raise ValueError(f"{path}: unknown [late] key(s) {', '.join(sorted(unknown))}; "
                         "expected per_day, cap, grace_minutes")
    where = str(path)
    return CourseConfig(due=due, per_day=_number(late, "per_day", 10.0, where, 100.0),
                        cap=_number(late, "cap", 100.0, where, 100.0),
                        grace=timedelta(minutes=_number(late, "grace_minutes", 0.0, where)), path=str(path))


def assess(record: dict, config: CourseConfig) -> Late:
    """The lateness, penalty and final score of one grading record."""
    raw = float(record.get("score", 0.0))
    due = config.due.get(record.get("assignment"))
    if due is None:
        return Late(None, 0.0, raw, "no due date")
    if not record.get("submitted_at"):
        return Late(None, 0.0, raw, "no submission time")
    when = datetime.fromisoformat(record["submitted_at"])
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    over = when - (due + config.grace)
    if over <= timedelta(0):
        return Late(0, 0.0, raw)
    days = math.ceil(over / timedelta(days=1))
    percent = min(days * config.per_day, config.cap)
    penalty = min(raw, float(record.get("max_score", 0.0)) * percent / 100.0)
    return Late(days, penalty, raw - penalty, f"{days} day{'s' if days != 1 else ''} late: -{percent:g}%")


def final_score(record: dict, config: CourseConfig) -> float:
    """The score after the late penalty: what goes to the LMS."""
    return assess(record, config).final
