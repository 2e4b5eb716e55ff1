"""A save, said once: the verbs a route answers a change with.

    with saving.attempt(session, refused=lambda error: render(..., error=error, form=form)):
        company = companies.create(form, user=user, session=session, clock=clock)
    return saving.saved(request, session, f"/companies/{company.id}", N_("Sparat."))

- `attempt`: a DomainError raised in the block rolls the session back. `refused` turns it
  into the answer (the form again, with the error and what the user typed, its status
  from `error.http_status`); where `refused` answers None, or none is given, the error
  goes on to the one handler in app/main.py (the 403 and 404 pages, a busy save offered
  to send again).
- `saved`: commits, then sends the browser on (303, or HX-Redirect for htmx) with the
  notice as a flash message; with `fragment`, an htmx request gets that part of the page
  again instead, the notice in it.
- `commit`: only the commit, for the few answers that are neither (a login that records a
  failed try and shows the form again).
- `refusal`: a check whose refusal is shown on the page rather than answered (a preview).

The commit's own refusals (DatabaseBusy, CommitUncertain, DatabaseUnwritable; app/db.py)
are SaveRefused errors: raised by `saved` or `commit` outside an `attempt`, app/main.py
answers them with the 503 page (or event) that keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import flash
from app.errors import DomainError, SaveRefused
from app.templating import is_fragment_request, see_other, translate

T = TypeVar("T")

Refused = Callable[[DomainError], Response | None]


class Answered(Exception):
    """The answer to a refused change, carried out of the route's `attempt` block to the
    handler in app/main.py, which sends it as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@contextmanager
def attempt(session: Session, *, refused: Refused | None = None) -> Iterator[None]:
    """Runs a change; a DomainError rolls it back and is answered by `refused`, else by
    the handler in app/main.py."""
    try:
        yield
    except DomainError as error:
        session.rollback()
        response = refused(error) if refused is not None else None
        if response is None:
            raise
        raise Answered(response) from error


def saved(
    request: Request,
    session: Session,
    url: str,
    message: str | None = None,
    *,
    fragment: Callable[[str | None], Response] | None = None,
    category: str = "success",
    values: Mapping[str, object] | None = None,
    **variables: object,
) -> Response:
    """Commits, and answers with the page at `url` (the notice flashed there), or for an
    htmx request with `fragment(notice)` when given. The message's %(name)s placeholders
    are filled from `variables` (or a ready mapping of them, `values`)."""
    session.commit()
    notice = translate(request, message, **{**(values or {}), **variables}) if message else None
    if fragment is not None and is_fragment_request(request):
        return fragment(notice)
    response = see_other(request, url)
    if notice:
        flash.add(response, request, notice, category)
    return response


def commit(session: Session) -> None:
    """Only the commit: for an answer that is neither a redirect nor a fragment."""
    session.commit()


def refused_to(request: Request, url: str) -> Refused:
    """A refusal answered on the page at `url`: the browser goes there, the reason flashed
    as an error. A busy database is answered by app/main.py instead, which keeps the
    choice to send again."""

    def answer(error: DomainError) -> Response | None:
        if isinstance(error, SaveRefused):
            return None
        response = see_other(request, url)
        flash.add(response, request, translate(request, error.message, **error.variables), "error")
        return response

    return answer


def refusal(check: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """The check's result, or the DomainError that refused it, to show on the page."""
    try:
        return check(), None
    except DomainError as error:
        return None, error
