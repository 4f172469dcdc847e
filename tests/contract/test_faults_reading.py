"""Fault injection, reading: spreadsheets as people make them, met through the command line.

Each case builds the file a user would have (with openpyxl, by hand, or by patching the
workbook's XML as other programs write it), runs ``socialkit check`` (or ``convert``) and
checks the promise: one located ``error:`` line, exit 1, no traceback, nothing written.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from socialkit.cli import main

SOCIALKIT = Path(sys.executable).parent / "socialkit"
COURSES = "course_id,title\nc1,Course one\n"
OBJECTIVES = "course_id,objective_id,statement\nc1,o1,Do it\n"
ACTIVITIES = "course_id,activity_id,seq,title\nc1,A1,1,Read\nc1,A2,2,Discuss\n"


def folder(path: Path, **tables: str | bytes) -> Path:
    """A CSV portfolio; ``tables`` replace the minimal courses/objectives/activities."""
    path.mkdir(parents=True, exist_ok=True)
    files = {"courses": COURSES, "objectives": OBJECTIVES, "activities": ACTIVITIES, **tables}
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (path / f"{name}.csv").write_bytes(data)
    return path


def workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    for i, (name, text) in enumerate(
        [("courses", COURSES), ("objectives", OBJECTIVES), ("activities", ACTIVITIES)]
    ):
        ws = wb.active if i == 0 else wb.create_sheet(name)
        ws.title = name
        for line in text.splitlines():
            ws.append([int(v) if v.isdigit() else v for v in line.split(",")])
    return wb


def patch_part(path: Path, part: str, change) -> Path:
    """Rewrite one part of a saved workbook, as another program might have written it."""
    src = zipfile.ZipFile(path)
    items = [(info, src.read(info)) for info in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info.filename, change(data) if info.filename == part else data)
    return path


def check(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def refused(path: Path, pattern: str) -> str:
    code, output = check(path)
    assert code == 1, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- declared size
def test_one_value_in_the_last_cell_of_excel_is_refused_at_once(tmp_path: Path) -> None:
    # before: the reader tried to allocate 512 GiB and the process aborted
    wb = workbook()
    wb["activities"]["XFD1048576"] = "x"
    wb.save(tmp_path / "far.xlsx")
    done = subprocess.run(
        [str(SOCIALKIT), "check", "far.xlsx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.startswith("error: far.xlsx, sheet 'activities': cell XFD1048576 is in use")
    assert "last column socialkit reads (ALL, 1,000)" in done.stderr


@pytest.mark.parametrize("cell", ["XFD5000", "ALM2", "B1048577"])
def test_far_cells_are_refused_with_the_cell(tmp_path: Path, cell: str) -> None:
    wb = workbook()
    path = tmp_path / "far.xlsx"
    if cell == "B1048577":  # past Excel's last row: only another program writes that
        wb.save(path)
        patch_part(
            path,
            "xl/worksheets/sheet3.xml",
            lambda d: d.replace(
                b"</sheetData>",
                b'<row r="1048577"><c r="B1048577" t="inlineStr">'
                b"<is><t>x</t></is></c></row></sheetData>",
            ),
        )
        expected = r"cell B1048577 is in use, past the last row socialkit reads \(1,048,576\)"
    else:
        wb["activities"][cell] = 7
        wb.save(path)
        expected = rf"sheet 'activities': cell {cell} is in use, past the last column"
    refused(path, expected)


def test_a_false_dimension_tag_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    workbook().save(path)

    def claim(d: bytes) -> bytes:
        return re.sub(rb"<dimension ref=\"[^\"]*\" ?/>", b'<dimension ref="A1:XFD1048576"/>', d)

    for n in (1, 2, 3):
        patch_part(path, f"xl/worksheets/sheet{n}.xml", claim)
    assert b"XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    code, output = check(path)
    assert code == 0, output
    assert "c1" in output


def test_a_small_dimension_tag_does_not_hide_a_far_cell(tmp_path: Path) -> None:
    wb = workbook()
    wb["activities"]["XFD5000"] = "x"
    path = tmp_path / "p.xlsx"
    wb.save(path)
    patch_part(
        path,
        "xl/worksheets/sheet3.xml",
        lambda d: re.sub(rb"<dimension ref=\"[^\"]*\" ?/>", b'<dimension ref="A1:D3"/>', d),
    )
    refused(path, r"cell XFD5000 is in use")


def test_formatting_far_away_is_not_content(tmp_path: Path) -> None:
    # a styled empty cell is no value: calamine skips it, and so does the scan
    wb = workbook()
    wb["activities"]["XFD5000"].style = "Good"
    path = tmp_path / "p.xlsx"
    wb.save(path)
    assert b'r="XFD5000"' in zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    code, output = check(path)
    assert code == 0, output


def big_cell(path: Path, mib: int) -> Path:
    """A workbook whose first title is ``mib`` MiB of 'a', deflated to well under 1 MB."""
    workbook().save(path)
    src = zipfile.ZipFile(path)
    items = [(info.filename, src.read(info)) for info in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            if name != "xl/worksheets/sheet1.xml":
                out.writestr(name, data)
                continue
            head, tail = data.split(b"<t>Course one</t>")
            with out.open(name, "w") as fh:
                fh.write(head + b"<t>")
                block = b"a" * (1 << 20)
                for _ in range(mib):
                    fh.write(block)
                fh.write(b"</t>" + tail)
    return path


def test_a_huge_cell_in_a_small_file_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    # before: 9.4 GB of memory, 38 s, and the cell printed
    path = big_cell(tmp_path / "bomb.xlsx", 260)
    assert path.stat().st_size < 1_000_000
    line = refused(path, r"bomb\.xlsx: its parts declare [\d,]+ bytes unpacked")
    assert "past the 256 MiB socialkit reads from a workbook" in line
    assert "aaaa" not in line


def test_sizes_the_zip_declares_falsely_are_not_trusted(tmp_path: Path) -> None:
    # the zip directory claims 100 bytes for a sheet of 2 MiB
    path = big_cell(tmp_path / "liar.xlsx", 2)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        for m in re.finditer(re.escape(sig), bytes(data)):
            if data[m.start() + name_at : m.start() + name_at + len(name)] == name:
                data[m.start() + size_at : m.start() + size_at + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo(name.decode()).file_size == 100
    refused(path, r"liar\.xlsx: not a readable \.xlsx workbook \(part 'xl/worksheets/sheet1\.xml'")


# --------------------------------------------------------------------------- headers
@pytest.mark.parametrize(
    ("header", "second"), [("title,title ", "'title '"), ("Title,title", "'title'")]
)
def test_a_header_naming_a_column_twice_is_located_in_csv(
    tmp_path: Path, header: str, second: str
) -> None:
    # before: TypeError: factorize requires a Series
    src = folder(tmp_path / "p", courses=f"course_id,{header}\nc1,One,Two\n")
    line = refused(src, rf"courses\.csv, row 1: column 2 \('[Tt]itle'\) and column 3 \({second}\)")
    assert "name the same column" in line


def test_a_header_naming_a_column_twice_is_located_in_a_workbook(tmp_path: Path) -> None:
    wb = workbook()
    wb["courses"]["C1"] = "title "
    wb["courses"]["C2"] = "Again"
    wb.save(tmp_path / "p.xlsx")
    refused(tmp_path / "p.xlsx", r"sheet 'courses', row 1: cell B1 \('title'\) and cell C1")


def test_blank_header_cells_with_values_are_refused_and_convert_writes_nothing(
    tmp_path: Path,
) -> None:
    # before: check said valid, convert raised AttributeError and left an empty folder
    src = folder(tmp_path / "p", activities="course_id,activity_id,,,seq,title\nc1,A1,x,y,1,T\n")
    refused(src, r"activities\.csv: column 3 has no header but holds values \(row 2: 'x'\)")
    for dest in ("out", "out.xlsx"):
        result = CliRunner().invoke(main, ["convert", "--no-check", str(src), str(tmp_path / dest)])
        assert result.exit_code == 1, result.output
        assert "column 3 has no header" in result.output and "Traceback" not in result.output
        assert not (tmp_path / dest).exists()


def test_blank_header_cell_with_values_in_a_workbook(tmp_path: Path) -> None:
    wb = workbook()
    ws = wb["activities"]
    ws.insert_cols(3)
    ws["C3"] = "stray"
    wb.save(tmp_path / "p.xlsx")
    refused(
        tmp_path / "p.xlsx",
        r"sheet 'activities': cell C1 has no header but holds values "
        r"\(row 3: 'stray'\)",
    )


def test_a_value_right_of_the_last_header_is_refused_in_a_workbook(tmp_path: Path) -> None:
    # before: dropped by check, convert and the editor's save
    wb = workbook()
    wb["activities"]["F3"] = "note"
    wb.save(tmp_path / "p.xlsx")
    refused(
        tmp_path / "p.xlsx",
        r"sheet 'activities': cell F3 holds 'note', right of the last "
        r"header \(the last named column is column D\)",
    )


def test_blank_columns_without_values_are_dropped(tmp_path: Path) -> None:
    src = folder(tmp_path / "p", courses="course_id,title,,\nc1,One,,\n")
    code, output = check(src)
    assert code == 0, output
    assert "unknown column" not in output


# --------------------------------------------------------------------------- CSV
UNQUOTED = "course_id,activity_id,seq,title\nc1,A1,1,Share, then discuss\nc1,A2,2,Read\n"


@pytest.mark.parametrize(
    ("text", "row"),
    [
        (UNQUOTED, 2),  # the first data row: before, every column shifted by one
        (UNQUOTED.replace("c1,A2", "\nc1,A2"), 2),  # a blank line: pandas' parser
        ("course_id,activity_id,seq,title\nc1,A0,1,Read\nc1,A1,2,Share, then discuss\n", 3),
        ("course_id,activity_id,seq,title\n\nc1,A0,1,Read\nc1,A1,2,Share, then discuss\n", 4),
    ],
    ids=["first-row", "first-row-blank-line", "later-row", "later-row-blank-line"],
)
def test_an_unquoted_comma_names_the_row(tmp_path: Path, text: str, row: int) -> None:
    src = folder(tmp_path / "p", activities=text)
    refused(src, rf"activities\.csv: row {row} has 5 values, the header has 4 \('c1', ")


def test_an_unquoted_comma_is_refused_by_convert_without_check(tmp_path: Path) -> None:
    # before: convert --no-check wrote the course ids into the index and dropped them
    src = folder(tmp_path / "p", activities=UNQUOTED)
    result = CliRunner().invoke(main, ["convert", "--no-check", str(src), str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "row 2 has 5 values, the header has 4" in result.output
    assert not (tmp_path / "o").exists()


def test_a_semicolon_separated_file_is_read_with_a_notice(tmp_path: Path) -> None:
    semi = 'course_id;activity_id;seq;title\nc1;A1;1;"Read; then discuss"\nc1;A2;2;Talk\n'
    src = folder(tmp_path / "p", activities=semi.encode("utf-8-sig"))
    code, output = check(src)
    assert code == 0, output
    assert "note: activities.csv: read as separated by semicolons (;), not commas" in output


def test_a_semicolon_header_of_unknown_names_is_refused_naming_the_separator(
    tmp_path: Path,
) -> None:
    src = folder(tmp_path / "p", courses="kurs;titel\nc1;Eins\n")
    refused(src, r"courses\.csv, row 1: the header is separated by semicolons \(;\), not commas")


def test_excel_unicode_text_is_read(tmp_path: Path) -> None:
    text = ACTIVITIES.replace(",", "\t").replace("\n", "\r\n").replace("Read", "Réunion 🙂")
    src = folder(tmp_path / "p", activities=text.encode("utf-16"))  # with its BOM
    code, output = check(src)
    assert code == 0, output
    assert "read as UTF-16 text" in output and "separated by tabs" in output


def test_utf16_without_a_byte_order_mark_is_refused_clearly(tmp_path: Path) -> None:
    src = folder(tmp_path / "p", activities=ACTIVITIES.encode("utf-16-le"))
    refused(src, r"activities\.csv, row 1: a NUL byte \(byte 1\) in the header: the file is UTF-16")


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"", r"courses\.csv: the file is empty; expected a header row"),
        (b"\r\n \n", r"courses\.csv: the file is empty"),
        (b"course_id\x00,title\nc1,One\n", r"courses\.csv, row 1: a NUL byte \(byte 9\) in the"),
        (b"PK\x03\x04" + b"\x00" * 40, r"courses\.csv: is a zip archive \(an \.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, r"courses\.csv: is an Excel 97"),
        (b"course_id,title\nc1,Am\xe9lie\n", r"courses\.csv, row 2: not UTF-8 text \(byte 21\)"),
        (b"course_id," * 1200 + b"\n", r"courses\.csv: the header has 1,201 columns"),
    ],
    ids=["empty", "blank", "nul", "xlsx", "xls", "latin-1", "wide"],
)
def test_csv_files_that_are_no_csv_text(tmp_path: Path, data: bytes, pattern: str) -> None:
    refused(folder(tmp_path / "p", courses=data), pattern)


def test_only_a_header_is_an_empty_table(tmp_path: Path) -> None:
    src = folder(tmp_path / "p", activities="course_id,activity_id,seq,title\n")
    code, output = check(src)
    assert "Traceback" not in output
    assert code in (0, 1)


# --------------------------------------------------------------------------- sheets
def test_a_hidden_sheet_never_replaces_a_visible_one(tmp_path: Path) -> None:
    wb = workbook()
    wb["activities"].sheet_state = "hidden"
    visible = wb.create_sheet("Activities ")
    visible.append(["course_id", "activity_id", "seq", "title"])
    wb.save(tmp_path / "p.xlsx")
    refused(
        tmp_path / "p.xlsx",
        r"p\.xlsx: sheets 'activities' \(hidden\) and 'Activities ' both hold the activities",
    )


def test_a_table_whose_only_sheet_is_hidden_says_so(tmp_path: Path) -> None:
    wb = workbook()
    wb["objectives"].sheet_state = "hidden"
    wb.save(tmp_path / "p.xlsx")
    code, output = check(tmp_path / "p.xlsx")
    assert code == 0, output
    assert (
        "note: p.xlsx: the objectives table is read from sheet 'objectives', which is hidden"
        in (output)
    )


def test_a_chart_sheet_named_like_a_table(tmp_path: Path) -> None:
    wb = workbook()
    del wb["activities"]
    wb.create_chartsheet("activities")
    wb.save(tmp_path / "p.xlsx")
    refused(tmp_path / "p.xlsx", r"sheet 'activities': is a chartsheet, not a table of cells")


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"", r"p\.xlsx: the file is empty"),
        (COURSES.encode(), r"p\.xlsx: is a text file \(CSV\?\) under an \.xlsx name"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, r"p\.xlsx: is an Excel 97-2003"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            r"p\.xlsx: the workbook is protected by a password",
        ),
        (b"PK\x03\x04 truncated", r"p\.xlsx: not a readable \.xlsx workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"p\.xlsx: not an \.xlsx workbook \(not a zip archive\)"),
    ],
    ids=["empty", "csv", "xls", "password", "truncated", "png"],
)
def test_files_named_xlsx_that_are_no_workbook(tmp_path: Path, data: bytes, pattern: str) -> None:
    (tmp_path / "p.xlsx").write_bytes(data)
    refused(tmp_path / "p.xlsx", pattern)


def test_a_sheet_with_many_columns_is_refused(tmp_path: Path) -> None:
    wb = workbook()
    ws = wb["courses"]
    for col in range(3, 1203):
        ws.cell(row=1, column=col, value=f"extra{col}")
    wb.save(tmp_path / "p.xlsx")
    refused(tmp_path / "p.xlsx", r"sheet 'courses': cell ALM1 is in use, past the last column")


def test_a_very_hidden_sheet_beside_a_visible_one(tmp_path: Path) -> None:
    # Excel's "very hidden" (set in the VBA editor) cannot even be unhidden from the menu
    wb = workbook()
    wb["courses"].sheet_state = "veryHidden"
    visible = wb.create_sheet(" Courses")  # Excel refuses two names that differ in case only
    visible.append(["course_id", "title"])
    visible.append(["c9", "The visible one"])
    wb.save(tmp_path / "p.xlsx")
    refused(
        tmp_path / "p.xlsx",
        r"sheets 'courses' \(veryHidden\) and ' Courses' both hold the courses table",
    )


def test_values_right_of_the_header_in_csv_are_never_dropped(tmp_path: Path) -> None:
    # a value under no header (the header ends with a separator) and one past the header
    src = folder(tmp_path / "p", courses="course_id,title,\nc1,One,kept?\n")
    refused(src, r"courses\.csv: column 3 has no header but holds values \(row 2: 'kept\?'\)")
    src = folder(tmp_path / "q", courses="course_id,title\nc1,One\nc2,Two,kept?\n")
    refused(src, r"courses\.csv: row 3 has 3 values, the header has 2")


# --------------------------------------------------------------------------- parts calamine reads
def redirected(path: Path, main_elsewhere: bool) -> Path:
    """A workbook whose courses sheet is ``sheet9.xml``, with a value at ALZ20000 (past the
    last column, yet small enough not to exhaust memory should the scan miss it); with
    ``main_elsewhere`` the package's main part is a clean copy, ``xl/myworkbook.xml``."""
    workbook().save(path)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    far = b'<row r="20000"><c r="ALZ20000"><v>1</v></c></row></sheetData>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            if part == "_rels/.rels" and main_elsewhere:
                data = data.replace(b"xl/workbook.xml", b"xl/myworkbook.xml")
            if part == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"sheet1.xml", b"sheet9.xml")
            out.writestr(part, data)
        out.writestr("xl/myworkbook.xml", parts["xl/workbook.xml"])
        out.writestr("xl/_rels/myworkbook.xml.rels", parts["xl/_rels/workbook.xml.rels"])
        sheet = parts["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", far)
        out.writestr("xl/worksheets/sheet9.xml", sheet)
    return path


