"""Does every public reference function reject a wrongly shaped array with a ValueError
that names the argument and shows both the expected and the actual shape?"""
import numpy as np
import pytest

import solutions as S

N, T, D, H, V = 2, 3, 5, 4, 6


def _arrays(**shapes):
    rng = np.random.default_rng(0)
    return {name: rng.normal(size=shape) for name, shape in shapes.items()}


def _step(k, c=False):
    shapes = dict(x=(N, D), prev_h=(N, H))
    if c:
        shapes["prev_c"] = (N, H)
    return _arrays(**shapes, Wx=(D, k * H), Wh=(H, k * H), b=(k * H,))


def _seq(k):
    return _arrays(x=(N, T, D), h0=(N, H), Wx=(D, k * H), Wh=(H, k * H), b=(k * H,))


def _rename(args, **names):
    return {names.get(k, k): v for k, v in args.items()}


def _backward(forward, n_out, **upstream):
    """Arguments of a backward: upstream gradients plus the cache of a valid forward."""
    def make():
        args = FORWARDS[forward]()
        cache = getattr(S, forward)(**args)[n_out]
        return {**_arrays(**upstream), "cache": cache}
    return make


FORWARDS = {
    "rnn_step_forward": lambda: _step(1),
    "rnn_forward": lambda: _seq(1),
    "lstm_step_forward": lambda: _step(4, c=True),
    "lstm_forward": lambda: _seq(4),
    "lstm_coupled_step_forward": lambda: _step(3, c=True),
    "lstm_peephole_step_forward": lambda: {**_step(4, c=True), **_arrays(p_i=(H,), p_f=(H,), p_o=(H,))},
    "gru_step_forward": lambda: _step(3),
    "gru_forward": lambda: _seq(3),
    "gru_step_forward_pytorch": lambda: _rename(_step(3), b="bx") | _arrays(bh=(3 * H,)),
    "output_forward": lambda: _arrays(h=(N, T, H), Wy=(H, V), by=(V,)),
}
BACKWARDS = {
    "rnn_step_backward": _backward("rnn_step_forward", 1, dnext_h=(N, H)),
    "rnn_backward": _backward("rnn_forward", 1, dh=(N, T, H)),
    "lstm_step_backward": _backward("lstm_step_forward", 2, dnext_h=(N, H), dnext_c=(N, H)),
    "lstm_backward": _backward("lstm_forward", 1, dh=(N, T, H)),
    "gru_step_backward": _backward("gru_step_forward", 1, dnext_h=(N, H)),
    "gru_backward": _backward("gru_forward", 1, dh=(N, T, H)),
}
MAKERS = {**FORWARDS, **BACKWARDS}

CASES = [(fn, arg) for fn, make in MAKERS.items() for arg, a in make().items() if isinstance(a, np.ndarray)]
# The first argument a forward checks (x, or h for output_forward) fixes the sizes the
# others are checked against, so a wrong size there is reported on its partner instead
# (see test_first_argument_with_wrong_size_is_reported_against_its_partner).
FIRST = {fn: ("h" if fn == "output_forward" else "x") for fn in FORWARDS}
SIZE_CASES = [(fn, arg) for fn, arg in CASES if FIRST.get(fn) != arg]


def _fmt(shape):
    return str(tuple(shape))


def test_every_cell_function_a_spec_grades_is_checked_here():
    """The specs name the graded functions; each one of the cell modules (rnn, lstm, gru) must
    have a maker above, so a new exercise cannot slip past these checks unnoticed."""
    from autograder import build_data, spec

    graded = {ex.reference.partition(":")[2] for aid in build_data.spec_ids() for ex in spec.load(aid).exercises
              if ex.reference.partition(":")[0] in ("solutions.rnn", "solutions.lstm", "solutions.gru")
              and ex.kind in ("function", "gradient")}
    assert graded, "no spec names a cell function"
    # the state updates take gate values, not weight matrices: there is no layout to check
    assert graded <= set(MAKERS) | {"lstm_state_update", "gru_state_update"}, graded - set(MAKERS)


