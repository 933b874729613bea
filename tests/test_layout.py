"""Is the code laid out as the design says: no import cycles, and the reference apart?

Imports are read from the source (module level and inside functions alike), so a cycle
hidden in a function-level import counts too. ``solutions`` (the reference, instructor
side) must not import ``autograder``, except the readers of the course's shipped data
(``DATA_READERS``: the text corpus and the CO2 record live in ``autograder/data`` because
students get them with the package), which import nothing of the grader; ``autograder``
may import ``solutions`` only inside functions (the instructor side of grading), never
when a module is imported.
"""
import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("autograder", "solutions")
DATA_READERS = ("autograder.corpus", "autograder.datasets")


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))
            if "__pycache__" not in p.parts}


def _imports(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(imported project module, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []

    def add(name, top):
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != here:
            out.append((name, top))

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name, top)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - child.level + 1] + ([base] if base else []))
                for alias in child.names:
                    add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base, top)
            visit(child, inner)

    visit(tree, True)
    return out


@pytest.fixture(scope="module")
def graph():
    mods = _modules()
    return {m: _imports(p, set(mods)) for m, p in mods.items()}


def test_the_graph_sees_the_known_imports(graph):
    """The reader works: the batch grader imports the wire protocol, the worker the spec."""
    assert ("autograder.wire", True) in graph["autograder.supervisor"]
    assert ("autograder.spec", False) in graph["autograder.worker"] or ("autograder.spec", True) in graph["autograder.worker"]
    assert any(m == "solutions.variants" for m, _ in graph["autograder.checks"])


def test_the_reference_does_not_import_the_grader(graph):
    bad = [(m, dep) for m, deps in graph.items() if m.startswith("solutions") for dep, _ in deps
           if dep.startswith("autograder") and dep not in DATA_READERS]
    assert not bad, bad


def test_the_data_readers_the_reference_may_use_import_nothing_of_the_grader(graph):
    for reader in DATA_READERS:
        assert reader in graph, f"{reader} is gone: update DATA_READERS"
        bad = [dep for dep, _ in graph[reader] if dep.startswith(("autograder", "solutions")) and dep != reader]
        assert not bad, (reader, bad)


def test_the_grader_imports_the_reference_only_inside_functions(graph):
    bad = [(m, dep) for m, deps in graph.items() if m.startswith("autograder") for dep, top in deps
           if dep.startswith("solutions") and top]
    assert not bad, bad


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first search meets, as the list of modules around it."""
    state, stack, cycles = {}, [], []

    def dfs(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(edges.get(m, ())):
            if state.get(d) == "open":
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                dfs(d)
        stack.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            dfs(m)
    return cycles


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle(graph):
    def parent_packages(m):
        parts = m.split(".")
        return {".".join(parts[:k]) for k in range(1, len(parts))}

    edges = {m: {d for d, _ in deps if d not in parent_packages(m)} for m, deps in graph.items()}
    cycles = find_cycles(edges)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
