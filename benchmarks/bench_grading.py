"""Throughput of ``autograder grade --jobs 2`` against ``nbgrader autograde`` (the baseline).

Both grade the same N generated submissions of one assignment, on this machine, in one
run. The submissions are the assignment's source notebook (a correct student) and its
nbgrader release (a blank one), alternately, each with a small difference (a code cell
naming the student), so that no two files are the same.

    .venv/bin/python benchmarks/bench_grading.py            # 200 submissions of a1_rnn
    .venv/bin/python benchmarks/bench_grading.py --n 20 --assignment a1_rnn

Prints submissions per second for each and their ratio (the target is >= 10x), and
checks that both give the correct students full marks and the blank ones none.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

REPO = Path(__file__).resolve().parent.parent


def run(cmd, cwd, timeout):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited with {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed, proc


def make_course(root: Path, assignment: str, n: int) -> list[str]:
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(REPO / "assignments" / assignment, root / "assignments" / assignment,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"], root, 600)
    source = nbformat.read(root / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    kinds = []
    for k in range(n):
        kind = "correct" if k % 2 == 0 else "blank"
        nb = nbformat.from_dict(json.loads(json.dumps(source if kind == "correct" else release)))
        cell = new_code_cell(f"student_number = {k}  # makes every file different")
        cell.id = f"bench-student-{k}"
        nb.cells.append(cell)
        folder = root / "submitted" / f"student{k:03d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        kinds.append(kind)
    return kinds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--assignment", default="a1_rnn")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        kinds = make_course(tmp, args.assignment, args.n)
        print(f"{args.n} submissions of {args.assignment} in {tmp}; {os.cpu_count()} cores")

        t_ours, proc = run([sys.executable, "-m", "autograder", "grade", str(tmp / "submitted"),
                            "--assignment", args.assignment, "--jobs", str(args.jobs), "--out", str(tmp / "ours"),
                            "--quiet"], tmp, 3600)
        ours = {Path(r["path"]).parts[-3]: r for r in map(json.loads, (tmp / "ours" / "results.jsonl").open())}
        sandbox = {r["sandbox"] for r in ours.values()}
        print(f"autograder grade --jobs {args.jobs}: {t_ours:7.1f} s  {args.n / t_ours:6.2f} submissions/s  "
              f"(sandbox: {', '.join(sorted(sandbox))})")

        t_nbg, _ = run([sys.executable, "-m", "nbgrader", "autograde", args.assignment, "--force"], tmp, 36000)
        print(f"nbgrader autograde:        {t_nbg:7.1f} s  {args.n / t_nbg:6.2f} submissions/s")
        ratio = (args.n / t_ours) / (args.n / t_nbg)
        print(f"ratio: {ratio:.1f}x  (target >= 10x)")

        run([sys.executable, "-m", "nbgrader", "export"], tmp, 600)
        theirs = {row["student_id"]: float(row["raw_score"] or 0) for row in csv.DictReader(open(tmp / "grades.csv"))}
        problems = []
        for k, kind in enumerate(kinds):
            student = f"student{k:03d}"
            rec = ours[student]
            want = rec["max_score"] if kind == "correct" else 0.0
            if rec["score"] != want or abs(theirs.get(student, -1) - want) > 1e-9:
                problems.append(f"{student} ({kind}): ours {rec['score']:g}, nbgrader {theirs.get(student)}, "
                                f"expected {want:g}")
        print("scores: both graders agree with the expected scores" if not problems else
              "scores that differ:\n  " + "\n  ".join(problems[:20]))
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
