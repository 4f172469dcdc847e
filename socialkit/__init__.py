"""socialkit: design social learning around the formal moment.

Model course designs as pandas DataFrames, check them against the data contract and
the strategic method (objective → activities in order → timing → direction → tool type
→ tool → learner benefit), and analyse whole portfolios at once.

Charts live in :mod:`socialkit.charts` and :mod:`socialkit.portfolio_charts` (they import
plotly, so they are not imported here).
"""

from importlib.metadata import PackageNotFoundError, version

from .advice import WARNING_CODES, strategic_warnings
from .analysis import (
    QUESTIONS,
    checklist,
    checklist_gaps,
    checklist_scores,
    course_summary,
    flipped_candidates,
    outside_class_share,
    sequence_check,
    timing_direction_matrix,
)
from .check import CheckResult, check_portfolio
from .errors import (
    NotebookNotFoundError,
    PortfolioNotFoundError,
    PortfolioReadError,
    PortfolioWriteError,
    SocialkitError,
    UnknownCourseError,
    ValidationError,
)
from .io import convert, load_portfolio, read_tables, sample_path, write_tables
from .schema import Portfolio
from .tools import blocked_pairs, recommend_tools, tool_fit
from .validation import validate

try:
    __version__ = version("socialkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "QUESTIONS",
    "WARNING_CODES",
    "CheckResult",
    "NotebookNotFoundError",
    "Portfolio",
    "PortfolioNotFoundError",
    "PortfolioReadError",
    "PortfolioWriteError",
    "SocialkitError",
    "UnknownCourseError",
    "ValidationError",
    "__version__",
    "blocked_pairs",
    "check_portfolio",
    "checklist",
    "checklist_gaps",
    "checklist_scores",
    "convert",
    "course_summary",
    "flipped_candidates",
    "load_portfolio",
    "outside_class_share",
    "read_tables",
    "recommend_tools",
    "sample_path",
    "sequence_check",
    "strategic_warnings",
    "timing_direction_matrix",
    "tool_fit",
    "validate",
    "write_tables",
]
