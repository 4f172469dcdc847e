"""The shared chart pieces: titles that wrap instead of being cut."""

from __future__ import annotations

import pytest

from socialkit.charts import base


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
