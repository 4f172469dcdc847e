"""The documents of ``socialkit check --json``, as Python values and as JSON text.

:class:`socialkit.analysis.check.CheckResult` builds its ``--json`` output here: each course's
figures, worked out for the whole portfolio at once, and the JSON written column by
column by Arrow (see :mod:`socialkit.analysis.json_text`) rather than through ``json.dumps``
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
import pyarrow.compute as pc

from socialkit.analysis.checks import (
    QUESTIONS,
    _gap_rules,
    _vocab_categories,
    checklist_gaps,
    gap_lists,
    outside_class_share,
    timing_direction_matrix,
)
from socialkit.analysis.json_text import (
    arrow_strings,
    concat,
    join_text,
    json_numbers,
    json_strings,
    pieces,
    separators,
    utf8_bytes,
)
from socialkit.analysis.positions import activity_courses
from socialkit.analysis.rules import Flagged
from socialkit.analysis.tally import grid_cells
from socialkit.analysis.tool_fit import FACT_COLUMNS, RECOMMENDATION_COLUMNS
from socialkit.base.frames import isin_codes
from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import DIRECTIONS, TIMINGS

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
    "records_utf8",
]

#: The keys of an activity's ``fit`` in ``check --json --advice``, in this order: the
#: columns of :func:`socialkit.analysis.tool_fit.tool_fit` but for the activity's own identifiers
#: (a key whose column the running version does not compute is left out).
ADVICE_FIT_KEYS = ("organisation", "tool", "tool_type", "direction", "timing", *FACT_COLUMNS)
#: The keys of each of an activity's ``recommendations`` in ``check --json --advice``:
#: the columns of :func:`socialkit.analysis.tool_fit.recommend_tools` but for the activity's
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
    return "[" + join_text(_record_texts(df, enc), ", ") + "]"


def records_utf8(df: pd.DataFrame, enc: Encoder) -> list[bytes | memoryview]:
    """:func:`records_text` as pieces of UTF-8, for a document joined as bytes."""
    if df.empty:
        return [b"[]"]
    return [b"[", utf8_bytes(_record_texts(df, enc, separators(len(df), ", "))), b"]"]


def _record_texts(df: pd.DataFrame, enc: Encoder, *end: pa.Array) -> pa.Array:
    """Each row of a non-empty frame as its JSON object, followed by ``end``."""
    parts: list[str | pa.Array] = []
    for i, c in enumerate(df.columns):
        parts += [("{" if i == 0 else ", ") + enc.str(str(c)) + ": ", enc.texts(df[c])]
    return pieces(*parts, "}", *end)


def courses_text(
    p: Portfolio, warnings: pd.DataFrame, enc: Encoder, *, separator: str | None = None
) -> pa.Array:
    """Each course of :func:`course_documents` as its JSON text, an Arrow array.

    Each key is written once, as constant text; every value is a column of JSON texts
    (ids, the two grids cell by cell, the shares, the count), and the checklist a run of
    texts of its own length per course. With a ``separator``, the texts come joined by
    it instead, as one text (an array of one value).
    """
    ids = p.course_ids
    if not ids:
        return pa.array([], pa.large_string())
    # timing_direction_matrix's cells, without the frame (and its 16 course ids a course)
    a = p.activities
    timing = _vocab_categories(a["timing"], TIMINGS.values)
    direction = _vocab_categories(a["direction"], DIRECTIONS.values)
    grids = grid_cells(timing, direction, a["minutes"], activity_courses(p), len(ids))
    timings = [str(t) for t in timing.categories]
    directions = [str(d) for d in direction.categories]
    share = outside_class_share(p)
    n_warn = warnings["course_id"].value_counts().reindex(ids, fill_value=0)
    before: list[str | pa.Array] = [
        "{" + enc.str("course_id") + ": ",
        json_numbers([enc.str(c) for c in ids]),
        ", " + enc.str("title") + ": ",
        enc.texts(p.courses["title"]),
    ]
    for key, values in zip(("matrix", "minutes"), grids, strict=True):
        cells = values.reshape(len(ids), len(timings) * len(directions))
        before.append(", " + enc.str(key) + ": ")
        before += _grid_parts(cells, timings, directions, enc)
    before.append(", " + enc.str("checklist") + ": [")
    after: list[str | pa.Array] = [
        "], " + enc.str("flipped_share") + ": ",
        json_numbers(_float_texts(share["share_outside"])),
        ", " + enc.str("minutes_share_outside") + ": ",
        json_numbers(_float_texts(share["share_minutes_outside"])),
        ", " + enc.str("n_warnings") + ": ",
        json_numbers(n_warn.to_numpy("int64")),
        "}",
    ]
    if separator is not None:
        after.append(separators(len(ids), separator))
    return _course_tokens(len(ids), before, _checklist_tokens(p, enc, len(ids)), after, separator)


def _course_tokens(
    n: int,
    before: list[str | pa.Array],
    middle: tuple[list[pa.Array], np.ndarray, np.ndarray],
    after: list[str | pa.Array],
    separator: str | None,
) -> pa.Array:
    """The courses' texts from their tokens, with one ``take``: per course, a token of
    each part of ``before`` (constant text, or the course's row of a column), its run
    of ``middle`` tokens, then a token of each part of ``after``.

    ``middle`` is (arrays of texts, token numbers into those arrays end to end, where
    each course's run starts: ``n + 1`` offsets). The texts taken in token order, end to
    end, are all the courses' texts one after the other: returned so when a
    ``separator`` is in ``after``, else cut into one per course by one join.
    """
    arrays: list[pa.Array] = []
    size = 0

    def slot(part: str | pa.Array) -> np.ndarray:
        """The token number of this part for each course."""
        nonlocal size
        values = pa.array([part], pa.large_string()) if isinstance(part, str) else part
        arrays.append(values)
        size += len(values)
        first = size - len(values)
        return np.full(n, first, dtype=np.int64) if isinstance(part, str) else first + np.arange(n)

    heads, tails = [slot(x) for x in before], [slot(x) for x in after]
    texts, middle_tokens, middle_starts = middle
    arrays += texts
    middle_tokens = middle_tokens + size
    middle_length = np.diff(middle_starts)
    length = len(heads) + middle_length + len(tails)
    start = np.cumsum(length) - length
    token = np.empty(int(length.sum()), dtype=np.int64)
    for j, numbers in enumerate(heads):
        token[start + j] = numbers
    # the run of course c: its tokens middle_starts[c]... placed from start[c] + heads
    shift = np.repeat(start + len(heads) - middle_starts[:-1], middle_length)
    token[shift + np.arange(len(middle_tokens))] = middle_tokens
    for j, numbers in enumerate(tails):
        token[start + len(heads) + middle_length + j] = numbers
    values = concat(arrays).take(token)
    if separator is not None:
        return values
    offsets = pa.array(np.append(start, len(token)).astype("int64"))
    return pc.binary_join(
        pa.LargeListArray.from_arrays(offsets, values), pa.scalar("", pa.large_string())
    )


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


def _gap_texts(
    p: Portfolio, enc: Encoder
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[pa.Array]]:
    """Every gap of :func:`~socialkit.analysis.checks.checklist_gaps`: its course code (its
    position in ``p.course_ids``, -1 if not listed), its question index (0-5) and
    ``order``, all three in the table's order, and the JSON texts, per rule, in the
    rules' order.

    The table's order is the rules' flagged rows sorted as
    :func:`socialkit.analysis.rules.collect` sorts them (course, question, then ``seq``, missing
    first; ties in the order of the rules and rows); ``order`` gives, for each gap in
    that order, its place among the texts of every rule put end to end. Unlike that
    table, neither the id columns the JSON does not show are taken, nor the texts
    sorted: they are taken once, where the document is put together.
    """
    course, seq, key, texts = [], [], [], []
    for table, mask, k, sentence in _gap_rules(p):
        flags = mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else mask
        rows = np.flatnonzero(np.asarray(flags, dtype=bool))
        if not len(rows):
            continue
        course.append(table.course[rows])
        seq.append(np.full(len(rows), -np.inf) if table.seq is None else table.seq[rows])
        key.append(np.full(len(rows), k, dtype=np.int64))
        if callable(sentence):
            said = sentence(Flagged(table, rows))
        else:
            said = pa.repeat(pa.scalar(sentence, pa.large_string()), len(rows))
        texts.append(json_strings(said, enc.str, ascii_only=enc.ascii_only))
    if not course:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64), []
    course_, seq_, key_ = (np.concatenate(x) for x in (course, seq, key))
    seq_ = np.where(np.isnan(seq_), -np.inf, seq_)  # missing first
    order = np.lexsort((seq_, key_, course_))
    question = isin_codes(pd.Series(key_[order]), list(QUESTIONS))
    return course_[order], question, order, texts


def _checklist_tokens(
    p: Portfolio, enc: Encoder, n_courses: int
) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
    """Each course's checklist entries as tokens of JSON text (see
    :func:`_course_tokens`), ``{...}, {...}`` without the brackets: per question,
    answered, or open with its gaps in the order
    :func:`~socialkit.analysis.checks.checklist_gaps` lists them.

    The tokens are an entry's head, a gap, a separator or an entry's end: the gap texts
    are copied once into their place, not joined per entry, then per course.
    """
    n_q = len(QUESTIONS)
    heads = [
        f"{{{enc.str('question')}: {enc.any(q)}, {enc.str('text')}: {enc.str(text)}, "
        f"{enc.str('ok')}: "
        for q, text in QUESTIONS.items()
    ]
    answered = [f"{head}true, {enc.str('gaps')}: []}}" for head in heads]
    opened = [f"{head}false, {enc.str('gaps')}: [" for head in heads]
    constants = pa.array([", ", "]}", *answered, *opened], pa.large_string())
    sep, close, answered_0, opened_0 = 0, 1, 2, 2 + n_q  # their places in ``constants``
    course, question, order, texts = _gap_texts(p, enc)
    # a gap of an unlisted course or question is never shown; the table is sorted by
    # course, then question, so the gaps of each (course, question) cell come together
    shown = np.flatnonzero((course >= 0) & (question >= 0))
    cell = course[shown] * n_q + question[shown]
    n_gaps = np.bincount(cell, minlength=n_courses * n_q)
    q = np.tile(np.arange(n_q), n_courses)
    # per cell: a separator before every entry but a course's first, then the answered
    # entry (one token), or the open head, each gap and a separator between two, the end
    lead = (q > 0).astype(np.int64)
    length = lead + np.where(n_gaps > 0, 2 * n_gaps + 1, 1)
    start = np.cumsum(length) - length
    token = np.full(int(length.sum()), sep, dtype=np.int64)
    head = start + lead
    token[head] = np.where(n_gaps > 0, opened_0 + q, answered_0 + q)
    rank = np.arange(len(cell)) - np.searchsorted(cell, cell, side="left")  # within its cell
    token[head[cell] + 1 + 2 * rank] = len(constants) + order[shown]
    is_open = n_gaps > 0
    token[(head + 2 * n_gaps)[is_open]] = close
    return [constants, *texts], token, np.append(start[::n_q], len(token))


# --------------------------------------------------------------------------- advice
def advice_documents(p: Portfolio) -> list[list[dict[str, Any]]]:
    """Per course of ``p.course_ids``: its activities in ``seq`` order, each with its
    tool's fit and its top recommendations (see :meth:`CheckResult.to_dict`)."""
    from socialkit.analysis.tool_fit import (  # only --advice needs the ranking
        recommend_tools,
        tool_fit,
    )

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
