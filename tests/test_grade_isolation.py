"""Does ``autograder grade`` give every submission the score its real answers earn, whatever it does?

One batch (tests/grade_fixtures/faults.py) holds an honest correct and an honest partly
wrong submission, and one submission for each kind of fault: endless loops (one
ignoring SIGINT/SIGTERM), os._exit, SIGKILL of itself and of its worker, a memory hog,
100 MB of output, monkeypatched numpy / autograder / builtins, IPython input
transformers, edited, deleted and de-labelled test cells with changed points,
``import solutions`` and reading a solutions file, plus malformed inputs (invalid JSON,
nbformat 3, a non-notebook file, a folder, a missing path). It is graded once with
``--jobs 2``; each test checks one property of that run.

Expected scores are derived by hand from the test spec (t_grade.py: sigmoid 4 points,
rnn_step 4 points, 8 in all), not from the grader's output.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checks_helpers import CS231N_CELL  # noqa: E402
from grade_fixtures import faults  # noqa: E402

pytestmark = pytest.mark.slow

LIMITS = ["--timeout-cell", "2", "--timeout", "30", "--memory", "512"]


def run_grade(args, out, *, jobs=2, extra=(), env=None, **kw):
    cmd = [sys.executable, "-m", "autograder", "grade", *args, "--assignment", "t_grade",
           "--spec", str(faults.SPEC), "--out", str(out), "--jobs", str(jobs), *LIMITS, *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env or dict(os.environ), **kw)


def records_by_rel(out: Path) -> dict:
    recs = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return {r["rel"]: r for r in recs}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    args, expected = faults.build_batch(folder)
    out = folder / "out"
    proc = run_grade(args, out, timeout=600)
    return folder, args, expected, out, proc


def test_the_batch_completes_with_exit_code_0(batch):
    _, _, expected, out, proc = batch
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(records_by_rel(out)) == len(expected)


def test_grading_runs_inside_bubblewrap(batch):
    """The machines (and CI, after scripts/test) have Debian's bubblewrap: it must be used."""
    _, _, _, out, proc = batch
    assert "warning: bubblewrap" not in proc.stderr
    assert {r["sandbox"] for r in records_by_rel(out).values()} == {"bwrap"}


def test_the_sandbox_self_test_passes_for_a_project_bound_back_inside_tmp(tmp_path):
    """A clean clone under /tmp (CI's may be) has its venv bound back inside the sandbox's
    fresh /tmp, and a --spec file too. The self-test once took those for a leak and fell
    back to plain process isolation, so submissions could read the output folder and forge
    results."""
    from autograder import sandbox

    venv_like = tmp_path / "project" / ".venv"
    (venv_like / "lib").mkdir(parents=True)
    (venv_like / "lib" / "site.py").write_text("# stands in for the environment\n")
    spec_file = tmp_path / "spec" / "t_spec.py"
    spec_file.parent.mkdir()
    spec_file.write_text("# stands in for a --spec file\n")
    box = sandbox.probe(extra_show=[venv_like, spec_file])
    assert box.kind == "bwrap", box.reason
    assert {str(venv_like), str(spec_file)} <= set(box.show)


