"""Does what students get hold no solution, no hidden test, no hidden expected value, no reference?

What students get, as defined here:

1. nbgrader's release: ``nbgrader generate_assignment`` of every assignment in
   ``assignments/`` (every file of ``release/<id>/``);
2. the student install, "autograder only": every file of the ``autograder/`` package
   directory (modules, ``data/*.json``, ``specs/*.py``, ``templates/*``), bytecode caches
   left out. ``solutions/`` and ``samples/`` are instructor-only (docs/design.md);
3. the student kit (``autograder student-kit``): its README, release notebooks, lectures
   and every file in its wheel.

What must not be in it (``scan`` returns one ``Leak`` per finding):

- ``solution-line``: a line of a BEGIN/END SOLUTION region of a source notebook, compared
  with whitespace collapsed and the trailing comment dropped. Lines of fewer than 12
  characters, and lines that the source notebook also shows outside its solution regions
  (given to students anyway, e.g. ``z = np.asarray(z, dtype=float)`` of the given sigmoid),
  are not searched;
- ``solution-function``: a function whose body is structurally equal (same AST once
  docstrings are dropped and every local name is renamed in order of appearance) to a
  function of a solution cell or to the reference function a spec names, whatever its name;
- ``target-function``: a ``def`` named like a graded function (an exercise's target or
  forward), whichever assignment grades it and whether or not a source notebook shows it
  outside its solution regions: an assignment that builds on an earlier one's graded
  function has the student paste it into a solution cell (a2, a5, a6). In a release
  notebook the stub is allowed: a def whose body raises NotImplementedError at its top level;
- ``hidden-test``: a line of a BEGIN/END HIDDEN TESTS block of a source notebook;
- ``hidden-value``: a number whose first 8 significant digits equal those of a value of a
  hidden case's expected output (computed with the reference here); values with fewer
  than 5 significant digits (0, 1, 0.5, ...) are not searched;
- ``solutions-copy`` / ``solutions-import``: a file equal to a file of ``solutions/``, a
  folder named ``solutions``, or code that imports ``solutions`` when it is imported or
  run (an import inside a function, the design's lazy instructor-side import, is
  allowed, and every module is imported for real with ``solutions`` unavailable).

``test_the_scan_catches_each_kind_of_planted_leak`` plants each kind in a copy and checks
that the scan finds it.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))
from nbgrader_harness import NbgraderCourse  # noqa: E402

from autograder import spec as spec_module  # noqa: E402

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MIN_LINE = 12
DIGITS = 8
MIN_SIGNIFICANT = 5
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def assignment_ids() -> list[str]:
    return sorted(p.name for p in (REPO / "assignments").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


# --- what must not leak ----------------------------------------------------------------------
def _norm(line: str) -> str:
    code = line.split("#", 1)[0] if "#" in line and not line.lstrip().startswith(("'", '"')) else line
    return " ".join(code.split())


def _regions(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines inside the regions, lines outside)."""
    inside, outside, on = [], [], False
    for line in source.split("\n"):
        if begin in line:
            on = True
        elif end in line:
            on = False
        else:
            (inside if on else outside).append(line)
    return inside, outside


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


class _Rename(ast.NodeTransformer):
    """Every Name, argument and local function name becomes v0, v1, ... in order of appearance."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._new(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        node.annotation = None
        return node


def fingerprint(fn: ast.FunctionDef) -> str:
    """The function's body and arguments as an AST dump, name, docstring and local names erased."""
    fn = ast.parse(ast.unparse(fn)).body[0]
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    fn.body = body or [ast.Pass()]
    fn.name = "f"
    fn.decorator_list = []
    fn.returns = None
    return ast.dump(_Rename().visit(fn), annotate_fields=False)


def functions(code: str) -> list[ast.FunctionDef]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _raises_not_implemented(fn) -> bool:
    for stmt in fn.body:
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


