"""The live view of one course, and the made-up courses that warm the catalog's facts."""

from __future__ import annotations

import socialkit as sk
from socialkit._live import every_choice, text, whole
from socialkit.editing import DesignDraft


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
    per_course = 5 * 4 * (n_tools + 2)  # tool types and directions with blank; none; blank
    assert len(every.courses) == n_orgs == 5
    assert len(every.activities) == n_orgs * per_course
    first = every.activities[every.activities["course_id"].eq("every-choice-0")]
    combos = first[["tool_type", "direction", "tool"]].fillna("-").drop_duplicates()
    assert len(combos) == per_course
    assert every.tools is draft.catalog.tools  # the facts are remembered on these frames
    ranked = sk.recommend_tools(every, top=1)
    assert set(ranked["course_id"]) == set(every.course_ids)
