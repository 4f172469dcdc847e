"""socialkit.reports.display: the plotly renderer, the portfolio cache and the HTML fragment
builders."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from socialkit.reports import display
from socialkit.reports.display import Fragment

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
AMP = "Q&A"
HOSTILE = [SCRIPT, IMG, AMP]
ESCAPED = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    IMG: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    AMP: "Q&amp;A",
}


def assert_escaped(out: str, text: str) -> None:
    assert ESCAPED[text] in out
    assert "<script" not in out and "<img" not in out


# --------------------------------------------------------------------------- text
@pytest.mark.parametrize("text", HOSTILE)
def test_escape_escapes_text(text: str) -> None:
    out = display.escape(text)
    assert out == ESCAPED[text]
    assert isinstance(out, Fragment)


def test_escape_passes_fragments_and_blanks() -> None:
    assert display.escape(Fragment("<b>x</b>")) == "<b>x</b>"
    for blank in (None, np.nan, pd.NA, "", "  "):
        assert display.escape(blank) == ""
    assert display.escape(3) == "3"
    assert display.escape("it's") == "it&#x27;s"


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), (np.nan, True), (pd.NA, True), ("", True), (" \t", True),
     (Fragment(""), True), ("x", False), (0, False), (0.0, False), (False, False)],
)  # fmt: skip
def test_is_blank(value: object, blank: bool) -> None:
    assert display.is_blank(value) is blank


def test_join_escapes_text_keeps_fragments_and_skips_blanks() -> None:
    out = display.join(SCRIPT, Fragment("<br>"), None, AMP, sep=" & ")
    assert out == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <br> &amp; Q&amp;A"


# --------------------------------------------------------------------------- small builders
@pytest.mark.parametrize("text", HOSTILE)
def test_badge(text: str) -> None:
    out = display.badge(text, "failed")
    assert out == f'<span class="sk-badge sk-badge-failed">{ESCAPED[text]}</span>'


def test_badge_and_note_refuse_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown kind 'x\" onclick'"):
        display.badge("a", 'x" onclick')
    with pytest.raises(ValueError, match="unknown kind 'loud'"):
        display.note("a", "loud")


def test_decided() -> None:
    assert display.decided(None) == (
        '<span class="sk-badge sk-badge-undecided">not decided yet</span>'
    )
    assert display.decided("", "not given").endswith(">not given</span>")
    assert display.decided(IMG) == ESCAPED[IMG]


@pytest.mark.parametrize("text", HOSTILE)
def test_link_escapes_href_and_label(text: str) -> None:
    out = display.link(f"courses/{text}.html", text)
    assert out == f'<a href="courses/{ESCAPED[text]}.html">{ESCAPED[text]}</a>'


@pytest.mark.parametrize(
    "href", ["courses/a.html", "a.html#top", "https://example.org/x?a=1", "mailto:x@example.org"]
)
def test_link_keeps_relative_and_web_targets(href: str) -> None:
    assert display.link(href, "go") == f'<a href="{href}">go</a>'


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "", None]
)
def test_link_gives_plain_text_for_other_targets(href: object) -> None:
    assert display.link(href, SCRIPT) == ESCAPED[SCRIPT]


def test_bullets() -> None:
    out = display.bullets([SCRIPT, Fragment("<b>x</b>")])
    assert out == f'<ul class="sk-list"><li>{ESCAPED[SCRIPT]}</li><li><b>x</b></li></ul>'
    assert display.bullets(["a"], ordered=True) == '<ol class="sk-list"><li>a</li></ol>'
    assert display.bullets([]) == ""
    assert display.bullets([], empty=AMP) == '<p class="sk-empty">Q&amp;A</p>'


@pytest.mark.parametrize("text", HOSTILE)
def test_note(text: str) -> None:
    out = display.note(text, "warning", title=text)
    assert out == (
        f'<div class="sk-note sk-note-warning"><strong>{ESCAPED[text]}</strong> '
        f"{ESCAPED[text]}</div>"
    )
    assert display.note("ok") == '<div class="sk-note sk-note-info">ok</div>'


@pytest.mark.parametrize("text", HOSTILE)
def test_stats(text: str) -> None:
    out = display.stats([(4, text)])
    assert out == (
        '<div class="sk-stats"><div class="sk-stat"><span class="sk-stat-value">4</span>'
        f'<span class="sk-stat-label">{ESCAPED[text]}</span></div></div>'
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_header(text: str) -> None:
    out = display.header(
        text, kicker=text, facts=[(text, text), ("Owner", None)], extra=Fragment("<hr>")
    )
    e = ESCAPED[text]
    assert out == (
        f'<header class="sk-header"><p class="sk-kicker">{e}</p><h1>{e}</h1>'
        f'<dl class="sk-facts"><div><dt>{e}</dt><dd>{e}</dd></div>'
        '<div><dt>Owner</dt><dd><span class="sk-badge sk-badge-undecided">not given</span>'
        "</dd></div></dl><hr></header>"
    )
    assert display.header("T") == '<header class="sk-header"><h1>T</h1></header>'


@pytest.mark.parametrize("text", HOSTILE)
def test_group(text: str) -> None:
    out = display.group(text, text, tag=text)
    e = ESCAPED[text]
    assert out == (
        '<section class="sk-group"><h3 class="sk-group-title">'
        f'<span class="sk-badge sk-badge-id">{e}</span> {e}</h3>{e}</section>'
    )


# --------------------------------------------------------------------------- table
def test_table_by_hand() -> None:
    df = pd.DataFrame({"a": ["x", None], "b": [1, 2], "c": ["p", "q"]})
    out = display.table(
        df, ["b", "a"], {"a": "A"}, row_kind=lambda r: "ok" if r["b"] == 2 else None
    )
    assert out == (
        '<div class="sk-table-wrap"><table class="sk-table"><thead><tr><th>b</th><th>A</th>'
        "</tr></thead><tbody><tr><td>1</td><td>x</td></tr>"
        '<tr class="sk-row-ok"><td>2</td><td><span class="sk-badge sk-badge-undecided">'
        "not decided yet</span></td></tr></tbody></table></div>"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_table_escapes_cells_headers_and_formats(text: str) -> None:
    df = pd.DataFrame({"a": [text], "b": [text]})
    out = display.table(df, labels={"a": text}, formats={"b": lambda v: v + "!"})
    assert out.count(ESCAPED[text]) == 3
    assert_escaped(out, text)


def test_table_keeps_fragments_of_records_but_not_of_frames() -> None:
    cell = display.badge("ok", "ok")
    assert str(cell) in display.table([{"x": cell}])
    # a DataFrame turns fragments into plain strings: they are escaped, never trusted
    assert "&lt;span" in display.table(pd.DataFrame({"x": [cell]}))


def test_table_blank_placeholders() -> None:
    df = pd.DataFrame({"a": [None]})
    assert ">later</span>" in display.table(df, blank="later")
    assert "<td>—</td>" in display.table(df, blank=Fragment("—"))
    assert "<td>-</td>" in display.table(df, formats={"a": lambda v: "-" if v is None else v})


def test_table_empty() -> None:
    assert display.table(pd.DataFrame({"a": []})) == '<p class="sk-empty">Nothing to show.</p>'
    assert display.table([], ["a"], empty=SCRIPT) == f'<p class="sk-empty">{ESCAPED[SCRIPT]}</p>'


def test_table_errors() -> None:
    with pytest.raises(KeyError, match="no column 'z'"):
        display.table(pd.DataFrame({"a": [1]}), ["z"])
    with pytest.raises(KeyError, match="no column 'z'"):
        display.table([{"a": 1}], ["a", "z"])
    with pytest.raises(ValueError, match="unknown kind 'bad'"):
        display.table([{"a": 1}], row_kind=lambda r: "bad")


def test_show_emits_one_html_output(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: seen.append((obj, raw)))
    display.show(SCRIPT, display.badge("b"))
    assert seen == [
        ({"text/html": ESCAPED[SCRIPT] + '<span class="sk-badge sk-badge-neutral">b</span>'}, True)
    ]


# --------------------------------------------------------------------------- figures
@pytest.fixture
def renderer_default():
    before = pio.renderers.default
    yield
    pio.renderers.default = before


def test_setup_makes_renderer_default_and_numbers_figures(renderer_default) -> None:
    display.setup()
    assert pio.renderers.default == display.RENDERER
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    bundle = pio.renderers[display.RENDERER].to_mimebundle(fig.to_dict())
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"}
    assert bundle["application/vnd.plotly.v1+json"]["data"][0]["type"] == "bar"
    assert 'id="sk-figure-1"' in bundle["text/html"]
    assert 'id="sk-figure-2"' in display.figure_html(fig.to_dict())
    display.reset()
    assert 'id="sk-figure-1"' in display.figure_html(fig.to_dict())
    display.setup()
    assert 'id="sk-figure-1"' in display.figure_html(fig.to_dict())


def test_figure_html_loads_no_plotly_and_escapes_text() -> None:
    display.reset()
    out = display.figure_html(go.Figure(layout_title_text="</script>" + SCRIPT).to_dict())
    assert "Plotly.newPlot" in out and "cdn" not in out and "<script src" not in out
    assert out.count("</script>") == 1  # only the fragment's own closing tag


# --------------------------------------------------------------------------- loading
def test_load_reuses_unchanged_files_and_rereads_changed_ones(sample_copy) -> None:
    first = display.load(sample_copy)
    assert display.load(sample_copy) is first
    assert display.load(str(sample_copy)) is first
    courses = sample_copy / "courses.csv"
    text = courses.read_text(encoding="utf-8")
    courses.write_text(text.replace("Measuring the risks", "Measuring risks"), encoding="utf-8")
    st = os.stat(courses)
    os.utime(courses, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    second = display.load(sample_copy)
    assert second is not first
    assert second.courses["title"].iloc[0] == "Measuring risks of international projects"
    assert display.load(sample_copy) is second


def test_load_without_path_reads_the_sample() -> None:
    p = display.load(None)
    assert p is display.load("")
    assert "it-risk" in p.course_ids


def test_load_of_a_missing_path_raises(tmp_path) -> None:
    from socialkit.errors import PortfolioNotFoundError

    with pytest.raises(PortfolioNotFoundError):
        display.load(tmp_path / "nowhere")


# --------------------------------------------------------------------------- per-course views
def test_cached_computes_once_per_portfolio(two_courses) -> None:
    calls = []

    def analysis(p):
        calls.append(p)
        return pd.DataFrame({"course_id": ["c1", "c2", "c1"], "n": [1, 2, 3]})

    first = display.cached(analysis, two_courses)
    first.loc[0, "n"] = 99  # a caller's change is not seen by the next one
    assert display.cached(analysis, two_courses)["n"].tolist() == [1, 2, 3]
    assert len(calls) == 1


def test_for_course_takes_one_course_in_source_order(two_courses) -> None:
    calls = []

    def analysis(p):
        calls.append(p)
        return pd.DataFrame({"course_id": ["c1", "c2", "c1"], "n": [1, 2, 3]})

    c1 = display.for_course(two_courses, "c1", analysis)
    assert c1.to_dict("list") == {"course_id": ["c1", "c1"], "n": [1, 3]}
    assert list(c1.index) == [0, 1]
    assert display.for_course(two_courses, "c2", analysis)["n"].tolist() == [2]
    nothing = display.for_course(two_courses, "c9", analysis)
    assert nothing.empty and list(nothing.columns) == ["course_id", "n"]
    assert len(calls) == 1


def test_for_course_tables(two_courses) -> None:
    acts = display.for_course(two_courses, "c1", "activities")
    assert acts["activity_id"].tolist() == ["a1", "a2", "a3", "a4", "a5"]
    assert display.for_course(two_courses, "c2", "objectives").empty
    assert display.for_course(two_courses, "c2", "courses")["title"].tolist() == ["Tool-first"]
    with pytest.raises(ValueError, match="unknown table 'tools'"):
        display.for_course(two_courses, "c1", "tools")
