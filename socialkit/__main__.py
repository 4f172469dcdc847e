"""Run the command line with ``python -m socialkit``."""

from .cli import main

main()
