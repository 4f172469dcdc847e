"""The issue table that validation builds: its rows, their codes, and whose they are.

Every rule of :mod:`socialkit.contract.validation` records what it finds through these helpers,
so each issue has the same columns (:data:`~socialkit.contract.schema.ISSUE_COLUMNS`): where it
is (table, row as the user sees it, column, value), what was expected (message), what
kind it is (a stable ``code`` of :data:`ISSUE_CODES`) and, once all are found, the
course it belongs to (:func:`course_of`).
"""

from __future__ import annotations

import pandas as pd

from socialkit.contract.schema import ISSUE_COLUMNS, TABLES, _no_issues

__all__ = [
    "COURSE_TABLES",
    "ISSUE_CODES",
    "course_of",
    "duplicate_issues",
    "frame_issues",
    "issue_frame",
    "missing_column_issues",
]

#: The stable ``code`` of each kind of issue, and what it means.
ISSUE_CODES: dict[str, str] = {
    "missing-column": "a required column is missing from its table",
    "blank": "a required cell is blank",
    "not-in-vocabulary": "a value (or a list item) outside its column's vocabulary",
    "bad-number": "not a whole number, or one outside its column's documented range",
    "bad-format": "a value that breaks its column's pattern (course_id)",
    "duplicate": "a key used by an earlier row",
    "unknown-course": "a course_id that the courses table does not hold",
    "unknown-objective": "an objective_id that the activity's course does not hold",
    "unknown-organisation": "an organisation that the organisations table does not hold",
    "name-clash": "a tool name or alias that another tool of the catalog already goes by "
    "(or 'none', which means no tool)",
    "unknown-run": "a run_id of people that the runs table does not hold for its course",
    "bad-time-zone": "a timezone of runs that is not an IANA time zone name",
    "bad-period": "a run whose ends is not after its starts",
    "ambiguous-xapi-id": "an xAPI id that another activity of the same course already has",
    "no-portfolio": "no portfolio at the path given (socialkit check --json)",
    "unreadable": "a file or sheet that cannot be read as a table (socialkit check --json)",
}

#: The tables whose rows belong to one course (through their ``course_id``).
COURSE_TABLES = ("courses", "objectives", "activities", "runs", "people")


def course_of(found: pd.DataFrame, present: dict[str, pd.DataFrame]) -> pd.Series:
    """The course each issue belongs to: the trimmed ``course_id`` of its row.

    Missing (portfolio-wide) for an issue about a whole table (no row), a row of
    ``tools`` or ``organisations`` (shared by every course), a row of a table the
    portfolio does not have, and a row whose
    ``course_id`` is blank (it could belong to any course).
    """
    out = pd.Series(pd.NA, index=found.index, dtype="object")
    for table in COURSE_TABLES:
        mask = found["table"].eq(table) & found["row"].notna()
        if mask.any() and table in present:
            ids = present[table]["course_id"]
            out[mask] = found.loc[mask, "row"].astype("int64").map(ids).to_numpy()
    return out.where(out.notna(), None)


def issue_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """An issue table of some rows (dicts keyed by column), or an empty one.

    Parameters
    ----------
    rows : list of dict, optional
        Missing keys become missing values.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~socialkit.contract.schema.ISSUE_COLUMNS`, ``row`` as ``Int64``.
    """
    if not rows:
        # a copy of an empty table made once: most rules find nothing, and building the
        # frame anew costs a millisecond each time
        return _no_issues()
    df = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return df.astype({"row": "Int64"})


def frame_issues(
    table: str,
    df: pd.DataFrame,
    mask: pd.Series,
    column: str,
    message: pd.Series | str,
    code: str,
) -> pd.DataFrame:
    """One issue per row of ``df`` where ``mask`` holds, about its cell in ``column``.

    Parameters
    ----------
    table : str
    df : pandas.DataFrame
        The table as read, indexed by the row number the user sees.
    mask : pandas.Series of bool
    column : str
        The column reported; its cell is the issue's value.
    message : str or pandas.Series
        What was expected: one message, or one per row.
    code : str
        A key of :data:`ISSUE_CODES`.

    Returns
    -------
    pandas.DataFrame
    """
    if not mask.any():
        return issue_frame()
    bad = df.loc[mask]
    msg = message[mask] if isinstance(message, pd.Series) else message
    return pd.DataFrame(
        {
            "table": table,
            "row": bad.index.astype("Int64"),
            "column": column,
            "value": bad[column],
            "message": msg,
            "code": code,
        }
    )


def duplicate_issues(
    table: str,
    df: pd.DataFrame,
    keys: list[str],
    *,
    what: str | None = None,
    key_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows whose key repeats an earlier row's key (the last key column is reported)."""
    frame = df[keys] if key_frame is None else key_frame
    dup = frame.duplicated(keep="first") & frame.notna().all(axis=1)
    if not dup.any():
        return issue_frame()
    first_row = (
        pd.Series(frame.index, index=frame.index)
        .groupby([frame[k] for k in keys])
        .transform("min")
        .astype("Int64")
    )
    what = what or keys[-1]
    scope = [f" within course {c!r}" for c in frame[keys[0]][dup]] if len(keys) > 1 else ""
    msg = (
        (
            f"duplicate {what}"
            + pd.Series(scope, index=frame.index[dup], dtype="str").fillna("")
            + "; first used at row "
            + first_row[dup].astype("str")
            + "; expected each to be unique"
        )
        if scope
        else (
            f"duplicate {what}; first used at row "
            + first_row[dup].astype("str")
            + "; expected each to be unique"
        )
    )
    return frame_issues(table, df, dup, keys[-1], msg, "duplicate")


def missing_column_issues(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """One issue, without row, per structural column that ``df`` lacks."""
    rows = [
        {
            "table": table,
            "row": pd.NA,
            "column": spec.name,
            "value": None,
            "message": f"required column {spec.name!r} is missing; the table has "
            f"{', '.join(map(repr, df.columns)) or 'no columns'}",
            "code": "missing-column",
        }
        for spec in TABLES[table]
        if spec.kind == "structural" and spec.name not in df.columns
    ]
    return issue_frame(rows)
