"""Vocabulary matching, checked against the table of DATA.md (typed out by hand below)."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.contract.vocab import VOCABULARIES, match_key

#: DATA.md's vocabulary table: column -> (canonical values, {synonym: canonical}).
CONTRACT: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "timing": (
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
    ),
    "direction": (
        ("one-to-many", "many-to-one", "many-to-many"),
        {"1:n": "one-to-many", "n:1": "many-to-one", "n:n": "many-to-many"},
    ),
    "tool_type": (
        ("community", "content", "co-creation", "productivity"),
        {"discussion": "community", "curation": "content", "cocreation": "co-creation"},
    ),
    "in_class_reason": (
        ("expert-guidance", "feedback", "skill-practice", "peer-coaching", "reflection"),
        {"coaching": "peer-coaching", "practice": "skill-practice"},
    ),
    "learning_type": (
        ("acquisition", "inquiry", "practice", "production", "discussion", "collaboration"),
        {},
    ),
    "hosting": (("internal", "external"), {}),
    "onboarding": (
        ("none", "single-sign-on", "one-click", "new-account"),
        {"sso": "single-sign-on"},
    ),
    "status": (("draft", "review", "final"), {}),
    "role": (
        ("learner", "trainer"),
        {
            "student": "learner",
            "participant": "learner",
            "facilitator": "trainer",
            "instructor": "trainer",
            "teacher": "trainer",
            "tutor": "trainer",
        },
    ),
}

SYNONYMS = [
    pytest.param(col, syn, canon, id=f"{col}:{syn}")
    for col, (_, syns) in CONTRACT.items()
    for syn, canon in syns.items()
]
CANONICAL = [
    pytest.param(col, v, id=f"{col}:{v}") for col, (values, _) in CONTRACT.items() for v in values
]


def norm(column: str, *values: str | None) -> list:
    """Normalise raw values with the vocabulary of ``column``; missing as ``None``."""
    out = VOCABULARIES[column].normalise(pd.Series(list(values), dtype="str"))
    return [None if pd.isna(v) else v for v in out.tolist()]


def test_every_contract_vocabulary_is_defined_with_its_values_in_order() -> None:
    for column, (values, _) in CONTRACT.items():
        assert VOCABULARIES[column].values == values, column


@pytest.mark.parametrize(("column", "synonym", "canonical"), SYNONYMS)
def test_every_synonym_of_data_md_maps_to_its_canonical_value(
    column: str, synonym: str, canonical: str
) -> None:
    assert norm(column, synonym) == [canonical]


@pytest.mark.parametrize(("column", "synonym", "canonical"), SYNONYMS)
def test_synonyms_match_in_any_case_and_separator(
    column: str, synonym: str, canonical: str
) -> None:
    variants = [synonym.upper(), synonym.title(), synonym.replace("-", " "), f"  {synonym}  "]
    variants += [synonym.replace("-", "_")]
    assert norm(column, *variants) == [canonical] * len(variants)


@pytest.mark.parametrize(("column", "value"), CANONICAL)
def test_every_canonical_value_maps_to_itself(column: str, value: str) -> None:
    assert norm(column, value, value.upper()) == [value, value]


@pytest.mark.parametrize(
    "raw",
    [
        "many-to-many",
        "Many to Many",
        "many_to_many",
        "MANY-TO-MANY",
        "many  to__many",
        " Many-To_many ",
        "n:n",
        "N:N",
    ],
)
def test_direction_spellings_are_one_value(raw: str) -> None:
    assert norm("direction", raw) == ["many-to-many"]


def test_spaces_underscores_and_hyphens_alike_in_multiword_values() -> None:
    assert (
        norm("in_class_reason", "Peer Coaching", "peer_coaching", "PEER-COACHING")
        == ["peer-coaching"] * 3
    )
    assert norm("onboarding", "Single Sign On", "single_sign_on", "SSO", "One Click") == [
        "single-sign-on",
        "single-sign-on",
        "single-sign-on",
        "one-click",
    ]
    assert norm("timing", "Pre Work", "FOLLOW_UP", "Before Class") == ["before", "after", "before"]


@pytest.mark.parametrize(
    ("column", "raw"),
    [
        ("timing", "soon"),
        ("timing", "beforehand"),
        ("timing", "pre-pre"),
        ("direction", "one-to-one"),
        ("direction", "sideways"),
        ("direction", "manytomany"),
        ("tool_type", "social"),
        ("in_class_reason", "fun"),
        ("learning_type", "lecture"),
        ("hosting", "cloud"),
        ("onboarding", "email"),
        ("status", "done"),
    ],
)
def test_unknown_values_become_missing(column: str, raw: str) -> None:
    assert norm(column, raw) == [None]


def test_missing_and_blank_values_stay_missing() -> None:
    assert norm("timing", None, "before", None) == [None, "before", None]
    assert norm("timing", "", "   ") == [None, None]


def test_synonyms_of_one_vocabulary_do_not_leak_into_another() -> None:
    # 'practice' is a learning_type value and an in_class_reason synonym
    assert norm("learning_type", "practice") == ["practice"]
    assert norm("in_class_reason", "practice") == ["skill-practice"]
    # 'discussion' is a learning_type value and a tool_type synonym
    assert norm("learning_type", "discussion") == ["discussion"]
    assert norm("tool_type", "discussion") == ["community"]
    # 'sso' belongs to onboarding only
    assert norm("hosting", "sso") == [None]


def test_normalise_keeps_the_index() -> None:
    s = pd.Series(["pre", "live", "post"], index=[7, 3, 9], dtype="str")
    out = VOCABULARIES["timing"].normalise(s)
    assert out.index.tolist() == [7, 3, 9]
    assert out.tolist() == ["before", "during", "after"]


def test_match_key_lowercases_and_joins_separators() -> None:
    s = pd.Series(["Many to Many", "many_to_many", "MANY-TO-MANY", " a _-  b ", None], dtype="str")
    keys = match_key(s).tolist()
    assert keys[:4] == ["many-to-many", "many-to-many", "many-to-many", "a-b"]
    assert pd.isna(keys[4])


def test_expected_lists_every_allowed_value() -> None:
    for column, (values, _) in CONTRACT.items():
        text = VOCABULARIES[column].expected()
        for v in values:
            assert repr(v) in text, (column, v)


def test_roles_match_in_any_case_and_spacing() -> None:
    assert norm("role", " Student ", "TUTOR", "Learner", "co-trainer", None) == [
        "learner",
        "trainer",
        "learner",
        None,
        None,
    ]
