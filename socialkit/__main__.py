"""Run the command line with ``python -m socialkit``."""

from socialkit.cli import run

run()
