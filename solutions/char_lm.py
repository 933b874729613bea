"""A character-level language model in numpy: the reference of assignment a7 and lecture 09.

The model reads a text one character at a time and predicts the next one:

    x_t = W_embed[c_t]                      embedding of the character at t, (N, E)
    h_t = cell(x_t, state_{t-1})            RNN, LSTM or GRU of solutions/{rnn,lstm,gru}.py
    s_t = h_t W_out + b_out                 scores over the V characters, (N, V)
    L   = mean over the unmasked tokens of -log softmax(s_t)[c_{t+1}]

so the perplexity of a text is exp(L) over all its tokens: a model that spreads its
probability evenly over k characters has perplexity k (uniform over the vocabulary: V).

Shapes, in the course's batch-first notation: N rows (streams), T steps per chunk, V the
vocabulary size, E the embedding size, H hidden units. Index arrays (characters, labels)
are integer arrays of shape (N, T); masks are (N, T) of 0/1.

Public API (every function documented below; the lecture and the assignment use these names):

- text: ``load_corpus()`` -> str (``autograder.corpus``: 127 KB of CPython's stdlib),
  ``split_corpus(text)`` -> (train, valid, test) at 80 % and 90 %,
  ``build_vocab(text)`` -> (chars, char_to_ix), ``encode(text, char_to_ix)`` -> int array,
  ``decode(ix, chars)`` -> str, ``stream_batches(ids, N, T)`` -> the contiguous chunks.
- layers: ``embedding_forward(idx, W) -> (out, cache)``, ``embedding_backward(dout, cache) -> dW``,
  ``temporal_affine_forward(h, W, b) -> (out, cache)``,
  ``temporal_affine_backward(dout, cache) -> (dh, dW, db)``,
  ``temporal_softmax_loss(scores, y, mask) -> (loss, dscores)`` (mean over unmasked tokens),
  ``temperature_softmax(scores, temperature) -> p``.
- the LSTM over a chunk with its state carried in and out:
  ``lstm_forward(x, h0, c0, Wx, Wh, b) -> (h, c_last, cache)`` and
  ``lstm_backward(dh, dc_last, cache) -> (dx, dh0, dc0, dWx, dWh, db)``; the RNN and the GRU
  use ``solutions.rnn.rnn_forward/rnn_backward`` and ``solutions.gru.gru_forward/gru_backward``
  as they are (their state is h alone: the last column of h). ``solutions.lstm.lstm_forward``
  starts from c0 = 0 and does not return c_T, which a stream needs: hence the two here.
- training: ``init_params(cell, V, rng, E, H)``, ``chunk_loss(cell, params, x, y, state, mask)``
  -> (loss, grads, new_state): one step of truncated BPTT (forward from the carried state,
  backward to the chunk's start, the state's own gradient dropped);
  ``stream_losses(cell, params, x, y, T, state)`` -> (losses per chunk, last state);
  ``clip_by_global_norm`` (``solutions.clipping``); ``adam_update``; ``train(cell, seed, ...)``
  -> (CharLM, history); ``RECIPE``, the sizes of the assignment's graded run.
- using a model: ``CharLM(cell, chars, params)``; ``perplexity(model, text)``;
  ``sample(model, seed_text, n, temperature, rng)`` -> the seed text and n sampled characters.
- grading: ``score_perplexity(outputs, inputs)``, the held-out perplexity of a trained model
  on a slice of the test part chosen by the case's seed (``autograder/specs/a7_char_lm.py``).

Truncated BPTT with carried state: the training text is cut into N equal rows, and chunk k
of the stream is columns [kT, (k+1)T) of every row (``stream_batches``). Chunk k+1 continues
chunk k in every row, so the state at the end of chunk k is the right initial state of
chunk k+1: the forward carries it; the backward stops at the chunk's start (the gradient
on the carried state is dropped, PyTorch's ``h.detach()``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .clipping import clip_by_global_norm
from .gru import gru_backward, gru_forward
from . import layers
from .initial_state import lstm_backward_to_state, lstm_forward_from_state
from .optim import adam_update
from .rnn import rnn_backward, rnn_forward

__all__ = ["load_corpus", "split_corpus", "build_vocab", "encode", "decode", "stream_batches",
           "embedding_forward", "embedding_backward", "temporal_affine_forward", "temporal_affine_backward",
           "temporal_softmax_loss", "temperature_softmax", "lstm_forward", "lstm_backward", "GATES",
           "init_params", "zero_state", "chunk_loss", "stream_losses", "clip_by_global_norm", "adam_update",
           "CharLM", "train", "perplexity", "sample", "RECIPE", "score_perplexity", "HELD_OUT_CHARS"]

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
#: the recipe of the assignment's graded training run: N rows, T steps per chunk, E
#: embedding size, H hidden units, Adam's learning rate, the clipping norm, the steps
RECIPE = dict(N=16, T=16, E=16, H=32, lr=2e-2, clip=5.0, steps=200)
HELD_OUT_CHARS = 2000          # the length of a graded held-out slice of the test part


# -- text ------------------------------------------------------------------------------------

def load_corpus() -> str:
    """The course corpus (``autograder.corpus.load_corpus``): CPython stdlib modules, one str."""
    from autograder.corpus import load_corpus as _load

    return _load()


def split_corpus(text, fractions=(0.8, 0.9)):
    """(train, valid, test): ``text`` cut in order at ``fractions`` of its length."""
    from autograder.corpus import split_corpus as _split

    return _split(text, fractions)


def build_vocab(text):
    """The characters of ``text``, sorted, and the map back: (chars, char_to_ix).

    chars is a str of the V distinct characters in code-point order; char_to_ix[chars[k]] = k.
    """
    chars = "".join(sorted(set(text)))
    return chars, {ch: k for k, ch in enumerate(chars)}


def encode(text, char_to_ix):
    """The indices of ``text``'s characters, an int64 array of shape (len(text),).

    Raises KeyError naming a character that is not in the vocabulary.
    """
    try:
        return np.fromiter((char_to_ix[ch] for ch in text), dtype=np.int64, count=len(text))
    except KeyError as exc:
        raise KeyError(f"encode: the character {exc.args[0]!r} is not in the vocabulary "
                       f"({len(char_to_ix)} characters)") from None


def decode(ix, chars):
    """The text of the indices ``ix`` (any int array or list)."""
    return "".join(chars[int(k)] for k in np.ravel(ix))


def stream_batches(ids, N, T):
    """Cut a stream of indices into N rows and the rows into consecutive chunks of T steps.

    Row n is ids[n*L:(n+1)*L] with L = len(ids) // N (the remainder is dropped). Chunk k is
    x = rows[:, kT:(k+1)T], y = rows[:, kT+1:(k+1)T+1]: the next character of each x; the
    last chunk may be shorter. Chunk k+1 continues chunk k in every row.

    Returns a list of (x, y), each of shape (N, T_k), int64.
    """
    ids = np.asarray(ids)
    L = len(ids) // N
    if L < 2:
        raise ValueError(f"stream_batches: {len(ids)} indices cannot make {N} rows of at least 2")
    rows = ids[:N * L].reshape(N, L)
    return [(rows[:, k:min(k + T, L - 1)], rows[:, k + 1:min(k + T, L - 1) + 1]) for k in range(0, L - 1, T)]


# -- layers ------------------------------------------------------------------------------------

def _indices(a, fn, name):
    """``a`` as an int64 array: integers, or floats that are whole numbers (the grader lends a
    correct function to a student's code with its arguments as float64 arrays)."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
        return a.astype(np.int64)
    raise TypeError(f"{fn}: {name} must be an array of integers (character indices); got dtype {a.dtype}"
                    + (" with values that are not whole numbers" if a.dtype.kind == "f" else ""))


def embedding_forward(idx, W):
    """Look up the rows of W: out[n, t] = W[idx[n, t]].

    Inputs:
    - idx: integer array of shape (N, T), values in [0, V)
    - W: embedding matrix of shape (V, E)

    Returns a tuple of:
    - out: of shape (N, T, E)
    - cache: (idx, V), for embedding_backward

    The same as one-hot vectors times W: onehot(idx) @ W.
    """
    idx = _indices(idx, "embedding_forward", "idx")
    return layers.embedding_forward(idx, W), (idx, W.shape[0])


def embedding_backward(dout, cache):
    """Gradient of the embedding: dW[v] = sum of dout[n, t] over the (n, t) with idx[n, t] = v.

    A character that occurs twice gets both gradients added (``np.add.at``; ``dW[idx] +=
    dout`` would keep only one of them).

    Inputs:
    - dout: upstream gradient of shape (N, T, E)
    - cache: from embedding_forward

    Returns dW of shape (V, E).
    """
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]), dtype=np.result_type(dout, np.float64))
    np.add.at(dW, idx, dout)
    return dW


