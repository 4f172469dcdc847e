"""The delivery analysis from ``socialkit``'s top-level names, as a notebook uses it."""

from __future__ import annotations

import socialkit


def test_the_top_level_names_analyse_the_bundled_sample() -> None:
    p = socialkit.load_portfolio(socialkit.sample_path())
    st = socialkit.read_statements(socialkit.sample_path() / "statements")
    assert isinstance(st, socialkit.Statements)
    summary = socialkit.delivery_summary(p, st)
    a1 = summary.set_index(["run_id", "activity_id"]).loc[("2026-04-singapore", "A1")]
    # the scenario: 12 learners, every one opened the pre-work, 3 of them before class
    assert [a1.learners, a1.participants, a1.before, a1.during, a1.after] == [12, 12, 3, 9, 0]
    warnings = socialkit.delivery_warnings(summary)
    singapore = warnings[warnings["run_id"].eq("2026-04-singapore")]
    assert set(singapore["code"]) == {"prework-skipped", "other-phase"}
    result = socialkit.analyse_delivery(p, st)
    assert isinstance(result, socialkit.DeliveryResult)
    assert result.read == result.used + sum(result.skipped.values())
    courses = socialkit.delivery_courses(summary).set_index("run_id")
    assert courses.loc["2026-04-singapore", "prework_done"] == 0.25  # 9 of 36 pairs
    assert set(socialkit.delivery_matrix(summary)["run_id"]) == set(p.runs["run_id"])
