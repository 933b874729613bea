"""The whole course graded: seconds per submission per assignment, against ``nbgrader autograde``.

N generated students hand in every assignment: in turn the source notebook (an honest
correct student), the assignment's seeded mistakes (``samples/``; partly wrong) and the
nbgrader release (blank), each with a cell naming the student so that no two files are the
same. ``autograder grade --jobs J`` grades all of them, one assignment after the other;
``nbgrader autograde`` (the baseline) grades the first ``--nbgrader-n`` students of each
assignment in the same run, on the same machine (nbgrader takes seconds a submission, so
the whole class would take hours).

    .venv/bin/python benchmarks/bench_course.py                  # 300 students x every assignment
    .venv/bin/python benchmarks/bench_course.py --n 20 --nbgrader-n 4 --assignment a1_rnn
    .venv/bin/python benchmarks/bench_course.py --n 200 --nbgrader-n 200 --assignment a1_rnn   # both on all

Prints, per assignment, seconds per submission for each grader and the ratio (target >=
25x): ours is the wall clock of the whole ``autograder grade`` command (start-up included)
over N; nbgrader's is the wall clock of ``nbgrader autograde`` over its students, less its
start-up (a run with no submissions), so the ratio is conservative. Then the whole course's
wall time (target: 300 students x a1-a6 under 15 minutes with --jobs 2), and a
check of every score against what the student deserves (full marks, the seeded mistake's
expected score, or 0).
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
sys.path.insert(0, str(REPO))


def run(cmd, cwd, timeout, check=True):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    elapsed = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited with {proc.returncode}:\n{proc.stdout[-2000:]}\n"
                         f"{proc.stderr[-4000:]}")
    return elapsed, proc


def assignment_ids() -> list[str]:
    return sorted(p.parent.name for p in (REPO / "assignments").glob("*/*.ipynb") if p.stem == p.parent.name)


def make_class(course: Path, assignment: str, n: int) -> dict[str, tuple[str, float]]:
    """Write ``n`` students' submissions of ``assignment`` into ``course/submitted``; return
    student -> (what it is, the score it deserves)."""
    from autograder.spec import load
    from samples import load_mistakes, make_submission

    spec = load(assignment)
    source = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    kinds = [("correct", source, spec.max_points)]
    for mistake in load_mistakes(assignment):
        kinds.append((mistake.name, make_submission(source, mistake), sum(mistake.expected_scores(spec).values())))
    kinds.append(("blank", release, 0.0))
    made = {}
    for k in range(n):
        kind, nb, deserved = kinds[k % len(kinds)]
        nb = nbformat.from_dict(json.loads(json.dumps(nb)))
        cell = new_code_cell(f"student_number = {k}  # makes every file different")
        cell.id = f"bench-student-{k}"
        nb.cells.append(cell)
        student = f"student{k:03d}"
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        made[student] = (kind, deserved)
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="students (default 300)")
    parser.add_argument("--nbgrader-n", type=int, default=10,
                        help="students per assignment nbgrader grades, the first ones (default 10)")
    parser.add_argument("--assignment", action="append", default=None, metavar="ID",
                        help="only this assignment (repeatable; default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at the same time (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = parser.parse_args(argv)
    ids = args.assignment or assignment_ids()

    tmp = Path(tempfile.mkdtemp(prefix="bench-course-"))
    rows, problems, total_ours = [], [], 0.0
    try:
        shutil.copy(REPO / "nbgrader_config.py", tmp / "nbgrader_config.py")
        for aid in ids:
            shutil.copytree(REPO / "assignments" / aid, tmp / "assignments" / aid,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            run([sys.executable, "-m", "nbgrader", "generate_assignment", aid, "--force"], tmp, 600)
        print(f"{args.n} students x {len(ids)} assignments in {tmp}; {os.cpu_count()} cores; "
              f"load {os.getloadavg()[0]:.1f}")
        for aid in ids:
            made = make_class(tmp, aid, args.n)
            t_ours, _ = run([sys.executable, "-m", "autograder", "grade", str(tmp / "submitted"), "--assignment", aid,
                             "--jobs", str(args.jobs), "--out", str(tmp / "ours" / aid), "--quiet"], tmp, 36000)
            total_ours += t_ours
            ours = {r["student"]: r for r in map(json.loads, (tmp / "ours" / aid / "results.jsonl").open())}
            for student, (kind, deserved) in made.items():
                got = ours.get(student, {}).get("score")
                if got is None or abs(got - deserved) > 1e-9:
                    problems.append(f"{aid} {student} ({kind}): ours {got}, deserved {deserved:g}")

            # nbgrader: the first students, moved aside so that it grades only those
            first = sorted(made)[:args.nbgrader_n]
            aside = tmp / "aside"
            for student in sorted(made)[args.nbgrader_n:]:
                (aside / student).mkdir(parents=True, exist_ok=True)
                shutil.move(str(tmp / "submitted" / student / aid), str(aside / student / aid))
            t_nbg = float("nan")
            if first:
                # nbgrader's start-up (imports, the gradebook) is measured on its own, with the
                # submissions moved aside, and left out: its figure is per submission, steady state
                shutil.move(str(tmp / "submitted"), str(tmp / "submitted-aside"))
                (tmp / "submitted").mkdir()
                # (nbgrader then says that no notebooks matched, and exits 1)
                t_start, _ = run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"], tmp, 600, check=False)
                shutil.rmtree(tmp / "submitted")
                shutil.move(str(tmp / "submitted-aside"), str(tmp / "submitted"))
                t_nbg, _ = run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"], tmp, 36000)
                t_nbg = max(t_nbg - t_start, 1e-9)
                run([sys.executable, "-m", "nbgrader", "export", "--assignment", aid], tmp, 600)
                theirs = {(r["student_id"], r["assignment"]): float(r["raw_score"] or 0)
                          for r in csv.DictReader(open(tmp / "grades.csv"))}
                for student in first:
                    kind, deserved = made[student]
                    got = theirs.get((student, aid))
                    if got is None or abs(got - deserved) > 1e-9:
                        problems.append(f"{aid} {student} ({kind}): nbgrader {got}, deserved {deserved:g}")
            shutil.rmtree(tmp / "submitted")
            shutil.rmtree(aside, ignore_errors=True)
            ours_per = t_ours / args.n
            nbg_per = t_nbg / len(first) if first else float("nan")
            rows.append((aid, ours_per, nbg_per))
            print(f"{aid:<18} autograder grade --jobs {args.jobs}: {ours_per:6.3f} s/submission   "
                  f"nbgrader autograde: {nbg_per:6.2f} s/submission   ratio {nbg_per / ours_per:5.1f}x", flush=True)

        print()
        print(f"whole course, autograder grade --jobs {args.jobs}: {total_ours / 60:.1f} min for {args.n} students x "
              f"{len(ids)} assignments ({total_ours / (args.n * len(ids)):.3f} s/submission)")
        print(f"for 300 students x these {len(ids)} assignments that is {total_ours / args.n * 300 / 60:.1f} min "
              "(target: a1-a6 under 15 min)")
        worst = min(rows, key=lambda r: r[2] / r[1])
        print(f"lowest ratio: {worst[0]} {worst[2] / worst[1]:.1f}x (target >= 25x)")
        print("scores: every grade is what the student deserves" if not problems else
              f"{len(problems)} scores differ from what the student deserves:\n  " + "\n  ".join(problems[:30]))
        return 0 if not problems else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
