"""A temporary nbgrader course for one assignment, and the checks every assignment shares.

Use it from ``tests/test_assignment_<id>.py``::

    import pytest
    from nbgrader_harness import NbgraderAssignmentChecks

    @pytest.mark.slow
    class TestA1RnnThroughNbgrader(NbgraderAssignmentChecks):
        assignment_id = "a1_rnn"

That class gets every shared test (generate_assignment runs, the reference scores full
marks, the blank release scores 0 without grader errors, each seeded mistake of
``samples/<id>.py`` loses exactly its points and shows its HINT, the feedback holds no
hidden test, export writes the CSV, the points agree with the spec, each self-check is
fast). It runs nbgrader once per class: one course, one ``autograde`` of all the
submissions, one ``generate_feedback``, one ``export`` (the ``course`` fixture).

The lower-level pieces (``NbgraderCourse``, ``grade_cells``, ``cell_text``, ...) are
usable on their own for extra tests.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # samples/ is importable even before a reinstall
    sys.path.insert(0, str(REPO))

from autograder import spec as spec_module  # noqa: E402
from samples import Mistake, load_mistakes, make_submission, shows  # noqa: E402

REFERENCE = "reference"   # student id of the source notebook (the solutions)
BLANK = "blank"           # student id of the unmodified release
CLOBBERED = "clobbered"   # student id of a submission that rebinds `grader`: every test cell raises
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "hidden=True")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- notebooks ---------------------------------------------------------------------------
def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb) -> dict[str, dict]:
    """grade_id -> nbgrader metadata, for the graded (test) cells of ``nb``."""
    return {m["grade_id"]: m for m in map(nbgrader_meta, nb.cells) if m.get("grade")}


def cell_by_grade_id(nb, grade_id: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    known = [m.get("grade_id") for m in map(nbgrader_meta, nb.cells) if m]
    raise KeyError(f"no cell with grade_id {grade_id!r}; expected one of {known}")


def cell_text(cell) -> str:
    """Everything a code cell printed or raised, ANSI colours removed."""
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(out.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            parts.append(str(out.get("data", {}).get("text/plain", "")))
        elif kind == "error":
            parts.append("\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
    return _ANSI.sub("", "\n".join(parts))


def html_text(html: str) -> str:
    """The visible text of an HTML page (tags dropped, entities decoded): ANSI colours in a
    traceback become <span>s that would split a marker like ``hidden=True``."""
    import html as html_module

    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", "", body))


def errors_in(cell) -> list[str]:
    """``ename: evalue`` of each error output of a cell."""
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def stated_total(nb) -> float:
    """The N of "Total: N points" in the first markdown cell."""
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    m = re.search(r"Total:\s*\**\s*([0-9]+(?:\.[0-9]+)?)\s*\**\s*points", first.source)
    if not m:
        raise AssertionError(f"the first markdown cell does not state 'Total: N points':\n{first.source[:300]}")
    return float(m.group(1))


def fill_release(release_nb, source_nb):
    """The release with every solution cell replaced by the source's (a correct student)."""
    solutions = {c.get("id"): c for c in source_nb.cells if nbgrader_meta(c).get("solution")}
    nb = _copy(release_nb)
    for i, cell in enumerate(nb.cells):
        if nbgrader_meta(cell).get("solution"):
            if cell.get("id") not in solutions:
                raise KeyError(f"release cell {cell.get('id')!r} has no solution cell with the same id in the source")
            nb.cells[i] = _copy(solutions[cell.get("id")])
    return nb


def clobber_grader(source_nb):
    """The source notebook with ``grader = None`` at the end of its first solution cell,
    so that every test cell raises (and prints a traceback with its context lines)."""
    nb = _copy(source_nb)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("solution"))
    cell.source += "\ngrader = None  # overwrites the grader of the setup cell"
    return nb


def _copy(node):
    import copy

    return copy.deepcopy(node)


def run_cells(nb, *, skip_grade_cells: bool = True) -> dict:
    """Execute the code cells of ``nb`` in this process; returns the namespace.

    Grade (test) cells are skipped by default: they are what gets timed separately.
    """
    ns: dict = {"__name__": "__notebook__"}
    for cell in nb.cells:
        if cell.cell_type != "code" or (skip_grade_cells and nbgrader_meta(cell).get("grade")):
            continue
        source = "\n".join(ln for ln in cell.source.split("\n") if not ln.lstrip().startswith(("%", "!")))
        exec(compile(source, f"<cell {cell.get('id')}>", "exec"), ns)
    return ns


