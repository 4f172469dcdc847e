"""The tour teaches: its checks are folded away, its tables are whole, it ends with a map.

nbval runs ``notebooks/tour.ipynb`` (its check cells included); these tests read its cells.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

TOUR = Path(__file__).resolve().parents[1] / "notebooks" / "tour.ipynb"
CHECK_TAG = "tour-check"


def cells() -> list:
    return nbformat.read(TOUR, as_version=4).cells


def is_check(cell) -> bool:
    return CHECK_TAG in cell.metadata.get("tags", [])


def checks_in(source: str) -> list[str]:
    """The asserts and pandas' ``assert_*_equal`` calls of a cell, as source text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Call) and "assert_" in ast.unparse(node.func):
            found.append(ast.unparse(node))
    return found


def test_no_teaching_cell_checks_anything() -> None:
    teaching = [c for c in cells() if c.cell_type == "code" and not is_check(c)]
    assert teaching
    assert {c.source[:40]: checks_in(c.source) for c in teaching if checks_in(c.source)} == {}


def test_check_cells_are_folded_and_left_out_of_exports() -> None:
    checks = [c for c in cells() if is_check(c)]
    assert len(checks) >= 20  # the tour's results stay checked
    for cell in checks:
        assert cell.cell_type == "code"
        assert checks_in(cell.source), cell.source  # it checks something
        assert cell.metadata["jupyter"]["source_hidden"] is True
        assert "remove-cell" in cell.metadata["tags"]


@pytest.mark.parametrize("cut", [".head(", ".tail(", "limit=", "max_rows", ".sample("])
def test_tables_are_shown_whole(cut: str) -> None:
    teaching = [c.source for c in cells() if c.cell_type == "code" and not is_check(c)]
    assert [s for s in teaching if cut in s] == []


def test_tables_are_shown_without_row_numbers() -> None:
    """A cell that ends in a table ends in ``show(...)``, which hides pandas' index."""
    setup = next(c.source for c in cells() if "def show(" in c.source)
    assert 'hide(axis="index")' in setup
    others = set()
    for cell in cells():
        if cell.cell_type != "code" or is_check(cell):
            continue
        last = ast.parse(cell.source).body[-1]
        if not isinstance(last, ast.Expr):
            continue
        shown = last.value
        if isinstance(shown, ast.Call) and ast.unparse(shown.func) == "show":
            continue
        others.add(ast.unparse(shown).split("(")[0])
    # charts, printed text, values that are no tables (lists, a dict of shapes), the cleanup
    assert others == {
        "charts.matrix_figure",
        "charts.swimlane_figure",
        "charts.tool_fit_figure",
        "portfolio_charts.checklist_figure",
        "portfolio_charts.direction_mix_figure",
        "print",
        "sorted",
        "{name: sheet.shape for name, sheet in sheets.items",
        "made",
        "workspace.cleanup",
    }


def test_the_last_section_leads_on() -> None:
    last = [c.source for c in cells() if c.cell_type == "markdown"][-1]
    assert last.startswith("## Where to go next")
    for lead in ["design_course.ipynb", "DesignEditor", "socialkit report", "Dask", "voila"]:
        assert lead in last, lead
