"""One call that checks a portfolio and gathers what ``socialkit check`` reports."""

from __future__ import annotations

import ast
import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialkit.analysis.advice import strategic_warnings
from socialkit.analysis.check_json import (
    ADVICE_FIT_KEYS,
    ADVICE_RECOMMENDATION_KEYS,
    ADVICE_TOP,
    Encoder,
    advice_documents,
    course_documents,
    courses_text,
    json_records,
    records_utf8,
)
from socialkit.analysis.checks import gap_counts
from socialkit.analysis.json_text import arrow_strings, pieces, utf8_bytes
from socialkit.analysis.positions import activity_courses
from socialkit.analysis.tally import outside_share
from socialkit.base.collector import collector_paused
from socialkit.base.text import terminal_safe
from socialkit.contract.io import load_portfolio, sample_path
from socialkit.contract.schema import ISSUE_COLUMNS, TABLE_ORDER, Portfolio
from socialkit.errors import SocialkitError, ValidationError, format_issues

__all__ = [
    "ADVICE_FIT_KEYS",
    "ADVICE_RECOMMENDATION_KEYS",
    "ADVICE_TOP",
    "CheckResult",
    "check_portfolio",
]

_WARNING_COLUMNS = ["code", "course_id", "activity_id", "message"]


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
        :func:`socialkit.analysis.advice.strategic_warnings`).
    portfolio : Portfolio or None
        The valid courses (an invalid course is left out, see
        :attr:`Portfolio.invalid <socialkit.contract.schema.Portfolio.invalid>`), or None when
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
        courses = [] if p is None else course_documents(p, self.warnings)
        if advice and p is not None:
            for course, activities in zip(courses, advice_documents(p), strict=True):
                course["activities"] = activities
        return {
            "valid": self.valid,
            "source": str(self.source),
            "notices": list(self.notices),
            "errors": json_records(self.errors),
            "warnings": json_records(self.warnings),
            "courses": courses,
            "invalid_courses": json_records(self.invalid_courses),
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
        return self.to_json_bytes(advice=advice).decode("utf-8")

    def to_json_bytes(self, *, advice: bool = False) -> bytes:
        """:meth:`to_json`'s document in UTF-8, as the command line prints it: the
        same bytes, without decoding megabytes of text into a string first.

        Parameters
        ----------
        advice : bool, default False
            See :meth:`to_dict`.
        """
        with collector_paused():  # many small acyclic objects: nothing to collect
            try:
                return self._json(ascii_only=False, advice=advice)
            except UnicodeEncodeError:  # a lone surrogate somewhere
                return self._json(ascii_only=True, advice=advice)

    def _json(self, *, ascii_only: bool, advice: bool) -> bytes:
        """``json.dumps(self.to_dict(advice=advice), ensure_ascii=ascii_only)`` in UTF-8,
        the same text, written straight from the frames: each course and each record
        through a template, without a dict per course and per row first.

        Raises UnicodeEncodeError when some text holds a lone surrogate and not
        ``ascii_only``: Arrow, which joins most of the text, refuses one, and the few
        pieces written in Python are encoded strictly.
        """
        enc = Encoder(ascii_only)
        p = self.portfolio
        courses: list[bytes | memoryview] = []
        if p is not None:
            texts = courses_text(p, self.warnings, enc, separator=None if advice else ", ")
            if advice:
                text = ", ".join(
                    f"{course[:-1]}, {enc.str('activities')}: {enc.any(activities)}}}"
                    for course, activities in zip(
                        texts.to_pylist(), advice_documents(p), strict=True
                    )
                )
                courses = [text.encode("utf-8")]
            else:
                courses = [utf8_bytes(texts)]  # the separators are in the texts
        parts = [
            ("valid", [enc.any(self.valid).encode()]),
            ("source", [enc.str(str(self.source)).encode("utf-8")]),
            ("notices", [enc.any(list(self.notices)).encode("utf-8")]),
            ("errors", records_utf8(self.errors, enc)),
            ("warnings", records_utf8(self.warnings, enc)),
            ("courses", [b"[", *courses, b"]"]),
            ("invalid_courses", records_utf8(self.invalid_courses, enc)),
        ]
        data: list[bytes | memoryview] = []  # one join at the end: long parts copied once
        for key, value in parts:
            data += [b", " if data else b"{", enc.str(key).encode(), b": ", *value]
        return b"".join([*data, b"}"])

    def format_text(self, *, limit: int | None = 100) -> str:
        """A readable report: errors, then warnings, then a line per course.

        Parameters
        ----------
        limit : int or None, default 100
            At most this many error lines and warning lines are shown, with a count of
            the rest; None shows all.
        """
        with collector_paused():
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
            out += _warning_lines(w)
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


def _warning_lines(w: pd.DataFrame) -> list[str]:
    """``  [code] course / activity: message`` per warning (no `` / activity`` for a
    warning about the whole course), joined by Arrow when the columns are in Arrow."""
    columns = [arrow_strings(w[c]) for c in ("code", "course_id", "activity_id", "message")]
    if any(c is None for c in columns):
        where = w["course_id"] + (" / " + w["activity_id"]).fillna("")
        return ("  [" + w["code"] + "] " + where + ": " + w["message"]).tolist()
    code, course, activity, message = columns
    activity = pc.fill_null(pieces(" / ", activity), "")
    return pieces("  [", code, "] ", course, activity, ": ", message).to_pylist()


def _terminal_text(lines: list[str]) -> str:
    """Lines joined, user data kept on its line and harmless to a terminal.

    A line break inside a title or a value is shown as ``\\n``, and every control or
    invisible format character (escape sequences that clear the screen or retitle the
    window start with one) as an escape such as ``\\x1b`` (see
    :func:`socialkit.base.text.terminal_safe`).
    """
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:  # some line holds a line break of its own
        text = "\n".join([line.replace("\n", "\\n") for line in lines])
    return terminal_safe(text)


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
    with collector_paused():  # frames of mostly acyclic objects: little to collect
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
    """What a course's line shows: :func:`~socialkit.analysis.checks.course_summary`'s
    ``course_id``, ``title``, ``checklist_ok``, ``share_outside`` and ``warnings``, from
    the same functions, without the columns the line does not show."""
    ids = p.course_ids
    n_warn = warnings["course_id"].value_counts()
    return pd.DataFrame(
        {
            "course_id": p.courses["course_id"].reset_index(drop=True),
            "title": p.courses["title"].reset_index(drop=True),
            "checklist_ok": (gap_counts(p) == 0).sum(axis=1).astype("int64"),
            # the share alone: outside_class_share also sums minutes the line never shows
            "share_outside": outside_share(p.activities["timing"], activity_courses(p), len(ids)),
            "warnings": n_warn.reindex(ids, fill_value=0).to_numpy().astype("int64"),
        }
    )


def _course_lines(summary: pd.DataFrame) -> list[str]:
    """One aligned line per course: id, checklist score, share outside class, warnings.

    Put together column by column by Arrow (padding included) when the ids and titles
    are Arrow strings without a missing value, as a valid portfolio's are: on 20,000
    courses several times cheaper than an f-string per course, which is the way
    otherwise.
    """
    ids, titles = arrow_strings(summary["course_id"]), arrow_strings(summary["title"])
    if ids is None or titles is None or ids.null_count or titles.null_count:
        return _course_lines_one_by_one(summary)
    width = max(6, pc.max(pc.utf8_length(ids)).as_py() or 0)  # characters, as len() counts
    share = summary["share_outside"].to_numpy(dtype="float64", na_value=np.nan)
    known = np.isfinite(share)
    percent = np.round(np.where(known, share, 0) * 100).astype("int64")  # half to even
    shown = pc.if_else(
        pa.array(known),
        pieces(pc.utf8_lpad(_decimal(percent), 4), "%"),
        pa.scalar("  n/a", pa.large_string()),
    )
    lines = pieces(
        "  ",
        pc.utf8_rpad(ids, width),
        "  checklist ",
        _decimal(summary["checklist_ok"].to_numpy("int64")),
        "/6  outside class ",
        shown,
        "  warnings ",
        pc.utf8_lpad(_decimal(summary["warnings"].to_numpy("int64")), 3),
        "  ",
        titles,
    )
    return lines.to_pylist()


def _decimal(values: np.ndarray) -> pa.Array:
    """Whole numbers as decimal text (as ``str`` writes them), large strings."""
    return pc.cast(pa.array(values), pa.large_string())


def _course_lines_one_by_one(summary: pd.DataFrame) -> list[str]:
    """:func:`_course_lines` by an f-string per course, for any column types."""
    ids = summary["course_id"].tolist()
    width = max(6, max(map(len, ids)) if ids else 6)
    share = summary["share_outside"]
    percent = (share * 100).round().astype("Int64")  # half to even, as numpy rounds
    shown = [
        "  n/a" if pd.isna(v) else f"{v:>4}%" for v in percent.to_numpy(dtype=object, na_value=None)
    ]
    return [
        f"  {cid:<{width}}  checklist {ok}/6  outside class {pct}  warnings {n:>3}  {title}"
        for cid, ok, pct, n, title in zip(
            ids,
            summary["checklist_ok"].tolist(),
            shown,
            summary["warnings"].tolist(),
            summary["title"].tolist(),
            strict=True,
        )
    ]


def _invalid_lines(bad: pd.DataFrame) -> list[str]:
    """One line per invalid course: id, error count, title (or that it has no row)."""
    width = max(6, max(len(c) for c in bad["course_id"]))
    return [
        f"  {cid:<{width}}  {n} error{'s' if n != 1 else ''}  "
        + (title if isinstance(title, str) else "(not in the courses table)")
        for cid, title, n in zip(bad["course_id"], bad["title"], bad["errors"], strict=True)
    ]


# --------------------------------------------------------------------------- JSON values
