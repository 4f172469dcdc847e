"""Whether an activity uses a tool: the one definition every analysis, page and editor counts.

An activity's ``tool`` is blank while the tool is not decided, ``none`` when the activity
needs no tool (validation writes it so, whatever its case), and otherwise a tool's name,
known to the catalog or not. A name such as ``TBD`` is a placeholder for a tool not
decided yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.base.frames import cached
from socialkit.base.lookup import isin
from socialkit.contract.schema import Portfolio
from socialkit.contract.tool_names import is_placeholder

__all__ = ["NO_TOOL", "named_tools", "names_tool", "used_tools", "uses_tool"]

#: The ``tool`` of an activity that needs no tool.
NO_TOOL = "none"


def _names(tool: pd.Series) -> np.ndarray:
    """:func:`names_tool` of a ``tool`` column, as a numpy array."""
    # worked out on the column's array: each operation on a Series builds another Series,
    # which on one course's few rows costs more than the comparison itself
    values = tool.array
    differs = values != NO_TOOL
    if not isinstance(differs, np.ndarray):  # a pandas array (object or nullable columns)
        differs = differs.to_numpy(dtype=bool, na_value=False)
    return ~np.asarray(values.isna(), dtype=bool) & differs


def _placeholders(tool: pd.Series, named: np.ndarray) -> list[str]:
    """The distinct named tools that are placeholders, in order of first use."""
    return [t for t in tool[named].unique() if is_placeholder(t)]


def names_tool(activities: pd.DataFrame) -> pd.Series:
    """Which activities name a tool: ``tool`` neither blank nor ``none``.

    Placeholders such as ``TBD`` count: the tool fit has a row for them and the
    ``unknown-tool`` warning names them. :func:`uses_tool` leaves them out.
    """
    tool = activities["tool"]
    return pd.Series(_names(tool), index=tool.index, name=tool.name)


def uses_tool(activities: pd.DataFrame) -> pd.Series:
    """Which activities use a tool: a tool named, not ``none``, known to the catalog or not,
    but not a placeholder such as ``TBD`` (see
    :func:`socialkit.contract.tool_names.is_placeholder`).

    These are the activities whose learner benefit the checklist (question 6), the
    ``no-benefit`` warning, the reports and the editor count.
    """
    tool = activities["tool"]
    named = names_tool(activities)
    placeholders = _placeholders(tool, named.to_numpy())
    return named & ~isin(tool, placeholders) if placeholders else named


@cached
def named_tools(portfolio: Portfolio) -> np.ndarray:
    """:func:`names_tool` of the portfolio's activities as a read-only numpy array,
    worked out once per portfolio (several analyses ask for it)."""
    named = _names(portfolio.activities["tool"])
    named.flags.writeable = False  # shared by every caller
    return named


@cached
def used_tools(portfolio: Portfolio) -> np.ndarray:
    """:func:`uses_tool` of the portfolio's activities as a read-only numpy array,
    worked out once per portfolio."""
    tool, named = portfolio.activities["tool"], named_tools(portfolio)
    placeholders = _placeholders(tool, named)
    used = named & ~isin(tool, placeholders).to_numpy() if placeholders else named.copy()
    used.flags.writeable = False  # shared by every caller
    return used
