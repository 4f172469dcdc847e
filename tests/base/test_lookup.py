"""Membership tests of ``socialkit.base.lookup``, against hand-computed expectations."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.base.lookup import equals, isin


@pytest.mark.parametrize("dtype", ["str", "object", "string"])
def test_isin_of_a_short_column_finds_the_allowed_values_only(dtype: str) -> None:
    values = pd.Series(["a", None, "b", "c"], dtype=dtype, index=[5, 6, 7, 8])
    found = isin(values, pd.Series(["b", None, "a"], dtype=dtype))
    assert found.tolist() == [True, False, True, False]
    assert found.index.tolist() == [5, 6, 7, 8] and found.name is None


def test_isin_of_a_short_string_column_takes_sets_lists_and_non_strings() -> None:
    values = pd.Series(["1", "x", None], dtype="str")
    assert isin(values, {"x", None}).tolist() == [False, True, False]
    assert isin(values, [1, "1"]).tolist() == [True, False, False]
    assert isin(values, []).tolist() == [False, False, False]


@pytest.mark.parametrize("n", [1, 200])  # a few values (one course), and many
@pytest.mark.parametrize("dtype", ["str", "object", "string"])
def test_equals_marks_the_word_only_and_never_a_missing_value(dtype: str, n: int) -> None:
    values = pd.Series(["during", None, "after", "During"] * n, dtype=dtype)
    found = equals(values, "during")
    assert found.dtype == bool and found.tolist() == [True, False, False, False] * n
