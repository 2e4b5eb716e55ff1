"""The SQL statements a piece of code runs: to show that a page's cost stays constant as the
data grows (no N+1), and which statements an export or a search sends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def recorded(engine: Engine) -> Iterator[list[str]]:
    """The statements run on the engine inside the block, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def with_parameters(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """recorded(), each statement with its parameters (to ask it again under EXPLAIN)."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count(engine: Engine, action: Callable[[], object]) -> int:
    """How many statements the action runs."""
    with recorded(engine) as seen:
        action()
    return len(seen)
