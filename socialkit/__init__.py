"""socialkit: design social learning around the formal moment.

Model course designs as pandas DataFrames, check them against the data contract and
the strategic method (objective → activities in order → timing → direction → tool type
→ tool → learner benefit), and analyse whole portfolios at once.

Charts live in :mod:`socialkit.charts.course` and :mod:`socialkit.charts.portfolio` (they import
plotly, so they are not imported here).
"""

from importlib import import_module
from typing import TYPE_CHECKING

from socialkit._moved import MOVED, install

install()  # the former module paths (``socialkit.io``, ``socialkit.tools`` ...) still work

# Names are imported on first use (PEP 562), so that ``import socialkit.reports.kernels`` or the
# command line's start does not pay for pandas and plotly before it needs them.
_LAZY = {
    "analysis.advice": ["WARNING_CODES", "strategic_warnings"],
    "analysis.checks": [
        "QUESTIONS",
        "checklist",
        "checklist_gaps",
        "checklist_scores",
        "course_summary",
        "flipped_candidates",
        "outside_class_share",
        "sequence_check",
        "timing_direction_matrix",
    ],
    "analysis.check": ["CheckResult", "check_portfolio"],
    "delivery.realised": ["delivery_courses", "delivery_matrix", "delivery_summary"],
    "delivery.result": ["DeliveryResult", "analyse_delivery"],
    "delivery.statements": ["Statements", "read_statements"],
    "delivery.warnings": ["delivery_warnings"],
    "editor.draft": ["DesignDraft"],
    "errors": [
        "DesignChangedError",
        "DestinationNotEmptyError",
        "EditError",
        "InvalidCourseError",
        "NotebookNotFoundError",
        "NotebookReadError",
        "OutputFolderError",
        "PortfolioBusyError",
        "PortfolioNotFoundError",
        "PortfolioReadError",
        "PortfolioWriteError",
        "ReportWriteError",
        "SchedulerError",
        "SocialkitError",
        "UnknownCourseError",
        "ValidationError",
    ],
    "contract.io": ["convert", "load_portfolio", "read_tables", "sample_path", "write_tables"],
    "contract.tool_names": ["closest_tools"],
    "contract.schema": ["Portfolio"],
    "analysis.tool_fit": ["blocked_pairs", "recommend_tools", "tool_fit"],
    "contract.validation": ["validate"],
    "editor.widget": ["DesignEditor"],
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from socialkit.analysis.advice import WARNING_CODES, strategic_warnings
    from socialkit.analysis.check import CheckResult, check_portfolio
    from socialkit.analysis.checks import (
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
    from socialkit.analysis.tool_fit import blocked_pairs, recommend_tools, tool_fit
    from socialkit.contract.io import (
        convert,
        load_portfolio,
        read_tables,
        sample_path,
        write_tables,
    )
    from socialkit.contract.schema import Portfolio
    from socialkit.contract.tool_names import closest_tools
    from socialkit.contract.validation import validate
    from socialkit.delivery.realised import delivery_courses, delivery_matrix, delivery_summary
    from socialkit.delivery.result import DeliveryResult, analyse_delivery
    from socialkit.delivery.statements import Statements, read_statements
    from socialkit.delivery.warnings import delivery_warnings
    from socialkit.editor.draft import DesignDraft
    from socialkit.editor.widget import DesignEditor
    from socialkit.errors import (
        DesignChangedError,
        DestinationNotEmptyError,
        EditError,
        InvalidCourseError,
        NotebookNotFoundError,
        NotebookReadError,
        OutputFolderError,
        PortfolioBusyError,
        PortfolioNotFoundError,
        PortfolioReadError,
        PortfolioWriteError,
        ReportWriteError,
        SchedulerError,
        SocialkitError,
        UnknownCourseError,
        ValidationError,
    )


def _version() -> str:
    # importlib.metadata costs a command's start some 40 ms: looked up on first use
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("socialkit")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str) -> object:
    if name in MOVED:  # ``socialkit.tools`` and the like, where the module is now
        return import_module(MOVED[name])
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'socialkit' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "QUESTIONS",
    "WARNING_CODES",
    "CheckResult",
    "DeliveryResult",
    "DesignChangedError",
    "DesignDraft",
    "DesignEditor",
    "DestinationNotEmptyError",
    "EditError",
    "InvalidCourseError",
    "NotebookNotFoundError",
    "NotebookReadError",
    "OutputFolderError",
    "Portfolio",
    "PortfolioBusyError",
    "PortfolioNotFoundError",
    "PortfolioReadError",
    "PortfolioWriteError",
    "ReportWriteError",
    "SchedulerError",
    "SocialkitError",
    "Statements",
    "UnknownCourseError",
    "ValidationError",
    "__version__",
    "analyse_delivery",
    "blocked_pairs",
    "check_portfolio",
    "checklist",
    "checklist_gaps",
    "checklist_scores",
    "closest_tools",
    "convert",
    "course_summary",
    "delivery_courses",
    "delivery_matrix",
    "delivery_summary",
    "delivery_warnings",
    "flipped_candidates",
    "load_portfolio",
    "outside_class_share",
    "read_statements",
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
