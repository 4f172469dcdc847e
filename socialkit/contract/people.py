"""A person's key: one spelling of an xAPI identity for the ``people`` table and statements.

The ``people`` table writes a person as ``mailto:ADDRESS`` or ``account:HOMEPAGE::NAME``;
a statement's actor carries an ``mbox`` or an ``account`` (``homePage`` and ``name``). Both
sides go through these functions, so that they match exactly: an address is compared in
lower case (``mailto:Ann@X.org`` is ``mailto:ann@x.org``), an account's home page and name
are trimmed and keep their case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ACCOUNT_PARTS", "actor_keys", "arrow_person_keys", "person_key", "person_keys"]

#: The home page and name of a person written ``account:HOMEPAGE::NAME`` (the first ``::``
#: after the home page's host ends it).
ACCOUNT_PARTS = r"^account:(?P<home>[Hh][Tt][Tt][Pp][Ss]?://[^\s/:]+\S*?)::(?P<name>.*)$"


def person_key(
    mbox: str | None = None,
    account_homepage: str | None = None,
    account_name: str | None = None,
) -> str | None:
    """The key of one xAPI actor.

    Parameters
    ----------
    mbox : str, optional
        The actor's ``mbox`` (``mailto:ann@example.org``; the ``mailto:`` may be missing).
    account_homepage, account_name : str, optional
        The actor's ``account``, used when there is no ``mbox``.

    Returns
    -------
    str or None
        ``mailto:`` and the address in lower case, ``account:HOMEPAGE::NAME`` (both
        trimmed), or None when the actor has neither (or a blank one).

    Examples
    --------
    >>> person_key("mailto:Ann@X.org")
    'mailto:ann@x.org'
    >>> person_key(account_homepage=" https://lms.example.org ", account_name="Ab7")
    'account:https://lms.example.org::Ab7'
    """
    if isinstance(mbox, str) and mbox.strip():
        address = mbox.strip()
        if address[:7].lower() == "mailto:":
            address = address[7:]
        return "mailto:" + address.strip().lower()
    if isinstance(account_homepage, str) and isinstance(account_name, str):
        home, name = account_homepage.strip(), account_name.strip()
        if home and name:
            return f"account:{home}::{name}"
    return None


def actor_keys(
    mbox: pd.Series | None = None,
    account_homepage: pd.Series | None = None,
    account_name: pd.Series | None = None,
) -> pd.Series:
    """:func:`person_key` of many actors at once, vectorised.

    Parameters
    ----------
    mbox, account_homepage, account_name : pandas.Series, optional
        Aligned columns (missing values allowed); at least one must be given.

    Returns
    -------
    pandas.Series
        The keys (object dtype, None where an actor has neither form), on the index of the
        columns given.
    """
    given = [s for s in (mbox, account_homepage, account_name) if s is not None]
    if not given:
        raise ValueError("actor_keys needs at least one of mbox, account_homepage, account_name")
    index = given[0].index
    out = np.full(len(index), None, dtype="object")
    if account_homepage is not None and account_name is not None:
        home = account_homepage.astype("str").str.strip()
        name = account_name.astype("str").str.strip()
        ok = (home.notna() & name.notna() & home.ne("") & name.ne("")).fillna(False)
        ok = ok.to_numpy(dtype=bool)
        out[ok] = ("account:" + home[ok] + "::" + name[ok]).to_numpy(dtype="object")
    if mbox is not None:
        m = mbox.astype("str").str.strip()
        address = m.str.replace(r"^(?i:mailto:)", "", regex=True).str.strip().str.lower()
        ok = (m.notna() & m.ne("")).fillna(False).to_numpy(dtype=bool)
        out[ok] = ("mailto:" + address[ok]).to_numpy(dtype="object")
    return pd.Series(out, index=index, dtype="object")


def person_keys(persons: pd.Series) -> pd.Series:
    """The key of each person as the ``people`` table writes them (already trimmed).

    ``mailto:`` (in any case) and the address become lower case; ``account:HOMEPAGE::NAME``
    keeps its case, its home page and name trimmed. A value of neither form is kept as it is
    (validation reports it).
    """
    s = persons.astype("str")
    out = s.copy()
    mail = s.str.match(r"(?i:mailto):").fillna(False).astype(bool)
    out[mail] = "mailto:" + s[mail].str.slice(7).str.strip().str.lower()
    parts = s.str.extract(ACCOUNT_PARTS)
    acc = parts["home"].notna() & ~mail
    out[acc] = "account:" + parts["home"][acc].str.strip() + "::" + parts["name"][acc].str.strip()
    return out


_MAILTO = "mailto:"
_NULL = pa.scalar(None, pa.string())


def _trimmed(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Trimmed text, blank values null."""
    text = pc.ascii_trim_whitespace(values)
    return pc.if_else(pc.greater(pc.utf8_length(text), 0), text, _NULL)


def arrow_person_keys(
    mbox: pa.Array | pa.ChunkedArray,
    home_page: pa.Array | pa.ChunkedArray,
    name: pa.Array | pa.ChunkedArray,
) -> pa.Array | pa.ChunkedArray:
    """:func:`actor_keys` on Arrow string arrays of one length (what the statements
    reader calls, without a detour through pandas)."""
    mail = pc.utf8_lower(_trimmed(mbox))
    bare = pc.invert(pc.fill_null(pc.starts_with(mail, _MAILTO), True))
    if pc.any(bare).as_py():  # an address without its prefix
        mail = pc.if_else(bare, pc.binary_join_element_wise(_MAILTO, mail, ""), mail)
    address = pc.ascii_trim_whitespace(pc.utf8_slice_codeunits(mail, len(_MAILTO)))
    mail = pc.if_else(pc.greater(pc.utf8_length(address), 0), mail, _NULL)
    account = pc.binary_join_element_wise("account:", _trimmed(home_page), "::", _trimmed(name), "")
    return pc.coalesce(mail, account)
