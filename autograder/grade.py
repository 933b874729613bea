"""Grading submissions in isolation: ``IsolatedGrader``, what it grades and what it records.

``IsolatedGrader`` reads each submission (``autograder.notebook_io``), runs its student cells in a
child forked by a pre-started worker (``autograder.worker``, inside bubblewrap when it
works, see ``autograder.sandbox``), or in a plain child process per run where forking is
not available (``autograder.workers``), receives plain arrays back, and scores them here,
in the grader's own process, with ``autograder.checks.score``.

Time is enforced by the supervisor (``autograder.supervisor``): a per-cell timeout, a per-exercise evaluation timeout
(``Exercise.timeout``, else the cell timeout) and a per-submission budget (``timeout``
plus the exercises' own timeouts). A child that runs too long is killed with its whole
process group (SIGKILL: a loop that ignores SIGINT/SIGTERM dies too). When a child dies
in a cell (timeout, ``os._exit``, a signal, memory), that cell is skipped and the
notebook re-run without it; when it dies while evaluating a case, that case fails and
evaluation resumes with the next one. Each submission therefore gets the points its
working answers earn, and 0 only for what it broke.

Error carried forward: a failed case of an exercise that uses the student's own failing
earlier functions (``Exercise.uses``) is evaluated again in one more run, with correct
stand-ins for them whose outputs the grader computes (``answer_call``); the case's result
then says where the mistake is, and passes by carried-forward credit when it was only there
(``autograder.dependencies``).

Batches of submissions (``grade_paths``), their result folder and resuming are in
``autograder.batch``; which files are submissions, in ``autograder.submissions``.

Statuses: ``graded`` (ran normally), ``timeout`` (something was stopped for time),
``error`` (the submission's process crashed or broke the protocol, or the grader failed on
it), ``malformed`` (not a readable nbformat-4 notebook; score 0).
"""
from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import dependencies, notebook_io, sandbox as sandbox_mod, wire
from autograder.casedata import encode_input
from autograder.results import CaseResult
from autograder.submissions import Submission, discover
from autograder.supervisor import RunState, RunSupervisor
from autograder.workers import fork_problem, transport
from autograder.spec import graded_against, load_assignment, spec_file

OUTPUT_IN_RECORD = 20_000      # characters of output kept in results.jsonl (all of it in output.txt)
CALL_MAX_ELEMENTS = 1_000_000  # numbers in one argument of a lent function
CALL_MAX_DIM = 10_000          # length of one axis of such an argument


@dataclass
class Limits:
    """Per-submission limits (seconds, megabytes, bytes)."""

    timeout_cell: float = 60.0
    timeout: float = 300.0
    memory_mb: int = 2048
    output_bytes: int = 1_000_000
    file_bytes: int = 64 << 20
    processes: int = 64
    attempts: int = 8

    def child_limits(self, budget: float) -> dict:
        return {"memory_bytes": self.memory_mb << 20, "cpu_seconds": int(budget) + 10,
                "file_bytes": self.file_bytes, "processes": self.processes}


def all_cases(exercise) -> list:
    return list(exercise.cases(hidden=False)) + list(exercise.cases(hidden=True))


