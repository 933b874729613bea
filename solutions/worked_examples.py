"""Every numeric example of the notes, recomputed with the reference implementation.

Each function returns a ``WorkedExample``: the inputs the notes give, what the
reference computes from them, and what the notes state, so the course can show both
numbers side by side. Where they differ beyond the notes' own rounding, the example's
``discrepancies()`` lists it and ``docs/notes_errata.md`` explains it (under the heading
of the example's name). Names are stable: lecture notebooks and assignments use them.

Stated values are kept as the notes print them (strings such as ``"0.291"``), so the
rounding the notes used is part of the record: a stated ``"0.291"`` agrees with any
computed value within half a unit of its last place, 0.0005. A stated formula (``"2*h**2 + h"``)
agrees when sympy simplifies the difference to 0.

    from solutions.worked_examples import all_examples
    for ex in all_examples():
        print(ex.name, ex.agrees(), ex.discrepancies())
"""
import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .activations import dtanh, relu, sigmoid, tanh
from .architectures import bidirectional_forward, sequence_forward, stacked_forward
from .gru import gru_state_update, gru_step_forward
from .lstm import lstm_state_update, lstm_step_forward
from .params import (dense_param_count, forecasting_model_counts, param_count,
                     param_count_formula)
from .rnn import rnn_forward

__all__ = ["WorkedExample", "Discrepancy", "all_examples", "example", "EXAMPLES", "lstm_examples",
           "gru_examples"]

SEED_RNN_GATED = "004_d8126e11355f829b.txt"      # Keras lecture: numeric examples, forecasting
SEED_CHAPTER = "003_c0e192004b4532a4.txt"         # PyTorch chapter: formulas, table, code
SEED_HISTORY = "002_c39c225e7c7c4da8.txt"         # history chapter: SequenceClassifier code
SEED_NOTES = "001_8410e7b4de19f7ad.txt"           # course notes: comparison tables


@dataclass(frozen=True)
class Discrepancy:
    """One stated number that the computation does not reproduce.

    key:       the quantity, a key of both ``stated`` and ``computed``.
    stated:    what the notes print (string).
    computed:  what the reference gives.
    difference: |computed - stated| (None for a formula).
    tolerance: the allowed difference (half a unit of the stated last place, or ``tol``).
    """

    key: str
    stated: str
    computed: object
    difference: float | None
    tolerance: float


@dataclass(frozen=True)
class WorkedExample:
    """The notes' numeric example and its recomputation.

    name:     stable identifier, e.g. ``"rnn_sequence"``.
    source:   the notes file and where in it (section title, a short quote).
    inputs:   the example's given values, named as in the course notation.
    computed: what the reference implementation gives (floats, ints or sympy expressions).
    stated:   what the notes print, as printed (strings); a subset of computed's keys.
    note:     how the notes' inputs were mapped onto the reference, or what is missing.
    """

    name: str
    source: str
    inputs: dict
    computed: dict
    stated: dict = field(default_factory=dict)
    note: str = ""

    def discrepancies(self, tol=None):
        """Stated values the computation does not reproduce, as a list of ``Discrepancy``.

        tol: allowed absolute difference; None uses each stated number's own rounding
        (half a unit in its last printed place).
        """
        out = []
        for key, text in self.stated.items():
            if key not in self.computed:
                raise KeyError(f"{self.name}: stated {key!r} has no computed value; "
                               f"computed keys: {sorted(self.computed)}")
            value = self.computed[key]
            number = _number(text)
            if number is None:                                  # a formula: compare symbolically
                same = sp.simplify(sp.sympify(value) - sp.sympify(text, locals=_SYMBOLS)) == 0
                if not same:
                    out.append(Discrepancy(key, text, value, None, 0.0))
                continue
            t = _half_unit(text) if tol is None else tol
            diff = abs(float(value) - number)
            if diff > t + 1e-12:
                out.append(Discrepancy(key, text, value, diff, t))
        return out

    def agrees(self, tol=None):
        """True when every stated value is reproduced (see ``discrepancies``)."""
        return not self.discrepancies(tol)


_SYMBOLS = {"d": sp.Symbol("d", positive=True, integer=True),
            "h": sp.Symbol("h", positive=True, integer=True)}


