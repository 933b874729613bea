"""Seeded mistakes of a4_gru, each a typical slip in one solution cell."""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="gru_z_swapped",
        cell_id="gru-step-forward-solution",
        old="next_h = (1 - z) * prev_h + z * n",
        new="next_h = z * prev_h + (1 - z) * n",
        expect={"gru_step_forward": "as in Cho et al. (2014)"},
    ),
    Mistake(
        name="gru_update_swapped",
        cell_id="gru-state-update-solution",
        old="next_h = (1 - z) * prev_h + z * h_tilde",
        new="next_h = z * prev_h + (1 - z) * h_tilde",
        # the full example is computed with the student's gru_state_update: it is wrong too
        expect={"gru_state_update": "as in Cho et al. (2014)"},
        scores={"full_example": 0},
    ),
    Mistake(
        name="gru_reset_after_product",
        cell_id="gru-candidate-solution",
        old="(r * prev_h) @ Wh_n",
        new="r * (prev_h @ Wh_n)",
        # with one unit (the lecture's examples) both orders give the same number: they keep their points
        expect={"gru_candidate": "the reset after the product"},
    ),
    Mistake(
        name="pytorch_course_update",
        cell_id="gru-step-forward-pytorch-solution",
        old="next_h = (1 - z) * n + z * prev_h",
        new="next_h = (1 - z) * prev_h + z * n",
        expect={"gru_step_forward_pytorch": "PyTorch lets z keep the old state"},
    ),
    Mistake(
        name="gru_params_bias_missing",
        cell_id="gru-params-textbook-solution",
        old="gru_params_textbook = 3 * h * (d + h + 1)",
        new="gru_params_textbook = 3 * h * (d + h)",
        expect={"gru_params_textbook": "leaves out the biases"},
    ),
]
