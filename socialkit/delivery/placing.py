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
    "DIRECTIONS",
    "PHASES",
    "PLACED_COLUMNS",
    "ROLES",
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

#: The phases, the roles and the directions, as the categories of the placed frame.
PHASES = ("before", "during", "after")
ROLES = ("learner", "trainer")
DIRECTIONS = ("one-to-many", "many-to-one", "many-to-many")

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
    "run_row",
    "activity_row",
)


@dataclass(frozen=True)
class Placed:
    """Statements placed on designed activities.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (course, run, activity, statement): :data:`PLACED_COLUMNS`, in the
        order of ``stmt``: the statement's position in the reader's frame; ``run_row``
        and ``activity_row`` are the positions of its run and activity in ``runs`` and
        ``activities`` as given.
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


def _codes(*columns: pd.Series) -> list[np.ndarray]:
    """Integer codes of the values of several columns, shared (-1 for a missing value):
    joins on them are joins on numbers. Each column is factorised on its own (fast on
    Arrow strings and categories), then its few distinct values mapped to shared codes."""
    factorised = [pd.factorize(c) for c in columns]
    uniques = [pd.Index(np.asarray(u, dtype=object)) for _, u in factorised]
    shared = pd.Index(np.concatenate([u.to_numpy() for u in uniques])).unique()
    out = []
    for (codes, _), u in zip(factorised, uniques, strict=True):
        mapping = np.append(shared.get_indexer(u), -1)  # code -1 (missing) stays -1
        out.append(mapping[codes].astype(np.int64))
    return out


def _size(*codes: np.ndarray) -> int:
    """How many distinct codes ``codes`` may hold: the factor that keeps keys combined
    from them (``a * size + b``) apart."""
    return int(max((c.max(initial=-1) for c in codes), default=-1)) + 1


def _first_of(keys: np.ndarray, values: np.ndarray) -> pd.Series:
    """``values`` indexed by ``keys``, the first value of a repeated key only."""
    series = pd.Series(values, index=keys)
    return series[~series.index.duplicated()]


def _lookup(table: pd.Series, keys: np.ndarray) -> np.ndarray:
    """``table``'s value for each key, -1 for a key it lacks (``table`` of ints)."""
    at = table.index.get_indexer(keys)
    values = np.append(table.to_numpy(), -1)  # at -1: the appended -1
    return values[at]