def _number(text):
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _half_unit(text):
    """'0.291' -> 0.0005, '0.48' -> 0.005, '4480' -> 0.5."""
    t = text.replace(",", "").lstrip("+-")
    decimals = len(t.split(".")[1]) if "." in t else 0
    return 0.5 * 10.0 ** (-decimals)


def _logit(p):
    """The pre-activation whose sigmoid is p: used to feed a given gate value through a step."""
    return math.log(p / (1 - p))


def _a(v):
    """A scalar as a (1, 1) array: one sequence, one unit."""
    return np.array([[float(v)]])


# ---------------------------------------------------------------------------------- RNN

def rnn_sequence_example():
    """The 1-D RNN on [0.1, 0.2, 0.3] with W = 2.0 (input), U = 0.5 (recurrent), b = 0.1, h0 = 0."""
    xs = [0.1, 0.2, 0.3]
    Wx, Wh, b = _a(2.0), _a(0.5), np.array([0.1])             # notes: h_t = tanh(W x_t + U h_{t-1} + b)
    x = np.array(xs).reshape(1, 3, 1)                           # (N=1, T=3, D=1)
    h, _ = rnn_forward(x, np.zeros((1, 1)), Wx, Wh, b)          # (1, 3, 1)
    hs = [float(v) for v in h[0, :, 0]]
    prev = [0.0] + hs[:-1]
    pre = [2.0 * xt + 0.5 * hp + 0.1 for xt, hp in zip(xs, prev)]   # the tanh arguments
    computed = {f"h{t + 1}": hs[t] for t in range(3)}
    computed.update({f"a{t + 1}": pre[t] for t in range(3)})
    return WorkedExample(
        name="rnn_sequence",
        source=f"{SEED_RNN_GATED}, 'Step-by-Step Numerical Example: 1D Time Series' "
               "(h_t = tanh(W x_t + U h_{t-1} + b), steps 1-3)",
        inputs={"x": xs, "W (input weight, Wx)": 2.0, "U (recurrent weight, Wh)": 0.5,
                "b": 0.1, "h0": 0.0},
        computed=computed,
        stated={"a1": "0.3", "h1": "0.291", "a2": "0.748", "h2": "0.634",
                "a3": "1.217", "h3": "0.839"},
        note="a_t is the argument of tanh. The notes' tanh values are right for its "
             "arguments, but its step-2 argument is wrong (2.0*0.2 + 0.5*0.291 + 0.1 = 0.6455, "
             "not 0.748) and its step-3 sum of its own terms is 1.017, not 1.217; "
             "see docs/notes_errata.md#rnn_sequence.",
    )


def activation_table_example():
    """tanh, sigmoid and ReLU at z = +2 and z = -2."""
    z = np.array([2.0, -2.0])
    t, s, r = tanh(z), sigmoid(z), relu(z)
    return WorkedExample(
        name="activation_table",
        source=f"{SEED_RNN_GATED}, 'Numerical Comparison (Input z = 2.0)'",
        inputs={"z": [2.0, -2.0]},
        computed={"tanh(2)": float(t[0]), "tanh(-2)": float(t[1]),
                  "sigmoid(2)": float(s[0]), "sigmoid(-2)": float(s[1]),
                  "relu(2)": float(r[0]), "relu(-2)": float(r[1])},
        stated={"tanh(2)": "0.964", "tanh(-2)": "-0.964", "sigmoid(2)": "0.88",
                "sigmoid(-2)": "0.12", "relu(2)": "2.0", "relu(-2)": "0"},
    )


def sigmoid_outputs_example():
    """The notes' 'activation outputs [0.12, 0.5, 0.88]' of sigmoid: at z = -2, 0, 2."""
    s = sigmoid(np.array([-2.0, 0.0, 2.0]))
    return WorkedExample(
        name="sigmoid_outputs",
        source=f"{SEED_RNN_GATED}, 'Weaknesses of Other Activations': "
               "'Activation outputs: [0.12, 0.5, 0.88] All positive'",
        inputs={"z": [-2.0, 0.0, 2.0]},
        computed={"sigmoid(-2)": float(s[0]), "sigmoid(0)": float(s[1]), "sigmoid(2)": float(s[2])},
        stated={"sigmoid(-2)": "0.12", "sigmoid(0)": "0.5", "sigmoid(2)": "0.88"},
        note="The notes do not name the inputs; z = -2, 0, 2 (its comparison table's "
             "points and 0) reproduce all three values.",
    )


