"""Do the lecture notebooks run, and is every number they compute right?

Each notebook in course/ is executed top to bottom with nbclient (headless, its own
folder as working directory). The test only guards against a hang (300 s of the kernel's
CPU time or of the clock); the 60 s a lecture may take is measured by
``benchmarks/bench_lectures.py`` (5-7 s each on a quiet machine): on a shared machine
both clocks measure the neighbours too (OpenBLAS threads spin while they wait, and that
counts as CPU time).

The lectures know nothing of these tests: their cells use the names a reader would
(``h_rows``, ``param_counts``), and no cell mentions a test. Each reference function below
declares, with ``@reads``, where every number it checks is found in the lecture: the id of
the cell after which to look, and a Python expression over the lecture's variables at that
point. The harness runs a copy of the notebook with one extra cell after each such cell;
the extra cell evaluates the expressions in the lecture's namespace (in a namespace of its
own, so it defines nothing the lecture could see) and prints them as JSON. Reading right
after the cell, not at the end, lets a later section reuse a name like ``x`` or ``H``.
``inputs`` are read the same way: the arrays a number came from, from which the reference
recomputes it. Each number is then compared with the value computed here from the
reference implementation in ``solutions`` (or from PyTorch, or from a hand derivation
written in the docstring of the reference function).
"""
from __future__ import annotations

import ast
import functools
import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import solutions as S

COURSE = Path(__file__).resolve().parents[1] / "course"
EXPECTED_NOTEBOOKS = [
    "00_overview_and_notation.ipynb",
    "01_sequence_data.ipynb",
    "02_vanilla_rnn.ipynb",
    "03_backpropagation_through_time.ipynb",
    "04_lstm.ipynb",
    "05_gru.ipynb",
    "06_architectures.ipynb",
    "07_forecasting_shapes.ipynb",
    "08_choosing_a_model.ipynb",
    "09_language_models.ipynb",
]
PRESENT = [n for n in EXPECTED_NOTEBOOKS if (COURSE / n).exists()]
TIME_LIMIT_S = 300.0       # hang guards only; the 60 s budget is benchmarks/bench_lectures.py's
WALL_LIMIT_S = 300.0

# names of graded functions: a lecture must never define one (it would hand over an answer)
def _graded_names() -> set[str]:
    """Every function an assignment grades (its target, and the forward a backward is checked
    with), from the specs: a lecture must hand none of them out."""
    from autograder import build_data, spec

    return {name for aid in build_data.spec_ids() for ex in spec.load(aid).exercises
            if ex.kind in ("function", "gradient", "metric") for name in (ex.target, ex.forward) if name}


GRADED_NAMES = _graded_names()

MARK = "@@LECTURE-READ@@"
# The extra cell: evaluate each expression in the lecture's namespace, from a namespace of its own.
READER = """exec({code!r}, {{"__lecture__": globals(), "__exprs__": {exprs!r}}})"""
READER_CODE = (
    "import json\n"
    "values, errors = {}, {}\n"
    "for key, expr in __exprs__.items():\n"
    "    try:\n"
    "        values[key] = eval(expr, __lecture__)\n"
    "    except Exception as e:\n"
    "        errors[key] = f'{expr!r} raised {type(e).__name__}: {e}'\n"
    "def plain(o):\n"
    "    if hasattr(o, 'tolist'):\n"
    "        return o.tolist()\n"
    "    raise TypeError(f'cannot write a {type(o).__name__} as JSON')\n"
    f"print({MARK!r} + json.dumps({{'values': values, 'errors': errors}}, default=plain))\n"
)
# The last extra cell: the kernel's CPU time.
FINAL_EXPRS = {
    "cpu_seconds": "(lambda r: r.ru_utime + r.ru_stime)(__import__('resource').getrusage(__import__('resource').RUSAGE_SELF))",
}


@dataclass(frozen=True)
class Reads:
    """Where a lecture's numbers are: {cell id: {key: expression}} for each of the three kinds.

    numbers are compared with the reference; inputs are handed to the reference function;
    measurements (timings) are only checked to be plausible.
    """
    numbers: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    measurements: dict = field(default_factory=dict)

    def by_cell(self) -> dict:
        cells: dict = {}
        for kind in ("numbers", "inputs", "measurements"):
            for cell_id, exprs in getattr(self, kind).items():
                for key, expr in exprs.items():
                    cells.setdefault(cell_id, {})[f"{kind}:{key}"] = expr
        return cells


def reads(*, numbers=None, inputs=None, measurements=None):
    """Attach to a reference function the places its lecture's numbers are read from."""
    def attach(ref):
        ref.reads = Reads(numbers or {}, inputs or {}, measurements or {})
        return ref
    return attach


def _reader_cell(exprs: dict, n: int):
    return nbformat.v4.new_code_cell(READER.format(code=READER_CODE, exprs=exprs), id=f"test-read-{n}")


def _read_output(cell, where: str) -> dict:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    if MARK not in text:
        raise AssertionError(f"the reader after {where} printed nothing readable: {text!r} {cell.outputs!r}")
    payload = json.loads(text.split(MARK, 1)[1])
    if payload["errors"]:
        raise AssertionError(f"reading the lecture after {where} failed: " + "; ".join(
            f"{k.split(':', 1)[1]}: {v}" for k, v in payload["errors"].items()))
    return payload["values"]


