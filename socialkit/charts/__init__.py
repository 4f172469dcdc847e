"""Charts: a pure data function and a thin plotly builder for each view of a course
(:mod:`socialkit.charts.course`), of a portfolio (:mod:`socialkit.charts.portfolio`) and
of how courses were delivered (:mod:`socialkit.charts.delivery`, from the delivery summary),
on a shared base (:mod:`socialkit.charts.base`). Builders return figures; they never
show them.

The course charts are importable from here, as they were when ``socialkit.charts`` was
one module.
"""

from socialkit.charts import course as _course
from socialkit.charts.course import (
    CHECK_COLOURS,
    DIRECTION_COLOURS,
    LEARNING_TYPE_COLOURS,
    TEMPLATE,
    TIMING_COLOURS,
    UNSPECIFIED,
    learning_mix_data,
    learning_mix_figure,
    matrix_data,
    matrix_figure,
    swimlane_data,
    swimlane_figure,
    tool_fit_data,
    tool_fit_figure,
)

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


def __getattr__(name: str) -> object:
    # any other name the one module had (a user's notebook may use one)
    try:
        return getattr(_course, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
