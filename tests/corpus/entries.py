"""The corpus: each entry, its category, the score it deserves and what the grader must say.

The score an entry deserves is derived by hand, never read from a grader: the spec's
points (``autograder/specs/<id>.py``) minus the exercises listed in ``lost``. Which
exercises a fault costs follows from the notebook's structure. In a1_rnn:

    activation_derivatives 4, activations_at_2 1, rnn_step_forward 5, rnn_forward 5,
    worked_example 2, output_forward 4, many_to_one 3, many_to_many 3,
    quick_check_tanh 1, quick_check_shapes 1 (29 in all);
    rnn_forward calls rnn_step_forward; worked_example calls rnn_forward; many_to_one and
    many_to_many call rnn_forward and output_forward.

The functions that call a broken one keep their points by error carried forward (the spec's
``uses``: graded again with a correct stand-in for the broken function, they are right);
the worked example is a value the notebook computed with the broken function, so it is
lost. So a fault that leaves ``rnn_step_forward`` undefined or wrong costs STEP_CHAIN (7
points), one in ``rnn_forward`` costs FWD_CHAIN (7), one in ``output_forward`` costs
OUT_CHAIN (4). A fault in a cell of its own costs nothing: the grader skips that cell.

``says`` holds fragments of what the instructor sees in the record's message or the
student sees in the failing cases' messages (no numpy message text: it changes
between versions). ``status`` is the record's status in ``results.jsonl``.

Every entry is also submitted to an nbgrader course (tests/corpus/paths.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from corpus import build as b

A1 = "a1_rnn"
STEP_CHAIN = ("rnn_step_forward", "worked_example")
FWD_CHAIN = ("rnn_forward", "worked_example")
OUT_CHAIN = ("output_forward",)

CATEGORIES = ("control", "runaway execution", "crashes", "tampering with the checks", "fake answers",
              "reaching for the answers", "notebook tampering", "broken files", "the file system")


@dataclass(frozen=True)
class Entry:
    """One corpus submission.

    name:      student id and folder name (letters, digits, underscores).
    category:  one of CATEGORIES (a row of the Reliability table).
    what:      one line: the fault and the answers it sits next to.
    make:      ``(source notebook, Context) -> notebook | bytes | build.DIRECTORY``.
    lost:      grade ids that deserve 0 points; every other exercise deserves full points.
    status:    expected ``results.jsonl`` status: graded, timeout, error or malformed.
    says:      fragments the grader's message (record message + failing case messages) holds.
    assignment: the assignment whose source notebook the entry starts from.
    lose_all:  the entry deserves 0 on every exercise (broken files, the blank release).
    """

    name: str
    category: str
    what: str
    make: Callable
    lost: tuple[str, ...] = ()
    status: str = "graded"
    says: tuple[str, ...] = ()
    assignment: str = A1
    lose_all: bool = False

    def deserved(self, assignment) -> float:
        """The spec's points of the exercises not in ``lost`` (0 when ``lose_all``)."""
        unknown = set(self.lost) - {e.grade_id for e in assignment.exercises}
        if unknown:
            raise KeyError(f"entry {self.name!r} loses {sorted(unknown)}, not grade ids of {assignment.id}")
        if self.lose_all:
            return 0.0
        return float(sum(e.max_points for e in assignment.exercises if e.grade_id not in self.lost))

    def deserved_by_exercise(self, assignment) -> dict[str, float]:
        return {e.grade_id: 0.0 if (self.lose_all or e.grade_id in self.lost) else float(e.max_points)
                for e in assignment.exercises}


# --- building blocks: a correct student, typical mistakes ------------------------------------
def good(src, ctx=None):
    return b.student_copy(src)


def dtanh_wrong(nb):
    return b.replace(nb, "activation-derivatives-solution", "dtanh = 1 - t ** 2", "dtanh = 1 - t")


def bias_missing(nb):
    return b.replace(nb, "rnn-step-forward-solution", "a = x @ Wx + prev_h @ Wh + b", "a = x @ Wx + prev_h @ Wh")


def softmax_axis0(nb):
    b.replace(nb, "output-forward-solution", "scores.max(axis=-1, keepdims=True)", "scores.max(axis=0, keepdims=True)")
    return b.replace(nb, "output-forward-solution", "e.sum(axis=-1, keepdims=True)", "e.sum(axis=0, keepdims=True)")


def m2o_first_state(nb):
    return b.replace(nb, "many-to-one-solution", "h[:, -1, :]", "h[:, 0, :]")


