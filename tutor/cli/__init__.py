"""The `tutor` command: an edge like `app.py`, where settings are read and parts are wired.

Each group lives in its own module; commands that need the model import `adapters` lazily,
inside the command, so `tutor db ...` never pays for torch.
"""

from __future__ import annotations

import typer

from tutor.cli import accounts as accounts_cmd
from tutor.cli import adapters_cmd, content, db, learner, serve
from tutor.cli import chat as chat_cmd
from tutor.cli import demo as demo_cmd
from tutor.cli import model as model_cmd
from tutor.cli import privacy as privacy_cmd
from tutor.settings import load_settings

app = typer.Typer(
    help="The tutor: a personalised tutoring chatbot. Each command's --help says more.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Read the settings once; every command finds them in `ctx.obj`."""
    if ctx.obj is None:
        ctx.obj = load_settings()


app.add_typer(db.app, name="db")
app.add_typer(content.app, name="content")
app.add_typer(learner.app, name="learner")
app.add_typer(adapters_cmd.app, name="adapters")
app.add_typer(model_cmd.app, name="model")
serve.register(app)
app.add_typer(accounts_cmd.app, name="teacher")
app.add_typer(demo_cmd.app, name="demo")
chat_cmd.register(app)
privacy_cmd.register(app)


def main() -> None:
    app()
