"""Reading and writing portfolios: CSV folders and ``.xlsx`` workbooks (DATA.md)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import socialkit.contract.io
import socialkit.contract.writers
from socialkit.contract.io import catalog_path, convert, load_portfolio, read_tables, write_tables
from socialkit.contract.schema import TABLES
from socialkit.errors import (
    PortfolioNotFoundError,
    PortfolioReadError,
    PortfolioWriteError,
    SocialkitError,
    ValidationError,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data"
BOM = "\ufeff"


def write(path: Path, text: str, *, bom: bool = False, newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (BOM if bom else "") + text.replace("\n", newline)
    path.write_bytes(data.encode("utf-8"))
    return path


def minimal_folder(folder: Path) -> Path:
    write(folder / "courses.csv", "course_id,title\nc1,Course one\n")
    write(folder / "objectives.csv", "course_id,objective_id,statement\nc1,o1,Do it\n")
    write(folder / "activities.csv", "course_id,activity_id,seq,title\nc1,a1,1,Act\n")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included) and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def full(rows: list[dict], table: str) -> pd.DataFrame:
    """Like ``frame`` but with every contract column filled (``·`` where not given).

    Tests about something else use it so that no row ends in blank cells.
    """
    columns = [s.name for s in TABLES[table]]
    return frame([{**dict.fromkeys(columns, "·"), **r} for r in rows], table)


def catalog_column(table: str, column: str) -> list[str]:
    with open(catalog_path() / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


# --------------------------------------------------------------------------- reading CSV
def test_csv_folder_with_bom_blank_lines_quoted_commas_and_extra_column(tmp_path: Path) -> None:
    write(
        tmp_path / "courses.csv",
        'course_id,title,notes\nc1,"Risk, basics",keep me\n',
        bom=True,
    )
    write(
        tmp_path / "objectives.csv",
        'course_id,objective_id,statement\n\nc1,o1,"Define, then rank"\n',
        bom=True,
    )
    write(
        tmp_path / "activities.csv",
        "course_id,activity_id,seq,title,timing\n"
        'c1,a1,1,"Read, then ""discuss""",before\n'
        "\n"
        "\n"
        "c1,a2,2,Lecture,during\n"
        "\n",
    )
    tables, notices = read_tables(tmp_path)
    assert set(tables) == {"courses", "objectives", "activities"}
    assert list(tables["courses"].columns) == ["course_id", "title", "notes"]
    assert tables["courses"]["title"].tolist() == ["Risk, basics"]
    assert tables["objectives"]["statement"].tolist() == ["Define, then rank"]
    assert tables["activities"]["title"].tolist() == ['Read, then "discuss"', "Lecture"]
    # rows keep the number the user sees (header = 1), blank lines counted
    assert tables["courses"].index.tolist() == [2]
    assert tables["objectives"].index.tolist() == [3]
    assert tables["activities"].index.tolist() == [2, 5]
    assert len(notices) == 1
    assert "courses" in notices[0] and "notes" in notices[0]

    p = load_portfolio(tmp_path)
    assert p.raw["courses"]["notes"].tolist() == ["keep me"]
    assert "notes" not in p.courses.columns
    # and one notice for the decision columns the activities table lacks
    assert p.notices == (
        *notices,
        "activities: no objective_id, direction, tool_type, tool, in_class_reason or "
        "learner_benefit column, so no activity has decided them yet; the checklist counts "
        "this once per course, and no warning repeats it for every activity",
    )
    assert p.activities["row"].tolist() == [2, 5]
    assert p.source == tmp_path


