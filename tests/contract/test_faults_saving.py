"""Fault injection, saving part: nothing the user had is lost.

Each test reproduces a fault as a user meets it (a command, a killed process, two people
saving at once, a workbook made in Excel) and then checks the promise: the message, the
exit code, and that the user's files are intact.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import remount_read_only, tmpfs

import socialkit.contract.transact as transact
from socialkit.base.files import JOURNAL_NAME, LOCK_NAME, is_own_file, temp_beside
from socialkit.cli import main
from socialkit.contract.io import (
    catalog_path,
    convert,
    load_portfolio,
    read_tables,
    sample_path,
    write_tables,
)
from socialkit.editor.draft import DesignDraft
from socialkit.errors import (
    DesignChangedError,
    DestinationNotEmptyError,
    PortfolioBusyError,
    PortfolioReadError,
    PortfolioWriteError,
)

SAMPLE = sample_path()


def tables_of(folder: Path) -> dict[str, pd.DataFrame]:
    return read_tables(folder)[0]


def same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return set(a) == set(b) and all(a[t].equals(b[t]) for t in a)


def own_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_own_file(p))


def two_portfolios(root: Path) -> tuple[Path, Path]:
    """``old``: the sample's tables; ``new``: every table changed and a tools.csv the old
    lacks. (Its README and statements folder are left out: convert would refuse them.)"""
    old = root / "old"
    shutil.copytree(SAMPLE, old, ignore=shutil.ignore_patterns("*.md", "statements"))
    tables = tables_of(old)
    tables["courses"] = tables["courses"].assign(title=tables["courses"]["title"] + " (v2)")
    tables["objectives"] = tables["objectives"].assign(
        statement=tables["objectives"]["statement"] + " well"
    )
    tables["activities"] = tables["activities"].assign(
        title=tables["activities"]["title"] + " (v2)"
    )
    new = write_tables(tables, root / "new")
    shutil.copyfile(catalog_path() / "tools.csv", new / "tools.csv")
    return old, new


# --------------------------------------------------------------------------- SIGKILL
def _converting(sources: list[str], dest: str, pipe) -> None:  # pragma: no cover - a child
    """Convert the sources into dest in turn, forever; tell the parent of every rename."""
    real = os.replace

    def reporting(src, dst):
        pipe.send(os.path.basename(dst))
        time.sleep(0.004)
        real(src, dst)

    os.replace = reporting
    pipe.send("ready")
    i = 0
    while True:
        convert(sources[i % len(sources)], dest, check=False)
        i += 1


@pytest.fixture(scope="module")
def forkserver():
    """Children forked from a process that has socialkit imported already: they start in
    milliseconds, so a test can kill many of them."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["socialkit.contract.io", "socialkit.editor.draft", __name__])
    return ctx


def test_sigkill_at_any_instant_of_a_conversion_leaves_old_or_new(tmp_path, forkserver):
    old, new = two_portfolios(tmp_path)
    want = {"old": tables_of(old), "new": tables_of(new)}
    dest = tmp_path / "dest"
    shutil.copytree(old, dest)
    rng = random.Random(11)
    seen, rolled_forward = set(), 0
    # kill after the k-th rename the child announces (k = 1: before the journal is
    # committed; later: while the tables are moved), then at random instants
    plan = [(k, 0.0) for k in range(1, 8)]
    plan += [(rng.randint(1, 12), rng.random() * 0.01) for _ in range(3)]
    started = time.monotonic()
    for k, jitter in plan:
        parent, child = forkserver.Pipe()
        proc = forkserver.Process(target=_converting, args=([str(new), str(old)], str(dest), child))
        proc.start()
        assert parent.recv() == "ready"
        for _ in range(k):
            parent.recv()
        time.sleep(jitter)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
        rolled_forward += (dest / JOURNAL_NAME).exists()
        got = tables_of(dest)  # the next reader completes or undoes the killed write
        match = [name for name, tables in want.items() if same_tables(got, tables)]
        assert len(match) == 1, f"a mix of old and new after a kill at rename {k}"
        seen.add(match[0])
        assert own_files(dest) == [], "a socialkit leftover survived the next read"
        assert sorted(p.name for p in dest.iterdir()) == sorted(f"{t}.csv" for t in got)
    assert seen == {"old", "new"} and rolled_forward >= 1
    load_portfolio(dest)  # and it is valid
    assert time.monotonic() - started < 60


def _looping(sources: list[str], dest: str, pipe) -> None:  # pragma: no cover - a child
    i = 0
    while True:
        convert(sources[i % len(sources)], dest, check=False)
        i += 1
        pipe.send(i)


def test_a_reader_in_another_process_never_sees_a_mix(tmp_path, forkserver):
    old, new = two_portfolios(tmp_path)
    want = [tables_of(old), tables_of(new)]
    dest = tmp_path / "dest"
    shutil.copytree(old, dest)
    parent, child = forkserver.Pipe()
    writer = forkserver.Process(target=_looping, args=([str(new), str(old)], str(dest), child))
    writer.start()
    seen, reads, written = set(), 0, 0
    try:
        deadline = time.monotonic() + 30
        while written < 6 and time.monotonic() < deadline:
            got = tables_of(dest)
            reads += 1
            match = [i for i, tables in enumerate(want) if same_tables(got, tables)]
            assert len(match) == 1, f"read {reads} saw a mix of old and new tables"
            seen.add(match[0])
            time.sleep(0.01)  # a reader that reads without pause would starve the writer
            while parent.poll():
                written = parent.recv()
    finally:
        writer.kill()
        writer.join()
    assert written >= 6, "the writer stopped or did not get the lock"
    assert reads >= 6 and seen == {0, 1}


