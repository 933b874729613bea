"""a6_training through nbgrader (shared checks of nbgrader_harness) and its own facts.

The training runs use numpy's BLAS for small matrices; on a loaded machine its worker
threads fight over the two cores and a run becomes many times slower, so the nbgrader
and ``autograder grade`` children here run with one BLAS thread (which is also what a
grading machine should do).
"""
import time

import nbformat
import numpy as np
import pytest
import torch

from nbgrader_harness import REPO, TrainingAssignmentChecks, time_self_checks

from autograder.spec import load
from solutions.assignments import a6_training as ref

NOTEBOOK = REPO / "assignments" / "a6_training" / "a6_training.ipynb"


def _cells(*ids):
    """Namespace after running the given cells of the source notebook (solutions included)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    by_id = {c.id: c for c in nb.cells}
    ns = {"np": np}
    for cell_id in ids:
        exec(compile(by_id[cell_id].source, f"<cell {cell_id}>", "exec"), ns)
    return ns


@pytest.mark.slow
class TestA6TrainingThroughNbgrader(TrainingAssignmentChecks):
    assignment_id = "a6_training"

    def test_each_self_check_runs_in_under_a_second(self, course):
        """The loss, Adam and the quick check answer in under a second; a training exercise's
        self-check (one training run with the recipe, well under a second on one core) in
        under 3 s, the course's bound for a student waiting on it."""
        timings = time_self_checks(self.assignment_id, course.release_notebook(), course.source_notebook())
        kinds = {e.grade_id: e.kind for e in load(self.assignment_id).exercises}
        slow = {g: round(t, 2) for g, t in timings.items() if t >= (3.0 if kinds[g] == "metric" else 1.0)}
        assert not slow, f"self-checks over their bound (1 s, training 3 s): {slow}"


# --- the notebook's given code and recipe are the reference's ------------------------------

def test_notebook_data_generators_are_the_reference_ones():
    ns = _cells("recall-data", "forecast-data")
    for seed in (0, 5):
        x1, y1 = ns["make_recall_data"](np.random.default_rng(seed), 7, 9)
        x2, y2 = ref.make_recall_data(np.random.default_rng(seed), 7, 9)
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
        x1, y1 = ns["make_forecast_data"](np.random.default_rng(seed), 7)
        x2, y2 = ref.make_forecast_data(np.random.default_rng(seed), 7)
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    for part in ("train", "held_out"):
        for a, b in zip(ns["forecast_windows"](part), ref.forecast_windows(part)):
            np.testing.assert_array_equal(a, b)


def test_notebook_states_the_reference_recipe_and_the_spec_gaps():
    """What the notebook tells students to use (text and solution defaults) is the
    reference's RECIPE, and the gaps it names are the spec's."""
    import inspect

    R = ref.RECIPE
    nb = {c.id: c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells}
    for fragment in (f"train_recall(cell, T, seed, steps={R['steps']})", f"`H = {R['hidden']}`",
                     f"make_recall_data(rng, {R['batch']}, T)", f"lr={R['lr']:.0e}".replace("e-0", "e-"),
                     f"global norm at\n   {R['clip']:g}", f"set to $+{R['forget_bias']:g}$",
                     f"set to ${R['update_bias']:g}$"):
        assert fragment in nb["recipe-md"], fragment
    for fragment in (f"train_forecast(seed, steps={R['forecast_steps']})", f"`H = {R['forecast_hidden']}`",
                     f"make_forecast_data(rng, {R['batch']})", f"lr={R['forecast_lr']:.0e}".replace("e-0", "e-")):
        assert fragment in nb["forecast-md"], fragment
    ns = _cells("helpers", "cells-solution", "loss-solution", "adam-solution", "recall-data",
                "train-recall-solution", "forecast-data", "forecast-solution")
    assert inspect.signature(ns["train_recall"]).parameters["steps"].default == R["steps"]
    assert inspect.signature(ns["train_forecast"]).parameters["steps"].default == R["forecast_steps"]
    spec = load("a6_training")
    long_gap = {c.inputs["T"] for g in ("recall_lstm", "recall_gru") for c in spec.exercise(g).cases(hidden=False)
                + spec.exercise(g).cases(hidden=True)}
    short_gap = {c.inputs["T"] for c in spec.exercise("recall_rnn_short").cases(hidden=False)
                 + spec.exercise("recall_rnn_short").cases(hidden=True)}
    assert len(long_gap) == len(short_gap) == 1
    (T_long,), (T_short,) = long_gap, short_gap
    assert f"The LSTM at $T = {T_long}$" in nb["recall-lstm-md"] and f"The GRU at $T = {T_long}$" in nb["recall-gru-md"]
    assert f"The vanilla RNN at $T = {T_short}$" in nb["recall-rnn-md"]
    assert f"vanilla RNN at $T = {T_long}$" in nb["rnn-long-md"] and f"through {T_long} tanh steps" in nb["rnn-long-md"]
    assert f'train_recall("rnn", {T_long}, seed=0)' in nb["rnn-long-solution"]


