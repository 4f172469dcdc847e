"""The options of a report batch: how many kernels it needs, what the kernels preload."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from socialkit.reports.options import ReportOptions


def test_a_batch_needs_a_kernel_per_cpu_but_no_more_than_its_courses(monkeypatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert ReportOptions().kernels == 4
    assert ReportOptions(jobs=2).kernels == 2
    assert ReportOptions(courses=("it-risk",)).kernels == 1
    assert ReportOptions(jobs=3, courses=("it-risk", "presenting")).kernels == 2
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one
    assert ReportOptions().kernels == 1


def test_on_a_cluster_one_local_kernel_makes_the_overview() -> None:
    assert ReportOptions(scheduler="tcp://10.0.0.5:8786", jobs=8).kernels == 1


def test_the_kernels_preload_the_portfolio_given_or_the_sample() -> None:
    assert ReportOptions(portfolio=Path("data")).preload == "data"
    assert ReportOptions().preload == ""


def test_options_cannot_change_once_made() -> None:
    options = ReportOptions(force=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.force = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        ReportOptions("data")  # type: ignore[misc]  # keywords only
