"""Synthetic design portfolios for scale tests.

The tables look like CSV files that were just read: every cell is a Python string or
``pd.NA``. They are valid per the data contract. A few values are synonyms or use
other casing (about 2%), and some activities are deliberately weak (blocked, misfit
or out-of-phase tools, missing reasons), so that the analyses have something to find.
Decisions are left blank mostly in draft courses (10% of each decision column; 2% in
review, 0.5% in final designs) and most tools (85%) come from the organisation's own
platforms, as in a portfolio that is in use. Everything is vectorised with numpy and
pandas.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from socialkit.errors import PortfolioWriteError

__all__ = ["make_portfolio_tables", "write_portfolio"]

_CATALOG = Path(__file__).resolve().parents[1] / "catalog" / "tools.csv"
#: The largest portfolio generated: courses, activities per course, activities in all.
MAX_COURSES = 1_000_000
MAX_ACTIVITIES_PER_COURSE = 1_000
MAX_ACTIVITY_ROWS = 20_000_000


def size_problem(n_courses: int, activities_per_course: int) -> str | None:
    """Why a portfolio of this size is not generated (it would not fit in memory), or None."""
    if n_courses > MAX_COURSES:
        return f"{n_courses:,} courses: at most {MAX_COURSES:,} are generated"
    if activities_per_course > MAX_ACTIVITIES_PER_COURSE:
        return (
            f"{activities_per_course:,} activities per course: at most "
            f"{MAX_ACTIVITIES_PER_COURSE:,} are generated"
        )
    if n_courses * activities_per_course > MAX_ACTIVITY_ROWS:
        return (
            f"{n_courses:,} courses x {activities_per_course:,} activities = "
            f"{n_courses * activities_per_course:,} activities: at most "
            f"{MAX_ACTIVITY_ROWS:,} in all are generated"
        )
    return None


_ORGANISATIONS = {
    "organisation": [
        "Northwind Bank",
        "Litware Software",
        "Proseware Logistics",
        "Woodgrove Pharma",
        "Lucerne Publishing",
    ],
    "platforms": [
        "Teams;SharePoint;Viva Engage",
        "Slack;Confluence;Miro",
        "Teams;Moodle forum",
        "Teams;SharePoint;Stream;Microsoft Forms",
        "Google Docs;Padlet",
    ],
    "blocked_domains": [
        "youtube.com;slack.com;padlet.com",
        None,
        "linkedin.com;miro.com",
        "docs.google.com;youtube.com",
        None,
    ],
    "prefers_internal": ["true", "false", "true", "true", "false"],
}
_TOPICS = [
    "Negotiation",
    "Project risk",
    "Onboarding",
    "Fire safety",
    "Data protection",
    "Coaching",
    "Agile delivery",
    "Customer service",
    "Presentation",
    "Leadership",
    "Product launch",
    "Anti-bribery",
    "Time management",
    "Sales",
    "Diversity and inclusion",
]
_LEVELS = ["essentials", "for managers", "refresher", "masterclass", "for new joiners"]
_AUDIENCES = ["All employees", "Team leaders", "Sales staff", "Engineers", "New hires"]
_OWNERS = ["L&D team", "HR", "Compliance Office", "Sales Academy", "Leadership Academy"]
_MOMENTS = ["1-day workshop", "Half-day classroom session", "90-minute webinar", "2-day bootcamp"]
_VERBS = ["Explain", "Apply", "Identify", "Compare", "Plan", "Evaluate", "Demonstrate"]
_ACTIVITY = [
    "Read about",
    "Research",
    "Practise",
    "Build a plan for",
    "Discuss",
    "Work together on",
]  # one title verb per learning type, in _LEARNING's order
_SUBJECTS = ["the key terms", "a real case", "common mistakes", "the checklist", "an example"]
_BENEFITS = [
    "Saves class time for practice",
    "Learn from peers' real cases",
    "Ready to use at work next week",
    "Go at your own pace",
    "Get feedback early",
]
_LEARNING = ["acquisition", "inquiry", "practice", "production", "discussion", "collaboration"]
_STATUS = ["draft", "review", "final"]
_BLANK_RATE = {"draft": 0.1, "review": 0.02, "final": 0.005}  # per decision column
_MINUTES = ["5", "10", "15", "20", "30", "45", "60", "90", "120"]
_VARIANTS = {  # canonical value -> synonym or other spelling that normalises back to it
    "timing": {"before": "pre-class", "during": "In class", "after": "follow_up"},
    "direction": {"one-to-many": "1:n", "many-to-one": "n:1", "many-to-many": "Many to Many"},
    "tool_type": {
        "community": "discussion",
        "content": "curation",
        "co-creation": "cocreation",
        "productivity": "PRODUCTIVITY",
    },
    "in_class_reason": {
        "peer-coaching": "coaching",
        "skill-practice": "practice",
        "expert-guidance": "Expert guidance",
        "feedback": "FEEDBACK",
        "reflection": "Reflection",
    },
}
_DECISIONS = [
    "objective_id",
    "timing",
    "direction",
    "tool_type",
    "tool",
    "in_class_reason",
    "learner_benefit",
    "learning_type",
    "minutes",
]


def _obj(values: list[str] | np.ndarray) -> np.ndarray:
    """Return ``values`` as a numpy object array of Python strings (``None`` kept)."""
    return np.asarray(values, dtype=object)


def _pick(rng: np.random.Generator, values: list[str], size: int) -> np.ndarray:
    """Draw ``size`` values uniformly from ``values`` as an object array."""
    return _obj(values)[rng.integers(0, len(values), size)]


def _labels(prefix: str, count: int, width: int) -> np.ndarray:
    """Return ``prefix`` + 1..``count`` zero-padded to ``width`` digits, as an object array."""
    numbers = pd.Series(np.arange(1, count + 1)).astype(str).str.zfill(width)
    return _obj(prefix + numbers.to_numpy(dtype=object))


def _combos() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Return the catalog's fitting (tool, tool_type, direction) rows, and per organisation
    (the default context last) a padded matrix of the rows of its platforms, with counts."""
    cat = pd.read_csv(_CATALOG, dtype=str, keep_default_na=False)
    cat = cat.assign(
        tool_type=cat["tool_types"].str.split(";"), direction=cat["directions"].str.split(";")
    )
    combos = cat.explode("tool_type").explode("direction").reset_index(drop=True)
    platforms = [*_ORGANISATIONS["platforms"], "Teams;SharePoint"]
    own = [np.flatnonzero(combos["tool"].isin(p.split(";"))) for p in platforms]  # 6 orgs
    counts = np.array([len(rows) for rows in own])
    matrix = np.zeros((len(own), counts.max()), dtype=int)
    for i, rows in enumerate(own):
        matrix[i, : len(rows)] = rows
    return combos[["tool", "tool_type", "direction"]], matrix, counts


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Build a DataFrame of string columns in which ``None`` becomes ``pd.NA``."""
    dtype = pd.StringDtype("python")
    return pd.DataFrame({k: pd.array(_obj(v), dtype=dtype) for k, v in columns.items()})


def write_portfolio(
    n_courses: int,
    dest: str | os.PathLike[str],
    *,
    activities_per_course: int = 20,
    seed: int = 0,
    runs_per_course: int = 0,
    learners_per_run: int = 25,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Generate a synthetic portfolio (see :func:`make_portfolio_tables`) and write it to
    ``dest``, a new folder or ``.xlsx`` path, or an empty folder.

    Parameters
    ----------
    n_courses : int
        Courses to make.
    dest : path-like
        Where to write them.
    activities_per_course : int, default 20
        Activities in each course.
    seed : int, default 0
        The random seed: the same seed gives the same portfolio.
    runs_per_course : int, default 0
        With more than 0, the delivery tables too: this many runs of each course, with
        ``learners_per_run`` learners each, and ``xapi_ids`` (see
        :func:`socialkit.contract.synth_delivery.add_delivery_tables`).
    learners_per_run : int, default 25
        Learners in each run, when there are runs.
    progress : callable, optional
        Passed to :func:`socialkit.contract.writers.write_tables`: the rows written to
        a workbook so far.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DestinationNotEmptyError
        If ``dest`` is an existing file or a folder holding anything: nothing is written
        over a portfolio or a file of the user's.
    PortfolioWriteError
        If writing fails.
    """
    from socialkit.contract.transact import portfolio_lock
    from socialkit.contract.writers import ensure_empty, write_tables

    dest = Path(dest)
    ensure_empty(dest)  # before generating (which takes a while) and before any lock
    tables = make_portfolio_tables(
        n_courses, activities_per_course=activities_per_course, seed=seed
    )
    if runs_per_course > 0:
        from socialkit.contract.synth_delivery import add_delivery_tables

        tables = add_delivery_tables(
            tables, runs_per_course=runs_per_course, learners_per_run=learners_per_run, seed=seed
        )
    try:
        with portfolio_lock(dest):
            ensure_empty(dest)  # again: something may have appeared meanwhile
            return write_tables(tables, dest, progress=progress)
    except OSError as exc:
        raise PortfolioWriteError(f"cannot write {str(dest)!r}: {exc.strerror or exc}") from None


