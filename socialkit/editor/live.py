"""The live view of one course: canonical frames built from its text rows, quickly.

Used by :class:`socialkit.editor.draft.DesignDraft` after every edit. Full validation (every rule,
the whole portfolio) costs far more than the editor's budget per change; here the few rows
of one course are normalised in plain Python, against a catalog validated once.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from socialkit.base.frames import cached
from socialkit.contract.schema import DEFAULT_ORGANISATION, TABLES, Portfolio
from socialkit.contract.tool_names import name_key, tool_lookup
from socialkit.contract.vocab import (
    DIRECTIONS,
    IN_CLASS_REASONS,
    LEARNING_TYPES,
    STATUS,
    TIMINGS,
    TOOL_TYPES,
)

# the ranking of one activity lived here: its names stay importable from this module
from socialkit.editor.ranking import _rankings, activity_ranking, activity_view  # noqa: F401

__all__ = [
    "CHARTED",
    "activity_ranking",
    "activity_view",
    "blank_table",
    "chart_keys",
    "columns",
    "content_view",
    "course_view",
    "every_choice",
    "row_content",
    "text",
    "tool_spellings",
    "whole",
]

#: The activity columns the swimlane and the timing × direction grid are drawn from.
CHARTED = ("activity_id", "seq", "title", "timing", "direction", "tool", "tool_type")
_ACTIVITY_VOCABS = (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES)
_WHOLE = re.compile(r"\s*\+?(\d{1,15})(?:\.0*)?\s*")


def columns(table: str) -> list[str]:
    """The contract's columns of a table, in order."""
    return [spec.name for spec in TABLES[table]]


_ACTIVITY_COLUMNS = tuple(columns("activities"))
_COURSE_COLUMNS = tuple(columns("courses"))
_OBJECTIVE_COLUMNS = tuple(columns("objectives"))
_SEQ = _ACTIVITY_COLUMNS.index("seq")


def _frame(
    text_columns: dict[str, list],
    *,
    row: list[int],
    organisation: str | None = None,
    typed: dict[str, pd.api.extensions.ExtensionArray | np.ndarray] | None = None,
) -> pd.DataFrame:
    """A canonical frame: text columns as ``str``, then ``row`` (and ``organisation``).

    ``typed`` holds columns of ``text_columns`` with a dtype of their own, put in their
    place. The frame is made in one go from arrays: adding columns one by one, or from
    Series (aligned on their indexes first), costs more than the few rows themselves.
    """
    # all text columns converted in one go (one call per column costs more than the
    # values), then each column a slice of the one array
    every = pd.array([v for values in text_columns.values() for v in values], dtype="str")
    data, start = {}, 0
    for c, values in text_columns.items():
        data[c], start = every[start : start + len(values)], start + len(values)
    data.update(typed or {})
    data["row"] = np.asarray(row, dtype="int64")
    if organisation is not None:
        data["organisation"] = pd.array([organisation] * len(row), dtype="str")
    return pd.DataFrame(data, index=pd.RangeIndex(len(row)))


def blank_table(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in columns(table)})


