"""Isolation without bubblewrap for a grader running as root: submissions run as an
unprivileged user, and what bubblewrap would hide is made unreadable to that user.

Gradescope's and most CI containers run the grader as root and forbid the user namespaces
bubblewrap needs. There the grading worker, everything it forks and the plain process of
``AUTOGRADER_FORK=0`` run as ``nobody`` (``AUTOGRADER_USER`` names another user, by name or
uid; ``AUTOGRADER_USER=0`` or ``root`` turns this mode off), with no supplementary groups,
and the folders of ``sandbox.layout()`` are closed to it with permission bits:

- a hidden folder (the project root of a source checkout, an installed ``solutions`` or
  ``samples`` package, the home folder, the submissions' and the output folders) loses its
  bits for "other", and for its group when that is the user's group;
- a hidden folder that holds a shown one (the project root holds ``autograder/`` and
  ``.venv/``) keeps only its traverse bit, and each of its entries that is not on the way to
  a shown one is closed in turn (``.git``, ``solutions``, ``assignments``, ``tests``, ...);
- ``/tmp``, ``/var/tmp`` and ``/dev/shm`` stay as they are (the user needs somewhere to
  write); the worker gets a home folder of its own, owned by the user, in a root-owned
  folder made for this grader (``autograder-user-*`` in the temporary folder), and its
  working directory is a root-owned folder that puts ``autograder`` on its import path.

No permission is ever added: a Python the user cannot reach (a virtual environment under
``/root``) fails the self-test, and grading falls back to plain process isolation with a
warning that the answers are not protected.

The changes are undone when grading ends: when the last ``hold()`` is released
(``release()``, ``sandbox.release()``, or the context manager ``held()``), at the end of
the process (``atexit``), and on SIGTERM or SIGHUP (then the grader dies of the signal as
before). Before any mode changes, the original is written to a journal that only root can
read or write (``$AUTOGRADER_STATE_DIR``, else ``/var/lib/autograder``), with the process
ids of the graders holding the changes, so that two graders at once do not undo each
other's: the modes go back when the last of them ends. A grader killed with SIGKILL leaves
behind the closed modes, the journal and its ``autograder-user-*`` folder (the user's
homes, with what the submissions wrote there): files are then *less* readable than before,
never more. The next grader that starts puts the modes back and removes the folder (the
journal's holders are dead), or ``python -m autograder.user_sandbox --restore`` does it.

Before the modes go back, every process of the user started since grading began is killed
(``end_processes``): a submission's daemon, in a session of its own, outlives its run (as
in plain process isolation; bubblewrap's pid namespace ends it), and must not be there to
read the reference once it is open again. So a process of that user that some other program
starts while grading runs ends with it: name a user of its own in ``AUTOGRADER_USER`` where
``nobody`` runs daemons.

What this mode does not do, unlike bubblewrap: the network is there; other programs' files
in ``/tmp`` that anyone may read stay readable; every run of every submission is the same
user, so two submissions graded at the same time (``--jobs 2``) can signal each other's
processes (not read their memory: the worker is not dumpable), and the process cap
(``Limits.processes``) counts all of them together. Graders that use the same user at the
same time must share the journal (the default folder) so that neither ends the other's
processes or reopens its folders.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

USER_ENV = "AUTOGRADER_USER"            # the user to grade as (name or uid); "0"/"root": none
STATE_ENV = "AUTOGRADER_STATE_DIR"      # where the journal of permission changes lives
DEFAULT_STATE_DIR = "/var/lib/autograder"
NOBODY = 65534                          # uid and gid of nobody/nogroup where pwd does not know them
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


class Unavailable(Exception):
    """This mode cannot be used here; the message says why (it ends up in the warning line)."""


# --- the user ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int


def lookup_user() -> User:
    """The unprivileged user to grade as: ``AUTOGRADER_USER`` (a name or a uid), else
    ``nobody`` (uid and gid 65534 when the system does not list it)."""
    import pwd

    name = os.environ.get(USER_ENV, "").strip() or "nobody"
    try:
        pw = pwd.getpwuid(int(name)) if name.isdigit() else pwd.getpwnam(name)
        user = User(pw.pw_name, pw.pw_uid, pw.pw_gid)
    except KeyError:
        if name.isdigit():
            user = User(name, int(name), int(name))
        elif name == "nobody":
            user = User("nobody", NOBODY, NOBODY)
        else:
            raise Unavailable(f"{USER_ENV}={name} names no user on this system") from None
    if user.uid == 0 or user.gid == 0:
        raise Unavailable(f"{USER_ENV}={name} is root (or in root's group), not an unprivileged user")
    return user


def _may(st: os.stat_result, user: User, bits: int) -> bool:
    """Do the mode bits of ``st`` give ``user`` (no supplementary groups) all of ``bits``
    (4 read, 2 write, 1 execute/traverse)? ACLs are not read: the self-test has the last word."""
    mode = stat.S_IMODE(st.st_mode)
    shift = 6 if st.st_uid == user.uid else 3 if st.st_gid == user.gid else 0
    return (mode >> shift) & bits == bits


def unreachable(path: str | Path, user: User) -> str | None:
    """Why ``user`` cannot reach ``path`` (a folder on the way it cannot traverse, or the
    path itself unreadable); None when it can, as far as the mode bits tell."""
    real = Path(os.path.realpath(path))
    for folder in [*reversed(real.parents), real]:
        try:
            st = os.stat(folder)
        except OSError as exc:
            return f"{folder}: {exc.strerror}"
        if folder != real and not _may(st, user, 1):
            return f"{folder} is not traversable by {user.name}"
    if not _may(st, user, 5 if stat.S_ISDIR(st.st_mode) else 4):
        return f"{real} is not readable by {user.name}"
    return None


# --- what to close ----------------------------------------------------------------------------
def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@dataclass
class Plan:
    """The paths to close (no access for the user) and to leave traverse-only."""

    closed: list[str] = field(default_factory=list)
    traverse: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, hide: list[str], show: list[str]) -> "Plan":
        """Mirror bubblewrap's mounts: a deeper path wins, so a hidden folder inside a shown
        one (``solutions`` in site-packages) is closed, and a shown folder inside a hidden one
        stays reachable through traverse-only folders."""
        show = [os.path.realpath(s) for s in show]
        plan = cls()

        def visit(folder: str) -> None:
            plan.traverse.append(folder)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                return
            for entry in entries:
                path = entry.path
                if path in show or entry.is_symlink():
                    continue            # a symlink's target is closed (or not) where it is
                if any(_under(s, path) for s in show):
                    if entry.is_dir(follow_symlinks=False):
                        visit(path)
                else:
                    plan.closed.append(path)

        for h in sorted({os.path.realpath(h) for h in hide}, key=lambda p: (len(Path(p).parts), p)):
            if h in SHARED_TMP or h in show or not os.path.lexists(h):
                continue
            if any(_under(s, h) for s in show):
                visit(h)
            else:
                plan.closed.append(h)
        plan.closed = list(dict.fromkeys(plan.closed))
        plan.traverse = list(dict.fromkeys(p for p in plan.traverse if p not in plan.closed))
        return plan

    def modes(self, user: User) -> dict[str, tuple[os.stat_result, int]]:
        """path -> (its stat, the mode it must have); only the paths whose mode changes."""
        out = {}
        for kind, paths in (("closed", self.closed), ("traverse", self.traverse)):
            for path in paths:
                try:
                    st = os.lstat(path)
                except FileNotFoundError:
                    continue
                if stat.S_ISLNK(st.st_mode):
                    continue
                if st.st_uid == user.uid:
                    raise Unavailable(f"{path} belongs to {user.name}, who could open it again")
                mode = stat.S_IMODE(st.st_mode)
                other, group = (0o007, 0o070) if kind == "closed" else (0o006, 0o060)
                new = mode & ~other & ~(group if st.st_gid == user.gid else 0)
                if new != mode:
                    out[path] = (st, new)
        return out


# --- the journal ------------------------------------------------------------------------------
def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (with the pid, it names one process)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data[data.rfind(")") + 2:].split()[19]


def state_dir() -> Path:
    """The journal's folder: root's alone (created 0700; refused if anyone else could write it)."""
    folder = Path(os.environ.get(STATE_ENV) or DEFAULT_STATE_DIR)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError as exc:
        raise Unavailable(f"cannot keep the journal of permission changes in {folder}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise Unavailable(f"{folder} (the journal of permission changes) must be a folder only root can write")
    return folder


class Journal:
    """``permissions.json`` in ``state_dir()``: {"holders": {pid: start time}, "changed":
    {path: [original mode, mode set, st_dev, st_ino]}}, read and written under an flock."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or state_dir()
        self.path = self.folder / "permissions.json"

    @contextlib.contextmanager
    def locked(self):
        import fcntl

        fd = os.open(self.folder / "permissions.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                state = json.loads(self.path.read_text())
            except FileNotFoundError:
                state = {}
            except ValueError:          # cut short by a crash while it was written: start over
                state = {}
            for key in ("holders", "roots", "changed"):
                state.setdefault(key, {})
            state.setdefault("since", None)
            state.setdefault("uids", [])
            yield state
        finally:
            os.close(fd)

    def save(self, state: dict) -> None:
        if not state["holders"] and not state["changed"] and not state["roots"] and state["since"] is None:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(state, indent=1).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)


