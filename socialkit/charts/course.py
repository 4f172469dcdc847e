"""Per-course charts of a design portfolio: tidy data first, then a plotly figure.

Every chart is a pair: ``<name>_data`` is a pure function returning a tidy
:class:`pandas.DataFrame` built from :mod:`socialkit.analysis.matrix` and
:mod:`socialkit.analysis.tool_fit`;
``<name>_figure`` takes the same arguments and returns a
:class:`plotly.graph_objects.Figure` (never shown). A direction, timing or learning type
has one fixed colour on every chart, and figures are deterministic. An unknown
``course_id`` raises :class:`~socialkit.errors.UnknownCourseError`.

This module holds the per-course charts: timing × direction matrix and activity swimlane
(the matrix also covers the whole portfolio), each also as plotly's JSON of the figure
(``*_figure_json``, for the design editor, which sends it on at once); the tool-fit table is
in :mod:`socialkit.charts.fit_table`, the learning-type mix in
:mod:`socialkit.charts.learning_mix` and the colours every chart shares in
:mod:`socialkit.charts.palette`, all importable from here too. Views that put every
course side by side live in :mod:`socialkit.charts.portfolio`.

A per-course chart does not restrict the portfolio: it cuts its course's rows out of
whole-portfolio results that are worked out once per portfolio object (which is
immutable), so that reporting many courses of one portfolio in one process costs
little per course. Figures are built from plain dicts already in the form plotly's
validation gives, which is much faster than validating them (both live in the private
module ``socialkit.charts.base``, shared with :mod:`socialkit.charts.portfolio`).

User text (course ids and titles, activity titles, tool names, domains...) is shown as
written: plotly reads ``<b>``, ``<a href>``, ``<br>``, entities and ``$...$`` in every text
it draws, so the figures hold it escaped (``socialkit.base.text.chart_text``), while the
``*_data`` frames hold it as it is.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.analysis.matrix import UNDECIDED
from socialkit.base.frames import cached, memoized
from socialkit.base.text import chart_text
from socialkit.charts import base
from socialkit.charts.base import TEMPLATE
from socialkit.charts.fit_table import tool_fit_data, tool_fit_figure
from socialkit.charts.learning_mix import learning_mix_data, learning_mix_figure
from socialkit.charts.palette import (
    CHECK_COLOURS,
    DASH,
    DIRECTION_COLOURS,
    DIRECTION_ORDER,
    LEARNING_TYPE_COLOURS,
    TIMING_COLOURS,
    TIMING_ORDER,
    UNSPECIFIED,
    ordered_categories,
)
from socialkit.contract.schema import Portfolio

__all__ = [
    "CHECK_COLOURS",
    "COURSE_SCALE_TOP",
    "DIRECTION_COLOURS",
    "LEARNING_TYPE_COLOURS",
    "TEMPLATE",
    "TIMING_COLOURS",
    "UNSPECIFIED",
    "learning_mix_data",
    "learning_mix_figure",
    "matrix_data",
    "matrix_figure",
    "matrix_figure_json",
    "swimlane_data",
    "swimlane_figure",
    "swimlane_figure_json",
    "tool_fit_data",
    "tool_fit_figure",
]

Measure = Literal["activities", "minutes"]

_LANES = {"before": "Before class", "during": "During class", "after": "After class"}
_LANES[UNDECIDED] = "Undecided"
_LABEL_WIDTH = 32


# --------------------------------------------------------------------------- 1 matrix
def matrix_data(
    portfolio: Portfolio, *, course_id: str | None = None, measure: Measure = "activities"
) -> pd.DataFrame:
    """Timing × direction grid of one course or of the whole portfolio.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str, optional
        The course to show (an unknown id raises ``UnknownCourseError``); the whole
        portfolio when omitted.
    measure : {"activities", "minutes"}, default "activities"
        Count activities, or sum their known minutes.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``timing`` and ``direction`` (ordered categoricals, before →
        during → after), ``measure`` and ``value``. The ``"undecided"`` timing row and
        direction column are kept only when some activity is undecided there.
    """
    cells = _grid_cells(portfolio, course_id, measure)
    n_t, n_d = _grid_size(cells)
    out = pd.DataFrame(
        {
            "timing": ordered_categories(np.repeat(np.arange(n_t), n_d), TIMING_ORDER[:n_t]),
            "direction": ordered_categories(np.tile(np.arange(n_d), n_t), DIRECTION_ORDER[:n_d]),
        }
    )
    value = cells[:n_t, :n_d, 0 if measure == "activities" else 1].ravel()
    return out.assign(measure=measure, value=value)


def _grid_cells(portfolio: Portfolio, course_id: str | None, measure: Measure) -> np.ndarray:
    """:func:`socialkit.charts.base.matrix_cells`, once ``measure`` is known to be valid."""
    if measure not in ("activities", "minutes"):
        raise ValueError(f"measure must be 'activities' or 'minutes', not {measure!r}")
    return base.matrix_cells(portfolio, course_id)


def _grid_size(cells: np.ndarray) -> tuple[int, int]:
    """How many timings and directions the grid shows: the ``"undecided"`` row and column
    (the last ones) only when some activity is undecided there."""
    used = cells[..., 0]  # activities
    n_t = len(TIMING_ORDER) - int(used[-1].sum() == 0)
    n_d = len(DIRECTION_ORDER) - int(used[:, -1].sum() == 0)
    return n_t, n_d


#: The top of the colour scale of a course's matrix, the same on every course page so
#: that one shade means one count everywhere; a cell above it has the darkest shade.
COURSE_SCALE_TOP = {"activities": 10, "minutes": 480}


def _colour_bar(title: str, z: list[list[int]], top: int | None) -> dict:
    """Colour-bar settings: the fixed course scale, or whole-number ticks for small counts."""
    bar: dict = {"title": {"text": title}}
    if top is not None:
        ticks = list(range(0, top + 1, top // 5))
        bar.update(tickvals=ticks, ticktext=[*map(str, ticks[:-1]), f"{top}+"])
    elif max((max(row) for row in z if row), default=0) <= 10:
        bar.update(tick0=0, dtick=1)
    return bar


def matrix_figure(
    portfolio: Portfolio, *, course_id: str | None = None, measure: Measure = "activities"
) -> go.Figure:
    """Heatmap of :func:`matrix_data`: timing down, direction across, values in the cells.

    Parameters
    ----------
    portfolio, course_id, measure
        As for :func:`matrix_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``heatmap`` trace whose ``z`` rows follow the timing order. For one course
        its colour scale runs from 0 to :data:`COURSE_SCALE_TOP` (10 activities, 480
        minutes) on every course, so that a shade means the same count on every page;
        for the whole portfolio it runs up to the largest cell.
    """
    return base.figure(*_matrix_parts(portfolio, course_id, measure))


def _matrix_parts(
    portfolio: Portfolio, course_id: str | None, measure: Measure
) -> tuple[list[dict], dict]:
    """The traces and layout of :func:`matrix_figure`."""
    # the cells of matrix_data, without building its frame
    cells = _grid_cells(portfolio, course_id, measure)
    named = base.scope(portfolio, course_id)
    n_t, n_d = _grid_size(cells)
    timings, directions = TIMING_ORDER[:n_t], DIRECTION_ORDER[:n_d]
    z = cells[:n_t, :n_d, 0 if measure == "activities" else 1].tolist()
    top = None if course_id is None else COURSE_SCALE_TOP[measure]
    heatmap = {
        "type": "heatmap",
        "colorbar": _colour_bar(measure, z, top),
        "colorscale": base.colorscale("Blues"),
        "hovertemplate": f"%{{y}} · %{{x}}<br>{measure}: %{{z}}<extra></extra>",
        "text": [row.copy() for row in z],
        "texttemplate": "%{text}",
        "x": directions,
        "y": [_LANES[t] for t in timings],
        "z": z,
        "zmin": 0,
        **({} if top is None else {"zmax": top}),
    }
    layout = {
        "yaxis": {"title": {"text": "timing"}, "autorange": "reversed"},
        "xaxis": {"title": {"text": "direction"}, "side": "top"},
        "title": base.title(f"{measure.capitalize()} by timing and direction — {named}"),
        "height": 130 + 55 * len(timings),  # plotly's default leaves a blank band below
    }
    return [heatmap], layout


def matrix_figure_json(
    portfolio: Portfolio, *, course_id: str | None = None, measure: Measure = "activities"
) -> dict:
    """:func:`matrix_figure` as plotly's JSON of it (``data`` and ``layout``), without
    building the figure (see :func:`socialkit.charts.base.figure_json`)."""
    return base.figure_json(*_matrix_parts(portfolio, course_id, measure))


# --------------------------------------------------------------------------- 2 swimlane
def swimlane_data(portfolio: Portfolio, *, course_id: str) -> pd.DataFrame:
    """One row per activity of a course, placed in its timing lane, in ``seq`` order.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str
        The course to show; an unknown id raises ``UnknownCourseError``.

    Returns
    -------
    pandas.DataFrame
        ``course_id``, ``activity_id``, ``seq``, ``lane`` (ordered categorical
        before/during/after/undecided), ``title``, ``label`` (the title cut to 32
        characters), ``direction`` (``"undecided"`` when blank; the colour key),
        ``tool``, ``tool_type`` and ``colour`` (see :data:`DIRECTION_COLOURS`).
    """
    base.course_title(portfolio, course_id)
    rows = base.course_slice(portfolio, course_id)
    return _swimlane_table(portfolio).iloc[rows].reset_index(drop=True)


_SWIMLANE_TEXT = ("course_id", "activity_id", "title", "timing", "direction", "tool")
_SWIMLANE_TEXT += ("tool_type",)
_LANE_CODE = {lane: code for code, lane in enumerate(TIMING_ORDER)}


@cached
def _swimlane_columns(portfolio: Portfolio) -> dict[str, np.ndarray]:
    """The columns of :func:`swimlane_data` of every course, in course order, as arrays.

    Text is an object array (missing values NaN), ``seq`` keeps its dtype and ``lane``
    holds the category codes of :data:`TIMING_ORDER` (-1 for a timing outside it). The
    rules of the chart (lane, label, direction, colour) are worked out here once, for
    the frame and the figure alike: as loops over plain strings, which cost less than
    pandas' string methods on the few rows of a course.
    """
    activities, order = portfolio.activities, base.in_sequence(portfolio)
    a = {c: activities[c].to_numpy(dtype=object).take(order) for c in _SWIMLANE_TEXT}
    title = a["title"]
    label = title.copy()
    long = [i for i, t in enumerate(title.tolist()) if isinstance(t, str) and len(t) > _LABEL_WIDTH]
    if long:  # cut by pandas, so that "whitespace" means what its string methods say
        cut = pd.Series(title[long], dtype=activities["title"].dtype).str.slice(0, _LABEL_WIDTH - 1)
        label[long] = (cut.str.rstrip() + "…").to_numpy(dtype=object)
    direction = [d if isinstance(d, str) else UNDECIDED for d in a["direction"].tolist()]
    timing = [t if isinstance(t, str) else UNDECIDED for t in a["timing"].tolist()]
    return {
        **a,
        "seq": _take(activities["seq"], order),
        "lane": np.array([_LANE_CODE.get(t, -1) for t in timing], dtype=np.int8),
        "label": label,
        "direction": np.array(direction, dtype=object),
        "colour": np.array([DIRECTION_COLOURS.get(d, np.nan) for d in direction], dtype=object),
    }


@memoized
def _swimlane_table(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`swimlane_data` of every course at once, in course order."""
    a, dtypes = _swimlane_columns(portfolio), portfolio.activities.dtypes

    def text(column: str, dtype: object = None) -> pd.api.extensions.ExtensionArray:
        return pd.array(a[column], dtype=dtypes[column] if dtype is None else dtype)

    return pd.DataFrame(
        {
            "course_id": text("course_id"),
            "activity_id": text("activity_id"),
            "seq": a["seq"],
            "lane": ordered_categories(a["lane"], TIMING_ORDER),
            "title": text("title"),
            "label": text("label", dtypes["title"]),
            "direction": text("direction", "str"),
            "tool": text("tool"),
            "tool_type": text("tool_type"),
            "colour": text("colour", "str"),
        }
    )


def _take(column: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A column's values at ``rows``, keeping its dtype."""
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return column.array.take(rows)
    return column.to_numpy().take(rows)


def _shown(values: np.ndarray, blank: str = DASH) -> list:
    """Text values as chart text (see :func:`socialkit.base.text.chart_text`), ``blank``
    for the missing ones."""
    return [chart_text(v) if isinstance(v, str) else blank for v in values.tolist()]


def swimlane_figure(portfolio: Portfolio, *, course_id: str) -> go.Figure:
    """The learner's journey: one row per activity, in sequence, in its timing's column.

    The activities go down the page in ``seq`` order, one row each, so the chart grows
    with the course and no two labels share a row: each title stands beside its marker
    (to the left of it in the last column, so that none runs off the chart), at any
    number of activities.

    Parameters
    ----------
    portfolio, course_id
        As for :func:`swimlane_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``scatter`` trace per direction present, named after it, x = lane position
        (0 before, 1 during, 2 after, 3 undecided: a lane shown only when some
        activity's timing is blank), y = ``seq`` (top down); markers labelled with the
        title (cut to 32 characters; the whole title is in the hover text).
    """
    return base.figure(*_swimlane_parts(portfolio, course_id))


def _swimlane_parts(portfolio: Portfolio, course_id: str) -> tuple[list[dict], dict]:
    """The traces and layout of :func:`swimlane_figure`."""
    named = base.scope(portfolio, course_id)  # checks the course, as swimlane_data
    # the columns of swimlane_data, without building its frame: a course's rows are few
    rows = base.course_slice(portfolio, course_id)
    data = {name: column[rows] for name, column in _swimlane_columns(portfolio).items()}
    lane, seq = data["lane"].tolist(), np.asarray(data["seq"]).tolist()
    lanes = TIMING_ORDER[: 4 if _LANE_CODE[UNDECIDED] in lane else 3]
    hover = zip(
        _shown(data["title"]),
        _shown(data["tool"], chart_text("not decided")),
        _shown(data["tool_type"]),
        _shown(data["direction"]),
        strict=True,
    )
    hover = [list(row) for row in hover]
    label = [chart_text(v) if isinstance(v, str) else v for v in data["label"].tolist()]
    directions = data["direction"].tolist()
    # titles run right of their marker, but leftwards in the last column (the chart's edge)
    edge = len(lanes) - 1
    position = ["middle left" if x == edge else "middle right" for x in lane]
    traces = []
    for direction in DIRECTION_ORDER:  # at most four traces: not a loop over the data
        m = [i for i, d in enumerate(directions) if d == direction]
        if m:
            traces.append(
                {
                    "type": "scatter",
                    "cliponaxis": False,
                    "customdata": [hover[i] for i in m],
                    "hovertemplate": "<b>%{customdata[0]}</b><br>step %{y} · %{customdata[3]}"
                    "<br>tool: %{customdata[1]}<br>tool type: %{customdata[2]}<extra></extra>",
                    "marker": {"color": DIRECTION_COLOURS[direction], "size": 14},
                    "mode": "markers+text",
                    "name": direction,
                    "text": [label[i] for i in m],
                    "textfont": {"size": 12},
                    "textposition": [position[i] for i in m],
                    "x": [lane[i] for i in m],
                    "y": [seq[i] for i in m],
                }
            )
    bands = [
        {
            "fillcolor": TIMING_COLOURS[lane],
            "layer": "below",
            "line": {"width": 0},
            "opacity": 0.12,
            "type": "rect",
            "x0": i - 0.5,
            "x1": i + 0.5,
            "xref": "x",
            "y0": 0,
            "y1": 1,
            "yref": "y domain",
        }
        for i, lane in enumerate(lanes)
    ]
    first, last = (int(min(seq)), int(max(seq))) if seq else (1, 1)
    rows = len(seq)
    heading = base.title(f"Activity sequence — {named}")
    layout = {
        "shapes": bands,
        "xaxis": {
            "tickvals": list(range(len(lanes))),
            "ticktext": [_LANES[x] for x in lanes],
            "range": [-0.5, len(lanes) - 0.5],
            "showgrid": False,
            "side": "top",
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": "step"},
            "dtick": 1 if rows <= 20 else 5,
            "range": [last + 0.7, first - 0.7],
            "showgrid": False,
            "zeroline": False,
        },
        "title": heading,
        # room for the title's lines above the lane names, which sit on top of the plot
        "margin": {"t": 80 + 22 * heading["text"].count("<br>")},
        "legend": {
            "orientation": "h",
            "title": {"text": "direction"},
            "y": -0.02,
            "yanchor": "top",
        },
        "height": 190 + 26 * max(rows, 3),
    }
    return traces, layout


def swimlane_figure_json(portfolio: Portfolio, *, course_id: str) -> dict:
    """:func:`swimlane_figure` as plotly's JSON of it (``data`` and ``layout``), without
    building the figure (see :func:`socialkit.charts.base.figure_json`)."""
    return base.figure_json(*_swimlane_parts(portfolio, course_id))
