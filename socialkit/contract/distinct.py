"""Columns as codes into their distinct values.

A portfolio's columns are long (400,000 activities) but hold few distinct values, and
every column rule of the data contract looks at one cell at a time. Validation therefore
factorizes each column once (:class:`Distinct`) and does all per-cell work on the
distinct values: checking them (:mod:`socialkit.contract.column_rules`), trimming them,
normalising them, testing keys for repeats and references. Only the results are
spread back to the rows, with one ``take`` each. Factorizing a long Arrow string column
costs about as much as the whole rule that uses it, so doing it once instead of once per
use is most of the saving.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute
from pandas.api.extensions import ExtensionArray

__all__ = [
    "Distinct",
    "has_repeats",
    "pair_codes",
    "pairs_found",
]


@dataclass(frozen=True)
class Distinct:
    """One column as ``values.take(codes)`` on ``index``.

    Missing values are among ``values`` (as :func:`pandas.factorize` with
    ``use_na_sentinel=False`` keeps them), so every row has a code.

    Attributes
    ----------
    codes : numpy.ndarray
        For each row, the position of its value in ``values``.
    values : pandas.Series
        The distinct values, in order of first appearance, on a RangeIndex, in the
        column's dtype.
    index : pandas.Index
        The column's index (the row numbers the user sees).
    """

    codes: np.ndarray
    values: pd.Series
    index: pd.Index

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        """Factorize ``column``."""
        if (
            isinstance(column.dtype, pd.StringDtype)
            and column.dtype.storage == "pyarrow"
            and len(column)
        ):
            # what pandas.factorize does for an Arrow column, without widening the codes
            # to 64 bits (a copy of every row) and without its checks
            encoded = (
                column.array.__arrow_array__()
                .dictionary_encode(null_encoding="encode")
                .combine_chunks()
            )
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            values = pd.array(encoded.dictionary, dtype=column.dtype)
            return cls(codes, pd.Series(values), column.index)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        return cls(codes, pd.Series(uniques, dtype=column.dtype), column.index)

    def column(self) -> pd.Series:
        """The column itself."""
        return pd.Series(_take(self.values.array, self.codes), index=self.index)

    def missing(self) -> np.ndarray:
        """Whether each row's value is missing."""
        return self.values.isna().to_numpy(dtype=bool)[self.codes]

    def _results(self, func: Callable[[pd.Series], pd.Series]) -> tuple[ExtensionArray, np.ndarray]:
        """``func`` of the values that are not missing, with one missing result after
        them, and the position of each value's result there."""
        present = self.values.notna().to_numpy(dtype=bool)
        result = func(self.values[present].reset_index(drop=True))
        if result.dtype == bool:
            result = result.astype("boolean")
        done = int(present.sum())
        position = np.full(len(self.values), done, dtype=np.int32)
        position[present] = np.arange(done, dtype=np.int32)
        # the results, then a missing one (-1 with allow_fill) for the missing values
        slots = np.append(np.arange(done), -1)
        with_missing = result.array.take(slots, allow_fill=True)
        return with_missing, position

    def map(self, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
        """``func`` applied to the distinct values that are not missing, spread to the rows.

        As :func:`socialkit.base.frames.per_unique`: a missing value gives a missing result,
        and a boolean result becomes ``boolean`` so that it can hold the missing ones.
        """
        results, position = self._results(func)
        return pd.Series(_take(results, position[self.codes]), index=self.index)

    def map_changed(self, func: Callable[[pd.Series], pd.Series]) -> pd.Series | None:
        """:meth:`map` ``(func)``, or ``None`` when ``func`` gives every distinct value
        back as it is (a missing one stays missing), so that the column itself is the
        result and its rows need no new array."""
        results, position = self._results(func)
        if results.dtype == self.values.dtype and pd.Series(results.take(position)).equals(
            self.values
        ):
            return None
        return pd.Series(_take(results, position[self.codes]), index=self.index)

    def derive(self, func: Callable[[pd.Series], pd.Series]) -> Distinct:
        """The column of :meth:`map` ``(func)``, factorized (from the few distinct values)."""
        results, position = self._results(func)
        full = pd.Series(results.take(position))
        codes, uniques = pd.factorize(full, use_na_sentinel=False)
        return Distinct(codes[self.codes], pd.Series(uniques, dtype=full.dtype), self.index)

    def isin(self, allowed: pd.Series) -> pd.Series:
        """Whether each row's value is one of ``allowed``; a missing value never is."""
        index = pd.Index(pd.unique(allowed.dropna()))
        found = self.values.notna().to_numpy(dtype=bool) & (index.get_indexer(self.values) >= 0)
        return pd.Series(found[self.codes], index=self.index)

    def subset(self, keep: np.ndarray) -> Distinct:
        """The rows where the boolean array ``keep`` holds (``values`` unchanged)."""
        return Distinct(self.codes[keep], self.values, self.index[keep])

    def stripped(self) -> Distinct | None:
        """The column trimmed, a value of white space only (or empty) made missing, or
        ``None`` when no value needs it. Trimming can make two values one, so the
        trimmed values are factorized again (they are few)."""
        trimmed = self.values.str.strip()
        trimmed = trimmed.where(trimmed != "")
        changed = trimmed.ne(self.values) & self.values.notna()
        if not changed.any():
            return None
        codes, uniques = pd.factorize(trimmed, use_na_sentinel=False)
        return Distinct(codes[self.codes], pd.Series(uniques, dtype=self.values.dtype), self.index)


def _take(values: ExtensionArray, rows: np.ndarray) -> ExtensionArray:
    """``values.take(rows)``; for Arrow strings straight through Arrow with the rows' own
    integer width, which takes a long column from few values some 30% faster."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arrow = values.__arrow_array__()
        if isinstance(arrow, pyarrow.ChunkedArray):
            arrow = arrow.combine_chunks()
        return pd.array(pyarrow.compute.take(arrow, rows), dtype=values.dtype)
    return values.take(rows)


def pair_codes(*columns: Distinct) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row for the combination of the columns' values, and whether any
    of them is missing there (two rows have the same integer iff every value agrees)."""
    combined = np.zeros(len(columns[0].codes), dtype=np.int64)
    missing = np.zeros(len(columns[0].codes), dtype=bool)
    for col in columns:
        combined = combined * len(col.values) + col.codes
        missing |= col.missing()
    return combined, missing


def pairs_found(left: list[Distinct], right: list[Distinct]) -> np.ndarray:
    """Whether each row of the ``left`` columns occurs as a row of the ``right`` ones
    (the same columns of another table); a row with a missing value is never found."""
    left_key, left_missing = pair_codes(*left)
    # the right table's values as positions among the left's (-1: no left row has it)
    in_left = [
        Distinct(
            np.where(r.missing(), -1, pd.Index(lc.values).get_indexer(r.values)[r.codes]),
            lc.values,
            r.index,
        )
        for lc, r in zip(left, right, strict=True)
    ]
    right_key = np.zeros(len(right[0].codes), dtype=np.int64)
    absent = np.zeros(len(right[0].codes), dtype=bool)
    for col in in_left:
        right_key = right_key * len(col.values) + col.codes
        absent |= col.codes < 0
    right_key = right_key[~absent]
    if _dense(in_left, len(left_key)):
        table = np.zeros(math.prod(len(col.values) for col in in_left), dtype=bool)
        table[right_key] = True
        found = table[left_key]
    else:
        found = pd.Series(left_key).isin(pd.unique(right_key)).to_numpy()
    return found & ~left_missing


def _dense(columns: list[Distinct], rows: int) -> bool:
    """Whether the combinations of ``columns``' values are few enough, next to ``rows``,
    to count them in an array indexed by combination (cheaper than hashing the rows)."""
    return math.prod(len(col.values) for col in columns) <= 4 * rows + 1024


def has_repeats(*columns: Distinct) -> bool:
    """Whether two rows without a missing value share their values in ``columns`` (a
    row repeating an earlier row's key, as :func:`socialkit.contract.issues.duplicate_issues`
    reports)."""
    combined, missing = pair_codes(*columns)
    keys = combined[~missing]
    if not len(keys):
        return False
    if _dense(list(columns), len(keys)):
        return bool(np.bincount(keys).max() > 1)
    return len(pd.unique(keys)) < len(keys)
