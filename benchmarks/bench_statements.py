"""Benchmark reading xAPI statements with socialkit against ``pyarrow.json.read_json``.

Runs, side by side in one session (A B A B ... so that drift on a noisy machine hits
both alike), each in a fresh process (imports count the same way for both):

* baseline: ``import pyarrow.json`` and ``pyarrow.json.read_json`` of the JSON-lines file,
  every field inferred;
* ``socialkit.delivery.statements.read_statements`` of the same file: keys, times,
  voiding, duplicates, replies and activity ids, skipped statements counted.

It prints the median wall time of each, the median of the per-round ratios to the
baseline (of wall time, and of CPU time, which other work on the machine disturbs
less), and each one's peak memory (largest resident set of the process), then compares
socialkit's with the goals: at most 3x the baseline, under 2 GB.

Usage::

    python benchmarks/bench_statements.py [--statements 1000000] [--rounds 3]

The statements (about 900 bytes each, as an LRS exports them) are generated once into
``benchmarks/_work/`` (git-ignored) with ``socialkit.delivery.synth``; pass
``--regenerate`` to make them again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _measure import measure, run

HERE = Path(__file__).resolve().parent
BASE = "baseline pyarrow.json.read_json"
OURS = "socialkit read_statements"
GOAL_RATIO = 3.0
GOAL_PEAK_MB = 2048


def generate(path: Path, n: int) -> None:
    """Write ``n`` synthetic statements to ``path`` with the socialkit of this Python."""
    code = (
        "import sys\n"
        "from socialkit.delivery.synth import synthetic_statements, write_jsonl\n"
        "write_jsonl(synthetic_statements(int(sys.argv[2]), seed=15), sys.argv[1])\n"
    )
    start = time.perf_counter()
    run([sys.executable, "-c", code, str(path), str(n)])
    print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    data = HERE / "_work" / f"statements-{args.statements}.jsonl"
    if args.regenerate or not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.statements:,} statements into {data} ...", flush=True)
        generate(data, args.statements)
    size_mb = data.stat().st_size / 2**20
    commands = {
        BASE: [
            sys.executable,
            "-c",
            "import sys, pyarrow.json as pj\npj.read_json(sys.argv[1])",
            str(data),
        ],
        OURS: [
            sys.executable,
            "-c",
            "import sys\n"
            "from socialkit.delivery.statements import read_statements\n"
            "s = read_statements(sys.argv[1])\n"
            "assert s.read == len(s.frame) + sum(s.skipped.values())",
            str(data),
        ],
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
    print(f"{'reader':<34}{'median s':>10}{'ratio':>8}{'cpu ratio':>11}{'peak MB':>10}  goal")
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
