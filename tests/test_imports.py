"""The package's import graph: no circle among the imports its modules make.

Walks every module of geomap with ``ast`` (no import is run). Every import statement is an
edge: at module level (also inside a ``try``/``if``) and inside functions and methods, which run
later but still tie the two modules together (render's ``_map`` and ``_folium`` once imported
each other that way). Only imports under ``if TYPE_CHECKING:`` are left out: they never run, and
annotations may name a type of a module that imports this one. Imports by name at run time
(``importlib.import_module``, the CLI's lazy commands) are not seen. A circle at module level
means a module can see another half-initialised, depending on which one is imported first; one
through functions means two modules that cannot be understood, or split, one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import geomap

PACKAGE = Path(geomap.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(tree: ast.Module, *, functions: bool = True) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module, but those under ``if TYPE_CHECKING:``; with
    ``functions=False`` only those that run when the module loads."""
    out: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
        elif functions or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return out


def import_graph(*, functions: bool = True) -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in imports(ast.parse(path.read_text(encoding="utf-8")), functions=functions):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package.split(".")
                if node.level:
                    base = base[: len(base) - node.level + 1]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                # `from X import y` loads X.y when y is a module, else X
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin
                           for a in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_the_walk_sees_the_package():
    graph = import_graph()
    assert "geomap.pipeline" in graph and "geomap.articles.files" in graph
    assert "geomap.articles.header" in graph["geomap.articles.files"]
    assert "geomap.errors" in graph["geomap.dates"]


def test_the_walk_finds_a_circle_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_walk_sees_imports_inside_functions_and_skips_type_checking_ones():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .a import A\nelse:\n    from .b import B\n"
        "import c\n"
        "class K:\n    def m(self):\n        from .d import D\n"
        "def f():\n    import e\n")

    def names(found: list[ast.Import | ast.ImportFrom]) -> list[str]:
        return sorted(n.module or "" if isinstance(n, ast.ImportFrom) else n.names[0].name for n in found)

    assert names(imports(tree)) == ["b", "c", "d", "e", "typing"]
    assert names(imports(tree, functions=False)) == ["b", "c", "typing"]
    graph = import_graph()
    # the CLI loads the pipeline only when a command runs
    assert "geomap.pipeline" in graph["geomap.cli.extract"]
    assert "geomap.pipeline" not in import_graph(functions=False)["geomap.cli.extract"]


def test_no_import_circle_at_module_level():
    assert cycles(import_graph(functions=False)) == []


def test_no_import_circle_through_functions_either():
    """Function-level imports count too; TYPE_CHECKING-only ones (annotations) are allowed."""
    assert cycles(import_graph()) == []
