"""The delivery tables in files: ``runs.csv`` and ``people.csv`` of a CSV folder, sheets
``runs`` and ``people`` of a workbook, kept as written through every write and conversion."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pandas.testing import assert_frame_equal

from socialkit.cli import main
from socialkit.contract.io import convert, load_portfolio, read_tables, write_tables
from socialkit.errors import ValidationError

RUNS = (
    "course_id,run_id,starts,ends,timezone,registration\n"
    "it-risk,2026-spring,2026-03-02,,Europe/Brussels,3F2B8C1E-0D4A-4B6E-9C1F-2A7D5E8B9C10\n"
    "it-risk,=1+1,2026-03-29T09:00,2026-03-29T17:30,Europe/Brussels,\n"
)
PEOPLE = (
    "course_id,run_id,person,role,note\n"
    "it-risk,2026-spring,mailto:Ann@Example.org,Student,@first\n"
    "it-risk,2026-spring,account:https://lms.example.org::T-1,tutor,\n"
    "it-risk,=1+1,mailto:bob@example.org,participant,-2\n"
)


@pytest.fixture
def delivered(sample_copy: Path) -> Path:
    (sample_copy / "runs.csv").write_text(RUNS, encoding="utf-8")
    (sample_copy / "people.csv").write_text(PEOPLE, encoding="utf-8")
    acts = pd.read_csv(sample_copy / "activities.csv", dtype="str", keep_default_na=False)
    acts = acts.drop(columns="xapi_ids")  # the sample's own, replaced by one of this test's
    acts.insert(9, "xapi_ids", "")
    acts.loc[0, "xapi_ids"] = "https://lms.example.org/a/1; https://lms.example.org/a/1b"
    acts.to_csv(sample_copy / "activities.csv", index=False)
    return sample_copy


def test_a_csv_folder_with_delivery_data_loads_it(delivered: Path) -> None:
    p = load_portfolio(delivered)
    assert p.runs[["course_id", "run_id", "row"]].values.tolist() == [
        ["it-risk", "2026-spring", 2],
        ["it-risk", "=1+1", 3],
    ]
    assert p.runs["starts"].tolist() == [
        pd.Timestamp("2026-03-01T23:00", tz="UTC"),
        pd.Timestamp("2026-03-29T07:00", tz="UTC"),
    ]
    assert p.runs["registration"].tolist() == ["3f2b8c1e-0d4a-4b6e-9c1f-2a7d5e8b9c10", None]
    assert p.people["person"].tolist() == [
        "mailto:ann@example.org",
        "account:https://lms.example.org::T-1",
        "mailto:bob@example.org",
    ]
    assert p.people["role"].tolist() == ["learner", "trainer", "learner"]
    assert p.activities["xapi_ids"].iloc[0] == (
        "https://lms.example.org/a/1",
        "https://lms.example.org/a/1b",
    )
    assert set(p.activities["xapi_ids"].iloc[1:]) == {()}
    assert any("people: unknown column(s) 'note'" in n for n in p.notices)


def test_an_invalid_delivery_row_is_located_in_its_file(delivered: Path) -> None:
    (delivered / "people.csv").write_text(PEOPLE.replace("tutor", "boss"), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"people, row 3, column 'role': value 'boss'"):
        load_portfolio(delivered)
    p = load_portfolio(delivered, partial=True)
    assert "it-risk" not in p.course_ids and len(p.course_ids) == 13
    assert len(p.runs) == len(p.people) == 0


def test_the_delivery_tables_round_trip_through_a_workbook(delivered: Path, tmp_path: Path):
    original, notices = read_tables(delivered)
    assert {"runs", "people"} <= set(original)
    book = write_tables(original, tmp_path / "p.xlsx")
    again, notices_again = read_tables(book)
    assert notices_again == notices
    for name in original:
        assert_frame_equal(again[name], original[name], obj=name)
    folder = write_tables(again, tmp_path / "back")
    assert {"runs.csv", "people.csv"} <= {f.name for f in folder.iterdir()}
    for name, df in read_tables(folder)[0].items():
        assert_frame_equal(df, original[name], obj=name)
    a, b = load_portfolio(delivered), load_portfolio(book)
    for name in ("runs", "people", "activities"):
        assert_frame_equal(getattr(b, name), getattr(a, name), obj=name)


def test_text_in_the_new_sheets_never_becomes_a_formula(delivered: Path, tmp_path: Path):
    book = convert(delivered, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(book)
    cells = {
        sheet: [c for row in wb[sheet].iter_rows() for c in row if c.value is not None]
        for sheet in ("runs", "people")
    }
    assert {c.data_type for cs in cells.values() for c in cs} == {"s"}
    assert "=1+1" in [c.value for c in cells["runs"]]
    assert {"=1+1", "@first", "-2"} <= {c.value for c in cells["people"]}


def test_socialkit_convert_carries_runs_and_people_both_ways(delivered: Path, tmp_path: Path):
    runner = CliRunner()
    book, back = tmp_path / "p.xlsx", tmp_path / "back"
    assert runner.invoke(main, ["convert", str(delivered), str(book)]).exit_code == 0
    assert runner.invoke(main, ["convert", str(book), str(back)]).exit_code == 0
    assert (back / "runs.csv").read_text(encoding="utf-8").splitlines()[1:] == RUNS.splitlines()[1:]
    assert load_portfolio(back).people["person"].tolist() == [
        "mailto:ann@example.org",
        "account:https://lms.example.org::T-1",
        "mailto:bob@example.org",
    ]


def test_workbook_sheet_names_are_matched_as_table_names_are(delivered: Path, tmp_path: Path):
    book = convert(delivered, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["runs"].title = "Runs "
    wb["people"].title = "x"  # openpyxl would add a digit to a name only a case apart
    wb["x"].title = "PEOPLE"
    wb.save(book)
    p = load_portfolio(book)
    assert p.runs["run_id"].tolist() == ["2026-spring", "=1+1"]
    assert len(p.people) == 3


def test_a_portfolio_without_delivery_files_is_read_as_before(sample_copy: Path) -> None:
    # the sample without its delivery data
    (sample_copy / "runs.csv").unlink()
    (sample_copy / "people.csv").unlink()
    acts = pd.read_csv(sample_copy / "activities.csv", dtype="str", keep_default_na=False)
    acts.drop(columns="xapi_ids").to_csv(sample_copy / "activities.csv", index=False)
    tables, _ = read_tables(sample_copy)
    assert "runs" not in tables and "people" not in tables
    p = load_portfolio(sample_copy)
    assert len(p.runs) == len(p.people) == 0
    assert set(p.activities["xapi_ids"]) == {()}


def test_the_editor_saves_a_design_change_and_leaves_delivery_files_as_they_were(
    delivered: Path,
) -> None:
    from socialkit.editor.draft import DesignDraft

    statements = delivered / "statements" / "2026"
    statements.mkdir(parents=True)
    (statements / "a.jsonl").write_text("{}\n", encoding="utf-8")
    before = {f: f.read_bytes() for f in delivered.rglob("*") if f.is_file()}
    draft = DesignDraft(delivered, "it-risk")
    draft.set_activity("A1", learner_benefit="Saves an hour")
    draft.save()
    after = {f: f.read_bytes() for f in delivered.rglob("*") if f.is_file()}
    assert set(after) == set(before)
    assert [f.name for f in before if after[f] != before[f]] == ["activities.csv"]
    # statements arriving meanwhile (a pull) are no change to the design being edited ...
    (statements / "a.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    assert not draft.changed_on_disk()
    # ... but a people table changed by someone else is
    people = delivered / "people.csv"
    people.write_bytes(
        people.read_bytes() + b"it-risk,2026-spring,mailto:new@example.org,learner\n"
    )
    assert draft.changed_on_disk()
