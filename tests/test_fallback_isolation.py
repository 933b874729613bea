"""Grading without bubblewrap: the user fallback (``autograder.user_sandbox``) and the plain one.

Gradescope's and CI's containers run the grader as root and forbid the user namespaces
bubblewrap needs. There the worker runs as ``nobody``, and the reference, the submissions
and the output folder are closed to it with permission bits. These tests force the fallback
(``AUTOGRADER_BWRAP=0``) and check that

- the corpus's "reaching for the answers" entries get exactly the score they deserve
  (derived by hand in tests/corpus/entries.py), with both transports, and the score they get
  under bubblewrap; among them the attack that prompted this mode, a copy of the installed
  ``solutions`` package imported under another name;
- once grading ends every file of the project has exactly the permissions it had, and after
  SIGTERM too; after SIGKILL the closed modes stay (never more open) until the next grader
  or ``python -m autograder.user_sandbox --restore`` puts them back;
- what is closed is what a hand-written layout says, the self-test catches what mode bits
  do not show (an ACL), and the plain fallback says that the answers are not protected.

The user must be able to run Python and reach the project. On a machine whose environment
resolves to a Python under /root (which nobody cannot traverse: this one), or whose checkout
is in a private folder (a clone in ``mktemp -d``), ``user_env`` builds a virtual environment
from the system's Python of the same version, with the project's site-packages hard-linked
into it and, where needed, a reachable copy of the project.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build  # noqa: E402
from corpus.entries import ENTRIES, by_name  # noqa: E402
from corpus.paths import LIMITS, by_exercise, entry_of, what_it_says  # noqa: E402

from autograder import sandbox, user_sandbox  # noqa: E402
from autograder.spec import load  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
REACHING = [e for e in ENTRIES if e.category == "reaching for the answers"]
# The entries graded together: those reaching for the answers, and the correct notebook whose
# folder copies_solutions_package tries to read (a classmate's).
SUBSET = [by_name("correct"), *REACHING]
# In bubblewrap a hidden file is not there (FileNotFoundError); here it is there, closed.
USER_MODE_WORDS = {"FileNotFoundError": "PermissionError"}


def as_root():
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("the user fallback needs a grader running as root")


@pytest.fixture(scope="module")
def state_dir():
    """A journal folder of the tests' own (the default, /var/lib/autograder, is the machine's)."""
    folder = Path(tempfile.mkdtemp(prefix="ag-state-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


#: what the grader needs of the project, copied when nobody cannot reach the checkout
PROJECT_PARTS = ("pyproject.toml", "README.md", "autograder", "solutions", "samples", "assignments")


@pytest.fixture(scope="module")
def user_env():
    """(python, project): a Python ``nobody`` can run and the project it grades with. This
    Python and this checkout when nobody can reach both; else a venv of the system's Python
    of the same version, in a folder anyone may traverse, with this environment's
    site-packages hard-linked in and, when the checkout itself is out of nobody's reach (a
    clone in a private temporary folder, or under /root), a copy of the project that the
    venv imports instead of the checkout."""
    as_root()
    user = user_sandbox.lookup_user()
    python_ok = not user_sandbox.unreachable(sys.executable, user) and not user_sandbox.unreachable(sys.prefix, user)
    project_ok = not user_sandbox.unreachable(str(REPO / "autograder"), user)
    if python_ok and project_ok:
        yield sys.executable, REPO
        return
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = sys.executable if python_ok else shutil.which(version, path="/usr/bin:/usr/local/bin")
    if base is None or user_sandbox.unreachable(base, user):
        pytest.skip(f"no {version} that {user.name} can run")
    folder = Path(tempfile.mkdtemp(prefix="ag-uservenv-"))
    os.chmod(folder, 0o755)
    project = REPO
    try:
        subprocess.run([base, "-m", "venv", "--without-pip", str(folder / "venv")], check=True, capture_output=True)
        site = folder / "venv" / "lib" / version / "site-packages"
        linked = subprocess.run(["cp", "-al", f"{sysconfig.get_paths()['purelib']}/.", str(site)],
                                capture_output=True, text=True)
        if linked.returncode:
            pytest.skip(f"cannot hard-link the site-packages: {linked.stderr[-300:]}")
        if not project_ok:
            # in a folder of its own: a test closes the venv's folder to see the Python refused
            project = Path(tempfile.mkdtemp(prefix="ag-userproject-")) / "project"
            os.chmod(project.parent, 0o755)
            for part in PROJECT_PARTS:
                src = REPO / part
                if src.is_dir():
                    shutil.copytree(src, project / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
                elif src.is_file():
                    project.mkdir(exist_ok=True)
                    shutil.copy2(src, project / part)
            for top, dirs, files in os.walk(project):          # as a checkout would have them
                os.chmod(top, 0o755)
                for name in files:
                    os.chmod(os.path.join(top, name), 0o644)
            # the venv imports the copy: the editable install's finder (a hard link) goes
            for f in site.glob("__editable__*rnn_course*"):
                f.unlink()
            (site / "rnn_course_project.pth").write_text(str(project) + "\n")
        yield str(folder / "venv" / "bin" / "python"), project
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if project != REPO:
            shutil.rmtree(project.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def user_python(user_env):
    return user_env[0]


def open_folder(prefix: str) -> Path:
    """A temporary folder anyone may read (pytest's are root's alone, which would hide the
    submissions from nobody whatever the grader did)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(folder, 0o755)
    return folder


