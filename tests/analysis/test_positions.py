"""Positions of course ids, looked up once per portfolio."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.analysis.positions import positions
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
