"""The notes' SequenceClassifier in numpy (solutions.classifier, solutions.layers) against PyTorch.

Oracles: torch itself in float64 (nn.Embedding, nn.LSTM / nn.GRU with num_layers=2,
bidirectional=True, dropout=0.3, nn.Linear, with the same weights copied in, in eval mode)
and, for dropout's statistics, hand derivations in the test docstrings.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these tests")

from solutions.architectures import stacked_forward  # noqa: E402
from solutions.classifier import sequence_classifier_forward, sequence_classifier_param_count  # noqa: E402
from solutions.layers import dropout_forward, embedding_forward  # noqa: E402

TOL = 1e-10


class NotesClassifier(torch.nn.Module):
    """The notes' SequenceClassifier, with the usual forward (their snippet shows only __init__)."""

    def __init__(self, vocab_size, embed_dim=128, hidden_dim=256, num_classes=2, use_gru=False):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, embed_dim)
        RNNClass = torch.nn.GRU if use_gru else torch.nn.LSTM
        self.rnn = RNNClass(embed_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
        self.classifier = torch.nn.Linear(hidden_dim * 2, num_classes)

    def forward(self, tokens):
        _, h_n = self.rnn(self.embedding(tokens))
        if isinstance(h_n, tuple):
            h_n = h_n[0]
        return self.classifier(torch.cat([h_n[-2], h_n[-1]], dim=1))


def _params_from(model, use_gru):
    """The torch model's weights as the reference's params dict (W_ih = Wx.T, ...)."""
    rnn = model.rnn
    layers = []
    for l in range(2):
        pair = []
        for sfx in (f"_l{l}", f"_l{l}_reverse"):
            g = lambda name: getattr(rnn, name + sfx).detach().numpy().copy()
            p = {"Wx": g("weight_ih").T, "Wh": g("weight_hh").T}
            if use_gru:
                p |= {"bx": g("bias_ih"), "bh": g("bias_hh")}
            else:
                p["b"] = g("bias_ih") + g("bias_hh")
            pair.append(p)
        layers.append(tuple(pair))
    return {"embedding": model.embedding.weight.detach().numpy().copy(), "layers": layers,
            "Wy": model.classifier.weight.detach().numpy().T.copy(),
            "by": model.classifier.bias.detach().numpy().copy()}


@pytest.mark.parametrize("use_gru", [False, True], ids=["lstm", "gru"])
def test_same_weights_give_torchs_logits_in_eval_mode(use_gru):
    torch.manual_seed(3)
    V, D, H, C, N, T = 11, 6, 5, 3, 4, 7
    model = NotesClassifier(V, D, H, C, use_gru=use_gru).double().eval()
    tokens = torch.randint(0, V, (N, T))
    with torch.no_grad():
        want = model(tokens).numpy()
    got = sequence_classifier_forward(tokens.numpy(), _params_from(model, use_gru),
                                      "gru_pytorch" if use_gru else "lstm", train=False)
    assert got.shape == (N, C)
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("use_gru", [False, True], ids=["lstm", "gru"])
def test_parameter_count_is_torchs(use_gru):
    """The notes' defaults (embed 128, hidden 256, 2 classes) with a vocabulary of 1000."""
    model = NotesClassifier(1000, use_gru=use_gru)
    want = sum(p.numel() for p in model.parameters())
    assert sequence_classifier_param_count(1000, use_gru=use_gru) == want


def test_embedding_is_torchs_lookup():
    torch.manual_seed(0)
    emb = torch.nn.Embedding(9, 4).double()
    tokens = torch.tensor([[0, 8, 3], [3, 3, 1]])
    got = embedding_forward(tokens.numpy(), emb.weight.detach().numpy())
    np.testing.assert_array_equal(got, emb(tokens).detach().numpy())


def test_embedding_is_a_one_hot_product():
    """By hand: onehot(v) @ E picks row v of E."""
    E = np.arange(12.0).reshape(4, 3)
    tokens = np.array([[2, 0], [3, 3]])
    np.testing.assert_array_equal(embedding_forward(tokens, E), np.eye(4)[tokens] @ E)


@pytest.mark.parametrize("tokens, message", [
    (np.array([[0, 4]]), "0..V-1 = 0..3"),
    (np.array([[-1, 0]]), "got -1 at position (0, 0)"),
    (np.array([[0.0, 1.0]]), "integer array"),
])
def test_embedding_rejects_bad_ids_with_a_clear_message(tokens, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        embedding_forward(tokens, np.zeros((4, 3)))


def test_dropout_is_the_identity_in_eval_mode_and_with_p_zero():
    x = np.random.default_rng(0).normal(size=(3, 5))
    for out, scale in (dropout_forward(x, 0.3, train=False), dropout_forward(x, 0.0, train=True, rng=None)):
        np.testing.assert_array_equal(out, x)
        np.testing.assert_array_equal(scale, np.ones_like(x))


def test_dropout_in_training_zeroes_or_rescales_by_one_over_one_minus_p():
    """Every entry is 0 or x / (1 - p) = x / 0.7 (inverted dropout), and out = x * scale."""
    x = np.random.default_rng(1).normal(size=(50, 40)) + 3.0      # no entry is 0 by chance
    out, scale = dropout_forward(x, 0.3, train=True, rng=np.random.default_rng(2))
    dropped = out == 0
    np.testing.assert_allclose(out[~dropped], x[~dropped] / 0.7, rtol=1e-15)
    assert set(np.unique(scale)) == {0.0, 1 / 0.7}
    np.testing.assert_array_equal(out, x * scale)


def test_dropout_drops_a_share_p_and_keeps_the_mean():
    """Over n = 200,000 entries the dropped count is Binomial(n, p): mean np, sd sqrt(np(1-p))
    = 205 for p = 0.3, so 6 sd is 1230. On ones the output mean is (1-p) * 1/(1-p) = 1 in
    expectation, sd sqrt(p / (1-p) / n) = 0.0015; 6 sd is 0.009."""
    n, p = 200_000, 0.3
    out, _ = dropout_forward(np.ones(n), p, train=True, rng=np.random.default_rng(4))
    dropped = int((out == 0).sum())
    assert abs(dropped - n * p) < 6 * np.sqrt(n * p * (1 - p)), dropped
    assert abs(out.mean() - 1.0) < 6 * np.sqrt(p / (1 - p) / n), out.mean()


def test_torchs_dropout_has_the_same_train_and_eval_behaviour():
    """nn.Dropout(0.3): eval is the identity; train gives 0 or x / 0.7, the same two values as ours."""
    torch.manual_seed(5)
    x = torch.rand(1000, dtype=torch.float64) + 1.0
    d = torch.nn.Dropout(0.3)
    assert torch.equal(d.eval()(x), x)
    y = d.train()(x).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], x.numpy()[kept] / 0.7, rtol=1e-15)


