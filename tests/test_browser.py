"""The generated reports, opened in a real browser (headless Chromium via Playwright).

Every page of a report batch is opened through a ``file://`` URL, as a reader would open
it from a shared drive: it must draw every chart, log no error and request nothing from
the network (such requests are aborted and recorded). A second batch with hostile course
text checks that the text is shown, not run: in the page and inside the charts, where
plotly would read ``<a href>`` and ``<b>`` as markup, in their titles and hover labels
(hovering every bar, marker and heatmap cell must raise no page error). The overview of a
generated 1,000-course portfolio is used as a reader would: sorted, filtered, and left
through a link to a course. Needs Debian's ``chromium``
(``tests/install-browser.sh``) and the ``playwright`` package; skipped without them,
except in CI, where a missing browser fails the run.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browser_missing

from socialkit.analysis.advice import strategic_warnings
from socialkit.contract.io import load_portfolio, read_tables, sample_path, write_tables
from socialkit.contract.synth import write_portfolio
from socialkit.reports.runner import run_reports

pytestmark = pytest.mark.browser

#: Milliseconds a page may take to load and draw its charts.
TIMEOUT = 30_000
#: Pages loading side by side (parsing plotly.js takes a CPU for about a second).
AT_ONCE = 2

SCRIPT = "<script>window.__pwned = 1</script>"
HOSTILE = SCRIPT + '<img src=x onerror="window.__pwned=2">'
HOSTILE_COURSE = "it-risk"
#: plotly's own markup: a live link and bold text if a chart does not escape it.
LINK = '<a href="https://evil.example/x">LINK</a><b>BOLD</b>'
ODD = "& < > \" ' &amp; $x$"
#: The hostile course's title, and the title of its first and its second activity.
HOSTILE_TITLE = HOSTILE + LINK + " " + ODD
FIRST_ACTIVITY = LINK + " first"
LONG_ACTIVITY = " ".join([ODD] * 20) + " the end"

FIGURE = re.compile(r"<div\b[^>]*\bclass=\"plotly-graph-div\"")
SAMPLE_COURSES = read_tables(sample_path())[0]["courses"]["course_id"].tolist()
#: A generated portfolio this large, and the two of its courses whose reports are made.
LARGE = 1000
LARGE_REPORTS = ["syn-000007", "syn-000512"]

ALL_DRAWN = """() => [...document.querySelectorAll('div.plotly-graph-div')]
    .every(d => d.querySelector('svg.main-svg'))"""
SNAPSHOT = """() => ({
    plotly: typeof window.Plotly !== 'undefined',
    charts: document.querySelectorAll('div.plotly-graph-div').length,
    drawn: [...document.querySelectorAll('div.plotly-graph-div')]
        .filter(d => d.querySelector('svg.main-svg')).length,
    text: document.body.innerText,
    courseLinks: [...document.querySelectorAll('a[href^="courses/"]')].map(a => a.href),
    table: document.querySelector('#sk-courses tbody')?.innerText ?? '',
    pwned: typeof window.__pwned,
})"""


@pytest.fixture(scope="module")
def can_browse() -> None:
    """Skip (fail in CI) before making any report if Chromium or Playwright is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        browser_missing("the playwright package is missing", "pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        browser_missing(f"no browser at {CHROMIUM}", "install it with: sh tests/install-browser.sh")


# --------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class Batch:
    out: Path
    pages: dict[str, Path]  # course_id -> report page


def _batch(out: Path, **kw) -> Batch:
    result = run_reports(out=out, **kw)
    failed = result.courses[result.courses["status"] != "made"]
    assert failed.empty, failed.to_string()
    assert result.index is not None and result.index_error is None, result.index_error
    hrefs = zip(result.courses["course_id"], result.courses["href"], strict=True)
    return Batch(out, {course_id: out / href for course_id, href in hrefs})


@pytest.fixture(scope="module")
def reports(can_browse, tmp_path_factory) -> dict[str, Batch]:
    """The bundled sample's reports, and one course's with hostile text in it."""
    root = tmp_path_factory.mktemp("browser")
    tables, _ = read_tables(sample_path())
    for table, column, values in (
        ("courses", "title", [HOSTILE_TITLE]),
        ("objectives", "statement", [HOSTILE]),
        ("activities", "title", [FIRST_ACTIVITY, LONG_ACTIVITY]),
    ):
        df = tables[table]
        rows = df.index[df["course_id"] == HOSTILE_COURSE][: len(values)]
        df.loc[rows, column] = values  # the title, one objective, two activities
    hostile = write_tables(tables, root / "hostile-portfolio")
    return {
        "sample": _batch(root / "sample"),
        "hostile": _batch(root / "hostile", portfolio=hostile, courses=[HOSTILE_COURSE]),
    }


# --------------------------------------------------------------------------- browser
@dataclass
class Visit:
    """One page opened, everything it asked for and logged, and what it showed."""

    path: Path
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    shown: dict = field(default_factory=dict)
    acted: object = None  # what ``act`` returned

    def assert_clean_and_drawn(self, *, at_least: int) -> None:
        """No errors, nothing off the machine, and every chart of the HTML drawn."""
        expected = len(FIGURE.findall(self.path.read_text(encoding="utf-8")))
        name = self.path.name
        assert expected >= at_least, f"{name}: {expected} chart(s), expected {at_least}+"
        assert self.page_errors == [], f"{name}: {self.page_errors}"
        assert self.console_errors == [], f"{name}: {self.console_errors}"
        # blob: URLs hold what the page made in memory (the table's bundled DataTables)
        off = [url for url in self.requests if not url.startswith(("file://", "blob:"))]
        assert self.blocked == off == [], f"{name}: requests off the machine: {off}"
        assert self.shown["plotly"], f"{name}: window.Plotly is undefined"
        assert self.shown["charts"] == expected, f"{name}: {self.shown['charts']} chart divs"
        assert self.shown["drawn"] == expected, f"{name}: {self.shown['drawn']} charts drawn"

    def course_links(self) -> set[Path]:
        """The files that the ``courses/...`` links point to."""
        urls = self.shown["courseLinks"]
        assert all(url.startswith("file://") for url in urls), urls
        return {Path(unquote(urlsplit(url).path)) for url in urls}


@pytest.fixture(scope="module")
def large(can_browse, tmp_path_factory) -> Batch:
    """The overview of a generated 1,000-course portfolio, with two course reports."""
    root = tmp_path_factory.mktemp("large")
    portfolio = write_portfolio(LARGE, root / "portfolio")
    return _batch(root / "out", portfolio=portfolio, courses=LARGE_REPORTS)


@pytest.fixture(scope="module")
def browser(reports, large):
    """Debian's Chromium, launched once for the module (never a downloaded one).

    Started after the reports are made: Playwright's sync API keeps an event loop running
    on this thread, and :func:`run_reports` cannot start its own inside a running one.
    """
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _open(browser, path: Path) -> tuple[object, Visit]:
    """A new context and page for one file; every request not to a file is aborted."""
    seen = Visit(path)

    def route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort()

    def console(msg):
        if msg.type == "error":
            seen.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT)
    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
    page.goto(path.as_uri(), wait_until="commit")
    return page, seen


