"""Report batches on a real Dask cluster: a scheduler and two workers on 127.0.0.1.

Each process is started here (``python -m distributed.cli.dask_scheduler`` and
``dask_worker``, without nannies, so that a killed worker stays dead) and stopped at the
end. Skipped when ``distributed`` is not installed, except in CI, where that fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_notebook

from socialkit.contract.io import write_tables
from socialkit.contract.synth import make_portfolio_tables
from socialkit.errors import SchedulerError
from socialkit.reports.runner import run_reports

if importlib.util.find_spec("distributed") is None:  # pragma: no cover - CI has it
    if os.environ.get("CI"):
        pytest.fail("distributed is missing: pip install -e '.[test]'", pytrace=False)
    pytest.skip("distributed is missing: pip install -e '.[test]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and workers, each its own process; logs kept for failure messages."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: dict[str, subprocess.Popen] = {}
        port = self.address.rsplit(":", 1)[1]
        self._start(
            "scheduler",
            "dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--no-dashboard",
        )
        self._wait_for("scheduler", "Scheduler at:")
        for i in range(1, workers + 1):
            self.add_worker(f"w{i}")

    def _start(self, name: str, module: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"distributed.cli.{module}", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
        )

    def _wait_for(self, name: str, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.log(name):
                return
            if self.processes[name].poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{name} did not start:\n{self.log(name)}")

    def add_worker(self, name: str) -> None:
        self._start(
            name,
            "dask_worker",
            self.address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            "--name",
            name,
        )
        self._wait_for(name, "Registered to:")

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    folder = tmp_path / "cluster"
    folder.mkdir()
    started = Cluster(folder, workers=2)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return write_tables(make_portfolio_tables(12, activities_per_course=6), tmp_path / "p")


def index_rows(out: Path) -> dict[str, str]:
    """course id -> status, as the overview's run file records them."""
    run = json.loads((out / ".socialkit" / "run.json").read_text())
    return {row["course_id"]: row["status"] for row in run["courses"]}


def test_a_batch_survives_a_worker_killed_midway(cluster, portfolio, tmp_path) -> None:
    out, seen = tmp_path / "out", []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 3:  # both workers are busy with the next courses: kill one
            cluster.kill("w1")

    result = run_reports(portfolio, out=out, scheduler=cluster.address, progress=progress)
    assert cluster.processes["w1"].poll() is not None, "the worker was not killed"
    assert seen == list(range(1, 13))  # one progress step per course, none lost
    assert result.ok and result.courses["status"].eq("made").all(), result.courses
    for href in result.courses["href"]:
        page = out / href
        assert page.is_file() and "plotly-graph-div" in page.read_text(encoding="utf-8")
    assert set(index_rows(out).values()) == {"made"}
    assert (out / "index.html").is_file()
    assert not list(out.rglob("*.tmp"))  # no half-written page


def test_a_lost_scheduler_stops_the_batch_and_keeps_what_was_made(
    cluster, portfolio, tmp_path, capfd
) -> None:
    out = tmp_path / "out"

    def progress(done: int, total: int) -> None:
        if done == 3:
            cluster.kill("scheduler")

    with pytest.raises(SchedulerError, match=r"lost the Dask scheduler at 'tcp://127\.0\.0\.1"):
        run_reports(portfolio, out=out, scheduler=cluster.address, progress=progress)
    assert "Traceback" not in capfd.readouterr().err  # the client's reconnect logs stay quiet
    made = sorted(out.glob("courses/*.html"))
    assert len(made) >= 3 and not list(out.rglob("*.tmp"))
    # the reports made before the loss count: a local run makes only the others
    again = run_reports(portfolio, out=out)
    assert again.count("unchanged") == len(made) and again.count("made") == 12 - len(made)


def test_failures_and_timeouts_do_not_stop_the_others(cluster, portfolio, tmp_path) -> None:
    notebook = make_notebook(
        tmp_path / "custom.ipynb",
        "import time\n"
        "if course_id == 'syn-000002':\n    raise RuntimeError('broken on purpose')\n"
        "if course_id == 'syn-000003':\n    time.sleep(60)\n"
        "print(course_id)",
        parameters="portfolio = None\ncourse_id = None",
    )
    out = tmp_path / "out"
    result = run_reports(
        portfolio, out=out, notebook=notebook, timeout=3, scheduler=cluster.address
    )
    status = result.courses.set_index("course_id")["status"]
    assert status["syn-000002"] == status["syn-000003"] == "failed"
    assert (status.drop(["syn-000002", "syn-000003"]) == "made").all()
    errors = result.courses.set_index("course_id")["error"]
    assert "broken on purpose" in errors["syn-000002"]
    assert "timed out" in errors["syn-000003"].lower() or "timeout" in errors["syn-000003"]
    assert (out / "failed" / "syn-000002.ipynb").is_file()
    assert index_rows(out)["syn-000002"] == "failed"
    assert "broken on purpose" in (out / "index.html").read_text(encoding="utf-8")
    # the next run makes again only what failed; the rest is unchanged
    again = run_reports(portfolio, out=out, notebook=notebook, timeout=3, scheduler=cluster.address)
    assert again.count("unchanged") == 10 and again.count("failed") == 2


