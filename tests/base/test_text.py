"""The text helpers: plotly's markup escaped, terminal controls shown, JSON kept equal."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import plotly
import pytest

from socialkit.base.text import chart_text, chart_texts, json_safe, stream_safe, terminal_safe

#: Characters a terminal must get escaped: as the module documents it, from unicodedata.
KEPT = {"\n", "\u200c", "\u200d"}


def unsafe(code: int) -> bool:
    char = chr(code)
    return char not in KEPT and unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


# --------------------------------------------------------------------------- charts
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<b>BOLD</b>", "&lt;b&gt;BOLD&lt;/b&gt;"),
        (
            '<a href="https://evil.example/x">L</a>',
            '&lt;a href="https://evil.example/x"&gt;L&lt;/a&gt;',
        ),
        ("&amp; &lt; &#36;", "&amp;amp; &amp;lt; &amp;#36;"),
        ("$E=mc^2$ costs $5", "&#36;E=mc^2&#36; costs &#36;5"),
        ("Health, Safety & Environment", "Health, Safety &amp; Environment"),
        ("\"quoted\" 'too' %{x}", "\"quoted\" 'too' %{x}"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_chart_text_escapes_what_plotly_reads_as_markup(text, shown):
    assert chart_text(text) == shown
    assert chart_texts(pd.Series([text, None], dtype="str")).tolist()[0] == shown


def test_chart_texts_keeps_missing_values_and_index():
    out = chart_texts(pd.Series(["<i>", None], index=[5, 7], dtype="str"))
    assert out.index.tolist() == [5, 7]
    assert out.iloc[0] == "&lt;i&gt;" and pd.isna(out.iloc[1])
    assert chart_text(12) == "12"


def test_bundled_plotly_js_decodes_the_entities_chart_text_writes():
    """chart_text relies on plotly.js decoding &amp; &lt; &gt; and numeric entities in text
    pieces once, after splitting at tags, and on its LaTeX test running before decoding."""
    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text("utf-8")
    where = f"plotly {plotly.__version__}'s plotly.min.js"
    assert re.search(r'amp:"&",lt:"<",gt:">"', js), f"{where} no longer decodes &amp; &lt; &gt;"
    assert r"/&(#\d+|#x[\da-fA-F]+|[a-z]+);/g" in js, f"{where}: numeric entities changed"
    assert r"/([^$]*)([$]+[^$]*[$]+)([^$]*)/" in js, f"{where}: its LaTeX test changed"


# --------------------------------------------------------------------------- terminal
def test_terminal_safe_shows_the_reproduction_as_escapes():
    title = "\x1b]0;owned\x07\x1b[2J"
    assert terminal_safe(title) == "\\x1b]0;owned\\x07\\x1b[2J"
    assert terminal_safe("a\tb\r\nc\x7f\x85\x9b[1m") == "a\\tb\\r\nc\\x7f\\x85\\x9b[1m"
    assert terminal_safe("\u202eabc\u2066\u200b\ufeff") == "\\u202eabc\\u2066\\u200b\\ufeff"
    assert terminal_safe("tag\U000e0041 lone\udcff") == "tag\\U000e0041 lone\\udcff"
    assert terminal_safe("C:\\risks é 👩\u200d💻 \u00a0") == "C:\\risks é 👩\u200d💻 \u00a0"
    assert terminal_safe(3) == "3"


def test_terminal_safe_escapes_exactly_the_documented_characters():
    # every code point of Unicode, against the categories the module documents; a few
    # code points unassigned here but format characters in later Unicode versions (in
    # the blocks of U+2060 and U+13430, and the tag block) are escaped too
    escaped = {code for code in range(0x110000) if terminal_safe(chr(code)) != chr(code)}
    missed = [hex(code) for code in range(0x110000) if unsafe(code) and code not in escaped]
    extra = [hex(c) for c in sorted(escaped) if not unsafe(c)]
    assert missed == []
    assert all(unicodedata.category(chr(int(c, 16))) == "Cn" for c in extra), extra
    assert len(extra) <= 40, extra


def test_json_safe_gives_the_same_value_without_raw_controls():
    value = {
        "t": 'C:\\risks "q" \x1b[2J\x07\x7f\x85\x9b \u202e\u2028 \U000e0041 \ud800 é 😀\u200d',
        "n": [1, 2.5, None],
    }
    document = json.dumps(value, ensure_ascii=False)
    safe = json_safe(document)
    assert json.loads(safe) == value
    raw = {c for c in safe if unsafe(ord(c))}
    assert raw == set(), raw
    assert "\\u009b" in safe and "\\udb40\\udc41" in safe  # the tag character as a pair
    pretty = json.dumps({"a": "é"}, indent=2, ensure_ascii=False)
    assert json_safe(pretty) == pretty  # whitespace between values is left alone


def test_stream_safe_escapes_what_the_encoding_cannot_write():
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert stream_safe("Café — ok", ascii_stream) == "Caf\\xe9 \\u2014 ok"
    utf8_stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert stream_safe("Café — ok", utf8_stream) == "Café — ok"


@pytest.mark.parametrize("few", [500, -1])  # one by one, and by the four replacements
def test_chart_texts_escapes_each_value_and_keeps_missing_index_name_and_dtype(few, monkeypatch):
    monkeypatch.setattr("socialkit.base.text._FEW", few)
    values = pd.Series(
        pd.array(["a&b", None, "<i>$5", "plain", ""], dtype="str"), index=[3, 4, 5, 6, 7], name="n"
    )
    out = chart_texts(values)
    assert out.tolist()[:1] + out.tolist()[2:] == ["a&amp;b", "&lt;i&gt;&#36;5", "plain", ""]
    assert pd.isna(out.iloc[1])
    assert out.index.tolist() == [3, 4, 5, 6, 7]
    assert (out.name, out.dtype) == ("n", values.dtype)
