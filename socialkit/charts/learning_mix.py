"""The learning-type mix of a course or a portfolio, as Learning Designer shows it: tidy
data first, then a plotly figure (see :mod:`socialkit.charts.course`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from socialkit.base.frames import cached
from socialkit.charts import base
from socialkit.charts.palette import (
    LEARNING_ORDER,
    LEARNING_TYPE_COLOURS,
    UNSPECIFIED,
    ordered_categories,
)
from socialkit.contract.schema import Portfolio

__all__ = ["learning_mix_data", "learning_mix_figure"]


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
    kind, minutes = _learning_codes(portfolio)
    if course_id is not None:
        base.course_title(portfolio, course_id)
        rows = base.activity_rows(portfolio).positions(course_id)
        kind, minutes = kind[rows], minutes[rows]
    known = kind >= 0
    kind, minutes = kind[known], minutes[known]
    n = len(LEARNING_ORDER)
    counts = {
        "activities": np.bincount(kind, minlength=n),
        "minutes": np.bincount(kind, np.nan_to_num(minutes), minlength=n),
        "unknown_minutes": np.bincount(kind, np.isnan(minutes), minlength=n),
    }
    counts = {k: v.astype("int64") for k, v in counts.items()}
    measure = "minutes" if counts["minutes"].sum() > 0 else "activities"
    value = counts[measure].copy()
    total = value.sum()
    share = value / total if total else np.full(n, np.nan)
    return pd.DataFrame(
        {
            "learning_type": ordered_categories(np.arange(n), LEARNING_ORDER),
            **counts,
            "measure": pd.array([measure] * n, dtype="str"),
            "value": value,
            "share": pd.array(share, dtype="Float64"),
        }
    )


@cached
def _learning_codes(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """Each activity's learning type (its position in the order; -1 if unknown) and its
    minutes (NaN where blank), in file order."""
    a = portfolio.activities
    kind = pd.Categorical(a["learning_type"].fillna(UNSPECIFIED), categories=LEARNING_ORDER)
    return kind.codes.astype("int64"), a["minutes"].to_numpy(dtype="float64", na_value=np.nan)


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
    named = base.scope(portfolio, course_id)
    measure = data["measure"].iloc[0]
    activities, value = data["activities"].to_numpy(), data["value"].to_numpy()
    shown = (np.asarray(LEARNING_ORDER) != UNSPECIFIED) | (activities > 0)
    share = data["share"].to_numpy(dtype="float64", na_value=0.0)[shown]
    pct = np.round(share * 100).astype("int64")
    types = [t for t, s in zip(LEARNING_ORDER, shown, strict=True) if s]
    bar = {
        "type": "bar",
        "customdata": data[["activities", "unknown_minutes"]].to_numpy()[shown].tolist(),
        "hovertemplate": f"%{{y}}: %{{x}} {measure}<br>%{{customdata[0]}} activities, "
        "%{customdata[1]} without minutes<extra></extra>",
        "marker": {"color": [LEARNING_TYPE_COLOURS[t] for t in types]},
        "orientation": "h",
        "text": [f"{v} ({p}%)" for v, p in zip(value[shown].tolist(), pct.tolist(), strict=True)],
        "x": value[shown].tolist(),
        "y": types,
    }
    layout = {
        "yaxis": {"autorange": "reversed", "type": "category"},
        "xaxis": {"title": {"text": measure}, "rangemode": "tozero"},
        "title": base.title(f"Learning types by {measure} — {named}"),
        "showlegend": False,
    }
    return base.figure([bar], layout)
