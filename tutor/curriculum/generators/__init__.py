"""Generator families, registered by name: `fractions.add_unlike` in a pack names one here.

The registry is built once from each module's `FAMILIES` and is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tutor.curriculum.generators import (
    decimals,
    equations,
    factors,
    fractions,
    integers,
    ops,
    percent,
    ratio,
    whole,
)
from tutor.curriculum.generators.base import Draft, Family

_MODULES = {
    "whole": whole,
    "factors": factors,
    "ops": ops,
    "fractions": fractions,
    "decimals": decimals,
    "percent": percent,
    "ratio": ratio,
    "integers": integers,
    "equations": equations,
}

GENERATORS: Mapping[str, Family] = MappingProxyType(
    {
        f"{prefix}.{name}": fn
        for prefix, module in _MODULES.items()
        for name, fn in module.FAMILIES.items()
    }
)

__all__ = ["GENERATORS", "Draft", "Family"]
