"""Flash messages: one-shot notices carried across a redirect in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "matcha_flash"


def _sign(secret: str, payload: bytes) -> str:
    mac = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return base64.urlsafe_b64encode(payload).decode() + "." + mac


def _unsign(secret: str, value: str) -> bytes | None:
    encoded, _, mac = value.rpartition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded.encode())
    except ValueError:
        return None
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return payload if hmac.compare_digest(mac, expected) else None


def add(response: Response, request: Request, message: str, category: str = "success") -> None:
    """Queue an already translated message for the next page the browser shows."""
    messages = [*pending(request), {"message": message, "category": category}]
    response.set_cookie(
        COOKIE,
        _sign(request.app.state.secret_key, json.dumps(messages).encode()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=300,
    )


def pending(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    payload = _unsign(request.app.state.secret_key, raw)
    if payload is None:
        return []
    try:
        messages = json.loads(payload)
    except ValueError:
        return []
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def consume(request: Request, response: Response) -> list[dict[str, str]]:
    messages = pending(request)
    if messages:
        response.delete_cookie(COOKIE)
    return messages
