"""Placing statements on course, run and activity: phase, role and interaction."""

from __future__ import annotations

import pandas as pd
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
    REG2,
    TINA,
    VIEWED,
    make_activities,
    make_people,
    make_portfolio,
    make_runs,
    make_statements,
)

from socialkit.delivery.placing import place_frames, place_statements, verb_word

BRIEF_ACTIVITY = {
    "course_id": "c1",
    "activity_id": "brief",
    "timing": "before",
    "xapi_ids": (BRIEF,),
}
FORUM_ACTIVITY = {
    "course_id": "c1",
    "activity_id": "forum",
    "timing": "after",
    "xapi_ids": (FORUM,),
}


def place(activities, runs, people, statements):
    return place_frames(activities, runs, people, statements.frame, statements.activity_ids)


def test_phase_boundaries_are_during_and_offsets_are_compared_in_utc(march_run, class_people):
    # the run is 09:00-17:00 at +01:00; the statements are given in UTC
    st = make_statements(
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T07:59:59Z"},  # 1 s before starts
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T08:00:00Z"},  # starts itself
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T17:00:00+01:00"},  # ends itself
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T16:00:01Z"},  # 1 s after ends
    )
    placed = place(make_activities(BRIEF_ACTIVITY), march_run, class_people, st)
    assert placed.frame.sort_values("stmt")["phase"].tolist() == [
        "before",
        "during",
        "during",
        "after",
    ]
    assert placed.used == 4
    assert placed.skipped == {"no-activity": 0, "no-run": 0}


def test_a_parent_or_grouping_id_places_the_statement(march_run, class_people):
    st = make_statements(
        {
            "actor": ANN,
            "object_id": BRIEF + "/page/3",
            "parents": [BRIEF],
            "time": "2026-03-01T10:00Z",
        },
        {"actor": BOB, "object_id": "https://elsewhere.example.org/x", "time": "2026-03-01T10:00Z"},
    )
    placed = place(make_activities(BRIEF_ACTIVITY), march_run, class_people, st)
    assert placed.frame[["stmt", "activity_id", "actor"]].values.tolist() == [[0, "brief", ANN]]
    assert placed.skipped == {"no-activity": 1, "no-run": 0}


def test_registration_first_then_the_actor_in_the_nearest_run():
    runs = make_runs(
        ("c1", "r1", "2026-03-02T09:00+01:00", "2026-03-02T17:00+01:00", REG1),
        ("c1", "r2", "2026-04-06T09:00Z", "2026-04-06T17:00Z", None),
    )
    people = make_people(("c1", "r1", ANN, "learner"), ("c1", "r2", ANN, "learner"))
    st = make_statements(
        # the registration of r1 wins even in April
        {"actor": ANN, "object_id": BRIEF, "registration": REG1, "time": "2026-04-06T10:00Z"},
        # no registration: the run whose formal moment is nearest
        {"actor": ANN, "object_id": BRIEF, "time": "2026-04-06T10:00Z"},  # inside r2
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-01T10:00Z"},  # a day before r1
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-15T10:00Z"},  # nearer r1's end
        {"actor": ANN, "object_id": BRIEF, "time": "2026-03-25T10:00Z"},  # nearer r2's start
        # a registration no run of the course has: through the actor
        {"actor": ANN, "object_id": BRIEF, "registration": REG2, "time": "2026-04-07T10:00Z"},
    )
    placed = place(make_activities(BRIEF_ACTIVITY), runs, people, st)
    got = placed.frame.sort_values("stmt")
    assert got["run_id"].tolist() == ["r1", "r2", "r1", "r1", "r2", "r2"]
    assert got["phase"].tolist() == ["after", "during", "before", "after", "before", "after"]


def test_an_actor_unknown_to_people_counts_as_a_learner_by_registration_else_no_run(
    march_run, class_people
):
    st = make_statements(
        {"actor": DEE, "object_id": BRIEF, "registration": REG1, "time": "2026-03-02T10:00Z"},
        {"actor": DEE, "object_id": BRIEF, "time": "2026-03-02T10:00Z"},
        {"actor": TINA, "object_id": BRIEF, "registration": REG1, "time": "2026-03-02T10:00Z"},
        {"actor": CY, "object_id": "https://nowhere.example.org", "time": "2026-03-02T10:00Z"},
    )
    placed = place(make_activities(BRIEF_ACTIVITY), march_run, class_people, st)
    assert placed.frame[["stmt", "actor", "role"]].values.tolist() == [
        [0, DEE, "learner"],
        [2, TINA, "trainer"],
    ]
    assert placed.used == 2
    assert placed.skipped == {"no-activity": 1, "no-run": 1}


