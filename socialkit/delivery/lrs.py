"""Pulling statements from a Learning Record Store (xAPI ``GET /statements``) into files.

A pull asks the LRS for its statements in the order they were stored (``ascending=true``),
a page at a time, and follows each page's ``more`` link. Every page is written as its own
JSON Lines file, ``statements-000001.jsonl``, ``statements-000002.jsonl``..., which the
statements reader reads like any other; then a small state file in the same folder
(``.socialkit-pull.state``, JSON) records how far the pull went. Both are written
atomically, the state only once its page is in place: a pull cut off at any moment keeps
every page written, and the next pull into the same folder goes on from there, with
neither duplicates nor gaps.

How a pull resumes
    The state holds the last ``stored`` time seen, the ids of the statements stored
    within :data:`BOUNDARY` of it, and, when the pull stopped before the end, the
    ``more`` link it was about to follow. The next pull follows that link first (an LRS
    may let it expire: it then asks again from the last ``stored``); otherwise it asks
    for the statements stored ``since`` the last ``stored`` less :data:`BOUNDARY` (the
    xAPI ``since`` is exclusive, and several statements may share an instant) and skips
    the ids already written. Some LRSs (Ralph, up to 5.x at least) compare ``since``
    with each statement's ``timestamp`` rather than its ``stored`` time: with them, a
    statement stored after a completed pull but timestamped before its last ``stored`` is
    not fetched by the next pull (a pull cut off midway is not concerned: it goes on by
    its ``more`` link). A pull into a new folder fetches everything again.

Credentials
    Taken only from the environment variables ``SOCIALKIT_LRS_USERNAME`` and
    ``SOCIALKIT_LRS_PASSWORD``, else from a netrc entry for the LRS's host (the file
    ``NETRC`` names, else ``~/.netrc``), and sent as HTTP basic authentication. They are
    never printed, logged nor written.
"""

from __future__ import annotations

import json
import netrc
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from socialkit.base.files import atomic, remove_stale_temps
from socialkit.errors import (
    LrsAnswerError,
    LrsAuthError,
    LrsConnectionLostError,
    LrsError,
    LrsUnreachableError,
)

__all__ = [
    "BOUNDARY",
    "STATE_NAME",
    "XAPI_VERSION",
    "PullResult",
    "pull",
    "statements_url",
]

#: The xAPI version every request names (header ``X-Experience-API-Version``).
XAPI_VERSION = "1.0.3"
#: The state file a pull keeps in its folder (JSON; not a statements file).
STATE_NAME = ".socialkit-pull.state"
#: How far before the last ``stored`` seen the next pull asks again (ids seen are skipped).
BOUNDARY = timedelta(milliseconds=1)
#: Seconds to wait for the LRS to accept a connection, then for each answer.
TIMEOUT = (10.0, 120.0)
_PAGE = re.compile(r"^statements-(\d+)\.jsonl$")
_USER, _PASSWORD = "SOCIALKIT_LRS_USERNAME", "SOCIALKIT_LRS_PASSWORD"


@dataclass(frozen=True)
class PullResult:
    """What a pull did.

    Attributes
    ----------
    url : str
        The statements endpoint asked (see :func:`statements_url`).
    out_dir : pathlib.Path
        The folder written to.
    fetched : int
        Statements the LRS sent during this pull.
    written : int
        Of them, those written (the others had been written by an earlier pull).
    files : tuple of pathlib.Path
        The page files this pull wrote, in order.
    stored : str or None
        The last ``stored`` time seen, in this pull or before (None: none yet).
    """

    url: str
    out_dir: Path
    fetched: int
    written: int
    files: tuple[Path, ...]
    stored: str | None


