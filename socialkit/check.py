"""One call that checks a portfolio and gathers what ``socialkit check`` reports."""

from __future__ import annotations

import ast
import contextlib
import gc
import json
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._frames import isin_codes
from ._text import terminal_safe
from .advice import strategic_warnings
from .analysis import (
    QUESTIONS,
    checklist_gaps,
    checklist_scores,
    gap_lists,
    outside_class_share,
    timing_direction_matrix,
)
from .errors import SocialkitError, ValidationError, format_issues
from .io import load_portfolio, sample_path
from .schema import ISSUE_COLUMNS, TABLE_ORDER, Portfolio
from .tools import FACT_COLUMNS

__all__ = ["ADVICE_FIT_KEYS", "ADVICE_RECOMMENDATION_KEYS", "CheckResult", "check_portfolio"]

_WARNING_COLUMNS = ["code", "course_id", "activity_id", "message"]

#: The keys of an activity's ``fit`` in ``check --json --advice``, in this order: the
#: columns of :func:`socialkit.tools.tool_fit` but for the activity's own identifiers
#: (a key whose column the running version does not compute is left out).
ADVICE_FIT_KEYS = ("organisation", "tool", "tool_type", "direction", "timing", *FACT_COLUMNS)
#: The keys of each of an activity's ``recommendations`` in ``check --json --advice``:
#: the columns of :func:`socialkit.tools.recommend_tools` but for the activity's
#: identifiers (again, only those the running version computes).
ADVICE_RECOMMENDATION_KEYS = (
    "rank",
    "tool",
    "score",
    "on_platform",
    "availability",
    "hosting",
    "onboarding",
    "chosen",
    "reasons",
    "advantage",
)
#: How many recommendations ``--advice`` gives per activity.
ADVICE_TOP = 3


