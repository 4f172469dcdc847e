"""What happened, per run and activity, and per run of a course: the realised design.

Per (course, run, activity) — every activity of a course, for every run of that course:

* ``learners``: the run's learners in ``people``, and the actors without a row there whom
  the run's registration placed in it (they count as learners, see
  :mod:`socialkit.delivery.placing`): every participant is among the learners, so no share
  goes above 100%;
* ``participants``: distinct learners (by role, see :mod:`socialkit.delivery.placing`) with
  at least one statement placed on the activity in that run;
* ``before``, ``during``, ``after``: participants whose *first* statement on the activity
  falls in that phase;
* ``realised_timing``: the phase with most first engagements; on a tie the planned timing
  if it is among the tied phases, else the earliest; None without participants;
* ``realised_direction``: the direction most of the activity's placed statements take
  (trainers' included); on a tie the planned direction if it is among the tied ones, else
  the more social (many-to-many, then many-to-one, then one-to-many); None without
  statements;
* ``expected``: whether the activity should leave statements: it uses a tool
  (:func:`socialkit.analysis.tool_use.uses_tool`) or its timing is decided and is not
  ``during`` (outside the class). In-class activities without a tool are not expected;
* ``tracked``: whether it lists any ``xapi_ids``;
* ``as_planned``: realised timing and direction both equal the planned ones; NA when the
  planned timing or direction is undecided, or the activity is not expected or not tracked;
* ``peer_replies``: learners' statements answering another learner (``many-to-many``);
* ``statements``: statements placed on it in that run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from socialkit.analysis.tool_use import uses_tool
from socialkit.base.lookup import isin
from socialkit.delivery.placing import PHASES, Placed, place_statements

__all__ = [
    "COUNT_COLUMNS",
    "COURSE_COLUMNS",
    "DIRECTIONS_BY_SOCIALITY",
    "PHASES",
    "SUMMARY_COLUMNS",
    "delivery_courses",
    "delivery_matrix",
    "delivery_summary",
    "seen_learners",
    "summarise_counts",
    "summarise_delivery",
]

#: The directions, most social first: the order ties are broken in.
DIRECTIONS_BY_SOCIALITY = ("many-to-many", "many-to-one", "one-to-many")

#: Columns of the summary, in order.
SUMMARY_COLUMNS = (
    "course_id",
    "run_id",
    "activity_id",
    "seq",
    "title",
    "planned_timing",
    "planned_direction",
    "tool",
    "expected",
    "tracked",
    "learners",
    "participants",
    "before",
    "during",
    "after",
    "realised_timing",
    "realised_direction",
    "as_planned",
    "peer_replies",
    "statements",
)

_KEY = ["course_id", "run_id", "activity_id"]
#: The counts per (course, run, activity) the summary is made of.
COUNT_COLUMNS = (*PHASES, *DIRECTIONS_BY_SOCIALITY, "peer_replies", "statements")


def _winner(counts: pd.DataFrame, planned: pd.Series, order: tuple[str, ...]) -> pd.Series:
    """Per row, the column of ``counts`` (columns in ``order``) with the highest count: the
    planned one when it ties for the highest, else the first in ``order``; None when all
    counts are 0."""
    values = counts.reindex(columns=list(order), fill_value=0).to_numpy()
    top = values.max(axis=1, initial=0)
    is_top = values == top[:, None]
    first = np.array(order, dtype=object)[is_top.argmax(axis=1)] if len(values) else []
    choice = pd.Series(first, index=counts.index, dtype=object)
    for i, name in enumerate(order):
        planned_top = planned.eq(name).to_numpy() & is_top[:, i]
        choice[planned_top] = name
    choice[top == 0] = None
    return choice


def _count(keys: np.ndarray, base: np.ndarray) -> np.ndarray:
    """How many times each of ``base`` occurs among ``keys``."""
    counts = pd.Series(keys).value_counts()
    return counts.reindex(base).fillna(0).to_numpy(np.int64)


def _planned(activities: pd.DataFrame, runs: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One row per (course, run, activity) of the courses with runs: the plan, the learners
    enrolled, and the positions ``activity_row`` and ``run_row`` in the tables given."""
    activities = activities.reset_index(drop=True)  # index = position: activity_row
    activities = activities[isin(activities["course_id"], runs["course_id"]).to_numpy()]
    timing = activities["timing"]
    outside = (timing.notna() & timing.ne("during")).fillna(False).astype(bool)
    ids = activities["xapi_ids"] if "xapi_ids" in activities else pd.Series((), dtype=object)
    tracked = ids.reindex(activities.index).str.len().fillna(0).gt(0)
    acts = activities[["course_id", "activity_id", "seq", "title", "timing", "direction", "tool"]]
    acts = acts.assign(
        expected=uses_tool(activities).to_numpy() | outside.to_numpy(), tracked=tracked
    )
    acts = acts.rename(columns={"timing": "planned_timing", "direction": "planned_direction"})
    positions = runs[["course_id", "run_id"]].reset_index(drop=True)
    positions["run_row"] = np.arange(len(positions))
    summary = acts.assign(activity_row=acts.index).merge(positions, on="course_id")
    learners = people[people["role"] == "learner"].drop_duplicates(
        ["course_id", "run_id", "person"]
    )
    n_learners = learners.groupby(["course_id", "run_id"]).size().rename("learners")
    summary = summary.join(n_learners, on=["course_id", "run_id"])
    return summary