def test_the_sandbox_self_test_still_finds_a_stray_file_in_tmp(tmp_path):
    """The other side: a file in /tmp that was not bound back on purpose fails the self-test."""
    from autograder import sandbox

    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "secret.txt").write_text("hidden answers\n")
    hide, show = sandbox.layout()
    box = sandbox.Sandbox("bwrap", bwrap="/usr/bin/bwrap", hide=hide, show=show)
    cmd = box.command([sys.executable, "-c", sandbox._SELF_TEST, *show])
    # bind the stray folder into the fresh /tmp without telling the self-test about it
    at = cmd.index("--chdir")
    cmd[at:at] = ["--ro-bind", str(stray), str(stray)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert "/tmp is not empty" in proc.stdout, proc.stdout + proc.stderr


def test_the_sandbox_self_test_notices_a_shared_network():
    """A sandbox that kept the host's network (bwrap --share-net) fails the self-test, which
    looks at the namespace's interfaces and sends no packet."""
    from autograder import sandbox

    hide, show = sandbox.layout()
    box = sandbox.Sandbox("bwrap", bwrap="/usr/bin/bwrap", hide=hide, show=show)
    cmd = box.command([sys.executable, "-c", sandbox._SELF_TEST, *show])
    at = cmd.index("--unshare-all") + 1
    cmd[at:at] = ["--share-net"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert "network interfaces are visible" in proc.stdout, proc.stdout + proc.stderr
    plain = subprocess.run(box.command([sys.executable, "-c", sandbox._SELF_TEST, *show]), capture_output=True,
                           text=True, timeout=60)
    assert plain.stdout.strip().endswith("SELFTEST ok"), plain.stdout + plain.stderr


@pytest.mark.parametrize("name", list(faults.honest_notebooks()) + [
    "invalid_json", "nbformat3", "folder", "notes.txt", "empty_dir", "missing"])
def test_each_submission_gets_the_score_of_its_real_answers(batch, name):
    _, _, expected, out, _ = batch
    recs = records_by_rel(out)
    rel = next(k for k in expected if Path(k).stem == Path(name).stem)
    score, status, words = expected[rel]
    rec = recs[rel]
    assert (rec["score"], rec["status"]) == (score, status), rec["message"]
    assert rec["max_score"] == 8.0
    for word in words:
        assert word in rec["message"], f"{word!r} not in {rec['message']!r}"


def test_a_wrong_answer_fails_with_the_comparison_message_not_a_crash_message(batch):
    _, _, _, out, _ = batch
    rec = records_by_rel(out)["subs/partly_wrong.ipynb"]
    failed = [t for t in rec["tests"] if not t["passed"]]
    assert {t["grade_id"] for t in failed} == {"rnn_step"}
    assert len(failed) == 2                      # the public and the hidden case
    assert all(t["message"] for t in failed)


def test_tampering_earns_nothing_for_the_tampered_exercise(batch):
    """patched numpy/autograder with a wrong sigmoid: sigmoid's 4 points are lost."""
    _, _, _, out, _ = batch
    for name in ("patches_numpy", "patches_autograder"):
        rec = records_by_rel(out)[f"subs/{name}.ipynb"]
        by = {}
        for t in rec["tests"]:
            by[t["grade_id"]] = by.get(t["grade_id"], 0) + t["score"]
        assert by == {"sigmoid": 0, "rnn_step": 4}, name


def test_edited_test_cells_and_points_metadata_change_nothing(batch):
    _, _, _, out, _ = batch
    rec = records_by_rel(out)["subs/edited_tests.ipynb"]
    assert sum(t["max_score"] for t in rec["tests"]) == 8.0      # points from the spec, not 100
    assert "score = 100" not in rec["output"]


def test_a_flood_of_output_is_cut_to_the_cap(batch):
    _, _, _, out, _ = batch
    rec = records_by_rel(out)["subs/output_flood.ipynb"]
    from autograder.submissions import slug

    kept = (out / slug(rec["id"]) / "output.txt").read_text()
    assert 1_000_000 <= len(kept) < 1_100_000
    assert "more bytes were dropped" in kept


def test_each_result_equals_grading_that_submission_alone(batch):
    """Graded one by one in this process (one worker, no neighbours), same scores and tests."""
    from autograder.grade import IsolatedGrader, Limits
    from autograder.submissions import discover

    folder, _, expected, out, _ = batch
    batch_recs = records_by_rel(out)
    grader = IsolatedGrader("t_grade", spec_path=str(faults.SPEC),
                    limits=Limits(timeout_cell=2, timeout=30, memory_mb=512))
    box = [None]
    try:
        for rel in expected:
            path = folder / rel
            if not path.suffix == ".ipynb" or path.is_dir() or not path.exists():
                continue
            alone = grader.grade_submission(discover([path])[0], box)
            mine = batch_recs[rel]
            assert (alone["score"], alone["status"]) == (mine["score"], mine["status"]), rel
            strip = lambda tests: [{k: v for k, v in t.items()} for t in tests]  # noqa: E731
            assert strip(alone["tests"]) == strip(mine["tests"]), rel
    finally:
        if box[0] is not None:
            box[0].close()


def fallback_here() -> str:
    """The sandbox grading uses here without bubblewrap: ``"user"`` when the grader is root
    and nobody can reach this Python (tests/test_fallback_isolation.py), else ``"process"``."""
    from autograder import user_sandbox

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "process"
    user = user_sandbox.lookup_user()
    reachable = not (user_sandbox.unreachable(sys.executable, user) or user_sandbox.unreachable(sys.prefix, user))
    return "user" if reachable else "process"


@pytest.mark.parametrize("setting", ["0", "/bin/false"])
def test_without_a_working_bubblewrap_grading_falls_back_with_a_warning_line(tmp_path, setting):
    """AUTOGRADER_BWRAP=0 disables bwrap; /bin/false stands for a bwrap that fails its self-test.
    A root grader whose Python nobody can reach (this machine's is under /root) falls back to
    plain process isolation, elsewhere to the user fallback; the warning line says which."""
    nbformat = pytest.importorskip("nbformat")
    nb_path = tmp_path / "good.ipynb"
    nbformat.write(faults.honest_notebooks()["good"][0], nb_path)
    proc = run_grade([str(nb_path)], tmp_path / "out", jobs=1,
                     env=dict(os.environ, AUTOGRADER_BWRAP=setting), timeout=300)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: bubblewrap sandbox unavailable")]
    assert len(warnings) == 1
    kind = fallback_here()
    said = {"user": "grading as the unprivileged user", "process": "plain process isolation only"}[kind]
    assert said in warnings[0], warnings[0]
    rec = next(iter(records_by_rel(tmp_path / "out").values()))
    assert (rec["sandbox"], rec["score"], rec["status"]) == (kind, 8.0, "graded")


# -- without the forking worker (macOS, Windows): a plain process per run ---------------------

# What bubblewrap alone stops: without it a submission can read a solutions file by its path.
NEEDS_BWRAP = {"reads_solutions"}


@pytest.fixture(scope="module", params=["plain process in bubblewrap", "plain process, no bubblewrap"])
def plain_batch(request, tmp_path_factory):
    """The honest and faulty notebooks again, graded with AUTOGRADER_FORK=0 (the transport of
    machines without os.fork, memfd and pidfd), with and without bubblewrap."""
    folder = tmp_path_factory.mktemp("plain")
    args, expected = faults.build_batch(folder)
    env = dict(os.environ, AUTOGRADER_FORK="0")
    if "no bubblewrap" in request.param:
        env["AUTOGRADER_BWRAP"] = "0"
    out = folder / "out"
    proc = run_grade(args, out, env=env, timeout=900)
    return request.param, expected, out, proc


def test_without_fork_each_notebook_gets_the_same_score_and_status(plain_batch):
    setting, expected, out, proc = plain_batch
    assert proc.returncode == 0, proc.stderr[-3000:]
    notes = [ln for ln in proc.stderr.splitlines() if "forking worker unavailable (AUTOGRADER_FORK=0)" in ln]
    assert len(notes) == 1 and "same timeouts" in notes[0], proc.stderr[-2000:]
    recs = records_by_rel(out)
    checked = 0
    for rel, (score, status, words) in expected.items():
        name = Path(rel).stem
        if "no bubblewrap" in setting and name in NEEDS_BWRAP:
            continue
        rec = recs[rel]
        assert rec["worker"] == "plain" or rec["status"] == "malformed"
        assert (rec["score"], rec["status"]) == (score, status), (rel, rec["message"])
        for word in words:
            assert word in rec["message"], (rel, word, rec["message"])
        checked += 1
    assert checked >= len(expected) - len(NEEDS_BWRAP)


def test_a_check_without_fork_and_bubblewrap_says_so_in_one_line_and_grades(tmp_path):
    """``autograder check`` as on a student's laptop: the note, then the same verdicts."""
    nb_path = tmp_path / "partly_wrong.ipynb"
    import nbformat

    nbformat.write(faults.honest_notebooks()["partly_wrong"][0], nb_path)
    env = dict(os.environ, AUTOGRADER_FORK="0", AUTOGRADER_BWRAP="0")
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(nb_path), "--assignment", "t_grade",
                           "--spec", str(faults.SPEC)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "bubblewrap" in lines[0] and "plain Python process" in lines[0], proc.stderr
    assert "public total: 2/4" in proc.stdout, proc.stdout


@pytest.mark.parametrize("fork", ["1", "0"])
def test_the_child_evaluates_the_graders_exact_inputs_not_its_own_draw(tmp_path, fork):
    """A hidden case whose inputs differ in every process (they depend on the process id, as
    last bits of a LAPACK call may depend on its thread count): the grader computes the
    expected values from its own draw and sends those bits, so a right answer passes. A
    child that drew the case again would evaluate other numbers and fail."""
    spec = tmp_path / "t_draw.py"
    spec.write_text(
        "import os\n"
        "import numpy as np\n"
        "from autograder.spec import Assignment, Exercise, HiddenCases\n\n"
        "def ref_double(z):\n    return 2.0 * z\n\n"
        "ASSIGNMENT = Assignment(id='t_draw', title='t', exercises=(Exercise(\n"
        "    grade_id='double', target='double', kind='function', reference='autograder_spec_t_draw:ref_double',\n"
        "    hidden=HiddenCases(n=2, seed=1, make_inputs=lambda r: {'z': r.standard_normal(3) + os.getpid()})),))\n")
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("def double(z):\n    return 2.0 * z")])
    nbformat.write(nb, tmp_path / "right.ipynb")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "right.ipynb"),
                           "--assignment", "t_draw", "--spec", str(spec), "--out", str(out), *LIMITS],
                          capture_output=True, text=True, env=dict(os.environ, AUTOGRADER_FORK=fork), timeout=300)
    assert proc.returncode == 0, proc.stderr
    rec = next(iter(records_by_rel(out).values()))
    assert (rec["score"], rec["max_score"]) == (2.0, 2.0), rec["tests"]


