"""Small HTML fragments for report pages, with every piece of user text escaped.

The rule is simple: a plain ``str`` (or any other value) is *text* and is always
escaped; a :class:`Fragment` is markup that a builder here made, and passes through
unchanged. Builders only emit ``sk-`` classes that ``report.css`` styles. The report
notebooks reach these through :mod:`socialkit.reports.display`, which re-exports them.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "BADGE_KINDS",
    "UNDECIDED_TEXT",
    "Fragment",
    "badge",
    "bullets",
    "decided",
    "escape",
    "group",
    "header",
    "is_blank",
    "join",
    "link",
    "muted",
    "note",
    "show",
    "stacked",
    "stats",
    "table",
]

#: How a decision left blank is shown.
UNDECIDED_TEXT = "not decided yet"
#: The kinds a :func:`badge` or :func:`note` may have (each one a CSS class).
BADGE_KINDS = ("ok", "failed", "warning", "undecided", "info", "neutral", "id")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


# --------------------------------------------------------------------------- text and markup
class Fragment(str):
    """A piece of HTML made by this module: already escaped, passed through unchanged."""

    __slots__ = ()


def is_blank(value: object) -> bool:
    """Whether a value is blank ("not decided yet"): missing, NaN, or empty or white text.

    Parameters
    ----------
    value : object
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def escape(value: object) -> Fragment:
    """Text as HTML: a :class:`Fragment` unchanged, a blank value as ``""``, else escaped.

    Parameters
    ----------
    value : object
        Any value, shown through ``str()`` with ``&``, ``<``, ``>``, ``"`` and ``'`` escaped.
    """
    if isinstance(value, Fragment):
        return value
    if is_blank(value):
        return Fragment("")
    return Fragment(html.escape(str(value), quote=True))


def join(*parts: object, sep: str = "") -> Fragment:
    """Concatenate fragments and text (text escaped), skipping blank parts.

    Parameters
    ----------
    *parts : object
    sep : str, default ""
        Put between the parts (escaped).
    """
    return Fragment(escape(sep).join(escape(p) for p in parts if not is_blank(p)))


def _kind(kind: str) -> str:
    if kind not in BADGE_KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(BADGE_KINDS)}")
    return kind


def badge(label: object, kind: str = "neutral") -> Fragment:
    """A small coloured label: ``<span class="sk-badge sk-badge-KIND">``.

    Parameters
    ----------
    label : object
        The text shown (escaped).
    kind : str, default "neutral"
        One of :data:`BADGE_KINDS`; any other raises ``ValueError``.
    """
    return Fragment(f'<span class="sk-badge sk-badge-{_kind(kind)}">{escape(label)}</span>')


def decided(value: object, placeholder: str = UNDECIDED_TEXT) -> Fragment:
    """The value as text, or an ``undecided`` badge saying ``placeholder`` when blank."""
    return badge(placeholder, "undecided") if is_blank(value) else escape(value)


def muted(value: object) -> Fragment:
    """Text (or a fragment) in a quieter colour: ``<span class="sk-muted">``."""
    return Fragment(f'<span class="sk-muted">{escape(value)}</span>')


def stacked(main: object, detail: object) -> Fragment:
    """A main line over a smaller, quieter detail line (each text or a fragment)."""
    return Fragment(
        f'<span class="sk-main">{escape(main)}</span><br>'
        f'<span class="sk-detail">{escape(detail)}</span>'
    )


def link(href: object, label: object) -> Fragment:
    """A link; an ``href`` with a scheme other than http(s) or mailto gives plain text.

    Parameters
    ----------
    href : object
        A relative path or an http(s)/mailto URL (escaped into the attribute).
    label : object
        The link text (escaped).
    """
    target = "" if is_blank(href) else str(href).strip()
    relative = ":" not in re.split(r"[/?#]", target, maxsplit=1)[0]
    if not target or not (relative or target.lower().startswith(_SAFE_SCHEMES)):
        return escape(label)
    return Fragment(f'<a href="{escape(target)}">{escape(label)}</a>')


def bullets(items: Iterable[object], *, empty: object = None, ordered: bool = False) -> Fragment:
    """A list of items (text escaped); ``empty`` (or ``""``) when there are none.

    Parameters
    ----------
    items : iterable
    empty : object, optional
        Shown, as a muted paragraph, when ``items`` is empty.
    ordered : bool, default False
        A numbered list (``<ol>``) instead of bullets.
    """
    rows = "".join(f"<li>{escape(item)}</li>" for item in items)
    if not rows:
        return Fragment("" if empty is None else f'<p class="sk-empty">{escape(empty)}</p>')
    tag = "ol" if ordered else "ul"
    return Fragment(f'<{tag} class="sk-list">{rows}</{tag}>')


def note(message: object, kind: str = "info", *, title: object = None) -> Fragment:
    """A boxed message: ``<div class="sk-note sk-note-KIND">``.

    Parameters
    ----------
    message : object
        Text or a fragment.
    kind : str, default "info"
        One of :data:`BADGE_KINDS`; any other raises ``ValueError``.
    title : object, optional
        A bold lead-in.
    """
    lead = "" if is_blank(title) else f"<strong>{escape(title)}</strong> "
    return Fragment(f'<div class="sk-note sk-note-{_kind(kind)}">{lead}{escape(message)}</div>')


