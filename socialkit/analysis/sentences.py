"""Sentences as Arrow string arrays: what the rules of :mod:`socialkit.analysis.rules` write.

Strings are joined by Arrow on the flagged rows only, which costs far less per call than
pandas string arithmetic on Arrow-backed columns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from socialkit.analysis.rules import Flagged

__all__ = ["column", "in_prose", "join", "phase_clash", "serves_needs", "text"]

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


# --------------------------------------------------------------------------- warnings
def phase_clash(d: Flagged) -> pa.Array:
    """``activity 'A1' (after class) comes before activity 'A2' (before class)``, and how
    many more activities it clashes with."""
    more = d.table.values("more")[d.rows].tolist()
    later = (d.table.values("relation")[d.rows] == "after").tolist()
    others = pa.array(
        [
            f" and {m} more of {'a later' if lt else 'an earlier'} phase" if m else ""
            for m, lt in zip(more, later, strict=True)
        ],
        type=pa.large_string(),
    )
    return join(
        "activity '",
        d["activity_id"],
        "' (",
        d["timing"],
        " class) comes ",
        d["relation"],
        " activity '",
        d["other_activity_id"],
        "' (",
        d["other_timing"],
        " class)",
        others,
    )


def serves_needs(d: Flagged) -> pa.Array:
    """``community and many-to-many`` for one activity, ``what they need`` for several."""
    direction = pc.fill_null(d["direction"], pa.scalar("any direction", pa.large_string()))
    one = join(d["tool_type"], " and ", direction)
    several = pa.array(d.table.values("n")[d.rows] > 1)
    return pc.if_else(several, pa.scalar("what these activities need", pa.large_string()), one)
