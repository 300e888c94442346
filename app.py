"""The composition root and Spaces entry point: settings -> engine -> generator -> tutor -> UI.

`python app.py` (and `tutor serve`) read the settings once, load the model once for the
process (templates when it cannot load), prepare the database (restore, migrate a new SQLite
file, refuse an old schema) and launch the app with the safe settings.
"""

from __future__ import annotations

import os
import sys

# Before torch is imported: one passive OpenMP pool on a shared CPU.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
if os.environ.get("SPACE_ID"):  # on Hugging Face Spaces the proxy reaches the app from outside
    os.environ.setdefault("TUTOR_HOST", "0.0.0.0")


def main() -> int:
    from students_db import SchemaOutOfDate
    from tutor.cli.serve import run
    from tutor.settings import load_settings

    try:
        run(load_settings())
    except SchemaOutOfDate as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
