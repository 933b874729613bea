"""Generate ``autograder/data/<assignment_id>.json``: public cases' expected values and
the known wrong variants' outputs, computed from ``solutions`` (instructor side).

    python -m autograder.build_data            # every spec in autograder/specs
    python -m autograder.build_data a1_rnn     # some of them

Floats are written exactly (JSON uses the shortest repr that round-trips). Each public
case stores its inputs too: grading and self-checks use those exact numbers, not the
spec's recomputation of them, which differs in the last bits from one CPU to another
(see ``autograder.casedata``). Hidden cases never appear here: their expected values are
computed at grading time.
"""
from __future__ import annotations

import argparse
import json
import pkgutil
import sys
from pathlib import Path

import numpy as np

from autograder import spec as _spec
from autograder.casedata import DATA_DIR, FORMAT, encode_input, encode_value
from autograder.checks import compute_expected, compute_variants
from autograder.kinds import kind_of


def spec_ids() -> list[str]:
    """Ids of every assignment spec module in autograder/specs."""
    import autograder.specs

    return sorted(m.name for m in pkgutil.iter_modules(autograder.specs.__path__) if not m.name.startswith("_"))


def build(assignment: _spec.Assignment) -> dict:
    """The data of one assignment, as a JSON-able dict."""
    exercises = {}
    for ex in assignment.exercises:
        cases = {}
        for case in ex.public:
            where = f"{assignment.id}/{ex.grade_id} [{case.name}]"
            if case.hidden:
                raise ValueError(f"{where}: a public case is marked hidden")
            if case.name in cases:
                raise ValueError(f"{where}: two public cases have this name")
            item = {"inputs": {k: encode_input(v, what=f"{where} input {k!r}") for k, v in case.inputs.items()}}
            if kind_of(ex).stores_expected:            # a metric is scored at grading time
                expected = compute_expected(ex, case)
                variants = compute_variants(ex, case)
                item["expected"] = {k: encode_value(v) for k, v in expected.items()}
                item["variants"] = {name: {k: encode_value(v) for k, v in outs.items()}
                                    for name, outs in variants.items()}
            cases[case.name] = item
        exercises[ex.grade_id] = cases
    return {"format": FORMAT, "assignment": assignment.id, "exercises": exercises}


def differences(committed: dict, fresh: dict) -> list[str]:
    """Where two builds of one assignment's data disagree beyond last-bit noise.

    Two machines build the same spec into files that differ in the last bits of inputs
    that went through LAPACK, and of everything computed from them. That is not a
    difference; another case, input, output, shape or a value off by more than the data
    tolerance (``casedata.INPUT_RTOL``) is.
    """
    from autograder.casedata import INPUT_ATOL, INPUT_RTOL, decode_input, decode_value, input_difference

    out = []
    if committed.get("format") != fresh.get("format"):
        out.append(f"format {committed.get('format')} != {fresh.get('format')}")
    old_ex, new_ex = committed.get("exercises", {}), fresh.get("exercises", {})
    for gid in sorted(set(old_ex) | set(new_ex)):
        old_cases, new_cases = old_ex.get(gid, {}), new_ex.get(gid, {})
        for name in sorted(set(old_cases) | set(new_cases)):
            where = f"{gid} [{name}]"
            if name not in old_cases or name not in new_cases:
                out.append(f"{where}: only in the {'fresh' if name in new_cases else 'committed'} build")
                continue
            a, b = old_cases[name], new_cases[name]
            why = input_difference({k: decode_input(v) for k, v in b.get("inputs", {}).items()},
                                   {k: decode_input(v) for k, v in a.get("inputs", {}).items()})
            if why:
                out.append(f"{where}: {why}")
            outputs = [("expected", a.get("expected", {}), b.get("expected", {}))]
            for variant in sorted(set(a.get("variants", {})) | set(b.get("variants", {}))):
                outputs.append((f"variant {variant}", a.get("variants", {}).get(variant),
                                b.get("variants", {}).get(variant)))
            for what, va, vb in outputs:
                if va is None or vb is None or set(va) != set(vb):
                    out.append(f"{where}: {what} has other outputs")
                    continue
                for k in sorted(va):
                    x, y = decode_value(va[k]), decode_value(vb[k])
                    if isinstance(x, str) or isinstance(y, str):
                        same = x == y
                    else:
                        same = x.shape == y.shape and np.allclose(x, y, rtol=INPUT_RTOL, atol=INPUT_ATOL)
                    if not same:
                        out.append(f"{where}: {what} output {k!r} differs")
    return out


def dumps(data: dict) -> str:
    """Stable text: sorted keys, no NaN (answers are finite by construction)."""
    return json.dumps(data, sort_keys=True, indent=1, allow_nan=False) + "\n"


def write(assignment_id: str, data_dir: Path = DATA_DIR) -> Path:
    path = Path(data_dir) / f"{assignment_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(build(_spec.load(assignment_id, stored_inputs=False))), encoding="utf-8")
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
