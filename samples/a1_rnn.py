"""Seeded mistakes of a1_rnn, each a typical slip in one solution cell."""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="dtanh_not_squared",
        cell_id="activation-derivatives-solution",
        old="dtanh = 1 - t ** 2",
        new="dtanh = 1 - t",
        expect={"activation_derivatives": "1 - tanh(z)**2"},
    ),
    Mistake(
        name="rnn_bias_missing",
        cell_id="rnn-step-forward-solution",
        old="a = x @ Wx + prev_h @ Wh + b",
        new="a = x @ Wx + prev_h @ Wh",
        # rnn_forward, the worked example and both models reuse the step and name the mistake.
        # The worked example is a value the notebook computed with it: lost. rnn_forward and the
        # models are right with a correct step: their points are carried forward at grading.
        expect={"rnn_step_forward": "without the bias", "rnn_forward": "without the bias",
                "many_to_one": "without the bias", "many_to_many": "without the bias"},
        scores={"worked_example": 0},
        carried=("rnn_forward", "many_to_one", "many_to_many"),
    ),
    Mistake(
        name="softmax_over_batch",
        cell_id="output-forward-solution",
        old="scores.max(axis=-1, keepdims=True))    # stability: largest exponent is 0\n"
            "    probs = e / e.sum(axis=-1, keepdims=True)",
        new="scores.max(axis=0, keepdims=True))    # stability: largest exponent is 0\n"
            "    probs = e / e.sum(axis=0, keepdims=True)",
        # both models call output_forward and are right with a correct one: carried forward
        expect={"output_forward": "wrong axis", "many_to_one": "your output_forward",
                "many_to_many": "your output_forward"},
        carried=("many_to_one", "many_to_many"),
    ),
    Mistake(
        name="many_to_one_first_state",
        cell_id="many-to-one-solution",
        old="h[:, -1, :]",
        new="h[:, 0, :]",
        expect={"many_to_one": "first hidden state"},
    ),
    Mistake(
        name="tanh_quick_check_wrong",
        cell_id="quick-check-tanh-solution",
        old='answer_tanh = "b"',
        new='answer_tanh = "a"',
        scores={"quick_check_tanh": 0},
    ),
]
