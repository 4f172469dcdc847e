"""The report batch: execute the course notebook for every course, fast, and never half.

:func:`run_reports` executes a parameterised notebook (``notebooks/course_report.ipynb``
by default) once per course with papermill's parameter injection, exports each executed
notebook to an offline HTML page (:mod:`socialkit.reports.export`), then executes the portfolio
notebook into ``index.html``.

The batch is four steps, each a small function that reads what it needs from the
batch's options (:class:`~socialkit.reports.options.ReportOptions`): *load* the portfolio, check the
notebooks and make the output folder ready; *plan* which courses to make
(:mod:`socialkit.reports.plan`); *run* their notebooks, here or on a Dask cluster
(:mod:`socialkit.reports.batch`, :mod:`socialkit.reports.cluster`); write the *index*.

Speed comes from warm kernels. A fresh kernel costs a second or more before the first
cell runs (start-up, imports, reading the portfolio); here ``jobs`` kernels start once
and each makes report after report. Between two notebooks :func:`socialkit.reports.kernel.reset`
empties the namespace and restores process-wide settings, so a report made in a reused
kernel is the same, byte for byte, as one made in a fresh kernel.

Guarantees:

- a course whose notebook raises, times out (``timeout`` seconds for one cell) or kills
  its kernel is reported as failed; its executed notebook is kept in ``failed/`` and the
  batch goes on (a stuck or dead kernel is replaced);
- every file is written to a temporary file and renamed, so no report is ever half
  written, and the state of the batch is saved after each course: after Ctrl-C the next
  run picks up where this one stopped; a write that fails (a full disk, a read-only
  folder) stops the batch with a :class:`~socialkit.errors.ReportWriteError` naming the
  file, and what a killed run left is removed by the next (only socialkit's own temporary
  files, recognised by name: see :mod:`socialkit.base.files`);
- the batch writes only inside ``out``: a ``courses/``, ``failed/`` or ``.socialkit/``
  there that is a file or a symbolic link is refused before anything runs, a state file
  of any other shape is ignored and rebuilt, and no course id can share a file with
  another course or with the overview's own files;
- a course whose data (its rows, its organisation, the tool catalog) and notebook are
  unchanged since its last report is not executed again unless ``force``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from socialkit.contract.io import load_portfolio, notebook_path
from socialkit.errors import unknown_course
from socialkit.reports.batch import Batch
from socialkit.reports.cluster import check_address, make_reports_on, session
from socialkit.reports.export import write_plotly_js
from socialkit.reports.fingerprints import course_fingerprints
from socialkit.reports.kernels import KernelPool
from socialkit.reports.options import ReportOptions
from socialkit.reports.outdir import check_slugs, prepare_out, read_notebook
from socialkit.reports.plan import Plan, invalid_course_rows, plan_batch

__all__ = ["BatchResult", "course_fingerprints", "run_reports"]


# --------------------------------------------------------------------------- the batch
@dataclasses.dataclass(frozen=True)
class BatchResult:
    """What a batch did.

    Attributes
    ----------
    courses : pandas.DataFrame
        One row per selected course and per invalid course: ``course_id``, ``status``
        (``made``, ``unchanged``, ``failed``, ``invalid`` (breaks the data contract, not
        made) or, after an interruption, ``not run``), ``seconds``,
        ``error``, ``href`` (report page, relative to ``out``) and ``notebook`` (the
        kept notebook of a failed course).
    out : pathlib.Path
        The output folder.
    index : pathlib.Path or None
        ``index.html``, or None if the batch was interrupted before writing it.
    index_error : str or None
        Why the portfolio notebook failed, if it did.
    interrupted : bool
    """

    courses: pd.DataFrame
    out: Path
    index: Path | None
    index_error: str | None = None
    interrupted: bool = False

    def count(self, status: str) -> int:
        """Number of courses with this status."""
        return int(self.courses["status"].eq(status).sum())

    @property
    def ok(self) -> bool:
        """True when every course has a current report and the index was written."""
        return (
            not self.interrupted
            and self.index_error is None
            and self.courses["status"].isin(["made", "unchanged"]).all()
        )


def run_reports(
    portfolio: str | os.PathLike[str] | None = None,
    *,
    out: str | os.PathLike[str] = "reports",
    courses: Sequence[str] | None = None,
    notebook: str | os.PathLike[str] | None = None,
    index_notebook: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    timeout: float | None = 600,
    force: bool = False,
    progress: Callable[[int, int], object] | None = None,
    on_plan: Callable[[int, int], object] | None = None,
    pool: KernelPool | None = None,
    scheduler: str | None = None,
) -> BatchResult:
    """Make a design report per course and the portfolio overview.

    Parameters
    ----------
    portfolio : path-like, optional
        CSV folder or ``.xlsx``; the bundled sample when omitted.
    out : path-like, default "reports"
        Output folder (made if missing).
    courses : sequence of str, optional
        Only these courses (all when omitted). The overview still lists every course.
    notebook, index_notebook : path-like, optional
        The course notebook (needs a ``parameters`` cell; ``portfolio`` and
        ``course_id`` are injected) and the portfolio notebook (``portfolio`` and
        ``run_file``); socialkit's own when omitted.
    jobs : int, optional
        Kernels working side by side; the number of CPUs when omitted.
    timeout : float or None, default 600
        Seconds one cell may run; None for no limit.
    force : bool, default False
        Make every selected report, even those whose inputs are unchanged.
    progress : callable, optional
        Called as ``progress(done, total)`` after each course that was executed.
    on_plan : callable, optional
        Called once as ``on_plan(to_run, unchanged)`` before the first notebook runs.
    pool : KernelPool, optional
        Kernels launched by the caller (``jobs`` is then ignored); the caller closes
        them. By default the kernels are launched first thing, so that they warm up
        while the portfolio is read, and closed at the end.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``): the courses are then
        made on its workers, one task per course (see :mod:`socialkit.reports.cluster`), and
        only the overview runs here, in one local kernel. Needs the ``cluster`` extra.

    Returns
    -------
    BatchResult

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError, ValidationError
        If the portfolio cannot be read or is invalid (nothing is made).
    UnknownCourseError
        If ``courses`` names a course the portfolio lacks.
    NotebookNotFoundError
        If a notebook path does not exist.
    NotebookReadError
        If a notebook is not a Jupyter notebook with a ``parameters`` cell.
    OutputFolderError
        If ``out`` cannot be a folder (it, or a folder above it, is a file).
    ReportWriteError
        If a file cannot be written in ``out`` (a full disk, a read-only folder, a
        ``courses/`` that is a file or a link): before anything runs where that can be
        seen, else when it happens; what was made before is kept and recorded. Also
        when two course ids would share a file.
    SchedulerError
        If ``scheduler`` is given but cannot be reached or has no worker (checked before
        anything is written), or if it is lost during the batch.
    KeyboardInterrupt
        Only if interrupted before the first notebook runs. Later, an interruption
        stops the kernels and returns with ``interrupted=True``; reports already made
        are kept and recorded.
    """
    options = ReportOptions(
        portfolio=portfolio,
        out=Path(out),
        courses=tuple(dict.fromkeys(courses)) if courses else None,
        notebook=Path(notebook) if notebook else None,
        index_notebook=Path(index_notebook) if index_notebook else None,
        jobs=jobs,
        timeout=timeout,
        force=force,
        scheduler=scheduler,
        progress=progress,
        on_plan=on_plan,
    )
    with contextlib.ExitStack() as stack:
        if options.scheduler:  # a bad address is told before any kernel starts
            check_address(options.scheduler)
        if pool is None:  # first thing: the kernels warm up while the portfolio is read
            pool = KernelPool(
                options.kernels, timeout=options.timeout, preload=options.preload
            ).launch()
            stack.callback(pool.close)
        client = stack.enter_context(session(options.scheduler)) if options.scheduler else None
        return _make_reports(options, pool, client=client)


def _make_reports(options: ReportOptions, pool: KernelPool, *, client: Any = None) -> BatchResult:
    """The batch of ``options`` on launched kernels: load, plan, run, index.

    Parameters
    ----------
    options : ReportOptions
    pool : KernelPool
        The local kernels (the caller closes them); those beyond the number of courses
        to make are stopped, and all but one when ``client`` makes the courses.
    client : distributed.Client, optional
        A client of the Dask cluster that makes the courses (see
        :func:`socialkit.reports.cluster.session`).

    Returns
    -------
    BatchResult

    Raises
    ------
    SocialkitError
        As :func:`run_reports` does.
    """
    batch = _load_batch(options)
    plan = plan_batch(batch, options)
    _ready_kernels(pool, batch, plan, options, cluster=client is not None)
    interrupted = False
    index_error = None
    try:
        _run_courses(batch, plan, options, pool=pool, client=client)
        index_error = _write_index(batch, plan, pool)
    except KeyboardInterrupt:
        interrupted = True
    return _batch_result(batch, plan, index_error=index_error, interrupted=interrupted)


def _load_batch(options: ReportOptions) -> Batch:
    """Read the portfolio, check the courses asked for and the notebooks, and make the
    output folder ready: the batch, before anything runs.

    Raises
    ------
    SocialkitError
        As :func:`run_reports` does, before any notebook runs.
    """
    source = Path(options.portfolio).resolve() if options.portfolio is not None else None
    p = load_portfolio(source, partial=True)  # an invalid course is listed, not made
    invalid_rows = invalid_course_rows(p)
    invalid = [r["course_id"] for r in invalid_rows]
    selected = list(options.courses) if options.courses else p.course_ids
    unknown = [c for c in selected if c not in set(p.course_ids) | set(invalid)]
    if unknown:
        raise unknown_course(unknown, p.course_ids, asked_several=True)
    nb_path = options.notebook or notebook_path("course_report")
    index_path = options.index_notebook or notebook_path("portfolio_report")
    for path in (nb_path, index_path):
        read_notebook(path)
    check_slugs(p.course_ids)
    out = prepare_out(options.out)
    write_plotly_js(out)
    batch = Batch(
        p,
        source=Path(source or p.source).resolve(),
        out=out,
        notebook=nb_path.resolve(),
        index_notebook=index_path.resolve(),
        progress=options.progress,
        selected=[c for c in selected if c not in set(invalid)],
        invalid_rows=invalid_rows,
    )
    batch.forget_invalid(invalid)
    return batch


def _ready_kernels(
    pool: KernelPool, batch: Batch, plan: Plan, options: ReportOptions, *, cluster: bool
) -> None:
    """Tell the plan, keep the kernels the plan needs, and give them the options' timeout."""
    pool.log_folder = batch.state
    if options.on_plan is not None:
        options.on_plan(len(plan.todo), plan.unchanged)
    pool.shrink(1 if cluster else min(len(pool.lanes), len(plan.todo)))
    for lane in pool.lanes:
        lane.timeout = options.timeout


