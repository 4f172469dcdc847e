"""The overview's data: attention order, organisations, warning counts, words for codes.

Every input is a small frame written out here, so each expectation is worked out by hand.
"""

from __future__ import annotations

import pandas as pd

from socialkit.analysis.overview import (
    DEFAULT_ORGANISATION_NAME,
    course_attention,
    organisation_names,
    organisation_summary,
    prose_list,
    report_words,
    warning_codes,
    warning_counts,
)

#: Five valid courses of two organisations and the default context.
SUMMARY = pd.DataFrame(
    {
        "course_id": ["k1", "k2", "k3", "k4", "k5"],
        "title": ["One", "Two", "Three", "Four", "Five"],
        "organisation": ["Acme", "Acme", "default", "Beta", "Beta"],
        "status": ["draft", "final", "draft", "review", "final"],
        "objectives": [1, 1, 0, 2, 1],
        "activities": [10, 4, 0, 6, 2],
        "checklist_ok": [6, 3, 1, 3, 6],
        "share_outside": pd.array([0.5, 0.25, None, 0.5, 1.0], dtype="Float64"),
        "share_minutes_outside": pd.array([0.5, 0.25, None, 0.5, 1.0], dtype="Float64"),
        "flipped_candidates": [0, 1, 0, 2, 0],
        "warnings": [0, 2, 1, 2, 0],
    }
)
#: k2: two warnings of one code; k3: one; k4: two codes.
WARNINGS = pd.DataFrame(
    {
        "code": ["no-benefit", "no-benefit", "tool-first", "no-benefit", "blocked-tool"],
        "course_id": ["k2", "k2", "k3", "k4", "k4"],
    }
)


def test_prose_list_reads_as_a_sentence():
    assert prose_list([]) == ""
    assert prose_list(["a"]) == "a"
    assert prose_list(["a", "b"]) == "a and b"
    assert prose_list(["a", "b", "c"]) == "a, b and c"
    assert prose_list([1, 2], conjunction="or") == "1 or 2"


def test_codes_become_words():
    names = organisation_names(pd.Series(["Acme", "default", None]))
    assert names.tolist() == ["Acme", DEFAULT_ORGANISATION_NAME, "unknown"]
    assert DEFAULT_ORGANISATION_NAME == "no organisation (default context)"
    words = report_words(pd.Series(["made", "unchanged", "failed", None, "odd"]))
    assert words.tolist() == [
        "ready",
        "ready, unchanged since the last run",
        "failed",
        "not made",
        "odd",
    ]


def test_warning_codes_most_frequent_first():
    codes = warning_codes(WARNINGS, ["k1", "k2", "k3", "k4"])
    # no-benefit: 3 warnings; blocked-tool and tool-first: 1 each (alphabetical)
    assert codes.to_dict() == {
        "k1": (),
        "k2": ("no-benefit",),
        "k3": ("tool-first",),
        "k4": ("no-benefit", "blocked-tool"),
    }


def test_warning_counts_with_their_courses():
    counts = warning_counts(WARNINGS)
    assert counts["code"].tolist() == ["no-benefit", "blocked-tool", "tool-first"]
    assert counts["warnings"].tolist() == [3, 1, 1]
    assert counts["courses"].tolist() == [2, 1, 1]
    assert counts["course_ids"].tolist() == [("k2", "k4"), ("k4",), ("k3",)]
    empty = warning_counts(WARNINGS.iloc[:0])
    assert empty.empty and list(empty.columns) == list(counts.columns)


def test_attention_order_invalid_and_failed_first_then_warnings_then_checklist():
    reports = pd.DataFrame(
        {"course_id": ["k1", "k2", "k5"], "status": ["unchanged", "made", "failed"]}
    )
    invalid = pd.DataFrame({"course_id": ["bad"], "title": [None], "errors": [3]})
    out = course_attention(SUMMARY, WARNINGS, reports=reports, invalid=invalid)
    # bad: invalid; k5: failed; then k2 and k4 (2 warnings, 3 answered: k2 has less
    # outside class); k3 (1 warning); k1 (no warning, all six answered)
    assert out["course_id"].tolist() == ["bad", "k5", "k2", "k4", "k3", "k1"]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert out["problem"].tolist() == ["invalid", "failed", "", "", "", ""]
    assert out["needs_attention"].tolist() == [True, True, True, True, True, False]
    assert out["title"].iloc[0] == "bad"  # an invalid course without a title: its id
    assert out["organisation_name"].tolist() == [
        "unknown",
        "Beta",
        "Acme",
        "Beta",
        DEFAULT_ORGANISATION_NAME,
        "Acme",
    ]
    assert out["report_words"].tolist() == [
        "invalid: breaks the data contract",
        "failed",
        "ready",
        "not made",
        "not made",
        "ready, unchanged since the last run",
    ]
    assert out["codes"].tolist()[2:4] == [("no-benefit",), ("no-benefit", "blocked-tool")]
    assert out["warnings"].isna().tolist() == [True, False, False, False, False, False]


def test_attention_without_a_batch_or_invalid_courses():
    out = course_attention(SUMMARY, WARNINGS)
    assert out["course_id"].tolist() == ["k2", "k4", "k3", "k1", "k5"]
    assert out["report"].isna().all() and set(out["problem"]) == {""}


def test_organisation_summary_adds_up_by_hand():
    out = organisation_summary(SUMMARY)
    # Acme and Beta have 2 courses each (alphabetical), the default context comes last
    assert out["organisation"].tolist() == ["Acme", "Beta", "default"]
    assert out["organisation_name"].tolist() == ["Acme", "Beta", DEFAULT_ORGANISATION_NAME]
    assert out["courses"].tolist() == [2, 2, 1]
    assert out["activities"].tolist() == [14, 8, 0]
    assert out["warnings"].tolist() == [2, 2, 1]
    assert out["courses_with_warnings"].tolist() == [1, 1, 1]
    assert out["checklist_ok"].tolist() == [4.5, 4.5, 1.0]
    assert out["all_answered"].tolist() == [1, 1, 0]
    # Acme: (5 + 1) of 14 activities outside; Beta: (3 + 2) of 8; default: none
    share = out["share_outside"]
    assert share.iloc[0] == 6 / 14 and share.iloc[1] == 5 / 8 and share.isna().iloc[2]


def test_a_portfolio_without_any_warning_has_no_codes_and_still_an_order() -> None:
    # an empty table of warnings keeps its text dtype through a map: no failure on it
    none = pd.DataFrame(
        {"course_id": pd.Series([], dtype="str"), "code": pd.Series([], dtype="str")}
    )
    assert warning_codes(none, ["c1", "c2"]).to_dict() == {"c1": (), "c2": ()}
    ranked = course_attention(SUMMARY, none)
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert set(ranked["course_id"]) == set(SUMMARY["course_id"])
    assert ranked["codes"].tolist() == [()] * 5
