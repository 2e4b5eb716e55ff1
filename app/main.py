"""create_app(): routers, static files, error pages and middleware."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import quote, urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import date_preview, health, home
from app.activities import routes as activity_routes
from app.admin import routes as admin_routes
from app.admission import AdmissionMiddleware
from app.agreements import routes as agreement_routes
from app.assignments import detail as assignment_detail_routes
from app.assignments import routes as assignment_routes
from app.auth import routes as auth_routes
from app.auth import security_log, sso_routes
from app.auth.csrf import CSRFSeedMiddleware, csrf_protect
from app.auth.deps import LoginRequired
from app.auth.passwords import HASHING_SLOTS
from app.auth.sso import Provider
from app.clock import Clock, SystemClock
from app.companies import routes as company_routes
from app.config import PROJECT_ROOT, Settings, get_settings
from app.contacts import routes as contact_routes
from app.db import is_busy, make_engine
from app.errors import BUSY_MESSAGE, CommitUncertain, DatabaseBusy, DomainError, SaveRefused
from app.events import calendar_routes as event_calendar_routes
from app.events import feed_routes as event_feed_routes
from app.events import participant_routes as event_participant_routes
from app.events import routes as event_routes
from app.events import task_routes as event_task_routes
from app.exports import routes as export_routes
from app.finder import routes as finder_routes
from app.i18n import N_
from app.imports import jobs as import_jobs
from app.imports import mapping_routes as import_mapping_routes
from app.imports import routes as import_routes
from app.imports import upload as import_upload
from app.limits import BodyLimitMiddleware
from app.moves import routes as move_routes
from app.observability import RequestLogMiddleware, SecurityHeadersMiddleware, configure_logging
from app.reports import routes as report_routes
from app.reports import team_routes as report_team
from app.saving import Answered
from app.templating import render, see_other, translate
from app.today import follow_up_routes as today_follow_up_routes
from app.today import routes as today_routes
from app.tracks import intervention_routes as track_intervention_routes
from app.tracks import link_routes as track_link_routes
from app.tracks import people_routes as track_people_routes
from app.tracks import profile_routes as track_profile_routes
from app.tracks import result_routes as track_result_routes
from app.tracks import round_routes as track_round_routes
from app.tracks import routes as track_routes
from app.tracks import task_routes as track_task_routes

log = logging.getLogger(__name__)

# Routes reachable without a session. Everything else needs one; tests/test_routes.py
# walks the app and holds every route to this list.
# The calendar feed is fetched by calendar clients, which have no session: the secret
# token in its path is the credential (app/events/feed.py), and an unknown one is a 404.
PUBLIC_PATHS = frozenset(
    {"/login", "/login/sso", "/login/sso/callback", "/setup", "/healthz", "/calendar/{token}.ics"}
)


# Young objects are collected after 5,000 allocations (Python's default: 700), the
# middle and the full generation after 20 collections of the one below (default: 10).
GC_THRESHOLDS = (5_000, 20, 20)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Everything loaded at start-up (modules, mappers, templates) lives as long as the
    # process: frozen, a full collection no longer walks it. And a page that loads a few
    # hundred rows allocates tens of thousands of objects: with the default thresholds a
    # full collection ran every few such requests, adding 10-80 ms to them. Collecting
    # less often keeps the event page's p95 at ~21 ms instead of 31-107 ms (bench/).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    # Routes run in anyio's thread pool: a thread for each request let in (app/admission.py).
    anyio.to_thread.current_default_thread_limiter().total_tokens = _concurrent(app.state.settings)
    _purge_security_log(app)
    # Queued imports run in a thread of their own; one left running by a stopped server
    # is queued again and resumes after its last committed batch.
    worker = None
    if app.state.settings.import_worker:
        worker = import_jobs.Worker(
            app.state.engine,
            clock=app.state.clock,
            stale_after=dt.timedelta(seconds=app.state.settings.import_takeover_seconds),
        )
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
        if app.state.sso_provider is not None:
            app.state.sso_provider.close()


def _purge_security_log(app: FastAPI) -> None:
    """Events older than the months the security log keeps go at start-up (and at each
    sign-in); the purge is itself an event. A database that cannot purge just now (busy,
    read-only, not yet migrated) does not keep the app from starting: the next purge,
    at a sign-in, does it."""
    months = app.state.settings.security_log_months
    try:
        with Session(app.state.engine) as session:
            purged = security_log.purge(session=session, clock=app.state.clock, months=months)
            session.commit()
    except (SaveRefused, SQLAlchemyError) as error:
        log.warning("security log not purged at start-up: %s", error)
        return
    if purged:
        log.info("security log: %s events older than %s months purged", purged, months)


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, engine: Engine | None = None
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Matcha",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    # A connection for each request let in (app/admission.py), the import worker and
    # /healthz; a few more in reserve, never so many that requests wait on each other.
    app.state.engine = engine or make_engine(
        settings.resolved_database_url(),
        pool_size=_concurrent(settings) + 2,
        sqlite_cache_mb=settings.sqlite_cache_mb,
    )
    app.state.secret_key = settings.resolved_secret_key()
    # Sign-in through the organisation's OpenID provider, when configured.
    app.state.sso_provider = Provider(settings) if settings.oidc_enabled() else None

    app.include_router(health.router)
    app.include_router(date_preview.router)
    app.include_router(finder_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(sso_routes.router)
    app.include_router(event_feed_routes.router)
    app.include_router(today_routes.router)
    app.include_router(today_follow_up_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(move_routes.router)
    app.include_router(company_routes.router)
    app.include_router(contact_routes.router)
    app.include_router(activity_routes.router)
    app.include_router(assignment_routes.router)
    app.include_router(assignment_detail_routes.router)
    app.include_router(agreement_routes.router)
    app.include_router(track_profile_routes.router)
    app.include_router(track_intervention_routes.router)
    app.include_router(event_routes.router)
    app.include_router(event_participant_routes.router)
    app.include_router(event_task_routes.router)
    app.include_router(track_task_routes.router)
    app.include_router(event_calendar_routes.router)
    app.include_router(track_routes.router)
    app.include_router(track_people_routes.router)
    app.include_router(track_link_routes.router)
    app.include_router(track_result_routes.router)
    app.include_router(track_round_routes.router)
    app.include_router(export_routes.router)
    app.include_router(import_routes.router)
    app.include_router(import_mapping_routes.router)
    app.include_router(report_routes.router)
    app.include_router(report_team.router)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.include_router(home.fallback_router)

    _add_error_pages(app)
    app.add_middleware(CSRFSeedMiddleware, secure=settings.secure_cookies)
    # A body over the limit is refused (413) before it is read: a 400 MB POST to /login
    # was read and spooled to disk before the CSRF check turned it away.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.request_max_bytes())
    app.add_middleware(
        SecurityHeadersMiddleware,
        form_targets=_origins(settings.oidc_issuer, settings.oidc_discovery_url)
        if settings.oidc_enabled()
        else (),
    )
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.threads,
        password_limit=HASHING_SLOTS,
        password_routes=[*auth_routes.PASSWORD_ROUTES, *admin_routes.PASSWORD_ROUTES],
    )
    app.add_middleware(RequestLogMiddleware, trusted_proxies=settings.trusted_proxies)
    return app


def _origins(*urls: str) -> tuple[str, ...]:
    found = {f"{part.scheme}://{part.netloc}" for part in map(urlsplit, urls) if part.netloc}
    return tuple(sorted(found))


def _concurrent(settings: Settings) -> int:
    """Requests worked on at once: those let in, and those hashing a password."""
    return settings.threads + HASHING_SLOTS


ERROR_TITLES = {
    400: N_("Begäran kunde inte tolkas"),
    403: N_("Åtkomst nekad"),
    404: N_("Sidan finns inte"),
    405: N_("Det går inte att göra så här"),
    413: N_("Filen är för stor"),
    429: N_("För många försök"),
    500: N_("Något gick fel"),
    503: N_("Det gick inte att spara just nu"),
}
TOO_LARGE = N_("Det du skickade är större än Matcha tar emot (högst %(limit)s MB). Inget sparades.")


def _error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    shown = status_code if status_code in ERROR_TITLES else 400
    context: dict[str, object] = {"status_code": shown, "title": ERROR_TITLES[shown]}
    if message is not None:  # why, where the page has no text of its own for the status
        context.update(
            message=message, resend=False, check_url=None, back_url=_same_site_referer(request)
        )
    return render(request, "error.html", context, status_code=status_code)


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if getattr(request.state, "no_users", False):
            return see_other(request, "/setup")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET" or request.headers.get("hx-request") == "true":
            target = "/"
        return see_other(request, "/login" + ("" if target == "/" else f"?next={quote(target)}"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == DatabaseBusy.http_status:  # a route passed a busy refusal on
            return _refused(
                request, 503, BUSY_MESSAGE, retry_after=DatabaseBusy.retry_after_seconds
            )
        if exc.status_code == 413:  # the body is over MATCHA_REQUEST_MAX_MB, left unread
            settings = request.app.state.settings
            if request.url.path == "/imports":  # the upload says what its own limit is
                return _refused(request, 413, import_upload.TOO_LARGE, max=settings.import_max_mb)
            megabytes = settings.request_max_bytes() // (1024 * 1024)
            return _refused(request, 413, TOO_LARGE, limit=megabytes)
        return _error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # A path parameter that is not a number names nothing that exists.
        places = {error.get("loc", ("",))[0] for error in exc.errors()}
        if "path" in places:
            return _error_page(request, 404)
        # A query parameter out of its range (a number no id can be, a page past any
        # list): 422, as for a form's value; a request that cannot be parsed at all: 400.
        return _error_page(request, 422 if places == {"query"} else 400)

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> Response:
        # A rule said no and no form shows it (app/saving.py): the page for its status,
        # the 403 and 404 pages as for any address, the others with the reason.
        if exc.http_status in (403, 404):
            return _error_page(request, exc.http_status)
        message = translate(request, exc.message, **exc.variables)
        return _error_page(request, exc.http_status, message)

    @app.exception_handler(Answered)
    async def answered(_request: Request, exc: Answered) -> Response:
        return exc.response  # a refused change shown with its form (app/saving.py)

    @app.exception_handler(SaveRefused)
    async def save_refused(request: Request, exc: SaveRefused) -> Response:
        if isinstance(exc, CommitUncertain):  # look first: sending again might save twice
            return _refused(request, 503, exc.message, uncertain=True)
        return _refused(request, 503, exc.message, retry_after=exc.retry_after_seconds)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        if is_busy(exc):  # "database is locked" where no write was expected to wait
            return _refused(
                request, 503, BUSY_MESSAGE, retry_after=DatabaseBusy.retry_after_seconds
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error_page(request, 500)


def _same_site_referer(request: Request) -> str | None:
    """The page the form was on, if it is one of ours: where "Tillbaka" goes."""
    return _same_site_url(request.headers.get("referer", ""), request)


def _same_site_url(url: str, request: Request) -> str | None:
    parts = urlsplit(url)
    if parts.netloc != request.url.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


CHECK_LINK = N_("Öppna sidan igen och se efter")
UNCERTAIN_TITLE = N_("Det är oklart om det sparades")


# Fields a refused save never sends back in the page that offers to send it again.
_NOT_RESENT = re.compile(r"password|csrf", re.IGNORECASE)


def _refused(
    request: Request,
    status_code: int,
    message: str,
    *,
    retry_after: int | None = None,
    uncertain: bool = False,
    **variables: object,
) -> Response:
    """A save refused before anything was written (the database busy, the body too large).
    htmx: the message goes into the form that was sent, its fields untouched
    (static/matcha.js). A plain form: a page that says so and, where the form was read,
    sends the same values again with one button (passwords are typed again).

    `uncertain`: the save may have been stored (CommitUncertain). Nothing is offered to
    send again; a link opens the page it was sent from, to see whether it is there."""
    text = translate(request, message, **variables)
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if request.headers.get("hx-request") == "true":
        headers["HX-Reswap"] = "none"
        detail: dict[str, str | None] = {"message": text}
        if uncertain:
            detail["href"] = _same_site_url(request.headers.get("hx-current-url", ""), request)
            detail["label"] = translate(request, CHECK_LINK)
        headers["HX-Trigger"] = json.dumps({"matcha:refused": detail})
        return Response(text, status_code=status_code, headers=headers, media_type="text/plain")
    submitted = getattr(request.state, "submitted_form", None)
    fields = [
        (name, value)
        for name, value in (submitted.multi_items() if submitted is not None else ())
        if isinstance(value, str) and not _NOT_RESENT.search(name)
    ]
    response = render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": UNCERTAIN_TITLE if uncertain else ERROR_TITLES[status_code],
            "message": text,
            "resend": request.method == "POST" and submitted is not None and not uncertain,
            "check_url": (_same_site_referer(request) or "/") if uncertain else None,
            "resend_fields": fields,
            "resend_needs_password": any(
                _NOT_RESENT.search(name) and "csrf" not in name
                for name in (submitted.keys() if submitted is not None else ())
            ),
            "back_url": _same_site_referer(request),
        },
        status_code=status_code,
        headers=headers,
    )
    if retry_after is None and "retry-after" in response.headers:
        del response.headers["retry-after"]  # look first (uncertain), or nothing to wait for
    return response
