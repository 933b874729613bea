"""Does the kit's Jupyter config turn off nbgrader's instructor tools for students?

The kit's wheel installs ``autograder.kit.student_jupyter_config()`` into the student's
``etc/jupyter`` (tests/test_student_kit.py checks the wheel carries it and pip puts it
there). Here the same files are written into a scratch config folder laid out like
``etc/jupyter``, beside a copy of nbgrader's own ``nbgrader.json`` (which enables every
nbgrader server extension, as in an environment where nbgrader is installed), and that
folder is put first on ``JUPYTER_CONFIG_PATH``. A fresh Python then asks Jupyter itself
what a server started there would load (``ServerApp.find_server_extensions``, the step
that reads ``jupyter_server_config.d``) and what JupyterLab would disable
(``jupyterlab_server.config.get_page_config``, which reads ``labconfig``).

The expected names are nbgrader's, from its installation guide ("The labextensions ...
can be disabled individually by running: jupyter labextension disable
@jupyter/nbgrader:formgrader ..."; "jupyter server extension disable
nbgrader.server_extensions.formgrader ..."), not the kit's constants.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import kit

pytest.importorskip("nbgrader", reason="the config is checked against an installed nbgrader")

INSTRUCTOR_LAB = {"@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                  "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:validate-assignment"}
STUDENT_LAB = "@jupyter/nbgrader:assignment-list"
INSTRUCTOR_SERVER = {"nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
                     "nbgrader.server_extensions.validate_assignment"}
STUDENT_SERVER = "nbgrader.server_extensions.assignment_list"

PROBE = """
import json, os
from jupyter_core.paths import jupyter_path
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_page_config

app = ServerApp()
app.load_config_file()
app.find_server_extensions()
page = get_page_config([os.path.join(p, "labextensions") for p in jupyter_path()])
print(json.dumps({"server": {k: bool(v) for k, v in app.jpserver_extensions.items() if k.startswith("nbgrader")},
                  "lab_disabled": sorted(page.get("disabledExtensions", []))}))
"""


def _effective(config_dir: Path, cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    env["JUPYTER_CONFIG_PATH"] = str(config_dir)
    env["JUPYTER_CONFIG_DIR"] = str(cwd / "user-config")      # an empty user folder, not the machine's
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _nbgrader_config_dir(root: Path) -> Path:
    """A config folder holding what installing nbgrader puts into etc/jupyter: every server extension on."""
    folder = root / "etc-jupyter"
    (folder / "jupyter_server_config.d").mkdir(parents=True)
    (folder / "jupyter_server_config.d" / "nbgrader.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {n: True for n in INSTRUCTOR_SERVER | {STUDENT_SERVER}}}}))
    return folder


def test_without_the_kit_config_nbgrader_shows_its_instructor_tools(tmp_path):
    """The control: the probe does see nbgrader's tools when nothing turns them off."""
    got = _effective(_nbgrader_config_dir(tmp_path), tmp_path)
    assert all(got["server"].get(n) for n in INSTRUCTOR_SERVER | {STUDENT_SERVER}), got
    assert not INSTRUCTOR_LAB & set(got["lab_disabled"]), got


def test_the_kit_config_turns_off_the_instructor_tools_and_keeps_the_assignment_list(tmp_path):
    folder = _nbgrader_config_dir(tmp_path)
    written = kit.write_student_jupyter_config(folder)
    # beside nbgrader's own file, and read after it (Jupyter merges a folder's files in name order)
    server_files = sorted(p.name for p in (folder / "jupyter_server_config.d").iterdir())
    assert server_files == ["nbgrader.json", kit.STUDENT_CONFIG_NAME], server_files
    assert {p.relative_to(folder).as_posix() for p in written} == set(kit.student_jupyter_config())
    got = _effective(folder, tmp_path)
    assert {n for n in INSTRUCTOR_SERVER if got["server"].get(n) is not False} == set(), got["server"]
    assert got["server"].get(STUDENT_SERVER) is True, got["server"]
    assert INSTRUCTOR_LAB <= set(got["lab_disabled"]), got["lab_disabled"]
    assert STUDENT_LAB not in got["lab_disabled"], got["lab_disabled"]


def test_the_kit_readme_tells_students_the_instructor_tools_are_off():
    text = kit.student_readme()
    assert "Create Assignment" in text and "autograder check" in text
