"""The statement generators: seeded, readable, realistic in what they hold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from socialkit.delivery.statements import VOIDED, read_statements
from socialkit.delivery.synth import VERBS, make_statements, synthetic_statements, write_jsonl


def portfolio_like() -> dict[str, pd.DataFrame]:
    runs = pd.DataFrame(
        {
            "course_id": ["c1"],
            "run_id": ["r1"],
            "starts": [pd.Timestamp("2026-03-02T08:00Z")],
            "ends": [pd.Timestamp("2026-03-02T16:00Z")],
            "timezone": ["Europe/Brussels"],
            "registration": ["cd613e30-d8f1-4adf-91b7-584a2265b1f5"],
        }
    )
    people = pd.DataFrame(
        {
            "course_id": ["c1"] * 6,
            "run_id": ["r1"] * 6,
            "person": [
                "mailto:trainer@example.org",
                *(f"mailto:learner{i}@example.org" for i in range(4)),
                "account:https://lms.example.org::4711",
            ],
            "role": ["trainer", *["learner"] * 5],
        }
    )
    activities = pd.DataFrame(
        {
            "course_id": ["c1", "c1", "c1"],
            "activity_id": ["A1", "A2", "A3"],
            "timing": ["before", "during", "after"],
            "direction": ["one-to-many", "many-to-one", "many-to-many"],
            "xapi_ids": [("https://x.example.org/a1",), ("https://x.example.org/a2",), ()],
        }
    )
    return {"runs": runs, "people": people, "activities": activities}


def test_make_statements_is_seeded_and_only_on_activities_with_ids() -> None:
    first = make_statements(portfolio_like(), seed=3)
    assert first == make_statements(portfolio_like(), seed=3)
    assert first != make_statements(portfolio_like(), seed=4)
    objects = {s["object"].get("id", "") for s in first if s["verb"]["id"] != VOIDED}
    assert objects and all(o.startswith("https://x.example.org/a") for o in objects)
    assert not any("a3" in o for o in objects)  # no xapi_ids: nothing recorded
    assert {s["context"].get("registration") for s in first} <= {
        "cd613e30-d8f1-4adf-91b7-584a2265b1f5",
        None,
    }


def test_make_statements_read_back_with_replies_to_the_trainer(tmp_path: Path) -> None:
    statements = make_statements(portfolio_like(), seed=1, voided_share=0.2)
    path = write_jsonl(statements, tmp_path / "s.jsonl.gz")
    result = read_statements(path)
    n_voiding = sum(s["verb"]["id"] == VOIDED for s in statements)
    assert n_voiding > 0
    assert result.read == len(statements)
    assert result.skipped.get("voiding") == n_voiding
    answers = result.frame[result.frame["verb"] == VERBS["answered"]]
    assert len(answers) > 0
    assert set(answers["ref_actor"].dropna()) == {"mailto:trainer@example.org"}
    assert result.frame["actor"].str.startswith(("mailto:", "account:")).all()


def test_synthetic_statements_count_and_read_back(tmp_path: Path) -> None:
    statements = list(synthetic_statements(2_000, seed=5))
    assert len(statements) == 2_000
    assert len({s["id"] for s in statements}) == 2_000
    path = write_jsonl(statements, tmp_path / "s.jsonl")
    sizes = [len(line) for line in path.read_bytes().splitlines()]
    assert 600 <= sum(sizes) / len(sizes) <= 1000
    result = read_statements(path)
    voiding = sum(s["verb"]["id"] == VOIDED for s in statements)
    assert result.skipped == {"voiding": voiding, "voided": voiding}
    assert result.frame["ref"].notna().sum() > 0
    assert result.frame["time"].notna().all()
