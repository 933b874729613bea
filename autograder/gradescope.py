"""Gradescope autograder zips and their run step (GitHub's workflows are in ``autograder.github``).

``build_zip(assignment_id, path)`` writes a zip with Gradescope's documented layout (it is
unpacked into ``/autograder/source``):

    setup.sh          installs Python, bubblewrap and ``package/`` into /autograder/venv
    run_autograder    ``python -m autograder.gradescope run``: grades
                      /autograder/submission/*.ipynb, writes /autograder/results/results.json
    package/          this project's pyproject.toml, README.md, autograder/, solutions/, samples/
    test_cells.json   the source notebook's test-cell ids (not its code), when it exists

``run(root, assignment_id)`` is the run step; ``AUTOGRADER_ROOT`` moves ``/autograder``
(the tests use a fake root). The submission's folder, the zip's source folder (which holds
the solutions) and the results folder are hidden from the sandbox.
"""
from __future__ import annotations

import argparse
import json
import shutil
import string
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder import sandbox

TEMPLATES = Path(__file__).resolve().parent / "templates"
PACKAGE_PARTS = ("pyproject.toml", "README.md", "autograder", "solutions", "samples")
SKIP = ("__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def template(name: str, **values) -> str:
    """A file of autograder/templates with ``$name`` placeholders filled (``$$`` is ``$``)."""
    return string.Template((TEMPLATES / name).read_text(encoding="utf-8")).safe_substitute(**values)


def build_zip(assignment_id: str, path: str | Path) -> Path:
    """Write the Gradescope autograder zip of one assignment."""
    from autograder.notebook_io import source_markers
    from autograder.spec import load_assignment

    load_assignment(assignment_id)            # unknown assignment: KeyError before writing
    root = sandbox.project_root()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        def add_text(name, text, mode=0o755):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)

        add_text("setup.sh", template("gradescope_setup.sh"))
        add_text("run_autograder", template("gradescope_run_autograder", assignment=assignment_id))
        markers = source_markers(assignment_id)
        if markers is not None:
            add_text("test_cells.json", json.dumps(markers.to_dict(), indent=1), 0o644)
        for part in PACKAGE_PARTS:
            src = root / part
            if src.is_file():
                z.write(src, f"package/{part}")
            elif src.is_dir():
                for f in sorted(src.rglob("*")):
                    if f.is_file() and not any(s in f.parts for s in SKIP):
                        z.write(f, f"package/{f.relative_to(root).as_posix()}")
    return path


def run(root: str | Path, assignment_id: str) -> dict:
    """Grade the submission under ``root/submission`` and write ``root/results/results.json``."""
    from autograder import notebook_io, report
    from autograder.grade import IsolatedGrader

    root = Path(root)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    found = sorted(p for p in (root / "submission").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in found if p.name == f"{assignment_id}.ipynb"]
    chosen = named[:1] or found[:1]
    if not chosen:
        listing = ", ".join(sorted(p.name for p in (root / "submission").rglob("*") if p.is_file())) or "nothing"
        out = {"score": 0.0, "execution_time": 0.0, "tests": [],
               "output": f"status: malformed\nexpected a notebook named {assignment_id}.ipynb in the submission, "
                         f"got: {listing}"}
        (results / "results.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
        return out
    markers_file = root / "source" / "test_cells.json"
    markers = (notebook_io.TestCellMarkers.from_dict(json.loads(markers_file.read_text(encoding="utf-8")))
               if markers_file.exists() else None)
    grader = IsolatedGrader(assignment_id, hidden=True, markers=markers,
                    hide=[root / "source", root / "submission", results])
    if grader.isolation_warning:
        print(grader.isolation_warning, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        records = grader.grade_paths(chosen, Path(tmp) / "graded")
    out = report.gradescope(records[0])
    others = [p.name for p in found if p not in chosen]
    if others:
        out["output"] += f"\nonly {chosen[0].name} was graded; also submitted: {', '.join(others)}"
    (results / "results.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade /autograder/submission (Gradescope's run_autograder)")
    r.add_argument("--root", default="/autograder")
    r.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    out = run(args.root, args.assignment)
    print(f"score {out['score']:g}; wrote {Path(args.root) / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