def _prune(state: dict, restore: bool = True) -> list[str]:
    """Forget the holders that are gone, removing their folders; with none left (and
    ``restore``), end the user's processes started since the first hold, then put every
    recorded mode back. The paths left as they are (``_restore``)."""
    alive = {pid: start for pid, start in state["holders"].items() if _start_time(int(pid)) == start}
    for pid in set(state["roots"]) - set(alive):
        root = state["roots"].pop(pid)
        if Path(root).name.startswith("autograder-user-"):
            shutil.rmtree(root, ignore_errors=True)
    state["holders"] = alive
    if not restore or alive:
        return []
    if state.get("since") is not None:
        end_processes(state.get("uids", []), int(state["since"]))
    state["since"], state["uids"] = None, []
    return _restore(state)


def _processes(uids: list[int], since: int) -> list[int]:
    """Live processes with one of ``uids`` (real, effective, saved or file-system) started at or
    after ``since`` (clock ticks after boot)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            stat_line = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat_line[stat_line.rfind(")") + 2:].split()
        ids = next((line.split()[1:] for line in status.splitlines() if line.startswith("Uid:")), [])
        if fields[0] != "Z" and int(fields[19]) >= since and any(int(i) in uids for i in ids):
            out.append(int(entry))
    return out


def end_processes(uids: list[int], since: int, rounds: int = 50) -> list[int]:
    """SIGKILL every process of the graded user started since grading began (a submission's
    daemon in a session of its own would otherwise outlive grading, and read the reference
    once its modes are back), until none is left; the pids killed. The user's process cap
    (``Limits.processes``) bounds what a fork loop can start meanwhile."""
    killed = []
    for _ in range(rounds):
        pids = _processes(uids, since)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass
        time.sleep(0.02)
    return killed


def _restore(state: dict) -> list[str]:
    """Put back each recorded mode the path still has as we set it; the paths left alone."""
    left = []
    for path, (orig, was_set, dev, ino) in sorted(state["changed"].items(), key=lambda kv: -len(kv[0])):
        try:
            st = os.lstat(path)
            if (st.st_dev, st.st_ino) == (dev, ino) and stat.S_IMODE(st.st_mode) == was_set:
                os.chmod(path, orig)
            elif (st.st_dev, st.st_ino) == (dev, ino):
                left.append(f"{path} (its mode was changed meanwhile)")
        except FileNotFoundError:
            pass
        except OSError as exc:
            left.append(f"{path} ({exc.strerror})")
    state["changed"] = {}
    return left


def restore_stale(folder: Path | None = None) -> dict:
    """Put back the modes recorded by graders that are gone (after a SIGKILL), unless one
    that holds them still runs, and remove their folders; what was done."""
    journal = Journal(folder)
    with journal.locked() as state:
        recorded = sorted(state["changed"])
        left = _prune(state)
        journal.save(state)
    return {"restored": [] if state["holders"] else recorded, "left": left, "holders": sorted(state["holders"])}


def restore_if_stale() -> None:
    """``restore_stale`` when a journal is there (a grader was killed); run as any grader starts."""
    folder = Path(os.environ.get(STATE_ENV) or DEFAULT_STATE_DIR)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and (folder / "permissions.json").exists():
        try:
            restore_stale(folder)
        except (OSError, Unavailable):
            pass


# --- holding the changes in this process -------------------------------------------------------
class _Guard:
    """This process's lock on the holds (re-entrant), which knows its owner: a signal that
    arrives while the main thread holds it (inside the journal's flock, which a second flock
    of the same process would wait for forever) is handled when the lock is let go."""

    def __init__(self):
        self.lock = threading.RLock()
        self.owner = None
        self.depth = 0
        self.pending = None

    def __enter__(self):
        self.lock.acquire()
        self.owner = threading.get_ident()
        self.depth += 1

    def __exit__(self, *exc):
        self.depth -= 1
        pending = None
        if self.depth == 0:
            self.owner = None
            pending, self.pending = self.pending, None
        self.lock.release()
        if pending is not None:
            os.kill(os.getpid(), pending)


_LOCK = _Guard()
_HELD = {"count": 0, "owner": None, "root": None, "user": None, "handlers": None, "keys": set()}


def hold(plan: Plan, user: User) -> Path:
    """Close ``plan`` to ``user`` (recorded in the journal first) and make this grader's
    folder; returns that folder. Each ``hold`` needs a ``release``, also when it raises."""
    with _LOCK:
        changes = plan.modes(user)
        journal = Journal()
        me = str(os.getpid())
        if _HELD["count"] == 0 or _HELD["owner"] != os.getpid():
            try:
                root = _make_root(user)
            except OSError as exc:
                raise Unavailable(f"cannot make a folder for the user's homes: {exc}") from None
            _HELD.update(count=0, owner=os.getpid(), user=user, root=root, keys=set())
            _install_handlers()
        _HELD["count"] += 1
        failure = None
        with journal.locked() as state:
            _prune(state, restore=False)    # a killed grader's closed modes stay closed: no gap
            if state.get("since") is None:
                state["since"] = int(_start_time(os.getpid()))
            state["uids"] = sorted(set(state.get("uids") or []) | {user.uid})
            state["holders"][me] = _start_time(os.getpid())
            state["roots"][me] = str(_HELD["root"])
            for path, (st, new) in changes.items():
                rec = state["changed"].get(path)
                if rec is not None and (rec[2], rec[3]) == (st.st_dev, st.st_ino):
                    rec[1] = new        # closed further: the original stays the first one seen
                else:
                    state["changed"][path] = [stat.S_IMODE(st.st_mode), new, st.st_dev, st.st_ino]
            journal.save(state)         # on disk before any mode changes
            for path, (st, new) in changes.items():
                try:
                    os.chmod(path, new)
                except OSError as exc:
                    failure = f"cannot change the permissions of {path}: {exc.strerror}"
                    break
        if failure is not None:
            release()
            raise Unavailable(failure)
        return _HELD["root"]


def release(force: bool = False) -> None:
    """End one ``hold`` (all of them with ``force``); with none left, put the modes back (unless
    another grader still holds them) and remove this grader's folder."""
    with _LOCK:
        if _HELD["owner"] != os.getpid() or _HELD["count"] == 0:
            return
        _HELD["count"] = 0 if force else _HELD["count"] - 1
        if _HELD["count"]:
            return
        try:
            journal = Journal()
            with journal.locked() as state:
                state["holders"].pop(str(os.getpid()), None)
                _prune(state)
                journal.save(state)
        finally:
            root, _HELD["root"] = _HELD["root"], None
            if root is not None:
                shutil.rmtree(root, ignore_errors=True)


