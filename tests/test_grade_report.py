"""Are the platform outputs well formed, and does the grader distrust what it reads?

Gradescope results.json, junit.xml and gradebook.csv are checked on records written here
by hand (so the expected fields are known without running a grader); the frame decoder
and the notebook reader are checked on hostile bytes.
"""
from __future__ import annotations

import csv
import json
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from autograder import notebook_io, report, wire
from autograder.submissions import discover, slug


def record(id_, status, score, tests):
    return {"id": id_, "rel": id_, "path": id_, "assignment": "t_grade", "status": status, "score": score,
            "max_score": 3.0, "message": "" if status == "graded" else f"{status} happened",
            "execution_time": 0.25, "output": "", "tests": tests}


def case(grade_id, name, passed, points=1.0, hidden=False, message="", hint=None):
    return {"name": name, "passed": passed, "score": points if passed else 0.0, "max_score": points,
            "message": message, "hidden": hidden, "hint": hint, "grade_id": grade_id}


RECORDS = [
    record("a.ipynb@1", "graded", 3.0, [case("sigmoid", "z (3,)", True), case("rnn_step", "N=2", True, 2.0)]),
    record("b.ipynb@2", "graded", 0.0, [case("sigmoid", "z (3,)", False, message="Mismatch"),
                                        case("rnn_step", "hidden 1", False, 2.0, hidden=True, message="wrong",
                                             hint="HINT: sigmoid instead of tanh")]),
    record("c.ipynb@3", "timeout", 0.0, [case("sigmoid", "z (3,)", False), case("rnn_step", "N=2", False, 2.0)]),
    record("d.ipynb@4", "error", 0.0, [case("sigmoid", "z (3,)", False), case("rnn_step", "N=2", False, 2.0)]),
    record("e.ipynb@5", "malformed", 0.0, [case("sigmoid", "z (3,)", False), case("rnn_step", "N=2", False, 2.0)]),
]


def test_gradescope_results_have_the_documented_fields_and_visibility():
    out = report.gradescope(RECORDS[1])
    assert set(out) >= {"score", "execution_time", "tests", "output"}
    assert out["score"] == 0.0 and out["execution_time"] == 0.25
    for t in out["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert t["status"] in ("passed", "failed")
    assert [t["visibility"] for t in out["tests"]] == ["visible", "after_published"]
    assert "HINT: sigmoid instead of tanh" in out["tests"][1]["output"]
    json.dumps(out)          # plain JSON


def test_a_platform_shows_the_root_cause_first_then_the_hint_then_the_mismatch():
    carried = dict(case("rnn_forward", "N=2", True, 2.0), cause="The mismatch comes from your rnn_step_forward",
                   carried=True)
    failed = dict(case("rnn_forward", "N=3", False, 2.0, message="Mismatched elements: 4 / 4",
                       hint="HINT: bias missing"), cause="Your rnn_forward calls your rnn_step_forward")
    out = report.gradescope(record("f.ipynb@6", "graded", 2.0, [carried, failed]))
    assert out["tests"][0]["output"] == "Root cause: The mismatch comes from your rnn_step_forward"
    text = out["tests"][1]["output"]
    assert text.index("Root cause: Your rnn_forward") < text.index("HINT: bias") < text.index("Mismatched")


def test_junit_xml_parses_with_one_suite_per_submission(tmp_path):
    report.write_junit(RECORDS, tmp_path / "junit.xml")
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r["id"] for r in RECORDS]
    assert [len(s.findall("testcase")) for s in suites] == [2] * 5
    assert [s.get("failures") for s in suites] == ["0", "2", "2", "2", "2"]
    assert suites[1].find("testcase/failure").get("message") == "Mismatch"


def test_gradebook_keeps_crashes_timeouts_and_malformed_apart_from_an_honest_zero(tmp_path):
    report.write_gradebook(RECORDS, tmp_path / "gradebook.csv")
    rows = list(csv.DictReader(open(tmp_path / "gradebook.csv")))
    assert [r["status"] for r in rows] == ["graded", "graded", "timeout", "error", "malformed"]
    assert rows[1]["score"] == "0" and rows[1]["status"] == "graded"
    assert rows[0]["sigmoid"] == "1" and rows[0]["rnn_step"] == "2"
    assert {"id", "assignment", "score", "max_score", "status"} <= set(rows[0])


def frame(header, payload=b""):
    return wire.encode_frame(header, payload)