def _finish(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary from the plan's rows and the counts (:data:`COUNT_COLUMNS`; missing
    counts are 0): participants, the realised timing and direction, as planned."""
    counts = [*PHASES, *DIRECTIONS_BY_SOCIALITY, "learners", "peer_replies", "statements"]
    summary[counts] = summary[counts].fillna(0).astype("int64")
    summary["participants"] = summary[list(PHASES)].sum(axis=1)
    summary["realised_timing"] = _winner(summary[list(PHASES)], summary["planned_timing"], PHASES)
    summary["realised_direction"] = _winner(
        summary[list(DIRECTIONS_BY_SOCIALITY)],
        summary["planned_direction"],
        DIRECTIONS_BY_SOCIALITY,
    )
    decided = summary["planned_timing"].notna() & summary["planned_direction"].notna()
    judged = decided & summary["expected"] & summary["tracked"]
    same = summary["realised_timing"].eq(summary["planned_timing"]) & summary[
        "realised_direction"
    ].eq(summary["planned_direction"])
    summary["as_planned"] = same.astype("boolean").where(judged, pd.NA)
    summary = summary.sort_values(["course_id", "run_id", "seq"], kind="stable")
    return summary[list(SUMMARY_COLUMNS)].reset_index(drop=True)


def summarise_counts(
    activities: pd.DataFrame,
    runs: pd.DataFrame,
    people: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    learners_seen: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`summarise_delivery` from counts made elsewhere (on a cluster, say).

    Parameters
    ----------
    activities, runs, people : pandas.DataFrame
        The canonical tables (``activities`` with ``xapi_ids``).
    counts : pandas.DataFrame
        One row per (``course_id``, ``run_id``, ``activity_id``) with statements, and the
        counts :data:`COUNT_COLUMNS`: participants by the phase of their first statement,
        statements by interaction, learners' peer replies and all statements; a
        (course, run, activity) not in the plan is left out, one missing counts 0.
    learners_seen : pandas.DataFrame, optional
        The distinct ``course_id``, ``run_id`` and ``person`` (the actor's key) of the
        learners' statements counted. A learner placed in a run by its registration who
        has no ``people`` row there is one of the run's learners too, as
        :func:`summarise_delivery` counts them (see :func:`seen_learners`); without
        this frame only the enrolled learners are counted.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, ordered by course, run and ``seq``; the same
        frame :func:`summarise_delivery` gives for the statements counted.
    """
    summary = _planned(activities, runs, people)
    counts = counts[[*_KEY, *COUNT_COLUMNS]]
    counts = counts.astype({k: summary[k].dtype for k in _KEY})
    summary = summary.merge(counts, on=_KEY, how="left", validate="one_to_one")
    if learners_seen is not None:
        extra = _unenrolled(learners_seen, people, summary)
        summary["learners"] = summary["learners"].fillna(0) + extra
    return _finish(summary)