def test_recall_sequences_flag_one_symbol_and_query_it_T_steps_later():
    x, y = ref.make_recall_data(np.random.default_rng(1), 50, 24)
    assert x.shape == (50, ref.PREFIX + 24 + 1, ref.K + 2)
    flag, query = x[..., ref.K], x[..., ref.K + 1]
    assert (flag.sum(axis=1) == 1).all() and (flag[:, ref.PREFIX] == 1).all()
    assert (query[:, -1] == 1).all() and query.sum() == 50
    assert (query.shape[1] - 1) - ref.PREFIX == 24                  # the gap is T steps
    np.testing.assert_array_equal(x[:, ref.PREFIX, :ref.K].argmax(axis=1), y)
    assert (x[:, :-1, :ref.K].sum(axis=2) == 1).all()                 # a symbol at every other step


def test_notebook_recipe_follows_the_reference_step_for_step():
    """Five steps of the notebook's training (step functions) and of the reference (its
    whole-sequence loops) from the same seed give the same weights."""
    ns = _cells("helpers", "cells-solution", "loss-solution", "adam-solution", "recall-data",
                "train-recall-solution", "forecast-data", "forecast-solution")
    for cell in ("rnn", "lstm", "gru"):
        got = ns["train_recall"](cell, 24, 7, steps=5)
        want = ref.train_recall(cell, 24, 7, steps=5)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    for a, b in zip(ns["train_forecast"](7, steps=5), ref.train_forecast(7, steps=5)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_notebook_gru_step_backward_matches_torch_autograd():
    """The one new backward of the paste cell, against autograd through the same GRU equations."""
    ns = _cells("helpers", "cells-solution")
    rng = np.random.default_rng(4)
    N, D, H = 3, 4, 5
    x, h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 3 * H)), rng.standard_normal((H, 3 * H)), rng.standard_normal(3 * H)
    dnext = rng.standard_normal((N, H))
    _, cache = ns["gru_step_forward"](x, h, Wx, Wh, b)
    got = ns["gru_step_backward"](dnext, cache)
    t = [torch.tensor(v, requires_grad=True) for v in (x, h, Wx, Wh, b)]
    tx, th, tWx, tWh, tb = t
    a = tx @ tWx + tb
    r = torch.sigmoid(a[:, :H] + th @ tWh[:, :H])
    z = torch.sigmoid(a[:, H:2 * H] + th @ tWh[:, H:2 * H])
    n = torch.tanh(a[:, 2 * H:] + (r * th) @ tWh[:, 2 * H:])
    ((1 - z) * th + z * n).backward(torch.tensor(dnext))
    for g, tv in zip(got, t):
        np.testing.assert_allclose(g, tv.grad.numpy(), rtol=1e-10, atol=1e-12)


# --- references against torch -------------------------------------------------------------

