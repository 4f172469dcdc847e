"""What a course's report is made from, as one digest per course.

The report batch (:mod:`socialkit.reports.runner`) makes a course's report again only when its
fingerprint changed: its rows (its runs and people included), its organisation's row,
the tool catalog, the course notebook, the socialkit version, and, for a course with
runs, the portfolio's statement files. Hashing is vectorised over the whole portfolio.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd

from socialkit import __version__
from socialkit.base.lookup import isin
from socialkit.contract.layout import statement_files
from socialkit.contract.schema import Portfolio

__all__ = ["course_fingerprints", "statements_digest"]

_CHUNK = 1 << 20


def statements_digest(path: str | os.PathLike[str]) -> bytes:
    """A SHA-256 of a portfolio's statement files: their paths and contents, in path order.

    Parameters
    ----------
    path : path-like
        The portfolio (a CSV folder; a workbook has no statement files).

    Returns
    -------
    bytes
        The digest; the same for no statement files as for an empty ``statements``
        folder.
    """
    digest = hashlib.sha256()
    for f in statement_files(path):
        digest.update(f.relative_to(path).as_posix().encode() + b"\0")
        with open(f, "rb") as stream:
            while block := stream.read(_CHUNK):
                digest.update(block)
        digest.update(b"\0")
    return digest.digest()


def _frame_hashes(df: pd.DataFrame) -> pd.Series:
    """One 64-bit hash per row, also depending on the column names."""
    names = int(hashlib.sha1("\x1f".join(df.columns).encode()).hexdigest()[:15], 16)
    rows = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return pd.Series(rows ^ np.uint64(names), index=df.index)


def course_fingerprints(
    portfolio: Portfolio, notebook: bytes, *, statements: bytes = b""
) -> pd.Series:
    """What a course's report is made from, as one hex digest per course.

    Parameters
    ----------
    portfolio : Portfolio
    notebook : bytes
        The course notebook's file content.
    statements : bytes, optional
        :func:`statements_digest` of the portfolio's statement files: it counts for the
        courses with runs only (the others' reports show no statement).

    Returns
    -------
    pandas.Series
        Indexed by ``course_id``: a SHA-256 of the notebook, the socialkit version,
        the tool catalog, the course's organisation row, the course's rows of
        ``courses``, ``objectives``, ``activities``, ``runs`` and ``people`` in file
        order, and, when the course has runs, ``statements``. Any change to these gives
        a new digest.
    """
    ids = pd.Index(portfolio.course_ids, name="course_id")
    parts = []
    for table in ("courses", "objectives", "activities", "runs", "people"):
        df = portfolio.raw.get(table, getattr(portfolio, table))
        h = _frame_hashes(df.astype("str"))
        pos = df.groupby("course_id", sort=False).cumcount().to_numpy().astype("uint64")
        # mix the row's place in its course in, then fold rows per course (order matters)
        mixed = pd.util.hash_array(h.to_numpy() ^ (pos * np.uint64(0x9E3779B97F4A7C15)))
        per = pd.Series(mixed, index=df.index).groupby(df["course_id"].to_numpy()).sum()
        parts.append(per.reindex(ids, fill_value=0).astype("uint64"))
    orgs = portfolio.organisations
    org_hash = pd.Series(
        _frame_hashes(orgs.astype("str")).to_numpy(), index=orgs["organisation"].to_numpy()
    )
    course_org = portfolio.courses.set_index("course_id")["organisation"]
    parts.append(course_org.map(org_hash).fillna(0).astype("uint64").reindex(ids))
    has_runs = isin(pd.Series(ids), portfolio.runs["course_id"]).to_numpy()
    seen = np.uint64(int.from_bytes(hashlib.sha256(statements).digest()[:8], "little"))
    parts.append(pd.Series(np.where(has_runs, seen, np.uint64(0)), index=ids, dtype="uint64"))
    common = hashlib.sha256(notebook)
    common.update(__version__.encode())
    common.update(_frame_hashes(portfolio.tools.astype("str")).to_numpy().tobytes())
    table = pd.concat(parts, axis=1).to_numpy()
    digests = []
    for cid, row in zip(ids, table, strict=True):
        h = common.copy()
        h.update(cid.encode())
        h.update(row.tobytes())
        digests.append(h.hexdigest())
    return pd.Series(digests, index=ids, name="fingerprint")