def tanh_derivative_bound_example():
    """tanh'(z) = 1 - tanh(z)^2 is at most 1 (at z = 0), so 1/max|tanh'| = 1."""
    z = np.linspace(-5.0, 5.0, 10001)                           # includes z = 0
    d = dtanh(z)
    return WorkedExample(
        name="tanh_derivative_bound",
        source=f"{SEED_CHAPTER}, 'Theorem: Vanishing Gradient in Vanilla RNNs' "
               "('||W_hh|| < 1/||tanh'||_max = 1'); "
               f"{SEED_RNN_GATED}, 'd/dz tanh(z) = 1 - tanh^2(z) (smooth and bounded)'",
        inputs={"z": "grid of 10001 points on [-5, 5], including 0"},
        computed={"max tanh'": float(d.max()), "argmax z": float(z[int(np.argmax(d))]),
                  "1/max tanh'": 1.0 / float(d.max()), "tanh'(2)": float(dtanh(2.0))},
        stated={"1/max tanh'": "1"},
        note="The bound is attained at z = 0 only; at z = 2 the factor is already 0.071, "
             "which is why saturated tanh units make gradients vanish.",
    )


# --------------------------------------------------------------------------------- LSTM

def lstm_partial_retention_example():
    """C_{t-1} = 0.9, f = 0.4, i = 0.5, C~ = 0.3 gives C_t = 0.51; h_t = o_t tanh(0.51)."""
    c, h = lstm_state_update(0.9, 0.4, 0.5, 0.3, 1.0)          # o = 1: h is tanh(C_t) itself
    return WorkedExample(
        name="lstm_partial_retention",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Partial Memory Retention'",
        inputs={"prev_c": 0.9, "f": 0.4, "i": 0.5, "g (C~_t)": 0.3},
        computed={"f*prev_c": 0.4 * 0.9, "i*g": 0.5 * 0.3, "C_t": float(c), "tanh(C_t)": float(h)},
        stated={"f*prev_c": "0.36", "i*g": "0.15", "C_t": "0.51"},
        note="The notes leave o_t open (h_t = o_t * tanh(0.51)); computed with o = 1, so "
             "h_t = o_t * tanh(C_t) for any o_t.",
    )


def lstm_forget_only_example():
    """C_{t-1} = 1.2, f = 0.4: the forget term alone, C_t = 0.48."""
    c, _ = lstm_state_update(1.2, 0.4, 0.0, 0.0, 1.0)
    return WorkedExample(
        name="lstm_forget_only",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Keeping 40% of Old Memory'",
        inputs={"prev_c": 1.2, "f": 0.4, "i": 0.0, "g (C~_t)": 0.0},
        computed={"C_t": float(c)},
        stated={"C_t": "0.48"},
        note="The notes write C_t = f_t * C_{t-1}, i.e. it shows the forget term only; "
             "computed with i = 0 (nothing written).",
    )


def lstm_adding_memory_example():
    """C_{t-1} = 0.9, f = 0.5, i = 0.3, C~ = 0.6 gives C_t = 0.63."""
    c, _ = lstm_state_update(0.9, 0.5, 0.3, 0.6, 1.0)
    return WorkedExample(
        name="lstm_adding_memory",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Adding New Memory'",
        inputs={"prev_c": 0.9, "f": 0.5, "i": 0.3, "g (C~_t)": 0.6},
        computed={"f*prev_c": 0.5 * 0.9, "i*g": 0.3 * 0.6, "C_t": float(c)},
        stated={"f*prev_c": "0.45", "i*g": "0.18", "C_t": "0.63"},
    )


def lstm_output_gate_example():
    """C_t = 0.8, o = 0.5: tanh(0.8) = 0.664 and h_t = 0.332."""
    t = float(tanh(0.8))
    return WorkedExample(
        name="lstm_output_gate",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Controlled Exposure'",
        inputs={"C_t": 0.8, "o": 0.5},
        computed={"tanh(C_t)": t, "h_t": 0.5 * t},
        stated={"tanh(C_t)": "0.664", "h_t": "0.332"},
        note="C_t is given, so only h_t = o_t * tanh(C_t) is computed.",
    )


