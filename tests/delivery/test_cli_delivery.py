"""``socialkit delivery``: what it prints and its exit status, on real files through the
installed console script (no fakes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socialkit.delivery.result import delivery_report
from socialkit.errors import StatementsNotFoundError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data"
SOCIALKIT = Path(sys.executable).parent / "socialkit"

REG1 = "0b5c1e9a-1111-4a4a-9a9a-000000000001"
BRIEF, FORUM = "https://lms.example.org/brief", "https://lms.example.org/forum"
POLL = "https://poll.example.org/q1"
VIEWED = "http://id.tincanapi.com/verb/viewed"
COMMENTED = "http://adlnet.gov/expapi/verbs/commented"
POSTED = "https://w3id.org/xapi/dod-isd/verbs/posted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The console script in a subprocess; never a traceback."""
    assert SOCIALKIT.exists(), f"console script missing: {SOCIALKIT}"
    done = subprocess.run(
        [str(SOCIALKIT), *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def _csv(path: Path, *lines: str) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _statement(n: int, who: str, time: str, **extra: object) -> dict[str, object]:
    verb = extra.pop("verb", VIEWED)
    obj = extra.pop("object", {"id": BRIEF})
    statement: dict[str, object] = {
        "id": _uuid(n),
        "actor": {"mbox": f"mailto:{who}@example.org"},
        "verb": {"id": verb},
        "object": obj,
        "timestamp": time,
    }
    context: dict[str, object] = {}
    if extra.pop("r1", True):
        context["registration"] = REG1
    if "ref" in extra:
        context["statement"] = {"objectType": "StatementRef", "id": extra.pop("ref")}
    if context:
        statement["context"] = context
    return statement


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def write_portfolio(dest: Path) -> Path:
    """One course, six activities, two runs, and 14 statements in two files:

    * run r1 (registration REG1; Tina trains Ann, Bob and Cy), run r2 (Ann and Dee);
    * brief (before): Ann first before, then during again; Bob during; Tina's post;
    * forum (after): Tina posts during, Ann answers Tina, Bob answers Ann, Cy reads after;
    * poll (during): Cy comments during; reflect (after, no xapi_ids): untracked;
    * one statement on nothing designed (no-activity), two voided with their voiding ones.
    """
    dest.mkdir()
    _csv(
        dest / "courses.csv",
        "course_id,title,organisation,audience,owner,formal_moment,status",
        "c1,A course,,Everyone,Academy,1-day workshop,final",
    )
    _csv(dest / "objectives.csv", "course_id,objective_id,statement", "c1,O1,Do the thing")
    head = "course_id,activity_id,seq,title,objective_id,timing,direction,tool_type,tool,"
    head += "in_class_reason,learner_benefit,learning_type,minutes,xapi_ids"
    _csv(
        dest / "activities.csv",
        head,
        f"c1,brief,1,Brief,O1,before,one-to-many,content,SharePoint,,Read,acquisition,10,{BRIEF}",
        f"c1,forum,2,Forum,O1,after,many-to-many,community,Teams,,Talk,discussion,10,{FORUM}",
        "c1,workshop,3,Workshop,O1,during,many-to-one,,none,skill-practice,Practise,practice,60,",
        "c1,reflect,4,Reflect,O1,after,many-to-one,,,,Think,production,10,",
        f"c1,poll,5,Poll,O1,during,many-to-one,productivity,Mentimeter,feedback,Vote,practice,5,"
        f"{POLL}",
        "c1,tbd,6,Later,O1,during,,,,,,,,",
    )
    _csv(
        dest / "runs.csv",
        "course_id,run_id,starts,ends,timezone,registration",
        f"c1,r1,2026-03-02T09:00+01:00,2026-03-02T17:00+01:00,,{REG1}",
        "c1,r2,2026-04-06T09:00Z,2026-04-06T17:00Z,,",
    )
    _csv(
        dest / "people.csv",
        "course_id,run_id,person,role",
        "c1,r1,mailto:tina@example.org,trainer",
        "c1,r1,mailto:Ann@Example.org,learner",
        "c1,r1,mailto:bob@example.org,learner",
        "c1,r1,mailto:cy@example.org,learner",
        "c1,r2,mailto:ann@example.org,learner",
        "c1,r2,mailto:dee@example.org,learner",
    )
    first = [
        _statement(1, "ann", "2026-03-01T10:00Z"),
        _statement(2, "ann", "2026-03-02T10:00Z"),
        _statement(3, "bob", "2026-03-02T09:00Z"),
        _statement(4, "tina", "2026-03-01T08:00Z", verb=POSTED),
        _statement(5, "tina", "2026-03-02T09:00Z", verb=POSTED, object={"id": FORUM}),
        _statement(6, "ann", "2026-03-02T11:00Z", verb=COMMENTED, object={"id": FORUM},
                   ref=_uuid(5)),
        _statement(7, "bob", "2026-03-02T12:00Z", verb=COMMENTED, object={"id": FORUM},
                   ref=_uuid(6)),
    ]  # fmt: skip
    second = [
        _statement(8, "cy", "2026-03-04T10:00Z", object={"id": FORUM}),
        _statement(9, "cy", "2026-03-02T10:00Z", verb=COMMENTED, object={"id": POLL}),
        _statement(10, "cy", "2026-03-02T10:00Z", object={"id": "https://elsewhere.example.org"},
                   r1=False),
        # Dee's two views in r2 are voided: r2 keeps no statement
        _statement(11, "dee", "2026-04-06T10:00Z", r1=False),
        _statement(12, "dee", "2026-04-06T10:05Z", r1=False),
        _statement(13, "dee", "2026-04-06T10:10Z", verb=VOIDED, r1=False,
                   object={"objectType": "StatementRef", "id": _uuid(11)}),
        _statement(14, "dee", "2026-04-06T10:11Z", verb=VOIDED, r1=False,
                   object={"objectType": "StatementRef", "id": _uuid(12)}),
    ]  # fmt: skip
    (dest / "statements").mkdir()
    _csv(dest / "statements" / "a.jsonl", *map(json.dumps, first))
    (dest / "statements" / "b.json").write_text(json.dumps(second), encoding="utf-8")
    return dest


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return write_portfolio(tmp_path / "portfolio")


def test_json_is_one_object_with_the_issue_keys(portfolio: Path) -> None:
    result = run("delivery", portfolio, "--json")
    assert result.returncode == 0, result.stderr  # delivery warnings do not fail the command
    doc = json.loads(result.stdout)
    assert list(doc) == ["statements", "activities", "warnings", "courses", "invalid_courses"]
    assert doc["statements"] == {
        "read": 14,
        "used": 9,
        "skipped": {"voided": 2, "voiding": 2, "no-activity": 1, "no-run": 0},
    }
    assert len(doc["activities"]) == 12  # 6 activities x 2 runs
    keys = {"course_id", "run_id", "activity_id", "learners", "participants", "before", "during"}
    keys |= {"after", "planned_direction", "realised_direction"}
    assert keys <= set(doc["activities"][0])
    brief = doc["activities"][0]
    assert (brief["run_id"], brief["activity_id"], brief["learners"]) == ("r1", "brief", 3)
    assert (brief["participants"], brief["before"], brief["during"], brief["after"]) == (2, 1, 1, 0)
    assert {"code", "course_id", "run_id", "activity_id", "message"} == set(doc["warnings"][0])
    assert doc["warnings"][0]["code"] == "untracked"


def test_text_lists_runs_and_warnings(portfolio: Path) -> None:
    result = run("delivery", portfolio)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "statements: 14 read, 9 used, skipped: no-activity 1, voided 2, voiding 2"
    assert lines[1].startswith("c1 / r1: 3 learners")
    assert any(line.startswith("  untracked: course 'c1', run 'r1'") for line in lines)


def test_a_course_left_out_as_invalid_is_named_not_taken_for_no_delivery_data(
    portfolio: Path,
) -> None:
    acts = portfolio / "activities.csv"
    acts.write_text(acts.read_text(encoding="utf-8").replace(",before,", ",someday,", 1))
    done = run("delivery", portfolio)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "left out as invalid (1; their errors: socialkit check): 'c1'" in lines
    assert "no runs: the valid courses have no delivery data" in lines
    data = json.loads(run("delivery", portfolio, "--json").stdout)
    assert data["invalid_courses"] == ["c1"] and data["courses"] == []


def test_statements_given_that_do_not_exist_exit_2(portfolio: Path) -> None:
    missing = portfolio / "nope.jsonl"
    result = run("delivery", portfolio, "--statements", missing)
    assert result.returncode == 2
    assert f"no statements at {str(missing)!r}: no such file or folder" in result.stderr


def test_statements_given_elsewhere_are_read(portfolio: Path, tmp_path: Path) -> None:
    moved = shutil.move(portfolio / "statements", tmp_path / "elsewhere")
    result = run("delivery", portfolio, "--statements", Path(moved) / "a.jsonl", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["statements"]["read"] == 7


def test_a_portfolio_without_statements_exits_2(portfolio: Path) -> None:
    shutil.rmtree(portfolio / "statements")
    result = run("delivery", portfolio)
    assert result.returncode == 2
    assert "no 'statements' folder in it; give them with --statements" in result.stderr


def test_no_portfolio_exits_2(tmp_path: Path) -> None:
    result = run("delivery", tmp_path / "missing")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")


def test_delivery_report_says_where_statements_are_missing(portfolio: Path, tmp_path: Path) -> None:
    missing = portfolio / "gone"
    with pytest.raises(StatementsNotFoundError, match=r"no statements at '.*gone': no such file"):
        delivery_report(portfolio, statements=missing)
    bare = write_portfolio(tmp_path / "bare")
    shutil.rmtree(bare / "statements")
    with pytest.raises(StatementsNotFoundError, match=r"no 'statements' folder in it; give them"):
        delivery_report(bare)
    assert delivery_report(portfolio).used == 9


def test_phase_boundaries_in_another_offset(tmp_path: Path) -> None:
    dest = write_portfolio(tmp_path / "p")
    shutil.rmtree(dest / "statements")
    (dest / "statements").mkdir()
    # one second before 09:00+01:00 is before; one second after 17:00+01:00 is after
    _csv(
        dest / "statements" / "s.jsonl",
        json.dumps(_statement(1, "Ann", "2026-03-02T07:59:59Z")),
        json.dumps(_statement(2, "bob", "2026-03-02T16:00:01Z")),
    )
    result = run("delivery", dest, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    stats = doc["statements"]
    assert (stats["read"], stats["used"], sum(stats["skipped"].values())) == (2, 2, 0)
    brief = doc["activities"][0]
    assert (brief["learners"], brief["participants"], brief["before"], brief["during"]) == (
        3,
        2,
        1,
        0,
    )
    assert brief["after"] == 1


# --------------------------------------------------------------------------- the sample
def test_the_bundled_sample() -> None:
    """Figures worked out from the scenario table (socialkit.delivery.scenario.SCENARIO)."""
    result = run("delivery", SAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    stats = doc["statements"]
    assert stats["read"] == stats["used"] + sum(stats["skipped"].values())
    assert (stats["skipped"]["voided"], stats["skipped"]["voiding"]) == (4, 4)
    assert sum(stats["skipped"].values()) == 8
    rows = {(a["course_id"], a["run_id"], a["activity_id"]): a for a in doc["activities"]}
    assert len(rows) == 2 * 6 + 6 + 6 + 5  # it-risk twice, gdpr, coaching, compliance

    def figures(course: str, run_id: str, activity: str) -> tuple[int, ...]:
        a = rows[(course, run_id, activity)]
        return a["learners"], a["participants"], a["before"], a["during"], a["after"]

    sg = "2026-04-singapore"
    # A1: done 1.0 of 12, a quarter before: 3 before, 9 during
    assert figures("it-risk", sg, "A1") == (12, 12, 3, 9, 0)
    # A2: done 0.75 of 12 = 9, a third before: 3 before, 6 during
    assert figures("it-risk", sg, "A2") == (12, 9, 3, 6, 0)
    # A3: done 0.5 of 12 = 6, half before: 3 and 3
    assert figures("it-risk", sg, "A3") == (12, 6, 3, 3, 0)
    bxl = "2026-03-brussels"
    assert figures("it-risk", bxl, "A2") == (10, 9, 9, 0, 0)
    assert figures("it-risk", bxl, "A3") == (10, 8, 7, 1, 0)  # 0.875 of 8 before
    assert figures("it-risk", bxl, "A6") == (10, 8, 0, 0, 8)
    assert figures("gdpr-basics", "2026-03-ward-b", "A5") == (8, 6, 0, 0, 6)
    assert rows[("gdpr-basics", "2026-03-ward-b", "A5")]["realised_direction"] == "many-to-one"
    assert figures("compliance-abc", "2026-05-webinar", "A3") == (10, 6, 5, 1, 0)
    assert figures("compliance-abc", "2026-05-webinar", "A4") == (10, 0, 0, 0, 0)
    warned = [(w["code"], w["course_id"], w["run_id"], w["activity_id"]) for w in doc["warnings"]]
    assert warned == [
        ("untracked", "coaching-skills", "2026-04-lab", None),
        ("not-done", "compliance-abc", "2026-05-webinar", "A4"),
        ("no-peer-exchange", "gdpr-basics", "2026-03-ward-b", "A5"),
        ("prework-skipped", "it-risk", sg, "A1"),
        ("other-phase", "it-risk", sg, "A1"),
        ("prework-skipped", "it-risk", sg, "A2"),
        ("other-phase", "it-risk", sg, "A2"),
        ("prework-skipped", "it-risk", sg, "A3"),
    ]
    courses = {(c["course_id"], c["run_id"]): c for c in doc["courses"]}
    # pre-work before class in Brussels: (10 + 9 + 7) of 3 x 10 learners
    assert courses[("it-risk", bxl)]["prework_done"] == pytest.approx(26 / 30)
    assert courses[("it-risk", bxl)]["as_planned"] == 1.0


def test_without_a_path_the_bundled_sample_is_analysed() -> None:
    result = run("delivery")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # four rows of the scenario void one statement each
    assert lines[0].startswith("statements: ") and lines[0].endswith("skipped: voided 4, voiding 4")
    assert [line.split(":")[0] for line in lines[1:6]] == [
        "coaching-skills / 2026-04-lab",
        "compliance-abc / 2026-05-webinar",
        "gdpr-basics / 2026-03-ward-b",
        "it-risk / 2026-03-brussels",
        "it-risk / 2026-04-singapore",
    ]
    assert lines[4].startswith("it-risk / 2026-03-brussels: 10 learners, 5 of 5 tracked")
    assert lines[6] == "8 warning(s)"
