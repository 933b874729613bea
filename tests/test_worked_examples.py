"""Do the worked examples compute what a hand derivation gives, and is every error of the notes recorded?

Expected values are derived in each docstring and computed here with math.tanh /
math.exp, never taken from the reference. Where the notes' stated number is right
(within its own rounding) the example must agree; where it is wrong the example must
report the discrepancy and docs/notes_errata.md must list it.
"""
import math
import pathlib

import pytest

from solutions.worked_examples import (EXAMPLES, Discrepancy, WorkedExample, all_examples,
                                       example, gru_examples, lstm_examples)

ERRATA = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "notes_errata.md").read_text()
TOL = 1e-12


def sig(z):
    return 1 / (1 + math.exp(-z))


def keys_off(ex):
    return sorted(d.key for d in ex.discrepancies())


def test_example_names_are_stable():
    """The course and the assignments refer to these names; renaming one breaks them."""
    assert list(EXAMPLES) == [
        "rnn_sequence", "activation_table", "sigmoid_outputs", "tanh_derivative_bound",
        "lstm_partial_retention", "lstm_forget_only", "lstm_adding_memory", "lstm_output_gate",
        "lstm_full_step", "lstm_short_vs_long",
        "gru_gradual_update", "gru_reset_gate", "gru_full_step",
        "forecast_rnn_last_state", "forecast_rnn_all_states", "forecast_cells",
        "param_ratios", "cell_comparison_table", "lstm_parameter_theorem", "bidirectional_width"]
    assert [e.name for e in all_examples()] == list(EXAMPLES)
    assert [e.name for e in lstm_examples()] == [n for n in EXAMPLES if n.startswith("lstm_")][:-1]
    assert [e.name for e in gru_examples()] == ["gru_gradual_update", "gru_reset_gate", "gru_full_step"]


def test_every_example_names_its_notes_file():
    for ex in all_examples():
        assert ".txt" in ex.source and ex.inputs and ex.computed, ex.name


# ----------------------------------------------------------------------------------- RNN

def test_rnn_sequence_follows_the_recurrence_and_exposes_the_arithmetic_errors_of_the_notes():
    """h_t = tanh(2.0 x_t + 0.5 h_{t-1} + 0.1), h_0 = 0, x = 0.1, 0.2, 0.3:
    a1 = 0.2 + 0 + 0.1 = 0.3,               h1 = tanh(0.3)     = 0.29131
    a2 = 0.4 + 0.5*0.29131 + 0.1 = 0.64566, h2 = tanh(0.64566) = 0.56874
    a3 = 0.6 + 0.5*0.56874 + 0.1 = 0.98437, h3 = tanh(0.98437) = 0.75495
    The notes' a2 = 0.748 and a3 = 1.217 (and so h2 = 0.634, h3 = 0.839) are wrong;
    a1 and h1 agree."""
    ex = example("rnn_sequence")
    h, expected = 0.0, {}
    for t, x in enumerate([0.1, 0.2, 0.3], start=1):
        a = 2.0 * x + 0.5 * h + 0.1
        h = math.tanh(a)
        expected[f"a{t}"], expected[f"h{t}"] = a, h
    for k, v in expected.items():
        assert abs(ex.computed[k] - v) <= TOL, k
    assert abs(ex.computed["h3"] - 0.75495) < 5e-6
    assert keys_off(ex) == ["a2", "a3", "h2", "h3"]
    # the notes' tanh evaluations are right for its own (wrong) arguments
    assert round(math.tanh(0.748), 3) == 0.634 and round(math.tanh(1.217), 3) == 0.839


def test_activation_table_matches_the_definitions_and_the_notes():
    """tanh(2) = (e^4 - 1)/(e^4 + 1) = 0.96403; sigmoid(2) = 1/(1 + e^-2) = 0.88080,
    sigmoid(-2) = 0.11920; relu(2) = 2, relu(-2) = 0. The notes (0.964, 0.88, 0.12) agrees."""
    ex = example("activation_table")
    e4 = math.exp(4)
    expected = {"tanh(2)": (e4 - 1) / (e4 + 1), "tanh(-2)": -(e4 - 1) / (e4 + 1),
                "sigmoid(2)": 1 / (1 + math.exp(-2)), "sigmoid(-2)": 1 / (1 + math.exp(2)),
                "relu(2)": 2.0, "relu(-2)": 0.0}
    for k, v in expected.items():
        assert abs(ex.computed[k] - v) <= TOL, k
    assert ex.agrees()


