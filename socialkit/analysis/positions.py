"""Where each activity stands and what it combines, worked out once per portfolio.

Several analyses sort or group the activities by their course's place in
:attr:`~socialkit.contract.schema.Portfolio.course_ids`, or work once per (organisation,
tool_type, direction, timing) combination; finding either means hashing string columns
of the whole activities table, which on a long table costs more than the work done with
them. Each is found once per portfolio object, here, as integer numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.catalog import KEYS
from socialkit.analysis.tool_use import named_tools
from socialkit.base.frames import cached, factorize_rows, factorized, first_rows, text_rows
from socialkit.contract.schema import Portfolio

#: Up to this many values in an index this long are looked up in a dict (one course).
_FEW = 500

__all__ = [
    "activity_courses",
    "activity_order",
    "combinations",
    "course_index",
    "fit_rows",
    "positions",
]


def positions(values: pd.Series, index: pd.Index | list) -> np.ndarray:
    """Each value's position in ``index`` (distinct values), -1 where absent or missing.

    As :func:`~socialkit.base.frames.isin_codes`, with less overhead: the distinct values
    are looked up, then their positions spread with numpy.
    """
    if len(values) <= _FEW and len(index) <= _FEW and isinstance(values.dtype, pd.StringDtype):
        # a few values in a few: looked up in a dict, which costs less than factorizing
        # the values and asking the index's hash table
        where = {v: i for i, v in enumerate(list(index))}
        if len(where) == len(index):
            found = (where.get(v, -1) if isinstance(v, str) else -1 for v in values.tolist())
            return np.fromiter(found, dtype=np.int64, count=len(values))
    codes, uniques = factorized(values)  # missing: -1
    # an index is used as it is: a copy (pd.Index(index)) would build its hash table again
    index = index if isinstance(index, pd.Index) else pd.Index(index)
    found = np.append(index.get_indexer(uniques), -1)  # code -1 (missing) finds -1
    return found[codes].astype(np.int64)


@cached
def course_index(portfolio: Portfolio) -> pd.Index:
    """``portfolio.course_ids`` as an index: looking course ids up in it builds its hash
    table once, where a list would be hashed again on every lookup."""
    return pd.Index(portfolio.course_ids)


@cached
def activity_courses(portfolio: Portfolio) -> np.ndarray:
    """Each activity's course position in ``portfolio.course_ids`` (-1 if absent), read-only."""
    course = positions(portfolio.activities["course_id"], course_index(portfolio))
    course.flags.writeable = False  # shared by every caller
    return course


@cached
def activity_order(portfolio: Portfolio) -> np.ndarray:
    """The activities' rows in course order, then ``seq`` (read-only): sorting a subset of
    them so is keeping this order's rows of the subset."""
    a = portfolio.activities
    order = np.lexsort((a["seq"].to_numpy(), activity_courses(portfolio)))
    order.flags.writeable = False  # shared by every caller
    return order


@cached
def combinations(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """Each activity's (organisation, tool_type, direction, timing) number, and the
    distinct ones (see :func:`~socialkit.base.frames.factorize_rows`)."""
    a = portfolio.activities
    columns = [a[c] for c in KEYS]
    found = text_rows(columns)
    if found is None:  # a long table (a portfolio), or columns that are not all str
        return factorize_rows(a, KEYS)
    # one course: the editor's views of it mostly have the same combinations (most
    # edits change none of these four columns), so the frame of the distinct ones is
    # made once per set of them, and shared (read-only)
    codes, rows = found
    key = (tuple(rows), tuple(c.dtype for c in columns))
    distinct = _DISTINCT.get(key)
    if distinct is None:
        first = first_rows(codes, len(rows))
        taken = {c: column.array.take(first) for c, column in zip(KEYS, columns, strict=True)}
        distinct = pd.DataFrame(taken, index=pd.RangeIndex(len(first)))
        if len(_DISTINCT) >= _DISTINCT_KEPT:
            del _DISTINCT[next(iter(_DISTINCT))]  # the oldest
        _DISTINCT[key] = distinct
    return codes, distinct


#: The frames of distinct combinations :func:`combinations` made of one course's rows, by
#: those combinations and the columns' dtypes; at most :data:`_DISTINCT_KEPT` of them.
_DISTINCT: dict[tuple, pd.DataFrame] = {}
_DISTINCT_KEPT = 64


@cached
def fit_rows(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """The activities :func:`~socialkit.analysis.tool_fit.tool_fit` has a row for (those naming a
    tool), in its order (course order, then ``seq``), and their course positions
    (read-only arrays)."""
    named = named_tools(portfolio)
    order = activity_order(portfolio)
    rows = order[named[order]]
    course = activity_courses(portfolio)[rows]
    rows.flags.writeable = course.flags.writeable = False  # shared by every caller
    return rows, course
