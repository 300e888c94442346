"""The composition root and Spaces entry point: settings -> engine -> generator -> tutor -> UI."""

from __future__ import annotations

import sys


def main() -> int:
    print("The web app is not built yet (issue 5 of 6); try `tutor --help`.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