# --- the course --------------------------------------------------------------------------
class NbgraderCourse:
    """An nbgrader course in ``root`` holding one assignment copied from the repo."""

    def __init__(self, root: Path, assignment_id: str):
        self.root = Path(root)
        self.assignment_id = assignment_id
        self.log: list[str] = []

    @classmethod
    def create(cls, root: Path, assignment_id: str) -> "NbgraderCourse":
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        src = REPO / "assignments" / assignment_id
        if not src.is_dir():
            raise FileNotFoundError(f"no assignment folder {src}")
        shutil.copytree(src, root / "assignments" / assignment_id,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        return cls(root, assignment_id)

    # paths
    @property
    def nb_name(self) -> str:
        return f"{self.assignment_id}.ipynb"

    def source_path(self) -> Path:
        return self.root / "assignments" / self.assignment_id / self.nb_name

    def release_path(self) -> Path:
        return self.root / "release" / self.assignment_id / self.nb_name

    def autograded_path(self, student: str) -> Path:
        return self.root / "autograded" / student / self.assignment_id / self.nb_name

    def feedback_path(self, student: str) -> Path:
        return self.root / "feedback" / student / self.assignment_id / f"{self.assignment_id}.html"

    def submitted_path(self, student: str) -> Path:
        return self.root / "submitted" / student / self.assignment_id / self.nb_name

    # commands
    def nbgrader(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """``python -m nbgrader ARGS`` in the course folder; fails the test on a non-zero exit."""
        cmd = [sys.executable, "-m", "nbgrader", *args]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        self.log.append(f"$ nbgrader {' '.join(args)}  ({time.perf_counter() - t0:.1f} s, exit {proc.returncode})\n"
                        f"{proc.stdout}{proc.stderr}")
        if proc.returncode != 0:
            raise AssertionError(f"nbgrader {' '.join(args)} exited with {proc.returncode}:\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        return proc

    def generate_assignment(self) -> None:
        self.nbgrader("generate_assignment", self.assignment_id, "--force")

    def submit(self, student: str, nb) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_]+", student):
            raise ValueError(f"student id must be letters, digits and underscores, got {student!r}")
        path = self.submitted_path(student)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def autograde(self, student: str | None = None) -> subprocess.CompletedProcess:
        args = ["autograde", self.assignment_id, "--force"]
        if student:
            args += ["--student", student]
        return self.nbgrader(*args)

    def generate_feedback(self) -> subprocess.CompletedProcess:
        return self.nbgrader("generate_feedback", self.assignment_id, "--force")

    def export(self) -> Path:
        self.nbgrader("export")
        return self.root / "grades.csv"

    def autograder_grade(self, *, timeout: float = 900) -> dict[str, dict[str, float]]:
        """``autograder grade`` on nbgrader's ``submitted/`` folder: student -> grade_id -> score.

        The records are also kept in ``self.autograder_records`` (student -> record)."""
        out = self.root / "autograder_out"
        cmd = [sys.executable, "-m", "autograder", "grade", "--assignment", self.assignment_id,
               "--out", str(out), "--quiet", str(self.root / "submitted")]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        self.log.append(f"$ autograder grade ({time.perf_counter() - t0:.1f} s, exit {proc.returncode})\n"
                        f"{proc.stdout}{proc.stderr}")
        if not (out / "results.jsonl").exists():
            raise AssertionError(f"autograder grade wrote no results.jsonl (exit {proc.returncode}):\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        import json

        self.autograder_records, scores = {}, {}
        for line in (out / "results.jsonl").read_text().splitlines():
            rec = json.loads(line)
            student = Path(rec["path"]).parts[-3]
            self.autograder_records[student] = rec
            per = scores.setdefault(student, {})
            for t in rec["tests"]:
                per[t["grade_id"]] = per.get(t["grade_id"], 0.0) + float(t["score"])
        return scores

    # results
    def source_notebook(self):
        return nbformat.read(self.source_path(), as_version=4)

    def release_notebook(self):
        return nbformat.read(self.release_path(), as_version=4)

    def autograded_notebook(self, student: str):
        return nbformat.read(self.autograded_path(student), as_version=4)

    def feedback_html(self, student: str) -> str:
        return self.feedback_path(student).read_text(encoding="utf-8")

    def scores(self, student: str) -> dict[str, float]:
        """grade_id -> autograded score, read from the course's gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            sub = gb.find_submission_notebook(self.assignment_id, self.assignment_id, student)
            return {g.name: float(g.score) for g in sub.grades}

    def max_scores(self) -> dict[str, float]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            nb = gb.find_notebook(self.assignment_id, self.assignment_id)
            return {c.name: float(c.max_score) for c in nb.grade_cells}

    def export_rows(self) -> list[dict]:
        with open(self.root / "grades.csv", newline="") as fh:
            return list(csv.DictReader(fh))


# --- values that must never reach a student -----------------------------------------------
def hidden_value_needles(assignment, max_per_array: int = 4) -> list[str]:
    """Text fragments of hidden-case inputs as numpy would print them (7 decimals).

    A feedback file that contains one of these shows a hidden input.
    """
    needles = []
    for ex in assignment.exercises:
        for case in ex.cases(hidden=True):
            for value in case.inputs.values():
                arr = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray, float)) else None
                if arr is None or arr.dtype.kind != "f":
                    continue
                picked = [v for v in arr.ravel() if 1e-2 < abs(v) < 1e3][:max_per_array]
                needles += [f"{v:.8f}"[:-1] for v in picked]
    return needles


def time_self_checks(assignment_id: str, release_nb, source_nb) -> dict[str, float]:
    """Seconds per exercise of ``grader.check(grade_id, globals())`` (public cases) in a
    release filled with correct solutions, run in this process."""
    ns = run_cells(fill_release(release_nb, source_nb))
    grader = ns["grader"]
    timings = {}
    for ex in spec_module.load(assignment_id).exercises:
        t0 = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            grader.check(ex.grade_id, ns)
        timings[ex.grade_id] = time.perf_counter() - t0
    return timings


# --- the shared tests ---------------------------------------------------------------------
class NbgraderAssignmentChecks:
    """Mixin of the tests every assignment passes; subclass with ``assignment_id = "..."``."""

    assignment_id: str = ""

    @pytest.fixture(scope="class")
    @classmethod
    def spec(cls):
        return spec_module.load(cls.assignment_id)

    @pytest.fixture(scope="class")
    @classmethod
    def mistakes(cls) -> list[Mistake]:
        return load_mistakes(cls.assignment_id)

    @pytest.fixture(scope="class")
    @classmethod
    def course(cls, tmp_path_factory, mistakes) -> NbgraderCourse:
        course = NbgraderCourse.create(tmp_path_factory.mktemp(cls.assignment_id), cls.assignment_id)
        course.generate_assignment()
        source = course.source_notebook()
        course.submit(REFERENCE, source)
        course.submit(BLANK, course.release_notebook())
        course.submit(CLOBBERED, clobber_grader(source))
        for mistake in mistakes:
            course.submit(mistake.name, make_submission(source, mistake))
        course.autograde()
        course.generate_feedback()
        course.export()
        return course

    @pytest.fixture(scope="class")
    @classmethod
    def autograder_scores(cls, course) -> dict[str, dict[str, float]]:
        return course.autograder_grade()

    def students(self, mistakes) -> list[str]:
        return [REFERENCE, BLANK, CLOBBERED] + [m.name for m in mistakes]

    # the source notebook
    def test_source_notebook_is_clean_nbformat_4_5_with_stable_ids(self):
        path = REPO / "assignments" / self.assignment_id / f"{self.assignment_id}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        ids = [c.get("id") for c in nb.cells]
        assert all(ids) and len(set(ids)) == len(ids), f"cell ids must be present and unique: {ids}"
        with_outputs = [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not with_outputs, f"committed with outputs: {with_outputs}"
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "the source folder holds only the notebook"

    def test_grade_cells_match_the_spec_points_and_call_the_grader(self, spec):
        nb = nbformat.read(REPO / "assignments" / self.assignment_id / f"{self.assignment_id}.ipynb", as_version=4)
        cells = grade_cells(nb)
        assert list(cells) == [e.grade_id for e in spec.exercises]
        for ex in spec.exercises:
            meta = cells[ex.grade_id]
            assert meta["locked"] and not meta["solution"]
            assert float(meta["points"]) == pytest.approx(ex.max_points), ex.grade_id
            src = cell_by_grade_id(nb, ex.grade_id).source
            assert src.startswith('"""Checks '), f"{ex.grade_id}: the test cell opens with a docstring"
            assert f'grader.check("{ex.grade_id}", globals())' in src
            assert f'grader.score("{ex.grade_id}")' in src.strip().split("\n")[-1]
            if ex.hidden is not None:
                assert f'grader.check("{ex.grade_id}", globals(), hidden=True)' in src
                assert src.index("### BEGIN HIDDEN TESTS") < src.index("hidden=True") < src.index("### END HIDDEN TESTS")
        setup = nb.cells[1]
        assert nbgrader_meta(setup) == {**nbgrader_meta(setup), "grade": False, "solution": False,
                                        "locked": True, "grade_id": "setup"}
        assert f'grader = Grader("{self.assignment_id}")' in setup.source

    def test_total_stated_at_the_top_is_the_spec_total(self, spec):
        nb = nbformat.read(REPO / "assignments" / self.assignment_id / f"{self.assignment_id}.ipynb", as_version=4)
        assert stated_total(nb) == pytest.approx(spec.max_points)

    def test_every_named_variant_exists_and_has_its_own_hint_sentence(self, spec):
        from autograder.hints import HINTS
        from solutions.variants import VARIANTS

        for ex in spec.exercises:
            for name in ex.variants:
                assert name in VARIANTS.get(ex.reference, {}), f"{ex.grade_id}: no variant {name!r} of {ex.reference}"
                assert name in ex.hints or name in HINTS, \
                    f"{ex.grade_id}: variant {name!r} has no sentence (Exercise.hints or autograder.hints)"
            assert set(ex.hints) <= set(ex.variants), f"{ex.grade_id}: hints for variants it does not name"
            for name, text in ex.hints.items():
                assert text.startswith("HINT: ") and text.endswith("."), (ex.grade_id, name, text)

    def test_every_named_variant_differs_from_the_reference_on_some_public_case(self, spec):
        """A variant equal to the reference on every public case could never give its HINT in
        a student's self-check. (Formula variants are compared symbolically, not here.)"""
        from autograder.checks import compute_expected, compute_variants

        for ex in spec.exercises:
            if not ex.variants or ex.kind == "formula":
                continue
            seen = set()
            for case in ex.public:
                exp = compute_expected(ex, case)
                for name, out in compute_variants(ex, case).items():
                    if any(not np.allclose(out[k], exp[k]) for k in exp):
                        seen.add(name)
            assert seen == set(ex.variants), (ex.grade_id, set(ex.variants) - seen)

    def test_there_are_at_least_three_seeded_mistakes(self, mistakes):
        assert len(mistakes) >= 3
        assert len({m.name for m in mistakes}) == len(mistakes)

    # nbgrader
    def test_generate_assignment_writes_a_release_without_solutions_or_hidden_tests(self, course, spec):
        release = course.release_notebook()
        text = "\n".join(c.source for c in release.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        for marker in HIDDEN_MARKERS:
            assert marker not in text
        assert text.count("raise NotImplementedError()") >= sum(
            1 for c in release.cells if nbgrader_meta(c).get("solution"))
        assert list(grade_cells(release)) == [e.grade_id for e in spec.exercises]

    def test_nbgrader_max_scores_are_the_spec_points(self, course, spec):
        assert course.max_scores() == {e.grade_id: pytest.approx(e.max_points) for e in spec.exercises}

    def test_reference_solution_autogrades_to_full_marks(self, course, spec):
        got = course.scores(REFERENCE)
        assert got == {e.grade_id: pytest.approx(e.max_points) for e in spec.exercises}, self._outputs(course, REFERENCE)

    def test_blank_release_autogrades_to_zero_without_grader_errors(self, course, spec):
        got = course.scores(BLANK)
        assert got == {e.grade_id: 0.0 for e in spec.exercises}
        nb = course.autograded_notebook(BLANK)
        for ex in spec.exercises:
            cell = cell_by_grade_id(nb, ex.grade_id)
            assert errors_in(cell) == [], f"{ex.grade_id}: the test cell raised:\n{cell_text(cell)}"
            assert re.search(r"^FAIL  ", cell_text(cell), re.M), f"{ex.grade_id}: no verdict FAIL in the feedback"

    def test_seeded_mistakes_lose_exactly_their_points(self, course, spec, mistakes):
        wrong = {}
        for m in mistakes:
            expected = m.expected_scores(spec)
            got = course.scores(m.name)
            if got != pytest.approx(expected):
                wrong[m.name] = {gid: (got[gid], expected[gid]) for gid in expected if got[gid] != pytest.approx(expected[gid])}
        assert not wrong, f"(got, expected) per grade id: {wrong}"

    def test_seeded_mistakes_get_the_promised_hint(self, course, mistakes):
        missing = {}
        for m in mistakes:
            nb = course.autograded_notebook(m.name)
            for gid, fragment in m.expect.items():
                text = cell_text(cell_by_grade_id(nb, gid))
                if not shows(text, fragment):
                    missing[(m.name, gid)] = text[-800:]
        assert not missing, missing

    def test_feedback_contains_no_hidden_test(self, course, spec, mistakes):
        needles = hidden_value_needles(spec)
        for student in self.students(mistakes):
            html = html_text(course.feedback_html(student))
            for marker in HIDDEN_MARKERS:
                assert marker not in html, f"{student}: feedback shows {marker!r}"
            leaked = [n for n in needles if n in html]
            assert not leaked, f"{student}: feedback shows hidden-case values {leaked[:5]}"
            assert "Checks " in html, "the feedback still shows the public part of the test cells"

    def test_tracebacks_in_the_feedback_show_no_hidden_line(self, course, spec):
        """A test cell that raises prints its neighbouring lines as context; none may be hidden."""
        assert course.scores(CLOBBERED) == {e.grade_id: 0.0 for e in spec.exercises}
        nb = course.autograded_notebook(CLOBBERED)
        with_hidden = [e.grade_id for e in spec.exercises if e.hidden is not None]
        for gid in with_hidden:
            assert errors_in(cell_by_grade_id(nb, gid)), f"{gid}: expected the test cell to raise"
        html = html_text(course.feedback_html(CLOBBERED))
        assert "AttributeError" in html and "grader.check" in html, "the traceback is still shown"
        for marker in HIDDEN_MARKERS:
            assert marker not in html

    def test_export_writes_the_csv_with_every_submission(self, course, spec, mistakes):
        rows = {r["student_id"]: r for r in course.export_rows()}
        assert set(self.students(mistakes)) <= set(rows)
        assert float(rows[REFERENCE]["score"]) == pytest.approx(spec.max_points)
        assert float(rows[BLANK]["score"]) == 0.0
        assert float(rows[REFERENCE]["max_score"]) == pytest.approx(spec.max_points)

    def test_autograder_grade_gives_the_same_scores_as_nbgrader(self, course, spec, mistakes, autograder_scores):
        """Same points per grade id for the reference, the blank release and every seeded mistake.

        The clobbered submission is the one expected difference: nbgrader runs its test
        cells (which raise, 0 points), ``autograder grade`` never trusts them and grades
        the correct functions with the spec (full marks)."""
        full = {e.grade_id: pytest.approx(e.max_points) for e in spec.exercises}
        assert autograder_scores.get(CLOBBERED) == full
        differ = {}
        for student in [s for s in self.students(mistakes) if s != CLOBBERED]:
            nbg = course.scores(student)
            ag = {e.grade_id: autograder_scores.get(student, {}).get(e.grade_id) for e in spec.exercises}
            if ag != pytest.approx(nbg):
                differ[student] = {g: (nbg[g], ag[g]) for g in nbg if ag[g] is None or ag[g] != pytest.approx(nbg[g])}
        assert not differ, f"(nbgrader, autograder grade) per grade id: {differ}"
        statuses = {s: course.autograder_records[s]["status"] for s in self.students(mistakes)}
        assert statuses[REFERENCE] == "graded" and statuses[BLANK] == "graded", statuses

    # the student's self-check
    def test_each_self_check_runs_in_under_a_second(self, course):
        timings = time_self_checks(self.assignment_id, course.release_notebook(), course.source_notebook())
        slow = {gid: round(t, 3) for gid, t in timings.items() if t >= 1.0}
        assert not slow, f"self-checks slower than 1 s: {slow}"

    @staticmethod
    def _outputs(course, student) -> str:
        nb = course.autograded_notebook(student)
        return "\n".join(f"[{gid}] {cell_text(cell_by_grade_id(nb, gid))[-600:]}" for gid in grade_cells(nb))


class TrainingAssignmentChecks(NbgraderAssignmentChecks):
    """The shared tests for an assignment whose grading trains models. numpy's BLAS threads
    fight over two cores on a loaded machine during small-matrix training, so the nbgrader
    and ``autograder grade`` children here run with one BLAS thread."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def one_blas_thread(cls):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("OPENBLAS_NUM_THREADS", "1")
            mp.setenv("OMP_NUM_THREADS", "1")
            yield
