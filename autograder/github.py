"""GitHub without GitHub Classroom: a self-check in each student's repository, the grading in the instructor's.

Two workflow files (``autograder github-workflow --kind student|instructor -o PATH``):

``self-check.yml``   in each student's repository (made from a template repository that
                     holds the released notebook and the student wheel under ``wheels/``).
                     On every push it runs the public self-check from that wheel and writes
                     a table of PASS/FAIL and points to the run's summary page (``summary``
                     below). It holds no secret: editing it gains a student nothing.
``grade-class.yml``  in the instructor's private course repository, started by hand. Jobs:
                     ``plan`` (the shard numbers), ``collect`` (one per shard, the only step
                     holding the token: lists and clones the students' repositories into
                     nbgrader's layout, runs no student code), ``grade`` (one per shard, no
                     secret, bubblewrap required: ``autograder grade``), ``gradebook``
                     (merges the shards, the item analysis, the Canvas export).

Commands (``register(sub)`` adds them to ``autograder``; ``python -m autograder.github``
has them as ``workflow``, ``collect`` and ``summary``, which the workflows call because
they need nothing installed but this package, or for ``collect`` not even that):

``github-collect``   ``GET /orgs/{org}/repos`` (paginated by the ``Link`` header), the
                     repositories whose name starts with the prefix, this shard's of them;
                     each is fetched (``git clone --depth 1 --no-checkout``: no file of it is
                     written out, no hook or filter of it runs) and its notebook read out of
                     git's objects into ``OUT/<student>/<assignment>/<assignment>.ipynb``
                     with nbgrader's ``timestamp.txt``. The student id is the repository's
                     name without the prefix.
``github-summary``   the public self-check of one notebook, printed as ``autograder check``
                     prints it, and as Markdown for ``$GITHUB_STEP_SUMMARY``. It needs only
                     the student wheel.

Sharding: a repository's shard is ``1 + int(sha256(name)[:16], 16) % N``. It depends on
the name alone, so the shards are disjoint and cover every repository even when each shard
job lists the organisation at a slightly different moment: numbering the sorted list
instead would shift every later repository when one is created or deleted in between, and
grade one twice and another never. The price is a statistical balance instead of an exact
one (with 100 repositories on 4 shards, about 25 +- 5 each).

Submission time (``timestamp.txt``): a commit's own date is whatever the student's clock
or ``GIT_COMMITTER_DATE`` said, so a late commit can claim any time. The time GitHub
received the graded commit is used instead: the push that made it the head of the default
branch (``GET /repos/{owner}/{repo}/activity``), else the repository's ``pushed_at`` (the
last push to any branch: never earlier than the graded commit arrived), else, when the
server knows neither (another git host), the commit's date. ``collect.json`` (``--manifest``)
says which, per repository.

The token (``CLASS_TOKEN``, else ``GITHUB_TOKEN``) goes to the API in an ``Authorization``
header that urllib does not repeat on a redirect, and to git through its ``GIT_CONFIG_*``
environment variables (``http.<origin>/.extraheader``), scoped to the clone URL's origin:
it is in no command line, no URL, no log line and no ``.git/config``.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORKFLOWS = {"student": "github-self-check.yml", "instructor": "github-grade-class.yml"}
DEFAULT_PATHS = {"student": ".github/workflows/self-check.yml", "instructor": ".github/workflows/grade-class.yml"}
DEFAULT_API = "https://api.github.com"
TOKEN_ENV = ("CLASS_TOKEN", "GITHUB_TOKEN")
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f %Z"          # nbgrader's ExchangeSubmit timestamp_format
MAX_SHARDS = 256                                    # GitHub's limit of jobs in one matrix
SUMMARY_FEEDBACK_CHARS = 200_000                    # GitHub keeps 1 MiB of a step's summary

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_REPO_CHARS = re.compile(r"[A-Za-z0-9._-]+")
_STUDENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


# -- the workflow files ----------------------------------------------------------------

def workflow_text(kind: str, assignment: str | None = None, *, org: str = "", prefix: str = "",
                  shards: int = 4) -> str:
    """The workflow file of ``kind`` ("student" or "instructor") with its ``@name@`` fields filled."""
    if kind not in WORKFLOWS:
        raise ValueError(f"--kind must be one of {', '.join(WORKFLOWS)}, got {kind!r}")
    if assignment is not None and not _ID.fullmatch(assignment):
        raise ValueError(f"--assignment must be an assignment id such as a1_rnn, got {assignment!r}")
    if kind == "student" and not assignment:
        raise ValueError("--assignment is needed for --kind student: the workflow checks that assignment's notebook")
    if org and not _ORG.fullmatch(org):
        raise ValueError(f"--org must be a GitHub organisation name (letters, digits, hyphens), got {org!r}")
    if prefix and not _REPO_CHARS.fullmatch(prefix):
        raise ValueError(f"--prefix must be the start of a repository name (letters, digits, '.', '_', '-'), "
                         f"got {prefix!r}")
    if not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"--shards must be from 1 to {MAX_SHARDS}, got {shards}")
    path = TEMPLATES / WORKFLOWS[kind]
    if not path.is_file():
        raise RuntimeError(f"{path} is not here: the workflow templates are in the course repository, not in "
                           f"the student wheel; run this from the course repository")
    values = {"assignment": assignment or "", "org": org, "prefix": prefix or (f"{assignment}-" if assignment else ""),
              "shards": str(shards)}
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = sorted(set(re.findall(r"@[a-z_]+@", text)))
    if left:
        raise RuntimeError(f"{path.name}: fields {', '.join(left)} have no value")
    return text


def write_workflow(kind: str, path: str | Path, assignment: str | None = None, **fields) -> Path:
    """Write the workflow of ``kind`` to ``path`` (folders made as needed)."""
    text = workflow_text(kind, assignment, **fields)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- listing the organisation's repositories -------------------------------------------

class GitHubError(RuntimeError):
    """The API answered with an error, or with something other than what was expected."""


def token_from_env(env=None) -> str | None:
    env = os.environ if env is None else env
    for name in TOKEN_ENV:
        if env.get(name):
            return env[name]
    return None


def _get(url: str, token: str | None, *, attempts: int = 3) -> tuple[object, dict]:
    """GET a JSON document: (parsed body, headers). Retries a 5xx or a broken connection."""
    req = urllib.request.Request(url, headers={"Accept": "application/vnd.github+json",
                                               "X-GitHub-Api-Version": "2022-11-28",
                                               "User-Agent": "rnn-course-autograder"})
    if token:
        # not repeated on a redirect to another host
        req.add_unredirected_header("Authorization", f"Bearer {token}")
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                body = resp.read()
                headers = {k.lower(): v for k, v in resp.headers.items()}
            break
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 and attempt < attempts:
                time.sleep(2 ** attempt)
                continue
            detail = ""
            try:
                detail = json.loads(exc.read() or b"{}").get("message", "")
            except (ValueError, AttributeError):
                pass
            raise GitHubError(f"GET {_no_query(url)}: HTTP {exc.code}{': ' + detail if detail else ''}") from None
        except urllib.error.URLError as exc:
            if attempt < attempts:
                time.sleep(2 ** attempt)
                continue
            raise GitHubError(f"GET {_no_query(url)}: {exc.reason}") from None
    try:
        return json.loads(body), headers
    except ValueError:
        raise GitHubError(f"GET {_no_query(url)}: expected JSON, got {body[:80]!r}") from None


def _no_query(url: str) -> str:
    return url.split("?", 1)[0]


def next_link(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (RFC 8288, as GitHub paginates), or None."""
    for part in (link_header or "").split(","):
        m = re.match(r'\s*<([^>]*)>\s*;(.*)', part)
        if m and re.search(r'\brel\s*=\s*"?next"?', m.group(2)):
            return m.group(1)
    return None


