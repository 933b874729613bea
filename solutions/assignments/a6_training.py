"""Reference side of assignment a6_training: the tasks, the training recipe and the scorers.

Two tasks:

- **recall**: a sequence of random symbols (one of K, one-hot); one of them, ``PREFIX``
  steps in, is flagged; ``T`` steps after it a query step asks which symbol was flagged.
  Every other step is a distractor of the same alphabet, so a cell must decide *when* to
  write (at the flag) and then hold the symbol for T steps. Input (N, PREFIX + T + 1, K + 2):
  K symbol channels, the flag channel, the query channel. Label: the flagged symbol.
  With the recipe below the vanilla RNN stays near chance (1/K) at T = 16, also when it
  trains four times the steps, while the LSTM and the GRU reach 100 %; the RNN learns T = 2
  (tests/test_assignment_a6_training.py measures this; ``benchmarks/bench_a6_training.py
  separate`` prints the table over seeds). Grading trains nine times a submission, so the
  sizes are the cheapest measured to keep that separation; it is fragile below them: with
  H = 16, or a batch of 64, the vanilla RNN learns T = 16 on some seeds, and at T = 4 it
  hovers between 0.9 and 1.0 accuracy under this recipe, too close to the threshold. Over
  224 seeds, 2 LSTM runs were still below 0.9 at step 200 (one long plateau, one relapse).
- **forecast**: the monthly mean CO2 at Mauna Loa, 1958-03 to 2001-12 (a real series,
  shipped as ``autograder/data/mauna_loa_co2_monthly.json``; source, licence and derivation
  beside it). From 24 months of 5 features, x of shape (N, 24, 5), predict the next 12
  months, y of shape (N, 12): lecture 07's shapes. The level moves out of any range seen
  in training (317 ppm in 1960, 370 in 2001), so values are taken relative to the window's
  last month, in units of 3 ppm (about half the seasonal swing): feature 0 is
  (v_t - v_last) / 3, features 1 and 2 the sine and cosine of the calendar month, 3 and 4
  the 12-month and the 1-month differences (v_t - v_{t-12}) / 3 and (v_t - v_{t-1}) / 3; the
  target is (v_{last+k} - v_last) / 3 for k = 1..12. The series is cut by time at
  1990-01: a training window lies wholly before the cut, a held-out window wholly after
  it (its differences reach back 12 months, which are inputs only). Training draws
  batches of training windows at random; the scorer measures all held-out windows, so the
  hidden case differs from the public one by its training seed. ``forecast_baselines``
  gives the held-out error of the naive forecasts the threshold is set against.

Scorers ``(outputs, inputs) -> float`` run in the grader: they take the weights a
student's training function returned, run the reference forward on held-out data drawn
from a seed the student never sees, and return the accuracy (recall) or the mean squared
error on the held-out years (forecast).

Sizes: N batch, T gap (recall) or window (forecast), D input features, H hidden units,
K classes / horizon.
"""
import functools

import numpy as np

from autograder.datasets import mauna_loa_co2

from ..gru import gru_step_forward
from ..lstm import lstm_step_forward
from ..optim import adam_update
from ..rnn import rnn_step_forward

__all__ = ["K", "PREFIX", "GATES", "make_recall_data", "make_forecast_data", "forecast_windows",
           "softmax_cross_entropy", "adam_update", "init_params", "train_recall", "train_forecast",
           "recall_accuracy", "score_recall", "score_forecast", "forecast_mse", "forecast_baselines",
           "answer_rnn_long", "VARIANTS", "RECIPE"]

K = 4                     # symbols of the recall task
PREFIX = 5                # distractor steps before the flagged symbol
WINDOW, HORIZON, FEATURES = 24, 12, 5   # forecast: 24 months of 5 features in, 12 months out
LAG = 12                  # the 12-month difference reaches 12 months before a window
PPM_UNIT = 3.0            # values and targets in units of 3 ppm
SPLIT = "1990-01"         # first held-out month
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
#: the training recipe the notebook prescribes (a student's train function follows it)
RECIPE = dict(hidden=32, batch=32, steps=200, lr=2e-2, clip=5.0, forget_bias=3.0, update_bias=-2.0,
              forecast_hidden=16, forecast_steps=75, forecast_lr=2e-2)
HELD_OUT = 10_000         # held-out data seeds are HELD_OUT + the case's seed: never the training stream


# -- data ----------------------------------------------------------------------------------

