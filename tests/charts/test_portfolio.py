"""Portfolio views: tidy data checked against hand-computed values, figures against
their data.

Expected numbers come from the ``two_courses`` fixture: its docstring in conftest lists
every activity, and the module docstring of test_charts.py tabulates them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import act, course, make_portfolio, z_of

from socialkit.analysis.checklist import QUESTIONS
from socialkit.charts.course import (
    CHECK_COLOURS,
    DIRECTION_COLOURS,
    learning_mix_figure,
    matrix_figure,
)
from socialkit.charts.portfolio import (
    checklist_data,
    checklist_figure,
    direction_mix_data,
    direction_mix_figure,
    organisation_mix_data,
    organisation_mix_figure,
    outside_share_data,
    outside_share_figure,
    outside_spread_data,
    outside_spread_figure,
    question_answers_data,
    question_answers_figure,
)

DIRS = ["one-to-many", "many-to-one", "many-to-many"]


# --------------------------------------------------------------------------- 1 checklist
def test_checklist_data_two_courses(two_courses):
    data = checklist_data(two_courses)
    assert data["course_id"].tolist() == ["c1"] * 6 + ["c2"] * 6
    assert data["question"].tolist() == [1, 2, 3, 4, 5, 6] * 2
    # c1: every question open (Q3 by a2's no-in-class-reason warning); c2: activities
    # (Q2: one cause, its no objective is Q1's), direction (Q4) and tool (Q5) are fine
    c1 = ["gap", "gap", "gap", "gap", "gap", "gap"]
    c2 = ["gap", "ok", "gap", "ok", "ok", "gap"]
    assert data["status"].tolist() == [*c1, *c2]
    assert data["n_gaps"].tolist() == [2, 1, 1, 1, 2, 1, 1, 0, 1, 0, 0, 1]
    assert data["title"].iloc[0] == "Risk basics" and data["title"].iloc[-1] == "Tool-first"


def test_checklist_figure_two_courses(two_courses):
    fig = checklist_figure(two_courses)
    (trace,) = fig.data
    assert trace.type == "heatmap"
    assert z_of(fig) == [[0, 0, 0, 0, 0, 0], [0, 1, 0, 1, 1, 0]]
    assert list(trace.y) == ["c1", "c2"]
    assert list(trace.x) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    # every column is labelled with its question, wrapped
    ticks = [t.replace("<br>", " ") for t in fig.layout.xaxis.ticktext]
    assert ticks == [f"Q{q} {text}" for q, text in QUESTIONS.items()]
    assert list(fig.layout.xaxis.tickvals) == list(trace.x)
    assert np.asarray(trace.text).tolist()[0] == ["✗ 2", "✗ 1", "✗ 1", "✗ 1", "✗ 2", "✗ 1"]
    hover = np.asarray(trace.customdata).tolist()
    assert "Tube" in hover[0][4] and "a5" in hover[0][4]  # c1 Q5: the blocked tool
    assert "Lecture" in hover[0][2]  # c1 Q3: a2 in class without a reason
    assert "no gap" in hover[1][1]
    assert "no learning objective" in hover[1][0]
    colours = {c for _, c in trace.colorscale}
    assert colours == {CHECK_COLOURS["ok"], CHECK_COLOURS["gap"]}
    assert (trace.zmin, trace.zmax) == (0, 1)


def test_checklist_single_course_and_fifty(two_courses):
    one = checklist_figure(two_courses.select(["c2"]))
    assert z_of(one) == [[0, 1, 0, 1, 1, 0]]
    ids = [f"k{i:02d}" for i in range(50)]
    p = make_portfolio(
        [course(i) for i in ids],
        [{"course_id": i, "objective_id": "o", "statement": "s"} for i in ids],
        [
            act(
                i,
                "a",
                1,
                objective_id="o",
                timing="during",
                direction="many-to-many",
                tool="none",
                in_class_reason="feedback",
            )
            for i in ids
        ],
    )
    fig = checklist_figure(p)
    assert np.asarray(fig.data[0].z).shape == (50, 6)
    assert list(fig.data[0].y) == ids
    assert fig.layout.height > one.layout.height
    assert np.asarray(fig.data[0].z).all()  # every question answered in these courses


def test_checklist_hover_caps_long_gap_lists():
    p = make_portfolio(
        [course("x")],
        [{"course_id": "x", "objective_id": "o", "statement": "s"}],
        [act("x", f"a{i}", i, objective_id="o") for i in range(1, 10)],
    )
    hover = np.asarray(checklist_figure(p).data[0].customdata).tolist()
    # Q3: nine activities with undecided timing, six listed then the rest counted
    assert hover[0][2].count("• ") == 6 and "… and 3 more" in hover[0][2]


# --------------------------------------------------------------------------- 2 outside share
def test_outside_share_two_courses(two_courses):
    data = outside_share_data(two_courses)
    assert data["course_id"].tolist() == ["c1", "c2"]
    # c1: a1, a3, a5 of 5 outside; minutes (30 + 20) of 200; c2: b1 is undecided
    assert data["share_outside"].astype("float64").tolist() == [0.6, 0.0]
    assert data["share_minutes_outside"].astype("float64").tolist() == [0.25, 0.0]
    fig = outside_share_figure(two_courses)
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert list(fig.data[0].x) == [0.6, 0.0] and list(fig.data[1].x) == pytest.approx([0.25, 0])
    assert list(fig.data[0].y) == ["c1", "c2"]
    assert fig.layout.barmode == "group"


def test_outside_share_sorted_highest_first():
    p = make_portfolio(
        [course("x"), course("y"), course("empty"), course("w")],
        [],
        [
            act("x", "a", 1, timing="before", minutes="10"),
            act("x", "b", 2, timing="during", minutes="50"),
            act("y", "a", 1, timing="after", minutes="5"),
            act("y", "b", 2, timing="before", minutes="5"),
            act("w", "a", 1, timing="before", minutes="40"),
            act("w", "b", 2, timing="during", minutes="10"),
        ],
    )
    data = outside_share_data(p)
    # y 2/2; x and w tie on 1/2 and w has more minutes outside (40/50 > 10/60); empty last
    assert data["course_id"].tolist() == ["y", "w", "x", "empty"]
    assert pd.isna(data["share_outside"].iloc[-1])
    assert list(outside_share_figure(p).data[0].y) == ["y", "w", "x", "empty"]


# --------------------------------------------------------------------------- 3 direction mix
def test_direction_mix_two_courses(two_courses):
    data = direction_mix_data(two_courses)
    assert data["course_id"].tolist() == ["c1"] * 4 + ["c2"] * 4
    assert data["direction"].astype("str").tolist() == [*DIRS, "undecided"] * 2
    assert data["activities"].tolist() == [2, 1, 1, 1, 0, 0, 1, 0]
    assert data["share"].astype("float64").tolist() == pytest.approx(
        [0.4, 0.2, 0.2, 0.2, 0, 0, 1, 0]
    )
    fig = direction_mix_figure(two_courses)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == [*DIRS, "undecided"]
    assert [list(t.x) for t in fig.data] == [[0.4, 0], [0.2, 0], [0.2, 1], [0.2, 0]]
    assert [t.marker.color for t in fig.data] == [DIRECTION_COLOURS[t.name] for t in fig.data]
    assert np.sum([list(t.x) for t in fig.data], axis=0).tolist() == pytest.approx([1, 1])


def test_direction_mix_hides_undecided_when_none(two_courses):
    fig = direction_mix_figure(two_courses.select(["c2"]))
    assert [t.name for t in fig.data] == DIRS


# --------------------------------------------------------------------------- bundled sample
def test_portfolio_charts_on_sample(sample):
    n = len(sample.course_ids)
    assert np.asarray(checklist_figure(sample).data[0].z).shape == (n, 6)
    assert matrix_figure(sample).data[0].type == "heatmap"
    assert learning_mix_figure(sample).data[0].type == "bar"
    shares = outside_share_data(sample)["share_outside"].astype("float64")
    assert shares.is_monotonic_decreasing and len(shares) == n
    assert len(outside_share_figure(sample).data[0].y) == n
    mix = direction_mix_figure(sample)
    totals = np.nansum([list(t.x) for t in mix.data], axis=0)
    assert totals == pytest.approx(np.ones(n))


@pytest.mark.parametrize("name", ["two_courses", "sample"])
def test_portfolio_figures_are_what_validation_gives(request, name):
    p = request.getfixturevalue(name)
    for fig in (checklist_figure(p), outside_share_figure(p), direction_mix_figure(p)):
        assert go.Figure(fig.to_dict()).to_plotly_json() == fig.to_plotly_json()
        with pytest.raises(ValueError, match="bogus"):
            fig.update_layout(bogus=1)


# --------------------------------------------------------------------------- at scale
def test_question_answers_two_courses(two_courses):
    data = question_answers_data(two_courses)
    # c1 answers no question; c2 answers Q2, Q4 and Q5 (see the checklist test above)
    assert data["question"].tolist() == [1, 2, 3, 4, 5, 6]
    assert data["answered"].tolist() == [0, 1, 0, 1, 1, 0]
    assert data["open"].tolist() == [2, 1, 2, 1, 1, 2]
    assert data["share"].tolist() == [0.0, 0.5, 0.0, 0.5, 0.5, 0.0]
    assert data["open_titles"].iloc[0] == "<br>• Risk basics (c1)<br>• Tool-first (c2)"
    assert data["open_titles"].iloc[1] == "<br>• Risk basics (c1)"
    fig = question_answers_figure(two_courses)
    (bar,) = fig.data
    assert bar.y[0] == "Q1. What is the learning objective?"
    assert list(bar.x) == [0.0, 0.5, 0.0, 0.5, 0.5, 0.0]
    assert "(of 2)" in fig.layout.title.text


def test_outside_spread_two_courses(two_courses):
    data = outside_spread_data(two_courses)
    # c1: a1, a3 before and a5 after of five activities = 60%; c2: b1 undecided = 0%
    assert data["band"].tolist() == [
        *(f"{10 * i}-{10 * i + 9}%" for i in range(10)),
        "100%",
    ]
    assert data["courses"].tolist() == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert data["titles"].iloc[6] == "<br>• Risk basics (c1)"
    (bar,) = outside_spread_figure(two_courses).data
    assert list(bar.y) == data["courses"].tolist()


def test_outside_spread_names_a_few_courses_per_band_and_counts_the_rest():
    ids = [f"k{i:02d}" for i in range(8)] + ["empty"]
    p = make_portfolio(
        [course(i) for i in ids],
        [{"course_id": i, "objective_id": "o", "statement": "s"} for i in ids],
        [act(i, "a", 1, objective_id="o", timing="after") for i in ids[:-1]],
    )
    data = outside_spread_data(p)
    assert data["band"].tolist()[-2:] == ["100%", "no activities"]
    assert data["courses"].tolist()[-2:] == [8, 1]
    assert data["titles"].iloc[-2].count("<br>• ") == 5
    assert data["titles"].iloc[-2].endswith("<br>… and 3 more")


def test_organisation_mix_two_courses(two_courses):
    data = organisation_mix_data(two_courses)
    # Acme (c1): a1, a2 one-to-many, a4 many-to-one, a3 many-to-many, a5 undecided;
    # c2 (no organisation): b1 many-to-many
    assert data["organisation"].tolist() == ["Acme"] * 4 + ["default"] * 4
    assert data["organisation_name"].iloc[-1] == "no organisation (default context)"
    assert data["activities"].tolist() == [2, 1, 1, 1, 0, 0, 1, 0]
    assert data["share"].tolist() == [0.4, 0.2, 0.2, 0.2, 0.0, 0.0, 1.0, 0.0]
    fig = organisation_mix_figure(two_courses)
    assert [t.name for t in fig.data] == [*DIRS, "undecided"]
    assert list(fig.data[0].y) == [
        "Acme (1 course)",
        "no organisation (default context) (1 course)",
    ]
    assert {t.marker.color for t in fig.data} == {
        DIRECTION_COLOURS[d] for d in [*DIRS, "undecided"]
    }


def test_scale_charts_escape_course_text():
    title = '<a href="https://evil.example">x</a><b>B</b>'
    p = make_portfolio(
        [course("k1", title=title)],
        [{"course_id": "k1", "objective_id": "o", "statement": "s"}],
        [act("k1", "a", 1, objective_id="o", timing="after")],
    )
    shown = str(outside_spread_figure(p).to_dict()) + str(question_answers_figure(p).to_dict())
    shown += str(organisation_mix_figure(p).to_dict())
    assert "<a " not in shown and "<b>" not in shown
    assert "&lt;b&gt;B&lt;/b&gt;" in shown
