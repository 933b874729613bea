"""File-system and process isolation for ``autograder grade``: Debian's bubblewrap, or a fallback.

With bubblewrap (``/usr/bin/bwrap``) every grading worker runs in its own sandbox:

- the root file system read-only (``--ro-bind / /``), a fresh ``/dev`` and ``/proc``;
- fresh, empty tmpfs over ``/tmp``, ``/var/tmp``, ``/dev/shm`` and the home directory;
- the project root hidden under an empty tmpfs, with only the ``autograder`` package and
  the Python environment bound back read-only, so ``solutions/``, ``samples/``,
  ``assignments/`` and ``.git`` are not there; the same for an installed ``solutions``
  package, the submissions' folders and the output folder;
- new user, pid, network, IPC and UTS namespaces (``--unshare-all``): no network, and the
  submission sees only the processes of its own sandbox;
- ``--die-with-parent``: if the grader dies the sandbox dies with it.

``probe()`` runs a self-test once per process (the sandbox must start, hide the reference
and have no network). When bubblewrap is missing or fails it (or ``AUTOGRADER_BWRAP=0``)
and the grader runs as root, as in Gradescope's and CI's containers, workers run as an
unprivileged user the same folders are closed to with permission bits (``"user"``, see
``autograder.user_sandbox``, which has a self-test of its own). Otherwise grading falls
back to plain process isolation (fork, own process group, resource limits, temporary
directory, an import hook that refuses ``solutions``), which does not protect the answers.
Either fallback is said in one warning line.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder import user_sandbox

BWRAP_ENV = "AUTOGRADER_BWRAP"          # path of bwrap, or "0" to disable it
SYSTEM_DIRS = ("/", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/opt", "/proc", "/dev", "/sys")
WORKER_ENV = {
    "AUTOGRADER_SANDBOX": "bwrap",
    "HOME": "/tmp",
    "MPLBACKEND": "Agg",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass
class Sandbox:
    """How workers are started: ``kind`` is ``"bwrap"``, ``"user"`` (as ``user``, an
    unprivileged user the hidden folders are closed to) or ``"process"`` (neither).
    ``reason``: why not bubblewrap; ``no_user``: why not the user fallback."""

    kind: str
    reason: str = ""
    bwrap: str | None = None
    hide: list[str] = field(default_factory=list)
    show: list[str] = field(default_factory=list)
    user: user_sandbox.User | None = None
    no_user: str = ""

    @property
    def warning(self) -> str | None:
        if self.kind == "bwrap":
            return None
        head = f"warning: bubblewrap sandbox unavailable ({self.reason}); "
        if self.kind == "user":
            return head + (f"grading as the unprivileged user {self.user.name} (uid {self.user.uid}), to whom the "
                           "reference, the submissions and the output folder are closed; no network isolation")
        if _package_dir("solutions") is None:      # a student's machine: no answers here to protect
            return head + "grading with plain process isolation only (no file-system or network isolation)"
        return head + ("plain process isolation only: the answers are NOT protected (a submission can read the "
                       "reference, the other submissions and the output folder)"
                       + (f", because {self.no_user}" if self.no_user else ""))

    def popen_kwargs(self) -> dict:
        """Extra ``subprocess.Popen`` arguments of a worker: the user to run as, no other group."""
        if self.kind != "user":
            return {}
        return {"user": self.user.uid, "group": self.user.gid, "extra_groups": []}

    def plan(self) -> user_sandbox.Plan:
        return user_sandbox.Plan.of(self.hide, self.show)

    def prepare(self, env: dict, prefix: str = "home-") -> tuple[dict, str | None, Path | None]:
        """(environment, working directory, home) of a worker about to start; for ``"user"``
        the hidden folders are closed first (until ``release()`` or the end of the process)
        and the home is a new folder owned by the user: the caller removes it (``discard``).
        Other kinds: ``env`` unchanged, and None for both."""
        if self.kind != "user":
            return env, None, None
        root = user_sandbox.ensure((tuple(self.hide), tuple(self.show)), self.plan, self.user)
        home = user_sandbox.new_home(prefix)
        return user_env(env, root, home), str(root / "lib"), home

    @staticmethod
    def discard(home: Path | None) -> None:
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)

    def command(self, argv: list[str], pass_fd: int | None = None) -> list[str]:
        """The command that runs ``argv`` inside the sandbox (``argv`` itself without one)."""
        if self.kind != "bwrap":
            return list(argv)
        cmd = [self.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--unshare-all", "--die-with-parent", "--new-session"]
        # Mount shallow paths first, so that a deeper one lands on top: the project root is
        # hidden, then its autograder/ shown again; site-packages shown, then solutions/ in
        # it hidden again.
        mounts = [(p, "--tmpfs") for p in set(self.hide)] + [(p, "--ro-bind") for p in set(self.show)]
        for path, kind in sorted(mounts, key=lambda m: (_depth(m[0]), m[1] == "--tmpfs")):
            cmd += [kind, path] if kind == "--tmpfs" else [kind, path, path]
        for key, value in WORKER_ENV.items():
            cmd += ["--setenv", key, value]
        cmd += ["--chdir", "/tmp", "--"]
        return cmd + list(argv)


def user_env(env: dict, root: Path, home: Path) -> dict:
    """A user-mode worker's environment: its own home and temporary folder, and the
    ``autograder`` package on the import path through ``root/lib`` (the project root, which
    holds the package, is traverse-only: Python cannot list it to find the package there)."""
    path = env.get("PYTHONPATH", "")
    return dict(env, HOME=str(home), TMPDIR=str(home), TEMP=str(home), TMP=str(home), AUTOGRADER_SANDBOX="user",
                PYTHONPATH=str(root / "lib") + (os.pathsep + path if path else ""))


def release() -> None:
    """Put back the permissions the user fallback closed (when no other grader holds them).
    Also done at the end of the process; a worker started afterwards closes them again."""
    user_sandbox.release(force=True)


def _depth(path: str) -> tuple[int, str]:
    return (len(Path(path).parts), path)


def project_root() -> Path:
    """The folder holding the ``autograder`` package (the repository root when editable)."""
    return Path(__file__).resolve().parent.parent


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("namespace", "built-in"):
        return str(Path(spec.origin).resolve().parent)
    locations = list(spec.submodule_search_locations or [])
    return str(Path(locations[0]).resolve()) if locations else None


def layout(extra_hide: list[str | Path] = (), extra_show: list[str | Path] = ()) -> tuple[list[str], list[str]]:
    """The folders to hide (empty tmpfs) and to bind back read-only, as absolute paths."""
    show = [str(Path(__file__).resolve().parent), str(Path(sys.prefix).resolve())]
    show += [str(Path(p).resolve()) for p in extra_show]
    hide = ["/tmp", "/var/tmp", "/dev/shm"]
    if (project_root() / "pyproject.toml").exists():   # a source checkout: hide all of it
        hide.append(str(project_root()))
    home = os.environ.get("HOME")
    if home:
        hide.append(home)
    for name in ("solutions", "samples"):
        d = _package_dir(name)
        if d:
            hide.append(d)
    # Folders of submissions and outputs; never one that is (inside) a folder shown again.
    for p in extra_hide:
        p = str(Path(p).resolve())
        if not any(p == s or p.startswith(s.rstrip("/") + "/") for s in show):
            hide.append(p)

    def protected(path: str) -> bool:
        # Never hide a system folder, nor a folder that holds the Python we run.
        if path in SYSTEM_DIRS:
            return True
        for needed in (sys.base_prefix, sys.executable, os.path.realpath(sys.executable)):
            needed = str(Path(needed).resolve())
            if needed == path or needed.startswith(path.rstrip("/") + "/"):
                # Hiding an ancestor of the Python is fine only if we bind it back.
                return not any(s == needed or needed.startswith(s.rstrip("/") + "/") for s in show)
        return False

    hide = [h for h in dict.fromkeys(hide) if os.path.isdir(h) and not protected(h)]
    show = [s for s in dict.fromkeys(show) if os.path.exists(s)]
    return hide, show


def submission_folders(paths) -> list[Path]:
    """Folders to hide when grading ``paths``: each one's folder and that folder's parent
    (a course folder next to ``submitted/`` holds the source notebooks), and the parent of
    any ``submitted`` folder above them (nbgrader's layout)."""
    out = []
    for p in paths:
        p = Path(p).absolute()
        folder = p if p.is_dir() else p.parent
        out += [folder, folder.parent]
        out += [a.parent for a in folder.parents if a.name == "submitted"]
    return list(dict.fromkeys(out))


_PROBE: dict[tuple, Sandbox] = {}

_SELF_TEST = r"""
import os, socket, sys
problems = []
for name in ("solutions", "samples"):
    try:
        mod = __import__(name)
    except ImportError:
        continue
    # An editable install leaves an empty namespace package behind: that is fine.
    files = [f for p in getattr(mod, "__path__", []) if os.path.isdir(p) for f in os.listdir(p)]
    if getattr(mod, "__file__", None) or files:
        problems.append(f"'import {name}' finds the reference")
# /tmp is a fresh tmpfs: at most the empty folders of hidden paths below it, and the
# folders bound back on purpose (the autograder and the venv, when the project is in /tmp).
shown = [p for p in sys.argv[1:] if p]
def _walk(top):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in shown]
        yield [f for f in files if os.path.join(root, f) not in shown]
if any(_walk("/tmp")):
    problems.append("/tmp is not empty")
# A fresh network namespace has the loopback interface only (checked without sending a
# packet anywhere).
if [name for _, name in socket.if_nameindex() if name != "lo"]:
    problems.append("network interfaces are visible")
import autograder.worker
print("SELFTEST", "ok" if not problems else "; ".join(problems))
"""


def probe(extra_hide: list[str | Path] = (), extra_show: list[str | Path] = ()) -> Sandbox:
    """Find bubblewrap and self-test it with this layout; fall back to process isolation."""
    hide, show = layout(extra_hide, extra_show)
    key = (tuple(hide), tuple(show))
    if key in _PROBE:
        return _PROBE[key]
    if not _PROBE:
        user_sandbox.restore_if_stale()        # modes a killed grader left closed
    setting = os.environ.get(BWRAP_ENV, "")
    if setting == "0":
        result = Sandbox("process", reason=f"{BWRAP_ENV}=0")
    else:
        bwrap = setting or shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None)
        if bwrap is None:
            result = Sandbox("process", reason="bwrap not found; install Debian's bubblewrap")
        else:
            box = Sandbox("bwrap", bwrap=bwrap, hide=hide, show=show)
            try:
                proc = subprocess.run(box.command([sys.executable, "-c", _SELF_TEST, *show]),
                                      capture_output=True, text=True, timeout=30)
                out = proc.stdout.strip().splitlines()
                verdict = out[-1] if out else ""
                if proc.returncode == 0 and verdict == "SELFTEST ok":
                    result = box
                else:
                    detail = verdict.removeprefix("SELFTEST ").strip() or proc.stderr.strip()[-300:]
                    result = Sandbox("process", reason=f"bwrap self-test failed: {detail or 'exit code ' + str(proc.returncode)}")
            except (OSError, subprocess.TimeoutExpired) as exc:
                result = Sandbox("process", reason=f"bwrap self-test failed: {exc}")
    if result.kind != "bwrap":
        result = _user_fallback(result.reason, hide, show)
    _PROBE[key] = result
    return result


