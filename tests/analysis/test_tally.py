"""Counts per course of ``socialkit.analysis.tally``, against hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialkit.analysis.tally import pairs_found


@pytest.mark.parametrize("n", [1, 300])  # a few ids (one course), and many
def test_pairs_found_finds_each_course_and_id_pair_on_the_other_side(n: int) -> None:
    left_ids = pd.Series(["o1", "o2", None, "o1", "o3"] * n, dtype="str")
    left_course = np.array([0, 0, 0, 1, -1] * n)
    right_ids = pd.Series(["o1", "o1", "o2", None], dtype="str")
    right_course = np.array([0, 2, -1, 0])
    found = pairs_found((left_course, left_ids), (right_course, right_ids))
    # (0, o1) is on the right; (0, o2) only with an unlisted course; (1, o1) is not
    assert found.tolist() == [True, False, False, False, False] * n