def summarise_delivery(
    activities: pd.DataFrame,
    runs: pd.DataFrame,
    people: pd.DataFrame,
    placed: Placed,
) -> pd.DataFrame:
    """One row per (course, run, activity): what was planned and what happened.

    See the module's docstring for each column.

    Parameters
    ----------
    activities, runs, people : pandas.DataFrame
        The canonical tables (``activities`` with ``xapi_ids``).
    placed : Placed
        :func:`socialkit.delivery.placing.place_frames` of the statements.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, ordered by course, run and ``seq``.
    """
    summary = _planned(activities, runs, people)
    # counted on one number per (activity, run): fast on millions of statements
    n_runs = max(len(runs), 1)
    base = summary["activity_row"].to_numpy(np.int64) * n_runs + summary["run_row"].to_numpy()
    st = placed.frame
    key = st["activity_row"].to_numpy(np.int64) * n_runs + st["run_row"].to_numpy(np.int64)
    learner = st["role"].eq("learner").to_numpy(dtype=bool, na_value=False)
    interaction = pd.Categorical(st["interaction"], categories=DIRECTIONS_BY_SOCIALITY).codes
    phases = pd.Categorical(st["phase"], categories=PHASES).codes
    l_key, l_phase = key[learner], phases[learner]
    l_actor, _ = pd.factorize(st["actor"][learner])
    l_time = st["time"].to_numpy("datetime64[ns]").view(np.int64)[learner]
    order = np.argsort(l_time, kind="stable")
    firsts = order[~pd.DataFrame({"k": l_key[order], "a": l_actor[order]}).duplicated().to_numpy()]
    for code, phase in enumerate(PHASES):
        summary[phase] = _count(l_key[firsts[l_phase[firsts] == code]], base)
    for code, direction in enumerate(DIRECTIONS_BY_SOCIALITY):
        summary[direction] = _count(key[interaction == code], base)
    summary["peer_replies"] = _count(key[learner & (interaction == 0)], base)  # many-to-many
    summary["statements"] = _count(key, base)
    seen = seen_learners(st)
    summary["learners"] = summary["learners"].fillna(0) + _unenrolled(seen, people, summary)
    return _finish(summary)


def seen_learners(placed: pd.DataFrame) -> pd.DataFrame:
    """The distinct ``course_id``, ``run_id`` and ``person`` (the actor) of the learners'
    statements among ``placed`` (the frame of :class:`~socialkit.delivery.placing.Placed`,
    or a part of it), as text."""
    learner = placed["role"].eq("learner").to_numpy(dtype=bool, na_value=False)
    return pd.DataFrame(
        {k: placed[k].astype("str").to_numpy()[learner] for k in ("course_id", "run_id")}
        | {"person": placed["actor"].astype("str").to_numpy()[learner]}
    ).drop_duplicates(ignore_index=True)


def _unenrolled(seen: pd.DataFrame, people: pd.DataFrame, summary: pd.DataFrame) -> np.ndarray:
    """Per row of ``summary``: the learners ``seen`` in its run (placed by its
    registration) who have no learner row in ``people`` for that run."""
    keys = ["course_id", "run_id"]
    seen = seen[[*keys, "person"]].astype("str").drop_duplicates()
    if seen.empty:
        return np.zeros(len(summary), np.int64)
    enrolled = people.loc[people["role"].eq("learner"), [*keys, "person"]].astype("str")
    found = seen.merge(enrolled.drop_duplicates(), how="left", indicator=True)
    extra = found[found["_merge"].eq("left_only")].groupby(keys).size()
    at = pd.MultiIndex.from_frame(summary[keys].astype("str"))
    return extra.reindex(at).fillna(0).to_numpy(np.int64)


def delivery_summary(portfolio: Any, statements: Any) -> pd.DataFrame:
    """:func:`summarise_delivery` of a portfolio and the statements read: places them with
    :func:`socialkit.delivery.placing.place_statements` first."""
    placed = place_statements(portfolio, statements)
    return summarise_delivery(portfolio.activities, portfolio.runs, portfolio.people, placed)


#: Columns of :func:`delivery_courses`.
COURSE_COLUMNS = (
    "course_id",
    "run_id",
    "learners",
    "activities",
    "expected",
    "tracked",
    "done",
    "prework_pairs",
    "prework_done",
    "as_planned",
    "tools_used",
)