def list_org_repos(org: str, api_url: str = DEFAULT_API, token: str | None = None) -> list[dict]:
    """Every repository of ``org`` the token can see, following the ``Link`` header's pages."""
    base = api_url.rstrip("/")
    url = f"{base}/orgs/{urllib.parse.quote(org)}/repos?type=all&per_page=100"
    origin = urllib.parse.urlsplit(base)[:2]
    repos: list[dict] = []
    while url:
        try:
            page, headers = _get(url, token)
        except GitHubError as exc:
            if " HTTP 404" in str(exc):
                raise GitHubError(f"{exc} (no organisation {org!r}, or the token cannot see it: a fine-grained "
                                  f"token needs {org} as its resource owner)") from None
            raise
        if not isinstance(page, list):
            raise GitHubError(f"GET /orgs/{org}/repos: expected a list of repositories, got {type(page).__name__}")
        repos.extend(page)
        url = next_link(headers.get("link"))
        if url and urllib.parse.urlsplit(url)[:2] != origin:
            raise GitHubError(f"the next page of /orgs/{org}/repos is on another server ({url}); "
                              f"the token is sent only to {base}")
    return repos


def shard_of(name: str, shards: int) -> int:
    """The shard (1..shards) of a repository: a hash of its name, nothing else."""
    return 1 + int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:16], 16) % shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); anything else is a ValueError saying what is expected."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)) <= MAX_SHARDS:
        raise ValueError(f"--shard must be I/N with 1 <= I <= N <= {MAX_SHARDS}, e.g. 2/4; got {text!r}")
    return int(m.group(1)), int(m.group(2))


