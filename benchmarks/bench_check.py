"""Benchmark ``socialkit check`` on a large synthetic portfolio against reading it bare.

Runs, side by side in one session (A B A B ... so that drift on a noisy machine hits
both alike):

* baseline: a bare Python process that imports pandas and reads the same CSV files
  with ``pandas.read_csv`` defaults;
* ``socialkit check PATH`` (the text report), ``socialkit check PATH --json`` and
  ``socialkit check PATH --json --advice`` (each activity's fit and recommendations).

It prints the median wall time of each, the median of the per-round ratios to the
baseline (of wall time, and of CPU time, which other work on the machine disturbs less),
and each command's peak memory (largest resident set), then compares them
with the goals: the text report at most 3x the baseline, ``--json`` at most 4x, both
under 1.5 GB (``--advice`` has no goal: its figures are printed for the record).

Usage::

    python benchmarks/bench_check.py [--courses 20000] [--rounds 5] [--no-advice]

The ``socialkit`` command is the one of the running Python's environment, which imports
``socialkit`` as that Python finds it (``PYTHONPATH`` first).

The portfolio is generated once into ``benchmarks/_work/`` (git-ignored) with
``socialkit generate``; pass ``--regenerate`` to make it again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from _measure import measure, run, socialkit_command

HERE = Path(__file__).resolve().parent
BASE = "baseline (import pandas + read_csv)"
#: The most each command may take, as a ratio to the baseline (None: no goal).
GOAL_RATIO = {
    BASE: None,
    "socialkit check": 3.0,
    "socialkit check --json": 4.0,
    "socialkit check --json --advice": None,
}
GOAL_PEAK_MB = 1536
TABLES = ("courses", "objectives", "activities", "organisations")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=20, help="per course")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-advice", action="store_true", help="skip check --json --advice")
    args = parser.parse_args()

    data = HERE / "_work" / f"portfolio-{args.courses}x{args.activities}"
    if args.regenerate and data.exists():
        shutil.rmtree(data)
    if not data.exists():
        print(f"generating {args.courses} courses into {data} ...", flush=True)
        subprocess.run(
            [
                *socialkit_command(),
                "generate",
                str(args.courses),
                str(data),
                "--activities",
                str(args.activities),
            ],
            check=True,
        )
    n_acts = sum(1 for _ in (data / "activities.csv").open("rb")) - 1
    files = [str(data / f"{t}.csv") for t in TABLES]
    check = [*socialkit_command(), "check", str(data)]
    commands = {
        BASE: [
            sys.executable,
            "-c",
            f"import pandas as pd\nfor f in {files!r}:\n    pd.read_csv(f)",
        ],
        "socialkit check": check,
        "socialkit check --json": [*check, "--json"],
        "socialkit check --json --advice": [*check, "--json", "--advice"],
    }
    if args.no_advice:
        del commands["socialkit check --json --advice"]
    for cmd in commands.values():  # warm-up: file cache, bytecode
        run(cmd, ok=(0, 1))
    walls = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    codes = {}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            wall, cpu, peak, code = measure(cmd, ok=(0, 1))
            walls[name].append(wall)
            cpus[name].append(cpu)
            peaks[name].append(peak)
            codes[name] = code

    print(
        f"\n{args.courses} courses, {n_acts} activities, {args.rounds} rounds "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cpu)\n"
    )
    print(
        f"{'command':<38}{'median s':>10}{'ratio':>8}{'cpu ratio':>11}{'peak MB':>10}  exit  goal"
    )
    ok = True
    for name in commands:
        ratios = [w / b for w, b in zip(walls[name], walls[BASE], strict=True)]
        ratio = statistics.median(ratios)
        cpu = statistics.median(c / b for c, b in zip(cpus[name], cpus[BASE], strict=True))
        peak = max(peaks[name])
        goal = GOAL_RATIO[name]
        verdict = ""
        if goal is not None:
            met = ratio <= goal and peak < GOAL_PEAK_MB
            ok &= met
            verdict = f"<= {goal:.0f}x, < {GOAL_PEAK_MB} MB: {'met' if met else 'NOT met'}"
        print(
            f"{name:<38}{statistics.median(walls[name]):>10.2f}{ratio:>8.2f}{cpu:>11.2f}"
            f"{peak:>10.0f}  {codes[name]:>4}  {verdict}"
        )
    print(
        f"\ngoals (on the wall-time ratio; the CPU-time ratio, user and system time of all "
        f"threads, is for a shared machine): {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
