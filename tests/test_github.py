"""Do the GitHub workflows hold together, and do the commands their steps run work?

Without GitHub: the workflow files are read as YAML and checked for their structure (no
secret in the students' workflow; the token only in the one step that clones, in a job
that runs no student code; every ``${{ }}`` names something defined). Then the steps'
``run:`` scripts are run with bash, with the environment GitHub would give them, against a
local stand-in for GitHub: an HTTP server answering ``GET /orgs/ORG/repos`` page by page
(``Link`` headers, as GitHub paginates) and ``GET /repos/ORG/NAME/activity``, whose
repositories are bare git repositories in the test's folder (``file://`` clone URLs).

The students are a1_rnn submissions whose scores come from elsewhere: the source notebook
earns the spec's full marks, a seeded mistake of ``samples/a1_rnn.py`` earns what that
mistake declares. The times in timestamp.txt are the ones the fake server and the commits
were given, written in nbgrader's format by hand below.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from autograder import github, kit
from autograder.spec import load
from samples import load_mistakes, make_submission, source_notebook

yaml = pytest.importorskip("yaml")

AID = "a1_rnn"
ORG = "rnn-course-2026"
PREFIX = "a1-rnn-"
TOKEN = "github_pat_TEST0123456789secret"
BIN = str(Path(sys.executable).parent)          # python and autograder, as setup-python + pip give them
MISTAKE = "many_to_one_first_state"


# -- reading the workflow files ---------------------------------------------------------

def workflow(kind: str, tmp_path: Path, *extra: str) -> tuple[dict, str]:
    path = tmp_path / f"{kind}.yml"
    code = github.main(["workflow", "--kind", kind, "--assignment", AID, "-o", str(path), *extra])
    assert code == 0
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def triggers(doc: dict) -> dict:
    return doc.get("on", doc.get(True))          # YAML 1.1 reads a bare `on` as true


def step(doc: dict, job: str, step_id: str) -> dict:
    found = [s for s in doc["jobs"][job]["steps"] if s.get("id") == step_id]
    assert len(found) == 1, f"expected one step with id {step_id!r} in job {job!r}"
    return found[0]


def walk(node, path=()):
    """(path, string) of every string in a parsed YAML document, keys included."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), str(k)
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))
    elif isinstance(node, str):
        yield path, node


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
# GitHub's functions and literals; the github context is always there.
FUNCTIONS = {"fromJSON", "toJSON", "contains", "startsWith", "endsWith", "format", "join", "hashFiles",
             "success", "always", "cancelled", "failure"}


