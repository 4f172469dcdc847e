"""The documents of ``socialkit check --json``, as Python values and as JSON text.

:class:`socialkit.check.CheckResult` builds its ``--json`` output here: each course's
figures, worked out for the whole portfolio at once, and the JSON written column by
column by Arrow (see :mod:`socialkit._json_text`) rather than through ``json.dumps``
of dicts: the same text, much faster.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._frames import isin_codes
from ._json_text import (
    arrow_strings,
    concat,
    join_text,
    joined_runs,
    json_numbers,
    json_strings,
    pieces,
)
from .analysis import (
    QUESTIONS,
    checklist_gaps,
    gap_lists,
    outside_class_share,
    timing_direction_matrix,
)
from .schema import Portfolio
from .tools import FACT_COLUMNS, RECOMMENDATION_COLUMNS

__all__ = [
    "ADVICE_FIT_KEYS",
    "ADVICE_RECOMMENDATION_KEYS",
    "ADVICE_TOP",
    "CourseFigures",
    "Encoder",
    "advice_documents",
    "course_documents",
    "course_figures",
    "course_grids",
    "courses_text",
    "json_records",
    "json_values",
    "records_text",
]

#: The keys of an activity's ``fit`` in ``check --json --advice``, in this order: the
#: columns of :func:`socialkit.tools.tool_fit` but for the activity's own identifiers
#: (a key whose column the running version does not compute is left out).
ADVICE_FIT_KEYS = ("organisation", "tool", "tool_type", "direction", "timing", *FACT_COLUMNS)
#: The keys of each of an activity's ``recommendations`` in ``check --json --advice``:
#: the columns of :func:`socialkit.tools.recommend_tools` but for the activity's
#: identifiers (again, only those the running version computes).
ADVICE_RECOMMENDATION_KEYS = RECOMMENDATION_COLUMNS
#: How many recommendations ``--advice`` gives per activity.
ADVICE_TOP = 3


def json_values(s: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values: int, float, str, bool; missing as None."""
    values = s.to_numpy(dtype=object, na_value=None)
    return [None if isinstance(v, float) and not math.isfinite(v) else v for v in values]


