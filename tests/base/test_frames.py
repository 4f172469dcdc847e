"""The small frame helpers of ``socialkit.base.frames``, against hand-computed expectations."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

import socialkit.base.frames as frames
from socialkit.base.frames import (
    RowIndex,
    cached,
    column_values,
    factorize_rows,
    factorized,
    memoized,
    per_combination,
    take_objects,
    take_values,
)


class Owner:
    """Stands for a portfolio: any object that can be weakly referenced."""


# --------------------------------------------------------------------------- RowIndex
@pytest.fixture
def keyed() -> pd.DataFrame:
    # c1 at rows 0, 2, 5; c2 at 1, 3, 4 (adjacent: 3, 4 only); c3 at 6; row 7 has no key
    return pd.DataFrame(
        {
            "course_id": pd.array(["c1", "c2", "c1", "c2", "c2", "c1", "c3", None], dtype="str"),
            "v": range(8),
        },
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )


def test_row_index_positions_are_the_rows_of_the_key_in_file_order(keyed):
    index = RowIndex(keyed["course_id"])
    assert index.positions("c1").tolist() == [0, 2, 5]
    assert index.positions("c2").tolist() == [1, 3, 4]
    assert index.positions("c3").tolist() == [6]


def test_row_index_unknown_and_missing_keys_have_no_rows(keyed):
    index = RowIndex(keyed["course_id"])
    assert index.positions("nope").tolist() == []
    assert "nope" not in index and "c3" in index
    assert np.nan not in index and None not in index  # a missing key is never found


def test_row_index_take_keeps_order_and_labels(keyed):
    index = RowIndex(keyed["course_id"])
    c1 = index.take(keyed, "c1")
    assert c1["v"].tolist() == [0, 2, 5] and c1.index.tolist() == [10, 12, 15]
    pd.testing.assert_frame_equal(index.take(keyed, "c2"), keyed[keyed["course_id"] == "c2"])
    assert index.take(keyed, "nope").empty
    assert list(index.take(keyed, "nope").columns) == ["course_id", "v"]


def test_row_index_take_of_adjacent_rows_equals_a_mask():
    frame = pd.DataFrame({"k": ["a", "a", "b", "b", "b", "c"], "v": [1.5, 2, 3, 4, 5, 6]})
    index = RowIndex(frame["k"])
    for key in "abc":
        pd.testing.assert_frame_equal(index.take(frame, key), frame[frame["k"] == key])
    assert index.positions("b").tolist() == [2, 3, 4]


def test_row_index_of_an_empty_column():
    index = RowIndex(pd.Series([], dtype="str"))
    assert index.positions("a").tolist() == []


# --------------------------------------------------------------------------- factorize
def test_factorize_rows_numbers_distinct_rows_in_order_of_first_appearance():
    frame = pd.DataFrame(
        {"org": ["A", "B", "A", "A", "B"], "dir": ["x", None, "x", None, None]},
        index=[5, 6, 7, 8, 9],
    )
    codes, distinct = factorize_rows(frame)
    # (A, x) (B, -) (A, x) (A, -) (B, -): a missing value is a key of its own
    assert codes.tolist() == [0, 1, 0, 2, 1]
    assert distinct["org"].tolist() == ["A", "B", "A"]
    assert [None if pd.isna(v) else v for v in distinct["dir"]] == ["x", None, None]
    assert distinct.index.tolist() == [0, 1, 2]


@pytest.mark.parametrize("n", [0, 1, 5])
def test_factorize_rows_of_some_columns_is_that_of_their_selection(n):
    frame = pd.DataFrame(
        {
            "org": pd.array(["A", "B", "A", "A", "B"], dtype="str"),
            "n": [1, 2, 3, 4, 5],
            "dir": pd.array(["x", None, "x", None, None], dtype="str"),
        },
        index=[5, 6, 7, 8, 9],
    )[:n]
    codes, distinct = factorize_rows(frame, ["dir", "org"])
    want_codes, want = factorize_rows(frame[["dir", "org"]])
    assert codes.tolist() == want_codes.tolist() == [0, 1, 0, 2, 1][:n]
    pd.testing.assert_frame_equal(distinct, want)
    assert list(distinct.columns) == ["dir", "org"] and distinct.index.equals(
        pd.RangeIndex(len(want))
    )
    with pytest.raises(KeyError, match="nope"):
        factorize_rows(frame, ["org", "nope"])


@pytest.mark.parametrize("n", [0, 1])
def test_factorize_rows_of_one_row_or_none_is_that_row_on_a_fresh_index(n):
    frame = pd.DataFrame({"org": pd.array(["A"], dtype="str"), "dir": [None]}, index=[7])[:n]
    codes, distinct = factorize_rows(frame)
    assert codes.tolist() == [0] * n
    assert codes.dtype == np.intp
    assert distinct.index.tolist() == list(range(n))
    assert distinct.dtypes.tolist() == frame.dtypes.tolist()
    assert distinct["org"].tolist() == ["A"] * n


def test_per_combination_spreads_the_result_of_each_distinct_row():
    frame = pd.DataFrame({"a": ["p", "q", "p"]}, index=[3, 4, 5])
    seen = []

    def func(distinct: pd.DataFrame) -> pd.DataFrame:
        seen.append(distinct["a"].tolist())
        return pd.DataFrame({"b": distinct["a"] + "!"})

    out = per_combination(frame, func)
    assert seen == [["p", "q"]]
    assert out["b"].tolist() == ["p!", "q!", "p!"] and out.index.tolist() == [3, 4, 5]


# --------------------------------------------------------------------------- memory
def test_cached_computes_once_per_object_and_returns_the_same_value():
    calls = []

    @cached
    def lookup(owner: Owner) -> dict:
        calls.append(owner)
        return {"n": len(calls)}

    first, second = Owner(), Owner()
    assert lookup(first) is lookup(first)
    assert lookup(second) == {"n": 2}
    assert len(calls) == 2


def test_cached_forgets_an_object_that_is_gone():
    calls = []
    lookup = cached(lambda owner: calls.append(1) or len(calls))
    owner = Owner()
    lookup(owner)
    del owner
    gc.collect()
    assert lookup(Owner()) == 2  # a new object: computed again


def test_memoized_returns_copies_that_callers_may_change():
    calls = []

    @memoized
    def table(owner: Owner) -> pd.DataFrame:
        calls.append(owner)
        return pd.DataFrame({"x": [1, 2]})

    owner = Owner()
    got = table(owner)
    got.loc[0, "x"] = 99
    assert table(owner)["x"].tolist() == [1, 2]
    assert len(calls) == 1


# --------------------------------------------------------------------------- per_identity
def test_per_identity_remembers_per_frame_objects_and_forgets_them():
    from socialkit.base.frames import per_identity

    calls = []

    @per_identity
    def total(a: pd.DataFrame, b: pd.DataFrame) -> int:
        calls.append(1)
        return int(a["x"].sum() + b["x"].sum())

    a, b = pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [10]})
    assert total(a, b) == 13 and total(a, b) == 13 and len(calls) == 1
    assert total(a, b.copy()) == 13 and len(calls) == 2  # an equal copy is another object
    assert total(b, a) == 13 and len(calls) == 3
    del a
    gc.collect()
    assert total.cache == {}  # every entry held a, or the copy of b, both gone


def long_column(n: int = 12_000) -> pd.Series:
    # "b", "a", missing, repeated: codes 0, 1, -1
    return pd.Series(pd.array(["b", "a", None] * (n // 3), dtype="str"))


def test_factorized_is_pandas_factorize_and_is_worked_out_once_per_arrow_array():
    column = long_column()
    codes, uniques = factorized(column)
    assert codes[:6].tolist() == [0, 1, -1, 0, 1, -1]
    assert uniques.tolist() == ["b", "a"]
    frame = pd.DataFrame({"x": column, "y": 1})
    # a shallow copy, a column selection and a new index keep the Arrow array: same codes
    again, _ = factorized(frame.copy(deep=False).reset_index(drop=True)["x"])
    assert again is codes
    with pytest.raises(ValueError, match="read-only"):
        codes[0] = 5  # shared by every caller


def test_factorized_sees_a_changed_column_as_new():
    frame = pd.DataFrame({"x": long_column()})
    first, _ = factorized(frame["x"])
    frame.loc[0, "x"] = "c"  # a new Arrow array
    codes, uniques = factorized(frame["x"])
    assert codes is not first
    assert codes[:4].tolist() == [0, 1, -1, 2]
    assert uniques.tolist() == ["c", "a", "b"]


def test_factorized_forgets_an_array_once_it_is_gone():
    column = long_column()
    factorized(column)
    key = id(column.array.__arrow_array__())
    assert key in frames._FACTORIZED
    del column
    gc.collect()
    assert key not in frames._FACTORIZED


def test_short_and_non_arrow_columns_are_factorized_as_usual():
    codes, uniques = factorized(pd.Series(["b", "a", "b"], dtype="object"))
    assert codes.tolist() == [0, 1, 0] and uniques.tolist() == ["b", "a"]
    assert codes.flags.writeable  # not shared


@pytest.mark.parametrize("dtype", ["str", "string", "object"])
@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
def test_isin_codes_gives_positions_and_minus_one(dtype: str, long: bool) -> None:
    # a short column of strings is looked up in a dict, a long one or another dtype
    # through an index: the same positions either way
    values = ["b", None, "z", "a", "b"] * (200 if long else 1)
    codes = frames.isin_codes(pd.Series(values, dtype=dtype), pd.Series(["a", "b", "c"]))
    assert codes.dtype == np.int64
    assert codes.tolist() == [1, -1, -1, 0, 1] * (200 if long else 1)
    assert frames.isin_codes(pd.Series([], dtype=dtype), ["a"]).tolist() == []


def test_isin_codes_wants_distinct_allowed_values() -> None:
    with pytest.raises(pd.errors.InvalidIndexError, match="uniquely valued"):
        frames.isin_codes(pd.Series(["a"], dtype="str"), ["a", "a"])


def test_text_codes_number_short_string_rows_in_order_of_first_appearance() -> None:
    left = pd.Series(["x", None, "x", "y", None], dtype="str")
    right = pd.Series(["a", "b", "a", "a", "b"], dtype="str")
    assert frames.text_codes([left, right]).tolist() == [0, 1, 0, 2, 1]


def test_text_codes_leave_long_and_other_columns_to_pandas() -> None:
    assert frames.text_codes([pd.Series([1, 2, 1])]) is None
    assert frames.text_codes([pd.Series(["x"] * 501, dtype="str")]) is None
    assert frames.text_codes([]) is None


def test_first_rows_gives_each_numbers_first_row() -> None:
    assert frames.first_rows(np.array([1, 0, 1, 2, 0])).tolist() == [1, 0, 3]
    assert frames.first_rows(np.array([0, 0]), 1).tolist() == [0]
    assert frames.first_rows(np.array([], dtype=np.intp)).tolist() == []


def test_factorize_rows_of_short_string_columns_numbers_missing_values_as_a_key() -> None:
    frame = pd.DataFrame(
        {"a": pd.array(["x", None, "x", None], dtype="str"), "b": pd.array(["1", "2"] * 2, "str")}
    )
    codes, distinct = factorize_rows(frame, ["a", "b"])
    assert codes.tolist() == [0, 1, 0, 1]
    assert distinct["a"].tolist()[0] == "x" and distinct["a"].isna().tolist() == [False, True]
    assert distinct["b"].tolist() == ["1", "2"]


def test_column_values_and_takes_keep_the_dtype_or_give_objects() -> None:
    text = pd.Series(["a", None, "c"], dtype="str")
    whole = pd.Series([3, 1, 2], dtype="int64")
    assert column_values(text) is text.array
    assert isinstance(column_values(whole), np.ndarray)
    rows = np.array([2, 0])
    taken = take_values(text, rows)
    assert taken.dtype == text.dtype and taken.tolist() == ["c", "a"]
    assert take_values(whole, rows).tolist() == [2, 3]
    assert take_values(whole.to_numpy(), rows).tolist() == [2, 3]  # an array as it is
    objects = take_objects(text, np.array([1, 2]))
    assert objects.dtype == object and objects[0] != objects[0] and objects[1] == "c"
    assert take_objects(whole, rows).dtype == object
