"""The part of the isolated grader that runs one submission: its runs, their limits, retries.

``RunSupervisor._run`` runs the notebook in a worker (``autograder.workers``) until every
requested case has been evaluated. Each run (``_attempt``) is followed frame by frame
(``autograder.wire``): the supervisor knows which cell or case the child is in and kills
the run's whole process group at that phase's limit (the cell timeout, the exercise's
timeout, or the submission's budget). A run that died in a cell is repeated without that
cell; one that died in a case is repeated from the next case; the notes say what happened.

A case evaluated with lent functions (``RunState.replace``, see ``autograder.dependencies``)
sends ``call`` frames; each is answered on the run's reply stream, written as the stream
takes it so that a child that does not read cannot block the grader.

``IsolatedGrader`` (``autograder.grade``) supplies what this needs: ``limits``, ``budget``,
``exercise_timeout``, ``cases``, the worker class, the job's shapes and inputs, and
``answer_call``.
"""
from __future__ import annotations

import select
import signal
import time
from dataclasses import dataclass, field

from autograder import wire
from autograder.workers import WorkerDied, close_stream, read_stream, write_stream

SIGNAL_NAMES = {int(s): s.name for s in signal.Signals}
MAX_CALLS = 100_000             # calls to lent functions (autograder.dependencies) in one case


@dataclass
class Attempt:
    """What one child run reported."""

    finished: bool = False          # sent "done"
    phase: tuple = ("setup",)       # ("setup",) ("cell", k) ("between",) ("case", gid, i)
    killed_for: str | None = None   # why we killed it
    died: str | None = None         # how it ended, when not normally
    protocol_error: str | None = None
    worker_lost: bool = False
    # the supervisor's bookkeeping while the run goes on
    run: int = 0
    phase_start: float = 0.0        # when the current cell or case began
    ex_start: dict = field(default_factory=dict)      # grade id -> when its first case began
    exited: float | None = None     # when the run's process was reported gone
    kill_sent_at: float | None = None
    replies: bytearray = field(default_factory=bytearray)   # answers to calls, not yet written
    calls: int = 0                  # calls to lent functions in the current case


@dataclass
class RunState:
    """Everything known about one submission across its child runs."""

    cells: list
    pending: list                   # (grade_id, i) still to evaluate
    deadline: float
    skip_cells: set = field(default_factory=set)
    cell_errors: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    evaluated: dict = field(default_factory=dict)     # (gid, i) -> values dict | message
    output: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    timed_out: bool = False
    crashed: bool = False
    grader_error: bool = False
    replace: dict = field(default_factory=dict)       # (gid, i) -> grade ids lent for that case
    trace: dict = field(default_factory=dict)         # (gid, i) -> grade ids whose calls are reported
    called: dict = field(default_factory=dict)        # (gid, i) -> targets the student's code called
    again: bool = False             # a run for error carried forward: only verdicts and calls count


