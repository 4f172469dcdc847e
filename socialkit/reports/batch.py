"""One report batch under way: its output folder, its state file and what it has made.

A :class:`Batch` is made once the portfolio is read and the output folder is ready (the
*load* step of :func:`socialkit.reports.runner.run_reports`). It runs the course
notebooks on local kernels (:meth:`Batch.run_courses`) and writes each page, or each
failure and its notebook, as it comes (:meth:`Batch.record`, also called for the
courses a Dask cluster makes), saving the state file after each course; then it makes
the overview (:meth:`Batch.write_index`). Every file is written atomically.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import nbformat

from socialkit import __version__
from socialkit.contract.schema import Portfolio
from socialkit.errors import ReportWriteError
from socialkit.reports.export import (
    course_href,
    course_slug,
    inside,
    notebook_body,
    page,
    remove_file,
    write_text,
)
from socialkit.reports.kernels import KernelLane, NotebookFailed, load_notebook, parameterize
from socialkit.reports.outcome import course_outcome
from socialkit.reports.outdir import (
    FAILED_DIR,
    MANIFEST,
    OVERVIEW_FAILED,
    RUN_FILE,
    STATE_DIR,
    read_manifest,
)

__all__ = ["OWN_PAGE_MARK", "Batch"]

#: What the head of every page socialkit writes contains (see :func:`export.page`).
OWN_PAGE_MARK = b'<meta name="generator" content="socialkit">'


class Batch:
    """The state of one batch: where it writes, what was made before, what it made.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio, read with its invalid courses set apart.
    source : pathlib.Path
        The portfolio's resolved path, which the notebooks read.
    out : pathlib.Path
        The output folder, made ready (see :func:`socialkit.reports.outdir.prepare_out`).
    notebook, index_notebook : pathlib.Path
        The course and the portfolio notebook, resolved.
    progress : callable or None
        Called as ``progress(done, total)`` after each course recorded.
    selected : list of str
        The valid courses asked for, in order.
    invalid_rows : list of dict
        The overview's row of each course that breaks the data contract.
    """

    def __init__(
        self,
        portfolio: Portfolio,
        *,
        source: Path,
        out: Path,
        notebook: Path,
        index_notebook: Path,
        progress: Callable[[int, int], object] | None,
        selected: list[str],
        invalid_rows: list[dict],
    ) -> None:
        self.portfolio = portfolio
        self.source = source
        self.out = out
        self.state = out / STATE_DIR
        self.notebook = notebook
        self.index_notebook = index_notebook
        self.progress = progress
        self.selected = selected
        self.invalid_rows = invalid_rows
        self.manifest = read_manifest(self.state / MANIFEST)
        self.rows: dict[str, dict] = {}
        self.total = 0  # courses to make in this run
        self.titles = portfolio.courses.set_index("course_id")["title"]

    def _save_manifest(self) -> None:
        data = {"socialkit": __version__, "courses": self.manifest}
        write_text(self.state / MANIFEST, json.dumps(data, indent=1, sort_keys=True))

    def course_page(self, cid: str) -> Path:
        """Where the page of course ``cid`` goes."""
        return inside(self.out, course_href(cid))

    def has_page(self, cid: str) -> bool:
        """Whether the course's page is there (a link there is not a page: it is remade)."""
        page_path = self.course_page(cid)
        return page_path.is_file() and not page_path.is_symlink()

    def failed_notebook(self, name: str) -> Path:
        """Where the executed notebook of a failure named ``name`` is kept."""
        return inside(self.out, f"{FAILED_DIR}/{name}.ipynb")

    def forget_invalid(self, cids: list[str]) -> None:
        """Remove the pages made while these (now invalid) courses were valid.

        Only a page socialkit wrote is removed (a plain file that says socialkit made
        it), never a link, a folder or a user's file, nor the page of a valid course
        that would have the same name. The courses leave the state file, so they are
        made again once they are valid.
        """
        valid_pages = {self.course_page(cid) for cid in self.portfolio.course_ids}
        forgotten = False
        for cid in cids:
            page_path = self.course_page(cid)
            if page_path not in valid_pages and _is_own_page(page_path):
                remove_file(page_path)  # an outdated report would mislead
            forgotten |= self.manifest.pop(cid, None) is not None
        if forgotten:
            self._save_manifest()

    async def _one(self, lane: KernelLane, base: nbformat.NotebookNode, cid: str, fp: str):
        outcome = await course_outcome(lane, base, str(self.source), cid, self.notebook.parent)
        self.record(cid, fp, outcome.pop("seconds"), outcome)

    def record(self, cid: str, fp: str, seconds: float, outcome: dict[str, str]) -> None:
        """Write what running one course gave: its page, or its failure and notebook."""
        html_path = self.course_page(cid)
        failed_path = self.failed_notebook(course_slug(cid))
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

    async def run_courses(self, lanes: list[KernelLane], todo: list[tuple[str, str]]) -> None:
        """Make the reports in ``todo`` (course id, fingerprint), on ``lanes`` side by side.

        Raises
        ------
        ReportWriteError
            The first write that failed; the lanes then take no further course.
        """
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

    async def write_index(self, lane: KernelLane, index_rows: list[dict]) -> str | None:
        """Make ``index.html`` from the overview's rows and what this run made.

        Returns
        -------
        str or None
            Why the portfolio notebook failed (its notebook is then kept in
            ``failed/``), or None.
        """
        for row in index_rows:
            made = self.rows.get(row["course_id"], {})
            row.update({k: made[k] for k in ("status", "error", "href", "notebook") if k in made})
        run_file = self.state / RUN_FILE
        write_text(run_file, json.dumps({"courses": index_rows}, indent=1))
        nb = parameterize(
            load_notebook(self.index_notebook),
            {"portfolio": str(self.source), "run_file": str(run_file)},
        )
        failed = self.failed_notebook(OVERVIEW_FAILED)
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