def open_pages(browser, paths: list[Path], act=None) -> dict[Path, Visit]:
    """Open files via ``file://``, a few side by side; wait for their charts; record."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    visits = {}
    for start in range(0, len(paths), AT_ONCE):
        opened = [_open(browser, path) for path in paths[start : start + AT_ONCE]]
        for page, seen in opened:
            page.wait_for_load_state("load")
            page.bring_to_front()  # a page in the background gets no animation frames
            try:
                page.wait_for_function(ALL_DRAWN, polling=100, timeout=TIMEOUT)
            except PlaywrightTimeout:
                pass  # the snapshot tells how many were drawn
            if act is not None:
                seen.acted = act(page)
            seen.shown = page.evaluate(SNAPSHOT)
            page.context.close()
            visits[seen.path] = seen
    return visits


@pytest.fixture(scope="module")
def visits(browser, reports) -> dict[Path, Visit]:
    sample = reports["sample"]
    paths = [sample.out / "index.html", *(sample.pages[c] for c in SAMPLE_COURSES)]
    return open_pages(browser, paths)


#: What the charts draw: every text of their SVG, links in it, bold text and hover labels.
CHART_TEXT = """() => {
    const svg = 'div.plotly-graph-div svg';
    return {
        texts: [...document.querySelectorAll(svg + ' text')].map(t => t.textContent),
        links: document.querySelectorAll(svg + ' a').length,
        bold: [...document.querySelectorAll(svg + ' tspan')]
            .filter(t => /bold/.test(t.getAttribute('style') || '')).map(t => t.textContent),
        hover: [...document.querySelectorAll('div.plotly-graph-div .hoverlayer')]
            .map(h => h.textContent).join(''),
    };
}"""


HOVER_CHANGED = """before => [...document.querySelectorAll('div.plotly-graph-div .hoverlayer')]
    .map(h => h.textContent).join('') !== before"""


def hover_every_point(page) -> dict:
    """Move the mouse over every bar and marker, and over every heatmap cell, as a reader
    would; return what the charts showed meanwhile (hover labels, links, bold text)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    seen = {"hover": set(), "links": 0, "bold": [], "last": ""}

    def visit(box, fx, fy):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        try:  # plotly throttles hover events: wait for the label to change
            page.wait_for_function(HOVER_CHANGED, arg=seen["last"], polling=20, timeout=500)
        except PlaywrightTimeout:
            pass
        now = page.evaluate(CHART_TEXT)
        seen["last"] = now["hover"]
        if now["hover"]:
            seen["hover"].add(now["hover"])
        seen["links"] = max(seen["links"], now["links"])
        seen["bold"] += now["bold"]

    figures = page.locator("div.plotly-graph-div")
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        points = figure.locator(".barlayer .point path, .scatterlayer .point")
        for j in range(points.count()):
            box = points.nth(j).bounding_box()
            if box and box["width"] * box["height"]:
                visit(box, 0.5, 0.5)
        if figure.locator(".heatmaplayer image").count():  # one image: visit each cell
            rows, columns = figure.evaluate("d => [d.data[0].z.length, d.data[0].z[0].length]")
            box = figure.locator(".nsewdrag").first.bounding_box()
            for r in range(rows):
                for c in range(columns):
                    visit(box, (c + 0.5) / columns, (r + 0.5) / rows)
    del seen["last"]
    return seen


