"""Does any verdict depend on the last bits of a float?

Another CPU picks another BLAS or LAPACK kernel, and with it other last bits in every
computed float: in a student's answer, in the expected values (hidden ones are computed
on the grading machine, the public data was built on a maintainer's), in the known wrong
variants' outputs, and in a spec's recomputation of its own inputs. These tests do not
touch the machine's environment; they move each of those values by 1 to 4 units in the
last place (``np.nextafter``, each element its own direction) and assert that every
verdict, score, HINT and data check stays what it was.
"""
import copy
import dataclasses
import json

import numpy as np
import pytest

from autograder import build_data, casedata, checks
from autograder import spec as spec_mod
from autograder.kinds.base import reference_value
from autograder.spec import resolve

ULPS = 4
SPEC_IDS = build_data.spec_ids()


def nudge(x, rng, ulps=ULPS):
    """``x`` with every float moved by 1..ulps units in the last place, up or down at random."""
    if isinstance(x, dict):
        return {k: nudge(v, rng, ulps) for k, v in x.items()}
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        steps = rng.integers(1, ulps + 1, size=x.shape)
        direction = np.where(rng.random(x.shape) < 0.5, -np.inf, np.inf).astype(x.dtype)
        out = x.copy()
        for k in range(ulps):
            out = np.where(steps > k, np.nextafter(out, direction), out)
        return out
    if isinstance(x, float):
        return float(nudge(np.array([x]), rng, ulps)[0])
    return x


def test_nudge_moves_every_float_by_at_most_four_ulps_and_nothing_else():
    """The tool itself: 1..4 ulps (np.spacing is one ulp at x), ints and strings untouched."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000)
    y = nudge(x, rng)
    ulps = np.abs(y - x) / np.spacing(np.abs(x))
    assert np.all((ulps >= 1) & (ulps <= ULPS + 1e-9))
    assert nudge(3, rng) == 3 and nudge("lstm", rng) == "lstm"
    ints = np.arange(5)
    assert np.array_equal(nudge(ints, rng), ints)


def _nudged_data(data: dict, rng) -> dict:
    out = copy.deepcopy(data)
    for cases in out["exercises"].values():
        for item in cases.values():
            for enc in item.get("inputs", {}).values():
                if enc.get("array", "").startswith("float"):
                    enc["data"] = nudge(np.array(enc["data"]), rng).tolist()
                elif "float" in enc:
                    enc["float"] = nudge(enc["float"], rng)
            outputs = [item.get("expected", {})] + list(item.get("variants", {}).values())
            for enc in (e for outs in outputs for e in outs.values()):
                if "data" in enc:
                    enc["data"] = nudge(np.array(enc["data"], dtype=np.float64), rng).tolist()
    return out


@pytest.mark.parametrize("assignment_id", SPEC_IDS)
def test_data_built_on_another_machine_is_not_stale_and_is_used_bit_for_bit(assignment_id, tmp_path):
    rng = np.random.default_rng(1)
    committed = json.loads(casedata.data_path(assignment_id).read_text())
    other = _nudged_data(committed, rng)
    assert build_data.differences(committed, other) == []
    (tmp_path / f"{assignment_id}.json").write_text(build_data.dumps(other))
    raw = spec_mod.load(assignment_id, stored_inputs=False)
    applied = casedata.with_stored_inputs(raw, data_dir=tmp_path)      # no StaleData
    for ex in applied.exercises:
        for case in ex.public:
            stored = other["exercises"][ex.grade_id][case.name]["inputs"]
            assert list(case.inputs) == [k for k in next(c for c in raw.exercise(ex.grade_id).public
                                                           if c.name == case.name).inputs]
            for k, v in case.inputs.items():
                want = casedata.decode_input(stored[k])
                assert np.array_equal(v, want), (ex.grade_id, case.name, k)


@pytest.mark.parametrize("assignment_id", SPEC_IDS)
def test_a_spec_recomputed_on_another_machine_still_grades_the_shipped_inputs(assignment_id):
    """The spec's own inputs moved by a few ulps (another LAPACK's QR): the cases carry the
    committed bits, not the recomputed ones."""
    rng = np.random.default_rng(2)
    raw = spec_mod.load(assignment_id, stored_inputs=False)
    moved = dataclasses.replace(raw, exercises=tuple(
        dataclasses.replace(ex, public=tuple(dataclasses.replace(c, inputs=nudge(dict(c.inputs), rng))
                                             for c in ex.public))
        for ex in raw.exercises))
    applied = casedata.with_stored_inputs(moved)
    committed = json.loads(casedata.data_path(assignment_id).read_text())
    for ex in applied.exercises:
        for case in ex.public:
            for k, v in case.inputs.items():
                want = casedata.decode_input(committed["exercises"][ex.grade_id][case.name]["inputs"][k])
                assert np.array_equal(v, want)


@pytest.mark.parametrize("relative_change", [1e-6, 1e-3, 1.0])
def test_a_real_spec_change_is_still_caught_and_names_the_input(relative_change):
    raw = spec_mod.load("a2_bptt", stored_inputs=False)
    ex = raw.exercise("grad_norms_through_time")
    case = ex.public[0]
    changed = dataclasses.replace(case, inputs={**case.inputs, "Wh": case.inputs["Wh"] * (1 + relative_change)})
    edited = dataclasses.replace(raw, exercises=tuple(
        dataclasses.replace(e, public=(changed,) + e.public[1:]) if e is ex else e for e in raw.exercises))
    with pytest.raises(casedata.StaleData) as err:
        casedata.with_stored_inputs(edited)
    text = str(err.value)
    assert "grad_norms_through_time" in text and "'Wh' differs" in text
    assert "not in your notebook" in text and "build_data a2_bptt" in text


# -- verdicts -----------------------------------------------------------------------------

def _reference_namespace(ex, case) -> dict:
    """The reference written where a student's code goes: what a correct student computes."""
    ref = resolve(ex.reference)
    if ex.kind == "gradient":
        module = ex.reference.partition(":")[0]
        return {ex.target: ref, ex.forward: resolve(f"{module}:{ex.forward}")}
    if ex.kind == "value":
        return {ex.target: reference_value(ref, case)}
    return {ex.target: ref}


