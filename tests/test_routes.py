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

from app.activities import service as activities
from app.assignments import service as assignments
from app.config import Settings
from app.contacts import service as contacts
from app.events import checklist, participants
from app.events import service as events
from app.imports import engine as imports
from app.imports.models import ImportKind
from app.main import PUBLIC_PATHS, create_app
from app.models import metadata
from tests.factories import PASSWORD, make_company, make_user

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes a viewer may post to: they change only the viewer's own account or session.
SELF_SERVICE = {
    ("POST", "/logout"),
    ("POST", "/account/password"),
    ("POST", "/account/locale"),
    ("POST", "/account/csv-delimiter"),
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
    admin = make_user(session, clock, role="admin", username="admin")
    broker = make_user(session, clock, role="broker", username="broker")
    viewer = make_user(session, clock, role="viewer", username="viewer")
    company = make_company(session, clock, user=broker, name="Provföretaget AB")
    contact = contacts.create(
        company, contacts.ContactForm(name="Prov Person"), user=broker, session=session, clock=clock
    )
    activity = activities.create(
        company,
        activities.ActivityForm(notes="Ringde", follow_up="tomorrow"),
        user=broker,
        session=session,
        clock=clock,
    )
    assignment = assignments.create(
        company,
        assignments.AssignmentForm(occupation="Kock", source_user_id=str(broker.id)),
        user=broker,
        session=session,
        clock=clock,
    )
    event = events.create(
        events.EventForm(
            title="Provträff",
            starts_at="2026-03-16T09:00",
            ends_at="2026-03-16T12:00",
            owner_id=str(broker.id),
        ),
        user=broker,
        session=session,
        clock=clock,
    )
    participants.invite(event, str(company.id), user=broker, session=session, clock=clock)
    participants.link_assignment(
        event, str(assignment.id), user=broker, session=session, clock=clock
    )
    job = imports.analyse(
        "Företagsnamn;Ort\r\nProvbolaget AB;Umeå\r\n".encode(),
        "prov.csv",
        kind=ImportKind.companies,
        user=broker,
        session=session,
        clock=clock,
    ).job
    session.commit()
    return {
        "admin": admin,
        "broker": broker,
        "viewer": viewer,
        "samples": {
            "user_id": broker.id,
            "path": "finns/inte",
            "company_id": company.id,
            "contact_id": contact.id,
            "activity_id": activity.id,
            "assignment_id": assignment.id,
            "event_id": event.id,
            "task_id": checklist.by_phase(event.id, session=session)[checklist.PHASES[0]][
                0
            ].task.id,
            "item_id": checklist.template(session=session)[0].id,
            "job_id": job.id,
            "file_format": "xlsx",
            "table_key": "companies",
        },
    }


ROUTES = all_routes()
PRIVATE = [(method, path) for method, path in ROUTES if path not in PUBLIC_PATHS]
MUTATIONS = [(method, path) for method, path in ROUTES if method in MUTATING]
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