def temporal_affine_forward(h, W, b):
    """Scores of every step: out[n, t] = h[n, t] W + b.

    Inputs: h (N, T, H), W (H, V), b (V,). Returns (out of shape (N, T, V), cache).
    """
    N, T, H = h.shape
    return (h.reshape(N * T, H) @ W + b).reshape(N, T, -1), (h, W)


def temporal_affine_backward(dout, cache):
    """Backward of temporal_affine_forward: (dh (N, T, H), dW (H, V), db (V,))."""
    h, W = cache
    N, T, H = h.shape
    d2 = dout.reshape(N * T, -1)
    return (d2 @ W.T).reshape(N, T, H), h.reshape(N * T, H).T @ d2, d2.sum(axis=0)


def _log_softmax(scores):
    shifted = scores - scores.max(axis=-1, keepdims=True)     # exp of at most 0: no overflow
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def temporal_softmax_loss(scores, y, mask):
    """Mean cross-entropy over the unmasked tokens, and its gradient.

    L = sum_{n,t} mask[n,t] * -log softmax(scores[n,t])[y[n,t]] / sum_{n,t} mask[n,t]

    so exp(L) is the perplexity of the unmasked tokens. Each row's maximum is subtracted
    before exp (the softmax does not change, exp cannot overflow).

    Inputs:
    - scores: of shape (N, T, V)
    - y: integer targets of shape (N, T), values in [0, V) (whole numbers in a float array
      are accepted)
    - mask: of shape (N, T), 1 where a token counts and 0 where it does not (padding);
      at least one entry must be 1

    Returns a tuple of:
    - loss: a float
    - dscores: of shape (N, T, V), mask * (softmax(scores) - onehot(y)) / sum(mask)
    """
    N, T, V = scores.shape
    mask = np.asarray(mask, dtype=np.float64)
    count = mask.sum()
    if count <= 0:
        raise ValueError("temporal_softmax_loss: the mask selects no token; at least one entry must be 1")
    log_p = _log_softmax(scores.reshape(N * T, V))
    y2, m2 = _indices(y, "temporal_softmax_loss", "y").reshape(N * T), mask.reshape(N * T)
    rows = np.arange(N * T)
    loss = -(m2 * log_p[rows, y2]).sum() / count
    dscores = np.exp(log_p)
    dscores[rows, y2] -= 1
    dscores *= (m2 / count)[:, None]
    return float(loss), dscores.reshape(N, T, V)


