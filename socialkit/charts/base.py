"""What the charts of :mod:`socialkit.charts.course` and :mod:`socialkit.charts.portfolio` share.

Two things keep a batch of per-course charts cheap in one process:

* lookups and tables worked out once per portfolio object (course titles, where each
  course's activities are, the timing × direction cells of every course, the tool fit
  of every activity), so that a per-course chart cuts its course's rows out of
  whole-portfolio results instead of restricting the portfolio, which would make every
  analysis start again;
* :func:`figure`, which builds a plotly figure from plain dicts already written in the
  form plotly's validation gives, much faster than validating them.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import pickle
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from socialkit._compat import unvalidated_figure, validate_from_now
from socialkit.analysis.matrix import timing_direction_matrix, vocab_categories
from socialkit.analysis.tool_fit import joined_recommendations, tool_fit
from socialkit.base.frames import RowIndex, cached, isin_codes, memoized
from socialkit.base.text import chart_text
from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import DIRECTIONS, TIMINGS

__all__ = [
    "TEMPLATE",
    "TITLE_WIDTH",
    "activity_rows",
    "colorscale",
    "course_codes",
    "course_fit",
    "course_position",
    "course_positions",
    "course_slice",
    "course_title",
    "figure",
    "figure_json",
    "fit_rows",
    "fit_table",
    "in_sequence",
    "matrix_cells",
    "scope",
    "title",
    "wrap",
]

#: The plotly template of every figure.
TEMPLATE = "plotly_white"


# --------------------------------------------------------------------------- courses
@cached
def _titles(portfolio: Portfolio) -> dict[str, str]:
    return dict(zip(portfolio.course_ids, portfolio.courses["title"].tolist(), strict=True))


def course_title(portfolio: Portfolio, course_id: str) -> str:
    """The course's title; an unknown id raises ``UnknownCourseError``, as ``select`` does."""
    found = _titles(portfolio).get(course_id) if isinstance(course_id, str) else None
    if found is None:
        portfolio.select([course_id])  # raises, naming the id
    return found


def scope(portfolio: Portfolio, course_id: str | None) -> str:
    """A phrase naming one course (whose id it checks), or the whole portfolio, as chart
    text: the course's id and title are escaped (see :func:`socialkit.base.text.chart_text`)."""
    if course_id is None:
        n = len(portfolio.courses)
        return f"whole portfolio ({n} course{'s' if n != 1 else ''})"
    named = chart_text(course_title(portfolio, course_id))
    return f"course {chart_text(course_id)} ({named})"


@cached
def course_codes(portfolio: Portfolio) -> np.ndarray:
    """Each activity's course as its position in the courses table (-1: not listed)."""
    return isin_codes(portfolio.activities["course_id"], portfolio.course_ids)


@cached
def course_positions(portfolio: Portfolio) -> dict[str, int]:
    """Each listed course's position in the courses table."""
    return {c: i for i, c in enumerate(portfolio.course_ids)}


def course_position(portfolio: Portfolio, course_id: str) -> int:
    """A course's position in the courses table; an unknown id raises
    ``UnknownCourseError``, as ``select`` does."""
    course_title(portfolio, course_id)
    return course_positions(portfolio)[course_id]


@cached
def in_sequence(portfolio: Portfolio) -> np.ndarray:
    """Positions of the activities in course order (as the courses table lists them), then
    ``seq``: each course's activities stand together."""
    return np.lexsort((portfolio.activities["seq"].to_numpy(), course_codes(portfolio)))


@cached
def _course_bounds(portfolio: Portfolio) -> np.ndarray:
    """Where each listed course's rows start in :func:`in_sequence` order, and where the
    last one's end."""
    course = course_codes(portfolio)[in_sequence(portfolio)]
    return np.searchsorted(course, np.arange(len(portfolio.courses) + 1))


def course_slice(portfolio: Portfolio, course_id: str) -> slice:
    """The rows of a course in :func:`in_sequence` order, which keeps them together; an
    unknown id raises ``UnknownCourseError``."""
    i = course_position(portfolio, course_id)
    bounds = _course_bounds(portfolio)
    return slice(int(bounds[i]), int(bounds[i + 1]))


