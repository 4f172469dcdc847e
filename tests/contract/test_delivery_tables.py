"""The delivery tables ``runs`` and ``people`` and the activities' ``xapi_ids``: rules, errors,
canonical values. Expected instants are worked out by hand: Brussels is UTC+1 in winter and
UTC+2 from 2026-03-29 (the clocks go forward at 02:00 local that day)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import frame, make_tables

from socialkit.contract.delivery_tables import parse_times
from socialkit.contract.schema import ISSUE_COLUMNS, TABLES, Portfolio, empty_people, empty_runs
from socialkit.contract.validation import validate
from socialkit.errors import ValidationError

UUID = "3f2b8c1e-0d4a-4b6e-9c1f-2a7d5e8b9c10"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def base(**acts) -> dict[str, pd.DataFrame]:
    return make_tables(
        [
            {"course_id": "c1", "title": "One", "organisation": "Acme"},
            {"course_id": "c2", "title": "Two", "organisation": "Acme"},
        ],
        [
            {"course_id": "c1", "objective_id": "o1", "statement": "s"},
            {"course_id": "c2", "objective_id": "o1", "statement": "s"},
        ],
        [
            {"course_id": "c1", "activity_id": "a1", "seq": "1", "title": "A", **acts},
            {"course_id": "c1", "activity_id": "a2", "seq": "2", "title": "B"},
            {"course_id": "c2", "activity_id": "a1", "seq": "1", "title": "A"},
        ],
    )


def run(run_id: str = "r1", starts: str = "2026-03-02T09:00+01:00", course="c1", **kw) -> dict:
    return {"course_id": course, "run_id": run_id, "starts": starts, **kw}


def person(who: str = "mailto:ann@example.org", role="learner", run_id="r1", course="c1"):
    return {"course_id": course, "run_id": run_id, "person": who, "role": role}


def tables(runs: list[dict], people: list[dict] | None = None, **acts) -> dict:
    out = base(**acts)
    out["runs"] = frame(runs, "runs")
    if people is not None:
        out["people"] = frame(people, "people")
    return out


def issues_of(t: dict, match: str) -> pd.DataFrame:
    with pytest.raises(ValidationError, match=match) as info:
        validate(t)
    assert list(info.value.issues.columns) == ISSUE_COLUMNS
    return info.value.issues


def located(issues: pd.DataFrame) -> list[tuple]:
    return [
        (t, int(r), c, code)
        for t, r, c, code in issues[["table", "row", "column", "code"]].itertuples(index=False)
    ]


# --------------------------------------------------------------------------- time zones
def test_a_date_in_a_time_zone_is_its_local_midnight_and_a_blank_end_the_next() -> None:
    p = validate(tables([run(starts="2026-03-02", timezone="Europe/Brussels")]))
    r = p.runs.iloc[0]
    assert r["starts"] == utc("2026-03-01T23:00")
    assert r["ends"] == utc("2026-03-02T23:00")
    assert r["timezone"] == "Europe/Brussels"


def test_summer_time_is_the_offset_of_its_own_day() -> None:
    p = validate(
        tables(
            [
                run(starts="2026-03-29T09:00", ends="2026-03-29T17:30", timezone="Europe/Brussels"),
                # the evening before the change: midnight is still UTC+1
                run("r2", starts="2026-03-28T21:00", timezone="europe/BRUSSELS"),
            ]
        )
    )
    assert p.runs["starts"].tolist() == [utc("2026-03-29T07:00"), utc("2026-03-28T20:00")]
    assert p.runs["ends"].tolist() == [utc("2026-03-29T15:30"), utc("2026-03-28T23:00")]
    assert p.runs["timezone"].tolist() == ["Europe/Brussels", "Europe/Brussels"]


def test_offsets_z_seconds_and_a_blank_time_zone_read_as_written() -> None:
    values = pd.Series(
        [
            "2026-03-02T09:00+01:00",
            "2026-03-02T08:00Z",
            "2026-03-02T09:00:30+0100",
            "2026-03-02 09:00",  # a workbook's date-time, no zone: UTC here
            "2026-03-02T23:30-05",
        ]
    )
    got = parse_times(values, pd.Series(["UTC"] * 5))
    assert got.tolist() == [
        utc("2026-03-02T08:00"),
        utc("2026-03-02T08:00"),
        utc("2026-03-02T08:00:30"),
        utc("2026-03-02T09:00"),
        utc("2026-03-03T04:30"),
    ]
    p = validate(tables([run(starts="2026-03-02T09:00"), run("r2", starts="2026-03-02")]))
    assert p.runs["timezone"].tolist() == ["UTC", "UTC"]
    assert p.runs["starts"].tolist() == [utc("2026-03-02T09:00"), utc("2026-03-02T00:00")]
    assert p.runs["ends"].tolist() == [utc("2026-03-03T00:00"), utc("2026-03-03T00:00")]


def test_a_time_the_clocks_skip_moves_forward() -> None:
    # 02:30 does not exist in Brussels on 2026-03-29: it is 03:00 local, 01:00Z
    got = parse_times(pd.Series(["2026-03-29T02:30"]), pd.Series(["Europe/Brussels"]))
    assert got.tolist() == [utc("2026-03-29T01:00")]
    # 02:30 happens twice on 2026-10-25: the first, still in summer time (UTC+2), counts
    got = parse_times(pd.Series(["2026-10-25T02:30"]), pd.Series(["Europe/Brussels"]))
    assert got.tolist() == [utc("2026-10-25T00:30")]


def test_registration_is_stored_in_lower_case_and_blank_as_none() -> None:
    p = validate(tables([run(registration=UUID.upper()), run("r2")]))
    assert p.runs["registration"].tolist() == [UUID, None]
    assert p.runs["row"].tolist() == [2, 3]


# --------------------------------------------------------------------------- people
def test_role_synonyms_and_both_person_forms() -> None:
    people = [
        person("MAILTO:Ann@Example.ORG", "Student"),
        person("mailto:bob@example.org", "participant"),
        person("account:https://lms.example.org::Ab7 ", "Facilitator"),
        person("account:https://lms.example.org:8443/x::Carl Doe", "instructor"),
        person("mailto:dee@example.org", "Teacher"),
        person("mailto:eve@example.org", "tutor"),
    ]
    p = validate(tables([run()], people))
    assert p.people["person"].tolist() == [
        "mailto:ann@example.org",
        "mailto:bob@example.org",
        "account:https://lms.example.org::Ab7",
        "account:https://lms.example.org:8443/x::Carl Doe",
        "mailto:dee@example.org",
        "mailto:eve@example.org",
    ]
    assert p.people["role"].tolist() == ["learner"] * 2 + ["trainer"] * 4
    assert p.people["row"].tolist() == [2, 3, 4, 5, 6, 7]


def test_the_same_person_in_two_runs_is_fine_twice_in_one_is_not() -> None:
    ok = [person(), person(run_id="r2")]
    assert len(validate(tables([run(), run("r2")], ok)).people) == 2
    twice = [person("mailto:Ann@example.org"), person("mailto:ann@EXAMPLE.org", "trainer")]
    issues = issues_of(tables([run()], twice), "duplicate person in this run")
    assert located(issues) == [("people", 3, "person", "duplicate")]
    assert "first used at row 2" in issues["message"].iloc[0]


@pytest.mark.parametrize(
    "who",
    [
        "ann@example.org",
        "mailto:ann",
        "mailto:ann @example.org",
        "account:lms.example.org::4711",
        "account:https://lms.example.org::",
        "account:https://lms.example.org:: ",
        "account:https://::4711",
        "https://lms.example.org::4711",
    ],
)
def test_a_person_of_neither_form_is_an_error(who: str) -> None:
    issues = issues_of(tables([run()], [person(who)]), "expected 'mailto:' and an e-mail")
    assert located(issues) == [("people", 2, "person", "bad-format")]
    assert issues["value"].iloc[0] == who


def test_a_role_outside_the_vocabulary_is_an_error() -> None:
    issues = issues_of(tables([run()], [person(role="boss")]), "expected one of 'learner', 'tra")
    assert located(issues) == [("people", 2, "role", "not-in-vocabulary")]


def test_people_must_name_a_run_of_a_known_course() -> None:
    people = [person(run_id="r9"), person(run_id="r1", course="c2"), person(course="c7")]
    issues = issues_of(tables([run()], people), "3 errors")
    assert located(issues) == [
        ("people", 2, "run_id", "unknown-run"),
        ("people", 3, "run_id", "unknown-run"),
        ("people", 4, "course_id", "unknown-course"),
    ]
    with pytest.raises(ValidationError, match="no such run in this course"):
        validate(tables([run()], people[:1]))


# --------------------------------------------------------------------------- runs errors
def test_a_run_of_an_unknown_course_is_an_error() -> None:
    issues = issues_of(tables([run(course="c9")]), "unknown course; expected a course_id")
    assert located(issues) == [("runs", 2, "course_id", "unknown-course")]


def test_a_run_id_twice_in_a_course_is_an_error_but_not_in_two_courses() -> None:
    assert len(validate(tables([run(), run(course="c2")])).runs) == 2
    issues = issues_of(tables([run(), run()]), "duplicate run_id within course 'c1'")
    assert located(issues) == [("runs", 3, "run_id", "duplicate")]


@pytest.mark.parametrize(
    "value", ["tomorrow", "2026-02-30", "2026-03-02T25:00", "02/03/2026", "2026-03-02+01:00"]
)
def test_an_unreadable_start_or_end_is_an_error(value: str) -> None:
    issues = issues_of(tables([run(starts=value)]), "expected an ISO 8601 date-time")
    assert located(issues) == [("runs", 2, "starts", "bad-format")]
    issues = issues_of(tables([run(ends=value)]), "expected an ISO 8601 date-time")
    assert located(issues) == [("runs", 2, "ends", "bad-format")]


def test_a_blank_or_missing_start_is_an_error() -> None:
    issues = issues_of(tables([run(starts="  ")]), "is blank; a value is required")
    assert located(issues) == [("runs", 2, "starts", "blank")]
    t = tables([run()])
    t["runs"] = t["runs"].drop(columns="starts")
    with pytest.raises(ValidationError, match="required column 'starts' is missing"):
        validate(t)


def test_an_end_not_after_the_start_is_an_error() -> None:
    # 10:00 in Brussels is 09:00Z: the same instant as the start
    same = run(starts="2026-03-02T09:00Z", ends="2026-03-02T10:00", timezone="Europe/Brussels")
    issues = issues_of(tables([same]), r"is not after starts \(2026-03-02T09:00Z\)")
    assert located(issues) == [("runs", 2, "ends", "bad-period")]
    ok = run(starts="2026-03-02T09:00Z", ends="2026-03-02T10:01", timezone="Europe/Brussels")
    assert validate(tables([ok])).runs["ends"].iloc[0] == utc("2026-03-02T09:01")


def test_an_unknown_time_zone_is_an_error_and_says_nothing_more_of_local_times() -> None:
    issues = issues_of(
        tables([run(starts="2026-03-02", timezone="Mars/Olympus")]), "unknown time zone"
    )
    assert located(issues) == [("runs", 2, "timezone", "bad-time-zone")]
    issues = issues_of(tables([run(starts="soon", timezone="Mars/Olympus")]), "2 errors")
    assert located(issues) == [
        ("runs", 2, "starts", "bad-format"),
        ("runs", 2, "timezone", "bad-time-zone"),
    ]
    for bad in ("../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe\\Brussels"):
        issues = issues_of(tables([run(timezone=bad)]), "expected an IANA name")
        assert located(issues) == [("runs", 2, "timezone", "bad-time-zone")]


def test_a_registration_not_a_uuid_is_an_error() -> None:
    issues = issues_of(tables([run(registration="run-1")]), "expected a UUID")
    assert located(issues) == [("runs", 2, "registration", "bad-format")]


def test_every_problem_is_reported_at_once() -> None:
    runs = [
        run(starts="soon"),
        run("r2", timezone="Nowhere/Town"),
        run("r2"),
        run("r3", ends="2026-03-01", registration="x"),
    ]
    people = [person(role="boss"), person("bob"), person(run_id="r8")]
    issues = issues_of(tables(runs, people, xapi_ids="not an iri"), "9 errors in the portfolio")
    assert located(issues) == [
        ("activities", 2, "xapi_ids", "bad-format"),
        ("runs", 2, "starts", "bad-format"),
        ("runs", 3, "timezone", "bad-time-zone"),
        ("runs", 4, "run_id", "duplicate"),
        ("runs", 5, "ends", "bad-period"),
        ("runs", 5, "registration", "bad-format"),
        ("people", 2, "role", "not-in-vocabulary"),
        ("people", 3, "person", "bad-format"),
        ("people", 4, "run_id", "unknown-run"),
    ]
    assert set(issues["course_id"]) == {"c1"}


def test_partial_leaves_out_the_course_of_an_invalid_run_or_person() -> None:
    runs = [run(), run(course="c2", starts="never")]
    people = [person(), person(course="c2")]
    p = validate(tables(runs, people), partial=True)
    assert p.course_ids == ["c1"]
    assert p.runs[["course_id", "run_id"]].values.tolist() == [["c1", "r1"]]
    assert p.people["course_id"].tolist() == ["c1"]
    assert p.invalid_courses["course_id"].tolist() == ["c2"]
    people = [person(), person(course="c2", role="boss")]
    p = validate(tables([run(), run(course="c2")], people), partial=True)
    assert p.course_ids == ["c1"] and p.runs["course_id"].tolist() == ["c1"]
    assert p.invalid["code"].tolist() == ["not-in-vocabulary"]


# --------------------------------------------------------------------------- xapi_ids
def test_xapi_ids_are_tuples_trimmed_without_repeats() -> None:
    p = validate(tables([run()], xapi_ids=" https://lms.example.org/a/1 ;urn:x:2;; urn:x:2"))
    assert p.activities["xapi_ids"].tolist() == [
        ("https://lms.example.org/a/1", "urn:x:2"),
        (),
        (),
    ]


@pytest.mark.parametrize("cell", ["lms/activity/1", "https://x.org/a b", "urn:x:1; 42"])
def test_an_xapi_id_not_an_iri_is_an_error(cell: str) -> None:
    issues = issues_of(tables([run()], xapi_ids=cell), "every ';'-separated item must be")
    assert located(issues) == [("activities", 2, "xapi_ids", "bad-format")]


def test_one_xapi_id_for_two_activities_of_a_course_is_an_error_naming_both() -> None:
    t = base(xapi_ids="urn:x:1;urn:x:2")
    t["activities"].loc[3, "xapi_ids"] = "urn:x:2"
    t["activities"].loc[4, "xapi_ids"] = "urn:x:1"  # another course: fine
    issues = issues_of(t, r"xAPI id 'urn:x:2' is also an id of activity 'a1' \(row 2\)")
    assert located(issues) == [("activities", 3, "xapi_ids", "ambiguous-xapi-id")]
    assert issues["course_id"].tolist() == ["c1"]


# --------------------------------------------------------------------------- the portfolio
def test_a_portfolio_without_delivery_data_has_empty_typed_tables() -> None:
    p = validate(base())
    assert list(p.runs.columns) == [s.name for s in TABLES["runs"]] + ["row"]
    assert list(p.people.columns) == [s.name for s in TABLES["people"]] + ["row"]
    assert len(p.runs) == len(p.people) == 0
    assert str(p.runs["starts"].dtype) == str(p.runs["ends"].dtype) == "datetime64[ns, UTC]"
    assert p.activities["xapi_ids"].tolist() == [(), (), ()]
    assert "runs" not in p.raw and "people" not in p.raw
    bare = Portfolio(p.courses, p.objectives, p.activities, p.tools, p.organisations)
    assert len(bare.runs) == 0 and list(bare.people.columns) == list(p.people.columns)


def test_select_keeps_the_runs_and_people_of_the_courses_chosen() -> None:
    runs = [run(), run(course="c2"), run("r2", course="c2")]
    people = [person(), person(course="c2"), person("mailto:bob@x.org", run_id="r2", course="c2")]
    p = validate(tables(runs, people)).select("c2")
    assert p.runs["run_id"].tolist() == ["r1", "r2"]
    assert p.people["person"].tolist() == ["mailto:ann@example.org", "mailto:bob@x.org"]


def test_a_hundred_thousand_people_are_checked_on_whole_columns() -> None:
    import time

    n = 100_000
    t = tables([run(), run("r2")])
    t["people"] = pd.DataFrame(
        {
            "course_id": ["c1"] * n,
            "run_id": ["r1", "r2"] * (n // 2),
            "person": [f"mailto:p{i}@example.org" for i in range(n)],
            "role": ["Student"] * (n - 1) + ["tutor"],
        },
        index=pd.RangeIndex(2, n + 2),
        dtype="str",
    )
    start = time.perf_counter()
    p = validate(t)
    assert time.perf_counter() - start < 10
    assert len(p.people) == n and p.people["role"].iloc[-1] == "trainer"


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, s.name) for t in ("runs", "people") for s in TABLES[t] if s.kind == "structural"],
)
def test_a_missing_required_column_of_a_delivery_table_is_an_error(table: str, column: str):
    t = tables([run()], [person()])
    t[table] = t[table].drop(columns=column)
    with pytest.raises(ValidationError, match=f"required column {column!r} is missing") as info:
        validate(t)
    issues = info.value.issues
    assert issues["code"].tolist() == ["missing-column"]
    assert (issues["table"].iloc[0], issues["column"].iloc[0]) == (table, column)
    assert pd.isna(issues["row"].iloc[0])


def test_optional_run_columns_may_be_absent() -> None:
    t = tables([run()], [person()])
    t["runs"] = t["runs"][["course_id", "run_id", "starts"]]
    p = validate(t)
    assert p.runs[["timezone", "registration"]].values.tolist() == [["UTC", None]]
    assert p.runs["ends"].tolist() == [utc("2026-03-03T00:00")]


def test_people_without_any_runs_table_name_unknown_runs() -> None:
    t = base()
    t["people"] = frame([person()], "people")
    issues = issues_of(t, "no such run in this course")
    assert located(issues) == [("people", 2, "run_id", "unknown-run")]


def test_empty_delivery_tables_are_fresh_copies_each_time() -> None:
    runs, people = empty_runs(), empty_people()
    assert list(runs.columns) == [
        "course_id",
        "run_id",
        "starts",
        "ends",
        "timezone",
        "registration",
        "row",
    ]
    assert str(runs["starts"].dtype) == "datetime64[ns, UTC]" and runs.empty
    assert list(people.columns) == ["course_id", "run_id", "person", "role", "row"]
    runs.loc[0] = ["c", "r", pd.Timestamp("2026-01-05T09:00Z"), pd.NaT, "UTC", None, 2]
    people["extra"] = 1  # what a caller does to its copy, no later portfolio sees
    assert empty_runs().empty and "extra" not in empty_people().columns
    assert empty_runs() is not empty_runs()
