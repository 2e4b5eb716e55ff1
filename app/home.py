"""The answer for addresses that match no page (the start page is Min dag: app/today)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from app.auth.deps import AnyUser

# Registered after everything else (static files too), so it only sees unknown paths.
fallback_router = APIRouter()


@fallback_router.get("/{path:path}", include_in_schema=False)
def not_found(path: str, user: AnyUser) -> Response:
    """An unknown address: signed-in users get the 404 page in their own language and
    layout; others go to login first, so unknown and forbidden addresses look alike."""
    raise HTTPException(status_code=404)
