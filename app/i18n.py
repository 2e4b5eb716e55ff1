"""Translations: Swedish is the source language, English comes from a gettext catalogue.

msgids are the Swedish texts themselves, so a missing English translation falls back to
Swedish instead of showing a key. Catalogues are compiled in memory at start-up.
"""

from __future__ import annotations

import contextvars
import gettext as gettext_module
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "app" / "translations"
SOURCE_LOCALE = "sv"
SUPPORTED_LOCALES = ("sv", "en")

_SOURCE = gettext_module.NullTranslations()
# The locale of the page being rendered (None outside a render: the source language).
_active: contextvars.ContextVar[str | None] = contextvars.ContextVar("locale", default=None)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    po_path = Path(TRANSLATIONS_DIR, locale, "LC_MESSAGES", "messages.po")
    if locale == SOURCE_LOCALE or not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def activate(locale: str) -> contextvars.Token[str | None]:
    return _active.set(locale if locale in SUPPORTED_LOCALES else SOURCE_LOCALE)


def deactivate(token: contextvars.Token[str | None]) -> None:
    _active.reset(token)


def active_locale() -> str:
    """The locale of the page being rendered; the source language outside a render."""
    return _active.get() or SOURCE_LOCALE


def _catalogue() -> gettext_module.NullTranslations:
    locale = _active.get()
    return translations(locale) if locale else _SOURCE


def gettext(message: str, **variables: object) -> str:
    text = _catalogue().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = _catalogue().ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def ngettext_for_templates(singular: str, plural: str, n: int) -> str:
    """The translation alone: Jinja's i18n fills in its placeholders itself, with `num` as
    the template gives it (a formatted "1 234") or else the number."""
    return _catalogue().ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Marks a text for extraction; it is translated where it is shown."""
    return message


class LazyText:
    """A msgid used as the value of another message's placeholder (the name of the field
    a message is about): translated when, and into the language that, the message is."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __str__(self) -> str:
        return _catalogue().gettext(self.msgid)

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyText) and other.msgid == self.msgid

    def __hash__(self) -> int:
        return hash(self.msgid)


def translate(locale: str, message: str, **variables: object) -> str:
    """Translate outside a render, e.g. a flash message set before a redirect."""
    catalogue = translations(locale)
    text = catalogue.gettext(message)
    if not variables:
        return text
    return text % {
        name: catalogue.gettext(value.msgid) if isinstance(value, LazyText) else value
        for name, value in variables.items()
    }
