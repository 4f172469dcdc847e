"""The colours and category orders every chart shares: one colour per direction, timing
and learning type, the same on every figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.matrix import UNDECIDED
from socialkit.contract.vocab import DIRECTIONS, LEARNING_TYPES, TIMINGS

__all__ = [
    "CHECK_COLOURS",
    "DASH",
    "DIRECTION_COLOURS",
    "DIRECTION_ORDER",
    "GREY",
    "LEARNING_ORDER",
    "LEARNING_TYPE_COLOURS",
    "TIMING_COLOURS",
    "TIMING_ORDER",
    "UNSPECIFIED",
    "ordered_categories",
]

#: Label of an activity whose learning type is not given.
UNSPECIFIED = "unspecified"
#: The colour of what is undecided or unspecified.
GREY = "#999999"
#: The order of the timings on every chart, undecided last.
TIMING_ORDER = [*TIMINGS.values, UNDECIDED]
#: The order of the social directions, undecided last.
DIRECTION_ORDER = [*DIRECTIONS.values, UNDECIDED]
#: The order of the learning types (Laurillard's), unspecified last.
LEARNING_ORDER = [*LEARNING_TYPES.values, UNSPECIFIED]

#: One colour per social direction (Okabe-Ito, colour-blind safe); undecided is grey.
DIRECTION_COLOURS: dict[str, str] = dict(
    zip(DIRECTION_ORDER, ["#0072B2", "#E69F00", "#009E73", GREY], strict=True)
)
#: One colour per timing (Okabe-Ito); undecided is grey.
TIMING_COLOURS: dict[str, str] = dict(
    zip(TIMING_ORDER, ["#56B4E9", "#D55E00", "#CC79A7", GREY], strict=True)
)
#: One colour per Laurillard learning type, in Learning Designer's hues; unspecified grey.
LEARNING_TYPE_COLOURS: dict[str, str] = dict(
    zip(
        LEARNING_ORDER,
        "#E8716D #F4A340 #B48BD6 #6CC18B #5B9BD5 #E8C547 #C8C8C8".split(),
        strict=True,
    )
)
#: Checklist cells: a question answered (``ok``) or with gaps (``gap``); colour-blind safe.
CHECK_COLOURS: dict[str, str] = {"ok": "#009E73", "gap": "#D55E00"}

#: What a table cell shows for a value that is missing.
DASH = "—"


def ordered_categories(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """An ordered categorical of ``categories`` from each row's position in them."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories, ordered=True))
