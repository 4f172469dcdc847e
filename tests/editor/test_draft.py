"""The editing model: edits of one course, its live view, and saving without loss."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import socialkit as sk
from socialkit.contract.io import convert, read_tables
from socialkit.editor.draft import DesignDraft
from socialkit.errors import (
    DesignChangedError,
    EditError,
    UnknownCourseError,
    ValidationError,
)

TABLE_FILES = ("courses.csv", "objectives.csv", "activities.csv", "organisations.csv")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLE_FILES}


# --------------------------------------------------------------------------- opening
def test_opens_the_first_course_with_activities_in_sequence(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    assert draft.course_ids[:2] == ["it-risk", "onboarding-30"]
    assert draft.course_id == "it-risk"
    assert draft.activities()["activity_id"].tolist() == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert draft.objectives()["objective_id"].tolist() == ["O1", "O2", "O3", "O4"]
    assert draft.course()["title"] == "Measuring the risks of international projects"
    assert not draft.dirty and not draft.is_new


def test_opens_the_course_asked_for_and_refuses_an_unknown_one(sample_copy) -> None:
    assert DesignDraft(sample_copy, "lean-basics").course_id == "lean-basics"
    with pytest.raises(UnknownCourseError, match=r"unknown course id 'nope'.*'it-risk'"):
        DesignDraft(sample_copy, "nope")


def test_a_broken_catalog_is_refused_at_opening(sample_copy) -> None:
    (sample_copy / "tools.csv").write_text(
        "tool,tool_types\nWiki,community;gossip\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as info:
        DesignDraft(sample_copy)
    issues = info.value.issues
    assert issues.iloc[0][["table", "row", "column", "value"]].tolist() == [
        "tools",
        2,
        "tool_types",
        "community;gossip",
    ]
    # the sample's organisations name platforms this one-tool catalog lacks: not an error
    assert set(issues["table"]) == {"tools"}


# --------------------------------------------------------------------------- editing
def test_add_activity_appends_to_the_sequence_with_the_next_free_id(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    new = draft.add_activity("Lab check-in", timing="after", direction="n:n")
    assert new == "A7"
    added = draft.activity("A7")
    assert (added["seq"], added["title"], added["timing"], added["direction"]) == (
        "7",
        "Lab check-in",
        "after",
        "n:n",
    )
    assert added["tool"] is None and draft.dirty
    live, problems = draft.live()
    row = live.activities.set_index("activity_id").loc["A7"]
    assert (row["seq"], row["direction"], row["organisation"]) == (
        7,
        "many-to-many",
        "Contoso IT Services",
    )
    assert problems == []
    gaps = sk.checklist_gaps(live)
    mine = gaps[gaps["gap"].str.contains("Lab check-in")]
    assert mine["question"].tolist() == [1, 5, 5]  # no objective, no tool type, no tool


def test_set_activity_keeps_blanks_as_undecided_and_checks_fields(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.set_activity("A1", timing="", tool="  ")
    assert draft.activity("A1")["timing"] is None and draft.activity("A1")["tool"] is None
    with pytest.raises(EditError, match=r"cannot set 'seq' of an activity; expected one of"):
        draft.set_activity("A1", seq="3")
    with pytest.raises(EditError, match=r"minutes '1.5h' is not valid; expected a whole number"):
        draft.set_activity("A1", minutes="1.5h")
    with pytest.raises(EditError, match=r"title cannot be blank"):
        draft.set_activity("A1", title=" ")
    with pytest.raises(EditError, match=r"no activity 'A9' in course 'it-risk'; expected one of"):
        draft.set_activity("A9", timing="before")


def test_move_activity_swaps_seq_with_its_neighbours(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.set_activity("A1", title="First")  # seq 1..6 as in the file
    draft.move_activity("A3", -2)
    assert draft.activities()["activity_id"].tolist() == ["A3", "A1", "A2", "A4", "A5", "A6"]
    assert draft.activity("A3")["seq"] == "1" and draft.activity("A2")["seq"] == "3"
    draft.move_activity("A6", +5)  # already last: nothing moves
    assert draft.activities()["activity_id"].tolist()[-1] == "A6"


def test_move_keeps_the_designers_numbering(tmp_path) -> None:
    draft = DesignDraft(tmp_path / "new")
    draft.new_course("c1", "Course one")
    for title in ("a", "b", "c"):
        draft.add_activity(title)
    for aid, seq in (("A1", "10"), ("A2", "20"), ("A3", "30")):
        draft.tables["activities"].loc[draft.tables["activities"]["activity_id"].eq(aid), "seq"] = (
            seq
        )
    draft.move_activity("A3", -1)
    assert draft.activities()[["activity_id", "seq"]].values.tolist() == [
        ["A1", "10"],
        ["A3", "20"],
        ["A2", "30"],
    ]


def test_remove_objective_unlinks_its_activities(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.remove_objective("O4")  # served by A5 and A6
    assert draft.objectives()["objective_id"].tolist() == ["O1", "O2", "O3"]
    linked = draft.activities().set_index("activity_id")["objective_id"]
    assert linked.isna().tolist() == [False, False, False, False, True, True]
    assert draft.add_objective("Score risks") == "O4"  # the free id is used again
    with pytest.raises(EditError, match=r"no objective 'O9' in course 'it-risk'; expected one of"):
        draft.set_objective("O9", "Anything")


def test_remove_activity_drops_only_that_row(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    before = len(draft.tables["activities"])
    draft.remove_activity("A2")
    assert len(draft.tables["activities"]) == before - 1
    assert draft.activities()["activity_id"].tolist() == ["A1", "A3", "A4", "A5", "A6"]


def test_new_course_checks_its_id_and_title(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    with pytest.raises(EditError, match=r"course id 'a b' is not valid; expected letters"):
        draft.new_course("a b", "Title")
    with pytest.raises(EditError, match=r"course id 'it-risk' is taken"):
        draft.new_course("it-risk", "Title")
    with pytest.raises(EditError, match=r"needs a title"):
        draft.new_course("fresh", "")
    draft.new_course("fresh", "A fresh course")
    assert draft.course_id == "fresh" and draft.course_ids[-1] == "fresh"
    live, _ = draft.live()
    assert live.courses[["course_id", "organisation", "status"]].values.tolist() == [
        ["fresh", "default", "draft"]
    ]
    with pytest.raises(EditError, match=r"title cannot be blank"):
        draft.set_course(title="")
    with pytest.raises(EditError, match=r"cannot set 'course_id' of a course"):
        draft.set_course(course_id="other")


# --------------------------------------------------------------------------- live view
def test_live_view_matches_a_full_validation_for_every_sample_course(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    full = sk.load_portfolio(sample_copy)
    for cid in draft.course_ids:
        draft.select(cid)
        live, problems = draft.live()
        assert problems == []
        ref = full.select(cid)
        for analysis in (sk.checklist, sk.strategic_warnings, sk.flipped_candidates):
            pd.testing.assert_frame_equal(
                analysis(live).reset_index(drop=True), analysis(ref).reset_index(drop=True)
            )
        pd.testing.assert_frame_equal(
            sk.recommend_tools(live, top=5), sk.recommend_tools(ref, top=5).reset_index(drop=True)
        )


def test_live_view_lists_what_a_save_would_refuse(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.set_activity("A1", timing="sometime", tool="Myspace", objective_id="O9")
    draft.set_activity("A2", minutes="15", tool=" ms-teams ")
    live, problems = draft.live()
    # a tool the catalog does not know is no problem (a warning names it): kept as written
    assert problems == [
        "activity 'A1': timing 'sometime': expected one of 'before', 'during', 'after'",
        "activity 'A1': objective 'O9' does not exist",
    ]
    a1 = live.activities.set_index("activity_id").loc["A1"]
    assert pd.isna(a1["timing"]) and pd.isna(a1["objective_id"])
    assert a1["tool"] == "Myspace"
    a2 = live.activities.set_index("activity_id").loc["A2"]
    assert (a2["minutes"], a2["tool"]) == (15, "Teams")  # an alias, spelt as the catalog


def test_live_view_is_rebuilt_only_after_an_edit(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    first, _ = draft.live()
    assert draft.live()[0] is first
    draft.set_activity("A1", timing="during")
    second, _ = draft.live()
    assert second is not first and second.tools is first.tools  # the catalog is shared


def test_a_state_seen_before_gives_back_its_live_view(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    timing = draft.activity("A1")["timing"]
    first, _ = draft.live()
    draft.set_activity("A1", timing="after" if timing != "after" else "before")
    changed, _ = draft.live()
    draft.set_activity("A1", timing=timing)  # set back: the rows are those of `first`
    assert draft.live()[0] is first
    new = draft.add_activity("Read the brief")
    added, _ = draft.live()
    assert added is not first and added is not changed
    draft.remove_activity(new)
    assert draft.live()[0] is first
    # added again, the activity takes the same id and file row: the state of `added`
    assert draft.add_activity("Read the brief") == new
    assert draft.live()[0] is added
    # what a returned view says is as a fresh one says it, problems included
    draft.set_activity("A1", timing="sometime")
    bad, problems = draft.live()
    problems.append("changed by the caller")
    draft.set_activity("A1", timing=timing)
    draft.set_activity("A1", timing="sometime")
    assert draft.live()[0] is bad
    assert draft.live()[1] == [
        "activity 'A1': timing 'sometime': expected one of 'before', 'during', 'after'"
    ]


def test_only_the_last_live_views_are_kept(sample_copy, monkeypatch) -> None:
    monkeypatch.setattr("socialkit.editor.draft.LIVE_VIEWS_KEPT", 3)
    draft = DesignDraft(sample_copy)
    views = []
    for minutes in ("1", "2", "3", "4"):
        draft.set_activity("A1", minutes=minutes)
        views.append(draft.live()[0])
    draft.set_activity("A1", minutes="2")  # among the last three: kept
    assert draft.live()[0] is views[1]
    draft.set_activity("A1", minutes="1")  # the oldest of four: forgotten, built anew
    again, _ = draft.live()
    assert again is not views[0]
    pd.testing.assert_frame_equal(again.activities, views[0].activities)
    draft.reload()  # the files read again: nothing is kept from before
    assert draft._seen == {}


# --------------------------------------------------------------------------- saving
def test_save_writes_only_the_changed_files_and_keeps_other_rows(sample_copy) -> None:
    acts = sample_copy / "activities.csv"
    text = acts.read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",notes"] + [line + ",keep me" for line in text[1:]]
    acts.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = snapshot(sample_copy)
    original = rows(acts)

    draft = DesignDraft(sample_copy, "lean-basics")
    draft.add_activity("Share the plan with your manager", timing="after")
    draft.set_activity("A1", learner_benefit="Saves an hour")
    assert draft.save() == sample_copy
    after = snapshot(sample_copy)
    assert [n for n in TABLE_FILES if after[n] != before[n]] == ["activities.csv"]
    saved = rows(acts)
    assert len(saved) == len(original) + 1
    changed = [r for r, o in zip(saved[:-1], original, strict=True) if r != o]
    assert [(r["course_id"], r["activity_id"]) for r in changed] == [("lean-basics", "A1")]
    assert changed[0]["learner_benefit"] == "Saves an hour" and changed[0]["notes"] == "keep me"
    new = saved[-1]
    assert (new["course_id"], new["activity_id"], new["seq"], new["timing"], new["notes"]) == (
        "lean-basics",
        "A6",
        "6",
        "after",
        "",
    )
    assert not draft.dirty and not draft.changed_on_disk()
    sk.load_portfolio(sample_copy)  # still valid


def test_save_refuses_an_invalid_design_and_keeps_the_edits(sample_copy) -> None:
    before = snapshot(sample_copy)
    draft = DesignDraft(sample_copy)
    draft.set_activity("A2", timing="sometime")
    with pytest.raises(ValidationError, match=r"1 error in the portfolio") as info:
        draft.save()
    assert info.value.issues[["table", "row", "column", "value"]].values.tolist() == [
        ["activities", 3, "timing", "sometime"]
    ]
    assert snapshot(sample_copy) == before
    assert draft.activity("A2")["timing"] == "sometime" and draft.dirty


def test_save_refuses_when_the_files_changed_on_disk(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.set_activity("A1", title="Mine")
    courses = sample_copy / "courses.csv"
    courses.write_text(courses.read_text(encoding="utf-8") + "extra,Added in Excel,,,,,\n")
    before = snapshot(sample_copy)
    assert draft.changed_on_disk()
    with pytest.raises(DesignChangedError, match=r"changed on disk since the editor read it"):
        draft.save()
    assert snapshot(sample_copy) == before
    assert draft.activity("A1")["title"] == "Mine"
    draft.reload()  # the user chooses to take the other changes: the edits go
    assert "extra" in draft.course_ids and draft.activity("A1")["title"] != "Mine"


def test_touching_a_file_without_changing_it_does_not_block_saving(sample_copy) -> None:
    import os

    draft = DesignDraft(sample_copy)
    draft.set_activity("A1", title="Mine")
    os.utime(sample_copy / "courses.csv", ns=(1, 1))
    draft.save()
    assert rows(sample_copy / "activities.csv")[0]["title"] == "Mine"


def test_new_portfolio_from_an_empty_folder(tmp_path) -> None:
    folder = tmp_path / "designs"
    folder.mkdir()
    draft = DesignDraft(folder)
    assert draft.is_new and draft.course_ids == [] and draft.course_id is None
    live, problems = draft.live()
    assert len(live.activities) == 0 and problems == []
    with pytest.raises(EditError, match=r"no course is open"):
        draft.add_activity("Too early")
    draft.new_course("intro", "Introduction")
    draft.add_objective("Explain the basics")
    draft.add_activity("Watch the video", objective_id="O1", timing="before")
    draft.save()
    assert sorted(p.name for p in folder.iterdir()) == [
        "activities.csv",
        "courses.csv",
        "objectives.csv",
    ]
    loaded = sk.load_portfolio(folder)
    assert loaded.activities[["activity_id", "seq", "objective_id", "timing"]].values.tolist() == [
        ["A1", 1, "O1", "before"]
    ]


def test_a_new_portfolio_is_not_saved_over_files_that_appeared(tmp_path) -> None:
    folder = tmp_path / "designs"
    draft = DesignDraft(folder)
    draft.new_course("intro", "Introduction")
    folder.mkdir()
    (folder / "courses.csv").write_text("course_id,title\nother,Someone else's\n")
    with pytest.raises(DesignChangedError, match=r"changed on disk"):
        draft.save()
    assert (folder / "courses.csv").read_text() == "course_id,title\nother,Someone else's\n"


def test_xlsx_portfolio_is_saved_as_a_workbook(sample_copy, tmp_path) -> None:
    book = convert(sample_copy, tmp_path / "designs.xlsx")
    draft = DesignDraft(book, "it-risk")
    draft.add_activity('=HYPERLINK("http://x")', timing="after")
    draft.save()
    tables, _ = read_tables(book)
    last = tables["activities"].iloc[-1]
    assert (last["course_id"], last["activity_id"], last["title"]) == (
        "it-risk",
        "A7",
        '=HYPERLINK("http://x")',
    )
    from openpyxl import load_workbook

    cell = load_workbook(book)["activities"].cell(row=len(tables["activities"]) + 1, column=4)
    assert cell.data_type == "s"  # text, never a formula


def test_xlsx_with_other_sheets_keeps_them_when_saved(sample_copy, tmp_path) -> None:
    from openpyxl import load_workbook

    book = convert(sample_copy, tmp_path / "designs.xlsx")
    wb = load_workbook(book)
    wb.create_sheet("budget")["A1"] = "keep me"
    wb.save(book)
    draft = DesignDraft(book)
    assert draft.extra_sheets == ("budget",)
    draft.set_activity("A1", title="Mine")
    draft.save()
    saved = load_workbook(book)
    tables = ["courses", "objectives", "activities", "organisations", "runs", "people"]
    assert saved.sheetnames == [*tables, "budget"]  # the sample has delivery tables too
    assert saved["budget"]["A1"].value == "keep me"
    assert read_tables(book)[0]["activities"].at[2, "title"] == "Mine"


def test_columns_a_file_lacks_are_added_only_when_used(sample_copy) -> None:
    acts = sample_copy / "activities.csv"
    with acts.open(encoding="utf-8", newline="") as f:
        table = [r[:-2] for r in csv.reader(f)]  # drop learning_type and minutes
    with acts.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    before = acts.read_bytes()
    draft = DesignDraft(sample_copy)
    draft.set_course(owner="Risk office")
    draft.save()
    assert acts.read_bytes() == before  # only courses.csv changed
    assert rows(sample_copy / "courses.csv")[0]["owner"] == "Risk office"
    draft.set_activity("A1", title="Define risk")
    draft.save()
    assert list(rows(acts)[0]) == table[0]  # still no learning_type or minutes column
    draft.set_activity("A2", minutes="15")
    draft.save()
    saved = rows(acts)
    assert list(saved[0]) == [*table[0], "minutes"]
    assert [r["minutes"] for r in saved[:3]] == ["", "15", ""]


def test_a_save_leaves_the_files_that_did_not_change_untouched(sample_copy) -> None:
    import os

    def stats() -> dict[str, tuple[int, int, int]]:
        return {
            n: (s.st_ino, s.st_mtime_ns, s.st_size)
            for n in TABLE_FILES
            for s in [os.stat(sample_copy / n)]
        }

    before = stats()
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.set_course(owner="Risk office")
    draft.save()
    after = stats()
    assert after["courses.csv"][:2] != before["courses.csv"][:2]
    assert {n: after[n] for n in TABLE_FILES[1:]} == {n: before[n] for n in TABLE_FILES[1:]}
    draft.set_course(owner="Risk office")  # no change at all: nothing is written
    draft.save()
    assert stats() == after
