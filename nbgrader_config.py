"""nbgrader configuration of the course: run the nbgrader commands from this folder.

    nbgrader generate_assignment a1_rnn    # assignments/a1_rnn/ -> release/a1_rnn/
    nbgrader autograde a1_rnn              # submitted/<student>/a1_rnn/ -> autograded/
    nbgrader generate_feedback a1_rnn      # autograded/ -> feedback/ (hidden tests removed)
    nbgrader export                        # gradebook.db -> grades.csv

Everything is relative to the folder this file is in, so a copy of it together with
``assignments/<id>/`` (what the tests do, in a temporary folder) is a complete course.
"""
import os
import re
import sys

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, OverwriteCells
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from traitlets import List

from autograder.feedback_html import MathMLHTMLExporter

c = get_config()  # noqa: F821 (injected by traitlets when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# nbgrader checks the gradebook's schema by running `alembic`, which sits next to the
# Python that runs nbgrader: found even when the virtualenv is not activated
# (`.venv/bin/nbgrader autograde a1_rnn`).
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

# --- where things are ----------------------------------------------------------------
c.CourseDirectory.course_id = "rnn-course"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "assignments"
# The gradebook lives in the course folder (nbgrader's default, made explicit).
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
# Keep the release/collect exchange inside the course instead of /srv/nbgrader.
c.Exchange.root = os.path.join(HERE, "exchange")
# Only notebooks and data reach students; never caches or checkpoints.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# --- running student code --------------------------------------------------------------
# Per-cell limit, in seconds. The slowest cells are a6_training's test cells: numpy
# training runs of about half a second each on 2 cores; the limit leaves room for a slow
# laptop or a loaded grading machine.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# A submission that prints without end still produces a readable feedback file.
c.LimitOutput.max_lines = 400
c.LimitOutput.max_traceback = 100

# --- autograde: put the hidden tests back without calling it tampering -----------------
class OverwriteReleasedCells(OverwriteCells):
    """nbgrader's OverwriteCells, silent about test cells the student received as released.

    ``generate_assignment`` saves each locked cell in the gradebook (source and checksum)
    *before* it removes the hidden test regions, then writes the release without them.
    ``autograde`` compares the checksum of the submitted cell with the saved one, so every
    test cell with hidden tests differs even in an untouched release: nbgrader logs
    "Attribute 'checksum' for cell ... has changed!" for each of them and puts the saved
    source back, which is how the hidden tests get run at all. The cause is that order in
    nbgrader itself (SaveCells runs before ClearHiddenTests, and must: the gradebook has to
    keep the hidden tests).

    Here a locked cell whose submitted source is exactly the released form of the saved
    source (the saved source with its hidden regions removed, by ClearHiddenTests and its
    configured delimiters, as generate_assignment did) gets the saved source back first,
    so nbgrader's check then finds it unchanged. Any other edit of a locked cell, and any
    change of its type, lock or points, still reaches nbgrader's check as it came:
    warned about and restored as before.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                saved = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:            # nbgrader's own check below reports the unknown cell
                saved = None
            if saved is not None and saved.locked and cell.source != saved.source \
                    and cell.source == self._released_source(saved):
                cell.source = saved.source
        return super().preprocess_cell(cell, resources, cell_index)

    def _released_source(self, saved):
        """The source generate_assignment released for a saved cell: its hidden regions removed.
        (Only grade cells may hold hidden regions, so the saved cell is handed over as one.)"""
        released = NotebookNode(cell_type=saved.cell_type, source=saved.source,
                                metadata=NotebookNode(nbgrader=NotebookNode(grade=True, grade_id=saved.name)))
        ClearHiddenTests(parent=self).preprocess_cell(released, {}, 0)
        return released.source


# nbgrader's sanitizing steps with OverwriteCells replaced, the rest as nbgrader has them.
c.Autograde.sanitize_preprocessors = [OverwriteReleasedCells if pp is OverwriteCells else pp
                                      for pp in Autograde.class_traits()["sanitize_preprocessors"].default()]

# --- feedback: the student sees public tests and their output, never hidden ones ------
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ClearHiddenTestsAndTracebacks(ClearHiddenTests):
    """Remove hidden test regions from test cells, and their lines from tracebacks.

    nbgrader's ClearHiddenTests only edits a cell's source; an error raised in (or
    next to) a hidden region still prints the hidden lines as traceback context. This
    drops every traceback line that shows a hidden line or a delimiter.
    """

    # The HTML exporter configures every nbconvert object's display_data_priority;
    # nbgrader's base preprocessor declares the option without making it configurable,
    # and traitlets then warns on each run. Declared configurable, as nbgrader's GetGrades does.
    display_data_priority = List(ClearHiddenTests.display_data_priority.default_value,
                                 help="Output types in order of preference (not used here)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        hidden = self._hidden_lines(cell) if cell.cell_type == "code" else []
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if hidden:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [self._scrub(entry, hidden) for entry in output["traceback"]]
        return cell, resources

    def _hidden_lines(self, cell):
        lines, inside = [], False
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
                lines.append(self.begin_test_delimeter)
            elif self.end_test_delimeter in line:
                inside = False
                lines.append(self.end_test_delimeter)
            elif inside and line.strip():
                lines.append(line.strip())
        return lines

    @staticmethod
    def _scrub(entry, hidden):
        kept = [ln for ln in entry.split("\n") if not any(h in _ANSI.sub("", ln) for h in hidden)]
        return "\n".join(kept)


# Order matters only in that the grades are read from the database first.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTestsAndTracebacks, CSSHTMLHeaderPreprocessor]
# The feedback page is opened offline, where MathJax (from a CDN) does not load: its
# markdown maths is written as MathML, which the browser renders by itself.
c.GenerateFeedback.exporter_class = MathMLHTMLExporter
