"""Seeded mistakes of a5_architectures, each a typical slip in one solution cell."""
from samples import Mistake

MISTAKES = [
    Mistake(
        name="bidir_backward_final_at_last_step",
        cell_id="bidirectional-solution",
        old="h_n = np.stack([last_f, last_b])",
        new="h_n = np.stack([last_f, h_b[:, -1]])",
        expect={"bidirectional_rnn_forward": "the backward direction ends at t = 0"},
    ),
    Mistake(
        name="stacked_returns_first_layer",
        cell_id="stacked-solution",
        old="out, h_n = h2, np.stack([last1, last2])",
        new="out, h_n = h1, np.stack([last1, last2])",
        expect={"stacked_rnn_forward": "the first layer's states"},
    ),
    Mistake(
        name="masked_final_from_padding",
        cell_id="masked-solution",
        old="h_final = prev_h",
        new="h_final = h[:, -1]",
        expect={"masked_rnn_forward": "t = lengths[n] - 1"},
    ),
    Mistake(
        name="dense_bias_missing",
        cell_id="forecast-counts-solution",
        old="return n_in * n_out + n_out",
        new="return n_in * n_out",
        expect={"forecast_counts_last": "Dense layers without their bias",
                "forecast_counts_all": "Dense layers without their bias"},
    ),
]
