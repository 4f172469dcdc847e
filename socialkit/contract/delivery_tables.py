"""The rules of the delivery tables (``runs``, ``people``) and of the activities' ``xapi_ids``.

:func:`socialkit.contract.validation.validate` runs the column rules of every table (blank,
vocabulary, pattern); the rules here span a row's cells or several rows and tables:

- a run's ``course_id`` is a course, its ``run_id`` is unique within the course;
- ``starts`` (and ``ends``, when given) is an ISO 8601 date-time with a UTC offset
  (``2026-03-02T09:00+01:00``, ``2026-03-02T08:00Z``, seconds optional), a date-time
  without one or a date (``2026-03-02``, meaning 00:00), both of the latter in the run's
  ``timezone``; a blank ``ends`` is the next local midnight after ``starts``, and ``ends``
  is after ``starts``; a local time that a change of clocks skips is moved forward by the
  gap, one it repeats is read as the first (summer time);
- ``timezone`` is an IANA name (``Europe/Brussels``, matched in any case), blank = UTC;
- a row of ``people`` names a run of its course, and one person appears once in a run;
- one xAPI id names one activity of a course.

Every rule works on whole columns, or on their distinct values.
"""

from __future__ import annotations

import functools
import zoneinfo

import numpy as np
import pandas as pd

from socialkit.base.lookup import isin
from socialkit.contract.issues import duplicate_issues, frame_issues, issue_frame
from socialkit.contract.people import person_keys
from socialkit.contract.schema import empty_people, empty_runs
from socialkit.contract.vocab import ROLES

__all__ = [
    "DATE_TIME_EXPECTED",
    "canonical_people",
    "canonical_runs",
    "parse_times",
    "run_issues",
    "split_ids",
    "xapi_id_issues",
]

#: What a ``starts`` or ``ends`` value must look like, for messages.
DATE_TIME_EXPECTED = (
    "an ISO 8601 date-time with a UTC offset ('2026-03-02T09:00+01:00' or "
    "'2026-03-02T08:00Z'), a date-time without one ('2026-03-02T09:00') or a date "
    "('2026-03-02'), the last two in the run's timezone"
)
_FORM = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name this machine knows, by its lower-case spelling."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _zone(name: str) -> str | None:
    """The IANA spelling of a time zone name (any case), or None when there is none."""
    if "\\" in name or name.startswith("/") or ".." in name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _zone_names().get(name.lower())
    return name


def _zones(names: pd.Series) -> pd.Series:
    """The canonical time zone of each value: ``UTC`` when blank, None when unknown."""
    distinct = pd.unique(names.dropna())
    found = {value: _zone(value) for value in distinct}  # few distinct values
    out = names.map(found).astype("object")
    return out.where(names.notna(), "UTC")


