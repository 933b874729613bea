"""Turn what a student's code returns into plain float64 arrays, and reject the rest.

This module runs where the student's code runs (the notebook kernel, or the isolated
child process of ``autograder grade``), next to code that may have monkeypatched numpy
or builtins. It therefore binds every function it needs at import time and checks
types with ``type(x) is ...``; it never calls a method of the student's objects
(no ``__eq__``, ``__array__``, ``__float__``, ``__len__``, ``__str__``).

What is accepted (decided once, here):

- an exact ``numpy.ndarray`` (not a subclass) of a real dtype: float64, float32,
  float16 and longdouble are converted to float64 for the comparison (the message names
  the original dtype if the values then fail); integer arrays are converted too;
- an exact Python ``int`` or ``float``, or a numpy real scalar (``np.float32(1.0)``).

What is rejected, with a message saying what was expected and what was got:
lists and tuples (even when shaped like the answer), bool arrays and bools, complex,
object and string arrays, ndarray or float subclasses, any other object (whatever its
``__eq__`` or ``__array__``), NaN and inf.
"""
from __future__ import annotations

import ast
import builtins
import linecache
import os
import re
import textwrap
import warnings

import numpy as np

# -- references bound at import time (the student may rebind np.* or builtins.* later)
_type = builtins.type
_len = builtins.len
_tuple = builtins.tuple
_str = builtins.str
_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_min = builtins.min
_range = builtins.range
_isinstance = builtins.isinstance
_callable = builtins.callable
_any = builtins.any
_exc_str = BaseException.__str__
_ndarray = np.ndarray
_np_array = np.array
_float64 = np.float64
_isnan = np.isnan
_isinf = np.isinf
_argwhere = np.argwhere
_count_nonzero = np.count_nonzero
_unravel_index = np.unravel_index
_getline = linecache.getline
_ast_parse = ast.parse
_textwrap = textwrap.wrap
_dict_get = dict.get
_catch_warnings = warnings.catch_warnings
_simplefilter = warnings.simplefilter
_MISSING = object()
_abspath = os.path.abspath
_dirname = os.path.dirname

