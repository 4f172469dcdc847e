"""Portfolio views: every course of a portfolio side by side, one row or bar per course.

As in :mod:`socialkit.charts.course`, whose template, colours and layout these views share,
every chart is a pair: ``<name>_data`` is a pure function returning a tidy
:class:`pandas.DataFrame` built from :mod:`socialkit.analysis.checks`; ``<name>_figure`` takes
the same arguments and returns a :class:`plotly.graph_objects.Figure` (never shown), and
figures are deterministic. The views: the six-question checklist overview, the share of
each course outside the formal moment, and each course's social-direction mix.

Those draw a row or bar per course; for a portfolio of hundreds or thousands of courses,
the views that stay readable draw distributions and organisations instead: how many
courses answer each question (:func:`question_answers_figure`), how the courses spread
over the share outside class (:func:`outside_spread_figure`) and each organisation's
direction mix (:func:`organisation_mix_figure`). Their hover labels name courses by
title, a few per bar. As
there, user text is escaped in the figures and kept as it is in the ``*_data`` frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.analysis.checklist import QUESTIONS, checklist
from socialkit.analysis.matrix import UNDECIDED, outside_class_share, timing_direction_matrix
from socialkit.analysis.overview import organisation_names
from socialkit.base.text import chart_text, chart_texts
from socialkit.charts import base
from socialkit.charts.palette import CHECK_COLOURS, DIRECTION_COLOURS, DIRECTION_ORDER
from socialkit.contract.schema import Portfolio

__all__ = [
    "checklist_data",
    "checklist_figure",
    "direction_mix_data",
    "direction_mix_figure",
    "organisation_mix_data",
    "organisation_mix_figure",
    "outside_share_data",
    "outside_share_figure",
    "outside_spread_data",
    "outside_spread_figure",
    "question_answers_data",
    "question_answers_figure",
]

_SHARE_COLOURS = {"activities": "#0072B2", "minutes": "#56B4E9"}
_MAX_GAPS = 6


# --------------------------------------------------------------------------- helpers
def _height(n_courses: int) -> int:
    return max(320, 140 + 26 * n_courses)


def _share_bar(d: pd.DataFrame, share: str, name: str, colour: str, hover: str) -> dict:
    """Horizontal bars of a 0-1 column, one per course; ``hover`` may use ``customdata``."""
    return {
        "type": "bar",
        "customdata": d.drop(columns=["course_id", share]).to_numpy().tolist(),
        "hovertemplate": hover + "<extra></extra>",
        "marker": {"color": colour},
        "name": name,
        "orientation": "h",
        "x": d[share].astype("float64").tolist(),
        "y": chart_texts(d["course_id"]).tolist(),
    }


def _hbars(bars: list[dict], n_courses: int, title: str, barmode: str, **extra) -> go.Figure:
    """Figure of per-course share bars: courses down in data order, 0-100% across;
    ``extra`` layout properties come last."""
    layout = {
        "yaxis": {"autorange": "reversed", "type": "category"},
        "xaxis": {"tickformat": ".0%", "range": [0, 1]},
        "title": base.title(title),
        "barmode": barmode,
        "height": _height(n_courses),
    }
    return base.figure(bars, {**layout, **extra})


# --------------------------------------------------------------------------- 1 checklist
def checklist_data(portfolio: Portfolio) -> pd.DataFrame:
    """The six-question checklist of every course, one row per course and question.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`socialkit.analysis.checklist.checklist` (``course_id``,
        ``question``, ``text``, ``ok``, ``n_gaps``, ``gaps``) plus ``title`` (the
        course's) and ``status`` (``"ok"`` or ``"gap"``), in course order.
    """
    out = checklist(portfolio)
    titles = portfolio.courses.set_index("course_id")["title"]
    out.insert(1, "title", out["course_id"].map(titles).astype("str"))
    return out.assign(status=pd.Series(np.where(out["ok"], "ok", "gap"), dtype="str"))


def checklist_figure(portfolio: Portfolio) -> go.Figure:
    """Courses × the six questions: green ✓ where answered, vermillion ✗ n where not.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        One ``heatmap`` trace: ``z`` is 1 for ok and 0 for a gap, a row per course in
        course order, a column per question; hovering a cell lists its gaps.
    """
    data = checklist_data(portfolio)
    shape = (len(portfolio.courses), len(QUESTIONS))
    listed = data["gaps"].map(
        lambda g: (
            "".join(f"<br>• {chart_text(x)}" for x in g[:_MAX_GAPS])
            + (f"<br>… and {len(g) - _MAX_GAPS} more" if len(g) > _MAX_GAPS else "")
        )
    )
    who = chart_texts(data["course_id"]) + " (" + chart_texts(data["title"]) + ")"
    head = who + "<br>Q" + data["question"].astype("str") + ". " + chart_texts(data["text"])
    hover = head + "<br>" + np.where(data["ok"], "no gap", "gaps:" + listed)
    text = np.where(data["ok"], "✓", "✗ " + data["n_gaps"].astype("str"))
    ok, gap = CHECK_COLOURS["ok"], CHECK_COLOURS["gap"]
    heatmap = {
        "type": "heatmap",
        "colorscale": [[0.0, gap], [0.5, gap], [0.5, ok], [1.0, ok]],
        "customdata": hover.to_numpy().reshape(shape).tolist(),
        "hovertemplate": "%{customdata}<extra></extra>",
        "showscale": False,
        "text": text.reshape(shape).tolist(),
        "texttemplate": "%{text}",
        "x": [f"Q{q}" for q in QUESTIONS],
        "xgap": 2,
        "y": [chart_text(c) for c in portfolio.course_ids],
        "ygap": 2,
        "z": data["ok"].astype("int64").to_numpy().reshape(shape).tolist(),
        "zmax": 1,
        "zmin": 0,
    }
    questions = [f"Q{q}<br>{base.wrap(chart_text(t), 11)}" for q, t in QUESTIONS.items()]
    lines = max(q.count("<br>") + 1 for q in questions)
    layout = {
        "yaxis": {"autorange": "reversed", "type": "category"},
        # each column says its question, not only its number, level and wrapped
        "xaxis": {
            "side": "top",
            "tickangle": 0,
            "ticktext": questions,
            "tickvals": [f"Q{q}" for q in QUESTIONS],
            "type": "category",
        },
        # the title at the top, the questions' lines between it and the grid
        "title": {
            **base.title("Strategic checklist — ✓ answered, ✗ n gaps"),
            "pad": {"t": 16},
            "y": 1,
            "yanchor": "top",
        },
        "margin": {"t": 70 + 16 * lines},
        "height": _height(len(portfolio.courses)) + 16 * lines,
    }
    return base.figure([heatmap], layout)


# --------------------------------------------------------------------------- 2 outside share
def outside_share_data(portfolio: Portfolio) -> pd.DataFrame:
    """Share of each course's activities and minutes placed before or after class.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`socialkit.analysis.matrix.outside_class_share` plus ``title``,
        sorted by ``share_outside`` then ``share_minutes_outside``, highest first
        (courses without activities last; ties keep course order).
    """
    out = outside_class_share(portfolio)
    titles = portfolio.courses.set_index("course_id")["title"]
    out.insert(1, "title", out["course_id"].map(titles).astype("str"))
    keys = ["share_outside", "share_minutes_outside"]
    out = out.sort_values(keys, ascending=False, kind="stable", na_position="last")
    return out.reset_index(drop=True)


def outside_share_figure(portfolio: Portfolio) -> go.Figure:
    """Grouped horizontal bars: share of activities and of minutes outside class.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``bar`` traces (activities, then minutes), courses in the order of
        :func:`outside_share_data` from the top.
    """
    d = outside_share_data(portfolio)
    d = d.assign(title=chart_texts(d["title"]))
    bars = [
        _share_bar(
            d[["course_id", "title", col]],
            col,
            f"{m} outside class",
            _SHARE_COLOURS[m],
            f"%{{y}} (%{{customdata[0]}})<br>%{{x:.0%}} of {m} outside class",
        )
        for m, col in (("activities", "share_outside"), ("minutes", "share_minutes_outside"))
    ]
    title = "Share outside the formal moment (before or after class)"
    return _hbars(bars, len(d), title, "group")


# --------------------------------------------------------------------------- 3 direction mix
def direction_mix_data(portfolio: Portfolio) -> pd.DataFrame:
    """Activities per social direction in each course, with their share of the course.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        Four rows per course, in course order: ``course_id``, ``direction`` (ordered
        categorical, ``"undecided"`` last), ``activities`` and ``share`` (of the
        course's activities; missing for a course without activities).
    """
    grid = timing_direction_matrix(portfolio, by="course")
    course = pd.Categorical(grid["course_id"], categories=portfolio.course_ids)
    out = grid.groupby([course, "direction"], observed=False)["activities"].sum()
    out = out.rename_axis(["course_id", "direction"]).reset_index()
    total = out.groupby("course_id", observed=False)["activities"].transform("sum")
    out["share"] = (out["activities"] / total.replace(0, np.nan)).astype("Float64")
    return out.astype({"course_id": "str", "activities": "int64"})


def direction_mix_figure(portfolio: Portfolio) -> go.Figure:
    """100% stacked horizontal bars of :func:`direction_mix_data`.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        One ``bar`` trace per direction, named after it and coloured as
        :data:`DIRECTION_COLOURS` (``"undecided"`` only when some activity is);
        courses in course order from the top.
    """
    data = direction_mix_data(portfolio)
    undecided = data.loc[data["direction"].eq(UNDECIDED), "activities"].gt(0).any()
    shown = DIRECTION_ORDER[: 4 if undecided else 3]
    bars = [
        _share_bar(
            data.loc[data["direction"].eq(d), ["course_id", "activities", "share"]],
            "share",
            d,
            DIRECTION_COLOURS[d],
            f"%{{y}}: %{{customdata[0]}} {d} (%{{x:.0%}})",
        )
        for d in shown
    ]
    title = "Social direction mix per course"
    legend = {"title": {"text": "direction"}}
    return _hbars(bars, len(portfolio.courses), title, "stack", legend=legend)


# --------------------------------------------------------------------------- at scale
_SHOWN_TITLES = 5


def _some_titles(titles: pd.Series, ids: pd.Series, groups: pd.Series) -> pd.Series:
    """Per group, the first few courses as hover text: ``• title (id)``, and how many more."""
    who = "<br>• " + chart_texts(titles) + " (" + chart_texts(ids) + ")"
    frame = pd.DataFrame({"group": groups.to_numpy(), "who": who.to_numpy()})
    grouped = frame.groupby("group", sort=False, observed=True)["who"]
    shown = grouped.agg(lambda s: "".join(s.iloc[:_SHOWN_TITLES]))
    more = grouped.size() - _SHOWN_TITLES
    tail = np.where(more > 0, "<br>… and " + more.astype("str") + " more", "")
    return shown + tail


def question_answers_data(portfolio: Portfolio) -> pd.DataFrame:
    """For each of the six questions, how many courses answer it without a gap.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        Six rows: ``question``, ``text``, ``answered`` and ``open`` (courses), ``share``
        (answered, of all courses; missing for an empty portfolio) and ``open_titles``
        (hover text naming a few open courses by title, escaped).
    """
    data = checklist_data(portfolio)
    q = pd.Categorical(data["question"], categories=list(QUESTIONS))
    out = data.groupby(q, observed=False)["ok"].agg(answered="sum", all="size")
    out = out.rename_axis("question").reset_index()
    out.insert(1, "text", out["question"].map(QUESTIONS).astype("str"))
    out["open"] = out["all"] - out["answered"]
    out["share"] = (out["answered"] / out["all"].replace(0, np.nan)).astype("Float64")
    gaps = data[~data["ok"]]
    named = _some_titles(gaps["title"], gaps["course_id"], gaps["question"])
    out["open_titles"] = out["question"].map(named).fillna("").astype("str")
    out = out.astype({"question": "int64", "answered": "int64", "open": "int64"})
    return out.drop(columns="all")


def question_answers_figure(portfolio: Portfolio) -> go.Figure:
    """Horizontal bars: the share of courses answering each question, with its words.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        One ``bar`` trace, a bar per question (Q1 at the top, labelled with its text);
        hovering it counts the courses and names a few that leave it open.
    """
    d = question_answers_data(portfolio)
    labels = "Q" + d["question"].astype("str") + ". " + chart_texts(d["text"])
    bar = {
        "type": "bar",
        "customdata": d[["answered", "open", "open_titles"]].to_numpy().tolist(),
        "hovertemplate": "%{y}<br>%{customdata[0]} courses answer it, %{customdata[1]} "
        "leave it open%{customdata[2]}<extra></extra>",
        "marker": {"color": CHECK_COLOURS["ok"]},
        "name": "answered",
        "orientation": "h",
        "x": d["share"].astype("float64").fillna(0).tolist(),
        "y": labels.tolist(),
    }
    n = len(portfolio.courses)
    title = f"Courses answering each checklist question without a gap (of {n})"
    return _hbars([bar], 6, title, "group", margin={"l": 320})


def outside_spread_data(portfolio: Portfolio) -> pd.DataFrame:
    """How many courses place each tenth of their activities before or after class.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        Eleven rows, one per band (``"0-9%"`` ... ``"90-99%"``, ``"100%"``), then one
        ``"no activities"`` row when some course has none: ``band``, ``courses`` and
        ``titles`` (hover text naming a few of them by title, escaped).
    """
    d = outside_share_data(portfolio)
    share = d["share_outside"].astype("float64")
    bands = [f"{10 * i}-{10 * i + 9}%" for i in range(10)] + ["100%"]
    code = np.floor(share.fillna(-1).to_numpy() * 10 + 1e-9).clip(-1, 10).astype("int64")
    labels = np.array([*bands, "no activities"], dtype=object)[np.where(code < 0, 11, code)]
    order = bands + (["no activities"] if (code < 0).any() else [])
    band = pd.Categorical(labels, categories=order)
    counts = pd.Series(band).value_counts(sort=False).reindex(order, fill_value=0)
    named = _some_titles(d["title"], d["course_id"], pd.Series(band))
    return pd.DataFrame(
        {
            "band": order,
            "courses": counts.to_numpy().astype("int64"),
            "titles": named.reindex(order).fillna("").astype("str").to_numpy(),
        }
    )


def outside_spread_figure(portfolio: Portfolio) -> go.Figure:
    """Columns: how many courses have each share of activities outside class.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        One ``bar`` trace, a column per band of :func:`outside_spread_data`; hovering
        it names a few of its courses.
    """
    d = outside_spread_data(portfolio)
    bar = {
        "type": "bar",
        "customdata": d[["titles"]].to_numpy().tolist(),
        "hovertemplate": "%{y} courses with %{x} of their activities outside class"
        "%{customdata[0]}<extra></extra>",
        "marker": {"color": _SHARE_COLOURS["activities"]},
        "name": "courses",
        "x": d["band"].tolist(),
        "y": d["courses"].tolist(),
    }
    layout = {
        "xaxis": {"title": {"text": "activities before or after class"}, "type": "category"},
        "yaxis": {"title": {"text": "courses"}},
        "title": base.title("How far courses reach outside the formal moment"),
        "height": 380,
    }
    return base.figure([bar], layout)


def organisation_mix_data(portfolio: Portfolio) -> pd.DataFrame:
    """Activities per social direction in each organisation, with their share of it.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        Four rows per organisation (alphabetical, the default context last):
        ``organisation``, ``organisation_name`` (in words), ``courses``, ``direction``
        (as :func:`direction_mix_data`), ``activities`` and ``share`` (of the
        organisation's activities; missing when it has none).
    """
    mix = direction_mix_data(portfolio)
    orgs = portfolio.courses.set_index("course_id")["organisation"]
    mix["organisation"] = mix["course_id"].map(orgs).astype("str")
    out = mix.groupby(["organisation", "direction"], observed=True, sort=True)["activities"]
    out = out.sum().reset_index()
    total = out.groupby("organisation")["activities"].transform("sum")
    out["share"] = (out["activities"] / total.replace(0, np.nan)).astype("Float64")
    out["courses"] = out["organisation"].map(orgs.value_counts()).astype("int64")
    out.insert(1, "organisation_name", organisation_names(out["organisation"]))
    last = out["organisation_name"].ne(out["organisation"])
    out = out.assign(last=last).sort_values(["last", "organisation"], kind="stable")
    cols = ["organisation", "organisation_name", "courses", "direction", "activities", "share"]
    return out[cols].astype({"activities": "int64"}).reset_index(drop=True)


def organisation_mix_figure(portfolio: Portfolio) -> go.Figure:
    """100% stacked horizontal bars of :func:`organisation_mix_data`, one per organisation.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    plotly.graph_objects.Figure
        One ``bar`` trace per direction, as :func:`direction_mix_figure`, organisations
        named in words from the top.
    """
    data = organisation_mix_data(portfolio)
    undecided = data.loc[data["direction"].eq(UNDECIDED), "activities"].gt(0).any()
    plural = np.where(data["courses"].eq(1), " course)", " courses)")
    label = chart_texts(data["organisation_name"]) + " (" + data["courses"].astype("str")
    data = data.assign(label=label + plural)
    bars = []
    for d in DIRECTION_ORDER[: 4 if undecided else 3]:
        rows = data[data["direction"].eq(d)]
        bars.append(
            {
                "type": "bar",
                "customdata": rows[["activities"]].to_numpy().tolist(),
                "hovertemplate": f"%{{y}}: %{{customdata[0]}} {d} (%{{x:.0%}})<extra></extra>",
                "marker": {"color": DIRECTION_COLOURS[d]},
                "name": d,
                "orientation": "h",
                "x": rows["share"].astype("float64").fillna(0).tolist(),
                "y": rows["label"].tolist(),
            }
        )
    n = data["organisation"].nunique()
    title = "Social direction mix per organisation"
    legend = {"title": {"text": "direction"}}
    return _hbars(bars, n, title, "stack", legend=legend, margin={"l": 280})