def test_a_main_part_other_than_the_one_read_is_refused(tmp_path: Path) -> None:
    # before: the scan followed _rels/.rels to the clean copy, calamine read the far cell
    path = redirected(tmp_path / "p.xlsx", main_elsewhere=True)
    refused(
        path, r"p\.xlsx: .*main part is 'xl/myworkbook\.xml', socialkit reads 'xl/workbook\.xml'"
    )


def test_the_sheet_scanned_is_the_sheet_read(tmp_path: Path) -> None:
    path = redirected(tmp_path / "p.xlsx", main_elsewhere=False)
    refused(path, r"sheet 'courses': cell ALZ20000 is in use, past the last column")


def test_a_sheet_named_by_a_second_id_attribute_is_scanned(tmp_path: Path) -> None:
    # the sheet's id under another prefix names the far sheet: it is scanned too
    path = redirected(tmp_path / "p.xlsx", main_elsewhere=False)
    patch_part(
        path, "xl/_rels/workbook.xml.rels", lambda d: d.replace(b"sheet9.xml", b"sheet1.xml")
    )
    patch_part(
        path,
        "xl/_rels/workbook.xml.rels",
        lambda d: d.replace(
            b"</Relationships>",
            b'<Relationship Id="rFar" Target="worksheets/sheet9.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
        ),
    )
    patch_part(
        path,
        "xl/workbook.xml",
        lambda d: d.replace(b'name="courses"', b'name="courses" xmlns:q="urn:q" q:id="rFar"'),
    )
    refused(path, r"sheet 'courses': cell ALZ20000 is in use, past the last column")


