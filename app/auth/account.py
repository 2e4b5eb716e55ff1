"""The account page's context, and the sections other features add to the page (the
events' calendar feed): auth renders the page without knowing them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from app.auth.models import CSV_DELIMITERS, LOCALES, User


@dataclass(frozen=True)
class Section:
    """A part of the account page that another feature owns: its template, included at the
    end of the page with the page's context, and what it adds to that context."""

    template: str
    context: Callable[[User, Session], Mapping[str, object]]


# By template, in the order the features add them.
_sections: dict[str, Section] = {}


def add_section(section: Section) -> None:
    _sections[section.template] = section


def page_context(user: User, session: Session, **extra: object) -> dict[str, object]:
    """What templates/auth/account.html shows; extra adds or overrides (an error)."""
    context: dict[str, object] = {
        "user": user,
        "locales": LOCALES,
        "csv_delimiters": CSV_DELIMITERS,
        "password_error": None,
        "locale_error": None,
        "csv_delimiter_error": None,
        "account_sections": list(_sections),
    }
    for section in _sections.values():
        context.update(section.context(user, session))
    return {**context, **extra}
