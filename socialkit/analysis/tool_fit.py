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

import numpy as np
import pandas as pd

from socialkit.analysis._candidates import FACT_COLUMNS, fit_facts, ranked_candidates
from socialkit.analysis.catalog import Catalog
from socialkit.analysis.positions import activity_order, combinations, fit_rows
from socialkit.analysis.tool_words import (
    advantage,
    organisation_words,
)
from socialkit.base.frames import (
    cached,
    column_values,
    factorize_rows,
    first_rows,
    memoized,
    per_identity,
    take_objects,
    take_values,
    text_codes,
)
from socialkit.contract.schema import Portfolio

__all__ = [
    "ACTIVITY_COLUMNS",
    "AVAILABILITY",
    "FACT_COLUMNS",
    "RECOMMENDATION_COLUMNS",
    "blocked_pairs",
    "fit_parts",
    "joined_recommendations",
    "recommend_tools",
    "tool_fit",
    "top_recommendations",
]

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

#: What :func:`recommend_tools` says of each candidate, after the activity's ids.
RECOMMENDATION_COLUMNS = (
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
)
# the columns of a combination's ranking that the recommendations take as they are
_CANDIDATE_COLUMNS = [c for c in RECOMMENDATION_COLUMNS if c not in ("chosen", "advantage")]


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
    rows, codes, facts = fit_parts(portfolio)
    fit = portfolio.activities[list(ACTIVITY_COLUMNS)].take(rows).reset_index(drop=True)
    facts = facts[list(FACT_COLUMNS)].take(codes).set_axis(fit.index)
    return pd.concat([fit, facts], axis=1)


#: The activity's own columns of :func:`tool_fit`, before :data:`FACT_COLUMNS`.
ACTIVITY_COLUMNS = (
    "course_id",
    "activity_id",
    "seq",
    "title",
    "organisation",
    "tool",
    "tool_type",
    "direction",
    "timing",
)
_FIT_KEYS = ["organisation", "tool", "tool_type", "direction", "timing"]


