"""Do the lecture quick checks grade on the spot, with feedback, without showing the key?

Two parts: the ``autograder.quickcheck`` module on small hand-made questions, and every
quick check defined in course/*.ipynb, answered with the answers written below (choice
letters by hand, numbers from the reference in ``solutions``), never read from the
notebooks themselves.
"""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import quickcheck
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
        "09_1": 96 / 4,                               # p = 1/24 at every step: exp(-ln(1/24)) = 24
        "09_2": "b",                                  # T -> 0: greedy argmax
        "09_3": "b",                                  # context carried, gradient cut
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


def test_a_right_choice_says_right_and_that_choices_feedback(choice_question, capsys):
    result = choice_question.check("b")
    assert result.passed is True and result.word == "Right"
    assert result.message == "Right (t_1): b) forget. It scales c_{t-1}."
    assert capsys.readouterr().out == "Right (t_1): b) forget. It scales c_{t-1}.\n"


def test_a_wrong_choice_says_wrong_with_that_choices_feedback(choice_question):
    result = choice_question.check("a", quiet=True)
    assert result.passed is False
    assert result.message == "Wrong (t_1): a) input. The input gate scales what is written. Try another choice."


def test_a_choice_is_normalised_before_grading(choice_question):
    assert choice_question.check(" B) ", quiet=True).passed is True


def test_no_answer_yet_is_neither_right_nor_wrong_and_says_what_to_do(choice_question):
    result = choice_question.check(None, quiet=True)
    assert result.passed is None
    assert result.message == 'No answer yet (t_1): answer_t_1 is still None: set it to "a", "b" or "c".'


@pytest.mark.parametrize("bad", [2, "z", ["b"]])
def test_a_malformed_choice_says_what_was_expected_and_what_came(choice_question, bad):
    result = choice_question.check(bad, quiet=True)
    assert result.passed is False and result.word == "Not an answer"
    assert 'expected "a", "b" or "c"' in result.message and repr(bad) in result.message


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


# ---------------------------------------------------------------- what the student sees

CELL_UPDATE = r"$c_t = f \odot c_{t-1} + i \odot g$"


@pytest.fixture
def maths_question():
    return MultipleChoice(
        "t_6", rf"Along which path does the gradient pass from $c_t$ to $c_{{t-1}}$ in {CELL_UPDATE}?",
        choices={"a": r"through $\tanh(c_t)$", "b": "through the forget gate $f$ alone"},
        key=answer_key("t_6", "b"),
        feedback={"a": r"$\tanh(c_t)$ is on the way to $h_t$.", "b": r"$\partial c_t / \partial c_{t-1} = f$."},
    )


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


def _verdict_colour(html: str) -> tuple[int, int, int]:
    return _hex_rgb(re.search(r'<b style="color: (#[0-9a-f]{6})">', html).group(1))


def test_the_rendered_markdown_keeps_the_latex_as_written(maths_question):
    md = maths_question.markdown()
    assert CELL_UPDATE in md and r"$\tanh(c_t)$" in md and "$c_{t-1}$" in md
    assert md.count("$") % 2 == 0
    # the feedback of a check keeps its maths for MathJax too
    assert r"$\partial c_t / \partial c_{t-1} = f$" in maths_question.check("b", quiet=True).html()


def test_the_plain_text_drops_the_dollars_and_spells_tex_commands_as_characters(maths_question):
    text = maths_question.text()
    assert "c_t = f ⊙ c_{t-1} + i ⊙ g" in text and "a) through tanh(c_t)" in text
    assert "$" not in text and "\\" not in text
    assert maths_question.check("b", quiet=True).message == "Right (t_6): b) through the forget gate f alone. ∂c_t / ∂c_{t-1} = f."