def make_recall_data(rng, n, T):
    """n recall sequences with the flagged symbol T steps before the query.

    Returns x of shape (n, PREFIX + T + 1, K + 2) (float) and y of shape (n,) (int, 0..K-1).
    """
    if T < 1:
        raise ValueError(f"make_recall_data: T must be >= 1, got {T}")
    L = PREFIX + T + 1
    s = rng.integers(0, K, size=(n, L))                      # a random symbol at every step
    x = np.zeros((n, L, K + 2))
    x[np.arange(n)[:, None], np.arange(L)[None, :], s] = 1.0
    x[:, PREFIX, K] = 1.0                                    # the flag: remember this one
    x[:, -1, :] = 0.0
    x[:, -1, K + 1] = 1.0                                    # the query: which one was flagged?
    return x, s[:, PREFIX]


@functools.lru_cache(maxsize=None)
def forecast_windows(part):
    """Every window of ``part`` ("train": wholly before SPLIT, "held_out": wholly from it on).

    Returns x of shape (n, WINDOW, FEATURES) and y of shape (n, HORIZON), in window order.
    The arrays are cached and read-only (every caller shares them).
    """
    if part not in ("train", "held_out"):
        raise ValueError(f"forecast_windows: part must be 'train' or 'held_out', got {part!r}")
    co2 = mauna_loa_co2()
    v, month = co2.values, co2.month_of_year
    cut = co2.months.index(SPLIT)
    lo, hi = (LAG, cut) if part == "train" else (cut, len(v))
    starts = np.arange(lo, hi - WINDOW - HORIZON + 1)
    t = starts[:, None] + np.arange(WINDOW)[None, :]               # (n, WINDOW): the input months
    last = v[t[:, -1:]]                                             # (n, 1): the window's last month
    angle = 2 * np.pi * (month[t] - 1) / 12
    x = np.stack([(v[t] - last) / PPM_UNIT, np.sin(angle), np.cos(angle),
                  (v[t] - v[t - 12]) / PPM_UNIT, (v[t] - v[t - 1]) / PPM_UNIT], axis=-1)
    y = (v[t[:, -1:] + 1 + np.arange(HORIZON)[None, :]] - last) / PPM_UNIT
    x.flags.writeable = y.flags.writeable = False
    return x, y


def make_forecast_data(rng, n):
    """A batch of n training windows drawn at random (with replacement): x (n, WINDOW, FEATURES), y (n, HORIZON)."""
    x, y = forecast_windows("train")
    i = rng.integers(0, len(x), size=n)
    return x[i], y[i]


# -- the pieces the student writes ------------------------------------------------------------

def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    Inputs:
    - scores: of shape (N, K)
    - y: integer labels of shape (N,)

    Returns a tuple of:
    - loss: a float, -mean_n log softmax(scores)[n, y[n]]
    - dscores: of shape (N, K), (softmax(scores) - onehot(y)) / N
    """
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean()
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1
    return loss, dscores / N


# -- the reference training -----------------------------------------------------------------

def init_params(cell, D, H, V, rng):
    """Weights of a cell and its output layer, in the order the recipe draws them.

    Wx (D, G*H) and Wh (H, G*H) ~ N(0, 1) / sqrt(fan-in); b = 0 except the LSTM's forget
    block (+forget_bias, block 1 of i, f, g, o) and the GRU's update block (update_bias,
    block 1 of r, z, n); Wy (H, V) ~ N(0, 1) / sqrt(H); by = 0.
    """
    if cell not in GATES:
        raise ValueError(f"init_params: cell must be one of {', '.join(map(repr, GATES))}; got {cell!r}")
    G = GATES[cell]
    Wx = rng.standard_normal((D, G * H)) / np.sqrt(D)
    Wh = rng.standard_normal((H, G * H)) / np.sqrt(H)
    b = np.zeros(G * H)
    if cell == "lstm":
        b[H:2 * H] = RECIPE["forget_bias"]                   # start by remembering
    if cell == "gru":
        b[H:2 * H] = RECIPE["update_bias"]                   # z small: keep the old state
    Wy = rng.standard_normal((H, V)) / np.sqrt(H)
    return {"Wx": Wx, "Wh": Wh, "b": b, "Wy": Wy, "by": np.zeros(V)}


def _last_state(cell, p, x):
    """Run the reference step function over x (N, T, D) from zero states: the scorers'
    forward, the course's step functions one step at a time, independent of the training
    loops below. Returns the last state (N, H) and the per-step caches.
    """
    N, T, _ = x.shape
    H = p["Wh"].shape[0]
    h, c, caches = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        if cell == "lstm":
            h, c, cache = lstm_step_forward(x[:, t], h, c, p["Wx"], p["Wh"], p["b"])
        elif cell == "gru":
            h, cache = gru_step_forward(x[:, t], h, p["Wx"], p["Wh"], p["b"])
        else:
            h, cache = rnn_step_forward(x[:, t], h, p["Wx"], p["Wh"], p["b"])
        caches.append(cache)
    return h, caches


def _array(scratch, name, shape):
    """An array of ``shape`` to write into: ``scratch[name]`` when ``scratch`` (a dict that
    one training run passes to every step) holds one of that shape, else a new one kept
    there. Every step of a run has the same shapes; fresh arrays of a few hundred kB at
    every step would cost the kernel's page faults each time."""
    if scratch is None:
        return np.empty(shape)
    a = scratch.get(name)
    if a is None or a.shape != shape:
        a = scratch[name] = np.empty(shape)
    return a