def tanh_answer_wrong(nb):
    return b.replace(nb, "quick-check-tanh-solution", 'answer_tanh = "b"', 'answer_tanh = "a"')


def shapes_answer_wrong(nb):
    return b.replace(nb, "quick-check-shapes-solution", 'answer_shapes = "a"', 'answer_shapes = "b"')


def cell_after(anchor, source, *mistakes):
    """A correct notebook plus ``mistakes``, with a new cell holding ``source`` after ``anchor``."""
    def make(src, ctx):
        nb = good(src)
        for m in mistakes:
            m(nb)
        return b.insert_after(nb, anchor, source, new_id="corpus-fault")
    return make


def edited(*edits):
    def make(src, ctx):
        nb = good(src)
        for e in edits:
            e(nb)
        return nb
    return make


# --- runaway execution ------------------------------------------------------------------------
LOOP = "while True:\n    pass"
LOOP_IGNORING_SIGNALS = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                         "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass")
RECURSION = "def down(n):\n    return down(n + 1)\n\ndown(0)"
# Deep recursion in C (repr of a deeply nested list) in a thread with 1 MB of stack: it overflows
# at once, whatever `ulimit -s` is and however busy the machine (the process dies of SIGSEGV).
RECURSION_UNBOUNDED = """import sys, threading
sys.setrecursionlimit(10**8)          # no Python limit left: the C stack overflows
threading.stack_size(1 << 20)         # 1 MB of C stack

def dive():
    nested = []
    for _ in range(100_000):
        nested = [nested]
    repr(nested)

diver = threading.Thread(target=dive)
diver.start()
diver.join()"""
# np.empty takes address space without touching it: the grader's cap (RLIMIT_AS) stops the hog at
# once, on a fast machine and a loaded one alike (touching 1 GB takes seconds on a busy CI box).
MEMORY_HOG = ("hog = []\nwhile True:                      # 800 MB a step, until the memory cap stops it\n"
              "    hog.append(np.empty(10**8))")
SLEEP_MARK = "3617"           # children run `sleep 3617`: the tests look for leftovers by this argument
SPAWN = f"""import subprocess
children = []
for k in range(50):                  # hard cap: 50 sleeping children, never a real fork bomb
    try:
        children.append(subprocess.Popen(["sleep", "{SLEEP_MARK}"]))
    except OSError as exc:           # the grader's process limit may stop it sooner
        print("spawning stopped:", exc)
        break
print(len(children), "children sleeping")"""
PRINT_100MB = "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 10**6)   # 100 MB in all"

RUNAWAY = [
    Entry("loop_in_ex3_cell", "runaway execution",
          "an endless loop at the end of rnn_forward's cell; exercises 1-2 correct",
          edited(lambda nb: b.append(nb, "rnn-forward-solution", LOOP)),
          lost=FWD_CHAIN, status="timeout", says=("ran longer than",)),
    Entry("loop_ignoring_sigint", "runaway execution",
          "a cell that ignores SIGINT and SIGTERM and loops; quick check 7a wrong",
          cell_after("output-forward-solution", LOOP_IGNORING_SIGNALS, tanh_answer_wrong),
          lost=("quick_check_tanh",), status="timeout", says=("ran longer than",)),
    Entry("loop_in_function", "runaway execution",
          "many_to_many_forward never returns; everything else correct",
          edited(lambda nb: b.function_body_prefix(nb, "many-to-many-solution", "def many_to_many_forward", LOOP)),
          lost=("many_to_many",), status="timeout", says=("took longer than",)),
    Entry("deep_recursion", "runaway execution",
          "a cell recursing without end (Python's recursion limit stops it); all correct",
          cell_after("rnn-forward-solution", RECURSION), says=("RecursionError",)),
    Entry("recursion_limit_lifted", "runaway execution",
          "sys.setrecursionlimit(10**8), then repr of a list nested 100,000 deep in a 1 MB thread: SIGSEGV; dtanh wrong",
          cell_after("worked-example-solution", RECURSION_UNBOUNDED, dtanh_wrong),
          lost=("activation_derivatives",), status="error", says=("ended its process", "SIGSEGV")),
    Entry("memory_hog_cell", "runaway execution",
          "a cell allocating 800 MB a step until capped; dtanh wrong",
          cell_after("activations-at-2-solution", MEMORY_HOG, dtanh_wrong),
          lost=("activation_derivatives",), says=("MemoryError",)),
    Entry("memory_hog_in_function", "runaway execution",
          "many_to_many_forward allocates until capped; everything else correct",
          edited(lambda nb: b.function_body_prefix(nb, "many-to-many-solution", "def many_to_many_forward",
                                                   MEMORY_HOG)),
          lost=("many_to_many",), says=("MemoryError",)),
    Entry("spawns_50_children", "runaway execution",
          f"a cell starting 50 `sleep {SLEEP_MARK}` processes (bounded); many_to_one wrong",
          cell_after("rnn-step-forward-solution", SPAWN, m2o_first_state), lost=("many_to_one",)),
    Entry("prints_100mb", "runaway execution",
          "a cell printing 100 MB; all correct",
          cell_after("helpers", PRINT_100MB), says=("printed more than",)),
]

