"""What running the course notebook for one course gives, on any kernel.

:func:`course_outcome` is shared by the local batch (:mod:`socialkit.reports.batch`) and
the tasks a Dask cluster runs (:mod:`socialkit.reports.cluster`): both turn one course
into the same outcome, which the batch then writes.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from socialkit.reports.export import notebook_body
from socialkit.reports.kernels import KernelLane, NotebookFailed, parameterize

__all__ = ["course_outcome"]


async def course_outcome(
    lane: KernelLane, base: nbformat.NotebookNode, portfolio: str, course_id: str, cwd: Path
) -> dict:
    """Run the course notebook for one course; what :meth:`Batch.record` takes.

    Parameters
    ----------
    lane : KernelLane
        The warm kernel to run it in.
    base : nbformat.NotebookNode
        The course notebook, with its ``parameters`` cell.
    portfolio : str
        Path of the portfolio, injected as ``portfolio``.
    course_id : str
        The course, injected as ``course_id``.
    cwd : pathlib.Path
        The folder the notebook runs in.

    Returns
    -------
    dict
        ``{"status": "made", "body": html}`` or ``{"status": "failed", "error": text,
        "notebook": the executed notebook as JSON}``, with ``seconds``, the time it took.
    """
    start = time.perf_counter()
    nb = parameterize(base, {"portfolio": portfolio, "course_id": course_id})
    try:
        await lane.execute(nb, cwd=cwd)
    except NotebookFailed as exc:
        outcome = {"status": "failed", "error": str(exc), "notebook": nbformat.writes(exc.nb)}
    else:
        outcome = {"status": "made", "body": notebook_body(nb)}
    return {**outcome, "seconds": time.perf_counter() - start}
