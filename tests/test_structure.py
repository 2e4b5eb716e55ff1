"""Holds the routes to one way of saying "saved" and "no" (issue 15, points 1 and 2):

- a routes file (routes.py or *_routes.py under app/) neither commits nor rolls back the
  session itself: app/saving.py does, for every route;
- no route catches a DomainError (or one of its kinds) to answer it: app/saving.py shows
  a refused save with its form, and the one handler in app/main.py answers the rest;
- no file in app/ is longer than 500 lines, except pure data (DATA_FILES).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import errors
from app.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
MAX_LINES = 500
# Pure data, held to no length: the import's fields and the words that name them.
DATA_FILES = frozenset({"imports/field_data.py"})

# Every DomainError there is: catching any of them in a route is answering it there.
DOMAIN_ERRORS = frozenset(
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
)
SESSION_CALLS = frozenset({"commit", "rollback"})


def routes_files() -> list[Path]:
    return sorted(
        path
        for path in APP.rglob("*.py")
        if path.name == "routes.py" or path.name.endswith("_routes.py")
    )


def _names(node: ast.expr | None) -> set[str]:
    """The class names an `except` clause catches."""
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(item) for item in node.elts))
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.Name):
        return {node.id}
    return set()


def violations(source: str) -> list[tuple[int, str, str]]:
    """(line, function, what) for each commit, rollback or caught DomainError."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name if function == "<module>" else function
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append((node.lineno, function, f"session.{node.func.attr}()"))
        if isinstance(node, ast.ExceptHandler):
            for name in sorted(_names(node.type) & DOMAIN_ERRORS):
                found.append((node.lineno, function, f"except {name}"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def test_the_rule_sees_what_it_forbids() -> None:
    source = (
        "def route(session):\n"
        "    try:\n"
        "        change()\n"
        "    except (KeyError, errors.NotFound):\n"
        "        session.rollback()\n"
        "    session.commit()\n"
    )
    assert violations(source) == [
        (4, "route", "except NotFound"),
        (5, "route", "session.rollback()"),
        (6, "route", "session.commit()"),
    ]


@pytest.mark.parametrize("path", routes_files(), ids=lambda path: str(path.relative_to(APP)))
def test_routes_leave_saving_and_refusing_to_one_place(path: Path) -> None:
    relative = str(path.relative_to(PROJECT_ROOT))
    found = [
        f"{relative}:{line} {function}: {what}"
        for line, function, what in violations(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "save with app/saving.py (saved, attempt) and let DomainErrors go on to the "
        "handler in app/main.py:\n" + "\n".join(found)
    )


def code_files() -> list[Path]:
    return sorted(
        path for path in APP.rglob("*.py") if str(path.relative_to(APP)) not in DATA_FILES
    )


def test_data_files_exist() -> None:
    assert all((APP / name).is_file() for name in DATA_FILES)


@pytest.mark.parametrize("path", code_files(), ids=lambda path: str(path.relative_to(APP)))
def test_files_keep_to_one_concern_and_stay_short(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it by concern (docs/ARCHITECTURE.md)"
