"""The report batch: execute the course notebook for every course, fast, and never half.

:func:`run_reports` executes a parameterised notebook (``notebooks/course_report.ipynb``
by default) once per course with papermill's parameter injection, exports each executed
notebook to an offline HTML page (:mod:`socialkit.reports.export`), then executes the portfolio
notebook into ``index.html``.

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

import asyncio
import contextlib
import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
import pandas as pd

from socialkit import __version__
from socialkit.contract.io import load_portfolio, notebook_path
from socialkit.contract.schema import Portfolio
from socialkit.errors import ReportWriteError, UnknownCourseError, format_issues
from socialkit.reports.export import (
    course_href,
    course_slug,
    inside,
    notebook_body,
    page,
    remove_file,
    write_plotly_js,
    write_text,
)
from socialkit.reports.fingerprints import course_fingerprints
from socialkit.reports.kernels import (
    KernelLane,
    KernelPool,
    NotebookFailed,
    load_notebook,
    parameterize,
)
from socialkit.reports.outcome import course_outcome
from socialkit.reports.outdir import (
    FAILED_DIR,
    MANIFEST,
    OVERVIEW_FAILED,
    RUN_FILE,
    STATE_DIR,
    check_files,
    check_slugs,
    prepare_out,
    read_manifest,
    read_notebook,
)

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


#: What the head of every page socialkit writes contains (see :func:`export.page`).
OWN_PAGE_MARK = b'<meta name="generator" content="socialkit">'


class _Batch:
    def __init__(
        self,
        portfolio: Portfolio,
        source: Path,
        out: Path,
        notebook: Path,
        index_notebook: Path,
        progress: Callable[[int, int], object] | None,
    ) -> None:
        self.portfolio = portfolio
        self.source = source
        self.out = out
        self.state = out / STATE_DIR
        self.notebook = notebook
        self.index_notebook = index_notebook
        self.progress = progress
        self.manifest = read_manifest(self.state / MANIFEST)
        self.rows: dict[str, dict] = {}
        self.total = 0  # courses to make in this run
        self.titles = portfolio.courses.set_index("course_id")["title"]

    def _save_manifest(self) -> None:
        data = {"socialkit": __version__, "courses": self.manifest}
        write_text(self.state / MANIFEST, json.dumps(data, indent=1, sort_keys=True))

    def _course_page(self, cid: str) -> Path:
        return inside(self.out, course_href(cid))

    def _has_page(self, cid: str) -> bool:
        """Whether the course's page is there (a link there is not a page: it is remade)."""
        page_path = self._course_page(cid)
        return page_path.is_file() and not page_path.is_symlink()

    def forget_invalid(self, cids: list[str]) -> None:
        """Remove the pages made while these (now invalid) courses were valid.

        Only a page socialkit wrote is removed (a plain file that says socialkit made
        it), never a link, a folder or a user's file, nor the page of a valid course
        that would have the same name. The courses leave the state file, so they are
        made again once they are valid.
        """
        valid_pages = {self._course_page(cid) for cid in self.portfolio.course_ids}
        forgotten = False
        for cid in cids:
            page_path = self._course_page(cid)
            if page_path not in valid_pages and _is_own_page(page_path):
                remove_file(page_path)  # an outdated report would mislead
            forgotten |= self.manifest.pop(cid, None) is not None
        if forgotten:
            self._save_manifest()

    def _failed_notebook(self, name: str) -> Path:
        return inside(self.out, f"{FAILED_DIR}/{name}.ipynb")

    async def _one(self, lane: KernelLane, base: nbformat.NotebookNode, cid: str, fp: str):
        outcome = await course_outcome(lane, base, str(self.source), cid, self.notebook.parent)
        self.record(cid, fp, outcome.pop("seconds"), outcome)

    def record(self, cid: str, fp: str, seconds: float, outcome: dict[str, str]) -> None:
        """Write what running one course gave: its page, or its failure and notebook."""
        html_path = self._course_page(cid)
        failed_path = self._failed_notebook(course_slug(cid))
        if outcome["status"] == "failed":
            rel = None
            if outcome.get("notebook"):
                write_text(failed_path, outcome["notebook"])
                rel = failed_path.relative_to(self.out).as_posix()
            remove_file(html_path)  # an outdated report would mislead
            error = outcome["error"]
            row = {"status": "failed", "error": error, "href": None, "notebook": rel}
            self.manifest[cid] = {"fingerprint": fp, "status": "failed", "error": error}
        else:
            title = str(self.titles[cid])
            write_text(html_path, page(outcome["body"], title=title, root="../"))
            remove_file(failed_path)
            row = {"status": "made", "error": None, "href": course_href(cid), "notebook": None}
            self.manifest[cid] = {"fingerprint": fp, "status": "made"}
        self._save_manifest()
        self.rows[cid] = {"seconds": round(seconds, 3), **row}
        if self.progress is not None:
            self.progress(len(self.rows), self.total)

    async def run(
        self, lanes: list[KernelLane], todo: list[tuple[str, str]], index_rows: list[dict]
    ) -> str | None:
        """Make the reports in ``todo`` (course id, fingerprint), then the index."""
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        for item in todo:
            queue.put_nowait(item)
        base = load_notebook(self.notebook)
        failures: list[ReportWriteError] = []

        async def work(lane: KernelLane) -> None:
            while not queue.empty() and not failures:
                cid, fp = queue.get_nowait()
                try:
                    await self._one(lane, base, cid, fp)
                except ReportWriteError as exc:  # the next write would fail too: stop
                    failures.append(exc)

        await asyncio.gather(*(work(lane) for lane in lanes))
        if failures:
            raise failures[0]
        return await self._index(lanes[0], index_rows)

    async def _index(self, lane: KernelLane, index_rows: list[dict]) -> str | None:
        for row in index_rows:
            made = self.rows.get(row["course_id"], {})
            row.update({k: made[k] for k in ("status", "error", "href", "notebook") if k in made})
        run_file = self.state / RUN_FILE
        write_text(run_file, json.dumps({"courses": index_rows}, indent=1))
        nb = parameterize(
            load_notebook(self.index_notebook),
            {"portfolio": str(self.source), "run_file": str(run_file)},
        )
        failed = self._failed_notebook(OVERVIEW_FAILED)
        try:
            await lane.execute(nb, cwd=self.index_notebook.parent)
        except NotebookFailed as exc:
            write_text(failed, nbformat.writes(exc.nb))
            return str(exc)
        remove_file(failed)
        write_text(self.out / "index.html", page(notebook_body(nb), title="Design reports"))
        return None


