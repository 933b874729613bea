"""Do the lecture quick checks grade on the spot, with feedback, without showing the key?

Two parts: the ``autograder.quickcheck`` module on small hand-made questions, and every
quick check defined in course/*.ipynb, answered with the answers written below (choice
letters by hand, numbers from the reference in ``solutions``), never read from the
notebooks themselves.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.quickcheck import REGISTRY, MultipleChoice, Numeric, answer_key, ask, numeric_key

COURSE = Path(__file__).resolve().parents[1] / "course"


def _answers():
    """The right answer of every lecture quick check, written independently of the notebooks."""
    import solutions as S

    return {
        "00_1": "b",                                  # LSTM Wx is (D, 4H) = (5, 256)
        "00_2": "c",                                  # b = b_ih + b_hh
        "01_1": "b",                                  # review -> one label: many-to-one
        "01_2": "c",                                  # no weight sharing
        "02_1": float(S.tanh(0.2)),                   # h_1 = tanh(2.0 * 0.1 + 0.5 * 0 + 0)
        "02_2": "b",                                  # count has no T
        "02_3": "c",                                  # tanh
        "03_1": 0.9 ** 50,                            # 50 factors of the spectral radius
        "03_2": "b",                                  # direction kept
        "03_3": "b",                                  # gradient beyond K steps
        "04_1": float(S.lstm_state_update(2.0, 0.5, 0.5, -0.4, 1.0)[0]),
        "04_2": "c",                                  # output gate
        "04_3": "b",                                  # additive cell path
        "05_1": float(S.gru_state_update(0.5, 0.2, 1.0)),
        "05_2": "b",                                  # PyTorch: z -> 1 keeps the old state
        "05_3": "b",                                  # 3/4 as many
        "06_1": "b",                                  # h_n[-2], h_n[-1]
        "06_2": 4 + 2 + 1,                            # packed rows = sum of lengths
        "06_3": "c",                                  # stateful chunks only
        "07_1": S.dense_param_count(64, 12),          # Dense(12) on h_24
        "07_2": "b",                                  # (None, 24, 64)
        "08_1": "c",                                  # small GRU
        "08_2": "b",                                  # parallel training
    }


def _question_cells():
    """(notebook, cell) for every cell that defines a quick check."""
    out = []
    for path in sorted(COURSE.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out += [(path.name, c) for c in nb.cells if c.cell_type == "code" and re.fullmatch(r"qc-\d\d-\d-question", c.id)]
    return out


def _define(cell):
    """Run a question cell on its own (it imports only autograder.quickcheck) and return the question."""
    namespace: dict = {}
    exec(compile(cell.source, cell.id, "exec"), namespace)
    questions = [v for v in namespace.values() if isinstance(v, (MultipleChoice, Numeric))]
    assert len(questions) == 1, f"{cell.id} should define exactly one question"
    return questions[0]


QUESTION_CELLS = _question_cells()


# ---------------------------------------------------------------- the module itself

@pytest.fixture
def choice_question():
    return MultipleChoice(
        "t_1", "Which gate keeps the old cell state?",
        choices={"a": "input", "b": "forget", "c": "output"},
        key=answer_key("t_1", "b"),
        feedback={"a": "The input gate scales what is written.", "b": "It scales c_{t-1}.",
                  "c": "The output gate scales what is shown."},
    )


@pytest.fixture
def number_question():
    return Numeric("t_2", "h_t = 0.7 * tanh(0.7)?", key=numeric_key("t_2", 0.7 * math.tanh(0.7), 3), decimals=3,
                   hint="Multiply o by tanh(c).", mistakes={numeric_key("t_2", 0.7 * 0.7, 3): "Apply tanh to c first."})


def test_a_right_choice_passes_with_a_tick(choice_question, capsys):
    result = choice_question.check("b")
    assert result.passed is True and result.message.startswith("✅")
    assert "✅" in capsys.readouterr().out


def test_a_wrong_choice_fails_with_that_choices_feedback(choice_question):
    result = choice_question.check("a", quiet=True)
    assert result.passed is False and result.message.startswith("❌")
    assert "The input gate scales what is written." in result.message


def test_a_choice_is_normalised_before_grading(choice_question):
    assert choice_question.check(" B) ", quiet=True).passed is True


def test_no_answer_yet_is_neither_right_nor_wrong(choice_question):
    result = choice_question.check(None, quiet=True)
    assert result.passed is None and "no answer yet" in result.message


@pytest.mark.parametrize("bad", [2, "z", ["b"]])
def test_a_malformed_choice_says_what_was_expected_and_what_came(choice_question, bad):
    result = choice_question.check(bad, quiet=True)
    assert result.passed is False
    assert "expected one of 'a', 'b', 'c'" in result.message and repr(bad) in result.message


def test_a_number_within_the_last_decimal_passes(number_question):
    value = 0.7 * math.tanh(0.7)                       # 0.42306
    assert number_question.check(value, quiet=True).passed
    assert number_question.check(0.423, quiet=True).passed
    assert number_question.check(np.float64(value), quiet=True).passed
    assert number_question.check(np.array([value]), quiet=True).passed


def test_a_wrong_number_fails_with_the_hint(number_question):
    result = number_question.check(0.5, quiet=True)
    assert result.passed is False and "Multiply o by tanh(c)." in result.message


def test_a_known_mistake_gets_its_own_feedback(number_question):
    result = number_question.check(0.49, quiet=True)
    assert result.passed is False and "Apply tanh to c first." in result.message


@pytest.mark.parametrize("bad", ["0.423", float("nan"), True, [0.4, 0.5]])
def test_a_non_number_says_what_was_expected(number_question, bad):
    result = number_question.check(bad, quiet=True)
    assert result.passed is False and "expected a finite real number" in result.message


def test_a_count_must_be_exact():
    q = Numeric("t_3", "rows?", key=numeric_key("t_3", 7, 0), decimals=0)
    assert q.check(7, quiet=True).passed and q.check(7.2, quiet=True).passed
    assert not q.check(6, quiet=True).passed and not q.check(8, quiet=True).passed


def test_a_key_that_is_not_a_digest_is_refused():
    with pytest.raises(ValueError, match="64-character sha256"):
        MultipleChoice("t_4", "?", choices={"a": "x", "b": "y"}, key="b")


def test_a_key_that_matches_no_choice_is_refused():
    with pytest.raises(ValueError, match="matches none of the choices"):
        MultipleChoice("t_5", "?", choices={"a": "x", "b": "y"}, key=answer_key("t_5", "c"))


def test_keys_depend_on_the_question_so_one_hash_does_not_reveal_others():
    assert answer_key("01_1", "b") != answer_key("01_2", "b")


def test_questions_register_themselves_and_can_be_asked_by_id(choice_question):
    assert REGISTRY["t_1"] is choice_question
    assert ask("t_1", "b", quiet=True).passed is True
    assert ask("t_1", "c", quiet=True).passed is False


def test_asking_an_undefined_question_says_which_are_defined(choice_question):
    with pytest.raises(KeyError, match="no quick check 'zz_9'.*t_1"):
        ask("zz_9", "a")


# ---------------------------------------------------------------- the lectures' quick checks

def test_every_lecture_has_two_to_four_quick_checks():
    per_notebook: dict[str, int] = {}
    for name, _ in QUESTION_CELLS:
        per_notebook[name] = per_notebook.get(name, 0) + 1
    lectures = sorted(p.name for p in COURSE.glob("[0-9][0-9]_*.ipynb"))
    assert lectures, "no lecture notebooks found"
    for name in lectures:
        assert 2 <= per_notebook.get(name, 0) <= 4, f"{name} has {per_notebook.get(name, 0)} quick checks"


def test_every_lecture_quick_check_has_an_independent_answer_here():
    defined = {_define(cell).question_id for _, cell in QUESTION_CELLS}
    assert defined == set(_answers()), (f"quick checks without an answer here: {sorted(defined - set(_answers()))}; "
                                        f"answers for missing checks: {sorted(set(_answers()) - defined)}")


@pytest.mark.parametrize("name,cell", QUESTION_CELLS, ids=[c.id for _, c in QUESTION_CELLS])
def test_the_right_answer_passes_and_a_wrong_one_fails_with_feedback(name, cell):
    q = _define(cell)
    right = _answers()[q.question_id]
    assert q.check(right, quiet=True).passed is True, f"{name} {q.question_id}: the right answer {right!r} fails"
    if isinstance(q, MultipleChoice):
        for wrong in (c for c in q.choices if c != right):
            result = q.check(wrong, quiet=True)
            assert result.passed is False
            assert len(result.message) > len(f"❌ {q.question_id}: not {wrong}). Try another choice."), \
                f"{name} {q.question_id}: choice {wrong} fails without feedback"
    else:
        result = q.check(right + 10 * 10.0 ** -q.decimals + 1, quiet=True)
        assert result.passed is False and len(result.message.split("is not it.", 1)[1].strip()) > 0, \
            f"{name} {q.question_id}: a wrong number fails without a hint"


@pytest.mark.parametrize("name,cell", QUESTION_CELLS, ids=[c.id for _, c in QUESTION_CELLS])
def test_the_answer_key_is_not_in_the_notebooks_plain_text(name, cell):
    q = _define(cell)
    right = _answers()[q.question_id]
    source = cell.source
    assert not re.search(r"\b(answer|correct|solution)\s*=", source), f"{cell.id} names its answer in plain text"
    assert re.search(r'key="[0-9a-f]{64}"', source) or re.search(r"key='[0-9a-f]{64}'", source)
    if isinstance(q, Numeric):
        shown = f"{right:.{q.decimals}f}"
        readable = re.sub(r"[0-9a-f]{64}", "<digest>", source)          # digits inside digests are not the answer
        for text in {shown, shown.rstrip("0").rstrip(".") if "." in shown else shown}:
            assert not re.search(rf"(?<![\d.]){re.escape(text)}(?![\d])", readable), f"{cell.id} shows its answer {text}"
    # and the source is folded in JupyterLab: the student sees the question (output), not the key
    assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{cell.id} source is not folded"


@pytest.mark.parametrize("name,cell", QUESTION_CELLS, ids=[c.id for _, c in QUESTION_CELLS])
def test_each_question_is_followed_by_an_answer_cell_that_starts_empty(name, cell):
    nb = nbformat.read(COURSE / name, as_version=4)
    ids = [c.id for c in nb.cells]
    check = nb.cells[ids.index(cell.id) + 1]
    qid = cell.id[3:7].replace("-", "_")
    assert check.id == cell.id.replace("-question", "-check")
    assert check.source.startswith(f"answer_{qid} = None") and f"q{qid}.check(answer_{qid})" in check.source
