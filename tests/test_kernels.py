"""Warm kernels: the pool's life cycle, inside and outside a running event loop."""

from __future__ import annotations

import asyncio
import glob
import os
import tempfile

import pytest
from conftest import make_notebook

from socialkit.kernels import KernelPool, load_notebook, parameterize
from socialkit.runner import run_reports


def _pool_folders() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "socialkit-kernels-*")))


def test_pool_runs_a_notebook_and_keeps_its_logs(tmp_path) -> None:
    nb_path = make_notebook(tmp_path / "nb.ipynb", "print(course_id)")
    before = _pool_folders()
    pool = KernelPool(1, timeout=30).launch()
    try:
        nb = parameterize(load_notebook(nb_path), {"course_id": "it-risk"})
        pool.run(pool.lanes[0].execute(nb, cwd=tmp_path))
        pool.log_folder = tmp_path
    finally:
        pool.close()
    stream = nb.cells[-1].outputs[0]
    assert stream["text"] == "it-risk\n"
    assert (tmp_path / "kernel-0.log").is_file()
    assert _pool_folders() == before


def test_a_failed_launch_leaves_no_temporary_folder() -> None:
    from jupyter_client.kernelspec import NoSuchKernel

    before = _pool_folders()
    pool = KernelPool(1)
    pool.lanes[0].kernel_name = "no-such-kernel"
    with pytest.raises(NoSuchKernel):
        pool.launch()
    assert _pool_folders() == before


def test_run_reports_works_where_an_event_loop_is_running(tmp_path) -> None:
    # a Jupyter kernel runs its cells inside an event loop: the pool then uses a thread
    nb = make_notebook(tmp_path / "nb.ipynb", "x = 1")
    index = make_notebook(tmp_path / "ix.ipynb", "y = 2", parameters="run_file = None")

    async def in_a_notebook():
        return run_reports(
            out=tmp_path / "out", courses=["it-risk"], notebook=nb, index_notebook=index
        )

    result = asyncio.run(in_a_notebook())
    assert result.ok
    assert (tmp_path / "out" / "courses" / "it-risk.html").is_file()
