"""a5_architectures through nbgrader (shared checks of nbgrader_harness) and its own facts."""
import numpy as np
import pytest
import torch

from nbgrader_harness import NbgraderAssignmentChecks

from autograder.spec import load


@pytest.mark.slow
class TestA5ArchitecturesThroughNbgrader(NbgraderAssignmentChecks):
    assignment_id = "a5_architectures"


def _torch_rnn(D, H, **kw):
    return torch.nn.RNN(D, H, batch_first=True, **kw).double()


def _load(param, value):
    with torch.no_grad():
        param.copy_(torch.tensor(value))


def test_bidirectional_reference_matches_torch():
    """nn.RNN(bidirectional=True): weight_ih_l0 = Wx_f.T, ..._reverse = Wx_b.T, bias_hh = 0."""
    from solutions.assignments.a5_architectures import bidirectional_rnn_forward

    rng = np.random.default_rng(0)
    N, T, D, H = 3, 5, 4, 2
    x = rng.standard_normal((N, T, D))
    w = {k: rng.standard_normal(s) for k, s in
         dict(Wx_f=(D, H), Wh_f=(H, H), b_f=(H,), Wx_b=(D, H), Wh_b=(H, H), b_b=(H,)).items()}
    rnn = _torch_rnn(D, H, bidirectional=True)
    for sfx, d in (("", "f"), ("_reverse", "b")):
        _load(getattr(rnn, f"weight_ih_l0{sfx}"), w[f"Wx_{d}"].T)
        _load(getattr(rnn, f"weight_hh_l0{sfx}"), w[f"Wh_{d}"].T)
        _load(getattr(rnn, f"bias_ih_l0{sfx}"), w[f"b_{d}"])
        _load(getattr(rnn, f"bias_hh_l0{sfx}"), np.zeros(H))
    with torch.no_grad():
        out, h_n = rnn(torch.tensor(x))
    got_out, got_h = bidirectional_rnn_forward(x, **w)
    np.testing.assert_allclose(got_out, out.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got_h, h_n.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got_h[1], got_out[:, 0, H:])   # the backward summary sits at t = 0


def test_stacked_reference_matches_torch():
    from solutions.assignments.a5_architectures import stacked_rnn_forward

    rng = np.random.default_rng(1)
    N, T, D, H = 2, 4, 3, 5
    x = rng.standard_normal((N, T, D))
    w = dict(Wx1=rng.standard_normal((D, H)), Wh1=rng.standard_normal((H, H)) * 0.5, b1=rng.standard_normal(H),
             Wx2=rng.standard_normal((H, H)), Wh2=rng.standard_normal((H, H)) * 0.5, b2=rng.standard_normal(H))
    rnn = _torch_rnn(D, H, num_layers=2)
    for layer in (1, 2):
        _load(getattr(rnn, f"weight_ih_l{layer - 1}"), w[f"Wx{layer}"].T)
        _load(getattr(rnn, f"weight_hh_l{layer - 1}"), w[f"Wh{layer}"].T)
        _load(getattr(rnn, f"bias_ih_l{layer - 1}"), w[f"b{layer}"])
        _load(getattr(rnn, f"bias_hh_l{layer - 1}"), np.zeros(H))
    with torch.no_grad():
        out, h_n = rnn(torch.tensor(x))
    got_out, got_h = stacked_rnn_forward(x, **w)
    np.testing.assert_allclose(got_out, out.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got_h, h_n.numpy(), rtol=1e-12, atol=1e-14)


def test_masked_reference_matches_torch_packed_sequences():
    """pack_padded_sequence(enforce_sorted=False) + pad_packed_sequence: zeros at padding, h_n at each true end."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from solutions.assignments.a5_architectures import masked_rnn_forward

    rng = np.random.default_rng(2)
    N, T, D, H = 4, 6, 3, 2
    x, lengths = rng.standard_normal((N, T, D)), np.array([6, 2, 4, 1])
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)) * 0.5, rng.standard_normal(H)
    rnn = _torch_rnn(D, H)
    _load(rnn.weight_ih_l0, Wx.T)
    _load(rnn.weight_hh_l0, Wh.T)
    _load(rnn.bias_ih_l0, b)
    _load(rnn.bias_hh_l0, np.zeros(H))
    with torch.no_grad():
        packed = pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, h_n = rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    h, h_final = masked_rnn_forward(x, lengths, Wx, Wh, b)
    np.testing.assert_allclose(h, out.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_final, h_n[0].numpy(), rtol=1e-12, atol=1e-14)


def test_forecast_counts_are_the_keras_counts_by_hand():
    """SimpleRNN(64) on 5 features: 5*64 + 64*64 + 64 = 4480; Dense(12) on 64: 64*12 + 12 = 780;
    Flatten: 24*64 = 1536 values; Dense(128) on 1536: 1536*128 + 128 = 196736; Dense(12) on 128: 1548."""
    from solutions.assignments.a5_architectures import forecast_counts_all, forecast_counts_last

    np.testing.assert_array_equal(forecast_counts_last(), [4480, 780, 4480 + 780])
    np.testing.assert_array_equal(forecast_counts_all(), [4480, 0, 196736, 1548, 4480 + 196736 + 1548])


def test_simple_rnn_count_matches_torch_minus_its_second_bias():
    """torch.nn.RNN has b_ih and b_hh; Keras's SimpleRNN has one bias: subtract H."""
    from solutions.assignments.a5_architectures import forecast_counts_last

    n_torch = sum(p.numel() for p in torch.nn.RNN(5, 64).parameters())
    assert forecast_counts_last()[0] == n_torch - 64


def test_hidden_cases_use_other_shapes_than_the_public_ones():
    spec = load("a5_architectures")
    for ex in spec.exercises:
        public = {tuple(np.shape(v) for v in c.inputs.values()) for c in ex.public}
        for case in ex.cases(hidden=True):
            assert tuple(np.shape(v) for v in case.inputs.values()) not in public, (ex.grade_id, case.name)


def test_masked_cases_have_padding_and_a_full_length_sequence():
    """Without a padded sequence the masking mistakes could not be told apart from the reference."""
    spec = load("a5_architectures")
    ex = spec.exercise("masked_rnn_forward")
    for case in ex.public + ex.cases(hidden=True):
        T = case.inputs["x"].shape[1]
        assert case.inputs["lengths"].max() == T and case.inputs["lengths"].min() < T, case.name
