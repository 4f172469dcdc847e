"""Strategic warnings: what a design does against the method, in words a trainer reads.

Each warning has a stable ``code``; :data:`WARNING_CODES` describes them all, and
:data:`WARNING_QUESTIONS` says which of the six questions of the checklist each one
belongs to.

One cause, one warning. A warning names the root cause once, where it can be put right:

* a course with no objective gets one course-level warning (``tool-first`` when it
  already chooses tools, else ``no-objective``), never one per activity: an activity
  cannot be linked to an objective that does not exist;
* a decision column the activities table lacks altogether
  (:attr:`~socialkit.contract.schema.Portfolio.absent_decisions`) silences the rules that read it:
  the portfolio has one notice saying so and the checklist one gap per course;
* a tool is unknown to the catalog, blocked, or asks for a new account once per course
  whatever the number of activities that use it: ``unknown-tool``, ``blocked-tool`` and
  ``new-account-external`` come once per (course, tool) and name the activities.

The warnings' rules are the checklist's rules too: :func:`warning_rules` feeds both, so a
question with an open warning always has a gap (see :func:`socialkit.analysis.checklist.checklist`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from socialkit.analysis.causes import no_objective, out_of_place_columns, per_course_tool
from socialkit.analysis.positions import course_index
from socialkit.analysis.rules import (
    ArrayTable,
    Flagged,
    Sentence,
    Table,
    collect,
    column,
    flags,
    in_prose,
    join,
    rule_tables,
    text,
)
from socialkit.analysis.tool_use import used_tools
from socialkit.analysis.unknown_tools import unknown_tool_uses
from socialkit.analysis.warning_words import phase_clash, serves_needs
from socialkit.base.frames import cached, memoized
from socialkit.base.lookup import equals, isin
from socialkit.contract.schema import DEFAULT_ORGANISATION, Portfolio
from socialkit.contract.tool_names import is_placeholder, uses_bundled_catalog

__all__ = ["WARNING_CODES", "WARNING_QUESTIONS", "strategic_warnings", "warning_rules"]

#: Every warning code and what it means.
WARNING_CODES: dict[str, str] = {
    "tool-first": "tools are chosen in a course that has no learning objective",
    "no-objective": "a course has no learning objective, or an activity is linked to none",
    "out-of-phase": "an activity comes after an activity of a later phase",
    "no-in-class-reason": "an activity stays in class without a reason",
    "reason-outside-class": "an in-class reason is given for an activity outside class",
    "unknown-tool": "an activity names a tool that the catalog does not know (once per course "
    "and tool)",
    "blocked-tool": "the organisation's firewall blocks the chosen tool",
    "tool-misfit": "the chosen tool does not serve the activity's tool type, direction or timing",
    "tool-not-available": "the chosen tool is internal, but the organisation does not have it",
    "new-account-external": "an external tool needing a new account, where an organisation "
    "platform serves the same type and direction",
    "no-benefit": "an activity uses a tool but tells learners no benefit",
}

#: The question of the checklist (a key of :data:`socialkit.analysis.checklist.QUESTIONS`) each
#: warning code belongs to: while a warning is open, its question has a gap.
WARNING_QUESTIONS: dict[str, int] = {
    "tool-first": 1,
    "no-objective": 1,
    "out-of-phase": 2,
    "no-in-class-reason": 3,
    "reason-outside-class": 3,
    "unknown-tool": 5,
    "blocked-tool": 5,
    "tool-misfit": 5,
    "tool-not-available": 5,
    "new-account-external": 5,
    "no-benefit": 6,
}


@memoized
def strategic_warnings(portfolio: Portfolio) -> pd.DataFrame:
    """Find every strategic warning in the portfolio, one per cause.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per warning: ``code`` (a key of :data:`WARNING_CODES`), ``course_id``,
        ``activity_id`` (missing for a warning about the whole course; for a warning
        about a tool used by several activities, the first of them, which the message
        names all) and ``message``, in course order, then activity order, then the order
        of :data:`WARNING_CODES`.
    """
    codes = list(WARNING_CODES)
    rules = [
        (table, mask, codes.index(code), say)
        for code, table, mask, say, _ in warning_rules(portfolio)
    ]
    found = collect(rules, seq_first=True)
    names = np.asarray(codes, dtype=object)
    return pd.DataFrame(
        {
            "code": pd.array(names[found["key"]], dtype="str"),
            "course_id": text(found["course_id"]),
            "activity_id": text(found["activity_id"]),
            "message": text(found["message"]),
        }
    )


def _timing_words(timing: pa.Array) -> pa.Array:
    """``before class``, ``after class``, ``during``, or ``with undecided timing``."""
    filled = pc.fill_null(timing, pa.scalar("with undecided timing", timing.type))
    return pc.replace_substring_regex(filled, pattern="^(before|after)$", replacement="\\1 class")


_STR = pa.large_string()


def _misfit(d: Flagged) -> pa.Array:
    frame = d.table.frame
    t = pa.array(d.mask(frame["serves_type"].eq(False)))
    r = pa.array(d.mask(frame["serves_direction"].eq(False)))
    m = pa.array(d.mask(frame["serves_timing"].eq(False)))
    tool_type, direction = d["tool_type"], d["direction"]
    what = pc.if_else(
        pc.and_(t, r), join(tool_type, " nor ", direction), pc.if_else(t, tool_type, direction)
    )
    live = pc.equal(pc.fill_null(d["timing"], ""), pa.scalar("during", _STR))
    when = pc.if_else(
        live, pa.scalar("live in class", _STR), pa.scalar("on learners' own time", _STR)
    )
    timing = join("does not work ", when)
    serves = join("does not serve ", pc.fill_null(what, ""))
    said = pc.if_else(pc.or_(t, r), pc.if_else(m, join(serves, " and ", timing), serves), timing)
    return join(d["tool"], " (", d.label, ") ", said, ": choose a tool that does")


def _not_available(d: Flagged) -> pa.Array:
    """An internal tool the organisation does not have, and what its learners can use now."""
    instead = pc.fill_null(d["recommended"], "")
    other = pc.and_(pc.not_equal(instead, pa.scalar("", _STR)), pc.not_equal(instead, d["tool"]))
    advice = pc.if_else(
        other,
        join("prefer ", instead, ", which its learners can use now"),
        pa.scalar("check that it can be introduced before planning it", _STR),
    )
    return join(
        d["tool"],
        " (",
        d["label"],
        ") is internal, but ",
        d["organisation"],
        " does not have it: it would first have to be introduced; ",
        advice,
    )


def _misfit_gap(d: Flagged) -> pa.Array:
    """The checklist's words: ``serve content``, ``support many-to-many``, ``work live in
    class`` (or ``on learners' own time``), those that apply ``" nor "``-joined."""
    frame, nulls = d.table.frame, pa.nulls(len(d), _STR)

    def part(column: str, words: pa.Array) -> pa.Array:
        return pc.if_else(pa.array(d.mask(frame[column].eq(False))), words, nulls)

    live = pc.equal(pc.fill_null(d["timing"], ""), pa.scalar("during", _STR))
    when = pc.if_else(
        live, pa.scalar("live in class", _STR), pa.scalar("on learners' own time", _STR)
    )
    what = pc.binary_join_element_wise(
        part("serves_type", join("serve ", d["tool_type"])),
        part("serves_direction", join("support ", d["direction"])),
        part("serves_timing", join("work ", when)),
        pa.scalar(" nor ", _STR),
        null_handling="skip",
    )
    return join(d["tool"], " for ", d.label, " does not ", what)


#: (code, table, mask of the rows to warn about, warning sentence, checklist gap sentence)
WarningRule = tuple[str, Table, "pd.Series | np.ndarray", Sentence, Sentence]


def _present(portfolio: Portfolio, *columns: str) -> bool:
    """Whether the user's activities table has every one of these decision columns."""
    return not set(columns) & set(portfolio.absent_decisions)


def _placeholders(tools: pa.Array) -> pa.Array:
    """Whether each unknown tool name reads like a placeholder (``TBD``, ``N/A``, ``?``)."""
    return pa.array([is_placeholder(t) for t in tools.to_pylist()])


@cached
def warning_rules(portfolio: Portfolio) -> list[WarningRule]:
    """The warnings' rules, which the checklist shares (remembered per portfolio).

    Each rule is (code, table, mask of the flagged rows, warning sentence, gap sentence),
    sentences as in :mod:`socialkit.analysis.rules`; the checklist files each flagged row as a
    gap of question ``WARNING_QUESTIONS[code]``. Which rows are one cause:

    * ``tool-first`` / ``no-objective``: a course with no objective, once (``tool-first``
      when it chooses tools); an activity linked to no objective only in a course that
      has objectives.
    * ``out-of-phase``: per activity to move, the longest run already in phase order
      staying in place (see :func:`out_of_place`), not per activity it clashes with.
    * ``no-in-class-reason``, ``reason-outside-class``, ``tool-misfit``,
      ``no-benefit``: per activity, as each is a decision of that activity alone (its
      place, its reason, the fit of its tool with its own type and direction, what its
      learners are told).
    * ``blocked-tool`` before ``tool-misfit`` before ``tool-not-available`` and
      ``new-account-external``: a tool that must be replaced anyway gets no warning about
      how learners would reach it.
    * ``unknown-tool``, ``blocked-tool``, ``new-account-external``, ``tool-not-available``:
      per (course, tool), at its first use, naming the activities: the missing catalog
      row, the firewall, or the account to make, is the tool's and the organisation's,
      the same for every activity of the course that uses it; in a course naming no
      organisation, ``tool-not-available`` once for all its internal tools.
    * A rule reading a decision column the activities table lacks altogether gives no
      row (see :attr:`~socialkit.contract.schema.Portfolio.absent_decisions`).
    """
    a, ids = portfolio.activities, course_index(portfolio)
    t = rule_tables(portfolio)
    # the facts of tool_fit's rows depend on the (organisation, tool, tool_type,
    # direction, timing) only: each mask is worked out on those few, then spread
    facts, spread = t.fit.facts, t.fit.spread
    moves, moved = out_of_place_columns(portfolio)
    seq = ArrayTable(moves, ids, course=moved)  # a frame only if someone asks for it
    # the masks are numpy arrays from the start, worked out on the columns' arrays: each
    # operation on a Series builds another one, which on one course costs more than the
    # comparison itself
    during = equals(a["timing"], "during")
    uses = used_tools(portfolio)
    no_obj, tools_by_course = no_objective(portfolio, t.activities, uses)
    chooses = isin(portfolio.courses["course_id"], list(tools_by_course)).to_numpy()
    has_obj = ~no_obj[t.activities.course]  # each activity's course has objectives
    # one cause, one warning: a tool the firewall blocks must be replaced whatever else is
    # true of it, and so must one that does not fit; only a tool that is reachable and
    # fits is worth a word on how learners get to it
    is_blocked = spread(facts["blocked"])
    unfit = np.zeros(len(facts), dtype=bool)  # a fact not known (missing) is no misfit
    for name in ("serves_type", "serves_direction", "serves_timing"):
        unfit |= flags(facts[name].array == False)  # noqa: E712 (nullable booleans)
    misfit = ~is_blocked & spread(unfit)
    replace = is_blocked | misfit
    blocked = per_course_tool(t.fit, is_blocked)
    asks_account = (
        equals(facts["hosting"], "external")
        & equals(facts["onboarding"], "new-account")
        & ~facts["alternative"].array.isna()
    )
    new_account = per_course_tool(t.fit, spread(asks_account) & ~replace, distinct=("alternative",))
    to_introduce = spread(equals(facts["availability"], "to-introduce")) & ~replace
    named = spread(flags(facts["organisation"].array != DEFAULT_ORGANISATION))
    not_available = per_course_tool(t.fit, to_introduce & named, distinct=("recommended",))
    # a course naming no organisation: one cause, whatever its tools (nothing is known)
    unnamed = per_course_tool(t.fit, to_introduce & ~named, by_course=True)
    no_objective_defined = "no learning objective defined"
    # no sentence may refer to the portfolio: the rules are remembered per portfolio, in a
    # weak dictionary whose entry would then keep it alive
    bundled = uses_bundled_catalog(portfolio)
    rules: dict[str, tuple | list[tuple]] = {
        "tool-first": (
            t.courses,
            no_obj & chooses,
            lambda d: join(
                "tools are chosen (",
                column([tools_by_course.get(c) for c in d["course_id"].to_pylist()]),
                ") but the course has no learning objective: start from what "
                "learners must be able to do, then choose tools",
            ),
            no_objective_defined,
        ),
        "no-objective": [
            (
                t.courses,
                no_obj & ~chooses,
                "the course has no learning objective: write down what learners must be "
                "able to do, then plan the activities that get them there",
                no_objective_defined,
            ),
            (
                t.activities,
                a["objective_id"].array.isna() & has_obj & _present(portfolio, "objective_id"),
                lambda d: join(d.label, " serves no objective: link it to one, or drop it"),
                lambda d: join(d.label, " is linked to no objective"),
            ),
        ],
        "out-of-phase": (
            seq,
            np.ones(len(seq), dtype=bool),
            lambda d: join(phase_clash(d), ": reorder them or change the timing"),
            phase_clash,
        ),
        "no-in-class-reason": (
            t.activities,
            during & a["in_class_reason"].array.isna() & _present(portfolio, "in_class_reason"),
            lambda d: join(
                d.label,
                " takes class time without a reason: unless it needs expert guidance, "
                "feedback, skill practice, peer coaching or reflection, move it before or "
                "after class",
            ),
            lambda d: join(d.label, " takes class time without a reason"),
        ),
        "reason-outside-class": (
            t.activities,
            ~a["in_class_reason"].array.isna()
            & ~a["timing"].array.isna()
            & ~during
            & _present(portfolio, "timing"),
            lambda d: join(
                d.label,
                " gives an in-class reason (",
                d["in_class_reason"],
                ") but is planned ",
                _timing_words(d["timing"]),
                ": move it into class or drop the reason",
            ),
            lambda d: join(
                d.label, " gives an in-class reason but is planned ", _timing_words(d["timing"])
            ),
        ),
        "unknown-tool": (
            unknown := Table(unknown_tool_uses(portfolio), ids),
            np.ones(len(unknown), dtype=bool),
            lambda d: join(
                "tool '",
                d["tool"],
                "' (used by ",
                d["uses"],
                ") is not in the tool catalog, so its fit is unknown; ",
                pc.if_else(
                    _placeholders(d["tool"]),
                    pa.scalar(
                        "it reads like a placeholder: leave the cell blank while the tool is "
                        "not decided, or write none for no tool. If it is a tool, add",
                        pa.large_string(),
                    ),
                    pc.if_else(
                        pc.is_null(d["closest"]),
                        pa.scalar("no catalog tool has a similar name. Add", pa.large_string()),
                        join(
                            "closest catalog tools: ",
                            pc.fill_null(d["closest"], pa.scalar("", pa.large_string())),
                            ". If it is one of them, write that name; otherwise add",
                        ),
                    ),
                ),
                " a row for it to the tools table (tools.csv, or the tools sheet of a "
                "workbook) with tool_types, directions, modes, hosting, onboarding and "
                "domains, or add the name to the aliases of the catalog tool it stands for"
                + (
                    ". This portfolio has no tools table of its own: start one from a copy of "
                    "the bundled catalog (socialkit/catalog/tools.csv in the installed "
                    "package), since a tools table of its own replaces the bundled one"
                    if bundled
                    else ""
                ),
            ),
            lambda d: join(
                "tool '", d["tool"], "' (used by ", d["uses"], ") is not in the catalog"
            ),
        ),
        "blocked-tool": (
            blocked,
            np.ones(len(blocked), dtype=bool),
            lambda d: join(
                d["tool"],
                " (",
                d["label"],
                ") is blocked by ",
                d["organisation"],
                "'s firewall (",
                in_prose(d["blocked_domains"]),
                "): learners cannot reach it from work",
            ),
            lambda d: join(
                d["tool"],
                " for ",
                d["label"],
                " is blocked by the firewall (",
                in_prose(d["blocked_domains"]),
                ")",
            ),
        ),
        "tool-misfit": (t.fit, misfit, _misfit, _misfit_gap),
        "tool-not-available": [
            (
                not_available,
                np.ones(len(not_available), dtype=bool),
                _not_available,
                lambda d: join(
                    d["tool"], " for ", d["label"], " would first have to be introduced"
                ),
            ),
            (
                unnamed,
                np.ones(len(unnamed), dtype=bool),
                lambda d: join(
                    "the course names no organisation, so nothing says its learners have ",
                    d["tool"],
                    " (",
                    d["label"],
                    "): internal tools come with an organisation; name the course's "
                    "organisation in the courses table, or choose tools learners can "
                    "reach themselves",
                ),
                lambda d: join("no organisation named: nothing says its learners have ", d["tool"]),
            ),
        ],
        "new-account-external": (
            new_account,
            np.ones(len(new_account), dtype=bool),
            lambda d: join(
                d["tool"],
                " (",
                d["label"],
                ") is external and asks learners for a new account, while ",
                d["alternative"],
                ", which ",
                d["organisation"],
                " already has, serves ",
                serves_needs(d),
                ": prefer ",
                d["alternative"],
            ),
            lambda d: join(
                d["tool"],
                " for ",
                d["label"],
                " asks learners for a new account, while the organisation has ",
                d["alternative"],
            ),
        ),
        "no-benefit": (
            t.activities,
            flags(uses)
            & a["learner_benefit"].array.isna()
            & _present(portfolio, "learner_benefit"),
            lambda d: join(
                d.label,
                " uses ",
                d["tool"],
                " but tells learners no benefit: say what they gain from it",
            ),
            lambda d: join("no learner benefit stated for ", d.label, ", which uses ", d["tool"]),
        ),
    }
    out = []
    for code, found in rules.items():
        for rule in found if isinstance(found, list) else [found]:
            table, mask, say, *gap = rule
            out.append((code, table, mask, say, gap[0] if gap else say))
    return out
