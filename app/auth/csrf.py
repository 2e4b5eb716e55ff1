"""CSRF protection for every non-GET request, before and after login.

A random seed lives in an HttpOnly cookie (set on the first response, so the login and
setup forms have it). The token a page embeds is an HMAC of that seed and the session
cookie under SECRET_KEY: a cross-site page can neither read nor compute it, and it
changes at login. Forms send it as `csrf_token`, htmx as the X-CSRF-Token header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import templating
from app.auth.sessions import SESSION_COOKIE

SEED_COOKIE = "matcha_csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_for(secret_key: str, seed: str, session_token: str) -> str:
    message = f"{seed}|{session_token}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def request_token(request: Request) -> str:
    """The token for pages rendered in answer to this request."""
    seed = request.scope["state"]["csrf_seed"]
    session_token = request.scope["state"].get("new_session_token") or request.cookies.get(
        SESSION_COOKIE, ""
    )
    return token_for(request.app.state.secret_key, seed, session_token)


# Every form on every page carries the token (templates/_shared/forms.html, csrf_field).
templating.register_globals(CSRF_FIELD=FORM_FIELD)
templating.register_request_value("csrf_token", request_token)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuses a non-GET request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    seed = request.cookies.get(SEED_COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            # Kept for an answer that must offer the form again when the route could not
            # (a save refused as busy: app/main.py); the Request objects differ, the scope not.
            request.state.submitted_form = form
            value = form.get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    expected = token_for(
        request.app.state.secret_key, seed or "", request.cookies.get(SESSION_COOKIE, "")
    )
    if not seed or not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="csrf")


class CSRFSeedMiddleware:
    """Gives every browser a CSRF seed cookie, so the first form it sees can be posted."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seed = _cookie(scope, SEED_COOKIE)
        is_new = not seed
        if is_new:
            seed = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_seed"] = seed

        async def send_with_cookie(message: Message) -> None:
            if is_new and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookie = f"{SEED_COOKIE}={seed}; Path=/; HttpOnly; SameSite=Lax"
                headers.append("set-cookie", cookie + ("; Secure" if self.secure else ""))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return v
    return None