def undefined_references(doc: dict) -> list[str]:
    """Each ``${{ }}`` reference that names nothing defined where it is used: inputs of the
    dispatch form, outputs of a job listed in ``needs`` (and the step output it maps),
    keys of the job's matrix, secrets.CLASS_TOKEN, the github context."""
    inputs = set((triggers(doc).get("workflow_dispatch") or {}).get("inputs") or {})
    jobs = doc["jobs"]
    bad = []
    for path, text in walk(doc):
        for expr in EXPR.findall(text):
            expr = re.sub(r"'[^']*'", "", expr)
            for ref in re.findall(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_*-]+)*(?=\s*\(?)", expr):
                head, *rest = ref.split(".")
                if ref in FUNCTIONS or ref in ("true", "false", "null") or head == "github":
                    continue
                job = jobs.get(path[1]) if len(path) > 1 and path[0] == "jobs" else None
                needs = job.get("needs", []) if job else []
                needs = [needs] if isinstance(needs, str) else needs
                ok = False
                if head == "inputs":
                    ok = len(rest) == 1 and rest[0] in inputs
                elif head == "secrets":
                    ok = rest == ["CLASS_TOKEN"]
                elif head == "matrix" and job:
                    ok = len(rest) == 1 and rest[0] in job.get("strategy", {}).get("matrix", {})
                elif head == "needs" and job and len(rest) == 3 and rest[1] == "outputs":
                    ok = rest[0] in needs and rest[2] in jobs[rest[0]].get("outputs", {})
                elif head == "steps" and job and len(rest) == 3 and rest[1] == "outputs":
                    ok = rest[0] in [s.get("id") for s in job["steps"]]
                if not ok:
                    bad.append(f"{'.'.join(map(str, path))}: {ref}")
    return bad


def test_the_student_workflow_holds_no_secret_and_only_reads(tmp_path):
    doc, text = workflow("student", tmp_path)
    assert "secrets" not in text and "CLASS_TOKEN" not in text
    assert doc["permissions"] == {"contents": "read"}
    assert set(triggers(doc)) == {"push", "workflow_dispatch"}
    assert doc["env"]["ASSIGNMENT"] == AID
    (job,) = doc["jobs"].values()
    assert "permissions" not in job                         # nothing widens the workflow's
    checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    install = step(doc, "self-check", "install")["run"]
    assert "wheels/rnn_course_selfcheck-*.whl" in install and "pip install" in install
    assert "-e ." not in install and "solutions" not in install
    assert "GITHUB_STEP_SUMMARY" in step(doc, "self-check", "self-check")["run"]
    assert undefined_references(doc) == []


def test_the_instructor_workflow_keeps_the_token_in_the_clone_step_and_out_of_the_grading_jobs(tmp_path):
    doc, text = workflow("instructor", tmp_path, "--org", ORG)
    form = triggers(doc)["workflow_dispatch"]["inputs"]
    assert set(form) == {"assignment", "org", "prefix", "shards"}
    assert form["assignment"]["default"] == AID and form["org"]["default"] == ORG
    assert form["prefix"]["default"] == f"{AID}-" and form["shards"]["type"] == "number"
    assert set(triggers(doc)) == {"workflow_dispatch"}
    assert doc["permissions"] == {"contents": "read"}
    jobs = doc["jobs"]
    # the token: exactly one reference, as the environment of the collect step
    places = [p for p, s in walk(doc) if "secrets." in s]
    collect_idx = next(i for i, s in enumerate(jobs["collect"]["steps"]) if s.get("id") == "collect")
    assert places == [("jobs", "collect", "steps", collect_idx, "env", "CLASS_TOKEN")]
    assert text.count("secrets.") == 1
    assert jobs["collect"]["steps"][collect_idx]["env"]["CLASS_TOKEN"] == "${{ secrets.CLASS_TOKEN }}"
    # the jobs that run student code hold nothing of it: no secret, no output carrying it
    for name in ("grade", "gradebook"):
        assert not [p for p, s in walk(jobs[name]) if "CLASS_TOKEN" in s or "secrets" in s], name
    assert "outputs" not in jobs["collect"]
    grade_run = step(doc, "grade", "grade")["run"]
    assert "autograder grade submitted/ --assignment \"$ASSIGNMENT\" --jobs 2 --out graded" in grade_run
    # the matrices come from the plan job's output
    for name in ("collect", "grade"):
        assert jobs[name]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert jobs["plan"]["outputs"]["shards"] == "${{ steps.plan.outputs.shards }}"
    # no checkout leaves this repository's token in .git/config
    for name, job in jobs.items():
        for s in job["steps"]:
            if str(s.get("uses", "")).startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False, name
    # artifacts: one per shard up, all of them down into their own folders at the end
    uploads = [s["with"]["name"] for j in jobs.values() for s in j["steps"]
               if str(s.get("uses", "")).startswith("actions/upload-artifact@v4")]
    assert {"submitted-shard-${{ matrix.shard }}", "graded-shard-${{ matrix.shard }}", "gradebook",
            "report"} == set(uploads)
    down = [s["with"] for s in jobs["gradebook"]["steps"] if str(s.get("uses", "")).startswith(
        "actions/download-artifact@v4")]
    assert down == [{"pattern": "graded-shard-*", "path": ".", "merge-multiple": False}]
    assert "autograder merge graded graded-shard-*" in step(doc, "gradebook", "gradebook")["run"]
    # the header says why this scales, and where the token is
    header = text.split("\nname:", 1)[0]
    assert "Gradescope" in header and "one container per submission" in header
    assert "Contents: Read-only" in header
    assert undefined_references(doc) == []


def test_no_expression_is_pasted_into_a_script(tmp_path):
    """A form field pasted into a script is a shell injection; every value reaches the
    scripts through env."""
    for kind in ("student", "instructor"):
        doc, _ = workflow(kind, tmp_path)
        for job in doc["jobs"].values():
            for s in job["steps"]:
                assert "${{" not in s.get("run", ""), (kind, s.get("name"))


def test_the_expression_check_catches_an_undefined_reference(tmp_path):
    doc, _ = workflow("instructor", tmp_path)
    doc["jobs"]["grade"]["steps"][0]["with"]["ref"] = "${{ inputs.branch }}"
    doc["jobs"]["gradebook"]["env"] = {"X": "${{ needs.plan.outputs.shards }}", "Y": "${{ secrets.OTHER }}"}
    assert sorted(undefined_references(doc)) == [
        "jobs.grade.steps.0.with.ref: inputs.branch",
        "jobs.gradebook.env.X: needs.plan.outputs.shards",        # plan is not in gradebook's needs
        "jobs.gradebook.env.Y: secrets.OTHER"]


def test_bad_options_say_what_was_expected(tmp_path, capsys):
    assert github.main(["workflow", "--kind", "student", "-o", str(tmp_path / "x.yml")]) == 2
    assert "--assignment is needed for --kind student" in capsys.readouterr().err
    assert github.main(["workflow", "--kind", "instructor", "--assignment", "a1 rnn", "-o", str(tmp_path / "x")]) == 2
    assert "assignment id such as a1_rnn, got 'a1 rnn'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        github.main(["collect", "--org", ORG, "--prefix", PREFIX, "--assignment", AID, "--shard", "3/2"])
    assert exc.value.code == 2
    assert "I/N with 1 <= I <= N <= 256, e.g. 2/4; got '3/2'" in capsys.readouterr().err


def test_the_student_wheel_carries_the_summary_command():
    assert "github.py" not in kit.INSTRUCTOR_ONLY
    # its top level imports the standard library only (the collect job installs nothing)
    source = Path(github.__file__).read_text(encoding="utf-8")
    top = [ln for ln in source.splitlines() if re.match(r"(import|from) ", ln)]
    assert all(re.match(r"(from __future__|import (argparse|base64|hashlib|json|os|re|shutil|subprocess|sys|"
                        r"tempfile|time|urllib\.\w+)$|from (dataclasses|datetime|pathlib) import)", ln)
               for ln in top), top


def test_link_headers_are_followed_by_their_rel_next():
    link = ('<https://api.github.com/orgs/o/repos?page=1>; rel="prev", '
            '<https://api.github.com/orgs/o/repos?page=3>; rel="next", <https://api.github.com/orgs/o/repos?page=9>; '
            'rel="last"')
    assert github.next_link(link) == "https://api.github.com/orgs/o/repos?page=3"
    assert github.next_link('<https://x/?page=9>; rel="last"') is None
    assert github.next_link(None) is None


def test_git_reads_the_token_from_the_environment_for_the_clone_origin_only(monkeypatch):
    monkeypatch.setenv("CLASS_TOKEN", TOKEN)
    env = github._git_env("https://github.com/rnn-course-2026/a1-rnn-alice.git", TOKEN)
    assert "CLASS_TOKEN" not in env and "GITHUB_TOKEN" not in env
    assert TOKEN not in " ".join(f"{k}={v}" for k, v in env.items() if not k.startswith("GIT_CONFIG_VALUE"))
    # git itself sees the header for github.com, and for nowhere else
    key = "http.https://github.com/.extraheader"
    got = subprocess.run(["git", "config", "--get-urlmatch", "http.extraheader", "https://github.com/x/y.git"],
                         env=env, capture_output=True, text=True)
    assert got.stdout.strip() == "AUTHORIZATION: basic " + base64.b64encode(
        f"x-access-token:{TOKEN}".encode()).decode()
    other = subprocess.run(["git", "config", "--get-urlmatch", "http.extraheader", "https://evil.example/x.git"],
                           env=env, capture_output=True, text=True)
    assert other.stdout.strip() == ""
    assert env["GIT_CONFIG_KEY_0"] == key
    assert "GIT_CONFIG_COUNT" not in github._git_env("file:///srv/a.git", TOKEN)


# -- a fake GitHub ------------------------------------------------------------------------

def git(*args, cwd=None, env=None):
    proc = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def make_remote(root: Path, name: str, files: dict, when: str | None) -> tuple[str, str]:
    """A bare repository ``root/NAME.git`` whose one commit holds ``files`` (path -> bytes, or
    ("symlink", target)), committed at ``when`` (git's ``@epoch +zone`` or ISO form), or
    without any commit when ``when`` is None. Returns (file:// URL, commit sha)."""
    work = root / "work" / name
    work.mkdir(parents=True)
    git("-c", "init.defaultBranch=main", "init", "-q", cwd=work)
    sha = ""
    if when is not None:
        for rel, data in files.items():
            path = work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, tuple):
                os.symlink(data[1], path)
            else:
                path.write_bytes(data)
        git("add", "-A", cwd=work)
        dates = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        git("-c", "user.name=Student", "-c", "user.email=s@example.org", "commit", "-q", "-m", "work", cwd=work,
            env=dates)
        sha = git("rev-parse", "HEAD", cwd=work)
    bare = root / f"{name}.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    return bare.as_uri(), sha


