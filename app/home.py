"""The answer for addresses that match no page (the start page is Min dag: app/today)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.auth.deps import AnyUser
from app.errors import NotFound
from app.i18n import N_

# Registered after everything else (static files too), so it only sees unknown paths.
fallback_router = APIRouter()


# Every method: a POST to an id no page has (a number too long for any id, say) is a 404 like
# a GET, not 405 "method not allowed".
FALLBACK_PATH = "/{path:path}"


@fallback_router.api_route(
    FALLBACK_PATH,
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def not_found(path: str, user: AnyUser) -> Response:
    """An unknown address: signed-in users get the 404 page in their own language and
    layout; others go to login first, so unknown and forbidden addresses look alike."""
    raise NotFound(N_("Sidan finns inte."))