def _forward_last(cell, p, x, scratch=None):
    """The cell over x (N, L, D) from zero states, arranged for training speed.

    The same maths as the step functions (``_last_state``) in fewer numpy calls: the input
    projection x_t Wx + b of all steps is one call, each step of the loop does the
    recurrence h_{t-1} Wh and the activations in place, time-major (L, N, .) so a step
    reads contiguous rows, and the sigmoids are (1 + tanh(a / 2)) / 2 (the same function),
    one ufunc for all gates. ``np.matmul`` of a stack runs one small product per step, so
    BLAS stays on one thread however loaded the machine is. Returns the last state (N, H)
    and what ``_backward_last`` needs. ``scratch``: see ``_array``.
    """
    Wx, Wh, b = p["Wx"], p["Wh"], p["b"]
    N, L, D = x.shape
    H = Wh.shape[0]
    xs = _array(scratch, "xs", (L, N, D))
    xs[...] = x.transpose(1, 0, 2)                           # time-major
    A = np.matmul(xs, Wx, out=_array(scratch, "A", (L, N, Wx.shape[1])))   # x_t Wx of every step
    A += b
    hs = _array(scratch, "hs", (L + 1, N, H))                # hs[t] = h_{t-1}; hs[0] = h_0 = 0
    hs[0] = 0.0
    if cell == "rnn":
        for t in range(L):
            a = A[t]
            a += hs[t] @ Wh
            np.tanh(a, out=hs[t + 1])
        return hs[L], (xs, A, hs)
    if cell == "lstm":
        half, shift = np.full(4 * H, 0.5), np.full(4 * H, 0.5)   # i, f, o: sigmoid(a) = 0.5 tanh(0.5 a) + 0.5
        half[2 * H:3 * H], shift[2 * H:3 * H] = 1.0, 0.0     # g: tanh(a)
        cs = _array(scratch, "cs", (L + 1, N, H))            # cs[t] = c_{t-1}
        cs[0] = 0.0
        tanh_c = _array(scratch, "tanh_c", (L, N, H))
        for t in range(L):
            a = A[t]
            a += hs[t] @ Wh
            a *= half
            np.tanh(a, out=a)
            a *= half
            a += shift
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            c = np.multiply(f, cs[t], out=cs[t + 1])         # c_t = f * c_{t-1} + i * g
            c += i * g
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])         # h_t = o * tanh(c_t)
        return hs[L], (xs, A, hs, cs, tanh_c)
    Wh_rz, Wh_n = Wh[:, :2 * H], Wh[:, 2 * H:]
    rh = _array(scratch, "rh", (L, N, H))                    # r * h_{t-1}
    for t in range(L):
        a, h = A[t], hs[t]
        rz = a[:, :2 * H]
        rz += h @ Wh_rz
        rz *= 0.5                                            # r, z = sigmoid(.)
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        np.multiply(a[:, :H], h, out=rh[t])
        n = a[:, 2 * H:]
        n += rh[t] @ Wh_n
        np.tanh(n, out=n)
        h_new = np.subtract(n, h, out=hs[t + 1])             # h_t = h_{t-1} + z * (n - h_{t-1})
        h_new *= a[:, H:2 * H]
        h_new += h
    return hs[L], (xs, A, hs, rh)


