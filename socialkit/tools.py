"""Tool fit and tool recommendations under an organisation's constraints.

The method picks a concrete tool last: once an activity's tool type and social
direction are known, prefer what the organisation already has, what its firewall
lets through, and what asks the least of learners before first use.
All functions work on the whole portfolio at once; work that depends only on an
(organisation, tool type, direction) combination is done once per combination, and
each result is computed once per portfolio object.

What the tool catalog and the organisation context alone decide (firewall blocks,
each combination's ranking, each (organisation, tool, tool type, direction)'s fit) is
also remembered per catalog: per identity of the ``tools`` and ``organisations``
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
from .schema import Portfolio
from .vocab import FRICTION

__all__ = ["blocked_pairs", "recommend_tools", "tool_fit"]

_KEY = "\x1f"
_CANDIDATE_COLUMNS = ["rank", "tool", "score", "on_platform", "hosting", "onboarding", "reasons"]


def _pairs(tools: pd.DataFrame, column: str) -> set[str]:
    long = tools[["tool", column]].explode(column).dropna()
    return set(long["tool"] + _KEY + long[column])


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
    t = tools[["tool", "hosting", "onboarding"]].copy()
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
    rows = np.flatnonzero((a["tool"].notna() & a["tool"].ne("none")).to_numpy())
    course = isin_codes(a["course_id"], portfolio.course_ids)[rows]
    rows = rows[np.lexsort((a["seq"].to_numpy()[rows], course))]  # course order, then seq
    fit = a[cols + keys].take(rows).reset_index(drop=True)
    # everything below depends on the four keys only: work out each combination once
    _ranked_combinations(portfolio)  # alternatives come from it: rank all combinations at once
    facts = per_combination(fit[keys], _catalog(portfolio).fit_facts)
    return pd.concat([fit, facts], axis=1)


def _fit_combinations(source: Portfolio | _Catalog, fit: pd.DataFrame) -> pd.DataFrame:
    """:func:`tool_fit`'s columns for distinct (organisation, tool, tool_type, direction)."""
    cat = _catalog(source)
    fit = fit.copy()
    type_ok = (fit["tool"] + _KEY + fit["tool_type"]).isin(cat.type_pairs)
    dir_ok = (fit["tool"] + _KEY + fit["direction"]).isin(cat.direction_pairs)
    fit["serves_type"] = type_ok.astype("boolean").mask(fit["tool_type"].isna())
    fit["serves_direction"] = dir_ok.astype("boolean").mask(fit["direction"].isna())

    blocked = cat.blocked.rename(columns={"domains": "blocked_domains"})
    fit = fit.merge(blocked, on=["organisation", "tool"], how="left")
    fit["blocked"] = fit["blocked_domains"].notna()
    fit = fit.merge(cat.attributes, on="tool", how="left")
    fit["on_platform"] = (fit["organisation"] + _KEY + fit["tool"]).isin(cat.platform_keys)
    # the best-ranked platform of the organisation for the same type and direction
    alternative = pd.Series(cat.best(fit[_KEYS]), index=fit.index, dtype="str")
    fit["alternative"] = alternative.where(~fit["on_platform"])
    fit["fits"] = (
        fit["serves_type"].fillna(True) & fit["serves_direction"].fillna(True) & ~fit["blocked"]
    ).astype(bool)
    return fit.drop(columns=["organisation", "tool", "tool_type", "direction"])


_KEYS = ["organisation", "tool_type", "direction"]


