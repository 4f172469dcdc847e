"""Whether an activity uses a tool: the one definition every analysis, page and editor counts.

An activity's ``tool`` is blank while the tool is not decided, ``none`` when the activity
needs no tool (validation writes it so, whatever its case), and otherwise a tool's name,
known to the catalog or not. A name such as ``TBD`` is a placeholder for a tool not
decided yet.
"""

from __future__ import annotations

import pandas as pd

from socialkit.base.lookup import isin
from socialkit.contract.tool_names import is_placeholder

__all__ = ["NO_TOOL", "names_tool", "uses_tool"]

#: The ``tool`` of an activity that needs no tool.
NO_TOOL = "none"


def names_tool(activities: pd.DataFrame) -> pd.Series:
    """Which activities name a tool: ``tool`` neither blank nor ``none``.

    Placeholders such as ``TBD`` count: the tool fit has a row for them and the
    ``unknown-tool`` warning names them. :func:`uses_tool` leaves them out.
    """
    tool = activities["tool"]
    return tool.notna() & tool.ne(NO_TOOL)


def uses_tool(activities: pd.DataFrame) -> pd.Series:
    """Which activities use a tool: a tool named, not ``none``, known to the catalog or not,
    but not a placeholder such as ``TBD`` (see
    :func:`socialkit.contract.tool_names.is_placeholder`).

    These are the activities whose learner benefit the checklist (question 6), the
    ``no-benefit`` warning, the reports and the editor count.
    """
    tool = activities["tool"]
    named = names_tool(activities)
    distinct = tool[named].unique()
    placeholders = [t for t in distinct if is_placeholder(t)]
    return named & ~isin(tool, placeholders) if placeholders else named
