"""Training one LoRA adapter for one task, and measuring it against its base model.

A plain torch loop (AdamW, linear warm-up and decay) rather than `Trainer`: the loop is short
enough to read whole, and it shows exactly what is measured. The loss covers the completion
tokens only (the prompt is masked with -100): the adapter learns to write the answer, not to
reproduce the prompt. After training, the validation set is scored twice in the same run,
with the adapter disabled and enabled, so the two numbers compare like with like.

The folder is written atomically (a temporary sibling renamed into place): an interrupted
run never leaves a half-written adapter where the generator would find it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from adapters.generator import pick_device
from adapters.manifest import Manifest, normalize_base_id, now_iso, write_manifest
from adapters.recipes import LoraRecipe, lora_config

log = logging.getLogger(__name__)
IGNORE = -100  # label value cross-entropy skips


class Example(Protocol):
    """One prompt and its target completion (read only: frozen dataclasses qualify)."""

    @property
    def prompt(self) -> str: ...
    @property
    def completion(self) -> str: ...


class Dataset(Protocol):
    """What `tutor.training_data.build_dataset` returns (only these attributes are used)."""

    @property
    def task(self) -> str: ...
    @property
    def train(self) -> Sequence[Example]: ...
    @property
    def validation(self) -> Sequence[Example]: ...
    @property
    def data_hash(self) -> str: ...


@dataclass(frozen=True)
class EvalResult:
    loss: float  # mean cross-entropy per completion token
    perplexity: float
    tokens: int


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    manifest: Manifest
    steps: int
    epochs: int
    stopped_early: bool
    validation_losses: tuple[float, ...]  # after each epoch (and at a max-steps stop)
    base: EvalResult
    adapter: EvalResult
    device: str
    trainable_parameters: int
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]


def encode_example(tokenizer: Any, example: Example, max_length: int) -> Encoded:
    """Prompt then completion + end of text; labels only on the completion.

    Prompt and completion are tokenized apart, as at inference (the prompt alone is encoded
    and the model continues it). Too long: the prompt loses its beginning first.
    """
    prompt = tokenizer(example.prompt)["input_ids"]
    completion = tokenizer(example.completion)["input_ids"] + [tokenizer.eos_token_id]
    completion = completion[:max_length]
    prompt = prompt[max(0, len(prompt) - (max_length - len(completion))) :]
    return Encoded(prompt + completion, [IGNORE] * len(prompt) + completion)


def fitting(tokenizer: Any, examples: Sequence[Example], max_length: int) -> list[Encoded]:
    """The examples that fit `max_length` whole. One cut at the prompt's start would teach
    the model on prompts without their task line, which inference never sends; a plan that
    long is one the tutor words with its template anyway."""
    encoded = [encode_example(tokenizer, e, max_length) for e in examples]
    return [e for e, x in zip(encoded, examples, strict=True) if _whole(tokenizer, x, e)]


def _whole(tokenizer: Any, example: Example, encoded: Encoded) -> bool:
    prompt = len(tokenizer(example.prompt)["input_ids"])
    completion = len(tokenizer(example.completion)["input_ids"]) + 1
    return len(encoded.input_ids) == prompt + completion


def collate(batch: Sequence[Encoded], pad_id: int, device: torch.device) -> dict[str, Any]:
    """Right-pad a batch: (B, T) input ids, attention mask and labels."""
    width = max(len(e.input_ids) for e in batch)
    ids = [e.input_ids + [pad_id] * (width - len(e.input_ids)) for e in batch]
    labels = [e.labels + [IGNORE] * (width - len(e.labels)) for e in batch]
    mask = [[1] * len(e.input_ids) + [0] * (width - len(e.input_ids)) for e in batch]
    return {
        "input_ids": torch.tensor(ids, device=device),
        "attention_mask": torch.tensor(mask, device=device),
        "labels": torch.tensor(labels, device=device),
    }


def completion_loss_sum(model: Any, batch: dict[str, Any]) -> tuple[torch.Tensor, int]:
    """Summed cross-entropy over completion tokens, and how many there were."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    shifted = logits[:, :-1, :].float()  # position t predicts token t + 1
    targets = batch["labels"][:, 1:]
    loss = torch.nn.functional.cross_entropy(
        shifted.reshape(-1, shifted.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )
    return loss, int((targets != IGNORE).sum())


def evaluate(
    model: Any, examples: Sequence[Encoded], *, pad_id: int, device: torch.device, batch_size: int
) -> EvalResult:
    model.eval()
    total, tokens = 0.0, 0
    with torch.inference_mode(), _autocast(device):
        for start in range(0, len(examples), batch_size):
            batch = collate(examples[start : start + batch_size], pad_id, device)
            loss, count = completion_loss_sum(model, batch)
            total, tokens = total + float(loss), tokens + count
    mean = total / max(tokens, 1)
    return EvalResult(loss=mean, perplexity=math.exp(min(mean, 50.0)), tokens=tokens)


_CPU_BF16 = False  # set by `train_adapter` from its `precision` for the run in progress


def _autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """bf16 (or fp16 on older GPUs) autocast on CUDA; bf16 on the CPU when chosen."""
    if device.type != "cuda":
        if _CPU_BF16:
            return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast(device_type="cuda", dtype=dtype)


def cpu_has_bf16() -> bool:
    """True when the CPU computes bf16 natively (AVX512-BF16 or AMX): autocast pays there."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return any(flag in flags for flag in (" avx512_bf16", " amx_bf16"))


def _batches(items: Sequence[Encoded], size: int, rng: random.Random) -> Iterator[list[Encoded]]:
    """Shuffled batches of similar length: examples are shuffled, sorted by 32-token length
    bucket within windows of 32 batches (a stable sort: shuffled within a bucket), cut into
    batches, and the batches shuffled. Right padding is
    wasted compute; on a CPU it was most of a step when a 60-token hint shared a batch with a
    400-token solution."""
    order = list(range(len(items)))
    rng.shuffle(order)
    window = size * 32
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: _bucket(items[i]))
        batches += [chunk[b : b + size] for b in range(0, len(chunk), size)]
    rng.shuffle(batches)
    for batch in batches:
        yield [items[i] for i in batch]


def _bucket(item: Encoded) -> int:
    """Lengths in steps of 32 tokens: examples within one bucket keep their shuffled order."""
    return len(item.input_ids) // 32


def format_version(dataset: Dataset) -> int:
    """The prompt-format version the examples were written in (all must agree)."""
    versions: set[int] = {
        int(version)
        for e in (*dataset.train, *dataset.validation)
        if (version := getattr(e, "version", None)) is not None
    }
    if len(versions) > 1:
        raise ValueError(f"examples mix prompt-format versions {sorted(versions)}")
    if versions:
        return versions.pop()
    from prompts import get_format

    return get_format(dataset.task).version


def _prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{out_dir} already holds files; pass overwrite=True (--overwrite) to replace it"
        )


def train_adapter(
    *,
    base: str,
    task: str,
    dataset: Dataset,
    recipe: LoraRecipe,
    out_dir: Path,
    device: str = "auto",
    progress: bool = True,
    overwrite: bool = False,
    precision: str = "auto",
    save_every: int | None = None,
) -> TrainResult:
    """Train a LoRA adapter for `task` on `base`, evaluate base vs adapter, save the folder.

    `save_every`: also save the adapter every N steps (a long CPU run that is stopped still
    leaves its latest weights, with `metrics.partial_steps` in the manifest).

    `precision`: "fp32", "bf16" (autocast), or "auto" (bf16 on CUDA, and on a CPU with
    native bf16; fp32 elsewhere, where emulated bf16 is slower than fp32).
    """
    global _CPU_BF16
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dataset.task != task:
        raise ValueError(f"the dataset is for task {dataset.task!r}, not {task!r}")
    if progress:
        log.info("training %s on %s: %d examples", task, base, len(dataset.train))
    if not dataset.train or not dataset.validation:
        raise ValueError("training needs at least one training and one validation example")
    _prepare_out_dir(out_dir, overwrite)
    version = format_version(dataset)
    torch.manual_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    target = pick_device(device)
    if precision not in ("auto", "fp32", "bf16"):
        raise ValueError(f"precision must be auto, fp32 or bf16, not {precision!r}")
    _CPU_BF16 = precision == "bf16" or (precision == "auto" and cpu_has_bf16())

    tokenizer = AutoTokenizer.from_pretrained(base)
    pad_id = tokenizer.eos_token_id if tokenizer.pad_token_id is None else tokenizer.pad_token_id
    base_model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    with warnings.catch_warnings():  # transformers' own deprecation, raised inside peft
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        model = get_peft_model(base_model, lora_config(recipe, base_model)).to(target)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    lora = next(iter(model.peft_config.values()))
    assert isinstance(lora, LoraConfig) and lora.target_modules is not None  # lora_config's
    targets = sorted(lora.target_modules)
    train = fitting(tokenizer, dataset.train, recipe.max_length)
    validation = fitting(tokenizer, dataset.validation, recipe.max_length)
    if not train or not validation:
        raise ValueError(f"no example fits max_length {recipe.max_length} tokens")
    log.info(
        "kept %d of %d training examples within %d tokens",
        len(train), len(dataset.train), recipe.max_length,
    )  # fmt: skip

    steps_per_epoch = math.ceil(len(train) / recipe.batch_size)
    total_steps = steps_per_epoch * recipe.epochs
    if recipe.max_steps is not None:
        total_steps = min(total_steps, recipe.max_steps)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=recipe.lr,
        weight_decay=recipe.weight_decay,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _linear_schedule(recipe.warmup_steps, total_steps)
    )
    scaler = torch.amp.GradScaler(
        "cuda", enabled=target.type == "cuda" and not torch.cuda.is_bf16_supported()
    )

    def score() -> EvalResult:
        return evaluate(
            model, validation, pad_id=pad_id, device=target, batch_size=recipe.batch_size
        )

    losses: list[float] = []
    best_loss, best_state, bad_epochs = math.inf, _adapter_state(model), 0
    steps, epochs, stopped_early = 0, 0, False
    bar = tqdm(total=total_steps, desc=f"train {task}", unit="step", disable=not progress)
    while steps < total_steps:
        model.train()
        for batch in _batches(train, recipe.batch_size, rng):
            inputs = collate(batch, pad_id, target)
            with _autocast(target):
                loss_sum, count = completion_loss_sum(model, inputs)
                loss = loss_sum / max(count, 1)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            schedule.step()
            steps += 1
            bar.update(1)
            bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
            if not progress:
                log.info("step %d/%d loss %.4f", steps, total_steps, float(loss.detach()))
            if save_every and steps % save_every == 0 and steps < total_steps:
                partial = Manifest(
                    base_model=normalize_base_id(base),
                    task=task,
                    prompt_format=task,
                    prompt_format_version=version,
                    data_hash=dataset.data_hash,
                    hyperparameters={**recipe.as_dict(), "target_modules": targets},
                    metrics={"partial_steps": float(steps), "train_loss": float(loss.detach())},
                    created=now_iso(),
                )
                _save(model, partial, out_dir)
                model.train()
            if steps >= total_steps:
                break
        epochs += 1
        current = score().loss
        losses.append(current)
        bar.write(f"epoch {epochs}: validation loss {current:.4f} after {steps} steps")
        if current < best_loss:
            best_loss, best_state, bad_epochs = current, _adapter_state(model), 0
        else:
            bad_epochs += 1
            if bad_epochs >= recipe.patience and steps < total_steps:
                stopped_early = True
                bar.write(f"early stop: no better validation loss for {bad_epochs} epochs")
                break
    bar.close()

    model.load_state_dict(best_state, strict=False)  # the best epoch, not the last
    with model.disable_adapter():
        base_eval = score()
    adapter_eval = score()
    metrics = {
        "base_val_loss": base_eval.loss,
        "base_val_perplexity": base_eval.perplexity,
        "val_loss": adapter_eval.loss,
        "val_perplexity": adapter_eval.perplexity,
        "val_tokens": float(adapter_eval.tokens),
        "train_examples": float(len(train)),
        "val_examples": float(len(validation)),
        "steps": float(steps),
        "epochs": float(epochs),
    }
    manifest = Manifest(
        base_model=normalize_base_id(base),
        task=task,
        prompt_format=task,
        prompt_format_version=version,
        data_hash=dataset.data_hash,
        hyperparameters={
            **recipe.as_dict(),
            "target_modules": targets,
            "trainable_parameters": trainable,
            "precision": "bf16" if (_CPU_BF16 or target.type == "cuda") else "fp32",
            "tasks": getattr(dataset, "tasks", [task]),
        },
        metrics=metrics,
        created=now_iso(),
    )
    manifest = _save(model, manifest, out_dir)
    return TrainResult(
        out_dir=out_dir,
        manifest=manifest,
        steps=steps,
        epochs=epochs,
        stopped_early=stopped_early,
        validation_losses=tuple(losses),
        base=base_eval,
        adapter=adapter_eval,
        device=str(target),
        trainable_parameters=trainable,
    )


def _linear_schedule(warmup: int, total: int) -> Any:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def _adapter_state(model: Any) -> dict[str, torch.Tensor]:
    """A copy of the trainable (LoRA) weights, to restore the best epoch."""
    return {
        name: tensor.detach().clone()
        for name, tensor in model.state_dict().items()
        if "lora_" in name
    }


def _save(model: Any, manifest: Manifest, out_dir: Path) -> Manifest:
    """Write peft's files and the manifest to a temporary sibling, then swap it into place."""
    from adapters.manifest import read_manifest

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        model.save_pretrained(str(staging), safe_serialization=True)
        write_manifest(staging, manifest)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("adapter saved to %s", out_dir)
    return read_manifest(out_dir)


def publish_per_task(joint_dir: Path, root: Path, tasks: Sequence[str]) -> list[Path]:
    """One adapter folder per task from a joint adapter: the same weights, each manifest
    naming its own task and prompt-format version (the generator serves adapters by task).

    Written through a staging sibling and renamed, like `_save`.
    """
    from dataclasses import asdict

    from adapters.manifest import CONFIG_NAME, WEIGHTS_NAME, read_manifest
    from prompts import get_format

    joint = read_manifest(joint_dir)
    written = []
    for task in tasks:
        out_dir = root / task
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{task}-", dir=root))
        try:
            for name in (CONFIG_NAME, WEIGHTS_NAME):
                shutil.copyfile(joint_dir / name, staging / name)
            values = {
                **asdict(joint),
                "task": task,
                "prompt_format": task,
                "prompt_format_version": get_format(task).version,
            }
            write_manifest(staging, Manifest(**values))
            if out_dir.exists():
                shutil.rmtree(out_dir)
            staging.rename(out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        written.append(out_dir)
    return written
