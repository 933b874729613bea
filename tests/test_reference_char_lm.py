"""solutions/char_lm.py against PyTorch (nn.Embedding, F.cross_entropy with ignore_index,
nn.LSTM with its state carried by detach) and against numerical gradients."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.numgrad import eval_numerical_gradient, rel_error
from solutions import char_lm as C

torch.set_default_dtype(torch.float64)


def test_vocab_encode_decode_round_trip_on_the_corpus():
    text = C.load_corpus()
    chars, ix = C.build_vocab(text)
    assert chars == "".join(sorted(set(text))) and len(chars) == 96
    assert all(ix[ch] == k for k, ch in enumerate(chars))
    part = text[1000:3000]
    assert C.decode(C.encode(part, ix), chars) == part
    with pytest.raises(KeyError, match="not in the vocabulary"):
        C.encode("\u00e7", ix)


def test_stream_batches_continue_each_row_from_chunk_to_chunk():
    ids = np.arange(103)
    chunks = C.stream_batches(ids, N=4, T=5)          # rows of L = 25: 0..24, 25..49, ...
    x0, y0 = chunks[0]
    np.testing.assert_array_equal(x0[1], [25, 26, 27, 28, 29])
    np.testing.assert_array_equal(y0, x0 + 1)
    for (xa, ya), (xb, _) in zip(chunks, chunks[1:]):
        np.testing.assert_array_equal(xb[:, 0], xa[:, -1] + 1)      # chunk k+1 continues chunk k
        np.testing.assert_array_equal(xb[:, 0], ya[:, -1])
    assert sum(x.shape[1] for x, _ in chunks) == 24      # every character but a row's last is read once
    with pytest.raises(ValueError, match="cannot make"):
        C.stream_batches(np.arange(5), N=4, T=2)


def test_embedding_matches_torch_nn_embedding_with_repeated_indices():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((7, 3))
    idx = np.array([[1, 4, 1], [6, 1, 0]])                # 1 three times: its gradients add up
    dout = rng.standard_normal((2, 3, 3))
    emb = torch.nn.Embedding(7, 3)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(W))
    out_t = emb(torch.tensor(idx))
    out_t.backward(torch.tensor(dout))
    out, cache = C.embedding_forward(idx, W)
    np.testing.assert_array_equal(out, out_t.detach().numpy())
    np.testing.assert_allclose(C.embedding_backward(dout, cache), emb.weight.grad.numpy(), rtol=1e-14)
    with pytest.raises(ValueError, match=r"in 0\.\.V-1 = 0\.\.6 \(E has 7 rows\); got 7"):
        C.embedding_forward(np.array([[7]]), W)
    with pytest.raises(TypeError, match="not whole numbers"):
        C.embedding_forward(np.array([[1.5]]), W)
    np.testing.assert_array_equal(C.embedding_forward(idx.astype(float), W)[0], out)   # whole floats: the same


def test_temporal_softmax_loss_matches_cross_entropy_with_ignore_index():
    """The masked tokens are torch's ignored targets; its mean is over the others."""
    rng = np.random.default_rng(1)
    N, T, V = 3, 4, 5
    scores = rng.standard_normal((N, T, V)) * 3
    y = rng.integers(0, V, size=(N, T))
    mask = (rng.random((N, T)) > 0.3).astype(float)
    mask[0, 0] = 1
    ts = torch.tensor(scores, requires_grad=True)
    target = torch.tensor(np.where(mask > 0, y, -100))
    loss_t = F.cross_entropy(ts.reshape(N * T, V), target.reshape(-1), ignore_index=-100)
    loss_t.backward()
    loss, dscores = C.temporal_softmax_loss(scores, y, mask)
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(dscores, ts.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_temporal_softmax_loss_is_finite_on_large_logits_and_refuses_an_empty_mask():
    """Logits of 1000 overflow exp without the max shift; with it, two equal top logits
    give loss log 2 exactly (hand: p = 1/2 each, the rest e^-1000 = 0)."""
    scores = np.array([[[1000.0, 1000.0, 0.0]]])
    loss, d = C.temporal_softmax_loss(scores, np.array([[0]]), np.ones((1, 1)))
    assert loss == pytest.approx(np.log(2), rel=1e-14)
    np.testing.assert_allclose(d, [[[-0.5, 0.5, 0.0]]], atol=1e-300)
    with pytest.raises(ValueError, match="no token"):
        C.temporal_softmax_loss(scores, np.array([[0]]), np.zeros((1, 1)))


def test_temperature_softmax_matches_torch_and_its_limits():
    rng = np.random.default_rng(2)
    s = rng.standard_normal((3, 6)) * 4
    for temp in (0.3, 1.0, 2.5):
        np.testing.assert_allclose(C.temperature_softmax(s, temp), torch.softmax(torch.tensor(s) / temp, -1).numpy(),
                                   rtol=1e-12)
    greedy = C.temperature_softmax(s, 1e-3)                  # -> one-hot at the argmax, no overflow
    np.testing.assert_allclose(greedy, np.eye(6)[s.argmax(axis=1)], atol=1e-12)
    np.testing.assert_allclose(C.temperature_softmax(s, 1e6), np.full((3, 6), 1 / 6), rtol=1e-4)
    with pytest.raises(ValueError, match="> 0"):
        C.temperature_softmax(s, 0.0)


def _torch_lstm(Wx, Wh, b):
    D, H = Wx.shape[0], Wh.shape[0]
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(Wx.T))
        lstm.weight_hh_l0.copy_(torch.tensor(Wh.T))
        lstm.bias_ih_l0.copy_(torch.tensor(b))
        lstm.bias_hh_l0.zero_()
    return lstm


