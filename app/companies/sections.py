"""The sections other features add to the company page (the job tracks a company takes
part in): the company page renders them without knowing the features above it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session


@dataclass(frozen=True)
class Section:
    """A part of the company page that another feature owns: its template, included after
    the company's own sections with the page's context, and what it adds to that context
    for one company."""

    template: str
    context: Callable[[int, Session], Mapping[str, object]]


# By template, in the order the features add them.
_sections: dict[str, Section] = {}


def add_section(section: Section) -> None:
    _sections[section.template] = section


def page_context(company_id: int, *, session: Session) -> dict[str, object]:
    """What the added sections show of this company, and their templates in order."""
    context: dict[str, object] = {"company_sections": list(_sections)}
    for section in _sections.values():
        context.update(section.context(company_id, session))
    return context
