"""Does ``autograder export`` write what Canvas's gradebook import and PrairieLearn's external
grading read, with the final score of the right student?

Sources the expected layouts come from (not from the exporter):

Canvas
  * instructure/canvas-lms ``app/models/gradebook_exporter.rb``: the export's first row is
    ``["Student", "ID"]``, then ``"SIS User ID"`` (when SIS ids are included), ``"SIS Login ID"``,
    ``"Section"``, then each assignment's ``title_with_id`` (``"#{title} (#{id})"``); its second
    row starts ``"    Points Possible"`` and holds each assignment's points.
  * instructure/canvas-lms ``app/models/gradebook_importer.rb`` (the import): a header row is
    one whose first cell includes "Student" and second "ID", with the SIS columns and "Section"
    closing the student columns; a row whose first cell includes "Points Possible" sets points,
    rows of "Muted" / "Manual Posting" are skipped; a student row is matched by ``ID``, then
    SIS User ID, then SIS Login ID, then name; a column by the id in its parentheses
    (``Assignment.title_and_id``: ``/\\A(.*)\\s\\((\\d+)\\)\\z/``), then by exact title, else it is
    a new assignment; "Current Score", "Final Grade" and the like are stripped as not
    assignments. ``canvas_import`` below re-reads our file by those rules.
  * ui/features/gradebook_uploads/jquery/process_gradebook_upload.js: a submission is posted
    when its new grade differs from the original one, so an empty cell over an existing grade
    clears it.
  * Institutional guides restating Instructor Guide "How do I import grades in the Gradebook?":
    Ohio State's "Import CSV File for Carmen Grades" (teaching.resources.osu.edu) -- required
    are a student name or ID or SIS User ID, the SIS Login ID, the Section and the assignment
    name columns; new assignment columns create new assignments. VCU's "Gradebook Action Menu"
    (ts.vcu.edu) -- read-only calculated columns are ignored when the file is uploaded again.

PrairieLearn
  * PrairieLearn/PrairieLearn ``docs/externalGrading.md``, "Grading results": ``score`` "should
    be a floating point number in the range [0.0, 1.0]"; ``gradable: false`` marks the
    submission "invalid, not gradable": no points awarded or lost, no attempt used;
    ``format_errors`` is a string or a list of strings; each of ``tests`` has ``name``,
    ``description``, ``points``, ``max_points``, ``message``, ``output``; the file is limited to 1 MB.
  * ``graders/python/python_autograder/pl_main.py``: PrairieLearn's own grader sets
    ``score = earned_points / max_points``.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
from pathlib import Path

import pytest

from autograder import export

# -- records written by hand (the results.jsonl fields autograder.grade documents) -----------


def case(grade_id, name, points, max_points, *, hidden=False, message="", hint=None):
    return {"grade_id": grade_id, "name": name, "passed": points == max_points, "score": points,
            "max_score": max_points, "message": message, "hint": hint, "cause": None, "hidden": hidden}


def record(student, score, *, status="graded", message="", tests=None, final=None, max_score=10.0):
    rec = {"id": f"{student}.ipynb@0123456789ab", "rel": f"{student}.ipynb", "student": student,
           "assignment": "a1_rnn", "status": status, "score": score, "max_score": max_score,
           "message": message, "execution_time": 1.0, "output": "", "tests": tests or []}
    if final is not None:
        rec["final_score"] = final
    return rec


def result_folder(tmp_path, records) -> Path:
    out = tmp_path / "graded"
    out.mkdir(exist_ok=True)
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out


# -- a Canvas course and its gradebook export, and Canvas's import re-read from its source -----

# Canvas students: user id, name, sortable name, SIS User ID, SIS Login ID.
COURSE = [
    {"id": "101", "name": "Ada Lovelace", "sortable": "Lovelace, Ada", "sis": "S001", "login": "ada"},
    {"id": "102", "name": "Alan Turing", "sortable": "Turing, Alan", "sis": "S002", "login": "alan"},
    {"id": "103", "name": "Grace Hopper", "sortable": "Hopper, Grace", "sis": "S003", "login": "grace"},
    {"id": "104", "name": "Edsger Dijkstra", "sortable": "Dijkstra, Edsger", "sis": "S004", "login": "edsger"},
]
A1 = "A1 RNN (12345)"
A0 = "A0 Warm-up (12000)"


def canvas_export(*, a1_cells=None, delimiter=",", bom=False) -> str:
    """The CSV Canvas's gradebook exports for COURSE (GradebookExporter's layout, SIS ids on):
    two assignments, the read-only totals, a Points Possible row."""
    a1_cells = a1_cells or {}
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A0, A1, "Current Score", "Final Score"],
            ["    Points Possible", "", "", "", "", "5", "10", "(read only)", "(read only)"]]
    for s in COURSE:
        rows.append([s["sortable"], s["id"], s["sis"], s["login"], "RNN 101 Sec 1", "4", a1_cells.get(s["id"], ""),
                     "80", "80"])
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def canvas_import(path: Path, assignments: dict[str, str]) -> dict:
    """What Canvas's GradebookImporter makes of the CSV at ``path`` in COURSE, whose assignments
    are ``assignments`` (id -> title): {"points": {column: points}, "grades": {(user id, assignment
    id or 'new:<title>'): cell}, "unmatched": [rows]}. Written from gradebook_importer.rb."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    # row_has_student_headers?
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], header
    # update_column_count: SIS User ID then SIS Login ID after the name and ID columns
    student_columns = 3
    sis_user_col = sis_login_col = None
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        sis_login_col, student_columns = 2, 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        sis_user_col, sis_login_col, student_columns = 2, 3, 5
    assert "Section" in header[student_columns - 1], "the student columns must end with Section"
    non_assignment = re.compile("Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade"
                                "|Override Score|Override Grade|Override Status")
    columns = {}
    for index, name in enumerate(header[student_columns:], start=student_columns):
        if non_assignment.search(name):
            continue
        m = re.match(r"\A(.*)\s\((\d+)\)\Z", name)
        if m and m.group(2) in assignments:
            columns[index] = m.group(2)
        else:
            title = m.group(1) if m else name
            by_title = [aid for aid, t in assignments.items() if t == name]
            columns[index] = by_title[0] if by_title else f"new:{title}"
    points, grades, unmatched = {}, {}, []
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            points = {columns[i]: row[i] for i in columns if row[i]}
            continue
        if all(re.match(r"^\s*(Muted|Manual Posting.*)?\s*$", c, re.I) for c in row):
            continue
        student = next((s for s in COURSE if row[1] and s["id"] == row[1]), None)
        if student is None and sis_user_col is not None and row[sis_user_col]:
            student = next((s for s in COURSE if s["sis"] == row[sis_user_col]), None)
        if student is None and sis_login_col is not None and row[sis_login_col]:
            student = next((s for s in COURSE if s["login"] == row[sis_login_col]), None)
        if student is None:
            student = next((s for s in COURSE if row[0] in (s["name"], s["sortable"])), None)
        if student is None:
            unmatched.append(row)
            continue
        for i, aid in columns.items():
            grades[(student["id"], aid)] = row[i]
    return {"points": points, "grades": grades, "unmatched": unmatched}


