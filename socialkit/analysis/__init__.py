"""Analysis of valid portfolios: the six questions as a checklist, sequence and
flipped-classroom checks, strategic warnings, tool fit and ranked recommendations.

Pure functions: tidy DataFrames in, tidy DataFrames out, over the whole portfolio at
once. The checks of :mod:`socialkit.analysis.checks` are importable from here, as they
were when ``socialkit.analysis`` was one module.
"""

from socialkit.analysis import checks as _checks
from socialkit.analysis.checks import (
    QUESTIONS,
    UNDECIDED,
    benefit_counts,
    checklist,
    checklist_gaps,
    checklist_scores,
    course_summary,
    flipped_candidates,
    gap_lists,
    outside_class_share,
    sequence_check,
    timing_direction_matrix,
    uses_tool,
)

__all__ = [
    "QUESTIONS",
    "UNDECIDED",
    "benefit_counts",
    "checklist",
    "checklist_gaps",
    "checklist_scores",
    "course_summary",
    "flipped_candidates",
    "gap_lists",
    "outside_class_share",
    "sequence_check",
    "timing_direction_matrix",
    "uses_tool",
]


def __getattr__(name: str) -> object:
    # any other name the one module had (a user's notebook may use one)
    try:
        return getattr(_checks, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
