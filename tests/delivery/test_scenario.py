"""The sample's delivery scenario: the committed statements are what the code makes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from socialkit.contract.io import load_portfolio
from socialkit.delivery.scenario import (
    SCENARIO,
    Plan,
    ScenarioError,
    sample_delivery,
    write_sample_delivery,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data"
FILES = ["coaching-skills.jsonl", "compliance-abc.jsonl", "gdpr-basics.jsonl", "it-risk.jsonl"]


def test_the_committed_statements_are_regenerated_byte_for_byte(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns("statements"))
    written = write_sample_delivery(copy)
    assert sorted(p.name for p in written) == FILES
    assert sorted(p.name for p in (SAMPLE / "statements").iterdir()) == FILES
    for name in FILES:
        assert (copy / "statements" / name).read_bytes() == (
            SAMPLE / "statements" / name
        ).read_bytes(), f"data/statements/{name} differs from what the scenario makes"


def test_the_sample_stays_small() -> None:
    sizes = [(SAMPLE / "statements" / name).stat().st_size for name in FILES]
    assert sum(sizes) < 300_000


def test_a_plan_row_of_a_run_or_activity_the_portfolio_lacks_is_left_out() -> None:
    portfolio = load_portfolio(SAMPLE)
    one = Plan("compliance-abc", "2026-05-webinar", "A1", done=0.5, before=1.0)
    extra = (
        Plan("compliance-abc", "no-such-run", "A1", done=1.0),
        Plan("compliance-abc", "2026-05-webinar", "A9", done=1.0),
        Plan("compliance-abc", "2026-05-webinar", "A2", done=1.0),  # no xapi_ids
    )
    got = sample_delivery(portfolio, scenario=(one, *extra))
    assert list(got) == ["compliance-abc"]
    # half of 10 learners, each viewing once or twice; no trainer post when consuming
    actors = {s["actor"]["mbox"] for s in got["compliance-abc"]}
    assert len(actors) == 5
    assert 5 <= len(got["compliance-abc"]) <= 10
    assert all(s["object"]["id"].endswith("/compliance-abc/a1") for s in got["compliance-abc"])
    # timestamps carry the run's time zone: blank, so UTC
    assert all(s["timestamp"].endswith("+00:00") for s in got["compliance-abc"])
    again = sample_delivery(portfolio, scenario=(one, *extra))
    assert json.dumps(again) == json.dumps(got)
    assert json.dumps(sample_delivery(portfolio, scenario=(one,), seed=1)) != json.dumps(got)


def test_every_run_of_the_sample_has_rows() -> None:
    runs = {(p.course_id, p.run_id) for p in SCENARIO}
    sample = load_portfolio(SAMPLE).runs
    assert runs == set(zip(sample["course_id"], sample["run_id"], strict=True))


def test_a_plan_row_that_cannot_be_played_says_every_problem() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"scenario row 'c1', 'r1', 'A1': done 1\.5 is not a share between 0 and 1; "
        r"before 0\.75 and after 0\.5 add up to over 1; talk 'chat' is not one of consume, "
        r"submit, peers, trainer; voided -1 is below 0",
    ):
        Plan("c1", "r1", "A1", done=1.5, before=0.75, after=0.5, talk="chat", voided=-1)
    with pytest.raises(ScenarioError, match=r"after -0\.1 is not a share"):
        Plan("c1", "r1", "A1", done=1.0, after=-0.1)