def _backward_last(cell, p, cache, dh, scratch=None):
    """BPTT from a gradient dh (N, H) on the last state only (many-to-one): dWx, dWh, db.

    What a step's gradient takes from the forward (the activations' derivatives and the
    values they multiply) is computed for all steps at once before the loop; the loop does
    the products with dh (and dc) and one matmul into h_{t-1} per step. The weight
    gradients sum over the steps with one stacked matmul each.
    """
    Wh = p["Wh"]
    xs, A, hs = cache[:3]
    L, N, GH = A.shape
    H = Wh.shape[0]
    hp = hs[:-1]                                             # h_{t-1} of every step
    dA = _array(scratch, "dA", A.shape)                      # gradients on the pre-activations
    local = _array(scratch, "local", (L, N, H))
    if cell == "rnn":
        np.multiply(hs[1:], hs[1:], out=local)               # h = tanh(a): 1 - h^2
        np.subtract(1, local, out=local)
        WhT = Wh.T.copy()
        for t in reversed(range(L)):
            da = np.multiply(dh, local[t], out=dA[t])
            dh = da @ WhT
    elif cell == "lstm":
        _, _, _, cs, tanh_c = cache
        i, f, g, o = A[..., :H], A[..., H:2 * H], A[..., 2 * H:3 * H], A[..., 3 * H:]
        # dA_t = [dc * g, dc * c_{t-1}, dc * i, dh * tanh(c_t)] * (each block's activation
        # derivative): dA first holds the factors other than dc and dh
        di, df, dg, do = dA[..., :H], dA[..., H:2 * H], dA[..., 2 * H:3 * H], dA[..., 3 * H:]
        np.subtract(1, i, out=di), np.multiply(di, i, out=di), np.multiply(di, g, out=di)
        np.subtract(1, f, out=df), np.multiply(df, f, out=df), np.multiply(df, cs[:-1], out=df)
        np.multiply(g, g, out=dg), np.subtract(1, dg, out=dg), np.multiply(dg, i, out=dg)
        np.subtract(1, o, out=do), np.multiply(do, o, out=do), np.multiply(do, tanh_c, out=do)
        np.multiply(tanh_c, tanh_c, out=local)               # h = o * tanh(c): o * (1 - tanh(c)^2)
        np.subtract(1, local, out=local), np.multiply(local, o, out=local)
        dc = np.zeros((N, H))
        WhT = Wh.T.copy()
        for t in reversed(range(L)):
            dc += dh * local[t]
            da = dA[t]
            da *= np.concatenate((dc, dc, dc, dh), axis=1)
            dc *= f[t]                                       # into c_{t-1}
            dh = da @ WhT
    else:
        rh = cache[3]
        r, z, n = A[..., :H], A[..., H:2 * H], A[..., 2 * H:]
        # h = h_prev + z * (n - h_prev), n = tanh(a_n + (r * h_prev) Wh_n), r, z sigmoids
        dr, dz, dn = dA[..., :H], dA[..., H:2 * H], dA[..., 2 * H:]
        np.subtract(1, r, out=dr), np.multiply(dr, r, out=dr), np.multiply(dr, hp, out=dr)
        np.subtract(1, z, out=dz), np.multiply(dz, z, out=dz)
        np.subtract(n, hp, out=local), np.multiply(dz, local, out=dz)
        np.multiply(n, n, out=dn), np.subtract(1, dn, out=dn), np.multiply(dn, z, out=dn)
        np.subtract(1, z, out=local)                         # the direct path h_prev -> h
        Wh_rzT, Wh_nT = Wh[:, :2 * H].T.copy(), Wh[:, 2 * H:].T.copy()
        for t in reversed(range(L)):
            da = dA[t]
            da_n = da[:, 2 * H:]
            da_n *= dh
            da[:, H:2 * H] *= dh
            drh = da_n @ Wh_nT
            da[:, :H] *= drh
            dprev = da[:, :2 * H] @ Wh_rzT                   # through a_r, a_z
            dprev += drh * r[t]                              # through r * h_prev
            dprev += dh * local[t]                           # directly
            dh = dprev
    dWx = np.matmul(xs.transpose(0, 2, 1), dA, out=_array(scratch, "dWx_t", (L, xs.shape[2], GH))).sum(axis=0)
    dWh_t = _array(scratch, "dWh_t", (L, H, GH))             # each step's share, summed below
    if cell == "gru":                                        # a_n takes r * h_prev, the gates h_prev
        np.matmul(hp.transpose(0, 2, 1), dA[..., :2 * H], out=dWh_t[..., :2 * H])
        np.matmul(rh.transpose(0, 2, 1), dA[..., 2 * H:], out=dWh_t[..., 2 * H:])
    else:
        np.matmul(hp.transpose(0, 2, 1), dA, out=dWh_t)
    return {"Wx": dWx, "Wh": dWh_t.sum(axis=0), "b": dA.sum(axis=(0, 1))}


