"""The packages of `chalicelib` form layers: every import points down, and nothing is circular.

`LAYERS` is the map, top to bottom, written here literally: the edge (the API's blueprints),
the composition root, the jobs and desks, the case workflow, the alerts and indexes beside
it, the tables, the report's own vocabulary, the institution's configuration, and the
foundations. A unit is a top-level module of `chalicelib` or a package. A unit may import
units in the layers BELOW its own, never above, and never a sibling in its own layer (the
siblings are independent of each other). Inside a package, modules may import each other,
but no chain of imports may come back to where it started.

The source is read, not imported: every `import` counts, those inside functions and under
`TYPE_CHECKING` included. A new module fails the test until it is given its place here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

#: Top to bottom. A unit imports only units of lower layers.
LAYERS: list[set[str]] = [
    {"api"},
    {"services"},
    {"checkpoint", "staff_admin"},
    {"retention", "rights", "insights", "records", "staff_access", "content"},
    {"cases"},
    {"trends"},
    {"admin_trail", "concerns", "notify"},
    {"audit", "directory"},
    {"storage"},
    {"reports", "cursors"},
    {"institution"},
    {
        "addresses",
        "crypto",
        "insight_marks",
        "months",
        "problems",
        "queues",
        "resources",
        "roles",
        "settings",
        "staff_tokens",
    },
    {"clock", "dependencies", "lazy", "observability"},
    {"errors"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (ROOT / relative).with_suffix(".py").is_file() or (ROOT / relative).is_dir()


def imports_of(path: Path) -> set[str]:
    """The `chalicelib` modules a source file imports (`from p import m` counts as `p.m`)."""
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if is_module(submodule) else base)
    return {name for name in found if name == "chalicelib" or name.startswith("chalicelib.")}


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


GRAPH: dict[str, set[str]] = {
    module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))
}
LAYER_OF: dict[str, int] = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}


def test_the_layer_map_names_each_unit_once() -> None:
    named = [unit for units in LAYERS for unit in units]
    assert len(named) == len(set(named))
    assert "cases" in named and "storage" in named


def test_every_unit_of_chalicelib_has_its_place_in_the_map() -> None:
    units = {unit_of(module) for module in GRAPH} - {""}
    assert "api" in units and "errors" in units
    assert units - set(LAYER_OF) == set(), "place each new unit in LAYERS"
    assert set(LAYER_OF) - units == set(), "a unit in LAYERS no longer exists"


def upward_or_sideways(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        source = unit_of(module)
        for target in targets:
            unit = unit_of(target)
            if unit and unit != source and LAYER_OF[unit] <= LAYER_OF[source]:
                wrong.append(f"{module} -> {target}")
    return sorted(wrong)


def test_every_import_points_down_the_layers() -> None:
    assert upward_or_sideways(GRAPH) == []


def test_the_check_catches_an_arrow_back_up() -> None:
    """Which one-line bug would it catch: storage importing the case workflow."""
    bent = {**GRAPH, "chalicelib.storage.dynamo": {"chalicelib.cases.workflow"}}
    assert upward_or_sideways(bent) == ["chalicelib.storage.dynamo -> chalicelib.cases.workflow"]
    sideways = {**GRAPH, "chalicelib.notify": {"chalicelib.concerns"}}
    assert upward_or_sideways(sideways) == ["chalicelib.notify -> chalicelib.concerns"]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import each other round in a circle (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in graph.get(module, ()):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("extra_edge", "circle"),
    [
        (
            ("chalicelib.cases.workflow", "chalicelib.cases.policy"),
            ["chalicelib.cases.policy", "chalicelib.cases.workflow"],
        ),
    ],
)
def test_the_check_catches_a_circle(extra_edge: tuple[str, str], circle: list[str]) -> None:
    source, target = extra_edge
    assert target in GRAPH and source in GRAPH[target]
    bent = {**GRAPH, source: GRAPH[source] | {target}}
    assert cycles(bent) == [circle]