def test_sigmoid_outputs_at_minus_two_zero_two():
    """sigmoid(-2) = 0.1192, sigmoid(0) = 1/2, sigmoid(2) = 0.8808: the notes' [0.12, 0.5, 0.88]."""
    ex = example("sigmoid_outputs")
    for z in (-2, 0, 2):
        assert abs(ex.computed[f"sigmoid({z})"] - sig(z)) <= TOL
    assert ex.agrees()


def test_tanh_derivative_is_at_most_one_at_zero():
    """tanh'(z) = 1 - tanh(z)^2 = 4 / (e^z + e^-z)^2 <= 4 / 2^2 = 1 (AM-GM), equality at z = 0;
    tanh'(2) = 4 / (e^2 + e^-2)^2 = 0.07065. The notes' 1/||tanh'||_max = 1 agrees."""
    ex = example("tanh_derivative_bound")
    assert ex.computed["max tanh'"] == 1.0 and ex.computed["argmax z"] == 0.0
    assert abs(ex.computed["tanh'(2)"] - 4 / (math.exp(2) + math.exp(-2)) ** 2) <= TOL
    assert ex.agrees()


# ---------------------------------------------------------------------------------- LSTM

@pytest.mark.parametrize("name, prev_c, f, i, g, c_t", [
    ("lstm_partial_retention", 0.9, 0.4, 0.5, 0.3, 0.51),     # 0.36 + 0.15
    ("lstm_forget_only", 1.2, 0.4, 0.0, 0.0, 0.48),           # forget term only: 0.4 * 1.2
    ("lstm_adding_memory", 0.9, 0.5, 0.3, 0.6, 0.63),         # 0.45 + 0.18
    ("lstm_full_step", 1.0, 0.4, 0.6, 0.5, 0.7),              # 0.4 + 0.3
])
def test_lstm_cell_state_is_forget_times_old_plus_input_times_candidate(name, prev_c, f, i, g, c_t):
    """C_t = f * C_{t-1} + i * C~_t, by hand in the parameter list; the notes' C_t agrees."""
    ex = example(name)
    assert abs(ex.computed["C_t"] - (f * prev_c + i * g)) <= TOL
    assert abs(ex.computed["C_t"] - c_t) <= 1e-12
    assert ex.agrees()


@pytest.mark.parametrize("name, c_t, o, tanh_3dp, h_3dp", [
    ("lstm_output_gate", 0.8, 0.5, 0.664, 0.332),            # tanh(0.8) = 0.66404; 0.5 * 0.66404 = 0.33202
    ("lstm_full_step", 0.7, 0.7, 0.604, 0.423),              # tanh(0.7) = 0.60437; 0.7 * 0.60437 = 0.42306
    ("lstm_short_vs_long", 1.1, 0.5, 0.800, 0.400),          # tanh(1.1) = 0.80050; 0.5 * 0.80050 = 0.40025
])
def test_lstm_hidden_state_is_output_gate_times_tanh_of_cell(name, c_t, o, tanh_3dp, h_3dp):
    """h_t = o_t * tanh(C_t); tanh(c) = (e^2c - 1)/(e^2c + 1); the notes' 3-decimal values agree."""
    ex = example(name)
    t = (math.exp(2 * c_t) - 1) / (math.exp(2 * c_t) + 1)
    assert abs(ex.computed["tanh(C_t)"] - t) <= TOL
    assert abs(ex.computed["h_t"] - o * t) <= TOL
    assert round(ex.computed["h_t"], 3) == h_3dp and round(ex.computed["tanh(C_t)"], 3) == tanh_3dp
    assert ex.agrees()


