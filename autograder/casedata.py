"""Public-case data: ``autograder/data/<assignment_id>.json``, read and checked.

The data file is written by ``python -m autograder.build_data`` on a maintainer's machine
and shipped with the package. For every public case it holds the case's **inputs**, the
reference's **expected** outputs and the known wrong **variants'** outputs, all as exact
floats (JSON writes the shortest decimal that reads back to the same double). Grading
and self-checks take a public case's inputs from here, never from recomputing the spec:
a spec that builds its inputs through LAPACK (``np.linalg.qr``) or libm gives other last
bits on another CPU, and every student must evaluate the same numbers as the expected
values were computed from.

Staleness: ``with_stored_inputs`` compares the spec's freshly computed inputs with the
stored ones, by name, kind, dtype and shape exactly and by value within ``INPUT_RTOL``.
The last bits a BLAS or LAPACK kernel changes are far inside that tolerance, and a real
change to a spec (another seed, scale or size) is far outside it; the error then says
what changed, and that a maintainer, not a student, fixes it.

Format 2 (this module), per case::

    {"inputs":   {name: {"array": dtype, "shape": [...], "data": [...]} | {"int": n}
                        | {"float": x} | {"bool": b} | {"text": s} | {"none": true}},
     "expected": {name: {"shape": [...], "data": [...]} | {"text": s}},
     "variants": {variant: {name: ...same as expected...}}}

``metric`` exercises store their inputs only (their scorer runs at grading time).
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
FORMAT = 2
# Relative and absolute tolerance between a spec's inputs and the stored ones. Other BLAS
# or LAPACK kernels move a computed input by a few units in the last place (relative
# 1e-16, 1e-13 after an ill-conditioned step); a changed spec moves it by far more.
INPUT_RTOL = 1e-9
INPUT_ATOL = 1e-12
_INPUT_DTYPES = ("float64", "float32", "int64", "int32", "bool")


class StaleData(RuntimeError):
    """The shipped data does not fit the spec: a maintainer must rebuild it."""


def fix_hint(assignment_id: str) -> str:
    return (f"This is a problem in the course files, not in your notebook: tell your instructor. "
            f"(Maintainers: run `python -m autograder.build_data {assignment_id}` and commit the data.)")


# -- values -----------------------------------------------------------------------------

def encode_value(v) -> dict:
    """An expected or variant output -> JSON: a string, or a float64 array with its shape."""
    if isinstance(v, str):
        return {"text": v}
    a = np.asarray(v, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def decode_value(d: Mapping):
    if "text" in d:
        return str(d["text"])
    return np.array(d["data"], dtype=np.float64).reshape(tuple(d["shape"]))


def encode_input(v, *, what: str = "input") -> dict:
    """A case input (array, number, bool, string or None) -> JSON, exactly."""
    if isinstance(v, np.ndarray):
        if v.dtype.name not in _INPUT_DTYPES:
            raise ValueError(f"{what}: arrays of dtype {v.dtype.name} cannot be stored; expected one of "
                             f"{', '.join(_INPUT_DTYPES)}")
        if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            raise ValueError(f"{what}: an input array holds NaN or inf; JSON data must be finite")
        return {"array": v.dtype.name, "shape": list(v.shape), "data": v.ravel().tolist()}
    if isinstance(v, (bool, np.bool_)):
        return {"bool": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"int": int(v)}
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            raise ValueError(f"{what}: {v!r} is not finite; JSON data must be finite")
        return {"float": float(v)}
    if isinstance(v, str):
        return {"text": v}
    if v is None:
        return {"none": True}
    raise ValueError(f"{what}: a case input must be a numpy array, a number, a bool, a string or None, "
                     f"got {type(v).__name__}")


def decode_input(d: Mapping):
    if "array" in d:
        return np.array(d["data"], dtype=d["array"]).reshape(tuple(d["shape"]))
    if "bool" in d:
        return bool(d["bool"])
    if "int" in d:
        return int(d["int"])
    if "float" in d:
        return float(d["float"])
    if "text" in d:
        return str(d["text"])
    if d.get("none"):
        return None
    raise ValueError(f"unknown input encoding {sorted(d)}")


_ARRAY_KINDS = {"f": "floats", "i": "integers", "u": "integers", "b": "bools"}


def _kind(v) -> str:
    # Integer arrays compare by kind, not width: numpy 1.x on Windows makes int32 by default.
    if isinstance(v, np.ndarray):
        return f"an array of {_ARRAY_KINDS.get(v.dtype.kind, v.dtype.name)} of shape {tuple(v.shape)}"
    if isinstance(v, (bool, np.bool_)):
        return "a bool"
    if isinstance(v, (int, np.integer)):
        return "an int"
    if isinstance(v, (float, np.floating)):
        return "a float"
    return "None" if v is None else f"a {type(v).__name__}"


def input_difference(spec_inputs: Mapping[str, Any], stored: Mapping[str, Any]) -> str | None:
    """How the spec's inputs differ from the stored ones beyond last-bit noise (None: they don't)."""
    missing = sorted(set(spec_inputs) - set(stored))
    extra = sorted(set(stored) - set(spec_inputs))
    if missing:
        return f"the spec has input(s) {', '.join(missing)} that the data does not"
    if extra:
        return f"the data has input(s) {', '.join(extra)} that the spec no longer has"
    for name in sorted(spec_inputs):
        a, b = spec_inputs[name], stored[name]
        if _kind(a) != _kind(b):
            return f"input {name!r} is {_kind(a)} in the spec but {_kind(b)} in the data"
        if isinstance(a, np.ndarray):
            if a.dtype.kind in "fc":
                if not np.allclose(a, b, rtol=INPUT_RTOL, atol=INPUT_ATOL):
                    worst = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
                    return f"input {name!r} differs by up to {worst:.3g}"
            elif not np.array_equal(a, b):
                return f"input {name!r} has other values"
        elif isinstance(a, (float, np.floating)) and not isinstance(a, bool):
            if not math.isclose(float(a), float(b), rel_tol=INPUT_RTOL, abs_tol=INPUT_ATOL):
                return f"input {name!r} is {float(a):g} in the spec but {float(b):g} in the data"
        elif a != b:
            return f"input {name!r} is {a!r} in the spec but {b!r} in the data"
    return None


# -- files ------------------------------------------------------------------------------

_CACHE: dict[str, tuple[float, int, dict]] = {}
_APPLIED: dict[tuple[int, int], tuple] = {}       # ids of (spec, data) -> (spec, data, spec with stored inputs)


def data_path(assignment_id: str, data_dir: Path | None = None) -> Path:
    return Path(data_dir or DATA_DIR) / f"{assignment_id}.json"


def load(assignment_id: str, data_dir: Path | None = None) -> dict | None:
    """The parsed data file of ``assignment_id`` (None if there is none)."""
    path = data_path(assignment_id, data_dir)
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    key = str(path)
    if key not in _CACHE or _CACHE[key][:2] != (st.st_mtime, st.st_size):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StaleData(f"{_shown(path)} is in data format {data.get('format') if isinstance(data, dict) else '?'}; "
                            f"this autograder reads format {FORMAT}. {fix_hint(assignment_id)}")
        _CACHE[key] = (st.st_mtime, st.st_size, data)
    return _CACHE[key][2]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent.parent))
    except ValueError:
        return str(path)


def entry(data: Mapping, grade_id: str, case_name: str) -> dict | None:
    return data.get("exercises", {}).get(grade_id, {}).get(case_name)


def stored_inputs(stored: Mapping, case, assignment_id: str, grade_id: str, *, path: str | None = None) -> dict:
    """The inputs of a data entry, decoded; ``StaleData`` when the case's own inputs differ
    from them beyond last-bit noise (the message says where, what, and who fixes it)."""
    inputs = {k: decode_input(v) for k, v in stored.get("inputs", {}).items()}
    why = input_difference(case.inputs, inputs)
    if why is not None:
        path = path or f"autograder/data/{assignment_id}.json"
        raise StaleData(f"{path} does not match the spec autograder/specs/{assignment_id}.py: in exercise "
                        f"{grade_id!r}, public case [{case.name}], {why}. {fix_hint(assignment_id)}")
    return inputs


def with_stored_inputs(assignment, data_dir: Path | None = None):
    """``assignment`` with each public case's inputs replaced by the stored exact ones.

    Raises ``StaleData`` when the data file exists but does not fit the spec (a public case
    missing, or inputs that differ beyond last-bit noise). Without a data file (a spec the
    tests write) the assignment is returned unchanged.
    """
    data = load(assignment.id, data_dir)
    if data is None:
        return assignment
    key = (id(assignment), id(data))
    if key in _APPLIED and _APPLIED[key][0] is assignment and _APPLIED[key][1] is data:
        return _APPLIED[key][2]
    path = _shown(data_path(assignment.id, data_dir))
    exercises = []
    for ex in assignment.exercises:
        cases = []
        for case in ex.public:
            stored = entry(data, ex.grade_id, case.name)
            if stored is None or "inputs" not in stored:
                raise StaleData(f"{path} does not match the spec autograder/specs/{assignment.id}.py: it has no "
                                f"data for exercise {ex.grade_id!r}, public case [{case.name}]. "
                                f"{fix_hint(assignment.id)}")
            inputs = stored_inputs(stored, case, assignment.id, ex.grade_id, path=path)
            # the spec's order: a backward takes its upstream gradients in the order given
            cases.append(dataclasses.replace(case, inputs={k: inputs[k] for k in case.inputs}))
        exercises.append(dataclasses.replace(ex, public=tuple(cases)))
    applied = dataclasses.replace(assignment, exercises=tuple(exercises))
    _APPLIED[key] = (assignment, data, applied)      # held, so that neither id is reused
    return applied
