"""What a report batch is asked to do: one object that every step of the batch reads.

:func:`socialkit.reports.runner.run_reports` builds a :class:`ReportOptions` from its
keyword arguments; each step of the batch (load, plan, run, index) takes what it needs
from it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["ReportOptions"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """The options of one report batch (see :func:`~socialkit.reports.runner.run_reports`).

    Attributes
    ----------
    portfolio : path-like or None
        CSV folder or ``.xlsx``, as given; None for the bundled sample.
    out : pathlib.Path
        Output folder.
    courses : tuple of str or None
        Only these courses, each once, in the order given; None for all.
    notebook, index_notebook : pathlib.Path or None
        The course and the portfolio notebook; None for socialkit's own.
    jobs : int or None
        Kernels working side by side; None for the number of CPUs.
    timeout : float or None
        Seconds one cell may run; None for no limit.
    force : bool
        Make every selected report, even those whose inputs are unchanged.
    scheduler : str or None
        Address of a running Dask scheduler that makes the courses.
    progress : callable or None
        Called as ``progress(done, total)`` after each course that was executed.
    on_plan : callable or None
        Called once as ``on_plan(to_run, unchanged)`` before the first notebook runs.
    """

    portfolio: str | os.PathLike[str] | None = None
    out: Path = Path("reports")
    courses: tuple[str, ...] | None = None
    notebook: Path | None = None
    index_notebook: Path | None = None
    jobs: int | None = None
    timeout: float | None = 600
    force: bool = False
    scheduler: str | None = None
    progress: Callable[[int, int], object] | None = None
    on_plan: Callable[[int, int], object] | None = None

    @property
    def kernels(self) -> int:
        """How many local kernels the batch needs: ``jobs`` (the CPUs by default), no more
        than the courses asked for, and one, for the overview, when a Dask cluster makes
        the rest."""
        size = 1 if self.scheduler else self.jobs or os.cpu_count() or 1
        return min(size, len(self.courses)) if self.courses else size

    @property
    def preload(self) -> str:
        """The portfolio path every kernel reads as it starts (``""``: the sample)."""
        return str(self.portfolio) if self.portfolio is not None else ""