@pytest.mark.parametrize("p", [1.0, -0.1, "0.3", True])
def test_dropout_rejects_a_bad_probability(p):
    with pytest.raises(ValueError, match="0 <= p < 1"):
        dropout_forward(np.ones(3), p, train=True, rng=np.random.default_rng(0))


def test_dropout_in_training_asks_for_a_generator():
    with pytest.raises(TypeError, match="default_rng"):
        dropout_forward(np.ones(3), 0.5, train=True)


def test_stacked_dropout_acts_between_layers_only():
    """With the mask known, layer 1 must read layer 0's output times the mask; the top layer's
    output is not dropped. Checked against torch with the same mask applied by hand: a
    2-layer nn.LSTM is two 1-layer LSTMs with the dropout in between."""
    torch.manual_seed(6)
    N, T, D, H = 3, 4, 2, 5
    l0, l1 = torch.nn.LSTM(D, H, batch_first=True).double(), torch.nn.LSTM(H, H, batch_first=True).double()
    x = torch.randn(N, T, D, dtype=torch.float64)
    p = lambda m: {"Wx": m.weight_ih_l0.detach().numpy().T.copy(), "Wh": m.weight_hh_l0.detach().numpy().T.copy(),
                   "b": (m.bias_ih_l0 + m.bias_hh_l0).detach().numpy()}
    out, _ = stacked_forward("lstm", x.numpy(), [p(l0), p(l1)], dropout=0.4, train=True,
                             rng=np.random.default_rng(7))
    _, scale = dropout_forward(np.zeros((N, T, H)), 0.4, train=True, rng=np.random.default_rng(7))  # the same draw
    with torch.no_grad():
        mid, _ = l0(x)
        want, _ = l1(mid * torch.from_numpy(scale))
    np.testing.assert_allclose(out, want.numpy(), rtol=TOL, atol=TOL)
    eval_out, _ = stacked_forward("lstm", x.numpy(), [p(l0), p(l1)], dropout=0.4, train=False)
    with torch.no_grad():
        np.testing.assert_allclose(eval_out, l1(l0(x)[0])[0].numpy(), rtol=TOL, atol=TOL)


def test_stacked_dropout_in_training_asks_for_a_generator():
    params = [{"Wx": np.zeros((2, 3)), "Wh": np.zeros((3, 3)), "b": np.zeros(3)},
              {"Wx": np.zeros((3, 3)), "Wh": np.zeros((3, 3)), "b": np.zeros(3)}]
    with pytest.raises(TypeError, match="default_rng"):
        stacked_forward("rnn", np.zeros((1, 2, 2)), params, dropout=0.3, train=True)


def test_classifier_training_mode_differs_and_eval_is_deterministic():
    torch.manual_seed(8)
    model = NotesClassifier(7, 4, 3, 2).double().eval()
    params = _params_from(model, False)
    tokens = np.array([[1, 2, 3, 4], [6, 5, 0, 0]])
    a = sequence_classifier_forward(tokens, params, train=False)
    np.testing.assert_array_equal(a, sequence_classifier_forward(tokens, params, train=False))
    b = sequence_classifier_forward(tokens, params, train=True, rng=np.random.default_rng(9))
    assert np.abs(a - b).max() > 1e-6


def test_classifier_names_missing_keys():
    with pytest.raises(ValueError, match="by, embedding, layers, Wy"):
        sequence_classifier_forward(np.zeros((1, 2), int), {"embedding": np.zeros((3, 2))})
