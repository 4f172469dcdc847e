"""Benchmark reading and analysing xAPI statements against ``pyarrow.json.read_json``.

Runs, side by side in one session (A B C A B C ... so that drift on a noisy machine hits
all alike), each in a fresh process (imports count the same way for all):

* baseline: ``import pyarrow.json`` and ``pyarrow.json.read_json`` of the JSON-lines file,
  every field inferred;
* socialkit, read and analysed: ``read_statements`` of the same file (keys, times,
  voiding, duplicates, replies and activity ids, skipped statements counted), then
  ``analyse_delivery`` for the portfolio the statements belong to: placing on runs and
  activities, the per-activity summary, the per-course figures, the matrix and the
  warnings. The portfolio is unpickled (reading a portfolio is ``bench_read``'s job);
* ``socialkit delivery PORTFOLIO --statements FILE --json``, the whole command with the
  CSV portfolio read and validated, for information.

It prints the median wall time of each, the median of the per-round ratios to the
baseline (of wall time, and of CPU time, which other work on the machine disturbs
less), and each one's peak memory (largest resident set of the process), then compares
socialkit's read-and-analyse with the goals: at most 3x the baseline, under 2 GB.

Usage::

    python benchmarks/bench_statements.py [--statements 1000000] [--rounds 3]

A portfolio (one course per 500 statements, 20 activities, one run of 25 learners each,
with runs, people and xapi_ids) and its statements (about 800 bytes each, as an LRS
exports them, in one JSON-lines file; ``contextActivities`` as lists throughout, which
``pyarrow.json`` needs) are generated once into ``benchmarks/_work/``
(git-ignored) with ``socialkit.contract.synth`` and ``socialkit.delivery.synth_scale``;
pass ``--regenerate`` to make them again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from _measure import measure, run, socialkit_command

HERE = Path(__file__).resolve().parent
BASE = "baseline pyarrow.json.read_json"
OURS = "socialkit read + analyse"
CLI = "socialkit delivery --json"
GOAL_RATIO = 3.0
GOAL_PEAK_MB = 2048
PER_COURSE = 500

_GENERATE = f"""\
import pickle, sys
from pathlib import Path
from socialkit.contract.io import load_portfolio
from socialkit.contract.synth import write_portfolio
from socialkit.delivery.synth_scale import portfolio_statements, write_statements
folder, n = Path(sys.argv[1]), int(sys.argv[2])
write_portfolio(max(n // {PER_COURSE}, 1), folder, runs_per_course=1, seed=15)
portfolio = load_portfolio(folder)
pickle.dump(portfolio, open(sys.argv[3], "wb"), protocol=5)
write_statements(portfolio_statements(portfolio, n, seed=15, single_share=0.0),
                 Path(sys.argv[4]).parent,
                 total=n, files=1, compress=False)
Path(sys.argv[4]).parent.joinpath("statements-0001.jsonl").rename(sys.argv[4])
"""

_ANALYSE = """\
import pickle, sys
from socialkit.delivery.result import analyse_delivery
from socialkit.delivery.statements import read_statements
portfolio = pickle.load(open(sys.argv[1], "rb"))
s = read_statements(sys.argv[2])
assert s.read == len(s.frame) + sum(s.skipped.values())
result = analyse_delivery(portfolio, s)
assert result.used > 0.9 * s.read and len(result.summary) and len(result.warnings)
"""


def generate(folder: Path, pickled: Path, data: Path, n: int) -> None:
    """Write a portfolio to ``folder`` (and pickled, loaded, to ``pickled``) and ``n``
    statements on it to ``data``, with the socialkit of this Python."""
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    run([sys.executable, "-c", _GENERATE, str(folder), str(n), str(pickled), str(data)])
    print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    work = HERE / "_work"
    folder = work / f"delivery-{args.statements}"
    pickled = work / f"delivery-{args.statements}.pickle"
    data = work / f"delivery-{args.statements}.jsonl"
    if args.regenerate or not (data.exists() and pickled.exists()):
        work.mkdir(parents=True, exist_ok=True)
        print(f"generating a portfolio and {args.statements:,} statements into {work} ...")
        generate(folder, pickled, data, args.statements)
    size_mb = data.stat().st_size / 2**20
    commands = {
        BASE: [
            sys.executable,
            "-c",
            "import sys, pyarrow.json as pj\npj.read_json(sys.argv[1])",
            str(data),
        ],
        OURS: [sys.executable, "-c", _ANALYSE, str(pickled), str(data)],
        CLI: [*socialkit_command(), "delivery", str(folder), "--statements", str(data), "--json"],
    }
    for cmd in commands.values():  # warm-up: file cache, bytecode
        run(cmd)
    walls = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            wall, cpu, peak, _code = measure(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)
            peaks[name].append(peak)

    print(
        f"\n{args.statements:,} statements, {size_mb:.0f} MB, {args.rounds} rounds "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cpu)\n"
    )
    print(f"{'':<34}{'median s':>10}{'ratio':>8}{'cpu ratio':>11}{'peak MB':>10}  goal")
    ok = True
    for name in commands:
        ratio = statistics.median(w / b for w, b in zip(walls[name], walls[BASE], strict=True))
        cpu = statistics.median(c / b for c, b in zip(cpus[name], cpus[BASE], strict=True))
        peak = max(peaks[name])
        verdict = ""
        if name == OURS:
            ok = ratio <= GOAL_RATIO and peak < GOAL_PEAK_MB
            verdict = f"<= {GOAL_RATIO:.0f}x, < {GOAL_PEAK_MB} MB: {'met' if ok else 'NOT met'}"
        print(
            f"{name:<34}{statistics.median(walls[name]):>10.2f}{ratio:>8.2f}{cpu:>11.2f}"
            f"{peak:>10.0f}  {verdict}"
        )
    print(
        f"\ngoals (on the wall-time ratio; the CPU-time ratio, user and system time of all "
        f"threads, is for a shared machine): {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
