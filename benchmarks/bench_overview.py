"""Benchmark the portfolio overview (``index.html``): its weight and how fast it opens.

For each size (100, 1,000 and 5,000 courses by default, and 500, where the goals are set),
a synthetic portfolio is generated into ``benchmarks/_work/`` (git-ignored) with
``socialkit generate``, and ``socialkit report`` makes its overview and one course report
(``--course`` of the first course: the overview is the same whichever reports are made).
It prints:

* the weight of ``index.html`` in MB, and how much of it is the course table's data
  (plotly.js is stored once beside the pages and not counted; DataTables, bundled
  inline by itables, is counted);
* the seconds it takes headless Chromium (Debian's ``/usr/bin/chromium``, driven by
  Playwright) to open the page from a ``file://`` URL until the course table is ready
  and every chart is drawn, the median of ``--rounds`` loads, each in a fresh context;
* for reference, the same for the course report made beside it: most of a page's
  opening is parsing the shared plotly.js, which every page loads.

Goals, at 500 courses: at most 2 MB and under 3 s. The machine's load average is printed
too: on a machine other work shares, load times grow with it.

Usage::

    python benchmarks/bench_overview.py [--sizes 100 500 1000 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import time
from pathlib import Path

from _measure import socialkit_command

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
GOAL_COURSES, GOAL_MB, GOAL_SECONDS = 500, 2.0, 3.0
DRAWN = """() => document.readyState === 'complete'
    && document.querySelectorAll('div.plotly-graph-div').length > 0
    && [...document.querySelectorAll('div.plotly-graph-div')]
        .every(d => d.querySelector('svg.main-svg'))"""
READY = f"""() => document.querySelector('#sk-courses.dataTable') !== null && ({DRAWN})()"""


def overview(n: int) -> Path:
    """The overview of an ``n``-course synthetic portfolio, made once and reused."""
    data, out = WORK / f"overview-{n}", WORK / f"overview-{n}-reports"
    if not data.exists():
        cmd = [*socialkit_command(), "generate", str(n), str(data)]
        subprocess.run(cmd, check=True, capture_output=True)
    index = out / "index.html"
    if not index.exists():
        cmd = [*socialkit_command(), "report", str(data), "--out", str(out)]
        subprocess.run([*cmd, "--course", "syn-000001"], check=True, capture_output=True)
    return index


def weight(index: Path) -> tuple[float, float]:
    """MB of the page, and of the course table's data in it."""
    html = index.read_text(encoding="utf-8")
    data = re.search(r'"data_json": "(.*?)",\n', html)
    return len(html.encode()) / 1e6, len(data.group(1).encode()) / 1e6 if data else 0.0


def load_seconds(browser, index: Path, rounds: int, ready: str = READY) -> float:
    """Median seconds from navigation until ``ready`` holds: for the overview, its table
    is ready and every chart drawn."""
    times = []
    for _ in range(rounds):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page = context.new_page()
        start = time.perf_counter()
        page.goto(index.as_uri(), wait_until="commit")
        page.wait_for_function(ready, polling=20, timeout=120_000)
        times.append(time.perf_counter() - start)
        context.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = {n: overview(n) for n in args.sizes}
    head = ["courses", "index.html MB", "table data MB", "opens in s", "a course page s"]
    print(f"{head[0]:>8} {head[1]:>14} {head[2]:>14} {head[3]:>11} {head[4]:>16}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for n, index in pages.items():
            mb, data_mb = weight(index)
            seconds = load_seconds(browser, index, args.rounds)
            course = index.parent / "courses" / "syn-000001.html"
            reference = load_seconds(browser, course, args.rounds, DRAWN)
            goal = ""
            if n == GOAL_COURSES:
                ok = mb <= GOAL_MB and seconds < GOAL_SECONDS
                goal = f"  goal <= {GOAL_MB} MB, < {GOAL_SECONDS} s: {'met' if ok else 'MISSED'}"
            print(f"{n:>8} {mb:>14.2f} {data_mb:>14.2f} {seconds:>11.2f} {reference:>16.2f}{goal}")
        browser.close()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
