"""What an assignment grades: exercises, their cases and their points.

An assignment spec lives in ``autograder/specs/<assignment_id>.py`` and defines a
module-level ``ASSIGNMENT = Assignment(...)``. The same spec drives all three ways of
grading (student self-check, the nbgrader test cells, ``autograder grade``), so the
points a student sees in JupyterLab are the points the instructor's gradebook shows.

A spec is shipped to students (the self-check needs it). It therefore holds inputs and
seeds but never an expected value: public expected values are data generated from the
reference (``autograder/data/<assignment_id>.json``), hidden ones are computed from
``solutions`` at grading time only.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

Kind = Literal["function", "value", "formula", "gradient", "choice", "metric"]


@dataclass(frozen=True)
class Case:
    """One graded evaluation of a student's target.

    name:   shown to the student, e.g. ``"N=2, D=3, H=4"``.
    inputs: keyword arguments for the target (plain arrays and numbers). Empty for
            ``value`` and ``choice`` exercises.
    points: what passing this case is worth.
    hidden: hidden cases run at grading time only; their expected values never leave
            the grader, and their feedback shows no values.
    """

    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    points: float = 1.0
    hidden: bool = False


@dataclass(frozen=True)
class HiddenCases:
    """Randomized cases generated from a seed at grading time.

    ``make_inputs(rng)`` returns the keyword arguments of one case; it is called ``n``
    times with ``numpy.random.default_rng(seed)``.
    """

    n: int
    seed: int
    make_inputs: Callable[[Any], dict]
    points: float = 1.0

    def cases(self) -> tuple[Case, ...]:
        import numpy as np

        rng = np.random.default_rng(self.seed)
        return tuple(
            Case(name=f"hidden {k + 1}", inputs=self.make_inputs(rng), points=self.points, hidden=True)
            for k in range(self.n)
        )


@dataclass(frozen=True)
class Exercise:
    """One graded question; graded by the nbgrader test cell with the same ``grade_id``.

    grade_id:  nbgrader grade id of the test cell (also the Gradescope test name prefix).
    target:    the name the student defines in the notebook (function or variable).
    kind:      ``function``: call target(**inputs), compare the returned ``outputs``;
               ``value``: compare the variable ``target`` itself;
               ``formula``: a sympy expression or a Python function of (d, h);
               ``gradient``: call ``forward`` then target (a backward) and compare the
               gradients with the reference and with numerical gradients;
               ``choice``: a multiple-choice or short answer (string or number);
               ``metric``: call target(**inputs) (e.g. a training run); the reference is a
               scorer ``(outputs, inputs) -> float`` run in the grader's process on what
               came back (e.g. accuracy of returned weights on held-out data), and the
               case passes when the metric reaches ``threshold``.
    reference: ``"module:attribute"`` in ``solutions`` that computes the expected
               value(s) from the same inputs (instructor side only).
    outputs:   names of the returned values that are compared, in order. Returned
               values beyond these (caches) are ignored.
    public:    fixed cases, shown to students, expected values stored as data.
    hidden:    randomized cases run at grading time only.
    variants:  names of known wrong implementations in ``solutions.variants``; when the
               student's output matches one, the feedback gets a HINT line.
    hints:     HINT sentences of this exercise's own variants, by variant name, written
               beside the exercise (``"HINT: your output matches ..."``); a variant
               shared by many exercises keeps its sentence in ``autograder.hints``.
    non_finite_hint: the HINT for an output with NaN or inf, where the known mistake
               overflows (a softmax without the max shift) and so cannot be matched
               value for value like the ``variants``.
    forward:   for ``gradient`` exercises, the student's forward function name.
    uses:      grade ids of earlier ``function`` or ``gradient`` exercises whose targets
               this exercise's target (or its forward) calls, like lstm_gates in
               lstm_step_forward: when one of them fails, the feedback names it, and
               grading carries its error forward where it can lend a correct function
               (``autograder.dependencies``).
    symbols:   for ``formula`` exercises, the free symbols of the expression.
    threshold: for ``metric`` exercises, the value to reach (``>=`` when
               ``higher_is_better``, else ``<=``).
    timeout:   seconds allowed for evaluating all cases of this exercise (training
               runs need more than the engine's default).
    """

    grade_id: str
    target: str
    kind: Kind
    reference: str
    outputs: tuple[str, ...] = ("out",)
    public: tuple[Case, ...] = ()
    hidden: HiddenCases | None = None
    variants: tuple[str, ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)
    non_finite_hint: str = ""
    forward: str | None = None
    uses: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ("d", "h")
    threshold: float | None = None
    higher_is_better: bool = True
    timeout: float | None = None
    rtol: float = 1e-6
    atol: float = 1e-8
    description: str = ""

    def cases(self, *, hidden: bool) -> tuple[Case, ...]:
        """The public cases, or (``hidden=True``) the hidden ones."""
        if not hidden:
            return self.public
        return self.hidden.cases() if self.hidden is not None else ()

    @property
    def public_points(self) -> float:
        return float(sum(c.points for c in self.public))

    @property
    def hidden_points(self) -> float:
        return float(self.hidden.n * self.hidden.points) if self.hidden is not None else 0.0

    @property
    def max_points(self) -> float:
        return self.public_points + self.hidden_points


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    exercises: tuple[Exercise, ...]

    def __post_init__(self):
        """Each exercise's ``uses`` names earlier ``function`` or ``gradient`` exercises (the
        ones whose targets student code calls; see ``autograder.dependencies``)."""
        seen: dict[str, Exercise] = {}
        for ex in self.exercises:
            for gid in ex.uses:
                dep = seen.get(gid)
                if dep is None:
                    raise ValueError(f"exercise {ex.grade_id!r} uses {gid!r}, which is not an earlier exercise "
                                     f"of {self.id!r}")
                if dep.kind not in ("function", "gradient"):
                    raise ValueError(f"exercise {ex.grade_id!r} uses {gid!r}, a {dep.kind} exercise: only "
                                     "functions (function and gradient exercises) are called by other code")
            seen[ex.grade_id] = ex

    def exercise(self, grade_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.grade_id == grade_id:
                return ex
        known = ", ".join(e.grade_id for e in self.exercises)
        raise KeyError(f"assignment {self.id!r} has no exercise {grade_id!r}; expected one of: {known}")

    @property
    def max_points(self) -> float:
        return float(sum(e.max_points for e in self.exercises))


def load(assignment_id: str, *, stored_inputs: bool = True) -> Assignment:
    """Import ``autograder.specs.<assignment_id>`` and return its ``ASSIGNMENT``.

    stored_inputs: take the public cases' inputs from the shipped data file, exactly as
    they were when their expected values were computed (``autograder.casedata``); raises
    ``casedata.StaleData`` when the spec has changed since. ``False`` gives the spec's own
    computation (``build_data`` uses it).
    """
    if not assignment_id.isidentifier():
        raise ValueError(f"assignment id must be a Python identifier like 'a1_rnn', got {assignment_id!r}")
    try:
        module = importlib.import_module(f"autograder.specs.{assignment_id}")
    except ModuleNotFoundError as exc:
        raise KeyError(f"no spec for assignment {assignment_id!r} (looked for autograder/specs/{assignment_id}.py)") from exc
    if not stored_inputs:
        return module.ASSIGNMENT
    from autograder import casedata

    return casedata.with_stored_inputs(module.ASSIGNMENT)


SPECS_PATH_ENV = "AUTOGRADER_SPECS_PATH"


def spec_file(assignment_id: str, spec_path: str | None = None) -> str | None:
    """The absolute path of a spec that is not part of the package (``spec_path``, else
    ``<AUTOGRADER_SPECS_PATH>/<id>.py`` when it exists), or None for ``autograder/specs``."""
    if not spec_path and os.environ.get(SPECS_PATH_ENV):
        candidate = Path(os.environ[SPECS_PATH_ENV]) / f"{assignment_id}.py"
        if candidate.exists():
            spec_path = str(candidate)
    return str(Path(spec_path).resolve()) if spec_path else None


def load_assignment(assignment_id: str, spec_path: str | None = None) -> Assignment:
    """The assignment spec: ``autograder/specs/<id>.py``, or a file given by path.

    ``spec_path`` (``--spec`` on the command line) or the environment variable
    ``AUTOGRADER_SPECS_PATH`` (a folder holding ``<id>.py``) load a spec that is not part
    of the package, e.g. the small spec the tests use; it is imported as the module
    ``autograder_spec_<id>`` (its references can name themselves so).
    """
    spec_path = spec_file(assignment_id, spec_path)
    if not spec_path:
        return load(assignment_id)
    from autograder import casedata

    module_name = f"autograder_spec_{assignment_id}"
    if module_name in sys.modules:
        return casedata.with_stored_inputs(sys.modules[module_name].ASSIGNMENT)
    spec = importlib.util.spec_from_file_location(module_name, spec_path)
    if spec is None or spec.loader is None:
        raise KeyError(f"cannot load a spec from {spec_path!r}: expected a Python file defining ASSIGNMENT")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    assignment = module.ASSIGNMENT
    if assignment.id != assignment_id:
        raise KeyError(f"spec {spec_path} defines assignment {assignment.id!r}, expected {assignment_id!r}")
    return casedata.with_stored_inputs(assignment)


def assignment_ids() -> list[str]:
    """The ids of the specs in ``autograder/specs``, in course order."""
    return sorted(p.stem for p in (Path(__file__).resolve().parent / "specs").glob("*.py") if p.stem != "__init__")


def _digest(paths) -> str | None:
    h, any_file = hashlib.sha256(), False
    for path in paths:
        path = Path(path)
        if path.is_file():
            any_file = True
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12] if any_file else None


def graded_against(assignment_id: str, spec_path: str | None = None) -> dict:
    """What a grade of ``assignment_id`` depends on, as short digests of file contents: the
    spec, its public-case data and the reference (the ``solutions`` package, None where it
    is not installed), and the grader's version. A result graded against other digests is
    out of date: the points, cases or expected values may have changed since."""
    from autograder import casedata

    spec = spec_file(assignment_id, spec_path) or Path(__file__).resolve().parent / "specs" / f"{assignment_id}.py"
    try:
        found = importlib.util.find_spec("solutions")
    except (ImportError, ValueError):
        found = None
    reference = None
    if found is not None:
        folders = [Path(p) for p in (found.submodule_search_locations or [])]
        reference = _digest(sorted(f for d in folders for f in d.rglob("*.py") if "__pycache__" not in f.parts))
    try:
        from importlib.metadata import PackageNotFoundError, version
        grader = version("rnn-course")
    except (ImportError, PackageNotFoundError):
        grader = None
    return {"spec": _digest([spec]), "data": _digest([casedata.data_path(assignment_id)]),
            "reference": reference, "autograder": grader}


def resolve(dotted: str) -> Any:
    """``"solutions.rnn:rnn_step_forward"`` -> the object. Instructor side only."""
    module_name, _, attr = dotted.partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj
