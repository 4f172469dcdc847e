"""Portfolio views: every course of a portfolio side by side, one row or bar per course.

As in :mod:`socialkit.charts.course`, whose template, colours and layout these views share,
every chart is a pair: ``<name>_data`` is a pure function returning a tidy
:class:`pandas.DataFrame` built from :mod:`socialkit.analysis.checks`; ``<name>_figure`` takes
the same arguments and returns a :class:`plotly.graph_objects.Figure` (never shown), and
figures are deterministic. The views: the six-question checklist overview, the share of
each course outside the formal moment, and each course's social-direction mix. As
there, user text is escaped in the figures and kept as it is in the ``*_data`` frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.analysis.checklist import QUESTIONS, checklist
from socialkit.analysis.matrix import UNDECIDED, outside_class_share, timing_direction_matrix
from socialkit.base.text import chart_text, chart_texts
from socialkit.charts import base
from socialkit.charts.palette import CHECK_COLOURS, DIRECTION_COLOURS, DIRECTION_ORDER
from socialkit.contract.schema import Portfolio

__all__ = [
    "checklist_data",
    "checklist_figure",
    "direction_mix_data",
    "direction_mix_figure",
    "outside_share_data",
    "outside_share_figure",
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
    layout = {
        "yaxis": {"autorange": "reversed", "type": "category"},
        "xaxis": {"side": "top", "type": "category"},
        "title": base.title("Strategic checklist — ✓ answered, ✗ n gaps"),
        "height": _height(len(portfolio.courses)),
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
