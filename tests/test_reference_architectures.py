"""Do the sequence architectures (bidirectional, stacked, masked) match PyTorch?

The oracle is torch itself, in float64: nn.RNN / nn.LSTM / nn.GRU with num_layers,
bidirectional and batch_first, and pack_padded_sequence for variable lengths. torch's
GRU is PyTorch's convention, so it is compared with the registry's "gru_pytorch" cell;
the course's "gru" (the notes' convention, Chung et al. 2014's) is compared with its
equations written out in torch in this file (an independent re-implementation, not the numpy reference).
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these tests")

from solutions.architectures import (CELLS, bidirectional_forward, masked_forward,  # noqa: E402
                                     sequence_forward, stacked_forward)

TOL = 1e-10
TORCH = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru_pytorch": torch.nn.GRU}


def _max_err(a, b):
    return float(np.max(np.abs(np.asarray(a) - b.detach().numpy())))


def _params_from_torch(cell, m, layer, reverse=False):
    """One direction of one layer of a torch module as the reference's params dict."""
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    W_ih, W_hh = getattr(m, "weight_ih" + sfx), getattr(m, "weight_hh" + sfx)
    b_ih, b_hh = getattr(m, "bias_ih" + sfx), getattr(m, "bias_hh" + sfx)
    Wx, Wh = W_ih.detach().numpy().T.copy(), W_hh.detach().numpy().T.copy()   # W_ih = Wx.T
    if cell == "gru_pytorch":
        return {"Wx": Wx, "Wh": Wh, "bx": b_ih.detach().numpy().copy(), "bh": b_hh.detach().numpy().copy()}
    return {"Wx": Wx, "Wh": Wh, "b": (b_ih + b_hh).detach().numpy()}           # b = b_ih + b_hh


