"""`tutor demo seed`: a demo teacher, class and simulated students, so reports have data."""

from __future__ import annotations

import typer

from tutor.cli.common import open_store

app = typer.Typer(help="Demo data for trying the tutor.", no_args_is_help=True)


@app.command()
def seed(
    ctx: typer.Context,
    students: int = typer.Option(8, "--students", min=1, max=20, help="How many students."),
    turns: int = typer.Option(30, "--turns", min=0, max=500, help="Answers per student."),
    seed_value: int = typer.Option(0, "--seed", help="Seed of the simulation."),
) -> None:
    """Create a demo teacher, a class, and students with simulated practice histories.

    Prints the teacher's login and the students' PINs once: they are stored only as hashes.
    """
    from tutor.curriculum import load_default_pack
    from tutor.demo import login_lines, seed_demo

    with open_store(ctx) as sessions:
        school = seed_demo(
            sessions=sessions,
            pack=load_default_pack(),
            students=students,
            turns=turns,
            seed=seed_value,
        )
    for line in login_lines(school):
        typer.echo(line)
    typer.echo(f"Simulated answers: {school.attempts}")
    typer.echo(f"Try: tutor chat --student {school.join_code}/{school.students[0].login}")