def grade_entries(python: str, root: Path, entries, env: dict) -> dict:
    """``autograder grade --jobs 2`` of ``entries`` (per assignment) with ``python``, in
    world-readable folders; {"records": name -> record, "procs": [...]}."""
    records, procs = {}, []
    for aid in dict.fromkeys(e.assignment for e in entries):
        ctx = build.Context.make(root / aid)
        build.write_corpus(ctx.subs, ctx, [e for e in entries if e.assignment == aid])
        ctx.out.mkdir(parents=True)
        for d in [root, *root.rglob("*")]:
            if d.is_dir():
                os.chmod(d, 0o755)
        # run from the corpus folder: `python -m` puts the working directory first on the path,
        # and the checkout's own packages must not stand in for those of ``python``'s project
        proc = subprocess.run([python, "-m", "autograder", "grade", str(ctx.subs), "--assignment", aid,
                               "--out", str(ctx.out), "--jobs", "2", "--quiet", *LIMITS],
                              capture_output=True, text=True, env=env, timeout=900, cwd=root)
        procs.append(proc)
        results = ctx.out / "results.jsonl"
        for line in (results.read_text().splitlines() if results.exists() else []):
            rec = json.loads(line)
            records[entry_of(rec)] = rec
    return {"records": records, "procs": procs}