ERRORS_SPEC = '''
import numpy as np

from autograder.spec import Assignment, Case, Exercise


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def answer_gates():
    return "b"


_rng = np.random.default_rng(0)
_step = dict(x=_rng.standard_normal((2, 3)), prev_h=_rng.standard_normal((2, 4)), Wx=_rng.standard_normal((3, 4)),
             Wh=_rng.standard_normal((4, 4)), b=_rng.standard_normal(4), dnext_h=_rng.standard_normal((2, 4)))
_m = "autograder_spec_t_errors"
ASSIGNMENT = Assignment(id="t_errors", title="messages about errors", exercises=(
    Exercise(grade_id="backward", target="rnn_step_backward", kind="gradient", reference=f"{_m}:rnn_step_backward",
             forward="rnn_step_forward", outputs=("dx", "dprev_h", "dWx", "dWh", "db"),
             public=(Case("N=2, D=3, H=4", _step),), description="the backward pass of one RNN step"),
    Exercise(grade_id="sigmoid", target="sigmoid", kind="function", reference=f"{_m}:sigmoid",
             public=(Case("z (3,)", dict(z=np.array([-1.0, 0.0, 2.0]))),), description="the logistic function"),
    Exercise(grade_id="quick_check_gates", target="answer_gates", kind="choice", reference=f"{_m}:answer_gates",
             outputs=("answer_gates",), public=(Case("how many gates"),), description="quick check: gates"),
))
'''

