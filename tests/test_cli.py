"""Does each ``autograder`` verb do its job: check, gradescope, audit, demo? (The GitHub workflows:
test_github.py.)

They run as subprocesses, the way students, CI and instructors call them, on the test
assignment ``t_grade`` (tests/grade_fixtures/t_grade.py, found through
AUTOGRADER_SPECS_PATH): sigmoid 2 public + 2 hidden points, rnn_step 2 public + 2 hidden.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_fixtures import faults  # noqa: E402

FIXTURES = faults.SPEC.parent
LIMITS = ["--timeout-cell", "5", "--timeout", "30", "--memory", "512"]

# Refuses `import solutions` (and samples): the student's environment has neither.
NO_SOLUTIONS = """
import sys
class _NoReference:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('solutions', 'samples'):
            raise ModuleNotFoundError('solutions is not installed here (student environment)')
sys.meta_path.insert(0, _NoReference())
from autograder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def env(**extra):
    e = dict(os.environ, AUTOGRADER_SPECS_PATH=str(FIXTURES))
    e.update(extra)
    return e


def autograder(*args, student=False, timeout=300, **kw):
    prefix = [sys.executable, "-c", NO_SOLUTIONS] if student else [sys.executable, "-m", "autograder"]
    return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=timeout,
                          env=kw.pop("env", env()), **kw)


@pytest.mark.slow
def test_check_prints_a_verdict_per_exercise_and_the_public_total_without_solutions(tmp_path):
    nb = tmp_path / "t_grade.ipynb"                  # the assignment id comes from the file name
    nbformat.write(faults.with_tests(faults.WRONG_RNN), nb)
    proc = autograder("check", str(nb), *LIMITS, student=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    verdicts = [ln for ln in lines if ln.startswith(("PASS", "FAIL"))]
    assert verdicts == ["PASS  sigmoid (public cases): 2 / 2 points", "FAIL  rnn_step (public cases): 0 / 2 points"]
    assert "Mismatch on case [N=2, D=3, H=4]" in proc.stdout
    assert "public total: 2/4" in proc.stdout
    assert "hidden 1" not in proc.stdout
    assert "solutions" not in proc.stderr


def test_check_of_a_file_that_is_not_a_notebook_says_so(tmp_path):
    bad = tmp_path / "t_grade.ipynb"
    bad.write_text("{oops")
    proc = autograder("check", str(bad), *LIMITS, student=True)
    assert proc.returncode == 0
    assert "cannot be graded" in proc.stdout and "invalid JSON" in proc.stdout


@pytest.mark.slow
def test_gradescope_zip_grades_a_submission_into_results_json(tmp_path):
    zpath = tmp_path / "t_grade.zip"
    proc = autograder("gradescope", "t_grade", "-o", str(zpath))
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zpath) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "package/pyproject.toml", "package/autograder/worker.py",
                "package/autograder/templates/gradescope_run_autograder"} <= names
        assert any(n.startswith("package/solutions/") for n in names)
        mode = z.getinfo("run_autograder").external_attr >> 16
        assert mode & stat.S_IXUSR
        z.extractall(root / "source")
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    (root / "submission").mkdir()
    nbformat.write(faults.with_tests(faults.WRONG_RNN), root / "submission" / "t_grade.ipynb")
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         timeout=300, env=env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable))
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 4.0                   # sigmoid right (4), rnn_step wrong (0)
    assert len(results["tests"]) == 6
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_published"}
    assert all(set(t) >= {"name", "score", "max_score", "status", "output"} for t in results["tests"])