# -- cloning and laying out -------------------------------------------------------------

@dataclass
class Collected:
    """What ``collect`` did with one repository (a row of ``collect.json``)."""

    repo: str
    student: str
    status: str                    # "ok", "no-notebook", "empty" (no commit), "failed" (could not fetch)
    commit: str = ""
    notebook: str = ""             # its path in the repository
    submitted_at: str = ""         # ISO 8601 UTC, what timestamp.txt says
    time_source: str = ""          # "push", "pushed_at" or "commit" (see the module docstring)
    problem: str = ""
    others: list[str] = field(default_factory=list)


def _local_env() -> dict:
    """git's environment without the token, without settings that point git elsewhere, no prompt."""
    env = {k: v for k, v in os.environ.items()
           if k not in TOKEN_ENV and not k.startswith("GIT_CONFIG_")
           and k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def _git_env(url: str, token: str | None) -> dict:
    """git's environment for fetching ``url``: the token as an extra header for its origin only."""
    env = _local_env()
    parts = urllib.parse.urlsplit(url)
    if token and parts.scheme in ("https", "http"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update({"GIT_CONFIG_COUNT": "1",
                    "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{parts.netloc}/.extraheader",
                    "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}"})
    return env


def _git(args: list[str], env: dict, *, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], env=env, capture_output=True, timeout=timeout)


def _clone(url: str, dest: Path, token: str | None, attempts: int = 3) -> str | None:
    """Fetch the default branch's last commit into ``dest`` (no checkout); None, or why it failed."""
    env = _git_env(url, token)
    network = urllib.parse.urlsplit(url).scheme in ("https", "http", "ssh", "git")
    why = ""
    for attempt in range(1, attempts + 1):
        if dest.exists():
            shutil.rmtree(dest)
        try:
            proc = _git(["clone", "--quiet", "--depth", "1", "--no-checkout", "--no-tags", "--", url, str(dest)], env)
        except subprocess.TimeoutExpired:
            why = "git clone timed out"
        else:
            if proc.returncode == 0:
                return None
            why = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            why = f"git clone failed: {why[0]}"
        if not network:
            break
        if attempt < attempts:
            time.sleep(2 ** attempt)
    return why


def _head(dest: Path) -> tuple[str, int] | None:
    """(sha, committer time in seconds since the epoch) of HEAD, None in a repository without commits."""
    proc = _git(["-C", str(dest), "log", "-1", "--format=%H %ct", "HEAD"], _local_env())
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    sha, seconds = proc.stdout.decode().split()
    return sha, int(seconds)


def _tree(dest: Path) -> list[tuple[str, str, str]]:
    """(mode, blob sha, path) of every file of HEAD."""
    proc = _git(["-C", str(dest), "ls-tree", "-r", "-z", "--full-tree", "HEAD"], _local_env())
    if proc.returncode != 0:
        raise RuntimeError(f"git ls-tree failed in {dest}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    out = []
    for entry in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            out.append((mode, sha, path))
    return out


def _blob(dest: Path, sha: str) -> bytes:
    proc = _git(["-C", str(dest), "cat-file", "blob", sha], _local_env())
    if proc.returncode != 0:
        raise RuntimeError(f"git cat-file failed in {dest}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def choose_notebook(tree: list[tuple[str, str, str]], assignment: str) -> tuple[tuple[str, str, str] | None, list[str]]:
    """The repository's ``<assignment>.ipynb`` (the shallowest, a regular file, not a checkpoint)
    and the paths of its other notebooks."""
    notebooks = [t for t in tree if t[2].endswith(".ipynb") and ".ipynb_checkpoints/" not in f"/{t[2]}"]
    named = sorted((t for t in notebooks if t[2].rsplit("/", 1)[-1] == f"{assignment}.ipynb"
                    and t[0] in ("100644", "100755")), key=lambda t: (t[2].count("/"), t[2]))
    chosen = named[0] if named else None
    return chosen, [t[2] for t in notebooks if t is not chosen]


def nbgrader_time(when: datetime) -> str:
    """``when`` as nbgrader writes ``timestamp.txt``: ``2026-11-20 14:03:11.000000 UTC``."""
    return when.astimezone(timezone.utc).strftime(NBGRADER_TIME.replace("%Z", "UTC"))


def _parse_iso(text) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def push_time(api_url: str, full_name: str, branch: str, sha: str, token: str | None) -> datetime | None:
    """When GitHub received ``sha`` as the head of ``branch``: the latest activity on that
    branch whose ``after`` is ``sha``; None when the server does not say."""
    url = (f"{api_url.rstrip('/')}/repos/{urllib.parse.quote(full_name)}/activity?"
           f"{urllib.parse.urlencode({'ref': f'refs/heads/{branch}', 'per_page': 100})}")
    try:
        page, _ = _get(url, token, attempts=2)
    except GitHubError:
        return None
    if not isinstance(page, list):
        return None
    for act in page:
        if isinstance(act, dict) and act.get("after") == sha:
            return _parse_iso(act.get("timestamp"))
    return None


def collect(org: str, prefix: str, assignment: str, shard: tuple[int, int], out: str | Path, *,
            api_url: str = DEFAULT_API, token: str | None = None, log=None) -> tuple[list[Collected], dict]:
    """This shard's repositories of ``org`` named ``<prefix><student>``, laid out in ``out`` as
    nbgrader's ``submitted/``. Returns (one ``Collected`` per repository, counts)."""
    if not prefix:
        raise ValueError("--prefix must not be empty: it picks the assignment's repositories out of the organisation")
    if not _ID.fullmatch(assignment):
        raise ValueError(f"--assignment must be an assignment id such as a1_rnn, got {assignment!r}")
    index, total = shard
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    repos = list_org_repos(org, api_url, token)
    skipped: list[str] = []
    mine: list[dict] = []
    matching = 0
    for r in sorted(repos, key=lambda r: str(r.get("name", ""))):
        name = str(r.get("name", ""))
        if not name.lower().startswith(prefix.lower()):
            continue
        if r.get("is_template"):
            skipped.append(f"{name}: a template repository, not a student's")
            continue
        student = name[len(prefix):]
        if not _STUDENT.fullmatch(student):
            skipped.append(f"{name}: {student!r} after the prefix is not a student id (expected a name that "
                           f"starts with a letter or digit; does --prefix end with its separator, e.g. 'a1-rnn-'?)")
            continue
        matching += 1
        if shard_of(name, total) == index:
            mine.append(r)
    rows: list[Collected] = []
    with tempfile.TemporaryDirectory(prefix="github-collect-") as tmp:
        for r in mine:
            name = r["name"]
            rows.append(_collect_one(r, name[len(prefix):], assignment, out, Path(tmp) / name, api_url, token))
    for line in skipped:
        print(f"skipped {line}", file=log or sys.stdout)
    counts = {"listed": len(repos), "matching": matching, "shard": len(mine),
              "ok": sum(r.status == "ok" for r in rows),
              "no_notebook": sum(r.status in ("no-notebook", "empty") for r in rows),
              "failed": sum(r.status == "failed" for r in rows)}
    return rows, counts


def _collect_one(repo: dict, student: str, assignment: str, out: Path, work: Path,
                 api_url: str, token: str | None) -> Collected:
    try:
        return _fetch_and_write(repo, student, assignment, out, work, api_url, token)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fetch_and_write(repo: dict, student: str, assignment: str, out: Path, work: Path,
                     api_url: str, token: str | None) -> Collected:
    name = repo["name"]
    url = repo.get("clone_url") or ""
    row = Collected(name, student, "failed")
    if not url:
        row.problem = "the API gave no clone_url"
        return row
    why = _clone(url, work, token)
    if why:
        row.problem = why
        return row
    folder = out / student / assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    head = _head(work)
    if head is None:
        row.status, row.problem = "empty", "the repository has no commit"
        return row
    row.commit, seconds = head
    # when GitHub received it (see the module docstring)
    when = push_time(api_url, repo.get("full_name") or f"{repo.get('owner', {}).get('login', '')}/{name}",
                     repo.get("default_branch") or "main", row.commit, token)
    row.time_source = "push"
    if when is None:
        when, row.time_source = _parse_iso(repo.get("pushed_at")), "pushed_at"
    if when is None:
        when, row.time_source = datetime.fromtimestamp(seconds, timezone.utc), "commit"
    row.submitted_at = when.astimezone(timezone.utc).isoformat()
    (folder / "timestamp.txt").write_text(nbgrader_time(when), encoding="utf-8")
    chosen, others = choose_notebook(_tree(work), assignment)
    row.others = others
    if chosen is None:
        links = [p for p in others if p.rsplit("/", 1)[-1] == f"{assignment}.ipynb"]
        found = f" (its notebooks: {', '.join(others)})" if others else ""
        row.status, row.problem = "no-notebook", (f"{links[0]} is a symbolic link, not a notebook file" if links
                                                  else f"no {assignment}.ipynb in the repository{found}")
        return row
    (folder / f"{assignment}.ipynb").write_bytes(_blob(work, chosen[1]))
    row.status, row.notebook = "ok", chosen[2]
    return row


def cmd_collect(args) -> int:
    try:
        shard = parse_shard(args.shard)
    except ValueError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_FAILED
    token = token_from_env()
    if not token:
        print("note: neither CLASS_TOKEN nor GITHUB_TOKEN is set: only public repositories can be listed and cloned",
              file=sys.stderr)
    api_url = args.api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API
    try:
        rows, counts = collect(args.org, args.prefix, args.assignment, shard, args.out, api_url=api_url, token=token)
    except (GitHubError, ValueError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for r in rows:
        if r.status != "ok":
            print(f"{r.repo} ({r.student}): {r.status}: {r.problem}")
    if args.manifest:
        Path(args.manifest).write_text(json.dumps(
            {"org": args.org, "prefix": args.prefix, "assignment": args.assignment, "shard": f"{shard[0]}/{shard[1]}",
             "counts": counts, "repositories": [asdict(r) for r in rows]}, indent=1), encoding="utf-8")
    missing = [r.repo for r in rows if r.status in ("no-notebook", "empty")]
    failed = [r.repo for r in rows if r.status == "failed"]
    print(f"shard {shard[0]}/{shard[1]}: {counts['shard']} of the {counts['matching']} repositories of {args.org} "
          f"named {args.prefix}*; {counts['ok']} notebook{'' if counts['ok'] == 1 else 's'} into {args.out}"
          + (f"; without {args.assignment}.ipynb: {', '.join(missing)}" if missing else "")
          + (f"; could not fetch: {', '.join(failed)}" if failed else ""))
    # A repository that could not be fetched is the tool's failure, not the student's: stop
    # rather than grade a class with someone missing.
    return EXIT_FAILED if failed else EXIT_OK


# -- the student's self-check as a job summary -----------------------------------------

def self_check(notebook: str | Path, assignment: str | None = None) -> tuple[str, dict]:
    """Grade ``notebook`` on the public cases, as ``autograder check`` does: (assignment id, record)."""
    from autograder.grade import IsolatedGrader

    if assignment is None:
        from autograder.notebook_io import assignment_of
        assignment = assignment_of(notebook)
    grader = IsolatedGrader(assignment, hidden=False, hide=[Path(notebook).absolute().parent])
    if grader.isolation_warning:
        print(grader.isolation_warning, file=sys.stderr)
    return assignment, grader.grade_file(notebook)


def _fence(text: str) -> str:
    """``text`` in a Markdown code block whose fence is longer than any run of backticks in it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(rec: dict, notebook: str, assignment: str) -> str:
    """The job summary: a table with one row per exercise (verdict, public points), the
    public total, then each exercise's feedback folded in a ``<details>``."""
    from autograder.results import (ExerciseFeedback, cases_by_exercise, fmt_points, max_total, public_totals,
                                    scored, total, verdict)

    name = Path(notebook).name
    out = [f"## Self-check of {name} ({assignment}, public cases)", ""]
    if rec["status"] == "malformed":
        out += [f"**FAIL**: the notebook cannot be graded: {_cell(rec['message'])}", ""]
        return "\n".join(out)
    exercises = cases_by_exercise(rec)
    out += ["| Exercise | Result | Points |", "|:--|:--|--:|"]
    for gid, cases in exercises.items():
        checked, later = scored(cases), max_total(c for c in cases if c.unscored)
        points = f"{fmt_points(total(checked))} / {fmt_points(max_total(checked))}" if checked else ""
        if later:
            points += f"{' + ' if points else ''}{fmt_points(later)} at grading"
        out.append(f"| `{gid}` | {verdict(cases)} | {points} |")
    got, possible, waiting = public_totals(rec)
    later = f"; {fmt_points(waiting)} more points are scored then too" if waiting else ""
    out += ["", f"**Public total: {fmt_points(got)} / {fmt_points(possible)}** "
                f"(the hidden cases run when your instructor grades{later})", ""]
    if rec.get("message"):
        out += ["Notes:", "", _fence(rec["message"]), ""]
    budget = SUMMARY_FEEDBACK_CHARS
    for gid, cases in exercises.items():
        fb = ExerciseFeedback.of(cases, f"{gid} (public cases)")
        if fb.verdict == "PASS":
            continue
        text = fb.text()
        if len(text) > budget:
            out += [f"(the feedback on {gid} and after is in the log of the Self-check step)", ""]
            break
        budget -= len(text)
        out += [f"<details><summary>{fb.verdict} {gid}: feedback</summary>", "", _fence(text), "", "</details>", ""]
    return "\n".join(out)


def cmd_summary(args) -> int:
    notebook = Path(args.notebook)
    if not notebook.is_file():
        print(f"autograder: no notebook {notebook} (expected the assignment's .ipynb file)", file=sys.stderr)
        return EXIT_FAILED
    assignment, rec = self_check(notebook, args.assignment)
    from autograder.results import check_text, public_totals

    print(check_text(rec, str(notebook)))
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as f:
            f.write(markdown_summary(rec, str(notebook), assignment) + "\n")
    if args.strict:
        got, possible, _ = public_totals(rec)
        if rec["status"] == "malformed" or got < possible:
            return EXIT_FINDINGS
    return EXIT_OK


def cmd_workflow(args) -> int:
    try:
        path = write_workflow(args.kind, args.output or DEFAULT_PATHS[args.kind], args.assignment,
                              org=args.org or "", prefix=args.prefix or "", shards=args.shards)
    except (ValueError, RuntimeError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {path}")
    return EXIT_OK


# -- command line ------------------------------------------------------------------------

def _shard_arg(text: str) -> str:
    try:
        parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--shard ")) from None
    return text


def _shards_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_SHARDS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_SHARDS}, got {text!r}")
    return n


def _add_workflow(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", required=True, choices=sorted(WORKFLOWS),
                   help="student: the self-check for each student's repository (no secret); instructor: the "
                        "class grading for the private course repository")
    p.add_argument("-o", "--output", default=None, metavar="PATH",
                   help=f"where to write it (default {DEFAULT_PATHS['student']} for student, "
                        f"{DEFAULT_PATHS['instructor']} for instructor)")
    p.add_argument("--assignment", default=None, metavar="ID",
                   help="assignment id, e.g. a1_rnn (needed for student; for instructor, the default of the "
                        "run form's assignment field)")
    p.add_argument("--org", default=None, help="instructor: default organisation of the run form")
    p.add_argument("--prefix", default=None,
                   help="instructor: default repository name prefix of the run form (default: ASSIGNMENT-)")
    p.add_argument("--shards", type=_shards_arg, default=4, metavar="N",
                   help=f"instructor: default number of shards of the run form (1 to {MAX_SHARDS}, default 4)")
    p.set_defaults(func=cmd_workflow)


def _add_collect(p: argparse.ArgumentParser) -> None:
    p.add_argument("--org", required=True, help="the GitHub organisation holding the students' repositories")
    p.add_argument("--prefix", required=True,
                   help="name prefix of the assignment's repositories; the rest of a name is the student id")
    p.add_argument("--assignment", required=True, metavar="ID",
                   help="assignment id, e.g. a1_rnn: the notebook <ID>.ipynb and the folder name in the layout")
    p.add_argument("--shard", default="1/1", type=_shard_arg, metavar="I/N",
                   help="collect shard I of N (default 1/1: every repository); a repository's shard is a hash "
                        "of its name")
    p.add_argument("--out", default="submitted", metavar="DIR",
                   help="nbgrader's submitted/ folder to write (default ./submitted)")
    p.add_argument("--manifest", default=None, metavar="FILE",
                   help="also write what was done per repository (commit, notebook path, time and its source) "
                        "as JSON to FILE")
    p.add_argument("--api-url", default=None, metavar="URL",
                   help=f"GitHub's REST API (default: $GITHUB_API_URL, which Actions sets, else {DEFAULT_API}); "
                        f"the token is read from $CLASS_TOKEN, else $GITHUB_TOKEN")
    p.set_defaults(func=cmd_collect)


def _add_summary(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebook", help="the assignment notebook to self-check")
    p.add_argument("--assignment", default=None, metavar="ID",
                   help="assignment id (default: the notebook's metadata, else its file name)")
    p.add_argument("--markdown", default=None, metavar="FILE",
                   help="append the Markdown summary to FILE (in Actions: $GITHUB_STEP_SUMMARY)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when a public case fails or the notebook cannot be graded (a red run)")
    p.set_defaults(func=cmd_summary)


def register(sub) -> None:
    """Add ``github-workflow``, ``github-collect`` and ``github-summary`` to ``autograder``."""
    _add_workflow(sub.add_parser("github-workflow", help="write a GitHub Actions workflow: the students' "
                                                         "self-check or the instructor's class grading"))
    _add_collect(sub.add_parser("github-collect", help="clone the students' repositories of an organisation into "
                                                       "nbgrader's submitted/ layout (one shard of them)"))
    _add_summary(sub.add_parser("github-summary", help="self-check a notebook on the public cases and write a "
                                                       "Markdown job summary (students' workflow)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.github",
                                     description="GitHub workflows of the course: see autograder/github.py.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_workflow(sub.add_parser("workflow", help="write a workflow file (autograder github-workflow)"))
    _add_collect(sub.add_parser("collect", help="collect the students' repositories (autograder github-collect)"))
    _add_summary(sub.add_parser("summary", help="self-check with a job summary (autograder github-summary)"))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError, OSError, RuntimeError) as exc:
        print(f"autograder: {exc.args[0] if isinstance(exc, KeyError) and exc.args else exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
