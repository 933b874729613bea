"""The student kit: what students install and open, and nothing of the instructor's.

``autograder student-kit --out DIR`` (instructor side: it needs ``assignments/``, the
lectures and nbgrader) writes::

    DIR/README.md                          how to install, open and self-check
    DIR/wheels/rnn_course_selfcheck-<version>-py3-none-any.whl
    DIR/assignments/<id>/<id>.ipynb        nbgrader's release of every assignment
    DIR/lectures/*.ipynb, lecture_utils.py the lectures

The wheel holds the ``autograder`` package (the import name the notebooks use) under the
distribution name ``rnn-course-selfcheck``, which nothing on the package index uses
(``pip install autograder`` gives an unrelated project). It leaves out ``solutions``,
``samples`` and the instructor's modules (building data, the demo, the audit, the
Gradescope and workflow builders, this module); its dependencies are what a student
needs to open the notebooks and self-check, not nbgrader and not torch.

The wheel also installs two Jupyter config files into the environment's ``etc/jupyter``
(``labconfig/page_config.d/`` and ``jupyter_server_config.d/``, the folders extensions
use for their own settings) that turn off nbgrader's instructor tools: the Create
Assignment sidebar, the Formgrader, the Course List and the Validate button. A student
never has them from the kit (it does not install nbgrader), but a JupyterHub image or a
student's own environment may hold nbgrader; there the lectures and assignments then show
none of the instructor's tools. The student's tool, nbgrader's Assignment List (fetch and
submit through an nbgrader exchange), stays on. Jupyter merges each folder's files in
name order, so ``rnn-course-student.json`` comes after nbgrader's own ``nbgrader.json``
and wins.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import __version__

DIST_NAME = "rnn-course-selfcheck"
REPO = Path(__file__).resolve().parent.parent
# Left out of the wheel: they need the instructor's side (solutions, samples, nbgrader, the
# source notebooks) and have nothing to offer a student.
INSTRUCTOR_ONLY = ("build_data.py", "demo.py", "audit.py", "gradescope.py", "kit.py", "sync.py", "templates",
                   "feedback_html.py")
# What the self-check and the notebooks import; numpy's floor is the oldest the tests run.
DEPENDENCIES = ("numpy>=1.26", "sympy>=1.12", "matplotlib>=3.8", "ipywidgets>=8.0", "jupyterlab>=4.0",
                "ipython>=8.0", "nbformat>=5.9")
SKIP = ("__pycache__", "*.pyc", ".ipynb_checkpoints")
# nbgrader's instructor tools, by the names nbgrader's installation guide gives for
# `jupyter labextension disable` and `jupyter server extension disable`
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                          "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:validate-assignment")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
                                "nbgrader.server_extensions.validate_assignment")
STUDENT_CONFIG_NAME = "rnn-course-student.json"


def student_jupyter_config() -> dict[str, dict]:
    """The kit's Jupyter settings: {path under etc/jupyter: JSON content}."""
    return {
        f"labconfig/page_config.d/{STUDENT_CONFIG_NAME}":
            {"disabledExtensions": {name: True for name in INSTRUCTOR_LAB_PLUGINS}},
        f"jupyter_server_config.d/{STUDENT_CONFIG_NAME}":
            {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}},
    }


