"""Tools a course's activities name that the catalog does not know: the uses behind the
``unknown-tool`` warning, with the closest catalog names."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from socialkit.analysis.positions import activity_courses
from socialkit.analysis.tool_use import named_tools
from socialkit.base.frames import per_identity
from socialkit.base.lookup import isin
from socialkit.contract.schema import Portfolio
from socialkit.contract.tool_names import closest_tools_of
from socialkit.contract.vocab import match_key

__all__ = ["unknown_tool_uses"]

#: Activities tables up to this long (one course's) are looked up in a set of names.
_FEW = 500
_USES_COLUMNS = ["course_id", "activity_id", "seq", "title", "tool", "uses", "closest"]


@functools.cache
def _no_uses() -> pd.DataFrame:
    """:func:`unknown_tool_uses` without rows, made once (a frame costs more to build than
    to copy)."""
    # built from empty arrays: empty Series would first be aligned on their indexes
    columns = {c: pd.array([], dtype="str") for c in _USES_COLUMNS}
    columns["seq"] = np.empty(0, np.int64)
    return pd.DataFrame(columns, index=pd.RangeIndex(0))


@per_identity
def _catalog_names(tools: pd.DataFrame) -> frozenset[str]:
    """The tool names of a catalog, worked out once per ``tools`` frame."""
    return frozenset(t for t in tools["tool"].tolist() if isinstance(t, str))


def _unknown(portfolio: Portfolio) -> np.ndarray:
    """Which activities name a tool the catalog does not know."""
    a, named = portfolio.activities, named_tools(portfolio)
    if len(a) > _FEW:
        return named & ~isin(a["tool"], portfolio.tools["tool"]).to_numpy()
    # one course's few names are looked up in a set of the catalog's names, made once per
    # catalog: a pandas isin builds a hash table of the names on every call
    known = _catalog_names(portfolio.tools)
    return named & ~np.array([t in known for t in a["tool"].tolist()], dtype=bool)


def unknown_tool_uses(portfolio: Portfolio) -> pd.DataFrame:
    """Each tool a course's activities name that the catalog does not know, once per course.

    Names that match alike (case, spaces, ``_`` and ``-``) are one tool, spelt as its
    first use writes it.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per (course, unknown tool), in course order then by the ``seq`` of its
        first use: ``course_id``; ``activity_id``, ``seq`` and ``title`` of the first
        activity (by ``seq``) that uses it; ``tool`` as written there; ``uses``, every
        activity of the course that uses it (``activity 'a3' ("Title")``, or ``activities
        'a3' ("Title"), 'a5' ("Other")``, by ``seq``); ``closest``, the closest catalog
        tools (:func:`~socialkit.contract.tool_names.closest_tools`), ``", "``-joined, or missing
        when none is close.
    """
    a = portfolio.activities
    unknown = _unknown(portfolio)
    if not unknown.any():  # the common case: a copy of the frame without rows
        return _no_uses().copy()
    u = a.loc[unknown, ["course_id", "activity_id", "seq", "title", "tool"]]
    u = u.assign(
        _course=activity_courses(portfolio)[unknown],  # found once per portfolio
        _key=match_key(u["tool"]),
        _label="'" + u["activity_id"] + "' (\"" + u["title"] + '")',
    ).sort_values(["_course", "seq"], kind="stable")
    groups = u.groupby(["_course", "_key"], sort=False)["_label"]
    joined = groups.agg(", ".join)
    many = groups.size().to_numpy() > 1
    first = u.drop_duplicates(["_course", "_key"]).reset_index(drop=True)
    # groupby(sort=False) keeps the order of first appearance, as drop_duplicates does
    words = pd.Series(["activities " if m else "activity " for m in many], dtype="str")
    closest = closest_tools_of(first["tool"], portfolio.tools)
    return pd.DataFrame(
        {
            "course_id": first["course_id"],
            "activity_id": first["activity_id"],
            "seq": first["seq"].astype("int64"),
            "title": first["title"],
            "tool": first["tool"],
            "uses": words + pd.Series(joined.to_numpy(), dtype="str"),
            "closest": pd.Series(
                [", ".join(closest[t]) or None for t in first["tool"]], dtype="str"
            ),
        }
    )
