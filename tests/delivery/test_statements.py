"""Reading xAPI statements: skip reasons, voiding, replies, activities, times, file forms."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from socialkit.contract.people import actor_keys, arrow_person_keys, person_key
from socialkit.delivery import xapi_files
from socialkit.delivery.statements import VOIDED, read_statements
from socialkit.errors import StatementsReadError

ADL = "http://adlnet.gov/expapi/verbs/"
ACT = "https://lms.example.org/xapi/activities/"


def stmt(sid: str | None = None, **over: Any) -> dict[str, Any]:
    """A valid statement; ``over`` replaces top-level keys (None removes one)."""
    s: dict[str, Any] = {
        "id": sid,
        "actor": {"objectType": "Agent", "mbox": "mailto:ann@example.org"},
        "verb": {"id": ADL + "experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": ACT + "A1"},
        "timestamp": "2026-03-02T08:00:00Z",
        "stored": "2026-03-02T08:00:05Z",
        "version": "1.0.3",
    }
    for key, value in over.items():
        if value is None:
            s.pop(key, None)
        else:
            s[key] = value
    if sid is None:
        s.pop("id")
    return s


def write_lines(path: Path, items: list[Any]) -> Path:
    text = "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def ids(result: Any) -> list[str]:
    return result.frame["id"].tolist()


def invariant(result: Any) -> None:
    assert result.read == len(result.frame) + sum(result.skipped.values())


# -- skip reasons -------------------------------------------------------------------


def test_each_skip_reason_is_counted_once_and_the_others_still_read(tmp_path: Path) -> None:
    items = [
        stmt("a"),
        "{not json",
        "[1, 2]",
        stmt("b", actor={"objectType": "Agent", "name": "Nobody"}),
        stmt("c", verb={"display": {"en-US": "did"}}),
        stmt("d", object={"objectType": "Agent", "mbox": "mailto:x@example.org"}),
        stmt("e", timestamp="yesterday", stored=None),
        stmt("a"),  # the same id again
        stmt("f"),
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert ids(result) == ["a", "f"]
    assert result.frame["line"].tolist() == [1, 9]
    assert result.skipped == {
        "bad-json": 2,
        "no-actor": 1,
        "no-verb": 1,
        "no-object": 1,
        "no-time": 1,
        "duplicate": 1,
    }
    assert result.read == 9
    invariant(result)


def test_a_statement_that_is_not_an_object_in_a_json_array_is_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps([stmt("a"), "text", 3, stmt("b")]), encoding="utf-8")
    result = read_statements(path)
    assert ids(result) == ["a", "b"]
    assert result.frame["line"].tolist() == [1, 4]
    assert result.skipped == {"bad-json": 2}


def test_a_json_file_that_is_not_json_counts_once(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("[{", encoding="utf-8")
    result = read_statements(path)
    assert result.frame.empty and result.read == 1 and result.skipped == {"bad-json": 1}
    assert list(result.frame.columns) == [
        "id",
        "actor",
        "verb",
        "object_id",
        "ref",
        "ref_actor",
        "registration",
        "time",
        "file",
        "line",
    ]
    assert str(result.frame["time"].dtype) == "datetime64[ns, UTC]"


def test_a_json_file_holding_one_statement_a_line_is_read_as_json_lines(tmp_path: Path) -> None:
    # an export of JSON lines saved under a .json name: its statements still count
    path = write_lines(tmp_path / "s.json", [stmt("a"), "{bad", stmt("b")])
    result = read_statements(path)
    assert ids(result) == ["a", "b"]
    assert result.frame["line"].tolist() == [1, 3]
    assert result.read == 3 and result.skipped == {"bad-json": 1}
    gz = write_lines(tmp_path / "t.json.gz", [stmt("c"), stmt("d")])
    assert ids(read_statements(gz)) == ["c", "d"]


def test_a_bad_line_amid_good_ones_leaves_the_good_ones_of_its_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xapi_files, "_BLOCK", 600)  # a few lines per block
    items: list[Any] = [stmt(f"s{i}") for i in range(12)]
    items[5] = '{"id": "broken", "actor": '
    items[8] = stmt("s8", id=7)  # a number where an id goes: the block is refused
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    # the statement with a numeric id is read without an id (a duplicate of none)
    expected = [f"s{i}" for i in range(12) if i != 5]
    expected[7] = None
    got = result.frame["id"].astype(object).where(result.frame["id"].notna(), None)
    assert got.tolist() == expected
    assert result.skipped == {"bad-json": 1}
    assert result.read == 12
    assert result.frame["line"].tolist() == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]


def test_blank_lines_are_ignored_and_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "s.ndjson", [stmt("a"), "", "   ", stmt("b")])
    result = read_statements(path)
    assert ids(result) == ["a", "b"]
    assert result.frame["line"].tolist() == [1, 4]
    assert result.read == 2 and result.skipped == {}


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    text = json.dumps(stmt("a")) + "\r\n" + json.dumps(stmt("b")) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = read_statements(path)
    assert ids(result) == ["a", "b"] and result.skipped == {}


def test_two_objects_on_one_line_are_bad_json(tmp_path: Path) -> None:
    line = json.dumps(stmt("a")) + json.dumps(stmt("b"))
    result = read_statements(write_lines(tmp_path / "s.jsonl", [line, stmt("c")]))
    assert ids(result) == ["c"]
    assert result.skipped == {"bad-json": 1}


def test_a_blank_line_and_two_objects_on_one_line_in_one_block_do_not_even_out(
    tmp_path: Path,
) -> None:
    # one line fewer and one object more: as many rows as lines, yet neither is right
    two = json.dumps(stmt("a")) + json.dumps(stmt("b"))
    path = write_lines(tmp_path / "s.jsonl", [stmt("x"), "", two, stmt("c")])
    result = read_statements(path)
    assert ids(result) == ["x", "c"]
    assert result.frame["line"].tolist() == [1, 4]
    assert result.skipped == {"bad-json": 1}


# -- actors -------------------------------------------------------------------------


def test_actor_keys_mailto_account_sha1_openid_and_identified_group(tmp_path: Path) -> None:
    items = [
        stmt("a", actor={"mbox": " MAILTO:Ann@Example.ORG"}),
        stmt("b", actor={"account": {"homePage": " https://lms.example.org ", "name": " 4711"}}),
        stmt("c", actor={"mbox_sha1sum": "ABCDEF0123"}),
        stmt("d", actor={"openid": "https://id.example.org/Ann"}),
        stmt("e", actor={"objectType": "Group", "mbox": "mailto:team@example.org"}),
        stmt("f", actor={"objectType": "Group", "member": [{"mbox": "mailto:x@example.org"}]}),
        stmt("g", actor={"account": {"homePage": "https://lms.example.org"}}),
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert result.frame["actor"].tolist() == [
        "mailto:ann@example.org",
        "account:https://lms.example.org::4711",
        "sha1:abcdef0123",
        "openid:https://id.example.org/Ann",
        "mailto:team@example.org",
    ]
    assert result.skipped == {"no-actor": 2}


def test_the_reader_keys_equal_the_people_side() -> None:
    mbox = ["Mailto:Ann@X.org", None, "bob@Y.org", " ", None]
    home = [None, " https://lms.example.org", None, "h", "h"]
    name = [None, "4711 ", None, None, " "]
    keys = arrow_person_keys(*(pa.array(v, pa.string()) for v in (mbox, home, name)))
    assert keys.to_pylist() == [
        "mailto:ann@x.org",
        "account:https://lms.example.org::4711",
        "mailto:bob@y.org",
        None,
        None,
    ]
    people_side = actor_keys(pd.Series(mbox), pd.Series(home), pd.Series(name))
    assert keys.to_pylist()[:3] == people_side.tolist()[:3]
    assert [person_key(*row) for row in zip(mbox, home, name, strict=True)][:3] == keys.to_pylist()[
        :3
    ]
    assert person_key() is None


# -- voiding, replies, activities ------------------------------------------------------


def test_voided_statements_and_the_voiding_ones_count_for_nothing(tmp_path: Path) -> None:
    voiding = stmt(
        "v", verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": "A-TARGET"}
    )
    items = [stmt("a-target"), stmt("kept"), voiding]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert ids(result) == ["kept"]
    assert result.skipped == {"voiding": 1, "voided": 1}
    invariant(result)


def test_replies_through_context_statement_and_a_statement_ref_object(tmp_path: Path) -> None:
    trainer = {"mbox": "mailto:trainer@example.org"}
    items = [
        stmt("post", actor=trainer, verb={"id": ADL + "shared"}),
        stmt(
            "answer",
            verb={"id": ADL + "answered"},
            context={"statement": {"objectType": "StatementRef", "id": "POST"}},
        ),
        stmt(
            "like",
            actor={"mbox": "mailto:bob@example.org"},
            verb={"id": ADL + "commented"},
            object={"objectType": "StatementRef", "id": "answer"},
        ),
        stmt("orphan", context={"statement": {"id": "elsewhere"}}),
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    f = result.frame.set_index("id")
    assert f["ref"].tolist()[1:] == ["post", "answer", "elsewhere"]
    assert pd.isna(f.loc["post", "ref"])
    assert f.loc["answer", "ref_actor"] == "mailto:trainer@example.org"
    assert f.loc["like", "ref_actor"] == "mailto:ann@example.org"
    assert pd.isna(f.loc["orphan", "ref_actor"])
    assert pd.isna(f.loc["like", "object_id"])  # a StatementRef is no activity
    acts = result.activity_ids
    assert acts.loc[acts["stmt"] == 2, "activity"].tolist() == []


def test_parent_and_grouping_as_one_object_or_a_list(tmp_path: Path) -> None:
    items = [
        stmt(
            "a",
            context={
                "contextActivities": {
                    "parent": {"id": ACT + "P"},
                    "grouping": [{"id": ACT + "G1"}, {"id": ACT + "G2"}],
                }
            },
        ),
        stmt(
            "b",
            object={"id": ACT + "B"},
            context={"contextActivities": {"parent": [{"id": ACT + "P"}], "grouping": {}}},
        ),
        stmt("c", context={"contextActivities": {"parent": [{"id": ACT + "A1"}]}}),
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    got = sorted(zip(result.activity_ids["stmt"], result.activity_ids["activity"], strict=True))
    assert got == [
        (0, ACT + "A1"),
        (0, ACT + "G1"),
        (0, ACT + "G2"),
        (0, ACT + "P"),
        (1, ACT + "B"),
        (1, ACT + "P"),
        (2, ACT + "A1"),  # its object and its parent, once
    ]
    assert result.activity_ids["stmt"].is_monotonic_increasing
    assert str(result.activity_ids["activity"].dtype) == "str"


def test_single_object_parents_in_every_line_are_read_in_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(_: object) -> None:
        raise AssertionError("read line by line")

    monkeypatch.setattr(xapi_files, "_canonical", refused)
    ctx = {"contextActivities": {"parent": {"id": ACT + "P"}, "grouping": {"id": ACT + "G"}}}
    items = [stmt("a", context=ctx), stmt("b"), stmt("c", context=ctx)]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    got = sorted(zip(result.activity_ids["stmt"], result.activity_ids["activity"], strict=True))
    assert got == [
        (0, ACT + "A1"),
        (0, ACT + "G"),
        (0, ACT + "P"),
        (1, ACT + "A1"),
        (2, ACT + "A1"),
        (2, ACT + "G"),
        (2, ACT + "P"),
    ]


def test_parent_lists_take_the_fast_path_too(tmp_path: Path) -> None:
    ctx = {"contextActivities": {"parent": [{"id": ACT + "P", "objectType": "Activity"}]}}
    result = read_statements(write_lines(tmp_path / "s.jsonl", [stmt("a", context=ctx)]))
    assert result.activity_ids["activity"].tolist() == [ACT + "A1", ACT + "P"]


# -- times ----------------------------------------------------------------------------


def test_times_with_offsets_fractions_none_and_stored(tmp_path: Path) -> None:
    items = [
        stmt("a", timestamp="2026-03-02T08:59:59+01:00"),
        stmt("b", timestamp="2026-03-02T08:59:59.250Z"),
        stmt("c", timestamp="2026-03-02T08:59:59"),  # no offset: UTC
        stmt("d", timestamp=None, stored="2026-03-02T10:00:00-05:00"),
        stmt("e", timestamp="2026-03-02T02:30:00-0530"),
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert result.frame["time"].tolist() == [
        pd.Timestamp("2026-03-02T07:59:59Z"),
        pd.Timestamp("2026-03-02T08:59:59.250Z"),
        pd.Timestamp("2026-03-02T08:59:59Z"),
        pd.Timestamp("2026-03-02T15:00:00Z"),
        pd.Timestamp("2026-03-02T08:00:00Z"),
    ]


def test_a_lower_case_z_or_t_in_a_timestamp_is_read(tmp_path: Path) -> None:
    items = [stmt("a", timestamp="2026-03-02t08:00:00z"), stmt("b", timestamp="2026-03-02T09:00Z")]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert result.skipped == {}
    assert result.frame["time"].tolist() == [
        pd.Timestamp("2026-03-02T08:00:00Z"),
        pd.Timestamp("2026-03-02T09:00:00Z"),
    ]


def test_an_unreadable_timestamp_falls_back_to_stored_else_no_time(tmp_path: Path) -> None:
    items = [
        stmt("a", timestamp="2 March", stored="2026-03-02T09:00:00+01:00"),
        stmt("b", timestamp=None, stored=None),
        stmt("c", timestamp="2026-03-02 08:00:00+01:00"),  # read by the slower parser
    ]
    result = read_statements(write_lines(tmp_path / "s.jsonl", items))
    assert ids(result) == ["a", "c"]
    assert result.frame["time"].tolist() == [
        pd.Timestamp("2026-03-02T08:00:00Z"),
        pd.Timestamp("2026-03-02T07:00:00Z"),
    ]
    assert result.skipped == {"no-time": 1}


# -- file forms ------------------------------------------------------------------------


def test_gzip_json_array_and_statement_result_forms(tmp_path: Path) -> None:
    write_lines(tmp_path / "a.jsonl.gz", [stmt("a1"), stmt("a2")])
    (tmp_path / "b.json").write_text(json.dumps([stmt("b1")]), encoding="utf-8")
    result_form = {"statements": [stmt("c1"), stmt("c2")], "more": "/xapi/statements?page=2"}
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json.gz").write_bytes(gzip.compress(json.dumps(result_form).encode()))
    (tmp_path / "d.json").write_text(json.dumps(stmt("d1")), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not statements", encoding="utf-8")
    result = read_statements(tmp_path)
    assert ids(result) == ["a1", "a2", "b1", "d1", "c1", "c2"]
    assert [Path(f).name for f in result.frame["file"]] == [
        "a.jsonl.gz",
        "a.jsonl.gz",
        "b.json",
        "d.json",
        "c.json.gz",
        "c.json.gz",
    ]
    assert result.frame["line"].tolist() == [1, 2, 1, 1, 1, 2]
    assert result.read == 6 and result.skipped == {}


def test_a_gzip_file_of_several_members_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.ndjson.gz"
    one = gzip.compress((json.dumps(stmt("a")) + "\n").encode())
    two = gzip.compress((json.dumps(stmt("b")) + "\n").encode())
    path.write_bytes(one + two)
    assert ids(read_statements(path)) == ["a", "b"]


def test_a_cut_gzip_file_keeps_what_was_read_and_counts_the_rest(tmp_path: Path) -> None:
    good = write_lines(tmp_path / "a.jsonl.gz", [stmt(f"s{i}") for i in range(50)])
    data = good.read_bytes()
    good.write_bytes(data[: len(data) - 20])
    result = read_statements(good)
    assert result.skipped.get("bad-json") == 1
    assert 0 < len(result.frame) <= 50
    invariant(result)


def test_duplicates_across_two_files_keep_the_first(tmp_path: Path) -> None:
    write_lines(tmp_path / "1.jsonl", [stmt("x", verb={"id": ADL + "played"}), stmt("y")])
    write_lines(tmp_path / "2.jsonl", [stmt("X", verb={"id": ADL + "answered"}), stmt("z")])
    result = read_statements([tmp_path / "1.jsonl", tmp_path / "2.jsonl"])
    assert ids(result) == ["x", "y", "z"]
    assert result.frame["verb"].tolist()[0] == ADL + "played"
    assert result.skipped == {"duplicate": 1}
    # the same file given twice is read once
    again = read_statements([tmp_path / "1.jsonl", tmp_path / "1.jsonl"])
    assert ids(again) == ["x", "y"]


def test_registration_is_lower_cased_and_progress_reaches_the_total(tmp_path: Path) -> None:
    reg = "CD613E30-D8F1-4ADF-91B7-584A2265B1F5"
    path = write_lines(tmp_path / "s.jsonl", [stmt("a", context={"registration": reg})])
    seen: list[tuple[int, int]] = []
    result = read_statements(path, progress=lambda done, total: seen.append((done, total)))
    assert result.frame["registration"].tolist() == [reg.lower()]
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_sources_that_are_missing_or_of_another_kind_are_named(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(StatementsReadError, match=r"'.*nowhere\.jsonl' does not exist") as err:
        read_statements([tmp_path / "nowhere.jsonl", tmp_path / "notes.csv"])
    assert "notes.csv' is not a statements file: expected a name ending in .json" in str(err.value)


def test_an_empty_folder_reads_nothing(tmp_path: Path) -> None:
    result = read_statements(tmp_path)
    assert result.read == 0 and result.frame.empty and result.activity_ids.empty
    assert list(result.activity_ids.columns) == ["stmt", "activity"]
