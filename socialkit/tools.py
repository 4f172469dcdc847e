"""Tool fit and tool recommendations under an organisation's constraints.

The method picks a concrete tool last: once an activity's tool type and social
direction are known, prefer what the organisation already has, what its firewall
lets through, and what asks the least of learners before first use.
All functions work on the whole portfolio at once; work that depends only on an
(organisation, tool type, direction) combination is done once per combination, and
each result is computed once per portfolio object.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import cached, factorize_rows, in_course_order, isin_codes, memoized, per_combination
from .schema import Portfolio
from .vocab import FRICTION

__all__ = ["blocked_pairs", "recommend_tools", "tool_fit"]

_KEY = "\x1f"
_CANDIDATE_COLUMNS = ["rank", "tool", "score", "on_platform", "hosting", "onboarding", "reasons"]


def _pairs(tools: pd.DataFrame, column: str) -> set[str]:
    long = tools[["tool", column]].explode(column).dropna()
    return set(long["tool"] + _KEY + long[column])


@memoized
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
    """
    orgs = portfolio.organisations[["organisation", "blocked_domains"]].explode("blocked_domains")
    orgs = orgs.dropna()
    tools = portfolio.tools[["tool", "domains"]].explode("domains").dropna()
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


def _tool_attributes(portfolio: Portfolio) -> pd.DataFrame:
    t = portfolio.tools[["tool", "hosting", "onboarding"]].copy()
    t["friction"] = t["onboarding"].map(FRICTION).astype("Int64")
    return t


@memoized
def tool_fit(portfolio: Portfolio) -> pd.DataFrame:
    """How well each chosen tool fits its activity and its organisation.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per activity that names a tool (not blank, not ``none``), with
        ``course_id``, ``activity_id``, ``seq``, ``title``, ``organisation``, ``tool``,
        ``tool_type``, ``direction``; ``serves_type`` and ``serves_direction``
        (boolean, missing while the type or direction is undecided); ``blocked`` and
        ``blocked_domains``; ``hosting``, ``onboarding`` and ``friction`` (0 = none up to
        3 = new account); ``on_platform`` (the organisation already has it);
        ``alternative``: the best-ranked platform of the organisation that serves the
        same type and direction, when the chosen tool is not one; and ``fits``: serves
        its type and direction (where decided) and is not blocked. Rows come in course
        order (as the courses table lists them), then ``seq``.
    """
    a = portfolio.activities
    cols = ["course_id", "activity_id", "seq", "title"]
    keys = ["organisation", "tool", "tool_type", "direction"]
    fit = a.loc[a["tool"].notna() & a["tool"].ne("none"), cols + keys].reset_index(drop=True)
    # everything below depends on the four keys only: work out each combination once
    facts = per_combination(fit[keys], lambda combos: _fit_combinations(portfolio, combos))
    return in_course_order(pd.concat([fit, facts], axis=1), portfolio.course_ids, ["seq"])


def _fit_combinations(portfolio: Portfolio, fit: pd.DataFrame) -> pd.DataFrame:
    type_ok = (fit["tool"] + _KEY + fit["tool_type"]).isin(_pairs(portfolio.tools, "tool_types"))
    dir_ok = (fit["tool"] + _KEY + fit["direction"]).isin(_pairs(portfolio.tools, "directions"))
    fit["serves_type"] = type_ok.astype("boolean").mask(fit["tool_type"].isna())
    fit["serves_direction"] = dir_ok.astype("boolean").mask(fit["direction"].isna())

    blocked = blocked_pairs(portfolio).rename(columns={"domains": "blocked_domains"})
    fit = fit.merge(blocked, on=["organisation", "tool"], how="left")
    fit["blocked"] = fit["blocked_domains"].notna()
    fit = fit.merge(_tool_attributes(portfolio), on="tool", how="left")

    platforms = portfolio.organisations[["organisation", "platforms"]].explode("platforms")
    on_platform = set((platforms["organisation"] + _KEY + platforms["platforms"]).dropna())
    fit["on_platform"] = (fit["organisation"] + _KEY + fit["tool"]).isin(on_platform)

    best = _best_platform(portfolio)
    fit = fit.merge(best, on=["organisation", "tool_type", "direction"], how="left")
    fit["alternative"] = fit["alternative"].where(~fit["on_platform"])
    fit["fits"] = (
        fit["serves_type"].fillna(True) & fit["serves_direction"].fillna(True) & ~fit["blocked"]
    ).astype(bool)
    return fit.drop(columns=["organisation", "tool", "tool_type", "direction"])


