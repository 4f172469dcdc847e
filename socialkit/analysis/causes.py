"""Where one cause of a warning is found once, however many rows it touches.

A course without objectives, a tool of a course (blocked, unknown, missing at the
organisation), the activities to move so that a course's phases run in order: each is
one cause, and :mod:`socialkit.analysis.advice` gives it one warning. These helpers find them,
vectorised over the portfolio.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialkit.analysis.phase_runs import phase_moves
from socialkit.analysis.positions import activity_courses, activity_order
from socialkit.analysis.rules import ArrayTable, CodedTable, Table, column, flags, join
from socialkit.analysis.tool_use import used_tools
from socialkit.base.frames import isin_codes
from socialkit.base.lookup import isin
from socialkit.contract.schema import Portfolio

__all__ = [
    "join_groups",
    "no_objective",
    "out_of_place",
    "out_of_place_columns",
    "per_course_tool",
]


def no_objective(
    portfolio: Portfolio, activities: Table, uses: pd.Series | np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, str]]:
    """Courses with no objective: the mask over the courses, and the tools chosen in each
    that chooses any, ``", "``-joined in order of first use. ``uses`` is
    :func:`~socialkit.analysis.tool_use.uses_tool` of the activities (a Series or a numpy
    array), when the caller has it."""
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    no_obj = ~isin(c["course_id"], o["course_id"]).to_numpy()
    if not no_obj.any():
        return no_obj, {}
    if uses is None:
        uses = used_tools(portfolio)
    in_course = no_obj[activities.course] & flags(uses)
    chosen = a.loc[in_course, ["course_id", "tool"]]
    tools = chosen.drop_duplicates().groupby("course_id", sort=False)["tool"].agg(", ".join)
    return no_obj, tools.to_dict()


def _codes(values: pa.Array) -> np.ndarray:
    """Each value's number, in order of first appearance (a missing value is one too)."""
    return pc.dictionary_encode(values, null_encoding="encode").indices.to_numpy()


def per_course_tool(
    fit: CodedTable,
    mask: pd.Series | np.ndarray,
    *,
    distinct: tuple[str, ...] = (),
    by_course: bool = False,
) -> ArrayTable:
    """The flagged rows of :func:`~socialkit.analysis.tool_fit.tool_fit` (as a :class:`CodedTable`),
    one per (course, tool).

    Each row keeps its first activity's columns (``activity_id``, ``seq``, ...; the rows
    come in ``seq`` order), ``n`` (how many activities) and ``label``: the activity as
    :attr:`Table.label` writes it, or ``activities 'A1' ("Title"), 'A3' ("Other")`` for
    several (as :func:`~socialkit.analysis.unknown_tools.unknown_tool_uses` names them); the
    ``distinct`` columns hold their distinct values ``" or "``-joined. With ``by_course``,
    one row per course, its ``tool`` the distinct tools ``", "``-joined. Vectorised: the
    groups are numbered on integer codes and the lists joined by Arrow, for the groups
    of several rows only.
    """
    keep = ["course_id", "activity_id", "seq", "title", "organisation", "tool", "tool_type"]
    keep = list(dict.fromkeys([*keep, "direction", "blocked_domains", "alternative", *distinct]))
    flagged = np.flatnonzero(flags(mask))
    # the columns stay arrays, read as such by the sentences: the frame is built only
    # if someone asks for it (on one course, building frames was most of the cost)
    if not len(flagged):  # the common case in one course: no cost beyond the mask
        out = fit.taken(keep, flagged)
        out.update(n=np.empty(0, np.int64), label=out["title"])
        return ArrayTable(out, fit._course_ids, course=np.empty(0, np.int64))
    # number the groups on the flagged rows' codes, then take the columns only where they
    # are needed: every column at each group's first row, the names of the activities
    # (and the distinct values) at the rows of groups of several
    if by_course:
        tool = np.zeros(len(flagged), np.int64)
    else:
        tool = _codes(fit.at("tool", flagged)).astype(np.int64)
    key = fit.course[flagged].astype(np.int64) * (tool.max(initial=0) + 1) + tool
    group = pd.factorize(key)[0]  # numbered in order of first row
    _, first = np.unique(group, return_index=True)
    n = np.bincount(group, minlength=len(first))
    out = fit.taken(keep, rows := flagged[first])
    out["n"] = n
    label = join("activity '", fit.at("activity_id", rows), "' (\"", fit.at("title", rows), '")')
    several = n > 1
    if several.any():
        in_several = flagged[several[group]]
        group = group[several[group]]
        ids, titles = fit.at("activity_id", in_several), fit.at("title", in_several)
        item = join("'", ids, "' (\"", titles, '")')
        joined = join_groups(group, item, ", ", len(first))
        label = pc.if_else(several, join("activities ", joined), label)
        # a group of one keeps its own value, as it would joined on its own
        lists = [(name, " or ", True) for name in distinct]
        lists += [("tool", ", ", False)] if by_course else []
        for name, sep, drop_missing in lists:
            values, g = fit.at(name, in_several), group
            if drop_missing:
                present = ~values.is_null().to_numpy(zero_copy_only=False)
                values, g = values.filter(pa.array(present)), g[present]
            # each (group, value) once, at its first row (as drop_duplicates keeps it)
            code = _codes(values).astype(np.int64)
            pair = g.astype(np.int64) * (code.max(initial=0) + 1) + code
            once = np.sort(np.unique(pair, return_index=True)[1])
            joined = join_groups(g[once], values.take(pa.array(once)), sep, len(first))
            own = out[name] if isinstance(out[name], pa.Array) else column(out[name])
            out[name] = pc.if_else(several, joined, own)
    out["label"] = label
    return ArrayTable(out, fit._course_ids, course=fit.course[flagged[first]])


