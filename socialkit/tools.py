"""Tool fit and tool recommendations, relative to each organisation.

The method picks a concrete tool last. Once an activity's tool type, social direction
and timing are known, a tool must *fit* it: serve the type, support the direction, and
work live in the room for an activity in class or on the learners' own time for one
before or after it. Among the tools that fit, prefer, in this order, what these learners
can already use (:data:`AVAILABILITY`), what the firewall lets through (a blocked tool is
never recommended), what asks the least of learners before first use, and the hosting
the organisation prefers. The tool an activity already uses comes first among equals, so
advice to switch always has a reason, which is named.

All functions work on the whole portfolio at once; work that depends only on an
(organisation, tool type, direction, timing) combination is done once per combination,
and each result is computed once per portfolio object.

What the tool catalog and the organisation context alone decide (firewall blocks,
each combination's ranking, each (organisation, tool, tool type, direction, timing)'s
fit) is also remembered per catalog: per identity of the ``tools`` and ``organisations``
frames, which are treated as immutable. A new portfolio that shares them (an editor
rebuilding one course on every change) pays only lookups, and works out only the
combinations not seen before.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Hashable

import numpy as np
import pandas as pd

from ._frames import (
    cached,
    factorize_rows,
    isin_codes,
    memoized,
    per_combination,
    per_identity,
)
from .schema import DEFAULT_ORGANISATION, Portfolio
from .vocab import FRICTION, MODE_OF_TIMING

__all__ = ["AVAILABILITY", "FACT_COLUMNS", "blocked_pairs", "recommend_tools", "tool_fit"]

#: How readily an organisation's learners can use a tool, best first:
#: ``available``, among the organisation's platforms (its learners already have access);
#: ``in-suite``, another tool of a suite the organisation uses (it names the suite, or a
#: tool of it: its learners have the suite's account), as ready as a platform;
#: ``external``, outside the organisation, reachable by learners themselves with the
#: onboarding the catalog says; ``to-introduce``, an internal tool the organisation does
#: not have, which it would first have to introduce.
AVAILABILITY: dict[str, str] = {
    "available": "among the organisation's platforms: its learners already have access",
    "in-suite": "part of a suite the organisation uses: its learners already have access",
    "external": "an external tool learners can reach themselves, with the catalog's onboarding",
    "to-introduce": "an internal tool the organisation does not have: it must be introduced first",
}

_KEY = "\x1f"
_AVAIL_RANK = {"available": 0, "in-suite": 0, "external": 1, "to-introduce": 2}
_NO_FRICTION = len(FRICTION) - 1  # an unknown onboarding counts as the worst
_CANDIDATE_COLUMNS = [
    "rank",
    "tool",
    "score",
    "on_platform",
    "availability",
    "hosting",
    "onboarding",
    "reasons",
]
_KEYS = ["organisation", "tool_type", "direction", "timing"]
_MODE_WORDS = {"live": "live in class", "own-time": "on learners' own time"}
_EFFORT_WORDS = {
    "none": "learners need no sign-up",
    "single-sign-on": "learners sign in with their work account",
    "one-click": "learners join in one click, with no profile to create",
    "new-account": "learners must create a new account",
}


def _pairs(tools: pd.DataFrame, column: str) -> set[str]:
    long = tools[["tool", column]].explode(column).dropna()
    return set(long["tool"] + _KEY + long[column])


def _organisation_words(organisation: pd.Series) -> pd.Series:
    """The organisation as sentences name it; the fallback context as what it is."""
    return organisation.where(
        organisation.ne(DEFAULT_ORGANISATION), "the course's organisation (none is named)"
    )


def blocked_pairs(portfolio: Portfolio) -> pd.DataFrame:
    """Which organisation's firewall blocks which tool.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per blocked (``organisation``, ``tool``) with ``domains``: the tool's
        host names the organisation blocks, ``;``-separated. A blocked domain also
        blocks its subdomains (``youtube.com`` blocks ``www.youtube.com``).

    Notes
    -----
    Worked out once per catalog (see the module notes); each call returns a copy.
    """
    return _catalog(portfolio).blocked.copy(deep=False)


def _blocked_pairs(tools: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """:func:`blocked_pairs` of a catalog and a context."""
    orgs = organisations[["organisation", "blocked_domains"]].explode("blocked_domains")
    orgs = orgs.dropna()
    tools = tools[["tool", "domains"]].explode("domains").dropna()
    pairs = orgs.merge(tools, how="cross")
    d, b = pairs["domains"], pairs["blocked_domains"]
    # catalog-sized (organisations x tools), not portfolio-sized
    hit = (d == b) | pd.Series(
        [x.endswith("." + y) for x, y in zip(d, b, strict=True)], index=pairs.index, dtype=bool
    )
    hits = pairs[hit]
    out = hits.groupby(["organisation", "tool"], as_index=False, sort=False)["domains"].agg(
        lambda s: ";".join(dict.fromkeys(s))
    )
    return out.astype({"organisation": "str", "tool": "str", "domains": "str"})


def _tool_attributes(tools: pd.DataFrame) -> pd.DataFrame:
    """The catalog facts ranking and fit need, one row per tool, ``known`` True."""
    t = tools[["tool", "hosting", "onboarding", "suite"]].rename(
        columns={"onboarding": "catalog_onboarding"}
    )
    primary = tools["tool_types"].map(lambda types: types[0] if types else None)
    return t.assign(
        known=True,
        primary=primary.astype("str").to_numpy(),
        n_types=tools["tool_types"].map(len).to_numpy(),
    )


def _access(frame: pd.DataFrame, cat: _Catalog) -> pd.DataFrame:
    """How readily the organisation's learners can use each tool.

    ``frame`` holds ``organisation`` and ``tool`` and the tool's attributes (missing
    for a tool the catalog does not know). Returns ``on_platform``, ``availability``
    (see :data:`AVAILABILITY`), and the onboarding step and friction *for these
    learners*: none for a tool they already have (a platform, or a tool of a suite the
    organisation uses), the catalog's otherwise.
    """
    org, tool = frame["organisation"], frame["tool"]
    on_platform = (org + _KEY + tool).isin(cat.platform_keys).to_numpy(dtype=bool)
    known = frame["known"].to_numpy(dtype=bool, na_value=False)
    in_suite = known & (org + _KEY + frame["suite"].astype("str")).isin(cat.suite_keys).to_numpy(
        dtype=bool, na_value=False
    )
    external = known & frame["hosting"].ne("internal").to_numpy(dtype=bool, na_value=True)
    availability = np.select(
        [on_platform, in_suite, external, known],
        ["available", "in-suite", "external", "to-introduce"],
        default=None,
    ).astype(object)
    availability[availability == 0] = None  # np.select's default of an object array
    friction = frame["catalog_onboarding"].map(FRICTION).to_numpy(dtype="float64", na_value=np.nan)
    friction = np.where(on_platform | in_suite, 0.0, friction)
    steps = np.asarray(list(FRICTION), dtype=object)
    onboarding = np.where(np.isnan(friction), None, steps[np.nan_to_num(friction).astype(int)])
    return pd.DataFrame(
        {
            "on_platform": on_platform,
            "availability": pd.array(availability, dtype="str"),
            "onboarding": pd.array(onboarding, dtype="str"),
            "friction": pd.array(friction, dtype="Float64").astype("Int64"),
        },
        index=frame.index,
    )


@memoized
def tool_fit(portfolio: Portfolio) -> pd.DataFrame:
    """How well each chosen tool fits its activity, for the activity's organisation.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per activity that names a tool (not blank, not ``none``), with
        ``course_id``, ``activity_id``, ``seq``, ``title``, ``organisation``, ``tool``,
        ``tool_type``, ``direction``, ``timing``; ``known`` (the catalog knows the tool);
        ``serves_type``, ``serves_direction`` and ``serves_timing`` (the tool works live
        for an activity in class, on learners' own time for one before or after it):
        nullable booleans, missing while the activity has not decided or the catalog
        does not say; ``blocked`` and ``blocked_domains``; ``hosting``; ``onboarding``
        and ``friction`` (0 = none up to 3 = new account) *for these learners*: none for
        a tool the organisation already has; ``on_platform`` (the organisation lists it)
        and ``availability`` (see :data:`AVAILABILITY`; missing for an unknown tool the
        organisation does not list); ``alternative``: the best-ranked tool that fits the
        same activity and that the organisation's learners have already (a platform, or a
        tool of a suite it uses), when the chosen tool is not such a tool;
        ``recommended``: the best-ranked tool for the activity that these learners can use
        now (available, in a suite the organisation uses, or external), the chosen tool
        when it fits and ranks as well; and ``fits``:
        serves its type, direction and timing (where known) and is not blocked, missing
        for a tool the catalog does not know. Rows come in course order (as the
        courses table lists them), then ``seq``.
    """
    a = portfolio.activities
    cols = ["course_id", "activity_id", "seq", "title"]
    keys = ["organisation", "tool", "tool_type", "direction", "timing"]
    rows = np.flatnonzero((a["tool"].notna() & a["tool"].ne("none")).to_numpy())
    course = isin_codes(a["course_id"], portfolio.course_ids)[rows]
    rows = rows[np.lexsort((a["seq"].to_numpy()[rows], course))]  # course order, then seq
    fit = a[cols + keys].take(rows).reset_index(drop=True)
    # everything below depends on the five keys only: work out each combination once
    _ranked_combinations(portfolio)  # alternatives come from it: rank all combinations at once
    facts = per_combination(fit[keys], _catalog(portfolio).fit_facts)
    return pd.concat([fit, facts], axis=1)


#: What :func:`tool_fit` says of each chosen tool, after the activity's own columns.
FACT_COLUMNS = (
    "known",
    "serves_type",
    "serves_direction",
    "serves_timing",
    "blocked",
    "blocked_domains",
    "hosting",
    "onboarding",
    "friction",
    "on_platform",
    "availability",
    "alternative",
    "recommended",
    "fits",
)


def _fit_combinations(source: Portfolio | _Catalog, fit: pd.DataFrame) -> pd.DataFrame:
    """:func:`tool_fit`'s facts for distinct (organisation, tool, tool_type, direction,
    timing) rows."""
    cat = _catalog(source)
    fit = fit.merge(cat.attributes, on="tool", how="left")
    known = fit["known"].fillna(False).astype(bool)
    tool = fit["tool"]
    mode = fit["timing"].map(MODE_OF_TIMING)

    def serves(value: pd.Series, pairs: set[str], listed: set[str]) -> pd.Series:
        ok = (tool + _KEY + value).isin(pairs).astype("boolean")
        return ok.mask(value.isna() | ~known | ~tool.isin(listed))

    fit["serves_type"] = serves(fit["tool_type"], cat.type_pairs, cat.with_types)
    fit["serves_direction"] = serves(fit["direction"], cat.direction_pairs, cat.with_directions)
    fit["serves_timing"] = serves(mode, cat.mode_pairs, cat.with_modes)

    blocked = cat.blocked.rename(columns={"domains": "blocked_domains"})
    fit = fit.merge(blocked, on=["organisation", "tool"], how="left")
    fit["blocked"] = fit["blocked_domains"].notna()
    fit = pd.concat([fit, _access(fit, cat)], axis=1)
    best, first, first_score = cat.best(fit[_KEYS])
    ready = fit["availability"].isin(["available", "in-suite"]).to_numpy(dtype=bool)
    fit["alternative"] = pd.Series(best, index=fit.index, dtype="str").where(~ready)
    fits = (
        fit["serves_type"].fillna(True)
        & fit["serves_direction"].fillna(True)
        & fit["serves_timing"].fillna(True)
        & ~fit["blocked"]
    )
    # the best tool learners can use now: the chosen one when it fits and ties with it
    prefers = fit["organisation"].map(cat.prefers_internal).fillna(False).to_numpy(dtype=bool)
    internal = fit["hosting"].eq("internal").to_numpy(dtype=bool, na_value=False)
    mine = _score(fit["availability"], fit["friction"], prefers, internal)
    top = np.asarray([np.nan if v is None else v for v in first_score], dtype="float64")
    keeps = (
        known.to_numpy()
        & fits.to_numpy(dtype=bool)
        & fit["availability"].ne("to-introduce").to_numpy(dtype=bool, na_value=False)
        & fit["tool_type"].notna().to_numpy()
        & ~(mine < top)
    )
    first = np.where(keeps, fit["tool"].to_numpy(dtype=object), np.asarray(first, dtype=object))
    fit["recommended"] = pd.Series(first, index=fit.index, dtype="str")
    fit["fits"] = fits.astype("boolean").mask(~known)
    fit["known"] = known
    return fit[list(FACT_COLUMNS)]


@cached
def _combinations(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """Each activity's (organisation, tool_type, direction, timing) number, and the
    distinct ones."""
    return factorize_rows(portfolio.activities[_KEYS])


@memoized
def _ranked_combinations(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`_rank` of every combination of the activities; ``combination`` numbers it.

    Each combination's candidates are together, in rank order.
    """
    return _catalog(portfolio).ranked(_combinations(portfolio)[1])


