"""Benchmark ``socialkit report --scheduler``: throughput with one and with two Dask workers.

Starts a Dask scheduler and two workers on 127.0.0.1 (one thread each, separate
processes), generates N synthetic courses (40 by default), and alternates rounds on the
same courses: ``run_reports(..., force=True, scheduler=ADDRESS)`` with its tasks restricted
to one worker, then to both (``dask.annotate(workers=...)``); each batch is timed as a
whole, from a fresh client process to the overview page. It prints courses per second for each and
the ratio of their medians. A first warm-up round lets every worker start its kernel.

Usage::

    python benchmarks/bench_cluster.py [--courses 40] [--rounds 2]

Work files go to ``benchmarks/_work/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(work: Path, name: str, *args: str) -> subprocess.Popen:
    log = (work / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT, cwd=work
    )


def wait_for(work: Path, name: str, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in (work / f"{name}.log").read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} did not start; see {work / f'{name}.log'}")
        time.sleep(0.2)


def batch(portfolio: Path, out: Path, address: str, workers: list[str]) -> tuple[float, float]:
    """One forced batch with its tasks restricted to ``workers``: seconds from the first
    task sent to the last report written, and for the whole batch (a fresh client process,
    the portfolio read, the overview made)."""
    code = (
        "import sys, time, dask\n"
        "from socialkit.reports.runner import run_reports\n"
        "mark = {}\n"
        "def plan(todo, same): mark['start'] = time.perf_counter()\n"
        "def done(n, total): mark['end'] = time.perf_counter()\n"
        f"with dask.annotate(workers={workers!r}, allow_other_workers=False):\n"
        f"    r = run_reports({str(portfolio)!r}, out={str(out)!r}, force=True,"
        f" scheduler={address!r}, on_plan=plan, progress=done)\n"
        "print(mark['end'] - mark['start'])\n"
        "sys.exit(0 if r.ok else 1)\n"
    )
    start_time = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1]), time.perf_counter() - start_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument("--activities", type=int, default=12, help="per course")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = HERE / "_work" / "cluster"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    portfolio = work / "portfolio"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "socialkit",
            "generate",
            str(args.courses),
            str(portfolio),
            "--activities",
            str(args.activities),
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        start(
            work,
            "scheduler",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        )
    ]
    try:
        wait_for(work, "scheduler", "Scheduler at:")
        names = ["w1", "w2"]
        for name in names:
            procs.append(
                start(
                    work,
                    name,
                    "distributed.cli.dask_worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--name",
                    name,
                )
            )
            wait_for(work, name, "Registered to:")
        out = work / "out"
        batch(portfolio, out, address, names)  # warm-up: both workers start a kernel
        rates: dict[int, list[float]] = {1: [], 2: []}
        whole: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for n in (1, 2):
                courses_s, batch_s = batch(portfolio, out, address, names[:n])
                rates[n].append(args.courses / courses_s)
                whole[n].append(batch_s)
        print(f"{args.courses} courses x {args.rounds} round(s), forced, warm workers")
        for n in (1, 2):
            print(
                f"{n} worker(s): {', '.join(f'{x:.2f}' for x in rates[n])} courses/s while "
                f"making reports; whole batch {', '.join(f'{x:.1f}' for x in whole[n])} s"
            )
        ratio = statistics.median(rates[2]) / statistics.median(rates[1])
        print(f"throughput, 2 workers / 1 worker (medians): {ratio:.2f}x")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
