"""What the portfolio overview shows: courses needing attention, organisations, warnings.

Pure functions over the frames the overview already has (the course summary of
:func:`socialkit.analysis.checks.course_summary`, the warnings of
:func:`socialkit.analysis.advice.strategic_warnings`, the report batch's status per
course): DataFrames in, tidy DataFrames out, vectorised over every course. Codes become
words here (:func:`organisation_names`, :func:`report_words`, :func:`prose_list`), so
that the page shows no raw value; user text is kept as it is (the page escapes it).

A course *needs attention* when it is invalid (it breaks the data contract), its report
failed, it has a warning, or it leaves a checklist question open. :func:`course_attention`
orders courses by how urgently: invalid or failed first, then the most warnings, then
the fewest of the six checklist questions answered, then the lowest share of activities
outside class, then portfolio order.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from socialkit.contract.schema import DEFAULT_ORGANISATION

__all__ = [
    "ATTENTION_RULE",
    "DEFAULT_ORGANISATION_NAME",
    "REPORT_WORDS",
    "course_attention",
    "organisation_names",
    "organisation_summary",
    "prose_list",
    "report_words",
    "warning_codes",
    "warning_counts",
]

#: How the fallback context ``default`` is named on a page.
DEFAULT_ORGANISATION_NAME = "no organisation (default context)"
#: The report batch's status of a course, in words.
REPORT_WORDS = {
    "made": "ready",
    "unchanged": "ready, unchanged since the last run",
    "failed": "failed",
    "invalid": "invalid: breaks the data contract",
    "outdated": "outdated: an older report",
    "missing": "no report yet",
    "not run": "not made in this run",
}
#: The order of :func:`course_attention`, in words, for the page to say.
ATTENTION_RULE = (
    "invalid courses and failed reports first, then the most warnings, then the fewest "
    "of the six checklist questions answered, then the lowest share of activities "
    "outside class"
)
_PROBLEM_RANK = {"invalid": 0, "failed": 1}
_SUMMARY_COLUMNS = ["course_id", "title", "organisation", "warnings", "checklist_ok"]


# --------------------------------------------------------------------------- words
def prose_list(items: Iterable[object], *, conjunction: str = "and") -> str:
    """Items as a phrase: ``"a"``, ``"a and b"``, ``"a, b and c"`` (``""`` for none).

    Parameters
    ----------
    items : iterable
        Shown through ``str()``.
    conjunction : str, default "and"
        The word before the last item.
    """
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def organisation_names(organisations: pd.Series) -> pd.Series:
    """Organisations as a page names them: ``default`` as :data:`DEFAULT_ORGANISATION_NAME`.

    Parameters
    ----------
    organisations : pandas.Series
        Organisation names; a missing one is named ``"unknown"``.

    Returns
    -------
    pandas.Series
        ``str`` values, same index.
    """
    names = organisations.astype("object").where(organisations.notna(), "unknown")
    names = names.where(names.ne(DEFAULT_ORGANISATION), DEFAULT_ORGANISATION_NAME)
    return names.astype("str")


def report_words(status: pd.Series) -> pd.Series:
    """Report statuses (``made``, ``unchanged`` ...) as :data:`REPORT_WORDS` says them.

    Parameters
    ----------
    status : pandas.Series
        Statuses of the report batch; missing means no batch ran (``"not made"``), an
        unknown status is kept as it is.
    """
    words = status.map(REPORT_WORDS)
    return words.fillna(status).fillna("not made").astype("str")


# --------------------------------------------------------------------------- warnings
def warning_codes(warnings: pd.DataFrame, course_ids: Iterable[str]) -> pd.Series:
    """The distinct warning codes of each course, most frequent in the portfolio first.

    Parameters
    ----------
    warnings : pandas.DataFrame
        ``course_id`` and ``code`` columns (one row per warning).
    course_ids : iterable of str
        The courses wanted, in the order wanted.

    Returns
    -------
    pandas.Series
        Indexed by ``course_id``: a tuple of codes per course (empty for none); ties in
        frequency go alphabetically.
    """
    ids = pd.Index(list(course_ids), name="course_id")
    frequency = warnings["code"].value_counts()
    pairs = warnings[["course_id", "code"]].drop_duplicates()
    # as integers even when there is no warning at all (an empty map keeps the text dtype)
    rank = pairs["code"].map(frequency).astype("int64")
    pairs = pairs.assign(rank=-rank).sort_values(["rank", "code"], kind="stable")
    grouped = pairs.groupby("course_id", sort=False)["code"].agg(tuple)
    return grouped.reindex(ids).map(lambda v: v if isinstance(v, tuple) else ())


def warning_counts(warnings: pd.DataFrame) -> pd.DataFrame:
    """How often each warning code comes up, and in which courses.

    Parameters
    ----------
    warnings : pandas.DataFrame
        ``course_id`` and ``code`` columns (one row per warning).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``warnings`` (rows), ``courses`` (distinct courses) and ``course_ids``
        (a tuple, the courses with the most such warnings first, ties in portfolio order);
        the most frequent code first, ties by more courses, then alphabetically.
    """
    if warnings.empty:
        cols = {"code": "str", "warnings": "int64", "courses": "int64", "course_ids": "object"}
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    per = warnings.groupby(["code", "course_id"], sort=False).size().rename("n").reset_index()
    per = per.sort_values("n", ascending=False, kind="stable")
    out = per.groupby("code", sort=False).agg(
        warnings=("n", "sum"), courses=("course_id", "size"), course_ids=("course_id", tuple)
    )
    out = out.reset_index().sort_values(["code"], kind="stable")
    out = out.sort_values(["warnings", "courses"], ascending=False, kind="stable")
    return out.astype({"warnings": "int64", "courses": "int64"}).reset_index(drop=True)


# --------------------------------------------------------------------------- attention
def course_attention(
    summary: pd.DataFrame,
    warnings: pd.DataFrame,
    *,
    reports: pd.DataFrame | None = None,
    invalid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every course, the most urgent first, with why it needs attention.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`socialkit.analysis.checks.course_summary` of the valid courses.
    warnings : pandas.DataFrame
        ``course_id`` and ``code`` of each warning.
    reports : pandas.DataFrame, optional
        ``course_id`` and ``status`` of the report batch (``made``, ``failed`` ...).
    invalid : pandas.DataFrame, optional
        ``course_id``, ``title`` and ``errors`` of the courses left out as invalid
        (:attr:`Portfolio.invalid_courses <socialkit.contract.schema.Portfolio.invalid_courses>`).

    Returns
    -------
    pandas.DataFrame
        The columns of ``summary`` (missing numbers for an invalid course, whose
        organisation is unknown) plus ``organisation_name`` (in words), ``report``
        (the status, missing without a batch), ``report_words``, ``problem``
        (``"invalid"``, ``"failed"`` or ``""``), ``codes`` (tuple of its warning codes),
        ``needs_attention`` (bool) and ``rank`` (1 = most urgent), sorted by ``rank``
        as :data:`ATTENTION_RULE` says.
    """
    valid = summary.assign(valid=True)
    if invalid is not None and len(invalid):
        left_out = pd.DataFrame(
            {
                "course_id": invalid["course_id"].astype("str").to_numpy(),
                "title": invalid["title"].where(invalid["title"].notna(), invalid["course_id"]),
                "valid": False,
            }
        )
        valid = pd.concat([valid, left_out], ignore_index=True)
    out = valid.reset_index(drop=True)
    status = pd.Series(pd.NA, index=out.index, dtype="object")
    if reports is not None and len(reports):
        status = out["course_id"].map(reports.set_index("course_id")["status"]).astype("object")
    status = status.where(out["valid"], "invalid")
    out["report"] = status
    out["report_words"] = report_words(status)
    out["problem"] = status.where(status.isin(list(_PROBLEM_RANK)), "").astype("str")
    out["organisation_name"] = organisation_names(out["organisation"])
    out["codes"] = warning_codes(warnings, out["course_id"]).to_numpy()
    numbers = ["warnings", "checklist_ok", "activities", "share_outside"]
    out[numbers[:3]] = out[numbers[:3]].astype("Int64")
    out["needs_attention"] = (
        out["problem"].ne("")
        | out["warnings"].fillna(0).gt(0).to_numpy(bool)
        | out["checklist_ok"].fillna(0).lt(6).to_numpy(bool)
    )
    keys = pd.DataFrame(
        {
            "problem": out["problem"].map(_PROBLEM_RANK).fillna(2).to_numpy(),
            "warnings": -out["warnings"].astype("float64").fillna(0).to_numpy(),
            "checklist": out["checklist_ok"].astype("float64").fillna(0).to_numpy(),
            "outside": out["share_outside"].astype("float64").fillna(np.inf).to_numpy(),
        }
    )
    order = keys.sort_values(list(keys.columns), kind="stable").index
    out = out.loc[order].drop(columns="valid").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


