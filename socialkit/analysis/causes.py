"""Where one cause of a warning is found once, however many rows it touches.

A course without objectives, a tool of a course (blocked, unknown, missing at the
organisation), the activities to move so that a course's phases run in order: each is
one cause, and :mod:`socialkit.analysis.advice` gives it one warning. These helpers find them,
vectorised over the portfolio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialkit.analysis.phase_runs import phase_moves
from socialkit.analysis.positions import activity_courses, activity_order
from socialkit.analysis.rules import Table, column, join, text
from socialkit.analysis.tool_use import uses_tool
from socialkit.base.frames import isin_codes
from socialkit.base.lookup import isin
from socialkit.contract.schema import Portfolio

__all__ = ["join_groups", "no_objective", "out_of_place", "per_course_tool"]


def no_objective(
    portfolio: Portfolio, activities: Table, uses: pd.Series | None = None
) -> tuple[np.ndarray, dict[str, str]]:
    """Courses with no objective: the mask over the courses, and the tools chosen in each
    that chooses any, ``", "``-joined in order of first use. ``uses`` is
    :func:`~socialkit.analysis.tool_use.uses_tool` of the activities, when the caller has it."""
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    no_obj = ~isin(c["course_id"], o["course_id"]).to_numpy()
    if not no_obj.any():
        return no_obj, {}
    if uses is None:
        uses = uses_tool(a)
    in_course = no_obj[activities.course] & uses.to_numpy(dtype=bool, na_value=False)
    chosen = a.loc[in_course, ["course_id", "tool"]]
    tools = chosen.drop_duplicates().groupby("course_id", sort=False)["tool"].agg(", ".join)
    return no_obj, tools.to_dict()


#: per_course_tool's result without rows, per (column, dtype) pairs of the rows taken.
_EMPTY_GROUPS: dict[tuple, pd.DataFrame] = {}


def per_course_tool(
    fit: Table,
    mask: pd.Series | np.ndarray,
    *,
    distinct: tuple[str, ...] = (),
    by_course: bool = False,
) -> Table:
    """The flagged rows of :func:`~socialkit.analysis.tool_fit.tool_fit` (as a :class:`Table`), one
    per
    (course, tool).

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
    keep += ["direction", "blocked_domains", "alternative", *distinct]
    if isinstance(mask, pd.Series):
        mask = mask.to_numpy(dtype=bool, na_value=False)
    flagged = np.asarray(mask, dtype=bool)
    if not flagged.any():  # the common case in one course: no cost beyond the mask
        empty = fit.rows_frame(list(dict.fromkeys(keep)), np.empty(0, np.int64))
        key = tuple(empty.dtypes.items())
        found = _EMPTY_GROUPS.get(key)
        if found is None:
            found = _EMPTY_GROUPS[key] = empty.assign(n=np.empty(0, np.int64), label=empty["title"])
        return Table(found.copy(), fit._course_ids)
    # number the groups on the flagged rows' codes, then take the columns only where they
    # are needed: every column at each group's first row, the names of the activities
    # (and the distinct values) at the rows of groups of several
    flagged = np.flatnonzero(flagged)
    if by_course:
        tool = np.zeros(len(flagged), np.int64)
    else:
        tool = pd.factorize(fit.rows_frame(["tool"], flagged)["tool"])[0]
    key = fit.course[flagged].astype(np.int64) * (tool.max(initial=0) + 1) + tool
    group = pd.factorize(key)[0]  # numbered in order of first row
    _, first = np.unique(group, return_index=True)
    n = np.bincount(group, minlength=len(first))
    out = fit.rows_frame(list(dict.fromkeys(keep)), flagged[first])
    out["n"] = n
    course = fit.course[flagged[first]]
    label = Table(out, fit._course_ids, course=course).label
    several = n > 1
    if several.any():
        in_several = several[group]
        names = list(dict.fromkeys(["activity_id", "title", "tool", *distinct]))
        many = fit.rows_frame(names, flagged[in_several])
        group = group[in_several]
        item = join("'", column(many["activity_id"]), "' (\"", column(many["title"]), '")')
        joined = join_groups(group, item, ", ", len(first))
        label = pc.if_else(several, join("activities ", joined), label)
        # a group of one keeps its own value, as it would joined on its own
        lists = [(name, " or ", True) for name in distinct]
        lists += [("tool", ", ", False)] if by_course else []
        for name, sep, drop_missing in lists:
            values = many[[name]].assign(_g=group)
            values = (values.dropna() if drop_missing else values).drop_duplicates()
            joined = join_groups(values["_g"].to_numpy(), column(values[name]), sep, len(first))
            out[name] = text(pc.if_else(several, joined, column(out[name])))
    out["label"] = text(label)
    return Table(out, fit._course_ids, course=course)


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
    columns = ["course_id", "activity_id", "seq", "title", "timing", "other_activity_id"]
    columns += ["other_timing", "relation", "more"]
    a = portfolio.activities
    order = activity_order(portfolio)  # by course, then seq
    order = order[a["timing"].notna().to_numpy(dtype=bool)[order]]  # timing decided
    course = activity_courses(portfolio)[order]
    phase = isin_codes(a["timing"], ["before", "during", "after"])[order]
    # a course's phases are out of order exactly where one falls below the one before it
    same = course[1:] == course[:-1]
    falls = np.flatnonzero(same & (phase[1:] < phase[:-1]))
    if not len(falls):
        # built from empty arrays: empty Series would first be aligned on their indexes
        empty = {c: pd.array([], dtype="str") for c in columns}
        empty["seq"], empty["more"] = np.empty(0, np.int64), np.empty(0, np.int64)
        return pd.DataFrame(empty, index=pd.RangeIndex(0))
    wanted = np.isin(course, np.unique(course[falls + 1]))
    rows = order[wanted]
    moved = phase_moves(course[wanted], phase[wanted])
    k, j = rows[moved.row], rows[moved.other]
    # one take per column for both: taking rows of a column read in many chunks joins
    # its chunks first, so two takes would pay for that twice. The frame is made from
    # arrays in one go (frames of Series are aligned on their indexes first; assigning
    # and casting copy the blocks again): on one course, this is most of the cost
    n, both = len(k), np.r_[k, j]
    taken = {c: a[c].array.take(both) for c in ("course_id", "activity_id", "title", "timing")}
    out = {c: pd.array(taken[c][:n], dtype="str") for c in ("course_id", "activity_id")}
    out["seq"] = np.asarray(a["seq"].array.take(k), dtype=np.int64)
    out["title"], out["timing"] = (pd.array(taken[c][:n], dtype="str") for c in ("title", "timing"))
    out["other_activity_id"] = pd.array(taken["activity_id"][n:], dtype="str")
    out["other_timing"] = pd.array(taken["timing"][n:], dtype="str")
    out["relation"] = pd.array(np.where(moved.after, "after", "before"), dtype="str")
    out["more"] = np.asarray(moved.more, dtype=np.int64)
    return pd.DataFrame(out, index=pd.RangeIndex(n), columns=columns)
