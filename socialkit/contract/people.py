"""The key of a person, the same whether it comes from the ``people`` table or a statement.

A person is known by an e-mail address (``mailto:ann@example.org``, lower-cased) or by an
account on a system (``account:HOMEPAGE::NAME``, the home page and the name trimmed, their
case kept). The ``people`` table and the statements reader both make their keys here, so
that a learner in one is found in the other.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["arrow_person_keys", "person_key", "person_keys"]

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
    """:func:`person_keys` on Arrow string arrays of one length (what the statements
    reader calls, without a detour through pandas)."""
    mail = pc.utf8_lower(_trimmed(mbox))
    bare = pc.invert(pc.fill_null(pc.starts_with(mail, _MAILTO), True))
    if pc.any(bare).as_py():  # an address without its prefix
        mail = pc.if_else(bare, pc.binary_join_element_wise(_MAILTO, mail, ""), mail)
    address = pc.ascii_trim_whitespace(pc.utf8_slice_codeunits(mail, len(_MAILTO)))
    mail = pc.if_else(pc.greater(pc.utf8_length(address), 0), mail, _NULL)
    account = pc.binary_join_element_wise("account:", _trimmed(home_page), "::", _trimmed(name), "")
    return pc.coalesce(mail, account)


def _arrow(values: pd.Series) -> pa.Array:
    return pa.array(values.astype("str").array, type=pa.string())


def person_keys(mbox: pd.Series, home_page: pd.Series, name: pd.Series) -> pd.Series:
    """The person key of each row: its ``mbox``, else its account, else missing.

    Parameters
    ----------
    mbox : pandas.Series
        E-mail addresses, with or without the ``mailto:`` prefix; lower-cased.
    home_page, name : pandas.Series
        The account's home page and name (both needed), trimmed, case kept. Same length
        as ``mbox``; matched by position.

    Returns
    -------
    pandas.Series
        ``str`` dtype, on ``mbox``'s index: ``mailto:ADDRESS`` or
        ``account:HOMEPAGE::NAME``; missing where a row has neither.

    Examples
    --------
    >>> person_keys(pd.Series([" Mailto:Ann@X.org", None]),
    ...             pd.Series([None, "https://lms.example.org "]),
    ...             pd.Series([None, " 4711"])).tolist()
    ['mailto:ann@x.org', 'account:https://lms.example.org::4711']
    """
    keys = arrow_person_keys(_arrow(mbox), _arrow(home_page), _arrow(name))
    return keys.to_pandas().astype("str").set_axis(mbox.index)


def person_key(
    mbox: str | None = None,
    account_homepage: str | None = None,
    account_name: str | None = None,
) -> str | None:
    """The person key of one person (see :func:`person_keys`), or None."""
    key = arrow_person_keys(
        pa.array([mbox], pa.string()),
        pa.array([account_homepage], pa.string()),
        pa.array([account_name], pa.string()),
    )[0].as_py()
    return key
