"""app/saving.py and the one DomainError handler of app/main.py, on routes of their own:
a refusal shown with its form, one passed on to its status page, and "saved" as a
redirect with its notice or, for htmx, a fragment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session

from app import saving
from app.errors import Conflict, DomainError, NotFound
from app.flash import COOKIE
from tests.conftest import Client

HTMX = {"HX-Request": "true"}


def _route(app: FastAPI, path: str, endpoint: Callable[[], Response]) -> None:
    """A GET route ahead of the app's fallback (which answers every other path)."""
    app.add_api_route(path, endpoint, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())


@pytest.fixture
def routes(app: FastAPI, session: Session) -> FastAPI:
    def refuse(error: DomainError) -> Response | None:
        if isinstance(error, NotFound):
            return None  # not this form's: the 404 page
        return PlainTextResponse(f"form again: {error.message}", status_code=error.http_status)

    def conflict() -> Response:
        raise Conflict(
            "Någon annan har redan ändrat träffens status till %(status)s.",
            variables={"status": "Genomförd"},
        )

    def refused_in_form() -> Response:
        with saving.attempt(session, refused=refuse):
            raise Conflict("Träffen är ändrad.")
        return PlainTextResponse("not reached")

    def passed_on() -> Response:
        with saving.attempt(session, refused=refuse):
            raise NotFound("Sidan finns inte")
        return PlainTextResponse("not reached")

    def saved(request: Request) -> Response:
        return saving.saved(
            request,
            session,
            "/done",
            "%(name)s är tillagd.",
            fragment=lambda notice: PlainTextResponse(f"fragment: {notice}"),
            name="Åsa",
        )

    _route(app, "/t/conflict", conflict)
    _route(app, "/t/refused", refused_in_form)
    _route(app, "/t/passed-on", passed_on)
    _route(app, "/t/saved", saved)
    return app


def test_a_refusal_no_form_shows_is_its_status_page_with_the_reason(routes, client: Client):
    response = client.get("/t/conflict")
    assert response.status_code == 409
    assert "Någon annan har redan ändrat träffens status till Genomförd." in response.text


def test_a_refusal_is_shown_by_its_form(routes, client: Client):
    response = client.get("/t/refused")
    assert (response.status_code, response.text) == (409, "form again: Träffen är ändrad.")


def test_a_refusal_the_form_passes_on_is_the_404_page(routes, client: Client):
    response = client.get("/t/passed-on")
    assert response.status_code == 404
    assert "Sidan eller uppgiften du letar efter finns inte." in response.text


def test_saved_goes_on_with_its_notice_or_answers_htmx_with_the_fragment(routes, client: Client):
    response = client.get("/t/saved")
    assert (response.status_code, response.headers["location"]) == (303, "/done")
    assert COOKIE in response.cookies
    response = client.get("/t/saved", headers=HTMX)
    assert (response.status_code, response.text) == (200, "fragment: Åsa är tillagd.")
