"""The timing x direction grid of a portfolio's activities, and how much happens outside class.

Pure functions over the whole portfolio at once (vectorised: no Python loop over courses
or activities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.positions import activity_courses
from socialkit.analysis.tally import grid_counts, outside_counts
from socialkit.base.frames import isin_codes, memoized
from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import DIRECTIONS, TIMINGS

__all__ = ["UNDECIDED", "outside_class_share", "timing_direction_matrix", "vocab_categories"]

#: Label of a timing or direction that is not decided yet.
UNDECIDED = "undecided"


def vocab_categories(values: pd.Series, allowed: tuple[str, ...]) -> pd.Categorical:
    """Canonical values as an ordered categorical whose last category is ``undecided``.

    Parameters
    ----------
    values : pandas.Series
        A decision column (``timing``, ``direction``), canonical or missing.
    allowed : tuple of str
        The vocabulary's values, in order.

    Returns
    -------
    pandas.Categorical
        Ordered, with the categories ``allowed`` then ``"undecided"``, which holds every
        value not in ``allowed`` (missing ones included).
    """
    categories = [*allowed, UNDECIDED]
    codes = isin_codes(values, list(allowed))
    codes[codes < 0] = len(allowed)
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def timing_direction_matrix(portfolio: Portfolio, *, by: str = "course") -> pd.DataFrame:
    """Count activities and minutes in each timing × direction cell.

    Parameters
    ----------
    portfolio : Portfolio
    by : {"course", "portfolio"}, default "course"
        One grid per course, or one grid for the whole portfolio.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id`` (only with ``by="course"``), ``timing``, ``direction``,
        ``activities`` and ``minutes`` (sum of known minutes). Every cell of the grid is
        present, zeros included; ``timing`` and ``direction`` are ordered categoricals
        whose last category, ``"undecided"``, holds activities not decided yet. By
        course, the courses come in file order, each with its whole grid in turn.
    """
    if by not in ("course", "portfolio"):
        raise ValueError(f"by must be 'course' or 'portfolio', not {by!r}")
    return _course_matrix(portfolio) if by == "course" else _portfolio_matrix(portfolio)


def _matrix(portfolio: Portfolio, keys: list[str]) -> pd.DataFrame:
    a = portfolio.activities
    by_course = "course_id" in keys
    return grid_counts(
        vocab_categories(a["timing"], TIMINGS.values),
        vocab_categories(a["direction"], DIRECTIONS.values),
        a["minutes"],
        courses=(activity_courses(portfolio), portfolio.course_ids) if by_course else None,
    )


_course_matrix = memoized(lambda p: _matrix(p, ["course_id", "timing", "direction"]))
_portfolio_matrix = memoized(lambda p: _matrix(p, ["timing", "direction"]))


def outside_class_share(portfolio: Portfolio) -> pd.DataFrame:
    """Share of each course's activities and minutes placed before or after class.

    Returns
    -------
    pandas.DataFrame
        One row per course: ``course_id``, ``activities``, ``outside`` (before or after),
        ``during``, ``undecided``, ``share_outside`` (``outside / activities``; undecided
        activities count as not outside), ``minutes``, ``minutes_outside`` and
        ``share_minutes_outside`` (of the known minutes). Shares are missing where the
        denominator is zero.
    """
    out = outside_counts(portfolio.activities, activity_courses(portfolio), portfolio.course_ids)
    out["share_outside"] = (out["outside"] / out["activities"].replace(0, np.nan)).astype("Float64")
    out["share_minutes_outside"] = (
        out["minutes_outside"] / out["minutes"].replace(0, np.nan)
    ).astype("Float64")
    cols = [
        "course_id",
        "activities",
        "outside",
        "during",
        "undecided",
        "share_outside",
        "minutes",
        "minutes_outside",
        "share_minutes_outside",
    ]
    return out[cols]
