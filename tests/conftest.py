"""Small, hand-checkable fixtures shared by the test modules.

``make_tables`` builds raw string tables as a reader would return them (index = the
row number the user sees); ``make_portfolio`` validates them. The tiny catalog below
has invented tools so that expectations can be computed by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from socialkit.contract.io import load_portfolio, sample_path
from socialkit.contract.schema import TABLES, Portfolio
from socialkit.contract.validation import validate

#: Debian's Chromium, which the browser tests drive with Playwright (never a downloaded one).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def browser_missing(what: str, hint: str) -> None:
    """Skip on a developer's machine, but fail in CI: a skip must not pass for a pass."""
    message = f"{what}; {hint}"
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests cannot run in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def headless_chromium():
    """Debian's Chromium under Playwright, for one test module (Playwright's sync API keeps
    an event loop running meanwhile, which kernels and batches started later in the same
    thread could not share); a skip (a failure in CI) when Playwright or the browser is
    missing. Browser downloads do not work here."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("the playwright package is missing", "pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        browser_missing(f"no browser at {CHROMIUM}", "install it with: sh tests/install-browser.sh")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


#: A four-tool catalog: one internal platform, three external tools.
TOOLS = [
    {
        "tool": "Engage",
        "tool_types": "community;content",
        "directions": "one-to-many;many-to-one;many-to-many",
        "hosting": "internal",
        "onboarding": "single-sign-on",
        "domains": "engage.example.com",
    },
    {
        "tool": "Tube",
        "tool_types": "content",
        "directions": "one-to-many",
        "hosting": "external",
        "onboarding": "none",
        "domains": "tube.example.org",
    },
    {
        "tool": "Board",
        "tool_types": "community;co-creation",
        "directions": "many-to-one;many-to-many",
        "hosting": "external",
        "onboarding": "one-click",
        "domains": "board.example.net",
    },
    {
        "tool": "Chat",
        "tool_types": "community",
        "directions": "many-to-many",
        "hosting": "external",
        "onboarding": "new-account",
        "domains": "chat.example.io",
    },
]
#: Acme has Engage and blocks Tube; the default context has Engage and blocks nothing.
ORGANISATIONS = [
    {
        "organisation": "Acme",
        "platforms": "Engage",
        "blocked_domains": "tube.example.org",
        "prefers_internal": "true",
    },
    {
        "organisation": "default",
        "platforms": "Engage",
        "blocked_domains": "",
        "prefers_internal": "true",
    },
]


def frame(rows: list[dict], table: str) -> pd.DataFrame:
    """Raw string table from row dicts; blank strings become missing, rows numbered from 2."""
    columns = list(dict.fromkeys([s.name for s in TABLES[table]] + [k for r in rows for k in r]))
    df = pd.DataFrame(rows, columns=columns, dtype="object")
    df = df.map(lambda v: None if pd.isna(v) or v == "" else str(v)).astype("str")
    df.index = pd.RangeIndex(2, 2 + len(df))
    return df


def make_tables(
    courses: list[dict],
    objectives: list[dict],
    activities: list[dict],
    tools: list[dict] | None = None,
    organisations: list[dict] | None = None,
) -> dict[str, pd.DataFrame]:
    """Raw tables with the fixture catalog and context unless others are given."""
    return {
        "courses": frame(courses, "courses"),
        "objectives": frame(objectives, "objectives"),
        "activities": frame(activities, "activities"),
        "tools": frame(TOOLS if tools is None else tools, "tools"),
        "organisations": frame(
            ORGANISATIONS if organisations is None else organisations, "organisations"
        ),
    }


def make_portfolio(*args, **kwargs) -> Portfolio:
    """Validated portfolio from row dicts (see :func:`make_tables`)."""
    return validate(make_tables(*args, **kwargs))


@pytest.fixture
def two_courses() -> Portfolio:
    """Course ``c1`` (Acme, 2 objectives, 5 activities) and ``c2`` (default, no objective).

    c1 activities, in seq order:
      a1 seq1 before  one-to-many  content    Engage  benefit  o1  30 min  acquisition
      a2 seq2 during  one-to-many  -          none    -        o1  60 min  acquisition (no reason)
      a3 seq3 before  many-to-many community  Chat    -        -   20 min  discussion
      a4 seq4 during  many-to-one  -          none    -        o1  90 min  practice  feedback
      a5 seq5 after   -            content    Tube    benefit  o1  -        -
    c2 activities:
      b1 seq1 -       many-to-many co-creation Board  -        -   15 min
    """
    courses = [
        {"course_id": "c1", "title": "Risk basics", "organisation": "Acme", "status": "final"},
        {"course_id": "c2", "title": "Tool-first", "organisation": ""},
    ]
    objectives = [
        {"course_id": "c1", "objective_id": "o1", "statement": "Define risk"},
        {"course_id": "c1", "objective_id": "o2", "statement": "Rank risks"},
    ]
    act = [
        {
            "course_id": "c1",
            "activity_id": "a1",
            "seq": "1",
            "title": "Read definition",
            "objective_id": "o1",
            "timing": "before",
            "direction": "one-to-many",
            "tool_type": "content",
            "tool": "Engage",
            "learner_benefit": "Ask at any time",
            "learning_type": "acquisition",
            "minutes": "30",
        },
        {
            "course_id": "c1",
            "activity_id": "a2",
            "seq": "2",
            "title": "Lecture",
            "objective_id": "o1",
            "timing": "during",
            "direction": "one-to-many",
            "tool": "none",
            "learning_type": "acquisition",
            "minutes": "60",
        },
        {
            "course_id": "c1",
            "activity_id": "a3",
            "seq": "3",
            "title": "Peer chat",
            "timing": "before",
            "direction": "many-to-many",
            "tool_type": "community",
            "tool": "Chat",
            "learning_type": "discussion",
            "minutes": "20",
        },
        {
            "course_id": "c1",
            "activity_id": "a4",
            "seq": "4",
            "title": "Practise ranking",
            "objective_id": "o1",
            "timing": "during",
            "direction": "many-to-one",
            "tool": "none",
            "in_class_reason": "feedback",
            "learning_type": "practice",
            "minutes": "90",
        },
        {
            "course_id": "c1",
            "activity_id": "a5",
            "seq": "5",
            "title": "Watch recap",
            "objective_id": "o1",
            "timing": "after",
            "tool_type": "content",
            "tool": "Tube",
            "learner_benefit": "Rewatch when needed",
        },
        {
            "course_id": "c2",
            "activity_id": "b1",
            "seq": "1",
            "title": "Shared board",
            "direction": "many-to-many",
            "tool_type": "co-creation",
            "tool": "Board",
            "minutes": "15",
        },
    ]
    return make_portfolio(courses, objectives, act)


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A copy of the bundled sample portfolio's CSV folder, free to change."""
    dest = tmp_path / "portfolio"
    shutil.copytree(sample_path(), dest, ignore=shutil.ignore_patterns("*.md"))
    return dest