def temperature_softmax(scores, temperature):
    """softmax(scores / temperature) over the last axis: the distribution sampling draws from.

    temperature < 1 sharpens the distribution (towards the argmax), > 1 flattens it
    (towards uniform); the maximum is subtracted after the division, so a small
    temperature cannot overflow exp.
    """
    if not temperature > 0:
        raise ValueError(f"temperature_softmax: temperature must be > 0; got {temperature}")
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# -- the LSTM over a chunk, with its state carried in and out ----------------------------------

def lstm_forward(x, h0, c0, Wx, Wh, b):
    """Run an LSTM over a chunk from the state (h0, c0) (lstm_step_forward at every step).

    Inputs:
    - x: of shape (N, T, D)
    - h0, c0: initial hidden and cell state, of shape (N, H)
    - Wx (D, 4H), Wh (H, 4H), b (4H,): blocks i, f, g, o

    Returns a tuple of:
    - h: hidden states of all steps, of shape (N, T, H)
    - c_last: the cell state after the last step, of shape (N, H) (h[:, -1] is the hidden one)
    - cache: the steps' caches, for lstm_backward
    """
    return lstm_forward_from_state(x, h0, c0, Wx, Wh, b, fn="lstm_forward")


def lstm_backward(dh, dc_last, cache):
    """Backward pass of lstm_forward: backpropagation through the whole chunk.

    The gradient on h_t is dh[:, t] plus what step t+1 sends back into h_t; the gradient on
    c_t is what step t+1 sends into c_t (dc_last at the last step).

    Inputs:
    - dh: upstream gradients on every hidden state, of shape (N, T, H)
    - dc_last: upstream gradient on c_last, of shape (N, H) (zeros when only h is used)
    - cache: from lstm_forward

    Returns a tuple of:
    - dx: of shape (N, T, D)
    - dh0, dc0: of shape (N, H), the gradients on the initial state
    - dWx (D, 4H), dWh (H, 4H), db (4H,)
    """
    return lstm_backward_to_state(dh, cache, dc_last, fn="lstm_backward")


