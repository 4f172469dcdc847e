"""The rule tables' helpers against hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from conftest import act, course, make_portfolio

from socialkit.analysis.causes import out_of_place, out_of_place_columns, per_course_tool
from socialkit.analysis.rules import ArrayTable, CodedTable, Table, flags

STR = pa.large_string()
IDS = pd.Index(["c1", "c2"])


def test_flags_reads_missing_as_false_whatever_holds_the_mask() -> None:
    assert flags(pd.Series([True, None, False], dtype="boolean")).tolist() == [True, False, False]
    assert flags(pd.array([None, True], dtype="boolean")).tolist() == [False, True]
    assert flags(np.array([1, 0])).tolist() == [True, False]
    assert flags(np.array([1, 0])).dtype == bool


def array_table() -> ArrayTable:
    values = {
        "course_id": pa.array(["c2", "c1"], STR),
        "activity_id": pa.array(["a", None], STR),
        "seq": np.array([3, 1], dtype=np.int64),
        "title": pd.array(["T", "U"], dtype="str"),  # a pandas array: Arrow when read
    }
    return ArrayTable(values, IDS, course=np.array([1, 0]))


def test_an_array_table_reads_its_arrays_without_a_frame() -> None:
    t = array_table()
    assert len(t) == 2 and "seq" in t and "tool" not in t
    assert "frame" not in t.__dict__  # nothing asked for it yet
    assert t["course_id"].to_pylist() == ["c2", "c1"]
    assert t["title"].type == STR and t["title"].to_pylist() == ["T", "U"]
    assert t.values("seq").tolist() == [3, 1]
    assert t.seq.tolist() == [3.0, 1.0] and t.seq.dtype == np.float64
    assert t.course.tolist() == [1, 0]
    assert t.label.to_pylist() == ["activity 'a' (\"T\")", None]
    assert t.at("course_id", np.array([1])).to_pylist() == ["c1"]
    assert "frame" not in t.__dict__


def test_an_array_table_builds_its_frame_once_when_asked() -> None:
    t = array_table()
    frame = t.frame
    assert list(frame.columns) == ["course_id", "activity_id", "seq", "title"]
    assert [str(d) for d in frame.dtypes] == ["str", "str", "int64", "str"]
    assert frame.index.equals(pd.RangeIndex(2))
    assert frame["activity_id"].isna().tolist() == [False, True]
    assert t.frame is frame


def test_an_array_table_without_seq_sorts_as_a_table_of_courses() -> None:
    t = ArrayTable({"course_id": pa.array(["c1"], STR)}, IDS, course=np.array([0]))
    assert t.seq is None and "activity_id" not in t


def coded_table() -> CodedTable:
    """Six activities; facts 0-2 give the alternatives Engage, none and Loop."""
    s = pd.Series
    base = pd.DataFrame(
        {
            "course_id": s(["c1"] * 5 + ["c2"], dtype="str"),
            "activity_id": s([f"a{i}" for i in range(1, 7)], dtype="str"),
            "seq": np.arange(1, 7, dtype=np.int64),
            "title": s([f"T{i}" for i in range(1, 7)], dtype="str"),
            "organisation": s(["Acme"] * 6, dtype="str"),
            "tool": s(["Teams"] * 4 + ["Miro", "Teams"], dtype="str"),
            "tool_type": s(["community"] * 6, dtype="str"),
            "direction": s(["many-to-many"] * 6, dtype="str"),
        }
    )
    facts = pd.DataFrame(
        {
            "blocked_domains": s([None, None, None], dtype="str"),
            "alternative": s(["Engage", None, "Loop"], dtype="str"),
            "friction": pd.array([0, 3, None], dtype="Int64"),
        }
    )
    source = Table(base, IDS, course=np.array([0, 0, 0, 0, 0, 1]))
    return CodedTable(
        source,
        np.arange(6),
        facts,
        np.array([0, 1, 0, 2, 2, 0]),
        columns=list(base.columns),
        course_ids=IDS,
        course=np.array([0, 0, 0, 0, 0, 1]),
    )


def test_a_coded_table_takes_strings_as_arrow_and_the_rest_in_their_dtype() -> None:
    fit = coded_table()
    got = fit.taken(["tool", "seq", "alternative", "friction"], np.array([4, 1]))
    assert isinstance(got["tool"], pa.Array) and got["tool"].to_pylist() == ["Miro", "Teams"]
    assert isinstance(got["alternative"], pa.Array)
    assert got["alternative"].to_pylist() == ["Loop", None]
    assert got["seq"].tolist() == [5, 2]
    assert str(got["friction"].dtype) == "Int64" and got["friction"].tolist() == [pd.NA, 3]
    assert fit.seq.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]  # the source's, at its rows
    frame = fit.rows_frame(["tool", "seq", "alternative"], np.array([4, 1]))
    assert frame["tool"].tolist() == ["Miro", "Teams"] and str(frame["tool"].dtype) == "str"


def test_per_course_tool_joins_the_activities_and_distinct_values_of_a_tool() -> None:
    fit = coded_table()
    mask = np.array([True, True, True, True, False, True])  # not a5 (Miro)
    found = per_course_tool(fit, mask, distinct=("alternative",))
    assert isinstance(found, ArrayTable) and len(found) == 2
    assert found["activity_id"].to_pylist() == ["a1", "a6"]
    assert found.values("n").tolist() == [4, 1]
    assert found["label"].to_pylist() == [
        "activities 'a1' (\"T1\"), 'a2' (\"T2\"), 'a3' (\"T3\"), 'a4' (\"T4\")",
        "activity 'a6' (\"T6\")",
    ]
    # Engage twice and a missing one: each value once, in order of first use
    assert found["alternative"].to_pylist() == ["Engage or Loop", "Engage"]
    assert found.course.tolist() == [0, 1] and found.seq.tolist() == [1.0, 6.0]
    frame = found.frame
    assert list(frame.columns)[-4:] == ["blocked_domains", "alternative", "n", "label"]
    assert frame["n"].dtype == np.int64 and str(frame["label"].dtype) == "str"


def test_per_course_tool_by_course_joins_the_tools() -> None:
    found = per_course_tool(coded_table(), np.ones(6, dtype=bool), by_course=True)
    assert found["tool"].to_pylist() == ["Teams, Miro", "Teams"]
    assert found.values("n").tolist() == [5, 1]


def test_per_course_tool_without_flagged_rows_has_the_columns_only() -> None:
    found = per_course_tool(coded_table(), pd.Series([False] * 6), distinct=("friction",))
    assert len(found) == 0 and found.course.dtype == np.int64
    assert str(found.frame["friction"].dtype) == "Int64"
    assert list(found.frame.columns)[-3:] == ["friction", "n", "label"]


def test_out_of_place_columns_are_its_frame_with_each_row_course() -> None:
    p = make_portfolio(
        [course("c1"), course("c2")],
        [],
        [
            act("c2", "b1", 1, timing="after"),
            act("c2", "b2", 2, timing="before"),
            act("c2", "b3", 3, timing="during"),
            act("c1", "a1", 1, timing="before"),
        ],
    )
    columns, moved = out_of_place_columns(p)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(moved)))
    pd.testing.assert_frame_equal(frame, out_of_place(p))
    assert columns["activity_id"].tolist() == ["b1"] and moved.tolist() == [1]
    none, moved = out_of_place_columns(make_portfolio([course("c1")], [], [act("c1", "a", 1)]))
    assert moved.tolist() == [] and none["more"].dtype == np.int64
    none["seq"] = None  # a caller's own dict: the next call is not changed
    assert out_of_place_columns(make_portfolio([course("c1")], [], []))[0]["seq"] is not None
