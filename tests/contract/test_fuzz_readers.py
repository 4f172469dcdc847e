"""Property: whatever bytes, CSV text or workbook the readers get, they return a result or
raise a :class:`~socialkit.errors.SocialkitError`; never any other exception."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from socialkit.contract.io import load_portfolio, read_tables
from socialkit.contract.schema import TABLES
from socialkit.errors import SocialkitError

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COURSES = b"course_id,title\nc1,One\n"
OBJECTIVES = b"course_id,objective_id,statement\nc1,o1,Do it\n"
ACTIVITIES = b"course_id,activity_id,seq,title\nc1,a1,1,Act\n"
BASE = {"courses": COURSES, "objectives": OBJECTIVES, "activities": ACTIVITIES}

NAMES = st.sampled_from(sorted({s.name for spec in TABLES.values() for s in spec}))
HEADER_CELL = st.one_of(
    NAMES,
    NAMES.map(lambda n: f" {n.upper()} "),
    st.just(""),
    st.text(max_size=6),
)
VALUE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["1", "c1", "a1", "o1", "before", ",", '"', ";", "\t", "\r\n", "\x00", ""]),
)
SEPARATOR = st.sampled_from([",", ";", "\t", "|"])


@contextmanager
def scratch() -> Iterator[Path]:
    # hypothesis calls the test many times with one pytest tmp_path: a fresh folder each
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_both(path: Path) -> None:
    """Both readers, each must return or raise a SocialkitError."""
    try:
        read_tables(path)
    except SocialkitError:
        return  # load_portfolio reads the same way: it would raise the same
    try:
        load_portfolio(path)
    except SocialkitError:
        pass


@st.composite
def csv_text(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(HEADER_CELL, min_size=1, max_size=6))
    sep = draw(SEPARATOR)
    rows = draw(st.lists(st.lists(VALUE, max_size=8), max_size=6))
    out = io.StringIO()
    out.write(sep.join(header) + "\n")
    for row in rows:
        quote = draw(st.booleans())
        cells = [f'"{v}"' if quote else v for v in row]
        out.write(sep.join(cells) + draw(st.sampled_from(["\n", "\r\n", "\n\n"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return out.getvalue().encode(encoding, errors="replace")


@given(
    table=st.sampled_from(["courses", "objectives", "activities", "tools", "organisations"]),
    data=st.binary(max_size=300),
)
@SETTINGS
def test_random_bytes_as_a_csv_table(table: str, data: bytes) -> None:
    with scratch() as folder:
        for name, text in BASE.items():
            (folder / f"{name}.csv").write_bytes(text)
        (folder / f"{table}.csv").write_bytes(data)
        read_both(folder)


@given(table=st.sampled_from(["courses", "objectives", "activities", "tools"]), text=csv_text())
@SETTINGS
def test_random_csv_text(table: str, text: bytes) -> None:
    with scratch() as folder:
        for name, base in BASE.items():
            (folder / f"{name}.csv").write_bytes(base)
        (folder / f"{table}.csv").write_bytes(text)
        read_both(folder)


@given(data=st.binary(max_size=400), zipped=st.booleans())
@SETTINGS
def test_random_bytes_as_a_workbook(data: bytes, zipped: bool) -> None:
    with scratch() as folder:
        path = folder / "p.xlsx"
        if zipped:  # random parts in a real zip archive
            with zipfile.ZipFile(path, "w") as zf:
                zf.writestr("[Content_Types].xml", data[:50])
                zf.writestr("xl/workbook.xml", data[50:200])
                zf.writestr("xl/worksheets/sheet1.xml", data[200:])
        else:
            path.write_bytes(data)
        read_both(path)


CELL = st.one_of(
    st.none(),
    VALUE,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
)


def legal(text: str) -> str:
    """The text without the control characters openpyxl refuses to write."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


@st.composite
def workbook_bytes(draw: st.DrawFn) -> bytes:
    wb = openpyxl.Workbook()
    sheet_names = draw(
        st.lists(
            st.sampled_from(["courses", "objectives", "activities", "Activities ", "tools", "x"]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    for i, name in enumerate(sheet_names):
        ws = wb.active if i == 0 else wb.create_sheet(name)
        ws.title = name
        if draw(st.booleans()) and len(sheet_names) > 1 and i > 0:
            ws.sheet_state = "hidden"
        header = draw(st.lists(HEADER_CELL, min_size=0, max_size=5))
        ws.append([legal(h) or None for h in header])
        for row in draw(st.lists(st.lists(CELL, max_size=6), max_size=5)):
            ws.append([legal(v) if isinstance(v, str) else v for v in row])
        if draw(st.booleans()):
            col = draw(st.integers(1, 1100))
            row = draw(st.integers(1, 3000))
            ws.cell(row=row, column=col, value="far")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if draw(st.booleans()):  # a byte changed somewhere: a damaged workbook
        at = draw(st.integers(0, 10**6)) % len(data)  # drawn alike whatever the size
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return data


@given(data=workbook_bytes())
@SETTINGS
def test_random_workbooks(data: bytes) -> None:
    with scratch() as folder:
        path = folder / "p.xlsx"
        path.write_bytes(data)
        read_both(path)


@pytest.mark.parametrize("name", ["courses", "activities"])
def test_the_base_files_are_a_readable_portfolio(tmp_path: Path, name: str) -> None:
    # the fuzz tests change one table of a valid portfolio: it must be valid to start with
    for table, text in BASE.items():
        (tmp_path / f"{table}.csv").write_bytes(text)
    tables, _ = read_tables(tmp_path)
    assert tables[name].index.tolist() == [2]
    assert load_portfolio(tmp_path).course_ids == ["c1"]