@pytest.mark.parametrize("fn, arg", SIZE_CASES, ids=[f"{f}-{a}" for f, a in SIZE_CASES])
def test_wrong_size_names_the_argument_and_both_shapes(fn, arg):
    args = MAKERS[fn]()
    good = args[arg].shape
    # one too many along an axis whose size an earlier argument fixed: the last axis,
    # except for the arguments that introduce H or V there (prev_h, h0, Wy): axis 0
    axis = 0 if arg in ("prev_h", "h0", "Wy") else len(good) - 1
    bad = tuple(n + (k == axis) for k, n in enumerate(good))
    args[arg] = np.zeros(bad)
    with pytest.raises(ValueError) as err:
        getattr(S, fn)(**args)
    msg = str(err.value)
    assert msg.startswith(fn + ":"), msg
    assert f"{arg} must have shape" in msg, msg
    assert _fmt(good) in msg and _fmt(bad) in msg, msg


@pytest.mark.parametrize("fn", list(FORWARDS))
def test_first_argument_with_wrong_size_is_reported_against_its_partner(fn):
    """x is checked first and fixes D, so a wrong D shows up as a mismatch with Wx,
    whose message names both: 'Wx must have shape (D, H) = (6, 4) to match x (N, D) = (2, 6)
    ...; got (5, 4)'. Likewise h fixes H for output_forward's Wy."""
    first = FIRST[fn]
    partner = "Wy" if fn == "output_forward" else "Wx"
    args = MAKERS[fn]()
    args[first] = np.zeros(args[first].shape[:-1] + (args[first].shape[-1] + 1,))
    with pytest.raises(ValueError) as err:
        getattr(S, fn)(**args)
    msg = str(err.value)
    assert f"{partner} must have shape" in msg and f"to match {first} " in msg, msg
    assert _fmt(args[first].shape) in msg and _fmt(args[partner].shape) in msg, msg


@pytest.mark.parametrize("fn, arg", CASES, ids=[f"{f}-{a}" for f, a in CASES])
def test_wrong_number_of_dimensions_is_reported_with_the_expected_ndim(fn, arg):
    args = MAKERS[fn]()
    bad = (1,) + args[arg].shape                       # an extra leading axis
    args[arg] = np.zeros(bad)
    with pytest.raises(ValueError) as err:
        getattr(S, fn)(**args)
    msg = str(err.value)
    assert msg.startswith(fn + ":") and arg in msg and _fmt(bad) in msg, msg
    if not (fn == "output_forward" and arg == "h"):      # h may be 2-D or 3-D
        assert f"must be a {len(bad) - 1}-D array" in msg, msg


def test_the_documented_example_message():
    args = _step(1)
    args["Wh"] = np.zeros((H, H - 1))
    with pytest.raises(ValueError) as err:
        S.rnn_step_forward(**args)
    assert str(err.value) == ("rnn_step_forward: Wh must have shape (H, H) = (4, 4) to match "
                              "prev_h (N, H) = (2, 4); got (4, 3)")


def test_stacked_weights_whose_width_is_not_a_multiple_of_the_gate_count_are_reported():
    args = _seq(4)
    args["h0"] = np.zeros((N, H))
    args["Wx"] = np.zeros((D, 4 * H))
    args["Wh"] = np.zeros((H, 4 * H + 1))
    with pytest.raises(ValueError, match=r"Wh must have shape \(H, 4H\) = \(4, 16\) to match h0"):
        S.lstm_forward(**args)


def test_a_list_instead_of_an_array_is_a_type_error_naming_the_argument():
    args = _step(1)
    args["b"] = [0.0] * H
    with pytest.raises(TypeError, match=r"rnn_step_forward: b must be a numpy array of shape \(H,\); got list"):
        S.rnn_step_forward(**args)


def test_state_updates_reject_gates_of_different_shapes():
    with pytest.raises(ValueError, match=r"lstm_state_update: .* got prev_c \(2,\), f \(3,\)"):
        S.lstm_state_update(np.zeros(2), np.zeros(3), 0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match=r"gru_state_update: .* got prev_h \(2, 4\), z \(2, 3\)"):
        S.gru_state_update(np.zeros((2, 4)), np.zeros((2, 3)), np.zeros((2, 4)))


def test_numerical_gradient_refuses_float32():
    from autograder.numgrad import eval_numerical_gradient
    with pytest.raises(TypeError, match="float64 numpy array.*got float32 array"):
        eval_numerical_gradient(lambda x: float(x.sum()), np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("fn", ["rnn_forward", "lstm_forward", "gru_forward"])
def test_an_empty_sequence_is_rejected(fn):
    args = MAKERS[fn]()
    args["x"] = np.zeros((N, 0, D))
    with pytest.raises(ValueError, match=rf"{fn}: x must have at least one time step.*got \(2, 0, 5\)"):
        getattr(S, fn)(**args)
