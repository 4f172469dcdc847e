"""The open course's rows of a draft's tables, remembered per edit of each table."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.editor.course_rows import CourseRows
from socialkit.editor.live import content_view, course_view, row_content


def _tables() -> dict[str, pd.DataFrame]:
    courses = pd.DataFrame(
        {"course_id": ["c1", "c2"], "title": ["One", " "]}, index=[2, 3], dtype="str"
    )
    activities = pd.DataFrame(
        {
            "course_id": ["c2", "c1", "c1", "c1"],
            "activity_id": ["A1", "A1", "A2", "A3"],
            "seq": ["1", "3", "x", "2"],
        },
        index=[2, 3, 4, 5],
        dtype="str",
    )
    return {"courses": courses, "activities": activities}


def test_rows_come_in_sequence_order_and_are_kept_until_their_table_is_edited() -> None:
    tables = _tables()
    rows = CourseRows(tables)
    acts = rows.rows("activities", "c1")
    # seq 2, then 3, then the one that is not a whole number last
    assert acts["activity_id"].tolist() == ["A3", "A1", "A2"]
    assert acts.index.tolist() == [5, 3, 4]
    course = rows.course("c1")
    assert course == {"course_id": "c1", "title": "One"}
    rows.changed("activities")
    assert rows.rows("activities", "c1") is not acts  # taken again after an edit
    assert rows.course("c1") is course  # another table's edit: the same row
    assert rows.course("c2") == {"course_id": "c2", "title": None}  # blank as None


def test_a_replaced_table_is_read_again() -> None:
    tables = _tables()
    rows = CourseRows(tables)
    assert len(rows.rows("activities", "c1")) == 3
    tables["activities"] = tables["activities"].drop(index=5)
    rows.changed("activities")
    assert rows.rows("activities", "c1")["activity_id"].tolist() == ["A1", "A2"]


def test_content_is_the_rows_cells_with_missing_as_none() -> None:
    frame = pd.DataFrame({"a": ["x", None], "b": ["1", "2"]}, index=[4, 7], dtype="str")
    assert row_content(frame) == ((4, 7), ("a", "b"), ("x", "1"), (None, "2"))
    tables = {"courses": pd.DataFrame({"course_id": ["c1"]}, index=[2], dtype="str")}
    assert CourseRows(tables).content("courses", "c1") == ((2,), ("course_id",), ("c1",))


def test_content_view_is_the_course_view_of_the_same_rows(sample_copy) -> None:
    from socialkit.editor.draft import DesignDraft

    draft = DesignDraft(sample_copy)
    objectives, activities = draft.objectives(), draft.activities()
    kw = {"course": draft.course(), "row": 2}
    old, old_problems = course_view(
        draft.catalog, objectives=objectives, activities=activities, **kw
    )
    new, new_problems = content_view(
        draft.catalog, objectives=row_content(objectives), activities=row_content(activities), **kw
    )
    assert new_problems == old_problems
    for name in ("courses", "objectives", "activities"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name))
        assert getattr(new, name) is not getattr(old, name)  # each view its own frames


def test_content_view_refuses_rows_without_a_contract_column(sample_copy) -> None:
    from socialkit.editor.draft import DesignDraft

    draft = DesignDraft(sample_copy)
    objectives = row_content(draft.objectives().drop(columns="statement"))
    with pytest.raises(ValueError, match="the rows have no 'statement' column"):
        content_view(
            draft.catalog,
            course=draft.course(),
            row=2,
            objectives=objectives,
            activities=row_content(draft.activities()),
        )


def test_content_view_refuses_activities_without_a_contract_column(sample_copy) -> None:
    from socialkit.editor.draft import DesignDraft

    draft = DesignDraft(sample_copy)
    with pytest.raises(ValueError, match="the rows have no 'timing' column"):
        content_view(
            draft.catalog,
            course=draft.course(),
            row=2,
            objectives=row_content(draft.objectives()),
            activities=row_content(draft.activities().drop(columns="timing")),
        )
