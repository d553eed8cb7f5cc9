"""Imports flow down: the contract of booker's layers, read from the source with ``ast``.

Every ``import`` counts, at module level or inside a function (the CLI imports lazily).
Importing ``booker.a.b`` also runs ``booker/a/__init__.py``; such implicit parent imports
are not edges. How to check by hand: ``python -m pytest tests/test_import_contract.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "booker"

Graph = Mapping[str, frozenset[str]]

# Module cycles that exist today (none): each entry a sorted tuple of the modules of one cycle.
KNOWN_CYCLES: frozenset[tuple[str, ...]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path = PACKAGE) -> dict[str, frozenset[str]]:
    """Each module of ``package`` and the modules of booker it imports."""
    files = {module_name(path): path for path in package.rglob("*.py")}
    graph: dict[str, frozenset[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, name, is_package)
                for alias in node.names:  # `from booker.engine import events`: a module
                    full = f"{base}.{alias.name}"
                    imported.add(full if full in files else base)
        graph[name] = frozenset(m for m in imported if m.split(".")[0] == "booker" and m != name)
    return graph


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, node.module] if node.module else anchor)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def crossings(graph: Graph, source: str, target: str, allowed: Iterable[str] = ()) -> set[str]:
    """``importer -> imported`` lines where ``source`` imports ``target``, but for ``allowed``."""
    allowed = frozenset(allowed)
    return {
        f"{importer} -> {imported}"
        for importer, targets in graph.items()
        if within(importer, source)
        for imported in targets
        if within(imported, target) and imported not in allowed
    }


def cycles(graph: Graph) -> set[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.add(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_every_kind_of_import() -> None:
    """Module level, lazy (in a function), ``from package import module``: all are edges."""
    graph = import_graph()
    assert "booker.providers.resy" in graph["booker.providers.resy_flow"]  # from pkg import mod
    assert "booker.sim" in graph["booker.cli.sim"]  # imported inside the command
    assert "booker.net.http" in graph["booker.engine.worker"]


def test_providers_do_not_import_the_engine() -> None:
    """They speak with it through ``booker.core.ports`` (events, claim, ``WorkerIO``) only."""
    assert crossings(import_graph(), "booker.providers", "booker.engine") == set()


def test_the_engine_does_not_import_the_providers() -> None:
    """It runs any provider's job through ``booker.core.ports`` (``Job``, ``Flow``)."""
    assert crossings(import_graph(), "booker.engine", "booker.providers") == set()


def test_the_shared_vocabulary_imports_neither_side() -> None:
    graph = import_graph()
    sides = ("booker.engine", "booker.providers", "booker.cli")
    assert {
        m for m in graph["booker.core.ports"] if any(within(m, side) for side in sides)
    } == set()


def test_the_one_shot_error_boundary_names_no_provider() -> None:
    """``booker.oneshot.errors`` turns any provider's answer into an error: the provider hands
    its own reading (a verdict, a refusal reader); only the shared ``providers.common`` is
    imported."""
    assert (
        crossings(
            import_graph(), "booker.oneshot.errors", "booker.providers", {"booker.providers.common"}
        )
        == set()
    )


def test_the_engine_finds_facts_and_the_output_words_them() -> None:
    """The engine hands over an ``Outcome`` (``core.results``) and calls on its reporter; it
    writes no sentence. The report reads values, never the engine; ``wording`` says them
    from plain values only."""
    graph = import_graph()
    assert crossings(graph, "booker.engine", "booker.output") == set()
    assert crossings(graph, "booker.output", "booker.engine") == set()
    assert {floor(m) for m in graph["booker.output.wording"]} <= {"booker.core"}


