"""Strategic warnings against hand-computed expectations.

Each course of ``warn_portfolio`` is built to break the method in exactly one way, and
``clean`` breaks it in none: one cause, one warning (a course without objective gets one
course-level warning, never one per activity). The fixture catalog and contexts are
described in conftest: Acme has Engage and blocks tube.example.org; ``default`` has Engage
and blocks nothing.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ORGANISATIONS, TOOLS, make_portfolio, make_tables

from socialkit.analysis import checks as analysis
from socialkit.analysis.advice import WARNING_CODES, WARNING_QUESTIONS, strategic_warnings
from socialkit.contract.io import load_portfolio, with_defaults
from socialkit.contract.synth import make_portfolio_tables
from socialkit.contract.validation import validate

COLUMNS = ["code", "course_id", "activity_id", "message"]


def course(cid: str, **kw) -> dict:
    return {"course_id": cid, "title": f"Course {cid}", **kw}


def objective(cid: str, oid: str = "o1") -> dict:
    return {"course_id": cid, "objective_id": oid, "statement": f"Objective {oid}"}


def act(cid: str, aid: str, seq: int, **kw) -> dict:
    return {"course_id": cid, "activity_id": aid, "seq": str(seq), "title": f"Act {aid}", **kw}


def label(aid: str) -> str:
    """How messages name an activity built with :func:`act`."""
    return f"activity '{aid}' (\"Act {aid}\")"


def rows(w: pd.DataFrame) -> list[tuple]:
    """Warnings as (code, course_id, activity_id or None, message) tuples."""
    return [
        (code, cid, None if pd.isna(aid) else aid, msg)
        for code, cid, aid, msg in w[COLUMNS].itertuples(index=False, name=None)
    ]


#: An activity that breaks nothing, given the objective ``o1`` of its course.
GOOD = {
    "objective_id": "o1",
    "timing": "before",
    "direction": "one-to-many",
    "tool_type": "content",
    "tool": "Engage",
    "learner_benefit": "Read it on the way",
}

#: How an unknown-tool warning ends, after "Add" or "otherwise add".
HOW_TO_ADD = (
    " a row for it to the tools table (tools.csv, or the tools sheet of a workbook) with "
    "tool_types, directions, modes, hosting, onboarding and domains, or add the name to the "
    "aliases of the catalog tool it stands for"
)
#: What an unknown-tool warning adds when the portfolio has no tools table of its own.
BUNDLED = (
    ". This portfolio has no tools table of its own: start one from a copy of the bundled "
    "catalog (socialkit/catalog/tools.csv in the installed package), since a tools table "
    "of its own replaces the bundled one"
)

#: Course, in file order, with the warnings it must give (by hand).
CASES: dict[str, list[tuple]] = {
    "clean": [],
    "toolfirst": [
        ("tool-first", "toolfirst", None,
         "tools are chosen (Board) but the course has no learning objective: start from what "
         "learners must be able to do, then choose tools"),
    ],
    "bare": [
        ("no-objective", "bare", None,
         "the course has no learning objective: write down what learners must be able to "
         "do, then plan the activities that get them there"),
    ],
    "noobj": [
        ("no-objective", "noobj", "n1",
         f"{label('n1')} serves no objective: link it to one, or drop it"),
    ],
    "phase": [
        ("out-of-phase", "phase", "s2",
         "activity 's2' (before class) comes after activity 's1' (after class): "
         "reorder them or change the timing"),
    ],
    "noreason": [
        ("no-in-class-reason", "noreason", "r1",
         f"{label('r1')} takes class time without a reason: unless it needs expert guidance, "
         "feedback, skill practice, peer coaching or reflection, move it before or after class"),
    ],
    "reasonout": [
        ("reason-outside-class", "reasonout", "q1",
         f"{label('q1')} gives an in-class reason (reflection) but is planned before class: "
         "move it into class or drop the reason"),
    ],
    "unknown": [
        ("unknown-tool", "unknown", "u1",
         f"tool 'Tubes' (used by activities 'u1' (\"Act u1\"), 'u3' (\"Act u3\")) is not in "
         "the tool catalog, so its fit is unknown; closest catalog tools: Tube. If it is one "
         f"of them, write that name; otherwise add{HOW_TO_ADD}"),
        ("unknown-tool", "unknown", "u2",
         f"tool 'Hammock' (used by {label('u2')}) is not in the tool catalog, so its fit is "
         f"unknown; no catalog tool has a similar name. Add{HOW_TO_ADD}"),
    ],
    "blocked": [
        ("blocked-tool", "blocked", "b1",
         f"Tube ({label('b1')}) is blocked by Acme's firewall (tube.example.org): "
         "learners cannot reach it from work"),
    ],
    "misfit": [
        ("tool-misfit", "misfit", "m1",
         f"Tube ({label('m1')}) does not serve community: choose a tool that does"),
    ],
    # Bare has no platform: the internal Engage would have to be introduced, while the
    # external Tube (content, one-to-many, no onboarding) can be used at once
    "notavail": [
        ("tool-not-available", "notavail", "v1",
         f"Engage ({label('v1')}) is internal, but Bare does not have it: it would first "
         "have to be introduced; prefer Tube, which its learners can use now"),
    ],
    "newacct": [
        ("new-account-external", "newacct", "w1",
         f"Chat ({label('w1')}) is external and asks learners for a new account, while "
         "Engage, which default already has, serves community and many-to-many: "
         "prefer Engage"),
    ],
    "nobenefit": [
        ("no-benefit", "nobenefit", "x1",
         f"{label('x1')} uses Engage but tells learners no benefit: say what they gain from it"),
    ],
}  # fmt: skip

#: An organisation with no platform, blocking nothing.
BARE = {"organisation": "Bare", "platforms": "", "blocked_domains": "", "prefers_internal": "false"}

#: The course built for each code.
COURSE_OF = {
    "tool-first": "toolfirst",
    "no-objective": "noobj",  # and "bare", at course level
    "out-of-phase": "phase",
    "no-in-class-reason": "noreason",
    "reason-outside-class": "reasonout",
    "unknown-tool": "unknown",
    "blocked-tool": "blocked",
    "tool-misfit": "misfit",
    "tool-not-available": "notavail",
    "new-account-external": "newacct",
    "no-benefit": "nobenefit",
}


@pytest.fixture
def warn_portfolio():
    """The courses of :data:`CASES`, activity rows given in reverse (interleaved) order."""
    orgs = {"blocked": "Acme", "notavail": "Bare"}
    courses = [course(c, organisation=orgs.get(c, "")) for c in CASES]
    objectives = [objective(c) for c in CASES if c not in ("toolfirst", "bare")]
    activities = [
        act("clean", "c1", 1, **GOOD),
        act("clean", "c2", 2, objective_id="o1", timing="during", direction="many-to-one",
            tool="none", in_class_reason="feedback"),
        act("toolfirst", "t1", 1, **{**GOOD, "objective_id": "", "tool_type": "co-creation",
                                     "direction": "many-to-many", "tool": "Board"}),
        act("bare", "e1", 1, objective_id="", timing="after", direction="many-to-many",
            tool="none"),
        act("bare", "e2", 2, **{**GOOD, "objective_id": "", "timing": "after", "tool": "none",
                                "tool_type": ""}),
        act("noobj", "n1", 1, **{**GOOD, "objective_id": ""}),
        act("phase", "s1", 1, **{**GOOD, "timing": "after"}),
        act("phase", "s2", 2, **GOOD),
        act("noreason", "r1", 1, objective_id="o1", timing="during", direction="one-to-many",
            tool="none"),
        act("reasonout", "q1", 1, objective_id="o1", timing="before", direction="one-to-many",
            tool="none", in_class_reason="reflection"),
        # one warning per (course, tool): "tubes" is "Tubes"; type and direction undecided,
        # as the fit of an unknown tool cannot be judged
        act("unknown", "u3", 3, **{**GOOD, "tool": "tubes", "tool_type": "", "direction": ""}),
        act("unknown", "u1", 1, **{**GOOD, "tool": "Tubes", "tool_type": "", "direction": ""}),
        act("unknown", "u2", 2, **{**GOOD, "tool": "Hammock", "tool_type": "", "direction": ""}),
        act("blocked", "b1", 1, **{**GOOD, "tool": "Tube"}),
        act("misfit", "m1", 1, **{**GOOD, "tool_type": "community", "tool": "Tube"}),
        act("newacct", "w1", 1, **{**GOOD, "tool_type": "community",
                                   "direction": "many-to-many", "tool": "Chat"}),
        act("notavail", "v1", 1, **GOOD),
        act("nobenefit", "x1", 1, **{**GOOD, "learner_benefit": ""}),
    ]  # fmt: skip
    return make_portfolio(
        courses, objectives, activities[::-1], organisations=[*ORGANISATIONS, BARE]
    )


def test_every_code_has_a_case():
    assert set(COURSE_OF) == set(WARNING_CODES)
    assert len(WARNING_CODES) == 11
    codes = list(WARNING_CODES)
    assert codes.index("unknown-tool") == codes.index("reason-outside-class") + 1
    assert codes.index("tool-not-available") == codes.index("tool-misfit") + 1


def test_warning_columns(warn_portfolio):
    w = strategic_warnings(warn_portfolio)
    assert list(w.columns) == COLUMNS


@pytest.mark.parametrize("code", list(WARNING_CODES))
def test_each_code_is_emitted_in_its_case_only(warn_portfolio, code):
    w = strategic_warnings(warn_portfolio)
    emitted_in = set(w.loc[w["code"] == code, "course_id"])
    assert COURSE_OF[code] in emitted_in
    # no-objective is also the course-level warning of the course with no objective
    assert emitted_in <= {COURSE_OF[code], "bare"}
    assert "clean" not in emitted_in


@pytest.mark.parametrize("course_id", list(CASES))
def test_warnings_of_each_case(warn_portfolio, course_id):
    w = strategic_warnings(warn_portfolio)
    assert rows(w[w["course_id"] == course_id]) == CASES[course_id]


def test_warnings_vectorised_over_courses_in_course_order(warn_portfolio):
    # activity rows were given in reverse; warnings still come in the courses' file order
    w = strategic_warnings(warn_portfolio)
    assert rows(w) == [warning for case in CASES.values() for warning in case]


def test_clean_portfolio_has_no_warning():
    p = make_portfolio(
        [course("a"), course("b", organisation="Acme")],
        [objective("a"), objective("b")],
        [
            act("a", "a1", 1, **GOOD),
            act("a", "a2", 2, objective_id="o1", timing="during", tool="none",
                in_class_reason="practice"),
            act("b", "b1", 1, **GOOD),
            act("b", "b2", 2, **{**GOOD, "timing": "after", "tool": "none", "tool_type": ""}),
        ],
    )  # fmt: skip
    w = strategic_warnings(p)
    assert len(w) == 0
    assert list(w.columns) == COLUMNS


# --------------------------------------------------------------------------- two courses
def test_two_courses_warnings_in_order(two_courses):
    # course, then seq (a2 < a3 < a5, the course-level warning first), then code order
    assert rows(strategic_warnings(two_courses)) == [
        ("no-in-class-reason", "c1", "a2",
         "activity 'a2' (\"Lecture\") takes class time without a reason: unless it needs "
         "expert guidance, feedback, skill practice, peer coaching or reflection, move it "
         "before or after class"),
        ("no-objective", "c1", "a3",
         "activity 'a3' (\"Peer chat\") serves no objective: link it to one, or drop it"),
        ("out-of-phase", "c1", "a3",
         "activity 'a3' (before class) comes after activity 'a2' (during class): "
         "reorder them or change the timing"),
        ("new-account-external", "c1", "a3",
         "Chat (activity 'a3' (\"Peer chat\")) is external and asks learners for a new "
         "account, while Engage, which Acme already has, serves community and many-to-many: "
         "prefer Engage"),
        ("no-benefit", "c1", "a3",
         "activity 'a3' (\"Peer chat\") uses Chat but tells learners no benefit: say what "
         "they gain from it"),
        ("blocked-tool", "c1", "a5",
         "Tube (activity 'a5' (\"Watch recap\")) is blocked by Acme's firewall "
         "(tube.example.org): learners cannot reach it from work"),
        ("tool-first", "c2", None,
         "tools are chosen (Board) but the course has no learning objective: start from "
         "what learners must be able to do, then choose tools"),
        ("no-benefit", "c2", "b1",
         "activity 'b1' (\"Shared board\") uses Board but tells learners no benefit: say "
         "what they gain from it"),
    ]  # fmt: skip


def test_course_level_warning_has_missing_activity_id(two_courses):
    w = strategic_warnings(two_courses)
    tool_first = w[w["code"] == "tool-first"]
    assert tool_first["course_id"].tolist() == ["c2"]
    assert tool_first["activity_id"].isna().all()
    assert w.loc[w["code"] != "tool-first", "activity_id"].notna().all()


# --------------------------------------------------------------------------- message variants
def one_course(*activities: dict, organisation: str = "", objectives: bool = True, **kw):
    return make_portfolio(
        [course("c", organisation=organisation)],
        [objective("c")] if objectives else [],
        list(activities),
        **kw,
    )


@pytest.mark.parametrize(
    ("tool_type", "direction", "what"),
    [
        ("community", "one-to-many", "community"),
        ("content", "many-to-many", "many-to-many"),
        ("co-creation", "many-to-one", "co-creation nor many-to-one"),
    ],
)
def test_tool_misfit_message_names_what_is_not_served(tool_type, direction, what):
    p = one_course(
        act("c", "m", 1, **{**GOOD, "tool": "Tube", "tool_type": tool_type,
                            "direction": direction}),
    )  # fmt: skip
    message = f"Tube ({label('m')}) does not serve {what}: choose a tool that does"
    assert rows(strategic_warnings(p)) == [("tool-misfit", "c", "m", message)]


def test_tool_misfit_ignores_undecided_type_and_direction():
    p = one_course(act("c", "m", 1, **{**GOOD, "tool": "Tube", "tool_type": "", "direction": ""}))
    assert "tool-misfit" not in set(strategic_warnings(p)["code"])


@pytest.mark.parametrize(
    ("timing", "words"),
    [("before", "before class"), ("after", "after class")],
)
def test_reason_outside_class_message_names_the_timing(timing, words):
    p = one_course(
        act("c", "q", 1, objective_id="o1", timing=timing, direction="many-to-one",
            tool="none", in_class_reason="coaching"),
    )  # fmt: skip
    assert rows(strategic_warnings(p)) == [
        ("reason-outside-class", "c", "q",
         f"{label('q')} gives an in-class reason (peer-coaching) but is planned {words}: "
         "move it into class or drop the reason"),
    ]  # fmt: skip


def test_an_in_class_reason_with_undecided_timing_is_no_warning():
    # not planned outside class: its timing is still open, which the checklist reports
    p = one_course(
        act("c", "q", 1, objective_id="o1", direction="many-to-one", tool="none",
            in_class_reason="coaching"),
    )  # fmt: skip
    assert rows(strategic_warnings(p)) == []
    gaps = analysis.checklist_gaps(p)
    assert gaps["gap"].tolist() == [f"timing of {label('q')} not decided"]


def test_new_account_external_with_undecided_direction():
    p = one_course(act("c", "w", 1, **{**GOOD, "tool_type": "community", "direction": "",
                                       "tool": "Chat"}))  # fmt: skip
    assert rows(strategic_warnings(p)) == [
        ("new-account-external", "c", "w",
         f"Chat ({label('w')}) is external and asks learners for a new account, while Engage, "
         "which default already has, serves community and any direction: prefer Engage"),
    ]  # fmt: skip


def test_new_account_external_needs_a_platform_alternative():
    bare = {"organisation": "Bare", "platforms": "", "blocked_domains": "",
            "prefers_internal": "false"}  # fmt: skip
    p = one_course(
        act("c", "w", 1, **{**GOOD, "tool_type": "community", "direction": "many-to-many",
                            "tool": "Chat"}),
        organisation="Bare",
        organisations=[*ORGANISATIONS, bare],
    )  # fmt: skip
    assert len(strategic_warnings(p)) == 0


def test_tool_first_names_each_tool_once_and_needs_a_tool():
    with_tools = one_course(
        act("c", "t1", 1, tool_type="co-creation", tool="Board", learner_benefit="x"),
        act("c", "t2", 2, tool_type="community", tool="Chat", learner_benefit="x"),
        act("c", "t3", 3, tool_type="community", tool="board", learner_benefit="x"),
        act("c", "t4", 4, tool="none"),
        objectives=False,
    )
    w = strategic_warnings(with_tools)
    tool_first = w[w["code"] == "tool-first"]
    assert len(tool_first) == 1
    message = tool_first["message"].iloc[0]
    named = message.split("(", 1)[1].split(")", 1)[0].split(", ")
    # the order of the tools in the message is not specified
    assert sorted(named) == ["Board", "Chat"]
    assert message.endswith(
        ") but the course has no learning objective: start from what learners must be "
        "able to do, then choose tools"
    )
    # one cause, one warning: no no-objective for t1..t4, which cannot be linked (Chat,
    # external with a new account where the organisation has Engage, is another cause)
    assert [(code, aid) for code, _, aid, _ in rows(w)] == [
        ("tool-first", None),
        ("new-account-external", "t2"),
    ]

    no_tools = one_course(act("c", "t1", 1, tool="none"), act("c", "t2", 2), objectives=False)
    assert rows(strategic_warnings(no_tools)) == [("no-objective", "c", None, CASES["bare"][0][3])]


def test_blocked_tool_names_tool_organisation_and_domain():
    p = one_course(act("c", "b", 1, **{**GOOD, "tool": "Tube"}), organisation="Acme")
    (w,) = rows(strategic_warnings(p))
    code, _, _, message = w
    assert code == "blocked-tool"
    assert message.startswith("Tube (")
    assert "Acme's firewall (tube.example.org)" in message


# --------------------------------------------------------------------------- one cause, one warning
def test_course_without_objectives_and_four_tool_activities_gives_one_warning():
    p = one_course(
        *(act("c", f"t{i}", i, **{**GOOD, "objective_id": ""}) for i in range(1, 5)),
        objectives=False,
    )
    assert rows(strategic_warnings(p)) == [
        ("tool-first", "c", None,
         "tools are chosen (Engage) but the course has no learning objective: start from "
         "what learners must be able to do, then choose tools"),
    ]  # fmt: skip
    # the checklist too: one course-level gap, none per activity
    gaps = analysis.checklist_gaps(p)
    assert gaps[["question", "gap"]].values.tolist() == [[1, "no learning objective defined"]]


def test_an_activity_without_objective_in_a_course_with_objectives_is_warned():
    p = one_course(act("c", "a", 1, **GOOD), act("c", "b", 2, **{**GOOD, "objective_id": ""}))
    assert rows(strategic_warnings(p)) == [
        ("no-objective", "c", "b", f"{label('b')} serves no objective: link it to one, or drop it")
    ]
    assert analysis.checklist_gaps(p)[["question", "gap"]].values.tolist() == [
        [1, f"{label('b')} is linked to no objective"]
    ]


def test_blocked_tool_once_per_course_and_tool_naming_the_activities():
    p = make_portfolio(
        [course("c", organisation="Acme"), course("d", organisation="Acme")],
        [objective("c"), objective("d")],
        [
            act("c", "b3", 3, **{**GOOD, "tool": "Tube"}),
            act("c", "b1", 1, **{**GOOD, "tool": "Tube"}),
            act("c", "ok", 2, **GOOD),
            act("c", "b4", 4, **{**GOOD, "tool": "Tube"}),
            act("d", "x", 1, **{**GOOD, "tool": "Tube"}),
        ],
    )
    assert rows(strategic_warnings(p)) == [
        ("blocked-tool", "c", "b1",
         "Tube (activities 'b1' (\"Act b1\"), 'b3' (\"Act b3\"), 'b4' (\"Act b4\")) is "
         "blocked by Acme's firewall (tube.example.org): learners cannot reach it from work"),
        ("blocked-tool", "d", "x",
         f"Tube ({label('x')}) is blocked by Acme's firewall (tube.example.org): "
         "learners cannot reach it from work"),
    ]  # fmt: skip
    scores = analysis.checklist_scores(p)
    assert scores.loc[scores["question"].eq(5), "n_gaps"].tolist() == [1, 1]
    assert analysis.checklist_gaps(p)["gap"].tolist() == [
        "Tube for activities 'b1' (\"Act b1\"), 'b3' (\"Act b3\"), 'b4' (\"Act b4\") is blocked "
        "by the firewall (tube.example.org)",
        f"Tube for {label('x')} is blocked by the firewall (tube.example.org)",
    ]


def test_new_account_external_once_per_course_and_tool():
    chat = {**GOOD, "tool_type": "community", "direction": "many-to-many", "tool": "Chat"}
    p = one_course(act("c", "w1", 1, **chat), act("c", "w2", 2, **{**chat, "tool": "chat"}))
    assert rows(strategic_warnings(p)) == [
        ("new-account-external", "c", "w1",
         "Chat (activities 'w1' (\"Act w1\"), 'w2' (\"Act w2\")) is external and asks "
         "learners for a new account, while Engage, which default already has, serves what "
         "these activities need: prefer Engage"),
    ]  # fmt: skip


def test_no_benefit_stays_per_activity_and_out_of_phase_names_the_one_to_move():
    # a (after class) before b and d (before class): a is the one out of place
    p = one_course(
        act("c", "a", 1, **{**GOOD, "timing": "after", "learner_benefit": ""}),
        act("c", "b", 2, **{**GOOD, "learner_benefit": ""}),
        act("c", "d", 3, **{**GOOD, "learner_benefit": ""}),
    )
    w = strategic_warnings(p)
    assert w[["code", "activity_id"]].values.tolist() == [
        ["out-of-phase", "a"],
        ["no-benefit", "a"],
        ["no-benefit", "b"],
        ["no-benefit", "d"],
    ]


@pytest.mark.parametrize(
    ("absent", "silenced", "question", "gap"),
    [
        ("objective_id", "no-objective", 1, "no activity is linked to an objective"),
        ("in_class_reason", "no-in-class-reason", 3,
         "no activity in class says why it must be there"),
        ("learner_benefit", "no-benefit", 6, "no activity says what learners gain"),
        ("timing", "reason-outside-class", 3, "no activity's timing is decided"),
    ],
)  # fmt: skip
def test_an_absent_decision_column_never_fans_out(absent, silenced, question, gap):
    # two courses, each with activities that would each give the warning
    acts = [
        act(c, f"{c}{i}", i, objective_id="", timing="during", direction="one-to-many",
            tool="Engage", tool_type="content", in_class_reason="", learner_benefit="")
        for c in ("c", "d") for i in (1, 2)
    ]  # fmt: skip
    if absent == "timing":
        acts = [{**a, "timing": "before", "in_class_reason": "feedback"} for a in acts]
    tables = make_tables([course("c"), course("d")], [objective("c"), objective("d")], acts)
    full = validate(tables)
    assert (strategic_warnings(full)["code"] == silenced).sum() == 4
    tables["activities"] = tables["activities"].drop(columns=absent)
    p = validate(tables)
    assert p.absent_decisions == (absent,)
    (notice,) = p.notices
    assert f"no {absent} column" in notice
    assert silenced not in set(strategic_warnings(p)["code"])
    gaps = analysis.checklist_gaps(p)
    # the question's only gap, in each course: none per activity
    assert gaps.loc[gaps["question"].eq(question), ["course_id", "gap"]].values.tolist() == [
        [c, f"{gap}: the activities table has no {absent} column"] for c in ("c", "d")
    ]
    scores = analysis.checklist_scores(p)
    assert scores.loc[scores["question"].eq(question), "n_gaps"].tolist() == [1, 1]


# --------------------------------------------------------------------------- warnings and checklist
def test_every_warning_code_belongs_to_a_question():
    assert set(WARNING_CODES) <= set(WARNING_QUESTIONS)
    assert set(WARNING_QUESTIONS.values()) <= set(analysis.QUESTIONS)
    assert WARNING_QUESTIONS["out-of-phase"] == 2
    assert WARNING_QUESTIONS["unknown-tool"] == WARNING_QUESTIONS["tool-not-available"] == 5
    assert WARNING_QUESTIONS["no-benefit"] == 6


def open_questions_hold_every_warning(p) -> int:
    """Assert that every warning's question has a gap in the checklist, in the checklist,
    its gaps and its scores alike; return how many warnings were checked."""
    w = strategic_warnings(p)
    needed = set(zip(w["course_id"], w["code"].map(WARNING_QUESTIONS), strict=True))
    gaps = analysis.checklist_gaps(p)
    assert needed <= set(zip(gaps["course_id"], gaps["question"], strict=True))
    scores = analysis.checklist_scores(p)
    open_ = scores[~scores["ok"]]
    assert needed <= set(zip(open_["course_id"], open_["question"], strict=True))
    assert scores["n_gaps"].tolist() == analysis.checklist(p)["n_gaps"].tolist()
    return len(w)


def test_every_warning_opens_its_question(warn_portfolio, two_courses):
    assert open_questions_hold_every_warning(warn_portfolio) == sum(map(len, CASES.values()))
    assert open_questions_hold_every_warning(two_courses) == 8


def test_every_warning_opens_its_question_on_the_sample(sample):
    assert open_questions_hold_every_warning(sample) == 13
    checklist = analysis.checklist_scores(sample).set_index(["course_id", "question"])
    assert not checklist.loc[("compliance-abc", 2), "ok"]  # out-of-phase


def test_every_warning_opens_its_question_on_a_generated_portfolio():
    tables = make_portfolio_tables(300, activities_per_course=12, seed=7)
    p = validate(with_defaults(tables))
    assert open_questions_hold_every_warning(p) > 300


def test_sample_warnings_by_code(sample):
    # by hand from data/*.csv and the bundled catalog and organisations:
    # tool-first: product-launch (no objective; YouTube, Mentimeter)
    # no-objective: agile-teams A2 and A5 (the course has objectives)
    # out-of-phase: compliance-abc A3 (before, after A2 during)
    # no-in-class-reason: presenting A3; reason-outside-class: gdpr-basics A5 (after)
    # blocked-tool: onboarding-30 A1 (YouTube at Fabrikam), sales-consultative A1
    #   (LinkedIn at Tailspin)
    # tool-misfit: coaching-skills A2 (Mentimeter is many-to-one only)
    # new-account-external: lead-first-time A3 (LinkedIn); not sales-consultative A1, whose
    #   LinkedIn is blocked and must be replaced anyway
    # no-benefit: cust-service A2 (padlet, no benefit)
    # tool-not-available: agile-teams A1 (Confluence, which Contoso lacks), presenting A1
    #   (SharePoint: a blank organisation is the default, which has no platform)
    w = strategic_warnings(sample)
    by_code = w.groupby("code", sort=False)["course_id"].agg(list).to_dict()
    assert by_code == {
        "blocked-tool": ["onboarding-30", "sales-consultative"],
        "new-account-external": ["lead-first-time"],
        "out-of-phase": ["compliance-abc"],
        "no-objective": ["agile-teams", "agile-teams"],
        "no-benefit": ["cust-service"],
        "tool-first": ["product-launch"],
        "reason-outside-class": ["gdpr-basics"],
        "tool-misfit": ["coaching-skills"],
        "no-in-class-reason": ["presenting"],
        "tool-not-available": ["agile-teams", "presenting"],
    }
    assert w.loc[w["code"].eq("tool-not-available"), "activity_id"].tolist() == ["A1", "A1"]
    assert w.loc[w["code"].eq("no-objective"), "activity_id"].tolist() == ["A2", "A5"]
    assert w.loc[w["course_id"].eq("product-launch"), "code"].tolist() == ["tool-first"]


# --------------------------------------------------------------------------- unknown tools
def test_unknown_tool_warning_per_course_and_tool_at_its_first_use():
    p = make_portfolio(
        [course("k1"), course("k2")],
        [objective("k1"), objective("k2")],
        [
            act("k2", "b2", 2, **{**GOOD, "tool": "Boards"}),
            act("k1", "a1", 1, **{**GOOD, "tool": "Engage"}),
            act("k1", "a2", 2, **{**GOOD, "tool": "Boards"}),
            act("k2", "b1", 1, **{**GOOD, "tool": "boards"}),
            act("k1", "a3", 3, **{**GOOD, "tool": "Boards"}),
        ],
    )
    w = strategic_warnings(p)
    unknown = w[w["code"] == "unknown-tool"]
    assert unknown[["course_id", "activity_id"]].values.tolist() == [["k1", "a2"], ["k2", "b1"]]
    first, second = unknown["message"]
    assert first.startswith(
        "tool 'Boards' (used by activities 'a2' (\"Act a2\"), 'a3' (\"Act a3\")) is not"
    )
    # written as at its first use in that course
    assert second.startswith(
        "tool 'boards' (used by activities 'b1' (\"Act b1\"), 'b2' (\"Act b2\")) is not"
    )
    assert "closest catalog tools: Board. If it is one of them" in first
    assert not first.endswith(BUNDLED)


def test_unknown_tool_warning_tells_to_copy_the_bundled_catalog(tmp_path):
    (tmp_path / "courses.csv").write_text(
        "course_id,title,organisation\nc1,One,Acme\n", encoding="utf-8"
    )
    (tmp_path / "objectives.csv").write_text(
        "course_id,objective_id,statement\nc1,o1,Do\n", encoding="utf-8"
    )
    (tmp_path / "activities.csv").write_text(
        "course_id,activity_id,seq,title,objective_id,tool,learner_benefit\n"
        "c1,a1,1,One,o1,Workvivo2,Colleagues see it\n"
        "c1,a2,2,Two,o1,Yammer,Colleagues see it\n",
        encoding="utf-8",
    )
    # organisations of its own do not make the tools table its own
    (tmp_path / "organisations.csv").write_text(
        "organisation,platforms\nAcme,Viva Engage\n", encoding="utf-8"
    )
    p = load_portfolio(tmp_path)
    assert p.activities["tool"].tolist() == ["Workvivo2", "Viva Engage"]
    assert rows(strategic_warnings(p)) == [
        ("unknown-tool", "c1", "a1",
         "tool 'Workvivo2' (used by activity 'a1' (\"One\")) is not in the tool catalog, so "
         "its fit is unknown; closest catalog tools: Workvivo. If it is one of them, write "
         f"that name; otherwise add{HOW_TO_ADD}{BUNDLED}"),
    ]  # fmt: skip


def test_sample_with_unknown_tools_is_analysed(tmp_path):
    import shutil

    from socialkit import checklist, course_summary, recommend_tools, tool_fit
    from socialkit.contract.io import sample_path

    src = shutil.copytree(sample_path(), tmp_path / "p")
    acts = pd.read_csv(src / "activities.csv", dtype="str", keep_default_na=False)
    acts.loc[[1, 2], "tool"] = ["Workvivo2", "Yamer"]
    acts.to_csv(src / "activities.csv", index=False)
    p = load_portfolio(src)
    w = strategic_warnings(p)
    unknown = w[w["code"] == "unknown-tool"]
    assert unknown[["course_id", "activity_id"]].values.tolist() == [
        ["it-risk", "A2"],
        ["it-risk", "A3"],
    ]
    assert "closest catalog tools: Viva Engage." in unknown["message"].iloc[1]
    fit = tool_fit(p)
    fit = fit[fit["course_id"].eq("it-risk")].set_index("activity_id").loc[["A2", "A3"]]
    assert fit["tool"].tolist() == ["Workvivo2", "Yamer"]
    assert len(checklist(p)) and len(course_summary(p)) == 14
    assert len(recommend_tools(p))


def test_tool_not_available_once_per_course_and_tool():
    p = one_course(
        act("c", "v1", 1, **GOOD),
        act("c", "v2", 2, **GOOD),
        organisation="Bare",
        organisations=[*ORGANISATIONS, BARE],
    )
    assert rows(strategic_warnings(p)) == [
        ("tool-not-available", "c", "v1",
         "Engage (activities 'v1' (\"Act v1\"), 'v2' (\"Act v2\")) is internal, but Bare does "
         "not have it: it would first have to be introduced; prefer Tube, which its learners "
         "can use now"),
    ]  # fmt: skip
    assert analysis.checklist_gaps(p)[["question", "gap"]].values.tolist() == [
        [5, "Engage for activities 'v1' (\"Act v1\"), 'v2' (\"Act v2\") would first have to be "
         "introduced"],
    ]  # fmt: skip


def test_remembered_rules_let_the_portfolio_go(two_courses):
    import dataclasses
    import gc
    import weakref

    p = dataclasses.replace(two_courses)
    strategic_warnings(p)
    analysis.checklist_scores(p)
    gone = weakref.ref(p)
    del p
    gc.collect()
    assert gone() is None


def _catalog_with_modes(tmp_path, timing: str, tool: str):
    """The bundled catalog (which has modes) and one activity of a Contoso-like course."""
    (tmp_path / "courses.csv").write_text(
        "course_id,title,organisation\nc1,One,Corp\n", encoding="utf-8"
    )
    (tmp_path / "objectives.csv").write_text(
        "course_id,objective_id,statement\nc1,o1,Do\n", encoding="utf-8"
    )
    (tmp_path / "organisations.csv").write_text(
        "organisation,platforms,prefers_internal\nCorp,Viva Engage;Slack;Microsoft Forms,true\n",
        encoding="utf-8",
    )
    (tmp_path / "activities.csv").write_text(
        "course_id,activity_id,seq,title,objective_id,timing,direction,tool_type,tool,"
        "in_class_reason,learner_benefit\n"
        f"c1,a1,1,Quiz,o1,{timing},many-to-one,productivity,{tool},feedback,Instant scores\n",
        encoding="utf-8",
    )
    return load_portfolio(tmp_path)


def test_tool_misfit_names_a_tool_that_does_not_work_live_in_class(tmp_path):
    # Slack serves productivity many-to-one, but only on learners' own time (its modes)
    p = _catalog_with_modes(tmp_path, "during", "Slack")
    assert rows(strategic_warnings(p)) == [
        ("tool-misfit", "c1", "a1",
         "Slack (activity 'a1' (\"Quiz\")) does not work live in class: choose a tool that does"),
    ]  # fmt: skip


def test_tool_misfit_names_type_and_timing_together(tmp_path):
    # Viva Engage serves community and content, many-to-one, on learners' own time only
    p = _catalog_with_modes(tmp_path, "during", "Viva Engage")
    ((code, _, _, message),) = rows(strategic_warnings(p))
    assert code == "tool-misfit"
    assert message == (
        "Viva Engage (activity 'a1' (\"Quiz\")) does not serve productivity and does not "
        "work live in class: choose a tool that does"
    )


def test_a_tool_for_own_time_fits_before_class(tmp_path):
    # the same Slack before class is on learners' own time: no misfit
    p = _catalog_with_modes(tmp_path, "before", "Slack")
    codes = [c for c, *_ in rows(strategic_warnings(p))]
    assert "tool-misfit" not in codes


@pytest.mark.parametrize("written", ["TBD", "n/a", "?", "-", "to be decided"])
def test_an_unknown_tool_that_reads_like_a_placeholder_says_how_to_leave_it_open(written):
    p = one_course(act("c", "a1", 1, **{**GOOD, "tool": written, "tool_type": ""}))
    ((code, _, aid, message),) = rows(strategic_warnings(p))
    assert (code, aid) == ("unknown-tool", "a1")
    assert (
        "it reads like a placeholder: leave the cell blank while the tool is not decided, or "
        "write none for no tool. If it is a tool, add a row for it"
    ) in message
    assert "closest catalog tools" not in message


def test_a_course_naming_no_organisation_gets_one_warning_for_its_internal_tools():
    # the bundled default context has no platform; Engage and Hub are internal
    hub = {
        "tool": "Hub",
        "tool_types": "content",
        "directions": "one-to-many",
        "hosting": "internal",
        "onboarding": "single-sign-on",
        "domains": "hub.example.com",
    }
    bare_default = {"organisation": "default", "platforms": "", "prefers_internal": "false"}
    p = one_course(
        act("c", "a1", 1, **GOOD),
        act("c", "a2", 2, **{**GOOD, "tool": "Hub"}),
        act("c", "a3", 3, **GOOD),
        tools=[*TOOLS, hub],
        organisations=[bare_default],
    )  # fmt: skip
    assert rows(strategic_warnings(p)) == [
        ("tool-not-available", "c", "a1",
         "the course names no organisation, so nothing says its learners have Engage, Hub "
         "(activities 'a1' (\"Act a1\"), 'a2' (\"Act a2\"), 'a3' (\"Act a3\")): internal "
         "tools come with an organisation; name the course's organisation in the courses "
         "table, or choose tools learners can reach themselves"),
    ]  # fmt: skip


def test_one_activity_out_of_place_is_one_warning():
    # A1 (after class) is placed first; A2-A5 are in phase order: only A1 must move
    p = one_course(
        act("c", "a1", 1, **{**GOOD, "timing": "after"}),
        act("c", "a2", 2, **GOOD),
        act("c", "a3", 3, **GOOD),
        act("c", "a4", 4, **{**GOOD, "timing": "during", "tool": "none", "tool_type": "",
                             "in_class_reason": "feedback"}),
        act("c", "a5", 5, **{**GOOD, "timing": "after"}),
    )  # fmt: skip
    assert rows(strategic_warnings(p)) == [
        ("out-of-phase", "c", "a1",
         "activity 'a1' (after class) comes before activity 'a2' (before class) and 2 more "
         "of an earlier phase: reorder them or change the timing"),
    ]  # fmt: skip
    gaps = analysis.checklist_gaps(p)
    assert gaps.loc[gaps["question"].eq(2), "gap"].tolist() == [
        "activity 'a1' (after class) comes before activity 'a2' (before class) and 2 more of "
        "an earlier phase"
    ]


def test_an_activity_placed_too_late_names_the_one_it_follows():
    # before, during, before: the last one is out of place, after a during activity
    during = {**GOOD, "timing": "during", "tool": "none", "tool_type": "",
              "in_class_reason": "feedback"}  # fmt: skip
    p = one_course(
        act("c", "a1", 1, **GOOD), act("c", "a2", 2, **during), act("c", "a3", 3, **GOOD)
    )
    assert [(c, a) for c, _, a, _ in rows(strategic_warnings(p))] == [("out-of-phase", "a3")]


def test_a_rule_table_without_flagged_rows_gives_a_fresh_empty_frame(sample) -> None:
    import numpy as np

    from socialkit.analysis.causes import per_course_tool
    from socialkit.analysis.rules import rule_tables

    fit = rule_tables(sample).fit
    names = ["course_id", "seq", "tool", "blocked", "alternative"]  # base and fact columns
    empty = fit.rows_frame(names, np.empty(0, np.int64))
    one = fit.rows_frame(names, np.array([0]))  # as written for rows, then none of them
    pd.testing.assert_frame_equal(empty, one.iloc[:0].reset_index(drop=True))
    empty["seq"] = empty["seq"] + 1  # a caller's copy: the next call is not changed
    empty["extra"] = []
    assert list(fit.rows_frame(names, np.empty(0, np.int64)).columns) == names
    none = per_course_tool(fit, np.zeros(len(fit), dtype=bool)).frame
    assert none.empty and list(none.columns)[-2:] == ["n", "label"]
    none["n"] = none["n"] - 1
    none["extra"] = []
    again = per_course_tool(fit, np.zeros(len(fit), dtype=bool)).frame
    assert again is not none and "extra" not in again and str(again["n"].dtype) == "int64"
