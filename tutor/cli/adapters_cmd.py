"""`tutor adapters` commands: train one task's LoRA adapter, list the adapters and their checks.

`adapters` (and with it torch) is imported inside each command, so the rest of the CLI starts
without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from tutor.cli.common import settings_of

app = typer.Typer(help="Train and inspect the LoRA adapters.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


ALL_TASKS = ("hint", "feedback", "explain", "answer", "exercise")


@app.command()
def train(
    ctx: typer.Context,
    task: Annotated[
        list[str] | None, typer.Option(help="Task(s) to train (hint, feedback, explain, ...).")
    ] = None,
    all_tasks: Annotated[
        bool, typer.Option("--all", help="Every task: " + ", ".join(ALL_TASKS) + ".")
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(help="Base hub id or folder; default: the base the app serves."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Root folder for TASK/ adapter folders; default: the repository's "
            "adapters/trained/BASE-SLUG/ (what the app serves)."
        ),
    ] = None,
    joint: Annotated[
        bool, typer.Option(help="One run for all tasks, published per task (cheaper).")
    ] = True,
    max_steps: Annotated[int | None, typer.Option(help="Stop after N optimiser steps.")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the training data.")] = 1,
    train_per_task: Annotated[int, typer.Option(help="Training examples per task.")] = 200,
    val_per_task: Annotated[int, typer.Option(help="Validation examples per task.")] = 8,
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 1e-3,
    r: Annotated[int, typer.Option(help="LoRA rank (alpha = 2r).")] = 8,
    top_layers: Annotated[
        int | None, typer.Option(help="Adapt only the last N blocks (default: all).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Examples per optimiser step.")] = 8,
    max_length: Annotated[int, typer.Option(help="Longest example in tokens.")] = 256,
    warmup_steps: Annotated[int, typer.Option(help="Linear warm-up steps.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed for sampling, init and shuffling.")] = 0,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda; default: settings.")] = None,
    precision: Annotated[
        str, typer.Option(help="auto (bf16 on CUDA or a bf16 CPU), fp32 or bf16.")
    ] = "auto",
    save_every: Annotated[
        int | None, typer.Option(help="Also save the adapter every N steps.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace existing adapters.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Train LoRA adapters from the repository's own plans and print base vs adapter loss.

    The data is built by code (`tutor.training_data`: move plans from the shipped pack over
    many seeds, with authored reference words), so this works from a fresh clone. With
    `--joint` (the default) one adapter learns every task and is published as one folder per
    task. Example: `tutor adapters train --all --base openai-community/gpt2`.
    """
    from adapters.recipes import LoraRecipe
    from adapters.serving import base_slug, shipped_adapters_dir
    from adapters.training import publish_per_task, train_adapter
    from tutor.training_data import build_dataset

    settings = settings_of(ctx)
    tasks = list(ALL_TASKS) if all_tasks else list(task or [])
    if not tasks:
        raise _fail("name a task with --task TASK (repeatable) or pass --all")
    unknown = [t for t in tasks if t not in ALL_TASKS]
    if unknown:
        raise _fail(f"unknown task(s) {', '.join(unknown)}; known: {', '.join(ALL_TASKS)}")
    base_model, base_id = _base_for_training(settings, base)
    root = out or shipped_adapters_dir(base_id)
    try:
        recipe = LoraRecipe(
            r=r,
            alpha=2 * r,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            max_steps=max_steps,
            max_length=max_length,
            warmup_steps=warmup_steps,
            top_layers=top_layers,
            seed=seed,
        )
        runs = [tasks] if joint else [[t] for t in tasks]
        existing = [t for t in tasks if (root / t).exists()]
        if existing and not overwrite:
            raise FileExistsError(
                f"{root} already holds {', '.join(existing)}; pass --overwrite to replace"
            )
        for run_tasks in runs:
            dataset = build_dataset(
                run_tasks,
                train_per_task=train_per_task,
                validation_per_task=val_per_task,
                seed=seed,
            )
            typer.echo(
                f"{dataset.task}: {len(dataset.train)} training / {len(dataset.validation)} "
                f"validation examples built from the shipped pack (data hash "
                f"{dataset.data_hash[:12]}); base {base_id} ({base_slug(base_id)})"
            )
            run_dir = root / (".joint" if len(run_tasks) > 1 else run_tasks[0])
            result = train_adapter(
                base=base_model,
                task=dataset.task,
                dataset=dataset,
                recipe=recipe,
                out_dir=run_dir,
                device=device or settings.device,
                progress=progress,
                overwrite=overwrite or len(run_tasks) > 1,
                precision=precision,
                save_every=save_every,
            )
            _echo_result(result)
            if len(run_tasks) > 1:
                for folder in publish_per_task(run_dir, root, run_tasks):
                    typer.echo(f"adapter written to {folder}")
                shutil.rmtree(run_dir)  # the per-task folders hold its weights now
            else:
                typer.echo(f"adapter written to {result.out_dir}")
    except (ValueError, KeyError, FileExistsError, FileNotFoundError, OSError) as exc:
        raise _fail(str(exc)) from exc


