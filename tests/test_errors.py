"""The exception classes: messages users read, and how they relate."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_tables

from socialkit.contract.issues import ISSUE_CODES
from socialkit.contract.schema import ISSUE_COLUMNS
from socialkit.contract.validation import validate
from socialkit.errors import (
    NotebookFailed,
    PortfolioNotFoundError,
    PortfolioReadError,
    PortfolioWriteError,
    SocialkitError,
    UnknownCourseError,
    ValidationError,
    format_issues,
    unknown_course,
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


# --------------------------------------------------------------------------- codes
def test_validation_error_codes_are_each_issues_documented_code() -> None:
    tables = make_tables(
        [{"course_id": "c1", "title": "T"}, {"course_id": "c1", "title": ""}],
        [],
        [{"course_id": "c1", "activity_id": "a1", "seq": "x", "title": "A", "timing": "soon"}],
    )
    with pytest.raises(ValidationError, match="4 errors in the portfolio") as info:
        validate(tables)
    err = info.value
    # courses row 3: course_id repeated, title blank; activities row 2: seq, timing
    assert err.codes == ["duplicate", "blank", "bad-number", "not-in-vocabulary"]
    assert err.codes == err.issues["code"].tolist()
    assert set(err.codes) <= set(ISSUE_CODES)


def test_validation_error_codes_of_issues_built_without_codes_are_none() -> None:
    assert ValidationError(ISSUES).codes == [None, None, None]
    assert ValidationError(ISSUES.drop(columns="code")).codes == [None, None, None]


def literal_codes(tree: ast.AST) -> list[str]:
    """The issue codes written as literals: ``"code": "x"`` in a dict, the code argument
    of ``frame_issues`` and of a ``ColumnRule``, and what ``_code_of`` returns."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if not (isinstance(key, ast.Constant) and key.value == "code"):
                    continue
                if isinstance(value, ast.List):  # ["x" if ... else "y"]
                    found += [
                        c.value
                        for e in value.elts
                        for c in ast.walk(e)
                        if isinstance(c, ast.Constant)
                    ]
                elif isinstance(value, ast.Call) and getattr(value.func, "attr", "") == "where":
                    # np.where(mask, "x", ...)
                    found += [a.value for a in value.args if isinstance(a, ast.Constant)]
                elif isinstance(value, ast.Constant):
                    found.append(value.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "frame_issues":
            code = node.args[5] if len(node.args) > 5 else None
            if isinstance(code, ast.Constant):
                found.append(code.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ColumnRule":
            code = node.args[2] if len(node.args) > 2 else None
            code = next((k.value for k in node.keywords if k.arg == "code"), code)
            if isinstance(code, ast.Constant):
                found.append(code.value)
        elif isinstance(node, ast.FunctionDef) and node.name == "_code_of":
            found += [
                c.value
                for r in ast.walk(node)
                if isinstance(r, ast.Return)
                for c in ast.walk(r)
                if isinstance(c, ast.Constant)
            ]
    return [c for c in found if isinstance(c, str)]


def test_every_issue_code_written_in_the_package_is_documented() -> None:
    package = Path(__file__).resolve().parents[1] / "socialkit"
    files = [*sorted((package / "contract").glob("*.py")), package / "analysis" / "check.py"]
    codes = {c for path in files for c in literal_codes(ast.parse(path.read_text("utf-8")))}
    assert {"blank", "missing-column", "name-clash", "unreadable"} <= codes  # it finds them
    assert codes - set(ISSUE_CODES) == set()
    assert all(ISSUE_CODES[c].strip() for c in ISSUE_CODES)


# --------------------------------------------------------------------------- unknown course
def test_unknown_course_names_the_first_unknown_id_and_some_known_ones() -> None:
    with pytest.raises(
        UnknownCourseError,
        match=r"^unknown course id 'x'; the portfolio holds 7 course\(s\), "
        r"e\.g\. 'a', 'b', 'c', 'd', 'e'$",
    ) as info:
        raise unknown_course(["x", "y"], list("abcdefg"))
    assert info.value.course_ids == ("x",)


def test_unknown_course_of_a_list_asked_for_names_every_unknown_id() -> None:
    with pytest.raises(
        UnknownCourseError,
        match=r"^unknown course id\(s\) 'x', 'y'; the portfolio holds 2 course\(s\), "
        r"e\.g\. 'a', 'b'$",
    ) as info:
        raise unknown_course(["x", "y"], ["a", "b"], asked_several=True)
    assert info.value.course_ids == ("x", "y")
    assert isinstance(info.value, KeyError)


def test_unknown_course_in_an_empty_portfolio() -> None:
    with pytest.raises(
        UnknownCourseError, match=r"^unknown course id 'x'; the portfolio holds no course yet$"
    ):
        raise unknown_course(["x"], [])


def test_only_the_helper_makes_an_unknown_course_error() -> None:
    package = Path(__file__).resolve().parents[1] / "socialkit"
    made = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "UnknownCourseError"
    ]
    assert [m.split(":")[0] for m in made] == ["errors.py"], made  # in unknown_course


# --------------------------------------------------------------------------- notebooks
def test_notebook_failed_is_importable_where_it_was() -> None:
    from socialkit.reports.kernels import NotebookFailed as old

    assert old is NotebookFailed
    assert issubclass(NotebookFailed, SocialkitError)


def test_notebook_failed_carries_cell_name_and_value_and_survives_pickling() -> None:
    nb = {"cells": []}
    with pytest.raises(NotebookFailed, match=r"^ValueError: bad$") as info:
        raise NotebookFailed("ValueError: bad", nb, cell=3, ename="ValueError", evalue="bad")
    err = info.value
    assert (err.nb, err.cell, err.ename, err.evalue) == (nb, 3, "ValueError", "bad")
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.nb, back.cell, back.ename, back.evalue) == (
        "ValueError: bad",
        nb,
        3,
        "ValueError",
        "bad",
    )
    plain = NotebookFailed("timed out", nb)  # the old two-argument form
    assert (plain.cell, plain.ename, plain.evalue) == (None, None, None)
