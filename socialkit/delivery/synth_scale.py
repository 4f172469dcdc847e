"""Many synthetic xAPI statements on a portfolio's runs, people and activities, for scale tests.

Unlike :func:`socialkit.delivery.synth.make_statements`, which makes a few statements per
learner and activity and returns them all, :func:`portfolio_statements` makes any number of
them, one at a time, spread evenly over the runs, and :func:`write_statements` writes them
to a few gzip-compressed JSON-lines files as they come, so that a million never sit in
memory. The statements are those of :mod:`socialkit.delivery.synth`: trainers posting,
learners watching, answering the trainer and each other, mostly in the planned phase, a
few voided, a few on activities the portfolio does not know.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from socialkit.delivery.synth import (
    _CONSUME,
    VERBS,
    _activity,
    _agent,
    _frame,
    _ref,
    _statement,
    _voiding,
    write_jsonl,
)

__all__ = ["portfolio_statements", "write_statements"]

_PHASES = ("before", "during", "after")


def _tracked(activities: pd.DataFrame) -> dict[str, list[tuple[str, str, str]]]:
    """Per course, its activities with ids: (first IRI, timing, direction)."""
    if activities.empty or "xapi_ids" not in activities:
        return {}
    acts = activities[activities["xapi_ids"].map(bool)]
    out: dict[str, list[tuple[str, str, str]]] = {}
    rows = zip(acts["course_id"], acts["xapi_ids"], acts["timing"], acts["direction"], strict=True)
    for course, ids, timing, direction in rows:  # one per activity, not per statement
        out.setdefault(str(course), []).append(
            (
                ids[0],
                timing if isinstance(timing, str) else "before",
                direction if isinstance(direction, str) else "one-to-many",
            )
        )
    return out


def portfolio_statements(
    portfolio_like: Any,
    n: int,
    *,
    seed: int = 0,
    voided_share: float = 0.01,
    stray_share: float = 0.01,
    single_share: float = 0.1,
) -> Iterator[dict[str, Any]]:
    """``n`` xAPI statements of the people of the runs on the activities with ``xapi_ids``.

    Parameters
    ----------
    portfolio_like : Portfolio or dict
        Canonical ``runs``, ``people`` and ``activities`` (attributes or keys), as
        :func:`socialkit.delivery.synth.make_statements` takes them.
    n : int
        How many statements in all (voiding statements included), spread evenly over the
        runs that have learners and tracked activities; none when there are no such runs.
    seed : int, default 0
        The same seed and tables give the same statements.
    voided_share : float, default 0.01
        About this share of the statements is voided by a later voiding statement.
    stray_share : float, default 0.01
        About this share is on an activity the portfolio does not list (``no-activity``).
    single_share : float, default 0.1
        Share of the ``contextActivities`` parents given as a single object instead of a
        list (as xAPI allows; ``pyarrow.json`` reads a file only when it is 0).

    Yields
    ------
    dict
        One statement at a time, run after run.
    """
    rng = random.Random(seed)
    runs = _frame(portfolio_like, "runs")
    people = _frame(portfolio_like, "people")
    tracked = _tracked(_frame(portfolio_like, "activities"))
    if runs.empty or people.empty or not tracked or n <= 0:
        return
    groups = people.groupby(["course_id", "run_id"], sort=False)
    plan = []
    for run in runs.itertuples(index=False):  # one per run
        key = (run.course_id, run.run_id)
        if str(run.course_id) not in tracked or key not in groups.groups:
            continue
        here = groups.get_group(key)
        learners = [_agent(p) for p in here.loc[here["role"] == "learner", "person"]]
        if learners:
            trainers = [_agent(p) for p in here.loc[here["role"] == "trainer", "person"]]
            plan.append((run, learners, trainers[0] if trainers else None))
    if not plan:
        return
    made = 0
    for i, (run, learners, trainer) in enumerate(plan):
        quota = n // len(plan) + (i < n % len(plan))
        acts = tracked[str(run.course_id)]
        starts = pd.Timestamp(run.starts).timestamp()
        ends = pd.Timestamp(run.ends).timestamp()
        reg = run.registration if isinstance(run.registration, str) else None
        posts: dict[str, dict[str, Any]] = {}
        said: dict[str, list[dict[str, Any]]] = {}
        done = 0
        while done < quota:
            iri, timing, direction = rng.choice(acts)
            if rng.random() < 0.2:  # now and then in another phase than planned
                timing = rng.choice(_PHASES)
            if timing == "before":
                epoch = starts - rng.uniform(3600, 6 * 86400)
            elif timing == "after":
                epoch = ends + rng.uniform(3600, 6 * 86400)
            else:
                epoch = starts + rng.uniform(0, max(ends - starts, 1.0))
            learner = rng.choice(learners)
            heard = said.setdefault(iri, [])
            roll = rng.random()
            if roll < stray_share:
                s = _statement(
                    rng,
                    actor=learner,
                    verb=VERBS["experienced"],
                    obj=_activity(f"{iri}-elsewhere", "Elsewhere", "media"),
                    epoch=epoch,
                    registration=reg,
                )
            elif trainer is not None and (iri not in posts or roll < 0.04):
                s = _statement(
                    rng,
                    actor=trainer,
                    verb=VERBS["shared"],
                    obj=_activity(iri, "Discussion", "interaction"),
                    epoch=epoch - 3600,
                    registration=reg,
                )
                posts[iri] = s
            elif direction == "many-to-many" and heard and roll < 0.5:
                other = rng.choice(heard)
                if roll < 0.2:
                    s = _statement(
                        rng,
                        actor=learner,
                        verb=VERBS["commented"],
                        obj=_ref(other["id"]),
                        epoch=epoch,
                        registration=reg,
                        grouping=iri,
                    )
                else:
                    s = _statement(
                        rng,
                        actor=learner,
                        verb=VERBS["responded"],
                        obj=_activity(iri, "Discussion", "interaction"),
                        epoch=epoch,
                        registration=reg,
                        reply_to=other["id"],
                    )
            elif direction in ("many-to-one", "many-to-many") and iri in posts:
                s = _statement(
                    rng,
                    actor=learner,
                    verb=VERBS["answered"],
                    obj=_activity(iri, "Discussion", "interaction"),
                    epoch=epoch,
                    registration=reg,
                    reply_to=posts[iri]["id"],
                )
            else:
                s = _statement(
                    rng,
                    actor=learner,
                    verb=VERBS[rng.choice(_CONSUME)],
                    obj=_activity(f"{iri}/video/{rng.randrange(3)}", "Video", "media"),
                    epoch=epoch,
                    registration=reg,
                    parent=iri,
                    single=rng.random() < single_share,
                )
            if s["actor"] is learner and len(heard) < 32:
                heard.append(s)
            yield s
            done += 1
            made += 1
            if done < quota and rng.random() < voided_share:
                yield _voiding(rng, s, epoch + 600)
                done += 1
                made += 1


def write_statements(
    statements: Iterator[dict[str, Any]],
    folder: str | os.PathLike[str],
    *,
    total: int,
    files: int = 4,
    compress: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write statements as they come to ``files`` JSON-lines files in ``folder``.

    Parameters
    ----------
    statements : iterator of dict
        Such as :func:`portfolio_statements` yields.
    folder : path-like
        Created if needed; the files are ``statements-0001.jsonl.gz`` and so on (without
        ``.gz`` when not ``compress``), each written atomically.
    total : int
        How many statements the iterator yields: the files hold about as many each.
    files : int, default 4
        How many files, at most (fewer when the iterator ends early).
    compress : bool, default True
        Gzip-compress the files.
    progress : callable, optional
        Called as ``progress(written, total)`` every 10,000 statements and at the end.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    per_file = max(-(-int(total) // max(int(files), 1)), 1)
    written = 0

    def counted(part: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal written
        for statement in part:
            yield statement
            written += 1
            if progress is not None and written % 10_000 == 0:
                progress(written, total)

    paths: list[Path] = []
    statements = iter(statements)
    for number in itertools.count(1):
        first = next(statements, None)
        if first is None:
            break
        name = f"statements-{number:04d}.jsonl" + (".gz" if compress else "")
        part = itertools.chain([first], itertools.islice(statements, per_file - 1))
        paths.append(write_jsonl(counted(part), folder / name, compress=compress))
    if progress is not None:
        progress(written, total)
    return paths