class RunSupervisor:
    """Runs of one submission; mixed into ``IsolatedGrader``."""

    def _run(self, state: RunState, worker_box: list) -> None:
        """Run the notebook until every case is evaluated: after a run that died in a cell,
        again without that cell; after one that died in a case, again from the next case."""
        attempts = 0
        while True:
            attempts += 1
            if time.monotonic() >= state.deadline:
                state.timed_out = True
                state.notes.append(f"the submission used up its time budget of {self.budget:g} s")
                return
            att = self._attempt(state, self._ready_worker(worker_box))
            if att.worker_lost:
                worker_box[0].kill()
                worker_box[0] = None
            if att.finished or not state.pending and att.phase[0] != "cell":
                return
            how = att.killed_for or att.died or "ended unexpectedly"
            if att.protocol_error:
                # Treated like a crash where it happened: that cell is skipped, or that case fails.
                att.killed_for = None
                how = f"it sent malformed data to the grader: {att.protocol_error}"
            if att.phase[0] == "cell":
                go_on = self._after_cell(state, att, how)
            elif att.phase[0] == "case":
                go_on = self._after_case(state, att, how)
            else:
                # Outside any cell or case (starting up, or between two of them): nothing to skip,
                # so running again would only do the same.
                state.crashed = att.killed_for is None
                state.timed_out = att.killed_for is not None
                where = "before its first cell" if att.phase[0] == "setup" else "outside any cell or case"
                state.notes.append(f"the submission's process ended {where} ({how})")
                go_on = False
            if not go_on or attempts >= self.limits.attempts or not state.pending:
                if go_on and state.pending:
                    state.notes.append(f"gave up after {attempts} runs of the notebook")
                return

    def _ready_worker(self, worker_box: list):
        """The slot's worker, started (or replaced) if it is not alive."""
        if worker_box[0] is not None and not worker_box[0].ready and worker_box[0].alive:
            try:
                worker_box[0].wait_ready()          # pre-spawned by the batch
            except WorkerDied:
                worker_box[0] = None
        if worker_box[0] is None or not worker_box[0].alive:
            if worker_box[0] is not None:
                worker_box[0].kill()
            w = self.Worker(self.box, self.assignment_id, self.spec_path)
            w.start()
            worker_box[0] = w
        return worker_box[0]

    def _after_cell(self, state: RunState, att: Attempt, how: str) -> bool:
        """The run ended in a cell: skip it from now on. False when the budget is spent."""
        k = att.phase[1]
        state.skip_cells.add(k)
        if att.killed_for == "cell timeout":
            state.timed_out = True
            state.notes.append(f"cell {k} ran longer than {self.limits.timeout_cell:g} s; it was stopped and the "
                               "notebook re-run without it")
        elif att.killed_for == "budget":
            state.timed_out = True
            state.notes.append(f"cell {k} was running when the submission used up its time budget of {self.budget:g} s")
            return False
        elif att.protocol_error:
            state.crashed = True
            state.notes.append(f"cell {k} was stopped because {how}; the notebook was re-run without it")
        else:
            state.crashed = True
            state.notes.append(f"cell {k} ended its process ({how}); the notebook was re-run without it")
        return True

    def _after_case(self, state: RunState, att: Attempt, how: str) -> bool:
        """The run ended while evaluating a case: that case (or, past the exercise's time limit,
        the exercise's remaining cases) fails. False when the budget is spent."""
        gid, i = att.phase[1], att.phase[2]
        if att.killed_for == "exercise timeout":
            state.timed_out = True
            msg = f"evaluating {gid} took longer than its limit of {self.exercise_timeout(gid):g} s; it was stopped"
            state.notes.append(msg)
            for key in [k for k in state.pending if k[0] == gid]:
                state.evaluated[key] = msg
                state.pending.remove(key)
        elif att.killed_for == "budget":
            state.timed_out = True
            state.notes.append(f"evaluating {gid} was running when the submission used up its time budget of "
                               f"{self.budget:g} s")
            return False
        else:
            state.crashed = True
            state.notes.append(f"evaluating {gid} [{self.cases[(gid, i)][1].name}] ended the process ({how})")
            state.evaluated[(gid, i)] = f"the submission's process died while evaluating this case ({how})"
            if (gid, i) in state.pending:
                state.pending.remove((gid, i))
        return True

    def _attempt(self, state: RunState, worker) -> Attempt:
        """One run of the notebook in ``worker``: send the job, then follow its frames, its
        output and its exit until it ends, killing it at the limit of the phase it is in."""
        worker.runs += 1
        att = Attempt(run=worker.runs, phase_start=time.monotonic())
        job = {"cells": [c for c in state.cells if c[0] not in state.skip_cells],
               "cases": [list(k) for k in state.pending],
               "shapes": self._shapes(state.pending),
               "inputs": self._inputs(state.pending),
               "replace": {f"{gid}/{i}": list(deps) for (gid, i), deps in state.replace.items()
                           if (gid, i) in state.pending},
               "trace": {f"{gid}/{i}": list(deps) for (gid, i), deps in state.trace.items()
                         if (gid, i) in state.pending},
               "again": state.again,
               "limits": self.limits.child_limits(self.budget)}
        try:
            msg_r, out_r, reply_w = worker.begin(att.run, job)
        except WorkerDied:
            att.worker_lost = True
            att.died = "the grading worker was gone"
            return att
        reader = wire.FrameReader()
        open_fds = {msg_r, out_r}
        try:
            while not (att.exited is not None and not open_fds):
                now = time.monotonic()
                limit, reason = self._limit(state, att)
                if att.exited is None and att.kill_sent_at is None and now >= limit:
                    att.killed_for = reason
                    if not self._kill(worker, att):
                        break
                if att.kill_sent_at is not None and att.exited is None and now - att.kill_sent_at > 5:
                    att.worker_lost = True      # the worker does not answer: replace it
                    break
                if att.exited is not None and now - att.exited > 3:
                    break                       # something still holds the pipes open
                wait = max(0.0, min(limit - now, 0.5)) if att.kill_sent_at is None else 0.2
                rlist = list(open_fds) + ([worker.sock] if att.exited is None else [])
                wlist = [reply_w] if att.replies and att.exited is None else []
                ready, writable, _ = select.select(rlist, wlist, [], wait)
                if writable:
                    del att.replies[:write_stream(reply_w, bytes(att.replies[:1 << 16]))]
                for fd in ready:
                    if fd is worker.sock:
                        self._on_control(worker, att)
                        continue
                    try:
                        data = read_stream(fd)
                    except BlockingIOError:
                        continue
                    if not data:
                        open_fds.discard(fd)
                        close_stream(fd)
                    elif fd == out_r:
                        self._on_output(state, data)
                    elif not att.protocol_error and not self._on_frames(state, att, reader, data, worker):
                        break
        finally:
            for fd in open_fds:
                close_stream(fd)
            close_stream(reply_w)
        if att.worker_lost and att.exited is None:
            att.died = att.died or "the grading worker stopped answering"
        return att

    def _limit(self, state: RunState, att: Attempt) -> tuple[float, str]:
        """When the current phase must end, and what it is called if it does not."""
        if att.phase[0] == "case":
            limit, reason = att.ex_start[att.phase[1]] + self.exercise_timeout(att.phase[1]), "exercise timeout"
        else:                       # a cell, or between two of them
            limit, reason = att.phase_start + self.limits.timeout_cell, "cell timeout"
        return (state.deadline, "budget") if state.deadline < limit else (limit, reason)

    def _kill(self, worker, att: Attempt) -> bool:
        """Ask the worker to kill the run; False when the worker itself is gone."""
        att.kill_sent_at = time.monotonic()
        try:
            worker.send({"cmd": "kill", "run": att.run})
            return True
        except WorkerDied:
            att.worker_lost = True
            return False

    def _on_control(self, worker, att: Attempt) -> None:
        """A control event: the run's process has exited (how), or the worker is gone."""
        try:
            msg = worker.recv(0)
        except WorkerDied:
            att.worker_lost = True
            att.died = "the grading worker was killed"
            att.exited = time.monotonic()
            return
        if msg and msg.get("event") == "exited" and msg.get("run") == att.run:
            att.exited = time.monotonic()
            if msg.get("signal"):
                att.died = f"killed by signal {SIGNAL_NAMES.get(msg['signal'], msg['signal'])}"
            elif msg.get("code") not in (0, None):
                att.died = f"exit code {msg['code']}"
            elif not att.finished:
                att.died = "exit code 0"

    def _on_output(self, state: RunState, data: bytes) -> None:
        """What the notebook printed: kept up to the output limit, the rest counted."""
        room = self.limits.output_bytes - len(state.output)
        if room > 0:
            state.output += data[:room]
        state.dropped += max(0, len(data) - max(room, 0))

    def _on_frames(self, state: RunState, att: Attempt, reader, data: bytes, worker) -> bool:
        """Frames from the run; a broken one is a protocol error and the run is killed.
        False when the worker itself is gone."""
        try:
            for header, payload in reader.feed(data):
                self._frame(state, att, header, payload, att.ex_start)
                if header.get("t") in ("cell", "cells_done", "case"):
                    att.phase_start = time.monotonic()
            if reader.error is not None:
                raise reader.error
        except wire.ProtocolError as exc:
            att.protocol_error = str(exc)
            if att.kill_sent_at is None:
                return self._kill(worker, att)
        return True

    def _frame(self, state, att, header, payload, ex_start):
        t = header.get("t")
        if t == "cell":
            k = header.get("k")
            att.phase = ("cell", k)
        elif t == "cell_done":
            k = header.get("k")
            if isinstance(header.get("error"), str):
                state.cell_errors[k] = header["error"][:2000]
            else:
                state.cell_errors.pop(k, None)
            att.phase = ("between",)
        elif t == "cells_done":
            att.phase = ("between",)
        elif t == "case":
            key = (header.get("ex"), header.get("i"))
            if key not in self.cases:
                raise wire.ProtocolError(f"case {key!r} was not requested")
            ex_start.setdefault(key[0], time.monotonic())
            att.phase = ("case", key[0], key[1])
            att.calls = 0
        elif t == "call":
            if att.phase[0] != "case":
                raise wire.ProtocolError("a call outside the evaluation of a case")
            key = att.phase[1:]
            if header.get("ex") not in state.replace.get(key, ()):
                raise wire.ProtocolError(f"a call to {header.get('ex')!r}, which is not lent for case {key!r}")
            att.calls += 1
            if att.calls > MAX_CALLS:
                raise wire.ProtocolError(f"more than {MAX_CALLS} calls to lent functions in one case")
            att.replies += self.answer_call(header["ex"], header, payload)
        elif t == "result":
            key = (header.get("ex"), header.get("i"))
            if key not in state.pending:
                raise wire.ProtocolError(f"result for case {key!r} that is not pending")
            if "error" in header:
                err = header["error"]
                if not isinstance(err, str):
                    raise wire.ProtocolError("a result error must be a string")
                state.evaluated[key] = err[:wire.MAX_STRING]
            else:
                state.evaluated[key] = wire.decode_values(header, payload)
            called = header.get("called", [])
            if not (isinstance(called, list) and all(isinstance(c, str) and len(c) <= 200 for c in called)):
                raise wire.ProtocolError("'called' must be a list of function names")
            state.called[key] = called[:100]
            state.pending.remove(key)
            att.phase = ("between",)
        elif t == "done":
            att.finished = True
            att.phase = ("done",)
        else:
            raise wire.ProtocolError(f"unknown frame type {t!r}")