def test_plain_text_lines_are_at_most_100_characters_and_no_word_or_formula_is_cut():
    words = ("The forget gate multiplies the previous cell state elementwise, so along the cell path the "
             "gradient is scaled by f and by no weight matrix; with forget gates near one it survives "
             "hundreds of steps, which is the reason LSTMs were proposed in the first place.").split()
    q = Numeric("t_7", " ".join(words) + " " + CELL_UPDATE, key=numeric_key("t_7", 1.0, 2), decimals=2)
    lines = q.text().split("\n")
    assert len(lines) >= 3 and max(len(line) for line in lines) <= 100
    # every word arrives whole: the words of the folded text are the words written above, in order
    assert q.text().split()[3:3 + len(words)] == words
    # the formula is never split across two lines
    assert any("c_t = f ⊙ c_{t-1} + i ⊙ g" in line for line in lines)


def test_a_long_choice_folds_under_its_own_text():
    long = "when consecutive batches are consecutive chunks of the same long sequences (stateful processing)"
    q = MultipleChoice("t_8", "When?", choices={"a": "never", "b": long}, key=answer_key("t_8", "b"))
    lines = q.text().split("\n")
    assert lines[2].startswith("  b) when") and lines[3].startswith("     ") and not lines[3].startswith("      ")
    assert max(map(len, lines)) <= 100 and " ".join(" ".join(lines[2:]).split()) == "b) " + long


def test_right_and_wrong_differ_by_word_and_by_colour_not_only_by_a_symbol(choice_question):
    right, wrong = choice_question.check("b", quiet=True), choice_question.check("a", quiet=True)
    assert right.message.startswith("Right ") and wrong.message.startswith("Wrong ")
    r, g, b = _verdict_colour(right.html())
    assert g > r and g > b, f"Right should be green, got {(r, g, b)}"
    r, g, b = _verdict_colour(wrong.html())
    assert r > g and r > b, f"Wrong should be red, got {(r, g, b)}"
    assert ">Right</b>" in right.html() and ">Wrong</b>" in wrong.html()


def test_clicking_a_letter_grades_it_on_the_spot(maths_question):
    pytest.importorskip("ipywidgets")
    panel = maths_question.widget()
    assert [value for _, value in panel.answer.options] == ["a", "b"] and panel.answer.value is None
    panel.answer.value = "a"                                  # what a click on "a" does
    assert panel.last.passed is False and ">Wrong</b>" in panel.verdict.value
    assert r"$\tanh(c_t)$ is on the way to $h_t$." in panel.verdict.value
    panel.answer.value = "b"
    assert panel.last.passed is True and ">Right</b>" in panel.verdict.value


def test_a_number_typed_in_the_box_is_graded_by_the_check_button(number_question):
    pytest.importorskip("ipywidgets")
    panel = number_question.widget()
    panel.answer.value = "0.5"
    panel.button.click()
    assert panel.last.passed is False and "Multiply o by tanh(c)." in panel.verdict.value
    panel.answer.value = "0.7*0.7"                            # arithmetic is worked out: the known mistake
    assert panel.last.passed is False and "Apply tanh to c first." in panel.last.message
    panel.answer.value = "0.423"
    panel.button.click()
    assert panel.last.passed is True and ">Right</b>" in panel.verdict.value
    panel.answer.value = "tanh(0.7)"                          # a name is not arithmetic: not evaluated
    assert panel.last.passed is False and panel.last.word == "Not an answer"
    panel.answer.value = ""
    panel.button.click()
    assert panel.last.passed is None and "type a number in the box" in panel.last.message


@pytest.mark.parametrize("typed,value", [("0.25", 0.25), ("-1e-3", -0.001), ("0.9**50", 0.9 ** 50), ("0.9^50", 0.9 ** 50),
                                         ("0.5*2 + 0.5*-0.4", 0.8), ("(1 - 0.2) * 0.5 + 0.2", 0.6)])
def test_the_number_box_reads_numbers_and_arithmetic(typed, value):
    assert quickcheck._arithmetic(typed) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("typed", ["", "abc", "__import__('os')", "9**9**9", "1/0", "[1]", "0.8 0.2"])