def join_groups(
    group: np.ndarray, values: pa.Array, sep: str, n_groups: int | None = None
) -> pa.Array:
    """Each group's values (in their order) joined with ``sep``; groups number 0 to
    ``n_groups - 1`` (a group without values gives a null)."""
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups or 0)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(order)))
    joined = pc.binary_join(lists, pa.scalar(sep, pa.large_string()))
    return pc.if_else(pa.array(counts > 0), joined, pa.nulls(len(counts), pa.large_string()))


def out_of_place(portfolio: Portfolio) -> pd.DataFrame:
    """The activities to move so that a course's phases run before → during → after.

    :func:`~socialkit.analysis.checks.sequence_check` flags every activity placed after one of a
    later phase, so one activity put too early (an after-class task first) flags all that
    follow it. Here, in each course it flags, the longest run of activities already in
    phase order stays (the earliest such run when several are as long) and only the
    others are named: one cause, one warning. Each comes with the first activity it
    conflicts with (``other_activity_id``, ``other_timing``), whether it comes ``after``
    or ``before`` that one, and how many ``more`` it conflicts with. Only the flagged
    courses are looked at, all at once (see :mod:`socialkit.analysis.phase_runs`).
    """
    columns, course = out_of_place_columns(portfolio)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(course)))


@functools.cache
def _no_moves(columns: tuple[str, ...]) -> dict[str, object]:
    """:func:`out_of_place_columns` without rows (a frame copies the arrays it is made of)."""
    # built from empty arrays: empty Series would first be aligned on their indexes
    empty = {c: pd.array([], dtype="str") for c in columns}
    empty["seq"], empty["more"] = np.empty(0, np.int64), np.empty(0, np.int64)
    return empty


def _text(values: pd.api.extensions.ExtensionArray) -> pd.api.extensions.ExtensionArray:
    """``values`` as a ``str`` array: itself when it is one already (converting it again
    costs as much as the take it comes from)."""
    return values if values.dtype == "str" else pd.array(values, dtype="str")


def out_of_place_columns(portfolio: Portfolio) -> tuple[dict[str, object], np.ndarray]:
    """:func:`out_of_place` as its columns' arrays (in its order), and each row's course
    position in ``portfolio.course_ids``: what an :class:`ArrayTable` of it is made of."""
    columns = ["course_id", "activity_id", "seq", "title", "timing", "other_activity_id"]
    columns += ["other_timing", "relation", "more"]
    a = portfolio.activities
    order = activity_order(portfolio)  # by course, then seq
    order = order[~a["timing"].array.isna()[order]]  # timing decided
    course = activity_courses(portfolio)[order]
    phase = isin_codes(a["timing"], ["before", "during", "after"])[order]
    # a course's phases are out of order exactly where one falls below the one before it
    same = course[1:] == course[:-1]
    falls = np.flatnonzero(same & (phase[1:] < phase[:-1]))
    if not len(falls):  # the common case: the columns without rows, made once
        return dict(_no_moves(tuple(columns))), np.empty(0, np.int64)
    wanted = np.isin(course, np.unique(course[falls + 1]))
    rows = order[wanted]
    moved = phase_moves(course[wanted], phase[wanted])
    k, j = rows[moved.row], rows[moved.other]
    # one take per column for both: taking rows of a column read in many chunks joins
    # its chunks first, so two takes would pay for that twice. The frame is made from
    # arrays in one go (frames of Series are aligned on their indexes first; assigning
    # and casting copy the blocks again): on one course, this is most of the cost
    n, both = len(k), np.r_[k, j]
    names = ("course_id", "activity_id", "title", "timing")
    taken = {c: _text(a[c].array.take(both)) for c in names}
    out = {c: taken[c][:n] for c in ("course_id", "activity_id")}
    out["seq"] = np.asarray(a["seq"].array.take(k), dtype=np.int64)
    out["title"], out["timing"] = (taken[c][:n] for c in ("title", "timing"))
    out["other_activity_id"] = taken["activity_id"][n:]
    out["other_timing"] = taken["timing"][n:]
    out["relation"] = pd.array(np.where(moved.after, "after", "before"), dtype="str")
    out["more"] = np.asarray(moved.more, dtype=np.int64)
    return {c: out[c] for c in columns}, activity_courses(portfolio)[k].astype(np.int64)
