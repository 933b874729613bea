"""How the grader starts the process that runs a submission: two transports, one interface.

``ForkWorker`` (Linux): one pre-started worker per job slot imports numpy, IPython's input
transformer, the checks and the spec once, then forks a child per run of a notebook
(``autograder.worker``). The job travels in a memfd, the child's frames and output in
pipes passed over a Unix socket, and the worker reports the child's exit through a pidfd.

``PlainProcess`` (anywhere Python runs: macOS, Windows, or Linux with ``AUTOGRADER_FORK=0``):
each run starts ``python -m autograder.worker --direct`` as a plain child process. The job
goes to its standard input, its frames come back on its standard output and everything
the notebook prints on its standard error. Threads copy both streams into socket pairs,
which ``select`` can watch on every platform, and report the exit.

Both give the grader the same handle: ``spawn``/``wait_ready``, ``begin(run, job)`` (which
returns the frame and output streams of the run), ``recv`` (control events such as
``{"event": "exited", ...}``), ``send({"cmd": "kill", ...})``, ``kill``, ``close``. Time
limits are enforced by the grader in both, by killing the run's whole process group
(the process tree on Windows); the memory, CPU, file-size and process caps are set with
``resource`` where it exists (not on Windows).
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from autograder import sandbox as sandbox_mod

FORK_ENV = "AUTOGRADER_FORK"        # "0": never fork a pre-started worker
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


class WorkerDied(Exception):
    pass


def fork_problem() -> str | None:
    """Why this machine cannot use the forking worker (None: it can)."""
    if os.environ.get(FORK_ENV) == "0":
        return f"{FORK_ENV}=0"
    missing = [name for name, ok in (("os.fork", hasattr(os, "fork")), ("os.memfd_create", hasattr(os, "memfd_create")),
                                     ("os.pidfd_open", hasattr(os, "pidfd_open")),
                                     ("socket.send_fds", hasattr(socket, "send_fds"))) if not ok]
    if missing:
        return f"{', '.join(missing)} not available on {sys.platform}"
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError as exc:
        return f"os.pidfd_open fails on this kernel ({exc})"
    return None


def worker_env() -> dict:
    """The environment of a worker: one BLAS thread, no bytecode files, UTF-8 text on every
    system (a Windows pipe would otherwise take the legacy code page and fail on ✅), the
    autograder package importable even when it is only a folder next to the notebook."""
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                PYTHONDONTWRITEBYTECODE="1", PYTHONUTF8="1", PYTHONIOENCODING="utf-8",
                PYTHONPATH=PACKAGE_PARENT + (os.pathsep + path if path else ""))


def read_stream(stream, size: int = 1 << 20) -> bytes:
    """Bytes ready on a stream that ``begin`` returned (an fd or a socket); b"" at its end.
    Raises BlockingIOError when nothing is ready after all."""
    if isinstance(stream, socket.socket):
        try:
            return stream.recv(size)
        except (BlockingIOError, InterruptedError):
            raise BlockingIOError from None
        except OSError:
            return b""
    return os.read(stream, size)


def write_stream(stream, data) -> int:
    """Write what a non-blocking stream from ``begin`` takes now (an fd or a socket); the
    number of bytes written (0 when it is full, or gone)."""
    try:
        return stream.send(data) if isinstance(stream, socket.socket) else os.write(stream, data)
    except (BlockingIOError, InterruptedError):
        return 0
    except OSError:
        return len(data)            # the run is gone: drop what it would have read


def close_stream(stream) -> None:
    try:
        stream.close() if isinstance(stream, socket.socket) else os.close(stream)
    except OSError:
        pass


class _Handle:
    """What both transports share: the control socket the grader reads events from."""

    sock: socket.socket | None = None
    runs: int = 0
    ready: bool = False

    def start(self, timeout: float = 60.0) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def _recv_chunk(self, timeout: float | None) -> bytes | None:
        """Bytes from the control socket; None on timeout; WorkerDied when the worker is gone."""
        if self.sock is None:
            raise WorkerDied("the grading worker is gone")
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            raise WorkerDied("the grading worker exited")
        return data

    def recv(self, timeout: float | None) -> dict | None:
        """One control message; None on timeout; WorkerDied when the worker is gone. (A
        packet socket: one message per packet.)"""
        data = self._recv_chunk(timeout)
        return None if data is None else json.loads(data)


class ForkWorker(_Handle):
    """The parent's handle on one pre-started, forking worker (one child at a time)."""

    kind = "fork"

    def __init__(self, box: sandbox_mod.Sandbox, assignment_id: str, spec_path: str | None):
        self.box, self.assignment_id, self.spec_path = box, assignment_id, spec_path
        self.proc = None
        self.sock = None
        self.runs = 0
        self.ready = False
        self.home = None            # the user sandbox's home of this worker (removed by kill)

    def spawn(self) -> "ForkWorker":
        """Start the worker process without waiting for it (it imports numpy and friends)."""
        self.ready = False
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-m", "autograder.worker", str(child.fileno()), self.assignment_id, self.spec_path or ""]
        self.stderr = tempfile.TemporaryFile()
        env, cwd, self.home = self.box.prepare(worker_env())
        try:
            self.proc = subprocess.Popen(self.box.command(argv), pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
                                         stdout=self.stderr, stderr=self.stderr, env=env, start_new_session=True,
                                         cwd=cwd or tempfile.gettempdir(), **self.box.popen_kwargs())
        finally:
            child.close()
        self.sock = parent
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        try:
            msg = self.recv(timeout)
        except WorkerDied:
            msg = None
        if msg is None or msg.get("event") != "ready":
            detail = (msg or {}).get("message") or self._stderr_tail() or "no message"
            self.kill()
            raise WorkerDied(f"the grading worker did not start: {detail}")
        self.ready = True

    def _stderr_tail(self) -> str:
        try:
            self.stderr.seek(0)
            return self.stderr.read()[-2000:].decode("utf-8", "replace").strip()
        except Exception:
            return ""

    def begin(self, run: int, job: dict):
        """Hand the worker one run; returns (frames, output, replies): the two streams to read
        and the one the grader answers the run's calls on (see ``write_stream``)."""
        job_fd = os.memfd_create("job")
        os.write(job_fd, json.dumps(job).encode())
        os.lseek(job_fd, 0, os.SEEK_SET)
        msg_r, msg_w = os.pipe()
        out_r, out_w = os.pipe()
        reply_r, reply_w = os.pipe()
        for fd in (msg_r, out_r, reply_w):
            os.set_blocking(fd, False)
        try:
            self.send({"cmd": "run", "run": run}, [job_fd, msg_w, out_w, reply_r])
        except WorkerDied:
            for fd in (msg_r, out_r, reply_w):
                os.close(fd)
            raise
        finally:
            for fd in (job_fd, msg_w, out_w, reply_r):
                os.close(fd)
        return msg_r, out_r, reply_w

    def send(self, msg: dict, fds: list[int] = ()) -> None:
        try:
            socket.send_fds(self.sock, [json.dumps(msg).encode()], list(fds))
        except OSError as exc:
            raise WorkerDied(f"the grading worker is gone ({exc})") from None

    def kill(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.sock is not None:
            self.sock.close()
        self.proc = self.sock = None
        self.box.discard(self.home)
        self.home = None

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.send({"cmd": "exit"})
            except WorkerDied:
                pass
        self.kill()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


# A plain run goes through this launcher, so that a notebook that kills its parent process
# kills the launcher (the run ends) and not the grader. A child killed by signal N exits the
# launcher with 128 + N, which also survives bubblewrap (it turns its child's signal death
# into exit code 1).
_LAUNCHER = (
    "import subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:])\n"
    "sys.exit(128 - rc if rc < 0 else rc)\n")
_SIGNAL_EXIT = 128


def _pump(src, dst: socket.socket) -> None:
    """Copy a pipe into a socket until the pipe ends, then close the socket."""
    try:
        while True:
            data = src.read1(1 << 16)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for f in (src, dst):
            try:
                f.close()
            except OSError:
                pass


class PlainProcess(_Handle):
    """A plain child process per run, for machines where the forking worker cannot work."""

    kind = "plain"

    def __init__(self, box: sandbox_mod.Sandbox, assignment_id: str, spec_path: str | None):
        self.box, self.assignment_id, self.spec_path = box, assignment_id, spec_path
        self.proc = None
        self.sock = None            # the grader's end of the control pair
        self._events = None         # the watcher's end
        self.runs = 0
        self.ready = False
        self.closed = False
        self._buf = b""

    def spawn(self) -> "PlainProcess":
        if self.sock is None:
            self.sock, self._events = socket.socketpair()
        self.closed = False
        self.ready = True            # nothing to wait for: each run starts its own process
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        self.ready = True

    def recv(self, timeout: float | None) -> dict | None:
        # A stream socket: events are newline-terminated and may arrive together.
        while b"\n" not in self._buf:
            data = self._recv_chunk(timeout)
            if data is None:
                return None
            self._buf += data
        line, _, self._buf = self._buf.partition(b"\n")
        return json.loads(line)

    def begin(self, run: int, job: dict):
        if self.closed or self.sock is None:
            raise WorkerDied("the grading worker is gone")
        argv = [sys.executable, "-c", _LAUNCHER,
                sys.executable, "-m", "autograder.worker", "--direct", self.assignment_id, self.spec_path or ""]
        extra = ({"start_new_session": True} if os.name == "posix"
                 else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)})
        # the run's temporary files, removed after it (with the user sandbox: a home the user owns)
        env, _, home = self.box.prepare(worker_env(), prefix="run-")
        scratch = str(home) if home is not None else tempfile.mkdtemp(prefix="autograder-run-")
        if self.box.kind != "bwrap":       # bubblewrap gives the run a fresh /tmp of its own
            env.update(TMPDIR=scratch, TEMP=scratch, TMP=scratch)
        try:
            proc = subprocess.Popen(self.box.command(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, cwd=scratch, **extra, **self.box.popen_kwargs())
        except OSError as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise WorkerDied(f"cannot start Python for the submission: {exc}") from None
        self.proc = proc
        frames_r, frames_w = socket.socketpair()
        out_r, out_w = socket.socketpair()
        replies_w, replies_r = socket.socketpair()
        data = json.dumps(job).encode()

        def feed():
            # the job, its length first; then the grader's answers to the run's calls
            try:
                proc.stdin.write(struct.pack(">Q", len(data)) + data)
                proc.stdin.flush()
                while True:
                    chunk = replies_r.recv(1 << 16)
                    if not chunk:
                        break
                    proc.stdin.write(chunk)
                    proc.stdin.flush()
            except OSError:
                pass
            finally:
                for f in (proc.stdin, replies_r):
                    try:
                        f.close()
                    except OSError:
                        pass

        def watch(pumps):
            if os.name == "posix":
                # Whatever the run left behind in its process group dies too. The launcher is
                # waited for without being reaped first, so its pid (the group's id) cannot
                # have been handed to another process when the group is killed.
                try:
                    if hasattr(os, "waitid"):
                        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
            code = proc.wait()
            for t in pumps:
                t.join(timeout=5)
            shutil.rmtree(scratch, ignore_errors=True)
            sig = -code if code < 0 else code - _SIGNAL_EXIT if _SIGNAL_EXIT < code <= _SIGNAL_EXIT + 64 else None
            event = {"event": "exited", "run": run, "code": None if sig else code, "signal": sig}
            try:
                self._events.sendall(json.dumps(event).encode() + b"\n")
            except (OSError, AttributeError):
                pass

        pumps = [threading.Thread(target=_pump, args=(proc.stdout, frames_w), daemon=True),
                 threading.Thread(target=_pump, args=(proc.stderr, out_w), daemon=True)]
        for t in [threading.Thread(target=feed, daemon=True), *pumps]:
            t.start()
        threading.Thread(target=watch, args=(pumps,), daemon=True).start()
        for s in (frames_r, out_r, replies_w):
            s.setblocking(False)
        return frames_r, out_r, replies_w

    def _kill_run(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        if os.name == "posix":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
            proc.kill()

    def send(self, msg: dict, fds: list[int] = ()) -> None:
        if self.closed:
            raise WorkerDied("the grading worker is gone")
        if msg.get("cmd") in ("kill", "exit"):
            self._kill_run()

    def kill(self) -> None:
        self._kill_run()
        self.closed = True
        for s in (self.sock, self._events):
            if s is not None:
                s.close()
        self.sock = self._events = None

    def close(self) -> None:
        self.kill()

    @property
    def alive(self) -> bool:
        return not self.closed and self.sock is not None


def transport(problem: str | None):
    """The worker class to use, given ``fork_problem()``."""
    return ForkWorker if problem is None else PlainProcess
