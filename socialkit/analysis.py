"""Strategic analyses of design portfolios: pure functions, DataFrames in, tidy DataFrames out.

Every function works on the whole portfolio at once (vectorised: no Python loop over
courses or activities) and returns one row per course, activity or finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import Portfolio
from .tools import tool_fit
from .vocab import DIRECTIONS, PHASE_ORDER, TIMINGS

__all__ = [
    "QUESTIONS",
    "UNDECIDED",
    "checklist",
    "course_summary",
    "flipped_candidates",
    "outside_class_share",
    "sequence_check",
    "timing_direction_matrix",
]

#: Label of a timing or direction that is not decided yet.
UNDECIDED = "undecided"

#: The six strategic questions, numbered as the checklist reports them.
QUESTIONS: dict[int, str] = {
    1: "What is the learning objective?",
    2: "Which learning activities, in what order?",
    3: "What happens before, during and after the formal moment?",
    4: "Which social direction does each activity need?",
    5: "What is the most appropriate tool?",
    6: "How is the benefit presented to learners?",
}


def _label(s: pd.Series) -> pd.Series:
    return '"' + s.astype("str") + '"'


def _act_label(a: pd.DataFrame) -> pd.Series:
    """``activity 'a3' ("Title")`` for messages."""
    return "activity " + a["activity_id"].map(repr).astype("str") + " (" + _label(a["title"]) + ")"


# --------------------------------------------------------------------------- matrix
def timing_direction_matrix(portfolio: Portfolio, *, by: str = "course") -> pd.DataFrame:
    """Count activities and minutes in each timing × direction cell.

    Parameters
    ----------
    portfolio : Portfolio
    by : {"course", "portfolio"}, default "course"
        One grid per course, or one grid for the whole portfolio.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id`` (only with ``by="course"``), ``timing``, ``direction``,
        ``activities`` and ``minutes`` (sum of known minutes). Every cell of the grid is
        present, zeros included; ``timing`` and ``direction`` are ordered categoricals
        whose last category, ``"undecided"``, holds activities not decided yet.
    """
    if by not in ("course", "portfolio"):
        raise ValueError(f"by must be 'course' or 'portfolio', not {by!r}")
    a = portfolio.activities
    timing = pd.Categorical(
        a["timing"].fillna(UNDECIDED), categories=[*TIMINGS.values, UNDECIDED], ordered=True
    )
    direction = pd.Categorical(
        a["direction"].fillna(UNDECIDED), categories=[*DIRECTIONS.values, UNDECIDED], ordered=True
    )
    frame = pd.DataFrame(
        {
            "course_id": pd.Categorical(a["course_id"], categories=portfolio.course_ids),
            "timing": timing,
            "direction": direction,
            "minutes": a["minutes"].fillna(0).astype("int64"),
        }
    )
    keys = ["course_id", "timing", "direction"] if by == "course" else ["timing", "direction"]
    out = (
        frame.groupby(keys, observed=False)
        .agg(activities=("minutes", "size"), minutes=("minutes", "sum"))
        .reset_index()
    )
    if by == "course":
        out["course_id"] = out["course_id"].astype("str")
    return out.astype({"activities": "int64", "minutes": "int64"})


def outside_class_share(portfolio: Portfolio) -> pd.DataFrame:
    """Share of each course's activities and minutes placed before or after class.

    Returns
    -------
    pandas.DataFrame
        One row per course: ``course_id``, ``activities``, ``outside`` (before or after),
        ``during``, ``undecided``, ``share_outside`` (``outside / activities``; undecided
        activities count as not outside), ``minutes``, ``minutes_outside`` and
        ``share_minutes_outside`` (of the known minutes). Shares are missing where the
        denominator is zero.
    """
    a = portfolio.activities
    mins = a["minutes"].fillna(0).astype("int64")
    out_mask = a["timing"].isin(["before", "after"])
    frame = pd.DataFrame(
        {
            "course_id": pd.Categorical(a["course_id"], categories=portfolio.course_ids),
            "outside": out_mask.astype("int64"),
            "during": a["timing"].eq("during").fillna(False).astype("int64"),
            "undecided": a["timing"].isna().astype("int64"),
            "minutes": mins,
            "minutes_outside": mins.where(out_mask, 0),
        }
    )
    g = frame.groupby("course_id", observed=False)
    out = g.sum().reset_index()
    out.insert(1, "activities", g.size().to_numpy())
    out["course_id"] = out["course_id"].astype("str")
    out["share_outside"] = (out["outside"] / out["activities"].replace(0, np.nan)).astype("Float64")
    out["share_minutes_outside"] = (
        out["minutes_outside"] / out["minutes"].replace(0, np.nan)
    ).astype("Float64")
    cols = [
        "course_id",
        "activities",
        "outside",
        "during",
        "undecided",
        "share_outside",
        "minutes",
        "minutes_outside",
        "share_minutes_outside",
    ]
    return out[cols]


# --------------------------------------------------------------------------- checklist
def _gaps(course_id: pd.Series, question: int, text: pd.Series | str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "course_id": course_id.to_numpy(),
            "question": question,
            "gap": text if isinstance(text, str) else text.to_numpy(),
        }
    )


def checklist_gaps(portfolio: Portfolio) -> pd.DataFrame:
    """Every gap of the six-question checklist, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``question`` (1-6) and ``gap`` (a sentence), in course
        and activity order.
    """
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    lab = _act_label(a)
    found = []

    # 1 objectives defined, each served by an activity
    has_obj = c["course_id"].isin(set(o["course_id"]))
    found.append(_gaps(c.loc[~has_obj, "course_id"], 1, "no learning objective defined"))
    served = set((a["course_id"] + "\x1f" + a["objective_id"]).dropna())
    unserved = o[~(o["course_id"] + "\x1f" + o["objective_id"]).isin(served)]
    found.append(
        _gaps(
            unserved["course_id"],
            1,
            "objective "
            + unserved["objective_id"].map(repr).astype("str")
            + " is served by no activity",
        )
    )

    # 2 activities ordered (seq is unique by validation) and linked to an objective
    has_act = c["course_id"].isin(set(a["course_id"]))
    found.append(_gaps(c.loc[~has_act, "course_id"], 2, "no learning activity listed"))
    m = a["objective_id"].isna()
    found.append(_gaps(a.loc[m, "course_id"], 2, lab[m] + " is linked to no objective"))

    # 3 timing, 4 direction
    m = a["timing"].isna()
    found.append(_gaps(a.loc[m, "course_id"], 3, "timing of " + lab[m] + " not decided"))
    m = a["direction"].isna()
    found.append(_gaps(a.loc[m, "course_id"], 4, "direction of " + lab[m] + " not decided"))

    # 5 tool type and tool decided, and the tool fits
    uses_tool = a["tool"].notna() & (a["tool"] != "none")
    m = a["tool_type"].isna() & (a["tool"] != "none").fillna(True)
    found.append(_gaps(a.loc[m, "course_id"], 5, "tool type of " + lab[m] + " not decided"))
    m = a["tool"].isna()
    found.append(_gaps(a.loc[m, "course_id"], 5, "tool of " + lab[m] + " not decided"))
    fit = tool_fit(portfolio)
    lab_fit = a.loc[uses_tool, ["course_id", "activity_id", "title"]].merge(
        fit, on=["course_id", "activity_id"]
    )
    flab = _act_label(lab_fit)
    m = lab_fit["blocked"]
    found.append(
        _gaps(
            lab_fit.loc[m, "course_id"],
            5,
            lab_fit.loc[m, "tool"]
            + " for "
            + flab[m]
            + " is blocked by the firewall ("
            + lab_fit.loc[m, "blocked_domains"]
            + ")",
        )
    )
    m = ~lab_fit["serves_type"].fillna(True).astype(bool)
    found.append(
        _gaps(
            lab_fit.loc[m, "course_id"],
            5,
            lab_fit.loc[m, "tool"]
            + " for "
            + flab[m]
            + " does not serve "
            + lab_fit.loc[m, "tool_type"],
        )
    )
    m = ~lab_fit["serves_direction"].fillna(True).astype(bool)
    found.append(
        _gaps(
            lab_fit.loc[m, "course_id"],
            5,
            lab_fit.loc[m, "tool"]
            + " for "
            + flab[m]
            + " does not support "
            + lab_fit.loc[m, "direction"],
        )
    )

    # 6 a learner benefit for every activity that uses a tool
    m = uses_tool & a["learner_benefit"].isna()
    found.append(
        _gaps(
            a.loc[m, "course_id"],
            6,
            "no learner benefit stated for " + lab[m] + ", which uses " + a.loc[m, "tool"],
        )
    )

    gaps = pd.concat(found, ignore_index=True)
    order = pd.Series(np.arange(len(c)), index=c["course_id"].to_numpy())
    gaps = (
        gaps.assign(_o=gaps["course_id"].map(order))
        .sort_values(["_o", "question"], kind="stable")
        .drop(columns="_o")
    )
    return gaps.astype({"course_id": "str", "question": "int64", "gap": "str"}).reset_index(
        drop=True
    )


def checklist(portfolio: Portfolio) -> pd.DataFrame:
    """The six strategic questions as a checklist, per course.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        Six rows per course: ``course_id``, ``question`` (1-6), ``text`` (the question),
        ``ok`` (no gap), ``n_gaps`` and ``gaps`` (tuple of sentences; see
        :func:`checklist_gaps` for the same in long form).
    """
    gaps = checklist_gaps(portfolio)
    grid = pd.MultiIndex.from_product(
        [portfolio.course_ids, list(QUESTIONS)], names=["course_id", "question"]
    )
    grouped = gaps.groupby(["course_id", "question"], sort=False)["gap"]
    out = pd.DataFrame(index=grid).join(grouped.agg(tuple).rename("gaps")).reset_index()
    out["gaps"] = out["gaps"].apply(lambda g: g if isinstance(g, tuple) else ())
    out["n_gaps"] = out["gaps"].str.len().astype("int64")
    out["ok"] = out["n_gaps"].eq(0)
    out.insert(2, "text", out["question"].map(QUESTIONS).astype("str"))
    return out[["course_id", "question", "text", "ok", "n_gaps", "gaps"]]


# --------------------------------------------------------------------------- flipped / sequence
def flipped_candidates(portfolio: Portfolio) -> pd.DataFrame:
    """In-class activities with no reason to stay in class: candidates to move out.

    An activity planned ``during`` the formal moment with no ``in_class_reason`` is a
    candidate; it is a ``strong`` one when it pushes content one-to-many or is
    ``acquisition`` learning, which learners can do on their own before class.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``activity_id``, ``seq``, ``title``, ``direction``,
        ``learning_type``, ``minutes``, ``strength`` (``"strong"`` or ``"possible"``)
        and ``why``.
    """
    a = portfolio.activities
    m = a["timing"].eq("during").fillna(False) & a["in_class_reason"].isna()
    out = a.loc[
        m, ["course_id", "activity_id", "seq", "title", "direction", "learning_type", "minutes"]
    ].reset_index(drop=True)
    push = out["direction"].eq("one-to-many").fillna(False)
    acq = out["learning_type"].eq("acquisition").fillna(False)
    out["strength"] = np.where(push | acq, "strong", "possible")
    why = pd.Series("no reason given to keep it in class", index=out.index, dtype="str")
    why = why.mask(push, why + "; one-to-many content can be pushed before class")
    why = why.mask(acq, why + "; acquisition can be done alone, before class")
    out["why"] = why
    out["strength"] = out["strength"].astype("str")
    return out


def sequence_check(portfolio: Portfolio) -> pd.DataFrame:
    """Activities whose place in the sequence contradicts their phase.

    Phases run before → during → after. An activity is flagged when an activity with
    a smaller ``seq`` in the same course belongs to a later phase; the earliest such
    activity of the latest phase is named. Activities with undecided timing are
    neither flagged nor used as reference.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``activity_id``, ``seq``, ``title``, ``timing`` and the
        earlier, later-phase activity: ``after_activity_id``, ``after_seq``,
        ``after_title``, ``after_timing``.
    """
    a = portfolio.activities.sort_values(["course_id", "seq"], kind="stable").reset_index(drop=True)
    phase = a["timing"].map(PHASE_ORDER).astype("float64")
    filled = phase.fillna(-1)
    g = a["course_id"]
    running = filled.groupby(g).cummax()
    before = running.groupby(g).shift(1).fillna(-1)
    new_max = filled > before
    pos = pd.Series(np.where(new_max, np.arange(len(a)), np.nan))
    ref = pos.groupby(g).ffill().groupby(g).shift(1)
    flagged = phase.notna() & (phase < before)
    out = a.loc[flagged, ["course_id", "activity_id", "seq", "title", "timing"]]
    other = a.loc[
        ref[flagged].astype("int64").to_numpy(), ["activity_id", "seq", "title", "timing"]
    ]
    for col in other.columns:
        out[f"after_{col}"] = other[col].to_numpy()
    order = pd.Series(np.arange(len(portfolio.courses)), index=portfolio.course_ids)
    out = out.assign(_o=out["course_id"].map(order)).sort_values(["_o", "seq"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------- summary
def course_summary(portfolio: Portfolio) -> pd.DataFrame:
    """One row per course with the figures a portfolio view needs.

    Returns
    -------
    pandas.DataFrame
        ``course_id``, ``title``, ``organisation``, ``status``, ``objectives``,
        ``activities``, ``checklist_ok`` (questions answered without gap, of 6),
        ``share_outside``, ``share_minutes_outside``, ``flipped_candidates`` and
        ``warnings``.
    """
    from .advice import strategic_warnings

    c = portfolio.courses[["course_id", "title", "organisation", "status"]].copy()
    cid = c["course_id"]
    c["objectives"] = cid.map(portfolio.objectives["course_id"].value_counts()).fillna(0)
    share = outside_class_share(portfolio).set_index("course_id")
    c["activities"] = cid.map(share["activities"])
    ck = checklist(portfolio)
    c["checklist_ok"] = cid.map(ck.groupby("course_id")["ok"].sum())
    c["share_outside"] = cid.map(share["share_outside"]).astype("Float64")
    c["share_minutes_outside"] = cid.map(share["share_minutes_outside"]).astype("Float64")
    c["flipped_candidates"] = cid.map(
        flipped_candidates(portfolio)["course_id"].value_counts()
    ).fillna(0)
    c["warnings"] = cid.map(strategic_warnings(portfolio)["course_id"].value_counts()).fillna(0)
    ints = ["objectives", "activities", "checklist_ok", "flipped_candidates", "warnings"]
    return c.astype(dict.fromkeys(ints, "int64")).reset_index(drop=True)