def parse_times(values: pd.Series, zones: pd.Series) -> pd.Series:
    """Read ``starts``/``ends`` values as UTC instants.

    Parameters
    ----------
    values : pandas.Series
        Trimmed strings (missing allowed).
    zones : pandas.Series
        The IANA zone of each row (None where unknown: a value without an offset there
        stays missing).

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]``; missing where ``values`` is missing or not one of the
        forms (see the module's docstring).

    Examples
    --------
    >>> v = pd.Series(["2026-03-02", "2026-03-02T09:00+01:00"])
    >>> parse_times(v, pd.Series(["Europe/Brussels", "UTC"])).dt.strftime("%H:%M").tolist()
    ['23:00', '08:00']
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    parts = values.astype("str").str.extract(_FORM)
    if not len(parts) or parts["date"].isna().all():
        return out
    time = parts["time"].fillna("00:00").str.replace(",", ".")
    offset = parts["offset"].str.upper()
    offset = offset.where(~offset.str.fullmatch(r"[+-]\d{2}").fillna(False), offset + ":00")
    stamp = parts["date"] + "T" + time
    fixed = offset.notna() & parts["date"].notna()
    if fixed.any():
        out[fixed] = pd.to_datetime(
            stamp[fixed] + offset[fixed], format="ISO8601", utc=True, errors="coerce"
        )
    local = offset.isna() & parts["date"].notna() & zones.notna()
    if local.any():
        naive = pd.to_datetime(stamp[local], format="ISO8601", errors="coerce")
        for zone in pd.unique(zones[local]):  # the few distinct time zones
            here = naive[zones[local].eq(zone).to_numpy()]
            out[here.index] = _localised(here, zone)
    return out


def _localised(naive: pd.Series, zone: str) -> pd.Series:
    """Naive local times of ``zone`` as UTC; a skipped time moves forward, a repeated one
    is read as the first."""
    return naive.dt.tz_localize(
        zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC")


def _next_midnight(starts: pd.Series, zones: pd.Series) -> pd.Series:
    """The first local midnight after each ``starts`` in its zone, as UTC."""
    out = pd.Series(pd.NaT, index=starts.index, dtype="datetime64[ns, UTC]")
    ok = starts.notna() & zones.notna()
    for zone in pd.unique(zones[ok]):
        here = starts[ok & zones.eq(zone)]
        day = here.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
        out[here.index] = _localised(day + pd.Timedelta(days=1), zone)
    return out


def run_times(runs: pd.DataFrame) -> pd.DataFrame:
    """``starts``, ``ends`` (UTC) and ``timezone`` of each run, on the table's index.

    ``runs`` is the trimmed table; a value that cannot be read is missing (and is an
    issue of :func:`run_issues`).
    """
    zones = _zones(runs["timezone"])
    starts = parse_times(runs["starts"], zones)
    given = parse_times(runs["ends"], zones)
    ends = given.where(runs["ends"].notna(), _next_midnight(starts, zones))
    return pd.DataFrame({"starts": starts, "ends": ends, "timezone": zones}, index=runs.index)


def run_issues(
    runs: pd.DataFrame,
    people: pd.DataFrame,
    raw: dict[str, pd.DataFrame],
    course_ids: pd.Series,
) -> list[pd.DataFrame]:
    """Every issue of the rules above in ``runs`` and ``people``.

    Parameters
    ----------
    runs, people : pandas.DataFrame
        The trimmed tables (every contract column present), indexed by row.
    raw : dict of str to pandas.DataFrame
        The tables as read (their cells are the values issues show); a table absent
        there is taken from ``runs`` or ``people``.
    course_ids : pandas.Series
        The trimmed course ids of the courses table.
    """
    if runs.empty and people.empty:  # a portfolio without delivery data (most)
        return []
    rraw, praw = raw.get("runs", runs), raw.get("people", people)
    courses = course_ids.dropna()
    out = []
    unknown = runs["course_id"].notna() & ~isin(runs["course_id"], courses)
    out.append(
        frame_issues(
            "runs",
            rraw,
            unknown,
            "course_id",
            "unknown course; expected a course_id of the courses table",
            "unknown-course",
        )
    )
    out.append(duplicate_issues("runs", runs, ["course_id", "run_id"]))
    zones = _zones(runs["timezone"])
    bad_zone = runs["timezone"].notna() & zones.isna()
    out.append(
        frame_issues(
            "runs",
            rraw,
            bad_zone,
            "timezone",
            "unknown time zone; expected an IANA name such as 'Europe/Brussels' or "
            "'America/New_York', or blank for UTC",
            "bad-time-zone",
        )
    )
    times = run_times(runs)
    # a value without an offset in an unknown zone is the timezone's issue only
    for column in ("starts", "ends"):
        parts = runs[column].astype("str").str.extract(_FORM)
        readable = ~bad_zone | parts["offset"].notna() | parts["date"].isna()
        bad = runs[column].notna() & times[column].isna() & readable
        out.append(
            frame_issues("runs", rraw, bad, column, f"expected {DATE_TIME_EXPECTED}", "bad-format")
        )
    backwards = times["starts"].notna() & times["ends"].notna() & (times["ends"] <= times["starts"])
    if backwards.any():  # a blank ends (the next midnight) is always after starts
        shown = times["starts"].dt.strftime("%Y-%m-%dT%H:%MZ").where(backwards, "")
        out.append(
            frame_issues(
                "runs",
                rraw,
                backwards,
                "ends",
                "is not after starts (" + shown + "); expected ends after starts",
                "bad-period",
            )
        )
    # without its key columns (a missing-column issue) runs say nothing of people's runs
    keyed = {"course_id", "run_id"} <= set(rraw.columns)
    out += _people_issues(runs, people, praw, courses, keyed=keyed)
    return out


def _people_issues(
    runs: pd.DataFrame,
    people: pd.DataFrame,
    praw: pd.DataFrame,
    courses: pd.Series,
    *,
    keyed: bool,
) -> list[pd.DataFrame]:
    out = []
    course = people["course_id"]
    known = isin(course, courses)
    out.append(
        frame_issues(
            "people",
            praw,
            course.notna() & ~known,
            "course_id",
            "unknown course; expected a course_id of the courses table",
            "unknown-course",
        )
    )
    named = runs.dropna(subset=["course_id", "run_id"])
    runs_of = pd.MultiIndex.from_arrays([named["course_id"], named["run_id"]])
    pairs = pd.MultiIndex.from_arrays([course, people["run_id"]])
    no_run = known & people["run_id"].notna() & ~pd.Series(pairs.isin(runs_of), index=people.index)
    no_run &= keyed
    out.append(
        frame_issues(
            "people",
            praw,
            no_run,
            "run_id",
            "no such run in this course; expected a run_id of the same course in the runs table",
            "unknown-run",
        )
    )
    keys = pd.DataFrame(
        {
            "course_id": course,
            "run_id": people["run_id"],
            "person": person_keys(people["person"]),
        },
        index=people.index,
    )
    out.append(
        duplicate_issues(
            "people",
            people,
            ["course_id", "run_id", "person"],
            what="person in this run (one row per person and run)",
            key_frame=keys,
        )
    )
    return out


def split_ids(cells: pd.Series) -> pd.DataFrame:
    """The items of ``;``-separated cells, one row each: ``row`` (the cell's index label)
    and ``iri``; blank items and an id repeated in one cell left out."""
    items = cells.dropna().astype("str").str.split(";").explode().str.strip()
    items = items[items.notna() & items.ne("")]
    long = pd.DataFrame({"row": items.index, "iri": items.to_numpy()})
    return long.drop_duplicates(ignore_index=True)


def xapi_id_issues(activities: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """An xAPI id that an earlier activity of the same course already has: a statement
    about it could not tell the two apart.

    Parameters
    ----------
    activities : pandas.DataFrame
        The trimmed activities, indexed by row.
    raw : pandas.DataFrame
        The activities as read.
    """
    if "xapi_ids" not in raw.columns or activities["xapi_ids"].isna().all():
        return issue_frame()
    long = split_ids(activities["xapi_ids"])
    long["course_id"] = activities["course_id"].reindex(long["row"]).to_numpy()
    long["activity_id"] = activities["activity_id"].reindex(long["row"]).to_numpy()
    long = long.dropna(subset=["course_id"])
    dup = long.duplicated(["course_id", "iri"], keep="first")
    if not dup.any():
        return issue_frame()
    first = long.drop_duplicates(["course_id", "iri"])
    bad = long[dup].merge(first, on=["course_id", "iri"], suffixes=("", "_first"))
    bad = bad.drop_duplicates("row")  # one issue a cell
    message = (
        "xAPI id "
        + bad["iri"].map(repr)
        + " is also an id of activity "
        + bad["activity_id_first"].map(repr)
        + " (row "
        + bad["row_first"].astype("str")
        + ") of this course; expected each xAPI id to name one activity"
    )
    mask = pd.Series(False, index=raw.index)
    mask[bad["row"].to_numpy()] = True
    return frame_issues(
        "activities",
        raw,
        mask,
        "xapi_ids",
        pd.Series(message.to_numpy(), index=bad["row"].to_numpy()).reindex(raw.index),
        "ambiguous-xapi-id",
    )


def canonical_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``runs`` table (see :class:`~socialkit.contract.schema.Portfolio`) of
    valid trimmed rows indexed by row."""
    if not len(runs):
        return empty_runs()
    times = run_times(runs)
    registration = runs["registration"].str.lower()
    return pd.DataFrame(
        {
            "course_id": runs["course_id"].astype("str"),
            "run_id": runs["run_id"].astype("str"),
            "starts": times["starts"],
            "ends": times["ends"],
            "timezone": times["timezone"].astype("str"),
            "registration": registration.astype("object").where(registration.notna(), None),
            "row": runs.index.astype("int64"),
        }
    ).reset_index(drop=True)


def canonical_people(people: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``people`` table of valid trimmed rows indexed by row."""
    if not len(people):
        return empty_people()
    return pd.DataFrame(
        {
            "course_id": people["course_id"].astype("str"),
            "run_id": people["run_id"].astype("str"),
            "person": person_keys(people["person"]).astype("str"),
            "role": ROLES.normalise(people["role"]).astype("str"),
            "row": people.index.astype("int64"),
        }
    ).reset_index(drop=True)
