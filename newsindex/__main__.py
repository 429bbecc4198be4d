"""Run the command line: ``python -m newsindex``."""

from .cli import main

main()
