"""Per-course charts: tidy data checked against hand-computed values, figures against
their data (the portfolio views are tested in ``test_portfolio_charts``).

Expected numbers come from the ``two_courses`` fixture (see its docstring in conftest):

c1 (Acme, which has Engage and blocks Tube)::

    seq  id  timing  direction     tool    type       minutes  learning type
    1    a1  before  one-to-many   Engage  content    30       acquisition
    2    a2  during  one-to-many   none    -          60       acquisition
    3    a3  before  many-to-many  Chat    community  20       discussion
    4    a4  during  many-to-one   none    -          90       practice
    5    a5  after   -             Tube    content    -        -

c2 (default context, no objective): b1, undecided timing, many-to-many, Board, 15 min.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from conftest import act, course, make_portfolio, z_of

from socialkit.charts import course as charts
from socialkit.charts.course import (
    DIRECTION_COLOURS,
    LEARNING_TYPE_COLOURS,
    TIMING_COLOURS,
    learning_mix_data,
    learning_mix_figure,
    matrix_data,
    matrix_figure,
    swimlane_data,
    swimlane_figure,
    tool_fit_data,
    tool_fit_figure,
)
from socialkit.charts.portfolio import checklist_figure, direction_mix_figure
from socialkit.editor.draft import DesignDraft
from socialkit.errors import UnknownCourseError

LEARNING = ["acquisition", "inquiry", "practice", "production", "discussion", "collaboration"]
DIRS = ["one-to-many", "many-to-one", "many-to-many"]


# --------------------------------------------------------------------------- 1 matrix
def test_matrix_data_c1_activities(two_courses):
    data = matrix_data(two_courses, course_id="c1")
    # no undecided timing in c1, so three rows; a5's blank direction keeps "undecided"
    assert list(data["timing"].cat.categories) == ["before", "during", "after"]
    assert list(data["direction"].cat.categories) == [*DIRS, "undecided"]
    grid = data.pivot(index="timing", columns="direction", values="value")
    assert grid.to_numpy().tolist() == [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1]]
    assert set(data["measure"]) == {"activities"}


def test_matrix_figure_c1_minutes(two_courses):
    fig = matrix_figure(two_courses, course_id="c1", measure="minutes")
    (trace,) = fig.data
    assert trace.type == "heatmap"
    # a5 has no minutes, so the after/undecided cell holds 0 minutes
    assert z_of(fig) == [[30, 0, 20, 0], [60, 90, 0, 0], [0, 0, 0, 0]]
    assert list(trace.x) == [*DIRS, "undecided"]
    assert list(trace.y) == ["Before class", "During class", "After class"]
    assert np.asarray(trace.text).tolist() == z_of(fig)
    assert "c1" in fig.layout.title.text and "Minutes" in fig.layout.title.text
    assert fig.layout.template == pio.templates["plotly_white"]
    assert fig.layout.height == 130 + 55 * 3  # three timing rows, no blank band
    assert trace.colorbar.dtick is None  # 90 minutes: plotly picks the ticks


def test_matrix_whole_portfolio_adds_undecided_timing(two_courses):
    fig = matrix_figure(two_courses)  # course_id None: the whole portfolio
    assert list(fig.data[0].y) == ["Before class", "During class", "After class", "Undecided"]
    assert z_of(fig) == [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
    # the title is wrapped at 60 characters, at a space, into lines of balanced length
    assert fig.layout.title.text == (
        "Activities by timing and direction<br>— whole portfolio (2 courses)"
    )
    assert fig.data[0].zmax is None  # the portfolio's scale runs up to its largest cell
    assert fig.layout.height == 130 + 55 * 4
    assert (fig.data[0].colorbar.tick0, fig.data[0].colorbar.dtick) == (0, 1)  # whole counts


def test_matrix_c2_drops_unused_undecided_direction(two_courses):
    data = matrix_data(two_courses, course_id="c2", measure="minutes")
    assert list(data["direction"].cat.categories) == DIRS
    assert list(data["timing"].cat.categories) == ["before", "during", "after", "undecided"]
    assert z_of(matrix_figure(two_courses, course_id="c2", measure="minutes")) == [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 15],
    ]


def test_a_course_matrix_has_the_same_colour_scale_on_every_course(two_courses):
    for cid in ("c1", "c2"):
        for measure, top in (("activities", 10), ("minutes", 480)):
            heatmap = matrix_figure(two_courses, course_id=cid, measure=measure).data[0]
            assert (heatmap.zmin, heatmap.zmax) == (0, top)
            ticks = [0, top // 5, 2 * top // 5, 3 * top // 5, 4 * top // 5, top]
            assert list(heatmap.colorbar.tickvals) == ticks
            assert list(heatmap.colorbar.ticktext) == [*map(str, ticks[:-1]), f"{top}+"]


def test_matrix_rejects_unknown_measure(two_courses):
    with pytest.raises(ValueError, match="measure"):
        matrix_data(two_courses, measure="hours")


# --------------------------------------------------------------------------- 2 swimlane
def test_swimlane_data_c1(two_courses):
    data = swimlane_data(two_courses, course_id="c1")
    assert data["activity_id"].tolist() == ["a1", "a2", "a3", "a4", "a5"]
    assert data["seq"].tolist() == [1, 2, 3, 4, 5]
    assert data["lane"].astype("str").tolist() == ["before", "during", "before", "during", "after"]
    assert data["direction"].tolist() == [
        "one-to-many",
        "one-to-many",
        "many-to-many",
        "many-to-one",
        "undecided",
    ]
    assert data["tool"].tolist() == ["Engage", "none", "Chat", "none", "Tube"]
    assert data["colour"].tolist() == [DIRECTION_COLOURS[d] for d in data["direction"]]
    assert data["label"].tolist() == data["title"].tolist()  # all short


def test_swimlane_figure_c1(two_courses):
    fig = swimlane_figure(two_courses, course_id="c1")
    assert {t.type for t in fig.data} == {"scatter"}
    traces = {t.name: t for t in fig.data}
    # one trace per direction present, in the fixed direction order
    assert [t.name for t in fig.data] == [*DIRS, "undecided"]
    # one row per step, down the page; one column per lane (0 before, 1 during, 2 after)
    assert list(traces["one-to-many"].y) == [1, 2] and list(traces["one-to-many"].x) == [0, 1]
    assert list(traces["many-to-one"].y) == [4] and list(traces["many-to-one"].x) == [1]
    assert list(traces["many-to-many"].y) == [3] and list(traces["many-to-many"].x) == [0]
    assert list(traces["undecided"].y) == [5] and list(traces["undecided"].x) == [2]
    # titles beside their marker, to the left of it in the last column (the chart's edge)
    assert list(traces["one-to-many"].textposition) == ["middle right", "middle right"]
    assert list(traces["undecided"].textposition) == ["middle left"]
    assert list(fig.layout.yaxis.range) == pytest.approx([5.7, 0.3])  # step 1 on top, nothing cut
    assert fig.layout.height == 190 + 26 * 5
    for name, trace in traces.items():
        assert trace.marker.color == DIRECTION_COLOURS[name]
    assert list(traces["many-to-many"].text) == ["Peer chat"]
    # hover data: title, tool, tool type (a tool-less activity has no tool type)
    assert list(traces["many-to-many"].customdata[0][:3]) == ["Peer chat", "Chat", "community"]
    assert list(traces["one-to-many"].customdata[1][:3]) == ["Lecture", "none", "—"]
    assert list(fig.layout.xaxis.ticktext) == ["Before class", "During class", "After class"]
    assert [s.fillcolor for s in fig.layout.shapes] == [
        TIMING_COLOURS[t] for t in ("before", "during", "after")
    ]


def test_swimlane_undecided_lane_only_when_needed(two_courses):
    fig = swimlane_figure(two_courses, course_id="c2")
    assert list(fig.layout.xaxis.ticktext)[-1] == "Undecided"
    assert len(fig.layout.xaxis.ticktext) == 4
    (trace,) = fig.data
    assert trace.name == "many-to-many" and list(trace.x) == [3]
    assert swimlane_data(two_courses, course_id="c2")["lane"].astype("str").tolist() == [
        "undecided"
    ]


def test_swimlane_truncates_long_titles_and_orders_by_seq():
    long = "Discuss the probability and impact of every risk"
    p = make_portfolio(
        [course("x")],
        [],
        [
            act("x", "late", 7, timing="after", direction="many-to-one"),
            {**act("x", "first", 2, timing="before"), "title": long},
        ],
    )
    data = swimlane_data(p, course_id="x")
    assert data["activity_id"].tolist() == ["first", "late"]
    label = data["label"].iloc[0]
    assert len(label) == 32 and label.endswith("…") and long.startswith(label[:-1])
    assert data["title"].iloc[0] == long
    assert data["direction"].iloc[0] == "undecided"
    assert data["colour"].iloc[0] == DIRECTION_COLOURS["undecided"]


def test_swimlane_columns_hold_the_rules_as_arrays():
    long = "x" * 29 + "  and more"  # cut to 31 characters, then stripped
    p = make_portfolio(
        [course("x")],
        [],
        [
            {**act("x", "a", 1, timing="during", direction="many-to-one"), "title": long},
            act("x", "b", 2),
        ],
    )
    columns = charts._swimlane_columns(p)
    assert columns["lane"].tolist() == [1, 3]  # during; undecided
    assert columns["label"].tolist() == ["x" * 29 + "…", "Act b"]
    assert columns["direction"].tolist() == ["many-to-one", "undecided"]
    assert columns["colour"].tolist() == [DIRECTION_COLOURS[d] for d in columns["direction"]]
    assert columns["tool"][1] != columns["tool"][1]  # missing: NaN


def test_shown_escapes_text_and_fills_blanks():
    values = np.array(["<b>x</b>", np.nan, "a & $b$"], dtype=object)
    assert charts._shown(values) == ["&lt;b&gt;x&lt;/b&gt;", "—", "a &amp; &#36;b&#36;"]
    assert charts._shown(values, "none")[1] == "none"


# --------------------------------------------------------------------------- 3 tool fit
def test_tool_fit_data_c1(two_courses):
    data = tool_fit_data(two_courses, course_id="c1")
    assert data["activity_id"].tolist() == ["a1", "a2", "a3", "a4", "a5"]
    by = data.set_index("activity_id")
    # a2 and a4 use no tool: nothing to judge
    assert by.loc[["a2", "a4"], ["serves_type", "blocked", "fits"]].isna().all().all()
    assert by.loc["a1", ["serves_type", "serves_direction", "blocked", "on_platform"]].tolist() == [
        True,
        True,
        False,
        True,
    ]
    assert pd.isna(by.loc["a1", "alternative"])  # Engage is Acme's platform
    assert by.loc["a3", "onboarding"] == "new-account" and by.loc["a3", "alternative"] == "Engage"
    assert bool(by.loc["a3", "fits"]) and not bool(by.loc["a3", "on_platform"])
    # a5: Tube is blocked by Acme; its direction is undecided
    assert bool(by.loc["a5", "blocked"]) and by.loc["a5", "blocked_domains"] == "tube.example.org"
    assert pd.isna(by.loc["a5", "serves_direction"]) and not bool(by.loc["a5", "fits"])
    # Engage 4+1-1 = 4, Board 0+0-2 = -2, Chat 0+0-3 = -3; Tube is blocked for a1 and a5
    assert by["recommendations"].fillna("-").tolist() == [
        "Engage",
        "-",
        "Engage, Board, Chat",
        "-",
        "Engage",
    ]
    assert tool_fit_data(two_courses, course_id="c1", top=1).loc[2, "recommendations"] == "Engage"


def test_tool_fit_figure_c1(two_courses):
    fig = tool_fit_figure(two_courses, course_id="c1")
    (trace,) = fig.data
    assert trace.type == "table"
    header = list(trace.header.values)
    assert header == [
        "Seq",
        "Activity",
        "Tool",
        "Serves type",
        "Serves direction",
        "Works then",
        "Blocked",
        "Onboarding",
        "For these learners",
        "Alternative",
        "Top recommendations",
    ]
    cols = dict(zip(header, (list(v) for v in trace.cells.values), strict=True))
    assert cols["Tool"] == ["Engage", "none", "Chat", "none", "Tube"]
    assert cols["Serves direction"] == ["yes", "—", "yes", "—", "—"]
    assert cols["Blocked"] == ["no", "—", "no", "—", "yes (tube.example.org)"]
    # the conftest catalog says nothing of modes: whether a tool works then is not known
    assert cols["Works then"] == ["—", "—", "—", "—", "—"]
    assert cols["For these learners"] == ["available", "—", "external", "—", "external"]
    assert cols["Alternative"] == ["—", "—", "Engage", "—", "Engage"]
    assert cols["Top recommendations"][2] == "Engage, Board, Chat"
    fills = list(trace.cells.fill.color[0])
    assert fills[4] != fills[0] and fills[:4] == [fills[0]] * 4  # only a5 does not fit


def test_tool_fit_c2(two_courses):
    data = tool_fit_data(two_courses, course_id="c2")
    row = data.iloc[0]
    assert (row["tool"], row["onboarding"]) == ("Board", "one-click")
    assert row["recommendations"] == "Board"  # Board -2 is the only co-creation candidate
    assert bool(row["fits"]) and pd.isna(row["alternative"])  # Engage does no co-creation


# --------------------------------------------------------------------------- 4 learning mix
def test_learning_mix_c1(two_courses):
    data = learning_mix_data(two_courses, course_id="c1")
    assert data["learning_type"].astype("str").tolist() == [*LEARNING, "unspecified"]
    assert set(data["measure"]) == {"minutes"}
    assert data["value"].tolist() == [90, 0, 90, 0, 20, 0, 0]
    assert data["activities"].tolist() == [2, 0, 1, 0, 1, 0, 1]
    assert data["unknown_minutes"].tolist() == [0, 0, 0, 0, 0, 0, 1]  # a5
    assert data["share"].astype("float64").tolist() == pytest.approx([0.45, 0, 0.45, 0, 0.1, 0, 0])


def test_learning_mix_whole_portfolio(two_courses):
    data = learning_mix_data(two_courses)
    assert data["value"].tolist() == [90, 0, 90, 0, 20, 0, 15]  # b1 adds 15 unspecified
    assert data["activities"].tolist() == [2, 0, 1, 0, 1, 0, 2]
    assert data["share"].sum() == pytest.approx(1)


def test_learning_mix_counts_when_no_minutes():
    p = make_portfolio(
        [course("x")],
        [],
        [
            act("x", "a", 1, learning_type="practice"),
            act("x", "b", 2, learning_type="practice"),
            act("x", "c", 3, learning_type="inquiry"),
        ],
    )
    data = learning_mix_data(p, course_id="x")
    assert set(data["measure"]) == {"activities"}
    assert data["value"].tolist() == [0, 1, 2, 0, 0, 0, 0]
    fig = learning_mix_figure(p, course_id="x")
    # no unspecified activity: only the six types, all shown even at zero
    assert list(fig.data[0].y) == LEARNING
    assert list(fig.data[0].x) == [0, 1, 2, 0, 0, 0]
    assert "activities" in fig.layout.title.text


def test_learning_mix_figure_c1(two_courses):
    fig = learning_mix_figure(two_courses, course_id="c1")
    (trace,) = fig.data
    assert trace.type == "bar" and trace.orientation == "h"
    assert list(trace.y) == [*LEARNING, "unspecified"]
    assert list(trace.x) == [90, 0, 90, 0, 20, 0, 0]
    assert list(trace.marker.color) == [LEARNING_TYPE_COLOURS[t] for t in trace.y]
    assert trace.text[0] == "90 (45%)"
    assert "minutes" in fig.layout.title.text


# --------------------------------------------------------------------------- contract
COURSE_CHARTS = [
    (matrix_data, {}),
    (matrix_figure, {"measure": "minutes"}),
    (swimlane_data, {}),
    (swimlane_figure, {}),
    (tool_fit_data, {}),
    (tool_fit_figure, {}),
    (learning_mix_data, {}),
    (learning_mix_figure, {}),
]


@pytest.mark.parametrize(("func", "kw"), COURSE_CHARTS, ids=lambda x: getattr(x, "__name__", ""))
def test_unknown_course_raises(two_courses, func, kw):
    with pytest.raises(UnknownCourseError, match="'nope'"):
        func(two_courses, course_id="nope", **kw)


def test_data_functions_are_pure_and_figures_deterministic(two_courses):
    before = two_courses.activities.copy()
    first = [matrix_figure(two_courses, course_id="c1"), checklist_figure(two_courses)]
    first += [swimlane_figure(two_courses, course_id="c1"), direction_mix_figure(two_courses)]
    again = [matrix_figure(two_courses, course_id="c1"), checklist_figure(two_courses)]
    again += [swimlane_figure(two_courses, course_id="c1"), direction_mix_figure(two_courses)]
    assert [f.to_json() for f in first] == [f.to_json() for f in again]
    pd.testing.assert_frame_equal(two_courses.activities, before)


def test_public_api():
    assert all(hasattr(charts, name) for name in charts.__all__)
    # each chart is a *_data and a *_figure (some also a *_figure_json, the figure's JSON)
    names = {
        n.removesuffix("_json").removesuffix("_data").removesuffix("_figure")
        for n in charts.__all__
        if n.islower()
    }
    for name in names:
        assert f"{name}_data" in charts.__all__ and f"{name}_figure" in charts.__all__


def test_cli_does_not_import_plotly():
    code = "import sys, socialkit.cli; print(any(m.startswith('plotly') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- bundled sample
def test_every_chart_on_every_sample_course(sample):
    assert len(sample.course_ids) == 14
    for cid in sample.course_ids:
        n = int(sample.activities["course_id"].eq(cid).sum())
        assert matrix_data(sample, course_id=cid)["value"].sum() == n
        assert isinstance(matrix_figure(sample, course_id=cid, measure="minutes"), go.Figure)
        lane = swimlane_data(sample, course_id=cid)
        assert len(lane) == n and lane["seq"].is_monotonic_increasing
        fig = swimlane_figure(sample, course_id=cid)
        assert sum(len(t.x) for t in fig.data) == n
        assert len(tool_fit_figure(sample, course_id=cid).data[0].cells.values[0]) == n
        assert learning_mix_data(sample, course_id=cid)["activities"].sum() == n
        assert learning_mix_figure(sample, course_id=cid).data[0].type == "bar"


# --------------------------------------------------------------------------- many courses
def assert_as_validated(fig: go.Figure) -> None:
    """The figure is exactly what plotly's validation makes of it, and validates changes."""
    assert go.Figure(fig.to_dict()).to_plotly_json() == fig.to_plotly_json()
    with pytest.raises(ValueError, match="bogus"):
        fig.update_layout(bogus=1)
    for trace in fig.data:
        with pytest.raises(ValueError, match="bogus"):
            trace.update(bogus=1)
    fig.update_layout(title_text="still settable")
    assert fig.layout.title.text == "still settable"


