"""Whole-sequence architectures built from the single-step cells.

One set of functions serves the three cells (RNN, LSTM, GRU): a sequence in one
direction, two directions (bidirectional), several layers (stacked, optionally
bidirectional), and a padded batch of sequences of different lengths (masked).

Sizes: N batch, T time steps, D input features, H hidden units, G gate blocks
(RNN 1, LSTM 4, GRU 3), L layers.

Parameters of one cell are a dict of numpy arrays (batch-first row vectors):

    {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)}        # "rnn", "lstm", "gru"
    {"Wx": (D, 3*H), "Wh": (H, 3*H), "bx": (3*H,), "bh": (3*H,)}   # "gru_pytorch"

Blocks are stacked along the last axis in PyTorch's order: LSTM i, f, g, o; GRU r, z, n.
"gru" is the notes' cell (the form of Chung et al., 2014), h_t = (1-z) h_{t-1} + z n;
"gru_pytorch" is torch.nn.GRU's cell exactly (two biases, h_t = (1-z) n + z h_{t-1},
reset applied after the recurrent product). PyTorch's W_ih = Wx.T, W_hh = Wh.T.

State convention (the same as torch): an LSTM's state is the pair (h, c). Where a
function takes an initial state ``h0`` it accepts, for an LSTM, either ``h0`` alone
(c0 = 0) or the tuple ``(h0, c0)``; where it returns a final state it returns, for
an LSTM, the tuple ``(h_n, c_n)``.

Bidirectional outputs are ``[forward, backward]`` concatenated on the last axis. The
backward direction reads the sequence from t = T-1 down to t = 0, so its *final* state
is the one at t = 0, in ``out[:, 0, H:]`` and ``h_n[1]``. The classic mistake is to
take ``out[:, -1, H:]`` as the backward summary: that is the backward state after one
step only, having seen x_{T-1} alone.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import check
from .gru import gru_step_forward, gru_step_forward_pytorch
from .layers import dropout_forward
from .lstm import lstm_step_forward
from .rnn import rnn_step_forward

__all__ = ["Cell", "CELLS", "get_cell", "check_params", "check_lengths", "sequence_forward",
           "bidirectional_forward", "stacked_forward", "masked_forward"]


@dataclass(frozen=True)
class Cell:
    """A recurrent cell as the sequence functions see it.

    name:    registry key ("rnn", "lstm", "gru", "gru_pytorch").
    step:    the reference step function of ``solutions``.
    gates:   number of gate blocks G stacked in Wx, Wh, b (1, 4, 3).
    has_c:   True for the LSTM, whose state carries a cell state c besides h.
    biases:  names of the bias entries of the params dict.
    """

    name: str
    step: Callable
    gates: int
    has_c: bool = False
    biases: tuple = ("b",)

    def advance(self, x, h, c, params):
        """One step: (x_t (N, D), h (N, H), c (N, H) or None) -> (next_h, next_c or None)."""
        if self.has_c:
            next_h, next_c, _ = self.step(x, h, c, params["Wx"], params["Wh"], params["b"])
            return next_h, next_c
        if self.name == "gru_pytorch":
            return self.step(x, h, params["Wx"], params["Wh"], params["bx"], params["bh"]), None
        next_h, _ = self.step(x, h, params["Wx"], params["Wh"], params["b"])
        return next_h, None


CELLS = {
    "rnn": Cell("rnn", rnn_step_forward, 1),
    "lstm": Cell("lstm", lstm_step_forward, 4, has_c=True),
    "gru": Cell("gru", gru_step_forward, 3),
    "gru_pytorch": Cell("gru_pytorch", gru_step_forward_pytorch, 3, biases=("bx", "bh")),
}


def get_cell(cell, fn="get_cell"):
    """The registry entry for ``cell`` (a name or a Cell); ValueError naming the choices."""
    if isinstance(cell, Cell):
        return cell
    if cell not in CELLS:
        raise ValueError(f"{fn}: cell must be one of {', '.join(map(repr, CELLS))}; got {cell!r}")
    return CELLS[cell]


def check_params(cell, params, fn="check_params", name="params", sizes=None):
    """Validate one cell's params dict; return (D, H).

    ``sizes`` (optional) is the symbol table of ``_validate.check``; passing one lets
    later checks (x, h0) name these arrays in their messages.

    Raises TypeError if ``params`` is not a dict of arrays, ValueError naming the
    missing or extra keys, or the expected and actual shapes.
    """
    c = get_cell(cell, fn)
    expected = ("Wx", "Wh") + c.biases
    if not isinstance(params, dict):
        raise TypeError(f"{fn}: {name} must be a dict with keys {', '.join(expected)}; "
                        f"got {type(params).__name__}")
    if set(params) != set(expected):
        raise ValueError(f"{fn}: {name} for cell {c.name!r} must have keys {sorted(expected)}; "
                         f"got {sorted(params)}")
    sizes = {} if sizes is None else sizes
    try:
        check(fn, f"{name}['Wh']", params["Wh"], ("H", (c.gates, "H")), sizes)
        check(fn, f"{name}['Wx']", params["Wx"], ("D", (c.gates, "H")), sizes)
        for b in c.biases:
            check(fn, f"{name}[{b!r}]", params[b], ((c.gates, "H"),), sizes)
    except ValueError as e:                                     # say which cell fixed the block count
        raise ValueError(f"{e} (cell {c.name!r} stacks {c.gates} gate block"
                         f"{'s' if c.gates > 1 else ''} of H columns)") from None
    return sizes["D"][0], sizes["H"][0]


def _check_x(x, sizes, fn):
    check(fn, "x", x, ("N", "T", "D"), sizes)
    return x.shape[0], x.shape[1]


def _initial(c, h0, c0, sizes, fn, what="h0"):
    """Split and check an initial state; zeros where it is None. Returns (h0, c0 or None)."""
    if isinstance(h0, tuple):
        if not c.has_c:
            raise ValueError(f"{fn}: {what} for cell {c.name!r} must be one array (N, H); got a tuple")
        if c0 is not None:
            raise ValueError(f"{fn}: give c0 either inside {what}=(h0, c0) or as c0, not both")
        if len(h0) != 2:
            raise ValueError(f"{fn}: {what} for an LSTM must be (h0, c0); got a tuple of {len(h0)}")
        h0, c0 = h0
    if c0 is not None and not c.has_c:
        raise ValueError(f"{fn}: c0 is only for an LSTM; cell {c.name!r} has no cell state")
    N, H = sizes["N"][0], sizes["H"][0]
    h0 = np.zeros((N, H)) if h0 is None else h0
    check(fn, what, h0, ("N", "H"), sizes)
    if c.has_c:
        c0 = np.zeros((N, H)) if c0 is None else c0
        check(fn, "c0", c0, ("N", "H"), sizes)
    return h0, c0


def sequence_forward(cell, x, h0, params, *, reverse=False, c0=None):
    """Run one cell over a whole sequence, in one direction.

    Inputs:
    - cell: "rnn", "lstm", "gru" or "gru_pytorch".
    - x: input sequence of shape (N, T, D).
    - h0: initial hidden state of shape (N, H), or None for zeros (LSTM: may be (h0, c0)).
    - params: the cell's params dict (see the module docstring).
    - reverse: read x from t = T-1 down to t = 0 (the backward direction).
    - c0: LSTM initial cell state of shape (N, H), or None for zeros.

    Returns a tuple of:
    - h_all: hidden states of shape (N, T, H); h_all[:, t] is the state after reading
      x_t, in the original time order also when reverse=True.
    - h_last: the final hidden state of shape (N, H): at t = T-1, or at t = 0 when reversed.
    - c_last: the LSTM's final cell state of shape (N, H); None for the other cells.
    """
    fn = "sequence_forward"
    c = get_cell(cell, fn)
    sizes = {}
    D, H = check_params(c, params, fn, sizes=sizes)
    N, T = _check_x(x, sizes, fn)
    h, cs = _initial(c, h0, c0, sizes, fn)
    h_all = np.zeros((N, T, H))                                 # (N, T, H)
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h, cs = c.advance(x[:, t], h, cs, params)               # one step of the recurrence
        h_all[:, t] = h
    return h_all, h, cs


def _bidir(c, x, params_fwd, params_bwd, h0, c0, fn):
    """Both directions of one layer: (out (N, T, 2H), [(h, c) fwd, (h, c) bwd])."""
    hf, hb = (None, None) if h0 is None else (h0[0], h0[1])
    cf, cb = (None, None) if c0 is None else (c0[0], c0[1])
    out_f, h_f, c_f = sequence_forward(c, x, hf, params_fwd, c0=cf)
    out_b, h_b, c_b = sequence_forward(c, x, hb, params_bwd, c0=cb, reverse=True)
    return np.concatenate([out_f, out_b], axis=-1), [(h_f, c_f), (h_b, c_b)]  # [fwd, bwd]


def _split_state(c, h0, fn):
    """An initial state argument -> (h0, c0) with c0 None for RNN/GRU."""
    if isinstance(h0, tuple):
        if not c.has_c or len(h0) != 2:
            raise ValueError(f"{fn}: a tuple initial state (h0, c0) is only for an LSTM; "
                             f"got a tuple of {len(h0)} for cell {c.name!r}")
        return h0
    return h0, None


def _pack_state(c, states):
    """[(h, c), ...] -> h_n (K, N, H), or (h_n, c_n) for an LSTM."""
    h_n = np.stack([s[0] for s in states])
    return (h_n, np.stack([s[1] for s in states])) if c.has_c else h_n


def bidirectional_forward(cell, x, params_fwd, params_bwd, h0=None):
    """A bidirectional layer: one cell reads x forward, another backward; outputs concatenated.

    The backward direction runs over the reversed sequence and its states are put back
    in the original order, so out[:, t] = [h_fwd_t, h_bwd_t] both belong to step t, like
    torch.nn.RNN/LSTM/GRU(bidirectional=True, batch_first=True).

    Inputs:
    - cell: "rnn", "lstm", "gru" or "gru_pytorch".
    - x: input sequence of shape (N, T, D).
    - params_fwd, params_bwd: params dicts of the two directions (same H).
    - h0: initial states of shape (2, N, H) ([0] forward, [1] backward) or None for zeros;
      for an LSTM also the tuple (h0, c0) of two such arrays.

    Returns a tuple of:
    - out: of shape (N, T, 2H); out[..., :H] forward, out[..., H:] backward.
    - h_n: final states of shape (2, N, H): h_n[0] the forward state at t = T-1,
      h_n[1] the backward state at t = 0 (NOT out[:, -1, H:], which is the backward
      state after its first step). For an LSTM the tuple (h_n, c_n).
    """
    fn = "bidirectional_forward"
    c = get_cell(cell, fn)
    _, Hf = check_params(c, params_fwd, fn, "params_fwd")
    _, Hb = check_params(c, params_bwd, fn, "params_bwd")
    if Hf != Hb:
        raise ValueError(f"{fn}: both directions must have the same hidden size H; "
                         f"got {Hf} (params_fwd) and {Hb} (params_bwd)")
    h0, c0 = _split_state(c, h0, fn)
    for name, s in (("h0", h0), ("c0", c0)):
        if s is not None and (np.ndim(s) != 3 or np.shape(s)[0] != 2):
            raise ValueError(f"{fn}: {name} must have shape (2, N, H) (forward, backward); "
                             f"got {np.shape(s)}")
    out, states = _bidir(c, x, params_fwd, params_bwd, h0, c0, fn)
    return out, _pack_state(c, states)


def stacked_forward(cell, x, layer_params, h0s=None, *, bidirectional=False, dropout=0.0, train=False,
                    rng=None):
    """Several recurrent layers: layer l reads the output sequence of layer l-1.

    Matches torch.nn.RNN/LSTM/GRU(num_layers=L, bidirectional=..., batch_first=True,
    dropout=...). With bidirectional=True every layer has two directions and the next
    layer reads their concatenated (N, T, 2H) output. Dropout, as in torch, acts on the
    output sequence of every layer but the last, i.e. between stacked layers (never on
    the top layer's output, never on the states carried from step to step): in training
    (train=True) inverted dropout with probability ``dropout`` (``layers.dropout_forward``),
    in evaluation nothing.

    Inputs:
    - cell: "rnn", "lstm", "gru" or "gru_pytorch".
    - x: input sequence of shape (N, T, D).
    - layer_params: list of L params dicts (layer 0 first) or, when bidirectional, a
      list of L pairs (params_fwd, params_bwd). Layer 0's Wx has D rows, later layers'
      H rows (2H when bidirectional). All layers have the same H.
    - h0s: initial states of shape (L*K, N, H), K = 2 if bidirectional else 1, in torch's
      order (layer 0 forward, layer 0 backward, layer 1 forward, ...), or None for zeros;
      for an LSTM also the tuple (h0s, c0s).
    - bidirectional: whether each layer has a backward direction.
    - dropout: probability of zeroing an entry of a lower layer's output, 0 <= dropout < 1.
    - train: whether dropout is active (torch's module.train()); False is module.eval().
    - rng: a numpy Generator for the dropout masks, needed when train and dropout > 0.

    Returns a tuple of:
    - out: the last layer's outputs of shape (N, T, H), or (N, T, 2H) if bidirectional.
    - h_n: final states of shape (L*K, N, H) in the order of h0s; for an LSTM (h_n, c_n).
    """
    fn = "stacked_forward"
    c = get_cell(cell, fn)
    if not isinstance(layer_params, (list, tuple)) or len(layer_params) == 0:
        raise ValueError(f"{fn}: layer_params must be a non-empty list of per-layer params; "
                         f"got {type(layer_params).__name__} of length {len(layer_params) if hasattr(layer_params, '__len__') else 'n/a'}")
    K = 2 if bidirectional else 1
    L = len(layer_params)
    if train and dropout > 0 and L > 1 and not isinstance(rng, np.random.Generator):
        raise TypeError(f"{fn}: training with dropout = {dropout} draws random masks between the layers: "
                        f"pass rng=np.random.default_rng(seed); got rng={rng!r}")
    Hs = set()
    for l, p in enumerate(layer_params):
        if bidirectional:
            if not (isinstance(p, (list, tuple)) and len(p) == 2):
                raise ValueError(f"{fn}: with bidirectional=True, layer_params[{l}] must be a pair "
                                 f"(params_fwd, params_bwd); got {type(p).__name__}")
            Hs |= {check_params(c, q, fn, f"layer_params[{l}][{k}]")[1] for k, q in enumerate(p)}
        else:
            if isinstance(p, (list, tuple)):
                raise ValueError(f"{fn}: layer_params[{l}] is a pair; pass bidirectional=True "
                                 f"for a bidirectional stack, or one params dict per layer")
            Hs.add(check_params(c, p, fn, f"layer_params[{l}]")[1])
    if len(Hs) != 1:
        raise ValueError(f"{fn}: all layers must have the same hidden size H (as in torch); got {sorted(Hs)}")
    H = Hs.pop()
    for l, p in enumerate(layer_params):
        for k, q in enumerate(p if bidirectional else [p]):
            want = np.shape(x)[-1] if l == 0 else K * H
            if q["Wx"].shape[0] != want:
                where = f"layer_params[{l}][{k}]" if bidirectional else f"layer_params[{l}]"
                src = "x's D" if l == 0 else f"{K}*H, the width of layer {l - 1}'s output"
                raise ValueError(f"{fn}: {where}['Wx'] must have {want} rows ({src}); "
                                 f"got shape {q['Wx'].shape}")
    h0s, c0s = _split_state(c, h0s, fn)
    for name, s in (("h0s", h0s), ("c0s", c0s)):
        if s is not None and (np.ndim(s) != 3 or np.shape(s)[0] != L * K):
            raise ValueError(f"{fn}: {name} must have shape (L*{K}, N, H) = ({L * K}, N, H); got {np.shape(s)}")
    states = []
    inp = x                                                     # (N, T, D) for layer 0
    for l, p in enumerate(layer_params):
        hl = None if h0s is None else h0s[l * K:(l + 1) * K]
        cl = None if c0s is None else c0s[l * K:(l + 1) * K]
        if bidirectional:
            inp, st = _bidir(c, inp, p[0], p[1], hl, cl, fn)    # (N, T, 2H) feeds layer l+1
        else:
            inp, h, cs = sequence_forward(c, inp, None if hl is None else hl[0], p,
                                          c0=None if cl is None else cl[0])
            st = [(h, cs)]                                      # (N, T, H) feeds layer l+1
        states += st
        if l < L - 1:                                           # between layers only
            inp, _ = dropout_forward(inp, dropout, train=train, rng=rng)
    return inp, _pack_state(c, states)


def check_lengths(lengths, N, T, fn="check_lengths"):
    """Validate sequence lengths: integers of shape (N,), each 1 <= length <= T. Returns int array."""
    arr = np.asarray(lengths)
    if arr.shape != (N,):
        raise ValueError(f"{fn}: lengths must have shape (N,) = ({N},), one per sequence; got {arr.shape}")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))):
        raise ValueError(f"{fn}: lengths must be integers; got {arr.tolist()} (dtype {arr.dtype})")
    arr = arr.astype(int)
    bad = (arr < 1) | (arr > T)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"{fn}: every length must satisfy 1 <= length <= T = {T}; "
                         f"got lengths[{k}] = {arr[k]}")
    return arr


def masked_forward(cell, x, lengths, params, h0=None, *, reverse=False):
    """Run a cell over a right-padded batch of sequences of different lengths.

    Sequence n is real for t < lengths[n] and padding after. A padding step leaves the
    state unchanged (h_t = h_{t-1}, and c_t = c_{t-1} for an LSTM) and its output is 0,
    which is what torch gives with pack_padded_sequence(..., enforce_sorted=False) and
    pad_packed_sequence.

    With reverse=True (the backward direction of a bidirectional layer) the padding is
    skipped first, so sequence n's backward pass starts at its own last real step
    t = lengths[n] - 1, as torch's reverse direction does on a packed batch; reversing
    the padded array instead would feed it the padding first.

    Inputs:
    - cell: "rnn", "lstm", "gru" or "gru_pytorch".
    - x: padded input of shape (N, T, D); the values at padding steps are never read
      into the state.
    - lengths: integer array of shape (N,), 1 <= lengths[n] <= T.
    - params: the cell's params dict.
    - h0: initial hidden state of shape (N, H) or None for zeros (LSTM: may be (h0, c0)).
    - reverse: read each sequence from its last real step down to t = 0.

    Returns a tuple of:
    - h_all: of shape (N, T, H); the hidden state at real steps, 0 at padding steps.
    - h_final: of shape (N, H); h_final[n] is the state at t = lengths[n] - 1 (not at
      t = T-1), or at t = 0 when reverse=True. For an LSTM the tuple (h_final, c_final).
    """
    fn = "masked_forward"
    c = get_cell(cell, fn)
    sizes = {}
    D, H = check_params(c, params, fn, sizes=sizes)
    N, T = _check_x(x, sizes, fn)
    lengths = check_lengths(lengths, N, T, fn)
    h, cs = _initial(c, h0, None, sizes, fn)
    h_all = np.zeros((N, T, H))                                 # (N, T, H), 0 at padding
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        real = (t < lengths)[:, None]                           # (N, 1): step t is not padding
        nh, nc = c.advance(x[:, t], h, cs, params)
        h = np.where(real, nh, h)                               # padding keeps the old state
        if c.has_c:
            cs = np.where(real, nc, cs)
        h_all[:, t] = np.where(real, h, 0.0)
    return h_all, ((h, cs) if c.has_c else h)