ASSIGNMENTS = {"12345": "A1 RNN", "12000": "A0 Warm-up"}


def roster_file(tmp_path, text=None, name="canvas_export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text if text is not None else canvas_export(), encoding="utf-8", newline="")
    return path


def export_canvas(tmp_path, records, **kw):
    graded = export.load(result_folder(tmp_path, records))
    roster = export.read_roster(kw.pop("roster")) if "roster" in kw else None
    table = export.canvas_table(graded, roster, **kw)
    return table, export.write_canvas(table, tmp_path / "canvas.csv")


# -- Canvas -------------------------------------------------------------------------------

def test_canvas_header_and_points_row_are_the_layout_canvas_exports(tmp_path):
    """GradebookExporter: first row ``Student, ID, SIS User ID, SIS Login ID, Section`` then
    ``Title (id)`` per assignment; second row ``    Points Possible`` with each assignment's points.
    The assignment is worth 10 points in these records."""
    _, path = export_canvas(tmp_path, [record("ada", 9.0)], roster=roster_file(tmp_path))
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "A1 RNN (12345)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][1:5] == ["", "", "", ""] and rows[1][5] == "10"
    assert all(len(r) == 6 for r in rows)


def test_canvas_import_puts_each_final_score_on_the_right_student_matched_by_sis_login_id(tmp_path):
    """Our ids are Canvas login ids. ada: 9 raw, 7.5 after a late penalty -> 7.5 is sent;
    alan: 6 -> 6. Canvas finds both rows by the ID copied from the roster; grace and edsger
    (no submission, no grade in Canvas) get empty cells, which change nothing."""
    table, path = export_canvas(tmp_path, [record("ada", 9.0, final=7.5), record("alan", 6.0)],
                                roster=roster_file(tmp_path))
    got = canvas_import(path, ASSIGNMENTS)
    assert got["unmatched"] == []
    assert got["points"] == {"12345": "10"}
    assert got["grades"] == {("101", "12345"): "7.5", ("102", "12345"): "6",
                             ("103", "12345"): "", ("104", "12345"): ""}
    assert table.unknown == [] and table.kept == []


def test_the_score_sent_is_the_final_score_of_the_course_late_rule(tmp_path):
    """autograder/late.py's rule: each started day late costs per_day percent of the maximum.
    Due 2026-10-02 23:59 UTC, 10 % a day, assignment out of 10. ada: 9 points, 1 h late -> 1 day
    -> 9 - 1 = 8. alan: 6 points, 2 days 1 min late -> 3 days -> 6 - 3 = 3. grace: on time, 4.5."""
    late = pytest.importorskip("autograder.late")
    from datetime import datetime, timezone

    config = late.CourseConfig(due={"a1_rnn": datetime(2026, 10, 2, 23, 59, tzinfo=timezone.utc)}, per_day=10.0)
    recs = [dict(record("ada", 9.0), submitted_at="2026-10-03T00:59:00+00:00"),
            dict(record("alan", 6.0), submitted_at="2026-10-05T00:00:00+00:00"),
            dict(record("grace", 4.5), submitted_at="2026-10-02T20:00:00+00:00")]
    _, path = export_canvas(tmp_path, recs, roster=roster_file(tmp_path), config=config)
    grades = canvas_import(path, ASSIGNMENTS)["grades"]
    assert [grades[(i, "12345")] for i in ("101", "102", "103")] == ["8", "3", "4.5"]
    assert export.prairielearn_result(recs[1], config)["score"] == pytest.approx(0.3)


@pytest.mark.parametrize("match, ids", [("any", {"ada": "101", "S002": "102", "103": "103"}),
                                        ("id", {"101": "101", "103": "103"}),
                                        ("sis", {"S001": "101", "s004": "104"})])
def test_canvas_roster_matches_by_login_sis_user_id_or_canvas_id(tmp_path, match, ids):
    """``ada`` is a login id, ``S002`` a SIS User ID, ``103`` a Canvas user ID; ``s004`` differs from
    ``S004`` only in case. Each student gets 1 point more than the last so that a swap shows."""
    records = [record(sid, float(k + 1)) for k, sid in enumerate(ids)]
    _, path = export_canvas(tmp_path, records, roster=roster_file(tmp_path), match=match)
    grades = canvas_import(path, ASSIGNMENTS)["grades"]
    for k, (sid, canvas_id) in enumerate(ids.items()):
        assert grades[(canvas_id, "12345")] == str(k + 1), sid


def test_an_id_matching_two_roster_rows_is_refused_and_one_key_settles_it(tmp_path):
    """Roster: ada's login is ``S002`` (hypothetically) and alan's SIS User ID is ``S002``:
    our ``S002`` could be either student."""
    text = canvas_export().replace(",S001,ada,", ",S001,S002,")
    roster = roster_file(tmp_path, text)
    with pytest.raises(export.ExportError) as err:
        export_canvas(tmp_path, [record("S002", 5.0)], roster=roster)
    message = str(err.value)
    assert "'S002' matches 2 roster rows" in message and "ID 101" in message and "ID 102" in message
    assert "--match" in message
    assert not (tmp_path / "canvas.csv").exists()
    _, path = export_canvas(tmp_path, [record("S002", 5.0)], roster=roster, match="sis")
    assert canvas_import(path, ASSIGNMENTS)["grades"][("102", "12345")] == "5"


def test_two_ids_on_one_roster_row_are_refused(tmp_path):
    """``ada`` (login) and ``S001`` (SIS User ID) are the same Canvas student: two grades, one cell."""
    with pytest.raises(export.ExportError, match=r"'S001' and 'ada' all match the roster row of Lovelace, Ada"):
        export_canvas(tmp_path, [record("ada", 5.0), record("S001", 6.0)], roster=roster_file(tmp_path))


def test_roster_students_without_a_submission_stay_empty_keep_a_canvas_grade_or_get_0(tmp_path):
    """grace (103) has no grade in Canvas, edsger (104) has 8: an empty cell over it would clear it
    (process_gradebook_upload.js posts every changed cell), so 8 is written back; grace gets an
    empty cell, or 0 with --missing-zero."""
    roster = roster_file(tmp_path, canvas_export(a1_cells={"104": "8"}))
    recs = [record("ada", 9.0), record("alan", 6.0)]
    table, path = export_canvas(tmp_path, recs, roster=roster)
    grades = canvas_import(path, ASSIGNMENTS)["grades"]
    assert (grades[("103", "12345")], grades[("104", "12345")]) == ("", "8")
    assert table.kept == ["Dijkstra, Edsger"]
    _, path = export_canvas(tmp_path, recs, roster=roster, missing_zero=True)
    grades = canvas_import(path, ASSIGNMENTS)["grades"]
    assert (grades[("103", "12345")], grades[("104", "12345")]) == ("0", "8")


def test_graded_students_not_on_the_roster_are_reported_on_stderr(tmp_path, capsys):
    out = result_folder(tmp_path, [record("ada", 9.0), record("mallory", 3.0), record("zed", 1.0)])
    args = argparse.Namespace(out_dir=str(out), format="canvas", output=None, roster=str(roster_file(tmp_path)),
                              column=None, match="any", missing_zero=False, config=None)
    assert export.cmd_export(args) == 0
    err = capsys.readouterr().err
    assert "2 graded students not on the roster" in err and "mallory, zed" in err
    text = (out / "canvas.csv").read_text(encoding="utf-8")
    assert "mallory" not in text and "zed" not in text
    assert canvas_import(out / "canvas.csv", ASSIGNMENTS)["grades"][("101", "12345")] == "9"


def test_without_a_roster_our_ids_go_in_sis_login_id_and_canvas_matches_the_logins(tmp_path, capsys):
    """Only ``ada`` and ``grace`` are Canvas logins; ``mallory`` is no Canvas student, and Canvas's
    import lists her row as unmatched. Without --column the header is the assignment id, which
    Canvas does not know: a new assignment, created with the points of the Points Possible row."""
    table, path = export_canvas(tmp_path, [record("ada", 9.0), record("grace", 4.5), record("mallory", 2.0)])
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a1_rnn"]
    assert [r[3] for r in rows[2:]] == ["ada", "grace", "mallory"]
    got = canvas_import(path, ASSIGNMENTS)
    assert got["grades"] == {("101", "new:a1_rnn"): "9", ("103", "new:a1_rnn"): "4.5"}
    assert [r[3] for r in got["unmatched"]] == ["mallory"]
    assert got["points"] == {"new:a1_rnn": "10"}
    assert any("SIS Login ID" in n for n in table.notes)
    _, path = export_canvas(tmp_path, [record("ada", 9.0)], column=A1)
    assert canvas_import(path, ASSIGNMENTS)["grades"] == {("101", "12345"): "9"}


def test_the_column_is_the_one_roster_column_naming_the_assignment_else_a_clear_error(tmp_path):
    """a1_rnn finds "A1 RNN (12345)" (case and punctuation aside), and not "A0 Warm-up (12000)".
    With a second A1 RNN column, or none, the error lists them and says what to pass."""
    roster = export.read_roster(roster_file(tmp_path))
    assert export.choose_column(roster, "a1_rnn", None) == A1
    assert export.choose_column(roster, "a1_rnn", "12000") == A0
    two = export.read_roster(roster_file(tmp_path, canvas_export().replace(A0, "A1 RNN resubmission (12999)"),
                                         name="two.csv"))
    with pytest.raises(export.ExportError, match=r"2 columns of the roster name the assignment a1_rnn .*--column"):
        export.choose_column(two, "a1_rnn", None)
    with pytest.raises(export.ExportError, match=r"no column of the roster names the assignment a3_lstm .*--column"):
        export.choose_column(roster, "a3_lstm", None)
    with pytest.raises(export.ExportError, match="not a column of the roster"):
        export.choose_column(roster, "a1_rnn", "A1 RNN (99999)")
    with pytest.raises(export.ExportError, match="not an assignment"):
        export.choose_column(roster, "a1_rnn", "Final Score")


def test_a_semicolon_roster_with_a_byte_order_mark_is_read(tmp_path):
    """Canvas exports with ';' in locales whose decimal mark is ',' and may prepend a BOM."""
    roster = export.read_roster(roster_file(tmp_path, canvas_export(delimiter=";", bom=True)))
    assert roster.header[:5] == list(export.CANVAS_INFO)
    assert [r["SIS Login ID"] for r in roster.rows] == ["ada", "alan", "grace", "edsger"]
    assert roster.points[A1] == "10"


def test_a_file_that_is_no_canvas_export_is_refused_with_what_was_expected(tmp_path):
    path = roster_file(tmp_path, "name,email,score\nAda,ada@x,3\n")
    with pytest.raises(export.ExportError, match=r"does not look like a Canvas gradebook export.*Student, ID"):
        export.read_roster(path)


def test_scores_are_written_without_float_noise():
    assert export.fmt_score(0.1 + 0.2) == "0.3"
    assert export.fmt_score(7.0) == "7" and export.fmt_score(12.25) == "12.25" and export.fmt_score(-0.0) == "0"


# -- PrairieLearn -------------------------------------------------------------------------

TESTS = [case("sigmoid", "z (3,)", 1.0, 1.0), case("rnn_step_forward", "N=2, D=3, H=4", 0.0, 2.0,
                                                    message="Mismatched elements: 8 / 8", hint="HINT: bias missing"),
         case("rnn_step_forward", "hidden 1", 1.0, 1.0, hidden=True)]


def pl_keys_and_types(result: dict) -> None:
    assert isinstance(result["gradable"], bool)
    assert isinstance(result["score"], float) and 0.0 <= result["score"] <= 1.0
    assert isinstance(result["message"], str) and isinstance(result["output"], str)
    for t in result["tests"]:
        assert set(t) == {"name", "description", "points", "max_points", "message", "output"}
        assert isinstance(t["points"], float) and isinstance(t["max_points"], float)
        assert all(isinstance(t[k], str) for k in ("name", "description", "message", "output"))
    json.dumps(result)


def test_prairielearn_results_have_the_documented_keys_and_score_is_points_over_max():
    """Cases worth 1 + 2 + 1 = 4 points, 2 earned: score 2 / 4 = 0.5, as PrairieLearn's grader computes it."""
    result = export.prairielearn_result(record("ada", 2.0, tests=TESTS, max_score=4.0))
    pl_keys_and_types(result)
    assert result["gradable"] is True and result["score"] == 0.5
    assert [(t["points"], t["max_points"]) for t in result["tests"]] == [(1.0, 1.0), (0.0, 2.0), (1.0, 1.0)]
    assert result["tests"][1]["message"] == "FAIL" and "HINT: bias missing" in result["tests"][1]["output"]
    assert "hidden" in result["tests"][2]["description"]


def test_prairielearn_score_is_the_final_score_after_a_late_penalty():
    """8 of 10 earned, 6 after the penalty: 0.6; a penalty past the points earned stays at 0."""
    result = export.prairielearn_result(record("ada", 8.0, final=6.0, tests=TESTS))
    assert result["score"] == pytest.approx(0.6) and "late penalty" in result["message"]
    assert export.prairielearn_result(record("ada", 1.0, final=-2.0))["score"] == 0.0


@pytest.mark.parametrize("status, message, gradable", [
    ("graded", "", True),
    ("timeout", "cell 4 was stopped after 60 s", True),
    ("error", "cell 3: the submission's process died (signal 9)", True),
    ("malformed", "not valid JSON: Expecting value: line 1 column 1", False),
    ("error", "the grader failed on this submission: RuntimeError: boom", False),
])
def test_prairielearn_gradable_false_only_when_the_submission_could_not_be_graded(status, message, gradable):
    """A malformed notebook is PrairieLearn's format error and a failure of the grader is its
    internal error: not gradable (no attempt used). Code that crashed or ran too long was graded."""
    result = export.prairielearn_result(record("ada", 0.0 if not gradable else 3.0, status=status,
                                               message=message, tests=TESTS))
    pl_keys_and_types(result)
    assert result["gradable"] is gradable
    if not gradable:
        assert result["format_errors"] == [message] and result["score"] == 0.0 and result["tests"] == []
    else:
        assert "format_errors" not in result and result["score"] == pytest.approx(0.3)


def test_the_grader_failure_sentence_is_the_one_the_grader_writes():
    """``GRADER_FAILED`` must be the words autograder.grade records, or a grader failure would
    count as an attempt."""
    import inspect

    from autograder import grade

    assert export.GRADER_FAILED in inspect.getsource(grade)


def test_prairielearn_results_stay_under_1_mb_with_huge_feedback():
    big = [case("rnn_forward", f"case {k}", 0.0, 1.0, message="ACTUAL: " + "1.0 " * 50_000) for k in range(40)]
    result = export.prairielearn_result(record("ada", 0.0, tests=big, max_score=40.0))
    assert len(json.dumps(result).encode()) <= 1_000_000
    assert len(result["tests"]) == 40 and all(t["output"].endswith("[... cut]") for t in result["tests"])


def test_prairielearn_writes_one_results_json_per_student(tmp_path, capsys):
    out = result_folder(tmp_path, [record("ada", 2.0, tests=TESTS, max_score=4.0),
                                   record("alan", 0.0, status="malformed", message="not a notebook",
                                          max_score=4.0)])
    args = argparse.Namespace(out_dir=str(out), format="prairielearn", output=None, roster=None, column=None,
                              match="any", missing_zero=False, config=None)
    assert export.cmd_export(args) == 0
    assert sorted(p.parent.name for p in (out / "prairielearn").glob("*/results.json")) == ["ada", "alan"]
    assert json.loads((out / "prairielearn" / "alan" / "results.json").read_text())["gradable"] is False
    assert "1 not gradable" in capsys.readouterr().out


# -- the command --------------------------------------------------------------------------

def test_register_adds_export_with_help_for_every_option():
    parser = argparse.ArgumentParser(prog="autograder")
    export.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["export", "graded/a1_rnn", "--format", "canvas", "--roster", "r.csv",
                              "--column", A1, "--missing-zero", "--match", "login", "-o", "x.csv"])
    assert args.func is export.cmd_export and args.missing_zero and args.column == A1
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["export"]
    for action in sub._actions:
        if not isinstance(action, argparse._HelpAction):
            assert action.help, action.dest


