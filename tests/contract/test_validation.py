"""``validation.validate``: every rule of DATA.md, errors collected at once, canonical output.

Expectations are worked out by hand from DATA.md against the conftest catalog (tools
Engage, Tube, Board, Chat; organisations Acme and default). Row numbers are those the
user sees: header = row 1, first data row = 2.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ORGANISATIONS, TOOLS, make_portfolio, make_tables

from socialkit.contract.schema import (
    DEFAULT_ORGANISATION,
    DESIGN_TABLES,
    ISSUE_COLUMNS,
    TABLES,
    Portfolio,
)
from socialkit.contract.validation import validate
from socialkit.errors import ValidationError


def course(cid: str, **kw) -> dict:
    return {"course_id": cid, "title": f"Course {cid}", **kw}


def objective(cid: str, oid: str = "o1", **kw) -> dict:
    return {"course_id": cid, "objective_id": oid, "statement": f"Objective {oid}", **kw}


def act(cid: str, aid: str, seq: str | int, **kw) -> dict:
    return {"course_id": cid, "activity_id": aid, "seq": str(seq), "title": f"Act {aid}", **kw}


def issues_of(tables: dict[str, pd.DataFrame], match: str = "in the portfolio") -> pd.DataFrame:
    with pytest.raises(ValidationError, match=match) as info:
        validate(tables)
    issues = info.value.issues
    assert list(issues.columns) == ISSUE_COLUMNS
    return issues


def keys(issues: pd.DataFrame) -> set[tuple]:
    """(table, row, column, value) of each issue, missing values as None."""
    return {
        tuple(None if pd.isna(v) else v for v in rec)
        for rec in issues[["table", "row", "column", "value"]].itertuples(index=False)
    }


def where(issues: pd.DataFrame) -> set[tuple]:
    """(table, row, column) of each issue."""
    return {
        (t, None if pd.isna(r) else int(r), c)
        for t, r, c in issues[["table", "row", "column"]].itertuples(index=False)
    }


def valid_base() -> tuple[list[dict], list[dict], list[dict]]:
    return [course("c1", organisation="Acme")], [objective("c1")], [act("c1", "a1", 1)]


def one_error(table: str, **changes) -> pd.DataFrame:
    """Issues of the valid base with the first row of ``table`` changed."""
    c, o, a = valid_base()
    rows = {"courses": c, "objectives": o, "activities": a}[table]
    rows[0] = {**rows[0], **changes}
    return issues_of(make_tables(c, o, a))


# --------------------------------------------------------------------------- all at once
def test_every_error_in_every_table_is_collected_at_once() -> None:
    courses = [
        course("c1", organisation="Acme"),  # 2 ok
        course("c2"),  # 3 ok (blank organisation -> default)
        course("bad id!"),  # 4 pattern
        course("c1"),  # 5 duplicate course_id
        course("c3", title="   "),  # 6 whitespace-only structural cell
        course("c4", organisation="Nowhere", status="done"),  # 7 organisation + status
        course("x" * 65),  # 8 too long
    ]
    objectives = [
        objective("c1", "o1"),  # 2 ok
        objective("c1", "o1"),  # 3 duplicate within c1
        objective("c2", "o1"),  # 4 ok: same id, other course
        objective("c2", "o9"),  # 5 ok
        objective("zz", "o1"),  # 6 unknown course
        objective("c1", "o2", statement=""),  # 7 blank statement
    ]
    activities = [
        act("c1", "a1", "1", objective_id="o1"),  # 2 ok
        act("c1", "a2", "01"),  # 3 seq 01 == 1: duplicate
        act("c1", "a1", "3"),  # 4 duplicate activity_id
        act("c1", "a4", "1.5"),  # 5 seq not whole
        act("c1", "a5", "x", minutes="-1"),  # 6 seq + minutes
        act("c1", "a6", "0"),  # 7 seq < 1
        act(
            "c1",
            "a7",
            "7",
            timing="soon",
            direction="sideways",
            tool_type="magic",
            in_class_reason="fun",
            learning_type="lecture",
        ),  # 8 five vocabulary errors
        act("c1", "a8", "8", objective_id="o9", tool="Hammer", minutes="1.5"),  # 9 two
        act("zz", "a1", "1"),  # 10 unknown course
        act("c2", "b1", "1", objective_id="o1", tool="ENGAGE"),  # 11 ok
        act("c2", "b2", "2", tool="NONE", minutes="0"),  # 12 ok
    ]
    tools = [
        *TOOLS,
        {
            "tool": "Wiki",
            "tool_types": "content;wiki",
            "directions": "one-to-many; sideways",
            "hosting": "cloud",
            "onboarding": "email",
        },  # 6 four errors
        {"tool": "engage"},  # 7 duplicate tool name (case-insensitive)
        {"tool": "Pad", "aliases": "Tube; pad"},  # 8 alias of another tool's name
    ]
    organisations = [
        {"organisation": "Acme", "platforms": "Engage;Hammer", "prefers_internal": "maybe"},
        {"organisation": "default", "platforms": "engage"},
        {"organisation": "Acme"},  # 4 duplicate
    ]
    tables = make_tables(courses, objectives, activities, tools, organisations)
    issues = issues_of(tables, match=r"^\d+ errors in the portfolio")

    expected = {
        ("courses", 4, "course_id", "bad id!"),
        ("courses", 5, "course_id", "c1"),
        ("courses", 7, "organisation", "Nowhere"),
        ("courses", 7, "status", "done"),
        ("courses", 8, "course_id", "x" * 65),
        ("objectives", 3, "objective_id", "o1"),
        ("objectives", 6, "course_id", "zz"),
        ("objectives", 7, "statement", None),
        ("activities", 3, "seq", "01"),
        ("activities", 4, "activity_id", "a1"),
        ("activities", 5, "seq", "1.5"),
        ("activities", 6, "seq", "x"),
        ("activities", 6, "minutes", "-1"),
        ("activities", 7, "seq", "0"),
        ("activities", 8, "timing", "soon"),
        ("activities", 8, "direction", "sideways"),
        ("activities", 8, "tool_type", "magic"),
        ("activities", 8, "in_class_reason", "fun"),
        ("activities", 8, "learning_type", "lecture"),
        ("activities", 9, "objective_id", "o9"),
        ("activities", 9, "minutes", "1.5"),
        ("activities", 10, "course_id", "zz"),
        ("tools", 6, "tool_types", "content;wiki"),
        ("tools", 6, "directions", "one-to-many; sideways"),
        ("tools", 6, "hosting", "cloud"),
        ("tools", 6, "onboarding", "email"),
        ("tools", 7, "tool", "engage"),
        ("tools", 8, "aliases", "Tube"),
        ("organisations", 2, "prefers_internal", "maybe"),
        ("organisations", 4, "organisation", "Acme"),
    }
    blank_title = ("courses", 6, "title")
    assert keys(issues) - {k for k in keys(issues) if k[:3] == blank_title} == expected
    assert blank_title in where(issues)
    assert len(issues) == len(expected) + 1
    assert (
        str(len(expected) + 1) + " errors in the portfolio"
        in str(ValidationError(issues)).splitlines()[0]
    )
    # every issue explains itself
    assert issues["message"].str.len().gt(10).all()


def test_issues_are_sorted_by_table_then_row() -> None:
    c = [course("c1"), course("c1")]
    o = [objective("c1"), objective("zz")]
    a = [act("c1", "a1", "x"), act("c1", "a2", "2", timing="soon")]
    issues = issues_of(make_tables(c, o, a))
    assert issues["table"].tolist() == ["courses", "objectives", "activities", "activities"]
    assert issues["row"].tolist() == [3, 3, 2, 3]


# --------------------------------------------------------------------------- structural
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("courses", "course_id"),
        ("courses", "title"),
        ("objectives", "course_id"),
        ("objectives", "objective_id"),
        ("objectives", "statement"),
        ("activities", "course_id"),
        ("activities", "activity_id"),
        ("activities", "seq"),
        ("activities", "title"),
    ],
)
@pytest.mark.parametrize("blank", ["", "   ", "\t"], ids=["empty", "spaces", "tab"])
def test_blank_structural_cell_is_an_error(table: str, column: str, blank: str) -> None:
    issues = one_error(table, **{column: blank})
    assert (table, 2, column) in where(issues)
    msg = issues.loc[issues["column"].eq(column) & issues["table"].eq(table), "message"]
    assert msg.str.contains("blank").any()


def test_blank_tool_name_is_an_error() -> None:
    c, o, a = valid_base()
    tools = [*TOOLS, {"tool": " ", "hosting": "internal"}]
    issues = issues_of(make_tables(c, o, a, tools))
    assert where(issues) == {("tools", 6, "tool")}


def test_blank_organisation_name_is_an_error() -> None:
    c, o, a = valid_base()
    orgs = [*ORGANISATIONS, {"organisation": "", "platforms": "Engage"}]
    issues = issues_of(make_tables(c, o, a, organisations=orgs))
    assert where(issues) == {("organisations", 4, "organisation")}


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, s.name) for t in DESIGN_TABLES for s in TABLES[t] if s.kind == "structural"],
)
def test_missing_required_column_is_an_error(table: str, column: str) -> None:
    tables = make_tables(*valid_base())
    tables[table] = tables[table].drop(columns=column)
    issues = issues_of(tables)
    hit = issues[issues["table"].eq(table) & issues["column"].eq(column)]
    assert len(hit) == 1
    assert pd.isna(hit["row"].iloc[0])
    assert column in hit["message"].iloc[0]


def test_missing_column_is_reported_with_other_errors() -> None:
    c, o, a = valid_base()
    a.append(act("c1", "a2", "2", timing="soon"))
    tables = make_tables(c, o, a)
    tables["objectives"] = tables["objectives"].drop(columns="statement")
    issues = issues_of(tables, match="2 errors")
    assert where(issues) == {("objectives", None, "statement"), ("activities", 3, "timing")}


def test_absent_optional_and_decision_columns_are_fine() -> None:
    tables = make_tables(*valid_base())
    keep = {
        "courses": ["course_id", "title"],
        "objectives": ["course_id", "objective_id", "statement"],
        "activities": ["course_id", "activity_id", "seq", "title"],
    }
    for name, cols in keep.items():
        tables[name] = tables[name][cols]
    p = validate(tables)
    assert p.courses["organisation"].tolist() == [DEFAULT_ORGANISATION]
    assert p.activities["timing"].isna().all()


# --------------------------------------------------------------------------- course_id
@pytest.mark.parametrize("cid", ["c1", "IT-Risk_2024", "a" * 64, "0", "_-_", " c1 "])
def test_valid_course_ids(cid: str) -> None:
    c = [course(cid)]
    o = [objective(cid.strip())]
    a = [act(cid.strip(), "a1", 1)]
    p = make_portfolio(c, o, a)
    assert p.course_ids == [cid.strip()]


@pytest.mark.parametrize(
    "cid", ["a" * 65, "bad id", "é", "c/1", "c.1", "c1!", "x" * 200], ids=lambda v: v[:12]
)
def test_invalid_course_ids(cid: str) -> None:
    issues = issues_of(make_tables([course(cid)], [], []))
    assert keys(issues) == {("courses", 2, "course_id", cid)}
    assert "64" in issues["message"].iloc[0]


# --------------------------------------------------------------------------- duplicates
def test_duplicate_course_id() -> None:
    issues = issues_of(make_tables([course("c1"), course("c2"), course("c1")], [], []))
    assert keys(issues) == {("courses", 4, "course_id", "c1")}
    assert "row 2" in issues["message"].iloc[0]


def test_duplicate_objective_only_within_a_course() -> None:
    c = [course("c1"), course("c2")]
    o = [objective("c1", "o1"), objective("c2", "o1"), objective("c1", "o1")]
    issues = issues_of(make_tables(c, o, []))
    assert keys(issues) == {("objectives", 4, "objective_id", "o1")}


def test_duplicate_activity_only_within_a_course() -> None:
    c = [course("c1"), course("c2")]
    a = [act("c1", "a1", 1), act("c2", "a1", 1), act("c1", "a1", 2)]
    issues = issues_of(make_tables(c, [], a))
    assert keys(issues) == {("activities", 4, "activity_id", "a1")}


@pytest.mark.parametrize("second", ["01", "1", " 1", "001"])
def test_duplicate_seq_by_number_within_a_course(second: str) -> None:
    c = [course("c1"), course("c2")]
    a = [act("c1", "a1", "1"), act("c2", "b1", "1"), act("c1", "a2", second)]
    issues = issues_of(make_tables(c, [], a))
    assert where(issues) == {("activities", 4, "seq")}
    assert issues["value"].iloc[0].strip() == second.strip()


def test_same_seq_in_different_courses_is_fine() -> None:
    c = [course("c1"), course("c2")]
    a = [act("c1", "a1", "1"), act("c2", "a1", "01")]
    p = make_portfolio(c, [], a)
    assert p.activities["seq"].tolist() == [1, 1]


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("seq", ["1.5", "-1", "x", "0", "1e3", "1,000", "2.0", "+3", "½"])
def test_seq_must_be_a_whole_number_at_least_one(seq: str) -> None:
    issues = one_error("activities", seq=seq)
    assert keys(issues) == {("activities", 2, "seq", seq)}
    assert "from 1 to 1,000,000" in issues["message"].iloc[0]


@pytest.mark.parametrize("minutes", ["1.5", "-1", "x", "ten", "1e2", "30 min"])
def test_minutes_must_be_a_whole_number_at_least_zero(minutes: str) -> None:
    issues = one_error("activities", minutes=minutes)
    assert keys(issues) == {("activities", 2, "minutes", minutes)}
    assert "from 0 to 525,600" in issues["message"].iloc[0]


@pytest.mark.parametrize(("seq", "minutes"), [("1", "0"), ("12", "240"), (" 7 ", " 45 ")])
def test_whole_numbers_are_accepted(seq: str, minutes: str) -> None:
    c, o, _ = valid_base()
    p = make_portfolio(c, o, [act("c1", "a1", seq, minutes=minutes)])
    assert p.activities["seq"].tolist() == [int(seq)]
    assert p.activities["minutes"].tolist() == [int(minutes)]


# --------------------------------------------------------------------------- vocabularies
@pytest.mark.parametrize(
    ("table", "column", "bad", "allowed"),
    [
        ("activities", "timing", "soon", ["before", "during", "after"]),
        ("activities", "direction", "one-to-one", ["one-to-many", "many-to-one", "many-to-many"]),
        ("activities", "tool_type", "social", ["community", "content", "co-creation"]),
        ("activities", "in_class_reason", "fun", ["expert-guidance", "feedback", "reflection"]),
        ("activities", "learning_type", "lecture", ["acquisition", "collaboration"]),
        ("courses", "status", "done", ["draft", "review", "final"]),
    ],
)
def test_every_vocabulary_column_rejects_unknown_values(
    table: str, column: str, bad: str, allowed: list[str]
) -> None:
    issues = one_error(table, **{column: bad})
    assert keys(issues) == {(table, 2, column, bad)}
    for value in allowed:
        assert value in issues["message"].iloc[0]


@pytest.mark.parametrize(
    ("column", "bad"), [("hosting", "cloud"), ("onboarding", "email"), ("hosting", "intern")]
)
def test_tool_vocabulary_columns_reject_unknown_values(column: str, bad: str) -> None:
    c, o, a = valid_base()
    tools = [{**TOOLS[0], column: bad}, *TOOLS[1:]]
    issues = issues_of(make_tables(c, o, a, tools))
    assert keys(issues) == {("tools", 2, column, bad)}


def test_prefers_internal_must_be_true_or_false() -> None:
    c, o, a = valid_base()
    orgs = [{**ORGANISATIONS[0], "prefers_internal": "perhaps"}, ORGANISATIONS[1]]
    issues = issues_of(make_tables(c, o, a, organisations=orgs))
    assert keys(issues) == {("organisations", 2, "prefers_internal", "perhaps")}


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("tool_types", "content;wiki"),
        ("tool_types", "wiki"),
        ("directions", "one-to-many;one-to-one"),
        ("directions", "n:1; diagonal ;n:n"),
    ],
)
def test_list_columns_check_every_item(column: str, cell: str) -> None:
    c, o, a = valid_base()
    tools = [*TOOLS, {"tool": "Wiki", column: cell}]
    issues = issues_of(make_tables(c, o, a, tools))
    assert where(issues) == {("tools", 6, column)}


def test_list_columns_accept_synonyms_case_and_spaces() -> None:
    c, o, a = valid_base()
    tools = [
        *TOOLS,
        {
            "tool": "Wiki",
            "tool_types": " Curation ; cocreation;",
            "directions": "1:N; Many to Many",
        },
    ]
    p = make_portfolio(c, o, a, tools)
    wiki = p.tools.set_index("tool").loc["Wiki"]
    assert wiki["tool_types"] == ("content", "co-creation")
    assert wiki["directions"] == ("one-to-many", "many-to-many")


def test_decision_columns_blank_are_valid() -> None:
    c, o, _ = valid_base()
    decision = ["objective_id", "timing", "direction", "tool_type", "tool", "in_class_reason"]
    a = [
        act("c1", "a1", 1, **dict.fromkeys(decision, ""), learner_benefit=""),
        act("c1", "a2", 2, **dict.fromkeys(decision, "  "), learner_benefit="  "),
    ]
    p = make_portfolio(c, o, a)
    for col in [*decision, "learner_benefit", "learning_type", "minutes"]:
        assert p.activities[col].isna().all(), col


# --------------------------------------------------------------------------- references
def test_unknown_course_reference_in_objectives_and_activities() -> None:
    c = [course("c1")]
    o = [objective("c1"), objective("C1")]  # ids are case-sensitive
    a = [act("c1", "a1", 1), act("ghost", "a1", 1)]
    issues = issues_of(make_tables(c, o, a), match="2 errors")
    assert keys(issues) == {
        ("objectives", 3, "course_id", "C1"),
        ("activities", 3, "course_id", "ghost"),
    }
    assert issues["message"].str.contains("course").all()


def test_objective_of_another_course_is_an_error() -> None:
    c = [course("c1"), course("c2")]
    o = [objective("c1", "o1"), objective("c2", "o2")]
    a = [
        act("c1", "a1", 1, objective_id="o1"),  # ok
        act("c1", "a2", 2, objective_id="o2"),  # o2 belongs to c2
        act("c2", "b1", 1, objective_id="o1"),  # o1 belongs to c1
        act("c2", "b2", 2, objective_id="o3"),  # nowhere
        act("c2", "b3", 3, objective_id="o2"),  # ok
    ]
    issues = issues_of(make_tables(c, o, a), match="3 errors")
    assert keys(issues) == {
        ("activities", 3, "objective_id", "o2"),
        ("activities", 4, "objective_id", "o1"),
        ("activities", 5, "objective_id", "o3"),
    }


def test_unknown_organisation() -> None:
    issues = one_error("courses", organisation="Acme Corp")
    assert keys(issues) == {("courses", 2, "organisation", "Acme Corp")}
    assert "'Acme'" in issues["message"].iloc[0]


@pytest.mark.parametrize("tool", ["Engage", "engage", "ENGAGE", "eNgAgE", "none", "None", "NONE"])
def test_known_tools_match_case_insensitively(tool: str) -> None:
    c, o, _ = valid_base()
    p = make_portfolio(c, o, [act("c1", "a1", 1, tool=tool)])
    assert p.activities["tool"].tolist() == ["none" if tool.lower() == "none" else "Engage"]


#: The fixture catalog with aliases and a suite, as the bundled catalog has them.
NAMED_TOOLS = [
    {**TOOLS[0], "tool": "Viva Engage", "aliases": "Yammer;Engage", "suite": "Microsoft 365"},
    {**TOOLS[1], "tool": "Teams", "aliases": "Microsoft Teams; MS Teams", "suite": "Microsoft 365"},
    {**TOOLS[2], "tool": "SharePoint", "suite": "Microsoft 365"},
    {**TOOLS[3], "tool": "Google Docs", "aliases": "Docs", "suite": "Google Workspace"},
    {"tool": "Zoom"},
]


def named(platforms: str = "", *tools: str) -> Portfolio:
    """The valid base on :data:`NAMED_TOOLS`, Acme naming ``platforms``, a1.. using ``tools``."""
    c, o, _ = valid_base()
    a = [act("c1", f"a{i}", i, tool=t) for i, t in enumerate(tools or ("none",), start=1)]
    orgs = [{**ORGANISATIONS[0], "platforms": platforms}, {"organisation": "default"}]
    return make_portfolio(c, o, a, NAMED_TOOLS, orgs)


def platforms_of(p: Portfolio, org: str = "Acme") -> tuple:
    return p.organisations.set_index("organisation").loc[org, "platforms"]


@pytest.mark.parametrize(
    ("written", "tool"),
    [
        ("Yammer", "Viva Engage"),
        ("yammer", "Viva Engage"),
        (" YAMMER ", "Viva Engage"),
        ("viva_engage", "Viva Engage"),
        ("MS-Teams", "Teams"),
        ("ms teams", "Teams"),
        ("Microsoft Teams", "Teams"),
        ("microsoft-teams", "Teams"),
        ("docs", "Google Docs"),
    ],
)
def test_aliases_resolve_to_the_catalog_name_in_activities_and_platforms(
    written: str, tool: str
) -> None:
    p = named(written, written)
    assert p.activities["tool"].tolist() == [tool]
    assert platforms_of(p) == (tool,)
    assert p.notices == ()


def test_platforms_resolve_each_item_once() -> None:
    p = named("Yammer; viva engage; MS Teams;Teams ; sharepoint")
    assert platforms_of(p) == ("Viva Engage", "Teams", "SharePoint")


@pytest.mark.parametrize(
    "suite",
    ["Microsoft 365", "microsoft_365", "Office 365", "O365", "M365", "Microsoft Office 365"],
)
def test_a_suite_in_platforms_stands_for_every_tool_of_it(suite: str) -> None:
    p = named(f"Zoom;{suite}")
    assert platforms_of(p) == ("Zoom", "Viva Engage", "Teams", "SharePoint")
    assert "SharePoint" in platforms_of(p)


@pytest.mark.parametrize("suite", ["Google Workspace", "G Suite", "gsuite", "Google Apps"])
def test_google_suite_names(suite: str) -> None:
    assert platforms_of(named(suite)) == ("Google Docs",)


def test_a_suite_alias_the_catalog_has_no_suite_for_is_an_unknown_platform() -> None:
    tools = [{k: v for k, v in t.items() if k != "suite"} for t in NAMED_TOOLS]
    c, o, a = valid_base()
    orgs = [{**ORGANISATIONS[0], "platforms": "Office 365"}, {"organisation": "default"}]
    p = make_portfolio(c, o, a, tools, orgs)
    assert platforms_of(p) == ("Office 365",)
    assert len(p.notices) == 1 and "'Office 365' is neither a tool nor a suite" in p.notices[0]


@pytest.mark.parametrize("tool", ["Hammer", "Engagement", "Tub", "no", "nothing", " Yamer "])
def test_unknown_tool_is_no_error_and_kept_as_written(tool: str) -> None:
    c, o, _ = valid_base()
    p = make_portfolio(c, o, [act("c1", "a1", 1, tool=tool), act("c1", "a2", 2, tool="tube")])
    assert p.activities["tool"].tolist() == [tool.strip(), "Tube"]


def test_unknown_platform_is_a_notice_and_kept_as_written() -> None:
    c, o, a = valid_base()
    orgs = [{**ORGANISATIONS[0], "platforms": "Engage; Yamer ;board"}, ORGANISATIONS[1]]
    p = validate(make_tables(c, o, a, organisations=orgs), notices=("read note",))
    assert platforms_of(p) == ("Engage", "Yamer", "Board")
    # nothing close: no shared word, and difflib ratios of yamer to engage 0.36, board 0.4
    assert p.notices == (
        "read note",
        "organisations, row 2, column 'platforms': 'Yamer' is neither a tool nor a suite of "
        "the catalog (no catalog tool has a similar name); it is kept as written, so only "
        "activities naming it the same way use that platform, and its fit is unknown",
    )


def test_unknown_platform_notice_names_the_closest_tools() -> None:
    p = named("Teams; Zoomm; Sharepoint Online")
    assert platforms_of(p) == ("Teams", "Zoomm", "Sharepoint Online")
    assert [n.split(" (")[1].split(")")[0] for n in p.notices] == [
        "closest catalog tools: 'Zoom'",
        "closest catalog tools: 'SharePoint'",
    ]


def test_unknown_platform_notice_is_kept_beside_errors_and_once_with_partial() -> None:
    c, o, _ = valid_base()
    c = [*c, course("c2")]
    a = [act("c1", "a1", 1), act("c2", "b1", "x")]
    orgs = [{**ORGANISATIONS[0], "platforms": "Hammock"}, ORGANISATIONS[1]]
    tables = make_tables(c, o, a, organisations=orgs)
    with pytest.raises(ValidationError, match="1 error in the portfolio") as info:
        validate(tables)
    assert len(info.value.notices) == 1 and "'Hammock'" in info.value.notices[0]
    p = validate(tables, partial=True)
    assert p.course_ids == ["c1"]
    assert len(p.notices) == 1 and "'Hammock'" in p.notices[0]


def clash(tools: list[dict]) -> pd.DataFrame:
    c, o, a = valid_base()
    orgs = [{"organisation": "Acme"}, {"organisation": "default"}]
    return issues_of(make_tables(c, o, a, tools, orgs))


def test_an_alias_clashing_with_another_tools_name_is_a_located_error() -> None:
    issues = clash([*NAMED_TOOLS, {"tool": "Webex", "aliases": "Cisco Webex;ms_teams"}])
    assert keys(issues) == {("tools", 7, "aliases", "ms_teams")}
    assert issues["code"].tolist() == ["name-clash"]
    assert issues["message"].iloc[0] == (
        "alias 'ms_teams' is already an alias of 'Teams' (row 3, column 'aliases'); expected "
        "tool names and aliases unique across the catalog (matched case-insensitively, "
        "spaces, '_' and '-' alike)"
    )


def test_a_tool_name_clashing_with_an_earlier_alias_is_an_error() -> None:
    tools = [*NAMED_TOOLS, {"tool": "Yammer"}]
    with pytest.raises(
        ValidationError,
        match=r"tools, row 7, column 'tool': value 'Yammer'.*already an alias of 'Viva Engage'",
    ):
        validate(make_tables(*valid_base(), tools, [{"organisation": "Acme"}]))


def test_clashes_are_collected_with_every_other_error() -> None:
    tools = [
        *NAMED_TOOLS,
        {"tool": "Drive", "aliases": "Docs;Zoom", "hosting": "cloud"},  # 7 three
        {"tool": "zoom"},  # 8 duplicate name
    ]
    c, o, _ = valid_base()
    a = [act("c1", "a1", "x")]
    issues = issues_of(make_tables(c, o, a, tools, [{"organisation": "Acme"}]))
    assert keys(issues) == {
        ("activities", 2, "seq", "x"),
        ("tools", 7, "aliases", "Docs"),
        ("tools", 7, "aliases", "Zoom"),
        ("tools", 7, "hosting", "cloud"),
        ("tools", 8, "tool", "zoom"),
    }
    by_value = dict(zip(issues["value"], issues["code"], strict=True))
    assert by_value == {
        "x": "bad-number",
        "Docs": "name-clash",
        "Zoom": "name-clash",
        "cloud": "not-in-vocabulary",
        "zoom": "duplicate",
    }
    assert (
        "already the name of 'Zoom' (row 6, column 'tool')"
        in issues.set_index("value").loc["Zoom", "message"]
    )


@pytest.mark.parametrize(
    ("tool", "aliases", "column"), [("None", "", "tool"), ("Wiki", " NONE", "aliases")]
)
def test_none_is_no_tool_name_nor_alias(tool: str, aliases: str, column: str) -> None:
    issues = clash([*NAMED_TOOLS, {"tool": tool, "aliases": aliases}])
    assert keys(issues) == {("tools", 7, column, tool if column == "tool" else "NONE")}
    assert issues["code"].tolist() == ["name-clash"]
    assert (
        "is what an activity writes for no tool; expected another name" in issues["message"].iloc[0]
    )


def test_an_alias_repeating_its_own_name_is_harmless() -> None:
    tools = [{**TOOLS[0], "aliases": "engage; ENGAGE;Yammer;yammer"}, *TOOLS[1:]]
    c, o, _ = valid_base()
    p = make_portfolio(c, o, [act("c1", "a1", 1, tool="YAMMER")], tools)
    assert p.activities["tool"].tolist() == ["Engage"]
    assert p.tools.set_index("tool").loc["Engage", "aliases"] == (
        "engage",
        "ENGAGE",
        "Yammer",
        "yammer",
    )


def test_the_bundled_catalog_has_unique_names_and_aliases() -> None:
    from socialkit.contract.io import catalog_path
    from socialkit.contract.tool_names import name_entries

    tools = pd.read_csv(catalog_path() / "tools.csv", dtype="str")
    entries = name_entries(tools)
    assert not entries["key"].duplicated().any()
    assert len(tools) == 26


# --------------------------------------------------------------------------- canonical output
def test_normalisation_in_portfolio() -> None:
    courses = [
        course("c1", organisation="Acme", status="FINAL"),
        course("c2", organisation="", status=""),
        course("c3", organisation="  ", status="Review"),
    ]
    objectives = [objective("c1", "o1")]
    activities = [
        act(
            "c1",
            "a1",
            "01",
            objective_id="o1",
            timing="Pre-Class",
            direction="n:1",
            tool_type="Discussion",
            tool="engage",
            in_class_reason="coaching",
            learning_type="Practice",
            minutes="030",
        ),
        act(
            "c1",
            "a2",
            " 2 ",
            timing="live",
            direction="Many to Many",
            tool_type="cocreation",
            tool="BOARD",
            in_class_reason="practice",
        ),
        act("c2", "b1", "10", timing="follow_up", direction="1:N", tool="None", minutes=""),
    ]
    orgs = [
        {
            "organisation": "Acme",
            "platforms": "engage;TUBE",
            "blocked_domains": "X.Example.org",
            "prefers_internal": "TRUE",
        },
        {"organisation": "default", "platforms": "", "prefers_internal": "false"},
    ]
    p = make_portfolio(courses, objectives, activities, organisations=orgs)

    assert p.courses["organisation"].tolist() == ["Acme", "default", "default"]
    assert p.courses["status"].tolist() == ["final", "draft", "review"]

    a = p.activities
    assert a["seq"].dtype == "int64"
    assert a["seq"].tolist() == [1, 2, 10]
    assert a["minutes"].dtype == "Int64"
    assert a["minutes"].iloc[0] == 30
    assert pd.isna(a["minutes"].iloc[1]) and pd.isna(a["minutes"].iloc[2])
    assert a["timing"].tolist() == ["before", "during", "after"]
    assert a["direction"].tolist() == ["many-to-one", "many-to-many", "one-to-many"]
    assert a["tool_type"].tolist()[:2] == ["community", "co-creation"]
    assert pd.isna(a["tool_type"].iloc[2])
    assert a["tool"].tolist() == ["Engage", "Board", "none"]
    assert a["in_class_reason"].tolist()[:2] == ["peer-coaching", "skill-practice"]
    assert a["learning_type"].iloc[0] == "practice"
    assert a["organisation"].tolist() == ["Acme", "Acme", "default"]
    assert a["row"].tolist() == [2, 3, 4]

    t = p.tools.set_index("tool")
    assert t.loc["Engage", "tool_types"] == ("community", "content")
    assert t.loc["Engage", "directions"] == ("one-to-many", "many-to-one", "many-to-many")
    assert t.loc["Tube", "domains"] == ("tube.example.org",)
    assert t.loc["Engage", "hosting"] == "internal"
    assert t.loc["Engage", "onboarding"] == "single-sign-on"

    g = p.organisations.set_index("organisation")
    assert g.loc["Acme", "platforms"] == ("Engage", "Tube")
    assert g.loc["default", "platforms"] == ()
    assert g.loc["Acme", "blocked_domains"] == ("x.example.org",)
    assert g["prefers_internal"].dtype == bool
    assert g["prefers_internal"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("True", True), ("false", False), ("FALSE", False), ("", False)],
)
def test_prefers_internal_is_a_bool(raw: str, expected: bool) -> None:
    c, o, a = valid_base()
    orgs = [{**ORGANISATIONS[0], "prefers_internal": raw}, ORGANISATIONS[1]]
    p = make_portfolio(c, o, a, organisations=orgs)
    value = p.organisations.set_index("organisation").loc["Acme", "prefers_internal"]
    assert value is expected or value == expected
    assert p.organisations["prefers_internal"].dtype == bool


def test_whitespace_is_trimmed_from_values() -> None:
    c = [course(" c1 ", title="  Risk  ", organisation=" Acme ")]
    o = [objective(" c1", " o1 ")]
    a = [act("c1 ", " a1", " 1 ", objective_id="o1 ", timing=" before ", tool=" Engage ")]
    p = make_portfolio(c, o, a)
    assert p.courses[["course_id", "title", "organisation"]].iloc[0].tolist() == [
        "c1",
        "Risk",
        "Acme",
    ]
    assert p.activities[["course_id", "activity_id", "objective_id", "timing", "tool"]].iloc[
        0
    ].tolist() == ["c1", "a1", "o1", "before", "Engage"]


def test_portfolio_keeps_raw_tables_and_row_numbers() -> None:
    tables = make_tables(*valid_base())
    p = validate(tables, notices=("note",))
    assert p.notices == ("note",)
    assert p.raw["courses"] is tables["courses"]
    assert p.courses["row"].tolist() == [2]


def test_valid_fixture_has_expected_shape(two_courses) -> None:
    assert two_courses.course_ids == ["c1", "c2"]
    assert two_courses.courses["organisation"].tolist() == ["Acme", "default"]
    assert two_courses.courses["status"].tolist() == ["final", "draft"]
    assert len(two_courses.activities) == 6
