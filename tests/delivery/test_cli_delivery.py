"""``socialkit delivery``: what it prints and its exit status."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from test_realised import PORTFOLIO, STATEMENTS

import socialkit.contract.io
from socialkit.cli import main
from socialkit.contract.schema import Portfolio
from socialkit.delivery.result import delivery_report
from socialkit.errors import StatementsNotFoundError

SAMPLE = Path(__file__).resolve().parents[2] / "data"


def _reader_ready() -> bool:
    try:
        from socialkit.delivery.statements import read_statements  # noqa: F401
    except ImportError:
        return False
    return "runs" in {f.name for f in dataclasses.fields(Portfolio)}


#: End to end: needs the statements reader and ``Portfolio.runs``/``people`` (issue 15).
needs_reader = pytest.mark.skipif(
    not _reader_ready(), reason="needs socialkit.delivery.statements and Portfolio.runs"
)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "portfolio"
    shutil.copytree(SAMPLE, dest)
    shutil.rmtree(dest / "statements", ignore_errors=True)
    return dest


@pytest.fixture
def hand_made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The portfolio and statements of test_realised, whatever PATH and --statements say."""
    monkeypatch.setattr(socialkit.contract.io, "load_portfolio", lambda path, partial: PORTFOLIO)
    reader = SimpleNamespace(read_statements=lambda source: STATEMENTS)
    monkeypatch.setitem(sys.modules, "socialkit.delivery.statements", reader)
    (tmp_path / "statements").mkdir()
    return tmp_path


def test_json_is_one_object_with_the_issue_keys(hand_made: Path) -> None:
    result = CliRunner().invoke(main, ["delivery", str(hand_made), "--json"])
    assert result.exit_code == 0, result.output  # delivery warnings do not fail the command
    doc = json.loads(result.stdout)
    assert list(doc) == ["statements", "activities", "warnings", "courses"]
    assert doc["statements"]["read"] == 14 and doc["statements"]["used"] == 9
    assert len(doc["activities"]) == 12  # 6 activities x 2 runs
    keys = {"course_id", "run_id", "activity_id", "learners", "participants", "before", "during"}
    keys |= {"after", "planned_direction", "realised_direction"}
    assert keys <= set(doc["activities"][0])
    assert {"code", "course_id", "run_id", "activity_id", "message"} == set(doc["warnings"][0])
    assert doc["warnings"][0]["code"] == "untracked"


def test_text_lists_runs_and_warnings(hand_made: Path) -> None:
    result = CliRunner().invoke(main, ["delivery", str(hand_made)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("statements: 14 read, 9 used")
    assert lines[1].startswith("c1 / r1: 3 learners")
    assert any(line.startswith("  untracked: course 'c1', run 'r1'") for line in lines)


def test_statements_given_that_do_not_exist_exit_2(hand_made: Path) -> None:
    missing = hand_made / "nope.jsonl"
    result = CliRunner().invoke(main, ["delivery", str(hand_made), "--statements", str(missing)])
    assert result.exit_code == 2
    assert f"no statements at {str(missing)!r}: no such file or folder" in result.stderr


def test_a_portfolio_without_statements_exits_2(sample_copy: Path) -> None:
    result = CliRunner().invoke(main, ["delivery", str(sample_copy)])
    assert result.exit_code == 2
    assert "no 'statements' folder in it; give them with --statements" in result.stderr


def test_no_portfolio_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["delivery", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_delivery_report_says_where_statements_are_missing(hand_made: Path) -> None:
    missing = hand_made / "gone"
    with pytest.raises(StatementsNotFoundError, match=r"no statements at '.*gone': no such file"):
        delivery_report(hand_made, statements=missing)
    with pytest.raises(StatementsNotFoundError, match=r"no 'statements' folder in it; give them"):
        delivery_report(missing)
    assert delivery_report(hand_made).used == 9


def _delivery_portfolio(dest: Path) -> Path:
    """The sample with one tracked activity of it-risk, a run, its people and statements."""
    acts = (dest / "activities.csv").read_text(encoding="utf-8").splitlines()
    acts[0] += ",xapi_ids"
    acts[1:] = [
        line + (",https://lms.example.org/a1" if line.startswith("it-risk,A1,") else ",")
        for line in acts[1:]
    ]
    (dest / "activities.csv").write_text("\n".join(acts) + "\n", encoding="utf-8")
    (dest / "runs.csv").write_text(
        "course_id,run_id,starts,ends,timezone,registration\n"
        "it-risk,r1,2026-03-02T09:00+01:00,2026-03-02T17:00+01:00,,\n",
        encoding="utf-8",
    )
    (dest / "people.csv").write_text(
        "course_id,run_id,person,role\n"
        "it-risk,r1,mailto:ann@example.org,learner\n"
        "it-risk,r1,mailto:bob@example.org,learner\n",
        encoding="utf-8",
    )
    (dest / "statements").mkdir()
    line = (
        '{{"id": "{id}", "actor": {{"mbox": "mailto:{who}@example.org"}}, '
        '"verb": {{"id": "http://id.tincanapi.com/verb/viewed"}}, '
        '"object": {{"id": "https://lms.example.org/a1"}}, "timestamp": "{time}"}}'
    )
    (dest / "statements" / "s.jsonl").write_text(
        line.format(
            id="00000000-0000-4000-8000-000000000001", who="Ann", time="2026-03-02T07:59:59Z"
        )
        + "\n"
        + line.format(
            id="00000000-0000-4000-8000-000000000002", who="bob", time="2026-03-02T16:00:01Z"
        )
        + "\n",
        encoding="utf-8",
    )
    return dest


@needs_reader
def test_end_to_end_on_a_csv_portfolio(sample_copy: Path) -> None:
    path = _delivery_portfolio(sample_copy)
    result = CliRunner().invoke(main, ["delivery", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    stats = doc["statements"]
    assert (stats["read"], stats["used"], sum(stats["skipped"].values())) == (2, 2, 0)
    (a1,) = [a for a in doc["activities"] if a["activity_id"] == "A1"]
    # one second before 09:00+01:00 is before; one second after 17:00+01:00 is after
    assert (a1["learners"], a1["participants"], a1["before"], a1["during"], a1["after"]) == (
        2,
        2,
        1,
        0,
        1,
    )


def test_a_statements_file_that_fails_while_read_names_it_not_a_parquet_folder(
    hand_made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error", str(hand_made / "statements" / "s.jsonl"))

    reader = SimpleNamespace(read_statements=failing)
    monkeypatch.setitem(sys.modules, "socialkit.delivery.statements", reader)
    result = CliRunner().invoke(main, ["delivery", str(hand_made)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: cannot read {str(hand_made / 'statements' / 's.jsonl')!r}: Input/output error"
    )