@pytest.fixture(scope="module")
def hostile_visits(browser, reports) -> dict[Path, Visit]:
    def hover_every_chart(page):
        # hover labels render course text too
        hovered = hover_every_point(page)
        return {**page.evaluate(CHART_TEXT), "hovered": hovered}

    batch = reports["hostile"]
    paths = [batch.pages[HOSTILE_COURSE], batch.out / "index.html"]
    return open_pages(browser, paths, act=hover_every_chart)


# --------------------------------------------------------------------------- the tests
def test_index_draws_its_charts_and_links_every_report(visits, reports):
    sample = reports["sample"]
    index = visits[sample.out / "index.html"]
    index.assert_clean_and_drawn(at_least=3)
    links = index.course_links()
    for path in links:
        assert path.is_file(), f"index.html links to a missing file: {path}"
    assert set(sample.pages) == set(SAMPLE_COURSES) and len(SAMPLE_COURSES) == 14
    for course_id, page in sample.pages.items():
        assert page.resolve() in links, f"index.html has no link to {course_id}'s report"
    assert len(links) == len(SAMPLE_COURSES), sorted(links)


@pytest.mark.parametrize("course_id", SAMPLE_COURSES)
def test_course_report_draws_its_charts_offline(visits, reports, course_id):
    visits[reports["sample"].pages[course_id]].assert_clean_and_drawn(at_least=2)


