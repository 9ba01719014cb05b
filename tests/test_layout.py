"""The code's shape: small modules and no import cycles (the layers themselves are checked
by import-linter's contract in pyproject.toml, run by `make lint`)."""

from __future__ import annotations

from pathlib import Path

import grimp

import mapserver

PACKAGE = Path(mapserver.__file__).parent
MAX_LINES = 500


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import one another, directly or not (Tarjan's SCCs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_cycles_finds_a_cycle_and_nothing_else():
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c", "d"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_imports_itself_through_others():
    assert cycles(grimp.build_graph("mapserver")) == []


def test_no_module_is_over_500_lines():
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
    assert len(sizes) > 50  # (the walk found the package)


def test_both_data_sets_show_the_declared_interface(tiny):
    from mapserver.figures.indicator_dataset import IndicatorDataset
    from mapserver.figures.protocol import Figures

    assert isinstance(tiny, Figures)
    assert tiny.indicator is None
    fields = {"version", "vintage", "lag_days", "settings"}  # an instance's, not its class's
    declared = {name for name in dir(Figures) if not name.startswith("_")} - fields
    assert {"indicator", "figures", "parse_week", "history", "at"} <= declared
    assert {name for name in declared if not hasattr(IndicatorDataset, name)} == set()


def test_the_readme_layout_names_every_folder_in_the_layers_order():
    import tomllib

    readme = (PACKAGE.parent / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    listed = [line.split()[0] for line in layout.splitlines() if line.startswith("mapserver/")]
    folders = {
        f"mapserver/{path.name}/"
        for path in PACKAGE.iterdir()
        if path.is_dir() and (path / "__init__.py").is_file()
    }
    assert set(listed) == folders
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    (contract,) = pyproject["tool"]["importlinter"]["contracts"]
    # The contract lists the layers from the top; the README from the bottom, as data flows.
    layers = [name.replace(".", "/") for name in contract["layers"]]
    assert [name.rstrip("/") for name in reversed(listed)] == layers
