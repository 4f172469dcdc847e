"""A notebook that uses ``socialkit.display``, exported to HTML, draws its charts offline.

A small notebook runs in a real kernel (nbclient), is exported with nbconvert's ``lab``
template (what JupyterLab's "Export as HTML" uses) and its ``classic`` one, and the page is
opened in Debian's Chromium with every request that is not a local file aborted, as behind
a firewall: each chart must be drawn, plotly.js must be in the page once, and no script
may fail ("Plotly is not defined" was the fault).

Skipped without Chromium or Playwright, except in CI, where that fails.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from socialkit.contract.io import sample_path
from socialkit.reports.export import is_plotlyjs_output, notebook_body

pytestmark = pytest.mark.browser

#: The first line of the plotly.js bundle: counted to find how many copies a page holds.
PLOTLYJS_BANNER = "* plotly.js v"

CELLS = [
    "from socialkit import charts, display\n"
    f"p = display.load({str(sample_path())!r})\n"
    "display.setup()",
    'charts.matrix_figure(p, course_id="it-risk")',
    'charts.swimlane_figure(p, course_id="it-risk")',
    # a figure shown again later in the run: still drawn, still no second plotly.js
    'charts.matrix_figure(p, course_id="gdpr-basics")',
]


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    return nb


@pytest.fixture(scope="module")
def browser(headless_chromium):
    return headless_chromium


def test_setup_puts_plotlyjs_out_once_in_the_cell_that_calls_it(executed) -> None:
    marked = [
        (i, out)
        for i, cell in enumerate(executed.cells)
        for out in cell.outputs
        if is_plotlyjs_output(out)
    ]
    assert [i for i, _ in marked] == [0]
    assert marked[0][1]["data"]["text/html"].count(PLOTLYJS_BANNER) == 1
    # every figure carries plotly's mime type (JupyterLab) and an HTML fragment (exports)
    for cell in executed.cells[1:]:
        (out,) = cell.outputs
        assert {"application/vnd.plotly.v1+json", "text/html"} <= set(out["data"])
        assert PLOTLYJS_BANNER not in out["data"]["text/html"]


def test_report_pages_leave_plotlyjs_out(executed) -> None:
    body = notebook_body(executed)
    assert PLOTLYJS_BANNER not in body  # the page loads the shared plotly.min.js
    assert body.count("Plotly.newPlot") == 3


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_exported_notebook_draws_every_chart_offline(
    executed, browser, template: str, tmp_path: Path
) -> None:
    html, _ = HTMLExporter(template_name=template).from_notebook_node(executed)
    assert html.count(PLOTLYJS_BANNER) == 1
    path = tmp_path / f"exported-{template}.html"
    path.write_text(html, encoding="utf-8")

    errors: list[str] = []
    page = browser.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith("file://") else route.abort()
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= 3",
        timeout=30_000,
    )
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".map(div => div.querySelectorAll('.main-svg').length > 0)"
    )
    page.close()
    assert drawn == [True, True, True]
    assert errors == []