def _cell_forward(cell, x, state, p):
    """(h (N, T, H), new state, cache) of the cell over a chunk from ``state``: (h, c) for the
    LSTM, h for the others."""
    if cell == "lstm":
        h, c, cache = lstm_forward(x, state[0], state[1], p["Wx"], p["Wh"], p["b"])
        return h, (h[:, -1], c), cache
    forward = gru_forward if cell == "gru" else rnn_forward
    h, cache = forward(x, state, p["Wx"], p["Wh"], p["b"])
    return h, h[:, -1], cache


def _cell_backward(cell, dh, cache):
    """(dx, dWx, dWh, db) of a chunk; the gradient on the initial state is dropped (the
    truncation: the state came from the previous chunk, whose graph is gone)."""
    if cell == "lstm":
        dx, _, _, dWx, dWh, db = lstm_backward(dh, np.zeros_like(dh[:, 0]), cache)
    else:
        dx, _, dWx, dWh, db = (gru_backward if cell == "gru" else rnn_backward)(dh, cache)
    return dx, dWx, dWh, db


# -- the model and its training ------------------------------------------------------------------

def init_params(cell, V, rng, E=RECIPE["E"], H=RECIPE["H"]):
    """The parameters of a char-level model, drawn from ``rng`` in this order.

    W_embed (V, E) ~ N(0, 1); Wx (E, GH) ~ N(0, 1)/sqrt(E); Wh (H, GH) ~ N(0, 1)/sqrt(H);
    b = 0 except the LSTM's forget block (1.0, block 1 of i, f, g, o); W_out (H, V) ~
    N(0, 1)/sqrt(H); b_out = 0. G = 1, 4, 3 for rnn, lstm, gru.
    """
    if cell not in GATES:
        raise ValueError(f"init_params: cell must be one of {', '.join(map(repr, GATES))}; got {cell!r}")
    G = GATES[cell]
    p = {"W_embed": rng.standard_normal((V, E)),
         "Wx": rng.standard_normal((E, G * H)) / np.sqrt(E),
         "Wh": rng.standard_normal((H, G * H)) / np.sqrt(H),
         "b": np.zeros(G * H)}
    if cell == "lstm":
        p["b"][H:2 * H] = 1.0                                 # the forget gate starts half open or more
    p["W_out"] = rng.standard_normal((H, V)) / np.sqrt(H)
    p["b_out"] = np.zeros(V)
    return p


def zero_state(cell, N, H):
    """The state a stream starts from: zeros, (h, c) for the LSTM, h otherwise."""
    return (np.zeros((N, H)), np.zeros((N, H))) if cell == "lstm" else np.zeros((N, H))


