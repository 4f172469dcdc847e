"""The files a portfolio is made of: one CSV file per table in a folder, or the workbook."""

from __future__ import annotations

import gzip
from pathlib import Path

from socialkit.contract.layout import TABLE_FILES, portfolio_files, statement_files, table_file

TABLES = ["courses", "objectives", "activities", "tools", "organisations", "runs", "people"]


def test_a_folder_lists_every_table_file_in_table_order_present_or_not(tmp_path: Path) -> None:
    (tmp_path / "courses.csv").write_text("course_id\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a table", encoding="utf-8")
    assert portfolio_files(tmp_path) == [tmp_path / f"{t}.csv" for t in TABLES]


def test_a_workbook_or_a_missing_path_is_its_one_file(tmp_path: Path) -> None:
    book = tmp_path / "design.xlsx"
    assert portfolio_files(book) == [book]
    book.write_bytes(b"")
    assert portfolio_files(str(book)) == [book]


def test_table_files_name_each_table_and_table_file_finds_it(tmp_path: Path) -> None:
    assert TABLE_FILES == {f"{t}.csv": t for t in TABLES}
    assert table_file(tmp_path, "tools") == tmp_path / "tools.csv"


def test_statement_files_are_every_json_file_under_statements_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "statements"
    (folder / "2026" / "03").mkdir(parents=True)
    wanted = [
        folder / "2026" / "03" / "b.jsonl.gz",
        folder / "2026" / "a.NDJSON",
        folder / "export.json",
        folder / "more.json.gz",
        folder / "z.jsonl",
    ]
    for f in wanted:
        f.write_bytes(gzip.compress(b"{}\n") if f.suffix == ".gz" else b"{}\n")
    (folder / "notes.txt").write_text("not statements", encoding="utf-8")
    (folder / "old.json.bak").write_text("[]", encoding="utf-8")
    (folder / "dir.json").mkdir()  # a folder with a statement name is no file
    (tmp_path / "loose.json").write_text("[]", encoding="utf-8")  # outside statements/
    assert statement_files(tmp_path) == sorted(wanted)
    assert portfolio_files(tmp_path) == [tmp_path / f"{t}.csv" for t in TABLES] + sorted(wanted)


def test_no_statements_folder_or_a_workbook_has_no_statement_files(tmp_path: Path) -> None:
    assert statement_files(tmp_path) == []
    (tmp_path / "statements").write_text("a file, not a folder", encoding="utf-8")
    assert statement_files(tmp_path) == []
    assert statement_files(tmp_path / "design.xlsx") == []