def _rank(source: Portfolio | _Catalog, combos: pd.DataFrame) -> pd.DataFrame:
    """Candidate tools for each (organisation, tool_type, direction, timing), ranked.

    A candidate serves the tool type and, where decided and known, the direction and
    the mode the timing needs, and is not blocked by the organisation. Combinations
    with no tool type get no candidates. Candidates whose direction or mode the catalog
    leaves open come after those known to fit.
    """
    cat = _catalog(source)
    combos = combos[combos["tool_type"].notna()].drop_duplicates()
    cand = combos.merge(cat.by_type, left_on="tool_type", right_on="tool_types").drop(
        columns="tool_types"
    )
    cand = cand.merge(cat.attributes, on="tool", how="left")
    tool, direction = cand["tool"], cand["direction"]
    mode = cand["timing"].map(MODE_OF_TIMING)
    dir_open = direction.notna() & ~tool.isin(cat.with_directions)
    mode_open = mode.notna() & ~tool.isin(cat.with_modes)
    dir_ok = direction.isna() | dir_open | (tool + _KEY + direction).isin(cat.direction_pairs)
    mode_ok = mode.isna() | mode_open | (tool + _KEY + mode).isin(cat.mode_pairs)
    blocked = (cand["organisation"] + _KEY + tool).isin(cat.blocked_keys)
    keep = (dir_ok & mode_ok & ~blocked).to_numpy(dtype=bool)
    cand = cand[keep].reset_index(drop=True)
    mode = mode[keep].reset_index(drop=True)
    cand["_dir_open"] = dir_open.to_numpy(dtype=bool)[keep]
    cand["_mode_open"] = mode_open.to_numpy(dtype=bool)[keep]
    cand = pd.concat([cand, _access(cand, cat)], axis=1)

    org = cand["organisation"]
    prefers = org.map(cat.prefers_internal).fillna(False).to_numpy(dtype=bool)
    internal = cand["hosting"].eq("internal").to_numpy(dtype=bool, na_value=False)
    cand["score"] = _score(cand["availability"], cand["friction"], prefers, internal)
    cand["reasons"] = _reasons(
        cand,
        mode,
        cand["_dir_open"].to_numpy(),
        cand["_mode_open"].to_numpy(),
        prefers,
        internal,
        cat,
    )

    # among equals: a tool the catalog says fits before one whose direction or modes it
    # leaves open, a tool made first of all for this type of activity (a quiz tool for a
    # quiz, rather than a chat that also runs polls), one made for fewer kinds of activity
    # (a community tool before an all-purpose one), a platform the organisation names
    # before a tool of its suites, then names
    cand["_open"] = cand["_dir_open"] | cand["_mode_open"]
    cand["_other_type"] = cand["primary"].ne(cand["tool_type"]).to_numpy(dtype=bool, na_value=True)
    cand = cand.sort_values(
        [*_KEYS, "score", "_open", "_other_type", "n_types", "on_platform", "tool"],
        ascending=[True, True, True, True, False, True, True, True, False, True],
        kind="stable",
        na_position="last",
    )
    cand["rank"] = cand.groupby(_KEYS, dropna=False, sort=False).cumcount() + 1
    drop = ["catalog_onboarding", "known", "primary", "n_types", "_other_type", "_open"]
    return cand.drop(columns=drop)


