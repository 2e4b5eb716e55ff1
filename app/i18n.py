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
_active: contextvars.ContextVar[gettext_module.NullTranslations | None] = contextvars.ContextVar(
    "translations", default=None
)


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


def activate(locale: str) -> contextvars.Token[gettext_module.NullTranslations | None]:
    return _active.set(translations(locale if locale in SUPPORTED_LOCALES else SOURCE_LOCALE))


def deactivate(token: contextvars.Token[gettext_module.NullTranslations | None]) -> None:
    _active.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = (_active.get() or _SOURCE).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = (_active.get() or _SOURCE).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Marks a text for extraction; it is translated where it is shown."""
    return message


def translate(locale: str, message: str, **variables: object) -> str:
    """Translate outside a render, e.g. a flash message set before a redirect."""
    text = translations(locale).gettext(message)
    return text % variables if variables else text
