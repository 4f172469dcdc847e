"""The delivery summary counted with Dask on a local cluster equals the pandas one."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from delivery_tables import (
    ANN,
    BOB,
    BRIEF,
    COMMENTED,
    CY,
    FORUM,
    POSTED,
    REG1,
    TINA,
    make_activities,
    make_people,
    make_portfolio,
    make_runs,
    make_statements,
)

from socialkit.delivery.dask_summary import dask_counts, dask_delivery_summary
from socialkit.delivery.placing import Placed, place_statements
from socialkit.delivery.realised import delivery_summary
from socialkit.delivery.store import write_parquet

distributed = pytest.importorskip("distributed")

ACTIVITIES = make_activities(
    {"course_id": "c1", "activity_id": "brief", "timing": "before", "direction": "one-to-many",
     "tool": "Moodle", "xapi_ids": (BRIEF,)},
    {"course_id": "c1", "activity_id": "forum", "timing": "after", "direction": "many-to-many",
     "tool": "Teams", "xapi_ids": (FORUM,)},
    {"course_id": "c1", "activity_id": "workshop", "timing": "during", "tool": "none"},
)  # fmt: skip
PORTFOLIO = make_portfolio(
    ACTIVITIES,
    make_runs(("c1", "r1", "2026-03-02T09:00Z", "2026-03-02T17:00Z", REG1)),
    make_people(
        ("c1", "r1", TINA, "trainer"),
        ("c1", "r1", ANN, "learner"),
        ("c1", "r1", BOB, "learner"),
        ("c1", "r1", CY, "learner"),
    ),
)
R1 = {"registration": REG1}
STATEMENTS = make_statements(
    {"actor": ANN, "object_id": BRIEF, "time": "2026-03-01T10:00Z"} | R1,  # before
    {"actor": ANN, "object_id": BRIEF, "time": "2026-03-02T10:00Z"} | R1,  # during
    {"actor": BOB, "object_id": BRIEF, "time": "2026-03-02T09:00Z"} | R1,  # during: the start
    {"id": "p", "actor": TINA, "verb": POSTED, "object_id": FORUM,
     "time": "2026-03-02T09:00Z"} | R1,
    {"id": "a", "actor": ANN, "verb": COMMENTED, "object_id": FORUM, "ref": "p",
     "time": "2026-03-03T10:00Z"} | R1,  # after, answers the trainer
    {"actor": BOB, "verb": COMMENTED, "object_id": FORUM, "ref": "a",
     "time": "2026-03-02T12:00Z"} | R1,  # during, answers a learner
    {"actor": CY, "object_id": FORUM, "time": "2026-03-04T10:00Z"} | R1,  # after, reads
)  # fmt: skip


#: No Dask computation of these tests may take longer (seconds).
BOUND = 60


def bounded(function, *args, **kwargs):
    """``function(*args, **kwargs)``, failing the test when it takes over ``BOUND`` s."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(function, *args, **kwargs).result(timeout=BOUND)
    finally:  # on a timeout, without waiting for the stuck computation
        pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster, timeout="20s") as client,
    ):
        yield client


def test_counted_on_the_cluster_as_by_hand(client, tmp_path):
    placed = place_statements(PORTFOLIO, STATEMENTS)
    store = write_parquet(placed, tmp_path / "store")
    with distributed.get_task_stream(client) as tasks:
        summary = bounded(dask_delivery_summary, store, PORTFOLIO).set_index("activity_id")
    assert tasks.data  # the work ran on the cluster's workers
    assert summary.index.tolist() == ["brief", "forum", "workshop"]
    # brief: Ann first before, Bob first during (at the start); forum: Bob during, Ann and
    # Cy after; Tina's post is no participant
    assert summary[["before", "during", "after"]].values.tolist() == [
        [1, 1, 0],
        [0, 1, 2],
        [0, 0, 0],
    ]
    assert summary["participants"].tolist() == [2, 3, 0]
    assert summary["statements"].tolist() == [3, 4, 0]
    assert summary["peer_replies"].tolist() == [0, 1, 0]
    assert summary["realised_timing"].tolist() == ["before", "after", None]  # tie: planned
    assert summary["realised_direction"].tolist() == ["one-to-many", "one-to-many", None]
    assert summary["as_planned"].tolist() == [True, False, pd.NA]
    pd.testing.assert_frame_equal(
        summary.reset_index()[delivery_summary(PORTFOLIO, STATEMENTS).columns],
        delivery_summary(PORTFOLIO, STATEMENTS),
    )