def _is_own_page(path: Path) -> bool:
    """Whether ``path`` is a plain file with the mark of a page socialkit wrote."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return OWN_PAGE_MARK in head


def _previous(batch: _Batch, cid: str, old: dict, fingerprint: str) -> dict:
    """Index row fields of a course left out of this run."""
    if old.get("status") == "failed" and old.get("fingerprint") == fingerprint:
        kept = batch._failed_notebook(course_slug(cid))
        kept_ok = kept.is_file() and not kept.is_symlink()
        return {
            "status": "failed",
            "href": None,
            "error": old.get("error"),
            "notebook": kept.relative_to(batch.out).as_posix() if kept_ok else None,
        }
    if batch._has_page(cid):
        return {"status": "outdated", "href": course_href(cid)}
    return {"status": "missing", "href": None}


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
    with contextlib.ExitStack() as stack:
        client = None
        if scheduler:
            from socialkit.reports.cluster import session

            client = stack.enter_context(session(scheduler))
        if pool is None:
            size = pool_size(jobs, courses, scheduler=scheduler)
            preload = str(portfolio) if portfolio is not None else ""
            pool = KernelPool(size, timeout=timeout, preload=preload).launch()
            stack.callback(pool.close)
        return _run(
            pool,
            portfolio,
            Path(out),
            courses,
            notebook,
            index_notebook,
            timeout,
            force,
            progress,
            on_plan,
            client,
        )


def pool_size(
    jobs: int | None, courses: Sequence[str] | None, *, scheduler: str | None = None
) -> int:
    """How many local kernels a batch needs: ``jobs`` (the CPUs by default), no more than
    the courses asked for, and one, for the overview, when a Dask cluster makes the rest."""
    size = 1 if scheduler else jobs or os.cpu_count() or 1
    return min(size, len(set(courses))) if courses else size


def _plan(batch: _Batch, selected: list[str], force: bool) -> tuple[list, list[dict]]:
    """Which courses to execute (id, fingerprint), and the overview's row per course."""
    p = batch.portfolio
    fingerprints = course_fingerprints(p, batch.notebook.read_bytes())
    todo, index_rows = [], []
    wanted = set(selected)
    for cid in p.course_ids:
        old = batch.manifest.get(cid, {})
        current = (
            old.get("fingerprint") == fingerprints[cid]
            and old.get("status") == "made"
            and batch._has_page(cid)
        )
        row = {"course_id": cid, "title": str(batch.titles[cid]), "error": None, "notebook": None}
        if cid in wanted and (force or not current):
            todo.append((cid, fingerprints[cid]))
            row.update(status="not run", href=None)
        elif current:
            row.update(status="unchanged", href=course_href(cid))
        else:  # not selected this time: say what the folder holds for it
            row.update(_previous(batch, cid, old, fingerprints[cid]))
        index_rows.append(row)
    return todo, index_rows


