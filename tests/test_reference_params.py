"""Are the parameter counts right, in each convention?

Oracles: real torch modules (sum of p.numel()), the numbers Keras prints in
model.summary() derived by hand below, and closed forms checked with sympy.
"""
import itertools

import pytest
import sympy as sp

from solutions.params import (dense_param_count, forecasting_model_counts, param_count,
                              param_count_formula)

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
GRID = list(itertools.product(["rnn", "lstm", "gru"], [1, 3, 10], [1, 4, 7], [1, 2, 3], [False, True]))


def _numel(cell, d, h, L, bi):
    """sum(p.numel()) of the torch module; skips (only) the tests that need it when torch is absent."""
    torch = pytest.importorskip("torch", reason="torch modules are the oracle for the PyTorch convention")
    m = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        d, h, num_layers=L, bidirectional=bi)
    return sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize("cell, d, h, L, bi", GRID)
def test_pytorch_convention_counts_equal_the_numel_of_torch_modules(cell, d, h, L, bi):
    """162 (cell, d, h, num_layers, bidirectional) combinations, each equal to torch's count."""
    assert param_count(cell, d, h, convention="pytorch", num_layers=L, bidirectional=bi) == _numel(cell, d, h, L, bi)


@pytest.mark.parametrize("cell, d, h, L, bi", GRID[::7])
def test_textbook_count_is_pytorch_count_minus_the_second_bias(cell, d, h, L, bi):
    """PyTorch keeps b_ih and b_hh, G*h values each per layer and direction; the textbook keeps
    one bias per block. So textbook = torch numel - L * K * G * h, K = 2 if bidirectional else 1."""
    K = 2 if bi else 1
    expected = _numel(cell, d, h, L, bi) - L * K * GATES[cell] * h
    assert param_count(cell, d, h, convention="textbook", num_layers=L, bidirectional=bi) == expected


def test_keras_counts_of_the_forecasting_layers_match_what_keras_reports():
    """By hand, d = 5 features, h = 64 units:
    SimpleRNN(64): kernel 5*64 = 320, recurrent 64*64 = 4096, bias 64 -> 4480.
    LSTM(64): 4 blocks of (320 + 4096 + 64) = 4 * 4480 -> 17920.
    GRU(64), reset_after=True: kernel 5*192 = 960, recurrent 64*192 = 12288, bias (2, 192) = 384 -> 13632.
    Dense(12) on 64 inputs: 64*12 + 12 -> 780."""
    assert param_count("rnn", 5, 64, convention="keras") == 4480
    assert param_count("lstm", 5, 64, convention="keras") == 17920
    assert param_count("gru", 5, 64, convention="keras") == 13632
    assert dense_param_count(64, 12) == 780


def test_keras_reset_after_gru_counts_the_same_as_torch_gru():
    """Both keep an input and a recurrent bias per block: Keras GRU(64) on 5 features = torch nn.GRU(5, 64)."""
    assert param_count("gru", 5, 64, convention="keras") == _numel("gru", 5, 64, 1, False)


def test_keras_rnn_and_lstm_count_one_bias_like_the_textbook():
    for cell in ("rnn", "lstm"):
        for d, h in [(1, 1), (5, 64), (13, 8)]:
            assert param_count(cell, d, h, convention="keras") == param_count(cell, d, h)


def test_forecasting_model_with_last_state_has_5260_parameters():
    """SimpleRNN(64) 4480 + Dense(12) 780 = 5260; the Dense reads h_24 only (64 values)."""
    layers = forecasting_model_counts("rnn", return_sequences=False)
    assert [(n, s, c) for n, s, c in layers] == [
        ("simple_rnn", (64,), 4480), ("dense", (12,), 780), ("total", None, 5260)]