def ensure(key, plan: Callable[[], Plan], user: User) -> Path:
    """``hold`` the plan of ``key`` (a layout) once: until ``release(force=True)`` or the end of
    the process. This grader's folder."""
    with _LOCK:
        if _HELD["owner"] == os.getpid() and _HELD["count"] and key in _HELD["keys"]:
            return _HELD["root"]
        root = hold(plan(), user)
        _HELD["keys"].add(key)
        return root


@contextlib.contextmanager
def held(plan: Plan, user: User):
    root = hold(plan, user)
    try:
        yield root
    finally:
        release()


def _make_root(user: User) -> Path:
    """This grader's folder: traversable, not listable, by the user; ``lib/`` (root's, not
    writable by the user) holds a link to the ``autograder`` package, for the import path and
    the working directory; the homes are made inside by ``new_home``."""
    root = Path(tempfile.mkdtemp(prefix="autograder-user-"))
    os.chmod(root, 0o711)
    lib = root / "lib"
    lib.mkdir(mode=0o755)
    os.chmod(lib, 0o755)
    (lib / "autograder").symlink_to(Path(__file__).resolve().parent, target_is_directory=True)
    return root


def new_home(prefix: str = "home-") -> Path:
    """A fresh folder owned by the user (mode 0700) in this grader's folder."""
    with _LOCK:
        root, user = _HELD["root"], _HELD["user"]
        if root is None:
            raise RuntimeError("new_home() outside hold()")
        home = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
        os.chown(home, user.uid, user.gid)
        return home


