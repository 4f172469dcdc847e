"""The sample portfolio's delivery story: who did which activity when, as a small table.

The bundled sample (``data/``) holds five runs. Their statements are not written by hand:
:func:`sample_delivery` makes them from the portfolio's ``runs``, ``people`` and
``activities`` (its ``xapi_ids``) and the declarative table :data:`SCENARIO`, with a fixed
seed, so the same tables always give the same files, byte for byte. Regenerate them with::

    python -m socialkit.delivery.scenario data

Each row of :data:`SCENARIO` says, for one activity of one run:

* ``done``: the share of the run's learners who leave at least one statement on it (the
  participants: ``int(done * learners + 0.5)`` of them, picked at random);
* ``before``, ``after``: the shares of those participants whose first statement falls
  before the formal moment starts or after it ends (``int(share * participants + 0.5)``
  each); the others first engage during it;
* ``talk``: how the statements address each other:

  - ``"consume"``: learners view what is provided (``one-to-many``);
  - ``"submit"``: learners answer questions of a form (``many-to-one``; the object is a
    question whose ``contextActivities`` parent is the activity);
  - ``"peers"``: the trainer opens a thread; the first learner posts, every later
    statement answers an earlier statement of another learner (``many-to-many``);
  - ``"trainer"``: the trainer asks; learners only answer the trainer and the trainer
    answers some of them back (``many-to-one``; no learner answers another);

* ``voided``: extra statements by participants that are voided afterwards (each with its
  voiding statement); they count for nothing.

Activities of a run without a row leave no statements. Times: before = 6 hours to 6 days
before ``starts``; during = between 35 % and 70 % of the way from ``starts`` to ``ends``;
after = 2 hours to 7 days after ``ends``; a participant's second statement (one in two
make one) comes 10 minutes to 2 hours after the first. Timestamps carry the run's local
offset; ``stored`` is a few seconds later, in UTC.
"""

from __future__ import annotations

import random
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from socialkit.delivery.synth import write_jsonl
from socialkit.errors import SocialkitError

__all__ = [
    "SCENARIO",
    "SEED",
    "TALKS",
    "Plan",
    "ScenarioError",
    "sample_delivery",
    "write_sample_delivery",
]

#: The seed of the bundled sample's statements.
SEED = 15

_ADL = "http://adlnet.gov/expapi/verbs/"
_VERBS = {
    "experienced": _ADL + "experienced",
    "viewed": "http://id.tincanapi.com/verb/viewed",
    "answered": _ADL + "answered",
    "commented": _ADL + "commented",
    "responded": _ADL + "responded",
    "shared": _ADL + "shared",
    "voided": _ADL + "voided",
}


#: How the statements of an activity address each other (see the module's docstring).
TALKS = ("consume", "submit", "peers", "trainer")


class ScenarioError(SocialkitError, ValueError):
    """A row of a delivery scenario that cannot be played."""


@dataclass(frozen=True)
class Plan:
    """What happened to one activity in one run (see the module's docstring).

    Raises
    ------
    ScenarioError
        When a share is outside 0-1, ``before`` and ``after`` add up to more than 1,
        ``talk`` is not one of :data:`TALKS` or ``voided`` is negative.
    """

    course_id: str
    run_id: str
    activity_id: str
    done: float
    before: float = 0.0
    after: float = 0.0
    talk: str = "consume"
    voided: int = 0

    def __post_init__(self) -> None:
        where = f"scenario row {self.course_id!r}, {self.run_id!r}, {self.activity_id!r}"
        problems = [
            f"{name} {getattr(self, name)!r} is not a share between 0 and 1"
            for name in ("done", "before", "after")
            if not 0.0 <= getattr(self, name) <= 1.0
        ]
        if self.before + self.after > 1.0 + 1e-9:
            problems.append(f"before {self.before!r} and after {self.after!r} add up to over 1")
        if self.talk not in TALKS:
            problems.append(f"talk {self.talk!r} is not one of {', '.join(TALKS)}")
        if self.voided < 0:
            problems.append(f"voided {self.voided!r} is below 0")
        if problems:
            raise ScenarioError(f"{where}: {'; '.join(problems)}")


_BXL, _SG = "2026-03-brussels", "2026-04-singapore"
_WARD, _LAB, _WEB = "2026-03-ward-b", "2026-04-lab", "2026-05-webinar"

