"""The import rules of ARCHITECTURE.md, checked on the package's source.

Every ``import`` and ``from ... import`` of a socialkit module counts, also those inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "socialkit"
#: What each layer may import, besides itself, the root's ``errors`` and ``_compat`` (the
#: other libraries' internals, which any layer may need).
ALLOWED = {
    "base": set(),
    "contract": {"base"},
    "analysis": {"base", "contract"},
    "delivery": {"base", "contract", "analysis"},
    "charts": {"base", "contract", "analysis", "delivery"},
    "editor": {"base", "contract", "analysis", "charts", "delivery"},
    "reports": {"base", "contract", "analysis", "charts", "delivery", "root"},
}
#: Private names still taken across layers: this list may only shrink.
KNOWN_PRIVATE: set[tuple[str, str, str]] = set()
#: Pairs of modules still importing each other: this list may only shrink.
KNOWN_CYCLES: set[frozenset[str]] = set()


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
        if target not in ("socialkit.errors", "socialkit._compat")
        and layer(target) != own
        and layer(target) not in ALLOWED[own]
    )
    assert wrong == [], f"{module} ({own}) imports {wrong}"


def private_names_taken() -> set[tuple[str, str, str]]:
    """(importer, module, name) of every private name imported from another layer."""
    return {
        (module, target, name)
        for module, path in MODULES.items()
        for target, name in imports(path)
        if name
        and name.startswith("_")
        and name != "__version__"
        and layer(target) != layer(module)
    }


def private_attributes_used() -> set[tuple[str, str, str]]:
    """(user, module, name) of every ``module._name`` read where ``module`` is a socialkit
    module of another layer, bound by ``import socialkit.x.y [as m]`` or
    ``from socialkit.x import y``."""
    used = set()
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("socialkit"):
                        bound[a.asname or "socialkit"] = a.name if a.asname else "socialkit"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for a in node.names:
                    if f"{node.module}.{a.name}" in MODULES:
                        bound[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__"):  # __name__, __file__ ...
                continue
            chain, value = [], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                target = ".".join([bound[value.id], *reversed(chain)])
                if target in MODULES and layer(target) != layer(module):
                    used.add((module, target, node.attr))
    return used


def import_graph() -> dict[str, set[str]]:
    """Each module and the socialkit modules it imports (anywhere in it)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, name in imports(path):
            for candidate in (f"{target}.{name}", target):  # a submodule or a module
                if candidate in MODULES and candidate != module:
                    graph[module].add(candidate)
                    break
    return graph


def pairs_importing_each_other(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    return {frozenset({a, b}) for a in graph for b in graph[a] if a in graph[b]}


def import_cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(frozenset(group))
    return groups


def test_no_private_name_is_taken_across_layers_but_the_known_ones() -> None:
    taken = private_names_taken()
    assert taken <= KNOWN_PRIVATE, f"new: {sorted(taken - KNOWN_PRIVATE)}"


def test_no_private_attribute_is_read_across_layers() -> None:
    assert sorted(private_attributes_used()) == []


def test_no_two_modules_import_each_other_but_the_known_ones() -> None:
    cycles = pairs_importing_each_other(import_graph())
    assert cycles <= KNOWN_CYCLES, f"new: {sorted(map(sorted, cycles - KNOWN_CYCLES))}"


def test_the_imports_have_no_longer_cycle() -> None:
    # a cycle through three or more modules; the known pairs are the only groups allowed
    groups = import_cycles(import_graph())
    assert [sorted(g) for g in groups if g not in KNOWN_CYCLES] == []


def test_the_known_exceptions_are_all_still_there() -> None:
    # a list that may only shrink: an exception fixed is deleted from it
    assert KNOWN_PRIVATE <= private_names_taken()
    assert KNOWN_CYCLES <= pairs_importing_each_other(import_graph())
