"""Showing socialkit results inside a notebook, the same way in JupyterLab and in reports.

The report notebooks call :func:`setup` once. It registers the plotly renderer
``"socialkit"``, whose output carries both plotly's own mime type (drawn by JupyterLab)
and a ``text/html`` fragment that only *uses* plotly.js (drawn in an exported HTML page
that loads plotly.js once, from a local file). Figure element ids are numbered per
notebook run, so a report is the same byte for byte whichever kernel made it.

:func:`load` reads a portfolio through a small cache keyed on the files' identity (path,
size, modification time), so a kernel that makes many reports reads and validates the
portfolio once; an edited file is read again. :func:`cached` and :func:`for_course` keep
whole-portfolio analyses per portfolio object and hand out one course's rows cheaply;
:func:`course_delivery` does the same for the delivery analysis (statements read once).

The HTML fragment builders of :mod:`socialkit.base.fragments` (every piece of user text
escaped) are re-exported here, so a notebook needs this one import.
"""

from __future__ import annotations

import operator
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from socialkit.base.fragments import (
    BADGE_KINDS,
    UNDECIDED_TEXT,
    Fragment,
    badge,
    bullets,
    decided,
    escape,
    group,
    header,
    is_blank,
    join,
    link,
    muted,
    note,
    show,
    stacked,
    stats,
    table,
)
from socialkit.base.frames import RowIndex
from socialkit.contract.io import load_portfolio, sample_path
from socialkit.contract.schema import Portfolio
from socialkit.reports.delivery_view import (
    DELIVERY_WARNINGS,
    CourseDelivery,
    course_delivery,
    delivery_by_course,
    local_time,
)
from socialkit.reports.export import PLOTLYJS_METADATA, is_plotlyjs_output

__all__ = [
    "BADGE_KINDS",
    "DELIVERY_WARNINGS",
    "PLOTLYJS_METADATA",
    "RENDERER",
    "UNDECIDED_TEXT",
    "CourseDelivery",
    "Fragment",
    "badge",
    "bullets",
    "cached",
    "course_delivery",
    "decided",
    "delivery_by_course",
    "escape",
    "figure_html",
    "for_course",
    "group",
    "header",
    "is_blank",
    "is_plotlyjs_output",
    "join",
    "link",
    "load",
    "local_time",
    "muted",
    "note",
    "reset",
    "setup",
    "show",
    "stacked",
    "stats",
    "table",
]

#: Name of the plotly renderer registered by :func:`setup`.
RENDERER = "socialkit"
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
_counter = {"figure": 0}
_cache: dict[str, tuple[tuple, Portfolio]] = {}


# --------------------------------------------------------------------------- figures
def figure_html(fig_dict: dict) -> str:
    """Return an HTML fragment drawing a figure with an already loaded plotly.js.

    Parameters
    ----------
    fig_dict : dict
        A plotly figure as a dict (``fig.to_dict()``).

    Returns
    -------
    str
        A ``<div>`` and a ``<script>`` calling ``Plotly.newPlot``; the div id is
        ``sk-figure-N`` for the N-th figure since the last :func:`reset`.
    """
    _counter["figure"] += 1
    return pio.to_html(
        fig_dict,
        include_plotlyjs=False,
        full_html=False,
        div_id=f"sk-figure-{_counter['figure']}",
        config=_PLOTLY_CONFIG,
        validate=False,
    )


class _ReportRenderer(MimetypeRenderer):
    """plotly's mime type for JupyterLab plus a plotly.js-free HTML fragment for pages."""

    def to_mimebundle(self, fig_dict: dict) -> dict:
        return {
            "application/vnd.plotly.v1+json": {
                "data": fig_dict.get("data", []),
                "layout": fig_dict.get("layout", {}),
                "config": _PLOTLY_CONFIG,
            },
            "text/html": figure_html(fig_dict),
        }


def reset() -> None:
    """Number figures from 1 again (called between two reports in one kernel)."""
    _counter["figure"] = 0


def setup(*, plotlyjs: bool = True) -> None:
    """Make ``"socialkit"`` the default plotly renderer and number figures from 1.

    Parameters
    ----------
    plotlyjs : bool, default True
        In a notebook, also output plotly.js itself, once, as this cell's output, so
        that the notebook exported to HTML (nbconvert, JupyterLab's "Export as HTML")
        draws every chart with no network. It adds some 5 MB to the saved notebook, as
        plotly's own ``"notebook"`` renderer does. socialkit's report notebooks pass
        False (their pages load one shared ``plotly.min.js``); in any report notebook,
        the report pages leave this output out.
    """
    pio.renderers[RENDERER] = _ReportRenderer()
    pio.renderers.default = RENDERER
    reset()
    if plotlyjs:
        _output_plotlyjs()


