"""The import rules of ARCHITECTURE.md, checked on the package's source.

Every ``import`` and ``from ... import`` of a socialkit module counts, also those inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "socialkit"
#: What each layer may import, besides itself and the root's ``errors``.
ALLOWED = {
    "base": set(),
    "contract": {"base"},
    "analysis": {"base", "contract"},
    "charts": {"base", "contract", "analysis"},
    "editor": {"base", "contract", "analysis", "charts"},
    "reports": {"base", "contract", "analysis", "charts", "root"},
}
#: Private names still taken across layers: this list may only shrink.
KNOWN_PRIVATE = {
    ("socialkit.editor.draft", "socialkit.contract.io", "_with_defaults"),
    ("socialkit.charts.base", "socialkit.analysis.checks", "_vocab_categories"),
    ("socialkit.charts.base", "socialkit.analysis.tool_fit", "_joined_recommendations"),
}
#: Pairs of modules still importing each other: this list may only shrink.
KNOWN_CYCLES = {
    frozenset({"socialkit.analysis.advice", "socialkit.analysis.checks"}),
    frozenset({"socialkit.contract.io", "socialkit.contract.writers"}),
    frozenset({"socialkit.contract.readers", "socialkit.contract.xlsx_read"}),
    frozenset({"socialkit.editor.draft", "socialkit.editor.saving"}),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) of every socialkit import in a file; name None for ``import m``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.startswith("socialkit")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("socialkit"):
                found += [(node.module, a.name) for a in node.names]
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else "root"


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_package_has_every_layer_and_no_relative_imports() -> None:
    assert {layer(m) for m in MODULES} == {*ALLOWED, "root"}
    relative = [
        m
        for m, p in MODULES.items()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert relative == []


@pytest.mark.parametrize("module", [m for m in MODULES if layer(m) in ALLOWED])
def test_a_layer_imports_only_the_layers_below_it(module: str) -> None:
    own = layer(module)
    wrong = sorted(
        target
        for target, _ in imports(MODULES[module])
        if target != "socialkit.errors"
        and layer(target) != own
        and layer(target) not in ALLOWED[own]
    )
    assert wrong == [], f"{module} ({own}) imports {wrong}"


def test_no_private_name_is_taken_across_layers_but_the_known_ones() -> None:
    taken = {
        (module, target, name)
        for module, path in MODULES.items()
        for target, name in imports(path)
        if name
        and name.startswith("_")
        and name != "__version__"
        and layer(target) != layer(module)
    }
    assert taken <= KNOWN_PRIVATE, f"new: {sorted(taken - KNOWN_PRIVATE)}"


def test_no_two_modules_import_each_other_but_the_known_ones() -> None:
    graph = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, name in imports(path):
            for candidate in (f"{target}.{name}", target):  # a submodule or a module
                if candidate in MODULES and candidate != module:
                    graph[module].add(candidate)
                    break
    cycles = {frozenset({a, b}) for a in graph for b in graph[a] if a in graph[b]}
    assert cycles <= KNOWN_CYCLES, f"new: {sorted(map(sorted, cycles - KNOWN_CYCLES))}"
