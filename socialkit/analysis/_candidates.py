"""What tool fit and ranking work out from the catalog and the context alone.

:class:`~socialkit.analysis.catalog.Catalog` gives these functions the distinct
(organisation, tool type, direction, timing) combinations it has not seen yet, and
the distinct (organisation, tool, tool type, direction, timing) choices: every fact
is a lookup by the organisation's and the tool's positions in the catalog's arrays
(:mod:`socialkit.analysis._org_tools`), not string keys merged on every call.
:mod:`socialkit.analysis.tool_fit` says what the facts mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.availability import access_columns as _access_columns
from socialkit.analysis.availability import score_of_codes as _score_of_codes
from socialkit.analysis.catalog import KEYS, Catalog
from socialkit.analysis.tool_words import reasons
from socialkit.contract.vocab import MODE_OF_TIMING

__all__ = ["FACT_COLUMNS", "fit_facts", "ranked_candidates"]

#: What :func:`~socialkit.analysis.tool_fit.tool_fit` says of each chosen tool, after
#: the activity's own columns.
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


def fit_facts(cat: Catalog, fit: pd.DataFrame) -> pd.DataFrame:
    """:func:`~socialkit.analysis.tool_fit.tool_fit`'s facts for distinct (organisation,
    tool, tool_type, direction, timing) rows.

    Every fact but the ranking's is a lookup by the row's organisation and tool in the
    catalog's arrays (see :mod:`socialkit.analysis._org_tools`).
    """
    at = cat.arrays
    org, name = at.positions(fit["organisation"], fit["tool"])
    known = (name >= 0) & (name < at.n_tools)

    def serves(column: str, value: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Whether the tool lists the value, and where that is not known: the activity
        has not decided, the catalog does not know the tool or lists nothing there."""
        unknown = value.isna().to_numpy(dtype=bool) | ~known | ~at.listing(column, name)
        return at.lists(column, name, value), unknown

    served = {
        "serves_type": serves("tool_types", fit["tool_type"]),
        "serves_direction": serves("directions", fit["direction"]),
        "serves_timing": serves("modes", fit["timing"].map(MODE_OF_TIMING)),
    }
    domains = at.domains(org, name)
    blocked = domains != None  # noqa: E711 (elementwise, on an object array)
    found = at.access(org, name)
    code = found["availability"]
    best, first, first_score = cat.best(fit[KEYS])
    ready = code <= 1  # available, or in a suite the organisation uses
    fits = ~blocked
    for ok, unknown in served.values():
        fits &= ok | unknown
    # the best tool learners can use now: the chosen one when it fits and ties with it
    internal = at.internal[name]
    mine = _score_of_codes(code, found["friction"], at.prefers[org], internal)
    top = np.asarray([np.nan if v is None else v for v in first_score], dtype="float64")
    keeps = known & fits & (code <= 2) & fit["tool_type"].notna().to_numpy() & ~(mine < top)
    tool = fit["tool"].to_numpy(dtype=object)
    best, first = np.asarray(best, dtype=object), np.asarray(first, dtype=object)
    hosting = cat.tools["hosting"].array.take(at.row[name], allow_fill=True)
    columns = {
        "known": known,
        **{k: pd.arrays.BooleanArray(ok, unknown) for k, (ok, unknown) in served.items()},
        "blocked": blocked,
        "blocked_domains": pd.array(domains, dtype="str"),
        "hosting": hosting,
        **_access_columns(found),
        "alternative": pd.array(np.where(ready, None, best), dtype="str"),
        "recommended": pd.array(np.where(keeps, tool, first), dtype="str"),
        "fits": pd.arrays.BooleanArray(fits, ~known),
    }
    return pd.DataFrame({c: columns[c] for c in FACT_COLUMNS}, index=pd.RangeIndex(len(fit)))


