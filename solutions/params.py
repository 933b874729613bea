"""How many trainable parameters a recurrent layer has, in three conventions.

A cell with G gate blocks (RNN 1, LSTM 4, GRU 3), input size d and hidden size h has,
per block, an input weight (d x h), a recurrent weight (h x h) and bias:

    textbook  one bias per block           G * h * (d + h + 1)
    pytorch   two biases (b_ih and b_hh)   G * h * (d + h + 2)
    keras     SimpleRNN, LSTM: one bias    G * h * (d + h + 1)
              GRU (reset_after=True, the default since TF 2): two bias vectors
                                           3 * h * (d + h + 2)

PyTorch's second bias adds nothing for RNN and LSTM (only b_ih + b_hh enters the
equations); in its GRU and in Keras's reset_after GRU the recurrent bias of the
candidate block sits inside r * (h W_hn + b_hn) and is a real extra parameter.

Stacks: layer 0 reads d inputs, layer l > 0 reads h (2h when bidirectional); a
bidirectional layer has two independent directions, so twice the parameters.
"""
import sympy as sp

__all__ = ["GATES", "CONVENTIONS", "param_count", "param_count_formula", "dense_param_count",
           "forecasting_model_counts"]

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
CONVENTIONS = ("textbook", "pytorch", "keras")


def _check_choice(fn, what, value, choices):
    if value not in choices:
        raise ValueError(f"{fn}: {what} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _check_size(fn, what, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{fn}: {what} must be an integer >= {minimum}; got {value!r}")


def _biases(cell, convention):
    """Bias vectors per gate block: 2 for pytorch and for Keras's reset_after GRU, else 1."""
    if convention == "pytorch" or (convention == "keras" and cell == "gru"):
        return 2
    return 1


def param_count(cell, input_size, hidden_size, *, convention="textbook", num_layers=1,
                bidirectional=False):
    """Number of trainable parameters of a (possibly stacked, bidirectional) recurrent layer.

    Inputs:
    - cell: "rnn", "lstm" or "gru".
    - input_size: d, features per time step of the layer's input (>= 1).
    - hidden_size: h, hidden units per direction (>= 1).
    - convention: "textbook", "pytorch" or "keras" (see the module docstring).
    - num_layers: L >= 1 stacked layers.
    - bidirectional: two directions per layer.

    Returns the count as an int; e.g. param_count("lstm", 5, 64, convention="keras") = 17920.
    """
    fn = "param_count"
    _check_choice(fn, "cell", cell, tuple(GATES))
    _check_choice(fn, "convention", convention, CONVENTIONS)
    _check_size(fn, "input_size", input_size)
    _check_size(fn, "hidden_size", hidden_size)
    _check_size(fn, "num_layers", num_layers)
    if not isinstance(bidirectional, bool):
        raise ValueError(f"{fn}: bidirectional must be True or False; got {bidirectional!r}")
    G, h, k = GATES[cell], hidden_size, 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        d = input_size if layer == 0 else k * h                 # layer l > 0 reads the layer below
        total += k * G * h * (d + h + _biases(cell, convention))
    return total


def param_count_formula(cell, convention="textbook"):
    """The single-layer count as a sympy expression in positive integer symbols d and h.

    E.g. param_count_formula("lstm") == 4*h*(d + h + 1).
    """
    fn = "param_count_formula"
    _check_choice(fn, "cell", cell, tuple(GATES))
    _check_choice(fn, "convention", convention, CONVENTIONS)
    d, h = sp.symbols("d h", positive=True, integer=True)
    return GATES[cell] * h * (d + h + _biases(cell, convention))


def dense_param_count(n_in, n_out):
    """A fully connected layer: an (n_in x n_out) weight and n_out biases."""
    _check_size("dense_param_count", "n_in", n_in)
    _check_size("dense_param_count", "n_out", n_out)
    return n_in * n_out + n_out


def forecasting_model_counts(cell="rnn", *, return_sequences=False, steps=24, features=5,
                             units=64, horizon=12, hidden_dense=128):
    """Layer-by-layer parameter counts of the notes' Keras forecasting model.

    The model reads (batch, steps=24, features=5) and predicts (batch, horizon=12):

    - return_sequences=False: recurrent(units) -> Dense(horizon) on the last state.
    - return_sequences=True: recurrent(units) -> Flatten (steps*units = 1536 values)
      -> Dense(hidden_dense, relu) -> Dense(horizon); hidden_dense=None drops the middle
      layer, so Dense(horizon) reads the 1536 flattened values directly.

    The recurrent layer is SimpleRNN, LSTM or GRU (Keras conventions: GRU reset_after).

    Returns a list of (layer name, output shape without batch, parameter count), the
    last entry ("total", None, sum).
    """
    fn = "forecasting_model_counts"
    _check_choice(fn, "cell", cell, tuple(GATES))
    for what, v in (("steps", steps), ("features", features), ("units", units), ("horizon", horizon)):
        _check_size(fn, what, v)
    if hidden_dense is not None:
        _check_size(fn, "hidden_dense", hidden_dense)
    name = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}[cell]
    layers = []
    if return_sequences:
        layers.append((name, (steps, units), param_count(cell, features, units, convention="keras")))
        layers.append(("flatten", (steps * units,), 0))
        n_in = steps * units                                    # Dense sees every step's state
        if hidden_dense is not None:
            layers.append(("dense_hidden", (hidden_dense,), dense_param_count(n_in, hidden_dense)))
            n_in = hidden_dense
    else:
        layers.append((name, (units,), param_count(cell, features, units, convention="keras")))
        n_in = units                                            # Dense sees the last state only
    layers.append(("dense", (horizon,), dense_param_count(n_in, horizon)))
    layers.append(("total", None, sum(n for _, _, n in layers)))
    return layers