def _score(
    availability: pd.Series, friction: pd.Series, prefers: np.ndarray, internal: np.ndarray
) -> np.ndarray:
    """The method's priorities after fit in one number, higher is better: availability
    (20 a step), then the effort to start (4 a step), then the hosting preference (1)."""
    avail = availability.map(_AVAIL_RANK).to_numpy(dtype="float64", na_value=2)
    effort = friction.to_numpy(dtype="float64", na_value=_NO_FRICTION)
    return (
        20 * (2 - avail) + 4 * (_NO_FRICTION - effort) + (prefers & internal | ~prefers)
    ).astype("int64")


def _reasons(
    cand: pd.DataFrame,
    mode: pd.Series,
    dir_open: np.ndarray,
    mode_open: np.ndarray,
    prefers: np.ndarray,
    internal: np.ndarray,
    cat: _Catalog,
) -> list[str]:
    """Each candidate's reasons in the method's order, ``"; "``-joined: what it fits, how
    available it is, the firewall, the effort to start, the hosting preference."""
    org = _organisation_words(cand["organisation"]).tolist()
    direction = cand["direction"].tolist()
    modes = mode.tolist()
    availability = cand["availability"].tolist()
    onboarding = cand["onboarding"].tolist()
    suite = cand["suite"].tolist()
    hosting = cand["hosting"].tolist()
    blocks = cand["organisation"].isin(cat.blocking).tolist()
    out = []
    kinds = cand["tool_type"].tolist()
    made_for = cand["primary"].eq(cand["tool_type"]).to_numpy(dtype=bool, na_value=False)
    for i, (kind, d, m) in enumerate(zip(kinds, direction, modes, strict=True)):
        fit = f"made for {kind}" if made_for[i] else f"serves {kind}"
        if isinstance(d, str):
            fit += f", {d}" if not dir_open[i] else f" (whether it supports {d} is not known)"
        if isinstance(m, str):
            words = _MODE_WORDS[m]
            fit += f", {words}" if not mode_open[i] else f" (whether it works {words} is not known)"
        parts = [fit]
        a = availability[i]
        if a == "available":
            parts.append(f"already available at {org[i]}")
        elif a == "in-suite":
            parts.append(f"part of {suite[i]}, which {org[i]} uses")
        elif a == "external" and not isinstance(hosting[i], str):
            parts.append(
                f"not among {org[i]}'s platforms; the catalog does not say where it is hosted"
            )
        elif a == "external":
            parts.append("external: learners can reach it themselves")
        else:
            parts.append(
                f"internal, but {org[i]} does not have it: it would first have to be introduced"
            )
        if blocks[i]:
            parts.append(f"not blocked by {org[i]}'s firewall")
        if a in ("available", "in-suite"):
            parts.append("learners already have access")
        elif isinstance(onboarding[i], str):
            effort = _EFFORT_WORDS[onboarding[i]]
            parts.append(f"then {effort}" if a == "to-introduce" else effort)
        else:
            parts.append("what learners must do to start is not known")
        if prefers[i] and a != "to-introduce" and isinstance(hosting[i], str):
            parts.append(
                f"internal, as {org[i]} prefers"
                if internal[i]
                else f"external, while {org[i]} prefers internal tools"
            )
        out.append("; ".join(parts))
    return out


