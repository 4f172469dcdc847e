"""The ``socialkit`` command, end to end in a subprocess (the installed console script)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data"
SOCIALKIT = Path(sys.executable).parent / "socialkit"
TIMINGS = ["before", "during", "after"]
DIRECTIONS = ["one-to-many", "many-to-one", "many-to-many"]
SAMPLE_COURSES = [
    "it-risk",
    "onboarding-30",
    "warehouse-safety",
    "lean-basics",
    "lead-first-time",
    "compliance-abc",
    "agile-teams",
    "sales-consultative",
    "cust-service",
    "product-launch",
    "gdpr-basics",
    "coaching-skills",
    "hand-hygiene",
    "presenting",
]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SOCIALKIT.exists(), f"console script missing: {SOCIALKIT}"
    result = subprocess.run(
        [str(SOCIALKIT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    return result


def check_json(path: Path | str, cwd: Path, code: int = 0) -> dict:
    result = run("check", path, "--json", cwd=cwd)
    assert result.returncode == code, result.stdout + result.stderr
    return json.loads(result.stdout)


def broken_copy(tmp_path: Path) -> Path:
    """The sample with it-risk A1's timing (activities.csv row 2) set to 'sometime'."""
    src = tmp_path / "broken"
    shutil.copytree(SAMPLE, src)
    lines = (src / "activities.csv").read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("it-risk,A1,1,") and ",before," in lines[1]
    lines[1] = lines[1].replace(",before,", ",sometime,", 1)
    (src / "activities.csv").write_text("\n".join(lines), encoding="utf-8")
    return src