def _invalid_rows(p: Portfolio) -> list[dict]:
    """The overview's row for each course left out because it breaks the data contract."""
    rows = []
    firsts = format_issues(p.invalid.drop_duplicates("course_id"))  # same order
    for (cid, title, n), first in zip(
        p.invalid_courses.itertuples(index=False), firsts, strict=True
    ):
        more = f" (and {n - 1} more)" if n > 1 else ""
        error = f"{n} error{'s' if n != 1 else ''} against the data contract: {first}{more}"
        rows.append(
            {
                "course_id": cid,
                "title": title if isinstance(title, str) else cid,
                "status": "invalid",
                "error": error,
                "href": None,
                "notebook": None,
            }
        )
    return rows


def _run(
    pool,
    portfolio,
    out,
    courses,
    notebook,
    index_notebook,
    timeout,
    force,
    progress,
    on_plan,
    client=None,
) -> BatchResult:
    source = Path(portfolio).resolve() if portfolio is not None else None
    p = load_portfolio(source, partial=True)  # an invalid course is listed, not made
    invalid_rows = _invalid_rows(p)
    invalid = [r["course_id"] for r in invalid_rows]
    selected = list(dict.fromkeys(courses)) if courses else p.course_ids
    unknown = [c for c in selected if c not in set(p.course_ids) | set(invalid)]
    if unknown:
        raise UnknownCourseError(
            f"unknown course id(s) {', '.join(map(repr, unknown))}; "
            f"the portfolio has {len(p.course_ids)} course(s)"
        )
    nb_path = Path(notebook) if notebook else notebook_path("course_report")
    index_path = Path(index_notebook) if index_notebook else notebook_path("portfolio_report")
    for path in (nb_path, index_path):
        read_notebook(path)
    check_slugs(p.course_ids)
    out = prepare_out(out)
    write_plotly_js(out)
    batch = _Batch(
        p,
        Path(source or p.source).resolve(),
        out,
        nb_path.resolve(),
        index_path.resolve(),
        progress,
    )
    batch.forget_invalid(invalid)
    valid = [c for c in selected if c not in set(invalid)]
    todo, index_rows = _plan(batch, valid, force)
    index_rows += invalid_rows  # every invalid course, selected or not: it needs fixing
    selected = valid + invalid
    check_files(
        [batch._failed_notebook(OVERVIEW_FAILED)]
        + [batch._course_page(cid) for cid, _ in todo]
        + [batch._failed_notebook(course_slug(cid)) for cid, _ in todo]
    )
    batch.total = len(todo)
    pool.log_folder = batch.state
    if on_plan is not None:
        on_plan(len(todo), len(valid) - len(todo))
    pool.shrink(1 if client is not None else min(len(pool.lanes), len(todo)))
    for lane in pool.lanes:
        lane.timeout = timeout
    interrupted = False
    index_error = None
    try:
        if client is not None:
            from socialkit.reports.cluster import make_reports_on

            make_reports_on(
                client,
                source=batch.source,
                notebook=batch.notebook,
                todo=todo,
                timeout=timeout,
                record=batch.record,
            )
            todo = []
        index_error = pool.run(batch.run(pool.lanes, todo, index_rows))
    except KeyboardInterrupt:
        interrupted = True
    rows = {r["course_id"]: {**r, **batch.rows.get(r["course_id"], {})} for r in index_rows}
    cols = ["course_id", "status", "seconds", "error", "href", "notebook"]
    return BatchResult(
        courses=pd.DataFrame([rows[cid] for cid in selected]).reindex(columns=cols),
        out=batch.out,
        index=batch.out / "index.html" if not interrupted and index_error is None else None,
        index_error=index_error,
        interrupted=interrupted,
    )
