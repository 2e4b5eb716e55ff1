"""The header search: suggestions as the user types (a listbox under the field, static/
matcha.js), and the same search as a page of its own, which is also what the field's form
opens without JavaScript or on Enter."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.auth.deps import AnyUser
from app.auth.models import Role
from app.db import SessionDep
from app.events.models import STATUS_LABELS as EVENT_STATUS_LABELS
from app.finder import service as finder
from app.i18n import N_
from app.templating import is_fragment_request, render, see_other

router = APIRouter()

GROUP_NAMES = {
    "company": N_("Företag"),
    "archived": N_("Arkiverade och sammanslagna företag"),
    "contact": N_("Kontaktpersoner"),
    "assignment": N_("Uppdrag"),
    "event": N_("Träffar"),
}


def _context(found: finder.Found, archived: bool) -> dict[str, object]:
    return {
        "found": found,
        "archived": archived,
        "group_names": GROUP_NAMES,
        "assignment_status_labels": ASSIGNMENT_STATUS_LABELS,
        "event_status_labels": EVENT_STATUS_LABELS,
    }


@router.get("/search")
def search_page(
    request: Request, session: SessionDep, user: AnyUser, q: str = "", archived: bool = False
) -> Response:
    """Everything the search finds, grouped, ten of each kind with a way to the rest."""
    found = finder.find(q, archived=archived, user=user, session=session)
    context = _context(found, archived) | {"can_edit": user.role != Role.viewer}
    return render(request, "finder/page.html", context)


@router.get("/search/suggestions")
def suggestions(
    request: Request, session: SessionDep, user: AnyUser, q: str = "", archived: bool = False
) -> Response:
    """A few of each kind, for the listbox under the header's search field; opened as a
    page of its own, the search page."""
    if not is_fragment_request(request):
        return see_other(
            request, f"/search?{request.url.query}" if request.url.query else "/search"
        )
    found = finder.find(q, archived=archived, limit=finder.SUGGESTED, user=user, session=session)
    return render(request, "finder/_suggestions.html", _context(found, archived))
