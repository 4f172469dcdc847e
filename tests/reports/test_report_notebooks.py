"""The report notebooks: committed clean, parameterised as the runner expects, safe to run."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from socialkit.contract.io import sample_path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: Each report notebook and its parameters with their defaults.
PARAMETERS = {
    "course_report.ipynb": {"portfolio": None, "course_id": "it-risk"},
    "portfolio_report.ipynb": {"portfolio": None, "run_file": None},
}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
HOSTILE = '<script>alert(1)</script> & "><img src=x onerror=alert(2)>'


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_notebook_is_valid_and_committed_without_outputs(name: str) -> None:
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == KERNELSPEC
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source[:60]
            assert cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == KERNELSPEC
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_one_parameters_cell_with_the_expected_defaults(name: str) -> None:
    nb = read(name)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert tagged[0].cell_type == "code"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is tagged[0]
    tree = ast.parse(tagged[0].source)
    assert all(isinstance(node, ast.Assign) for node in tree.body)
    found = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert found == PARAMETERS[name]
    # every assignment is explained by a comment on its line
    lines = tagged[0].source.splitlines()
    assert len(lines) == len(found) and all("  # " in line for line in lines)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_papermill_sees_every_parameter_with_its_help(name: str) -> None:
    # papermill skips a parameter line holding a second "=", even inside its comment
    found = papermill.inspect_notebook(str(NOTEBOOKS / name))
    assert sorted(found) == sorted(PARAMETERS[name])
    assert all(p["help"] for p in found.values())


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_markdown_is_static(name: str) -> None:
    """User strings never go into markdown: markdown cells hold no template syntax."""
    for cell in read(name).cells:
        if cell.cell_type == "markdown":
            assert "{" not in cell.source and "<" not in cell.source


def run(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / f"out-{name}"
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def html_outputs(nb: nbformat.NotebookNode) -> str:
    return "".join(
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    )


def test_course_report_names_an_unknown_course(tmp_path: Path) -> None:
    with pytest.raises(papermill.PapermillExecutionError, match="no-such-course") as info:
        run("course_report.ipynb", tmp_path, course_id="no-such-course")
    assert info.value.ename == "UnknownCourseError"


def papermill_cli(tmp_path: Path, *params: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("papermill")
    cmd = [str(exe), str(NOTEBOOKS / "course_report.ipynb"), str(tmp_path / "out.ipynb")]
    for pair in zip(params[::2], params[1::2], strict=True):
        cmd += ["-p", *pair]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_course_report_runs_under_the_plain_papermill_cli(tmp_path: Path) -> None:
    done = papermill_cli(tmp_path, "portfolio", "data", "course_id", "onboarding-30")
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "Your first 30 days at Fabrikam" in html_outputs(nb)


def test_papermill_cli_names_an_unknown_course(tmp_path: Path) -> None:
    done = papermill_cli(tmp_path, "course_id", "no-such-course")
    assert done.returncode != 0
    assert "UnknownCourseError" in done.stderr and "no-such-course" in done.stderr


@pytest.fixture
def hostile_portfolio(tmp_path: Path) -> Path:
    """The sample with markup in a course's title, an objective and an activity title."""
    dest = tmp_path / "hostile"
    shutil.copytree(sample_path(), dest, ignore=shutil.ignore_patterns("*.md"))

    def edit(table: str, key: dict, **changes) -> None:
        path = dest / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            if all(row[k] == v for k, v in key.items()):
                row.update(changes)
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    edit("courses", {"course_id": "it-risk"}, title=HOSTILE, owner=HOSTILE)
    edit("objectives", {"course_id": "it-risk", "objective_id": "O1"}, statement=HOSTILE)
    edit(
        "activities",
        {"course_id": "it-risk", "activity_id": "A1"},
        title=HOSTILE,
        learner_benefit="",
        tool="",
    )
    return dest


def test_course_report_escapes_every_user_string(tmp_path: Path, hostile_portfolio) -> None:
    nb = run("course_report.ipynb", tmp_path, portfolio=str(hostile_portfolio))
    out = html_outputs(nb)
    assert "<img" not in out and "<script>alert" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    assert 'id="sk-figure-1"' in out and 'id="sk-figure-2"' in out
    assert "not decided yet" in out
    kinds = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs for k in o}
    assert "text" not in kinds  # nothing printed as plain text
    assert all(o.output_type == "display_data" for c in nb.cells for o in c.get("outputs", []))


def test_portfolio_report_shows_the_run(tmp_path: Path, hostile_portfolio) -> None:
    run_file = tmp_path / "run.json"
    courses = [
        {"course_id": "it-risk", "title": "t", "href": "courses/it-risk.html", "status": "made",
         "error": None, "notebook": None},
        {"course_id": "agile-teams", "title": "t", "href": "courses/agile-teams.html",
         "status": "failed", "error": HOSTILE, "notebook": "failed/agile-teams.ipynb"},
        {"course_id": "presenting", "title": "t", "href": "javascript:alert(3)",
         "status": "unchanged", "error": None, "notebook": None},
    ]  # fmt: skip
    run_file.write_text(json.dumps({"courses": courses}), encoding="utf-8")
    nb = run(
        "portfolio_report.ipynb",
        tmp_path,
        portfolio=str(hostile_portfolio),
        run_file=str(run_file),
    )
    out = html_outputs(nb)
    assert "<img" not in out and "<script>alert" not in out and "javascript:" not in out
    assert '<a href="courses/it-risk.html">&lt;script&gt;' in out
    assert '<tr class="sk-row-failed">' in out
    assert '<a href="failed/agile-teams.ipynb">' in out
    assert '<a href="courses/agile-teams.html">' not in out  # no link to a report that failed
    assert 'href="courses/onboarding-30.html"' not in out  # the runner made no report of it
    # three portfolio charts, and the delivery chart of the sample's runs
    assert out.count('class="plotly-graph-div"') == 4
    # the table of every course (DataTables, bundled in the page: nothing from the web)
    assert "unpkg" not in out and "import {" not in out
    assert out.count("window._itables_") >= 3  # the table waits for the bundle
    rows = course_table_rows(out)
    assert len(rows) == 14
    by_id = {re.findall(r">([^<]+)<", r["Course"])[-1]: r for r in rows}  # the id badge
    hostile = by_id["it-risk"]
    assert hostile["Course"].startswith('<span class="sk-main"><a href="courses/it-risk.html">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile["Course"]
    assert hostile["Report"] == "ready"
    assert by_id["presenting"]["Report"] == "ready, unchanged since the last run"
    failed = by_id["agile-teams"]
    assert failed["Attention"] == 1  # a failed report comes first
    assert '<a href="courses/agile-teams.html">' not in failed["Course"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in failed["Report"]
    assert by_id["onboarding-30"]["Organisation"] == "Fabrikam Manufacturing"


def course_table_rows(html: str) -> list[dict]:
    """The rows of the overview's DataTables table, as its script holds them."""
    head = re.search(r'"table_html": "(.*?)",\n', html).group(1)
    names = re.findall(r"<th>(.*?)</th>", json.loads(f'"{head}"'))
    data = json.loads(json.loads('"' + re.search(r'"data_json": "(.*?)",\n', html).group(1) + '"'))
    return [dict(zip(names, row, strict=True)) for row in data]
