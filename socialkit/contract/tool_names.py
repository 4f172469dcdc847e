"""What people call tools: names, aliases and suites of the catalog, matched like vocabulary.

A tool is named by its catalog ``tool`` or any of its ``aliases`` (former and common
names: Yammer for Viva Engage, MS Teams for Teams), matched case-insensitively with
spaces, underscores and hyphens alike (:func:`socialkit.contract.vocab.match_key`). An
organisation's ``platforms`` may also name a suite (a ``suite`` of the catalog, or a
common name of one: Office 365 for Microsoft 365), which stands for every tool of it.

The functions take the ``tools`` table raw (``aliases`` a ``;``-separated string) or
canonical (a tuple, as :attr:`Portfolio.tools <socialkit.contract.schema.Portfolio>` holds it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import pandas as pd

from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import match_key

__all__ = [
    "BUNDLED_ATTR",
    "SUITE_ALIASES",
    "closest_tools",
    "closest_tools_of",
    "is_placeholder",
    "name_entries",
    "name_key",
    "resolve_tools",
    "suite_lookup",
    "tool_lookup",
    "uses_bundled_catalog",
]

#: Common names of the suites the catalog knows, by the suite they stand for.
SUITE_ALIASES: dict[str, str] = {
    "Office 365": "Microsoft 365",
    "Office365": "Microsoft 365",
    "O365": "Microsoft 365",
    "M365": "Microsoft 365",
    "MS 365": "Microsoft 365",
    "MS365": "Microsoft 365",
    "Microsoft365": "Microsoft 365",
    "Microsoft Office 365": "Microsoft 365",
    "Microsoft Office365": "Microsoft 365",
    "G Suite": "Google Workspace",
    "GSuite": "Google Workspace",
    "GoogleWorkspace": "Google Workspace",
    "Google Apps": "Google Workspace",
    "Google Apps for Work": "Google Workspace",
}

#: What people write in a tool cell for "no tool yet" or "no tool" rather than a tool's name.
_PLACEHOLDER = re.compile(
    r"n/?a|tbd|tbc|t\.b\.d\.?|todo|to ?do|to be (decided|confirmed)|(not |un)decided|pending"
    r"|unknown|no ?tool|\?+|-+|x|\.+",
    re.IGNORECASE,
)


def is_placeholder(name: object) -> bool:
    """Whether a tool cell reads like a placeholder (``TBD``, ``N/A``, ``?``, ``No tool``)
    rather than the name of a tool: a tool still to choose, or none.

    Examples
    --------
    >>> is_placeholder("TBD"), is_placeholder(" n/a "), is_placeholder("Teams")
    (True, True, False)
    """
    return isinstance(name, str) and bool(_PLACEHOLDER.fullmatch(name.strip()))


#: The ``DataFrame.attrs`` flag set on a ``tools`` table read from the bundled catalog
#: (a portfolio without a tools table of its own).
BUNDLED_ATTR = "socialkit_bundled_catalog"


def name_key(value: str) -> str:
    """The matching key of one name: lower case, runs of space/_/- as one ``-``.

    Examples
    --------
    >>> name_key(" MS_Teams ")
    'ms-teams'
    """
    return re.sub(r"[\s_\-]+", "-", value.strip().lower())


def _items(cell: object) -> tuple[str, ...]:
    """The trimmed, non-blank items of a list cell (a ``;``-separated string or a tuple)."""
    if isinstance(cell, str):
        cell = cell.split(";")
    elif not isinstance(cell, tuple | list):
        return ()
    return tuple(s.strip() for s in cell if isinstance(s, str) and s.strip())


def name_entries(tools: pd.DataFrame) -> pd.DataFrame:
    """Every name and alias of the catalog, with its matching key.

    Parameters
    ----------
    tools : pandas.DataFrame
        The ``tools`` table, raw or canonical; its index is kept as ``row``.

    Returns
    -------
    pandas.DataFrame
        ``row`` (the tools row), ``tool`` (its name, trimmed), ``column`` (``"tool"`` or
        ``"aliases"``), ``value`` (the name or alias as written, trimmed) and ``key``,
        in row order, each row's name before its aliases. A row with a blank name is left
        out; an alias repeating its own tool's name (by key) is left out too.
    """
    rows: list[tuple] = []
    aliases = tools["aliases"] if "aliases" in tools else pd.Series(None, index=tools.index)
    for row, name, cell in zip(tools.index, tools["tool"], aliases, strict=True):
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        seen = {name_key(name)}
        rows.append((row, name, "tool", name, name_key(name)))
        for alias in _items(cell):
            key = name_key(alias)
            if key not in seen:
                seen.add(key)
                rows.append((row, name, "aliases", alias, key))
    return pd.DataFrame(rows, columns=["row", "tool", "column", "value", "key"])


def tool_lookup(tools: pd.DataFrame) -> dict[str, str]:
    """Matching key of every name and alias -> the catalog tool name.

    Where two tools share a key (a catalog that validation refuses), the first keeps it.

    Examples
    --------
    >>> t = pd.DataFrame({"tool": ["Viva Engage"], "aliases": ["Yammer; Engage"]})
    >>> tool_lookup(t)
    {'viva-engage': 'Viva Engage', 'yammer': 'Viva Engage', 'engage': 'Viva Engage'}
    """
    entries = name_entries(tools)
    first = entries.drop_duplicates("key")
    return dict(zip(first["key"], first["tool"], strict=True))


def suite_lookup(tools: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Matching key of every suite and suite alias -> the catalog tools of that suite.

    Only suites the catalog holds are known; their common names (:data:`SUITE_ALIASES`)
    with them. Tools come in catalog order.

    Examples
    --------
    >>> t = pd.DataFrame({"tool": ["Teams", "Zoom", "Stream"],
    ...                   "suite": ["Microsoft 365", None, "Microsoft 365"]})
    >>> suite_lookup(t)["o365"]
    ('Teams', 'Stream')
    """
    if "suite" not in tools:
        return {}
    members: dict[str, list[str]] = {}
    for name, suite in zip(tools["tool"], tools["suite"], strict=True):
        if isinstance(name, str) and name.strip() and isinstance(suite, str) and suite.strip():
            members.setdefault(name_key(suite), []).append(name.strip())
    out = {key: tuple(dict.fromkeys(names)) for key, names in members.items()}
    for alias, suite in SUITE_ALIASES.items():
        found = out.get(name_key(suite))
        if found is not None:
            out.setdefault(name_key(alias), found)
    return out


