"""What happened per run and activity, and per run of a course: hand-computed figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from delivery_tables import (
    ANN,
    BOB,
    BRIEF,
    COMMENTED,
    CY,
    DEE,
    FORUM,
    POSTED,
    REG1,
    TINA,
    make_activities,
    make_people,
    make_portfolio,
    make_runs,
    make_statements,
)

from socialkit.delivery.realised import delivery_courses, delivery_matrix, delivery_summary
from socialkit.delivery.result import analyse_delivery, delivery_result

POLL = "https://poll.example.org/q1"
ACTIVITIES = make_activities(
    {"course_id": "c1", "activity_id": "brief", "timing": "before", "direction": "one-to-many",
     "tool": "Moodle", "xapi_ids": (BRIEF,)},
    {"course_id": "c1", "activity_id": "forum", "timing": "after", "direction": "many-to-many",
     "tool": "Teams", "xapi_ids": (FORUM,)},
    {"course_id": "c1", "activity_id": "workshop", "timing": "during", "direction": "many-to-one",
     "tool": "none"},
    {"course_id": "c1", "activity_id": "reflect", "timing": "after", "direction": "many-to-one"},
    {"course_id": "c1", "activity_id": "poll", "timing": "during", "tool": "Mentimeter",
     "xapi_ids": (POLL,)},
    {"course_id": "c1", "activity_id": "tbd", "timing": "during", "tool": "TBD"},
)  # fmt: skip
RUNS = make_runs(
    ("c1", "r1", "2026-03-02T09:00+01:00", "2026-03-02T17:00+01:00", REG1),
    ("c1", "r2", "2026-04-06T09:00Z", "2026-04-06T17:00Z", None),
)
PEOPLE = make_people(
    ("c1", "r1", TINA, "trainer"),
    ("c1", "r1", ANN, "learner"),
    ("c1", "r1", BOB, "learner"),
    ("c1", "r1", CY, "learner"),
    ("c1", "r2", ANN, "learner"),
    ("c1", "r2", DEE, "learner"),
)
R1 = {"registration": REG1}
STATEMENTS = make_statements(
    # brief: Ann first before (then during again), Bob during; Tina's post is no participant
    {"actor": ANN, "object_id": BRIEF, "time": "2026-03-01T10:00Z"} | R1,
    {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T10:00Z"} | R1,
    {"actor": BOB, "object_id": BRIEF, "time": "2026-03-02T09:00Z"} | R1,
    {"actor": TINA, "verb": POSTED, "object_id": BRIEF, "time": "2026-03-01T08:00Z"} | R1,
    # forum: Ann answers Tina during, Bob answers Ann during, Cy reads after
    {"id": "p", "actor": TINA, "verb": POSTED, "object_id": FORUM,
     "time": "2026-03-02T09:00Z"} | R1,
    {"id": "a", "actor": ANN, "verb": COMMENTED, "object_id": FORUM, "ref": "p",
     "time": "2026-03-02T11:00Z"} | R1,
    {"id": "b", "actor": BOB, "verb": COMMENTED, "object_id": FORUM, "ref": "a",
     "time": "2026-03-02T12:00Z"} | R1,
    {"actor": CY, "object_id": FORUM, "time": "2026-03-04T10:00Z"} | R1,
    # poll: Cy answers during
    {"actor": CY, "verb": COMMENTED, "object_id": POLL, "time": "2026-03-02T10:00Z"} | R1,
    # nothing designed
    {"actor": CY, "object_id": "https://elsewhere.example.org", "time": "2026-03-02T10:00Z"},
    skipped={"voided": 2, "voiding": 2},
)  # fmt: skip
PORTFOLIO = make_portfolio(ACTIVITIES, RUNS, PEOPLE)


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return delivery_summary(PORTFOLIO, STATEMENTS)


def test_the_figures_per_run_and_activity(summary):
    r1 = summary[summary["run_id"] == "r1"].set_index("activity_id")
    assert r1.index.tolist() == ["brief", "forum", "workshop", "reflect", "poll", "tbd"]
    assert r1["learners"].tolist() == [3] * 6
    assert r1["participants"].tolist() == [2, 3, 0, 0, 1, 0]
    assert r1[["before", "during", "after"]].values.tolist() == [
        [1, 1, 0],
        [0, 2, 1],
        [0, 0, 0],
        [0, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
    ]
    # brief: before and during tie, before is planned; forum: most first engaged during
    assert r1["realised_timing"].tolist() == ["before", "during", None, None, "during", None]
    # forum: one-to-many 2 (Tina, Cy), many-to-one 1, many-to-many 1
    assert r1["realised_direction"].tolist() == [
        "one-to-many",
        "one-to-many",
        None,
        None,
        "many-to-one",
        None,
    ]
    assert r1["statements"].tolist() == [4, 4, 0, 0, 1, 0]
    assert r1["peer_replies"].tolist() == [0, 1, 0, 0, 0, 0]
    assert r1["expected"].tolist() == [True, True, False, True, True, False]
    assert r1["tracked"].tolist() == [True, True, False, False, True, False]
    assert r1["as_planned"].tolist() == [True, False, pd.NA, pd.NA, pd.NA, pd.NA]


def test_a_run_without_statements(summary):
    r2 = summary[summary["run_id"] == "r2"]
    assert r2["learners"].tolist() == [2] * 6
    assert r2["participants"].sum() == 0
    assert r2["realised_timing"].isna().all() and r2["realised_direction"].isna().all()
    assert r2["as_planned"].tolist() == [False, False, pd.NA, pd.NA, pd.NA, pd.NA]


def test_actors_placed_by_registration_without_a_people_row_count_among_the_learners():
    # r1 enrols one learner; two more actors carry its registration: three learners, and
    # the pre-work share is of those three (3 of 3 before starts), never above 100%
    people = make_people(("c1", "r1", TINA, "trainer"), ("c1", "r1", ANN, "learner"))
    statements = make_statements(
        *(
            {"actor": a, "object_id": BRIEF, "time": "2026-03-01T10:00Z"} | R1
            for a in (ANN, BOB, CY)
        ),
        {"actor": TINA, "verb": POSTED, "object_id": BRIEF, "time": "2026-03-01T08:00Z"} | R1,
    )
    portfolio = make_portfolio(ACTIVITIES, RUNS, people)
    summary = delivery_summary(portfolio, statements)
    r1 = summary[summary["run_id"] == "r1"].set_index("activity_id")
    assert r1["learners"].tolist() == [3] * 6
    assert r1.loc["brief", ["participants", "before"]].tolist() == [3, 3]
    assert summary.loc[summary["run_id"] == "r2", "learners"].tolist() == [0] * 6
    courses = delivery_courses(summary).set_index("run_id")
    assert courses.loc["r1", "prework_done"] == pytest.approx(3 / 3)


def test_ties_go_to_the_plan_else_the_earliest_phase_and_the_more_social_direction():
    runs = make_runs(("c1", "r1", "2026-03-02T09:00Z", "2026-03-02T17:00Z", None))
    people = make_people(("c1", "r1", ANN, "learner"), ("c1", "r1", BOB, "learner"))
    acts = make_activities(
        {"course_id": "c1", "activity_id": "x", "timing": "after", "direction": "one-to-many",
         "tool": "Teams", "xapi_ids": ("urn:x",)},
        {"course_id": "c1", "activity_id": "y", "timing": "during", "direction": "many-to-one",
         "tool": "Teams", "xapi_ids": ("urn:y",)},
    )  # fmt: skip
    st = make_statements(
        # x: Ann before and consuming, Bob during answering Ann
        {"id": "1", "actor": ANN, "object_id": "urn:x", "time": "2026-03-01T10:00Z"},
        {
            "actor": BOB,
            "verb": COMMENTED,
            "object_id": "urn:x",
            "ref": "1",
            "time": "2026-03-02T10:00Z",
        },
        # y: the same pattern, planned during and many-to-one
        {"id": "2", "actor": ANN, "object_id": "urn:y", "time": "2026-03-01T10:00Z"},
        {
            "actor": BOB,
            "verb": COMMENTED,
            "object_id": "urn:y",
            "ref": "2",
            "time": "2026-03-02T10:00Z",
        },
    )
    s = delivery_summary(make_portfolio(acts, runs, people), st).set_index("activity_id")
    assert s["realised_timing"].tolist() == ["before", "during"]  # no plan in the tie: earliest
    assert s["realised_direction"].tolist() == ["one-to-many", "many-to-many"]


def test_per_course_and_run(summary):
    courses = delivery_courses(summary).set_index("run_id")
    assert courses.loc[
        "r1", ["learners", "activities", "expected", "tracked", "done"]
    ].tolist() == [3, 6, 4, 3, 3]
    assert courses.loc["r1", "prework_pairs"] == 3
    assert courses.loc["r1", "prework_done"] == pytest.approx(1 / 3)
    assert courses.loc["r1", "as_planned"] == pytest.approx(
        0.5
    )  # brief yes, forum no; poll undecided
    assert courses.loc["r1", "tools_used"] == ("Mentimeter", "Moodle", "Teams")
    assert courses.loc["r2", ["done", "prework_pairs", "prework_done", "as_planned"]].tolist() == [
        0,
        2,
        0.0,
        0.0,
    ]
    assert courses.loc["r2", "tools_used"] == ()


def test_the_planned_versus_realised_matrix(summary):
    matrix = delivery_matrix(summary)
    assert len(matrix) == 18  # nine cells for each of the two runs
    r1 = matrix[(matrix["run_id"] == "r1") & (matrix[["planned", "realised"]].sum(axis=1) > 0)]
    assert r1[["timing", "direction", "planned", "realised"]].values.tolist() == [
        ["before", "one-to-many", 1, 1],
        ["during", "one-to-many", 0, 1],
        ["during", "many-to-one", 0, 1],
        ["after", "many-to-many", 1, 0],
    ]
    r2 = matrix[matrix["run_id"] == "r2"]
    assert r2["planned"].sum() == 2 and r2["realised"].sum() == 0


def test_the_json_result_counts_every_statement_read():
    result = delivery_result(PORTFOLIO, STATEMENTS)
    stats = result["statements"]
    # 10 in the frame (the voided and voiding ones already dropped by the reader)
    assert stats == {
        "read": 14,
        "used": 9,
        "skipped": {"voided": 2, "voiding": 2, "no-activity": 1, "no-run": 0},
    }
    assert stats["read"] == stats["used"] + sum(stats["skipped"].values())
    first = result["activities"][0]
    assert {
        k: first[k] for k in ("course_id", "run_id", "activity_id", "learners", "participants")
    } == {
        "course_id": "c1",
        "run_id": "r1",
        "activity_id": "brief",
        "learners": 3,
        "participants": 2,
    }
    assert (first["before"], first["during"], first["after"]) == (1, 1, 0)
    assert (first["planned_direction"], first["realised_direction"]) == (
        "one-to-many",
        "one-to-many",
    )
    reflect = result["activities"][3]
    assert (reflect["activity_id"], reflect["realised_timing"], reflect["as_planned"]) == (
        "reflect",
        None,
        None,
    )
    assert result["courses"][0]["tools_used"] == ["Mentimeter", "Moodle", "Teams"]
    assert result["courses"][1]["prework_done"] == 0.0
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_the_text_summary():
    text = analyse_delivery(PORTFOLIO, STATEMENTS).format_text()
    lines = text.splitlines()
    assert lines[0] == "statements: 14 read, 9 used, skipped: no-activity 1, voided 2, voiding 2"
    assert lines[1] == (
        "c1 / r1: 3 learners, 3 of 3 tracked activities done, "
        "pre-work before class 33%, as planned 50%"
    )
    assert lines[2] == (
        "c1 / r2: 2 learners, 0 of 3 tracked activities done, "
        "pre-work before class 0%, as planned 0%"
    )


def test_only_courses_with_runs_and_no_xapi_ids_column_means_untracked():
    acts = make_activities(
        {"course_id": "c1", "activity_id": "x", "timing": "after", "tool": "Teams"},
        {"course_id": "c9", "activity_id": "y", "timing": "after", "tool": "Teams"},
    ).drop(columns="xapi_ids")
    st = make_statements({"actor": ANN, "object_id": BRIEF, "time": "2026-03-01T10:00Z"})
    result = analyse_delivery(make_portfolio(acts, RUNS, PEOPLE), st)
    s = result.summary
    assert s[["course_id", "run_id", "activity_id", "expected", "tracked"]].values.tolist() == [
        ["c1", "r1", "x", True, False],
        ["c1", "r2", "x", True, False],
    ]
    assert result.skipped == {"no-activity": 1, "no-run": 0}
    assert result.warnings["code"].tolist() == ["untracked", "untracked"]
    assert result.warnings["message"].iloc[1] == (
        "course 'c1', run 'r2': no xapi_ids for 1 activity expected to leave statements, "
        "so whether they happened cannot be told: 'X'"
    )


def test_a_portfolio_without_runs():
    result = analyse_delivery(
        make_portfolio(ACTIVITIES, RUNS.iloc[:0], PEOPLE.iloc[:0]), STATEMENTS
    )
    assert result.summary.empty and result.courses.empty and result.matrix.empty
    assert result.to_dict()["statements"] == {
        "read": 14,
        "used": 0,
        "skipped": {"voided": 2, "voiding": 2, "no-activity": 1, "no-run": 9},
    }
    assert result.to_dict()["activities"] == result.to_dict()["courses"] == []
    assert result.format_text().splitlines()[1:] == [
        "no runs: the portfolio has no delivery data",
        "0 warning(s)",
    ]


def test_categorical_and_arrow_string_columns_give_the_same_result():
    frame = STATEMENTS.frame.copy()
    for column in ("id", "object_id", "ref", "ref_actor", "registration", "verb"):
        frame[column] = frame[column].astype("category")
    frame["actor"] = frame["actor"].astype("str")
    statements = make_statements()
    statements.frame = frame
    statements.activity_ids = STATEMENTS.activity_ids.astype(
        {"stmt": "int32", "activity": "category"}
    )
    statements.read, statements.skipped = STATEMENTS.read, STATEMENTS.skipped
    runs = RUNS.astype({"registration": "str"})
    people = PEOPLE.astype({"person": "category", "role": "category"})
    got = delivery_result(make_portfolio(ACTIVITIES, runs, people), statements)
    assert got == delivery_result(PORTFOLIO, STATEMENTS)


def test_tables_whose_index_is_not_their_position_give_the_same_result():
    acts = ACTIVITIES.set_axis(ACTIVITIES.index + 100)
    runs = RUNS.set_axis([7, 3])
    people = PEOPLE.set_axis(PEOPLE.index[::-1])
    got = delivery_result(make_portfolio(acts, runs, people), STATEMENTS)
    assert got == delivery_result(PORTFOLIO, STATEMENTS)