def _significant(x: float) -> str | None:
    """The first DIGITS significant digits and the exponent of x, or None for short numbers."""
    if not np.isfinite(x) or x == 0:
        return None
    mant, exp = f"{abs(x):.{DIGITS - 1}e}".split("e")
    digits = mant.replace(".", "")
    if len(digits.rstrip("0")) < MIN_SIGNIFICANT:
        return None
    return f"{digits}e{int(exp)}"


@dataclass
class Secrets:
    solution_lines: set
    solution_functions: dict          # fingerprint -> where it comes from
    targets: set
    hidden_lines: set
    hidden_values: dict               # significant digits -> (assignment, exercise, case)
    solutions_files: dict             # sha256 -> file name


def collect_secrets(ids: list[str]) -> Secrets:
    sol_lines, shown, sol_fns, targets, hidden_lines, hidden_values = set(), set(), {}, set(), set(), {}
    for aid in ids:
        nb = nbformat.read(REPO / "assignments" / aid / f"{aid}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                shown.update(_norm(ln) for ln in cell.source.split("\n"))
                continue
            inside, outside = _regions(cell.source, BEGIN_SOLUTION, END_SOLUTION)
            shown.update(_norm(ln) for ln in outside)
            if _meta(cell).get("solution"):
                sol_lines.update(_norm(ln) for ln in inside)
                for fn in functions(cell.source):
                    sol_fns[fingerprint(fn)] = f"{aid}: solution cell {cell.get('id')} def {fn.name}"
            hid, _ = _regions(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            hidden_lines.update(_norm(ln) for ln in hid)
        spec = spec_module.load(aid)
        from autograder import checks

        for ex in spec.exercises:
            if ex.kind in ("function", "gradient"):
                targets.add(ex.target)
                if ex.forward:
                    targets.add(ex.forward)
            module_name, _, attr = ex.reference.partition(":")
            if module_name.split(".")[0] == "solutions" and attr and "." not in attr:
                path = Path(__import__("importlib").import_module(module_name).__file__)
                for fn in functions(path.read_text()):
                    if fn.name == attr:
                        sol_fns[fingerprint(fn)] = f"{ex.reference}"
            for case in ex.cases(hidden=True):
                for name, value in checks.expected(ex, case, assignment_id=aid).items():
                    for v in np.ravel(np.asarray(value, dtype=float)) if not isinstance(value, str) else ():
                        key = _significant(float(v))
                        if key:
                            hidden_values[key] = (aid, ex.grade_id, case.name, name)
    # Shown anyway: a line the source notebook prints outside its solution regions, whole or
    # inside a longer line (a3's markdown spells out `dx = da @ Wx.T` as an instruction).
    shown_flat = " ".join(" ".join(shown).split())
    sol_lines = {ln for ln in sol_lines if len(ln) >= MIN_LINE and ln not in shown and ln not in shown_flat}
    hidden_lines = {ln for ln in hidden_lines if ln}
    files = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in (REPO / "solutions").rglob("*.py")}
    return Secrets(sol_lines, sol_fns, targets, hidden_lines, hidden_values, files)


# --- the scan ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leak:
    kind: str
    path: str
    detail: str


def _texts(path: Path) -> tuple[str, list[str]]:
    """(all text of the file, the Python code in it)."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace")
    if path.suffix == ".py":
        return text, [text]
    if path.suffix == ".ipynb":
        nb = nbformat.reads(text, as_version=4)
        code = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                code.append("\n".join(ln for ln in cell.source.split("\n") if not ln.lstrip().startswith(("%", "!"))))
        return text + "\n" + "\n".join(c.source for c in nb.cells), code
    return text, []


def _numbers(path: Path, text: str):
    for m in NUMBER.finditer(text):
        try:
            yield float(m.group())
        except ValueError:
            continue
    if path.suffix == ".json":
        def walk(o):
            if isinstance(o, float):
                yield o
            elif isinstance(o, dict):
                for v in o.values():
                    yield from walk(v)
            elif isinstance(o, list):
                for v in o:
                    yield from walk(v)
        try:
            yield from walk(json.loads(text))
        except ValueError:
            pass


def _imports_solutions_at_top(code: str) -> bool:
    """An import of solutions outside any function body (runs when the module/cell runs)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from visit(child, True)
                continue
            if not in_function:
                if isinstance(child, ast.Import) and any(a.name.split(".")[0] == "solutions" for a in child.names):
                    yield child
                if isinstance(child, ast.ImportFrom) and (child.module or "").split(".")[0] == "solutions":
                    yield child
                if isinstance(child, ast.Call) and getattr(child.func, "attr", getattr(child.func, "id", "")) in (
                        "import_module", "__import__") and child.args and isinstance(child.args[0], ast.Constant) \
                        and str(child.args[0].value).split(".")[0] == "solutions":
                    yield child
            yield from visit(child, in_function)

    return any(True for _ in visit(tree, False))


def scan(files: list[Path], secrets: Secrets, root: Path, *, release: set[Path] = frozenset(),
         lectures: set[Path] = frozenset()) -> list[Leak]:
    """Every leak in ``files`` (paths shown relative to ``root``); ``release`` marks release notebooks.

    ``lectures`` are searched for everything but single solution lines: a lecture writes the
    equations as code on purpose (``for t in range(T):``, ``g = np.tanh(a[:, 2 * H:3 * H])``);
    a whole solution function, a graded function's name, a hidden test or value is still a leak.
    """
    leaks = []
    for path in files:
        rel = str(path.relative_to(root))
        if "solutions" in path.relative_to(root).parts[:-1] or path.stem == "solutions" and path.is_dir():
            leaks.append(Leak("solutions-copy", rel, "a folder named solutions"))
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() in secrets.solutions_files:
            leaks.append(Leak("solutions-copy", rel, f"equals solutions/{secrets.solutions_files[hashlib.sha256(data).hexdigest()]}"))
        try:
            text, code = _texts(path)
        except Exception:  # noqa: BLE001  (not a readable notebook: scan its bytes as text)
            text, code = data.decode("utf-8", "replace"), []
        lines = {_norm(ln) for ln in text.replace("\\n", "\n").split("\n")}
        flat = " ".join(text.replace("\\n", "\n").split())
        for ln in secrets.solution_lines if path not in lectures else ():
            if ln in lines or ln in flat:
                leaks.append(Leak("solution-line", rel, ln))
        for ln in secrets.hidden_lines:
            if ln in lines or ln in flat:
                leaks.append(Leak("hidden-test", rel, ln))
        for src in code:
            for fn in functions(src):
                fp = fingerprint(fn)
                if fp in secrets.solution_functions:
                    leaks.append(Leak("solution-function", rel, f"def {fn.name} equals {secrets.solution_functions[fp]}"))
                if fn.name in secrets.targets and not (path in release and _raises_not_implemented(fn)):
                    leaks.append(Leak("target-function", rel, f"def {fn.name}"))
            if _imports_solutions_at_top(src):
                leaks.append(Leak("solutions-import", rel, "imports solutions when run"))
        seen = set()
        for x in _numbers(path, text):
            key = _significant(x)
            if key in secrets.hidden_values and key not in seen:
                seen.add(key)
                leaks.append(Leak("hidden-value", rel, f"{x!r} is {secrets.hidden_values[key]}"))
    return leaks


def package_files(package_dir: Path) -> list[Path]:
    return sorted(p for p in package_dir.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def secrets():
    return collect_secrets(assignment_ids())


@pytest.fixture(scope="module")
def student_view(tmp_path_factory):
    """root/release/<id>/... from nbgrader, root/autograder/... the student install."""
    root = tmp_path_factory.mktemp("student_view")
    ids = assignment_ids()
    course = NbgraderCourse.create(root / "course", ids[0])
    for aid in ids[1:]:
        shutil.copytree(REPO / "assignments" / aid, course.root / "assignments" / aid,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for aid in ids:
        course.nbgrader("generate_assignment", aid, "--force")
    view = root / "view"
    shutil.copytree(course.root / "release", view / "release")
    shutil.copytree(REPO / "autograder", view / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return view, ids


def view_files(view: Path) -> tuple[list[Path], set[Path]]:
    release = sorted(p for p in (view / "release").rglob("*") if p.is_file())
    return release + package_files(view / "autograder"), {p for p in release if p.suffix == ".ipynb"}


# --- tests ---------------------------------------------------------------------------------------
def test_the_secrets_are_not_empty(secrets):
    """A scan for nothing finds nothing: there must be something to look for."""
    assert len(secrets.solution_lines) >= 10
    assert len(secrets.solution_functions) >= 5
    assert {"rnn_step_forward", "rnn_forward", "output_forward"} <= secrets.targets
    assert any("hidden=True" in ln for ln in secrets.hidden_lines)
    assert len(secrets.hidden_values) >= 100
    assert len(secrets.solutions_files) >= 5


@pytest.mark.slow
def test_the_release_has_a_notebook_for_every_assignment(student_view):
    view, ids = student_view
    assert sorted(p.parent.name for p in (view / "release").glob("*/*.ipynb")) == ids


@pytest.mark.slow
def test_nothing_students_get_leaks(student_view, secrets):
    view, _ = student_view
    files, release = view_files(view)
    leaks = scan(files, secrets, view, release=release)
    assert not leaks, "\n".join(f"{x.kind}: {x.path}: {x.detail}" for x in leaks[:40])


@pytest.mark.slow
def test_nothing_in_the_student_kit_leaks(student_kit, secrets, tmp_path):
    """The kit (``autograder student-kit``): its README, release notebooks and lectures, and
    every file inside its wheel, unpacked."""
    import zipfile

    folder, made = student_kit
    view = tmp_path / "kit"
    shutil.copytree(folder, view, ignore=shutil.ignore_patterns("*.whl"))
    with zipfile.ZipFile(made["wheel"]) as z:
        z.extractall(view / "wheel")
    files = sorted(p for p in view.rglob("*") if p.is_file())
    assert any(p.name == "checks.py" for p in files) and any(p.suffix == ".ipynb" for p in files)
    release = {p for p in files if p.suffix == ".ipynb" and "assignments" in p.relative_to(view).parts}
    lectures = {p for p in files if "lectures" in p.relative_to(view).parts}
    assert len(lectures) >= 9
    leaks = scan(files, secrets, view, release=release, lectures=lectures)
    assert not leaks, "\n".join(f"{x.kind}: {x.path}: {x.detail}" for x in leaks[:40])
    # a lecture that hands out a graded function is still caught
    planted = sorted(lectures)[0]
    nb = nbformat.read(planted, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("def rnn_forward(x, h0, Wx, Wh, b):\n    return x\n"))
    nbformat.write(nb, planted)
    assert [x.kind for x in scan([planted], secrets, view, lectures=lectures)] == ["target-function"]


def test_the_student_install_imports_without_solutions():
    """Every module of autograder/ (and every spec) imports in a Python where solutions is absent."""
    code = r"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("solutions", "samples"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Block())
import autograder
failed = []
for m in pkgutil.walk_packages(autograder.__path__, "autograder."):
    if m.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(m.name)
    except Exception as exc:
        failed.append(f"{m.name}: {type(exc).__name__}: {exc}")
print("\n".join(failed) or "OK")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd="/")
    assert proc.stdout.strip() == "OK", proc.stdout + proc.stderr[-2000:]


def _plants(secrets: Secrets) -> dict[str, callable]:
    sol_line = sorted(secrets.solution_lines)[0]
    hidden_line = sorted(secrets.hidden_lines)[0]
    value_key = sorted(secrets.hidden_values)[0]
    digits, exp = value_key.split("e")
    value = f"{digits[0]}.{digits[1:]}e{exp}"
    ref_src = (REPO / "solutions" / "rnn.py").read_text()
    step = next(fn for fn in functions(ref_src) if fn.name == "rnn_step_forward")
    renamed = ast.unparse(step).replace("def rnn_step_forward", "def one_step", 1)
    renamed = re.sub(r"\bnext_h\b", "state", renamed)

    def nb_with(view, text):
        path = next((view / "release").glob("*/*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell(text))
        nbformat.write(nb, path)

    return {
        "solution-line": lambda view: nb_with(view, f"A hint for you:\n\n    {sol_line}\n"),
        "solution-function": lambda view: (view / "autograder" / "helpers_extra.py").write_text(renamed + "\n"),
        "target-function": lambda view: (view / "autograder" / "more.py").write_text(
            "def rnn_forward(x, h0, Wx, Wh, b):\n    return x\n"),
        "hidden-test": lambda view: (view / "autograder" / "templates" / "notes.txt").write_text(hidden_line + "\n"),
        "hidden-value": lambda view: (view / "autograder" / "data" / "extra.json").write_text(
            json.dumps({"cache": [float(value)]})),
        "solutions-copy": lambda view: shutil.copy(REPO / "solutions" / "rnn.py", view / "autograder" / "vendored.py"),
        "solutions-import": lambda view: (view / "autograder" / "shortcut.py").write_text(
            "import numpy as np\nfrom solutions.rnn import rnn_forward as _f\n"),
    }


@pytest.fixture(scope="module")
def base_view(tmp_path_factory, secrets):
    """A stand-in student view (one blank release notebook, the real package) and its findings."""
    view = tmp_path_factory.mktemp("base") / "view"
    shutil.copytree(REPO / "autograder", view / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    aid = assignment_ids()[0]
    from corpus.build import blank_copy, source_notebook

    (view / "release" / aid).mkdir(parents=True)
    nbformat.write(blank_copy(source_notebook(aid)), view / "release" / aid / f"{aid}.ipynb")
    files, release = view_files(view)
    return view, {(x.kind, x.path) for x in scan(files, secrets, view, release=release)}


@pytest.mark.parametrize("kind", ["solution-line", "solution-function", "target-function", "hidden-test",
                                  "hidden-value", "solutions-copy", "solutions-import"])
def test_the_scan_catches_each_kind_of_planted_leak(tmp_path, secrets, base_view, kind):
    """A copy of the student view with one leak planted: the scan finds a new leak of that kind."""
    base, before = base_view
    view = tmp_path / "view"
    shutil.copytree(base, view)
    _plants(secrets)[kind](view)
    files, release = view_files(view)
    after = {(x.kind, x.path) for x in scan(files, secrets, view, release=release)}
    new = after - before
    assert any(k == kind for k, _ in new), f"planted {kind}, the scan found {sorted(new)}"


def test_the_scan_catches_a_release_that_kept_its_solutions(tmp_path, secrets, base_view):
    """A release notebook with its solution cells filled in (what a broken generate_assignment would
    hand out): solution lines, solution functions and full graded defs are all reported."""
    from corpus.build import source_notebook, student_copy

    base, before = base_view
    view = tmp_path / "view"
    shutil.copytree(base, view)
    aid = assignment_ids()[0]
    nbformat.write(student_copy(source_notebook(aid)), view / "release" / aid / f"{aid}.ipynb")
    files, release = view_files(view)
    new = {(x.kind, x.path) for x in scan(files, secrets, view, release=release)} - before
    assert {k for k, _ in new} >= {"solution-line", "solution-function", "target-function"}, sorted(new)


def test_no_source_notebook_gives_a_graded_function_outside_its_solution_cells(secrets):
    """Every def named like a graded function (of any assignment: a2 builds on a1's forward, a5 and
    a6 on a1 to a4's cells) sits in a solution cell, where nbgrader's release has only the stub. A
    given copy would hand students another assignment's answer, whatever the release scan allows."""
    given = []
    for aid in assignment_ids():
        nb = nbformat.read(REPO / "assignments" / aid / f"{aid}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and not _meta(cell).get("solution"):
                given += [f"{aid}: cell {cell.get('id')}: def {fn.name}" for fn in functions(cell.source)
                          if fn.name in secrets.targets]
    assert not given, "graded functions given outside solution cells:\n" + "\n".join(given)
