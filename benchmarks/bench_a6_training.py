"""a6_training's training runs: seconds per run, and the separation the recall task is built on.

Two reports, both with the recipe in ``solutions.assignments.a6_training.RECIPE``:

- ``time``: seconds per training run (median of ``--repeats``, runs interleaved so a burst
  of load from other processes hits all of them alike) of the reference trainer and of the
  notebook's own solution (its cells executed here, the way the grader's worker runs
  them), for every run grading does; with the load average before and after.
- ``separate``: held-out accuracy (the grader's scorer) of each cell at each gap over
  ``--seeds`` seeds: the LSTM and the GRU must reach the threshold at the long gap on every
  seed, the vanilla RNN at the short gap too, and at the long gap stay near chance (1/K),
  also when it trains ``--rnn-factor`` times as many steps (so "it only needs longer" is
  not what the table shows); then the forecaster's held-out MSE over the same seeds
  against its threshold and the naive forecasts' (``forecast_baselines``).

BLAS runs on one thread, as in the grader's worker (OPENBLAS_NUM_THREADS=1 before numpy
loads). Usage:

    .venv/bin/python benchmarks/bench_a6_training.py time --repeats 5
    .venv/bin/python benchmarks/bench_a6_training.py separate --seeds 8
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"                                   # before numpy loads BLAS

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NOTEBOOK = REPO / "assignments" / "a6_training" / "a6_training.ipynb"
#: the cells that define the notebook's trainers, in notebook order
TRAINER_CELLS = ("helpers", "cells-solution", "loss-solution", "adam-solution", "recall-data",
                 "train-recall-solution", "recall-accuracy", "forecast-data", "forecast-solution")


def notebook_namespace() -> dict:
    """The source notebook's trainers (solutions included), as the grader's worker defines them."""
    import nbformat
    import numpy as np

    by_id = {c.id: c for c in nbformat.read(NOTEBOOK, as_version=4).cells}
    ns = {"np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell_id in TRAINER_CELLS:
            exec(compile(by_id[cell_id].source, f"<cell {cell_id}>", "exec"), ns)
    return ns


def graded_runs():
    """(name, kwargs) of every training run ``autograder grade`` makes, public and hidden,
    plus the notebook's quick-check demo (the vanilla RNN at the long gap)."""
    from autograder.spec import load

    spec = load("a6_training")
    runs = []
    for ex in spec.exercises:
        if ex.kind == "metric":
            for case in ex.public + ex.cases(hidden=True):
                runs.append((f"{ex.grade_id}: {case.name}", ex.target, dict(case.inputs)))
    long_gap = spec.exercise("recall_lstm").public[0].inputs["T"]
    runs.append((f"quick-check demo: rnn T={long_gap}", "train_recall", dict(cell="rnn", T=long_gap, seed=0)))
    return runs


def cmd_time(args) -> int:
    from solutions.assignments import a6_training as ref

    ns = notebook_namespace()
    runs = graded_runs()
    fns = {}
    for name, target, kwargs in runs:
        fns[("reference", name)] = lambda t=target, k=kwargs: getattr(ref, t)(**k)
        fns[("notebook", name)] = lambda t=target, k=kwargs: ns[t](**k)
    load_before = os.getloadavg()
    times = {key: [] for key in fns}
    for _ in range(args.repeats):
        for key, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    load_after = os.getloadavg()
    print(f"recipe: {ref.RECIPE}")
    print(f"seconds per training run, median of {args.repeats} (OPENBLAS_NUM_THREADS=1); load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after, on {os.cpu_count()} cores")
    width = max(len(name) for name, _, _ in runs)
    print(f"{'run':<{width}}  reference   notebook")
    totals = {"reference": 0.0, "notebook": 0.0}
    for name, _, _ in runs:
        row = {who: statistics.median(times[(who, name)]) for who in totals}
        for who in totals:
            totals[who] += row[who]
        print(f"{name:<{width}}  {row['reference']:9.3f}  {row['notebook']:9.3f}")
    print(f"{'all runs of one submission':<{width}}  {totals['reference']:9.3f}  {totals['notebook']:9.3f}")
    return 0


def cmd_separate(args) -> int:
    from autograder.spec import load
    from solutions.assignments import a6_training as ref

    spec = load("a6_training")
    threshold = spec.exercise("recall_lstm").threshold
    long_gap = spec.exercise("recall_lstm").public[0].inputs["T"]
    short_gap = spec.exercise("recall_rnn_short").public[0].inputs["T"]
    steps = ref.RECIPE["steps"]
    rows = [("lstm", long_gap, steps, "pass"), ("gru", long_gap, steps, "pass"), ("rnn", short_gap, steps, "pass"),
            ("rnn", long_gap, steps, "chance"), ("rnn", long_gap, steps * args.rnn_factor, "chance")]
    seeds = range(args.seeds)
    chance = 1 / ref.K
    print(f"held-out accuracy over seeds {seeds.start}..{seeds.stop - 1}; threshold {threshold}, chance 1/K = "
          f"{chance:.2f}; load average {os.getloadavg()[0]:.2f}")
    ok = True
    for cell, T, n_steps, want in rows:
        t0 = time.perf_counter()
        accs = []
        for seed in seeds:
            weights = ref.train_recall(cell, T, seed, steps=n_steps)
            accs.append(ref.score_recall(dict(zip(("Wx", "Wh", "b", "Wy", "by"), weights)),
                                         {"cell": cell, "T": T, "seed": seed}))
        good = min(accs) >= threshold if want == "pass" else max(accs) < 0.5
        ok &= good
        print(f"{cell:4} T={T:<3} {n_steps:5} steps: min {min(accs):.3f} median {statistics.median(accs):.3f} "
              f"max {max(accs):.3f}  [{' '.join(f'{a:.2f}' for a in accs)}]  "
              f"{'every seed >= ' + str(threshold) if want == 'pass' else 'every seed < 0.5'}: "
              f"{'yes' if good else 'NO'}  ({(time.perf_counter() - t0) / len(accs):.2f} s a run)")
    t0 = time.perf_counter()
    forecast = spec.exercise("forecast")
    mses = [ref.forecast_mse(ref.train_forecast(seed)) for seed in seeds]
    good = max(mses) <= forecast.threshold
    ok &= good
    print(f"forecast GRU {ref.RECIPE['forecast_steps']:5} steps: MSE min {min(mses):.3f} median "
          f"{statistics.median(mses):.3f} max {max(mses):.3f}  [{' '.join(f'{m:.3f}' for m in mses)}]  every seed <= "
          f"{forecast.threshold}: {'yes' if good else 'NO'}  ({(time.perf_counter() - t0) / len(mses):.2f} s a run)")
    print("  naive forecasts, held-out MSE: " + ", ".join(f"{k} {v:.3f}" for k, v in ref.forecast_baselines().items()))
    return 0 if ok else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("time", help="seconds per training run, reference and notebook")
    t.add_argument("--repeats", type=int, default=5, help="timed runs of each training run; the median is shown")
    t.set_defaults(func=cmd_time)
    s = sub.add_parser("separate", help="held-out accuracy per cell and gap over seeds")
    s.add_argument("--seeds", type=int, default=8, help="seeds 0..N-1 for every row (default 8)")
    s.add_argument("--rnn-factor", type=int, default=4,
                   help="the last row trains the vanilla RNN at the long gap this many times the recipe's steps")
    s.set_defaults(func=cmd_separate)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
