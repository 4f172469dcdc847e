"""Strategic warnings: what a design does against the method, in words a trainer reads.

Each warning has a stable ``code``; :data:`WARNING_CODES` describes them all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .analysis import _act_label, sequence_check
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


def _w(code: str, frame: pd.DataFrame, message: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": code,
            "course_id": frame["course_id"].to_numpy(),
            "activity_id": frame["activity_id"].to_numpy() if "activity_id" in frame else None,
            "message": message.to_numpy(),
        }
    )


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
    lab = _act_label(a)
    uses_tool = a["tool"].notna() & a["tool"].ne("none")
    found = []

    no_obj = ~c["course_id"].isin(set(o["course_id"]))
    tools_by_course = (
        a[uses_tool]
        .groupby("course_id", sort=False)["tool"]
        .agg(lambda s: ", ".join(dict.fromkeys(s)))
    )
    tf = c[no_obj & c["course_id"].isin(tools_by_course.index)]
    found.append(
        _w(
            "tool-first",
            tf,
            "tools are chosen ("
            + tf["course_id"].map(tools_by_course).astype("str")
            + ") but the course has no learning objective: "
            "start from what learners must be able to do, then choose tools",
        )
    )

    m = a["objective_id"].isna()
    found.append(
        _w("no-objective", a[m], lab[m] + " serves no objective: link it to one, or drop it")
    )

    seq = sequence_check(portfolio)
    found.append(
        _w(
            "out-of-phase",
            seq,
            "activity "
            + seq["activity_id"].map(repr).astype("str")
            + " ("
            + seq["timing"]
            + " class) comes after activity "
            + seq["after_activity_id"].map(repr).astype("str")
            + " ("
            + seq["after_timing"]
            + " class): reorder them or change the timing",
        )
    )

    m = a["timing"].eq("during").fillna(False) & a["in_class_reason"].isna()
    found.append(
        _w(
            "no-in-class-reason",
            a[m],
            lab[m] + " takes class time without a reason: "
            "unless it needs expert guidance, feedback, skill practice, peer coaching "
            "or reflection, move it before or after class",
        )
    )
    m = a["in_class_reason"].notna() & a["timing"].ne("during").fillna(False)
    found.append(
        _w(
            "reason-outside-class",
            a[m],
            lab[m]
            + " gives an in-class reason ("
            + a.loc[m, "in_class_reason"]
            + ") but is planned "
            + a.loc[m, "timing"]
            .fillna("with undecided timing")
            .str.replace(r"^(before|after)$", r"\1 class", regex=True)
            + ": move it into class or drop the reason",
        )
    )

    fit = tool_fit(portfolio).merge(
        a[["course_id", "activity_id", "title"]], on=["course_id", "activity_id"]
    )
    flab = _act_label(fit)
    m = fit["blocked"]
    found.append(
        _w(
            "blocked-tool",
            fit[m],
            fit.loc[m, "tool"] + " (" + flab[m] + ") is blocked "
            "by "
            + fit.loc[m, "organisation"]
            + "'s firewall ("
            + fit.loc[m, "blocked_domains"]
            + "): learners cannot reach it from work",
        )
    )
    bad_type = ~fit["serves_type"].fillna(True).astype(bool)
    bad_dir = ~fit["serves_direction"].fillna(True).astype(bool)
    m = bad_type | bad_dir
    what = pd.Series(
        np.where(
            bad_type & bad_dir,
            fit["tool_type"] + " nor " + fit["direction"],
            np.where(bad_type, fit["tool_type"], fit["direction"]),
        ),
        index=fit.index,
        dtype="str",
    )
    found.append(
        _w(
            "tool-misfit",
            fit[m],
            fit.loc[m, "tool"]
            + " ("
            + flab[m]
            + ") does not serve "
            + what[m]
            + ": choose a tool that does",
        )
    )
    m = (
        (
            fit["hosting"].eq("external")
            & fit["onboarding"].eq("new-account")
            & fit["alternative"].notna()
        )
        .fillna(False)
        .astype(bool)
    )
    found.append(
        _w(
            "new-account-external",
            fit[m],
            fit.loc[m, "tool"]
            + " ("
            + flab[m]
            + ") is external and asks learners for a new account, while "
            + fit.loc[m, "alternative"]
            + ", which "
            + fit.loc[m, "organisation"]
            + " already has, serves "
            + fit.loc[m, "tool_type"]
            + " and "
            + fit.loc[m, "direction"]
            + ": prefer "
            + fit.loc[m, "alternative"],
        )
    )

    m = uses_tool & a["learner_benefit"].isna()
    found.append(
        _w(
            "no-benefit",
            a[m],
            lab[m] + " uses " + a.loc[m, "tool"] + " but tells "
            "learners no benefit: say what they gain from it",
        )
    )

    out = pd.concat(
        [f for f in found if len(f)] or [pd.DataFrame(columns=_COLUMNS)], ignore_index=True
    )
    course_pos = pd.Series(np.arange(len(c)), index=c["course_id"].to_numpy())
    seq_pos = a.set_index(["course_id", "activity_id"])["seq"]
    key = pd.MultiIndex.from_arrays([out["course_id"], out["activity_id"]])
    out = out.assign(
        _c=out["course_id"].map(course_pos),
        _s=seq_pos.reindex(key).to_numpy(dtype="float64"),
        _k=out["code"].map({k: i for i, k in enumerate(WARNING_CODES)}),
    ).sort_values(["_c", "_s", "_k"], kind="stable", na_position="first")
    return out[_COLUMNS].astype("str").reset_index(drop=True)