def _best_platform(portfolio: Portfolio) -> pd.DataFrame:
    """Top-ranked organisation platform for each (organisation, tool_type, direction) of
    the portfolio's activities."""
    ranked = _ranked_combinations(portfolio)
    ranked = ranked[ranked["on_platform"]].sort_values("rank", kind="stable")
    best = ranked.drop_duplicates(["organisation", "tool_type", "direction"])
    return best[["organisation", "tool_type", "direction", "tool"]].rename(
        columns={"tool": "alternative"}
    )


_KEYS = ["organisation", "tool_type", "direction"]


@cached
def _combinations(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """Each activity's (organisation, tool_type, direction) number, and the distinct ones."""
    return factorize_rows(portfolio.activities[_KEYS])


@memoized
def _ranked_combinations(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`_rank` of every combination of the activities; ``combination`` numbers it."""
    combos = _combinations(portfolio)[1]
    return _rank(portfolio, combos.assign(combination=np.arange(len(combos))))


def _rank(portfolio: Portfolio, combos: pd.DataFrame) -> pd.DataFrame:
    """Candidate tools for each (organisation, tool_type, direction), scored and ranked.

    A candidate serves the tool type and, where decided, the direction, and is not
    blocked by the organisation. Combinations with no tool type get no candidates.
    """
    combos = combos[combos["tool_type"].notna()].drop_duplicates()
    tools = portfolio.tools[["tool", "tool_types", "directions"]]
    attrs = _tool_attributes(portfolio)
    by_type = tools[["tool", "tool_types"]].explode("tool_types").dropna()
    cand = combos.merge(by_type, left_on="tool_type", right_on="tool_types").drop(
        columns="tool_types"
    )
    dirs = _pairs(portfolio.tools, "directions")
    cand = cand[cand["direction"].isna() | (cand["tool"] + _KEY + cand["direction"]).isin(dirs)]
    blocked = blocked_pairs(portfolio)
    blocked_keys = set(blocked["organisation"] + _KEY + blocked["tool"])
    cand = cand[~(cand["organisation"] + _KEY + cand["tool"]).isin(blocked_keys)]
    cand = cand.merge(attrs, on="tool", how="left")

    orgs = portfolio.organisations[["organisation", "platforms", "prefers_internal"]]
    plat = orgs[["organisation", "platforms"]].explode("platforms").dropna()
    plat_keys = set(plat["organisation"] + _KEY + plat["platforms"])
    cand["on_platform"] = (cand["organisation"] + _KEY + cand["tool"]).isin(plat_keys)
    cand = cand.merge(orgs[["organisation", "prefers_internal"]], on="organisation", how="left")
    internal_pref = cand["prefers_internal"].fillna(False).astype(bool) & cand["hosting"].eq(
        "internal"
    )
    friction = cand["friction"].fillna(len(FRICTION) - 1).astype("int64")
    cand["score"] = 4 * cand["on_platform"].astype(int) + internal_pref.astype(int) - friction

    reasons = pd.Series("", index=cand.index, dtype="str")
    reasons = reasons.mask(cand["on_platform"], "already one of the organisation's platforms; ")
    reasons = reasons + internal_pref.map(
        {True: "internal, as the organisation prefers; ", False: ""}
    ).astype("str")
    reasons = reasons + "serves " + cand["tool_type"]
    reasons = reasons + (" and " + cand["direction"].astype("str")).fillna("")
    onboarding = cand["onboarding"].fillna("unknown onboarding").str.replace("-", " ")
    reasons = reasons + "; onboarding: " + onboarding
    cand["reasons"] = reasons

    cand = cand.sort_values(
        ["organisation", "tool_type", "direction", "score", "friction", "tool"],
        ascending=[True, True, True, False, True, True],
        kind="stable",
        na_position="last",
    )
    keys = ["organisation", "tool_type", "direction"]
    cand["rank"] = cand.groupby(keys, dropna=False, sort=False).cumcount() + 1
    return cand


def recommend_tools(portfolio: Portfolio, *, top: int = 3) -> pd.DataFrame:
    """Rank candidate tools for every activity whose tool type is decided.

    Candidates serve the activity's tool type and (where decided) direction and are not
    blocked by the organisation's firewall. They are scored: +4 when the organisation
    already has the tool, +1 when it is internal and the organisation prefers internal
    tools, minus the onboarding friction (0 none, 1 single sign-on, 2 one-click,
    3 new account); ties go to lower friction, then to the name.

    Parameters
    ----------
    portfolio : Portfolio
    top : int, default 3
        How many candidates to keep per activity.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``activity_id``, ``rank`` (1 = best), ``tool``, ``score``,
        ``on_platform``, ``hosting``, ``onboarding``, ``chosen`` (the activity already
        uses it) and ``reasons``, in course order (as the courses table lists them),
        then activity order (``seq``), then rank.

    Notes
    -----
    The full ranking is worked out once per portfolio object; ``top`` only cuts it.
    """
    ranked = _ranking(portfolio)
    return ranked[ranked["rank"].to_numpy() <= top].reset_index(drop=True)


_joined_by_top = cached(lambda portfolio: {})


def _joined_recommendations(portfolio: Portfolio, top: int) -> np.ndarray:
    """Each activity's ``top`` recommended tools, best first, ``", "``-joined (NaN where
    there is none), in file order: worked out once per combination and per ``top``."""
    joined_by_top = _joined_by_top(portfolio)
    if top not in joined_by_top:
        combination, combos = _combinations(portfolio)
        ranked = _ranked_combinations(portfolio)  # each combination's rows in rank order
        kept = ranked[ranked["rank"].to_numpy() <= top]
        joined = kept.groupby("combination", sort=False)["tool"].agg(", ".join)
        per_combination = np.full(len(combos), np.nan, dtype=object)
        per_combination[joined.index.to_numpy()] = joined.to_numpy()
        joined_by_top[top] = per_combination[combination]
    return joined_by_top[top]


@memoized
def _ranking(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`recommend_tools` with every candidate (no ``top``), built without a merge.

    Each activity, in course order then ``seq``, gets its combination's candidates in
    rank order: the rows are positions into the small per-combination ranking.
    """
    a = portfolio.activities
    combination, combos = _combinations(portfolio)
    ranked = _ranked_combinations(portfolio)
    course = isin_codes(a["course_id"], portfolio.course_ids)
    order = np.lexsort((a["seq"].to_numpy(), course))  # course order, then seq
    # the candidate rows of combination c, best first: by_combination[start[c]:start[c] + n[c]]
    number = ranked["combination"].to_numpy()
    by_combination = np.argsort(number, kind="stable")
    counts = np.bincount(number, minlength=len(combos))
    start = np.cumsum(counts) - counts
    n = counts[combination[order]]
    act = np.repeat(order, n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cand = by_combination[np.repeat(start[combination[order]], n) + within]
    acts = a[["course_id", "activity_id", "tool"]].take(act).reset_index(drop=True)
    out = ranked[_CANDIDATE_COLUMNS].take(cand).reset_index(drop=True)
    out.insert(0, "course_id", acts["course_id"])
    out.insert(1, "activity_id", acts["activity_id"])
    out.insert(8, "chosen", out["tool"] == acts["tool"])
    return out
