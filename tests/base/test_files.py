"""Temporary files socialkit recognises as its own, and moves across file systems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialkit.base.files import (
    atomic,
    is_own_temp,
    move,
    remove_stale_temps,
    temp_beside,
    temp_name,
)

SHM = Path("/dev/shm")


def test_temp_names_are_recognised_and_user_files_are_not(tmp_path):
    own = temp_beside(tmp_path / "index.html")
    assert own.parent == tmp_path and own.exists()
    assert own.name.startswith(".index.html.socialkit-") and own.name.endswith(".tmp")
    assert is_own_temp(own)
    for name in (
        ".meeting-notes.tmp",
        "index.html.tmp",
        ".index.html.bak",
        "socialkit.tmp",
        ".x.socialkit-zz-1-00000000.tmp",
    ):
        assert not is_own_temp(tmp_path / name), name


def test_atomic_replaces_on_success_and_keeps_the_old_file_on_failure(tmp_path):
    dest = tmp_path / "page.html"
    dest.write_text("old")
    with pytest.raises(RuntimeError, match="boom"), atomic(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert dest.read_text() == "old"
    assert os.listdir(tmp_path) == ["page.html"]
    with atomic(dest) as tmp:
        tmp.write_text("new")
    assert dest.read_text() == "new"
    assert os.listdir(tmp_path) == ["page.html"]


@pytest.mark.skipif(not SHM.is_dir(), reason="needs a tmpfs at /dev/shm")
def test_move_works_across_file_systems(tmp_path):
    assert os.stat(SHM).st_dev != os.stat(tmp_path).st_dev
    src = Path(os.path.join(SHM, temp_name(Path("log.txt"))))
    src.write_text("kernel log")
    dest = tmp_path / "log.txt"
    dest.write_text("older")
    move(src, dest)
    assert dest.read_text() == "kernel log"
    assert not src.exists()
    assert os.listdir(tmp_path) == ["log.txt"]


@pytest.mark.skipif(not SHM.is_dir(), reason="needs a tmpfs at /dev/shm")
def test_move_of_a_folder_across_file_systems(tmp_path):
    src = SHM / temp_name(Path("logs"))
    src.mkdir()
    (src / "k1.log").write_text("one")
    move(src, tmp_path / "logs")
    assert (tmp_path / "logs" / "k1.log").read_text() == "one"
    assert not src.exists()


def test_only_leftovers_of_ended_processes_are_removed(tmp_path):
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from socialkit.base.files import temp_beside; "
            f"print(temp_beside(Path({str(tmp_path / 'a.csv')!r})))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = Path(child.stdout.strip())
    mine = temp_beside(tmp_path / "b.csv")
    user = tmp_path / ".meeting-notes.tmp"
    user.write_text("mine, not socialkit's")
    assert remove_stale_temps(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, user.name])


def test_own_files_are_temps_locks_and_the_journal_only(tmp_path):
    from socialkit.base.files import JOURNAL_NAME, LOCK_NAME, is_own_file, lock_file_for

    assert lock_file_for(tmp_path / "data") == tmp_path / "data" / LOCK_NAME
    assert lock_file_for(tmp_path / "d.xlsx") == tmp_path / ".d.xlsx.socialkit.lock"
    for name in (LOCK_NAME, JOURNAL_NAME, ".d.xlsx.socialkit.lock", temp_name(Path("a.csv"))):
        assert is_own_file(tmp_path / name), name
    for name in ("socialkit.lock", ".socialkit.lock.bak", "journal.json", "~$d.xlsx", "a.csv"):
        assert not is_own_file(tmp_path / name), name


def test_stale_temps_of_one_file_only_and_never_those_a_journal_still_needs(tmp_path):
    import json

    from socialkit.base.files import JOURNAL_NAME

    code = (
        "import sys; from pathlib import Path; from socialkit.base.files import temp_beside; "
        "[print(temp_beside(Path(p))) for p in sys.argv[1:]]"
    )
    names = ["a.xlsx", "b.xlsx", "courses.csv", "objectives.csv"]
    made = subprocess.run(
        [sys.executable, "-c", code, *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    a, b, courses, objectives = map(Path, made)
    assert remove_stale_temps(tmp_path, of="a.xlsx") == [a]
    record = {"version": 1, "replace": [[courses.name, "courses.csv"]], "remove": []}
    (tmp_path / JOURNAL_NAME).write_text(json.dumps(record))
    assert sorted(remove_stale_temps(tmp_path)) == sorted([b, objectives])
    assert courses.exists()  # the next reader moves it into place
