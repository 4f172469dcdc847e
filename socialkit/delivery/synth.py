"""Synthetic xAPI statements: for a portfolio's runs, and at scale for benchmarks.

The statements look like what an LRS hands over: xAPI 1.0.3 and 2.0, agents with a
``mailto:`` address or an LMS account, ADL and video-profile verbs, learners watching
videos before class, the trainer posting, learners answering the trainer and each other
(through ``context.statement`` or a ``StatementRef`` object), a few statements voided,
``contextActivities`` parents and groupings, timestamps in several UTC offsets and a few
without a timestamp (then only ``stored`` says when). Everything is seeded: the same
seed gives the same statements.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from socialkit.base.files import atomic

__all__ = ["VERBS", "make_statements", "synthetic_statements", "write_jsonl"]

_ADL = "http://adlnet.gov/expapi/verbs/"
_VIDEO = "https://w3id.org/xapi/video/verbs/"
#: The verb IRIs the generator uses, by what they stand for.
VERBS: dict[str, str] = {
    "experienced": _ADL + "experienced",
    "played": _VIDEO + "played",
    "completed": _ADL + "completed",
    "commented": _ADL + "commented",
    "answered": _ADL + "answered",
    "shared": _ADL + "shared",
    "responded": _ADL + "responded",
    "voided": _ADL + "voided",
}
_CONSUME = ("experienced", "played", "completed")
_LMS = "https://lms.example.org"
_OFFSETS = (0, 0, 60, 120, -300, 330, 60, -240)
_NAMES = ("Ann", "Bram", "Chloé", "Dries", "Eva", "Farid", "Greet", "Hugo", "Ines", "Jan")
_FAMILY = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _when(rng: random.Random, epoch: float) -> str:
    """An ISO 8601 time in one of several forms: ``Z``, an offset, fractional seconds,
    and now and then none (xAPI reads that as UTC)."""
    offset = rng.choice(_OFFSETS)
    roll = rng.random()
    if roll < 0.03:  # without an offset
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S")
    moment = datetime.fromtimestamp(epoch, timezone(timedelta(minutes=offset)))
    text = moment.isoformat(timespec="milliseconds" if roll < 0.6 else "seconds")
    return text.replace("+00:00", "Z") if offset == 0 else text


def _agent(person: str) -> dict[str, Any]:
    """The xAPI agent of a person key (``mailto:...`` or ``account:HOME::NAME``)."""
    if person.startswith("account:"):
        home, name = person[len("account:") :].split("::", 1)
        return {"objectType": "Agent", "account": {"homePage": home, "name": name}}
    local = person[len("mailto:") :].split("@", 1)[0]
    return {"objectType": "Agent", "name": local.replace(".", " ").title(), "mbox": person}


def _statement(
    rng: random.Random,
    *,
    actor: dict[str, Any],
    verb: str,
    obj: dict[str, Any],
    epoch: float,
    registration: str | None,
    parent: str | None = None,
    grouping: str | None = None,
    reply_to: str | None = None,
    single: bool = False,
) -> dict[str, Any]:
    context: dict[str, Any] = {"platform": "Example LMS", "language": "en"}
    if registration:
        context["registration"] = registration
    activities: dict[str, Any] = {}
    if parent:
        one = {"objectType": "Activity", "id": parent}
        activities["parent"] = one if single else [one]
    if grouping:
        one = {"objectType": "Activity", "id": grouping}
        activities["grouping"] = one if single else [one]
    if activities:
        context["contextActivities"] = activities
    if reply_to:
        context["statement"] = {"objectType": "StatementRef", "id": reply_to}
    name = verb.rsplit("/", 1)[-1]
    statement: dict[str, Any] = {
        "id": _uuid(rng),
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": name}},
        "object": obj,
        "context": context,
    }
    if rng.random() >= 0.02:  # a few carry only ``stored``
        statement["timestamp"] = _when(rng, epoch)
    statement["stored"] = (
        datetime.fromtimestamp(epoch + rng.uniform(0.1, 90.0), UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    statement["authority"] = {
        "objectType": "Agent",
        "account": {"homePage": _LMS, "name": "xapi-client"},
    }
    statement["version"] = "2.0.0" if rng.random() < 0.3 else "1.0.3"
    return statement


def _activity(iri: str, title: str, kind: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {
            "name": {"en-US": title},
            "type": f"http://adlnet.gov/expapi/activities/{kind}",
        },
    }


def _ref(statement_id: str) -> dict[str, Any]:
    return {"objectType": "StatementRef", "id": statement_id}


def _voiding(rng: random.Random, target: dict[str, Any], epoch: float) -> dict[str, Any]:
    return _statement(
        rng,
        actor=target["actor"],
        verb=VERBS["voided"],
        obj=_ref(target["id"]),
        epoch=epoch,
        registration=None,
    )


def synthetic_statements(
    n: int, *, seed: int = 0, voided_share: float = 0.01, run_size: int = 25
) -> Iterator[dict[str, Any]]:
    """``n`` realistic xAPI statements, for scale tests (no portfolio needed).

    Parameters
    ----------
    n : int
        How many statements (voiding statements included).
    seed : int, default 0
        The same seed gives the same statements.
    voided_share : float, default 0.01
        About this share of the statements is voided by a later voiding statement.
    run_size : int, default 25
        Learners per run; each run has one trainer and its own registration.

    Yields
    ------
    dict
        One statement at a time (a million take about 1 GB as dicts; write them with
        :func:`write_jsonl` as they come).
    """
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()
    made = 0
    run = 0
    while made < n:
        course = f"C{run // 3:05d}"
        registration = _uuid(rng)
        base = f"{_LMS}/xapi/activities/{course}"
        people = [
            f"mailto:{rng.choice(_NAMES).lower()}.{rng.choice(_FAMILY).lower()}{run}x{i}@example.org"
            if i % 5
            else f"account:{_LMS}::{100000 + run * 100 + i}"
            for i in range(run_size)
        ]
        learners = [_agent(p) for p in people]
        trainer = _agent(f"mailto:trainer{run % 50}@example.org")
        starts = start + (run % 200) * 86400.0
        posts: list[dict[str, Any]] = []
        said: list[dict[str, Any]] = []
        for _ in range(400):
            if made >= n:
                break
            a = rng.randrange(8)
            activity = f"{base}/A{a + 1}"
            epoch = starts + rng.uniform(-7 * 86400, 3 * 86400)
            roll = rng.random()
            if roll < 0.05 or not posts:
                s = _statement(
                    rng,
                    actor=trainer,
                    verb=VERBS["shared"],
                    obj=_activity(activity, f"Discussion {a + 1}", "interaction"),
                    epoch=epoch,
                    registration=registration,
                    grouping=base,
                )
                posts.append(s)
            elif roll < 0.55:
                s = _statement(
                    rng,
                    actor=rng.choice(learners),
                    verb=VERBS[rng.choice(_CONSUME)],
                    obj=_activity(f"{activity}/video/{rng.randrange(4)}", "Video", "media"),
                    epoch=epoch,
                    registration=registration,
                    parent=activity,
                    grouping=base,
                )
            elif roll < 0.75:
                s = _statement(
                    rng,
                    actor=rng.choice(learners),
                    verb=VERBS["answered"],
                    obj=_activity(activity, f"Discussion {a + 1}", "interaction"),
                    epoch=epoch,
                    registration=registration,
                    grouping=base,
                    reply_to=rng.choice(posts)["id"],
                )
            elif roll < 0.9 and said:
                s = _statement(
                    rng,
                    actor=rng.choice(learners),
                    verb=VERBS["responded"],
                    obj=_activity(activity, f"Discussion {a + 1}", "interaction"),
                    epoch=epoch,
                    registration=registration,
                    parent=activity,
                    reply_to=rng.choice(said)["id"],
                )
            elif said:
                s = _statement(
                    rng,
                    actor=rng.choice(learners),
                    verb=VERBS["commented"],
                    obj=_ref(rng.choice(said)["id"]),
                    epoch=epoch,
                    registration=registration,
                    grouping=activity,
                )
            else:
                s = _statement(
                    rng,
                    actor=rng.choice(learners),
                    verb=VERBS["commented"],
                    obj=_activity(activity, f"Discussion {a + 1}", "interaction"),
                    epoch=epoch,
                    registration=registration,
                )
            if s["actor"] is not trainer and len(said) < 64:
                said.append(s)
            yield s
            made += 1
            if made < n and rng.random() < voided_share:
                yield _voiding(rng, s, epoch + 3600)
                made += 1
        run += 1


def _frame(portfolio_like: Any, name: str) -> pd.DataFrame:
    table = (
        portfolio_like.get(name)
        if isinstance(portfolio_like, dict)
        else getattr(portfolio_like, name, None)
    )
    return table if table is not None else pd.DataFrame()


def make_statements(
    portfolio_like: Any,
    *,
    seed: int = 0,
    per_learner: int = 3,
    voided_share: float = 0.05,
    single_share: float = 0.1,
) -> list[dict[str, Any]]:
    """Statements of the people of each run on the designed activities, as planned mostly.

    Parameters
    ----------
    portfolio_like : Portfolio or dict
        Anything with ``runs``, ``people`` and ``activities`` tables (attributes or keys)
        in the canonical form: runs with ``course_id``, ``run_id``, ``starts``, ``ends``,
        ``registration``; people with ``course_id``, ``run_id``, ``person``, ``role``;
        activities with ``course_id``, ``activity_id``, ``timing``, ``direction`` and
        ``xapi_ids`` (a tuple of IRIs; activities without one leave no statements).
    seed : int, default 0
        The same seed and tables give the same statements.
    per_learner : int, default 3
        Statements each participating learner makes on an activity, at most.
    voided_share : float, default 0.05
        Share of the statements voided afterwards (each by a voiding statement).
    single_share : float, default 0.1
        Share of ``contextActivities`` given as a single object instead of a list.

    Returns
    -------
    list of dict
        The statements, in the order an LRS would have stored them.
    """
    rng = random.Random(seed)
    runs = _frame(portfolio_like, "runs")
    people = _frame(portfolio_like, "people")
    activities = _frame(portfolio_like, "activities")
    out: list[tuple[float, dict[str, Any]]] = []
    if runs.empty or activities.empty or "xapi_ids" not in activities:
        return []
    for run in runs.itertuples(index=False):  # a portfolio has few runs
        here = people[(people["course_id"] == run.course_id) & (people["run_id"] == run.run_id)]
        learners = [_agent(p) for p in here.loc[here["role"] == "learner", "person"]]
        trainers = [_agent(p) for p in here.loc[here["role"] == "trainer", "person"]]
        if not learners:
            continue
        trainer = trainers[0] if trainers else None
        starts = pd.Timestamp(run.starts).timestamp()
        ends = pd.Timestamp(run.ends).timestamp()
        reg = run.registration if isinstance(run.registration, str) else None
        acts = activities[activities["course_id"] == run.course_id]
        for act in acts.itertuples(index=False):
            ids = tuple(act.xapi_ids or ())
            if not ids:
                continue
            iri = ids[0]
            timing = getattr(act, "timing", "before")
            direction = getattr(act, "direction", "one-to-many")

            def moment(timing: Any = timing, starts: float = starts, ends: float = ends) -> float:
                if rng.random() < 0.2:  # now and then in another phase than planned
                    timing = rng.choice(("before", "during", "after"))
                if timing == "before":
                    return starts - rng.uniform(3600, 6 * 86400)
                if timing == "after":
                    return ends + rng.uniform(3600, 6 * 86400)
                return starts + rng.uniform(0, max(ends - starts, 1.0))

            def single() -> bool:
                return rng.random() < single_share

            post = None
            if trainer is not None and direction != "one-to-one":
                post = _statement(
                    rng,
                    actor=trainer,
                    verb=VERBS["shared"],
                    obj=_activity(iri, str(act.activity_id), "interaction"),
                    epoch=moment() - 3600,
                    registration=reg,
                )
                out.append((pd.Timestamp(post["stored"]).timestamp(), post))
            said: list[dict[str, Any]] = []
            for learner in learners:
                if rng.random() < 0.15:  # some never come
                    continue
                for _ in range(rng.randint(1, per_learner)):
                    epoch = moment()
                    if direction == "many-to-many" and said and rng.random() < 0.5:
                        other = rng.choice([s for s in said if s["actor"] is not learner] or said)
                        if rng.random() < 0.3:
                            s = _statement(
                                rng,
                                actor=learner,
                                verb=VERBS["commented"],
                                obj=_ref(other["id"]),
                                epoch=epoch,
                                registration=reg,
                                grouping=iri,
                                single=single(),
                            )
                        else:
                            s = _statement(
                                rng,
                                actor=learner,
                                verb=VERBS["responded"],
                                obj=_activity(iri, str(act.activity_id), "interaction"),
                                epoch=epoch,
                                registration=reg,
                                reply_to=other["id"],
                            )
                    elif direction in ("many-to-one", "many-to-many") and post is not None:
                        s = _statement(
                            rng,
                            actor=learner,
                            verb=VERBS["answered"],
                            obj=_activity(iri, str(act.activity_id), "interaction"),
                            epoch=epoch,
                            registration=reg,
                            reply_to=post["id"],
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
                            single=single(),
                        )
                    said.append(s)
                    out.append((pd.Timestamp(s["stored"]).timestamp(), s))
                    if rng.random() < voided_share:
                        v = _voiding(rng, s, epoch + 600)
                        out.append((pd.Timestamp(v["stored"]).timestamp(), v))
    out.sort(key=lambda pair: pair[0])
    return [s for _, s in out]


def write_jsonl(
    statements: Iterable[dict[str, Any]],
    path: str | os.PathLike[str],
    *,
    compress: bool | None = None,
) -> Path:
    """Write statements one per line, atomically; gzip-compressed when ``compress`` (by
    default when the name ends in ``.gz``). Returns the path written."""
    path = Path(path)
    if compress is None:
        compress = path.suffix.lower() == ".gz"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic(path) as tmp:
        raw = open(tmp, "wb")  # closed below, after the gzip stream
        stream = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5) if compress else raw
        try:
            batch: list[str] = []
            for statement in statements:
                batch.append(dumps(statement))
                if len(batch) >= 10_000:
                    stream.write(("\n".join(batch) + "\n").encode("utf-8"))
                    batch.clear()
            if batch:
                stream.write(("\n".join(batch) + "\n").encode("utf-8"))
        finally:
            if compress:
                stream.close()
            raw.close()
    return path
