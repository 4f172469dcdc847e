"""``socialkit pull`` against a real LRS: Ralph, in its own virtual environment, on 127.0.0.1.

The first run installs Ralph (``ralph-malph``, which pins its own dependencies) into a
virtual environment kept in pytest's cache, keyed on what is installed: the next runs take
it from there. Ralph runs with its file backend and basic-auth credentials made with
``ralph auth``; one batch of statements is posted to it (the file backend takes one).
A connection lost mid-pull is a real one: a small proxy in front of Ralph cuts an answer
in the middle.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialkit.delivery.lrs import STATE_NAME, pull
from socialkit.errors import (
    LrsAnswerError,
    LrsAuthError,
    LrsConnectionLostError,
    LrsError,
    LrsUnreachableError,
)

ROOT = Path(__file__).resolve().parents[2]
#: What the LRS's environment gets: Ralph pinned, the server and the client it needs.
RALPH = ["ralph-malph[cli,lrs]==5.1.0", "requests", "uvicorn"]
USER, PASSWORD = "analyst", "s3cret-pass-word"
VERB = "http://adlnet.gov/expapi/verbs/"
HOST = "127.0.0.1"
AUTHORITY = "mailto:lrs-admin@example.org"
COURSE = "https://lms.example.org/course/flipped-101"


# --------------------------------------------------------------------------- statements
def make_statements() -> list[dict]:
    """24 statements: 3 learners and a trainer on 3 activities, replies, offsets, one voided."""
    rng = uuid.UUID("00000000-0000-4000-8000-000000000000").int
    ids = [str(uuid.UUID(int=rng + i)) for i in range(1, 25)]
    people = ["mailto:ann@example.org", "mailto:Bob@Example.org", "mailto:cy@example.org"]
    trainer = "mailto:tess@example.org"
    activities = [f"{COURSE}/forum", f"{COURSE}/video", f"{COURSE}/quiz"]
    statements = []
    for i in range(22):
        actor = trainer if i % 7 == 0 else people[i % 3]
        statement = {
            "id": ids[i],
            "actor": {"objectType": "Agent", "mbox": actor},
            "verb": {"id": VERB + ("commented" if i % 2 else "experienced")},
            "object": {"objectType": "Activity", "id": activities[i % 3]},
            "timestamp": f"2026-03-{1 + i % 9:02d}T{8 + i % 10:02d}:15:00+0{i % 3}:00",
            "context": {
                "registration": "6f1d6c1e-1b1a-4c59-9b3e-0a5d2c8e7f10",
                "contextActivities": {"parent": [{"id": COURSE}]},
            },
        }
        if i % 2 and i > 2:  # a reply to the statement two before
            statement["context"]["statement"] = {"objectType": "StatementRef", "id": ids[i - 2]}
        statements.append(statement)
    statements.append(  # the voiding statement and a reply posted as a StatementRef
        {
            "id": ids[22],
            "actor": {"objectType": "Agent", "mbox": trainer},
            "verb": {"id": VERB + "voided"},
            "object": {"objectType": "StatementRef", "id": ids[5]},
        }
    )
    statements.append(
        {
            "id": ids[23],
            "actor": {"objectType": "Agent", "mbox": people[0]},
            "verb": {"id": VERB + "answered"},
            "object": {"objectType": "StatementRef", "id": ids[7]},
            "timestamp": "2026-03-10T09:00:00Z",
        }
    )
    return statements


STATEMENTS = make_statements()
IDS = [s["id"] for s in STATEMENTS]


# --------------------------------------------------------------------------- the LRS
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _install(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *RALPH]
    for attempt in (1, 2):  # a registry that hiccups gets a second chance
        done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            return
        if attempt == 2:
            pytest.fail(f"could not install Ralph: {done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def ralph_python(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a virtual environment holding Ralph (made once, then cached)."""
    key = hashlib.sha1(" ".join([sys.version, *RALPH]).encode()).hexdigest()[:12]
    try:
        cache = Path(request.config.cache.mkdir("ralph-venv"))
    except (AttributeError, OSError):  # no cache (-p no:cacheprovider, a read-only tree)
        cache = tmp_path_factory.mktemp("ralph-venv")
    venv = cache / key
    if not (venv / "installed").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        _install(venv)
        (venv / "installed").write_text(" ".join(RALPH), encoding="utf-8")
    return venv / "bin" / "python"


