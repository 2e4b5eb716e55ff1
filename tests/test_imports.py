"""app/ has no import cycle between its modules, not even through an import inside a
function. The layers are import-linter's contracts in pyproject.toml (`make lint`)."""

from __future__ import annotations

import grimp


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("app")
    # Each import that lies on a cycle, with the way back from what it imports.
    cycles = [
        [importer, *graph.find_shortest_chain(importer=imported, imported=importer)]
        for importer in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(importer))
        if graph.chain_exists(importer=imported, imported=importer)
    ]
    assert cycles == []
