"""The rules of a pull that need no LRS: addresses, options, credentials, the folder's state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialkit.delivery.lrs import STATE_NAME, pull, statements_url
from socialkit.errors import LrsAuthError, LrsError

USER, PASSWORD = "analyst", "s3cret-pass-word"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("SOCIALKIT_LRS_USERNAME", USER)
    monkeypatch.setenv("SOCIALKIT_LRS_PASSWORD", PASSWORD)


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("https://lrs.example.org", "https://lrs.example.org/xAPI/statements"),
        ("https://lrs.example.org/", "https://lrs.example.org/xAPI/statements"),
        ("https://lrs.example.org/xAPI", "https://lrs.example.org/xAPI/statements"),
        ("https://lrs.example.org/xAPI/", "https://lrs.example.org/xAPI/statements"),
        ("HTTP://h:8100/data/xAPI/statements/", "http://h:8100/data/xAPI/statements"),
        ("http://h/xapi/statements?limit=3#x", "http://h/xapi/statements"),
    ],
)
def test_the_statements_endpoint_of_an_address(url: str, endpoint: str) -> None:
    assert statements_url(url) == endpoint


@pytest.mark.parametrize("url", ["lrs.example.org/xAPI", "ftp://h/xAPI", "http:///xAPI"])
def test_an_address_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(LrsError, match=r"is not the address of an LRS: expected http"):
        statements_url(url)


def test_bad_options_are_refused_before_any_request(tmp_path: Path, credentials: None) -> None:
    with pytest.raises(LrsError, match=r"^page size 0 is not a whole number >= 1$"):
        pull("http://127.0.0.1:9/xAPI", tmp_path, page_size=0)
    with pytest.raises(LrsError, match=r"^since 'yesterday' is not an ISO 8601 time"):
        pull("http://127.0.0.1:9/xAPI", tmp_path, since="yesterday")


def test_half_the_credentials_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALKIT_LRS_USERNAME", USER)
    monkeypatch.delenv("SOCIALKIT_LRS_PASSWORD", raising=False)
    with pytest.raises(LrsAuthError, match=r"^SOCIALKIT_LRS_PASSWORD is not set: set both"):
        pull("http://127.0.0.1:9/xAPI", tmp_path)


def test_a_folder_keeps_to_one_lrs_and_since_is_for_a_first_pull(
    tmp_path: Path, credentials: None
) -> None:
    state = {"url": "http://a.example/xAPI/statements", "stored": None, "ids": {}}
    (tmp_path / STATE_NAME).write_text(json.dumps({**state, "more": None, "next_page": 1}))
    with pytest.raises(LrsError, match=r"holds statements pulled from 'http://a\.example/xAPI/"):
        pull("http://b.example/xAPI", tmp_path)
    with pytest.raises(LrsError, match=r"holds a pull already, which goes on from where it"):
        pull("http://a.example/xAPI/", tmp_path, since="2026-01-01T00:00:00Z")
    (tmp_path / STATE_NAME).write_text("{")
    with pytest.raises(LrsError, match=r"cannot be read .*; pull into a new folder$"):
        pull("http://a.example/xAPI/", tmp_path)


def test_an_out_folder_under_a_file_is_refused_with_one_message(
    tmp_path: Path, credentials: None
) -> None:
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(LrsError, match=r"^cannot make the folder '.*notes.txt.sub' to pull into: "):
        pull("http://127.0.0.1:9/xAPI", tmp_path / "notes.txt" / "sub")
