"""The six strategic questions as a checklist: every gap of every course, or only their counts.

The checklist's rules are those of :mod:`socialkit.analysis.rules`: a mask over the rows
of a table, a question and a sentence; the warnings' rules
(:func:`socialkit.analysis.advice.warning_rules`) are among them, so a question with an open
warning is never answered. Everything is vectorised over the whole portfolio; the one
exception is the convenience column ``gaps`` of :func:`checklist`, whose tuples of
sentences are gathered in one pass over the long table of :func:`checklist_gaps`.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd

from socialkit.analysis.advice import WARNING_QUESTIONS, warning_rules
from socialkit.analysis.rules import Rule, collect, count, join, rule_tables, text
from socialkit.analysis.tally import pairs_found
from socialkit.analysis.tool_use import NO_TOOL, used_tools
from socialkit.base.frames import isin_codes, memoized
from socialkit.base.lookup import equals, isin
from socialkit.contract.schema import Portfolio

__all__ = [
    "ABSENT_GAPS",
    "QUESTIONS",
    "benefit_counts",
    "checklist",
    "checklist_gaps",
    "checklist_scores",
    "gap_counts",
    "gap_lists",
    "gap_rules",
]

#: The six strategic questions, numbered as the checklist reports them.
QUESTIONS: dict[int, str] = {
    1: "What is the learning objective?",
    2: "Which learning activities, in what order?",
    3: "What happens before, during and after the formal moment?",
    4: "Which social direction does each activity need?",
    5: "What is the most appropriate tool?",
    6: "How is the benefit presented to learners?",
}


#: The question each decision column of ``activities`` belongs to, and what its absence
#: means, for the one gap per course a column the activities table lacks gives.
ABSENT_GAPS: dict[str, tuple[int, str]] = {
    "objective_id": (1, "no activity is linked to an objective"),
    "timing": (3, "no activity's timing is decided"),
    "in_class_reason": (3, "no activity in class says why it must be there"),
    "direction": (4, "no activity's direction is decided"),
    "tool_type": (5, "no activity's tool type is decided"),
    "tool": (5, "no activity's tool is decided"),
    "learner_benefit": (6, "no activity says what learners gain"),
}


def gap_rules(portfolio: Portfolio) -> list[Rule]:
    """The checklist's rules: (table, mask of rows with a gap, question, gap sentence).

    Returns
    -------
    list of Rule
        As :mod:`socialkit.analysis.rules` describes them.

    Notes
    -----
    The sentence is a constant or a callable building it from the flagged rows, so
    that counting gaps never pays for writing them. The rules of the warnings
    (:func:`socialkit.analysis.advice.warning_rules`) are rules of the checklist too, under the
    question :data:`socialkit.analysis.advice.WARNING_QUESTIONS` gives each code: a question with
    an open warning is never answered. A decision column the activities table lacks
    altogether gives one gap per course that needs the decision (has activities; in
    class, for an in-class reason; using a tool, for a learner benefit; with objectives,
    for an objective link), under its question, and none per activity.
    """
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    t = rule_tables(portfolio)
    absent = portfolio.absent_decisions

    def present(name: str) -> bool:
        return name not in absent

    # the activities' course codes (positions in course_ids) are the rule table's own
    has_activities = (
        np.bincount(t.activities.course[t.activities.course >= 0], minlength=len(c)) > 0
    )
    rules: list[Rule] = [
        # 1 each objective served by an activity (plus the warnings': an objective at
        # all, each activity linked to one)
        (
            t.objectives,
            ~pairs_found(
                (t.objectives.course, o["objective_id"]), (t.activities.course, a["objective_id"])
            )
            & present("objective_id"),
            1,
            lambda d: join("objective '", d["objective_id"], "' is served by no activity"),
        ),
        # 2 activities listed (seq is ordered and unique by validation)
        (t.courses, ~has_activities, 2, "no learning activity listed"),
        # 3 timing, 4 direction
        (
            t.activities,
            a["timing"].array.isna() & present("timing"),
            3,
            lambda d: join("timing of ", d.label, " not decided"),
        ),
        (
            t.activities,
            a["direction"].array.isna() & present("direction"),
            4,
            lambda d: join("direction of ", d.label, " not decided"),
        ),
        # 5 tool type and tool decided (tool 'none' needs no type)
        (
            t.activities,
            a["tool_type"].array.isna()
            & ~equals(a["tool"], NO_TOOL)  # a missing tool needs a type too
            & present("tool_type"),
            5,
            lambda d: join("tool type of ", d.label, " not decided"),
        ),
        (
            t.activities,
            a["tool"].array.isna() & present("tool"),
            5,
            lambda d: join("tool of ", d.label, " not decided"),
        ),
    ]
    if absent:
        # a missing column is a gap only where the course needs the decision: an
        # in-class reason for activities in class, a benefit for activities using a tool,
        # an objective link where the course has objectives (else question 1 says so)
        needs = {
            "in_class_reason": isin(c["course_id"], a.loc[a["timing"].eq("during"), "course_id"]),
            "learner_benefit": isin(c["course_id"], a.loc[used_tools(portfolio), "course_id"]),
            "objective_id": has_activities & isin(c["course_id"], o["course_id"]),
        }
        rules += [
            (
                t.courses,
                needs.get(name, has_activities),
                question,
                f"{what}: the activities table has no {name} column",
            )
            for name, (question, what) in ABSENT_GAPS.items()
            if name in absent
        ]
    rules += [
        (table, mask, WARNING_QUESTIONS[code], gap)
        for code, table, mask, _, gap in warning_rules(portfolio)
    ]
    return rules


def benefit_counts(portfolio: Portfolio) -> pd.DataFrame:
    """How many activities of each course use a tool, and how many of them say what
    learners gain: the one count of learner benefit every page shows.

    Returns
    -------
    pandas.DataFrame
        One row per course in course order: ``course_id``, ``activities``, ``uses_tool``
        (see :func:`uses_tool`), ``told`` (of those, the ones with a learner benefit) and
        ``silent`` (``uses_tool - told``: the ``no-benefit`` warnings, unless the
        activities table has no ``learner_benefit`` column at all).
    """
    a = portfolio.activities
    used = used_tools(portfolio)
    told = used & a["learner_benefit"].notna().to_numpy()
    course = isin_codes(a["course_id"], portfolio.course_ids)
    n = len(portfolio.course_ids)
    out = pd.DataFrame(
        {
            "course_id": pd.array(portfolio.course_ids, dtype="str"),
            "activities": np.bincount(course[course >= 0], minlength=n),
            "uses_tool": np.bincount(course[used & (course >= 0)], minlength=n),
            "told": np.bincount(course[told & (course >= 0)], minlength=n),
        }
    )
    out["silent"] = out["uses_tool"] - out["told"]
    return out.astype({c: "int64" for c in ("activities", "uses_tool", "told", "silent")})


@memoized
def checklist_gaps(portfolio: Portfolio) -> pd.DataFrame:
    """Every gap of the six-question checklist, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``question`` (1-6) and ``gap`` (a sentence), in course
        order, then question order, then activity order.
    """
    found = collect(gap_rules(portfolio), seq_first=False)
    return pd.DataFrame(
        {
            "course_id": text(found["course_id"]),
            "question": found["key"],
            "gap": text(found["message"]),
        }
    )


def gap_counts(portfolio: Portfolio) -> np.ndarray:
    """How many gaps each course has under each question: an int array shaped
    (courses, questions), courses in file order (what :func:`checklist_scores` lists)."""
    return count(gap_rules(portfolio), len(portfolio.courses), len(QUESTIONS))


def checklist_scores(portfolio: Portfolio) -> pd.DataFrame:
    """How many gaps each course has under each question, without writing the gaps.

    Returns
    -------
    pandas.DataFrame
        Six rows per course in course order: ``course_id``, ``question`` (1-6),
        ``n_gaps`` and ``ok``; the same counts as :func:`checklist`, much cheaper.
    """
    n_q = len(QUESTIONS)
    counts = gap_counts(portfolio)
    out = pd.DataFrame(
        {
            "course_id": np.repeat(np.asarray(portfolio.course_ids, dtype=object), n_q),
            "question": np.tile(np.arange(1, n_q + 1), len(portfolio.courses)),
            "n_gaps": counts.ravel().astype("int64"),
        }
    )
    out["ok"] = out["n_gaps"].eq(0)
    return out.astype({"course_id": "str"})


def gap_lists(gaps: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    """Gather the long gap table of :func:`checklist_gaps` into lists per (course, question).

    The table comes grouped (course, then question), so one pass builds every list.
    """
    keys = zip(gaps["course_id"].tolist(), gaps["question"].tolist(), strict=True)
    pairs = zip(keys, gaps["gap"].tolist(), strict=True)
    return {key: [g for _, g in group] for key, group in groupby(pairs, key=itemgetter(0))}


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
    collected = gap_lists(checklist_gaps(portfolio))
    ids, n_q = portfolio.course_ids, len(QUESTIONS)
    gaps = np.empty(len(ids) * n_q, dtype=object)
    gaps[:] = [tuple(collected.get((c, q), ())) for c in ids for q in QUESTIONS]
    n_gaps = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    return pd.DataFrame(
        {
            "course_id": pd.array(np.repeat(np.asarray(ids, dtype=object), n_q), dtype="str"),
            "question": np.tile(np.arange(1, n_q + 1, dtype=np.int64), len(ids)),
            "text": pd.array(list(QUESTIONS.values()) * len(ids), dtype="str"),
            "ok": n_gaps == 0,
            "n_gaps": n_gaps,
            "gaps": gaps,
        }
    )
