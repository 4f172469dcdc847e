"""Controlled vocabularies of the design data contract and how values are matched.

Matching is case-insensitive and treats spaces, underscores and hyphens alike;
listed synonyms are accepted and replaced by the canonical value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from socialkit.base.frames import per_unique

__all__ = [
    "BOOLEAN",
    "DIRECTIONS",
    "FRICTION",
    "HOSTING",
    "IN_CLASS_REASONS",
    "LEARNING_TYPES",
    "MODES",
    "ONBOARDING",
    "PHASE_ORDER",
    "ROLES",
    "STATUS",
    "TIMINGS",
    "TOOL_TYPES",
    "VOCABULARIES",
    "Vocabulary",
    "match_key",
]


def match_key(values: pd.Series) -> pd.Series:
    """Return the matching key of each value: lower case, runs of space/_/- as one ``-``.

    The work is done once per distinct value, so a long column with few distinct
    spellings (the usual case for vocabulary columns) costs little more than a hash.

    Parameters
    ----------
    values : pandas.Series
        Raw strings (missing values stay missing).

    Returns
    -------
    pandas.Series
        The keys, aligned with ``values``, of dtype ``str``.
    """
    values = values.astype("str")
    if len(values) <= _SHORT:
        return _keys(values).rename(None)
    return per_unique(values, _keys)


#: Up to this many values are keyed directly: finding the distinct values first only pays
#: on longer columns (validation keys a column's distinct values, which are few).
_SHORT = 500


def _keys(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().str.replace(r"[\s_\-]+", "-", regex=True)


def _key(value: str) -> str:
    return re.sub(r"[\s_\-]+", "-", value.strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of canonical values with accepted synonyms.

    Parameters
    ----------
    name : str
        The column the vocabulary governs.
    values : tuple of str
        The canonical values, in their natural order.
    synonyms : dict
        Synonym -> canonical value.
    """

    name: str
    values: tuple[str, ...]
    synonyms: dict[str, str] = field(default_factory=dict)

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Matching key -> canonical value, for canonical values and synonyms."""
        table = {_key(v): v for v in self.values}
        table.update({_key(s): v for s, v in self.synonyms.items()})
        return table

    def expected(self) -> str:
        """Describe the allowed values for an error message."""
        return "one of " + ", ".join(repr(v) for v in self.values)

    def canonical(self, value: str | None) -> str | None:
        """The canonical value of one raw value; ``None`` when blank or not in the vocabulary."""
        if value is None or not isinstance(value, str) or not value.strip():
            return None
        return self.lookup.get(_key(value))

    def normalise(self, values: pd.Series) -> pd.Series:
        """Map raw values to canonical ones; unmatched and missing values become missing."""
        lookup = self.lookup
        if len(values) <= _SHORT:
            return match_key(values).map(lookup).astype("str")
        return per_unique(values.astype("str"), lambda u: match_key(u).map(lookup)).astype("str")


TIMINGS = Vocabulary(
    "timing",
    ("before", "during", "after"),
    {
        "pre": "before",
        "pre-work": "before",
        "pre-class": "before",
        "before-class": "before",
        "in-class": "during",
        "classroom": "during",
        "during-class": "during",
        "live": "during",
        "post": "after",
        "post-class": "after",
        "after-class": "after",
        "follow-up": "after",
    },
)
DIRECTIONS = Vocabulary(
    "direction",
    ("one-to-many", "many-to-one", "many-to-many"),
    {"1:n": "one-to-many", "n:1": "many-to-one", "n:n": "many-to-many"},
)
TOOL_TYPES = Vocabulary(
    "tool_type",
    ("community", "content", "co-creation", "productivity"),
    {"discussion": "community", "curation": "content", "cocreation": "co-creation"},
)
IN_CLASS_REASONS = Vocabulary(
    "in_class_reason",
    ("expert-guidance", "feedback", "skill-practice", "peer-coaching", "reflection"),
    {"coaching": "peer-coaching", "practice": "skill-practice"},
)
LEARNING_TYPES = Vocabulary(
    "learning_type",
    ("acquisition", "inquiry", "practice", "production", "discussion", "collaboration"),
)
HOSTING = Vocabulary("hosting", ("internal", "external"))
ONBOARDING = Vocabulary(
    "onboarding",
    ("none", "single-sign-on", "one-click", "new-account"),
    {"sso": "single-sign-on"},
)
STATUS = Vocabulary("status", ("draft", "review", "final"))
#: How a tool can be used: ``live`` with the group in the room (or the live session),
#: ``own-time`` by each learner when it suits them. An activity during the formal moment
#: needs a live tool; one before or after it needs a tool for the learners' own time.
MODES = Vocabulary(
    "modes",
    ("live", "own-time"),
    {
        "synchronous": "live",
        "sync": "live",
        "real-time": "live",
        "realtime": "live",
        "in-class": "live",
        "asynchronous": "own-time",
        "async": "own-time",
        "self-paced": "own-time",
        "anytime": "own-time",
        "own-pace": "own-time",
    },
)
BOOLEAN = Vocabulary(
    "boolean", ("true", "false"), {"yes": "true", "no": "false", "1": "true", "0": "false"}
)
#: What a person is in one run of a course (the ``people`` table of the delivery data).
ROLES = Vocabulary(
    "role",
    ("learner", "trainer"),
    {
        "student": "learner",
        "participant": "learner",
        "facilitator": "trainer",
        "instructor": "trainer",
        "teacher": "trainer",
        "tutor": "trainer",
    },
)

#: Every vocabulary by the name DATA.md gives it.
VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        TIMINGS,
        DIRECTIONS,
        TOOL_TYPES,
        IN_CLASS_REASONS,
        LEARNING_TYPES,
        HOSTING,
        MODES,
        ONBOARDING,
        STATUS,
        BOOLEAN,
        ROLES,
    )
}

#: Position of each timing in the learner's journey.
PHASE_ORDER: dict[str, int] = {"before": 0, "during": 1, "after": 2}

#: Friction of each onboarding step, rising.
FRICTION: dict[str, int] = {v: i for i, v in enumerate(ONBOARDING.values)}

#: The mode an activity needs at each timing.
MODE_OF_TIMING: dict[str, str] = {"before": "own-time", "during": "live", "after": "own-time"}