def test_forecasting_model_with_all_states_flattened_has_202764_parameters():
    """SimpleRNN(64) 4480; Flatten 24*64 = 1536 values, 0 parameters; Dense(128): 1536*128 + 128
    = 196736; Dense(12): 128*12 + 12 = 1548. Total 4480 + 196736 + 1548 = 202764.
    Without the Dense(128): Dense(12) on 1536: 1536*12 + 12 = 18444, total 22924."""
    layers = {n: (s, c) for n, s, c in forecasting_model_counts("rnn", return_sequences=True)}
    assert layers["flatten"] == ((1536,), 0)
    assert layers["dense_hidden"] == ((128,), 196736)
    assert layers["dense"] == ((12,), 1548)
    assert layers["total"][1] == 202764
    direct = {n: c for n, _, c in forecasting_model_counts("rnn", return_sequences=True, hidden_dense=None)}
    assert direct["dense"] == 18444 and direct["total"] == 22924


def test_forecasting_model_with_gru_or_lstm_swaps_in_their_keras_counts():
    """GRU(64): 13632 + 780 = 14412; LSTM(64): 17920 + 780 = 18700 (counts derived above)."""
    assert forecasting_model_counts("gru")[-1] == ("total", None, 14412)
    assert forecasting_model_counts("lstm")[-1] == ("total", None, 18700)


def test_formulas_simplify_to_the_closed_forms():
    """sympy: simplify(formula - closed form) == 0 for all nine (cell, convention) pairs."""
    d, h = sp.symbols("d h", positive=True, integer=True)
    closed = {("rnn", "textbook"): h * (d + h + 1), ("lstm", "textbook"): 4 * h * (d + h + 1),
              ("gru", "textbook"): 3 * h * (d + h + 1), ("rnn", "pytorch"): h * (d + h + 2),
              ("lstm", "pytorch"): 4 * (d * h + h * h + 2 * h), ("gru", "pytorch"): 3 * h * (d + h + 2),
              ("rnn", "keras"): d * h + h * h + h, ("lstm", "keras"): 4 * h * (d + h + 1),
              ("gru", "keras"): 3 * h * (d + h + 2)}
    for (cell, conv), expr in closed.items():
        f = param_count_formula(cell, conv)
        assert f.free_symbols == {d, h}
        assert sp.simplify(f - expr) == 0, (cell, conv)


def test_formulas_agree_with_param_count_at_sample_points():
    d, h = sp.symbols("d h", positive=True, integer=True)
    for cell, conv in itertools.product(["rnn", "lstm", "gru"], ["textbook", "pytorch", "keras"]):
        f = param_count_formula(cell, conv)
        for dv, hv in [(1, 1), (5, 64), (10, 64), (300, 7)]:
            assert int(f.subs({d: dv, h: hv})) == param_count(cell, dv, hv, convention=conv)


def test_seed_table_at_d_equals_h_matches_the_textbook_formula():
    """Notes 003' table (d = h): RNN 2h^2 + h, LSTM 4(2h^2 + h), GRU 3(2h^2 + h)."""
    d, h = sp.symbols("d h", positive=True, integer=True)
    for cell, expected in [("rnn", 2 * h**2 + h), ("lstm", 4 * (2 * h**2 + h)), ("gru", 3 * (2 * h**2 + h))]:
        assert sp.simplify(param_count_formula(cell).subs(d, h) - expected) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(cell="transformer"), "cell must be one of 'rnn', 'lstm', 'gru'; got 'transformer'"),
    (dict(convention="jax"), "convention must be one of 'textbook', 'pytorch', 'keras'; got 'jax'"),
    (dict(input_size=0), "input_size must be an integer >= 1; got 0"),
    (dict(hidden_size=2.5), "hidden_size must be an integer >= 1; got 2.5"),
    (dict(num_layers=0), "num_layers must be an integer >= 1; got 0"),
    (dict(bidirectional="yes"), "bidirectional must be True or False; got 'yes'"),
])
def test_bad_arguments_raise_naming_the_valid_choices(kwargs, message):
    args = dict(cell="lstm", input_size=5, hidden_size=64) | kwargs
    with pytest.raises(ValueError) as e:
        param_count(args.pop("cell"), args.pop("input_size"), args.pop("hidden_size"), **args)
    assert message in str(e.value)


def test_formula_and_dense_reject_bad_arguments():
    with pytest.raises(ValueError, match="convention must be one of 'textbook', 'pytorch', 'keras'; got 'tf'"):
        param_count_formula("gru", "tf")
    with pytest.raises(ValueError, match="n_out must be an integer >= 1; got -3"):
        dense_param_count(4, -3)