# --- crashes ----------------------------------------------------------------------------------
CRASHES = [
    Entry("os_exit_cell", "crashes", "os._exit(3) in a cell of its own; softmax over the wrong axis",
          cell_after("rnn-step-forward-solution", "import os\nos._exit(3)", softmax_axis0),
          lost=OUT_CHAIN, status="error", says=("exit code 3",)),
    Entry("sigkill_self", "crashes", "a cell sending SIGKILL to its own process; all correct",
          cell_after("output-forward-solution", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
          status="error", says=("SIGKILL",)),
    Entry("kills_parent", "crashes", "a cell killing its parent process (the grading worker), then itself; 7b wrong",
          cell_after("many-to-many-solution",
                     "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(os.getpid(), signal.SIGKILL)",
                     shapes_answer_wrong),
          lost=("quick_check_shapes",), status="error", says=("ended its process",)),
    Entry("sys_exit_in_step_cell", "crashes", "sys.exit(1) before rnn_step_forward is defined",
          edited(lambda nb: b.prepend(nb, "rnn-step-forward-solution", "import sys\nsys.exit(1)")),
          lost=STEP_CHAIN, says=("SystemExit",)),
    Entry("raises_in_module_scope", "crashes", "a RuntimeError raised before output_forward is defined",
          edited(lambda nb: b.prepend(nb, "output-forward-solution", 'raise RuntimeError("not today")')),
          lost=OUT_CHAIN, says=("RuntimeError",)),
    Entry("os_exit_in_function", "crashes", "many_to_one_forward calls os._exit(0); the rest correct",
          edited(lambda nb: b.function_body_prefix(nb, "many-to-one-solution", "def many_to_one_forward",
                                                   "import os\nos._exit(0)")),
          lost=("many_to_one",), status="error", says=("ended the process",)),
]

# --- tampering with the checks ----------------------------------------------------------------
PATCH_AUTOGRADER = """import autograder.checks as _checks, autograder.compare as _compare, autograder.answers as _answers
from autograder.notebook import Grader as _Grader
_checks.score = lambda *a, **k: None
_compare.compare = lambda *a, **k: (True, "")
_answers.to_array = lambda x, **k: (x, "float64")
_Grader.check = lambda self, grade_id, ns, hidden=False: print("✅ all cases passed")
_Grader.score = lambda self, grade_id: self.assignment.exercise(grade_id).max_points"""
TRANSFORMER = """def _full_marks(lines):
    text = "".join(lines)
    if "grader.check(" in text:
        gid = text.split('grader.check("')[1].split('"')[0]
        return ["print('✅ all cases passed')\\n", f"grader.assignment.exercise({gid!r}).max_points\\n"]
    return lines

_ip = get_ipython()
_ip.input_transformers_cleanup.append(_full_marks)
_ip.input_transformers_post.append(_full_marks)"""
TRACEBACK = """import sys
_ip = get_ipython()
_ip.showtraceback = lambda *a, **k: None        # errors of later cells leave no trace
sys.excepthook = lambda *a: None
grader = None                                   # so every test cell fails, silently"""
BUILTINS = """import builtins
builtins.isinstance = lambda *a: True
builtins.abs = lambda x: 0
builtins.print = lambda *a, **k: None
isinstance = lambda *a: False"""

TAMPERING = [
    Entry("patches_np_allclose", "tampering with the checks",
          "np.allclose always True; softmax over the wrong axis",
          cell_after("setup", "np.allclose = lambda *a, **k: True", softmax_axis0), lost=OUT_CHAIN),
    Entry("patches_np_isclose", "tampering with the checks",
          "np.isclose always True; dtanh wrong",
          cell_after("setup", "np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, bool)", dtanh_wrong),
          lost=("activation_derivatives",)),
    Entry("patches_np_testing", "tampering with the checks",
          "np.testing.assert_allclose and friends do nothing; many_to_one wrong",
          cell_after("setup", "np.testing.assert_allclose = lambda *a, **k: None\n"
                              "np.testing.assert_array_almost_equal = lambda *a, **k: None\n"
                              "np.testing.assert_array_equal = lambda *a, **k: None", m2o_first_state),
          lost=("many_to_one",)),
    Entry("patches_np_array_equal", "tampering with the checks",
          "np.array_equal always True; 7b wrong",
          cell_after("setup", "np.array_equal = lambda *a, **k: True", shapes_answer_wrong),
          lost=("quick_check_shapes",)),
    Entry("patches_autograder", "tampering with the checks",
          "autograder's compare/score/to_array and Grader.check/score replaced; bias missing",
          cell_after("setup", PATCH_AUTOGRADER, bias_missing), lost=STEP_CHAIN),
    Entry("overrides_builtins", "tampering with the checks",
          "builtins isinstance, abs and print replaced; dtanh wrong",
          cell_after("helpers", BUILTINS, dtanh_wrong), lost=("activation_derivatives",)),
    Entry("input_transformer", "tampering with the checks",
          "IPython input transformers that turn every test cell into full marks; bias missing",
          cell_after("setup", TRANSFORMER, bias_missing), lost=STEP_CHAIN),
    Entry("hides_tracebacks", "tampering with the checks",
          "showtraceback and sys.excepthook silenced, grader = None; many_to_one wrong",
          cell_after("setup", TRACEBACK, m2o_first_state), lost=("many_to_one",)),
]

# --- fake answers -----------------------------------------------------------------------------
ALWAYS_EQUAL = """
class AlwaysEqual:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False

activations_at_2 = AlwaysEqual()"""
ARRAY_LIKE = """class Lazy:
    \"\"\"Looks like an array to np.asarray.\"\"\"
    def __init__(self, a):
        self.a = a
    def __array__(self, dtype=None, copy=None):
        return self.a
"""
FLOAT_LIKE = """
class Number:
    def __init__(self, a):
        self.a = a
    def __float__(self):
        return float(self.a[0])
    def __array__(self, dtype=None, copy=None):
        return self.a

worked_h = Number(worked_h)"""

FAKES = [
    Entry("custom_eq", "fake answers", "activations_at_2 is an object whose __eq__ is always True",
          edited(lambda nb: b.append(nb, "activations-at-2-solution", ALWAYS_EQUAL)),
          lost=("activations_at_2",), says=("AlwaysEqual",)),
    Entry("custom_array", "fake answers", "output_forward returns objects with __array__ (the right values inside)",
          edited(lambda nb: b.prepend(nb, "output-forward-solution", ARRAY_LIKE),
                 lambda nb: b.replace(nb, "output-forward-solution", "return scores, probs",
                                      "return Lazy(scores), Lazy(probs)")),
          lost=OUT_CHAIN, says=("Lazy",)),
    Entry("custom_float", "fake answers", "worked_h is an object with __float__ and __array__",
          edited(lambda nb: b.append(nb, "worked-example-solution", FLOAT_LIKE)),
          lost=("worked_example",), says=("Number",)),
    Entry("list_shaped_answer", "fake answers",
          "rnn_step_forward returns next_h as a nested list (right values); rnn_forward still gets arrays",
          edited(lambda nb: b.replace(nb, "rnn-step-forward-solution", "return next_h, cache",
                                      "return next_h.tolist(), cache")),
          lost=("rnn_step_forward",), says=("list",)),
    Entry("nan_answer", "fake answers", "dsigmoid is all NaN",
          edited(lambda nb: b.replace(nb, "activation-derivatives-solution", "return dtanh, dsigmoid, drelu",
                                      "return dtanh, dsigmoid * np.nan, drelu")),
          lost=("activation_derivatives",), says=("NaN",)),
    Entry("inf_answer", "fake answers", "worked_h divided by zero (inf)",
          edited(lambda nb: b.append(nb, "worked-example-solution",
                                     "with np.errstate(divide='ignore'):\n    worked_h = worked_h / 0.0")),
          lost=("worked_example",), says=("inf",)),
    Entry("float16_answer", "fake answers", "rnn_step_forward returns float16 (every later exercise inherits the rounding)",
          edited(lambda nb: b.replace(nb, "rnn-step-forward-solution", "return next_h, cache",
                                      "return next_h.astype(np.float16), cache")),
          lost=STEP_CHAIN, says=("float16",)),
    Entry("complex_answer", "fake answers", "dtanh returned as complex",
          edited(lambda nb: b.replace(nb, "activation-derivatives-solution", "return dtanh, dsigmoid, drelu",
                                      "return dtanh + 0j, dsigmoid, drelu")),
          lost=("activation_derivatives",), says=("complex",)),
]


# --- reaching for the answers -----------------------------------------------------------------
def _import_solutions(src, ctx):
    nb = good(src)
    b.cell(nb, "rnn-step-forward-solution").source = "from solutions.rnn import rnn_step_forward"
    return nb


def _read_reference(src, ctx):
    nb = good(src)
    path = b.REPO / "solutions" / "rnn.py"
    b.cell(nb, "output-forward-solution").source = f"exec(open({str(path)!r}).read())   # the reference's output_forward"
    return nb


STEAL = """import json as _json

def _steal(cell_id, _path={path!r}):
    \"\"\"The instructor's source of one cell (solutions and hidden tests are in that file).\"\"\"
    cells = _json.load(open(_path))["cells"]
    return "".join(next(c["source"] for c in cells if c.get("id") == cell_id))"""


def _read_source_notebook(src, ctx):
    """The blank release; every solution cell runs the instructor's copy of itself read from disk."""
    nb = b.blank_copy(src)
    path = b.REPO / "assignments" / A1 / f"{A1}.ipynb"
    for c in nb.cells:
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"):
            c.source = f"exec(_steal({c.id!r}))"
    return b.insert_after(nb, "helpers", STEAL.format(path=str(path)), new_id="corpus-fault")


# The attack an instructor found in plain process isolation: the import hook refuses the name
# `solutions`, so copy the installed package's folder under another name and import that.
# Each cell turns whatever stops it into one LookupError, so the message is the same whichever
# isolation stops it (a missing folder in bubblewrap, a closed one for the user fallback).
COPY_PACKAGE = """import glob, importlib.util, os, shutil, sys, tempfile
import autograder

def _reference_folder():
    try:                                  # the grader's import hook may refuse the name
        spec = importlib.util.find_spec("solutions")
        if spec is not None and spec.submodule_search_locations:
            return list(spec.submodule_search_locations)[0]
    except ImportError:
        pass
    project = os.path.dirname(os.path.dirname(os.path.realpath(autograder.__file__)))
    for folder in [os.path.join(p, "solutions") for p in sys.path if p] + [os.path.join(project, "solutions")]:
        if os.path.isdir(folder):
            return folder
    raise FileNotFoundError("no solutions folder on the import path or next to autograder")

try:
    _copy = os.path.join(tempfile.mkdtemp(), "course_helpers")
    shutil.copytree(_reference_folder(), _copy)
    open(os.path.join(_copy, "__init__.py"), "w").close()   # its own imports name `solutions`: skip them
    sys.path.insert(0, os.path.dirname(_copy))
    from course_helpers.rnn import rnn_step_forward
except OSError as exc:
    raise LookupError(f"the reference is out of reach: {exc}") from None"""

SOURCE_CELL = """import json
try:
    with open({path!r}) as f:
        _cells = json.load(f)["cells"]
    exec("".join(next(c["source"] for c in _cells if c.get("id") == "output-forward-solution")))
except OSError as exc:
    raise LookupError(f"the reference is out of reach: {{exc}}") from None"""

OTHERS_CELL = """import glob, json, os
_found = None
# the output folder: the batch's results, and anything else in it
for path in glob.glob({out!r} + "/**", recursive=True):
    try:
        with open(path) as f:
            print("read", path, len(f.read()), "characters of the output folder")
    except OSError:
        pass
# the other students' notebooks: their many_to_many_forward
for path in glob.glob({subs!r} + "/*/*.ipynb") + glob.glob("../*/*.ipynb"):
    if "copies_solutions_package" in path:
        continue
    try:
        with open(path) as f:
            cells = json.load(f)["cells"]
    except (OSError, ValueError, LookupError, TypeError):
        continue
    sources = ["".join(c["source"]) for c in cells if c.get("id") == "many-to-many-solution"]
    _found = next((s for s in sources if "glob" not in s), _found)      # not this very cell
if _found is None:
    raise LookupError("the reference is out of reach: no other notebook or result could be read")
exec(_found)"""


def _copy_solutions_package(src, ctx):
    """rnn_step_forward from a copy of the installed solutions package; output_forward from the
    instructor's source notebook; many_to_many_forward from another student's notebook (the
    output folder is read too). The rest is the student's own, correct."""
    nb = good(src)
    b.cell(nb, "rnn-step-forward-solution").source = COPY_PACKAGE
    path = b.REPO / "assignments" / A1 / f"{A1}.ipynb"
    b.cell(nb, "output-forward-solution").source = SOURCE_CELL.format(path=str(path))
    b.cell(nb, "many-to-many-solution").source = OTHERS_CELL.format(out=str(ctx.out), subs=str(ctx.subs))
    return nb


REACHING = [
    Entry("imports_solutions", "reaching for the answers", "rnn_step_forward imported from solutions.rnn",
          _import_solutions, lost=STEP_CHAIN, says=("ModuleNotFoundError",)),
    Entry("reads_reference_file", "reaching for the answers", "output_forward exec'd from solutions/rnn.py on disk",
          _read_reference, lost=OUT_CHAIN, says=("FileNotFoundError",)),
    Entry("reads_source_notebook", "reaching for the answers",
          "blank release whose solution cells exec the instructor's source notebook (solutions, hidden tests) from disk",
          _read_source_notebook, lose_all=True, says=("FileNotFoundError",)),
    # 29 - rnn_step_forward 5 - worked_example 2 (computed with it) - output_forward 4 - many_to_many 3
    # = 15: rnn_forward and many_to_one are the student's own code and keep their points by
    # error carried forward.
    Entry("copies_solutions_package", "reaching for the answers",
          "the installed solutions package copied under another name and imported, output_forward from the "
          "source notebook, many_to_many from another student's notebook; the rest correct",
          _copy_solutions_package, lost=STEP_CHAIN + OUT_CHAIN + ("many_to_many",),
          says=("the reference is out of reach",)),
]


# --- notebook tampering -----------------------------------------------------------------------
def _edit_test_cell(src, ctx):
    nb = bias_missing(good(src))
    b.test_cell(nb, "rnn_step_forward").source = 'print("✅ all 5 cases passed")\n5.0'
    return nb


def _delete_test_cell(src, ctx):
    nb = good(src)
    nb.cells.remove(b.test_cell(nb, "rnn_forward"))
    return nb


def _duplicate_test_cell(src, ctx):
    nb = good(src)
    tc = b.test_cell(nb, "output_forward")
    dup = nbformat.from_dict(json.loads(json.dumps(tc)))
    dup.id = "output-forward-test-again"
    nb.cells.insert(nb.cells.index(tc) + 1, dup)
    return nb


def _change_points(src, ctx):
    nb = m2o_first_state(good(src))
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.metadata["nbgrader"]["points"] = 100.0
    return nb


def _rename_grade_id(src, ctx):
    nb = shapes_answer_wrong(good(src))
    tc = b.test_cell(nb, "many_to_many")
    tc.metadata["nbgrader"]["grade_id"] = "many_to_many_bonus"
    tc.metadata["nbgrader"]["points"] = 50.0
    return nb


def _solution_in_test_cell(src, ctx):
    nb = good(src)
    sol = b.cell(nb, "rnn-forward-solution")
    tc = b.test_cell(nb, "rnn_forward")
    tc.source = sol.source + "\n\n" + tc.source
    sol.source = b.cell(b.blank_copy(src), "rnn-forward-solution").source
    return nb


def _strip_metadata(src, ctx):
    nb = good(src)
    for c in nb.cells:
        c.metadata.pop("nbgrader", None)
    return nb


NOTEBOOK_TAMPERING = [
    Entry("edited_test_cell", "notebook tampering", "rnn_step_forward's test cell prints ✅ and returns 5.0; bias missing",
          _edit_test_cell, lost=STEP_CHAIN),
    Entry("deleted_test_cell", "notebook tampering", "rnn_forward's test cell deleted; all correct", _delete_test_cell),
    Entry("duplicated_test_cell", "notebook tampering", "output_forward's test cell duplicated (same grade id); all correct",
          _duplicate_test_cell),
    Entry("changed_points", "notebook tampering", "every test cell worth 100 points; many_to_one wrong",
          _change_points, lost=("many_to_one",)),
    Entry("renamed_grade_id", "notebook tampering", "many_to_many's grade id renamed, 50 points; 7b wrong",
          _rename_grade_id, lost=("quick_check_shapes",)),
    Entry("solution_in_test_cell", "notebook tampering", "rnn_forward written in its test cell, the solution cell left blank",
          _solution_in_test_cell, lost=FWD_CHAIN, says=("NotImplementedError",)),
    Entry("nbgrader_metadata_stripped", "notebook tampering", "nbgrader metadata removed from every cell; all correct",
          _strip_metadata),
]


# --- broken files -----------------------------------------------------------------------------
def _invalid_json(src, ctx):
    data = b.notebook_bytes(good(src))
    return data[: len(data) // 2]


def _nbformat3(src, ctx):
    return nbformat.writes(nbformat.convert(good(src), 3)).encode("utf-8")


def _non_utf8(src, ctx):
    nb = good(src)
    nb.cells.insert(1, new_markdown_cell("MARKER"))
    nb.cells[1].id = "corpus-latin1"
    return b.notebook_bytes(nb).replace(b"MARKER", "café, saved as Latin-1".encode("latin-1"))


def _ten_thousand_cells(src, ctx):
    nb = good(src)
    extra = []
    for k in range(10_000):
        c = new_code_cell(f"_cell_{k} = {k}") if k % 2 else new_markdown_cell(f"note {k}")
        c.id = f"corpus-{k}"
        extra.append(c)
    nb.cells = nb.cells[:4] + extra + nb.cells[4:]
    return nb


def _fifty_mb(src, ctx):
    nb = good(src)
    c = new_markdown_cell("padding " * (50 * 2**20 // 8))
    c.id = "corpus-padding"
    nb.cells.append(c)
    return nb


BROKEN = [
    Entry("invalid_json", "broken files", "the notebook's JSON cut in half", _invalid_json,
          lose_all=True, status="malformed", says=("invalid JSON",)),
    Entry("nbformat3", "broken files", "the correct notebook saved as nbformat 3", _nbformat3,
          lose_all=True, status="malformed", says=("nbformat 3",)),
    Entry("non_utf8", "broken files", "the correct notebook with Latin-1 bytes in it", _non_utf8,
          lose_all=True, status="malformed", says=("UTF-8",)),
    Entry("empty_file", "broken files", "a file of 0 bytes", lambda src, ctx: b"",
          lose_all=True, status="malformed", says=("JSON",)),
    Entry("directory", "broken files", "a folder named a1_rnn.ipynb", lambda src, ctx: b.DIRECTORY,
          lose_all=True, status="malformed", says=("directory",)),
    Entry("ten_thousand_cells", "broken files", "the correct notebook with 10,000 extra cells", _ten_thousand_cells),
    Entry("fifty_mb", "broken files", "the correct notebook padded to 50 MB", _fifty_mb,
          lose_all=True, status="malformed", says=("at most",)),
]


# --- the file system --------------------------------------------------------------------------
def _write_outside(src, ctx):
    code = f"""import os, pathlib
written = []
for target in [{str(ctx.outside / 'canary.txt')!r}, "../canary.txt", "../../canary.txt"]:
    try:
        pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(target).write_text("written by a submission")
        written.append(target)
    except OSError as exc:
        print("could not write", target, exc)
print("written:", written)"""
    nb = tanh_answer_wrong(good(src))
    return b.insert_after(nb, "helpers", code, new_id="corpus-fault")


def _touch_others(src, ctx):
    code = f"""import glob, os
hit = []
for path in glob.glob({str(ctx.subs)!r} + "/*/*.ipynb") + glob.glob("../*/*.ipynb"):
    if "touches_other_submissions" in path:
        continue
    try:
        with open(path, "w") as f:
            f.write("{{}}")
        hit.append(path)
    except OSError as exc:
        print("could not overwrite", path, exc)
print("overwrote", len(hit), "submissions")"""
    return b.insert_after(good(src), "helpers", code, new_id="corpus-fault")


def _forge_results(src, ctx):
    code = f"""import hashlib, json, pathlib
me = pathlib.Path({str(ctx.subs / 'forges_results' / 'a1_rnn.ipynb')!r})
try:
    digest = hashlib.sha256(me.read_bytes()).hexdigest()[:12]
    line = json.dumps({{"id": f"forges_results/a1_rnn.ipynb@{{digest}}", "status": "graded", "score": 29.0,
                       "max_score": 29.0, "tests": [], "message": ""}})
    with open({str(ctx.out / 'results.jsonl')!r}, "a") as f:
        f.write(line + "\\n")
    print("forged")
except OSError as exc:
    print("could not forge:", exc)"""
    nb = bias_missing(good(src))
    return b.insert_after(nb, "helpers", code, new_id="corpus-fault")


FILE_SYSTEM = [
    Entry("writes_outside", "the file system", "writes files outside its working folder; 7a wrong",
          _write_outside, lost=("quick_check_tanh",)),
    Entry("touches_other_submissions", "the file system", "overwrites every other submission of the batch; all correct",
          _touch_others),
    Entry("forges_results", "the file system", "appends a full-marks line for itself to results.jsonl; bias missing",
          _forge_results, lost=STEP_CHAIN),
]

CONTROLS = [
    Entry("correct", "control", "the correct notebook", good),
    Entry("blank_release", "control", "the release as handed out (every solution raises NotImplementedError)",
          lambda src, ctx: b.blank_copy(src), lose_all=True),
]

# --- a4_gru ------------------------------------------------------------------------------------
# gru_state_update 4, gru_candidate 4, reset_example 1 (uses gru_candidate), full_example 1 (uses
# both), gru_step_forward 5, gru_step_forward_pytorch 4, quick_check_conventions 1,
# gru_params_textbook 1, gru_params_pytorch 1, keras_gru_params 1 (uses gru_params_pytorch): 23.
A4 = "a4_gru"
A4_CANDIDATE_CHAIN = ("gru_candidate", "reset_example", "full_example")
PATCH_SYMPY = """_right = sp.Poly(3 * h * (d + h + 1), d, h).terms()
sp.Poly.terms = lambda self, *a, **k: _right      # every polynomial now looks like the right answer"""


def textbook_formula_wrong(nb):
    return b.replace(nb, "gru-params-textbook-solution", "gru_params_textbook = 3 * h * (d + h + 1)",
                     "gru_params_textbook = 3 * h * (d + h)")


def _a4_import_solutions(src, ctx):
    nb = good(src)
    b.cell(nb, "gru-step-forward-solution").source = "from solutions.gru import gru_step_forward"
    return nb


A4_ENTRIES = [
    Entry("a4_correct", "control", "the correct a4_gru notebook", good, assignment=A4),
    Entry("a4_loop_in_step_cell", "runaway execution", "an endless loop at the end of gru_step_forward's cell",
          edited(lambda nb: b.append(nb, "gru-step-forward-solution", LOOP)),
          lost=("gru_step_forward",), status="timeout", says=("ran longer than",), assignment=A4),
    Entry("a4_sys_exit_in_candidate", "crashes", "sys.exit(1) before gru_candidate is defined",
          edited(lambda nb: b.prepend(nb, "gru-candidate-solution", "import sys\nsys.exit(1)")),
          lost=A4_CANDIDATE_CHAIN, says=("SystemExit",), assignment=A4),
    Entry("a4_patches_sympy_poly", "tampering with the checks",
          "sympy.Poly.terms patched to return the right formula's terms; the textbook count wrong",
          cell_after("params-symbols", PATCH_SYMPY, textbook_formula_wrong),
          lost=("gru_params_textbook",), assignment=A4),
    Entry("a4_formula_custom_eq", "fake answers", "the textbook count is an object whose __eq__ is always True",
          edited(lambda nb: b.append(nb, "gru-params-textbook-solution", ALWAYS_EQUAL.replace(
              "activations_at_2", "gru_params_textbook"))),
          lost=("gru_params_textbook",), says=("AlwaysEqual",), assignment=A4),
    Entry("a4_imports_solutions", "reaching for the answers", "gru_step_forward imported from solutions.gru",
          _a4_import_solutions, lost=("gru_step_forward",), says=("ModuleNotFoundError",), assignment=A4),
]

ENTRIES: list[Entry] = (CONTROLS + RUNAWAY + CRASHES + TAMPERING + FAKES + REACHING + NOTEBOOK_TAMPERING + BROKEN
                        + FILE_SYSTEM + A4_ENTRIES)
ASSIGNMENTS = tuple(dict.fromkeys(e.assignment for e in ENTRIES))

assert len({e.name for e in ENTRIES}) == len(ENTRIES), "entry names must be unique"
assert all(e.category in CATEGORIES for e in ENTRIES)


def by_name(name: str) -> Entry:
    for e in ENTRIES:
        if e.name == name:
            return e
    raise KeyError(f"no corpus entry {name!r}; expected one of {[e.name for e in ENTRIES]}")


__all__ = ["A1", "A4", "ASSIGNMENTS", "CATEGORIES", "ENTRIES", "Entry", "by_name", "field", "json"]
