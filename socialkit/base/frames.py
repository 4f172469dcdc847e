"""Small vectorised helpers that keep whole-portfolio work fast on long string columns.

Also the per-portfolio memory: analyses are computed once per (immutable) portfolio
object, and :class:`RowIndex` finds the rows of one course of such a result without
scanning the whole frame, so that per-course views of a large portfolio stay cheap.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "RowIndex",
    "cached",
    "column_values",
    "factorize_rows",
    "factorized",
    "first_rows",
    "in_course_order",
    "isin",
    "isin_codes",
    "memoized",
    "pairs_isin",
    "per_combination",
    "per_identity",
    "per_unique",
    "take_objects",
    "take_values",
    "text_codes",
    "text_rows",
]


#: Columns from this long on are factorized once per Arrow array (see :func:`factorized`).
_REMEMBERED = 10_000
#: id of an Arrow array -> (a weak reference to it, its codes, its distinct values).
_FACTORIZED: dict[int, tuple[weakref.ref, np.ndarray, pd.Index]] = {}


def factorized(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize(values)``, worked out once per column of Arrow strings.

    The analyses of one portfolio factorize the same long columns (course, tool,
    organisation ...) again and again, each time some 10 ms on 400,000 activities. An
    Arrow array never changes, and shallow copies, column selections and
    ``reset_index`` of a frame keep its columns' Arrow arrays, so the codes of a long
    Arrow-backed column are remembered for as long as its array lives. Other columns
    (and short ones) are factorized as usual.

    Returns
    -------
    codes : numpy.ndarray
        Each row's position among ``uniques``, -1 where missing (read-only when
        remembered: callers share it).
    uniques : pandas.Index
        The distinct values that are not missing, in order of first appearance.
    """
    if len(values) < _REMEMBERED or not isinstance(values.dtype, pd.StringDtype):
        return pd.factorize(values)
    arrow = values.array.__arrow_array__() if values.dtype.storage == "pyarrow" else None
    if arrow is None:
        return pd.factorize(values)
    key = id(arrow)
    known = _FACTORIZED.get(key)
    if known is not None and known[0]() is arrow:
        return known[1], known[2]
    codes, uniques = pd.factorize(values)
    codes.flags.writeable = False

    def forget(_: weakref.ref, key: int = key) -> None:
        _FACTORIZED.pop(key, None)

    _FACTORIZED[key] = (weakref.ref(arrow, forget), codes, uniques)
    return codes, uniques


