"""What a tool catalog and an organisation context alone decide, worked out once.

:class:`Catalog` holds a portfolio's ``tools`` and ``organisations`` (by weak reference:
the frames are treated as immutable) and the facts derived from them: firewall blocks,
tool attributes, each (organisation, tool)'s facts as arrays
(:mod:`socialkit.analysis._org_tools`), each combination's ranked candidates and each
chosen tool's fit, worked out in batches, only for combinations not seen before.
:mod:`socialkit.analysis.tool_fit` gives it the functions that rank and fit.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable, Mapping

import numpy as np
import pandas as pd

from socialkit.analysis._org_tools import OrgTools
from socialkit.contract.vocab import FRICTION

__all__ = [
    "AVAIL_RANK",
    "KEY",
    "KEYS",
    "NO_FRICTION",
    "Catalog",
    "blocked_pairs",
    "row_keys",
    "tool_attributes",
]

#: Joins the parts of a key into one string.
KEY = "\x1f"
#: What a combination of an activity is keyed by: its organisation and its needs.
KEYS = ["organisation", "tool_type", "direction", "timing"]
#: How readily learners can use a tool, as a rank (lower is better): a platform and a
#: tool of a suite the organisation uses are as ready.
AVAIL_RANK = {"available": 0, "in-suite": 0, "external": 1, "to-introduce": 2}
#: An unknown onboarding counts as the worst.
NO_FRICTION = len(FRICTION) - 1


def _long(frame: pd.DataFrame, key: str, column: str) -> list[tuple[str, str]]:
    """(key, item) of each item of the list cells of ``column``, in row order, rows or
    items that are missing left out (as ``explode`` then ``dropna`` would).

    The catalog and the context are a few dozen rows: plain Python walks them faster
    than the pandas machinery of ``explode``, ``merge`` and ``groupby`` starts up.
    """
    return [
        (k, item)
        for k, cell in zip(frame[key].tolist(), frame[column].tolist(), strict=True)
        if not pd.isna(k) and isinstance(cell, tuple | list)
        for item in cell
        if not pd.isna(item)
    ]


def blocked_pairs(tools: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """:func:`blocked_pairs` of a catalog and a context."""
    domains = _long(tools, "tool", "domains")
    found: dict[tuple[str, str], list[str]] = {}  # in order of first hit
    for org, blocked in _long(organisations, "organisation", "blocked_domains"):
        for tool, domain in domains:
            if domain == blocked or domain.endswith("." + blocked):
                found.setdefault((org, tool), []).append(domain)
    return pd.DataFrame(
        {
            "organisation": pd.Series([o for o, _ in found], dtype="str"),
            "tool": pd.Series([t for _, t in found], dtype="str"),
            "domains": pd.Series([";".join(dict.fromkeys(d)) for d in found.values()], dtype="str"),
        }
    )


def tool_attributes(tools: pd.DataFrame) -> pd.DataFrame:
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


def row_keys(frame: pd.DataFrame | Mapping[str, pd.api.extensions.ExtensionArray]) -> list[tuple]:
    """Each row of ``frame`` (string columns, or a mapping of names to such arrays) as a
    hashable key, missing values as None."""
    columns = [[v if isinstance(v, str) else None for v in frame[c].tolist()] for c in frame]
    return list(zip(*columns, strict=True)) if columns else []


def _keys(combos: pd.DataFrame) -> pd.DataFrame:
    """The :data:`KEYS` columns of ``combos``: itself when it has those only (a selection
    of columns copies the frame's blocks, on every call)."""
    return combos if list(combos.columns) == KEYS else combos[KEYS]


class Catalog:
    """What a tool catalog and an organisation context alone decide, worked out once.

    Holds weak references to the two frames (they key the cache of :func:`_catalog`)
    and, lazily, the facts derived from them: firewall blocks, tool attributes, each
    (organisation, tool_type, direction, timing) combination's ranked candidates and
    best platform, each (organisation, tool, tool_type, direction, timing)'s fit.
    Combinations are worked out in one batch per call, only those not seen before.
    """

    def __init__(
        self,
        tools: pd.DataFrame,
        organisations: pd.DataFrame,
        *,
        rank: Callable[[Catalog, pd.DataFrame], pd.DataFrame],
        fit: Callable[[Catalog, pd.DataFrame], pd.DataFrame],
    ) -> None:
        self._rank, self._fit = rank, fit
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
        return blocked_pairs(self.tools, self.organisations)

    @functools.cached_property
    def blocking(self) -> set[str]:
        """Organisations whose firewall blocks some domain."""
        g = self.organisations
        return set(g.loc[g["blocked_domains"].map(len).gt(0), "organisation"])

    @functools.cached_property
    def arrays(self) -> OrgTools:
        """The catalog's and the context's facts per (organisation, tool), as arrays."""
        return OrgTools(self.tools, self.organisations, self.blocked)

    @functools.cached_property
    def attributes(self) -> pd.DataFrame:
        return tool_attributes(self.tools)

    @functools.cached_property
    def by_type(self) -> pd.DataFrame:
        return self.tools[["tool", "tool_types"]].explode("tool_types").dropna()

    @functools.cached_property
    def prefers_internal(self) -> dict[str, bool]:
        g = self.organisations
        return dict(zip(g["organisation"], g["prefers_internal"].astype(bool), strict=True))

    def _rank_new(self, combos: pd.DataFrame) -> list[Hashable]:
        """Rank the (organisation, tool_type, direction, timing) rows not seen yet; their
        keys."""
        keys = row_keys(combos)
        new = [i for i, k in enumerate(keys) if k not in self._blocks]
        if new:
            ranked = self._rank(self, combos.iloc[new])
            start = 0
            if self._ranked is None or not len(self._ranked):
                self._ranked = ranked
            elif len(ranked):
                start = len(self._ranked)
                self._ranked = pd.concat([self._ranked, ranked], ignore_index=True)
            rows: dict[Hashable, list[int]] = {keys[i]: [] for i in new}
            for pos, key in enumerate(row_keys(ranked[KEYS])):
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

    def rank(self, combos: pd.DataFrame) -> None:
        """Rank the (organisation, tool_type, direction, timing) rows of ``combos`` not
        seen yet, all at once, for :meth:`ranked`, :meth:`best` and :meth:`fit_facts` to
        look up (without building the frame :meth:`ranked` returns)."""
        self._rank_new(_keys(combos))

    def ranked(self, combos: pd.DataFrame) -> pd.DataFrame:
        """the ranking of the distinct ``combos``, each combination's candidates together
        in rank order and numbered (``combination``) by its row in ``combos``."""
        keys = self._rank_new(_keys(combos))
        blocks = [self._blocks[k] for k in keys]
        sizes = [len(b) for b in blocks]
        if not sum(sizes):  # no candidate at all: the frame _rank gives, as it gives it
            return self._rank(self, combos[KEYS]).assign(combination=np.empty(0, np.int64))
        out = self._ranked.take(np.concatenate(blocks)).reset_index(drop=True)
        out["combination"] = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
        return out

    def candidates(self, combos: pd.DataFrame) -> tuple[pd.DataFrame | None, list[np.ndarray]]:
        """The candidates of every combination seen so far (None before any), and, for
        each row of ``combos``, its candidates' rows among them in rank order: what
        :meth:`ranked` takes, for a caller that takes a few columns only first."""
        keys = self._rank_new(_keys(combos))
        return self._ranked, [self._blocks[k] for k in keys]

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
        """the fit facts of the distinct (organisation, tool, tool_type,
        direction, timing) rows of ``combos``, one row each (index not meaningful)."""
        keys = row_keys(combos)
        if not keys:  # no tool named: the frame _fit_combinations gives, as it gives it
            return self._fit(self, combos)
        seen, rows = self._fact_rows(combos, keys)
        return seen.take(rows)

    def fact_rows(
        self, combos: pd.DataFrame | Mapping[str, pd.api.extensions.ExtensionArray]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """The fit facts of every (organisation, tool, tool_type, direction, timing) row
        seen so far, and each row of ``combos``'s row among them (those not seen before
        are worked out first): what :meth:`fit_facts` takes, for a caller that takes its
        columns one by one. ``combos`` may be a mapping of names to arrays."""
        return self._fact_rows(combos, row_keys(combos))

    def _fact_rows(
        self, combos: pd.DataFrame | Mapping[str, pd.api.extensions.ExtensionArray], keys: list
    ) -> tuple[pd.DataFrame, np.ndarray]:
        new = [i for i, k in enumerate(keys) if k not in self._fact_row]
        if new:
            if isinstance(combos, pd.DataFrame):
                rows = combos.iloc[new].reset_index(drop=True)
            else:
                rows = pd.DataFrame({c: v.take(new) for c, v in combos.items()})
            facts = self._fit(self, rows)
            start = 0 if self._facts is None else len(self._facts)
            if self._facts is None:
                self._facts = facts
            else:
                self._facts = pd.concat([self._facts, facts], ignore_index=True)
            self._fact_row.update((keys[i], start + j) for j, i in enumerate(new))
        return self._facts, np.array([self._fact_row[k] for k in keys], dtype=np.int64)