def text(value: object) -> str | None:
    """A cell as the editor stores it: text, or ``None`` when blank."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if text.strip() else None


def whole(value: object) -> int | None:
    match = _WHOLE.fullmatch(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def row_content(rows: pd.DataFrame) -> tuple:
    """A table's rows of one course as a hashable value: file rows, columns and cells as
    written (missing as ``None``: two NaN objects never compare equal).

    Parameters
    ----------
    rows : pandas.DataFrame
        The rows, indexed by file row number.

    Returns
    -------
    tuple
        The file row numbers, the column names, then one tuple of cells per row.
    """
    # all the cells in one conversion: a column at a time costs three times as much
    cells = rows.to_numpy(dtype=object, na_value=None).tolist()
    return (tuple(rows.index.tolist()), tuple(rows.columns), *map(tuple, cells))


def course_view(
    catalog: Portfolio,
    *,
    course: dict[str, str | None],
    row: int,
    objectives: pd.DataFrame,
    activities: pd.DataFrame,
) -> tuple[Portfolio, list[str]]:
    """One course as a canonical portfolio, built row by row from its text.

    Parameters
    ----------
    catalog : Portfolio
        A validated portfolio whose ``tools`` and ``organisations`` are used as they
        are (the same objects), so analyses memoised on them are reused.
    course : dict
        The course's row, column -> text or ``None``.
    row : int
        The course's row number in its file.
    objectives, activities : pandas.DataFrame
        The course's rows as text, indexed by file row number.

    Returns
    -------
    portfolio : Portfolio
    problems : list of str
        One sentence per value that validation would reject; such values count as
        undecided in ``portfolio``.

    Raises
    ------
    ValueError
        If a contract column is missing from ``objectives`` or ``activities``.
    """
    return content_view(
        catalog,
        course=course,
        row=row,
        objectives=row_content(objectives),
        activities=row_content(activities),
    )


def _where(content: tuple, names: tuple[str, ...]) -> list[int]:
    """The positions of the columns ``names`` in a :func:`row_content`."""
    missing = [c for c in names if c not in content[1]]
    if missing:
        raise ValueError(f"the rows have no {missing[0]!r} column; expected {', '.join(names)}")
    return [content[1].index(c) for c in names]


def _cells(content: tuple, names: tuple[str, ...]) -> list[list]:
    """The columns ``names`` of a :func:`row_content`, each as a list of cells."""
    return [[r[i] for r in content[2:]] for i in _where(content, names)]


def content_view(
    catalog: Portfolio,
    *,
    course: dict[str, str | None],
    row: int,
    objectives: tuple,
    activities: tuple,
) -> tuple[Portfolio, list[str]]:
    """:func:`course_view` of the :func:`row_content` of the objectives and activities.

    The editor keys a course's state by that content already; reading the cells from
    it spares taking each column of the frames again (a dozen pandas calls).

    Parameters
    ----------
    catalog : Portfolio
        As for :func:`course_view`.
    course : dict
        The course's row, column -> text or ``None``.
    row : int
        The course's row number in its file.
    objectives, activities : tuple
        The :func:`row_content` of the course's rows of each table.

    Returns
    -------
    portfolio : Portfolio
    problems : list of str
        As :func:`course_view` returns them.

    Raises
    ------
    ValueError
        If a contract column is missing from ``objectives`` or ``activities``.
    """
    problems: list[str] = []
    org = text(course.get("organisation"))
    orgs = set(catalog.organisations["organisation"])
    if org is not None and org.strip() not in orgs:
        problems.append(f"organisation {org!r} is not in the organisations table")
        org = None
    org = org.strip() if org else DEFAULT_ORGANISATION
    status = STATUS.canonical(course.get("status"))
    if course.get("status") and status is None:
        problems.append(f"status {course['status']!r}: expected {STATUS.expected()}")
    if text(course.get("title")) is None:
        problems.append("the course has no title")
    values = tuple(course.get(c) for c in _COURSE_COLUMNS)
    courses = _courses_frame(values, row, org, status or "draft").copy(deep=False)

    oids, statements = _cells(objectives, ("objective_id", "statement"))
    ids = set()
    for oid, statement in zip(oids, statements, strict=True):
        if text(oid) is None or text(statement) is None:
            problems.append(f"objective {text(oid)!r} needs an id and a statement")
        elif oid in ids:
            problems.append(f"objective id {oid!r} is used twice")
        ids.add(oid)
    objectives = _objectives_frame(objectives).copy(deep=False)

    tools = tool_spellings(catalog)
    known = frozenset(ids)
    where = _where(activities, _ACTIVITY_COLUMNS)
    rows = (tuple(map(text, map(r.__getitem__, where))) for r in activities[2:])
    canonical = []
    seen_seq: set[int] = set()
    for record in rows:
        values, found = _activity(record, known, tools)
        problems += found
        seq = values[_SEQ]
        if seq is None:
            seq = max(seen_seq, default=0) + 1
            values = (*values[:_SEQ], seq, *values[_SEQ + 1 :])
        elif seq in seen_seq:
            problems.append(f"activity {values[1]!r}: seq {seq} is used twice")
        seen_seq.add(seq)
        canonical.append(values)
    transposed = zip(*canonical, strict=True) if canonical else ([] for _ in _ACTIVITY_COLUMNS)
    by_column = dict(zip(_ACTIVITY_COLUMNS, transposed, strict=True))
    activities = _frame(
        {c: list(v) for c, v in by_column.items()},
        row=list(activities[0]),
        organisation=org,
        typed={
            "seq": np.asarray(by_column["seq"], dtype="int64"),
            "minutes": pd.array(by_column["minutes"], dtype="Int64"),
        },
    )
    portfolio = Portfolio(
        courses, objectives, activities, catalog.tools, catalog.organisations, source=catalog.source
    )
    return portfolio, problems


# A course's row and its objectives rarely change between two edits (most change an
# activity): their frames are made once per content and each view gets a shallow copy
# of them, its own object (copy-on-write keeps the kept frame as it is), for a tenth of
# the cost of making them.
@lru_cache(maxsize=8)
def _courses_frame(
    values: tuple[str | None, ...], row: int, organisation: str, status: str
) -> pd.DataFrame:
    return _frame(
        dict(zip(_COURSE_COLUMNS, ([v] for v in values), strict=True)),
        row=[row],
        organisation=organisation,
        typed={"status": pd.array([status], dtype="str")},
    )


@lru_cache(maxsize=8)
def _objectives_frame(content: tuple) -> pd.DataFrame:
    return _frame(
        dict(zip(_OBJECTIVE_COLUMNS, _cells(content, _OBJECTIVE_COLUMNS), strict=True)),
        row=list(content[0]),
    )


@cached
def chart_keys(portfolio: Portfolio) -> tuple[tuple, tuple]:
    """What the swimlane and the timing × direction grid of a one-course view show.

    Two values that are equal exactly when the charts would be drawn the same: the
    course id and title with, for the swimlane, every activity's :data:`CHARTED`
    columns in order, and for the grid the sorted (timing, direction) pairs, as it
    counts activities per cell whatever their order. Blank cells are ``""``.
    """
    a = portfolio.activities
    course = portfolio.courses
    head = (course["course_id"].iloc[0], course["title"].iloc[0]) if len(course) else (None, None)
    values = [[v if isinstance(v, (str, int)) else "" for v in a[c].tolist()] for c in CHARTED]
    rows = list(zip(*values, strict=True)) if len(a) else []
    cells = sorted(zip(values[3], values[4], strict=True)) if len(a) else []
    return (*head, rows), (*head, cells)


@cached
def tool_spellings(catalog: Portfolio) -> tuple[tuple[str, str], ...]:
    """The catalog's (matching key, tool name) pairs, names and aliases, ``none`` too."""
    return (*tool_lookup(catalog.tools).items(), ("none", "none"))


