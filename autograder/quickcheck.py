"""Quick-check questions in the lecture notebooks, graded on the spot.

A lecture defines a question in a cell (its source folded) and shows it:

    from autograder.quickcheck import MultipleChoice
    q04_2 = MultipleChoice(
        "04_2", "Which part of the LSTM decides how much of $c_t$ is exposed as $h_t$?",
        choices={"a": "the forget gate", "b": "the input gate", "c": "the output gate"},
        key="<sha256 made with answer_key('04_2', 'c')>",
        feedback={"a": "The forget gate scales $c_{t-1}$, so it changes the cell state.", ...},
    )
    q04_2.show()                # the question as Markdown with maths, and a/b/c to click

and the next cell lets the student answer in code instead (nbgrader, tests, and any
frontend without widgets use this path):

    answer_04_2 = None          # the student replaces None with "a", "b" or "c"
    q04_2.check(answer_04_2);   # says Right or Wrong, with that choice's feedback

Texts are Markdown with maths between ``$...$``. JupyterLab renders them (MathJax); a
plain-text frontend gets them with the dollars dropped and a few TeX commands spelled
as characters (``\\odot`` as ⊙), folded at word boundaries to 100 characters a line.
A verdict is told by its word (Right, Wrong, Not an answer, No answer yet) and, where
HTML renders, by its colour too; never by a symbol alone.

The answer key is never stored in plain text: a choice question stores the sha256 of
``"<question id>:<normalised answer>"`` (``answer_key``), a numeric question the sha256
of the answer rounded to ``decimals`` places (``numeric_key``). ``check`` accepts a
number that is within one unit of the last kept decimal place of the answer.

ipywidgets and a running kernel are optional: without either, ``show`` prints the
plain text and answers go through ``check``. Nothing here imports ``solutions``:
students run it.
"""
from __future__ import annotations

import ast
import hashlib
import html
import math
import numbers
import operator
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["MultipleChoice", "Numeric", "Result", "Panel", "answer_key", "numeric_key", "ask", "REGISTRY", "WIDTH"]

#: every question built in this kernel, by id (tests and the notebook use it to list them)
REGISTRY: dict[str, "MultipleChoice | Numeric"] = {}

#: the widest line of plain text a question or verdict prints
WIDTH = 100

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise(answer: str) -> str:
    """Lower case, surrounding spaces and a trailing ')' or '.' removed: ' B) ' -> 'b'."""
    return answer.strip().lower().rstrip(").").strip()


def answer_key(question_id: str, answer: str) -> str:
    """The stored key of a choice answer: sha256 of ``"<question_id>:<normalised answer>"``."""
    return _sha(f"{question_id}:{_normalise(answer)}")


def _fmt(value: float, decimals: int) -> str:
    text = f"{round(float(value), decimals):.{decimals}f}"
    return "0." + "0" * decimals if text.strip("-0.") == "" else text  # -0.000 -> 0.000


def numeric_key(question_id: str, value: float, decimals: int) -> str:
    """The stored key of a numeric answer: sha256 of ``"<question_id>:<value to decimals places>"``."""
    return _sha(f"{question_id}:{_fmt(value, decimals)}")


def _check_key(key: str, question_id: str) -> str:
    if not isinstance(key, str) or not _HEX64.match(key):
        raise ValueError(
            f"quick check {question_id!r}: key must be a 64-character sha256 hex digest "
            f"(made with answer_key/numeric_key), got {key!r}"
        )
    return key


# ---------------------------------------------------------------- one text, three renderings

# TeX commands a plain-text reader would otherwise see spelled out; any other \name loses its backslash
_TEX_CHARS = {"odot": "⊙", "cdot": "·", "times": "×", "to": "→", "approx": "≈", "le": "≤", "leq": "≤",
              "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "sigma": "σ", "rho": "ρ", "partial": "∂",
              "infty": "∞", "sum": "Σ", "prod": "Π", "in": "∈", "lVert": "‖", "rVert": "‖", ",": " ", ";": " "}
_MATH = re.compile(r"\$([^$]+)\$")
_CODE = re.compile(r"`([^`]+)`")


def _plain_maths(tex: str) -> str:
    """``c_{t-1} = f \\odot c`` -> ``c_{t-1} = f ⊙ c``: TeX as a reader of plain text writes it."""
    tex = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", tex)
    tex = re.sub(r"\\(?:mathrm|mathbf|text|operatorname)\{([^{}]*)\}", r"\1", tex)
    tex = re.sub(r"\\([A-Za-z]+|[,;])", lambda m: _TEX_CHARS.get(m.group(1), m.group(1)), tex)
    return tex.replace("∂ ", "∂")


