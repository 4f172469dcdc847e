"""Synthetic delivery data at scale: the tables, the statements, ``generate --statements``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from socialkit.cli import main
from socialkit.contract.io import load_portfolio
from socialkit.contract.synth import make_portfolio_tables, write_portfolio
from socialkit.contract.synth_delivery import LMS, add_delivery_tables
from socialkit.delivery.synth_scale import portfolio_statements, write_statements


def test_runs_people_and_xapi_ids_of_a_synthetic_portfolio():
    tables = add_delivery_tables(
        make_portfolio_tables(3, activities_per_course=4), runs_per_course=2, learners_per_run=5
    )
    runs, people, acts = tables["runs"], tables["people"], tables["activities"]
    assert (
        runs["course_id"].tolist() == ["syn-000001"] * 2 + ["syn-000002"] * 2 + ["syn-000003"] * 2
    )
    assert runs["run_id"].tolist() == ["R1", "R2"] * 3
    # course 1 on 2 March, course 2 on the 3rd; the second run a week after the first
    assert runs["starts"].tolist()[:3] == [
        "2026-03-02T09:00",
        "2026-03-09T09:00",
        "2026-03-03T09:00",
    ]
    assert runs["ends"].tolist()[0] == "2026-03-02T17:00"
    assert set(runs["timezone"]) == {"Europe/Brussels"}
    regs = runs["registration"].dropna()
    assert regs.str.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    ).all()
    assert regs.is_unique
    assert len(people) == 6 * 6  # a trainer and five learners per run
    first = people.iloc[:6]
    assert first["role"].tolist() == ["trainer"] + ["learner"] * 5
    assert first["person"].iloc[0] == "mailto:trainer0@example.org"
    assert first["person"].iloc[4] == f"account:{LMS}::4"  # every fifth: an LMS account
    assert first["person"].iloc[1].startswith("mailto:") and first["person"].iloc[1].endswith(
        ".1@example.org"
    )
    assert people["person"][people["role"] == "learner"].is_unique
    tool = acts["tool"].str.lower()
    with_id = acts["xapi_ids"].notna()
    assert (with_id == (tool.notna() & tool.ne("none"))).all()
    row = acts[with_id].iloc[0]
    assert row["xapi_ids"] == f"{LMS}/xapi/activities/{row['course_id']}/{row['activity_id']}"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "p"
    write_portfolio(6, folder, activities_per_course=5, runs_per_course=1, learners_per_run=4)
    return load_portfolio(folder)  # valid: it would raise otherwise


def _course_of(statements: list[dict]) -> list[str]:
    """The course of each statement: from its activity IRI, or for a StatementRef object
    (a comment on, or the voiding of, an earlier statement) from the statement it names."""
    course: dict[str, str] = {}
    out = []
    for s in statements:
        obj = s["object"]
        if obj.get("objectType") == "StatementRef":
            c = course[obj["id"]]
        else:
            c = obj["id"].split("/xapi/activities/")[1].split("/")[0]
        course[s["id"]] = c
        out.append(c)
    return out


def test_statements_are_spread_evenly_over_the_runs(portfolio):
    made = list(portfolio_statements(portfolio, 1000, seed=4))
    assert len(made) == 1000
    counts = pd.Series(_course_of(made)).value_counts()
    # 1000 over six runs: 166 each, the first four one more
    assert counts.sort_index().tolist() == [167, 167, 167, 167, 166, 166]
    again = list(portfolio_statements(portfolio, 1000, seed=4))
    assert again == made
    assert list(portfolio_statements(portfolio, 1000, seed=5)) != made


def test_statements_carry_the_run_s_people_and_registration(portfolio):
    made = list(portfolio_statements(portfolio, 600, seed=1, single_share=0.0))
    people = set(portfolio.people["person"])
    actors = {
        s["actor"].get("mbox") or f"account:{LMS}::{s['actor']['account']['name']}" for s in made
    }
    assert actors <= people
    regs = {s["context"].get("registration") for s in made} - {None}
    assert regs <= set(portfolio.runs["registration"].dropna())
    parents = [s["context"].get("contextActivities", {}).get("parent") for s in made]
    assert all(p is None or isinstance(p, list) for p in parents)  # lists only
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in made}
    assert {"shared", "voided"} <= verbs


def test_no_runs_no_statements():
    empty = {"runs": pd.DataFrame(), "people": pd.DataFrame(), "activities": pd.DataFrame()}
    assert list(portfolio_statements(empty, 10)) == []


def test_written_to_a_few_gzip_files_of_about_as_many_each(portfolio, tmp_path):
    seen = []
    paths = write_statements(
        portfolio_statements(portfolio, 1000, seed=2),
        tmp_path / "statements",
        total=1000,
        files=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [p.name for p in paths] == [f"statements-000{i}.jsonl.gz" for i in (1, 2, 3)]
    lines = [len(gzip.decompress(p.read_bytes()).splitlines()) for p in paths]
    assert lines == [334, 334, 332]  # ceil(1000 / 3) each, the rest in the last
    assert seen[-1] == (1000, 1000)
    first = json.loads(gzip.decompress(paths[0].read_bytes()).splitlines()[0])
    assert {"id", "actor", "verb", "object", "timestamp", "stored"} <= set(first)


def test_generate_with_statements_then_delivery_reads_them_all(tmp_path):
    dest = tmp_path / "big"
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["generate", "3", str(dest), "--activities", "4", "--statements", "500", "--runs", "2",
         "--learners", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote 500 statements to {dest / 'statements'}" in result.stdout
    assert len(pd.read_csv(dest / "runs.csv")) == 6
    assert len(pd.read_csv(dest / "people.csv")) == 6 * 4
    assert [p.name for p in (dest / "statements").iterdir()] == ["statements-0001.jsonl.gz"]
    report = runner.invoke(main, ["delivery", str(dest), "--json"])
    assert report.exit_code == 0, report.output
    figures = json.loads(report.stdout)["statements"]
    assert figures["read"] == 500
    assert figures["used"] > 400


def test_generate_without_statements_writes_no_delivery_data(tmp_path):
    result = CliRunner().invoke(main, ["generate", "2", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "activities.csv",
        "courses.csv",
        "objectives.csv",
        "organisations.csv",
    ]


def test_generate_statements_into_a_workbook_is_refused(tmp_path):
    result = CliRunner().invoke(
        main, ["generate", "2", str(tmp_path / "p.xlsx"), "--statements", "10"]
    )
    assert result.exit_code == 2
    assert "--statements writes a statements folder: DEST must be a folder" in result.output
    assert not Path(tmp_path / "p.xlsx").exists()
