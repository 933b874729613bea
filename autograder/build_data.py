"""Generate ``autograder/data/<assignment_id>.json``: public cases' expected values and
the known wrong variants' outputs, computed from ``solutions`` (instructor side).

    python -m autograder.build_data            # every spec in autograder/specs
    python -m autograder.build_data a1_rnn     # some of them

Floats are written exactly (JSON uses the shortest repr that round-trips). Hidden
cases never appear here: their expected values are computed at grading time. Each
case stores a fingerprint of its inputs so that data left stale by a spec change is
refused at grading time (and by tests/test_checks_data.py).
"""
from __future__ import annotations

import argparse
import json
import pkgutil
import sys
from pathlib import Path

from autograder import spec as _spec
from autograder.checks import DATA_DIR, compute_expected, compute_variants, encode_value, inputs_fingerprint

FORMAT = 1


def spec_ids() -> list[str]:
    """Ids of every assignment spec module in autograder/specs."""
    import autograder.specs

    return sorted(m.name for m in pkgutil.iter_modules(autograder.specs.__path__) if not m.name.startswith("_"))


def build(assignment: _spec.Assignment) -> dict:
    """The data of one assignment, as a JSON-able dict."""
    exercises = {}
    for ex in assignment.exercises:
        if ex.kind == "metric":
            continue                                   # scored by the reference scorer, nothing to store
        cases = {}
        for case in ex.public:
            if case.hidden:
                raise ValueError(f"{assignment.id}/{ex.grade_id}: public case {case.name!r} is marked hidden")
            if case.name in cases:
                raise ValueError(f"{assignment.id}/{ex.grade_id}: two public cases are named {case.name!r}")
            expected = compute_expected(ex, case)
            variants = compute_variants(ex, case)
            cases[case.name] = {
                "inputs_sha256": inputs_fingerprint(case.inputs),
                "expected": {k: encode_value(v) for k, v in expected.items()},
                "variants": {name: {k: encode_value(v) for k, v in outs.items()} for name, outs in variants.items()},
            }
        exercises[ex.grade_id] = cases
    return {"format": FORMAT, "assignment": assignment.id, "exercises": exercises}


def dumps(data: dict) -> str:
    """Stable text: sorted keys, no NaN (answers are finite by construction)."""
    return json.dumps(data, sort_keys=True, indent=1, allow_nan=False) + "\n"


def write(assignment_id: str, data_dir: Path = DATA_DIR) -> Path:
    path = Path(data_dir) / f"{assignment_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(build(_spec.load(assignment_id))))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.build_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="assignment ids (default: every spec in autograder/specs)")
    args = parser.parse_args(argv)
    ids = args.ids or spec_ids()
    known = spec_ids()
    unknown = [i for i in ids if i not in known]
    if unknown:
        print(f"no spec for {', '.join(unknown)}; expected one of: {', '.join(known) or '(none)'}", file=sys.stderr)
        return 2
    for assignment_id in ids:
        path = write(assignment_id)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
