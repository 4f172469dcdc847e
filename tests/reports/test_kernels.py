"""Warm kernels: the pool's life cycle, inside and outside a running event loop."""

from __future__ import annotations

import asyncio
import glob
import os
import tempfile

import pytest
from conftest import make_notebook

from socialkit.errors import NotebookFailed
from socialkit.reports.kernels import KernelPool, load_notebook, parameterize
from socialkit.reports.runner import run_reports


def _pool_folders() -> set[str]:
    """This process's kernel log folders (named in socialkit's temporary-file pattern)."""
    pattern = f".kernel-logs.socialkit-*-{os.getpid()}-*.tmp"
    return set(glob.glob(os.path.join(tempfile.gettempdir(), pattern)))


def test_a_pool_keeps_its_logs_in_a_folder_named_as_its_own_while_it_lives() -> None:
    before = _pool_folders()
    pool = KernelPool(1)
    try:
        assert len(_pool_folders() - before) == 1
    finally:
        pool.close()
    assert _pool_folders() == before


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


# --------------------------------------------------------------------------- the reset
# Each thing a notebook may change in its kernel: code that changes it, and code that
# prints it. Each check runs once in a new kernel, before any reset, and once after a
# notebook that made the change, in the same kernel: the two must print the same. One
# test per thing, so that a reset skipping any one of them fails its own test.
RESETS = {
    "working folder": ("import os\nos.chdir('/')", "import os\nprint(os.getcwd())"),
    "sys.path": (
        "import sys\nsys.path.insert(0, '/nowhere')\ndel sys.path[-1]",
        "import sys\nprint(sys.path)",
    ),
    "warning filters": (
        "import warnings\nwarnings.filterwarnings('error', message='probe')",
        "import warnings\n"
        "print([(f[0], getattr(f[1], 'pattern', f[1]), f[2]) for f in warnings.filters])",
    ),
    "warnings shown once": (
        "import warnings, socialkit\n"
        "reg = socialkit.__dict__.setdefault('__warningregistry__', {})\n"
        "warnings.warn_explicit('probe', UserWarning, 'probe.py', 1, registry=reg)",
        "import warnings, socialkit\n"
        "reg = socialkit.__dict__.setdefault('__warningregistry__', {})\n"
        "seen = []\nshow = warnings.showwarning\n"
        "warnings.showwarning = lambda *a, **k: seen.append(1)\n"
        "try:\n"
        "    for _ in range(2):\n"
        "        warnings.warn_explicit('probe', UserWarning, 'probe.py', 1, registry=reg)\n"
        "finally:\n    warnings.showwarning = show\n"
        "print(len(seen))",
    ),
    "pandas options": (
        "import pandas as pd\npd.set_option('display.max_rows', 3)\n"
        "pd.set_option('styler.format.precision', 1)",
        "import pandas as pd\n"
        "print(pd.get_option('display.max_rows'), pd.get_option('styler.format.precision'))",
    ),
    "environment": (
        "import os\nos.environ['SK_PROBE'] = '1'\nos.environ.pop('HOME', None)",
        "import os\nprint(sorted(os.environ.items()))",
    ),
    "plotly defaults": (
        "import plotly.io as pio\npio.templates.default = 'ggplot2'\n"
        "pio.renderers.default = 'json'",
        "import plotly.io as pio\nprint(pio.templates.default, pio.renderers.default)",
    ),
    "namespace": ("leaked = 1", "print('leaked' in globals())"),
}


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


@pytest.fixture(scope="module")
def reset_lane(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reset")
    pool = KernelPool(1, timeout=60).launch()
    try:
        # every check once, in the new kernel, before any reset: what a fresh kernel says
        checks = [check for _, check in RESETS.values()]
        nb = load_notebook(make_notebook(folder / "fresh.ipynb", *checks))
        pool.run(pool.lanes[0].execute(nb, cwd=folder))
        fresh = {name: _printed(cell) for name, cell in zip(RESETS, nb.cells[1:], strict=True)}
        yield pool, folder, fresh
    finally:
        pool.close()


@pytest.mark.parametrize("name", RESETS)
def test_reset_restores(reset_lane, name: str) -> None:
    pool, folder, fresh = reset_lane
    change, check = RESETS[name]
    lane = pool.lanes[0]
    pool.run(
        lane.execute(load_notebook(make_notebook(folder / "change.ipynb", change)), cwd=folder)
    )
    nb = load_notebook(make_notebook(folder / "check.ipynb", check))
    pool.run(lane.execute(nb, cwd=folder))
    assert fresh[name].strip()  # the check prints something to compare
    assert _printed(nb.cells[-1]) == fresh[name]


def test_the_shown_once_check_can_see_the_memory(reset_lane) -> None:
    # in a fresh kernel the probe warning is shown once of two times: the memory exists
    assert reset_lane[2]["warnings shown once"] == "1\n"


def test_a_temporary_folder_that_cannot_take_the_logs_only_loses_the_logs(
    tmp_path, monkeypatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("mine")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    pool = KernelPool(2)
    assert [lane.log for lane in pool.lanes] == [None, None]  # the kernels log nowhere
    pool.log_folder = tmp_path
    pool.close()
    assert not_a_folder.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# --------------------------------------------------------------------------- failures
def test_a_failing_notebook_says_which_cell_raised_what(tmp_path) -> None:
    raising = make_notebook(
        tmp_path / "raises.ipynb", "x = 1", "raise ValueError('no objective for c1')", "y = 2"
    )
    slow = make_notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(60)")
    dies = make_notebook(tmp_path / "dies.ipynb", "import os\nos._exit(1)")
    pool = KernelPool(1, timeout=3).launch()
    try:
        lane = pool.lanes[0]
        nb = load_notebook(raising)
        with pytest.raises(NotebookFailed, match=r"^ValueError: no objective for c1$") as info:
            pool.run(lane.execute(nb, cwd=tmp_path))
        err = info.value
        assert (err.cell, err.ename, err.evalue) == (2, "ValueError", "no objective for c1")
        assert err.nb is nb
        assert [o["output_type"] for o in nb.cells[2].outputs] == ["error"]
        assert nb.cells[3].outputs == []  # never ran

        with pytest.raises(
            NotebookFailed, match=r"^timed out: a cell ran longer than 3 s$"
        ) as info:
            pool.run(lane.execute(load_notebook(slow), cwd=tmp_path))
        assert (info.value.cell, info.value.ename, info.value.evalue) == (2, None, None)

        with pytest.raises(NotebookFailed, match=r"^the kernel died while running") as info:
            pool.run(lane.execute(load_notebook(dies), cwd=tmp_path))
        assert (info.value.cell, info.value.ename, info.value.evalue) == (1, None, None)
    finally:
        pool.close()
