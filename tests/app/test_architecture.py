"""The shape of app/ holds: no import cycles, no commits in route modules (docs/architecture.md).

The layers themselves are import-linter's contract in pyproject.toml (``lint-imports`` in ``make test``).
"""

from __future__ import annotations

import re
from pathlib import Path

import grimp

APP = Path(__file__).resolve().parents[2] / "app"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (or a node importing itself), as one cycle each."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_one_cycle(sorted(g)[0], g, edges) for g in groups]


def _one_cycle(start: str, group: set[str], edges: dict[str, set[str]]) -> list[str]:
    """A concrete path start → … → start inside one strongly connected group (breadth first, so short)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges.get(node, ()) & group):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return [start, start]


def _module_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph("app")
    return {m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("app")} for m in graph.modules}


def test_no_import_cycles_between_modules_of_app() -> None:
    cycles = _cycles(_module_edges())
    assert not cycles, "import cycles in app/: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_import_cycles_between_rooms_of_app() -> None:
    """Rooms (app/<room>/) import each other in one direction only, whatever the module."""
    rooms: dict[str, set[str]] = {}
    for module, imported in _module_edges().items():
        room = ".".join(module.split(".")[:2])
        rooms.setdefault(room, set()).update(".".join(i.split(".")[:2]) for i in imported)
    for room, imported in rooms.items():
        imported.discard(room)
    cycles = _cycles(rooms)
    assert not cycles, "rooms of app/ import each other in a circle: " + "; ".join(" -> ".join(c) for c in cycles)


def test_cycle_check_names_a_cycle() -> None:
    """The check itself: a circle is found and spelled out."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_route_modules_never_commit() -> None:
    """Only the request scope (app.platform.deps.SessionDep) or a job scope commits."""
    routes = [p for p in APP.rglob("*.py") if "APIRouter(" in p.read_text(encoding="utf-8")]
    assert len(routes) >= 10, "the route modules were not found"
    committing = [str(p.relative_to(APP.parent)) for p in routes if re.search(r"\.commit\(", p.read_text(encoding="utf-8"))]
    assert not committing, f"route modules that commit themselves: {committing}"


def test_root_of_app_holds_only_entry_points() -> None:
    loose = sorted(p.name for p in APP.glob("*.py") if p.name != "__init__.py")
    assert loose == ["cli.py", "main.py"], f"modules outside a room: {loose}"
