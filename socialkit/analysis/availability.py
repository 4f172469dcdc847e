"""How readily an organisation's learners can use a tool, and the method's priorities
after fit in one score: the parts of :mod:`socialkit.analysis.tool_fit` that ranking and fit
share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis._org_tools import AVAILABILITY_CODES
from socialkit.analysis.catalog import AVAIL_RANK, NO_FRICTION
from socialkit.contract.vocab import FRICTION

__all__ = ["access_columns", "score_of_codes"]


#: :data:`AVAIL_RANK` of each availability code of :data:`AVAILABILITY_CODES` (none
#: counts as the worst)
_RANK_OF_CODE = np.asarray([AVAIL_RANK.get(a, 2) for a in AVAILABILITY_CODES], dtype="float64")
_AVAILABILITY_WORDS = np.asarray(AVAILABILITY_CODES, dtype=object)
_STEPS = np.asarray(list(FRICTION), dtype=object)


def access_columns(found: dict[str, np.ndarray]) -> dict[str, pd.api.extensions.ExtensionArray]:
    """How readily the organisation's learners can use each tool, as columns:
    ``on_platform``, ``availability`` (see :data:`~socialkit.analysis.tool_fit.AVAILABILITY`),
    and the onboarding step and friction *for these learners*: none for a tool they
    already have (a platform, or a tool of a suite the organisation uses), the
    catalog's otherwise; from :meth:`~socialkit.analysis._org_tools.OrgTools.access`."""
    friction = found["friction"]
    onboarding = np.where(np.isnan(friction), None, _STEPS[np.nan_to_num(friction).astype(int)])
    return {
        "on_platform": found["on_platform"],
        "availability": pd.array(_AVAILABILITY_WORDS[found["availability"]], dtype="str"),
        "onboarding": pd.array(onboarding, dtype="str"),
        "friction": pd.array(friction, dtype="Float64").astype("Int64"),
    }


def score_of_codes(
    code: np.ndarray, friction: np.ndarray, prefers: np.ndarray, internal: np.ndarray
) -> np.ndarray:
    """The method's priorities after fit in one number, higher is better: availability
    (20 a step), then the effort to start (4 a step), then the hosting preference (1).

    From availability codes (:data:`~socialkit.analysis._org_tools.AVAILABILITY_CODES`)
    and frictions (NaN where unknown: counted as the worst, as is no availability)."""
    avail = _RANK_OF_CODE[code]
    effort = np.where(np.isnan(friction), NO_FRICTION, friction)
    return (20 * (2 - avail) + 4 * (NO_FRICTION - effort) + (prefers & internal | ~prefers)).astype(
        "int64"
    )
