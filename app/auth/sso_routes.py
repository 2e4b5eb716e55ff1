"""Sign-in through the organisation's OpenID provider, and linking an account to it.

Each route talks to the provider (app/auth/sso.py) before it touches the database: no
write transaction waits on the network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import saving
from app.auth import sessions, sso_users
from app.auth.deps import LoginDep, LoginRequired, PolicyDep, current_login
from app.auth.signing_in import record_refused, safe_next, sign_in_response, sso_policy
from app.auth.sso import PENDING_COOKIE, PENDING_SECONDS, Identity, Provider, SsoFailed
from app.clock import Clock
from app.config import Settings
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import Conflict, DomainError, NotFound
from app.i18n import N_
from app.templating import render, translate

router = APIRouter()

# What the person signing in is told, by the security log's reason.
REFUSALS = {
    "state": N_("Inloggningen hann gå ut eller har redan använts. Försök igen."),
    "nonce": N_(
        "Svaret från inloggningstjänsten kunde inte godkännas. Försök igen; "
        "kvarstår felet, kontakta IT."
    ),
    "token": N_(
        "Svaret från inloggningstjänsten kunde inte godkännas. Försök igen; "
        "kvarstår felet, kontakta IT."
    ),
    "provider": N_("Inloggningstjänsten svarade inte eller avböjde. Försök igen om en stund."),
    "no_mapped_group": N_(
        "Ditt konto hos organisationen ger ingen behörighet till Matcha. Be din chef eller "
        "IT att lägga till dig i rätt grupp."
    ),
    "inactive": N_("Ditt konto i Matcha är inaktiverat. Kontakta en administratör."),
    "unknown_user": N_(
        "Du har inget konto i Matcha ännu. Be en administratör att lägga upp och koppla ditt konto."
    ),
    "linked_elsewhere": N_(
        "Det kontot hos organisationen är redan kopplat till en annan användare i Matcha."
    ),
}
_STATUS = {"state": 400, "nonce": 400, "token": 400, "provider": 502}


def sso_provider(request: Request) -> Provider:
    provider: Provider | None = request.app.state.sso_provider
    if provider is None:
        raise NotFound("Sidan finns inte")
    return provider


ProviderDep = Annotated[Provider, Depends(sso_provider)]


def redirect_uri(request: Request, settings: Settings) -> str:
    return settings.oidc_redirect_uri or str(request.url_for("sso_callback"))


def _to_provider(url: str, cookie: str, settings: Settings) -> Response:
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        cookie,
        max_age=PENDING_SECONDS,
        path="/",
        httponly=True,
        # The provider sends the browser back with a top-level GET: Lax cookies go along.
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


def _refused_page(request: Request, reason: str, *, link: bool = False) -> Response:
    response = render(
        request,
        "auth/sso_refused.html",
        {"message": translate(request, REFUSALS[reason]), "link": link},
        status_code=_STATUS.get(reason, 403),
    )
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


def _record_failure(
    session: Session, clock: Clock, reason: str, identity: Identity | None, detail: str = ""
) -> None:
    """A refused sign-in, in its own short transaction: nothing else has been written
    (the checks come before any write; a refused link is rolled back by saving.attempt)."""
    found = sso_users.find(identity.issuer, identity.subject, session=session) if identity else None
    record_refused(
        session,
        clock,
        method="sso",
        reason=reason,
        user=found,
        username=(identity.preferred_username or identity.subject) if identity else None,
        why=detail,
    )
    saving.commit(session)


@router.get("/login/sso")
def sso_login(
    request: Request, provider: ProviderDep, settings: SettingsDep, next: str = "/"
) -> Response:
    try:
        url, cookie = provider.begin(
            redirect_uri=redirect_uri(request, settings), next_url=safe_next(next)
        )
    except SsoFailed:
        return _refused_page(request, "provider")
    return _to_provider(url, cookie, settings)


@router.post("/account/sso")
def sso_link_start(
    request: Request, login: LoginDep, provider: ProviderDep, settings: SettingsDep
) -> Response:
    """A signed-in local user links their account: once, through the provider."""
    if login.user.oidc_subject is not None:
        raise Conflict("Ditt konto är redan kopplat till organisationens inloggning.")
    try:
        url, cookie = provider.begin(
            redirect_uri=redirect_uri(request, settings),
            next_url="/account",
            purpose="link",
            session_id=login.session.id,
        )
    except SsoFailed:
        return _refused_page(request, "provider", link=True)
    return _to_provider(url, cookie, settings)


@router.get("/login/sso/callback", name="sso_callback")
def sso_callback(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    settings: SettingsDep,
    provider: ProviderDep,
) -> Response:
    # The provider first: the token exchange and its keys, before any database work.
    pending = None
    try:
        pending = provider.unseal(request.cookies.get(PENDING_COOKIE))
        identity = provider.complete(dict(request.query_params), pending, now=clock.now())
    except SsoFailed as failure:
        _record_failure(session, clock, failure.reason, None, failure.detail)
        return _refused_page(
            request, failure.reason, link=bool(pending and pending.purpose == "link")
        )
    if pending.purpose == "link":
        return _link(request, session, clock, policy, pending.session_id, identity)

    try:
        user = sso_users.sign_in(identity, session=session, clock=clock, settings=settings)
    except sso_users.SignInRefused as refused:
        _record_failure(session, clock, refused.reason, identity)
        return _refused_page(request, refused.reason)
    response = sign_in_response(
        request,
        user,
        session=session,
        clock=clock,
        settings=settings,
        policy=sso_policy(policy, settings),
        method="sso",
        next_url=pending.next_url,
    )
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


def _link(
    request: Request,
    session: Session,
    clock: Clock,
    policy: sessions.SessionPolicy,
    session_id: int | None,
    identity: Identity,
) -> Response:
    try:
        login = current_login(request, session, clock, policy)
    except LoginRequired:
        login = None
    if login is None or login.session.id != session_id:
        # Begun in another session (or signed out since): the link is not made.
        _record_failure(session, clock, "state", identity, "link from another session")
        return _refused_page(request, "state", link=True)
    if login.user.oidc_subject is not None:
        return _refused_page(request, "linked_elsewhere", link=True)

    def linked_elsewhere(error: DomainError) -> Response | None:
        if not isinstance(error, Conflict):
            return None
        _record_failure(session, clock, "linked_elsewhere", identity)
        return _refused_page(request, "linked_elsewhere", link=True)

    with saving.attempt(session, refused=linked_elsewhere):
        sso_users.link(login.user, identity, session=session, clock=clock)
    response = saving.saved(
        request,
        session,
        "/account",
        N_("Ditt konto är kopplat. Nästa gång kan du logga in med organisationens konto."),
    )
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response
