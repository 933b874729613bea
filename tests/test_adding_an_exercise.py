"""docs/adding_an_exercise.md, followed in a temporary copy of the course.

Step by step as the page says: a reference function, one spec entry, a heading and a
solution cell in the notebook, then ``autograder sync``. The copy is then graded as an
instructor would: the source notebook to full marks (the new exercise's 3 points
included), nbgrader's release to 0. ``autograder sync --check`` passes on the repository
itself, and fails, naming the place, after a points edit without sync.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
PARTS = ("autograder", "solutions", "samples", "assignments", "nbgrader_config.py", "pyproject.toml")

REFERENCE = '''

def double_state(h):
    """2 h, elementwise."""
    return 2.0 * h


VARIANTS["solutions.assignments.a1_rnn:double_state"] = {
    "state_not_doubled": lambda h: h,                      # a known wrong version
}
'''

SPEC_ENTRY = '''
import dataclasses as _dataclasses

ASSIGNMENT = _dataclasses.replace(ASSIGNMENT, exercises=ASSIGNMENT.exercises + (
    Exercise(
        grade_id="double_state",
        target="double_state",
        kind="function",
        reference="solutions.assignments.a1_rnn:double_state",
        outputs=("out",),
        public=(Case("h of shape (2, 3)", dict(h=np.arange(6.0).reshape(2, 3))),),
        hidden=HiddenCases(n=2, seed=1999, make_inputs=lambda r: dict(h=r.standard_normal((3, 4)))),
        variants=("state_not_doubled",),
        hints={"state_not_doubled": "HINT: your output is h itself: multiply it by 2."},
        description="doubling the state",
    ),
))
'''

SOLUTION = "def double_state(h):\n    ### BEGIN SOLUTION\n    return 2.0 * h\n    ### END SOLUTION"


def _copy(tmp: Path) -> Path:
    root = tmp / "course"
    root.mkdir()
    for part in PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy(src, root / part)
    return root


def _run(root: Path, *args, timeout=900):
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([sys.executable, "-m", *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _add_the_exercise(root: Path) -> None:
    with open(root / "solutions" / "assignments" / "a1_rnn.py", "a", encoding="utf-8") as f:        # step 1
        f.write(REFERENCE)
    with open(root / "autograder" / "specs" / "a1_rnn.py", "a", encoding="utf-8") as f:   # step 2
        f.write(SPEC_ENTRY)
    path = root / "assignments" / "a1_rnn" / "a1_rnn.ipynb"                               # step 3
    nb = nbformat.read(path, as_version=4)
    md = nbformat.v4.new_markdown_cell("## 8. Doubling the state (0 points)\n\nWrite `double_state(h)`: 2 h.")
    md.id = "double-state-md"
    code = nbformat.v4.new_code_cell(SOLUTION)
    code.id = "double-state-solution"
    code.metadata["nbgrader"] = {"grade": False, "grade_id": "double-state-solution", "locked": False,
                                 "schema_version": 3, "solution": True, "task": False}
    nb.cells += [md, code]
    nbformat.write(nb, path)


def _score(root: Path, notebook: Path, out: str) -> tuple[float, float]:
    proc = _run(root, "autograder", "grade", str(notebook), "--assignment", "a1_rnn", "--out", str(root / out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rec = json.loads((root / out / "results.jsonl").read_text().splitlines()[0])
    return rec["score"], rec["max_score"]


def test_the_repository_is_in_sync_with_its_specs():
    proc = subprocess.run([sys.executable, "-m", "autograder", "sync", "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


@pytest.mark.slow
def test_the_walkthrough_adds_an_exercise_that_grades_right(tmp_path):
    root = _copy(tmp_path)
    _add_the_exercise(root)
    check = _run(root, "autograder", "sync", "--check", "a1_rnn")
    assert check.returncode == 1 and "double_state" in check.stdout, check.stdout + check.stderr
    proc = _run(root, "autograder", "sync", "a1_rnn")                                      # step 4
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _run(root, "autograder", "sync", "--check", "a1_rnn").returncode == 0

    nb = nbformat.read(root / "assignments" / "a1_rnn" / "a1_rnn.ipynb", as_version=4)
    ids = [c.id for c in nb.cells]
    test = nb.cells[ids.index("double-state-solution") + 1]
    assert test.id == "double-state-test" and test.metadata["nbgrader"]["points"] == 3.0
    assert 'grader.check("double_state", globals(), hidden=True)' in test.source
    assert "## 8. Doubling the state (3 points)" in nb.cells[ids.index("double-state-md")].source
    assert "**Total: 32 points**" in nb.cells[0].source                     # 29 + 1 public + 2 hidden
    data = json.loads((root / "autograder" / "data" / "a1_rnn.json").read_text())
    assert data["exercises"]["double_state"]["h of shape (2, 3)"]["expected"]["out"]["data"] == \
        [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]                                     # 2 h by hand

    gen = _run(root, "nbgrader", "generate_assignment", "a1_rnn", "--force")
    assert gen.returncode == 0, gen.stdout[-2000:] + gen.stderr[-3000:]
    source = root / "assignments" / "a1_rnn" / "a1_rnn.ipynb"
    assert _score(root, source, "graded_source") == (32.0, 32.0)
    assert _score(root, root / "release" / "a1_rnn" / "a1_rnn.ipynb", "graded_release") == (0.0, 32.0)

    # the known mistake, made in the solution cell, loses the 3 points and gets its HINT
    wrong = nbformat.read(source, as_version=4)
    cell = next(c for c in wrong.cells if c.id == "double-state-solution")
    cell.source = cell.source.replace("return 2.0 * h", "return h")
    nbformat.write(wrong, tmp_path / "wrong.ipynb")
    assert _score(root, tmp_path / "wrong.ipynb", "graded_wrong") == (29.0, 32.0)
    rec = json.loads((root / "graded_wrong" / "results.jsonl").read_text().splitlines()[0])
    hints = {t["hint"] for t in rec["tests"] if t["grade_id"] == "double_state"}
    assert hints == {"HINT: your output is h itself: multiply it by 2."}, hints


@pytest.mark.slow
def test_a_points_edit_without_sync_is_named_by_the_check(tmp_path):
    root = _copy(tmp_path)
    spec = root / "autograder" / "specs" / "a1_rnn.py"
    text = spec.read_text()
    assert 'Case("h_1, h_2, h_3 of the worked example", points=2.0)' in text
    spec.write_text(text.replace('Case("h_1, h_2, h_3 of the worked example", points=2.0)',
                                 'Case("h_1, h_2, h_3 of the worked example", points=3.0)'))
    check = _run(root, "autograder", "sync", "--check", "a1_rnn")
    assert check.returncode == 1
    assert "test cell worked_example points" in check.stdout and "Total" in check.stdout, check.stdout
    assert _run(root, "autograder", "sync", "a1_rnn").returncode == 0
    nb = nbformat.read(root / "assignments" / "a1_rnn" / "a1_rnn.ipynb", as_version=4)
    assert "**Total: 30 points**" in nb.cells[0].source
    assert "## 4. The worked example (3 points)" in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_a_samples_partial_credit_follows_the_spec_points():
    """a2's clip_by_value mistake still passes the case where nothing is clipped (max_norm =
    100) and hidden 1 (max_norm twice the norm): 1 + 1 point today, 2 + 3 after a points edit."""
    import dataclasses

    from autograder.spec import load
    from samples import load_mistakes

    spec = load("a2_bptt")
    mistake = next(m for m in load_mistakes("a2_bptt") if m.name == "clip_by_value")
    assert mistake.expected_scores(spec)["clip_by_global_norm"] == 2.0
    ex = spec.exercise("clip_by_global_norm")
    edited = dataclasses.replace(ex, public=tuple(dataclasses.replace(c, points=2.0) for c in ex.public),
                                 hidden=dataclasses.replace(ex.hidden, points=3.0))
    spec = dataclasses.replace(spec, exercises=tuple(edited if e is ex else e for e in spec.exercises))
    assert mistake.expected_scores(spec)["clip_by_global_norm"] == 5.0
