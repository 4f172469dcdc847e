"""Executed notebooks → offline pages: file names, paths, page shell, plotly.js."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from socialkit.errors import ReportWriteError
from socialkit.reports.export import (
    PLOTLY_JS,
    course_href,
    course_slug,
    inside,
    notebook_body,
    page,
    write_plotly_js,
    write_text,
)


@pytest.mark.parametrize("course_id", ["it-risk", "a", "x_1-2", "0abc", "a" * 64])
def test_safe_ids_are_their_own_slug(course_id: str) -> None:
    assert course_slug(course_id) == course_id


@pytest.mark.parametrize(
    ("course_id", "stem"),
    [
        ("IT-Risk", "it-risk"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("a\\b", "a-b"),
        ("..", "course"),
        ("", "course"),
        ("con", "con"),
        ("-lead", "lead"),
        ("é", "course"),
    ],
)
def test_other_ids_get_a_cleaned_stem_and_a_hash(course_id: str, stem: str) -> None:
    slug = course_slug(course_id)
    assert re.fullmatch(rf"{re.escape(stem)}-[0-9a-f]{{8}}", slug)
    assert "/" not in slug and "\\" not in slug and ".." not in slug


def test_ids_differing_in_case_get_different_files() -> None:
    assert len({course_slug("it-risk"), course_slug("IT-risk"), course_slug("IT-RISK")}) == 3


def test_course_href_is_under_courses() -> None:
    assert course_href("it-risk") == "courses/it-risk.html"
    assert course_href("../x").startswith("courses/x-")


def test_every_href_stays_inside_the_output_folder(tmp_path: Path) -> None:
    for cid in ["../../x", "/etc/passwd", "..", "a/../../b", "C:\\x", "~root"]:
        target = inside(tmp_path, course_href(cid))
        assert tmp_path.resolve() in target.parents


@pytest.mark.parametrize("relative", ["../x.html", "/etc/passwd", "courses/../../x", "."])
def test_inside_refuses_paths_that_leave(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ReportWriteError, match=r"leaves the output folder"):
        inside(tmp_path, relative)


def test_page_escapes_the_title_and_loads_plotly_from_the_folder() -> None:
    html = page("<p>body</p>", title="<script>alert(1)</script> & co", root="../")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in html
    assert '<script src="../plotly.min.js"></script>' in html
    assert '<a href="../index.html">' in html
    assert "<p>body</p>" in html
    assert "http://" not in html and "https://" not in html


def test_index_page_has_no_back_link() -> None:
    html = page("", title="Overview")
    assert '<script src="plotly.min.js"></script>' in html
    assert "index.html" not in html


def executed_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code = 1\nsecret_code")
    code.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": "<b>shown</b>", "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("## A heading"), code]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_notebook_body_shows_outputs_and_markdown_but_no_code() -> None:
    body = notebook_body(executed_notebook())
    assert "<b>shown</b>" in body
    assert "printed" in body
    assert "A heading" in body
    assert "secret_code" not in body
    assert "<script" not in body  # no widget manager fetched from the web
    assert "In&nbsp;[" not in body and "Out[" not in body


def test_notebook_body_leaves_the_notebook_unchanged() -> None:
    nb = executed_notebook()
    before = nbformat.writes(nb)
    notebook_body(nb)
    assert nbformat.writes(nb) == before


def test_write_text_replaces_atomically(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "page.html"
    write_text(dest, "one")
    write_text(dest, "twö")
    assert dest.read_text(encoding="utf-8") == "twö"
    assert [p.name for p in dest.parent.iterdir()] == ["page.html"]


def test_plotly_js_is_written_once_and_repaired(tmp_path: Path) -> None:
    from plotly.offline import get_plotlyjs

    dest = write_plotly_js(tmp_path)
    assert dest == tmp_path / PLOTLY_JS
    assert dest.read_text(encoding="utf-8") == get_plotlyjs()
    stamp = dest.stat().st_mtime_ns
    write_plotly_js(tmp_path)
    assert dest.stat().st_mtime_ns == stamp
    dest.write_text("truncated")
    write_plotly_js(tmp_path)
    assert dest.read_text(encoding="utf-8") == get_plotlyjs()