def test_actors_placed_by_registration_without_a_people_row_are_learners_too(client, tmp_path):
    # r1 enrols Ann only; Bob and Cy carry its registration: three learners, as pandas says
    portfolio = make_portfolio(
        ACTIVITIES,
        make_runs(("c1", "r1", "2026-03-02T09:00Z", "2026-03-02T17:00Z", REG1)),
        make_people(("c1", "r1", TINA, "trainer"), ("c1", "r1", ANN, "learner")),
    )
    statements = make_statements(
        *(
            {"actor": a, "object_id": BRIEF, "time": "2026-03-01T10:00Z"} | R1
            for a in (ANN, BOB, CY)
        ),
        {"actor": CY, "object_id": FORUM, "time": "2026-03-04T10:00Z"} | R1,
        {"actor": TINA, "verb": POSTED, "object_id": FORUM, "time": "2026-03-02T09:00Z"} | R1,
    )
    store = write_parquet(place_statements(portfolio, statements), tmp_path / "store")
    summary = bounded(dask_delivery_summary, store, portfolio)
    assert summary["learners"].tolist() == [3, 3, 3]  # Tina trains: not a learner
    assert summary.set_index("activity_id").loc["brief", "before"] == 3
    pd.testing.assert_frame_equal(summary, delivery_summary(portfolio, statements))


def test_a_learner_s_statements_in_two_files_count_from_the_earliest(client, tmp_path):
    placed = place_statements(PORTFOLIO, STATEMENTS)
    frame = placed.frame
    one = write_parquet(Placed(frame.iloc[1:4], 3), tmp_path / "one")  # Ann during, ...
    two = write_parquet(Placed(frame.iloc[[0, 4, 5, 6]], 4), tmp_path / "two")  # Ann before
    shutil.copy(two / "course_id=c1" / "part-0.parquet", one / "course_id=c1" / "part-1.parquet")
    expected = delivery_summary(PORTFOLIO, STATEMENTS)
    for blocksize in (1, "32MiB"):  # a task per file, then both files in one task
        counts = bounded(dask_counts, one, blocksize=blocksize).set_index("activity_id")
        brief = counts.loc["brief", ["before", "during", "after", "statements"]]
        assert brief.tolist() == [1, 1, 0, 3]
        summary = bounded(dask_delivery_summary, one, PORTFOLIO, blocksize=blocksize)
        pd.testing.assert_frame_equal(summary, expected)


def test_a_generated_portfolio_gives_the_pandas_summary_exactly(client, tmp_path):
    from socialkit.contract.io import load_portfolio
    from socialkit.contract.synth import write_portfolio
    from socialkit.delivery.statements import read_statements
    from socialkit.delivery.synth_scale import portfolio_statements, write_statements

    folder = write_portfolio(
        6, tmp_path / "p", activities_per_course=8, runs_per_course=2, learners_per_run=6, seed=3
    )
    portfolio = load_portfolio(folder)
    write_statements(
        portfolio_statements(portfolio, 4000, seed=3), folder / "statements", total=4000, files=3
    )
    statements = read_statements(folder / "statements")
    placed = place_statements(portfolio, statements)
    store = write_parquet(placed, tmp_path / "store")
    expected = delivery_summary(portfolio, statements)
    assert expected["statements"].sum() == len(placed.frame) > 3000
    assert expected["participants"].gt(0).sum() > 40
    pd.testing.assert_frame_equal(bounded(dask_delivery_summary, str(store), portfolio), expected)