def test_an_unreachable_scheduler_is_a_clear_usage_error(portfolio, tmp_path) -> None:
    port = free_port()  # nothing listens there
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "socialkit",
            "report",
            str(portfolio),
            "--out",
            str(tmp_path / "out"),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert f"cannot reach a Dask scheduler at 'tcp://127.0.0.1:{port}'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_scheduler_without_workers_is_a_clear_usage_error(
    tmp_path, portfolio, monkeypatch
) -> None:
    from socialkit.reports import cluster as cluster_module

    folder = tmp_path / "empty-cluster"
    folder.mkdir()
    empty = Cluster(folder, workers=0)
    monkeypatch.setattr(cluster_module, "WORKERS_TIMEOUT", 1)
    try:
        with pytest.raises(SchedulerError, match=r"has no worker after 1 s; .*dask worker tcp://"):
            run_reports(portfolio, out=tmp_path / "out", scheduler=empty.address)
    finally:
        empty.stop()
    assert not (tmp_path / "out").exists()  # nothing written


def test_without_distributed_the_message_says_what_to_install(monkeypatch) -> None:
    from socialkit.reports.cluster import connect

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(SchedulerError, match=r"--scheduler needs dask's distributed package"):
        connect("tcp://127.0.0.1:1")


def test_the_command_line_reports_through_the_cluster(cluster, portfolio, tmp_path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "socialkit", "report", str(portfolio), "--out", str(out)]
    done = subprocess.run(
        [*command, "--scheduler", cluster.address], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "made 12, unchanged 0, failed 0" in done.stdout
    assert f"connecting to the Dask scheduler at {cluster.address} ..." in done.stderr
    assert "reports: 100%" in done.stderr  # the progress bar follows the tasks
    assert len(list((out / "courses").glob("*.html"))) == 12


def test_a_worker_copies_the_portfolio_through_a_staging_folder_of_its_own(
    tmp_path, monkeypatch
) -> None:
    import tempfile

    from socialkit.base.files import is_own_temp, temp_name
    from socialkit.reports.cluster import _materialise

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    killed = tmp_path / temp_name(Path("socialkit-portfolio-old")).replace(
        f"-{os.getpid()}-", f"-{int(dead.stdout)}-"
    )
    killed.mkdir()  # a worker killed while copying
    mine = tmp_path / ".notes.tmp"
    mine.write_text("mine")
    folder = _materialise(("abc123", {"courses.csv": b"course_id,title\n"}), True)
    assert folder == tmp_path / "socialkit-portfolio-abc123"
    assert (folder / "courses.csv").read_bytes() == b"course_id,title\n"
    assert not killed.exists() and mine.read_text() == "mine"
    assert [p for p in tmp_path.iterdir() if is_own_temp(p)] == []


@pytest.mark.parametrize("address", ["inproc://", "tcp://:8786", "tls://127.0.0.1:8786"])
def test_the_library_refuses_an_unusable_address_before_connecting(address) -> None:
    from socialkit.reports.cluster import connect

    with pytest.raises(SchedulerError, match=rf"cannot use {re.escape(repr(address))} as a Dask"):
        connect(address)


def test_the_payload_ships_the_statement_files_and_a_worker_writes_them_back(
    tmp_path, monkeypatch
) -> None:
    import tempfile

    from socialkit.reports.cluster import _materialise, portfolio_payload

    source = tmp_path / "portfolio"
    (source / "statements" / "2026").mkdir(parents=True)
    (source / "courses.csv").write_bytes(b"course_id,title\n")
    (source / "runs.csv").write_bytes(b"course_id,run_id,starts\n")
    (source / "statements" / "2026" / "march.jsonl").write_bytes(b"{}\n")
    (source / "statements" / "readme.txt").write_bytes(b"not shipped")
    digest, data = portfolio_payload(source)
    assert sorted(data) == ["courses.csv", "runs.csv", "statements/2026/march.jsonl"]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "worker"))
    (tmp_path / "worker").mkdir()
    folder = _materialise((digest, data), True)
    assert (folder / "statements" / "2026" / "march.jsonl").read_bytes() == b"{}\n"
    assert (folder / "runs.csv").read_bytes() == b"course_id,run_id,starts\n"
    (source / "statements" / "2026" / "march.jsonl").write_bytes(b"{}\n{}\n")
    assert portfolio_payload(source)[0] != digest  # a changed statement file: a new copy