def delivery_courses(summary: pd.DataFrame) -> pd.DataFrame:
    """Per course and run, how the delivery went as a whole.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_delivery`'s table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COURSE_COLUMNS`: ``learners`` of the run; ``activities`` of the
        course; ``expected`` and ``tracked`` (expected and listing ``xapi_ids``)
        activities; ``done``: tracked expected activities with a participant;
        ``prework_pairs``: (learner, activity) pairs over the tracked expected activities
        planned ``before``; ``prework_done``: the share of them where the learner first
        engaged before ``starts`` (NaN without any pair); ``as_planned``: the share of the
        tracked expected activities with a decided timing and direction realised as
        planned (NaN without any); ``tools_used``: the tools (as named in ``activities``)
        of activities with at least one statement, sorted.
    """
    s = summary
    tracked = s["expected"] & s["tracked"]
    pre = tracked & s["planned_timing"].eq("before")
    frame = pd.DataFrame(
        {
            "course_id": s["course_id"],
            "run_id": s["run_id"],
            "learners": s["learners"],
            "expected": s["expected"].astype("int64"),
            "tracked": tracked.astype("int64"),
            "done": (tracked & s["participants"].gt(0)).astype("int64"),
            "prework_pairs": s["learners"].where(pre, 0),
            "_pre_before": s["before"].where(pre, 0),
            "_judged": s["as_planned"].notna().astype("int64"),
            "_as_planned": s["as_planned"].fillna(False).astype("int64"),
        }
    )
    keys = ["course_id", "run_id"]
    g = frame.groupby(keys, sort=False)
    out = g.agg(
        learners=("learners", "first"),
        activities=("learners", "size"),
        expected=("expected", "sum"),
        tracked=("tracked", "sum"),
        done=("done", "sum"),
        prework_pairs=("prework_pairs", "sum"),
        _pre_before=("_pre_before", "sum"),
        _judged=("_judged", "sum"),
        _as_planned=("_as_planned", "sum"),
    ).reset_index()
    used = s.loc[s["statements"].gt(0) & uses_tool(s), [*keys, "tool"]].drop_duplicates()
    used = used.sort_values("tool", kind="stable")
    tools = used.groupby(keys, sort=False)["tool"].agg(tuple).rename("tools_used")
    out = out.join(tools, on=keys)
    out["tools_used"] = [t if isinstance(t, tuple) else () for t in out["tools_used"]]
    out["prework_done"] = out["_pre_before"] / out["prework_pairs"].where(out["prework_pairs"] > 0)
    out["as_planned"] = out["_as_planned"] / out["_judged"].where(out["_judged"] > 0)
    return out[list(COURSE_COLUMNS)]


def delivery_matrix(summary: pd.DataFrame) -> pd.DataFrame:
    """Planned versus realised timing × direction, per course and run, tidy.

    Counted over the tracked expected activities (those the statements can speak about):
    ``planned`` those planned at that timing and direction, ``realised`` those realised
    so. Every (course, run) gets all nine cells, zeros included.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`summarise_delivery`'s table.

    Returns
    -------
    pandas.DataFrame
        Columns ``course_id``, ``run_id``, ``timing``, ``direction``, ``planned``,
        ``realised``.
    """
    s = summary[summary["expected"] & summary["tracked"]]
    keys = ["course_id", "run_id"]
    runs = summary[keys].drop_duplicates()
    cells = pd.MultiIndex.from_product(
        [PHASES, DIRECTIONS_BY_SOCIALITY[::-1]], names=["timing", "direction"]
    )
    grid = runs.merge(cells.to_frame(index=False), how="cross")
    full = ["course_id", "run_id", "timing", "direction"]
    planned = s.groupby([*keys, "planned_timing", "planned_direction"]).size()
    realised = s.groupby([*keys, "realised_timing", "realised_direction"]).size()
    planned.index.names = realised.index.names = full
    grid = grid.join(planned.rename("planned"), on=full).join(realised.rename("realised"), on=full)
    grid[["planned", "realised"]] = grid[["planned", "realised"]].fillna(0).astype("int64")
    return grid.reset_index(drop=True)