def make_portfolio_tables(
    n_courses: int, *, activities_per_course: int = 20, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Generate a synthetic, valid design portfolio as raw string tables.

    Parameters
    ----------
    n_courses : int
        Number of courses; ids run ``syn-000001``, ``syn-000002``, ...
    activities_per_course : int, default 20
        Activities in each course, with ``seq`` running from 1 to this number.
        At most ``MAX_COURSES`` (1,000,000) courses, ``MAX_ACTIVITIES_PER_COURSE``
        (1,000) activities per course and ``MAX_ACTIVITY_ROWS`` (20,000,000)
        activities in all; ``ValueError`` beyond.
    seed : int, default 0
        Seed of the random generator. The same seed always gives the same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        Tables keyed ``courses``, ``objectives``, ``activities`` and ``organisations``,
        with the columns of the data contract. Every cell is a string or ``pd.NA``.

    Examples
    --------
    >>> tables = make_portfolio_tables(3, activities_per_course=5)
    >>> len(tables["activities"])
    15
    """
    n, k = int(n_courses), int(activities_per_course)
    problem = size_problem(n, k)
    if problem:
        raise ValueError(problem)
    rng = np.random.default_rng(seed)
    size = n * k
    ids = _labels("syn-", n, 6)
    topic = rng.integers(0, len(_TOPICS), n)
    n_orgs = len(_ORGANISATIONS["organisation"])
    org_of = np.where(rng.random(n) < 0.1, n_orgs, rng.integers(0, n_orgs, n))  # n_orgs: blank
    org = _obj([*_ORGANISATIONS["organisation"], None])[org_of]
    status = _pick(rng, _STATUS, n)
    status[rng.random(n) < 0.05] = None
    courses = _frame(
        {
            "course_id": ids,
            "title": _obj(_TOPICS)[topic] + " " + _pick(rng, _LEVELS, n),
            "organisation": org,
            "audience": _pick(rng, _AUDIENCES, n),
            "owner": _pick(rng, _OWNERS, n),
            "formal_moment": _pick(rng, _MOMENTS, n),
            "status": status,
        }
    )

    n_obj = rng.integers(1, 6, n)
    n_obj[rng.random(n) < 0.01] = 0  # tool-first courses: no objectives at all
    starts = np.cumsum(n_obj) - n_obj
    obj_num = np.arange(n_obj.sum()) - np.repeat(starts, n_obj) + 1
    objectives = _frame(
        {
            "course_id": np.repeat(ids, n_obj),
            "objective_id": _labels("O", 5, 1)[obj_num - 1],
            "statement": _pick(rng, _VERBS, len(obj_num))
            + " the key ideas of "
            + _obj([t.lower() for t in _TOPICS])[np.repeat(topic, n_obj)],
        }
    )

    course = np.repeat(np.arange(n), k)
    pos = np.tile(np.arange(k), n)
    cuts = np.sort(rng.uniform(0.15, 0.85, (n, 2)), axis=1)[course]
    frac = pos / max(k, 1)
    phase = (frac >= cuts[:, 0]).astype(int) + (frac >= cuts[:, 1])
    shuffled = rng.random(size) < 0.03  # out-of-phase activities
    phase[shuffled] = rng.integers(0, 3, shuffled.sum())
    during = phase == 1

    combos, own, counts = _combos()
    row_org = org_of[course]  # 85% of tools come from the organisation's own platforms
    own_pick = own[row_org, (rng.random(size) * counts[row_org]).astype(int)]
    pick = np.where(rng.random(size) < 0.85, own_pick, rng.integers(0, len(combos), size))
    tool = _obj(combos["tool"].to_numpy())[pick]
    tool_type = _obj(combos["tool_type"].to_numpy())[pick]
    direction = _obj(combos["direction"].to_numpy())[pick]
    no_tool = during & (rng.random(size) < 0.5)  # in class, half need no tool
    tool[no_tool], tool_type[no_tool] = "none", None
    direction[no_tool] = _pick(rng, list(_VARIANTS["direction"]), no_tool.sum())
    misfit = ~no_tool & (rng.random(size) < 0.03)
    tool_type[misfit] = _pick(rng, list(_VARIANTS["tool_type"]), misfit.sum())

    reason = _pick(rng, list(_VARIANTS["in_class_reason"]), size)
    reason[~during & (rng.random(size) >= 0.01)] = None  # ~1% reasons outside class
    obj_of = (rng.random(size) * n_obj[course]).astype(int) + 1
    objective_id = _labels("O", 5, 1)[obj_of - 1]
    objective_id[n_obj[course] == 0] = None
    learning = rng.integers(0, len(_LEARNING), size)
    activities = {
        "course_id": ids[course],
        "activity_id": _labels("A", k, 2)[pos],
        "seq": _labels("", k, 1)[pos],
        "title": _obj(_ACTIVITY)[learning]
        + " "
        + _pick(rng, _SUBJECTS, size)
        + " ("
        + _obj(_TOPICS)[topic[course]]
        + ")",
        "objective_id": objective_id,
        "timing": _obj(list(_VARIANTS["timing"]))[phase],
        "direction": direction,
        "tool_type": tool_type,
        "tool": tool,
        "in_class_reason": reason,
        "learner_benefit": _pick(rng, _BENEFITS, size),
        "learning_type": _obj(_LEARNING)[learning],
        "minutes": _pick(rng, _MINUTES, size),
    }
    for col, variants in _VARIANTS.items():  # loops over four vocabularies, not rows
        values = activities[col]
        hit = (rng.random(size) < 0.02) & pd.Series(values).isin(list(variants)).to_numpy()
        values[hit] = pd.Series(values[hit]).map(variants).to_numpy(dtype=object)
    real_tool = pd.Series(tool).ne("none").to_numpy() & (rng.random(size) < 0.02)
    tool[real_tool] = pd.Series(tool[real_tool]).str.lower().to_numpy(dtype=object)
    # decisions left "not decided yet": often in drafts, rarely in final designs
    blank_rate = pd.Series(status[course]).map(_BLANK_RATE).fillna(0.1).to_numpy(dtype=float)
    for col in _DECISIONS:
        activities[col][rng.random(size) < blank_rate] = None
    return {
        "courses": courses,
        "objectives": objectives,
        "activities": _frame(activities),
        "organisations": _frame(_ORGANISATIONS),
    }
