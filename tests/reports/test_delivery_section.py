"""The course report's "How it went" section and the overview's delivery columns, made by
the real report batch (papermill, a real kernel) on the bundled sample with delivery data
for one course, written by hand in a temporary folder.

By hand: course it-risk gets run ``<b>r1</b>`` (2 March 2026, 09:00-17:00 at +01:00, that
is 08:00-16:00 UTC, in Europe/Paris), learners Ann and Bob and trainer Tina. A1 (before,
one-to-many, Viva Engage; its title holds ``<b>``) and A2 (before, many-to-many, Viva Engage)
list xAPI ids; A3, A5 and A6 use a tool but list none (untracked); A4 is in class without a
tool (not expected). Ann views A1 one second before 08:00 UTC, Bob one second after
16:00 UTC. So A1: 2 participants, 1 before, 1 after, realised before (the tie goes to the
plan) and one-to-many: as planned; A2: nobody (not done, not as planned). Pre-work: 1 of the
4 (learner, pre-work activity) pairs done before class: 25%; as planned: 1 of 2: 50%; tools
actually used: Viva Engage. Warnings: untracked (A3, A5, A6) and not-done (A2).
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from socialkit.reports.runner import run_reports

SAMPLE = Path(__file__).resolve().parents[2] / "data"
RUN = "<b>r1</b>"
A1_TITLE = "Read a <b>short</b> definition of project risk"


def delivery_portfolio(dest: Path, *, statements: bool = True) -> Path:
    shutil.copytree(SAMPLE, dest)
    shutil.rmtree(dest / "statements", ignore_errors=True)
    for name in ("runs.csv", "people.csv"):
        (dest / name).unlink(missing_ok=True)
    # the sample's own xapi_ids give way to this test's: only it-risk A1 and A2 are tracked
    with (dest / "activities.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = {
        ("it-risk", "A1"): "https://lms.example.org/a1",
        ("it-risk", "A2"): "https://lms.example.org/a2",
    }
    for row in rows:
        row["xapi_ids"] = ids.get((row["course_id"], row["activity_id"]), "")
        if (row["course_id"], row["activity_id"]) == ("it-risk", "A1"):
            row["title"] = A1_TITLE
    with (dest / "activities.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (dest / "runs.csv").write_text(
        "course_id,run_id,starts,ends,timezone,registration\n"
        f"it-risk,{RUN},2026-03-02T09:00+01:00,2026-03-02T17:00+01:00,Europe/Paris,\n",
        encoding="utf-8",
    )
    (dest / "people.csv").write_text(
        "course_id,run_id,person,role\n"
        f"it-risk,{RUN},mailto:tina@example.org,trainer\n"
        f"it-risk,{RUN},mailto:ann@example.org,learner\n"
        f"it-risk,{RUN},mailto:bob@example.org,learner\n",
        encoding="utf-8",
    )
    if statements:
        (dest / "statements").mkdir()
        line = (
            '{{"id": "00000000-0000-4000-8000-00000000000{n}", '
            '"actor": {{"mbox": "mailto:{who}@example.org"}}, '
            '"verb": {{"id": "http://id.tincanapi.com/verb/viewed"}}, '
            '"object": {{"id": "https://lms.example.org/a1"}}, "timestamp": "{time}"}}\n'
        )
        (dest / "statements" / "s.jsonl").write_text(
            line.format(n=1, who="Ann", time="2026-03-02T07:59:59Z")
            + line.format(n=2, who="bob", time="2026-03-02T16:00:01Z"),
            encoding="utf-8",
        )
    return dest


def section(page: str, title: str) -> str:
    """The HTML from the ``<h2>`` titled ``title`` to the next ``<h2>`` (or the end)."""
    start = re.search(rf"<h2[^>]*>{re.escape(title)}", page)
    assert start, f"no section {title!r}"
    end = page.find("<h2", start.end())
    return page[start.start() : end if end != -1 else len(page)]


def figures(part: str) -> list[dict]:
    """The plotly figures drawn in a piece of page: data and layout of each newPlot call."""
    found, decoder = [], json.JSONDecoder()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"sk-figure-\d+",\s*', part):
        data, end = decoder.raw_decode(part, m.end())
        rest = part[end:].lstrip().lstrip(",").lstrip()
        layout, _ = decoder.raw_decode(rest)
        found.append({"data": data, "layout": layout})
    return found


def text(part: str) -> str:
    no_scripts = re.sub(r"<script.*?</script>", " ", part, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", no_scripts))).strip()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("delivery")
    source = delivery_portfolio(root / "portfolio")
    out = root / "reports"
    result = run_reports(source, out=out, courses=["it-risk", "onboarding-30"], jobs=1)
    status = dict(zip(result.courses["course_id"], result.courses["status"], strict=True))
    assert status["it-risk"] == status["onboarding-30"] == "made", result.courses.to_string()
    hrefs = dict(zip(result.courses["course_id"], result.courses["href"], strict=True))
    pages = {c: (out / hrefs[c]).read_text(encoding="utf-8") for c in ("it-risk", "onboarding-30")}
    pages["index"] = (out / "index.html").read_text(encoding="utf-8")
    return pages


def test_the_section_gives_the_runs_figures_worked_out_by_hand(made) -> None:
    went = section(made["it-risk"], "How it went")
    words = text(went)
    assert "Run <b>r1</b>" in words  # as written, shown as text
    assert "2 learners enrolled" in words
    assert "1 of 2 tracked activities done" in words
    assert "25% pre-work done before class" in words
    assert "50% activities as planned" in words
    assert "Starts Mon 2 Mar 2026, 09:00 (Europe/Paris)" in words
    assert "Ends Mon 2 Mar 2026, 17:00 (Europe/Paris)" in words
    assert "Tools actually used: Viva Engage" in words
    assert "untracked" in words and "not-done" in words
    assert "nobody did it (0 of 2 learners" in words
    assert "prework-skipped" not in words and "other-phase" not in words


def test_the_section_draws_the_matrix_and_the_engagement_by_hand(made) -> None:
    matrix, engaged = figures(section(made["it-risk"], "How it went"))
    planned, realised = matrix["data"]
    assert planned["z"] == [[1, 0, 1], [0, 0, 0], [0, 0, 0]]  # A1 and A2, both before
    assert realised["z"] == [[1, 0, 0], [0, 0, 0], [0, 0, 0]]  # A1 only
    bars = {t["name"]: t["x"] for t in engaged["data"] if t["type"] == "bar"}
    assert bars["before"] == [1, 0, 0, 0, 0, 0]
    assert bars["after"] == [1, 0, 0, 0, 0, 0]
    assert bars["no statement"] == [0, 2, 0, 0, 0, 0]
    assert engaged["layout"]["xaxis"]["range"] == [0, 2]


def test_user_text_is_escaped_in_the_page_and_the_figures(made) -> None:
    went = section(made["it-risk"], "How it went")
    assert RUN not in went and "<b>short</b>" not in went
    assert "Run &lt;b&gt;r1&lt;/b&gt;" in went
    matrix, engaged = figures(went)
    assert "&lt;b&gt;r1&lt;/b&gt;" in matrix["layout"]["title"]["text"]
    assert engaged["data"][0]["y"][0].startswith("Step 1: Read a &lt;b&gt;short&lt;/b&gt;")


def test_a_course_without_runs_says_so_in_one_line(made) -> None:
    went = section(made["onboarding-30"], "How it went")
    assert "No delivery data is recorded for this course." in text(went)
    assert not figures(went)


def course_table(page: str) -> dict[str, dict[str, str]]:
    """The overview's table of every course as drawn without scripts: course id -> row."""
    start = page.index('<div id="sk-courses_fallback">')
    body = page[start : page.index("</table>", start)]
    head = [text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", body, flags=re.S)]
    rows = [
        [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]
    found = [dict(zip(head, r, strict=True)) for r in rows]
    return {r["Course"].split()[-1]: r for r in found}


def test_the_overview_has_prework_and_as_planned_per_course(made) -> None:
    rows = course_table(made["index"])
    it_risk, onboarding = rows["it-risk"], rows["onboarding-30"]
    assert (it_risk["Pre-work done"], it_risk["As planned"]) == ("25%", "50%")
    assert it_risk["Delivery warnings"] == "2"  # untracked and not-done
    no_runs = ("Pre-work done", "As planned", "Delivery warnings")
    assert [onboarding[c] for c in no_runs] == ["", "", ""]  # no runs: blank
    assert "2 delivery warnings" in text(made["index"])
    chart = figures(made["index"])[0]
    assert [t["name"] for t in chart["data"]] == ["pre-work done", "as planned"]
    assert [t["x"] for t in chart["data"]] == [[25.0], [50.0]]


def test_runs_without_statement_files_are_said_in_one_line(tmp_path) -> None:
    source = delivery_portfolio(tmp_path / "portfolio", statements=False)
    result = run_reports(source, out=tmp_path / "out", courses=["it-risk"], jobs=1)
    (href,) = result.courses.loc[result.courses["course_id"].eq("it-risk"), "href"]
    went = section((tmp_path / "out" / href).read_text(encoding="utf-8"), "How it went")
    assert "The course has 1 run, but the portfolio holds no statement files" in text(went)
    assert not figures(went)
    index = course_table((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    no_data = ("Pre-work done", "As planned", "Delivery warnings")
    assert [index["it-risk"][c] for c in no_data] == ["", "", ""]


def test_the_batch_makes_a_course_again_when_its_statements_change(tmp_path) -> None:
    source = delivery_portfolio(tmp_path / "portfolio")
    out = tmp_path / "out"
    courses = ["it-risk", "onboarding-30"]

    def statuses():
        result = run_reports(source, out=out, courses=courses, jobs=1)
        return dict(zip(result.courses["course_id"], result.courses["status"], strict=True))

    first = statuses()
    assert (first["it-risk"], first["onboarding-30"]) == ("made", "made")
    log = source / "statements" / "s.jsonl"
    log.write_text(log.read_text(encoding="utf-8").replace("07:59:59Z", "08:00:01Z"))
    now = statuses()
    assert (now["it-risk"], now["onboarding-30"]) == ("made", "unchanged")
    page = (out / "courses").glob("it-risk*.html")
    assert "0% pre-work done before class" in text(next(page).read_text(encoding="utf-8"))
