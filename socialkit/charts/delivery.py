"""Charts of how a course went: its plan held against what learners did, per run.

Each chart is a pair, as in :mod:`socialkit.charts.course`: ``<name>_data`` is a pure
function of the delivery summary (:func:`socialkit.delivery.realised.delivery_summary`,
one row per course, run and activity) returning a tidy :class:`pandas.DataFrame`, and
``<name>_figure`` takes the same arguments and returns a
:class:`plotly.graph_objects.Figure` (never shown). The colours are those of
:mod:`socialkit.charts.palette`; user text (ids, titles) is held as written in the data
frames and escaped in the figures (:func:`socialkit.base.text.chart_text`).

* :func:`realised_matrix_data` / :func:`realised_matrix_figure`: the planned and the
  realised timing × direction grids of a run, side by side, on the axes and orders of
  :func:`socialkit.charts.course.matrix_figure`;
* :func:`engagement_data` / :func:`engagement_figure`: per activity, in sequence, how the
  run's learners first engaged (before, during, after the formal moment, or not at all),
  with the planned timing marked: did the pre-work happen before class?
* :func:`delivery_overview_data` / :func:`delivery_overview_figure`: per course and run,
  pre-work done before class and activities realised as planned.

A ``course_id`` and ``run_id`` that the summary does not hold raise
:class:`~socialkit.errors.UnknownRunError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.base.text import chart_text, chart_texts
from socialkit.charts import base
from socialkit.charts.palette import DIRECTION_ORDER, GREY, TIMING_COLOURS, TIMING_ORDER
from socialkit.delivery.realised import delivery_courses, delivery_matrix
from socialkit.errors import UnknownRunError

__all__ = [
    "NOT_ENGAGED",
    "NOT_EXPECTED",
    "NOT_TRACKED",
    "delivery_overview_data",
    "delivery_overview_figure",
    "engagement_data",
    "engagement_figure",
    "realised_matrix_data",
    "realised_matrix_figure",
]

#: The phases of the formal moment, in chart order (the timings but "undecided").
PHASES = tuple(TIMING_ORDER[:3])
#: The directions in the order of the course matrix (but "undecided").
DIRECTIONS = tuple(DIRECTION_ORDER[:3])
#: The bar of the learners with no statement on an activity.
NOT_ENGAGED = "no statement"
#: How an activity's row reads when it should leave no statements (in class, no tool).
NOT_EXPECTED = "in class without a tool: no statements expected"
#: ... and when it should, but lists no ``xapi_ids`` to find them by.
NOT_TRACKED = "not tracked: no xapi_ids"
_LANES = {"before": "Before class", "during": "During class", "after": "After class"}
_WHEN = {"before": "before class", "during": "during class", "after": "after class"}
_LABEL_WIDTH = 40


def _run_rows(summary: pd.DataFrame, course_id: str, run_id: str) -> pd.DataFrame:
    rows = summary[summary["course_id"].eq(course_id) & summary["run_id"].eq(run_id)]
    if not len(rows):
        known = summary[["course_id", "run_id"]].drop_duplicates()
        runs = ", ".join(f"{c!r}/{r!r}" for c, r in list(known.itertuples(index=False))[:10])
        raise UnknownRunError(
            f"no run {run_id!r} of course {course_id!r} in the delivery summary; "
            f"expected one of its runs: {runs or 'none (no delivery data)'}"
        )
    return rows.sort_values("seq", kind="stable").reset_index(drop=True)


def _named(course_id: str, run_id: str) -> str:
    return f"course {chart_text(course_id)}, run {chart_text(run_id)}"


# --------------------------------------------------------------------------- 1 matrix
def realised_matrix_data(summary: pd.DataFrame, *, course_id: str, run_id: str) -> pd.DataFrame:
    """The planned and realised timing × direction grids of one run, tidy.

    Counted over the run's tracked expected activities, the ones statements can speak
    about (see :func:`socialkit.delivery.realised.delivery_matrix`).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`socialkit.delivery.realised.delivery_summary`'s table.
    course_id, run_id : str
        The run to show.

    Returns
    -------
    pandas.DataFrame
        Nine rows, timing then direction in the course matrix's order: ``timing`` and
        ``direction`` (ordered categoricals), ``planned`` and ``realised`` (activities).

    Raises
    ------
    UnknownRunError
        When the summary has no row of that course and run.
    """
    rows = _run_rows(summary, course_id, run_id)
    grid = delivery_matrix(rows).set_index(["timing", "direction"])
    cells = pd.MultiIndex.from_product([PHASES, DIRECTIONS], names=["timing", "direction"])
    grid = grid.reindex(cells)[["planned", "realised"]].reset_index()
    grid["timing"] = pd.Categorical(grid["timing"], categories=PHASES, ordered=True)
    grid["direction"] = pd.Categorical(grid["direction"], categories=DIRECTIONS, ordered=True)
    return grid


def realised_matrix_figure(summary: pd.DataFrame, *, course_id: str, run_id: str) -> go.Figure:
    """Two heatmaps side by side: the run's plan (left) and what happened (right).

    Parameters
    ----------
    summary, course_id, run_id
        As for :func:`realised_matrix_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``heatmap`` traces named ``planned`` and ``realised`` (x axes ``x`` and
        ``x2``, one y axis), timing down, direction across, on one colour scale from 0
        to the largest cell of either.
    """
    data = realised_matrix_data(summary, course_id=course_id, run_id=run_id)
    y = [_LANES[t] for t in PHASES]
    top = int(max(data["planned"].max(), data["realised"].max(), 1))
    traces = []
    for i, which in enumerate(("planned", "realised")):
        z = data[which].to_numpy().reshape(len(PHASES), len(DIRECTIONS)).tolist()
        traces.append(
            {
                "type": "heatmap",
                "colorscale": base.colorscale("Blues"),
                "hovertemplate": f"%{{y}} · %{{x}}<br>{which}: %{{z}} activities<extra></extra>",
                "name": which,
                "showscale": i == 1,
                "text": [row.copy() for row in z],
                "texttemplate": "%{text}",
                "x": list(DIRECTIONS),
                "xaxis": "x" if i == 0 else "x2",
                "y": y,
                "z": z,
                "zmax": top,
                "zmin": 0,
                **({"colorbar": {"title": {"text": "activities"}, "dtick": 1}} if i else {}),
            }
        )
    layout = {
        "annotations": [
            _subtitle("Planned", 0.22),
            _subtitle("What happened", 0.78),
        ],
        "height": 330,
        "margin": {"t": 110},
        "title": base.title(
            f"Planned and realised timing and direction — {_named(course_id, run_id)}"
        ),
        "xaxis": {"domain": [0.0, 0.44], "side": "bottom", "title": {"text": "direction"}},
        "xaxis2": {"domain": [0.56, 1.0], "side": "bottom", "title": {"text": "direction"}},
        "yaxis": {"autorange": "reversed", "title": {"text": "timing"}},
    }
    return base.figure(traces, layout)


def _subtitle(text: str, x: float) -> dict:
    return {
        "font": {"size": 13},
        "showarrow": False,
        "text": f"<b>{text}</b>",
        "x": x,
        "xanchor": "center",
        "xref": "paper",
        "y": 1.0,
        "yanchor": "bottom",
        "yref": "paper",
    }


# --------------------------------------------------------------------------- 2 engagement
def engagement_data(summary: pd.DataFrame, *, course_id: str, run_id: str) -> pd.DataFrame:
    """How the run's learners first engaged with each activity, in sequence.

    Parameters
    ----------
    summary, course_id, run_id
        As for :func:`realised_matrix_data`.

    Returns
    -------
    pandas.DataFrame
        One row per activity of the course, in ``seq`` order: ``activity_id``, ``seq``,
        ``title``, ``planned_timing``, ``expected`` (it should leave statements: it
        uses a tool or happens outside class), ``tracked`` (expected and listing
        ``xapi_ids``: the statements can speak about it), ``learners``, ``before``, ``during``,
        ``after`` (participants by the phase of their first statement on it) and
        ``no statement`` (learners without any statement on it, at least 0; 0 when not
        tracked), and ``label`` (``Step N: title`` cut to 40 characters).

    Raises
    ------
    UnknownRunError
        When the summary has no row of that course and run.
    """
    rows = _run_rows(summary, course_id, run_id)
    tracked = (rows["expected"] & rows["tracked"]).astype(bool)
    missing = (rows["learners"] - rows["participants"]).clip(lower=0).where(tracked, 0)
    label = "Step " + rows["seq"].astype(str) + ": " + rows["title"].astype(str)
    cut = label.str.slice(0, _LABEL_WIDTH - 1).str.rstrip() + "…"
    out = rows[["activity_id", "seq", "title", "planned_timing"]].assign(
        expected=rows["expected"].astype(bool), tracked=tracked
    )
    out = out.assign(learners=rows["learners"].astype("int64"))
    for phase in PHASES:
        out[phase] = rows[phase].astype("int64")
    out[NOT_ENGAGED] = missing.astype("int64")
    out["label"] = label.where(label.str.len() <= _LABEL_WIDTH, cut)
    return out


def engagement_figure(summary: pd.DataFrame, *, course_id: str, run_id: str) -> go.Figure:
    """Stacked horizontal bars: per activity (top down in sequence), the run's learners by
    the phase they first engaged in, and those who left no statement; the scale runs to
    the learners enrolled. Each row's label says when it was planned, and a diamond in
    the planned phase's colour stands at the row's start.

    Parameters
    ----------
    summary, course_id, run_id
        As for :func:`realised_matrix_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        ``bar`` traces ``before``, ``during``, ``after`` and ``no statement`` (one bar per
        activity each, ``orientation="h"``), and a ``scatter`` trace ``planned`` (one
        marker per activity with a decided timing), y = the activity's row label.
    """
    data = engagement_data(summary, course_id=course_id, run_id=run_id)
    planned = data["planned_timing"].map(_WHEN)
    note = np.select(
        [data["tracked"].to_numpy(), ~data["expected"].to_numpy()],
        ["planned " + planned.fillna("undecided").astype(str), NOT_EXPECTED],
        NOT_TRACKED,
    )
    y = (chart_texts(data["label"]) + "<br><i>" + note + "</i>").tolist()
    titles = chart_texts(data["title"].astype(str)).tolist()
    learners = int(data["learners"].max()) if len(data) else 0
    traces = []
    colours = {**TIMING_COLOURS, NOT_ENGAGED: "#E5E5E5"}
    for phase in (*PHASES, NOT_ENGAGED):
        words = _WHEN.get(phase, "left no statement")
        first = "first engaged " if phase in _WHEN else ""
        traces.append(
            {
                "type": "bar",
                "customdata": titles,
                "hovertemplate": f"<b>%{{customdata}}</b><br>%{{x}} learners {first}{words}"
                "<extra></extra>",
                "marker": {"color": colours[phase], "line": {"color": GREY, "width": 0.5}},
                "name": phase,
                "orientation": "h",
                "x": data[phase].tolist(),
                "y": y,
            }
        )
    decided = data["planned_timing"].isin(PHASES) & data["tracked"]
    traces.append(
        {
            "type": "scatter",
            "cliponaxis": False,
            "hovertemplate": "planned %{customdata}<extra></extra>",
            "customdata": planned[decided].tolist(),
            "marker": {
                "color": data.loc[decided, "planned_timing"].map(TIMING_COLOURS).tolist(),
                "line": {"color": "#333333", "width": 1},
                "size": 12,
                "symbol": "diamond",
            },
            "mode": "markers",
            "name": "planned",
            "x": [0] * int(decided.sum()),
            "y": [label for label, keep in zip(y, decided, strict=True) if keep],
        }
    )
    layout = {
        "barmode": "stack",
        "height": 160 + 48 * len(data),
        "legend": {"orientation": "h", "traceorder": "normal", "y": -0.12 - 2.0 / (len(data) + 4)},
        "title": base.title(f"How learners first engaged — {_named(course_id, run_id)}"),
        "xaxis": {
            "range": [0, max(learners, 1)],
            "title": {"text": f"learners enrolled ({learners})"},
            **({"dtick": 1} if learners <= 10 else {}),
        },
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return base.figure(traces, layout)


# --------------------------------------------------------------------------- 3 overview
def delivery_overview_data(summary: pd.DataFrame) -> pd.DataFrame:
    """Per course and run: the share of pre-work done before class and of activities
    realised as planned (:func:`socialkit.delivery.realised.delivery_courses`).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`socialkit.delivery.realised.delivery_summary`'s table.

    Returns
    -------
    pandas.DataFrame
        ``course_id``, ``run_id``, ``label`` (``course / run``), ``prework_done`` and
        ``as_planned`` (shares from 0 to 1, NaN when nothing can be judged), in the
        summary's order.
    """
    courses = delivery_courses(summary)
    label = courses["course_id"].astype(str) + " / " + courses["run_id"].astype(str)
    return pd.DataFrame(
        {
            "course_id": courses["course_id"],
            "run_id": courses["run_id"],
            "label": label,
            "prework_done": courses["prework_done"].astype(float),
            "as_planned": courses["as_planned"].astype(float),
        }
    ).reset_index(drop=True)


def delivery_overview_figure(summary: pd.DataFrame) -> go.Figure:
    """Grouped horizontal bars per course and run: pre-work done and as planned, in %.

    Parameters
    ----------
    summary : pandas.DataFrame
        As for :func:`delivery_overview_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``bar`` traces, ``pre-work done`` and ``as planned``, x in percent (a run
        where a share cannot be judged has no bar), y the ``course / run`` labels.
    """
    data = delivery_overview_data(summary)
    y = chart_texts(data["label"]).tolist()
    traces = []
    for column, name, colour in (
        ("prework_done", "pre-work done", TIMING_COLOURS["before"]),
        ("as_planned", "as planned", "#009E73"),
    ):
        share = (data[column] * 100).round(0)
        traces.append(
            {
                "type": "bar",
                "hovertemplate": f"%{{y}}<br>{name}: %{{x:.0f}}%<extra></extra>",
                "marker": {"color": colour},
                "name": name,
                "orientation": "h",
                "x": [None if np.isnan(v) else float(v) for v in share],
                "y": y,
            }
        )
    layout = {
        "barmode": "group",
        "height": 230 + 44 * len(data),
        "legend": {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
        "title": base.title("Delivery by course and run"),
        "xaxis": {"range": [0, 100], "ticksuffix": "%", "title": {"text": "share"}},
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return base.figure(traces, layout)