# --------------------------------------------------------------------------- ragged rows
COURSES7 = "course_id,title,organisation,audience,owner,formal_moment,status\n"
SHIFTED = "c9,Intro to risk,Contoso IT Services,Managers, leads,Project Academy,,\n"


@pytest.mark.parametrize("blank_line", [False, True], ids=["fast-path", "fallback"])
def test_a_row_longer_than_the_header_is_refused_even_if_blank(
    tmp_path: Path, blank_line: bool
) -> None:
    # before: the two blank extras were taken for trailing commas; every column shifted
    good = "c1,Course one,Org,All,Team,Workshop,final\n"
    text = COURSES7 + ("\n" if blank_line else "") + good + SHIFTED
    row = 4 if blank_line else 3
    src = folder(tmp_path / "p", courses=text, objectives="course_id,objective_id,statement\n")
    refused(src, rf"courses\.csv: row {row} has 8 values, the header has 7 \('c9', ")


def test_trailing_commas_on_every_line_header_included_are_read(tmp_path: Path) -> None:
    text = "course_id,title,,\nc1,Course one,,\n"
    code, output = check(folder(tmp_path / "p", courses=text))
    assert code == 0, output


def test_a_trailing_comma_the_header_lacks_is_refused(tmp_path: Path) -> None:
    src = folder(tmp_path / "p", activities=ACTIVITIES.replace("Read\n", "Read,\n"))
    refused(src, r"activities\.csv: row 2 has 5 values, the header has 4 \('c1', 'A1', '1', ")