def per_unique(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a vectorised ``func`` to the distinct values only, then spread the result.

    Parameters
    ----------
    values : pandas.Series
        Any column; long columns with few distinct values gain the most.
    func : callable
        Takes and returns a Series aligned with its input.

    Returns
    -------
    pandas.Series
        ``func(values)``, aligned with ``values``; missing values give a missing result.
    """
    codes, uniques = factorized(values)
    result = func(pd.Series(uniques, dtype=values.dtype))
    if result.dtype == bool:
        result = result.astype("boolean")  # so that missing inputs can stay missing
    return pd.Series(result.array.take(codes, allow_fill=True), index=values.index)


def isin(values: pd.Series, allowed: Iterable | pd.Series) -> pd.Series:
    """``values.isin(allowed)`` through a hash index, much faster on Arrow strings.

    Missing values are never in ``allowed``.
    """
    values_allowed = pd.Series(list(allowed) if isinstance(allowed, set) else allowed)
    index = pd.Index(pd.unique(values_allowed.dropna()))
    found = per_unique(values, lambda u: pd.Series(index.get_indexer(u) >= 0))
    return found.fillna(False).astype(bool)


#: Columns up to this long are looked up directly, not through their distinct values.
_SHORT = 500


def isin_codes(values: pd.Series, allowed: pd.Series | list) -> np.ndarray:
    """Position of each value in ``allowed`` (distinct values), -1 where absent."""
    if len(values) <= _SHORT and isinstance(values.dtype, pd.StringDtype):
        # a few strings (one course's activities, a vocabulary): looked up in a dict, which
        # costs far less than building an index of Arrow strings and asking it
        wanted = allowed.tolist() if isinstance(allowed, pd.Series) else list(allowed)
        position = {v: i for i, v in enumerate(wanted)}
        if len(position) == len(wanted) and all(isinstance(v, str) for v in wanted):
            return np.array([position.get(v, -1) for v in values.tolist()], dtype=np.int64)
    index = pd.Index(allowed)
    if len(values) <= _SHORT:  # hashing the distinct values first only pays on long columns
        return index.get_indexer(values).astype("int64", copy=False)
    codes = per_unique(values, lambda u: pd.Series(index.get_indexer(u), dtype="Int64"))
    return codes.fillna(-1).to_numpy(dtype="int64")


def in_course_order(
    frame: pd.DataFrame, course_ids: pd.Series | list[str], by: list[str]
) -> pd.DataFrame:
    """Sort rows by their course's position in ``course_ids``, then by ``by`` (stable)."""
    ordered = frame.assign(_course=isin_codes(frame["course_id"], course_ids)).sort_values(
        ["_course", *by], kind="stable", na_position="first"
    )
    return ordered.drop(columns="_course").reset_index(drop=True)


def pairs_isin(left: pd.DataFrame, right: pd.DataFrame) -> pd.Series:
    """Whether each row of ``left`` (two or more key columns) occurs as a row of ``right``.

    Rows with a missing key are never found.
    """
    found = pd.MultiIndex.from_frame(left).isin(pd.MultiIndex.from_frame(right.dropna()))
    return pd.Series(found & left.notna().all(axis=1).to_numpy(), index=left.index)


def factorize_rows(
    frame: pd.DataFrame, columns: list[str] | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Number the distinct rows of ``frame`` (of its ``columns`` only, when given);
    missing values form their own key.

    Returns
    -------
    codes : numpy.ndarray
        For each row, the number of its distinct row (0, 1, … in order of first
        appearance).
    distinct : pandas.DataFrame
        The distinct rows, one per number, on a fresh RangeIndex (with ``columns``: those
        columns, in that order).

    Examples
    --------
    >>> codes, distinct = factorize_rows(pd.DataFrame({"a": ["x", "y", "x"], "b": [1, 2, 1]}))
    >>> codes.tolist(), distinct["a"].tolist()
    ([0, 1, 0], ['x', 'y'])
    >>> factorize_rows(pd.DataFrame({"a": ["x", "y"], "b": [1, 1]}), ["b"])[1]["b"].tolist()
    [1]
    """
    if columns and len(frame) > 1:
        # the columns are read one by one and the distinct rows taken column by column:
        # selecting the columns first copies the frame's blocks, and taking rows of a
        # frame copies them again (most of the cost on one course's rows)
        codes, first = _distinct_rows([frame[c] for c in columns], len(frame))
        taken = {c: frame[c].array.take(first) for c in columns}
        return codes, pd.DataFrame(taken, index=pd.RangeIndex(len(first)))
    if columns is not None:
        frame = frame[columns]
    if len(frame) <= 1:  # one row or none (one activity's view): nothing to factorize
        codes = np.zeros(len(frame), dtype=np.intp)
        return codes, frame.iloc[np.arange(len(frame))].reset_index(drop=True)
    codes, first = _distinct_rows([frame[c] for c in frame.columns], len(frame))
    return codes, frame.iloc[first].reset_index(drop=True)


def text_codes(columns: list[pd.Series]) -> np.ndarray | None:
    """Each row's number among the distinct rows of a few short ``str`` columns (0, 1, …
    in order of first appearance; missing values form their own key), or None when the
    columns are long or not all ``str``.

    A few dozen rows (one course's activities) are numbered in a dict of tuples: that
    costs less than factorizing each column with pandas, then their combination.

    Examples
    --------
    >>> left = pd.Series(["x", None, "x"], dtype="str")
    >>> text_codes([left, pd.Series(["a", "b", "a"], dtype="str")]).tolist()
    [0, 1, 0]
    >>> text_codes([pd.Series([1, 2])]) is None
    True
    """
    found = text_rows(columns)
    return None if found is None else found[0]


def text_rows(columns: list[pd.Series]) -> tuple[np.ndarray, list[tuple]] | None:
    """:func:`text_codes`, and the distinct rows themselves (missing values as None), in
    the order of their numbers; None when the columns are long or not all ``str``.

    Examples
    --------
    >>> codes, rows = text_rows([pd.Series(["x", None, "x"], dtype="str")])
    >>> codes.tolist(), rows
    ([0, 1, 0], [('x',), (None,)])
    """
    if not columns or len(columns[0]) > _SHORT:
        return None
    if not all(isinstance(c.dtype, pd.StringDtype) for c in columns):
        return None
    values = [[v if isinstance(v, str) else None for v in c.tolist()] for c in columns]
    number: dict[tuple, int] = {}
    found = (number.setdefault(row, len(number)) for row in zip(*values, strict=True))
    codes = np.fromiter(found, dtype=np.intp, count=len(columns[0]))
    return codes, list(number)


def first_rows(codes: np.ndarray, n_distinct: int | None = None) -> np.ndarray:
    """Each number's first row in ``codes`` (numbers 0 to ``n_distinct - 1``, all present).

    Examples
    --------
    >>> first_rows(np.array([0, 1, 0, 2])).tolist()
    [0, 1, 3]
    """
    n_distinct = int(codes.max(initial=-1)) + 1 if n_distinct is None else n_distinct
    first = np.empty(n_distinct, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return first


def _distinct_rows(columns: list[pd.Series], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each of the ``n`` rows' number among the distinct rows of ``columns`` (in order of
    first appearance), and each distinct row's first row."""
    short = text_codes(columns)
    if short is not None:
        return short, first_rows(short)
    combined = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, uniques = factorized(col)  # missing: -1, so code + 1 >= 0
        combined = combined * (len(uniques) + 1) + (codes + 1)
    codes, distinct = pd.factorize(combined)
    first = np.empty(len(distinct), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(combined))[::-1]
    return codes, first


def column_values(column: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A column's values: its extension array, or its NumPy array."""
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return column.array
    return column.to_numpy()


def take_values(
    column: pd.Series | pd.api.extensions.ExtensionArray | np.ndarray, rows: np.ndarray
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A column's (or its :func:`column_values`') values at ``rows``, keeping its dtype:
    taking from the array spares building a Series (most of the cost of a few rows)."""
    return (column_values(column) if isinstance(column, pd.Series) else column).take(rows)


def take_objects(column: pd.Series | np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A column's values at ``rows`` as objects (missing as NaN, as ``to_numpy`` gives)."""
    taken = take_values(column, rows)
    if isinstance(taken, np.ndarray):
        return taken.astype(object)
    return taken.to_numpy(dtype=object)


def per_combination(
    frame: pd.DataFrame, func: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """Apply ``func`` to the distinct rows of ``frame`` only, then spread the result.

    Design columns (organisation, tool, tool type, direction…) combine into few distinct
    rows, so lookups and merges done per combination cost almost nothing per activity.

    Parameters
    ----------
    frame : pandas.DataFrame
        The key columns; missing values form their own key.
    func : callable
        Takes the distinct rows (a fresh RangeIndex) and returns a frame with one row each.

    Returns
    -------
    pandas.DataFrame
        ``func``'s columns, one row per row of ``frame``, on ``frame``'s index.
    """
    codes, distinct = factorize_rows(frame)
    return func(distinct).take(codes).set_axis(frame.index)


def memoized(func: Callable[[Any], pd.DataFrame]) -> Callable[[Any], pd.DataFrame]:
    """Remember a one-argument analysis per portfolio object.

    A :class:`~socialkit.contract.schema.Portfolio` is immutable, so the same object always gives
    the same answer; analyses that build on each other then share the work. Each call
    returns a shallow copy (copy-on-write), so a caller that changes it changes nothing
    that others see. Entries go when the portfolio is garbage-collected.
    """
    cache: weakref.WeakKeyDictionary[Any, pd.DataFrame] = weakref.WeakKeyDictionary()

    @functools.wraps(func)
    def wrapper(portfolio: Any) -> pd.DataFrame:
        result = cache.get(portfolio)
        if result is None:
            result = cache[portfolio] = func(portfolio)
        return result.copy(deep=False)

    return wrapper


_T = TypeVar("_T")


def cached(func: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """Remember a one-argument helper's result per portfolio object, returned as it is.

    For read-only values (a :class:`RowIndex`, a lookup array) that no caller changes;
    a DataFrame handed to callers goes through :func:`memoized`, which returns a copy.
    Entries go when the portfolio is garbage-collected.
    """
    cache: weakref.WeakKeyDictionary[Any, _T] = weakref.WeakKeyDictionary()

    @functools.wraps(func)
    def wrapper(portfolio: Any) -> _T:
        try:
            return cache[portfolio]
        except KeyError:
            result = cache[portfolio] = func(portfolio)
            return result

    return wrapper


def per_identity(func: Callable[..., _T]) -> Callable[..., _T]:
    """Remember ``func(*frames)`` per identity of its arguments (DataFrames treated as immutable).

    DataFrames cannot key a weak dictionary (they are not hashable), so the entry is
    keyed on the arguments' ids, checked against weak references to them on every
    lookup (an id may be reused once its object is gone), and dropped when any argument
    is garbage-collected. The remembered value must not refer to the arguments
    themselves (it would keep them alive): it should hold derived data or weak
    references only.
    """
    cache: dict[tuple[int, ...], tuple[tuple[weakref.ref, ...], _T]] = {}

    @functools.wraps(func)
    def wrapper(*frames: Any) -> _T:
        key = tuple(map(id, frames))
        entry = cache.get(key)
        if entry is not None and all(r() is f for r, f in zip(entry[0], frames, strict=True)):
            return entry[1]
        value = func(*frames)

        def drop(ref: weakref.ref) -> None:
            found = cache.get(key)
            if found is not None and any(r is ref for r in found[0]):
                del cache[key]

        cache[key] = (tuple(weakref.ref(f, drop) for f in frames), value)
        return value

    wrapper.cache = cache  # type: ignore[attr-defined]
    return wrapper


class RowIndex:
    """Where the rows of each key are, so that picking one key's rows does not scan them all.

    Built once per frame in O(rows); :meth:`positions` and :meth:`take` then cost
    O(rows of the key). Typical use: the rows of one course in a whole-portfolio result.

    Parameters
    ----------
    keys : pandas.Series
        The key of each row (for example ``course_id``); missing keys are never found.

    Examples
    --------
    >>> index = RowIndex(pd.Series(["b", "a", "b", None]))
    >>> index.positions("b").tolist()
    [0, 2]
    >>> index.positions("z").tolist()
    []
    """

    def __init__(self, keys: pd.Series) -> None:
        codes, uniques = pd.factorize(keys)
        self._order = np.argsort(codes, kind="stable")  # each key's rows, in row order
        # missing keys (code -1) sort first; key i's rows are _order[_bounds[i]:_bounds[i + 1]]
        self._bounds = np.searchsorted(codes[self._order], np.arange(len(uniques) + 1))
        self._code = dict(zip(uniques.tolist(), range(len(uniques)), strict=True))

    def __contains__(self, key: Hashable) -> bool:
        return key in self._code

    def positions(self, key: Hashable) -> np.ndarray:
        """Positions (0-based) of the rows whose key is ``key``, in row order; empty if none."""
        code = self._code.get(key)
        if code is None:
            return self._order[:0]
        return self._order[self._bounds[code] : self._bounds[code + 1]]

    def take(self, frame: pd.DataFrame, key: Hashable) -> pd.DataFrame:
        """The rows of ``frame`` (the frame the index was built on) whose key is ``key``.

        Rows keep their order and their index labels; a run of adjacent rows is sliced,
        not copied.
        """
        pos = self.positions(key)
        if len(pos) and pos[-1] - pos[0] == len(pos) - 1:
            return frame.iloc[pos[0] : pos[-1] + 1]
        return frame.iloc[pos]
