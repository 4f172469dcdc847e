"""Strategic warnings: what a design does against the method, in words a trainer reads.

Each warning has a stable ``code``; :data:`WARNING_CODES` describes them all.
"""

from __future__ import annotations

import pandas as pd

from ._frames import in_course_order, isin, memoized
from .analysis import _act_label, _message_columns, _rows, sequence_check
from .schema import Portfolio
from .tools import tool_fit

__all__ = ["WARNING_CODES", "strategic_warnings"]

#: Every warning code and what it means.
WARNING_CODES: dict[str, str] = {
    "tool-first": "tools are chosen in a course that has no learning objective",
    "no-objective": "an activity is linked to no objective",
    "out-of-phase": "an activity comes after an activity of a later phase",
    "no-in-class-reason": "an activity stays in class without a reason",
    "reason-outside-class": "an in-class reason is given for an activity outside class",
    "blocked-tool": "the organisation's firewall blocks the chosen tool",
    "tool-misfit": "the chosen tool does not serve the activity's tool type or direction",
    "new-account-external": "an external tool needing a new account, where an organisation "
    "platform serves the same type and direction",
    "no-benefit": "an activity uses a tool but tells learners no benefit",
}
_COLUMNS = ["code", "course_id", "activity_id", "message"]


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
    c, o, a = portfolio.courses, portfolio.objectives, portfolio.activities
    has_tool = a["tool"].notna() & a["tool"].ne("none")
    during = a["timing"].eq("during").fillna(False)

    no_obj = c.loc[~isin(c["course_id"], o["course_id"]), "course_id"]
    chosen = a.loc[has_tool & isin(a["course_id"], no_obj), ["course_id", "tool"]]
    tools_by_course = (
        chosen.drop_duplicates().groupby("course_id", sort=False)["tool"].agg(", ".join)
    )
    seq = sequence_check(portfolio)
    fit = tool_fit(portfolio)
    misfit_type = fit["serves_type"].eq(False).fillna(False)
    misfit_dir = fit["serves_direction"].eq(False).fillna(False)

    def misfit(d: pd.DataFrame) -> pd.Series:
        t, r = (
            d["serves_type"].eq(False).fillna(False),
            d["serves_direction"].eq(False).fillna(False),
        )
        what = (
            d["tool_type"]
            .where(t, d["direction"])
            .where(~(t & r), d["tool_type"] + " nor " + d["direction"])
        )
        return (
            d["tool"]
            + " ("
            + _act_label(d)
            + ") does not serve "
            + what
            + (": choose a tool that does")
        )

    def timing_words(d: pd.DataFrame) -> pd.Series:
        return (
            d["timing"]
            .fillna("with undecided timing")
            .str.replace(r"^(before|after)$", r"\1 class", regex=True)
        )

    msg_a, msg_fit = _message_columns(a, fit)
    found = [
        (
            "tool-first",
            _rows(
                c,
                isin(c["course_id"], tools_by_course.index),
                message=lambda d: (
                    "tools are chosen ("
                    + d["course_id"].map(tools_by_course)
                    + ") but the course has no learning objective: start from what "
                    "learners must be able to do, then choose tools"
                ),
            ),
        ),
        (
            "no-objective",
            _rows(
                msg_a,
                a["objective_id"].isna(),
                message=lambda d: (
                    _act_label(d) + " serves no objective: link it to one, or drop it"
                ),
            ),
        ),
        (
            "out-of-phase",
            _rows(
                seq,
                None,
                message=lambda d: (
                    "activity '"
                    + d["activity_id"]
                    + "' ("
                    + d["timing"]
                    + " class) comes after activity '"
                    + d["after_activity_id"]
                    + "' ("
                    + d["after_timing"]
                    + " class): reorder them or change the timing"
                ),
            ),
        ),
        (
            "no-in-class-reason",
            _rows(
                msg_a,
                during & a["in_class_reason"].isna(),
                message=lambda d: (
                    _act_label(d) + " takes class time without a reason: unless it "
                    "needs expert guidance, feedback, skill practice, peer coaching or "
                    "reflection, move it before or after class"
                ),
            ),
        ),
        (
            "reason-outside-class",
            _rows(
                msg_a,
                a["in_class_reason"].notna() & ~during,
                message=lambda d: (
                    _act_label(d)
                    + " gives an in-class reason ("
                    + d["in_class_reason"]
                    + ") but is planned "
                    + timing_words(d)
                    + ": move it into class or drop the reason"
                ),
            ),
        ),
        (
            "blocked-tool",
            _rows(
                msg_fit,
                fit["blocked"],
                message=lambda d: (
                    d["tool"]
                    + " ("
                    + _act_label(d)
                    + ") is blocked by "
                    + d["organisation"]
                    + "'s firewall ("
                    + d["blocked_domains"]
                    + "): learners cannot reach it from work"
                ),
            ),
        ),
        ("tool-misfit", _rows(msg_fit, misfit_type | misfit_dir, message=misfit)),
        (
            "new-account-external",
            _rows(
                msg_fit,
                fit["hosting"].eq("external").fillna(False)
                & fit["onboarding"].eq("new-account").fillna(False)
                & fit["alternative"].notna(),
                message=lambda d: (
                    d["tool"] + " (" + _act_label(d) + ") is external and asks "
                    "learners for a new account, while "
                    + d["alternative"]
                    + ", which "
                    + d["organisation"]
                    + " already has, serves "
                    + d["tool_type"]
                    + " and "
                    + d["direction"].fillna("any direction")
                    + ": prefer "
                    + d["alternative"]
                ),
            ),
        ),
        (
            "no-benefit",
            _rows(
                msg_a,
                has_tool & a["learner_benefit"].isna(),
                message=lambda d: (
                    _act_label(d) + " uses " + d["tool"] + " but tells learners no "
                    "benefit: say what they gain from it"
                ),
            ),
        ),
    ]
    out = pd.concat([f.assign(code=code) for code, f in found], ignore_index=True)
    seq_of = a.set_index(["course_id", "activity_id"])["seq"]
    out["_s"] = seq_of.reindex(
        pd.MultiIndex.from_frame(out[["course_id", "activity_id"]].fillna(""))
    ).to_numpy(dtype="float64")
    out["_k"] = out["code"].map({k: i for i, k in enumerate(WARNING_CODES)})
    out = in_course_order(out, c["course_id"], ["_s", "_k"])
    return out[_COLUMNS].astype("str")
