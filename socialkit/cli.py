"""The ``socialkit`` command line: parse, call the library, print, exit."""

from __future__ import annotations

import atexit
import contextlib
import gc
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from socialkit.base.collector import collector_paused
from socialkit.base.text import terminal_safe
from socialkit.console import echo, echo_json
from socialkit.errors import (
    DestinationNotEmptyError,
    NotebookNotFoundError,
    NotebookReadError,
    OutputFolderError,
    PortfolioNotFoundError,
    SchedulerError,
    SocialkitError,
    StatementsNotFoundError,
    UnknownCourseError,
    ValidationError,
)
from socialkit.pull_command import pull

if TYPE_CHECKING:
    from socialkit.reports.runner import BatchResult

__all__ = ["echo", "echo_json", "main"]  # echo and echo_json live in socialkit.console

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
#: The shortest --timeout, in seconds.
MIN_TIMEOUT = 0.01
#: What ``report`` prints while it makes the portfolio overview, after the courses.
OVERVIEW_LINE = "making the portfolio overview (index.html) ..."
#: Formula warnings convert prints before it counts the rest.
_SHOWN_WARNINGS = 20


def _freeze_objects() -> None:
    gc.disable()
    gc.freeze()


_at_exit: list[bool] = []


def _exit_without_collecting() -> None:
    """Let the interpreter exit without walking every object for garbage.

    Its last collections visit every object still alive: the modules pandas and
    pyarrow bring, and a large portfolio's values and caches. That takes longer
    than many a command's own work (0.2-0.4 s after checking 20,000 courses) and finds
    nothing to finalize. Registered once, it runs as the interpreter exits (in a
    program that calls the command line in-process too, but only then).
    """
    if not _at_exit:
        atexit.register(_freeze_objects)
        _at_exit.append(True)


def _arrow_memory_pool() -> None:
    """Let Arrow allocate with jemalloc (or the system allocator) in this process.

    pandas keeps text in Arrow arrays. With Arrow's default pool, mimalloc, checking
    20,000 courses spends about a second more of system time (memory handed back to
    the system and taken again) and holds some 80 MB more at its peak than with
    jemalloc or the system's allocator. A pool chosen with ``ARROW_DEFAULT_MEMORY_POOL``
    is left alone.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)


def _fail(message: str, code: int) -> None:
    echo(f"error: {message}", err=True)
    sys.exit(code)


#: Source files from this size on take a second or more to read and check: ``convert``
#: says it is at it. Workbooks from this many rows on take seconds to write: a bar shows it.
SLOW_READ_BYTES = 5_000_000
SLOW_WRITE_ROWS = 20_000


def _is_big(src: Path | None) -> bool:
    """Whether the portfolio at ``src`` takes a second or more to read and check."""
    from socialkit.contract.layout import portfolio_files

    if src is None or not src.exists():
        return False  # the bundled sample, or nothing: the error comes at once
    return sum(f.stat().st_size for f in portfolio_files(src) if f.is_file()) >= SLOW_READ_BYTES


def _say_reading(src: Path, *, check: bool) -> None:
    """One line on standard error while a big portfolio is read (and checked)."""
    if _is_big(src):
        echo(f"reading {'and checking ' if check else ''}{src} ...", err=True)


@contextlib.contextmanager
def _rows_bar(dest: Path) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for writing a big workbook: one bar of rows, then a line while
    the workbook is saved (both on standard error; small ones and CSV folders are written
    in a moment, without either)."""
    from tqdm.auto import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < SLOW_WRITE_ROWS:
            return
        if bar is None:
            bar = tqdm(total=total, unit="row", desc=f"writing {dest.name}", file=sys.stderr)
        bar.update(done - bar.n)
        if done == total:
            bar.close()
            echo(f"saving {dest} ...", err=True)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="socialkit")
