"""``autograder sync [ASSIGNMENT ...] [--check]``: make what is derived from a spec agree with it.

The spec (``autograder/specs/<id>.py``) is the single source of an exercise's cases and
points. From it, ``sync`` writes:

- each test cell of the source notebook ``assignments/<id>/<id>.ipynb`` (the code cell
  whose nbgrader ``grade_id`` is the exercise's): its source (a docstring saying what it
  checks, the public check, the hidden check inside nbgrader's hidden-tests markers, the
  score line) and its nbgrader ``points``;
- the points in the notebook's section headings, ``## 2. One step of the RNN (5 points)``:
  the sum over the test cells up to the next heading of the same or a higher level;
- the total in the first markdown cell, ``**Total: 29 points**``;
- the public data ``autograder/data/<id>.json`` (``autograder.build_data``), when the
  committed file no longer agrees with a fresh build beyond last-bit noise.

With ``--check`` nothing is written: every difference is listed and the exit code is 1.
Prose, solution cells and the order of cells are the author's; ``sync`` never touches
them, except that a new exercise's test cell is inserted right after its solution cell
(the cell with id ``<grade-id>-solution``). A test cell without an exercise is an error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import build_data, casedata
from autograder import spec as spec_mod

REPO = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^(#{1,6})\s")
HEADING_POINTS = re.compile(r"\((\d+(?:\.\d+)?) points?\)")
TOTAL = re.compile(r"Total:(\s*\**\s*)(\d+(?:\.\d+)?)(\s*\**\s*)points")


@dataclass
class Change:
    """One place that does not agree with the spec: where, what it says, what it should say."""

    where: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.where}: {self.old!r} -> {self.new!r}"


def _pts(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def docstring(exercise: spec_mod.Exercise) -> str:
    """``Checks rnn_forward: 2 public cases here, 3 hidden cases at grading (1 point each).``"""
    public = [float(c.points) for c in exercise.public]
    hidden = [float(c.points) for c in exercise.cases(hidden=True)]

    def points(cases):
        if len(set(cases)) == 1:
            return _pts(cases[0]) + (" each" if len(cases) > 1 else "")
        return _pts(sum(cases))

    if not hidden:
        return f"Checks {exercise.target}: {_count(len(public), 'public case')} ({points(public)})."
    if public and len(set(public + hidden)) == 1:
        return (f"Checks {exercise.target}: {_count(len(public), 'public case')} here, "
                f"{_count(len(hidden), 'hidden case')} at grading ({_pts(public[0])} each).")
    here = f"{_count(len(public), 'public case')} here ({points(public)}), " if public else ""
    return f"Checks {exercise.target}: {here}{_count(len(hidden), 'hidden case')} at grading ({points(hidden)})."


def test_cell_source(exercise: spec_mod.Exercise) -> str:
    """The test cell of an exercise, as nbgrader and the self-check run it."""
    gid = exercise.grade_id
    lines = [f'"""{docstring(exercise)}"""', f'grader.check("{gid}", globals())']
    if exercise.hidden is not None and exercise.hidden.n:
        lines += ["### BEGIN HIDDEN TESTS", f'grader.check("{gid}", globals(), hidden=True)', "### END HIDDEN TESTS"]
    lines.append(f'grader.score("{gid}")')
    return "\n".join(lines)


def notebook_path(assignment_id: str, root: Path = REPO) -> Path:
    return Path(root) / "assignments" / assignment_id / f"{assignment_id}.ipynb"


def _grade_cells(nb) -> dict[str, object]:
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            out[meta.get("grade_id")] = cell
    return out


def sync_notebook(nb, assignment: spec_mod.Assignment, name: str) -> list[Change]:
    """Bring ``nb``'s test cells, heading points and total in line with ``assignment``, in
    place; return what changed. Raises ValueError when cells and exercises do not match."""
    exercises = {ex.grade_id: ex for ex in assignment.exercises}
    extra = sorted(set(_grade_cells(nb)) - set(exercises))
    if extra:
        raise ValueError(f"{name}: test cell(s) {', '.join(extra)} have no exercise in the spec; "
                         f"expected grade ids: {', '.join(exercises)}")
    changes = [_add_test_cell(nb, ex, name) for ex in assignment.exercises if ex.grade_id not in _grade_cells(nb)]
    cells = _grade_cells(nb)
    for gid, ex in exercises.items():
        cell = cells[gid]
        want = test_cell_source(ex)
        if cell.source != want:
            changes.append(Change(f"{name} test cell {gid}", cell.source, want))
            cell.source = want
        meta = cell.metadata["nbgrader"]
        if float(meta.get("points", -1)) != ex.max_points:
            changes.append(Change(f"{name} test cell {gid} points", str(meta.get("points")), f"{ex.max_points:g}"))
            meta["points"] = ex.max_points
    changes += _sync_headings(nb, name)
    changes += _sync_total(nb, assignment, name)
    return changes


def _cell_id(grade_id: str, role: str) -> str:
    return f"{grade_id.replace('_', '-')}-{role}"


def _add_test_cell(nb, exercise, name: str) -> Change:
    """A new exercise's test cell, right after its solution cell ``<grade-id>-solution``."""
    want = _cell_id(exercise.grade_id, "solution")
    at = next((i for i, c in enumerate(nb.cells) if c.get("id") == want), None)
    if at is None:
        raise ValueError(f"{name}: exercise {exercise.grade_id!r} has no test cell, and there is no solution "
                         f"cell with id {want!r} to put one after; add that cell (nbgrader solution) first")
    cell = nbformat.v4.new_code_cell(test_cell_source(exercise))
    cell.id = _cell_id(exercise.grade_id, "test")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": exercise.grade_id, "locked": True,
                                 "points": exercise.max_points, "schema_version": 3, "solution": False,
                                 "task": False}
    nb.cells.insert(at + 1, cell)
    return Change(f"{name} test cell {exercise.grade_id}", "(none)", f"new cell {cell.id} after {want}")


