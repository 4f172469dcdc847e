"""``validation.validate`` works on each column's distinct values: the rules stay per cell.

Validation factorizes every column once and checks, trims and normalises the distinct
values only (see ``socialkit.contract.distinct``); with ``partial=True`` the valid courses are
kept from the checked tables rather than validated again. These cases are where that
could go wrong: values that differ only in their spacing, a column whose only bad value
is untrimmed, and invalid courses left out beside valid ones.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_tables

from socialkit.contract.distinct import Distinct
from socialkit.contract.validation import validate
from socialkit.errors import ValidationError

TABLE_NAMES = ("courses", "objectives", "activities", "tools", "organisations")


def course(cid: str, **kw) -> dict:
    return {"course_id": cid, "title": f"Course {cid.strip()}", "organisation": "Acme", **kw}


def objective(cid: str, oid: str = "o1") -> dict:
    return {"course_id": cid, "objective_id": oid, "statement": f"Objective {oid.strip()}"}


def act(cid: str, aid: str, seq: str, **kw) -> dict:
    return {"course_id": cid, "activity_id": aid, "seq": seq, "title": f"Act {aid}", **kw}


def issues_of(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    with pytest.raises(ValidationError) as info:
        validate(tables)
    return info.value.issues


def test_a_column_whose_only_bad_value_is_untrimmed_reports_it_as_written() -> None:
    acts = [
        act("c1", "a1", "1", timing="before"),
        act("c1", "a2", "2", timing="  sideways "),
        act("c1", "a3", "3", timing=" During "),
    ]
    issues = issues_of(make_tables([course("c1")], [objective("c1")], acts))
    assert issues[["table", "row", "column", "value", "code"]].values.tolist() == [
        ["activities", 3, "timing", "  sideways ", "not-in-vocabulary"]
    ]


def test_a_structural_cell_of_spaces_only_is_blank_and_shown_as_written() -> None:
    acts = [act("c1", "a1", "1"), {**act("c1", "a2", "2"), "title": "   "}]
    issues = issues_of(make_tables([course("c1")], [objective("c1")], acts))
    assert issues[["row", "column", "value", "code"]].values.tolist() == [
        [3, "title", "   ", "blank"]
    ]


def test_keys_that_differ_only_in_spacing_are_the_same_key() -> None:
    courses = [course("c1"), course(" c1 ")]
    objectives = [objective("c1"), objective("c1 ", " o1")]
    acts = [act("c1", "a1", "1"), act(" c1", "a2", " 01 ")]
    issues = issues_of(make_tables(courses, objectives, acts))
    assert issues[["table", "row", "column", "code"]].values.tolist() == [
        ["courses", 3, "course_id", "duplicate"],
        ["objectives", 3, "objective_id", "duplicate"],
        ["activities", 3, "seq", "duplicate"],
    ]


def test_references_match_trimmed_values() -> None:
    objectives = [objective("c1"), objective("c1", "o2")]
    acts = [act(" c1", "a1", "1", objective_id="o2 "), act("c1 ", "a2", "2", timing=" pre ")]
    p = validate(make_tables([course("c1")], objectives, acts))
    assert p.activities["course_id"].tolist() == ["c1", "c1"]
    assert p.activities["objective_id"].tolist()[0] == "o2"
    timing = p.activities["timing"]
    assert pd.isna(timing.iloc[0]) and timing.iloc[1] == "before"


def test_partial_keeps_the_valid_courses_exactly_as_validating_them_alone() -> None:
    courses = [course("c1"), course("c2"), course(" c3", status=" Final ")]
    objectives = [objective("c1"), objective("c2"), objective("c3 ")]
    acts = [
        act("c1", "a1", "1", timing="pre", tool=" engage"),
        act("c2", "b1", "x", timing="before"),  # bad seq: c2 is left out
        act("c2", "b2", "2", objective_id="o9"),
        act(" c3 ", "d1", " 2", timing=" In Class ", minutes=" 15"),
        act("c3", "d2", "1", objective_id=" o1", direction="n:1"),
    ]
    tables = make_tables(courses, objectives, acts)
    p = validate(tables, partial=True)
    assert p.course_ids == ["c1", "c3"]
    assert set(p.invalid["course_id"]) == {"c2"}
    assert p.invalid["row"].tolist() == [3, 4]

    def without_c2(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["course_id"].str.strip() != "c2"]

    alone = validate(
        {
            n: without_c2(df) if n in ("courses", "objectives", "activities") else df
            for n, df in tables.items()
        }
    )
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(p, name), getattr(alone, name), check_exact=True)
    assert p.notices == alone.notices


def test_distinct_map_gives_a_missing_result_for_a_missing_value() -> None:
    column = pd.Series(["b", None, "a", "b"], index=[2, 3, 4, 5], dtype="str")
    col = Distinct.of(column)
    pd.testing.assert_series_equal(col.column(), column)
    assert col.map(lambda u: u.str.upper()).tolist()[0] == "B"
    assert pd.isna(col.map(lambda u: u.str.upper()).iloc[1])
    assert col.isin(pd.Series(["a", None])).tolist() == [False, False, True, False]
    assert col.missing().tolist() == [False, True, False, False]


def test_distinct_map_changed_is_none_only_when_no_value_changes() -> None:
    column = pd.Series(["b", None, "a", "b"], index=[2, 3, 4, 5], dtype="str")
    col = Distinct.of(column)
    assert col.map_changed(lambda u: u) is None
    upper = col.map_changed(lambda u: u.str.upper())
    assert upper is not None
    pd.testing.assert_series_equal(upper, col.map(lambda u: u.str.upper()))
    # a value made missing is a change, as is one value of many
    assert col.map_changed(lambda u: u.where(u != "a")) is not None
    assert col.map_changed(lambda u: u.replace("b", "c")) is not None


def test_canonical_activity_columns_are_the_same_whether_kept_or_respelt() -> None:
    def tables(timing: str, direction: str) -> dict[str, pd.DataFrame]:
        return make_tables(
            [course("c1")],
            [objective("c1")],
            [
                act("c1", "a1", "1", timing=timing, direction=direction),
                act("c1", "a2", "2", timing="during"),
            ],
        )

    kept = validate(tables("before", "one-to-many")).activities
    respelt = validate(tables(" Before", "ONE-TO-MANY")).activities
    pd.testing.assert_frame_equal(respelt, kept, check_exact=True)
    assert kept["timing"].tolist() == ["before", "during"]