def test_error_rows_count_blank_lines(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(
        tmp_path / "activities.csv",
        "course_id,activity_id,seq,title\n\nc1,a1,1,Act\n\n\nc1,a2,x,Bad seq\n",
    )
    with pytest.raises(ValidationError, match="1 error in the portfolio") as info:
        load_portfolio(tmp_path)
    issues = info.value.issues
    assert issues[["table", "row", "column", "value"]].values.tolist() == [
        ["activities", 6, "seq", "x"]
    ]


def test_crlf_line_endings_and_bom(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(
        tmp_path / "courses.csv",
        "course_id,title\nc1,Course one\nc2,Two\n",
        bom=True,
        newline="\r\n",
    )
    tables, _ = read_tables(tmp_path)
    assert tables["courses"]["course_id"].tolist() == ["c1", "c2"]
    assert tables["courses"]["title"].tolist() == ["Course one", "Two"]


def test_csv_cells_are_read_as_text_exactly(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(
        tmp_path / "activities.csv",
        "course_id,activity_id,seq,title,minutes\n"
        "c1,007,01,NA,0030\n"
        'c1,a2,2,"multi\nline",\n'
        "c1,TRUE,3,null,1.0\n",
    )
    tables, _ = read_tables(tmp_path)
    a = tables["activities"]
    assert a["activity_id"].tolist() == ["007", "a2", "TRUE"]
    assert a["seq"].tolist() == ["01", "2", "3"]
    assert a["title"].tolist() == ["NA", "multi\nline", "null"]
    assert a["minutes"].tolist()[0] == "0030" and a["minutes"].tolist()[2] == "1.0"
    assert pd.isna(a["minutes"].tolist()[1])


def test_column_order_is_free(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "activities.csv", "title,seq,course_id,activity_id\nAct,1,c1,a1\n")
    p = load_portfolio(tmp_path)
    assert p.activities[["course_id", "activity_id", "seq", "title"]].iloc[0].tolist() == [
        "c1",
        "a1",
        1,
        "Act",
    ]


# --------------------------------------------------------------------------- reading xlsx
def test_xlsx_with_typed_numbers_booleans_and_sheet_names_in_other_case(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Courses"
    ws.append(["course_id", "title", "organisation"])
    ws.append(["c1", "Course one", "Home"])
    ws = wb.create_sheet("OBJECTIVES")
    ws.append(["course_id", "objective_id", "statement"])
    ws.append(["c1", "o1", "Do it"])
    ws = wb.create_sheet("Activities")
    ws.append(["course_id", "activity_id", "seq", "title", "minutes", "tool"])
    ws.append(["c1", "a1", 3, "Act", 30.0, "teams"])
    ws.append([None, None, None, None, None, None])  # an empty row, as Excel leaves them
    ws.append(["c1", 7, 4, "Act 2", 45, None])
    ws = wb.create_sheet("Organisations")
    ws.append(["organisation", "platforms", "prefers_internal"])
    ws.append(["Home", "Teams", True])
    ws.append(["Away", None, False])
    path = tmp_path / "design.xlsx"
    wb.save(path)

    tables, notices = read_tables(path)
    assert set(tables) == {"courses", "objectives", "activities", "organisations"}
    assert notices == []
    a = tables["activities"]
    assert a["seq"].tolist() == ["3", "4"]
    assert a["minutes"].tolist() == ["30", "45"]
    assert a["activity_id"].tolist() == ["a1", "7"]
    assert a.index.tolist() == [2, 4]
    assert tables["organisations"]["prefers_internal"].tolist() == ["true", "false"]

    p = load_portfolio(path)
    assert p.activities["seq"].tolist() == [3, 4]
    assert p.activities["minutes"].tolist() == [30, 45]
    assert p.activities["tool"].tolist()[0] == "Teams"
    g = p.organisations.set_index("organisation")
    assert bool(g.loc["Home", "prefers_internal"]) is True
    assert bool(g.loc["Away", "prefers_internal"]) is False


def test_xlsx_extension_in_upper_case(tmp_path: Path) -> None:
    tables, _ = read_tables(SAMPLE)
    path = write_tables(tables, tmp_path / "DESIGN.XLSX")
    assert openpyxl.load_workbook(path).sheetnames[:3] == ["courses", "objectives", "activities"]
    again, _ = read_tables(path)
    assert set(again) == set(tables)


# --------------------------------------------------------------------------- read failures
@pytest.mark.parametrize("absent", ["courses", "objectives", "activities"])
def test_missing_required_csv_table_is_named(tmp_path: Path, absent: str) -> None:
    minimal_folder(tmp_path)
    (tmp_path / f"{absent}.csv").unlink()
    with pytest.raises(PortfolioNotFoundError, match=absent):
        read_tables(tmp_path)
    with pytest.raises(PortfolioNotFoundError, match=absent):
        load_portfolio(tmp_path)


def test_missing_required_sheet_is_named(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "courses"
    wb["courses"].append(["course_id", "title"])
    wb.create_sheet("activities").append(["course_id", "activity_id", "seq", "title"])
    wb.save(tmp_path / "p.xlsx")
    with pytest.raises(PortfolioNotFoundError, match="objectives"):
        read_tables(tmp_path / "p.xlsx")


def test_empty_folder_is_not_a_portfolio(tmp_path: Path) -> None:
    with pytest.raises(PortfolioNotFoundError, match="courses"):
        load_portfolio(tmp_path)


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(PortfolioNotFoundError, match="nowhere") as info:
        load_portfolio(missing)
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(PortfolioNotFoundError, match=r"nowhere\.xlsx.*does not exist"):
        read_tables(tmp_path / "nowhere.xlsx")


def test_a_single_csv_file_is_not_a_portfolio(tmp_path: Path) -> None:
    path = write(tmp_path / "courses.csv", "course_id,title\nc1,T\n")
    expected = r"neither a folder of CSV files nor an \.xlsx workbook"
    with pytest.raises(PortfolioNotFoundError, match=expected):
        read_tables(path)


def test_non_utf8_csv_is_a_read_error(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    (tmp_path / "objectives.csv").write_bytes(
        "course_id,objective_id,statement\nc1,o1,Améliorer\n".encode("latin-1")
    )
    with pytest.raises(PortfolioReadError, match=r"objectives\.csv") as info:
        read_tables(tmp_path)
    assert "UTF-8" in str(info.value)


def test_unreadable_csv_is_a_read_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    minimal_folder(tmp_path)
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "activities.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(PortfolioReadError, match=r"activities\.csv"):
        read_tables(tmp_path)


def test_empty_csv_is_a_read_error(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    (tmp_path / "courses.csv").write_bytes(b"")
    with pytest.raises(PortfolioReadError, match=r"courses\.csv"):
        read_tables(tmp_path)


def test_damaged_xlsx_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(PortfolioReadError, match=r"broken\.xlsx"):
        read_tables(path)


# --------------------------------------------------------------------------- defaults
def test_tools_and_organisations_fall_back_to_the_bundled_catalog(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    tables, _ = read_tables(tmp_path)
    assert set(tables) == {"courses", "objectives", "activities"}
    p = load_portfolio(tmp_path)
    assert p.tools["tool"].tolist() == catalog_column("tools", "tool")
    assert p.organisations["organisation"].tolist() == catalog_column(
        "organisations", "organisation"
    )
    assert p.courses["organisation"].tolist() == ["default"]
    # the raw tables stay as read: nothing to write back that the user did not have
    assert set(p.raw) == {"courses", "objectives", "activities"}


def test_own_organisations_with_the_bundled_catalog(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(
        tmp_path / "courses.csv",
        "course_id,title,organisation\nc1,One,Home\nc2,Two,\n",
    )
    write(tmp_path / "organisations.csv", "organisation,platforms\nHome,YouTube;padlet\n")
    p = load_portfolio(tmp_path)
    assert p.courses["organisation"].tolist() == ["Home", "default"]
    home = p.organisations.set_index("organisation").loc["Home"]
    assert home["platforms"] == ("YouTube", "Padlet")


def test_sample_uses_the_catalog_tools() -> None:
    p = load_portfolio(SAMPLE)
    assert "tools" not in read_tables(SAMPLE)[0]
    assert sorted(p.tools["tool"]) == sorted(catalog_column("tools", "tool"))
    assert len(p.courses) == 14


def test_load_portfolio_defaults_to_the_sample() -> None:
    assert load_portfolio().course_ids == load_portfolio(SAMPLE).course_ids


def test_own_tools_replace_the_catalog(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "tools.csv", "tool,tool_types\nWiki,content\n")
    write(tmp_path / "activities.csv", "course_id,activity_id,seq,title,tool\nc1,a1,1,Act,Teams\n")
    p = load_portfolio(tmp_path)
    assert p.tools["tool"].tolist() == ["Wiki"]
    # a tool of the bundled catalog is unknown here: kept as written, no error
    assert p.activities["tool"].tolist() == ["Teams"]


# --------------------------------------------------------------------------- round trips
def assert_same_tables(got: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert set(got) == set(expected)
    for name, df in expected.items():
        assert_frame_equal(got[name], df, obj=name)


def test_sample_round_trips_csv_to_xlsx_to_csv(tmp_path: Path) -> None:
    original, notices = read_tables(SAMPLE)
    xlsx = write_tables(original, tmp_path / "sample.xlsx")
    assert xlsx == tmp_path / "sample.xlsx"
    from_xlsx, notices_xlsx = read_tables(xlsx)
    assert_same_tables(from_xlsx, original)
    assert notices_xlsx == notices
    folder = write_tables(from_xlsx, tmp_path / "again")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.csv" for t in original)
    from_csv, _ = read_tables(folder)
    assert_same_tables(from_csv, original)
    # and the validated portfolios agree
    a, b = load_portfolio(SAMPLE), load_portfolio(folder)
    for name in ("courses", "objectives", "activities", "tools", "organisations"):
        assert_frame_equal(getattr(b, name), getattr(a, name), obj=name)


def test_extra_columns_survive_a_round_trip(tmp_path: Path) -> None:
    minimal_folder(tmp_path / "src")
    write(tmp_path / "src" / "courses.csv", "course_id,notes,title\nc1,remember,One\n")
    original, _ = read_tables(tmp_path / "src")
    for dest in (tmp_path / "out.xlsx", tmp_path / "out"):
        write_tables(original, dest)
        again, notices = read_tables(dest)
        assert list(again["courses"].columns) == ["course_id", "notes", "title"]
        assert_same_tables(again, original)
        assert any("notes" in n for n in notices)


SPECIAL = [
    "=1+1",
    "+33 1 23 45 67",
    "-x",
    "@SUM(A1)",
    '=HYPERLINK("http://x")',
    "007",
    "0",
    "3",
    "-1",
    "1.50",
    "1e3",
    "TRUE",
    "false",
    "NA",
    "null",
    "#N/A",
    "a,b",
    'say "hi", then leave',
    "line\nbreak",
    "  padded  ",
    " ",
    "é ü 中文 🙂",
    "2024-01-02",
    "a;b;c",
]
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs", "Cc")),
        st.sampled_from([",", '"', "\n", ";", "=", "+", "-", "@", " ", "'"]),
    ),
    min_size=1,
    max_size=15,
)
CELL = st.one_of(st.none(), st.sampled_from(SPECIAL), TEXT)
KEY = st.one_of(st.sampled_from(SPECIAL), TEXT)  # never blank: a blank row is dropped


def table_strategy(table: str, columns: list[str]) -> st.SearchStrategy[pd.DataFrame]:
    row = st.fixed_dictionaries({c: (KEY if i == 0 else CELL) for i, c in enumerate(columns)})
    return st.lists(row, min_size=1, max_size=4).map(lambda rows: frame(rows, table))


DESIGNS = st.fixed_dictionaries(
    {
        "courses": table_strategy(
            "courses", ["course_id", "title", "organisation", "status", "notes"]
        ),
        "objectives": table_strategy("objectives", ["course_id", "objective_id", "statement"]),
        "activities": table_strategy(
            "activities", ["course_id", "activity_id", "seq", "title", "timing", "minutes"]
        ),
        "organisations": table_strategy(
            "organisations", ["organisation", "platforms", "prefers_internal"]
        ),
    }
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(DESIGNS)
def test_property_round_trip_through_both_formats(tables: dict[str, pd.DataFrame]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = write_tables(tables, Path(tmp) / "p.xlsx")
        from_xlsx, _ = read_tables(xlsx)
        assert_same_tables(from_xlsx, tables)
        folder = write_tables(from_xlsx, Path(tmp) / "csv")
        from_csv, _ = read_tables(folder)
        assert_same_tables(from_csv, tables)
        folder2 = write_tables(tables, Path(tmp) / "csv2")
        assert_same_tables(read_tables(folder2)[0], tables)


@pytest.mark.parametrize("seq", ["²", "٣", "３", "0003", "12"])
def test_unicode_digits_in_number_columns_round_trip_through_xlsx(tmp_path: Path, seq: str) -> None:
    tables = {
        "courses": full([{"course_id": "c1", "title": "T"}], "courses"),
        "objectives": full([{"course_id": "c1"}], "objectives"),
        "activities": full(
            [{"course_id": "c1", "activity_id": "a1", "seq": seq, "title": "A", "minutes": seq}],
            "activities",
        ),
    }
    path = write_tables(tables, tmp_path / "p.xlsx")
    assert_same_tables(read_tables(path)[0], tables)


# --------------------------------------------------------------------------- no formulas
FORMULA_LIKE = ["=1+1", "+33 1 23", "-x", "@SUM(A1)", "=cmd|' /C calc'!A0", "-1"]


def test_xlsx_never_contains_a_formula(tmp_path: Path) -> None:
    courses = full(
        [
            {"course_id": "c1", "title": FORMULA_LIKE[0], "owner": FORMULA_LIKE[1]},
            {"course_id": "c2", "title": FORMULA_LIKE[2], "audience": FORMULA_LIKE[3]},
            {"course_id": "c3", "title": FORMULA_LIKE[4], "formal_moment": "=A1"},
        ],
        "courses",
    )
    activities = full(
        [
            {
                "course_id": "c1",
                "activity_id": "=2*3",
                "seq": "=1+1",
                "title": "@x",
                "minutes": "-1",
            },
            {"course_id": "c1", "activity_id": "a2", "seq": "2", "title": "+x", "minutes": "30"},
        ],
        "activities",
    )
    tables = {"courses": courses, "objectives": full([{}], "objectives"), "activities": activities}
    path = write_tables(tables, tmp_path / "p.xlsx")

    wb = openpyxl.load_workbook(path)
    seen = {}
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for col, cell in zip(header, row, strict=False):
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                seen[(ws.title, cell.row, col)] = cell.value
    assert seen[("courses", 2, "title")] == "=1+1"
    assert seen[("courses", 2, "owner")] == "+33 1 23"
    assert seen[("courses", 3, "title")] == "-x"
    assert seen[("courses", 3, "audience")] == "@SUM(A1)"
    assert seen[("courses", 4, "title")] == "=cmd|' /C calc'!A0"
    assert seen[("courses", 4, "formal_moment")] == "=A1"
    assert seen[("activities", 2, "activity_id")] == "=2*3"
    assert seen[("activities", 2, "seq")] == "=1+1"
    assert seen[("activities", 2, "minutes")] == "-1"
    assert seen[("activities", 3, "title")] == "+x"
    # plain whole numbers in seq/minutes may be numbers; they read back as the same text
    assert seen[("activities", 3, "seq")] in (2, "2")
    assert_same_tables(read_tables(path)[0], tables)


def test_xlsx_header_of_an_extra_column_never_becomes_a_formula(tmp_path: Path) -> None:
    courses = full([{"course_id": "c1", "title": "T", "=1+1": "x", "@note": "y"}], "courses")
    tables = {
        "courses": courses,
        "objectives": full([{}], "objectives"),
        "activities": full([{}], "activities"),
    }
    path = write_tables(tables, tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(path)["courses"]
    for cell in ws[1]:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
    assert [c.value for c in ws[1]][-2:] == ["=1+1", "@note"]


# --------------------------------------------------------------------------- atomic writing
def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's tables plus the catalog's tools: all five tables to write."""
    tables, _ = read_tables(SAMPLE)
    tables["tools"] = pd.read_csv(catalog_path() / "tools.csv", dtype="str")
    return tables


def old_portfolio(folder: Path) -> dict[str, bytes]:
    minimal_folder(folder)
    write(folder / "tools.csv", "tool\nOld\n")
    write(folder / "organisations.csv", "organisation\nOld\n")
    return snapshot(folder)


def test_failed_csv_write_leaves_previous_files_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "p"
    before = old_portfolio(dest)
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def fail_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_third)
    with pytest.raises(PortfolioWriteError, match="No space left"):
        write_tables(sample_tables(), dest)
    assert calls["n"] == 3
    assert snapshot(dest) == before


def test_failed_csv_write_into_a_new_folder_leaves_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "new"
    real = pd.DataFrame.to_csv
    calls = {"n": 0}

    def fail_second(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_second)
    with pytest.raises(PortfolioWriteError, match="No space left on device"):
        write_tables(sample_tables(), dest)
    assert not dest.exists() or snapshot(dest) == {}


def test_unwritable_destination_leaves_previous_files_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a read-only folder, simulated (the tests may run as root): creating the 3rd
    # temporary file is refused
    dest = tmp_path / "p"
    before = old_portfolio(dest)
    real = socialkit.contract.writers.temp_beside
    calls = {"n": 0}

    def refuse_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(socialkit.contract.writers, "temp_beside", refuse_third)
    with pytest.raises(PortfolioWriteError, match="Permission denied"):
        write_tables(sample_tables(), dest)
    assert snapshot(dest) == before


def test_failed_rename_leaves_no_temp_files(tmp_path: Path) -> None:
    # activities.csv is a folder: the file cannot be renamed over it
    dest = tmp_path / "p"
    minimal_folder(dest)
    (dest / "activities.csv").unlink()
    (dest / "activities.csv").mkdir()
    with pytest.raises(PortfolioWriteError, match=r"activities\.csv.* is a folder; expected a CSV"):
        write_tables(sample_tables(), dest)
    leftovers = [p.name for p in dest.iterdir() if p.name.startswith(".") or "tmp" in p.name]
    assert leftovers == []


def test_failed_rename_leaves_previous_files_untouched(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    minimal_folder(dest)
    (dest / "activities.csv").unlink()
    (dest / "activities.csv").mkdir()
    before = snapshot(dest)
    with pytest.raises(PortfolioWriteError, match="is a folder; expected a CSV file there"):
        write_tables(sample_tables(), dest)
    now = {k: v for k, v in snapshot(dest).items() if not k.startswith(".")}
    assert now == before


def test_failed_xlsx_write_leaves_previous_workbook_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "p.xlsx"
    write_tables(read_tables(SAMPLE)[0], dest)
    before = snapshot(tmp_path)

    def broken_save(self, filename):
        for ws in self.worksheets:  # as the real save does first: finish the sheets' streams
            ws.close()
        Path(filename).write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(PortfolioWriteError, match=r"cannot write .*p\.xlsx.*No space left"):
        write_tables({"courses": frame([], "courses")}, dest)
    assert snapshot(tmp_path) == before


def test_writing_a_folder_over_a_file_is_refused(tmp_path: Path) -> None:
    dest = write(tmp_path / "p", "not a folder")
    with pytest.raises(PortfolioWriteError, match="exists and is not a folder"):
        write_tables(read_tables(SAMPLE)[0], dest)
    assert dest.read_text() == "not a folder"


def test_rewriting_keeps_the_file_permissions(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    write_tables(read_tables(SAMPLE)[0], dest)
    os.chmod(dest / "courses.csv", 0o640)
    write_tables(read_tables(SAMPLE)[0], dest)
    assert stat.S_IMODE((dest / "courses.csv").stat().st_mode) == 0o640


def test_write_order_and_only_given_tables(tmp_path: Path) -> None:
    tables, _ = read_tables(SAMPLE)
    path = write_tables(dict(reversed(list(tables.items()))), tmp_path / "p.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == [
        "courses",
        "objectives",
        "activities",
        "organisations",
        "runs",
        "people",
    ]


# --------------------------------------------------------------------------- convert
def broken_copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src)
    text = (src / "activities.csv").read_text(encoding="utf-8")
    first = text.splitlines()[1]
    assert first.startswith("it-risk,A1,1,") and ",before," in first
    (src / "activities.csv").write_text(
        text.replace(first, first.replace(",before,", ",sometime,", 1), 1), encoding="utf-8"
    )
    return src


@pytest.mark.parametrize("dest_name", ["out.xlsx", "out"])
def test_convert_refuses_an_invalid_source_and_writes_nothing(
    tmp_path: Path, dest_name: str
) -> None:
    src = broken_copy(tmp_path)
    dest = tmp_path / dest_name
    with pytest.raises(ValidationError, match="1 error") as info:
        convert(src, dest)
    assert info.value.issues[["table", "row", "column", "value"]].values.tolist() == [
        ["activities", 2, "timing", "sometime"]
    ]
    assert not dest.exists()


def test_convert_refusal_leaves_an_existing_destination_alone(tmp_path: Path) -> None:
    dest = tmp_path / "existing.xlsx"
    convert(SAMPLE, dest)
    before = dest.read_bytes()
    with pytest.raises(ValidationError, match=r"\d+ errors? in the portfolio"):
        convert(broken_copy(tmp_path), dest)
    assert dest.read_bytes() == before


def test_convert_without_check_keeps_the_invalid_value(tmp_path: Path) -> None:
    src = broken_copy(tmp_path)
    dest = convert(src, tmp_path / "out.xlsx", check=False)
    assert dest == tmp_path / "out.xlsx"
    tables, _ = read_tables(dest)
    assert tables["activities"].loc[2, "timing"] == "sometime"
    assert_same_tables(tables, read_tables(src)[0])


def test_convert_both_ways_keeps_the_portfolio(tmp_path: Path) -> None:
    xlsx = convert(SAMPLE, tmp_path / "p.xlsx")
    back = convert(xlsx, tmp_path / "back")
    assert sorted(p.name for p in back.iterdir()) == sorted(p.name for p in SAMPLE.glob("*.csv"))
    assert_same_tables(read_tables(back)[0], read_tables(SAMPLE)[0])
    assert load_portfolio(xlsx).course_ids == load_portfolio(SAMPLE).course_ids


def test_convert_missing_source(tmp_path: Path) -> None:
    with pytest.raises(PortfolioNotFoundError, match=r"nothing.*the path does not exist"):
        convert(tmp_path / "nothing", tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_read_and_write_errors_are_socialkit_errors(tmp_path: Path) -> None:
    with pytest.raises(SocialkitError, match="no portfolio at"):
        read_tables(tmp_path / "missing")


def test_xlsx_rows_with_trailing_blank_cells_are_read(tmp_path: Path) -> None:
    # every data row leaves its last cells blank, as a course with only id and title does
    minimal_folder(tmp_path / "src")
    write(
        tmp_path / "src" / "courses.csv",
        "course_id,title,organisation,status\nc1,One,,\nc2,Two,,\n",
    )
    original, _ = read_tables(tmp_path / "src")
    xlsx = convert(tmp_path / "src", tmp_path / "p.xlsx")
    again, _ = read_tables(xlsx)
    assert_same_tables(again, original)
    assert load_portfolio(xlsx).course_ids == ["c1", "c2"]


@pytest.mark.parametrize("text", ["a\r\nb", "a\rb"], ids=["crlf", "cr"])
@pytest.mark.parametrize("dest_name", ["p.xlsx", "folder"])
def test_carriage_returns_in_cells_round_trip(tmp_path: Path, text: str, dest_name: str) -> None:
    # a cell pasted from a Windows program may hold CR LF; conversion must not lose it
    tables = {
        "courses": full([{"course_id": "c1", "title": text}], "courses"),
        "objectives": full([{}], "objectives"),
        "activities": full([{}], "activities"),
    }
    again, _ = read_tables(write_tables(tables, tmp_path / dest_name))
    assert again["courses"]["title"].tolist() == [text]
    assert_same_tables(again, tables)


@pytest.mark.parametrize(
    "text", ["_x0041_", "_x005F_x0041_", "a_x000D_b", " ", "\t", "  ", "_x"], ids=repr
)
def test_text_that_looks_like_an_excel_escape_or_is_blank_space_round_trips(
    tmp_path: Path, text: str
) -> None:
    # Excel decodes _xHHHH_ and XML may drop a cell of white space: both are escaped
    tables = {
        "courses": full([{"course_id": "c1", "title": text}], "courses"),
        "objectives": full([{}], "objectives"),
        "activities": full([{}], "activities"),
    }
    again, _ = read_tables(write_tables(tables, tmp_path / "p.xlsx"))
    assert again["courses"]["title"].tolist() == [text]


@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#REF!", "#NAME?"])
def test_text_like_an_excel_error_stays_text(tmp_path: Path, text: str) -> None:
    dest = write_tables(
        {"courses": full([{"course_id": "c1", "title": text}], "courses")}, tmp_path / "p.xlsx"
    )
    cell = openpyxl.load_workbook(dest)["courses"]["B2"]
    assert (cell.value, cell.data_type) == (text, "s")


# --------------------------------------------------------------------------- reading faults
def three_sheets(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "courses"
    wb["courses"].append(["course_id", "title"])
    wb["courses"].append(["c1", "One"])
    wb.create_sheet("objectives").append(["course_id", "objective_id", "statement"])
    wb["objectives"].append(["c1", "o1", "Do it"])
    wb.create_sheet("activities").append(["course_id", "activity_id", "seq", "title"])
    wb["activities"].append(["c1", "a1", 1, "Act"])
    wb.save(path)
    return path


def rewrite_part(path: Path, part: str, change) -> Path:
    with zipfile.ZipFile(path) as src:
        items = [(i.filename, src.read(i)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            if name == part:
                data = change(data)
            if data is not None:
                out.writestr(name, data)
    return path


ACTIVITIES_PART = "xl/worksheets/sheet3.xml"


def test_a_cell_reference_that_is_no_reference_is_a_read_error(tmp_path: Path) -> None:
    path = rewrite_part(
        three_sheets(tmp_path / "p.xlsx"),
        ACTIVITIES_PART,
        lambda d: d.replace(b'r="A2"', b'r="2A"'),
    )
    with pytest.raises(
        PortfolioReadError,
        match=r"sheet 'activities': not a readable sheet "
        r"\(cell reference '2A'\)",
    ) as info:
        read_tables(path)
    assert info.value.sheet == "activities"


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    # another program's sheet: no r on rows or cells; the exact scan follows them
    def strip_refs(data: bytes) -> bytes:
        return re.sub(rb' r="[A-Z]*[0-9]+"', b"", data)

    path = rewrite_part(three_sheets(tmp_path / "p.xlsx"), ACTIVITIES_PART, strip_refs)
    cells = zipfile.ZipFile(path).read(ACTIVITIES_PART).split(b"sheetData>")[1]
    assert b"<c " in cells and b' r="' not in cells
    tables, _ = read_tables(path)
    assert tables["activities"].to_dict("records") == [
        {"course_id": "c1", "activity_id": "a1", "seq": "1", "title": "Act"}
    ]


def test_a_used_area_past_the_cell_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    three_sheets(path)
    wb = openpyxl.load_workbook(path)
    wb["activities"]["ALL1"] = "far right"
    wb["activities"]["A10001"] = "far down"
    wb.save(path)
    # 1,000 columns x 10,001 rows = 10,001,000 cells > 10,000,000
    with pytest.raises(
        PortfolioReadError,
        match=r"sheet 'activities': the cells in use span "
        r"A1:ALL10001 \(10,001,000 cells: last row at A10001, last column at "
        r"ALL1\), past the 10,000,000 cells",
    ):
        read_tables(path)


def test_a_tag_longer_than_a_mebibyte_is_a_read_error(tmp_path: Path) -> None:
    def long_tag(data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b'<sheetData><x a="' + b"b" * (3 << 20) + b'"/>')

    path = rewrite_part(three_sheets(tmp_path / "p.xlsx"), ACTIVITIES_PART, long_tag)
    with pytest.raises(PortfolioReadError, match=r"holds a tag of over 1 MiB"):
        read_tables(path)


def test_a_huge_workbook_description_is_refused(tmp_path: Path) -> None:
    def pad(data: bytes) -> bytes:
        return data + b" " * (17 << 20)  # white space after the root: still XML

    path = rewrite_part(three_sheets(tmp_path / "p.xlsx"), "xl/workbook.xml", pad)
    with pytest.raises(
        PortfolioReadError,
        match=r"the part 'xl/workbook\.xml' declares "
        r"[\d,]+ bytes; a workbook's own description is never that large",
    ):
        read_tables(path)


def test_a_zip_without_a_workbook_part(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(
        PortfolioReadError,
        match=r"p\.xlsx: not an \.xlsx workbook \(no "
        r"'xl/workbook\.xml' part\)",
    ):
        read_tables(path)


def test_a_workbook_part_that_is_not_xml(tmp_path: Path) -> None:
    path = rewrite_part(three_sheets(tmp_path / "p.xlsx"), "xl/workbook.xml", lambda d: d[:40])
    with pytest.raises(PortfolioReadError, match=r"p\.xlsx: not a readable \.xlsx workbook"):
        read_tables(path)


def test_a_sheet_without_its_part(tmp_path: Path) -> None:
    path = rewrite_part(three_sheets(tmp_path / "p.xlsx"), ACTIVITIES_PART, lambda d: None)
    with pytest.raises(PortfolioReadError, match=r"sheet 'activities' has no part"):
        read_tables(path)


def test_a_sheet_calamine_cannot_parse(tmp_path: Path) -> None:
    path = rewrite_part(
        three_sheets(tmp_path / "p.xlsx"),
        ACTIVITIES_PART,
        lambda d: d.replace(b"</sheetData>", b"</sheetDat>"),
    )
    with pytest.raises(PortfolioReadError, match=r"p\.xlsx: not a readable \.xlsx workbook \("):
        read_tables(path)


def test_parts_are_counted_as_they_are_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the declared sizes are checked first; the count while unpacking is the second guard
    import socialkit.contract.xlsx_scan as scan

    path = three_sheets(tmp_path / "p.xlsx")
    monkeypatch.setattr(scan, "MAX_UNPACKED_BYTES", 100)
    with (
        zipfile.ZipFile(path) as zf,
        pytest.raises(
            PortfolioReadError, match=r"the part 'xl/worksheets/sheet3\.xml' unpacks to more than"
        ),
    ):
        scan._Unpacker(zf, "p.xlsx").count(ACTIVITIES_PART)


def test_bad_utf16_is_a_read_error(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    (tmp_path / "courses.csv").write_bytes(b"\xff\xfe" + "course_id".encode("utf-16-le")[:-1])
    with pytest.raises(
        PortfolioReadError,
        match=r"courses\.csv: starts as UTF-16 text but "
        r"byte \d+ is not UTF-16",
    ):
        read_tables(tmp_path)


@pytest.mark.parametrize("text", ["\n\nc1,One\n", ",\nc1,One\n", " , \nc1,One\n"])
def test_an_empty_header_row_is_a_read_error(tmp_path: Path, text: str) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "courses.csv", text)
    with pytest.raises(PortfolioReadError, match=r"courses\.csv: row 1, the header, is empty"):
        read_tables(tmp_path)


def test_an_unclosed_quote_names_its_row(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "courses.csv", 'course_id,title\n\nc1,One\nc2,"Two\nc3,Three\n')
    with pytest.raises(PortfolioReadError, match=r"courses\.csv, row 4: a double quote opens"):
        read_tables(tmp_path)


def test_old_mac_line_endings_are_read(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    (tmp_path / "courses.csv").write_bytes(b"course_id,title\rc1,One\r\rc2,Two\r")
    tables, _ = read_tables(tmp_path)
    assert tables["courses"]["title"].to_dict() == {2: "One", 4: "Two"}
    (tmp_path / "courses.csv").write_bytes(b"course_id,title\rc1,One\r\rc2,Two,x\r")
    with pytest.raises(PortfolioReadError, match=r"row 4 has 3 values, the header has 2"):
        read_tables(tmp_path)


def test_short_rows_and_trailing_commas_keep_every_value_in_its_column(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(
        tmp_path / "activities.csv",
        "course_id,activity_id,seq,title,timing\nc1,a1,1,Act,\nc1,a2,2\n\nc1,a3,3,T,after\n",
    )
    tables, notices = read_tables(tmp_path)
    a = tables["activities"]
    assert any("1 row(s) have fewer values than the header (rows 3)" in n for n in notices)
    assert a.index.tolist() == [2, 3, 5]
    assert a["activity_id"].tolist() == ["a1", "a2", "a3"]
    assert a["timing"].isna().tolist() == [True, True, False]
    assert a.loc[5, "timing"] == "after"


def test_a_read_error_carries_where(tmp_path: Path) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "activities.csv", "course_id,activity_id,seq,title\nc1,a1,1,A, B\n")
    with pytest.raises(PortfolioReadError, match="row 2 has 5 values") as info:
        read_tables(tmp_path)
    assert (info.value.file, info.value.row) == ("activities.csv", 2)


def test_the_readme_states_the_reading_limits() -> None:
    from socialkit.contract import limits as _limits

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"at most {_limits.MAX_COLUMNS:,} columns (`ALL`)" in text
    assert f"{_limits.MAX_ROWS:,} rows" in text
    assert f"{_limits.MAX_CELLS:,} cells" in text
    assert f"{_limits.MAX_UNPACKED_BYTES // 2**20} MiB unpacked" in text


@pytest.mark.parametrize("cell", ["B2", "AA2", "ALL9"], ids=["narrow", "wide", "exact"])
def test_each_part_counts_once_against_the_unpacked_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str
) -> None:
    # a sheet the cheap scan cannot vouch for is unpacked again by the wide or exact scan
    import socialkit.contract.xlsx_scan as scan

    path = tmp_path / "p.xlsx"
    three_sheets(path)
    wb = openpyxl.load_workbook(path)
    wb["activities"][cell] = "x" if cell != "B2" else "a1"
    wb["activities"]["XFD2000"].style = "Good"  # formatting only: no value, yet scanned
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        read = sum(
            i.file_size
            for i in zf.infolist()
            if i.filename.endswith((".xml", ".rels"))
            and (
                not i.filename.startswith("xl/worksheets/")
                or i.filename.startswith(
                    ("xl/worksheets/sheet1", "xl/worksheets/sheet2", "xl/worksheets/sheet3")
                )
            )
            and not i.filename.startswith("xl/worksheets/_rels/")
        )
    monkeypatch.setattr(scan, "MAX_UNPACKED_BYTES", read)
    if cell == "B2":
        assert read_tables(path)[0]["activities"].loc[2, "activity_id"] == "a1"
    else:
        with pytest.raises(PortfolioReadError, match=rf"cell {cell} holds 'x', right of the last"):
            read_tables(path)
    monkeypatch.setattr(scan, "MAX_UNPACKED_BYTES", read - 1)
    with pytest.raises(PortfolioReadError, match=r"unpacks to more than|declare"):
        read_tables(path)


def test_a_zip_of_an_unknown_version_is_a_read_error(tmp_path: Path) -> None:
    path = three_sheets(tmp_path / "p.xlsx")
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")  # the end record says where the central directory starts
    at = int.from_bytes(data[end + 16 : end + 20], "little")
    assert data[at : at + 4] == b"PK\x01\x02"
    data[at + 6] = 235  # the version needed to extract: 23.5
    path.write_bytes(bytes(data))
    with pytest.raises(
        PortfolioReadError,
        match=r"p\.xlsx: not a readable \.xlsx workbook "
        r"\(zip file version 23\.5\)",
    ):
        read_tables(path)


def test_an_unreadable_workbook_is_a_read_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = three_sheets(tmp_path / "p.xlsx")
    real = Path.open

    def deny(self: Path, *args, **kwargs):
        if self.name == "p.xlsx":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(PortfolioReadError, match=r"p\.xlsx: cannot be read \(Permission denied\)"):
        read_tables(path)


def test_a_sheet_without_a_header_row(tmp_path: Path) -> None:
    path = three_sheets(tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("tools")
    ws["B3"] = "Wiki"
    wb.save(path)
    with pytest.raises(
        PortfolioReadError,
        match=r"sheet 'tools': row 1, the header, is empty, "
        r"yet cell B3 holds 'Wiki'",
    ):
        read_tables(path)


def test_sheets_with_only_a_header_or_nothing(tmp_path: Path) -> None:
    path = three_sheets(tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("tools").append(["tool", "aliases"])
    wb.create_sheet("organisations")
    wb.save(path)
    tables, _ = read_tables(path)
    assert list(tables["tools"].columns) == ["tool", "aliases"] and tables["tools"].empty
    assert tables["organisations"].shape == (0, 0)


def test_a_long_cell_in_a_ragged_file_is_read(tmp_path: Path) -> None:
    # the record-by-record reader must not stop at the csv module's 128 KiB per cell
    minimal_folder(tmp_path)
    long = "x" * 200_000
    write(tmp_path / "courses.csv", f'course_id,title\nc1,"{long}"\nc2\n')
    tables, _ = read_tables(tmp_path)
    assert tables["courses"].loc[2, "title"] == long
    write(tmp_path / "courses.csv", f'course_id,title\nc1,"{long}"\nc2,T,extra\n')
    with pytest.raises(PortfolioReadError, match="row 3 has 3 values, the header has 2"):
        read_tables(tmp_path)


# --------------------------------------------------------------------------- writing rules
def test_xlsx_text_escapes_what_xml_cannot_hold_and_refuses_what_no_cell_holds() -> None:
    from socialkit.contract.writers import xlsx_text

    assert xlsx_text("a\x0bb") == "a_x000B_b"
    assert (
        xlsx_text("nul\x00 bell\x07 cr\r tab\t lf\n")
        == "nul_x0000_ bell_x0007_ cr_x000D_ tab\t lf\n"
    )
    assert xlsx_text("_x000B_") == "_x005F_x000B_"
    assert xlsx_text("  ") == "_x0020__x0020_"
    assert xlsx_text("\x85 é \U0001f600") == "\x85 é \U0001f600"
    assert xlsx_text("x" * 32767) == "x" * 32767
    with pytest.raises(PortfolioWriteError, match=r"^t, row 2: value 'xxx.*32,768 characters"):
        xlsx_text("x" * 32768, where="t, row 2")
    with pytest.raises(PortfolioWriteError, match=r"U\+FFFF"):
        xlsx_text("a\uffffb", where="t")
    with pytest.raises(PortfolioWriteError, match=r"U\+D800"):
        xlsx_text("a\ud800b", where="t")


def test_formula_risks_name_file_row_and_column_and_spare_plain_numbers() -> None:
    from socialkit.contract.writers import formula_risks

    df = pd.DataFrame(
        {"a": ["=1+1", "-5", "+3.5", "1e3", None, "@SUM(A1)", "- point", "\tx", "ok"]},
        dtype="str",
    )
    found = formula_risks({"activities": df})
    assert [m.split(": value")[0] for m in found] == [
        f"activities.csv, row {r}, column 'a'" for r in (2, 7, 8, 9)
    ]
    assert "'=1+1' starts with '='" in found[0]
    header = formula_risks({"courses": pd.DataFrame({"@name": ["x"], "-1": ["y"]}, dtype="str")})
    assert header == [
        "courses.csv, row 1 (the header): column name '@name' starts with '@', so Excel runs "
        "it as a formula when it opens the file; it is written as it is"
    ]


def test_csv_style_is_read_from_the_file(tmp_path: Path) -> None:
    from socialkit.contract.writers import CsvStyle, csv_style

    (tmp_path / "a.csv").write_bytes(b"\xef\xbb\xbfa,b\r\n1,2\r\n")
    (tmp_path / "b.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "c.csv").write_bytes(b"a;b\n1,5;2\n")
    assert csv_style(tmp_path / "a.csv") == CsvStyle(bom=True, newline="\r\n")
    assert csv_style(tmp_path / "c.csv") == CsvStyle(sep=";")
    assert csv_style(tmp_path / "b.csv") == CsvStyle()
    assert csv_style(tmp_path / "missing.csv") == CsvStyle()
    tables = read_tables(SAMPLE)[0]
    write_tables(tables, tmp_path / "p", styles={"courses": CsvStyle(True, "\r\n")})
    data = (tmp_path / "p" / "courses.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcourse_id,") and data.count(b"\n") == data.count(b"\r\n")
    assert b"\r" not in (tmp_path / "p" / "objectives.csv").read_bytes()
    assert read_tables(tmp_path / "p")[0]["courses"].equals(tables["courses"])


@pytest.mark.parametrize("blank_line", ["", "\n"], ids=["arrow", "pandas"])
def test_a_nul_in_a_cell_is_text(tmp_path: Path, blank_line: str) -> None:
    minimal_folder(tmp_path)
    write(tmp_path / "courses.csv", f"course_id,title\n{blank_line}c1,nul\x00 here\n")
    assert read_tables(tmp_path)[0]["courses"]["title"].tolist() == ["nul\x00 here"]


def test_an_older_tools_table_gets_the_bundled_aliases_suites_and_modes(tmp_path):
    (tmp_path / "courses.csv").write_text(
        "course_id,title,organisation\nc1,One,Corp\n", encoding="utf-8"
    )
    (tmp_path / "objectives.csv").write_text(
        "course_id,objective_id,statement\nc1,o1,Do\n", encoding="utf-8"
    )
    (tmp_path / "activities.csv").write_text(
        "course_id,activity_id,seq,title,objective_id,timing,tool\n"
        "c1,a1,1,One,o1,before,Microsoft Teams\nc1,a2,2,Two,o1,during,Yammer\n",
        encoding="utf-8",
    )
    (tmp_path / "organisations.csv").write_text(
        "organisation,platforms\nCorp,MS Teams\n", encoding="utf-8"
    )
    # written before the aliases, suite and modes columns; "Yammer" is a tool of its own
    (tmp_path / "tools.csv").write_text(
        "tool,tool_types,directions,hosting,onboarding,domains\n"
        "Teams,community,many-to-many,internal,single-sign-on,teams.microsoft.com\n"
        "Yammer,community,many-to-many,internal,single-sign-on,yammer.com\n",
        encoding="utf-8",
    )
    p = load_portfolio(tmp_path)
    assert p.activities["tool"].tolist() == ["Teams", "Yammer"]
    assert p.organisations.set_index("organisation").loc["Corp", "platforms"] == ("Teams",)
    tools = p.tools.set_index("tool")
    assert tools.loc["Teams", "aliases"] == ("Microsoft Teams", "MS Teams")
    assert tools.loc["Teams", "suite"] == "Microsoft 365"
    assert tools.loc["Teams", "modes"] == ("live", "own-time")
    # the bundled catalog does not list Yammer as a tool: nothing added to it
    assert tools.loc["Yammer", "aliases"] == () and tools.loc["Yammer", "modes"] == ()
    assert (
        "tools: no aliases, suite or modes column; for the tools the bundled catalog also "
        "lists, its values are used"
    ) in p.notices


def test_writing_a_workbook_reports_rows_as_it_goes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(socialkit.contract.writers, "PROGRESS_STEP", 2)
    tables = {
        "courses": frame([{"course_id": c, "title": c} for c in ("c1", "c2", "c3")], "courses"),
        "activities": frame(
            [{"course_id": c, "activity_id": "A1", "seq": "1", "title": "t"} for c in ("c1", "c2")],
            "activities",
        ),
    }
    calls: list[tuple[int, int]] = []
    write_tables(tables, tmp_path / "out.xlsx", progress=lambda *a: calls.append(a))
    # every 2 rows, and at the end of each sheet: 3 courses, then 2 activities
    assert calls == [(2, 5), (3, 5), (4, 5), (5, 5)]
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames == ["courses", "activities"]


def test_convert_passes_progress_on_and_a_csv_folder_needs_none(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    convert(SAMPLE, tmp_path / "sample.xlsx", progress=lambda *a: calls.append(a))
    rows = sum(len(t) for t in read_tables(SAMPLE)[0].values())
    assert calls[-1] == (rows, rows) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    again: list[tuple[int, int]] = []
    convert(tmp_path / "sample.xlsx", tmp_path / "back", progress=lambda *a: again.append(a))
    assert again == []  # a CSV folder is written in a moment


def test_the_bundled_tables_are_read_once_per_version_of_the_file(tmp_path, monkeypatch):
    import socialkit.contract.io as io_module

    (tmp_path / "organisations.csv").write_text("organisation,platforms\nAcme,Teams\n")
    monkeypatch.setattr(io_module, "catalog_path", lambda: tmp_path)
    first = io_module.read_defaults("organisations")
    first.loc[2, "platforms"] = "changed by the caller"  # a copy: the cache is untouched
    assert io_module.read_defaults("organisations").loc[2, "platforms"] == "Teams"
    (tmp_path / "organisations.csv").write_text("organisation,platforms\nAcme,Slack;Zoom\n")
    assert io_module.read_defaults("organisations").loc[2, "platforms"] == "Slack;Zoom"


def test_a_missing_bundled_table_is_a_read_error(tmp_path, monkeypatch):
    import socialkit.contract.io as io_module

    monkeypatch.setattr(io_module, "catalog_path", lambda: tmp_path)
    with pytest.raises(PortfolioReadError, match=r"organisations\.csv: cannot be read"):
        io_module.read_defaults("organisations")
