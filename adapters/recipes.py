"""LoRA recipes: the hyperparameters of one training run, and the peft config they become.

LoRA (Hu et al. 2021, arXiv:2106.09685) freezes a weight W and learns a low-rank update:

    h = W x + (alpha / r) * B A x        A: (r, d_in), B: (d_out, r), B starts at zero

so training starts from the base model exactly and only r * (d_in + d_out) numbers per
adapted matrix are learned. GPT-2 keeps its projections in `Conv1D` layers, which store W as
(d_in, d_out): peft must be told (`fan_in_fan_out=True`) or it transposes the update.
Llama-family bases (the offline base, SmolLM2) keep plain `nn.Linear` projections named
`q_proj`, `k_proj`, `v_proj`, `o_proj`: no fan_in_fan_out. A recipe with no target modules
takes the family's own (`targets_for`), so one recipe fits both bases.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peft import LoraConfig
    from torch import nn


def _help(text: str, default: Any) -> Any:
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class LoraRecipe:
    """Everything that decides what an adapter learns; saved into its manifest."""

    r: int = _help("Rank of the update B A: capacity of the adapter (GPT-2 paper used 4).", 8)
    alpha: int = _help("Scale of the update is alpha / r; keep alpha / r near 2.", 16)
    dropout: float = _help("Dropout on the adapter's input during training only.", 0.05)
    target_modules: tuple[str, ...] = _help(
        "Module name suffixes to adapt; empty: the base family's own (`targets_for`). GPT-2: "
        "`c_attn` (fused Q,K,V) and `c_proj` (attention and MLP output); Llama: q/k/v/o_proj.",
        (),
    )
    top_layers: int | None = _help(
        "Adapt only the last N transformer blocks (None: all). Backpropagation then stops at "
        "the lowest adapted block, so a CPU step costs about half as much.",
        None,
    )
    fan_in_fan_out: bool = _help(
        "Weights stored (d_in, d_out), as GPT-2's Conv1D does. Applied only where the model "
        "really has Conv1D layers, so the recipe also fits nn.Linear models.",
        True,
    )
    lr: float = _help("Peak learning rate of AdamW; decays linearly to zero.", 2e-4)
    weight_decay: float = _help("AdamW weight decay on the adapter weights.", 0.01)
    warmup_steps: int = _help("Linear warm-up steps before the decay.", 0)
    epochs: int = _help("Passes over the training examples (early stop may end sooner).", 3)
    batch_size: int = _help("Examples per optimiser step.", 8)
    max_steps: int | None = _help("Stop after this many optimiser steps, whatever the epoch.", None)
    max_length: int = _help(
        "Longest prompt + completion in tokens; longer prompts lose their beginning.", 512
    )
    patience: int = _help("Epochs without a better validation loss before training stops early.", 2)
    seed: int = _help("Seed for initialisation, shuffling and dropout.", 0)

    def __post_init__(self) -> None:
        problems = []
        if self.r < 1:
            problems.append("r must be at least 1")
        if self.alpha <= 0:
            problems.append("alpha must be positive")
        if not 0 <= self.dropout < 1:
            problems.append("dropout must be in [0, 1)")
        if self.lr <= 0:
            problems.append("lr must be positive")
        if self.epochs < 1:
            problems.append("epochs must be at least 1")
        if self.batch_size < 1:
            problems.append("batch_size must be at least 1")
        if self.max_steps is not None and self.max_steps < 1:
            problems.append("max_steps must be at least 1 (or None: no limit)")
        if self.max_length < 8:
            problems.append("max_length must be at least 8 tokens")
        if self.patience < 1:
            problems.append("patience must be at least 1")
        if self.top_layers is not None and self.top_layers < 1:
            problems.append("top_layers must be at least 1 (or None: every block)")
        if self.warmup_steps < 0:
            problems.append("warmup_steps must not be negative")
        if problems:
            raise ValueError("invalid LoRA recipe: " + "; ".join(problems))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values, for the manifest."""
        values = asdict(self)
        values["target_modules"] = list(self.target_modules)
        return values

    @classmethod
    def field_help(cls) -> dict[str, str]:
        """Each field's help text (the CLI shows these)."""
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}


def uses_conv1d(model: nn.Module, target_modules: tuple[str, ...]) -> bool:
    """True when the targeted layers are transformers' Conv1D (GPT-2 family)."""
    from transformers.pytorch_utils import Conv1D

    return any(
        isinstance(module, Conv1D) and name.rsplit(".", 1)[-1] in target_modules
        for name, module in model.named_modules()
    )


GPT2_TARGETS = ("c_attn", "c_proj")
LLAMA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj")


def targets_for(model: nn.Module) -> tuple[str, ...]:
    """The modules a LoRA adapts on this base family: GPT-2's Conv1D or Llama's Linear ones."""
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    for targets in (GPT2_TARGETS, LLAMA_TARGETS):
        if set(targets) <= names:
            return targets
    raise ValueError(
        "no LoRA recipe for this model: it has neither GPT-2's c_attn/c_proj nor "
        "Llama's q_proj/k_proj/v_proj/o_proj; pass target_modules explicitly"
    )


def lora_config(recipe: LoraRecipe, model: nn.Module) -> LoraConfig:
    """The peft config for `recipe` on `model`; fan_in_fan_out only for Conv1D layers."""
    from peft import LoraConfig, TaskType

    targets = recipe.target_modules or targets_for(model)
    config = getattr(model, "config", None)
    blocks = int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layer", 0) or 0)
    layers = None
    if recipe.top_layers is not None and blocks:
        layers = list(range(max(0, blocks - recipe.top_layers), blocks))
    return LoraConfig(
        layers_to_transform=layers,
        task_type=TaskType.CAUSAL_LM,
        r=recipe.r,
        lora_alpha=recipe.alpha,
        lora_dropout=recipe.dropout,
        target_modules=list(targets),
        fan_in_fan_out=recipe.fan_in_fan_out and uses_conv1d(model, targets),
        bias="none",
    )
