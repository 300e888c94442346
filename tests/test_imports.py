"""The package rules of DESIGN.md, read from the source: a forbidden import fails the build."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"tutor", "students_db", "prompts", "adapters", "app"}
HEAVY = {"torch", "transformers", "peft", "tokenizers", "safetensors", "accelerate"}

# package -> (our packages it may import, third-party modules it must not import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "students_db": (set(), HEAVY | {"gradio", "pandas"}),
    "prompts": (set(), HEAVY | {"gradio", "sqlalchemy", "alembic", "numpy"}),
    "adapters": ({"prompts"}, {"gradio", "sqlalchemy", "alembic"}),
    "tutor": ({"students_db", "prompts"}, HEAVY | {"gradio"}),
}
# Edges: the UI may import gradio; the CLI may import adapters (lazily, inside a command).
GRADIO_ALLOWED = ("tutor/ui/",)
EDGE_MODULES = ("tutor/cli/",)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every imported top-level module, with whether the import sits at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, bool]] = []
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], id(node) in top_level))
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports_follow_the_design(package: str) -> None:
    allowed_ours, forbidden = RULES[package]
    problems: list[str] = []
    for path in _modules(package):
        rel = path.relative_to(ROOT).as_posix()
        for name, at_module_level in _imports(path):
            if name in OURS and name != package and name not in allowed_ours:
                if rel.startswith(EDGE_MODULES) and name == "adapters" and not at_module_level:
                    continue
                problems.append(f"{rel} imports {name}")
            if name in forbidden:
                if name == "gradio" and rel.startswith(GRADIO_ALLOWED):
                    continue
                problems.append(f"{rel} imports {name}")
    assert not problems, "forbidden imports:\n" + "\n".join(problems)


def test_ui_is_the_only_gradio_user_in_tutor() -> None:
    users = [
        p.relative_to(ROOT).as_posix()
        for p in _modules("tutor")
        if any(name == "gradio" for name, _ in _imports(p))
    ]
    assert all(u.startswith(GRADIO_ALLOWED) for u in users), users


def test_rule_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nfrom adapters import generator\n")
    names = {name for name, _ in _imports(bad)}
    assert {"torch", "adapters"} <= names