def test_the_number_box_refuses_anything_else_without_running_it(typed):
    assert quickcheck._arithmetic(typed) is None


@pytest.fixture
def in_a_kernel(monkeypatch):
    """Pretend to run in a Jupyter kernel; returns the list of what was displayed (raw bundles)."""
    import IPython.display

    shown: list[dict] = []
    monkeypatch.setattr(quickcheck, "_kernel_shell", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw=False: shown.append(bundle))
    return shown


def test_in_a_kernel_show_displays_markdown_with_a_plain_fallback_and_the_letters(maths_question, in_a_kernel):
    pytest.importorskip("ipywidgets")
    maths_question.show()
    question, panel = in_a_kernel
    assert question == {"text/markdown": maths_question.markdown(), "text/plain": maths_question.text()}
    assert "application/vnd.jupyter.widget-view+json" in panel and "answer in the next cell" in panel["text/plain"]
    # once the letters are shown, the code path mentions them too
    assert "or click a letter under the question" in maths_question.check(None, quiet=True).message


def test_in_a_kernel_a_check_displays_html_with_its_colour_and_a_plain_fallback(choice_question, in_a_kernel):
    choice_question.check("a")
    (verdict,) = in_a_kernel
    assert verdict["text/html"] == choice_question.check("a", quiet=True).html()
    assert verdict["text/plain"] == "Wrong (t_1): a) input. The input gate scales what is written. Try another choice."


def test_without_ipywidgets_everything_falls_back_to_the_code_path(maths_question, in_a_kernel, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)     # makes `import ipywidgets` raise ImportError
    with pytest.raises(ImportError):
        import ipywidgets  # noqa: F401
    assert maths_question.widget() is None
    maths_question.show()
    assert in_a_kernel == [{"text/markdown": maths_question.markdown(), "text/plain": maths_question.text()}]
    assert maths_question.check(None, quiet=True).message == \
        'No answer yet (t_6): answer_t_6 is still None: set it to "a" or "b".'
    assert maths_question.check("b", quiet=True).passed is True


def test_outside_a_kernel_show_prints_the_plain_text(maths_question, capsys):
    maths_question.show()
    assert capsys.readouterr().out == maths_question.text() + "\n"


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
            assert len(result.detail) > len(f"{wrong}) {q.choices[wrong]}. Try another choice."), \
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


def _texts(q):
    """Every text of a question a student may read: the question, its choices, feedback, hint, mistakes."""
    if isinstance(q, MultipleChoice):
        return [q.question, *q.choices.values(), *q.feedback.values()]
    return [q.question, q.hint, *q.mistakes.values()]


@pytest.mark.parametrize("name,cell", QUESTION_CELLS, ids=[c.id for _, c in QUESTION_CELLS])
def test_lecture_texts_write_maths_between_dollars_and_code_between_backquotes(name, cell):
    q = _define(cell)
    for text in _texts(q):
        assert text.count("$") % 2 == 0, f"{cell.id}: unbalanced $ in {text!r}"
        outside = re.sub(r"`[^`]*`", "", re.sub(r"\$[^$]*\$", "", text))
        # a subscript (c_t, h_{t-1}) or a TeX command outside $...$ and `...` would show unrendered
        assert not re.search(r"[A-Za-z]_[{A-Za-z0-9]|\\[A-Za-z]", outside), f"{cell.id}: unrendered maths in {text!r}"


@pytest.mark.parametrize("name,cell", QUESTION_CELLS, ids=[c.id for _, c in QUESTION_CELLS])
def test_lecture_questions_and_verdicts_fold_to_100_characters_in_plain_text(name, cell):
    q = _define(cell)
    answers = list(q.choices) if isinstance(q, MultipleChoice) else [_answers()[q.question_id], 1e6]
    shown = [q.text()] + [q.check(a, quiet=True).bundle()["text/plain"] for a in answers]
    for text in shown:
        assert "$" not in text and "\\" not in text, text
        assert max(len(line) for line in text.split("\n")) <= 100, text