def test_hostile_text_is_shown_not_run(hostile_visits, reports):
    batch = reports["hostile"]
    report = hostile_visits[batch.pages[HOSTILE_COURSE]]
    index = hostile_visits[batch.out / "index.html"]
    report.assert_clean_and_drawn(at_least=2)
    index.assert_clean_and_drawn(at_least=3)
    for seen in (report, index):
        assert SCRIPT in seen.shown["text"], f"{seen.path.name} does not show the title"
        assert seen.shown["pwned"] == "undefined", f"{seen.path.name} ran the course text"
    assert batch.pages[HOSTILE_COURSE].resolve() in index.course_links()
    assert HOSTILE_TITLE in index.shown["table"], "the course table does not show the title"


def test_hostile_text_in_charts_is_shown_as_written(hostile_visits, reports):
    batch = reports["hostile"]
    report = hostile_visits[batch.pages[HOSTILE_COURSE]]
    index = hostile_visits[batch.out / "index.html"]
    for seen in (report, index):
        name, charts = seen.path.name, seen.acted
        assert charts["links"] == charts["hovered"]["links"] == 0, f"{name}: a link in a chart"
        assert "BOLD" not in charts["bold"] + charts["hovered"]["bold"], f"{name}: bold text"
        assert seen.page_errors == [], f"{name}: hovering raised {seen.page_errors}"

    # the course's charts: titles and hover labels show the title and activities literally;
    # a long title is wrapped, and a line's text has no space where it breaks
    def squeezed(text: str) -> str:
        return text.replace(" ", "")

    ending = squeezed(f"({HOSTILE_TITLE})")
    titles = [t for t in report.acted["texts"] if squeezed(t).endswith(ending)]
    assert len(titles) == 2, report.acted["texts"]  # the swimlane's and the matrix's
    assert squeezed(titles[0]) == squeezed(
        f"Activity sequence — course {HOSTILE_COURSE} ({HOSTILE_TITLE})"
    )
    hovered = "\n".join(report.acted["hovered"]["hover"])
    assert f"{FIRST_ACTIVITY}step 1" in hovered, hovered
    assert f"{LONG_ACTIVITY}step 2" in hovered, hovered
    label = LINK[:31] + "…"  # the swimlane's marker label: the title cut to 32 characters
    assert label in report.acted["texts"], report.acted["texts"]
    # the overview: hovering the bars that count the course names it by its title
    hovered = "\n".join(index.acted["hovered"]["hover"])
    assert f"• {HOSTILE_TITLE} ({HOSTILE_COURSE})" in hovered, hovered


def test_requests_off_the_machine_are_caught(browser, tmp_path):
    """The guard itself: a page asking the network is seen, and its request aborted."""
    page = tmp_path / "leaky.html"
    page.write_text(
        '<img src="https://example.invalid/pixel.png">'
        '<script src="http://example.invalid/plotly.min.js"></script>',
        encoding="utf-8",
    )
    seen = open_pages(browser, [page])[page]
    assert "file://" in seen.requests[0]
    assert set(seen.blocked) == {
        "https://example.invalid/pixel.png",
        "http://example.invalid/plotly.min.js",
    }
    assert seen.blocked[0] in seen.requests


# --------------------------------------------------------------------------- 1,000 courses
TABLE = "#sk-courses"
INFO = "#sk-courses_wrapper .dt-info"
ROWS = "#sk-courses tbody tr"


def _column(page, name: str) -> int:
    """The position of a column of the course table, by the heading its filter box shows."""
    names = page.locator(f"{TABLE} thead th input").evaluate_all(
        "inputs => inputs.map(i => i.placeholder)"
    )
    return names.index(name)


def _cells(page, name: str) -> list[str]:
    """The text of one column in the rows the table shows now."""
    i = _column(page, name)
    return page.locator(ROWS).evaluate_all(
        f"rows => rows.map(r => r.children[{i}].innerText.trim())"
    )


