"""`python -m tutor ...`: the same CLI as the `tutor` command."""

from tutor.cli import main

main()