def test_errors_name_the_exercise_the_function_and_the_line_in_the_isolated_grader(tmp_path):
    """A CS231n cache of 6 items, the released placeholder in a function and at a cell's top
    level, and a quick check still None: cells 2 to 5 of the notebook (cell 1 is markdown)."""
    from autograder.grade import IsolatedGrader, Limits

    spec = tmp_path / "t_errors.py"
    spec.write_text(ERRORS_SPEC)
    nb = faults.notebook("import numpy as np", CS231N_CELL.lstrip("\n"),
                         "def sigmoid(z):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                         "answer_gates = None  # choose \"a\", \"b\" or \"c\"\n# YOUR CODE HERE\n"
                         "raise NotImplementedError()")
    path = tmp_path / "student.ipynb"
    nbformat = pytest.importorskip("nbformat")
    nbformat.write(nb, path)
    grader = IsolatedGrader("t_errors", spec_path=str(spec), limits=Limits(timeout_cell=10, timeout=60))
    rec = grader.grade_file(path)
    assert rec["status"] == "graded" and rec["score"] == 0
    messages = {t["grade_id"]: t["message"] for t in rec["tests"]}

    backward = messages["backward"]
    assert "rnn_step_backward (the backward pass of one RNN step) raised ValueError" in backward
    assert "  in rnn_step_backward, line 8 of cell 3:\n    x, prev_h, Wx, Wh, next_h = cache\n" in backward
    assert "your cache has 6 items" in backward and "expects 5: (x, prev_h, Wx, Wh, next_h)" in backward

    sigmoid = messages["sigmoid"]
    assert sigmoid.startswith("sigmoid is not implemented yet")
    assert "  in sigmoid, line 3 of cell 4:\n    raise NotImplementedError()" in sigmoid
    assert "sigmoid (the logistic function)" in sigmoid

    assert messages["quick_check_gates"] == 'answer_gates is still None: set it to "a", "b" or "c"'
    assert "cell 5 still holds the placeholder `raise NotImplementedError()` (line 3)" in rec["message"]
    assert "answer_gates (quick check: gates)" in rec["message"]
    every = rec["message"].splitlines() + [line for m in messages.values() for line in m.splitlines()]
    assert max(len(line) for line in every) <= 100