def _clip_and_step(p, g, opt, t, lr):
    norm = np.sqrt(sum(float((gi * gi).sum()) for gi in g.values()))
    scale = min(1.0, RECIPE["clip"] / (norm + 1e-12))        # clipping by global norm
    for k in p:
        p[k], opt[k][0], opt[k][1] = adam_update(p[k], g[k] * scale, opt[k][0], opt[k][1], t, lr=lr)


def train_recall(cell, T, seed, steps=None):
    """The recipe on the recall task; returns (Wx, Wh, b, Wy, by)."""
    R = RECIPE
    rng = np.random.default_rng(seed)
    p = init_params(cell, K + 2, R["hidden"], K, rng)
    opt = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in p.items()}
    scratch = {}
    for t in range(1, (steps or R["steps"]) + 1):
        x, y = make_recall_data(rng, R["batch"], T)
        h, cache = _forward_last(cell, p, x, scratch)
        loss, dscores = softmax_cross_entropy(h @ p["Wy"] + p["by"], y)
        g = _backward_last(cell, p, cache, dscores @ p["Wy"].T, scratch)
        g["Wy"], g["by"] = h.T @ dscores, dscores.sum(axis=0)
        _clip_and_step(p, g, opt, t, R["lr"])
    return p["Wx"], p["Wh"], p["b"], p["Wy"], p["by"]


def train_forecast(seed, steps=None):
    """The recipe on the forecasting task with a GRU and a linear head; returns (Wx, Wh, b, Wy, by)."""
    R = RECIPE
    rng = np.random.default_rng(seed)
    p = init_params("gru", FEATURES, R["forecast_hidden"], HORIZON, rng)
    opt = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in p.items()}
    scratch = {}
    for t in range(1, (steps or R["forecast_steps"]) + 1):
        x, y = make_forecast_data(rng, R["batch"])
        h, cache = _forward_last("gru", p, x, scratch)
        pred = h @ p["Wy"] + p["by"]
        dpred = 2 * (pred - y) / pred.size                   # d mean((pred - y)^2)
        g = _backward_last("gru", p, cache, dpred @ p["Wy"].T, scratch)
        g["Wy"], g["by"] = h.T @ dpred, dpred.sum(axis=0)
        _clip_and_step(p, g, opt, t, R["forecast_lr"])
    return p["Wx"], p["Wh"], p["b"], p["Wy"], p["by"]


# -- scorers (grader side) ------------------------------------------------------------------

def _weights(outputs, cell, D, V, fn):
    names = ("Wx", "Wh", "b", "Wy", "by")
    missing = [k for k in names if k not in outputs]
    if missing:
        raise ValueError(f"{fn}: expected the trained weights (Wx, Wh, b, Wy, by); missing {', '.join(missing)}")
    p = {k: np.asarray(outputs[k], dtype=np.float64) for k in names}
    if p["Wh"].ndim != 2:
        raise ValueError(f"{fn}: Wh must be 2-D of shape (H, {GATES[cell]}H); got shape {p['Wh'].shape}")
    H, G = p["Wh"].shape[0], GATES[cell]
    want = {"Wx": (D, G * H), "Wh": (H, G * H), "b": (G * H,), "Wy": (H, V), "by": (V,)}
    for k, shape in want.items():
        if p[k].shape != shape:
            raise ValueError(f"{fn}: {k} of a {cell} with H={H} must have shape {shape}; got {p[k].shape}")
    return p


def _last_states(cell, p, x, rows=100):
    """Last states of held-out sequences x, ``rows`` sequences at a time.

    The scorers run in the grader's own process, where numpy's BLAS may use every core: a
    step's product over all 1000 sequences then goes multi-threaded, and on a loaded machine
    it waits for a free core (a scoring took 0.2-0.35 s instead of 30 ms). A hundred rows
    keep each product small; the states are the same, row by row.
    """
    return np.concatenate([_last_state(cell, p, x[k:k + rows])[0] for k in range(0, len(x), rows)])


