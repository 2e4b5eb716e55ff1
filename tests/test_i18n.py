"""The English catalogue covers every marked text, and a user who chooses English gets it.

The extraction here is the one `make messages` runs: the method map comes from babel.cfg,
the keywords and ignored directories from the Makefile's `pybabel extract` line.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from fnmatch import fnmatch
from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlmodel import Session

from app.clock import SettableClock
from app.config import PROJECT_ROOT
from app.i18n import TRANSLATIONS_DIR
from tests.conftest import Client
from tests.factories import PASSWORD, make_user

BABEL_CFG = PROJECT_ROOT / "babel.cfg"
MAKEFILE = PROJECT_ROOT / "Makefile"
EN_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
HOW_TO_FIX = f"run `make messages` and translate them in {EN_PO.relative_to(PROJECT_ROOT)}"

# A named placeholder with its conversion: %(name)s, %(count)d, %(share).1f ...
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

Key = tuple[str, str | None]  # (msgid, msgctxt); a plural is keyed by its singular


def _extract_command() -> list[str]:
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        if "pybabel extract" in line:
            return shlex.split(line)
    raise AssertionError("the Makefile has no `pybabel extract` line (target `messages`)")


def _option_values(command: list[str], *names: str) -> list[str]:
    values = []
    for index, arg in enumerate(command):
        for name in names:
            if arg == name:
                values.append(command[index + 1])
            elif name.startswith("--") and arg.startswith(name + "="):
                values.append(arg.removeprefix(name + "="))
    return values


@cache
def extracted() -> dict[Key, tuple[tuple[str, ...], list[str]]]:
    """Every marked text in the source: (msgid, context) -> (all msgid forms, locations)."""
    command = _extract_command()
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(_option_values(command, "-k", "--keyword"))}
    ignored = [
        pattern for value in _option_values(command, "--ignore-dirs") for pattern in value.split()
    ]
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))

    def directory_filter(path: str) -> bool:  # what pybabel does with --ignore-dirs
        return not any(fnmatch(os.path.basename(path), pattern) for pattern in ignored)

    found: dict[Key, tuple[tuple[str, ...], list[str]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        PROJECT_ROOT,
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=directory_filter,
    ):
        forms = message if isinstance(message, tuple) else (message,)
        key = (forms[0], context)
        found.setdefault(key, (forms, []))[1].append(f"{filename}:{lineno}")
    return found


@cache
def english() -> Catalog:
    with EN_PO.open("rb") as f:
        return read_po(f, locale="en")


def _translated_pairs(catalog: Catalog) -> Iterator[tuple[str, str, str]]:
    """(msgid as shown, source form, translation) for each form of each translation."""
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, string in enumerate(strings):
            if string:
                yield ids[0], ids[min(index, len(ids) - 1)], string


def test_the_extraction_finds_texts_of_every_kind() -> None:
    """Guards the test below: an extraction that found nothing would pass it."""
    found = {msgid for msgid, _context in extracted()}
    assert "Mitt konto" in found  # _() in a template
    assert "Jobbmäklare" in found  # N_()
    assert "Du är utloggad." in found  # translate(request, ...)
    assert "Välj ett språk." in found  # ValidationFailed(...)
    assert "Användarnamnet är redan taget." in found  # Conflict(...)
    assert "Användaren finns inte." in found  # NotFound(...)
    sources = {
        location.split("/")[0]
        for _forms, locations in extracted().values()
        for location in locations
    }
    assert sources == {"app", "templates"}  # not tests/, node_modules/ or .venv/


def test_every_marked_text_has_an_english_translation() -> None:
    catalog = english()
    missing = []
    for (msgid, context), (forms, locations) in extracted().items():
        message = catalog.get(msgid, context)
        strings = () if message is None else message.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        plural_mismatch = message is not None and (len(forms) > 1) != isinstance(message.id, tuple)
        if message is None or plural_mismatch or not all(strings):
            missing.append(f"  {locations[0]}: {' | '.join(forms)!r}")
    assert not missing, (
        f"{len(missing)} text(s) without an English translation; {HOW_TO_FIX}:\n"
        + "\n".join(sorted(missing))
    )


def test_no_translation_is_fuzzy() -> None:
    fuzzy = [f"  {message.id!r}" for message in english() if message.id and message.fuzzy]
    assert not fuzzy, "Fuzzy translations (check them, then remove the `#, fuzzy` line):\n" + (
        "\n".join(fuzzy)
    )


def test_translations_keep_the_placeholders() -> None:
    wrong = [
        f"  {msgid!r}: {sorted(PLACEHOLDER.findall(source))} != "
        f"{sorted(PLACEHOLDER.findall(string))} in {string!r}"
        for msgid, source, string in _translated_pairs(english())
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(string))
    ]
    assert not wrong, "Translations that change the %(...)s placeholders:\n" + "\n".join(wrong)


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match, "no <html lang> on the page"
    return match.group(1)


def test_the_ui_is_swedish_by_default(
    client: Client, session: Session, clock: SettableClock
) -> None:
    user = make_user(session, clock)
    login_page = client.get("/login")
    assert _lang(login_page.text) == "sv"
    assert "<h1>Logga in</h1>" in login_page.text

    client.login(user.username, PASSWORD)
    page = client.get("/account")

    assert page.status_code == 200
    assert _lang(page.text) == "sv"
    assert "<h1>Mitt konto</h1>" in page.text
    assert "Byt lösenord" in page.text
    assert "Jobbmäklare" in page.text
    assert "My account" not in page.text


def test_a_user_who_chooses_english_gets_the_english_ui(
    client: Client, session: Session, clock: SettableClock
) -> None:
    user = make_user(session, clock)
    client.login(user.username, PASSWORD)

    response = client.post_form("/account/locale", {"locale": "en"}, token_from="/account")
    assert response.status_code == 303
    page = client.get(response.headers["location"])

    assert page.status_code == 200
    assert _lang(page.text) == "en"
    assert "<h1>My account</h1>" in page.text
    assert "Change password" in page.text
    assert "Job broker" in page.text  # an N_() text shown through _()
    assert "The language has been changed." in page.text  # translate() for the flash
    assert "Log out" in page.text
    assert "Mitt konto" not in page.text
    assert "Byt lösenord" not in page.text

    # A domain error's message is translated where the form shows it.
    refused = client.post_form(
        "/account/password",
        {"current_password": "fel", "password": "a" * 12, "password_confirm": "a" * 12},
        token_from="/account",
    )
    assert refused.status_code == 422
    assert "The current password is incorrect." in refused.text

    # So is an error page (a broker may not manage users).
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    assert _lang(refused.text) == "en"
    assert "<h1>Access denied</h1>" in refused.text