def test_lstm_forward_and_backward_from_a_carried_state_match_torch():
    """nn.LSTM from (h0, c0), upstream gradients on every h_t and on c_T."""
    rng = np.random.default_rng(3)
    N, T, D, H = 2, 5, 3, 4
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)) * 0.5, rng.standard_normal((H, 4 * H)) * 0.5, rng.standard_normal(4 * H)
    dh, dc = rng.standard_normal((N, T, H)), rng.standard_normal((N, H))
    lstm = _torch_lstm(Wx, Wh, b)
    tx, th0, tc0 = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    out, (hT, cT) = lstm(tx, (th0[None], tc0[None]))
    ((out * torch.tensor(dh)).sum() + (cT[0] * torch.tensor(dc)).sum()).backward()
    h, c_last, cache = C.lstm_forward(x, h0, c0, Wx, Wh, b)
    np.testing.assert_allclose(h, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_last, cT[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    dx, dh0, dc0, dWx, dWh, db = C.lstm_backward(dh, dc, cache)
    for got, want in ((dx, tx.grad), (dh0, th0.grad), (dc0, tc0.grad), (dWx, lstm.weight_ih_l0.grad.T),
                      (dWh, lstm.weight_hh_l0.grad.T), (db, lstm.bias_ih_l0.grad)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-12)


class _TorchCharLM(torch.nn.Module):
    """The same model in PyTorch: Embedding, LSTM (one bias), Linear."""

    def __init__(self, p):
        super().__init__()
        V, E = p["W_embed"].shape
        H = p["Wh"].shape[0]
        self.emb = torch.nn.Embedding(V, E)
        self.lstm = _torch_lstm(p["Wx"], p["Wh"], p["b"])
        self.lstm.bias_hh_l0.requires_grad_(False)
        self.out = torch.nn.Linear(H, V)
        with torch.no_grad():
            self.emb.weight.copy_(torch.tensor(p["W_embed"]))
            self.out.weight.copy_(torch.tensor(p["W_out"].T))
            self.out.bias.copy_(torch.tensor(p["b_out"]))

    def grads(self):
        return {"W_embed": self.emb.weight.grad, "Wx": self.lstm.weight_ih_l0.grad.T,
                "Wh": self.lstm.weight_hh_l0.grad.T, "b": self.lstm.bias_ih_l0.grad,
                "W_out": self.out.weight.grad.T, "b_out": self.out.bias.grad}


def test_truncated_bptt_over_consecutive_chunks_matches_torch_with_detach():
    """Three consecutive chunks of a stream: the state is carried, the graph cut at each
    chunk boundary (``detach``); the losses and every gradient agree chunk by chunk."""
    rng = np.random.default_rng(4)
    V, N, T = 11, 3, 4
    p = C.init_params("lstm", V, rng, E=5, H=6)
    p["b"] = p["b"] + rng.standard_normal(p["b"].shape) * 0.3
    ids = rng.integers(0, V, size=N * (3 * T + 1))
    chunks = C.stream_batches(ids, N, T)[:3]
    model = _TorchCharLM(p)
    state = C.zero_state("lstm", N, 6)
    t_state = (torch.zeros(1, N, 6), torch.zeros(1, N, 6))
    for x, y in chunks:
        loss, grads, state = C.chunk_loss("lstm", p, x, y, state)
        model.zero_grad()
        out, t_state = model.lstm(model.emb(torch.tensor(x)), t_state)
        scores = model.out(out)
        t_loss = F.cross_entropy(scores.reshape(-1, V), torch.tensor(y).reshape(-1))
        t_loss.backward()
        t_state = tuple(s.detach() for s in t_state)          # truncate: no gradient into the last chunk
        assert loss == pytest.approx(t_loss.item(), rel=1e-12)
        for k, g in model.grads().items():
            np.testing.assert_allclose(grads[k], g.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)
        np.testing.assert_allclose(state[0], t_state[0][0].numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(state[1], t_state[1][0].numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_chunk_loss_gradients_match_numerical_gradients(cell):
    rng = np.random.default_rng(5)
    V, N, T, H = 6, 2, 3, 4
    p = C.init_params(cell, V, rng, E=3, H=H)
    x, y = rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, T))
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=float)
    state = (rng.standard_normal((N, H)), rng.standard_normal((N, H))) if cell == "lstm" else rng.standard_normal((N, H))
    _, grads, _ = C.chunk_loss(cell, p, x, y, state, mask)
    for name in p:
        def f(w, name=name):
            return C.chunk_loss(cell, {**p, name: w}, x, y, state, mask)[0]
        num = eval_numerical_gradient(f, p[name].copy())
        assert rel_error(grads[name], num) < 1e-6, (cell, name)


def test_a_model_with_zero_scores_has_the_vocabulary_size_as_perplexity():
    """W_out = 0, b_out = 0: p = 1/V for every character, so the perplexity is V exactly."""
    chars = "abcdefg"
    p = C.init_params("gru", 7, np.random.default_rng(6), E=3, H=4)
    p["W_out"][:] = 0.0
    model = C.CharLM("gru", chars, p)
    assert C.perplexity(model, "abcabcgfedcba" * 5) == pytest.approx(7.0, rel=1e-12)


def test_perplexity_reads_the_text_as_one_stream_with_the_state_carried():
    """exp of the mean loss per predicted character equals the mean of chunk losses weighted
    by chunk length, whatever the chunk length T (the state crosses chunk boundaries)."""
    model, _ = C.train("lstm", 0, steps=3)
    text = C.split_corpus(C.load_corpus())[1][:301]
    a, b = C.perplexity(model, text, T=300), C.perplexity(model, text, T=7)
    assert a == pytest.approx(b, rel=1e-10)


def test_sampling_is_reproducible_and_greedy_at_low_temperature():
    model, _ = C.train("lstm", 0, steps=5)
    s1 = C.sample(model, "def ", 30, 0.8, np.random.default_rng(1))
    s2 = C.sample(model, "def ", 30, 0.8, np.random.default_rng(1))
    assert s1 == s2 and s1.startswith("def ") and len(s1) == 34
    g1 = C.sample(model, "def ", 20, 1e-4, np.random.default_rng(1))
    g2 = C.sample(model, "def ", 20, 1e-4, np.random.default_rng(2))
    assert g1 == g2                                   # the argmax at every step, whatever the draws
    with pytest.raises(ValueError, match="at least one character"):
        C.sample(model, "", 3)


def test_the_scorer_refuses_weights_of_the_wrong_shape():
    p = C.init_params("lstm", 96, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Wh must have shape \(32, 128\)"):
        C.score_perplexity({**p, "Wh": p["Wh"][:, :96]}, {"cell": "lstm", "seed": 1})
    with pytest.raises(KeyError, match="missing b_out"):
        C.score_perplexity({k: v for k, v in p.items() if k != "b_out"}, {"cell": "lstm", "seed": 1})


def test_an_untrained_model_scores_near_the_vocabulary_size_and_a_trained_one_far_below():
    """Untrained: close to uniform over V = 96 (ln 96 = 4.56 nats per character); a unigram
    model of the training part scores about 24 on the same slice; the reference's graded run
    goes far below both."""
    p = C.init_params("lstm", 96, np.random.default_rng(0))
    untrained = C.score_perplexity(p, {"cell": "lstm", "seed": 1})
    assert untrained > 50
    model, _ = C.train("lstm", 1)
    trained = C.score_perplexity(model.params, {"cell": "lstm", "seed": 1})
    assert trained < 14
