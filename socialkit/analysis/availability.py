"""How readily an organisation's learners can use a tool, and the method's priorities
after fit in one score: the parts of :mod:`socialkit.analysis.tool_fit` that ranking and fit
share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.catalog import AVAIL_RANK, KEY, NO_FRICTION, Catalog
from socialkit.contract.vocab import FRICTION

__all__ = ["access", "score"]


def access(frame: pd.DataFrame, cat: Catalog) -> pd.DataFrame:
    """How readily the organisation's learners can use each tool.

    ``frame`` holds ``organisation`` and ``tool`` and the tool's attributes (missing
    for a tool the catalog does not know). Returns ``on_platform``, ``availability``
    (see :data:`AVAILABILITY`), and the onboarding step and friction *for these
    learners*: none for a tool they already have (a platform, or a tool of a suite the
    organisation uses), the catalog's otherwise.
    """
    org, tool = frame["organisation"], frame["tool"]
    on_platform = (org + KEY + tool).isin(cat.platform_keys).to_numpy(dtype=bool)
    known = frame["known"].to_numpy(dtype=bool, na_value=False)
    in_suite = known & (org + KEY + frame["suite"].astype("str")).isin(cat.suite_keys).to_numpy(
        dtype=bool, na_value=False
    )
    external = known & frame["hosting"].ne("internal").to_numpy(dtype=bool, na_value=True)
    availability = np.select(
        [on_platform, in_suite, external, known],
        ["available", "in-suite", "external", "to-introduce"],
        default=None,
    ).astype(object)
    availability[availability == 0] = None  # np.select's default of an object array
    friction = frame["catalog_onboarding"].map(FRICTION).to_numpy(dtype="float64", na_value=np.nan)
    friction = np.where(on_platform | in_suite, 0.0, friction)
    steps = np.asarray(list(FRICTION), dtype=object)
    onboarding = np.where(np.isnan(friction), None, steps[np.nan_to_num(friction).astype(int)])
    return pd.DataFrame(
        {
            "on_platform": on_platform,
            "availability": pd.array(availability, dtype="str"),
            "onboarding": pd.array(onboarding, dtype="str"),
            "friction": pd.array(friction, dtype="Float64").astype("Int64"),
        },
        index=frame.index,
    )


def score(
    availability: pd.Series, friction: pd.Series, prefers: np.ndarray, internal: np.ndarray
) -> np.ndarray:
    """The method's priorities after fit in one number, higher is better: availability
    (20 a step), then the effort to start (4 a step), then the hosting preference (1)."""
    avail = availability.map(AVAIL_RANK).to_numpy(dtype="float64", na_value=2)
    effort = friction.to_numpy(dtype="float64", na_value=NO_FRICTION)
    return (20 * (2 - avail) + 4 * (NO_FRICTION - effort) + (prefers & internal | ~prefers)).astype(
        "int64"
    )
