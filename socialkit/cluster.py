"""Report batches on a Dask cluster: one task per course, warm kernels on every worker.

:func:`make_reports_on` sends the courses of a batch to a running Dask scheduler. Each
task carries the course id; the portfolio's files and the notebook travel once per batch
(scattered to every worker), so workers need no shared folder. A worker keeps one warm
kernel per thread for as long as it lives and resets it between courses, exactly as the
local runner does. A task returns the report's HTML body, or the failure and its executed
notebook; the client writes every page itself, atomically, into the output folder.

Dask reschedules the tasks of a worker that dies, so killing a worker mid-batch loses no
course. Needs the ``cluster`` extra (``dask`` and ``distributed``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import SchedulerError
from .schema import TABLE_ORDER

__all__ = ["connect", "make_course", "make_reports_on", "portfolio_payload"]

#: Seconds to wait for the scheduler before giving up.
CONNECT_TIMEOUT = 10
_local = threading.local()


def connect(address: str) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``.

    Raises
    ------
    SchedulerError
        If dask is not installed, or the scheduler cannot be reached in time.
    """
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError(
            "--scheduler needs dask's distributed package: pip install -e '.[cluster]'"
        ) from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            f"cannot reach a Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s "
            f"({type(exc).__name__}: {exc}); expected the address of a running scheduler, "
            "such as tcp://10.0.0.5:8786"
        ) from None


def portfolio_payload(source: Path) -> tuple[str, dict[str, bytes]]:
    """The portfolio's files as (digest, {file name: bytes}), to ship to the workers."""
    files = [source / f"{t}.csv" for t in TABLE_ORDER] if source.is_dir() else [source]
    data = {f.name: f.read_bytes() for f in files if f.is_file()}
    digest = hashlib.sha256()
    for name in sorted(data):
        digest.update(name.encode() + b"\0" + data[name])
    return digest.hexdigest()[:16], data


def _materialise(payload: tuple[str, dict[str, bytes]], is_folder: bool) -> Path:
    """The worker's copy of the portfolio, written once per content digest."""
    digest, data = payload
    folder = Path(tempfile.gettempdir()) / f"socialkit-portfolio-{digest}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=".socialkit-portfolio-"))
        for name, content in data.items():
            (staging / name).write_bytes(content)
        try:
            os.replace(staging, folder)
        except OSError:  # another thread or worker got there first
            for file in staging.iterdir():
                file.unlink()
            staging.rmdir()
    return folder if is_folder else folder / next(iter(data))


def _pool(timeout: float | None) -> Any:
    """This worker thread's warm kernel (launched on its first course)."""
    from .kernels import KernelPool

    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = KernelPool(1, timeout=timeout).launch()
    pool.lanes[0].timeout = timeout
    return pool


def make_course(
    payload: tuple[str, dict[str, bytes]],
    is_folder: bool,
    notebook: Any,
    course_id: str,
    timeout: float | None,
) -> dict[str, str]:
    """Run the course notebook for one course on this worker (a Dask task).

    Returns
    -------
    dict
        ``{"status": "made", "body": html}``, or ``{"status": "failed", "error": text,
        "notebook": executed notebook as JSON}``.
    """
    import nbformat

    from .export import notebook_body
    from .kernels import NotebookFailed, parameterize

    portfolio = _materialise(payload, is_folder)
    nb = parameterize(notebook, {"portfolio": str(portfolio), "course_id": course_id})
    pool = _pool(timeout)
    try:
        pool.run(pool.lanes[0].execute(nb, cwd=tempfile.gettempdir()))
    except NotebookFailed as exc:
        return {"status": "failed", "error": str(exc), "notebook": nbformat.writes(exc.nb)}
    return {"status": "made", "body": notebook_body(nb)}


def make_reports_on(
    address: str,
    *,
    source: Path,
    notebook: Path,
    todo: list[tuple[str, str]],
    timeout: float | None,
    record: Callable[[str, str, float, dict[str, str]], None],
) -> None:
    """Make the reports of ``todo`` (course id, fingerprint) on the cluster at ``address``.

    ``record(course_id, fingerprint, seconds, outcome)`` is called in this process as each
    task completes, in completion order.
    """
    import time

    from distributed import as_completed

    from .kernels import load_notebook

    client = connect(address)
    try:
        payload = client.scatter(portfolio_payload(source), broadcast=True)
        base = client.scatter(load_notebook(notebook), broadcast=True)
        start = time.perf_counter()
        futures = {
            client.submit(
                make_course,
                payload,
                source.is_dir(),
                base,
                cid,
                timeout,
                key=f"socialkit-report-{cid}-{fp[:12]}",
                pure=False,
            ): (cid, fp)
            for cid, fp in todo
        }
        for future in as_completed(futures, loop=client.loop):
            cid, fp = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the task itself broke (e.g. killed workers 3 times)
                outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            record(cid, fp, time.perf_counter() - start, outcome)
    finally:
        client.close()
