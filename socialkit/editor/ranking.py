"""One activity's tool ranking in the design editor, remembered per catalog.

The live view of a course (:mod:`socialkit.editor.live`) is rebuilt after every edit;
the ranking of the activity being edited depends only on the catalog and five of its
values, so it is worked out on a view of that activity alone and kept.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict

import numpy as np
import pandas as pd

from socialkit.analysis.tool_fit import recommend_tools, top_recommendations
from socialkit.base.frames import per_identity
from socialkit.contract.schema import Portfolio

__all__ = ["activity_ranking", "activity_view"]


def activity_view(portfolio: Portfolio, activity_id: str) -> Portfolio:
    """The portfolio with one activity only, for ranking that activity's tools.

    A tool ranking depends only on the activity's own organisation, tool type,
    direction, timing and chosen tool, so ranking it alone gives the same rows as
    ranking the whole course, for a fraction of the cost (the other activities'
    advantages are not worded). The catalog frames are the same objects.
    """
    a = portfolio.activities
    mine = a[a["activity_id"].eq(activity_id).to_numpy(dtype=bool, na_value=False)]
    return Portfolio(
        portfolio.courses,
        portfolio.objectives,
        mine.reset_index(drop=True),
        portfolio.tools,
        portfolio.organisations,
        source=portfolio.source,
    )


def _view_of_row(portfolio: Portfolio, at: int) -> Portfolio:
    """:func:`activity_view` of the activity at position ``at``, the only one with its id:
    its row as a slice of the activities, which shares their cells instead of copying
    every column (copy-on-write keeps both as they are)."""
    return Portfolio(
        portfolio.courses,
        portfolio.objectives,
        portfolio.activities.iloc[at : at + 1].reset_index(drop=True),
        portfolio.tools,
        portfolio.organisations,
        source=portfolio.source,
    )


#: What one activity's ranking depends on, besides the catalog.
_RANKED_BY = ("organisation", "tool_type", "direction", "timing", "tool")
#: How many rankings the editor remembers per catalog (each a few rows).
_RANKINGS_KEPT = 1024
# A ranking is kept pickled: as a frame, each of its few rows' columns is a handful of
# objects the garbage collector walks (about 135 a ranking, 140,000 for a full memory,
# which would make each full collection in an update cost more than the update); as
# bytes, none. Unpickling gives a fresh frame, as the copy it replaces did (0.1 ms more).
_PICKLE = pickle.HIGHEST_PROTOCOL


@per_identity
def _rankings(tools: pd.DataFrame, organisations: pd.DataFrame) -> OrderedDict:
    """The rankings worked out for a catalog, most recently used last (see
    :func:`activity_ranking`); an entry holds no reference to the catalog's frames."""
    return OrderedDict()


def activity_ranking(portfolio: Portfolio, activity_id: str, *, top: int) -> pd.DataFrame:
    """``recommend_tools(activity_view(portfolio, activity_id), top=top)``, remembered.

    The ranking of one activity depends only on the catalog and the activity's own
    organisation, tool type, direction, timing and tool (see :func:`activity_view`), so
    it is remembered per catalog (``tools`` and ``organisations``, the same objects in
    every live view) and per those five values; another activity, or the same one
    edited back, with the same values gets the same rows under its own ``course_id`` and
    ``activity_id``.

    Parameters
    ----------
    portfolio : Portfolio
        A course's live view (see :func:`course_view`).
    activity_id : str
        The activity to rank; an id held by several activities is ranked afresh.
    top : int
        How many candidates to keep.

    Returns
    -------
    pandas.DataFrame
        As :func:`~socialkit.analysis.tool_fit.recommend_tools` returns it.
    """
    a = portfolio.activities
    at = np.flatnonzero(a["activity_id"].eq(activity_id).to_numpy(dtype=bool, na_value=False))
    if len(at) != 1:
        return recommend_tools(activity_view(portfolio, activity_id), top=top)
    row = a.iloc[at[0]]
    key = (top, *(row[c] if isinstance(row[c], str) else None for c in _RANKED_BY))
    memory = _rankings(portfolio.tools, portfolio.organisations)
    kept = memory.get(key)
    if kept is None:
        # a view made for this ranking only: built with the top rows, not cut from all
        mine = top_recommendations(_view_of_row(portfolio, int(at[0])), top=top)
        memory[key] = pickle.dumps(mine, protocol=_PICKLE)
        if len(memory) > _RANKINGS_KEPT:
            memory.popitem(last=False)
    else:
        memory.move_to_end(key)
        mine = pickle.loads(kept)
    if len(mine):
        mine["course_id"] = a["course_id"].array[at.repeat(len(mine))]
        mine["activity_id"] = a["activity_id"].array[at.repeat(len(mine))]
    return mine
