"""Fault injection for ``socialkit check`` and the partial load behind it.

Each test makes a portfolio as a user would (CSV files, a workbook, a broken file), runs
the command or the library call, and checks the promise: one bad course does not stop
the others, machine output is always one JSON object that says exactly what the files
hold, numbers past their limits are located errors, and ``--limit`` is kept.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialkit.cli import main
from socialkit.contract.io import load_portfolio
from socialkit.contract.schema import ISSUE_COLUMNS
from socialkit.errors import InvalidCourseError, ValidationError
from socialkit.reports import display

SOCIALKIT = Path(sys.executable).parent / "socialkit"
ACTIVITY_HEADER = [
    "course_id",
    "activity_id",
    "seq",
    "title",
    "objective_id",
    "timing",
    "direction",
    "tool_type",
    "tool",
    "minutes",
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def act(cid: str, aid: str, seq: str, title: str = "", **kw: str) -> list[str]:
    """An activity row, decided (objective O1, before, one-to-many, content, no tool)."""
    values = {
        "objective_id": "O1",
        "timing": "before",
        "direction": "one-to-many",
        "tool_type": "content",
        "tool": "none",
        "minutes": "10",
        **kw,
    }
    return [cid, aid, seq, title or f"{cid} {aid}", *(values[c] for c in ACTIVITY_HEADER[4:])]


def portfolio(
    folder: Path,
    courses: list[list[str]],
    activities: list[list[str]],
    objectives: list[list[str]] | None = None,
) -> Path:
    """A CSV folder: courses (id, title[, organisation]), one objective O1 per course."""
    folder.mkdir(parents=True, exist_ok=True)
    width = max(len(c) for c in courses)
    write_csv(folder / "courses.csv", ["course_id", "title", "organisation"][:width], courses)
    if objectives is None:
        objectives = [[c[0], "O1", "Do the thing"] for c in courses]
    write_csv(folder / "objectives.csv", ["course_id", "objective_id", "statement"], objectives)
    write_csv(folder / "activities.csv", ACTIVITY_HEADER, activities)
    return folder


def run(
    *args: str | Path | bytes, cwd: Path, subprocess_: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the command: in this process through click (fast), or as the console script."""
    if not subprocess_ and not any(isinstance(a, bytes) for a in args):
        got = CliRunner().invoke(main, [str(a) for a in args])
        assert got.exception is None or isinstance(got.exception, SystemExit), got.exc_info
        return subprocess.CompletedProcess(args, got.exit_code, got.stdout, got.stderr)
    result = subprocess.run(
        [str(SOCIALKIT), *(a if isinstance(a, bytes) else str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=300,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def check_json(path: Path | bytes, cwd: Path, code: int, *, subprocess_: bool = False) -> dict:
    result = run("check", path, "--json", cwd=cwd, subprocess_=subprocess_)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout.count("\n") == 1, "one JSON document on one line"
    return json.loads(result.stdout)


def four_courses(tmp_path: Path) -> Path:
    """c1 and c4 valid; c2 with a bad timing and a duplicate seq; c3 linking to no objective.

    activities.csv rows (header = row 1): 2 c1/A1, 3 c2/A1, 4 c2/A2 (seq 1 again),
    5 c2/A3 (timing 'sometime'), 6 c3/A1 (objective O9), 7 c4/A1, 8 zz/A1 (no such course).
    """
    return portfolio(
        tmp_path / "p",
        [["c1", "One"], ["c2", "Two"], ["c3", "Three"], ["c4", "Four"]],
        [
            act("c1", "A1", "1"),
            act("c2", "A1", "1"),
            act("c2", "A2", "1"),
            act("c2", "A3", "2", timing="sometime"),
            act("c3", "A1", "1", objective_id="O9"),
            act("c4", "A1", "1"),
            act("zz", "A1", "1"),
        ],
    )


# --------------------------------------------------------------------------- item 4
def test_check_json_lists_invalid_courses_and_analyses_the_others(tmp_path: Path) -> None:
    doc = check_json(four_courses(tmp_path), tmp_path, code=1)
    assert doc["valid"] is False
    assert [c["course_id"] for c in doc["courses"]] == ["c1", "c4"]
    assert doc["courses"][0]["matrix"]["before"]["one-to-many"] == 1
    got = [
        (e["table"], e["row"], e["column"], e["value"], e["course_id"], e["code"])
        for e in doc["errors"]
    ]
    assert got == [
        ("activities", 4, "seq", "1", "c2", "duplicate"),
        ("activities", 5, "timing", "sometime", "c2", "not-in-vocabulary"),
        ("activities", 6, "objective_id", "O9", "c3", "unknown-objective"),
        ("activities", 8, "course_id", "zz", "zz", "unknown-course"),
    ]
    assert doc["invalid_courses"] == [
        {"course_id": "c2", "title": "Two", "errors": 2},
        {"course_id": "c3", "title": "Three", "errors": 1},
        {"course_id": "zz", "title": None, "errors": 1},
    ]
    assert {w["course_id"] for w in doc["warnings"]} <= {"c1", "c4"}


def test_check_text_lists_invalid_courses_and_the_valid_ones(tmp_path: Path) -> None:
    result = run("check", four_courses(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "activities, row 5, column 'timing': value 'sometime'" in out
    courses = out.split("\nCourses (2):\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in courses] == ["c1", "c4"]
    invalid = out.split("\nInvalid courses (3), not analysed:\n")[1].split("\n\n")[0]
    assert invalid.splitlines() == [
        "  c2      2 errors  Two",
        "  c3      1 error  Three",
        "  zz      1 error  (not in the courses table)",
    ]
    assert out.rstrip().endswith(
        "invalid: 4 error(s) in 3 course(s); 2 valid course(s) analysed, 0 warning(s)"
    )


@pytest.mark.parametrize(
    ("files", "code", "course_id"),
    [
        ({"courses.csv": "course_id\nc1\n"}, "missing-column", None),
        ({"courses.csv": "course_id,title\nc1,\n"}, "blank", "c1"),
        ({"courses.csv": "course_id,title,status\nc1,T,done\n"}, "not-in-vocabulary", "c1"),
        ({"tools.csv": "tool,directions\nPadlet,1:n;sideways\n"}, "not-in-vocabulary", None),
        ({"courses.csv": "course_id,title\nc 1,T\n"}, "bad-format", "c 1"),
        ({"courses.csv": "course_id,title\nc1,T\nc1,U\n"}, "duplicate", "c1"),
        (
            {"tools.csv": "tool,aliases\nTeams,MS Teams\nSlack,ms_teams\n"},
            "name-clash",
            None,
        ),
        (
            {"courses.csv": "course_id,title,organisation\nc1,T,Nope\n"},
            "unknown-organisation",
            "c1",
        ),
    ],
)
def test_each_issue_has_its_stable_code(
    tmp_path: Path, files: dict[str, str], code: str, course_id: str | None
) -> None:
    from socialkit.contract.validation import ISSUE_CODES

    src = portfolio(tmp_path / "p", [["c1", "One"]], [act("c1", "A1", "1")])
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_portfolio(src)
    issues = info.value.issues
    assert code in ISSUE_CODES
    assert code in set(issues["code"]), issues
    assert issues.loc[issues["code"].eq(code), "course_id"].iloc[0] == course_id


@pytest.mark.parametrize(
    ("course_row", "message"),
    [
        (["c2", "Two", "Nowhere Inc"], "unknown organisation"),
        (["c 2", "Two"], "letters, digits"),
        (["c2", ""], "is blank"),
    ],
)
def test_a_bad_courses_row_makes_only_that_course_invalid(
    tmp_path: Path, course_row: list[str], message: str
) -> None:
    cid = course_row[0]
    src = portfolio(
        tmp_path / "p",
        [["c1", "One", ""], [*course_row, ""][:3]],
        [act("c1", "A1", "1"), act(cid, "A1", "1")],
    )
    p = load_portfolio(src, partial=True)
    assert p.course_ids == ["c1"]
    assert p.invalid["course_id"].tolist() == [cid]
    assert p.invalid["table"].tolist() == ["courses"]
    assert p.invalid["row"].tolist() == [3]
    assert message in p.invalid["message"].iloc[0]
    assert p.activities["course_id"].tolist() == ["c1"]


def test_a_duplicate_course_row_makes_that_course_invalid(tmp_path: Path) -> None:
    src = portfolio(
        tmp_path / "p",
        [["c1", "One"], ["c2", "Two"], ["c2", "Two again"]],
        [act("c1", "A1", "1"), act("c2", "A1", "1")],
        objectives=[["c1", "O1", "x"], ["c2", "O1", "y"]],
    )
    p = load_portfolio(src, partial=True)
    assert p.course_ids == ["c1"]
    assert p.invalid_courses.to_dict("records") == [
        {"course_id": "c2", "title": "Two", "errors": 1}
    ]


def test_partial_load_keeps_the_library_contract(tmp_path: Path) -> None:
    src = four_courses(tmp_path)
    with pytest.raises(ValidationError, match=r"4 errors in the portfolio") as info:
        load_portfolio(src)  # the default is unchanged: any error raises
    assert list(info.value.issues.columns) == ISSUE_COLUMNS
    assert info.value.issues["course_id"].tolist() == ["c2", "c2", "c3", "zz"]
    p = load_portfolio(src, partial=True)
    assert list(p.invalid.columns) == ISSUE_COLUMNS
    assert p.invalid["row"].tolist() == [4, 5, 6, 8]
    assert p.raw["activities"].shape[0] == 7  # the rows as read, for lossless writing
    assert p.course_ids == ["c1", "c4"]
    assert p.activities["course_id"].tolist() == ["c1", "c4"]


def test_all_valid_partial_load_has_an_empty_invalid_frame(tmp_path: Path) -> None:
    src = portfolio(tmp_path / "p", [["c1", "One"]], [act("c1", "A1", "1")])
    p = load_portfolio(src, partial=True)
    assert p.course_ids == ["c1"]
    assert p.invalid.empty and list(p.invalid.columns) == ISSUE_COLUMNS
    assert p.invalid_courses.empty


def test_selecting_an_invalid_course_names_its_errors(tmp_path: Path) -> None:
    p = display.load(four_courses(tmp_path))  # as the course notebook loads it
    assert p.course_ids == ["c1", "c4"]
    assert p.select(["c4"]).course_ids == ["c4"]
    with pytest.raises(
        InvalidCourseError,
        match=r"(?s)course 'c2' breaks the data contract \(2 errors\).*row 5, column 'timing'",
    ) as info:
        p.select(["c2"])
    assert info.value.issues["row"].tolist() == [4, 5]


@pytest.mark.parametrize(
    ("tables", "where"),
    [
        # a required column missing from a table every course has rows in
        ({"activities.csv": "course_id,activity_id,title\nc1,A1,x\n"}, ("activities", None)),
        # the tool catalog is shared: every course's recommendations rank every tool
        ({"tools.csv": "tool,hosting\nPadlet,sometimes\n"}, ("tools", 2)),
        # so is the organisation context (a course without organisation uses 'default')
        (
            {"organisations.csv": "organisation,prefers_internal\ndefault,maybe\n"},
            ("organisations", 2),
        ),
        # a row without course_id could belong to any course
        (
            {"activities.csv": "course_id,activity_id,seq,title\nc1,A1,1,x\n,A2,2,y\n"},
            ("activities", 3),
        ),
    ],
)
def test_portfolio_wide_errors_still_stop_everything(
    tmp_path: Path, tables: dict[str, str], where: tuple[str, int | None]
) -> None:
    src = portfolio(tmp_path / "p", [["c1", "One"], ["c2", "Two"]], [act("c1", "A1", "1")])
    for name, text in tables.items():
        (src / name).write_text(text, encoding="utf-8")
    doc = check_json(src, tmp_path, code=1)
    assert doc["valid"] is False
    assert doc["courses"] == [] and doc["invalid_courses"] == []
    assert (doc["errors"][0]["table"], doc["errors"][0]["row"]) == where
    assert doc["errors"][0]["course_id"] is None
    with pytest.raises(ValidationError, match=r"error"):
        load_portfolio(src, partial=True)
    text = run("check", src, cwd=tmp_path).stdout
    assert "nothing was analysed" in text


def test_report_makes_the_valid_courses_and_lists_the_invalid_one(tmp_path: Path) -> None:
    src = portfolio(
        tmp_path / "p",
        [["good", "Good course"], ["bad", "Bad <b>course</b>"]],
        [act("good", "A1", "1"), act("bad", "A1", "1", timing="sometime")],
    )
    before = {f.name: f.read_bytes() for f in src.iterdir()}
    result = run(
        "report", src, "--out", tmp_path / "out", "--jobs", "1", cwd=tmp_path, subprocess_=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "made 1, unchanged 0, failed 0" in result.stdout
    assert "invalid: bad: 1 error against the data contract: activities, row 3" in result.stdout
    assert (tmp_path / "out" / "courses" / "good.html").is_file()
    assert not (tmp_path / "out" / "courses" / "bad.html").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Invalid courses (1)" in index
    assert "Bad &lt;b&gt;course&lt;/b&gt;" in index  # the title is text, not markup
    assert "column &#x27;timing&#x27;: value &#x27;sometime&#x27;" in index
    assert {f.name: f.read_bytes() for f in src.iterdir()} == before  # nothing touched

    only_bad = run(
        "report", src, "--out", tmp_path / "out", "--course", "bad", cwd=tmp_path, subprocess_=True
    )
    assert only_bad.returncode == 1
    assert "invalid: bad: 1 error" in only_bad.stdout


# --------------------------------------------------------------------------- item 5
@pytest.mark.parametrize(
    ("name", "breakage", "said", "row"),
    [
        ("activities.csv", b"", "empty", None),
        (
            "objectives.csv",
            "course_id,objective_id,statement\nc1,O1,é\n".encode("latin-1"),
            "UTF-8",
            2,
        ),
    ],
)
def test_check_json_when_a_csv_cannot_be_read(
    tmp_path: Path, name: str, breakage: bytes, said: str, row: int | None
) -> None:
    src = portfolio(tmp_path / "p", [["c1", "One"]], [act("c1", "A1", "1")])
    (src / name).write_bytes(breakage)
    doc = check_json(src, tmp_path, code=1)
    assert doc["valid"] is False and doc["courses"] == [] and doc["invalid_courses"] == []
    assert len(doc["errors"]) == 1
    err = doc["errors"][0]
    assert (err["row"], err["column"], err["value"], err["course_id"]) == (row, None, None, None)
    assert err["table"] == name.removesuffix(".csv") and err["code"] == "unreadable"
    assert name in err["message"] and said in err["message"]
    text = run("check", src, cwd=tmp_path)
    assert text.returncode == 1 and name in text.stderr


def test_check_json_on_a_corrupt_workbook_and_a_missing_path(tmp_path: Path) -> None:
    book = tmp_path / "designs.xlsx"
    book.write_bytes(b"PK\x03\x04 this is no zip")
    doc = check_json(book, tmp_path, code=1)
    assert doc["valid"] is False and doc["source"] == str(book)
    assert "designs.xlsx" in doc["errors"][0]["message"]

    doc = check_json(tmp_path / "nowhere", tmp_path, code=2)
    assert doc["valid"] is False and doc["courses"] == []
    assert "does not exist" in doc["errors"][0]["message"]
    assert doc["errors"][0]["table"] is None
    assert doc["errors"][0]["code"] == "no-portfolio"


def test_check_json_locates_a_read_error_in_a_csv_and_in_a_workbook(tmp_path: Path) -> None:
    src = portfolio(tmp_path / "p", [["c1", "One"]], [act("c1", "A1", "1")])
    lines = (src / "courses.csv").read_text().splitlines()
    lines[0] += ",Title"  # the title column twice, in another case
    (src / "courses.csv").write_text("\n".join(lines) + "\n")
    err = check_json(src, tmp_path, code=1)["errors"][0]
    assert (err["table"], err["row"], err["column"]) == ("courses", 1, "Title")

    import openpyxl

    book = tmp_path / "designs.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in ("courses", "objectives", "activities"):
        ws = wb.create_sheet(table)
        for row in csv.reader((src / f"{table}.csv").read_text().splitlines()):
            ws.append(row)
    wb["courses"].delete_cols(wb["courses"].max_column)  # the CSV's second title
    wb["activities"]["Z3"] = "stray"  # right of the last header, row 3 as Excel shows it
    wb.save(book)
    err = check_json(book, tmp_path, code=1)["errors"][0]
    assert (err["table"], err["row"], err["column"]) == ("activities", 3, "Z")
    assert "Z3" in err["message"]


# --------------------------------------------------------------------------- item 6
NASTY = 'C:\\risks "quoted" \\n not a newline\r\x0b\x1b[2J\x00 \u2028 \x85 \U0001f600 end'


def test_json_output_survives_backslashes_quotes_controls_and_emoji(tmp_path: Path) -> None:
    src = portfolio(
        tmp_path / "p",
        [["c1", NASTY], ["c2", "Two"]],
        [
            act("c1", "A1", "1", title=NASTY, objective_id=""),  # a warning quotes the title
            act("c2", "A1", "1", timing=NASTY),  # an error holds the value
        ],
    )
    doc = check_json(src, tmp_path, code=1, subprocess_=True)  # the real standard output
    assert doc["courses"][0]["title"] == NASTY
    assert doc["errors"][0]["value"] == NASTY
    assert doc["errors"][0]["course_id"] == "c2"
    (warning,) = doc["warnings"]
    assert warning["code"] == "no-objective"
    assert f'("{NASTY}")' in warning["message"]


def test_json_source_with_a_lone_surrogate(tmp_path: Path) -> None:
    # a folder name that is not UTF-8 reaches Python as a lone surrogate (\udcff)
    raw = str(tmp_path).encode() + b"/caf\xff"
    src = Path(raw.decode("utf-8", "surrogateescape"))
    portfolio(src, [["c1", "Caf\u00e9 \U0001f600"]], [act("c1", "A1", "1")])
    result = run("check", raw, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"] == str(src)
    assert doc["courses"][0]["title"] == "Caf\u00e9 \U0001f600"
    # the lone surrogate makes the whole document ASCII, with \u escapes
    assert result.stdout.isascii() and "Caf\\u00e9 \\ud83d\\ude00" in result.stdout
    text = run("check", raw, cwd=tmp_path)
    assert text.returncode == 0 and "caf\\udcff" in text.stdout


# --------------------------------------------------------------------------- item 2
@pytest.mark.parametrize(
    ("column", "value", "ok"),
    [
        ("minutes", "525600", True),
        ("minutes", "525601", False),
        ("minutes", "999999999999999", False),
        ("minutes", "9" * 40, False),
        ("minutes", "\u0661\u0662", False),  # Arabic-Indic digits are not plain digits
        ("seq", "1000000", True),
        ("seq", "1000001", False),
    ],
)
def test_numbers_past_their_limit_are_located_errors(
    tmp_path: Path, column: str, value: str, ok: bool
) -> None:
    src = portfolio(
        tmp_path / "p",
        [["c1", "One"], ["c2", "Two"]],
        [act("c1", "A1", "1"), act("c2", "A1", "1", **{column: value})]
        if column == "minutes"
        else [act("c1", "A1", "1"), act("c2", "A1", value)],
    )
    doc = check_json(src, tmp_path, code=0 if ok else 1)
    if ok:
        assert doc["errors"] == []
        return
    (err,) = doc["errors"]
    assert (err["table"], err["row"], err["column"], err["value"], err["course_id"]) == (
        "activities",
        3,
        column,
        value,
        "c2",
    )
    assert ("525,600" if column == "minutes" else "1,000,000") in err["message"]
    assert [c["course_id"] for c in doc["courses"]] == ["c1"]


def test_no_minutes_sum_overflows(tmp_path: Path) -> None:
    n = 9_300
    rows = [act("c1", f"A{i}", str(i + 1), minutes="525600") for i in range(n)]
    src = portfolio(tmp_path / "p", [["c1", "One"]], rows)
    doc = check_json(src, tmp_path, code=0)
    (course,) = doc["courses"]
    assert course["minutes"]["before"]["one-to-many"] == 9_300 * 525_600  # 4,888,080,000
    assert course["matrix"]["before"]["one-to-many"] == n
    assert course["minutes_share_outside"] == 1.0

    p = load_portfolio(src)
    from socialkit.analysis import checks as analysis
    from socialkit.charts import portfolio as portfolio_charts

    assert analysis.outside_class_share(p)["minutes"].tolist() == [4_888_080_000]
    shares = portfolio_charts.outside_share_data(p)
    assert (shares.select_dtypes("number").fillna(0) >= 0).all().all()


# --------------------------------------------------------------------------- item 7
def _section(out: str, title: str) -> list[str]:
    """The indented lines under a heading such as ``Errors (7):``."""
    lines = out.split(f"\n{title}\n")[1].split("\n\n")[0].splitlines()
    assert all(line.startswith("  ") for line in lines)
    return lines


def test_check_limit_cuts_errors_and_warnings(tmp_path: Path) -> None:
    # c1: 7 bad timings (7 errors); c2: 5 activities linked to no objective (5 warnings)
    rows = [act("c1", f"A{i}", str(i), timing=f"when{i}") for i in range(1, 8)]
    rows += [act("c2", f"A{i}", str(i), objective_id="") for i in range(1, 6)]
    src = portfolio(tmp_path / "p", [["c1", "One"], ["c2", "Two"]], rows)

    out = run("check", src, "--limit", "3", cwd=tmp_path).stdout
    errors = _section(out, "Errors (7):")
    assert len(errors) == 4
    assert [e.split("value ")[1].split(":")[0] for e in errors[:3]] == [
        "'when1'",
        "'when2'",
        "'when3'",
    ]
    assert errors[3] == "  … and 4 more errors (--limit 0 shows all)"
    warnings = _section(out, "Warnings (5):")
    assert len(warnings) == 4
    assert all(w.startswith("  [no-objective] c2 / A") for w in warnings[:3])
    assert warnings[3] == "  … and 2 more warnings (--limit 0 shows all)"

    out = run("check", src, "--limit", "6", cwd=tmp_path).stdout
    assert _section(out, "Errors (7):")[-1] == "  … and 1 more error (--limit 0 shows all)"
    assert len(_section(out, "Warnings (5):")) == 5  # all five, no "more" line

    for args in (["--limit", "0"], []):  # 0 shows all; the default (100) is above 7
        out = run("check", src, *args, cwd=tmp_path).stdout
        assert len(_section(out, "Errors (7):")) == 7
        assert len(_section(out, "Warnings (5):")) == 5
        assert "more" not in out


def test_check_default_limit_is_one_hundred(tmp_path: Path) -> None:
    rows = [act("c1", f"A{i}", str(i), timing="x") for i in range(1, 103)]
    src = portfolio(tmp_path / "p", [["c1", "One"]], rows)
    out = run("check", src, cwd=tmp_path).stdout
    errors = _section(out, "Errors (102):")
    assert len(errors) == 101
    assert errors[-1] == "  … and 2 more errors (--limit 0 shows all)"


def test_course_notebook_reports_a_valid_course_beside_an_invalid_one(tmp_path: Path) -> None:
    import papermill

    from socialkit.contract.io import notebook_path

    src = portfolio(
        tmp_path / "p",
        [["good", "Good course"], ["bad", "Bad course"]],
        [act("good", "A1", "1"), act("bad", "A1", "1", direction="sideways")],
    )

    def execute(course_id: str) -> None:
        papermill.execute_notebook(
            str(notebook_path("course_report")),
            str(tmp_path / f"{course_id}.ipynb"),
            parameters={"portfolio": str(src), "course_id": course_id},
            kernel_name="python3",
            progress_bar=False,
        )

    execute("good")
    made = (tmp_path / "good.ipynb").read_text(encoding="utf-8")
    assert "Good course" in made
    with pytest.raises(papermill.PapermillExecutionError) as info:
        execute("bad")
    assert info.value.ename == "InvalidCourseError"
    assert "course 'bad' breaks the data contract (1 error)" in info.value.evalue
    assert "activities, row 3, column 'direction': value 'sideways'" in info.value.evalue


def test_check_with_an_unknown_tool_is_valid_and_shows_the_warning(tmp_path: Path) -> None:
    src = portfolio(
        tmp_path / "p",
        [["c1", "One"]],
        [
            act("c1", "A1", "1", tool="Yamer", tool_type="", direction=""),
            act("c1", "A2", "2", tool="yammer", tool_type="", direction=""),
        ],
    )
    (src / "organisations.csv").write_text(
        "organisation,platforms\nAcme,Office 365;Hammock\n", encoding="utf-8"
    )
    result = run("check", src, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "[unknown-tool] c1 / A1: tool 'Yamer' (used by activity 'A1' (\"c1 A1\")) is not" in out
    assert "closest catalog tools: Viva Engage. If it is one of them" in out
    assert "start one from a copy of the bundled catalog" in out
    assert out.count("[unknown-tool]") == 1  # yammer is an alias of Viva Engage
    assert "note: organisations, row 2, column 'platforms': 'Hammock' is neither" in out
    assert "valid: 1 course(s)" in out
    doc = check_json(src, tmp_path, 0)
    assert [w["code"] for w in doc["warnings"]].count("unknown-tool") == 1
    # and the one notice for the decision columns its activities table lacks
    assert len(doc["notices"]) == 2
    assert doc["notices"][1].startswith("activities: no ")


def test_check_text_never_sends_control_characters_to_the_terminal(tmp_path: Path) -> None:
    hostile = "Risks \x1b]0;owned\x07\x1b[2J\x9b31m \u202eevil\u2028next\x0b end"
    src = portfolio(
        tmp_path / "p",
        [["c1", hostile], ["c2", "Two"]],
        [
            act("c1", "A1", "1", title=hostile, objective_id=""),
            act("c2", "A1", "1", timing=hostile),
        ],
    )
    out = run("check", src, cwd=tmp_path, subprocess_=True).stdout
    shown = "Risks \\x1b]0;owned\\x07\\x1b[2J\\x9b31m \\u202eevil\\u2028next\\x0b end"
    # the course line, the warning quoting the activity title, the bad timing's value
    assert "  c1      checklist" in out and out.count(shown) == 3
    assert f"activities, row 3, column 'timing': value '{shown}'" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e\u2028\x0b")
