"""Strategic analyses of design portfolios: pure functions, DataFrames in, tidy DataFrames out.

Here the flipped-classroom and sequence checks and the one-row-per-course summary; the
timing x direction grid is in :mod:`socialkit.analysis.matrix`, the checklist in
:mod:`socialkit.analysis.checklist`, and both are importable from here too, as they were
when this module held them. Every function works on the whole portfolio at once
(vectorised: no Python loop over courses or activities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.advice import strategic_warnings
from socialkit.analysis.checklist import (
    ABSENT_GAPS,
    QUESTIONS,
    benefit_counts,
    checklist,
    checklist_gaps,
    checklist_scores,
    gap_counts,
    gap_lists,
    gap_rules,
)
from socialkit.analysis.matrix import (
    UNDECIDED,
    outside_class_share,
    timing_direction_matrix,
    vocab_categories,
)
from socialkit.analysis.rules import rule_tables as rule_tables  # as before the move
from socialkit.analysis.tool_use import uses_tool
from socialkit.base.frames import in_course_order, isin_codes, memoized
from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import PHASE_ORDER

__all__ = [
    "QUESTIONS",
    "UNDECIDED",
    "benefit_counts",
    "checklist",
    "checklist_gaps",
    "checklist_scores",
    "course_summary",
    "flipped_candidates",
    "gap_counts",
    "gap_lists",
    "outside_class_share",
    "sequence_check",
    "timing_direction_matrix",
    "uses_tool",
]

# the names this module had before the matrix and the checklist moved out, private ones
# included (a user's notebook may use one); not part of __all__
_vocab_categories = vocab_categories
_gap_rules = gap_rules
_ABSENT_GAPS = ABSENT_GAPS


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
        and ``why``, in course order (as the courses table lists them), then ``seq``.
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
    return in_course_order(out, portfolio.course_ids, ["seq"])


@memoized
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
    acts = portfolio.activities[["course_id", "activity_id", "seq", "title", "timing"]]
    course = isin_codes(acts["course_id"], portfolio.course_ids)
    order = np.lexsort((acts["seq"].to_numpy(), course))  # by course order, then seq
    g = course[order]
    # phase 0, 1, 2 (-1 undecided), in that order; groups (courses) are contiguous
    phase = np.append(np.array(list(PHASE_ORDER.values())), -1)[
        isin_codes(acts["timing"], list(PHASE_ORDER))
    ][order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    offset = (np.cumsum(first) - 1) * 10  # the running maximum restarts with each course
    running = np.maximum.accumulate(phase + offset) - offset
    before = np.where(first, -1, np.roll(running, 1))  # latest phase of an earlier activity
    # the earliest activity of that latest phase: the last one that raised the maximum
    raised = np.maximum.accumulate(np.where(phase > before, np.arange(len(g)), -1))
    flagged = (phase >= 0) & (phase < before)
    ref = np.roll(raised, 1)[flagged]
    a = acts.iloc[order].reset_index(drop=True)
    out = a.loc[flagged, ["course_id", "activity_id", "seq", "title", "timing"]]
    other = a.loc[ref, ["activity_id", "seq", "title", "timing"]]
    for col in other.columns:
        out[f"after_{col}"] = other[col].to_numpy()
    return out.reset_index(drop=True)


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
    c = portfolio.courses[["course_id", "title", "organisation", "status"]].copy()
    cid = c["course_id"]
    c["objectives"] = cid.map(portfolio.objectives["course_id"].value_counts()).fillna(0)
    share = outside_class_share(portfolio).set_index("course_id")
    c["activities"] = cid.map(share["activities"])
    scores = checklist_scores(portfolio)
    c["checklist_ok"] = scores.groupby("course_id", sort=False)["ok"].sum().to_numpy()
    c["share_outside"] = cid.map(share["share_outside"]).astype("Float64")
    c["share_minutes_outside"] = cid.map(share["share_minutes_outside"]).astype("Float64")
    c["flipped_candidates"] = cid.map(
        flipped_candidates(portfolio)["course_id"].value_counts()
    ).fillna(0)
    c["warnings"] = cid.map(strategic_warnings(portfolio)["course_id"].value_counts()).fillna(0)
    ints = ["objectives", "activities", "checklist_ok", "flipped_candidates", "warnings"]
    return c.astype(dict.fromkeys(ints, "int64")).reset_index(drop=True)