def _plain(markdown: str, *, glue: bool = False) -> str:
    """One line of this module's Markdown (maths, `code`, **bold**) as plain text.

    glue=True joins the parts of each formula with no-break spaces, which textwrap does
    not break at (it breaks at ASCII whitespace only), so a formula stays on one line.
    """
    space = "\xa0" if glue else " "
    text = _MATH.sub(lambda m: _plain_maths(m.group(1)).replace(" ", space), markdown)
    return _CODE.sub(r"\1", text).replace("**", "")


def _fold(markdown: str, indent: str = "") -> str:
    """Markdown as plain text folded at spaces to WIDTH characters a line, the later lines
    indented under the first one's text; a word or formula is never cut."""
    lines = (textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent),
                           break_long_words=False, break_on_hyphens=False)
             for line in _plain(markdown, glue=True).split("\n"))
    return "\n".join(lines).replace("\xa0", " ")


def _html(markdown: str) -> str:
    """One line of this module's Markdown as HTML; maths stays between $...$ for MathJax."""
    text = html.escape(markdown, quote=False)
    text = _CODE.sub(r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)


def _or_list(items) -> str:
    """``["a", "b", "c"]`` -> ``"a", "b" or "c"``."""
    quoted = [f'"{k}"' for k in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# ---------------------------------------------------------------- where output goes

def _kernel_shell():
    """The IPython shell of a running Jupyter kernel, or None (plain Python, terminal IPython, no IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _ipywidgets():
    """The ipywidgets module, or None when it is not installed."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


def _emit(bundle: Mapping[str, Any]) -> None:
    """Display a MIME bundle in a kernel (the frontend picks the richest type), else print its text/plain."""
    if _kernel_shell() is None:
        print(bundle["text/plain"])
        return
    from IPython.display import display
    display(dict(bundle), raw=True)


# ---------------------------------------------------------------- results

#: verdict word -> colour of the word and of the bar beside it (GitHub's accessible green/red/grey)
_COLOURS = {"Right": "#1a7f37", "Wrong": "#cf222e", "Not an answer": "#cf222e", "No answer yet": "#6e7781"}


@dataclass
class Result:
    """What one check gave.

    question_id: the question's id, e.g. ``"04_2"``.
    passed:      True right, False wrong or not an answer, None when no answer was given yet.
    message:     one line of plain text: the verdict word, the id, what was answered and why.
    word:        the verdict word the message starts with: Right, Wrong, Not an answer, No answer yet.
    detail:      the part after ``"<word> (<id>): "`` as Markdown, maths kept for MathJax.
    """

    question_id: str
    passed: bool | None
    message: str
    word: str = ""
    detail: str = ""

    def __bool__(self) -> bool:  # lets a test write ``assert q.check(x)``
        return bool(self.passed)

    def html(self) -> str:
        """The verdict as HTML: the word in its colour, a bar of that colour, the detail with its maths."""
        colour = _COLOURS.get(self.word, "#6e7781")
        return (f'<div class="quickcheck-verdict" data-verdict="{self.word}" '
                f'style="border-left: 4px solid {colour}; padding: 2px 0 2px 10px; margin: 4px 0">'
                f'<b style="color: {colour}">{self.word}</b> ({self.question_id}): {_html(self.detail)}</div>')

    def bundle(self) -> dict[str, str]:
        return {"text/html": self.html(), "text/plain": _fold(f"{self.word} ({self.question_id}): {self.detail}")}


def _result(question_id: str, passed: bool | None, word: str, detail: str) -> Result:
    detail = detail.strip()
    return Result(question_id, passed, f"{word} ({question_id}): {_plain(detail)}", word, detail)


def _report(result: Result, *, quiet: bool) -> Result:
    if not quiet:
        _emit(result.bundle())
    return result


@dataclass
class Panel:
    """The clickable part of a question, shown under its text (needs ipywidgets).

    box:     the container to display.
    answer:  what the student sets: ToggleButtons of the letters, or a Text for a number.
    verdict: an HTMLMath that shows the Result of the last answer given here.
    button:  the Check button of a number question; None for a choice, which is checked on selection.
    last:    the Result of the last answer given here, None before the first.
    """

    box: Any
    answer: Any
    verdict: Any
    button: Any = None
    last: Result | None = None

    def show_result(self, result: Result) -> Result:
        self.last = result
        self.verdict.value = result.html()
        return result

    def bundle(self) -> dict:
        """The widget's display bundle, whose text/plain (seen where widgets do not render) says where to answer."""
        data = dict(self.box._repr_mimebundle_())
        data["text/plain"] = "(The answer buttons need a frontend with widgets: answer in the next cell instead.)"
        return data


def _display_panel(panel: Panel | None) -> bool:
    """Display a panel in a running kernel; True if it was displayed."""
    if panel is None or _kernel_shell() is None:
        return False
    from IPython.display import display
    display(panel.bundle(), raw=True)
    return True


# ---------------------------------------------------------------- questions

@dataclass
class MultipleChoice:
    """A question with lettered choices; one of them is right.

    question_id: e.g. ``"04_1"`` (lecture 04, question 1); part of the hashed key.
    question:    the question, Markdown with maths between ``$...$``.
    choices:     letter -> choice text (Markdown), e.g. ``{"a": "...", "b": "..."}``.
    key:         ``answer_key(question_id, correct_letter)``.
    feedback:    letter -> why that choice is right or wrong (Markdown), shown after a check.
    """

    question_id: str
    question: str
    choices: Mapping[str, str]
    key: str
    feedback: Mapping[str, str] = field(default_factory=dict)
    _clickable: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key(self.key, self.question_id)
        self.choices = {_normalise(k): v for k, v in self.choices.items()}
        self.feedback = {_normalise(k): v for k, v in self.feedback.items()}
        if not any(answer_key(self.question_id, c) == self.key for c in self.choices):
            raise ValueError(f"quick check {self.question_id!r}: the key matches none of the choices {sorted(self.choices)}")
        REGISTRY[self.question_id] = self

    def markdown(self) -> str:
        """The question and its choices as Markdown; the maths is left for MathJax."""
        lines = [f"**Quick check {self.question_id}.** {self.question}", ""]
        lines += [f"- **{k})** {v}" for k, v in self.choices.items()]
        return "\n".join(lines)

    def text(self) -> str:
        """The question and its choices as plain text, no line wider than WIDTH."""
        lines = [_fold(f"Quick check {self.question_id}. {self.question}")]
        lines += [_fold(v, indent=f"  {k}) ") for k, v in self.choices.items()]
        return "\n".join(lines)

    def widget(self) -> Panel | None:
        """Letters to click, graded on selection; None without ipywidgets."""
        w = _ipywidgets()
        if w is None:
            return None
        # the label stands in a row of its own making: ToggleButtons would put its description above the buttons
        pick = w.ToggleButtons(options=[(k, k) for k in self.choices], value=None,
                               tooltips=[_plain(v) for v in self.choices.values()], style={"button_width": "3.5em"})
        verdict = w.HTMLMath(value="")
        panel = Panel(w.VBox([w.HBox([w.Label("Your answer:"), pick]), verdict]), pick, verdict)

        def graded(change):
            if change["new"] is not None:
                panel.show_result(self.check(change["new"], quiet=True))
        pick.observe(graded, names="value")
        return panel

    def show(self) -> None:
        """Show the question (Markdown with maths, plain text where that cannot render) and letters to click."""
        _emit({"text/markdown": self.markdown(), "text/plain": self.text()})
        self._clickable = _display_panel(self.widget()) or self._clickable

    def check(self, answer, *, quiet: bool = False) -> Result:
        """Grade ``answer`` (a letter); show and return the Result."""
        qid, letters = self.question_id, _or_list(self.choices)
        if answer is None:
            where = " (or click a letter under the question)" if self._clickable else ""
            return _report(_result(qid, None, "No answer yet",
                                   f"answer_{qid} is still None: set it to {letters}{where}."), quiet=quiet)
        if not isinstance(answer, str):
            return _report(_result(qid, False, "Not an answer",
                                   f"expected {letters} (a string in quotes), got {answer!r} of type "
                                   f"{type(answer).__name__}."), quiet=quiet)
        choice = _normalise(answer)
        if choice not in self.choices:
            return _report(_result(qid, False, "Not an answer", f"expected {letters}, got {answer!r}."), quiet=quiet)
        said = f"{choice}) {self.choices[choice]}. {self.feedback.get(choice, '')}"
        if answer_key(qid, choice) == self.key:
            return _report(_result(qid, True, "Right", said), quiet=quiet)
        return _report(_result(qid, False, "Wrong", f"{said.strip()} Try another choice."), quiet=quiet)


# numbers and + - * / ** ^ ( ): what a student may type into a number box instead of a result
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
               ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def _arithmetic(text: str) -> float | None:
    """The value of ``"0.8"``, ``"0.9**50"`` or ``"0.5*2 + 0.5*-0.4"``; None if the text is anything else."""
    def value(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)  # floats, so 9**9**9 overflows at once instead of running on
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](value(node.operand))
        raise ValueError(node)
    try:
        return float(value(ast.parse(text.strip().replace("^", "**"), mode="eval").body))
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None