class IsolatedGrader(RunSupervisor):
    """Grades submissions of one assignment, each in its own process (see the module docstring;
    the in-kernel grader of the notebooks' test cells is ``autograder.notebook.Grader``)."""

    def __init__(self, assignment_id: str, *, spec_path: str | None = None, limits: Limits | None = None,
                 jobs: int = 1, hidden: bool = True, hide: list = (), markers=None, progress=None,
                 use_sandbox: bool = True):
        import nbformat  # noqa: F401  (a slow first import: pay it before the first submission)
        from autograder import checks

        self.checks = checks
        self.assignment_id = assignment_id
        self.spec_path = spec_file(assignment_id, spec_path)      # the worker loads the same file
        self.assignment = load_assignment(assignment_id, self.spec_path)
        self.limits = limits or Limits()
        self.jobs = max(1, int(jobs))
        self.hidden = hidden
        self.markers = markers if markers is not None else notebook_io.source_markers(assignment_id)
        self.progress = progress
        show = [self.spec_path] if self.spec_path else []
        if use_sandbox:
            self.box = sandbox_mod.probe(extra_hide=list(hide), extra_show=show)
        else:
            self.box = sandbox_mod.Sandbox("process", reason="disabled by the caller")
        self.fork_problem = fork_problem()
        self.Worker = transport(self.fork_problem)
        self.cases = {}          # (gid, i) -> (exercise, case)
        for ex in self.assignment.exercises:
            for i, case in enumerate(all_cases(ex)):
                if case.hidden and not hidden:
                    continue
                self.cases[(ex.grade_id, i)] = (ex, case)
        # each case's earlier exercises: calls to them are watched from the first run on
        self.uses = {key: tuple(d.grade_id for d in dependencies.dependencies(self.assignment, ex))
                     for key, (ex, _) in self.cases.items() if ex.uses}
        self._expected = {}
        self._variants = {}
        self._variants_lock = threading.Lock()
        self._encoded = {}
        self.graded_against = graded_against(assignment_id, spec_path)

    @property
    def isolation_warning(self) -> str | None:
        """One line saying which fallbacks are in force (None: bubblewrap and the forking worker)."""
        parts = []
        if self.box.warning:
            parts.append(self.box.warning)
        if self.fork_problem:
            limits = "" if importlib.util.find_spec("resource") else "; no memory or CPU cap on this system"
            parts.append(f"forking worker unavailable ({self.fork_problem}): each run of the notebook starts a "
                         f"plain Python process, with the same timeouts{limits}")
        if not parts:
            return None
        return parts[0] + "".join(f"; {p}" for p in parts[1:]) if self.box.warning else "note: " + parts[0]

    # -- expected values, computed once per case in the grader's process
    def expected(self, key):
        if key not in self._expected:
            ex, case = self.cases[key]
            self._expected[key] = self.checks.expected(ex, case, assignment_id=self.assignment_id)
        return self._expected[key]

    def variants(self, key) -> dict:
        """The known wrong versions' outputs on a case, computed the first time a submission
        fails it (only a failed case looks for a HINT; a numerical backward takes a while)."""
        with self._variants_lock:
            if key not in self._variants:
                ex, case = self.cases[key]
                try:
                    self._variants[key] = self.checks.variant_outputs(ex, case, assignment_id=self.assignment_id)
                except Exception:  # hints are a bonus; grading goes on without them
                    self._variants[key] = {}
            return self._variants[key]

    def prepare(self) -> None:
        """Compute every expected value now, so a reference problem fails fast."""
        for key in self.cases:
            self.expected(key)

    @property
    def budget(self) -> float:
        return self.limits.timeout + sum(ex.timeout or 0.0 for ex in self.assignment.exercises)

    def exercise_timeout(self, grade_id: str) -> float:
        ex = self.assignment.exercise(grade_id)
        return float(ex.timeout) if ex.timeout else float(self.limits.timeout_cell)

    # -- one submission
    def grade_submission(self, sub: Submission, worker_box: list) -> dict:
        t0 = time.monotonic()
        record = {"id": sub.id, "student": sub.student or sub.path.stem, "path": str(sub.path), "rel": sub.rel,
                  "assignment": self.assignment_id, "submitted_at": sub.submitted_at,
                  "graded_against": self.graded_against, "sandbox": self.box.kind, "worker": self.Worker.kind}
        try:
            if sub.problem:
                raise notebook_io.Malformed(sub.problem)
            nb = notebook_io.parse_notebook(sub.data, str(sub.path))
        except notebook_io.Malformed as exc:
            tests = [self._score(key, f"not graded: the submission is malformed ({exc})") for key in self.cases]
            return self._finish(record, "malformed", str(exc), tests, "", t0)
        cells = notebook_io.cells_to_run(nb, self.markers)
        state = RunState(cells=cells, pending=list(self.cases), deadline=t0 + self.budget, trace=self.uses)
        try:
            self._run(state, worker_box)
        except Exception as exc:  # noqa: BLE001  (a grader failure on one submission must not stop the batch)
            state.grader_error = True
            state.notes.append(f"the grader failed on this submission: {type(exc).__name__}: {exc}")
        tests = []
        for key in self.cases:
            got = state.evaluated.get(key)
            if got is None:
                got = "not evaluated: " + (state.notes[-1] if state.notes else "the submission's process ended early")
            tests.append(self._score(key, got))
        if not state.grader_error:
            try:
                tests = self._carry_forward(state, tests, worker_box)
            except Exception as exc:  # noqa: BLE001  (the submission keeps the points it has)
                state.notes.append(f"error carried forward was not evaluated: {type(exc).__name__}: {exc}")
        status = ("error" if (state.crashed or state.grader_error) else "timeout" if state.timed_out else "graded")
        if state.timed_out and not (state.crashed or state.grader_error):
            status = "timeout"
        message_lines = list(dict.fromkeys(state.notes))
        if sub.others:
            message_lines.append(f"graded {sub.rel}; this student's other notebooks were not: {', '.join(sub.others)}")
        for k in sorted(state.cell_errors):
            error = state.cell_errors[k]     # the worker's words start "cell k" (answers.describe_cell_error)
            message_lines.append(error if error.startswith(f"cell {k}") else f"cell {k} raised {error}")
        output = state.output.decode("utf-8", "replace")
        if state.dropped:
            output += f"\n[output cut: {state.dropped} more bytes were dropped; the limit is {self.limits.output_bytes} bytes]\n"
            message_lines.append(f"the submission printed more than {self.limits.output_bytes} bytes; the rest was dropped")
        return self._finish(record, status, "\n".join(message_lines), tests, output, t0)

    def _score(self, key, got):
        ex, case = self.cases[key]
        exp = self.expected(key)
        result = self.checks.score(ex, case, got, exp, {})
        if not (result.passed or result.unscored) and ex.variants:
            result = self.checks.score(ex, case, got, exp, self.variants(key))
        d = result.to_dict()
        d["grade_id"] = d.get("grade_id") or ex.grade_id
        return d

    def _carry_forward(self, first: RunState, tests: list[dict], worker_box: list) -> list[dict]:
        """Settle each failed case of an exercise that uses the student's failing earlier
        functions (``autograder.dependencies``): evaluated again in one more run of the notebook
        with correct stand-ins for those that can be lent; for the others, the calls the first
        run saw name them."""
        own = {key: CaseResult.from_dict(t) for key, t in zip(self.cases, tests)}
        failing = dependencies.failing_hints(own.values())
        replace, settle = {}, {}
        for key, (ex, _) in self.cases.items():
            if not (own[key].passed or own[key].unscored):
                deps = dependencies.failing_dependencies(self.assignment, ex, failing)
                if deps:
                    settle[key] = tuple(d.grade_id for d in deps)
                    lent = tuple(d.grade_id for d in deps if dependencies.can_lend(d))
                    if lent:
                        replace[key] = lent
        if not settle:
            return tests
        state = first
        if replace:
            state = RunState(cells=first.cells, pending=list(replace), deadline=first.deadline, replace=replace,
                             trace={key: settle[key] for key in replace}, skip_cells=set(first.skip_cells),
                             again=True)
            self._run(state, worker_box)
        out, settled = [], []
        for key, t in zip(self.cases, tests):
            if key in settle:
                ex = self.cases[key][0]
                lent = [self.assignment.exercise(g) for g in replace.get(key, ())]
                got = state.evaluated.get(key) if lent else None
                again = None if got is None else CaseResult.from_dict(self._score(key, got))
                seen = state.called if lent else first.called
                deps = [self.assignment.exercise(g) for g in settle[key]]
                called = [d for d in deps if d.target in seen.get(key, ())]
                # named as root causes: the earlier exercises still wrong once their own cases are settled
                result = dependencies.settle(ex, own[key], again, lent, called, dependencies.failing_hints(settled))
                t = dict(result.to_dict(), grade_id=ex.grade_id)
            out.append(t)
            settled.append(CaseResult.from_dict(t))
        return out

    def answer_call(self, gid: str, header: dict, payload: bytes) -> bytes:
        """The reply frame to a run's call of a lent function (``autograder.dependencies``): the
        reference's outputs on the arguments the student's code passed, or an error. The
        arguments are checked first: the input names of ``gid``'s cases, arrays of at most
        ``CALL_MAX_ELEMENTS`` numbers and ``CALL_MAX_DIM`` along each axis."""
        import numpy as np

        dep = self.assignment.exercise(gid)
        inputs = wire.decode_values(header, payload)         # ProtocolError when malformed
        names = tuple(dep.public[0].inputs)
        try:
            if set(inputs) != set(names) or not all(isinstance(v, np.ndarray) for v in inputs.values()):
                raise ValueError(f"{dep.target} takes the arrays {', '.join(names)}")
            for k, v in inputs.items():
                if v.size > CALL_MAX_ELEMENTS or any(n > CALL_MAX_DIM for n in v.shape):
                    raise ValueError(f"{dep.target}: argument {k} of shape {v.shape} is larger than a correct "
                                     "function is lent for")
            outs, arity = dependencies.reference_outputs(dep, inputs)
            data = [np.asarray(o, dtype="<f8", order="C") for o in outs]
            if sum(a.nbytes for a in data) > wire.MAX_PAYLOAD:
                raise ValueError(f"{dep.target}: the outputs on these arguments are too large to send")
        except (ValueError, MemoryError, self.checks.ReferenceUnavailable) as exc:
            return wire.encode_frame({"error": str(exc)[:500]})
        specs = [{"name": n, "kind": "array", "shape": list(a.shape)} for n, a in zip(dep.outputs, data)]
        return wire.encode_frame({"values": specs, "arity": arity}, b"".join(a.tobytes() for a in data))

    def _finish(self, record, status, message, tests, output, t0):
        record.update({
            "status": status,
            "score": float(sum(t["score"] for t in tests)),
            "max_score": float(self.assignment.max_points if self.hidden else sum(t["max_score"] for t in tests)),
            "message": message,
            "execution_time": round(time.monotonic() - t0, 3),
            "tests": tests,
            "output": output[:OUTPUT_IN_RECORD],
            "full_output": output,
        })
        return record

    def _inputs(self, keys) -> dict:
        """Each case's inputs, exactly as the expected values were computed from them: the
        child evaluates these bits rather than drawing the hidden cases again (a LAPACK call
        with another thread count could give other last bits)."""
        out = {}
        for key in keys:
            _, case = self.cases[key]
            if key not in self._encoded:
                self._encoded[key] = {k: encode_input(v, what=f"{key[0]} input {k!r}") for k, v in case.inputs.items()}
            out[f"{key[0]}/{key[1]}"] = self._encoded[key]
        return out

    def _shapes(self, keys) -> dict:
        """Expected output shapes of public cases, so that rejections can name them."""
        out = {}
        for key in keys:
            ex, case = self.cases[key]
            if case.hidden:
                continue
            exp = self.expected(key)
            out[f"{key[0]}/{key[1]}"] = {k: list(v.shape) for k, v in exp.items()
                                         if k in ex.outputs and hasattr(v, "shape")}
        return out

    # -- batches
    def grade_file(self, path) -> dict:
        """Grade one notebook now (no output folder): the record of ``results.jsonl``."""
        sub = discover([path], self.assignment_id)[0]
        box = [None]
        try:
            rec = self.grade_submission(sub, box)
            rec.pop("full_output", None)
            return rec
        finally:
            if box[0] is not None:
                box[0].close()

    def grade_paths(self, paths, out: str | Path, *, force: bool = False, only=(), config=None) -> list[dict]:
        """Grade each student's submission whose result in ``OUT`` is missing or out of date;
        return the gradebook's records (``autograder.batch``)."""
        from autograder.batch import grade_batch

        return grade_batch(self, paths, out, force=force, only=only, config=config)
