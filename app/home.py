"""The start page, and the answer for addresses that match no page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.auth.deps import AnyUser
from app.auth.models import Role
from app.templating import see_other

router = APIRouter()
# Registered after everything else (static files too), so it only sees unknown paths.
fallback_router = APIRouter()


@router.get("/")
def home(request: Request, user: AnyUser) -> Response:
    # Until "Min dag" exists, each role lands where its work is.
    return see_other(request, "/admin/users" if user.role == Role.admin else "/account")


@fallback_router.get("/{path:path}", include_in_schema=False)
def not_found(path: str, user: AnyUser) -> Response:
    """An unknown address: signed-in users get the 404 page in their own language and
    layout; others go to login first, so unknown and forbidden addresses look alike."""
    raise HTTPException(status_code=404)
