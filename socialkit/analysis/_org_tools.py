"""A tool catalog and an organisation context as small arrays, for lookups by position.

Fit and ranking ask the same few questions of thousands of (organisation, tool) rows:
does the tool serve this type, direction, mode; does the organisation block it, list it,
use its suite. The catalog and the context are a few dozen rows, so each answer is
worked out once for every (organisation, tool) and kept in an array; a row's answer is
then one fancy-indexing step on its organisation's and tool's positions, instead of
string keys concatenated, hashed and merged on every call.

Positions: ``names`` numbers the catalog's tools first (``0 .. n_tools - 1``), then the
platform names an organisation lists that the catalog does not know; ``organisations``
numbers the context's rows. A name or an organisation not found is position ``-1``,
and every array has one extra last row and column for it, all False (or missing): a
lookup at ``-1`` reads that slot, which is what an unknown tool or organisation has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.contract.vocab import FRICTION

__all__ = ["OrgTools"]

#: The availability codes of :attr:`OrgTools.availability`, best first; the last one is
#: a tool the catalog does not know and the organisation does not list (no availability).
AVAILABILITY_CODES = ("available", "in-suite", "external", "to-introduce", None)


class OrgTools:
    """The catalog's and the context's facts per (organisation, tool), as arrays.

    Parameters
    ----------
    tools, organisations : pandas.DataFrame
        A canonical portfolio's ``tools`` and ``organisations`` (list columns as tuples).
    blocked : pandas.DataFrame
        Their :func:`~socialkit.analysis.catalog.blocked_pairs`.
    """

    def __init__(
        self, tools: pd.DataFrame, organisations: pd.DataFrame, blocked: pd.DataFrame
    ) -> None:
        first = ~tools["tool"].duplicated().to_numpy(dtype=bool)
        self.tool_rows = np.flatnonzero(first)  # each catalog name's row in ``tools``
        catalog = tools["tool"].to_numpy(dtype=object)[first].tolist()
        orgs = organisations["organisation"].to_numpy(dtype=object, na_value=None)
        platforms = organisations["platforms"].tolist()
        known = set(catalog)
        others = [
            item
            for cell in platforms
            if isinstance(cell, tuple | list)
            for item in cell
            if isinstance(item, str) and item not in known
        ]
        self.n_tools = len(catalog)
        self.names = pd.Index(list(dict.fromkeys([*catalog, *others])), dtype=object)
        # a missing name is no organisation's: a row without one finds none
        org_first = ~pd.Series(orgs, dtype=object).duplicated().to_numpy(dtype=bool)
        org_first &= np.asarray([o is not None for o in orgs], dtype=bool)
        self.organisations = pd.Index(orgs[org_first], dtype=object)
        org_rows = np.flatnonzero(org_first)
        n_org, n_name = len(self.organisations), len(self.names)
        # each name's row in ``tools``; -1 (a missing value for ``take``) past the catalog
        self.row = np.full(n_name + 1, -1, dtype=np.int64)
        self.row[: self.n_tools] = self.tool_rows
        t = tools.take(self.tool_rows)

        # what the organisation lists, and the suites of the catalog tools among them
        self.on_platform = np.zeros((n_org + 1, n_name + 1), dtype=bool)
        suite_of = dict(zip(catalog, t["suite"].tolist(), strict=True))
        suites_used: list[set[str]] = []
        for o, row in enumerate(org_rows):
            cell = platforms[row] if isinstance(platforms[row], tuple | list) else ()
            names = [n for n in cell if isinstance(n, str)]
            self.on_platform[o, self.names.get_indexer(names)] = True
            suites_used.append({suite_of[n] for n in names if isinstance(suite_of.get(n), str)})
        tool_suite = t["suite"].tolist()
        self.in_suite = np.zeros((n_org + 1, n_name + 1), dtype=bool)
        for o, used in enumerate(suites_used):
            self.in_suite[o, : self.n_tools] = [s in used for s in tool_suite]

        # the tool's own facts, per name (missing past the catalog's tools)
        self.internal = np.zeros(n_name + 1, dtype=bool)
        self.internal[: self.n_tools] = t["hosting"].eq("internal").to_numpy(bool, na_value=False)
        self.friction = np.full(n_name + 1, np.nan)
        self.friction[: self.n_tools] = (
            t["onboarding"].map(FRICTION).to_numpy(dtype="float64", na_value=np.nan)
        )
        self.prefers = np.zeros(n_org + 1, dtype=bool)
        self.prefers[:n_org] = (
            organisations["prefers_internal"].astype(bool).to_numpy(dtype=bool)[org_rows]
        )

        # which (organisation, tool) the firewall blocks, and the domains it blocks
        self._domains = np.full((n_org + 1, n_name + 1), None, dtype=object)
        o = self.organisations.get_indexer(blocked["organisation"])
        n = self.names.get_indexer(blocked["tool"])
        self._domains[o, n] = blocked["domains"].to_numpy(dtype=object)
        self._items: dict[str, tuple[pd.Index, np.ndarray]] = {}
        self._listed: dict[str, np.ndarray] = {}
        for column in ("tool_types", "directions", "modes"):
            self._table(t[column].tolist(), column)

    def _table(self, cells: list, column: str) -> None:
        """Which catalog tool lists which item in the list column ``column``."""
        lists = [
            [i for i in c if isinstance(i, str)] if isinstance(c, tuple | list) else []
            for c in cells
        ]
        items = pd.Index(list(dict.fromkeys(i for c in lists for i in c)), dtype=object)
        table = np.zeros((len(self.names) + 1, len(items) + 1), dtype=bool)
        for row, c in enumerate(lists):
            table[row, items.get_indexer(c)] = True
        listed = np.zeros(len(self.names) + 1, dtype=bool)
        listed[: self.n_tools] = [len(c) > 0 for c in cells]
        self._items[column] = (items, table)
        self._listed[column] = listed

    # ----------------------------------------------------------------------- lookups
    def positions(self, organisation: pd.Series, tool: pd.Series) -> tuple[np.ndarray, ...]:
        """Each row's organisation and tool name positions (``-1``: not found)."""
        return self.organisations.get_indexer(organisation), self.names.get_indexer(tool)

    def lists(self, column: str, name: np.ndarray, values: pd.Series) -> np.ndarray:
        """Whether the tool at each ``name`` position lists the row's value in ``column``
        (False for a missing value and for a tool the catalog does not know)."""
        items, table = self._items[column]
        return table[name, items.get_indexer(values)]

    def listing(self, column: str, name: np.ndarray) -> np.ndarray:
        """Whether the tool at each ``name`` position lists anything in ``column``."""
        return self._listed[column][name]

    def domains(self, org: np.ndarray, name: np.ndarray) -> np.ndarray:
        """The domains the organisation blocks of each row's tool (None: not blocked)."""
        return self._domains[org, name]

    def access(self, org: np.ndarray, name: np.ndarray) -> dict[str, np.ndarray]:
        """How readily each row's organisation's learners can use its tool.

        ``on_platform``; ``availability`` as codes into :data:`AVAILABILITY_CODES`; the
        ``friction`` for these learners (NaN where unknown): none for a tool they have.
        """
        known = (name >= 0) & (name < self.n_tools)
        on_platform = self.on_platform[org, name]
        in_suite = known & self.in_suite[org, name]
        external = known & ~self.internal[name]
        code = np.select([on_platform, in_suite, external, known], [0, 1, 2, 3], default=4)
        friction = np.where(on_platform | in_suite, 0.0, self.friction[name])
        return {"on_platform": on_platform, "availability": code, "friction": friction}
