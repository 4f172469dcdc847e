"""JSON text of whole columns, written by Arrow: what ``check --json`` is made of.

``json.dumps`` of tens of thousands of records, or even a Python ``%`` template per
row, spends most of its time in the interpreter, one value at a time. Here a column of
strings becomes a column of JSON strings in a few Arrow kernels (backslashes and quotes
escaped on every row at once; the rare value with a character that needs a ``\\u``
escape goes through :func:`json.dumps`'s own encoder), and rows are put together from
such columns and constant pieces the same way. The text is exactly what
:func:`json.dumps` writes (``", "`` and ``": "`` separators).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "arrow_strings",
    "concat",
    "join_text",
    "joined_runs",
    "json_numbers",
    "json_strings",
    "pieces",
    "separators",
    "utf8_bytes",
]

_STR = pa.large_string()


def arrow_strings(values: pd.Series) -> pa.Array | None:
    """A text column as an Arrow array of large strings, or None if it is not one.

    Only columns pandas already keeps in Arrow qualify (the ``str`` dtype with the
    ``pyarrow`` storage): their values are valid UTF-8, so no lone surrogate can be
    among them.
    """
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if array.type == _STR else array.cast(_STR)


def _utf8(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a large-string array, and where each value starts in them
    (``len(values) + 1`` offsets, the first 0); views, nothing is copied."""
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    if data_buffer is None:
        return np.empty(0, dtype=np.uint8), offsets - offsets[0]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data, offsets - offsets[0]


def json_strings(values: pa.Array, encode: Callable[[str], str], *, ascii_only: bool) -> pa.Array:
    """Each string as its JSON text (quoted, escaped), a missing value as ``null``.

    Parameters
    ----------
    values : pyarrow.Array
        Large strings.
    encode : callable
        :func:`json.dumps`'s string encoder of the same ``ascii_only``, for the values
        with a character that needs more than a backslash before it.
    ascii_only : bool
        Whether non-ASCII characters are written as ``\\u`` escapes.
    """
    if not len(values):
        return values
    # a look at the raw bytes says which escapes are needed at all (a UTF-8 byte below
    # 0x80 is always that ASCII character); an Arrow kernel would read every value
    data, offsets = _utf8(values)
    escaped = values
    if (data == ord("\\")).any():
        escaped = pc.replace_substring(escaped, "\\", "\\\\")
    if (data == ord('"')).any():
        escaped = pc.replace_substring(escaped, '"', '\\"')
    quoted = pieces('"', escaped, '"')  # a missing value stays missing
    odd = (data < 0x20) | (data > 0x7E) if ascii_only else data < 0x20
    odd_bytes = np.flatnonzero(odd)
    if len(odd_bytes):  # few values, usually none: the encoder json.dumps itself uses
        rows = np.unique(np.searchsorted(offsets, odd_bytes, side="right") - 1)
        fixed = pa.array([encode(v) for v in values.take(rows).to_pylist()], _STR)
        index = np.arange(len(values))
        index[rows] = len(values) + np.arange(len(rows))
        quoted = pa.concat_arrays([quoted, fixed]).take(index)
    return pc.fill_null(quoted, pa.scalar("null", _STR))


def json_numbers(values: Sequence[str] | np.ndarray) -> pa.Array:
    """Numbers as JSON text: int64 arrays through Arrow's cast (plain decimal, as
    ``json.dumps`` writes an int), or texts already written, as they are."""
    if isinstance(values, np.ndarray) and values.dtype == np.int64:
        return pc.cast(pa.array(values), _STR)
    return pa.array(values, _STR)


def pieces(*parts: str | pa.Array) -> pa.Array:
    """Row by row, the parts joined: constant text and columns of JSON text (no nulls)."""
    args = [pa.scalar(p, _STR) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", _STR))


def joined_runs(texts: pa.Array, starts: np.ndarray, sep: str) -> pa.Array:
    """The texts of each run (``starts[i]`` up to the next start) joined by ``sep``."""
    offsets = pa.array(np.append(starts, len(texts)).astype("int64"))
    return pc.binary_join(pa.LargeListArray.from_arrays(offsets, texts), pa.scalar(sep, _STR))


def join_text(texts: pa.Array, sep: str) -> str:
    """All the texts joined by ``sep``, as one Python string."""
    if not len(texts):
        return ""
    return joined_runs(texts, np.zeros(1, dtype="int64"), sep)[0].as_py()


def separators(n: int, sep: str) -> pa.Array:
    """``sep`` for each of ``n`` rows but the last, which gets ``""``: a last part for
    :func:`pieces` whose rows, end to end, are then the rows joined by ``sep``."""
    return pa.concat_arrays([pa.repeat(pa.scalar(sep, _STR), max(n - 1, 0)), pa.array([""], _STR)])


def utf8_bytes(texts: pa.Array) -> memoryview:
    """The texts end to end, as UTF-8 bytes: a view of the Arrow buffer that holds them,
    neither decoded into a Python string nor copied (the view keeps the buffer alive)."""
    return memoryview(_utf8(texts)[0])


def concat(arrays: list[pa.Array]) -> pa.Array:
    """Arrays of large strings end to end."""
    return pa.concat_arrays([a.cast(_STR) if a.type != _STR else a for a in arrays])
