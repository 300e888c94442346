"""A lean decoder for serving: the base model's weights as plain tensors, every LoRA adapter
stacked beside them, and a slot KV cache that rows join and leave between steps.

    transformers model (+ peft adapters) --FastDecoder.from_model--> weights (read-only)
                                                                       |
        KVSlots (one per worker, or per inline call) <-- prefill(slot, ids, start, adapter)
                                                     <-- decode(rows 0..n-1, one token each)

Why not the transformers forward: at batch 1 to 8 a CPU step of a 124M-parameter model is
bound by reading the weights once, and the per-layer Python of the generic forward (cache
objects, mask builders, peft dispatch per adapter) costs as much again. Here a layer is a few
fused matmuls:

    x --norm--> [q|k|v] = x W_qkv^T + ((x A^T) * M) B^T      A: every adapter's lora_A stacked
          |                                                   B: their lora_B, block by output
          +--> attention over the slot's cache                M: (rows, R) row r's adapter
          +--> o, MLP (fused gate|up), the same LoRA form          columns hold its scale,
                                                                   every other column is 0

so a batch that mixes adapters costs two small matmuls per projection, whatever the mix.

Precision: "fp32" keeps the weights as loaded (greedy tokens equal to transformers');
"int8" quantises every base projection and the output head to int8 per output channel
(fbgemm dynamic quantisation: activations are quantised per call), while the LoRA matrices
stay in fp32. The embedding table stays fp32.

Architectures: GPT-2 (Conv1D, learned positions) and Llama (RMSNorm, rotary, grouped-query
attention, SwiGLU). Anything else, or a peft feature this does not model (DoRA, LoRA bias),
raises `Unsupported` and the generator keeps transformers' own forward.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

PRECISIONS = ("fp32", "int8")


class Unsupported(ValueError):
    """This model or adapter layout is not served by the fast path (use the reference)."""


def int8_available() -> bool:
    """fbgemm's int8 kernels exist in this torch build and run on this CPU (AVX2 or better)."""
    try:
        return "fbgemm" in torch.backends.quantized.supported_engines and bool(
            torch.backends.cpu.get_cpu_capability() != "DEFAULT"
        )
    except Exception:
        return False


# ---- one projection: base weight (fp32 or int8) plus every adapter's LoRA ----------------


@dataclass(frozen=True)
class LoraPart:
    """One adapter's update of one projection (or of one slice of a fused projection)."""

    adapter: str
    a: torch.Tensor  # (r, in)
    b: torch.Tensor  # (out_slice, r)
    scale: float
    out_offset: int  # where this slice starts in the fused output


@dataclass(frozen=True)
class Layout:
    """Which LoRA column belongs to which adapter, with its scale: shared by equal projs."""

    owner: torch.Tensor  # (R,) adapter index of each column
    scale: torch.Tensor  # (R,)


class Proj:
    """y = x W^T + bias + ((x A^T) * M) B^T, with M chosen per row (see module docstring)."""

    def __init__(
        self,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        loras: Sequence[LoraPart],
        adapter_index: dict[str, int],
        precision: str,
    ) -> None:
        self.out_features, self.in_features = weight.shape
        self.precision = precision
        if precision == "int8":
            self._packed = _pack_int8(weight, bias)
            self.weight = None
            self.bias = None
        else:
            self.weight = weight.contiguous()
            self.bias = None if bias is None else bias.contiguous()
        self.lora_a: torch.Tensor | None = None
        self.lora_b: torch.Tensor | None = None
        self.layout: Layout | None = None
        if loras:
            self._stack(loras, adapter_index, weight.dtype)

    def _stack(self, loras: Sequence[LoraPart], index: dict[str, int], dtype: torch.dtype) -> None:
        rank = sum(p.a.shape[0] for p in loras)
        a = torch.zeros(rank, self.in_features, dtype=dtype)
        b = torch.zeros(self.out_features, rank, dtype=dtype)
        owner = torch.empty(rank, dtype=torch.long)
        scale = torch.empty(rank, dtype=dtype)
        col = 0
        for part in loras:
            r, out = part.a.shape[0], part.b.shape[0]
            a[col : col + r] = part.a
            b[part.out_offset : part.out_offset + out, col : col + r] = part.b
            owner[col : col + r] = index[part.adapter]
            scale[col : col + r] = part.scale
            col += r
        self.lora_a, self.lora_b = a, b.contiguous()
        self.layout = Layout(owner, scale)

    def __call__(self, x: torch.Tensor, masks: StepMasks) -> torch.Tensor:
        """`x`: (N, in) -> (N, out). `masks` holds this step's per-row LoRA masks."""
        if self.precision == "int8":
            y = torch.ops.quantized.linear_dynamic(x, self._packed, True)
        else:
            y = F.linear(x, self.weight, self.bias)
        if self.layout is not None:
            mask = masks.get(self.layout)
            if mask is not None:  # (rows, R): broadcast over a row's tokens (prefill: 1 row)
                low = (x @ self.lora_a.t()).view(mask.shape[0], -1, mask.shape[1]) * mask[:, None]
                y = y + low.view(x.shape[0], -1) @ self.lora_b.t()
        return y