@pytest.mark.parametrize("name", ["two_courses", "sample"])
def test_figures_are_what_validation_gives(request, name):
    p = request.getfixturevalue(name)
    for cid in p.course_ids:
        assert_as_validated(matrix_figure(p, course_id=cid, measure="minutes"))
        assert_as_validated(swimlane_figure(p, course_id=cid))
        assert_as_validated(tool_fit_figure(p, course_id=cid, top=1))
        assert_as_validated(learning_mix_figure(p, course_id=cid))
    assert_as_validated(matrix_figure(p))
    assert_as_validated(learning_mix_figure(p))


@pytest.mark.parametrize("name", ["two_courses", "sample"])
def test_a_course_charts_as_if_it_were_alone(request, name):
    """Cutting a course out of whole-portfolio results gives what the course alone gives."""
    p = request.getfixturevalue(name)
    for cid in p.course_ids:
        alone = p.select([cid])
        for func, kw in [*COURSE_CHARTS, (tool_fit_data, {"top": 1})]:
            got, expected = func(p, course_id=cid, **kw), func(alone, course_id=cid, **kw)
            if isinstance(got, pd.DataFrame):
                pd.testing.assert_frame_equal(got, expected, check_exact=True)
            else:
                assert got.to_json() == expected.to_json()


def test_figure_json_is_the_figures_json(sample, sample_copy):
    # the editor sends the JSON without building the figure: it must be the figure's own,
    # markup, escape codes and blank decisions included
    hostile = make_portfolio(
        [course("x", title="<b>bold</b> & <a href='x'>link</a>")],
        [],
        [
            {**act("x", "a1", 1, timing="before"), "title": "<script>alert(1)</script>"},
            act("x", "a2", 2, direction="many-to-many", tool="none"),
            act("x", "a3", 3, timing="during", direction="one-to-many", minutes="45"),
        ],
    )
    draft = DesignDraft(sample_copy, "it-risk")  # an editor's view: blanks are allowed
    draft.set_activity("A1", timing="", direction="")
    draft.add_activity("<b>added</b> \x1b[31m")
    cases = [(sample, cid) for cid in sample.course_ids]
    cases += [(hostile, "x"), (draft.live()[0], "it-risk")]
    for p, cid in cases:
        for measure in ("activities", "minutes"):
            fig = matrix_figure(p, course_id=cid, measure=measure)
            got = charts.matrix_figure_json(p, course_id=cid, measure=measure)
            assert got == json.loads(fig.to_json())
        expected = json.loads(swimlane_figure(p, course_id=cid).to_json())
        assert charts.swimlane_figure_json(p, course_id=cid) == expected
    assert charts.matrix_figure_json(sample) == json.loads(matrix_figure(sample).to_json())
    with pytest.raises(UnknownCourseError, match="'nope'"):
        charts.swimlane_figure_json(sample, course_id="nope")


def test_every_course_reuses_the_whole_portfolio_analyses(sample, monkeypatch):
    from socialkit.analysis import tool_fit as tools
    from socialkit.charts import base as _chart_base

    calls = {"matrix": 0, "fit": 0, "rank": 0}

    def counting(key, func):
        def wrapper(*args):
            calls[key] += 1
            return func(*args)

        return wrapper

    monkeypatch.setattr(_chart_base, "_count_cells", counting("matrix", _chart_base._count_cells))
    monkeypatch.setattr(tools, "_fit_combinations", counting("fit", tools._fit_combinations))
    monkeypatch.setattr(tools, "_rank", counting("rank", tools._rank))
    # a new portfolio object with a new catalog: nothing remembered yet
    p = dataclasses.replace(
        sample.select(sample.course_ids),
        tools=sample.tools.copy(),
        organisations=sample.organisations.copy(),
    )
    for cid in p.course_ids:
        for func, kw in COURSE_CHARTS:
            func(p, course_id=cid, **kw)
    assert calls == {"matrix": 1, "fit": 1, "rank": 1}