def lstm_full_step_example():
    """C_{t-1} = 1.0, f = 0.4, i = 0.6, C~ = 0.5, o = 0.7 gives C_t = 0.7, h_t = 0.423.

    Also fed through the full ``lstm_step_forward``: zero weights and biases equal to
    the gates' pre-activations (logit for sigmoid gates, atanh for the candidate)
    reproduce the given gate values, so both reference paths must give the same states.
    """
    c, h = lstm_state_update(1.0, 0.4, 0.6, 0.5, 0.7)
    b = np.array([_logit(0.6), _logit(0.4), math.atanh(0.5), _logit(0.7)])   # blocks i, f, g, o
    h_step, c_step, _ = lstm_step_forward(_a(0.0), _a(0.0), _a(1.0), np.zeros((1, 4)),
                                          np.zeros((1, 4)), b)
    return WorkedExample(
        name="lstm_full_step",
        source=f"{SEED_RNN_GATED}, 'Full LSTM Update: End-to-End Numerical Pass'",
        inputs={"prev_c": 1.0, "f": 0.4, "i": 0.6, "g (C~_t)": 0.5, "o": 0.7},
        computed={"C_t": float(c), "tanh(C_t)": float(tanh(c)), "h_t": float(h),
                  "C_t (lstm_step_forward)": float(c_step[0, 0]),
                  "h_t (lstm_step_forward)": float(h_step[0, 0])},
        stated={"C_t": "0.7", "tanh(C_t)": "0.604", "h_t": "0.423"},
    )


def lstm_short_vs_long_example():
    """C_t = 1.1, o = 0.5: tanh(1.1) = 0.800 and h_t = 0.400."""
    t = float(tanh(1.1))
    return WorkedExample(
        name="lstm_short_vs_long",
        source=f"{SEED_RNN_GATED}, 'Short-Term vs Long-Term Memory in LSTM', 'Numerical Example'",
        inputs={"C_t": 1.1, "o": 0.5},
        computed={"tanh(C_t)": t, "h_t": 0.5 * t},
        stated={"tanh(C_t)": "0.800", "h_t": "0.400"},
    )


# ---------------------------------------------------------------------------------- GRU

def gru_gradual_update_example():
    """h_{t-1} = 0.9, h~ = 0.2, z = 0.4 gives h_t = 0.54 + 0.08 = 0.62."""
    h = gru_state_update(0.9, 0.4, 0.2)
    return WorkedExample(
        name="gru_gradual_update",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Gradual Memory Update'",
        inputs={"prev_h": 0.9, "z": 0.4, "h_tilde": 0.2},
        computed={"(1-z)*prev_h": 0.6 * 0.9, "z*h_tilde": 0.4 * 0.2, "h_t": float(h)},
        stated={"(1-z)*prev_h": "0.54", "z*h_tilde": "0.08", "h_t": "0.62"},
    )


def gru_reset_gate_example():
    """h_{t-1} = 0.7, x = 0.3, r = 0.2, W = [0.5, 0.5], b = 0.1: h~ = tanh(0.32)."""
    rh = 0.2 * 0.7
    pre = 0.5 * rh + 0.5 * 0.3 + 0.1                            # W [r*h, x] + b
    return WorkedExample(
        name="gru_reset_gate",
        source=f"{SEED_RNN_GATED}, 'Numerical Example: Forgetting the Past'",
        inputs={"prev_h": 0.7, "x": 0.3, "r": 0.2, "Wh_n (on r*h)": 0.5, "Wx_n (on x)": 0.5,
                "b_n": 0.1},
        computed={"r*prev_h": rh, "pre-activation": pre, "h_tilde": float(tanh(pre))},
        stated={"r*prev_h": "0.14", "pre-activation": "0.32", "h_tilde": "0.309"},
        note="tanh(0.32) = 0.30951 rounds to 0.310; the notes' 0.309 is truncated "
             "(see docs/notes_errata.md#gru_reset_gate).",
    )


