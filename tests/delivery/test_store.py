"""Placed statements kept as Parquet partitioned by course: layout, round trip, replacing."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from delivery_tables import ANN, BOB, TINA, VIEWED

from socialkit.delivery.placing import Placed
from socialkit.delivery.store import MARKER, STORE_COLUMNS, read_parquet, write_parquet
from socialkit.errors import DestinationNotEmptyError, SocialkitError


def placed(*courses: str) -> Placed:
    """Three statements per course: Tina's post during, Ann before, Bob after."""
    rows = []
    for c in courses:
        rows += [
            (c, "r1", "forum", "s1", TINA, "during", "trainer", "one-to-many", "2026-03-02T10:00Z"),
            (c, "r1", "forum", None, ANN, "before", "learner", "many-to-one", "2026-03-01T10:00Z"),
            (c, "r1", "brief", "s3", BOB, "after", "learner", "many-to-many", "2026-03-03T10:00Z"),
        ]
    frame = pd.DataFrame(
        rows,
        columns=["course_id", "run_id", "activity_id", "id", "actor", "phase", "role",
                 "interaction", "time"],
    )  # fmt: skip
    frame["time"] = pd.to_datetime(frame["time"], utc=True).astype("datetime64[ns, UTC]")
    frame["verb"] = VIEWED
    frame["stmt"] = range(len(frame))
    for column, categories in {
        "phase": ["before", "during", "after"],
        "role": ["learner", "trainer"],
        "interaction": ["one-to-many", "many-to-one", "many-to-many"],
    }.items():
        frame[column] = pd.Categorical(frame[column], categories=categories)
    return Placed(frame=frame, used=len(frame))


def test_one_folder_per_course_and_the_statements_read_back(tmp_path):
    dest = write_parquet(placed("c1", "c2"), tmp_path / "store")
    assert dest == tmp_path / "store"
    assert sorted(p.name for p in dest.iterdir()) == [MARKER, "course_id=c1", "course_id=c2"]
    assert json.loads((dest / MARKER).read_text())["partitioned_by"] == "course_id"
    part = pq.read_table(dest / "course_id=c1" / "part-0.parquet")
    assert part.num_rows == 3 and "course_id" not in part.column_names  # in the folder name
    back = read_parquet(dest).sort_values(["course_id", "time"], ignore_index=True)
    assert back.columns.tolist() == list(STORE_COLUMNS)
    assert back["course_id"].tolist() == ["c1"] * 3 + ["c2"] * 3
    assert back["actor"].tolist() == [ANN, TINA, BOB] * 2
    assert back["id"].isna().tolist()[:3] == [True, False, False]  # Ann's had none
    assert back["id"].tolist()[1:3] == ["s1", "s3"]
    assert back["phase"].tolist()[:3] == ["before", "during", "after"]
    assert back["phase"].cat.categories.tolist() == ["before", "during", "after"]
    assert back["interaction"].tolist()[:3] == ["many-to-one", "one-to-many", "many-to-many"]
    assert back["time"].iloc[0] == pd.Timestamp("2026-03-01T10:00Z")
    assert str(back["time"].dtype) == "datetime64[ns, UTC]"


def test_a_course_id_with_slashes_spaces_and_accents_reads_back_as_written(tmp_path):
    odd = "HR/2026 é=50%"
    dest = write_parquet(placed(odd), tmp_path / "store")
    folders = [p.name for p in dest.iterdir() if p.is_dir()]
    assert folders == ["course_id=HR%2F2026%20%C3%A9%3D50%25"]  # one folder, escaped
    assert read_parquet(dest)["course_id"].unique().tolist() == [odd]


def test_a_store_written_before_is_replaced_whole(tmp_path):
    dest = tmp_path / "store"
    write_parquet(placed("c1", "c2"), dest)
    write_parquet(placed("c3"), dest)
    assert sorted(p.name for p in dest.iterdir()) == [MARKER, "course_id=c3"]
    assert read_parquet(dest)["course_id"].unique().tolist() == ["c3"]
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no temporary folder left


def test_no_statements_give_an_empty_store_with_the_columns(tmp_path):
    empty = placed("c1")
    dest = write_parquet(Placed(empty.frame.iloc[:0], 0), tmp_path / "empty")
    back = read_parquet(dest)
    assert len(back) == 0 and back.columns.tolist() == list(STORE_COLUMNS)


def test_an_empty_existing_folder_is_written(tmp_path):
    (tmp_path / "store").mkdir()
    write_parquet(placed("c1"), tmp_path / "store")
    assert len(read_parquet(tmp_path / "store")) == 3


def test_a_folder_of_other_files_or_a_file_is_never_written_over(tmp_path):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(DestinationNotEmptyError, match=r"'.*mine'.*holds other files"):
        write_parquet(placed("c1"), other)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    file = tmp_path / "file.parquet"
    file.write_text("x")
    with pytest.raises(DestinationNotEmptyError, match=r"'.*file\.parquet'.*: it is a file"):
        write_parquet(placed("c1"), file)
    assert file.read_text() == "x"
    assert issubclass(DestinationNotEmptyError, SocialkitError)


def test_a_failed_write_leaves_the_old_store_and_no_temporary_folder(tmp_path, monkeypatch):
    dest = write_parquet(placed("c1"), tmp_path / "store")
    import socialkit.delivery.store as store

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.ds, "write_dataset", broken)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(placed("c9"), dest)
    assert read_parquet(dest)["course_id"].unique().tolist() == ["c1"]
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_the_delivery_command_keeps_the_placed_statements(tmp_path):
    from click.testing import CliRunner

    from socialkit.cli import main
    from socialkit.contract.io import load_portfolio
    from socialkit.contract.synth import write_portfolio
    from socialkit.delivery.synth_scale import portfolio_statements, write_statements

    folder = write_portfolio(2, tmp_path / "p", activities_per_course=4, runs_per_course=1)
    write_statements(
        portfolio_statements(load_portfolio(folder), 300, seed=1),
        folder / "statements",
        total=300,
    )
    runner = CliRunner()
    result = runner.invoke(
        main, ["delivery", str(folder), "--json", "--parquet", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    used = json.loads(result.stdout)["statements"]["used"]  # stdout: the JSON only
    assert f"wrote {used:,} placed statements to {tmp_path / 's'}" in result.stderr
    back = read_parquet(tmp_path / "s")
    assert len(back) >= used  # a statement may count on several activities
    assert sorted(back["course_id"].unique()) == ["syn-000001", "syn-000002"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.csv").write_text("x")
    refused = runner.invoke(main, ["delivery", str(folder), "--parquet", str(tmp_path / "other")])
    assert refused.exit_code == 2
    assert "holds other files" in refused.stderr
