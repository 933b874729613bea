"""Lecture 09's stored models: do they come from the script, and does the script train as the reference does?

Lecture 09 (course/09_language_models.ipynb) loads what ``scripts/train_lecture09.py``
stored beside it (``course/09_language_models.npz`` and ``.json``); every number it states
is checked against ``solutions.char_lm`` in ``tests/test_course_notebooks.py`` (``ref_09``).
This file checks the files themselves:

- the script's training loop is ``char_lm.train``'s (a short run gives the same losses and
  weights) and reproduces the stored run's first losses and its first perplexities;
- the stored held-out perplexities and samples are the reference's, recomputed here from
  the stored weights;
- the files are small and say how they were made (seed, versions, run time);
- the figure helpers escape text and refuse mismatched lengths, and hand out nothing graded;
- the lecture runs in well under the 60 s a lecture may take.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "course" / "09_language_models"
CELLS = ("rnn", "lstm", "gru")


def _script():
    spec = importlib.util.spec_from_file_location("train_lecture09", ROOT / "scripts" / "train_lecture09.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stored():
    arrays = np.load(STORED.with_suffix(".npz"))
    meta = json.loads(STORED.with_suffix(".json").read_text(encoding="utf-8"))
    return arrays, meta


def _model(arrays, cell):
    from solutions import char_lm as C

    names = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")
    chars = "".join(str(c) for c in arrays["chars"])
    return C.CharLM(cell, chars, {n: arrays[f"{cell}/{n}"].astype(np.float64) for n in names})


def test_the_files_are_small_and_say_how_they_were_made(stored):
    arrays, meta = stored
    assert STORED.with_suffix(".npz").stat().st_size < 2_000_000
    assert isinstance(meta["seed"], int)
    assert set(meta["versions"]) >= {"python", "numpy"}
    assert meta["run_seconds"] > 0
    script = _script()
    assert meta["seed"] == script.SEED and meta["recipe"] == script.RECIPE, \
        "the stored run was made with another recipe than the script's: run scripts/train_lecture09.py again"
    for cell in CELLS:
        assert arrays[f"{cell}/history"].shape == (meta["recipe"]["steps"],)


def test_the_script_trains_exactly_as_char_lm_train_does():
    """A short run of the script's loop (which also measures perplexities) and of the
    reference's own ``train`` give the same losses and weights."""
    from solutions import char_lm as C

    script = _script()
    r = script.RECIPE
    for cell in CELLS:
        params, history, curve, best = script.train_with_curve(cell, steps=6, eval_every=3)
        model, ref_history = C.train(cell, script.SEED, steps=6, N=r["N"], T=r["T"], E=r["E"], H=r["H"],
                                     lr=r["lr"], clip=r["clip"])
        np.testing.assert_allclose(history, ref_history, rtol=1e-12, err_msg=cell)
        assert curve["steps"] == [0, 3, 6], curve["steps"]           # measured at 0, every 3 steps, the last
        for name, value in model.params.items():
            np.testing.assert_allclose(params[name], value, rtol=1e-10, atol=1e-13, err_msg=f"{cell} {name}")
        assert curve["steps"] == [0, 3, 6]
        k = int(np.argmin(curve["heldout_ppl"]))
        assert best["step"] == curve["steps"][k] and best["heldout_ppl"] == curve["heldout_ppl"][k]


def test_a_short_run_of_the_script_reproduces_the_stored_run(stored):
    """Same seed, same recipe: the first losses and the perplexities before training are the
    stored ones (to a relative 1e-6: another CPU's BLAS may round the last bits differently,
    and Adam's steps carry such differences forward)."""
    arrays, _ = stored
    script = _script()
    for cell in CELLS:
        _, history, curve, _ = script.train_with_curve(cell, steps=5, eval_every=5)
        np.testing.assert_allclose(history, arrays[f"{cell}/history"][:5], rtol=1e-6, err_msg=cell)
        assert arrays[f"{cell}/curve_steps"][0] == 0
        np.testing.assert_allclose(curve["heldout_ppl"][0], arrays[f"{cell}/curve_heldout_ppl"][0], rtol=1e-6)
        np.testing.assert_allclose(curve["train_ppl"][0], arrays[f"{cell}/curve_train_ppl"][0], rtol=1e-6)


def test_the_stored_models_are_the_best_checkpoints_and_their_perplexities_the_references(stored):
    """Each stored model is its run's checkpoint with the lowest held-out perplexity (early
    stopping); its validation and test perplexities, recomputed here from the stored weights,
    are the recorded ones."""
    from solutions import char_lm as C

    arrays, meta = stored
    _, valid, test = C.split_corpus(C.load_corpus())
    for cell in CELLS:
        steps, curve = list(arrays[f"{cell}/curve_steps"]), arrays[f"{cell}/curve_heldout_ppl"]
        assert steps[-1] == meta["recipe"]["steps"] and meta["best_step"][cell] == steps[int(np.argmin(curve))]
        ppl = C.perplexity(_model(arrays, cell), valid)
        assert math.isclose(meta["heldout_ppl"][cell], ppl, rel_tol=1e-9), (cell, meta["heldout_ppl"][cell], ppl)
        # the curve was measured before the weights were stored as float32
        assert math.isclose(curve[steps.index(meta["best_step"][cell])], ppl, rel_tol=1e-3), cell
        test_ppl = C.perplexity(_model(arrays, cell), test)
        assert math.isclose(meta["test_ppl"][cell], test_ppl, rel_tol=1e-9), cell
        assert 1 < test_ppl < len(arrays["chars"]), f"{cell}: a trained model must beat the uniform one"


