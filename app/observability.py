"""Structured logs: one JSON line per request (never passwords, cookies or query strings)."""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.net import client_ip

request_log = logging.getLogger("matcha.request")

# The client address of the request being answered (behind trusted proxies, the one they
# name), for records that note where an action came from: the security log.
current_client: ContextVar[str | None] = ContextVar("current_client", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would repeat ours without the user id.
    logging.getLogger("uvicorn.access").disabled = True


def _logged_path(path: str) -> str:
    # The calendar feed's path holds its secret token (app/events/feed.py): not in the log.
    return "/calendar/<token>.ics" if path.startswith("/calendar/") else path


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: str) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        client = client_ip(HTTPConnection(scope), self.trusted_proxies)
        # Routes run in worker threads, which copy this context.
        current_client.set(client)

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            path = _logged_path(scope["path"])
            request_log.info(
                "%s %s %s",
                scope["method"],
                path,
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        # A plain copy (app/auth/deps.py): the request's session is closed.
                        "user_id": getattr(scope.get("state", {}).get("user"), "id", None),
                        "client": client,
                    }
                },
            )


class SecurityHeadersMiddleware:
    """Headers every answer carries: no framing, no sniffing, only our own scripts. And
    what a signed-in user is shown is not kept: neither in a shared computer's cache, nor
    for the Back button, which showed a company page without the call just logged."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'{forms}; base-uri 'self'"
    )

    def __init__(self, app: ASGIApp, *, form_targets: tuple[str, ...] = ()) -> None:
        """`form_targets`: origins a form's answer may send the browser on to (the OpenID
        provider: signing out there, linking an account); browsers hold redirects after a
        form to form-action too."""
        self.app = app
        forms = "".join(f" {origin}" for origin in form_targets)
        self.HEADERS = (
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"content-security-policy", self.POLICY.format(forms=forms).encode()),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.HEADERS]
                signed_in = scope.get("state", {}).get("user") is not None
                if signed_in and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)
