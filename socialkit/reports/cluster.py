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

import contextlib
import hashlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from socialkit._compat import forget_client, lost_its_scheduler
from socialkit.base.files import remove_stale_temps, temp_name
from socialkit.contract.layout import portfolio_files
from socialkit.errors import SchedulerError

__all__ = [
    "check_address",
    "connect",
    "make_course",
    "make_reports_on",
    "portfolio_payload",
    "session",
]

#: Seconds to wait for the scheduler before giving up.
CONNECT_TIMEOUT = 10
#: Seconds to wait for a first worker (an autoscaling cluster may start one on demand).
WORKERS_TIMEOUT = 60
_local = threading.local()
#: Address schemes a scheduler can be reached with from another process.
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_EXAMPLE = "such as tcp://10.0.0.5:8786"


def check_address(address: str) -> str:
    """Check that ``address`` can name a running Dask scheduler, before connecting to it.

    Returns
    -------
    str
        The address, unchanged.

    Raises
    ------
    SchedulerError
        If dask's distributed package is not installed, or ``address`` has a scheme
        other than ``tcp``, ``tls``, ``ws``, ``wss`` or ``ucx``
        (``inproc://`` only works inside one process), no host, no port or a port out of
        range, a host name that does not resolve, or if it is ``tls://`` or ``wss://``
        and dask is given no certificates.
    """
    try:
        import distributed  # noqa: F401 - its submodules may be loaded without it
        from distributed.comm.addressing import parse_host_port
    except ImportError:
        raise SchedulerError(
            "--scheduler needs dask's distributed package: pip install -e '.[cluster]'"
        ) from None

    def bad(why: str) -> SchedulerError:
        return SchedulerError(
            f"cannot use {address!r} as a Dask scheduler address: {why}; expected the "
            f"address of a running scheduler, {_EXAMPLE}"
        )

    scheme, sep, location = address.strip().partition("://")
    if not sep:
        scheme, location = "tcp", address.strip()
    if scheme not in _SCHEMES:
        raise bad(f"{scheme + '://'!r} is not a scheme for a scheduler in another process")
    try:
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise bad(str(exc) or "no host and port") from None
    if not host:
        raise bad("there is no host name")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise bad(f"port {port!r} is out of range (1 to 65535)")
    if scheme in ("tls", "wss"):
        from distributed.security import Security

        security = Security()
        if not (security.tls_client_cert or security.tls_ca_file):
            raise bad(
                f"{scheme}:// needs certificates, and dask's configuration names none "
                "(set distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
                "distributed.comm.tls.client.key)"
            )
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise bad(f"the host name {host!r} is not known ({exc})") from None
    return address


