"""Seeded mistakes of a3_lstm, each a typical slip in one solution cell."""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="lstm_no_forget_gate",
        cell_id="lstm-state-update-solution",
        old="next_c = f * prev_c + i * g",
        new="next_c = prev_c + i * g",
        # the step, the sequence and the backward (through the step's cache) reuse the update and
        # name it; each is right with a correct update: their points are carried forward at grading
        expect={"lstm_state_update": "without the forget gate", "lstm_step_forward": "without the forget gate",
                "lstm_forward": "without the forget gate", "lstm_step_backward": "your lstm_state_update"},
        carried=("lstm_step_forward", "lstm_forward", "lstm_step_backward"),
    ),
    Mistake(
        name="lstm_gates_cs231n_order",
        cell_id="lstm-gates-solution",
        old="g = np.tanh(a[:, 2 * H:3 * H])          # candidate values\n"
            "    o = sigmoid(a[:, 3 * H:4 * H])",
        new="g = np.tanh(a[:, 3 * H:4 * H])          # candidate values\n"
            "    o = sigmoid(a[:, 2 * H:3 * H])",
        # the step and the sequence call lstm_gates: the same HINT there. The backward still packs
        # da as i, f, g, o: right for a correct forward. All three are right with correct gates:
        # their points are carried forward at grading, and each names lstm_gates.
        expect={"lstm_gates": "order i, f, o, g (CS231n", "lstm_step_forward": "order i, f, o, g (CS231n",
                "lstm_forward": "order i, f, o, g (CS231n", "lstm_step_backward": "your lstm_gates"},
        carried=("lstm_step_forward", "lstm_forward", "lstm_step_backward"),
    ),
    Mistake(
        name="lstm_dprev_c_without_f",
        cell_id="lstm-step-backward-solution",
        old="dprev_c = dc * f",
        new="dprev_c = dc",
        # a known wrong backward: the HINT line, after the note that the backward disagrees
        # with numerical gradients of the (given, correct) forward
        expect={"lstm_step_backward": "HINT: your dprev_c matches dc without the forget gate"},
    ),
    Mistake(
        name="lstm_backward_no_tanh_derivative",
        cell_id="lstm-step-backward-solution",
        old="dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)",
        new="dc = dnext_c + dnext_h * o",
        expect={"lstm_step_backward": "HINT: your gradients match a backward pass that leaves out tanh'(c_t)"},
    ),
    Mistake(
        name="lstm_params_without_bias",
        cell_id="lstm-params-solution",
        old="lstm_params = 4 * h * (d + h + 1)",
        new="lstm_params = 4 * h * (d + h)",
        expect={"lstm_params": "leaves out the biases"},
    ),
    Mistake(
        name="lstm_coupled_reversed",
        cell_id="lstm-coupled-solution",
        old="next_c = f * prev_c + (1 - f) * g",
        new="next_c = (1 - f) * prev_c + f * g",
        expect={"lstm_coupled": "f multiplies the old cell"},
    ),
]