def test_lstm_full_step_through_the_step_function_gives_the_same_states():
    """With zero weights and biases logit(i), logit(f), atanh(g), logit(o) the full step
    reproduces i, f, g, o exactly, so C_t = 0.7 and h_t = 0.7 tanh(0.7) = 0.42306."""
    ex = example("lstm_full_step")
    assert abs(ex.computed["C_t (lstm_step_forward)"] - 0.7) <= 1e-12
    assert abs(ex.computed["h_t (lstm_step_forward)"] - 0.7 * math.tanh(0.7)) <= 1e-12


def test_lstm_partial_retention_leaves_the_output_gate_open():
    """The notes stops at h_t = o_t tanh(0.51); the example gives tanh(0.51) = 0.46995."""
    assert abs(example("lstm_partial_retention").computed["tanh(C_t)"] - math.tanh(0.51)) <= TOL


# ----------------------------------------------------------------------------------- GRU

def test_gru_gradual_update_interpolates_old_and_candidate():
    """h_t = (1 - z) h_{t-1} + z h~ = 0.6*0.9 + 0.4*0.2 = 0.54 + 0.08 = 0.62 (the notes agree)."""
    ex = example("gru_gradual_update")
    assert abs(ex.computed["h_t"] - (0.6 * 0.9 + 0.4 * 0.2)) <= TOL
    assert ex.agrees()


def test_gru_reset_gate_candidate_and_the_truncation_in_the_notes():
    """r*h = 0.2*0.7 = 0.14; pre = 0.5*0.14 + 0.5*0.3 + 0.1 = 0.32; h~ = tanh(0.32) = 0.3095069.
    That rounds to 0.310; the notes' 0.309 is 0.000507 off, just past its half unit 0.0005."""
    ex = example("gru_reset_gate")
    pre = 0.5 * (0.2 * 0.7) + 0.5 * 0.3 + 0.1
    assert abs(ex.computed["pre-activation"] - 0.32) <= TOL
    assert abs(ex.computed["h_tilde"] - math.tanh(pre)) <= TOL
    assert keys_off(ex) == ["h_tilde"]
    assert ex.agrees(tol=1e-3)                                  # right to within one unit of the 3rd decimal


def test_gru_full_step_by_hand_and_through_the_course_step_function():
    """h~ = tanh(0.5 * (0.5*0.8) + 0.5*0.4) = tanh(0.4) = 0.379949 (notes: 0.379, truncated);
    h_t = 0.7*0.8 + 0.3*0.379949 = 0.56 + 0.113985 = 0.673985 (notes: 0.674, right).
    The course's step with r = sigmoid(0) = 0.5 and z = sigmoid(ln(0.3/0.7)) = 0.3 gives the same h_t."""
    ex = example("gru_full_step")
    h_tilde = math.tanh(0.5 * (0.5 * 0.8) + 0.5 * 0.4)
    h_t = 0.7 * 0.8 + 0.3 * h_tilde
    assert abs(sig(math.log(0.3 / 0.7)) - 0.3) <= TOL
    assert abs(ex.computed["h_tilde"] - h_tilde) <= TOL
    assert abs(ex.computed["h_t"] - h_t) <= TOL
    assert abs(ex.computed["h_t (gru_step_forward)"] - h_t) <= 1e-12
    assert keys_off(ex) == ["h_tilde"]


# ------------------------------------------------------------------------------- counts

def test_forecasting_examples_give_keras_counts():
    """SimpleRNN(64) on 5: 64*(5+64+1) = 4480; Dense(12) on 64: 780; total 5260.
    LSTM(64): 4*4480 = 17920; GRU(64) reset_after: 3*64*(5+64+2) = 13632, without: 13440.
    All states flattened: 24*64 = 1536; Dense(128): 1536*128+128 = 196736; Dense(12): 1548."""
    last = example("forecast_rnn_last_state").computed
    assert (last["simple_rnn params"], last["dense params"], last["total params"]) == (4480, 780, 5260)
    every = example("forecast_rnn_all_states").computed
    assert (every["flatten width"], every["dense_hidden params"], every["dense params"],
            every["total params"]) == (1536, 196736, 1548, 4480 + 196736 + 1548)
    cells = example("forecast_cells").computed
    assert (cells["SimpleRNN(64)"], cells["LSTM(64)"], cells["GRU(64) reset_after=True"],
            cells["GRU(64) reset_after=False"], cells["Dense(12) on 64"]) == (4480, 17920, 13632, 13440, 780)


