"""The files a portfolio is made of: one CSV file per table in a folder, or the workbook."""

from __future__ import annotations

from pathlib import Path

from socialkit.contract.layout import TABLE_FILES, portfolio_files, table_file

TABLES = ["courses", "objectives", "activities", "tools", "organisations"]


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
