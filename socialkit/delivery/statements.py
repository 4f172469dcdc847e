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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialkit.contract.people import arrow_person_keys
from socialkit.delivery.xapi_files import Parsed, Sources, parse_files, statement_files

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
_S = pa.string()
_NULL = pa.scalar(None, _S)
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


# -- from parsed rows to the frame -----------------------------------------------------


def _times(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 times with or without an offset (without: UTC) as UTC; unreadable null."""
    offset = pc.fill_null(pc.match_substring_regex(values, r"([Zz]|[+-]\d\d:?\d\d)$"), True)
    text = pc.if_else(offset, values, pc.binary_join_element_wise(values, "Z", ""))
    try:
        return pc.cast(text, pa.timestamp("ns", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a time arrow cannot read
        text = pc.utf8_upper(values).to_pandas()  # a lower-case 't' or 'z' (RFC 3339)
        out = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
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
    pair.sort()  # in the order of the statements; each pair once
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
    stmt, code = np.divmod(pair, width)
    frame = pd.DataFrame({"stmt": stmt, "activity": pc.take(names, pa.array(code)).to_pandas()})
    return frame.astype({"stmt": "int64", "activity": "str"})


def _build(reader: Parsed) -> Statements:
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    skipped["bad-json"] = reader.bad
    if not reader.tables:
        return Statements(_empty(reader.files), _empty_activities(), reader.bad, _nonzero(skipped))
    flat = pa.concat_tables(reader.tables)
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
    sources: Sources,
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
    return _build(parse_files(statement_files(sources), progress))