@dataclass(frozen=True, eq=False)
class CheckResult:
    """What checking a portfolio found.

    Attributes
    ----------
    source : pathlib.Path
    errors : pandas.DataFrame
        Contract violations (``table``, ``row``, ``column``, ``value``, ``message``,
        ``course_id``, ``code``; the course is missing for an error about the whole
        portfolio).
    warnings : pandas.DataFrame
        Strategic warnings of the valid courses (see
        :func:`socialkit.advice.strategic_warnings`).
    portfolio : Portfolio or None
        The valid courses (an invalid course is left out, see
        :attr:`Portfolio.invalid <socialkit.schema.Portfolio.invalid>`), or None when
        an error concerns the whole portfolio and nothing could be analysed.
    notices : tuple of str
        Reader remarks such as unknown columns.
    """

    source: Path
    errors: pd.DataFrame
    warnings: pd.DataFrame
    portfolio: Portfolio | None
    notices: tuple[str, ...] = ()

    @classmethod
    def unreadable(cls, source: str | os.PathLike[str], error: SocialkitError) -> CheckResult:
        """The result for a portfolio that could not be read at all.

        Parameters
        ----------
        source : path-like
        error : SocialkitError
            Why (such as :class:`~socialkit.errors.PortfolioReadError`); it becomes
            the one error, located (table, row, column) as far as the error says.

        Returns
        -------
        CheckResult
        """
        table, row, column = _read_location(error)
        errors = pd.DataFrame(
            {
                "table": [table],
                "row": pd.array([row], dtype="Int64"),
                "column": [column],
                "value": [None],
                "message": [str(error)],
                "course_id": [None],
                "code": ["no-portfolio" if isinstance(error, FileNotFoundError) else "unreadable"],
            },
            columns=ISSUE_COLUMNS,
        )
        return cls(Path(source), errors, _no_warnings(), None)

    @property
    def valid(self) -> bool:
        """True when the whole portfolio meets the data contract (warnings allowed)."""
        return self.portfolio is not None and self.errors.empty

    @property
    def invalid_courses(self) -> pd.DataFrame:
        """The courses left out as invalid: ``course_id``, ``title``, ``errors``."""
        if self.portfolio is None:
            return pd.DataFrame({"course_id": [], "title": [], "errors": []})
        if self.portfolio.invalid.empty:  # without reading every course's title
            return pd.DataFrame(
                {
                    "course_id": pd.Series([], dtype="object"),
                    "title": pd.Series([], dtype="object"),
                    "errors": pd.Series([], dtype="int64"),
                }
            )
        return self.portfolio.invalid_courses

    def to_dict(self, *, advice: bool = False) -> dict[str, Any]:
        """The JSON document of ``socialkit check --json``, as Python objects.

        Only JSON types: dicts, lists, str, int, float (never NaN), bool and None.

        Parameters
        ----------
        advice : bool, default False
            Give each course its ``activities`` (in ``seq`` order), each with its
            ``activity_id``, ``seq``, ``title``, its tool's ``fit`` (the keys of
            :data:`ADVICE_FIT_KEYS`; None when the activity names no tool) and its
            top three ``recommendations`` (the keys of
            :data:`ADVICE_RECOMMENDATION_KEYS`, best first; empty while the tool
            type is undecided), as ``socialkit check --json --advice`` prints.
        """
        p = self.portfolio
        courses = [] if p is None else _courses(p, self.warnings)
        if advice and p is not None:
            for course, activities in zip(courses, _advice(p), strict=True):
                course["activities"] = activities
        return {
            "valid": self.valid,
            "source": str(self.source),
            "notices": list(self.notices),
            "errors": _records(self.errors),
            "warnings": _records(self.warnings),
            "courses": courses,
            "invalid_courses": _records(self.invalid_courses),
        }

    def to_json(self, *, advice: bool = False) -> str:
        """The JSON document of ``socialkit check --json``, as text (one line).

        Encoded by :func:`json.dumps`, non-ASCII text as is; only when some text holds
        a lone surrogate (which UTF-8 cannot carry) is everything non-ASCII written
        as ``\\u`` escapes instead.

        Parameters
        ----------
        advice : bool, default False
            With each course's activities, their fit and recommendations (see
            :meth:`to_dict`).
        """
        with _collector_paused():  # many small acyclic objects: nothing to collect
            text = self._json(ascii_only=False, advice=advice)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                text = self._json(ascii_only=True, advice=advice)
        return text

    def _json(self, *, ascii_only: bool, advice: bool) -> str:
        """``json.dumps(self.to_dict(advice=advice), ensure_ascii=ascii_only)``, the
        same text, written straight from the frames: each course and each record
        through a template, without a dict per course and per row first."""
        enc = _Encoder(ascii_only)
        p = self.portfolio
        courses = [] if p is None else _courses_json(p, self.warnings, enc)
        if advice and p is not None:
            courses = [
                f"{course[:-1]}, {enc.str('activities')}: {enc.any(activities)}}}"
                for course, activities in zip(courses, _advice(p), strict=True)
            ]
        parts = [
            ("valid", enc.any(self.valid)),
            ("source", enc.str(str(self.source))),
            ("notices", enc.any(list(self.notices))),
            ("errors", _records_json(self.errors, enc)),
            ("warnings", _records_json(self.warnings, enc)),
            ("courses", "[" + ", ".join(courses) + "]"),
            ("invalid_courses", _records_json(self.invalid_courses, enc)),
        ]
        text = []  # one join at the end: the long parts are copied once
        for key, value in parts:
            text += [", " if text else "{", enc.str(key), ": ", value]
        return "".join([*text, "}"])

    def format_text(self, *, limit: int | None = 100) -> str:
        """A readable report: errors, then warnings, then a line per course.

        Parameters
        ----------
        limit : int or None, default 100
            At most this many error lines and warning lines are shown, with a count of
            the rest; None shows all.
        """
        with _collector_paused():
            return self._text(limit)

    def _text(self, limit: int | None) -> str:
        out = [f"Portfolio {str(self.source)!r}"]
        out += [f"note: {n}" for n in self.notices]
        if len(self.errors):
            out += ["", f"Errors ({len(self.errors)}):"]
            shown = self.errors if limit is None else self.errors.head(limit)
            out += [f"  {line}" for line in format_issues(shown)]
            out += _more(len(self.errors) - len(shown), "error")
        if len(self.warnings):
            out += ["", f"Warnings ({len(self.warnings)}):"]
            w = self.warnings if limit is None else self.warnings.head(limit)
            where = w["course_id"] + (" / " + w["activity_id"]).fillna("")
            out += ("  [" + w["code"] + "] " + where + ": " + w["message"]).tolist()
            out += _more(len(self.warnings) - len(w), "warning")
        if self.portfolio is None:
            out += ["", f"invalid: {len(self.errors)} error(s); nothing was analysed"]
            return _terminal_text(out)
        n_courses = len(self.portfolio.courses)
        out += ["", f"Courses ({n_courses}):"]
        out += _course_lines(_course_table(self.portfolio, self.warnings))
        bad = self.invalid_courses
        if len(bad):
            out += ["", f"Invalid courses ({len(bad)}), not analysed:"]
            out += _invalid_lines(bad)
            out += [
                "",
                f"invalid: {len(self.errors)} error(s) in {len(bad)} course(s); "
                f"{n_courses} valid course(s) analysed, {len(self.warnings)} warning(s)",
            ]
        else:
            out += ["", f"valid: {n_courses} course(s), {len(self.warnings)} warning(s)"]
        return _terminal_text(out)


