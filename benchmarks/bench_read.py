"""Benchmark reading a ~10 MB portfolio workbook with socialkit against plain readers.

Runs, side by side in one session (A B C A B C ... so that drift on a noisy machine hits
all alike), each in its own process:

* baseline ``python_calamine``: open the workbook and turn each table's sheet into
  Python lists (what socialkit's reader starts from);
* baseline ``openpyxl read_only``: iterate over every row's values of the same sheets;
* ``socialkit.contract.io.read_tables``: the same workbook read as socialkit reads it (the limit
  scan, the header checks, the tables as text);
* ``read_tables`` of a copy with one value in cell ``XFD1048576``, which socialkit
  refuses: calamine alone would try to allocate 512 GiB for it.

It prints the median wall time of each, the median of the per-round ratios to the
calamine baseline, and each one's peak memory (largest resident set), then compares
socialkit's with the goal: a 10 MB workbook read in under 1 GB.

Usage::

    python benchmarks/bench_read.py [--courses 9000] [--rounds 5]

The workbook is made once into ``benchmarks/_work/`` (git-ignored) from a portfolio of
``socialkit generate`` (9,000 courses give about 10 MB and 180,000 activities); pass
``--regenerate`` to make it again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

from _measure import run, socialkit_command

HERE = Path(__file__).resolve().parent
GOAL_PEAK_MB = 1024
TABLES = ("courses", "objectives", "activities", "organisations")


def make_workbooks(work: Path, courses: int) -> tuple[Path, Path]:
    """The realistic workbook and its copy with one far cell."""
    book, far = work / f"portfolio-{courses}.xlsx", work / f"portfolio-{courses}-far.xlsx"
    if book.exists() and far.exists():
        return book, far
    folder = work / f"portfolio-{courses}-csv"
    if not folder.exists():
        print(f"generating {courses} courses into {folder} ...", flush=True)
        subprocess.run([*socialkit_command(), "generate", str(courses), str(folder)], check=True)
    subprocess.run([*socialkit_command(), "convert", str(folder), str(book)], check=True)
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(far, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":  # activities
                cell = (
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                )
                data = data.replace(b"</sheetData>", cell + b"</sheetData>")
            out.writestr(info, data)
    return book, far


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=9_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    work = HERE / "_work"
    if args.regenerate:
        for old in work.glob(f"portfolio-{args.courses}*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    work.mkdir(parents=True, exist_ok=True)
    book, far = make_workbooks(work, args.courses)
    tables = list(TABLES)
    commands = {
        "baseline python_calamine": [
            sys.executable,
            "-c",
            "from python_calamine import CalamineWorkbook\n"
            f"wb = CalamineWorkbook.from_path({str(book)!r})\n"
            f"for t in {tables!r}:\n"
            "    wb.get_sheet_by_name(t).to_python(skip_empty_area=False)",
        ],
        "baseline openpyxl read_only": [
            sys.executable,
            "-c",
            "import openpyxl\n"
            f"wb = openpyxl.load_workbook({str(book)!r}, read_only=True)\n"
            f"for t in {tables!r}:\n"
            "    rows = [r for r in wb[t].iter_rows(values_only=True)]",
        ],
        "socialkit read_tables": [
            sys.executable,
            "-c",
            f"from socialkit.contract.io import read_tables\nread_tables({str(book)!r})",
        ],
        "socialkit, one value in XFD1048576": [
            sys.executable,
            "-c",
            "from socialkit.errors import PortfolioReadError\n"
            "from socialkit.contract.io import read_tables\n"
            f"try:\n    read_tables({str(far)!r})\n"
            "except PortfolioReadError:\n    pass\n"
            "else:\n    raise SystemExit('the far cell was not refused')",
        ],
    }
    for cmd in commands.values():  # warm-up: file cache, bytecode
        run(cmd)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            wall, peak, _ = run(cmd)
            walls[name].append(wall)
            peaks[name].append(peak)

    base = "baseline python_calamine"
    size = book.stat().st_size / 1e6
    unpacked = sum(i.file_size for i in zipfile.ZipFile(book).infolist()) / 1e6
    print(
        f"\n{book.name}: {size:.1f} MB ({unpacked:.0f} MB unpacked), {args.rounds} rounds "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cpu)\n"
    )
    print(f"{'reader':<38}{'median s':>10}{'ratio':>8}{'peak MB':>10}")
    for name in commands:
        ratios = [w / b for w, b in zip(walls[name], walls[base], strict=True)]
        print(
            f"{name:<38}{statistics.median(walls[name]):>10.2f}"
            f"{statistics.median(ratios):>8.2f}{max(peaks[name]):>10.0f}"
        )
    peak = max(peaks["socialkit read_tables"])
    print(
        f"\ngoal: socialkit reads the workbook in under {GOAL_PEAK_MB} MB: "
        f"{'met' if peak < GOAL_PEAK_MB else 'NOT met'} ({peak:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
