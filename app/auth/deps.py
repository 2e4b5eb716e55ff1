"""Who is asking, and may they: the one authorization dependency every route uses.

`require(...)` is the only gate. Reading needs any signed-in user; changing data needs a
role that may change it. A viewer changes nothing except their own account, and only an
admin manages users.

Pages ask the same gates before they show a link: `may_open(path)` in a template is true
when the route that answers GET `path` admits the signed-in user's role, so a link is
never shown to a role its page would refuse (a rule about one record, such as who may
edit an activity, is the service's and the page's own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import Match

from app import templating
from app.auth import service as users
from app.auth import sessions
from app.auth.models import NO_PASSWORD, ROLE_LABELS, Role, User, UserSession
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import Forbidden
from app.i18n import N_


class LoginRequired(Exception):
    """No valid session: the app answers with the login page (or first-run setup)."""


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as pages and logs show them."""

    id: int
    username: str
    full_name: str
    role: Role


@dataclass(frozen=True)
class Login:
    user: User
    session: UserSession


def session_policy(settings: SettingsDep) -> sessions.SessionPolicy:
    return sessions.SessionPolicy(
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        absolute=dt.timedelta(hours=settings.session_max_hours),
    )


PolicyDep = Annotated[sessions.SessionPolicy, Depends(session_policy)]


def current_login(
    request: Request, session: SessionDep, clock: ClockDep, policy: PolicyDep
) -> Login:
    token = request.cookies.get(sessions.SESSION_COOKIE)
    found = sessions.resolve(token, session=session, clock=clock, policy=policy) if token else None
    if found is None:
        request.state.no_users = not users.any_user_exists(session=session)
        raise LoginRequired
    row, user = found
    # Pages (base.html) and the request log read who is signed in, also after the route's
    # session has been rolled back or closed: a copy of the fields, not the ORM object.
    request.state.user = SignedIn(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
    )
    request.state.locale = user.locale
    return Login(user=user, session=row)


LoginDep = Annotated[Login, Depends(current_login)]

# Every page knows who is signed in (None on the login page) and how to name a role.
templating.register_request_value(
    "current_user", lambda request: getattr(request.state, "user", None)
)
templating.register_globals(ROLE_LABELS=ROLE_LABELS, NO_PASSWORD=NO_PASSWORD)


def current_user(login: LoginDep) -> User:
    return login.user


CurrentUser = Annotated[User, Depends(current_user)]


# {a gate made by require(): the roles it admits}, for may_open() to read.
_gates: dict[Callable[..., User], frozenset[Role]] = {}


def require(*roles: Role) -> Callable[..., User]:
    """A dependency admitting signed-in users with one of these roles (any role if none)."""
    allowed = frozenset(roles or Role)

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(N_("Din roll får inte göra det här."))
        return user

    _gates[check] = allowed
    return check


def _admitted(dependant: Dependant | None) -> frozenset[Role]:
    """The roles every gate on a route (its own and its routers') admits."""

    def gates(dependant: Dependant) -> list[frozenset[Role]]:
        found = [_gates[dependant.call]] if dependant.call in _gates else []
        for sub in dependant.dependencies:
            found += gates(sub)
        return found

    return frozenset(Role).intersection(*gates(dependant)) if dependant else frozenset(Role)


def _pages(app: Any) -> list[tuple[RouteContext, frozenset[Role]]]:
    """The app's GET routes in the order they match, with the roles each admits; worked
    out at the first ask and kept with the app. The last route, which takes every unknown
    address to answer 404 (app/home.py), is no page."""
    pages = getattr(app.state, "gated_pages", None)
    if pages is None:
        pages = [
            (context, _admitted(context.dependant))
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)
            and "GET" in (context.methods or ())
            and context.path != "/{path:path}"
        ]
        app.state.gated_pages = pages
    return pages


def may_open(request: Request, path: str) -> bool:
    """Whether the signed-in user's role passes the gates of the route answering GET
    `path` (a path of this app, without query string); False for a path no route has."""
    user = getattr(request.state, "user", None)
    if user is None:
        return False
    return user.role in _roles_opening(request.app, path)


# Paths asked about (a template's links, a handful) whose answer is kept with the app.
_KEPT_PATHS = 256


def _roles_opening(app: Any, path: str) -> frozenset[Role]:
    """The roles admitted by the route answering GET `path` (none if no route has it),
    worked out once per path: every page asks for its menu."""
    kept: dict[str, frozenset[Role]] | None = getattr(app.state, "roles_opening", None)
    if kept is None:
        kept = app.state.roles_opening = {}
    if path in kept:
        return kept[path]
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    roles = next(
        (admitted for context, admitted in _pages(app) if context.matches(scope)[0] == Match.FULL),
        frozenset(),
    )
    if len(kept) < _KEPT_PATHS:
        kept[path] = roles
    return roles


templating.register_request_value("may_open", lambda request: lambda path: may_open(request, path))


# A viewer reads; brokers and admins change the register; only admins manage users.
AnyUser = Annotated[User, Depends(require())]
Editor = Annotated[User, Depends(require(Role.admin, Role.broker))]
Admin = Annotated[User, Depends(require(Role.admin))]
