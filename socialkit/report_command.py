"""``socialkit report``: an HTML design report per course and the portfolio overview."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialkit.base.text import terminal_safe
from socialkit.console import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    echo,
    fail,
    say_reading,
)
from socialkit.errors import (
    NotebookNotFoundError,
    NotebookReadError,
    OutputFolderError,
    PortfolioNotFoundError,
    SchedulerError,
    SocialkitError,
    UnknownCourseError,
)

if TYPE_CHECKING:
    from socialkit.reports.runner import BatchResult

__all__ = ["MIN_TIMEOUT", "OVERVIEW_LINE", "report"]

#: The shortest --timeout, in seconds.
MIN_TIMEOUT = 0.01
#: What ``report`` prints while it makes the portfolio overview, after the courses.
OVERVIEW_LINE = "making the portfolio overview (index.html) ..."


def _finite(value: float, param: click.Parameter) -> float:
    """``value`` if it is a finite number of seconds (FloatRange lets inf and nan pass)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number of seconds", param=param)
    return value


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="reports",
    show_default=True,
    help="Output folder: index.html, courses/, plotly.min.js.",
)
@click.option(
    "--course", "courses", multiple=True, metavar="ID", help="Only this course (repeatable)."
)
@click.option(
    "--notebook",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A customised course notebook with a 'parameters' cell (default: socialkit's own).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Kernels working side by side  [default: number of CPUs]",
)
@click.option(
    "--timeout",
    # below a hundredth of a second no cell can run, and the kernel's messages race
    type=click.FloatRange(min=MIN_TIMEOUT),
    callback=lambda ctx, param, value: _finite(value, param),
    default=600,
    show_default=True,
    help=f"Seconds one notebook cell may run before the course counts as failed "
    f"(at least {MIN_TIMEOUT}).",
)
@click.option("--force", is_flag=True, help="Remake reports whose inputs are unchanged.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Make the reports on the workers of this running Dask scheduler "
    "(e.g. tcp://10.0.0.5:8786); needs the 'cluster' extra.",
)
def report(
    path: Path | None,
    out: Path,
    courses: tuple[str, ...],
    notebook: Path | None,
    jobs: int | None,
    timeout: float,
    force: bool,
    scheduler: str | None,
) -> None:
    """Make an HTML design report per course and OUT/index.html for the portfolio.

    PATH (a CSV folder or .xlsx) defaults to the bundled sample. Reports whose course
    data and notebook are unchanged since the last run are kept. Exit status: 0 all
    made, 1 invalid portfolio or some course failed, 2 bad usage, 130 interrupted.
    """
    if scheduler:  # a bad address is told at once, before any kernel starts
        from socialkit.reports.cluster import check_address

        try:
            check_address(scheduler)
        except SchedulerError as exc:
            fail(str(exc), EXIT_USAGE)
    from socialkit.reports.runner import run_reports

    bar = None

    def plan(to_run: int, unchanged: int) -> None:
        nonlocal bar
        echo(f"{to_run} report(s) to make, {unchanged} unchanged (skipped)", err=True)
        if to_run:
            from tqdm.auto import tqdm  # imported while the kernels warm up

            desc = terminal_safe("reports")
            bar = tqdm(total=to_run, unit="course", desc=desc, file=sys.stderr)
        else:
            echo(OVERVIEW_LINE, err=True)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)
        if done == total:  # the overview comes next: a few seconds at a few hundred courses
            bar.close()
            echo(OVERVIEW_LINE, err=True)

    if scheduler:  # connecting, and waiting for a worker, may take a while
        echo(f"connecting to the Dask scheduler at {scheduler} ...", err=True)
    if path is not None:  # a large portfolio takes seconds before the plan is known
        say_reading(path, check=True)
    try:
        try:
            # the kernels start first thing: they warm up while the portfolio is read
            result = run_reports(
                path,
                out=out,
                courses=courses or None,
                notebook=notebook,
                jobs=jobs,
                timeout=timeout,
                force=force,
                progress=progress,
                on_plan=plan,
                scheduler=scheduler,
            )
        finally:  # before any message, so that it starts on a line of its own
            if bar is not None:
                bar.close()
    except (
        PortfolioNotFoundError,
        NotebookNotFoundError,
        NotebookReadError,
        OutputFolderError,
        UnknownCourseError,
        SchedulerError,
    ) as exc:
        fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        fail(str(exc), EXIT_INVALID)
    except KeyboardInterrupt:  # before the first notebook ran: nothing was made
        fail("interrupted before any report was made", EXIT_INTERRUPTED)
    _print_batch(result)
    if result.interrupted:
        echo("interrupted: the reports made so far are kept; run again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if result.index_error:
        fail(f"the portfolio overview failed: {result.index_error}", EXIT_INVALID)
    echo(f"wrote {result.index}")
    sys.exit(EXIT_OK if result.ok else EXIT_INVALID)


def _print_batch(result: BatchResult) -> None:
    """The counts of a batch, then a line per course that failed or is invalid."""
    made, same, failed = (result.count(s) for s in ("made", "unchanged", "failed"))
    echo(f"made {made}, unchanged {same}, failed {failed}")
    for row in result.courses.itertuples():
        if row.status == "failed":
            echo(f"failed: {row.course_id}: {row.error} (notebook: {row.notebook})")
        elif row.status == "invalid":  # breaks the data contract: no report, listed in the index
            echo(f"invalid: {row.course_id}: {row.error}")