@dataclass
class Numeric:
    """A question whose answer is a number.

    question: Markdown with maths between ``$...$``.
    key:      ``numeric_key(question_id, value, decimals)``.
    decimals: the answer is compared at this many decimal places; an answer within one
              unit of the last place (10**-decimals) passes. decimals=0 (a count) must
              round to the key exactly.
    hint:     shown with a wrong answer (Markdown).
    mistakes: ``numeric_key`` of a typical wrong value -> what that mistake was (Markdown).
    """

    question_id: str
    question: str
    key: str
    decimals: int = 3
    hint: str = ""
    mistakes: Mapping[str, str] = field(default_factory=dict)
    _clickable: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key(self.key, self.question_id)
        for k in self.mistakes:
            _check_key(k, self.question_id)
        if not isinstance(self.decimals, int) or not 0 <= self.decimals <= 12:
            raise ValueError(f"quick check {self.question_id!r}: decimals must be an int in 0..12, got {self.decimals!r}")
        REGISTRY[self.question_id] = self

    def _how(self) -> str:
        if self.decimals == 0:
            return "Give a whole number."
        return f"Give a number; {self.decimals} decimal places are compared."

    def markdown(self) -> str:
        return f"**Quick check {self.question_id}.** {self.question}\n\n*{self._how()}*"

    def text(self) -> str:
        return _fold(f"Quick check {self.question_id}. {self.question} ({self._how()})")

    def widget(self) -> Panel | None:
        """A box for the number and a Check button (Enter checks too); None without ipywidgets."""
        w = _ipywidgets()
        if w is None:
            return None
        box = w.Text(value="", placeholder="a number, or arithmetic like 0.5*2", continuous_update=False,
                     description="Your answer:", style={"description_width": "initial"}, layout=w.Layout(width="24em"))
        button = w.Button(description="Check", button_style="primary", tooltip="grade the number in the box")
        verdict = w.HTMLMath(value="")
        panel = Panel(w.VBox([w.HBox([box, button]), verdict]), box, verdict, button)

        def graded(_=None):
            typed = box.value.strip()
            if not typed:
                result = _result(self.question_id, None, "No answer yet", "type a number in the box, then press Check.")
            elif (value := _arithmetic(typed)) is None:
                result = _result(self.question_id, False, "Not an answer",
                                 f"`{typed}` is not a number; type digits like 0.25, or arithmetic like `0.5*2`.")
            else:
                result = self.check(value, quiet=True)
            panel.show_result(result)
        button.on_click(graded)
        box.observe(graded, names="value")  # Enter (continuous_update=False: not on every key)
        return panel

    def show(self) -> None:
        """Show the question (Markdown with maths, plain text where that cannot render) and a box to answer in."""
        _emit({"text/markdown": self.markdown(), "text/plain": self.text()})
        self._clickable = _display_panel(self.widget()) or self._clickable

    def _matches(self, value: float, key: str) -> bool:
        if self.decimals == 0:  # a count: exact
            return numeric_key(self.question_id, value, 0) == key
        unit = 10.0 ** -self.decimals
        return any(numeric_key(self.question_id, value + d * unit, self.decimals) == key for d in (0, -1, 1))

    def check(self, answer, *, quiet: bool = False) -> Result:
        """Grade ``answer`` (a number); show and return the Result."""
        qid = self.question_id
        if answer is None:
            where = " (or type it in the box under the question)" if self._clickable else ""
            return _report(_result(qid, None, "No answer yet",
                                   f"answer_{qid} is still None: set it to a number{where}."), quiet=quiet)
        if hasattr(answer, "item") and getattr(answer, "size", 1) == 1:
            answer = answer.item()  # a numpy scalar or 1-element array
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
            return _report(_result(qid, False, "Not an answer",
                                   f"expected a finite real number, got {answer!r} of type {type(answer).__name__}."),
                           quiet=quiet)
        value = float(answer)
        shown = _fmt(value, self.decimals)
        if self._matches(value, self.key):
            return _report(_result(qid, True, "Right", f"{shown}."), quiet=quiet)
        why = next((why for key, why in self.mistakes.items() if self._matches(value, key)), self.hint)
        return _report(_result(qid, False, "Wrong", f"{shown} is not it. {why}"), quiet=quiet)


def ask(question_id: str, answer, *, quiet: bool = False) -> Result:
    """Grade ``answer`` for a question defined earlier in this kernel, by its id: ``ask("04_1", 0.8)``."""
    if question_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none yet (run the question's cell first)"
        raise KeyError(f"no quick check {question_id!r} is defined in this session; defined: {known}")
    return REGISTRY[question_id].check(answer, quiet=quiet)