def test_an_iri_of_two_courses_places_the_statement_in_each_but_uses_it_once():
    runs = make_runs(
        ("c1", "r1", "2026-03-02T09:00Z", "2026-03-02T17:00Z", None),
        ("c2", "spring", "2026-03-03T09:00Z", "2026-03-03T17:00Z", None),
    )
    people = make_people(("c1", "r1", ANN, "learner"), ("c2", "spring", ANN, "trainer"))
    activities = make_activities(
        BRIEF_ACTIVITY, {"course_id": "c2", "activity_id": "intro", "xapi_ids": (BRIEF,)}
    )
    st = make_statements({"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T12:00Z"})
    placed = place(activities, runs, people, st)
    assert placed.frame[
        ["course_id", "run_id", "activity_id", "phase", "role"]
    ].values.tolist() == [
        ["c1", "r1", "brief", "during", "learner"],
        ["c2", "spring", "intro", "before", "trainer"],
    ]
    assert placed.used == 1


def test_a_statement_matching_two_ids_of_one_activity_counts_once(march_run, class_people):
    activity = BRIEF_ACTIVITY | {"xapi_ids": (BRIEF, BRIEF + "/page")}
    st = make_statements(
        {
            "actor": ANN,
            "object_id": BRIEF + "/page",
            "parents": [BRIEF],
            "time": "2026-03-01T10:00Z",
        }
    )
    placed = place(make_activities(activity), march_run, class_people, st)
    assert len(placed.frame) == 1


def test_who_addresses_whom(march_run, class_people):
    t = "2026-03-03T10:00Z"
    st = make_statements(
        {
            "id": "p",
            "actor": TINA,
            "verb": POSTED,
            "object_id": FORUM,
            "time": t,
        },  # 0 trainer's post
        {"id": "v", "actor": ANN, "verb": VIEWED, "object_id": FORUM, "time": t},  # 1 consuming
        {
            "id": "a",
            "actor": ANN,
            "verb": COMMENTED,
            "object_id": FORUM,
            "ref": "p",
            "time": t,
        },  # 2 to trainer
        {
            "id": "b",
            "actor": BOB,
            "verb": COMMENTED,
            "object_id": FORUM,
            "ref": "a",
            "time": t,
        },  # 3 to learner
        {
            "id": "c",
            "actor": BOB,
            "verb": COMMENTED,
            "object_id": FORUM,
            "ref": "b",
            "time": t,
        },  # 4 to self
        {
            "id": "d",
            "actor": CY,
            "verb": COMMENTED,
            "object_id": FORUM,
            "ref": "gone",
            "time": t,
        },  # 5 unknown
        {"id": "e", "actor": CY, "verb": POSTED, "object_id": FORUM, "time": t},  # 6 own post
        {
            "id": "f",
            "actor": TINA,
            "verb": COMMENTED,
            "object_id": FORUM,
            "ref": "e",
            "time": t,
        },  # 7 trainer replies
        {
            "id": "g",
            "actor": CY,
            "verb": VIEWED,
            "object_id": FORUM,
            "ref": "b",
            "time": t,
        },  # 8 consuming wins
    )
    placed = place(make_activities(FORUM_ACTIVITY), march_run, class_people, st)
    assert placed.frame.sort_values("stmt")["interaction"].tolist() == [
        "one-to-many",
        "one-to-many",
        "many-to-one",
        "many-to-many",
        "many-to-one",
        "many-to-one",
        "many-to-one",
        "one-to-many",
        "one-to-many",
    ]


def test_verb_word_is_the_last_segment_lower_cased():
    verbs = pd.Series(
        [
            "http://adlnet.gov/expapi/verbs/Experienced",
            "https://w3id.org/xapi/video/verbs/played/",
            "http://example.org/verbs#watched",
            None,
        ]
    )
    assert verb_word(verbs).tolist()[:3] == ["experienced", "played", "watched"]
    assert pd.isna(verb_word(verbs).iloc[3])


def test_nothing_to_place_gives_an_empty_frame(march_run, class_people):
    st = make_statements({"actor": ANN, "object_id": FORUM, "time": "2026-03-03T10:00Z"})
    placed = place_statements(
        make_portfolio(make_activities(BRIEF_ACTIVITY), march_run, class_people), st
    )
    assert placed.frame.empty and placed.used == 0
    assert placed.skipped == {"no-activity": 1, "no-run": 0}
    assert {"course_id", "run_id", "activity_id", "phase", "interaction"} <= set(placed.frame)
