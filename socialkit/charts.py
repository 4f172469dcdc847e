"""Per-course charts of a design portfolio: tidy data first, then a plotly figure.

Every chart is a pair: ``<name>_data`` is a pure function returning a tidy
:class:`pandas.DataFrame` built from :mod:`socialkit.analysis` and :mod:`socialkit.tools`;
``<name>_figure`` takes the same arguments and returns a
:class:`plotly.graph_objects.Figure` (never shown). A direction, timing or learning type
has one fixed colour on every chart, and figures are deterministic. An unknown
``course_id`` raises :class:`~socialkit.errors.UnknownCourseError`.

This module holds what every chart shares (template, colours, lane labels, layout) and
the per-course charts: timing × direction matrix, activity swimlane, tool fit and
learning-type mix (the matrix and the mix also cover the whole portfolio). Views that
put every course side by side live in :mod:`socialkit.portfolio_charts`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .analysis import UNDECIDED, timing_direction_matrix
from .schema import Portfolio
from .tools import recommend_tools, tool_fit
from .vocab import DIRECTIONS, LEARNING_TYPES, TIMINGS

__all__ = [
    "CHECK_COLOURS",
    "DIRECTION_COLOURS",
    "LEARNING_TYPE_COLOURS",
    "TEMPLATE",
    "TIMING_COLOURS",
    "UNSPECIFIED",
    "learning_mix_data",
    "learning_mix_figure",
    "matrix_data",
    "matrix_figure",
    "swimlane_data",
    "swimlane_figure",
    "tool_fit_data",
    "tool_fit_figure",
]

Measure = Literal["activities", "minutes"]

#: The plotly template of every figure.
TEMPLATE = "plotly_white"
#: Label of an activity whose learning type is not given.
UNSPECIFIED = "unspecified"
_GREY = "#999999"
_TIMING_ORDER = [*TIMINGS.values, UNDECIDED]
_DIRECTION_ORDER = [*DIRECTIONS.values, UNDECIDED]
_LEARNING_ORDER = [*LEARNING_TYPES.values, UNSPECIFIED]

#: One colour per social direction (Okabe-Ito, colour-blind safe); undecided is grey.
DIRECTION_COLOURS: dict[str, str] = dict(
    zip(_DIRECTION_ORDER, ["#0072B2", "#E69F00", "#009E73", _GREY], strict=True)
)
#: One colour per timing (Okabe-Ito); undecided is grey.
TIMING_COLOURS: dict[str, str] = dict(
    zip(_TIMING_ORDER, ["#56B4E9", "#D55E00", "#CC79A7", _GREY], strict=True)
)
#: One colour per Laurillard learning type, in Learning Designer's hues; unspecified grey.
LEARNING_TYPE_COLOURS: dict[str, str] = dict(
    zip(
        _LEARNING_ORDER,
        "#E8716D #F4A340 #B48BD6 #6CC18B #5B9BD5 #E8C547 #C8C8C8".split(),
        strict=True,
    )
)
#: Checklist cells: a question answered (``ok``) or with gaps (``gap``); colour-blind safe.
CHECK_COLOURS: dict[str, str] = {"ok": "#009E73", "gap": "#D55E00"}

_LANES = {"before": "Before class", "during": "During class", "after": "After class"}
_LANES[UNDECIDED] = "Undecided"
_DASH = "—"
_LABEL_WIDTH = 24


# --------------------------------------------------------------------------- helpers
def _scope(portfolio: Portfolio, course_id: str | None) -> tuple[Portfolio, str]:
    """The portfolio restricted to one course (or whole), and a phrase naming it."""
    if course_id is None:
        n = len(portfolio.courses)
        return portfolio, f"whole portfolio ({n} course{'s' if n != 1 else ''})"
    sub = portfolio.select([course_id])
    return sub, f"course {course_id} ({sub.courses['title'].iloc[0]})"


def _layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title={"text": title, "x": 0.0}, **kw)
    return fig


def _yes_no(s: pd.Series) -> pd.Series:
    """Booleans as ``yes``/``no``; missing (undecided, or no tool) as a dash."""
    return s.astype("object").map({True: "yes", False: "no"}).fillna(_DASH).astype("str")


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
    if measure not in ("activities", "minutes"):
        raise ValueError(f"measure must be 'activities' or 'minutes', not {measure!r}")
    sub, _ = _scope(portfolio, course_id)
    grid = timing_direction_matrix(sub, by="portfolio")
    undecided = grid[["timing", "direction"]].eq(UNDECIDED)
    used = undecided.mul(grid["activities"], axis=0).sum() > 0
    keep = ~(undecided & ~used).any(axis=1)
    out = grid.loc[keep, ["timing", "direction"]].reset_index(drop=True)
    out = out.apply(lambda c: c.cat.remove_unused_categories())
    return out.assign(measure=measure, value=grid.loc[keep, measure].to_numpy())


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
        One ``heatmap`` trace whose ``z`` rows follow the timing order.
    """
    data = matrix_data(portfolio, course_id=course_id, measure=measure)
    _, scope = _scope(portfolio, course_id)
    timings, directions = (list(data[c].cat.categories) for c in ("timing", "direction"))
    z = data["value"].to_numpy().reshape(len(timings), len(directions)).tolist()
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=directions,
            y=[_LANES[t] for t in timings],
            text=z,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            colorbar={"title": {"text": measure}},
            hovertemplate=f"%{{y}} · %{{x}}<br>{measure}: %{{z}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="timing")
    fig.update_xaxes(side="top", title_text="direction")
    return _layout(fig, f"{measure.capitalize()} by timing and direction — {scope}")


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
        before/during/after/undecided), ``title``, ``label`` (the title cut to 24
        characters), ``direction`` (``"undecided"`` when blank; the colour key),
        ``tool``, ``tool_type`` and ``colour`` (see :data:`DIRECTION_COLOURS`).
    """
    a = portfolio.select([course_id]).activities.sort_values("seq", kind="stable")
    title, direction = a["title"], a["direction"].fillna(UNDECIDED).astype("str")
    cut = title.str.slice(0, _LABEL_WIDTH - 1).str.rstrip() + "…"
    lane = pd.Categorical(a["timing"].fillna(UNDECIDED), categories=_TIMING_ORDER, ordered=True)
    return pd.DataFrame(
        {
            **a[["course_id", "activity_id", "seq"]],
            "lane": lane,
            "title": title,
            "label": title.where(title.str.len() <= _LABEL_WIDTH, cut),
            "direction": direction,
            "tool": a["tool"],
            "tool_type": a["tool_type"],
            "colour": direction.map(DIRECTION_COLOURS).astype("str"),
        }
    ).reset_index(drop=True)


def swimlane_figure(portfolio: Portfolio, *, course_id: str) -> go.Figure:
    """Before / during / after lanes with a course's activities in sequence order.

    Parameters
    ----------
    portfolio, course_id
        As for :func:`swimlane_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``scatter`` trace per direction present, named after it, x = ``seq``,
        y = lane position (0 before, 1 during, 2 after, 3 undecided: a lane shown only
        when some activity's timing is blank); markers labelled with the title.
    """
    data = swimlane_data(portfolio, course_id=course_id)
    _, scope = _scope(portfolio, course_id)
    lanes = _TIMING_ORDER[: 4 if data["lane"].eq(UNDECIDED).any() else 3]
    hover = data.assign(tool=data["tool"].fillna("not decided"))
    hover = hover[["title", "tool", "tool_type", "direction"]].fillna(_DASH)
    fig = go.Figure()
    for direction in _DIRECTION_ORDER:  # at most four traces: not a loop over the data
        m = data["direction"].eq(direction)
        if m.any():
            d = data[m]
            fig.add_trace(
                go.Scatter(
                    x=d["seq"].tolist(),
                    y=d["lane"].cat.codes.tolist(),
                    mode="markers+text",
                    name=direction,
                    marker={"size": 18, "color": DIRECTION_COLOURS[direction]},
                    text=d["label"].tolist(),
                    textposition=np.where(d["seq"] % 2, "top center", "bottom center").tolist(),
                    customdata=hover[m].to_numpy().tolist(),
                    hovertemplate="<b>%{customdata[0]}</b><br>seq %{x} · %{customdata[3]}"
                    "<br>tool: %{customdata[1]}<br>tool type: %{customdata[2]}<extra></extra>",
                )
            )
    for i, lane in enumerate(lanes):
        band = {"opacity": 0.12, "line_width": 0, "layer": "below"}
        fig.add_hrect(y0=i - 0.5, y1=i + 0.5, fillcolor=TIMING_COLOURS[lane], **band)
    fig.update_yaxes(
        tickvals=list(range(len(lanes))),
        ticktext=[_LANES[x] for x in lanes],
        range=[len(lanes) - 0.5, -0.5],
        showgrid=False,
        zeroline=False,
    )
    top = int(data["seq"].max()) if len(data) else 1
    fig.update_xaxes(title_text="sequence", dtick=1, range=[0.4, top + 0.6], zeroline=False)
    title = f"Activity sequence — {scope}"
    return _layout(fig, title, legend_title_text="direction", height=140 + 110 * len(lanes))


# --------------------------------------------------------------------------- 3 tool fit
_FIT_COLUMNS = ["serves_type", "serves_direction", "blocked", "on_platform", "fits"]


def tool_fit_data(portfolio: Portfolio, *, course_id: str, top: int = 3) -> pd.DataFrame:
    """How each activity's tool fits, with the best-ranked tools, for one course.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str
        The course to show; an unknown id raises ``UnknownCourseError``.
    top : int, default 3
        How many recommended tools to list.

    Returns
    -------
    pandas.DataFrame
        One row per activity in ``seq`` order: ``activity_id``, ``seq``, ``title``,
        ``tool``, ``tool_type``, ``direction``; from :func:`socialkit.tools.tool_fit`
        (missing when the activity names no tool) ``serves_type``,
        ``serves_direction``, ``blocked``, ``blocked_domains``, ``onboarding``,
        ``on_platform``, ``alternative`` and ``fits``; and ``recommendations``: the top
        tools of :func:`socialkit.tools.recommend_tools`, best first, ``", "``-joined
        (missing while the tool type is undecided).
    """
    sub = portfolio.select([course_id])
    a = sub.activities.sort_values("seq", kind="stable")
    base = a[["activity_id", "seq", "title", "tool", "tool_type", "direction"]]
    extra = ["blocked_domains", "onboarding", "alternative"]
    fit = tool_fit(sub)[["activity_id", *_FIT_COLUMNS, *extra]]
    recs = recommend_tools(sub, top=top).groupby("activity_id", sort=False)["tool"]
    out = base.merge(fit, on="activity_id", how="left")
    out = out.join(recs.agg(", ".join).rename("recommendations"), on="activity_id")
    out = out.astype(dict.fromkeys(_FIT_COLUMNS, "boolean"))
    cols = [*base.columns, *_FIT_COLUMNS[:3], "blocked_domains", "onboarding", "on_platform"]
    return out[[*cols, "alternative", "fits", "recommendations"]].reset_index(drop=True)


def tool_fit_figure(portfolio: Portfolio, *, course_id: str, top: int = 3) -> go.Figure:
    """Table of :func:`tool_fit_data`; rows whose tool does not fit are shaded.

    Parameters
    ----------
    portfolio, course_id, top
        As for :func:`tool_fit_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``table`` trace: Seq, Activity, Tool, Serves type, Serves direction,
        Blocked, Onboarding, On platform, Alternative, Top recommendations.
    """
    d = tool_fit_data(portfolio, course_id=course_id, top=top)
    _, scope = _scope(portfolio, course_id)
    blocked = d["blocked"].fillna(False).astype(bool)
    shown = {
        "Seq": d["seq"].astype("str"),
        "Activity": d["activity_id"] + " " + d["title"],
        "Tool": d["tool"].fillna("not decided"),
        "Serves type": _yes_no(d["serves_type"]),
        "Serves direction": _yes_no(d["serves_direction"]),
        "Blocked": _yes_no(d["blocked"]).mask(blocked, "yes (" + d["blocked_domains"] + ")"),
        "Onboarding": d["onboarding"].fillna(_DASH),
        "On platform": _yes_no(d["on_platform"]),
        "Alternative": d["alternative"].fillna(_DASH),
        "Top recommendations": d["recommendations"].fillna(_DASH),
    }
    fill = np.where(d["fits"].eq(False).fillna(False), "#FBE3D6", "white").tolist()
    table = go.Table(
        header={"values": list(shown), "fill_color": "#E8EEF4", "align": "left"},
        cells={
            "values": [s.tolist() for s in shown.values()],
            "fill_color": [fill] * len(shown),
            "align": "left",
        },
        columnwidth=[0.5, 3, 1.3, 1, 1, 1.5, 1.3, 1, 1.3, 2.5],
    )
    return _layout(go.Figure(table), f"Tool fit — {scope}", height=160 + 40 * max(len(d), 1))


# --------------------------------------------------------------------------- 4 learning mix
def learning_mix_data(portfolio: Portfolio, *, course_id: str | None = None) -> pd.DataFrame:
    """Time (or activities) per Laurillard learning type, as Learning Designer shows it.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str, optional
        The course to show (an unknown id raises ``UnknownCourseError``); the whole
        portfolio when omitted.

    Returns
    -------
    pandas.DataFrame
        Seven rows, always: the six learning types in Laurillard's order, then
        ``"unspecified"``. Columns ``learning_type`` (ordered categorical),
        ``activities``, ``minutes`` (sum of known minutes), ``unknown_minutes``
        (activities whose minutes are blank), ``measure`` (``"minutes"`` when some
        minutes are known, else ``"activities"``), ``value`` (of that measure) and
        ``share`` (of the total value; missing when that is zero).
    """
    a = _scope(portfolio, course_id)[0].activities
    kind = a["learning_type"].fillna(UNSPECIFIED)
    frame = pd.DataFrame(
        {
            "learning_type": pd.Categorical(kind, categories=_LEARNING_ORDER, ordered=True),
            "minutes": a["minutes"].fillna(0).astype("int64"),
            "unknown_minutes": a["minutes"].isna().astype("int64"),
        }
    )
    out = frame.groupby("learning_type", observed=False).agg(
        activities=("minutes", "size"),
        minutes=("minutes", "sum"),
        unknown_minutes=("unknown_minutes", "sum"),
    )
    out = out.reset_index().astype(dict.fromkeys(out.columns, "int64"))
    measure = "minutes" if out["minutes"].sum() > 0 else "activities"
    total = out[measure].sum()
    share = (out[measure] / total if total else out[measure] * np.nan).astype("Float64")
    return out.assign(measure=measure, value=out[measure], share=share)


def learning_mix_figure(portfolio: Portfolio, *, course_id: str | None = None) -> go.Figure:
    """Horizontal bars of :func:`learning_mix_data`, one fixed colour per learning type.

    All six types are always shown (a missing type is a finding); "unspecified" only
    when some activity has no learning type.

    Parameters
    ----------
    portfolio, course_id
        As for :func:`learning_mix_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``bar`` trace (``orientation="h"``), learning types from the top.
    """
    data = learning_mix_data(portfolio, course_id=course_id)
    _, scope = _scope(portfolio, course_id)
    data = data[data["learning_type"].ne(UNSPECIFIED) | data["activities"].gt(0)]
    measure = data["measure"].iloc[0]
    pct = (data["share"].fillna(0) * 100).round().astype("int64").astype("str")
    types = data["learning_type"].astype("str")
    bar = go.Bar(
        x=data["value"].tolist(),
        y=types.tolist(),
        orientation="h",
        marker={"color": types.map(LEARNING_TYPE_COLOURS).tolist()},
        text=(data["value"].astype("str") + " (" + pct + "%)").tolist(),
        customdata=data[["activities", "unknown_minutes"]].to_numpy().tolist(),
        hovertemplate=f"%{{y}}: %{{x}} {measure}<br>%{{customdata[0]}} activities, "
        "%{customdata[1]} without minutes<extra></extra>",
    )
    fig = go.Figure(bar)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title_text=measure, rangemode="tozero")
    return _layout(fig, f"Learning types by {measure} — {scope}", showlegend=False)
