"""The Jinja environment and render(): one template answers as a page or as one block.

A block is rendered alone only for an htmx request that is neither boosted nor a history
restore; every answer says `Vary: HX-Request` so caches keep the two apart.

What every page needs from a feature (auth: the signed-in user, the CSRF token, the role
labels, may_open) the feature registers here: register_globals() and
register_request_value().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2_fragments import render_block

from app import dates, flash, i18n
from app.clock import to_local
from app.config import PROJECT_ROOT
from app.errors import DatabaseBusy
from app.history.labels import ACTION_LABELS, FIELD_LABELS, display_value
from app.text import grouped

TEMPLATES_DIR = PROJECT_ROOT / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    # Templates are read once: checking every template file's time on each render was a
    # system call per template and include on every page (restart to see an edit).
    auto_reload=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Added to the environment by the i18n extension, which its stubs do not know.
env.install_gettext_callables(i18n.gettext, i18n.ngettext_for_templates, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n


def _local_datetime(value: dt.datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _local_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return value.isoformat()


def weekday_date(value: dt.date, locale: str) -> str:
    """A day as a person says it: "tis 3 mars" in Swedish, "Tue 3 March" in English
    (the month in full: an abbreviation's dot would end a sentence twice)."""
    return format_date(value, "EEE d MMMM", locale=locale)


@pass_context
def _weekday_date(context: Mapping[str, Any], value: dt.date) -> str:
    return weekday_date(value, context["locale"])


def _number(value: int | None) -> str:
    return "" if value is None else grouped(value)


env.filters["number"] = _number
env.filters["local_datetime"] = _local_datetime
env.filters["local_date"] = _local_date
env.filters["weekday_date"] = _weekday_date
env.globals["FIELD_LABELS"] = FIELD_LABELS
env.globals["ACTION_LABELS"] = ACTION_LABELS
env.globals["display_value"] = display_value
# N_() marks a msgid a template passes on untranslated: a date field's name, which its
# refusals show in the language they are shown in.
env.globals["N_"] = i18n.N_
env.globals["date_reading"] = dates.reading
env.globals["date_understood"] = dates.understood
# Blocks rendered alone do not run a template's imports, so the form macros are globals.
# Their module reads env.globals itself, not a copy, so it sees the globals that features
# register after this (the CSRF field's name).
_forms = env.get_template("_shared/forms.html").make_module(vars=env.globals, shared=True)
env.globals.update(
    {
        name: getattr(_forms, name)
        for name in (
            "csrf_field",
            "field",
            "date_input",
            "date_field",
            "form_error",
            "invalid_attrs",
            "field_error",
        )
    }
)


def _translated(labels: Mapping[Any, str]) -> dict[Any, str]:
    """A label table translated once per render, for loops that would otherwise call _()
    for the same few labels on every row."""
    return {key: i18n.gettext(label) for key, label in labels.items()}


env.globals["translated"] = _translated


def register_globals(**values: Any) -> None:
    """Names every template may use (a feature's label table, a helper)."""
    env.globals.update(values)


# {name: how to compute it from the request}, for values that differ per request.
_request_values: dict[str, Callable[[Request], Any]] = {}


def register_request_value(name: str, value: Callable[[Request], Any]) -> None:
    """A value every page gets, computed from the request it answers (e.g. the user)."""
    _request_values[name] = value


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def locale_of(request: Request) -> str:
    return getattr(request.state, "locale", None) or i18n.SOURCE_LOCALE


def _base_context(request: Request) -> dict[str, Any]:
    now = request.app.state.clock.now()
    return {
        "request": request,
        "locale": locale_of(request),
        # The instant and the Stockholm date a date field's "i morgon" or "1/12 9" is read at.
        "now": now,
        "today": to_local(now).date(),
        "flash_messages": flash.pending(request),
        **{name: value(request) for name, value in _request_values.items()},
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    full_context = {**_base_context(request), **(context or {})}
    token = i18n.activate(full_context["locale"])
    try:
        if block and is_fragment_request(request):
            html = render_block(env, template, block, full_context)
        else:
            html = env.get_template(template).render(full_context)
    finally:
        i18n.deactivate(token)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Vary"] = "HX-Request"
    if status_code == DatabaseBusy.http_status:  # a form shown again: busy, try again soon
        response.headers.setdefault("Retry-After", str(DatabaseBusy.retry_after_seconds))
    # Only an answer that shows the flash area consumes the messages (not a small fragment).
    if full_context["flash_messages"] and 'id="flash"' in html:
        flash.consume(request, response)
    return response


def see_other(request: Request, url: str) -> Response:
    """After a successful POST: a 303 for a plain form, HX-Redirect for htmx."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url, "Vary": "HX-Request"})
    return RedirectResponse(url, status_code=303, headers={"Vary": "HX-Request"})


def translate(request: Request, message: str, **variables: object) -> str:
    return i18n.translate(locale_of(request), message, **variables)
