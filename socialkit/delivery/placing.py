"""Placing statements: on which course, run and designed activity each xAPI statement counts.

The rules, one statement at a time:

* **Activity.** A statement belongs to an activity of a course when its object id, or any
  of its ``contextActivities`` parent and grouping ids (the reader's long ``activity_ids``
  table), is among the activity's ``xapi_ids``. An IRI listed by activities of two courses
  places the statement in each course: it may count in several courses.
* **Run.** Within a course, through the statement's ``registration`` when a run of that
  course carries it; otherwise through the actor's row in ``people`` for a run of that
  course. An actor in several runs of the course is placed in the run whose formal moment
  is nearest the statement's time (distance 0 inside ``starts``-``ends``; on a tie the
  run listed first).
* **Skipped.** A statement matching no activity's ids at all is skipped as
  ``"no-activity"``; one matching activities but no run in any of their courses as
  ``"no-run"``.
* **Phase.** ``before`` when its time is earlier than the run's ``starts``, ``after``
  when later than its ``ends``, ``during`` otherwise (both boundaries are ``during``).
  The times are compared in UTC, so offsets do not matter.
* **Role.** The actor's ``role`` in ``people`` of the run; an actor without a row there
  (possible only when the run was matched by registration) counts as a learner.
* **Interaction** (the social direction of the statement):

  - a trainer's statement (posts, replies, shared content): ``one-to-many``;
  - a learner's statement whose verb is a consuming one (:data:`CONSUMING_VERBS`, matched
    on the last segment of the verb IRI, case-insensitive): ``one-to-many``;
  - a learner replying (``ref``) to a statement of a trainer of the run: ``many-to-one``;
  - a learner replying to another learner's statement (anyone not a trainer of the run):
    ``many-to-many``;
  - any other learner statement (answered, commented, posted, shared, submitted, ...; not
    a reply, or a reply to their own or to a statement not among those read):
    ``many-to-one``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CONSUMING_VERBS",
    "PLACED_COLUMNS",
    "Placed",
    "place_frames",
    "place_statements",
    "verb_word",
]

#: Last segments of the verb IRIs of a learner taking in what is provided: such a
#: statement counts ``one-to-many``. ``completed`` is the completion of content.
CONSUMING_VERBS = frozenset(
    {
        "experienced",
        "viewed",
        "played",
        "watched",
        "read",
        "accessed",
        "attended",
        "launched",
        "initialized",
        "completed",
        "opened",
        "downloaded",
        "listened",
        "visited",
        "browsed",
        "paused",
        "seeked",
        "progressed",
        "resumed",
        "suspended",
        "terminated",
        "exited",
    }
)

#: Columns of :attr:`Placed.frame`.
PLACED_COLUMNS = (
    "course_id",
    "run_id",
    "activity_id",
    "stmt",
    "id",
    "actor",
    "verb",
    "time",
    "phase",
    "role",
    "interaction",
)


@dataclass(frozen=True)
class Placed:
    """Statements placed on designed activities.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (course, run, activity, statement): :data:`PLACED_COLUMNS`, in the
        order of ``stmt``: the statement's position in the reader's frame.
    used : int
        Distinct statements placed at least once.
    skipped : dict of str to int
        ``"no-activity"`` and ``"no-run"``: statements not placed, by reason.
    """

    frame: pd.DataFrame
    used: int
    skipped: dict[str, int] = field(default_factory=dict)


def verb_word(verbs: pd.Series) -> pd.Series:
    """The last segment of each verb IRI, lower-cased (after the last ``/`` or ``#``)."""
    unique = pd.Series(verbs.dropna().unique(), dtype="object")
    words = unique.astype(str).str.rstrip("/#").str.split(r"[/#]", regex=True).str[-1].str.lower()
    return verbs.map(dict(zip(unique, words, strict=True)))


def _activity_iris(activities: pd.DataFrame) -> pd.DataFrame:
    """(course_id, activity_id, activity) for every IRI of every activity's ``xapi_ids``."""
    cols = ["course_id", "activity_id", "xapi_ids"]
    if "xapi_ids" not in activities or activities.empty:
        return pd.DataFrame({"course_id": [], "activity_id": [], "activity": []}, dtype=object)
    long = activities[cols].explode("xapi_ids").dropna(subset=["xapi_ids"])
    long = long.rename(columns={"xapi_ids": "activity"})
    long = long[long["activity"].astype(str).str.len() > 0]
    return long.drop_duplicates().reset_index(drop=True)


def _registration_runs(pairs: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """(stmt, course_id) -> run_id through the statement's registration."""
    with_reg = runs.loc[runs["registration"].notna(), ["course_id", "run_id", "registration"]]
    with_reg = with_reg.drop_duplicates(["course_id", "registration"])
    hit = pairs.dropna(subset=["registration"]).merge(with_reg, on=["course_id", "registration"])
    return hit[["stmt", "course_id", "run_id"]]


def _actor_runs(pairs: pd.DataFrame, runs: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """(stmt, course_id) -> run_id through the actor's rows in ``people``: the run whose
    formal moment is nearest the statement's time."""
    who = people[["course_id", "run_id", "person"]].drop_duplicates()
    cand = pairs[["stmt", "course_id", "actor", "time"]].merge(
        who, left_on=["course_id", "actor"], right_on=["course_id", "person"]
    )
    if cand.empty:
        return cand.reindex(columns=["stmt", "course_id", "run_id"])
    order = runs[["course_id", "run_id", "starts", "ends"]].reset_index(drop=True)
    order["_order"] = np.arange(len(order))
    cand = cand.merge(order, on=["course_id", "run_id"])
    early = (cand["starts"] - cand["time"]).clip(lower=pd.Timedelta(0))
    late = (cand["time"] - cand["ends"]).clip(lower=pd.Timedelta(0))
    cand["_distance"] = early + late
    cand = cand.sort_values(["_distance", "_order"], kind="stable")  # numbers: fast
    return cand.drop_duplicates(["stmt", "course_id"])[["stmt", "course_id", "run_id"]]


def _interactions(placed: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """The social direction of each placed statement (see the module's rules)."""
    trainers = people.loc[people["role"] == "trainer", ["course_id", "run_id", "person"]]
    trainers = trainers.drop_duplicates().assign(_ref_trainer=True)
    ref = placed[["course_id", "run_id", "ref_actor"]].merge(
        trainers,
        left_on=["course_id", "run_id", "ref_actor"],
        right_on=["course_id", "run_id", "person"],
        how="left",
    )
    ref_trainer = ref["_ref_trainer"].eq(True).to_numpy()
    ref_other = (placed["ref_actor"].notna() & placed["ref_actor"].ne(placed["actor"])).to_numpy()
    trainer = placed["role"].eq("trainer").to_numpy()
    consuming = verb_word(placed["verb"]).isin(CONSUMING_VERBS).to_numpy()
    direction = np.select(
        [trainer | consuming, ref_other & ref_trainer, ref_other],
        ["one-to-many", "many-to-one", "many-to-many"],
        default="many-to-one",
    )
    return pd.Series(direction, index=placed.index, dtype=object)


def _empty_placed() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PLACED_COLUMNS})


def place_frames(
    activities: pd.DataFrame,
    runs: pd.DataFrame,
    people: pd.DataFrame,
    frame: pd.DataFrame,
    activity_ids: pd.DataFrame,
) -> Placed:
    """Place statements on (course, run, activity), with phase, role and interaction.

    See the module's docstring for the rules.

    Parameters
    ----------
    activities : pandas.DataFrame
        Canonical ``activities`` with ``course_id``, ``activity_id`` and ``xapi_ids``
        (a tuple of IRIs per row).
    runs : pandas.DataFrame
        Canonical ``runs``: ``course_id``, ``run_id``, ``starts``, ``ends`` (UTC),
        ``registration`` (lower-case or None).
    people : pandas.DataFrame
        Canonical ``people``: ``course_id``, ``run_id``, ``person``, ``role``.
    frame : pandas.DataFrame
        The statements as read: ``id``, ``actor``, ``verb``, ``ref``, ``ref_actor``
        (optional), ``registration``, ``time`` (UTC), one row per statement.
    activity_ids : pandas.DataFrame
        Long table ``stmt`` (position in ``frame``), ``activity`` (IRI).

    Returns
    -------
    Placed
    """
    n = len(frame)
    iris = _activity_iris(activities)
    hits = activity_ids[["stmt", "activity"]].merge(iris, on="activity")
    hits = hits[["stmt", "course_id", "activity_id"]].drop_duplicates()
    matched = np.zeros(n, dtype=bool)
    matched[hits["stmt"].unique()] = True
    if hits.empty:  # nothing designed was done (or no statements)
        return Placed(_empty_placed(), 0, {"no-activity": n, "no-run": 0})
    stmts = frame.reset_index(drop=True)
    if "ref_actor" not in stmts:
        stmts = stmts.assign(ref_actor=None)
    pairs = hits[["stmt", "course_id"]].drop_duplicates()
    pairs = pairs.join(stmts[["actor", "registration", "time"]], on="stmt")
    by_reg = _registration_runs(pairs, runs)
    rest = pairs.merge(by_reg[["stmt", "course_id"]], how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"].drop(columns="_merge")
    by_actor = _actor_runs(rest, runs, people)
    on_run = pd.concat([by_reg, by_actor])
    placed = hits.merge(on_run, on=["stmt", "course_id"])
    used = placed["stmt"].nunique()
    skipped = {"no-activity": int(n - matched.sum()), "no-run": int(matched.sum() - used)}
    if placed.empty:
        return Placed(_empty_placed(), 0, skipped)
    placed = placed.join(stmts[["id", "actor", "verb", "time", "ref_actor"]], on="stmt")
    placed = placed.merge(
        runs[["course_id", "run_id", "starts", "ends"]], on=["course_id", "run_id"]
    )
    placed["phase"] = np.select(
        [placed["time"] < placed["starts"], placed["time"] > placed["ends"]],
        ["before", "after"],
        default="during",
    )
    roles = people[["course_id", "run_id", "person", "role"]].drop_duplicates(
        ["course_id", "run_id", "person"]
    )
    placed = placed.merge(
        roles,
        left_on=["course_id", "run_id", "actor"],
        right_on=["course_id", "run_id", "person"],
        how="left",
    )
    placed["role"] = placed["role"].fillna("learner")
    placed["interaction"] = _interactions(placed, people)
    placed = placed.sort_values("stmt", kind="stable")
    return Placed(placed[list(PLACED_COLUMNS)].reset_index(drop=True), int(used), skipped)


def place_statements(portfolio: Any, statements: Any) -> Placed:
    """:func:`place_frames` on a portfolio's ``activities``, ``runs`` and ``people`` and
    the ``frame`` and ``activity_ids`` of the statements read."""
    return place_frames(
        portfolio.activities,
        portfolio.runs,
        portfolio.people,
        statements.frame,
        statements.activity_ids,
    )
