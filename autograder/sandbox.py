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
and have no network); when bubblewrap is missing or fails it, grading falls back to plain
process isolation (fork, own process group, resource limits, temporary directory, an
import hook that refuses ``solutions``) and says so in one warning line.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

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
    """How workers are started: ``kind`` is ``"bwrap"`` or ``"process"``."""

    kind: str
    reason: str = ""
    bwrap: str | None = None
    hide: list[str] = field(default_factory=list)
    show: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        if self.kind == "bwrap":
            return None
        return (f"warning: bubblewrap sandbox unavailable ({self.reason}); grading with plain "
                "process isolation only (no file-system or network isolation)")

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
    _PROBE[key] = result
    return result
