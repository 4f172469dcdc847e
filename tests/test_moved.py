"""The module paths of the flat layout keep working after the move to subpackages."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import socialkit
from socialkit._moved import MOVED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_a_former_module_path_imports_the_module_where_it_is_now(old: str, new: str) -> None:
    former = importlib.import_module(f"socialkit.{old}")
    assert former is importlib.import_module(new)
    assert former.__name__ == new
    assert getattr(socialkit, old) is former


def test_from_imports_of_the_former_paths_give_the_same_objects() -> None:
    from socialkit.analysis.tool_fit import recommend_tools as now
    from socialkit.io import load_portfolio
    from socialkit.tools import recommend_tools
    from socialkit.widgets import DesignEditor

    assert recommend_tools is now
    assert load_portfolio is socialkit.load_portfolio
    assert DesignEditor.__module__ == "socialkit.editor.widget"


def test_analysis_and_charts_keep_the_names_of_the_single_modules_they_were() -> None:
    import socialkit.analysis as analysis
    import socialkit.charts as charts
    from socialkit.analysis import checks
    from socialkit.charts import course

    for name in checks.__all__:
        assert getattr(analysis, name) is getattr(checks, name)
    for name in course.__all__:
        assert getattr(charts, name) is getattr(course, name)
    assert analysis.rule_tables is checks.rule_tables  # not in __all__, still there
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = analysis.nothing_here


def test_a_private_module_of_the_flat_layout_is_not_kept() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"socialkit\._frames"):
        importlib.import_module("socialkit._frames")


def test_a_user_script_with_the_former_imports_runs_in_a_fresh_interpreter() -> None:
    script = (
        "import socialkit.io, socialkit.advice\n"
        "from socialkit import analysis, display, portfolio_charts, runner, tools\n"
        "p = socialkit.io.load_portfolio()\n"
        "print(len(socialkit.advice.strategic_warnings(p)), analysis.checklist(p).shape[0] > 0,\n"
        "      runner.run_reports.__module__, tools.tool_fit.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["13", "True", "socialkit.reports.runner", "socialkit.analysis.tool_fit"]
