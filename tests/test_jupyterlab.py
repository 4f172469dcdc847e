"""The design editor in a real JupyterLab 4 and as a Voilà app, in headless Chromium.

Each test starts its own server on 127.0.0.1 (a free port, a random token, configuration
and runtime folders of its own) on a copy of ``notebooks/design_course.ipynb`` beside a
copy of the sample portfolio, drives Debian's ``chromium`` with Playwright, and stops the
server at the end. Requests to any other host are aborted, as a firewall would.

* JupyterLab: open the notebook, run all cells, add an activity through the form, see
  the swimlane chart change, save, and find the new row in the CSV file on disk.
* Voilà: the same notebook as a code-free app renders its form and its charts.

Skipped without Chromium, Playwright, JupyterLab or Voilà, except in CI, where that fails.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browser_missing

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "design_course.ipynb"
#: Milliseconds to wait for JupyterLab or Voilà to load and the kernel to draw the form.
SLOW = 120_000
TITLE = "Lab check-in on risk scores"
#: Jupyter refuses to run as root (as in a container) unless told it may.
ROOT_OK = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium, or a skip (a failure in CI) when something is missing."""
    for module in ("playwright", "jupyterlab", "voila"):
        if importlib.util.find_spec(module) is None:
            browser_missing(f"the {module!r} package is missing", "pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        browser_missing(f"no browser at {CHROMIUM}", "install it with: sh tests/install-browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workspace(tmp_path: Path) -> Path:
    """A folder holding ``notebooks/design_course.ipynb`` and ``data/`` side by side."""
    (tmp_path / "notebooks").mkdir(parents=True)
    shutil.copy(NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK.name)
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("*.md"))
    return tmp_path


class Server:
    """A Jupyter server process on 127.0.0.1, its log kept for failure messages."""

    def __init__(self, args: list[str], *, cwd: Path, home: Path, ready: str) -> None:
        self.log = home / "server.log"
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", *args], cwd=cwd, env=env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + SLOW / 1000
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped at once:\n{self.tail()}")
            try:
                with urllib.request.urlopen(ready, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError(f"the server did not answer in time:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server; it shuts its kernels down on SIGTERM."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path, Server]]:
    root, token, port = workspace(tmp_path / "root"), secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    args = [
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        *ROOT_OK,
    ]
    server = Server(args, cwd=root, home=tmp_path, ready=f"{base}/api/status?token={token}")
    try:
        yield f"{base}/lab/tree/notebooks/{NOTEBOOK.name}?token={token}", root, server
    finally:
        server.stop()


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[tuple[str, Server]]:
    root, port = workspace(tmp_path / "root"), free_port()
    base = f"http://127.0.0.1:{port}"
    args = [
        "voila",
        NOTEBOOK.name,
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
    ]
    # any answer will do: the page itself would run the notebook once more
    server = Server(args, cwd=root / "notebooks", home=tmp_path, ready=f"{base}/api/status")
    try:
        yield f"{base}/", server
    finally:
        server.stop()


def open_page(chromium, url: str):
    """A page that may only talk to 127.0.0.1; outside requests are aborted and listed."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.blocked = []
    page.errors = []

    def route(r):
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url, timeout=SLOW)
    return page


def fail(page, server: Server, tmp_path: Path, what: str) -> None:
    shot = tmp_path / "failure.png"
    page.screenshot(path=str(shot), full_page=True)
    pytest.fail(
        f"{what}\nscreenshot: {shot}\npage errors: {page.errors}\nserver log:\n{server.tail()}",
        pytrace=False,
    )


def swimlane_text(page) -> str:
    return page.eval_on_selector(".sk-swimlane", "el => el.textContent")


def test_design_course_in_jupyterlab(chromium, lab, tmp_path: Path) -> None:
    url, root, server = lab
    csv_path = root / "data" / "activities.csv"
    with csv_path.open(encoding="utf-8", newline="") as f:
        before = list(csv.DictReader(f))
    page = open_page(chromium, url)
    try:
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=SLOW,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".sk-editor .sk-swimlane svg.main-svg", timeout=SLOW)
        assert TITLE not in swimlane_text(page)
        page.locator(".sk-steps .lm-TabBar-tab", has_text="2 Activities").click()
        page.locator("button.sk-add-activity").click()
        title = page.locator(".sk-activity-title input")
        title.wait_for(state="visible")
        page.wait_for_function(
            "() => document.querySelector('.sk-activity-title input').value === 'New activity'"
        )
        title.fill(TITLE)
        title.press("Enter")
        # the swimlane cuts labels to 24 characters; its hover text has the whole title
        page.wait_for_function(
            f"() => document.querySelector('.sk-swimlane').textContent.includes({TITLE[:20]!r})",
            timeout=30_000,
        )
        page.locator("button.sk-save").click()
        page.wait_for_function(
            "() => /Saved/.test(document.querySelector('.sk-message').textContent)",
            timeout=30_000,
        )
        assert not page.locator(".jp-Dialog").count(), "JupyterLab showed a dialog"
    except Exception as exc:  # a screenshot and the server log say more than a timeout
        fail(page, server, tmp_path, f"{type(exc).__name__}: {exc}")
    finally:
        page.close()
    with csv_path.open(encoding="utf-8", newline="") as f:
        after = list(csv.DictReader(f))
    assert after[:-1] == before  # every earlier row as it was
    new = after[-1]
    assert (new["course_id"], new["activity_id"], new["seq"], new["title"]) == (
        "it-risk",
        "A7",
        "7",
        TITLE,
    )


def test_design_course_as_a_voila_app(chromium, voila, tmp_path: Path) -> None:
    url, server = voila
    page = open_page(chromium, url)
    try:
        page.wait_for_selector(".sk-editor button.sk-save", timeout=SLOW)
        page.wait_for_selector(".sk-editor .sk-swimlane svg.main-svg", timeout=SLOW)
        text = page.inner_text("body")
        assert "Design editor" in text and "1 Objectives" in text
        assert "DesignEditor(" not in text and "import" not in text  # no code shown
        assert not page.errors
    except Exception as exc:
        fail(page, server, tmp_path, f"{type(exc).__name__}: {exc}")
    finally:
        page.close()


def test_socialkit_lab_opens_the_notebooks(chromium, tmp_path: Path) -> None:
    """The README's ``socialkit lab``: JupyterLab on ``notebooks/``, the tour renders."""
    token, port = secrets.token_hex(16), free_port()
    base = f"http://127.0.0.1:{port}"
    args = [
        "socialkit",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    server = Server(args, cwd=tmp_path, home=tmp_path, ready=f"{base}/api/status?token={token}")
    try:
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10) as r:
            names = {item["name"] for item in json.load(r)["content"]}
        assert {"tour.ipynb", "design_course.ipynb", "course_report.ipynb"} <= names
        page = open_page(chromium, f"{base}/lab/tree/tour.ipynb?token={token}")
        try:
            page.wait_for_selector(
                ".jp-Notebook h1:has-text('A first hour with socialkit')", timeout=SLOW
            )
            assert not page.blocked, page.blocked
        except Exception as exc:
            fail(page, server, tmp_path, f"{type(exc).__name__}: {exc}")
        finally:
            page.close()
    finally:
        server.stop()
    # as root (in a container) the command says it passes --allow-root; otherwise not
    assert ("started with --allow-root" in server.log.read_text()) == bool(ROOT_OK)
