"""Train lecture 09's three character-level models and store what the lecture shows.

Usage (from the repository root; a few minutes on one core):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/train_lecture09.py

Lecture 09 (course/09_language_models.ipynb) trains nothing: it must run in seconds, and it
must not hold the reference (students get it). This script trains a vanilla RNN, an LSTM
and a GRU on the course corpus with the numpy reference ``solutions.char_lm``, all with
``RECIPE`` and ``SEED``, and writes beside the lecture:

- ``course/09_language_models.npz``: per cell the weights (float32) of the checkpoint with the
  lowest held-out perplexity (early stopping; measured every ``EVAL_EVERY`` steps),
  the perplexity curve (train and held-out, every ``EVAL_EVERY`` steps), the per-chunk
  training losses; the vocabulary; for the trained LSTM, the probability it gives each
  next character of one line of held-out text, its scores after one context (the
  temperature figure) and tanh(c_t) of every unit over a stretch of held-out text (float16).
- ``course/09_language_models.json``: the recipe, the seed, the library versions, the run
  time, parameter counts, each stored model's step and its perplexity on the validation part
  (which chose it) and on the test part (which chose nothing), and samples before and after
  training at three temperatures.

Every number is computed from the *stored* weights (float32, read back as float64), so
the lecture's tests can recompute each one from the files with the reference.

The training loop is ``char_lm.train``'s (the same chunks, state carrying, clipping and
Adam steps, from the same ``init_params``), written out here only to measure the
perplexities every ``EVAL_EVERY`` steps; ``tests/test_lecture09.py`` checks that a short
run of it gives ``char_lm.train``'s losses and weights, and that it reproduces the stored
curve's first points.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "course" / "09_language_models"
CELLS = ("rnn", "lstm", "gru")
SEED = 9
#: N streams, T steps per chunk, E embedding width, H hidden units, Adam's lr, clipping norm, steps
RECIPE = dict(N=32, T=50, E=16, H=128, lr=5e-3, clip=5.0, steps=1500)
EVAL_EVERY = 100
TEMPERATURES = (0.5, 1.0, 1.5)
SEED_TEXT = "    def "
SAMPLE_CHARS = 300
#: where the lecture's three pieces of held-out text start (the first occurrence in the validation part)
PROBE_START = "class AsyncContextDecorator"
PROBE_CHARS = 2400
LINE_AT = "    def __call__(self, func):\n"       # the line of the loss table
CONTEXT_END = "        self.func, self.args, self.kwds = "   # the temperature figure's context


def _char_lm():
    sys.path.insert(0, str(ROOT))
    from solutions import char_lm

    return char_lm


def corpus_parts():
    """(chars, train_text, valid_text): the vocabulary of the whole corpus and its first two parts."""
    C = _char_lm()
    text = C.load_corpus()
    train_text, valid_text, _ = C.split_corpus(text)
    return C.build_vocab(text)[0], train_text, valid_text


def train_with_curve(cell, recipe=RECIPE, seed=SEED, eval_every=EVAL_EVERY, steps=None):
    """``char_lm.train`` with the perplexities measured on the way.

    At step 0 and every ``eval_every`` steps (and at the last): the held-out perplexity
    (``char_lm.perplexity`` on the whole validation part) and the train perplexity (the same
    on the first len(valid) characters of the training part).

    Returns (params, history of chunk losses, curve: dict of steps, train_ppl, heldout_ppl,
    best: dict of step and params, the checkpoint with the lowest held-out perplexity).
    """
    import numpy as np

    C = _char_lm()
    steps = recipe["steps"] if steps is None else steps
    chars, train_text, valid_text = corpus_parts()
    train_probe = train_text[:len(valid_text)]
    curve = {"steps": [], "train_ppl": [], "heldout_ppl": []}
    best = {"step": None, "heldout_ppl": np.inf, "params": None}

    def measure(step, params):
        if step % eval_every and step != steps:
            return
        model = C.CharLM(cell, chars, params)
        curve["steps"].append(step)
        curve["train_ppl"].append(C.perplexity(model, train_probe))
        curve["heldout_ppl"].append(C.perplexity(model, valid_text))
        if curve["heldout_ppl"][-1] < best["heldout_ppl"]:          # early stopping keeps this checkpoint
            best.update(step=step, heldout_ppl=curve["heldout_ppl"][-1], params={k: v.copy() for k, v in params.items()})

    model, history = C.train(cell, seed, text=train_text, steps=steps, N=recipe["N"], T=recipe["T"], E=recipe["E"],
                             H=recipe["H"], lr=recipe["lr"], clip=recipe["clip"], on_step=measure)
    return model.params, history, curve, best


def stored_copy(params):
    """The weights as stored (float32) and read back (float64): every number comes from these."""
    import numpy as np

    return {k: np.asarray(v, dtype=np.float32).astype(np.float64) for k, v in params.items()}


def lstm_views(params, chars, valid_text):
    """What the lecture shows of the trained LSTM, computed with the reference's public layers.

    Returns a dict of arrays: the loss line (text, targets, p of each target), the
    temperature figure's context and scores, the probe text and tanh(c_t) of every unit.
    """
    import numpy as np

    C = _char_lm()
    ix = {ch: k for k, ch in enumerate(chars)}
    H = params["Wh"].shape[0]

    def read(text):
        """Scores (len, V) and cell states (len, H) after each character, from a zero state."""
        emb, _ = C.embedding_forward(C.encode(text, ix)[None, :], params["W_embed"])
        h, c = np.zeros((1, H)), np.zeros((1, H))
        hs, cs = [], []
        for t in range(len(text)):                                # one step at a time: c_t of every step
            h_t, c, _ = C.lstm_forward(emb[:, t:t + 1], h, c, params["Wx"], params["Wh"], params["b"])
            h = h_t[:, -1]
            hs.append(h[0]); cs.append(c[0])
        scores, _ = C.temporal_affine_forward(np.array(hs)[None], params["W_out"], params["b_out"])
        return scores[0], np.array(cs)

    start = valid_text.index(PROBE_START)
    probe = valid_text[start:start + PROBE_CHARS]
    probe = probe[:probe.rindex("\n") + 1]                        # whole lines
    _, cs = read(probe)
    line_start = valid_text.index(LINE_AT, start)
    context = valid_text[start:line_start + len(LINE_AT) - 1]    # read from the probe's start to the line's end
    scores, _ = read(context)
    line_len = len(LINE_AT) - 1
    p = C.temperature_softmax(scores[-line_len - 1:-1], 1.0)     # predictions made after each character before
    line_text = valid_text[line_start - 1:line_start - 1 + line_len]   # the characters read (from the newline before)
    targets = valid_text[line_start:line_start + line_len]
    p_right = p[np.arange(line_len), C.encode(targets, ix)]
    t_end = valid_text.index(CONTEXT_END, start) + len(CONTEXT_END)
    t_context = valid_text[start:t_end]
    t_scores, _ = read(t_context)
    return {"line/text": np.array(line_text), "line/targets": np.array(targets), "line/p_right": p_right,
            "line/read_from": np.array(start), "temperature/context": np.array(t_context),
            "temperature/scores": t_scores[-1], "probe/text": np.array(probe),
            "probe/tanh_c": np.tanh(cs).astype(np.float16)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Train lecture 09's RNN, LSTM and GRU and store their weights, "
                                            "curves, samples and views beside the lecture.")
    p.add_argument("--out", type=Path, default=OUT,
                   help="path without suffix of the .npz and .json written (default: course/09_language_models)")
    p.add_argument("--steps", type=int, default=RECIPE["steps"],
                   help=f"training steps per cell (default {RECIPE['steps']}; fewer for a quick trial)")
    args = p.parse_args(argv)
    if args.steps < 1:
        print(f"--steps must be at least 1, got {args.steps}", file=sys.stderr)
        return 2
    import numpy as np

    C = _char_lm()
    t0 = time.perf_counter()
    chars, train_text, valid_text = corpus_parts()
    test_text = C.split_corpus(C.load_corpus())[2]
    recipe = dict(RECIPE, steps=args.steps)
    arrays = {"chars": np.array(list(chars))}
    meta = {"seed": SEED, "recipe": recipe, "eval_every": EVAL_EVERY, "seed_text": SEED_TEXT,
            "sample_chars": SAMPLE_CHARS, "temperatures": list(TEMPERATURES), "params": {},
            "best_step": {}, "heldout_ppl": {}, "test_ppl": {}, "samples": {}}
    for cell in CELLS:
        t_cell = time.perf_counter()
        _, history, curve, best = train_with_curve(cell, recipe)
        stored = stored_copy(best["params"])                  # early stopping: the best held-out checkpoint
        for name, value in stored.items():
            arrays[f"{cell}/{name}"] = value.astype(np.float32)
        arrays[f"{cell}/history"] = np.array(history)
        arrays[f"{cell}/curve_steps"] = np.array(curve["steps"])
        arrays[f"{cell}/curve_train_ppl"] = np.array(curve["train_ppl"])
        arrays[f"{cell}/curve_heldout_ppl"] = np.array(curve["heldout_ppl"])
        model = C.CharLM(cell, chars, stored)
        before = C.CharLM(cell, chars, stored_copy(C.init_params(cell, len(chars), np.random.default_rng(SEED),
                                                                 E=recipe["E"], H=recipe["H"])))
        meta["params"][cell] = int(sum(v.size for v in stored.values()))
        meta["best_step"][cell] = best["step"]
        meta["heldout_ppl"][cell] = C.perplexity(model, valid_text)
        meta["test_ppl"][cell] = C.perplexity(model, test_text)
        meta["samples"][cell] = {
            when: {f"{T:.1f}": C.sample(m, SEED_TEXT, SAMPLE_CHARS, T, np.random.default_rng(SEED))
                   for T in TEMPERATURES}
            for when, m in (("before", before), ("after", model))}
        if cell == "lstm":
            arrays |= lstm_views(stored, chars, valid_text)
        print(f"{cell}: held-out perplexity {meta['heldout_ppl'][cell]:.3f} at step {best['step']} of {args.steps} "
              f"({time.perf_counter() - t_cell:.0f} s)", flush=True)
    meta["run_seconds"] = time.perf_counter() - t0
    meta["versions"] = {"python": platform.python_version(), "numpy": np.__version__}
    meta["machine"] = platform.machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out.with_suffix(".npz"), **arrays)
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    size = args.out.with_suffix(".npz").stat().st_size
    print(f"wrote {args.out.with_suffix('.npz')} ({size / 1e6:.2f} MB) and .json in {meta['run_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
