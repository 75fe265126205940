"""Allow ``python -m studycards``."""

from studycards.cli import main

main()
