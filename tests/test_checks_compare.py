"""Is the failure message laid out like numpy's assert_allclose (our own text)?

The expected numbers come from a hand computation, written in each docstring.
"""
import re

import numpy as np

from autograder.compare import compare

DESIRED = np.arange(1.0, 9.0).reshape(2, 4)          # [[1, 2, 3, 4], [5, 6, 7, 8]]


def _three_wrong():
    """[0, 1]: 2.5 vs 2 (abs 0.5, rel 0.25); [1, 0]: 4 vs 5 (abs 1, rel 0.2);
    [1, 3]: 8.25 vs 8 (abs 0.25, rel 0.03125). 3 of 8 elements, 37.5%."""
    a = DESIRED.copy()
    a[0, 1], a[1, 0], a[1, 3] = 2.5, 4.0, 8.25
    return a


def test_equal_arrays_pass_with_an_empty_message():
    assert compare(DESIRED.copy(), DESIRED, rtol=1e-6, atol=1e-8) == (True, "")


def test_tolerance_criterion_comes_first_and_names_the_output():
    ok, msg = compare(_three_wrong(), DESIRED, rtol=1e-6, atol=1e-8, name="next_h")
    assert not ok
    first = msg.splitlines()[0]
    assert "rtol=1e-06" in first and "atol=1e-08" in first and "next_h" in first


def test_mismatch_count_worst_elements_and_largest_differences():
    """Worst first by absolute difference: [1, 0] (1.0), [0, 1] (0.5), [1, 3] (0.25).
    Max absolute difference 1; max relative difference 0.5 / 2 = 0.25."""
    ok, msg = compare(_three_wrong(), DESIRED, rtol=1e-6, atol=1e-8)
    lines = msg.splitlines()
    assert "Mismatched elements: 3 / 8 (37.5%)" in lines
    i = lines.index("Mismatched elements: 3 / 8 (37.5%)")
    worst = [ln for ln in lines if re.match(r"^ \[\d, \d\]: ", ln)]
    assert worst == [" [1, 0]: 4 vs 5", " [0, 1]: 2.5 vs 2", " [1, 3]: 8.25 vs 8"]
    assert lines.index(worst[0]) > i
    assert "Max absolute difference: 1" in lines
    assert "Max relative difference: 0.25" in lines
    assert any(ln.startswith(" ACTUAL: ") for ln in lines) and any(ln.startswith(" DESIRED: ") for ln in lines)


def test_elements_inside_atol_plus_rtol_times_desired_are_not_mismatched():
    """|a - d| <= atol + rtol |d|: with rtol=0.1 only [1, 0] (rel 0.2) and [0, 1] (rel 0.25)
    fail; [1, 3] (0.25 <= 0.1 * 8) passes."""
    ok, msg = compare(_three_wrong(), DESIRED, rtol=0.1, atol=0.0)
    assert "Mismatched elements: 2 / 8 (25%)" in msg.splitlines()


def test_shape_mismatch_is_reported_after_the_criterion_and_shows_both_shapes():
    ok, msg = compare(np.zeros((2, 3)), DESIRED, rtol=1e-6, atol=1e-8)
    lines = msg.splitlines()
    assert not ok and lines[0].startswith("Not equal to tolerance")
    assert "(2, 3)" in lines[1] and "(2, 4)" in lines[1] and "mismatch" in lines[1]
    assert "Mismatched elements" not in msg


def test_a_failing_float32_answer_mentions_its_dtype():
    ok, msg = compare(_three_wrong(), DESIRED, rtol=1e-6, atol=1e-8, dtype="float32")
    assert not ok and "float32" in msg.splitlines()[1]


def test_hidden_cases_show_the_count_but_no_values():
    ok, msg = compare(_three_wrong(), DESIRED, rtol=1e-6, atol=1e-8, name="h", hidden=True)
    assert not ok
    assert msg.splitlines()[1] == "Mismatched elements: 3 / 8 (37.5%)"
    for value in ("2.5", "8.25", "4 vs 5", "ACTUAL", "DESIRED", "Max absolute"):
        assert value not in msg


def test_hidden_shape_mismatch_does_not_print_the_shapes():
    ok, msg = compare(np.zeros((5, 3)), np.zeros((5, 7)), rtol=1e-6, atol=1e-8, hidden=True)
    assert not ok and "shape" in msg and "(5, 7)" not in msg and "7" not in msg.splitlines()[1]


def test_messages_have_no_trailing_spaces_even_for_3d_arrays():
    ok, msg = compare(np.zeros((2, 2, 2)), np.ones((2, 2, 2)), rtol=1e-6, atol=0.0)
    assert not ok and all(ln == ln.rstrip() for ln in msg.splitlines())
