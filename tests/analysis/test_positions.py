"""Positions of course ids, looked up once per portfolio."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.analysis.positions import combinations, positions
from socialkit.base.frames import isin_codes


@pytest.mark.parametrize(
    ("values", "index"),
    [
        (["b", None, "x", "a"], ["a", "b"]),
        ([None, None], ["a"]),
        ([], ["a"]),
        (["a"] * 600 + [None, "q"], pd.Index(["q", "a"])),
    ],
)
def test_positions_are_those_isin_codes_gives(values, index):
    series = pd.Series(values, dtype="str")
    assert positions(series, index).tolist() == isin_codes(series, index).tolist()


def test_positions_of_a_few_strings_in_a_few_ids_by_hand():
    series = pd.Series(["b", None, "x", "a", "b"], dtype="str")
    assert positions(series, pd.Index(["a", "b"])).tolist() == [1, -1, -1, 0, 1]
    assert positions(series, ["b"]).dtype == "int64"


def test_combinations_of_one_course_are_numbered_and_shared_by_its_views(two_courses):
    codes, distinct = combinations(two_courses)
    # (organisation, tool_type, direction, timing) of a1 a2 a3 a4 a5 b1 (see the fixture)
    assert codes.tolist() == [0, 1, 2, 3, 4, 5]
    assert distinct["timing"].tolist()[:3] == ["before", "during", "before"]
    assert combinations(two_courses.select(two_courses.course_ids))[1] is distinct