class FakeGitHub:
    """``/orgs/<org>/repos`` in pages of ``page_size`` with GitHub's ``Link`` header, and
    ``/repos/<org>/<name>/activity`` for the repositories given an activity list."""

    def __init__(self, repos: list[dict], activity: dict[str, list], page_size: int = 3):
        self.repos, self.activity, self.page_size = repos, activity, page_size
        self.seen: list[tuple[str, str | None]] = []        # (path and query, Authorization)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                fake.seen.append((self.path, self.headers.get("Authorization")))
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                parts = url.path.strip("/").split("/")
                if parts[:1] == ["orgs"] and len(parts) == 3 and parts[2] == "repos":
                    page = int(query.get("page", ["1"])[0])
                    repos = [r for r in fake.repos if r["owner"]["login"] == parts[1]]
                    if not repos:
                        return self.send(404, {"message": "Not Found"})
                    start = (page - 1) * fake.page_size
                    last = max(1, -(-len(repos) // fake.page_size))
                    links = []
                    base = f"http://{self.headers['Host']}/orgs/{parts[1]}/repos?type=all&per_page=100&page="
                    if page > 1:
                        links.append(f'<{base}{page - 1}>; rel="prev"')
                    if page < last:
                        links.append(f'<{base}{page + 1}>; rel="next"')
                    links.append(f'<{base}{last}>; rel="last"')
                    return self.send(200, repos[start:start + fake.page_size], {"Link": ", ".join(links)})
                if parts[:1] == ["repos"] and len(parts) == 4 and parts[3] == "activity":
                    if parts[2] in fake.activity and query.get("ref") == ["refs/heads/main"]:
                        return self.send(200, fake.activity[parts[2]])
                    return self.send(404, {"message": "Not Found"})
                return self.send(404, {"message": "Not Found"})

            def send(self, code, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def repo_json(name: str, url: str, org: str = ORG, **extra) -> dict:
    return {"name": name, "full_name": f"{org}/{name}", "owner": {"login": org}, "clone_url": url,
            "default_branch": "main", "private": True, "is_template": False, **extra}


def nb_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


@pytest.fixture(scope="module")
def notebooks():
    source = source_notebook(AID)
    mistake = next(m for m in load_mistakes(AID) if m.name == MISTAKE)
    return {"reference": source, "mistake": make_submission(source, mistake), "mistake_spec": mistake}


@pytest.fixture(scope="module")
def org(tmp_path_factory, notebooks):
    """The organisation: its repositories, the fake server, and what each student should get.

    shard of a name (the module's docstring): 1 + int(sha256(name)[:16], 16) % 2 -- erin and
    gina fall in shard 1, the others in shard 2 (checked below, from hashlib directly).
    """
    root = tmp_path_factory.mktemp("remotes")
    ref, bad = nb_bytes(notebooks["reference"]), nb_bytes(notebooks["mistake"])
    made = {
        # backdated commit; GitHub received it later: the push time counts
        "alice": ({"a1_rnn.ipynb": ref, "README.md": b"alice\n"}, "2026-01-10T09:00:00+00:00"),
        # the notebook one folder down, a checkpoint beside it; no activity: pushed_at counts
        "bob": ({"assignments/a1_rnn/a1_rnn.ipynb": bad,
                 "assignments/a1_rnn/.ipynb_checkpoints/a1_rnn-checkpoint.ipynb": ref}, "2026-01-12T10:00:00+00:00"),
        # neither activity nor pushed_at: the commit's own time, in UTC
        "carol": ({"a1_rnn.ipynb": ref}, "2026-01-14T11:22:33+02:00"),
        "dave": ({"README.md": b"no notebook\n", "notes.ipynb": ref}, "2026-01-15T12:00:00+00:00"),
        "erin": ({"a1_rnn.ipynb": ("symlink", "/etc/hostname")}, "2026-01-16T12:00:00+00:00"),
        "frank": ({}, None),                                                  # no commit at all
        "gina": ({"a1_rnn.ipynb": bad}, "2026-01-17T08:30:00+00:00"),
    }
    repos, shas = [], {}
    for student, (files, when) in made.items():
        url, shas[student] = make_remote(root, PREFIX + student, files, when)
        extra = {"pushed_at": "2026-01-15T08:00:00Z"} if student == "bob" else {"pushed_at": None}
        repos.append(repo_json(PREFIX + student, url, **extra))
    url, _ = make_remote(root, PREFIX + "template", {"a1_rnn.ipynb": ref}, "2026-01-01T00:00:00+00:00")
    repos.append(repo_json(PREFIX + "template", url, is_template=True))
    url, _ = make_remote(root, "website", {"index.md": b"hi\n"}, "2026-01-01T00:00:00+00:00")
    repos.append(repo_json("website", url))
    repos.reverse()                                   # the API's order is not the names' order
    activity = {PREFIX + "alice": [
        {"id": 2, "before": shas["alice"], "after": "f" * 40, "ref": "refs/heads/other",
         "timestamp": "2026-02-01T00:00:00Z", "activity_type": "push"},
        {"id": 1, "before": "0" * 40, "after": shas["alice"], "ref": "refs/heads/main",
         "timestamp": "2026-01-20T18:30:05Z", "activity_type": "push"}]}
    expected_time = {"alice": "2026-01-20 18:30:05.000000 UTC", "bob": "2026-01-15 08:00:00.000000 UTC",
                     "carol": "2026-01-14 09:22:33.000000 UTC", "dave": "2026-01-15 12:00:00.000000 UTC",
                     "erin": "2026-01-16 12:00:00.000000 UTC", "gina": "2026-01-17 08:30:00.000000 UTC"}
    shard = {s: 1 + int(hashlib.sha256(f"{PREFIX}{s}".encode()).hexdigest()[:16], 16) % 2 for s in made}
    assert shard == {"alice": 2, "bob": 2, "carol": 2, "dave": 2, "erin": 1, "frank": 2, "gina": 1}
    with FakeGitHub(repos, activity) as server:
        yield {"server": server, "shas": shas, "expected_time": expected_time, "shard": shard,
               "students": sorted(made), "root": root}


def run_script(script: str, cwd: Path, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    """A step's ``run:`` as GitHub runs it on Linux when no shell is named: ``bash -e {0}``."""
    base = {k: v for k, v in os.environ.items() if k not in ("CLASS_TOKEN", "GITHUB_TOKEN", "PYTHONPATH")}
    base["PATH"] = BIN + os.pathsep + base["PATH"]
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd,
                          env={**base, **env}, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def collected(org, tmp_path_factory):
    """The instructor workflow's plan step, then its collect step once per shard, each in a
    workspace of its own (a machine of its own on GitHub)."""
    doc, _ = workflow("instructor", tmp_path_factory.mktemp("wf"))
    plan = tmp_path_factory.mktemp("plan")
    out = plan / "github_output"
    proc = run_script(step(doc, "plan", "plan")["run"], plan, {"SHARDS": "2", "GITHUB_OUTPUT": str(out)})
    assert proc.returncode == 0, proc.stderr
    (line,) = out.read_text().splitlines()
    key, value = line.split("=", 1)
    assert key == "shards" and json.loads(value) == [1, 2]
    shards = {}
    for i in json.loads(value):
        ws = tmp_path_factory.mktemp(f"collect{i}")
        env = {"CLASS_TOKEN": TOKEN, "ORG": ORG, "PREFIX": PREFIX, "ASSIGNMENT": AID, "SHARD": str(i),
               "SHARDS": "2", "GITHUB_API_URL": org["server"].url, "GITHUB_ACTIONS": "true"}
        proc = run_script(step(doc, "collect", "collect")["run"], ws, env, timeout=300)
        shards[i] = (ws, proc)
    return doc, shards


def test_the_plan_step_refuses_a_bad_number_of_shards(tmp_path, tmp_path_factory):
    doc, _ = workflow("instructor", tmp_path)
    for bad in ("0", "257", "two", ""):
        proc = run_script(step(doc, "plan", "plan")["run"], tmp_path, {"SHARDS": bad,
                                                                       "GITHUB_OUTPUT": str(tmp_path / "o")})
        assert proc.returncode == 1 and "shards must be a whole number from 1 to 256" in proc.stdout, bad


def test_collect_lays_out_every_repository_once_across_the_shards(org, collected):
    _, shards = collected
    seen = {}
    for i, (ws, proc) in shards.items():
        assert proc.returncode == 0, proc.stdout + proc.stderr
        students = sorted(p.name for p in (ws / "submitted").iterdir()) if (ws / "submitted").exists() else []
        seen[i] = students
        assert students == sorted(s for s in org["students"] if org["shard"][s] == i)
    # disjoint, and together every student's repository (not the template, not the website)
    assert set(seen[1]).isdisjoint(seen[2])
    assert sorted(seen[1] + seen[2]) == org["students"]
    ws1, ws2 = shards[1][0], shards[2][0]
    sub = {s: (ws1 if org["shard"][s] == 1 else ws2) / "submitted" / s / AID for s in org["students"]}
    # the notebooks are the bytes committed, the timestamps when GitHub received them
    ref = nbformat.read(sub["alice"] / f"{AID}.ipynb", as_version=4)
    assert [c.source for c in ref.cells] == [c.source for c in source_notebook(AID).cells]
    assert (sub["bob"] / f"{AID}.ipynb").read_bytes() == (sub["gina"] / f"{AID}.ipynb").read_bytes()
    for student, when in org["expected_time"].items():
        assert (sub[student] / "timestamp.txt").read_text() == when, student
    # no notebook: an empty folder (a malformed submission in the gradebook), and said so
    for student in ("dave", "erin", "frank"):
        assert not list(sub[student].glob("*.ipynb")), student
    assert not (sub["frank"] / "timestamp.txt").exists()
    out2 = shards[2][1].stdout
    assert f"{PREFIX}dave (dave): no-notebook: no a1_rnn.ipynb in the repository (its notebooks: notes.ipynb)" in out2
    assert f"{PREFIX}frank (frank): empty: the repository has no commit" in out2
    assert f"{PREFIX}erin (erin): no-notebook: a1_rnn.ipynb is a symbolic link, not a notebook file" in shards[1][1].stdout
    assert f"skipped {PREFIX}template: a template repository" in out2 + shards[1][1].stdout
    summary = out2.strip().splitlines()[-1]
    assert summary.startswith("shard 2/2: 5 of the 7 repositories of rnn-course-2026 named a1-rnn-*; 3 notebooks")
    assert "without a1_rnn.ipynb: a1-rnn-dave, a1-rnn-frank" in summary
    # collect.json: which time is which
    manifest = {r["student"]: r for r in json.loads((ws2 / "collect.json").read_text())["repositories"]}
    assert manifest["alice"]["time_source"] == "push" and manifest["alice"]["commit"] == org["shas"]["alice"]
    assert manifest["bob"]["time_source"] == "pushed_at" and manifest["bob"]["notebook"] == "assignments/a1_rnn/a1_rnn.ipynb"
    assert manifest["carol"]["time_source"] == "commit"


def test_collect_sends_the_token_to_the_api_only_and_leaves_it_nowhere(org, collected):
    _, shards = collected
    seen = org["server"].seen
    listing = [a for p, a in seen if p.startswith(f"/orgs/{ORG}/repos")]
    # 9 repositories in pages of 3: each shard read 3 pages by following rel="next"
    assert len(listing) == 6 and set(listing) == {f"Bearer {TOKEN}"}
    activity = [p for p, _ in seen if "/activity" in p]
    assert len(activity) == 6                 # one per repository with a commit
    assert {a for _, a in seen} == {f"Bearer {TOKEN}"}
    for i, (ws, proc) in shards.items():
        assert TOKEN not in proc.stdout + proc.stderr
        for f in ws.rglob("*"):
            assert f.is_dir() or TOKEN.encode() not in f.read_bytes(), f
        assert not list(ws.rglob(".git")), "a clone was left in the workspace"


def test_the_grade_step_of_a_shard_without_repositories_grades_nothing(tmp_path):
    doc, _ = workflow("instructor", tmp_path)
    proc = run_script(step(doc, "grade", "grade")["run"], tmp_path, {"ASSIGNMENT": AID, "SHARD": "3"})
    assert proc.returncode == 0, proc.stderr
    assert "shard 3 has no repositories: nothing to grade" in proc.stdout
    assert (tmp_path / "graded").is_dir() and not list((tmp_path / "graded").iterdir())


def test_a_repository_named_by_the_prefix_alone_is_skipped_and_said_so(tmp_path, capsys):
    url, _ = make_remote(tmp_path, "a1-rnn-", {"a1_rnn.ipynb": b"{}"}, "2026-01-01T00:00:00+00:00")
    with FakeGitHub([repo_json("a1-rnn-", url, org="other")], {}) as server:
        assert github.main(["collect", "--org", "other", "--prefix", "a1-rnn", "--assignment", AID,
                            "--out", str(tmp_path / "s"), "--api-url", server.url]) == 0
    out = capsys.readouterr().out
    assert "skipped a1-rnn-: '-' after the prefix is not a student id" in out
    assert "does --prefix end with its separator" in out
    assert out.strip().splitlines()[-1].startswith("shard 1/1: 0 of the 0 repositories")
    assert not list((tmp_path / "s").iterdir())


def test_collect_stops_when_a_repository_cannot_be_fetched_and_names_it(tmp_path, capsys):
    """The others are still laid out; exit 2: grading a class with a student missing is worse
    than running again."""
    url, _ = make_remote(tmp_path, "a1-rnn-zed", {"a1_rnn.ipynb": b"{}"}, "2026-01-01T00:00:00+00:00")
    repos = [repo_json("a1-rnn-zed", url, org="other"),
             repo_json("a1-rnn-ghost", (tmp_path / "missing.git").as_uri(), org="other")]
    with FakeGitHub(repos, {}) as server:
        assert github.main(["collect", "--org", "other", "--prefix", PREFIX, "--assignment", AID,
                            "--out", str(tmp_path / "s"), "--api-url", server.url]) == 2
        out = capsys.readouterr().out
        assert (tmp_path / "s" / "zed" / AID / f"{AID}.ipynb").read_bytes() == b"{}"
        assert not (tmp_path / "s" / "ghost").exists()
        assert "a1-rnn-ghost (ghost): failed: git clone failed" in out
        assert out.strip().splitlines()[-1].endswith("could not fetch: a1-rnn-ghost")
        assert github.main(["collect", "--org", "nobody", "--prefix", PREFIX, "--assignment", AID,
                            "--out", str(tmp_path / "s"), "--api-url", server.url]) == 2
        assert "HTTP 404" in capsys.readouterr().err


@pytest.mark.slow
def test_the_grade_step_grades_each_shard_and_the_gradebook_job_merges_them(org, collected, notebooks,
                                                                             tmp_path_factory):
    doc, shards = collected
    spec = load(AID)
    total = spec.max_points
    mistake_total = sum(notebooks["mistake_spec"].expected_scores(spec).values())
    assert 0 < mistake_total < total
    expected = {"alice": ("graded", total), "bob": ("graded", mistake_total), "carol": ("graded", total),
                "gina": ("graded", mistake_total), "dave": ("malformed", 0.0), "erin": ("malformed", 0.0),
                "frank": ("malformed", 0.0)}
    from autograder.batch import current_records

    graded = {}
    for i, (ws, _) in shards.items():
        # the grade job's machine: the shard's artifact (submitted/, collect.json), nothing else
        gws = tmp_path_factory.mktemp(f"grade{i}")
        shutil.copytree(ws / "submitted", gws / "submitted")
        shutil.copy(ws / "collect.json", gws / "collect.json")
        proc = run_script(step(doc, "grade", "grade")["run"], gws, {"ASSIGNMENT": AID, "SHARD": str(i)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        recs = {r.get("student") or Path(r["rel"]).parts[0]: r for r in current_records(gws / "graded")}
        assert sorted(recs) == sorted(s for s in org["students"] if org["shard"][s] == i)
        for student, rec in recs.items():
            status, score = expected[student]
            assert rec["status"] == status and rec["score"] == pytest.approx(score), (student, rec["message"])
            if "submitted_at" in rec and student in org["expected_time"]:
                when = datetime.strptime(org["expected_time"][student], "%Y-%m-%d %H:%M:%S.%f UTC")
                assert rec["submitted_at"] == when.replace(tzinfo=timezone.utc).isoformat()
        graded[i] = gws / "graded"
    # the gradebook job: every shard's artifact in its own folder graded-shard-<i>/
    final = tmp_path_factory.mktemp("gradebook")
    for i, folder in graded.items():
        shutil.copytree(folder, final / f"graded-shard-{i}")
    missing = [c for c in ("merge", "report", "export")
               if run_script(f"autograder {c} --help", final, {}).returncode != 0]
    if missing:
        pytest.skip(f"autograder {', '.join(missing)} not there yet: graded the shards, merged nothing")
    proc = run_script(step(doc, "gradebook", "gradebook")["run"], final, {})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = {r.get("student"): r for r in current_records(final / "graded")}
    assert sorted(recs) == org["students"]
    assert {s: (r["status"], r["score"]) for s, r in recs.items()} == {
        s: (st, pytest.approx(sc)) for s, (st, sc) in expected.items()}
    assert (final / "graded" / "report.html").is_file() and (final / "graded" / "gradebook.csv").is_file()


@pytest.fixture
def no_solutions(tmp_path):
    """A PYTHONPATH folder whose sitecustomize refuses ``import solutions`` and ``samples``:
    the student's machine, which has the wheel only."""
    folder = tmp_path / "student_site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        "class _NoReference:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('solutions', 'samples'):\n"
        "            raise ModuleNotFoundError(f'{name} is not installed here (student environment)')\n"
        "sys.meta_path.insert(0, _NoReference())\n")
    return folder


def test_the_student_self_check_writes_a_summary_per_exercise(org, tmp_path, notebooks, no_solutions):
    """gina's repository, cloned as actions/checkout would, and the workflow's Self-check step
    run in it; without solutions, her mistake fails many_to_one's public cases and nothing else."""
    doc, _ = workflow("student", tmp_path)
    repo = tmp_path / "gina"
    git("clone", "-q", (org["root"] / f"{PREFIX}gina.git").as_uri(), str(repo))
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    env = {**{k: str(v) for k, v in doc["env"].items()}, "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_ACTIONS": "true", "PYTHONPATH": str(no_solutions)}
    proc = run_script(step(doc, "self-check", "self-check")["run"], repo, env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "solutions" not in proc.stderr
    md = summary.read_text()
    spec = load(AID)
    failing = set(notebooks["mistake_spec"].expect) | set(notebooks["mistake_spec"].carried)
    assert failing == {"many_to_one"}
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| ([^|]+) \|$", md, re.M)
    assert [r[0] for r in rows] == [ex.grade_id for ex in spec.exercises]
    for gid, word, points in rows:
        public = spec.exercise(gid).public_points
        want = ("FAIL", f"0 / {public:g}") if gid in failing else ("PASS", f"{public:g} / {public:g}")
        assert (word, points.strip()) == want, gid
    right = sum(ex.public_points for ex in spec.exercises if ex.grade_id not in failing)
    assert f"**Public total: {right:g} / {sum(ex.public_points for ex in spec.exercises):g}**" in md
    assert "<details><summary>FAIL many_to_one: feedback</summary>" in md
    # the log has what `autograder check` prints
    assert "FAIL  many_to_one (public cases): 0 / 1 point" in proc.stdout
    assert re.search(r"^public total: \d+/\d+", proc.stdout, re.M)


def test_the_summary_of_a_notebook_that_is_not_one_says_so(tmp_path):
    bad = tmp_path / f"{AID}.ipynb"
    bad.write_text("{oops")
    md = tmp_path / "summary.md"
    assert github.main(["summary", str(bad), "--assignment", AID, "--markdown", str(md)]) == 0
    assert "**FAIL**: the notebook cannot be graded" in md.read_text()
    assert github.main(["summary", str(bad), "--assignment", AID, "--strict"]) == 1
    assert github.main(["summary", str(tmp_path / "nothing.ipynb")]) == 2
