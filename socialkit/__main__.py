"""Run the command line with ``python -m socialkit``."""

from socialkit.cli import main

main()
