"""First-run setup, login, logout and the user's own account page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth import service as users
from app.auth import sessions, throttle
from app.auth.account import page_context as _account_context
from app.auth.deps import AnyUser, LoginDep, PolicyDep
from app.auth.models import User, UserCreate
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import DomainError, NotFound, SaveRefused
from app.i18n import N_
from app.net import client_ip
from app.templating import render, see_other, translate

router = APIRouter()

# Routes that hash or check a password: they queue at a door of their own
# (app/admission.py). (method, path as a regular expression)
PASSWORD_ROUTES = [("POST", "/login"), ("POST", "/setup"), ("POST", "/account/password")]


def _safe_next(next_url: str | None) -> str:
    """Only same-site paths: a login link must not bounce the user to another site."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return "/"
    parts = urlsplit(next_url)
    return "/" if parts.scheme or parts.netloc or "\\" in next_url else next_url


def _set_session_cookie(
    response: Response, token: str, settings: SettingsDep, max_age: int
) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=max_age,
    )


def _sign_in(
    request: Request,
    user: User,
    *,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    settings: SettingsDep,
    next_url: str,
    message: str | None = None,
) -> Response:
    token, _ = sessions.start(
        user,
        session=session,
        clock=clock,
        policy=policy,
        client_ip=client_ip(request, settings.trusted_proxies),
        user_agent=request.headers.get("user-agent"),
    )
    sessions.purge_expired(session=session, clock=clock, policy=policy)
    response = saving.saved(request, session, next_url, message)
    _set_session_cookie(response, token, settings, int(policy.absolute.total_seconds()))
    return response


@router.get("/setup")
def setup_form(request: Request, session: SessionDep) -> Response:
    if users.any_user_exists(session=session):  # only until someone exists
        raise NotFound("Sidan finns inte")
    return render(request, "auth/setup.html", {"values": {}, "error": None})


@router.post("/setup")
def setup(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    settings: SettingsDep,
    form: Annotated[UserCreate, Form()],
) -> Response:
    if users.any_user_exists(session=session):
        raise NotFound("Sidan finns inte")

    def refused(error: DomainError) -> Response:
        return render(
            request,
            "auth/setup.html",
            {"values": form.retyped(), "error": error},
            block="setup_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        user = users.create_first_admin(form, session=session, clock=clock)
    return _sign_in(
        request,
        user,
        session=session,
        clock=clock,
        policy=policy,
        settings=settings,
        next_url="/",
        message=N_("Välkommen! Du är nu administratör för Matcha."),
    )


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    if not users.any_user_exists(session=session):
        return see_other(request, "/setup")
    return render(
        request, "auth/login.html", {"next": _safe_next(next), "username": "", "error": None}
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    policy: PolicyDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    name = users.normalize_username(username)[:64]
    address = client_ip(request, settings.trusted_proxies)

    def refuse(message: str, status_code: int) -> Response:
        context = {"next": _safe_next(next), "username": username, "error": message}
        return render(
            request, "auth/login.html", context, block="login_form", status_code=status_code
        )

    wait = throttle.blocked_for(name, address, session=session, clock=clock)
    if wait:
        return refuse(
            translate(
                request,
                "För många misslyckade inloggningar. Försök igen om %(minutes)s min.",
                minutes=wait,
            ),
            429,
        )
    # The password is checked (argon2, a moment of a core and 64 MiB) before anything is
    # written: on SQLite the write lock is taken by the writes below, not held through it.
    user = users.authenticate(name, password, session=session)

    def busy(error: DomainError) -> Response | None:
        # Busy, or the database takes no writes just now: said in the form.
        if not isinstance(error, SaveRefused):
            return None
        return refuse(translate(request, error.message), error.http_status)

    with saving.attempt(session, refused=busy):
        throttle.record(name, address, user is not None, session=session, clock=clock)
        if user is None:
            saving.commit(session)
            return refuse(translate(request, "Fel användarnamn eller lösenord."), 422)
        return _sign_in(
            request,
            user,
            session=session,
            clock=clock,
            policy=policy,
            settings=settings,
            next_url=_safe_next(next),
        )


@router.post("/logout")
def logout(request: Request, login: LoginDep, session: SessionDep) -> Response:
    sessions.revoke(login.session, session=session)
    response = saving.saved(request, session, "/login", N_("Du är utloggad."))
    response.delete_cookie(sessions.SESSION_COOKIE)
    return response


@router.get("/account")
def account(request: Request, user: AnyUser, session: SessionDep) -> Response:
    return render(request, "auth/account.html", _account_context(user, session))


def _refused_on_account(
    request: Request, user: User, session: Session, form: str
) -> saving.Refused:
    """A refused change shows the account page's form (`form`: its name) with the error."""

    def answer(error: DomainError) -> Response:
        return render(
            request,
            "auth/account.html",
            _account_context(user, session, **{f"{form}_error": error}),
            block=f"{form}_form",
            status_code=error.http_status,
        )

    return answer


@router.post("/account/password")
def change_password(
    request: Request,
    login: LoginDep,
    session: SessionDep,
    clock: ClockDep,
    current_password: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
) -> Response:
    refused = _refused_on_account(request, login.user, session, "password")
    with saving.attempt(session, refused=refused):
        users.change_own_password(
            login.user,
            current_password,
            password,
            password_confirm,
            keep_session_id=login.session.id,
            session=session,
            clock=clock,
        )
    return saving.saved(
        request,
        session,
        "/account",
        N_("Ditt lösenord är bytt. Dina andra inloggningar har avslutats."),
    )


@router.post("/account/locale")
def change_locale(
    request: Request,
    user: AnyUser,
    session: SessionDep,
    locale: Annotated[str, Form()] = "",
) -> Response:
    with saving.attempt(session, refused=_refused_on_account(request, user, session, "locale")):
        users.set_locale(user, locale, session=session)
    request.state.locale = user.locale  # the notice in the language just chosen
    return saving.saved(request, session, "/account", N_("Språket är ändrat."))


@router.post("/account/csv-delimiter")
def change_csv_delimiter(
    request: Request,
    user: AnyUser,
    session: SessionDep,
    csv_delimiter: Annotated[str, Form()] = "",
) -> Response:
    refused = _refused_on_account(request, user, session, "csv_delimiter")
    with saving.attempt(session, refused=refused):
        users.set_csv_delimiter(user, csv_delimiter, session=session)
    return saving.saved(request, session, "/account", N_("Skiljetecknet för CSV-filer är ändrat."))
