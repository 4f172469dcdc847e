"""The exception classes: messages users read, and how they relate."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_tables

from socialkit.contract.schema import ISSUE_COLUMNS
from socialkit.contract.validation import validate
from socialkit.errors import (
    PortfolioNotFoundError,
    PortfolioReadError,
    PortfolioWriteError,
    SocialkitError,
    UnknownCourseError,
    ValidationError,
    format_issues,
)


def issue_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype({"row": "Int64"})


ISSUES = issue_frame(
    [
        {
            "table": "activities",
            "row": 5,
            "column": "seq",
            "value": "x",
            "message": "expected a whole number >= 1",
        },
        {
            "table": "objectives",
            "row": pd.NA,
            "column": "statement",
            "value": None,
            "message": "required column 'statement' is missing",
        },
        {
            "table": "courses",
            "row": 3,
            "column": "title",
            "value": None,
            "message": "is blank; a value is required",
        },
    ]
)


def test_format_issues_one_line_per_issue_with_table_row_column_value() -> None:
    lines = format_issues(ISSUES)
    assert lines == [
        "activities, row 5, column 'seq': value 'x': expected a whole number >= 1",
        "objectives, column 'statement': required column 'statement' is missing",
        "courses, row 3, column 'title': is blank; a value is required",
    ]


def test_format_issues_of_nothing_is_empty() -> None:
    assert format_issues(issue_frame([])) == []


def test_format_issues_shows_values_with_quotes_and_newlines_on_one_line() -> None:
    df = issue_frame(
        [{"table": "courses", "row": 2, "column": "course_id", "value": "a\nb 'c'", "message": "m"}]
    )
    (line,) = format_issues(df)
    assert "\n" not in line
    assert line.startswith("courses, row 2, column 'course_id': value ")
    assert line.endswith(": m")


def test_validation_error_str_counts_and_lists_every_issue() -> None:
    err = ValidationError(ISSUES)
    lines = str(err).splitlines()
    assert lines[0] == "3 errors in the portfolio:"
    assert lines[1:] == ["  " + line for line in format_issues(ISSUES)]
    assert err.issues is ISSUES


def test_validation_error_singular() -> None:
    err = ValidationError(ISSUES.head(1))
    assert str(err).splitlines()[0] == "1 error in the portfolio:"
    assert len(str(err).splitlines()) == 2


def test_validation_error_from_validate_names_table_row_column_value() -> None:
    tables = make_tables(
        [{"course_id": "c1", "title": "T"}],
        [],
        [{"course_id": "c1", "activity_id": "a1", "seq": "1", "title": "A", "timing": "soon"}],
    )
    with pytest.raises(ValidationError, match="1 error in the portfolio") as info:
        validate(tables)
    text = str(info.value)
    assert "activities, row 2, column 'timing': value 'soon':" in text
    assert "'before'" in text and "'during'" in text and "'after'" in text


def test_unknown_course_error_via_select(two_courses) -> None:
    with pytest.raises(UnknownCourseError, match="unknown course id 'nope'") as info:
        two_courses.select(["c1", "nope"])
    message = str(info.value)
    assert "'nope'" in message
    assert not message.startswith(('"', "'"))  # not KeyError's repr of the message
    assert "c1" in message and "c2" in message  # names the courses the portfolio holds
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, SocialkitError)


def test_unknown_course_error_single_id(two_courses) -> None:
    with pytest.raises(UnknownCourseError, match="'C1'"):
        two_courses.select("C1")


def test_select_keeps_only_the_chosen_courses(two_courses) -> None:
    sub = two_courses.select("c2")
    assert sub.course_ids == ["c2"]
    assert sub.activities["activity_id"].tolist() == ["b1"]
    assert sub.objectives.empty
    assert sub.tools is two_courses.tools


@pytest.mark.parametrize(
    "cls",
    [
        PortfolioNotFoundError,
        PortfolioReadError,
        PortfolioWriteError,
        UnknownCourseError,
        ValidationError,
    ],
)
def test_every_error_is_a_socialkit_error(cls: type) -> None:
    assert issubclass(cls, SocialkitError)
    assert issubclass(SocialkitError, Exception)


def test_not_found_is_a_file_not_found_error() -> None:
    assert issubclass(PortfolioNotFoundError, FileNotFoundError)