@functools.lru_cache(maxsize=None)
def run_notebook(name: str):
    """Execute a notebook once per test session, reading its numbers where ``@reads`` says.

    Returns (wall seconds, kernel CPU seconds, numbers, inputs, measurements).
    """
    nb = nbformat.read(COURSE / name, as_version=4)
    assert hasattr(REFERENCES[name], "reads"), (
        f"{name}: its reference {REFERENCES[name].__name__} has no @reads, so no number of it would be checked")
    wanted = REFERENCES[name].reads.by_cell()
    for section in SECTIONS.get(name, ()):                # sections with references of their own
        for cell_id, exprs in section.reads.by_cell().items():
            wanted.setdefault(cell_id, {}).update(exprs)
    ids = [c.id for c in nb.cells]
    missing = sorted(set(wanted) - set(ids))
    assert not missing, (f"{name}: the tests read numbers after cell(s) {missing}, which the notebook "
                         f"no longer has (its cell ids: {ids})")
    cells, readers = [], []
    for cell in nb.cells:
        cells.append(cell)
        if cell.id in wanted:
            cells.append(_reader_cell(wanted[cell.id], len(readers)))
            readers.append((cells[-1], cell.id))
    cells.append(_reader_cell(FINAL_EXPRS, len(readers)))
    nb.cells = cells
    client = NotebookClient(nb, timeout=WALL_LIMIT_S, startup_timeout=WALL_LIMIT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(COURSE)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    found = {"numbers": {}, "inputs": {}, "measurements": {}}
    for reader, cell_id in readers:
        for key, value in _read_output(reader, f"cell {cell_id!r} of {name}").items():
            kind, key = key.split(":", 1)
            assert key not in found[kind], f"{name}: {kind[:-1]} {key!r} is read twice"
            found[kind][key] = value
    final = _read_output(cells[-1], f"the last cell of {name}")
    return seconds, final["cpu_seconds"], found["numbers"], found["inputs"], found["measurements"]


def arr(x):
    return np.asarray(x, dtype=float)


# ---------------------------------------------------------------- references, one per lecture

@reads(
    numbers={
        "notation-shapes": {"rnn_step_h": "h_rows.ravel()",
                            "notes_form_max_diff": "np.abs(h_rows - h_cols).max()",
                            "torch_layout_max_diff": "np.abs(h_rows - h_torch_layout).max()"},
        "shapes-table": {f"params_{c.lower()}_D5_H64": f"param_counts[{c!r}]" for c in ("RNN", "LSTM", "GRU")},
    },
    inputs={"notation-shapes": {"rnn_step": "dict(x=x_t, prev_h=h_prev, Wx=Wx, Wh=Wh, b=b)"}},
)
def ref_00(inp):
    """Lecture 00: one RNN step from its printed inputs, and the parameter table.

    Parameter counts by hand: a cell with k blocks has D*kH + H*kH + kH parameters
    (RNN k=1, LSTM k=4, GRU k=3); with D=5, H=64: 4480, 17920, 13440.
    """
    s = inp["rnn_step"]
    h, _ = S.rnn_step_forward(arr(s["x"]), arr(s["prev_h"]), arr(s["Wx"]), arr(s["Wh"]), arr(s["b"]))
    return {
        "rnn_step_h": h.ravel().tolist(),
        "notes_form_max_diff": 0.0,      # the two forms are the same map: only rounding remains
        "torch_layout_max_diff": 0.0,
        "params_rnn_D5_H64": S.param_count("rnn", 5, 64),
        "params_lstm_D5_H64": S.param_count("lstm", 5, 64),
        "params_gru_D5_H64": S.param_count("gru", 5, 64),
    }


@reads(
    numbers={
        "bag-of-words": {"bag_of_words_equal": "int(count1 == count2)", "sequences_equal": "int(s1 == s2)"},
        "series-shuffle": {"series_mean": "series.mean()", "shuffled_mean": "shuffled.mean()",
                           "series_lag1": "lag1_autocorrelation(series)",
                           "shuffled_lag1": "lag1_autocorrelation(shuffled)"},
        "ffn-limits": {"ffn_same_output_after_different_context": "int(np.array_equal(out_after_not, out_after_very))"},
        "sharing-plot": {"dense_flat_params_T24_D5_H64": "dense_T24", "rnn_params_D5_H64": "rnn_count",
                         "crossover_T": "crossover"},
    },
    inputs={"series-shuffle": {"series": "series", "shuffled": "shuffled"}},
)
def ref_01(inp):
    """Lecture 01: bag of words, order statistics of a series, dense against recurrent sizes.

    Lag-1 autocorrelation: with u = v - mean(v), r1 = sum_t u_t u_{t-1} / sum_t u_t^2.
    A per-token network's output at a token is a function of that token only, so the
    output at "good" is the same after "not" and after "very" (1 = equal).
    """
    from collections import Counter

    s1, s2 = "the dog bit the man".split(), "the man bit the dog".split()
    out = {"bag_of_words_equal": int(Counter(s1) == Counter(s2)), "sequences_equal": int(s1 == s2),
           "ffn_same_output_after_different_context": 1}
    for name in ("series", "shuffled"):
        v = arr(inp[name])
        u = v - v.mean()
        out[f"{name}_mean"] = float(np.mean(v))
        out[f"{name}_lag1"] = float(np.dot(u[1:], u[:-1]) / np.dot(u, u))
    rnn = S.param_count("rnn", 5, 64)
    out["rnn_params_D5_H64"] = rnn
    out["dense_flat_params_T24_D5_H64"] = S.dense_param_count(24 * 5, 64)
    out["crossover_T"] = next(T for T in range(1, 1000) if S.dense_param_count(T * 5, 64) > rnn)
    return out


@reads(
    numbers={
        "h0-effect": {"h0_gap_per_step": "gap"},
        "param-count": {"rnn_params_D10_H32": "recurrent", "output_params_H32_V5": "output"},
        "softmax-example": {"softmax_scores": "scores.ravel()", "softmax_probs": "probs.ravel()"},
        "worked-example": {f"worked_{q}{t}": f"worked['{q}{t}']" for q in "ah" for t in (1, 2, 3)},
        "activations-table": {f"{name}_at_-2_0_2": v for name, v in (("tanh", "t_"), ("sigmoid", "s_"), ("relu", "r_"),
                                                                    ("dtanh", "dt"), ("dsigmoid", "ds"), ("drelu", "dr"))},
        "activations-plot": {"max_dtanh": "(1 - np.tanh(zz) ** 2).max()",
                             "max_dsigmoid": "(sigmoid(zz) * (1 - sigmoid(zz))).max()"},
    },
    inputs={
        "h0-effect": {"h0_effect": "dict(x=x, Wx=Wx, Wh=Wh, b=b, h0_learned=h0_learned)"},
        "softmax-example": {"softmax": "dict(h=h_t, Wy=Wy, by=by)"},
        "activations-table": {"activation_z": "z"},
    },
)
def ref_02(inp):
    """Lecture 02: initial state, counts, softmax, the worked example, activations.

    The largest derivatives are hand-derived: tanh'(z) = 1 - tanh(z)^2 peaks at z = 0
    with 1, sigmoid'(z) = s(1 - s) peaks at s = 1/2 with 1/4 (both grids contain z = 0).
    """
    from solutions.worked_examples import example

    e = inp["h0_effect"]
    x, Wx, Wh, b = arr(e["x"]), arr(e["Wx"]), arr(e["Wh"]), arr(e["b"])
    h_zero, _ = S.rnn_forward(x, np.zeros((x.shape[0], Wh.shape[0])), Wx, Wh, b)
    h_learned, _ = S.rnn_forward(x, arr(e["h0_learned"]), Wx, Wh, b)
    sm = inp["softmax"]
    scores, probs = S.output_forward(arr(sm["h"]), arr(sm["Wy"]), arr(sm["by"]))
    worked = example("rnn_sequence").computed
    z = arr(inp["activation_z"])
    out = {
        "h0_gap_per_step": np.abs(h_zero - h_learned).max(axis=(0, 2)).tolist(),
        "rnn_params_D10_H32": S.param_count("rnn", 10, 32),
        "output_params_H32_V5": S.dense_param_count(32, 5),
        "softmax_scores": scores.ravel().tolist(),
        "softmax_probs": probs.ravel().tolist(),
        "max_dtanh": 1.0,
        "max_dsigmoid": 0.25,
    }
    for t in (1, 2, 3):
        out[f"worked_a{t}"] = worked[f"a{t}"]
        out[f"worked_h{t}"] = worked[f"h{t}"]
    for name in ("tanh", "sigmoid", "relu", "dtanh", "dsigmoid", "drelu"):
        out[f"{name}_at_-2_0_2"] = getattr(S, name)(z).tolist()
    return out


def _jacobian_norms(x, h0, Wx, Wh, b):
    """||dh_T/dh_{T-k}||_2 for k = 1..T, each Jacobian built row by row by solutions' BPTT.

    Row i of dh_T/dh_s is e_i^T dh_T/dh_s, which is rnn_backward's dh0 when the RNN is
    started at h_s and the only upstream gradient is e_i on the last state; a batch of H
    copies gives all rows at once.
    """
    T, H = x.shape[1], Wh.shape[0]
    h_all, _ = S.rnn_forward(x, h0, Wx, Wh, b)
    norms = []
    for k in range(1, T + 1):
        start = h0 if k == T else h_all[:, T - k - 1]
        xs = np.repeat(x[:, T - k:], H, axis=0)                  # (H, k, D)
        _, cache = S.rnn_forward(xs, np.repeat(start, H, axis=0), Wx, Wh, b)
        dh = np.zeros((H, k, H))
        dh[:, -1] = np.eye(H)
        J = S.rnn_backward(dh, cache)[1]                         # (H, H) = dh_T / dh_{T-k}
        norms.append(np.linalg.norm(J, 2))
    return norms


@reads(
    numbers={
        "jacobian-product": {"vjp_dh0": "g"},
        "radius-plot": {f"jac_norm_rho_{r}": f"jac_norms[{r}]" for r in (0.5, 0.9, 1.0, 1.2, 1.5)} | {
            "rho_1.2_peak_distance": "peak_12", "rho_1.2_peak_norm": "n12[peak_12 - 1]",
            "rho_1.2_below_one_from": "below_12"},
        "nonnormal-powers": {"nonnormal_radius": "radius", "nonnormal_sigma_max": "sigma_max",
                             "nonnormal_power_norms": "power_norms", "nonnormal_peak_k": "nn_peak",
                             "nonnormal_below_one_from": "nn_below", "nonnormal_rate_k200": "nn_rate"},
        "clip-example": {"clip_total_norm": "total", "clip_dWh_after": "clipped['dWh'].ravel()",
                         "clip_norm_after": "clipped_total"},
        "demo-static": {f"lstm_cell_path_bf_{b}": f"lstm_cell_path({b})" for b in (0.0, 2.0, 4.0)} | {
            "demo_rnn_norms_rho_1.4": "norms_sat", "demo_mean_dtanh_rho_1.4": "dtanh_sat",
            "demo_mean_dtanh_rho_0.9": "dtanh_09", "demo_rnn_max_rho_1.6": "rnn_gradient_norms(1.6).max()"},
        "tbptt-pairs": {"tbptt_terms_full_T12": "full.sum()", "tbptt_terms_chunks_T12_K4": "chunks.sum()",
                        "tbptt_terms_window_T12_K4": "window.sum()",
                        "tbptt_reach_chunks_T12_K4": "chunks.sum(axis=1)",
                        "tbptt_reach_window_T12_K4": "window.sum(axis=1)"},
        "tbptt-plot": {"tbptt_kept_share_K10_rho_0.9": "kept"},
    },
    inputs={
        "jacobian-product": {"jacobian": "dict(x=x, Wx=Wx, Wh=Wh, b=b, h0=h0, v=v)"},
        "radius-plot": {"radius": "dict(x=x, Wx=Wx, Q=Q, b=b, radii=radii)"},
        "nonnormal-powers": {"nonnormal": "dict(W=W_nn)"},
        "clip-example": {"clip": "dict(grads, max_norm=max_norm)"},
        "demo-static": {"lstm_demo": "dict(x=x_demo, Wx=Wx_lstm, Wh=Wh_lstm, H=H)",
                        "rnn_demo": "dict(x=x_demo, Wx=Wx_rnn, Q=Q_demo)"},
    },
)
def ref_03(inp):
    """Lecture 03: products of Jacobians checked against solutions' BPTT, clipping, gates.

    The LSTM cell-path factor: c_{t-1} enters c_t only through f * c_{t-1}, so
    lstm_step_backward with dnext_h = 0 and dnext_c = v returns dprev_c = v * f; chaining
    it k steps back from v = 1 gives the product of the last k forget gates.

    The non-normal example W = [[a, c], [0, a]], by hand: W^k = [[a^k, k a^(k-1) c], [0, a^k]]
    (induction); a triangular matrix's eigenvalues are its diagonal, so rho = |a|; the
    singular values of [[p, q], [0, p]] have product |det| = p^2 and squares summing to the
    Frobenius norm 2p^2 + q^2, so sigma_max = (sqrt(4p^2 + q^2) + |q|) / 2.

    Truncated BPTT's terms (t, k), 1 <= k <= t <= T, by hand: full BPTT has T(T+1)/2; the
    loss at t reaches back min(t, K) steps in a sliding window and ((t-1) mod K) + 1 steps
    inside chunks of K (to the start of its chunk). The kept share weighs the term at
    distance d = t - k of the loss at T by ||dh_T/dh_{T-d}|| (1 at d = 0), d = 0 .. T-1.

    The demo RNN (W_h = rho Q, no bias) is run by solutions' rnn_forward; the average of
    tanh' = 1 - h^2 over its states says how saturated it is.
    """
    j = inp["jacobian"]
    x, h0, Wx, Wh, b = (arr(j[k]) for k in ("x", "h0", "Wx", "Wh", "b"))
    _, cache = S.rnn_forward(x, h0, Wx, Wh, b)
    dh = np.zeros(x.shape[:2] + (Wh.shape[0],))
    dh[:, -1] = arr(j["v"])
    out = {"vjp_dh0": S.rnn_backward(dh, cache)[1].ravel().tolist()}

    r = inp["radius"]
    x, Wx, Q, b = arr(r["x"]), arr(r["Wx"]), arr(r["Q"]), arr(r["b"])
    for rho in r["radii"]:
        out[f"jac_norm_rho_{rho}"] = _jacobian_norms(x, np.zeros((1, Q.shape[0])), Wx, rho * Q, b)
    norms = np.concatenate([[1.0], out["jac_norm_rho_0.9"][:-1]])             # d = 0 .. T-1
    out["tbptt_kept_share_K10_rho_0.9"] = float(norms[:10].sum() / norms.sum())
    n12 = np.array(out["jac_norm_rho_1.2"])
    out["rho_1.2_peak_distance"] = int(np.argmax(n12)) + 1
    out["rho_1.2_peak_norm"] = float(n12.max())
    out["rho_1.2_below_one_from"] = max(d for d, n in enumerate(n12, start=1) if n >= 1) + 1   # after the last d >= 1

    W = arr(inp["nonnormal"]["W"])
    a, c_ = W[0, 0], W[0, 1]
    assert W[1, 0] == 0 and W[1, 1] == a, "the lecture's non-normal example is [[a, c], [0, a]]"
    ks = np.arange(1, 201)
    p, q = a ** ks, ks * a ** (ks - 1) * c_                                # W^k = [[p, q], [0, p]]
    power_norms = (np.sqrt(4 * p ** 2 + q ** 2) + np.abs(q)) / 2
    out |= {"nonnormal_radius": abs(a), "nonnormal_sigma_max": (np.sqrt(4 * a ** 2 + c_ ** 2) + abs(c_)) / 2,
            "nonnormal_power_norms": power_norms.tolist(), "nonnormal_peak_k": int(np.argmax(power_norms)) + 1,
            "nonnormal_below_one_from": int(ks[max(np.flatnonzero(power_norms >= 1))] + 1),
            "nonnormal_rate_k200": float(power_norms[-1] ** (1 / 200))}

    T, K = 12, 4
    ts = np.arange(1, T + 1)
    out |= {"tbptt_terms_full_T12": T * (T + 1) // 2,
            "tbptt_reach_window_T12_K4": np.minimum(ts, K).tolist(),
            "tbptt_reach_chunks_T12_K4": ((ts - 1) % K + 1).tolist()}
    out["tbptt_terms_window_T12_K4"] = sum(out["tbptt_reach_window_T12_K4"])
    out["tbptt_terms_chunks_T12_K4"] = sum(out["tbptt_reach_chunks_T12_K4"])

    c = dict(inp["clip"])
    max_norm = c.pop("max_norm")
    clipped, total = S.clip_by_global_norm({k: arr(v) for k, v in c.items()}, max_norm)
    out["clip_total_norm"] = total
    out["clip_dWh_after"] = clipped["dWh"].ravel().tolist()
    out["clip_norm_after"] = float(np.sqrt(sum((g ** 2).sum() for g in clipped.values())))

    l = inp["lstm_demo"]
    x, Wx, Wh, H = arr(l["x"]), arr(l["Wx"]), arr(l["Wh"]), l["H"]
    for b_f in (0.0, 2.0, 4.0):
        b = np.zeros(4 * H)
        b[H:2 * H] = b_f
        h, c_, caches = np.zeros((1, H)), np.zeros((1, H)), []
        for t in range(x.shape[1]):
            h, c_, cache = S.lstm_step_forward(x[:, t], h, c_, Wx, Wh, b)
            caches.append(cache)
        dc, path = np.ones((1, H)), []
        for cache in reversed(caches):
            dc = S.lstm_step_backward(np.zeros((1, H)), dc, cache)[2]
            path.append(float(dc.max()))
        out[f"lstm_cell_path_bf_{b_f}"] = path

    # the demo RNN (no bias) at rho = 1.4, where saturation holds the product near 1, and at 0.9 and 1.6
    d = inp["rnn_demo"]
    x, Wx, Q = arr(d["x"]), arr(d["Wx"]), arr(d["Q"])
    zero_h, zero_b = np.zeros((1, Q.shape[0])), np.zeros(Q.shape[0])
    out["demo_rnn_norms_rho_1.4"] = _jacobian_norms(x, zero_h, Wx, 1.4 * Q, zero_b)
    out["demo_rnn_max_rho_1.6"] = max(_jacobian_norms(x, zero_h, Wx, 1.6 * Q, zero_b))
    for rho in (0.9, 1.4):
        h_all, _ = S.rnn_forward(x, zero_h, Wx, rho * Q, zero_b)
        out[f"demo_mean_dtanh_rho_{rho}"] = float(np.mean(1 - h_all ** 2))
    return out


@reads(
    numbers={
        "forget-example": {"forget_only_kept": "kept"},
        "input-examples": {"adding_memory_c_t": "c_examples['adding_memory']",
                           "partial_retention_c_t": "c_examples['partial_retention']",
                           "partial_retention_tanh_c_t": "np.tanh(c_examples['partial_retention'])"},
        "output-example": {"output_gate_tanh_c": "squashed", "output_gate_h_t": "h_t"},
        "full-step-gates": {"full_step_c_t": "c_t", "full_step_tanh_c_t": "np.tanh(c_t)", "full_step_h_t": "h_t"},
        "full-step-weights": {"full_step_from_weights_c_t": "c_t[0, 0]", "full_step_from_weights_h_t": "h_t[0, 0]"},
        "full-step-batch": {"batch_step_c_t": "c_t.ravel()", "batch_step_h_t": "h_t.ravel()"},
        "memory-example": {"short_long_tanh_c": "np.tanh(c_t)", "short_long_h_t": "h_short",
                           "accumulate_c_30": "cs[-1]", "accumulate_h_30": "hs[-1]"},
        "variants": {"peephole_h_t": "h_peep.ravel()", "peephole_c_t": "c_peep.ravel()",
                     "coupled_h_t": "h_coupled.ravel()", "coupled_c_t": "c_coupled.ravel()",
                     "coupled_full_example_c_t": "c_coupled_example"},
        "dynamics-functions": {"gate_demo_h_last": "tr['h'][-1]", "gate_demo_c_last": "tr['c'][-1]",
                               "gate_demo_f_after_input_bf_4.5": "f_after"}
                              | {f"gate_demo_mean_abs_c_t29_t49_bf_{bf}": f"memory[{bf}]" for bf in (4.5, 1.0, -3.0)},
    },
    inputs={
        "full-step-batch": {"batch_step": "dict(x=x_t, prev_h=h_prev, prev_c=c_prev, Wx=Wx, Wh=Wh, b=b)"},
        "variants": {"peephole": "dict(p_i=p_i, p_f=p_f, p_o=p_o)"},
        "dynamics-functions": {"gate_demo": "dict(x=signal, Wx=Wx_demo, Wh=Wh_demo, b_f=1.0)"},
    },
)
def ref_04(inp):
    """Lecture 04: the notes' LSTM examples (solutions.worked_examples), full steps, variants.

    The coupled cell on the notes' full example has i = 1 - f = 0.6, the example's own i,
    so its c_t is the plain update's. The 30-step accumulation iterates lstm_state_update
    with the fixed gates f = sigmoid(3), i = sigmoid(0), g = tanh(1), o = sigmoid(0.5).
    The gate demo's mean |c_t| and forget gate come from lstm_step_forward on the
    lecture's signal and weights (the forget gate from the f block of the pre-activation).
    """
    from solutions.worked_examples import example

    ex = lambda name: example(name).computed
    out = {
        "forget_only_kept": ex("lstm_forget_only")["C_t"],
        "adding_memory_c_t": ex("lstm_adding_memory")["C_t"],
        "partial_retention_c_t": ex("lstm_partial_retention")["C_t"],
        "partial_retention_tanh_c_t": ex("lstm_partial_retention")["tanh(C_t)"],
        "output_gate_tanh_c": ex("lstm_output_gate")["tanh(C_t)"],
        "output_gate_h_t": ex("lstm_output_gate")["h_t"],
        "full_step_c_t": ex("lstm_full_step")["C_t"],
        "full_step_tanh_c_t": ex("lstm_full_step")["tanh(C_t)"],
        "full_step_h_t": ex("lstm_full_step")["h_t"],
        "full_step_from_weights_c_t": ex("lstm_full_step")["C_t (lstm_step_forward)"],
        "full_step_from_weights_h_t": ex("lstm_full_step")["h_t (lstm_step_forward)"],
        "short_long_tanh_c": ex("lstm_short_vs_long")["tanh(C_t)"],
        "short_long_h_t": ex("lstm_short_vs_long")["h_t"],
        "coupled_full_example_c_t": S.lstm_state_update(1.0, 0.4, 1 - 0.4, 0.5, 0.7)[0],
    }
    c = h = 0.0
    for _ in range(30):
        c, h = S.lstm_state_update(c, S.sigmoid(3.0), S.sigmoid(0.0), np.tanh(1.0), S.sigmoid(0.5))
    out["accumulate_c_30"], out["accumulate_h_30"] = float(c), float(h)

    bs = {k: arr(v) for k, v in inp["batch_step"].items()}
    h, c, _ = S.lstm_step_forward(bs["x"], bs["prev_h"], bs["prev_c"], bs["Wx"], bs["Wh"], bs["b"])
    out["batch_step_h_t"], out["batch_step_c_t"] = h.ravel().tolist(), c.ravel().tolist()
    p = {k: arr(v) for k, v in inp["peephole"].items()}
    h, c = S.lstm_peephole_step_forward(bs["x"], bs["prev_h"], bs["prev_c"], bs["Wx"], bs["Wh"], bs["b"],
                                        p["p_i"], p["p_f"], p["p_o"])
    out["peephole_h_t"], out["peephole_c_t"] = h.ravel().tolist(), c.ravel().tolist()
    H = bs["prev_h"].shape[1]
    h, c = S.lstm_coupled_step_forward(bs["x"], bs["prev_h"], bs["prev_c"], bs["Wx"][:, H:], bs["Wh"][:, H:], bs["b"][H:])
    out["coupled_h_t"], out["coupled_c_t"] = h.ravel().tolist(), c.ravel().tolist()

    g = inp["gate_demo"]
    x, Wx, Wh = arr(g["x"]), arr(g["Wx"]), arr(g["Wh"])
    H = Wh.shape[0]
    b = np.zeros(4 * H)
    b[H:2 * H] = g["b_f"]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    for t in range(x.shape[1]):
        h, c, _ = S.lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
    h_seq, _ = S.lstm_forward(x, np.zeros((1, H)), Wx, Wh, b)
    np.testing.assert_allclose(h_seq[:, -1], h)                 # the two reference paths agree
    out["gate_demo_h_last"], out["gate_demo_c_last"] = h.ravel().tolist(), c.ravel().tolist()

    # memory after the input stops (steps 30..59 have x = 0), for three forget biases
    for b_f in (4.5, 1.0, -3.0):
        b = np.zeros(4 * H)
        b[H:2 * H] = b_f
        h, c, cs, fs = np.zeros((1, H)), np.zeros((1, H)), [], []
        for t in range(x.shape[1]):
            fs.append(S.sigmoid(x[:, t] @ Wx + h @ Wh + b)[:, H:2 * H])    # blocks i, f, g, o
            h, c, _ = S.lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
            cs.append(np.abs(c).mean())
        out[f"gate_demo_mean_abs_c_t29_t49_bf_{b_f}"] = [cs[29], cs[49]]
        if b_f == 4.5:
            out["gate_demo_f_after_input_bf_4.5"] = float(np.mean(fs[30:]))
    return out


@reads(
    numbers={
        "update-example": {"update_h_t": "h_t"},
        "reset-example": {"reset_r_h": "reset_h", "reset_pre": "pre", "reset_n": "n"},
        "full-example": {"full_n": "n", "full_h_t": "h_t"},
        "conventions": {"notes_h_t": "results['same weights'][0].ravel()",
                        "torch_h_t": "results['same weights'][1].ravel()",
                        "torch_flipped_h_t": "results['z block negated'][1].ravel()",
                        "first_step_diff_flipped": "np.abs(np.subtract(*results['z negated, h_prev = 0'])).max()"},
        "param-table": {f"{cell}_params_{conv}": f"counts[{row!r}][{k}]"
                        for conv, row in (("textbook", "one bias per block (textbook)"),
                                          ("pytorch", "PyTorch (b_ih and b_hh)"),
                                          ("keras", "Keras (LSTM one bias, GRU reset_after two)"))
                        for k, cell in enumerate(("lstm", "gru"))},
    },
    inputs={"conventions": {"conventions": "dict(x=x_t, prev_h=h_prev, Wx=Wx, Wh=Wh, b=b)"}},
)
def ref_05(inp):
    """Lecture 05: the notes' GRU examples, the notes' cell against PyTorch's (also checked with torch itself).

    Negating the z block of Wx, Wh and b turns sigmoid(a_z) into 1 - sigmoid(a_z), which
    swaps the two conventions' meaning of z; at h_prev = 0 the reset placement no longer
    matters ((r * 0) Wh = 0 = r * (0 Wh + 0)), so the two cells agree exactly there.
    """
    from solutions.worked_examples import example

    ex = lambda name: example(name).computed
    c = {k: arr(v) for k, v in inp["conventions"].items()}
    H = c["prev_h"].shape[1]
    flip = np.ones(3 * H)
    flip[H:2 * H] = -1
    zero = np.zeros(3 * H)
    torch_same = S.gru_step_forward_pytorch(c["x"], c["prev_h"], c["Wx"], c["Wh"], c["b"], zero)
    torch_flipped = S.gru_step_forward_pytorch(c["x"], c["prev_h"], c["Wx"] * flip, c["Wh"] * flip, c["b"] * flip, zero)
    import torch  # the test extras pin it: an independent oracle for the PyTorch convention
    cell = torch.nn.GRUCell(c["x"].shape[1], H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(c["Wx"].T)); cell.weight_hh.copy_(torch.from_numpy(c["Wh"].T))
        cell.bias_ih.copy_(torch.from_numpy(c["b"])); cell.bias_hh.zero_()
        oracle = cell(torch.from_numpy(c["x"]), torch.from_numpy(c["prev_h"])).numpy()
    np.testing.assert_allclose(torch_same, oracle, rtol=1e-12, atol=1e-14)
    out = {
        "update_h_t": ex("gru_gradual_update")["h_t"],
        "reset_r_h": ex("gru_reset_gate")["r*prev_h"],
        "reset_pre": ex("gru_reset_gate")["pre-activation"],
        "reset_n": ex("gru_reset_gate")["h_tilde"],
        "full_n": ex("gru_full_step")["h_tilde"],
        "full_h_t": ex("gru_full_step")["h_t"],
        "notes_h_t": S.gru_step_forward(c["x"], c["prev_h"], c["Wx"], c["Wh"], c["b"])[0].ravel().tolist(),
        "torch_h_t": torch_same.ravel().tolist(),
        "torch_flipped_h_t": torch_flipped.ravel().tolist(),
        "first_step_diff_flipped": 0.0,
    }
    for conv in ("textbook", "pytorch", "keras"):
        out[f"lstm_params_{conv}"] = S.param_count("lstm", 5, 64, convention=conv)
        out[f"gru_params_{conv}"] = S.param_count("gru", 5, 64, convention=conv)
    return out


@reads(
    numbers={
        "bidirectional": {"bidir_out": "out.ravel()", "bidir_h_n": "h_n.ravel()"},
        "stacked": {"stacked_out": "inp.ravel()", "stacked_h_n": "np.stack(finals).ravel()",
                    "stacked_params_per_layer": "per_layer"},
        "convlstm-count": {"convlstm_params_C1_H16_k3": "conv_lstm",
                           **{f"convlstm_peephole_params_C1_H16_k3_{s}x{s}": f"with_peepholes[{s}]" for s in (64, 512)}},
        "masking": {"masked_h_final": "h_masked.ravel()", "masked_out": "out_masked.ravel()",
                    "packed_batch_sizes": "batch_sizes"},
        "mistake-reset": {"reset_h_b": "finals['reset'].ravel()", "carried_h_b": "finals['carried over'].ravel()"},
        "mistake-last": {"unmasked_last_output": "wrong_plain.ravel()", "masked_last_output": "wrong_masked.ravel()"},
        "mistake-bidir": {"bidir_wrong_summary": "wrong.ravel()", "bidir_right_summary": "right.ravel()"},
        "padding-plot": {"padding_drift": "drift"},
    },
    inputs={"bidirectional": {"bidir": "dict(x=x, fwd=fwd, bwd=bwd)"}, "stacked": {"stacked": "layers"},
            "masking": {"varlen": "dict(x=xv, lengths=lengths, cell=cell)"},
            "mistake-reset": {"reset": "dict(xa=xa, xb=xb)"}, "padding-plot": {"padding": "dict(seq=seq)"}},
)
def ref_06(inp):
    """Lecture 06: architectures from solutions.architectures; packing also checked with torch.

    ConvLSTM count by hand: 4 blocks x (input kernel H*C*k*k + recurrent kernel H*H*k*k
    + bias H) = 4 * (16*1*9 + 16*16*9 + 16) = 9856 for C=1, H=16, k=3. Shi et al. (2015)'s
    peepholes W_ci, W_cf, W_co are Hadamard products with the cell state, one (H, rows, cols)
    tensor each: 3*16*64*64 = 196608 more on 64x64 frames (206464 in all), 3*16*512*512 =
    12582912 more on 512x512 (12592768 in all).
    Packed batch sizes for lengths (5, 3, 2) over T = 5 steps: 3, 3, 2, 1, 1.
    """
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    P = lambda d: {k: arr(v) for k, v in d.items()}
    b = inp["bidir"]
    x = arr(b["x"])
    out, h_n = S.bidirectional_forward("rnn", x, P(b["fwd"]), P(b["bwd"]))
    H = h_n.shape[-1]
    res = {"bidir_out": out.ravel().tolist(), "bidir_h_n": h_n.ravel().tolist(),
           "bidir_wrong_summary": out[:, -1].ravel().tolist(),
           "bidir_right_summary": np.concatenate([h_n[0], h_n[1]], axis=1).ravel().tolist()}
    layers = [P(p) for p in inp["stacked"]]
    out, h_n = S.stacked_forward("rnn", x, layers)
    res |= {"stacked_out": out.ravel().tolist(), "stacked_h_n": h_n.ravel().tolist(),
            "stacked_params_per_layer": [S.param_count("rnn", x.shape[2], H), S.param_count("rnn", H, H)],
            "convlstm_params_C1_H16_k3": 9856,
            "convlstm_peephole_params_C1_H16_k3_64x64": 206464,
            "convlstm_peephole_params_C1_H16_k3_512x512": 12592768}

    v = inp["varlen"]
    xv, lengths, cell = arr(v["x"]), np.array(v["lengths"]), P(v["cell"])
    h_all, h_final = S.masked_forward("rnn", xv, lengths, cell)
    rnn = torch.nn.RNN(xv.shape[2], H, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(cell["Wx"].T)); rnn.weight_hh_l0.copy_(torch.from_numpy(cell["Wh"].T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(cell["b"])); rnn.bias_hh_l0.zero_()
        packed = pack_padded_sequence(torch.from_numpy(xv), torch.from_numpy(lengths), batch_first=True, enforce_sorted=False)
        t_out, t_hn = rnn(packed)
        t_out, _ = pad_packed_sequence(t_out, batch_first=True, total_length=xv.shape[1])
    np.testing.assert_allclose(h_all, t_out.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_final, t_hn[0].numpy(), rtol=1e-10, atol=1e-12)
    plain, _ = S.rnn_forward(xv, np.zeros((len(lengths), H)), cell["Wx"], cell["Wh"], cell["b"])
    res |= {"masked_h_final": h_final.ravel().tolist(), "masked_out": h_all.ravel().tolist(),
            "packed_batch_sizes": [3, 3, 2, 1, 1], "unmasked_last_output": plain[:, -1].ravel().tolist(),
            "masked_last_output": h_all[:, -1].ravel().tolist()}

    r = inp["reset"]
    zeros = np.zeros((len(lengths), H))
    ha, _ = S.rnn_forward(arr(r["xa"]), zeros, cell["Wx"], cell["Wh"], cell["b"])
    hb_reset, _ = S.rnn_forward(arr(r["xb"]), zeros, cell["Wx"], cell["Wh"], cell["b"])
    hb_carried, _ = S.rnn_forward(arr(r["xb"]), ha[:, -1], cell["Wx"], cell["Wh"], cell["b"])
    res |= {"reset_h_b": hb_reset[:, -1].ravel().tolist(), "carried_h_b": hb_carried[:, -1].ravel().tolist()}

    seq = arr(inp["padding"]["seq"])
    h_seq, _ = S.rnn_forward(seq, np.zeros((1, H)), cell["Wx"], cell["Wh"], cell["b"])
    h_true = h_seq[:, -1]
    h_pad, _ = S.rnn_forward(np.zeros((1, 30, seq.shape[2])), h_true, cell["Wx"], cell["Wh"], cell["b"])
    res["padding_drift"] = [0.0] + np.abs(h_pad[0] - h_true).max(axis=1).tolist()
    return res


@reads(numbers={
    "setup": {"co2_months": "len(v)", "co2_filled": "int(co2.filled.sum())"},
    "data-windows": {"window_shapes": "[*x_train.shape, *y_train.shape, *x_held.shape, *y_held.shape]",
                     "window_sums": "[x_train.sum(), y_train.sum(), x_held.sum(), y_held.sum()]",
                     "shown_window": "np.concatenate([x_held[40].ravel(), y_held[40]])",
                     "held_out_above_training_max": "[int(above.sum()), int(above.size), v[:cut].max()]"},
    "baselines": {"baseline_mse": "list(baseline_mse.values())"},
    "last-state-model": {"last_state_counts": "[n for *_, n in layers_a] + [total_a]",
                         "last_state_widths": "[int(np.prod(s)) for _, s, _ in layers_a]"},
    "all-states-model": {"all_states_counts": "[n for *_, n in layers_b] + [total_b]",
                         "all_states_widths": "[int(np.prod(s)) for _, s, _ in layers_b]",
                         "flatten_width": "int(flat.shape[1])", "design_ratio": "total_b / total_a",
                         "first_dense_share": "(W1.size + b1.size) / total_b"},
    "cells-table": {**{f"keras_{c.lower()}_D5_H64": f"keras_counts[{c!r}]" for c in ("SimpleRNN", "LSTM", "GRU")},
                    **{f"design1_total_{c.lower()}": f"total_a - rnn_params + keras_counts[{c!r}]"
                       for c in ("SimpleRNN", "LSTM", "GRU")},
                    **{f"design2_total_{c.lower()}": f"total_b - rnn_params + keras_counts[{c!r}]"
                       for c in ("SimpleRNN", "LSTM", "GRU")}},
    "demo-plot": {"sweep_H": "Hs.tolist()", **{f"sweep_{k.lower()}": f"sweep[{k!r}].tolist()"
                                                for k in ("RNN", "LSTM", "GRU")}},
})
def ref_07(inp):
    """Lecture 07: the Mauna Loa CO2 windows and their naive forecasts (assignment a6's
    reference, solutions.assignments.a6_training), and the notes' forecasting models, layer
    by layer (solutions.params).

    The series: March 1958 to December 2001 is 10 + 42 * 12 + 12 = 526 months, 5 of them
    filled (the file's own count, checked in tests/test_assignment_a6_training.py). The
    windows: 335 training windows and 109 held-out ones, each (24, 5) -> (12,) (derived by
    hand in test_forecast_windows_are_cut_by_time_and_built_as_documented); the lecture's
    shown window is the 41st held-out one. The baselines in the lecture's order: last
    value (0), training mean, seasonal naive, seasonal naive with drift.

    Keras: SimpleRNN H(D+H+1), LSTM 4H(D+H+1), GRU reset_after 3H(D+H+2); a dense layer
    n_in*n_out + n_out; with D=5, H=64 the recurrent layers have 4480, 17920, 13632.
    """
    from solutions.assignments import a6_training as a6

    rows = json.loads((COURSE.parent / "autograder" / "data" / "mauna_loa_co2_monthly.json").read_text())["rows"]
    ppm = [p for _, p, _ in rows]                                   # 1990-01 is month (1990-1958)*12 + 1-3 = 382
    x_tr, y_tr = a6.forecast_windows("train")
    x_ho, y_ho = a6.forecast_windows("held_out")
    base = a6.forecast_baselines()
    a = S.forecasting_model_counts("rnn", return_sequences=False)
    b = S.forecasting_model_counts("rnn", return_sequences=True)
    out = {
        "co2_months": 526, "co2_filled": 5,
        "window_shapes": [335, 24, 5, 335, 12, 109, 24, 5, 109, 12],
        "window_sums": [x_tr.sum(), y_tr.sum(), x_ho.sum(), y_ho.sum()],
        "shown_window": np.concatenate([x_ho[40].ravel(), y_ho[40]]),
        "held_out_above_training_max": [sum(p > max(ppm[:382]) for p in ppm[382:]), 526 - 382, max(ppm[:382])],
        "baseline_mse": [base[k] for k in ("last_value", "train_mean", "seasonal_naive", "seasonal_naive_drift")],
        "last_state_counts": [n for _, _, n in a],
        "last_state_widths": [int(np.prod(s)) for _, s, _ in a[:-1]],
        "all_states_counts": [n for _, _, n in b],
        "all_states_widths": [int(np.prod(s)) for _, s, _ in b[:-1]],
        "flatten_width": 24 * 64,
        "design_ratio": b[-1][2] / a[-1][2],
        "first_dense_share": S.dense_param_count(1536, 128) / b[-1][2],
    }
    for cell, name in (("rnn", "simplernn"), ("lstm", "lstm"), ("gru", "gru")):
        out[f"keras_{name}_D5_H64"] = S.param_count(cell, 5, 64, convention="keras")
        out[f"design1_total_{name}"] = S.forecasting_model_counts(cell, return_sequences=False)[-1][2]
        out[f"design2_total_{name}"] = S.forecasting_model_counts(cell, return_sequences=True)[-1][2]
    Hs = [8, 16, 32, 64, 128, 256, 512]
    out["sweep_H"] = Hs
    for cell in ("rnn", "lstm", "gru"):
        out[f"sweep_{cell}"] = [S.param_count(cell, 5, h, convention="keras") for h in Hs]
    return out


@reads(
    numbers={
        "comparison-table": {**{f"params_{c.lower()}_D64_H64": f"counts[{c!r}]" for c in ("RNN", "LSTM", "GRU")},
                             **{f"state_floats_{c.lower()}_H64": f"state_floats[{c!r}]" for c in ("RNN", "LSTM", "GRU")}},
        "seed-claims-check": {"lstm_over_rnn": "claims['LSTM / RNN parameters'][1]",
                              "gru_over_rnn": "claims['GRU / RNN parameters'][1]",
                              "gru_fewer_than_lstm": "claims['GRU fewer than LSTM'][1]"},
        "memory-plot": {"stream_n": "ns", "kv_cache_floats": "kv_cache",
                        "attention_score_floats": "attention_scores", "lstm_state_floats": "lstm_state"},
    },
    measurements={"measure": {f"seconds_per_step_{c.lower()}": f"timings[{c!r}]" for c in ("RNN", "LSTM", "GRU")}},
)
def ref_08(inp):
    """Lecture 08: the comparison table's counts and the streaming-memory figures.

    State carried per sequence: RNN and GRU h (H numbers), LSTM h and c (2H). Streaming
    memory by hand for one layer of width d = 128 after n tokens: KV cache 2*d*n
    (a key and a value per token), full attention scores n^2, LSTM state 2*d.
    """
    counts = {c: S.param_count(c, 64, 64) for c in ("rnn", "lstm", "gru")}
    ns = [10, 100, 1_000, 10_000, 100_000]
    out = {f"params_{c}_D64_H64": n for c, n in counts.items()}
    out |= {"state_floats_rnn_H64": 64, "state_floats_lstm_H64": 128, "state_floats_gru_H64": 64,
            "lstm_over_rnn": counts["lstm"] / counts["rnn"], "gru_over_rnn": counts["gru"] / counts["rnn"],
            "gru_fewer_than_lstm": 1 - counts["gru"] / counts["lstm"],
            "stream_n": ns, "kv_cache_floats": [2 * 128 * n for n in ns],
            "attention_score_floats": [n * n for n in ns], "lstm_state_floats": [2 * 128] * len(ns)}
    return out


LM_CELLS = ("rnn", "lstm", "gru")


@reads(
    numbers={
        "corpus-stats": {"corpus_chars": "len(text)", "train_chars": "len(train_text)",
                         "valid_chars": "len(valid_text)", "test_chars": "len(test_text)", "vocab_size": "V"},
        "task-pairs": {"snippet_pairs": "len(inputs)"},
        "embedding-demo": {"embedding_lookup_max_diff": "np.abs(one_hot @ W_embed - W_embed[v]).max()"},
        "loss-line": {"line_p_right": "p_right", "line_loss": "line_loss", "line_ppl": "line_ppl"},
        "ppl-baselines": {"uniform_loss": "uniform_loss", "uniform_ppl": "uniform_ppl",
                          "unigram_loss": "unigram_loss", "unigram_ppl": "unigram_ppl"},
        "curves-table": {**{f"heldout_ppl_{c}": f"heldout_ppl[{c!r}]" for c in LM_CELLS},
                         **{f"test_ppl_{c}": f"test_ppl[{c!r}]" for c in LM_CELLS},
                         **{f"lm_params_{c}": f"run['params'][{c!r}]" for c in LM_CELLS},
                         "unigram_test_ppl": "unigram_test_ppl", "best_cell": "CELLS.index(best)"},
        "temperature-bars": {f"temperature_probs_{T}": f"temperature_probs[{T}]" for T in (0.5, 1.0, 1.5)},
        "unit-labels": {"in_string_chars": "int(labels['string'].sum())",
                        "in_prose_chars": "int(labels['prose'].sum())",
                        **{f"{k}_{n}": f"{v}[{n!r}]" for n in ("string", "prose", "indentation", "column")
                           for k, v in (("unit", "best_unit"), ("corr", "best_r"), ("next_corr", "next_r"))}},
    },
    inputs={"unit-labels": {"probe": "probe", "cell_act": "cell_act"}},
)
def ref_09(inp):
    """Lecture 09: the corpus, the trained models' numbers (solutions.char_lm on the weights stored
    beside the lecture by scripts/train_lecture09.py; tests/test_lecture09.py checks the script
    and the stored files).

    By hand: the corpus is cut at int(0.8 n) and int(0.9 n) characters; a model uniform over
    V characters has loss ln V and perplexity V; the unigram model gives character c the
    probability count(c in train) / len(train), its loss is the mean of -ln of that over the
    held-out characters. A parameter count of a char-level model with G blocks (RNN 1, LSTM 4,
    GRU 3): V E (embedding) + E GH + H GH + GH (cell) + H V + V (output layer).

    The probe's labels, written here again: a character is inside a string if Python's
    tokenize puts it in a STRING token, in prose if in a STRING or a COMMENT token; the
    indentation depth of a non-blank line is its leading spaces / 4 (0 on blank lines,
    newline included in its line); the column counts the characters since the last newline
    (the newline itself ends its line). The units are chosen by the largest |Pearson r|
    (numpy's corrcoef) with the lecture's stored tanh(c_t).
    """
    import io
    import tokenize

    from solutions import char_lm as C

    raw = (Path(__file__).resolve().parents[1] / "autograder" / "data" / "corpus" / "cpython_stdlib.txt").read_text()
    n = len(raw)
    train, valid, test = raw[:int(0.8 * n)], raw[int(0.8 * n):int(0.9 * n)], raw[int(0.9 * n):]
    chars = "".join(sorted(set(raw)))
    V = len(chars)
    out = {"corpus_chars": n, "train_chars": len(train), "valid_chars": len(valid),
           "test_chars": n - int(0.9 * n), "vocab_size": V, "snippet_pairs": len("    def __call__(self, func):") - 1,
           "embedding_lookup_max_diff": 0.0, "uniform_loss": math.log(V), "uniform_ppl": float(V)}
    from collections import Counter

    counts = Counter(train)
    out["unigram_loss"] = -float(np.mean([math.log(counts[c] / len(train)) for c in valid]))
    out["unigram_ppl"] = math.exp(out["unigram_loss"])
    out["unigram_test_ppl"] = math.exp(-float(np.mean([math.log(counts[c] / len(train)) for c in test])))

    stored = np.load(COURSE / "09_language_models.npz")
    meta = json.loads((COURSE / "09_language_models.json").read_text())
    names = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")
    models = {c: C.CharLM(c, chars, {k: stored[f"{c}/{k}"].astype(np.float64) for k in names}) for c in LM_CELLS}
    r = meta["recipe"]
    for cell, G in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        out[f"heldout_ppl_{cell}"] = C.perplexity(models[cell], valid)
        out[f"test_ppl_{cell}"] = C.perplexity(models[cell], test)
        out[f"lm_params_{cell}"] = V * r["E"] + r["E"] * G * r["H"] + r["H"] * G * r["H"] + G * r["H"] + r["H"] * V + V
    out["best_cell"] = int(np.argmin([out[f"test_ppl_{c}"] for c in LM_CELLS]))

    lstm = models["lstm"]
    p = lstm.params

    def scores_after(text):
        """The LSTM's scores after each character of text, read from a zero state in one chunk."""
        x, _ = C.embedding_forward(C.encode(text, lstm.char_to_ix)[None, :], p["W_embed"])
        h, _, _ = C.lstm_forward(x, np.zeros((1, lstm.H)), np.zeros((1, lstm.H)), p["Wx"], p["Wh"], p["b"])
        return C.temporal_affine_forward(h, p["W_out"], p["b_out"])[0]       # (1, len, V)

    start, line = int(stored["line/read_from"]), str(stored["line/targets"])
    at = valid.index(line + "\n", start)
    text = valid[start:at + len(line)]
    scores = scores_after(text[:-1])
    y = C.encode(text[1:], lstm.char_to_ix)[None, :]
    mask = np.zeros(y.shape)
    mask[0, -len(line):] = 1.0                                                # the predictions of the line
    out["line_loss"], _ = C.temporal_softmax_loss(scores, y, mask)
    out["line_ppl"] = math.exp(out["line_loss"])
    probs = C.temperature_softmax(scores[0, -len(line):], 1.0)
    out["line_p_right"] = probs[np.arange(len(line)), y[0, -len(line):]].tolist()

    last = scores_after(str(stored["temperature/context"]))[0, -1]
    for T in (0.5, 1.0, 1.5):
        out[f"temperature_probs_{T}"] = C.temperature_softmax(last, T).tolist()

    probe, act = inp["probe"], arr(inp["cell_act"])
    assert act.shape == (len(probe), lstm.H)
    string, prose = np.zeros(len(probe)), np.zeros(len(probe))
    offsets = np.cumsum([0] + [len(l) for l in probe.splitlines(keepends=True)])
    for tok in tokenize.generate_tokens(io.StringIO(probe).readline):
        span = slice(offsets[tok.start[0] - 1] + tok.start[1], offsets[tok.end[0] - 1] + tok.end[1])
        if tok.type == tokenize.STRING:
            string[span] = prose[span] = 1
        elif tok.type == tokenize.COMMENT:
            prose[span] = 1
    indent = np.concatenate([np.full(len(l), (len(l) - len(l.lstrip(" "))) / 4 if l.strip() else 0.0)
                             for l in probe.splitlines(keepends=True)])
    column, k = np.zeros(len(probe)), 0
    for i, ch in enumerate(probe):
        column[i], k = k, (0 if ch == "\n" else k + 1)
    out["in_string_chars"], out["in_prose_chars"] = int(string.sum()), int(prose.sum())
    for name, label in (("string", string), ("prose", prose), ("indentation", indent), ("column", column)):
        r_units = np.array([np.corrcoef(act[:, j], label)[0, 1] for j in range(act.shape[1])])
        order = np.argsort(-np.abs(r_units))
        out[f"unit_{name}"] = int(order[0])
        out[f"corr_{name}"] = float(r_units[order[0]])
        out[f"next_corr_{name}"] = float(abs(r_units[order[1]]))
    return out


REFERENCES = {
    "00_overview_and_notation.ipynb": ref_00,
    "01_sequence_data.ipynb": ref_01,
    "02_vanilla_rnn.ipynb": ref_02,
    "03_backpropagation_through_time.ipynb": ref_03,
    "04_lstm.ipynb": ref_04,
    "05_gru.ipynb": ref_05,
    "06_architectures.ipynb": ref_06,
    "07_forecasting_shapes.ipynb": ref_07,
    "08_choosing_a_model.ipynb": ref_08,
    "09_language_models.ipynb": ref_09,
}


# ------------------------------------------------ sections with references of their own
# A section added to a lecture can carry its own @reads reference instead of growing the
# lecture's; its numbers and inputs are read and checked the same way.

@reads(
    numbers={"learned-state": {"lstm_dh0_per_sequence": "per_sequence['LSTM h0']",
                               "lstm_dc0_per_sequence": "per_sequence['LSTM c0']",
                               "gru_dh0_per_sequence": "per_sequence['GRU h0']",
                               "lstm_learned_h0_grad": "shared['LSTM h0']",
                               "lstm_learned_c0_grad": "shared['LSTM c0']",
                               "gru_learned_h0_grad": "shared['GRU h0']"}},
    inputs={"learned-state": {"learned_state": "dict(x=x_s, G=G_s, lstm=W_lstm, gru=W_gru, s_h=s_h, s_c=s_c, s_g=s_g)"}},
)
def ref_05_learned_state(inp):
    """Lecture 05, learned initial states: the loss is L = sum over n, t of G[n, t] . h[n, t], so
    every step's upstream gradient is G; the gradient reaching step 0 comes from the
    reference's backward (gru_backward's dh0; for the LSTM's c0, lstm_backward_to_state),
    and a learned state's gradient is its sum over the batch (solutions.initial_state).
    The lecture gets them by complex-step differentiation, exact to rounding."""
    d = inp["learned_state"]
    x, G = arr(d["x"]), arr(d["G"])
    N = x.shape[0]
    Wx, Wh, b = (arr(a) for a in d["lstm"])
    h, _, caches = S.lstm_forward_from_state(x, S.learned_initial_state(arr(d["s_h"]), N),
                                             S.learned_initial_state(arr(d["s_c"]), N), Wx, Wh, b)
    _, dh0, dc0, *_ = S.lstm_backward_to_state(G, caches)
    Wx, Wh, b = (arr(a) for a in d["gru"])
    _, cache = S.gru_forward(x, S.learned_initial_state(arr(d["s_g"]), N), Wx, Wh, b)
    dg0 = S.gru_backward(G, cache)[1]
    return {"lstm_dh0_per_sequence": dh0.tolist(), "lstm_dc0_per_sequence": dc0.tolist(),
            "gru_dh0_per_sequence": dg0.tolist(), "lstm_learned_h0_grad": S.learned_state_grad(dh0).tolist(),
            "lstm_learned_c0_grad": S.learned_state_grad(dc0).tolist(),
            "gru_learned_h0_grad": S.learned_state_grad(dg0).tolist()}


@reads(
    numbers={"classifier": {"classifier_logits_eval": "logits_eval", "dropout_kept_value": "kept_value",
                            "notes_classifier_params_lstm_V10000": "param_counts_notes['LSTM']",
                            "notes_classifier_params_gru_V10000": "param_counts_notes['GRU']"}},
    inputs={"classifier": {"classifier": "dict(tokens=tokens, model=model)"}},
)
def ref_06_classifier(inp):
    """Lecture 06, the notes' SequenceClassifier: logits in evaluation mode from
    solutions.sequence_classifier_forward (itself checked against torch's nn.Embedding,
    nn.LSTM(bidirectional=True, num_layers=2) and nn.Linear in tests/test_reference_classifier.py)
    and PyTorch's parameter count (sequence_classifier_param_count, checked against torch).
    Inverted dropout's kept value by hand: 1 / (1 - 0.3) = 10/7."""
    c = inp["classifier"]
    m = c["model"]
    P = lambda d: {k: arr(v) for k, v in d.items()}
    params = {"embedding": arr(m["embedding"]), "layers": [(P(f), P(b)) for f, b in m["layers"]],
              "Wy": arr(m["Wy"]), "by": arr(m["by"])}
    logits = S.sequence_classifier_forward(np.asarray(c["tokens"]), params, "lstm", train=False)
    return {"classifier_logits_eval": logits.tolist(), "dropout_kept_value": 10 / 7,
            "notes_classifier_params_lstm_V10000": S.sequence_classifier_param_count(10_000),
            "notes_classifier_params_gru_V10000": S.sequence_classifier_param_count(10_000, use_gru=True)}


SECTIONS = {
    "05_gru.ipynb": [ref_05_learned_state],
    "06_architectures.ipynb": [ref_06_classifier],
}
# entries whose reference is 0 and which may differ by floating-point rounding only
ROUNDING_ONLY = {"notes_form_max_diff", "torch_layout_max_diff", "first_step_diff_flipped"}


def assert_number(key, got, want, rtol=1e-9, atol=1e-12):
    if key in ROUNDING_ONLY:
        assert abs(got) < 1e-12, f"{key}: expected 0 up to rounding, got {got}"
        return
    g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert g.shape == w.shape, f"{key}: expected shape {w.shape}, got {g.shape}"
    np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"lecture number {key!r}")


# ---------------------------------------------------------------- tests

def test_the_course_has_all_ten_lecture_notebooks():
    missing = [n for n in EXPECTED_NOTEBOOKS if not (COURSE / n).exists()]
    assert not missing, f"missing lecture notebooks: {missing}"


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_runs_top_to_bottom_without_error_or_hang(name):
    seconds, cpu, numbers, _, _ = run_notebook(name)
    assert cpu < TIME_LIMIT_S, f"{name} used {cpu:.1f} s of CPU; the limit is {TIME_LIMIT_S:.0f} s"
    assert seconds < WALL_LIMIT_S, f"{name} took {seconds:.1f} s on the clock; the limit is {WALL_LIMIT_S:.0f} s"
    assert numbers, f"no number was read from {name}"


@pytest.mark.parametrize("name", PRESENT)
def test_every_lecture_number_matches_the_reference(name):
    _, _, numbers, inputs, _ = run_notebook(name)
    want = REFERENCES[name](inputs)
    for section in SECTIONS.get(name, ()):
        want |= section(inputs)
    assert set(numbers) == set(want), (
        f"{name}: numbers without a reference: {sorted(set(numbers) - set(want))}; "
        f"references the lecture no longer computes: {sorted(set(want) - set(numbers))}")
    for key in sorted(want):
        assert_number(key, numbers[key], want[key])


def _code_cells(name):
    nb = nbformat.read(COURSE / name, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def _defined_and_imported(source: str):
    tree = ast.parse(source)
    defined, imported = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    defined.add(t.id)
        elif isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    return defined, imported


@pytest.mark.parametrize("name", PRESENT)
def test_no_lecture_imports_solutions_or_defines_a_graded_function(name):
    for cell in _code_cells(name):
        defined, imported = _defined_and_imported(cell.source)
        assert "solutions" not in imported, f"{name} cell {cell.id} imports solutions"
        assert "solutions" not in cell.source, f"{name} cell {cell.id} mentions solutions"
        assert not defined & GRADED_NAMES, f"{name} cell {cell.id} defines graded name(s) {defined & GRADED_NAMES}"


def test_the_shared_lecture_helpers_hand_over_no_graded_function():
    source = (COURSE / "lecture_utils.py").read_text()
    defined, imported = _defined_and_imported(source)
    assert "solutions" not in imported
    assert not defined & GRADED_NAMES, defined & GRADED_NAMES


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_is_committed_clean_valid_nbformat_with_stable_ids(name):
    nb = nbformat.read(COURSE / name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), f"{name}: nbformat {nb.nbformat}.{nb.nbformat_minor}"
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), f"{name}: duplicate cell ids"
    # descriptive ids (not random hex): they stay put when other cells are edited
    random_looking = [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", i)
                      or re.fullmatch(r"[0-9a-f]{8,}", i)]
    assert not random_looking, f"{name}: non-descriptive cell ids {random_looking}"
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [], f"{name} cell {c.id} has outputs"
            assert c.execution_count is None, f"{name} cell {c.id} has an execution count"


TEST_PLUMBING = re.compile(r"LECTURE_(NUMBERS|INPUTS|MEASUREMENTS)|course's tests|test-read")


@pytest.mark.parametrize("name", PRESENT)
def test_no_cell_of_a_lecture_mentions_the_tests(name):
    """A student reads the lecture, not its test plumbing: the tests find the numbers themselves."""
    nb = nbformat.read(COURSE / name, as_version=4)
    for c in nb.cells:
        hit = TEST_PLUMBING.search(c.source)
        assert not hit, f"{name} cell {c.id} mentions the tests: {hit.group(0)!r}"


def test_choosing_a_model_measures_a_plausible_time_per_step_for_each_cell():
    """Timings depend on the machine; they must at least be real measurements: positive, under a second."""
    _, _, _, _, measured = run_notebook("08_choosing_a_model.ipynb")
    assert set(measured) == {"seconds_per_step_rnn", "seconds_per_step_lstm", "seconds_per_step_gru"}
    for key, seconds in measured.items():
        assert 0 < seconds < 1.0, f"{key} = {seconds}"
