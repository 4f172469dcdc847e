"""Strategic analyses of design portfolios: pure functions, DataFrames in, tidy DataFrames out.

Every function works on the whole portfolio at once (vectorised: no Python loop over
courses or activities) and returns one row per course, activity or finding. The one
exception is the convenience column ``gaps`` of :func:`checklist`, whose tuples of
sentences are gathered in one pass over the long table of :func:`checklist_gaps`.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from types import SimpleNamespace

import numpy as np
import pandas as pd

from socialkit.analysis.positions import activity_courses, course_index, fit_rows
from socialkit.analysis.rules import CodedTable, Rule, Table, collect, count, join, text
from socialkit.analysis.tally import grid_counts, outside_counts, pairs_found
from socialkit.analysis.tool_fit import ACTIVITY_COLUMNS, fit_parts
from socialkit.base.frames import cached, in_course_order, isin_codes, memoized
from socialkit.base.lookup import isin
from socialkit.contract.schema import Portfolio
from socialkit.contract.tool_names import is_placeholder
from socialkit.contract.vocab import DIRECTIONS, PHASE_ORDER, TIMINGS

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


def _vocab_categories(values: pd.Series, allowed: tuple[str, ...]) -> pd.Categorical:
    """Canonical values as an ordered categorical whose last category is ``undecided``."""
    categories = [*allowed, UNDECIDED]
    codes = isin_codes(values, list(allowed))
    codes[codes < 0] = len(allowed)
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _course_categories(portfolio: Portfolio, course_id: pd.Series) -> pd.Categorical:
    """Course ids as a categorical in the courses' file order (cheap: hashes distinct ids)."""
    codes = isin_codes(course_id, portfolio.course_ids)
    return pd.Categorical.from_codes(codes, categories=portfolio.course_ids)


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
        whose last category, ``"undecided"``, holds activities not decided yet. By
        course, the courses come in file order, each with its whole grid in turn.
    """
    if by not in ("course", "portfolio"):
        raise ValueError(f"by must be 'course' or 'portfolio', not {by!r}")
    return _course_matrix(portfolio) if by == "course" else _portfolio_matrix(portfolio)


def _matrix(portfolio: Portfolio, keys: list[str]) -> pd.DataFrame:
    a = portfolio.activities
    by_course = "course_id" in keys
    return grid_counts(
        _vocab_categories(a["timing"], TIMINGS.values),
        _vocab_categories(a["direction"], DIRECTIONS.values),
        a["minutes"],
        courses=(activity_courses(portfolio), portfolio.course_ids) if by_course else None,
    )


_course_matrix = memoized(lambda p: _matrix(p, ["course_id", "timing", "direction"]))
_portfolio_matrix = memoized(lambda p: _matrix(p, ["timing", "direction"]))


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
    out = outside_counts(portfolio.activities, activity_courses(portfolio), portfolio.course_ids)
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
@cached
def rule_tables(portfolio: Portfolio) -> SimpleNamespace:
    """The tables the checklist's and the warnings' rules flag rows of (see
    :mod:`socialkit.analysis.rules`): ``courses``, ``objectives``, ``activities`` and ``fit`` (the
    rows of :func:`~socialkit.analysis.tool_fit.tool_fit`), shared by both."""
    ids = course_index(portfolio)  # hashed once for every table's lookups
    activities = Table(portfolio.activities, ids, course=activity_courses(portfolio))
    # tool_fit's rows as its two short parts: the rules read a few facts of every row and
    # the words of flagged rows only; copying every column of every row costs more
    rows, codes, facts = fit_parts(portfolio)
    columns, course = list(ACTIVITY_COLUMNS), fit_rows(portfolio)[1]
    fit = CodedTable(activities, rows, facts, codes, columns=columns, course_ids=ids, course=course)
    return SimpleNamespace(
        courses=Table(portfolio.courses, ids),
        objectives=Table(portfolio.objectives, ids),
        activities=activities,
        fit=fit,
    )


#: The question each decision column of ``activities`` belongs to, and what its absence
#: means, for the one gap per course a column the activities table lacks gives.
_ABSENT_GAPS: dict[str, tuple[int, str]] = {
    "objective_id": (1, "no activity is linked to an objective"),
    "timing": (3, "no activity's timing is decided"),
    "in_class_reason": (3, "no activity in class says why it must be there"),
    "direction": (4, "no activity's direction is decided"),
    "tool_type": (5, "no activity's tool type is decided"),
    "tool": (5, "no activity's tool is decided"),
    "learner_benefit": (6, "no activity says what learners gain"),
}


def _gap_rules(portfolio: Portfolio) -> list[Rule]:
    """The checklist's rules: (table, mask of rows with a gap, question, gap sentence).

    The sentence is a constant or a callable building it from the flagged rows, so
    that counting gaps never pays for writing them. The rules of the warnings
    (:func:`socialkit.analysis.advice.warning_rules`) are rules of the checklist too, under the
    question :data:`socialkit.analysis.advice.WARNING_QUESTIONS` gives each code: a question with
    an open warning is never answered. A decision column the activities table lacks
    altogether gives one gap per course that needs the decision (has activities; in
    class, for an in-class reason; using a tool, for a learner benefit; with objectives,
    for an objective link), under its question, and none per activity.
    """
    from socialkit.analysis.advice import WARNING_QUESTIONS, warning_rules

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
            a["timing"].isna() & present("timing"),
            3,
            lambda d: join("timing of ", d.label, " not decided"),
        ),
        (
            t.activities,
            a["direction"].isna() & present("direction"),
            4,
            lambda d: join("direction of ", d.label, " not decided"),
        ),
        # 5 tool type and tool decided (tool 'none' needs no type)
        (
            t.activities,
            a["tool_type"].isna() & a["tool"].ne("none").fillna(True) & present("tool_type"),
            5,
            lambda d: join("tool type of ", d.label, " not decided"),
        ),
        (
            t.activities,
            a["tool"].isna() & present("tool"),
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
            "learner_benefit": isin(c["course_id"], a.loc[uses_tool(a), "course_id"]),
            "objective_id": has_activities & isin(c["course_id"], o["course_id"]),
        }
        rules += [
            (
                t.courses,
                needs.get(name, has_activities),
                question,
                f"{what}: the activities table has no {name} column",
            )
            for name, (question, what) in _ABSENT_GAPS.items()
            if name in absent
        ]
    rules += [
        (table, mask, WARNING_QUESTIONS[code], gap)
        for code, table, mask, _, gap in warning_rules(portfolio)
    ]
    return rules


def uses_tool(activities: pd.DataFrame) -> pd.Series:
    """Which activities use a tool: a tool named, not ``none``, known to the catalog or not,
    but not a placeholder such as ``TBD`` (see
    :func:`socialkit.contract.tool_names.is_placeholder`).

    These are the activities whose learner benefit the checklist (question 6), the
    ``no-benefit`` warning, the reports and the editor count.
    """
    tool = activities["tool"]
    named = tool.notna() & tool.ne("none")
    distinct = tool[named].unique()
    placeholders = [t for t in distinct if is_placeholder(t)]
    return named & ~isin(tool, placeholders) if placeholders else named


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
    used = uses_tool(a).to_numpy(dtype=bool, na_value=False)
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
    found = collect(_gap_rules(portfolio), seq_first=False)
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
    return count(_gap_rules(portfolio), len(portfolio.courses), len(QUESTIONS))


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
    from socialkit.analysis.advice import strategic_warnings

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
