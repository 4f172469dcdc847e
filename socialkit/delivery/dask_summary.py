"""The delivery summary on a Dask cluster, from a Parquet store of placed statements.

The statements stay where they are (a local folder, or object storage such as ``s3://`` or
``gs://`` with the matching filesystem package installed on the workers) and are counted
where they are read: each worker reads its part of the store written by
:func:`socialkit.delivery.store.write_parquet`, counts per (course, run, activity), and
only the counts travel. The portfolio's plan is joined to them on the client by
:func:`socialkit.delivery.realised.summarise_counts`, so the summary is the one
:func:`socialkit.delivery.realised.delivery_summary` gives for the same statements.

A learner's first statement on an activity of a run falls in the phase that is the
earliest of the phases of their statements there (before, during, after follow the time),
so that the first engagements need a minimum per learner, not a sort of all statements.
The distinct learners of each run travel too: one placed by the run's registration
without a ``people`` row is among the run's learners, as in the pandas summary.

Needs ``dask[dataframe]`` (the ``cluster`` extra); with a ``distributed.Client`` active,
the work runs on its cluster, otherwise on Dask's local threads.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from socialkit.delivery.realised import (
    COUNT_COLUMNS,
    DIRECTIONS_BY_SOCIALITY,
    PHASES,
    summarise_counts,
)

__all__ = ["dask_counts", "dask_delivery_summary"]

_KEY = ["course_id", "run_id", "activity_id"]
_SUMS = [*DIRECTIONS_BY_SOCIALITY, "peer_replies", "statements"]
_NO_PHASE = np.int8(len(PHASES))  # a trainer's statement: no first engagement


def _codes(part: pd.DataFrame) -> pd.DataFrame:
    """Per statement of one partition: its key, actor, what it adds to each sum, and the
    phase code of a learner's statement (:data:`_NO_PHASE` for anyone else's)."""
    learner = part["role"].astype(object).eq("learner").to_numpy(dtype=bool)
    interaction = pd.Categorical(part["interaction"], categories=DIRECTIONS_BY_SOCIALITY).codes
    phase = pd.Categorical(part["phase"], categories=PHASES).codes.astype(np.int8)
    out = pd.DataFrame(
        {
            "course_id": part["course_id"].astype(object).astype("str"),
            "run_id": part["run_id"].astype("str"),
            "activity_id": part["activity_id"].astype("str"),
            "actor": part["actor"].astype("str"),
        },
        index=part.index,
    )
    for code, direction in enumerate(DIRECTIONS_BY_SOCIALITY):
        out[direction] = (interaction == code).astype(np.int64)
    out["peer_replies"] = (learner & (interaction == 0)).astype(np.int64)  # many-to-many
    out["statements"] = np.ones(len(part), dtype=np.int64)
    out["first_phase"] = np.where(learner & (phase >= 0), phase, _NO_PHASE).astype(np.int8)
    out["learner"] = learner
    return out


def dask_counts(
    source: str | os.PathLike[str],
    *,
    storage_options: dict[str, Any] | None = None,
    blocksize: str | int = "32MiB",
) -> pd.DataFrame:
    """The counts per (course, run, activity) of a store, computed with ``dask.dataframe``.

    Parameters
    ----------
    source : str or path-like
        A folder written by :func:`~socialkit.delivery.store.write_parquet`, or its URL
        (``s3://bucket/statements``): whatever ``dask.dataframe.read_parquet`` reads.
    storage_options : dict, optional
        Passed to ``dask.dataframe.read_parquet`` (credentials of object storage, say).
    blocksize : str or int, default "32MiB"
        About how much of the store (compressed, about half a million statements) one
        task reads: the files of small courses are read together, since reading each in
        a task of its own costs more than counting it.

    Returns
    -------
    pandas.DataFrame
        ``course_id``, ``run_id``, ``activity_id`` and
        :data:`~socialkit.delivery.realised.COUNT_COLUMNS`, one row per (course, run,
        activity) with statements, in no particular order.
    """
    return _counted(source, storage_options=storage_options, blocksize=blocksize)[0]


def _counted(
    source: str | os.PathLike[str],
    *,
    storage_options: dict[str, Any] | None,
    blocksize: str | int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`dask_counts`, and the distinct (course, run, person) of the learners'
    statements (:func:`~socialkit.delivery.realised.seen_learners`), in one pass."""
    import dask
    import dask.dataframe as dd

    frame = dd.read_parquet(
        str(source) if isinstance(source, os.PathLike) else source,
        columns=["course_id", "run_id", "activity_id", "actor", "phase", "role", "interaction"],
        storage_options=storage_options,
        aggregate_files=True,
        blocksize=blocksize,
    )
    meta = _codes(frame._meta)
    coded = frame.map_partitions(_codes, meta=meta)
    sums = coded.groupby(_KEY)[_SUMS].sum()
    learners = coded[coded["first_phase"] < _NO_PHASE]
    firsts = learners.groupby([*_KEY, "actor"])["first_phase"].min()
    seen = coded[coded["learner"]][["course_id", "run_id", "actor"]].drop_duplicates()
    sums, firsts, seen = dask.compute(sums, firsts, seen)
    per_phase = firsts.reset_index().groupby([*_KEY, "first_phase"]).size().unstack(fill_value=0)
    per_phase = per_phase.reindex(columns=range(len(PHASES)), fill_value=0)
    per_phase.columns = list(PHASES)
    counts = sums.join(per_phase, how="left").fillna(0).astype(np.int64).reset_index()
    seen = seen.rename(columns={"actor": "person"}).reset_index(drop=True)
    return counts[[*_KEY, *COUNT_COLUMNS]], seen


def dask_delivery_summary(
    source: str | os.PathLike[str],
    portfolio: Any,
    *,
    storage_options: dict[str, Any] | None = None,
    blocksize: str | int = "32MiB",
) -> pd.DataFrame:
    """:func:`~socialkit.delivery.realised.delivery_summary` of the statements in a store,
    counted with Dask (on the cluster of the active ``distributed.Client``, if any).

    Parameters
    ----------
    source : str or path-like
        See :func:`dask_counts`.
    portfolio : Portfolio
        The portfolio the statements were placed on (``activities``, ``runs``,
        ``people``).
    storage_options, blocksize : optional
        See :func:`dask_counts`.

    Returns
    -------
    pandas.DataFrame
        The summary: equal to ``delivery_summary(portfolio, statements)`` for the
        statements the store was written from.
    """
    counts, seen = _counted(source, storage_options=storage_options, blocksize=blocksize)
    return summarise_counts(
        portfolio.activities, portfolio.runs, portfolio.people, counts, learners_seen=seen
    )