def main() -> None:
    """Design social learning around the formal moment: check, convert and analyse."""


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Show at most this many errors and warnings in the text report (0: all).",
)
@click.option(
    "--advice",
    is_flag=True,
    help="With --json: each course's activities with their tool's fit and their top "
    "three recommendations and reasons (a much larger document).",
)
def check(path: Path | None, as_json: bool, limit: int, advice: bool) -> None:
    """Validate a portfolio (a CSV folder or .xlsx) and report warnings per course.

    PATH defaults to the bundled sample portfolio. A course with an error is listed
    as invalid and the others are still analysed. Exit status: 0 valid (warnings
    allowed), 1 invalid or unreadable, 2 bad usage or no portfolio at PATH.
    """
    if advice and not as_json:
        raise click.UsageError("--advice goes with --json")
    click.get_current_context().with_resource(collector_paused())
    _exit_without_collecting()
    _arrow_memory_pool()
    from socialkit.analysis.check import CheckResult, check_portfolio
    from socialkit.contract.io import sample_path

    big = _is_big(path)
    if big:
        echo(f"reading and checking {path} ...", err=True)
    try:
        result = check_portfolio(path)
    except SocialkitError as exc:
        code = EXIT_USAGE if isinstance(exc, PortfolioNotFoundError) else EXIT_INVALID
        if not as_json:
            _fail(str(exc), code)
        # a program reading the output always gets one JSON object
        echo_json(CheckResult.unreadable(path or sample_path(), exc).to_json())
        echo(f"error: {exc}", err=True)
        sys.exit(code)
    if as_json:
        if advice and big:  # the advice on every activity: several seconds more
            echo("writing the advice on every activity ...", err=True)
        echo_json(result.to_json_bytes(advice=advice))
    else:
        echo(result.format_text(limit=limit or None))
    sys.exit(EXIT_OK if result.valid else EXIT_INVALID)


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--statements",
    "src",
    type=click.Path(path_type=Path),
    help="xAPI statements: a file or folder (default: the portfolio's statements folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--parquet",
    "parquet",
    type=click.Path(path_type=Path),
    help="Also keep the placed statements in this folder as Parquet partitioned by course "
    "(for Dask, Spark, DuckDB); a new or empty folder, or one written so before.",
)
def delivery(path: Path | None, src: Path | None, as_json: bool, parquet: Path | None) -> None:
    """Hold each course's plan against what its learners did (xAPI statements).

    PATH defaults to the bundled sample portfolio. Exit status: 0 analysed (delivery
    warnings allowed), 1 unreadable portfolio or statements, or the Parquet folder not
    written, 2 no portfolio at PATH, no statements, or a --parquet folder holding other
    files.
    """
    from socialkit.delivery.result import delivery_report

    try:
        result = delivery_report(path, statements=src)
        if parquet is not None and result.placed is not None:
            from socialkit.delivery.store import write_parquet

            write_parquet(result.placed, parquet)
            echo(f"wrote {len(result.placed.frame):,} placed statements to {parquet}", err=True)
    except (PortfolioNotFoundError, StatementsNotFoundError, DestinationNotEmptyError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        _fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        where = exc.filename if exc.filename is not None else (parquet or src or path)
        doing = "read" if parquet is None else "read or write"
        _fail(f"cannot {doing} {str(where)!r}: {exc.strerror or exc}", EXIT_INVALID)
    if as_json:
        echo_json(result.to_json())
    else:
        echo(result.format_text())


@main.command()
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--no-check", is_flag=True, help="Convert even if the source breaks the data contract."
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace DEST even if it holds sheets or files convert did not write "
    "(a workbook's other sheets are lost; a folder's other files are kept).",
)
def convert(src: Path, dest: Path, no_check: bool, force: bool) -> None:
    """Convert a portfolio between a CSV folder and an .xlsx workbook, losslessly.

    DEST ending in .xlsx makes a workbook; any other DEST is a folder of CSV files, which
    ends up holding exactly the source's tables. The source is validated first and nothing
    is written if it is invalid. A DEST holding anything convert would not have written
    (a sheet or file of yours) is refused unless --force. Cells that Excel would run as
    formulas when it opens a CSV file are written as they are, with a warning. Exit
    status: 0 written, 1 invalid source or write failure, 2 bad usage (no portfolio at
    SRC, DEST refused).
    """
    from socialkit.contract.io import convert as do_convert

    def warn(message: str) -> None:
        warned.append(message)

    warned: list[str] = []
    _say_reading(src, check=not no_check)
    try:
        with _rows_bar(dest) as progress:
            written = do_convert(
                src, dest, check=not no_check, force=force, on_warning=warn, progress=progress
            )
    except (PortfolioNotFoundError, DestinationNotEmptyError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except ValidationError as exc:
        _fail(f"{exc}\nnothing was written (use --no-check to convert anyway)", EXIT_INVALID)
    except SocialkitError as exc:
        _fail(str(exc), EXIT_INVALID)
    for message in warned[:_SHOWN_WARNINGS]:
        echo(f"warning: {message}", err=True)
    if len(warned) > _SHOWN_WARNINGS:
        echo(
            f"warning: {len(warned) - _SHOWN_WARNINGS} more cell(s) Excel would run as formulas",
            err=True,
        )
    echo(f"wrote {written}")


@main.command()
@click.argument("n_courses", type=click.IntRange(min=1))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--activities",
    "per_course",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Activities per course.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--statements",
    "n_statements",
    type=click.IntRange(min=0),
    default=0,
    help="Also write runs, people, xapi_ids and this many xAPI statements (gzipped JSON "
    "lines under DEST/statements/), for scale tests; DEST must be a folder.",
)
@click.option(
    "--runs",
    "runs_per_course",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs per course, with --statements.",
)
@click.option(
    "--learners",
    "learners_per_run",
    type=click.IntRange(min=1),
    default=25,
    show_default=True,
    help="Learners per run, with --statements.",
)
def generate(
    n_courses: int,
    dest: Path,
    per_course: int,
    seed: int,
    n_statements: int,
    runs_per_course: int,
    learners_per_run: int,
) -> None:
    """Write a synthetic portfolio of N_COURSES courses to DEST (folder or .xlsx).

    DEST must not exist yet, or be an empty folder: nothing is ever written over a
    portfolio or a file. At most 1,000,000 courses, 1,000 activities per course and
    20,000,000 activities in all. With --statements N, the portfolio also gets its
    delivery data: runs, people, the activities' xapi_ids and N statements. Exit status:
    0 written, 1 write failure, 2 DEST not empty or a size beyond these limits.
    """
    from socialkit.contract.synth import size_problem, write_portfolio

    problem = size_problem(n_courses, per_course)
    if problem:
        raise click.UsageError(problem)
    if n_statements and dest.suffix.lower() == ".xlsx":
        raise click.UsageError("--statements writes a statements folder: DEST must be a folder")
    try:
        with _rows_bar(dest) as progress:
            written = write_portfolio(
                n_courses,
                dest,
                activities_per_course=per_course,
                seed=seed,
                runs_per_course=runs_per_course if n_statements else 0,
                learners_per_run=learners_per_run,
                progress=progress,
            )
        if n_statements:
            _generate_statements(written, n_statements, seed)
    except DestinationNotEmptyError as exc:
        _fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        _fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        _fail(f"cannot write statements to {str(dest)!r}: {exc.strerror or exc}", EXIT_INVALID)
    echo(f"wrote {n_courses} courses to {written}")
    if n_statements:
        echo(f"wrote {n_statements:,} statements to {written / 'statements'}")