def gru_full_step_example():
    """h_{t-1} = 0.8, z = 0.3, r = 0.5, x = 0.4, W = [0.5, 0.5], no bias: h_t = 0.674.

    Fed through the course's full ``gru_step_forward``: the gate weights are 0 and
    the r, z biases are logit(0.5), logit(0.3), so the gates take the given values; the
    candidate block has Wx_n = Wh_n = 0.5 and b_n = 0.
    """
    Wx = np.array([[0.0, 0.0, 0.5]])                            # blocks r, z, n
    Wh = np.array([[0.0, 0.0, 0.5]])
    b = np.array([_logit(0.5), _logit(0.3), 0.0])
    h_step, _ = gru_step_forward(_a(0.4), _a(0.8), Wx, Wh, b)
    h_tilde = float(tanh(0.5 * (0.5 * 0.8) + 0.5 * 0.4))
    h = gru_state_update(0.8, 0.3, h_tilde)
    return WorkedExample(
        name="gru_full_step",
        source=f"{SEED_RNN_GATED}, 'Full GRU Update: End-to-End Numerical Example'",
        inputs={"prev_h": 0.8, "z": 0.3, "r": 0.5, "x": 0.4, "Wh_n (on r*h)": 0.5,
                "Wx_n (on x)": 0.5, "b_n": 0.0},
        computed={"h_tilde": h_tilde, "(1-z)*prev_h": 0.7 * 0.8, "z*h_tilde": 0.3 * h_tilde,
                  "h_t": float(h), "h_t (gru_step_forward)": float(h_step[0, 0])},
        stated={"h_tilde": "0.379", "(1-z)*prev_h": "0.56", "z*h_tilde": "0.114", "h_t": "0.674"},
        note="The notes drop the bias here (b = 0). tanh(0.4) = 0.37995 rounds to 0.380; "
             "the notes' 0.379 is truncated, its final h_t = 0.674 is right "
             "(see docs/notes_errata.md#gru_full_step).",
    )


# ------------------------------------------------------------------- parameter counts

def _forecast(cell, return_sequences, hidden_dense=128):
    layers = forecasting_model_counts(cell, return_sequences=return_sequences, hidden_dense=hidden_dense)
    return {name: n for name, _, n in layers}, {name: shape for name, shape, _ in layers}


def forecast_rnn_last_state_example():
    """SimpleRNN(64, return_sequences=False) on (24, 5) then Dense(12)."""
    counts, shapes = _forecast("rnn", False)
    return WorkedExample(
        name="forecast_rnn_last_state",
        source=f"{SEED_RNN_GATED}, 'Preparing RNN Model With return_sequences=False' "
               "(model.summary with Param # elided as '...')",
        inputs={"input_shape": (24, 5), "units": 64, "horizon": 12, "return_sequences": False},
        computed={"simple_rnn params": counts["simple_rnn"], "dense params": counts["dense"],
                  "total params": counts["total"],
                  "simple_rnn output width": shapes["simple_rnn"][0],
                  "dense output width": shapes["dense"][0]},
        stated={"simple_rnn output width": "64", "dense output width": "12"},
        note="The notes print the layers' output shapes (None, 64) and (None, 12) but "
             "elides the parameter counts; Keras reports 4,480 and 780 "
             "(64*(5+64+1) and 64*12+12).",
    )


def forecast_rnn_all_states_example():
    """SimpleRNN(64, return_sequences=True) -> Flatten -> Dense(128, relu) -> Dense(12)."""
    counts, shapes = _forecast("rnn", True)
    direct, _ = _forecast("rnn", True, hidden_dense=None)
    return WorkedExample(
        name="forecast_rnn_all_states",
        source=f"{SEED_RNN_GATED}, 'Preparing RNN Model With return_sequences=True' "
               "('Flatten() # Shape: (None, 24*64)')",
        inputs={"input_shape": (24, 5), "units": 64, "hidden_dense": 128, "horizon": 12,
                "return_sequences": True},
        computed={"simple_rnn params": counts["simple_rnn"],
                  "flatten width": shapes["flatten"][0],
                  "dense_hidden params": counts["dense_hidden"], "dense params": counts["dense"],
                  "total params": counts["total"],
                  "dense params without the hidden Dense(128)": direct["dense"],
                  "total params without the hidden Dense(128)": direct["total"]},
        stated={"flatten width": "1536"},
        note="The notes write the Flatten width as 24*64 (= 1536). Its warning that "
             "return_sequences=True 'increases the number of parameters' is borne out: "
             "202,764 parameters against 5,260 for the last-state model.",
    )