def fallback_env(state_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_USER"}
    return dict(env, **{"AUTOGRADER_BWRAP": "0", "AUTOGRADER_STATE_DIR": str(state_dir), **extra})


@pytest.fixture(scope="module", params=["forking worker", "plain process per run"])
def user_batch(request, user_python, state_dir):
    root = open_folder("ag-fallback-")
    extra = {"AUTOGRADER_FORK": "0"} if "plain" in request.param else {}
    try:
        yield grade_entries(user_python, root, SUBSET, fallback_env(state_dir, **extra))
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def bwrap_batch():
    box = sandbox.probe()
    if box.kind != "bwrap":
        pytest.skip(f"bubblewrap is not usable here: {box.reason}")
    root = open_folder("ag-bwrap-")
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_BWRAP", "AUTOGRADER_FORK")}
    try:
        yield grade_entries(sys.executable, root, SUBSET, env)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- the corpus in the user fallback ----------------------------------------------------------
def test_the_fallback_grades_as_nobody_and_says_so_in_one_line(user_batch):
    for proc in user_batch["procs"]:
        assert proc.returncode == 0, proc.stderr[-3000:]
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: bubblewrap sandbox unavailable")]
        assert len(lines) == 1, proc.stderr
        assert "grading as the unprivileged user nobody (uid 65534)" in lines[0]
        assert "NOT protected" not in lines[0]
    assert sorted(user_batch["records"]) == sorted(e.name for e in SUBSET)
    assert {r["sandbox"] for r in user_batch["records"].values()} == {"user"}


@pytest.mark.parametrize("name", [e.name for e in SUBSET])
def test_reaching_for_the_answers_gets_exactly_what_it_deserves(user_batch, name):
    entry = by_name(name)
    spec = load(entry.assignment)
    rec = user_batch["records"][name]
    assert rec["status"] == entry.status, rec["message"][-1500:]
    assert by_exercise(rec["tests"]) == entry.deserved_by_exercise(spec), rec["message"][-1500:]
    assert rec["score"] == entry.deserved(spec)
    text = what_it_says(rec)
    for fragment in entry.says:
        fragment = USER_MODE_WORDS.get(fragment, fragment)
        assert fragment in text, f"{fragment!r} not in:\n{text[-2000:]}"


def test_the_copied_package_is_stopped_where_the_reference_is(user_batch, user_env):
    """The reported attack fails on the closed solutions folder itself (not on something
    incidental): the installed package of the project the grader runs from (``user_env``).
    Its reads of the source notebook (at the path the corpus gives it) and of a classmate's
    folder fail too."""
    _, project = user_env
    text = " ".join(user_batch["records"]["copies_solutions_package"]["message"].split())
    assert f"Permission denied: '{project / 'solutions'}'" in text, text[-2000:]
    assert f"Permission denied: '{REPO / 'assignments' / 'a1_rnn' / 'a1_rnn.ipynb'}'" in text, text[-2000:]
    assert "no other notebook or result could be read" in text


def test_the_user_fallback_scores_every_entry_as_bubblewrap_does(user_batch, bwrap_batch):
    ours = {n: by_exercise(r["tests"]) for n, r in user_batch["records"].items()}
    theirs = {n: by_exercise(r["tests"]) for n, r in bwrap_batch["records"].items()}
    assert {r["sandbox"] for r in bwrap_batch["records"].values()} == {"bwrap"}
    assert ours == theirs


def test_without_the_user_fallback_the_warning_is_true(user_python, state_dir):
    """AUTOGRADER_USER=0 turns the user fallback off: plain process isolation, whose warning
    says the answers are not protected, and indeed the copied package earns full marks
    (29, where it deserves 15): the reason this fallback exists."""
    root = open_folder("ag-plain-")
    try:
        got = grade_entries(user_python, root, [by_name("correct"), by_name("copies_solutions_package")],
                            fallback_env(state_dir, AUTOGRADER_USER="0"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    proc = got["procs"][0]
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("warning: bubblewrap"))
    assert "plain process isolation only: the answers are NOT protected" in line
    assert "because AUTOGRADER_USER=0 is root" in line
    rec = got["records"]["copies_solutions_package"]
    assert rec["sandbox"] == "process"
    assert (rec["score"], by_name("copies_solutions_package").deserved(load("a1_rnn"))) == (29.0, 15.0), rec["message"]


# --- permissions before and after ------------------------------------------------------------
def modes_under(folder: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for top, dirs, files in os.walk(folder):
        for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
            try:
                st = os.lstat(name)
            except FileNotFoundError:       # another process's temporary file
                continue
            out[name] = (st.st_mode, st.st_uid, st.st_gid)
    return out


def test_after_grading_every_project_file_has_exactly_its_permissions_again(user_env, state_dir):
    user_python, project = user_env
    root = open_folder("ag-modes-")
    folders = set(Path(tempfile.gettempdir()).glob("autograder-user-*"))
    try:
        before = modes_under(project)
        got = grade_entries(user_python, root, [by_name("correct")], fallback_env(state_dir))
        after = modes_under(project)
        graded = modes_under(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert got["records"]["correct"]["sandbox"] == "user"
    assert got["records"]["correct"]["score"] == 29.0
    # other people may add or remove files of the project meanwhile: compare those in both
    changed = {p: (oct(before[p][0]), oct(after[p][0])) for p in before.keys() & after.keys() if before[p] != after[p]}
    assert not changed
    # the submissions' and output folders were closed during grading (0755 when made), open again
    assert {oct(m[0] & 0o777) for m in graded.values() if stat.S_ISDIR(m[0])} == {"0o755"}
    assert not (state_dir / "permissions.json").exists()
    assert set(Path(tempfile.gettempdir()).glob("autograder-user-*")) <= folders     # nothing left behind


# --- the plan, holding and releasing, killed graders ---------------------------------------------
def fake_project(root: Path) -> Path:
    """project/{autograder/, .venv/, solutions/rnn.py, assignments/a1/a1.ipynb, README.md}:
    folders 0755, files 0644."""
    project = root / "project"
    for d in ("autograder", ".venv/bin", "solutions", "assignments/a1"):
        (project / d).mkdir(parents=True)
    for f in ("autograder/__init__.py", "solutions/rnn.py", "assignments/a1/a1.ipynb", "README.md"):
        (project / f).write_text("x\n")
    for p in [project, *project.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return project


# What bubblewrap's layout (project hidden, autograder/ and .venv/ shown) becomes in modes, by
# hand: the project keeps its traverse bit only; its other entries lose every bit of "other";
# the shown folders and everything inside a closed folder keep theirs.
CLOSED_MODES = {".": 0o751, "README.md": 0o640, "assignments": 0o750, "solutions": 0o750, "autograder": 0o755,
                ".venv": 0o755, ".venv/bin": 0o755, "autograder/__init__.py": 0o644, "solutions/rnn.py": 0o644,
                "assignments/a1": 0o755, "assignments/a1/a1.ipynb": 0o644}
OPEN_MODES = {k: 0o755 if not Path(k).suffix or k in (".", ".venv") else 0o644 for k in CLOSED_MODES}


def modes_of(project: Path) -> dict[str, int]:
    return {k: os.lstat(project / k).st_mode & 0o7777 for k in CLOSED_MODES}


def plan_of(project: Path) -> user_sandbox.Plan:
    return user_sandbox.Plan.of([str(project)], [str(project / "autograder"), str(project / ".venv")])


def test_the_plan_closes_what_bubblewrap_hides_and_keeps_the_way_to_what_it_shows(tmp_path):
    project = fake_project(tmp_path)
    plan = plan_of(project)
    assert plan.traverse == [str(project)]
    assert plan.closed == [str(project / n) for n in ("README.md", "assignments", "solutions")]
    # a hidden folder inside a shown one (an installed solutions package in site-packages) is closed
    (project / ".venv" / "solutions").mkdir()
    inner = user_sandbox.Plan.of([str(project), str(project / ".venv" / "solutions")],
                                 [str(project / "autograder"), str(project / ".venv")])
    assert str(project / ".venv" / "solutions") in inner.closed


def test_hold_closes_and_release_puts_every_mode_back(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_STATE_DIR", str(tmp_path / "state"))
    project = fake_project(tmp_path)
    assert modes_of(project) == OPEN_MODES
    user = user_sandbox.User("nobody", 65534, 65534)
    with user_sandbox.held(plan_of(project), user) as folder:
        assert modes_of(project) == CLOSED_MODES
        assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o711
        journal = json.loads((tmp_path / "state" / "permissions.json").read_text())
        assert list(journal["holders"]) == [str(os.getpid())]
        assert journal["changed"][str(project)][:2] == [0o755, 0o751]
    assert modes_of(project) == OPEN_MODES
    assert not folder.exists()
    assert not (tmp_path / "state" / "permissions.json").exists()


HOLDER = """
import sys, time
sys.path.insert(0, {repo!r})
from autograder import user_sandbox as u
folder = u.hold(u.Plan.of([{project!r}], [{project!r} + "/autograder", {project!r} + "/.venv"]),
                u.User("nobody", 65534, 65534))
print(folder, flush=True)
time.sleep(120)
"""


def _default_signals() -> None:
    # A holder started under nohup (or any runner that ignores SIGHUP) would inherit the
    # ignored SIGHUP, and the grader rightly leaves an ignored signal alone: start it as a
    # grader started from a terminal is.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def start_holder(project: Path, env: dict) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER.format(repo=str(REPO), project=str(project))],
                            stdout=subprocess.PIPE, text=True, env=env, preexec_fn=_default_signals)
    folder = Path(proc.stdout.readline().strip())
    return proc, folder


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_grader_stopped_by_a_signal_puts_every_mode_back(tmp_path, sig):
    project = fake_project(tmp_path)
    env = dict(os.environ, AUTOGRADER_STATE_DIR=str(tmp_path / "state"))
    proc, folder = start_holder(project, env)
    try:
        assert modes_of(project) == CLOSED_MODES
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == -sig          # it still dies of the signal
    finally:
        proc.kill()
    assert modes_of(project) == OPEN_MODES
    assert not folder.exists()
    assert not (tmp_path / "state" / "permissions.json").exists()


def test_a_signal_in_the_middle_of_a_hold_is_handled_when_it_is_done(tmp_path):
    """SIGTERM while the grader holds the journal's lock (a hold or release under way): the
    handler, which needs that lock, runs when it is let go, instead of waiting forever."""
    project = fake_project(tmp_path)
    script = HOLDER.replace("time.sleep(120)", "import os, signal\nwith u._LOCK:\n"
                            "    os.kill(os.getpid(), signal.SIGTERM)\n    print('still inside', flush=True)\n"
                            "print('not reached', flush=True)\ntime.sleep(120)")
    proc = subprocess.run([sys.executable, "-c", script.format(repo=str(REPO), project=str(project))],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, AUTOGRADER_STATE_DIR=str(tmp_path / "state")))
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert "still inside" in proc.stdout and "not reached" not in proc.stdout
    assert modes_of(project) == OPEN_MODES


def test_a_killed_grader_leaves_things_closed_until_the_next_one_or_restore(tmp_path):
    """SIGKILL runs no handler: the modes stay closed (less readable, never more) and the
    journal names the dead grader; ``--restore`` (or the next grader's start) puts them back."""
    project = fake_project(tmp_path)
    env = dict(os.environ, AUTOGRADER_STATE_DIR=str(tmp_path / "state"))
    for how in ("--restore", "next grader"):
        proc, folder = start_holder(project, env)
        proc.kill()
        proc.wait(timeout=30)
        assert modes_of(project) == CLOSED_MODES
        journal = json.loads((tmp_path / "state" / "permissions.json").read_text())
        assert list(journal["holders"]) == [str(proc.pid)] and folder.is_dir()
        if how == "--restore":
            done = subprocess.run([sys.executable, "-m", "autograder.user_sandbox", "--restore"], env=env,
                                  capture_output=True, text=True, cwd=REPO, timeout=60)
            assert done.returncode == 0, done.stderr
            assert "restored the modes of 4 paths" in done.stdout      # project, README, assignments, solutions
        else:
            subprocess.run([sys.executable, "-c", "from autograder import user_sandbox as u; u.restore_if_stale()"],
                           env=env, cwd=REPO, check=True, timeout=60)
        assert modes_of(project) == OPEN_MODES, how
        assert not folder.exists() and not (tmp_path / "state" / "permissions.json").exists()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL, then --restore"])
def test_the_users_processes_left_behind_end_before_the_modes_go_back(tmp_path, how):
    """A submission's daemon (own session, still running when grading ends) would read the
    reference once it is open again: every process of the user started since grading began
    is killed first. One started before (some other program's) is left alone."""
    as_root()
    project = fake_project(tmp_path)
    env = dict(os.environ, AUTOGRADER_STATE_DIR=str(tmp_path / "state"))
    as_nobody = dict(user=65534, group=65534, extra_groups=[], start_new_session=True, cwd="/")
    before = subprocess.Popen(["sleep", "301"], **as_nobody)
    time.sleep(0.05)                         # a later clock tick than the holder's start
    holder, _ = start_holder(project, env)
    daemon = subprocess.Popen(["sleep", "302"], **as_nobody)
    try:
        if how == "SIGTERM":
            holder.terminate()
            holder.wait(timeout=30)
        else:
            holder.kill()
            holder.wait(timeout=30)
            assert daemon.poll() is None and modes_of(project) == CLOSED_MODES
            subprocess.run([sys.executable, "-m", "autograder.user_sandbox", "--restore"], env=env, cwd=REPO,
                           check=True, capture_output=True, timeout=60)
        assert daemon.wait(timeout=10) == -signal.SIGKILL
        assert before.poll() is None
        assert modes_of(project) == OPEN_MODES
    finally:
        for proc in (before, daemon, holder):
            proc.kill()
            proc.wait()


def test_a_second_grader_does_not_reopen_what_the_first_still_holds(tmp_path):
    project = fake_project(tmp_path)
    env = dict(os.environ, AUTOGRADER_STATE_DIR=str(tmp_path / "state"))
    first, _ = start_holder(project, env)
    second, _ = start_holder(project, env)
    try:
        second.terminate()
        second.wait(timeout=30)
        assert modes_of(project) == CLOSED_MODES
        first.terminate()
        first.wait(timeout=30)
        assert modes_of(project) == OPEN_MODES
    finally:
        first.kill()
        second.kill()


# --- choosing the mode -------------------------------------------------------------------------
def probe_with(python: str, env: dict, extra_hide=()) -> dict:
    code = ("import json, sys; from autograder import sandbox; b = sandbox.probe(extra_hide=sys.argv[1:]); "
            "print(json.dumps({'kind': b.kind, 'warning': b.warning}))")
    proc = subprocess.run([python, "-c", code, *map(str, extra_hide)], env=env, capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def acl(entries) -> bytes:
    """A POSIX access ACL as the kernel stores it (system.posix_acl_access): version 2, then
    (tag, permissions, id) per entry."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)


def test_the_self_test_catches_what_the_mode_bits_do_not_show(user_python, state_dir):
    """An ACL that lets nobody read a hidden folder survives closing its "other" bits: the
    self-test, run as nobody, finds the folder readable, and grading falls back to plain
    process isolation saying so. Without the ACL the same layout passes."""
    root = open_folder("ag-acl-")
    try:
        hidden = root / "submissions"
        hidden.mkdir()
        os.chmod(hidden, 0o750)
        assert probe_with(user_python, fallback_env(state_dir), [hidden])["kind"] == "user"
        any_id = 0xFFFFFFFF
        try:        # user::rwx user:nobody:r-x group::r-x mask::r-x other::---
            os.setxattr(hidden, "system.posix_acl_access",
                        acl([(0x01, 7, any_id), (0x02, 5, 65534), (0x04, 5, any_id), (0x10, 5, any_id),
                             (0x20, 0, any_id)]))
        except OSError as exc:
            pytest.skip(f"this file system takes no ACL: {exc}")
        got = probe_with(user_python, fallback_env(state_dir), [hidden])
        assert got["kind"] == "process"
        assert "the answers are NOT protected" in got["warning"]
        assert f"the self-test as nobody failed: {hidden} is readable" in got["warning"]
        assert os.stat(hidden).st_mode & 0o777 == 0o750          # and the modes are back
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_bubblewrap_that_fails_its_self_test_also_falls_back_to_the_user(user_python, state_dir):
    got = probe_with(user_python, fallback_env(state_dir, AUTOGRADER_BWRAP="/bin/false"))
    assert got["kind"] == "user"
    assert got["warning"].startswith("warning: bubblewrap sandbox unavailable (bwrap self-test failed")


def test_a_python_the_user_cannot_reach_falls_back_to_plain_and_says_why(user_python, state_dir):
    """The machine's case: a virtual environment under a folder nobody cannot traverse."""
    venv = Path(user_python).parent.parent
    if venv == Path(sys.prefix):
        pytest.skip("this machine's own Python is reachable; its folder is not the test's to close")
    os.chmod(venv.parent, 0o700)
    try:
        got = probe_with(user_python, fallback_env(state_dir))
    finally:
        os.chmod(venv.parent, 0o755)
    assert got["kind"] == "process"
    assert (f"because nobody cannot reach {venv}: {venv.parent} is not traversable by nobody"
            in got["warning"]), got["warning"]


def test_a_grader_that_is_not_root_falls_back_to_plain_and_says_why(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_BWRAP", "0")
    monkeypatch.setattr(sandbox, "_PROBE", {})
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    box = sandbox.probe()
    assert box.kind == "process"
    assert box.warning == ("warning: bubblewrap sandbox unavailable (AUTOGRADER_BWRAP=0); plain process isolation "
                           "only: the answers are NOT protected (a submission can read the reference, the other "
                           "submissions and the output folder), because the grader is not root, so it cannot run "
                           "submissions as another user")
    # a student's machine has no reference to protect: the warning says only what is missing
    monkeypatch.setattr(sandbox, "_package_dir", lambda name: None)
    assert box.warning.endswith("grading with plain process isolation only (no file-system or network isolation)")


@pytest.mark.parametrize("value, expected", [
    ("", (65534, 65534)),                       # nobody (in /etc/passwd or not)
    ("65533", (65533, 65533)),                  # a uid the system does not list: its own group
    ("0", None), ("root", None), ("no-such-user-here", None)])
def test_the_user_is_nobody_unless_autograder_user_names_another(monkeypatch, value, expected):
    import pwd

    if value == "65533" and 65533 in {p.pw_uid for p in pwd.getpwall()}:
        pytest.skip("uid 65533 is listed on this system")
    monkeypatch.setenv("AUTOGRADER_USER", value)
    if expected is None:
        with pytest.raises(user_sandbox.Unavailable, match="AUTOGRADER_USER="):
            user_sandbox.lookup_user()
    else:
        user = user_sandbox.lookup_user()
        assert (user.uid, user.gid) == expected
