"""The words of tool advice: each recommendation's reasons and what a switch would gain.

Every sentence says only what is true for the organisation at hand, in the order of the
method's priorities: fit, availability, the firewall, the effort to start, hosting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialkit.analysis.catalog import AVAIL_RANK, NO_FRICTION
from socialkit.contract.schema import DEFAULT_ORGANISATION
from socialkit.contract.vocab import MODE_OF_TIMING

__all__ = [
    "EFFORT_SHORT",
    "EFFORT_WORDS",
    "MODE_WORDS",
    "advantage",
    "missing",
    "no",
    "organisation_words",
    "reasons",
]


def organisation_words(organisation: pd.Series) -> pd.Series:
    """The organisation as sentences name it; the fallback context as what it is."""
    return organisation.where(
        organisation.ne(DEFAULT_ORGANISATION), "the course's organisation (none is named)"
    )


MODE_WORDS = {"live": "live in class", "own-time": "on learners' own time"}
EFFORT_WORDS = {
    "none": "learners need no sign-up",
    "single-sign-on": "learners sign in with their work account",
    "one-click": "learners join in one click, with no profile to create",
    "new-account": "learners must create a new account",
}


def reasons(
    cand: pd.DataFrame,
    mode: pd.Series,
    dir_open: np.ndarray,
    mode_open: np.ndarray,
    prefers: np.ndarray,
    internal: np.ndarray,
    blocking: set[str],
) -> list[str]:
    """Each candidate's reasons in the method's order, ``"; "``-joined: what it fits, how
    available it is, the firewall, the effort to start, the hosting preference."""
    org = organisation_words(cand["organisation"]).tolist()
    direction = cand["direction"].tolist()
    modes = mode.tolist()
    availability = cand["availability"].tolist()
    onboarding = cand["onboarding"].tolist()
    suite = cand["suite"].tolist()
    hosting = cand["hosting"].tolist()
    blocks = cand["organisation"].isin(blocking).tolist()
    out = []
    kinds = cand["tool_type"].tolist()
    made_for = cand["primary"].eq(cand["tool_type"]).to_numpy(dtype=bool, na_value=False)
    for i, (kind, d, m) in enumerate(zip(kinds, direction, modes, strict=True)):
        fit = f"made for {kind}" if made_for[i] else f"serves {kind}"
        if isinstance(d, str):
            fit += f", {d}" if not dir_open[i] else f" (whether it supports {d} is not known)"
        if isinstance(m, str):
            words = MODE_WORDS[m]
            fit += f", {words}" if not mode_open[i] else f" (whether it works {words} is not known)"
        parts = [fit]
        a = availability[i]
        if a == "available":
            parts.append(f"already available at {org[i]}")
        elif a == "in-suite":
            parts.append(f"part of {suite[i]}, which {org[i]} uses")
        elif a == "external" and not isinstance(hosting[i], str):
            parts.append(
                f"not among {org[i]}'s platforms; the catalog does not say where it is hosted"
            )
        elif a == "external":
            parts.append("external: learners can reach it themselves")
        else:
            parts.append(
                f"internal, but {org[i]} does not have it: it would first have to be introduced"
            )
        if blocks[i]:
            parts.append(f"not blocked by {org[i]}'s firewall")
        if a in ("available", "in-suite"):
            parts.append("learners already have access")
        elif isinstance(onboarding[i], str):
            effort = EFFORT_WORDS[onboarding[i]]
            parts.append(f"then {effort}" if a == "to-introduce" else effort)
        else:
            parts.append("what learners must do to start is not known")
        if prefers[i] and a != "to-introduce" and isinstance(hosting[i], str):
            parts.append(
                f"internal, as {org[i]} prefers"
                if internal[i]
                else f"external, while {org[i]} prefers internal tools"
            )
        out.append("; ".join(parts))
    return out


def missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def no(value: object) -> bool:
    return not missing(value) and not bool(value)


def advantage(mine: dict, need: pd.Series, c: pd.Series, t: str, org: str, prefers: bool):
    """What a candidate ``c`` ranked above the chosen tool ``t`` (facts ``mine``) has that
    ``t`` lacks for the activity's ``need`` (tool type, direction, timing), priorities in
    order; None when nothing."""
    parts = []
    if not mine["known"]:
        return f"in the tool catalog, so its fit can be checked, unlike {t}"
    if no(mine["serves_type"]):
        parts.append(f"serves {need['tool_type']}, which {t} does not")
    elif missing(mine["serves_type"]):
        parts.append(f"serves {need['tool_type']}; the catalog does not say {t} does")
    if no(mine["serves_direction"]):
        parts.append(f"supports {need['direction']}, which {t} does not")
    elif (
        not c["_dir_open"] and missing(mine["serves_direction"]) and not missing(need["direction"])
    ):
        parts.append(f"known to support {need['direction']}; the catalog does not say {t} does")
    words = MODE_WORDS.get(MODE_OF_TIMING.get(need["timing"]))
    if no(mine["serves_timing"]):
        parts.append(f"works {words}, which {t} does not")
    elif not c["_mode_open"] and missing(mine["serves_timing"]) and words:
        parts.append(f"known to work {words}; the catalog does not say {t} does")
    if bool(mine["blocked"]):
        parts.append(f"not blocked, while {org}'s firewall blocks {t}")
    mine_rank = AVAIL_RANK.get(mine["availability"], len(AVAIL_RANK))
    theirs = c["availability"]
    if AVAIL_RANK[theirs] < mine_rank:
        if theirs == "available":
            parts.append(f"already available at {org}, unlike {t}")
        elif theirs == "in-suite":
            parts.append(f"part of {c['suite']}, which {org} uses, unlike {t}")
        else:
            parts.append(
                f"learners can reach it now, while {org} would first have to introduce {t}"
            )
    mine_f = NO_FRICTION if missing(mine["friction"]) else int(mine["friction"])
    their_f = NO_FRICTION if missing(c["friction"]) else int(c["friction"])
    if their_f < mine_f:
        step = EFFORT_SHORT.get(mine["onboarding"], "an unknown step")
        parts.append(f"easier to start ({EFFORT_SHORT[c['onboarding']]} instead of {step} for {t})")
    if prefers and c["hosting"] == "internal" and mine["hosting"] != "internal":
        parts.append(f"internal, as {org} prefers, unlike {t}")
    return "; ".join(parts) if parts else None


EFFORT_SHORT = {
    "none": "nothing to sign up for",
    "single-sign-on": "the work account",
    "one-click": "one click",
    "new-account": "a new account",
}