def _terminal_text(lines: list[str]) -> str:
    """Lines joined, user data kept on its line and harmless to a terminal.

    A line break inside a title or a value is shown as ``\\n``, and every control or
    invisible format character (escape sequences that clear the screen or retitle the
    window start with one) as an escape such as ``\\x1b`` (see
    :func:`socialkit._text.terminal_safe`).
    """
    return terminal_safe("\n".join([line.replace("\n", "\\n") for line in lines]))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while checking or writing a large portfolio.

    Allocating tens of thousands of dicts, lists and small frames triggers full
    collections that walk every object of the portfolio's frames and of the imported
    modules as well (on 20,000 courses some 0.2 s of checking, and half the time
    spent building a JSON document of 2,000), and find next to nothing: the peak
    memory stays the same. What is cyclic is collected once the collector runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _more(hidden: int, what: str) -> list[str]:
    if hidden <= 0:
        return []
    return [f"  … and {hidden:,} more {what}{'s' if hidden != 1 else ''} (--limit 0 shows all)"]


def _no_warnings() -> pd.DataFrame:
    return pd.DataFrame(columns=_WARNING_COLUMNS)


_SHEET_IN = re.compile(r"(?P<file>.+?), sheet (?P<sheet>'.*'|\".*\")", re.DOTALL)


def _table_of(name: str) -> str:
    """A table's name for a file or sheet name that names one, else the name as given."""
    key = name.strip().lower()
    key = key.removesuffix(".csv") if key.endswith(".csv") else key
    return key if key in TABLE_ORDER else name


def _read_location(error: BaseException) -> tuple[str | None, int | None, str | None]:
    """Table, row and column of a read error, as far as it carries them."""
    table = getattr(error, "table", None)
    sheet, file = getattr(error, "sheet", None), getattr(error, "file", None)
    if not isinstance(table, str):
        table = None
        if isinstance(file, str) and not isinstance(sheet, str):
            match = _SHEET_IN.fullmatch(file)
            if match:
                with contextlib.suppress(ValueError, SyntaxError):
                    sheet = ast.literal_eval(match["sheet"])
        if isinstance(sheet, str):
            table = _table_of(sheet)
        elif isinstance(file, str):
            table = _table_of(file)
    row = getattr(error, "row", None)
    column = getattr(error, "column", None)
    return (
        table,
        row if isinstance(row, int) and not isinstance(row, bool) else None,
        column if isinstance(column, str) else None,
    )


def check_portfolio(path: str | os.PathLike[str] | None = None) -> CheckResult:
    """Validate a portfolio and find the strategic warnings of its valid courses.

    An error in a row of ``courses``, ``objectives`` or ``activities`` makes the course
    that row names invalid; the other courses are still analysed. An error that
    concerns the whole portfolio (a missing required column, a row of ``tools`` or
    ``organisations``, a row without ``course_id``) leaves nothing to analyse.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or ``.xlsx`` workbook; the bundled sample when omitted.

    Returns
    -------
    CheckResult

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        When the portfolio cannot be read at all (validation errors are returned, not
        raised); :meth:`CheckResult.unreadable` turns these into a result.
    """
    path = Path(path) if path is not None else sample_path()
    with _collector_paused():  # frames of mostly acyclic objects: little to collect
        try:
            portfolio = load_portfolio(path, partial=True)
        except ValidationError as exc:
            return CheckResult(path, exc.issues, _no_warnings(), None, exc.notices)
        return CheckResult(
            path,
            portfolio.invalid,
            strategic_warnings(portfolio),
            portfolio,
            portfolio.notices,
        )