def forecast_cells_example():
    """The forecasting model's recurrent layer as SimpleRNN, GRU and LSTM (Keras conventions)."""
    return WorkedExample(
        name="forecast_cells",
        source=f"{SEED_RNN_GATED}, forecasting section (SimpleRNN(64) on input_shape=(24, 5)); "
               "GRU and LSTM are the same layer with the other cells",
        inputs={"features": 5, "units": 64},
        computed={"SimpleRNN(64)": param_count("rnn", 5, 64, convention="keras"),
                  "LSTM(64)": param_count("lstm", 5, 64, convention="keras"),
                  "GRU(64) reset_after=True": param_count("gru", 5, 64, convention="keras"),
                  "GRU(64) reset_after=False": param_count("gru", 5, 64, convention="textbook"),
                  "Dense(12) on 64": dense_param_count(64, 12)},
        note="Keras's GRU default (reset_after=True) has two bias vectors: 3*64*(5+64+2) = "
             "13,632; with reset_after=False it is the textbook 3*64*(5+64+1) = 13,440.",
    )


def param_ratios_example():
    """'LSTM: 4x the parameters of an RNN', 'GRU: 3x RNN', 'GRU ~25% fewer than LSTM'."""
    f = {c: param_count_formula(c) for c in ("rnn", "lstm", "gru")}
    keras_gru = param_count("gru", 5, 64, convention="keras")
    keras_lstm = param_count("lstm", 5, 64, convention="keras")
    return WorkedExample(
        name="param_ratios",
        source=f"{SEED_NOTES}, comparison table ('Most (4x RNN)', 'Middle (3x RNN)', "
               f"'~25% fewer'); {SEED_CHAPTER}, 'LSTM has 4x the parameters of a vanilla RNN'",
        inputs={"convention": "textbook (symbolic in d, h); Keras at d=5, h=64"},
        computed={"lstm/rnn": sp.simplify(f["lstm"] / f["rnn"]),
                  "gru/rnn": sp.simplify(f["gru"] / f["rnn"]),
                  "1 - gru/lstm": sp.simplify(1 - f["gru"] / f["lstm"]),
                  "1 - gru/lstm (Keras, d=5, h=64)": 1 - keras_gru / keras_lstm},
        stated={"lstm/rnn": "4", "gru/rnn": "3", "1 - gru/lstm": "0.25"},
        note="Exact for one bias per block (and for PyTorch's two); in Keras, whose GRU has "
             "two biases but LSTM one, the GRU(64) on 5 features is 23.9% smaller, not 25%.",
    )


def cell_comparison_table_example():
    """The notes' table of parameters at d = h: 2h^2 + h, 4(2h^2 + h), 3(2h^2 + h)."""
    h = _SYMBOLS["h"]
    at = {c: sp.expand(param_count_formula(c).subs(_SYMBOLS["d"], h)) for c in ("rnn", "lstm", "gru")}
    pt = {c: sp.expand(param_count_formula(c, "pytorch").subs(_SYMBOLS["d"], h))
          for c in ("rnn", "lstm", "gru")}
    return WorkedExample(
        name="cell_comparison_table",
        source=f"{SEED_CHAPTER}, 'Recurrent Cell Comparison' table, column 'Parameters (d=h)'",
        inputs={"d": "h"},
        computed={"rnn": at["rnn"], "lstm": at["lstm"], "gru": at["gru"],
                  "rnn (pytorch)": pt["rnn"], "lstm (pytorch)": pt["lstm"], "gru (pytorch)": pt["gru"]},
        stated={"rnn": "2*h**2 + h", "lstm": "4*(2*h**2 + h)", "gru": "3*(2*h**2 + h)"},
        note="The table counts one bias per block (textbook). torch.nn modules have two, "
             "2h^2 + 2h per block. The same notes' GRU equations have no bias at all, "
             "which would give 3(2h^2); see docs/notes_errata.md#cell_comparison_table.",
    )


def lstm_parameter_theorem_example():
    """4 (d h + h h + h) = 4 h (d + h + 1), the notes' LSTM parameter count."""
    d, h = _SYMBOLS["d"], _SYMBOLS["h"]
    return WorkedExample(
        name="lstm_parameter_theorem",
        source=f"{SEED_CHAPTER}, 'Theorem: LSTM Parameter Count'",
        inputs={"d": "input size", "h": "hidden size"},
        computed={"count": param_count_formula("lstm"),
                  "nn.LSTM(10, 64) textbook": param_count("lstm", 10, 64),
                  "nn.LSTM(10, 64) pytorch": param_count("lstm", 10, 64, convention="pytorch")},
        stated={"count": "4*(d*h + h*h + h)"},
        note="The theorem counts one bias per gate; torch.nn.LSTM(10, 64) has "
             f"{param_count('lstm', 10, 64, convention='pytorch')} parameters, 4h more "
             f"({param_count('lstm', 10, 64)} textbook), because it keeps b_ih and b_hh. "
             f"Symbols: {d}, {h}.",
    )