def test_frames_split_anywhere_are_reassembled():
    data = frame({"t": "cell", "k": 1}) + frame({"t": "done"})
    reader = wire.FrameReader()
    got = [reader.feed(data[i:i + 1]) for i in range(len(data))]
    assert [h for chunk in got for h, _ in chunk] == [{"t": "cell", "k": 1}, {"t": "done"}]


def test_array_values_come_back_exactly():
    arr = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    header = {"t": "result", "values": [{"name": "out", "kind": "array", "shape": [2, 3]},
                                        {"name": "dtype:out", "kind": "string", "value": "float32"}]}
    values = wire.decode_values(header, arr.tobytes())
    assert np.array_equal(values["out"], arr) and values["dtype:out"] == "float32"


@pytest.mark.parametrize("header, payload, words", [
    ({"values": [{"name": "out", "kind": "array", "shape": [2, 3]}]}, b"\0" * 40, "needs 48 bytes"),
    ({"values": [{"name": "out", "kind": "array", "shape": [2]}]}, b"\0" * 24, "not described"),
    ({"values": [{"name": "out", "kind": "array", "shape": [-1]}]}, b"", "non-negative"),
    ({"values": [{"name": "out", "kind": "pickle", "value": "x"}]}, b"", "kind must be"),
    ({"values": [{"name": "out", "kind": "number", "value": "1"}]}, b"", "must be int or float"),
    ({"values": "nope"}, b"", "must be a list"),
])
def test_a_malformed_result_is_refused_with_a_reason(header, payload, words):
    with pytest.raises(wire.ProtocolError, match=words):
        wire.decode_values(header, payload)


def test_an_oversized_or_non_json_frame_is_refused():
    with pytest.raises(wire.ProtocolError, match="header"):
        wire.FrameReader().feed(struct.pack(">II", wire.MAX_HEADER + 1, 0))
    with pytest.raises(wire.ProtocolError, match="not JSON"):
        wire.FrameReader().feed(struct.pack(">II", 3, 0) + b"{{{")


@pytest.mark.parametrize("content, words", [
    (b"{not json", "invalid JSON"),
    (b"[1, 2]", "JSON object"),
    (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "got nbformat 3"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(), "'cells'"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                 "cells": [{"cell_type": "nonsense"}]}).encode(), "fails validation"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_malformed_notebooks_say_what_was_expected_and_what_was_got(tmp_path, content, words):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(notebook_io.Malformed, match=words):
        notebook_io.read_notebook(path)


def test_test_cells_are_recognised_by_metadata_by_source_id_and_by_their_code():
    from nbformat.v4 import new_code_cell

    def cell(src, id_, nbgrader=None):
        c = new_code_cell(src)
        c.id = id_
        if nbgrader:
            c.metadata["nbgrader"] = nbgrader
        return c

    markers = notebook_io.TestCellMarkers({"t-id"}, {"rnn_test"})
    cells = [cell("x = 1", "a"),
             cell("y = 2", "b", {"grade": True, "solution": False, "grade_id": "g"}),
             cell("z = 3", "t-id"),
             cell("w = 4", "c", {"grade": False, "solution": False, "grade_id": "rnn_test"}),
             cell("grader.check('x')", "d"),
             cell("### BEGIN HIDDEN TESTS\nassert 1", "e"),
             cell("def f(): pass", "f", {"grade": True, "solution": True, "grade_id": "sol"})]
    assert [notebook_io.is_test_cell(c, markers) for c in cells] == [False, True, True, True, True, True, False]


def test_submission_ids_are_relative_paths_with_a_content_hash(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "a.ipynb").write_text("{}")
    subs = discover([tmp_path])
    assert [s.id for s in subs] == ["alice/a.ipynb@44136fa355b3"]        # sha256(b"{}")[:12]
    assert slug(subs[0].id) == "alice__a.ipynb@44136fa355b3"


def test_frames_before_garbage_are_kept_and_the_garbage_refused_next():
    """The grader must see where the child was (the cell frame) before it sent garbage."""
    reader = wire.FrameReader()
    frames = reader.feed(frame({"t": "cell", "k": 3}) + b"\xff" * 16)
    assert [h for h, _ in frames] == [{"t": "cell", "k": 3}]
    assert reader.error is not None
    with pytest.raises(wire.ProtocolError, match="header of 4294967295 bytes"):
        reader.feed(b"")