def by_hand_matrix(course_id: str) -> dict[str, dict[str, int]]:
    """Count timing x direction of one course straight from data/activities.csv."""
    import csv

    counts = {t: dict.fromkeys(DIRECTIONS, 0) for t in TIMINGS}
    with open(SAMPLE / "activities.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["course_id"] == course_id:
                counts[row["timing"]][row["direction"]] += 1
    return counts


# --------------------------------------------------------------------------- check
def test_check_without_path_checks_the_bundled_sample(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for cid in SAMPLE_COURSES:
        assert cid in result.stdout
    assert "14 course" in result.stdout


def test_check_json_document(tmp_path: Path) -> None:
    doc = check_json(SAMPLE, tmp_path)
    assert {"valid", "errors", "warnings", "courses"} <= set(doc)
    assert doc["valid"] is True
    assert doc["errors"] == []
    assert isinstance(doc["warnings"], list)
    assert [c["course_id"] for c in doc["courses"]] == SAMPLE_COURSES
    for course in doc["courses"]:
        assert set(course["matrix"]) >= set(TIMINGS)
        for timing in TIMINGS:
            assert set(course["matrix"][timing]) >= set(DIRECTIONS)
            assert all(isinstance(n, int) for n in course["matrix"][timing].values())
        assert [q["question"] for q in course["checklist"]] == [1, 2, 3, 4, 5, 6]
        for q in course["checklist"]:
            assert isinstance(q["ok"], bool)
            assert isinstance(q["gaps"], list)
            assert q["ok"] == (q["gaps"] == [])
        assert isinstance(course["flipped_share"], float)
        assert 0.0 <= course["flipped_share"] <= 1.0


def test_check_json_it_risk_matrix_matches_a_hand_count(tmp_path: Path) -> None:
    doc = check_json(SAMPLE, tmp_path)
    course = next(c for c in doc["courses"] if c["course_id"] == "it-risk")
    # data/activities.csv, it-risk: A1 before 1:n; A2, A3 before n:n; A4 during n:n;
    # A5 during n:1; A6 after n:n
    expected = {
        "before": {"one-to-many": 1, "many-to-one": 0, "many-to-many": 2},
        "during": {"one-to-many": 0, "many-to-one": 1, "many-to-many": 1},
        "after": {"one-to-many": 0, "many-to-one": 0, "many-to-many": 1},
    }
    assert expected == by_hand_matrix("it-risk")
    got = {t: {d: course["matrix"][t][d] for d in DIRECTIONS} for t in TIMINGS}
    assert got == expected
    total = sum(n for row in course["matrix"].values() for n in row.values())
    assert total == 6
    assert course["flipped_share"] == pytest.approx(4 / 6)
    assert all(q["ok"] for q in course["checklist"])  # every decision is made in it-risk


def test_check_json_counts_synonyms_under_their_canonical_value(tmp_path: Path) -> None:
    doc = check_json(SAMPLE, tmp_path)
    courses = {c["course_id"]: c for c in doc["courses"]}
    # warehouse-safety A1 is 'pre-class' one-to-many; hand-hygiene A2 is before 'n:1'
    assert courses["warehouse-safety"]["matrix"]["before"]["one-to-many"] == 1
    assert courses["hand-hygiene"]["matrix"]["before"]["many-to-one"] == 1
    # lean-basics A5 is 'post' with a blank direction: after, undecided direction
    lean = courses["lean-basics"]["matrix"]
    assert sum(lean["after"][d] for d in DIRECTIONS) == 0
    assert sum(lean["after"].values()) == 1


def test_check_invalid_portfolio(tmp_path: Path) -> None:
    src = broken_copy(tmp_path)
    doc = check_json(src, tmp_path, code=1)
    assert doc["valid"] is False
    # only it-risk is invalid: every other course is analysed
    assert [c["course_id"] for c in doc["courses"]] == SAMPLE_COURSES[1:]
    assert doc["invalid_courses"] == [
        {
            "course_id": "it-risk",
            "title": "Measuring the risks of international projects",
            "errors": 1,
        }
    ]
    assert len(doc["errors"]) == 1
    err = doc["errors"][0]
    assert {"table", "row", "column", "value", "message", "course_id"} <= set(err)
    assert (err["table"], err["row"], err["column"], err["value"], err["course_id"]) == (
        "activities",
        2,
        "timing",
        "sometime",
        "it-risk",
    )
    assert "before" in err["message"]
    assert all(w["course_id"] != "it-risk" for w in doc["warnings"])

    text = run("check", src, cwd=tmp_path)
    assert text.returncode == 1
    assert "activities, row 2, column 'timing'" in text.stdout
    assert "sometime" in text.stdout


def test_check_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", tmp_path / "nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere" in result.stderr


def test_check_folder_without_required_tables(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("check", tmp_path / "empty", cwd=tmp_path)
    assert result.returncode == 2
    assert "courses" in result.stderr


def test_check_unreadable_csv_fails_cleanly(tmp_path: Path) -> None:
    src = tmp_path / "latin"
    shutil.copytree(SAMPLE, src)
    (src / "objectives.csv").write_bytes(
        "course_id,objective_id,statement\nit-risk,O1,Améliorer\n".encode("latin-1")
    )
    result = run("check", src, cwd=tmp_path)
    assert result.returncode == 1
    assert "objectives.csv" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["check", "--bogus"], ["check", "--limit", "-1"], ["convert", "only-one"], ["nonsense"]],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2


# --------------------------------------------------------------------------- convert
def test_convert_to_xlsx_then_check_gives_the_same_courses(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = run("convert", SAMPLE, out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    from_csv = check_json(SAMPLE, tmp_path)
    from_xlsx = check_json(out, tmp_path)
    assert from_xlsx["valid"] is True
    assert [c["course_id"] for c in from_xlsx["courses"]] == SAMPLE_COURSES
    for a, b in zip(from_csv["courses"], from_xlsx["courses"], strict=True):
        assert a["matrix"] == b["matrix"]
        assert a["checklist"] == b["checklist"]
        assert a["flipped_share"] == b["flipped_share"]
    assert len(from_xlsx["warnings"]) == len(from_csv["warnings"])


def test_convert_says_what_it_does_on_a_big_portfolio(tmp_path: Path, monkeypatch) -> None:
    import socialkit.cli
    import socialkit.console
    import socialkit.contract.writers

    # the sample stands for a big portfolio: every byte and row counts as slow
    monkeypatch.setattr(socialkit.console, "SLOW_READ_BYTES", 1)
    monkeypatch.setattr(socialkit.cli, "SLOW_WRITE_ROWS", 1)
    monkeypatch.setattr(socialkit.contract.writers, "PROGRESS_STEP", 50)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), str(out)])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert err.startswith(f"reading and checking {SAMPLE} ...\n")
    # courses, objectives, activities, organisations, runs and people of the sample
    rows = 14 + 38 + 78 + 4 + 5 + 51
    assert "writing out.xlsx: 100%" in err and f"{rows}/{rows}" in err
    assert err.rstrip().endswith(f"saving {out} ...")
    assert result.stdout == f"wrote {out}\n"


def test_convert_of_a_small_portfolio_prints_only_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = run("convert", SAMPLE, out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == f"wrote {out}\n"


def test_convert_invalid_source_writes_nothing(tmp_path: Path) -> None:
    src = broken_copy(tmp_path)
    out = tmp_path / "out.xlsx"
    result = run("convert", src, out, cwd=tmp_path)
    assert result.returncode == 1
    assert "sometime" in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".out.xlsx*")) == []


def test_convert_no_check_writes_an_invalid_source(tmp_path: Path) -> None:
    src = broken_copy(tmp_path)
    out = tmp_path / "out"
    result = run("convert", src, out, "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (out / "activities.csv").read_text(encoding="utf-8") == (
        src / "activities.csv"
    ).read_text(encoding="utf-8")


