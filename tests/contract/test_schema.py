"""The portfolio's tables made once: each portfolio gets tables of its own."""

from __future__ import annotations

import pandas as pd

from socialkit.contract.schema import Portfolio, empty_people, empty_runs


def test_empty_delivery_tables_are_fresh_for_each_caller() -> None:
    runs, people = empty_runs(), empty_people()
    runs.loc[0, "run_id"] = "r1"
    people["role"] = "learner"
    assert len(empty_runs()) == 0 and empty_people()["role"].tolist() == []
    assert list(empty_runs().columns) == [
        "course_id",
        "run_id",
        "starts",
        "ends",
        "timezone",
        "registration",
        "row",
    ]


def test_a_portfolios_empty_tables_are_its_own() -> None:
    frame = pd.DataFrame({"course_id": pd.Series(dtype="str")})
    one = Portfolio(frame, frame, frame, frame, frame)
    two = Portfolio(frame, frame, frame, frame, frame)
    assert one.runs is not two.runs and one.invalid is not two.invalid
    one.invalid.loc[0, "message"] = "changed"
    assert len(two.invalid) == 0 and len(Portfolio(frame, frame, frame, frame, frame).invalid) == 0
