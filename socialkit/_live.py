"""The live view of one course: canonical frames built from its text rows, quickly.

Used by :class:`socialkit.editing.DesignDraft` after every edit. Full validation (pandera,
the whole portfolio) costs far more than the editor's budget per change; here the few rows
of one course are normalised in plain Python, against a catalog validated once.
"""

from __future__ import annotations

import re

import pandas as pd

from .schema import DEFAULT_ORGANISATION, TABLES, Portfolio
from .vocab import DIRECTIONS, IN_CLASS_REASONS, LEARNING_TYPES, STATUS, TIMINGS, TOOL_TYPES

__all__ = ["blank_table", "columns", "course_view", "text", "whole"]

_ACTIVITY_VOCABS = (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES)
_WHOLE = re.compile(r"\s*\+?(\d{1,15})(?:\.0*)?\s*")


def columns(table: str) -> list[str]:
    return [spec.name for spec in TABLES[table]]


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
    courses = pd.DataFrame(
        {
            **{c: pd.Series([course.get(c)], dtype="str") for c in columns("courses")},
            "row": pd.Series([row], dtype="int64"),
        }
    )
    courses["organisation"] = pd.Series([org], dtype="str")
    courses["status"] = pd.Series([status or "draft"], dtype="str")

    objs = objectives
    ids = set()
    for oid, statement in zip(objs["objective_id"], objs["statement"], strict=True):
        if text(oid) is None or text(statement) is None:
            problems.append(f"objective {text(oid)!r} needs an id and a statement")
        elif oid in ids:
            problems.append(f"objective id {oid!r} is used twice")
        ids.add(oid)
    objectives = pd.DataFrame(
        {
            **{c: objs[c].astype("str").reset_index(drop=True) for c in columns("objectives")},
            "row": pd.Series(objs.index.to_numpy(), dtype="int64"),
        }
    )

    acts = activities
    spelt = {t.lower(): t for t in catalog.tools["tool"]} | {"none": "none"}
    cols: dict[str, list] = {c: [] for c in columns("activities")}
    seen_seq: set[int] = set()
    for record in acts[columns("activities")].itertuples(index=False):
        values = {c: text(v) for c, v in zip(cols, record, strict=True)}
        label = f"activity {values['activity_id']!r}"
        if values["title"] is None:
            problems.append(f"{label} has no title")
        seq = whole(values["seq"]) if values["seq"] else None
        if seq is None or seq < 1:
            problems.append(f"{label}: seq {values['seq']!r} is not a whole number >= 1")
            seq = max(seen_seq, default=0) + 1
        elif seq in seen_seq:
            problems.append(f"{label}: seq {seq} is used twice")
        seen_seq.add(seq)
        values["seq"] = seq
        for vocab in _ACTIVITY_VOCABS:
            raw = values[vocab.name]
            values[vocab.name] = vocab.canonical(raw)
            if raw is not None and values[vocab.name] is None:
                problems.append(f"{label}: {vocab.name} {raw!r}: expected {vocab.expected()}")
        tool = values["tool"]
        values["tool"] = spelt.get(tool.strip().lower()) if tool else None
        if tool is not None and values["tool"] is None:
            problems.append(f"{label}: tool {tool!r} is not in the tool catalog")
        if values["objective_id"] is not None and values["objective_id"] not in ids:
            problems.append(f"{label}: objective {values['objective_id']!r} does not exist")
            values["objective_id"] = None
        minutes = values["minutes"]
        values["minutes"] = whole(minutes) if minutes else None
        if minutes is not None and values["minutes"] is None:
            problems.append(f"{label}: minutes {minutes!r} is not a whole number >= 0")
        for c in cols:
            cols[c].append(values[c])
    n = len(acts)
    activities = pd.DataFrame(
        {
            **{c: pd.Series(v, dtype="str") for c, v in cols.items()},
            "row": pd.Series(acts.index.to_numpy(), dtype="int64"),
            "organisation": pd.Series([org] * n, dtype="str"),
        }
    )
    activities["seq"] = pd.Series(cols["seq"], dtype="int64")
    activities["minutes"] = pd.Series(cols["minutes"], dtype="Int64")
    portfolio = Portfolio(
        courses, objectives, activities, catalog.tools, catalog.organisations, source=catalog.source
    )
    return portfolio, problems