@cached
def fit_parts(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """:func:`tool_fit` in two small parts, from which it is taken.

    Returns the activities it has a row for (positions, in its order), each row's
    number of its distinct (organisation, tool, tool_type, direction, timing), and one
    row per such number: those five keys and :data:`FACT_COLUMNS`. Everything but the
    activity's own columns depends on the five keys only, so this is all the work;
    a caller that needs only a few facts of a few rows (the warnings) takes them from
    here instead of copying every column of every row.
    """
    a = portfolio.activities
    rows, _ = fit_rows(portfolio)
    # the activities' (organisation, tool_type, direction, timing) are numbered already
    # (for the ranking): with the tool's number they number the five keys, which spares
    # hashing the five string columns again (as per_combination would). The tool is
    # numbered on the whole column, which spares copying its strings first
    # alternatives come from the ranking: rank all combinations at once (the ranked
    # frame itself is for the recommendations, which build it when asked)
    cat = _catalog(portfolio)
    cat.rank(combinations(portfolio)[1])
    # (any numbering of the tools gives the same codes: only which rows share one counts)
    tool = text_codes([a["tool"]])
    if tool is None:
        tool = pd.factorize(a["tool"], use_na_sentinel=False)[0]
    key = combinations(portfolio)[0][rows].astype(np.int64) * (len(tool) + 1) + tool[rows]
    codes, distinct = pd.factorize(key)  # numbered in order of first row
    first = first_rows(codes, len(distinct))
    codes.flags.writeable = False  # shared by every caller
    if not len(first):  # no tool named: the facts as the catalog's fit gives them
        combos = a[_FIT_KEYS].take(rows[first]).reset_index(drop=True)
        facts = cat.fit_facts(combos).reset_index(drop=True)
        return rows, codes, pd.concat([combos, facts], axis=1)
    # column by column into one new frame: taking rows of a frame, then of the facts,
    # then joining them copies every block again (most of the cost on one course)
    columns = {c: a[c].array.take(rows[first]) for c in _FIT_KEYS}
    seen, at = cat.fact_rows(columns)
    # the editor's views of one course mostly have the same distinct keys (most edits
    # change no organisation, tool, type, direction or timing), which make the same
    # frame: it is made once per such set of the catalog's rows, and shared (read-only)
    made = _facts_made(seen)
    key = (tuple(at.tolist()), tuple(v.dtype for v in columns.values()))
    facts = made.get(key)
    if facts is None:
        columns.update((c, array.take(at)) for c, array in _arrays(seen).items())
        facts = pd.DataFrame(columns, index=pd.RangeIndex(len(first)))
        if len(made) >= _FACTS_KEPT:
            del made[next(iter(made))]  # the oldest
        made[key] = facts
    return rows, codes, facts


#: How many frames of facts :func:`fit_parts` keeps per state of a catalog's facts.
_FACTS_KEPT = 64


@per_identity
def _facts_made(seen: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """The frames of facts :func:`fit_parts` made from the catalog's facts ``seen``, by
    the rows of ``seen`` they hold and the dtypes of their keys (filled by the caller)."""
    return {}


@memoized
def _ranked_combinations(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`_rank` of every combination of the activities; ``combination`` numbers it.

    Each combination's candidates are together, in rank order.
    """
    return _catalog(portfolio).ranked(combinations(portfolio)[1])


def _rank(source: Portfolio | Catalog, combos: pd.DataFrame) -> pd.DataFrame:
    """Candidate tools for each (organisation, tool_type, direction, timing), ranked (see
    :func:`socialkit.analysis._candidates.ranked_candidates`)."""
    return ranked_candidates(_catalog(source), combos)


def _fit_combinations(source: Portfolio | Catalog, fit: pd.DataFrame) -> pd.DataFrame:
    """:func:`tool_fit`'s facts for distinct (organisation, tool, tool_type, direction,
    timing) rows (see :func:`socialkit.analysis._candidates.fit_facts`)."""
    return fit_facts(_catalog(source), fit)


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


def top_recommendations(portfolio: Portfolio, *, top: int = 3) -> pd.DataFrame:
    """:func:`recommend_tools`, built with the ``top`` candidates only.

    For a portfolio ranked once and dropped (the editor's view of one activity): the
    full ranking is not remembered, and the frame is made once, not made and then cut.

    Parameters
    ----------
    portfolio : Portfolio
    top : int, default 3
        How many candidates to keep per activity.

    Returns
    -------
    pandas.DataFrame
        As :func:`recommend_tools` returns it.
    """
    return _ranking_rows(portfolio, top)


_joined_by_top = cached(lambda portfolio: {})


def joined_recommendations(portfolio: Portfolio, top: int) -> np.ndarray:
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


_joined_recommendations = joined_recommendations  # its former name


@cached
def _pair_ranking(portfolio: Portfolio) -> tuple[np.ndarray, pd.DataFrame]:
    """The ranking of each distinct (combination, chosen tool) of the activities.

    Returns each activity's pair number and the pairs' candidates, each pair's rows
    together in rank order: the combination's candidates with the chosen tool moved
    first among equals, ``chosen`` and ``advantage`` set.
    """
    pair, out = _pair_columns(portfolio)
    return pair, pd.DataFrame(out, index=pd.RangeIndex(len(out["rank"])))


@cached
def _pair_columns(portfolio: Portfolio) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`_pair_ranking` with its candidates as columns of arrays, not yet a frame
    (the recommendations take their rows from these, and need no frame of them)."""
    a = portfolio.activities
    combination, combos = combinations(portfolio)
    chosen_tool = a["tool"].where(a["tool"].ne("none"))
    keys = pd.DataFrame({"combination": combination, "tool": chosen_tool})
    pair, pairs = factorize_rows(keys)
    # the rows of what _ranked_combinations would give, taken straight from the
    # catalog's candidates: combination c's rows are blocks[c], in rank order
    source, blocks = _catalog(portfolio).candidates(combos)
    counts = np.array([len(b) for b in blocks], dtype=np.int64)
    if not counts.sum():  # no candidate at all: that frame, as it gives it
        source, blocks = _ranked_combinations(portfolio), []
    columns = _arrays(source)
    every = np.concatenate(blocks) if blocks else np.empty(0, dtype=np.int64)
    start = np.cumsum(counts) - counts
    c = pairs["combination"].to_numpy()
    n = counts[c]
    owner = np.repeat(np.arange(len(pairs)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    at = every[np.repeat(start[c], n) + within]  # each row's candidate in source
    mine = pairs["tool"].to_numpy(dtype=object)[owner]
    chosen = (take_objects(columns["tool"], at) == mine).astype(bool)
    # the chosen tool first among equals (equal score), the rest as ranked; owner is
    # sorted, so it stays as it is, and a row's new rank is its place among its pair's
    rank, score = take_values(columns["rank"], at), take_values(columns["score"], at)
    order = np.lexsort((rank, ~chosen, -score, owner))
    at = at[order]
    # column by column into one new frame: taking a frame, then adding and replacing
    # columns, copies every block again (most of the cost for one activity)
    out = {col: take_values(values, at) for col, values in columns.items()}
    if "combination" not in out:
        out["combination"] = c[owner]
    out["rank"] = within + 1
    out["pair"] = owner
    out["chosen"] = chosen[order]
    out["advantage"] = _advantages(portfolio, out, pairs)
    return pair, out


@per_identity
def _arrays(frame: pd.DataFrame) -> dict[str, pd.api.extensions.ExtensionArray | np.ndarray]:
    """A frame's columns as arrays, in order, once per frame (the catalog's candidates
    and facts, which a new ranking or fact replaces, never change): taking a column of a
    frame costs more than taking the few rows wanted from it."""
    return {c: column_values(frame[c]) for c in frame.columns}


def _advantages(
    portfolio: Portfolio, rows: dict[str, np.ndarray], pairs: pd.DataFrame
) -> pd.api.extensions.ExtensionArray:
    """What each candidate ranked above its pair's chosen tool has that the chosen one
    lacks, in the order of the priorities; missing elsewhere. ``rows`` are the pairs'
    candidates as columns of arrays."""
    cat = _catalog(portfolio)
    combos = combinations(portfolio)[1]
    owner = np.asarray(rows["pair"])
    rank = np.asarray(rows["rank"])
    chosen_rank = np.full(len(pairs), np.iinfo(np.int64).max)
    picked = np.asarray(rows["chosen"])
    chosen_rank[owner[picked]] = rank[picked]
    has_choice = pairs["tool"].notna().to_numpy()
    above = has_choice[owner] & (rank < chosen_rank[owner])
    out = np.full(len(owner), None, dtype=object)
    if not above.any():
        return pd.array(out, dtype="str")
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
    org_words = organisation_words(chosen["organisation"]).tolist()
    prefers = chosen["organisation"].map(cat.prefers_internal).fillna(False).tolist()
    # the few values wanted, as plain dicts: a row of a frame as a Series costs more than
    # wording the advantage
    wanted = np.flatnonzero(above)
    theirs = ("availability", "friction", "onboarding", "hosting", "suite", "_dir_open")
    their = {c: rows[c].take(wanted).tolist() for c in (*theirs, "_mode_open")}
    needs = {c: chosen[c].tolist() for c in chosen.columns}
    for k, i in enumerate(wanted):
        j = owner[i]
        c = {name: values[k] for name, values in their.items()}
        need = {name: values[j] for name, values in needs.items()}
        out[i] = advantage(facts[j], need, c, tools[j], org_words[j], prefers[j])
    return pd.array(out, dtype="str")


@memoized
def _ranking(portfolio: Portfolio) -> pd.DataFrame:
    """:func:`recommend_tools` with every candidate (no ``top``), built without a merge."""
    return _ranking_rows(portfolio, None)


def _ranking_rows(portfolio: Portfolio, top: int | None) -> pd.DataFrame:
    """:func:`recommend_tools`'s rows, every candidate when ``top`` is None.

    Each activity, in course order then ``seq``, gets its pair's candidates in rank
    order: the rows are positions into the small per-pair ranking.
    """
    a = portfolio.activities
    pair, ranked = _pair_columns(portfolio)
    order = activity_order(portfolio)  # course order, then seq
    number = ranked["pair"]
    counts = np.bincount(number, minlength=int(pair.max()) + 1 if len(pair) else 0)
    start = np.cumsum(counts) - counts  # rows of a pair are together, pairs in order
    n = counts[pair[order]]
    act = np.repeat(order, n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cand = np.repeat(start[pair[order]], n) + within
    if top is not None:
        keep = ranked["rank"][cand] <= top
        act, cand = act[keep], cand[keep]
    # column by column into one new frame: taking from two frames, then inserting and
    # reordering columns, copies every block again (most of the cost on one course)
    out = {c: take_values(a[c], act) for c in ("course_id", "activity_id")}
    out.update((c, take_values(ranked[c], cand)) for c in RECOMMENDATION_COLUMNS)
    return pd.DataFrame(out, index=pd.RangeIndex(len(cand)))


@per_identity
def _catalog_of(tools: pd.DataFrame, organisations: pd.DataFrame) -> Catalog:
    # looked up when called, so that what this module holds then is what runs
    return Catalog(
        tools,
        organisations,
        rank=lambda cat, combos: _rank(cat, combos),
        fit=lambda cat, combos: _fit_combinations(cat, combos),
    )


def _catalog(source: Portfolio | Catalog) -> Catalog:
    """The (remembered) catalog facts of a portfolio's ``tools`` and ``organisations``."""
    if isinstance(source, Catalog):
        return source
    return _catalog_of(source.tools, source.organisations)