def write_student_jupyter_config(config_dir: Path) -> list[Path]:
    """Write the kit's Jupyter settings under ``config_dir`` (a folder laid out like etc/jupyter)."""
    import json

    written = []
    for rel, content in student_jupyter_config().items():
        path = Path(config_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def wheel_name() -> str:
    return f"{DIST_NAME.replace('-', '_')}-{__version__}-py3-none-any.whl"


def _pyproject() -> str:
    deps = ",\n".join(f'    "{d}"' for d in DEPENDENCIES)
    data = "\n".join(f'"etc/jupyter/{Path(rel).parent.as_posix()}" = ["jupyter-config/{rel}"]'
                     for rel in student_jupyter_config())
    return f'''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{DIST_NAME}"
version = "{__version__}"
description = "Self-check for the RNN, LSTM and GRU course: run your assignment notebook's public test cases."
readme = "README.md"
requires-python = ">=3.11"
dependencies = [
{deps}
]

[project.scripts]
autograder = "autograder.cli:main"

[tool.setuptools.packages.find]
include = ["autograder", "autograder.*"]

[tool.setuptools.package-data]
autograder = ["data/*.json", "data/corpus/*"]

# nbgrader's instructor tools off in the environment the wheel is installed into
[tool.setuptools.data-files]
{data}
'''


def build_wheel(out: Path) -> Path:
    """Build the kit's wheel into ``out``; returns its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kit-wheel-") as tmp:
        stage = Path(tmp) / "src"
        shutil.copytree(REPO / "autograder", stage / "autograder",
                        ignore=shutil.ignore_patterns(*SKIP, *INSTRUCTOR_ONLY))
        (stage / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
        write_student_jupyter_config(stage / "jupyter-config")
        (stage / "README.md").write_text(student_readme(), encoding="utf-8")
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--quiet",
               "-w", str(out), str(stage)]
        try:
            import setuptools  # noqa: F401  (here already: no need to fetch it)
            cmd.insert(4, "--no-build-isolation")
        except ImportError:
            pass
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"building the kit's wheel failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    path = out / wheel_name()
    if not path.exists():
        raise RuntimeError(f"pip wrote no {path.name} in {out}; it wrote: {', '.join(p.name for p in out.iterdir())}")
    return path


def student_readme() -> str:
    return f"""# RNNs, LSTMs and GRUs: your course kit

This folder holds the lectures, the assignment notebooks and the self-check that grades
your answers on the public test cases. Your instructor grades the same notebooks with
more, hidden, cases.

## Install (once)

With Python 3.11 or newer, in a terminal opened in this folder:

    python -m pip install wheels/{wheel_name()}

(on Windows `py -m pip install ...`; inside a virtual environment if you use one). This
installs the `autograder` package with numpy, sympy, matplotlib, ipywidgets and JupyterLab.
If nbgrader is in the same environment, its instructor tools (Create Assignment,
Formgrader, Course List, Validate) are turned off there: `autograder check` below is your
self-check.

## Work

    jupyter lab

Open `lectures/` to read and `assignments/<id>/<id>.ipynb` to work. Run a test cell after
each answer: it says PASS or FAIL and your points, then, when your answer matches a known
mistake, a HINT, and what differs on one case (the full arrays are folded below). When the
mistake is in an earlier function that this one calls, it names that function first.

## Self-check the whole notebook from a terminal

    autograder check assignments/a1_rnn/a1_rnn.ipynb

It runs your notebook top to bottom in a separate process (as your instructor's grader
does) and prints each exercise's verdict and feedback and your public total. On Linux it uses bubblewrap
when it is installed; elsewhere it says in one line that it runs a plain Python process,
with the same time limits. The hidden cases run only when your instructor grades.
"""


def _release(out: Path, ids: list[str]) -> None:
    from autograder import demo

    with tempfile.TemporaryDirectory(prefix="kit-course-") as tmp:
        releases = demo.build_release(Path(tmp) / "course", ids)
        for aid, nb in releases.items():
            dest = out / "assignments" / aid
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(nb.parent, dest, ignore=shutil.ignore_patterns(*SKIP))


def build(out: str | Path) -> dict:
    """Write the kit into ``out``; returns {"wheel": path, "files": [every file], "bytes": total}."""
    from autograder import demo

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in (out / "wheels").glob("*.whl") if (out / "wheels").exists() else ():
        old.unlink()
    wheel = build_wheel(out / "wheels")
    _release(out, demo.assignment_ids())
    lectures = out / "lectures"
    if lectures.exists():
        shutil.rmtree(lectures)
    lectures.mkdir()
    for path in sorted((REPO / "course").iterdir()):
        # .npz and .json: results a lecture loads instead of training (lecture 09's models)
        if path.suffix in (".ipynb", ".py", ".npz", ".json") and path.is_file():
            shutil.copy(path, lectures / path.name)
    (out / "README.md").write_text(student_readme(), encoding="utf-8")
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return {"wheel": wheel, "files": files, "bytes": sum(p.stat().st_size for p in files)}