def recommend_tools(portfolio: Portfolio, *, top: int = 3) -> pd.DataFrame:
    """Rank candidate tools for every activity whose tool type is decided.

    Candidates fit the activity: they serve its tool type and, where decided, its
    direction and the mode its timing needs (live in class, learners' own time before
    or after it); a blocked tool is never one. They are ranked by the method's
    priorities, one after the other: known to fit, then how readily these learners can
    use the tool (:data:`AVAILABILITY`), then the least onboarding for them, then the
    organisation's hosting preference. The activity's own tool comes first among equals;
    then names decide.

    Parameters
    ----------
    portfolio : Portfolio
    top : int, default 3
        How many candidates to keep per activity.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``activity_id``, ``rank`` (1 = best), ``tool``, ``score``
        (the priorities in one number, higher is better), ``on_platform``,
        ``availability``, ``hosting``, ``onboarding`` (for these learners), ``chosen``
        (the activity already uses it), ``reasons`` (in the order of the priorities)
        and ``advantage``: what a tool ranked above the activity's own has that the
        activity's own lacks (missing for the rest, and when no tool is chosen). Rows
        come in course order (as the courses table lists them), then activity order
        (``seq``), then rank.

    Notes
    -----
    The full ranking is worked out once per portfolio object; ``top`` only cuts it.
    """
    ranked = _ranking(portfolio)
    return ranked[ranked["rank"].to_numpy() <= top].reset_index(drop=True)


