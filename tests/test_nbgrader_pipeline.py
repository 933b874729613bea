"""nbgrader's commands, as the README runs them, warn about what a student did and nothing else.

One course (``a1_rnn``), three students, each autograded by its own ``nbgrader autograde``
so that what nbgrader prints can be told apart per student:

- ``untouched`` submits the release as it was handed out;
- ``answered`` fills in one solution cell (``rnn_step_forward``, whose test cell has hidden
  tests) with the reference solution;
- ``tampered`` edits two locked test cells: one with hidden tests (``activation_derivatives``)
  and one without (``activations_at_2``), deleting the call that checks the answer.

nbgrader's OverwriteCells (see its source, ``report_change``) logs
``Attribute 'checksum' for cell <grade_id> has changed!`` at WARNING, nbgrader's default
level, when a locked cell of the submission is not the one saved by generate_assignment,
and puts the saved cell back. traitlets logs ``Config option `<name>` not recognized by
`<class>`.`` for a config value a configurable does not declare. Neither may appear for the
untouched and the answered student; the tampered cells must still be reported and restored.
"""
from __future__ import annotations

import re

import pytest

from autograder import spec as spec_module
from nbgrader_harness import (HIDDEN_MARKERS, NbgraderCourse, _copy, cell_by_grade_id, grade_cells, html_text,
                              nbgrader_meta)

pytestmark = pytest.mark.slow

ASSIGNMENT = "a1_rnn"
ANSWERED_SOLUTION, ANSWERED_TEST = "rnn-step-forward-solution", "rnn_step_forward"
TAMPERED = ("activation_derivatives", "activations_at_2")   # with hidden tests, without
CHANGED = re.compile(r"Attribute '(\w+)' for cell (\S+) has changed!")


def answer_one(release, source, cell_id: str):
    """The release with the solution cell ``cell_id`` replaced by the source's."""
    nb = _copy(release)
    solution = next(c for c in source.cells if c.get("id") == cell_id)
    index = next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)
    nb.cells[index] = _copy(solution)
    return nb


def remove_the_check(release, grade_id: str):
    """The release with the public ``grader.check`` call of a test cell commented out."""
    nb = _copy(release)
    cell = cell_by_grade_id(nb, grade_id)
    call = f'grader.check("{grade_id}", globals())'
    assert call in cell.source, f"{grade_id}: the released test cell has no {call}"
    cell.source = cell.source.replace(call, f"pass  # {call}")
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = NbgraderCourse.create(tmp_path_factory.mktemp("pipeline"), ASSIGNMENT)
    course.generate_assignment()
    release, source = course.release_notebook(), course.source_notebook()
    tampered = release
    for grade_id in TAMPERED:
        tampered = remove_the_check(tampered, grade_id)
    submissions = {"untouched": release,
                   "answered": answer_one(release, source, ANSWERED_SOLUTION),
                   "tampered": tampered}
    course.outputs = {}
    for student, nb in submissions.items():
        course.submit(student, nb)
        proc = course.autograde(student)
        course.outputs[student] = proc.stdout + proc.stderr
    course.generate_feedback()
    return course


def test_the_chosen_cells_are_what_the_scenario_needs(course):
    """Guards the scenario, not nbgrader: the first tampered cell and the answered one carry
    hidden tests in the source, the second tampered one does not; the release has none."""
    source, release = course.source_notebook(), course.release_notebook()
    hidden = {gid for gid in grade_cells(source) if "BEGIN HIDDEN TESTS" in cell_by_grade_id(source, gid).source}
    assert TAMPERED[0] in hidden and ANSWERED_TEST in hidden and TAMPERED[1] not in hidden
    assert not any("BEGIN HIDDEN TESTS" in c.source for c in release.cells)
    assert nbgrader_meta(next(c for c in source.cells if c.get("id") == ANSWERED_SOLUTION))["solution"]


@pytest.mark.parametrize("student", ["untouched", "answered"])
def test_an_untouched_test_cell_raises_no_checksum_warning(course, student):
    output = course.outputs[student]
    assert "Sanitizing" in output, "nbgrader's log at its default level is not in the output"
    assert not CHANGED.findall(output), output


def test_a_tampered_test_cell_is_still_reported_with_and_without_hidden_tests(course):
    assert sorted(CHANGED.findall(course.outputs["tampered"])) == sorted(("checksum", gid) for gid in TAMPERED)


@pytest.mark.parametrize("student", ["untouched", "answered", "tampered"])
def test_every_autograded_test_cell_is_the_source_cell_with_its_hidden_tests(course, student):
    """What autograde ran is the instructor's cell, hidden tests included, whatever was submitted."""
    source, graded = course.source_notebook(), course.autograded_notebook(student)
    differ = [gid for gid in grade_cells(source)
              if cell_by_grade_id(graded, gid).source != cell_by_grade_id(source, gid).source]
    assert not differ


def test_the_answered_exercise_gets_full_marks_from_public_and_hidden_cases(course):
    """Full marks need the hidden cases too (the spec's points count both): they were run."""
    exercises = {e.grade_id: e for e in spec_module.load(ASSIGNMENT).exercises}
    assert exercises[ANSWERED_TEST].hidden is not None
    scores = course.scores("answered")
    assert scores[ANSWERED_TEST] == pytest.approx(exercises[ANSWERED_TEST].max_points)
    assert scores[TAMPERED[0]] == 0.0 and course.scores("tampered")[TAMPERED[0]] == 0.0


def test_no_command_warns_about_an_unrecognized_config_option(course):
    joined = "\n".join(course.log)
    assert "generate_feedback" in joined and "Converting notebook" in joined
    assert "not recognized by" not in joined, [ln for ln in joined.splitlines() if "not recognized" in ln]


def test_the_feedback_is_written_without_hidden_tests(course):
    for student in course.outputs:
        text = html_text(course.feedback_html(student))
        assert "Checks " in text
        assert not [marker for marker in HIDDEN_MARKERS if marker in text], student