def _sync_headings(nb, name: str) -> list[Change]:
    points = [float(c.metadata.get("nbgrader", {}).get("points", 0)) if c.cell_type == "code"
              and c.metadata.get("nbgrader", {}).get("grade") else 0.0 for c in nb.cells]
    headings = []          # (cell index, line index, level)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False                     # a '#' line inside ``` ... ``` is a code comment
        for j, line in enumerate(cell.source.split("\n")):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            m = None if fenced else HEADING.match(line)
            if m:
                headings.append((i, j, len(m.group(1))))
    changes = []
    for k, (i, j, level) in enumerate(headings):
        end = next((i2 for i2, _, l2 in headings[k + 1:] if l2 <= level), len(nb.cells))
        lines = nb.cells[i].source.split("\n")
        if not HEADING_POINTS.search(lines[j]):
            continue
        total = sum(points[i:end])
        new = HEADING_POINTS.sub(f"({_pts(total)})", lines[j], count=1)
        if new != lines[j]:
            changes.append(Change(f"{name} heading", lines[j], new))
            lines[j] = new
            nb.cells[i].source = "\n".join(lines)
    return changes


def _sync_total(nb, assignment, name: str) -> list[Change]:
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None or not TOTAL.search(first.source):
        raise ValueError(f"{name}: the first markdown cell does not state 'Total: N points'")
    new = TOTAL.sub(lambda m: f"Total:{m.group(1)}{assignment.max_points:g}{m.group(3)}points", first.source, count=1)
    if new == first.source:
        return []
    old_line = TOTAL.search(first.source).group(0)
    first.source = new
    return [Change(f"{name} total", old_line, TOTAL.search(new).group(0))]


def _data_changes(assignment_id: str) -> tuple[list[Change], dict | None]:
    fresh = build_data.build(spec_mod.load(assignment_id, stored_inputs=False))
    path = casedata.data_path(assignment_id)
    committed = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    diffs = ["missing"] if committed is None else build_data.differences(committed, fresh)
    where = f"autograder/data/{assignment_id}.json"
    return [Change(where, d, "rebuilt from the spec and solutions") for d in diffs], (fresh if diffs else None)


def sync(assignment_id: str, *, check: bool, root: Path = REPO) -> list[Change]:
    """Every change ``sync`` makes (or, with ``check``, would make) for one assignment."""
    assignment = spec_mod.load(assignment_id, stored_inputs=False)
    path = notebook_path(assignment_id, root)
    raw = path.read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    changes = sync_notebook(nb, assignment, str(path.relative_to(root)))
    data_changes, fresh = _data_changes(assignment_id)
    changes += data_changes
    if not check:
        if fresh is not None:
            casedata.data_path(assignment_id).write_text(build_data.dumps(fresh), encoding="utf-8")
        if any(c.where.startswith(str(path.relative_to(root))) for c in changes):
            nbformat.validate(nb)
            path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="autograder sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="assignment ids (default: every spec with a source notebook)")
    parser.add_argument("--check", action="store_true", help="write nothing; list what is out of date, exit 1 if any")
    args = parser.parse_args(argv)
    return run(args.ids, check=args.check)


def assignment_ids(root: Path = REPO) -> list[str]:
    return [a for a in build_data.spec_ids() if notebook_path(a, root).exists()]


def run(ids, *, check: bool) -> int:
    ids = list(ids) or assignment_ids()
    known = build_data.spec_ids()
    unknown = [i for i in ids if i not in known]
    if unknown:
        print(f"autograder sync: no spec for {', '.join(unknown)}; expected one of: {', '.join(known)}", file=sys.stderr)
        return 2
    stale = 0
    for aid in ids:
        changes = sync(aid, check=check)
        stale += len(changes)
        for c in changes:
            print(("out of date: " if check else "updated: ") + str(c))
    if check and stale:
        print(f"{stale} place(s) disagree with the specs: run `autograder sync`", file=sys.stderr)
        return 1
    print(f"{len(ids)} assignment(s) {'in sync' if not stale else 'synced'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
