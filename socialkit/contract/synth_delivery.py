"""Synthetic delivery tables for a synthetic portfolio: runs, people and ``xapi_ids``.

The tables are raw strings as CSV files hold them, like those of
:func:`socialkit.contract.synth.make_portfolio_tables`, and valid per the data contract:
each course gets its runs (a one-day formal moment in ``Europe/Brussels``, most with an
xAPI registration, one in ten without, so that statements are placed through their actor),
a trainer and its learners (one in five with an LMS account instead of an address), and
every activity that uses a tool gets one activity IRI. Vectorised with numpy and pandas.
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

__all__ = ["LMS", "activity_iri", "add_delivery_tables"]

#: The home page of the LMS the synthetic people and activities belong to.
LMS = "https://lms.example.org"
_FIRST = np.asarray(["ann", "bram", "chloe", "dries", "eva", "farid", "greet", "hugo", "ines"])
_FAMILY = np.asarray(["peeters", "janssens", "maes", "jacobs", "mertens", "willems", "claes"])


def activity_iri(course_id: pd.Series, activity_id: pd.Series) -> pd.Series:
    """The activity IRI of each (course, activity): ``LMS/xapi/activities/COURSE/ACTIVITY``."""
    return LMS + "/xapi/activities/" + course_id.astype(str) + "/" + activity_id.astype(str)


def _strings(values: np.ndarray | pd.Series) -> pd.arrays.StringArray:
    return pd.array(np.asarray(values, dtype=object), dtype=pd.StringDtype("python"))


def add_delivery_tables(
    tables: dict[str, pd.DataFrame],
    *,
    runs_per_course: int = 1,
    learners_per_run: int = 25,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """The portfolio's tables with ``runs`` and ``people`` added and ``xapi_ids`` filled.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Raw tables with ``courses`` and ``activities``, such as
        :func:`~socialkit.contract.synth.make_portfolio_tables` makes.
    runs_per_course : int, default 1
        Runs of each course, ``R1``, ``R2``, ...: a week apart.
    learners_per_run : int, default 25
        Learners in each run (each run also has one trainer).
    seed : int, default 0
        The same seed and tables give the same delivery tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        A new dict: the tables given, ``activities`` with an ``xapi_ids`` column (blank
        for an activity without a tool), and ``runs`` and ``people``.
    """
    rng = np.random.default_rng(seed)
    courses = tables["courses"]["course_id"].astype(str).to_numpy(dtype=object)
    n, k, m = len(courses), int(runs_per_course), int(learners_per_run)
    course_no = np.repeat(np.arange(n), k)
    run_no = np.tile(np.arange(k), n)
    day = pd.Timestamp("2026-03-02") + pd.to_timedelta((course_no % 280) + 7 * run_no, unit="D")
    has_reg = rng.random(n * k) >= 0.1
    raw = rng.bytes(16 * n * k)
    regs = np.array(  # one per run: a loop over runs, not statements
        [str(uuid.UUID(bytes=raw[i : i + 16], version=4)) for i in range(0, len(raw), 16)],
        dtype=object,
    )
    run_ids = np.char.add("R", (run_no + 1).astype(str)).astype(object)
    runs = pd.DataFrame(
        {
            "course_id": _strings(courses[course_no]),
            "run_id": _strings(run_ids),
            "starts": _strings((day + pd.Timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")),
            "ends": _strings((day + pd.Timedelta(hours=17)).strftime("%Y-%m-%dT%H:%M")),
            "timezone": _strings(np.full(n * k, "Europe/Brussels", dtype=object)),
            "registration": _strings(np.where(has_reg, regs, None)),
        }
    )
    per_run = m + 1
    run_of = np.repeat(np.arange(n * k), per_run)
    slot = np.tile(np.arange(per_run), n * k)  # 0: the trainer
    number = (run_of * per_run + slot).astype(str).astype(object)
    first = _FIRST[rng.integers(0, len(_FIRST), len(run_of))].astype(object)
    family = _FAMILY[rng.integers(0, len(_FAMILY), len(run_of))].astype(object)
    learner = "mailto:" + first + "." + family + "." + number + "@example.org"
    account = "account:" + LMS + "::" + number
    person = np.where(slot % 5 == 4, account, learner)
    trainer = "mailto:trainer" + (course_no[run_of] % 50).astype(str).astype(object)
    person = np.where(slot == 0, trainer + "@example.org", person)
    people = pd.DataFrame(
        {
            "course_id": _strings(courses[course_no][run_of]),
            "run_id": _strings(run_ids[run_of]),
            "person": _strings(person),
            "role": _strings(np.where(slot == 0, "trainer", "learner").astype(object)),
        }
    )
    activities = tables["activities"].copy()
    tool = activities["tool"].str.strip().str.lower()
    tracked = (tool.notna() & tool.ne("none")).to_numpy(dtype=bool)
    iris = activity_iri(activities["course_id"], activities["activity_id"])
    activities["xapi_ids"] = _strings(np.where(tracked, iris.to_numpy(dtype=object), None))
    return {**tables, "activities": activities, "runs": runs, "people": people}
