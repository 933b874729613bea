"""Seeded-mistake submissions: a source notebook with one known mistake written in.

Each assignment has a module ``samples/<assignment_id>.py`` with a list ``MISTAKES``.
A mistake replaces one exact piece of text in one solution cell of the source notebook
(``assignments/<id>/<id>.ipynb``), e.g. ``1 - z`` by ``z``. The result is what a student
who made that mistake would hand in. The demo grades these, and the tests check that
each one loses exactly the points it should and gets the HINT the autograder promises.

    from samples import load_mistakes, make_submission, source_notebook
    nb = make_submission(source_notebook("a1_rnn"), load_mistakes("a1_rnn")[0])
"""
from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import nbformat

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mistake:
    """One wrong edit of a solution cell.

    name:    short identifier, used as the student id of the submission
             (letters, digits and underscores).
    cell_id: id of the solution cell to edit, e.g. ``"rnn-step-forward-solution"``.
    old:     text that occurs exactly once in that cell's source.
    new:     what replaces it.
    expect:  grade id -> a fragment of the feedback the autograder promises for it (found
             with ``shows``, line breaks aside): its
             HINT line, or, where no known wrong version matches, another part of the
             message (for a ``gradient`` exercise the note saying whether the backward
             agrees with the student's own forward).
    scores:  grade id -> expected score, for every grade id that does not get full
             marks. Grade ids in ``expect`` but not here are expected to score 0.
    passing: grade id -> the names of its cases that still pass (partial credit); the
             score is what those cases are worth in the spec, so it follows the points.
    carried: grade ids whose own code is right but which call the function the mistake is
             in (``Exercise.uses``): at grading they keep their points by error carried
             forward, and their feedback names that function. Without the reference (the
             student's self-check) they score 0.
    """

    name: str
    cell_id: str
    old: str
    new: str
    expect: Mapping[str, str] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    passing: Mapping[str, tuple] = field(default_factory=dict)
    carried: tuple[str, ...] = ()

    def expected_scores(self, assignment) -> dict[str, float]:
        """Expected score at grading of every grade id of ``assignment`` (its spec gives the
        points)."""
        exercises = {ex.grade_id: ex for ex in assignment.exercises}
        unknown = (set(self.expect) | set(self.scores) | set(self.passing) | set(self.carried)) - set(exercises)
        if unknown:
            raise KeyError(f"mistake {self.name!r} names grade ids {sorted(unknown)} not in the spec; "
                           f"expected some of {sorted(exercises)}")
        out = {gid: float(ex.max_points) for gid, ex in exercises.items()}
        for gid in self.expect:
            if gid not in self.carried:
                out[gid] = 0.0
        out.update({gid: float(s) for gid, s in self.scores.items()})
        for gid, names in self.passing.items():
            cases = {c.name: c for hidden in (False, True) for c in exercises[gid].cases(hidden=hidden)}
            missing = sorted(set(names) - set(cases))
            if missing:
                raise KeyError(f"mistake {self.name!r}: {gid} has no case(s) {missing}; its cases: {sorted(cases)}")
            out[gid] = float(sum(cases[n].points for n in names))
        return out


def shows(feedback: str, fragment: str) -> bool:
    """Whether ``feedback`` says ``fragment`` as a student reads it: feedback wraps long
    lines, so a line break and its indent count as one space."""
    return " ".join(fragment.split()) in " ".join(feedback.split())


def source_notebook(assignment_id: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook ``assignments/<id>/<id>.ipynb`` (with solutions)."""
    path = REPO / "assignments" / assignment_id / f"{assignment_id}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"no source notebook for {assignment_id!r}: expected {path}")
    return nbformat.read(path, as_version=4)


def load_mistakes(assignment_id: str) -> list[Mistake]:
    """``MISTAKES`` of ``samples/<assignment_id>.py``."""
    return list(importlib.import_module(f"samples.{assignment_id}").MISTAKES)


def make_submission(source_nb: nbformat.NotebookNode, mistake: Mistake) -> nbformat.NotebookNode:
    """A copy of ``source_nb`` with ``mistake`` applied (the input is not modified).

    Raises ValueError when the cell does not exist or ``mistake.old`` does not occur
    in it exactly once (a mistake that silently does nothing would test nothing).
    """
    nb = copy.deepcopy(source_nb)
    cells = [cell for cell in nb.cells if cell.get("id") == mistake.cell_id]
    if len(cells) != 1:
        ids = ", ".join(str(cell.get("id")) for cell in nb.cells)
        raise ValueError(f"mistake {mistake.name!r}: expected one cell with id {mistake.cell_id!r}, "
                         f"got {len(cells)}; the notebook's cell ids are: {ids}")
    cell = cells[0]
    count = cell.source.count(mistake.old)
    if count != 1:
        raise ValueError(f"mistake {mistake.name!r}: expected the text {mistake.old!r} exactly once in "
                         f"cell {mistake.cell_id!r}, got {count} occurrences")
    cell.source = cell.source.replace(mistake.old, mistake.new)
    return nb
