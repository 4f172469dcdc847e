"""Analyses checked against hand-computed expectations on small fixtures.

``two_courses`` (see its docstring in conftest), worked out by hand:

c1 (Acme: has Engage, blocks tube.example.org), objectives o1 and o2::

    seq  id  timing  direction     type       tool    benefit  objective  min  learning type
    1    a1  before  one-to-many   content    Engage  yes      o1         30   acquisition
    2    a2  during  one-to-many   -          none    -        o1         60   acquisition
    3    a3  before  many-to-many  community  Chat    -        -          20   discussion
    4    a4  during  many-to-one   -          none    -        o1         90   practice (feedback)
    5    a5  after   -             content    Tube    yes      o1         -    -

c2 (default context, no objective): b1 seq 1, undecided timing, many-to-many, co-creation,
Board, no benefit, no objective, 15 min.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_portfolio

from socialkit.analysis.advice import strategic_warnings
from socialkit.analysis.checks import (
    QUESTIONS,
    UNDECIDED,
    benefit_counts,
    checklist,
    checklist_gaps,
    checklist_scores,
    course_summary,
    flipped_candidates,
    outside_class_share,
    sequence_check,
    timing_direction_matrix,
    uses_tool,
)
from socialkit.analysis.tool_fit import recommend_tools, tool_fit

TIMING_CATS = ["before", "during", "after", "undecided"]
DIRECTION_CATS = ["one-to-many", "many-to-one", "many-to-many", "undecided"]


def course(cid: str, **kw) -> dict:
    return {"course_id": cid, "title": f"Course {cid}", **kw}


def objective(cid: str, oid: str = "o1") -> dict:
    return {"course_id": cid, "objective_id": oid, "statement": f"Objective {oid}"}


def act(cid: str, aid: str, seq: int, **kw) -> dict:
    return {"course_id": cid, "activity_id": aid, "seq": str(seq), "title": f"Act {aid}", **kw}


def values(s: pd.Series) -> list:
    """Plain Python values with every kind of missing value as ``None``."""
    return [None if pd.isna(v) else v for v in s.tolist()]


def label(aid: str) -> str:
    """How messages name an activity built with :func:`act`."""
    return f"activity '{aid}' (\"Act {aid}\")"


# --------------------------------------------------------------------------- matrix
def cell(matrix: pd.DataFrame, timing: str, direction: str, course_id: str | None = None):
    m = (matrix["timing"] == timing) & (matrix["direction"] == direction)
    if course_id is not None:
        m &= matrix["course_id"] == course_id
    row = matrix[m]
    assert len(row) == 1
    return int(row["activities"].iloc[0]), int(row["minutes"].iloc[0])


def test_matrix_by_course_full_grid(two_courses):
    m = timing_direction_matrix(two_courses)
    assert list(m.columns) == ["course_id", "timing", "direction", "activities", "minutes"]
    # 2 courses x 4 timings x 4 directions, zeros included
    assert len(m) == 32
    assert m["course_id"].tolist() == ["c1"] * 16 + ["c2"] * 16
    assert list(m["timing"].cat.categories) == TIMING_CATS
    assert list(m["direction"].cat.categories) == DIRECTION_CATS
    assert m["timing"].cat.ordered and m["direction"].cat.ordered
    assert UNDECIDED == "undecided"
    # grid in category order within each course
    first = m[m["course_id"] == "c1"]
    assert first["timing"].astype(str).tolist() == [t for t in TIMING_CATS for _ in range(4)]
    assert first["direction"].astype(str).tolist() == DIRECTION_CATS * 4


@pytest.mark.parametrize(
    ("course_id", "timing", "direction", "expected"),
    [
        ("c1", "before", "one-to-many", (1, 30)),  # a1
        ("c1", "during", "one-to-many", (1, 60)),  # a2
        ("c1", "before", "many-to-many", (1, 20)),  # a3
        ("c1", "during", "many-to-one", (1, 90)),  # a4
        ("c1", "after", "undecided", (1, 0)),  # a5: no direction, no minutes
        ("c1", "after", "one-to-many", (0, 0)),
        ("c1", "undecided", "many-to-many", (0, 0)),
        ("c2", "undecided", "many-to-many", (1, 15)),  # b1
        ("c2", "before", "one-to-many", (0, 0)),
        ("c2", "undecided", "undecided", (0, 0)),
    ],
)
def test_matrix_by_course_cells(two_courses, course_id, timing, direction, expected):
    m = timing_direction_matrix(two_courses, by="course")
    assert cell(m, timing, direction, course_id) == expected


def test_matrix_by_course_totals(two_courses):
    m = timing_direction_matrix(two_courses).groupby("course_id")[["activities", "minutes"]].sum()
    assert m.loc["c1"].tolist() == [5, 200]
    assert m.loc["c2"].tolist() == [1, 15]


def test_matrix_by_portfolio(two_courses):
    m = timing_direction_matrix(two_courses, by="portfolio")
    assert list(m.columns) == ["timing", "direction", "activities", "minutes"]
    assert len(m) == 16
    assert cell(m, "before", "one-to-many") == (1, 30)
    assert cell(m, "before", "many-to-many") == (1, 20)
    assert cell(m, "during", "one-to-many") == (1, 60)
    assert cell(m, "during", "many-to-one") == (1, 90)
    assert cell(m, "after", "undecided") == (1, 0)
    assert cell(m, "undecided", "many-to-many") == (1, 15)
    assert cell(m, "after", "many-to-many") == (0, 0)
    assert m["activities"].sum() == 6
    assert m["minutes"].sum() == 215


def test_matrix_adds_up_cells_of_the_same_kind():
    p = make_portfolio(
        [course("c")],
        [objective("c")],
        [
            act("c", "x1", 1, timing="before", direction="many-to-many", minutes="10"),
            act("c", "x2", 2, timing="pre", direction="n:n", minutes="5"),
            act("c", "x3", 3, timing="before", direction="many-to-many"),
        ],
    )
    m = timing_direction_matrix(p)
    assert cell(m, "before", "many-to-many", "c") == (3, 15)
    assert m["activities"].sum() == 3


def test_matrix_course_without_activities_has_a_zero_grid():
    p = make_portfolio([course("full"), course("bare")], [], [act("full", "x", 1)])
    m = timing_direction_matrix(p)
    assert len(m) == 32
    bare = m[m["course_id"] == "bare"]
    assert len(bare) == 16
    assert bare["activities"].sum() == 0 and bare["minutes"].sum() == 0
    assert cell(m, "undecided", "undecided", "full") == (1, 0)


def test_matrix_by_course_follows_the_courses_file_order():
    p = make_portfolio(
        [course("zeta"), course("alpha")],
        [],
        [act("alpha", "a", 1, timing="after"), act("zeta", "z", 1, timing="before")],
    )
    m = timing_direction_matrix(p)
    assert m["course_id"].tolist() == ["zeta"] * 16 + ["alpha"] * 16
    assert cell(m, "before", "undecided", "zeta") == (1, 0)
    assert cell(m, "after", "undecided", "alpha") == (1, 0)


def test_matrix_is_worked_out_once_and_callers_get_copies(two_courses):
    first = timing_direction_matrix(two_courses)
    first.loc[0, "activities"] = 99
    again = timing_direction_matrix(two_courses)
    assert again.loc[0, "activities"] != 99
    assert again["activities"].sum() == 6
    whole = timing_direction_matrix(two_courses, by="portfolio")
    whole.loc[0, "minutes"] = -1
    assert timing_direction_matrix(two_courses, by="portfolio")["minutes"].min() >= 0


def test_matrix_rejects_unknown_by(two_courses):
    with pytest.raises(ValueError, match="by"):
        timing_direction_matrix(two_courses, by="activity")


# --------------------------------------------------------------------------- outside share
def test_outside_class_share_two_courses(two_courses):
    s = outside_class_share(two_courses)
    assert list(s.columns) == [
        "course_id",
        "activities",
        "outside",
        "during",
        "undecided",
        "share_outside",
        "minutes",
        "minutes_outside",
        "share_minutes_outside",
    ]
    assert s["course_id"].tolist() == ["c1", "c2"]
    c1, c2 = s.iloc[0], s.iloc[1]
    # c1: a1, a3 before and a5 after outside; a2, a4 during; minutes 30+60+20+90
    assert [c1[k] for k in ("activities", "outside", "during", "undecided")] == [5, 3, 2, 0]
    assert c1["share_outside"] == pytest.approx(3 / 5)
    assert [c1["minutes"], c1["minutes_outside"]] == [200, 50]
    assert c1["share_minutes_outside"] == pytest.approx(50 / 200)
    # c2: b1 undecided counts as not outside
    assert [c2[k] for k in ("activities", "outside", "during", "undecided")] == [1, 0, 0, 1]
    assert c2["share_outside"] == pytest.approx(0.0)
    assert [c2["minutes"], c2["minutes_outside"]] == [15, 0]
    assert c2["share_minutes_outside"] == pytest.approx(0.0)


def test_outside_class_share_zero_denominators_give_missing():
    p = make_portfolio(
        [course("nomin"), course("empty"), course("after")],
        [],
        [
            act("nomin", "n1", 1, timing="before", minutes="0"),
            act("nomin", "n2", 2, timing="during"),
            act("nomin", "n3", 3),
            act("after", "f1", 1, timing="after", minutes="12"),
            act("after", "f2", 2, timing="follow-up", minutes="8"),
        ],
    )
    s = outside_class_share(p).set_index("course_id")
    assert s.index.tolist() == ["nomin", "empty", "after"]
    nomin = s.loc["nomin"]
    assert [nomin[k] for k in ("activities", "outside", "during", "undecided")] == [3, 1, 1, 1]
    assert nomin["share_outside"] == pytest.approx(1 / 3)
    assert [nomin["minutes"], nomin["minutes_outside"]] == [0, 0]
    assert pd.isna(nomin["share_minutes_outside"])
    empty = s.loc["empty"]
    assert [empty[k] for k in ("activities", "outside", "during", "undecided")] == [0, 0, 0, 0]
    assert pd.isna(empty["share_outside"])
    assert pd.isna(empty["share_minutes_outside"])
    after = s.loc["after"]
    assert after["share_outside"] == pytest.approx(1.0)
    assert [after["minutes"], after["minutes_outside"]] == [20, 20]
    assert after["share_minutes_outside"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- checklist
# the gaps of the warnings' rules are here too, under their questions (a2 no-in-class-
# reason: 3; a3 out-of-phase: 2, new-account-external: 5); an activity linked to no
# objective is a gap of question 1, and none in a course that has no objective (b1)
C1_GAPS = [
    (1, "objective 'o2' is served by no activity"),
    (1, "activity 'a3' (\"Peer chat\") is linked to no objective"),
    (2, "activity 'a3' (before class) comes after activity 'a2' (during class)"),
    (3, "activity 'a2' (\"Lecture\") takes class time without a reason"),
    (4, "direction of activity 'a5' (\"Watch recap\") not decided"),
    (5, "Chat for activity 'a3' (\"Peer chat\") asks learners for a new account, while the "
     "organisation has Engage"),
    (5, "Tube for activity 'a5' (\"Watch recap\") is blocked by the firewall (tube.example.org)"),
    (6, "no learner benefit stated for activity 'a3' (\"Peer chat\"), which uses Chat"),
]  # fmt: skip
C2_GAPS = [
    (1, "no learning objective defined"),
    (3, "timing of activity 'b1' (\"Shared board\") not decided"),
    (6, "no learner benefit stated for activity 'b1' (\"Shared board\"), which uses Board"),
]


def test_checklist_gaps_two_courses(two_courses):
    gaps = checklist_gaps(two_courses)
    assert list(gaps.columns) == ["course_id", "question", "gap"]
    expected = [("c1", q, g) for q, g in C1_GAPS] + [("c2", q, g) for q, g in C2_GAPS]
    assert list(gaps.itertuples(index=False, name=None)) == expected


def test_checklist_two_courses(two_courses):
    cl = checklist(two_courses)
    assert list(cl.columns) == ["course_id", "question", "text", "ok", "n_gaps", "gaps"]
    assert len(cl) == 12
    assert cl["course_id"].tolist() == ["c1"] * 6 + ["c2"] * 6
    assert cl["question"].tolist() == [1, 2, 3, 4, 5, 6] * 2
    assert cl["text"].tolist() == list(QUESTIONS.values()) * 2
    c1_ok, c2_ok = (
        [False, False, False, False, False, False],
        [False, True, False, True, True, False],
    )
    assert cl["ok"].tolist() == [*c1_ok, *c2_ok]
    assert cl["n_gaps"].tolist() == [*[2, 1, 1, 1, 2, 1], *[1, 0, 1, 0, 0, 1]]
    by_key = {(r.course_id, r.question): r.gaps for r in cl.itertuples()}
    assert by_key[("c1", 5)] == (C1_GAPS[5][1], C1_GAPS[6][1])
    assert by_key[("c2", 3)] == (C2_GAPS[1][1],)
    assert by_key[("c2", 2)] == ()


@pytest.fixture
def gap_portfolio():
    """Courses built so that each question is answered or not in a known way.

    * ``full``: everything decided and fitting: no gap at all.
    * ``empty``: no objective, no activity.
    * ``orphan``: one objective, no activity.
    * ``undec`` (Acme): u1 nothing decided; u2 Tube for community many-to-many (blocked,
      wrong type, wrong direction); u3 in class, no tool, no benefit; u4 Engage, no benefit.
    """
    courses = [
        course("full"),
        course("empty"),
        course("orphan"),
        course("undec", organisation="Acme"),
    ]
    objectives = [objective("full"), objective("orphan"), objective("undec")]
    activities = [
        act("full", "f1", 1, objective_id="o1", timing="before", direction="one-to-many",
            tool_type="content", tool="Engage", learner_benefit="Read on the train"),
        act("full", "f2", 2, objective_id="o1", timing="during", direction="many-to-one",
            tool="none", in_class_reason="feedback"),
        act("undec", "u1", 1, objective_id="o1"),
        act("undec", "u2", 2, objective_id="o1", timing="before", direction="many-to-many",
            tool_type="community", tool="Tube", learner_benefit="Watch anywhere"),
        act("undec", "u3", 3, objective_id="o1", timing="during", direction="one-to-many",
            tool="none", in_class_reason="expert-guidance"),
        act("undec", "u4", 4, objective_id="o1", timing="after", direction="one-to-many",
            tool_type="content", tool="Engage"),
    ]  # fmt: skip
    return make_portfolio(courses, objectives, activities)


@pytest.mark.parametrize(
    ("course_id", "question", "expected"),
    [
        # question 1
        ("full", 1, ()),
        ("empty", 1, ("no learning objective defined",)),
        ("orphan", 1, ("objective 'o1' is served by no activity",)),
        # question 2
        ("full", 2, ()),
        ("undec", 2, ()),
        ("empty", 2, ("no learning activity listed",)),
        ("orphan", 2, ("no learning activity listed",)),
        # question 3
        ("full", 3, ()),
        ("empty", 3, ()),
        ("undec", 3, (f"timing of {label('u1')} not decided",)),
        # question 4
        ("full", 4, ()),
        ("undec", 4, (f"direction of {label('u1')} not decided",)),
        # question 5
        ("full", 5, ()),
        ("empty", 5, ()),
        # question 6: u3 has no tool, so no benefit is needed
        ("full", 6, ()),
        ("empty", 6, ()),
        ("undec", 6, (f"no learner benefit stated for {label('u4')}, which uses Engage",)),
    ],
)
def test_checklist_question_by_question(gap_portfolio, course_id, question, expected):
    cl = checklist(gap_portfolio).set_index(["course_id", "question"])
    row = cl.loc[(course_id, question)]
    assert row["gaps"] == expected
    assert row["n_gaps"] == len(expected)
    assert row["ok"] == (not expected)


def test_checklist_question_5_every_kind_of_gap(gap_portfolio):
    gaps = checklist(gap_portfolio).set_index(["course_id", "question"]).loc[("undec", 5), "gaps"]
    u1 = {f"tool type of {label('u1')} not decided", f"tool of {label('u1')} not decided"}
    # Tube is blocked: it must be replaced, so that it does not serve community nor
    # many-to-many either is no second gap (one cause, one gap)
    u2 = {f"Tube for {label('u2')} is blocked by the firewall (tube.example.org)"}
    assert len(gaps) == 3
    # activity order: u1's gaps come first
    assert set(gaps[:2]) == u1
    assert set(gaps[2:]) == u2


def test_checklist_tool_type_gap_only_when_a_tool_is_used():
    p = make_portfolio(
        [course("c")],
        [objective("c")],
        [
            act("c", "t1", 1, objective_id="o1", timing="before", direction="one-to-many",
                tool="Engage", learner_benefit="yes"),
            act("c", "t2", 2, objective_id="o1", timing="during", direction="one-to-many",
                tool="none", in_class_reason="feedback"),
        ],
    )  # fmt: skip
    gaps = checklist_gaps(p)
    assert gaps["gap"].tolist() == [f"tool type of {label('t1')} not decided"]
    assert gaps["question"].tolist() == [5]


def test_checklist_six_rows_per_course_in_course_order(gap_portfolio):
    cl = checklist(gap_portfolio)
    assert len(cl) == 4 * 6
    assert cl["course_id"].tolist() == [
        c for c in ("full", "empty", "orphan", "undec") for _ in range(6)
    ]
    assert cl["question"].tolist() == [1, 2, 3, 4, 5, 6] * 4
    assert cl.groupby("course_id", sort=False)["ok"].all().to_dict() == {
        "full": True,
        "empty": False,
        "orphan": False,
        "undec": False,
    }
    assert cl.groupby("course_id", sort=False)["n_gaps"].sum().to_dict() == {
        "full": 0,
        "empty": 2,
        "orphan": 2,
        "undec": 6,  # q3 1, q4 1, q5 3 (blocked Tube: one gap), q6 1
    }


def test_checklist_gaps_follow_the_sequence_not_the_row_order():
    p = make_portfolio(
        [course("c")],
        [objective("c")],
        [act("c", "late", 3), act("c", "early", 1), act("c", "mid", 2)],
    )
    gaps = checklist_gaps(p)
    q1 = gaps.loc[gaps["question"] == 1, "gap"].tolist()
    assert q1 == [
        "objective 'o1' is served by no activity",
        *(f"{label(a)} is linked to no objective" for a in ("early", "mid", "late")),
    ]
    assert gaps["question"].is_monotonic_increasing


# --------------------------------------------------------------------------- flipped
PUSH = "; one-to-many content can be pushed before class"
ACQ = "; acquisition can be done alone, before class"
NO_REASON = "no reason given to keep it in class"


def test_flipped_two_courses(two_courses):
    f = flipped_candidates(two_courses)
    assert list(f.columns) == [
        "course_id",
        "activity_id",
        "seq",
        "title",
        "direction",
        "learning_type",
        "minutes",
        "strength",
        "why",
    ]
    # a2 is in class without a reason; a4 has one (feedback); b1's timing is undecided
    assert len(f) == 1
    row = f.iloc[0]
    assert (row["course_id"], row["activity_id"], row["seq"], row["title"]) == (
        "c1",
        "a2",
        2,
        "Lecture",
    )
    assert (row["direction"], row["learning_type"], row["minutes"]) == (
        "one-to-many",
        "acquisition",
        60,
    )
    assert row["strength"] == "strong"
    assert row["why"] == NO_REASON + PUSH + ACQ


def test_flipped_strength_and_exclusions():
    acts = [
        act("c", "f1", 1, timing="during", direction="one-to-many", learning_type="discussion",
            minutes="10"),
        act("c", "f2", 2, timing="during", direction="many-to-one", learning_type="acquisition",
            minutes="20"),
        act("c", "f3", 3, timing="during", direction="one-to-many", learning_type="acquisition"),
        act("c", "f4", 4, timing="during", direction="many-to-many",
            learning_type="collaboration", minutes="40"),
        act("c", "f5", 5, timing="in-class"),
        # not candidates: a reason to stay in class, or not in class
        act("c", "f6", 6, timing="during", direction="one-to-many", learning_type="acquisition",
            in_class_reason="expert-guidance"),
        act("c", "f7", 7, timing="before", direction="one-to-many", learning_type="acquisition"),
        act("c", "f8", 8, direction="one-to-many", learning_type="acquisition"),
        act("c", "f9", 9, timing="after", direction="one-to-many", learning_type="acquisition"),
    ]  # fmt: skip
    f = flipped_candidates(make_portfolio([course("c")], [objective("c")], acts))
    assert f["activity_id"].tolist() == ["f1", "f2", "f3", "f4", "f5"]
    assert f["seq"].tolist() == [1, 2, 3, 4, 5]
    assert f["strength"].tolist() == ["strong", "strong", "strong", "possible", "possible"]
    assert f["why"].tolist() == [
        NO_REASON + PUSH,
        NO_REASON + ACQ,
        NO_REASON + PUSH + ACQ,
        NO_REASON,
        NO_REASON,
    ]
    assert values(f["minutes"]) == [10, 20, None, 40, None]
    assert values(f["direction"]) == [
        "one-to-many",
        "many-to-one",
        "one-to-many",
        "many-to-many",
        None,
    ]
    assert values(f["learning_type"])[4] is None


def test_flipped_none_when_every_class_activity_has_a_reason():
    p = make_portfolio(
        [course("c")],
        [],
        [act("c", "x", 1, timing="during", direction="one-to-many", in_class_reason="coaching")],
    )
    f = flipped_candidates(p)
    assert len(f) == 0
    assert "strength" in f.columns


# --------------------------------------------------------------------------- sequence
SEQ_COLUMNS = [
    "course_id",
    "activity_id",
    "seq",
    "title",
    "timing",
    "after_activity_id",
    "after_seq",
    "after_title",
    "after_timing",
]


def seq_rows(df: pd.DataFrame) -> list[tuple]:
    return list(df[SEQ_COLUMNS].itertuples(index=False, name=None))


def test_sequence_check_two_courses(two_courses):
    s = sequence_check(two_courses)
    assert list(s.columns) == SEQ_COLUMNS
    # a3 (before) comes after a2 (during); a4 (during) after a2 is the same phase; b1 undecided
    assert seq_rows(s) == [("c1", "a3", 3, "Peer chat", "before", "a2", 2, "Lecture", "during")]


def test_sequence_check_names_the_earliest_activity_of_the_latest_phase():
    p = make_portfolio(
        [course("c")],
        [],
        [
            act("c", "y1", 1, timing="during"),
            act("c", "y2", 2, timing="after"),
            act("c", "y3", 3, timing="after"),
            act("c", "y4", 4, timing="before"),
            act("c", "y5", 5, timing="during"),
        ],
    )
    assert seq_rows(sequence_check(p)) == [
        ("c", "y4", 4, "Act y4", "before", "y2", 2, "Act y2", "after"),
        ("c", "y5", 5, "Act y5", "during", "y2", 2, "Act y2", "after"),
    ]


def test_sequence_check_ignores_undecided_timing():
    p = make_portfolio(
        [course("u"), course("v")],
        [],
        [
            # u: an undecided activity is never flagged nor a reference
            act("u", "u1", 1),
            act("u", "u2", 2, timing="before"),
            act("u", "u3", 3, timing="during"),
            act("u", "u4", 4),
            act("u", "u5", 5, timing="during"),
            act("u", "u6", 6, timing="after"),
            # v: undecided between an after and a before activity
            act("v", "v1", 1, timing="after"),
            act("v", "v2", 2),
            act("v", "v3", 3, timing="before"),
        ],
    )
    assert seq_rows(sequence_check(p)) == [
        ("v", "v3", 3, "Act v3", "before", "v1", 1, "Act v1", "after"),
    ]


def test_sequence_check_correct_sequence_yields_nothing():
    p = make_portfolio(
        [course("c")],
        [],
        [
            act("c", "s1", 1, timing="before"),
            act("c", "s2", 2, timing="before"),
            act("c", "s3", 3, timing="during"),
            act("c", "s4", 4, timing="after"),
            act("c", "s5", 5, timing="after"),
        ],
    )
    s = sequence_check(p)
    assert len(s) == 0
    assert list(s.columns) == SEQ_COLUMNS


def test_sequence_check_several_courses_at_once():
    # rows out of seq order and interleaved; course order p, q, r; no phase leaks between courses
    p = make_portfolio(
        [course("p"), course("q"), course("r")],
        [],
        [
            act("q", "x2", 2, timing="before"),
            act("r", "x1", 1, timing="before"),
            act("p", "x3", 30, timing="during"),
            act("q", "x1", 1, timing="after"),
            act("p", "x1", 10, timing="after"),
            act("r", "x2", 2, timing="during"),
            act("p", "x2", 20, timing="before"),
            act("q", "x3", 3, timing="during"),
        ],
    )
    assert seq_rows(sequence_check(p)) == [
        ("p", "x2", 20, "Act x2", "before", "x1", 10, "Act x1", "after"),
        ("p", "x3", 30, "Act x3", "during", "x1", 10, "Act x1", "after"),
        ("q", "x2", 2, "Act x2", "before", "x1", 1, "Act x1", "after"),
        ("q", "x3", 3, "Act x3", "during", "x1", 1, "Act x1", "after"),
    ]


# --------------------------------------------------------------------------- summary
def test_course_summary_two_courses(two_courses):
    s = course_summary(two_courses)
    assert list(s.columns) == [
        "course_id",
        "title",
        "organisation",
        "status",
        "objectives",
        "activities",
        "checklist_ok",
        "share_outside",
        "share_minutes_outside",
        "flipped_candidates",
        "warnings",
    ]
    c1, c2 = s.iloc[0].to_dict(), s.iloc[1].to_dict()
    assert {k: c1[k] for k in ("course_id", "title", "organisation", "status")} == {
        "course_id": "c1",
        "title": "Risk basics",
        "organisation": "Acme",
        "status": "final",
    }
    # c1: 2 objectives, 5 activities, every question with a gap (question 3: a2's
    # no-in-class-reason), a2 a flipped candidate, warnings a2 no-in-class-reason; a3
    # no-objective, out-of-phase, new-account-external, no-benefit; a5 blocked-tool
    assert [c1[k] for k in ("objectives", "activities", "checklist_ok")] == [2, 5, 0]
    assert c1["share_outside"] == pytest.approx(0.6)
    assert c1["share_minutes_outside"] == pytest.approx(0.25)
    assert [c1["flipped_candidates"], c1["warnings"]] == [1, 6]
    # c2: blank organisation -> default, blank status -> draft; questions 2, 4 and 5
    # answered; warnings tool-first, no-benefit (one cause, one warning: no no-objective)
    assert {k: c2[k] for k in ("course_id", "title", "organisation", "status")} == {
        "course_id": "c2",
        "title": "Tool-first",
        "organisation": "default",
        "status": "draft",
    }
    assert [c2[k] for k in ("objectives", "activities", "checklist_ok")] == [0, 1, 3]
    assert c2["share_outside"] == pytest.approx(0.0)
    assert c2["share_minutes_outside"] == pytest.approx(0.0)
    assert [c2["flipped_candidates"], c2["warnings"]] == [0, 2]


def test_course_summary_course_without_activities(gap_portfolio):
    s = course_summary(gap_portfolio).set_index("course_id")
    assert s.index.tolist() == ["full", "empty", "orphan", "undec"]
    assert s.loc["full", "checklist_ok"] == 6
    assert s.loc["full", "warnings"] == 0
    empty = s.loc["empty"]
    assert [empty["objectives"], empty["activities"], empty["checklist_ok"]] == [0, 0, 4]
    assert pd.isna(empty["share_outside"]) and pd.isna(empty["share_minutes_outside"])
    # the course-level no-objective warning: there is nothing else to warn about
    assert [empty["flipped_candidates"], empty["warnings"]] == [0, 1]
    assert s.loc["undec", "checklist_ok"] == 2  # questions 1 and 2


# --------------------------------------------------------------------------- many courses
@pytest.fixture
def three_courses():
    """Three courses, in file order k3, k1, k2, whose activity rows are interleaved.

    Activity ids repeat across courses. By hand:

    k3 (Acme, o1): x1 seq1 during one-to-many acquisition, no reason, 40 min;
                   x2 seq2 before one-to-many content Engage, no benefit, 10 min.
    k1 (default, o1): x1 seq1 before, direction undecided, content Engage, benefit, 20 min;
                      x2 seq2 during many-to-many discussion, no reason, 30 min.
    k2 (Acme, no objective): x1 seq1 after many-to-many community Chat, no benefit, 5 min;
                             x2 seq2 during one-to-many, no reason, 15 min.
    """
    courses = [
        course("k3", organisation="Acme"),
        course("k1"),
        course("k2", organisation="Acme"),
    ]
    objectives = [objective("k1"), objective("k3")]
    rows = {
        ("k3", "x1"): act("k3", "x1", 1, objective_id="o1", timing="during",
                          direction="one-to-many", tool="none", learning_type="acquisition",
                          minutes="40"),
        ("k3", "x2"): act("k3", "x2", 2, objective_id="o1", timing="before",
                          direction="one-to-many", tool_type="content", tool="Engage",
                          minutes="10"),
        ("k1", "x1"): act("k1", "x1", 1, objective_id="o1", timing="before",
                          tool_type="content", tool="Engage", learner_benefit="Short read",
                          minutes="20"),
        ("k1", "x2"): act("k1", "x2", 2, objective_id="o1", timing="during",
                          direction="many-to-many", tool="none", learning_type="discussion",
                          minutes="30"),
        ("k2", "x1"): act("k2", "x1", 1, timing="after", direction="many-to-many",
                          tool_type="community", tool="Chat", minutes="5"),
        ("k2", "x2"): act("k2", "x2", 2, timing="during", direction="one-to-many",
                          tool="none", minutes="15"),
    }  # fmt: skip
    order = [("k1", "x2"), ("k3", "x2"), ("k2", "x1"), ("k1", "x1"), ("k2", "x2"), ("k3", "x1")]
    return make_portfolio(courses, objectives, [rows[k] for k in order])


def test_many_courses_outside_share(three_courses):
    s = outside_class_share(three_courses)
    assert s["course_id"].tolist() == ["k3", "k1", "k2"]
    assert s["activities"].tolist() == [2, 2, 2]
    assert s["outside"].tolist() == [1, 1, 1]
    assert s["during"].tolist() == [1, 1, 1]
    assert s["minutes"].tolist() == [50, 50, 20]
    assert s["minutes_outside"].tolist() == [10, 20, 5]
    assert values(s["share_minutes_outside"]) == pytest.approx([0.2, 0.4, 0.25])


def test_many_courses_matrix(three_courses):
    m = timing_direction_matrix(three_courses)
    assert m["course_id"].tolist() == ["k3"] * 16 + ["k1"] * 16 + ["k2"] * 16
    assert cell(m, "during", "one-to-many", "k3") == (1, 40)
    assert cell(m, "before", "undecided", "k1") == (1, 20)
    assert cell(m, "after", "many-to-many", "k2") == (1, 5)
    assert cell(m, "during", "one-to-many", "k2") == (1, 15)
    assert cell(m, "during", "one-to-many", "k1") == (0, 0)


def test_many_courses_checklist(three_courses):
    gaps = checklist_gaps(three_courses)
    assert list(gaps.itertuples(index=False, name=None)) == [
        ("k3", 2, "activity 'x2' (before class) comes after activity 'x1' (during class)"),
        ("k3", 3, f"{label('x1')} takes class time without a reason"),
        ("k3", 6, f"no learner benefit stated for {label('x2')}, which uses Engage"),
        ("k1", 3, f"{label('x2')} takes class time without a reason"),
        ("k1", 4, f"direction of {label('x1')} not decided"),
        ("k2", 1, "no learning objective defined"),
        ("k2", 2, "activity 'x2' (during class) comes after activity 'x1' (after class)"),
        ("k2", 3, f"{label('x2')} takes class time without a reason"),
        ("k2", 5, f"Chat for {label('x1')} asks learners for a new account, while the "
         "organisation has Engage"),
        ("k2", 6, f"no learner benefit stated for {label('x1')}, which uses Chat"),
    ]  # fmt: skip
    cl = checklist(three_courses)
    assert cl["course_id"].tolist() == [c for c in ("k3", "k1", "k2") for _ in range(6)]
    assert cl["n_gaps"].tolist() == [
        *[0, 1, 1, 0, 0, 1],  # k3
        *[0, 0, 1, 1, 0, 0],  # k1
        *[1, 1, 1, 0, 1, 1],  # k2
    ]


def test_many_courses_sequence_and_summary(three_courses):
    assert seq_rows(sequence_check(three_courses)) == [
        ("k3", "x2", 2, "Act x2", "before", "x1", 1, "Act x1", "during"),
        ("k2", "x2", 2, "Act x2", "during", "x1", 1, "Act x1", "after"),
    ]
    s = course_summary(three_courses)
    assert s["course_id"].tolist() == ["k3", "k1", "k2"]
    assert s["objectives"].tolist() == [1, 1, 0]
    assert s["activities"].tolist() == [2, 2, 2]
    assert s["checklist_ok"].tolist() == [3, 4, 1]
    assert values(s["share_outside"]) == pytest.approx([0.5, 0.5, 0.5])
    assert values(s["share_minutes_outside"]) == pytest.approx([0.2, 0.4, 0.25])
    assert s["flipped_candidates"].tolist() == [1, 1, 1]
    # k2: tool-first, x1 new-account-external and no-benefit, x2 out-of-phase and
    # no-in-class-reason (no no-objective per activity: the course has no objective)
    assert s["warnings"].tolist() == [3, 1, 5]


def test_many_courses_flipped_content(three_courses):
    f = flipped_candidates(three_courses)
    got = {(r.course_id, r.activity_id): (r.strength, r.why) for r in f.itertuples()}
    assert got == {
        ("k3", "x1"): ("strong", NO_REASON + PUSH + ACQ),
        ("k1", "x2"): ("possible", NO_REASON),
        ("k2", "x2"): ("strong", NO_REASON + PUSH),
    }


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        # the docstrings of these two do not state an order; course order, then the sequence,
        # is what every other analysis gives and what a per-course report needs
        (flipped_candidates, [("k3", "x1"), ("k1", "x2"), ("k2", "x2")]),
        (tool_fit, [("k3", "x2"), ("k1", "x1"), ("k2", "x1")]),
        # "sorted by course, activity order and rank"
        (
            recommend_tools,
            [("k3", "x2"), ("k1", "x1"), ("k1", "x1"), ("k2", "x1"), ("k2", "x1"), ("k2", "x1")],
        ),
    ],
    ids=["flipped_candidates", "tool_fit", "recommend_tools"],
)
def test_many_courses_rows_in_course_order(three_courses, analysis, expected):
    out = analysis(three_courses)
    assert list(zip(out["course_id"], out["activity_id"], strict=True)) == expected


def test_checklist_scores_count_gaps_without_writing_them(two_courses) -> None:
    # c1: o2 unserved, a3 unlinked (Q1); a3 out of phase (Q2); a2 in class without a
    #     reason (Q3); a5 direction undecided (Q4); Chat's new account for a3, Tube
    #     blocked for a5 (Q5); no benefit for a3's Chat (Q6).
    # c2: no objective (Q1); b1 timing undecided (Q3); no benefit (Q6).
    scores = checklist_scores(two_courses)
    assert scores["course_id"].tolist() == ["c1"] * 6 + ["c2"] * 6
    assert scores["question"].tolist() == [1, 2, 3, 4, 5, 6] * 2
    assert scores["n_gaps"].tolist() == [2, 1, 1, 1, 2, 1, 1, 0, 1, 0, 0, 1]
    assert scores["ok"].tolist() == [n == 0 for n in scores["n_gaps"]]
    full = checklist(two_courses)
    assert scores["n_gaps"].tolist() == full["n_gaps"].tolist()


def test_columns_made_of_several_arrow_chunks_give_the_same_results(sample) -> None:
    import dataclasses

    a = sample.activities
    pieces = [a.iloc[:10], a.iloc[10:40], a.iloc[40:]]
    chunked = dataclasses.replace(sample, activities=pd.concat(pieces, ignore_index=True))
    assert chunked.activities["title"].array._pa_array.num_chunks == 3
    pd.testing.assert_frame_equal(checklist(chunked), checklist(sample))
    pd.testing.assert_frame_equal(
        strategic_warnings(chunked).reset_index(drop=True),
        strategic_warnings(sample).reset_index(drop=True),
    )


# --------------------------------------------------------------------------- learner benefit
def test_benefit_counts_two_courses(two_courses) -> None:
    # c1: a1 Engage, a3 Chat, a5 Tube use a tool (a2, a4 none); a1 and a5 tell a benefit.
    # c2: b1 Board, no benefit.
    b = benefit_counts(two_courses)
    assert list(b.columns) == ["course_id", "activities", "uses_tool", "told", "silent"]
    assert b.values.tolist() == [["c1", 5, 3, 2, 1], ["c2", 1, 1, 0, 1]]


def test_benefit_counts_skip_undecided_and_no_tool(gap_portfolio) -> None:
    # undec: u1's tool undecided and u3's none owe no benefit; u2 tells one, u4 does not
    b = benefit_counts(gap_portfolio).set_index("course_id")
    assert b.loc["undec"].tolist() == [4, 2, 1, 1]
    assert b.loc["full"].tolist() == [2, 1, 1, 0]
    assert b.loc["empty"].tolist() == [0, 0, 0, 0]
    assert uses_tool(gap_portfolio.activities).tolist() == [
        True, False, False, True, False, True
    ]  # fmt: skip


def test_benefit_is_one_count_for_the_checklist_and_the_warnings(sample) -> None:
    b = benefit_counts(sample).set_index("course_id")
    scores = checklist_scores(sample)
    q6 = scores[scores["question"].eq(6)].set_index("course_id")["n_gaps"]
    w = strategic_warnings(sample)
    warned = w[w["code"].eq("no-benefit")]["course_id"].value_counts()
    assert b["silent"].tolist() == q6.tolist()
    assert b["silent"].to_dict() == warned.reindex(b.index, fill_value=0).to_dict()
    # cust-service: A1 YouTube, A2 padlet, A5 Padlet use a tool; A2 tells no benefit
    assert b.loc["cust-service"].tolist() == [5, 3, 2, 1]
    assert int(b["silent"].sum()) == 1


def test_a_missing_column_is_a_gap_only_where_the_course_needs_the_decision():
    from conftest import make_tables

    from socialkit.contract.validation import validate

    acts = [
        # "notools" uses no tool and has nothing in class: it owes no benefit, no reason
        act("notools", "n1", 1, objective_id="o1", timing="before", direction="one-to-many",
            tool="none"),
        # "tooled" uses a tool in class
        act("tooled", "t1", 1, objective_id="o1", timing="during", direction="one-to-many",
            tool_type="content", tool="Engage"),
    ]  # fmt: skip
    tables = make_tables(
        [course("notools"), course("tooled")], [objective("notools"), objective("tooled")], acts
    )
    tables["activities"] = tables["activities"].drop(columns=["learner_benefit", "in_class_reason"])
    p = validate(tables)
    gaps = checklist_gaps(p)
    assert gaps[["course_id", "question", "gap"]].values.tolist() == [
        ["tooled", 3, "no activity in class says why it must be there: the activities table "
         "has no in_class_reason column"],
        ["tooled", 6, "no activity says what learners gain: the activities table has no "
         "learner_benefit column"],
    ]  # fmt: skip
