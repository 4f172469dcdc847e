"""Warnings about delivery: where what learners did departs from the plan.

Only *expected* activities are judged (they use a tool, or take place outside the class;
see :mod:`socialkit.delivery.realised`): in-class activities without a tool get no
delivery warning. The codes, in the order they are listed for an activity:

``untracked``
    Expected activities without ``xapi_ids``: nothing can say whether they happened. One
    warning per course and run, listing them (``activity_id`` None).
``not-done``
    An expected, tracked activity without any participant. It then gets no other warning.
``prework-skipped``
    Planned ``before``: the learners who first engaged before ``starts``, out of the run's
    learners, are fewer than ``prework_threshold`` (a share; not judged without learners).
``no-peer-exchange``
    Planned ``many-to-many`` with participants, but no learner answered another learner.
``other-phase``
    More than half of the participants first engaged in phases other than the planned
    timing (which must be decided).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["WARNING_CODES", "WARNING_COLUMNS", "delivery_warnings"]

#: The columns of :func:`delivery_warnings`.
WARNING_COLUMNS = ("code", "course_id", "run_id", "activity_id", "message")
#: The codes, in the order they are listed for one activity.
WARNING_CODES = ("untracked", "not-done", "prework-skipped", "no-peer-exchange", "other-phase")

_ORDER = {code: i for i, code in enumerate(WARNING_CODES)}


def _where(row: pd.Series) -> str:
    return f"course {row.course_id!r}, run {row.run_id!r}: activity {row.title!r}"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole:.0%})"


def _untracked(summary: pd.DataFrame) -> list[dict[str, object]]:
    rows = summary[summary["expected"] & ~summary["tracked"]]
    found = []
    for (course, run), group in rows.groupby(["course_id", "run_id"], sort=False):
        titles = ", ".join(repr(t) for t in group["title"])
        found.append(
            {
                "code": "untracked",
                "course_id": course,
                "run_id": run,
                "activity_id": None,
                "seq": 0,
                "message": f"course {course!r}, run {run!r}: no xapi_ids for {len(group)} "
                f"activit{'y' if len(group) == 1 else 'ies'} expected to leave statements, "
                f"so whether they happened cannot be told: {titles}",
            }
        )
    return found


def delivery_warnings(summary: pd.DataFrame, *, prework_threshold: float = 0.5) -> pd.DataFrame:
    """The delivery warnings of a summary (see the module's docstring for the rules).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`socialkit.delivery.realised.summarise_delivery`'s table.
    prework_threshold : float, default 0.5
        The smallest share of a run's learners who should first engage with a planned
        pre-work activity before the formal moment starts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WARNING_COLUMNS`, by course, run, activity ``seq`` and code.
    """
    found = _untracked(summary)
    judged = summary[summary["expected"] & summary["tracked"]]
    # few rows: the warnings themselves, looped over to word them
    for row in judged.itertuples(index=False):
        where, n = _where(row), int(row.participants)
        common = {"course_id": row.course_id, "run_id": row.run_id}
        common |= {"activity_id": row.activity_id, "seq": row.seq}
        if n == 0:
            found.append(
                common
                | {
                    "code": "not-done",
                    "message": f"{where}: nobody did it (0 of {row.learners} learners "
                    "left a statement on it)",
                }
            )
            continue
        planned = row.planned_timing if isinstance(row.planned_timing, str) else None
        if (
            planned == "before"
            and row.learners > 0
            and row.before < prework_threshold * row.learners
        ):
            found.append(
                common
                | {
                    "code": "prework-skipped",
                    "message": f"{where}: pre-work done before the class by "
                    f"{_share(int(row.before), int(row.learners))} learners, below "
                    f"{prework_threshold:.0%}",
                }
            )
        if str(row.planned_direction) == "many-to-many" and row.peer_replies == 0:
            found.append(
                common
                | {
                    "code": "no-peer-exchange",
                    "message": f"{where}: planned many-to-many, but none of its {n} "
                    "participants answered another learner",
                }
            )
        if planned is not None:
            elsewhere = n - int(getattr(row, planned))
            if elsewhere * 2 > n:
                found.append(
                    common
                    | {
                        "code": "other-phase",
                        "message": f"{where}: planned {planned}, but {_share(elsewhere, n)} "
                        f"participants first engaged in another phase (before {row.before}, "
                        f"during {row.during}, after {row.after})",
                    }
                )
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in WARNING_COLUMNS})
    frame = pd.DataFrame(found)
    frame["_code"] = frame["code"].map(_ORDER)
    frame = frame.sort_values(["course_id", "run_id", "seq", "_code"], kind="stable")
    frame = frame[list(WARNING_COLUMNS)].reset_index(drop=True)
    ids = frame["activity_id"]
    frame["activity_id"] = pd.Series(ids.astype(object).where(ids.notna(), None), dtype=object)
    return frame