def _install_handlers() -> None:
    """``release`` at the end of the process, and on SIGTERM and SIGHUP where they would
    kill it (they are left alone when a program handles or ignores them)."""
    if _HELD.get("handlers") != os.getpid():
        _HELD["handlers"] = os.getpid()
        atexit.register(release, True)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, _on_signal)


def _on_signal(signum, frame) -> None:
    """Put the modes back, then die of the signal as before."""
    if _LOCK.owner == threading.get_ident():
        _LOCK.pending = signum          # in the middle of a hold or release: when it is done
        return
    try:
        release(force=True)
    finally:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


# --- the self-test ------------------------------------------------------------------------------
SELF_TEST = r"""
import json, os, sys
want = json.loads(sys.stdin.read())
problems = []
if (os.getuid(), os.geteuid(), os.getgid()) != (want["uid"], want["uid"], want["gid"]) or 0 in os.getgroups():
    problems.append(f"runs as uid {os.getuid()} gid {os.getgid()} groups {os.getgroups()}")
for name in ("solutions", "samples"):
    try:
        mod = __import__(name)
    except Exception:              # not there (ImportError), or not readable (PermissionError)
        continue
    try:
        files = [f for p in getattr(mod, "__path__", []) if os.path.isdir(p) for f in os.listdir(p)]
    except OSError:
        files = []
    if getattr(mod, "__file__", None) or files:
        problems.append(f"'import {name}' finds the reference")
for path in want["closed"] + want["traverse"]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").close()
        problems.append(f"{path} is readable")
    except PermissionError:
        pass
    except OSError:
        pass
with open(os.path.join(os.environ["HOME"], "written"), "w") as f:
    f.write("ok")
import autograder.worker
print("SELFTEST", "ok" if not problems else "; ".join(problems[:5]))
"""


