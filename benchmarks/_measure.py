"""What the benchmark scripts share: the socialkit command and one measured run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def socialkit_command() -> list[str]:
    """The ``socialkit`` command of the running Python's environment."""
    exe = Path(sys.executable).with_name("socialkit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "socialkit"]


def measure(cmd: list[str], *, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float, int]:
    """Run a command with its output discarded; return wall seconds, CPU seconds (user and
    system, all its threads), peak MB and exit code.

    The CPU time varies less than the wall time on a machine other work shares. An exit
    code outside ``ok`` stops the benchmark with the command's standard error.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def run(cmd: list[str], *, ok: tuple[int, ...] = (0,)) -> tuple[float, float, int]:
    """Run a command with its output discarded; return wall seconds, peak MB, exit code.

    An exit code outside ``ok`` stops the benchmark with the command's standard error.
    """
    wall, _, peak, code = measure(cmd, ok=ok)
    return wall, peak, code