@cached
def activity_rows(portfolio: Portfolio) -> RowIndex:
    """Where each course's activities are in ``portfolio.activities``."""
    return RowIndex(portfolio.activities["course_id"])


# --------------------------------------------------------------------------- cut per course
def _cells(grid: pd.DataFrame) -> np.ndarray:
    """A timing × direction grid's activities and minutes as an array shaped (grids,
    timings, directions, 2)."""
    shape = [len(grid[c].cat.categories) for c in ("timing", "direction")]
    return grid[["activities", "minutes"]].to_numpy(dtype="int64").reshape(-1, *shape, 2)


def _count_cells(portfolio: Portfolio) -> np.ndarray:
    """:func:`_cells` of ``timing_direction_matrix(portfolio, by="course")``, counted
    directly (no grid frame): shaped (courses, timings, directions, 2)."""
    a = portfolio.activities
    course = course_codes(portfolio)
    timing = vocab_categories(a["timing"], TIMINGS.values).codes.astype(np.int64)
    direction = vocab_categories(a["direction"], DIRECTIONS.values).codes.astype(np.int64)
    shape = (len(portfolio.courses), len(TIMINGS.values) + 1, len(DIRECTIONS.values) + 1)
    known = course >= 0  # as the grid, which has a row for the listed courses only
    cell = ((course * shape[1] + timing) * shape[2] + direction)[known]
    minutes = a["minutes"].fillna(0).to_numpy(dtype="int64")[known]
    size = int(np.prod(shape))
    counts = np.bincount(cell, minlength=size)
    sums = np.zeros(size, dtype=np.int64)
    np.add.at(sums, cell, minutes)
    return np.stack([counts.astype(np.int64), sums], axis=-1).reshape(*shape, 2)


_course_cells = cached(lambda p: _count_cells(p))


def matrix_cells(portfolio: Portfolio, course_id: str | None) -> np.ndarray:
    """Activities (``[..., 0]``) and minutes (``[..., 1]``) per timing × direction of one
    course, or of the whole portfolio; undecided is the last timing and direction."""
    if course_id is None:
        return _cells(timing_direction_matrix(portfolio, by="portfolio"))[0]
    return _course_cells(portfolio)[course_position(portfolio, course_id)]


_FIT = ["known", "serves_type", "serves_direction", "serves_timing", "blocked"]
_FIT += ["blocked_domains", "onboarding", "on_platform", "availability", "alternative", "fits"]