def test_convert_missing_source_is_a_usage_error(tmp_path: Path) -> None:
    result = run("convert", tmp_path / "nowhere", tmp_path / "out.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert not (tmp_path / "out.xlsx").exists()


# --------------------------------------------------------------------------- generate
def test_generate_then_check_is_valid(tmp_path: Path) -> None:
    dest = tmp_path / "gen"
    result = run("generate", "5", dest, "--activities", "6", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = check_json(dest, tmp_path)
    assert doc["valid"] is True
    assert doc["errors"] == []
    assert len(doc["courses"]) == 5
    for course in doc["courses"]:
        total = sum(n for row in course["matrix"].values() for n in row.values())
        assert total == 6


def test_generate_xlsx_then_check_is_valid(tmp_path: Path) -> None:
    dest = tmp_path / "gen.xlsx"
    result = run("generate", "3", dest, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = check_json(dest, tmp_path)
    assert doc["valid"] is True
    assert len(doc["courses"]) == 3


def test_convert_then_check_a_design_with_blank_last_columns(tmp_path: Path) -> None:
    # every row leaves its last columns blank: a draft design just started
    src = tmp_path / "draft"
    src.mkdir()
    (src / "courses.csv").write_text("course_id,title,organisation,status\nc1,Draft,,\n")
    (src / "objectives.csv").write_text("course_id,objective_id,statement\nc1,o1,Do it\n")
    (src / "activities.csv").write_text(
        "course_id,activity_id,seq,title,timing,minutes\nc1,a1,1,Act,,\n"
    )
    out = tmp_path / "draft.xlsx"
    assert run("convert", src, out, cwd=tmp_path).returncode == 0
    doc = check_json(out, tmp_path)
    assert doc["valid"] is True
    assert [c["course_id"] for c in doc["courses"]] == ["c1"]


def test_check_of_an_invalid_portfolio_still_mentions_unknown_columns(tmp_path: Path) -> None:
    src = tmp_path / "p"
    src.mkdir()
    (src / "courses.csv").write_text("course_id,title,budget\nc1,T,100\n", encoding="utf-8")
    (src / "objectives.csv").write_text("course_id,objective_id,statement\n", encoding="utf-8")
    (src / "activities.csv").write_text(
        "course_id,activity_id,seq,title\nc1,a1,0,Too early\n", encoding="utf-8"
    )
    result = run("check", src, cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown column(s) 'budget' kept but ignored" in result.stdout
    assert "activities, row 2, column 'seq': value '0': expected a whole number from 1 to" in (
        result.stdout
    )


def python_prints(code: str) -> str:
    """What a fresh interpreter running ``code`` prints."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_check_runs_the_column_rules_without_importing_pandera() -> None:
    """pandera (and hypothesis, which pandera imports when installed) took some 0.3 s of
    every start; the rules run as plain predicates, and pandera builds the same rules only
    when a program asks for the schema."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from socialkit.cli import main\n"
        "result = CliRunner().invoke(main, ['check'])\n"
        "during = sorted({m.split('.')[0] for m in sys.modules} & {'hypothesis', 'pandera'})\n"
        "from socialkit.contract.column_rules import pandera_schema\n"
        "schema = pandera_schema('activities')\n"
        "print(result.exit_code, ','.join(during) or '-', type(schema).__name__)\n"
    )
    assert python_prints(code).split() == ["0", "-", "DataFrameSchema"]


def test_check_keeps_the_garbage_collector_off_while_it_runs_and_gives_it_back() -> None:
    code = (
        "import gc\n"
        "import socialkit.analysis.check as check\n"
        "from click.testing import CliRunner\n"
        "from socialkit.cli import main\n"
        "seen = []\n"
        "real = check.check_portfolio\n"
        "def spy(path=None):\n"
        "    seen.append(gc.isenabled())\n"
        "    return real(path)\n"
        "check.check_portfolio = spy\n"
        "result = CliRunner().invoke(main, ['check'])\n"
        "print(result.exit_code, seen, gc.isenabled())\n"
    )
    assert python_prints(code) == "0 [False] True"


def test_check_says_what_it_does_on_a_big_portfolio_only(tmp_path: Path, monkeypatch) -> None:
    import socialkit.console

    quiet = CliRunner().invoke(main, ["check", str(SAMPLE), "--json", "--advice"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    # the sample stands for a big portfolio: every byte counts as slow
    monkeypatch.setattr(socialkit.console, "SLOW_READ_BYTES", 1)
    result = CliRunner().invoke(main, ["check", str(SAMPLE), "--json", "--advice"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"reading and checking {SAMPLE} ...\nwriting the advice on every activity ...\n"
    )
    assert json.loads(result.stdout) == json.loads(quiet.stdout)  # the output as before
    text = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert text.stderr == f"reading and checking {SAMPLE} ...\n"


@pytest.mark.parametrize("broken", [False, True])
def test_the_program_writes_all_of_check_s_output_before_it_ends(tmp_path: Path, broken) -> None:
    """As the socialkit program, check ends the process as soon as its output is
    flushed (without the interpreter's teardown): the document is whole, the status kept."""
    folder = tmp_path / "p"
    shutil.copytree(SAMPLE, folder)
    if broken:  # an unknown timing: that course is invalid, the portfolio too
        acts = folder / "activities.csv"
        acts.write_text(acts.read_text("utf-8").replace(",before,", ",soon,", 1), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "socialkit", "check", str(folder), "--json"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == (1 if broken else 0), done.stderr
    document = json.loads(done.stdout)
    assert document["valid"] is not broken
    assert len(document["courses"]) == (len(SAMPLE_COURSES) - broken)
    assert done.stdout.endswith(b"}\n")
