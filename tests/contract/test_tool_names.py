"""``socialkit.contract.tool_names``: catalog names, aliases and suites, and the closest tools to a
name.

Expectations are worked out by hand: keys are lower case with runs of space/_/- as one
``-``; :func:`closest_tools` puts names containing (or contained in) the name first, then
names sharing a word, then names with a :class:`difflib.SequenceMatcher` ratio of 0.6 or
more, each group by ratio then catalog order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import make_portfolio

from socialkit import closest_tools
from socialkit.analysis.unknown_tools import unknown_tool_uses
from socialkit.contract.io import load_portfolio
from socialkit.contract.tool_names import (
    name_entries,
    name_key,
    resolve_tools,
    suite_lookup,
    tool_lookup,
    uses_bundled_catalog,
)

#: Raw: aliases a ';'-separated string, as read.
RAW = pd.DataFrame(
    {
        "tool": ["Viva Engage", " Teams ", "Stream", "Google Docs", "Zoom", ""],
        "aliases": [
            "Yammer; Engage;viva_engage",
            "MS Teams;Microsoft Teams",
            None,
            "Docs",
            "",
            "X",
        ],
        "suite": ["Microsoft 365", "Microsoft 365", "Microsoft 365", "Google Workspace", "", ""],
    },
    index=pd.RangeIndex(2, 8),
)


def test_name_key() -> None:
    assert name_key("  MS__Teams - Chat ") == "ms-teams-chat"


def test_name_entries_list_names_then_aliases_without_own_name_repeats() -> None:
    e = name_entries(RAW)
    assert e[["row", "column", "value", "key"]].values.tolist() == [
        [2, "tool", "Viva Engage", "viva-engage"],
        [2, "aliases", "Yammer", "yammer"],
        [2, "aliases", "Engage", "engage"],
        [3, "tool", "Teams", "teams"],
        [3, "aliases", "MS Teams", "ms-teams"],
        [3, "aliases", "Microsoft Teams", "microsoft-teams"],
        [4, "tool", "Stream", "stream"],
        [5, "tool", "Google Docs", "google-docs"],
        [5, "aliases", "Docs", "docs"],
        [6, "tool", "Zoom", "zoom"],
    ]


def test_tool_lookup_on_raw_and_canonical_tables_agree() -> None:
    expected = {
        "viva-engage": "Viva Engage",
        "yammer": "Viva Engage",
        "engage": "Viva Engage",
        "teams": "Teams",
        "ms-teams": "Teams",
        "microsoft-teams": "Teams",
        "stream": "Stream",
        "google-docs": "Google Docs",
        "docs": "Google Docs",
        "zoom": "Zoom",
    }
    assert tool_lookup(RAW) == expected
    canonical = RAW.assign(
        aliases=[
            ("Yammer", "Engage", "viva_engage"),
            ("MS Teams", "Microsoft Teams"),
            (),
            ("Docs",),
            (),
            ("X",),
        ]
    )
    assert tool_lookup(canonical) == expected


def test_suite_lookup_knows_the_catalog_suites_and_their_common_names() -> None:
    suites = suite_lookup(RAW)
    ms = ("Viva Engage", "Teams", "Stream")
    assert suites == {
        "microsoft-365": ms,
        "google-workspace": ("Google Docs",),
        # the common names, spelt with and without spaces
        "office-365": ms,
        "office365": ms,
        "o365": ms,
        "m365": ms,
        "ms-365": ms,
        "ms365": ms,
        "microsoft365": ms,
        "microsoft-office-365": ms,
        "microsoft-office365": ms,
        "g-suite": ("Google Docs",),
        "gsuite": ("Google Docs",),
        "googleworkspace": ("Google Docs",),
        "google-apps": ("Google Docs",),
        "google-apps-for-work": ("Google Docs",),
    }
    assert suite_lookup(RAW.drop(columns="suite")) == {}
    # no Google tool in the catalog: no Google suite, nor its common names
    assert "g-suite" not in suite_lookup(RAW.iloc[:3])


def test_resolve_tools() -> None:
    values = pd.Series(["yammer", "MS-Teams", "NONE", "Yamer", None], dtype="str")
    got = resolve_tools(values, tool_lookup(RAW))
    assert got.iloc[:3].tolist() == ["Viva Engage", "Teams", "none"]
    assert got.iloc[3:].isna().all()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # contained: "zoom" in "zoom-webinar"
        ("Zoom Webinar", ["Zoom"]),
        # contains: "teams" in "teams-chat"; then Microsoft Teams shares no word ("chat")
        ("Teams chat", ["Teams"]),
        # "ms-team" in "ms-teams" (Teams); then ms-team/stream 10/13 = 0.77 (s, t, "eam")
        ("MS Team", ["Teams", "Stream"]),
        # difflib only: yamer/yammer 0.909
        ("Yamer", ["Viva Engage"]),
        # shares the word "google" with Google Docs only
        ("Google Sheets", ["Google Docs"]),
        # streem/stream 0.833
        ("streem", ["Stream"]),
        # nothing near (the row with a blank name and its alias "X" are left out)
        ("Hammock", []),
        ("", []),
    ],
)
def test_closest_tools_small_catalog(name: str, expected: list[str]) -> None:
    assert closest_tools(name, RAW) == expected


def test_closest_tools_order_and_limit_on_the_bundled_catalog() -> None:
    tools = load_portfolio().tools
    # one shared word with four Google tools: by ratio to google-sheets (Meet 0.833,
    # Docs 0.667, Forms 0.64, Drive 0.64: Forms first in the catalog)
    assert closest_tools("Google Sheets", tools) == ["Google Meet", "Google Docs", "Google Forms"]
    assert closest_tools("Google Sheets", tools, n=4) == [
        "Google Meet",
        "Google Docs",
        "Google Forms",
        "Google Drive",
    ]
    assert closest_tools("Google Sheets", tools, n=0) == []
    assert closest_tools("Workvivo2", tools) == ["Workvivo"]
    assert closest_tools("Yamer", tools) == ["Viva Engage"]
    # substring first (Moodle, then Moodle forum: moodl/moodle 0.909 beats moodle-forum)
    assert closest_tools("Moodl", tools) == ["Moodle", "Moodle forum"]
    assert closest_tools("Xyz", tools) == []


def test_unknown_tool_uses_one_row_per_course_and_tool() -> None:
    courses = [{"course_id": c, "title": c} for c in ("k2", "k1")]
    acts = [
        {"course_id": "k1", "activity_id": "a3", "seq": "3", "title": "Three", "tool": "tubes"},
        {"course_id": "k1", "activity_id": "a1", "seq": "1", "title": "One", "tool": "Tubes"},
        {"course_id": "k1", "activity_id": "a2", "seq": "2", "title": "Two", "tool": "Engage"},
        {"course_id": "k2", "activity_id": "b1", "seq": "1", "title": "Uno", "tool": "Tubes"},
        {"course_id": "k2", "activity_id": "b2", "seq": "2", "title": "Dos", "tool": "Hammock"},
        {"course_id": "k2", "activity_id": "b3", "seq": "3", "title": "Tres", "tool": "none"},
    ]
    got = unknown_tool_uses(make_portfolio(courses, [], acts))
    assert [[None if pd.isna(v) else v for v in r] for r in got.values.tolist()] == [
        ["k2", "b1", 1, "Uno", "Tubes", "activity 'b1' (\"Uno\")", "Tube"],
        ["k2", "b2", 2, "Dos", "Hammock", "activity 'b2' (\"Dos\")", None],
        ["k1", "a1", 1, "One", "Tubes", "activities 'a1' (\"One\"), 'a3' (\"Three\")", "Tube"],
    ]


def test_unknown_tool_uses_is_empty_when_every_tool_is_known() -> None:
    got = unknown_tool_uses(load_portfolio())
    assert got.empty
    assert list(got.columns) == [
        "course_id",
        "activity_id",
        "seq",
        "title",
        "tool",
        "uses",
        "closest",
    ]


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_uses_bundled_catalog(tmp_path: Path) -> None:
    write(tmp_path, "courses.csv", "course_id,title\nc1,One\n")
    write(tmp_path, "objectives.csv", "course_id,objective_id,statement\n")
    write(tmp_path, "activities.csv", "course_id,activity_id,seq,title\n")
    assert uses_bundled_catalog(load_portfolio(tmp_path))
    assert uses_bundled_catalog(load_portfolio())  # the sample has no tools.csv
    write(tmp_path, "tools.csv", "tool\nWiki\n")
    assert not uses_bundled_catalog(load_portfolio(tmp_path))
    assert not uses_bundled_catalog(make_portfolio([{"course_id": "c", "title": "t"}], [], []))
