"""The report batch: warm kernels, failures, time-outs, incremental runs, equality."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import make_notebook

from socialkit.base.files import temp_name
from socialkit.contract.io import catalog_path, read_tables, sample_path, write_tables
from socialkit.errors import NotebookNotFoundError, UnknownCourseError, ValidationError
from socialkit.reports.export import course_slug
from socialkit.reports.kernels import parameterize
from socialkit.reports.outdir import FAILED_DIR, MANIFEST, STATE_DIR
from socialkit.reports.runner import run_reports

IDS = ["it-risk", "onboarding-30", "warehouse-safety"]


SHOW = (
    "from IPython.display import HTML, display\n"
    "import html\n"
    "display(HTML('<p class=\"who\">' + html.escape(course_id) + '</p>'))"
)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("notebooks")
    index_cells = (
        "import json\nfrom IPython.display import HTML, display\n"
        "rows = json.load(open(run_file))['courses']\n"
        "display(HTML(''.join(f'<p>{r[\"course_id\"]}: {r[\"status\"]}</p>' for r in rows)))",
    )
    return {
        "plain": make_notebook(root / "plain.ipynb", SHOW),
        "index": make_notebook(
            root / "index.ipynb", *index_cells, parameters="portfolio = None\nrun_file = None"
        ),
        "fails": make_notebook(
            root / "fails.ipynb",
            SHOW,
            "if course_id == 'onboarding-30':\n"
            "    raise ValueError('no objective for ' + course_id)",
        ),
        "sleeps": make_notebook(
            root / "sleeps.ipynb",
            SHOW,
            "import time\nif course_id == 'onboarding-30':\n    time.sleep(60)",
        ),
        "dies": make_notebook(
            root / "dies.ipynb",
            SHOW,
            "import os\nif course_id == 'it-risk':\n    os._exit(1)",
        ),
        "leaks": make_notebook(
            root / "leaks.ipynb",
            "import warnings, os\n"
            "try:\n    first\nexcept NameError:\n    first = course_id\n"
            "warnings.warn('shown once per process')\n"
            "os.environ['SK_LEAK'] = os.environ.get('SK_LEAK', '') + course_id\n"
            "os.chdir('/')",
            "from IPython.display import HTML, display\nimport os, html\n"
            "display(HTML(html.escape(first + '|' + os.environ['SK_LEAK'])))",
        ),
    }


def run(notebooks: dict[str, Path], out: Path, nb: str = "plain", **kw):
    kw.setdefault("courses", IDS)
    kw.setdefault("jobs", 1)
    return run_reports(out=out, notebook=notebooks[nb], index_notebook=notebooks["index"], **kw)


def page_text(out: Path, course_id: str) -> str:
    return (out / "courses" / f"{course_id}.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- happy path
def test_batch_makes_every_selected_report_and_the_index(notebooks, tmp_path) -> None:
    calls = []
    result = run(notebooks, tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert result.ok
    assert result.courses["course_id"].tolist() == IDS
    assert result.courses["status"].tolist() == ["made"] * 3
    assert calls == [(1, 3), (2, 3), (3, 3)]
    for cid in IDS:
        text = page_text(tmp_path, cid)
        assert f'<p class="who">{cid}</p>' in text
        assert '<script src="../plotly.min.js"></script>' in text
        assert 'href="../index.html"' in text
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<p>it-risk: made</p>" in index
    assert "<p>presenting: missing</p>" in index  # not selected, never made
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    assert not list(tmp_path.rglob("*.tmp"))


def test_code_is_hidden_from_the_pages(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path, courses=["it-risk"])
    text = page_text(tmp_path, "it-risk")
    assert "html.escape" not in text and "import" not in text


def test_two_jobs_make_the_same_pages_as_one(notebooks, tmp_path) -> None:
    one = run(notebooks, tmp_path / "one")
    two = run(notebooks, tmp_path / "two", jobs=2)
    assert one.ok and two.ok
    for cid in IDS:
        assert page_text(tmp_path / "one", cid) == page_text(tmp_path / "two", cid)


# --------------------------------------------------------------------------- warm kernels
def test_reset_leaves_no_state_behind(notebooks, tmp_path) -> None:
    result = run(notebooks, tmp_path, nb="leaks")
    assert result.ok
    for cid in IDS:  # a leak would show the first course's id or a growing SK_LEAK
        assert f"{cid}|{cid}" in page_text(tmp_path, cid)


def test_report_from_reused_kernel_equals_report_from_fresh_kernel(tmp_path) -> None:
    # the bundled course notebook: the second course runs in a kernel the first one used
    reused = run_reports(out=tmp_path / "reused", courses=["it-risk", "onboarding-30"], jobs=1)
    fresh = run_reports(out=tmp_path / "fresh", courses=["onboarding-30"], jobs=1)
    assert reused.ok and fresh.ok
    a = page_text(tmp_path / "reused", "onboarding-30")
    b = page_text(tmp_path / "fresh", "onboarding-30")
    assert a == b
    assert 'id="sk-figure-1"' in a  # figure numbering restarted in the reused kernel


# --------------------------------------------------------------------------- failures
def test_failing_course_does_not_stop_the_others(notebooks, tmp_path) -> None:
    result = run(notebooks, tmp_path, nb="fails")
    status = dict(zip(result.courses["course_id"], result.courses["status"], strict=True))
    assert status == {"it-risk": "made", "onboarding-30": "failed", "warehouse-safety": "made"}
    assert not result.ok
    row = result.courses.set_index("course_id").loc["onboarding-30"]
    assert row["error"] == "ValueError: no objective for onboarding-30"
    kept = tmp_path / FAILED_DIR / "onboarding-30.ipynb"
    assert row["notebook"] == f"{FAILED_DIR}/onboarding-30.ipynb"
    executed = nbformat.read(kept, as_version=4)
    assert any(o.get("ename") == "ValueError" for c in executed.cells for o in c.get("outputs", []))
    assert not (tmp_path / "courses" / "onboarding-30.html").exists()
    assert "<p>onboarding-30: failed</p>" in (tmp_path / "index.html").read_text()


def test_timed_out_course_fails_and_the_kernel_is_replaced(notebooks, tmp_path) -> None:
    result = run(notebooks, tmp_path, nb="sleeps", timeout=3)
    by_id = result.courses.set_index("course_id")
    assert by_id["status"].tolist() == ["made", "failed", "made"]
    assert by_id.loc["onboarding-30", "error"] == "timed out: a cell ran longer than 3 s"
    assert by_id.loc["onboarding-30", "seconds"] < 30
    assert (tmp_path / FAILED_DIR / "onboarding-30.ipynb").is_file()
    assert "warehouse-safety" in page_text(tmp_path, "warehouse-safety")


def test_dead_kernel_fails_the_course_and_the_next_course_gets_a_new_kernel(
    notebooks, tmp_path
) -> None:
    result = run(notebooks, tmp_path, nb="dies")
    by_id = result.courses.set_index("course_id")
    assert by_id["status"].tolist() == ["failed", "made", "made"]
    assert "kernel died" in by_id.loc["it-risk", "error"]


def test_a_fixed_course_drops_its_failed_notebook(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path, nb="fails")
    assert (tmp_path / FAILED_DIR / "onboarding-30.ipynb").is_file()
    result = run(notebooks, tmp_path)  # new notebook: everything is made again
    assert result.ok
    assert not (tmp_path / FAILED_DIR / "onboarding-30.ipynb").exists()


# --------------------------------------------------------------------------- incremental
def copy_sample(dest: Path) -> Path:
    shutil.copytree(sample_path(), dest)
    return dest


def test_unchanged_courses_are_skipped_and_a_changed_one_is_remade(notebooks, tmp_path) -> None:
    data = copy_sample(tmp_path / "data")
    out = tmp_path / "out"
    plans = []
    first = run(notebooks, out, portfolio=data, on_plan=lambda *a: plans.append(a))
    assert first.ok
    before = {cid: (out / "courses" / f"{cid}.html").stat().st_mtime_ns for cid in IDS}

    second = run(notebooks, out, portfolio=data, on_plan=lambda *a: plans.append(a))
    assert second.courses["status"].tolist() == ["unchanged"] * 3
    assert second.ok

    tables, _ = read_tables(data)
    acts = tables["activities"]
    acts.loc[acts["course_id"].eq("onboarding-30").idxmax(), "title"] = "A renamed activity"
    write_tables(tables, data)
    third = run(notebooks, out, portfolio=data, on_plan=lambda *a: plans.append(a))
    assert third.courses["status"].tolist() == ["unchanged", "made", "unchanged"]
    after = {cid: (out / "courses" / f"{cid}.html").stat().st_mtime_ns for cid in IDS}
    assert after["it-risk"] == before["it-risk"]
    assert after["onboarding-30"] != before["onboarding-30"]

    forced = run(notebooks, out, portfolio=data, force=True, on_plan=lambda *a: plans.append(a))
    assert forced.courses["status"].tolist() == ["made"] * 3
    assert plans == [(3, 0), (0, 3), (1, 2), (3, 0)]


def test_a_change_to_the_portfolios_tool_catalog_alone_remakes_the_reports(
    notebooks, tmp_path
) -> None:
    data = copy_sample(tmp_path / "data")
    tools = data / "tools.csv"
    shutil.copyfile(catalog_path() / "tools.csv", tools)
    out = tmp_path / "out"
    assert run(notebooks, out, portfolio=data).ok
    assert run(notebooks, out, portfolio=data).courses["status"].tolist() == ["unchanged"] * 3
    tools.write_text(tools.read_text(encoding="utf-8").replace("yammer.com", "yammer.org"))
    again = run(notebooks, out, portfolio=data)
    assert again.courses["status"].tolist() == ["made"] * 3


def test_a_change_to_the_bundled_catalog_remakes_the_reports(
    notebooks, tmp_path, monkeypatch
) -> None:
    import socialkit.contract.io

    data = copy_sample(tmp_path / "data")
    assert not (data / "tools.csv").exists()
    out = tmp_path / "out"
    assert run(notebooks, out, portfolio=data).ok
    catalog = Path(shutil.copytree(catalog_path(), tmp_path / "catalog"))
    tools = catalog / "tools.csv"
    tools.write_text(tools.read_text(encoding="utf-8").replace("yammer.com", "yammer.org"))
    monkeypatch.setattr(socialkit.contract.io, "catalog_path", lambda: catalog)
    again = run(notebooks, out, portfolio=data)
    assert again.courses["status"].tolist() == ["made"] * 3


def test_a_change_to_an_organisation_row_remakes_its_courses_only(notebooks, tmp_path) -> None:
    data = copy_sample(tmp_path / "data")
    out = tmp_path / "out"
    assert run(notebooks, out, portfolio=data).ok
    tables, _ = read_tables(data)
    org = tables["courses"].set_index("course_id").loc["it-risk", "organisation"]
    others = tables["courses"].set_index("course_id").loc[IDS[1:], "organisation"]
    assert (others != org).all()  # the other two courses belong elsewhere
    orgs = tables["organisations"]
    orgs.loc[orgs["organisation"].eq(org), "blocked_domains"] = "example.com"
    write_tables(tables, data)
    again = run(notebooks, out, portfolio=data)
    assert again.courses["status"].tolist() == ["made", "unchanged", "unchanged"]


def test_a_changed_notebook_remakes_every_report(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path)
    again = run(notebooks, tmp_path, nb="leaks")
    assert again.courses["status"].tolist() == ["made"] * 3


def test_a_deleted_report_is_made_again(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path)
    (tmp_path / "courses" / "it-risk.html").unlink()
    again = run(notebooks, tmp_path)
    assert again.courses["status"].tolist() == ["made", "unchanged", "unchanged"]


def test_a_failed_course_is_tried_again(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path, nb="fails")
    again = run(notebooks, tmp_path, nb="fails")
    assert again.courses["status"].tolist() == ["unchanged", "failed", "unchanged"]


def test_corrupt_manifest_means_remake_not_crash(notebooks, tmp_path) -> None:
    run(notebooks, tmp_path)
    (tmp_path / STATE_DIR / MANIFEST).write_text("{not json")
    again = run(notebooks, tmp_path)
    assert again.courses["status"].tolist() == ["made"] * 3
    assert json.loads((tmp_path / STATE_DIR / MANIFEST).read_text())["courses"]


def test_leftover_temporary_files_are_removed_and_the_users_kept(notebooks, tmp_path) -> None:
    (tmp_path / "courses").mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    stale = (
        tmp_path
        / "courses"
        / temp_name(Path("it-risk.html")).replace(f"-{os.getpid()}-", f"-{pid}-")
    )
    stale.write_text("half")
    users = [tmp_path / ".meeting-notes.tmp", tmp_path / "courses" / ".it-risk.html.abc123.tmp"]
    for user in users:
        user.write_text("mine")
    run(notebooks, tmp_path, courses=["it-risk"])
    assert not stale.exists()
    assert [u.read_text() for u in users] == ["mine", "mine"]


# --------------------------------------------------------------------------- bad input
def test_unknown_course_is_refused_before_anything_runs(notebooks, tmp_path) -> None:
    with pytest.raises(UnknownCourseError, match=r"unknown course id\(s\) 'nope'"):
        run(notebooks, tmp_path, courses=["it-risk", "nope"])
    assert not (tmp_path / "courses").exists()


def test_missing_notebook_is_refused(tmp_path) -> None:
    with pytest.raises(NotebookNotFoundError, match=r"notebook '.*missing.ipynb' not found"):
        run_reports(out=tmp_path, notebook=tmp_path / "missing.ipynb")


def test_invalid_portfolio_makes_nothing(tmp_path) -> None:
    # an error of the whole portfolio: an activity row without course_id (an invalid
    # course alone is listed while the others are made)
    data = copy_sample(tmp_path / "data")
    acts = pd.read_csv(data / "activities.csv", dtype=str, keep_default_na=False)
    acts.loc[0, "course_id"] = ""
    acts.to_csv(data / "activities.csv", index=False)
    with pytest.raises(ValidationError, match="row 2, column 'course_id'"):
        run_reports(data, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_parameterize_injects_with_a_fixed_cell_id(notebooks) -> None:
    from socialkit.reports.kernels import load_notebook

    nb = parameterize(load_notebook(notebooks["plain"]), {"course_id": "x'y"})
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.tags]
    assert len(injected) == 1
    assert injected[0].id == "injected-parameters"
    assert re.search(r"course_id = \"x'y\"", injected[0].source)


# --------------------------------------------------------------------------- security, size
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def test_user_strings_are_escaped_in_every_page(tmp_path) -> None:
    data = copy_sample(tmp_path / "data")
    tables, _ = read_tables(data)
    for table, column in [
        ("courses", "title"),
        ("objectives", "statement"),
        ("activities", "title"),
        ("activities", "learner_benefit"),
    ]:
        df = tables[table]
        df.loc[df["course_id"].eq("it-risk"), column] = HOSTILE
    write_tables(tables, data)
    result = run_reports(data, out=tmp_path / "out", courses=["it-risk"], jobs=1)
    assert result.ok
    for page in [tmp_path / "out" / "index.html", tmp_path / "out" / "courses" / "it-risk.html"]:
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text
        assert '<img src=x onerror="' not in text
    course = (tmp_path / "out" / "courses" / "it-risk.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in course
    assert "<title>&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in course


def test_a_large_course_report_stays_under_500_kb(tmp_path) -> None:
    from socialkit.contract.synth import make_portfolio_tables

    write_tables(make_portfolio_tables(2, activities_per_course=80, seed=3), tmp_path / "data")
    result = run_reports(tmp_path / "data", out=tmp_path / "out", jobs=1)
    assert result.ok
    for cid in result.courses["course_id"]:
        size = (tmp_path / "out" / "courses" / f"{course_slug(cid)}.html").stat().st_size
        assert 10_000 < size < 500_000