@lru_cache(maxsize=16384)
def _activity(
    record: tuple[str | None, ...],
    objective_ids: frozenset[str],
    tools: tuple[tuple[str, str], ...],
) -> tuple[tuple, tuple[str, ...]]:
    """One activity row's canonical values and problems (``seq`` None when not valid).

    Cached: between two edits most rows are unchanged, so a course is rebuilt from
    lookups. The result depends only on the row, the course's objective ids and the
    catalog's tool names and aliases (:func:`tool_spellings`), which are all part of the key.
    A tool the catalog does not know is kept as written (trimmed), as validation keeps
    it: not a problem, the ``unknown-tool`` warning is about it.
    """
    values = dict(zip(_ACTIVITY_COLUMNS, record, strict=True))
    label = f"activity {values['activity_id']!r}"
    problems = []
    if values["title"] is None:
        problems.append(f"{label} has no title")
    seq = whole(values["seq"]) if values["seq"] else None
    if seq is None or seq < 1:
        problems.append(f"{label}: seq {values['seq']!r} is not a whole number >= 1")
        seq = None
    values["seq"] = seq
    for vocab in _ACTIVITY_VOCABS:
        raw = values[vocab.name]
        values[vocab.name] = vocab.canonical(raw)
        if raw is not None and values[vocab.name] is None:
            problems.append(f"{label}: {vocab.name} {raw!r}: expected {vocab.expected()}")
    tool = values["tool"]
    if tool is not None:
        values["tool"] = dict(tools).get(name_key(tool), tool.strip())
    if values["objective_id"] is not None and values["objective_id"] not in objective_ids:
        problems.append(f"{label}: objective {values['objective_id']!r} does not exist")
        values["objective_id"] = None
    minutes = values["minutes"]
    values["minutes"] = whole(minutes) if minutes else None
    if minutes is not None and values["minutes"] is None:
        problems.append(f"{label}: minutes {minutes!r} is not a whole number >= 0")
    return tuple(values.values()), tuple(problems)


def every_choice(catalog: Portfolio) -> Portfolio:
    """Made-up courses, one per organisation, each with one activity per choice of tool
    type, direction, timing and tool (blanks included), for working out the catalog's
    facts.

    Analyses remember what they work out about a catalog per (organisation, tool type,
    direction, timing, tool); running :func:`socialkit.analysis.tool_fit.tool_fit` once over these
    courses means that no later edit pays for a combination seen for the first time.
    """
    tools = [*catalog.tools["tool"], "none", None]
    choices = [
        (tool_type, direction, timing, tool)
        for tool_type in (*TOOL_TYPES.values, None)
        for direction in (*DIRECTIONS.values, None)
        for timing in (*TIMINGS.values, None)
        for tool in tools
    ]
    n = len(choices)
    rows = pd.DataFrame(
        {
            "activity_id": [f"A{i}" for i in range(1, n + 1)],
            "seq": [str(i) for i in range(1, n + 1)],
            "title": ["a choice"] * n,
            "tool_type": [c[0] for c in choices],
            "direction": [c[1] for c in choices],
            "timing": [c[2] for c in choices],
            "tool": [c[3] for c in choices],
        },
        dtype="str",
    ).reindex(columns=list(_ACTIVITY_COLUMNS))
    views = []
    for i, organisation in enumerate(catalog.organisations["organisation"]):
        cid = f"every-choice-{i}"
        course = {"course_id": cid, "title": cid, "organisation": organisation}
        rows["course_id"] = cid
        views.append(
            course_view(
                catalog,
                course=course,
                row=i + 2,
                objectives=blank_table("objectives"),
                activities=rows,
            )[0]
        )
    return Portfolio(
        pd.concat([v.courses for v in views], ignore_index=True),
        pd.concat([v.objectives for v in views], ignore_index=True),
        pd.concat([v.activities for v in views], ignore_index=True),
        catalog.tools,
        catalog.organisations,
        source=catalog.source,
    )