def _auth_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _wait_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"no answer from {url} in 60 s: {log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def lrs(ralph_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The xAPI address of a running Ralph holding :data:`STATEMENTS`."""
    home = tmp_path_factory.mktemp("ralph")
    env = {
        **os.environ,
        "RALPH_AUTH_FILE": str(home / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
    }
    (home / "data").mkdir()
    ralph = [str(ralph_python), "-m", "ralph"]
    subprocess.run(
        [*ralph, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", AUTHORITY, "-w"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*ralph[:1], "-m", "uvicorn", "ralph.api:app", "--host", HOST, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_up(f"http://127.0.0.1:{port}/__heartbeat__", server, log)
        posted = urllib.request.Request(
            f"http://127.0.0.1:{port}/xAPI/statements/",
            data=json.dumps(STATEMENTS).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Experience-API-Version": "1.0.3",
                "Authorization": _auth_header(USER, PASSWORD),
            },
        )
        with urllib.request.urlopen(posted, timeout=30) as answer:
            assert sorted(json.load(answer)) == sorted(IDS)
        yield f"http://127.0.0.1:{port}/xAPI/"
    finally:
        _stop(server)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("SOCIALKIT_LRS_USERNAME", USER)
    monkeypatch.setenv("SOCIALKIT_LRS_PASSWORD", PASSWORD)


class CuttingProxy(http.server.ThreadingHTTPServer):
    """Passes requests on to ``target``; with ``cut_after`` set, the answer to the request
    after that many is cut in the middle of its body and the connection closed."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        self.target, self.cut_after, self.served = target, None, 0
        self.hold_after: int | None = None  # then the next answer waits for `release`
        self.held, self.release = threading.Event(), threading.Event()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: CuttingProxy

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.server.hold_after is not None and self.server.served >= self.server.hold_after:
            self.server.held.set()
            self.server.release.wait(timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(self.server.target + self.path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        self.server.served += 1
        cut = self.server.cut_after is not None and self.server.served > self.server.cut_after
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if cut else body)
        if cut:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True


@pytest.fixture
def proxy(lrs: str) -> Iterator[CuttingProxy]:
    origin = lrs.split("/xAPI/")[0]
    server = CuttingProxy(origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def written(out: Path) -> list[dict]:
    """Every statement in the page files, in file and line order."""
    return [
        json.loads(line)
        for page in sorted(out.glob("statements-*.jsonl"))
        for line in page.read_text(encoding="utf-8").splitlines()
    ]


def run_pull(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``socialkit pull`` in a subprocess; no traceback, ever."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALKIT_LRS_")}
    base.pop("NETRC", None)
    done = subprocess.run(
        [sys.executable, "-m", "socialkit.cli", "pull", *map(str, args)],
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


CREDENTIALS = {"SOCIALKIT_LRS_USERNAME": USER, "SOCIALKIT_LRS_PASSWORD": PASSWORD}


# --------------------------------------------------------------------------- pulls
def test_a_pull_in_pages_of_7_gives_exactly_the_posted_statements(
    lrs: str, tmp_path: Path, credentials: None
) -> None:
    seen: list[int] = []
    result = pull(lrs, tmp_path / "out", page_size=7, progress=seen.append)
    got = written(tmp_path / "out")
    assert sorted(s["id"] for s in got) == sorted(IDS)  # each once, the voided ones too
    assert [p.name for p in result.files] == [f"statements-00000{n}.jsonl" for n in (1, 2, 3, 4)]
    assert [len(p.read_text().splitlines()) for p in result.files] == [7, 7, 7, 3]
    assert seen == [7, 14, 21, 24]
    assert (result.fetched, result.written) == (24, 24)
    assert result.url == lrs + "statements"
    by_id = {s["id"]: s for s in got}
    for statement in STATEMENTS:  # as posted, with what the LRS adds
        got_one = by_id[statement["id"]]
        assert (got_one["verb"], got_one["object"]) == (statement["verb"], statement["object"])
        # Ralph writes an address's domain in lower case: Bob@Example.org -> Bob@example.org
        assert got_one["actor"]["mbox"].lower() == statement["actor"]["mbox"].lower()
    assert by_id[IDS[1]]["actor"]["mbox"] == "mailto:Bob@example.org"
    assert result.stored == max((s["stored"] for s in got), key=lambda t: t)
    state = json.loads((tmp_path / "out" / STATE_NAME).read_text())
    assert (state["url"], state["more"], state["next_page"]) == (lrs + "statements", None, 5)


def test_the_pulled_files_give_the_figures_the_posted_file_gives(
    lrs: str, tmp_path: Path, credentials: None
) -> None:
    reader = pytest.importorskip("socialkit.delivery.statements")  # the statements reader
    pull(lrs, tmp_path / "out", page_size=5)
    posted = tmp_path / "posted" / "all.json"
    posted.parent.mkdir()
    posted.write_text(json.dumps(STATEMENTS))
    mine, theirs = reader.read_statements(tmp_path / "out"), reader.read_statements(posted)
    assert (mine.read, mine.skipped) == (theirs.read, theirs.skipped) == (24, mine.skipped)
    assert mine.skipped.get("voided") == mine.skipped.get("voiding") == 1
    assert sorted(mine.frame["id"]) == sorted(theirs.frame["id"])


def test_a_second_pull_goes_on_and_writes_nothing_already_there(lrs: str, tmp_path: Path) -> None:
    first = run_pull(lrs, "--out", tmp_path, "--page-size", "10", env=CREDENTIALS)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("pulled 24 new statement(s) into 3 file(s) in ")
    again = run_pull(lrs + "statements/", "--out", tmp_path, env=CREDENTIALS)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("pulled 0 new statement(s)")
    assert sorted(s["id"] for s in written(tmp_path)) == sorted(IDS)
    assert len(list(tmp_path.glob("statements-*.jsonl"))) == 3


def test_a_connection_lost_mid_pull_keeps_the_pages_and_the_next_pull_fills_the_rest(
    proxy: CuttingProxy, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{proxy.server_address[1]}/xAPI"
    proxy.cut_after = 2  # the third answer is cut in the middle
    cut = run_pull(url, "--out", tmp_path, "--page-size", "5", env=CREDENTIALS)
    assert cut.returncode == 2
    assert "error: the connection to the LRS was lost" in cut.stderr
    assert "the 10 statement(s) this pull wrote" in cut.stderr
    assert "(2 file(s)) are kept; run the same pull again to go on" in cut.stderr
    assert len(written(tmp_path)) == 10
    proxy.cut_after = None
    rest = run_pull(url, "--out", tmp_path, "--page-size", "5", env=CREDENTIALS)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.startswith("pulled 14 new statement(s) into 3 file(s)")
    got = [s["id"] for s in written(tmp_path)]
    assert sorted(got) == sorted(IDS)  # no gap, no duplicate


def test_a_pull_interrupted_while_it_waits_for_a_page_exits_130_and_goes_on_later(
    proxy: CuttingProxy, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{proxy.server_address[1]}/xAPI/statements"
    proxy.hold_after = 3  # the fourth request waits
    process = subprocess.Popen(
        [sys.executable, "-m", "socialkit.cli", "pull", url, "--out", tmp_path, "--page-size", "4"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **CREDENTIALS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proxy.held.wait(timeout=60)
        deadline = time.monotonic() + 10  # the third page's state goes into place
        while json.loads((tmp_path / STATE_NAME).read_text())["next_page"] != 4:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        proxy.release.set()
        _stop(process)
    assert process.returncode == 130, err
    assert out == ""  # no summary: the pull did not finish
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"interrupted: what was pulled into {tmp_path} is kept; run the same pull again to go on"
    )
    assert len(written(tmp_path)) == 12
    proxy.hold_after = None
    rest = run_pull(url, "--out", tmp_path, "--page-size", "4", env=CREDENTIALS)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.startswith("pulled 12 new statement(s) into 3 file(s)")
    assert sorted(s["id"] for s in written(tmp_path)) == sorted(IDS)


def test_a_first_pull_since_a_time_asks_the_lrs_for_what_came_after(
    lrs: str, tmp_path: Path, credentials: None
) -> None:
    # Ralph compares `since` with each statement's timestamp (the spec says `stored`); the
    # voiding statement, posted without one, has its `stored` as timestamp: now
    result = pull(lrs, tmp_path, since="2026-03-09T09:00:00+01:00", page_size=4)  # 08:00Z
    # after it: 2026-03-09T16:15+02:00 (14:15Z), 2026-03-09T15:15+02:00 (13:15Z), the
    # voiding statement, 2026-03-10T09:00Z; 2026-03-08T15:15+01:00 and the others before
    expected = [IDS[8], IDS[17], IDS[22], IDS[23]]
    assert sorted(s["id"] for s in written(tmp_path)) == sorted(expected)
    assert (result.fetched, result.written) == (4, 4)


def test_a_more_link_the_lrs_no_longer_knows_starts_again_from_the_last_stored(
    lrs: str, tmp_path: Path, credentials: None
) -> None:
    state = {"url": lrs + "statements", "stored": None, "ids": {}, "next_page": 1}
    (tmp_path / STATE_NAME).write_text(json.dumps({**state, "more": "/xAPI/gone?page=2"}))
    result = pull(lrs, tmp_path, page_size=10)
    assert (result.fetched, result.written, len(result.files)) == (24, 24, 3)
    assert sorted(s["id"] for s in written(tmp_path)) == sorted(IDS)


def test_a_page_a_killed_pull_wrote_without_its_state_counts_for_nothing(
    lrs: str, tmp_path: Path, credentials: None
) -> None:
    out = tmp_path / "out"
    pull(lrs, out, page_size=24)
    # as if a pull was killed after its page went into place and before its state did
    shutil.copy(out / "statements-000001.jsonl", out / "statements-000002.jsonl")
    result = pull(lrs, out, page_size=24)
    assert (result.fetched, result.written, result.files) == (1, 0, ())  # the boundary again
    assert sorted(p.name for p in out.glob("statements-*")) == ["statements-000001.jsonl"]
    assert sorted(s["id"] for s in written(out)) == sorted(IDS)


def test_credentials_come_from_a_netrc_entry_for_the_host(lrs: str, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    done = run_pull(lrs, "--out", tmp_path / "out", env={"NETRC": str(netrc)})
    assert done.returncode == 0, done.stderr
    assert len(written(tmp_path / "out")) == 24


# --------------------------------------------------------------------------- failures
def test_wrong_credentials_exit_2_with_one_message_and_nothing_written(
    lrs: str, tmp_path: Path
) -> None:
    env = {"SOCIALKIT_LRS_USERNAME": USER, "SOCIALKIT_LRS_PASSWORD": "not-the-password"}
    done = run_pull(lrs, "--out", tmp_path, env=env)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: the LRS at '{lrs}statements' refused the credentials (HTTP 401): set "
        "SOCIALKIT_LRS_USERNAME and SOCIALKIT_LRS_PASSWORD, or a netrc entry for its host; "
        "this pull wrote nothing"
    ]
    assert "not-the-password" not in done.stdout + done.stderr
    assert list(tmp_path.glob("statements-*")) == []


def test_no_credentials_at_all_is_refused_too(lrs: str, tmp_path: Path) -> None:
    done = run_pull(lrs, "--out", tmp_path, env={"HOME": str(tmp_path)})  # no ~/.netrc
    assert done.returncode == 2
    assert "refused the credentials (HTTP 401)" in done.stderr


def test_an_unreachable_lrs_exits_2(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    done = run_pull(f"http://127.0.0.1:{port}", "--out", tmp_path, env=CREDENTIALS)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"error: no LRS answers at 'http://127.0.0.1:{port}/xAPI/statements' "
        "(ConnectionError): is the address right and the LRS running?"
    )


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """A plain web server (not an LRS) serving a page, a JSON file and nothing else."""
    site = tmp_path / "site"
    (site / "page").mkdir(parents=True)
    (site / "page" / "statements").write_text("<html><body>Hello</body></html>")
    (site / "json").mkdir()
    (site / "json" / "statements").write_text('{"results": []}')
    (site / "loop").mkdir()
    loop = {"statements": [{"id": "x", "stored": "2026-01-01T00:00:00Z"}]}
    (site / "loop" / "statements").write_text(json.dumps({**loop, "more": "/loop/statements"}))
    port = free_port()
    (tmp_path / "site.log").write_text("")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_up(f"http://127.0.0.1:{port}/page/statements", server, tmp_path / "site.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(server)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page/", "is not JSON, so not an xAPI statement result"),
        ("/json", "is JSON but not an xAPI statement result (expected an object with a"),
        ("/missing/xAPI", "answered HTTP 404 File not found: "),
    ],
)
def test_a_server_that_is_not_an_lrs_exits_2(
    web_server: str, tmp_path: Path, path: str, message: str
) -> None:
    done = run_pull(web_server + path, "--out", tmp_path / "out", env=CREDENTIALS)
    assert done.returncode == 2
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert message in error
    assert error.endswith("; this pull wrote nothing")
    assert list((tmp_path / "out").glob("statements-*")) == []


def test_a_server_sending_the_same_more_link_again_is_stopped(
    web_server: str, tmp_path: Path
) -> None:
    done = run_pull(web_server + "/loop", "--out", tmp_path, env=CREDENTIALS)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "error: the LRS sent the 'more' link '/loop/statements' a second time, which would "
        f"never end; the 1 statement(s) this pull wrote to '{tmp_path}' (1 file(s)) are kept"
    )
    assert [s["id"] for s in written(tmp_path)] == ["x"]


def test_a_folder_that_cannot_be_written_gives_one_message_and_keeps_what_was_written(
    web_server: str, tmp_path: Path, credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialkit.delivery import lrs

    def full(*args: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lrs, "_write_page", full)
    with pytest.raises(
        LrsError,
        match=r"^cannot write the pulled statements into .*: No space "
        r"left on device; this pull wrote nothing$",
    ):
        pull(web_server + "/loop", tmp_path / "out")
    assert not (tmp_path / "out" / STATE_NAME).exists()


def test_the_library_raises_one_error_class_per_failure(
    web_server: str, tmp_path: Path, credentials: None
) -> None:
    with pytest.raises(LrsAnswerError, match=r"is not JSON, so not an xAPI"):
        pull(web_server + "/page", tmp_path / "a")
    with pytest.raises(LrsUnreachableError, match=r"^no LRS answers at 'http://127\.0\.0\.1:"):
        pull(f"http://127.0.0.1:{free_port()}/xAPI", tmp_path / "b")
    assert issubclass(LrsConnectionLostError, LrsError)
    assert issubclass(LrsAuthError, LrsError)


def test_an_address_holding_credentials_is_refused_without_showing_them(tmp_path: Path) -> None:
    done = run_pull(f"http://{USER}:{PASSWORD}@127.0.0.1:9/xAPI", "--out", tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "error: the address 'http://***@127.0.0.1:9/xAPI' holds credentials: leave them out "
        "of it, and set SOCIALKIT_LRS_USERNAME and SOCIALKIT_LRS_PASSWORD, or a netrc entry "
        "for the host"
    )
    assert PASSWORD not in done.stderr + done.stdout