@cached
def _combinations(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """Each activity's (organisation, tool_type, direction) number, and the distinct ones."""
    return factorize_rows(portfolio.activities[_KEYS])


@memoized
def _ranked_combinations(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`_rank` of every combination of the activities; ``combination`` numbers it.

    Each combination's candidates are together, in rank order.
    """
    return _catalog(portfolio).ranked(_combinations(portfolio)[1])


def _rank(source: Portfolio | _Catalog, combos: pd.DataFrame) -> pd.DataFrame:
    """Candidate tools for each (organisation, tool_type, direction), scored and ranked.

    A candidate serves the tool type and, where decided, the direction, and is not
    blocked by the organisation. Combinations with no tool type get no candidates.
    """
    cat = _catalog(source)
    combos = combos[combos["tool_type"].notna()].drop_duplicates()
    cand = combos.merge(cat.by_type, left_on="tool_type", right_on="tool_types").drop(
        columns="tool_types"
    )
    dirs = cat.direction_pairs
    cand = cand[cand["direction"].isna() | (cand["tool"] + _KEY + cand["direction"]).isin(dirs)]
    cand = cand[~(cand["organisation"] + _KEY + cand["tool"]).isin(cat.blocked_keys)]
    cand = cand.merge(cat.attributes, on="tool", how="left")

    cand["on_platform"] = (cand["organisation"] + _KEY + cand["tool"]).isin(cat.platform_keys)
    cand = cand.merge(cat.prefers_internal, on="organisation", how="left")
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


# --------------------------------------------------------------------------- per catalog
def _row_keys(frame: pd.DataFrame) -> list[tuple]:
    """Each row of ``frame`` (string columns) as a hashable key, missing values as None."""
    columns = [[v if isinstance(v, str) else None for v in frame[c].tolist()] for c in frame]
    return list(zip(*columns, strict=True)) if columns else []


class _Catalog:
    """What a tool catalog and an organisation context alone decide, worked out once.

    Holds weak references to the two frames (they key the cache of :func:`_catalog`)
    and, lazily, the facts derived from them: firewall blocks, tool attributes, each
    (organisation, tool_type, direction) combination's ranked candidates and best
    platform, each (organisation, tool, tool_type, direction)'s fit. Combinations are
    worked out in one batch per call, only those not seen before.
    """

    def __init__(self, tools: pd.DataFrame, organisations: pd.DataFrame) -> None:
        self._tools = weakref.ref(tools)
        self._organisations = weakref.ref(organisations)
        self._ranked: pd.DataFrame | None = None  # candidates of every combination seen
        self._blocks: dict[Hashable, np.ndarray] = {}  # a combination's rows in _ranked
        self._best: dict[Hashable, str | None] = {}
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
    def attributes(self) -> pd.DataFrame:
        return _tool_attributes(self.tools)

    @functools.cached_property
    def type_pairs(self) -> set[str]:
        return _pairs(self.tools, "tool_types")

    @functools.cached_property
    def direction_pairs(self) -> set[str]:
        return _pairs(self.tools, "directions")

    @functools.cached_property
    def by_type(self) -> pd.DataFrame:
        return self.tools[["tool", "tool_types"]].explode("tool_types").dropna()

    @functools.cached_property
    def platform_keys(self) -> set[str]:
        platforms = self.organisations[["organisation", "platforms"]].explode("platforms")
        return set((platforms["organisation"] + _KEY + platforms["platforms"]).dropna())

    @functools.cached_property
    def prefers_internal(self) -> pd.DataFrame:
        return self.organisations[["organisation", "prefers_internal"]]

    def _rank_new(self, combos: pd.DataFrame) -> list[Hashable]:
        """Rank the (organisation, tool_type, direction) rows not seen yet; their keys."""
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
            on_platform = self._ranked["on_platform"].to_numpy()
            tool = self._ranked["tool"].to_numpy()
            for key, found in rows.items():
                block = np.asarray(found, dtype=np.int64)  # sorted: in rank order
                self._blocks[key] = block
                best = block[on_platform[block]]
                self._best[key] = tool[best[0]] if len(best) else None
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

    def best(self, combos: pd.DataFrame) -> list[str | None]:
        """The best-ranked platform of the organisation for each (organisation,
        tool_type, direction) row of ``combos``; None where it has none."""
        return [self._best[k] for k in self._rank_new(combos)]

    def fit_facts(self, combos: pd.DataFrame) -> pd.DataFrame:
        """:func:`_fit_combinations` of the distinct (organisation, tool, tool_type,
        direction) rows of ``combos``, one row each (index not meaningful)."""
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
