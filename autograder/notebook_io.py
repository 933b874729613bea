"""Reading submissions safely: size cap, JSON, nbformat 4, and which cells are student code.

The grader reads every submission itself, before any of it runs. A file that is not a
readable nbformat-4 notebook raises ``Malformed`` with a message saying what was expected
and what was found; the batch records it (status ``malformed``, score 0) and goes on.

Test cells are never trusted to the submission's metadata: a cell is a test cell (and is
not run) when its nbgrader metadata says ``grade=true, solution=false``, or its cell id or
grade id is one of the source notebook's test cells, or its source calls ``grader.check(``
or holds the ``BEGIN HIDDEN TESTS`` marker.
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
TEST_SOURCE = re.compile(r"grader\.check\(|BEGIN HIDDEN TESTS")


class Malformed(Exception):
    """The submission is not a notebook the grader can run; the message says why."""


def read_bytes(path: str | Path, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The file's bytes, or ``Malformed`` for a missing path, a directory or a too large file."""
    path = Path(path)
    if not path.exists():
        raise Malformed(f"expected a notebook file, got a path that does not exist: {path}")
    if path.is_dir():
        raise Malformed(f"expected a notebook file, got a directory: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise Malformed(f"expected a notebook of at most {max_bytes} bytes, got {size} bytes")
    with open(path, "rb") as f:
        return f.read(max_bytes + 1)


def parse_notebook(data: bytes, name: str = "submission"):
    """Bytes -> a validated nbformat-4 ``NotebookNode``; ``Malformed`` otherwise."""
    import nbformat

    if not name.endswith(".ipynb"):
        raise Malformed(f"expected a Jupyter notebook (.ipynb), got a file named {Path(name).name!r}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"expected a UTF-8 JSON notebook, got bytes that are not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise Malformed(f"expected a JSON notebook, got invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise Malformed(f"expected a JSON object (a notebook), got a JSON {type(raw).__name__}")
    version = raw.get("nbformat")
    if version != 4:
        raise Malformed(f"expected nbformat version 4, got nbformat {version!r}")
    if not isinstance(raw.get("cells"), list):
        raise Malformed("expected a notebook with a 'cells' list, got none")
    try:
        nb = nbformat.from_dict(raw)
        with warnings.catch_warnings():    # cell ids are optional before nbformat 4.5
            warnings.simplefilter("ignore")
            nbformat.validate(nb, version=4)
    except Exception as exc:  # nbformat raises ValidationError and friends
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Malformed(f"expected a valid nbformat-4 notebook, got one that fails validation: {first}") from None
    return nb


def read_notebook(path: str | Path, *, max_bytes: int = MAX_NOTEBOOK_BYTES):
    """Read and validate a notebook file (``Malformed`` when it is not one)."""
    return parse_notebook(read_bytes(path, max_bytes=max_bytes), str(path))


@dataclass
class TestCellMarkers:
    """What identifies a test cell of an assignment: the source notebook's ids."""

    cell_ids: set[str] = field(default_factory=set)
    grade_ids: set[str] = field(default_factory=set)

    def to_dict(self) -> dict:
        return {"cell_ids": sorted(self.cell_ids), "grade_ids": sorted(self.grade_ids)}

    @classmethod
    def from_dict(cls, d: dict) -> "TestCellMarkers":
        return cls(set(d.get("cell_ids", [])), set(d.get("grade_ids", [])))


def _nbgrader(cell) -> dict:
    md = cell.get("metadata", {}) or {}
    nbg = md.get("nbgrader", {}) if isinstance(md, dict) else {}
    return nbg if isinstance(nbg, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def markers_from_source(nb) -> TestCellMarkers:
    """The test cells of a source (or release) notebook."""
    m = TestCellMarkers()
    for cell in nb.cells:
        nbg = _nbgrader(cell)
        if nbg.get("grade") and not nbg.get("solution"):
            if cell.get("id"):
                m.cell_ids.add(cell["id"])
            if nbg.get("grade_id"):
                m.grade_ids.add(nbg["grade_id"])
    return m


def is_test_cell(cell, markers: TestCellMarkers | None = None) -> bool:
    """Whether a submission's cell is a test cell (see the module docstring)."""
    nbg = _nbgrader(cell)
    if nbg.get("grade") and not nbg.get("solution"):
        return True
    if markers is not None:
        if cell.get("id") and cell.get("id") in markers.cell_ids:
            return True
        if nbg.get("grade_id") and nbg.get("grade_id") in markers.grade_ids:
            return True
    return bool(TEST_SOURCE.search(_source(cell)))


def cells_to_run(nb, markers: TestCellMarkers | None = None) -> list[tuple[int, str]]:
    """(1-based cell number, source) of the code cells that are not test cells."""
    return [(k, _source(cell)) for k, cell in enumerate(nb.cells, start=1)
            if cell.get("cell_type") == "code" and not is_test_cell(cell, markers)]


def source_markers(assignment_id: str, root: Path | None = None) -> "TestCellMarkers | None":
    """Test-cell ids of the source notebook ``assignments/<id>/<id>.ipynb`` under ``root``
    (default: the folder holding the ``autograder`` package, the repository in a checkout),
    or None where it is not there (a student's install)."""
    root = Path(root) if root else Path(__file__).resolve().parent.parent
    try:
        return markers_from_source(read_notebook(root / "assignments" / assignment_id / f"{assignment_id}.ipynb"))
    except Malformed:
        return None


_GRADER_CALL = re.compile(r"""Grader\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\)""")


def assignment_of(path: str | Path) -> str:
    """The notebook's assignment: its metadata, else the ``Grader("<id>")`` of its setup
    cell, else its file name (students rename their copies, so the name comes last)."""
    try:
        nb = read_notebook(path)
        meta = nb.metadata.get("autograder", {}) if hasattr(nb, "metadata") else {}
        if isinstance(meta, dict) and isinstance(meta.get("assignment"), str):
            return meta["assignment"]
        for cell in nb.cells:
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            found = _GRADER_CALL.search(source) if cell.get("cell_type") == "code" else None
            if found:
                return found.group(1)
    except Malformed:
        pass
    return Path(path).stem