# The floors of booker, top to bottom: each package and the packages it may import.
# A newcomer reads the architecture here and in docs/ARCHITECTURE.md.
LAYERS: Mapping[str, frozenset[str]] = {
    "booker.__main__": frozenset({"booker.cli"}),
    "booker.cli": frozenset(
        {
            "booker.oneshot",
            "booker.providers",
            "booker.engine",
            "booker.output",
            "booker.timing",
            "booker.store",
            "booker.net",
            "booker.core",
            "booker.sim",
        }
    ),
    "booker.oneshot": frozenset(
        {"booker.providers", "booker.engine", "booker.net", "booker.store", "booker.core"}
    ),
    "booker.providers": frozenset({"booker.store", "booker.timing", "booker.core"}),
    "booker.engine": frozenset({"booker.net", "booker.core"}),
    "booker.output": frozenset({"booker.store", "booker.core"}),
    "booker.timing": frozenset({"booker.store", "booker.core"}),
    "booker.net": frozenset({"booker.core"}),
    "booker.store": frozenset({"booker.core"}),
    "booker.core": frozenset(),
    "booker.sim": frozenset(),
}


def floor(module: str) -> str:
    """The top-floor package a module lives in (``booker.core.model`` -> ``booker.core``)."""
    return ".".join(module.split(".")[:2])


def floor_crossings(graph: Graph, layers: Mapping[str, frozenset[str]] = LAYERS) -> set[str]:
    """``importer -> imported`` lines that leave a floor for one it may not import."""
    return {
        f"{importer} -> {imported}"
        for importer, targets in graph.items()
        for imported in targets
        if floor(importer) != floor(imported)
        and floor(imported) not in layers.get(floor(importer), frozenset())
    }


def test_every_module_lives_on_a_known_floor() -> None:
    """The top floor of booker is its packages and ``__main__``: no loose module."""
    floors = {floor(name) for name in import_graph()} - {"booker"}
    assert floors == set(LAYERS)


def loose_modules(package: Path = PACKAGE) -> set[str]:
    """What ``package``'s top floor holds besides packages, ``__init__.py`` and ``__main__.py``."""
    return {
        path.name
        for path in package.iterdir()
        if path.name not in {"__init__.py", "__main__.py", "__pycache__"}
        and not (path.is_dir() and (path / "__init__.py").is_file())
        and (path.is_dir() or path.suffix == ".py")
    }


def test_the_top_floor_holds_packages_only() -> None:
    """``booker/`` holds packages, ``__init__.py`` and ``__main__.py``: every module has a floor."""
    assert loose_modules() == set()


def test_imports_flow_down_the_floors() -> None:
    assert floor_crossings(import_graph()) == set()


def test_the_floors_themselves_have_no_cycle() -> None:
    """Read as a graph of packages, the floors import one another without a cycle."""
    packages: dict[str, set[str]] = {}
    for importer, targets in import_graph().items():
        packages.setdefault(floor(importer), set()).update(
            floor(t) for t in targets if floor(t) != floor(importer)
        )
    assert cycles({name: frozenset(v) for name, v in packages.items()}) == set()


def test_the_engine_does_not_import_the_command_line() -> None:
    assert crossings(import_graph(), "booker.engine", "booker.cli") == set()


def test_the_simulator_imports_nothing_of_the_rest_of_booker() -> None:
    """It stands for the services: it must not share booker's own reading of them."""
    graph = import_graph()
    outside = {
        f"{importer} -> {imported}"
        for importer, targets in graph.items()
        if within(importer, "booker.sim")
        for imported in targets
        if not within(imported, "booker.sim")
    }
    assert outside == set()


def test_booker_modules_import_one_another_without_cycles() -> None:
    assert cycles(import_graph()) - KNOWN_CYCLES == set()


def test_the_checks_catch_what_they_are_for() -> None:
    """A new upward import and a new cycle, in a made-up graph, are found."""
    graph = {
        "booker.providers.new": frozenset({"booker.engine.shared", "booker.core.ports"}),
        "booker.engine.worker": frozenset({"booker.cli.book", "booker.providers.base"}),
        "booker.cli.book": frozenset({"booker.engine.worker"}),
        "booker.engine.shared": frozenset({"booker.core.ports"}),
        "booker.providers.base": frozenset({"booker.core.ports"}),
        "booker.core.ports": frozenset(),
    }
    assert crossings(graph, "booker.providers", "booker.engine") == {
        "booker.providers.new -> booker.engine.shared"
    }
    assert crossings(graph, "booker.engine", "booker.providers") == {
        "booker.engine.worker -> booker.providers.base"
    }
    assert crossings(graph, "booker.engine", "booker.cli") == {
        "booker.engine.worker -> booker.cli.book"
    }
    assert cycles(graph) == {("booker.cli.book", "booker.engine.worker")}
    assert floor_crossings(graph) == {
        "booker.providers.new -> booker.engine.shared",
        "booker.engine.worker -> booker.providers.base",
        "booker.engine.worker -> booker.cli.book",
    }


