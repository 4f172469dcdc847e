"""Reading xAPI statements as LRSs hand them over, fast.

Files hold a JSON array (``.json``; also one statement object, or an LRS
``StatementResult`` ``{"statements": [...], "more": ...}``) or one statement per line
(``.jsonl``, ``.ndjson``; blank lines ignored), each optionally gzip-compressed
(``.gz``). Lines are parsed in blocks by ``pyarrow.json`` with a schema of just the
fields needed; a block it refuses (a line that is not JSON, a field of another type such
as a single-object ``parent``) is parsed again line by line, so that its good lines still
count. Everything after the parse (keys, times, voiding, duplicates) is vectorised.

Each statement seen is either kept or skipped for one reason, in this order:
``bad-json`` (not JSON, or not an object), ``duplicate`` (an id seen before: the first is
kept), ``voiding`` (its verb is ``http://adlnet.gov/expapi/verbs/voided``), ``voided``
(the target of a voiding statement), ``no-actor``, ``no-verb``, ``no-object``,
``no-time``.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from socialkit.base.files import is_own_file
from socialkit.contract.people import arrow_person_keys
from socialkit.errors import StatementsReadError

__all__ = ["SKIP_REASONS", "VOIDED", "Statements", "read_statements", "statement_files"]

#: The verb of a statement that voids another.
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
#: Why the reader skips a statement, in the order the reasons are tried.
SKIP_REASONS = (
    "bad-json",
    "duplicate",
    "voiding",
    "voided",
    "no-actor",
    "no-verb",
    "no-object",
    "no-time",
)
_SUFFIXES = (".json", ".jsonl", ".ndjson")
_BLOCK = 8 << 20  # bytes of JSON lines parsed at once

_S = pa.string()
_REFS = pa.list_(pa.struct([("id", _S)]))
_SCHEMA = pa.schema(
    [
        ("id", _S),
        (
            "actor",
            pa.struct(
                [
                    ("objectType", _S),
                    ("mbox", _S),
                    ("mbox_sha1sum", _S),
                    ("openid", _S),
                    ("account", pa.struct([("homePage", _S), ("name", _S)])),
                ]
            ),
        ),
        ("verb", pa.struct([("id", _S)])),
        ("object", pa.struct([("objectType", _S), ("id", _S)])),
        (
            "context",
            pa.struct(
                [
                    ("registration", _S),
                    ("statement", pa.struct([("id", _S)])),
                    ("contextActivities", pa.struct([("parent", _REFS), ("grouping", _REFS)])),
                ]
            ),
        ),
        ("timestamp", _S),
        ("stored", _S),
    ]
)
_NULL = pa.scalar(None, _S)
_PARSE = pj.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="ignore")
_FRAME_COLUMNS = (
    "id",
    "actor",
    "verb",
    "object_id",
    "ref",
    "ref_actor",
    "registration",
    "time",
    "file",
    "line",
)


@dataclass(frozen=True)
class Statements:
    """The statements read, one row each, and what was skipped.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per kept statement: ``id``, ``actor`` (person key), ``verb``,
        ``object_id`` (missing when the object is a ``StatementRef``), ``ref`` (the
        statement it answers), ``ref_actor`` (that statement's actor when it is kept),
        ``registration``, ``time`` (UTC), ``file`` (category), ``line`` (1-based line,
        or position in a JSON array). Ids and registrations are lower-cased.
    activity_ids : pandas.DataFrame
        ``stmt`` (position in ``frame``) and ``activity`` (IRI): each statement's object
        id and the ids of its ``contextActivities`` parent and grouping, once each.
    read : int
        Statements seen: ``len(frame) + sum(skipped.values())``.
    skipped : dict
        Reason (see :data:`SKIP_REASONS`) to count, reasons that occurred only.
    """

    frame: pd.DataFrame
    activity_ids: pd.DataFrame
    read: int
    skipped: dict[str, int] = field(default_factory=dict)


def statement_files(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """The statement files of ``sources`` (files, or folders searched recursively), sorted
    within each folder, each once.

    Raises
    ------
    StatementsReadError
        A source that does not exist, or a file named otherwise than ``.json``,
        ``.jsonl``, ``.ndjson`` (optionally ``.gz``).
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files: list[Path] = []
    problems = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and _kind(p) is not None and not is_own_file(p)
            )
        elif not path.exists():
            problems.append(f"{str(path)!r} does not exist")
        elif _kind(path) is None:
            problems.append(
                f"{str(path)!r} is not a statements file: expected a name ending in "
                ".json, .jsonl or .ndjson, optionally followed by .gz"
            )
        else:
            files.append(path)
    if problems:
        raise StatementsReadError("cannot read statements: " + "; ".join(problems))
    return list(dict.fromkeys(files))


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    name = name.removesuffix(".gz")
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