def json_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, keys in column order."""
    if df.empty:
        return []
    columns = [json_values(df[c]) for c in df.columns]
    keys = [str(c) for c in df.columns]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def course_grids(cube: Any, outer: list[str], inner: list[str]) -> list[dict[str, dict[str, int]]]:
    """``{outer: {inner: n}}`` per course from an array shaped (courses, outer, inner)."""
    return [
        {o: dict(zip(inner, row, strict=True)) for o, row in zip(outer, grid, strict=True)}
        for grid in cube.tolist()  # Python ints, never a numpy type
    ]


@dataclass(frozen=True)
class CourseFigures:
    """What the JSON document says of each valid course, column by column."""

    ids: list[str]
    titles: list[Any]
    timings: list[str]
    directions: list[str]
    counts: Any  # int64 array shaped (courses, timings, directions)
    minutes: Any
    gaps: dict[tuple[str, int], list[str]]
    flipped: list[Any]
    minutes_share: list[Any]
    n_warnings: list[int]


def course_figures(p: Portfolio, warnings: pd.DataFrame) -> CourseFigures:
    ids = p.course_ids
    m = timing_direction_matrix(p)
    t_names = [str(t) for t in m["timing"].cat.categories]
    d_names = [str(d) for d in m["direction"].cat.categories]
    shape = (len(ids), len(t_names), len(d_names))  # rows come in course, timing, direction order
    share = outside_class_share(p)
    n_warn = warnings["course_id"].value_counts()
    return CourseFigures(
        ids=ids,
        titles=json_values(p.courses["title"]),
        timings=t_names,
        directions=d_names,
        counts=m["activities"].to_numpy("int64").reshape(shape),
        minutes=m["minutes"].to_numpy("int64").reshape(shape),
        gaps=gap_lists(checklist_gaps(p)),
        flipped=json_values(share["share_outside"]),
        minutes_share=json_values(share["share_minutes_outside"]),
        n_warnings=[int(n) for n in n_warn.reindex(ids, fill_value=0).tolist()],
    )


def course_documents(p: Portfolio, warnings: pd.DataFrame) -> list[dict[str, Any]]:
    if not p.course_ids:
        return []
    f = course_figures(p, warnings)
    counts = course_grids(f.counts, f.timings, f.directions)
    minutes = course_grids(f.minutes, f.timings, f.directions)
    out = []
    for i, cid in enumerate(f.ids):
        checklist = []
        for q, text in QUESTIONS.items():
            listed = f.gaps.get((cid, q), [])
            checklist.append({"question": q, "text": text, "ok": not listed, "gaps": listed})
        out.append(
            {
                "course_id": cid,
                "title": f.titles[i],
                "matrix": counts[i],
                "minutes": minutes[i],
                "checklist": checklist,
                "flipped_share": f.flipped[i],
                "minutes_share_outside": f.minutes_share[i],
                "n_warnings": f.n_warnings[i],
            }
        )
    return out


# --------------------------------------------------------------------------- JSON text
class Encoder:
    """JSON text of values exactly as :func:`json.dumps` writes them (``", "`` and
    ``": "`` separators, no NaN), non-ASCII text as is or, with ``ascii_only``, as
    ``\\u`` escapes."""

    def __init__(self, ascii_only: bool) -> None:
        self.ascii_only = ascii_only
        #: a str's JSON text (the encoder json.dumps itself uses)
        self.str = encode_basestring_ascii if ascii_only else encode_basestring

    def any(self, value: Any) -> str:
        """Any JSON-ready value (see :meth:`CheckResult.to_dict`)."""
        return json.dumps(value, ensure_ascii=self.ascii_only, allow_nan=False)

    def column(self, s: pd.Series) -> list[str]:
        """Each value of a column as JSON text (see :func:`values`)."""
        enc = self.str
        if isinstance(s.dtype, pd.StringDtype):  # str or missing: each distinct one once
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            texts = np.array([*map(enc, uniques.tolist()), "null"], dtype=object)
            return texts[codes].tolist()  # the sentinel -1 picks "null"
        values = json_values(s)
        return [
            "null"
            if v is None
            else enc(v)
            if type(v) is str
            else int.__repr__(v)
            if type(v) is int
            else self.any(v)
            for v in values
        ]

    def texts(self, s: pd.Series) -> pa.Array:
        """Each value of a column as JSON text, an Arrow array (see :meth:`column`):
        a text column kept in Arrow is encoded there, whole, without a Python loop."""
        values = arrow_strings(s)
        if values is None:
            return json_numbers(self.column(s))
        return json_strings(values, self.str, ascii_only=self.ascii_only)


def records_text(df: pd.DataFrame, enc: Encoder) -> str:
    """``enc.any(json_records(df))``, each row put together by Arrow from its columns'
    JSON texts."""
    if df.empty:
        return "[]"
    parts: list[str | pa.Array] = []
    for i, c in enumerate(df.columns):
        parts += [("{" if i == 0 else ", ") + enc.str(str(c)) + ": ", enc.texts(df[c])]
    return "[" + join_text(pieces(*parts, "}"), ", ") + "]"


def courses_text(p: Portfolio, warnings: pd.DataFrame, enc: Encoder) -> pa.Array:
    """Each course of :func:`course_documents` as its JSON text, an Arrow array.

    Each key is written once, as constant text; every value is a column of JSON texts
    (ids, the two grids cell by cell, the six questions, the shares, the count), joined
    row by row by Arrow.
    """
    ids = p.course_ids
    if not ids:
        return pa.array([], pa.large_string())
    m = timing_direction_matrix(p)
    timings = [str(t) for t in m["timing"].cat.categories]
    directions = [str(d) for d in m["direction"].cat.categories]
    share = outside_class_share(p)
    n_warn = warnings["course_id"].value_counts().reindex(ids, fill_value=0)
    parts: list[str | pa.Array] = [
        "{" + enc.str("course_id") + ": ",
        json_numbers([enc.str(c) for c in ids]),
        ", " + enc.str("title") + ": ",
        enc.texts(p.courses["title"]),
    ]
    for key, column in (("matrix", "activities"), ("minutes", "minutes")):
        cells = m[column].to_numpy("int64").reshape(len(ids), len(timings) * len(directions))
        parts.append(", " + enc.str(key) + ": ")
        parts += _grid_parts(cells, timings, directions, enc)
    for j, entries in enumerate(_checklist_texts(p, enc, len(ids))):
        parts += [", " + enc.str("checklist") + ": [" if j == 0 else ", ", entries]
    parts += [
        "], " + enc.str("flipped_share") + ": ",
        json_numbers(_float_texts(share["share_outside"])),
        ", " + enc.str("minutes_share_outside") + ": ",
        json_numbers(_float_texts(share["share_minutes_outside"])),
        ", " + enc.str("n_warnings") + ": ",
        json_numbers(n_warn.to_numpy("int64")),
        "}",
    ]
    return pieces(*parts)


def _grid_parts(
    cells: np.ndarray, timings: list[str], directions: list[str], enc: Encoder
) -> list[str | pa.Array]:
    """``{timing: {direction: n, ...}, ...}`` as constant text and a column per cell."""
    parts: list[str | pa.Array] = []
    for i, t in enumerate(timings):
        for j, d in enumerate(directions):
            head = ("{" if i == 0 else "}, ") + enc.str(t) + ": {" if j == 0 else ", "
            column = np.ascontiguousarray(cells[:, i * len(directions) + j])
            parts += [head + enc.str(d) + ": ", json_numbers(column)]
    return [*parts, "}}"]


def _float_texts(s: pd.Series) -> list[str]:
    """A float column as JSON numbers (Python's ``repr``, as :func:`json.dumps` writes
    them), missing or not finite values as ``null``."""
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    texts = np.array(list(map(float.__repr__, values.tolist())), dtype=object)
    texts[~np.isfinite(values)] = "null"
    return texts.tolist()


def _checklist_texts(p: Portfolio, enc: Encoder, n_courses: int) -> list[pa.Array]:
    """Per question, each course's checklist entry as JSON text: answered, or open with
    its gaps in the order :func:`~socialkit.analysis.checklist_gaps` lists them."""
    n_q = len(QUESTIONS)
    heads = [
        f"{{{enc.str('question')}: {enc.any(q)}, {enc.str('text')}: {enc.str(text)}, "
        f"{enc.str('ok')}: "
        for q, text in QUESTIONS.items()
    ]
    answered = [f"{head}true, {enc.str('gaps')}: []}}" for head in heads]
    # which entry each (course, question) shows: an answered one, or a run of gaps
    entry = np.tile(np.arange(n_q), n_courses)
    entries = [pa.array(answered, pa.large_string())]
    gaps = checklist_gaps(p)
    if len(gaps):
        course = isin_codes(gaps["course_id"], p.course_ids)
        question = isin_codes(gaps["question"], list(QUESTIONS))
        # the table is grouped by course, then question: a run of one key is one entry
        key = course * (n_q + 1) + question  # unlisted (-1) ones apart from the others
        starts = np.flatnonzero(np.diff(key, prepend=key[0] - 1))
        listed = joined_runs(enc.texts(gaps["gap"]), starts, ", ")
        opened = pa.array([f"{head}false, {enc.str('gaps')}: [" for head in heads])
        first = question[starts]
        heads_of_runs = opened.take(np.maximum(first, 0)).cast(listed.type)
        entries.append(pieces(heads_of_runs, listed, "]}"))
        # a run of an unlisted course or question is never shown; of a key that comes
        # in several runs, the last is shown
        shown = (course[starts] >= 0) & (first >= 0)
        entry[(course[starts] * n_q + first)[shown]] = n_q + np.flatnonzero(shown)
    values = concat(entries)
    return [values.take(entry[j::n_q]) for j in range(n_q)]


# --------------------------------------------------------------------------- advice
def advice_documents(p: Portfolio) -> list[list[dict[str, Any]]]:
    """Per course of ``p.course_ids``: its activities in ``seq`` order, each with its
    tool's fit and its top recommendations (see :meth:`CheckResult.to_dict`)."""
    from .tools import recommend_tools, tool_fit  # only --advice needs the ranking

    a = p.activities
    course = isin_codes(a["course_id"], p.course_ids)
    order = np.lexsort((a["seq"].to_numpy(), course))  # course order, then seq
    a = a.take(order)
    course = course[order]
    keys = pd.MultiIndex.from_arrays([a["course_id"], a["activity_id"]])

    fit = tool_fit(p)
    fit_of = np.full(len(a), -1, dtype="int64")
    fit_of[keys.get_indexer(pd.MultiIndex.from_arrays([fit["course_id"], fit["activity_id"]]))] = (
        np.arange(len(fit))
    )
    fits = json_records(fit[[k for k in ADVICE_FIT_KEYS if k in fit.columns]]) if len(fit) else []

    rec = recommend_tools(p, top=ADVICE_TOP)
    owner = keys.get_indexer(pd.MultiIndex.from_arrays([rec["course_id"], rec["activity_id"]]))
    by_owner = np.lexsort((rec["rank"].to_numpy(), owner))
    rec = rec.take(by_owner)
    recs = json_records(rec[[k for k in ADVICE_RECOMMENDATION_KEYS if k in rec.columns]])
    ends = np.cumsum(np.bincount(owner, minlength=len(a))).tolist()

    ids, seqs, titles = (
        json_values(a["activity_id"]),
        json_values(a["seq"]),
        json_values(a["title"]),
    )
    activities = []
    begin = 0
    for i, f in enumerate(fit_of.tolist()):
        activities.append(
            {
                "activity_id": ids[i],
                "seq": seqs[i],
                "title": titles[i],
                "fit": fits[f] if f >= 0 else None,
                "recommendations": recs[begin : ends[i]],
            }
        )
        begin = ends[i]
    bounds = np.cumsum(np.bincount(course, minlength=len(p.course_ids))).tolist()
    return [activities[s:e] for s, e in zip([0, *bounds[:-1]], bounds, strict=True)]