def connect(address: str) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``, once it has a worker.

    Raises
    ------
    SchedulerError
        If dask is not installed, ``address`` cannot be used (see :func:`check_address`),
        the scheduler cannot be reached in time, or it has no worker after
        :data:`WORKERS_TIMEOUT` seconds.
    """
    check_address(address)
    from distributed import Client  # check_address made sure it is installed

    class BoundedClient(Client):  # type: ignore[misc]
        """A client whose start is bounded in wall-clock time, and discarded if it fails.

        The client's own timeout only bounds some steps: a peer that accepts the
        connection and never answers (or answers as no scheduler does) would stall it.
        """

        def start(self, **kwargs: Any) -> None:
            try:
                super().start(**kwargs, callback_timeout=CONNECT_TIMEOUT)
            except BaseException:
                _discard(self)
                raise

    try:
        client = BoundedClient(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError; ValueError, TypeError for bad config
        raise SchedulerError(
            f"cannot reach a Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s "
            f"({type(exc).__name__}: {exc}); expected the address of a running scheduler, "
            f"{_EXAMPLE}"
        ) from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except OSError:  # no worker in time (TimeoutError), or the scheduler went away
        _discard(client)
        raise SchedulerError(
            f"the Dask scheduler at {address!r} has no worker after {WORKERS_TIMEOUT} s; "
            f"expected at least one, started with: dask worker {address}"
        ) from None
    return client


def _discard(client: Any) -> None:
    """Close ``client`` at once, whatever state it is in, and stop its event loop.

    A client that failed to connect is marked closed afterwards, so that its finaliser
    has nothing left to do and never prints a traceback when the process ends.
    """
    if client is None:
        return
    with contextlib.suppress(Exception):
        client.close(timeout=2)
    forget_client(client)


@contextlib.contextmanager
def session(address: str) -> Iterator[Any]:
    """A client of the scheduler at ``address`` (see :func:`connect`), closed on exit.

    While it is open the client's own reconnection logs stay off the terminal: a lost
    scheduler is reported once, as a :class:`SchedulerError`.
    """
    with _quiet_client_logs():
        client = connect(address)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.close()


def portfolio_payload(source: Path) -> tuple[str, dict[str, bytes]]:
    """The portfolio's files as (digest, {path: bytes}), to ship to the workers.

    For a CSV folder, every table's file and its statement files
    (:func:`socialkit.contract.layout.portfolio_files`), each keyed by its path inside the
    folder in ``/`` form (``statements/2026/march.jsonl``); for a workbook, its file name.
    """
    if source.is_dir():
        files = {f.relative_to(source).as_posix(): f for f in portfolio_files(source)}
    else:
        files = {source.name: source}
    data = {name: f.read_bytes() for name, f in files.items() if f.is_file()}
    digest = hashlib.sha256()
    for name in sorted(data):
        digest.update(name.encode() + b"\0" + data[name])
    return digest.hexdigest()[:16], data


def _materialise(payload: tuple[str, dict[str, bytes]], is_folder: bool) -> Path:
    """The worker's copy of the portfolio, written once per content digest.

    It is written into a staging folder named in socialkit's own pattern (see
    :mod:`socialkit.base.files`), renamed into place when complete; staging folders of killed
    workers are removed the next time.
    """
    digest, data = payload
    root = Path(tempfile.gettempdir())
    folder = root / f"socialkit-portfolio-{digest}"
    if not folder.is_dir():
        remove_stale_temps(root)
        staging = root / temp_name(folder)
        staging.mkdir(mode=0o700)
        try:
            for name, content in data.items():
                target = staging.joinpath(*name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)  # statements/ and below
                target.write_bytes(content)
            os.replace(staging, folder)
        except OSError:  # another thread or worker got there first, or a write failed
            shutil.rmtree(staging, ignore_errors=True)
            if not folder.is_dir():
                raise
    return folder if is_folder else folder / next(iter(data))


def _pool(timeout: float | None) -> Any:
    """This worker thread's warm kernel (launched on its first course)."""
    from socialkit.reports.kernels import KernelPool

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
        "notebook": executed notebook as JSON}``; with ``seconds``, the time it took.
    """
    from socialkit.reports.outcome import course_outcome

    portfolio = _materialise(payload, is_folder)
    pool = _pool(timeout)
    cwd = Path(tempfile.gettempdir())
    return pool.run(course_outcome(pool.lanes[0], notebook, str(portfolio), course_id, cwd))


def make_reports_on(
    client: Any,
    *,
    source: Path,
    notebook: Path,
    todo: list[tuple[str, str]],
    timeout: float | None,
    record: Callable[[str, str, float, dict[str, str]], None],
) -> None:
    """Make the reports of ``todo`` (course id, fingerprint) on ``client``'s cluster.

    ``record(course_id, fingerprint, seconds, outcome)`` is called in this process as each
    task completes, in completion order.

    Raises
    ------
    SchedulerError
        If the scheduler is lost during the batch; what was recorded is kept.
    """
    from distributed import as_completed

    from socialkit.reports.kernels import load_notebook

    futures: dict[Any, tuple[str, str]] = {}
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
            except Exception as exc:
                if isinstance(exc, OSError) or _connection_lost(exc):
                    raise _lost(client) from None
                # the task itself broke (e.g. it took three workers down with it)
                outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            seconds = outcome.pop("seconds", time.perf_counter() - start)
            record(cid, fp, seconds, outcome)
    except OSError:  # while scattering, submitting or waiting
        raise _lost(client) from None
    finally:
        if any(not f.done() for f in futures):  # interrupted: leave the cluster free
            with contextlib.suppress(Exception):
                client.cancel(list(futures))


@contextlib.contextmanager
def _quiet_client_logs() -> Iterator[None]:
    """Keep the client's reconnection tracebacks off the user's terminal.

    A lost scheduler is reported once, as a :class:`SchedulerError`.
    """
    loggers = [logging.getLogger(name) for name in ("distributed.client", "distributed.comm")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _lost(client: Any) -> SchedulerError:
    return SchedulerError(
        f"lost the Dask scheduler at {client.scheduler.address!r} during the batch; the "
        "reports made so far are kept: run again to make the others"
    )


def _connection_lost(exc: BaseException) -> bool:
    """Whether a future was cancelled because the client lost its scheduler."""
    return lost_its_scheduler(exc)