def _torch_model(cell, D, H, L, bi, seed):
    torch.manual_seed(seed)
    m = TORCH[cell](D, H, num_layers=L, bidirectional=bi, batch_first=True).double()
    K = 2 if bi else 1
    layers = []
    for l in range(L):
        dirs = [_params_from_torch(cell, m, l, reverse=bool(k)) for k in range(K)]
        layers.append(tuple(dirs) if bi else dirs[0])
    return m, layers


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru_pytorch"])
@pytest.mark.parametrize("L, bi", [(2, False), (3, False), (2, True), (3, True)])
def test_stacked_forward_matches_torch_multilayer_modules(cell, L, bi):
    """out, h_n (and c_n) of an L-layer (bi)directional stack equal torch's to 1e-10, with random h0."""
    N, T, D, H = 3, 6, 4, 5
    m, layers = _torch_model(cell, D, H, L, bi, seed=L + 10 * bi)
    rng = np.random.default_rng(L)
    K = 2 if bi else 1
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(L * K, N, H))
    c0 = rng.normal(size=(L * K, N, H))
    if cell == "lstm":
        out, (h_n, c_n) = stacked_forward(cell, x, layers, (h0, c0), bidirectional=bi)
        t_out, (t_h, t_c) = m(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
        assert _max_err(c_n, t_c) <= TOL
    else:
        out, h_n = stacked_forward(cell, x, layers, h0, bidirectional=bi)
        t_out, t_h = m(torch.tensor(x), torch.tensor(h0))
    assert out.shape == (N, T, K * H) and h_n.shape == (L * K, N, H)
    assert _max_err(out, t_out) <= TOL
    assert _max_err(h_n, t_h) <= TOL


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru_pytorch"])
def test_bidirectional_forward_matches_torch_bidirectional_layer(cell):
    """One bidirectional layer with zero initial state: out (N, T, 2H) and h_n (2, N, H) equal torch's."""
    N, T, D, H = 2, 7, 3, 4
    m, ((pf, pb),) = _torch_model(cell, D, H, 1, True, seed=3)
    x = np.random.default_rng(5).normal(size=(N, T, D))
    out, h_n = bidirectional_forward(cell, x, pf, pb)
    t_out, t_h = m(torch.tensor(x))
    if cell == "lstm":
        assert _max_err(h_n[0], t_h[0]) <= TOL and _max_err(h_n[1], t_h[1]) <= TOL
    else:
        assert _max_err(h_n, t_h) <= TOL
    assert _max_err(out, t_out) <= TOL


@pytest.mark.parametrize("cell", ["rnn", "gru_pytorch"])
def test_backward_final_state_sits_at_t0_not_at_the_last_step(cell):
    """h_n[1] is out[:, 0, H:] (the backward direction ends at t = 0), and differs from out[:, -1, H:]."""
    N, T, D, H = 2, 5, 3, 4
    m, ((pf, pb),) = _torch_model(cell, D, H, 1, True, seed=7)
    x = np.random.default_rng(1).normal(size=(N, T, D))
    out, h_n = bidirectional_forward(cell, x, pf, pb)
    np.testing.assert_array_equal(h_n[1], out[:, 0, H:])
    np.testing.assert_array_equal(h_n[0], out[:, -1, :H])
    assert np.max(np.abs(h_n[1] - out[:, -1, H:])) > 1e-3     # the classic mistake gives another value


def test_stacked_bidirectional_h_n_last_two_are_forward_and_backward_of_top_layer():
    """Notes 003' advice: h_n[-2] is the top layer's forward final state, h_n[-1] its backward one."""
    N, T, D, H, L = 2, 4, 3, 5, 2
    m, layers = _torch_model("lstm", D, H, L, True, seed=11)
    x = np.random.default_rng(2).normal(size=(N, T, D))
    out, (h_n, _) = stacked_forward("lstm", x, layers, bidirectional=True)
    t_out, (t_h, _) = m(torch.tensor(x))
    np.testing.assert_array_equal(h_n[-2], out[:, -1, :H])
    np.testing.assert_array_equal(h_n[-1], out[:, 0, H:])
    assert _max_err(h_n[-1], t_h[-1]) <= TOL


# ------------------------------------------- the course's GRU against a torch re-implementation

def _course_gru_torch(x, p, h0, reverse=False):
    """The course's GRU equations in torch, float64 (independent of the numpy reference):
    r = s(x Wx_r + h Wh_r + b_r), z = s(x Wx_z + h Wh_z + b_z),
    n = tanh(x Wx_n + (r*h) Wh_n + b_n), h' = (1 - z) h + z n."""
    Wx, Wh, b = (torch.tensor(p[k]) for k in ("Wx", "Wh", "b"))
    H = Wh.shape[0]
    h = torch.tensor(h0)
    outs = [None] * x.shape[1]
    for t in (range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])):
        xt = torch.tensor(x[:, t])
        r = torch.sigmoid(xt @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
        z = torch.sigmoid(xt @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
        n = torch.tanh(xt @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
        h = (1 - z) * h + z * n
        outs[t] = h
    return torch.stack(outs, dim=1), h


def _course_gru_params(rng, D, H):
    return {"Wx": rng.normal(0, 0.5, (D, 3 * H)), "Wh": rng.normal(0, 0.5, (H, 3 * H)),
            "b": rng.normal(0, 0.5, 3 * H)}


@pytest.mark.parametrize("L, bi", [(1, True), (2, False), (3, True)])
def test_course_gru_stack_matches_torch_reimplementation_of_its_equations(L, bi):
    """The course's "gru" cell in stacks and both directions equals its equations run in torch."""
    N, T, D, H = 3, 5, 4, 3
    K = 2 if bi else 1
    rng = np.random.default_rng(100 + L)
    layers = []
    for l in range(L):
        dirs = [_course_gru_params(rng, D if l == 0 else K * H, H) for _ in range(K)]
        layers.append(tuple(dirs) if bi else dirs[0])
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(L * K, N, H))
    out, h_n = stacked_forward("gru", x, layers, h0, bidirectional=bi)
    inp, finals = x, []
    for l in range(L):
        dirs = layers[l] if bi else (layers[l],)
        outs = []
        for k, p in enumerate(dirs):
            o, hf = _course_gru_torch(inp, p, h0[l * K + k], reverse=bool(k))
            outs.append(o)
            finals.append(hf)
        inp = torch.cat(outs, dim=-1).numpy()
    assert np.max(np.abs(out - inp)) <= TOL
    assert _max_err(h_n, torch.stack(finals)) <= TOL


# ------------------------------------------------------------------------ masked sequences

def _torch_packed(m, x, lengths, h0=None):
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    packed = pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    out, state = m(packed) if h0 is None else m(packed, h0)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, state


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru_pytorch"])
def test_masked_forward_matches_pack_padded_sequence(cell):
    """Unsorted lengths (incl. 1 and T): h_all and h_final (and c) equal torch's packed run; padding outputs are 0."""
    N, T, D, H = 5, 6, 3, 4
    lengths = np.array([3, 6, 1, 4, 6])
    m, (p,) = _torch_model(cell, D, H, 1, False, seed=21)
    rng = np.random.default_rng(9)
    x = rng.normal(size=(N, T, D))
    x[np.arange(T)[None, :] >= lengths[:, None]] = 1e3            # loud padding: must never enter the state
    h0 = rng.normal(size=(N, H))
    if cell == "lstm":
        c0 = rng.normal(size=(N, H))
        h_all, (h_f, c_f) = masked_forward(cell, x, lengths, p, (h0, c0))
        t_out, (t_h, t_c) = _torch_packed(m, x, lengths, (torch.tensor(h0[None]), torch.tensor(c0[None])))
        assert _max_err(c_f, t_c[0]) <= TOL
    else:
        h_all, h_f = masked_forward(cell, x, lengths, p, h0)
        t_out, t_h = _torch_packed(m, x, lengths, torch.tensor(h0[None]))
    assert _max_err(h_all, t_out) <= TOL
    assert _max_err(h_f, t_h[0]) <= TOL
    pad = np.arange(T)[None, :] >= lengths[:, None]               # (N, T)
    assert np.all(h_all[pad] == 0.0)
    for n in range(N):                                             # the final state is the last real one
        np.testing.assert_array_equal(h_f[n], h_all[n, lengths[n] - 1])


@pytest.mark.parametrize("cell", ["lstm", "gru_pytorch"])
def test_masked_reverse_direction_matches_torch_packed_bidirectional_layer(cell):
    """Forward masked and reverse masked, concatenated, equal torch's bidirectional layer on a packed
    batch: the backward direction starts at each sequence's own last real step, not at the padding."""
    N, T, D, H = 4, 5, 3, 2
    lengths = np.array([2, 5, 3, 1])
    m, ((pf, pb),) = _torch_model(cell, D, H, 1, True, seed=8)
    x = np.random.default_rng(6).normal(size=(N, T, D))
    f_all, f_fin = masked_forward(cell, x, lengths, pf)
    b_all, b_fin = masked_forward(cell, x, lengths, pb, reverse=True)
    t_out, t_state = _torch_packed(m, x, lengths)
    assert _max_err(np.concatenate([f_all, b_all], axis=-1), t_out) <= TOL
    if cell == "lstm":
        assert _max_err(f_fin[0], t_state[0][0]) <= TOL and _max_err(b_fin[0], t_state[0][1]) <= TOL
        assert _max_err(f_fin[1], t_state[1][0]) <= TOL and _max_err(b_fin[1], t_state[1][1]) <= TOL
    else:
        assert _max_err(f_fin, t_state[0]) <= TOL and _max_err(b_fin, t_state[1]) <= TOL
    # the mistake: running the backward direction over the padded array reads padding first
    _, naive_b, _ = sequence_forward(cell, x, None, pb, reverse=True)
    t_h = t_state[0] if cell == "lstm" else t_state
    assert _max_err(naive_b[lengths < T], t_h[1][torch.tensor(lengths < T)]) > 1e-3


def test_masked_course_gru_final_state_equals_its_torch_equations_run_on_the_unpadded_sequence():
    """For the course's GRU, h_final[n] equals its torch equations run on x[n, :lengths[n]] alone."""
    N, T, D, H = 3, 5, 2, 3
    rng = np.random.default_rng(4)
    p = _course_gru_params(rng, D, H)
    x = rng.normal(size=(N, T, D))
    lengths = np.array([5, 2, 3])
    h_all, h_f = masked_forward("gru", x, lengths, p)
    for n in range(N):
        o, hf = _course_gru_torch(x[n:n + 1, :lengths[n]], p, np.zeros((1, H)))
        assert _max_err(h_f[n:n + 1], hf) <= TOL
        assert _max_err(h_all[n:n + 1, :lengths[n]], o) <= TOL


def test_masked_forward_with_full_lengths_equals_sequence_forward():
    """All lengths = T: masking changes nothing."""
    rng = np.random.default_rng(0)
    p = {"Wx": rng.normal(size=(3, 16)), "Wh": rng.normal(size=(4, 16)), "b": rng.normal(size=16)}
    x = rng.normal(size=(2, 5, 3))
    h_all, (h_f, c_f) = masked_forward("lstm", x, [5, 5], p)
    s_all, s_h, s_c = sequence_forward("lstm", x, None, p)
    np.testing.assert_array_equal(h_all, s_all)
    np.testing.assert_array_equal(h_f, s_h)
    np.testing.assert_array_equal(c_f, s_c)


# ------------------------------------------------------------------------- sequence_forward

def test_reverse_sequence_forward_equals_torch_reverse_direction():
    """reverse=True gives the states of torch's reverse direction, aligned to the original t."""
    N, T, D, H = 2, 4, 3, 2
    m, ((_, pb),) = _torch_model("rnn", D, H, 1, True, seed=0)
    x = np.random.default_rng(0).normal(size=(N, T, D))
    h_all, h_last, c_last = sequence_forward("rnn", x, None, pb, reverse=True)
    t_out, t_h = m(torch.tensor(x))
    assert _max_err(h_all, t_out[..., H:]) <= TOL
    assert _max_err(h_last, t_h[1]) <= TOL
    assert c_last is None


def test_registry_lists_the_cells_and_their_gate_blocks():
    """CELLS gives 1, 4, 3 gate blocks for rnn, lstm, gru (and 3 for gru_pytorch); only the LSTM has c."""
    assert {k: v.gates for k, v in CELLS.items()} == {"rnn": 1, "lstm": 4, "gru": 3, "gru_pytorch": 3}
    assert [k for k, v in CELLS.items() if v.has_c] == ["lstm"]


# ---------------------------------------------------------------------------- bad input

def _rnn_params(D=3, H=4):
    rng = np.random.default_rng(0)
    return {"Wx": rng.normal(size=(D, H)), "Wh": rng.normal(size=(H, H)), "b": np.zeros(H)}


@pytest.mark.parametrize("lengths, expected, got", [
    ([0, 2], "1 <= length <= T = 4", "lengths[0] = 0"),
    ([2, 5], "1 <= length <= T = 4", "lengths[1] = 5"),
    ([2.5, 3], "integers", "2.5"),
    ([2, 3, 4], "shape (N,) = (2,)", "(3,)"),
    ([[2, 3]], "shape (N,) = (2,)", "(1, 2)"),
])
def test_masked_forward_rejects_bad_lengths_naming_expected_and_got(lengths, expected, got):
    """Lengths out of range, fractional or of the wrong shape raise ValueError with both numbers."""
    x = np.zeros((2, 4, 3))
    with pytest.raises(ValueError) as e:
        masked_forward("rnn", x, lengths, _rnn_params())
    assert expected in str(e.value) and got in str(e.value)


def test_unknown_cell_lists_the_valid_choices():
    with pytest.raises(ValueError, match="'rnn', 'lstm', 'gru', 'gru_pytorch'; got 'transformer'"):
        sequence_forward("transformer", np.zeros((1, 2, 3)), None, _rnn_params())


def test_params_with_missing_key_or_wrong_shape_are_rejected():
    """A missing bias and a Wh of the wrong size each raise ValueError naming expected and got."""
    p = _rnn_params()
    del p["b"]
    with pytest.raises(ValueError, match=r"must have keys \['Wh', 'Wx', 'b'\]; got \['Wh', 'Wx'\]"):
        sequence_forward("rnn", np.zeros((1, 2, 3)), None, p)
    p = _rnn_params()
    p["Wh"] = np.zeros((4, 5))
    with pytest.raises(ValueError, match=r"params\['Wh'\] must have shape .*got \(4, 5\)"):
        sequence_forward("rnn", np.zeros((1, 2, 3)), None, p)


def test_x_with_wrong_feature_count_is_rejected():
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, D\) = \(1, 2, 3\).*got \(1, 2, 7\)"):
        sequence_forward("rnn", np.zeros((1, 2, 7)), None, _rnn_params())


def test_cell_state_for_a_cell_without_one_is_rejected():
    with pytest.raises(ValueError, match="c0 is only for an LSTM"):
        sequence_forward("rnn", np.zeros((1, 2, 3)), None, _rnn_params(), c0=np.zeros((1, 4)))


def test_stacked_layer_whose_input_width_does_not_match_the_layer_below_is_rejected():
    """Layer 1 of a bidirectional stack must read 2H features; a D-row Wx is refused."""
    p0 = (_rnn_params(3, 4), _rnn_params(3, 4))
    p1 = (_rnn_params(4, 4), _rnn_params(4, 4))                  # should have 2H = 8 rows
    with pytest.raises(ValueError, match=r"layer_params\[1\]\[0\]\['Wx'\] must have 8 rows.*got shape \(4, 4\)"):
        stacked_forward("rnn", np.zeros((1, 2, 3)), [p0, p1], bidirectional=True)


def test_bidirectional_h0_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, N, H\).*got \(1, 1, 4\)"):
        bidirectional_forward("rnn", np.zeros((1, 2, 3)), _rnn_params(), _rnn_params(), np.zeros((1, 1, 4)))