def statements_url(url: str) -> str:
    """The statements endpoint of an LRS address.

    An address whose path ends with ``/statements`` is that endpoint; an address with no
    path at all (``https://lrs.example.org``) gets the usual ``/xAPI/statements``; any
    other path is the xAPI root, and gets ``/statements`` (``https://h/xAPI/`` ->
    ``https://h/xAPI/statements``; ``https://h/data/xAPI`` -> ``.../data/xAPI/statements``).
    A query or fragment is dropped.

    Raises
    ------
    LrsError
        Not an ``http`` or ``https`` address with a host, or one holding credentials
        (``https://user:password@host``: they come from the environment or netrc only).
    """
    parts = urlsplit(url.strip())
    if "@" in parts.netloc:  # never echoed: it may hold a password
        shown = urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
        raise LrsError(
            f"the address {shown!r} holds credentials: leave them out of it, and set "
            f"{_USER} and {_PASSWORD}, or a netrc entry for the host"
        )
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise LrsError(
            f"{url!r} is not the address of an LRS: expected http:// or https:// and a host"
        )
    path = parts.path.rstrip("/")
    if not path:
        path = "/xAPI/statements"
    elif not path.endswith("/statements"):
        path += "/statements"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def _credentials(host: str) -> tuple[str, str] | None:
    user, password = os.environ.get(_USER), os.environ.get(_PASSWORD)
    if user is not None or password is not None:
        if user is None or password is None:
            missing = _USER if user is None else _PASSWORD
            raise LrsAuthError(f"{missing} is not set: set both variables, or neither")
        return user, password
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise LrsAuthError(f"cannot read the netrc file {path!r}: {exc}") from None
    if entry is None:
        return None
    return entry[0], entry[2] or ""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _instant(value: Any) -> datetime | None:
    """A ``stored`` value as an aware datetime (None: absent or unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _since(value: str | datetime) -> str:
    moment = value if isinstance(value, datetime) else _instant(value)
    if moment is None:
        raise LrsError(f"since {value!r} is not an ISO 8601 time such as 2026-01-31T09:00:00Z")
    return _iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


class _State:
    """How far pulls into a folder went (see the module's docstring)."""

    def __init__(self, path: Path, url: str) -> None:
        self.path, self.url = path, url
        self.stored: str | None = None
        self.ids: dict[str, str] = {}  # id -> stored, within BOUNDARY of self.stored
        self.more: str | None = None
        self.next_page = 1
        self.exists = path.is_file()
        if not self.exists:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            url_was = data["url"]
            self.stored, self.more = data.get("stored"), data.get("more")
            self.ids = {str(k): str(v) for k, v in data.get("ids", {}).items()}
            self.next_page = int(data["next_page"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LrsError(
                f"the pull state {str(path)!r} cannot be read ({exc}); pull into a new folder"
            ) from None
        if url_was != url:
            raise LrsError(
                f"{str(path.parent)!r} holds statements pulled from {url_was!r}, not "
                f"{url!r}; pull into another folder"
            )

    def take(self, page: list[dict]) -> None:
        """Count a written page's statements in the boundary."""
        last = _instant(self.stored)
        for statement in page:
            moment = _instant(statement.get("stored"))
            if moment is not None and (last is None or moment > last):
                last, self.stored = moment, statement["stored"]
        if last is None:
            return
        floor = last - BOUNDARY
        for statement in page:
            moment, sid = _instant(statement.get("stored")), statement.get("id")
            if moment is not None and isinstance(sid, str) and moment > floor:
                self.ids[sid] = statement["stored"]
        self.ids = {k: v for k, v in self.ids.items() if (_instant(v) or last) > floor}

    def since(self) -> str | None:
        moment = _instant(self.stored)
        return None if moment is None else _iso(moment - BOUNDARY)

    def save(self) -> None:
        data = {
            "url": self.url,
            "stored": self.stored,
            "ids": self.ids,
            "more": self.more,
            "next_page": self.next_page,
        }
        with atomic(self.path) as tmp:
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _drop_orphans(out_dir: Path, next_page: int) -> None:
    """Remove page files a killed pull wrote but did not record (they come again)."""
    for entry in out_dir.iterdir():
        match = _PAGE.match(entry.name)
        if match and int(match[1]) >= next_page and entry.is_file():
            entry.unlink()


def _write_page(out_dir: Path, number: int, page: list[dict]) -> Path:
    dest = out_dir / f"statements-{number:06d}.jsonl"
    text = "".join(json.dumps(s, ensure_ascii=False, separators=(",", ":")) + "\n" for s in page)
    with atomic(dest, follow_links=False) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return dest


def _detail(response: Any) -> str:
    text = (response.text or "").strip()
    return f": {text[:200]!r}" if text else ""


def _get(session: Any, url: str, params: dict | None, *, started: bool, done: str) -> Any:
    """One page of statements from the LRS, as a dict with a ``statements`` list."""
    import requests

    try:
        response = session.get(url, params=params, timeout=TIMEOUT)
        body = response.content
    except requests.exceptions.RequestException as exc:
        kind = type(exc).__name__
        if started:
            raise LrsConnectionLostError(
                f"the connection to the LRS was lost ({kind}) {done}; run the same pull "
                "again to go on from there"
            ) from None
        raise LrsUnreachableError(
            f"no LRS answers at {url.split('?')[0]!r} ({kind}): is the address right and "
            "the LRS running?"
        ) from None
    where = response.url.split("?")[0]
    if response.status_code in (401, 403):
        raise LrsAuthError(
            f"the LRS at {where!r} refused the credentials (HTTP {response.status_code}): "
            f"set {_USER} and {_PASSWORD}, or a netrc entry for its host; {done}"
        )
    if response.status_code >= 400:
        raise LrsAnswerError(
            f"the LRS at {where!r} answered HTTP {response.status_code} "
            f"{response.reason}{_detail(response)}; {done}"
        )
    try:
        document = json.loads(body)
    except ValueError:
        raise LrsAnswerError(
            f"the answer from {where!r} is not JSON, so not an xAPI statement result "
            f"(is it the LRS's xAPI address?); {done}"
        ) from None
    statements = document.get("statements") if isinstance(document, dict) else None
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise LrsAnswerError(
            f"the answer from {where!r} is JSON but not an xAPI statement result (expected "
            f"an object with a 'statements' list of objects); {done}"
        )
    return document


def pull(
    url: str,
    out_dir: str | os.PathLike[str],
    *,
    since: str | datetime | None = None,
    page_size: int = 500,
    progress: Callable[[int], object] | None = None,
) -> PullResult:
    """Fetch an LRS's statements into ``out_dir``, going on from the last pull there.

    Parameters
    ----------
    url : str
        The LRS: its xAPI root or statements endpoint (see :func:`statements_url`).
    out_dir : path
        The folder of the page files and the pull state; created if needed.
    since : str or datetime, optional
        Only statements stored after this time (ISO 8601; without an offset, UTC). For a
        first pull only: a folder that holds a pull already goes on from where it stopped.
    page_size : int, default 500
        Statements asked per request (the LRS may send fewer).
    progress : callable, optional
        Called as ``progress(fetched)`` after each page, with the statements received so
        far in this pull.

    Returns
    -------
    PullResult

    Raises
    ------
    LrsAuthError
        The LRS refused the credentials.
    LrsUnreachableError
        Nothing answers at the address.
    LrsAnswerError
        The answer is not an xAPI statement result, or an HTTP error.
    LrsConnectionLostError
        The connection was lost after the first page: the pages written are kept.
    LrsError
        A bad address, ``since`` or ``page_size``, a folder holding another LRS's pull, or
        an ``out_dir`` that cannot be made or written.
    """
    import requests

    endpoint = statements_url(url)
    if page_size < 1:
        raise LrsError(f"page size {page_size!r} is not a whole number >= 1")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out_dir)
    except OSError as exc:
        raise LrsError(
            f"cannot make the folder {str(out_dir)!r} to pull into: {exc.strerror or exc}; "
            "expected a folder, or a new path in one"
        ) from None
    state = _State(out_dir / STATE_NAME, endpoint)
    if since is not None and state.exists:
        raise LrsError(
            f"{str(out_dir)!r} holds a pull already, which goes on from where it stopped: "
            "leave out since, or pull into a new folder"
        )
    _drop_orphans(out_dir, state.next_page)
    session = requests.Session()
    session.headers.update({"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"})
    session.auth = _credentials(urlsplit(endpoint).hostname or "")
    query = {"ascending": "true", "limit": str(page_size)}
    start = _since(since) if since is not None else state.since()
    if start is not None:
        query["since"] = start
    fetched = written = 0
    files: list[Path] = []
    next_url, params = (urljoin(endpoint, state.more), None) if state.more else (endpoint, query)
    started = False
    followed: set[str | None] = set()

    def kept() -> str:
        if not files:
            return "this pull wrote nothing"
        return (
            f"the {written} statement(s) this pull wrote to {str(out_dir)!r} "
            f"({len(files)} file(s)) are kept"
        )

    try:
        while next_url:
            try:
                document = _get(session, next_url, params, started=started, done=kept())
            except LrsAnswerError:
                if params is None and not started:  # a saved link that expired: ask again
                    next_url, params = endpoint, query
                    continue
                raise
            started = True
            page = document["statements"]
            fetched += len(page)
            new = [s for s in page if not (isinstance(s.get("id"), str) and s["id"] in state.ids)]
            more = document.get("more")
            more = more if isinstance(more, str) and more.strip() and page else None
            try:
                if new:
                    files.append(_write_page(out_dir, state.next_page, new))
                    state.next_page += 1
                    written += len(new)
                state.take(new)
                state.more = more
                state.save()
            except OSError as exc:
                raise LrsError(
                    f"cannot write the pulled statements into {str(out_dir)!r}: "
                    f"{exc.strerror or exc}; {kept()}"
                ) from None
            if progress is not None:
                progress(fetched)
            next_url, params = (urljoin(endpoint, more), None) if more else (None, None)
            if next_url is not None and next_url in followed:
                raise LrsAnswerError(
                    f"the LRS sent the 'more' link {more!r} a second time, which would never "
                    f"end; {kept()}"
                )
            followed.add(next_url)
    finally:
        session.close()
    return PullResult(endpoint, out_dir, fetched, written, tuple(files), state.stored)
