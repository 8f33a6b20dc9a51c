"""The import graph of the product packages (pipelines, models_ml) and of the dev package
(leadflow_dev) has no cycle, counting imports inside functions too: a module that needs
another at run time depends on it as much as one that imports it at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipelines.project import PROJECT_ROOT

PACKAGE_ROOTS = {
    "pipelines": PROJECT_ROOT / "pipelines",
    "models_ml": PROJECT_ROOT / "models_ml",
    "leadflow_dev": PROJECT_ROOT / "dev" / "leadflow_dev",
}


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages."""
    modules = {}
    for package, root in PACKAGE_ROOTS.items():
        for path in sorted(root.rglob("*.py")):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that the module ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the module pkg.sub when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imported_modules(name, path, known) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_sees_the_packages_and_their_imports():
    graph = import_graph()
    assert "pipelines.cli.common" in graph["pipelines.cli.run"]
    assert "models_ml.features" in graph["pipelines.cli.model"]  # an import inside a function
    assert "leadflow_dev.generator.core" in graph["leadflow_dev.generator.people"]  # relative


def test_find_cycle_reports_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("package", ["pipelines", "models_ml"])
def test_only_leadflow_generate_imports_the_dev_package(package):
    importers = {name for name, targets in import_graph().items()
                 if name.split(".")[0] == package
                 and any(t.split(".")[0] == "leadflow_dev" for t in targets)}
    # the `leadflow generate` command imports the generator inside its function, and says in
    # one line how to install it when the dev group is not installed
    assert importers == ({"pipelines.cli.generate"} if package == "pipelines" else set())


def test_the_dev_package_does_not_import_the_tests():
    dev_modules = {n: p for n, p in module_files().items() if n.startswith("leadflow_dev.")}
    assert "leadflow_dev.generator.business" in dev_modules
    offenders = {}
    for name, path in dev_modules.items():
        tree = ast.parse(path.read_text())
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module and not n.level]
        if hits := [m for m in imported if m.split(".")[0] == "tests"]:
            offenders[name] = hits
    assert offenders == {}
