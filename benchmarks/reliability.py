"""Print the README's Reliability table: the adversarial corpus graded through both paths.

    .venv/bin/python benchmarks/reliability.py                  # both paths (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/reliability.py --no-nbgrader    # autograder grade only
    .venv/bin/python benchmarks/reliability.py --interrupted    # also: 500 submissions, killed twice, vs uninterrupted

It builds the corpus of tests/corpus (real a1_rnn notebooks, one fault each, the score each
deserves derived from the spec's points) in a temporary folder, then

- grades it in one ``autograder grade --jobs 2`` batch: *graded right* means the score it
  deserves on every exercise, the expected status and message; *lost* means no result;
- submits it to a temporary nbgrader course, runs ``nbgrader autograde`` and
  ``autograder audit``: *graded right* means nbgrader's gradebook has the deserved score
  on every exercise; *flagged* means the audit lists the submission (and then the
  audit's own re-grade is checked against the deserved score); *fooled* means neither:
  a wrong nbgrader score nobody flags; *lost* means no score and no flag.

The baseline is the deserved score of each entry (not another grader).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))

from corpus.entries import CATEGORIES, ENTRIES  # noqa: E402
from corpus.paths import grade_batch, grade_through_nbgrader  # noqa: E402


def table(batch: dict, nb: dict | None) -> str:
    head = ["category", "cases tried", "`autograder grade`: graded right", "lost"]
    if nb is not None:
        head += ["nbgrader: graded right", "flagged by `autograder audit`", "fooled, unflagged", "lost"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    totals = [0] * (len(head) - 1)
    for cat in CATEGORIES:
        names = [e.name for e in ENTRIES if e.category == cat]
        outs = [batch["outcomes"][n] for n in names]
        cells = [len(names), sum(o.right for o in outs), sum(o.got is None for o in outs)]
        if nb is not None:
            nouts = [nb["outcomes"][n] for n in names]
            cells += [sum(o.right for o in nouts),
                      sum(o.flagged and not o.right for o in nouts),
                      sum(not o.right and not o.flagged and o.got is not None for o in nouts),
                      sum(o.lost for o in nouts)]
        totals = [a + b for a, b in zip(totals, cells)]
        rows.append(f"| {cat} | " + " | ".join(str(c) for c in cells) + " |")
    rows.append("| **all** | " + " | ".join(f"**{c}**" for c in totals) + " |")
    return "\n".join(rows)


def details(batch: dict, nb: dict | None) -> str:
    lines = []
    for e in ENTRIES:
        o = batch["outcomes"][e.name]
        line = f"  {e.name:28s} deserves {o.deserved:4g}  grade: {o.got if o.got is not None else '-'!s:>5} " \
               f"({o.status or 'no result'}{'' if o.right else ', WRONG'})"
        if nb is not None:
            n = nb["outcomes"][e.name]
            verdict = "right" if n.right else ("flagged" if n.flagged else ("LOST" if n.lost else "FOOLED"))
            line += f"  nbgrader: {n.got if n.got is not None else '-'!s:>5} ({verdict})"
        lines.append(line)
    return "\n".join(lines)


def interrupted(root: Path) -> str:
    """500 submissions: a full uninterrupted run, and a run killed twice and resumed."""
    import test_interrupted_batches as t

    import nbformat

    kinds = t.variants()
    names = list(kinds)
    subs = root / "subs500"
    subs.mkdir()
    for k in range(t.N):
        nbformat.write(t.student_notebook(kinds[names[k % len(names)]], k), subs / f"student{k:03d}.ipynb")
    t0 = time.monotonic()
    t.run_until(subs, root / "uninterrupted", None)
    plain = time.monotonic() - t0
    t0 = time.monotonic()
    for stop_at in (*t.KILL_AFTER, None):
        t.run_until(subs, root / "killed", stop_at)
    killed = time.monotonic() - t0
    a = {r["id"]: t.comparable(r) for r in t.lines(root / "uninterrupted")}
    final = t.lines(root / "killed")
    b = {r["id"]: t.comparable(r) for r in final}
    once = len(final) == len(b) == t.N
    return (f"500 submissions, --jobs 2: uninterrupted {plain:.0f} s; killed twice and resumed {killed:.0f} s; "
            f"each result exactly once: {once}; identical to the uninterrupted run: {a == b}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--no-nbgrader", action="store_true", help="only the autograder grade path")
    p.add_argument("--interrupted", action="store_true", help="also time 500 submissions, killed twice")
    p.add_argument("--details", action="store_true", help="one line per entry")
    p.add_argument("--keep", default=None, help="build in this folder and keep it")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        root = Path(args.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        batch = grade_batch(root / "grade")
        print(f"autograder grade: {len(ENTRIES)} submissions in {batch['seconds']:.0f} s (--jobs 2)", file=sys.stderr)
        nb = None
        if not args.no_nbgrader:
            nb = grade_through_nbgrader(root / "nbgrader")
            print(f"nbgrader autograde {nb['nbgrader_seconds']:.0f} s, autograder audit {nb['audit_seconds']:.0f} s",
                  file=sys.stderr)
        print(table(batch, nb))
        if args.details:
            print()
            print(details(batch, nb))
        if args.interrupted:
            print()
            print(interrupted(root))
        print(f"\n({len(ENTRIES)} entries, {time.monotonic() - t0:.0f} s in all)", file=sys.stderr)
        if args.keep:
            (root / "outcomes.json").write_text(json.dumps(
                {n: {"deserved": o.deserved, "got": o.got, "right": o.right} for n, o in batch["outcomes"].items()},
                indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