def test_a_committed_journal_is_completed_by_the_next_writer_too(tmp_path):
    old, new = two_portfolios(tmp_path)
    dest = tmp_path / "dest"
    shutil.copytree(old, dest)
    # what a write killed right after its commit leaves: staged files and the journal
    staged = []
    for name in ("courses.csv", "tools.csv"):
        tmp = temp_beside(dest / name)
        tmp.write_bytes((new / name).read_bytes())
        staged.append((tmp, name))
    record = {"version": 1, "replace": [[t.name, n] for t, n in staged], "remove": []}
    (dest / JOURNAL_NAME).write_text(json.dumps(record))
    write_tables({"objectives": tables_of(new)["objectives"]}, dest)
    assert (dest / "courses.csv").read_bytes() == (new / "courses.csv").read_bytes()
    assert (dest / "tools.csv").read_bytes() == (new / "tools.csv").read_bytes()
    assert own_files(dest) == []


def test_a_journal_socialkit_did_not_write_is_refused_and_kept(tmp_path):
    dest = tmp_path / "dest"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("*.md"))
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    record = '{"version": 1, "replace": [], "remove": ["../victim.txt"]}'
    (dest / JOURNAL_NAME).write_text(record)
    with pytest.raises(PortfolioReadError, match=r"not a journal socialkit wrote"):
        read_tables(dest)
    assert victim.read_text() == "mine" and (dest / JOURNAL_NAME).read_text() == record


def test_leftovers_of_a_killed_run_go_at_the_next_read_and_user_files_stay(tmp_path):
    dest = tmp_path / "dest"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("*.md"))
    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    code = (
        "import sys; from pathlib import Path; from socialkit.base.files import temp_beside; "
        "[print(temp_beside(Path(p))) for p in sys.argv[1:]]"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, str(dest / "courses.csv"), str(book)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).exists() for p in made)
    (tmp_path / ".designs.xlsx.socialkit.lock").write_text("")  # a killed writer's lock
    (dest / ".socialkit.lock").write_text("")
    user = [dest / ".courses.csv.tmp", dest / ".~lock.courses.csv#", tmp_path / ".notes.tmp"]
    for path in user:
        path.write_text("the user's")
    read_tables(dest)
    read_tables(book)
    assert not any(Path(p).exists() for p in made)
    assert all(p.read_text() == "the user's" for p in user)
    assert own_files(dest) == [] and own_files(tmp_path) == []


def test_a_read_only_folder_is_read_without_a_lock_file(tmp_path, monkeypatch):
    folder = tmp_path / "share"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root: permissions are not enforced
            monkeypatch.setattr(transact, "_writable", lambda path: False)
        before = sorted(os.listdir(folder))
        assert len(load_portfolio(folder).courses) == 14
        assert sorted(os.listdir(folder)) == before and LOCK_NAME not in before
    finally:
        folder.chmod(0o755)
    (folder / JOURNAL_NAME).write_text('{"version": 1, "replace": [], "remove": []}')
    folder.chmod(0o555)
    try:
        with pytest.raises(PortfolioReadError, match=r"interrupted and cannot be completed"):
            read_tables(folder)
    finally:
        folder.chmod(0o755)


def test_the_installed_sample_reads_without_leaving_files() -> None:
    before = sorted(os.listdir(SAMPLE))
    load_portfolio()
    assert sorted(os.listdir(SAMPLE)) == before


# --------------------------------------------------------------------------- two saves
def _saving(folder: str, title: str, barrier, results) -> None:  # pragma: no cover - a child
    draft = DesignDraft(folder, course_id="it-risk")
    draft.add_activity(title)
    barrier.wait()
    try:
        draft.save()
        results.put((title, "saved"))
    except Exception as exc:
        results.put((title, type(exc).__name__))


@pytest.mark.parametrize("kind", ["folder", "workbook"])
def test_two_saves_at_the_same_instant_one_wins_the_other_is_refused(
    sample_copy, tmp_path, forkserver, kind
):
    if kind == "workbook":
        sample_copy = convert(sample_copy, tmp_path / "designs.xlsx")
    barrier, results = forkserver.Barrier(2), forkserver.Queue()
    procs = [
        forkserver.Process(target=_saving, args=(str(sample_copy), t, barrier, results))
        for t in ("Alice's activity", "Bob's activity")
    ]
    for proc in procs:
        proc.start()
    outcome = dict(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join()
    assert sorted(outcome.values()) == ["DesignChangedError", "saved"]
    winner = next(t for t, r in outcome.items() if r == "saved")
    titles = tables_of(sample_copy)["activities"]["title"].tolist()
    assert titles.count(winner) == 1 and len([t for t in titles if "'s activity" in t]) == 1
    folder = sample_copy if kind == "folder" else tmp_path
    assert own_files(folder) == []


def test_a_save_waiting_too_long_for_the_lock_says_so_and_writes_nothing(sample_copy, monkeypatch):
    monkeypatch.setattr("socialkit.editor.draft.SAVE_TIMEOUT", 0.2)
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.add_activity("Mine")
    # the sample's statements folder holds files too
    before = {p.name: p.read_bytes() for p in sample_copy.iterdir() if p.is_file()}

    def users_files() -> dict[str, bytes]:
        return {
            p.name: p.read_bytes()
            for p in sample_copy.iterdir()
            if p.is_file() and not is_own_file(p)
        }

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from socialkit.contract.transact import portfolio_lock\n"
            f"with portfolio_lock({str(sample_copy)!r}):\n"
            "    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(PortfolioBusyError, match=r"stayed locked for 0.2 s.*edits are still"):
            draft.save()
    finally:
        holder.kill()
        holder.wait()
    assert users_files() == before and draft.dirty
    draft.save()  # the lock is free again: the killed holder's lock file is no obstacle
    assert "Mine" in tables_of(sample_copy)["activities"]["title"].tolist()
    assert own_files(sample_copy) == []  # and it went with the save


# --------------------------------------------------------------------------- CSV layout
def _bom_crlf(folder: Path) -> None:
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))