def resolve_tools(values: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """The catalog name of each value (a tool name or alias), missing where unknown.

    ``none`` (no tool, in any case) stays ``none``. Worked out once per distinct value.

    Parameters
    ----------
    values : pandas.Series
        Names as written.
    lookup : dict
        From :func:`tool_lookup`.

    Returns
    -------
    pandas.Series
        Aligned with ``values``, dtype ``str``.
    """
    spelt = {**lookup, "none": "none"}
    return match_key(values).map(spelt).astype("str")


def _tokens(key: str) -> set[str]:
    return {t for t in re.split(r"[-.\s]+", key) if len(t) >= 2}


def closest_tools(name: str, tools: pd.DataFrame, *, n: int = 3) -> list[str]:
    """The catalog tools whose names or aliases come closest to ``name``.

    A tool one of whose names contains ``name``, or is contained in it (three
    characters at least), comes first; then one sharing a word with it; then one
    whose name is merely similar (:class:`difflib.SequenceMatcher`, ratio 0.6 or more).
    Within each group the more similar name first, then catalog order.

    Parameters
    ----------
    name : str
        A name the catalog does not know, as written.
    tools : pandas.DataFrame
        The ``tools`` table, raw or canonical.
    n : int, default 3
        At most this many tools.

    Returns
    -------
    list of str
        Catalog tool names, closest first; empty when none is close.

    Examples
    --------
    >>> t = pd.DataFrame({"tool": ["Viva Engage", "Workvivo", "Zoom"],
    ...                   "aliases": ["Yammer", "", ""]})
    >>> closest_tools("Yamer", t), closest_tools("Workvivo2", t), closest_tools("Hammock", t)
    (['Viva Engage'], ['Workvivo'], [])
    """
    return _closest(name, _entry_keys(name_entries(tools)), n)


def _entry_keys(entries: pd.DataFrame) -> list[tuple[str, str, set[str]]]:
    """(tool, matching key, words of the key) of each name and alias, in catalog order."""
    return [
        (tool, other, _tokens(other))
        for tool, other in zip(entries["tool"], entries["key"], strict=True)
    ]


def _closest(name: str, entries: list[tuple[str, str, set[str]]], n: int) -> list[str]:
    """:func:`closest_tools` against prepared catalog names (see :func:`_entry_keys`)."""
    key = name_key(name) if isinstance(name, str) else ""
    if not key or n <= 0:
        return []
    words = _tokens(key)
    matcher = difflib.SequenceMatcher(None, "", key)  # the name's analysis is kept
    best: dict[str, tuple[int, float, int]] = {}
    for order, (tool, other, other_words) in enumerate(entries):
        matcher.set_seq1(other)
        shorter = min(len(key), len(other))
        if shorter >= 3 and (key in other or other in key):
            tier = 3
        elif words & other_words:
            tier = 2
        elif matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            tier = 1
        else:
            continue
        ratio = matcher.ratio()
        if tier == 1 and ratio < 0.6:
            continue
        score = (tier, ratio, -order)
        if tool not in best or score > best[tool]:
            best[tool] = score
    ranked = sorted(best, key=lambda t: best[t], reverse=True)
    return ranked[:n]


def closest_tools_of(names: Iterable[str], tools: pd.DataFrame, n: int = 3) -> dict[str, list[str]]:
    """:func:`closest_tools` of several names, each distinct name once, the catalog's
    names prepared once."""
    entries = _entry_keys(name_entries(tools))
    return {name: _closest(name, entries, n) for name in dict.fromkeys(names)}


def uses_bundled_catalog(portfolio: Portfolio) -> bool:
    """Whether the portfolio has no tools table of its own (the bundled catalog stands in).

    :attr:`Portfolio.raw <socialkit.contract.schema.Portfolio>` holds the tables as read: a
    portfolio read from files has no ``tools`` there when it has none of its own; one
    validated with the bundled catalog filled in carries it flagged
    (:data:`BUNDLED_ATTR`).
    """
    tools = portfolio.raw.get("tools")
    return tools is None or bool(tools.attrs.get(BUNDLED_ATTR, False))