def _course_table(p: Portfolio, warnings: pd.DataFrame) -> pd.DataFrame:
    """What a course's line shows: :func:`~socialkit.analysis.course_summary`'s
    ``course_id``, ``title``, ``checklist_ok``, ``share_outside`` and ``warnings``, from
    the same functions, without the columns the line does not show."""
    ids = p.course_ids
    ok = checklist_scores(p).groupby("course_id", sort=False)["ok"].sum()
    share = outside_class_share(p).set_index("course_id")["share_outside"]
    n_warn = warnings["course_id"].value_counts()
    return pd.DataFrame(
        {
            "course_id": p.courses["course_id"].reset_index(drop=True),
            "title": p.courses["title"].reset_index(drop=True),
            "checklist_ok": ok.reindex(ids, fill_value=0).to_numpy().astype("int64"),
            "share_outside": pd.array(share.reindex(ids).to_numpy(), dtype="Float64"),
            "warnings": n_warn.reindex(ids, fill_value=0).to_numpy().astype("int64"),
        }
    )


def _course_lines(summary: pd.DataFrame) -> list[str]:
    """One aligned line per course: id, checklist score, share outside class, warnings."""
    width = max(6, int(summary["course_id"].str.len().max()) if len(summary) else 6)
    share = summary["share_outside"]
    shown = (share * 100).round().astype("Int64").astype("str").str.pad(4) + "%"
    shown = shown.where(share.notna(), "  n/a")
    return (
        "  "
        + summary["course_id"].str.pad(width, side="right")
        + "  checklist "
        + summary["checklist_ok"].astype("str")
        + "/6"
        + "  outside class "
        + shown
        + "  warnings "
        + summary["warnings"].astype("str").str.pad(3)
        + "  "
        + summary["title"]
    ).tolist()


def _invalid_lines(bad: pd.DataFrame) -> list[str]:
    """One line per invalid course: id, error count, title (or that it has no row)."""
    width = max(6, max(len(c) for c in bad["course_id"]))
    return [
        f"  {cid:<{width}}  {n} error{'s' if n != 1 else ''}  "
        + (title if isinstance(title, str) else "(not in the courses table)")
        for cid, title, n in zip(bad["course_id"], bad["title"], bad["errors"], strict=True)
    ]