def _base_for_training(settings: object, base: str | None) -> tuple[str, str]:
    """(what to load, the id manifests record): `--base`, else the base the app serves."""
    from adapters.offline_base import OfflineBaseError, marker_id
    from adapters.serving import choose_serving

    if base:
        path = Path(base).expanduser()
        return base, (marker_id(path) if path.is_dir() else None) or base
    try:
        choice = choose_serving(
            base_model=getattr(settings, "explicit_base_model", None),
            models_dir=getattr(settings, "models_dir", None),
            echo=typer.echo,
        )
    except OfflineBaseError as exc:
        raise _fail(str(exc)) from exc
    return choice.base_model, choice.base_id


def _echo_result(result: object) -> None:
    from adapters.training import TrainResult

    assert isinstance(result, TrainResult)
    typer.echo(
        f"trained {result.steps} steps over {result.epochs} epoch(s) on {result.device}"
        f"{' (stopped early)' if result.stopped_early else ''}; "
        f"{result.trainable_parameters} trainable parameters"
    )
    typer.echo(f"{'':14}{'val loss':>10}{'perplexity':>12}   ({result.adapter.tokens} tokens)")
    for label, scores in (("base", result.base), ("base+adapter", result.adapter)):
        typer.echo(f"{label:14}{scores.loss:>10.4f}{scores.perplexity:>12.2f}")


@app.command()
def evaluate(
    ctx: typer.Context,
    task: Annotated[list[str] | None, typer.Option(help="Task(s); default: every task.")] = None,
    base: Annotated[
        str | None, typer.Option(help="Base id or folder; default: the base the app serves.")
    ] = None,
    adapters: Annotated[
        Path | None, typer.Option(help="Adapter root (TASK/ folders); default: the shipped.")
    ] = None,
    per_task: Annotated[int, typer.Option(help="Held-out plans per task.")] = 12,
    split: Annotated[
        str, typer.Option(help="validation (held-out seeds) or heldout_skills.")
    ] = "validation",
    max_new_tokens: Annotated[
        int | None, typer.Option(help="Cap on generated tokens (default: the task's).")
    ] = None,
    samples: Annotated[int, typer.Option(help="Samples to print per task.")] = 2,
) -> None:
    """Base vs adapter on held-out plans: verifier pass rate, slot errors, leaks, distinct-2,
    mean length and validation perplexity, side by side, with a few samples."""
    from adapters.evaluation import evaluate_task, load_with_adapters
    from adapters.manifest import AdapterRefused, verify_adapter_folder
    from adapters.serving import shipped_adapters_dir
    from prompts import FORMAT_VERSIONS
    from tutor.dialogue.words import model_may_word
    from tutor.training_data import evaluation_plans

    settings = settings_of(ctx)
    tasks = list(task or ALL_TASKS)
    base_model, base_id = _base_for_training(settings, base)
    root = adapters or shipped_adapters_dir(base_id)
    folders = {}
    for name in tasks:
        try:
            verify_adapter_folder(
                root / name, base_model=base_id, expected_format_versions=FORMAT_VERSIONS
            )
            folders[name] = root / name
        except AdapterRefused as exc:
            typer.echo(f"{name}: no usable adapter ({exc.reason}); base only")
    model, tokenizer = load_with_adapters(base_model, folders)

    def count(text: str) -> int:
        return len(tokenizer(text)["input_ids"])

    # the plans the tutor would send to the model (a template longer than the model may
    # write is shown as it is: `tutor.dialogue.words.model_may_word`)
    examples = evaluation_plans(
        tasks, per_task=per_task, split=split, keep=lambda plan: model_may_word(plan, count)
    )
    typer.echo(f"base {base_id}; {len(examples)} held-out plans ({split}); adapters from {root}")
    header = f"{'task':9}{'model':9}{'pass':>7}{'slot err':>10}{'leak':>7}{'shown leaks':>13}"
    header += f"{'distinct-2':>12}{'words':>7}{'val ppl':>9}{'s':>6}"
    typer.echo(header)
    for name in tasks:
        pairs = [(e.plan, e.reference) for e in examples if e.plan.task == name]
        variants = [("base", None)] + ([("adapter", name)] if name in folders else [])
        shown = {}
        for label, adapter in variants:
            scores = evaluate_task(
                model, tokenizer, pairs, adapter=adapter, max_new_tokens=max_new_tokens
            )
            shown[label] = scores
            typer.echo(
                f"{name:9}{label:9}{scores.pass_rate:>7.0%}{scores.slot_error_rate:>10.0%}"
                f"{scores.leak_rate:>7.0%}{scores.leaks_after_guard:>13}"
                f"{scores.distinct_2:>12.2f}{scores.mean_words:>7.1f}"
                f"{scores.perplexity:>9.2f}{scores.seconds:>6.0f}"
            )
        for label, scores in shown.items():
            for output in scores.outputs[:samples]:
                verdict = "ok" if output.ok else "; ".join(output.problems)
                typer.echo(f"  [{name}/{label}] plan {output.plan.move}: {output.plan.facts}")
                typer.echo(f"    -> {output.text!r}  [{verdict}]")


