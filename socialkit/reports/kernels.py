"""Warm Jupyter kernels that execute notebook after notebook.

A fresh kernel costs a second or more before a notebook's first cell runs: the process
starts, imports pandas and plotly, reads the portfolio. :class:`KernelLane` pays that
once and then executes one notebook after another, calling
:func:`socialkit.reports.kernel.reset` in between so that no state passes from one notebook to
the next. :class:`KernelPool` holds several lanes and an event loop for them, so that the
kernels can be launched first and used later: they start up while the caller is still
reading the portfolio.

This module imports nothing heavy at import time (no pandas), so a command can launch its
kernels before it loads the rest of socialkit.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import math
import os
import queue
import shutil
import tempfile
from collections.abc import Awaitable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from socialkit._compat import borrowed_kernel_client, load_notebook_node, parameterize_notebook
from socialkit.base.files import move, remove_stale_temps, temp_name
from socialkit.errors import NotebookFailed

__all__ = ["KernelLane", "KernelPool", "NotebookFailed", "load_notebook", "parameterize"]

_RESET = "__import__('socialkit.reports.kernel', fromlist=['reset']).reset()"


def _warm_code(preload: str | None) -> str:
    code = (
        "import socialkit.reports.kernel, socialkit.reports.display, "
        "socialkit.charts.course, socialkit.analysis.advice\n"
    )
    if preload is not None:  # read the portfolio while the caller is busy; errors come later
        code += (
            f"try:\n    socialkit.reports.display.load({preload!r})\nexcept Exception:\n    pass\n"
        )
    return code


async def _cancellable(work: Awaitable[Any]) -> Any:
    """Await ``work``; if this task is being cancelled (Ctrl-C), end with the cancellation.

    nbclient reports a cancellation during a cell as a dead kernel; that must not turn
    an interrupted batch into a failed course.
    """
    try:
        return await work
    except Exception:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError from None
        raise


class KernelLane:
    """One warm kernel that executes notebook after notebook.

    Parameters
    ----------
    timeout : float or None
        Seconds one cell may run before the notebook counts as timed out.
    log : path-like, optional
        File that receives the kernel's own output (it would otherwise reach the
        terminal); discarded when omitted.
    preload : str, optional
        A portfolio path the kernel reads as soon as it has started (``""`` for the
        bundled sample); notebooks that call :func:`socialkit.reports.display.load` on the same
        unchanged files then skip reading it.
    kernel_name : str, default "python3"
    """

    def __init__(
        self,
        *,
        timeout: float | None,
        log: str | os.PathLike[str] | None = None,
        preload: str | None = None,
        kernel_name: str = "python3",
    ) -> None:
        self.timeout = timeout
        self.log = log
        self.preload = preload
        self.kernel_name = kernel_name
        self.cwd: str | None = None
        self.km = None
        self.kc = None
        self._warm_id: str | None = None
        self._dirty = False

    async def launch(self) -> None:
        """Start the kernel process and queue the warm-up imports; do not wait."""
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        out = open(self.log, "ab") if self.log else open(os.devnull, "wb")
        with out:
            await self.km.start_kernel(
                stdout=out, stderr=out, extra_arguments=["--HistoryManager.enabled=False"]
            )
        self.kc = self.km.client()
        self.kc.start_channels()
        self._warm_id = self.kc.execute(_warm_code(self.preload), silent=True, store_history=False)
        self._dirty = False

    async def ready(self, cwd: str | os.PathLike[str]) -> None:
        """Get the kernel clean, in ``cwd``, and remember that state for resets.

        Waits for the warm-up of a new kernel, resets a used one, and moves to ``cwd``
        if the kernel is elsewhere.
        """
        if self.km is None:
            await self.launch()
        if self._warm_id is not None:  # its reply also says the kernel is ready
            await self._reply(self._warm_id, wait=120)
            self._warm_id = None
        if self._dirty:
            await self._run(_RESET)
            self._dirty = False
        if self.cwd != str(cwd):
            self.cwd = str(cwd)
            await self._run(
                f"__import__('os').chdir({self.cwd!r})\n"
                "__import__('socialkit.reports.kernel', fromlist=['snapshot']).snapshot()"
            )

    async def _reply(self, msg_id: str, wait: float = 60) -> None:
        """Wait for the reply to ``msg_id``, as long as the kernel lives."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            try:
                reply = await self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not await self.km.is_alive():
                    raise RuntimeError("the kernel stopped while starting up") from None
                if loop.time() > deadline:
                    raise RuntimeError(f"the kernel did not answer within {wait:g} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    async def _run(self, code: str) -> None:
        """Run code silently and wait for its reply; raise if it failed."""
        await self._reply(self.kc.execute(code, silent=True, store_history=False))

    async def execute(self, nb: Any, *, cwd: str | os.PathLike[str]) -> Any:
        """Execute ``nb`` in place in this kernel, after a reset if it was used before.

        Parameters
        ----------
        nb : nbformat.NotebookNode
        cwd : path-like
            Working folder for the notebook (its own folder, as in JupyterLab).

        Raises
        ------
        NotebookFailed
            With a one-line reason, the index of the cell that was running (if one
            was) and, when a cell raised, the exception's name and value; the kernel
            is replaced if it timed out or died.
        """
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        await self.ready(cwd)
        self._dirty = True
        limit = self.timeout if self.timeout is None or math.isfinite(self.timeout) else None
        running: list[int | None] = [None]  # the index of the cell being executed

        def started(cell: Any, cell_index: int) -> None:
            running[0] = cell_index

        client = borrowed_kernel_client(
            nb,
            km=self.km,
            kc=self.kc,
            # nbclient's ``timeout`` takes whole seconds only; its ``timeout_func`` any number
            timeout_func=lambda cell: limit,
            kernel_name=self.kernel_name,
            record_timing=False,
            on_cell_execute=started,
        )
        try:
            await _cancellable(client.async_execute())
        except CellExecutionError as exc:
            raise NotebookFailed(
                f"{exc.ename}: {exc.evalue}".strip(),
                nb,
                cell=running[0],
                ename=exc.ename,
                evalue=exc.evalue,
            ) from None
        except CellTimeoutError:
            await self.restart()
            raise NotebookFailed(
                f"timed out: a cell ran longer than {self.timeout:g} s", nb, cell=running[0]
            ) from None
        except DeadKernelError:
            await self.restart()
            raise NotebookFailed(
                "the kernel died while running the notebook", nb, cell=running[0]
            ) from None
        return nb

    async def restart(self) -> None:
        """Replace the kernel with a fresh one (warmed when next used)."""
        await self.close()
        self.cwd = None
        await self.launch()

    async def close(self) -> None:
        """Stop the kernel at once (there is nothing to save in it)."""
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            with contextlib.suppress(Exception):
                await self.km.shutdown_kernel(now=True)
            self.km = None


def _log_folder() -> Path | None:
    """A new folder for the kernels' logs, in the temporary folder, named in socialkit's
    own pattern; what killed runs left there before is removed first.

    None if it cannot be made (a full or read-only temporary folder): the logs only help
    to diagnose, so the kernels then run without them.
    """
    tmp = Path(tempfile.gettempdir())
    remove_stale_temps(tmp)
    while True:
        folder = tmp / temp_name(Path("kernel-logs"))
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # pragma: no cover - a 32-bit token collided
            continue
        except OSError:
            return None
        return folder


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _cancel_all() -> None:
    for task in asyncio.all_tasks():
        task.cancel()


async def _all(coros: Iterable[Awaitable[Any]]) -> list[Any]:
    return await asyncio.gather(*coros)


class KernelPool:
    """Several :class:`KernelLane` and the event loop they live in.

    Parameters
    ----------
    size : int
        Number of kernels.
    timeout : float or None, default 600
        Seconds one cell may run.
    preload : str, optional
        Portfolio path every kernel reads as soon as it starts (see :class:`KernelLane`).

    Examples
    --------
    >>> with KernelPool(2).launch() as pool:          # doctest: +SKIP
    ...     pool.run(pool.lanes[0].execute(nb, cwd="notebooks"))
    """

    def __init__(self, size: int, *, timeout: float | None = 600, preload: str | None = None):
        self._logs = _log_folder()
        self.lanes = [
            KernelLane(
                timeout=timeout,
                log=self._logs / f"kernel-{i}.log" if self._logs is not None else None,
                preload=preload,
            )
            for i in range(max(1, size))
        ]
        self._runner = asyncio.Runner()
        # Inside Jupyter (or any running event loop) a second loop cannot run in this
        # thread: the pool's loop then lives in a thread of its own.
        self._thread = ThreadPoolExecutor(1, "socialkit-kernels") if _loop_running() else None
        #: Folder the kernels' logs are moved to when the pool closes (deleted if None).
        self.log_folder: str | os.PathLike[str] | None = None

    def launch(self) -> KernelPool:
        """Start every kernel process (they warm up in the background)."""
        try:
            self.run(_all(lane.launch() for lane in self.lanes))
        except BaseException:
            self.close()
            raise
        return self

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the pool's event loop.

        Ctrl-C (or interrupting the Jupyter kernel that runs this) cancels the coroutine
        and raises :class:`KeyboardInterrupt` once it has wound down.
        """
        if self._thread is None:
            return self._runner.run(coro)
        done = self._thread.submit(self._runner.run, coro)
        try:
            return done.result()
        except KeyboardInterrupt:
            loop = self._runner.get_loop()
            loop.call_soon_threadsafe(_cancel_all)
            with contextlib.suppress(BaseException):
                done.result()
            raise

    def shrink(self, size: int) -> None:
        """Stop the kernels beyond the first ``size`` (at least one is kept)."""
        extra, self.lanes = self.lanes[max(1, size) :], self.lanes[: max(1, size)]
        if extra:
            self.run(_all(lane.close() for lane in extra))

    def close(self) -> None:
        """Stop every kernel; move their logs to :attr:`log_folder` if it exists."""
        try:
            self.run(_all(lane.close() for lane in self.lanes))
        finally:
            if self._thread is None:
                self._runner.close()
            else:
                self._thread.submit(self._runner.close).result()
                self._thread.shutdown()
            self._keep_logs()

    def _keep_logs(self) -> None:
        """Move the kernels' logs to :attr:`log_folder` (if it is a folder), then drop the
        temporary folder. The logs only help to diagnose: nothing here fails the batch."""
        if self._logs is None:
            return
        keep = Path(self.log_folder) if self.log_folder is not None else None
        if keep is not None and keep.is_dir() and not keep.is_symlink():
            for log in self._logs.glob("*.log"):
                with contextlib.suppress(OSError):
                    move(log, keep / log.name, follow_links=False)
        shutil.rmtree(self._logs, ignore_errors=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parameterize(base: Any, parameters: dict[str, object]) -> Any:
    """papermill's injection of ``parameters`` into a copy of notebook ``base``.

    The injected cell gets a fixed id, so two runs with the same parameters give the
    same notebook. A notebook that names no kernel (or no language) is taken to be one
    for socialkit's own kernel, ``python3``: it runs there in any case.
    """
    metadata = base.get("metadata") or {}
    spec = metadata.get("kernelspec") or {}
    info = metadata.get("language_info") or {}
    nb = parameterize_notebook(
        copy.deepcopy(base),
        parameters,
        kernel_name=None if spec.get("name") else "python3",
        language=None if spec.get("language") or info.get("name") else "python",
    )
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    return nb


def load_notebook(path: str | os.PathLike[str]) -> Any:
    """Read a notebook as papermill does (every cell gets a ``tags`` list)."""
    return load_notebook_node(str(path))