def test_gradescope_run_without_a_notebook_writes_a_zero_with_the_reason(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.py").write_text("x = 1")
    proc = subprocess.run([sys.executable, "-m", "autograder.gradescope", "run", "--root", str(root),
                           "--assignment", "t_grade"], capture_output=True, text=True, env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0.0 and "t_grade.ipynb" in results["output"] and "answers.py" in results["output"]


def make_course(root: Path) -> None:
    """alice is honest and right; bob has a wrong sigmoid but patched numpy, which fooled nbgrader."""
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]  # alembic
    from nbgrader.api import Gradebook

    for student, code in (("alice", faults.GOOD), ("bob", faults.WRONG_SIGMOID + "\nnp.allclose = lambda *a, **k: True")):
        folder = root / "submitted" / student / "t_grade"
        folder.mkdir(parents=True)
        nbformat.write(faults.with_tests(code), folder / "t_grade.ipynb")
    gb = Gradebook(f"sqlite:///{root / 'gradebook.db'}")
    try:
        gb.add_assignment("t_grade")
        gb.update_or_create_notebook("t_grade", "t_grade")
        for gid in ("sigmoid", "rnn_step"):
            gb.add_grade_cell(gid, "t_grade", "t_grade", max_score=4, cell_type="code")
        for student in ("alice", "bob"):
            gb.add_student(student)
            gb.add_submission("t_grade", student)
            for gid in ("sigmoid", "rnn_step"):
                gb.find_grade(gid, "t_grade", "t_grade", student).auto_score = 4.0
        gb.db.commit()
    finally:
        gb.close()


@pytest.mark.slow
def test_audit_lists_only_the_submission_whose_nbgrader_score_differs(tmp_path):
    make_course(tmp_path / "course")
    proc = autograder("audit", str(tmp_path / "course"), "--assignment", "t_grade", "--json", *LIMITS)
    assert proc.returncode == 1, proc.stderr          # a score differs
    rep = json.loads(proc.stdout)
    assert rep["submissions"] == 2
    assert [(d["student"], d["ours"], d["nbgrader"]) for d in rep["differences"]] == [("bob", 4.0, 8.0)]
    assert rep["differences"][0]["exercises"] == {"sigmoid": {"ours": 0.0, "nbgrader": 4.0}}
    text = autograder("audit", str(tmp_path / "course"), "--assignment", "t_grade", *LIMITS)
    assert "bob/t_grade: ours 4 (graded), nbgrader 8" in text.stdout and text.returncode == 1

    # once nbgrader's gradebook holds the scores bob's answers earn, nothing differs: exit 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}") as gb:
        gb.find_grade("sigmoid", "t_grade", "t_grade", "bob").auto_score = 0.0
        gb.db.commit()
    agreed = autograder("audit", str(tmp_path / "course"), "--assignment", "t_grade", *LIMITS)
    assert agreed.returncode == 0 and "0 differ from nbgrader" in agreed.stdout, agreed.stdout + agreed.stderr


def test_an_unknown_assignment_is_a_grader_failure_with_exit_code_2(tmp_path):
    proc = autograder("grade", str(tmp_path), "--assignment", "no_such_assignment", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "no_such_assignment" in proc.stderr


def test_an_output_folder_that_cannot_be_written_is_a_grader_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = autograder("grade", str(tmp_path), "--assignment", "t_grade", "--out", str(blocker / "out"))
    assert proc.returncode == 2
    assert "cannot write the output folder" in proc.stderr


def test_bad_limits_are_refused_with_what_was_expected(tmp_path):
    proc = autograder("grade", str(tmp_path), "--assignment", "t_grade", "--jobs", "0", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--jobs must be at least 1, got 0" in proc.stderr
    proc = autograder("grade", str(tmp_path), "--assignment", "t_grade", "--timeout", "-1", "--out", str(tmp_path / "o"))
    assert proc.returncode != 0 and "--timeout must be positive" in proc.stderr


def test_check_finds_the_assignment_of_a_renamed_copy_from_its_setup_cell(tmp_path):
    """Students rename their copies; the assignment id then comes from `Grader("a1_rnn")`."""
    from autograder.notebook_io import assignment_of

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My work"),
                nbformat.v4.new_code_cell('import numpy as np\nfrom autograder.notebook import Grader\n\n'
                                          'grader = Grader("a1_rnn")')]
    path = tmp_path / "alice copy (2).ipynb"
    nbformat.write(nb, path)
    assert assignment_of(str(path)) == "a1_rnn"
    nb.cells[1].source = "x = 1"
    nbformat.write(nb, path)
    assert assignment_of(str(path)) == "alice copy (2)"      # no setup cell: the file name, as before


def test_every_option_of_every_command_says_what_it_is_for():
    """`autograder <command> --help` explains each argument: none is listed without a help text
    (options hidden on purpose, with argparse.SUPPRESS, are not listed at all)."""
    import argparse

    from autograder.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"grade", "merge", "report", "export", "audit", "demo", "check"} <= set(commands.choices)
    silent = [f"{name} {'/'.join(action.option_strings) or action.dest}"
              for name, sub in commands.choices.items() for action in sub._actions
              if not isinstance(action, argparse._HelpAction) and not action.help]
    assert not silent, f"arguments without help text: {silent}"


def test_a_command_reads_and_validates_notebooks_without_compiling_iri_grammars(tmp_path):
    """jsonschema's optional "iri" checker (rfc3987_syntax) compiles Lark grammars for 1-2 s at
    import; a command keeps it out and nbformat still validates: a notebook without ``cells``
    whose code cell has no ``outputs`` is refused by the schema, which never loads the module."""
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "c1", "metadata": {}, "source": "1", "execution_count": None}]}))
    probe = (
        "import sys\n"
        "from autograder.cli import _skip_slow_optional_imports\n"
        "_skip_slow_optional_imports()\n"
        "import nbformat\n"
        f"nb = nbformat.from_dict(__import__('json').loads(open({str(bad)!r}).read()))\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError as exc:\n"
        "    print('refused:', 'outputs' in str(exc))\n"
        "print('loaded:', sys.modules.get('rfc3987_syntax') is not None)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["refused: True", "loaded: False"], out
