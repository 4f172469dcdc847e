"""Statement files as parsed tables: finding the files, decompressing, parsing blocks.

JSON lines are parsed in blocks by ``pyarrow.json`` with :data:`SCHEMA`, the fields the
reader needs; a block it refuses (a line that is not JSON, a field of another type, such
as a single-object ``parent``) is parsed again line by line with the standard library,
so that its good lines still count. A ``.json`` file (an array, one statement, or an LRS
``StatementResult``) is parsed whole; one that is not one JSON value but starts with an
object and has several lines is read as JSON lines. Each parsed statement keeps its file and line.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from socialkit.base.files import is_own_file
from socialkit.errors import StatementsReadError

__all__ = ["SCHEMA", "Parsed", "Sources", "parse_files", "statement_files"]

_SUFFIXES = (".json", ".jsonl", ".ndjson")
_BLOCK = 8 << 20  # bytes of JSON lines parsed at once
_BOM = b"\xef\xbb\xbf"

_S = pa.string()
_REF = pa.struct([("id", _S)])
_LISTED = ("context.contextActivities.parent", "context.contextActivities.grouping")


def _schema(refs: pa.DataType) -> pa.Schema:
    """The fields read, with ``contextActivities`` parent and grouping of type ``refs``."""
    return pa.schema(
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
                        ("contextActivities", pa.struct([("parent", refs), ("grouping", refs)])),
                    ]
                ),
            ),
            ("timestamp", _S),
            ("stored", _S),
        ]
    )


#: The fields of a statement the reader needs, as xAPI 1.0.3 and 2.0 give them (an LRS
#: hands ``contextActivities`` over as lists).
SCHEMA = _schema(pa.list_(_REF))
_PARSE = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
#: The same with parent and grouping as single objects, as some exporters write them.
_PARSE_SINGLE = pj.ParseOptions(explicit_schema=_schema(_REF), unexpected_field_behavior="ignore")


def _flat(table: pa.Table) -> pa.Table:
    """A parsed table with its structs flattened (``actor.account.name``...); parent and
    grouping given as single objects become lists of one."""
    table = table.flatten().flatten().flatten()
    for name in _LISTED:
        if f"{name}.id" not in table.column_names:
            continue
        ids = table.column(f"{name}.id").combine_chunks()
        valid = pc.is_valid(ids)
        offsets = np.concatenate([[0], np.cumsum(valid.to_numpy(zero_copy_only=False))])
        values = pa.StructArray.from_arrays([pc.filter(ids, valid)], fields=[_REF.field(0)])
        lists = pa.ListArray.from_arrays(
            pa.array(offsets, pa.int32()), values, mask=pc.invert(valid)
        )
        at = table.column_names.index(f"{name}.id")
        table = table.remove_column(at).add_column(at, name, lists)
    return table


#: What the readers take: a file or folder, or several.
Sources = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def statement_files(sources: Sources) -> list[Path]:
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


#: A line break followed by white space: where a blank line may be.
_BREAK_THEN_SPACE = re.compile(rb"\n[\n\r \t]")


def _may_have_blank_line(data: bytes, end: int) -> bool:
    """Whether the whole lines ``data[:end]`` may hold a line of white space only, which
    Arrow skips (a cheap test, some 3 ms for 8 MB, never wrong the other way: a line
    that starts with white space is taken for one)."""
    return data[:1] in (b"\n", b"\r", b" ", b"\t") or bool(_BREAK_THEN_SPACE.search(data, 0, end))


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


class Parsed:
    """Collects parsed blocks (tables of the parse schema plus ``file`` and ``line``)."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.bad = 0
        self.files: list[str] = []

    def add(self, table: pa.Table, lines: np.ndarray) -> None:
        if table.num_rows:
            table = _flat(table)
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
            self.add(pa.Table.from_pylist(rows, schema=SCHEMA), np.array([n for n, _ in good]))

    def lines(self, data: bytes, first: int, n_lines: int, end: int | None = None) -> None:
        """The block ``data[:end]`` of ``n_lines`` whole lines (each ending in a newline)
        from line ``first``."""
        end = len(data) if end is None else end
        block = memoryview(data)[:end]
        try:
            table = pj.read_json(pa.BufferReader(block), parse_options=_PARSE)
        except pa.ArrowInvalid as exc:
            table = None
            if "from array to object" in str(exc):  # single-object parents, perhaps all
                try:
                    table = pj.read_json(pa.BufferReader(block), parse_options=_PARSE_SINGLE)
                except pa.ArrowInvalid:
                    pass
        if table is not None and table.num_rows == n_lines and not _may_have_blank_line(data, end):
            self.add(table, np.arange(first, first + n_lines))
            return
        # refused, or blank lines / two objects on a line (either shifts the rows against
        # the lines, and together they can even up the count): line by line
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
        first, rest, start = 1, b"", True
        try:
            for chunk in chunks:
                if start and chunk.startswith(_BOM):  # a file saved "with signature"
                    chunk = chunk[len(_BOM) :]
                start = False
                buf = rest + chunk if rest else chunk
                cut = buf.rfind(b"\n") + 1
                if cut:
                    n_lines = buf.count(b"\n", 0, cut)
                    self.lines(buf, first, n_lines, end=cut)
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
            data = b"".join(chunks)
        except _Damaged:
            self.bad += 1
            return
        try:
            value = json.loads(data)
        except ValueError:
            if data.removeprefix(_BOM).lstrip().startswith(b"{") and b"\n" in data.strip():
                # statements one per line in a file named .json (as some exports do)
                self.jsonl(iter([data]), lambda: None)
            else:
                self.bad += 1
            return
        if isinstance(value, dict) and isinstance(value.get("statements"), list):
            value = value["statements"]  # a StatementResult
        if isinstance(value, list):
            self.add_dicts(list(enumerate(value, start=1)))
        else:
            self.add_dicts([(1, value)])


def parse_files(files: list[Path], progress: Callable[[int, int], None] | None) -> Parsed:
    reader = Parsed()
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
