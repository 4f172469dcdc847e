"""Membership tests sized to the column: the editor's one course and a whole portfolio.

:func:`socialkit.base.frames.isin` hashes a column's distinct values before looking them up,
which pays on a portfolio's long columns with few distinct values and costs more than
the look-up itself on the few rows of one course (a millisecond a call, many calls an
edit). :func:`isin` here picks the plain look-up for short columns; both give the same
answer.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from socialkit.base.frames import _SHORT
from socialkit.base.frames import isin as _isin_distinct

__all__ = ["equals", "isin"]


def isin(values: pd.Series, allowed: Iterable | pd.Series) -> pd.Series:
    """``values.isin(allowed)`` as a bool Series aligned with ``values``; missing values
    are never in ``allowed`` (as :func:`socialkit.base.frames.isin`)."""
    if len(values) > _SHORT:
        return _isin_distinct(values, allowed)
    if isinstance(values.dtype, pd.StringDtype):
        # a few strings: looked up in a Python set of the allowed strings (a value that
        # is not a string, missing ones included, matches no string), which costs less
        # than the Series, the dropna and the hash table of pandas' isin
        items = allowed.tolist() if isinstance(allowed, pd.Series) else list(allowed)
        wanted = {v for v in items if isinstance(v, str)}
        found = np.fromiter(
            (isinstance(v, str) and v in wanted for v in values.tolist()),
            dtype=bool,
            count=len(values),
        )
        return pd.Series(found, index=values.index)
    # without its missing values, ``allowed`` matches no missing value of ``values``
    allowed = pd.Series(list(allowed) if isinstance(allowed, (set, dict)) else allowed)
    allowed = allowed.dropna()
    if len(allowed) > _SHORT:
        # pandas' isin on Arrow strings makes a scalar of each allowed value in Python
        # (some 0.15 s for 20,000 course ids); a hash index of them costs milliseconds
        found = pd.Index(pd.unique(allowed)).get_indexer(values) >= 0
    else:
        found = values.isin(allowed).to_numpy(dtype=bool)
    return pd.Series(found, index=values.index)  # unnamed, as the other's result


def equals(values: pd.Series, word: str) -> np.ndarray:
    """Which values are ``word``, as a numpy array of booleans (missing values are not).

    On a few values, comparing Python strings costs less than a comparison of the
    column's array, which goes through Arrow and back.

    Examples
    --------
    >>> equals(pd.Series(["during", None, "after"], dtype="str"), "during").tolist()
    [True, False, False]
    """
    if len(values) > _SHORT:
        found = values.array == word
        if isinstance(found, np.ndarray):
            return found.astype(bool, copy=False)
        return found.to_numpy(dtype=bool, na_value=False)
    return np.fromiter(
        (isinstance(v, str) and v == word for v in values.tolist()), dtype=bool, count=len(values)
    )