def chunk_loss(cell, params, x, y, state, mask=None):
    """One step of truncated BPTT on a chunk: the loss, the gradients, the state to carry.

    Inputs:
    - cell: "rnn", "lstm" or "gru"
    - params: dict of W_embed, Wx, Wh, b, W_out, b_out
    - x, y: integer arrays of shape (N, T): characters and the next characters
    - state: the state the previous chunk ended in (``zero_state`` at the start)
    - mask: (N, T) of 0/1, or None for all ones

    Returns (loss, grads: dict like params, new_state). The new state is the forward's last
    state; its gradient is not taken back beyond this chunk.
    """
    mask = np.ones(x.shape) if mask is None else mask
    emb, emb_cache = embedding_forward(x, params["W_embed"])
    h, new_state, cell_cache = _cell_forward(cell, emb, state, params)
    scores, aff_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dscores = temporal_softmax_loss(scores, y, mask)
    dh, dW_out, db_out = temporal_affine_backward(dscores, aff_cache)
    demb, dWx, dWh, db = _cell_backward(cell, dh, cell_cache)
    grads = {"W_embed": embedding_backward(demb, emb_cache), "Wx": dWx, "Wh": dWh, "b": db,
             "W_out": dW_out, "b_out": db_out}
    return loss, grads, new_state


def _forward_loss(cell, params, x, y, state):
    """The mean loss of a chunk and its last state, without the backward."""
    emb, _ = embedding_forward(x, params["W_embed"])
    h, new_state, _ = _cell_forward(cell, emb, state, params)
    scores, _ = temporal_affine_forward(h, params["W_out"], params["b_out"])
    N, T, V = scores.shape
    log_p = _log_softmax(scores.reshape(N * T, V))
    return float(-log_p[np.arange(N * T), np.asarray(y).reshape(-1)].mean()), new_state


def stream_losses(cell, params, x, y, T, state):
    """The mean loss of each chunk of T steps of a stream, the state carried from chunk to chunk.

    Inputs:
    - x, y: integer arrays of shape (N, L), characters and next characters of N rows
    - T: chunk length; chunk k is columns [kT, (k+1)T) (the last may be shorter)
    - state: the initial state

    Returns (losses of shape (K,), the last state).
    """
    losses = []
    for k in range(0, x.shape[1], T):
        loss, state = _forward_loss(cell, params, x[:, k:k + T], y[:, k:k + T], state)
        losses.append(loss)
    return np.array(losses), state


@dataclass
class CharLM:
    """A trained character-level model: its cell, its vocabulary and its parameters."""

    cell: str
    chars: str
    params: dict = field(repr=False)

    @property
    def char_to_ix(self):
        return {ch: k for k, ch in enumerate(self.chars)}

    @property
    def H(self):
        return self.params["Wh"].shape[0]


def train(cell, seed, *, text=None, steps=RECIPE["steps"], N=RECIPE["N"], T=RECIPE["T"], E=RECIPE["E"],
          H=RECIPE["H"], lr=RECIPE["lr"], clip=RECIPE["clip"], log_every=0, on_step=None):
    """Train a char-level model on the training part of the corpus with truncated BPTT.

    The recipe: vocabulary of the whole corpus; ``init_params(cell, V, rng, E, H)`` with
    rng = default_rng(seed); the training part as N rows cut into chunks of T steps
    (``stream_batches``), taken in order, the state carried from chunk to chunk and reset to
    zeros when the stream starts over; per chunk ``chunk_loss``, ``clip_by_global_norm`` of all
    gradients at ``clip``, then ``adam_update`` of every array with ``lr`` and t = the step.

    ``on_step(step, params)``, if given, is called with step 0 before the first update and
    after every update (to measure the model on the way; ``params`` is updated in place
    afterwards, so keep a copy of what must last).

    Returns (CharLM, history): history is the list of the chunks' training losses.
    """
    corpus = load_corpus()
    chars, char_to_ix = build_vocab(corpus)
    train_text = split_corpus(corpus)[0] if text is None else text
    rng = np.random.default_rng(seed)
    params = init_params(cell, len(chars), rng, E=E, H=H)
    chunks = stream_batches(encode(train_text, char_to_ix), N, T)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    state, history = zero_state(cell, N, H), []
    if on_step is not None:
        on_step(0, params)
    for step in range(1, steps + 1):
        k = (step - 1) % len(chunks)
        if k == 0:
            state = zero_state(cell, N, H)                    # the stream starts over
        x, y = chunks[k]
        loss, grads, state = chunk_loss(cell, params, x, y, state)
        grads, _ = clip_by_global_norm(grads, clip)
        for name in params:
            m, v = moments[name]
            params[name], m, v = adam_update(params[name], grads[name], m, v, step, lr=lr)
            moments[name] = (m, v)
        history.append(loss)
        if log_every and step % log_every == 0:
            print(f"{cell} step {step}: loss {np.mean(history[-log_every:]):.3f}")
        if on_step is not None:
            on_step(step, params)
    return CharLM(cell, chars, params), history