# --------------------------------------------------------------------------- JSON values
def _values(s: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values: int, float, str, bool; missing as None."""
    values = s.to_numpy(dtype=object, na_value=None)
    return [None if isinstance(v, float) and not math.isfinite(v) else v for v in values]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, keys in column order."""
    if df.empty:
        return []
    columns = [_values(df[c]) for c in df.columns]
    keys = [str(c) for c in df.columns]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _grids(cube: Any, outer: list[str], inner: list[str]) -> list[dict[str, dict[str, int]]]:
    """``{outer: {inner: n}}`` per course from an array shaped (courses, outer, inner)."""
    return [
        {o: dict(zip(inner, row, strict=True)) for o, row in zip(outer, grid, strict=True)}
        for grid in cube.tolist()  # Python ints, never a numpy type
    ]


@dataclass(frozen=True)
class _CourseFigures:
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


def _course_figures(p: Portfolio, warnings: pd.DataFrame) -> _CourseFigures:
    ids = p.course_ids
    m = timing_direction_matrix(p)
    t_names = [str(t) for t in m["timing"].cat.categories]
    d_names = [str(d) for d in m["direction"].cat.categories]
    shape = (len(ids), len(t_names), len(d_names))  # rows come in course, timing, direction order
    share = outside_class_share(p)
    n_warn = warnings["course_id"].value_counts()
    return _CourseFigures(
        ids=ids,
        titles=_values(p.courses["title"]),
        timings=t_names,
        directions=d_names,
        counts=m["activities"].to_numpy("int64").reshape(shape),
        minutes=m["minutes"].to_numpy("int64").reshape(shape),
        gaps=gap_lists(checklist_gaps(p)),
        flipped=_values(share["share_outside"]),
        minutes_share=_values(share["share_minutes_outside"]),
        n_warnings=[int(n) for n in n_warn.reindex(ids, fill_value=0).tolist()],
    )


def _courses(p: Portfolio, warnings: pd.DataFrame) -> list[dict[str, Any]]:
    if not p.course_ids:
        return []
    f = _course_figures(p, warnings)
    counts = _grids(f.counts, f.timings, f.directions)
    minutes = _grids(f.minutes, f.timings, f.directions)
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
class _Encoder:
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
        """Each value of a column as JSON text (see :func:`_values`)."""
        enc = self.str
        if isinstance(s.dtype, pd.StringDtype):  # str or missing: each distinct one once
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            texts = np.array([*map(enc, uniques.tolist()), "null"], dtype=object)
            return texts[codes].tolist()  # the sentinel -1 picks "null"
        values = _values(s)
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


def _template(keys: list[str], enc: _Encoder, placeholders: list[str] | None = None) -> str:
    """``{"key": %s, ...}``: an object's text with a placeholder per value."""
    marks = placeholders or ["%s"] * len(keys)
    items = (enc.str(k).replace("%", "%%") + ": " + m for k, m in zip(keys, marks, strict=True))
    return "{" + ", ".join(items) + "}"


def _records_json(df: pd.DataFrame, enc: _Encoder) -> str:
    """``enc.any(_records(df))``, written through one template for every row."""
    if df.empty:
        return "[]"
    template = _template([str(c) for c in df.columns], enc)
    columns = [enc.column(df[c]) for c in df.columns]
    return "[" + ", ".join([template % row for row in zip(*columns, strict=True)]) + "]"


def _courses_json(p: Portfolio, warnings: pd.DataFrame, enc: _Encoder) -> list[str]:
    """Each course of :func:`_courses` as its JSON text."""
    if not p.course_ids:
        return []
    f = _course_figures(p, warnings)
    grid = _template(
        f.timings,
        enc,
        [_template(f.directions, enc, ["%d"] * len(f.directions)) for _ in f.timings],
    )
    counts = [grid % tuple(row) for row in f.counts.reshape(len(f.ids), -1).tolist()]
    minutes = [grid % tuple(row) for row in f.minutes.reshape(len(f.ids), -1).tolist()]
    answered, open_ = [], []
    for q, text in QUESTIONS.items():
        head = f"{enc.str('question')}: {enc.any(q)}, {enc.str('text')}: {enc.str(text)}, "
        answered.append(f"{{{head}{enc.str('ok')}: true, {enc.str('gaps')}: []}}")
        open_.append(
            f"{{{head}{enc.str('ok')}: false, {enc.str('gaps')}: [".replace("%", "%%") + "%s]}"
        )
    questions = list(enumerate(QUESTIONS))
    gaps = f.gaps
    course = _template(
        [
            "course_id",
            "title",
            "matrix",
            "minutes",
            "checklist",
            "flipped_share",
            "minutes_share_outside",
            "n_warnings",
        ],
        enc,
        ["%s", "%s", "%s", "%s", "[%s]", "%s", "%s", "%d"],
    )
    titles = enc.column(p.courses["title"])
    flipped = ["null" if v is None else float.__repr__(v) for v in f.flipped]
    minutes_share = ["null" if v is None else float.__repr__(v) for v in f.minutes_share]
    out = []
    for i, cid in enumerate(f.ids):
        checklist = []
        for j, q in questions:
            listed = gaps.get((cid, q))
            checklist.append(open_[j] % ", ".join(map(enc.str, listed)) if listed else answered[j])
        out.append(
            course
            % (
                enc.str(cid),
                titles[i],
                counts[i],
                minutes[i],
                ", ".join(checklist),
                flipped[i],
                minutes_share[i],
                f.n_warnings[i],
            )
        )
    return out


# --------------------------------------------------------------------------- advice
def _advice(p: Portfolio) -> list[list[dict[str, Any]]]:
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
    fits = _records(fit[[k for k in ADVICE_FIT_KEYS if k in fit.columns]]) if len(fit) else []

    rec = recommend_tools(p, top=ADVICE_TOP)
    owner = keys.get_indexer(pd.MultiIndex.from_arrays([rec["course_id"], rec["activity_id"]]))
    by_owner = np.lexsort((rec["rank"].to_numpy(), owner))
    rec = rec.take(by_owner)
    recs = _records(rec[[k for k in ADVICE_RECOMMENDATION_KEYS if k in rec.columns]])
    ends = np.cumsum(np.bincount(owner, minlength=len(a))).tolist()

    ids, seqs, titles = _values(a["activity_id"]), _values(a["seq"]), _values(a["title"])
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
