"""``socialkit report`` end to end in a subprocess: exit codes, messages, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_notebook

ROOT = Path(__file__).resolve().parents[1]
SOCIALKIT = Path(sys.executable).parent / "socialkit"


def report(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOCIALKIT), "report", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_report_one_course_with_the_bundled_notebooks(tmp_path: Path) -> None:
    result = report("--course", "it-risk", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 report(s) to make, 0 unchanged (skipped)" in result.stderr
    # after the bar, a line says what the last seconds are spent on
    overview = "making the portfolio overview (index.html) ..."
    assert result.stderr.index(overview) > result.stderr.index("1/1")
    assert result.stderr.count(overview) == 1
    assert "made 1, unchanged 0, failed 0" in result.stdout
    out = tmp_path / "reports"
    assert (out / "courses" / "it-risk.html").is_file()
    assert (out / "index.html").is_file()
    again = report("--course", "it-risk", cwd=tmp_path)
    assert again.returncode == 0
    assert "0 report(s) to make, 1 unchanged (skipped)" in again.stderr
    assert again.stderr.count(overview) == 1  # no bar, but the overview is made again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--course", "nope"], "error: unknown course id(s) 'nope'"),
        (["no-such-folder"], "error: "),
        (["--notebook", "missing.ipynb"], "error: notebook 'missing.ipynb' not found"),
        (["--jobs", "0"], "Invalid value for '--jobs'"),
        (["--timeout", "0"], "Invalid value for '--timeout'"),
        (["--timeout", "nan"], "Invalid value for '--timeout': nan is not a number of seconds"),
        (["--timeout", "inf"], "Invalid value for '--timeout': inf is not a number of seconds"),
    ],
)
def test_report_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = report(*args, "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "courses").exists()


def test_report_invalid_portfolio_exits_1_and_makes_nothing(tmp_path: Path) -> None:
    # an error of the whole portfolio (a required column missing); an invalid course
    # alone would be listed in the index while the others are made
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    courses = data / "courses.csv"
    courses.write_text(courses.read_text().replace("course_id,title,", "course_id,name,", 1))
    result = report(data, "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "required column 'title' is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_report_with_a_failing_course_exits_1_and_names_it(tmp_path: Path) -> None:
    nb = make_notebook(
        tmp_path / "custom.ipynb", "if course_id == 'it-risk':\n    raise RuntimeError('boom')"
    )
    args = ["--notebook", nb, "--course", "it-risk", "--course", "presenting", "--jobs", "1"]
    result = report(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert "made 1, unchanged 0, failed 1" in result.stdout
    assert "failed: it-risk: RuntimeError: boom (notebook: failed/it-risk.ipynb)" in result.stdout
    assert "Traceback" not in result.stderr
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "RuntimeError: boom" in index


def kernels_of(pid: int) -> list[int]:
    """Kernel processes started by process ``pid`` (they carry JPY_PARENT_PID)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}".encode() in env:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_ctrl_c_stops_cleanly_and_the_next_run_picks_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gen = subprocess.run(
        [str(SOCIALKIT), "generate", "10", data, "--activities", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote 10 courses" in gen.stdout
    nb = make_notebook(
        tmp_path / "slow.ipynb",
        "import time\ntime.sleep(0.7)\nfrom IPython.display import HTML\nHTML('<p>done</p>')",
    )
    args = [str(SOCIALKIT), "report", data, "--notebook", nb, "--jobs", "1"]
    proc = subprocess.Popen(
        args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    courses = tmp_path / "reports" / "courses"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(courses.glob("*.html"))) < 2:
        time.sleep(0.05)
    assert kernels_of(proc.pid), "the batch should be running a kernel"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    made = sorted(p.stem for p in courses.glob("*.html"))
    assert 2 <= len(made) < 10
    assert not list((tmp_path / "reports").rglob("*.tmp"))
    manifest = json.loads((tmp_path / "reports" / ".socialkit" / "manifest.json").read_text())
    assert sorted(manifest["courses"]) == made, (manifest, made, stderr)
    deadline = time.monotonic() + 10
    while kernels_of(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kernels_of(proc.pid) == []

    again = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{10 - len(made)} report(s) to make, {len(made)} unchanged (skipped)" in again.stderr
    assert len(list(courses.glob("*.html"))) == 10


def test_report_help_lists_the_options(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SOCIALKIT), "report", "--help"], capture_output=True, text=True, check=True
    )
    for option in ("--out", "--course", "--notebook", "--jobs", "--timeout", "--force"):
        assert option in result.stdout
    assert os.linesep in result.stdout


def test_report_says_it_is_reading_a_big_portfolio_before_the_plan(
    tmp_path: Path, monkeypatch
) -> None:
    from click.testing import CliRunner

    import socialkit.console
    from socialkit.cli import main

    sample = Path(__file__).resolve().parents[1] / "data"
    # the sample stands for a big portfolio: every byte counts as slow
    monkeypatch.setattr(socialkit.console, "SLOW_READ_BYTES", 1)
    args = ["report", str(sample), "--course", "no-such-course", "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"reading and checking {sample} ...\nerror: ")
    assert "no-such-course" in result.stderr
