"""Faults of output: user text shown as text in charts and on the terminal (issue 11, item 5).

Each case is reproduced as a user meets it: a portfolio whose course title, activity
titles and tool names hold plotly markup gives figures, and a portfolio whose course title
holds terminal control sequences is checked with the real command, in a subprocess and
with click's runner. The promise: the user's text is shown literally, nothing in it is
run, and the command still says what it always says.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
from click.testing import CliRunner
from conftest import ORGANISATIONS, TOOLS, act, make_notebook, make_portfolio

from socialkit.charts import course as charts
from socialkit.charts import portfolio as portfolio_charts
from socialkit.cli import main
from socialkit.contract.io import sample_path

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- charts
LINK = '<a href="https://evil.example/x">LINK</a><b>BOLD</b>'
LINK_SHOWN = '&lt;a href="https://evil.example/x"&gt;LINK&lt;/a&gt;&lt;b&gt;BOLD&lt;/b&gt;'
ODD = "& < > \" ' &amp; $x$ %{y}"
ODD_SHOWN = "&amp; &lt; &gt; \" ' &amp;amp; &#36;x&#36; %{y}"
LONG_TITLE = "<b>BOLD</b> & <i>it</i> goes on and on"  # 31 characters up to "on"
LONG_SHOWN = "&lt;b&gt;BOLD&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt; goes on and on"
LONG_LABEL = "&lt;b&gt;BOLD&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt; goes on…"
TOOL = "Wiki <b>&amp;</b> $x$"
TOOL_SHOWN = "Wiki &lt;b&gt;&amp;amp;&lt;/b&gt; &#36;x&#36;"
DOMAIN = "wiki.example.org"


@pytest.fixture(scope="module")
def hostile():
    """Course ``h1`` (Acme, which blocks the Wiki tool's domain) with markup in its texts."""
    tools = [
        *TOOLS,
        {
            "tool": TOOL,
            "tool_types": "content",
            "directions": "one-to-many",
            "hosting": "external",
            "onboarding": "none",
            "domains": DOMAIN,
        },
    ]
    orgs = [dict(ORGANISATIONS[0], blocked_domains=f"tube.example.org;{DOMAIN}")]
    courses = [{"course_id": "h1", "title": LINK, "organisation": "Acme"}]
    objectives = [{"course_id": "h1", "objective_id": "o1", "statement": ODD}]
    activities = [
        act("h1", "a1", 1, title=ODD, timing="before", direction="one-to-many", tool="Engage"),
        act("h1", "a2", 2, title=LONG_TITLE, timing="after", tool_type="content", tool=TOOL),
    ]
    return make_portfolio(courses, objectives, activities, tools, [*orgs, ORGANISATIONS[1]])


def figures(p) -> dict[str, go.Figure]:
    per_course = {
        "matrix": charts.matrix_figure(p, course_id="h1"),
        "swimlane": charts.swimlane_figure(p, course_id="h1"),
        "tool fit": charts.tool_fit_figure(p, course_id="h1"),
        "learning mix": charts.learning_mix_figure(p, course_id="h1"),
    }
    return per_course | {
        "checklist": portfolio_charts.checklist_figure(p),
        "outside share": portfolio_charts.outside_share_figure(p),
        "direction mix": portfolio_charts.direction_mix_figure(p),
    }


def strings(node) -> list[str]:
    """Every string anywhere in a figure's JSON (titles, data, hover templates...)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list | tuple):
        return [s for value in node for s in strings(value)]
    return []


@pytest.mark.parametrize("name", ["matrix", "swimlane", "tool fit", "learning mix"])
def test_course_charts_title_shows_the_course_title_as_written(hostile, name):
    title = figures(hostile)[name].layout.title.text
    # a long title is wrapped: only spaces become line breaks
    assert title.replace("<br>", " ").endswith(f"— course h1 ({LINK_SHOWN})"), title


def test_no_user_markup_reaches_any_figure(hostile):
    for name, fig in figures(hostile).items():
        found = strings(fig.to_plotly_json())
        for raw in ("<a ", "<b>BOLD", "<i>", "$x$", "&amp;</b>", "\" ' &amp; $"):
            leaks = [s for s in found if raw in s]
            assert leaks == [], f"{name}: raw user text {raw!r} in {leaks}"


def test_swimlane_labels_and_hover_hold_the_escaped_text(hostile):
    fig = charts.swimlane_figure(hostile, course_id="h1")
    by_name = {trace.name: trace for trace in fig.data}
    pushed, undecided = by_name["one-to-many"], by_name["undecided"]
    assert list(pushed.text) == [ODD_SHOWN]  # short: the whole title
    assert list(undecided.text) == [LONG_LABEL]  # cut before escaping, never inside "&lt;"
    assert [list(row) for row in pushed.customdata] == [[ODD_SHOWN, "Engage", "—", "one-to-many"]]
    assert [list(row) for row in undecided.customdata] == [
        [LONG_SHOWN, TOOL_SHOWN, "content", "undecided"]
    ]
    # the tidy data keeps the text as it is
    data = charts.swimlane_data(hostile, course_id="h1")
    assert data["title"].tolist() == [ODD, LONG_TITLE]
    assert data["label"].tolist() == [ODD, "<b>BOLD</b> & <i>it</i> goes on…"]


def test_tool_fit_cells_hold_the_escaped_text(hostile):
    cells = charts.tool_fit_figure(hostile, course_id="h1").data[0].cells.values
    header = list(charts.tool_fit_figure(hostile, course_id="h1").data[0].header.values)
    activity, tool = cells[1], cells[2]
    blocked = cells[header.index("Blocked")]
    assert list(activity) == [f"a1 {ODD_SHOWN}", f"a2 {LONG_SHOWN}"]
    assert list(tool) == ["Engage", TOOL_SHOWN]
    assert list(blocked) == ["no", f"yes ({DOMAIN})"]
    assert charts.tool_fit_data(hostile, course_id="h1")["tool"].tolist() == ["Engage", TOOL]


def test_portfolio_hover_holds_the_escaped_title_and_gaps(hostile):
    checklist = portfolio_charts.checklist_figure(hostile).data[0]
    q1 = checklist.customdata[0][0]
    assert q1.startswith(f"h1 ({LINK_SHOWN})<br>Q1. What is the learning objective?<br>")
    # its gaps ("activity 'a1' (...) is linked to no objective") name the titles
    assert "<br>• " in q1 and "&amp;" in q1 and "<i>" not in q1
    assert list(checklist.y) == ["h1"]
    outside = portfolio_charts.outside_share_figure(hostile).data[0]
    assert [list(row) for row in outside.customdata] == [[LINK_SHOWN]]
    assert list(outside.y) == ["h1"]
    assert portfolio_charts.outside_share_data(hostile)["title"].tolist() == [LINK]


def test_long_course_title_survives_whole(hostile):
    long = "A" * 2000 + " <b>&</b>"
    p = make_portfolio(
        [{"course_id": "c1", "title": long}],
        [],
        [act("c1", "a1", 1, title="x" * 500, timing="before")],
    )
    fig = charts.swimlane_figure(p, course_id="c1")
    # wrapped at its spaces (the 2,000 A's stand on a line of their own), nothing cut
    title = fig.layout.title.text
    assert title.replace("<br>", " ").endswith("A" * 2000 + " &lt;b&gt;&amp;&lt;/b&gt;)")
    assert list(fig.data[0].text) == ["x" * 31 + "…"]
    assert fig.data[0].customdata[0][0] == "x" * 500


# --------------------------------------------------------------------------- terminal
CONTROL_TITLE = "IT risk \x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\r\tend\x7f"
CONTROL_SHOWN = "IT risk \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eevil\\r\\tend\\x7f"
#: What a terminal must never receive from user data: C0 but line feed, DEL, C1, bidi.
FORBIDDEN = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x202E]} - {"\n"}


def _controlled_sample(tmp_path: Path, title: str = CONTROL_TITLE) -> Path:
    """The sample with it-risk's title (courses.csv row 2) set to ``title``."""
    dest = tmp_path / "portfolio"
    shutil.copytree(sample_path(), dest, ignore=shutil.ignore_patterns("*.md"))
    path = dest / "courses.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][:1] == ["it-risk"]
    rows[1][rows[0].index("title")] = title
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return dest


def _command(*args: str | Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m socialkit ...`` in a subprocess, output as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "socialkit", *map(str, args)],
        capture_output=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_check_on_a_terminal_shows_control_characters_as_escapes(tmp_path):
    portfolio = _controlled_sample(tmp_path)
    result = _command("check", portfolio)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    assert not FORBIDDEN & set(out), sorted(FORBIDDEN & set(out))
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    line = next(x for x in out.splitlines() if x.startswith("  it-risk "))
    assert line.endswith(f"warnings   0  {CONTROL_SHOWN}"), line
    assert out.rstrip().endswith("valid: 14 course(s), 13 warning(s)")


def test_check_json_keeps_the_title_and_sends_no_control_character(tmp_path):
    portfolio = _controlled_sample(tmp_path)
    result = _command("check", portfolio, "--json")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    assert not FORBIDDEN & set(out), sorted(FORBIDDEN & set(out))
    courses = {c["course_id"]: c for c in json.loads(out)["courses"]}
    assert courses["it-risk"]["title"] == CONTROL_TITLE


def test_check_with_click_runner_escapes_the_title(tmp_path):
    portfolio = _controlled_sample(tmp_path)
    result = CliRunner().invoke(main, ["check", str(portfolio)])
    assert result.exit_code == 0, result.output
    assert not FORBIDDEN & set(result.output)
    assert CONTROL_SHOWN in result.output


def test_error_line_escapes_a_path_with_control_characters(tmp_path):
    missing = tmp_path / "gone\x1b]0;owned\x07\x1b[2J"
    result = _command("convert", missing, tmp_path / "out.xlsx")
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert b"\x1b" not in result.stderr and b"\x07" not in result.stderr
    assert err.startswith("error: ") and "gone\\x1b]0;owned\\x07\\x1b[2J" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out.xlsx").exists()


def test_output_a_terminal_cannot_encode_is_escaped_not_a_traceback(tmp_path):
    portfolio = _controlled_sample(tmp_path, title="Café — <b>ok</b>")
    result = _command("check", portfolio, PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert "Caf\\xe9 \\u2014 <b>ok</b>" in result.stdout.decode("ascii")


def test_invisible_characters_in_check_output_become_visible(tmp_path):
    # a right-to-left override shows "evil" reversed; a zero-width space hides in a word
    portfolio = _controlled_sample(tmp_path, title="pay\u202egnp.exe a\u200bb \u00e9\u200d")
    result = CliRunner().invoke(main, ["check", str(portfolio)])
    assert result.exit_code == 0, result.output
    assert "pay\\u202egnp.exe a\\u200bb \u00e9\u200d" in result.output  # the joiner stays


def test_report_failure_line_escapes_the_error_of_the_notebook(tmp_path):
    # a course notebook whose error message carries the title's control sequences
    notebook = make_notebook(
        tmp_path / "mine.ipynb", 'raise ValueError("title \\x1b]0;owned\\x07\\x1b[2J")'
    )
    out = tmp_path / "out"
    result = _command(
        "report", sample_path(), "--out", out, "--course", "it-risk",
        "--notebook", notebook, "--jobs", "1",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr.decode()
    for stream in (result.stdout, result.stderr):
        assert b"\x1b" not in stream and b"\x07" not in stream, stream
        assert b"Traceback" not in stream
    lines = result.stdout.decode("utf-8").splitlines()
    failed = [line for line in lines if line.startswith("failed: it-risk: ")]
    assert len(failed) == 1, lines
    assert "ValueError" in failed[0] and "title \\x1b]0;owned\\x07\\x1b[2J" in failed[0]
    assert (out / "failed" / "it-risk.ipynb").is_file()


def test_every_line_the_command_line_prints_goes_through_its_echo_helpers():
    """A new ``click.echo`` (or ``print``) in cli.py would pass user text to the terminal
    raw: only ``echo`` and ``echo_json`` may call ``click.echo``."""
    import ast

    tree = ast.parse((ROOT / "socialkit" / "cli.py").read_text(encoding="utf-8"))
    raw = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or function.name in ("echo", "echo_json"):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("click.echo", "click.secho", "print", "sys.stdout.write"):
                    raw.append(f"{function.name}, line {node.lineno}: {name}")
    assert raw == []
