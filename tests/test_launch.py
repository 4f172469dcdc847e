"""``socialkit lab``: which JupyterLab command line it builds, and what it says without it."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from socialkit import launch
from socialkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_notebooks_folder_is_the_checkouts() -> None:
    folder = launch.notebooks_folder()
    assert folder == ROOT / "notebooks"
    assert {"tour.ipynb", "design_course.ipynb", "course_report.ipynb"} <= {
        p.name for p in folder.iterdir()
    }


def test_lab_arguments_run_jupyterlab_on_the_notebooks_with_this_python() -> None:
    argv = launch.lab_arguments(extra=["--no-browser", "--port", "9999"], as_root=False)
    assert argv == [
        sys.executable,
        "-m",
        "jupyterlab",
        str(ROOT / "notebooks"),
        "--no-browser",
        "--port",
        "9999",
    ]


def test_lab_arguments_allow_root_only_as_root() -> None:
    as_root = launch.lab_arguments(as_root=True, python="py")
    assert as_root == ["py", "-m", "jupyterlab", str(ROOT / "notebooks"), "--allow-root"]
    assert "--allow-root" not in launch.lab_arguments(as_root=False)
    # by default it follows who runs it
    assert ("--allow-root" in launch.lab_arguments()) == launch.running_as_root()


def test_lab_missing_is_none_when_jupyterlab_imports() -> None:
    # the test extra brings JupyterLab
    assert launch.lab_missing() is None


def test_without_jupyterlab_the_command_says_what_to_install(monkeypatch) -> None:
    # None in sys.modules is how Python marks a module that cannot be imported
    monkeypatch.setitem(sys.modules, "jupyterlab", None)
    assert "'lab' extra" in launch.lab_missing()
    result = CliRunner().invoke(main, ["lab", "--no-browser"])
    assert result.exit_code == 2
    assert "error: JupyterLab is not installed" in result.output
    assert "pip install -e '.[lab]'" in result.output
    assert "Traceback" not in result.output
