"""The package's import graph: no cycles, and every stage imports only the stages below it.

Every import counts: module level, inside functions, under `if TYPE_CHECKING:`. A unit is a stage
(a subpackage of `toolkit`) or a module at the root of `toolkit`. ALLOWED below is the one written-down
graph (README, "Layout"); a new edge is a decision to make here, in review, not by accident.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from paths import ROOT

PACKAGE = ROOT / "toolkit"

_VALUES = {"errors", "models"}
# unit -> the units it may import. Bottom first; each line may only name lines above it.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "models": {"errors"},
    "text": _VALUES,  # the words of a text: sentences, similarity, centrality, tokens, safe rendering
    "report": {"models", "text"},  # the comparison report's values (text.safe renders them)
    "cite": _VALUES | {"text"},  # citation markers written and read in one place
    "ingest": _VALUES | {"text"},  # articles in: loading, cleaning, passages, near-duplicates
    "group": _VALUES | {"text", "ingest"},  # many articles -> events
    "chat": _VALUES | {"text"},  # the one seam to a chat model, model facts, cache, local server, Batch API
    "plan": _VALUES | {"text", "cite", "chat"},  # prompts, budgets, chunks
    "engines": _VALUES | {"text", "cite", "ingest", "chat", "plan"},  # draft a summary
    "check": _VALUES | {"report", "text", "cite", "ingest", "chat", "plan"},  # check citations, compare
    "view": _VALUES | {"report", "text", "cite", "check"},  # HTML, the widget, exports
    "briefing": _VALUES | {"report", "text", "cite", "view"},  # the Briefing value; explore() opens the view
    "pipeline": _VALUES
    | {"report", "text", "cite", "ingest", "chat", "plan", "engines", "check", "briefing"},
    "demo": _VALUES | {"ingest", "chat"},  # the example and the scripted endpoint for notebooks
    "batch": _VALUES
    | {"report", "text", "cite", "ingest", "group", "chat", "plan", "engines", "check", "view", "briefing"}
    | {"pipeline"},
    "cli": _VALUES
    | {"report", "text", "cite", "ingest", "group", "chat", "plan", "engines", "check", "view", "briefing"}
    | {"pipeline", "batch"},
    "__init__": _VALUES
    | {"report", "text", "cite", "ingest", "group", "chat", "plan", "engines", "check", "view", "briefing"}
    | {"pipeline", "batch", "demo"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every toolkit module `name` imports, anywhere in its body (functions, TYPE_CHECKING blocks)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            submodules = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in known]
            targets = submodules or [module]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def unit(module: str) -> str:
    """`toolkit.check.compare` -> `check`; `toolkit.briefing` -> `briefing`; `toolkit` -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(name, path, known) for name, path in found.items()}


def test_every_module_belongs_to_a_unit_of_the_allowed_graph() -> None:
    units = {unit(m) for m in modules()} - {"prompts"}
    assert units <= set(ALLOWED), f"add these to ALLOWED (and the README's Layout): {units - set(ALLOWED)}"


def test_the_allowed_graph_points_one_way() -> None:
    """Each unit names only units listed above it, so 'below' is well defined and has no cycle."""
    order = list(ALLOWED)
    for k, name in enumerate(order):
        assert ALLOWED[name] <= set(order[:k]), (name, ALLOWED[name] - set(order[:k]))


def test_each_stage_imports_only_what_the_graph_allows() -> None:
    bad = sorted(
        f"{a} -> {b}"
        for a, targets in graph().items()
        for b in targets
        if unit(a) != unit(b) and unit(b) not in ALLOWED.get(unit(a), set())
    )
    assert not bad, "imports against the layout (tests/test_layout.py ALLOWED):\n" + "\n".join(bad)


def test_no_import_cycles_among_modules() -> None:
    edges = graph()
    cycles = _cycles(edges)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    nodes = set(edges) | {b for bs in edges.values() for b in bs}
    succ: defaultdict[str, set[str]] = defaultdict(set, edges)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_statuses_are_listed_once() -> None:
    """`toolkit.models.STATUS_RANKS` is the one list; no module spells the list out again."""
    from toolkit.check import judge, verifier
    from toolkit.models import STATUS_RANKS, STATUSES, VERDICTS
    from toolkit.view import html_view

    assert verifier.STATUSES is STATUSES and judge.VERDICTS is VERDICTS
    assert set(html_view.STATUSES) == {*STATUSES, "unchecked"}  # the view's order, from the one list
    assert set(VERDICTS) < set(STATUSES) == set(STATUS_RANKS)
    again = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and all(isinstance(v, ast.Constant) for v in node.values):
                continue  # words per status (help texts): checked against the list below
            if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                words = {k.value for k in items if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                if {"supported", "unsupported", "contradicted"} <= words and name != "toolkit.models":
                    again.append(f"{name}:{node.lineno}")
    from toolkit.view import labels

    assert set(labels.STATUS_HELP) == set(labels.STATUSES)
    assert not again, f"statuses listed again (use toolkit.models.STATUSES / STATUS_RANK): {again}"


def test_old_flat_module_paths_still_import_the_moved_modules() -> None:
    """Scripts written against the flat layout (`from toolkit.passages import build_corpus`) keep
    working: each old path is the same module object as its new place, and importing one never
    replaces a public function of the same stem (`toolkit.verify`, `toolkit.plan`)."""
    import importlib

    import toolkit

    for old, new in toolkit._MOVED.items():
        assert importlib.import_module(f"toolkit.{old}") is importlib.import_module(f"toolkit.{new}")
    assert callable(toolkit.verify) and callable(toolkit.plan)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("toolkit.no_such_module")