def perplexity(model, text, N=1, T=100):
    """exp(mean loss per predicted character) of ``model`` on ``text``.

    The text is read as N rows from a zero state, the state carried over chunks of T steps
    (``stream_losses``; with N = 1 one stream). Every character but each row's first is
    predicted once.
    """
    ids = encode(text, model.char_to_ix)
    L = len(ids) // N
    rows = ids[:N * L].reshape(N, L)
    x, y = rows[:, :-1], rows[:, 1:]
    losses, _ = stream_losses(model.cell, model.params, x, y, T, zero_state(model.cell, N, model.H))
    widths = np.array([min(T, x.shape[1] - k) for k in range(0, x.shape[1], T)])
    return float(np.exp(np.sum(losses * widths) / widths.sum()))


def sample(model, seed_text, n, temperature=1.0, rng=None):
    """``seed_text`` and n characters sampled from the model after it.

    The model reads ``seed_text`` (at least one character) from a zero state; each next
    character is drawn from ``temperature_softmax(scores, temperature)`` with
    ``rng.choice`` and fed back in.
    """
    if not seed_text:
        raise ValueError("sample: seed_text must have at least one character")
    rng = np.random.default_rng() if rng is None else rng
    p, cell, ix = model.params, model.cell, model.char_to_ix
    state = zero_state(cell, 1, model.H)
    ids = list(encode(seed_text, ix))
    emb, _ = embedding_forward(np.array([ids]), p["W_embed"])
    h, state, _ = _cell_forward(cell, emb, state, p)
    out = []
    for _ in range(n):
        scores = h[:, -1] @ p["W_out"] + p["b_out"]
        nxt = int(rng.choice(len(model.chars), p=temperature_softmax(scores[0], temperature)))
        out.append(nxt)
        emb, _ = embedding_forward(np.array([[nxt]]), p["W_embed"])
        h, state, _ = _cell_forward(cell, emb, state, p)
    return seed_text + decode(out, model.chars)


# -- grading ---------------------------------------------------------------------------------------

def held_out_slice(seed):
    """The graded held-out text of a case: HELD_OUT_CHARS characters of the test part,
    starting at a position drawn from default_rng(10_000 + seed) (never the training stream)."""
    test = split_corpus(load_corpus())[2]
    start = int(np.random.default_rng(10_000 + seed).integers(0, len(test) - HELD_OUT_CHARS))
    return test[start:start + HELD_OUT_CHARS]


def score_perplexity(outputs, inputs):
    """The held-out perplexity of weights a student's training returned (the a7 scorer).

    outputs: W_embed, Wx, Wh, b, W_out, b_out; inputs: cell, seed (the training seed, which
    also draws the held-out slice: a slice of the test part, never trained on).
    """
    cell = inputs["cell"]
    chars, _ = build_vocab(load_corpus())
    V, E, H, G = len(chars), RECIPE["E"], RECIPE["H"], GATES[cell]
    want = {"W_embed": (V, E), "Wx": (E, G * H), "Wh": (H, G * H), "b": (G * H,), "W_out": (H, V), "b_out": (V,)}
    params = {}
    for name, shape in want.items():
        if name not in outputs:
            raise KeyError(f"the weights are missing {name}")
        a = np.asarray(outputs[name], dtype=np.float64)
        if a.shape != shape:
            raise ValueError(f"{name} must have shape {shape}; got {a.shape}")
        params[name] = a
    return perplexity(CharLM(cell, chars, params), held_out_slice(inputs["seed"]))
