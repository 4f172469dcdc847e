"""The learner's journey keeps its labels apart at 40 activities, as Chromium draws it.

The swimlane of a 40-activity course with long titles (and a long course title) is drawn
in Debian's Chromium at two widths; the boxes of every label, marker, lane name and the
title are measured: no two labels overlap, no label covers a marker, and nothing is cut
at the chart's edges. Skipped without Chromium or Playwright, except in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import act, course, make_portfolio
from plotly.offline import get_plotlyjs

from socialkit.charts import swimlane_figure
from socialkit.reports.display import figure_html

pytestmark = pytest.mark.browser

N = 40
TIMINGS = ["before"] * 14 + ["during"] * 12 + ["after"] * 10 + [None] * 4
DIRECTIONS = ["one-to-many", "many-to-one", "many-to-many"]

BOXES = """() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
    return {
        svg: box(document.querySelector('svg.main-svg')),
        labels: [...document.querySelectorAll('.scatterlayer .textpoint text')].map(box),
        markers: [...document.querySelectorAll('.scatterlayer .points path')].map(box),
        lanes: [...document.querySelectorAll('.xtick text')].map(box),
        title: box(document.querySelector('.gtitle')),
    };
}"""


def overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def inside(box: list[float], outer: list[float]) -> bool:
    return box[0] >= outer[0] and box[1] >= outer[1] and box[2] <= outer[2] and box[3] <= outer[3]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    long_course = "Leading international IT projects through risk, change and uncertainty"
    activities = [
        {
            **act(
                "long",
                f"A{i + 1}",
                i + 1,
                timing=TIMINGS[i],
                direction=DIRECTIONS[i % 3],
            ),
            "title": f"Activity {i + 1}: discuss what the risk register says about step {i}",
        }
        for i in range(N)
    ]
    portfolio = make_portfolio([{**course("long"), "title": long_course}], [], activities)
    fig = swimlane_figure(portfolio, course_id="long")
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><script>{get_plotlyjs()}</script>"
        f"</head><body>{figure_html(fig.to_dict())}</body></html>"
    )
    path = tmp_path_factory.mktemp("journey") / "journey.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(headless_chromium):
    return headless_chromium


@pytest.mark.parametrize("width", [700, 1100])
def test_the_journey_of_40_activities_keeps_every_label_apart(browser, page_file, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_file.as_uri())
    page.wait_for_selector("svg.main-svg .scatterlayer .textpoint text")
    boxes = page.evaluate(BOXES)
    page.close()
    assert errors == []
    labels, markers, svg = boxes["labels"], boxes["markers"], boxes["svg"]
    assert len(labels) == N and len(markers) == N
    crossing = [(i, j) for i in range(N) for j in range(i + 1, N) if overlap(labels[i], labels[j])]
    assert crossing == []
    covered = [(i, j) for i in range(N) for j in range(N) if overlap(labels[i], markers[j])]
    assert covered == []
    cut = [i for i, box in enumerate(labels) if not inside(box, svg)]
    assert cut == []
    # the course title is wrapped, inside the chart, clear of the lane names under it
    assert inside(boxes["title"], svg)
    assert not any(overlap(boxes["title"], lane) for lane in boxes["lanes"])
