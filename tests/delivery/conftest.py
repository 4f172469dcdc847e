"""Fixtures of hand-made delivery tables (builders in ``delivery_tables``)."""

from __future__ import annotations

import pandas as pd
import pytest
from delivery_tables import ANN, BOB, CY, REG1, TINA, make_people, make_runs


@pytest.fixture
def march_run() -> pd.DataFrame:
    """Course c1, run r1: 2 March 2026, 09:00-17:00 at +01:00 (08:00-16:00 UTC), REG1."""
    return make_runs(("c1", "r1", "2026-03-02T09:00+01:00", "2026-03-02T17:00+01:00", REG1))


@pytest.fixture
def class_people() -> pd.DataFrame:
    """Run c1/r1: trainer Tina, learners Ann, Bob and Cy."""
    return make_people(
        ("c1", "r1", TINA, "trainer"),
        ("c1", "r1", ANN, "learner"),
        ("c1", "r1", BOB, "learner"),
        ("c1", "r1", CY, "learner"),
    )
