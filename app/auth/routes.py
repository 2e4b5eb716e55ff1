"""First-run setup, login, logout and the user's own account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth import security_log, sessions, throttle
from app.auth import service as users
from app.auth.account import page_context as _account_context
from app.auth.deps import AnyUser, LoginDep, PolicyDep
from app.auth.models import Role, User, UserCreate
from app.auth.signing_in import public_url, record_refused, safe_next, sign_in_response
from app.auth.sso import Provider
from app.config import Settings
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
    return sign_in_response(
        request,
        user,
        session=session,
        clock=clock,
        policy=policy,
        settings=settings,
        next_url="/",
        message=N_("Välkommen! Du är nu administratör för Matcha."),
    )


def login_context(request: Request, settings: Settings, **values: object) -> dict[str, object]:
    """The login page: the provider's button when there is one, the password form for
    everyone or (passwords off) folded away for the break-glass admins."""
    provider: Provider | None = request.app.state.sso_provider
    return {
        "sso_label": settings.oidc_label if provider is not None else None,
        "passwords_on": settings.local_passwords or provider is None,
        "next": "/",
        "username": "",
        "error": None,
        **values,
    }


def password_allowed(name: str, user: User | None, settings: Settings, request: Request) -> bool:
    """Local passwords are for everyone, or (turned off, with a provider to sign in
    through) only for the named break-glass admins."""
    if settings.local_passwords or request.app.state.sso_provider is None:
        return True
    return name in settings.break_glass_usernames() and (user is None or user.role == Role.admin)


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: str = "/"
) -> Response:
    if not users.any_user_exists(session=session):
        return see_other(request, "/setup")
    return render(
        request, "auth/login.html", login_context(request, settings, next=safe_next(next))
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
        context = login_context(
            request, settings, next=safe_next(next), username=username, error=message
        )
        return render(
            request, "auth/login.html", context, block="login_form", status_code=status_code
        )

    def failed(reason: str, user: User | None = None) -> None:
        record_refused(session, clock, method="password", reason=reason, user=user, username=name)

    wait = throttle.blocked_for(name, address, session=session, clock=clock)
    if wait:
        failed("throttled")
        saving.commit(session)
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
    if not password_allowed(name, user, settings, request):
        failed("passwords_off", user)
        saving.commit(session)
        return refuse(
            translate(
                request,
                "Inloggning med lösenord är avstängd. Logga in med %(label)s.",
                label=settings.oidc_label,
            ),
            # 422 as a wrong password: htmx swaps the form in with the reason.
            422,
        )

    def busy(error: DomainError) -> Response | None:
        # Busy, or the database takes no writes just now: said in the form.
        if not isinstance(error, SaveRefused):
            return None
        return refuse(translate(request, error.message), error.http_status)

    with saving.attempt(session, refused=busy):
        throttle.record(name, address, user is not None, session=session, clock=clock)
        if user is None:
            known = users.get_by_username(name, session=session)
            inactive = known is not None and not known.is_active
            failed("inactive" if inactive else "wrong_password", known if inactive else None)
            saving.commit(session)
            return refuse(translate(request, "Fel användarnamn eller lösenord."), 422)
        return sign_in_response(
            request,
            user,
            session=session,
            clock=clock,
            policy=policy,
            settings=settings,
            next_url=safe_next(next),
        )


@router.post("/logout")
def logout(
    request: Request,
    login: LoginDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Ends the Matcha session; one signed in through the provider is sent on to sign out
    there too (RP-initiated logout), and comes back to the login page."""
    provider: Provider | None = request.app.state.sso_provider
    # The provider's logout address first (its metadata is cached; if not, fetched
    # before anything is written).
    end_at = (
        provider.logout_url(public_url(request, settings, "/login"))
        if provider is not None and login.session.method == "sso"
        else None
    )
    sessions.revoke(login.session, session=session)
    security_log.record(
        session,
        security_log.Kind.sign_out,
        clock=clock,
        user=login.user,
        detail={"method": login.session.method},
    )
    response = saving.saved(request, session, end_at or "/login", N_("Du är utloggad."))
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