#: The sample's delivery story, run by run.
SCENARIO: tuple[Plan, ...] = (
    # it-risk in Brussels: everything went to plan
    Plan("it-risk", _BXL, "A1", done=1.0, before=1.0),
    Plan("it-risk", _BXL, "A2", done=0.9, before=1.0, talk="peers", voided=1),
    Plan("it-risk", _BXL, "A3", done=0.8, before=0.875, talk="peers"),
    Plan("it-risk", _BXL, "A5", done=1.0, talk="submit"),
    Plan("it-risk", _BXL, "A6", done=0.8, after=1.0, talk="peers"),
    # it-risk in Singapore: most learners first opened the pre-work in class
    Plan("it-risk", _SG, "A1", done=1.0, before=0.25),
    Plan("it-risk", _SG, "A2", done=0.75, before=1 / 3, talk="peers"),
    Plan("it-risk", _SG, "A3", done=0.5, before=0.5, talk="peers", voided=1),
    Plan("it-risk", _SG, "A5", done=1.0, talk="submit"),
    Plan("it-risk", _SG, "A6", done=0.75, after=1.0, talk="peers"),
    # gdpr-basics: the questions community where only the DPO is answered
    Plan("gdpr-basics", _WARD, "A1", done=1.0, before=1.0),
    Plan("gdpr-basics", _WARD, "A2", done=0.875, before=1.0, talk="submit"),
    Plan("gdpr-basics", _WARD, "A5", done=0.75, after=1.0, talk="trainer", voided=1),
    Plan("gdpr-basics", _WARD, "A6", done=0.625, after=1.0, talk="submit"),
    # coaching-skills: the Mentimeter vote (A2) leaves no statements it could be told by
    Plan("coaching-skills", _LAB, "A1", done=1.0, before=1.0),
    Plan("coaching-skills", _LAB, "A5", done=5 / 6, after=1.0, talk="submit"),
    Plan("coaching-skills", _LAB, "A6", done=4 / 6, after=1.0, talk="peers"),
    # compliance-abc: nobody registered the test gift (A4)
    Plan("compliance-abc", _WEB, "A1", done=0.8, before=1.0),
    Plan("compliance-abc", _WEB, "A3", done=0.6, before=5 / 6),
    Plan("compliance-abc", _WEB, "A4", done=0.0),
    Plan("compliance-abc", _WEB, "A5", done=0.4, after=1.0, talk="peers", voided=1),
)


def _half_up(x: float) -> int:
    return int(x + 0.5 + 1e-9)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _agent(person: str) -> dict[str, Any]:
    if person.startswith("account:"):
        home, name = person[len("account:") :].split("::", 1)
        return {"objectType": "Agent", "account": {"homePage": home, "name": name}}
    return {"objectType": "Agent", "mbox": person}


