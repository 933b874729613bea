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

import builtins
import os
import traceback

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
_extract_tb = traceback.extract_tb
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
    raise AnswerError(f"{what}: expected finite numbers, got {' and '.join(parts)} "
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

def _library_dirs() -> tuple[str, ...]:
    import sysconfig

    dirs = {_dirname(_abspath(np.__file__)), _dirname(_abspath(__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            dirs.add(_abspath(p))
    return _tuple(sorted(dirs))


_LIBRARY_DIRS = _library_dirs()


def _is_library(filename: str) -> bool:
    f = _abspath(filename) if not filename.startswith("<") else filename
    return _any(f.startswith(d + os.sep) for d in _LIBRARY_DIRS)


def describe_exception(exc: BaseException, *, name: str, hidden: bool = False) -> str:
    """'rnn_step_forward raised ValueError: ...' plus the last frame of the student's code.

    Reads the exception's args (``BaseException.__str__``), never its own ``__str__``.
    Hidden cases: the exception's message is left out (it may print hidden inputs).
    """
    kind = _type(exc).__name__
    try:
        text = _exc_str(exc)
    except Exception:  # noqa: BLE001 - args that cannot be printed
        text = "(message could not be printed)"
    if _len(text) > 500:
        text = text[:500] + " ..."
    frames = [f for f in _extract_tb(exc.__traceback__) if not _is_library(f.filename)
              and not f.filename.startswith(_dirname(_abspath(__file__)))]
    if not frames:
        frames = _extract_tb(exc.__traceback__)[-1:]
    msg = f"{name} raised {kind}" + ("" if hidden or not text else f": {text}")
    if frames:
        f = frames[-1]
        line = (f.line or "").strip()
        msg += f"\n  in {f.name}, line {f.lineno}" + (f": {line}" if line else "")
    if hidden:
        msg += "\n  (details are shown for the public cases)"
    return msg


def call_student(fn, kwargs: dict, *, name: str, hidden: bool = False, args=()):
    """Call the student's function; an exception becomes an AnswerError with its message.

    ``kwargs`` are copied (fresh arrays) so the student cannot alter the case inputs.
    Only Exception and SystemExit are caught: KeyboardInterrupt and the grader's own
    time limit (a BaseException) go through.
    """
    if not _callable(fn):
        raise AnswerError(f"{name}: expected a function, got {describe(fn)}")
    kw = {k: (_np_array(v, copy=True) if _type(v) is _ndarray else v) for k, v in kwargs.items()}
    pos = [(_np_array(v, copy=True) if _type(v) is _ndarray else v) for v in args]
    try:
        return fn(*pos, **kw)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any student error becomes feedback
        raise AnswerError(describe_exception(exc, name=name, hidden=hidden)) from None
