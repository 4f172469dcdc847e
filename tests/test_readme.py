"""The README's two commands are the contract with a new user; CI runs the second."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands(heading: str = "Two commands") -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def _extras() -> dict[str, list[str]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["optional-dependencies"]


def test_readme_has_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert commands[0].endswith("socialkit report")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci


def test_readme_opens_jupyterlab_and_the_app_with_one_command_each() -> None:
    lab, app = _commands("JupyterLab and the design app")
    assert lab.startswith("python3 -m venv .venv && ")
    assert "pip install -q -e '.[lab]' && .venv/bin/socialkit lab" in lab
    assert app.startswith("python3 -m venv .venv && ")
    assert "pip install -q -e '.[app]' && .venv/bin/voila notebooks/design_course.ipynb" in app
    assert (ROOT / "notebooks" / "design_course.ipynb").is_file()
    # each extra brings the program its command runs
    extras = _extras()
    assert any(req.startswith("jupyterlab") for req in extras["lab"])
    assert any(req.startswith("voila") for req in extras["app"])