@pytest.mark.parametrize("blank_line", [False, True], ids=["fast-path", "fallback"])
def test_rows_shorter_than_the_header_are_said(tmp_path: Path, blank_line: bool) -> None:
    lines = ["c1,A1,1,Read"] + [f"c1,A{i},{i}" for i in range(2, 10)]  # 8 short rows
    text = "course_id,activity_id,seq,title\n" + ("\n" if blank_line else "") + "\n".join(lines)
    _, output = check(folder(tmp_path / "p", activities=text + "\n"))
    first = 4 if blank_line else 3
    shown = ", ".join(str(first + i) for i in range(5))
    assert f"activities.csv: 8 row(s) have fewer values than the header (rows {shown}, …)" in (
        output
    ), output
    assert "their last columns are read as blank" in output


# --------------------------------------------------------------------------- where bytes fail
@pytest.mark.parametrize(
    ("data", "row"),
    [
        # a quoted cell over three lines is one row: the bad byte is in row 3, line 5
        (b'course_id,title\nc1,"one\ntwo\nthree"\nc2,caf\xe9\n', 3),
        (b"course_id,title\rc1,one\rc2,two\rc3,caf\xe9\r", 4),  # old Mac line breaks
        (b"course_id,title\r\n\r\nc1,caf\xe9\r\n", 3),  # a blank line is a row
    ],
    ids=["quoted-lines", "cr-only", "blank-line"],
)
def test_a_byte_that_is_not_utf8_names_its_row(tmp_path: Path, data: bytes, row: int) -> None:
    src = folder(tmp_path / "p", courses=data)
    at = data.index(b"\xe9")
    refused(src, rf"courses\.csv, row {row}: not UTF-8 text \(byte {at}\)")