def _consuming(verbs: pd.Series) -> np.ndarray:
    """Whether each verb is a consuming one (:data:`CONSUMING_VERBS`)."""
    codes, uniques = pd.factorize(verbs)
    words = verb_word(pd.Series(uniques, dtype=object))
    by_code = np.append(words.isin(CONSUMING_VERBS).to_numpy(), False)  # code -1: False
    return by_code[codes]


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
    acts, runs, people = (t.reset_index(drop=True) for t in (activities, runs, people))
    stmts = frame.reset_index(drop=True)
    ref_actor = stmts["ref_actor"] if "ref_actor" in stmts else pd.Series([None] * n, dtype=object)
    ids = acts["xapi_ids"] if "xapi_ids" in acts else pd.Series([()] * len(acts), dtype=object)
    long = ids.explode().dropna()
    long = long[long.astype(str).str.len() > 0]
    iri_of_act, iri_of_stmt = _codes(long, activity_ids["activity"])
    hits = pd.DataFrame({"act": long.index.to_numpy(np.int64), "iri": iri_of_act}).merge(
        pd.DataFrame({"stmt": activity_ids["stmt"].to_numpy(np.int64), "iri": iri_of_stmt}),
        on="iri",
    )
    stmt = hits["stmt"].to_numpy()
    act = hits["act"].to_numpy()
    keep = ~pd.Series(stmt * max(len(acts), 1) + act).duplicated().to_numpy()
    stmt, act = stmt[keep], act[keep]
    matched = int(np.bincount(stmt, minlength=n).astype(bool).sum())
    if not len(stmt):  # nothing designed was done (or no statements)
        return Placed(_empty_placed(), 0, {"no-activity": n, "no-run": 0})
    # every statement-course pair: to a run by registration, else by the actor's rows
    course_act, course_run, course_person = _codes(
        acts["course_id"], runs["course_id"], people["course_id"]
    )
    n_courses = _size(course_act, course_run, course_person)
    course = course_act[act]
    pair = stmt * n_courses + course
    reg_run, reg_stmt = _codes(runs["registration"], stmts["registration"])
    n_reg = _size(reg_run, reg_stmt)
    has_reg = reg_run >= 0
    by_reg = _first_of(course_run[has_reg] * n_reg + reg_run[has_reg], np.flatnonzero(has_reg))
    pair_code, _ = pd.factorize(pair)
    first = np.flatnonzero(~pd.Series(pair).duplicated().to_numpy())
    p_stmt, p_course = stmt[first], course[first]
    p_reg = reg_stmt[p_stmt]
    run_of_pair = np.where(p_reg >= 0, _lookup(by_reg, p_course * n_reg + p_reg), -1)
    person, actor, ref = _codes(people["person"], stmts["actor"], ref_actor)
    n_people = _size(person, actor, ref)
    rest = np.flatnonzero((run_of_pair < 0) & (actor[p_stmt] >= 0))
    run_person = _run_of_person(runs, people).to_numpy()
    known = ~np.isnan(run_person)
    rows = np.flatnonzero(known)
    who = pd.DataFrame(
        {
            "key": course_person[rows] * n_people + person[rows],
            "run": run_person[rows].astype(np.int64),
        }
    ).drop_duplicates()
    cand = pd.DataFrame({"pair": rest, "key": p_course[rest] * n_people + actor[p_stmt[rest]]})
    cand = cand.merge(who, on="key")
    if len(cand):
        t = stmts["time"].to_numpy("datetime64[ns]").view(np.int64)[p_stmt[cand["pair"].to_numpy()]]
        starts = runs["starts"].to_numpy("datetime64[ns]").view(np.int64)[cand["run"].to_numpy()]
        ends = runs["ends"].to_numpy("datetime64[ns]").view(np.int64)[cand["run"].to_numpy()]
        distance = np.clip(starts - t, 0, None) + np.clip(t - ends, 0, None)
        order = np.lexsort((cand["run"].to_numpy(), distance))
        nearest = cand.iloc[order].drop_duplicates("pair")
        run_of_pair[nearest["pair"].to_numpy()] = nearest["run"].to_numpy()
    run = run_of_pair[pair_code]
    on_run = run >= 0
    stmt, act, run = stmt[on_run], act[on_run], run[on_run]
    order = np.lexsort((act, stmt))
    stmt, act, run = stmt[order], act[order], run[order]
    used = int(np.bincount(stmt, minlength=n).astype(bool).sum())
    skipped = {"no-activity": n - matched, "no-run": matched - used}
    if not len(stmt):
        return Placed(_empty_placed(), 0, skipped)
    time = stmts["time"].to_numpy("datetime64[ns]").view(np.int64)[stmt]
    starts = runs["starts"].to_numpy("datetime64[ns]").view(np.int64)[run]
    ends = runs["ends"].to_numpy("datetime64[ns]").view(np.int64)[run]
    phase = np.select([time < starts, time > ends], [0, 2], default=1)
    role_key = run_person[known].astype(np.int64) * n_people + person[known]
    roles = _first_of(role_key, np.flatnonzero(known))
    at = np.where(actor[stmt] >= 0, _lookup(roles, run * n_people + actor[stmt]), -1)
    is_trainer = people["role"].eq("trainer").to_numpy(dtype=bool, na_value=False)
    trainer = np.where(at >= 0, is_trainer[np.maximum(at, 0)], False)
    trainer_keys = role_key[is_trainer[known]]
    ref_s = ref[stmt]
    ref_trainer = (ref_s >= 0) & np.isin(run * n_people + ref_s, trainer_keys)
    ref_other = (ref_s >= 0) & (ref_s != actor[stmt])
    direction = np.select(  # codes of DIRECTIONS
        [trainer | _consuming(stmts["verb"])[stmt], ref_other & ref_trainer, ref_other],
        [0, 1, 2],
        default=1,
    )
    placed = pd.DataFrame(
        {
            "course_id": runs["course_id"].take(run).reset_index(drop=True),
            "run_id": runs["run_id"].take(run).reset_index(drop=True),
            "activity_id": acts["activity_id"].take(act).reset_index(drop=True),
            "stmt": stmt,
            "id": stmts["id"].take(stmt).reset_index(drop=True),
            "actor": stmts["actor"].take(stmt).reset_index(drop=True),
            "verb": stmts["verb"].take(stmt).reset_index(drop=True),
            "time": stmts["time"].take(stmt).reset_index(drop=True),
            "phase": pd.Categorical.from_codes(phase, categories=PHASES),
            "role": pd.Categorical.from_codes(trainer.astype(np.int8), categories=ROLES),
            "interaction": pd.Categorical.from_codes(direction, categories=DIRECTIONS),
            "run_row": run,
            "activity_row": act,
        }
    )
    return Placed(placed, used, skipped)


def _run_of_person(runs: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """The position in ``runs`` of each row of ``people`` (NaN when its run is not there)."""
    key = pd.MultiIndex.from_frame(runs[["course_id", "run_id"]].astype(object))
    at = key.get_indexer(pd.MultiIndex.from_frame(people[["course_id", "run_id"]].astype(object)))
    return pd.Series(np.where(at >= 0, at, np.nan), index=people.index)


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
