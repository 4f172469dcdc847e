"""Sentences as Arrow string arrays: what the rules of :mod:`socialkit.analysis.rules` write.

Strings are joined by Arrow on the flagged rows only, which costs far less per call than
pandas string arithmetic on Arrow-backed columns.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["column", "in_prose", "join", "text"]

_STR = pa.large_string()


def column(values: pd.Series | np.ndarray | list) -> pa.Array:
    """Strings as an Arrow array of large strings; missing values become nulls."""
    if isinstance(values, pd.Series):  # its array: pyarrow would look its protocol up on
        values = values.array  # the Series, through pandas' slow attribute access
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):  # e.g. a column made by pd.concat
        array = array.combine_chunks()
    return array if array.type == _STR else array.cast(_STR)


def join(*parts: str | pa.Array) -> pa.Array:
    """Join strings row by row (constants repeat); a missing part makes the row missing.

    Examples
    --------
    >>> join("a", column(["x", None]), "!").to_pylist()
    ['ax!', None]
    """
    args = [pa.scalar(p, _STR) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", _STR))


def in_prose(values: pa.Array, sep: str = ";") -> pa.Array:
    """``sep``-separated lists as prose, row by row: ``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> in_prose(column(["a", "a;b", "a;b;c", None])).to_pylist()
    ['a', 'a and b', 'a, b and c', None]
    """
    s = re.escape(sep)
    last = pc.replace_substring_regex(values, f"{s}([^{s}]*)$", r" and \1")
    return pc.replace_substring(last, sep, ", ")


def text(values: pa.Array) -> pd.arrays.ArrowStringArray:
    """An Arrow string array as the values of a pandas ``str`` column."""
    return pd.array(values, dtype="str")