def _user_fallback(reason: str, hide: list[str], show: list[str]) -> Sandbox:
    """Without bubblewrap: the ``"user"`` sandbox if the grader is root and its self-test
    passes, else ``"process"`` saying why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return Sandbox("process", reason=reason, no_user="the grader is not root, so it cannot run submissions "
                                                         "as another user")
    try:
        user = user_sandbox.lookup_user()
    except user_sandbox.Unavailable as exc:
        return Sandbox("process", reason=reason, no_user=str(exc))
    box = Sandbox("user", reason=reason, hide=hide, show=show, user=user)
    for needed in (sys.executable, *show):
        why = user_sandbox.unreachable(needed, user)
        if why:
            return Sandbox("process", reason=reason, no_user=f"{user.name} cannot reach {needed}: {why}")
    plan = box.plan()
    try:
        with user_sandbox.held(plan, user) as root:
            home = user_sandbox.new_home("selftest-")
            env = user_env(dict(os.environ, **{k: v for k, v in WORKER_ENV.items() if k != "HOME"}), root, home)
            problem = user_sandbox.self_test(plan, user, env, cwd=str(root / "lib"))
    except user_sandbox.Unavailable as exc:
        problem = str(exc)
    if problem:
        return Sandbox("process", reason=reason, no_user=f"the self-test as {user.name} failed: {problem}")
    return box
