"""`python -m mapserver.cli`: the same command as `mapserver`."""

from . import main

main()
