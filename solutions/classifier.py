"""The notes' ``SequenceClassifier``, in numpy, from the course's pieces.

The notes (PyTorch) define

    class SequenceClassifier(nn.Module):
        def __init__(self, vocab_size, embed_dim=128, hidden_dim=256, num_classes=2, use_gru=False):
            self.embedding = nn.Embedding(vocab_size, embed_dim)
            RNNClass = nn.GRU if use_gru else nn.LSTM
            self.rnn = RNNClass(embed_dim, hidden_dim, num_layers=2, batch_first=True,
                                bidirectional=True, dropout=0.3)
            self.classifier = nn.Linear(hidden_dim * 2, num_classes)

and show no ``forward``. The usual one, and the one here: embed the tokens, run the
stacked bidirectional RNN, take the top layer's final forward state (at the last step)
and final backward state (at the first step), ``torch.cat([h_n[-2], h_n[-1]], dim=1)``,
and map the (N, 2H) summary to class scores (logits) with the linear layer. Dropout
(p = 0.3) acts between the two recurrent layers in training only (``stacked_forward``).

Parameters are a dict:

    {"embedding": E (V, D),
     "layers": [(params_fwd, params_bwd), ...],   # one pair per layer, architectures' params dicts
     "Wy": (2H, C), "by": (C,)}                    # nn.Linear: weight = Wy.T, bias = by

``cell`` is "lstm" for ``nn.LSTM`` and "gru_pytorch" for ``nn.GRU`` (PyTorch's GRU,
not the course's "gru", whose update runs the other way: see solutions.gru).
"""
import numpy as np

from ._validate import check
from .architectures import get_cell, stacked_forward
from .layers import embedding_forward

__all__ = ["sequence_classifier_forward", "sequence_classifier_param_count"]


def sequence_classifier_forward(tokens, params, cell="lstm", *, dropout=0.3, train=False, rng=None):
    """Logits of the notes' SequenceClassifier for a batch of token sequences.

    Inputs:
    - tokens: integer array of token ids of shape (N, T).
    - params: {"embedding": (V, D), "layers": [(fwd, bwd), ...], "Wy": (2H, C), "by": (C,)}.
    - cell: "lstm" (nn.LSTM), "gru_pytorch" (nn.GRU), or the course's "rnn"/"gru".
    - dropout: probability for the dropout between recurrent layers (the notes: 0.3).
    - train: training mode (dropout active) or evaluation (model.eval(): no dropout).
    - rng: a numpy Generator for the dropout masks, needed when train and dropout > 0.

    Returns:
    - logits: of shape (N, C), summary @ Wy + by with summary = [h_fwd at t = T-1,
      h_bwd at t = 0] of the top layer.
    """
    fn = "sequence_classifier_forward"
    c = get_cell(cell, fn)
    if not isinstance(params, dict) or set(params) != {"embedding", "layers", "Wy", "by"}:
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{fn}: params must be a dict with keys by, embedding, layers, Wy; got {got}")
    tokens = np.asarray(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"{fn}: tokens must have shape (N, T); got shape {tokens.shape}")
    x = embedding_forward(tokens, params["embedding"])            # (N, T, D)
    _, h_n = stacked_forward(c, x, list(params["layers"]), bidirectional=True,
                             dropout=dropout, train=train, rng=rng)
    if c.has_c:
        h_n = h_n[0]                                               # (h_n, c_n) -> h_n
    summary = np.concatenate([h_n[-2], h_n[-1]], axis=1)          # (N, 2H): top layer, fwd and bwd
    s = {}
    check(fn, "summary [h_n[-2], h_n[-1]]", summary, ("N", "S"), s)
    check(fn, "params['Wy']", params["Wy"], ("S", "C"), s)
    check(fn, "params['by']", params["by"], ("C",), s)
    return summary @ params["Wy"] + params["by"]


def sequence_classifier_param_count(vocab_size, embed_dim=128, hidden_dim=256, num_classes=2,
                                    use_gru=False, num_layers=2):
    """Parameters of the notes' SequenceClassifier as PyTorch counts them.

    Embedding V*D; each layer and direction of nn.LSTM/nn.GRU k*H*(input + H + 2) (two
    biases, k = 4 or 3), where layer 0's input is D and later layers' 2H; Linear 2H*C + C.
    """
    k = 3 if use_gru else 4
    H = hidden_dim
    rnn = sum(2 * k * H * ((embed_dim if l == 0 else 2 * H) + H + 2) for l in range(num_layers))
    return vocab_size * embed_dim + rnn + 2 * H * num_classes + num_classes
