"""``socialkit check --json [--advice]``: the document's advice and its exact text.

Expectations come from the sample's CSV files by hand: it-risk's activity A5 (Contoso IT
Services, whose platforms are Viva Engage, SharePoint, Teams and Stream) scores the risks
live in class (during, many-to-one, productivity) with Microsoft Forms, which the catalog
says serves productivity many-to-one and works live; Teams, one of Contoso's platforms,
serves the same and works live, so it ranks first.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from socialkit.analysis.check import (
    ADVICE_FIT_KEYS,
    ADVICE_RECOMMENDATION_KEYS,
    ADVICE_TOP,
    CheckResult,
    check_portfolio,
)
from socialkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def advice_doc() -> dict:
    code, out, _ = invoke("check", SAMPLE, "--json", "--advice")
    assert code == 0
    return json.loads(out)


def course(doc: dict, cid: str) -> dict:
    return next(c for c in doc["courses"] if c["course_id"] == cid)


def sample_activities() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with open(SAMPLE / "activities.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["course_id"], []).append(row)
    return rows


# --------------------------------------------------------------------------- --advice
def test_advice_lists_every_activity_of_every_course_in_seq_order(advice_doc: dict) -> None:
    by_course = sample_activities()
    for c in advice_doc["courses"]:
        expected = sorted(by_course[c["course_id"]], key=lambda r: int(r["seq"]))
        assert [a["activity_id"] for a in c["activities"]] == [r["activity_id"] for r in expected]
        assert [a["seq"] for a in c["activities"]] == [int(r["seq"]) for r in expected]
        assert [a["title"] for a in c["activities"]] == [r["title"] for r in expected]
    it_risk = course(advice_doc, "it-risk")["activities"]
    assert [a["activity_id"] for a in it_risk] == ["A1", "A2", "A3", "A4", "A5", "A6"]


def test_advice_it_risk_a5_fit_and_first_recommendation(advice_doc: dict) -> None:
    a5 = course(advice_doc, "it-risk")["activities"][4]
    assert a5["activity_id"] == "A5"
    fit = a5["fit"]
    assert fit["tool"] == "Microsoft Forms"
    assert fit["organisation"] == "Contoso IT Services"
    assert (fit["tool_type"], fit["direction"]) == ("productivity", "many-to-one")
    assert fit["serves_type"] is True and fit["serves_direction"] is True
    assert fit["serves_timing"] is True  # it works live, as an activity in class needs
    assert fit["blocked"] is False and fit["blocked_domains"] is None
    assert fit["on_platform"] is False  # not among Contoso's platforms ...
    assert fit["availability"] == "in-suite"  # ... but in Microsoft 365, which it uses
    assert (fit["hosting"], fit["onboarding"]) == ("internal", "none")
    assert fit["known"] is True and fit["fits"] is True
    assert fit["alternative"] is None and fit["recommended"] == "Microsoft Forms"
    recs = a5["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3]
    first = recs[0]
    # Teams and Forms tie for Contoso (ready, nothing to sign up for, internal): the
    # chosen tool comes first, with nothing to gain by switching
    assert (first["tool"], first["chosen"], first["availability"]) == (
        "Microsoft Forms",
        True,
        "in-suite",
    )
    assert first["advantage"] is None
    assert first["reasons"] == (
        "made for productivity, many-to-one, live in class; part of Microsoft 365, which "
        "Contoso IT Services uses; learners already have access; internal, as Contoso IT "
        "Services prefers"
    )
    assert all(r["advantage"] is None for r in recs)  # none ranks above the chosen tool


def test_advice_activity_without_a_tool_or_a_tool_type(advice_doc: dict) -> None:
    # it-risk A4: a facilitated discussion in class, tool "none", tool type blank
    a4 = course(advice_doc, "it-risk")["activities"][3]
    assert a4 == {
        "activity_id": "A4",
        "seq": 4,
        "title": "Facilitated discussion: probability and impact",
        "fit": None,
        "recommendations": [],
    }


def test_advice_keys_follow_the_contract_order(advice_doc: dict) -> None:
    for c in advice_doc["courses"]:
        for a in c["activities"]:
            assert list(a) == ["activity_id", "seq", "title", "fit", "recommendations"]
            if a["fit"] is not None:
                keys = list(a["fit"])
                assert keys == [k for k in ADVICE_FIT_KEYS if k in keys]
                assert {"tool", "fits", "on_platform", "blocked"} <= set(keys)
            assert len(a["recommendations"]) <= ADVICE_TOP
            for rank, r in enumerate(a["recommendations"], start=1):
                keys = list(r)
                assert keys == [k for k in ADVICE_RECOMMENDATION_KEYS if k in keys]
                assert r["rank"] == rank
                assert isinstance(r["score"], int)


def test_advice_chosen_flag_names_the_activity_tool(advice_doc: dict) -> None:
    for c in advice_doc["courses"]:
        for a in c["activities"]:
            tool = a["fit"]["tool"] if a["fit"] else None
            for r in a["recommendations"]:
                assert r["chosen"] is (r["tool"] == tool)


def test_without_advice_courses_have_no_activities() -> None:
    code, out, _ = invoke("check", SAMPLE, "--json")
    assert code == 0
    assert all("activities" not in c for c in json.loads(out)["courses"])


def test_advice_needs_json() -> None:
    code, out, err = invoke("check", SAMPLE, "--advice")
    assert code == 2
    assert "--advice goes with --json" in err
    assert out == ""


def test_advice_of_an_invalid_course_is_left_out(tmp_path: Path) -> None:
    src = tmp_path / "broken"
    shutil.copytree(SAMPLE, src)
    lines = (src / "activities.csv").read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("it-risk,A1,1,")
    lines[1] = lines[1].replace(",before,", ",sometime,", 1)
    (src / "activities.csv").write_text("\n".join(lines), encoding="utf-8")
    code, out, _ = invoke("check", src, "--json", "--advice")
    assert code == 1
    doc = json.loads(out)
    assert "it-risk" not in [c["course_id"] for c in doc["courses"]]
    assert [c["course_id"] for c in doc["invalid_courses"]] == ["it-risk"]
    assert all(len(c["activities"]) for c in doc["courses"])


# --------------------------------------------------------------------------- exact text
def weird_copy(tmp_path: Path) -> Path:
    """The sample with titles holding escapes, line breaks, % and non-ASCII text, and
    one invalid course (row 4 of activities: a timing out of the vocabulary)."""
    src = tmp_path / "weird"
    shutil.copytree(SAMPLE, src)
    path = src / "courses.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][1] = 'Risk \x1b[2J clear\nline two \u202e %s %d 100% "q" é 漢 \U0001f600'
    rows[2][1] = "tab\there \x9b csi \\ backslash"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    lines = (src / "activities.csv").read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",before,", ",sometime,", 1)
    (src / "activities.csv").write_text("\n".join(lines), encoding="utf-8")
    return src


@pytest.mark.parametrize("advice", [False, True])
@pytest.mark.parametrize("which", ["sample", "weird"])
def test_to_json_is_json_dumps_of_to_dict(tmp_path: Path, which: str, advice: bool) -> None:
    path = SAMPLE if which == "sample" else weird_copy(tmp_path)
    result = check_portfolio(path)
    text = result.to_json(advice=advice)
    assert text == json.dumps(result.to_dict(advice=advice), ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == result.to_dict(advice=advice)


def test_to_json_of_a_generated_portfolio(tmp_path: Path) -> None:
    dest = tmp_path / "gen"
    code, _, _ = invoke("generate", "40", dest)
    assert code == 0
    result = check_portfolio(dest)
    assert result.valid
    for advice in (False, True):
        text = result.to_json(advice=advice)
        doc = result.to_dict(advice=advice)
        assert text == json.dumps(doc, ensure_ascii=False, allow_nan=False)
    assert len(doc["courses"]) == 40


def test_to_json_with_a_lone_surrogate_escapes_everything(tmp_path: Path) -> None:
    checked = check_portfolio(weird_copy(tmp_path))
    result = CheckResult(
        Path("caf\udce9"), checked.errors, checked.warnings, checked.portfolio, checked.notices
    )
    text = result.to_json(advice=True)
    assert text.isascii()
    assert text == json.dumps(result.to_dict(advice=True), ensure_ascii=True, allow_nan=False)
    assert json.loads(text)["source"] == "caf\udce9"


def test_to_json_of_an_unreadable_portfolio(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "courses.csv").write_bytes(b"")
    code, out, _ = invoke("check", tmp_path / "empty", "--json", "--advice")
    assert code == 1
    doc = json.loads(out)
    assert doc["valid"] is False and doc["courses"] == []
    assert [(e["table"], e["code"]) for e in doc["errors"]] == [("courses", "unreadable")]


_AWKWARD = ["plain", 'q"uo\\te', "ctl\x01\x1f", "tab\tnl\n", "del\x7f", "é€😀", None, "", '"']


@pytest.mark.parametrize("ascii_only", [False, True])
def test_records_text_escapes_as_json_dumps(ascii_only: bool) -> None:
    """Text kept in Arrow and text in Python objects alike: quotes, backslashes, C0
    controls, DEL, non-ASCII and missing values are written as json.dumps writes them."""
    from socialkit.analysis.check_json import Encoder, json_records, records_text

    frame = pd.DataFrame(
        {
            "arrow": pd.array(_AWKWARD, dtype="str"),
            "number": pd.array(range(len(_AWKWARD)), dtype="Int64"),
            "objects": pd.Series(_AWKWARD[::-1], dtype=object),
        }
    )
    for part in (frame, frame.iloc[2:5]):  # a slice: its Arrow buffers start further on
        expected = json.dumps(json_records(part), ensure_ascii=ascii_only)
        assert records_text(part, Encoder(ascii_only)) == expected


def test_to_json_with_a_lone_surrogate_is_all_ascii() -> None:
    """A file name Python could not decode makes the whole document ASCII, as before."""
    from socialkit.contract.schema import ISSUE_COLUMNS

    errors = pd.DataFrame(
        {
            "table": ["courses"],
            "row": pd.array([3], dtype="Int64"),
            "column": ["title"],
            "value": pd.Series(["bad \udcff name"], dtype=object),
            "message": ["é"],
            "course_id": [None],
            "code": ["x"],
        },
        columns=ISSUE_COLUMNS,
    )
    result = CheckResult(Path("x\udcffy"), errors, pd.DataFrame(columns=["code"]), None)
    assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=True)


@pytest.mark.parametrize("advice", [False, True])
def test_to_json_bytes_is_the_utf8_of_to_json(advice: bool) -> None:
    result = check_portfolio(SAMPLE)
    data = result.to_json_bytes(advice=advice)
    assert data == result.to_json(advice=advice).encode("utf-8")
    assert json.loads(data) == result.to_dict(advice=advice)
