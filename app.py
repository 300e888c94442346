"""The composition root and Spaces entry point: settings -> engine -> generator -> tutor -> UI.

`python app.py` (and `tutor serve`) read the settings once, load the model once for the
process (in the background from the launch on; templates until it is ready or when it cannot
load), prepare the database (restore, migrate a new SQLite file, refuse an old schema) and
launch the app with the safe settings.
"""

from __future__ import annotations

import os
import sys

# Before torch is imported: one passive OpenMP pool on a shared CPU.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
if os.environ.get("SPACE_ID"):  # on Hugging Face Spaces the proxy reaches the app from outside
    os.environ.setdefault("TUTOR_HOST", "0.0.0.0")


def main(argv: list[str] | None = None) -> int:
    """`python app.py` serves; `python app.py --demo` also seeds a demo class and prints
    its logins (a teacher and six students), so a first run has someone to log in as.

    The demo is seeded in a thread started before Gradio is imported (`tutor.demo_start`):
    the two take about as long, and overlap."""
    import argparse

    from students_db import SchemaOutOfDate
    from tutor.settings import load_settings

    parser = argparse.ArgumentParser(description="Start the tutor's web app.")
    parser.add_argument(
        "--demo", action="store_true", help="seed a demo class first and print its logins"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        seeding = None
        if args.demo:
            from tutor.demo_start import start_demo_seed

            seeding = start_demo_seed(settings)
        from tutor.cli.serve import load_generator
        from tutor.ui.compose import serve

        serve(settings, load_generator=load_generator, echo=print, demo=seeding)
    except SchemaOutOfDate as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
