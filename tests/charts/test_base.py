"""The shared chart pieces: titles that wrap instead of being cut."""

from __future__ import annotations

import pytest
from conftest import act, course, make_portfolio

from socialkit.charts import base
from socialkit.errors import UnknownCourseError


@pytest.fixture
def interleaved():
    """Courses k2 then k1, their activities in the file out of course and seq order."""
    return make_portfolio(
        [course("k2"), course("k1")],
        [],
        [act("k1", "x2", 2), act("k2", "y1", 1), act("k1", "x1", 1), act("k2", "y3", 3)],
    )


def test_course_codes_and_positions_follow_the_courses_table(interleaved) -> None:
    assert base.course_codes(interleaved).tolist() == [1, 0, 1, 0]
    assert base.course_positions(interleaved) == {"k2": 0, "k1": 1}
    assert base.course_position(interleaved, "k1") == 1
    with pytest.raises(UnknownCourseError, match="'nope'"):
        base.course_position(interleaved, "nope")


def test_in_sequence_keeps_each_course_together_in_seq_order(interleaved) -> None:
    # k2 (y1, y3) first, as the courses table lists it, then k1 (x1, x2)
    assert base.in_sequence(interleaved).tolist() == [1, 3, 2, 0]


def test_course_slice_picks_a_course_in_sequence_order(interleaved) -> None:
    assert base.course_slice(interleaved, "k2") == slice(0, 2)  # y1, y3
    assert base.course_slice(interleaved, "k1") == slice(2, 4)  # x1, x2
    with pytest.raises(UnknownCourseError, match="'nope'"):
        base.course_slice(interleaved, "nope")


@pytest.mark.parametrize(
    ("text", "width", "wrapped"),
    [
        ("short title", 60, "short title"),
        ("aaa bbb ccc", 7, "aaa bbb<br>ccc"),
        ("aaa bbb ccc", 6, "aaa<br>bbb<br>ccc"),
        # an escaped character counts as one, and no break splits it
        ("&lt;b&gt; xx yy", 6, "&lt;b&gt;<br>xx yy"),
        # balanced lines rather than a full one and a short tail
        ("aaaa bbbb cccc dddd ee", 20, "aaaa bbbb<br>cccc dddd ee"),
        # a word longer than a line has a line of its own
        ("a verylongword b", 5, "a<br>verylongword<br>b"),
    ],
)
def test_wrap_breaks_chart_text_at_spaces(text: str, width: int, wrapped: str) -> None:
    assert base.wrap(text, width) == wrapped


def test_a_long_title_is_wrapped_flush_left() -> None:
    words = " ".join(["word"] * 30)  # 149 characters
    title = base.title(words)
    assert title["x"] == 0.0
    lines = title["text"].split("<br>")
    assert len(lines) == 3 and all(len(line) <= base.TITLE_WIDTH for line in lines)
    assert " ".join(lines) == words


def test_each_figure_has_its_own_template() -> None:
    first, second = base.figure([], {"height": 300}), base.figure([], {"height": 300})
    assert first.to_json() == second.to_json()
    first.layout.template.layout.font.size = 30  # changes one figure only
    assert second.layout.template.layout.font.size != 30
    assert base.figure([], {}).layout.template == second.layout.template
    assert list(first.to_plotly_json()["layout"]) == ["template", "height"]
