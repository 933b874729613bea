"""Does the student kit hold what a student needs, work on its own, and hold nothing more?

The kit is built once (``autograder student-kit``), then its wheel is installed into a
fresh virtual environment under the temporary folder, away from the checkout, with the
oldest numpy the project claims (the main test environment has the newest), and used as a
student would: ``autograder check`` on each released notebook filled in right and with a
seeded mistake, and every lecture executed there.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import kit, spec as spec_mod
from autograder.demo import assignment_ids
from nbgrader_harness import fill_release
from samples import load_mistakes, make_submission, shows, source_notebook

pytestmark = pytest.mark.slow

IDS = assignment_ids()
NUMPY_FLOOR = next(d.split(">=")[1] for d in kit.DEPENDENCIES if d.startswith("numpy>="))


def _env() -> dict:
    """The student's environment: nothing of this checkout on the path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(cmd, **kw):
    kw.setdefault("timeout", 900)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=_env(), **kw)


@pytest.fixture(scope="module")
def kit_env(student_kit, tmp_path_factory):
    """A fresh venv with the kit's wheel and the oldest claimed numpy: (bin folder, work folder)."""
    folder, made = student_kit
    root = tmp_path_factory.mktemp("kit_env")
    venv = root / "venv"
    proc = _run([sys.executable, "-m", "venv", venv])
    assert proc.returncode == 0, proc.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    proc = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 f"numpy=={NUMPY_FLOOR}", made["wheel"]], timeout=1800)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    work = root / "work"
    work.mkdir()
    return bin_dir, work


def test_the_kit_holds_the_wheel_the_releases_the_lectures_and_a_readme(student_kit):
    folder, made = student_kit
    rel = {p.relative_to(folder).as_posix() for p in made["files"]}
    assert "README.md" in rel and f"wheels/{kit.wheel_name()}" in rel
    assert {f"assignments/{a}/{a}.ipynb" for a in IDS} <= rel
    lectures = sorted(Path(__file__).resolve().parents[1].joinpath("course").glob("*.ipynb"))
    assert {f"lectures/{p.name}" for p in lectures} | {"lectures/lecture_utils.py"} <= rel
    assert not [r for r in rel if r.split("/")[0] not in ("README.md", "wheels", "assignments", "lectures")]


def test_the_wheel_has_the_grading_package_and_nothing_of_the_instructor(student_kit):
    folder, made = student_kit
    with zipfile.ZipFile(made["wheel"]) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    tops = {n.split("/")[0] for n in names}
    dist = f"{kit.DIST_NAME.replace('-', '_')}-{kit.__version__}"
    assert tops == {"autograder", f"{dist}.dist-info", f"{dist}.data"}
    # the Jupyter config that turns off nbgrader's instructor tools, installed into etc/jupyter
    data = {n.split("/data/", 1)[1] for n in names if n.startswith(f"{dist}.data/data/")}
    assert data == {f"etc/jupyter/{rel}" for rel in kit.student_jupyter_config()}, data
    for must in ("autograder/checks.py", "autograder/worker.py", "autograder/data/a1_rnn.json",
                 "autograder/specs/a6_training.py", "autograder/quickcheck.py", "autograder/kinds/gradient.py"):
        assert must in names
    for absent in kit.INSTRUCTOR_ONLY:
        assert not [n for n in names if n.startswith(f"autograder/{absent}")], absent
    assert re.search(r"^Name: rnn-course-selfcheck$", meta, re.M)
    requires = {re.split(r"[<>=!;\[ ]", line.split(": ", 1)[1])[0].lower()
                for line in meta.splitlines() if line.startswith("Requires-Dist:")}
    assert requires == {"numpy", "sympy", "matplotlib", "ipywidgets", "jupyterlab", "ipython", "nbformat"}


def test_the_kit_environment_has_no_solutions_and_the_oldest_numpy(kit_env):
    bin_dir, work = kit_env
    proc = _run([bin_dir / "python", "-c", "import solutions"], cwd=work)
    assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr
    proc = _run([bin_dir / "python", "-c", "import autograder, numpy; print(autograder.__file__); print(numpy.__version__)"],
                cwd=work)
    where, version = proc.stdout.split()
    from packaging.version import Version

    assert Path(where).is_relative_to(bin_dir.parent), proc.stdout + proc.stderr
    assert Version(version) == Version(NUMPY_FLOOR), version


