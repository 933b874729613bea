"""Submissions of the test assignment ``t_grade`` (see t_grade.py), honest and hostile.

``build_batch(folder)`` writes them and returns ``(arguments for autograder grade,
expected)`` where ``expected[name] = (score, status, words the message must contain)``.
The scores are what each submission's real answers earn (sigmoid is worth 4 points,
rnn_step 4): whatever a submission breaks, tampers with or fakes earns nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SPEC = Path(__file__).resolve().parent / "t_grade.py"

GOOD = '''import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, b, next_h)
'''
WRONG_RNN = GOOD.replace("np.tanh(x @ Wx", "np.sin(x @ Wx")             # sigmoid right, rnn wrong: 4
WRONG_SIGMOID = GOOD.replace("return 1.0 / (1.0 + np.exp(-z))", "return z")  # sigmoid wrong: 4

TEST_SIGMOID = "grader.check('sigmoid')"
TEST_RNN = "grader.check('rnn_step')\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"


def test_cell(source: str, grade_id: str, points: float = 4.0):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": grade_id, "points": points, "schema_version": 3}
    return cell


def notebook(*cells) -> nbformat.NotebookNode:
    """A notebook: a title, the given cells (str = code cell), then the two test cells."""
    nb = new_notebook()
    body = [new_markdown_cell("# t_grade")]
    body += [new_code_cell(c) if isinstance(c, str) else c for c in cells]
    nb.cells = body
    for k, cell in enumerate(nb.cells):
        cell.id = f"cell-{k}"
    return nb


def with_tests(*cells) -> nbformat.NotebookNode:
    return notebook(*cells, test_cell(TEST_SIGMOID, "sigmoid"), test_cell(TEST_RNN, "rnn_step"))


def honest_notebooks() -> dict[str, tuple[nbformat.NotebookNode, tuple]]:
    """name -> (notebook, (score, status, message words))."""
    solutions = Path(__file__).resolve().parents[2] / "solutions"
    return {
        "good": (with_tests(GOOD, "print('hello')"), (8, "graded", [])),
        "partly_wrong": (with_tests(WRONG_RNN), (4, "graded", [])),
        "loop": (with_tests(GOOD, "while True:\n    pass"), (8, "timeout", ["cell 3", "longer than"])),
        "loop_ignores_sigint": (with_tests(
            GOOD, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                  "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass"),
            (8, "timeout", ["cell 3", "longer than"])),
        "os_exit": (with_tests(GOOD, "import os\nos._exit(3)"), (8, "error", ["cell 3", "exit code 3"])),
        "sigkill_self": (with_tests(GOOD, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
                         (8, "error", ["cell 3", "SIGKILL"])),
        "kills_worker": (with_tests(GOOD, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                                          "os.kill(os.getpid(), signal.SIGKILL)"),
                         (8, "error", ["cell 3"])),
        "forges_frames": (with_tests(
            GOOD, "import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'\\xff' * 64)\n"
                  "    except OSError:\n        pass"),
            (8, "error", ["cell 3", "malformed data"])),
        "memory_hog": (with_tests(GOOD, "hog = []\nwhile True:\n    hog.append(np.empty(10**7))  # 80 MB a step, until the cap"),
                       (8, "graded", ["cell 3", "MemoryError"])),
        "output_flood": (with_tests(GOOD, "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 10**6)"),
                         (8, "graded", ["printed more than"])),
        "patches_numpy": (with_tests(
            WRONG_SIGMOID,
            "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
            "np.testing.assert_allclose = lambda *a, **k: None\nnp.array_equal = lambda *a, **k: True"),
            (4, "graded", [])),
        "patches_autograder": (with_tests(
            WRONG_SIGMOID,
            "import autograder.checks as c, autograder.compare as cmp, autograder.answers as ans\n"
            "c.score = lambda *a, **k: None\nc.evaluate = lambda *a, **k: {}\n"
            "cmp.compare = lambda *a, **k: (True, '')\nans.to_array = lambda x, **k: (x, 'float64')\n"
            "import autograder.worker as w\nw.encode_frame = lambda *a, **k: b''"),
            (4, "graded", [])),
        "redefines_builtins": (with_tests(
            GOOD, "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                  "builtins.print = lambda *a, **k: None\nbuiltins.abs = lambda x: 0\n"
                  "builtins.type = lambda *a: int\nisinstance = lambda *a: False"),
            (8, "graded", [])),
        "input_transformer": (with_tests(
            WRONG_RNN,
            "ip = get_ipython()\n"
            "ip.input_transformers_cleanup.append(lambda lines: ['score = 100\\n'])\n"
            "ip.input_transformers_post.append(lambda lines: ['score = 100\\n'])"),
            (4, "graded", [])),
        "edited_tests": (notebook(
            WRONG_RNN,
            test_cell("score = 100  # edited test cell", "sigmoid", points=100.0)),  # rnn test cell deleted
            (4, "graded", [])),
        "test_metadata_removed": (notebook(
            WRONG_RNN, new_code_cell("grader.check('rnn_step')  # metadata stripped")),
            (4, "graded", [])),
        "reads_solutions": (with_tests(
            "import numpy as np\nfrom solutions.activations import sigmoid",
            f"exec(open({str(solutions / 'rnn.py')!r}).read())"),
            (0, "graded", ["ModuleNotFoundError", "FileNotFoundError"])),
    }


def build_batch(folder: Path) -> tuple[list[str], dict]:
    """Write every submission under ``folder``; return (grade arguments, expected by file name)."""
    folder = Path(folder)
    subs = folder / "subs"
    subs.mkdir(parents=True)
    expected = {}
    for name, (nb, exp) in honest_notebooks().items():
        nbformat.write(nb, subs / f"{name}.ipynb")
        expected[f"subs/{name}.ipynb"] = exp
    (subs / "invalid_json.ipynb").write_text('{"cells": [ this is not json')
    expected["subs/invalid_json.ipynb"] = (0, "malformed", ["invalid JSON"])
    (subs / "nbformat3.ipynb").write_text(json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}))
    expected["subs/nbformat3.ipynb"] = (0, "malformed", ["nbformat version 4", "got nbformat 3"])
    (subs / "folder.ipynb").mkdir()
    expected["subs/folder.ipynb"] = (0, "malformed", ["directory"])
    notes = folder / "notes.txt"
    notes.write_text("not a notebook")
    expected["notes.txt"] = (0, "malformed", ["notebook", "notes.txt"])
    empty = folder / "empty_dir"
    empty.mkdir()
    expected["empty_dir"] = (0, "malformed", ["directory"])
    expected["missing.ipynb"] = (0, "malformed", ["does not exist"])
    args = [str(subs), str(notes), str(empty), str(folder / "missing.ipynb")]
    return args, expected