def test_bad_input_exits_2_with_what_was_expected_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    base = dict(format="canvas", output=None, roster=None, column=None, match="any", missing_zero=False, config=None)
    assert export.cmd_export(argparse.Namespace(out_dir=str(missing), **base)) == 2
    assert "holds no results.jsonl" in capsys.readouterr().err and not missing.exists()
    out = result_folder(tmp_path, [record("ada", 1.0)])
    assert export.cmd_export(argparse.Namespace(out_dir=str(out), **dict(base, format="prairielearn",
                                                                         roster="r.csv"))) == 2
    assert "--roster only apply to --format canvas" in capsys.readouterr().err


def test_records_of_two_assignments_or_totals_are_refused(tmp_path):
    other = dict(record("alan", 1.0), assignment="a2_bptt")
    with pytest.raises(export.ExportError, match="mixes assignments a1_rnn, a2_bptt"):
        export.load(result_folder(tmp_path, [record("ada", 1.0), other]))


# -- a real grading, exported ---------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_a1(tmp_path_factory):
    """a1_rnn graded for real into a result folder: ada hands in the source notebook (every answer
    right), alan the first seeded mistake of samples/a1_rnn.py, grace a file that is not a notebook;
    edsger hands in nothing."""
    nbformat = pytest.importorskip("nbformat")
    from autograder.grade import IsolatedGrader
    from samples import load_mistakes, make_submission, source_notebook

    root = tmp_path_factory.mktemp("a1")
    subs = root / "submitted"
    subs.mkdir()
    source = source_notebook("a1_rnn")
    mistake = load_mistakes("a1_rnn")[0]
    nbformat.write(source, subs / "ada.ipynb")
    nbformat.write(make_submission(source, mistake), subs / "alan.ipynb")
    (subs / "grace.ipynb").write_text("this is not a notebook", encoding="utf-8")
    out = root / "graded"
    IsolatedGrader("a1_rnn", jobs=2, hidden=True).grade_paths([subs], out)
    return root, out, mistake