def stats(items: Iterable[tuple[object, object]]) -> Fragment:
    """A row of key figures, ``(value, label)`` pairs: a big number over a small label."""
    cells = "".join(
        f'<div class="sk-stat"><span class="sk-stat-value">{escape(value)}</span>'
        f'<span class="sk-stat-label">{escape(label)}</span></div>'
        for value, label in items
    )
    return Fragment(f'<div class="sk-stats">{cells}</div>')


def header(
    title: object,
    *,
    kicker: object = None,
    facts: Iterable[tuple[object, object]] = (),
    extra: object = None,
) -> Fragment:
    """The top of a report: a small kicker line, the title, then labelled facts.

    Parameters
    ----------
    title : object
        The page's ``<h1>`` (escaped).
    kicker : object, optional
        A line above the title, such as "Course design report".
    facts : iterable of (label, value)
        Shown as a definition list; a blank value shows as "not given".
    extra : object, optional
        Anything shown below the facts (text or a fragment, e.g. :func:`stats`).
    """
    top = "" if is_blank(kicker) else f'<p class="sk-kicker">{escape(kicker)}</p>'
    items = "".join(
        f"<div><dt>{escape(label)}</dt><dd>{decided(value, 'not given')}</dd></div>"
        for label, value in facts
    )
    dl = f'<dl class="sk-facts">{items}</dl>' if items else ""
    return Fragment(
        f'<header class="sk-header">{top}<h1>{escape(title)}</h1>{dl}{escape(extra)}</header>'
    )


def group(title: object, body: object, *, tag: object = None) -> Fragment:
    """A titled block (``<section class="sk-group">``), e.g. one objective and its activities.

    Parameters
    ----------
    title : object
        The block's heading text (escaped).
    body : object
        Text or a fragment.
    tag : object, optional
        A short id shown before the title, such as an objective id.
    """
    label = "" if is_blank(tag) else f"{badge(tag, 'id')} "
    return Fragment(
        f'<section class="sk-group"><h3 class="sk-group-title">{label}{escape(title)}</h3>'
        f"{escape(body)}</section>"
    )


def table(
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    *,
    formats: Mapping[str, Callable[[Any], object]] | None = None,
    blank: object = UNDECIDED_TEXT,
    empty: object = "Nothing to show.",
    row_kind: Callable[[Mapping[str, Any]], str | None] | None = None,
) -> Fragment:
    """An HTML table of some columns, every cell escaped unless it is a :class:`Fragment`.

    Parameters
    ----------
    rows : pandas.DataFrame or sequence of mappings
        The data. Pass markup cells (fragments) as a list of dicts: a DataFrame turns a
        column of fragments into plain strings, which are then escaped.
    columns : sequence of str, optional
        The columns to show, in order; all (those of the first row) when omitted.
    labels : mapping, optional
        Column name -> header text; the column name when not given.
    formats : mapping, optional
        Column name -> function of the cell's value returning text or a fragment;
        it is called for blank values too.
    blank : object, default :data:`UNDECIDED_TEXT`
        What a blank cell without a format shows: text becomes an ``undecided`` badge;
        a :class:`Fragment` is used as it is.
    empty : object, default "Nothing to show."
        Shown, as a muted paragraph, instead of a table without rows.
    row_kind : callable, optional
        Function of the row returning one of :data:`BADGE_KINDS` or None; the row gets
        the class ``sk-row-KIND``.

    Raises
    ------
    KeyError
        If a column is missing from the data.
    ValueError
        If ``row_kind`` returns an unknown kind.
    """
    if isinstance(rows, pd.DataFrame):
        records, known = rows.to_dict("records"), list(rows.columns)
    else:
        records = list(rows)
        known = list(records[0]) if records else []
    columns = known if columns is None else list(columns)
    missing = [c for c in columns if c not in known]
    if missing and (records or isinstance(rows, pd.DataFrame)):
        raise KeyError(f"no column {missing[0]!r} in the rows")
    if not records:
        return Fragment(f'<p class="sk-empty">{escape(empty)}</p>')
    labels, formats = labels or {}, formats or {}
    shown_blank = blank if isinstance(blank, Fragment) else badge(blank, "undecided")
    head = "".join(f"<th>{escape(labels.get(c, c))}</th>" for c in columns)
    body = []
    for row in records:
        kind = row_kind(row) if row_kind else None
        cls = f' class="sk-row-{_kind(kind)}"' if kind else ""
        cells = "".join(
            f"<td>{escape(formats[c](row[c]))}</td>"
            if c in formats
            else f"<td>{shown_blank if is_blank(row[c]) else escape(row[c])}</td>"
            for c in columns
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return Fragment(
        f'<div class="sk-table-wrap"><table class="sk-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def show(*parts: object) -> None:
    """Display fragments and text (escaped) as one ``text/html`` output, and nothing else."""
    from IPython.display import display

    display({"text/html": str(join(*parts))}, raw=True)