def _output_plotlyjs() -> None:
    """Display plotly.js as HTML, once, when running in a kernel (a no-op elsewhere)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel (a dependency) brings IPython
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return  # a plain Python process or a terminal IPython: nothing exports its output
    from IPython.display import display
    from plotly.offline import get_plotlyjs

    # the same two scripts as plotly's "notebook" renderer: its configuration, then the
    # library, which defines window.Plotly for every figure's fragment after it
    html = (
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f"<script>{get_plotlyjs()}</script>"
    )
    display({"text/html": html}, raw=True, metadata=PLOTLYJS_METADATA)


# --------------------------------------------------------------------------- loading
def _identity(path: Path) -> tuple:
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    return tuple((f.name, *_stat(f)) for f in files)


def _stat(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def load(path: str | os.PathLike[str] | None = None) -> Portfolio:
    """Load a portfolio's valid courses, reusing the last load of the same unchanged files.

    The portfolio is loaded partially (``load_portfolio(path, partial=True)``): a course
    that breaks the data contract is left out, with its issues in
    :attr:`Portfolio.invalid <socialkit.contract.schema.Portfolio.invalid>`, so that the other
    courses' reports can still be made; ``portfolio.select(course_id)`` of a left-out
    course raises :class:`~socialkit.errors.InvalidCourseError` listing its issues.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or an ``.xlsx`` workbook; the bundled sample when omitted or empty.

    Returns
    -------
    Portfolio
        The same object as the last call when no file under ``path`` changed.

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        As :func:`socialkit.contract.io.load_portfolio`.
    ValidationError
        When an issue concerns the whole portfolio.
    """
    path = Path(path) if path else sample_path()
    key = str(path.resolve())
    try:
        identity = _identity(path)
    except OSError:
        return load_portfolio(path, partial=True)  # let the loader say what is wrong
    hit = _cache.get(key)
    if hit is not None and hit[0] == identity:
        return hit[1]
    portfolio = load_portfolio(path, partial=True)
    _cache.clear()
    _cache[key] = (identity, portfolio)
    return portfolio


# --------------------------------------------------------------------------- per-course views
_results: weakref.WeakKeyDictionary[Portfolio, dict[Any, Any]] = weakref.WeakKeyDictionary()


def cached(func: Callable[[Portfolio], pd.DataFrame], portfolio: Portfolio) -> pd.DataFrame:
    """``func(portfolio)``, computed once per portfolio object and function.

    Parameters
    ----------
    func : callable
        A module-level analysis taking only the portfolio, such as
        :func:`socialkit.analysis.tool_fit.recommend_tools` (a new lambda each time is never
        reused).
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        A shallow copy of the remembered result; entries go with the portfolio.
    """
    store = _results.setdefault(portfolio, {})
    if func not in store:
        store[func] = func(portfolio)
    return store[func].copy(deep=False)


def for_course(
    portfolio: Portfolio, course_id: str, source: str | Callable[[Portfolio], pd.DataFrame]
) -> pd.DataFrame:
    """One course's rows of a portfolio table or of a whole-portfolio analysis.

    The table or analysis is computed once per portfolio object and indexed by
    ``course_id``, so asking for course after course costs only the course's rows.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str
    source : str or callable
        A table name (``"courses"``, ``"objectives"``, ``"activities"``) or, as for
        :func:`cached`, a function of the portfolio returning a ``course_id`` column.

    Returns
    -------
    pandas.DataFrame
        The course's rows in the source's order, on a fresh ``RangeIndex`` (no rows for
        a course id the source does not hold). A string naming no course table raises
        ``ValueError``.
    """
    if isinstance(source, str):
        if source not in ("courses", "objectives", "activities"):
            raise ValueError(f"unknown table {source!r}: use courses, objectives or activities")
        key: Any = ("table", source)
        source = operator.attrgetter(source)
    else:
        key = source
    store = _results.setdefault(portfolio, {})
    entry = store.get(("rows", key))
    if entry is None:
        frame = source(portfolio)
        entry = store[("rows", key)] = (frame, RowIndex(frame["course_id"]))
    frame, index = entry
    return index.take(frame, course_id).reset_index(drop=True)
