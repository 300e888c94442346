"""`tutor serve`: start the app from the settings (the same composition root as `app.py`)."""

from __future__ import annotations

import typer

from tutor.cli.common import settings_of
from tutor.generation import TextGenerator
from tutor.settings import Settings


def load_generator(settings: Settings) -> TextGenerator:
    """The real generator when the base model loads, else the templates-only one.

    `TUTOR_REQUIRE_MODEL=true` turns a failed load into an error. On Spaces with ZeroGPU the
    generator's `stream` runs under `@spaces.GPU` (a no-op wrapper anywhere else).
    """
    from adapters.spaces import on_spaces_gpu
    from tutor.generation import UnavailableGenerator

    try:
        if settings.generator_url:  # a serving engine instead of the in-process model
            from adapters.remote import RemoteGenerator

            remote = RemoteGenerator(settings.generator_url, base_model=settings.base_model)
            if remote.available:
                return remote
            raise RuntimeError(remote.unavailable_reason or "the generation engine is unavailable")
        from adapters.generator import Generator
        from adapters.serving import choose_for_settings

        choice = choose_for_settings(settings)  # GPT-2 where it loads, else the offline base
        generator = Generator(choice.base_model, choice.adapters_dir, device=settings.device)
        if generator.load():
            return on_spaces_gpu(generator)
        reason = generator.unavailable_reason or "the model did not load"
    except Exception as error:  # no torch, no weights, a broken adapter: templates instead
        reason = str(error)
    if settings.require_model:
        raise RuntimeError(f"the model is required but unavailable: {reason}")
    return UnavailableGenerator(reason)


def run(settings: Settings) -> None:
    """What `python app.py` and `tutor serve` both do."""
    from tutor.ui.compose import serve

    serve(settings, load_generator=load_generator, echo=typer.echo)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(ctx: typer.Context) -> None:
        """Start the web app (students and teachers in the browser) on TUTOR_HOST:TUTOR_PORT.

        Loads the model once, in the background from the launch on (templates until it is
        ready, or when it cannot load; TUTOR_REQUIRE_MODEL=true waits for it), migrates a
        brand-new SQLite file, restores the newest backup from TUTOR_BACKUP_DIR when the
        database file is missing, and refuses a database with data on an old schema (run
        `tutor db upgrade`).
        """
        import students_db as db

        try:
            run(settings_of(ctx))
        except db.SchemaOutOfDate as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(code=1) from error
