"""Walks every route of the app, so routes added later are held to the same rules:

- nothing is public by accident: every route needs a session except PUBLIC_PATHS;
- every mutating route refuses a request without a valid CSRF token, and changes nothing;
- a viewer changes nothing except their own account.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from sqlmodel import Session
from starlette.routing import Mount

from app.config import Settings
from app.home import FALLBACK_PATH
from app.main import PUBLIC_PATHS, create_app
from app.models import metadata
from tests.factories import PASSWORD
from tests.world import make_world

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes a viewer may post to: they change only the viewer's own account or session.
SELF_SERVICE = {
    ("POST", "/logout"),
    ("POST", "/account/password"),
    ("POST", "/account/locale"),
    ("POST", "/account/csv-delimiter"),
    ("POST", "/account/sso"),
}


def all_routes() -> list[tuple[str, str]]:
    """(method, path) of every route, including those of included routers."""
    app = create_app(Settings(database_url="sqlite://", secret_key="walk"))
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount) and context.path == "/static":
            continue
        assert isinstance(route, APIRoute), f"unexpected kind of route: {route!r}"
        routes += [(method, context.path) for method in sorted(context.methods or ())]
    assert len(routes) > 10, "found too few routes: is the walk still seeing them all?"
    return routes


def path_with_samples(path: str, samples: dict[str, object]) -> str:
    """Fills {param} with an existing object's id; a new kind of param must be added here."""

    def sample(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in samples, f"add a sample value for path parameter {{{name}}} ({path})"
        return str(samples[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", sample, path)


def snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: equal before and after means nothing was written."""
    session.expire_all()
    return {
        table.name: [tuple(row) for row in session.execute(select(table)).all()]
        for table in metadata.sorted_tables
    }


@pytest.fixture
def world(session, clock):
    return make_world(session, clock)


ROUTES = all_routes()
PRIVATE = [(method, path) for method, path in ROUTES if path not in PUBLIC_PATHS]
# The fallback answers every method with 404 (app/home.py): no route of its own to walk.
MUTATIONS = [
    (method, path) for method, path in ROUTES if method in MUTATING and path != FALLBACK_PATH
]
VIEWER_FORBIDDEN = [
    route for route in MUTATIONS if route not in SELF_SERVICE and route[1] not in PUBLIC_PATHS
]
ADMIN_ONLY = [route for route in ROUTES if route[1].startswith("/admin")]


def test_public_paths_exist():
    paths = {path for _, path in ROUTES}
    assert paths >= PUBLIC_PATHS, "PUBLIC_PATHS lists a route that does not exist"


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_route_requires_a_session_unless_public(client, world, method, path):
    token = client.csrf_token("/login")
    url = path_with_samples(path, world["samples"])
    response = client.request(method, url, data={"csrf_token": token})
    assert response.status_code == 303, f"{method} {path} answered {response.status_code}"
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize(("method", "path"), MUTATIONS)
def test_mutating_route_refuses_missing_or_wrong_csrf_token(client, session, world, method, path):
    client.login("admin", PASSWORD)
    url = path_with_samples(path, world["samples"])
    before = snapshot(session)
    for data in ({}, {"csrf_token": "0" * 64}):
        response = client.request(method, url, data=data)
        assert response.status_code == 403, f"{method} {path} with {data}"
    response = client.request(method, url, headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert snapshot(session) == before


@pytest.mark.parametrize(("method", "path"), VIEWER_FORBIDDEN)
def test_viewer_changes_nothing(client, session, world, method, path):
    client.login("viewer", PASSWORD)
    token = client.csrf_token("/account")
    url = path_with_samples(path, world["samples"])
    before = snapshot(session)
    response = client.request(method, url, data={"csrf_token": token})
    assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
    assert snapshot(session) == before


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
@pytest.mark.parametrize("role", ["broker", "viewer"])
def test_only_admins_reach_admin_pages(client, session, world, role, method, path):
    client.login(role, PASSWORD)
    token = client.csrf_token("/account")
    before = snapshot(session)
    response = client.request(
        method, path_with_samples(path, world["samples"]), data={"csrf_token": token}
    )
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.text
    assert snapshot(session) == before


# --- ids and numbers no database can hold ---------------------------------------------

HUGE = str(2**70)  # longer than any integer SQLite or PostgreSQL stores
BAD_NUMBERS = (HUGE, "-1")
INT_PATH = re.compile(r"\{(\w+):int\}")
ID_PATHS = [(method, path) for method, path in ROUTES if INT_PATH.search(path)]


def query_names(route: APIRoute) -> list[str]:
    """The query parameters a route reads, a query model's fields one by one."""

    def walk(dependant) -> list[str]:  # type: ignore[no-untyped-def]
        names = []
        for param in dependant.query_params:
            model = param.field_info.annotation
            fields = getattr(model, "model_fields", None)
            if fields:  # by the names the query string uses (`from` for `start`)
                names += [field.alias or name for name, field in fields.items()]
            else:
                names.append(param.alias or param.name)
        for sub in dependant.dependencies:
            names += walk(sub)
        return names

    return walk(route.dependant)


def query_routes() -> list[tuple[str, list[str]]]:
    app = create_app(Settings(database_url="sqlite://", secret_key="walk"))
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        methods = context.methods or ()
        if isinstance(route, APIRoute) and "GET" in methods and (names := query_names(route)):
            found.append((context.path, names))
    return found


QUERY_ROUTES = query_routes()


@pytest.mark.parametrize(("method", "path"), ID_PATHS)
def test_an_id_no_database_can_hold_is_not_found(client, world, method, path):
    client.login("admin", PASSWORD)
    token = client.csrf_token("/account")
    for bad in BAD_NUMBERS:
        samples = {**world["samples"], **dict.fromkeys(INT_PATH.findall(path), bad)}
        url = path_with_samples(path, samples)
        response = client.request(method, url, data={"csrf_token": token})
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"


@pytest.mark.parametrize(("path", "names"), QUERY_ROUTES, ids=[p for p, _ in QUERY_ROUTES])
def test_a_query_number_no_database_can_hold_is_refused_or_ignored(client, world, path, names):
    """Each query parameter in turn: refused (422; 404 where it names what to show) or
    ignored as documented (200: a filter of a number no id can be is no filter), never a
    500."""
    client.login("admin", PASSWORD)
    url = path_with_samples(path, world["samples"])
    for name in names:
        for bad in BAD_NUMBERS:
            response = client.get(url, params={name: bad})
            if response.status_code == 303:  # a fragment's route sends a plain visit on
                response = client.get(url, params={name: bad}, headers={"HX-Request": "true"})
            assert response.status_code in (200, 404, 422), (
                f"GET {url}?{name}={bad} answered {response.status_code}"
            )