@app.command("verifier-benchmark")
def verifier_benchmark(
    show: Annotated[int, typer.Option(help="Missed and dropped cases to print.")] = 5,
) -> None:
    """The verifier on >= 500 generated bad outputs and on good paraphrases: caught and kept."""
    from tutor.verifier_bench import run_benchmark

    result = run_benchmark()
    bad = sum(result.total.values())
    typer.echo(
        f"adversarial outputs: {bad}, caught {sum(result.caught.values())} "
        f"({result.caught_share:.1%}); good outputs: {result.good_total}, kept "
        f"{result.good_kept} ({result.kept_share:.1%}); {result.seconds:.2f} s in all"
    )
    for kind in sorted(result.total):
        typer.echo(f"  {kind:18}{result.caught[kind]:>5}/{result.total[kind]:<5}")
    for case in result.missed[:show]:
        typer.echo(f"  MISSED {case.kind} ({case.plan.move}): {case.text!r}")
    for case, problems in result.dropped[:show]:
        typer.echo(f"  DROPPED ({case.plan.move}): {case.text!r}: {'; '.join(problems)}")


@app.command("list")
def list_adapters(
    ctx: typer.Context,
    base: Annotated[
        str | None, typer.Option(help="Base to check against; default: the base that serves.")
    ] = None,
    root: Annotated[
        Path | None, typer.Option(help="Adapter folder; default: the one that serves.")
    ] = None,
) -> None:
    """The base that serves and each adapter: task, base, format version, metrics, and whether
    it would load on that base (downloads nothing)."""
    from adapters.manifest import (
        AdapterRefused,
        adapter_folders,
        read_manifest,
        verify_adapter_folder,
    )
    from adapters.offline_base import OFFLINE_BASE_ID, OfflineBaseError, marker_id
    from adapters.serving import choose_for_settings, shipped_adapters_dir
    from prompts import FORMAT_VERSIONS

    settings = settings_of(ctx)
    folder_root: Path | None  # None: the serving choice has no adapter folder
    if base:
        path = Path(base).expanduser()
        base_id = (marker_id(path) if path.is_dir() else None) or base
        folder_root = root or settings.adapters_dir or shipped_adapters_dir(base_id)
        typer.echo(f"base: {base_id} (given)")
    else:
        try:
            choice = choose_for_settings(settings, allow_download=False)
            base_id, folder_root = choice.base_id, root or choice.adapters_dir
            typer.echo(f"serving base: {base_id} ({choice.reason})")
        except OfflineBaseError:
            base_id = OFFLINE_BASE_ID
            folder_root = root or shipped_adapters_dir(base_id)
            typer.echo(f"serving base: {base_id} (not fetched yet: `tutor model fetch`)")
    folders = adapter_folders(folder_root) if folder_root else []
    if not folders:
        typer.echo(f"no adapters in {folder_root}: every reply uses the templates")
        return
    typer.echo(f"adapters in {folder_root}:")
    for folder in folders:
        try:
            verify_adapter_folder(
                folder, base_model=base_id, expected_format_versions=FORMAT_VERSIONS
            )
            verdict = "verified"
        except AdapterRefused as exc:
            verdict = f"REFUSED: {exc.reason}"
        typer.echo(f"{folder.name}: {verdict}")
        try:
            manifest = read_manifest(folder)
        except AdapterRefused:
            continue
        metrics = ", ".join(
            f"{key} {value:.4g}"
            for key, value in manifest.metrics.items()
            if key in ("base_val_loss", "val_loss", "val_perplexity", "steps", "partial_steps")
        )
        typer.echo(
            f"  task {manifest.task}, base {manifest.base_model}, format "
            f"{manifest.prompt_format} v{manifest.prompt_format_version}, created "
            f"{manifest.created}\n  {metrics}"
        )
