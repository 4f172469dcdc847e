"""Benchmark ``socialkit report`` against a plain ``papermill`` CLI loop, on the same courses.

Both make a design report for each of N synthetic courses (40 by default) with the bundled
``notebooks/course_report.ipynb``:

* baseline: ``papermill notebooks/course_report.ipynb OUT.ipynb -p portfolio PATH
  -p course_id ID``, once per course, one after another (a fresh kernel each time; it
  only executes, it writes no HTML);
* ``socialkit report PATH --out DIR --force`` (executes every course, exports the HTML
  pages and ``index.html``; warm kernels, one per CPU).

Rounds alternate (baseline, socialkit, baseline, socialkit ...) so that drift on a noisy
machine hits both alike. It prints seconds per course for each, their ratio per round
and the median ratio, against the goals: at most 0.3 s a course for ``socialkit report``
and at least 10x faster than the loop.

Usage::

    python benchmarks/bench_report.py [--courses 40] [--rounds 2] [--jobs N]

The portfolio is generated into ``benchmarks/_work/`` (git-ignored) with
``socialkit generate``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOTEBOOK = ROOT / "notebooks" / "course_report.ipynb"
GOAL_SECONDS, GOAL_RATIO = 0.3, 10.0


def _exe(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    if not exe.exists():
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return str(exe)


def papermill_loop(data: Path, ids: list[str], work: Path) -> float:
    """Seconds for the plain papermill CLI, one course after another."""
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for cid in ids:
        cmd = [_exe("papermill"), str(NOTEBOOK), str(work / f"{cid}.ipynb"), "--no-progress-bar"]
        cmd += ["-p", "portfolio", str(data), "-p", "course_id", cid]
        subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def socialkit_report(data: Path, out: Path, jobs: int | None) -> float:
    """Seconds for ``socialkit report --force`` (all courses and the index)."""
    cmd = [_exe("socialkit"), "report", str(data), "--out", str(out), "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument("--activities", type=int, default=12, help="per course")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=None, help="default: number of CPUs")
    args = parser.parse_args()

    work = HERE / "_work" / f"report-{args.courses}x{args.activities}"
    if work.exists():
        shutil.rmtree(work)
    data = work / "data"
    subprocess.run(
        [
            _exe("socialkit"),
            "generate",
            str(args.courses),
            str(data),
            "--activities",
            str(args.activities),
        ],
        check=True,
        capture_output=True,
    )
    import pandas as pd

    ids = pd.read_csv(data / "courses.csv", dtype=str)["course_id"].tolist()
    n = len(ids)
    socialkit_report(data, work / "warm-up", args.jobs)  # bytecode, file cache
    loop, ours = [], []
    for r in range(args.rounds):
        loop.append(papermill_loop(data, ids, work / f"papermill-{r}") / n)
        ours.append(socialkit_report(data, work / f"reports-{r}", args.jobs) / n)
        print(
            f"round {r + 1}: papermill loop {loop[-1]:.3f} s/course, "
            f"socialkit report {ours[-1]:.3f} s/course, ratio {loop[-1] / ours[-1]:.1f}x",
            flush=True,
        )
    ratio = statistics.median(a / b for a, b in zip(loop, ours, strict=True))
    per_course = statistics.median(ours)
    print(
        f"\n{n} courses, {args.rounds} rounds, {os.cpu_count()} cpu, "
        f"jobs={args.jobs or os.cpu_count()}"
    )
    print(f"{'command':<34}{'median s/course':>16}")
    print(f"{'papermill CLI loop':<34}{statistics.median(loop):>16.3f}")
    print(f"{'socialkit report --force':<34}{per_course:>16.3f}")
    print(f"ratio (median of rounds): {ratio:.1f}x")
    fast = "met" if per_course <= GOAL_SECONDS else "NOT met"
    many = "met" if ratio >= GOAL_RATIO else "NOT met"
    print(f"goal: at most {GOAL_SECONDS} s a course: {fast}; at least {GOAL_RATIO:.0f}x: {many}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