_REAL_SCALARS = (np.float64, np.float32, np.float16, np.longdouble,
                 np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
_ACCEPTED_KINDS = ("f", "i", "u")
_KIND_NAMES = {"b": "bool", "c": "complex", "O": "object", "U": "string", "S": "bytes",
               "V": "structured", "M": "datetime", "m": "timedelta"}


class AnswerError(Exception):
    """The student's answer cannot be graded; ``str(err)`` is the student-facing message."""


def fmt_shape(shape) -> str:
    """(2, 4) -> '(2, 4)'; (4,) -> '(4,)'; () -> '()'."""
    shape = _tuple(_int(s) for s in shape)
    if _len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(_str(s) for s in shape) + ")"


def describe(x) -> str:
    """What the student gave, in a few words: 'list', 'a complex128 numpy array', ..."""
    t = _type(x)
    if t is _ndarray:
        return f"a numpy array of dtype {x.dtype.name} and shape {fmt_shape(x.shape)}"
    if _isinstance(x, _ndarray):
        return f"{t.__name__} (a subclass of numpy.ndarray)"
    if x is None:
        return "None"
    if t is _bool or t is np.bool_:
        return "bool"
    if t is complex or t is np.complex128 or t is np.complex64:
        return f"complex number ({t.__name__})"
    if _isinstance(x, _float) and t is not _float and t not in _REAL_SCALARS:
        return f"{t.__name__} (a subclass of float)"
    return t.__name__


def _expected_words(shape) -> str:
    if shape is None:
        return "a numpy array"
    if _len(shape) == 0:
        return "a number (or a 0-d numpy array)"
    return f"a numpy array of shape {fmt_shape(shape)}"


def to_array(x, *, what: str, shape=None, hidden: bool = False):
    """Convert an answer to a fresh float64 array; return ``(array, original dtype name)``.

    what:   how to name the value in messages, e.g. ``"next_h"``.
    shape:  the expected shape, only to word the message (None: unknown or hidden).
    hidden: hidden cases: messages name no index and no shape.

    Raises AnswerError (see the module docstring for what is accepted).
    """
    if hidden:
        shape = None
    t = _type(x)
    if t is _ndarray:
        kind = x.dtype.kind
        if kind not in _ACCEPTED_KINDS:
            kind_name = _KIND_NAMES.get(kind, x.dtype.name)
            raise AnswerError(f"{what}: expected {_expected_words(shape)} of real numbers (float64), "
                              f"got a numpy array of dtype {x.dtype.name} ({kind_name})")
        dtype = x.dtype.name
        arr = _np_array(x, dtype=_float64, copy=True)
    elif t is _int or t is _float or t in _REAL_SCALARS:
        dtype = "float64" if t is _float else ("int" if t is _int else np.dtype(t).name)
        arr = _np_array(_float(x) if t is not _int else x, dtype=_float64)
    else:
        raise AnswerError(f"{what}: expected {_expected_words(shape)}, got {describe(x)}")
    _check_finite(arr, what, hidden)
    return arr, dtype


# The words of the message for an answer with NaN or inf: ``checks.score`` looks for them
# to add an exercise's ``non_finite_hint``.
NON_FINITE = "expected finite numbers"


def _check_finite(arr, what: str, hidden: bool) -> None:
    nan = _isnan(arr)
    inf = _isinf(arr)
    n_nan = _int(_count_nonzero(nan))
    n_inf = _int(_count_nonzero(inf))
    if n_nan == 0 and n_inf == 0:
        return
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN")
    if n_inf:
        parts.append(f"{n_inf} inf")
    where = ""
    if not hidden and arr.ndim > 0:
        first = _argwhere(nan | inf)[0]
        where = f" (first at index {fmt_shape(first)})" if arr.ndim > 1 else f" (first at index {_int(first[0])})"
    raise AnswerError(f"{what}: {NON_FINITE}, got {' and '.join(parts)} "
                      f"of {arr.size} values{where}. NaN and inf usually come from an overflow "
                      f"(exp of a large number) or 0/0.")


def to_number(x, *, what: str) -> float:
    """A single real number (Python or numpy scalar, or a 0-d/size-1 array) -> float."""
    arr, _ = to_array(x, what=what, shape=())
    if arr.size != 1:
        raise AnswerError(f"{what}: expected a single number, got an array of shape {fmt_shape(arr.shape)}")
    return _float(arr.reshape(()))


def split_outputs(ret, outputs, *, name: str):
    """The first ``len(outputs)`` values a function returned, by name (raw, unconverted).

    A single output may be returned bare or as the first item of a tuple; several
    outputs must come as a tuple (extra items such as a cache are ignored).
    """
    n = _len(outputs)
    if _type(ret) is _tuple:
        if _len(ret) < n:
            raise AnswerError(f"{name} should return ({', '.join(outputs)}, ...) with at least {n} values, "
                              f"got a tuple of {_len(ret)}")
        return {outputs[k]: ret[k] for k in _range(n)}
    if n == 1:
        return {outputs[0]: ret}
    raise AnswerError(f"{name} should return a tuple ({', '.join(outputs)}, ...), got {describe(ret)}")


# -- the student's exceptions ---------------------------------------------------------
#
# A message about an exception names the exercise being checked, the function of the
# student's that raised (the innermost frame in student code) and that line's text, read
# through ``linecache``: IPython registers every cell there, and the isolated worker
# registers its ``<cell N>`` sources too. Every line of a message fits in WIDTH characters.

WIDTH = 100
_CELL_FILENAME = re.compile(r"<cell (\d+)>")
_UNPACK = re.compile(r"(too many|not enough) values to unpack \(expected (\d+)(?:, got (\d+))?\)")
_NOT_ITERABLE = re.compile(r"cannot unpack non-iterable (\S+) object")
_NAME = re.compile(r"(?:name|local variable) '(\w+)'")


def _library_dirs() -> tuple[str, ...]:
    import sysconfig

    dirs = {_dirname(_abspath(np.__file__)), _dirname(_abspath(__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            dirs.add(_abspath(p))
    return _tuple(sorted(dirs))


_LIBRARY_DIRS = _library_dirs()
_OWN_DIR = _dirname(_abspath(__file__))


def _is_library(filename: str) -> bool:
    if filename.startswith("<"):
        return False
    f = _abspath(filename)
    return f.startswith(_OWN_DIR + os.sep) or _any(f.startswith(d + os.sep) for d in _LIBRARY_DIRS)


def exercise_label(exercise) -> str:
    """'lstm_step_forward (one LSTM step)': the exercise's target and its description."""
    description = getattr(exercise, "description", "")
    return f"{exercise.target} ({description})" if description else _str(exercise.target)


def _frames(tb) -> list:
    """(function name, filename, line number, frame) of every frame of a traceback."""
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        out.append((code.co_name, code.co_filename, tb.tb_lineno, tb.tb_frame))
        tb = tb.tb_next
    return out


def _line_text(filename: str, lineno: int) -> str:
    try:
        return _getline(filename, lineno).strip()
    except Exception:  # noqa: BLE001 - a message without the line's text is still a message
        return ""


def _where(name: str, filename: str, lineno: int) -> str:
    """'in rnn_step_backward, line 3 of cell 7' / 'at the top level of cell 7, line 3'."""
    cell = _CELL_FILENAME.fullmatch(filename)
    of_cell = f" of cell {cell.group(1)}" if cell else ""
    if name == "<module>":
        return f"at the top level of {'cell ' + cell.group(1) if cell else 'a cell'}, line {lineno}"
    return f"in {name}, line {lineno}{of_cell}"


def _code(line: str) -> str:
    """A line of code shown on its own, indented, cut to fit WIDTH."""
    room = WIDTH - 4
    return "    " + (line if _len(line) <= room else line[:room - 4] + " ...")


def _short(src: str) -> str:
    return src if _len(src) <= 40 else src[:36] + " ..."


def _unpacking(exc, line: str, frame, exercise) -> str:
    """Why an unpacking line failed, from the line (parsed with ast) and the message: the
    names it unpacks into, and how many items the value has. '' when it is no such line."""
    text = _exc_str(exc)
    many = _UNPACK.match(text)
    none = _NOT_ITERABLE.match(text)
    if many is None and none is None:
        return ""
    try:
        stmt = _ast_parse(line).body[0]
    except Exception:  # noqa: BLE001 - a line cut in the middle of a statement
        return ""
    if _type(stmt) is not ast.Assign or _len(stmt.targets) != 1:
        return ""
    target = stmt.targets[0]
    if _type(target) not in (ast.Tuple, ast.List) or _any(_type(e) is ast.Starred for e in target.elts):
        return ""
    names = [ast.unparse(e) for e in target.elts]
    value = stmt.value
    if _type(value) is ast.Call:
        what = f"what {_short(ast.unparse(value.func))}(...) returned"
        has = "it has"
    else:
        src = _short(ast.unparse(value))
        what, has = src, f"{src} has"
        forward = getattr(exercise, "forward", None)
        if _type(value) is ast.Name and value.id == "cache" and forward:
            what, has = f"the cache your {forward} returned", "your cache has"
    expects = f"\n  this line expects {_len(names)}: ({', '.join(names)})."
    if none is not None:
        kind = "None" if none.group(1) == "NoneType" else f"a(n) {none.group(1)}"
        return f"This line unpacks {what}, but it is {kind}, not a tuple;{expects}"
    count = many.group(3)
    if count is None and _type(value) is ast.Name:
        scopes = (frame.f_locals, frame.f_globals) if frame is not None else ()
        for scope in scopes:
            got = _dict_get(scope, value.id, _MISSING) if _type(scope) is dict else _MISSING
            if _type(got) is _tuple or _type(got) is list:
                count = _str(_len(got))
                break
            if got is not _MISSING:
                break
    if count is None:
        count = f"more than {many.group(2)}" if many.group(1) == "too many" else f"fewer than {many.group(2)}"
    return f"This line unpacks {what}: {has} {count} items;{expects}"


def _undefined(exc) -> str:
    """Why a line used a name that does not exist (a given line that reads a variable the
    student's code was to define, e.g. next_h). '' for any other exception."""
    if not _isinstance(exc, NameError):
        return ""
    missing = _NAME.search(_exc_str(exc))
    if missing is None:
        return ""
    return (f"This line uses {missing.group(1)}, which is not defined when it runs: your code above "
            f"must give {missing.group(1)} its value (spelled exactly so).")


def _wrap(lines) -> str:
    """The lines joined, each longer than WIDTH broken at spaces (continuations indented)."""
    out = []
    for line in lines:
        for part in _str(line).split("\n"):
            if _len(part) <= WIDTH:
                out.append(part)
                continue
            indent = " " * (_len(part) - _len(part.lstrip(" ")))
            out.extend(_textwrap(part, WIDTH, subsequent_indent=indent or "  ", break_on_hyphens=False))
    return "\n".join(out)


def _explain(exc, *, name: str, hidden: bool, exercise=None, cell: str | None = None) -> list[str]:
    """The lines of a message about ``exc`` raised by student code while ``name`` ran."""
    kind = _type(exc).__name__
    try:
        text = _exc_str(exc)
    except Exception:  # noqa: BLE001 - args that cannot be printed
        text = "(message could not be printed)"
    if _len(text) > 500:
        text = text[:500] + " ..."
    every = _frames(exc.__traceback__)
    frames = [f for f in every if not _is_library(f[1])] or every[-1:]
    inner = frames[-1] if frames else None
    line = _line_text(inner[1], inner[2]) if inner else ""
    where = _where(inner[0], inner[1], inner[2]) if inner else ""
    label = exercise_label(exercise) if exercise is not None else name
    called = label if exercise is not None and name == exercise.target else name
    # the placeholder of the released notebook: NotImplementedError raised by student code itself
    if _isinstance(exc, NotImplementedError) and inner is not None and inner is every[-1]:
        fn = inner[0] if inner[0] != "<module>" else (cell or name)
        lines = [f"{fn} is not implemented yet: it still raises NotImplementedError, the placeholder",
                 f"  {where}:", _code(line) if line else "",
                 "  Write your code in its place."]
    else:
        head = f"{cell} raised {kind}" if cell else f"{called} raised {kind}"
        lines = [head + ("" if hidden or not text else f": {text}")]
        if inner is not None:
            lines.append(f"  {where}" + (":" if line else ""))
            if line:
                lines.append(_code(line))
            if not hidden and line:
                try:
                    why = _unpacking(exc, line, inner[3], exercise) or _undefined(exc)
                except Exception:  # noqa: BLE001 - the explanation is a bonus
                    why = ""
                if why:
                    lines.append("  " + why)
    if exercise is not None and label not in lines[0]:
        lines.append(f"  (while checking {label})")
    if hidden:
        lines.append("  (details are shown for the public cases)")
    return [ln for ln in lines if ln]


def describe_exception(exc: BaseException, *, name: str, hidden: bool = False, exercise=None) -> str:
    """What went wrong, for the student: 'rnn_step_forward (one step of the tanh RNN) raised
    ValueError: ...', the function of theirs it happened in and that line's text, or
    'lstm_step_forward is not implemented yet' for the released notebook's placeholder.

    name:     the function the grader called (the exercise's target, or the forward of a
              gradient exercise).
    exercise: the exercise being checked (its target and description are named).
    Reads the exception's args (``BaseException.__str__``), never its own ``__str__``.
    Hidden cases: the exception's message is left out (it may print hidden inputs).
    """
    return _wrap(_explain(exc, name=name, hidden=hidden, exercise=exercise))


def _defined_names(source: str) -> list[str]:
    """Names a cell defines at its top level (functions, classes, assigned variables)."""
    try:
        tree = _ast_parse(source)
    except Exception:  # noqa: BLE001 - IPython syntax, or a syntax error
        return []
    names = []
    for stmt in tree.body:
        if _type(stmt) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            names.append(stmt.name)
        elif _type(stmt) in (ast.Assign, ast.AnnAssign, ast.AugAssign):
            targets = stmt.targets if _type(stmt) is ast.Assign else [stmt.target]
            for t in targets:
                for node in ast.walk(t):
                    if _type(node) is ast.Name:
                        names.append(node.id)
    return names


def describe_cell_error(exc: BaseException, *, cell: int, source: str, exercises=()) -> str:
    """What a notebook cell raised when the grader ran it, for the gradebook and feedback.

    'cell 8 still holds the placeholder raise NotImplementedError()' for the released
    notebook's placeholder at the cell's top level; else 'cell 7 raised ValueError: ...'
    with the function and line it happened in. Either way the exercises whose answers the
    cell defines (by their targets) are named, or else the names it defines.
    """
    label = f"cell {cell}"
    names = _defined_names(source)
    owned = [exercise_label(ex) for ex in exercises if ex.target in names]
    every = _frames(exc.__traceback__)
    last = every[-1] if every else None
    if (_isinstance(exc, NotImplementedError) and last is not None and last[0] == "<module>"
            and _CELL_FILENAME.fullmatch(last[1])):
        text = _line_text(last[1], last[2]) or "raise NotImplementedError()"
        lines = [f"{label} still holds the placeholder `{text}` (line {last[2]}): "
                 "write your answer there"]
    else:
        lines = _explain(exc, name=label, hidden=False, cell=label)
        if not lines[0].startswith(label):
            lines[0] = f"{label}: {lines[0]}"
    if owned:
        lines.append(f"  (the exercise of this cell: {', '.join(owned)})")
    elif names:
        shown = ", ".join(names[:5]) + (", ..." if _len(names) > 5 else "")
        lines.append(f"  (this cell defines {shown})")
    return _wrap(lines)


def call_student(fn, kwargs: dict, *, name: str, hidden: bool = False, args=(), exercise=None):
    """Call the student's function; an exception becomes an AnswerError with its message
    (``describe_exception``: ``exercise`` is the one being checked).

    ``kwargs`` are copied (fresh arrays) so the student cannot alter the case inputs.
    Only Exception and SystemExit are caught: KeyboardInterrupt and the grader's own
    time limit (a BaseException) go through.
    """
    if not _callable(fn):
        raise AnswerError(f"{name}: expected a function, got {describe(fn)}")
    kw = {k: (_np_array(v, copy=True) if _type(v) is _ndarray else v) for k, v in kwargs.items()}
    pos = [(_np_array(v, copy=True) if _type(v) is _ndarray else v) for v in args]
    # Warnings the call raises (numpy's "overflow encountered in exp") are kept off stderr:
    # nbgrader gives a test cell that wrote to stderr no points at all, whatever its checks
    # found. What they warn of shows in the answer itself (NaN and inf are refused with a
    # message that names overflow), and the check's verdict is the same with or without them.
    try:
        with _catch_warnings(record=True):
            _simplefilter("always")
            return fn(*pos, **kw)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any student error becomes feedback
        raise AnswerError(describe_exception(exc, name=name, hidden=hidden, exercise=exercise)) from None
