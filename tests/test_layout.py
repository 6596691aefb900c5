"""The house shows the pipeline: stage packages in the order data flows, imports only go to earlier
stages, no import cycle (lazy imports included), small modules. Read from the source with ``ast``, so
an import inside a function counts as much as one at the top of a file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simcheck"

BASE = ("simcheck.errors", "simcheck.model", "simcheck.settings", "simcheck.version")
STAGES = ("read", "text", "embed", "search", "index", "match", "calibration", "report", "render")
TOP = len(STAGES) + 1  # the orchestrator, the CLI and the package root


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _stage(module: str) -> int:
    """0 for the shared base, 1.. for the stages in the order data flows, TOP for the rest."""
    if module in BASE:
        return 0
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return STAGES.index(parts[1]) + 1
    return TOP


def _imports(module: str) -> set[str]:
    """The simcheck modules ``module`` imports anywhere in its source (functions and TYPE_CHECKING too)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    is_package = MODULES[module].name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("simcheck"):
                found.add(name)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_stage_is_a_package_with_a_docstring_saying_what_it_owns() -> None:
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), f"simcheck/{stage}/ is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 15, f"simcheck/{stage}/__init__.py does not say what it owns"


def test_imports_only_go_to_earlier_stages() -> None:
    upward = [
        f"{module} (stage {_stage(module)}) imports {target} (stage {_stage(target)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if _stage(target) > _stage(module)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_checker_sees_lazy_imports_and_cycles() -> None:
    """The rules above could pass by reading nothing: check that they read a lazy import of a later stage."""
    assert "simcheck.compare" in GRAPH["simcheck.cli.compare"]  # imported inside the command function
    assert _stage("simcheck.match.evidence") > _stage("simcheck.search.vectors") > _stage("simcheck.model")


def test_top_level_stays_small_and_modules_stay_readable() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 450}
    assert long == {}
    assert len((PACKAGE / "compare.py").read_text().splitlines()) < 200  # the orchestrator only sequences


@pytest.mark.parametrize("module", ["simcheck.settings", "simcheck.model", "simcheck.errors"])
def test_the_shared_base_imports_no_stage(module: str) -> None:
    assert {m for m in GRAPH[module] if _stage(m) > 0} == set()
