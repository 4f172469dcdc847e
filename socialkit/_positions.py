"""Where each activity stands and what it combines, worked out once per portfolio.

Several analyses sort or group the activities by their course's place in
:attr:`~socialkit.schema.Portfolio.course_ids`, or work once per (organisation,
tool_type, direction, timing) combination; finding either means hashing string columns
of the whole activities table, which on a long table costs more than the work done with
them. Each is found once per portfolio object, here, as integer numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._catalog import KEYS
from ._frames import cached, factorize_rows, isin_codes
from .schema import Portfolio

__all__ = ["activity_courses", "combinations", "fit_rows"]


@cached
def activity_courses(portfolio: Portfolio) -> np.ndarray:
    """Each activity's course position in ``portfolio.course_ids`` (-1 if absent), read-only."""
    course = isin_codes(portfolio.activities["course_id"], portfolio.course_ids)
    course.flags.writeable = False  # shared by every caller
    return course


@cached
def combinations(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """Each activity's (organisation, tool_type, direction, timing) number, and the
    distinct ones (see :func:`~socialkit._frames.factorize_rows`)."""
    return factorize_rows(portfolio.activities[KEYS])


@cached
def fit_rows(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """The activities :func:`~socialkit.tools.tool_fit` has a row for (those naming a
    tool), in its order (course order, then ``seq``), and their course positions
    (read-only arrays)."""
    a = portfolio.activities
    rows = np.flatnonzero((a["tool"].notna() & a["tool"].ne("none")).to_numpy())
    course = activity_courses(portfolio)[rows]
    order = np.lexsort((a["seq"].to_numpy()[rows], course))  # course order, then seq
    rows, course = rows[order], course[order]
    rows.flags.writeable = course.flags.writeable = False  # shared by every caller
    return rows, course