def _pack_int8(weight: torch.Tensor, bias: torch.Tensor | None) -> Any:
    """Per-output-channel symmetric int8 weights, prepacked for fbgemm."""
    w = weight.float()
    scales = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-8).double()
    zeros = torch.zeros(w.shape[0], dtype=torch.long)
    with warnings.catch_warnings():  # torch marks quantized tensors as legacy; fbgemm is current
        warnings.simplefilter("ignore")
        q = torch.quantize_per_channel(w, scales, zeros, axis=0, dtype=torch.qint8)
        return torch.ops.quantized.linear_prepack(q, None if bias is None else bias.float())


class StepMasks:
    """The per-row LoRA masks of one step, built once per distinct layout and reused by every
    layer (all layers of a model share a layout when the adapters target the same modules)."""

    def __init__(self, row_adapters: torch.Tensor) -> None:
        self.rows = row_adapters  # (rows,) adapter index, -1 for the base model
        self.any = bool((row_adapters >= 0).any())
        self._memo: dict[int, torch.Tensor | None] = {}

    def get(self, layout: Layout) -> torch.Tensor | None:
        if not self.any:
            return None
        key = id(layout)
        if key not in self._memo:
            hit = self.rows[:, None] == layout.owner[None, :]  # (rows, R)
            self._memo[key] = (hit * layout.scale).to(layout.scale.dtype) if hit.any() else None
        return self._memo[key]


# ---- the KV cache: slots that rows occupy -----------------------------------------------


@dataclass
class KVSlots:
    """Keys and values per layer, (slots, kv_heads, capacity, head_dim); grows on demand.

    Running rows sit in slots 0..n-1 so a decode step reads a view, never a gathered copy.
    A free slot keeps what its last row left (tokens and adapter) for prefix reuse.
    """

    keys: list[torch.Tensor]
    values: list[torch.Tensor]
    tokens: list[list[int]] = field(default_factory=list)  # ids whose K/V each slot holds
    adapter: list[str | None] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return self.keys[0].shape[2]

    @property
    def slots(self) -> int:
        return self.keys[0].shape[0]

    def ensure(self, length: int, limit: int) -> None:
        """Room for `length` positions (doubling, at most `limit`)."""
        if length <= self.capacity:
            return
        new = min(max(length, 2 * self.capacity), limit)
        if new < length:
            raise ValueError(f"{length} positions do not fit the cache limit of {limit}")
        for store in (self.keys, self.values):
            for i, old in enumerate(store):
                grown = old.new_zeros(old.shape[0], old.shape[1], new, old.shape[3])
                grown[:, :, : old.shape[2]] = old
                store[i] = grown

    def swap(self, a: int, b: int) -> None:
        """Exchange two slots (only the positions either of them holds)."""
        if a == b:
            return
        n = max(len(self.tokens[a]), len(self.tokens[b]))
        if n:
            for store in (self.keys, self.values):
                for t in store:
                    t[[a, b], :, :n] = t[[b, a], :, :n]
        self.tokens[a], self.tokens[b] = self.tokens[b], self.tokens[a]
        self.adapter[a], self.adapter[b] = self.adapter[b], self.adapter[a]


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


# ---- the model ----------------------------------------------------------------------------


@dataclass
class _Layer:
    norm1: Callable[[torch.Tensor], torch.Tensor]
    qkv: Proj
    out: Proj
    norm2: Callable[[torch.Tensor], torch.Tensor]
    up: Proj  # GPT-2: c_fc; Llama: gate and up fused (gate first)
    down: Proj