def self_test(plan: Plan, user: User, env: dict, cwd: str) -> str | None:
    """Start Python as ``user`` the way a worker starts: it must import ``autograder.worker``,
    be that user with no other group, write its home, and fail to list or open every closed
    path (``solutions`` among them). None when it passes, else what went wrong."""
    want = {"uid": user.uid, "gid": user.gid, "closed": plan.closed, "traverse": plan.traverse}
    try:
        proc = subprocess.run([sys.executable, "-c", SELF_TEST], input=json.dumps(want), capture_output=True,
                              text=True, timeout=60, env=env, cwd=cwd, user=user.uid, group=user.gid,
                              extra_groups=[])
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{user.name} cannot run {sys.executable}: {exc}"
    out = proc.stdout.strip().splitlines()
    verdict = out[-1] if out else ""
    if proc.returncode == 0 and verdict == "SELFTEST ok":
        return None
    err = proc.stderr.strip().splitlines()
    return (verdict.removeprefix("SELFTEST ").strip() or (err[-1] if err else "")
            or f"exit code {proc.returncode}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.user_sandbox",
                                     description="Put back the file modes a killed grader left closed.")
    parser.add_argument("--restore", action="store_true", required=True,
                        help="restore the modes recorded in the journal by graders that are no longer running")
    parser.add_argument("--state-dir", default=None,
                        help=f"the journal's folder (default: ${STATE_ENV}, else {DEFAULT_STATE_DIR})")
    args = parser.parse_args(argv)
    try:
        done = restore_stale(Path(args.state_dir) if args.state_dir else None)
    except Unavailable as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    if done["holders"]:
        print(f"graders still running (pids {', '.join(done['holders'])}): nothing restored")
    else:
        print(f"restored the modes of {len(done['restored'])} paths")
    for line in done["left"]:
        print(f"left as it is: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
