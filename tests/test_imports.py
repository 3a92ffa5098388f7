"""packbuilder's modules import one way: no cycles, not even through a function-level import."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "packbuilder"


def graph() -> dict[str, set[str]]:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    out = {}
    for path in PACKAGE.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        out[path.stem] = deps & modules - {path.stem}
    return out


def test_no_import_cycles():
    edges, seen, done, cycles = graph(), set(), set(), []

    def visit(node: str, path: list[str]) -> None:
        if node in done:
            return
        if node in seen:
            cycles.append(path[path.index(node):] + [node])
            return
        seen.add(node)
        for dep in sorted(edges[node]):
            visit(dep, path + [node])
        done.add(node)
    for module in sorted(edges):
        visit(module, [])
    assert not cycles, cycles


def test_build_cards_jobs_scheduler_import_one_way():
    edges = graph()
    assert "build" not in edges["cards"] | edges["jobs"] | edges["scheduler"]
    assert "cards" not in edges["jobs"] and "scheduler" not in edges["cards"] | edges["jobs"]
