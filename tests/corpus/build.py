"""Build the adversarial corpus: each entry is a real assignment notebook with one fault written in.

A submission starts from the source notebook ``assignments/<id>/<id>.ipynb`` turned into
what a correct student hands in (``student_copy``: solution delimiters dropped, hidden
test blocks removed, exactly what filling nbgrader's release gives), then an entry's
``make`` edits it: a cell inserted, a line prepended to a solution cell, a test cell
edited, ... (the helpers below). Broken-file entries write bytes or folders instead.

Nothing here is committed as a file: ``write_corpus(folder)`` generates every entry (the
10,000-cell and 50 MB notebooks included) in a temporary folder at test time.

    from corpus.build import Context, write_corpus
    paths = write_corpus(tmp / "subs", Context.make(tmp))      # name -> path
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

REPO = Path(__file__).resolve().parents[2]
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass(frozen=True)
class Context:
    """Absolute paths an entry may aim at (all inside the test's temporary folder).

    subs:    the folder holding every corpus submission (``touch_other_submissions``);
    out:     the ``autograder grade`` output folder (``forge_results``);
    outside: a folder outside the submission's working directory (``write_outside``).
    """

    subs: Path
    out: Path
    outside: Path

    @classmethod
    def make(cls, root: Path) -> "Context":
        root = Path(root).absolute()
        return cls(subs=root / "subs", out=root / "out", outside=root / "outside")


# --- notebooks ------------------------------------------------------------------------------
def source_notebook(assignment_id: str) -> nbformat.NotebookNode:
    path = REPO / "assignments" / assignment_id / f"{assignment_id}.ipynb"
    if not path.exists():
        raise FileNotFoundError(f"no source notebook for {assignment_id!r}: expected {path}")
    return nbformat.read(path, as_version=4)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _drop_region(source: str, begin: str, end: str, keep_inside: bool, replacement: str | None = None) -> str:
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
            if replacement is not None:
                indent = line[: len(line) - len(line.lstrip())]
                out += [indent + r for r in replacement.split("\n")]
            continue
        if end in line:
            inside = False
            continue
        if not inside or keep_inside:
            out.append(line)
    return "\n".join(out)


def student_copy(source_nb) -> nbformat.NotebookNode:
    """A correct student's notebook: the solutions without delimiters, public tests only."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if _meta(cell).get("solution"):
            cell.source = _drop_region(cell.source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=True)
        if _meta(cell).get("grade"):
            cell.source = _drop_region(cell.source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=False)
    return nb


def blank_copy(source_nb) -> nbformat.NotebookNode:
    """What nbgrader releases: every solution region replaced by ``raise NotImplementedError()``."""
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and _meta(cell).get("solution"):
            cell.source = _drop_region(cell.source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=False,
                                       replacement="# YOUR CODE HERE\nraise NotImplementedError()")
        if cell.cell_type == "code" and _meta(cell).get("grade"):
            cell.source = _drop_region(cell.source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=False)
    return nb


def cell(nb, cell_id: str):
    for c in nb.cells:
        if c.get("id") == cell_id:
            return c
    raise KeyError(f"no cell with id {cell_id!r}; expected one of {[c.get('id') for c in nb.cells]}")


def test_cell(nb, grade_id: str):
    for c in nb.cells:
        if _meta(c).get("grade") and _meta(c).get("grade_id") == grade_id:
            return c
    raise KeyError(f"no test cell with grade_id {grade_id!r}")


def index_of(nb, cell_id: str) -> int:
    return nb.cells.index(cell(nb, cell_id))


def insert_after(nb, cell_id: str, source: str, new_id: str):
    """A new student code cell right after ``cell_id`` (its id: ``new_id``)."""
    c = new_code_cell(source)
    c.id = new_id
    nb.cells.insert(index_of(nb, cell_id) + 1, c)
    return nb


def replace(nb, cell_id: str, old: str, new: str):
    """Replace text that occurs exactly once in a cell (a fault that silently does nothing would test nothing)."""
    c = cell(nb, cell_id)
    n = c.source.count(old)
    if n != 1:
        raise ValueError(f"cell {cell_id!r}: expected {old!r} exactly once, got {n}")
    c.source = c.source.replace(old, new)
    return nb


def prepend(nb, cell_id: str, text: str):
    c = cell(nb, cell_id)
    c.source = text.rstrip("\n") + "\n" + c.source
    return nb


def append(nb, cell_id: str, text: str):
    c = cell(nb, cell_id)
    c.source = c.source.rstrip("\n") + "\n" + text.rstrip("\n") + "\n"
    return nb


def function_body_prefix(nb, cell_id: str, def_line: str, text: str):
    """Insert ``text`` (indented by 4) as the first statement after ``def_line``'s docstring."""
    c = cell(nb, cell_id)
    lines = c.source.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith(def_line))
    i = start + 1
    if lines[i].strip().startswith('"""'):
        if lines[i].strip().count('"""') >= 2 and len(lines[i].strip()) > 3:
            i += 1
        else:
            i += 1
            while '"""' not in lines[i]:
                i += 1
            i += 1
    body = ["    " + ln if ln else ln for ln in text.rstrip("\n").split("\n")]
    c.source = "\n".join(lines[:i] + body + lines[i:])
    return nb


# --- writing ---------------------------------------------------------------------------------
def write(path: Path, produced) -> Path:
    """``produced`` is a notebook, raw bytes, or ``DIRECTORY`` (a folder named like a notebook)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if produced is DIRECTORY:
        path.mkdir()
        (path / "notes.md").write_text("a folder, not a notebook\n")
    elif isinstance(produced, (bytes, bytearray)):
        path.write_bytes(bytes(produced))
    else:
        nbformat.write(produced, path)
    return path


DIRECTORY = object()


def notebook_bytes(nb) -> bytes:
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def submission_path(folder: Path, entry) -> Path:
    """``folder/<entry.name>/<assignment>.ipynb``: one folder per student, as nbgrader lays them out."""
    return Path(folder) / entry.name / f"{entry.assignment}.ipynb"


def write_corpus(folder: Path, ctx: Context, entries=None) -> dict[str, Path]:
    """Write every entry (default: all of ``corpus.entries.ENTRIES``); name -> path."""
    from corpus.entries import ENTRIES

    sources: dict[str, nbformat.NotebookNode] = {}
    paths = {}
    for entry in (ENTRIES if entries is None else entries):
        if entry.assignment not in sources:
            sources[entry.assignment] = source_notebook(entry.assignment)
        produced = entry.make(sources[entry.assignment], ctx)
        paths[entry.name] = write(submission_path(folder, entry), produced)
    return paths


def solution_regions(nb) -> list[str]:
    """The text of every BEGIN/END SOLUTION region of a source notebook."""
    regions = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for m in re.finditer(re.escape(BEGIN_SOLUTION) + r"\n(.*?)\n[ \t]*" + re.escape(END_SOLUTION), c.source, re.S):
            regions.append(m.group(1))
    return regions


def md(text: str):
    return new_markdown_cell(text)


__all__ = ["Context", "DIRECTORY", "append", "blank_copy", "cell", "function_body_prefix", "insert_after",
           "json", "md", "notebook_bytes", "prepend", "replace", "solution_regions", "source_notebook",
           "student_copy", "submission_path", "test_cell", "write", "write_corpus"]
