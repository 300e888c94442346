"""`tutor chat`: the tutor in a terminal, over the same store and `Tutor` as the web app."""

from __future__ import annotations

import sys

import typer

from tutor.cli.common import open_store, settings_of
from tutor.generation import TextGenerator
from tutor.settings import Settings


def register(app: typer.Typer) -> None:
    @app.command()
    def chat(
        ctx: typer.Context,
        student: str = typer.Option(
            ...,
            "--student",
            help="CODE/NAME (class join code and login name), or NAME with --class.",
        ),
        class_code: str | None = typer.Option(None, "--class", help="The class join code."),
        templates: bool = typer.Option(
            False, "--templates", help="Do not load a model: every explanation from templates."
        ),
    ) -> None:
        """Chat with the tutor as one student, in this terminal (/help lists the commands).

        Runs locally against the configured database, so it trusts whoever runs it (like
        `tutor db`); it is the web app that asks students for their PIN.
        """
        import students_db as db
        from tutor.accounts import split_student_username
        from tutor.chat import run_chat
        from tutor.curriculum import load_default_pack
        from tutor.tutor import Tutor

        settings = settings_of(ctx)
        username = f"{class_code}/{student}" if class_code else student
        parts = split_student_username(username)
        if parts is None or not parts[1]:
            raise typer.BadParameter("use --student CODE/NAME or --student NAME --class CODE")
        with open_store(ctx) as sessions:
            with db.read_session(sessions) as session:
                login = db.get_student_login(
                    session=session, join_code=parts[0], login_name=parts[1]
                )
            if login is None or not login.active:
                typer.echo(f"No active student {parts[1]!r} in class {parts[0]!r}.", err=True)
                raise typer.Exit(code=1)
            generator = _generator(settings, templates=templates)
            tutor = Tutor(
                sessions=sessions,
                pack=load_default_pack(),
                generator=generator,
                max_message_chars=settings.max_message_chars,
            )

            def write(text: str) -> None:
                sys.stdout.write(text)
                sys.stdout.flush()

            try:
                run_chat(tutor, login.id, write=write, name=login.login_name)
            finally:
                close = getattr(generator, "close", None)
                if callable(close):
                    close()


def _generator(settings: Settings, *, templates: bool) -> TextGenerator:
    """The real generator when the base model loads; the templates-only one otherwise."""
    from tutor.generation import UnavailableGenerator

    if templates:
        return UnavailableGenerator("started with --templates")
    try:
        from adapters.generator import Generator
        from adapters.serving import choose_for_settings

        choice = choose_for_settings(settings)  # GPT-2 where it loads, else the offline base
        generator = Generator(choice.base_model, choice.adapters_dir, device=settings.device)
        if generator.load():
            return generator
        reason = generator.unavailable_reason or "the model did not load"
    except Exception as error:  # no torch, no weights, a broken adapter: templates instead
        reason = str(error)
    typer.echo(f"(Model unavailable: {reason}; using templates.)", err=True)
    return UnavailableGenerator(reason)