class FastDecoder:
    """Weights of one base model and its adapters, in the layout the fast path computes with."""

    def __init__(self) -> None:
        self.arch = ""
        self.precision = "fp32"
        self.layers: list[_Layer] = []
        self.adapter_index: dict[str, int] = {}
        self.heads = self.kv_heads = self.head_dim = 0
        self.max_positions = 0
        self.dtype = torch.float32
        self.device = torch.device("cpu")
        self._embed: torch.Tensor | None = None  # (vocab, d)
        self._positions: torch.Tensor | None = None  # GPT-2 learned positions (P, d)
        self._final_norm: Callable[[torch.Tensor], torch.Tensor] | None = None
        self._head: Proj | None = None
        self._rotary: Any = None
        self._act: Callable[[torch.Tensor], torch.Tensor] | None = None
        self._scale = 1.0
        self._keep_fp32: frozenset[str] = frozenset()

    # ---- building ------------------------------------------------------------------------

    @classmethod
    def from_model(
        cls, model: Any, *, precision: str = "fp32", keep_fp32: Sequence[str] = ()
    ) -> FastDecoder:
        """Read a transformers causal LM (optionally wrapped by peft) into the fast layout."""
        if precision not in PRECISIONS:
            raise Unsupported(f"precision {precision!r} is not one of {PRECISIONS}")
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        kind = getattr(base.config, "model_type", "")
        if kind not in ("gpt2", "llama"):
            raise Unsupported(f"the fast path has no {kind or 'unknown'} architecture")
        if precision == "int8" and not int8_available():
            raise Unsupported("int8 kernels (fbgemm) are not available on this CPU")
        self = cls()
        self.arch, self.precision = kind, precision
        self._keep_fp32 = frozenset(keep_fp32)
        first = next(base.parameters())
        self.dtype, self.device = first.dtype, first.device
        if precision == "int8" and self.device.type != "cpu":
            raise Unsupported("int8 weights are a CPU path")
        names = _adapter_names(model)
        self.adapter_index = {name: i for i, name in enumerate(names)}
        if kind == "gpt2":
            self._read_gpt2(base)
        else:
            self._read_llama(base)
        return self

    def _proj(self, role: str, modules: Sequence[Any], *, conv1d: bool = False) -> Proj:
        weights, biases, loras, offset = [], [], [], 0
        for module in modules:
            weight, bias, parts = _linear_parts(module, conv1d=conv1d, out_offset=offset)
            weights.append(weight)
            biases.append(bias)
            loras.extend(parts)
            offset += weight.shape[0]
        bias = None if all(b is None for b in biases) else _cat_biases(weights, biases)
        precision = "fp32" if role in self._keep_fp32 else self.precision
        return Proj(torch.cat(weights), bias, loras, self.adapter_index, precision)

    def _read_gpt2(self, base: Any) -> None:
        cfg = base.config
        if getattr(cfg, "scale_attn_by_inverse_layer_idx", False) or getattr(
            cfg, "reorder_and_upcast_attn", False
        ):
            raise Unsupported("GPT-2 attention variants are not modelled")
        from transformers.activations import ACT2FN

        t = base.transformer
        self.heads = self.kv_heads = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.max_positions = cfg.n_positions
        self._scale = 1.0 / math.sqrt(self.head_dim) if cfg.scale_attn_weights else 1.0
        self._act = ACT2FN[cfg.activation_function]
        self._embed = t.wte.weight.detach()
        self._positions = t.wpe.weight.detach()
        self._final_norm = t.ln_f
        for block in t.h:
            self.layers.append(
                _Layer(
                    norm1=block.ln_1,
                    qkv=self._proj("qkv", [block.attn.c_attn], conv1d=True),
                    out=self._proj("out", [block.attn.c_proj], conv1d=True),
                    norm2=block.ln_2,
                    up=self._proj("up", [block.mlp.c_fc], conv1d=True),
                    down=self._proj("down", [block.mlp.c_proj], conv1d=True),
                )
            )
        self._head = self._proj("head", [base.lm_head])

    def _read_llama(self, base: Any) -> None:
        cfg = base.config
        if cfg.hidden_act != "silu":
            raise Unsupported(f"Llama activation {cfg.hidden_act} is not modelled")
        m = base.model
        self.heads = cfg.num_attention_heads
        self.kv_heads = cfg.num_key_value_heads
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // self.heads
        self.max_positions = cfg.max_position_embeddings
        self._scale = self.head_dim**-0.5
        self._act = F.silu
        self._embed = m.embed_tokens.weight.detach()
        self._rotary = _rotary_table(m.rotary_emb, self.max_positions, self.dtype, self.device)
        self._final_norm = _rms(m.norm)
        for block in m.layers:
            attn, mlp = block.self_attn, block.mlp
            self.layers.append(
                _Layer(
                    norm1=_rms(block.input_layernorm),
                    qkv=self._proj("qkv", [attn.q_proj, attn.k_proj, attn.v_proj]),
                    out=self._proj("out", [attn.o_proj]),
                    norm2=_rms(block.post_attention_layernorm),
                    up=self._proj("up", [mlp.gate_proj, mlp.up_proj]),
                    down=self._proj("down", [mlp.down_proj]),
                )
            )
        self._head = self._proj("head", [base.lm_head])

    # ---- the cache -----------------------------------------------------------------------

    def new_cache(self, slots: int, capacity: int = 256) -> KVSlots:
        shape = (slots, self.kv_heads, capacity, self.head_dim)
        kw = {"dtype": self.dtype, "device": self.device}
        return KVSlots(
            keys=[torch.zeros(shape, **kw) for _ in self.layers],
            values=[torch.zeros(shape, **kw) for _ in self.layers],
            tokens=[[] for _ in range(slots)],
            adapter=[None for _ in range(slots)],
        )

    def adapter_ids(self, adapters: Sequence[str | None]) -> torch.Tensor:
        """Row adapter names -> indices (-1: the base model, or an adapter not stacked here)."""
        return torch.tensor([self.adapter_index.get(a, -1) if a else -1 for a in adapters])

    # ---- forward passes ------------------------------------------------------------------

    def prefill(
        self, cache: KVSlots, slot: int, ids: Sequence[int], start: int, adapter: str | None
    ) -> torch.Tensor:
        """Feed `ids` at positions start.. into `slot` (which holds `start` positions already);
        returns the logits after the last of them, (vocab,)."""
        n = len(ids)
        cache.ensure(start + n, self.max_positions)
        tokens = torch.tensor([list(ids)], device=self.device)  # (1, T)
        positions = torch.arange(start, start + n, device=self.device)[None]  # (1, T)
        j = torch.arange(start + n, device=self.device)
        # (1, 1, T, start+T); a prompt's first chunk is plain causal attention (no mask)
        mask = None if start == 0 else (j[None, :] <= positions[0, :, None])[None, None]
        masks = StepMasks(self.adapter_ids([adapter]))
        x = self._embed_tokens(tokens, positions)
        for i, layer in enumerate(self.layers):
            x = self._layer(
                layer, x, positions, masks, i, cache, slice(slot, slot + 1), start, mask
            )
        cache.tokens[slot] = cache.tokens[slot][:start] + list(ids)
        cache.adapter[slot] = adapter
        return self._logits(x[:, -1])[0]

    def decode(
        self,
        cache: KVSlots,
        tokens: Sequence[int],
        lengths: Sequence[int],
        adapters: Sequence[str | None],
    ) -> torch.Tensor:
        """One token for each row in slots 0..B-1, row b at position lengths[b]; (B, vocab)."""
        b = len(tokens)
        top = max(lengths) + 1
        cache.ensure(top, self.max_positions)
        ids = torch.tensor(tokens, device=self.device)[:, None]  # (B, 1)
        pos = torch.tensor(lengths, device=self.device)[:, None]  # (B, 1)
        j = torch.arange(top, device=self.device)
        mask = (j[None, :] <= pos)[:, None, None, :]  # (B, 1, 1, top)
        masks = StepMasks(self.adapter_ids(adapters))
        x = self._embed_tokens(ids, pos)
        for i, layer in enumerate(self.layers):
            x = self._layer(layer, x, pos, masks, i, cache, slice(0, b), None, mask)
        for row in range(b):
            cache.tokens[row].append(tokens[row])
        return self._logits(x[:, -1])

    def _embed_tokens(self, ids: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        x = F.embedding(ids, self._embed)
        if self._positions is not None:
            x = x + F.embedding(positions, self._positions)
        return x  # (B, T, d)

    def _logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return self._head(self._final_norm(hidden), _NO_LORA).float()

    def _layer(
        self,
        layer: _Layer,
        x: torch.Tensor,  # (B, T, d)
        positions: torch.Tensor,  # (B, T)
        masks: StepMasks,
        index: int,
        cache: KVSlots,
        rows: slice,
        start: int | None,  # prefill: positions already in the slot; decode: None
        mask: torch.Tensor | None,
    ) -> torch.Tensor:
        b, t, d = x.shape
        h = layer.norm1(x).view(b * t, d)
        qkv = layer.qkv(h, masks)
        hd = self.head_dim
        q, k, v = qkv.split([self.heads * hd, self.kv_heads * hd, self.kv_heads * hd], dim=-1)
        q = q.view(b, t, self.heads, hd).transpose(1, 2)  # (B, H, T, hd)
        k = k.view(b, t, self.kv_heads, hd).transpose(1, 2)
        v = v.view(b, t, self.kv_heads, hd).transpose(1, 2)
        if self._rotary is not None:
            q, k = self._rotate(q, k, positions)
        keys, values = cache.keys[index], cache.values[index]
        if start is None:  # decode: row r writes its one position lengths[r]
            at = positions[:, 0]
            r = torch.arange(b, device=x.device)
            keys[r, :, at] = k[:, :, 0]
            values[r, :, at] = v[:, :, 0]
            width = mask.shape[-1] if mask is not None else keys.shape[2]
            kk, vv = keys[rows, :, :width], values[rows, :, :width]
        else:
            keys[rows, :, start : start + t] = k
            values[rows, :, start : start + t] = v
            kk, vv = keys[rows, :, : start + t], values[rows, :, : start + t]
        att = F.scaled_dot_product_attention(
            q,
            kk,
            vv,
            attn_mask=mask,
            is_causal=mask is None,
            scale=self._scale,
            enable_gqa=self.heads != self.kv_heads,
        )
        att = att.transpose(1, 2).reshape(b * t, self.heads * hd)
        x = x + layer.out(att, masks).view(b, t, d)
        h = layer.norm2(x).view(b * t, d)
        up = layer.up(h, masks)
        if self.arch == "llama":
            gate, up = up.chunk(2, dim=-1)
            act = self._act(gate) * up
        else:
            act = self._act(up)
        return x + layer.down(act, masks).view(b, t, d)

    def _rotate(
        self, q: torch.Tensor, k: torch.Tensor, positions: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Rotary embedding from the precomputed table (transformers' own cos/sin values)."""
        cos_table, sin_table = self._rotary
        cos = cos_table[positions][:, None]  # (B, 1, T, hd)
        sin = sin_table[positions][:, None]
        return q * cos + _rotate_half(q) * sin, k * cos + _rotate_half(k) * sin


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _rotary_table(
    rotary: Any, length: int, dtype: torch.dtype, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin for every position, (length, hd), computed once by the model's own module
    (so scaling variants and rounding match transformers)."""
    probe = torch.zeros(1, dtype=dtype, device=device)
    cos, sin = rotary(probe, torch.arange(length, device=device)[None])
    return cos[0], sin[0]


def _rms(norm: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    """Llama's RMSNorm as one fused op (same formula: x / sqrt(mean(x^2) + eps) * w)."""
    weight = norm.weight.detach()
    eps = float(getattr(norm, "variance_epsilon", getattr(norm, "eps", 1e-6)))

    def apply(x: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x, (x.shape[-1],), weight, eps)

    return apply


_NO_LORA = StepMasks(torch.full((1,), -1))


# ---- reading transformers / peft modules ----------------------------------------------------


def _adapter_names(model: Any) -> list[str]:
    config = getattr(model, "peft_config", None)
    return sorted(config) if config else []


def _linear_parts(
    module: Any, *, conv1d: bool, out_offset: int
) -> tuple[torch.Tensor, torch.Tensor | None, list[LoraPart]]:
    """(weight (out, in), bias, LoRA parts) of a Linear / Conv1D, or a peft LoRA wrapper."""
    parts: list[LoraPart] = []
    base = module
    if hasattr(module, "lora_A") and hasattr(module, "base_layer"):
        base = module.get_base_layer()
        if getattr(module, "merged", False):
            raise Unsupported("a merged peft layer cannot be served per row")
        for name in module.lora_A:
            if getattr(module, "use_dora", {}).get(name, False):
                raise Unsupported(f"adapter {name} uses DoRA")
            if getattr(module, "lora_bias", {}).get(name, False):
                raise Unsupported(f"adapter {name} has a LoRA bias")
            a = module.lora_A[name].weight.detach()
            b = module.lora_B[name].weight.detach()
            if a.dim() != 2:
                raise Unsupported(f"adapter {name} is not a linear LoRA")
            parts.append(LoraPart(name, a, b, float(module.scaling[name]), out_offset))
    weight = base.weight.detach()
    if conv1d or type(base).__name__ == "Conv1D":
        weight = weight.t()
    bias = None if getattr(base, "bias", None) is None else base.bias.detach()
    return weight, bias, parts


def _cat_biases(
    weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor | None]
) -> torch.Tensor:
    pairs = zip(weights, biases, strict=True)
    return torch.cat([b if b is not None else w.new_zeros(w.shape[0]) for w, b in pairs])