def test_each_floor_lists_its_modules() -> None:
    """Each package's docstring is its index: every module of it is named there, one per line."""
    unlisted = {}
    for package in sorted(LAYERS):
        folder = PACKAGE.parent.joinpath(*package.split("."))
        if package in {"booker.cli", "booker.sim"} or not folder.is_dir():
            continue  # cli: one module per command, registered in its __init__; sim: its own world
        tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        listed = {line.split()[0] for line in (doc or "").splitlines()[1:] if line.strip()}
        modules = {path.stem for path in folder.glob("*.py")} - {"__init__", "__main__"}
        if modules - listed:
            unlisted[package] = sorted(modules - listed)
    assert unlisted == {}


PROVIDER_WORDS = ("resy", "cart")  # every provider booker has; a new one adds its name


def provider_identifiers(package: Path) -> set[str]:
    """``core/model.py: name`` for each name a module of ``package`` defines or takes (classes,
    functions, their arguments, fields, variables, attributes set) that names a provider."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
        found |= {
            f"{package.name}/{path.relative_to(package)}: {name}"
            for name in names
            if any(word in name.lower() for word in PROVIDER_WORDS)
        }
    return found


def test_the_core_names_no_provider() -> None:
    """Targets, ranking and tokens of one provider live in that provider (``ResyTarget``,
    ``rank_slots`` in ``providers/resy_target.py``); the core's values are generic."""
    assert provider_identifiers(PACKAGE / "core") == set()


def test_the_store_holds_no_provider_credential_names() -> None:
    """Each provider declares its names; the store is handed them (``known=``)."""
    from booker.providers.credentials import CREDENTIAL_NAMES

    literals = {
        f"{module_name(path)}: {node.value}"
        for path in (PACKAGE / "store").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(name in node.value for name in CREDENTIAL_NAMES)
    }
    assert literals == set()


def test_the_store_names_no_provider() -> None:
    """The journal keeps whatever provider a run names; which providers exist is the
    providers' registry (``providers/credentials.PROVIDERS``), not the store's."""
    from booker.providers.credentials import PROVIDERS

    literals = {
        f"{module_name(path)}: {node.value}"
        for path in (PACKAGE / "store").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if isinstance(node, ast.Constant) and node.value in PROVIDERS
    }
    assert literals == set()


def test_credential_names_are_spelled_by_their_provider_only() -> None:
    """Outside ``providers/`` (and the simulator) a credential is looked up by its provider's
    constant (``resy.AUTH_TOKEN``), never a literal ``"RESY_AUTH_TOKEN"``; messages and help
    text that mention a name are words, not look-ups, and are left alone."""
    from booker.providers.credentials import CREDENTIAL_NAMES

    literals = {
        f"{module_name(path)}: {node.value}"
        for path in PACKAGE.rglob("*.py")
        if not within(module_name(path), "booker.providers")
        and not within(module_name(path), "booker.sim")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if isinstance(node, ast.Constant) and node.value in CREDENTIAL_NAMES
    }
    assert literals == set()


def test_provider_identifiers_finds_what_it_is_for(tmp_path: Path) -> None:
    """A provider's class, field or argument in a made-up core module is found."""
    core = tmp_path / "booker" / "core"
    core.mkdir(parents=True)
    (core / "model.py").write_text(
        "class ResyTarget: ...\n"
        "class Booked:\n    resy_token: str = ''\n"
        "def same_as(cart_item: str, slot: str) -> None: ...\n",
        encoding="utf-8",
    )
    assert provider_identifiers(core) == {
        "core/model.py: ResyTarget",
        "core/model.py: resy_token",
        "core/model.py: cart_item",
    }