def test_the_stored_samples_are_the_references_of_the_stored_weights(stored):
    """``char_lm.sample`` from the stored weights with the recorded seed gives the stored text.

    Exact equality: a sampled character changes only if a uniform draw lands within a few
    ulps of a boundary of the cumulative distribution, about 1e-13 per character."""
    from solutions import char_lm as C

    arrays, meta = stored
    r = meta["recipe"]
    for cell in CELLS:
        after = _model(arrays, cell)
        init = C.init_params(cell, len(arrays["chars"]), np.random.default_rng(meta["seed"]), E=r["E"], H=r["H"])
        before = C.CharLM(cell, after.chars, {k: v.astype(np.float32).astype(np.float64) for k, v in init.items()})
        for when, model in (("before", before), ("after", after)):
            for T in meta["temperatures"]:
                got = C.sample(model, meta["seed_text"], meta["sample_chars"], T, np.random.default_rng(meta["seed"]))
                assert got == meta["samples"][cell][when][f"{T:.1f}"], f"{cell} {when} training, T = {T}"


def test_the_stored_cell_states_are_the_references_tanh_c(stored):
    """tanh(c_t) of every unit over the probe text, recomputed with char_lm.lstm_forward one
    step at a time from a zero state; stored as float16 (3 significant digits)."""
    from solutions import char_lm as C

    arrays, _ = stored
    model = _model(arrays, "lstm")
    probe = str(arrays["probe/text"])
    p = model.params
    x, _ = C.embedding_forward(C.encode(probe, model.char_to_ix)[None, :], p["W_embed"])
    h = c = np.zeros((1, model.H))
    cs = []
    for t in range(len(probe)):
        hs, c, _ = C.lstm_forward(x[:, t:t + 1], h, c, p["Wx"], p["Wh"], p["b"])
        h = hs[:, -1]
        cs.append(c[0])
    np.testing.assert_allclose(arrays["probe/tanh_c"].astype(float), np.tanh(cs), atol=1e-3)


def test_the_figure_helpers_escape_text_and_refuse_mismatched_lengths():
    import sys

    sys.path.insert(0, str(ROOT / "course"))
    import language_model_figures as F

    page = F.char_activation_html("<a>\n", [1.0, -1.0, 0.0, 0.5])
    assert page.count("<span style=\"background:") == 4 + 5           # 4 characters, 5 legend swatches
    assert "&lt;" in page and "&gt;" in page and "<a>" not in page
    assert "rgb(255,51,51)" in page and "rgb(51,51,255)" in page          # +1 red, -1 blue (shade 0.8 of 255)
    with pytest.raises(ValueError, match=r"expected shape \(4,\)"):
        F.char_activation_html("abcd", [0.0, 1.0])
    with pytest.raises(ValueError, match="one entry per step"):
        F.plot_next_char_probs("ab", "bc", [0.5])
    with pytest.raises(ValueError, match="n_streams"):
        F.draw_tbptt_streams(n_streams=0)


def test_the_figure_helpers_hand_over_no_graded_function():
    import test_course_notebooks as T

    tree = ast.parse((ROOT / "course" / "language_model_figures.py").read_text())
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "solutions" not in imported
    assert not defined & T.GRADED_NAMES, defined & T.GRADED_NAMES


def test_the_lecture_runs_in_well_under_a_minute_of_cpu():
    """The budget is 60 s; the lecture loads results and draws, so it takes a few seconds.
    Its kernel's CPU time (not the clock, which a shared machine stretches) is checked."""
    import test_course_notebooks as T

    _, cpu, _, _, _ = T.run_notebook("09_language_models.ipynb")
    assert cpu < 30, f"lecture 09 used {cpu:.1f} s of CPU"


def test_the_lectures_models_cannot_be_handed_in_for_a7(stored):
    """Students get the lecture's weights; a7 grades the held-out perplexity of weights a
    student trains with char_lm.RECIPE's sizes. The lecture's models have other sizes, so the
    grader's shape check refuses them."""
    from solutions import char_lm as C

    _, meta = stored
    r = meta["recipe"]
    assert (r["E"], r["H"]) != (C.RECIPE["E"], C.RECIPE["H"])
    arrays, _ = stored
    weights = {n: arrays[f"lstm/{n}"] for n in ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")}
    with pytest.raises(ValueError, match="must have shape"):
        C.score_perplexity(weights, {"cell": "lstm", "seed": 0})