def test_the_kit_environment_has_the_config_that_turns_off_nbgraders_instructor_tools(kit_env):
    bin_dir, _ = kit_env
    etc = bin_dir.parent / "etc" / "jupyter"
    for rel, content in kit.student_jupyter_config().items():
        path = etc / rel
        assert path.is_file(), f"pip did not install {rel} into {etc}"
        assert json.loads(path.read_text()) == content


def _public_points(aid: str) -> float:
    """Public points a student can check: a training run's held-out metric is the instructor's."""
    return sum(ex.public_points for ex in spec_mod.load(aid).exercises if ex.kind != "metric")


def _fmt(x: float) -> str:
    return f"{x:g}"


@pytest.mark.parametrize("aid", IDS)
def test_check_grades_the_release_and_names_a_known_mistake(student_kit, kit_env, aid):
    folder, _ = student_kit
    bin_dir, work = kit_env
    release = nbformat.read(folder / "assignments" / aid / f"{aid}.ipynb", as_version=4)
    source = source_notebook(aid)
    mistake = load_mistakes(aid)[0]
    total = _fmt(_public_points(aid))
    for name, nb in (("right", fill_release(release, source)),
                     ("mistake", fill_release(release, make_submission(source, mistake)))):
        path = work / aid / f"{name}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(nb, path)
        proc = _run([bin_dir / "autograder", "check", path], cwd=path.parent)
        assert proc.returncode == 0, proc.stderr[-3000:]
        if name == "right":
            assert f"public total: {total}/{total}" in proc.stdout, proc.stdout[-3000:]
            assert "FAIL" not in proc.stdout
            metrics = [ex for ex in spec_mod.load(aid).exercises if ex.kind == "metric"]
            later = [ln for ln in proc.stdout.splitlines() if ln.startswith("LATER")]
            assert len(later) == len(metrics) and all(ex.grade_id in " ".join(later) for ex in metrics)
        else:
            assert f"public total: {total}/{total}" not in proc.stdout
            for grade_id, fragment in mistake.expect.items():
                assert shows(proc.stdout, fragment), (grade_id, fragment, proc.stdout[-3000:])


def test_every_lecture_executes_in_the_kit_environment(student_kit, kit_env):
    folder, _ = student_kit
    bin_dir, work = kit_env
    lectures = sorted((folder / "lectures").glob("*.ipynb"))
    out = work / "executed"
    proc = _run([bin_dir / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", out,
                 "--ExecutePreprocessor.timeout=300", *lectures], cwd=folder / "lectures", timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for lecture in lectures:
        nb = nbformat.read(out / lecture.name, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, (lecture.name, errors[:1])


def test_zz_a_copied_autograder_folder_next_to_the_notebook_self_checks(student_kit, kit_env):
    """Without the wheel installed (runs last: it uninstalls it), a copy of the package next to
    the notebook works, the grading process included."""
    folder, made = student_kit
    bin_dir, work = kit_env
    proc = _run([bin_dir / "python", "-m", "pip", "uninstall", "--yes", "--quiet", kit.DIST_NAME])
    assert proc.returncode == 0, proc.stderr
    here = work / "copied"
    here.mkdir()
    with zipfile.ZipFile(made["wheel"]) as z:
        z.extractall(here, [n for n in z.namelist() if n.startswith("autograder/")])
    aid = IDS[0]
    release = nbformat.read(folder / "assignments" / aid / f"{aid}.ipynb", as_version=4)
    nbformat.write(fill_release(release, source_notebook(aid)), here / f"{aid}.ipynb")
    proc = _run([bin_dir / "python", "-m", "autograder", "check", f"{aid}.ipynb"], cwd=here)
    total = _fmt(_public_points(aid))
    assert f"public total: {total}/{total}" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_the_kit_claims_the_same_numpy_floor_as_the_project():
    """One floor: the kit's wheel, pyproject.toml and the second environment of scripts/test."""
    import tomllib

    deps = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["dependencies"]
    floor = next(d.split(">=")[1] for d in deps if d.replace(" ", "").startswith("numpy>="))
    assert floor == NUMPY_FLOOR