@memoized
def fit_table(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`socialkit.charts.course.tool_fit_data` of every course, but ``recommendations``:
    activities in course order, then ``seq``, with their ``course_id`` first."""
    a = portfolio.activities.iloc[in_sequence(portfolio)]
    base = a[["course_id", "activity_id", "seq", "title", "tool", "tool_type", "direction"]]
    fit = tool_fit(portfolio)[["course_id", "activity_id", *_FIT]]
    out = base.merge(fit, on=["course_id", "activity_id"], how="left")
    flags = ["known", "serves_type", "serves_direction", "serves_timing", "blocked"]
    flags += ["on_platform", "fits"]
    return out.astype(dict.fromkeys(flags, "boolean"))


fit_rows = cached(lambda p: RowIndex(fit_table(p)["course_id"]))


def course_fit(portfolio: Portfolio, course_id: str, top: int) -> pd.DataFrame:
    """The course's rows of :func:`fit_table` and their ``recommendations`` (see
    :func:`socialkit.charts.course.tool_fit_data`), on a fresh RangeIndex."""
    course_title(portfolio, course_id)
    rows = fit_rows(portfolio).positions(course_id)
    out = fit_rows(portfolio).take(fit_table(portfolio), course_id).reset_index(drop=True)
    joined = joined_recommendations(portfolio, top)[in_sequence(portfolio)[rows]]
    return out.assign(recommendations=pd.array(joined, dtype="str"))


# --------------------------------------------------------------------------- figures
@functools.cache
def colorscale(name: str) -> list:
    """A named colour scale as validation spells it out: ``[[0.0, "rgb(…)"], …]``."""
    return go.Heatmap(colorscale=name).to_plotly_json()["colorscale"]


#: Characters a title line holds before it wraps: it fits a chart 600 px wide.
TITLE_WIDTH = 60
_ENTITY = re.compile(r"&#?\w+;")


def wrap(text: str, width: int = TITLE_WIDTH) -> str:
    """Chart text broken into balanced lines of at most about ``width`` characters, at
    spaces (``<br>``): as few lines as ``width`` allows, about as long as each other.

    An escaped character (an entity such as ``&lt;``) counts as one; a word longer
    than a line stands on a line of its own. Entities hold no space, so no break
    ever splits one.
    """
    words = text.split(" ")
    sizes = [len(_ENTITY.sub("x", word)) for word in words]
    total = sum(sizes) + len(words) - 1
    if total <= width:
        return text
    lines = math.ceil(total / width)
    for target in range(math.ceil(total / lines), width + 1):
        broken = _greedy(words, sizes, target)
        if len(broken) <= lines:
            return "<br>".join(broken)
    return "<br>".join(_greedy(words, sizes, width))


def _greedy(words: list[str], sizes: list[int], width: int) -> list[str]:
    """Words filled into lines of at most ``width`` characters, one line after another."""
    lines: list[str] = []
    line, used = "", 0
    for word, size in zip(words, sizes, strict=True):
        if line and used + 1 + size > width:
            lines.append(line)
            line, used = word, size
        else:
            line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
    lines.append(line)
    return lines


def title(text: str) -> dict:
    """A figure title, flush left, wrapped (see :func:`wrap`) so that it is never cut at
    the chart's edge; ``text`` is chart text (user text in it escaped)."""
    return {"text": wrap(text), "x": 0.0}


_validated_template: list = [None, None]  # the registered template, and its validated JSON


def _template() -> dict:
    """:data:`TEMPLATE` as validation spells it out, a fresh copy on each call; worked out
    again only if replaced."""
    registered = pio.templates[TEMPLATE]
    if _validated_template[0] is not registered:
        validated = go.Layout(template=registered).to_plotly_json()["template"]
        # pickled once: unpickling copies its nested dicts and lists several times
        # faster than a deep copy does
        _validated_template[:] = [registered, pickle.dumps(validated, pickle.HIGHEST_PROTOCOL)]
    return pickle.loads(_validated_template[1])


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from trace and layout dicts written in the form plotly's validation gives.

    Validating costs far more than a small chart (the template alone takes about
    10 ms), so the figure is built unvalidated: :data:`TEMPLATE` spelt out first in the
    layout, then the other layout keys in the given order, which is what building it
    step by step with validation gives (the tests check that validating the result
    changes nothing). Validation is switched back on for any later change.

    Parameters
    ----------
    traces : list of dict
        One dict per trace, with its ``type``; nested objects (``marker``, ``title``…)
        as dicts, keys in plotly's order, arrays as lists.
    layout : dict
        Layout properties but the template, in the order they should appear.
    """
    # an empty template holds the template's place: plotly would deep-copy one given here
    # (and put in its default one were there none); the figure gets its own copy instead
    fig = unvalidated_figure(traces, {"template": {}})
    fig.layout["template"] = _template()
    for key, value in layout.items():
        fig.layout[key] = copy.deepcopy(value)  # the figure's own, as validation would copy
    validate_from_now(fig)
    return fig


def figure_json(traces: list[dict], layout: dict) -> dict:
    """``{"data": ..., "layout": ...}`` of ``figure(traces, layout)`` as plotly encodes it
    to JSON (numbers, lists and ``None`` for NaN), without building the figure.

    For a caller that sends the figure on at once, as the design editor does after each
    change: building the figure object costs more than the chart's own work. Encoded
    from the same dicts, in the same order as :func:`figure` lays them out (the template
    first), it is what encoding that figure's own dicts gives.
    """
    spec = {"data": traces, "layout": {"template": _template(), **layout}}
    return json.loads(pio.json.to_json_plotly(spec))