# ------------------------------------------------------------------------------ shapes

def bidirectional_width_example():
    """nn.LSTM(10, 64, bidirectional=True): output (B, T, 128); a 2-layer BiLSTM(128 -> 256) feeds Linear(512)."""
    rng = np.random.default_rng(0)

    def p(D, H):
        return {"Wx": rng.normal(0, 0.1, (D, 4 * H)), "Wh": rng.normal(0, 0.1, (H, 4 * H)),
                "b": np.zeros(4 * H)}

    x = rng.normal(size=(2, 3, 10))                            # (B=2, T=3, 10)
    uni, _, _ = sequence_forward("rnn", x, None, {"Wx": rng.normal(0, 0.1, (10, 64)),
                                                   "Wh": rng.normal(0, 0.1, (64, 64)), "b": np.zeros(64)})
    out, (h_n, _) = bidirectional_forward("lstm", x, p(10, 64), p(10, 64))
    x2 = rng.normal(size=(1, 2, 128))
    out2, _ = stacked_forward("lstm", x2, [(p(128, 256), p(128, 256)), (p(512, 256), p(512, 256))],
                              bidirectional=True)
    return WorkedExample(
        name="bidirectional_width",
        source=f"{SEED_CHAPTER}, 'Vanilla RNN' ('output: (B, T, 64)') and 'Bidirectional RNNs' "
               "('# Output: (B, T, 128) - doubled hidden "
               f"size'); {SEED_HISTORY}, SequenceClassifier (nn.Linear(hidden_dim * 2, ...))",
        inputs={"input_size": 10, "hidden_size": 64, "classifier": "embed 128, hidden 256, 2 layers"},
        computed={"nn.RNN(10, 64) output width": uni.shape[-1],
                  "output width": out.shape[-1], "h_n directions": h_n.shape[0],
                  "classifier in_features": out2.shape[-1],
                  "SequenceClassifier rnn params (pytorch)":
                      param_count("lstm", 128, 256, convention="pytorch", num_layers=2, bidirectional=True)},
        stated={"nn.RNN(10, 64) output width": "64", "output width": "128",
                "classifier in_features": "512"},
    )


EXAMPLES = {
    "rnn_sequence": rnn_sequence_example,
    "activation_table": activation_table_example,
    "sigmoid_outputs": sigmoid_outputs_example,
    "tanh_derivative_bound": tanh_derivative_bound_example,
    "lstm_partial_retention": lstm_partial_retention_example,
    "lstm_forget_only": lstm_forget_only_example,
    "lstm_adding_memory": lstm_adding_memory_example,
    "lstm_output_gate": lstm_output_gate_example,
    "lstm_full_step": lstm_full_step_example,
    "lstm_short_vs_long": lstm_short_vs_long_example,
    "gru_gradual_update": gru_gradual_update_example,
    "gru_reset_gate": gru_reset_gate_example,
    "gru_full_step": gru_full_step_example,
    "forecast_rnn_last_state": forecast_rnn_last_state_example,
    "forecast_rnn_all_states": forecast_rnn_all_states_example,
    "forecast_cells": forecast_cells_example,
    "param_ratios": param_ratios_example,
    "cell_comparison_table": cell_comparison_table_example,
    "lstm_parameter_theorem": lstm_parameter_theorem_example,
    "bidirectional_width": bidirectional_width_example,
}


def lstm_examples():
    """The six LSTM examples of the notes, in the order the notes give them."""
    return [EXAMPLES[k]() for k in EXAMPLES if k.startswith("lstm_") and k != "lstm_parameter_theorem"]


def gru_examples():
    """The three GRU examples of the notes."""
    return [EXAMPLES[k]() for k in EXAMPLES if k.startswith("gru_")]


def example(name):
    """One example by its stable name; KeyError listing the names."""
    if name not in EXAMPLES:
        raise KeyError(f"no worked example {name!r}; expected one of: {', '.join(EXAMPLES)}")
    return EXAMPLES[name]()


def all_examples():
    """Every worked example, in the order of the course."""
    return [f() for f in EXAMPLES.values()]