def _sorted_cells(page, name: str, *, reverse: bool) -> list[int]:
    """The column's numbers once the table shows them sorted (it redraws after a click)."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        shown = [int(n) for n in _cells(page, name)]
        if shown == sorted(shown, reverse=reverse) or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def _filter(page, box, text: str) -> None:
    """Type into a filter box as a reader does (the table listens to the keys)."""
    box.fill("")
    box.press("Backspace")
    if text:
        box.press_sequentially(text)


def test_large_overview_sorts_filters_and_leads_to_a_course(browser, large):
    """The overview of 1,000 courses, used as an L&D lead would: sort by warnings, filter
    by an organisation, a warning code and a course id, and open the course found."""
    from playwright.sync_api import expect  # waits for the table to redraw

    portfolio = load_portfolio(large.out.parent / "portfolio")
    courses = portfolio.courses
    per_course = strategic_warnings(portfolio)["course_id"].value_counts()
    fewest = per_course.reindex(courses["course_id"], fill_value=0).min()
    page, seen = _open(browser, large.out / "index.html")
    try:
        page.wait_for_load_state("load")
        page.wait_for_selector(f"{TABLE}.dataTable", state="attached")
        page.wait_for_function(ALL_DRAWN, polling=100, timeout=TIMEOUT)
        info = page.locator(INFO)
        expect(info).to_have_text(f"Showing 1 to 25 of {LARGE:,} entries")
        # needing attention first: the most warnings come first (no course is invalid or failed)
        assert int(_cells(page, "Warnings")[0]) == per_course.max()

        # sort by warnings: fewest first, then most first
        heading = page.locator(f"{TABLE} thead th").nth(_column(page, "Warnings"))
        heading.locator(".dt-column-order").click()
        shown = _sorted_cells(page, "Warnings", reverse=False)
        assert shown == sorted(shown) and shown[0] == fewest
        heading.locator(".dt-column-order").click()
        shown = _sorted_cells(page, "Warnings", reverse=True)
        assert shown == sorted(shown, reverse=True) and shown[0] == per_course.max()

        # filter by an organisation: only its courses, as many as the courses table has
        organisation = "Woodgrove Pharma"
        expected = int(courses["organisation"].eq(organisation).sum())
        box = page.locator(f"{TABLE} thead th input").nth(_column(page, "Organisation"))
        _filter(page, box, organisation)
        expect(info).to_have_text(
            f"Showing 1 to 25 of {expected} entries (filtered from {LARGE:,} total entries)"
        )
        assert set(_cells(page, "Organisation")) == {organisation}
        _filter(page, box, "")

        # filter by a warning code
        code = "blocked-tool"
        expected = strategic_warnings(portfolio).query("code == @code")["course_id"].nunique()
        box = page.locator(f"{TABLE} thead th input").nth(_column(page, "Warning codes"))
        _filter(page, box, code)
        expect(info).to_contain_text(f"of {expected} entries (filtered from {LARGE:,} total")
        assert all(code in cell for cell in _cells(page, "Warning codes"))
        _filter(page, box, "")

        # search for a course id: one row, whose title leads to the course's report
        course_id = LARGE_REPORTS[0]
        title = courses.set_index("course_id").at[course_id, "title"]
        _filter(page, page.locator("#sk-courses_wrapper .dt-search input"), course_id)
        expect(info).to_have_text(
            f"Showing 1 to 1 of 1 entry (filtered from {LARGE:,} total entries)"
        )
        (row,) = page.locator(ROWS).all()
        assert row.inner_text().split("\t")[1] == f"{title}\n{course_id}"
        with page.expect_navigation():
            row.get_by_role("link", name=title).click()
        assert page.url == large.pages[course_id].resolve().as_uri()
        page.wait_for_function(ALL_DRAWN, polling=100, timeout=TIMEOUT)
        assert title in page.locator("h1").inner_text()
    finally:
        page.context.close()
    assert seen.page_errors == [], seen.page_errors
    assert seen.console_errors == [], seen.console_errors
    off = [url for url in seen.requests if not url.startswith(("file://", "blob:"))]
    assert seen.blocked == off == [], f"requests off the machine: {off}"