def recall_accuracy(cell, T, weights, seed, n=1000):
    """Accuracy of trained weights on n held-out recall sequences drawn with ``seed``."""
    p = _weights(dict(zip(("Wx", "Wh", "b", "Wy", "by"), weights)) if not isinstance(weights, dict) else weights,
                 cell, K + 2, K, "recall_accuracy")
    x, y = make_recall_data(np.random.default_rng(seed), n, T)
    h = _last_states(cell, p, x)
    return float(np.mean((h @ p["Wy"] + p["by"]).argmax(axis=1) == y))


def score_recall(outputs, inputs):
    """Scorer of the recall exercises: held-out accuracy of the returned weights."""
    cell, T = inputs["cell"], int(inputs["T"])
    p = _weights(outputs, cell, K + 2, K, "score_recall")
    return recall_accuracy(cell, T, p, HELD_OUT + int(inputs["seed"]))


def forecast_mse(weights):
    """Mean squared error of trained GRU weights over every held-out window (all 12 steps)."""
    p = _weights(dict(zip(("Wx", "Wh", "b", "Wy", "by"), weights)) if not isinstance(weights, dict) else weights,
                 "gru", FEATURES, HORIZON, "forecast_mse")
    x, y = forecast_windows("held_out")
    h = _last_states("gru", p, x)
    return float(np.mean((h @ p["Wy"] + p["by"] - y) ** 2))


def score_forecast(outputs, inputs):
    """Scorer of the forecasting exercise: held-out mean squared error of the returned GRU.

    The held-out windows are the same for every case; a case's ``seed`` is the training seed."""
    p = _weights(outputs, "gru", FEATURES, HORIZON, "score_forecast")
    return forecast_mse(p)


def forecast_baselines():
    """Held-out mean squared error of the naive forecasts, in the task's units.

    - ``last_value``: every future month equals the window's last one; the targets are
      changes from that month, so this is also the forecast 0;
    - ``train_mean``: each horizon step's mean target over the training windows;
    - ``seasonal_naive``: each future month equals the month 12 months before it, which
      is in the window (x[:, 12 + k, 0] for k = 0..11);
    - ``seasonal_naive_drift``: the same plus the last 12-month difference (x[:, -1, 3]),
      i.e. last year's months shifted by the past year's growth.
    """
    x, y = forecast_windows("held_out")
    _, y_train = forecast_windows("train")
    seasonal = x[:, WINDOW - 12:WINDOW - 12 + HORIZON, 0]
    preds = {"last_value": np.zeros_like(y), "train_mean": np.broadcast_to(y_train.mean(axis=0), y.shape),
             "seasonal_naive": seasonal, "seasonal_naive_drift": seasonal + x[:, -1:, 3]}
    return {name: float(np.mean((pred - y) ** 2)) for name, pred in preds.items()}


def answer_rnn_long():
    """The vanilla RNN stays near chance at T = 16: its gradient through 16 steps vanishes ("b")."""
    return "b"


# -- known wrong versions ---------------------------------------------------------------------

def _ce_not_averaged(scores, y):
    loss, dscores = softmax_cross_entropy(scores, y)
    return loss, dscores * scores.shape[0]


def _ce_summed(scores, y):
    loss, dscores = softmax_cross_entropy(scores, y)
    return loss * scores.shape[0], dscores * scores.shape[0]


def _ce_onehot_missing(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return softmax_cross_entropy(scores, y)[0], p / scores.shape[0]


def _adam_no_bias_correction(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_no_sqrt(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    return w - lr * (m / (1 - beta1 ** t)) / (v / (1 - beta2 ** t) + eps), m, v


def _adam_plus(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w2, m2, v2 = adam_update(w, dw, m, v, t, lr, beta1, beta2, eps)
    return 2 * w - w2, m2, v2                                # steps up the gradient


VARIANTS = {
    "solutions.assignments.a6_training:softmax_cross_entropy": {
        "ce_grad_not_averaged": _ce_not_averaged,
        "ce_summed_over_batch": _ce_summed,
        "ce_onehot_not_subtracted": _ce_onehot_missing,
    },
    "solutions.assignments.a6_training:adam_update": {
        "adam_no_bias_correction": _adam_no_bias_correction,
        "adam_sqrt_missing": _adam_no_sqrt,
        "adam_gradient_ascent": _adam_plus,
    },
}
