"""Opening a session once a user is known, by password or through the provider: the
cookie, the security log's event, and the housekeeping a sign-in does in passing."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth import security_log, sessions
from app.auth.models import User
from app.clock import Clock
from app.config import Settings
from app.net import client_ip


def safe_next(next_url: str | None) -> str:
    """Only same-site paths: a login link must not bounce the user to another site."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return "/"
    parts = urlsplit(next_url)
    return "/" if parts.scheme or parts.netloc or "\\" in next_url else next_url


def public_url(request: Request, settings: Settings, path: str) -> str:
    """An address of this app as the browser reaches it: beside MATCHA_OIDC_REDIRECT_URI
    when it is set (behind a proxy that terminates HTTPS), else as this request came."""
    if settings.oidc_redirect_uri:
        parts = urlsplit(settings.oidc_redirect_uri)
        return f"{parts.scheme}://{parts.netloc}{path}"
    return str(request.base_url).rstrip("/") + path


def set_session_cookie(response: Response, token: str, settings: Settings, max_age: int) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=max_age,
    )


def sso_policy(policy: sessions.SessionPolicy, settings: Settings) -> sessions.SessionPolicy:
    """A session signed in through the provider ends sooner: a user taken out of a group
    loses the role within this time."""
    return sessions.SessionPolicy(
        idle=policy.idle,
        absolute=min(policy.absolute, dt.timedelta(hours=settings.oidc_session_max_hours)),
    )


def record_refused(
    session: Session,
    clock: Clock,
    *,
    method: str,
    reason: str,
    user: User | None = None,
    username: str | None = None,
    why: str = "",
) -> None:
    """A refused sign-in in the security log: by password or through the provider, why,
    and the name tried (`why`: the provider's answer in a few words, never a token)."""
    security_log.record(
        session,
        security_log.Kind.sign_in,
        clock=clock,
        succeeded=False,
        reason=reason,
        user=user,
        username=username,
        detail={"method": method, **({"why": why} if why else {})},
    )


def sign_in_response(
    request: Request,
    user: User,
    *,
    session: Session,
    clock: Clock,
    policy: sessions.SessionPolicy,
    settings: Settings,
    next_url: str,
    method: str = "password",
    message: str | None = None,
) -> Response:
    """Starts the session, logs the sign-in, commits and sends the user on."""
    token, _ = sessions.start(
        user,
        session=session,
        clock=clock,
        policy=policy,
        client_ip=client_ip(request, settings.trusted_proxies),
        user_agent=request.headers.get("user-agent"),
        method=method,
    )
    security_log.record(
        session, security_log.Kind.sign_in, clock=clock, user=user, detail={"method": method}
    )
    sessions.purge_expired(session=session, clock=clock, policy=policy)
    security_log.purge(session=session, clock=clock, months=settings.security_log_months)
    response = saving.saved(request, session, next_url, message)
    set_session_cookie(response, token, settings, int(policy.absolute.total_seconds()))
    return response
