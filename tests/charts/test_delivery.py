"""The delivery charts against a hand-made delivery summary (one course, two runs)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socialkit.charts.delivery import (
    NOT_ENGAGED,
    delivery_overview_data,
    delivery_overview_figure,
    engagement_data,
    engagement_figure,
    realised_matrix_data,
    realised_matrix_figure,
)
from socialkit.delivery.realised import SUMMARY_COLUMNS
from socialkit.errors import UnknownRunError


def row(run: str, aid: str, seq: int, **kw: object) -> dict:
    base = {
        "course_id": "c1",
        "run_id": run,
        "activity_id": aid,
        "seq": seq,
        "title": aid.title(),
        "planned_timing": "before",
        "planned_direction": "one-to-many",
        "tool": "Moodle",
        "expected": True,
        "tracked": True,
        "learners": 4,
        "participants": 0,
        "before": 0,
        "during": 0,
        "after": 0,
        "realised_timing": None,
        "realised_direction": None,
        "as_planned": pd.NA,
        "peer_replies": 0,
        "statements": 0,
    }
    out = base | kw
    out["participants"] = out["before"] + out["during"] + out["after"]
    return out


@pytest.fixture
def summary() -> pd.DataFrame:
    """Run r1 of course c1 (4 learners): a pre-read done before by 3 and during by 1
    (realised before/one-to-many, as planned); a <b>forum</b> planned after/many-to-many
    realised after/many-to-one by 2 (not as planned); a class talk not expected; run r2:
    the pre-read done by nobody."""
    rows = [
        row(
            "r1",
            "read",
            1,
            before=3,
            during=1,
            realised_timing="before",
            realised_direction="one-to-many",
            as_planned=True,
            statements=6,
        ),
        row(
            "r1",
            "forum",
            2,
            title="<b>Forum</b>",
            planned_timing="after",
            planned_direction="many-to-many",
            after=2,
            realised_timing="after",
            realised_direction="many-to-one",
            as_planned=False,
            statements=3,
        ),
        row("r1", "talk", 3, planned_timing="during", tool="none", expected=False, tracked=False),
        row("<b>r2</b>", "read", 1, learners=2),
        row(
            "<b>r2</b>",
            "forum",
            2,
            title="<b>Forum</b>",
            planned_timing="after",
            planned_direction="many-to-many",
            learners=2,
        ),
        row(
            "<b>r2</b>",
            "talk",
            3,
            planned_timing="during",
            tool="none",
            expected=False,
            tracked=False,
            learners=2,
        ),
    ]
    frame = pd.DataFrame(rows)[list(SUMMARY_COLUMNS)]
    frame["as_planned"] = frame["as_planned"].astype("boolean")
    return frame


def test_the_realised_matrix_counts_the_tracked_expected_activities(summary) -> None:
    data = realised_matrix_data(summary, course_id="c1", run_id="r1")
    assert list(data["timing"].cat.categories) == ["before", "during", "after"]
    assert list(data["direction"].cat.categories) == ["one-to-many", "many-to-one", "many-to-many"]
    assert len(data) == 9
    cells = data.set_index(["timing", "direction"])
    assert cells.loc[("before", "one-to-many")].tolist() == [1, 1]
    assert cells.loc[("after", "many-to-many")].tolist() == [1, 0]
    assert cells.loc[("after", "many-to-one")].tolist() == [0, 1]
    assert data["planned"].sum() == 2 and data["realised"].sum() == 2  # the talk is not counted


def test_the_realised_matrix_figure_puts_plan_and_realisation_side_by_side(summary) -> None:
    fig = realised_matrix_figure(summary, course_id="c1", run_id="r1")
    planned, realised = fig.data
    assert (planned.name, realised.name) == ("planned", "realised")
    assert (planned.xaxis, realised.xaxis) == ("x", "x2")
    assert [list(r) for r in planned.z] == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]
    assert [list(r) for r in realised.z] == [[1, 0, 0], [0, 0, 0], [0, 1, 0]]
    assert list(planned.y) == ["Before class", "During class", "After class"]
    assert planned.zmax == realised.zmax == 1


def test_a_run_nobody_took_part_in_has_an_empty_realised_grid(summary) -> None:
    data = realised_matrix_data(summary, course_id="c1", run_id="<b>r2</b>")
    assert data["planned"].sum() == 2 and data["realised"].sum() == 0
    fig = realised_matrix_figure(summary, course_id="c1", run_id="<b>r2</b>")
    assert "&lt;b&gt;r2&lt;/b&gt;" in fig.layout.title.text
    assert "<b>r2</b>" not in fig.layout.title.text


def test_engagement_data_counts_learners_by_first_phase_in_sequence(summary) -> None:
    data = engagement_data(summary, course_id="c1", run_id="r1")
    assert data["activity_id"].tolist() == ["read", "forum", "talk"]
    assert data["before"].tolist() == [3, 0, 0]
    assert data["during"].tolist() == [1, 0, 0]
    assert data["after"].tolist() == [0, 2, 0]
    assert data[NOT_ENGAGED].tolist() == [0, 2, 0]  # the talk is not tracked: nothing known
    assert data["tracked"].tolist() == [True, True, False]
    assert data["expected"].tolist() == [True, True, False]
    assert data["label"].tolist() == ["Step 1: Read", "Step 2: <b>Forum</b>", "Step 3: Talk"]


def test_engagement_figure_stacks_phases_to_the_learners_enrolled(summary) -> None:
    fig = engagement_figure(summary, course_id="c1", run_id="r1")
    names = [t.name for t in fig.data]
    assert names == ["before", "during", "after", NOT_ENGAGED, "planned"]
    bars = {t.name: list(t.x) for t in fig.data if t.type == "bar"}
    assert bars == {
        "before": [3, 0, 0],
        "during": [1, 0, 0],
        "after": [0, 2, 0],
        NOT_ENGAGED: [0, 2, 0],
    }
    assert fig.layout.barmode == "stack"
    assert list(fig.layout.xaxis.range) == [0, 4]
    y = list(fig.data[0].y)
    assert y[0] == "Step 1: Read<br><i>planned before class</i>"
    assert y[1] == "Step 2: &lt;b&gt;Forum&lt;/b&gt;<br><i>planned after class</i>"
    assert y[2] == "Step 3: Talk<br><i>in class without a tool: no statements expected</i>"
    marks = fig.data[4]
    assert list(marks.y) == y[:2]  # planned phases of the tracked activities
    assert list(marks.marker.color) == ["#56B4E9", "#CC79A7"]
    assert "<b>Forum" not in fig.to_json().replace("<b>%{customdata}</b>", "")


def test_overview_data_gives_prework_and_as_planned_shares(summary) -> None:
    data = delivery_overview_data(summary)
    assert data["label"].tolist() == ["c1 / r1", "c1 / <b>r2</b>"]
    # r1: 3 of 4 learners did the pre-read before; 1 of 2 judged activities as planned
    assert data["prework_done"].tolist() == [0.75, 0.0]
    assert data.loc[0, "as_planned"] == 0.5 and math.isnan(data.loc[1, "as_planned"])
    fig = delivery_overview_figure(summary)
    assert [t.name for t in fig.data] == ["pre-work done", "as planned"]
    assert list(fig.data[0].x) == [75.0, 0.0]
    assert list(fig.data[1].x) == [50.0, None]
    assert list(fig.data[0].y) == ["c1 / r1", "c1 / &lt;b&gt;r2&lt;/b&gt;"]


def test_an_unknown_run_is_named_with_the_runs_known(summary) -> None:
    with pytest.raises(UnknownRunError, match=r"no run 'r9' of course 'c1'.*'c1'/'r1'"):
        engagement_data(summary, course_id="c1", run_id="r9")
    with pytest.raises(UnknownRunError, match="no delivery data"):
        realised_matrix_data(summary.iloc[:0], course_id="c1", run_id="r1")


def test_an_expected_activity_without_xapi_ids_reads_as_not_tracked(summary) -> None:
    untracked = summary.copy()
    forum = untracked["run_id"].eq("r1") & untracked["activity_id"].eq("forum")
    untracked.loc[forum, "tracked"] = False
    y = list(engagement_figure(untracked, course_id="c1", run_id="r1").data[0].y)
    assert y[1] == "Step 2: &lt;b&gt;Forum&lt;/b&gt;<br><i>not tracked: no xapi_ids</i>"
    assert y[2] == "Step 3: Talk<br><i>in class without a tool: no statements expected</i>"
