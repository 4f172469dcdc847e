"""One key for a person, whether written in ``people`` or carried by a statement's actor."""

from __future__ import annotations

import pandas as pd
import pytest

from socialkit.contract.people import actor_keys, person_key, person_keys


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("mailto:Ann@X.org",), "mailto:ann@x.org"),
        (("MAILTO: Ann@X.org ",), "mailto:ann@x.org"),
        (("ann@x.org",), "mailto:ann@x.org"),
        ((None, " https://lms.example.org ", " Ab7 "), "account:https://lms.example.org::Ab7"),
        (("mailto:a@x.org", "https://lms.example.org", "Ab7"), "mailto:a@x.org"),
        ((" ", "https://lms.example.org", "Ab7"), "account:https://lms.example.org::Ab7"),
        ((None, "https://lms.example.org", " "), None),
        ((None, None, "Ab7"), None),
        ((), None),
    ],
)
def test_person_key(args: tuple, key: str | None) -> None:
    assert person_key(*args) == key


def test_actor_keys_match_person_key_row_by_row() -> None:
    mbox = pd.Series(["mailto:Ann@X.org", None, None, "", None])
    home = pd.Series([None, "https://lms.example.org ", "https://h.org", "https://h.org", None])
    name = pd.Series([None, " Ab7", None, "Z", None])
    got = actor_keys(mbox, home, name)
    assert got.tolist() == [
        "mailto:ann@x.org",
        "account:https://lms.example.org::Ab7",
        None,
        "account:https://h.org::Z",
        None,
    ]
    assert got.tolist() == [person_key(*row) for row in zip(mbox, home, name, strict=True)]
    assert actor_keys(mbox=mbox).tolist()[:2] == ["mailto:ann@x.org", None]
    with pytest.raises(ValueError, match="needs at least one of mbox"):
        actor_keys()


def test_person_keys_of_the_people_table_agree_with_actor_keys() -> None:
    people = pd.Series(
        ["MAILTO:Ann@X.org", "account:https://lms.example.org::Ab7", "account:https://h.org:: Z "]
    )
    assert person_keys(people).tolist() == [
        "mailto:ann@x.org",
        "account:https://lms.example.org::Ab7",
        "account:https://h.org::Z",
    ]
    assert person_keys(people).tolist() == [
        person_key("mailto:Ann@X.org"),
        person_key(None, "https://lms.example.org", "Ab7"),
        person_key(None, "https://h.org", " Z "),
    ]