def _generate_statements(folder: Path, n: int, seed: int) -> None:
    """``n`` synthetic statements on the portfolio just written to ``folder``, under its
    statements folder, with a progress bar on standard error."""
    from tqdm.auto import tqdm

    from socialkit.contract.io import load_portfolio
    from socialkit.delivery.synth_scale import portfolio_statements, write_statements

    portfolio = load_portfolio(folder, partial=True)
    with tqdm(total=n, unit="statement", desc="statements", file=sys.stderr) as bar:
        write_statements(
            portfolio_statements(portfolio, n, seed=seed),
            folder / "statements",
            total=n,
            files=max(1, min(8, -(-n // 250_000))),
            progress=lambda done, total: bar.update(done - bar.n),
        )


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED)
def lab(jupyter_args: tuple[str, ...]) -> None:
    """Open JupyterLab on socialkit's notebooks: the tour, the design editor, the reports.

    Needs the 'lab' extra (pip install -e '.[lab]'). Arguments after the command go to
    JupyterLab, e.g. socialkit lab --no-browser --port 9999. Run as root (as in a
    container), JupyterLab is started with --allow-root. Exit status: JupyterLab's, or 2
    when it is not installed.
    """
    from socialkit.launch import lab_arguments, lab_missing, running_as_root

    missing = lab_missing()
    if missing:
        _fail(missing, EXIT_USAGE)
    if running_as_root():
        echo("note: running as root, so JupyterLab is started with --allow-root", err=True)
    argv = lab_arguments(extra=jupyter_args)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(argv[0], argv)  # JupyterLab takes over this process, Ctrl-C included
    import subprocess

    sys.exit(subprocess.call(argv))


def _finite(value: float, param: click.Parameter) -> float:
    """``value`` if it is a finite number of seconds (FloatRange lets inf and nan pass)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number of seconds", param=param)
    return value


@main.command()
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
            _fail(str(exc), EXIT_USAGE)
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
        _fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        _fail(str(exc), EXIT_INVALID)
    except KeyboardInterrupt:  # before the first notebook ran: nothing was made
        _fail("interrupted before any report was made", EXIT_INTERRUPTED)
    _print_batch(result)
    if result.interrupted:
        echo("interrupted: the reports made so far are kept; run again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if result.index_error:
        _fail(f"the portfolio overview failed: {result.index_error}", EXIT_INVALID)
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


main.add_command(pull)

if __name__ == "__main__":  # python -m socialkit.cli
    main()