def ranked_candidates(cat: Catalog, combos: pd.DataFrame) -> pd.DataFrame:
    """Candidate tools for each (organisation, tool_type, direction, timing), ranked.

    A candidate serves the tool type and, where decided and known, the direction and
    the mode the timing needs, and is not blocked by the organisation. Combinations
    with no tool type get no candidates. Candidates whose direction or mode the catalog
    leaves open come after those known to fit.

    Each combination is paired with every catalog tool that lists its type (as a merge
    on the type would pair them), and every fact of a pair is a lookup by its
    organisation's and tool's positions in the catalog's arrays.
    """
    at = cat.arrays
    combos = combos[combos["tool_type"].notna()].drop_duplicates()
    combo, typed = _type_pairs(combos["tool_type"], cat.by_type["tool_types"])
    tool = cat.by_type["tool"].array.take(typed)
    name = at.names.get_indexer(tool)
    org = at.organisations.get_indexer(combos["organisation"])[combo]
    direction = combos["direction"].to_numpy(dtype=object, na_value=None)[combo]
    mode = combos["timing"].map(MODE_OF_TIMING).to_numpy(dtype=object, na_value=None)[combo]
    no_direction = np.asarray([d is None for d in direction], dtype=bool)
    no_mode = np.asarray([m is None for m in mode], dtype=bool)
    dir_open = ~no_direction & ~at.listing("directions", name)
    mode_open = ~no_mode & ~at.listing("modes", name)
    dir_ok = no_direction | dir_open | at.lists("directions", name, direction)
    mode_ok = no_mode | mode_open | at.lists("modes", name, mode)
    blocked = at.domains(org, name) != None  # noqa: E711 (elementwise, on an object array)
    keep = np.flatnonzero(dir_ok & mode_ok & ~blocked)
    combo, name, org, mode = combo[keep], name[keep], org[keep], mode[keep]
    dir_open, mode_open = dir_open[keep], mode_open[keep]

    found = at.access(org, name)
    row = at.row[name]  # the tool's row in the catalog
    prefers, internal = at.prefers[org], at.internal[name]
    score = _score_of_codes(found["availability"], found["friction"], prefers, internal)
    tools, attributes = cat.tools, cat.attributes
    primary = attributes["primary"].array.take(row)
    # one frame made from its columns at once (adding them one by one costs more than
    # the work itself on the few rows an editor's change ranks)
    columns = {
        **{key: combos[key].array.take(combo) for key in KEYS},
        "tool": tool.take(keep),
        "hosting": tools["hosting"].array.take(row),
        "suite": tools["suite"].array.take(row),
        "_dir_open": dir_open,
        "_mode_open": mode_open,
        **_access_columns(found),
        "score": score,
    }
    cand = pd.DataFrame(columns)
    cand["reasons"] = reasons(
        pd.DataFrame({**columns, "primary": primary}),
        pd.Series(mode, dtype=object),
        dir_open,
        mode_open,
        prefers,
        internal,
        cat.blocking,
    )

    # among equals: a tool the catalog says fits before one whose direction or modes it
    # leaves open, a tool made first of all for this type of activity (a quiz tool for a
    # quiz, rather than a chat that also runs polls), one made for fewer kinds of activity
    # (a community tool before an all-purpose one), a platform the organisation names
    # before a tool of its suites, then names. Combinations in the order of their keys,
    # a missing value last (as sort_values puts it)
    combo_order = np.empty(len(combos), dtype=np.int64)
    combo_order[_key_order(combos[KEYS])] = np.arange(len(combos))
    other_type = ~pd.Series(primary).eq(cand["tool_type"]).to_numpy(dtype=bool, na_value=False)
    _, by_name = np.unique(columns["tool"].to_numpy(dtype=object), return_inverse=True)
    order = np.lexsort(
        (
            by_name,
            ~found["on_platform"],
            attributes["n_types"].to_numpy()[row],
            other_type,
            dir_open | mode_open,
            -score,
            combo_order[combo],
        )
    )
    cand = cand.take(order)
    # each combination's candidates are together now: a rank counts from its first one
    ranked = combo[order]
    at_start = np.ones(len(ranked), dtype=bool)
    at_start[1:] = ranked[1:] != ranked[:-1]
    position = np.arange(len(ranked))
    cand["rank"] = position - np.maximum.accumulate(np.where(at_start, position, 0)) + 1
    return cand


def _type_pairs(needed: pd.Series, listed: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each (combination, catalog row) whose ``listed`` type is the combination's
    ``needed`` one, as positions: combinations in order, each one's rows in catalog
    order (the rows an inner merge on the type gives)."""
    types = pd.Index(pd.unique(listed.to_numpy(dtype=object)))
    code = types.get_indexer(listed)
    by_type = np.argsort(code, kind="stable")  # catalog rows grouped by type, in order
    # one more, empty, slot at the end: a type no tool lists (-1) counts no row there
    counts = np.bincount(code, minlength=len(types) + 1)
    start = np.cumsum(counts) - counts
    need = types.get_indexer(needed)
    n = np.where(need >= 0, counts[need], 0)
    combo = np.repeat(np.arange(len(needed)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return combo, by_type[np.repeat(start[need], n) + within]


def _key_order(keys: pd.DataFrame) -> np.ndarray:
    """The positions of ``keys``' rows sorted by their columns, a missing value last."""
    return (
        keys.reset_index(drop=True)
        .sort_values(list(keys.columns), na_position="last", kind="stable")
        .index.to_numpy()
    )