_joined_by_top = cached(lambda portfolio: {})


def _joined_recommendations(portfolio: Portfolio, top: int) -> np.ndarray:
    """Each activity's ``top`` recommended tools, best first, ``", "``-joined (NaN where
    there is none), in file order: worked out once per (combination, chosen tool) and
    per ``top``."""
    joined_by_top = _joined_by_top(portfolio)
    if top not in joined_by_top:
        pair, ranked = _pair_ranking(portfolio)
        kept = ranked[ranked["rank"].to_numpy() <= top]
        joined = kept.groupby("pair", sort=False)["tool"].agg(", ".join)
        per_pair = np.full(int(pair.max()) + 1 if len(pair) else 0, np.nan, dtype=object)
        per_pair[joined.index.to_numpy()] = joined.to_numpy()
        joined_by_top[top] = per_pair[pair]
    return joined_by_top[top]


@cached
def _pair_ranking(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """The ranking of each distinct (combination, chosen tool) of the activities.

    Returns each activity's pair number and the pairs' candidates, each pair's rows
    together in rank order: the combination's candidates with the chosen tool moved
    first among equals, ``chosen`` and ``advantage`` set.
    """
    a = portfolio.activities
    combination, _ = _combinations(portfolio)
    ranked = _ranked_combinations(portfolio)
    chosen_tool = a["tool"].where(a["tool"].ne("none"))
    keys = pd.DataFrame({"combination": combination, "tool": chosen_tool})
    pair, pairs = factorize_rows(keys)
    # candidate rows of combination c: by_combination[start[c]:start[c] + counts[c]]
    number = ranked["combination"].to_numpy()
    by_combination = np.argsort(number, kind="stable")
    n_combos = int(combination.max()) + 1 if len(combination) else 0
    counts = np.bincount(number, minlength=n_combos)
    start = np.cumsum(counts) - counts
    c = pairs["combination"].to_numpy()
    n = counts[c]
    owner = np.repeat(np.arange(len(pairs)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    rows = ranked.take(by_combination[np.repeat(start[c], n) + within]).reset_index(drop=True)
    rows["pair"] = owner
    mine = pairs["tool"].to_numpy(dtype=object)[owner]
    rows["chosen"] = (rows["tool"].to_numpy(dtype=object) == mine).astype(bool)
    # the chosen tool first among equals (equal score), the rest as ranked
    order = np.lexsort(
        (rows["rank"].to_numpy(), ~rows["chosen"].to_numpy(), -rows["score"].to_numpy(), owner)
    )
    rows = rows.take(order).reset_index(drop=True)
    rows["rank"] = rows.groupby("pair", sort=False).cumcount().to_numpy() + 1
    rows["advantage"] = _advantages(portfolio, rows, pairs)
    return pair, rows


def _advantages(portfolio: Portfolio, rows: pd.DataFrame, pairs: pd.DataFrame) -> pd.Series:
    """What each candidate ranked above its pair's chosen tool has that the chosen one
    lacks, in the order of the priorities; missing elsewhere."""
    cat = _catalog(portfolio)
    combos = _combinations(portfolio)[1]
    owner = rows["pair"].to_numpy()
    chosen_rank = np.full(len(pairs), np.iinfo(np.int64).max)
    picked = rows["chosen"].to_numpy()
    chosen_rank[owner[picked]] = rows["rank"].to_numpy()[picked]
    has_choice = pairs["tool"].notna().to_numpy()
    above = has_choice[owner] & (rows["rank"].to_numpy() < chosen_rank[owner])
    out = np.full(len(rows), None, dtype=object)
    if not above.any():
        return pd.Series(pd.array(out, dtype="str"))
    # the chosen tools' facts, once per pair
    chosen = combos.take(pairs["combination"].to_numpy()).reset_index(drop=True)
    chosen["tool"] = pairs["tool"].to_numpy()
    facts = [None] * len(pairs)
    named = np.flatnonzero(has_choice)
    fact_frame = cat.fit_facts(
        chosen.iloc[named][
            ["organisation", "tool", "tool_type", "direction", "timing"]
        ].reset_index(drop=True)
    )
    for j, record in zip(named, fact_frame.to_dict("records"), strict=True):
        facts[j] = record
    tools = chosen["tool"].tolist()
    org_words = _organisation_words(chosen["organisation"]).tolist()
    prefers = chosen["organisation"].map(cat.prefers_internal).fillna(False).tolist()
    their = rows[["availability", "friction", "onboarding", "hosting", "suite", "_dir_open"]]
    their = their.assign(_mode_open=rows["_mode_open"])
    for i in np.flatnonzero(above):
        j = owner[i]
        c = their.iloc[i]
        out[i] = _advantage(facts[j], chosen.iloc[j], c, tools[j], org_words[j], prefers[j])
    return pd.Series(pd.array(out, dtype="str"))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _no(value: object) -> bool:
    return not _missing(value) and not bool(value)


def _advantage(mine: dict, need: pd.Series, c: pd.Series, t: str, org: str, prefers: bool):
    """What a candidate ``c`` ranked above the chosen tool ``t`` (facts ``mine``) has that
    ``t`` lacks for the activity's ``need`` (tool type, direction, timing), priorities in
    order; None when nothing."""
    parts = []
    if not mine["known"]:
        return f"in the tool catalog, so its fit can be checked, unlike {t}"
    if _no(mine["serves_type"]):
        parts.append(f"serves {need['tool_type']}, which {t} does not")
    elif _missing(mine["serves_type"]):
        parts.append(f"serves {need['tool_type']}; the catalog does not say {t} does")
    if _no(mine["serves_direction"]):
        parts.append(f"supports {need['direction']}, which {t} does not")
    elif (
        not c["_dir_open"]
        and _missing(mine["serves_direction"])
        and not _missing(need["direction"])
    ):
        parts.append(f"known to support {need['direction']}; the catalog does not say {t} does")
    words = _MODE_WORDS.get(MODE_OF_TIMING.get(need["timing"]))
    if _no(mine["serves_timing"]):
        parts.append(f"works {words}, which {t} does not")
    elif not c["_mode_open"] and _missing(mine["serves_timing"]) and words:
        parts.append(f"known to work {words}; the catalog does not say {t} does")
    if bool(mine["blocked"]):
        parts.append(f"not blocked, while {org}'s firewall blocks {t}")
    mine_rank = _AVAIL_RANK.get(mine["availability"], len(_AVAIL_RANK))
    theirs = c["availability"]
    if _AVAIL_RANK[theirs] < mine_rank:
        if theirs == "available":
            parts.append(f"already available at {org}, unlike {t}")
        elif theirs == "in-suite":
            parts.append(f"part of {c['suite']}, which {org} uses, unlike {t}")
        else:
            parts.append(
                f"learners can reach it now, while {org} would first have to introduce {t}"
            )
    mine_f = _NO_FRICTION if _missing(mine["friction"]) else int(mine["friction"])
    their_f = _NO_FRICTION if _missing(c["friction"]) else int(c["friction"])
    if their_f < mine_f:
        step = _EFFORT_SHORT.get(mine["onboarding"], "an unknown step")
        parts.append(
            f"easier to start ({_EFFORT_SHORT[c['onboarding']]} instead of {step} for {t})"
        )
    if prefers and c["hosting"] == "internal" and mine["hosting"] != "internal":
        parts.append(f"internal, as {org} prefers, unlike {t}")
    return "; ".join(parts) if parts else None


_EFFORT_SHORT = {
    "none": "nothing to sign up for",
    "single-sign-on": "the work account",
    "one-click": "one click",
    "new-account": "a new account",
}


@memoized
def _ranking(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`recommend_tools` with every candidate (no ``top``), built without a merge.

    Each activity, in course order then ``seq``, gets its pair's candidates in rank
    order: the rows are positions into the small per-pair ranking.
    """
    a = portfolio.activities
    pair, ranked = _pair_ranking(portfolio)
    course = isin_codes(a["course_id"], portfolio.course_ids)
    order = np.lexsort((a["seq"].to_numpy(), course))  # course order, then seq
    number = ranked["pair"].to_numpy()
    counts = np.bincount(number, minlength=int(pair.max()) + 1 if len(pair) else 0)
    start = np.cumsum(counts) - counts  # rows of a pair are together, pairs in order
    n = counts[pair[order]]
    act = np.repeat(order, n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cand = np.repeat(start[pair[order]], n) + within
    acts = a[["course_id", "activity_id"]].take(act).reset_index(drop=True)
    out = ranked[[*_CANDIDATE_COLUMNS, "chosen", "advantage"]].take(cand).reset_index(drop=True)
    out.insert(0, "course_id", acts["course_id"])
    out.insert(1, "activity_id", acts["activity_id"])
    cols = ["course_id", "activity_id", *_CANDIDATE_COLUMNS[:-1], "chosen", "reasons", "advantage"]
    return out[cols]


# --------------------------------------------------------------------------- per catalog
def _row_keys(frame: pd.DataFrame) -> list[tuple]:
    """Each row of ``frame`` (string columns) as a hashable key, missing values as None."""
    columns = [[v if isinstance(v, str) else None for v in frame[c].tolist()] for c in frame]
    return list(zip(*columns, strict=True)) if columns else []


class _Catalog:
    """What a tool catalog and an organisation context alone decide, worked out once.

    Holds weak references to the two frames (they key the cache of :func:`_catalog`)
    and, lazily, the facts derived from them: firewall blocks, tool attributes, each
    (organisation, tool_type, direction, timing) combination's ranked candidates and
    best platform, each (organisation, tool, tool_type, direction, timing)'s fit.
    Combinations are worked out in one batch per call, only those not seen before.
    """

    def __init__(self, tools: pd.DataFrame, organisations: pd.DataFrame) -> None:
        self._tools = weakref.ref(tools)
        self._organisations = weakref.ref(organisations)
        self._ranked: pd.DataFrame | None = None  # candidates of every combination seen
        self._blocks: dict[Hashable, np.ndarray] = {}  # a combination's rows in _ranked
        self._best: dict[Hashable, tuple[str | None, str | None]] = {}
        self._facts: pd.DataFrame | None = None  # fit facts of every combination seen
        self._fact_row: dict[Hashable, int] = {}

    @property
    def tools(self) -> pd.DataFrame:
        return self._tools()

    @property
    def organisations(self) -> pd.DataFrame:
        return self._organisations()

    @functools.cached_property
    def blocked(self) -> pd.DataFrame:
        return _blocked_pairs(self.tools, self.organisations)

    @functools.cached_property
    def blocked_keys(self) -> set[str]:
        return set(self.blocked["organisation"] + _KEY + self.blocked["tool"])

    @functools.cached_property
    def blocking(self) -> set[str]:
        """Organisations whose firewall blocks some domain."""
        g = self.organisations
        return set(g.loc[g["blocked_domains"].map(len).gt(0), "organisation"])

    @functools.cached_property
    def attributes(self) -> pd.DataFrame:
        return _tool_attributes(self.tools)

    @functools.cached_property
    def type_pairs(self) -> set[str]:
        return _pairs(self.tools, "tool_types")

    @functools.cached_property
    def direction_pairs(self) -> set[str]:
        return _pairs(self.tools, "directions")

    @functools.cached_property
    def mode_pairs(self) -> set[str]:
        return _pairs(self.tools, "modes")

    def _listing(self, column: str) -> set[str]:
        t = self.tools
        return set(t.loc[t[column].map(len).gt(0), "tool"])

    @functools.cached_property
    def with_types(self) -> set[str]:
        return self._listing("tool_types")

    @functools.cached_property
    def with_directions(self) -> set[str]:
        return self._listing("directions")

    @functools.cached_property
    def with_modes(self) -> set[str]:
        return self._listing("modes")

    @functools.cached_property
    def by_type(self) -> pd.DataFrame:
        return self.tools[["tool", "tool_types"]].explode("tool_types").dropna()

    @functools.cached_property
    def platform_keys(self) -> set[str]:
        platforms = self._platforms
        return set((platforms["organisation"] + _KEY + platforms["platforms"]).dropna())

    @functools.cached_property
    def _platforms(self) -> pd.DataFrame:
        """(organisation, platform) rows, as strings (none when no organisation has one)."""
        platforms = self.organisations[["organisation", "platforms"]].explode("platforms")
        return platforms.dropna().astype("str")

    @functools.cached_property
    def suite_keys(self) -> set[str]:
        """(organisation, suite) keys of the suites whose tools an organisation lists."""
        suites = self._platforms.merge(
            self.tools[["tool", "suite"]], left_on="platforms", right_on="tool"
        ).dropna(subset=["suite"])
        return set(suites["organisation"] + _KEY + suites["suite"].astype("str"))

    @functools.cached_property
    def prefers_internal(self) -> dict[str, bool]:
        g = self.organisations
        return dict(zip(g["organisation"], g["prefers_internal"].astype(bool), strict=True))

    def _rank_new(self, combos: pd.DataFrame) -> list[Hashable]:
        """Rank the (organisation, tool_type, direction, timing) rows not seen yet; their
        keys."""
        keys = _row_keys(combos)
        new = [i for i, k in enumerate(keys) if k not in self._blocks]
        if new:
            ranked = _rank(self, combos.iloc[new])
            start = 0
            if self._ranked is None or not len(self._ranked):
                self._ranked = ranked
            elif len(ranked):
                start = len(self._ranked)
                self._ranked = pd.concat([self._ranked, ranked], ignore_index=True)
            rows: dict[Hashable, list[int]] = {keys[i]: [] for i in new}
            for pos, key in enumerate(_row_keys(ranked[_KEYS])):
                rows[key].append(start + pos)
            availability = self._ranked["availability"]
            ready = availability.isin(["available", "in-suite"]).to_numpy(dtype=bool)
            reachable = availability.ne("to-introduce").to_numpy(dtype=bool, na_value=False)
            tool = self._ranked["tool"].to_numpy()
            score = self._ranked["score"].to_numpy()
            for key, found in rows.items():
                block = np.asarray(found, dtype=np.int64)  # sorted: in rank order
                self._blocks[key] = block
                best, now = block[ready[block]], block[reachable[block]]
                self._best[key] = (
                    tool[best[0]] if len(best) else None,
                    tool[now[0]] if len(now) else None,
                    int(score[now[0]]) if len(now) else None,
                )
        return keys

    def ranked(self, combos: pd.DataFrame) -> pd.DataFrame:
        """:func:`_rank` of the distinct ``combos``, each combination's candidates together
        in rank order and numbered (``combination``) by its row in ``combos``."""
        keys = self._rank_new(combos[_KEYS])
        blocks = [self._blocks[k] for k in keys]
        sizes = [len(b) for b in blocks]
        if not sum(sizes):  # no candidate at all: the frame _rank gives, as it gives it
            return _rank(self, combos[_KEYS]).assign(combination=np.empty(0, np.int64))
        out = self._ranked.take(np.concatenate(blocks)).reset_index(drop=True)
        out["combination"] = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
        return out

    def best(
        self, combos: pd.DataFrame
    ) -> tuple[list[str | None], list[str | None], list[int | None]]:
        """For each (organisation, tool_type, direction, timing) row of ``combos``: the
        best-ranked tool its learners have already (a platform, or a tool of a suite the
        organisation uses), the best-ranked tool its learners can
        use now, not one it would first have to introduce, and that tool's score (None
        where there is none)."""
        found = [self._best[k] for k in self._rank_new(combos)]
        return [b for b, _, _ in found], [f for _, f, _ in found], [s for _, _, s in found]

    def fit_facts(self, combos: pd.DataFrame) -> pd.DataFrame:
        """:func:`_fit_combinations` of the distinct (organisation, tool, tool_type,
        direction, timing) rows of ``combos``, one row each (index not meaningful)."""
        keys = _row_keys(combos)
        if not keys:  # no tool named: the frame _fit_combinations gives, as it gives it
            return _fit_combinations(self, combos)
        new = [i for i, k in enumerate(keys) if k not in self._fact_row]
        if new:
            facts = _fit_combinations(self, combos.iloc[new].reset_index(drop=True))
            start = 0 if self._facts is None else len(self._facts)
            if self._facts is None:
                self._facts = facts
            else:
                self._facts = pd.concat([self._facts, facts], ignore_index=True)
            self._fact_row.update((keys[i], start + j) for j, i in enumerate(new))
        return self._facts.take([self._fact_row[k] for k in keys])


@per_identity
def _catalog_of(tools: pd.DataFrame, organisations: pd.DataFrame) -> _Catalog:
    return _Catalog(tools, organisations)


def _catalog(source: Portfolio | _Catalog) -> _Catalog:
    """The (remembered) catalog facts of a portfolio's ``tools`` and ``organisations``."""
    if isinstance(source, _Catalog):
        return source
    return _catalog_of(source.tools, source.organisations)
