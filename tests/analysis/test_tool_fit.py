"""Tool fit, firewall blocks and tool recommendations against hand-computed expectations.

The conftest catalog (friction: none 0, single sign-on 1, one-click 2, new account 3)::

    tool    types                  directions                         hosting   onboarding
    Engage  community, content     one-to-many, many-to-one, m-to-m   internal  single-sign-on
    Tube    content                one-to-many                        external  none
    Board   community, co-creation many-to-one, many-to-many          external  one-click
    Chat    community              many-to-many                       external  new-account

Acme has Engage, blocks tube.example.org and prefers internal tools; ``default`` has
Engage, blocks nothing and prefers internal tools.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_portfolio

from socialkit.analysis import tool_fit as tools
from socialkit.analysis.tool_fit import (
    _joined_recommendations,
    _rank,
    blocked_pairs,
    recommend_tools,
    tool_fit,
    top_recommendations,
)
from socialkit.base.frames import in_course_order


def course(cid: str, **kw) -> dict:
    return {"course_id": cid, "title": f"Course {cid}", **kw}


def act(cid: str, aid: str, seq: int, **kw) -> dict:
    return {"course_id": cid, "activity_id": aid, "seq": str(seq), "title": f"Act {aid}", **kw}


def tool(
    name: str,
    types: str = "community",
    directions: str = "many-to-many",
    hosting: str = "external",
    onboarding: str = "none",
    domains: str = "",
) -> dict:
    return {
        "tool": name,
        "tool_types": types,
        "directions": directions,
        "hosting": hosting,
        "onboarding": onboarding,
        "domains": domains or f"{name.lower()}.example.com",
    }


def org(
    name: str, platforms: str = "Tube", blocked: str = "", prefers_internal: str = "true"
) -> dict:
    return {
        "organisation": name,
        "platforms": platforms,
        "blocked_domains": blocked,
        "prefers_internal": prefers_internal,
    }


def values(s: pd.Series) -> list:
    """Plain Python values with every kind of missing value as ``None``."""
    return [None if pd.isna(v) else v for v in s.tolist()]


def pairs(df: pd.DataFrame) -> set[tuple[str, str, frozenset[str]]]:
    return {(o, t, frozenset(d.split(";"))) for o, t, d in df.itertuples(index=False, name=None)}


# --------------------------------------------------------------------------- blocked pairs
def test_blocked_pairs_two_courses(two_courses):
    b = blocked_pairs(two_courses)
    assert list(b.columns) == ["organisation", "tool", "domains"]
    assert list(b.itertuples(index=False, name=None)) == [("Acme", "Tube", "tube.example.org")]


@pytest.fixture
def domain_portfolio():
    """Tools on domains around ``tube.example.org``; organisations blocking some of them."""
    tools = [
        tool("Tube", domains="tube.example.org"),
        tool("WwwTube", domains="www.tube.example.org"),
        tool("DeepTube", domains="a.b.tube.example.org"),
        tool("NoTube", domains="notube.example.org"),
        tool("TubeNet", domains="tube.example.org.net"),
        tool("Mixed", domains="mixed.example.com;cdn.tube.example.org;static.example.com"),
        tool("Parent", domains="example.org"),
    ]
    orgs = [
        org("Tubeless", blocked="tube.example.org"),
        org("Narrow", blocked="www.tube.example.org"),
        org("Shouting", blocked="TUBE.Example.ORG"),
        org("Two", blocked="static.example.com;tube.example.org"),
        org("Open"),
    ]
    courses = [course(o["organisation"].lower(), organisation=o["organisation"]) for o in orgs]
    return make_portfolio(courses, [], [], tools=tools, organisations=orgs)


def blocked_tools(b: pd.DataFrame, organisation: str) -> dict[str, set[str]]:
    sub = b[b["organisation"] == organisation]
    return {t: set(d.split(";")) for t, d in zip(sub["tool"], sub["domains"], strict=True)}


def test_blocked_domain_blocks_itself_and_its_subdomains_only(domain_portfolio):
    got = blocked_tools(blocked_pairs(domain_portfolio), "Tubeless")
    assert got == {
        "Tube": {"tube.example.org"},
        "WwwTube": {"www.tube.example.org"},
        "DeepTube": {"a.b.tube.example.org"},
        "Mixed": {"cdn.tube.example.org"},
    }
    # notube.example.org, tube.example.org.net and the parent example.org are not blocked
    assert not {"NoTube", "TubeNet", "Parent"} & set(got)


def test_blocked_subdomain_does_not_block_its_parent(domain_portfolio):
    got = blocked_tools(blocked_pairs(domain_portfolio), "Narrow")
    assert got == {"WwwTube": {"www.tube.example.org"}}


def test_blocked_domains_match_case_insensitively(domain_portfolio):
    got = blocked_tools(blocked_pairs(domain_portfolio), "Shouting")
    assert set(got) == {"Tube", "WwwTube", "DeepTube", "Mixed"}


def test_blocked_pairs_lists_every_blocked_domain_of_a_tool_once(domain_portfolio):
    b = blocked_pairs(domain_portfolio)
    got = blocked_tools(b, "Two")
    # the order of several domains in the cell is not specified: compared as a set
    assert got["Mixed"] == {"cdn.tube.example.org", "static.example.com"}
    assert set(got) == {"Tube", "WwwTube", "DeepTube", "Mixed"}
    # one row per (organisation, tool)
    assert not b.duplicated(["organisation", "tool"]).any()
    assert "Open" not in set(b["organisation"])


@pytest.mark.parametrize(
    "blocked",
    [
        "other.example.net",
        # no organisation blocks anything: the list column is blank in every row
        "",
    ],
    ids=["blocks-other-domain", "blocks-nothing"],
)
def test_blocked_pairs_empty_when_no_tool_is_blocked(blocked):
    p = make_portfolio(
        [course("c", organisation="Open")],
        [],
        [],
        tools=[tool("Tube", domains="tube.example.org")],
        organisations=[org("Open", blocked=blocked)],
    )
    b = blocked_pairs(p)
    assert len(b) == 0
    assert list(b.columns) == ["organisation", "tool", "domains"]


# --------------------------------------------------------------------------- tool fit
FIT_COLUMNS = [
    "course_id",
    "activity_id",
    "seq",
    "title",
    "organisation",
    "tool",
    "tool_type",
    "direction",
    "serves_type",
    "serves_direction",
    "blocked",
    "blocked_domains",
    "hosting",
    "onboarding",
    "friction",
    "on_platform",
    "alternative",
    "fits",
]


def test_tool_fit_two_courses(two_courses):
    fit = tool_fit(two_courses)
    assert set(FIT_COLUMNS) <= set(fit.columns)
    # a2 and a4 use no tool ("none"): no row
    assert list(zip(fit["course_id"], fit["activity_id"], strict=True)) == [
        ("c1", "a1"),
        ("c1", "a3"),
        ("c1", "a5"),
        ("c2", "b1"),
    ]
    assert fit["seq"].tolist() == [1, 3, 5, 1]
    assert fit["organisation"].tolist() == ["Acme", "Acme", "Acme", "default"]
    assert fit["tool"].tolist() == ["Engage", "Chat", "Tube", "Board"]
    assert values(fit["serves_type"]) == [True, True, True, True]
    # a5 has no direction yet
    assert values(fit["serves_direction"]) == [True, True, None, True]
    assert fit["blocked"].tolist() == [False, False, True, False]
    assert values(fit["blocked_domains"]) == [None, None, "tube.example.org", None]
    assert fit["hosting"].tolist() == ["internal", "external", "external", "external"]
    # Acme's learners already have Engage: no onboarding for them, whatever the catalog says
    assert fit["onboarding"].tolist() == ["none", "new-account", "none", "one-click"]
    assert values(fit["friction"]) == [0, 3, 0, 2]
    assert fit["on_platform"].tolist() == [True, False, False, False]
    assert fit["availability"].tolist() == ["available", "external", "external", "external"]
    assert fit["known"].tolist() == [True] * 4
    # the conftest catalog has no modes: whether a tool works live is not known
    assert values(fit["serves_timing"]) == [None] * 4
    # Engage is Acme's platform serving community/many-to-many and content (any direction);
    # default's only platform, Engage, does not serve co-creation; a1 is on the platform
    assert values(fit["alternative"]) == [None, "Engage", "Engage", None]
    assert fit["fits"].tolist() == [True, True, False, True]


def test_tool_fit_misfits_and_undecided():
    p = make_portfolio(
        [course("c")],
        [],
        [
            act("c", "m1", 1, tool_type="community", direction="one-to-many", tool="Tube"),
            act("c", "m2", 2, tool_type="content", direction="many-to-many", tool="tube"),
            act("c", "m3", 3, tool_type="co-creation", direction="many-to-one", tool="Tube"),
            act("c", "m4", 4, direction="many-to-one", tool="Chat"),
            act("c", "m5", 5, tool="Chat"),
            act("c", "m6", 6, tool_type="productivity", tool="Engage"),
            act("c", "m7", 7, tool_type="community"),
            act("c", "m8", 8, tool_type="community", tool="none"),
        ],
    )
    fit = tool_fit(p)
    # m7 names no tool and m8 deliberately none: no row
    assert fit["activity_id"].tolist() == ["m1", "m2", "m3", "m4", "m5", "m6"]
    assert fit["tool"].tolist() == ["Tube", "Tube", "Tube", "Chat", "Chat", "Engage"]
    assert values(fit["serves_type"]) == [False, True, False, None, None, False]
    assert values(fit["serves_direction"]) == [True, False, False, False, None, None]
    assert fit["blocked"].tolist() == [False] * 6
    assert fit["fits"].tolist() == [False, False, False, False, True, False]


def test_tool_fit_alternative_only_from_platforms_that_serve_the_need():
    tools = [
        tool("Hub", types="community;content", directions="one-to-many;many-to-many",
             hosting="internal", onboarding="single-sign-on"),
        tool("Wiki", types="content;co-creation", directions="many-to-many",
             hosting="internal", onboarding="none"),
        tool("Pad", types="co-creation", directions="many-to-many", onboarding="one-click"),
    ]  # fmt: skip
    orgs = [org("Corp", platforms="Hub;Wiki", blocked="wiki.example.com")]
    p = make_portfolio(
        [course("c", organisation="Corp")],
        [],
        [
            # Hub and Wiki (blocked) are platforms; Hub does not serve co-creation
            act("c", "p1", 1, tool_type="co-creation", direction="many-to-many", tool="Pad"),
            # Hub serves content one-to-many; Wiki is blocked anyway
            act("c", "p2", 2, tool_type="content", direction="one-to-many", tool="Pad"),
            act("c", "p3", 3, tool_type="content", direction="one-to-many", tool="Hub"),
            act("c", "p4", 4, tool_type="content", direction="many-to-many", tool="Wiki"),
        ],
        tools=tools,
        organisations=orgs,
    )
    fit = tool_fit(p)
    assert fit["on_platform"].tolist() == [False, False, True, True]
    assert values(fit["alternative"]) == [None, "Hub", None, None]
    assert fit["blocked"].tolist() == [False, False, False, True]
    # Pad serves co-creation many-to-many; it does not serve content nor one-to-many
    assert fit["fits"].tolist() == [True, False, True, False]
    assert values(fit["blocked_domains"]) == [None, None, None, "wiki.example.com"]


# --------------------------------------------------------------------------- recommend
REC_COLUMNS = [
    "course_id",
    "activity_id",
    "rank",
    "tool",
    "score",
    "on_platform",
    "availability",
    "hosting",
    "onboarding",
    "chosen",
    "reasons",
    "advantage",
]

# Scores, higher is better, the method's priorities after fit one after the other:
#   20 x (2 - availability): available or in-suite 0, external 1, to-introduce 2;
#   + 4 x (3 - friction for these learners): 0 for a tool they already have;
#   + 1 for the hosting the organisation prefers (every tool when it prefers none).
# Among equal scores, a tool the catalog says fits (the conftest catalog has no modes: a
# decided timing leaves the mode open) comes before one it leaves open.


def test_recommend_tools_two_courses(two_courses):
    r = recommend_tools(two_courses)
    assert list(r.columns) == REC_COLUMNS
    got = [(c, a, k, t, s) for c, a, k, t, s in r[REC_COLUMNS[:5]].itertuples(index=False)]
    assert got == [
        # a1 Acme content one-to-many, before: Tube is blocked;
        # Engage 40 (a platform) + 12 (no onboarding for Acme) + 1 (internal)
        ("c1", "a1", 1, "Engage", 53),
        # a3 Acme community many-to-many, before: Board 20 + 4 + 0, Chat 20 + 0 + 0
        ("c1", "a3", 1, "Engage", 53),
        ("c1", "a3", 2, "Board", 24),
        ("c1", "a3", 3, "Chat", 20),
        # a5 Acme content, direction undecided, after: Tube is blocked
        ("c1", "a5", 1, "Engage", 53),
        # b1 default co-creation many-to-many, timing undecided:
        # only Board serves it, 20 + 4 + 0
        ("c2", "b1", 1, "Board", 24),
    ]
    assert r["chosen"].tolist() == [True, False, False, True, False, True]
    assert r["on_platform"].tolist() == [True, True, False, False, True, False]
    assert r["availability"].tolist() == [
        "available",
        "available",
        "external",
        "external",
        "available",
        "external",
    ]
    hosting = ["internal", "internal", "external", "external", "internal", "external"]
    assert r["hosting"].tolist() == hosting
    assert r["onboarding"].tolist() == [
        "none",
        "none",
        "one-click",
        "new-account",
        "none",
        "one-click",
    ]
    # a2 and a4 have no tool type: no candidates
    assert not {"a2", "a4"} & set(r["activity_id"])


def test_recommend_tools_reasons(two_courses):
    r = recommend_tools(two_courses).set_index(["activity_id", "tool"])["reasons"]
    assert r.loc[("a1", "Engage")] == (
        "serves content, one-to-many (whether it works on learners' own time is not known); "
        "already available at Acme; not blocked by Acme's firewall; "
        "learners already have access; internal, as Acme prefers"
    )
    # Chat is made for community (its first tool type), Engage only serves content
    assert r.loc[("a3", "Chat")] == (
        "made for community, many-to-many (whether it works on learners' own time is not "
        "known); external: learners can reach it themselves; not blocked by Acme's "
        "firewall; learners must create a new account; external, while Acme prefers "
        "internal tools"
    )
    # no organisation named: the fallback context is called what it is
    assert r.loc[("b1", "Board")] == (
        "serves co-creation, many-to-many; external: learners can reach it themselves; "
        "learners join in one click, with no profile to create; external, while the "
        "course's organisation (none is named) prefers internal tools"
    )


def test_recommend_tools_advantages(two_courses):
    r = recommend_tools(two_courses).set_index(["activity_id", "tool"])["advantage"]
    # a3 chose Chat, ranked third: both tools above it say what they have that Chat lacks
    assert r.loc[("a3", "Engage")] == (
        "already available at Acme, unlike Chat; easier to start (nothing to sign up for "
        "instead of a new account for Chat); internal, as Acme prefers, unlike Chat"
    )
    assert r.loc[("a3", "Board")] == "easier to start (one click instead of a new account for Chat)"
    # a5 chose Tube, which Acme blocks
    assert r.loc[("a5", "Engage")] == (
        "not blocked, while Acme's firewall blocks Tube; already available at Acme, "
        "unlike Tube; internal, as Acme prefers, unlike Tube"
    )
    # the chosen tool itself, and tools ranked below it, give no reason to switch
    assert values(r.loc[[("a1", "Engage"), ("a3", "Chat"), ("b1", "Board")]]) == [None] * 3


@pytest.fixture
def tie_portfolio():
    """One community/many-to-many activity (tool Mango) in two organisations.

    Corp has Alpha and Blocky, blocks Blocky and prefers internal tools; Free has the same
    platforms, blocks nothing and has no preference. Scores by hand::

        tool    hosting   onboarding  Corp                   Free
        Alpha   external  new-account 40+12+0 = 52 (has it)  40+12+1 = 53
        Zed     internal  none        0+12+1 = 13 (lacks)    0+12+1 = 13
        Kiwi    external  none        20+12+0 = 32           20+12+1 = 33
        Mango   external  none        32                     33
        Blocky  internal  none        blocked                40+12+1 = 53
        Solo    internal  none        wrong direction (one-to-many only)
        Paper   external  none        wrong type (content only)
    """
    tools = [
        tool("Alpha", onboarding="new-account"),
        tool("Zed", hosting="internal"),
        tool("Mango"),
        tool("Kiwi"),
        tool("Blocky", hosting="internal"),
        tool("Solo", directions="one-to-many", hosting="internal"),
        tool("Paper", types="content"),
    ]
    orgs = [
        org("Corp", platforms="Alpha;Blocky", blocked="blocky.example.com"),
        org("Free", platforms="Alpha;Blocky", prefers_internal="false"),
    ]
    need = {"tool_type": "community", "direction": "many-to-many", "tool": "Mango"}
    return make_portfolio(
        [course("corp", organisation="Corp"), course("free", organisation="Free")],
        [],
        [
            act("corp", "r1", 1, **need),
            act("free", "r1", 1, **need),
            act("free", "r2", 2, tool_type="community", tool="Kiwi"),
        ],
        tools=tools,
        organisations=orgs,
    )


def ranking(r: pd.DataFrame, course_id: str, activity_id: str) -> list[tuple[str, int]]:
    sub = r[(r["course_id"] == course_id) & (r["activity_id"] == activity_id)]
    assert sub["rank"].tolist() == list(range(1, len(sub) + 1))
    return list(zip(sub["tool"], sub["score"], strict=True))


def test_recommend_chosen_first_among_equals_then_name(tie_portfolio):
    r = recommend_tools(tie_portfolio, top=10)
    # an internal tool Corp lacks never ranks above one its learners can reach at once;
    # Kiwi and Mango tie: the chosen Mango comes first
    assert ranking(r, "corp", "r1") == [("Alpha", 52), ("Mango", 32), ("Kiwi", 32), ("Zed", 13)]
    # no preference for internal tools, nothing blocked: Alpha and Blocky tie, by name
    assert ranking(r, "free", "r1") == [
        ("Alpha", 53),
        ("Blocky", 53),
        ("Mango", 33),
        ("Kiwi", 33),
        ("Zed", 13),
    ]
    # direction undecided: Solo becomes a candidate; the chosen Kiwi before Mango
    assert ranking(r, "free", "r2") == [
        ("Alpha", 53),
        ("Blocky", 53),
        ("Kiwi", 33),
        ("Mango", 33),
        ("Solo", 13),
        ("Zed", 13),
    ]


def test_recommend_excludes_blocked_wrong_type_and_wrong_direction(tie_portfolio):
    r = recommend_tools(tie_portfolio, top=10)
    corp = set(r.loc[r["course_id"] == "corp", "tool"])
    assert not {"Blocky", "Solo", "Paper"} & corp
    assert "Paper" not in set(r["tool"])


def test_recommend_chosen_flags_the_tool_in_use(tie_portfolio):
    r = recommend_tools(tie_portfolio, top=10)
    corp = r[r["course_id"] == "corp"]
    assert corp["chosen"].tolist() == [False, True, False, False]
    r2 = r[(r["course_id"] == "free") & (r["activity_id"] == "r2")]
    assert r2.loc[r2["chosen"], "tool"].tolist() == ["Kiwi"]


def test_a_switch_always_names_its_advantage(tie_portfolio):
    r = recommend_tools(tie_portfolio, top=10).set_index(["course_id", "activity_id", "tool"])
    advantage = r["advantage"]
    # Alpha, ranked above the chosen Mango, is a platform; the learners already have it
    assert advantage.loc[("corp", "r1", "Alpha")] == "already available at Corp, unlike Mango"
    assert advantage.loc[("free", "r1", "Blocky")] == "already available at Free, unlike Mango"
    # Kiwi ties with the chosen Mango: below it, no advice to switch
    assert pd.isna(advantage.loc[("corp", "r1", "Kiwi")])
    assert pd.isna(advantage.loc[("corp", "r1", "Zed")])


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (1, ["Alpha"]),
        (2, ["Alpha", "Mango"]),
        (3, ["Alpha", "Mango", "Kiwi"]),
        (4, ["Alpha", "Mango", "Kiwi", "Zed"]),
        (9, ["Alpha", "Mango", "Kiwi", "Zed"]),
    ],
)
def test_recommend_top(tie_portfolio, top, expected):
    r = recommend_tools(tie_portfolio, top=top)
    corp = r[r["course_id"] == "corp"]
    assert corp["tool"].tolist() == expected
    assert corp["rank"].tolist() == list(range(1, len(expected) + 1))
    # the other activities are cut at the same depth
    assert (r.groupby(["course_id", "activity_id"]).size() <= top).all()


@pytest.mark.parametrize(("top", "expected"), [(0, []), (2, ["Alpha", "Mango"])])
def test_top_recommendations_are_built_with_the_top_rows_only(tie_portfolio, top, expected):
    r = top_recommendations(tie_portfolio, top=top)
    assert r.loc[r["course_id"] == "corp", "tool"].tolist() == expected
    assert r.index.tolist() == list(range(len(r)))
    assert list(r.columns) == ["course_id", "activity_id", *tools.RECOMMENDATION_COLUMNS]
    expected_rows = merge_recommend_tools(tie_portfolio, top)
    pd.testing.assert_frame_equal(r[REC_COLUMNS[:-1]], expected_rows, check_dtype=False)


def test_recommend_default_top_is_three(tie_portfolio):
    r = recommend_tools(tie_portfolio)
    assert r.groupby(["course_id", "activity_id"]).size().tolist() == [3, 3, 3]
    assert r.loc[r["course_id"] == "corp", "tool"].tolist() == ["Alpha", "Mango", "Kiwi"]


def test_recommend_reasons_in_tie_portfolio(tie_portfolio):
    r = recommend_tools(tie_portfolio, top=10).set_index(["course_id", "activity_id", "tool"])
    reasons = r["reasons"]
    # fit, availability, firewall, effort, hosting: in that order
    # every tool of this catalog is made for community (its first and only type)
    assert reasons.loc[("corp", "r1", "Alpha")] == (
        "made for community, many-to-many; already available at Corp; not blocked by "
        "Corp's firewall; learners already have access; external, while Corp prefers "
        "internal tools"
    )
    # Corp prefers internal tools, but does not have Zed: no claim that it is ready
    assert reasons.loc[("corp", "r1", "Zed")] == (
        "made for community, many-to-many; internal, but Corp does not have it: it would "
        "first have to be introduced; not blocked by Corp's firewall; then learners need "
        "no sign-up"
    )
    # Free blocks nothing and does not prefer internal tools
    assert reasons.loc[("free", "r1", "Kiwi")] == (
        "made for community, many-to-many; external: learners can reach it themselves; "
        "learners need no sign-up"
    )
    assert reasons.loc[("free", "r2", "Blocky")] == (
        "made for community; already available at Free; learners already have access"
    )
    assert r.loc[("free", "r1", "Blocky"), "on_platform"]
    assert r.loc[("corp", "r1", "Zed"), "availability"] == "to-introduce"
    # no reason contradicts another: a tool learners have never asks for an account
    have = r[r["availability"].eq("available")]
    assert not have["reasons"].str.contains("account|one click|sign in").any()


# --------------------------------------------------------------------------- computed once
def merge_recommend_tools(portfolio, top: int = 3) -> pd.DataFrame:
    """``recommend_tools`` the slow way: rank per combination, merge, move the chosen
    tool first among equal scores, number, cut to ``top``."""
    keys = ["organisation", "tool_type", "direction", "timing"]
    a = portfolio.activities[["course_id", "activity_id", "seq", *keys, "tool"]]
    ranked = _rank(portfolio, a[keys])
    out = a.rename(columns={"tool": "chosen_tool"}).merge(ranked, on=keys, how="inner")
    out["chosen"] = out["tool"] == out["chosen_tool"]
    out["_not_chosen"] = ~out["chosen"]
    out["_minus"] = -out["score"]
    out = in_course_order(out, portfolio.course_ids, ["seq", "_minus", "_not_chosen", "rank"])
    out["rank"] = out.groupby(["course_id", "activity_id"], sort=False).cumcount() + 1
    out = out[out["rank"] <= top]
    return out[REC_COLUMNS[:-1]].reset_index(drop=True)


@pytest.mark.parametrize("top", [0, 1, 2, 3, 10])
@pytest.mark.parametrize("name", ["two_courses", "tie_portfolio", "sample"])
def test_memoized_ranking_cut_to_top_equals_the_merge_built_one(request, name, top):
    p = request.getfixturevalue(name)
    recommend_tools(p, top=10)  # the full ranking is now remembered; top only cuts it
    got = recommend_tools(p, top=top)[REC_COLUMNS[:-1]]
    pd.testing.assert_frame_equal(got, merge_recommend_tools(p, top), check_dtype=False)


def test_recommend_tools_ranks_once_per_portfolio(tie_portfolio, monkeypatch):
    calls = []
    monkeypatch.setattr(tools, "_rank", lambda *a: calls.append(1) or _rank(*a))
    first = recommend_tools(tie_portfolio, top=1)
    recommend_tools(tie_portfolio, top=2)
    tool_fit(tie_portfolio)  # its alternatives come from the same ranking
    assert len(calls) == 1
    first.loc[0, "tool"] = "changed"  # a caller may change what it gets
    assert recommend_tools(tie_portfolio, top=1).loc[0, "tool"] == "Alpha"


def test_joined_recommendations_per_activity_and_top(tie_portfolio):
    # activities in file order: corp r1, free r1, free r2 (see the tie_portfolio scores)
    assert _joined_recommendations(tie_portfolio, 2).tolist() == [
        "Alpha, Mango",
        "Alpha, Blocky",
        "Alpha, Blocky",
    ]
    assert _joined_recommendations(tie_portfolio, 1).tolist() == ["Alpha", "Alpha", "Alpha"]
    assert pd.isna(_joined_recommendations(tie_portfolio, 0)).all()


def test_joined_recommendations_missing_without_tool_type(two_courses):
    # a2 and a4 have no tool type; a3 has Engage 53, Board 24, Chat 20
    joined = _joined_recommendations(two_courses, 3)
    assert values(pd.Series(joined)) == [
        "Engage",
        None,
        "Engage, Board, Chat",
        None,
        "Engage",
        "Board",
    ]


# --------------------------------------------------------------------------- per catalog
def with_frames(portfolio, **frames):
    """A new portfolio object: copies of the design tables, unless given, and the given
    catalog frames (the same catalog objects otherwise)."""
    import dataclasses

    tables = {k: getattr(portfolio, k).copy() for k in ("courses", "objectives", "activities")}
    return dataclasses.replace(portfolio, **{**tables, **frames})


def all_results(p) -> list[pd.DataFrame]:
    return [blocked_pairs(p), tool_fit(p), recommend_tools(p, top=10)]


@pytest.mark.parametrize("name", ["two_courses", "tie_portfolio", "sample"])
def test_a_portfolio_sharing_the_catalog_gives_identical_results(request, name, monkeypatch):
    p = request.getfixturevalue(name)
    first = all_results(p)
    calls = []
    monkeypatch.setattr(tools, "_rank", lambda *a: calls.append(1) or _rank(*a))
    again = with_frames(p)  # same tools and organisations objects: only lookups
    for got, expected in zip(all_results(again), first, strict=True):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert calls == []


def test_a_new_catalog_is_not_confused_with_a_remembered_one(two_courses):
    before = tool_fit(two_courses)
    assert before["blocked"].any()  # Acme blocks Tube
    orgs = two_courses.organisations.assign(blocked_domains=[()] * len(two_courses.organisations))
    unblocked = with_frames(two_courses, organisations=orgs)
    assert not tool_fit(unblocked)["blocked"].any()
    assert blocked_pairs(unblocked).empty
    # the first catalog's facts are still its own
    pd.testing.assert_frame_equal(tool_fit(with_frames(two_courses)), before)


def test_only_unseen_combinations_are_worked_out(two_courses, monkeypatch):
    recommend_tools(two_courses)
    tool_fit(two_courses)
    ranked, fitted = [], []
    monkeypatch.setattr(tools, "_rank", lambda s, c: ranked.append(len(c)) or _rank(s, c))
    fit_combinations = tools._fit_combinations
    monkeypatch.setattr(
        tools, "_fit_combinations", lambda s, c: fitted.append(len(c)) or fit_combinations(s, c)
    )
    a = two_courses.activities.copy()
    a.loc[a.index[0], ["tool", "tool_type"]] = ["Board", "co-creation"]  # one new combination
    edited = with_frames(two_courses, activities=a)
    fit = tool_fit(edited).set_index("activity_id")
    assert ranked == [1] and fitted == [1]
    assert fit.loc["a1", "tool"] == "Board"
    assert fit.loc["a1", "serves_type"]
    # the same answer as a catalog worked out from scratch
    fresh = with_frames(
        edited, tools=two_courses.tools.copy(), organisations=two_courses.organisations.copy()
    )
    pd.testing.assert_frame_equal(tool_fit(edited), tool_fit(fresh))
    pd.testing.assert_frame_equal(recommend_tools(edited), recommend_tools(fresh))


def test_a_catalog_is_forgotten_with_its_frames(two_courses):
    import gc

    t, o = two_courses.tools.copy(), two_courses.organisations.copy()
    p = with_frames(two_courses, tools=t, organisations=o)
    tool_fit(p)
    key = (id(t), id(o))
    assert key in tools._catalog_of.cache
    del p, t, o
    gc.collect()
    assert key not in tools._catalog_of.cache


# --------------------------------------------------------------------------- what is known
def test_a_tool_whose_modes_are_not_known_still_ranks_by_availability():
    # OurForum is the organisation's own platform, its modes are blank in this catalog;
    # Forum2 is internal, fits for sure, but the organisation lacks it; Pad is external
    tools = [
        {**tool("OurForum", hosting="internal", onboarding="single-sign-on"), "modes": ""},
        {**tool("Forum2", hosting="internal", onboarding="single-sign-on"), "modes": "own-time"},
        {**tool("Pad", onboarding="one-click"), "modes": "own-time"},
    ]
    p = make_portfolio(
        [course("c", organisation="Org")],
        [],
        [act("c", "a", 1, timing="before", direction="many-to-many", tool_type="community",
             tool="OurForum")],
        tools=tools,
        organisations=[org("Org", platforms="OurForum")],
    )  # fmt: skip
    r = recommend_tools(p, top=10)
    # 40 + 12 + 1 for the available one; Pad 20 + 4 + 0; Forum2 0 + 8 + 1, last
    assert ranking(r, "c", "a") == [("OurForum", 53), ("Pad", 24), ("Forum2", 9)]
    fit = tool_fit(p).iloc[0]
    assert pd.isna(fit["serves_timing"]) and fit["fits"]
    assert fit["recommended"] == "OurForum" and pd.isna(fit["alternative"])


def test_a_tie_recommends_the_chosen_tool_and_a_suite_tool_needs_no_alternative(sample):
    fit = tool_fit(sample).set_index(["course_id", "activity_id"])
    # it-risk A5: Microsoft Forms comes with Microsoft 365, which Contoso uses through
    # Teams, SharePoint, Viva Engage and Stream: ready, so no other platform is suggested
    a5 = fit.loc[("it-risk", "A5")]
    assert a5["availability"] == "in-suite" and a5["onboarding"] == "none"
    assert pd.isna(a5["alternative"]) and a5["recommended"] == "Microsoft Forms"
    # it-risk A1: Viva Engage and Teams tie for Contoso; the chosen one is recommended
    assert fit.loc[("it-risk", "A1"), "recommended"] == "Viva Engage"


def test_blocked_domains_as_firewall_lists_write_them():
    # a wildcard, a URL with scheme and path, a trailing dot and a port all name a host
    p = make_portfolio(
        [course("c", organisation="Strict")],
        [],
        [],
        tools=[tool("Chat", domains="slack.com"), tool("Pad", domains="padlet.com"),
               tool("Net", domains="www.linkedin.com"), tool("Quiz", domains="kahoot.it")],
        organisations=[org("Strict", blocked="*.slack.com;https://www.linkedin.com/feed/;"
                                             "padlet.com.;kahoot.it:443")],
    )  # fmt: skip
    b = blocked_pairs(p)
    assert dict(zip(b["tool"], b["domains"], strict=True)) == {
        "Chat": "slack.com",
        "Pad": "padlet.com",
        "Net": "www.linkedin.com",
        "Quiz": "kahoot.it",
    }


def test_row_keys_of_a_mapping_of_arrays_are_those_of_its_frame() -> None:
    from socialkit.analysis.catalog import row_keys

    columns = {"a": pd.array(["x", None], dtype="str"), "b": pd.array(["y", "z"], dtype="str")}
    assert row_keys(columns) == [("x", "y"), (None, "z")]
    assert row_keys(pd.DataFrame(columns)) == row_keys(columns)
    assert row_keys({}) == []


def test_fact_rows_are_the_rows_fit_facts_takes(two_courses) -> None:
    import numpy as np

    cat = tools._catalog(two_courses)
    keys = ["organisation", "tool", "tool_type", "direction", "timing"]
    combos = tool_fit(two_courses)[keys].drop_duplicates().reset_index(drop=True)
    combos = pd.concat([combos, combos.iloc[:1]], ignore_index=True)  # one row twice
    seen, rows = cat.fact_rows({c: combos[c].array for c in keys})
    assert rows.dtype == np.int64 and len(rows) == len(combos) and rows[0] == rows[-1]
    pd.testing.assert_frame_equal(seen.take(rows), cat.fit_facts(combos))
    again, same = cat.fact_rows(combos)  # a frame, seen already: nothing new worked out
    assert again is seen and same.tolist() == rows.tolist()


def test_fit_parts_of_portfolios_with_the_same_keys_share_their_facts(two_courses):
    # a second portfolio of the same catalog with the same tools, types, directions and
    # timings (only a benefit differs), as an editor's next view of a course
    again = two_courses.select(two_courses.course_ids)
    first, second = tools.fit_parts(two_courses)[2], tools.fit_parts(again)[2]
    assert again is not two_courses and second is first
    assert first["tool"].tolist() == ["Engage", "Chat", "Tube", "Board"]