class _Damaged(Exception):
    """A gzip file cut short or corrupt: what came before it is kept."""


def _chunks(raw: Any, compressed: bool) -> Iterator[bytes]:
    """The file's bytes in blocks, decompressed as they come (several gzip members too);
    raises :class:`_Damaged` after the last good bytes of a damaged gzip file."""
    if not compressed:
        while chunk := raw.read(_BLOCK):
            yield chunk
        return
    unzip, started = zlib.decompressobj(wbits=31), False
    while data := raw.read(_BLOCK // 4):
        while data:
            try:
                out = unzip.decompress(data)
            except zlib.error as exc:
                raise _Damaged from exc
            started = True
            if out:
                yield out
            data = b""
            if unzip.eof:  # the next member, if any
                data = unzip.unused_data
                unzip, started = zlib.decompressobj(wbits=31), False
    if started:  # a member without its end
        raise _Damaged


# -- normalising one statement parsed by the standard library --------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _sub(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _refs(value: Any) -> list[dict[str, str | None]] | None:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return None
    return [{"id": _str(v.get("id"))} for v in value if isinstance(v, dict)]


def _canonical(s: dict[str, Any]) -> dict[str, Any]:
    """A statement in the shape of the parse schema: only the fields read, strings only,
    ``contextActivities`` as lists."""
    actor = s.get("actor")
    account = _sub(actor, "account")
    context = s.get("context")
    return {
        "id": _str(s.get("id")),
        "actor": {
            "objectType": _str(_sub(actor, "objectType")),
            "mbox": _str(_sub(actor, "mbox")),
            "mbox_sha1sum": _str(_sub(actor, "mbox_sha1sum")),
            "openid": _str(_sub(actor, "openid")),
            "account": {
                "homePage": _str(_sub(account, "homePage")),
                "name": _str(_sub(account, "name")),
            },
        },
        "verb": {"id": _str(_sub(s, "verb", "id"))},
        "object": {
            "objectType": _str(_sub(s, "object", "objectType")),
            "id": _str(_sub(s, "object", "id")),
        },
        "context": {
            "registration": _str(_sub(context, "registration")),
            "statement": {"id": _str(_sub(context, "statement", "id"))},
            "contextActivities": {
                "parent": _refs(_sub(context, "contextActivities", "parent")),
                "grouping": _refs(_sub(context, "contextActivities", "grouping")),
            },
        },
        "timestamp": _str(s.get("timestamp")),
        "stored": _str(s.get("stored")),
    }


# -- reading files ---------------------------------------------------------------------


class _Reader:
    """Collects parsed blocks (tables of the parse schema plus ``file`` and ``line``)."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.bad = 0
        self.files: list[str] = []

    def add(self, table: pa.Table, lines: np.ndarray) -> None:
        if table.num_rows:
            code = np.full(table.num_rows, len(self.files) - 1, dtype=np.int32)
            table = table.append_column("file", pa.array(code)).append_column(
                "line", pa.array(lines.astype(np.int64))
            )
            self.tables.append(table)

    def add_dicts(self, items: list[tuple[int, Any]]) -> None:
        """Statements parsed by the standard library: (line, value)."""
        good = [(n, v) for n, v in items if isinstance(v, dict)]
        self.bad += len(items) - len(good)
        if good:
            rows = [_canonical(v) for _, v in good]
            self.add(pa.Table.from_pylist(rows, schema=_SCHEMA), np.array([n for n, _ in good]))

    def lines(self, block: bytes | memoryview, first: int, n_lines: int) -> None:
        """A block of ``n_lines`` whole lines (each ending in a newline) from line ``first``."""
        try:
            table = pj.read_json(pa.BufferReader(block), parse_options=_PARSE)
        except pa.ArrowInvalid:
            table = None
        if table is not None and table.num_rows == n_lines:
            self.add(table, np.arange(first, first + n_lines))
            return
        # refused, or blank lines / two objects on a line: line by line
        items = []
        for i, line in enumerate(bytes(block).split(b"\n")):
            if not line.strip():
                continue
            try:
                items.append((first + i, json.loads(line)))
            except ValueError:
                items.append((first + i, None))
        self.add_dicts(items)

    def jsonl(self, chunks: Iterator[bytes], done: Callable[[], None]) -> None:
        first, rest = 1, b""
        try:
            for chunk in chunks:
                buf = rest + chunk if rest else chunk
                cut = buf.rfind(b"\n") + 1
                if cut:
                    n_lines = buf.count(b"\n", 0, cut)
                    self.lines(memoryview(buf)[:cut], first, n_lines)
                    first += n_lines
                rest = buf[cut:]
                done()
        except _Damaged:
            self.bad += 1  # the rest of a damaged file, the line it cuts included
            return
        if rest.strip():
            self.lines(rest + b"\n", first, 1)

    def json(self, chunks: Iterator[bytes]) -> None:
        try:
            value = json.loads(b"".join(chunks))
        except (ValueError, _Damaged):
            self.bad += 1
            return
        if isinstance(value, dict) and isinstance(value.get("statements"), list):
            value = value["statements"]  # a StatementResult
        if isinstance(value, list):
            self.add_dicts(list(enumerate(value, start=1)))
        else:
            self.add_dicts([(1, value)])


def _read(files: list[Path], progress: Callable[[int, int], None] | None) -> _Reader:
    reader = _Reader()
    total = sum(p.stat().st_size for p in files)
    before = 0
    for path in files:
        reader.files.append(str(path))
        try:
            raw = path.open("rb")
        except OSError as exc:
            raise StatementsReadError(f"cannot read statements file {str(path)!r}: {exc}") from exc

        def done(raw: Any = raw, before: int = before) -> None:
            if progress is not None:
                progress(before + raw.tell(), total)

        with raw:
            chunks = _chunks(raw, path.name.lower().endswith(".gz"))
            if _kind(path) == ".json":
                reader.json(chunks)
            else:
                reader.jsonl(chunks, done)
        before += path.stat().st_size
        if progress is not None:
            progress(before, total)
    return reader


# -- from parsed rows to the frame -----------------------------------------------------


def _times(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 times with or without an offset (without: UTC) as UTC; unreadable null."""
    offset = pc.fill_null(pc.match_substring_regex(values, r"(Z|[+-]\d\d:?\d\d)$"), True)
    text = pc.if_else(offset, values, pc.binary_join_element_wise(values, "Z", ""))
    try:
        return pc.cast(text, pa.timestamp("ns", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a time arrow cannot read
        out = pd.to_datetime(values.to_pandas(), utc=True, format="ISO8601", errors="coerce")
        return pa.chunked_array([pa.array(out.astype("datetime64[ns, UTC]"))])


def _clean(values: pa.ChunkedArray, *, lower: bool = False) -> pa.ChunkedArray:
    """Ids, IRIs and registrations as given (``lower``: ASCII letters lower-cased, as in
    UUIDs), empty ones null. Copies only what changes."""
    if lower:
        values = pc.ascii_lower(values)
    if pc.any(pc.equal(pc.binary_length(values), 0)).as_py():
        values = pc.if_else(pc.equal(pc.binary_length(values), 0), _NULL, values)
    return values


def _mask(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _listed(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.ChunkedArray]:
    """(row, id) of every id in a list-of-``{id}`` column."""
    rows, ids, offset = [], [], 0
    for chunk in column.chunks:
        rows.append(pc.list_parent_indices(chunk).to_numpy() + offset)
        ids.append(pc.struct_field(pc.list_flatten(chunk), [0]))
        offset += len(chunk)
    return (
        np.concatenate(rows) if rows else np.empty(0, np.int64),
        pa.chunked_array(ids, type=_S),
    )


def _empty_activities() -> pd.DataFrame:
    return pd.DataFrame({"stmt": pd.Series(dtype="int64"), "activity": pd.Series(dtype="str")})


def _empty(files: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in _FRAME_COLUMNS})
    frame["time"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["file"] = pd.Categorical([], categories=files)
    frame["line"] = pd.Series(dtype="int64")
    return frame


def _actors(col: Callable[[str], pa.ChunkedArray]) -> pa.ChunkedArray:
    """The person key of each statement's actor (see ``person_keys``); else its
    ``mbox_sha1sum`` (``sha1:...``) or ``openid`` (``openid:...``); else null."""
    actor = arrow_person_keys(
        col("actor.mbox"), col("actor.account.homePage"), col("actor.account.name")
    )
    if actor.null_count:
        sha1 = _clean(col("actor.mbox_sha1sum"), lower=True)
        sha1 = pc.binary_join_element_wise("sha1:", sha1, "")
        openid = pc.binary_join_element_wise("openid:", _clean(col("actor.openid")), "")
        actor = pc.coalesce(actor, sha1, openid)
    return actor


def _activity_ids(
    col: Callable[[str], pa.ChunkedArray], object_id: pa.ChunkedArray, position: np.ndarray
) -> pd.DataFrame:
    """Each kept statement's object id, parents and groupings, once each: ``position``
    maps a statement's row to its place in the frame (-1: not kept)."""
    rows = [np.arange(len(object_id))]
    ids = list(object_id.chunks)
    for name in ("context.contextActivities.parent", "context.contextActivities.grouping"):
        r, i = _listed(col(name))
        rows.append(r)
        ids += i.chunks
    stmt = position[np.concatenate(rows)]
    activity = pa.chunked_array(ids, _S)
    use = (stmt >= 0) & _mask(pc.greater(pc.binary_length(activity), 0))
    codes = pc.dictionary_encode(pc.filter(activity, pa.array(use))).combine_chunks()
    names = codes.dictionary
    width = max(len(names), 1)
    pair = stmt[use] * width + codes.indices.to_numpy().astype(np.int64)
    pair.sort()  # by statement, then activity; each pair once
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
    stmt, code = np.divmod(pair, width)
    frame = pd.DataFrame({"stmt": stmt, "activity": pc.take(names, pa.array(code)).to_pandas()})
    return frame.astype({"stmt": "int64", "activity": "str"})


def _build(reader: _Reader) -> Statements:
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    skipped["bad-json"] = reader.bad
    if not reader.tables:
        return Statements(_empty(reader.files), _empty_activities(), reader.bad, _nonzero(skipped))
    flat = pa.concat_tables(reader.tables).flatten().flatten().flatten()
    reader.tables.clear()  # the blocks' memory goes with ``flat`` below
    col = flat.column
    n = flat.num_rows

    ids = _clean(col("id"), lower=True)
    verb = _clean(col("verb.id"))
    is_ref = pc.fill_null(pc.equal(col("object.objectType"), "StatementRef"), False)
    object_id = _clean(col("object.id"))

    duplicate = ids.to_pandas().duplicated(keep="first").to_numpy() & _mask(pc.is_valid(ids))
    voiding = _mask(pc.equal(verb, VOIDED)) & ~duplicate
    targets = pc.drop_null(pc.unique(pc.ascii_lower(pc.filter(object_id, pa.array(voiding)))))
    voided = _mask(pc.is_in(ids, value_set=targets)) & ~duplicate & ~voiding
    actor = _actors(col)
    time = _times(col("timestamp"))
    if time.null_count:
        time = pc.coalesce(time, _times(col("stored")))

    reasons = {
        "duplicate": duplicate,
        "voiding": voiding,
        "voided": voided,
        "no-actor": _mask(pc.is_null(actor)),
        "no-verb": _mask(pc.is_null(verb)),
        "no-object": _mask(pc.is_null(object_id)),
        "no-time": _mask(pc.is_null(time)),
    }
    keep = np.ones(n, dtype=bool)
    for reason, mask in reasons.items():
        hit = mask & keep
        skipped[reason] = int(hit.sum())
        keep &= ~hit
    rows = np.flatnonzero(keep)
    position = np.full(n, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))

    ref = _clean(col("context.statement.id"), lower=True)
    if pc.any(is_ref).as_py():
        ref = pc.coalesce(ref, pc.if_else(is_ref, pc.ascii_lower(object_id), _NULL))
        object_id = pc.if_else(is_ref, _NULL, object_id)
    activity_ids = _activity_ids(col, object_id, position)
    registration = _clean(col("context.registration"), lower=True)
    files = col("file").to_numpy()[rows]
    lines = col("line").to_numpy()[rows]
    del flat, col  # before the kept rows are copied: the parsed blocks are no longer needed
    table = pa.table(
        {
            "id": ids,
            "actor": actor,
            "verb": verb,
            "object_id": object_id,
            "ref": ref,
            "registration": registration,
            "time": time,
        }
    )
    del ids, actor, verb, object_id, ref, registration, time
    if len(rows) < n:
        table = table.filter(pa.array(keep))
    kept_ids = table.column("id").combine_chunks()
    where = pc.index_in(table.column("ref"), value_set=kept_ids, skip_nulls=True)
    table = table.append_column("ref_actor", pc.take(table.column("actor"), where))
    frame = table.to_pandas()
    del table
    for c in ("id", "actor", "verb", "object_id", "ref", "ref_actor", "registration"):
        frame[c] = frame[c].astype("str")
    frame["time"] = frame["time"].astype("datetime64[ns, UTC]")
    frame["file"] = pd.Categorical.from_codes(files, categories=reader.files)
    frame["line"] = lines
    frame = frame[list(_FRAME_COLUMNS)]
    return Statements(frame, activity_ids, n + reader.bad, _nonzero(skipped))


def _nonzero(skipped: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in skipped.items() if v}


def read_statements(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Statements:
    """Read xAPI statements from files and folders.

    Parameters
    ----------
    sources : path or list of paths
        Statement files (``.json``, ``.jsonl``, ``.ndjson``, each optionally ``.gz``) or
        folders, searched recursively for them.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total)`` (file sizes on disk) as blocks
        are read.

    Returns
    -------
    Statements
        The kept statements, their activity ids, and the skipped ones counted by reason.

    Raises
    ------
    StatementsReadError
        A source that does not exist, is not a statements file or cannot be opened.
    """
    return _build(_read(statement_files(sources), progress))
