"""The non-recurrent layers a sequence model is built from: embedding lookup and dropout.

The notes' ``SequenceClassifier`` (an ``nn.Embedding``, a two-layer bidirectional
``nn.LSTM``/``nn.GRU`` with ``dropout=0.3``, an ``nn.Linear``) needs two pieces besides
the recurrent cells; they are here, with PyTorch's semantics:

- ``embedding_forward``: ``nn.Embedding``. Row ``tokens[n, t]`` of the table E (V, D) is
  the input vector of token t of sequence n; a lookup is the same as multiplying a
  one-hot row by E, without building the one-hot matrix.
- ``dropout_forward``: ``nn.Dropout`` (and the ``dropout=`` of ``nn.LSTM``, applied to
  the outputs of every layer but the last). *Inverted* dropout: in training each entry
  is zeroed with probability p and the survivors are multiplied by 1 / (1 - p), so the
  expected value of every entry is unchanged and evaluation is the identity, with no
  rescaling at test time.

Sizes: N batch, T time steps, V vocabulary, D embedding width.
"""
import numpy as np

__all__ = ["embedding_forward", "dropout_forward"]


def embedding_forward(tokens, E):
    """Look up the embedding of every token (torch.nn.Embedding's forward).

    Inputs:
    - tokens: integer array of token ids, of any shape S (usually (N, T)); each id in 0..V-1.
    - E: embedding table of shape (V, D); row v is the vector of token v.

    Returns:
    - out: of shape S + (D,), out[..., :] = E[tokens[...]].

    Raises TypeError for a non-integer tokens array, ValueError for an id outside 0..V-1
    (naming the first one and its position).
    """
    fn = "embedding_forward"
    if not hasattr(E, "shape") or np.ndim(E) != 2:
        raise ValueError(f"{fn}: E must be a 2-D array of shape (V, D); got "
                         f"{'shape ' + str(np.shape(E)) if hasattr(E, 'shape') else type(E).__name__}")
    tokens = np.asarray(tokens)
    if tokens.dtype == bool or not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"{fn}: tokens must be an integer array of token ids; got dtype {tokens.dtype}")
    V = E.shape[0]
    bad = (tokens < 0) | (tokens >= V)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{fn}: every token id must be in 0..V-1 = 0..{V - 1} (E has {V} rows); "
                         f"got {int(tokens[where])} at position {where}")
    return E[tokens]


def dropout_forward(x, p, *, train, rng=None):
    """Inverted dropout (torch.nn.Dropout's forward).

    Inputs:
    - x: array of any shape.
    - p: probability of zeroing an entry, 0 <= p < 1.
    - train: True in training (entries dropped at random), False in evaluation (identity).
    - rng: a numpy Generator, needed when train is True and p > 0.

    Returns a tuple of:
    - out: of the shape of x; x * scale.
    - scale: of the shape of x; 0 where an entry was dropped, 1 / (1 - p) where kept
      (all ones in evaluation or with p = 0). The backward pass is dout * scale.
    """
    fn = "dropout_forward"
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 <= p < 1:
        raise ValueError(f"{fn}: p must be a probability with 0 <= p < 1 (p = 1 would drop everything "
                         f"and leave nothing to rescale); got {p!r}")
    x = np.asarray(x)
    if not train or p == 0:
        return x.copy(), np.ones(x.shape)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{fn}: training with p > 0 draws a random mask: pass rng=np.random.default_rng(seed); "
                        f"got rng={rng!r}")
    keep = rng.random(x.shape) >= p                     # each entry kept with probability 1 - p
    scale = keep / (1.0 - p)
    return x * scale, scale
