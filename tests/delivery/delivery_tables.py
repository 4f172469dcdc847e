"""Builders of hand-made delivery tables in the canonical shapes: runs, people, activities with
``xapi_ids``, and statements as the reader gives them (``frame`` and ``activity_ids``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

REG1 = "0b5c1e9a-1111-4a4a-9a9a-000000000001"
REG2 = "0b5c1e9a-2222-4a4a-9a9a-000000000002"
TINA, ANN, BOB, CY, DEE = (f"mailto:{n}@example.org" for n in ("tina", "ann", "bob", "cy", "dee"))
VIEWED = "http://id.tincanapi.com/verb/viewed"
COMMENTED = "http://adlnet.gov/expapi/verbs/commented"
POSTED = "https://w3id.org/xapi/dod-isd/verbs/posted"
BRIEF, FORUM = "https://lms.example.org/brief", "https://lms.example.org/forum"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def make_runs(*rows: tuple[str, str, str, str, str | None]) -> pd.DataFrame:
    """(course_id, run_id, starts, ends, registration) per run; times with an offset."""
    frame = pd.DataFrame(rows, columns=["course_id", "run_id", "starts", "ends", "registration"])
    frame["starts"] = frame["starts"].map(utc).astype("datetime64[ns, UTC]")
    frame["ends"] = frame["ends"].map(utc).astype("datetime64[ns, UTC]")
    frame["timezone"] = "UTC"
    frame["registration"] = (
        frame["registration"].astype(object).where(frame["registration"].notna(), None)
    )
    frame["row"] = range(2, len(frame) + 2)
    return frame


def make_people(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """(course_id, run_id, person, role) per row."""
    frame = pd.DataFrame(rows, columns=["course_id", "run_id", "person", "role"])
    frame["row"] = range(2, len(frame) + 2)
    return frame


def make_activities(*rows: dict[str, Any]) -> pd.DataFrame:
    """One dict per activity: course_id, activity_id, title, timing, direction, tool,
    xapi_ids (a tuple); seq in order of the rows of a course unless given."""
    base = {"timing": None, "direction": None, "tool": None, "xapi_ids": ()}
    frame = pd.DataFrame([base | r for r in rows])
    if "seq" not in frame:
        frame["seq"] = frame.groupby("course_id").cumcount() + 1
    if "title" not in frame:
        frame["title"] = frame["activity_id"].str.title()
    for column in ("timing", "direction", "tool"):
        frame[column] = frame[column].astype("str")  # missing stays missing
    frame["row"] = range(2, len(frame) + 2)
    return frame


def make_statements(
    *rows: dict[str, Any], read: int | None = None, skipped: dict[str, int] | None = None
) -> SimpleNamespace:
    """Statements as the reader gives them. Each dict: actor, time (with an offset), and
    optionally id, verb (default viewed), object_id, parents (list of IRIs: parent and
    grouping), ref, registration. ``ref_actor`` is the actor of the statement ``ref``
    names, when it is among the rows."""
    base = {
        "id": None,
        "verb": VIEWED,
        "object_id": None,
        "parents": [],
        "ref": None,
        "registration": None,
    }
    full = [base | r for r in rows]
    frame = pd.DataFrame(
        {
            "id": pd.Series([r["id"] for r in full], dtype=object),
            "actor": [r["actor"] for r in full],
            "verb": [r["verb"] for r in full],
            "object_id": pd.Series([r["object_id"] for r in full], dtype=object),
            "ref": pd.Series([r["ref"] for r in full], dtype=object),
            "registration": pd.Series([r["registration"] for r in full], dtype=object),
            "time": pd.Series([utc(r["time"]) for r in full], dtype="datetime64[ns, UTC]"),
            "file": pd.Categorical(["s.jsonl"] * len(full)),
            "line": range(1, len(full) + 1),
        }
    )
    actors = {r["id"]: r["actor"] for r in full if r["id"]}
    frame["ref_actor"] = pd.Series([actors.get(r["ref"]) for r in full], dtype=object)
    ids = [(i, iri) for i, r in enumerate(full) for iri in [r["object_id"], *r["parents"]] if iri]
    activity_ids = pd.DataFrame(ids, columns=["stmt", "activity"]).astype({"stmt": "int64"})
    skipped = dict(skipped or {})
    return SimpleNamespace(
        frame=frame,
        activity_ids=activity_ids,
        read=len(full) + sum(skipped.values()) if read is None else read,
        skipped=skipped,
    )


def make_portfolio(
    activities: pd.DataFrame, runs: pd.DataFrame, people: pd.DataFrame
) -> SimpleNamespace:
    return SimpleNamespace(activities=activities, runs=runs, people=people)