# --------------------------------------------------------------------------- organisations
def organisation_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation: its courses, activities, warnings, checklist, outside share.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`socialkit.analysis.checks.course_summary`.

    Returns
    -------
    pandas.DataFrame
        ``organisation``, ``organisation_name`` (in words), ``courses``, ``activities``,
        ``warnings``, ``courses_with_warnings``, ``checklist_ok`` (questions answered
        without gap, the mean over its courses), ``all_answered`` (courses answering all
        six) and ``share_outside`` (of all its activities, before or after class;
        missing without activities); the most courses first, ties alphabetically, the
        default context last.
    """
    s = summary[[*_SUMMARY_COLUMNS, "activities", "share_outside"]]
    outside = s["share_outside"].astype("float64").fillna(0) * s["activities"]
    s = s.assign(
        outside=outside,
        warned=s["warnings"].gt(0),
        all_answered=s["checklist_ok"].eq(6),
    )
    out = s.groupby("organisation", sort=True).agg(
        courses=("course_id", "size"),
        activities=("activities", "sum"),
        warnings=("warnings", "sum"),
        courses_with_warnings=("warned", "sum"),
        checklist_ok=("checklist_ok", "mean"),
        all_answered=("all_answered", "sum"),
        outside=("outside", "sum"),
    )
    out = out.reset_index()
    share = out["outside"] / out["activities"].where(out["activities"] > 0)
    out["share_outside"] = share.astype("Float64")
    out.insert(1, "organisation_name", organisation_names(out["organisation"]))
    out = out.assign(last=out["organisation"].eq(DEFAULT_ORGANISATION), neg=-out["courses"])
    out = out.sort_values(["last", "neg", "organisation"], kind="stable")
    ints = ["courses", "activities", "warnings", "courses_with_warnings", "all_answered"]
    out = out.drop(columns=["last", "neg", "outside"]).astype(dict.fromkeys(ints, "int64"))
    return out.reset_index(drop=True)