@pytest.fixture(scope="session")
def sample() -> Portfolio:
    """The bundled sample portfolio in ``data/``."""
    return load_portfolio(ROOT / "data")


def course(cid: str, **kw) -> dict:
    """A courses row with a made-up title."""
    return {"course_id": cid, "title": f"Course {cid}", **kw}


def act(cid: str, aid: str, seq: int, **kw) -> dict:
    """An activities row with a made-up title."""
    return {"course_id": cid, "activity_id": aid, "seq": str(seq), "title": f"Act {aid}", **kw}


def z_of(fig: go.Figure) -> list[list]:
    """The z values of a figure's first trace, as nested lists."""
    return np.asarray(fig.data[0].z).tolist()


def make_notebook(path: Path, *cells: str, parameters: str | None = None) -> Path:
    """A notebook with a ``parameters`` cell and the given code cells."""
    nb = nbformat.v4.new_notebook()
    params = parameters if parameters is not None else 'portfolio = None\ncourse_id = "it-risk"'
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(code) for code in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- real disks
def cannot(reason: str) -> None:
    """Skip on a developer's machine, fail in CI: a skip must not pass for a pass."""
    if os.environ.get("CI"):
        pytest.fail(f"this fault case cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (needs root or CAP_SYS_ADMIN)."""
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        cannot("no mount command to make a small file system")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        cannot(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount_read_only(where: Path) -> None:
    done = subprocess.run(
        ["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        cannot(f"remounting read-only is not permitted here: {done.stderr.strip()}")


# ---------------------------------------------------- delivery tables (tests/delivery)
@pytest.fixture
def march_run() -> pd.DataFrame:
    """Course c1, run r1: 2 March 2026, 09:00-17:00 at +01:00 (08:00-16:00 UTC), REG1."""
    from delivery_tables import REG1, make_runs  # tests/delivery

    return make_runs(("c1", "r1", "2026-03-02T09:00+01:00", "2026-03-02T17:00+01:00", REG1))


@pytest.fixture
def class_people() -> pd.DataFrame:
    """Run c1/r1: trainer Tina, learners Ann, Bob and Cy."""
    from delivery_tables import ANN, BOB, CY, TINA, make_people  # tests/delivery

    return make_people(
        ("c1", "r1", TINA, "trainer"),
        ("c1", "r1", ANN, "learner"),
        ("c1", "r1", BOB, "learner"),
        ("c1", "r1", CY, "learner"),
    )
