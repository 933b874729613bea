"""Seeded mistakes of a2_bptt, each a typical slip in one solution cell."""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="bptt_no_tanh_derivative",
        cell_id="rnn-step-backward-solution",
        old="da = dnext_h * (1 - next_h ** 2)",
        new="da = dnext_h",
        # a known wrong backward: the HINT line, after the note that the backward disagrees
        # with numerical gradients of the (pasted, correct) forward; rnn_backward and the
        # truncated BPTT reuse the step backward, so BPTT leaves out tanh' at every step
        expect={"rnn_step_backward": "HINT: your gradients match a backward pass that leaves out tanh'",
                "rnn_backward": "HINT: your gradients match a backward pass that leaves out tanh'"},
        scores={"rnn_backward_truncated": 0},
    ),
    Mistake(
        name="bptt_gradient_not_carried",
        cell_id="rnn-backward-solution",
        old="rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])",
        new="rnn_step_backward(dh[:, t, :], cache[t])",
        expect={"rnn_backward": "HINT: your gradients match BPTT that does not carry the gradient back"},
    ),
    Mistake(
        name="clip_by_value",
        cell_id="clip-solution",
        old="dWx, dWh, db = (g * scale for g in grads)",
        new="dWx, dWh, db = (np.clip(g, -max_norm, max_norm) for g in grads)",
        expect={"clip_by_global_norm": "np.clip of each entry"},
        # partial credit: where the global norm is below max_norm nothing is clipped either way
        # (the public case with max_norm = 100, and hidden 1, whose max_norm is twice the norm)
        passing={"clip_by_global_norm": ("global norm below max_norm = 100", "hidden 1")},
    ),
    Mistake(
        name="truncation_one_step_longer",
        cell_id="truncated-solution",
        old="for s in range(t, max(t - K, -1), -1):",
        new="for s in range(t, max(t - K - 1, -1), -1):",
        expect={"rnn_backward_truncated": "truncation to K + 1 steps"},
    ),
    Mistake(
        name="dtanh_sympy_not_squared",
        cell_id="dtanh-sympy-solution",
        old="dtanh_in_y = sp.diff(sp.tanh(z), z).rewrite(sp.tanh).subs(sp.tanh(z), y)",
        new="dtanh_in_y = 1 - y",
        expect={"dtanh_sympy": "1 - tanh(z)**2"},
    ),
]