def _verdict(result):
    return (result.passed, result.score, result.hint)


def _graded_cases():
    for aid in SPEC_IDS:
        assignment = spec_mod.load(aid)
        for ex in assignment.exercises:
            if ex.kind not in ("function", "value", "gradient"):
                continue              # choice, formula and metric are checked below / elsewhere
            for hidden in (False, True):
                for case in ex.cases(hidden=hidden):
                    yield pytest.param(aid, ex.grade_id, hidden, case.name, id=f"{aid}-{ex.grade_id}-{case.name}")


@pytest.mark.parametrize("assignment_id, grade_id, hidden, case_name", list(_graded_cases()))
def test_every_verdict_and_hint_survives_a_few_ulps_everywhere(assignment_id, grade_id, hidden, case_name):
    """The right answer, and each known wrong one, scored once as computed and once with the
    answer, the expected values and the variants' outputs all moved by a few ulps."""
    rng = np.random.default_rng(3)
    ex = spec_mod.load(assignment_id).exercise(grade_id)
    case = next(c for c in ex.cases(hidden=hidden) if c.name == case_name)
    exp = checks.expected(ex, case, assignment_id=assignment_id)
    var = checks.variant_outputs(ex, case, assignment_id=assignment_id)
    right = checks.evaluate(ex, case, _reference_namespace(ex, case))

    base = checks.score(ex, case, right, exp, var)
    assert base.passed, base.message
    moved = checks.score(ex, case, nudge(right, rng), nudge(exp, rng), nudge(var, rng))
    assert _verdict(moved) == _verdict(base), moved.message
    # a student whose inputs themselves came out a few ulps away (a recomputed QR)
    other_inputs = dataclasses.replace(case, inputs=nudge(dict(case.inputs), rng))
    far = checks.score(ex, case, checks.evaluate(ex, other_inputs, _reference_namespace(ex, other_inputs)), exp, var)
    assert _verdict(far) == _verdict(base), far.message

    numerical = {k: v for k, v in right.items() if k.startswith("numerical:")}
    for name, outs in var.items():
        wrong = {**outs, **numerical}        # a wrong backward next to a right forward
        before = checks.score(ex, case, wrong, exp, var)
        after = checks.score(ex, case, nudge(wrong, rng), nudge(exp, rng), nudge(var, rng))
        assert _verdict(after) == _verdict(before), (name, before.message, after.message)


def test_the_verdict_test_covers_every_graded_array_exercise():
    covered = {(p.values[0], p.values[1]) for p in _graded_cases()}
    for aid in SPEC_IDS:
        for ex in spec_mod.load(aid).exercises:
            if ex.kind in ("function", "value", "gradient"):
                assert (aid, ex.grade_id) in covered


def _metric_exercises():
    for aid in SPEC_IDS:
        for ex in spec_mod.load(aid).exercises:
            if ex.kind == "metric":
                yield pytest.param(aid, ex.grade_id, id=f"{aid}-{ex.grade_id}")


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, grade_id", list(_metric_exercises()))
def test_a_training_run_that_starts_a_few_ulps_away_still_reaches_the_threshold(assignment_id, grade_id, monkeypatch):
    """Another BLAS sends a training run down another trajectory from its first step. The
    reference trainer, started from initial weights moved by a few ulps, must still pass
    every case with room to spare (a tenth of the way from the threshold to the best
    possible value: accuracy >= 0.91 against 0.9, MSE <= 0.045 against 0.05), and so must
    its weights moved by a few ulps."""
    import importlib

    refs = importlib.import_module(f"solutions.assignments.{assignment_id}")
    owner = importlib.import_module(refs.init_params.__module__)    # where the trainer looks it up

    rng = np.random.default_rng(4)
    original = owner.init_params
    monkeypatch.setattr(owner, "init_params", lambda *a, **k: nudge(original(*a, **k), rng))
    ex = spec_mod.load(assignment_id).exercise(grade_id)
    best = 1.0 if ex.higher_is_better else 0.0
    for case in ex.public + ex.cases(hidden=True):
        trained = checks.evaluate(ex, case, {ex.target: getattr(refs, ex.target)})
        result = checks.score(ex, case, trained, {}, {})
        assert result.passed, result.message
        value = resolve(ex.reference)({k: trained[k] for k in ex.outputs}, dict(case.inputs))
        assert abs(value - ex.threshold) >= 0.1 * abs(best - ex.threshold), (case.name, value, ex.threshold)
        assert checks.score(ex, case, nudge(trained, rng), {}, {}).passed
