"""Warnings about delivery: which are given, once, with their figures."""

from __future__ import annotations

import pandas as pd
import pytest
from delivery_tables import (
    ANN,
    BOB,
    COMMENTED,
    CY,
    DEE,
    POSTED,
    REG1,
    TINA,
    make_activities,
    make_people,
    make_portfolio,
    make_runs,
    make_statements,
)

from socialkit.delivery.realised import delivery_summary
from socialkit.delivery.warnings import WARNING_COLUMNS, delivery_warnings


def _activity(activity_id, timing, direction, tool, *, title=None, tracked=True):
    return {
        "course_id": "c1",
        "activity_id": activity_id,
        "title": title or activity_id.title(),
        "timing": timing,
        "direction": direction,
        "tool": tool,
        "xapi_ids": (f"urn:{activity_id}",) if tracked else (),
    }


ACTIVITIES = make_activities(
    _activity("pre", "before", "one-to-many", "Moodle", title='Ann\'s "brief"'),
    _activity("chat", "after", "many-to-many", "Teams"),
    _activity("peer", "after", "many-to-many", "Teams"),
    _activity("ghost", "before", "many-to-many", "Padlet"),
    _activity("class", "during", "many-to-one", "none"),
    _activity("u1", "after", "many-to-one", None, title="Reflection", tracked=False),
    _activity("u2", "before", "one-to-many", "Forms", title="Quiz", tracked=False),
    _activity("half", "after", "one-to-many", "Moodle"),
)
RUNS = make_runs(
    ("c1", "r1", "2026-03-02T09:00+01:00", "2026-03-02T17:00+01:00", REG1),
    ("c1", "r2", "2026-04-06T09:00Z", "2026-04-06T17:00Z", None),
)
PEOPLE = make_people(
    ("c1", "r1", TINA, "trainer"),
    ("c1", "r1", ANN, "learner"),
    ("c1", "r1", BOB, "learner"),
    ("c1", "r1", CY, "learner"),
    ("c1", "r2", DEE, "learner"),
)
BEFORE, DURING, AFTER = "2026-03-01T10:00Z", "2026-03-02T10:00Z", "2026-03-03T10:00Z"
STATEMENTS = make_statements(
    # pre: 1 of 3 before, 2 during
    {"actor": ANN, "object_id": "urn:pre", "time": BEFORE},
    {"actor": BOB, "object_id": "urn:pre", "time": DURING},
    {"actor": CY, "object_id": "urn:pre", "time": DURING},
    # chat: Ann answers the trainer, Bob reads: nobody answers a learner
    {"id": "t", "actor": TINA, "verb": POSTED, "object_id": "urn:chat", "time": AFTER},
    {"actor": ANN, "verb": COMMENTED, "object_id": "urn:chat", "ref": "t", "time": AFTER},
    {"actor": BOB, "object_id": "urn:chat", "time": AFTER},
    # peer: Bob answers Ann
    {"id": "a", "actor": ANN, "verb": POSTED, "object_id": "urn:peer", "time": AFTER},
    {"actor": BOB, "verb": COMMENTED, "object_id": "urn:peer", "ref": "a", "time": AFTER},
    # half: 1 of 2 in another phase: not more than half
    {"actor": ANN, "object_id": "urn:half", "time": BEFORE},
    {"actor": BOB, "object_id": "urn:half", "time": AFTER},
)


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return delivery_summary(make_portfolio(ACTIVITIES, RUNS, PEOPLE), STATEMENTS)


def codes(warnings: pd.DataFrame, run: str) -> list[list[object]]:
    return warnings.loc[warnings["run_id"] == run, ["code", "activity_id"]].values.tolist()


def test_the_warnings_of_a_run_with_statements(summary):
    warnings = delivery_warnings(summary)
    assert tuple(warnings.columns) == WARNING_COLUMNS
    assert codes(warnings, "r1") == [
        ["untracked", None],
        ["prework-skipped", "pre"],
        ["other-phase", "pre"],
        ["no-peer-exchange", "chat"],
        ["not-done", "ghost"],  # and nothing else for it, though planned many-to-many and before
    ]


def test_untracked_activities_are_told_once_per_course_and_run(summary):
    warnings = delivery_warnings(summary)
    untracked = warnings[warnings["code"] == "untracked"]
    assert untracked["run_id"].tolist() == ["r1", "r2"]
    assert untracked["message"].iloc[0] == (
        "course 'c1', run 'r1': no xapi_ids for 2 activities expected to leave statements, "
        "so whether they happened cannot be told: 'Reflection', 'Quiz'"
    )


def test_a_run_without_statements_has_every_tracked_expected_activity_not_done(summary):
    warnings = delivery_warnings(summary)
    # the in-class activity without a tool ("class") is not expected: no warning
    assert codes(warnings, "r2") == [
        ["untracked", None],
        ["not-done", "pre"],
        ["not-done", "chat"],
        ["not-done", "peer"],
        ["not-done", "ghost"],
        ["not-done", "half"],
    ]
    message = warnings.loc[(warnings["run_id"] == "r2"), "message"].iloc[1]
    assert message == (
        "course 'c1', run 'r2': activity 'Ann\\'s \"brief\"': nobody did it "
        "(0 of 1 learners left a statement on it)"
    )


def test_the_messages_name_the_figures(summary):
    warnings = delivery_warnings(summary).set_index(["run_id", "code"])
    where = "course 'c1', run 'r1': activity " + repr('Ann\'s "brief"')
    assert warnings.loc[("r1", "prework-skipped"), "message"] == (
        f"{where}: pre-work done before the class by 1 of 3 (33%) learners, below 50%"
    )
    assert warnings.loc[("r1", "other-phase"), "message"] == (
        f"{where}: planned before, but 2 of 3 (67%) participants first engaged in another "
        "phase (before 1, during 2, after 0)"
    )
    assert warnings.loc[("r1", "no-peer-exchange"), "message"] == (
        "course 'c1', run 'r1': activity 'Chat': planned many-to-many, but none of its 2 "
        "participants answered another learner"
    )


def test_the_prework_threshold_is_an_option(summary):
    warnings = delivery_warnings(summary, prework_threshold=0.3)  # 1 of 3 is enough
    assert ["prework-skipped", "pre"] not in codes(warnings, "r1")
    assert ["other-phase", "pre"] in codes(warnings, "r1")
    strict = delivery_warnings(summary, prework_threshold=1.0)
    assert ["prework-skipped", "pre"] in codes(strict, "r1")


def test_no_runs_no_warnings():
    empty = delivery_summary(
        make_portfolio(ACTIVITIES, RUNS.iloc[:0], PEOPLE.iloc[:0]), make_statements()
    )
    warnings = delivery_warnings(empty)
    assert warnings.empty and tuple(warnings.columns) == WARNING_COLUMNS
