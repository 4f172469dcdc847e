"""The live view of one course, and the made-up courses that warm the catalog's facts."""

from __future__ import annotations

import gc

import pandas as pd

from socialkit.analysis.tool_fit import recommend_tools, tool_fit
from socialkit.editor.draft import DesignDraft
from socialkit.editor.live import (
    _rankings,
    activity_ranking,
    activity_view,
    chart_keys,
    every_choice,
    text,
    whole,
)
from socialkit.editor.widget import DesignEditor


def test_text_and_whole_read_cells_as_the_contract_does() -> None:
    assert [text(v) for v in (None, float("nan"), "  ", " a ", 3)] == [None, None, None, " a ", "3"]
    assert [whole(v) for v in ("7", " 12 ", "3.0", "+4", "1.5", "-2", "x", None)] == [
        7,
        12,
        3,
        4,
        None,
        None,
        None,
        None,
    ]


def test_every_choice_has_one_activity_per_organisation_and_choice(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    every = every_choice(draft.catalog)
    n_orgs, n_tools = len(draft.organisations), len(draft.tool_names)
    # tool types, directions and timings with blank; tools with none and blank
    per_course = 5 * 4 * 4 * (n_tools + 2)
    assert len(every.courses) == n_orgs == 5
    assert len(every.activities) == n_orgs * per_course
    first = every.activities[every.activities["course_id"].eq("every-choice-0")]
    choice = ["tool_type", "direction", "timing", "tool"]
    combos = first[choice].fillna("-").drop_duplicates()
    assert len(combos) == per_course
    assert every.tools is draft.catalog.tools  # the facts are remembered on these frames
    fit = tool_fit(every)
    assert set(fit["course_id"]) == set(every.course_ids)


def test_no_edit_works_out_a_catalog_fact_the_editor_did_not_warm(sample_copy, monkeypatch):
    import socialkit.analysis.tool_fit as tools

    worked_out = []
    for name in ("_rank", "_fit_combinations"):
        original = getattr(tools, name)
        monkeypatch.setattr(
            tools, name, lambda *a, _f=original, _n=name: worked_out.append(_n) or _f(*a)
        )
    editor = DesignEditor(sample_copy, course_id="it-risk")
    worked_out.clear()
    act = editor.act
    for aid in ("A1", "A5"):
        editor.activities.value = aid
        for timing in ("before", "during", "after", ""):
            act["timing"].value = timing
            for tool_type in ("community", "content", "co-creation", "productivity"):
                act["tool_type"].value = tool_type
                for tool in (*editor.draft.tool_names[::7], "none", ""):
                    act["tool"].value = tool
    assert worked_out == []


def test_one_activity_ranks_as_it_does_in_its_course(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    for course_id in draft.course_ids:
        draft.select(course_id)
        portfolio, _ = draft.live()
        ranked = recommend_tools(portfolio, top=5)
        for aid in portfolio.activities["activity_id"].dropna():
            alone = recommend_tools(activity_view(portfolio, aid), top=5)
            in_course = ranked[ranked["activity_id"].eq(aid)].reset_index(drop=True)
            if len(in_course):
                pd.testing.assert_frame_equal(alone, in_course)
            else:
                assert alone.empty


def _starred(editor: DesignEditor) -> list[str]:
    return [v for label, v in editor.act["tool"].options if label.startswith("★")]


def test_a_remembered_ranking_follows_the_edit_that_changes_its_activity(sample_copy) -> None:
    editor = DesignEditor(sample_copy, course_id="it-risk")
    editor.activities.value = "A1"  # community, one-to-many, before, Viva Engage
    assert _starred(editor)[:3] == ["Viva Engage", "Teams", "Padlet"]
    editor.act["tool_type"].value = "content"
    assert _starred(editor)[:3] == ["Viva Engage", "Stream", "SharePoint"]
    editor.act["tool_type"].value = "community"  # remembered: the same rows as at first
    assert _starred(editor)[:3] == ["Viva Engage", "Teams", "Padlet"]
    editor.act["tool"].value = "Teams"  # the chosen tool comes first among equals
    assert _starred(editor)[:2] == ["Teams", "Viva Engage"]


def test_a_remembered_ranking_is_the_ranking_of_the_activity_asking(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    portfolio, _ = draft.live()
    first = activity_ranking(portfolio, "A2", top=5)
    draft.set_activity("A3", tool_type="community", direction="many-to-many", timing="before")
    draft.set_activity("A3", tool="Viva Engage")
    portfolio, _ = draft.live()
    for aid in ("A2", "A3"):  # the same five values: A3 gets A2's rows, as its own
        mine = activity_ranking(portfolio, aid, top=5)
        pd.testing.assert_frame_equal(mine, recommend_tools(activity_view(portfolio, aid), top=5))
        assert set(mine["activity_id"]) == {aid}
    assert first["tool"].tolist() == mine["tool"].tolist()
    draft.set_activity("A3", direction="one-to-many")  # A3's own values now: not A2's
    portfolio, _ = draft.live()
    pd.testing.assert_frame_equal(
        activity_ranking(portfolio, "A3", top=5),
        recommend_tools(activity_view(portfolio, "A3"), top=5),
    )
    assert activity_ranking(portfolio, "A3", top=3)["tool"].tolist() == [
        "Viva Engage",
        "Teams",
        "Padlet",
    ]


def test_remembered_rankings_are_fresh_frames_the_collector_never_walks(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    portfolio, _ = draft.live()
    first = activity_ranking(portfolio, "A2", top=5)
    first.loc[0, "tool"] = "changed by the caller"
    again = activity_ranking(portfolio, "A2", top=5)
    pd.testing.assert_frame_equal(again, recommend_tools(activity_view(portfolio, "A2"), top=5))
    # a full memory must not make every garbage collection slower: its entries hold
    # nothing the collector tracks (a frame of five rows would be about 135 objects)
    memory = _rankings(portfolio.tools, portfolio.organisations)
    assert memory and not any(gc.is_tracked(kept) for kept in memory.values())


def test_chart_keys_change_exactly_with_what_each_chart_shows(sample_copy) -> None:
    draft = DesignDraft(sample_copy, "it-risk")
    title = "Measuring the risks of international projects"
    lane, grid = chart_keys(draft.live()[0])
    assert lane[:2] == grid[:2] == ("it-risk", title)
    a1 = draft.activity("A1")
    assert lane[2][0] == tuple(
        a1[c] or "" if c != "seq" else int(a1["seq"])
        for c in ("activity_id", "seq", "title", "timing", "direction", "tool", "tool_type")
    )
    assert len(lane[2]) == len(grid[2]) == 6
    # a benefit is in neither chart
    draft.set_activity("A1", learner_benefit="Something new to gain")
    assert chart_keys(draft.live()[0]) == (lane, grid)
    # a move reorders the swimlane only: the grid counts cells whatever the order
    draft.move_activity("A2", -1)
    moved = chart_keys(draft.live()[0])
    assert moved[0] != lane and moved[1] == grid
    # a blank timing is "" in both
    draft.set_activity("A1", timing=None)
    blank = chart_keys(draft.live()[0])
    assert blank[1] != grid and ("", a1["direction"] or "") in blank[1][2]
