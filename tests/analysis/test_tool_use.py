"""Whether an activity names a tool, and whether it uses one (placeholders left out)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from socialkit.analysis.tool_use import NO_TOOL, named_tools, names_tool, used_tools, uses_tool


def activities(*tools: str | None) -> pd.DataFrame:
    return pd.DataFrame({"tool": pd.array(list(tools), dtype="str")})


def test_a_blank_tool_and_none_name_no_tool_but_a_placeholder_does() -> None:
    a = activities("Teams", None, NO_TOOL, "TBD", "An unknown tool")
    assert names_tool(a).tolist() == [True, False, False, True, True]


def test_a_placeholder_is_not_a_tool_used() -> None:
    a = activities("Teams", None, NO_TOOL, "TBD", " n/a ", "An unknown tool")
    assert uses_tool(a).tolist() == [True, False, False, False, False, True]


def test_the_masks_keep_the_activities_index() -> None:
    a = activities("Teams", "TBD").set_axis([7, 9])
    assert names_tool(a).index.tolist() == [7, 9]
    assert uses_tool(a).index.tolist() == [7, 9]


def test_the_portfolio_masks_are_the_series_as_read_only_arrays() -> None:
    class Portfolio(SimpleNamespace):  # hashable by identity, as a portfolio is
        __hash__ = object.__hash__

    p = Portfolio(activities=activities("Teams", None, NO_TOOL, "TBD", "An unknown tool"))
    assert named_tools(p).tolist() == [True, False, False, True, True]
    assert used_tools(p).tolist() == [True, False, False, False, True]
    assert not named_tools(p).flags.writeable and not used_tools(p).flags.writeable
