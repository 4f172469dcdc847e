"""The ``socialkit`` command line: parse, call the library, print, exit."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from socialkit.base.collector import collector_paused
from socialkit.console import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    echo,
    echo_json,
    fail,
    is_big,
    say_reading,
)
from socialkit.errors import (
    DestinationNotEmptyError,
    PortfolioNotFoundError,
    SocialkitError,
    StatementsNotFoundError,
    ValidationError,
)
from socialkit.pull_command import pull
from socialkit.report_command import report

__all__ = ["echo", "echo_json", "main", "run"]  # echo and echo_json live in socialkit.console

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


#: Holds True once :func:`run` started: the process is the ``socialkit`` program itself.
_PROGRAM: list[bool] = []


def _exit_fast(code: int) -> None:
    """End a command that read a portfolio: exit with ``code``.

    As the ``socialkit`` program, once standard output and error are flushed, the process
    ends without the interpreter's teardown, which frees a large portfolio's objects one
    by one and finds nothing left to do (some 0.05-0.1 s after checking 20,000 courses;
    the command wrote all it writes). Called in-process (a test, a program of one's
    own), it is ``sys.exit(code)``.
    """
    if not _PROGRAM:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to keep
            stream.flush()
    os._exit(code)


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


#: Workbooks from this many rows on take seconds to write: a bar shows it.
SLOW_WRITE_ROWS = 20_000


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

    big = is_big(path)
    if big:
        echo(f"reading and checking {path} ...", err=True)
    try:
        result = check_portfolio(path)
    except SocialkitError as exc:
        code = EXIT_USAGE if isinstance(exc, PortfolioNotFoundError) else EXIT_INVALID
        if not as_json:
            fail(str(exc), code)
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
    _exit_fast(EXIT_OK if result.valid else EXIT_INVALID)


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
        fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        where = exc.filename if exc.filename is not None else (parquet or src or path)
        doing = "read" if parquet is None else "read or write"
        fail(f"cannot {doing} {str(where)!r}: {exc.strerror or exc}", EXIT_INVALID)
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
    say_reading(src, check=not no_check)
    try:
        with _rows_bar(dest) as progress:
            written = do_convert(
                src, dest, check=not no_check, force=force, on_warning=warn, progress=progress
            )
    except (PortfolioNotFoundError, DestinationNotEmptyError) as exc:
        fail(str(exc), EXIT_USAGE)
    except ValidationError as exc:
        fail(f"{exc}\nnothing was written (use --no-check to convert anyway)", EXIT_INVALID)
    except SocialkitError as exc:
        fail(str(exc), EXIT_INVALID)
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
        fail(str(exc), EXIT_USAGE)
    except SocialkitError as exc:
        fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        fail(f"cannot write statements to {str(dest)!r}: {exc.strerror or exc}", EXIT_INVALID)
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
        fail(missing, EXIT_USAGE)
    if running_as_root():
        echo("note: running as root, so JupyterLab is started with --allow-root", err=True)
    argv = lab_arguments(extra=jupyter_args)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(argv[0], argv)  # JupyterLab takes over this process, Ctrl-C included
    import subprocess

    sys.exit(subprocess.call(argv))


main.add_command(pull)
main.add_command(report)


def run() -> None:
    """The ``socialkit`` program (its console script, ``python -m socialkit``): :func:`main`,
    which may then end the process as soon as its output is written."""
    _PROGRAM.append(True)
    main()


if __name__ == "__main__":  # python -m socialkit.cli
    run()
