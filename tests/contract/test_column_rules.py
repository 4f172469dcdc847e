"""The column rules: run on distinct values by validation, and the same as a pandera schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from socialkit.contract.column_rules import (
    BLANK_MESSAGE,
    column_issues,
    column_rules,
    pandera_schema,
)
from socialkit.contract.schema import TABLES


def text_frame(columns: dict[str, list]) -> pd.DataFrame:
    df = pd.DataFrame(columns, dtype="str")
    df.index = pd.RangeIndex(2, 2 + len(df))  # the row numbers a user sees
    return df


def test_failures_name_row_column_value_and_code_in_row_order():
    df = text_frame(
        {
            "course_id": ["c1", "c1", "c1", "c1", "c1"],
            "activity_id": ["a1", "a2", " ", "a4", "a5"],
            "seq": ["1", "-5", "2", "x", " 12 "],
            "title": ["t", "t", "t", "t", "t"],
            "timing": ["before", " During ", "soon", None, "soon"],
            "xapi_ids": ["https://x.org/1", "https://x.org/1;no scheme", None, "", "urn:a;urn:b"],
        }
    )
    issues, columns = column_issues("activities", df)
    got = issues[["row", "column", "value", "code"]].astype(object).values.tolist()
    # by column in contract order, then by row
    assert got == [
        [4, "activity_id", " ", "blank"],
        [3, "seq", "-5", "bad-number"],
        [5, "seq", "x", "bad-number"],
        [4, "timing", "soon", "not-in-vocabulary"],
        [6, "timing", "soon", "not-in-vocabulary"],
        [3, "xapi_ids", "https://x.org/1;no scheme", "bad-format"],
    ]
    assert issues.loc[0, "message"] == BLANK_MESSAGE
    assert issues.loc[1, "message"] == "expected a whole number from 1 to 1,000,000"
    assert set(columns) == {"course_id", "activity_id", "seq", "title", "timing", "xapi_ids"}


def test_a_structural_blank_is_reported_once_not_also_as_a_bad_value():
    df = text_frame({"course_id": ["", "bad id!", None]})
    issues, _ = column_issues("courses", df)
    assert issues[["row", "code"]].astype(object).values.tolist() == [
        [2, "blank"],
        [3, "bad-format"],
        [4, "blank"],
    ]


def test_a_column_of_blanks_only_is_checked_without_error():
    df = text_frame({"course_id": ["c1", "c2"], "xapi_ids": [None, None], "minutes": [None, None]})
    issues, _ = column_issues("activities", df)
    assert issues.empty


def test_free_text_has_no_rule_and_structural_columns_require_a_value():
    title = next(s for s in TABLES["courses"] if s.name == "title")
    owner = next(s for s in TABLES["courses"] if s.name == "owner")
    assert [r.code for r in column_rules(title)] == ["blank"]
    assert column_rules(owner) == []


def _failures_by_pandera(table: str, df: pd.DataFrame) -> set[tuple[str, int]]:
    try:
        pandera_schema(table).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        return {(c, int(i)) for c, i in zip(fc["column"], fc["index"], strict=True)}
    return set()


@pytest.mark.parametrize("table", ["courses", "activities", "tools", "organisations", "runs"])
def test_the_pandera_schema_fails_exactly_where_validation_does(table):
    rng = np.random.default_rng(7)
    # for each column: good values, near misses and blanks, mixed at random
    pool = [
        "before", "During", "one to many", "many-to-many", "community", "x", "",
        "  ", "12", "-1", "1e3", "https://a.org/1", "https://a.org/1;urn:b", "no scheme",
        "yes", "false", "internal", "sso", "mailto:a@b.org", "c1", "bad id!",
        "3f2b8c1e-0d4a-4b6e-9c1f-2a7d5e8b9c10", "content;community", "live;own-time",
        None,
    ]  # fmt: skip
    names = [spec.name for spec in TABLES[table]]
    df = text_frame({name: list(rng.choice(np.array(pool, dtype=object), 60)) for name in names})
    issues, _ = column_issues(table, df)
    ours = {(c, int(r)) for c, r in zip(issues["column"], issues["row"], strict=True)}
    assert ours  # the pool holds bad values for every table
    assert _failures_by_pandera(table, df) == ours


def test_pandera_schema_of_an_unknown_table_is_refused():
    with pytest.raises(KeyError, match=r"no table 'lessons' in the data contract; expected one of"):
        pandera_schema("lessons")