@pytest.mark.slow
def test_a_real_grading_exports_to_canvas_with_the_scores_the_answers_deserve(graded_a1):
    """Expected scores from the spec, not the grader: the source notebook earns the assignment's
    maximum, the seeded mistake what samples/a1_rnn.py says it deserves, the non-notebook 0;
    edsger's cell stays empty. Each cell is also the gradebook's final score."""
    from autograder.spec import load

    root, out, mistake = graded_a1
    spec = load("a1_rnn")
    roster = roster_file(root, canvas_export(), name="roster.csv")
    args = argparse.Namespace(out_dir=str(out), format="canvas", output=None, roster=str(roster), column=None,
                              match="any", missing_zero=False, config=None)
    assert export.cmd_export(args) == 0
    got = canvas_import(out / "canvas.csv", ASSIGNMENTS)
    assert got["points"] == {"12345": "10"}       # the roster's own points possible, unchanged
    cells = {cid: got["grades"][(cid, "12345")] for cid in ("101", "102", "103", "104")}
    assert float(cells["101"]) == spec.max_points
    assert float(cells["102"]) == sum(mistake.expected_scores(spec).values()) < spec.max_points
    assert cells["103"] == "0" and cells["104"] == ""
    book = {row.get("student") or Path(row["id"].split("@")[0]).stem: row
            for row in csv.DictReader(open(out / "gradebook.csv", newline="", encoding="utf-8"))}
    for cid, sid in (("101", "ada"), ("102", "alan"), ("103", "grace")):
        assert float(cells[cid]) == float(book[sid].get("final_score") or book[sid]["score"]), sid


