"""a2_bptt through nbgrader (shared checks of nbgrader_harness) and its references against torch."""
import numpy as np
import pytest
import torch

from nbgrader_harness import NbgraderAssignmentChecks


@pytest.mark.slow
class TestA2BpttThroughNbgrader(NbgraderAssignmentChecks):
    assignment_id = "a2_bptt"


def _problem(seed, N=2, T=6, D=3, H=4):
    rng = np.random.default_rng(seed)
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)),
                Wx=rng.standard_normal((D, H)) * 0.5, Wh=rng.standard_normal((H, H)) * 0.5,
                b=rng.standard_normal(H) * 0.5), rng.standard_normal((N, T, H))


def _torch_states(p, start_h, start, stop):
    """h_{start+1} .. h_stop (0-based steps start..stop-1) from a given h_start, in torch."""
    h, hs = start_h, []
    for t in range(start, stop):
        h = torch.tanh(p["x"][:, t] @ p["Wx"] + h @ p["Wh"] + p["b"])
        hs.append(h)
    return hs


@pytest.mark.parametrize("K", [1, 2, 3, 6, 10])
def test_truncated_bptt_matches_torch_with_the_state_detached_K_steps_back(K):
    """Loss term t = sum(h_t * dh_t), backpropagated from a graph that starts at h_{t-K}
    detached (a constant); summed over t. K >= T is full BPTT."""
    from solutions.assignments.a2_bptt import rnn_backward_truncated

    inputs, dh = _problem(0)
    p = {k: torch.tensor(v, requires_grad=k in ("Wx", "Wh", "b")) for k, v in inputs.items()}
    T = inputs["x"].shape[1]
    with torch.no_grad():
        full = [p["h0"]] + _torch_states(p, p["h0"], 0, T)          # h_0 .. h_T
    for t in range(T):
        start = max(t + 1 - K, 0)
        h_t = _torch_states(p, full[start].detach(), start, t + 1)[-1]
        (h_t * torch.tensor(dh[:, t])).sum().backward()
    got = rnn_backward_truncated(**inputs, dh=dh, K=K)
    for g, name in zip(got, ("Wx", "Wh", "b")):
        np.testing.assert_allclose(g, p[name].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_grad_norms_match_torch_jacobians():
    from solutions.assignments.a2_bptt import grad_norms_through_time

    inputs, _ = _problem(1, N=1, T=5, D=2, H=3)
    p = {k: torch.tensor(v) for k, v in inputs.items()}
    T = 5
    with torch.no_grad():
        states = [p["h0"]] + _torch_states(p, p["h0"], 0, T)
    expected = []
    for k in range(T):
        t = T - 1 - k                                                    # dh_T / dh_t
        J = torch.autograd.functional.jacobian(lambda h: _torch_states(p, h, t, T)[-1], states[t])
        expected.append(torch.linalg.matrix_norm(J.reshape(3, 3), ord=2).item())
    np.testing.assert_allclose(grad_norms_through_time(**inputs), expected, rtol=1e-10)


def test_spectral_radius_below_one_vanishes_and_above_one_grows_on_the_public_cases():
    """With h near 0, tanh' is near 1 and ||dh_T/dh_t|| is near rho^(T-t) for Wh = rho Q."""
    from autograder.spec import load
    from solutions.assignments.a2_bptt import grad_norms_through_time

    ex = load("a2_bptt").exercise("grad_norms_through_time")
    small, large = (grad_norms_through_time(**c.inputs) for c in ex.public)
    k = np.arange(1, len(small) + 1)
    np.testing.assert_allclose(small, 0.5 ** k, rtol=0.02)
    assert large[-1] > 10 * large[0] and np.all(np.diff(large[2:]) > 0)


def test_clip_reference_matches_torch_clip_grad_norm():
    from solutions.assignments.a2_bptt import clip_by_global_norm

    rng = np.random.default_rng(2)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)]
    for max_norm in (1.0, 100.0):
        params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
        for prm, g in zip(params, grads):
            prm.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        *clipped, got_total = clip_by_global_norm(*grads, max_norm)
        assert got_total == pytest.approx(total.item(), rel=1e-12)
        for c, prm in zip(clipped, params):
            # torch scales by max_norm / (total + 1e-6): equal to about 1e-6 relative
            np.testing.assert_allclose(c, prm.grad.numpy(), rtol=2e-6)


def test_numerical_dWh_reference_matches_torch_autograd():
    from solutions.assignments.a2_bptt import numerical_dWh

    inputs, dh = _problem(3, N=2, T=3, D=2, H=3)
    p = {k: torch.tensor(v, requires_grad=k == "Wh") for k, v in inputs.items()}
    hs = _torch_states(p, p["h0"], 0, 3)
    (torch.stack(hs, dim=1) * torch.tensor(dh)).sum().backward()
    np.testing.assert_allclose(numerical_dWh(**inputs, dh=dh), p["Wh"].grad.numpy(), rtol=1e-7, atol=1e-9)


def test_dtanh_through_tanh_is_torch_derivative_at_sample_points():
    import sympy as sp

    from solutions.assignments.a2_bptt import Y, dtanh_through_tanh

    f = sp.lambdify(Y, dtanh_through_tanh())
    z = torch.linspace(-3, 3, 13, dtype=torch.float64, requires_grad=True)
    torch.tanh(z).sum().backward()
    np.testing.assert_allclose(f(np.tanh(z.detach().numpy())), z.grad.numpy(), rtol=1e-12)