def test_softmax_cross_entropy_matches_torch():
    rng = np.random.default_rng(2)
    scores, y = rng.standard_normal((6, 5)) * 3, rng.integers(0, 5, size=6)
    ts = torch.tensor(scores, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(ts, torch.tensor(y))
    loss.backward()
    got_loss, got_d = ref.softmax_cross_entropy(scores, y)
    assert got_loss == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(got_d, ts.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_adam_update_matches_torch_adam_over_several_steps():
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(5)]
    tw = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.Adam([tw], lr=0.01)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        opt.zero_grad()
        tw.grad = torch.tensor(g)
        opt.step()
        w, m, v = ref.adam_update(w, g, m, v, t, lr=0.01)
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- the scorers ----------------------------------------------------------------------------

def test_scorer_rejects_weights_of_the_wrong_shape_saying_what_it_expected():
    p = ref.init_params("gru", ref.K + 2, 8, ref.K, np.random.default_rng(0))
    outputs = {**p, "Wh": p["Wh"][:, :16]}                         # (8, 16): two blocks instead of three
    with pytest.raises(ValueError, match=r"Wh.*\(8, 24\).*got \(8, 16\)"):
        ref.score_recall(outputs, {"cell": "gru", "T": 24, "seed": 2})
    with pytest.raises(ValueError, match="missing by"):
        ref.score_recall({k: v for k, v in p.items() if k != "by"}, {"cell": "gru", "T": 24, "seed": 2})


def test_untrained_weights_score_at_chance_and_naive_forecasts_fail():
    """An untrained model must not pass: chance is 1/K = 0.25 for recall; for the forecast
    the last value (0), the training mean and the seasonal naive forecast are above the
    threshold, and an untrained GRU far above it. (The seasonal naive forecast with drift
    is below it: the notebook says so.)"""
    spec = load("a6_training")
    for cell, T in (("rnn", SHORT), ("rnn", LONG), ("lstm", LONG), ("gru", LONG)):    # the graded gaps
        p = ref.init_params(cell, ref.K + 2, ref.RECIPE["hidden"], ref.K, np.random.default_rng(0))
        acc = ref.score_recall(p, {"cell": cell, "T": T, "seed": 1})
        assert acc < 0.45 < spec.exercise("recall_lstm").threshold, (cell, acc)
    threshold = spec.exercise("forecast").threshold
    naive = ref.forecast_baselines()
    assert min(naive["last_value"], naive["train_mean"], naive["seasonal_naive"]) > threshold
    p = ref.init_params("gru", ref.FEATURES, ref.RECIPE["forecast_hidden"], ref.HORIZON, np.random.default_rng(0))
    assert ref.score_forecast(p, {"seed": 4}) > 5 * threshold


# --- the forecasting data: a real series, cut by time -------------------------------------------

def _co2_rows():
    """The shipped file's rows, read here with json alone (not through autograder.datasets)."""
    import json

    return json.loads((REPO / "autograder" / "data" / "mauna_loa_co2_monthly.json").read_text())["rows"]


def test_the_shipped_series_is_the_monthly_record_with_its_source_and_licence():
    """526 consecutive months, 1958-03 to 2001-12 (10 + 42 * 12 + 12 = 526), 5 of them filled
    (the months without a weekly average in the original: 1958-06, 1958-10, 1964-02..04),
    in a plausible range of ppm; the file names its source, its licence and the original's
    SHA-256, which is the one the derivation script checks."""
    import json

    doc = json.loads((REPO / "autograder" / "data" / "mauna_loa_co2_monthly.json").read_text())
    months = [m for m, _, _ in doc["rows"]]
    assert len(months) == 526 and months[0] == "1958-03" and months[-1] == "2001-12"
    ym = [(int(m[:4]), int(m[5:])) for m in months]
    assert all((y2 * 12 + m2) - (y1 * 12 + m1) == 1 for (y1, m1), (y2, m2) in zip(ym, ym[1:]))
    assert [m for m, _, f in doc["rows"] if f] == ["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]
    assert all(310 < v < 375 for _, v, _ in doc["rows"])
    assert "Scripps" in doc["source"] and "public domain" in doc["licence"].lower()
    script = (REPO / "scripts" / "make_co2_monthly.py").read_text()
    assert f'ORIGINAL_SHA256 = "{doc["original_sha256"]}"' in script
    assert (REPO / "autograder" / "data" / "mauna_loa_co2_monthly.md").read_text().count(doc["original_sha256"]) == 1


def test_the_derivation_takes_day_weighted_monthly_means_and_interpolates_empty_months(tmp_path):
    """On a made-up file: March 1958 has two weeks, 4 days of 310.0 and 2 days of 313.0, so
    (4 * 310 + 2 * 313) / 6 = 311.0; April has none; May one week of 315.0: April is filled
    with (311 + 315) / 2 = 313.0. A file of another checksum is refused with exit code 2
    and nothing is written."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_co2_monthly", REPO / "scripts" / "make_co2_monthly.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = ("Station Sample Weight Flag  CO2 concentration\n"
            "MLO    580308   4    0         310.00\nMLO    580315   2    0         313.00\n"
            "MLO    580510   7    0         315.00\n" + "".join(
                f"MLO    {y % 100:02d}{m:02d}15   7    0         320.00\n"
                for y in range(1958, 2002) for m in range(1, 13) if (y, m) > (1958, 5)))
    months, ppm, filled = mod.monthly(mod.read_weekly(text))
    assert months[:3] == ["1958-03", "1958-04", "1958-05"] and len(months) == 526
    assert ppm[:3] == [311.0, 313.0, 315.0] and filled[:4] == [False, True, False, False]
    bad = tmp_path / "other.dat"
    bad.write_text(text)
    assert mod.main([str(bad), "--out", str(tmp_path / "out.json")]) == 2
    assert not (tmp_path / "out.json").exists()


def test_forecast_windows_are_cut_by_time_and_built_as_documented():
    """The cut is 1990-01, month index (1990 - 1958) * 12 + (1 - 3) = 382. A training window
    (24 inputs + 12 targets) starts at 12 or later (the 12-month difference) and ends before
    382: starts 12..346, 335 windows; a held-out window starts at 382 or later and ends at
    the last month 525: starts 382..490, 109 windows. Each window is rebuilt here from the
    file's rows with plain loops, as the notebook's text defines it."""
    import math

    v = [ppm for _, ppm, _ in _co2_rows()]
    month = [int(m[5:]) for m, _, _ in _co2_rows()]
    x_tr, y_tr = ref.forecast_windows("train")
    x_ho, y_ho = ref.forecast_windows("held_out")
    assert x_tr.shape == (335, 24, 5) and y_tr.shape == (335, 12)
    assert x_ho.shape == (109, 24, 5) and y_ho.shape == (109, 12)
    for x, y, starts in ((x_tr, y_tr, range(12, 347)), (x_ho, y_ho, range(382, 491))):
        for i, s in [(0, starts[0]), (len(starts) // 2, starts[len(starts) // 2]), (len(starts) - 1, starts[-1])]:
            e = s + 23                                               # the window's last month
            for j, t in enumerate(range(s, s + 24)):
                want = [(v[t] - v[e]) / 3, math.sin(2 * math.pi * (month[t] - 1) / 12),
                        math.cos(2 * math.pi * (month[t] - 1) / 12), (v[t] - v[t - 12]) / 3, (v[t] - v[t - 1]) / 3]
                np.testing.assert_allclose(x[i, j], want, rtol=0, atol=1e-12)
            np.testing.assert_allclose(y[i], [(v[e + k] - v[e]) / 3 for k in range(1, 13)], rtol=0, atol=1e-12)
    assert 346 + 35 < 382                                            # the last training target is before the cut
    rng = np.random.default_rng(0)
    x, _ = ref.make_forecast_data(rng, 500)                          # training batches hold training windows only
    train_rows = {r.tobytes() for r in x_tr.reshape(len(x_tr), -1)}
    assert all(r.tobytes() in train_rows for r in x.reshape(500, -1))


def test_forecast_baselines_are_the_naive_forecasts_and_the_notebook_states_them():
    """The baselines recomputed here with loops over the held-out windows (last value: the
    target itself squared, since targets are changes from the last month; seasonal naive:
    v[e + k - 12]; drift: plus v[e] - v[e - 12]; training mean: each step's mean target
    over the training windows), and the notebook's table, threshold and the recipe's
    score with the public seed are the reference's numbers."""
    v = [ppm for _, ppm, _ in _co2_rows()]
    _, y_tr = ref.forecast_windows("train")
    mean_k = [sum((v[s + 23 + k] - v[s + 23]) / 3 for s in range(12, 347)) / 335 for k in range(1, 13)]
    sums = {"last_value": 0.0, "train_mean": 0.0, "seasonal_naive": 0.0, "seasonal_naive_drift": 0.0}
    for s in range(382, 491):
        e = s + 23
        for k in range(1, 13):
            target = (v[e + k] - v[e]) / 3
            seasonal = (v[e + k - 12] - v[e]) / 3
            sums["last_value"] += target ** 2
            sums["train_mean"] += (mean_k[k - 1] - target) ** 2
            sums["seasonal_naive"] += (seasonal - target) ** 2
            sums["seasonal_naive_drift"] += (seasonal + (v[e] - v[e - 12]) / 3 - target) ** 2
    got = ref.forecast_baselines()
    for name, total in sums.items():
        assert got[name] == pytest.approx(total / (109 * 12), rel=1e-9), name
    text = {c.id: c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells}["forecast-md"]
    for name in ("last_value", "train_mean", "seasonal_naive", "seasonal_naive_drift"):
        assert f"| {got[name]:.3f} |" in text, (name, got[name])
    threshold = load("a6_training").exercise("forecast").threshold
    assert f"at most **{threshold:g}**" in text and threshold < got["seasonal_naive"] / 2
    seed = load("a6_training").exercise("forecast").public[0].inputs["seed"]
    mse = ref.forecast_mse(ref.train_forecast(seed))
    assert f"reaches {mse:.3f} with the seed below" in text and f"3\\sqrt{{{mse:.3f}}}" in text
    assert mse < min(got.values())
    assert "beats it by a quarter" in text and 0.2 < 1 - mse / got["seasonal_naive_drift"] < 0.3


def test_held_out_data_is_not_the_training_stream():
    """The scorer's data seed differs from the training seed, so a model cannot pass by memorising."""
    x_train, _ = ref.make_recall_data(np.random.default_rng(1), 64, 24)
    x_held, _ = ref.make_recall_data(np.random.default_rng(ref.HELD_OUT + 1), 64, 24)
    assert not np.array_equal(x_train, x_held)


def test_hidden_cases_use_other_shapes_than_the_public_ones():
    spec = load("a6_training")
    for ex in spec.exercises:
        if ex.kind == "metric":
            continue                      # training runs: a hidden case is another seed (see the next test)
        public = {tuple(np.shape(v) for v in c.inputs.values()) for c in ex.public}
        for case in ex.cases(hidden=True):
            assert tuple(np.shape(v) for v in case.inputs.values()) not in public, (ex.grade_id, case.name)


def test_hidden_training_cases_use_other_seeds_than_the_public_ones():
    spec = load("a6_training")
    for ex in spec.exercises:
        if ex.kind == "metric" and ex.hidden is not None:
            public = {c.inputs["seed"] for c in ex.public}
            assert all(c.inputs["seed"] not in public for c in ex.cases(hidden=True)), ex.grade_id


def test_training_exercises_have_timeouts_under_the_cell_timeout():
    spec = load("a6_training")
    for ex in spec.exercises:
        if ex.kind == "metric":
            assert ex.timeout is not None and 60 <= ex.timeout <= 300, ex.grade_id


# --- the reference trainer's loops against the step functions --------------------------------

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_loops_agree_with_the_step_functions(cell):
    """The reference trains with its own whole-sequence loops (projection of all steps at
    once, activations in place, buffers reused across steps); the last state and the
    gradients of Wx, Wh, b from a gradient on the last state must be those of the course's
    step functions run one step at a time (themselves checked against torch in their own
    tests), for two different batches through the same scratch buffers."""
    from solutions.gru import gru_step_backward
    from solutions.lstm import lstm_step_backward
    from solutions.rnn import rnn_step_backward

    rng = np.random.default_rng(11)
    p = ref.init_params(cell, 5, 4, 3, rng)
    p["b"] = p["b"] + rng.standard_normal(p["b"].shape)              # every gate away from its init
    scratch = {}
    for N, L in ((3, 7), (3, 7), (2, 4)):                              # reuse, then other shapes
        x = rng.standard_normal((N, L, 5))
        dh = rng.standard_normal((N, 4))
        h_steps, caches = ref._last_state(cell, p, x)
        d, dc, want = dh, np.zeros_like(dh), {"Wx": 0.0, "Wh": 0.0, "b": 0.0}
        for cache in reversed(caches):
            if cell == "lstm":
                _, d, dc, dWx, dWh, db = lstm_step_backward(d, dc, cache)
            elif cell == "gru":
                _, d, dWx, dWh, db = gru_step_backward(d, cache)
            else:
                _, d, dWx, dWh, db = rnn_step_backward(d, cache)
            want = {"Wx": want["Wx"] + dWx, "Wh": want["Wh"] + dWh, "b": want["b"] + db}
        h, cache = ref._forward_last(cell, p, x, scratch)
        np.testing.assert_allclose(h, h_steps, rtol=1e-12, atol=1e-14)
        got = ref._backward_last(cell, p, cache, dh, scratch)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=1e-13, err_msg=f"{cell} d{k}")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_scorer_scores_in_chunks_the_states_of_the_whole_batch(cell):
    """The scorers run the held-out set a hundred sequences at a time (so BLAS stays on one
    thread in the grader's process); every sequence's last state is the one the whole batch
    gives, including those of the last, shorter chunk."""
    rng = np.random.default_rng(12)
    p = ref.init_params(cell, ref.K + 2, 8, ref.K, rng)
    x, _ = ref.make_recall_data(rng, 250, 5)
    whole, _ = ref._last_state(cell, p, x)
    np.testing.assert_allclose(ref._last_states(cell, p, x, rows=100), whole, rtol=1e-12, atol=1e-14)


# --- the long-range claim, measured ----------------------------------------------------------

def _gaps():
    spec = load("a6_training")
    return spec.exercise("recall_lstm").public[0].inputs["T"], spec.exercise("recall_rnn_short").public[0].inputs["T"]


def _graded(grade_id):
    """(cell, T, seed) of the public and hidden cases of a recall exercise."""
    ex = load("a6_training").exercise(grade_id)
    return [(c.inputs["cell"], c.inputs["T"], c.inputs["seed"]) for c in ex.public + ex.cases(hidden=True)]


LONG, SHORT = _gaps()
SEEDS = range(8)
CHANCE = 1 / ref.K
NEAR_CHANCE = 0.4                  # 0.15 above chance (1/K = 0.25), far below the threshold 0.9


def _held_out_accuracy(cell, T, seed, steps=None):
    t0 = time.perf_counter()
    weights = ref.train_recall(cell, T, seed, steps=steps)
    elapsed = time.perf_counter() - t0
    acc = ref.score_recall(dict(zip(("Wx", "Wh", "b", "Wy", "by"), weights)), {"cell": cell, "T": T, "seed": seed})
    print(f"{cell} T={T} seed={seed} steps={steps or ref.RECIPE['steps']}: held-out accuracy {acc:.3f} "
          f"in {elapsed:.2f} s")
    return acc, elapsed


@pytest.mark.slow
@pytest.mark.parametrize("cell, T, seed", sorted(
    {(cell, LONG, s) for cell in ("lstm", "gru") for s in SEEDS} | {("rnn", SHORT, s) for s in SEEDS}
    | set(_graded("recall_lstm")) | set(_graded("recall_gru")) | set(_graded("recall_rnn_short"))))
def test_the_recipe_teaches_the_gated_cells_the_long_gap_and_the_rnn_the_short_one(cell, T, seed):
    """With the notebook's recipe the LSTM and the GRU recall a symbol LONG steps back and
    the vanilla RNN one SHORT steps back, to the graded threshold (0.9) on 8 seeds and on
    every graded seed, public and hidden. A run takes well under a second; 30 s would mean
    the loops lost their vectorisation."""
    acc, elapsed = _held_out_accuracy(cell, T, seed)
    assert acc >= load("a6_training").exercise("recall_lstm").threshold, acc
    assert elapsed < 30


@pytest.mark.slow
@pytest.mark.parametrize("seed, factor", [(s, 1) for s in SEEDS] + [(0, 4), (1, 4)])
def test_the_vanilla_rnn_stays_near_chance_at_the_long_gap(seed, factor):
    """At the long gap the vanilla RNN stays near chance (1/K = 0.25; below 0.4) with the
    recipe's steps on 8 seeds, and with four times the steps too: "it only needs longer"
    (answer a of the quick check) is not what happens."""
    acc, _ = _held_out_accuracy("rnn", LONG, seed, steps=ref.RECIPE["steps"] * factor)
    assert acc < NEAR_CHANCE, acc


@pytest.mark.slow
@pytest.mark.parametrize("seed", [c.inputs["seed"] for c in load("a6_training").exercise("forecast").public
                                  + load("a6_training").exercise("forecast").cases(hidden=True)])
def test_reference_forecaster_beats_the_threshold_in_under_a_second_or_so(seed):
    """The graded and the hidden forecasting run reach half the threshold (over 49 seeds
    the recipe's held-out error was 0.052 to 0.075; the margin is room for another random
    trajectory)."""
    spec = load("a6_training")
    t0 = time.perf_counter()
    weights = ref.train_forecast(seed)
    elapsed = time.perf_counter() - t0
    mse = ref.score_forecast(dict(zip(("Wx", "Wh", "b", "Wy", "by"), weights)), {"seed": seed})
    print(f"forecast seed={seed}: held-out MSE {mse:.4f} (threshold {spec.exercise('forecast').threshold}) "
          f"in {elapsed:.2f} s")
    assert mse <= spec.exercise("forecast").threshold / 2
    assert elapsed < 30