def _run_courses(
    batch: Batch, plan: Plan, options: ReportOptions, *, pool: KernelPool, client: Any
) -> None:
    """Make the planned courses: on the Dask cluster of ``client``, else on ``pool``."""
    if client is not None:
        make_reports_on(
            client,
            source=batch.source,
            notebook=batch.notebook,
            todo=plan.todo,
            timeout=options.timeout,
            record=batch.record,
        )
    else:
        pool.run(batch.run_courses(pool.lanes, plan.todo))


def _write_index(batch: Batch, plan: Plan, pool: KernelPool) -> str | None:
    """Make the overview in the first kernel; why it failed, or None."""
    return pool.run(batch.write_index(pool.lanes[0], plan.index_rows))


def _batch_result(
    batch: Batch, plan: Plan, *, index_error: str | None, interrupted: bool
) -> BatchResult:
    """What the batch did, one row per course of the plan."""
    rows = {r["course_id"]: {**r, **batch.rows.get(r["course_id"], {})} for r in plan.index_rows}
    cols = ["course_id", "status", "seconds", "error", "href", "notebook"]
    return BatchResult(
        courses=pd.DataFrame([rows[cid] for cid in plan.courses]).reindex(columns=cols),
        out=batch.out,
        index=batch.out / "index.html" if not interrupted and index_error is None else None,
        index_error=index_error,
        interrupted=interrupted,
    )
