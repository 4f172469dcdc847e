"""The design data contract: what each table holds, and the validated portfolio.

:data:`TABLES` says, column by column, what ``../DATA.md`` asks of a portfolio;
:func:`socialkit.contract.validation.validate` checks raw tables against it and returns a
:class:`Portfolio` whose tables hold canonical vocabulary values and typed numbers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from socialkit.base.lookup import isin
from socialkit.contract.vocab import (
    BOOLEAN,
    DIRECTIONS,
    HOSTING,
    IN_CLASS_REASONS,
    LEARNING_TYPES,
    MODES,
    ONBOARDING,
    ROLES,
    STATUS,
    TIMINGS,
    TOOL_TYPES,
    Vocabulary,
)
from socialkit.errors import InvalidCourseError, unknown_course

__all__ = [
    "DEFAULT_ORGANISATION",
    "DELIVERY_TABLES",
    "DESIGN_TABLES",
    "ISSUE_COLUMNS",
    "MAX_MINUTES",
    "MAX_SEQ",
    "REQUIRED_TABLES",
    "TABLES",
    "TABLE_ORDER",
    "ColumnSpec",
    "Portfolio",
    "absent_decisions",
    "empty_people",
    "empty_runs",
]

Kind = Literal["structural", "decision", "optional"]

#: The organisation context a course with a blank ``organisation`` falls back to.
DEFAULT_ORGANISATION = "default"
#: Columns of the issue table carried by :class:`~socialkit.errors.ValidationError`.
#: ``course_id`` is the course an issue belongs to, missing for a portfolio-wide one;
#: ``code`` names the kind of issue (see :data:`socialkit.contract.validation.ISSUE_CODES`).
ISSUE_COLUMNS = ["table", "row", "column", "value", "message", "course_id", "code"]
#: The largest ``minutes`` of one activity: a year (365 days of 24 hours).
MAX_MINUTES = 525_600
#: The largest ``seq``: far more activities than a course can hold.
MAX_SEQ = 1_000_000


@dataclass(frozen=True)
class ColumnSpec:
    """What the contract says of one column.

    Parameters
    ----------
    name : str
        Column name as it appears in the header.
    kind : {"structural", "decision", "optional"}
        Structural columns must be present and filled; decision columns may be
        blank ("not decided yet"); optional columns may be absent or blank.
    vocab : Vocabulary, optional
        The vocabulary the value (or every item of a list cell) must match.
    is_list : bool
        The cell holds ``;``-separated values.
    min_int : int, optional
        The value must be a whole number at least this large.
    max_int : int, optional
        ... and at most this large (with ``min_int``).
    pattern : str, optional
        A regular expression the whole value must match, with ``expected`` saying what it means.
    expected : str
        Human description of a valid value for messages.
    """

    name: str
    kind: Kind
    vocab: Vocabulary | None = None
    is_list: bool = False
    min_int: int | None = None
    max_int: int | None = None
    pattern: str | None = None
    expected: str = ""


def _c(name: str, kind: Kind, **kw) -> ColumnSpec:
    return ColumnSpec(name, kind, **kw)


#: An IRI as the delivery data writes activity ids: a scheme, a colon, no white space.
IRI_PATTERN = r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s;]+"
#: A UUID (an xAPI registration), in any case.
UUID_PATTERN = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
#: A person as xAPI identifies one: ``mailto:ADDRESS`` or ``account:HOMEPAGE::NAME``.
PERSON_PATTERN = (
    r"(?i:mailto):[^\s@]+@[^\s@]+"
    r"|account:[Hh][Tt][Tt][Pp][Ss]?://[^\s/:]+[^\s]*?::.*\S.*"
)

_COURSE_ID = _c(
    "course_id",
    "structural",
    pattern=r"[A-Za-z0-9_\-]{1,64}",
    expected="letters, digits, '-' or '_', at most 64 characters",
)

#: Every table of the contract, its columns in the order socialkit writes them.
TABLES: dict[str, tuple[ColumnSpec, ...]] = {
    "courses": (
        _COURSE_ID,
        _c("title", "structural"),
        _c("organisation", "optional"),
        _c("audience", "optional"),
        _c("owner", "optional"),
        _c("formal_moment", "optional"),
        _c("status", "optional", vocab=STATUS),
    ),
    "objectives": (
        _c("course_id", "structural"),
        _c("objective_id", "structural"),
        _c("statement", "structural"),
    ),
    "activities": (
        _c("course_id", "structural"),
        _c("activity_id", "structural"),
        _c(
            "seq",
            "structural",
            min_int=1,
            max_int=MAX_SEQ,
            expected=f"a whole number from 1 to {MAX_SEQ:,}",
        ),
        _c("title", "structural"),
        _c("objective_id", "decision"),
        _c("timing", "decision", vocab=TIMINGS),
        _c("direction", "decision", vocab=DIRECTIONS),
        _c("tool_type", "decision", vocab=TOOL_TYPES),
        _c("tool", "decision"),
        _c(
            "xapi_ids",
            "optional",
            is_list=True,
            pattern=IRI_PATTERN,
            expected="';'-separated IRIs, each with a scheme and no spaces "
            "('https://lms.example.org/activity/42')",
        ),
        _c("in_class_reason", "decision", vocab=IN_CLASS_REASONS),
        _c("learner_benefit", "decision"),
        _c("learning_type", "optional", vocab=LEARNING_TYPES),
        _c(
            "minutes",
            "optional",
            min_int=0,
            max_int=MAX_MINUTES,
            expected=f"a whole number from 0 to {MAX_MINUTES:,} (a year)",
        ),
    ),
    "tools": (
        _c("tool", "structural"),
        _c("aliases", "optional", is_list=True),
        _c("suite", "optional"),
        _c("tool_types", "optional", vocab=TOOL_TYPES, is_list=True),
        _c("directions", "optional", vocab=DIRECTIONS, is_list=True),
        _c("modes", "optional", vocab=MODES, is_list=True),
        _c("hosting", "optional", vocab=HOSTING),
        _c("onboarding", "optional", vocab=ONBOARDING),
        _c("domains", "optional", is_list=True),
    ),
    "organisations": (
        _c("organisation", "structural"),
        _c("platforms", "optional", is_list=True),
        _c("blocked_domains", "optional", is_list=True),
        _c("prefers_internal", "optional", vocab=BOOLEAN),
    ),
    # the delivery data: what happened (see socialkit.contract.delivery_tables)
    "runs": (
        _c("course_id", "structural"),
        _c("run_id", "structural"),
        _c("starts", "structural"),
        _c("ends", "optional"),
        _c("timezone", "optional"),
        _c(
            "registration",
            "optional",
            pattern=UUID_PATTERN,
            expected="a UUID ('3f2b8c1e-0d4a-4b6e-9c1f-2a7d5e8b9c10'), or blank",
        ),
    ),
    "people": (
        _c("course_id", "structural"),
        _c("run_id", "structural"),
        _c(
            "person",
            "structural",
            pattern=PERSON_PATTERN,
            expected="'mailto:' and an e-mail address ('mailto:ann@example.org'), or "
            "'account:HOMEPAGE::NAME' with an http(s) HOMEPAGE and a NAME "
            "('account:https://lms.example.org::4711')",
        ),
        _c("role", "structural", vocab=ROLES),
    ),
}
TABLE_ORDER = tuple(TABLES)
REQUIRED_TABLES = ("courses", "objectives", "activities")
#: The tables of the design, which every portfolio has (the catalog and context filled in).
DESIGN_TABLES = ("courses", "objectives", "activities", "tools", "organisations")
#: The tables of the delivery data, both optional: what happened when a course ran.
DELIVERY_TABLES = ("runs", "people")


def empty_runs() -> pd.DataFrame:
    """The canonical ``runs`` table of a portfolio without delivery data (no rows).

    A copy of one made once: every :class:`Portfolio` built without delivery data (the
    editor builds two per change) would otherwise pay about a millisecond for it. A
    shallow copy: with copy-on-write, changing it never changes the one made once.
    """
    return _empty_runs().copy(deep=False)


def empty_people() -> pd.DataFrame:
    """The canonical ``people`` table of a portfolio without delivery data (no rows).

    A copy of one made once, as :func:`empty_runs`.
    """
    return _empty_people().copy(deep=False)


@functools.cache
def _empty_runs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "course_id": pd.Series(dtype="str"),
            "run_id": pd.Series(dtype="str"),
            "starts": pd.Series(dtype="datetime64[ns, UTC]"),
            "ends": pd.Series(dtype="datetime64[ns, UTC]"),
            "timezone": pd.Series(dtype="str"),
            "registration": pd.Series(dtype="object"),
            "row": pd.Series(dtype="int64"),
        }
    )


@functools.cache
def _empty_people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "course_id": pd.Series(dtype="str"),
            "run_id": pd.Series(dtype="str"),
            "person": pd.Series(dtype="str"),
            "role": pd.Series(dtype="str"),
            "row": pd.Series(dtype="int64"),
        }
    )


def absent_decisions(raw: dict[str, pd.DataFrame]) -> tuple[str, ...]:
    """The decision columns of ``activities`` that the user's table lacks altogether.

    A decision column may be absent (every activity then counts as undecided on it);
    the analyses treat such a column as one cause per course, never as one finding per
    activity.

    Parameters
    ----------
    raw : dict of str to pandas.DataFrame
        The tables as read (see :attr:`Portfolio.raw`); without ``activities`` (a
        portfolio built in memory), no column counts as absent.

    Returns
    -------
    tuple of str
        Column names, in the contract's order.
    """
    table = raw.get("activities")
    if table is None:
        return ()
    return tuple(
        s.name for s in TABLES["activities"] if s.kind == "decision" and s.name not in table
    )


# --------------------------------------------------------------------------- the result
_EMPTY_ISSUES: list[pd.DataFrame] = []


def _no_issues() -> pd.DataFrame:
    """An empty issue table (a copy of one made once: building it costs a millisecond)."""
    if not _EMPTY_ISSUES:
        _EMPTY_ISSUES.append(pd.DataFrame(columns=ISSUE_COLUMNS).astype({"row": "Int64"}))
    return _EMPTY_ISSUES[0].copy(deep=False)  # copy-on-write: the one made once stays as it is


@dataclass(frozen=True, eq=False)
class Portfolio:
    """A validated design portfolio.

    Attributes
    ----------
    courses, objectives, activities, tools, organisations : pandas.DataFrame
        Canonical tables: vocabulary values normalised, ``seq`` and ``minutes`` as
        integers, list cells of ``tools`` and ``organisations`` as tuples, a course's
        blank organisation replaced by :data:`DEFAULT_ORGANISATION`, and ``tool`` (and
        each of an organisation's ``platforms``) spelt as the catalog names the tool when
        it is one of its names or aliases, kept as written (trimmed) otherwise; a suite
        among ``platforms`` stands for its tools (see :mod:`socialkit.contract.tool_names`). Each
        keeps
        a ``row`` column: the row number the user sees.
        ``activities`` also carries its course's ``organisation``, and its ``xapi_ids`` as
        a tuple of str (empty when blank).
    raw : dict of str to pandas.DataFrame
        The tables exactly as read (strings, unknown columns kept), for lossless writing.
    source : pathlib.Path or None
        Where the portfolio was read from.
    notices : tuple of str
        Non-fatal remarks made while reading (for example unknown columns) and validating
        (a platform that names no tool nor suite of the catalog).
    invalid : pandas.DataFrame
        The issues of the courses left out because they break the data contract
        (``load_portfolio(..., partial=True)``): columns :data:`ISSUE_COLUMNS`, one row
        per issue; empty when every course is valid.
    runs : pandas.DataFrame
        The delivery data's runs: ``course_id``, ``run_id``, ``starts`` and ``ends``
        (``datetime64[ns, UTC]``; a blank ``ends`` is the next local midnight after
        ``starts``), ``timezone`` (an IANA name, ``"UTC"`` when blank), ``registration``
        (a lower-case UUID or None) and ``row``; no rows when the portfolio has none.
    people : pandas.DataFrame
        Who took part in each run: ``course_id``, ``run_id``, ``person`` (``mailto:`` and
        the address in lower case, or ``account:HOMEPAGE::NAME`` as written, trimmed),
        ``role`` (``"learner"`` or ``"trainer"``) and ``row``.
    """

    courses: pd.DataFrame
    objectives: pd.DataFrame
    activities: pd.DataFrame
    tools: pd.DataFrame
    organisations: pd.DataFrame
    raw: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    source: Path | None = None
    notices: tuple[str, ...] = ()
    invalid: pd.DataFrame = field(default_factory=lambda: _no_issues(), repr=False)
    runs: pd.DataFrame = field(default_factory=empty_runs, repr=False)
    people: pd.DataFrame = field(default_factory=empty_people, repr=False)

    @property
    def invalid_courses(self) -> pd.DataFrame:
        """The courses left out as invalid, in the order their first issue is listed.

        Returns
        -------
        pandas.DataFrame
            ``course_id``, ``title`` (missing for a course id that only rows of
            ``objectives`` or ``activities`` name) and ``errors`` (how many issues).
        """
        ids = self.invalid["course_id"]
        counts = ids.value_counts(sort=False)
        order = pd.unique(ids)
        raw = self.raw.get("courses")
        titles: dict = {}
        if raw is not None and {"course_id", "title"} <= set(raw.columns):
            named = raw.assign(course_id=raw["course_id"].str.strip()).drop_duplicates("course_id")
            titles = dict(zip(named["course_id"], named["title"], strict=True))
        return pd.DataFrame(
            {
                "course_id": pd.Series(order, dtype="object"),
                "title": pd.Series([titles.get(c) for c in order], dtype="object"),
                "errors": pd.Series([int(counts[c]) for c in order], dtype="int64"),
            }
        )

    @property
    def absent_decisions(self) -> tuple[str, ...]:
        """The decision columns the user's ``activities`` table lacks (see
        :func:`absent_decisions`)."""
        return absent_decisions(self.raw)

    @property
    def course_ids(self) -> list[str]:
        """The course ids, in file order."""
        return self.courses["course_id"].tolist()

    def select(self, course_ids: str | list[str] | tuple[str, ...]) -> Portfolio:
        """Return the portfolio restricted to some courses (catalog and context kept).

        Parameters
        ----------
        course_ids : str or sequence of str
            One course id, or several.

        Raises
        ------
        InvalidCourseError
            If a course was left out because it breaks the data contract (its issues
            are in the message).
        UnknownCourseError
            If a course id is not in the portfolio.
        """
        if isinstance(course_ids, str):
            course_ids = [course_ids]
        known = set(self.course_ids)
        missing = [c for c in course_ids if c not in known]
        invalid = [c for c in missing if self.invalid["course_id"].eq(c).any()]
        if invalid:
            raise InvalidCourseError(
                invalid[0], self.invalid[self.invalid["course_id"].eq(invalid[0])]
            )
        if missing:
            raise unknown_course(missing, self.course_ids)
        keep = set(course_ids)

        def sub(df: pd.DataFrame) -> pd.DataFrame:
            return df[isin(df["course_id"], keep).to_numpy()]

        return Portfolio(
            sub(self.courses),
            sub(self.objectives),
            sub(self.activities),
            self.tools,
            self.organisations,
            self.raw,
            self.source,
            self.notices,
            runs=sub(self.runs),
            people=sub(self.people),
        )