@pytest.mark.slow
def test_a_real_grading_exports_prairielearn_results(graded_a1):
    """ada: score 1.0; alan: the mistake's deserved points over the maximum; grace: not gradable
    (a malformed notebook is a format error), with the reason in format_errors."""
    from autograder.spec import load

    root, out, mistake = graded_a1
    spec = load("a1_rnn")
    args = argparse.Namespace(out_dir=str(out), format="prairielearn", output=str(root / "pl"), roster=None,
                              column=None, match="any", missing_zero=False, config=None)
    assert export.cmd_export(args) == 0
    results = {p.parent.name: json.loads(p.read_text()) for p in (root / "pl").glob("*/results.json")}
    assert sorted(results) == ["ada", "alan", "grace"]
    for result in results.values():
        pl_keys_and_types(result)
        assert len(json.dumps(result).encode()) <= 1_000_000
    assert results["ada"]["gradable"] and results["ada"]["score"] == 1.0
    assert sum(t["max_points"] for t in results["ada"]["tests"]) == spec.max_points
    deserved = sum(mistake.expected_scores(spec).values())
    assert results["alan"]["gradable"] and results["alan"]["score"] == pytest.approx(deserved / spec.max_points)
    assert sum(t["points"] for t in results["alan"]["tests"]) == deserved
    assert results["grace"]["gradable"] is False and results["grace"]["format_errors"]