# --------------------------------------------------------------------------- bounded messages
def test_a_row_of_200000_values_is_shown_in_brief(tmp_path: Path) -> None:
    row = "c1,A1,1,Read," + ",".join(f"v{i}" for i in range(200_000))
    src = folder(tmp_path / "p", activities="course_id,activity_id,seq,title\n" + row + "\n")
    line = refused(
        src,
        r"activities\.csv: row 2 has 200,004 values, the header has 4 "
        r"\('c1', 'A1', '1', 'Read', 'v0', … 199,999 more\)",
    )
    assert len(line) < 400


@pytest.mark.parametrize("boms", [2, 3])
def test_a_doubled_byte_order_mark_is_read(tmp_path: Path, boms: int) -> None:
    src = folder(tmp_path / "p", courses=b"\xef\xbb\xbf" * boms + COURSES.encode())
    code, output = check(src)
    assert code == 0, output
    assert "c1" in output and "Course one" in output


def test_a_row_without_the_header_s_trailing_blank_columns_is_no_short_row(
    tmp_path: Path,
) -> None:
    text = "course_id,title,,\nc1,Course one,,\nc2,Course two\n"
    code, output = check(folder(tmp_path / "p", courses=text))
    assert code == 0, output
    assert "fewer values" not in output
    text = "course_id,title,,\nc1,Course one,,\nc2\n"  # row 3 lacks its title: said
    _, output = check(folder(tmp_path / "q", courses=text))
    assert "courses.csv: 1 row(s) have fewer values than the header (rows 3)" in output