class _Writer:
    """Statements of one run, each stamped in the run's time zone."""

    def __init__(self, rng: random.Random, zone: str, registration: str | None) -> None:
        self.rng, self.zone, self.registration = rng, ZoneInfo(zone), registration
        self.out: list[tuple[float, dict[str, Any]]] = []

    def add(
        self,
        person: str,
        verb: str,
        object_id: str,
        epoch: float,
        *,
        parent: str | None = None,
        grouping: str | None = None,
        ref: str | None = None,
        statement_ref: bool = False,
    ) -> dict[str, Any]:
        rng = self.rng
        obj: dict[str, Any] = (
            {"objectType": "StatementRef", "id": object_id}
            if statement_ref
            else {"objectType": "Activity", "id": object_id}
        )
        context: dict[str, Any] = {}
        if self.registration:
            context["registration"] = self.registration
        if parent:
            context["contextActivities"] = {"parent": [{"id": parent}]}
        if grouping:
            context["contextActivities"] = {"grouping": [{"id": grouping}]}
        if ref:
            context["statement"] = {"objectType": "StatementRef", "id": ref}
        epoch = float(int(epoch))
        stored = epoch + rng.randint(1, 30) + rng.randint(0, 999) / 1000
        statement: dict[str, Any] = {
            "id": _uuid(rng),
            "actor": _agent(person),
            "verb": {"id": _VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
        }
        if context:
            statement["context"] = context
        statement["timestamp"] = datetime.fromtimestamp(epoch, self.zone).isoformat()
        statement["stored"] = (
            datetime.fromtimestamp(stored, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
        )
        statement["version"] = "1.0.3"
        self.out.append((stored, statement))
        return statement


def _first_times(
    rng: random.Random, phases: Sequence[str], starts: float, ends: float
) -> list[float]:
    times = []
    for phase in phases:
        if phase == "before":
            times.append(starts - rng.uniform(6 * 3600, 6 * 86400))
        elif phase == "after":
            times.append(ends + rng.uniform(2 * 3600, 7 * 86400))
        else:
            times.append(starts + rng.uniform(0.35, 0.7) * (ends - starts))
    return times


def _activity(
    w: _Writer,
    plan: Plan,
    ids: tuple[str, ...],
    learners: list[str],
    trainer: str | None,
    starts: float,
    ends: float,
) -> None:
    rng = w.rng
    chosen = list(learners)
    rng.shuffle(chosen)
    chosen = chosen[: _half_up(plan.done * len(learners))]
    n_before = _half_up(plan.before * len(chosen))
    n_after = _half_up(plan.after * len(chosen))
    phases = ["before"] * n_before + ["during"] * (len(chosen) - n_before - n_after)
    phases += ["after"] * n_after
    firsts = _first_times(rng, phases, starts, ends)
    moments = []  # (time, learner)
    for person, first in zip(chosen, firsts, strict=True):
        moments.append((first, person))
        if rng.random() < 0.5:
            moments.append((first + rng.uniform(600, 7200), person))
    moments.sort()
    if not moments:
        return
    content, thread = ids[0], ids[-1]
    opening = None
    if plan.talk in ("peers", "trainer") and trainer is not None:
        opening = w.add(trainer, "shared", thread, moments[0][0] - 3600)
    said: list[dict[str, Any]] = []
    for epoch, person in moments:
        if plan.talk == "consume":
            s = w.add(person, rng.choice(("experienced", "viewed")), content, epoch)
        elif plan.talk == "submit":
            question = f"{content}/question-{rng.randint(1, 3)}"
            s = w.add(person, "answered", question, epoch, parent=content)
        elif plan.talk == "peers":
            others = [x for x in said if x["actor"] != _agent(person)]
            if not others:
                s = w.add(person, "commented", thread, epoch)
            elif rng.random() < 0.25:  # a comment on the other's post itself
                target = rng.choice(others)["id"]
                s = w.add(person, "commented", target, epoch, grouping=thread, statement_ref=True)
            else:
                s = w.add(person, "responded", thread, epoch, ref=rng.choice(others)["id"])
        else:  # "trainer": learners answer the trainer's question only
            to = opening["id"] if opening is not None else None
            s = w.add(person, "responded", thread, epoch, ref=to)
            if trainer is not None and rng.random() < 0.4:
                w.add(trainer, "responded", thread, epoch + rng.uniform(600, 3600), ref=s["id"])
        said.append(s)
    for epoch, person in rng.sample(moments, min(plan.voided, len(moments))):
        extra = w.add(person, "commented", thread, epoch + 300)
        w.add(person, "voided", extra["id"], epoch + 900, statement_ref=True)


def _table(portfolio: Any, name: str) -> pd.DataFrame:
    return getattr(portfolio, name)


def sample_delivery(
    portfolio: Any, *, scenario: Sequence[Plan] = SCENARIO, seed: int = SEED
) -> dict[str, list[dict[str, Any]]]:
    """The statements of a portfolio's runs as ``scenario`` tells them, per course.

    Parameters
    ----------
    portfolio : Portfolio
        A portfolio with ``runs``, ``people`` and the activities' ``xapi_ids`` (canonical
        tables, as :func:`socialkit.load_portfolio` returns them).
    scenario : sequence of Plan, default :data:`SCENARIO`
        What happened per run and activity. A row whose run or activity the portfolio
        lacks, or whose activity has no ``xapi_ids``, is left out.
    seed : int, default :data:`SEED`
        The same seed and tables give the same statements.

    Returns
    -------
    dict of str to list of dict
        Per course (in the order of its first row in ``scenario``), its statements in the
        order an LRS would have stored them.
    """
    rng = random.Random(seed)
    runs = _table(portfolio, "runs").set_index(["course_id", "run_id"])
    people = _table(portfolio, "people")
    acts = _table(portfolio, "activities").set_index(["course_id", "activity_id"])
    writers: dict[tuple[str, str], _Writer] = {}
    for plan in scenario:  # a handful of rows
        key = (plan.course_id, plan.run_id)
        if key not in runs.index or (plan.course_id, plan.activity_id) not in acts.index:
            continue
        ids = tuple(acts.loc[(plan.course_id, plan.activity_id), "xapi_ids"])
        if not ids:
            continue
        run = runs.loc[key]
        if key not in writers:
            reg = run["registration"] if isinstance(run["registration"], str) else None
            writers[key] = _Writer(rng, str(run["timezone"]), reg)
        here = people[(people["course_id"] == key[0]) & (people["run_id"] == key[1])]
        learners = here.loc[here["role"] == "learner", "person"].tolist()
        trainers = here.loc[here["role"] == "trainer", "person"].tolist()
        _activity(
            writers[key],
            plan,
            ids,
            learners,
            trainers[0] if trainers else None,
            pd.Timestamp(run["starts"]).timestamp(),
            pd.Timestamp(run["ends"]).timestamp(),
        )
    courses: dict[str, list[tuple[float, dict[str, Any]]]] = {}
    for (course, _run), writer in writers.items():
        courses.setdefault(course, []).extend(writer.out)
    return {
        course: [s for _, s in sorted(pairs, key=lambda pair: pair[0])]
        for course, pairs in courses.items()
    }


def write_sample_delivery(
    folder: str | Path, *, scenario: Sequence[Plan] = SCENARIO, seed: int = SEED
) -> list[Path]:
    """Write :func:`sample_delivery`'s statements of the portfolio in ``folder`` to
    ``folder/statements/<course_id>.jsonl`` (atomically) and return the paths written."""
    from socialkit.contract.io import load_portfolio

    folder = Path(folder)
    portfolio = load_portfolio(folder)
    out = folder / "statements"
    out.mkdir(exist_ok=True)
    written = []
    for course, statements in sample_delivery(portfolio, scenario=scenario, seed=seed).items():
        written.append(write_jsonl(statements, out / f"{course}.jsonl"))
    return written


if __name__ == "__main__":  # pragma: no cover - the documented one-liner
    for path in write_sample_delivery(sys.argv[1] if len(sys.argv) > 1 else "data"):
        print(path)
