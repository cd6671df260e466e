"""`python -m personae` is the `personae` command."""

from personae.cli.app import main

main()
