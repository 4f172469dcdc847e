"""Fault injection for ``socialkit report``: real disks, real links, killed runs.

Each case is met as a user meets it: the real command in a subprocess (or the library
call where only the folder matters), then the promise is checked: the exit code, one
message naming the path and the cause, no traceback, and the output folder afterwards
(no half-written page, none of the user's files touched, nothing written outside it).

The full-disk, read-only and cross-device cases mount small tmpfs file systems; where
mounting is not permitted they are skipped with the reason, except in CI, where they fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import cannot, make_notebook, remount_read_only, tmpfs

from socialkit.base.files import is_own_temp, temp_name
from socialkit.contract.io import sample_path
from socialkit.errors import ReportWriteError
from socialkit.reports.kernels import KernelPool
from socialkit.reports.outdir import MANIFEST, STATE_DIR
from socialkit.reports.runner import run_reports

SOCIALKIT = Path(sys.executable).parent / "socialkit"
FAST = "x = 1"


# --------------------------------------------------------------------------- helpers
def report(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOCIALKIT), "report", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The run failed with ``code``, one ``error:`` line and no traceback; that line."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def own_temps(*folders: Path) -> list[Path]:
    return [p for f in folders if f.exists() for p in f.rglob("*") if is_own_temp(p)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and not p.name.endswith(".log")
    }


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; the filler file."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        with contextlib.suppress(OSError):
            while True:
                f.write(chunk)
        for size in (4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * size)
    return filler


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(sample_path(), tmp_path / "data"))


@pytest.fixture
def fast(tmp_path: Path) -> Path:
    return make_notebook(tmp_path / "fast.ipynb", FAST)


def rename_course(data: Path, old: str, new: str) -> None:
    for name in ("courses.csv", "objectives.csv", "activities.csv"):
        path = data / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [new + line[len(old) :] if line.startswith(old + ",") else line for line in lines]
        path.write_text("".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------- other disks
def test_a_temporary_folder_on_another_file_system_makes_the_reports(
    tmp_path: Path, data: Path, fast: Path
) -> None:
    with tmpfs(tmp_path / "tmpfs", "64m") as tmp:
        assert os.stat(tmp).st_dev != os.stat(tmp_path).st_dev
        result = report(
            data, "--out", "out", "--course", "it-risk", "--notebook", fast, cwd=tmp_path,
            env={"TMPDIR": str(tmp)},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        out = tmp_path / "out"
        assert (out / "courses" / "it-risk.html").is_file()
        assert (out / STATE_DIR / "kernel-0.log").is_file()
        assert own_temps(out, tmp) == []


def test_a_full_disk_mid_batch_is_one_line_and_no_half_page(
    tmp_path: Path, data: Path, fast: Path
) -> None:
    # room for plotly.js (4.8 MB), the overview with its DataTables (about 1 MB, twice while
    # it is replaced) and a course page; the disk is filled up after the first run
    with tmpfs(tmp_path / "disk", "8m") as disk:
        out = disk / "out"
        first = report(data, "--out", out, "--course", "it-risk", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        before = snapshot(out)
        filler = fill(disk)
        args = ["--out", out, "--course", "it-risk", "--course", "onboarding-30", "--force"]
        result = report(data, *args, "--notebook", fast, cwd=tmp_path)
        line = assert_clean_failure(result, 1)
        assert "No space left on device" in line
        assert str(out / "courses") in line
        assert snapshot(out) == before  # the old page is whole, the state file too
        assert own_temps(out) == []
        json.loads((out / STATE_DIR / MANIFEST).read_text())
        filler.unlink()  # room again: the next run goes on
        again = report(data, *args, "--notebook", fast, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert (out / "courses" / "onboarding-30.html").is_file()


def test_a_read_only_destination_is_one_line_and_nothing_changes(
    tmp_path: Path, data: Path, fast: Path
) -> None:
    # as root, chmod does not stop writes: a read-only mount does
    with tmpfs(tmp_path / "disk", "16m") as disk:
        out = disk / "out"
        first = report(data, "--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        before = snapshot(out)
        remount_read_only(disk)
        args = ["--course", "it-risk", "--notebook", fast, "--force"]
        result = report(data, "--out", out, *args, cwd=tmp_path)
        line = assert_clean_failure(result, 1)
        assert "Read-only file system" in line and str(out) in line
        assert snapshot(out) == before
        fresh = report(data, "--out", disk / "new", *args, cwd=tmp_path)
        line = assert_clean_failure(fresh, 1)
        assert "cannot make the folder" in line and "Read-only file system" in line
        assert str(disk / "new") in line


# --------------------------------------------------------------------------- bad folders
def test_out_under_a_file_is_a_usage_error(tmp_path: Path, fast: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    result = report("--out", notes / "reports", "--notebook", fast, cwd=tmp_path)
    line = assert_clean_failure(result, 2)
    assert f"{str(notes)!r} is a file, expected a folder" in line
    assert notes.read_text() == "mine"


@pytest.mark.parametrize("name", ["courses", "failed", STATE_DIR])
def test_a_file_where_socialkit_keeps_a_folder_is_refused_before_any_work(
    tmp_path: Path, fast: Path, name: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text("mine")
    result = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    line = assert_clean_failure(result, 1)
    assert f"{str(out / name)!r} is a file, expected a folder" in line
    assert sorted(p.name for p in out.iterdir()) == [name]  # nothing else was written
    assert (out / name).read_text() == "mine"


@pytest.mark.parametrize(
    "name",
    ["index.html", "plotly.min.js", "courses/it-risk.html", "failed/it-risk.ipynb",
     "failed/_overview.ipynb"],
)  # fmt: skip
def test_a_folder_where_socialkit_writes_a_file_is_refused_before_any_notebook_runs(
    tmp_path: Path, fast: Path, name: str
) -> None:
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    (out / name / "notes.txt").write_text("mine")
    result = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    line = assert_clean_failure(result, 1)
    assert f"cannot write {str(out / name)!r}: it is a folder, expected a file" in line
    assert (out / name / "notes.txt").read_text() == "mine"
    assert not (out / STATE_DIR / MANIFEST).exists()  # no course was made
    assert name == "index.html" or not (out / "index.html").exists()


def test_an_immutable_courses_folder_is_refused_before_any_notebook_runs(
    tmp_path: Path, fast: Path
) -> None:
    out = tmp_path / "out"
    first = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    courses = out / "courses"
    done = subprocess.run(["chattr", "+i", str(courses)], capture_output=True, text=True,
                          check=False) if shutil.which("chattr") else None  # fmt: skip
    if done is None or done.returncode != 0:
        cannot(
            f"cannot make a folder immutable here: {done.stderr.strip() if done else 'no chattr'}"
        )
    try:
        args = ["--out", out, "--course", "it-risk", "--notebook", fast, "--force"]
        result = report(*args, cwd=tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(courses)], check=False)
    line = assert_clean_failure(result, 1)
    assert f"cannot write in {str(courses)!r}: Operation not permitted" in line
    assert snapshot(out) == before


@pytest.mark.parametrize("name", ["courses", "failed", STATE_DIR])
def test_a_folder_that_links_out_of_out_is_refused(tmp_path: Path, fast: Path, name: str) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / name).symlink_to(elsewhere, target_is_directory=True)
    result = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    line = assert_clean_failure(result, 1)
    assert f"{str(out / name)!r} is a symbolic link" in line
    assert list(elsewhere.iterdir()) == []
    assert not (out / "index.html").exists()


def test_a_page_that_is_a_link_is_replaced_never_written_through(
    tmp_path: Path, fast: Path
) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.html"
    victim.write_text("mine")
    (out / "courses").mkdir(parents=True)
    (out / "courses" / "it-risk.html").symlink_to(victim)
    result = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = out / "courses" / "it-risk.html"
    assert page.is_file() and not page.is_symlink()
    assert "<!DOCTYPE html>" in page.read_text()
    assert victim.read_text() == "mine"


# --------------------------------------------------------------------------- bad options
def test_a_fractional_timeout_is_honoured(tmp_path: Path) -> None:
    nb = make_notebook(
        tmp_path / "slow.ipynb",
        "import time\nif course_id == 'it-risk':\n    time.sleep(2.9)",
    )
    args = ["--course", "it-risk", "--course", "onboarding-30", "--jobs", "1"]
    result = report("--out", "out", *args, "--notebook", nb, "--timeout", "2.5", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "failed: it-risk: timed out: a cell ran longer than 2.5 s" in result.stdout
    assert "made 1, unchanged 0, failed 1" in result.stdout


NOT_NOTEBOOKS = {
    "a CSV": b"course_id,title\nit-risk,Risks\n",
    "invalid JSON": b'{"cells": [',
    "a JSON list": b"[1, 2]",
    "JSON without cells": b'{"nbformat": 4, "nbformat_minor": 5}',
    "binary bytes": bytes(range(256)),
    "an empty file": b"",
}


@pytest.mark.parametrize("content", NOT_NOTEBOOKS.values(), ids=NOT_NOTEBOOKS.keys())
def test_a_notebook_that_is_not_one_is_a_usage_error(tmp_path: Path, content: bytes) -> None:
    nb = tmp_path / "custom.ipynb"
    nb.write_bytes(content)
    result = report("--out", "out", "--course", "it-risk", "--notebook", nb, cwd=tmp_path)
    line = assert_clean_failure(result, 2)
    assert f"{str(nb)!r} is not a Jupyter notebook" in line
    assert not (tmp_path / "out").exists()


def test_a_notebook_without_a_parameters_cell_is_a_usage_error(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "custom.ipynb", "x = 1")
    raw = json.loads(nb.read_text())
    raw["cells"][0]["metadata"]["tags"] = []
    nb.write_text(json.dumps(raw))
    result = report("--out", "out", "--course", "it-risk", "--notebook", nb, cwd=tmp_path)
    line = assert_clean_failure(result, 2)
    assert "has no cell tagged 'parameters'" in line and str(nb) in line


ADDRESSES = [
    "tls://127.0.0.1:8786",
    "garbage",
    "tcp://",
    "tcp://:8786",
    "tcp://127.0.0.1:99999",
    "tcp://127.0.0.1:0",
    "inproc://",
    "http://127.0.0.1:8786",
    "tcp://no-such-host.invalid:8786",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_scheduler_address_that_cannot_be_used_is_a_usage_error_at_once(
    tmp_path: Path, address: str
) -> None:
    pytest.importorskip("distributed")
    start = time.monotonic()
    result = report("--out", "out", "--scheduler", address, cwd=tmp_path, timeout=60)
    took = time.monotonic() - start
    line = assert_clean_failure(result, 2)
    assert f"cannot use {address!r} as a Dask scheduler address" in line
    assert took < 12, f"took {took:.1f} s"
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- state files
@pytest.fixture(scope="module")
def pool() -> Iterator[KernelPool]:
    with KernelPool(1, timeout=60).launch() as p:
        yield p


@pytest.fixture
def index_nb(tmp_path: Path) -> Path:
    return make_notebook(tmp_path / "ix.ipynb", "y = 2", parameters="run_file = None")


STATES = {
    "courses a list": b'{"courses": []}',
    "a list": b"[]",
    "null": b"null",
    "garbage bytes": b"\xff\xfe\x00\x01garbage",
    "entries not objects": b'{"courses": {"it-risk": "made"}}',
    "odd entry values": b'{"courses": {"it-risk": {"fingerprint": 5, "status": [], "error": {}}}}',
}


@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
@pytest.mark.parametrize("content", STATES.values(), ids=STATES.keys())
def test_a_state_file_of_any_shape_is_ignored_and_rebuilt(
    pool: KernelPool, tmp_path: Path, fast: Path, index_nb: Path, content: bytes, force: bool
) -> None:
    out = tmp_path / "out"
    (out / STATE_DIR).mkdir(parents=True)
    (out / STATE_DIR / MANIFEST).write_bytes(content)
    kw = {"notebook": fast, "index_notebook": index_nb, "pool": pool, "force": force}
    result = run_reports(out=out, courses=["it-risk"], **kw)
    assert result.ok and result.courses["status"].tolist() == ["made"]
    state = json.loads((out / STATE_DIR / MANIFEST).read_text())
    assert state["courses"]["it-risk"]["status"] == "made"
    again = run_reports(out=out, courses=["it-risk"], **kw)
    assert again.courses["status"].tolist() == ["made" if force else "unchanged"]


def test_a_folder_where_the_state_file_goes_is_moved_aside_not_lost(
    pool: KernelPool, tmp_path: Path, fast: Path, index_nb: Path
) -> None:
    out = tmp_path / "out"
    (out / STATE_DIR / MANIFEST).mkdir(parents=True)
    (out / STATE_DIR / MANIFEST / "notes.txt").write_text("mine")
    result = run_reports(
        out=out, courses=["it-risk"], notebook=fast, index_notebook=index_nb, pool=pool
    )
    assert result.ok
    assert json.loads((out / STATE_DIR / MANIFEST).read_text())["courses"]
    assert (out / STATE_DIR / f"{MANIFEST}.moved-1" / "notes.txt").read_text() == "mine"


def test_a_state_file_that_is_a_pipe_or_a_link_is_replaced_not_read_or_followed(
    pool: KernelPool, tmp_path: Path, fast: Path, index_nb: Path
) -> None:
    kw = {"courses": ["it-risk"], "notebook": fast, "index_notebook": index_nb, "pool": pool}
    piped = tmp_path / "piped"
    (piped / STATE_DIR).mkdir(parents=True)
    os.mkfifo(piped / STATE_DIR / MANIFEST)  # reading it would wait for ever
    assert run_reports(out=piped, **kw).ok
    assert (piped / STATE_DIR / MANIFEST).is_file()
    linked, victim = tmp_path / "linked", tmp_path / "victim.json"
    victim.write_text('{"mine": true}')
    (linked / STATE_DIR).mkdir(parents=True)
    (linked / STATE_DIR / MANIFEST).symlink_to(victim)
    assert run_reports(out=linked, **kw).ok
    assert not (linked / STATE_DIR / MANIFEST).is_symlink()
    assert victim.read_text() == '{"mine": true}'


def test_a_broken_state_file_from_the_command_line(tmp_path: Path, fast: Path) -> None:
    out = tmp_path / "out"
    (out / STATE_DIR).mkdir(parents=True)
    (out / STATE_DIR / MANIFEST).write_text('{"courses": []}')
    for extra in ([], ["--force"]):
        args = ["--out", out, "--course", "it-risk", "--notebook", fast, *extra]
        result = report(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "made 1, unchanged 0, failed 0" in result.stdout


# --------------------------------------------------------------------------- leftovers
def test_only_socialkits_own_leftovers_of_ended_runs_are_removed(
    tmp_path: Path, fast: Path
) -> None:
    out = tmp_path / "out"
    pid = dead_pid()
    kept, gone = [], []
    for folder in (out, out / "courses", out / "failed", out / STATE_DIR):
        folder.mkdir(parents=True, exist_ok=True)
        for name in (".meeting-notes.tmp", ".it-risk.html.abc123.tmp", "draft.tmp"):
            kept.append(folder / name)
        live = temp_name(folder / "index.html")  # this test process: still running
        kept.append(folder / live)
        gone.append(folder / live.replace(f"-{os.getpid()}-", f"-{pid}-"))
    for path in kept + gone:
        path.write_text("content")
    result = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p for p in kept if not p.exists()] == []
    assert [p for p in gone if p.exists()] == []
    assert all(p.read_text() == "content" for p in kept)


def test_a_killed_run_leaves_nothing_of_its_own_after_the_next_run(
    tmp_path: Path, data: Path, fast: Path
) -> None:
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    seed = random.randrange(10**6)
    delay = random.Random(seed).uniform(0.0, 4.0)
    args = [str(SOCIALKIT), "report", str(data), "--out", str(out), "--notebook", str(fast)]
    proc = subprocess.Popen(
        args,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not own_temps(tmp) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert own_temps(tmp), "the run never made its kernel log folder"
        time.sleep(delay)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    again = report(data, "--out", out, "--notebook", fast, "--course", "it-risk", cwd=tmp_path,
                   env={"TMPDIR": str(tmp)})  # fmt: skip
    assert again.returncode == 0, (seed, again.stderr)
    assert own_temps(out, tmp) == [], f"seed {seed}, killed after {delay:.2f} s"
    manifest = json.loads((out / STATE_DIR / MANIFEST).read_text())
    assert manifest["courses"]["it-risk"]["status"] == "made"


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize("cid", ["index", "_overview", "README"])
def test_a_course_id_never_takes_a_file_of_the_overview(
    tmp_path: Path, data: Path, cid: str
) -> None:
    rename_course(data, "it-risk", cid)
    nb = make_notebook(
        tmp_path / "custom.ipynb", f"if course_id == {cid!r}:\n    raise RuntimeError('boom')"
    )
    args = ["--out", "out", "--course", cid, "--course", "onboarding-30", "--notebook", nb]
    result = report(data, *args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and failed[0].startswith(f"failed: {cid}: RuntimeError: boom")
    kept = failed[0].rsplit("(notebook: ", 1)[1].rstrip(")")
    assert (tmp_path / "out" / kept).is_file()  # still there after the overview was made
    assert kept in (tmp_path / "out" / "index.html").read_text()


def test_two_course_ids_that_would_share_a_file_are_refused(tmp_path: Path, data: Path) -> None:
    twin = "it-risk-" + hashlib.sha1(b"IT-Risk").hexdigest()[:8]  # the slug of IT-Risk
    rename_course(data, "it-risk", "IT-Risk")
    rename_course(data, "onboarding-30", twin)
    result = report(data, "--out", "out", cwd=tmp_path)
    line = assert_clean_failure(result, 1)
    assert "'IT-Risk'" in line and repr(twin) in line and f"courses/{twin}.html" in line
    assert not (tmp_path / "out").exists()


def test_a_write_failure_in_the_library_is_a_report_write_error(
    pool: KernelPool, tmp_path: Path, fast: Path, index_nb: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "courses").write_text("mine")
    with pytest.raises(ReportWriteError, match=r"'.*courses' is a file, expected a folder"):
        run_reports(out=out, courses=["it-risk"], notebook=fast, index_notebook=index_nb,
                    pool=pool)  # fmt: skip


# --------------------------------------------------------------------------- schedulers
@contextlib.contextmanager
def listener(answer: bytes | None) -> Iterator[int]:
    """A local port that accepts connections and sends ``answer`` (or nothing, ever)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = server.accept()
                held.append(conn)
                if answer is not None:
                    with contextlib.suppress(OSError):
                        conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize(
    "answer",
    [None, b"HTTP/1.0 400 Bad request\r\n\r\n", b"\xff" * 64, b"\x08" + b"\0" * 7 + b"x" * 100],
    ids=["silent", "http", "garbage", "framed-garbage"],
)
def test_a_listener_that_is_no_scheduler_is_one_line_within_the_bound(
    tmp_path: Path, answer: bytes | None
) -> None:
    pytest.importorskip("distributed")
    with listener(answer) as port:
        address = f"tcp://127.0.0.1:{port}"
        start = time.monotonic()
        result = report("--out", "out", "--scheduler", address, cwd=tmp_path, timeout=60)
        took = time.monotonic() - start
    line = assert_clean_failure(result, 2)
    assert f"cannot reach a Dask scheduler at {address!r} within 10 s" in line
    assert took < 20, f"took {took:.1f} s"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("address", "env"),
    [
        ("ucx://localhost:1", {}),
        ("tls://127.0.0.1:1", {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": "/nonexistent"}),
    ],
    ids=["ucx", "tls-missing-files"],
)
def test_a_client_that_failed_to_connect_leaves_no_traceback_and_exits_promptly(
    tmp_path: Path, address: str, env: dict[str, str]
) -> None:
    pytest.importorskip("distributed")
    start = time.monotonic()
    result = report("--out", "out", "--scheduler", address, cwd=tmp_path, env=env, timeout=60)
    took = time.monotonic() - start
    line = assert_clean_failure(result, 2)
    assert f"cannot reach a Dask scheduler at {address!r}" in line
    assert took < 12, f"took {took:.1f} s"


# --------------------------------------------------------------------------- notebooks
@pytest.mark.parametrize(
    "metadata",
    [
        {},
        {"jupytext": {"text_representation": {"extension": ".py", "format_name": "percent"}}},
        {"language_info": {"name": "python"}},
    ],
    ids=["no-metadata", "jupytext", "language-only"],
)
def test_a_notebook_that_names_no_kernel_runs_in_socialkits_kernel(
    tmp_path: Path, metadata: dict
) -> None:
    import nbformat

    path = make_notebook(tmp_path / "plain.ipynb", 'print("from", course_id)')
    nb = nbformat.read(path, as_version=4)
    nb.metadata = nbformat.from_dict(metadata)  # as a new notebook or jupytext makes it
    nbformat.write(nb, path)
    result = report("--out", "out", "--course", "it-risk", "--notebook", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "made 1, unchanged 0, failed 0" in result.stdout
    page = (tmp_path / "out" / "courses" / "it-risk.html").read_text(encoding="utf-8")
    assert "from it-risk" in page


# --------------------------------------------------------------------------- deep state
DEEP = ["[" * 100_000, '{"courses": ' + "[" * 100_000, '{"a": ' * 60_000, "[" * 2_000_000]


@pytest.mark.parametrize("content", DEEP, ids=["list", "under-courses", "objects", "huge"])
def test_a_state_file_nested_too_deeply_is_ignored_and_rebuilt(
    tmp_path: Path, fast: Path, content: str
) -> None:
    out = tmp_path / "out"
    (out / STATE_DIR).mkdir(parents=True)
    (out / STATE_DIR / MANIFEST).write_text(content)
    (out / ".socialkit-journal.json").write_text(content)  # a journal of the same shape
    for extra in ([], ["--force"]):
        args = ["--out", out, "--course", "it-risk", "--notebook", fast, *extra]
        result = report(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "made 1, unchanged 0, failed 0" in result.stdout
        (out / STATE_DIR / MANIFEST).write_text(content)
    rebuilt_run = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert "made 1, unchanged 0, failed 0" in rebuilt_run.stdout
    again = report("--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert "made 0, unchanged 1, failed 0" in again.stdout  # the state was rebuilt


# --------------------------------------------------------------------------- invalid courses
def set_status(data: Path, course_id: str, status: str) -> None:
    path = data / "courses.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [
        line.rsplit(",", 1)[0] + f",{status}\n" if line.startswith(course_id + ",") else line
        for line in lines
    ]
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("select", [["--course", "it-risk"], []], ids=["selected", "all"])
def test_the_page_of_a_course_that_became_invalid_is_removed(
    tmp_path: Path, data: Path, fast: Path, select: list[str]
) -> None:
    out = tmp_path / "out"
    page_path = out / "courses" / "it-risk.html"
    first = report(data, "--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert page_path.is_file()
    set_status(data, "it-risk", "sometime")  # not a status: the course breaks the contract
    broken = report(data, "--out", out, *select, "--notebook", fast, cwd=tmp_path)
    assert "Traceback" not in broken.stderr
    assert not page_path.exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "courses/it-risk.html" not in index
    set_status(data, "it-risk", "final")  # valid again: made again, not "unchanged"
    fixed = report(data, "--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "made 1, unchanged 0, failed 0" in fixed.stdout
    assert page_path.is_file()


def test_a_users_file_where_an_invalid_courses_page_goes_is_kept(
    tmp_path: Path, data: Path, fast: Path
) -> None:
    out = tmp_path / "out"
    (out / "courses").mkdir(parents=True)
    mine = out / "courses" / "it-risk.html"
    mine.write_text("<html><body>my own notes</body></html>", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text('<meta name="generator" content="socialkit">', encoding="utf-8")
    link = out / "courses" / "onboarding-30.html"
    link.symlink_to(elsewhere)
    set_status(data, "it-risk", "sometime")
    set_status(data, "onboarding-30", "sometime")
    result = report(data, "--out", out, "--course", "it-risk", "--notebook", fast, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert mine.read_text(encoding="utf-8") == "<html><body>my own notes</body></html>"
    assert link.is_symlink() and elsewhere.is_file()


# --------------------------------------------------------------------------- timeouts
@pytest.mark.parametrize("value", ["1e-9", "0.005", "0.0099", "0", "-1"])
def test_a_timeout_below_a_hundredth_of_a_second_is_a_usage_error(
    tmp_path: Path, fast: Path, value: str
) -> None:
    result = report("--out", "out", "--notebook", fast, "--timeout", value, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr
    assert "'--timeout'" in result.stderr and "x>=0.01" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_shortest_timeout_times_out_cleanly(tmp_path: Path) -> None:
    slow = make_notebook(tmp_path / "slow.ipynb", "import time; time.sleep(5)")
    result = report(
        "--out", "out", "--course", "it-risk", "--notebook", slow, "--timeout", "0.01",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr
    assert "it-risk: timed out: a cell ran longer than 0.01 s" in result.stdout + result.stderr