def test_ratio_claims_hold_exactly_in_the_textbook_convention_only():
    """4h(d+h+1) / h(d+h+1) = 4, 3h(..)/h(..) = 3, 1 - 3/4 = 0.25; Keras at d=5, h=64:
    1 - 13632/17920 = 4288/17920 = 0.239286."""
    ex = example("param_ratios")
    assert ex.agrees(tol=0)
    assert abs(float(ex.computed["1 - gru/lstm (Keras, d=5, h=64)"]) - 4288 / 17920) <= TOL


def test_the_notes_formulas_agree_symbolically():
    """Notes 003: 4(dh + hh + h); table 2h^2+h, 4(2h^2+h), 3(2h^2+h): each equals the textbook formula."""
    assert example("lstm_parameter_theorem").agrees()
    assert example("cell_comparison_table").agrees()


def test_bidirectional_width_doubles_the_hidden_size():
    """RNN(10 -> 64): 64 wide. BiLSTM(10 -> 64): 2*64 = 128 wide. 2-layer BiLSTM(128 -> 256): 512, the notes' Linear(hidden_dim*2).
    Parameters (torch): layer 0: 2*4*256*(128+256+2) = 790528; layer 1: 2*4*256*(512+256+2) = 1576960."""
    ex = example("bidirectional_width")
    assert ex.agrees()
    assert ex.computed["SequenceClassifier rnn params (pytorch)"] == 790528 + 1576960


# ----------------------------------------------------------------------- the record type

def test_agreement_uses_half_a_unit_of_the_stated_last_digit():
    """'0.291' covers [0.2905, 0.2915]; '0.48' covers [0.475, 0.485]; '4480' needs 4480 (+-0.5)."""
    ex = WorkedExample("t", "seed.txt", {"x": 1}, {"a": 0.2914, "b": 0.2916, "c": 0.4849, "n": 4481},
                       {"a": "0.291", "b": "0.291", "c": "0.48", "n": "4,480"})
    off = ex.discrepancies()
    assert [d.key for d in off] == ["b", "n"]
    assert isinstance(off[0], Discrepancy) and abs(off[0].difference - 0.0006) < 1e-12
    assert off[0].tolerance == 0.0005 and off[1].tolerance == 0.5
    assert not ex.agrees() and ex.agrees(tol=1.0)


def test_a_stated_key_without_a_computed_value_is_an_error():
    ex = WorkedExample("t", "seed.txt", {}, {"a": 1.0}, {"b": "1.0"})
    with pytest.raises(KeyError, match="stated 'b' has no computed value"):
        ex.discrepancies()


def test_unknown_example_name_lists_the_names():
    with pytest.raises(KeyError, match="expected one of: rnn_sequence, activation_table"):
        example("rnn_seqence")


# -------------------------------------------------------------------------------- errata

def test_the_examples_where_the_notes_are_wrong_are_exactly_the_known_ones():
    wrong = {ex.name: keys_off(ex) for ex in all_examples() if not ex.agrees()}
    assert wrong == {"rnn_sequence": ["a2", "a3", "h2", "h3"], "gru_reset_gate": ["h_tilde"],
                     "gru_full_step": ["h_tilde"]}


def test_every_discrepancy_is_recorded_in_the_errata_with_both_numbers():
    """Each disagreeing `name.key` has a row in docs/notes_errata.md holding the stated number
    and the computed one (its first 4 decimals), under a heading with the example's name."""
    found = 0
    for ex in all_examples():
        for d in ex.discrepancies():
            found += 1
            assert f"### {ex.name}" in ERRATA, ex.name
            rows = [line for line in ERRATA.splitlines() if f"`{ex.name}.{d.key}`" in line]
            assert rows, f"{ex.name}.{d.key} missing from docs/notes_errata.md"
            assert d.stated in rows[0], rows[0]
            four_decimals = f"{math.floor(float(d.computed) * 1e4) / 1e4:.4f}"   # 0.64566 -> 0.6456
            assert four_decimals in rows[0], (rows[0], d.computed)
    assert found == 6
