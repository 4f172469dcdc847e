"""Small vectorised helpers that keep whole-portfolio work fast on long string columns."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "in_course_order",
    "isin",
    "isin_codes",
    "memoized",
    "pairs_isin",
    "per_combination",
    "per_unique",
]


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
    codes, uniques = pd.factorize(values)
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


def isin_codes(values: pd.Series, allowed: pd.Series | list) -> np.ndarray:
    """Position of each value in ``allowed`` (distinct values), -1 where absent."""
    index = pd.Index(allowed)
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
    combined = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    codes, distinct = pd.factorize(combined)
    first = np.empty(len(distinct), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(frame))[::-1]
    result = func(frame.iloc[first].reset_index(drop=True))
    return result.take(codes).set_axis(frame.index)


def memoized(func: Callable[[Any], pd.DataFrame]) -> Callable[[Any], pd.DataFrame]:
    """Remember a one-argument analysis per portfolio object.

    A :class:`~socialkit.schema.Portfolio` is immutable, so the same object always gives
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
