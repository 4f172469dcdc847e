"""The tool-fit table of one course: how each activity's tool fits, and the best-ranked tools.

A pair as every chart (see :mod:`socialkit.charts.course`, which exports both too):
:func:`tool_fit_data` is a tidy frame, :func:`tool_fit_figure` a plotly table of it whose
rows are shaded where the tool does not fit or the organisation would first have to
introduce it. User text is escaped in the figure, as it is written in the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.base.frames import memoized
from socialkit.base.text import chart_texts
from socialkit.charts import base
from socialkit.charts.palette import DASH
from socialkit.contract.schema import Portfolio

__all__ = ["tool_fit_data", "tool_fit_figure"]


def _yes_no(s: pd.Series) -> pd.Series:
    """Booleans as ``yes``/``no``; missing (undecided, or no tool) as a dash."""
    flags = s.astype("boolean")
    words = np.where(flags.isna(), DASH, np.where(flags.fillna(False), "yes", "no"))
    return pd.Series(words, index=s.index, dtype="str")


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
        ``tool``, ``tool_type``, ``direction``; from :func:`socialkit.analysis.tool_fit.tool_fit`
        (missing when the activity names no tool) ``known``, ``serves_type``,
        ``serves_direction``, ``serves_timing``, ``blocked``, ``blocked_domains``,
        ``onboarding``, ``on_platform``, ``availability``, ``alternative`` and ``fits``;
        and ``recommendations``: the top
        tools of :func:`socialkit.analysis.tool_fit.recommend_tools`, best first, ``", "``-joined
        (missing while the tool type is undecided).
    """
    return base.course_fit(portfolio, course_id, top).drop(columns="course_id")


def tool_fit_figure(portfolio: Portfolio, *, course_id: str, top: int = 3) -> go.Figure:
    """Table of :func:`tool_fit_data`; rows whose tool does not fit, or that the
    organisation would first have to introduce, are shaded.

    Parameters
    ----------
    portfolio, course_id, top
        As for :func:`tool_fit_data`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``table`` trace: Seq, Activity, Tool, Serves type, Serves direction, Works
        then (live in class, or on learners' own time before or after it), Blocked,
        Onboarding (for these learners), For these learners (availability: available,
        in-suite, external, to-introduce, or unknown tool), Alternative, Top
        recommendations.
    """
    d = tool_fit_data(portfolio, course_id=course_id, top=top)
    named = base.scope(portfolio, course_id)
    cells = base.fit_rows(portfolio).take(_fit_cells(portfolio), course_id)
    values = [cells[c].tolist() for c in cells.columns[:-1]]
    values.append(chart_texts(d["recommendations"].fillna(DASH)).tolist())
    table = {
        "type": "table",
        "cells": {
            "align": "left",
            "fill": {"color": [cells["fill"].tolist() for _ in values]},
            "values": values,
        },
        "columnwidth": [0.5, 3, 1.3, 1, 1, 1, 1.5, 1.3, 1.2, 1.3, 2.5],
        "header": {"align": "left", "fill": {"color": "#E8EEF4"}, "values": _FIT_HEADER},
    }
    layout = {"title": base.title(f"Tool fit — {named}"), "height": 160 + 40 * max(len(d), 1)}
    return base.figure([table], layout)


_FIT_HEADER = ["Seq", "Activity", "Tool", "Serves type", "Serves direction", "Works then"]
_FIT_HEADER += ["Blocked", "Onboarding", "For these learners", "Alternative", "Top recommendations"]


@memoized
def _fit_cells(portfolio: Portfolio) -> pd.DataFrame:
    """The table's cells but the recommendations, and each row's ``fill``, for every course
    (rows as :func:`socialkit.charts.base.fit_table`'s)."""
    d = base.fit_table(portfolio)
    blocked = d["blocked"].fillna(False).astype(bool)
    shown = [
        d["seq"].astype("str"),
        d["activity_id"] + " " + d["title"],
        d["tool"].fillna("not decided"),
        _yes_no(d["serves_type"]),
        _yes_no(d["serves_direction"]),
        _yes_no(d["serves_timing"]),
        _yes_no(d["blocked"]).mask(blocked, "yes (" + d["blocked_domains"] + ")"),
        d["onboarding"].fillna(DASH),
        d["availability"].fillna(DASH).mask(d["known"].eq(False).fillna(False), "unknown tool"),
        d["alternative"].fillna(DASH),
    ]
    shown = [chart_texts(column) for column in shown]  # user text, shown as text
    # shaded: a tool that does not fit, or one the organisation would first have to introduce
    check = d["fits"].eq(False).fillna(False) | d["availability"].eq("to-introduce").fillna(False)
    fill = np.where(check, "#FBE3D6", "white")
    return pd.DataFrame(dict(zip([*_FIT_HEADER[:-1], "fill"], [*shown, fill], strict=True)))
