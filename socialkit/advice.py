"""Strategic warnings: what a design does against the method, in words a trainer reads.

Each warning has a stable ``code``; :data:`WARNING_CODES` describes them all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._frames import isin, memoized
from ._rules import Flagged, Rule, Table, collect, column, join, text
from .analysis import rule_tables, sequence_check
from .names import unknown_tool_uses, uses_bundled_catalog
from .schema import DEFAULT_ORGANISATION, Portfolio

__all__ = ["WARNING_CODES", "strategic_warnings"]

#: Every warning code and what it means.
WARNING_CODES: dict[str, str] = {
    "tool-first": "tools are chosen in a course that has no learning objective",
    "no-objective": "an activity is linked to no objective",
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


@memoized
def strategic_warnings(portfolio: Portfolio) -> pd.DataFrame:
    """Find every strategic warning in the portfolio.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    pandas.DataFrame
        One row per warning: ``code`` (a key of :data:`WARNING_CODES`), ``course_id``,
        ``activity_id`` (missing for a warning about the whole course) and ``message``,
        in course order, then activity order, then the order of :data:`WARNING_CODES`.
    """
    found = collect(_warning_rules(portfolio), seq_first=True)
    codes = np.asarray(list(WARNING_CODES), dtype=object)
    return pd.DataFrame(
        {
            "code": pd.array(codes[found["key"]], dtype="str"),
            "course_id": text(found["course_id"]),
            "activity_id": text(found["activity_id"]),
            "message": text(found["message"]),
        }
    )


def _tool_first(portfolio: Portfolio) -> tuple[np.ndarray, dict[str, str]]:
    """Courses with no objective whose activities choose tools: the mask over the
    courses, and each such course's tools, ``", "``-joined in order of first use."""
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    no_obj = ~isin(c["course_id"], o["course_id"]).to_numpy()
    if not no_obj.any():
        return no_obj, {}
    has_tool = a["tool"].notna() & a["tool"].ne("none")
    chosen = a.loc[has_tool & isin(a["course_id"], c["course_id"][no_obj]), ["course_id", "tool"]]
    tools = chosen.drop_duplicates().groupby("course_id", sort=False)["tool"].agg(", ".join)
    return isin(c["course_id"], tools.index).to_numpy(), tools.to_dict()


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
    org = d["organisation"]
    lacks = pc.if_else(
        pc.equal(org, pa.scalar(DEFAULT_ORGANISATION, _STR)),
        pa.scalar("the course names no organisation that has it", _STR),
        join(org, " does not have it"),
    )
    return join(
        d["tool"],
        " (",
        d.label,
        ") is internal, but ",
        lacks,
        ": it would first have to be introduced; ",
        advice,
    )


def _warning_rules(portfolio: Portfolio) -> list[Rule]:
    """The warnings' rules: (table, mask of the rows to warn about, position of the code in
    :data:`WARNING_CODES`, message)."""
    a = portfolio.activities
    t = rule_tables(portfolio)
    fit = t.fit.frame
    seq = Table(sequence_check(portfolio), portfolio.course_ids)
    has_tool = a["tool"].notna() & a["tool"].ne("none")
    during = a["timing"].eq("during").fillna(False)
    tool_first, tools_by_course = _tool_first(portfolio)
    misfit = (
        fit["serves_type"].eq(False).fillna(False)
        | fit["serves_direction"].eq(False).fillna(False)
        | fit["serves_timing"].eq(False).fillna(False)
    )
    rules: dict[str, tuple] = {
        "tool-first": (
            t.courses,
            tool_first,
            lambda d: join(
                "tools are chosen (",
                column([tools_by_course.get(c) for c in d["course_id"].to_pylist()]),
                ") but the course has no learning objective: start from what "
                "learners must be able to do, then choose tools",
            ),
        ),
        "no-objective": (
            t.activities,
            a["objective_id"].isna(),
            lambda d: join(d.label, " serves no objective: link it to one, or drop it"),
        ),
        "out-of-phase": (
            seq,
            np.ones(len(seq), dtype=bool),
            lambda d: join(
                "activity '",
                d["activity_id"],
                "' (",
                d["timing"],
                " class) comes after activity '",
                d["after_activity_id"],
                "' (",
                d["after_timing"],
                " class): reorder them or change the timing",
            ),
        ),
        "no-in-class-reason": (
            t.activities,
            during & a["in_class_reason"].isna(),
            lambda d: join(
                d.label,
                " takes class time without a reason: unless it needs expert guidance, "
                "feedback, skill practice, peer coaching or reflection, move it before or "
                "after class",
            ),
        ),
        "reason-outside-class": (
            t.activities,
            a["in_class_reason"].notna() & ~during,
            lambda d: join(
                d.label,
                " gives an in-class reason (",
                d["in_class_reason"],
                ") but is planned ",
                _timing_words(d["timing"]),
                ": move it into class or drop the reason",
            ),
        ),
        "unknown-tool": (
            unknown := Table(unknown_tool_uses(portfolio), portfolio.course_ids),
            np.ones(len(unknown), dtype=bool),
            lambda d: join(
                "tool '",
                d["tool"],
                "' (used by ",
                d["uses"],
                ") is not in the tool catalog, so its fit is unknown; ",
                pc.if_else(
                    pc.is_null(d["closest"]),
                    pa.scalar("no catalog tool has a similar name. Add", pa.large_string()),
                    join(
                        "closest catalog tools: ",
                        pc.fill_null(d["closest"], pa.scalar("", pa.large_string())),
                        ". If it is one of them, write that name; otherwise add",
                    ),
                ),
                " a row for it to the tools table (tools.csv, or the tools sheet of a "
                "workbook) with tool_types, directions, modes, hosting, onboarding and "
                "domains, or add the name to the aliases of the catalog tool it stands for"
                + (
                    ". This portfolio has no tools table of its own: start one from a copy of "
                    "the bundled catalog (socialkit/catalog/tools.csv in the installed "
                    "package), since a tools table of its own replaces the bundled one"
                    if uses_bundled_catalog(portfolio)
                    else ""
                ),
            ),
        ),
        "blocked-tool": (
            t.fit,
            fit["blocked"],
            lambda d: join(
                d["tool"],
                " (",
                d.label,
                ") is blocked by ",
                d["organisation"],
                "'s firewall (",
                d["blocked_domains"],
                "): learners cannot reach it from work",
            ),
        ),
        "tool-misfit": (t.fit, misfit, _misfit),
        "tool-not-available": (t.fit, fit["availability"].eq("to-introduce"), _not_available),
        "new-account-external": (
            t.fit,
            fit["hosting"].eq("external")
            & fit["onboarding"].eq("new-account")
            & fit["alternative"].notna(),
            lambda d: join(
                d["tool"],
                " (",
                d.label,
                ") is external and asks learners for a new account, while ",
                d["alternative"],
                ", which ",
                d["organisation"],
                " already has, serves ",
                d["tool_type"],
                " and ",
                pc.fill_null(d["direction"], pa.scalar("any direction", pa.large_string())),
                ": prefer ",
                d["alternative"],
            ),
        ),
        "no-benefit": (
            t.activities,
            has_tool & a["learner_benefit"].isna(),
            lambda d: join(
                d.label,
                " uses ",
                d["tool"],
                " but tells learners no benefit: say what they gain from it",
            ),
        ),
    }
    return [
        (table, mask, list(WARNING_CODES).index(code), say)
        for code, (table, mask, say) in rules.items()
    ]