def test_editor_save_keeps_bom_and_crlf_and_leaves_other_files_untouched(sample_copy):
    _bom_crlf(sample_copy)
    untouched = ("courses.csv", "objectives.csv", "organisations.csv")
    stats = {n: os.stat(sample_copy / n) for n in untouched}
    time.sleep(0.01)
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.set_activity("A1", title="Définir le risque")
    draft.save()
    data = (sample_copy / "activities.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    assert data.count(b"\n") == data.count(b"\r\n") > 20
    assert "Définir le risque".encode() in data
    for name in untouched:
        now = os.stat(sample_copy / name)
        assert (now.st_ino, now.st_mtime_ns) == (stats[name].st_ino, stats[name].st_mtime_ns)
    assert tables_of(sample_copy)["activities"].at[2, "title"] == "Définir le risque"


def test_a_new_table_file_takes_the_layout_of_courses_csv(sample_copy):
    _bom_crlf(sample_copy)
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.set_course(owner="Risk office")
    draft.save()
    data = (sample_copy / "courses.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")


# --------------------------------------------------------------------------- workbooks
def _dressed_workbook(tmp_path: Path) -> tuple[Path, str]:
    """The sample as a workbook a person has worked on in Excel."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    wb = load_workbook(book)
    ws = wb["activities"]
    header = [c.value for c in ws[1]]
    benefit = header.index("learner_benefit") + 1
    last = ws.max_row  # a row of another course than it-risk
    assert ws.cell(row=last, column=1).value != "it-risk"
    formula = ws.cell(row=last, column=benefit)
    formula.value = '="Share "&"notes"'
    ws["D3"].font = Font(bold=True, color="FF0000")
    ws["D3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["D4"].comment = Comment("check with Ana", "Ana")
    ws.column_dimensions["D"].width = 55
    ws.freeze_panes = "C2"
    valid = DataValidation(type="list", formula1='"before,during,after"', allow_blank=True)
    ws.add_data_validation(valid)
    valid.add("F2:F500")
    budget = wb.create_sheet("Budget")
    budget["A1"], budget["A2"] = "keep me", "=6*7"
    wb.save(book)
    # as Excel saves it: each formula with its last result
    _with_results(book, {'<f>"Share "&amp;"notes"</f>': "Share notes", "<f>6*7</f>": 42})
    return book, formula.coordinate


def _with_results(book: Path, results: dict[str, object]) -> None:
    import zipfile

    copy = book.with_name("copy.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(copy, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename).decode("utf-8", "surrogateescape")
            for formula, value in results.items():
                kind = ' t="str"' if isinstance(value, str) else ""
                data = data.replace(f">{formula}<v />", f"{kind}>{formula}<v>{value}</v>")
            dst.writestr(item, data.encode("utf-8", "surrogateescape"))
    copy.replace(book)


def test_editor_save_into_a_workbook_keeps_what_it_does_not_model(tmp_path):
    from openpyxl import load_workbook

    book, formula = _dressed_workbook(tmp_path)
    others = read_tables(book)[0]["activities"].query("course_id != 'it-risk'")
    assert others["learner_benefit"].iloc[-1] == "Share notes"
    draft = DesignDraft(book, course_id="it-risk")
    draft.set_activity("A1", title="Define risk =1+1")
    draft.set_activity("A2", learner_benefit="+5 points: @everyone")
    draft.set_activity("A3", learner_benefit="=SUM(1,2)")
    draft.set_activity("A4", learner_benefit="#N/A")
    new_id = draft.add_activity("-a fresh start", timing="before")
    draft.remove_activity("A6")
    draft.save()
    wb = load_workbook(book)
    ws = wb["activities"]
    assert ws[formula].value == '="Share "&"notes"'
    assert ws["D3"].font.bold and ws["D3"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["D4"].comment.text == "check with Ana"
    assert ws.column_dimensions["D"].width == 55 and ws.freeze_panes == "C2"
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["F2:F500"]
    assert wb["Budget"]["A1"].value == "keep me"
    formulas = [
        (c.coordinate, c.value)
        for sheet in wb
        for row in sheet.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == [(formula, '="Share "&"notes"'), ("A2", "=6*7")]
    acts = read_tables(book)[0]["activities"]
    assert acts.query("course_id != 'it-risk'").equals(others)  # results kept: same values
    assert wb["Budget"]["A2"].value == "=6*7"
    mine = acts[acts["course_id"] == "it-risk"].set_index("activity_id")
    assert mine.at["A1", "title"] == "Define risk =1+1"
    assert mine.at["A2", "learner_benefit"] == "+5 points: @everyone"
    assert mine.loc[["A3", "A4"], "learner_benefit"].tolist() == ["=SUM(1,2)", "#N/A"]
    assert mine.at[new_id, "title"] == "-a fresh start" and "A6" not in mine.index


def test_a_workbook_with_pictures_is_refused_naming_them(tmp_path):
    import zipfile

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    with zipfile.ZipFile(book, "a") as package:
        package.writestr("xl/media/image1.png", b"\x89PNG")
    before = book.read_bytes()
    draft = DesignDraft(book, course_id="it-risk")
    draft.set_activity("A1", title="Mine")
    with pytest.raises(PortfolioWriteError, match=r"holds pictures, which saving .* would lose"):
        draft.save()
    assert book.read_bytes() == before and draft.dirty


# --------------------------------------------------------------------------- odd text
def _with_cell(tmp_path: Path, value: str, column: str = "title") -> Path:
    src = tmp_path / "src"
    shutil.copytree(SAMPLE, src, ignore=shutil.ignore_patterns("*.md"))
    tables = tables_of(src)
    tables["activities"].loc[3, column] = value
    write_tables(tables, src)
    return src


@pytest.mark.parametrize(
    "value",
    [
        "Line one\x0bline two",  # a PowerPoint soft line break
        "bell\x07 nul\x00 esc\x1b form\x0c",
        "literally _x000B_ and _x005F_ and _x000b_",
        "\x0b",
        "cr\r\nlf",
        " \t ",
    ],
)
def test_text_a_workbook_cannot_hold_as_is_round_trips_through_convert(tmp_path, value):
    src = _with_cell(tmp_path, value, "learner_benefit")
    result = CliRunner().invoke(main, ["convert", str(src), str(tmp_path / "x.xlsx")])
    assert result.exit_code == 0, result.output
    assert read_tables(tmp_path / "x.xlsx")[0]["activities"].at[3, "learner_benefit"] == value
    back = CliRunner().invoke(main, ["convert", str(tmp_path / "x.xlsx"), str(tmp_path / "b")])
    assert back.exit_code == 0, back.output
    assert tables_of(tmp_path / "b")["activities"].at[3, "learner_benefit"] == value


def test_a_cell_over_32767_characters_is_refused_with_its_place(tmp_path):
    src = _with_cell(tmp_path, "x" * 40_000, "learner_benefit")
    result = CliRunner().invoke(main, ["convert", str(src), str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert "activities, row 3, column 'learner_benefit'" in result.output
    assert "40,000 characters" in result.output and "32,767" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.xlsx").exists()
    assert own_files(tmp_path) == []


def test_escapes_that_push_a_cell_past_the_limit_are_refused(tmp_path):
    src = _with_cell(tmp_path, "x" + "\x0b" * 5000)  # 5,001 characters, 35,001 escaped
    with pytest.raises(PortfolioWriteError, match=r"row 3, column 'title'.*35,001 once"):
        convert(src, tmp_path / "x.xlsx")


def test_a_character_no_workbook_holds_is_refused(tmp_path):
    src = _with_cell(tmp_path, "odd \ufffe mark")
    with pytest.raises(PortfolioWriteError, match=r"row 3, column 'title'.*U\+FFFE"):
        convert(src, tmp_path / "x.xlsx")


def test_editor_saves_a_soft_line_break_into_a_workbook_and_refuses_a_long_cell(tmp_path):
    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    draft = DesignDraft(book, course_id="it-risk")
    draft.set_activity("A1", title="two\x0blines")
    draft.save()
    assert read_tables(book)[0]["activities"].at[2, "title"] == "two\x0blines"
    before = book.read_bytes()
    draft.set_activity("A1", learner_benefit="y" * 33_000)
    with pytest.raises(PortfolioWriteError, match=r"activities, row 2, column 'learner_benefit'"):
        draft.save()
    assert book.read_bytes() == before


def test_the_form_shows_every_save_error_and_writes_nothing(tmp_path, monkeypatch):
    from socialkit.editor.widget import DesignEditor

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    editor = DesignEditor(book, course_id="it-risk")
    editor.draft.set_activity("A1", learner_benefit="y" * 33_000)
    before = book.read_bytes()
    editor.save_button.click()
    assert "Not saved" in editor.message.value and "32,767" in editor.message.value
    editor.draft.set_activity("A1", learner_benefit="fine")

    def broken(*args, **kwargs):
        raise RuntimeError("disk gremlin")

    monkeypatch.setattr("socialkit.contract.workbook.update_workbook", broken)
    editor.save_button.click()
    assert "unexpected error (RuntimeError: disk gremlin)" in editor.message.value
    assert book.read_bytes() == before and editor.draft.dirty

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("socialkit.contract.workbook.update_workbook", full)
    editor.save_button.click()
    assert "No space left on device" in editor.message.value
    assert book.read_bytes() == before


# --------------------------------------------------------------------------- formulas
def _risky_workbook(tmp_path: Path) -> Path:
    from openpyxl import load_workbook

    book = convert(SAMPLE, tmp_path / "in.xlsx")
    wb = load_workbook(book)
    ws = wb["activities"]
    header = [c.value for c in ws[1]]
    col = header.index("learner_benefit") + 1
    cells = {
        2: '=HYPERLINK("https://evil.example","x")',
        3: "=cmd|' /C calc'!A0",
        4: "@SUM(A1:A2)",
        5: "-5",
        6: "+1+2",
    }
    for row, value in cells.items():
        ws.cell(row=row, column=col).value = value
        ws.cell(row=row, column=col).data_type = "s"  # typed as text, as Excel keeps "'=…"
    wb.save(book)
    return book


def test_convert_to_csv_keeps_formula_like_values_and_warns_with_their_place(tmp_path):
    book = _risky_workbook(tmp_path)
    result = CliRunner().invoke(main, ["convert", str(book), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert [w.split(": value")[0] for w in warned] == [
        f"warning: activities.csv, row {r}, column 'learner_benefit'" for r in (2, 3, 4, 6)
    ]
    assert "runs it as a formula" in warned[0]
    got = tables_of(tmp_path / "out")["activities"]["learner_benefit"]
    assert got.loc[2:6].tolist() == [
        '=HYPERLINK("https://evil.example","x")',
        "=cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "-5",
        "+1+2",
    ]


def test_a_workbook_socialkit_writes_never_holds_a_formula(tmp_path):
    from openpyxl import load_workbook

    book = _risky_workbook(tmp_path)
    convert(book, tmp_path / "out")
    again = convert(tmp_path / "out", tmp_path / "again.xlsx")
    cells = [c for ws in load_workbook(again) for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert {c.value for c in cells} >= {"=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+1+2"}


def test_editor_save_of_a_csv_folder_warns_about_formula_like_cells(sample_copy):
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.set_activity("A1", learner_benefit='=HYPERLINK("https://x")')
    draft.save()
    assert len(draft.save_warnings) == 1
    assert draft.save_warnings[0].startswith("activities.csv, row 2, column 'learner_benefit'")
    assert tables_of(sample_copy)["activities"].at[2, "learner_benefit"].startswith("=HYPER")


# --------------------------------------------------------------------------- refusals
def test_convert_refuses_a_workbook_holding_a_sheet_of_the_users(tmp_path):
    from openpyxl import Workbook

    mine = tmp_path / "mine.xlsx"
    wb = Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = 1200
    wb.save(mine)
    before = mine.read_bytes()
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), str(mine)])
    assert result.exit_code == 2
    assert "sheet 'Budget'" in result.output and "--force" in result.output
    assert mine.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["mine.xlsx"]
    forced = CliRunner().invoke(main, ["convert", str(SAMPLE), str(mine), "--force"])
    assert forced.exit_code == 0 and len(read_tables(mine)[0]["courses"]) == 14


def test_convert_refuses_a_folder_holding_a_file_of_the_users(tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    (dest / "courses.csv").write_text("course_id,title\nold,Old\n")
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), str(dest)])
    assert result.exit_code == 2 and "the file 'notes.txt'" in result.output
    assert (dest / "courses.csv").read_text() == "course_id,title\nold,Old\n"
    assert sorted(os.listdir(dest)) == ["courses.csv", "notes.txt"]
    forced = CliRunner().invoke(main, ["convert", str(SAMPLE), str(dest), "--force"])
    assert forced.exit_code == 0
    assert (dest / "notes.txt").read_text() == "mine"
    assert len(tables_of(dest)["courses"]) == 14


def test_convert_into_a_folder_leaves_exactly_the_sources_tables(tmp_path):
    old, new = two_portfolios(tmp_path)
    dest = tmp_path / "dest"
    assert CliRunner().invoke(main, ["convert", str(new), str(dest)]).exit_code == 0
    assert (dest / "tools.csv").exists()
    result = CliRunner().invoke(main, ["convert", str(old), str(dest)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(dest)) == sorted(os.listdir(old))
    assert same_tables(tables_of(dest), tables_of(old))


def test_convert_refuses_a_file_that_is_not_a_workbook(tmp_path):
    dest = tmp_path / "report.xlsx"
    dest.write_text("not a workbook, but mine")
    with pytest.raises(DestinationNotEmptyError, match=r"not a workbook socialkit can read"):
        convert(SAMPLE, dest)
    assert dest.read_text() == "not a workbook, but mine"


@pytest.mark.parametrize("kind", ["folder", "workbook"])
def test_generate_refuses_a_destination_that_is_not_empty(tmp_path, kind):
    if kind == "folder":
        dest = tmp_path / "realwork"
        shutil.copytree(SAMPLE, dest)
    else:
        dest = convert(SAMPLE, tmp_path / "realwork.xlsx")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["generate", "2", str(dest)])
    assert result.exit_code == 2
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_generate_into_an_empty_or_new_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    for dest in (tmp_path / "empty", tmp_path / "new", tmp_path / "new.xlsx"):
        result = CliRunner().invoke(main, ["generate", "2", str(dest), "--activities", "3"])
        assert result.exit_code == 0, result.output
        assert len(read_tables(dest)[0]["activities"]) == 6


def test_a_read_only_destination_is_one_clear_line(tmp_path):
    # as root, permissions do not stop writes: a read-only file system does
    with tmpfs(tmp_path / "disk", "8m") as disk:
        (disk / "ro").mkdir()
        remount_read_only(disk)
        result = CliRunner().invoke(main, ["convert", str(SAMPLE), str(disk / "ro")])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "Read-only file system" in result.output and os.listdir(disk / "ro") == []
        new = CliRunner().invoke(main, ["convert", str(SAMPLE), str(disk / "new.xlsx")])
        assert new.exit_code == 1 and "Read-only file system" in new.output
        assert sorted(os.listdir(disk)) == ["ro"]


def test_change_detection_still_refuses_a_stale_draft(sample_copy):
    first = DesignDraft(sample_copy, course_id="it-risk")
    second = DesignDraft(sample_copy, course_id="it-risk")
    first.add_activity("First")
    first.save()
    second.add_activity("Second")
    with pytest.raises(DesignChangedError, match=r"changed on disk since the editor read it"):
        second.save()


@pytest.mark.parametrize("command", ["convert", "generate"])
@pytest.mark.parametrize("dest", ["notes.txt/portfolio", "notes.txt/designs.xlsx", "notes.txt"])
def test_a_destination_under_a_file_is_one_clear_line(tmp_path, command, dest):
    (tmp_path / "notes.txt").write_text("mine")
    args = [command, str(SAMPLE) if command == "convert" else "2", str(tmp_path / dest)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "notes.txt" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


# ------------------------------------------------------------ results of other rows' formulas
def _workbook_with_results(tmp_path: Path) -> tuple[Path, str, str]:
    """The sample as a workbook whose other rows hold formulas Excel saved with results."""
    from openpyxl import load_workbook

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    wb = load_workbook(book)
    ws = wb["activities"]
    header = [c.value for c in ws[1]]
    benefit = header.index("learner_benefit") + 1
    last = ws.max_row
    assert ws.cell(row=last, column=1).value != "it-risk"
    text_cell = ws.cell(row=last, column=benefit)
    text_cell.value = '="#TEAM"'
    error_cell = wb.create_sheet("Budget")["B2"]
    error_cell.value = "=1/0"
    wb.save(book)
    import zipfile

    copy = book.with_name("copy.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(copy, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename).decode("utf-8")
            data = data.replace('><f>"#TEAM"</f><v />', ' t="str"><f>"#TEAM"</f><v>#TEAM</v>')
            data = data.replace("><f>1/0</f><v />", ' t="e"><f>1/0</f><v>#DIV/0!</v>')
            dst.writestr(item, data.encode("utf-8"))
    copy.replace(book)
    return book, text_cell.coordinate, error_cell.coordinate


def test_a_text_result_starting_with_a_hash_stays_text_after_an_editor_save(tmp_path):
    import zipfile

    book, text_ref, error_ref = _workbook_with_results(tmp_path)
    before = read_tables(book)[0]["activities"].query("course_id != 'it-risk'")
    assert before["learner_benefit"].iloc[-1] == "#TEAM"
    draft = DesignDraft(book, course_id="it-risk")
    draft.set_activity("A1", title="Define risk")
    draft.save()
    with zipfile.ZipFile(book) as package:
        sheets = "".join(
            package.read(n).decode("utf-8") for n in package.namelist() if "worksheets/" in n
        )
    assert f'<c r="{text_ref}" t="str"><f>"#TEAM"</f><v>#TEAM</v>' in sheets
    assert f'<c r="{error_ref}" t="e"><f>1/0</f><v>#DIV/0!</v>' in sheets
    after = read_tables(book)[0]["activities"]
    assert after.query("course_id != 'it-risk'")["learner_benefit"].iloc[-1] == "#TEAM"
    mine = after[after["course_id"] == "it-risk"].set_index("activity_id")
    assert mine.at["A1", "title"] == "Define risk"


def test_an_unknown_hash_error_is_kept_as_text(tmp_path):
    from socialkit.contract.workbook import _result_xml

    assert _result_xml(("e", "#N/A")) == (' t="e"', "#N/A")
    assert _result_xml(("e", "#TEAM")) == (' t="str"', "#TEAM")
    assert _result_xml(("str", "#NAME?")) == (' t="str"', "#NAME?")


def test_a_date_result_of_another_row_reads_the_same_after_an_editor_save(tmp_path):
    import zipfile

    from openpyxl import load_workbook

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    wb = load_workbook(book)
    ws = wb["activities"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=ws.max_row, column=header.index("learner_benefit") + 1)
    cell.value = "=DATE(2026,1,2)"
    cell.number_format = "yyyy-mm-dd"
    wb.save(book)
    copy = book.with_name("copy.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(copy, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename).decode("utf-8")
            # 2026-01-02 is serial 46024 (days since 1899-12-30)
            data = data.replace("<f>DATE(2026,1,2)</f><v />", "<f>DATE(2026,1,2)</f><v>46024</v>")
            dst.writestr(item, data.encode("utf-8"))
    copy.replace(book)
    before = read_tables(book)[0]["activities"]["learner_benefit"].iloc[-1]
    assert before.startswith("2026-01-02")
    draft = DesignDraft(book, course_id="it-risk")
    draft.set_activity("A1", title="Define risk")
    draft.save()
    assert read_tables(book)[0]["activities"]["learner_benefit"].iloc[-1] == before


# ------------------------------------------------------------------------ symbolic links
def test_an_editor_save_through_a_linked_workbook_updates_the_shared_file(tmp_path):
    shared = convert(SAMPLE, tmp_path / "shared" / "designs.xlsx")
    link = tmp_path / "mine.xlsx"
    link.symlink_to(shared)
    draft = DesignDraft(link, course_id="it-risk")
    draft.set_activity("A1", title="Through the link")
    draft.save()
    assert link.is_symlink() and os.readlink(link) == str(shared)
    acts = read_tables(shared)[0]["activities"].query("course_id == 'it-risk'")
    assert acts.set_index("activity_id").at["A1", "title"] == "Through the link"
    assert own_files(tmp_path) == [] and own_files(shared.parent) == []


def test_two_links_to_one_workbook_share_one_lock(tmp_path):
    from socialkit.base.files import lock_file_for

    shared = convert(SAMPLE, tmp_path / "shared" / "designs.xlsx")
    a, b = tmp_path / "a.xlsx", tmp_path / "b" / "other.xlsx"
    b.parent.mkdir()
    a.symlink_to(shared)
    b.symlink_to(os.path.relpath(shared, b.parent))
    expected = shared.parent / ".designs.xlsx.socialkit.lock"
    assert lock_file_for(a) == lock_file_for(b) == expected
    with transact.portfolio_lock(a):
        with pytest.raises(PortfolioBusyError, match="being written by another process"):
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                error = pool.apply(_lock_in_child, (str(b),))
                raise PortfolioBusyError(error) if error else AssertionError("not locked")


def _lock_in_child(path: str) -> str:  # pragma: no cover - a child
    try:
        with transact.portfolio_lock(path, timeout=0.2):
            return ""
    except PortfolioBusyError as exc:
        return str(exc)


def test_convert_to_a_linked_workbook_writes_the_file_it_points_to(tmp_path):
    shared = tmp_path / "shared" / "designs.xlsx"
    shared.parent.mkdir()
    convert(SAMPLE, shared)
    link = tmp_path / "linkbook.xlsx"
    link.symlink_to(shared)
    folder = convert(SAMPLE, tmp_path / "data")
    courses = folder / "courses.csv"
    courses.write_text(courses.read_text(encoding="utf-8").replace("IT", "XT", 1), "utf-8")
    convert(folder, link, check=False)
    assert link.is_symlink()
    assert read_tables(shared)[0]["courses"].equals(read_tables(folder)[0]["courses"])


def test_a_linked_table_file_of_a_folder_is_written_through(tmp_path):
    folder = convert(SAMPLE, tmp_path / "data")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "activities.csv").rename(elsewhere / "activities.csv")
    (folder / "activities.csv").symlink_to(elsewhere / "activities.csv")
    draft = DesignDraft(folder, course_id="it-risk")
    draft.set_activity("A1", title="Linked table")
    draft.save()
    assert (folder / "activities.csv").is_symlink()
    acts = pd.read_csv(elsewhere / "activities.csv", dtype=str).query("course_id == 'it-risk'")
    assert acts.set_index("activity_id").at["A1", "title"] == "Linked table"
    assert own_files(folder) == [] and own_files(elsewhere) == []


def test_a_dangling_link_as_destination_is_refused_naming_it(tmp_path):
    link = tmp_path / "gone.xlsx"
    link.symlink_to(tmp_path / "nowhere" / "designs.xlsx")
    with pytest.raises(PortfolioWriteError, match=r"gone\.xlsx.*symbolic link.*does not exist"):
        convert(SAMPLE, link)
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()
    folder = convert(SAMPLE, tmp_path / "data")
    (folder / "objectives.csv").unlink()
    (folder / "objectives.csv").symlink_to(tmp_path / "missing.csv")
    with pytest.raises(
        PortfolioWriteError, match=r"objectives\.csv.*symbolic link.*does not exist"
    ):
        convert(SAMPLE, folder)


# ------------------------------------------------- convert over a workbook the user worked on
def _worked_on(tmp_path: Path, change) -> tuple[Path, bytes]:
    from openpyxl import load_workbook

    book = convert(SAMPLE, tmp_path / "designs.xlsx")
    wb = load_workbook(book)
    change(wb)
    wb.save(book)
    return book, book.read_bytes()


def _chart(wb) -> None:
    from openpyxl.chart import BarChart, Reference

    ws = wb["courses"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    ws.add_chart(chart, "Z5")


def _comment(wb) -> None:
    from openpyxl.comments import Comment

    wb["activities"]["B2"].comment = Comment("ask Ana", "Ana")


def _defined_name(wb) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["MyBudget"] = DefinedName("MyBudget", attr_text="courses!$A$1:$A$3")


def _my_column(wb) -> None:
    wb["courses"]["Z1"] = "my col"
    wb["courses"]["Z2"] = "42 hours"


def _unnamed_column(wb) -> None:
    ws = wb["activities"]
    ws.cell(row=3, column=ws.max_column + 2, value="scribble")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_chart, "charts"),
        (_comment, "comments"),
        (_defined_name, "the defined name 'MyBudget'"),
        (_my_column, "column Z 'my col' of sheet 'courses'"),
        (_unnamed_column, "without a header of sheet 'activities'"),
    ],
)
def test_convert_over_a_workbook_refuses_what_it_would_lose(tmp_path, change, named):
    book, before = _worked_on(tmp_path, change)
    with pytest.raises(DestinationNotEmptyError, match=re.escape(named) + ".*--force"):
        convert(SAMPLE, book)
    assert book.read_bytes() == before
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), str(book)])
    assert result.exit_code != 0 and named in result.output
    assert book.read_bytes() == before and own_files(tmp_path) == []
    convert(SAMPLE, book, force=True)
    assert read_tables(book)[0]["courses"].equals(read_tables(SAMPLE)[0]["courses"])


def test_convert_keeps_accepting_a_workbook_with_the_sources_own_extra_columns(tmp_path):
    folder = convert(SAMPLE, tmp_path / "data")
    courses = pd.read_csv(folder / "courses.csv", dtype=str, keep_default_na=False)
    courses["room"] = "B12"
    courses.to_csv(folder / "courses.csv", index=False)
    book = convert(folder, tmp_path / "designs.xlsx", check=False)
    convert(folder, book, check=False)  # socialkit's own columns: no refusal
    assert read_tables(book)[0]["courses"]["room"].eq("B12").all()


# ------------------------------------------------ a committed write that cannot be completed
def _busy_tables(monkeypatch) -> None:
    """Renaming over a table file fails as when another program holds it (EBUSY)."""
    import errno

    real = os.replace

    def replace(src, dest, *args, **kwargs):
        if str(dest).endswith(".csv"):
            raise OSError(errno.EBUSY, "Device or resource busy", str(dest))
        return real(src, dest, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_a_committed_write_that_cannot_be_completed_says_so_to_writer_and_readers(
    tmp_path, monkeypatch
):
    old, new = two_portfolios(tmp_path)
    dest = tmp_path / "dest"
    shutil.copytree(old, dest)
    _busy_tables(monkeypatch)
    with pytest.raises(PortfolioWriteError, match=r"committed but could not be completed") as e:
        write_tables(tables_of(new), dest)
    assert "nothing was written" not in str(e.value)
    assert "Device or resource busy ('courses.csv')" in str(e.value)
    assert (dest / JOURNAL_NAME).exists()
    assert (dest / "courses.csv").read_bytes() == (old / "courses.csv").read_bytes()
    with pytest.raises(PortfolioReadError, match=r"committed but could not be completed.*again"):
        read_tables(dest)
    with pytest.raises(PortfolioReadError, match=r"committed but could not be completed"):
        load_portfolio(dest)
    result = CliRunner().invoke(main, ["check", str(dest)])
    assert result.exit_code != 0 and "committed but could not be completed" in result.output
    assert not isinstance(result.exception, OSError)
    result = CliRunner().invoke(main, ["check", "--json", str(dest)])
    assert result.exit_code != 0 and not isinstance(result.exception, OSError)
    assert "committed but could not be completed" in result.output
    monkeypatch.undo()  # the other program let go: the next reader completes the write
    assert same_tables(tables_of(dest), tables_of(new))
    assert own_files(dest) == []


def test_an_editor_save_whose_commit_cannot_be_completed_does_not_say_nothing_was_written(
    sample_copy, monkeypatch
):
    draft = DesignDraft(sample_copy, course_id="it-risk")
    draft.set_activity("A1", title="Held open")
    _busy_tables(monkeypatch)
    with pytest.raises(PortfolioWriteError, match=r"committed but could not be completed") as e:
        draft.save()
    assert "nothing was written" not in str(e.value)
    monkeypatch.undo()
    acts = tables_of(sample_copy)["activities"].query("course_id == 'it-risk'")
    assert acts.set_index("activity_id").at["A1", "title"] == "Held open"


def test_a_deeply_nested_journal_is_refused_as_damaged(tmp_path):
    dest = tmp_path / "dest"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("*.md"))
    (dest / JOURNAL_NAME).write_text("[" * 100000)
    with pytest.raises(PortfolioReadError, match=r"not a journal socialkit wrote"):
        read_tables(dest)
    result = CliRunner().invoke(main, ["check", str(dest)])
    assert result.exit_code != 0 and "not a journal socialkit wrote" in result.output
    assert (dest / JOURNAL_NAME).read_text() == "[" * 100000


# ------------------------------------------------------------------ generate: a size cap
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["99999999999"], "99,999,999,999 courses: at most 1,000,000"),
        (["1000001"], "1,000,001 courses: at most 1,000,000"),
        (["5", "--activities", "1001"], "1,001 activities per course: at most 1,000"),
        (["20001", "--activities", "1000"], "20,001,000 activities: at most 20,000,000"),
    ],
)
def test_generate_refuses_a_portfolio_too_large_as_a_usage_error(tmp_path, args, named):
    dest = tmp_path / "big"
    result = CliRunner().invoke(main, ["generate", args[0], str(dest), *args[1:]])
    assert result.exit_code == 2 and named in result.output
    assert not dest.exists()


def test_make_portfolio_tables_refuses_the_same_sizes():
    from socialkit.contract.synth import make_portfolio_tables

    with pytest.raises(ValueError, match=r"1,001 activities per course: at most 1,000"):
        make_portfolio_tables(1, activities_per_course=1001)
    assert len(make_portfolio_tables(2, activities_per_course=3)["activities"]) == 6
