"""The delivery analysis of the report notebooks: made once per kernel, one course's rows."""

from __future__ import annotations

import math

import pandas as pd
from test_delivery_section import RUN, delivery_portfolio  # tests/reports

from socialkit.reports import delivery_view, display


def test_the_analysis_is_made_once_and_again_when_a_statement_file_changes(
    tmp_path, monkeypatch
) -> None:
    path = delivery_portfolio(tmp_path / "p")
    p = display.load(path)
    calls = []
    real = delivery_view.analyse_delivery
    monkeypatch.setattr(
        delivery_view, "analyse_delivery", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = delivery_view.delivery(p, path)
    assert delivery_view.delivery(p, path) is first and len(calls) == 1
    assert display.course_delivery(p, "onboarding-30", path).summary.empty
    assert len(calls) == 1  # another course: the same analysis
    log = path / "statements" / "s.jsonl"
    log.write_text(log.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    again = display.course_delivery(p, "it-risk", path)
    assert len(calls) == 2 and again.read == 1


def test_one_courses_delivery_by_hand(tmp_path) -> None:
    path = delivery_portfolio(tmp_path / "p")
    p = display.load(path)
    went = display.course_delivery(p, "it-risk", path)
    assert went.has_data and went.files == 1 and went.read == 2
    assert went.runs["run_id"].tolist() == [RUN]
    assert went.summary["activity_id"].tolist() == ["A1", "A2", "A3", "A4", "A5", "A6"]
    (run,) = went.courses.to_dict("records")
    assert (run["learners"], run["done"], run["tracked"]) == (2, 1, 2)
    assert (run["prework_done"], run["as_planned"]) == (0.25, 0.5)
    assert run["tools_used"] == ("Viva Engage",)
    assert went.warnings["code"].tolist() == ["untracked", "not-done"]
    none = display.course_delivery(p, "onboarding-30", path)
    assert not none.has_data and none.runs.empty and none.warnings.empty


def test_runs_without_statement_files_have_no_delivery_figures(tmp_path) -> None:
    path = delivery_portfolio(tmp_path / "p", statements=False)
    p = display.load(path)
    went = display.course_delivery(p, "it-risk", path)
    assert len(went.runs) == 1 and went.files == 0 and not went.has_data
    by_course = display.delivery_by_course(p, path).set_index("course_id")
    assert by_course.loc["it-risk", "runs"] == 1
    assert math.isnan(by_course.loc["it-risk", "prework_done"])
    assert by_course["delivery_warnings"].isna().all()  # not known without statements


def test_delivery_by_course_sums_over_runs(tmp_path) -> None:
    path = delivery_portfolio(tmp_path / "p")
    people = path / "people.csv"
    runs = path / "runs.csv"
    # a second run of it-risk, a week later: learner Cy, who does A1 and A2 before class
    runs.write_text(
        runs.read_text(encoding="utf-8")
        + "it-risk,r2,2026-03-09T09:00+01:00,2026-03-09T17:00+01:00,Europe/Paris,\n",
        encoding="utf-8",
    )
    people.write_text(
        people.read_text(encoding="utf-8") + "it-risk,r2,mailto:cy@example.org,learner\n",
        encoding="utf-8",
    )
    line = (
        '{{"actor": {{"mbox": "mailto:cy@example.org"}}, '
        '"verb": {{"id": "http://id.tincanapi.com/verb/viewed"}}, '
        '"object": {{"id": "https://lms.example.org/{a}"}}, "timestamp": "2026-03-08T10:00Z"}}\n'
    )
    (path / "statements" / "r2.jsonl").write_text(line.format(a="a1") + line.format(a="a2"))
    p = display.load(path)
    row = display.delivery_by_course(p, path).set_index("course_id").loc["it-risk"]
    # pre-work pairs: r1 4 (1 done before), r2 2 (both done): 3 of 6; as planned: r1 1 of 2,
    # r2 1 of 2 (A2 realised before and one-to-many, planned many-to-many: not as planned)
    assert row["runs"] == 2
    assert row["prework_done"] == 0.5
    assert row["as_planned"] == 0.5
    assert row["delivery_warnings"] == 2 + 2
    codes = display.course_delivery(p, "it-risk", path).warnings.groupby("run_id")["code"]
    assert codes.agg(list).to_dict() == {
        RUN: ["untracked", "not-done"],
        "r2": ["untracked", "no-peer-exchange"],  # Cy answered nobody on A2
    }
    others = display.delivery_by_course(p, path).set_index("course_id").drop(index="it-risk")
    assert others["runs"].eq(0).all() and others["prework_done"].isna().all()
    assert others["delivery_warnings"].isna().all()


def test_local_time_is_in_the_runs_zone() -> None:
    starts = pd.Timestamp("2026-03-02T08:00Z")
    assert display.local_time(starts, "Europe/Paris") == "Mon 2 Mar 2026, 09:00 (Europe/Paris)"
    assert display.local_time(starts, "UTC") == "Mon 2 Mar 2026, 08:00 (UTC)"
